package output

import (
	"fmt"
	"io"
	"strings"

	"github.com/kmsctl/kmsctl/internal/textsafe"
)

// Wrap breaks text at spaces into lines of at most width columns (as
// shown: colour escapes take none), the first line starting at column
// first and every further line indented by indent spaces, so that it
// continues under the text. A word is never split: one longer than a line
// stands alone on its own line. Width 0 (not a terminal) or too narrow to
// hold a word after the indent leaves text as it is, one line.
func Wrap(text string, width, first, indent int) string {
	if width <= 0 || width-indent < 16 || first+textWidth(text) <= width {
		return text
	}
	var b strings.Builder
	col := first
	for i, w := range strings.Fields(text) {
		n := textWidth(w)
		switch {
		case i == 0:
		case col+1+n > width:
			b.WriteByte('\n')
			b.WriteString(strings.Repeat(" ", indent))
			col = indent
		default:
			b.WriteByte(' ')
			col++
		}
		b.WriteString(w)
		col += n
	}
	return b.String()
}

// escape is textsafe's rule for text people see: with colour on, the
// colour sequences kmsctl painted parts of the text with are kept (so are
// a host's, which can only change colours); without colour every control
// is escaped.
func (s *Streams) escape(text string) string {
	if s.Color {
		return textsafe.EscapeKeepColour(text)
	}
	return textsafe.Escape(text)
}

// widthOf is the columns a text view wraps at on w: stdout's terminal
// width (compactWidth when stdout is a terminal of unknown width),
// stderr's, or 0 (no wrapping) when w is not a terminal.
func (s *Streams) widthOf(w io.Writer) int {
	switch w {
	case s.Out:
		if s.OutWidth > 0 {
			return s.OutWidth
		}
		if s.TTY {
			return compactWidth
		}
	case s.Err:
		return s.ErrWidth
	}
	return 0
}

// textLine writes prefix, label and value as one line of a text view on
// w, wrapped between words at w's terminal width (widthOf). Continuation
// lines start under the value (a hanging indent), or 4 columns past the
// prefix when that would leave the value less than 32 columns; a line
// without a label continues 2 columns past the prefix. Piped, the line is
// written whole. Label and value are escaped (s.escape: they may hold a
// host's text), so a line stays one line.
func (s *Streams) textLine(w io.Writer, prefix, label, value string) {
	fmt.Fprintln(w, s.lineText(w, prefix, label, value))
}

// lineText is the text textLine writes, without its newline. Wrapping is
// greedy, so the text of a value's first words is the start of the text
// of the whole value: a line can be written in parts (ContactProgress).
func (s *Streams) lineText(w io.Writer, prefix, label, value string) string {
	label, value = s.escape(label), s.escape(value)
	width := s.widthOf(w)
	lead := textWidth(prefix)
	hang := lead + textWidth(label)
	switch {
	case label == "":
		hang = lead + 2
	case width-hang < 32:
		hang = lead + 4
	}
	first := lead + textWidth(label)
	if f := strings.Fields(value); width > 0 && label != "" && len(f) > 0 && first+textWidth(f[0]) > width {
		// Not even the value's first word fits beside the label.
		head := prefix + strings.TrimRight(label, " ") + "\n"
		return head + strings.Repeat(" ", hang) + Wrap(value, width, hang, hang)
	}
	return prefix + label + Wrap(value, width, first, hang)
}
