package commands

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
	"github.com/xrash/smetrics"

	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/internal/prose"
)

// Did-you-mean: urfave/cli's suggestions for a mistyped command or flag,
// shown only when near.

// suggestCommand is the command nearest to name, by urfave/cli's own
// suggestion function; "" when it suggests only help.
func suggestCommand(app *cli.App, name string) string {
	if cli.SuggestCommand == nil {
		return ""
	}
	var cmds []*cli.Command
	for _, c := range app.Commands {
		if !c.Hidden {
			cmds = append(cmds, c)
		}
	}
	// SuggestCommand answers in its template, `Did you mean "status"?`.
	_, quoted, ok := strings.Cut(cli.SuggestCommand(cmds, name), `"`)
	s, _, _ := strings.Cut(quoted, `"`)
	if !ok || s == "help" || s == "h" || !near(name, s) {
		return ""
	}
	return s
}

// near reports whether urfave/cli's suggestion is worth showing: it picks
// the nearest name by Jaro-Winkler similarity however far it is (--json
// for --domain), so kmsctl shows it only above 0.8, with the measure and
// parameters urfave/cli uses (xrash/smetrics, boost threshold 0.7, prefix 4).
func near(typed, suggested string) bool {
	return smetrics.JaroWinkler(typed, suggested, 0.7, 4) >= 0.8
}

// suggestFlag is urfave/cli's suggestion, "" when built without it
// (the urfave_cli_no_suggest tag).
func suggestFlag(flags []cli.Flag, name string) string {
	if cli.SuggestFlag == nil {
		return ""
	}
	return cli.SuggestFlag(flags, name, true)
}

// needsSubcommand is the Action of a command that only groups others
// (host, client, dns): without one, or with a word that is none, a usage
// error naming them, exit 2 — never the help with exit 0, which a script
// would take for success.
func needsSubcommand(c *cli.Context) error {
	var names, hints []string
	for _, s := range c.Command.Subcommands {
		if !s.Hidden {
			names = append(names, s.Name)
			hints = append(hints, "kmsctl "+c.Command.Name+" "+s.Name+" --help")
		}
	}
	if c.NArg() == 0 {
		return &failure.UsageError{Msg: c.Command.Name + " needs " + prose.List(names, "or"), Hint: prose.List(hints, "or")}
	}
	typed := c.Args().First()
	u := &failure.UsageError{Msg: fmt.Sprintf("%q is not a command of kmsctl %s: it has %s", typed, c.Command.Name, prose.List(names, "and")), Hint: prose.List(hints, "or")}
	for _, n := range names {
		if near(typed, n) {
			u.Hint = "did you mean kmsctl " + c.Command.Name + " " + n + "?"
		}
	}
	return u
}
