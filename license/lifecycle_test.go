package license

import (
	"testing"
	"time"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmsclient"
)

// t0 is when the key is installed in these tests.
var t0 = time.Date(2026, 11, 23, 17, 55, 4, 0, time.UTC)

const (
	day  = 24 * time.Hour
	hour = time.Hour
)

func win10(t testing.TB) catalogue.Product {
	t.Helper()
	p, err := catalogue.Lookup("Windows 10 Enterprise")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func count(n uint32) *uint32 { return &n }

// ok and fail are contacts at t.
func ok(t time.Time) *Attempt { return &Attempt{At: t, Count: count(25), Threshold: 25} }
func fail(t time.Time, c hresult.Code) *Attempt {
	return &Attempt{At: t, Result: c, Threshold: 25}
}

func installed(t testing.TB) State {
	return State{Product: &Product{SKU: win10(t), key: win10(t).GVLK, Partial: "2YT43", GVLK: true, InstalledAt: t0}, GraceStart: t0}
}

func TestEvaluate_Transitions(t *testing.T) {
	base := installed(t)
	with := func(f func(*State)) State {
		st := base.clone()
		f(&st)
		return st
	}
	activated := with(func(s *State) { s.LastAttempt, s.LastSuccess = ok(t0), ok(t0) })
	renewFailed := with(func(s *State) {
		s.LastSuccess = ok(t0)
		s.LastAttempt = fail(t0.Add(35*day), hresult.NotEnoughCount)
	})
	hostIntervals := with(func(s *State) {
		s.LastAttempt, s.LastSuccess = ok(t0), ok(t0)
		s.Intervals = Intervals{Activation: 60, Renewal: 1440}
	})
	tests := []struct {
		name    string
		st      State
		at      time.Time
		status  kmsclient.LicenseStatus
		reason  hresult.Code
		ends    time.Time // zero: none
		next    time.Time // zero: none
		action  Action
		failing bool
	}{
		{"no key: unlicensed, nothing scheduled", State{}, t0, kmsclient.StatusUnlicensed, 0, time.Time{}, time.Time{}, None, false},
		{"key installed: initial grace 30 days, first contact due at once", base, t0, kmsclient.StatusOOBGrace, 0, t0.Add(30 * day), t0, Retry, false},
		{"initial grace counts down", base, t0.Add(29 * day), kmsclient.StatusOOBGrace, 0, t0.Add(30 * day), t0, Retry, false},
		{"failed activation: retry after 2 hours", with(func(s *State) { s.LastAttempt = fail(t0, hresult.NotEnoughCount) }), t0.Add(hour),
			kmsclient.StatusOOBGrace, 0, t0.Add(30 * day), t0.Add(2 * hour), Retry, false},
		{"unreachable host: retry after 2 hours", with(func(s *State) { s.LastAttempt = fail(t0.Add(5*day), hresult.NoKMSHost) }), t0.Add(5 * day),
			kmsclient.StatusOOBGrace, 0, t0.Add(30 * day), t0.Add(5*day + 2*hour), Retry, false},
		{"grace ends: notification 0xC004F009", base, t0.Add(30 * day), kmsclient.StatusNotification, hresult.GraceTimeExpired, time.Time{}, t0, Retry, false},
		{"notification keeps retrying", with(func(s *State) { s.LastAttempt = fail(t0.Add(40*day), hresult.NoKMSHost) }), t0.Add(41 * day),
			kmsclient.StatusNotification, hresult.GraceTimeExpired, time.Time{}, t0.Add(40*day + 2*hour), Retry, false},
		{"activated: licensed 180 days, renewal after 7 days", activated, t0, kmsclient.StatusLicensed, 0, t0.Add(180 * day), t0.Add(7 * day), Renew, false},
		{"activated a day before expiry", activated, t0.Add(179 * day), kmsclient.StatusLicensed, 0, t0.Add(180 * day), t0.Add(7 * day), Renew, false},
		{"renewed on day 7: expiry moves to day 187", with(func(s *State) { s.LastAttempt, s.LastSuccess = ok(t0.Add(7*day)), ok(t0.Add(7*day)) }),
			t0.Add(8 * day), kmsclient.StatusLicensed, 0, t0.Add(187 * day), t0.Add(14 * day), Renew, false},
		{"renewal failed: still licensed, retry after 2 hours", renewFailed, t0.Add(35 * day), kmsclient.StatusLicensed, 0, t0.Add(180 * day), t0.Add(35*day + 2*hour), Retry, true},
		{"renewal failed in the same second as the last success", with(func(s *State) {
			s.LastSuccess, s.LastAttempt = ok(t0), fail(t0, hresult.NotEnoughCount)
		}), t0, kmsclient.StatusLicensed, 0, t0.Add(180 * day), t0.Add(2 * hour), Retry, true},
		{"renewal keeps failing until expiry", renewFailed, t0.Add(179 * day), kmsclient.StatusLicensed, 0, t0.Add(180 * day), t0.Add(35*day + 2*hour), Retry, true},
		{"activation expires: additional grace 30 days", renewFailed, t0.Add(180 * day), kmsclient.StatusOOTGrace, 0, t0.Add(210 * day), t0.Add(35*day + 2*hour), Retry, false},
		{"expired without any attempt: retry due at once", activated, t0.Add(200 * day), kmsclient.StatusOOTGrace, 0, t0.Add(210 * day), t0.Add(7 * day), Retry, false},
		{"additional grace ends: notification", renewFailed, t0.Add(210 * day), kmsclient.StatusNotification, hresult.GraceTimeExpired, time.Time{}, t0.Add(35*day + 2*hour), Retry, false},
		{"reactivated from notification", with(func(s *State) { s.LastAttempt, s.LastSuccess = ok(t0.Add(220*day)), ok(t0.Add(220*day)) }),
			t0.Add(220 * day), kmsclient.StatusLicensed, 0, t0.Add(400 * day), t0.Add(227 * day), Renew, false},
		{"host's intervals: renew daily", hostIntervals, t0, kmsclient.StatusLicensed, 0, t0.Add(180 * day), t0.Add(day), Renew, false},
		{"host's intervals: retry hourly", with(func(s *State) {
			s.LastSuccess, s.LastAttempt = ok(t0), fail(t0.Add(day), hresult.NoKMSHost)
			s.Intervals = Intervals{Activation: 60, Renewal: 1440}
		}), t0.Add(day), kmsclient.StatusLicensed, 0, t0.Add(180 * day), t0.Add(day + hour), Retry, true},
		{"rearmed on day 10: new grace, contact due at once", with(func(s *State) {
			s.GraceStart = t0.Add(10 * day)
		}), t0.Add(10 * day), kmsclient.StatusOOBGrace, 0, t0.Add(40 * day), t0.Add(10 * day), Retry, false},
		{"failure before a rearm does not delay the first contact", with(func(s *State) {
			s.LastAttempt, s.GraceStart = fail(t0.Add(9*day), hresult.NoKMSHost), t0.Add(10*day)
		}), t0.Add(10 * day), kmsclient.StatusOOBGrace, 0, t0.Add(40 * day), t0.Add(10 * day), Retry, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Evaluate(tt.st, tt.at)
			if v.Status != tt.status || v.Reason != tt.reason {
				t.Errorf("status %v (%v), want %v (%v)", v.Status, v.Reason, tt.status, tt.reason)
			}
			if !v.Ends.Equal(tt.ends) {
				t.Errorf("ends %v, want %v", v.Ends, tt.ends)
			}
			if !v.Next.Equal(tt.next) || v.NextAction != tt.action {
				t.Errorf("next %v %v, want %v %v", v.NextAction, v.Next, tt.action, tt.next)
			}
			if v.RenewalFailing != tt.failing {
				t.Errorf("renewal failing %v, want %v", v.RenewalFailing, tt.failing)
			}
		})
	}
}

