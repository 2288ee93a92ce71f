package license

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/statedir"
)

// Machine is everything license.json holds: one client machine with the
// KMS settings all its products share, and its installed products. A
// genuine client often has Windows and Office, each activated through KMS
// with the machine's one CMID and counted by the host in its own pool
// (KMS counted ID). A machine holds at most one product per application,
// as Windows' licensing service keeps one edition of each: Windows,
// Office 2010, Office 2013 and later (the request's Application ID).
type Machine struct {
	KMS        HostConfig
	Discovered string // host:port that last answered after DNS discovery
	// RearmsUsed counts rearms of the machine (slmgr /rearm resets every
	// product and makes a new CMID).
	RearmsUsed int
	// Products are the installed products, at most one per application,
	// in application order (Windows, Office 2010, Office 2013+). Each has
	// a Product; its KMS, Discovered and RearmsUsed are unused (View fills
	// them from the machine).
	Products []State
}

// applications orders the products of a machine; Windows first, as it is
// slmgr's default product.
var applications = []guid.GUID{kmsclient.AppWindows, kmsclient.AppOffice2010, kmsclient.AppOffice}

// appRank is where a product's application sorts.
func appRank(app guid.GUID) int {
	if i := slices.Index(applications, app); i >= 0 {
		return i
	}
	return len(applications)
}

// machineOf is the machine holding st's product (none when it has none)
// and its settings.
func machineOf(st State) Machine {
	m := Machine{KMS: st.KMS, Discovered: st.Discovered, RearmsUsed: st.RearmsUsed}
	if st.Product != nil {
		m.Products = []State{productPart(st)}
	}
	return m
}

// productPart is st without the machine's settings.
func productPart(st State) State {
	st.KMS, st.Discovered, st.RearmsUsed = HostConfig{}, "", 0
	return st
}

// View is the state of product i as one product's State: its own fields
// and the machine's settings. i < 0 is the machine with no product.
func (m Machine) View(i int) State {
	var st State
	if i >= 0 && i < len(m.Products) {
		st = m.Products[i].clone()
	}
	st.KMS, st.Discovered, st.RearmsUsed = m.KMS, m.Discovered, m.RearmsUsed
	st.discoveredName = ""
	for _, p := range m.Products {
		if a := p.LastSuccess; a != nil && m.Discovered != "" && a.Host == m.Discovered && a.SRVTarget != "" {
			st.discoveredName = a.SRVTarget
		}
	}
	return st
}

// Views are the states of every installed product, in application order.
func (m Machine) Views() []State {
	out := make([]State, len(m.Products))
	for i := range m.Products {
		out[i] = m.View(i)
	}
	return out
}

// Find is the index of the product with activation (SKU) ID sku, or -1.
func (m Machine) Find(sku guid.GUID) int {
	return slices.IndexFunc(m.Products, func(st State) bool { return st.Product.SKU.SKUID == sku })
}

// slot is the index of the product of application app, or -1.
func (m Machine) slot(app guid.GUID) int {
	return slices.IndexFunc(m.Products, func(st State) bool { return st.Product.SKU.ApplicationID == app })
}

// Default is the index of slmgr's default product: Windows when it is
// installed, else the first product; -1 when none is.
func (m Machine) Default() int {
	if len(m.Products) == 0 {
		return -1
	}
	return 0 // Products are in application order, Windows first
}

// put stores st, a view of product i (or of no product, i < 0): the
// machine's settings from it, and its product in the slot of that
// product's application, replacing the one there. A view whose Product is
// nil removes product i.
func (m *Machine) put(i int, st State) {
	m.KMS, m.Discovered, m.RearmsUsed = st.KMS, st.Discovered, st.RearmsUsed
	if i >= 0 && i < len(m.Products) {
		m.Products = slices.Delete(slices.Clone(m.Products), i, i+1)
	}
	if st.Product == nil {
		return
	}
	if j := m.slot(st.Product.SKU.ApplicationID); j >= 0 {
		m.Products = slices.Delete(slices.Clone(m.Products), j, j+1)
	}
	m.Products = append(slices.Clone(m.Products), productPart(st))
	slices.SortStableFunc(m.Products, func(a, b State) int {
		return appRank(a.Product.SKU.ApplicationID) - appRank(b.Product.SKU.ApplicationID)
	})
}

// clone copies m deeply enough that changing the copy leaves m alone.
func (m Machine) clone() Machine {
	c := m
	c.Products = make([]State, len(m.Products))
	for i, st := range m.Products {
		c.Products[i] = st.clone()
	}
	return c
}

// RearmsLeft is how many rearms the machine has left: the fewest any
// installed product allows; 0 without a product.
func (m Machine) RearmsLeft() int { return max(0, m.rearmLimit()-m.RearmsUsed) }

// rearmLimit is the fewest rearms any installed product allows.
func (m Machine) rearmLimit() int {
	limit, _ := m.rearmLimiter()
	return limit
}

// rearmLimiter is rearmLimit and the installed product it comes from (the
// first with the lowest limit); 0 and the zero Product with none installed.
func (m Machine) rearmLimiter() (int, catalogue.Product) {
	if len(m.Products) == 0 {
		return 0, catalogue.Product{}
	}
	p := m.Products[0].Product.SKU
	limit := RearmLimit(p)
	for _, st := range m.Products[1:] {
		if l := RearmLimit(st.Product.SKU); l < limit {
			limit, p = l, st.Product.SKU
		}
	}
	return limit, p
}

