package output

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kmsctl/kmsctl/kmshost"
)

// ClientResult is one client of a fleet read: what was read, or why not.
type ClientResult struct {
	Host    string
	Address string
	Client  *kmshost.WinClient
	Err     error
}

// ClientFleetJSON is `client dli --hosts-file … --json`.
type ClientFleetJSON struct {
	Clients []ClientLineJSON `json:"clients"`
	Summary map[string]int   `json:"summary"`
	results []ClientResult
}

// ClientLineJSON is one client's line.
type ClientLineJSON struct {
	Host         string     `json:"host"`
	Computer     *string    `json:"computer"`
	Status       *string    `json:"status"`
	DaysLeft     *float64   `json:"days_left"`
	LastResult   *string    `json:"last_result"`
	LastCount    *uint32    `json:"last_count"`
	LastHost     *string    `json:"last_host"`
	LastContact  *string    `json:"last_contact"`
	FailingSince *string    `json:"failing_since"`
	Error        *ErrorInfo `json:"error"`
}

// ClientFleet renders many clients, one line each, in view (the views
// status has): on a terminal by default a table of at most 80 columns
// (client, status, days left, failing since, last result with the count
// the host reported; long client names cut with "…"); wide adds the
// computer name, the time of the last contact, whether the request reached
// the host and the last host tried, nothing cut; tsv, the default when
// piped, one tab-separated line per client; or JSON. The summary goes to
// stderr.
func (s *Streams) ClientFleet(results []ClientResult, view View) error {
	d := ClientFleetJSON{Clients: []ClientLineJSON{}, Summary: map[string]int{}, results: results}
	for i := range results {
		r := &results[i]
		l := ClientLineJSON{Host: r.Host}
		if r.Err != nil {
			l.Error = s.describeOrNil(r.Err)
			d.Summary[unreadWord(r.Err)]++
		} else {
			st := r.Client.Standing()
			status := string(st.State)
			l.Computer, l.Status = &r.Client.Computer, &status
			if st.Product != nil {
				days := float64(st.Minutes) / (24 * 60)
				l.DaysLeft = &days
			}
			c := newContact(st.Contact)
			l.LastResult, l.LastCount, l.LastHost, l.LastContact, l.FailingSince = c.Result, c.Count, c.Host, c.Time, c.FailingSince
			d.Summary[status]++
		}
		d.Clients = append(d.Clients, l)
	}
	return s.Show(d, view)
}

func (d ClientFleetJSON) layout(s *Streams, view View) error {
	results := d.results
	rows := make([]fleetRow, 0, len(d.Clients))
	for i, l := range d.Clients {
		rows = append(rows, fleetRow{l, results[i].Err == nil && results[i].Client.Standing().Contact.Answer, unreadWord(results[i].Err)})
	}
	s.clientFleetColumns().write(s, view, rows)
	var fails []hostFailure
	for i := range results {
		if unfinished(results[i].Err) == "" && results[i].Err != nil {
			fails = append(fails, s.hostFailure(results[i].Host, results[i].Host, results[i].Err))
		}
	}
	if len(fails) > 0 {
		s.writeFailures(fails)
	}
	if n, cut := d.Summary[notProbed], d.Summary[cutShort]; n+cut > 0 {
		s.Warning(interruptionText(len(results), n, cut, "client", "read"))
	}
	var parts []string
	for _, k := range []string{"licensed", "renewal_failing", "grace", "notification", "unlicensed", "not_kms_client", "unreadable", cutShort, notProbed} {
		if n := d.Summary[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, strings.ReplaceAll(k, "_", " ")))
		}
	}
	noun := "clients"
	if len(results) == 1 {
		noun = "client"
	}
	fmt.Fprintf(s.Err, "%d %s: %s\n", len(results), noun, strings.Join(parts, ", "))
	return nil
}

// fleetRow is one client's line and whether its last request reached a
// host.
type fleetRow struct {
	ClientLineJSON
	answered bool
	unread   string // unreadWord of its error; "" when read
}

