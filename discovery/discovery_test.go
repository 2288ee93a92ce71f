package discovery_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/kmsctl/kmsctl/discovery"
	"github.com/kmsctl/kmsctl/discovery/dnstest"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/miekg/dns"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const domain = "corp.example."

// options asks srv only, with a fixed seed.
func options(srv *dnstest.Server) discovery.Options {
	return discovery.Options{Server: srv.Addr(), Rand: rand.New(rand.NewPCG(1, 2))}
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// wantCode checks that err is a *discovery.Error with the code and cause.
func wantCode(t *testing.T, err error, code hresult.Code, cause error) *discovery.Error {
	t.Helper()
	var e *discovery.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *discovery.Error", err, err)
	}
	if e.Code() != code {
		t.Errorf("code %v, want %v (%v)", e.Code(), code, err)
	}
	if cause != nil && !errors.Is(err, cause) {
		t.Errorf("error %v does not wrap %v", err, cause)
	}
	return e
}

func TestDiscover_PriorityOrder(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Zone{Records: []string{
		"_vlmcs._tcp.corp.example. 3600 IN SRV 10 0 1688 backup.corp.example.",
		"_vlmcs._tcp.corp.example. 3600 IN SRV 0 50 1688 kms1.corp.example.",
		"_vlmcs._tcp.corp.example. 3600 IN SRV 5 0 1688 second.corp.example.",
		"_vlmcs._tcp.corp.example. 3600 IN SRV 0 50 1689 kms2.corp.example.",
		"backup.corp.example. 3600 IN A 127.0.0.4",
		"kms1.corp.example. 3600 IN A 127.0.0.2",
		"kms2.corp.example. 3600 IN A 127.0.0.3",
		"kms2.corp.example. 3600 IN AAAA ::1",
		"second.corp.example. 3600 IN A 127.0.0.5",
	}})
	firsts := map[string]int{}
	for seed := range uint64(40) {
		opts := options(srv)
		opts.Rand = rand.New(rand.NewPCG(seed, seed))
		res, err := discovery.Discover(ctxFor(t, 5*time.Second), "corp.example", opts)
		if err != nil {
			t.Fatal(err)
		}
		var prios []uint16
		for _, h := range res.Hosts {
			prios = append(prios, h.Priority)
		}
		if !slices.Equal(prios, []uint16{0, 0, 5, 10}) {
			t.Fatalf("seed %d: priorities %v, want 0 0 5 10", seed, prios)
		}
		firsts[res.Hosts[0].Target]++
		if res.Domain != domain || res.Name != "_vlmcs._tcp."+domain || res.Server != srv.Addr() {
			t.Errorf("result names %q %q %q", res.Domain, res.Name, res.Server)
		}
	}
	if firsts["kms1.corp.example."] == 0 || firsts["kms2.corp.example."] == 0 {
		t.Errorf("equal weights should each come first sometimes: %v", firsts)
	}
	// The addresses, in order, with each record's port; kms2 has both families.
	opts := options(srv)
	res, err := discovery.Discover(ctxFor(t, 5*time.Second), "corp.example", opts)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"kms1.corp.example.":   {"127.0.0.2:1688"},
		"kms2.corp.example.":   {"127.0.0.3:1689", "[::1]:1689"},
		"second.corp.example.": {"127.0.0.5:1688"},
		"backup.corp.example.": {"127.0.0.4:1688"},
	}
	var all []string
	for _, h := range res.Hosts {
		if got := h.Addresses(); !slices.Equal(got, want[h.Target]) {
			t.Errorf("%s: addresses %v, want %v", h.Target, got, want[h.Target])
		}
		all = append(all, want[h.Target]...)
	}
	if got := res.Addrs(); !slices.Equal(got, all) {
		t.Errorf("Addrs() = %v, want %v", got, all)
	}
}

