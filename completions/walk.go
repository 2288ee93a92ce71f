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

// Candidate is one completion with its description ("" for none). Also is
// another spelling the typed word may start with (C004F074 for
// 0xC004F074); the candidate offered is Value, the canonical one.
type Candidate struct{ Value, Desc, Also string }

// Values says what kmsctl's words may be where the command tree does not:
// a flag's value (with the directive for the shell), the positional
// arguments of the command at path when n of them are already typed (nil
// when it takes no more), and the flags that cannot follow a flag named
// name (--format after --json).
type Values interface {
	Flag(f cli.Flag) ([]Candidate, string)
	Args(path []string, n int) []Candidate
	Excludes(name string) []string
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
			for _, x := range values.Excludes(f.Names()[0]) {
				seen[x] = true
			}
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
	// addValues adds the values vs that match what follows prefix in
	// cur, each written after prefix.
	addValues := func(prefix string, vs []Candidate) {
		typed := strings.TrimPrefix(cur, prefix)
		for _, v := range vs {
			if prefixFold(v.Value, typed) || v.Also != "" && prefixFold(v.Also, typed) {
				out = append(out, Candidate{Value: prefix + v.Value, Desc: v.Desc})
			}
		}
	}
	all := append(slices.Clone(flags), app.Flags...)
	switch {
	case valueFor != nil:
		vs, d := values.Flag(valueFor)
		addValues("", vs)
		directive = d
	case !noFlags && strings.HasPrefix(cur, "--") && strings.Contains(cur, "="):
		// --flag=VALUE in one word.
		name, _, _ := strings.Cut(cur, "=")
		if f := findFlag(all, name); f != nil {
			vs, d := values.Flag(f)
			addValues(name+"=", vs)
			directive = d
		}
	case !noFlags && len(cur) > 2 && cur[0] == '-' && cur[1] != '-' && findFlag(all, cur) == nil && cmdline.TakesValue(all, cur[:2]):
		// -oVALUE: a one-letter flag glued to its value, as kmsctl reads
		// it (cmdline's splitShort).
		vs, _ := values.Flag(findFlag(all, cur[:2]))
		addValues(cur[:2], vs)
	case !noFlags && strings.HasPrefix(cur, "-"):
		own := flags
		if len(path) > 0 {
			own = all
		} else if app.Version != "" && !app.HideVersion {
			own = append(slices.Clone(own), cli.VersionFlag)
		}
		for _, f := range append(own, cli.HelpFlag) {
			names := f.Names()
			if seen[names[0]] && !cmdline.Repeatable(f) || hidden(f) {
				continue
			}
			add(Candidate{Value: "--" + names[0], Desc: FlagUsage(f)})
			if !strings.HasPrefix(cur, "--") {
				// -<TAB> and -o<TAB>: the one-letter names too.
				for _, n := range names[1:] {
					if len(n) == 1 {
						add(Candidate{Value: "-" + n, Desc: FlagUsage(f)})
					}
				}
			}
		}
	case len(cmds) > 0 && nargs == 0 && !noFlags:
		for _, c := range cmds {
			add(Candidate{Value: c.Name, Desc: c.Usage})
		}
	case helpFor:
		// help names commands only, not their arguments.
	default:
		addValues("", values.Args(path, nargs))
	}
	return out, directive
}

// prefixFold reports whether s begins with prefix, in any case.
func prefixFold(s, prefix string) bool {
	return strings.HasPrefix(strings.ToLower(s), strings.ToLower(prefix))
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
