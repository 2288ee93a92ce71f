package output

import (
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/probe"
)

// statusRow is one row of status's table: a host's product group, or, in
// the table form, a host that failed before any group answered.
type statusRow struct {
	h     *probe.Host
	g     *probe.Group // nil: the host's one row in the table form, when it failed
	first bool         // the host's first row: its name is shown
	wmi   *WinRMResult // what --winrm read from the host; nil without it
}

// err is what failed the row: the host's failure, else the group's.
func (r statusRow) err() error {
	if r.h.Err != nil || r.g == nil {
		return r.h.Err
	}
	return r.g.Err
}

// result is the group's answer, nil when the row failed.
func (r statusRow) result() *kmsclient.Result {
	if r.err() != nil || r.g == nil {
		return nil
	}
	return r.g.Result
}

// statusRows are the rows of hosts: one per product group; with
// hostRow, a host that failed is one row instead (the table form's).
func statusRows(hosts []probe.Host, wmi []WinRMResult, hostRow bool) []statusRow {
	var rows []statusRow
	for i := range hosts {
		h := &hosts[i]
		var w *WinRMResult
		if wmi != nil {
			w = &wmi[i]
		}
		if h.Err != nil && hostRow {
			rows = append(rows, statusRow{h: h, first: true, wmi: w})
			continue
		}
		for j := range h.Groups {
			rows = append(rows, statusRow{h, &h.Groups[j], j == 0, w})
		}
	}
	return rows
}

// statusColumns are status's table. The table form, every host in one
// table of at most compactWidth columns: host (on its first row only),
// product group, count, state, latency, and with --winrm (withWMI) the
// WMI count; long host and group names are cut to fit with "…". The wide
// form, a table per host: protocol, count, host OS build, language, key
// activation date, HWID, intervals and latency (and the WMI count). A TSV
// line, one per group: host, product, protocol, count, threshold, state
// (ok|below|failed; not_probed for a host never asked, interrupted for one
// Ctrl-C stopped), ePID, OS build, LCID, key activation date, HWID,
// activation and renewal interval in minutes, latency in ms, error code,
// the clients other than kmsctl, whether the count includes kmsctl's own
// client (yes|no), and with --winrm the WMI count and whether it agrees
// (yes|no). Empty fields stay empty.
func (s *Streams) statusColumns(withWMI bool) table[statusRow] {
	type r = statusRow
	count := func(r r) cell {
		res := r.result()
		if res == nil {
			return cell{}
		}
		c := cell{CountFigure(r.g) + " / " + strconv.Itoa(r.g.Product.Threshold), s.good}
		if r.g.BelowThreshold() {
			c.paint = s.bad
		}
		return c
	}
	// epid is a text of the host's ePID, "?" when it could not be decoded.
	epid := func(f func(*kmsclient.EPIDInfo) string) func(r) cell {
		return text(func(r r) string {
			switch res := r.result(); {
			case res == nil:
				return ""
			case res.EPIDInfo == nil:
				return "?"
			default:
				return f(res.EPIDInfo)
			}
		})
	}
	epidField := func(f func(*kmsclient.EPIDInfo) string) func(r) string {
		return func(r r) string {
			if res := r.result(); res != nil && res.EPIDInfo != nil {
				return f(res.EPIDInfo)
			}
			return ""
		}
	}
	hwid := func(r r) string {
		if res := r.result(); res != nil && res.HWID != nil {
			return strings.ToUpper(hex.EncodeToString(res.HWID[:]))
		}
		return ""
	}
	answered := func(f func(*kmsclient.Result, *probe.Group) string) func(r) string {
		return func(r r) string {
			if res := r.result(); res != nil {
				return f(res, r.g)
			}
			return ""
		}
	}
	activated := func(e *kmsclient.EPIDInfo) string { return e.ActivationDate.Format(time.DateOnly) }
	t := table[r]{
		{head: "Host", in: inTable, fit: true, tsv: 1, text: text(func(r r) string {
			if r.first {
				return r.h.Host
			}
			return ""
		}), field: func(r r) string { return r.h.Host }},
		{head: "Product group", in: people, fit: true, tsv: 2, text: text(func(r r) string {
			if r.g == nil {
				return "-"
			}
			return r.g.Product.Name
		})},
		{head: "Protocol", in: inWide, tsv: 3, text: text(func(r r) string {
			if res := r.result(); res != nil {
				return "V" + strconv.Itoa(res.Version)
			}
			return "V" + strconv.Itoa(r.g.Protocol)
		}), field: func(r r) string { return strconv.Itoa(r.g.Protocol) }},
		{head: "Count", in: inTable, tsv: 4, text: count,
			field: answered(func(res *kmsclient.Result, _ *probe.Group) string { return strconv.Itoa(int(res.Count)) })},
		{head: "Count", in: inWide, text: func(r r) cell {
			if err := r.err(); err != nil {
				return s.failedState(err)
			}
			return count(r)
		}},
		{tsv: 5, text: text(func(r r) string { return strconv.Itoa(r.g.Product.Threshold) })},
	}
	if withWMI {
		t = append(t,
			column[r]{head: "WMI count", in: people, tsv: 18, text: func(r r) cell {
				if r.result() == nil {
					return cell{}
				}
				return s.wmiCell(r.wmi, r.g)
			}, field: func(r r) string { return wmiFields(r.wmi, r.g)[0] }},
			column[r]{tsv: 19, text: text(func(r r) string { return wmiFields(r.wmi, r.g)[1] })})
	}
	return append(t, table[r]{
		{head: "State", in: inTable, tsv: 6, text: func(r r) cell {
			err := r.err()
			switch {
			case err != nil:
				return s.failedState(err)
			case r.result() == nil:
				return cell{"failed", s.bad}
			case r.g.BelowThreshold():
				return cell{"below", s.bad}
			}
			return cell{"ok", s.good}
		}, field: func(r r) string {
			switch err := r.err(); {
			case unfinished(err) != "":
				return unfinished(err)
			case probe.NotProbed(err):
				return notProbed // the run's time limit: 0x800705B4 in the code field
			case err != nil:
				return "failed"
			case r.result() == nil:
				return ""
			case r.g.BelowThreshold():
				return "below"
			}
			return "ok"
		}},
		{tsv: 7, text: text(answered(func(res *kmsclient.Result, _ *probe.Group) string { return res.EPID }))},
		{head: "Host OS build", in: inWide, tsv: 8, text: epid(func(e *kmsclient.EPIDInfo) string {
			if e.OS != "" {
				return strconv.Itoa(e.Build) + " (" + e.OS + ")"
			}
			return strconv.Itoa(e.Build)
		}), field: epidField(func(e *kmsclient.EPIDInfo) string { return strconv.Itoa(e.Build) })},
		{head: "Language", in: inWide, tsv: 9, text: epid(func(e *kmsclient.EPIDInfo) string {
			if e.Language != "" {
				return e.Language
			}
			return strconv.Itoa(e.LCID)
		}), field: epidField(func(e *kmsclient.EPIDInfo) string { return strconv.Itoa(e.LCID) })},
		{head: "Key activated", in: inWide, tsv: 10, text: epid(activated), field: epidField(activated)},
		{head: "HWID", in: inWide, tsv: 11, text: text(func(r r) string {
			if h := hwid(r); h != "" || r.result() == nil {
				return h
			}
			return "-"
		}), field: hwid},
		{head: "Retry/renew", in: inWide, text: text(answered(func(res *kmsclient.Result, _ *probe.Group) string {
			return Minutes(res.ActivationInterval) + " / " + Minutes(res.RenewalInterval)
		}))},
		{tsv: 12, text: text(answered(func(res *kmsclient.Result, _ *probe.Group) string { return strconv.Itoa(int(res.ActivationInterval)) }))},
		{tsv: 13, text: text(answered(func(res *kmsclient.Result, _ *probe.Group) string { return strconv.Itoa(int(res.RenewalInterval)) }))},
		{head: "Latency", in: people, tsv: 14, text: text(answered(func(res *kmsclient.Result, _ *probe.Group) string { return Latency(res.Latency) })),
			field: answered(func(res *kmsclient.Result, _ *probe.Group) string {
				return strconv.FormatFloat(float64(res.Latency.Microseconds())/1000, 'f', 3, 64)
			})},
		{tsv: 15, text: text(func(r r) string {
			if err := r.err(); err != nil {
				return s.describe(err).Code
			}
			return ""
		})},
		{tsv: 16, text: text(answered(func(_ *kmsclient.Result, g *probe.Group) string { return strconv.FormatUint(uint64(g.Others()), 10) }))},
		{tsv: 17, text: text(answered(func(_ *kmsclient.Result, g *probe.Group) string {
			return map[bool]string{true: "yes", false: "no"}[g.Self > 0]
		}))},
	}...)
}

