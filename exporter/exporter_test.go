package exporter_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/discovery"
	"github.com/kmsctl/kmsctl/discovery/dnstest"
	"github.com/kmsctl/kmsctl/exporter"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/internal/testdir"
	"github.com/kmsctl/kmsctl/kmsclient/kmstest"
	"github.com/kmsctl/kmsctl/probe"
	"github.com/kmsctl/kmsctl/selfcount"
)

var testClient = probe.Client{CMID: guid.MustParse("3f2504e0-4f89-41d3-9a0c-0305e82c3301"), Workstation: "monitor.test"}

// serve runs e on a loopback port until the test ends and returns its
// base URL.
func serve(t testing.TB, e *exporter.Exporter) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Serve(ctx, ln, 5*time.Second) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// get fetches u and returns the status and body.
func get(t *testing.T, u string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// families parses an exposition with the Prometheus library's parser.
func families(t *testing.T, text string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("exposition does not parse: %v\n%s", err, text)
	}
	return fams
}

// value is the sample of family name whose labels include want (name,
// value pairs); ok is false when there is none.
func value(fams map[string]*dto.MetricFamily, name string, want ...string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.Metric {
		for i := 0; i+1 < len(want); i += 2 {
			found := false
			for _, l := range m.Label {
				if l.GetName() == want[i] && l.GetValue() == want[i+1] {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

func product(t *testing.T, name string) catalogue.Product {
	t.Helper()
	p, err := catalogue.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProbeTarget(t *testing.T) {
	host := kmstest.Start(t, kmstest.Options{FixedCount: 50})
	base := serve(t, exporter.New(exporter.Config{Client: testClient}))
	q := url.Values{"target": {host.Addr()}, "product": {"Windows Server 2019 Standard", "Office Professional Plus 2019"}, "protocol": {"6"}}
	for range 3 {
		code, body := get(t, base+"/probe?"+q.Encode())
		if code != 200 {
			t.Fatalf("status %d: %s", code, body)
		}
		fams := families(t, body)
		if v, ok := value(fams, "kmsctl_host_up", "host", host.Addr()); !ok || v != 1 {
			t.Fatalf("kmsctl_host_up = %v, %v\n%s", v, ok, body)
		}
		if v, ok := value(fams, "kmsctl_host_clients", "host", host.Addr(), "group", "Windows Server 2019 Standard"); !ok || v != 50 {
			t.Errorf("kmsctl_host_clients = %v, %v\n%s", v, ok, body)
		}
		if v, ok := value(fams, "kmsctl_host_threshold", "group", "Office Professional Plus 2019"); !ok || v != 5 {
			t.Errorf("kmsctl_host_threshold = %v, %v", v, ok)
		}
		if v, ok := value(fams, "kmsctl_host_epid_info", "group", "Office Professional Plus 2019", "epid", kmstest.DefaultEPID, "os_build", "17763", "hwid", "3A1C049600B60076"); !ok || v != 1 {
			t.Errorf("kmsctl_host_epid_info = %v, %v\n%s", v, ok, body)
		}
		if v, ok := value(fams, "kmsctl_host_renewal_interval_seconds", "group", "Office Professional Plus 2019"); !ok || v != kmstest.DefaultRenewalInterval*60 {
			t.Errorf("kmsctl_host_renewal_interval_seconds = %v, %v", v, ok)
		}
	}
	for _, p := range []string{"Windows Server 2019 Standard", "Office Professional Plus 2019"} {
		if n := host.CMIDs(product(t, p).KMSID); n != 1 {
			t.Errorf("%s: the host saw %d CMIDs over three scrapes, want the exporter's one", p, n)
		}
	}
	for _, r := range host.Requests() {
		if r.CMID != testClient.CMID {
			t.Errorf("a request carried CMID %s, not the exporter's", r.CMID)
		}
	}
	code, body := get(t, base+"/metrics")
	fams := families(t, body)
	if v, _ := value(fams, "kmsctl_exporter_probes_total", "kind", "target", "result", "ok"); code != 200 || v != 3 {
		t.Errorf("/metrics: probes_total{ok} = %v (status %d)", v, code)
	}
	if v, _ := value(fams, "kmsctl_exporter_probe_duration_seconds", "kind", "target"); v != 3 {
		t.Errorf("duration histogram holds %v probes, want 3", v)
	}
	if _, ok := value(fams, "go_goroutines"); !ok {
		t.Error("/metrics has no Go runtime metrics")
	}
	if _, ok := value(fams, "process_start_time_seconds"); !ok && runtime.GOOS == "linux" {
		t.Error("/metrics has no process metrics")
	}
}

// A host that is down is data, with HTTP 200, as blackbox_exporter does.
func TestProbeHostDown(t *testing.T) {
	host := kmstest.Start(t, kmstest.Options{Misbehave: kmstest.Refuse})
	base := serve(t, exporter.New(exporter.Config{Client: testClient}))
	code, body := get(t, base+"/probe?target="+url.QueryEscape(host.Addr()))
	if code != 200 {
		t.Fatalf("status %d: %s", code, body)
	}
	fams := families(t, body)
	if v, ok := value(fams, "kmsctl_host_up", "host", host.Addr()); !ok || v != 0 {
		t.Errorf("kmsctl_host_up = %v, %v", v, ok)
	}
	if _, ok := value(fams, "kmsctl_host_clients"); ok {
		t.Error("a failed host has a count")
	}
	_, m := get(t, base+"/metrics")
	if v, _ := value(families(t, m), "kmsctl_exporter_probes_total", "result", "failed"); v != 1 {
		t.Errorf("probes_total{failed} = %v", v)
	}
}

func TestBadRequests(t *testing.T) {
	base := serve(t, exporter.New(exporter.Config{Client: testClient}))
	long := strings.Repeat("a", 400)
	many := url.Values{"target": {"127.0.0.1"}}
	for range exporter.MaxProducts + 1 {
		many.Add("product", "Windows Server 2019 Standard")
	}
	for _, q := range []string{
		"",
		"target=",
		"target=a&target=b",
		"target=127.0.0.1&domain=example.com",
		"target=127.0.0.1:99999",
		"target=-x",
		"target=[::1",
		"target=" + long,
		"target=127.0.0.1&protocol=7",
		"target=127.0.0.1&protocol=six",
		"target=127.0.0.1&product=no+such+product+at+all",
		"target=127.0.0.1&module=kms",
		"domain=exa%20mple.com",
		"domain=" + long,
		"domain=a..b",
		many.Encode(),
		"target=%ff%fe",
	} {
		code, body := get(t, base+"/probe?"+q)
		if code != 400 || strings.Count(strings.TrimSuffix(body, "\n"), "\n") != 0 || len(body) < 5 {
			t.Errorf("/probe?%.60s: status %d, body %q; want 400 and one line", q, code, body)
		}
	}
	_, m := get(t, base+"/metrics")
	if v, _ := value(families(t, m), "kmsctl_exporter_scrapes_rejected_total", "reason", "bad_request"); v != 17 {
		t.Errorf("scrapes_rejected_total{bad_request} = %v, want 17", v)
	}
}

// A query string url.ParseQuery refuses (a ';', a bad escape) says it is
// malformed: r.URL.Query dropped the pair and answered "missing target"
// for a query that names one.
func TestProbeMalformedQuery(t *testing.T) {
	base := serve(t, exporter.New(exporter.Config{Client: testClient}))
	for _, q := range []string{"target=kms01;", "target=kms01&%zz"} {
		code, body := get(t, base+"/probe?"+q)
		if code != 400 || !strings.HasPrefix(body, "malformed query string: ") || strings.Contains(body, "missing target") {
			t.Errorf("/probe?%s: %d %q; want 400 saying the query is malformed", q, code, body)
		}
	}
}

// A target written as a URL is refused with words that say so, not
// "port \"//x\" is not a number".
func TestProbeTargetURL(t *testing.T) {
	base := serve(t, exporter.New(exporter.Config{Client: testClient}))
	code, body := get(t, base+"/probe?target="+url.QueryEscape("http://x"))
	if code != 400 || !strings.Contains(body, `remove the scheme "http://"`) || strings.Contains(body, "not a number") {
		t.Errorf("/probe?target=http://x: %d %q; want 400 saying to remove the scheme", code, body)
	}
}

func TestPages(t *testing.T) {
	base := serve(t, exporter.New(exporter.Config{Client: testClient, Version: "v1.2.3<"}))
	if code, body := get(t, base+"/"); code != 200 || !strings.Contains(body, "/probe?target=") || !strings.Contains(body, "v1.2.3&lt;") {
		t.Errorf("/: %d %s", code, body)
	}
	if code, body := get(t, base+"/-/healthy"); code != 200 || body != "Healthy\n" {
		t.Errorf("/-/healthy: %d %q", code, body)
	}
	if code, _ := get(t, base+"/nothing"); code != 404 {
		t.Errorf("/nothing: %d", code)
	}
}

// waitMetric polls /metrics until name (with labels) has value v; the
// test's own deadline bounds it.
func waitMetric(t *testing.T, base string, v float64, name string, labels ...string) {
	t.Helper()
	for {
		_, body := get(t, base+"/metrics")
		if got, _ := value(families(t, body), name, labels...); got == v {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// With every slot busy and no room to wait, a scrape fails at once with
// 503 and a metric saying why; with room, it waits until its own scrape
// timeout and then fails the same way.
func TestConcurrencyCap(t *testing.T) {
	stall := kmstest.Start(t, kmstest.Options{Misbehave: kmstest.Stall})
	for _, tc := range []struct {
		queue  int
		reason string
	}{{-1, "queue_full"}, {1, "queue_timeout"}} {
		t.Run(tc.reason, func(t *testing.T) {
			base := serve(t, exporter.New(exporter.Config{Client: testClient, Concurrency: 1, Queue: tc.queue, Timeout: time.Minute}))
			// The first scrape holds the one slot until its 4.5 s
			// (scrape timeout less the margin) run out: long enough that
			// the second scrape's 0.1 s wait ends while the slot is still
			// held, however slowly a loaded machine polls the metric.
			first := make(chan int, 1)
			go func() {
				code, _ := get(t, base+"/probe?target="+stall.Addr(), "X-Prometheus-Scrape-Timeout-Seconds", "5")
				first <- code
			}()
			waitMetric(t, base, 1, "kmsctl_exporter_probes_in_flight")
			code, body := get(t, base+"/probe?target="+stall.Addr(), "X-Prometheus-Scrape-Timeout-Seconds", "0.6")
			if code != 503 || !strings.HasPrefix(body, tc.reason) {
				t.Errorf("second scrape: %d %q, want 503 %s", code, body, tc.reason)
			}
			_, m := get(t, base+"/metrics")
			if v, _ := value(families(t, m), "kmsctl_exporter_scrapes_rejected_total", "reason", tc.reason); v != 1 {
				t.Errorf("scrapes_rejected_total{%s} = %v", tc.reason, v)
			}
			if code := <-first; code != 200 {
				t.Errorf("first scrape: %d", code)
			}
		})
	}
}

func TestProbeTimeoutFromHeader(t *testing.T) {
	stall := kmstest.Start(t, kmstest.Options{Misbehave: kmstest.Stall})
	base := serve(t, exporter.New(exporter.Config{Client: testClient, Timeout: time.Minute}))
	start := time.Now()
	code, body := get(t, base+"/probe?target="+stall.Addr(), "X-Prometheus-Scrape-Timeout-Seconds", "0.8")
	took := time.Since(start)
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	fams := families(t, body)
	if v, ok := value(fams, "kmsctl_host_up"); !ok || v != 0 {
		t.Errorf("a stalled host: kmsctl_host_up %v, %v", v, ok)
	}
	// Not a timing assertion: a probe bounded by the one-minute ceiling
	// instead of the header would not have answered for a minute.
	if took > 30*time.Second {
		t.Errorf("the probe took %v: the scrape timeout header was ignored", took)
	}
}

// SIGINT/SIGTERM end Serve's context: a probe in flight still gets its
// answer, then Serve returns and the port is closed.
func TestGracefulShutdown(t *testing.T) {
	stall := kmstest.Start(t, kmstest.Options{Misbehave: kmstest.Stall})
	e := exporter.New(exporter.Config{Client: testClient, Timeout: time.Second})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Serve(ctx, ln, time.Minute) }()
	var wg sync.WaitGroup
	var code int
	var body string
	wg.Add(1)
	go func() { defer wg.Done(); code, body = get(t, base+"/probe?target="+stall.Addr()) }()
	waitMetric(t, base, 1, "kmsctl_exporter_probes_in_flight")
	cancel()
	wg.Wait()
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if code != 200 || !strings.Contains(body, fmt.Sprintf("kmsctl_host_up{host=%q} 0", stall.Addr())) {
		t.Errorf("the probe in flight got %d %s", code, body)
	}
	if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		t.Error("still accepting after shutdown")
	}
}

func TestProbeDomain(t *testing.T) {
	up := kmstest.Start(t, kmstest.Options{FixedCount: 30})
	down := kmstest.Start(t, kmstest.Options{Misbehave: kmstest.Refuse})
	srv := dnstest.Start(t, dnstest.Zone{Records: []string{
		fmt.Sprintf("_vlmcs._tcp.corp.example. 3600 IN SRV 0 0 %s kms1.corp.example.", up.Port()),
		fmt.Sprintf("_vlmcs._tcp.corp.example. 3600 IN SRV 10 0 %s kms2.corp.example.", down.Port()),
		"_vlmcs._tcp.corp.example. 3600 IN SRV 20 0 1688 nowhere.corp.example.",
		"kms1.corp.example. 3600 IN A 127.0.0.1",
		"kms2.corp.example. 3600 IN A 127.0.0.1",
	}})
	base := serve(t, exporter.New(exporter.Config{Client: testClient, Discovery: discovery.Options{Server: srv.Addr()}}))
	code, body := get(t, base+"/probe?domain=corp.example&product=Windows+Server+2019+Standard")
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	fams := families(t, body)
	for host, want := range map[string]float64{
		"kms1.corp.example:" + up.Port():   1,
		"kms2.corp.example:" + down.Port(): 0,
		"nowhere.corp.example:1688":        0,
	} {
		if v, ok := value(fams, "kmsctl_host_up", "host", host); !ok || v != want {
			t.Errorf("kmsctl_host_up{host=%q} = %v, %v; want %v\n%s", host, v, ok, want, body)
		}
	}
	if v, ok := value(fams, "kmsctl_host_clients", "host", "kms1.corp.example:"+up.Port()); !ok || v != 30 {
		t.Errorf("kms1's count: %v, %v", v, ok)
	}
	if v, ok := value(fams, "kmsctl_discovery_up", "domain", "corp.example"); !ok || v != 1 {
		t.Errorf("kmsctl_discovery_up = %v, %v", v, ok)
	}
	code, body = get(t, base+"/probe?domain=empty.example")
	if v, ok := value(families(t, body), "kmsctl_discovery_up", "domain", "empty.example"); code != 200 || !ok || v != 0 {
		t.Errorf("a domain without records: %d, kmsctl_discovery_up %v %v\n%s", code, v, ok, body)
	}
}

// With a state directory the exporter records the hosts it asked, as
// status does, so its own share of each count is known to both.
func TestProbeRecordsSelfCount(t *testing.T) {
	host := kmstest.Start(t, kmstest.Options{})
	dir := testdir.Private(t)
	base := serve(t, exporter.New(exporter.Config{Client: testClient, StateDir: dir}))
	code, body := get(t, base+"/probe?target="+host.Addr()+"&product=Windows+Server+2019+Standard")
	fams := families(t, body)
	if v, ok := value(fams, "kmsctl_host_self_counted"); code != 200 || !ok || v != 1 {
		t.Errorf("self_counted %v %v (%d)", v, ok, code)
	}
	// A host counting only the exporter: 1 client, 0 others.
	if v, _ := value(fams, "kmsctl_host_other_clients"); v != 0 {
		t.Errorf("other_clients %v, want 0", v)
	}
	if v, _ := value(fams, "kmsctl_up"); v != 1 {
		t.Errorf("kmsctl_up %v", v)
	}
	rec, err := os.ReadFile(filepath.Join(dir, selfcount.FileName))
	if err != nil || !strings.Contains(string(rec), host.Addr()) || !strings.Contains(string(rec), testClient.CMID.String()) {
		t.Errorf("the record: %v\n%s", err, rec)
	}
}

// The answer comes in the format the scraper accepts (the text format by
// default, protobuf when asked), whole, with its length.
func TestAnswerFormats(t *testing.T) {
	host := kmstest.Start(t, kmstest.Options{FixedCount: 50})
	base := serve(t, exporter.New(exporter.Config{Client: testClient}))
	u := base + "/probe?target=" + url.QueryEscape(host.Addr()) + "&product=Windows+Server+2019+Standard"
	for _, accept := range []string{"", "text/plain;version=0.0.4;q=0.9,*/*;q=0.1",
		"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3"} {
		req, err := http.NewRequest("GET", u, nil)
		if err != nil {
			t.Fatal(err)
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 || resp.ContentLength != int64(len(body)) || len(resp.TransferEncoding) != 0 {
			t.Errorf("Accept %q: status %d, Content-Length %d for %d bytes, transfer encoding %v", accept, resp.StatusCode, resp.ContentLength, len(body), resp.TransferEncoding)
		}
		format := expfmt.ResponseFormat(resp.Header)
		wantType := expfmt.TypeTextPlain
		if strings.Contains(accept, "protobuf") {
			wantType = expfmt.TypeProtoDelim
		}
		if format.FormatType() != wantType {
			t.Errorf("Accept %q: Content-Type %q", accept, resp.Header.Get("Content-Type"))
		}
		fams := map[string]*dto.MetricFamily{}
		dec := expfmt.NewDecoder(strings.NewReader(string(body)), format)
		for {
			var f dto.MetricFamily
			if err := dec.Decode(&f); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("Accept %q: %v", accept, err)
			}
			fams[f.GetName()] = &f
		}
		if v, ok := value(fams, "kmsctl_host_clients", "host", host.Addr()); !ok || v != 50 {
			t.Errorf("Accept %q: kmsctl_host_clients = %v, %v", accept, v, ok)
		}
	}
}
