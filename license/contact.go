package license

import (
	"context"
	"errors"
	"fmt"
	"net"
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

// Resolved reports whether Addr is an IP address and port, known before
// any dial (a discovered host, an address set with skms), rather than a
// name the dial resolves.
func (f Found) Resolved() bool {
	host, _, err := net.SplitHostPort(f.Addr)
	return err == nil && net.ParseIP(host) != nil
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
	// Progress, when not nil, is told of each step of each host's turn as
	// it happens (ProgressStep): a person at a terminal sees what is being
	// waited for, and the address once it is known. It is called under the
	// store's lock and must not take it.
	Progress func(Progress)
}

// ProgressStep is where a host's turn in a contact is.
type ProgressStep int

const (
	// Discovering: kmsctl is about to look up KMS hosts in DNS (SRV
	// records _vlmcs._tcp in Domain; "" the machine's own domains).
	Discovering ProgressStep = iota
	// Asking: Host is about to be asked (before any connection).
	Asking
	// Connected: the TCP connection to Host is open, to Address. Told only
	// when kmsctl dials itself (Client.Exchange nil).
	Connected
	// Done: Host's turn is over: Err nil when it activated, else why not
	// (an *InterruptedError for Ctrl-C); Next is the host asked now after
	// a failure worth another host, zero when none is.
	Done
)

// Progress is one step of a contact.
type Progress struct {
	Step    ProgressStep
	Product catalogue.Product
	Host    Found
	Domain  string // Discovering: the lookup domain, "" for the machine's
	Address string // Connected: the address connected to (ip:port)
	Err     error  // Done: why Host did not activate the client
	Next    Found  // Done: the host tried next
}

// Outcome is what a contact did.
type Outcome struct {
	Action   Action            // Activate, Renew, Retry, or Wait when renew found nothing due
	Identity identity.Identity // the client identity the contact used (or would have, on Wait)
	Product  catalogue.Product // the installed product
	Attempts []Attempt         // every host tried, in order; none when Action is Wait
	// Cut is the host Ctrl-C interrupted while it was asked (Err is then
	// an *InterruptedError): who was asked, and the address if connected;
	// not an attempt (nothing is known of its answer), so not journaled.
	Cut *Attempt
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
// cause limit.ErrInterrupted) while Host was being asked (Host "": while
// hosts were looked up in DNS). It says nothing about the host, so it is
// neither journaled nor kept as the state's last attempt; a request that
// reached the host may still have been counted.
type InterruptedError struct{ Host string }

func (e *InterruptedError) Error() string {
	if e.Host == "" {
		return "interrupted (Ctrl-C) while KMS hosts were being looked up in DNS; this contact was not recorded"
	}
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
	say := func(Progress) {}
	if c.Progress != nil {
		say = c.Progress
	}
	// asking is the host being asked, for the Connected step, and
	// connectedTo the address the dial connected it to.
	var asking Found
	var connectedTo string
	var product catalogue.Product
	exchange := c.Exchange
	if exchange == nil {
		// A host set with skms by name has no address until the dial
		// resolves it: resolving it first could dial another address than
		// the one shown, so the address is told once connected.
		var d net.Dialer
		exchange = Dialer(kmsclient.Options{Clock: clk, Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			nc, err := d.DialContext(ctx, network, addr)
			if err == nil {
				connectedTo = nc.RemoteAddr().String()
				say(Progress{Step: Connected, Product: product, Host: asking, Address: connectedTo})
			}
			return nc, err
		}})
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
		p := st.Product.SKU
		product = p
		if st.KMS.Address() == "" && c.Discover != nil {
			say(Progress{Step: Discovering, Product: p, Domain: st.KMS.LookupDomain})
		}
		hosts, derr := s.candidates(ctx, st, c.Discover)
		if len(hosts) == 0 && derr == nil {
			return nil, &NoHostError{Domain: st.KMS.LookupDomain}
		}
		req := kmsrequest.New(p, p.Protocol, kmsrequest.Client{CMID: id.CMID, Workstation: id.Workstation}, clk)
		req.LicenseStatus = view.Status
		req.BindingExpiration = uint32(view.Remaining(now) / time.Minute)
		req.PreviousCMID = id.PreviousCMID
		base := Attempt{At: now, Op: op, Product: p.Name, SKUID: p.SKUID, Protocol: p.Protocol,
			CMID: id.CMID, PreviousCMID: id.PreviousCMID, LicenseStatus: int(view.Status), Threshold: p.Threshold}
		if len(hosts) == 0 && limit.Interrupted(ctx) {
			// Ctrl-C during the DNS lookup: nothing is known of any host.
			out.Err = &InterruptedError{}
			say(Progress{Step: Done, Product: p, Err: out.Err})
			return nil, ErrNoChange
		}
		if len(hosts) == 0 { // discovery failed: that is this attempt's result
			a := base
			a.Result, a.Cause = codeOf(derr), derr.Error()
			out.Attempts, out.Err = append(out.Attempts, a), derr
		}
		for i, host := range hosts {
			asking, connectedTo = host, ""
			say(Progress{Step: Asking, Product: p, Host: host})
			a, err := contactOne(ctx, exchange, timeout, host, req, base)
			if a.Address == "" {
				a.Address = connectedTo // connected, but the exchange failed
			}
			if err != nil && limit.Interrupted(ctx) {
				// Ctrl-C: whatever the connection said then is not the
				// host's answer. Not journaled (the journal records what
				// hosts did), and the state keeps its last real attempt.
				out.Err, out.Cut = &InterruptedError{Host: a.ContactLabel()}, &a
				say(Progress{Step: Done, Product: p, Host: host, Err: out.Err})
				break
			}
			out.Attempts, out.Err = append(out.Attempts, a), err
			done := Progress{Step: Done, Product: p, Host: host, Err: err}
			more := err != nil && unreachable(err) && i < len(hosts)-1
			if more {
				done.Next = hosts[i+1]
			}
			say(done)
			if !more {
				break
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
// own KMS pool. It returns one Outcome per product, in order, and hands
// each to done (when not nil) as soon as it is known, before the next
// product's contact starts. An error from Contact stops it, with the
// outcomes before it. Once the user ends ctx (limit.ErrInterrupted) no
// further product is contacted: each left has an Outcome whose Err is a
// *NotContactedError (or Action Wait, when renew had nothing due for it).
func (s Store) ContactEach(ctx context.Context, op string, force bool, products []guid.GUID, c Client, done func(Outcome)) ([]Outcome, error) {
	outcomes := make([]Outcome, 0, len(products))
	add := func(o Outcome) {
		outcomes = append(outcomes, o)
		if done != nil {
			done(o)
		}
	}
	for i, p := range products {
		if limit.Interrupted(ctx) && i == 0 {
			return outcomes, nil // Ctrl-C before anything was done
		}
		if !limit.Interrupted(ctx) {
			c.Product = p
			o, err := s.Contact(ctx, op, force, c)
			if err == nil {
				add(o)
				continue
			}
			if i == 0 || !limit.Interrupted(ctx) {
				return outcomes, err
			}
			// Ctrl-C while waiting for the store's lock.
		}
		// Ctrl-C: this product and those after it are not contacted.
		rest, err := s.notContacted(op, force, products[i:], c, outcomes[len(outcomes)-1].Identity)
		for _, o := range rest {
			add(o)
		}
		return outcomes, err
	}
	return outcomes, nil
}

// NotContactedError is a product ContactEach did not contact: the user
// stopped the run (Ctrl-C) before its turn.
type NotContactedError struct{ Op, Product string }

func (e *NotContactedError) Error() string {
	return "not attempted: Ctrl-C stopped " + e.Op + " before " + e.Product + "'s turn; no KMS host was contacted for it"
}

// Unwrap is limit.ErrInterrupted.
func (e *NotContactedError) Unwrap() error { return limit.ErrInterrupted }

// notContacted are the Outcomes of products ContactEach did not contact,
// as they stand: what op would have done at the client's clock's time,
// and the identity the run used (id).
func (s Store) notContacted(op string, force bool, products []guid.GUID, c Client, id identity.Identity) ([]Outcome, error) {
	m, err := s.LoadMachine()
	if err != nil {
		return nil, err
	}
	t := clock.Or(c.Clock).Now()
	now := t.UTC().Truncate(time.Second)
	var outs []Outcome
	for _, p := range products {
		i := m.Find(p)
		if i < 0 {
			continue // uninstalled meanwhile: nothing to say about it
		}
		st := m.View(i)
		action, view := Activate, Evaluate(st, now)
		if op != "ato" {
			action, view = Due(st, now, force)
		}
		o := Outcome{Action: action, Identity: id, Product: st.Product.SKU, State: st, View: view, At: now.In(t.Location())}
		if action != Wait {
			o.Err = &NotContactedError{Op: op, Product: st.Product.SKU.Name}
		}
		outs = append(outs, o)
	}
	return outs, nil
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
