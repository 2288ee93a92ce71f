package textsafe

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestEscape(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"kms01.example.com", "kms01.example.com"},
		{"Müller-PC", "Müller-PC"},
		{"a\tb\nc\rd", `a\tb\nc\rd`},
		{"\x1b]0;PWNED\x07\x1b[2J", `\u001b]0;PWNED\u0007\u001b[2J`},
		{"x\u009b2Jy\u007f", `x\u009b2Jy\u007f`},
		{"evil\u202eexe.txt", `evil\u202eexe.txt`},
		{"tag\U000E0041", `tag\udb40\udc41`},
		{"bad\xffbyte\xc2", `bad\xffbyte\xc2`},
		{"sep\u2028ara", `sep\u2028ara`},
		{"keep \x1b[31mred\x1b[0m", `keep \u001b[31mred\u001b[0m`},
	} {
		if got := Escape(c.in); got != c.want {
			t.Errorf("Escape(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := EscapeKeepColour("\x1b[31mred\x1b[0m \x1b[2J\x1b[31"); got != "\x1b[31mred\x1b[0m \\u001b[2J\\u001b[31" {
		t.Errorf("EscapeKeepColour = %q", got)
	}
}

// No escaped text holds a character Control reports, nor a line break
// strings.Fields or a TSV reader would split at.
func FuzzEscape(f *testing.F) {
	f.Add("\x1b]0;x\x07\u009b\u202e\t\n\r\xff")
	f.Fuzz(func(t *testing.T, s string) {
		for _, e := range []string{Escape(s), EscapeKeepColour(s)} {
			for _, r := range e {
				if r != 0x1b && Control(r) {
					t.Fatalf("%q escaped to %q still holds %U", s, e, r)
				}
			}
		}
		for _, r := range Escape(s) {
			if Control(r) {
				t.Fatalf("%q escaped to %q still holds %U", s, Escape(s), r)
			}
		}
		var b bytes.Buffer
		w := &Writer{W: &b}
		if _, err := w.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
		if got, want := b.String(), strings.ReplaceAll(strings.ReplaceAll(Escape(s), `\n`, "\n"), `\t`, "\t"); !strings.Contains(s, `\`) && !strings.Contains(s, "\x1b[") && got != want {
			t.Fatalf("Writer wrote %q, Escape %q", got, want)
		}
	})
}

func TestWriter(t *testing.T) {
	var b bytes.Buffer
	w := &Writer{W: &b}
	in := "row\tone\n\x1b[1mbold\x1b[0m \r\x1b[K\u0085\x07\n"
	n, err := w.Write([]byte(in))
	if err != nil || n != len(in) {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if want := "row\tone\n\x1b[1mbold\x1b[0m \\r\\u001b[K\\u0085\\u0007\n"; b.String() != want {
		t.Errorf("wrote %q, want %q", b.String(), want)
	}
	b.Reset()
	w.Line = true
	w.Write([]byte("\r[###] probed 1/2\r\x1b[K"))
	if want := "\r[###] probed 1/2\r\x1b[K"; b.String() != want {
		t.Errorf("progress line: %q, want %q", b.String(), want)
	}
	// JSON through the writer is still JSON, with the same value.
	b.Reset()
	w.Line = false
	doc, _ := json.Marshal(map[string]string{"name": "a\u009b\u007f\u202e\x1b\U000E0041b"})
	w.Write(doc)
	var back map[string]string
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || back["name"] != "a\u009b\u007f\u202e\x1b\U000E0041b" {
		t.Errorf("JSON %s → %s: %v %q", doc, b.String(), err, back["name"])
	}
	if bytes.ContainsAny(b.Bytes(), "\u009b\u007f\u202e") {
		t.Errorf("JSON kept a raw control: %q", b.String())
	}
}
