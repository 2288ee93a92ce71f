package output

import (
	"testing"
	"time"
)

func TestAgo(t *testing.T) {
	now := time.Date(2026, 11, 23, 17, 55, 4, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		8 * time.Second: "8s ago", 2*time.Minute + 8*time.Second: "2m ago", time.Hour + 49*time.Minute: "1h49m ago",
		32*time.Hour + 55*time.Minute: "32h55m ago", 51 * time.Hour: "2d03h ago", -90 * time.Second: "in 1m30s",
	} {
		if got := ago(now.Add(-d), now); got != want {
			t.Errorf("ago(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestSpanText(t *testing.T) {
	for d, want := range map[time.Duration]string{
		24 * time.Hour: "24h", 48 * time.Hour: "2d", 7 * 24 * time.Hour: "7d", 90 * time.Minute: "90m", 90 * time.Second: "1m30s",
	} {
		if got := spanText(d); got != want {
			t.Errorf("spanText(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestMinutes(t *testing.T) {
	for in, want := range map[uint32]string{0: "0m", 45: "45m", 120: "2h", 90: "1h30m", 10080: "7d", 10141: "7d1h1m", 43200: "30d"} {
		if got := Minutes(in); got != want {
			t.Errorf("Minutes(%d) = %q, want %q", in, got, want)
		}
	}
	if got := Latency(1234567 * time.Nanosecond); got != "1.2 ms" {
		t.Errorf("Latency = %q", got)
	}
}
