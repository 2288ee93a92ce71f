package selfcount

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/internal/testdir"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/probe"
)

// answered is a probe result of host for a Windows product that answered.
func answered(t *testing.T, host string) []probe.Host {
	t.Helper()
	p, err := catalogue.Lookup("Windows Server 2019 Standard")
	if err != nil {
		t.Fatal(err)
	}
	return []probe.Host{{Host: host, Address: host, Groups: []probe.Group{{Product: p, Result: &kmsclient.Result{Count: 50}, Self: 1}}}}
}

// The exporter's Recorder writes a host and family once per Refresh and
// uses its last count in between; a new CMID, or Refresh passing, writes
// again.
func TestRecorder_WritesOncePerRefresh(t *testing.T) {
	dir := testdir.Private(t)
	file := filepath.Join(dir, FileName)
	// Before the exporter, kmsctl asked with another CMID (before a rearm).
	record(t, dir, t0, Asked{host, win, cmB, t0})
	r := &Recorder{Dir: dir, Refresh: time.Hour}
	ctx := context.Background()
	step := func(now time.Time, wantWrite bool, wantSelf int) {
		t.Helper()
		if err := os.Chtimes(file, t0, t0); err != nil {
			t.Fatal(err)
		}
		hosts := answered(t, host)
		if err := r.Record(ctx, hosts, cmA, now); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		if wrote := !fi.ModTime().Equal(t0); wrote != wantWrite {
			t.Errorf("at %v: wrote %v, want %v", now.Sub(t0), wrote, wantWrite)
		}
		if got := hosts[0].Groups[0].Self; got != wantSelf {
			t.Errorf("at %v: Self %d, want %d", now.Sub(t0), got, wantSelf)
		}
	}
	step(t0.Add(time.Minute), true, 2)     // first: written; cmA and cmB counted
	step(t0.Add(2*time.Minute), false, 2)  // within Refresh: not written, same count
	step(t0.Add(59*time.Minute), false, 2) //
	step(t0.Add(2*time.Hour), true, 2)     // Refresh passed: written again
	// 31 days after cmB last asked, the host no longer counts it.
	step(t0.Add(31*24*time.Hour), true, 1)
	step(t0.Add(31*24*time.Hour+time.Minute), false, 1)
}
