package commands

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/failure"
)

// choiceFlag is a string flag whose value is one of a fixed list: the
// command checks what was given against choices (chosen), and __complete
// offers the same list, so the two cannot drift apart.
type choiceFlag struct {
	*cli.StringFlag
	choices []string
	names   []string // set by fastNames
}

// Names is the flag's names, computed once when fastNames has run.
func (c *choiceFlag) Names() []string {
	if c.names != nil {
		return c.names
	}
	return c.StringFlag.Names()
}

// String renders c itself, so that the rendering asks c for its names.
func (c *choiceFlag) String() string { return cli.FlagStringer(c) }

// choicesOf returns the values flag f accepts, nil when it is not a
// choiceFlag (it takes free text, or its values are listed elsewhere).
func choicesOf(f cli.Flag) []string {
	if c, ok := f.(*choiceFlag); ok {
		return c.choices
	}
	return nil
}

// The output formats of the commands that have --format/-o.
var (
	// status: its tables, JSON, TSV and the Prometheus text format.
	statusFormats = []string{"table", "wide", "json", "tsv", "prometheus"}
	// log, host log, client dli: the views status has, less Prometheus.
	tableFormats = []string{"table", "wide", "json", "tsv"}
	// host dlv: slmgr's text layout, JSON, TSV.
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
	// explain: the explanation of a code (without one, the list of codes
	// in columns), JSON, and tab-separated lines (code, decimal, name).
	explainFormats = []string{"text", "json", "tsv"}
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

// chosen returns the value given to c's choice flag name ("" when none
// was), or a usage error listing the flag's choices when it is not one.
func chosen(c *cli.Context, name string) (string, error) {
	if c.Command == nil {
		return c.String(name), nil
	}
	return choose(c.Command, name, c.String(name))
}

// choose returns v, the value given to cmd's choice flag name ("" when
// none was), or a usage error listing the flag's choices when it is not
// one of them.
func choose(cmd *cli.Command, name, v string) (string, error) {
	if v == "" {
		return v, nil
	}
	for _, f := range cmd.Flags {
		if !slices.Contains(f.Names(), name) {
			continue
		}
		if ch := choicesOf(f); ch != nil && !slices.Contains(ch, v) {
			// Named as the help does, the short form too (-o/--format):
			// the user may have typed either.
			short, long := "", "--"+name
			for _, n := range f.Names() {
				if len(n) == 1 {
					short = "-" + n
				}
			}
			spelled, use := long, long
			if short != "" {
				spelled, use = short+"/"+long, short
			}
			return "", &failure.UsageError{Msg: spelled + " " + v + " is not known", Hint: "use " + use + " " + strings.Join(ch, "|")}
		}
	}
	return v, nil
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
		return "", &failure.UsageError{Msg: "--json and --format " + f + " ask for different output", Hint: "give one of them"}
	case asJSON:
		return "json", nil
	}
	return f, nil
}
