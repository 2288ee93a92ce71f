package audit

import (
	"github.com/kmsctl/kmsctl/internal/nagios"
	"github.com/kmsctl/kmsctl/kmsclient"
)

// CheckLimits are `host audit --check`'s bounds, in days from the
// report's Now: a family whose count falls below its threshold within
// CritDays (or is already below) is CRITICAL, within WarnDays WARNING.
// WarnDays is not less than CritDays, and neither is negative (the
// command checks).
type CheckLimits struct {
	WarnDays, CritDays float64
}

// Horizon is how far --check looks ahead, in days: the count window, the
// farthest a forecast reaches (nothing counted now is still counted
// after it).
var Horizon = kmsclient.CountWindow.Hours() / 24

// Why is what a family's Verdict rests on.
type Why int

// The reasons.
const (
	Holds         Why = iota // OK: the count stays at or above the threshold over the Horizon
	FallsLater               // OK: it falls below, after WarnDays
	FallsSoon                // WARNING: it falls below within WarnDays
	FallsVerySoon            // CRITICAL: it falls below within CritDays
	Below                    // CRITICAL: already below
)

// Verdict is how --check grades one family.
type Verdict struct {
	Grade nagios.State
	Why   Why
	// Days until the count falls below the threshold: 0 when already
	// below, Horizon when not within it (at least that).
	Days float64
}

// Grade grades family f of r by lim.
func (r *Report) Grade(f *Family, lim CheckLimits) Verdict {
	days, ok := f.DaysLeft(r.Now)
	switch {
	case f.AlreadyBelow:
		return Verdict{nagios.Critical, Below, 0}
	case !ok:
		return Verdict{nagios.OK, Holds, Horizon}
	case days <= lim.CritDays:
		return Verdict{nagios.Critical, FallsVerySoon, days}
	case days <= lim.WarnDays:
		return Verdict{nagios.Warning, FallsSoon, days}
	}
	return Verdict{nagios.OK, FallsLater, days}
}

// Checkable reports whether --check can judge the log at all: a log with
// no requests (events 12290) counts nothing, which is UNKNOWN, not OK.
func (r *Report) Checkable() bool { return r.Requests > 0 }
