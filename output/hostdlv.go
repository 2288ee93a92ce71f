package output

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/kmsctl/kmsctl/internal/textsafe"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/kmshost"
)

// HostDLVJSON is the document of `kmsctl host dlv --json`. Its field tags
// are the schema documented in README.md.
type HostDLVJSON struct {
	Host     string            `json:"host"`
	Address  string            `json:"address"`
	Computer string            `json:"computer"`
	Service  HostServiceJSON   `json:"service"`
	Products []HostProductJSON `json:"kms_products"`
	Warnings []string          `json:"warnings"`
	counters *kmshost.Counters
}

// HostServiceJSON is SoftwareLicensingService. Counts are -1 when the host
// has counted no request yet; null is WMI's null.
type HostServiceJSON struct {
	Version                   string        `json:"version"`
	KMSEnabled                bool          `json:"kms_enabled"`
	CurrentCount              *int64        `json:"current_count"`
	RequiredClientCount       *uint32       `json:"required_client_count"`
	EPID                      string        `json:"epid"`
	ListeningPort             uint32        `json:"listening_port"`
	DNSPublishing             *bool         `json:"dns_publishing"`
	LowPriority               *bool         `json:"low_priority"`
	HostCaching               *bool         `json:"host_caching"`
	ActivationIntervalMinutes *uint32       `json:"activation_interval_minutes"`
	RenewalIntervalMinutes    *uint32       `json:"renewal_interval_minutes"`
	ClientMachineID           *string       `json:"client_machine_id"`
	Requests                  *RequestsJSON `json:"requests"`
}

// HostProductJSON is one SoftwareLicensingProduct with a KMS host key.
type HostProductJSON struct {
	Name                 string        `json:"name"`
	Description          string        `json:"description"`
	ActivationID         string        `json:"activation_id"`
	ApplicationID        string        `json:"application_id"`
	PartialProductKey    string        `json:"partial_product_key"`
	LicenseStatus        uint32        `json:"license_status"`
	LicenseState         string        `json:"license_state"`
	LicenseStatusReason  string        `json:"license_status_reason"`
	GraceRemainingMinute uint32        `json:"grace_period_remaining_minutes"`
	CurrentCount         *int64        `json:"current_count"`
	RequiredClientCount  *uint32       `json:"required_client_count"`
	EPID                 string        `json:"epid"`
	Requests             *RequestsJSON `json:"requests"`
}

// RequestsJSON are the cumulative request counters.
type RequestsJSON struct {
	Total           uint32 `json:"total"`
	Failed          uint32 `json:"failed"`
	Unlicensed      uint32 `json:"unlicensed"`
	Licensed        uint32 `json:"licensed"`
	OOBGrace        uint32 `json:"oob_grace"`
	OOTGrace        uint32 `json:"oot_grace"`
	NonGenuineGrace uint32 `json:"non_genuine_grace"`
	Notification    uint32 `json:"notification"`
}

func newRequestsJSON(r *kmshost.Requests) *RequestsJSON {
	if r == nil {
		return nil
	}
	return &RequestsJSON{Total: r.Total, Failed: r.Failed, Unlicensed: r.Unlicensed, Licensed: r.Licensed,
		OOBGrace: r.OOBGrace, OOTGrace: r.OOTGrace, NonGenuineGrace: r.NonGenuineGrace, Notification: r.Notification}
}

