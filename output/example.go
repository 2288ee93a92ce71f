package output

import (
	"regexp"
	"strings"
	"sync"
)

// ContinuationIndent is how many more columns than its example line a
// continuation line (BreakExample) is indented.
const ContinuationIndent = 4

// BreakExample breaks an example command line (its indent kept) that is
// wider than width columns into lines of at most width columns, each but
// the last ending in a shell line continuation " \" and each further line
// indented ContinuationIndent columns past the first, so that the command
// can still be copied and pasted into a POSIX shell (bash, zsh). A
// PowerShell line (one naming a Verb-Noun cmdlet such as Out-File) ends
// its broken lines in PowerShell's continuation, " `", instead.
// It breaks only at a single space outside quotes ('…', "…") and outside
// a backslash escape; a "#" comment or a note after two or more spaces
// ("/dlv      (slmgr's remote syntax)") is kept with the word before it.
// A piece that cannot be broken and is wider than a line runs past width.
// Joining the lines back (removing " \", the newline and the continuation
// indent) gives line. Width 0 (not a terminal) or a line that fits leaves
// line as it is.
func BreakExample(line string, width int) []string {
	if width <= 0 || textWidth(line) <= width {
		return []string{line}
	}
	body := strings.TrimLeft(line, " ")
	lead := len(line) - len(body)
	pieces := examplePieces(body)
	indent := strings.Repeat(" ", lead+ContinuationIndent)
	cont := ` \`
	for _, p := range pieces {
		if cmdlet().MatchString(p) {
			cont = " `"
		}
	}
	var lines []string
	cur, col := line[:lead]+pieces[0], lead+textWidth(pieces[0])
	for i, p := range pieces[1:] {
		end := col + 1 + textWidth(p)
		if i+2 < len(pieces) {
			end += 2 // a further piece follows: room for " \" if broken after p
		}
		if end <= width {
			cur, col = cur+" "+p, col+1+textWidth(p)
			continue
		}
		lines = append(lines, cur+cont)
		cur, col = indent+p, len(indent)+textWidth(p)
	}
	return append(lines, cur)
}

// examplePieces splits a command line (without its indent) at the single
// spaces outside quotes and escapes where BreakExample may break it.
func examplePieces(s string) []string {
	var pieces []string
	start := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '\\':
			i++
		case c == ' ':
			rest := s[i+1:]
			if rest == "" || rest[0] == ' ' || rest[0] == '#' {
				// A note or a comment: the rest of the line is one piece.
				return append(pieces, s[start:])
			}
			pieces = append(pieces, s[start:i])
			start = i + 1
		}
	}
	return append(pieces, s[start:])
}

// cmdlet matches a PowerShell cmdlet's Verb-Noun name (Out-File,
// Get-WinEvent, ConvertTo-Json).
var cmdlet = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Z][a-z]+-[A-Z][A-Za-z]+$`) })
