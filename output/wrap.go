package output

import "strings"

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
