package commands

import (
	"slices"
	"testing"

	"github.com/urfave/cli/v2"
)

// The wrappers answer exactly the names urfave/cli computes, for every
// flag of the tree and for the v1 spellings its expression cuts.
func TestFastNamesSameAsLibrary(t *testing.T) {
	app := NewApp(SystemEnv())
	var want [][]string
	var walk func(flags []cli.Flag, cmds []*cli.Command, f func([]cli.Flag))
	walk = func(flags []cli.Flag, cmds []*cli.Command, f func([]cli.Flag)) {
		f(flags)
		for _, c := range cmds {
			walk(c.Flags, c.Subcommands, f)
		}
	}
	walk(app.Flags, app.Commands, func(flags []cli.Flag) {
		for _, f := range flags {
			want = append(want, cli.FlagNames(unwrapFlag(f).Names()[0], unwrapFlag(f).Names()[1:]))
		}
	})
	fastNames(app.Flags, app.Commands)
	i, wrapped := 0, 0
	walk(app.Flags, app.Commands, func(flags []cli.Flag) {
		for _, f := range flags {
			if got := f.Names(); !slices.Equal(got, want[i]) {
				t.Errorf("flag %d: names %q, urfave/cli says %q", i, got, want[i])
			}
			if unwrapFlag(f) != f {
				wrapped++
			}
			i++
		}
	})
	if wrapped == 0 {
		t.Error("fastNames wrapped no flag")
	}
	for _, c := range []struct {
		name    string
		aliases []string
	}{
		{"state-dir", nil},
		{"product", []string{"p"}},
		{"a, b", []string{"c d", "e,f", " g"}},
		{"x,, ,y", []string{""}},
	} {
		if got, want := flagNames(c.name, c.aliases), cli.FlagNames(c.name, c.aliases); !slices.Equal(got, want) {
			t.Errorf("flagNames(%q, %q) = %q, urfave/cli says %q", c.name, c.aliases, got, want)
		}
	}
	if _, ok := cli.HelpFlag.(*boolFlag); !ok {
		t.Errorf("the help flag is a %T, not wrapped", cli.HelpFlag)
	}
}
