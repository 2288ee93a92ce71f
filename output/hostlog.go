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
)

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
		summary = s.Out
		if len(d.Events) > 0 {
			s.hostLogColumns(d.now).write(s, view, d.Events)
			fmt.Fprintln(s.Out)
		}
	} else {
		s.hostLogColumns(d.now).write(s, view, d.Events)
	}
	s.hostLogSummary(summary, d)
	return nil
}

// hostLogColumns are host log's table, one row per event: when (before
// now), client, product, license state, result and minimum count in at
// most 80 columns (client and product cut with "…"), the wide form adding
// the event ID, CMID and VM, nothing cut. A TSV line holds time (RFC 3339,
// UTC), event ID, result code, minimum count, client (12290) or server
// (12288), CMID, client time, VM (0|1), license status, minutes to
// expiration, activation ID, product name, problem; fields an event lacks
// are empty.
func (s *Streams) hostLogColumns(now time.Time) table[HostEventJSON] {
	type e = HostEventJSON
	return table[e]{
		{head: "When", in: people, tsv: 1, text: text(func(e e) string {
			at, _ := time.Parse(rfc3339, e.Time)
			return ago(at, now)
		}), field: func(e e) string { return e.Time }},
		{head: "Event", in: inWide, tsv: 2, text: text(func(e e) string { return strconv.Itoa(e.EventID) })},
		{head: "Client", in: people, fit: true, tsv: 5, text: text(func(e e) string {
			if e.Client == "" {
				return e.Server
			}
			return e.Client
		})},
		{head: "CMID", in: inWide, tsv: 6, text: text(func(e e) string {
			if e.CMID == nil {
				return ""
			}
			return (*e.CMID)[:8] + "…"
		}), field: func(e e) string { return deref(e.CMID) }},
		{tsv: 7, text: text(func(e e) string { return e.ClientTime })},
		{head: "Product", in: people, fit: true, tsv: 12, text: text(func(e e) string {
			switch {
			case e.Product != nil:
				return *e.Product
			case e.ActivationID != nil:
				return "SKU " + (*e.ActivationID)[:8] + "…"
			}
			return ""
		}), field: func(e e) string { return deref(e.Product) }},
		{tsv: 11, text: text(func(e e) string { return deref(e.ActivationID) })},
		{head: "State", in: people, tsv: 9, text: text(func(e e) string {
			if e.LicenseStatus == nil {
				return ""
			}
			return kmsclient.LicenseStatus(*e.LicenseStatus).Short()
		}), field: func(e e) string { return optUint(e.LicenseStatus) }},
		{tsv: 10, text: text(func(e e) string { return optUint(e.ExpiresInMinutes) })},
		{head: "VM", in: inWide, tsv: 8, text: text(func(e e) string { return yesNo(e.VM) }), field: func(e e) string {
			if e.VM == nil {
				return ""
			}
			return map[bool]string{true: "1", false: "0"}[*e.VM]
		}},
		{head: "Result", in: people, tsv: 3, text: func(e e) cell {
			code, _ := hresult.Parse(e.Result)
			switch {
			case e.Problem != nil:
				return cell{"unreadable", s.warn}
			case code == hresult.OK:
				return cell{"ok", s.good}
			case code.Failed():
				return cell{e.Result, s.bad}
			}
			return cell{text: e.Result}
		}, field: func(e e) string { return e.Result }},
		{head: "Min", in: people, tsv: 4, text: text(func(e e) string { return optUint(e.MinCount) })},
		{tsv: 13, text: text(func(e e) string { return deref(e.Problem) })},
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
