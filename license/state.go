// Package license is kmsctl's KMS client: what slmgr keeps in the Windows
// licensing service, kept in the state directory beside identity.json.
//
// The store (license.json) holds the installed product and its key, the KMS
// host settings (slmgr /skms, /skms-domain, /skhc), the intervals the last
// host sent, the rearms used and the last contact attempts; the journal
// (journal.jsonl) is an append-only record of every contact. Both are
// written only under the store's lock, license.json atomically.
//
// The lifecycle (lifecycle.go) is a pure function of that state and an
// instant: which license status applies, when it ends, when the next
// contact with a host is due and what `renew` should do.
//
// A product key is secret: it is stored, but everything outside this
// package sees only its last five characters (Partial), and no error of
// this package contains a key.
package license

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/discovery"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/statedir"
)

// Version is the license.json format version this package writes: 2
// holds several products (one per application, machine.go). It reads
// version 1 too, the single-product files of earlier kmsctl, and writes
// them as version 2 on their next change.
const Version = 2

// State is everything license.json holds. Its zero value is a store with
// no product key, no KMS host set and host caching on.
type State struct {
	Product *Product // nil when no product key is installed

	// GraceStart is when the current initial grace period began: when the
	// key was installed, or the last rearm.
	GraceStart time.Time
	// RearmsUsed counts rearms; RearmsLeft says how many remain.
	RearmsUsed int

	KMS HostConfig
	// Intervals are the ones the last host that answered sent (0: none yet).
	Intervals Intervals
	// Discovered is the host:port that last answered after DNS discovery,
	// tried first while host caching is on.
	Discovered string
	// discoveredName is the SRV target another product of the machine
	// last succeeded with at Discovered (Machine.View), for a product
	// that has not: the cached host is the machine's.
	discoveredName string

	LastAttempt *Attempt // the most recent contact, nil when none since the key or rearm
	LastSuccess *Attempt // the most recent successful activation or renewal
}

// Product is an installed product key.
type Product struct {
	SKU catalogue.Product // the product the key is for
	// key is the whole key, "" after ClearKey (slmgr /cpky). Unexported so
	// that nothing outside the package can print it.
	key         string
	Partial     string    // the key's last five characters
	GVLK        bool      // the key is the product's published GVLK
	InstalledAt time.Time // when it was installed
}

// HasKey reports whether the whole key is still stored (not cleared by cpky).
func (p *Product) HasKey() bool { return p.key != "" }

// HostConfig is the KMS host configuration (slmgr's KMS client options).
type HostConfig struct {
	Host         string // a name, IPv4 or IPv6 address (no brackets); "" means discovery
	Port         int    // 0 means 1688
	LookupDomain string // where discovery looks for _vlmcs._tcp records; "" means the machine's
	NoCaching    bool   // slmgr /ckhc: rediscover on every attempt
}

// Address is the configured host as host:port, "" when none is set.
func (h HostConfig) Address() string {
	if h.Host == "" {
		return ""
	}
	return net.JoinHostPort(h.Host, strconv.Itoa(h.PortOrDefault()))
}

// PortOrDefault is the configured port, kmsclient.DefaultPort when none is
// set.
func (h HostConfig) PortOrDefault() int {
	if h.Port == 0 {
		return kmsclient.DefaultPort
	}
	return h.Port
}

// Intervals are a host's activation (retry) and renewal intervals, in minutes.
type Intervals struct {
	Activation uint32
	Renewal    uint32
}

// Attempt is one contact with a KMS host: a journal line, and the state's
// LastAttempt and LastSuccess. Its JSON form is the journal's schema.
type Attempt struct {
	At   time.Time `json:"time"`
	Op   string    `json:"op"`   // the command: "ato" or "renew"
	Host string    `json:"host"` // host:port contacted
	// SRVTarget is the name:port of the DNS SRV record the host was found
	// by ("kms1.corp.example.com:1688"); "" for a host set with skms.
	SRVTarget     string       `json:"srv_target,omitempty"`
	Address       string       `json:"address"` // the resolved address, "" when not connected
	Product       string       `json:"product"`
	SKUID         guid.GUID    `json:"sku_id"`
	Protocol      int          `json:"protocol"`
	CMID          guid.GUID    `json:"cmid"`
	PreviousCMID  guid.GUID    `json:"previous_cmid,omitzero"` // absent until a rearm
	LicenseStatus int          `json:"license_status_code"`    // the status the request reported
	Result        hresult.Code `json:"-"`                      // 0 on success
	Cause         string       `json:"cause,omitempty"`        // what went wrong, for failures
	Count         *uint32      `json:"count"`                  // the host's count; nil when it sent none
	Threshold     int          `json:"threshold"`
	EPID          string       `json:"epid,omitempty"`
	Activation    uint32       `json:"activation_interval_minutes,omitempty"`
	Renewal       uint32       `json:"renewal_interval_minutes,omitempty"`
	// Warnings are what the reply's verification noticed but did not
	// reject (as status shows them): a count or an ePID no genuine host
	// sends, a reused IV, stray bytes...
	Warnings []string `json:"warnings,omitempty"`
}

