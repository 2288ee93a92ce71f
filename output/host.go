package output

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/kmshost"
	"github.com/kmsctl/kmsctl/probe"
)

// Warning writes "warning: msg" on stderr.
func (s *Streams) Warning(msg string) {
	s.textLine(s.Err, "", s.warn("warning:")+" ", msg)
}

// Note writes "note: msg" on stderr: something the user should know that
// changes nothing in the result.
func (s *Streams) Note(msg string) {
	s.textLine(s.Err, "", "note: ", msg)
}

// Prompt writes text on stderr without a newline, for a question asked on
// the terminal.
func (s *Streams) Prompt(text string) { fmt.Fprint(s.Err, text) }

// HostScript prints the PowerShell kmsctl would run (--show-script): the
// script, then the command line that carries it.
func (s *Streams) HostScript(script, commandLine string) error {
	fmt.Fprint(s.Out, script)
	fmt.Fprintf(s.Out, "\n# sent as:\n# %s\n", commandLine)
	return nil
}

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

func yesNo(b *bool) string {
	switch {
	case b == nil:
		return ""
	case *b:
		return "yes"
	}
	return "no"
}

func optUint(v *uint32) string {
	if v == nil {
		return ""
	}
	return strconv.FormatUint(uint64(*v), 10)
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
		s.hostTSV(d.Host, d.counters)
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
	fmt.Fprintln(w, s.dim(title))
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
		count := p.CountText()
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

// hostTSV prints one line per KMS host product: host, computer, product,
// activation ID, license state, current count, required client count,
// listening port, DNS publishing (yes|no), low priority (yes|no), host
// caching (yes|no), activation and renewal interval (minutes), then the
// requests: total, failed, unlicensed, licensed, initial grace, OOT grace,
// non-genuine grace, notification. Null values are empty fields.
func (s *Streams) hostTSV(host string, c *kmshost.Counters) {
	sv := &c.Service
	for _, p := range c.KMSProducts() {
		count := ""
		if p.CurrentCount != nil {
			count = strconv.FormatInt(*p.CurrentCount, 10)
		}
		f := []string{host, c.Computer, p.Name, p.ID.String(), p.LicenseStatus.Name(), count, optUint(p.RequiredClientCount),
			strconv.FormatUint(uint64(sv.Port()), 10), yesNo(sv.DNSPublishing), yesNo(sv.LowPriority), yesNo(sv.HostCaching),
			optUint(sv.ActivationInterval), optUint(sv.RenewalInterval)}
		if r := p.Requests; r != nil {
			for _, v := range []uint32{r.Total, r.Failed, r.Unlicensed, r.Licensed, r.OOBGrace, r.OOTGrace, r.NonGenuineGrace, r.Notification} {
				f = append(f, strconv.FormatUint(uint64(v), 10))
			}
		} else {
			f = append(f, make([]string, 8)...)
		}
		fmt.Fprintln(s.Out, strings.Join(f, "\t"))
	}
}

// HostLogJSON is the document of `kmsctl host log --json`.
type HostLogJSON struct {
	Host      string          `json:"host"`
	Address   string          `json:"address"`
	Computer  string          `json:"computer"`
	HostTime  string          `json:"host_time"`
	Query     HostQueryJSON   `json:"query"`
	Truncated bool            `json:"truncated"`
	Events    []HostEventJSON `json:"events"`
	Summary   HostSummaryJSON `json:"summary"`
	now       time.Time
}

// HostQueryJSON is what was asked for.
type HostQueryJSON struct {
	Max          int    `json:"max"`
	SinceSeconds *int64 `json:"since_seconds"`
}

// HostEventJSON is one event. The fields of 12288 and 12289 alone are left
// out of other events.
type HostEventJSON struct {
	Time                      string   `json:"time"`
	EventID                   int      `json:"event_id"`
	Log                       string   `json:"log"`
	Result                    string   `json:"result"`
	MinCount                  *uint32  `json:"min_count"`
	Client                    string   `json:"client"`
	CMID                      *string  `json:"cmid"`
	ClientTime                string   `json:"client_time"`
	VM                        *bool    `json:"vm"`
	LicenseStatus             *uint32  `json:"license_status"`
	LicenseState              *string  `json:"license_state"`
	ExpiresInMinutes          *uint32  `json:"expires_in_minutes"`
	ActivationID              *string  `json:"activation_id"`
	Product                   *string  `json:"product"`
	Server                    string   `json:"server,omitempty"`
	Status                    *string  `json:"status,omitempty"`
	Activated                 *bool    `json:"activated,omitempty"`
	Count                     *uint32  `json:"count,omitempty"`
	ActivationIntervalMinutes *uint32  `json:"activation_interval_minutes,omitempty"`
	RenewalIntervalMinutes    *uint32  `json:"renewal_interval_minutes,omitempty"`
	Fields                    []string `json:"fields,omitempty"`
	Problem                   *string  `json:"problem"`
}

// HostSummaryJSON adds the events up.
type HostSummaryJSON struct {
	Events          int              `json:"events"`
	ByEventID       map[string]int   `json:"by_event_id"`
	Oldest          *string          `json:"oldest"`
	Newest          *string          `json:"newest"`
	DistinctCMIDs   int              `json:"distinct_cmids"`
	DistinctClients int              `json:"distinct_clients"`
	Succeeded       int              `json:"succeeded"`
	Failed          int              `json:"failed"`
	Unreadable      int              `json:"unreadable"`
	Failures        []HostCodeJSON   `json:"failures"`
	SharedCMIDs     []SharedCMIDJSON `json:"shared_cmids"`
}

// HostCodeJSON is a failure code, how often it was logged and what it means.
type HostCodeJSON struct {
	Code    string `json:"code"`
	Count   int    `json:"count"`
	Name    string `json:"name"`
	Meaning string `json:"meaning"`
	Fix     string `json:"fix"`
}

// SharedCMIDJSON is a CMID several machines sent.
type SharedCMIDJSON struct {
	CMID    string   `json:"cmid"`
	Clients []string `json:"clients"`
}

const rfc3339 = time.RFC3339

// NewHostLog converts a log to the JSON document.
func NewHostLog(host, address string, l *kmshost.EventLog, q kmshost.LogQuery) HostLogJSON {
	d := HostLogJSON{Host: host, Address: address, Computer: l.Computer, HostTime: l.Now.Format(rfc3339), now: l.Now,
		Query: HostQueryJSON{Max: q.Max}, Truncated: len(l.Events) >= q.Max, Events: make([]HostEventJSON, 0, len(l.Events))}
	if q.Since > 0 {
		secs := int64((q.Since + time.Second - 1) / time.Second)
		d.Query.SinceSeconds = &secs
	}
	for i := range l.Events {
		d.Events = append(d.Events, newHostEvent(&l.Events[i]))
	}
	sum := kmshost.Summarize(l.Events)
	d.Summary = HostSummaryJSON{Events: sum.Events, ByEventID: map[string]int{}, DistinctCMIDs: sum.CMIDs,
		DistinctClients: sum.Clients, Succeeded: sum.Succeeded, Failed: sum.Failed, Unreadable: sum.Unreadable,
		Failures: []HostCodeJSON{}, SharedCMIDs: []SharedCMIDJSON{}}
	for id, n := range sum.ByID {
		d.Summary.ByEventID[strconv.Itoa(id)] = n
	}
	if sum.Events > 0 {
		o, n := sum.Oldest.Format(rfc3339), sum.Newest.Format(rfc3339)
		d.Summary.Oldest, d.Summary.Newest = &o, &n
	}
	for _, r := range sum.Results {
		if !r.Code.Failed() {
			continue
		}
		c := HostCodeJSON{Code: r.Code.String(), Count: r.Count, Meaning: "not in kmsctl's table of codes"}
		if i, ok := hresult.Lookup(r.Code); ok {
			c.Name, c.Meaning, c.Fix = i.Name, i.Meaning, i.Fix
		}
		d.Summary.Failures = append(d.Summary.Failures, c)
	}
	for _, sc := range sum.SharedCMIDs {
		d.Summary.SharedCMIDs = append(d.Summary.SharedCMIDs, SharedCMIDJSON{CMID: sc.CMID.String(), Clients: sc.Clients})
	}
	return d
}

func newHostEvent(e *kmshost.Event) HostEventJSON {
	j := HostEventJSON{Time: e.Time.Format(rfc3339), EventID: e.ID, Log: e.Log, Result: e.Result.String(), MinCount: e.MinCount,
		Client: e.Client, ClientTime: e.ClientTime, VM: e.VM, ExpiresInMinutes: e.ExpiresInMinutes, Server: e.Server,
		Activated: e.Activated, Count: e.Count, ActivationIntervalMinutes: e.ActivationInterval, RenewalIntervalMinutes: e.RenewalInterval}
	if !e.CMID.IsZero() {
		s := e.CMID.String()
		j.CMID = &s
	}
	if st := e.LicenseStatus; st != nil {
		n, name := uint32(*st), st.Name()
		j.LicenseStatus, j.LicenseState = &n, &name
	}
	if !e.ActivationID.IsZero() {
		sku := e.ActivationID.String()
		j.ActivationID = &sku
		if p, ok := catalogue.BySKU(e.ActivationID); ok {
			j.Product = &p.Name
		}
	}
	if e.Status != nil {
		s := fmt.Sprintf("0x%08X", *e.Status)
		j.Status = &s
	}
	if e.Problem != "" {
		p := e.Problem
		j.Problem, j.Fields = &p, e.Fields
	}
	return j
}

// HostLog renders the activation audit in view (the views status has): a
// table and its summary on a terminal (by default at most 80 columns; wide
// adds the event ID, CMID and VM), one tab-separated line per event when
// piped or with tsv (the summary then goes to stderr), or JSON.
func (s *Streams) HostLog(host, address string, l *kmshost.EventLog, q kmshost.LogQuery, view View) error {
	return s.Show(NewHostLog(host, address, l, q), view)
}

func (d HostLogJSON) layout(s *Streams, view View) error {
	summary := s.Err
	if view != ViewTSV {
		s.hostLogTable(d, d.now, view == ViewWide)
		summary = s.Out
	} else {
		s.hostLogTSV(d)
	}
	s.hostLogSummary(summary, d)
	return nil
}

// hostLogTable writes the events as a table: when, client, product, state,
// result and minimum count in at most 80 columns (client and product cut
// with "…"), or with wide the event ID, CMID and VM too, nothing cut.
func (s *Streams) hostLogTable(d HostLogJSON, now time.Time, wide bool) {
	if len(d.Events) == 0 {
		return
	}
	header := []string{"When", "Event", "Client", "CMID", "Product", "State", "VM", "Result", "Min"}
	rows := make([][]string, 0, len(d.Events))
	for _, e := range d.Events {
		at, _ := time.Parse(rfc3339, e.Time)
		row := []string{ago(at, now), strconv.Itoa(e.EventID), e.Client, "", "", "", "", "", ""}
		if e.Client == "" {
			row[2] = e.Server
		}
		if e.CMID != nil {
			row[3] = (*e.CMID)[:8] + "…"
		}
		switch {
		case e.Product != nil:
			row[4] = *e.Product
		case e.ActivationID != nil:
			row[4] = "SKU " + (*e.ActivationID)[:8] + "…"
		}
		if e.LicenseStatus != nil {
			row[5] = kmsclient.LicenseStatus(*e.LicenseStatus).Short()
		}
		row[6] = yesNo(e.VM)
		code, _ := hresult.Parse(e.Result)
		switch {
		case e.Problem != nil:
			row[7] = s.warn("unreadable")
		case code == hresult.OK:
			row[7] = s.good("ok")
		case code.Failed():
			row[7] = s.bad(e.Result)
		default:
			row[7] = e.Result
		}
		row[8] = optUint(e.MinCount)
		rows = append(rows, row)
	}
	if !wide {
		keep := []int{0, 2, 4, 5, 7, 8} // when, client, product, state, result, min
		header = pick(header, keep)
		for i := range rows {
			rows[i] = pick(rows[i], keep)
		}
		s.writeTable(header, rows, 1, 2)
	} else {
		s.writeTable(header, rows)
	}
	fmt.Fprintln(s.Out)
}

// pick returns the cells of row at the indexes keep.
func pick(row []string, keep []int) []string {
	out := make([]string, 0, len(keep))
	for _, k := range keep {
		out = append(out, row[k])
	}
	return out
}

// spanText writes a span as it was probably given: 7d, 24h, 90m.
func spanText(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0 && d >= 48*time.Hour:
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	case d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	case d%time.Minute == 0:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	}
	return d.String()
}

