package output

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/probe"
)

// promtool runs `promtool check metrics` (Debian's prometheus package)
// on an exposition when it is installed; .ci/run installs it.
func promtool(t *testing.T, exposition []byte) {
	t.Helper()
	if out, ran, err := promtoolCheck(t, exposition); ran && err != nil {
		t.Fatalf("promtool check metrics: %v\n%s\n--- exposition:\n%s", err, out, exposition)
	}
}

// promtoolCheck runs `promtool check metrics` on an exposition; ran is
// false (and logged) when promtool is not installed.
func promtoolCheck(t *testing.T, exposition []byte) (out []byte, ran bool, err error) {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		t.Log("promtool not installed: exposition checked without it")
		return nil, false, nil
	}
	cmd := exec.Command(path, "check", "metrics")
	cmd.Stdin = bytes.NewReader(exposition)
	out, err = cmd.CombinedOutput()
	return out, true, err
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

// BenchmarkWritePrometheus1000 renders a run of 1,000 hosts × 3 groups.
func BenchmarkWritePrometheus1000(b *testing.B) {
	var groups []probe.Group
	for _, name := range []string{"Windows 10 Enterprise", "Windows Server 2019 Standard", "Office Professional Plus 2019"} {
		groups = append(groups, probe.Group{Product: product(b, name), Protocol: 6, Result: &kmsclient.Result{Count: 50}, Self: 1})
	}
	hosts := make([]probe.Host, 1000)
	for i := range hosts {
		hosts[i] = probe.Host{Host: fmt.Sprintf("kms%d.corp.example.com:1688", i), Groups: groups, Duration: time.Millisecond}
	}
	run := PrometheusRun{Hosts: hosts, End: time.Unix(1700000000, 0)}
	var out bytes.Buffer
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		out.Reset()
		if err := WritePrometheus(&out, run); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(out.Len()), "bytes/exposition")
}
