package audit

import (
	"bytes"
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/kmsclient"
)

// Report is what the log adds up to at Options.Now.
type Report struct {
	Now        time.Time
	Silence    time.Duration // renewal interval plus margin: longer silent is fallen off
	Renewal    time.Duration // the renewal interval judged by
	Margin     time.Duration // the margin judged by
	Events     int           // events added
	Requests   int           // of those, readable 12290 events
	Unreadable int           // 12290 events whose fields could not be read
	// UnreadableShown describes the first MaxUnreadableShown of them, in
	// the order they were added (file order for a file).
	UnreadableShown []Unreadable
	Other           int       // events other than 12290 (client events 12288/12289; in a file, any other ID)
	Oldest, Newest  time.Time // of the 12290 events; zero when there are none
	// LowerBound says the log may miss clients the host counts: it starts
	// less than CountWindow before Now, or was cut to its newest events.
	// Counts are then lower bounds, and a date below the threshold may
	// come later than forecast.
	LowerBound bool
	Truncated  bool

	Families  []Family  // in catalogue order of families: Windows clients, Windows servers, Office
	Clients   []*Client // every CMID: by pool, then the most recent first
	FallenOff []*Client // fallen-off CMIDs still counted or gone within CountWindow, soonest to leave first
	Unknown   int       // CMIDs that asked only for products kmsctl does not know (pool unknown)

	hostCounts map[Pool]int64
}

// Family is one product family's view of its pool's count: Windows
// clients (threshold 25) and Windows servers (5) share the Windows pool,
// so they see the same count against different thresholds.
type Family struct {
	Family    catalogue.Family
	Pool      Pool
	Threshold int // the highest threshold among the family's products seen in the log
	Count     int // CMIDs the host counts in the pool now, kmsctl's own included
	Self      int // of Count, kmsctl's own CMIDs
	Others    int // Count without kmsctl's own: what is forecast and judged
	FallenOff int // CMIDs of the pool still counted that stopped asking (kmsctl's own left out)
	// HostCount is the count the host itself reports for the pool (WMI),
	// nil when not read; it should equal Count when the log is whole.
	HostCount *int64

	// Forecast is Others at Now and on each of the CountWindow days after,
	// if no new client appears and the fallen-off ones stay away.
	Forecast []Day
	// AlreadyBelow: Others is below Threshold now.
	AlreadyBelow bool
	// BelowAt is when Others first falls below Threshold: the moment a
	// fallen-off CMID leaves the count. Zero when already below or not
	// within CountWindow (after that every fallen-off CMID has left).
	BelowAt time.Time
	// Leaving are the fallen-off CMIDs whose leaving takes the count below
	// Threshold, the last one at BelowAt.
	Leaving []*Client
	// BelowAtWithSelf is BelowAt were kmsctl's own CMIDs counted as any
	// other client (zero likewise); it differs from BelowAt only when the
	// forecast depends on kmsctl's own requests.
	BelowAtWithSelf time.Time

	steady int       // clients that keep renewing, kmsctl's own left out
	fallen []*Client // counted clients that stopped, in the order they leave
}

// CountOn is the forecast count (kmsctl's own left out) at the end of t's
// day (UTC).
func (f *Family) CountOn(t time.Time) int {
	t = t.UTC()
	end := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Add(24*time.Hour - time.Nanosecond)
	return f.steady + countAfter(f.fallen, end)
}

// countAfter is how many of cs are still counted at t.
func countAfter(cs []*Client, t time.Time) int {
	n := 0
	for _, c := range cs {
		if c.Leaves.After(t) {
			n++
		}
	}
	return n
}

// Day is the forecast for one day.
type Day struct {
	At    time.Time // Now plus whole days
	Count int       // clients counted then, kmsctl's own left out
}

// DaysLeft is the time until the family's count falls below its
// threshold, in days cut to hundredths: 0 when already below, and ok
// false when not within
// CountWindow.
func (f *Family) DaysLeft(now time.Time) (days float64, ok bool) {
	switch {
	case f.AlreadyBelow:
		return 0, true
	case f.BelowAt.IsZero():
		return 0, false
	}
	// Cut to hundredths, toward zero, so that every form shows one
	// figure that agrees with the grade and the words: 9.9999 days is
	// 9.99 in JSON, the metric and the perfdata, and "in 9 days" in text
	// (rounding gave 10, which the perfdata range 10: passes while the
	// grade, within 10 days, said CRITICAL).
	return math.Floor(f.BelowAt.Sub(now).Hours()/24*100) / 100, true
}

// familyOrder is how families are listed.
var familyOrder = []catalogue.Family{catalogue.WindowsClient, catalogue.WindowsServer, catalogue.Office}

