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
   kmsctl explain`,
		Flags: []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print JSON (schema in README)"}},
		// A decimal code such as -1073418124 looks like a flag to the flag
		// parser, so explain reads its own few flags.
		SkipFlagParsing: true,
		Action: func(c *cli.Context) error {
			var codes []string
			for _, a := range c.Args().Slice() {
				switch a {
				case "--json", "-json", "--json=true":
					env.json = true
				case "--json=false", "-json=false":
					env.json = false
				case "--help", "-help", "-h":
					return cli.ShowSubcommandHelp(c)
				case "--":
				default:
					if len(a) > 1 && a[0] == '-' && (a[1] < '0' || a[1] > '9') {
						return &failure.UsageError{Msg: "kmsctl explain has no flag " + a, Hint: "run 'kmsctl explain --help'"}
					}
					codes = append(codes, a)
				}
			}
			switch len(codes) {
			case 0:
				return env.Streams(c).Codes(hresult.All(), output.ViewOf(env.json))
			case 1:
			default:
				return &failure.UsageError{Msg: "explain takes one CODE, got " + strconv.Itoa(len(codes)), Hint: "kmsctl explain 0xC004F074"}
			}
			info, err := explainCode(codes[0])
			if err != nil {
				return err
			}
			return env.Streams(c).Explain(info, output.ViewOf(env.json))
		},
	}
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
