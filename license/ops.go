package license

import (
	"context"
	"fmt"
	"time"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/identity"
)

// NoProductError is an operation that needs an installed product key when
// none is installed (slmgr: "Error: product key not found.").
type NoProductError struct{ Path string }

func (e *NoProductError) Error() string {
	return "no product key is installed (license store " + e.Path + ")"
}

// Code is SL_E_PKEY_NOT_INSTALLED.
func (e *NoProductError) Code() hresult.Code { return hresult.KeyNotInstalled }

// RearmError is a rearm with no rearms left.
type RearmError struct {
	Used, Limit int
	// Product is the name of the installed product whose limit it is (the
	// lowest of the installed products'; a rearm resets them all).
	Product string
	// Others is how many other products are installed.
	Others int
}

func (e *RearmError) Error() string {
	s := fmt.Sprintf("all %d rearms of %s are used", e.Limit, e.Product)
	if e.Product == "" {
		s = fmt.Sprintf("all %d rearms of this product are used", e.Limit)
	}
	if e.Others > 0 {
		s += " (a rearm resets every installed product, so its limit is the lowest one)"
	}
	return s
}

// Code is SL_REMAPPING_SP_PUB_TS_MAX_REARM_REACHED.
func (e *RearmError) Code() hresult.Code { return hresult.MaxRearmReached }

// RearmLimit is how many rearms a product allows (docs/slmgr.md §3):
// Windows 7 allows 3 (Microsoft's public Windows 7 guidance; Vista, and the
// servers of that era, taken to be the same); Windows 8 and later report
// about 1000 in WMI's RemainingWindowsReArmCount (commonly seen, not
// documented), used for every other product.
func RearmLimit(p catalogue.Product) int {
	switch p.Release {
	case "Vista", "7", "2008", "2008 R2":
		if p.Family != catalogue.Office {
			return 3
		}
	}
	return 1000
}

// RearmsLeft is how many rearms remain; 0 without a product.
func (st State) RearmsLeft() int {
	if st.Product == nil {
		return 0
	}
	return max(0, RearmLimit(st.Product.SKU)-st.RearmsUsed)
}

// install puts in into st. Installing the key that is installed already
// changes nothing (safe to repeat from configuration management); any
// other key starts a new initial grace period, not activated.
func (st *State) install(in Installation, now time.Time) bool {
	if p := st.Product; p != nil && p.SKU.SKUID == in.Product.SKUID &&
		(p.key == in.key || p.key == "" && p.Partial == in.Partial()) {
		if p.key == "" { // cleared by cpky: keep it again
			cp := *p
			cp.key = in.key
			st.Product = &cp
			return true
		}
		return false
	}
	st.Product = &Product{SKU: in.Product, key: in.key, Partial: in.Partial(), GVLK: in.GVLK, InstalledAt: now.UTC().Truncate(time.Second)}
	st.GraceStart = now.UTC().Truncate(time.Second)
	st.LastAttempt, st.LastSuccess = nil, nil
	st.Intervals = Intervals{}
	return true
}

// Install installs a product key (slmgr /ipk): it adds the product, or
// replaces the one of the same application (Windows, Office 2010, Office
// 2013+); the other products stay as they are. changed is false when that
// very key was installed already.
func (s Store) Install(ctx context.Context, in Installation, now time.Time) (st State, changed bool, err error) {
	app := in.Product.ApplicationID
	st, err = s.updateOne(ctx, func(m Machine) (int, error) { return m.slot(app), nil }, func(st *State) ([]Attempt, error) {
		if !st.install(in, now) {
			return nil, ErrNoChange
		}
		changed = true
		return nil, nil
	}, nil)
	return st, changed, err
}

// choose picks the product with Activation ID sku, or the only one when
// sku is zero (several: an *AmbiguousError naming op).
func (s Store) choose(op string, sku guid.GUID) func(m Machine) (int, error) {
	return func(m Machine) (int, error) { return m.pick(op, s.Path(), sku) }
}

// Uninstall removes the product key (slmgr /upk) of the product with
// Activation ID sku, or of the only product when sku is zero: that
// product is no longer installed. KMS settings, rearms used, the other
// products and the journal stay.
func (s Store) Uninstall(ctx context.Context, sku guid.GUID) (State, error) {
	return s.updateOne(ctx, s.choose("upk", sku), func(st *State) ([]Attempt, error) {
		st.Product = nil
		st.GraceStart = time.Time{}
		st.LastAttempt, st.LastSuccess = nil, nil
		st.Intervals = Intervals{}
		return nil, nil
	}, nil)
}

