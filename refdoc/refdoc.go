// Package refdoc writes kmsctl's reference documents, the man page and
// the Markdown reference (docs/kmsctl.1, docs/cli.md), from the urfave/cli
// command tree, with help's own pieces: flags as help renders them (the
// caller's FlagList), grouped as help groups them (output.FlagGroups), and
// descriptions split by help's rule (output.TextBlocks: paragraphs
// filled, example lines not; in the man page those too wide for man at
// 80 columns broken by output.BreakExample). urfave/cli's own generator
// showed defaults twice and wrongly, wrote every value flag as --flag="", left
// out the commands' arguments and descriptions, and made each command a
// section of its own.
package refdoc

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/output"
)

// docCommand is a visible command with its name path after "kmsctl".
type docCommand struct {
	Path string
	Cmd  *cli.Command
}

// docCommands is every visible command, depth first, in the tree's order.
func docCommands(prefix string, cmds []*cli.Command) []docCommand {
	var out []docCommand
	for _, c := range cmds {
		if c.Hidden {
			continue
		}
		path := strings.TrimSpace(prefix + " " + c.Name)
		out = append(out, docCommand{path, c})
		out = append(out, docCommands(path, c.Subcommands)...)
	}
	return out
}

// synopsis is how a command is called: its arguments, or COMMAND for a
// command that holds others.
func (d docCommand) synopsis() string {
	s := "[options]"
	if len(d.Cmd.Subcommands) > 0 {
		s = "COMMAND [options]"
	}
	if d.Cmd.ArgsUsage != "" {
		s += " " + d.Cmd.ArgsUsage
	}
	return s
}

// FlagList renders flags as help lists them: names, usage with its
// default, category. kmsctl's help decides how a default is shown; the
// documents show it as help does.
type FlagList func([]cli.Flag) []output.HelpFlag

// docFlags is the visible flags as list renders them, grouped as help
// groups them.
func docFlags(flags []cli.Flag, list FlagList) [][]output.HelpFlag {
	var visible []cli.Flag
	for _, f := range flags {
		if v, ok := f.(cli.VisibleFlag); !ok || v.IsVisible() {
			visible = append(visible, f)
		}
	}
	return output.FlagGroups(list(visible))
}

// dedent removes the indentation lines have in common.
func dedent(lines []string) []string {
	cut := -1
	for _, l := range lines {
		if n := len(l) - len(strings.TrimLeft(l, " ")); cut < 0 || n < cut {
			cut = n
		}
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l[cut:]
	}
	return out
}

// roff escapes text for a man page: backslashes, hyphens (so that
// flags copied from the page are the ASCII ones), characters beyond ASCII
// (as \[uXXXX], which troff reads whatever its input encoding) and a
// leading period or quote, which roff would take as a request.
func roff(text string) string {
	text = strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(text)
	if strings.ContainsFunc(text, func(r rune) bool { return r > unicode.MaxASCII }) {
		var b strings.Builder
		for _, r := range text {
			if r > unicode.MaxASCII {
				fmt.Fprintf(&b, `\[u%04X]`, r)
				continue
			}
			b.WriteRune(r)
		}
		text = b.String()
	}
	if strings.HasPrefix(text, ".") || strings.HasPrefix(text, "'") {
		text = `\&` + text
	}
	return text
}

// roffNames writes a flag's names as help spells them ("--format FORMAT,
// -o FORMAT"): flags in bold, placeholders in italics.
func roffNames(names string) string {
	words := strings.Fields(names)
	for i, w := range words {
		comma := ""
		if strings.HasSuffix(w, ",") {
			w, comma = strings.TrimSuffix(w, ","), ","
		}
		switch {
		case strings.HasPrefix(w, "-"):
			words[i] = `\fB` + roff(w) + `\fP` + comma
		case w == "[" || w == "]":
			words[i] = w + comma
		default:
			words[i] = `\fI` + roff(w) + `\fP` + comma
		}
	}
	return strings.Join(words, " ")
}

// docFormat writes the parts of a reference document in one format;
// writeDoc puts them in order.
type docFormat interface {
	synopsis(app *cli.App, list FlagList)
	section(title string)
	command(d docCommand)
	text(text string)
	flags(flags []cli.Flag, list FlagList)
}

// writeDoc writes the reference: name and synopsis, the description, the
// global flags, then each command with its synopsis, description and
// flags, as sub-sections of one section.
func writeDoc(f docFormat, app *cli.App, list FlagList) {
	f.synopsis(app, list)
	f.text(app.Description)
	f.section("Global options")
	f.text("Given before or after the command.")
	f.flags(app.Flags, list)
	f.section("Commands")
	for _, d := range docCommands("", app.Commands) {
		f.command(d)
		f.text(d.Cmd.Description)
		f.flags(d.Cmd.Flags, list)
	}
}

// walkDocFlags calls group at the start of each of the flags' groups (as
// help groups them: docFlags) with the category's name as its heading
// ("Other" for flags without one; "" when there are no categories), and
// flag for each flag.
func walkDocFlags(flags []cli.Flag, list FlagList, group func(heading string, first bool), flag func(output.HelpFlag)) {
	groups := docFlags(flags, list)
	for i, g := range groups {
		heading := g[0].Category
		if heading == "" && len(groups) > 1 {
			heading = "Other"
		}
		group(heading, i == 0)
		for _, f := range g {
			flag(f)
		}
	}
}