func TestDiscover_AdditionalSectionSavesQueries(t *testing.T) {
	records := []string{
		"_vlmcs._tcp.corp.example. 3600 IN SRV 0 0 1688 kms1.corp.example.",
		"kms1.corp.example. 3600 IN A 127.0.0.2",
	}
	for _, noAddl := range []bool{false, true} {
		t.Run(fmt.Sprint("NoAdditional=", noAddl), func(t *testing.T) {
			srv := dnstest.Start(t, dnstest.Zone{Records: records, NoAdditional: noAddl})
			res, err := discovery.Discover(ctxFor(t, 5*time.Second), domain, options(srv))
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Addrs(); !slices.Equal(got, []string{"127.0.0.2:1688"}) {
				t.Errorf("Addrs() = %v", got)
			}
			var types []string
			for _, q := range srv.Queries() {
				types = append(types, q.Type)
			}
			want := []string{"SRV"}
			if noAddl {
				want = []string{"SRV", "A", "AAAA"}
			}
			if !slices.Equal(types, want) {
				t.Errorf("queries %v, want %v", types, want)
			}
			if len(res.Attempts) != len(want) {
				t.Errorf("attempts %v", res.Attempts)
			}
		})
	}
}

func TestDiscover_Errors(t *testing.T) {
	name := "_vlmcs._tcp.corp.example."
	tests := []struct {
		name  string
		zone  dnstest.Zone
		code  hresult.Code
		cause error
	}{
		{"name does not exist", dnstest.Zone{Records: []string{"other.example. 60 IN A 127.0.0.1"}},
			hresult.DNSNameError, discovery.ErrNameError},
		{"injected NXDOMAIN", dnstest.Zone{
			Records: []string{"_vlmcs._tcp.corp.example. 60 IN SRV 0 0 1688 kms.corp.example."},
			Faults:  map[string]dnstest.Fault{name: dnstest.NXDomain}},
			hresult.DNSNameError, discovery.ErrNameError},
		{"name without SRV", dnstest.Zone{Records: []string{`_vlmcs._tcp.corp.example. 60 IN TXT "not a host"`}},
			hresult.DNSNoRecords, discovery.ErrNoRecords},
		{"empty non-terminal", dnstest.Zone{Records: []string{"kms._vlmcs._tcp.corp.example. 60 IN A 127.0.0.1"}},
			hresult.DNSNoRecords, discovery.ErrNoRecords},
		{"service not offered", dnstest.Zone{Records: []string{"_vlmcs._tcp.corp.example. 60 IN SRV 0 0 0 ."}},
			hresult.DNSNoRecords, discovery.ErrNoRecords},
		{"SERVFAIL", dnstest.Zone{Faults: map[string]dnstest.Fault{"": dnstest.ServFail}},
			hresult.DNSServerFailure, discovery.ErrServerFailure},
		{"REFUSED", dnstest.Zone{Faults: map[string]dnstest.Fault{"": dnstest.Refused}},
			hresult.DNSServerFailure, discovery.ErrServerFailure},
		{"SRV owner CNAME loop", dnstest.Zone{Records: []string{
			"_vlmcs._tcp.corp.example. 60 IN CNAME a.corp.example.",
			"a.corp.example. 60 IN CNAME _vlmcs._tcp.corp.example."}},
			hresult.DNSServerFailure, discovery.ErrCNAMELoop},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := dnstest.Start(t, tt.zone)
			res, err := discovery.Discover(ctxFor(t, 5*time.Second), "corp.example", options(srv))
			if res != nil {
				t.Errorf("result %+v with error %v", res, err)
			}
			e := wantCode(t, err, tt.code, tt.cause)
			if len(e.Tried) == 0 || e.Server != srv.Addr() {
				t.Errorf("error names server %q, tried %v", e.Server, e.Tried)
			}
			if !strings.Contains(err.Error(), "corp.example.") {
				t.Errorf("error %q does not name the record", err)
			}
		})
	}
}

