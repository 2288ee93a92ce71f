package kmshost

import (
	"bytes"
	"strings"
	"testing"
)

func TestCleanStderr(t *testing.T) {
	clixml := "#< CLIXML\r\n<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\"><S S=\"Error\">Get-CimInstance : Access denied _x000D__x000A_</S><S S=\"Error\">At line:1 char:1_x000D__x000A_</S></Objs>"
	if got := cleanStderr(clixml); got != "Get-CimInstance : Access denied At line:1 char:1" {
		t.Errorf("cleanStderr = %q", got)
	}
	if got := cleanStderr(strings.Repeat("x", 600)); len(got) != 503 {
		t.Errorf("long stderr kept %d bytes", len(got))
	}
}

func TestCopyCapped(t *testing.T) {
	called := 0
	var out bytes.Buffer
	// The reader is drained to the end even past the limit, so that the
	// writer of a pipe is never left blocked.
	r := strings.NewReader(strings.Repeat("a", 100<<10))
	err := copyCapped(&out, r, 40<<10, func() { called++ })
	if err != nil || called != 1 || out.Len() > 40<<10 || r.Len() != 0 {
		t.Errorf("copyCapped: err %v, called %d, kept %d, left %d", err, called, out.Len(), r.Len())
	}
}

// FuzzMayTrim: the quick look at a field's ends agrees with
// strings.TrimSpace (Unicode white space too).
func FuzzMayTrim(f *testing.F) {
	for _, s := range []string{"", "abc", " x", "x\t", "\u00a0x", "x\u0085", "\u3000", "\x01a", "a\x7f", "0x0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := mayTrim(s), len(s) != len(strings.TrimSpace(s)); got != want {
			t.Fatalf("mayTrim(%q) = %v, want %v", s, got, want)
		}
	})
}
