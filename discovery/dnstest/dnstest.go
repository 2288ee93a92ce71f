// Package dnstest runs an in-process DNS server on loopback for tests: one
// zone of SRV, A, AAAA, CNAME and TXT records served over UDP and TCP on the
// same port, with injectable faults (NXDOMAIN, SERVFAIL, REFUSED, no answer
// at all, truncated UDP answers). It is built on github.com/miekg/dns and,
// like kmsclient/kmstest, only tests import it.
package dnstest

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// Fault is a behaviour the server injects for a query name.
type Fault int

// Faults.
const (
	// None answers from the zone: NXDOMAIN for a name that does not exist
	// (and has no names below it), NOERROR with no records (NODATA) for a
	// name that exists without records of the asked type.
	None Fault = iota
	// NXDomain answers NXDOMAIN whatever the zone holds.
	NXDomain
	// ServFail answers SERVFAIL.
	ServFail
	// Refused answers REFUSED.
	Refused
	// Stall never answers, over UDP or TCP, until the server is closed.
	Stall
	// TruncateUDP answers over UDP with the TC bit set and no records, so
	// that only a TCP retry gets the answer.
	TruncateUDP
	// OversizeUDP ignores the client's EDNS buffer size over UDP and sends
	// the whole answer in one datagram, as some middleboxes and old
	// servers do; the client sees a cut-off message.
	OversizeUDP
	// ServFailTruncated answers SERVFAIL with the TC bit set, over UDP
	// and TCP alike.
	ServFailTruncated
)

func (f Fault) String() string {
	switch f {
	case None:
		return "none"
	case NXDomain:
		return "NXDOMAIN"
	case ServFail:
		return "SERVFAIL"
	case Refused:
		return "REFUSED"
	case Stall:
		return "stall"
	case TruncateUDP:
		return "truncate UDP"
	case OversizeUDP:
		return "oversize UDP"
	case ServFailTruncated:
		return "SERVFAIL truncated"
	}
	return "fault " + strconv.Itoa(int(f))
}

// MaxChase is how many CNAMEs the server follows inside its own zone when
// it builds an answer; a CNAME loop ends there (or when a name repeats) and
// the chain built so far is sent with NOERROR, as authoritative servers do,
// so that the client has to notice the loop.
const MaxChase = 16

// Zone is what the server serves.
type Zone struct {
	// Records in zone-file syntax, one record per string, for example
	// "_vlmcs._tcp.corp.example. 3600 IN SRV 0 0 1688 kms1.corp.example.".
	Records []string
	// RRs are further records, already parsed (for large generated sets).
	RRs []dns.RR
	// Faults injects a behaviour per query name (any case, with or
	// without the final dot); the key "" applies to every name without
	// its own entry.
	Faults map[string]Fault
	// NoAdditional leaves the additional section of SRV answers empty;
	// by default it carries the targets' A and AAAA records from the zone.
	NoAdditional bool
}

// Query is one query the server received.
type Query struct {
	Name string // as asked
	Type string // "SRV", "A", ...
	Net  string // "udp" or "tcp"
}

// Server is a running test DNS server.
type Server struct {
	addr    string
	names   map[string][]dns.RR // canonical owner → records
	exists  map[string]bool     // every owner and every name above one (empty non-terminals)
	faults  map[string]Fault
	noAddl  bool
	udp     *dns.Server
	tcp     *dns.Server
	done    chan struct{} // closed by Close: releases stalled handlers
	wg      sync.WaitGroup
	mu      sync.Mutex
	queries []Query
	closed  bool
}

// TB is the part of testing.TB the server needs.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// Start runs a server on 127.0.0.1 (UDP and TCP, one port) and stops it
// when the test ends.
func Start(t TB, zone Zone) *Server {
	t.Helper()
	s, err := New(zone)
	if err != nil {
		t.Fatalf("dnstest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// New runs a server on 127.0.0.1; the caller must Close it.
func New(zone Zone) (*Server, error) {
	s := &Server{
		names:  map[string][]dns.RR{},
		exists: map[string]bool{},
		faults: map[string]Fault{},
		noAddl: zone.NoAdditional,
		done:   make(chan struct{}),
	}
	for _, text := range zone.Records {
		rr, err := dns.NewRR(text)
		if err != nil {
			return nil, fmt.Errorf("parse record %q: %w", text, err)
		}
		if rr == nil {
			return nil, fmt.Errorf("parse record %q: no record", text)
		}
		s.add(rr)
	}
	for _, rr := range zone.RRs {
		s.add(rr)
	}
	for name, f := range zone.Faults {
		if name != "" {
			name = dns.CanonicalName(name)
		}
		s.faults[name] = f
	}
	pc, ln, err := listen()
	if err != nil {
		return nil, err
	}
	s.addr = pc.LocalAddr().String()
	s.udp = &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(s.serve), UDPSize: dns.MaxMsgSize}
	s.tcp = &dns.Server{Listener: ln, Handler: dns.HandlerFunc(s.serve)}
	for _, srv := range []*dns.Server{s.udp, s.tcp} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		failed := make(chan error, 1)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := srv.ActivateAndServe(); err != nil {
				failed <- err
			}
		}()
		select {
		case <-started:
		case err := <-failed:
			close(s.done)
			pc.Close()
			ln.Close()
			s.wg.Wait()
			return nil, fmt.Errorf("serve: %w", err)
		}
	}
	return s, nil
}

// listen opens UDP and TCP on the same loopback port.
func listen() (net.PacketConn, net.Listener, error) {
	var last error
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return nil, nil, err
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, ln, nil
		}
		pc.Close()
		last = err
	}
	return nil, nil, fmt.Errorf("no loopback port free for both UDP and TCP: %w", last)
}

