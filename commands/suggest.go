package commands

import (
	"strings"

	"github.com/urfave/cli/v2"
	"github.com/xrash/smetrics"
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
