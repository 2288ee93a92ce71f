package discovery_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/kmsctl/kmsctl/discovery"
	"github.com/kmsctl/kmsctl/discovery/dnstest"
)

// BenchmarkDiscover1000: one discovery of a 1,000-record SRV set on the
// loopback server (a truncated UDP answer, the TCP retry, the targets'
// addresses from the additional section or by query, and the ordering).
func BenchmarkDiscover1000(b *testing.B) {
	for _, bc := range []struct {
		name   string
		noAddl bool
	}{{"additional", false}, {"queries", true}} {
		b.Run(bc.name, func(b *testing.B) {
			srv := dnstest.Start(b, dnstest.Zone{RRs: dnstest.SRVSet("corp.example", 1000, 0, 10, 1688, true), NoAdditional: bc.noAddl})
			opts := discovery.Options{Server: srv.Addr(), Rand: rand.New(rand.NewPCG(1, 2))}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			b.ReportAllocs()
			for b.Loop() {
				res, err := discovery.Discover(ctx, "corp.example", opts)
				if err != nil {
					b.Fatal(err)
				}
				if n := countAddrs(res); n != 1000 {
					b.Fatalf("%d addresses", n)
				}
			}
		})
	}
}

func BenchmarkOrder1000(b *testing.B) {
	records := make([]discovery.SRV, 1000)
	for i := range records {
		records[i] = discovery.SRV{Priority: uint16(i % 3), Weight: uint16(i % 100), Port: 1688, Target: "kms.corp.example."}
	}
	r := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	for b.Loop() {
		discovery.Order(records, false, r)
	}
}

func countAddrs(res *discovery.Result) int {
	n := 0
	for i := range res.Hosts {
		n += len(res.Hosts[i].Addrs)
	}
	return n
}
