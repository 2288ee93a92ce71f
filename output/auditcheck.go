package output

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/kmsctl/kmsctl/audit"
	"github.com/kmsctl/kmsctl/internal/nagios"
)

// AuditCheck prints one monitoring-plugin line for an audit, graded by
// audit's Report.Grade, the performance data after "|", then one line per
// problem. It returns the state it printed, for failure.Check to make the
// exit status, and the write error, if any.
func (s *Streams) AuditCheck(src AuditSource, r *audit.Report, lim audit.CheckLimits) (int, error) {
	state := nagios.OK
	var problems, parts, perf []string
	raise := func(st nagios.State, msg string) {
		state = max(state, st)
		problems = append(problems, st.String()+": "+msg)
	}
	for i := range r.Families {
		f := &r.Families[i]
		name := familyName(f.Family)
		desc := fmt.Sprintf("%s %d/%d", name, f.Others, f.Threshold)
		v := r.Grade(f, lim)
		switch v.Why {
		case audit.Below:
			raise(v.Grade, desc+" already below")
		case audit.FallsVerySoon, audit.FallsSoon:
			raise(v.Grade, fmt.Sprintf("%s falls below on %s (%s)", desc, f.BelowAt.UTC().Format(dateTime), inDays(f.BelowAt.Sub(r.Now))))
		case audit.FallsLater:
			parts = append(parts, fmt.Sprintf("%s, below on %s", desc, f.BelowAt.UTC().Format("2006-01-02")))
		default:
			parts = append(parts, desc+" for 30+ days")
		}
		if f.FallenOff > 0 {
			parts = append(parts, fmt.Sprintf("%d %s fallen off", f.FallenOff, name))
		}
		key := slug(string(f.Family))
		perf = append(perf, fmt.Sprintf("below_threshold_days_%s=%s;@0:%s;@0:%s;0;%s", key, strconv.FormatFloat(math.Round(v.Days*100)/100, 'f', -1, 64),
			strconv.FormatFloat(lim.WarnDays, 'f', -1, 64), strconv.FormatFloat(lim.CritDays, 'f', -1, 64), strconv.FormatFloat(audit.Horizon, 'f', -1, 64)),
			fmt.Sprintf("fallen_off_%s=%d;;;0", key, f.FallenOff))
	}
	if !r.Checkable() {
		raise(nagios.Unknown, "the log holds no requests (events 12290)")
	}
	text := src.label()
	switch {
	case state == nagios.OK:
		text += ", " + strings.Join(parts, ", ")
	default:
		first := problems[0][strings.Index(problems[0], ": ")+2:]
		text += ", " + first
		if len(problems) > 1 {
			text += fmt.Sprintf(" (and %d more)", len(problems)-1)
		}
	}
	if r.LowerBound {
		allBelow := len(r.Families) > 0
		for i := range r.Families {
			allBelow = allBelow && r.Families[i].AlreadyBelow
		}
		text += " (lower bound: " + lowerBoundWhy(r, allBelow) + ")"
	}
	_, err := fmt.Fprintf(s.Out, "%s %s - %s | %s\n", AuditCheckService, state, text, strings.Join(perf, " "))
	for _, p := range problems {
		fmt.Fprintln(s.Out, p)
	}
	return int(state), err
}