// HostLabel is how people see the host contacted: "NAME (ADDRESS)" for a
// host found in DNS, its host:port otherwise.
func (a *Attempt) HostLabel() string { return Found{Name: a.SRVTarget, Addr: a.Host}.Label() }

// ContactLabel is HostLabel with, for a host set with skms by name, the
// address it was connected to: "kms.corp.example.com:1688 (10.0.0.5:1688)"
// (the name alone when no connection was made).
func (a *Attempt) ContactLabel() string {
	if a.SRVTarget == "" && a.Address != "" {
		return Found{Name: a.Host, Addr: a.Address}.Label()
	}
	return a.HostLabel()
}

// DiscoveredName is the SRV target (name:port) of the Discovered host, as
// the last success with it recorded (this product's, else another of the
// machine's); "" when none did.
func (st *State) DiscoveredName() string {
	if st.Discovered != "" && st.LastSuccess != nil && st.LastSuccess.Host == st.Discovered && st.LastSuccess.SRVTarget != "" {
		return st.LastSuccess.SRVTarget
	}
	return st.discoveredName
}

// Succeeded reports whether the host activated the client.
func (a *Attempt) Succeeded() bool { return a.Result == hresult.OK }

type attemptAlias Attempt

// MarshalJSON writes Result as "0xC004F038".
func (a Attempt) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		attemptAlias
		Result string `json:"result"`
	}{attemptAlias(a), a.Result.String()})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (a *Attempt) UnmarshalJSON(b []byte) error {
	var v struct {
		*attemptAlias
		Result *string `json:"result"`
	}
	v.attemptAlias = (*attemptAlias)(a)
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if v.Result == nil {
		return errors.New(`no "result"`)
	}
	c, err := hresult.Parse(*v.Result)
	if err != nil {
		return fmt.Errorf(`"result": %v`, err)
	}
	a.Result = c
	a.At = a.At.UTC()
	return nil
}

// fileV1 is license.json, version 1.
type fileV1 struct {
	Version    int          `json:"version"`
	Product    *productV1   `json:"product"`
	GraceStart time.Time    `json:"grace_started_at"`
	RearmsUsed int          `json:"rearms_used"`
	KMS        hostConfigV1 `json:"kms"`
	Intervals  intervalsV1  `json:"intervals"`
	Discovered string       `json:"discovered_host,omitempty"`
	Last       *Attempt     `json:"last_attempt"`
	Success    *Attempt     `json:"last_success"`
}

type productV1 struct {
	SKUID       guid.GUID `json:"sku_id"`
	Name        string    `json:"name"` // for people reading the file; the SKU ID decides
	Key         string    `json:"key,omitempty"`
	Partial     string    `json:"partial_key"`
	GVLK        bool      `json:"gvlk"`
	InstalledAt time.Time `json:"installed_at"`
}

type hostConfigV1 struct {
	Host         string `json:"host,omitempty"`
	Port         int    `json:"port,omitempty"`
	LookupDomain string `json:"lookup_domain,omitempty"`
	NoCaching    bool   `json:"host_caching_disabled,omitempty"`
}

type intervalsV1 struct {
	Activation uint32 `json:"activation_minutes,omitempty"`
	Renewal    uint32 `json:"renewal_minutes,omitempty"`
}

