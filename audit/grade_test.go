package audit

import (
	"testing"
	"time"

	"github.com/kmsctl/kmsctl/internal/nagios"
)

// TestGrade: --check's bounds are inclusive days from Now; a family
// already below is CRITICAL whatever the bounds; one that holds over the
// horizon is OK with Horizon days.
func TestGrade(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	r := &Report{Now: now, Requests: 1}
	lim := CheckLimits{WarnDays: 14, CritDays: 3}
	day := 24 * time.Hour
	for _, c := range []struct {
		name string
		f    Family
		want Verdict
	}{
		{"already below", Family{AlreadyBelow: true, BelowAt: now}, Verdict{nagios.Critical, Below, 0}},
		{"holds", Family{}, Verdict{nagios.OK, Holds, 30}},
		{"falls in 3 days: critical bound included", Family{BelowAt: now.Add(3 * day)}, Verdict{nagios.Critical, FallsVerySoon, 3}},
		{"falls in 3.5 days", Family{BelowAt: now.Add(3*day + 12*time.Hour)}, Verdict{nagios.Warning, FallsSoon, 3.5}},
		{"falls in 14 days: warning bound included", Family{BelowAt: now.Add(14 * day)}, Verdict{nagios.Warning, FallsSoon, 14}},
		{"falls in 20 days", Family{BelowAt: now.Add(20 * day)}, Verdict{nagios.OK, FallsLater, 20}},
		// 9.9999 days is 9.99 (cut, not rounded up to 10): the figure every
		// form shows agrees with the grade within 10 days.
		{"falls in 9.9999 days", Family{BelowAt: now.Add(10*day - 9*time.Second)}, Verdict{nagios.Warning, FallsSoon, 9.99}},
	} {
		if got := r.Grade(&c.f, lim); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
	if !r.Checkable() || (&Report{}).Checkable() {
		t.Error("Checkable: a log with requests is checkable, an empty one is not")
	}
}
