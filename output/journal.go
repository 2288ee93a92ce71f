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
}

// Journal renders the activation journal: a table on a terminal, one
// tab-separated line per contact when piped (time RFC 3339, command, host,
// product, protocol, CMID, result code, count, threshold), or JSON.
func (s *Streams) Journal(entries []license.Attempt, now time.Time, asJSON bool) error {
	if asJSON {
		return writeJSON(s.Out, JournalJSON{Entries: append([]license.Attempt{}, entries...)})
	}
	countText := func(a *license.Attempt) string {
		if a.Count == nil {
			return ""
		}
		return strconv.Itoa(int(*a.Count))
	}
	if !s.TTY {
		for i := range entries {
			a := &entries[i]
			fmt.Fprintln(s.Out, strings.Join([]string{a.At.UTC().Format(time.RFC3339), a.Op, a.Host, a.Product,
				strconv.Itoa(a.Protocol), a.CMID.String(), a.Result.String(), countText(a), strconv.Itoa(a.Threshold)}, "\t"))
		}
		return nil
	}
	t := s.newTable()
	t.Header("Time", "Command", "Host", "Product", "Protocol", "CMID", "Result", "Count")
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
		host := a.Host
		if host == "" {
			host = "-"
		}
		t.Append([]string{When(a.At, now), a.Op, host, a.Product, "V" + strconv.Itoa(a.Protocol), a.CMID.String(), res, c})
	}
	if len(entries) == 0 {
		fmt.Fprintln(s.Err, "no contacts with a KMS host yet")
		return nil
	}
	return t.Render()
}
