//go:build ignore

// gen.go turns data/products.csv and data/kms-ids.csv into products_gen.go:
// static tables of Product and Group literals plus sorted lookup indexes, so
// that nothing is parsed when kmsctl starts. Run it with
//
//	go generate ./catalogue
//
// It refuses data that breaks the invariants the package relies on (unique
// SKU IDs, unique names and aliases after normalisation, every KMS ID known,
// product fields agreeing with their group, well-formed GVLKs).
package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"go/format"
	"log"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/kmsctl/kmsctl/guid"
)

const (
	productsCSV = "data/products.csv"
	kmsIDsCSV   = "data/kms-ids.csv"
	output      = "products_gen.go"
)

var productHeader = []string{"name", "family", "release", "application_id", "sku_id", "kms_id", "kms_group", "threshold", "protocol", "gvlk", "source", "aliases"}
var groupHeader = []string{"kms_id", "name", "application_id", "threshold", "protocol", "activated_by", "source"}

var familyConst = map[string]string{
	"windows-client": "WindowsClient",
	"windows-server": "WindowsServer",
	"office":         "Office",
}

type group struct {
	kmsID, appID        guid.GUID
	name                string
	threshold, protocol int
	activatedBy         []string
}

type product struct {
	name, family, release string
	appID, skuID, kmsID   guid.GUID
	group                 string
	threshold, protocol   int
	gvlk                  string
	aliases               []string
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("catalogue/gen: ")
	groups := readGroups()
	products := readProducts(groups)
	src := render(products, groups)
	out, err := format.Source(src)
	if err != nil {
		os.WriteFile(output+".broken", src, 0o644)
		log.Fatalf("gofmt: %v (unformatted output in %s.broken)", err, output)
	}
	if err := os.WriteFile(output, out, 0o644); err != nil {
		log.Fatal(err)
	}
}

func readCSV(path string, header []string) [][]string {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = len(header)
	recs, err := r.ReadAll()
	if err != nil {
		log.Fatalf("%s: %v", path, err)
	}
	if len(recs) == 0 || !slices.Equal(recs[0], header) {
		log.Fatalf("%s: header is not %s", path, strings.Join(header, ","))
	}
	return recs[1:]
}

func parseGUID(where, s string) guid.GUID {
	if s != strings.ToLower(s) {
		log.Fatalf("%s: GUID %q is not lower-case", where, s)
	}
	g, err := guid.Parse(s)
	if err != nil || len(s) != 36 {
		log.Fatalf("%s: bad GUID %q", where, s)
	}
	return g
}

func parseInt(where, s string, ok func(int) bool) int {
	n, err := strconv.Atoi(s)
	if err != nil || !ok(n) {
		log.Fatalf("%s: bad number %q", where, s)
	}
	return n
}

func validProtocol(n int) bool  { return n >= 4 && n <= 6 }
func validThreshold(n int) bool { return n > 0 }

func list(where, s string) []string {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ";")
	for _, p := range parts {
		if p == "" || p != strings.TrimSpace(p) {
			log.Fatalf("%s: empty or padded element in list %q", where, s)
		}
	}
	return parts
}

func readGroups() []group {
	var gs []group
	seen := map[guid.GUID]bool{}
	names := map[string]bool{}
	for i, rec := range readCSV(kmsIDsCSV, groupHeader) {
		where := fmt.Sprintf("%s:%d", kmsIDsCSV, i+2)
		g := group{
			kmsID:       parseGUID(where, rec[0]),
			name:        rec[1],
			appID:       parseGUID(where, rec[2]),
			threshold:   parseInt(where, rec[3], validThreshold),
			protocol:    parseInt(where, rec[4], validProtocol),
			activatedBy: list(where, rec[5]),
		}
		if seen[g.kmsID] || names[g.name] || g.name == "" {
			log.Fatalf("%s: duplicate or empty group %s %q", where, g.kmsID, g.name)
		}
		seen[g.kmsID], names[g.name] = true, true
		gs = append(gs, g)
	}
	return gs
}