// ago is how long before now t was, to the minute (seconds under one).
func ago(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < 0:
		return "in " + (-d).Truncate(time.Second).String()
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm ago", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%dd%02dh ago", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
}

// hostLogTSV prints one line per event: time (RFC 3339, UTC), event ID,
// result code, minimum count, client (12290) or server (12288), CMID,
// client time, VM (0|1), license status, minutes to expiration, activation
// ID, product name, problem. Fields an event lacks are empty.
func (s *Streams) hostLogTSV(d HostLogJSON) {
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	for _, e := range d.Events {
		vm := ""
		if e.VM != nil {
			vm = map[bool]string{true: "1", false: "0"}[*e.VM]
		}
		client := e.Client
		if client == "" {
			client = e.Server
		}
		fmt.Fprintln(s.Out, strings.Join([]string{e.Time, strconv.Itoa(e.EventID), e.Result, optUint(e.MinCount), client,
			str(e.CMID), e.ClientTime, vm, optUint(e.LicenseStatus), optUint(e.ExpiresInMinutes), str(e.ActivationID),
			str(e.Product), str(e.Problem)}, "\t"))
	}
}

// hostLogSummary writes the summary under host log's table (or on stderr
// with TSV), each line wrapped at w's terminal width.
func (s *Streams) hostLogSummary(w io.Writer, d HostLogJSON) {
	sum := d.Summary
	span := ""
	if d.Query.SinceSeconds != nil {
		span = " of the last " + spanText(time.Duration(*d.Query.SinceSeconds)*time.Second)
	}
	if sum.Events == 0 {
		s.textLine(w, "", "", fmt.Sprintf("no events 12290 in the Key Management Service log, nor 12288 or 12289 in the Application log%s, of %s", span, d.Host))
		return
	}
	s.textLine(w, "", "", fmt.Sprintf("%d events%s, %s to %s (host clock, UTC), newest first", sum.Events, span,
		strings.Replace(*sum.Oldest, "T", " ", 1), strings.Replace(*sum.Newest, "T", " ", 1)))
	if d.Truncated {
		s.textLine(w, "", s.warn("note:")+" ", fmt.Sprintf("only the newest %d were read: raise --max to see older ones", d.Query.Max))
	}
	counts := fmt.Sprintf("%d distinct CMIDs from %d client names; %d succeeded, %d failed", sum.DistinctCMIDs, sum.DistinctClients, sum.Succeeded, sum.Failed)
	if sum.Unreadable > 0 {
		counts += fmt.Sprintf(", %d unreadable", sum.Unreadable)
	}
	s.textLine(w, "", "", counts)
	if len(sum.Failures) > 0 {
		fmt.Fprintln(w, "Failures by code:")
		for _, f := range sum.Failures {
			s.textLine(w, "  ", fmt.Sprintf("%s ×%d  ", s.bad(f.Code), f.Count), f.Meaning)
		}
	}
	for _, sc := range sum.SharedCMIDs {
		s.textLine(w, "", s.warn("warning:")+" ", fmt.Sprintf("CMID %s was sent by %d machines (%s): they were cloned without sysprep /generalize, and the host counts them as one client",
			sc.CMID, len(sc.Clients), strings.Join(sc.Clients, ", ")))
	}
}

