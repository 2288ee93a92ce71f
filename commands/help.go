package commands

import (
	"io"
	"os"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/kmsctl/kmsctl/output"
)

// Help is wrapped at the terminal's width and lists flags by category
// (urfave/cli's Flag.Category), descriptions starting at column
// helpColumn at most: urfave/cli aligns every description after the
// longest flag, so one long flag pushed them all to column 57.
// The templates are rewritten when help is printed, not in every process.
func init() {
	cli.HelpPrinter = func(out io.Writer, templ string, data interface{}) {
		printHelp(out, flagSection().Replace(templ), data, helpWidth(out))
	}
}

// flagSection replaces urfave/cli's flag listings in its help templates
// (AppHelpTemplate, CommandHelpTemplate, SubcommandHelpTemplate) with
// helpFlags.
var flagSection = sync.OnceValue(func() *strings.Replacer {
	return strings.NewReplacer(
		`{{if .VisibleFlagCategories}}

GLOBAL OPTIONS:{{template "visibleFlagCategoryTemplate" .}}{{else if .VisibleFlags}}

GLOBAL OPTIONS:{{template "visibleFlagTemplate" .}}{{end}}`,
		`{{if .VisibleFlags}}

GLOBAL OPTIONS:
{{flags .VisibleFlags}}{{end}}`,
		`{{if .VisibleFlagCategories}}

OPTIONS:{{template "visibleFlagCategoryTemplate" .}}{{else if .VisibleFlags}}

OPTIONS:{{template "visibleFlagTemplate" .}}{{end}}`,
		`{{if .VisibleFlags}}

OPTIONS:
{{flags .VisibleFlags}}{{end}}

GLOBAL OPTIONS:
{{globalFlags}}`)
})

// helpColumn is the column (counted from 0) where flag descriptions start
// at the latest; a flag whose names reach it has its description on the
// next line.
const helpColumn = 30

// helpWidth is the columns of the terminal out is, 0 when out is not a
// terminal (help is then not wrapped). out is the app's writer, which
// knows its stream's width (streamsWriter), or a file. Tests replace it.
var helpWidth = func(out io.Writer) int {
	if w, ok := out.(interface{ TerminalWidth() int }); ok {
		return w.TerminalWidth()
	}
	f, ok := out.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0
	}
	w, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return w
}

// printHelp renders urfave/cli's help template with text wrapped at width
// columns (0: not wrapped) and flags laid out by helpFlags.
func printHelp(out io.Writer, templ string, data interface{}, width int) {
	cli.HelpPrinterCustom(out, templ, data, map[string]interface{}{
		"wrap": func(text string, offset int) string { return wrapHelp(text, offset, width) },
		"flags": func(flags []cli.Flag) string {
			return output.HelpFlags(helpFlagList(flags), helpColumn, width)
		},
		// A command's help lists kmsctl's global flags after its own, in
		// one group: kmsctl --help groups them by category.
		"globalFlags": func() string {
			hs := helpFlagList(globalFlags())
			for i := range hs {
				hs[i].Category = ""
			}
			return output.HelpFlags(hs, helpColumn, width)
		},
	})
}

// wrapHelp re-flows text that starts at column offset at width columns
// (0: leaves it as written): each paragraph (output.TextBlocks) is joined and
// wrapped between words, continuing at offset, as urfave/cli's own wrap
// does. An indented line (an example command, a shell line) wider than
// the terminal is broken between words with shell line continuations
// (output.BreakExample), never inside a quoted argument, so that it fits
// and can still be copied and pasted: before, the terminal broke it
// mid-word ("--produ" / "ct \"Office LTSC …\"", issue 15).
func wrapHelp(text string, offset, width int) string {
	var lines []string
	for _, b := range output.TextBlocks(text) {
		if b.Gap {
			lines = append(lines, "")
		}
		if width <= 0 {
			lines = append(lines, b.Lines...)
			continue
		}
		if b.Verbatim {
			for _, l := range b.Lines {
				lines = append(lines, output.BreakExample(l, width-offset)...)
			}
			continue
		}
		lines = append(lines, output.Wrap(strings.Join(b.Lines, " "), width, offset, offset))
	}
	pad := strings.Repeat(" ", offset)
	for i := 1; i < len(lines); i++ {
		if lines[i] != "" {
			lines[i] = pad + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

// helpFlagList is flags as output.HelpFlags lays them out (by category,
// descriptions from column helpColumn at most): names and usage as
// cli.FlagStringer renders them, and the category.
func helpFlagList(flags []cli.Flag) []output.HelpFlag {
	hs := make([]output.HelpFlag, len(flags))
	for i, f := range flags {
		hs[i].Names, hs[i].Usage, _ = strings.Cut(cli.FlagStringer(f), "\t")
		if c, ok := f.(cli.CategorizableFlag); ok {
			hs[i].Category = c.GetCategory()
		}
	}
	return hs
}
