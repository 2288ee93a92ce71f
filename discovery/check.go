package discovery

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kmsctl/kmsctl/clock"
	"github.com/miekg/dns"
)

// zoneLine is the zone-file line that publishes a KMS host with a TTL of
// ttl seconds (Check writes the one the DNS server served). Both names are
// made fully qualified; a domain given with the _vlmcs._tcp prefix keeps
// it once.
func zoneLine(domain, target string, ttl uint32, port, prio, weight uint16) string {
	domain = dns.Fqdn(strings.TrimSpace(domain))
	if len(domain) > len(Service) && strings.EqualFold(domain[:len(Service)], Service) {
		domain = domain[len(Service):]
	}
	if domain == "." {
		domain = ""
	}
	return fmt.Sprintf("%s%s %d IN SRV %d %d %d %s", Service, domain, ttl, prio, weight, port, dns.Fqdn(strings.TrimSpace(target)))
}

// Report is what `kmsctl dns check` shows.
type Report struct {
	Domain string // the domain checked, fully qualified
	Name   string // _vlmcs._tcp.<Domain>
	Server string // the DNS server that answered (or, when the lookup failed, the one that failed)
	// Records as published, sorted by priority, then weight (highest
	// first), then target and port.
	Records []Record
	// Capped counts the SRV records beyond MaxRecords that were dropped.
	Capped int
	// Attempts lists every DNS exchange, in order.
	Attempts []Attempt
}

// Record is one published record and what became of it.
type Record struct {
	SRV
	Addrs      []netip.Addr // the target's addresses, IPv4 first
	ResolveErr error        // why the target has no address (an *Error), or nil
	// Probes are the KMS probes of the target's addresses on the record's
	// port, in Addrs order (empty when Check had no probe function).
	Probes []Probe
	// Duplicate: an earlier record has the same target and port.
	Duplicate bool
	// Dead: the target does not resolve, or no address answers KMS.
	Dead bool
	// ZoneLine is the record in zone-file syntax, with the TTL (seconds)
	// the DNS server served it with (SRV.TTL).
	ZoneLine string
}

// Answering reports whether some address of the record answered KMS.
func (r *Record) Answering() bool {
	for _, p := range r.Probes {
		if p.Err == nil {
			return true
		}
	}
	return false
}

// Probe is one KMS probe of one address.
type Probe struct {
	Addr     string // ip:port
	EPID     string // the host's ePID, when it answered
	Err      error
	Duration time.Duration
}

// Check looks up domain's KMS records (or, with "", those of the first
// search domain that publishes any, as Discover does), resolves every
// target and probes every address on its record's port with probe, which
// returns the host's ePID or why it did not answer (the package does not
// depend on the KMS client; the callback should bound its own time, e.g.
// with context.WithTimeout, so that a stalled host leaves time for the
// rest). Each distinct address:port is probed once, up to
// Options.Concurrency at a time; a nil probe skips probing.
//
// Check returns a report whenever the arguments are valid, with every
// attempt listed; the error is non-nil when the lookup itself failed (then
// the report has no records) — the same *Error Discover returns.
func Check(ctx context.Context, domain string, opts Options, probe func(ctx context.Context, addr string) (epid string, err error)) (*Report, error) {
	s, domains, err := prepare(domain, opts)
	if err != nil {
		return nil, err
	}
	rep := &Report{}
	pub, d, err := s.firstPublished(ctx, domains, &rep.Attempts)
	rep.Domain, rep.Name = d, Service+d
	if err != nil {
		if e, ok := err.(*Error); ok {
			rep.Server = e.Server // the server that said no, or did not answer
		}
		return rep, err
	}
	s.resolveAll(ctx, pub, &rep.Attempts)
	rep.Server, rep.Capped = pub.server, pub.capped
	for _, r := range pub.records {
		t := pub.targets[strings.ToLower(r.Target)]
		rep.Records = append(rep.Records, Record{SRV: r, Addrs: t.addrs, ResolveErr: t.err,
			ZoneLine: zoneLine(rep.Domain, r.Target, r.TTL, r.Port, r.Priority, r.Weight)})
	}
	slices.SortStableFunc(rep.Records, func(a, b Record) int {
		return cmp.Or(cmp.Compare(a.Priority, b.Priority), cmp.Compare(b.Weight, a.Weight),
			cmp.Compare(strings.ToLower(a.Target), strings.ToLower(b.Target)), cmp.Compare(a.Port, b.Port))
	})
	seen := map[hostID]bool{}
	for i := range rep.Records {
		k := hostKey(rep.Records[i].SRV)
		rep.Records[i].Duplicate = seen[k]
		seen[k] = true
	}
	if probe != nil {
		probeAll(ctx, rep.Records, probe, s.workers, clock.Or(opts.Clock))
	}
	for i := range rep.Records {
		r := &rep.Records[i]
		r.Dead = len(r.Addrs) == 0 || probe != nil && !r.Answering()
	}
	return rep, nil
}

// probeAll probes each distinct address:port once, workers at a time.
func probeAll(ctx context.Context, recs []Record, probe func(context.Context, string) (string, error), workers int, clk clock.Clock) {
	results := map[string]*Probe{}
	var order []*Probe
	for i := range recs {
		port := strconv.Itoa(int(recs[i].Port))
		for _, a := range recs[i].Addrs {
			addr := net.JoinHostPort(a.String(), port)
			if results[addr] == nil {
				p := &Probe{Addr: addr}
				results[addr] = p
				order = append(order, p)
			}
		}
	}
	work := make(chan *Probe)
	var wg sync.WaitGroup
	for range min(workers, len(order)) {
		wg.Go(func() {
			for p := range work {
				start := clk.Now()
				p.EPID, p.Err = probe(ctx, p.Addr)
				p.Duration = clk.Now().Sub(start)
			}
		})
	}
	for _, p := range order {
		work <- p
	}
	close(work)
	wg.Wait()
	for i := range recs {
		port := strconv.Itoa(int(recs[i].Port))
		for _, a := range recs[i].Addrs {
			recs[i].Probes = append(recs[i].Probes, *results[net.JoinHostPort(a.String(), port)])
		}
	}
}
