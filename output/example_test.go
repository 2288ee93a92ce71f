package output

import (
	"strings"
	"testing"
)

// BreakExample breaks only between words outside quotes, each broken
// line ends in a continuation and fits, and the lines joined back are the
// line as written.
func TestBreakExample(t *testing.T) {
	for _, c := range []struct {
		line  string
		width int
		want  []string
	}{
		{`   kmsctl status [2001:db8::5]:1688 --product "Windows 11 Enterprise" --product "Office LTSC Professional Plus 2021"`, 77, []string{
			`   kmsctl status [2001:db8::5]:1688 --product "Windows 11 Enterprise" \`,
			`       --product "Office LTSC Professional Plus 2021"`}},
		// Never inside quotes: the quoted argument moves whole.
		{`  a "b c d e f g" 'h i j'`, 14, []string{`  a \`, `      "b c d e f g" \`, `      'h i j'`}},
		// An unbreakable piece wider than the line runs past it.
		{`  cmd /very/long/path/that/cannot/break x`, 20, []string{`  cmd \`, `      /very/long/path/that/cannot/break \`, `      x`}},
		// A note after two spaces and a comment stay with the word before.
		{`  kmsctl host PASSWORD /dlv      (slmgr's remote syntax)`, 30, []string{`  kmsctl host PASSWORD \`, `      /dlv      (slmgr's remote syntax)`}},
		{`  kmsctl status kms1 # a comment here`, 24, []string{`  kmsctl status \`, `      kms1 # a comment here`}},
		// An escaped space is not a break.
		{`  ls a\ b\ c\ d\ e`, 10, []string{`  ls \`, `      a\ b\ c\ d\ e`}},
		// A PowerShell line continues with a backtick.
		{`  kmsctl completion powershell | Out-File -Append -Encoding utf8 $PROFILE`, 68, []string{
			"  kmsctl completion powershell | Out-File -Append -Encoding utf8 `", "      $PROFILE"}},
		// A line that fits, or no terminal: as written.
		{`  kmsctl status kms1`, 20, []string{`  kmsctl status kms1`}},
		{`  kmsctl status kms1`, 0, []string{`  kmsctl status kms1`}},
	} {
		got := BreakExample(c.line, c.width)
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("BreakExample(%q, %d) =\n%s\nwant\n%s", c.line, c.width, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
		}
		joined := got[0]
		for _, l := range got[1:] {
			joined = joined[:len(joined)-1] + strings.TrimPrefix(l, strings.Repeat(" ", len(c.line)-len(strings.TrimLeft(c.line, " "))+ContinuationIndent))
		}
		if joined != c.line {
			t.Errorf("BreakExample(%q, %d) joined back is\n%s", c.line, c.width, joined)
		}
	}
}
