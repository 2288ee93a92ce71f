package catalogue

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kmsctl/kmsctl/guid"
)

// csvRows reads a CSV file of the package's data directory into maps keyed
// by the header's column names.
func csvRows(t testing.TB, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(recs) < 2 {
		t.Fatalf("%s: no data rows", path)
	}
	var rows []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, col := range recs[0] {
			m[col] = rec[i]
		}
		rows = append(rows, m)
	}
	return rows
}

func mustGUID(t testing.TB, s string) guid.GUID {
	t.Helper()
	g, err := guid.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func mustInt(t testing.TB, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ";")
}

// csvProducts parses data/products.csv independently of gen.go.
func csvProducts(t testing.TB) []Product {
	t.Helper()
	var ps []Product
	for _, r := range csvRows(t, "data/products.csv") {
		ps = append(ps, Product{
			Name:          r["name"],
			Family:        Family(r["family"]),
			Release:       r["release"],
			ApplicationID: mustGUID(t, r["application_id"]),
			SKUID:         mustGUID(t, r["sku_id"]),
			KMSID:         mustGUID(t, r["kms_id"]),
			Group:         r["kms_group"],
			Threshold:     mustInt(t, r["threshold"]),
			Protocol:      mustInt(t, r["protocol"]),
			GVLK:          r["gvlk"],
			Aliases:       splitList(r["aliases"]),
		})
	}
	return ps
}

// csvGroups parses data/kms-ids.csv independently of gen.go.
func csvGroups(t testing.TB) []Group {
	t.Helper()
	var gs []Group
	for _, r := range csvRows(t, "data/kms-ids.csv") {
		gs = append(gs, Group{
			KMSID:         mustGUID(t, r["kms_id"]),
			ApplicationID: mustGUID(t, r["application_id"]),
			Name:          r["name"],
			Threshold:     mustInt(t, r["threshold"]),
			Protocol:      mustInt(t, r["protocol"]),
			ActivatedBy:   splitList(r["activated_by"]),
		})
	}
	return gs
}

// diffFields reports, field by field, where got and want (structs of the
// same type) differ.
func diffFields(t *testing.T, what string, got, want any) bool {
	t.Helper()
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	same := true
	for i := 0; i < gv.NumField(); i++ {
		if !reflect.DeepEqual(gv.Field(i).Interface(), wv.Field(i).Interface()) {
			t.Errorf("%s: %s = %v, CSV has %v", what, gv.Type().Field(i).Name, gv.Field(i), wv.Field(i))
			same = false
		}
	}
	return same
}

func TestGeneratedUpToDate(t *testing.T) {
	const fix = "products_gen.go is out of date with data/*.csv: run go generate ./catalogue"
	wantP, wantG := csvProducts(t), csvGroups(t)
	if len(products) != len(wantP) || len(groups) != len(wantG) {
		t.Fatalf("%d products and %d groups generated, CSV has %d and %d; %s",
			len(products), len(groups), len(wantP), len(wantG), fix)
	}
	ok := true
	for i := range wantP {
		ok = diffFields(t, "product "+strconv.Itoa(i)+" "+wantP[i].Name, products[i], wantP[i]) && ok
	}
	for i := range wantG {
		ok = diffFields(t, "group "+strconv.Itoa(i)+" "+wantG[i].Name, groups[i], wantG[i]) && ok
	}
	largest := 0
	for _, g := range wantG {
		largest = max(largest, g.Threshold)
	}
	if LargestThreshold != largest {
		t.Errorf("LargestThreshold = %d, CSV's largest threshold is %d", LargestThreshold, largest)
		ok = false
	}

	// The indexes: nameIndex holds exactly every normalized name and
	// alias, sorted; skuIndex and gvlkIndex are permutations sorted by key.
	var names []nameEntry
	for i, p := range wantP {
		for _, n := range append([]string{p.Name}, p.Aliases...) {
			names = append(names, nameEntry{normalize(n), uint16(i)})
		}
	}
	slices.SortFunc(names, func(a, b nameEntry) int { return strings.Compare(a.key, b.key) })
	if !slices.Equal(nameIndex[:], names) {
		t.Errorf("nameIndex does not match the CSV names and aliases")
		ok = false
	}
	sku := make([]uint16, len(wantP))
	for i := range sku {
		sku[i] = uint16(i)
	}
	slices.SortStableFunc(sku, func(a, b uint16) int { return bytes.Compare(wantP[a].SKUID[:], wantP[b].SKUID[:]) })
	if !slices.Equal(skuIndex[:], sku) {
		t.Errorf("skuIndex is not the products sorted by SKU ID")
		ok = false
	}
	var gvlk []uint16
	for i, p := range wantP {
		if p.GVLK != "" {
			gvlk = append(gvlk, uint16(i))
		}
	}
	slices.SortStableFunc(gvlk, func(a, b uint16) int { return strings.Compare(wantP[a].GVLK, wantP[b].GVLK) })
	if !slices.Equal(gvlkIndex[:], gvlk) {
		t.Errorf("gvlkIndex is not the products with a GVLK sorted by GVLK")
		ok = false
	}
	if !ok {
		t.Fatal(fix)
	}
}

