package output

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/identity"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/license"
)

// LicenseInfo is what dli, dlv and xpr show: the stored state, what it
// means now, and the client identity (nil when none exists yet).
type LicenseInfo struct {
	State    license.State
	View     license.View
	Identity *identity.Identity
	Now      time.Time
}

// NewLicenseInfo evaluates st at now.
func NewLicenseInfo(st license.State, id *identity.Identity, now time.Time) LicenseInfo {
	return LicenseInfo{State: st, View: license.Evaluate(st, now), Identity: id, Now: now}
}

// LicenseJSON is the document of `kmsctl dli --json` (and dlv, xpr). Its
// field tags are the schema documented in README.md. Times are RFC 3339 in
// UTC; null means "none".
type LicenseJSON struct {
	Name                      string   `json:"name"`
	Description               string   `json:"description"`
	ActivationID              string   `json:"activation_id"`
	ApplicationID             string   `json:"application_id"`
	KMSID                     string   `json:"kms_id"`
	KMSGroup                  string   `json:"kms_group"`
	Threshold                 int      `json:"threshold"`
	Protocol                  int      `json:"protocol"`
	ProductKeyChannel         string   `json:"product_key_channel"`
	PartialProductKey         string   `json:"partial_product_key"`
	KeyStored                 bool     `json:"key_stored"`
	LicenseStatus             string   `json:"license_status"`
	LicenseStatusCode         int      `json:"license_status_code"`
	LicenseStatusReason       *string  `json:"license_status_reason"`
	ExpiresAt                 *string  `json:"expires_at"`
	RemainingMinutes          int64    `json:"remaining_minutes"`
	RenewalFailing            bool     `json:"renewal_failing"`
	NextContactAt             *string  `json:"next_contact_at"`
	NextContact               *string  `json:"next_contact"`
	CMID                      *string  `json:"cmid"`
	PreviousCMID              *string  `json:"previous_cmid"`
	KMSHost                   *string  `json:"kms_host"`
	KMSPort                   *int     `json:"kms_port"`
	KMSLookupDomain           *string  `json:"kms_lookup_domain"`
	KMSHostCaching            bool     `json:"kms_host_caching"`
	KMSHostDiscovered         *string  `json:"kms_host_discovered"`
	KMSHostDiscoveredName     *string  `json:"kms_host_discovered_name"`
	KMSEPID                   *string  `json:"kms_epid"`
	ActivationIntervalMinutes int      `json:"activation_interval_minutes"`
	RenewalIntervalMinutes    int      `json:"renewal_interval_minutes"`
	ActivatedAt               *string  `json:"activated_at"`
	LastContactAt             *string  `json:"last_contact_at"`
	LastHost                  *string  `json:"last_host"`
	LastHostSRVTarget         *string  `json:"last_host_srv_target"`
	LastResult                *string  `json:"last_result"`
	LastCount                 *uint32  `json:"last_count"`
	RearmsLeft                int      `json:"rearms_left"`
	Warnings                  []string `json:"warnings"`
	in                        LicenseInfo
	form                      licenseForm
	// warnLater: another product follows, and the warnings about the
	// machine's KMS settings (which every product shares) are said once,
	// after the last one.
	warnLater bool
}

// licenseForm is which of slmgr's views a LicenseJSON is laid out as.
type licenseForm int

const (
	formDLI licenseForm = iota
	formDLV
	formXPR
)