func TestDiscover_TimeoutWithinDeadline(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Zone{Faults: map[string]dnstest.Fault{"": dnstest.Stall}})
	const deadline = 300 * time.Millisecond
	ctx := ctxFor(t, deadline)
	start := time.Now()
	_, err := discovery.Discover(ctx, domain, options(srv)) // QueryTimeout 2s: the context's deadline wins
	elapsed := time.Since(start)
	e := wantCode(t, err, hresult.Timeout, discovery.ErrTimeout)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v does not wrap the context's deadline", err)
	}
	if elapsed > deadline+200*time.Millisecond {
		t.Errorf("took %v with a %v deadline", elapsed, deadline)
	}
	if len(e.Tried) != 1 || e.Tried[0].Result != "timeout" {
		t.Errorf("tried %v", e.Tried)
	}
	// The per-query timeout alone also gives up in time.
	opts := options(srv)
	opts.QueryTimeout = 100 * time.Millisecond
	start = time.Now()
	_, err = discovery.Discover(ctxFor(t, 5*time.Second), domain, opts)
	wantCode(t, err, hresult.Timeout, discovery.ErrTimeout)
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("query timeout 100ms took %v", elapsed)
	}
}

func TestDiscover_CancelInterruptsAtOnce(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Zone{Faults: map[string]dnstest.Fault{"": dnstest.Stall}})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := discovery.Discover(ctx, domain, options(srv))
	wantCode(t, err, hresult.Timeout, context.Canceled)
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("cancel took %v to be noticed", elapsed)
	}
}

func TestDiscover_TruncatedUDPRetriedOverTCP(t *testing.T) {
	name := "_vlmcs._tcp.corp.example."
	records := []string{
		"_vlmcs._tcp.corp.example. 3600 IN SRV 0 0 1688 kms1.corp.example.",
		"kms1.corp.example. 3600 IN A 127.0.0.2",
	}
	// Forced: every UDP answer truncated and empty.
	srv := dnstest.Start(t, dnstest.Zone{Records: records, Faults: map[string]dnstest.Fault{name: dnstest.TruncateUDP}})
	res, err := discovery.Discover(ctxFor(t, 5*time.Second), domain, options(srv))
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Addrs(); !slices.Equal(got, []string{"127.0.0.2:1688"}) {
		t.Errorf("Addrs() = %v", got)
	}
	q := srv.Queries()
	if len(q) != 2 || q[0].Net != "udp" || q[1].Net != "tcp" || q[1].Type != "SRV" {
		t.Errorf("queries %+v, want SRV over udp then tcp", q)
	}
	if a := res.Attempts; len(a) != 2 || a[0].Result != "truncated" || a[1].Net != "tcp" || a[1].Result != "NOERROR" || a[1].Answers != 1 {
		t.Errorf("attempts %v", a)
	}

	// Natural: 100 records do not fit the 1232-byte EDNS buffer.
	big := dnstest.Start(t, dnstest.Zone{RRs: dnstest.SRVSet(domain, 100, 0, 10, 1688, true)})
	res, err = discovery.Discover(ctxFor(t, 5*time.Second), domain, options(big))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hosts) != 100 || len(res.Addrs()) != 100 {
		t.Errorf("%d hosts, %d addresses; want 100", len(res.Hosts), len(res.Addrs()))
	}
	if q := big.Queries(); len(q) < 2 || q[0].Net != "udp" || q[1].Net != "tcp" {
		t.Errorf("queries %+v, want a TCP retry", q[:min(len(q), 3)])
	}
}

