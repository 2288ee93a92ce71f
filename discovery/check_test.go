package discovery_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/discovery"
	"github.com/kmsctl/kmsctl/discovery/dnstest"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/kmsclient/kmstest"
	"github.com/kmsctl/kmsctl/probe"
	"github.com/miekg/dns"
)

// dial is the try callback a caller would pass: connect and bind.
func dial(ctx context.Context, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	c, err := kmsclient.Dial(ctx, addr, kmsclient.Options{})
	if err != nil {
		return err
	}
	return c.Close()
}

// Discovery gives the addresses in the order a client fails over
// between them: the preferred record's host first.
func TestDiscoverAddrsInFailoverOrder(t *testing.T) {
	refusing := kmstest.Start(t, kmstest.Options{Misbehave: kmstest.Refuse})
	good := kmstest.Start(t, kmstest.Options{})
	srv := dnstest.Start(t, dnstest.Zone{Records: []string{
		fmt.Sprintf("_vlmcs._tcp.corp.example. 3600 IN SRV 0 0 %s kms1.corp.example.", refusing.Port()),
		fmt.Sprintf("_vlmcs._tcp.corp.example. 3600 IN SRV 10 0 %s kms2.corp.example.", good.Port()),
		"kms1.corp.example. 3600 IN A 127.0.0.1",
		"kms2.corp.example. 3600 IN A 127.0.0.1",
	}})
	ctx := ctxFor(t, 5*time.Second)
	res, err := discovery.Discover(ctx, "corp.example", options(srv))
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Addrs(); !slices.Equal(got, []string{refusing.Addr(), good.Addr()}) {
		t.Fatalf("Addrs() = %v", got)
	}
}

// probeEPID is Check's callback: ask the host about one product group.
func probeEPID(t *testing.T) func(ctx context.Context, addr string) (string, error) {
	p, err := catalogue.Lookup("Windows 10 Enterprise")
	if err != nil {
		t.Fatal(err)
	}
	return func(ctx context.Context, addr string) (string, error) {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		h := probe.Probe(ctx, addr, []probe.Target{{Product: p}}, probe.Client{Workstation: "test"}, probe.Options{})
		if h.Err != nil {
			return "", h.Err
		}
		if g := h.Groups[0]; g.Err != nil {
			return "", g.Err
		}
		return h.Groups[0].Result.EPID, nil
	}
}

func TestCheck_Report(t *testing.T) {
	good := kmstest.Start(t, kmstest.Options{})
	refusing := kmstest.Start(t, kmstest.Options{Misbehave: kmstest.Refuse})
	srv := dnstest.Start(t, dnstest.Zone{Records: []string{
		fmt.Sprintf("_vlmcs._tcp.corp.example. 3600 IN SRV 0 100 %s kms1.corp.example.", good.Port()),
		fmt.Sprintf("_vlmcs._tcp.corp.example. 3600 IN SRV 0 50 %s KMS1.corp.example.", good.Port()),
		fmt.Sprintf("_vlmcs._tcp.corp.example. 3600 IN SRV 0 10 %s alias.corp.example.", good.Port()),
		fmt.Sprintf("_vlmcs._tcp.corp.example. 3600 IN SRV 5 0 %s old.corp.example.", refusing.Port()),
		"_vlmcs._tcp.corp.example. 3600 IN SRV 9 0 1688 gone.corp.example.",
		"kms1.corp.example. 3600 IN A 127.0.0.1",
		"alias.corp.example. 3600 IN CNAME kms1.corp.example.",
		"old.corp.example. 3600 IN A 127.0.0.1",
	}})
	rep, err := discovery.Check(ctxFor(t, 10*time.Second), "corp.example", options(srv), probeEPID(t))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Domain != domain || rep.Name != "_vlmcs._tcp.corp.example." || rep.Server != srv.Addr() || rep.Capped != 0 {
		t.Errorf("report header %q %q %q %d", rep.Domain, rep.Name, rep.Server, rep.Capped)
	}
	type row struct {
		target           string
		prio, weight     uint16
		addrs            int
		answering, dup   bool
		dead, resolveErr bool
	}
	want := []row{
		{"kms1.corp.example.", 0, 100, 1, true, false, false, false},
		{"KMS1.corp.example.", 0, 50, 1, true, true, false, false},
		{"alias.corp.example.", 0, 10, 1, true, false, false, false},
		{"old.corp.example.", 5, 0, 1, false, false, true, false},
		{"gone.corp.example.", 9, 0, 0, false, false, true, true},
	}
	if len(rep.Records) != len(want) {
		t.Fatalf("%d records: %+v", len(rep.Records), rep.Records)
	}
	for i, w := range want {
		r := rep.Records[i]
		got := row{r.Target, r.Priority, r.Weight, len(r.Addrs), r.Answering(), r.Duplicate, r.Dead, r.ResolveErr != nil}
		if got != w {
			t.Errorf("record %d = %+v, want %+v", i, got, w)
		}
	}
	if p := rep.Records[0].Probes; len(p) != 1 || p[0].EPID != kmstest.DefaultEPID || p[0].Addr != good.Addr() || p[0].Err != nil {
		t.Errorf("probe of kms1: %+v", p)
	}
	if p := rep.Records[3].Probes; len(p) != 1 || p[0].Err == nil {
		t.Errorf("probe of the refusing host: %+v", p)
	}
	wantCode(t, rep.Records[4].ResolveErr, hresult.HostNotFound, discovery.ErrNameError)
	if got, want := rep.Records[0].ZoneLine, "_vlmcs._tcp.corp.example. 3600 IN SRV 0 100 "+good.Port()+" kms1.corp.example."; got != want {
		t.Errorf("zone line %q, want %q", got, want)
	}
	// One address:port, three records: probed once.
	if n := good.Connections(); n != 1 {
		t.Errorf("the good host was probed over %d connections, want 1", n)
	}
	if len(rep.Attempts) == 0 || rep.Attempts[0].Type != "SRV" {
		t.Errorf("attempts %v", rep.Attempts)
	}
}

