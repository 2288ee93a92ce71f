package audit

import (
	"strings"
	"testing"
	"time"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/kmshost"
	"github.com/kmsctl/kmsctl/kmshost/hosttest"
)

// day is a moment of the seeds' story: day d after day 0, at h o'clock.
func day(d int, h, m int) time.Time {
	return hosttest.SeedsDay0.Add(time.Duration(d)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

// seeds audits the story's log as the host holds it at now.
func seeds(t *testing.T, now time.Time, opts Options) *Report {
	t.Helper()
	opts.Now = now
	if opts.Self == nil {
		opts.Self = []guid.GUID{guid.MustParse(hosttest.SeedsSelfCMID)}
	}
	a := New(opts)
	for _, he := range hosttest.SeedsEvents(now) {
		e, ok := kmshost.NewEvent(he.Time, he.ID, he.Fields)
		if !ok || e.Problem != "" {
			t.Fatalf("event %+v: %q", he, e.Problem)
		}
		a.Add(&e)
	}
	return a.Report()
}

func family(t *testing.T, r *Report, f catalogue.Family) *Family {
	t.Helper()
	for i := range r.Families {
		if r.Families[i].Family == f {
			return &r.Families[i]
		}
	}
	t.Fatalf("no family %s in %+v", f, r.Families)
	return nil
}

// On day 10, after kmsctl's first probe: 25 machines and kmsctl counted,
// the two silent ones named, and the day the count drops below 25.
func TestSeeds_Day10(t *testing.T) {
	now := day(10, 17, 55)
	r := seeds(t, now, Options{})
	if r.LowerBound || r.Unreadable != 0 || r.Unknown != 0 {
		t.Errorf("report %+v", r)
	}
	w := family(t, r, catalogue.WindowsClient)
	if w.Pool != PoolWindows || w.Threshold != 25 || w.Count != 26 || w.Self != 1 || w.Others != 25 || w.FallenOff != 2 {
		t.Errorf("windows: %+v", w)
	}
	if w.AlreadyBelow || !w.BelowAt.Equal(day(30, 9, 0)) || len(w.Leaving) != 1 || w.Leaving[0].Name != "pc-0124.corp.example.com" {
		t.Errorf("windows falls below at %s (leaving %v), want %s", w.BelowAt, w.Leaving, day(30, 9, 0))
	}
	if days, ok := w.DaysLeft(now); !ok || days < 19.6 || days > 19.7 {
		t.Errorf("days left %v %v", days, ok)
	}
	// Day by day: 25 until day 30's 09:00, then 23 (both leave that day).
	for i, d := range w.Forecast {
		want := 25
		if d.At.After(day(30, 14, 0)) {
			want = 23
		}
		if d.Count != want || !d.At.Equal(now.Add(time.Duration(i)*24*time.Hour)) {
			t.Errorf("forecast day %d (%s): %d, want %d", i, d.At, d.Count, want)
		}
	}
	if len(w.Forecast) != 31 {
		t.Errorf("%d forecast days", len(w.Forecast))
	}
	// Counted as a client, kmsctl would hold the count at 25 until the second leaves.
	if !w.BelowAtWithSelf.Equal(day(30, 14, 0)) {
		t.Errorf("below with kmsctl at %s", w.BelowAtWithSelf)
	}
	if len(r.FallenOff) != 2 || r.FallenOff[0].Name != "pc-0124.corp.example.com" || r.FallenOff[1].Name != "pc-0125.corp.example.com" ||
		!r.FallenOff[0].Leaves.Equal(day(30, 9, 0)) || !r.FallenOff[0].Counted || r.FallenOff[0].Requests != 6 {
		t.Errorf("fallen off: %+v", r.FallenOff)
	}
	o := family(t, r, catalogue.Office)
	if o.Pool != PoolOffice || o.Threshold != 5 || o.Count != 6 || o.Others != 6 || o.FallenOff != 0 || !o.BelowAt.IsZero() || o.AlreadyBelow {
		t.Errorf("office: %+v", o)
	}
	if len(r.Families) != 2 {
		t.Errorf("families %+v", r.Families)
	}
}

// On day 29, hours before: the count is still 25 others.
func TestSeeds_Day29(t *testing.T) {
	now := day(29, 13, 0)
	w := family(t, seeds(t, now, Options{}), catalogue.WindowsClient)
	if w.Others != 25 || !w.BelowAt.Equal(day(30, 9, 0)) {
		t.Errorf("%+v", w)
	}
	if days, _ := w.DaysLeft(now); days < 0.8 || days > 0.9 {
		t.Errorf("days left %v", days)
	}
}

// On days 31 and 40: already below, with kmsctl's probe refused too; the
// two machines are still named, as gone.
func TestSeeds_AfterTheDrop(t *testing.T) {
	for _, now := range []time.Time{day(31, 13, 0), day(40, 13, 0)} {
		r := seeds(t, now, Options{})
		w := family(t, r, catalogue.WindowsClient)
		if !w.AlreadyBelow || w.Others != 23 || w.Count != 24 || w.Self != 1 || !w.BelowAt.IsZero() || w.FallenOff != 0 {
			t.Errorf("%s: %+v", now, w)
		}
		if len(r.FallenOff) != 2 || r.FallenOff[0].Counted || r.FallenOff[1].Counted {
			t.Errorf("%s: fallen off %+v", now, r.FallenOff)
		}
		var refused int
		for _, c := range r.Clients {
			if c.Pool == PoolWindows && c.Result == 0xC004F038 {
				refused++
			}
		}
		// By day 40 every one of the 23 has tried to renew since the drop
		// and is failing every 2 hours; so is kmsctl's probe.
		if want := map[bool]int{true: 24, false: refused}[now.Equal(day(40, 13, 0))]; refused != want || refused < 2 {
			t.Errorf("%s: %d clients refused, want %d", now, refused, want)
		}
	}
}

// A log that starts less than 30 days ago is a lower bound.
func TestSeeds_ShortLog(t *testing.T) {
	now := day(10, 17, 55)
	a := New(Options{Now: now})
	for _, he := range hosttest.SeedsEvents(now) {
		if he.Time.Before(now.Add(-20 * 24 * time.Hour)) {
			continue
		}
		e, _ := kmshost.NewEvent(he.Time, he.ID, he.Fields)
		a.Add(&e)
	}
	r := a.Report()
	if !r.LowerBound {
		t.Error("a 20-day log is not a lower bound")
	}
	// Without Self, kmsctl's CMID is one more client.
	if w := family(t, r, catalogue.WindowsClient); w.Self != 0 || w.Others != 26 {
		t.Errorf("%+v", w)
	}
	if r := seeds(t, now, Options{Truncated: true}); !r.LowerBound {
		t.Error("a truncated log is not a lower bound")
	}
}

// A request dated more than MaxClockAhead after the audit's time is
// unreadable: it would keep its client counted, and the forecast above the
// threshold, until that date. It does not stretch the log's span either.
func TestSeeds_FutureEvent(t *testing.T) {
	now := day(10, 17, 55)
	want := seeds(t, now, Options{})
	a := New(Options{Now: now, Self: []guid.GUID{guid.MustParse(hosttest.SeedsSelfCMID)}})
	var last kmshost.Event
	for _, he := range hosttest.SeedsEvents(now) {
		e, _ := kmshost.NewEvent(he.Time, he.ID, he.Fields)
		a.Add(&e)
		last = e
	}
	far := last
	far.Time = time.Date(5138, 11, 16, 0, 0, 0, 0, time.UTC)
	a.Add(&far)
	soon := last
	soon.Time = now.Add(MaxClockAhead - time.Minute) // a clock a little ahead still counts
	a.Add(&soon)
	r := a.Report()
	if r.Unreadable != want.Unreadable+1 || !r.Newest.Equal(soon.Time) || r.Requests != want.Requests+1 {
		t.Errorf("unreadable %d (want %d), newest %v (want %v), requests %d", r.Unreadable, want.Unreadable+1, r.Newest, soon.Time, r.Requests)
	}
	if len(r.UnreadableShown) == 0 || !strings.Contains(r.UnreadableShown[len(r.UnreadableShown)-1].Problem, "dated after the audit's time") {
		t.Errorf("unreadable events: %+v", r.UnreadableShown)
	}
}

// The margin and the host's renewal interval move what is fallen off.
func TestSeeds_Silence(t *testing.T) {
	now := day(8, 15, 0) // the leavers have been silent 8 days and a few hours
	if r := seeds(t, now, Options{}); len(r.FallenOff) != 2 {
		t.Errorf("default: %d fallen off", len(r.FallenOff))
	}
	if r := seeds(t, now, Options{Margin: 2 * 24 * time.Hour}); len(r.FallenOff) != 0 {
		t.Errorf("2-day margin: %d fallen off", len(r.FallenOff))
	}
	if r := seeds(t, now, Options{RenewalInterval: 10 * 24 * time.Hour}); r.Silence != 11*24*time.Hour || len(r.FallenOff) != 0 {
		t.Errorf("10-day interval: silence %s, %d fallen off", r.Silence, len(r.FallenOff))
	}
}