// normalize must match normalize in catalogue.go (the test checks the
// generated index against it).
func normalize(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

func validGVLK(s string) bool {
	if len(s) != 29 {
		return false
	}
	for i := 0; i < 29; i++ {
		c := s[i]
		if i%6 == 5 {
			if c != '-' {
				return false
			}
		} else if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func readProducts(groups []group) []product {
	byID := map[guid.GUID]group{}
	for _, g := range groups {
		byID[g.kmsID] = g
	}
	var ps []product
	skus := map[guid.GUID]int{}
	keys := map[string]string{}
	for i, rec := range readCSV(productsCSV, productHeader) {
		where := fmt.Sprintf("%s:%d", productsCSV, i+2)
		p := product{
			name:      rec[0],
			family:    rec[1],
			release:   rec[2],
			appID:     parseGUID(where, rec[3]),
			skuID:     parseGUID(where, rec[4]),
			kmsID:     parseGUID(where, rec[5]),
			group:     rec[6],
			threshold: parseInt(where, rec[7], validThreshold),
			protocol:  parseInt(where, rec[8], validProtocol),
			gvlk:      rec[9],
			aliases:   list(where, rec[11]),
		}
		if p.name == "" || p.name != strings.Join(strings.Fields(p.name), " ") {
			log.Fatalf("%s: name %q is empty or has stray spaces", where, p.name)
		}
		if _, ok := familyConst[p.family]; !ok {
			log.Fatalf("%s: unknown family %q", where, p.family)
		}
		if p.gvlk != "" && !validGVLK(p.gvlk) {
			log.Fatalf("%s: GVLK %q is not five upper-case groups of five", where, p.gvlk)
		}
		if j, dup := skus[p.skuID]; dup {
			log.Fatalf("%s: SKU ID %s already on line %d", where, p.skuID, j)
		}
		skus[p.skuID] = i + 2
		g, ok := byID[p.kmsID]
		if !ok {
			log.Fatalf("%s: KMS ID %s is not in %s", where, p.kmsID, kmsIDsCSV)
		}
		if g.name != p.group || g.appID != p.appID || g.threshold != p.threshold || g.protocol != p.protocol {
			log.Fatalf("%s: group, application ID, threshold or protocol disagree with %s", where, kmsIDsCSV)
		}
		for _, n := range append([]string{p.name}, p.aliases...) {
			k := normalize(n)
			if other, dup := keys[k]; dup {
				log.Fatalf("%s: name or alias %q clashes with %q", where, n, other)
			}
			keys[k] = p.name
		}
		ps = append(ps, p)
	}
	if len(ps) > 65535 {
		log.Fatalf("too many products for uint16 indexes")
	}
	return ps
}

func guidLit(g guid.GUID) string {
	var b strings.Builder
	b.WriteString("guid.GUID{")
	for i, c := range g {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "0x%02x", c)
	}
	b.WriteString("}")
	return b.String()
}

func stringsLit(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return "[]string{" + strings.Join(q, ", ") + "}"
}

func render(ps []product, gs []group) []byte {
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	w("// Code generated by \"go run gen.go\" from data/products.csv and data/kms-ids.csv. DO NOT EDIT.\n\n")
	w("package catalogue\n\n")
	w("import \"github.com/kmsctl/kmsctl/guid\"\n\n")

	w("// products holds every row of data/products.csv, in file order.\n")
	w("var products = [...]Product{\n")
	for _, p := range ps {
		w("{\n")
		w("Name: %q,\n", p.name)
		w("Family: %s,\n", familyConst[p.family])
		w("Release: %q,\n", p.release)
		w("ApplicationID: %s, // %s\n", guidLit(p.appID), p.appID)
		w("SKUID: %s, // %s\n", guidLit(p.skuID), p.skuID)
		w("KMSID: %s, // %s\n", guidLit(p.kmsID), p.kmsID)
		w("Group: %q,\n", p.group)
		w("Threshold: %d,\n", p.threshold)
		w("Protocol: %d,\n", p.protocol)
		if p.gvlk != "" {
			w("GVLK: %q,\n", p.gvlk)
		}
		if len(p.aliases) > 0 {
			w("Aliases: %s,\n", stringsLit(p.aliases))
		}
		w("},\n")
	}
	w("}\n\n")

	largest := 0
	for _, g := range gs {
		largest = max(largest, g.threshold)
	}
	var families []string
	for _, p := range ps {
		if p.threshold == largest && !slices.Contains(families, p.family) {
			families = append(families, p.family)
		}
	}
	w("// LargestThreshold is the largest N-count policy (required client count)\n")
	w("// of any KMS counted ID in data/kms-ids.csv, that of the %s products.\n", strings.Join(families, ", "))
	w("// A Microsoft host keeps room for at least twice this many clients\n")
	w("// (docs/protocol.md §8).\n")
	w("const LargestThreshold = %d\n\n", largest)

	w("// groups holds every row of data/kms-ids.csv, in file order.\n")
	w("var groups = [...]Group{\n")
	for _, g := range gs {
		w("{\n")
		w("KMSID: %s, // %s\n", guidLit(g.kmsID), g.kmsID)
		w("ApplicationID: %s, // %s\n", guidLit(g.appID), g.appID)
		w("Name: %q,\n", g.name)
		w("Threshold: %d,\n", g.threshold)
		w("Protocol: %d,\n", g.protocol)
		if len(g.activatedBy) > 0 {
			w("ActivatedBy: %s,\n", stringsLit(g.activatedBy))
		}
		w("},\n")
	}
	w("}\n\n")

	type entry struct {
		key string
		i   int
	}
	var names []entry
	for i, p := range ps {
		for _, n := range append([]string{p.name}, p.aliases...) {
			names = append(names, entry{normalize(n), i})
		}
	}
	slices.SortFunc(names, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	w("// nameIndex maps every normalized name and alias to its product, sorted by key.\n")
	w("var nameIndex = [...]nameEntry{\n")
	for _, e := range names {
		w("{%q, %d},\n", e.key, e.i)
	}
	w("}\n\n")

	idx := make([]int, len(ps))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return bytes.Compare(ps[a].skuID[:], ps[b].skuID[:]) })
	w("// skuIndex lists product indexes sorted by SKU ID.\n")
	w("var skuIndex = [...]uint16{\n")
	for _, i := range idx {
		w("%d, // %s\n", i, ps[i].skuID)
	}
	w("}\n\n")

	idx = idx[:0]
	for i, p := range ps {
		if p.gvlk != "" {
			idx = append(idx, i)
		}
	}
	// Stable: rows sharing a GVLK stay in file order, so a search for the
	// first match finds the first row.
	slices.SortStableFunc(idx, func(a, b int) int { return strings.Compare(ps[a].gvlk, ps[b].gvlk) })
	w("// gvlkIndex lists the indexes of products with a GVLK, sorted by GVLK\n")
	w("// (rows sharing a GVLK in file order).\n")
	w("var gvlkIndex = [...]uint16{\n")
	for _, i := range idx {
		w("%d, // %s\n", i, ps[i].gvlk)
	}
	w("}\n")
	return b.Bytes()
}
