// Package discovery finds KMS hosts the way a Windows client does: it asks
// DNS for the _vlmcs._tcp SRV records of a domain (github.com/miekg/dns,
// over UDP with a TCP retry when the answer is truncated), orders them as
// RFC 2782 says, resolves their targets, and maps every DNS failure to the
// code Windows reports; Check builds the report of `kmsctl dns check`.
// Trying the hosts in turn is the caller's (license, for ato and renew).
//
// Nothing here prints, logs or reads the clock directly: time comes from
// Options.Clock, randomness from Options.Rand, the resolver settings from
// Options.Server and Options.Config. Every call honours its context's
// deadline and leaves no goroutine behind.
package discovery

import (
	"cmp"
	"context"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kmsctl/kmsctl/clock"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/miekg/dns"
)

// Service is the owner-name prefix of KMS SRV records.
const Service = "_vlmcs._tcp."

// Limits. Nothing a DNS server sends makes discovery loop or grow without
// bound.
const (
	// MaxRecords is how many SRV records of one answer are used; the
	// rest (those of the highest priority values) are dropped and counted
	// in Result.Capped.
	MaxRecords = 1000
	// MaxCNAMEHops is how many CNAMEs one name may go through.
	MaxCNAMEHops = 8
	// MaxAddrs is how many addresses of one target are kept.
	MaxAddrs = 32
	// UDPSize is the EDNS(0) UDP payload size offered (DNS flag day 2020);
	// longer answers come truncated and are asked again over TCP.
	UDPSize = 1232
	// DefaultQueryTimeout bounds one exchange with one server.
	DefaultQueryTimeout = 2 * time.Second
	// DefaultConcurrency is how many targets are resolved, and how many
	// addresses Check probes, at once.
	DefaultConcurrency = 8
)

// Options configure discovery. The zero value asks the system's DNS
// servers, orders hosts as RFC 2782 says with a randomly seeded source,
// and measures with the real clock.
type Options struct {
	// Server is the DNS server to ask, HOST[:PORT] (port 53 by default);
	// empty means Config's servers, in order.
	Server string
	// Config replaces the system's configuration (SystemConfig), which is
	// read only when Server or the domain is not given.
	Config *Config
	// NoWeight ignores SRV priority and weight: hosts come in a uniformly
	// random order, as Windows clients that do not use them pick a host
	// at random (see Order). Without it, lower priority
	// first and, within a priority, a weighted random order (RFC 2782).
	NoWeight bool
	// Rand drives the order of hosts; nil means a randomly seeded source.
	// A *rand.Rand is not safe for concurrent use: give each call its own.
	Rand *rand.Rand
	// Clock measures attempts; nil means the real clock.
	Clock clock.Clock
	// QueryTimeout bounds each exchange with one server (default
	// DefaultQueryTimeout); the context's deadline bounds the whole call.
	QueryTimeout time.Duration
	// Concurrency bounds parallel target lookups and Check's probes
	// (default DefaultConcurrency).
	Concurrency int
}

// SRV is one published _vlmcs._tcp record.
type SRV struct {
	Priority uint16
	Weight   uint16
	Port     uint16
	Target   string // fully qualified, with the final dot, as published
	TTL      uint32
}

// Host is a KMS host found in DNS.
type Host struct {
	SRV
	// Addrs are the target's addresses, IPv4 first, from the answer's
	// additional section when it carries any, else from A and AAAA queries.
	Addrs []netip.Addr
	// Err says why the target has no address (an *Error); nil when Addrs
	// is not empty.
	Err error
}

// Addresses returns the host's addresses joined with its port
// ("10.0.0.5:1688", "[2001:db8::5]:1688").
func (h *Host) Addresses() []string {
	out := make([]string, 0, len(h.Addrs))
	port := strconv.Itoa(int(h.Port))
	for _, a := range h.Addrs {
		out = append(out, net.JoinHostPort(a.String(), port))
	}
	return out
}

// Name returns the host's SRV target joined with its port, without the
// final dot ("kms1.corp.example.com:1688"), as slmgr names a discovered host.
func (h *Host) Name() string {
	return net.JoinHostPort(strings.TrimSuffix(h.Target, "."), strconv.Itoa(int(h.Port)))
}

