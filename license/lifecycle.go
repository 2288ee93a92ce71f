package license

import (
	"time"

	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmsclient"
)

// Action is what a scheduled contact with the KMS host is for, or what
// `renew` should do now.
type Action int

// Actions.
const (
	None     Action = iota // nothing is scheduled (no product key installed)
	Wait                   // not yet: the next contact is in the future
	Activate               // activate now (slmgr /ato), whatever is due
	Renew                  // renew an activation: the renewal interval has passed
	Retry                  // try again after a failure: the activation interval has passed
)

func (a Action) String() string {
	switch a {
	case Wait:
		return "wait"
	case Activate:
		return "activate"
	case Renew:
		return "renew"
	case Retry:
		return "retry"
	}
	return "none"
}

// View is what the stored state means at one instant.
type View struct {
	Status kmsclient.LicenseStatus
	// Reason is the LicenseStatusReason slmgr shows in Notification:
	// 0xC004F009 (grace time expired). Zero otherwise.
	Reason hresult.Code
	// Ends is when the current status ends: the activation's expiry when
	// Licensed, the grace period's end in a grace status. Zero when the
	// status does not end by itself (Unlicensed, Notification).
	Ends time.Time
	// Next is when the next contact with a KMS host is due (it may be in
	// the past: due now); NextAction says what it is for. Zero and None
	// when no product key is installed.
	Next       time.Time
	NextAction Action
	// RenewalFailing reports a Licensed product whose last contact with a
	// host failed: it stays Licensed until Ends and retries every
	// activation interval.
	RenewalFailing bool
	// ActivationInterval and RenewalInterval are the intervals in force:
	// the last host's, or the defaults.
	ActivationInterval, RenewalInterval time.Duration
}

// Remaining is the time left in the current status at now, never negative;
// zero when the status does not end.
func (v View) Remaining(now time.Time) time.Duration {
	if v.Ends.IsZero() || !v.Ends.After(now) {
		return 0
	}
	return v.Ends.Sub(now)
}

// Evaluate says what st means at now. It is a pure function: no I/O, no
// clock but now.
//
//   - No product key: Unlicensed, nothing scheduled.
//   - Activated (a successful contact within kmsclient.Validity): Licensed until
//     that contact + 180 days. The next contact is a renewal one renewal
//     interval after that success, or, when a later contact failed, a retry
//     one activation interval after the failure.
//   - Activation lapsed: Additional grace (OOTGrace) for 30 days, then
//     Notification with reason 0xC004F009.
//   - Never activated since the key was installed or the product rearmed:
//     Initial grace (OOBGrace) for 30 days, then Notification (0xC004F009).
//     The first contact is due at once, then every activation interval.
func Evaluate(st State, now time.Time) View {
	v := View{
		ActivationInterval: minutes(st.Intervals.Activation, kmsclient.DefaultActivationIntervalMinutes),
		RenewalInterval:    minutes(st.Intervals.Renewal, kmsclient.DefaultRenewalIntervalMinutes),
	}
	if st.Product == nil {
		return v
	}
	last, ok := st.LastSuccess, st.LastSuccess != nil
	// LastAttempt is the latest contact, so a failed one came after the
	// last success even when both fall in the same second.
	failedSince := st.LastAttempt != nil && !st.LastAttempt.Succeeded() &&
		(!ok || !st.LastAttempt.At.Before(last.At)) && !st.LastAttempt.At.Before(st.GraceStart)

	switch {
	case ok:
		expires := last.At.Add(kmsclient.Validity)
		switch {
		case now.Before(expires):
			v.Status, v.Ends = kmsclient.StatusLicensed, expires
			v.RenewalFailing = failedSince
		case now.Before(expires.Add(kmsclient.OOTGracePeriod)):
			v.Status, v.Ends = kmsclient.StatusOOTGrace, expires.Add(kmsclient.OOTGracePeriod)
		default:
			v.Status, v.Reason = kmsclient.StatusNotification, hresult.GraceTimeExpired
		}
		if failedSince {
			v.Next, v.NextAction = st.LastAttempt.At.Add(v.ActivationInterval), Retry
		} else {
			v.Next, v.NextAction = last.At.Add(v.RenewalInterval), Renew
			if v.Status != kmsclient.StatusLicensed {
				v.NextAction = Retry
			}
		}
	default:
		graceEnds := st.GraceStart.Add(kmsclient.InitialGrace)
		if now.Before(graceEnds) {
			v.Status, v.Ends = kmsclient.StatusOOBGrace, graceEnds
		} else {
			v.Status, v.Reason = kmsclient.StatusNotification, hresult.GraceTimeExpired
		}
		v.Next, v.NextAction = st.GraceStart, Retry
		if failedSince {
			v.Next = st.LastAttempt.At.Add(v.ActivationInterval)
		}
	}
	return v
}

// Due says what `renew` should do at now: Renew or Retry when the next
// contact is due (or overdue), Wait when it is in the future, None when
// nothing is scheduled. force makes a due contact of it now.
func Due(st State, now time.Time, force bool) (Action, View) {
	v := Evaluate(st, now)
	switch {
	case v.NextAction == None:
		return None, v
	case force || !now.Before(v.Next):
		return v.NextAction, v
	}
	return Wait, v
}

// minutes turns an interval in minutes into a duration, with def for 0.
func minutes(m uint32, def uint32) time.Duration {
	if m == 0 {
		m = def
	}
	return time.Duration(m) * time.Minute
}

// ClampInterval keeps a host's interval within what Windows accepts, so a
// host that sends 0 or a huge value cannot make kmsctl hammer it or go
// silent for months.
func ClampInterval(m uint32) uint32 {
	return max(kmsclient.MinIntervalMinutes, min(m, kmsclient.MaxIntervalMinutes))
}