func TestCounts(t *testing.T) {
	// 215 data rows in products.csv and 35 in kms-ids.csv at the time of
	// writing; the generated tables must hold every one.
	if got, want := len(Products()), len(csvRows(t, "data/products.csv")); got != want || got != 215 {
		t.Errorf("Products() has %d rows, products.csv %d (215 expected)", got, want)
	}
	if got, want := len(groups), len(csvRows(t, "data/kms-ids.csv")); got != want || got != 35 {
		t.Errorf("groups has %d rows, kms-ids.csv %d (35 expected)", got, want)
	}
}

func TestProductsAgreeWithGroups(t *testing.T) {
	for _, p := range Products() {
		g, ok := GroupByKMSID(p.KMSID)
		if !ok {
			t.Errorf("%s: KMS ID %s is not in groups", p.Name, p.KMSID)
			continue
		}
		if g.Name != p.Group || g.ApplicationID != p.ApplicationID || g.Threshold != p.Threshold || g.Protocol != p.Protocol {
			t.Errorf("%s: product (%s, %s, N=%d, v%d) disagrees with group (%s, %s, N=%d, v%d)",
				p.Name, p.Group, p.ApplicationID, p.Threshold, p.Protocol, g.Name, g.ApplicationID, g.Threshold, g.Protocol)
		}
	}
	if _, ok := GroupByKMSID(guid.Nil); ok {
		t.Error("GroupByKMSID(Nil) found a group")
	}
}

func TestThresholds(t *testing.T) {
	multiSession := guid.MustParse("cbdcb1ba-e093-4c81-a463-10775291fdf9")
	for _, p := range Products() {
		want := 5
		if p.Family == WindowsClient && p.KMSID != multiSession {
			want = 25
		}
		if p.Threshold != want {
			t.Errorf("%s (%s): threshold %d, want %d", p.Name, p.Family, p.Threshold, want)
		}
	}
	p, err := Lookup("Windows 10/11 Enterprise multi-session")
	if err != nil || p.Threshold != 5 || p.KMSID != multiSession {
		t.Errorf("multi-session: %+v, %v; want threshold 5 in group %s", p, err, multiSession)
	}
}

func TestApplicationIDs(t *testing.T) {
	windows := guid.MustParse("55c92734-d682-4d71-983e-d6ec3f16059f")
	office14 := guid.MustParse("59a52881-a989-479d-af46-f275c6370663")
	office15 := guid.MustParse("0ff1ce15-a989-479d-af46-f275c6370663")
	for _, p := range Products() {
		want := windows
		switch {
		case p.Family == Office && p.Release == "2010":
			want = office14
		case p.Family == Office:
			want = office15
		}
		if p.ApplicationID != want {
			t.Errorf("%s: application ID %s, want %s", p.Name, p.ApplicationID, want)
		}
	}
}

