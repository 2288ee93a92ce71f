package exporter

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzParse feeds arbitrary query strings to the /probe parser: it never
// panics, a refusal is one line, and what it accepts stays within the caps.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"target=kms.example.com", "target=127.0.0.1:1688&product=Windows+Server+2019+Standard&protocol=6",
		"domain=corp.example", "target=[::1]:1688", "target=a&target=b", "product=%ff", "protocol=4&target=x",
		"target=-x", "domain=a..b", "target=" + strings.Repeat("a", 400),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return // net/http hands the handler only what it parsed
		}
		r, err := parse(q)
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
			len(r.targets) == 0 || len(r.targets) > MaxProducts:
			t.Fatalf("accepted %q as %+v", raw, r)
		}
	})
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
