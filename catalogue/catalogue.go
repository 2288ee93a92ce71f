// Package catalogue is the product catalogue of kmsctl: for every volume
// (KMS client) SKU of Windows and Office it knows the application, SKU and
// KMS counted IDs, the host's activation threshold, the GVLK and the KMS
// protocol version a genuine client of that product sends.
//
// The data lives in data/products.csv and data/kms-ids.csv (gen.go checks
// their columns; each row's source column says where it comes from) and
// is turned into static Go tables in
// products_gen.go by "go generate ./catalogue". Nothing is parsed or built at
// start-up: the tables and the sorted lookup indexes are plain composite
// literals the linker lays out, so a command that looks up one product pays
// for a binary search and nothing else.
package catalogue

//go:generate go run gen.go

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kmsctl/kmsctl/guid"
)

// Family is the product family of a SKU.
type Family string

// The three families used in products.csv. Project and Visio are Office;
// Windows 10/11 Enterprise multi-session is a Windows client; Windows
// MultiPoint Server 2010 is a Windows server.
const (
	WindowsClient Family = "windows-client"
	WindowsServer Family = "windows-server"
	Office        Family = "office"
)

// Product is one row of products.csv: one volume (KMS client) SKU.
//
// Aliases shares storage with the catalogue: do not modify its elements.
type Product struct {
	Name    string
	Family  Family
	Release string // short version label: "7", "10/11", "2019", "LTSC 2024", …

	ApplicationID guid.GUID // application the request names (Windows, Office 2010, Office 2013+)
	SKUID         guid.GUID // SKU / activation ID of the volume licence; unique
	KMSID         guid.GUID // KMS counted ID sent in the request

	Group     string // name of the KMS counted ID in kms-ids.csv (Group.Name)
	Threshold int    // the host's N-count policy for the group (required client count)
	Protocol  int    // KMS protocol major version a genuine client sends: 4, 5 or 6
	GVLK      string // public KMS client setup key; "" when none is published
	Aliases   []string
}

// Group is one KMS counted ID (a row of kms-ids.csv). Some groups have no
// product (pre-release groups, "Windows 10 unknown volume", the LTSC
// 2021/2024 IDs); they are kept so that a host's reply can be labelled.
//
// ActivatedBy shares storage with the catalogue: do not modify its elements.
type Group struct {
	KMSID, ApplicationID guid.GUID
	Name                 string
	Threshold, Protocol  int
	ActivatedBy          []string // host-key (CSVLK) groups that can activate it, newest first
}

// nameEntry is one element of the generated nameIndex: a name or alias in
// normalized form and the index of its product.
type nameEntry struct {
	key     string
	product uint16
}

// ErrNotFound is wrapped by every error Lookup returns when nothing matches.
var ErrNotFound = errors.New("no such product")

// ErrAmbiguous matches (errors.Is) the *AmbiguousError Lookup returns when a
// fragment names more than one product.
var ErrAmbiguous = errors.New("ambiguous product name")

// AmbiguousError is returned by Lookup when a fragment matches several
// products. Candidates holds their names in catalogue (file) order.
type AmbiguousError struct {
	Query      string
	Candidates []string
}

// maxListed is how many candidates AmbiguousError.Error names.
const maxListed = 10

func (e *AmbiguousError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%q matches %d products: ", e.Query, len(e.Candidates))
	shown := e.Candidates
	if len(shown) > maxListed {
		shown = shown[:maxListed]
	}
	b.WriteString(strings.Join(shown, ", "))
	if more := len(e.Candidates) - len(shown); more > 0 {
		fmt.Fprintf(&b, " and %d more", more)
	}
	b.WriteString(" (name one exactly)")
	return b.String()
}

// Is reports whether target is ErrAmbiguous.
func (e *AmbiguousError) Is(target error) bool { return target == ErrAmbiguous }

// Products returns every product, in the order of products.csv. The slice is
// a fresh copy the caller may reorder or modify; the Aliases slices inside
// are shared and must not be modified.
func Products() []Product { return slices.Clone(products[:]) }

// Matching returns, in catalogue order, the products whose name, aliases
// or KMS group contain every word of filter, case-insensitively, as
// `kmsctl products FILTER` lists them; every product for a blank filter.
func Matching(filter string) []Product {
	words := strings.Fields(strings.ToLower(filter))
	var out []Product
	for _, p := range products {
		if containsWords(strings.ToLower(p.Name+" "+strings.Join(p.Aliases, " ")+" "+p.Group), words) {
			out = append(out, p)
		}
	}
	return out
}

