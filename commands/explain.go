package commands

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/output"
)

func explainCommand(env *Env) *cli.Command {
	return &cli.Command{
		Name:      "explain",
		Usage:     "explain a Windows activation error code",
		ArgsUsage: "[CODE]",
		Description: `Says what an error code means, its likely causes and what to do. CODE may be
written as slmgr prints it (0xC004F074), without 0x (C004F074), or in decimal
as event logs and scripts show it (-1073418124). Without CODE, lists every code
kmsctl can explain.

Examples:
   kmsctl explain 0xC004F038
   kmsctl explain -1073418124 --json
   kmsctl explain
   kmsctl explain -o tsv`,
		Flags: []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print JSON (schema in README)"},
			newFormatFlag("", "output `FORMAT`: text (the explanation; without CODE the list of codes, in columns on a terminal), json or tsv (code, decimal, name: the default for the list when piped)", textFormats)},
		// A decimal code such as -1073418124 looks like a flag to the flag
		// parser, so explain reads its own few flags.
		SkipFlagParsing: true,
		Action: func(c *cli.Context) error {
			codes, view, help, err := explainArgs(env, c)
			if err != nil || help {
				return err
			}
			switch len(codes) {
			case 0:
				if view == output.ViewText {
					view = output.ViewTable
				}
				return env.Streams(c).Codes(hresult.All(), view)
			case 1:
			default:
				return &failure.UsageError{Msg: "explain takes one CODE, got " + strconv.Itoa(len(codes)), Hint: "kmsctl explain 0xC004F074"}
			}
			info, err := explainCode(codes[0])
			if err != nil {
				return err
			}
			if view == output.ViewAuto {
				view = output.ViewText // piped too: one code's explanation is for people
			}
			return env.Streams(c).Explain(info, view)
		},
	}
}

// explainArgs reads explain's command line (flags not parsed by
// urfave/cli): the codes, and the view --json and -o/--format ask for,
// checked as every command checks them; help when it showed the help.
func explainArgs(env *Env, c *cli.Context) (codes []string, view output.View, help bool, err error) {
	args := c.Args().Slice()
	asJSON, format := false, ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, value, glued := strings.Cut(a, "=")
		switch {
		case a == "--json" || a == "-json" || a == "--json=true":
			asJSON = true
		case a == "--json=false" || a == "-json=false":
			asJSON = false
		case a == "--help" || a == "-help" || a == "-h":
			return nil, "", true, cli.ShowSubcommandHelp(c)
		case name == "--format" || name == "-format" || name == "-o":
			if !glued {
				if i+1 >= len(args) {
					return nil, "", false, &failure.UsageError{Msg: a + " needs a value", Hint: "run 'kmsctl explain --help'"}
				}
				i++
				value = args[i]
			}
			format = value
		case a == "--":
		case len(a) > 1 && a[0] == '-' && (a[1] < '0' || a[1] > '9'):
			return nil, "", false, &failure.UsageError{Msg: "kmsctl explain has no flag " + name, Hint: "run 'kmsctl explain --help'"}
		default:
			codes = append(codes, a)
		}
	}
	env.json = asJSON || format == "json"
	if format, err = choose(c.Command, "format", format); err != nil {
		return nil, "", false, err
	}
	format, err = withJSON(asJSON, format)
	return codes, output.View(format), false, err
}

// explainCode looks a code up; a small positive decimal number is also
// tried as a Win32 error, as net helpmsg reads it (5 is 0x80070005), and
// any 0x8007xxxx is at least "Win32 error N". A code written in hex
// (0x1, 0x00000001, 00000001) is the HRESULT as written.
func explainCode(arg string) (hresult.Info, error) {
	code, err := hresult.Parse(arg)
	if err != nil {
		return hresult.Info{}, &failure.UsageError{Msg: err.Error(), Hint: "write the code as 0xC004F074, C004F074 or -1073418124"}
	}
	if _, known := hresult.Lookup(code); !known && code > 0 && code < 0x10000 && decimal(arg) {
		if i, ok := hresult.Describe(hresult.FromWin32(uint32(code))); ok {
			return i, nil
		}
	}
	if i, ok := hresult.Describe(code); ok {
		return i, nil
	}
	hint := "run 'kmsctl explain' for the codes it knows; on Windows, 'slui.exe 0x2a " + code.String() + "' may show the system's text"
	if code > 0 && code < 0x10000 {
		hint = fmt.Sprintf("for Win32 error %d write 'kmsctl explain %d' or %s", code, code, hresult.FromWin32(uint32(code)))
	}
	return hresult.Info{}, &failure.UsageError{Msg: code.String() + " is not a code kmsctl can explain", Hint: hint}
}

// decimal reports whether a code was written as a decimal number (5,
// -1073418124) rather than in hex, as hresult.Parse decides: with 0x or in
// exactly eight digits it is hex.
func decimal(arg string) bool {
	a := strings.TrimPrefix(strings.TrimSpace(arg), "-")
	if len(a) == 0 || len(strings.TrimSpace(arg)) == 8 {
		return false
	}
	for _, r := range a {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
