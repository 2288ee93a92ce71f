package output

import (
	"fmt"
	"strings"
	"time"

	"github.com/kmsctl/kmsctl/audit"
	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/internal/prose"
	"github.com/kmsctl/kmsctl/kmsclient"
)

// familyName is a family as people say it.
func familyName(f catalogue.Family) string {
	switch f {
	case catalogue.WindowsClient:
		return "Windows clients"
	case catalogue.WindowsServer:
		return "Windows servers"
	case catalogue.Office:
		return "Office"
	}
	return string(f)
}

// names lists the clients' names, or their CMIDs when nameless.
func names(cs []*audit.Client) string {
	var out []string
	for _, c := range cs {
		n := c.Name
		if n == "" {
			n = c.CMID.String()
		}
		out = append(out, n)
	}
	return prose.List(out, "and")
}

// familyNotes say in words what the family's figures mean.
func familyNotes(r *audit.Report, f *audit.Family) []string {
	name := familyName(f.Family)
	who := name
	if f.Family == catalogue.Office {
		who = "Office clients"
	}
	refused := fmt.Sprintf("%s are refused (%s, count below threshold) and those activated already fail every renewal, retrying every %d minutes until their %d days run out",
		who, hresult.NotEnoughCount, kmsclient.DefaultActivationIntervalMinutes, int(kmsclient.Validity/(24*time.Hour)))
	var notes []string
	switch {
	case f.AlreadyBelow && kmsclient.ThresholdReached(int64(f.Count), int64(f.Threshold)):
		notes = append(notes, fmt.Sprintf("activation depends on kmsctl: the host counts %d, but only %d clients other than kmsctl's own CMID, below the %d %s need; without kmsctl's requests %s",
			f.Count, f.Others, f.Threshold, name, refused))
	case f.AlreadyBelow:
		notes = append(notes, fmt.Sprintf("already below: the host counts %d other clients, fewer than the %d %s need: %s", f.Others, f.Threshold, name, refused))
	case !f.BelowAt.IsZero():
		notes = append(notes, fmt.Sprintf("the count drops below %d on %s (%s), when %s leave%s it, to %d by the end of that day; from then on %s",
			f.Threshold, f.BelowAt.UTC().Format(dateTime), inDays(f.BelowAt.Sub(r.Now)), names(f.Leaving),
			map[bool]string{true: "s", false: ""}[len(f.Leaving) == 1], f.CountOn(f.BelowAt), refused))
	default:
		notes = append(notes, fmt.Sprintf("the count stays at or above %d for the next %d days even if the fallen-off clients never return",
			f.Threshold, kmsclient.CountWindowDays))
	}
	if f.Self > 0 {
		n := fmt.Sprintf("the host's count of %d includes kmsctl's own CMID (it counts the client asking, kmsctl's probes included); it is left out of the count and the forecast above", f.Count)
		if w := f.BelowAtWithSelf; !w.Equal(f.BelowAt) && !f.AlreadyBelow {
			if w.IsZero() {
				n += fmt.Sprintf("; counted, it would keep the host at %d or more for the next %d days", f.Threshold, kmsclient.CountWindowDays)
			} else {
				n += "; counted, it would hold the count until " + w.UTC().Format(dateTime)
			}
		}
		notes = append(notes, n)
	}
	if r.LowerBound {
		notes = append(notes, "the count is a lower bound: "+lowerBoundWhy(r, f.AlreadyBelow))
	}
	if f.HostCount != nil && *f.HostCount != int64(f.Count) {
		notes = append(notes, fmt.Sprintf("the host itself (WMI) counts %d for the %s pool, the log %d: a client counted between the two reads, a log that does not reach back %d days or was cleared, or a host that caps its count (at twice the largest threshold it has seen) can each explain it",
			*f.HostCount, f.Pool, f.Count, kmsclient.CountWindowDays))
	}
	return notes
}

// lowerBoundWhy says why the count is a lower bound; for a family already
// below its threshold it does not speak of a date the count falls.
func lowerBoundWhy(r *audit.Report, alreadyBelow bool) string {
	switch {
	case r.Truncated:
		return "the log was cut to its newest events, so clients that last asked before them are not seen (raise --max)"
	case r.Oldest.IsZero():
		return "the log holds no requests"
	}
	why := fmt.Sprintf("the log starts %s, less than %d days before %s, so clients that last asked before it are not seen",
		r.Oldest.UTC().Format(dateTime), kmsclient.CountWindowDays, r.Now.UTC().Format(dateTime))
	if alreadyBelow {
		return why
	}
	return why + "; the date the count falls may come later than forecast"
}

// unreadableNote says how many 12290 events were left out, and where and
// why for the first few: the record of the file, or the time logged for
// events read over WinRM (host log shows those too).
func unreadableNote(r *audit.Report) string {
	n := r.Unreadable
	var b strings.Builder
	if n == 1 {
		b.WriteString("1 event 12290 could not be read and is left out: ")
	} else {
		fmt.Fprintf(&b, "%d events 12290 could not be read and are left out", n)
		if len(r.UnreadableShown) < n {
			fmt.Fprintf(&b, "; the first %d: ", len(r.UnreadableShown))
		} else {
			b.WriteString(": ")
		}
	}
	fromHost := false
	for i, u := range r.UnreadableShown {
		if i > 0 {
			b.WriteString("; ")
		}
		if u.Record > 0 {
			fmt.Fprintf(&b, "event %d of the file (logged %s): %s", u.Record, u.Time.UTC().Format(dateTime), u.Problem)
		} else {
			fromHost = true
			fmt.Fprintf(&b, "the one logged %s: %s", u.Time.UTC().Format(dateTime), u.Problem)
		}
	}
	if fromHost {
		b.WriteString(" (kmsctl host log shows the events as logged)")
	}
	return b.String()
}

// auditNotes are about the log as a whole.
func auditNotes(r *audit.Report) []string {
	notes := []string{}
	if r.Unreadable > 0 {
		notes = append(notes, unreadableNote(r))
	}
	if r.Unknown > 0 {
		notes = append(notes, fmt.Sprintf("%d CMIDs asked only for products kmsctl's catalogue does not know: they are in no family's count", r.Unknown))
	}
	if r.Requests == 0 {
		notes = append(notes, "the log holds no requests (events 12290): nothing to count")
	} else if old := r.Now.Sub(r.Newest); old > 24*time.Hour {
		notes = append(notes, fmt.Sprintf("the newest request in the log is from %s, %s before %s: if the log was exported then, clients that asked since are missing from it and more look fallen off than are",
			r.Newest.UTC().Format(dateTime), spanWords(old), r.Now.UTC().Format(dateTime)))
	}
	return notes
}

// auditNotes writes every note, on stderr when to is not nil.
func (s *Streams) auditNotes(to *Streams, d AuditJSON) {
	w := s.Out
	if to != nil {
		w = s.Err
	}
	for _, f := range d.Families {
		for _, n := range f.Notes {
			fmt.Fprintln(w, s.wrapText(familyName(catalogue.Family(f.Family))+": "+n))
		}
	}
	for _, n := range d.Notes {
		fmt.Fprintln(w, s.wrapText(s.warn("note:")+" "+n))
	}
}