// TestProtocolByRelease checks every row against the rule: the client
// generation decides (Vista/7/2008/2008 R2/Office 2010 → 4; 8/2012/Office
// 2013 → 5; everything later → 6).
func TestProtocolByRelease(t *testing.T) {
	for _, p := range Products() {
		want := 6
		switch {
		case p.Family == WindowsClient && (p.Release == "Vista" || p.Release == "7"),
			p.Family == WindowsServer && (p.Release == "2008" || p.Release == "2008 R2"),
			p.Family == Office && p.Release == "2010":
			want = 4
		case p.Family == WindowsClient && p.Release == "8",
			p.Family == WindowsServer && p.Release == "2012",
			p.Family == Office && p.Release == "2013":
			want = 5
		}
		if p.Protocol != want {
			t.Errorf("%s (%s %s): protocol %d, want %d", p.Name, p.Family, p.Release, p.Protocol, want)
		}
	}
}

func TestProtocolRepresentative(t *testing.T) {
	tests := []struct {
		name     string
		protocol int
	}{
		{"Windows Vista Business", 4},
		{"Windows 7 Professional", 4},
		{"Windows 8 Professional", 5},
		{"Windows 8.1 Professional", 6},
		{"Windows 10/11 Pro", 6},
		{"Windows 11 Pro", 6},
		{"Windows Server 2008 R2 Standard", 4},
		{"Windows MultiPoint Server 2010", 4},
		{"Windows Server 2012 Standard", 5},
		{"Windows Server 2012 R2 Standard", 6},
		{"Windows Server 2016 Standard", 6},
		{"Windows Server 2025 Standard", 6},
		{"Office Professional Plus 2010", 4},
		{"Office Professional Plus 2013", 5},
		{"Office Professional Plus 2016", 6},
		{"Office Professional Plus 2019", 6},
		{"Office LTSC Professional Plus 2021", 6},
		{"Office LTSC Professional Plus 2024", 6},
	}
	for _, tt := range tests {
		p, err := Lookup(tt.name)
		if err != nil {
			t.Errorf("Lookup(%q): %v", tt.name, err)
			continue
		}
		if p.Protocol != tt.protocol {
			t.Errorf("%s: protocol %d, want %d", p.Name, p.Protocol, tt.protocol)
		}
	}
}

// lookupIs checks that Lookup(q) succeeds with the product named want.
func lookupIs(t *testing.T, q, want string) {
	t.Helper()
	p, err := Lookup(q)
	if err != nil {
		t.Errorf("Lookup(%q): %v, want %s", q, err, want)
		return
	}
	if p.Name != want {
		t.Errorf("Lookup(%q) = %s, want %s", q, p.Name, want)
	}
}

func TestLookupEveryNameAndAlias(t *testing.T) {
	for _, p := range Products() {
		for _, n := range append([]string{p.Name}, p.Aliases...) {
			lookupIs(t, n, p.Name)
			lookupIs(t, strings.ToUpper(n), p.Name)
			lookupIs(t, strings.ToLower(n), p.Name)
			lookupIs(t, "  "+strings.ReplaceAll(n, " ", "   ")+"\t", p.Name)
		}
	}
}

func TestLookupEverySKU(t *testing.T) {
	for _, p := range Products() {
		s := p.SKUID.String()
		for _, q := range []string{s, strings.ToUpper(s), "{" + s + "}", " {" + strings.ToUpper(s) + "} "} {
			got, err := Lookup(q)
			if err != nil || got.SKUID != p.SKUID {
				t.Errorf("Lookup(%q) = %s, %v; want %s", q, got.Name, err, p.Name)
			}
		}
		if got, ok := BySKU(p.SKUID); !ok || got.Name != p.Name {
			t.Errorf("BySKU(%s) = %s, %v; want %s", p.SKUID, got.Name, ok, p.Name)
		}
	}
	if _, ok := BySKU(guid.Nil); ok {
		t.Error("BySKU(Nil) found a product")
	}
}

