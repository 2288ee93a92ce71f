package commands

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/cmdline"
	"github.com/kmsctl/kmsctl/completions"
	"github.com/kmsctl/kmsctl/hresult"
)

// completeCommand is the hidden entry point the shell scripts call:
//
//	kmsctl __complete WORD... CURRENT
//
// WORDs are the words typed after "kmsctl" and before the one being
// completed, CURRENT is that word ("" at a fresh position). It walks the
// command tree only, like cobra's __complete: it never runs a command's
// action, never reads the state directory and never touches the network.
//
// It prints one candidate per line, "VALUE\tDESCRIPTION" (the description
// may be empty), then one directive line for the shell script:
// ":files" (offer file names too), ":dirs" (directory names) or ":none".
const completeCommand = "__complete"

// Completion directives, the last line of __complete's output.
const (
	completeNone  = ":none"
	completeFiles = ":files"
	completeDirs  = ":dirs"
)

// candidate is one completion with its description.
type candidate struct{ value, desc string }

// flagValues lists what flag f's value may be: a choiceFlag's choices
// (what its command accepts), or by flag name; a flag not listed here
// takes free text (a host, a duration), offered nothing.
func flagValues(f cli.Flag) ([]candidate, string) {
	if ch := choicesOf(f); ch != nil {
		return values(ch...), completeNone
	}
	switch f.Names()[0] {
	case "protocol":
		return []candidate{{"4", "Windows 7, Office 2010"}, {"5", "Windows 8, Office 2013"}, {"6", "Windows 8.1 and later, Office 2016 and later"}}, completeNone
	case "auth":
		return []candidate{{"ntlm", "domain and local accounts"}, {"basic", "local accounts, where the host enables it"}}, completeNone
	case "product", "p":
		return productCandidates(), completeNone
	case "hosts-file":
		return nil, completeFiles
	case "state-dir":
		return nil, completeDirs
	}
	return nil, completeNone
}

// argValues lists what the positional arguments of a command may be.
func argValues(path []string) []candidate {
	switch strings.Join(path, " ") {
	case "completion":
		return values(completions.Shells()...)
	case "explain":
		var out []candidate
		for _, i := range hresult.All() {
			out = append(out, candidate{i.Code.String(), i.Name})
		}
		return out
	case "dli", "dlv":
		return []candidate{{"all", "every installed product"}}
	}
	return nil
}

func values(vs ...string) []candidate {
	out := make([]candidate, len(vs))
	for i, v := range vs {
		out[i] = candidate{value: v}
	}
	return out
}

// productCandidates are every product name and alias, each described by
// its product's name.
func productCandidates() []candidate {
	var out []candidate
	for _, p := range catalogue.Products() {
		out = append(out, candidate{p.Name, p.Group})
		for _, a := range p.Aliases {
			out = append(out, candidate{a, p.Name})
		}
	}
	return out
}

// complete writes the candidates for args (the words after __complete).
func complete(w io.Writer, app *cli.App, args []string) error {
	cands, directive := completeWords(app, args)
	var b strings.Builder
	for _, c := range cands {
		b.WriteString(c.value)
		if c.desc != "" {
			b.WriteString("\t" + c.desc)
		}
		b.WriteByte('\n')
	}
	b.WriteString(directive + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// completeWords walks the command tree along the typed words and returns
// the candidates for the last one, filtered by what it starts with.
func completeWords(app *cli.App, args []string) ([]candidate, string) {
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
				if c := findCommand(cmds, w); c != nil {
					path = append(path, c.Name)
					cmds, flags = c.VisibleCommands(), c.Flags
					seen = map[string]bool{}
					continue
				}
			}
			nargs++
		}
	}

	var out []candidate
	directive := completeNone
	add := func(c candidate) {
		if strings.HasPrefix(c.value, cur) {
			out = append(out, c)
		}
	}
	switch {
	case valueFor != nil:
		vs, d := flagValues(valueFor)
		for _, v := range vs {
			add(v)
		}
		directive = d
	case !noFlags && strings.HasPrefix(cur, "--") && strings.Contains(cur, "="):
		// --flag=VALUE in one word.
		name, _, _ := strings.Cut(cur, "=")
		if f := findFlag(append(slices.Clone(flags), app.Flags...), name); f != nil {
			vs, d := flagValues(f)
			for _, v := range vs {
				add(candidate{name + "=" + v.value, v.desc})
			}
			if d != completeNone {
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
			if seen[name] && !repeatable(f) || hidden(f) {
				continue
			}
			add(candidate{"--" + name, flagUsage(f)})
		}
	case len(cmds) > 0 && nargs == 0 && !noFlags:
		for _, c := range cmds {
			add(candidate{c.Name, c.Usage})
		}
	default:
		for _, v := range argValues(path) {
			add(v)
		}
	}
	return out, directive
}

// findFlag finds the flag arg (-x, --name or --name=value) names.
func findFlag(flags []cli.Flag, arg string) cli.Flag {
	name, _, _ := strings.Cut(strings.TrimLeft(arg, "-"), "=")
	for _, f := range flags {
		if slices.Contains(f.Names(), name) {
			return f
		}
	}
	for _, n := range cli.HelpFlag.Names() {
		if n == name {
			return cli.HelpFlag
		}
	}
	return nil
}

// findCommand finds the command named or aliased name.
func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

func repeatable(f cli.Flag) bool {
	_, ok := f.(*cli.StringSliceFlag)
	return ok
}

func hidden(f cli.Flag) bool {
	v, ok := f.(cli.VisibleFlag)
	return ok && !v.IsVisible()
}

// flagUsage is a flag's help text without the backticks that mark its
// placeholder.
func flagUsage(f cli.Flag) string {
	if u, ok := f.(cli.DocGenerationFlag); ok {
		return strings.ReplaceAll(u.GetUsage(), "`", "")
	}
	return ""
}

// runComplete answers a __complete call; nothing else of the app runs.
func runComplete(env *Env, app *cli.App, args []string) error {
	if err := complete(env.NewStreams(true).Out, app, args); err != nil {
		return fmt.Errorf("__complete: %w", err)
	}
	return nil
}
