package exporter_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kmsctl/kmsctl/discovery"
	"github.com/kmsctl/kmsctl/discovery/dnstest"
	"github.com/kmsctl/kmsctl/exporter"
	"github.com/kmsctl/kmsctl/exporter/config"
	"github.com/kmsctl/kmsctl/kmsclient/kmstest"
)

// replaceAll replaces old in s and fails the test when old is not there:
// the test copy must follow the shipped file, not drift from it.
func replaceAll(t *testing.T, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("the shipped file no longer contains %q: update this test", old)
	}
	return strings.ReplaceAll(s, old, new)
}

// freePort returns a loopback address nothing listens on now.
func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// promQuery asks Prometheus's HTTP API; it returns the "data" member.
func promQuery(t *testing.T, base, path string, q url.Values) json.RawMessage {
	t.Helper()
	code, body := get(t, base+path+"?"+q.Encode())
	var r struct {
		Status string
		Data   json.RawMessage
		Error  string
	}
	if err := json.Unmarshal([]byte(body), &r); err != nil || code != 200 || r.Status != "success" {
		t.Fatalf("%s: %d %s", path, code, body)
	}
	return r.Data
}

// TestWithRealPrometheus runs the exporter and a Prometheus server on
// loopback, Prometheus loaded with the shipped scrape configuration and
// rules (test copies: one-second intervals, alerts without their "for"
// delay, the example hosts replaced by test KMS hosts and the example
// domain served by a test DNS server), and asks Prometheus's HTTP API for
// a host's client count and for the shipped below-threshold alert firing
// on a host under its threshold.
func TestWithRealPrometheus(t *testing.T) {
	prom, err := exec.LookPath("prometheus")
	if err != nil {
		t.Skip("prometheus not installed (Debian package prometheus)")
	}
	if testing.Short() {
		t.Skip("starts a Prometheus server")
	}
	healthy := kmstest.Start(t, kmstest.Options{FixedCount: 50})
	below := kmstest.Start(t, kmstest.Options{FixedCount: 3}) // threshold 5
	dns := dnstest.Start(t, dnstest.Zone{Records: []string{
		fmt.Sprintf("_vlmcs._tcp.corp.example.com. 3600 IN SRV 0 0 %s kms3.corp.example.com.", healthy.Port()),
		"kms3.corp.example.com. 3600 IN A 127.0.0.1",
	}})
	// The shipped exporter configuration: the scrape config's module
	// "default" asks about Windows Server 2022 Standard, which kmsctl
	// does not ask about without a module.
	expCfg, err := config.Load(shippedExporter)
	if err != nil {
		t.Fatal(err)
	}
	base := serve(t, exporter.New(exporter.Config{Client: testClient, Discovery: discovery.Options{Server: dns.Addr()}, Modules: expCfg.Modules}))
	exporterAddr := strings.TrimPrefix(base, "http://")

	dir := t.TempDir()
	cfg := read(t, shippedConfig)
	for _, r := range [][2]string{
		{"scrape_interval: 1m", "scrape_interval: 1s"},
		{"scrape_timeout: 10s", "scrape_timeout: 1s"},
		{"evaluation_interval: 1m", "evaluation_interval: 1s"},
		{"- kms1.corp.example.com\n", "- " + healthy.Addr() + "\n"},
		{"- kms2.corp.example.com:1688\n", "- " + below.Addr() + "\n"},
		{"127.0.0.1:9688", exporterAddr},
	} {
		cfg = replaceAll(t, cfg, r[0], r[1])
	}
	rules := regexp.MustCompile(`(?m)^(\s+for:) \d+[smh]$`).ReplaceAllString(read(t, shippedRules), "$1 0s")
	for name, text := range map[string]string{"prometheus.yml": cfg, "kmsctl-rules.yml": rules} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	web := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, prom, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+web)
	logf, err := os.Create(filepath.Join(dir, "prometheus.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("prometheus log:\n%s", b)
		}
	})
	api := "http://" + web
	// Wait (bounded by the test's own deadline, not timed) for Prometheus
	// to come up, scrape and evaluate.
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Minute)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("Prometheus never showed %s", what)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	// Listening is not ready: the API answers 503 until the TSDB is open,
	// which on a busy machine comes well after the port opens.
	waitFor("ready (/-/ready)", func() bool {
		resp, err := http.Get(api + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	type sample struct {
		Metric map[string]string
		Value  [2]any
	}
	query := func(q string) []sample {
		var v struct{ Result []sample }
		if err := json.Unmarshal(promQuery(t, api, "/api/v1/query", url.Values{"query": {q}}), &v); err != nil {
			t.Fatal(err)
		}
		return v.Result
	}
	count := fmt.Sprintf(`kmsctl_host_clients{job="kms",host=%q,group="Windows Server 2022 Standard"}`, healthy.Addr())
	waitFor("the healthy host's count", func() bool { return len(query(count)) > 0 })
	if s := query(count); len(s) != 1 || s[0].Value[1] != "50" || s[0].Metric["instance"] != healthy.Addr() {
		t.Errorf("%s = %v, want 50 with instance %s", count, s, healthy.Addr())
	}
	// The discovery job finds kms3 through the test DNS server.
	disc := `kmsctl_host_clients{job="kms_discovery",instance="corp.example.com"}`
	waitFor("the discovered host's count", func() bool { return len(query(disc)) > 0 })
	if s := query(disc); s[0].Metric["host"] != "kms3.corp.example.com:"+healthy.Port() {
		t.Errorf("%s: %v", disc, s)
	}

	type alert struct {
		Labels map[string]string
		State  string
	}
	firing := func(name, host string) bool {
		var v struct{ Alerts []alert }
		if err := json.Unmarshal(promQuery(t, api, "/api/v1/alerts", nil), &v); err != nil {
			t.Fatal(err)
		}
		for _, a := range v.Alerts {
			if a.Labels["alertname"] == name && a.Labels["host"] == host && a.State == "firing" {
				return true
			}
		}
		return false
	}
	waitFor("KMSCountBelowThreshold firing for the host below its threshold", func() bool {
		return firing("KMSCountBelowThreshold", below.Addr())
	})
	if firing("KMSCountBelowThreshold", healthy.Addr()) || firing("KMSHostDown", healthy.Addr()) {
		t.Error("an alert fires for the healthy host")
	}
}
