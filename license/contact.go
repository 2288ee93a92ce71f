package license

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/clock"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/identity"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/kmsrequest"
	"github.com/kmsctl/kmsctl/limit"
)

// ExchangeFunc sends one activation request to the KMS host at addr
// (host:port) and returns its verified answer and the address it
// connected to ("" when it did not).
type ExchangeFunc func(ctx context.Context, addr string, req *kmsclient.Request) (res *kmsclient.Result, remote string, err error)

// Dialer is the real exchange: one kmsclient connection per contact.
func Dialer(opts kmsclient.Options) ExchangeFunc {
	return func(ctx context.Context, addr string, req *kmsclient.Request) (*kmsclient.Result, string, error) {
		conn, err := kmsclient.Dial(ctx, addr, opts)
		if err != nil {
			return nil, "", err
		}
		defer conn.Close()
		remote := conn.RemoteAddr()
		res, err := conn.Activate(ctx, req)
		return res, remote, err
	}
}

// DiscoverFunc finds KMS hosts (in the order to try them) by DNS SRV lookup
// of _vlmcs._tcp in domain, or in the machine's own domains when domain is
// "".
type DiscoverFunc func(ctx context.Context, domain string) ([]Found, error)

// Found is one address of a KMS host to contact.
type Found struct {
	// Name is the SRV target and port that published the host
	// ("kms1.corp.example.com:1688", without the final dot); "" for a host
	// set with skms.
	Name string
	// Addr is the host:port to connect to ("10.0.0.5:1688").
	Addr string
}

// Label is how people see the host: "NAME (ADDR)", or ADDR without a name.
func (f Found) Label() string {
	if f.Name == "" || f.Name == f.Addr {
		return f.Addr
	}
	return f.Name + " (" + f.Addr + ")"
}

// Client is who contacts the host, and how.
type Client struct {
	Identity identity.Identity // CMID, previous CMID and workstation sent
	Clock    clock.Clock       // nil: the real clock
	Timeout  time.Duration     // for each host tried; 0: 5 seconds
	Exchange ExchangeFunc      // nil: Dialer with the Clock
	// Discover finds hosts when none is set with skms. nil means kmsctl
	// cannot discover hosts: activation then needs a host set with skms.
	Discover DiscoverFunc
	// Identify, when not nil, replaces Identity: Contact calls it under
	// the store's lock, once a product key is known to be installed, so
	// that the identity sent is the one current while the contact is
	// recorded (Rearm changes the CMID under the same lock). It must not
	// take the store's lock; the identity's own lock is fine.
	Identify func(ctx context.Context) (identity.Identity, error)
	// Product is the Activation (SKU) ID of the product to activate; zero
	// means the only installed product (several: an *AmbiguousError).
	Product guid.GUID
	// Progress, when not nil, is told of each host as it is tried, before
	// the request goes out, and of each failure that moves on to the next
	// host, as it happens: a person at a terminal sees what is being waited
	// for. It is called under the store's lock and must not take it.
	Progress func(Progress)
}

// Progress is one step of a contact: Host is about to be asked (Err nil),
// or Host failed with Err and Next is tried now.
type Progress struct {
	Product catalogue.Product
	Host    string
	Err     error
	Next    string
}

// Outcome is what a contact did.
type Outcome struct {
	Action   Action            // Activate, Renew, Retry, or Wait when renew found nothing due
	Identity identity.Identity // the client identity the contact used (or would have, on Wait)
	Product  catalogue.Product // the installed product
	Attempts []Attempt         // every host tried, in order; none when Action is Wait
	// Err is why the contact did not activate: a *CountError when the
	// host's count is below the threshold, the *kmsclient.Error of a
	// failed exchange, a discovery error, or an *InterruptedError when the
	// user stopped it (Ctrl-C). nil on success and on Wait.
	Err   error
	State State     // the state afterwards
	View  View      // what it means at the time of the contact
	At    time.Time // when, in the clock's time zone
}

// Last is the last host tried, or nil.
func (o *Outcome) Last() *Attempt {
	if len(o.Attempts) == 0 {
		return nil
	}
	return &o.Attempts[len(o.Attempts)-1]
}

// CountError is a host that answered with a count below the product's
// activation threshold: SL_E_VL_NOT_ENOUGH_COUNT.
type CountError struct {
	Host      string
	Group     string
	Count     uint32
	Threshold int
}

func (e *CountError) Error() string {
	clients := "clients"
	if e.Count == 1 {
		clients = "client"
	}
	return fmt.Sprintf("KMS host %s counts %d %s for %s; activation needs %d", e.Host, e.Count, clients, e.Group, e.Threshold)
}

// Code is 0xC004F038.
func (e *CountError) Code() hresult.Code { return hresult.NotEnoughCount }

// Refused reports that the host answered and said no (exit status 1).
func (e *CountError) Refused() bool { return true }

