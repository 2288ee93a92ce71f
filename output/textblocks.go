package output

import "strings"

// TextBlock is a run of a help text's lines: a paragraph (lines that
// start in column 0, up to a blank or an indented line: one text, written
// over several lines), or Verbatim lines (indented: examples, shell
// lines, to be shown as written). Gap: a blank line comes before it.
type TextBlock struct {
	Lines         []string
	Verbatim, Gap bool
}

// TextBlocks splits a command's description (or any help text) into its
// paragraphs and verbatim runs: the one rule help, the man page and the
// Markdown reference lay descriptions out by.
func TextBlocks(text string) []TextBlock {
	var blocks []TextBlock
	gap := false
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			gap = len(blocks) > 0 || gap
			continue
		}
		verbatim := strings.HasPrefix(line, " ")
		if n := len(blocks); n > 0 && !gap && blocks[n-1].Verbatim == verbatim {
			blocks[n-1].Lines = append(blocks[n-1].Lines, line)
			continue
		}
		blocks = append(blocks, TextBlock{Lines: []string{line}, Verbatim: verbatim, Gap: gap})
		gap = false
	}
	return blocks
}
