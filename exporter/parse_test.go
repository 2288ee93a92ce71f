package exporter

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kmsctl/kmsctl/exporter/config"
	"github.com/kmsctl/kmsctl/kmsaddr"
)

// testModules are what a --config file with two modules, one of them
// the default, gives parse.
var testModules = func() map[string]config.Module {
	f, err := config.Parse("test.yml", []byte(`
modules:
  default:
    products: [Windows Server 2019 Standard]
  office:
    products: [Office Professional Plus 2019, Office LTSC Professional Plus 2021]
    protocol: 6
    timeout: 2s
    port: 1689
`))
	if err != nil {
		panic(err)
	}
	return f.Modules
}()

// FuzzParse feeds arbitrary query strings to the /probe parser: it never
// panics, a refusal is one line, and what it accepts stays within the caps.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"target=kms.example.com", "target=127.0.0.1:1688&product=Windows+Server+2019+Standard&protocol=6",
		"domain=corp.example", "target=[::1]:1688", "target=a&target=b", "product=%ff", "protocol=4&target=x",
		"target=-x", "domain=a..b", "target=" + strings.Repeat("a", 400),
		"target=kms&module=office", "target=[::1]&module=office", "target=::1&module=office&protocol=5",
		"module=nope&target=x", "module=default&domain=corp.example&product=Office+Professional+Plus+2019",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return // net/http hands the handler only what it parsed
		}
		r, err := parse(q, testModules)
		if err != nil {
			if msg := err.Error(); msg == "" || strings.Contains(msg, "\n") {
				t.Fatalf("refusal %q is not one line", msg)
			}
			return
		}
		switch {
		case r.kind == "target" && (r.target == "" || len(r.target) > maxParam || r.domain != ""),
			r.kind == "domain" && (r.domain == "" || len(r.domain) > maxParam || r.target != ""),
			r.kind != "target" && r.kind != "domain",
			len(r.targets) == 0 || len(r.targets) > MaxProducts,
			r.kind == "target" && probeAddress(r.target) != nil:
			t.Fatalf("accepted %q as %+v", raw, r)
		}
	})
}

func probeAddress(t string) error {
	_, err := kmsaddr.Parse(t)
	return err
}

// A module gives products, protocol, timeout and port; the query's
// product and protocol replace the module's; no module is the default one.
func TestParseModules(t *testing.T) {
	for _, tc := range []struct {
		query, target string
		products      []string
		protocol      int
		timeout       time.Duration
	}{
		{"target=kms", "kms", []string{"Windows Server 2019 Standard"}, 0, 0},
		{"target=kms&module=office", "kms:1689", []string{"Office Professional Plus 2019", "Office LTSC Professional Plus 2021"}, 6, 2 * time.Second},
		{"target=kms:1688&module=office", "kms:1688", []string{"Office Professional Plus 2019", "Office LTSC Professional Plus 2021"}, 6, 2 * time.Second},
		{"target=[::1]&module=office", "[::1]:1689", []string{"Office Professional Plus 2019", "Office LTSC Professional Plus 2021"}, 6, 2 * time.Second},
		{"target=::1&module=office", "[::1]:1689", []string{"Office Professional Plus 2019", "Office LTSC Professional Plus 2021"}, 6, 2 * time.Second},
		{"target=kms&module=office&protocol=4&product=Windows+Server+2022+Standard", "kms:1689", []string{"Windows Server 2022 Standard"}, 4, 2 * time.Second},
	} {
		q, _ := url.ParseQuery(tc.query)
		r, err := parse(q, testModules)
		if err != nil {
			t.Errorf("%s: %v", tc.query, err)
			continue
		}
		var got []string
		for _, x := range r.targets {
			got = append(got, x.Product.Name)
			if x.Protocol != tc.protocol {
				t.Errorf("%s: protocol %d, want %d", tc.query, x.Protocol, tc.protocol)
			}
		}
		if r.target != tc.target || strings.Join(got, "|") != strings.Join(tc.products, "|") || r.timeout != tc.timeout {
			t.Errorf("%s: target %q products %q timeout %v; want %q %q %v", tc.query, r.target, got, r.timeout, tc.target, tc.products, tc.timeout)
		}
	}
	for query, want := range map[string]string{
		"target=kms&module=nope":                        `unknown module "nope": the configuration has modules default, office`,
		"target=kms&module=a&module=b":                  "module given more than once",
		"target=kms&module=" + strings.Repeat("m", 400): "module longer than 300 characters",
		"domain=": "empty target or domain: /probe?target=HOST[:PORT] or /probe?domain=DOMAIN",
		"target=&product=Office+Professional+Plus+2019": "empty target or domain: /probe?target=HOST[:PORT] or /probe?domain=DOMAIN",
		"product=Office+Professional+Plus+2019":         "missing target: /probe?target=HOST[:PORT] or /probe?domain=DOMAIN",
	} {
		q, _ := url.ParseQuery(query)
		if _, err := parse(q, testModules); err == nil || err.Error() != want {
			t.Errorf("%.40s: %v, want %q", query, err, want)
		}
	}
	q, _ := url.ParseQuery("target=kms&module=office")
	if _, err := parse(q, nil); err == nil || !strings.Contains(err.Error(), "without --config") {
		t.Errorf("a module without --config: %v", err)
	}
}

func TestProbeTimeout(t *testing.T) {
	e := New(Config{Timeout: 10 * time.Second})
	for header, want := range map[string]time.Duration{
		"":      10 * time.Second, // no header: the ceiling
		"5":     4500 * time.Millisecond,
		"60":    10 * time.Second, // capped by --timeout
		"0.8":   400 * time.Millisecond,
		"0.1":   50 * time.Millisecond,
		"-1":    10 * time.Second,
		"junk":  10 * time.Second,
		"1e300": 10 * time.Second,
	} {
		h := http.Header{}
		if header != "" {
			h.Set("X-Prometheus-Scrape-Timeout-Seconds", header)
		}
		if got := e.probeTimeout(h); got != want {
			t.Errorf("header %q: %v, want %v", header, got, want)
		}
	}
}
