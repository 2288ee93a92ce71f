package commands

import (
	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/output"
)

// -o/--format: each command's formats (a choiceFlag), and how --json and
// -o are read together.

// The output formats of the commands that have --format/-o.
var (
	// status: its tables, JSON, TSV and the Prometheus text format.
	statusFormats = []string{"table", "wide", "json", "tsv", "prometheus"}
	// log, host log, client dli: the views status has, less Prometheus.
	tableFormats = []string{"table", "wide", "json", "tsv"}
	// host dlv: slmgr's text layout, JSON, TSV; explain: the explanation
	// of a code (without one, the list of codes in columns), JSON, and
	// tab-separated lines (code, decimal, name).
	textFormats = []string{"text", "json", "tsv"}
	// host audit: its report, JSON, TSV records and the Prometheus text
	// format.
	auditFormats = []string{"table", "json", "tsv", "prometheus"}
	// dns check: its table of records (wide: nothing cut, as when piped)
	// and JSON; the zone file lines follow the table, so no TSV.
	dnsFormats = []string{"table", "wide", "json"}
	// dli, dlv, xpr, the other slmgr verbs and version: their text (slmgr's
	// layout and words) and JSON.
	textJSONFormats = []string{"text", "json"}
)

// newFormatFlag is --format/-o in the help's category, taking formats;
// usage says what each one is.
func newFormatFlag(category, usage string, formats []string) *choiceFlag {
	return &choiceFlag{StringFlag: &cli.StringFlag{Name: "format", Category: category, Aliases: []string{"o"}, Usage: usage}, choices: formats}
}

// textFormatFlag is --format/-o of a command whose one view for people
// is text: the slmgr verbs and version.
func textFormatFlag() *choiceFlag {
	return newFormatFlag("", "output `FORMAT`: text (the default) or json", textJSONFormats)
}

// wantJSON reads --json and -o/--format of a command whose views are text
// and JSON (checked), into env.json.
func wantJSON(env *Env, c *cli.Context) error {
	_, err := tableFormat(env, c)
	return err
}

// checkFormat is outputFormat for a command with --check, which prints
// its own format (Nagios' one line): with check, a usage error naming the
// format flag given, other than -o table.
func checkFormat(c *cli.Context, check bool) (string, error) {
	f, err := outputFormat(c)
	if err == nil && check && f != "" && f != "table" {
		given := "-o " + f
		if c.Bool("json") {
			given = "--json"
		}
		return "", &failure.UsageError{Msg: "--check prints its own format, not " + given, Hint: "drop " + given + " or --check"}
	}
	return f, err
}

// outputFormat reads --format/-o and --json together: "json" for --json,
// the format given (checked by chosen) otherwise, "" for neither; a usage
// error when the two ask for different output.
func outputFormat(c *cli.Context) (string, error) {
	f, err := chosen(c, "format")
	if err != nil {
		return "", err
	}
	return withJSON(c.Bool("json"), f)
}

// withJSON is format f (checked) with --json given or not: "json" for
// --json, f otherwise; a usage error when the two ask for different
// output.
func withJSON(asJSON bool, f string) (string, error) {
	switch {
	case asJSON && f != "" && f != "json":
		return "", &failure.UsageError{Msg: "--json and -o/--format " + f + " ask for different output", Hint: "give one of them"}
	case asJSON:
		return "json", nil
	}
	return f, nil
}

// formatFlag is --format/-o of log, host log and client dli (tableFormats),
// in the help's category.
func formatFlag(category string) *choiceFlag {
	return newFormatFlag(category, "output `FORMAT`: table (default on a terminal: 80 columns), wide (every detail), json or tsv (default when piped)", tableFormats)
}

// tableFormat reads --format and --json of a command that has both
// (checked against its format flag's formats), and sets env.json for
// errors.
func tableFormat(env *Env, c *cli.Context) (output.View, error) {
	format, err := outputFormat(c)
	env.json = c.Bool("json") || format == "json"
	return output.View(format), err
}
