package probe

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kmsctl/kmsctl/limit"
)

// TestEach: every index runs once, never more than n at a time.
func TestEach(t *testing.T) {
	for _, tt := range []struct{ count, n int }{{0, 4}, {1, 4}, {10, 3}, {5, 0}, {100, 100}} {
		var mu sync.Mutex
		seen := make([]int, tt.count)
		var running, most atomic.Int64
		Each(tt.count, tt.n, func(i int) {
			r := running.Add(1)
			for m := most.Load(); r > m && !most.CompareAndSwap(m, r); m = most.Load() {
			}
			mu.Lock()
			seen[i]++
			mu.Unlock()
			running.Add(-1)
		})
		limit := tt.n
		if limit < 1 {
			limit = DefaultConcurrency
		}
		for i, n := range seen {
			if n != 1 {
				t.Errorf("Each(%d, %d): fn(%d) ran %d times", tt.count, tt.n, i, n)
			}
		}
		if most.Load() > int64(limit) {
			t.Errorf("Each(%d, %d): %d at once", tt.count, tt.n, most.Load())
		}
	}
}

// TestSurveyLimit: --deadline when given, else one host timeout per round
// of workers.
func TestSurveyLimit(t *testing.T) {
	s := Survey{Hosts: make([]string, 10), Concurrency: 4, Options: Options{HostTimeout: 2 * time.Second}}
	if k, d := s.Limit(); k != limit.Timeout || d != 6*time.Second {
		t.Errorf("10 hosts, 4 at once: %v %v", k, d)
	}
	s.Hosts = nil
	if k, d := s.Limit(); k != limit.Timeout || d != 2*time.Second {
		t.Errorf("no host: %v %v", k, d)
	}
	s.Deadline = time.Minute
	if k, d := s.Limit(); k != limit.Deadline || d != time.Minute {
		t.Errorf("--deadline: %v %v", k, d)
	}
}

// TestNamedAndTargets: arguments and a hosts file, repeats listed once;
// a product named twice asked once.
func TestNamedAndTargets(t *testing.T) {
	hosts, dups, err := Named([]string{"kms1", "kms2:1688"}, "-", strings.NewReader("kms2\n# c\nkms3\n"))
	if err != nil || strings.Join(hosts, " ") != "kms1 kms2:1688 kms3" || len(dups) != 1 || dups[0].Again != "kms2" {
		t.Errorf("Named: %q %v %v", hosts, dups, err)
	}
	if _, _, err := Named(nil, "/nonexistent/hosts", nil); err == nil {
		t.Error("Named: a missing hosts file accepted")
	}
	ts, again, err := Targets([]string{"Windows Server 2022 Standard", "Windows Server 2022 Standard"}, 5)
	if err != nil || len(ts) != 1 || len(again) != 1 || ts[0].Protocol != 5 {
		t.Errorf("Targets: %v %v %v", ts, again, err)
	}
	if ts, _, err := Targets(nil, 0); err != nil || len(ts) == 0 {
		t.Errorf("Targets(none): %v %v", ts, err)
	}
	if _, _, err := Targets([]string{"no such product zzz"}, 0); err == nil {
		t.Error("Targets: an unknown product accepted")
	}
}
