package probe

import (
	"time"

	"github.com/kmsctl/kmsctl/internal/nagios"
	"github.com/kmsctl/kmsctl/kmsclient"
)

// Limits are the thresholds status --check grades by (monitoring-plugin
// conventions: Nagios, Icinga), applied to Graded: the clients other than
// kmsctl, or the raw count with CountSelf. Zero values mean the defaults:
// CRITICAL below the group's activation threshold, WARNING below
// threshold + ceil(threshold/5) (30 for 25, 6 for 5), no latency limit.
type Limits struct {
	WarnBelow  int
	CritBelow  int
	MaxLatency time.Duration
}

// Bounds are the WARNING and CRITICAL bounds for a group whose activation
// threshold is threshold: a graded figure below crit is CRITICAL, below
// warn WARNING. warn is never below crit.
func (l Limits) Bounds(threshold int) (warn, crit int) {
	crit, warn = threshold, threshold+(threshold+4)/5
	if l.CritBelow > 0 {
		crit = l.CritBelow
	}
	if l.WarnBelow > 0 {
		warn = l.WarnBelow
	}
	return max(warn, crit), crit
}

// TooSlow reports whether a host that answered in latency is over
// MaxLatency (never, without one): a WARNING.
func (l Limits) TooSlow(latency time.Duration) bool {
	return l.MaxLatency > 0 && latency > l.MaxLatency
}

// Grade is a monitoring-plugin state, numbered as the plugin's exit
// status.
type Grade = nagios.State

// The grades.
const (
	GradeOK       = nagios.OK
	GradeWarning  = nagios.Warning
	GradeCritical = nagios.Critical
	GradeUnknown  = nagios.Unknown
)

// Verdict is how --check grades one group that answered.
type Verdict struct {
	Grade Grade
	Why   Why
	Bound int // the bound the graded figure is below (BelowCritical, BelowWarning)
}

// Why is what a Verdict rests on.
type Why int

// The reasons.
const (
	AtOrAbove     Why = iota // OK: the graded figure is at or above the warning bound
	BelowCritical            // CRITICAL: below the critical bound
	SelfDependent            // WARNING: the threshold is met only by kmsctl's own clients (DependsOnSelf)
	BelowWarning             // WARNING: below the warning bound
)

// Grade grades a group that answered by l. A group whose threshold is met
// only by kmsctl's own clients is a WARNING rather than CRITICAL, as long
// as the raw count is at or above the critical bound: the host does
// activate clients while kmsctl keeps asking (unless CountSelf, which
// grades the raw count).
func (g *Group) Grade(l Limits) Verdict {
	warn, crit := l.Bounds(g.Product.Threshold)
	graded := int64(g.Graded())
	dependent := !g.CountSelf && g.DependsOnSelf()
	switch {
	case !kmsclient.ThresholdReached(graded, int64(crit)) && !(dependent && kmsclient.ThresholdReached(int64(g.Result.Count), int64(crit))):
		return Verdict{GradeCritical, BelowCritical, crit}
	case dependent:
		return Verdict{GradeWarning, SelfDependent, 0}
	case !kmsclient.ThresholdReached(graded, int64(warn)):
		return Verdict{GradeWarning, BelowWarning, warn}
	}
	return Verdict{GradeOK, AtOrAbove, 0}
}

// The grades of what --check meets besides a group's count.
const (
	// GradeFailed is a host or group that gave no answer: CRITICAL, its
	// clients cannot activate against it either.
	GradeFailed = GradeCritical
	// GradeSlow is a host that answered in more than MaxLatency.
	GradeSlow = GradeWarning
	// GradeOwnTrouble is a trouble of kmsctl's own that leaves the probes
	// standing (a damaged selfcount.json).
	GradeOwnTrouble = GradeWarning
	// GradeNoHost is a DNS discovery that found no KMS host: CRITICAL,
	// clients that find their host in DNS cannot activate either.
	GradeNoHost = GradeCritical
)

// ReadGrade is the grade of a failure to read more about host h than its
// KMS answer (its WMI counters over WinRM): WARNING, or CRITICAL when
// the probe failed too and nothing at all could be read from h.
func (h *Host) ReadGrade() Grade {
	if h.Outcome() == Failed {
		return GradeCritical
	}
	return GradeWarning
}
