package discovery

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/kmsctl/kmsctl/clock"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/limit"
	"github.com/miekg/dns"
)

// resolver asks DNS servers, in order, and records every exchange.
type resolver struct {
	servers []string
	timeout time.Duration
	clk     clock.Clock
	udp     *dns.Client
	tcp     *dns.Client
}

func newResolver(servers []string, timeout time.Duration, clk clock.Clock) *resolver {
	return &resolver{
		servers: servers,
		timeout: timeout,
		clk:     clk,
		// Timeout replaces miekg/dns's own 2 s read and write limits, which
		// would otherwise cut any longer QueryTimeout short; the query's
		// context bounds it too.
		udp: &dns.Client{Net: "udp", UDPSize: UDPSize, Timeout: timeout},
		tcp: &dns.Client{Net: "tcp", Timeout: timeout},
	}
}

// failure is what went wrong with one server, before it is named.
type failure struct {
	code hresult.Code
	err  error
}

// cause is a sentinel kind plus the underlying error: it prints both (or
// only the kind, for timeouts, whose detail is noise) and unwraps to both.
type cause struct {
	kind   error
	detail error
	quiet  bool // print the kind only
}

func (c *cause) Error() string {
	if c.quiet || c.detail == nil {
		return c.kind.Error()
	}
	return c.kind.Error() + ": " + c.detail.Error()
}

func (c *cause) Unwrap() []error {
	if c.detail == nil {
		return []error{c.kind}
	}
	return []error{c.kind, c.detail}
}

// exchange asks each server in turn for name/qtype until one gives a
// definitive answer (NOERROR or NXDOMAIN) and returns it with the server.
// A truncated UDP answer is asked again over TCP.
func (r *resolver) exchange(ctx context.Context, name string, qtype uint16, log *[]Attempt) (*dns.Msg, string, error) {
	q := new(dns.Msg)
	q.SetQuestion(name, qtype)
	q.SetEdns0(UDPSize, false)
	var last *Error
	for _, server := range r.servers {
		if err := ended(ctx, clock.Real{}); err != nil {
			if last == nil {
				last = ctxError(err, name, server)
			}
			break
		}
		m, f := r.ask(ctx, server, "udp", q, log)
		// A truncated answer, or one that could not be read at all (a
		// server that ignores the EDNS buffer size sends a datagram the
		// client only gets part of), is asked again over TCP.
		if f == nil && m.Truncated || f != nil && m == nil && !errors.Is(f.err, ErrTimeout) && ctx.Err() == nil {
			m, f = r.ask(ctx, server, "tcp", q, log)
		}
		if f == nil {
			return m, server, nil
		}
		last = &Error{HRESULT: f.code, Op: "look up " + dns.Type(qtype).String(), Name: name, Server: server, Err: f.err}
	}
	if last == nil {
		last = &Error{HRESULT: hresult.NoDNSServers, Op: "look up " + dns.Type(qtype).String(), Name: name, Err: errors.New("no DNS server to ask")}
	}
	return nil, "", last
}

func ctxError(err error, name, server string) *Error {
	return &Error{HRESULT: hresult.Timeout, Op: "look up", Name: name, Server: server, Err: &cause{kind: ErrTimeout, detail: err, quiet: true}}
}

// ask does one exchange with one server over one transport.
func (r *resolver) ask(ctx context.Context, server, network string, q *dns.Msg, log *[]Attempt) (*dns.Msg, *failure) {
	qctx, cancel := limit.With(ctx, limit.DNSQuery, r.timeout)
	defer cancel()
	c := r.udp
	if network == "tcp" {
		c = r.tcp
	}
	start := r.clk.Now()
	m, err := exchangeConn(qctx, c, server, q)
	if err != nil {
		m = nil // whatever was read of a failed exchange is not an answer
	}
	a := Attempt{Name: q.Question[0].Name, Type: dns.Type(q.Question[0].Qtype).String(), Server: server, Net: network,
		Duration: r.clk.Now().Sub(start)}
	f := classify(q, m, err)
	if f != nil && errors.Is(f.err, ErrTimeout) && qctx.Err() != nil {
		// Say which limit ran out: this query's, or the caller's.
		f.err = &cause{kind: ErrTimeout, detail: limit.Cause(qctx), quiet: true}
	}
	switch {
	case f != nil && errors.Is(f.err, ErrTimeout):
		a.Result = "timeout"
	case err != nil:
		a.Result = "error"
	case f != nil && (m.Rcode == dns.RcodeSuccess || m.Rcode == dns.RcodeNameError):
		a.Result = "bad answer"
	case m.Truncated && network == "udp":
		a.Result = "truncated"
	default:
		a.Result = dns.RcodeToString[m.Rcode]
		if a.Result == "" {
			a.Result = fmt.Sprintf("RCODE%d", m.Rcode)
		}
	}
	if m != nil {
		for _, rr := range m.Answer {
			if rr.Header().Rrtype == q.Question[0].Qtype {
				a.Answers++
			}
		}
		if m.Rcode == dns.RcodeNameError {
			a.Err = ErrNameError
		}
	}
	if f != nil {
		a.Err = f.err
	}
	*log = append(*log, a)
	return m, f
}

