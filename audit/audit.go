// Package audit reads a Windows KMS host's activation log (events 12290)
// and answers what the log alone cannot show an admin: which client
// machines have stopped asking, how many clients the host will count on
// each coming day if they stay away, and when that count falls below a
// product family's activation threshold, after which every client of the
// family is refused (0xC004F038) and its renewals fail every two hours
// until its 180 days run out.
//
// The facts it builds on are defined elsewhere and used here: a host
// counts the distinct CMIDs that asked within kmsclient.CountWindow (30
// days), per application pool (all Windows products share one, Office
// another); a client renews every kmsclient.DefaultRenewalIntervalMinutes
// (7 days) unless the host sets another interval; the count is judged by
// kmsclient.ThresholdReached against the catalogue's thresholds.
//
// Events are added one at a time (Auditor.Add), so a log of millions of
// events needs memory only for the distinct CMIDs. The package neither
// prints nor reads files; readers.go turns exported logs into events.
package audit

import (
	"slices"
	"strings"
	"time"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/kmshost"
)

// DefaultMargin is how long past its renewal interval a client may stay
// silent before it counts as fallen off: one day, kmsctl's choice (issue
// 18). A client that cannot renew retries every activation interval
// (kmsclient.DefaultActivationIntervalMinutes, 2 hours; docs/slmgr.md §2),
// so a day of silence past the interval is not a retry that failed.
const DefaultMargin = 24 * time.Hour

// MaxMargin bounds the margin: a client silent for the default renewal
// interval (7 days) plus the margin must still be in the host's count
// (kmsclient.CountWindow, 30 days), or no client could ever be called
// fallen off before it left the count, and the forecast would not see
// them leave: 23 days.
const MaxMargin = kmsclient.CountWindow - defaultRenewal

// defaultRenewal is kmsclient.DefaultRenewalIntervalMinutes as a duration,
// for a host whose own interval is unknown.
const defaultRenewal = time.Duration(kmsclient.DefaultRenewalIntervalMinutes) * time.Minute

// Options say how to judge the log.
type Options struct {
	// Now is the moment the audit is for: the host's clock when read over
	// WinRM, this machine's for a file.
	Now time.Time
	// Margin is added to the renewal interval before a silent client is
	// fallen off; 0: DefaultMargin.
	Margin time.Duration
	// RenewalInterval is the host's VLRenewalInterval when known; 0:
	// kmsclient.DefaultRenewalIntervalMinutes (7 days).
	RenewalInterval time.Duration
	// Self are kmsctl's own client machine IDs (the current one and the
	// one before a rearm): counted by the host when kmsctl asked it, but
	// not a client that keeps the host at its threshold by itself.
	Self []guid.GUID
	// Truncated says the log was cut to its newest events (host audit
	// --max): older requests may be missing.
	Truncated bool
	// HostCounts are the counts the host itself reports now (WMI's
	// KeyManagementServiceCurrentCount of its KMS host products), by pool,
	// when read; the report sets them beside the log's.
	HostCounts map[Pool]int64
}

// PoolOf is the pool a KMS host counts an application's clients in.
func PoolOf(applicationID guid.GUID) Pool { return poolOf(applicationID) }

func (o Options) margin() time.Duration {
	if o.Margin <= 0 {
		return DefaultMargin
	}
	return o.Margin
}

func (o Options) renewal() time.Duration {
	if o.RenewalInterval <= 0 {
		return defaultRenewal
	}
	return o.RenewalInterval
}

// Silence is how long a client may stay silent before it is fallen off:
// the renewal interval plus the margin.
func (o Options) Silence() time.Duration { return o.renewal() + o.margin() }

// Auditor adds events up. The zero value is not usable: use New.
type Auditor struct {
	opts    Options
	clients map[clientKey]*Client
	self    map[guid.GUID]bool
	skus    map[guid.GUID]sku // catalogue look-ups, a handful for a whole log

	events, unreadable, other int
	firstUnreadable           []Unreadable
	oldest, newest            time.Time
}

// Unreadable is a 12290 event left out because its fields could not be
// read: where it is and why.
type Unreadable struct {
	Record  int       // its place in the file (kmshost.Event.Record); 0 read over WinRM
	Time    time.Time // when the host logged it
	Problem string    // why it could not be read
}

// MaxUnreadableShown is how many unreadable events a Report describes;
// the rest are only counted.
const MaxUnreadableShown = 3

// New returns an Auditor for opts.
func New(opts Options) *Auditor {
	a := &Auditor{opts: opts, clients: map[clientKey]*Client{}, self: map[guid.GUID]bool{}, skus: map[guid.GUID]sku{}}
	a.opts.Now = opts.Now.UTC()
	for _, id := range opts.Self {
		if !id.IsZero() {
			a.self[id] = true
		}
	}
	return a
}

