package completions

import (
	"io"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/cmdline"
)

// The directives, the last line of __complete's output: offer nothing
// more, file names too, or directory names too.
const (
	None  = ":none"
	Files = ":files"
	Dirs  = ":dirs"
)

// Candidate is one completion with its description ("" for none).
type Candidate struct{ Value, Desc string }

// Values says what kmsctl's words may be where the command tree does not:
// a flag's value (with the directive for the shell), and the positional
// arguments of the command at path.
type Values interface {
	Flag(f cli.Flag) ([]Candidate, string)
	Args(path []string) []Candidate
}

// Complete walks app's command tree along the typed words args (the words
// after "kmsctl", the last one the word being completed) and returns the
// Candidates for the last one that start with it, and the directive for
// the shell. slmgr's spellings are read as kmsctl reads them
// (cmdline.Spellings). values says what a flag's value and a command's
// arguments may be.
func Complete(app *cli.App, args []string, values Values) ([]Candidate, string) {
	if len(args) == 0 {
		args = []string{""}
	}
	cur := args[len(args)-1]
	if cur == `""` {
		// PowerShell sends an empty word quoted (Windows PowerShell drops
		// a bare "" when it calls a program).
		cur = ""
	}
	typed := cmdline.Spellings(app, append([]string{app.Name}, args[:len(args)-1]...))[1:]

	var (
		path     []string // the commands chosen so far
		cmds     = app.VisibleCommands()
		flags    = app.Flags
		nargs    int  // positional arguments after the last command
		noFlags  bool // "--" was typed
		helpFor  bool // "help" was typed: what follows names commands
		seen     = map[string]bool{}
		valueFor cli.Flag // the previous word is this flag, waiting for its value
	)
	for _, w := range typed {
		switch {
		case valueFor != nil:
			valueFor = nil
		case !noFlags && w == "--":
			noFlags = true
		case !noFlags && strings.HasPrefix(w, "-") && len(w) > 1:
			f := findFlag(append(slices.Clone(flags), app.Flags...), w)
			if f == nil {
				continue
			}
			seen[f.Names()[0]] = true
			if cmdline.TakesValue([]cli.Flag{f}, w) {
				valueFor = f
			}
		default:
			if nargs == 0 && !noFlags {
				if !helpFor && len(path) == 0 && (w == "help" || w == "h") && FindCommand(cmds, w) == nil {
					// kmsctl help [COMMAND [SUBCOMMAND]]: urfave/cli's
					// help command (help, h), hidden from the list of
					// commands, takes command names.
					helpFor = true
					continue
				}
				if c := FindCommand(cmds, w); c != nil {
					path = append(path, c.Name)
					cmds, flags = c.VisibleCommands(), c.Flags
					seen = map[string]bool{}
					continue
				}
			}
			nargs++
		}
	}

	var out []Candidate
	directive := None
	add := func(c Candidate) {
		if strings.HasPrefix(c.Value, cur) {
			out = append(out, c)
		}
	}
	switch {
	case valueFor != nil:
		vs, d := values.Flag(valueFor)
		for _, v := range vs {
			add(v)
		}
		directive = d
	case !noFlags && strings.HasPrefix(cur, "--") && strings.Contains(cur, "="):
		// --flag=VALUE in one word.
		name, _, _ := strings.Cut(cur, "=")
		if f := findFlag(append(slices.Clone(flags), app.Flags...), name); f != nil {
			vs, d := values.Flag(f)
			for _, v := range vs {
				add(Candidate{name + "=" + v.Value, v.Desc})
			}
			if d != None {
				directive = d
			}
		}
	case !noFlags && strings.HasPrefix(cur, "-"):
		own := flags
		if len(path) > 0 {
			own = append(slices.Clone(flags), app.Flags...)
		}
		for _, f := range append(own, cli.HelpFlag) {
			name := f.Names()[0]
			if seen[name] && !cmdline.Repeatable(f) || hidden(f) {
				continue
			}
			add(Candidate{"--" + name, FlagUsage(f)})
		}
	case len(cmds) > 0 && nargs == 0 && !noFlags:
		for _, c := range cmds {
			add(Candidate{c.Name, c.Usage})
		}
	case helpFor:
		// help names commands only, not their arguments.
	default:
		for _, v := range values.Args(path) {
			add(v)
		}
	}
	return out, directive
}

// Write writes what Complete found as __complete prints it: one
// "VALUE\tDESCRIPTION" line per candidate, then the directive line.
func Write(w io.Writer, cands []Candidate, directive string) error {
	var b strings.Builder
	for _, c := range cands {
		b.WriteString(c.Value)
		if c.Desc != "" {
			b.WriteString("\t" + c.Desc)
		}
		b.WriteByte('\n')
	}
	b.WriteString(directive + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// findFlag finds the flag arg (-x, --name or --name=value) names.
func findFlag(flags []cli.Flag, arg string) cli.Flag {
	if f := cmdline.Lookup(flags, arg); f != nil {
		return f
	}
	return cmdline.Lookup([]cli.Flag{cli.HelpFlag}, arg)
}

// FindCommand finds the command named or aliased name.
func FindCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

func hidden(f cli.Flag) bool {
	v, ok := f.(cli.VisibleFlag)
	return ok && !v.IsVisible()
}

// FlagUsage is a flag's help text without the backticks that mark its
// placeholder.
func FlagUsage(f cli.Flag) string {
	if u, ok := f.(cli.DocGenerationFlag); ok {
		return strings.ReplaceAll(u.GetUsage(), "`", "")
	}
	return ""
}

// Placeholder is the word a flag's help marks with backticks as its
// value's name (FILE in "read `FILE`"), "" when there is none.
func Placeholder(f cli.Flag) string {
	u, ok := f.(cli.DocGenerationFlag)
	if !ok {
		return ""
	}
	parts := strings.SplitN(u.GetUsage(), "`", 3)
	if len(parts) < 3 {
		return ""
	}
	return parts[1]
}

// PathDirective is Files for a flag whose value is a file's path, Dirs for
// a directory's, None otherwise. The one marker is the placeholder the
// help already shows (FILE or DIR; urfave's TakesFile counts as FILE), so
// a new path flag is completed as soon as its help names its value.
func PathDirective(f cli.Flag) string {
	switch Placeholder(f) {
	case "FILE":
		return Files
	case "DIR":
		return Dirs
	}
	if t, ok := f.(*cli.StringFlag); ok && t.TakesFile {
		return Files
	}
	return None
}