// TestLookupEveryGVLK: in the current data every published GVLK belongs to
// exactly one row, and six rows (Windows 8.1 Core Connected ×4,
// Professional Student ×2) have none. Should a GVLK ever be shared, lookup
// returns the first row in file order, which is what this test expects.
func TestLookupEveryGVLK(t *testing.T) {
	ps := Products()
	first := map[string]Product{}
	shared, none := 0, 0
	for _, p := range ps {
		if p.GVLK == "" {
			none++
			continue
		}
		if _, dup := first[p.GVLK]; dup {
			shared++
			continue
		}
		first[p.GVLK] = p
	}
	if shared != 0 || none != 6 {
		t.Logf("data changed: %d rows share a GVLK, %d rows have none (0 and 6 expected when written)", shared, none)
	}
	for _, p := range ps {
		if p.GVLK == "" {
			continue
		}
		want := first[p.GVLK]
		for _, q := range []string{p.GVLK, strings.ToLower(p.GVLK), " " + p.GVLK + "\n"} {
			got, err := Lookup(q)
			if err != nil || got.SKUID != want.SKUID {
				t.Errorf("Lookup(%q) = %s, %v; want %s", q, got.Name, err, want.Name)
			}
		}
		if got, ok := ByGVLK(strings.ToLower(p.GVLK)); !ok || got.SKUID != want.SKUID {
			t.Errorf("ByGVLK(%q) = %s, %v; want %s", p.GVLK, got.Name, ok, want.Name)
		}
	}
	for _, q := range []string{"", "BBBBB-BBBBB-BBBBB-BBBBB-BBBBB", "W269N-WFGWX-YVC9B-4J6C9"} {
		if p, ok := ByGVLK(q); ok {
			t.Errorf("ByGVLK(%q) = %s", q, p.Name)
		}
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		query string
		want  string // product name; "" when an error is expected
		err   error  // ErrNotFound or ErrAmbiguous
	}{
		// exact names and aliases, any case
		{"windows server 2019 datacenter", "Windows Server 2019 Datacenter", nil},
		{"Windows 10 Enterprise", "Windows 10/11 Enterprise", nil},
		{"WINDOWS 11 ENTERPRISE", "Windows 10/11 Enterprise", nil},
		{"office professional plus 2019", "Office Professional Plus 2019", nil},
		{"Office  Professional\tPlus 2019 ", "Office Professional Plus 2019", nil},
		// exact wins over the longer names containing it
		{"Windows 10/11 Enterprise", "Windows 10/11 Enterprise", nil},
		{"Windows 10 Enterprise N", "Windows 10/11 Enterprise N", nil},
		{"Windows Server 2025 Datacenter", "Windows Server 2025 Datacenter", nil},
		{"Office Mondo 2016", "Office Mondo 2016", nil},
		// SKU IDs and GVLKs
		{"73111121-5638-40f6-bc11-f1d7b0d64300", "Windows 10/11 Enterprise", nil},
		{"{73111121-5638-40F6-BC11-F1D7B0D64300}", "Windows 10/11 Enterprise", nil},
		{"nppr9-fwdcx-d2c8j-h872k-2yt43", "Windows 10/11 Enterprise", nil},
		// unambiguous fragments
		{"server 2019 essentials", "Windows Server 2019 Essentials", nil},
		{"LTSC Professional Plus 2024", "Office LTSC Professional Plus 2024", nil},
		{"multi-session", "Windows 10/11 Enterprise multi-session", nil},
		{"10 home single", "Windows 10/11 Home Single Language", nil},       // only in an alias
		{"home single language", "Windows 10/11 Home Single Language", nil}, // name and both aliases: one product
		{"enterprise 2016 ltsb n", "Windows 10 Enterprise 2016 LTSB N", nil},
		{"visio 2019 standard", "Office Visio Standard 2019", nil}, // every word
		// ambiguous fragments
		{"Office 2019", "", ErrAmbiguous},
		{"Server 2019", "", ErrAmbiguous},
		{"Windows 10", "", ErrAmbiguous},
		{"enterprise g", "", ErrAmbiguous}, // G and G N
		// nothing
		{"Windows 95", "", ErrNotFound},
		{"", "", ErrNotFound},
		{"   ", "", ErrNotFound},
		{"00000000-0000-0000-0000-000000000000", "", ErrNotFound},
		{"907f1f65-adcd-4a2e-95bc-4bf500bc6e58", "", ErrNotFound}, // a KMS ID, not a SKU
		{"BBBBB-BBBBB-BBBBB-BBBBB-BBBBB", "", ErrNotFound},
		{"00000000-0000-0000-0000-0000-0000000", "", ErrNotFound}, // GUID-sized, misplaced dash
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			p, err := Lookup(tt.query)
			if tt.err == nil {
				if err != nil || p.Name != tt.want {
					t.Fatalf("Lookup(%q) = %q, %v; want %q", tt.query, p.Name, err, tt.want)
				}
				return
			}
			if !errors.Is(err, tt.err) {
				t.Fatalf("Lookup(%q) = %q, %v; want an error matching %v", tt.query, p.Name, err, tt.err)
			}
			if p.Name != "" {
				t.Errorf("Lookup(%q) returned product %q with an error", tt.query, p.Name)
			}
		})
	}
}