// ClearKey forgets the whole key of the product with Activation ID sku
// (the only product when sku is zero) and keeps its last five characters
// (slmgr /cpky). With no key stored there is nothing to clear, and
// changed is false; it is decided under the store's lock, so of two
// concurrent calls only the one that cleared the key reports a change.
func (s Store) ClearKey(ctx context.Context, sku guid.GUID) (st State, changed bool, err error) {
	pick := func(m Machine) (int, error) {
		if len(m.Products) == 0 {
			return -1, nil // nothing to clear
		}
		return m.pick("cpky", s.Path(), sku)
	}
	st, err = s.updateOne(ctx, pick, func(st *State) ([]Attempt, error) {
		if st.Product == nil || st.Product.key == "" {
			return nil, ErrNoChange
		}
		p := *st.Product
		p.key = ""
		st.Product = &p
		changed = true
		return nil, nil
	}, nil)
	return st, changed, err
}

// Configure changes the KMS host settings (slmgr /skms, /ckms,
// /skms-domain, /ckms-domain, /skhc, /ckhc). changed is false when the
// settings were already so.
func (s Store) Configure(ctx context.Context, change func(h *HostConfig)) (st State, changed bool, err error) {
	st, err = s.Update(ctx, func(st *State) ([]Attempt, error) {
		h := st.KMS
		change(&h)
		if h == st.KMS {
			return nil, ErrNoChange
		}
		if err := checkHostConfig(h); err != nil {
			return nil, err
		}
		if h.NoCaching || h.Host != st.KMS.Host || h.LookupDomain != st.KMS.LookupDomain {
			st.Discovered = "" // a cached host belongs to the old settings
		}
		st.KMS, changed = h, true
		return nil, nil
	})
	return st, changed, err
}

// Rearm resets the licensing state of the machine as slmgr /rearm does:
// for every installed product a new initial grace period from now, not
// activated, and a new CMID for the client identity in the same directory,
// which keeps the old one to send as the previous CMID. It uses one rearm
// of the machine; none left (the fewest any product allows) is a
// *RearmError. It returns the default product's state.
//
// Everything happens under the store's lock, which Contact also holds while
// it reads the identity and sends it, so a contact uses either the CMID
// before the rearm or the one after, never the old one after the rearm.
// The identity's own lock is taken inside the store's, as everywhere.
//
// The two files are written in this order: license.json (the rearm used,
// the grace period restarted) first, then identity.json (identity.Rotate).
// A failure writing license.json therefore leaves both files as they were.
// A failure rotating the CMID puts license.json back as it was when
// identity.json is certainly unchanged (read back with the old CMID); only
// if that is unknown, or putting license.json back fails too, is the rearm
// left recorded with the old CMID. That is the safe side: a rearm is never
// taken without being counted (which would let rearms go past the limit,
// and keep an activation recorded for a CMID that no longer exists), and
// running rearm again finishes the job.
func (s Store) Rearm(ctx context.Context, ids identity.Options, now time.Time) (State, identity.Identity, error) {
	var (
		id, old identity.Identity
		hadOld  bool
	)
	m, err := s.update(ctx, func(m *Machine) ([]Attempt, error) {
		if len(m.Products) == 0 {
			return nil, &NoProductError{Path: s.Path()}
		}
		if m.RearmsLeft() == 0 {
			limit, p := m.rearmLimiter()
			return nil, &RearmError{Used: m.RearmsUsed, Limit: limit, Product: p.Name, Others: len(m.Products) - 1}
		}
		// A damaged identity stops the rearm before anything is written.
		var err error
		if old, hadOld, err = identity.Peek(s.dir); err != nil {
			return nil, err
		}
		m.RearmsUsed++
		for i := range m.Products {
			st := &m.Products[i]
			st.GraceStart = now.UTC().Truncate(time.Second)
			st.LastAttempt, st.LastSuccess = nil, nil
			st.Intervals = Intervals{}
		}
		return nil, nil
	}, func() (bool, error) {
		var err error
		if id, err = identity.Rotate(ctx, s.dir, ids); err == nil {
			return false, nil
		}
		cur, ok, perr := identity.Peek(s.dir)
		if perr == nil && ok == hadOld && (!ok || cur.CMID == old.CMID) {
			return true, err
		}
		return false, fmt.Errorf("%w (license.json records the rearm, but the CMID may not have changed)", err)
	})
	return m.View(m.Default()), id, err
}