func (s *Server) add(rr dns.RR) {
	h := rr.Header()
	h.Name = dns.CanonicalName(h.Name)
	if h.Class == 0 {
		h.Class = dns.ClassINET
	}
	s.names[h.Name] = append(s.names[h.Name], rr)
	for name := h.Name; ; {
		s.exists[name] = true
		off, end := dns.NextLabel(name, 0)
		if end {
			break
		}
		name = name[off:]
	}
}

// Addr is the server's address, 127.0.0.1:PORT (UDP and TCP).
func (s *Server) Addr() string { return s.addr }

// Queries returns every query the server received, in order.
func (s *Server) Queries() []Query {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Query(nil), s.queries...)
}

// Close stops the server, releases stalled queries and waits for every
// goroutine it started.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	close(s.done)
	s.udp.Shutdown()
	s.tcp.Shutdown()
	s.wg.Wait()
}

func (s *Server) fault(name string) Fault {
	if f, ok := s.faults[name]; ok {
		return f
	}
	return s.faults[""]
}

func (s *Server) serve(w dns.ResponseWriter, req *dns.Msg) {
	network := "udp"
	if _, ok := w.RemoteAddr().(*net.TCPAddr); ok {
		network = "tcp"
	}
	if len(req.Question) != 1 {
		m := new(dns.Msg)
		m.SetRcode(req, dns.RcodeFormatError)
		w.WriteMsg(m)
		return
	}
	q := req.Question[0]
	s.mu.Lock()
	s.queries = append(s.queries, Query{Name: q.Name, Type: dns.Type(q.Qtype).String(), Net: network})
	s.mu.Unlock()

	name := dns.CanonicalName(q.Name)
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	switch s.fault(name) {
	case NXDomain:
		m.Rcode = dns.RcodeNameError
	case ServFail:
		m.Rcode = dns.RcodeServerFailure
	case ServFailTruncated:
		m.Rcode, m.Truncated = dns.RcodeServerFailure, true
	case Refused:
		m.Rcode = dns.RcodeRefused
	case Stall:
		<-s.done
		return
	case TruncateUDP:
		if network == "udp" {
			m.Truncated = true
			break
		}
		s.answer(m, name, q.Qtype)
	default:
		s.answer(m, name, q.Qtype)
	}
	size := dns.MaxMsgSize
	if network == "udp" && s.fault(name) != OversizeUDP {
		size = dns.MinMsgSize
		if opt := req.IsEdns0(); opt != nil {
			size = int(max(opt.UDPSize(), dns.MinMsgSize))
		}
	}
	if opt := req.IsEdns0(); opt != nil {
		m.SetEdns0(uint16(min(size, dns.MaxMsgSize)), false)
	}
	m.Truncate(size)
	_ = w.WriteMsg(m) // a client that is gone has nothing to be told
}

// answer fills m from the zone, following CNAMEs inside it.
func (s *Server) answer(m *dns.Msg, name string, qtype uint16) {
	seen := map[string]bool{}
	cur := name
	for hops := 0; ; hops++ {
		if seen[cur] || hops > MaxChase {
			return // a loop: send the chain as far as it went
		}
		seen[cur] = true
		rrs := s.names[cur]
		var cname *dns.CNAME
		matched := false
		for _, rr := range rrs {
			if rr.Header().Rrtype == qtype || qtype == dns.TypeANY {
				m.Answer = append(m.Answer, dns.Copy(rr))
				matched = true
			}
			if c, ok := rr.(*dns.CNAME); ok {
				cname = c
			}
		}
		if matched {
			break
		}
		if cname == nil || qtype == dns.TypeCNAME {
			if !s.exists[cur] {
				m.Rcode = dns.RcodeNameError
			}
			return
		}
		m.Answer = append(m.Answer, dns.Copy(cname))
		cur = dns.CanonicalName(cname.Target)
	}
	if qtype != dns.TypeSRV || s.noAddl {
		return
	}
	added := map[string]bool{}
	for _, rr := range m.Answer {
		srv, ok := rr.(*dns.SRV)
		if !ok {
			continue
		}
		t := dns.CanonicalName(srv.Target)
		if added[t] {
			continue
		}
		added[t] = true
		for _, a := range s.names[t] {
			switch a.Header().Rrtype {
			case dns.TypeA, dns.TypeAAAA:
				m.Extra = append(m.Extra, dns.Copy(a))
			}
		}
	}
}

// SRVSet returns n SRV records under _vlmcs._tcp.<domain> for the targets
// kms<i>.<domain> (i from 1), all with the given priority, weight and port,
// and, when withA is set, an A record 127.0.0.1 for each target. It is for
// tests of large record sets.
func SRVSet(domain string, n int, prio, weight, port uint16, withA bool) []dns.RR {
	domain = dns.Fqdn(strings.ToLower(domain))
	owner := "_vlmcs._tcp." + domain
	out := make([]dns.RR, 0, 2*n)
	for i := 1; i <= n; i++ {
		target := "kms" + strconv.Itoa(i) + "." + domain
		out = append(out, &dns.SRV{
			Hdr:      dns.RR_Header{Name: owner, Rrtype: dns.TypeSRV, Class: dns.ClassINET, Ttl: 3600},
			Priority: prio, Weight: weight, Port: port, Target: target,
		})
		if withA {
			out = append(out, &dns.A{
				Hdr: dns.RR_Header{Name: target, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 3600},
				A:   net.IPv4(127, 0, 0, 1),
			})
		}
	}
	return out
}
