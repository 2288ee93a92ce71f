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
