package exporter_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/kmsctl/kmsctl/exporter"
	"github.com/kmsctl/kmsctl/output"
	"github.com/kmsctl/kmsctl/probe"
)

// The files shipped in deploy/.
const (
	shippedConfig    = "../deploy/prometheus/prometheus.yml"
	shippedRules     = "../deploy/prometheus/kmsctl-rules.yml"
	shippedDashboard = "../deploy/grafana/kmsctl-dashboard.json"
	shippedUnit      = "../deploy/systemd/kmsctl-exporter.service"
	shippedExporter  = "../deploy/kmsctl/exporter.yml"
)

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestShippedPrometheusFiles checks the rules and the scrape
// configuration with promtool, where Debian's prometheus package put it.
func TestShippedPrometheusFiles(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not installed (Debian package prometheus)")
	}
	for _, args := range [][]string{{"check", "rules", shippedRules}, {"check", "config", shippedConfig}} {
		if out, err := exec.Command(promtool, args...).CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// knownMetrics are the families kmsctl writes: a probe run's (every
// family PrometheusFamilies can produce) and the exporter's own.
func knownMetrics(t *testing.T) map[string]bool {
	known := map[string]bool{"up": true}
	run := output.PrometheusRun{Err: nil, Discovery: &output.PrometheusDiscovery{Domain: "corp.example"}, End: time.Unix(0, 0)}
	run.Hosts = probe.Fleet(t.Context(), []string{"127.0.0.1:1"}, nil, testClient, probe.Options{HostTimeout: time.Second}, 1, nil)
	for _, f := range output.PrometheusFamilies(run) {
		known[f.GetName()] = true
	}
	for _, name := range []string{output.MetricClients, output.MetricOtherClients, output.MetricSelfCounted, output.MetricThreshold,
		output.MetricActivationInterval, output.MetricRenewalInterval, output.MetricWarnings, output.MetricEPIDInfo} {
		known[name] = true // written only for groups that answered
	}
	base := serve(t, exporter.New(exporter.Config{Client: testClient}))
	get(t, base+"/probe?target=127.0.0.1:1") // so the vectors have children
	get(t, base+"/probe?target=bad:port:x")
	_, body := get(t, base+"/metrics")
	for name, f := range families(t, body) {
		known[name] = true
		if f.GetType() == dto.MetricType_HISTOGRAM {
			known[name+"_bucket"], known[name+"_sum"], known[name+"_count"] = true, true, true
		}
	}
	return known
}

// TestShippedFilesUseKnownMetrics fails when the rules or the dashboard
// name a metric kmsctl does not write (a rename left behind).
func TestShippedFilesUseKnownMetrics(t *testing.T) {
	known := knownMetrics(t)
	name := regexp.MustCompile(`\b(kmsctl_[a-z_]+|up\{)`)
	for _, file := range []string{shippedRules, shippedDashboard} {
		used := map[string]bool{}
		for _, m := range name.FindAllStringSubmatch(read(t, file), -1) {
			used[strings.TrimSuffix(m[1], "{")] = true
		}
		if len(used) < 3 {
			t.Errorf("%s: found only %v", file, used)
		}
		for n := range used {
			if !known[n] {
				t.Errorf("%s uses %s, which kmsctl does not write", file, n)
			}
		}
	}
}

func TestShippedDashboard(t *testing.T) {
	var d struct {
		Title  string
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal([]byte(read(t, shippedDashboard)), &d); err != nil {
		t.Fatal(err)
	}
	var exprs []string
	for _, p := range d.Panels {
		for _, q := range p.Targets {
			exprs = append(exprs, q.Expr)
		}
	}
	sort.Strings(exprs)
	for _, want := range []string{"kmsctl_host_clients", "kmsctl_host_threshold", "kmsctl_host_up", "kmsctl_probe_duration_seconds"} {
		found := false
		for _, e := range exprs {
			found = found || strings.Contains(e, want)
		}
		if !found {
			t.Errorf("the dashboard shows no %s", want)
		}
	}
}

// TestShippedSystemdUnit checks the unit's hardening and, where systemd
// is installed, that systemd-analyze accepts it.
func TestShippedSystemdUnit(t *testing.T) {
	unit := read(t, shippedUnit)
	for _, want := range []string{"DynamicUser=yes", "StateDirectory=kmsctl", "Environment=KMSCTL_STATE_DIR=%S/kmsctl",
		"ProtectSystem=strict", "NoNewPrivileges=yes", "ProtectHome=yes", "CapabilityBoundingSet=\n",
		"ExecStart=/usr/local/bin/kmsctl exporter --config /etc/kmsctl/exporter.yml", "ExecReload=/bin/kill -HUP $MAINPID"} {
		if !strings.Contains(unit, want) {
			t.Errorf("the unit lacks %q", want)
		}
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed")
	}
	// Verify a copy whose ExecStart names a binary that exists here.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	copy := filepath.Join(t.TempDir(), "kmsctl-exporter.service")
	if err := os.WriteFile(copy, []byte(strings.ReplaceAll(unit, "/usr/local/bin/kmsctl", self)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(analyze, "verify", copy).CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}
