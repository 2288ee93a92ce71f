package output

import (
	"strconv"
	"time"

	"github.com/kmsctl/kmsctl/license"
)

// JournalJSON is the document of `kmsctl log --json`; each entry is a
// journal line as stored.
type JournalJSON struct {
	Entries []license.Attempt `json:"entries"`
	now     time.Time
}

// Journal renders the activation journal in view (the views status has):
// on a terminal by default a table of at most 80 columns (time to the
// minute, host, product, result, count; long host and product names cut
// with "…"; a host found through DNS SRV is named by its SRV target, as
// dli names it); wide, the table with seconds, zone, command, protocol and
// CMID, a discovered host as "NAME:PORT (ADDRESS)" (as dlv shows it); tsv,
// the default when piped, one tab-separated line per contact (time RFC
// 3339, command, host:port dialled, product, protocol, CMID, result code,
// count, threshold, SRV target name:port or ""); or JSON.
func (s *Streams) Journal(entries []license.Attempt, now time.Time, view View) error {
	return s.Show(JournalJSON{Entries: append([]license.Attempt{}, entries...), now: now}, view)
}

func (d JournalJSON) layout(s *Streams, view View) error {
	if view != ViewTSV && len(d.Entries) == 0 {
		return nil // no table without rows; log's note says why it is empty
	}
	return s.journalColumns(d.now).write(s, view, d.Entries)
}

// journalColumns are log's table, one row per contact (times in now's
// zone); Journal says what each form holds.
func (s *Streams) journalColumns(now time.Time) table[license.Attempt] {
	type a = license.Attempt
	count := func(a a) string {
		if a.Count == nil {
			return ""
		}
		return strconv.Itoa(int(*a.Count))
	}
	host := func(h string, a a) string {
		switch {
		case h != "":
			return h
		case a.Host != "":
			return a.Host
		}
		return "-"
	}
	return table[a]{
		{head: "Time", in: inTable, tsv: 1, text: text(func(a a) string { return a.At.In(now.Location()).Format("2006-01-02 15:04") }),
			field: func(a a) string { return a.At.UTC().Format(time.RFC3339) }},
		{head: "Time", in: inWide, text: text(func(a a) string { return When(a.At, now) })},
		{head: "Command", in: inWide, tsv: 2, text: text(func(a a) string { return a.Op })},
		{head: "Host", in: inTable, fit: true, tsv: 3, text: text(func(a a) string { return host(a.SRVTarget, a) }),
			field: func(a a) string { return a.Host }},
		{head: "Host", in: inWide, text: text(func(a a) string { return host(a.HostLabel(), a) })},
		{head: "Product", in: people, fit: true, tsv: 4, text: text(func(a a) string { return a.Product })},
		{head: "Protocol", in: inWide, tsv: 5, text: text(func(a a) string { return "V" + strconv.Itoa(a.Protocol) }),
			field: func(a a) string { return strconv.Itoa(a.Protocol) }},
		{head: "CMID", in: inWide, tsv: 6, text: text(func(a a) string { return a.CMID.String() })},
		{head: "Result", in: people, tsv: 7, text: func(a a) cell {
			if !a.Succeeded() {
				return cell{a.Result.String(), s.bad}
			}
			return cell{"activated", s.good}
		}, field: func(a a) string { return a.Result.String() }},
		{head: "Count", in: people, tsv: 8, text: text(func(a a) string {
			if c := count(a); c != "" {
				return c + " / " + strconv.Itoa(a.Threshold)
			}
			return ""
		}), field: count},
		{tsv: 9, text: text(func(a a) string { return strconv.Itoa(a.Threshold) })},
		{tsv: 10, text: text(func(a a) string { return a.SRVTarget })},
	}
}
