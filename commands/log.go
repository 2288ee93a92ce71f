package commands

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/license"
	"github.com/kmsctl/kmsctl/output"
)

func logCommand(env *Env) *cli.Command {
	return &cli.Command{
		Name:      "log",
		Usage:     "show the activation journal: every contact with a KMS host",
		ArgsUsage: "[ACTIVATION-ID]",
		Description: `Lists every activation and renewal attempt recorded by ato and renew, oldest
first: time, command, host, product, protocol, CMID, result code and the count
the host reported. A table of at most 80 columns on a terminal (time to the
minute, host, product, result, count; long names cut with "…"),
-o wide for every detail, tab-separated lines when piped.
ACTIVATION-ID shows one product's entries only (installed or not: the
journal keeps the entries of products uninstalled since). A damaged line is
skipped with a warning naming it (FILE:LINE) and the rest is shown.

Examples:
   kmsctl log
   kmsctl log 85dd8b5f-eaa4-4af3-a628-cce9e77c9a03
   kmsctl log -o wide
   kmsctl log --last 10 --json`,
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "last", Usage: "show only the last `N` entries"},
			&cli.BoolFlag{Name: "json", Usage: "print JSON (schema in README)"},
			formatFlag(""),
		},
		Action: func(c *cli.Context) error {
			o, err := parseLog(env, c)
			if err != nil {
				return err
			}
			return runLog(env, c, o)
		},
	}
}

// logOptions is a log command line, checked.
type logOptions struct {
	format output.View
	only   *guid.GUID // the product asked about; nil: every product
	last   int        // --last; 0: every entry
}

// parseLog checks log's arguments.
func parseLog(env *Env, c *cli.Context) (o logOptions, err error) {
	if o.format, err = tableFormat(env, c); err != nil {
		return o, err
	}
	if err := wantArgs(c, "log", 0, 1, "[ACTIVATION-ID]"); err != nil {
		return o, err
	}
	sku, one, err := activationArg("log", c.Args().First(), false)
	if err != nil {
		return o, err
	}
	if one {
		o.only = &sku
	}
	o.last = c.Int("last")
	if c.IsSet("last") && o.last < 1 {
		return o, &failure.UsageError{Msg: "--last must be at least 1", Hint: "kmsctl log --last 10"}
	}
	return o, nil
}

// runLog reads the journal and hands what o selects to output.
func runLog(env *Env, c *cli.Context, o logOptions) error {
	store, err := env.store(c)
	if err != nil {
		return err
	}
	entries, skipped, err := store.ReadJournal()
	if err != nil {
		return err
	}
	out := env.Streams(c)
	for _, e := range skipped {
		out.Warning(fmt.Sprintf("skipped %s:%d: %v", e.Path, e.Line, e.Err))
	}
	entries = license.Select(entries, o.only, o.last)
	if len(entries) == 0 && !env.json {
		switch {
		case o.only == nil && len(skipped) > 0:
			out.Note(fmt.Sprintf("the journal has no readable entry: %d damaged line(s) skipped above", len(skipped)))
		case o.only == nil:
			out.Note("the journal is empty: ato and renew record each contact with a KMS host here")
		default:
			out.Note("the journal has no entry for " + o.only.String())
		}
	}
	return out.Journal(entries, env.Clock.Now(), o.format)
}
