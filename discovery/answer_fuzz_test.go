package discovery

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/kmsctl/kmsctl/hresult"
	"github.com/miekg/dns"
)

const (
	fuzzName   = Service + "corp.example."
	fuzzServer = "192.0.2.53:53"
	// fuzzTargets is how many targets FuzzAnswer resolves by query, to keep
	// each input quick; fromExtra sees them all.
	fuzzTargets = 8
)

// FuzzAnswer feeds arbitrary bytes, as a DNS server could send them, to
// the pure steps of discovery's answer processing, with the server giving
// the same answer to every query: Unpack (as miekg/dns's client does),
// classify, the lookup's CNAME chasing (answered, chase), the SRV records
// (publish), the targets' addresses from the additional section (byOwner,
// fromExtra), and from A and AAAA answers (appendAddrs; these lookups
// echo the question asked, as a server that answers every name alike
// would). Nothing panics, loops or grows past the package's limits, and
// every failure is an *Error with a code.
func FuzzAnswer(f *testing.F) {
	for _, m := range answerSeeds() {
		b, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m := new(dns.Msg)
		if err := m.Unpack(data); err != nil {
			// The client hands back the partial message with the error.
			fl := classify(query(fuzzName, dns.TypeSRV), m, err)
			if fl == nil || fl.code != hresult.DNSServerFailure || !errors.Is(fl.err, ErrServerFailure) {
				t.Fatalf("classify(unpack error %v) = %+v", err, fl)
			}
			return
		}
		rrs, err := lookupIn(t, m, fuzzName, dns.TypeSRV, false)
		if err != nil {
			return
		}
		usable := 0
		for _, rr := range rrs {
			if s, ok := rr.(*dns.SRV); ok && s.Target != "." && s.Target != "" {
				usable++
			}
		}
		p, err := publish(fuzzName, fuzzServer, rrs, m.Extra)
		if err != nil {
			wantError(t, err)
			if usable != 0 {
				t.Fatalf("publish: %v, with %d usable records", err, usable)
			}
			return
		}
		if n := len(p.records); n == 0 || n > MaxRecords || n+p.capped != usable {
			t.Fatalf("publish kept %d records and capped %d of %d", n, p.capped, usable)
		}
		if len(p.order) != len(p.targets) {
			t.Fatalf("%d targets in order, %d in the map", len(p.order), len(p.targets))
		}
		for _, r := range p.records {
			if p.targets[strings.ToLower(r.Target)] == nil {
				t.Fatalf("record %+v has no target", r)
			}
		}
		extra := byOwner(m.Extra)
		for i, k := range p.order {
			tg := p.targets[k]
			addrs := fromExtra(extra, tg.name)
			checkAddrs(t, tg.name, addrs)
			if len(addrs) > 0 || i >= fuzzTargets {
				continue
			}
			for _, qtype := range []uint16{dns.TypeA, dns.TypeAAAA} {
				rrs, _ := lookupIn(t, m, tg.name, qtype, true)
				addrs = appendAddrs(addrs, rrs, qtype)
				checkAddrs(t, tg.name, addrs)
			}
		}
	})
}

// lookupIn is resolver.lookup against a server that answers m to every
// query; with echo, with the question asked in place of m's.
func lookupIn(t *testing.T, m *dns.Msg, name string, qtype uint16, echo bool) ([]dns.RR, error) {
	t.Helper()
	seen := map[string]bool{strings.ToLower(name): true}
	hops := 0
	cur := name
	for asked := 1; ; asked++ {
		if asked > MaxCNAMEHops+1 {
			t.Fatalf("lookup of %s %s asked %d times", name, dns.Type(qtype), asked)
		}
		q := query(cur, qtype)
		a := m
		if echo {
			c := *m
			c.Question = q.Question
			a = &c
		}
		if fl := classify(q, a, nil); fl != nil {
			if fl.code != hresult.DNSServerFailure || !errors.Is(fl.err, ErrServerFailure) {
				t.Fatalf("classify: %d %v", fl.code, fl.err)
			}
			return nil, fl.err
		}
		rrs, next, err := answered(a, name, cur, qtype, fuzzServer, seen, &hops)
		if err != nil {
			wantError(t, err)
			return nil, err
		}
		if len(rrs) > 0 {
			for _, rr := range rrs {
				if h := rr.Header(); h.Rrtype != qtype || h.Class != dns.ClassINET {
					t.Fatalf("lookup of %s %s gave %v", name, dns.Type(qtype), rr)
				}
			}
			return rrs, nil
		}
		if strings.EqualFold(next, cur) {
			t.Fatalf("answered(%s) gave no records, no error and no name to ask next", cur)
		}
		cur = next
	}
}

func query(name string, qtype uint16) *dns.Msg {
	q := new(dns.Msg)
	q.SetQuestion(name, qtype)
	q.SetEdns0(UDPSize, false)
	return q
}

func wantError(t *testing.T, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.HRESULT == 0 || e.Error() == "" {
		t.Fatalf("error %v (%T) is not an *Error with a code", err, err)
	}
}