// NewHostDLV converts counters to the JSON document.
func NewHostDLV(host, address string, c *kmshost.Counters) HostDLVJSON {
	sv := &c.Service
	d := HostDLVJSON{Host: host, Address: address, Computer: c.Computer, Products: []HostProductJSON{}, Warnings: c.Warnings(), counters: c,
		Service: HostServiceJSON{Version: sv.Version, KMSEnabled: sv.KMSMachine, CurrentCount: sv.CurrentCount,
			RequiredClientCount: sv.RequiredClientCount, EPID: sv.EPID, ListeningPort: sv.Port(),
			DNSPublishing: sv.DNSPublishing, LowPriority: sv.LowPriority, HostCaching: sv.HostCaching,
			ActivationIntervalMinutes: sv.ActivationInterval, RenewalIntervalMinutes: sv.RenewalInterval,
			Requests: newRequestsJSON(sv.Requests)}}
	if !sv.CMID.IsZero() {
		id := sv.CMID.String()
		d.Service.ClientMachineID = &id
	}
	for _, p := range c.KMSProducts() {
		d.Products = append(d.Products, HostProductJSON{Name: p.Name, Description: p.Description,
			ActivationID: p.ID.String(), ApplicationID: p.ApplicationID.String(), PartialProductKey: p.PartialProductKey,
			LicenseStatus: uint32(p.LicenseStatus), LicenseState: p.LicenseStatus.Name(),
			LicenseStatusReason: p.LicenseStatusReason.String(), GraceRemainingMinute: p.GraceMinutes,
			CurrentCount: p.CurrentCount, RequiredClientCount: p.RequiredClientCount, EPID: p.EPID,
			Requests: newRequestsJSON(p.Requests)})
	}
	return d
}

// HostDLV renders slmgr's KMS host block for each KMS host product of the
// machine in view: ViewText (the default on a terminal) slmgr's layout,
// ViewTSV (the default when piped) one tab-separated line per product, or
// ViewJSON. Warnings go to stderr.
func (s *Streams) HostDLV(host, address string, c *kmshost.Counters, v View) error {
	return s.Show(NewHostDLV(host, address, c), v)
}

func (d HostDLVJSON) layout(s *Streams, v View) error {
	if v == ViewTSV {
		d.columns().write(s, v, d.Products)
	} else {
		s.hostBlock(s.Out, d.Host, d.counters)
	}
	for _, w := range d.Warnings {
		s.Warning(w)
	}
	return nil
}

// hostBlock is slmgr /dlv's text for the host's KMS products, labels
// exact; the interval and caching lines come from slmgr's client block.
func (s *Streams) hostBlock(w io.Writer, host string, c *kmshost.Counters) {
	sv := &c.Service
	title := "KMS host " + host
	if c.Computer != "" && !strings.EqualFold(c.Computer, host) {
		title += " (" + c.Computer + ")"
	}
	fmt.Fprintln(w, s.dim(textsafe.Escape(title)))
	line := func(prefix, label, value string) { s.textLine(w, prefix, label, value) }
	line("", "Software licensing service version: ", sv.Version)
	for _, p := range c.KMSProducts() {
		fmt.Fprintln(w)
		line("", "Name: ", p.Name)
		line("", "Description: ", p.Description)
		line("", "Activation ID: ", p.ID.String())
		line("", "Application ID: ", p.ApplicationID.String())
		line("", "Partial Product Key: ", p.PartialProductKey)
		st := "License Status: " + p.LicenseStatus.String()
		if p.LicenseStatus == kmsclient.StatusLicensed {
			st = s.good(st)
		} else {
			st = s.bad(st)
		}
		line("", "", st)
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Key Management Service is enabled on this machine")
		count := kmshost.CountText(p.CurrentCount)
		if reached, known := p.ThresholdReached(); known {
			if !reached {
				count = s.bad(count)
			} else {
				count = s.good(count)
			}
		}
		const in = "    "
		line(in, "Current count: ", count)
		line(in, "Listening on Port: ", strconv.FormatUint(uint64(sv.Port()), 10))
		if sv.DNSPublishing == nil || *sv.DNSPublishing {
			fmt.Fprintln(w, in+"DNS publishing enabled")
		} else {
			fmt.Fprintln(w, in+"DNS publishing disabled")
		}
		if sv.LowPriority != nil && *sv.LowPriority {
			fmt.Fprintln(w, in+"KMS priority: Low")
		} else {
			fmt.Fprintln(w, in+"KMS priority: Normal")
		}
		if sv.ActivationInterval != nil {
			line(in, "Activation interval: ", fmt.Sprintf("%d minutes", *sv.ActivationInterval))
		}
		if sv.RenewalInterval != nil {
			line(in, "Renewal interval: ", fmt.Sprintf("%d minutes", *sv.RenewalInterval))
		}
		if sv.HostCaching == nil || *sv.HostCaching {
			fmt.Fprintln(w, in+"KMS host caching is enabled")
		} else {
			fmt.Fprintln(w, in+"KMS host caching is disabled")
		}
		if r := p.Requests; r != nil {
			fmt.Fprintln(w)
			fmt.Fprintln(w, "Key Management Service cumulative requests received from clients")
			failed := strconv.FormatUint(uint64(r.Failed), 10)
			if r.Failed > 0 {
				failed = s.warn(failed)
			}
			for _, l := range []struct{ label, value string }{
				{"Total requests received: ", strconv.FormatUint(uint64(r.Total), 10)},
				{"Failed requests received: ", failed},
				{"Requests with License Status Unlicensed: ", strconv.FormatUint(uint64(r.Unlicensed), 10)},
				{"Requests with License Status Licensed: ", strconv.FormatUint(uint64(r.Licensed), 10)},
				{"Requests with License Status Initial grace period: ", strconv.FormatUint(uint64(r.OOBGrace), 10)},
				{"Requests with License Status License expired or Hardware out of tolerance: ", strconv.FormatUint(uint64(r.OOTGrace), 10)},
				{"Requests with License Status Non-genuine grace period: ", strconv.FormatUint(uint64(r.NonGenuineGrace), 10)},
				{"Requests with License Status Notification: ", strconv.FormatUint(uint64(r.Notification), 10)},
			} {
				line(in, l.label, l.value)
			}
		}
	}
}