func TestDue(t *testing.T) {
	activated := installed(t)
	activated.LastAttempt, activated.LastSuccess = ok(t0), ok(t0)
	failed := installed(t)
	failed.LastAttempt = fail(t0, hresult.NotEnoughCount)
	tests := []struct {
		name  string
		st    State
		at    time.Time
		force bool
		want  Action
	}{
		{"nothing installed", State{}, t0, false, None},
		{"nothing installed, forced", State{}, t0, true, None},
		{"fresh key: activate at once", installed(t), t0, false, Retry},
		{"renewal not yet due", activated, t0.Add(7*day - time.Second), false, Wait},
		{"renewal due", activated, t0.Add(7 * day), false, Renew},
		{"renewal overdue", activated, t0.Add(100 * day), false, Renew},
		{"forced renewal", activated, t0.Add(hour), true, Renew},
		{"retry not yet due", failed, t0.Add(119 * time.Minute), false, Wait},
		{"retry due", failed, t0.Add(2 * hour), false, Retry},
		{"forced retry", failed, t0, true, Retry},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := Due(tt.st, tt.at, tt.force); got != tt.want {
				t.Fatalf("Due = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestView_Remaining(t *testing.T) {
	v := View{Ends: t0.Add(180 * day)}
	if got := v.Remaining(t0); got != 180*day {
		t.Fatalf("Remaining = %v", got)
	}
	if got := v.Remaining(t0.Add(181 * day)); got != 0 {
		t.Fatalf("Remaining after the end = %v", got)
	}
	if got := (View{}).Remaining(t0); got != 0 {
		t.Fatalf("Remaining with no end = %v", got)
	}
}

func TestClampInterval(t *testing.T) {
	for in, want := range map[uint32]uint32{0: 15, 14: 15, 15: 15, 120: 120, 43200: 43200, 1 << 31: 43200} {
		if got := ClampInterval(in); got != want {
			t.Errorf("ClampInterval(%d) = %d, want %d", in, got, want)
		}
	}
}