// A server that ignores the EDNS buffer size sends more than the client
// reads over UDP: the cut-off answer is asked again over TCP.
func TestDiscover_OversizeUDPRetriedOverTCP(t *testing.T) {
	rrs := dnstest.SRVSet(domain, 100, 0, 10, 1688, true)
	srv := dnstest.Start(t, dnstest.Zone{RRs: rrs, Faults: map[string]dnstest.Fault{"_vlmcs._tcp." + domain: dnstest.OversizeUDP}})
	res, err := discovery.Discover(ctxFor(t, 5*time.Second), domain, options(srv))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hosts) != 100 {
		t.Errorf("%d hosts, want 100", len(res.Hosts))
	}
	if a := res.Attempts; len(a) < 2 || a[0].Net != "udp" || a[0].Result != "error" || a[1].Net != "tcp" || a[1].Answers != 100 {
		t.Errorf("attempts %v, want a failed UDP read then TCP", a[:min(len(a), 3)])
	}
}

// A truncated SERVFAIL is a failure, over TCP too: the next server is asked.
func TestDiscover_TruncatedServFailIsAFailure(t *testing.T) {
	bad := dnstest.Start(t, dnstest.Zone{Faults: map[string]dnstest.Fault{"": dnstest.ServFailTruncated}})
	good := dnstest.Start(t, dnstest.Zone{Records: []string{
		"_vlmcs._tcp." + domain + " 3600 IN SRV 0 0 1688 kms1." + domain,
		"kms1." + domain + " 3600 IN A 127.0.0.2",
	}})
	opts := discovery.Options{Config: &discovery.Config{Servers: []string{bad.Addr(), good.Addr()}}, Rand: rand.New(rand.NewPCG(1, 2))}
	res, err := discovery.Discover(ctxFor(t, 5*time.Second), domain, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Addrs(); !slices.Equal(got, []string{"127.0.0.2:1688"}) {
		t.Errorf("Addrs() = %v", got)
	}
}

func TestDiscover_Targets(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Zone{Records: []string{
		"_vlmcs._tcp.corp.example. 3600 IN SRV 0 0 1688 alias.corp.example.",
		"_vlmcs._tcp.corp.example. 3600 IN SRV 1 0 1688 gone.corp.example.",
		"_vlmcs._tcp.corp.example. 3600 IN SRV 2 0 1688 noaddr.corp.example.",
		"_vlmcs._tcp.corp.example. 3600 IN SRV 3 0 1688 loop1.corp.example.",
		"_vlmcs._tcp.corp.example. 3600 IN SRV 4 0 1688 long0.corp.example.",
		"_vlmcs._tcp.corp.example. 3600 IN SRV 5 0 1688 v6.corp.example.",
		"alias.corp.example. 3600 IN CNAME alias2.corp.example.",
		"alias2.corp.example. 3600 IN CNAME real.corp.example.",
		"real.corp.example. 3600 IN A 127.0.0.7",
		`noaddr.corp.example. 3600 IN TXT "no address"`,
		"loop1.corp.example. 3600 IN CNAME loop2.corp.example.",
		"loop2.corp.example. 3600 IN CNAME loop1.corp.example.",
		"v6.corp.example. 3600 IN AAAA 2001:db8::5",
	}, RRs: chain("long", discovery.MaxCNAMEHops+2)})
	res, err := discovery.Discover(ctxFor(t, 5*time.Second), domain, options(srv))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hosts) != 6 {
		t.Fatalf("%d hosts", len(res.Hosts))
	}
	h := res.Hosts
	if !slices.Equal(h[0].Addrs, []netip.Addr{netip.MustParseAddr("127.0.0.7")}) || h[0].Err != nil {
		t.Errorf("CNAME'd target: %v, %v", h[0].Addrs, h[0].Err)
	}
	// A target without an address: WSAHOST_NOT_FOUND, naming the record
	// that was found, with the DNS answer as the cause.
	if e := wantCode(t, h[1].Err, hresult.HostNotFound, discovery.ErrNameError); e.Record != "_vlmcs._tcp.corp.example." {
		t.Errorf("Record = %q", e.Record)
	}
	wantCode(t, h[2].Err, hresult.HostNotFound, discovery.ErrNoRecords)
	wantCode(t, h[3].Err, hresult.DNSServerFailure, discovery.ErrCNAMELoop)
	wantCode(t, h[4].Err, hresult.DNSServerFailure, discovery.ErrTooManyHops)
	if !slices.Equal(h[5].Addresses(), []string{"[2001:db8::5]:1688"}) {
		t.Errorf("IPv6-only target: %v, %v", h[5].Addresses(), h[5].Err)
	}
	for _, i := range []int{1, 2, 3, 4} {
		if len(h[i].Addrs) != 0 {
			t.Errorf("%s has addresses %v", h[i].Target, h[i].Addrs)
		}
	}
	if got := res.Addrs(); !slices.Equal(got, []string{"127.0.0.7:1688", "[2001:db8::5]:1688"}) {
		t.Errorf("Addrs() = %v", got)
	}
}