// InterruptedError is a contact the user stopped (Ctrl-C, the context's
// cause limit.ErrInterrupted) while Host was being asked. It says nothing
// about the host, so it is neither journaled nor kept as the state's last
// attempt; a request that reached the host may still have been counted.
type InterruptedError struct{ Host string }

func (e *InterruptedError) Error() string {
	return "interrupted (Ctrl-C) while KMS host " + e.Host + " was being asked; this contact was not recorded"
}

// Unwrap is limit.ErrInterrupted.
func (e *InterruptedError) Unwrap() error { return limit.ErrInterrupted }

// NoHostError is an activation with no KMS host set and no way to discover one.
type NoHostError struct{ Domain string }

func (e *NoHostError) Error() string {
	if e.Domain != "" {
		return "no KMS host is set, and kmsctl cannot look up _vlmcs._tcp." + e.Domain + " in DNS yet"
	}
	return "no KMS host is set, and kmsctl cannot find one in DNS yet"
}

// Code is what Windows reports when it finds no host: 0xC004F074.
func (e *NoHostError) Code() hresult.Code { return hresult.NoKMSHost }

// Contact talks to the KMS host as op ("ato" or "renew") asks, under the
// store's lock, so concurrent activations and renewals of one store run
// one after the other and each sees the state the previous one left:
//
//   - ato contacts the host now;
//   - renew contacts it only when a renewal or retry is due (Due), unless
//     force; otherwise the Outcome's Action is Wait and nothing is written.
//
// The request carries the identity's CMID and previous CMID (from
// c.Identify, called under the lock, when set), the product's IDs,
// threshold and protocol, and the current license status and minutes left
// in it. Every host tried becomes a journal entry and the state's
// last attempt, but one cut short by Ctrl-C (ctx's cause
// limit.ErrInterrupted: Outcome.Err is an *InterruptedError); a success (a count at or above the threshold) is also the
// last success, which makes the product Licensed for kmsclient.Validity. The host's
// intervals are kept whenever it answers with a count.
//
// The returned error is for what stopped the contact before it happened
// (no product key, no host, a corrupt store, a lock not obtained, an
// Identify error); the contact's own failure is Outcome.Err.
func (s Store) Contact(ctx context.Context, op string, force bool, c Client) (Outcome, error) {
	clk := clock.Or(c.Clock)
	exchange := c.Exchange
	if exchange == nil {
		exchange = Dialer(kmsclient.Options{Clock: clk})
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = limit.DefaultTimeout
	}
	var out Outcome
	st, err := s.updateOne(ctx, s.choose(op, c.Product), func(st *State) ([]Attempt, error) {
		id := c.Identity
		if c.Identify != nil {
			var err error
			if id, err = c.Identify(ctx); err != nil {
				return nil, err
			}
		}
		out.Identity = id
		t := clk.Now()
		now := t.UTC().Truncate(time.Second)
		// Stored in UTC; shown in the clock's zone, as dli and xpr show it.
		out.At, out.Product = now.In(t.Location()), st.Product.SKU
		action, view := Activate, Evaluate(*st, now)
		if op != "ato" {
			action, view = Due(*st, now, force)
		}
		out.Action, out.View = action, view
		if action == Wait {
			return nil, ErrNoChange
		}
		hosts, derr := s.candidates(ctx, st, c.Discover)
		if len(hosts) == 0 && derr == nil {
			return nil, &NoHostError{Domain: st.KMS.LookupDomain}
		}
		p := st.Product.SKU
		req := kmsrequest.New(p, p.Protocol, kmsrequest.Client{CMID: id.CMID, Workstation: id.Workstation}, clk)
		req.LicenseStatus = view.Status
		req.BindingExpiration = uint32(view.Remaining(now) / time.Minute)
		req.PreviousCMID = id.PreviousCMID
		base := Attempt{At: now, Op: op, Product: p.Name, SKUID: p.SKUID, Protocol: p.Protocol,
			CMID: id.CMID, PreviousCMID: id.PreviousCMID, LicenseStatus: int(view.Status), Threshold: p.Threshold}
		if len(hosts) == 0 { // discovery failed: that is this attempt's result
			a := base
			a.Result, a.Cause = codeOf(derr), derr.Error()
			out.Attempts, out.Err = append(out.Attempts, a), derr
		}
		for i, host := range hosts {
			if c.Progress != nil && i == 0 {
				c.Progress(Progress{Product: p, Host: host.Label()})
			}
			a, err := contactOne(ctx, exchange, timeout, host, req, base)
			if err != nil && limit.Interrupted(ctx) {
				// Ctrl-C: whatever the connection said then is not the
				// host's answer. Not journaled (the journal records what
				// hosts did), and the state keeps its last real attempt.
				out.Err = &InterruptedError{Host: host.Label()}
				break
			}
			out.Attempts, out.Err = append(out.Attempts, a), err
			if err == nil || !unreachable(err) || i == len(hosts)-1 {
				break
			}
			if c.Progress != nil {
				c.Progress(Progress{Product: p, Host: host.Label(), Err: err, Next: hosts[i+1].Label()})
			}
		}
		if len(out.Attempts) == 0 { // interrupted at the first host
			return nil, ErrNoChange
		}
		last := out.Attempts[len(out.Attempts)-1]
		st.LastAttempt = &last
		if last.Count != nil {
			st.Intervals = Intervals{ClampInterval(last.Activation), ClampInterval(last.Renewal)}
		}
		if last.Succeeded() {
			st.LastSuccess = &last
			if st.KMS.Host == "" && !st.KMS.NoCaching {
				st.Discovered = last.Host
			}
		}
		return out.Attempts, nil
	}, nil)
	if err != nil {
		return Outcome{}, err
	}
	out.State = st
	if out.Action != Wait {
		out.View = Evaluate(st, out.At)
	}
	return out, nil
}

