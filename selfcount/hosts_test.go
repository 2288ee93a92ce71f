package selfcount

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
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

// Many probes at once, each of a host not yet recorded (the exporter's
// first minute): every one is recorded and gets its own count, whichever
// probe's write carried it.
func TestRecorder_ConcurrentFirstProbes(t *testing.T) {
	dir := testdir.Private(t)
	// Before the exporter, kmsctl asked one of the hosts with another CMID.
	record(t, dir, t0, Asked{"h7:1688", win, cmB, t0})
	r := &Recorder{Dir: dir, Refresh: time.Hour}
	const n = 200
	results := make([][]probe.Host, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		results[i] = answered(t, fmt.Sprintf("h%d:1688", i))
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = r.Record(context.Background(), results[i], cmA, t0.Add(time.Minute))
		}()
	}
	wg.Wait()
	f, err := read(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Asked) != n+1 {
		t.Errorf("the record holds %d entries, want %d", len(f.Asked), n+1)
	}
	for i := range n {
		want := 1
		if i == 7 {
			want = 2 // cmA and cmB
		}
		if errs[i] != nil || results[i][0].Groups[0].Self != want {
			t.Errorf("host %d: %v, Self %d, want %d", i, errs[i], results[i][0].Groups[0].Self, want)
		}
	}
}