// encode writes m as license.json (version 2).
func encode(m Machine) ([]byte, error) {
	f := fileV2{Version: Version, RearmsUsed: m.RearmsUsed,
		KMS:        hostConfigV1{m.KMS.Host, m.KMS.Port, m.KMS.LookupDomain, m.KMS.NoCaching},
		Discovered: m.Discovered, Products: []productStateV2{}}
	for _, st := range m.Products {
		p := st.Product
		f.Products = append(f.Products, productStateV2{
			Product: productV1{SKUID: p.SKU.SKUID, Name: p.SKU.Name, Key: p.key, Partial: p.Partial, GVLK: p.GVLK,
				InstalledAt: p.InstalledAt.UTC()},
			GraceStart: st.GraceStart.UTC(), Intervals: intervalsV1{st.Intervals.Activation, st.Intervals.Renewal},
			Last: st.LastAttempt, Success: st.LastSuccess})
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// maxFileSize bounds how much of license.json is read; a real one is
// about 2 KB.
const maxFileSize = 256 << 10

// decode parses and checks license.json, version 1 or 2. Its errors say
// what is wrong, for a CorruptError; they never contain the key.
func decode(data []byte) (Machine, error) {
	m, err := decodeFile(data)
	if err != nil {
		return Machine{}, err
	}
	return m, nil
}

func decodeFile(data []byte) (Machine, error) {
	raw, version, err := statedir.DecodeObject(data, maxFileSize, Version)
	if err != nil {
		return Machine{}, err
	}
	switch version {
	case 2:
		return decodeV2(raw)
	case 1:
	default:
		return Machine{}, fmt.Errorf("unknown format version %d", version)
	}
	var f fileV1
	if err := statedir.UnmarshalFields(raw, &f); err != nil {
		return Machine{}, err
	}
	st := State{GraceStart: f.GraceStart.UTC(), RearmsUsed: f.RearmsUsed,
		KMS:       HostConfig{f.KMS.Host, f.KMS.Port, f.KMS.LookupDomain, f.KMS.NoCaching},
		Intervals: Intervals{f.Intervals.Activation, f.Intervals.Renewal}, Discovered: f.Discovered,
		LastAttempt: f.Last, LastSuccess: f.Success}
	if f.Product != nil {
		p, err := decodeProduct(f.Product)
		if err != nil {
			return Machine{}, fmt.Errorf(`"product": %v`, err)
		}
		st.Product = p
	}
	if err := checkIntervals(st.Intervals); err != nil {
		return Machine{}, err
	}
	m := machineOf(st)
	if err := m.check(); err != nil {
		return Machine{}, err
	}
	return m, nil
}

// decodeProduct checks a stored product: a SKU of the catalogue, a key
// that is well-formed and matches its partial key.
func decodeProduct(p *productV1) (*Product, error) {
	sku, ok := catalogue.BySKU(p.SKUID)
	if !ok {
		return nil, fmt.Errorf("SKU ID %s is not in kmsctl's catalogue", p.SKUID)
	}
	if p.Key != "" {
		k, err := ParseKey(p.Key)
		if err != nil {
			return nil, fmt.Errorf(`"key": %v`, err)
		}
		if Partial(k) != p.Partial {
			return nil, errors.New(`"partial_key" does not match "key"`)
		}
		p.Key = k
	}
	if len(p.Partial) != 5 || !inAlphabet(p.Partial) {
		return nil, errors.New(`"partial_key" is not five product key characters`)
	}
	return &Product{SKU: sku, key: p.Key, Partial: p.Partial, GVLK: p.GVLK, InstalledAt: p.InstalledAt.UTC()}, nil
}

func checkIntervals(iv Intervals) error {
	for _, c := range []struct {
		name string
		m    uint32
	}{{"activation_minutes", iv.Activation}, {"renewal_minutes", iv.Renewal}} {
		if c.m != 0 && (c.m < kmsclient.MinIntervalMinutes || c.m > kmsclient.MaxIntervalMinutes) {
			return fmt.Errorf(`"intervals": %q %d is outside %d to %d`, c.name, c.m, kmsclient.MinIntervalMinutes, kmsclient.MaxIntervalMinutes)
		}
	}
	return nil
}

func checkHostConfig(h HostConfig) error {
	if h.Port < 0 || h.Port > 65535 {
		return fmt.Errorf("port %d is not from 1 to 65535", h.Port)
	}
	if h.Host != "" {
		if _, err := ParseHost(h.Address()); err != nil {
			return err
		}
	}
	if h.LookupDomain != "" {
		if err := discovery.CheckName(h.LookupDomain, "domain"); err != "" {
			return fmt.Errorf("lookup domain: %s", err)
		}
	}
	return nil
}
