package license

import (
	"errors"
	"strings"
	"testing"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmsaddr"
)

const win10GVLK = "NPPR9-FWDCX-D2C8J-H872K-2YT43"

func TestParseKey(t *testing.T) {
	good := map[string]string{
		win10GVLK:                       win10GVLK,
		strings.ToLower(win10GVLK):      win10GVLK,
		"  " + win10GVLK + "\n":         win10GVLK,
		"BBBBB-CCCCC-DDDDD-FFFFF-GGGGG": "BBBBB-CCCCC-DDDDD-FFFFF-GGGGG",
		"NNNNN-22222-99999-YYYYY-XXXXX": "NNNNN-22222-99999-YYYYY-XXXXX",
		// En dashes, an em dash and a minus sign, as pasted from a document.
		"NPPR9\u2013FWDCX\u2013D2C8J\u2014H872K\u22122YT43": win10GVLK,
	}
	for in, want := range good {
		got, err := ParseKey(in)
		if err != nil || got != want {
			t.Errorf("ParseKey(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := map[string]string{
		"":                                "has 1 dash-separated group, not 5",
		"NPPR9FWDCXD2C8JH872K2YT43":       "has 1 dash-separated group, not 5",
		"NPPR9-FWDCX-D2C8J-H872K":         "has 4 dash-separated groups, not 5",
		"NPPR9-FWDCX-D2C8J-H872K-2YT43-X": "has 6 dash-separated groups",
		"NPPR9-FWDCX-D2C8J-H872K-2YT4":    "has 4 characters in group 5",
		"NPPR9-FWDCX-D2C8J-H872KK-2YT4":   "has 6 characters in group 4",
		"APPR9-FWDCX-D2C8J-H872K-2YT43":   "a character in group 1 that no product key uses",
		"NPPR9-FWDCX-D2C8J-H872K-2YT40":   "a character in group 5",
		"NPPR9-FWDCX-D2C8J-H872K-2YT4é":   "group 5",
		"NPPR9_FWDCX-D2C8J-H872K-2YT43":   "has 4 dash-separated groups",
	}
	for in, want := range bad {
		_, err := ParseKey(in)
		var ke *KeyError
		if !errors.As(err, &ke) || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseKey(%q) = %v, want a KeyError saying %q", in, err, want)
			continue
		}
		if ke.Code() != hresult.ProductKeyInvalid {
			t.Errorf("code %v", ke.Code())
		}
		assertNoKey(t, err, in)
	}
}

// assertNoKey fails if err shows any five-character group of key.
func assertNoKey(t *testing.T, err error, key string) {
	t.Helper()
	text := err.Error()
	for _, g := range strings.Split(strings.ToUpper(key), "-") {
		if len(g) >= 4 && strings.Contains(strings.ToUpper(text), g) {
			t.Errorf("error %q shows part of the key (%s)", text, g)
		}
	}
}

func TestResolve(t *testing.T) {
	w10, _ := catalogue.Lookup("Windows 10 Enterprise")
	srv, _ := catalogue.Lookup("Windows Server 2022 Standard")
	tests := []struct {
		name, key, product string
		want               catalogue.Product
		gvlk               bool
		err                string
	}{
		{"GVLK alone names its product", win10GVLK, "", w10, true, ""},
		{"lower-case GVLK", strings.ToLower(win10GVLK), "", w10, true, ""},
		{"product alone installs its GVLK", "", "windows 10 enterprise", w10, true, ""},
		{"GVLK with its own product", win10GVLK, "Windows 10 Enterprise", w10, true, ""},
		{"unknown key for a named product", "BBBBB-CCCCC-DDDDD-FFFFF-GGGGG", "Windows Server 2022 Standard", srv, false, ""},
		{"unknown key alone", "BBBBB-CCCCC-DDDDD-FFFFF-GGGGG", "", catalogue.Product{}, false, "is not the GVLK of any product kmsctl knows"},
		{"GVLK of another product", win10GVLK, "Windows Server 2022 Standard", catalogue.Product{}, false, "is the GVLK of Windows 10/11 Enterprise, not of Windows Server 2022 Standard"},
		{"malformed key", "NPPR9", "Windows 10 Enterprise", catalogue.Product{}, false, "dash-separated"},
		{"unknown product", "", "Windows 95", catalogue.Product{}, false, "no such product"},
		{"nothing", "", "", catalogue.Product{}, false, "the product key is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := Resolve(tt.key, tt.product)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Resolve = %+v, %v; want error %q", in, err, tt.err)
				}
				if tt.key != "" {
					assertNoKey(t, err, tt.key)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if in.Product.SKUID != tt.want.SKUID || in.GVLK != tt.gvlk {
				t.Fatalf("Resolve = %s gvlk=%v, want %s gvlk=%v", in.Product.Name, in.GVLK, tt.want.Name, tt.gvlk)
			}
			if len(in.Partial()) != 5 {
				t.Fatalf("partial %q", in.Partial())
			}
		})
	}
}

