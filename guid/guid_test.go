package guid

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

func TestWireLayout(t *testing.T) {
	// docs/protocol.md §2.3: the KMS interface UUID and its bytes on the wire.
	g := MustParse("51c82175-844e-4750-b0d8-ec255555bc06")
	want, _ := hex.DecodeString("7521c8514e845047b0d8ec255555bc06")
	w := g.Wire()
	if !bytes.Equal(w[:], want) {
		t.Fatalf("wire = %x, want %x", w, want)
	}
	if back := FromWire(w[:]); back != g {
		t.Fatalf("FromWire = %s, want %s", back, g)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"3F2504E0-4F89-41D3-9A0C-0305E82C3301", "3f2504e0-4f89-41d3-9a0c-0305e82c3301", true},
		{"{3f2504e0-4f89-41d3-9a0c-0305e82c3301}", "3f2504e0-4f89-41d3-9a0c-0305e82c3301", true},
		{"3f2504e0-4f89-41d3-9a0c-0305e82c330", "", false},
		{"3f2504e0x4f89-41d3-9a0c-0305e82c3301", "", false},
		{"3f2504e0-4f89-41d3-9a0c-0305e82c330g", "", false},
		{"", "", false},
		// Found by the catalogue's fuzzer: an extra dash once read past the end.
		{"00000000-0000-0000-0000-0000-0000000", "", false},
		{"00000000-0000-0000-0000-00000000000-", "", false},
	}
	for _, tt := range tests {
		g, err := Parse(tt.in)
		if tt.ok != (err == nil) {
			t.Errorf("Parse(%q) err = %v", tt.in, err)
			continue
		}
		if !tt.ok {
			if !errors.Is(err, ErrSyntax) {
				t.Errorf("Parse(%q) err = %v, want ErrSyntax", tt.in, err)
			}
			continue
		}
		if g.String() != tt.want {
			t.Errorf("Parse(%q) = %s, want %s", tt.in, g, tt.want)
		}
	}
}

func TestNewRandomIsV4(t *testing.T) {
	a, err := NewRandom(nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewRandom(nil)
	if a == b || a.IsZero() {
		t.Fatalf("random GUIDs %s %s", a, b)
	}
	if a[6]>>4 != 4 || a[8]>>6 != 2 {
		t.Fatalf("%s is not a version-4 variant-1 GUID", a)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("3f2504e0-4f89-41d3-9a0c-0305e82c3301")
	f.Add("{00000000-0000-0000-0000-000000000000}")
	f.Add("3F2504E0-4F89-41D3-9A0C-0305E82C330g")
	f.Fuzz(func(t *testing.T, s string) {
		g, err := Parse(s)
		// encoding/hex reads the same bytes from the same text.
		want, ok := hexParse(s)
		if (err == nil) != ok || ok && g != want {
			t.Fatalf("Parse(%q) = %s, %v; encoding/hex: %s, %v", s, g, err, want, ok)
		}
		if err != nil {
			return
		}
		again, err := Parse(g.String())
		if err != nil || again != g {
			t.Fatalf("round trip of %q: %s %v", s, again, err)
		}
	})
}

// hexParse is Parse written with encoding/hex, the reference for the
// table Parse uses.
func hexParse(s string) (GUID, bool) {
	if len(s) == 38 && s[0] == '{' && s[37] == '}' {
		s = s[1:37]
	}
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return Nil, false
	}
	b, err := hex.DecodeString(s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36])
	if err != nil {
		return Nil, false
	}
	return GUID(b), true
}
