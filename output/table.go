package output

import (
	"bytes"
	"io"
	"regexp"
	"sync"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// newTable is every human table's style: no borders or rules, upper-case
// headers, left-aligned columns two spaces apart, like kubectl or gh.
func (s *Streams) newTable() *tablewriter.Table {
	var out io.Writer = &trimLines{w: s.Out}
	if s.Color {
		out = resetFilter{out}
	}
	return tablewriter.NewTable(out,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders:  tw.BorderNone,
			Symbols:  tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{Separators: tw.Separators{BetweenColumns: tw.Off, BetweenRows: tw.Off}, Lines: tw.Lines{ShowHeaderLine: tw.Off}},
		})),
		tablewriter.WithHeaderAutoFormat(tw.On),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithTrimSpace(tw.Off),
		tablewriter.WithPadding(tw.Padding{Left: "", Right: "  ", Overwrite: true}),
	)
}

// strayReset is a colour reset tablewriter adds after a coloured cell's
// padding although the cell's text already ended with one (fatih/color
// always closes what it opens): a reset, spaces, and a second reset.
var strayReset = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(\x1b\[0(?:;[0-9]+)*m)( *)\x1b\[0m`) })

// resetFilter drops those second resets, so that coloured tables hold only
// the escapes the colours need.
type resetFilter struct{ w io.Writer }

func (f resetFilter) Write(p []byte) (int, error) {
	if _, err := f.w.Write(strayReset().ReplaceAll(p, []byte("$1$2"))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// trimLines drops the blanks tablewriter pads the last column with at the
// end of each line (they wrap lines on a terminal one column too narrow,
// and scripts and diffs see them). Lines are written whole: a partial line
// waits for its newline. tablewriter ends every line it writes with one.
type trimLines struct {
	w   io.Writer
	buf []byte
}

func (t *trimLines) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	i := bytes.LastIndexByte(t.buf, '\n')
	if i < 0 {
		return len(p), nil
	}
	var out []byte
	for _, line := range bytes.SplitAfter(t.buf[:i+1], []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		out = append(out, bytes.TrimRight(line[:len(line)-1], " ")...)
		out = append(out, '\n')
	}
	t.buf = append(t.buf[:0], t.buf[i+1:]...)
	if _, err := t.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// writeTable lays rows out under header in newTable's style, the one way
// every table is written. The columns cut, when any are named, are
// shortened with "…" so that the table fits compactWidth columns
// (fitColumns: they must hold plain text); with none named nothing is cut.
func (s *Streams) writeTable(header []string, rows [][]string, cut ...int) error {
	if len(cut) > 0 {
		fitColumns(header, rows, cut...)
	}
	t := s.newTable()
	t.Header(header)
	for _, r := range rows {
		t.Append(r)
	}
	return t.Render()
}

// cell is a table cell whose colour is applied after fitting, so that
// cutting never splits an escape: its text, and what paints it (nil: no
// colour).
type cell struct {
	text  string
	paint func(string) string
}

// writeCells is writeTable for cells: the columns cut are fitted on the
// texts, then each text that is not empty is painted.
func (s *Streams) writeCells(header []string, rows [][]cell, cut ...int) error {
	texts := make([][]string, len(rows))
	for k, row := range rows {
		for _, c := range row {
			texts[k] = append(texts[k], c.text)
		}
	}
	if len(cut) > 0 {
		fitColumns(header, texts, cut...)
	}
	for r, row := range rows {
		for k, c := range row {
			if c.paint != nil && texts[r][k] != "" {
				texts[r][k] = c.paint(texts[r][k])
			}
		}
	}
	return s.writeTable(header, texts)
}

// pick returns the cells of row at the indexes keep.
func pick(row []string, keep []int) []string {
	out := make([]string, 0, len(keep))
	for _, k := range keep {
		out = append(out, row[k])
	}
	return out
}
