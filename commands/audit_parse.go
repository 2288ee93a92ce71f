package commands

import (
	"fmt"
	"strconv"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/audit"
	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/kmshost"
)

// auditOptions is a host audit command line, checked.
type auditOptions struct {
	format string // "" (table on a terminal, tsv piped), table, json, tsv or prometheus
	check  bool
	file   string // --file; "" reads the host over WinRM
	query  kmshost.LogQuery
	limits audit.CheckLimits
	margin time.Duration
}

// parseAudit checks host audit's arguments before any work starts.
func parseAudit(env *Env, c *cli.Context) (auditOptions, error) {
	o := auditOptions{check: c.Bool("check"), file: c.String("file"), margin: c.Generic("margin").(*span).d,
		query:  kmshost.LogQuery{Max: c.Int("max"), Since: auditSince},
		limits: audit.CheckLimits{WarnDays: c.Float64("warn-days"), CritDays: c.Float64("crit-days")}}
	var err error
	o.format, err = auditFormat(c)
	if err != nil {
		return o, err
	}
	env.json, env.check = o.format == "json", o.check
	if o.file == "" {
		if err := wantArgs(c, "host audit", 1, 1, "HOST --user USER, or --file FILE"); err != nil {
			return o, err
		}
	} else if c.NArg() > 0 {
		return o, &failure.UsageError{Msg: "host audit takes a HOST or --file, not both", Hint: "kmsctl host audit --file kms.xml"}
	}
	if err := checkLimits(o.limits, o.margin); err != nil {
		return o, err
	}
	if o.file != "" {
		for _, f := range []string{"since", "max", "show-script", "https", "user", "password-env", "password", "port", "auth", "insecure-skip-verify"} {
			if c.IsSet(f) && !(f == "user" && env.Getenv("KMSCTL_WINRM_USER") != "") {
				return o, &failure.UsageError{Msg: "--" + f + " does not apply to --file", Hint: "kmsctl host audit --file FILE"}
			}
		}
		return o, nil
	}
	if s := c.String("since"); s != "" {
		if o.query.Since, err = kmshost.ParseSpan(s); err != nil {
			return o, &failure.UsageError{Msg: "--since " + strconv.Quote(s) + ": " + err.Error(), Hint: "give a span such as 45d"}
		}
	}
	if err := o.query.Validate(); err != nil {
		return o, &failure.UsageError{Msg: err.Error(), Hint: "kmsctl host audit HOST --since 60d --max 100000"}
	}
	return o, nil
}

// checkLimits checks --warn-days, --crit-days and --margin.
func checkLimits(lim audit.CheckLimits, margin time.Duration) error {
	switch {
	case lim.CritDays < 0 || lim.WarnDays < 0:
		return &failure.UsageError{Msg: "--warn-days and --crit-days cannot be negative"}
	case lim.WarnDays < lim.CritDays:
		return &failure.UsageError{Msg: fmt.Sprintf("--warn-days %g is less than --crit-days %g", lim.WarnDays, lim.CritDays), Hint: "WARNING comes before CRITICAL: e.g. --warn-days 14 --crit-days 3"}
	}
	if margin >= audit.MaxMargin {
		m := (&span{margin}).String()
		return &failure.UsageError{Msg: fmt.Sprintf("--margin %s: the 7-day renewal interval plus %s reaches past the host's 30-day count, so a silent client would leave the count before it could be called fallen off", m, m),
			Hint: fmt.Sprintf("give less than %s, e.g. --margin 2d", (&span{audit.MaxMargin}).String())}
	}
	return nil
}

// auditFormat reads --format/-o and --json; --check prints its own
// format, so it takes neither.
func auditFormat(c *cli.Context) (string, error) {
	return checkFormat(c, c.Bool("check"))
}