// A key given where the product name goes is not echoed either.
func TestResolve_KeyAsProduct(t *testing.T) {
	for _, key := range []string{"BBBBB-CCCCC-DDDDD-FFFFF-GGGGG", "bbbbb-ccccc-ddddd-fffff-ggggg", "BBBBBCCCCCDDDDDFFFFFGGGGG", "BBBBB-CCCCC-DDDDD-FFFFF-GGGGZ"} {
		for _, arg := range []string{"", win10GVLK} {
			_, err := Resolve(arg, key)
			var ke *KeyError
			if !errors.As(err, &ke) {
				t.Fatalf("Resolve(%q, %q) = %v (%T), want a *KeyError", arg, key, err, err)
			}
			assertNoKey(t, err, key)
		}
	}
	if in, err := Resolve("", win10GVLK); err != nil || in.Product.Name != "Windows 10/11 Enterprise" {
		t.Fatalf("a GVLK as the product: %+v, %v", in, err)
	}
}

func TestResolve_ProductWithoutGVLK(t *testing.T) {
	for _, p := range catalogue.Products() {
		if p.GVLK != "" {
			continue
		}
		_, err := Resolve("", p.SKUID.String())
		var ke *KeyError
		if !errors.As(err, &ke) || !strings.Contains(err.Error(), "has no GVLK") || ke.Case != KeyNotPublished {
			t.Fatalf("Resolve(%s) = %v", p.Name, err)
		}
		return
	}
	t.Skip("every product has a GVLK")
}

func TestMasked(t *testing.T) {
	if got := Masked(Partial(win10GVLK)); got != "XXXXX-XXXXX-XXXXX-XXXXX-2YT43" {
		t.Fatal(got)
	}
	if Partial("abc") != "" {
		t.Fatal("Partial of a short string")
	}
}

func TestParseHost(t *testing.T) {
	good := map[string]HostConfig{
		"kms.example.com":      {Host: "kms.example.com", Port: 1688},
		"kms.example.com:1700": {Host: "kms.example.com", Port: 1700},
		"10.0.0.5":             {Host: "10.0.0.5", Port: 1688},
		"[2001:db8::5]:1688":   {Host: "2001:db8::5", Port: 1688},
		"2001:db8::5":          {Host: "2001:db8::5", Port: 1688},
	}
	for in, want := range good {
		got, err := ParseHost(in)
		if err != nil || got != want {
			t.Errorf("ParseHost(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if got.Address() == "" {
			t.Errorf("no address for %q", in)
		}
	}
	for _, in := range []string{"", "kms.example.com:0", "kms.example.com:99999", "[::1", "a b", "fe80::1:1688:x"} {
		_, err := ParseHost(in)
		var ae *kmsaddr.Error
		if !errors.As(err, &ae) {
			t.Errorf("ParseHost(%q) = %v, want a kmsaddr.Error", in, err)
		}
	}
	for in, want := range map[string]int{"1": 1, "1688": 1688, "65535": 65535} {
		if got, err := kmsaddr.ParsePort(in); err != nil || got != want {
			t.Errorf("ParsePort(%q) = %d, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "0", "65536", "+1", "01", "x", "-1"} {
		if _, err := kmsaddr.ParsePort(in); err == nil {
			t.Errorf("ParsePort(%q) succeeded", in)
		}
	}
}

func TestParseDomain(t *testing.T) {
	for _, in := range []string{"corp.example.com", "corp.example.com.", "a", "x_y.example"} {
		if _, err := ParseDomain(in); err != nil {
			t.Errorf("ParseDomain(%q): %v", in, err)
		}
	}
	_, err := ParseDomain("_vlmcs._tcp.corp.example.com")
	if err == nil || !strings.Contains(err.Error(), "without _vlmcs._tcp. (kmsctl adds it): corp.example.com") {
		t.Errorf("ParseDomain(_vlmcs._tcp.corp.example.com) = %v", err)
	}
	for _, in := range []string{"", "corp example.com", "-corp.example.com", "_VLMCS._TCP.corp.example.com", "corp-.example.com", "a..b", strings.Repeat("a", 64) + ".com", strings.Repeat("a.", 127) + "ab"} {
		_, err := ParseDomain(in)
		var de *DomainError
		if !errors.As(err, &de) || de.Code() != hresult.InvalidArg {
			t.Errorf("ParseDomain(%q) = %v, want a DomainError", in, err)
		}
	}
}