// containsWords reports whether text contains each of words.
func containsWords(text string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// normalize is the form names are compared in: surrounding space trimmed,
// runs of white space folded to one space, lower case. gen.go has a copy.
func normalize(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// byName finds a product by its exact name or alias in normalized form.
func byName(key string) (int, bool) {
	i, ok := slices.BinarySearchFunc(nameIndex[:], key, func(e nameEntry, k string) int {
		return strings.Compare(e.key, k)
	})
	if !ok {
		return 0, false
	}
	return int(nameIndex[i].product), true
}

// BySKU returns the product with SKU (activation) ID id.
func BySKU(id guid.GUID) (Product, bool) {
	i, ok := slices.BinarySearchFunc(skuIndex[:], id, func(p uint16, id guid.GUID) int {
		return bytes.Compare(products[p].SKUID[:], id[:])
	})
	if !ok {
		return Product{}, false
	}
	return products[skuIndex[i]], true
}

// ByGVLK returns the product whose GVLK is key (case-insensitive, surrounding
// space ignored, dashes required). GVLKs are unique in the current data; if
// two rows ever share one, the first row in file order is returned.
func ByGVLK(key string) (Product, bool) {
	key = strings.ToUpper(strings.TrimSpace(key))
	if key == "" {
		return Product{}, false
	}
	i, ok := slices.BinarySearchFunc(gvlkIndex[:], key, func(p uint16, k string) int {
		return strings.Compare(products[p].GVLK, k)
	})
	if !ok {
		return Product{}, false
	}
	return products[gvlkIndex[i]], true
}

// GroupByKMSID returns the KMS counted ID group id.
func GroupByKMSID(id guid.GUID) (Group, bool) {
	for i := range groups {
		if groups[i].KMSID == id {
			return groups[i], true
		}
	}
	return Group{}, false
}

// defaultProbe names the products `kmsctl status` asks about when no
// --product is given: one per family.
var defaultProbe = [...]string{
	"Windows 10/11 Enterprise",
	"Windows Server 2019 Standard",
	"Office Professional Plus 2019",
}

// DefaultProbe returns one product per family (Windows client, Windows
// server, Office) for `kmsctl status` without --product, in that order.
func DefaultProbe() []Product {
	ps := make([]Product, 0, len(defaultProbe))
	for _, n := range defaultProbe {
		if i, ok := byName(normalize(n)); ok {
			ps = append(ps, products[i])
		}
	}
	return ps
}

// parseGUID parses a GUID in text form, braces allowed. It checks the shape
// itself before calling guid.Parse, which (as of this writing) can panic on
// 36-character strings with dashes in other places.
func parseGUID(s string) (guid.GUID, bool) {
	t := s
	if len(t) == 38 && t[0] == '{' && t[37] == '}' {
		t = t[1:37]
	}
	if len(t) != 36 {
		return guid.Nil, false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return guid.Nil, false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return guid.Nil, false
			}
		}
	}
	id, err := guid.Parse(s)
	return id, err == nil
}

// looksLikeGVLK reports whether s has the shape of a product key: five
// groups of five letters or digits separated by dashes.
func looksLikeGVLK(s string) bool {
	if len(s) != 29 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i%6 == 5 {
			if c != '-' {
				return false
			}
		} else if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func notFound(q, why string) error {
	if KeyShaped(q) {
		// A product key is never printed whole, not even a wrong one.
		k := strings.ReplaceAll(strings.TrimSpace(q), "-", "")
		q = "*****-*****-*****-*****-" + strings.ToUpper(k[20:])
	}
	return fmt.Errorf("%w %q: %s", ErrNotFound, q, why)
}

// KeyShaped reports whether s looks like a product key: 25 letters and
// digits, dashes aside. Such text is never echoed whole.
func KeyShaped(s string) bool {
	k := strings.ReplaceAll(strings.TrimSpace(s), "-", "")
	if len(k) != 25 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

const listHint = `run "kmsctl products" for the list, or give part of a name (e.g. "Server 2019 Standard")`

// Lookup finds the product a user named. It tries, in order:
//
//  1. the exact name or an alias, case-insensitively, with surrounding space
//     trimmed and runs of white space folded ("windows 10 enterprise" is
//     the row "Windows 10/11 Enterprise");
//  2. a SKU ID in GUID text form, braces allowed;
//  3. a GVLK (five dash-separated groups of five, any case);
//  4. a fragment: a case-insensitive substring of a name or alias. When no
//     name contains the fragment as a whole, a name containing every
//     space-separated word of it counts ("office 2019" finds the Office
//     2019 products, whose names have the edition between the two words).
//
// A fragment matching exactly one product (under any number of its names)
// returns it; one matching several returns an *AmbiguousError (errors.Is
// ErrAmbiguous). When nothing matches the error wraps ErrNotFound.
func Lookup(query string) (Product, error) {
	q := strings.TrimSpace(query)
	if q == "" {
		return Product{}, fmt.Errorf("%w: empty name (%s)", ErrNotFound, listHint)
	}
	key := normalize(q)
	if i, ok := byName(key); ok {
		return products[i], nil
	}
	if id, ok := parseGUID(q); ok {
		if p, ok := BySKU(id); ok {
			return p, nil
		}
		if g, ok := GroupByKMSID(id); ok {
			return Product{}, notFound(q, fmt.Sprintf("that is the KMS counted ID of %q, not a SKU ID", g.Name))
		}
		return Product{}, notFound(q, "no product has that SKU ID")
	}
	if looksLikeGVLK(q) {
		if p, ok := ByGVLK(q); ok {
			return p, nil
		}
		return Product{}, notFound(q, "no product has that GVLK")
	}
	hits := fragment(key)
	switch len(hits) {
	case 0:
		return Product{}, notFound(q, listHint)
	case 1:
		return products[hits[0]], nil
	}
	names := make([]string, len(hits))
	for j, i := range hits {
		names[j] = products[i].Name
	}
	return Product{}, &AmbiguousError{Query: q, Candidates: names}
}

// fragment returns the indexes, in file order, of the products with a name
// or alias containing key; failing that, of those with a name or alias
// containing each space-separated word of key.
func fragment(key string) []int {
	var hit [len(products)]bool
	n := 0
	for _, e := range nameIndex {
		if !hit[e.product] && strings.Contains(e.key, key) {
			hit[e.product] = true
			n++
		}
	}
	if n == 0 && strings.Contains(key, " ") {
		words := strings.Split(key, " ")
		for _, e := range nameIndex {
			if hit[e.product] || !containsWords(e.key, words) {
				continue
			}
			hit[e.product] = true
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]int, 0, n)
	for i, h := range hit {
		if h {
			out = append(out, i)
		}
	}
	return out
}