// chain returns CNAMEs <prefix>0 → <prefix>1 → … → <prefix>n, which has an A record.
func chain(prefix string, n int) []dns.RR {
	var out []dns.RR
	name := func(i int) string { return fmt.Sprintf("%s%d.%s", prefix, i, domain) }
	for i := range n {
		out = append(out, &dns.CNAME{Hdr: dns.RR_Header{Name: name(i), Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 60}, Target: name(i + 1)})
	}
	rr, _ := dns.NewRR(name(n) + " 60 IN A 127.0.0.9")
	return append(out, rr)
}

func TestDiscover_DuplicatesListedOnce(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Zone{Records: []string{
		"_vlmcs._tcp.corp.example. 3600 IN SRV 0 10 1688 kms1.corp.example.",
		"_vlmcs._tcp.corp.example. 3600 IN SRV 0 20 1688 KMS1.corp.example.",
		"_vlmcs._tcp.corp.example. 3600 IN SRV 0 10 1700 kms1.corp.example.",
		"kms1.corp.example. 3600 IN A 127.0.0.2",
	}})
	res, err := discovery.Discover(ctxFor(t, 5*time.Second), domain, options(srv))
	if err != nil {
		t.Fatal(err)
	}
	got := res.Addrs()
	slices.Sort(got)
	if !slices.Equal(got, []string{"127.0.0.2:1688", "127.0.0.2:1700"}) {
		t.Errorf("Addrs() = %v", got)
	}
}

func TestDiscover_1000Records(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Zone{RRs: dnstest.SRVSet(domain, 1000, 0, 10, 1688, true)})
	res, err := discovery.Discover(ctxFor(t, 20*time.Second), domain, options(srv))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hosts) != 1000 || res.Capped != 0 {
		t.Fatalf("%d hosts, capped %d", len(res.Hosts), res.Capped)
	}
	seen := map[string]bool{}
	for _, h := range res.Hosts {
		if h.Err != nil || len(h.Addrs) != 1 {
			t.Fatalf("%s: %v %v", h.Target, h.Addrs, h.Err)
		}
		seen[h.Target] = true
	}
	if len(seen) != 1000 {
		t.Errorf("%d distinct targets", len(seen))
	}
}

func TestDiscover_CapsRecords(t *testing.T) {
	// 1,200 records: 600 of priority 0, 600 of priority 1; the cap keeps
	// the 600 preferred and 400 of the rest.
	rrs := dnstest.SRVSet(domain, 600, 0, 10, 1688, true)
	for _, rr := range dnstest.SRVSet("other."+domain, 600, 1, 10, 1688, true) {
		if rr.Header().Rrtype == dns.TypeSRV {
			rr.Header().Name = "_vlmcs._tcp." + domain
		}
		rrs = append(rrs, rr)
	}
	srv := dnstest.Start(t, dnstest.Zone{RRs: rrs})
	opts := options(srv)
	opts.Concurrency = 32
	res, err := discovery.Discover(ctxFor(t, 30*time.Second), domain, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hosts) != discovery.MaxRecords || res.Capped != 200 {
		t.Fatalf("%d hosts, capped %d; want %d, 200", len(res.Hosts), res.Capped, discovery.MaxRecords)
	}
	n0 := 0
	for _, h := range res.Hosts {
		if h.Priority == 0 {
			n0++
		}
	}
	if n0 != 600 {
		t.Errorf("%d records of priority 0 kept, want all 600", n0)
	}
}

