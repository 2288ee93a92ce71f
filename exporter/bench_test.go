package exporter_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"testing"

	"github.com/kmsctl/kmsctl/exporter"
	"github.com/kmsctl/kmsctl/internal/testdir"
	"github.com/kmsctl/kmsctl/kmsclient/kmstest"
)

// BenchmarkProbeHTTP drives /probe over real HTTP against loopback test
// hosts, as Prometheus would, with a state directory and a warn-level
// logger as `kmsctl exporter` runs by default. Profile the probe path with
//
//	go test ./exporter -run - -bench ProbeHTTP -cpuprofile cpu.out -mutexprofile mu.out
func BenchmarkProbeHTTP(b *testing.B) {
	var hosts []string
	for range 8 {
		hosts = append(hosts, kmstest.Start(b, kmstest.Options{FixedCount: 50}).Addr())
	}
	log := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
	base := serve(b, exporter.New(exporter.Config{Client: testClient, StateDir: testdir.Private(b), Logger: log, Concurrency: 128}))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			u := base + "/probe?" + url.Values{"target": {hosts[i%len(hosts)]}, "product": {"Windows Server 2019 Standard"}}.Encode()
			i++
			resp, err := client.Get(u)
			if err != nil {
				b.Error(err)
				return
			}
			if _, err := io.Copy(io.Discard, resp.Body); err != nil {
				b.Error(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
			}
		}
	})
}