func checkAddrs(t *testing.T, name string, addrs []netip.Addr) {
	t.Helper()
	if len(addrs) > MaxAddrs {
		t.Fatalf("%s: %d addresses, more than %d", name, len(addrs), MaxAddrs)
	}
	for i, a := range addrs {
		if !a.IsValid() || a.Zone() != "" || slices.Contains(addrs[:i], a) {
			t.Fatalf("%s: addresses %v", name, addrs)
		}
	}
}

// answerSeeds are realistic answers to the SRV query of fuzzName.
func answerSeeds() []*dns.Msg {
	rr := func(s string) dns.RR {
		r, err := dns.NewRR(s)
		if err != nil {
			panic(err)
		}
		return r
	}
	reply := func(rcode int, answer, extra []string) *dns.Msg {
		m := new(dns.Msg)
		m.SetQuestion(fuzzName, dns.TypeSRV)
		m.Response, m.Authoritative, m.Rcode = true, true, rcode
		for _, s := range answer {
			m.Answer = append(m.Answer, rr(s))
		}
		for _, s := range extra {
			m.Extra = append(m.Extra, rr(s))
		}
		m.Compress = true
		return m
	}
	normal := reply(dns.RcodeSuccess, []string{
		fuzzName + " 3600 IN SRV 0 50 1688 kms1.corp.example.",
		fuzzName + " 3600 IN SRV 10 0 1689 kms2.corp.example.",
	}, []string{
		"kms1.corp.example. 3600 IN A 10.0.0.5",
		"kms1.corp.example. 3600 IN AAAA 2001:db8::5",
		"kms2.corp.example. 3600 IN AAAA ::ffff:10.0.0.6",
	})
	nx := reply(dns.RcodeNameError, nil, nil)
	nx.Ns = []dns.RR{rr("corp.example. 3600 IN SOA ns.corp.example. admin.corp.example. 1 3600 600 86400 300")}
	truncated := reply(dns.RcodeSuccess, nil, nil)
	truncated.Truncated = true
	chain := reply(dns.RcodeSuccess, []string{
		fuzzName + " 300 IN CNAME kms.alias.example.",
		"kms.alias.example. 300 IN SRV 0 0 1688 kms1.alias.example.",
	}, []string{
		"kms1.alias.example. 300 IN CNAME host.alias.example.",
		"host.alias.example. 300 IN A 10.0.0.7",
	})
	loop := reply(dns.RcodeSuccess, []string{
		fuzzName + " 300 IN CNAME a.corp.example.",
		"a.corp.example. 300 IN CNAME " + fuzzName,
	}, nil)
	other := reply(dns.RcodeSuccess, []string{"kms1.corp.example. 3600 IN A 10.0.0.5"}, nil)
	other.Question[0] = dns.Question{Name: "kms1.corp.example.", Qtype: dns.TypeA, Qclass: dns.ClassINET}
	// No question: taken for every query, so the targets' lookups get
	// these A and AAAA records.
	bare := reply(dns.RcodeSuccess, []string{
		fuzzName + " 3600 IN SRV 0 0 1688 kms1.corp.example.",
		"kms1.corp.example. 3600 IN A 10.0.0.5",
		"kms1.corp.example. 3600 IN AAAA 2001:db8::5",
	}, nil)
	bare.Question = nil
	dot := reply(dns.RcodeSuccess, []string{fuzzName + " 3600 IN SRV 0 0 0 ."}, nil)
	servfail := reply(dns.RcodeServerFailure, nil, nil)
	// 1,001 records: one past MaxRecords, so one is capped.
	big := reply(dns.RcodeSuccess, nil, nil)
	for i := range MaxRecords + 1 {
		big.Answer = append(big.Answer, &dns.SRV{
			Hdr:      dns.RR_Header{Name: fuzzName, Rrtype: dns.TypeSRV, Class: dns.ClassINET, Ttl: 3600},
			Priority: uint16(i % 3), Weight: uint16(i % 7), Port: 1688,
			Target: fmt.Sprintf("k%d.corp.example.", i),
		})
	}
	// 100 records with their addresses: too long for UDP.
	long := reply(dns.RcodeSuccess, nil, nil)
	for i := range 100 {
		long.Answer = append(long.Answer, rr(fmt.Sprintf("%s 3600 IN SRV %d 10 1688 k%d.corp.example.", fuzzName, i%2, i)))
		long.Extra = append(long.Extra, rr(fmt.Sprintf("k%d.corp.example. 3600 IN A 10.0.1.%d", i, i)))
	}
	return []*dns.Msg{normal, nx, truncated, chain, loop, other, bare, dot, servfail, long, big}
}

// AnswerSeeds are answerSeeds packed, for FuzzDiscover; the 1,001-record
// answer is left out, as it makes each input slow end to end (FuzzAnswer
// has it).
func AnswerSeeds() [][]byte {
	var out [][]byte
	for _, m := range answerSeeds() {
		if len(m.Answer) > MaxRecords {
			continue
		}
		b, err := m.Pack()
		if err != nil {
			panic(err)
		}
		out = append(out, b)
	}
	return out
}