// WinRMResult is what --winrm read from one host of a status run.
type WinRMResult struct {
	Address  string // the WinRM listener read
	Counters *kmshost.Counters
	Err      error
}

// StatusWMIJSON is the "wmi" member of a status host with --winrm.
type StatusWMIJSON struct {
	Address     string              `json:"address"`
	Computer    *string             `json:"computer"`
	Error       *ErrorInfo          `json:"error"`
	KMSProducts []StatusWMIProdJSON `json:"kms_products"`
}

// StatusWMIProdJSON is one KMS host product's count as WMI has it.
type StatusWMIProdJSON struct {
	Name                string  `json:"name"`
	ApplicationID       string  `json:"application_id"`
	CurrentCount        *int64  `json:"current_count"`
	RequiredClientCount *uint32 `json:"required_client_count"`
}

func (s *Streams) newStatusWMI(r *WinRMResult) *StatusWMIJSON {
	j := &StatusWMIJSON{Address: r.Address, KMSProducts: []StatusWMIProdJSON{}, Error: s.describeOrNil(r.Err)}
	if c := r.Counters; c != nil {
		j.Computer = &c.Computer
		for _, p := range c.KMSProducts() {
			j.KMSProducts = append(j.KMSProducts, StatusWMIProdJSON{Name: p.Name, ApplicationID: p.ApplicationID.String(),
				CurrentCount: p.CurrentCount, RequiredClientCount: p.RequiredClientCount})
		}
	}
	return j
}