// Client is what the log says about one client machine ID in one pool.
type Client struct {
	CMID     guid.GUID
	Pool     Pool
	Family   catalogue.Family // of the last product it asked for; "" when kmsctl does not know the product
	Name     string           // the client name of its last request (FQDN or NetBIOS name)
	Names    []string         // every name it was seen with, when more than one (cloned images)
	First    time.Time        // its first request in the log
	Last     time.Time        // its last request in the log
	Requests int
	// Of the last request:
	Result       hresult.Code
	Status       *kmsclient.LicenseStatus
	ExpiresIn    *uint32 // minutes left in that state, as the client said
	VM           *bool
	ActivationID guid.GUID
	Product      string // the catalogue's name of ActivationID; "" when unknown
	MinCount     *uint32

	Self      bool      // kmsctl's own CMID
	FallenOff bool      // silent for longer than the renewal interval plus the margin
	Leaves    time.Time // when it leaves the count unless it asks again: Last + CountWindow
	Counted   bool      // the host counts it now (Leaves is after now)
}

// Pool is a count a KMS host keeps: one per application. All Windows
// products share one pool (a server and a client count together); Office
// 2010 and Office 2013 and later have their own.
type Pool string

// The pools.
const (
	PoolWindows    Pool = "Windows"
	PoolOffice2010 Pool = "Office 2010"
	PoolOffice     Pool = "Office"
	PoolUnknown    Pool = "unknown" // a product kmsctl's catalogue does not know
)

func poolOf(app guid.GUID) Pool {
	switch app {
	case kmsclient.AppWindows:
		return PoolWindows
	case kmsclient.AppOffice2010:
		return PoolOffice2010
	case kmsclient.AppOffice:
		return PoolOffice
	}
	return PoolUnknown
}

// MaxClockAhead is how far after the audit's time (Options.Now) an event
// may be dated and still count: a host's clock and this machine's may
// differ a little; an event further ahead is unreadable.
const MaxClockAhead = 24 * time.Hour

// Add takes one event. Only readable 12290 events (a request the host
// processed) count; others are tallied and otherwise ignored. Events may
// come in any order.
func (a *Auditor) Add(e *kmshost.Event) {
	a.events++
	if e.ID != kmshost.EventRequestProcessed {
		a.other++
		return
	}
	future := !a.opts.Now.IsZero() && e.Time.After(a.opts.Now.Add(MaxClockAhead))
	if !future {
		if a.oldest.IsZero() || e.Time.Before(a.oldest) {
			a.oldest = e.Time
		}
		if e.Time.After(a.newest) {
			a.newest = e.Time
		}
	}
	if e.Problem != "" || e.CMID.IsZero() || future {
		a.unreadable++
		if len(a.firstUnreadable) < MaxUnreadableShown {
			why := e.Problem
			switch {
			case why != "":
			case future:
				// A request from the future would keep its client
				// counted, and the forecast above the threshold,
				// for as long as the date is ahead.
				why = "it is dated after the audit's time (" + a.opts.Now.Format(time.RFC3339) + ") by more than a day"
			default:
				why = "its CMID is all zeros"
			}
			a.firstUnreadable = append(a.firstUnreadable, Unreadable{Record: e.Record, Time: e.Time, Problem: why})
		}
		return
	}
	sku, ok := a.skus[e.ActivationID]
	if !ok {
		sku = skuOf(e.ActivationID)
		if len(a.skus) < 1024 { // a log of made-up SKU IDs does not grow it
			a.skus[e.ActivationID] = sku
		}
	}
	pool, family, product := sku.pool, sku.family, sku.product
	key := clientKey{e.CMID, pool} // one machine is counted in each pool it asks for
	c := a.clients[key]
	if c == nil {
		c = &Client{CMID: e.CMID, Pool: pool, First: e.Time, Last: e.Time, Self: a.self[e.CMID]}
		a.clients[key] = c
		c.take(e, family, product)
	} else if !e.Time.Before(c.Last) {
		c.take(e, family, product)
	}
	c.Requests++
	if e.Time.Before(c.First) {
		c.First = e.Time
	}
	if e.Client != "" && e.Client != c.Name && !strings.EqualFold(e.Client, c.Name) && !slices.ContainsFunc(c.Names, func(n string) bool { return strings.EqualFold(n, e.Client) }) {
		if len(c.Names) == 0 && c.Name != "" {
			c.Names = append(c.Names, c.Name)
		}
		c.Names = append(c.Names, strings.Clone(e.Client))
	}
}

// sku is what the audit needs of a product, by its SKU ID.
type sku struct {
	pool    Pool
	family  catalogue.Family
	product string
}

// skuOf looks id up in the catalogue; a product it does not know is in
// PoolUnknown.
func skuOf(id guid.GUID) sku {
	if p, ok := catalogue.BySKU(id); ok {
		return sku{poolOf(p.ApplicationID), p.Family, p.Name}
	}
	return sku{pool: PoolUnknown}
}

// take records e as the client's last request.
func (c *Client) take(e *kmshost.Event, family catalogue.Family, product string) {
	c.Last, c.Result, c.Status, c.ExpiresIn, c.VM = e.Time, e.Result, e.LicenseStatus, e.ExpiresInMinutes, e.VM
	c.ActivationID, c.MinCount, c.Family, c.Product = e.ActivationID, e.MinCount, family, product
	if e.Client != "" && e.Client != c.Name {
		// A copy: the reader's strings share memory with other events'.
		c.Name = strings.Clone(e.Client)
	}
}

// clientKey is one CMID in one pool.
type clientKey struct {
	cmid guid.GUID
	pool Pool
}
