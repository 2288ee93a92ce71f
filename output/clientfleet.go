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
			d.Summary["unreadable"]++
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
	if view == ViewTSV {
		s.clientFleetTSV(d)
	} else {
		s.clientFleetTable(d, results, view == ViewWide)
	}
	var fails []hostFailure
	for i := range results {
		if results[i].Err != nil {
			fails = append(fails, s.hostFailure(results[i].Host, results[i].Host, results[i].Err))
		}
	}
	if len(fails) > 0 {
		s.writeFailures(fails)
	}
	var parts []string
	for _, k := range []string{"licensed", "renewal_failing", "grace", "notification", "unlicensed", "not_kms_client", "unreadable"} {
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

// clientFleetTable writes the fleet as a table: client, status, days left,
// failing since (month-day hour:minute, UTC) and last result with the
// count the host reported, in at most 80 columns (client names cut with
// "…"); or with wide the computer name, the last contact, the result with
// "no answer" when the request did not reach a host, and the last host
// tried, nothing cut and the times with their year.
func (s *Streams) clientFleetTable(d ClientFleetJSON, results []ClientResult, wide bool) {
	header := []string{"Client", "Status", "Days", "Failing since", "Last result"}
	if wide {
		header = []string{"Client", "Computer", "Status", "Days left", "Failing since", "Last contact", "Last result", "Last host"}
	}
	since := "01-02 15:04"
	if wide {
		since = dateTime
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	rows := make([][]cell, 0, len(d.Clients))
	for i, l := range d.Clients {
		var status, days, failing, contact, result cell
		if l.Error != nil {
			status, result = cell{"unreadable", s.bad}, cell{text: l.Error.Code}
		} else {
			state := kmshost.ClientState(*l.Status)
			status = cell{text: stateWords(state)}
			switch state {
			case kmshost.StateLicensed:
				status.paint = s.good
			case kmshost.StateRenewalFailing, kmshost.StateGrace, kmshost.StateNotification, kmshost.StateUnlicensed:
				status.paint = s.bad
			}
			if l.DaysLeft != nil {
				days.text = strconv.Itoa(int(*l.DaysLeft))
			}
			if l.FailingSince != nil {
				at, _ := time.Parse(rfc3339, *l.FailingSince)
				failing = cell{at.UTC().Format(since), s.bad}
			}
			if l.LastContact != nil {
				at, _ := time.Parse(rfc3339, *l.LastContact)
				contact.text = at.UTC().Format(dateTime)
			}
			if l.LastResult != nil {
				result.text = *l.LastResult
				switch {
				case l.LastCount != nil:
					result.text += " (" + strconv.FormatUint(uint64(*l.LastCount), 10) + ")"
				case wide && !results[i].Client.Standing().Contact.Answer:
					result.text += " (no answer)"
				}
			}
		}
		row := []cell{{text: l.Host}, status, days, failing, result}
		if wide {
			row = []cell{{text: l.Host}, {text: str(l.Computer)}, status, days, failing, contact, result, {text: str(l.LastHost)}}
		}
		rows = append(rows, row)
	}
	if wide {
		s.writeCells(header, rows)
	} else {
		s.writeCells(header, rows, 0)
	}
}

// clientFleetTSV prints one line per client: host, status (the JSON
// value, or unreadable), days left (one decimal), last result code (the
// error code for an unreadable client), the count the host reported, last
// host, last contact and failing since (RFC 3339). Missing values are
// empty fields.
func (s *Streams) clientFleetTSV(d ClientFleetJSON) {
	for _, l := range d.Clients {
		f := []string{l.Host, "unreadable", "", "", "", "", "", ""}
		if l.Error != nil {
			f[3] = l.Error.Code
		} else {
			f[1] = *l.Status
			if l.DaysLeft != nil {
				f[2] = strconv.FormatFloat(*l.DaysLeft, 'f', 1, 64)
			}
			for j, p := range []*string{l.LastResult, nil, l.LastHost, l.LastContact, l.FailingSince} {
				if p != nil {
					f[3+j] = *p
				}
			}
			if l.LastCount != nil {
				f[4] = strconv.FormatUint(uint64(*l.LastCount), 10)
			}
		}
		fmt.Fprintln(s.Out, strings.Join(f, "\t"))
	}
}