// manDoc writes the man page, in roff (the man macros).
type manDoc struct{ strings.Builder }

// Man is the man page (section 1) of app, in roff, flags rendered by
// list; extra (roff: EXIT STATUS, FILES, …) follows the commands.
func Man(app *cli.App, list FlagList, extra string) string {
	var m manDoc
	writeDoc(&m, app, list)
	return m.String() + extra
}

func (m *manDoc) synopsis(app *cli.App, list FlagList) {
	m.WriteString(".TH kmsctl 1\n.nh\n.ad l\n.SH NAME\n" + app.Name + ` \- ` + roff(app.Usage) + "\n")
	m.WriteString(".SH SYNOPSIS\n.B kmsctl\n")
	walkDocFlags(app.Flags, list, func(string, bool) {}, func(f output.HelpFlag) {
		m.WriteString("[" + roffNames(f.Names) + "]\n")
	})
	m.WriteString("\\fICOMMAND\\fP [\\fIoptions\\fP] [\\fIARGUMENTS\\fP]\n.SH DESCRIPTION\n")
}

func (m *manDoc) section(title string) { m.WriteString(".SH " + strings.ToUpper(title) + "\n") }

func (m *manDoc) command(d docCommand) {
	m.WriteString(".SS " + roff(d.Path) + "\n")
	m.WriteString(`\fBkmsctl ` + roff(d.Path) + `\fP ` + roff(d.synopsis()) + "\n.br\n" + roff(d.Cmd.Usage) + "\n")
}

// manExampleWidth is the columns an example line may take in the man
// page: man at 80 columns sets lines of 78 and example lines (.RS 2, .nf)
// from column 9. groff does not fill .nf lines, so a longer one would
// run past the terminal's edge and be broken by it mid-word.
const manExampleWidth = 78 - 9

// text writes paragraphs for man to fill, example lines as written,
// indented, each wider than manExampleWidth broken with shell line
// continuations as help breaks it on a terminal (output.BreakExample).
func (m *manDoc) text(text string) {
	for _, blk := range output.TextBlocks(text) {
		if blk.Verbatim {
			m.WriteString(".RS 2\n.nf\n")
			for _, l := range dedent(blk.Lines) {
				for _, part := range output.BreakExample(l, manExampleWidth) {
					m.WriteString(roff(part) + "\n")
				}
			}
			m.WriteString(".fi\n.RE\n")
			continue
		}
		m.WriteString(".PP\n" + roff(strings.Join(blk.Lines, " ")) + "\n")
	}
}

// flags writes a tagged list, a category's name before its flags when
// there are categories.
func (m *manDoc) flags(flags []cli.Flag, list FlagList) {
	walkDocFlags(flags, list, func(heading string, _ bool) {
		if heading != "" {
			m.WriteString(".PP\n\\fI" + roff(heading) + ":\\fP\n")
		}
	}, func(f output.HelpFlag) {
		m.WriteString(".TP\n" + roffNames(f.Names) + "\n" + roff(f.Usage) + "\n")
	})
}

// markdown escapes the characters Markdown would take as emphasis, code
// or HTML in prose.
var markdown = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;", ">", "&gt;")

// markdownDoc writes the Markdown reference (docs/cli.md).
type markdownDoc struct{ strings.Builder }

// Markdown is the Markdown reference of app, flags rendered by list.
func Markdown(app *cli.App, list FlagList) string {
	var m markdownDoc
	writeDoc(&m, app, list)
	return strings.TrimSuffix(m.String(), "\n")
}

func (m *markdownDoc) synopsis(app *cli.App, list FlagList) {
	m.WriteString("# kmsctl\n\n" + markdown.Replace(app.Usage) + "\n\n```\nkmsctl")
	walkDocFlags(app.Flags, list, func(string, bool) {}, func(f output.HelpFlag) {
		m.WriteString(" [" + f.Names + "]")
	})
	m.WriteString(" COMMAND [options] [ARGUMENTS]\n```\n\n")
}

func (m *markdownDoc) section(title string) { m.WriteString("## " + title + "\n\n") }

func (m *markdownDoc) command(d docCommand) {
	level := "### "
	if strings.Contains(d.Path, " ") {
		level = "#### "
	}
	m.WriteString(level + "kmsctl " + d.Path + "\n\n```\nkmsctl " + d.Path + " " + d.synopsis() + "\n```\n\n")
	m.WriteString(markdown.Replace(d.Cmd.Usage) + "\n\n")
}

// text writes paragraphs, example lines as a code block.
func (m *markdownDoc) text(text string) {
	for _, blk := range output.TextBlocks(text) {
		if blk.Verbatim {
			m.WriteString("```\n" + strings.Join(dedent(blk.Lines), "\n") + "\n```\n\n")
			continue
		}
		m.WriteString(markdown.Replace(strings.Join(blk.Lines, " ")) + "\n\n")
	}
}

// flags writes a list, under the categories' names when there are
// categories.
func (m *markdownDoc) flags(flags []cli.Flag, list FlagList) {
	walkDocFlags(flags, list, func(heading string, first bool) {
		if !first {
			m.WriteString("\n")
		}
		if heading != "" {
			m.WriteString("*" + markdown.Replace(heading) + ":*\n\n")
		}
	}, func(f output.HelpFlag) {
		m.WriteString("- `" + f.Names + "`: " + markdown.Replace(f.Usage) + "\n")
	})
	if len(flags) > 0 {
		m.WriteString("\n")
	}
}
