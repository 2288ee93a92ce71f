package output

import (
	"fmt"
	"strconv"
	"strings"
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
	entries, now := d.Entries, d.now
	countText := func(a *license.Attempt) string {
		if a.Count == nil {
			return ""
		}
		return strconv.Itoa(int(*a.Count))
	}
	if view == ViewTSV {
		for i := range entries {
			a := &entries[i]
			fmt.Fprintln(s.Out, strings.Join([]string{a.At.UTC().Format(time.RFC3339), a.Op, a.Host, a.Product,
				strconv.Itoa(a.Protocol), a.CMID.String(), a.Result.String(), countText(a), strconv.Itoa(a.Threshold), a.SRVTarget}, "\t"))
		}
		return nil
	}
	if len(entries) == 0 {
		fmt.Fprintln(s.Err, "no contacts with a KMS host yet")
		return nil
	}
	wide := view == ViewWide
	header := []string{"Time", "Host", "Product", "Result", "Count"}
	if wide {
		header = []string{"Time", "Command", "Host", "Product", "Protocol", "CMID", "Result", "Count"}
	}
	rows := make([][]string, 0, len(entries))
	for i := range entries {
		a := &entries[i]
		res := s.good("activated")
		if !a.Succeeded() {
			res = s.bad(a.Result.String())
		}
		c := countText(a)
		if c != "" {
			c += " / " + strconv.Itoa(a.Threshold)
		}
		host := a.SRVTarget
		if wide {
			host = a.HostLabel()
		}
		if host == "" {
			host = a.Host
		}
		if host == "" {
			host = "-"
		}
		if wide {
			rows = append(rows, []string{When(a.At, now), a.Op, host, a.Product, "V" + strconv.Itoa(a.Protocol), a.CMID.String(), res, c})
		} else {
			rows = append(rows, []string{a.At.In(now.Location()).Format("2006-01-02 15:04"), host, a.Product, res, c})
		}
	}
	if wide {
		return s.writeTable(header, rows)
	}
	return s.writeTable(header, rows, 1, 2)
}