// NewLicenseJSON builds the document; in must have a product installed.
func NewLicenseJSON(in LicenseInfo) LicenseJSON {
	st, v, p := in.State, in.View, in.State.Product
	sku := p.SKU
	j := LicenseJSON{Name: sku.Name, Description: licDescription(sku), ActivationID: sku.SKUID.String(),
		ApplicationID: sku.ApplicationID.String(), KMSID: sku.KMSID.String(), KMSGroup: sku.Group,
		Threshold: sku.Threshold, Protocol: sku.Protocol, ProductKeyChannel: licChannel(p),
		PartialProductKey: p.Partial, KeyStored: p.HasKey(),
		LicenseStatus: v.Status.String(), LicenseStatusCode: int(v.Status),
		RemainingMinutes: minutesLeft(v.Remaining(in.Now)), RenewalFailing: v.RenewalFailing,
		KMSHostCaching:            !st.KMS.NoCaching,
		ActivationIntervalMinutes: int(v.ActivationInterval / time.Minute),
		RenewalIntervalMinutes:    int(v.RenewalInterval / time.Minute),
		RearmsLeft:                st.RearmsLeft(), Warnings: st.KMS.Warnings(), in: in}
	if v.Reason != 0 {
		j.LicenseStatusReason = licPtr(v.Reason.String())
	}
	j.ExpiresAt = timeText(v.Ends)
	j.NextContactAt = timeText(v.Next)
	if v.NextAction != license.None {
		j.NextContact = licPtr(v.NextAction.String())
	}
	if id := in.Identity; id != nil {
		j.CMID = licPtr(id.CMID.String())
		if !id.PreviousCMID.IsZero() {
			j.PreviousCMID = licPtr(id.PreviousCMID.String())
		}
	}
	j.KMSHost = optString(st.KMS.Address())
	switch {
	case st.KMS.Port != 0:
		// Also without a host (skms :PORT), which kms_host cannot say.
		j.KMSPort = &st.KMS.Port
	case st.KMS.Host != "":
		port := kmsclient.DefaultPort
		j.KMSPort = &port
	}
	j.KMSLookupDomain = optString(st.KMS.LookupDomain)
	j.KMSHostDiscovered = optString(st.Discovered)
	j.KMSHostDiscoveredName = optString(st.DiscoveredName())
	if s := st.LastSuccess; s != nil {
		j.KMSEPID = optString(s.EPID)
		j.ActivatedAt = timeText(s.At)
	}
	if a := st.LastAttempt; a != nil {
		j.LastContactAt = timeText(a.At)
		j.LastHost = optString(a.Host)
		j.LastHostSRVTarget = optString(a.SRVTarget)
		j.LastResult = licPtr(a.Result.String())
		j.LastCount = a.Count
	}
	return j
}

func licPtr[T any](v T) *T { return &v }

// description is slmgr's Description line for a KMS client product.
func licDescription(p catalogue.Product) string {
	if p.Family == catalogue.Office {
		return "Office, VOLUME_KMSCLIENT channel"
	}
	return "Windows(R) Operating System, VOLUME_KMSCLIENT channel"
}

// channel is slmgr's Product Key Channel.
func licChannel(p *license.Product) string {
	if p.GVLK {
		return "Volume:GVLK"
	}
	return "Volume (a key kmsctl's catalogue does not list, activated by KMS)"
}

// minutesDays is slmgr's "<m> minute(s) (<d> day(s))", days rounded up.
func minutesDays(d time.Duration) string {
	m := minutesLeft(d)
	return fmt.Sprintf("%d minute(s) (%d day(s))", m, (m+1439)/1440)
}

// minutesLeft is d in whole minutes, a started minute counted: never 0
// while any time is left. slmgr shows 0 minutes only for an activation that
// does not expire (and then no expiration line at all), so a time-limited
// one in its last minute must not read "0 minute(s) (0 day(s))".
func minutesLeft(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64((d + time.Minute - 1) / time.Minute)
}

// statusColour paints a status by how healthy it is.
func (s *Streams) statusColour(st kmsclient.LicenseStatus, text string) string {
	switch st {
	case kmsclient.StatusLicensed:
		return s.good(text)
	case kmsclient.StatusUnlicensed, kmsclient.StatusNotification:
		return s.bad(text)
	}
	return s.warn(text)
}

// licenseDoc is the document of dli (verbose: dlv) for in.
func licenseDoc(in LicenseInfo, verbose bool) LicenseJSON {
	d := NewLicenseJSON(in)
	if verbose {
		d.form = formDLV
	}
	return d
}