// wmiCount is the WMI count of the host product that serves group's
// application, and that product; nil when there is none.
func wmiCount(r *WinRMResult, app string) (*int64, *kmshost.Product) {
	if r == nil || r.Counters == nil {
		return nil, nil
	}
	for _, p := range r.Counters.KMSProducts() {
		if _, counted := p.Counted(); p.ApplicationID.String() == app && counted { // WMI's 4294967295 is no count
			return p.CurrentCount, &p
		}
	}
	return nil, nil
}

// StatusWinRM renders a status run with the WMI counters read over WinRM
// beside each group's KMS count. A host whose counters could not be read
// fails the run (failure.Hosts); counts that disagree are flagged, not failed.
func (s *Streams) StatusWinRM(hosts []probe.Host, wmi []WinRMResult, view View, summary bool) error {
	return s.status(hosts, wmi, view, summary)
}

// winrmProblems writes WMI failures and disagreements to stderr.
func (s *Streams) winrmProblems(hosts []probe.Host, wmi []WinRMResult) {
	for i := range hosts {
		h, r := &hosts[i], &wmi[i]
		if r.Err != nil {
			fmt.Fprintf(s.Err, "%s (WMI over WinRM):\n", h.Host)
			s.writeErrorInfo(s.Err, s.describe(r.Err), "")
			continue
		}
		for j := range h.Groups {
			g := &h.Groups[j]
			if g.Result == nil {
				continue
			}
			c, p := wmiCount(r, g.Product.ApplicationID.String())
			switch {
			case c == nil:
				s.Warning(fmt.Sprintf("%s, %s: no KMS host product for this application in WMI, so there is no count to compare", h.Host, g.Product.Name))
			case *c != int64(g.Result.Count):
				s.Warning(fmt.Sprintf("%s, %s: the KMS reply counts %d, WMI (%s) counts %s: they disagree; another client may have been counted in between, or the reply does not come from this host",
					h.Host, g.Product.Name, g.Result.Count, p.Name, kmshost.CountText(c)))
			}
		}
	}
}