// ContactEach contacts the host for each product in turn (its Activation
// ID; c.Product is ignored), as Contact does, each under the store's lock:
// a machine's Windows and Office activate with its one CMID, each in its
// own KMS pool. It returns one Outcome per product contacted, in order;
// an error from Contact stops it, with the outcomes before it, and so
// does ctx ended by the user (limit.ErrInterrupted).
func (s Store) ContactEach(ctx context.Context, op string, force bool, products []guid.GUID, c Client) ([]Outcome, error) {
	outcomes := make([]Outcome, 0, len(products))
	for _, p := range products {
		if limit.Interrupted(ctx) {
			break // Ctrl-C: the products left are not contacted
		}
		c.Product = p
		o, err := s.Contact(ctx, op, force, c)
		if err != nil {
			return outcomes, err
		}
		outcomes = append(outcomes, o)
	}
	return outcomes, nil
}

// candidates are the hosts to try, in order: the one set with skms; or the
// cached host (while caching is on) and then the discovered ones. derr is
// discovery's error when it found nothing.
func (s Store) candidates(ctx context.Context, st *State, discover DiscoverFunc) (hosts []Found, derr error) {
	if a := st.KMS.Address(); a != "" {
		return []Found{{Addr: a}}, nil
	}
	if !st.KMS.NoCaching && st.Discovered != "" {
		hosts = append(hosts, Found{Name: st.DiscoveredName(), Addr: st.Discovered})
	}
	if discover == nil {
		return hosts, nil
	}
	found, err := discover(ctx, st.KMS.LookupDomain)
	for _, h := range found {
		if h.Addr != st.Discovered || st.KMS.NoCaching {
			hosts = append(hosts, h)
		}
	}
	if len(hosts) == 0 {
		if err == nil {
			err = &kmsclient.Error{Code: hresult.DNSNoRecords, Kind: kmsclient.KindNetwork, Op: "discover KMS hosts", Err: errors.New("no _vlmcs._tcp SRV records")}
		}
		return nil, err
	}
	return hosts, nil
}

// contactOne sends req to host and records the attempt.
func contactOne(ctx context.Context, exchange ExchangeFunc, timeout time.Duration, h Found, req *kmsclient.Request, a Attempt) (Attempt, error) {
	host := h.Addr
	a.Host, a.SRVTarget = host, h.Name
	ctx, cancel := limit.With(ctx, limit.Timeout, timeout)
	defer cancel()
	res, remote, err := exchange(ctx, host, req)
	a.Address = remote
	if err != nil {
		a.Result, a.Cause = codeOf(err), err.Error()
		return a, err
	}
	count := res.Count
	a.Count, a.EPID = &count, res.EPID
	a.Activation, a.Renewal = res.ActivationInterval, res.RenewalInterval
	a.Warnings = res.Warnings
	if !kmsclient.ThresholdReached(int64(res.Count), int64(a.Threshold)) {
		cerr := &CountError{Host: h.Label(), Count: res.Count, Threshold: a.Threshold, Group: groupName(req)}
		a.Result, a.Cause = cerr.Code(), cerr.Error()
		return a, cerr
	}
	return a, nil
}

func groupName(req *kmsclient.Request) string {
	if g, ok := catalogue.GroupByKMSID(req.KMSCountedID); ok {
		return g.Name
	}
	return req.KMSCountedID.String()
}

// unreachable reports a failure after which another host is worth trying.
func unreachable(err error) bool {
	var e *kmsclient.Error
	return errors.As(err, &e) && e.Unreachable()
}

// codeOf is the HRESULT an error carries, 0xC004F074 when none.
func codeOf(err error) hresult.Code {
	var ke *kmsclient.Error
	if errors.As(err, &ke) {
		return ke.Code
	}
	var c interface{ Code() hresult.Code }
	if errors.As(err, &c) {
		return c.Code()
	}
	return hresult.NoKMSHost
}