// check is what every loaded machine satisfies.
func (m Machine) check() error {
	if m.RearmsUsed < 0 {
		return errors.New(`"rearms_used" is negative`)
	}
	if err := checkHostConfig(m.KMS); err != nil {
		return fmt.Errorf(`"kms": %v`, err)
	}
	if m.Discovered != "" {
		if _, err := ParseHost(m.Discovered); err != nil {
			return fmt.Errorf(`"discovered_host": %v`, err)
		}
	}
	seen := map[guid.GUID]string{}
	for _, st := range m.Products {
		p := st.Product.SKU
		if other, ok := seen[p.ApplicationID]; ok {
			return fmt.Errorf(`"products": %s and %s are for the same application; a machine holds one product per application`, other, p.Name)
		}
		seen[p.ApplicationID] = p.Name
	}
	return nil
}

// fileV2 is license.json, version 2: the machine's settings and a list of
// products.
type fileV2 struct {
	Version    int              `json:"version"`
	KMS        hostConfigV1     `json:"kms"`
	Discovered string           `json:"discovered_host,omitempty"`
	RearmsUsed int              `json:"rearms_used"`
	Products   []productStateV2 `json:"products"`
}

// productStateV2 is one installed product and its activation state.
type productStateV2 struct {
	Product    productV1   `json:"product"`
	GraceStart time.Time   `json:"grace_started_at"`
	Intervals  intervalsV1 `json:"intervals"`
	Last       *Attempt    `json:"last_attempt"`
	Success    *Attempt    `json:"last_success"`
}

func decodeV2(raw []byte) (Machine, error) {
	var f fileV2
	if err := statedir.UnmarshalFields(raw, &f); err != nil {
		return Machine{}, err
	}
	m := Machine{KMS: HostConfig{f.KMS.Host, f.KMS.Port, f.KMS.LookupDomain, f.KMS.NoCaching},
		Discovered: f.Discovered, RearmsUsed: f.RearmsUsed}
	for i, ps := range f.Products {
		p, err := decodeProduct(&ps.Product)
		if err != nil {
			return Machine{}, fmt.Errorf(`"products"[%d]: "product": %v`, i, err)
		}
		st := State{Product: p, GraceStart: ps.GraceStart.UTC(), Intervals: Intervals{ps.Intervals.Activation, ps.Intervals.Renewal},
			LastAttempt: ps.Last, LastSuccess: ps.Success}
		if err := checkIntervals(st.Intervals); err != nil {
			return Machine{}, fmt.Errorf(`"products"[%d]: %v`, i, err)
		}
		m.Products = append(m.Products, st)
	}
	if err := m.check(); err != nil {
		return Machine{}, err
	}
	// Keep the application order whatever order the file lists them in.
	slices.SortStableFunc(m.Products, func(a, b State) int {
		return appRank(a.Product.SKU.ApplicationID) - appRank(b.Product.SKU.ApplicationID)
	})
	return m, nil
}

// AmbiguousError is an operation on "the" product of a machine that has
// several: it needs an Activation ID (slmgr's [Activation ID]).
type AmbiguousError struct {
	Op       string              // "upk", "cpky", "ato"…
	Products []catalogue.Product // the installed ones
}

func (e *AmbiguousError) Error() string {
	var names []string
	for _, p := range e.Products {
		names = append(names, p.Name)
	}
	return fmt.Sprintf("%d products are installed (%s): %s needs the Activation ID of one", len(e.Products), strings.Join(names, ", "), e.Op)
}

// Code is E_INVALIDARG: the command line must say which product.
func (e *AmbiguousError) Code() hresult.Code { return hresult.InvalidArg }

// UnknownProductError is an Activation ID that names no installed product
// (slmgr: "Error: product not found.").
type UnknownProductError struct {
	ID       guid.GUID
	Products []catalogue.Product // the installed ones
}

func (e *UnknownProductError) Error() string {
	return "no installed product has Activation ID " + e.ID.String()
}

// Code is SL_E_PKEY_NOT_INSTALLED, what Windows reports for a product
// without a key.
func (e *UnknownProductError) Code() hresult.Code { return hresult.KeyNotInstalled }

// pick is the index of the product an operation acts on: the one with
// Activation ID sku, or, when sku is zero, the only installed product.
func (m Machine) pick(op, path string, sku guid.GUID) (int, error) {
	switch {
	case len(m.Products) == 0:
		return -1, &NoProductError{Path: path}
	case !sku.IsZero():
		if i := m.Find(sku); i >= 0 {
			return i, nil
		}
		return -1, &UnknownProductError{ID: sku, Products: m.catalogue()}
	case len(m.Products) > 1:
		return -1, &AmbiguousError{Op: op, Products: m.catalogue()}
	}
	return 0, nil
}

// catalogue lists the installed products.
func (m Machine) catalogue() []catalogue.Product {
	var ps []catalogue.Product
	for _, st := range m.Products {
		ps = append(ps, st.Product.SKU)
	}
	return ps
}