// addWMI puts what --winrm read into a status report.
func (s *Streams) addWMI(r *StatusReport, hosts []probe.Host, wmi []WinRMResult) {
	if wmi == nil {
		return
	}
	for i := range r.Hosts {
		res := &wmi[i]
		r.Hosts[i].WMI = s.newStatusWMI(res)
		for j := range r.Hosts[i].Groups {
			g := &hosts[i].Groups[j]
			if g.Result == nil {
				continue
			}
			c, _ := wmiCount(res, g.Product.ApplicationID.String())
			if c == nil {
				continue
			}
			agree := *c == int64(g.Result.Count)
			r.Hosts[i].Groups[j].WMICount, r.Hosts[i].Groups[j].CountsAgree = c, &agree
		}
	}
}

// wmiCell is the WMI count beside a group's KMS count: plain when they
// agree, flagged when they do not.
func (s *Streams) wmiCell(r *WinRMResult, g *probe.Group) string {
	if r.Err != nil {
		return s.bad("failed")
	}
	c, _ := wmiCount(r, g.Product.ApplicationID.String())
	switch {
	case c == nil:
		return "-"
	case *c != int64(g.Result.Count):
		return s.bad(strconv.FormatInt(*c, 10) + " differs")
	}
	return s.good(strconv.FormatInt(*c, 10))
}

// wmiFields are the two TSV fields --winrm adds to a status line: the WMI
// count and whether it agrees with the KMS reply (yes|no); both empty when
// there is nothing to compare.
func wmiFields(r *WinRMResult, g *probe.Group) []string {
	if g.Result == nil {
		return []string{"", ""}
	}
	c, _ := wmiCount(r, g.Product.ApplicationID.String())
	if c == nil {
		return []string{"", ""}
	}
	agree := "yes"
	if *c != int64(g.Result.Count) {
		agree = "no"
	}
	return []string{strconv.FormatInt(*c, 10), agree}
}