// Result is what Discover found.
type Result struct {
	Domain string // the domain whose records are used, fully qualified
	Name   string // the name asked: _vlmcs._tcp.<Domain>
	Server string // the DNS server that answered
	// Hosts in the order to try them; a target published twice with the
	// same port is listed once, where it came first.
	Hosts []Host
	// Capped counts the SRV records beyond MaxRecords that were dropped.
	Capped int
	// Attempts lists every DNS exchange, in order (targets' lookups are
	// grouped per target, in the order of first publication).
	Attempts []Attempt
}

// Discover finds the KMS hosts of domain. With a domain it looks only
// there (as /skms-domain does); with "" it looks in the search domains of
// Options.Config (or SystemConfig) in order and uses the first that
// publishes records. On failure it returns nil and an *Error whose Tried
// field lists every attempt; when several domains failed, the error is the
// worst of them (timeout, then server failure, then no records, then name
// error), so that a broken server is not hidden behind an NXDOMAIN.
func Discover(ctx context.Context, domain string, opts Options) (*Result, error) {
	s, domains, err := prepare(domain, opts)
	if err != nil {
		return nil, err
	}
	var log []Attempt
	pub, d, err := s.firstPublished(ctx, domains, &log)
	if err != nil {
		return nil, err
	}
	s.resolveAll(ctx, pub, &log)
	res := &Result{Domain: d, Name: pub.name, Server: pub.server, Capped: pub.capped}
	seen := make(map[hostID]bool, len(pub.records))
	for _, rec := range Order(pub.records, opts.NoWeight, s.rand) {
		k := hostKey(rec)
		if seen[k] {
			continue
		}
		seen[k] = true
		t := pub.targets[strings.ToLower(rec.Target)]
		res.Hosts = append(res.Hosts, Host{SRV: rec, Addrs: t.addrs, Err: t.err})
	}
	res.Attempts = log
	return res, nil
}

// firstPublished asks each domain in turn for its SRV records and returns
// the first answer with the domain it came from; when every domain fails,
// the worst failure, the domain it came from, and every attempt in Tried.
func (s *session) firstPublished(ctx context.Context, domains []string, log *[]Attempt) (*published, string, error) {
	var worst *Error
	worstDomain := ""
	for _, d := range domains {
		pub, err := s.published(ctx, d, log)
		if err == nil {
			return pub, d, nil
		}
		if w := worse(worst, err); w != worst {
			worst, worstDomain = w, d
		}
		if ended(ctx, clock.Real{}) != nil {
			break
		}
	}
	worst.Tried = slices.Clone(*log)
	return nil, worstDomain, worst
}

// hostID identifies a published host: its target (any case) and port.
type hostID struct {
	target string // lower case
	port   uint16
}

func hostKey(r SRV) hostID { return hostID{strings.ToLower(r.Target), r.Port} }

// severity ranks failures for Discover's choice among domains.
func severity(c hresult.Code) int {
	switch c {
	case hresult.Timeout:
		return 4
	case hresult.DNSServerFailure:
		return 3
	case hresult.DNSNoRecords:
		return 2
	case hresult.DNSNameError:
		return 1
	}
	return 0
}

// worse keeps the worse of two failures; the earlier wins a tie.
func worse(cur *Error, err error) *Error {
	e, ok := err.(*Error)
	if !ok {
		e = &Error{HRESULT: hresult.DNSServerFailure, Op: "look up SRV", Err: err}
	}
	if cur == nil || severity(e.HRESULT) > severity(cur.HRESULT) {
		return e
	}
	return cur
}

// session is one call's settings.
type session struct {
	r       *resolver
	rand    *rand.Rand
	workers int
}

