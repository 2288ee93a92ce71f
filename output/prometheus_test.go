package output

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmsclient"
)

// promtool runs `promtool check metrics` (Debian's prometheus package)
// on an exposition when it is installed; .ci/run installs it.
func promtool(t *testing.T, exposition []byte) {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		t.Log("promtool not installed: exposition checked with expfmt only")
		return
	}
	cmd := exec.Command(path, "check", "metrics")
	cmd.Stdin = bytes.NewReader(exposition)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("promtool check metrics: %v\n%s\n--- exposition:\n%s", err, out, exposition)
	}
}

// A run in which kmsctl could not work and discovery failed is still a
// complete exposition: kmsctl_up 0, kmsctl_discovery_up 0 with DNS's code,
// the time of the run, and no host series.
func TestPrometheus_FailedRunIsComplete(t *testing.T) {
	disc := &kmsclient.Error{Code: hresult.DNSNoRecords, Kind: kmsclient.KindNetwork, Op: "discover", Err: errors.New("no _vlmcs._tcp SRV records")}
	run := PrometheusRun{Err: errors.New("state directory: permission denied"), End: time.Unix(1700000000, 0),
		Discovery: &PrometheusDiscovery{Domain: "corp.example.com", Err: disc}}
	var out bytes.Buffer
	if err := WritePrometheus(&out, run); err != nil {
		t.Fatal(err)
	}
	promtool(t, out.Bytes())
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(out.String()))
	if err != nil {
		t.Fatalf("expfmt: %v\n%s", err, out.String())
	}
	want := map[string]float64{"kmsctl_up": 0, "kmsctl_discovery_up": 0, "kmsctl_last_run_timestamp_seconds": 1700000000}
	if len(fams) != len(want) {
		t.Errorf("families %v, want exactly %v\n%s", keys(fams), want, out.String())
	}
	for name, v := range want {
		f := fams[name]
		if f == nil || len(f.Metric) != 1 || f.Metric[0].GetGauge().GetValue() != v {
			t.Errorf("%s: %v, want one sample %v", name, f, v)
		}
	}
	if l := fams["kmsctl_discovery_up"].GetMetric()[0].GetLabel(); len(l) != 2 || l[1].GetName() != "code" || l[1].GetValue() != "0x8007251D" {
		t.Errorf("discovery labels %v", l)
	}
}

func keys[V any](m map[string]V) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	return k
}
