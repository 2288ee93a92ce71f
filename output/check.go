package output

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kmsctl/kmsctl/internal/nagios"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/probe"
)

// Check prints one monitoring-plugin status line, with performance data
// after "|", then one line per problem. wmi, when not nil, is what
// --winrm read from each host: its counts and request counters join the
// performance data, and a host whose WMI could not be read is a WARNING
// (CRITICAL when its KMS probe failed too). It returns the state it
// printed (a probe.Grade as a number), for failure.Check to make the exit
// status, and the write error, if any.
//
// The problems are listed worst first (CRITICAL, then WARNING), in the
// order they were found within one state, so that the status line, which
// shows only the first, names the worst. warnings are kmsctl's own
// troubles that leave the probes standing (a damaged selfcount.json): each
// is a WARNING.
func (s *Streams) Check(hosts []probe.Host, wmi []WinRMResult, lim probe.Limits, warnings ...string) (int, error) {
	state := nagios.OK
	var okParts, perf []string
	type problem struct {
		state nagios.State
		msg   string
	}
	var found []problem
	raise := func(st nagios.State, msg string) {
		state = max(state, st)
		found = append(found, problem{st, st.String() + ": " + msg})
	}
	many := len(hosts) > 1
	for i := range hosts {
		h := &hosts[i]
		hostLabel := ""
		if many {
			hostLabel = slug(h.Host) + "_"
		}
		if h.Err != nil {
			raise(probe.GradeFailed, fmt.Sprintf("%s %s: %s %s", h.Host, hostFailed(h.Err), s.describe(h.Err).Code, strings.TrimPrefix(h.Err.Error(), "not probed: ")))
			continue
		}
		var latency time.Duration
		answered := false
		for j := range h.Groups {
			g := &h.Groups[j]
			if g.Err != nil {
				raise(probe.GradeFailed, fmt.Sprintf("%s %s failed: %s %s", h.Host, g.Product.Name, s.describe(g.Err).Code, g.Err))
				continue
			}
			r := g.Result
			answered = true
			latency = max(latency, r.Latency)
			warn, crit := lim.Bounds(g.Product.Threshold)
			desc := fmt.Sprintf("%s %s/%d", g.Product.Name, CountFigure(g), g.Product.Threshold)
			if many {
				desc = h.Host + " " + desc
			}
			switch v := g.Grade(lim); v.Why {
			case probe.BelowCritical, probe.BelowWarning:
				raise(v.Grade, desc+" below "+strconv.Itoa(v.Bound))
			case probe.SelfDependent:
				raise(v.Grade, desc+": "+DependsOnSelfText(g))
			default:
				okParts = append(okParts, desc)
			}
			// Ranges "N:" alert when the value falls below N (plugin
			// guidelines); they go on the figure that is graded.
			name := hostLabel + slug(g.Product.Name)
			ranges := fmt.Sprintf(";%d:;%d:;0", warn, crit)
			countRanges, otherRanges := ";;;0", ranges
			if g.CountSelf {
				countRanges, otherRanges = ranges, ";;;0"
			}
			perf = append(perf, fmt.Sprintf("count_%s=%d%s", name, r.Count, countRanges),
				fmt.Sprintf("others_%s=%d%s", name, g.Others(), otherRanges))
		}
		if !answered {
			continue // no reply, no latency: 0 would read as a fast host
		}
		lat := strconv.FormatFloat(latency.Seconds(), 'f', 6, 64)
		maxLat := ""
		if lim.MaxLatency > 0 {
			maxLat = strconv.FormatFloat(lim.MaxLatency.Seconds(), 'f', 6, 64)
			if lim.TooSlow(latency) {
				raise(probe.GradeSlow, fmt.Sprintf("%s answered in %s, over %s", h.Host, Latency(latency), lim.MaxLatency))
			}
		}
		perf = append(perf, fmt.Sprintf("latency%s=%ss;%s;;0", strings.TrimSuffix("_"+hostLabel, "_"), lat, maxLat))
	}
	for i := range wmi {
		if i < len(hosts) {
			perf = s.checkWMI(&wmi[i], &hosts[i], many, raise, perf)
		}
	}
	for _, w := range warnings {
		raise(probe.GradeOwnTrouble, w)
	}
	slices.SortStableFunc(found, func(a, b problem) int { return int(b.state - a.state) })
	problems := make([]string, len(found))
	for i, p := range found {
		problems[i] = p.msg
	}
	noun := "hosts"
	if len(hosts) == 1 {
		noun = "host"
	}
	text := fmt.Sprintf("%d %s", len(hosts), noun)
	switch {
	case state == nagios.OK && !many:
		text += ", " + strings.Join(okParts, ", ")
	case state == nagios.OK:
		text += ", every group at or above its threshold"
	default:
		text += ", " + strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(problems[0], "CRITICAL: "), "WARNING: "), "UNKNOWN: ")
		if len(problems) > 1 {
			text += fmt.Sprintf(" (and %d more)", len(problems)-1)
		}
	}
	if len(perf) > 0 { // no performance data, no "|" (plugin guidelines)
		text += " | " + strings.Join(perf, " ")
	}
	_, err := fmt.Fprintf(s.Out, "%s %s - %s\n", CheckService, state, text)
	for _, p := range problems {
		fmt.Fprintln(s.Out, p)
	}
	return int(state), err
}

