package output

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// rawControl is any character a terminal would act on that may not reach
// it raw from a host's text (LF ends a line kmsctl writes and is allowed).
var rawControl = regexp.MustCompile("[\x00-\x09\x0b-\x1f\x7f\u0080-\u009f\u202a-\u202e\u2066-\u2069]")

// A host's text in a warning, a note, an error block (a WinRM fault's
// message) and a text-view line is escaped, piped and on a terminal, and
// stays on its own lines.
func TestHostTextEscapedInLines(t *testing.T) {
	const hostile = "kms\x1b]0;PWNED\x07\x1b[2J\u009b31m\u202e\tfake\nline\r"
	for _, width := range []int{0, 80} {
		var out, errOut bytes.Buffer
		s := &Streams{Out: &out, Err: &errOut, TTY: width > 0, OutWidth: width, ErrWidth: width}
		s.Warning("WMI says " + hostile)
		s.Note(hostile)
		s.writeErrorInfo(&errOut, ErrorInfo{Code: "0x803381A5", Message: hostile, Cause: "fault " + hostile, Fix: hostile}, "")
		s.textLine(&out, "", "Computer: ", hostile)
		for name, b := range map[string]string{"stdout": out.String(), "stderr": errOut.String()} {
			if m := rawControl.FindString(b); m != "" {
				t.Errorf("width %d, %s holds raw %q:\n%s", width, name, m, b)
			}
			if !strings.Contains(b, `kms\u001b]0;PWNED\u0007\u001b[2J\u009b31m\u202e\tfake\nline\r`) && width == 0 {
				t.Errorf("width %d, %s: escape not as README says:\n%s", width, name, b)
			}
		}
		if n := strings.Count(out.String(), "\n"); width == 0 && n != 1 {
			t.Errorf("piped text line became %d lines:\n%s", n, out.String())
		}
		if n := strings.Count(errOut.String(), "\n"); width == 0 && n != 5 {
			t.Errorf("piped warning, note and error block (3 lines) became %d lines:\n%s", n, errOut.String())
		}
	}
}
