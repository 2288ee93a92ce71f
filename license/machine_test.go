package license

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kmsctl/kmsctl/clock"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/internal/testdir"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/kmsclient/kmstest"
)

func install(t *testing.T, s Store, key, product string) Installation {
	t.Helper()
	in, err := Resolve(key, product)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Install(context.Background(), in, t0); err != nil {
		t.Fatal(err)
	}
	return in
}

func names(m Machine) string {
	var ns []string
	for _, st := range m.Products {
		ns = append(ns, st.Product.SKU.Name)
	}
	return strings.Join(ns, "; ")
}

// TestMachine_OnePerApplication: ipk adds the product of an application
// not installed yet and replaces the one of its own; products are kept in
// application order (Windows, Office 2010, Office 2013+).
func TestMachine_OnePerApplication(t *testing.T) {
	s := installedStore(t)
	install(t, s, "", "Office Professional Plus 2019")
	install(t, s, "", "Office Professional Plus 2010")
	m, err := s.LoadMachine()
	if err != nil || names(m) != "Windows 10/11 Enterprise; Office Professional Plus 2010; Office Professional Plus 2019" {
		t.Fatalf("%s, %v", names(m), err)
	}
	// Another Windows edition replaces Windows only; Office 2021 replaces
	// Office 2019 (both Office 2013+), not Office 2010.
	install(t, s, "", "Windows Server 2022 Standard")
	install(t, s, "", "Office LTSC Professional Plus 2021")
	m, _ = s.LoadMachine()
	if names(m) != "Windows Server 2022 Standard; Office Professional Plus 2010; Office LTSC Professional Plus 2021" {
		t.Fatalf("%s", names(m))
	}
	// The default product (Load) is Windows.
	if st, _ := s.Load(); st.Product.SKU.Name != "Windows Server 2022 Standard" {
		t.Fatalf("default %s", st.Product.SKU.Name)
	}
}

// TestMachine_ChoosingAProduct: upk and cpky need an Activation ID once
// several products are installed, and act on that one only.
func TestMachine_ChoosingAProduct(t *testing.T) {
	ctx := context.Background()
	s := installedStore(t)
	office := install(t, s, "", "Office Professional Plus 2019").Product
	var amb *AmbiguousError
	if _, err := s.Uninstall(ctx, guid.Nil); !errors.As(err, &amb) || len(amb.Products) != 2 || !strings.Contains(err.Error(), "upk needs the Activation ID") {
		t.Fatalf("Uninstall = %v", err)
	}
	if _, _, err := s.ClearKey(ctx, guid.Nil); !errors.As(err, &amb) {
		t.Fatalf("ClearKey = %v", err)
	}
	var unknown *UnknownProductError
	if _, err := s.Uninstall(ctx, guid.MustParse("00000000-0000-0000-0000-000000000001")); !errors.As(err, &unknown) {
		t.Fatalf("Uninstall of no product = %v", err)
	}
	if _, changed, err := s.ClearKey(ctx, office.SKUID); err != nil || !changed {
		t.Fatalf("ClearKey(Office) = %v, %v", changed, err)
	}
	m, _ := s.LoadMachine()
	if m.Products[0].Product.HasKey() == false || m.Products[1].Product.HasKey() {
		t.Fatal("cpky cleared the wrong key")
	}
	st, err := s.Uninstall(ctx, office.SKUID)
	if err != nil || st.Product != nil {
		t.Fatalf("Uninstall(Office) = %+v, %v", st.Product, err)
	}
	if m, _ := s.LoadMachine(); names(m) != "Windows 10/11 Enterprise" {
		t.Fatalf("left %s", names(m))
	}
	// One product again: no Activation ID needed.
	if _, err := s.Uninstall(ctx, guid.Nil); err != nil {
		t.Fatal(err)
	}
}

// TestMachine_ActivatesEveryProductWithOneCMID: Windows and Office activate
// with the machine's one CMID; the host counts it once in each pool; each
// product keeps its own status, timers and journal entries.
func TestMachine_ActivatesEveryProductWithOneCMID(t *testing.T) {
	clk := clock.NewFake(t0.Add(time.Hour))
	host := kmstest.Start(t, kmstest.Options{Clock: clk, FixedCount: 50, Activation: 60, Renewal: 1440})
	s := hostStore(t, host)
	office := install(t, s, "", "Office Professional Plus 2019").Product
	win := win10(t)
	c := client(clk)
	var amb *AmbiguousError
	if _, err := s.Contact(context.Background(), "ato", false, c); !errors.As(err, &amb) {
		t.Fatalf("Contact without a product = %v", err)
	}
	for _, p := range []guid.GUID{win.SKUID, office.SKUID} {
		c.Product = p
		if o, err := s.Contact(context.Background(), "ato", false, c); err != nil || o.Err != nil || o.Product.SKUID != p {
			t.Fatalf("Contact(%s) = %+v, %v", p, o, err)
		}
		clk.Advance(time.Minute)
	}
	if host.CMIDs(win.KMSID) != 1 || host.CMIDs(office.KMSID) != 1 {
		t.Fatalf("the host counts %d and %d", host.CMIDs(win.KMSID), host.CMIDs(office.KMSID))
	}
	for _, r := range host.Requests() {
		if r.CMID != testCMID {
			t.Fatalf("request with CMID %s", r.CMID)
		}
	}
	m, err := s.LoadMachine()
	if err != nil || len(m.Products) != 2 {
		t.Fatal(err)
	}
	for i, p := range []guid.GUID{win.SKUID, office.SKUID} {
		st := m.View(i)
		if st.Product.SKU.SKUID != p || st.LastSuccess == nil || st.LastSuccess.SKUID != p || Evaluate(st, clk.Now()).Status != kmsclient.StatusLicensed {
			t.Fatalf("product %d: %+v", i, st)
		}
	}
	if !m.Products[1].LastSuccess.At.After(m.Products[0].LastSuccess.At) {
		t.Error("the products share their timers")
	}
	j, _ := s.Journal()
	if len(j) != 2 || j[0].SKUID != win.SKUID || j[1].SKUID != office.SKUID || j[0].Product == j[1].Product {
		t.Fatalf("journal %+v", j)
	}
	// A rearm resets both and is counted once.
	if _, _, err := s.Rearm(context.Background(), identityOpts(), clk.Now()); err != nil {
		t.Fatal(err)
	}
	m, _ = s.LoadMachine()
	for i := range m.Products {
		if st := m.View(i); st.LastSuccess != nil || Evaluate(st, clk.Now()).Status != kmsclient.StatusOOBGrace || st.RearmsUsed != 1 {
			t.Fatalf("after rearm, product %d: %+v", i, st)
		}
	}
}

