package output

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/kmsctl/kmsctl/failure"
)

// refused is the error block that broke mid-word at 80 columns
// ("connection refus/ed").
var refused = failure.Info{
	Code:    "0xC004F074",
	Message: "No KMS host could be contacted or every host tried returned an error; the client could not be activated.",
	Cause:   "connect to kms01.corp.example.com:1688: dial tcp 127.0.0.1:1688: connect: connection refused",
	Fix:     "nothing listens on TCP port 1688 on kms01.corp.example.com; check the port and that the Software Protection service runs on the host",
}

// checkWrapped fails unless every line of got fits width columns and the
// words of got, in order, are the words of want: none split, none lost.
func checkWrapped(t *testing.T, got string, width int, want ...string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		if textWidth(line) > width {
			t.Errorf("line of %d columns, more than %d:\n%s", textWidth(line), width, line)
		}
		if strings.HasSuffix(line, " ") {
			t.Errorf("trailing blank: %q", line)
		}
	}
	if g, w := strings.Fields(got), strings.Fields(strings.Join(want, " ")); strings.Join(g, " ") != strings.Join(w, " ") {
		t.Errorf("words changed:\n got %q\nwant %q", g, w)
	}
}

func TestErrorBlockWrapsAtWidth(t *testing.T) {
	for _, width := range []int{80, 200} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			var buf bytes.Buffer
			s := &Streams{Err: &buf, ErrWidth: width}
			s.writeErrorInfo(&buf, refused, "")
			got := buf.String()
			checkWrapped(t, got, width, "Error:", refused.Code, "—", refused.Message, "cause:", refused.Cause, "try:", refused.Fix)
			lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
			if width == 200 && len(lines) != 3 {
				t.Errorf("at 200 columns the block is 3 lines, got %d:\n%s", len(lines), got)
			}
			if width == 80 {
				want := `Error: 0xC004F074 — No KMS host could be contacted or every host tried returned
                    an error; the client could not be activated.
  cause: connect to kms01.corp.example.com:1688: dial tcp 127.0.0.1:1688:
         connect: connection refused
  try:   nothing listens on TCP port 1688 on kms01.corp.example.com; check the
         port and that the Software Protection service runs on the host
`
				if got != want {
					t.Errorf("at 80 columns got\n%s\nwant\n%s", got, want)
				}
			}
		})
	}
}

// Piped (no terminal width) each part stays on one line, for scripts.
func TestErrorBlockNotWrappedWhenPiped(t *testing.T) {
	var buf bytes.Buffer
	s := &Streams{Err: &buf}
	s.writeErrorInfo(&buf, refused, "")
	want := "Error: " + refused.Code + " — " + refused.Message + "\n  cause: " + refused.Cause + "\n  try:   " + refused.Fix + "\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

// Colour escapes take no columns; a word longer than the line stands
// alone rather than being cut.
func TestWrapWords(t *testing.T) {
	s := &Streams{Color: true}
	text := s.bad("Error:") + " " + strings.Repeat("word ", 30)
	checkWrapped(t, Wrap(text, 80, 0, 2), 80, text)
	long := "see " + strings.Repeat("x", 100) + " then"
	if got, want := Wrap(long, 80, 0, 2), "see\n  "+strings.Repeat("x", 100)+"\n  then"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
