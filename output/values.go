package output

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

func yesNo(b *bool) string {
	switch {
	case b == nil:
		return ""
	case *b:
		return "yes"
	}
	return "no"
}

func optUint(v *uint32) string {
	if v == nil {
		return ""
	}
	return strconv.FormatUint(uint64(*v), 10)
}

// spanText writes a span as it was probably given: 7d, 24h, 90m.
func spanText(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0 && d >= 48*time.Hour:
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	case d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	case d%time.Minute == 0:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	}
	return d.String()
}

// ago is how long before now t was, to the minute (seconds under one).
func ago(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < 0:
		return "in " + (-d).Truncate(time.Second).String()
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm ago", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%dd%02dh ago", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
}

// Minutes renders an interval the way an admin says it: 2h, 7d, 1h30m, 45m.
func Minutes(m uint32) string {
	if m == 0 {
		return "0m"
	}
	d, rest := m/1440, m%1440
	h, min := rest/60, rest%60
	var b strings.Builder
	if d > 0 {
		fmt.Fprintf(&b, "%dd", d)
	}
	if h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if min > 0 {
		fmt.Fprintf(&b, "%dm", min)
	}
	return b.String()
}

// Latency renders a round trip in milliseconds.
func Latency(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + " ms"
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func timeText(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(rfc3339)
	return &s
}

const dateTime = "2006-01-02 15:04 UTC"

// inDays is a span of days as people say it: "in 19 days", "in 20 hours".
func inDays(d time.Duration) string {
	switch {
	case d < 0:
		return "already"
	case d < 48*time.Hour:
		return fmt.Sprintf("in %d hours", int(math.Ceil(d.Hours())))
	}
	return fmt.Sprintf("in %d days", int(d.Hours()/24))
}

// spanWords is a span in words, as inDays writes one: "8 days",
// "4 days and 6 hours", "20 hours", "45 minutes"; under a minute
// counts as "less than a minute".
func spanWords(d time.Duration) string {
	unit := func(n int64, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return strconv.FormatInt(n, 10) + " " + one + "s"
	}
	days, hours, mins := int64(d/(24*time.Hour)), int64(d%(24*time.Hour)/time.Hour), int64(d%time.Hour/time.Minute)
	switch {
	case days > 0 && hours > 0:
		return unit(days, "day") + " and " + unit(hours, "hour")
	case days > 0:
		return unit(days, "day")
	case hours > 0:
		return unit(hours, "hour")
	case mins > 0:
		return unit(mins, "minute")
	}
	return "less than a minute"
}

const rfc3339 = time.RFC3339

// When formats an instant for people, in the clock's time zone.
func When(t, now time.Time) string {
	return t.In(now.Location()).Format("2006-01-02 15:04:05 MST")
}

// deref is an optional text, "" when absent.
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
