package output

import (
	"bytes"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/kmsctl/kmsctl/internal/textsafe"
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
// every table is written (writeCells cuts what must fit first).
func (s *Streams) writeTable(header []string, rows [][]string) error {
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

// writeCells is writeTable for cells: each text is escaped
// (textsafe.Escape, colour sequences too: a cell may hold a host's text,
// which must not break the row or reach the terminal raw; a cell's colour
// is its paint), the columns cut are fitted on the texts, then each text
// that is not empty is painted.
func (s *Streams) writeCells(header []string, rows [][]cell, cut ...int) error {
	texts := make([][]string, len(rows))
	for k, row := range rows {
		for _, c := range row {
			texts[k] = append(texts[k], textsafe.Escape(c.text))
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

// form is a way of writing a table for people: the default table, which
// fits compactWidth columns on a terminal, or the wide one (-o wide).
type form uint8

const (
	inTable form = 1 << iota // the default on a terminal
	inWide                   // -o wide: every detail, nothing cut

	people = inTable | inWide // both
)

// column is one column of a table of rows of type R, defined once for
// every form the table is written in: its header and text for people, the
// forms that show it, and its place and text in a tab-separated line.
// A column may be for people only (tsv 0) or for scripts only (in 0); two
// columns with one header serve a table and a wide form that say it
// differently.
type column[R any] struct {
	head string       // header in the table and wide forms
	in   form         // the forms for people that show it
	fit  bool         // in the table form, cut with "…" to fit (plain text only)
	text func(R) cell // what people see
	// tsv is the column's field number in a TSV line, from 1; 0 when TSV
	// lines leave it out. It is the order README documents, which scripts
	// parse: it need not follow the order people see.
	tsv int
	// field is the TSV field; nil: text's text, unpainted.
	field func(R) string
}

// table is the columns of one table, in the order people see them.
type table[R any] []column[R]

// write writes rows in view v: for ViewTSV one tab-separated line per row,
// fields in their tsv order; for ViewWide the wide form's columns, nothing
// cut; else the table form's, its fit columns cut to compactWidth.
func (t table[R]) write(s *Streams, v View, rows []R) error {
	if v == ViewTSV {
		return t.writeTSV(s, rows)
	}
	f := inTable
	if v == ViewWide {
		f = inWide
	}
	var header []string
	var cols []column[R]
	var cut []int
	for _, c := range t {
		if c.in&f == 0 {
			continue
		}
		if f == inTable && c.fit {
			cut = append(cut, len(cols))
		}
		header = append(header, c.head)
		cols = append(cols, c)
	}
	cells := make([][]cell, 0, len(rows))
	for _, r := range rows {
		row := make([]cell, 0, len(cols))
		for _, c := range cols {
			row = append(row, c.text(r))
		}
		cells = append(cells, row)
	}
	return s.writeCells(header, cells, cut...)
}

// tsvColumns are the columns TSV lines hold, in their field order.
func (t table[R]) tsvColumns() []column[R] {
	var cols []column[R]
	for _, c := range t {
		if c.tsv > 0 {
			cols = append(cols, c)
		}
	}
	slices.SortFunc(cols, func(a, b column[R]) int { return a.tsv - b.tsv })
	return cols
}

// writeTSV writes one line per row: the TSV columns' fields joined by tabs,
// each field escaped (textsafe.Escape), so that a field never holds a tab,
// CR or LF and a host's text cannot add a field or a line.
func (t table[R]) writeTSV(s *Streams, rows []R) error {
	cols := t.tsvColumns()
	var b strings.Builder
	for _, r := range rows {
		b.Reset()
		for k, c := range cols {
			if k > 0 {
				b.WriteByte('\t')
			}
			if c.field != nil {
				b.WriteString(textsafe.Escape(c.field(r)))
			} else {
				b.WriteString(textsafe.Escape(c.text(r).text))
			}
		}
		b.WriteByte('\n')
		if _, err := io.WriteString(s.Out, b.String()); err != nil {
			return err
		}
	}
	return nil
}

// text is a column's text without colour.
func text[R any](f func(R) string) func(R) cell {
	return func(r R) cell { return cell{text: f(r)} }
}