// prepare checks the arguments and settles the servers and domains.
func prepare(domain string, opts Options) (*session, []string, error) {
	var domains []string
	if strings.TrimSpace(domain) != "" {
		d, err := normalizeDomain(domain)
		if err != nil {
			return nil, nil, err
		}
		domains = []string{d}
	}
	var servers []string
	if opts.Server != "" {
		s, err := ParseServer(opts.Server)
		if err != nil {
			return nil, nil, err
		}
		servers = []string{s}
	}
	timeout := opts.QueryTimeout
	if servers == nil || domains == nil {
		cfg := opts.Config
		if cfg == nil {
			c, err := SystemConfig()
			if err != nil {
				return nil, nil, err
			}
			cfg = c
		}
		if timeout <= 0 {
			timeout = cfg.QueryTimeout
		}
		if servers == nil {
			for _, s := range cfg.Servers {
				p, err := ParseServer(s)
				if err == nil {
					servers = append(servers, p)
				}
			}
			if len(servers) == 0 {
				return nil, nil, &Error{HRESULT: hresult.NoDNSServers, Op: "find a DNS server", Err: errorString("no DNS server is configured")}
			}
		}
		if domains == nil {
			domains = searchList(cfg.Search...)
			if len(domains) == 0 {
				return nil, nil, &Error{HRESULT: hresult.InvalidName, Op: "find a domain to search", Err: errorString("no domain given and no DNS search domain configured")}
			}
		}
	}
	if timeout <= 0 {
		timeout = DefaultQueryTimeout
	}
	workers := opts.Concurrency
	if workers <= 0 {
		workers = DefaultConcurrency
	}
	rnd := opts.Rand
	if rnd == nil {
		rnd = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	return &session{r: newResolver(servers, timeout, clock.Or(opts.Clock)), rand: rnd, workers: workers}, domains, nil
}

// normalizeDomain makes a domain argument fully qualified; a name given
// with the _vlmcs._tcp prefix loses it.
func normalizeDomain(d string) (string, error) {
	d = dns.Fqdn(strings.TrimSpace(d))
	if len(d) > len(Service) && strings.EqualFold(d[:len(Service)], Service) {
		d = d[len(Service):]
	}
	if _, ok := dns.IsDomainName(d); !ok || d == "." || strings.ContainsAny(d, " \t/\\@") {
		return "", &Error{HRESULT: hresult.InvalidArg, Op: "parse domain " + strconv.Quote(d), Err: errorString("not a DNS domain name")}
	}
	return d, nil
}

// target is a resolved SRV target.
type target struct {
	name  string
	srv   string // the SRV record's name that points at it
	addrs []netip.Addr
	err   error
	log   []Attempt
}

// published is one domain's SRV answer.
type published struct {
	name    string
	server  string
	records []SRV // answer order, capped
	capped  int
	extra   []dns.RR
	order   []string           // distinct targets (lower case), first publication first
	targets map[string]*target // by lower-case name
}

// published asks for domain's SRV records.
func (s *session) published(ctx context.Context, domain string, log *[]Attempt) (*published, error) {
	name := Service + domain
	rrs, m, server, err := s.r.lookup(ctx, name, dns.TypeSRV, log)
	if err != nil {
		return nil, err
	}
	return publish(name, server, rrs, m.Extra)
}

// publish makes the SRV records rrs of name, which server sent with the
// additional section extra, a published answer: the records that name a
// target, capped at MaxRecords, and their distinct targets.
func publish(name, server string, rrs, extra []dns.RR) (*published, error) {
	p := &published{name: name, server: server, extra: extra, targets: map[string]*target{}}
	for _, rr := range rrs {
		srv, ok := rr.(*dns.SRV)
		if !ok || srv.Target == "." || srv.Target == "" {
			continue // "." says the service is not offered here (RFC 2782)
		}
		p.records = append(p.records, SRV{Priority: srv.Priority, Weight: srv.Weight, Port: srv.Port, Target: srv.Target, TTL: srv.Hdr.Ttl})
	}
	if len(p.records) == 0 {
		return nil, &Error{HRESULT: hresult.DNSNoRecords, Op: "look up SRV", Name: name, Server: server,
			Err: &cause{kind: ErrNoRecords, detail: errorString(`the only target is ".": KMS is not offered in this domain`)}}
	}
	if len(p.records) > MaxRecords {
		// Keep the most preferred: lowest priority, then highest weight.
		slices.SortStableFunc(p.records, func(a, b SRV) int {
			return cmp.Or(cmp.Compare(a.Priority, b.Priority), cmp.Compare(b.Weight, a.Weight))
		})
		p.capped = len(p.records) - MaxRecords
		p.records = p.records[:MaxRecords:MaxRecords]
	}
	for _, r := range p.records {
		k := strings.ToLower(r.Target)
		if p.targets[k] == nil {
			p.targets[k] = &target{name: r.Target, srv: p.name}
			p.order = append(p.order, k)
		}
	}
	return p, nil
}

// resolveAll resolves every distinct target, s.workers at a time, and
// appends their attempts to log in publication order.
func (s *session) resolveAll(ctx context.Context, p *published, log *[]Attempt) {
	extra := byOwner(p.extra)
	var todo []*target
	for _, k := range p.order {
		t := p.targets[k]
		if addrs := fromExtra(extra, t.name); len(addrs) > 0 {
			t.addrs = addrs
			continue
		}
		todo = append(todo, t)
	}
	if len(todo) > 0 {
		work := make(chan *target)
		var wg sync.WaitGroup
		for range min(s.workers, len(todo)) {
			wg.Go(func() {
				for t := range work {
					s.resolve(ctx, t)
				}
			})
		}
		for _, t := range todo {
			work <- t
		}
		close(work)
		wg.Wait()
	}
	for _, k := range p.order {
		*log = append(*log, p.targets[k].log...)
	}
}

// byOwner groups an additional section by owner name (lower case), as
// fromExtra takes it; nil when it is empty.
func byOwner(rrs []dns.RR) map[string][]dns.RR {
	if len(rrs) == 0 {
		return nil
	}
	out := map[string][]dns.RR{}
	for _, rr := range rrs {
		k := strings.ToLower(rr.Header().Name)
		out[k] = append(out[k], rr)
	}
	return out
}

// fromExtra takes a target's addresses from the additional section,
// following CNAMEs there.
func fromExtra(extra map[string][]dns.RR, name string) []netip.Addr {
	if extra == nil {
		return nil
	}
	var out []netip.Addr
	for _, qtype := range []uint16{dns.TypeA, dns.TypeAAAA} {
		cur := name
		seen := map[string]bool{strings.ToLower(name): true}
		for hop := 0; hop <= MaxCNAMEHops; hop++ {
			rrs := extra[strings.ToLower(cur)]
			next := ""
			for _, rr := range rrs {
				if a, ok := addrOf(rr, qtype); ok {
					out = appendAddr(out, a)
				} else if c, ok := rr.(*dns.CNAME); ok && next == "" {
					next = c.Target
				}
			}
			if next == "" || seen[strings.ToLower(next)] {
				break
			}
			seen[strings.ToLower(next)] = true
			cur = next
		}
	}
	return out
}

func addrOf(rr dns.RR, qtype uint16) (netip.Addr, bool) {
	if rr.Header().Class != dns.ClassINET || rr.Header().Rrtype != qtype {
		return netip.Addr{}, false
	}
	switch v := rr.(type) {
	case *dns.A:
		a, ok := netip.AddrFromSlice(v.A.To4())
		return a, ok
	case *dns.AAAA:
		a, ok := netip.AddrFromSlice(v.AAAA.To16())
		return a.Unmap(), ok && a.Is6()
	}
	return netip.Addr{}, false
}

// appendAddrs adds the addresses of the qtype records of rrs to out.
func appendAddrs(out []netip.Addr, rrs []dns.RR, qtype uint16) []netip.Addr {
	for _, rr := range rrs {
		if a, ok := addrOf(rr, qtype); ok {
			out = appendAddr(out, a)
		}
	}
	return out
}

func appendAddr(out []netip.Addr, a netip.Addr) []netip.Addr {
	if len(out) >= MaxAddrs || slices.Contains(out, a) {
		return out
	}
	return append(out, a)
}

// resolve looks up a target's A, then AAAA, records.
func (s *session) resolve(ctx context.Context, t *target) {
	rrs, _, _, errA := s.r.lookup(ctx, t.name, dns.TypeA, &t.log)
	t.addrs = appendAddrs(t.addrs, rrs, dns.TypeA)
	var errAAAA error
	if code(errA) != hresult.DNSNameError && code(errA) != hresult.Timeout && ctx.Err() == nil {
		// A name that does not exist has no AAAA either, and a server that
		// did not answer in time would only use up the deadline again.
		rrs, _, _, errAAAA = s.r.lookup(ctx, t.name, dns.TypeAAAA, &t.log)
		t.addrs = appendAddrs(t.addrs, rrs, dns.TypeAAAA)
	}
	if len(t.addrs) > 0 {
		return
	}
	t.err = errA
	if errAAAA != nil && severity(code(errAAAA)) > severity(code(errA)) {
		t.err = errAAAA
	}
	if t.err == nil {
		t.err = &Error{HRESULT: hresult.DNSNoRecords, Op: "look up A/AAAA", Name: t.name, Err: ErrNoRecords}
	}
	if c := code(t.err); c == hresult.DNSNameError || c == hresult.DNSNoRecords {
		// The record was found; its target has no address. Windows
		// reports a host name that does not resolve as WSAHOST_NOT_FOUND.
		t.err = &Error{HRESULT: hresult.HostNotFound, Op: "resolve the target of", Name: t.name, Record: t.srv, Err: t.err}
	}
}

// code is err's HRESULT, or 0.
func code(err error) hresult.Code {
	if e, ok := err.(*Error); ok {
		return e.HRESULT
	}
	return 0
}