// License renders slmgr /dli (verbose: /dlv) for the installed product, or
// its JSON document.
func (s *Streams) License(in LicenseInfo, verbose bool, v View) error {
	return s.Show(licenseDoc(in, verbose), v)
}

func (d LicenseJSON) layout(s *Streams, _ View) error {
	if d.form == formXPR {
		s.expiry(d.in)
		return nil
	}
	s.license(d.in, d.form == formDLV, !d.warnLater)
	return nil
}

// license writes slmgr /dli (verbose: /dlv). Every line that holds a
// name or a sentence goes through textLine: on a terminal it wraps between
// words at its width, continuing under the value.
func (s *Streams) license(in LicenseInfo, verbose, warnings bool) {
	w := s.Out
	st, v, p := in.State, in.View, in.State.Product
	line := func(prefix, label, value string) { s.textLine(w, prefix, label, value) }
	fmt.Fprintln(w)
	line("", "Name: ", p.SKU.Name)
	line("", "Description: ", licDescription(p.SKU))
	if verbose {
		line("", "Activation ID: ", p.SKU.SKUID.String())
		line("", "Application ID: ", p.SKU.ApplicationID.String())
		line("", "Product Key Channel: ", licChannel(p))
	}
	line("", "Partial Product Key: ", p.Partial)
	s.statusLines(w, in)
	if verbose {
		app := "Windows"
		if p.SKU.Family == catalogue.Office {
			app = "App"
		}
		fmt.Fprintf(w, "Remaining %s rearm count: %d\n", app, st.RearmsLeft())
		fmt.Fprintf(w, "Remaining SKU rearm count: %d\n", st.RearmsLeft())
		line("", "Trusted time: ", When(in.Now, in.Now))
	}
	fmt.Fprintln(w, "Configured Activation Type: KMS")
	if v.Status != kmsclient.StatusLicensed {
		line("", "", "Please use kmsctl ato to activate and update KMS client information in order to update values.")
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Most recent activation information:")
	fmt.Fprintln(w, "Key Management Service client information")
	const in4 = "    "
	cmid := "not yet generated (kmsctl ato creates it)"
	if in.Identity != nil {
		cmid = in.Identity.CMID.String()
	}
	line(in4, "Client Machine ID (CMID): ", cmid)
	if verbose && in.Identity != nil && !in.Identity.PreviousCMID.IsZero() {
		line(in4, "Previous Client Machine ID (CMID): ", in.Identity.PreviousCMID.String())
	}
	if verbose {
		line(in4, "KMS counted ID: ", fmt.Sprintf("%s (%s, threshold %d, protocol %d)", p.SKU.KMSID, p.SKU.Group, p.SKU.Threshold, p.SKU.Protocol))
	}
	if d := st.KMS.LookupDomain; d != "" {
		line(in4, "Registered KMS SRV record lookup domain: ", d)
	}
	switch {
	case st.KMS.Host != "":
		line(in4, "Registered KMS machine name: ", st.KMS.Address())
	case st.DiscoveredName() != "": // the SRV target, as slmgr shows it
		line(in4, "KMS machine name from DNS: ", st.DiscoveredName())
	case st.Discovered != "":
		line(in4, "KMS machine name from DNS: ", st.Discovered)
	default:
		fmt.Fprintln(w, in4+"DNS auto-discovery: KMS name not available")
	}
	if st.KMS.Host == "" && st.KMS.Port != 0 {
		line(in4, "Registered KMS machine port: ",
			fmt.Sprintf("%d (no host set: hosts found in DNS are asked on their SRV record's port)", st.KMS.Port))
	}
	ip, epid := "not available", "not available"
	if a := st.LastSuccess; a != nil {
		if a.Address != "" {
			ip = licHostOnly(a.Address)
		}
		if a.EPID != "" {
			epid = a.EPID
		}
	}
	line(in4, "KMS machine IP address: ", ip)
	line(in4, "KMS machine extended PID: ", epid)
	fmt.Fprintf(w, in4+"Activation interval: %d minutes\n", v.ActivationInterval/time.Minute)
	fmt.Fprintf(w, in4+"Renewal interval: %d minutes\n", v.RenewalInterval/time.Minute)
	if st.KMS.NoCaching {
		fmt.Fprintln(w, in4+"KMS host caching is disabled")
	} else {
		fmt.Fprintln(w, in4+"KMS host caching is enabled")
	}
	if a := st.LastAttempt; a != nil {
		line(in4, "Last contact: ", s.attemptSummary(a, in.Now))
	}
	if !v.Next.IsZero() {
		line(in4, "Next contact: ", nextContact(v, in.Now))
	}
	if warnings {
		s.kmsWarnings(w, st.KMS.Warnings())
	}
	fmt.Fprintln(w)
}

// kmsWarnings writes slmgr's warnings about the KMS settings in force
// (license.HostConfig.Warnings), each after a blank line.
func (s *Streams) kmsWarnings(w io.Writer, warnings []string) {
	for _, warning := range warnings {
		fmt.Fprintln(w)
		s.textLine(w, "", s.warn("Warning:")+" ", warning)
	}
}

// statusLines are slmgr's License Status line and what follows it, plus
// kmsctl's one line about a failing renewal.
func (s *Streams) statusLines(w io.Writer, in LicenseInfo) {
	v := in.View
	fmt.Fprintf(w, "License Status: %s\n", s.statusColour(v.Status, v.Status.String()))
	switch v.Status {
	case kmsclient.StatusLicensed:
		fmt.Fprintf(w, "Volume activation expiration: %s\n", minutesDays(v.Remaining(in.Now)))
		if v.RenewalFailing {
			s.textLine(w, "", "", s.warn(renewalFailing(in)))
		}
	case kmsclient.StatusNotification:
		fmt.Fprintf(w, "Notification Reason: %s (grace time expired).\n", v.Reason)
	case kmsclient.StatusOOBGrace, kmsclient.StatusOOTGrace, kmsclient.StatusNonGenuineGrace, kmsclient.StatusExtendedGrace:
		fmt.Fprintf(w, "Time remaining: %s\n", minutesDays(v.Remaining(in.Now)))
	}
}

// renewalFailing is the one line that says a renewal failed and what
// happens next.
func renewalFailing(in LicenseInfo) string {
	a, v := in.State.LastAttempt, in.View
	return fmt.Sprintf("Renewal failed at %s with %s; still Licensed until %s, retrying every %d minutes (next %s).",
		When(a.At, in.Now), a.Result, When(v.Ends, in.Now), v.ActivationInterval/time.Minute, When(v.Next, in.Now))
}

// attemptSummary is one contact in a few words.
func (s *Streams) attemptSummary(a *license.Attempt, now time.Time) string {
	host := a.HostLabel()
	if host == "" {
		host = "no host"
	}
	res := s.good("activated")
	if !a.Succeeded() {
		res = s.bad(a.Result.String())
	}
	text := fmt.Sprintf("%s, %s, %s", When(a.At, now), host, res)
	if a.Count != nil {
		text += fmt.Sprintf(" (count %d, threshold %d)", *a.Count, a.Threshold)
	}
	return text
}

// nextContact says when the next contact is due and what for.
func nextContact(v license.View, now time.Time) string {
	what := "renewal"
	if v.NextAction == license.Retry {
		what = "retry"
	}
	if !v.Next.After(now) {
		return fmt.Sprintf("due now (%s)", what)
	}
	return fmt.Sprintf("%s (%s)", When(v.Next, now), what)
}

// hostOnly strips the port from host:port.
func licHostOnly(addr string) string {
	if i := strings.LastIndexByte(addr, ':'); i > 0 {
		return strings.Trim(addr[:i], "[]")
	}
	return addr
}