// TestMachine_MigratesVersion1: a single-product license.json of an earlier
// kmsctl reads as a machine with that product, is left as it is by reads,
// and becomes version 2 on the next write, atomically: a write that fails
// before its rename leaves the version 1 file byte for byte.
func TestMachine_MigratesVersion1(t *testing.T) {
	s := Open(testdir.Private(t))
	writeOld(t, s.Path(), validState)
	before := snap(t, s.Path())
	m, err := s.LoadMachine()
	if err != nil || names(m) != "Windows 10/11 Enterprise" || m.KMS.Host != "kms.example.com" || m.Products[0].Product.key != win10GVLK {
		t.Fatalf("%+v, %v", m, err)
	}
	before.check(t, s.Path())

	writeFile = func(path string, data []byte) error { return errors.New("disk full") }
	_, _, err = s.Configure(context.Background(), func(h *HostConfig) { h.Port = 1700 })
	writeFile = defaultWriteFile
	if err == nil {
		t.Fatal("the failed write was not reported")
	}
	before.check(t, s.Path())

	office := install(t, s, "", "Office Professional Plus 2019")
	data, _ := os.ReadFile(s.Path())
	var f struct {
		Version  int               `json:"version"`
		Products []json.RawMessage `json:"products"`
		Product  json.RawMessage   `json:"product"`
	}
	if err := json.Unmarshal(data, &f); err != nil || f.Version != 2 || len(f.Products) != 2 || f.Product != nil {
		t.Fatalf("after a write: %s (%v)", data, err)
	}
	m2, err := s.LoadMachine()
	if err != nil || names(m2) != "Windows 10/11 Enterprise; "+office.Product.Name || m2.KMS != m.KMS ||
		m2.Products[0].Product.key != win10GVLK || !m2.Products[0].GraceStart.Equal(m.Products[0].GraceStart) {
		t.Fatalf("%+v, %v", m2, err)
	}
	if fi, err := os.Stat(s.Path()); err != nil || fi.Mode().Perm() != 0o600 && runtime.GOOS != "windows" {
		t.Fatalf("mode %v, %v", fi.Mode(), err)
	}
	// And the version 2 file reads back the same after another round.
	enc, _ := encode(m2)
	if !bytes.Equal(enc, data) {
		t.Fatalf("re-encoded:\n%s\nfile:\n%s", enc, data)
	}
}

func TestMachine_CorruptVersion2(t *testing.T) {
	p := func(sku, key, partial string) string {
		return `{"product":{"sku_id":"` + sku + `","name":"x","key":"` + key + `","partial_key":"` + partial + `","gvlk":true,"installed_at":"2026-11-23T17:55:04Z"},"grace_started_at":"2026-11-23T17:55:04Z","intervals":{},"last_attempt":null,"last_success":null}`
	}
	win := p("73111121-5638-40f6-bc11-f1d7b0d64300", win10GVLK, "2YT43")
	for _, c := range []struct{ name, content, says string }{
		{"two Windows products", `{"version":2,"kms":{},"rearms_used":0,"products":[` + win + `,` + win + `]}`, "same application"},
		{"unknown SKU", `{"version":2,"kms":{},"rearms_used":0,"products":[` + p("00000000-0000-0000-0000-000000000001", "", "2YT43") + `]}`, `"products"[0]: "product": SKU ID`},
		{"key and partial differ", `{"version":2,"kms":{},"rearms_used":0,"products":[` + p("73111121-5638-40f6-bc11-f1d7b0d64300", win10GVLK, "ABCDE") + `]}`, "does not match"},
		{"products not a list", `{"version":2,"products":{}}`, `"products" is a JSON object`},
		{"negative rearms", `{"version":2,"rearms_used":-1,"products":[]}`, "negative"},
	} {
		if _, err := decode([]byte(c.content)); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want %q", c.name, err, c.says)
		}
	}
}