// Report adds everything up at Options.Now.
func (a *Auditor) Report() *Report {
	now := a.opts.Now
	r := &Report{Now: now, Silence: a.opts.Silence(), Renewal: a.opts.renewal(), Margin: a.opts.margin(), Events: a.events, Unreadable: a.unreadable, UnreadableShown: a.firstUnreadable,
		Other: a.other, Oldest: a.oldest, Newest: a.newest, Truncated: a.opts.Truncated, hostCounts: a.opts.HostCounts}
	r.Requests = a.events - a.other - a.unreadable
	r.LowerBound = a.opts.Truncated || a.oldest.IsZero() || a.oldest.After(now.Add(-kmsclient.CountWindow))
	for _, c := range a.clients {
		c.Leaves = c.Last.Add(kmsclient.CountWindow)
		c.Counted = c.Leaves.After(now)
		c.FallenOff = now.Sub(c.Last) > r.Silence
		r.Clients = append(r.Clients, c)
		if c.Pool == PoolUnknown {
			r.Unknown++
			continue
		}
		if c.FallenOff && !c.Self && c.Leaves.After(now.Add(-kmsclient.CountWindow)) {
			r.FallenOff = append(r.FallenOff, c)
		}
	}
	slices.SortFunc(r.Clients, func(x, y *Client) int {
		return cmp.Or(cmp.Compare(x.Pool, y.Pool), y.Last.Compare(x.Last), bytes.Compare(x.CMID[:], y.CMID[:]))
	})
	slices.SortFunc(r.FallenOff, func(x, y *Client) int {
		return cmp.Or(x.Leaves.Compare(y.Leaves), bytes.Compare(x.CMID[:], y.CMID[:]))
	})
	// The families seen, each with its highest threshold.
	thresholds := map[catalogue.Family]int{}
	pools := map[catalogue.Family]Pool{}
	for _, c := range r.Clients {
		if c.Pool == PoolUnknown || c.Family == "" {
			continue
		}
		p, _ := catalogue.BySKU(c.ActivationID)
		thresholds[c.Family] = max(thresholds[c.Family], p.Threshold)
		pools[c.Family] = c.Pool
	}
	for _, fam := range familyOrder {
		if t, ok := thresholds[fam]; ok {
			r.Families = append(r.Families, r.forecast(fam, pools[fam], t))
		}
	}
	return r
}

// reached is kmsclient.ThresholdReached for the audit's int tallies.
func reached(count, threshold int) bool {
	return kmsclient.ThresholdReached(int64(count), int64(threshold))
}

// forecast is one family's count and its future.
func (r *Report) forecast(fam catalogue.Family, pool Pool, threshold int) Family {
	f := Family{Family: fam, Pool: pool, Threshold: threshold}
	if n, ok := r.hostCounts[pool]; ok {
		f.HostCount = &n
	}
	var fallen, selfFallen []*Client // counted, silent, in the order they leave
	selfSteady := 0
	for _, c := range r.FallenOff {
		if c.Pool == pool && c.Counted {
			fallen = append(fallen, c)
		}
	}
	for _, c := range r.Clients {
		if c.Pool != pool || !c.Counted {
			continue
		}
		f.Count++
		switch {
		case c.Self:
			f.Self++
			if c.FallenOff {
				selfFallen = append(selfFallen, c)
			} else {
				selfSteady++
			}
		case c.FallenOff:
			f.FallenOff++
		}
	}
	f.Others = f.Count - f.Self
	steady := f.Others - len(fallen) // clients that keep renewing
	f.steady, f.fallen = steady, fallen
	for d := 0; d <= kmsclient.CountWindowDays; d++ {
		t := r.Now.Add(time.Duration(d) * 24 * time.Hour)
		f.Forecast = append(f.Forecast, Day{At: t, Count: steady + countAfter(fallen, t)})
	}
	f.AlreadyBelow = !reached(f.Others, threshold)
	if !f.AlreadyBelow {
		for i, c := range fallen {
			if !reached(steady+len(fallen)-(i+1), threshold) {
				f.BelowAt, f.Leaving = c.Leaves, fallen[:i+1]
				break
			}
		}
	}
	// The same with kmsctl's own CMIDs counted as clients.
	if f.Self > 0 && reached(f.Count, threshold) {
		all := slices.Concat(fallen, selfFallen)
		slices.SortFunc(all, func(x, y *Client) int { return x.Leaves.Compare(y.Leaves) })
		base := steady + selfSteady
		for i, c := range all {
			if !reached(base+len(all)-(i+1), threshold) {
				f.BelowAtWithSelf = c.Leaves
				break
			}
		}
	}
	return f
}
