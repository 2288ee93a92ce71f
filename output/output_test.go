package output

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/probe"
)

// The --check bounds are tested where they live (probe's TestLimitsBounds).
func TestSlug(t *testing.T) {
	if s := slug("kms1.corp:1688 / Windows 10/11"); s != "kms1_corp_1688_windows_10_11" {
		t.Errorf("slug = %q", s)
	}
}

func product(t testing.TB, name string) catalogue.Product {
	t.Helper()
	p, err := catalogue.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPrometheus_ParsesWithExpfmt checks the exposition text with the
// Prometheus project's own parser.
func TestPrometheus_ParsesWithExpfmt(t *testing.T) {
	win := product(t, "Windows 10 Enterprise")
	hosts := []probe.Host{
		{Host: `kms1.corp.example.com`, Duration: 1500 * time.Microsecond,
			Groups: []probe.Group{{Product: win, Protocol: 6, Result: &kmsclient.Result{Count: 50}, Self: 1}}},
		{Host: `odd"host\name`, Err: errors.New("refused"),
			Groups: []probe.Group{{Product: win, Protocol: 6}}},
	}
	var out bytes.Buffer
	run := PrometheusRun{Hosts: hosts, End: time.Unix(1700000000, 5e8),
		Discovery: &PrometheusDiscovery{Domain: "corp.example.com"}}
	if err := WritePrometheus(&out, run); err != nil {
		t.Fatal(err)
	}
	promtool(t, out.Bytes())
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(out.String()))
	if err != nil {
		t.Fatalf("expfmt: %v\n%s", err, out.String())
	}
	val := func(name string, labels map[string]string) (float64, bool) {
		f := fams[name]
		if f == nil {
			return 0, false
		}
	next:
		for _, m := range f.Metric {
			for _, l := range m.Label {
				if want, ok := labels[l.GetName()]; ok && want != l.GetValue() {
					continue next
				}
			}
			return m.GetGauge().GetValue(), true
		}
		return 0, false
	}
	checks := []struct {
		name   string
		labels map[string]string
		want   float64
		ok     bool
	}{
		{"kmsctl_host_up", map[string]string{"host": "kms1.corp.example.com"}, 1, true},
		{"kmsctl_host_up", map[string]string{"host": `odd"host\name`}, 0, true},
		{"kmsctl_up", nil, 1, true},
		{"kmsctl_last_run_timestamp_seconds", nil, 1700000000.5, true},
		{"kmsctl_discovery_up", map[string]string{"domain": "corp.example.com", "code": "0x00000000"}, 1, true},
		{"kmsctl_host_clients", map[string]string{"host": "kms1.corp.example.com", "group": win.Name}, 50, true},
		{"kmsctl_host_other_clients", map[string]string{"host": "kms1.corp.example.com", "group": win.Name}, 49, true},
		{"kmsctl_host_self_counted", map[string]string{"host": "kms1.corp.example.com", "group": win.Name}, 1, true},
		{"kmsctl_host_clients", map[string]string{"host": `odd"host\name`}, 0, false},
		{"kmsctl_host_other_clients", map[string]string{"host": `odd"host\name`}, 0, false},
		{"kmsctl_host_count", nil, 0, false},
		{"kmsctl_host_threshold", map[string]string{"host": `odd"host\name`}, 25, true},
		{"kmsctl_probe_duration_seconds", map[string]string{"host": "kms1.corp.example.com"}, 0.0015, true},
	}
	for _, c := range checks {
		got, ok := val(c.name, c.labels)
		if ok != c.ok || got != c.want {
			t.Errorf("%s%v = %v (present %v), want %v (present %v)", c.name, c.labels, got, ok, c.want, c.ok)
		}
	}
}

func TestProgressBar(t *testing.T) {
	if got := progressBar(5, 10, 10); got != "[#####.....]" {
		t.Errorf("%q", got)
	}
	// Not a terminal: nothing is drawn and stop is safe.
	s := &Streams{Out: &bytes.Buffer{}, Err: &bytes.Buffer{}}
	update, stop := s.Progress(true)
	if update != nil {
		t.Error("progress on a non-terminal")
	}
	stop()
}