// columns are host dlv's TSV lines, one per KMS host product (slmgr's
// text is its form for people): host, computer, product, activation ID,
// license state, current count, required client count, listening port,
// DNS publishing (yes|no), low priority (yes|no), host caching (yes|no),
// activation and renewal interval (minutes), then the requests: total,
// failed, unlicensed, licensed, initial grace, OOT grace, non-genuine
// grace, notification. Null values are empty fields.
func (d HostDLVJSON) columns() table[HostProductJSON] {
	type p = HostProductJSON
	sv := d.Service
	service := func(n int, v string) column[p] { return column[p]{tsv: n, text: text(func(p) string { return v })} }
	requests := func(n int, f func(*RequestsJSON) uint32) column[p] {
		return column[p]{tsv: n, text: text(func(p p) string {
			if p.Requests == nil {
				return ""
			}
			return strconv.FormatUint(uint64(f(p.Requests)), 10)
		})}
	}
	return table[p]{
		service(1, d.Host),
		service(2, d.Computer),
		{tsv: 3, text: text(func(p p) string { return p.Name })},
		{tsv: 4, text: text(func(p p) string { return p.ActivationID })},
		{tsv: 5, text: text(func(p p) string { return p.LicenseState })},
		{tsv: 6, text: text(func(p p) string {
			if p.CurrentCount == nil {
				return ""
			}
			return strconv.FormatInt(*p.CurrentCount, 10)
		})},
		{tsv: 7, text: text(func(p p) string { return optUint(p.RequiredClientCount) })},
		service(8, strconv.FormatUint(uint64(sv.ListeningPort), 10)),
		service(9, yesNo(sv.DNSPublishing)),
		service(10, yesNo(sv.LowPriority)),
		service(11, yesNo(sv.HostCaching)),
		service(12, optUint(sv.ActivationIntervalMinutes)),
		service(13, optUint(sv.RenewalIntervalMinutes)),
		requests(14, func(r *RequestsJSON) uint32 { return r.Total }),
		requests(15, func(r *RequestsJSON) uint32 { return r.Failed }),
		requests(16, func(r *RequestsJSON) uint32 { return r.Unlicensed }),
		requests(17, func(r *RequestsJSON) uint32 { return r.Licensed }),
		requests(18, func(r *RequestsJSON) uint32 { return r.OOBGrace }),
		requests(19, func(r *RequestsJSON) uint32 { return r.OOTGrace }),
		requests(20, func(r *RequestsJSON) uint32 { return r.NonGenuineGrace }),
		requests(21, func(r *RequestsJSON) uint32 { return r.Notification }),
	}
}
