package commands

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// interspersed moves a command's flags ahead of its positional arguments,
// so `kmsctl status HOST --json` works: urfave/cli v2 stops parsing flags
// at the first positional argument. "--" still ends the flags.
func interspersed(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	i := commandIndex(app, args)
	if i >= len(args) {
		return args
	}
	cmd := app.Command(args[i])
	if cmd == nil || len(cmd.Subcommands) > 0 {
		return args
	}
	return reorder(app.Flags, cmd.Flags, args, i, i+1)
}

// commandIndex is the index of the command in args: the first word after
// the global flags and their values.
func commandIndex(app *cli.App, args []string) int {
	i := 1
	for i < len(args) && strings.HasPrefix(args[i], "-") && args[i] != "--" {
		if takesValue(app.Flags, args[i]) {
			i++
		}
		i++
	}
	return i
}

// reorder rebuilds args so that the global flags written after the command
// (args[cmdStart:cmdEnd], one word or a command and its subcommand) come
// before it, and the command's own flags come before its positional
// arguments. "--" ends the flags.
func reorder(appFlags, cmdFlags []cli.Flag, args []string, cmdStart, cmdEnd int) []string {
	var globals, flags, positional []string
	rest := args[cmdEnd:]
	for j := 0; j < len(rest); j++ {
		a := rest[j]
		switch {
		case a == "--":
			positional = append(positional, rest[j:]...)
			j = len(rest)
		case strings.HasPrefix(a, "-") && len(a) > 1 && !isFlag(cmdFlags, a) && isFlag(appFlags, a):
			// A global flag written after the command.
			globals = append(globals, a)
			if takesValue(appFlags, a) && j+1 < len(rest) {
				j++
				globals = append(globals, rest[j])
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			flags = append(flags, canonical(cmdFlags, a))
			if takesValue(cmdFlags, a) && j+1 < len(rest) {
				j++
				flags = append(flags, rest[j])
			}
		default:
			positional = append(positional, a)
		}
	}
	out := append([]string(nil), args[:cmdStart]...)
	out = append(out, globals...)
	out = append(out, args[cmdStart:cmdEnd]...)
	out = append(out, flags...)
	return append(out, positional...)
}

// isFlag reports whether arg names one of flags.
func isFlag(flags []cli.Flag, arg string) bool {
	name, _, _ := strings.Cut(strings.TrimLeft(arg, "-"), "=")
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return true
			}
		}
	}
	return false
}

// takesValue reports whether arg names a flag that consumes the next
// argument (not a boolean, and not written as --flag=value).
func takesValue(flags []cli.Flag, arg string) bool {
	name := strings.TrimLeft(arg, "-")
	if strings.Contains(name, "=") {
		return false
	}
	for _, f := range flags {
		for _, n := range f.Names() {
			if n != name {
				continue
			}
			if df, ok := f.(cli.DocGenerationFlag); ok {
				return df.TakesValue()
			}
			return false
		}
	}
	return false
}

// canonical writes a flag by its first name: urfave/cli v2 refuses a flag
// given once by its name and once by an alias (-p and --product).
func canonical(flags []cli.Flag, arg string) string {
	name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
	for _, f := range flags {
		names := f.Names()
		for _, n := range names[1:] {
			if n == name {
				if hasValue {
					return "--" + names[0] + "=" + value
				}
				return "--" + names[0]
			}
		}
	}
	return arg
}

// wantsCheck reports whether the command line is a monitoring check, whose
// failures are UNKNOWN (exit 3) rather than errors.
func wantsCheck(args []string) bool {
	for _, a := range args[1:] {
		if a == "--" {
			return false
		}
		if a == "--check" || a == "-check" || a == "--check=true" {
			return true
		}
	}
	return false
}

// wantsJSON reports whether the command line asks for JSON, so that even a
// usage error is reported as JSON.
func wantsJSON(args []string) bool {
	for _, a := range args[1:] {
		if a == "--" {
			return false
		}
		if a == "--json" || a == "-json" || a == "--json=true" || a == "--format=json" {
			return true
		}
	}
	return false
}

// interspersedSub lets a subcommand's flags follow its arguments
// (`kmsctl host dlv HOST --json`), as interspersed does for commands:
// urfave/cli v2 stops parsing flags at the first positional argument.
func interspersedSub(app *cli.App, args []string) []string {
	i := commandIndex(app, args)
	if i+1 >= len(args) {
		return args
	}
	parent := app.Command(args[i])
	if parent == nil || len(parent.Subcommands) == 0 {
		return args
	}
	sub := parent.Command(args[i+1])
	if sub == nil {
		return args
	}
	return reorder(app.Flags, sub.Flags, args, i, i+2)
}
