package discovery_test

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/kmsctl/kmsctl/discovery"
	"github.com/kmsctl/kmsctl/discovery/dnstest"
	"github.com/kmsctl/kmsctl/kmsclient/kmstest"
)

// Every call returns with its goroutines gone: after timeouts, a
// cancellation, parallel target lookups and Check's parallel probes.
func TestDiscover_LeavesNoGoroutines(t *testing.T) {
	defer goleak.VerifyNone(t)
	stalled, err := dnstest.New(dnstest.Zone{Faults: map[string]dnstest.Fault{"": dnstest.Stall}})
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	big, err := dnstest.New(dnstest.Zone{RRs: dnstest.SRVSet("corp.example", 50, 0, 0, 1688, true), NoAdditional: true})
	if err != nil {
		t.Fatal(err)
	}
	defer big.Close()
	host, err := kmstest.New(kmstest.Options{Misbehave: kmstest.Stall})
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	discovery.Discover(ctx, "corp.example", discovery.Options{Server: stalled.Addr()})
	cancel()

	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	discovery.Discover(ctx, "corp.example", discovery.Options{Server: stalled.Addr()})

	if _, err := discovery.Discover(context.Background(), "corp.example", discovery.Options{Server: big.Addr(), Concurrency: 16}); err != nil {
		t.Fatal(err)
	}
	// Probes of 50 addresses of one stalled KMS host, cut short by the deadline.
	ctx, cancel = context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	rep, err := discovery.Check(ctx, "corp.example", discovery.Options{Server: big.Addr()}, func(ctx context.Context, addr string) (string, error) {
		return "", dial(ctx, host.Addr())
	})
	if err != nil || len(rep.Records) != 50 {
		t.Fatalf("%v, %v", rep, err)
	}
}
