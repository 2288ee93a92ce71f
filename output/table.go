package output

import (
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
	var out io.Writer = s.Out
	if s.Color {
		out = resetFilter{s.Out}
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
