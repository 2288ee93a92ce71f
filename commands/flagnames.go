package commands

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// urfave/cli v2 computes a flag's names on every call of Names with
// cli.FlagNames, which runs a regular expression over the name and each
// alias, and it calls Names in loops within loops: runFlagActions asks
// IsSet of every flag of the running command, and each IsSet looks the
// name up again among all the flags (lookupFlag); App.Setup renders every
// flag of every command to a string. For one `kmsctl status HOST` that was
// about 550 regular-expression runs, a tenth of the process's CPU time.
//
// fastNames wraps the flags of the tree in types that answer Names from a
// slice computed once, without the expression. The wrapper embeds the
// library's own flag, so every other method (Apply, IsSet, help, the
// category, the value) is the library's. The names are the same: see
// flagNames.
func fastNames(flags []cli.Flag, cmds []*cli.Command) {
	for i, f := range flags {
		flags[i] = withNames(f)
	}
	for _, c := range cmds {
		fastNames(c.Flags, c.Subcommands)
	}
}

// The library's help and version flags are *cli.BoolFlag values that it
// adds to every command and asks for their names on every run.
func init() {
	cli.HelpFlag = withNames(cli.HelpFlag)
	cli.VersionFlag = withNames(cli.VersionFlag)
}

// flagNames is cli.FlagNames without its regular expression: name then
// aliases, each cut at its first comma or space (the expression is
// "[, ]+.*", left over from urfave/cli v1's "name, alias" form).
func flagNames(name string, aliases []string) []string {
	names := make([]string, 1+len(aliases))
	names[0] = cutV1(name)
	for i, a := range aliases {
		names[1+i] = cutV1(a)
	}
	return names
}

// cutV1 is name up to its first comma or space.
func cutV1(name string) string {
	if i := strings.IndexAny(name, ", "); i >= 0 {
		return name[:i]
	}
	return name
}

// withNames returns f wrapped, or f itself when it is of a type the
// wrappers do not cover (choiceFlag keeps its own names).
func withNames(f cli.Flag) cli.Flag {
	switch t := f.(type) {
	case *cli.BoolFlag:
		return &boolFlag{t, flagNames(t.Name, t.Aliases)}
	case *cli.StringFlag:
		return &stringFlag{t, flagNames(t.Name, t.Aliases)}
	case *cli.IntFlag:
		return &intFlag{t, flagNames(t.Name, t.Aliases)}
	case *cli.DurationFlag:
		return &durationFlag{t, flagNames(t.Name, t.Aliases)}
	case *cli.Float64Flag:
		return &float64Flag{t, flagNames(t.Name, t.Aliases)}
	case *cli.StringSliceFlag:
		return &stringSliceFlag{t, flagNames(t.Name, t.Aliases)}
	case *cli.GenericFlag:
		return &genericFlag{t, flagNames(t.Name, t.Aliases)}
	case *choiceFlag:
		t.names = flagNames(t.Name, t.Aliases)
	}
	return f
}

// unwrapFlag is the library's flag inside f (f when it is not wrapped),
// for code that asks for a flag's concrete type.
func unwrapFlag(f cli.Flag) cli.Flag {
	if w, ok := f.(interface{ unwrap() cli.Flag }); ok {
		return w.unwrap()
	}
	return f
}