func TestAmbiguousError(t *testing.T) {
	_, err := Lookup("Office 2019")
	var ae *AmbiguousError
	if !errors.As(err, &ae) {
		t.Fatalf("Lookup(Office 2019) = %v, want *AmbiguousError", err)
	}
	if errors.Is(err, ErrNotFound) {
		t.Error("ambiguous error also matches ErrNotFound")
	}
	want := []string{
		"Office Access 2019", "Office Excel 2019", "Office Outlook 2019", "Office Powerpoint 2019",
		"Office Professional Plus 2019", "Office Project Pro 2019", "Office Project Standard 2019",
		"Office Publisher 2019", "Office Skype for Business 2019", "Office Standard 2019",
		"Office Visio Pro 2019", "Office Visio Standard 2019", "Office Word 2019",
	}
	if !slices.Equal(ae.Candidates, want) {
		t.Errorf("candidates = %q\nwant %q", ae.Candidates, want)
	}
	msg := err.Error()
	for _, s := range []string{`"Office 2019" matches 13 products: Office Access 2019, `, "Office Standard 2019 and 3 more (name one exactly)"} {
		if !strings.Contains(msg, s) {
			t.Errorf("message %q lacks %q", msg, s)
		}
	}
	if strings.Contains(msg, "Office Visio Pro 2019") {
		t.Errorf("message %q lists more than %d names", msg, maxListed)
	}

	// Few candidates: all listed, no "more".
	_, err = Lookup("Server 2019 A")
	if got, want := err.Error(), `"Server 2019 A" matches 2 products: Windows Server 2019 Azure Core, Windows Server 2019 ARM64 (name one exactly)`; got != want {
		t.Errorf("message = %s\nwant %s", got, want)
	}
}

func TestNotFoundMessages(t *testing.T) {
	tests := []struct{ query, want string }{
		{"Windows 95", `no such product "Windows 95": run "kmsctl products"`},
		{"907f1f65-adcd-4a2e-95bc-4bf500bc6e58", `KMS counted ID of "Windows Server 2025", not a SKU ID`},
		{"{00000000-0000-0000-0000-000000000000}", "no product has that SKU ID"},
		{"bbbbb-bbbbb-bbbbb-bbbbb-bbbbc", `"*****-*****-*****-*****-BBBBC": no product has that GVLK`},
		{"BBBBBCCCCCDDDDDFFFFFGGGGG", `"*****-*****-*****-*****-GGGGG": run "kmsctl products"`},
	}
	for _, tt := range tests {
		_, err := Lookup(tt.query)
		if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrAmbiguous) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Lookup(%q) error = %v; want ErrNotFound saying %q", tt.query, err, tt.want)
		}
	}
}

