package commands

import (
	"bytes"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/clock"
	"github.com/kmsctl/kmsctl/cmdline"
	"github.com/kmsctl/kmsctl/completions"
	"github.com/kmsctl/kmsctl/exporter"
	"github.com/kmsctl/kmsctl/failure"
)

// Every command's --format is a choiceFlag: __complete offers exactly the
// formats the command accepts, the help names each of them, and a value
// outside them is refused with the list (issue 15: status's formats were
// offered for every command).
func TestFormatChoices(t *testing.T) {
	app := NewApp(SystemEnv())
	seen := 0
	for _, path := range commandPaths(nil, app.Commands) {
		cmd := findPath(app.Commands, path)
		// -o json is --json's synonym wherever --json is (issue 15).
		if cmdline.IsFlag(cmd.Flags, "--json") && !cmdline.IsFlag(cmd.Flags, "-o") {
			t.Errorf("%v has --json but no -o/--format", path)
		}
		for _, f := range cmd.Flags {
			if f.Names()[0] != "format" {
				continue
			}
			seen++
			ch := choicesOf(f)
			if ch == nil {
				t.Errorf("%v: --format is not a choiceFlag; __complete cannot know its values", path)
				continue
			}
			usage := flagUsage(f)
			for _, v := range ch {
				if !strings.Contains(usage, v) {
					t.Errorf("%v: --format's help %q does not name %s", path, usage, v)
				}
			}
			for _, opt := range []string{"--format", "-o"} {
				cands, _ := completeWords(app, append(append(slices.Clone(path), opt), ""))
				var got []string
				for _, c := range cands {
					got = append(got, c.Value)
				}
				if !slices.Equal(got, ch) {
					t.Errorf("%v %s: completion offers %q, the command accepts %q", path, opt, got, ch)
				}
			}
			var out bytes.Buffer
			err := runIn(testEnv(clock.NewFake(stateT0), &out), t.TempDir(), append(slices.Clone(path), "--format", "yaml", "HOST")...)
			var ue *failure.UsageError
			if !errors.As(err, &ue) || !strings.Contains(ue.Msg, "--format yaml is not known") || !strings.Contains(ue.Hint, strings.Join(ch, "|")) {
				t.Errorf("%v --format yaml: %v (want a usage error listing %q)", path, err, ch)
			}
		}
	}
	if seen < 25 {
		t.Errorf("found --format on %d commands; status, products, dns check, the 16 slmgr verbs, explain, version, host dlv, host log, host audit and client dli have it", seen)
	}
}

// findPath finds the command at path.
func findPath(cmds []*cli.Command, path []string) *cli.Command {
	var c *cli.Command
	for _, name := range path {
		c = completions.FindCommand(cmds, name)
		if c == nil {
			return nil
		}
		cmds = c.Subcommands
	}
	return c
}

// Every flag whose value is a path completes file (or directory) names in
// every shell, through __complete's :files / :dirs directive (issue 18:
// host audit --file and exporter --config offered nothing, while status
// --hosts-file offered files). The marker is the flag's placeholder (FILE,
// DIR); a flag whose name says it takes a path but whose placeholder does
// not is caught here, so a new file flag cannot forget it.
func TestPathFlagsCompleteFiles(t *testing.T) {
	app := NewApp(SystemEnv())
	pathName := regexp.MustCompile(`file|dir|config|output|path`)
	check := func(path []string, f cli.Flag) int {
		name := f.Names()[0]
		if _, ok := f.(*cli.BoolFlag); ok {
			return 0
		}
		want := completions.PathDirective(f)
		if want == completions.None {
			if pathName.MatchString(name) {
				t.Errorf("%v --%s looks like a path flag but its placeholder is %q, not FILE or DIR", path, name, completions.Placeholder(f))
			}
			return 0
		}
		for _, word := range []string{"", "sm"} {
			_, got := completeWords(app, append(append(slices.Clone(path), "--"+name), word))
			if got != want {
				t.Errorf("kmsctl __complete %s --%s %q: directive %s, want %s", strings.Join(path, " "), name, word, got, want)
			}
		}
		_, got := completeWords(app, append(slices.Clone(path), "--"+name+"=sm"))
		if got != want {
			t.Errorf("kmsctl __complete %s --%s=sm: directive %s, want %s", strings.Join(path, " "), name, got, want)
		}
		return 1
	}
	n := 0
	for _, f := range app.Flags {
		n += check(nil, f)
	}
	for _, path := range commandPaths(nil, app.Commands) {
		for _, f := range findPath(app.Commands, path).Flags {
			n += check(path, f)
		}
	}
	// --state-dir, status/client dli --hosts-file, status --output,
	// host audit --file, exporter --config at least.
	if n < 6 {
		t.Errorf("found %d path flags; want at least 6", n)
	}
}

// exporter's --log-format and --log-level offer what the exporter
// accepts, and help takes command names at every level (issue 18).
func TestCompleteLogFlagsAndHelp(t *testing.T) {
	app := NewApp(SystemEnv())
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"exporter", "--log-format", ""}, exporter.LogFormats},
		{[]string{"exporter", "--log-level", ""}, exporter.LogLevels},
		{[]string{"exporter", "--log-level=w"}, []string{"--log-level=warn"}},
		{[]string{"help", "st"}, []string{"status"}},
		{[]string{"h", "st"}, []string{"status"}},
		{[]string{"help", "host", "d"}, []string{"dlv"}},
		{[]string{"help", "dli", ""}, nil},
	} {
		cands, _ := completeWords(app, c.args)
		var got []string
		for _, x := range cands {
			got = append(got, x.Value)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("kmsctl __complete %q: %q, want %q", c.args, got, c.want)
		}
	}
}