func TestDiscover_SearchDomainsAndServers(t *testing.T) {
	good := dnstest.Start(t, dnstest.Zone{Records: []string{
		"_vlmcs._tcp.b.example. 3600 IN SRV 0 0 1688 kms.b.example.",
		"kms.b.example. 3600 IN A 127.0.0.2",
		`_vlmcs._tcp.c.example. 3600 IN TXT "nothing"`,
	}})
	stalled := dnstest.Start(t, dnstest.Zone{Faults: map[string]dnstest.Fault{"": dnstest.Stall}})
	failing := dnstest.Start(t, dnstest.Zone{Faults: map[string]dnstest.Fault{"": dnstest.ServFail}})

	t.Run("first domain with records wins", func(t *testing.T) {
		opts := discovery.Options{Config: &discovery.Config{Servers: []string{good.Addr()}, Search: []string{"a.example", "b.example", "c.example"}}}
		res, err := discovery.Discover(ctxFor(t, 5*time.Second), "", opts)
		if err != nil {
			t.Fatal(err)
		}
		if res.Domain != "b.example." || len(res.Attempts) != 2 {
			t.Errorf("domain %q, attempts %v", res.Domain, res.Attempts)
		}
	})
	t.Run("the worst failure is reported", func(t *testing.T) {
		opts := discovery.Options{Config: &discovery.Config{Servers: []string{good.Addr()}, Search: []string{"a.example", "c.example"}}}
		_, err := discovery.Discover(ctxFor(t, 5*time.Second), "", opts)
		e := wantCode(t, err, hresult.DNSNoRecords, discovery.ErrNoRecords)
		if e.Name != "_vlmcs._tcp.c.example." || len(e.Tried) != 2 {
			t.Errorf("error %v, tried %v", err, e.Tried)
		}
	})
	t.Run("an explicit domain ignores the search list", func(t *testing.T) {
		opts := discovery.Options{Config: &discovery.Config{Servers: []string{good.Addr()}, Search: []string{"b.example"}}}
		_, err := discovery.Discover(ctxFor(t, 5*time.Second), "a.example", opts)
		wantCode(t, err, hresult.DNSNameError, nil)
	})
	t.Run("failing servers are skipped", func(t *testing.T) {
		opts := discovery.Options{QueryTimeout: 150 * time.Millisecond,
			Config: &discovery.Config{Servers: []string{stalled.Addr(), failing.Addr(), good.Addr()}}}
		res, err := discovery.Discover(ctxFor(t, 5*time.Second), "b.example", opts)
		if err != nil {
			t.Fatal(err)
		}
		var results []string
		for _, a := range res.Attempts[:3] {
			results = append(results, a.Server+" "+a.Result)
		}
		want := []string{stalled.Addr() + " timeout", failing.Addr() + " SERVFAIL", good.Addr() + " NOERROR"}
		if !slices.Equal(results, want) || res.Server != good.Addr() {
			t.Errorf("attempts %v, server %s; want %v", results, res.Server, want)
		}
	})
	t.Run("Server overrides Config", func(t *testing.T) {
		opts := discovery.Options{Server: good.Addr(), Config: &discovery.Config{Servers: []string{failing.Addr()}}}
		if _, err := discovery.Discover(ctxFor(t, 5*time.Second), "b.example", opts); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("no domain", func(t *testing.T) {
		opts := discovery.Options{Config: &discovery.Config{Servers: []string{good.Addr()}}}
		_, err := discovery.Discover(ctxFor(t, 5*time.Second), "", opts)
		wantCode(t, err, hresult.InvalidName, nil)
	})
	t.Run("no server", func(t *testing.T) {
		opts := discovery.Options{Config: &discovery.Config{Search: []string{"b.example"}}}
		_, err := discovery.Discover(ctxFor(t, 5*time.Second), "", opts)
		wantCode(t, err, hresult.NoDNSServers, nil)
	})
}

func TestDiscover_BadArguments(t *testing.T) {
	cfg := &discovery.Config{Servers: []string{"127.0.0.1:53"}, Search: []string{"corp.example"}}
	for _, tt := range []struct{ domain, server string }{
		{"bad domain/x", ""},
		{"a..b", ""},
		{"corp.example", "dns:0"},
		{"corp.example", "[10.0.0.1]"},
	} {
		_, err := discovery.Discover(context.Background(), tt.domain, discovery.Options{Server: tt.server, Config: cfg})
		wantCode(t, err, hresult.InvalidArg, nil)
	}
}

func TestDiscover_VlmcsPrefixAccepted(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Zone{Records: []string{
		"_vlmcs._tcp.corp.example. 3600 IN SRV 0 0 1688 kms1.corp.example.",
		"kms1.corp.example. 3600 IN A 127.0.0.2",
	}})
	res, err := discovery.Discover(ctxFor(t, 5*time.Second), "_VLMCS._tcp.corp.example", options(srv))
	if err != nil || res.Domain != domain {
		t.Fatalf("%v, %v", res, err)
	}
}

func TestParseServer(t *testing.T) {
	tests := []struct{ in, want string }{
		{"10.0.0.53", "10.0.0.53:53"},
		{"10.0.0.53:5353", "10.0.0.53:5353"},
		{"dns.corp.example", "dns.corp.example:53"},
		{" dns.corp.example.:53 ", "dns.corp.example.:53"},
		{"[::1]:53", "[::1]:53"},
		{"[2001:db8::53]", "[2001:db8::53]:53"},
		{"2001:db8::53", "[2001:db8::53]:53"},
		{"", ""},
		{"dns:", ""},
		{"dns:0", ""},
		{"dns:65536", ""},
		{"dns:053", ""},
		{"dns:domain", ""},
		{"[::1", ""},
		{"[::1]x", ""},
		{"[10.0.0.1]:53", ""},
		{"2001:db8::53:x", ""},
		{"dns server", ""},
		{"a..b", ""},
		{":53", ""},
		{"]", ""},     // found by FuzzParseServer (testdata/fuzz/FuzzParseServer/e1fc401e772c0b2c)
		{"::%]0", ""}, // found by FuzzParseServer (af845543e62cb158): a zone netip accepts
		{"[fe80::1%eth0]:53", "[fe80::1%eth0]:53"},
		{"dns\\x", ""},
		{"dns(1)", ""},
	}
	for _, tt := range tests {
		got, err := discovery.ParseServer(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("ParseServer(%q) = %q, want an error", tt.in, got)
			} else {
				wantCode(t, err, hresult.InvalidArg, nil)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseServer(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestError_MessageAndHint(t *testing.T) {
	e := &discovery.Error{HRESULT: hresult.DNSNameError, Op: "look up SRV", Name: "_vlmcs._tcp.corp.example.",
		Server: "10.0.0.53:53", Err: discovery.ErrNameError}
	if got, want := e.Error(), "look up SRV _vlmcs._tcp.corp.example. at 10.0.0.53:53: name does not exist (NXDOMAIN)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if _, ok := hresult.Lookup(hresult.InvalidName); !ok {
		t.Errorf("%v is not in hresult's table", hresult.InvalidName)
	}
	if _, ok := hresult.Lookup(hresult.NoDNSServers); !ok {
		t.Errorf("%v is not in hresult's table", hresult.NoDNSServers)
	}
}