func TestDefaultProbe(t *testing.T) {
	ps := DefaultProbe()
	want := []struct {
		name   string
		family Family
	}{
		{"Windows 10/11 Enterprise", WindowsClient},
		{"Windows Server 2019 Standard", WindowsServer},
		{"Office Professional Plus 2019", Office},
	}
	if len(ps) != len(want) {
		t.Fatalf("DefaultProbe() has %d products, want %d", len(ps), len(want))
	}
	for i, w := range want {
		if ps[i].Name != w.name || ps[i].Family != w.family {
			t.Errorf("DefaultProbe()[%d] = %s (%s), want %s (%s)", i, ps[i].Name, ps[i].Family, w.name, w.family)
		}
	}
}

func TestProductsIsACopy(t *testing.T) {
	ps := Products()
	ps[0].Name = "changed"
	if Products()[0].Name == "changed" {
		t.Error("Products() returns the catalogue's own storage")
	}
}

func FuzzLookup(f *testing.F) {
	for _, s := range []string{
		"", " ", "Windows 10 Enterprise", "office 2019", "Server 2019", "windows",
		"73111121-5638-40f6-bc11-f1d7b0d64300", "{73111121-5638-40f6-bc11-f1d7b0d64300}",
		"NPPR9-FWDCX-D2C8J-H872K-2YT43", "xxxxx-xxxxx-xxxxx-xxxxx-xxxxx", "\xff\xfe", "İ", "a  b\t c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		p, err := Lookup(q)
		if err == nil {
			if p.Name == "" {
				t.Fatalf("Lookup(%q) = empty product, nil error", q)
			}
			return
		}
		if p.Name != "" {
			t.Fatalf("Lookup(%q) = %q with error %v", q, p.Name, err)
		}
		nf, amb := errors.Is(err, ErrNotFound), errors.Is(err, ErrAmbiguous)
		if nf == amb {
			t.Fatalf("Lookup(%q) error %v: ErrNotFound %v, ErrAmbiguous %v; want exactly one", q, err, nf, amb)
		}
		var ae *AmbiguousError
		if amb && (!errors.As(err, &ae) || len(ae.Candidates) < 2) {
			t.Fatalf("Lookup(%q) ambiguous with fewer than two candidates: %v", q, err)
		}
		_ = err.Error()
	})
}

func BenchmarkLookup(b *testing.B) {
	for _, bm := range []struct{ name, query string }{
		{"exact", "Windows Server 2019 Datacenter"},
		{"alias", "windows 10 enterprise"},
		{"sku", "73111121-5638-40f6-bc11-f1d7b0d64300"},
		{"gvlk", "NPPR9-FWDCX-D2C8J-H872K-2YT43"},
		{"fragment", "server 2019 essentials"},
		{"ambiguous", "office 2019"},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Lookup(bm.query)
			}
		})
	}
}

func TestMatching(t *testing.T) {
	names := func(ps []Product) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Name)
		}
		return out
	}
	if got := Matching(""); len(got) != len(Products()) {
		t.Errorf("blank filter: %d products, want all %d", len(got), len(Products()))
	}
	got := names(Matching("SERVER  2022 datacenter"))
	if len(got) == 0 {
		t.Fatal("no match for server 2022 datacenter")
	}
	for _, n := range got {
		l := strings.ToLower(n)
		if !strings.Contains(l, "server") || !strings.Contains(l, "2022") || !strings.Contains(l, "datacenter") {
			t.Errorf("%q does not contain every word", n)
		}
	}
	// The KMS group's name counts too: every Office 2021 product is in
	// a group named for it.
	office := Matching("office 2021")
	if len(office) == 0 {
		t.Fatal("no match for office 2021")
	}
	for _, p := range office {
		if !strings.Contains(strings.ToLower(p.Name+" "+p.Group), "2021") {
			t.Errorf("%q (%s) matched office 2021", p.Name, p.Group)
		}
	}
	if got := Matching("no such product"); got != nil {
		t.Errorf("no match: %v", names(got))
	}
}