func TestCheck_LookupFailureStillReports(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Zone{Records: []string{"other.example. 60 IN A 127.0.0.1"}})
	rep, err := discovery.Check(ctxFor(t, 5*time.Second), "corp.example", options(srv), nil)
	wantCode(t, err, hresult.DNSNameError, discovery.ErrNameError)
	if rep == nil || rep.Domain != domain || len(rep.Records) != 0 || len(rep.Attempts) != 1 || rep.Attempts[0].Result != "NXDOMAIN" {
		t.Errorf("report %+v", rep)
	}
	if rep != nil && rep.Server != srv.Addr() {
		t.Errorf("report names server %q, want %q (the one that answered NXDOMAIN)", rep.Server, srv.Addr())
	}
}

// The zone line carries the TTL the server served, not ZoneTTL.
func TestCheck_ZoneLineKeepsServedTTL(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Zone{Records: []string{
		"_vlmcs._tcp.corp.example. 300 IN SRV 0 0 1688 kms1.corp.example.",
		"kms1.corp.example. 300 IN A 127.0.0.1",
	}})
	rep, err := discovery.Check(ctxFor(t, 5*time.Second), "corp.example", options(srv), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Records) != 1 {
		t.Fatalf("records %+v", rep.Records)
	}
	if r := rep.Records[0]; r.TTL != 300 || r.ZoneLine != "_vlmcs._tcp.corp.example. 300 IN SRV 0 0 1688 kms1.corp.example." {
		t.Errorf("TTL %d, zone line %q; want 300 in both", r.TTL, r.ZoneLine)
	}
}

func TestHost_Name(t *testing.T) {
	h := discovery.Host{SRV: discovery.SRV{Target: "kms1.corp.example.com.", Port: 1688}}
	if got := h.Name(); got != "kms1.corp.example.com:1688" {
		t.Errorf("Name() = %q", got)
	}
}

func TestCheck_WithoutProbe(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Zone{Records: []string{
		"_vlmcs._tcp.corp.example. 3600 IN SRV 0 0 1688 kms1.corp.example.",
		"kms1.corp.example. 3600 IN A 127.0.0.1",
	}})
	rep, err := discovery.Check(ctxFor(t, 5*time.Second), "corp.example", options(srv), nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.Records[0]; r.Dead || len(r.Probes) != 0 || len(r.Addrs) != 1 {
		t.Errorf("record %+v", r)
	}
}

func TestZoneLine(t *testing.T) {
	tests := []struct {
		domain, target     string
		port, prio, weight uint16
		want               string
	}{
		{"corp.example", "kms1.corp.example", 1688, 0, 0, "_vlmcs._tcp.corp.example. 3600 IN SRV 0 0 1688 kms1.corp.example."},
		{"corp.example.", "kms1.corp.example.", 1700, 10, 50, "_vlmcs._tcp.corp.example. 3600 IN SRV 10 50 1700 kms1.corp.example."},
		{"_vlmcs._tcp.corp.example", "kms1", 1688, 0, 0, "_vlmcs._tcp.corp.example. 3600 IN SRV 0 0 1688 kms1."},
		{" corp.example ", " kms1.corp.example ", 1688, 65535, 65535, "_vlmcs._tcp.corp.example. 3600 IN SRV 65535 65535 1688 kms1.corp.example."},
	}
	for _, tt := range tests {
		if got := discovery.ZoneLine(tt.domain, tt.target, tt.port, tt.prio, tt.weight); got != tt.want {
			t.Errorf("ZoneLine(%q, %q, %d, %d, %d) = %q, want %q", tt.domain, tt.target, tt.port, tt.prio, tt.weight, got, tt.want)
		}
	}
	// The line is valid zone-file syntax, and says what was asked.
	rr, err := dns.NewRR(discovery.ZoneLine("corp.example", "kms1.corp.example", 1688, 1, 2))
	if err != nil {
		t.Fatal(err)
	}
	if rr.String() != "_vlmcs._tcp.corp.example.\t3600\tIN\tSRV\t1 2 1688 kms1.corp.example." {
		t.Errorf("parsed back as %q", rr.String())
	}
}
