package license

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/discovery"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmsaddr"
)

// keyAlphabet is every character a Microsoft product key uses: 24 letters
// and digits that cannot be mistaken for one another, plus N (which marks
// where the "N" of Windows 8 and later keys goes).
const keyAlphabet = "BCDFGHJKMNPQRTVWXY2346789"

// KeyError is a product key that cannot be installed. It never holds the key.
type KeyError struct {
	Reason  string  // what is wrong, e.g. "has 4 dash-separated groups, not 5"
	Case    KeyCase // which situation, for the advice
	Product string  // the product concerned, when there is one
}

// KeyCase says which situation a KeyError is.
type KeyCase int

// The situations of KeyError.
const (
	KeyMalformed    KeyCase = iota // not five groups of five key characters
	KeyMissing                     // no key and no product given
	KeyAsProduct                   // a key given as the product name that is no known GVLK
	KeyNotPublished                // the product has no published GVLK
	KeyUnknown                     // a well-formed key that is no GVLK kmsctl knows, without a product
	KeyOtherProduct                // the GVLK of another product than the one named
)

func (e *KeyError) Error() string { return "the product key " + e.Reason }

// Code is slmgr's code for a bad key: SL_E_INVALID_PRODUCT_KEY.
func (e *KeyError) Code() hresult.Code { return hresult.ProductKeyInvalid }

// unicodeDashes are the dashes word processors and mail clients put in
// place of a typed hyphen (en dash, em dash, minus sign, ...): a key pasted
// from a document has them.
var unicodeDashes = strings.NewReplacer("\u2010", "-", "\u2011", "-", "\u2012", "-", "\u2013", "-", "\u2014", "-", "\u2015", "-", "\u2212", "-", "\uFE63", "-", "\uFF0D", "-")

// ParseKey checks that s has the form of a product key, five groups of five
// key characters separated by dashes, and returns it in upper case.
// Surrounding space is ignored, and so are Unicode dashes standing in for
// the hyphens (a key pasted from a document).
func ParseKey(s string) (string, error) {
	k := strings.ToUpper(unicodeDashes.Replace(strings.TrimSpace(s)))
	groups := strings.Split(k, "-")
	if len(groups) != 5 {
		plural := "s"
		if len(groups) == 1 {
			plural = ""
		}
		return "", &KeyError{Reason: fmt.Sprintf("has %d dash-separated group%s, not 5", len(groups), plural)}
	}
	for i, g := range groups {
		if len(g) != 5 {
			return "", &KeyError{Reason: fmt.Sprintf("has %d characters in group %d, not 5", len(g), i+1)}
		}
		if !inAlphabet(g) {
			return "", &KeyError{Reason: fmt.Sprintf("has a character in group %d that no product key uses (keys use only %s)", i+1, keyAlphabet)}
		}
	}
	return k, nil
}

func inAlphabet(s string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(keyAlphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}

// Partial is how a key is shown: its last five characters.
func Partial(key string) string {
	if len(key) < 5 {
		return ""
	}
	return key[len(key)-5:]
}

// Masked is a key as kmsctl prints it: XXXXX-XXXXX-XXXXX-XXXXX-2YT43.
func Masked(partial string) string { return "XXXXX-XXXXX-XXXXX-XXXXX-" + partial }

// Installation is a product key ready to install: what `ipk` resolved.
type Installation struct {
	Product catalogue.Product
	key     string
	GVLK    bool // the key is the product's published GVLK
}

// Partial is the key's last five characters.
func (in Installation) Partial() string { return Partial(in.key) }

// Resolve decides what `ipk` installs:
//
//   - a key alone must be a GVLK kmsctl knows; it names its product;
//   - a product alone installs that product's published GVLK;
//   - a key and a product install the key for that product. This is how a
//     key kmsctl does not know (a newer GVLK, or a key you were given for a
//     known product) is installed; a GVLK of another product is refused.
//
// Errors never contain the key.
func Resolve(key, product string) (Installation, error) {
	var p catalogue.Product
	if product != "" {
		var err error
		if p, err = catalogue.Lookup(product); err != nil {
			if catalogue.KeyShaped(product) { // a key given as the product: never echo it
				return Installation{}, &KeyError{Reason: "given as the product is not the GVLK of any product kmsctl knows", Case: KeyAsProduct}
			}
			return Installation{}, err
		}
	}
	if key == "" {
		if product == "" {
			return Installation{}, &KeyError{Reason: "is missing", Case: KeyMissing}
		}
		if p.GVLK == "" {
			return Installation{}, &KeyError{Reason: fmt.Sprintf("of %s is not published (it has no GVLK)", p.Name), Case: KeyNotPublished, Product: p.Name}
		}
		return Installation{Product: p, key: p.GVLK, GVLK: true}, nil
	}
	k, err := ParseKey(key)
	if err != nil {
		return Installation{}, err
	}
	g, known := catalogue.ByGVLK(k)
	switch {
	case product == "" && !known:
		return Installation{}, &KeyError{Reason: "is not the GVLK of any product kmsctl knows", Case: KeyUnknown}
	case product == "":
		return Installation{Product: g, key: k, GVLK: true}, nil
	case known && g.SKUID != p.SKUID:
		return Installation{}, &KeyError{Reason: fmt.Sprintf("is the GVLK of %s, not of %s", g.Name, p.Name), Case: KeyOtherProduct, Product: p.Name}
	}
	return Installation{Product: p, key: k, GVLK: known}, nil
}

// ParseHost checks a KMS host argument, HOST[:PORT], and returns its host
// (without brackets) and port. It accepts what `kmsctl status` accepts.
func ParseHost(s string) (HostConfig, error) {
	addr, err := kmsaddr.Parse(s)
	if err != nil {
		return HostConfig{}, err
	}
	h, p, err := net.SplitHostPort(addr)
	if err != nil { // not reached: kmsaddr.Parse joined it
		return HostConfig{}, &kmsaddr.Error{Input: s, Reason: err.Error()}
	}
	port, _ := strconv.Atoi(p)
	return HostConfig{Host: h, Port: port}, nil
}

// DomainError is a DNS domain argument that is not a domain name.
type DomainError struct {
	Input, Reason string
}

func (e *DomainError) Error() string {
	return fmt.Sprintf("%q is not a DNS domain: %s", e.Input, e.Reason)
}

// Code is the HRESULT slmgr gives a malformed argument.
func (e *DomainError) Code() hresult.Code { return hresult.InvalidArg }

// ParseDomain checks a lookup domain (slmgr /skms-domain FQDN).
func ParseDomain(s string) (string, error) {
	d := strings.TrimSpace(s)
	if l := strings.ToLower(d); strings.HasPrefix(l, "_vlmcs._tcp.") {
		// slmgr takes the domain; kmsctl would look up
		// _vlmcs._tcp._vlmcs._tcp.DOMAIN.
		return "", &DomainError{Input: s, Reason: "give the domain without _vlmcs._tcp. (kmsctl adds it): " + d[len("_vlmcs._tcp."):]}
	}
	if why := discovery.CheckName(d, "domain"); why != "" {
		return "", &DomainError{Input: s, Reason: why}
	}
	return d, nil
}
