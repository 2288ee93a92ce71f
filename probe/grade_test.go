package probe

import (
	"errors"
	"testing"
	"time"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/kmsclient"
)

func TestLimitsBounds(t *testing.T) {
	tests := []struct {
		lim              Limits
		threshold        int
		wantWarn, wantCr int
	}{
		{Limits{}, 25, 30, 25},
		{Limits{}, 5, 6, 5},
		{Limits{WarnBelow: 40}, 25, 40, 25},
		{Limits{CritBelow: 35}, 25, 35, 35}, // warn never below crit
		{Limits{WarnBelow: 10, CritBelow: 20}, 25, 20, 20},
	}
	for _, tt := range tests {
		w, c := tt.lim.Bounds(tt.threshold)
		if w != tt.wantWarn || c != tt.wantCr {
			t.Errorf("%+v threshold %d: warn %d crit %d, want %d %d", tt.lim, tt.threshold, w, c, tt.wantWarn, tt.wantCr)
		}
	}
	if (Limits{}).TooSlow(time.Hour) || !(Limits{MaxLatency: time.Second}).TooSlow(2*time.Second) || (Limits{MaxLatency: time.Second}).TooSlow(time.Second) {
		t.Error("TooSlow: no limit never, over the limit only")
	}
}

func TestGroupGrade(t *testing.T) {
	group := func(count uint32, self int, countSelf bool) *Group {
		return &Group{Product: catalogue.Product{Threshold: 25}, Result: &kmsclient.Result{Count: count}, Self: self, CountSelf: countSelf}
	}
	for _, tt := range []struct {
		name string
		g    *Group
		want Verdict
	}{
		{"well above", group(40, 1, false), Verdict{GradeOK, AtOrAbove, 0}},
		{"under the warning bound", group(28, 1, false), Verdict{GradeWarning, BelowWarning, 30}},
		{"below the threshold", group(20, 1, false), Verdict{GradeCritical, BelowCritical, 25}},
		{"met only by kmsctl", group(25, 1, false), Verdict{GradeWarning, SelfDependent, 0}},
		{"met only by kmsctl, raw count graded", group(25, 1, true), Verdict{GradeWarning, BelowWarning, 30}},
		{"kmsctl's two CMIDs, below even with them", group(24, 2, false), Verdict{GradeCritical, BelowCritical, 25}},
	} {
		if got := tt.g.Grade(Limits{}); got != tt.want {
			t.Errorf("%s: Grade = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

// TestReadGrade: not reading WMI from a host whose KMS probe answered is a
// WARNING; from one that did not answer either, CRITICAL.
func TestReadGrade(t *testing.T) {
	answered := &Host{Groups: []Group{{Product: catalogue.Product{Threshold: 5}, Result: &kmsclient.Result{Count: 5}}}}
	failed := &Host{Err: errors.New("refused")}
	if answered.ReadGrade() != GradeWarning || failed.ReadGrade() != GradeCritical {
		t.Errorf("ReadGrade: answered %v, failed %v", answered.ReadGrade(), failed.ReadGrade())
	}
}
