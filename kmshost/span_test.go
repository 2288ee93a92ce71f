package kmshost

import (
	"testing"
	"time"
)

func TestParseSpan(t *testing.T) {
	for in, want := range map[string]time.Duration{"90m": 90 * time.Minute, "24h": 24 * time.Hour, "7d": 7 * 24 * time.Hour, "1h30m": 90 * time.Minute, "3650d": 3650 * 24 * time.Hour} {
		if got, err := ParseSpan(in); err != nil || got != want {
			t.Errorf("ParseSpan(%q) = %s, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "0", "0d", "-1h", "3651d", "1w", "24h; calc", "1.5d", "d"} {
		if _, err := ParseSpan(bad); err == nil {
			t.Errorf("ParseSpan(%q) accepted", bad)
		}
	}
	// A negative span is said to be negative, in days as in hours (issue
	// 18: -1d was "not a whole number of days"); zero is not positive.
	for in, want := range map[string]string{"-1d": "must not be negative", "-36h": "must not be negative", "0d": "must be positive", "0s": "must be positive", "1.5d": "not a whole number of days"} {
		if _, err := ParseSpan(in); err == nil || err.Error() != want {
			t.Errorf("ParseSpan(%q): %v, want %q", in, err, want)
		}
	}
}