// unreadWord is the status of a client that was not read: not_probed or
// interrupted after Ctrl-C (unfinished), unreadable otherwise; "" for
// no error.
func unreadWord(err error) string {
	if w := unfinished(err); w != "" || err == nil {
		return w
	}
	return "unreadable"
}

// clientFleetColumns are the client fleet's table, one row per client:
// client, status, days left, failing since (month-day hour:minute, UTC)
// and last result with the count the host reported, in at most 80 columns
// (client names cut with "…"); the wide form has the computer name, the
// last contact, the result with "no answer" when the request did not
// reach a host, and the last host tried, nothing cut and the times with
// their year. A TSV line holds host, status (the JSON value, or
// unreadable, not_probed or interrupted), days left (one decimal), last result code (the error code
// for an unreadable client), the count the host reported, last host, last
// contact and failing since (RFC 3339); missing values are empty fields.
func (s *Streams) clientFleetColumns() table[fleetRow] {
	type r = fleetRow
	status := func(l r) cell {
		switch l.unread {
		case "":
		case "unreadable":
			return cell{l.unread, s.bad}
		default:
			return cell{strings.ReplaceAll(l.unread, "_", " "), s.warn}
		}
		state := kmshost.ClientState(*l.Status)
		c := cell{text: stateWords(state)}
		switch state {
		case kmshost.StateLicensed:
			c.paint = s.good
		case kmshost.StateRenewalFailing, kmshost.StateGrace, kmshost.StateNotification, kmshost.StateUnlicensed:
			c.paint = s.bad
		}
		return c
	}
	days := text(func(l r) string {
		if l.DaysLeft == nil {
			return ""
		}
		return strconv.Itoa(int(*l.DaysLeft))
	})
	failing := func(layout string) func(r) cell {
		return func(l r) cell {
			if l.FailingSince == nil {
				return cell{}
			}
			at, _ := time.Parse(rfc3339, *l.FailingSince)
			return cell{at.UTC().Format(layout), s.bad}
		}
	}
	result := func(wide bool) func(r) cell {
		return text(func(l r) string {
			switch {
			case l.Error != nil:
				return l.Error.Code
			case l.LastResult == nil:
				return ""
			case l.LastCount != nil:
				return *l.LastResult + " (" + strconv.FormatUint(uint64(*l.LastCount), 10) + ")"
			case wide && !l.answered:
				return *l.LastResult + " (no answer)"
			}
			return *l.LastResult
		})
	}
	return table[r]{
		{head: "Client", in: people, fit: true, tsv: 1, text: text(func(l r) string { return l.Host })},
		{head: "Computer", in: inWide, text: text(func(l r) string { return deref(l.Computer) })},
		{head: "Status", in: people, tsv: 2, text: status, field: func(l r) string {
			if l.unread != "" {
				return l.unread
			}
			return *l.Status
		}},
		{head: "Days", in: inTable, tsv: 3, text: days, field: func(l r) string {
			if l.Error != nil || l.DaysLeft == nil {
				return ""
			}
			return strconv.FormatFloat(*l.DaysLeft, 'f', 1, 64)
		}},
		{head: "Days left", in: inWide, text: days},
		{head: "Failing since", in: inTable, tsv: 8, text: failing("01-02 15:04"), field: func(l r) string { return deref(l.FailingSince) }},
		{head: "Failing since", in: inWide, text: failing(dateTime)},
		{head: "Last contact", in: inWide, tsv: 7, text: text(func(l r) string {
			if l.LastContact == nil {
				return ""
			}
			at, _ := time.Parse(rfc3339, *l.LastContact)
			return at.UTC().Format(dateTime)
		}), field: func(l r) string { return deref(l.LastContact) }},
		{head: "Last result", in: inTable, tsv: 4, text: result(false), field: func(l r) string {
			if l.Error != nil {
				return l.Error.Code
			}
			return deref(l.LastResult)
		}},
		{head: "Last result", in: inWide, text: result(true)},
		{tsv: 5, text: text(func(l r) string { return optUint(l.LastCount) })},
		{head: "Last host", in: inWide, tsv: 6, text: text(func(l r) string { return deref(l.LastHost) })},
	}
}