// exchangeConn is dns.Client.ExchangeContext, except that cancelling ctx
// interrupts a blocked read at once (miekg/dns only applies the deadline).
func exchangeConn(ctx context.Context, c *dns.Client, server string, q *dns.Msg) (*dns.Msg, error) {
	conn, err := c.DialContext(ctx, server)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	m, _, err := c.ExchangeWithConnContext(ctx, q, conn)
	if err != nil {
		if cerr := ended(ctx, clock.Real{}); cerr != nil {
			err = cerr
		}
	}
	return m, err
}

// classify turns an exchange into nil (a usable, definitive answer) or a
// failure with its Windows code.
func classify(q, m *dns.Msg, err error) *failure {
	if err != nil {
		var ne net.Error
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
			errors.Is(err, context.Canceled) || errors.As(err, &ne) && ne.Timeout() {
			return &failure{hresult.Timeout, &cause{kind: ErrTimeout, detail: err, quiet: true}}
		}
		return &failure{hresult.DNSServerFailure, &cause{kind: ErrServerFailure, detail: err}}
	}
	if len(m.Question) > 0 && (m.Question[0].Qtype != q.Question[0].Qtype || !strings.EqualFold(m.Question[0].Name, q.Question[0].Name)) {
		return &failure{hresult.DNSServerFailure, &cause{kind: ErrServerFailure, detail: fmt.Errorf("the answer is for another question (%s %s)", dns.Type(m.Question[0].Qtype), m.Question[0].Name)}}
	}
	switch m.Rcode {
	case dns.RcodeSuccess, dns.RcodeNameError:
		// Even truncated: after UDP the caller asks again over TCP, and
		// takes a truncated TCP answer as it is.
		return nil
	}
	rc := dns.RcodeToString[m.Rcode]
	if rc == "" {
		rc = fmt.Sprintf("RCODE%d", m.Rcode)
	}
	return &failure{hresult.DNSServerFailure, &cause{kind: ErrServerFailure, detail: errors.New("the server answered " + rc)}}
}

// lookup resolves name/qtype, following CNAMEs (in the answer, and by
// asking again when a chain leaves the answer) at most MaxCNAMEHops times.
// It returns the records of qtype and the answer they came in.
func (r *resolver) lookup(ctx context.Context, name string, qtype uint16, log *[]Attempt) ([]dns.RR, *dns.Msg, string, error) {
	seen := map[string]bool{strings.ToLower(name): true}
	hops := 0
	cur := name
	for {
		m, server, err := r.exchange(ctx, cur, qtype, log)
		if err != nil {
			return nil, nil, "", err
		}
		rrs, next, err := answered(m, name, cur, qtype, server, seen, &hops)
		if err != nil {
			return nil, nil, server, err
		}
		if len(rrs) > 0 {
			return rrs, m, server, nil
		}
		cur = next // the chain left this answer: ask for its end
	}
}

// answered reads server's answer m (one that classify accepted) to cur,
// asked in a lookup of name/qtype: the records of qtype at the end of the
// CNAME chain; or, when there are none, the end of a chain that leaves the
// answer (not cur: ask it next) or why there is nothing (an *Error). seen
// and hops carry over between the lookup's answers, as for chase.
func answered(m *dns.Msg, name, cur string, qtype uint16, server string, seen map[string]bool, hops *int) ([]dns.RR, string, error) {
	op := "look up " + dns.Type(qtype).String()
	rrs, next, err := chase(m.Answer, cur, qtype, seen, hops)
	if err != nil {
		return nil, cur, &Error{HRESULT: hresult.DNSServerFailure, Op: op, Name: name, Server: server, Err: err}
	}
	if m.Rcode == dns.RcodeNameError {
		return nil, cur, &Error{HRESULT: hresult.DNSNameError, Op: op, Name: next, Server: server, Err: ErrNameError}
	}
	if len(rrs) > 0 || !strings.EqualFold(next, cur) {
		return rrs, next, nil
	}
	return nil, cur, &Error{HRESULT: hresult.DNSNoRecords, Op: op, Name: cur, Server: server, Err: ErrNoRecords}
}

// chase follows name through the CNAMEs of rrs and returns the records of
// qtype owned by the end of the chain, and that end. seen and hops carry
// over between answers so that no chain loops or grows without bound.
func chase(rrs []dns.RR, name string, qtype uint16, seen map[string]bool, hops *int) ([]dns.RR, string, error) {
	cur := name
	for {
		var out []dns.RR
		cname := ""
		for _, rr := range rrs {
			h := rr.Header()
			if h.Class != dns.ClassINET || !strings.EqualFold(h.Name, cur) {
				continue
			}
			if h.Rrtype == qtype {
				out = append(out, rr)
			} else if c, ok := rr.(*dns.CNAME); ok && cname == "" {
				cname = c.Target
			}
		}
		if len(out) > 0 || cname == "" || qtype == dns.TypeCNAME {
			return out, cur, nil
		}
		*hops++
		if *hops > MaxCNAMEHops {
			return nil, cur, fmt.Errorf("%w: more than %d from %s", ErrTooManyHops, MaxCNAMEHops, name)
		}
		k := strings.ToLower(cname)
		if seen[k] {
			return nil, cur, fmt.Errorf("%w: %s points back to %s", ErrCNAMELoop, cur, cname)
		}
		seen[k] = true
		cur = cname
	}
}

// ended is ctx's error, or DeadlineExceeded once its deadline has passed
// (a socket deadline set from it can fire before ctx notices).
func ended(ctx context.Context, clk clock.Clock) error {
	if err := limit.Cause(ctx); err != nil {
		return err
	}
	if d, ok := ctx.Deadline(); ok && !clk.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return nil
}
