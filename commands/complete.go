package commands

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/catalogue"
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

// candidate is one completion with its description.
type candidate = completions.Candidate

// kmsctlValues is what kmsctl's flag values and arguments may be, for
// completions.Complete.
type kmsctlValues struct{}

// completeWords is completions.Complete with kmsctl's values.
func completeWords(app *cli.App, args []string) ([]candidate, string) {
	return completions.Complete(app, args, kmsctlValues{})
}

// flagUsage is a flag's help text without its placeholder's backticks.
func flagUsage(f cli.Flag) string { return completions.FlagUsage(f) }

// Flag lists what flag f's value may be: a choiceFlag's choices
// (what its command accepts), file or directory names for a flag whose
// value is a path (completions.PathDirective: its placeholder is FILE or
// DIR), or by flag name; a flag not listed here takes free text (a host,
// a duration), offered nothing.
func (kmsctlValues) Flag(f cli.Flag) ([]candidate, string) {
	if ch := choicesOf(f); ch != nil {
		return values(ch...), completions.None
	}
	if d := completions.PathDirective(f); d != completions.None {
		return nil, d
	}
	switch f.Names()[0] {
	case "protocol":
		return []candidate{{Value: "4", Desc: "Windows 7, Office 2010"}, {Value: "5", Desc: "Windows 8, Office 2013"}, {Value: "6", Desc: "Windows 8.1 and later, Office 2016 and later"}}, completions.None
	case "auth":
		return []candidate{{Value: "ntlm", Desc: "domain and local accounts"}, {Value: "basic", Desc: "local accounts, where the host enables it"}}, completions.None
	case "product", "p":
		return productCandidates(), completions.None
	}
	return nil, completions.None
}

// Args lists what the positional arguments of a command may be, when n
// are already typed. Each of these commands takes one argument: a second
// is a usage error, so nothing is offered for it.
func (kmsctlValues) Args(path []string, n int) []candidate {
	if n > 0 {
		return nil
	}
	switch strings.Join(path, " ") {
	case "completion":
		return values(completions.Shells()...)
	case "explain":
		// Offered as 0xC004F074; typed as explain reads it, in any case
		// and with or without 0x (C004F074).
		var out []candidate
		for _, i := range hresult.All() {
			code := i.Code.String()
			out = append(out, candidate{Value: code, Desc: i.Name, Also: strings.TrimPrefix(code, "0x")})
		}
		return out
	case "dli", "dlv":
		return []candidate{{Value: "all", Desc: "every installed product"}}
	}
	return nil
}

// Excludes names the flags that cannot follow flag name: --json and
// --format/-o ask for the output's format twice (outputFormat refuses
// them when they disagree, and agreeing they say nothing new); --check
// prints its own format, never JSON (checkFormat).
func (kmsctlValues) Excludes(name string) []string {
	switch name {
	case "json":
		return []string{"format", "check"}
	case "format":
		return []string{"json"}
	case "check":
		return []string{"json"}
	}
	return nil
}

func values(vs ...string) []candidate {
	out := make([]candidate, len(vs))
	for i, v := range vs {
		out[i] = candidate{Value: v}
	}
	return out
}

// productCandidates are every product name and alias, each described by
// its product's name.
func productCandidates() []candidate {
	var out []candidate
	for _, p := range catalogue.Products() {
		out = append(out, candidate{Value: p.Name, Desc: p.Group})
		for _, a := range p.Aliases {
			out = append(out, candidate{Value: a, Desc: p.Name})
		}
	}
	return out
}

// runComplete answers a __complete call; nothing else of the app runs.
func runComplete(env *Env, app *cli.App, args []string) error {
	cands, directive := completeWords(app, args)
	if err := completions.Write(env.NewStreams(true).Out, cands, directive); err != nil {
		return fmt.Errorf("__complete: %w", err)
	}
	return nil
}
