package clock

import (
	"testing"
	"time"
)

func TestFakeAdvance(t *testing.T) {
	start := time.Date(2026, 11, 23, 17, 55, 4, 0, time.UTC)
	f := NewFake(start)
	f.Advance(31 * 24 * time.Hour)
	if got := f.Now().Sub(start); got != 31*24*time.Hour {
		t.Fatalf("advanced %v", got)
	}
	f.Set(start)
	if !f.Now().Equal(start) {
		t.Fatalf("Set: %v", f.Now())
	}
	if _, ok := Or(nil).(Real); !ok {
		t.Fatal("Or(nil) is not the real clock")
	}
}