// checkWMI grades what --winrm read from host h and adds its performance
// data: the WMI count of each KMS host product (wmi_count_<product>) and
// the host's request counters (wmi_requests, wmi_failed_requests, as
// counters "c").
func (s *Streams) checkWMI(r *WinRMResult, h *probe.Host, many bool, raise func(nagios.State, string), perf []string) []string {
	label, suffix := "", ""
	if many {
		label, suffix = slug(h.Host)+"_", "_"+slug(h.Host)
	}
	if r.Err != nil {
		raise(h.ReadGrade(), fmt.Sprintf("%s WMI over WinRM failed: %s %s", h.Host, s.describe(r.Err).Code, r.Err))
		return perf
	}
	if r.Counters == nil {
		return perf
	}
	for _, p := range r.Counters.KMSProducts() {
		if n, ok := p.Counted(); ok {
			perf = append(perf, fmt.Sprintf("wmi_count_%s%s=%d;;;0", label, slug(p.Name), n))
		}
	}
	if q := r.Counters.Service.Requests; q != nil {
		perf = append(perf, fmt.Sprintf("wmi_requests%s=%dc;;;0", suffix, q.Total), fmt.Sprintf("wmi_failed_requests%s=%dc;;;0", suffix, q.Failed))
	}
	return perf
}

// CheckNoHost reports a discovery that found no KMS host, graded
// probe.GradeNoHost. It returns the state for failure.Check and the write
// error, if any.
func (s *Streams) CheckNoHost(err error) (int, error) {
	info := s.describe(err)
	_, werr := fmt.Fprintf(s.Out, "%s %s - no KMS host found in DNS: %s %s\n", CheckService, probe.GradeNoHost, info.Code, info.Cause)
	return int(probe.GradeNoHost), werr
}

// DependsOnSelfText says that a group meets its threshold only through
// kmsctl's own client: "activation depends on this monitor: 24 other
// clients, threshold 25".
func DependsOnSelfText(g *probe.Group) string {
	return fmt.Sprintf("activation depends on this monitor: %d other clients, threshold %d", g.Others(), g.Product.Threshold)
}

// CountFigure is a group's count as shown: "24+1" when the host counts
// kmsctl's own client (24 others plus kmsctl), else "24"; "" without a
// count.
func CountFigure(g *probe.Group) string {
	if g.Err != nil || g.Result == nil {
		return ""
	}
	if g.Self == 0 || g.Result.Count < uint32(g.Self) {
		return strconv.FormatUint(uint64(g.Result.Count), 10)
	}
	return fmt.Sprintf("%d+%d", g.Others(), g.Self)
}

// CheckInterrupted reports a check the user stopped with Ctrl-C before
// it had asked every host: UNKNOWN, since what was not asked is not
// known, with how many hosts were left. It returns the state for
// failure.CheckInterrupted and the write error, if any.
func (s *Streams) CheckInterrupted(hosts []probe.Host) (int, error) {
	_, err := fmt.Fprintf(s.Out, "%s UNKNOWN - %s\n", CheckService, interruptedText(hosts))
	return int(probe.GradeUnknown), err
}

// The service names that begin a check's one line (Nagios plugin
// guidelines: "SERVICE STATE - text"): status --check's, and host audit
// --check's, so that one monitor's lines, UNKNOWN included, all start
// alike.
const (
	CheckService      = "KMS"
	AuditCheckService = "KMS AUDIT"
)

// CheckUnknown reports a failure to run the check of service at all
// (UNKNOWN).
func (s *Streams) CheckUnknown(service string, err error) {
	info := s.describe(err)
	fmt.Fprintf(s.Out, "%s UNKNOWN - %s %s\n", service, info.Code, info.Cause)
}

// slug turns a name into a metric-label-safe word: lower case, runs of
// anything but letters and digits as one "_".
func slug(s string) string {
	var b strings.Builder
	under := false
	for _, c := range strings.ToLower(s) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
			under = false
		} else if !under && b.Len() > 0 {
			b.WriteByte('_')
			under = true
		}
	}
	return strings.TrimSuffix(b.String(), "_")
}

// hostFailed says what happened to a host that failed with err as a
// whole: "unreachable" only when nothing answered (no connection, no
// answer in time); "not probed" when the run never asked it; "failed"
// when something answered, but not as a KMS host.
func hostFailed(err error) string {
	var ke *kmsclient.Error
	var le *probe.LimitError
	switch {
	case probe.NotProbed(err):
		return "not probed"
	case errors.As(err, &le):
		return "failed" // stopped by the run's time limit, not its own
	case errors.As(err, &ke) && (ke.Kind == kmsclient.KindNetwork || ke.Kind == kmsclient.KindTimeout):
		return "unreachable"
	}
	return "failed"
}