// failedState is how the views name what happened to a row (or host)
// that failed with err: "not probed" or "interrupted" for Ctrl-C's, "not
// probed (deadline)" for a host the run's time limit left unasked, else
// the failure's code (the cause is on stderr, or beside it in the wide
// form).
func (s *Streams) failedState(err error) cell {
	switch {
	case errors.Is(err, probe.ErrNotProbed):
		return cell{"not probed", s.warn}
	case errors.Is(err, probe.ErrCutShort):
		return cell{"interrupted", s.warn}
	case probe.NotProbed(err):
		return cell{"not probed (deadline)", s.warn}
	}
	return cell{s.describe(err).Code, s.bad}
}

// statusWide writes the wide form: per host a heading, its table (or why
// it failed) and its ePIDs.
func (s *Streams) statusWide(cols table[statusRow], hosts []probe.Host, wmi []WinRMResult) {
	for i := range hosts {
		h := &hosts[i]
		if i > 0 {
			fmt.Fprintln(s.Out)
		}
		addr := h.Address
		if h.Remote != "" && h.Remote != h.Address {
			addr += " (" + h.Remote + ")"
		}
		if addr == "" {
			addr = h.Host
		}
		fmt.Fprintf(s.Out, "KMS host %s\n", addr)
		if h.Err != nil {
			// What happened, as the table's state column says it, and
			// why: a host that answered something is not "unreachable".
			st := s.failedState(h.Err)
			if unfinished(h.Err) != "" {
				fmt.Fprintf(s.Out, "  %s\n", st.paint(st.text))
			} else {
				s.textLine(s.Out, "  ", "", st.paint(s.describe(h.Err).Code)+" "+h.Err.Error())
			}
			continue
		}
		cols.write(s, ViewWide, statusRows(hosts[i:i+1], wmiOf(wmi, i), false))
		var epids []string
		for j := range h.Groups {
			if r := h.Groups[j].Result; h.Groups[j].Err == nil && r != nil && !slices.Contains(epids, r.EPID) {
				epids = append(epids, r.EPID)
			}
		}
		for _, e := range epids {
			fmt.Fprintf(s.Out, "%s %s\n", s.dim("host ePID"), e)
		}
	}
}

// wmiOf is wmi's entry i as a slice of one, nil without --winrm.
func wmiOf(wmi []WinRMResult, i int) []WinRMResult {
	if wmi == nil {
		return nil
	}
	return wmi[i : i+1]
}
