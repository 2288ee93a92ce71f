package commands

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/audit"
	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/kmshost"
	"github.com/kmsctl/kmsctl/output"
	"github.com/kmsctl/kmsctl/selfcount"
)

// host audit: who has fallen off, and when the count falls below the
// threshold, from the host's activation log (over WinRM, or a file).

// auditSince is how far back host audit reads over WinRM by default: the
// 30-day count window and as much again, so that every client counted
// and every one that fell off is seen.
const auditSince = 2 * kmsclient.CountWindow

func hostAuditCommand(env *Env) *cli.Command {
	return &cli.Command{
		Name:      "audit",
		Usage:     "forecast the count: who fell off, the day it drops below the threshold",
		ArgsUsage: "HOST[:PORT] | --file FILE",
		Description: `Reads the host's "Key Management Service" log (events 12290, over WinRM as
host log does, or an exported file) and shows, per product family (Windows
clients and servers share the Windows pool; Office counts apart): how many
clients the host counts now, which have stopped asking (silent for longer
than the 7-day renewal interval plus --margin), and the day the count will
fall below the family's threshold if they stay away (each leaves the count
30 days after its last request). kmsctl's own CMID, which the host counts
when kmsctl asked it, is left out and named.

--file reads what an admin can export on the host:
   wevtutil qe "Key Management Service" /f:xml > kms.xml
   Get-WinEvent -LogName 'Key Management Service' | ConvertTo-Json > kms.json

Exit status: 0 read (whatever the forecast); 2 the log could not be read, or
bad usage. With --check: Nagios' 0 OK, 1 WARNING (below within --warn-days),
2 CRITICAL (within --crit-days, or already below), 3 UNKNOWN.

Examples:
   kmsctl host audit kms01.corp.example.com --user 'CORP\kmsaudit' --https
   kmsctl host audit --file kms.xml
   kmsctl host audit --file kms.json --check --warn-days 21
   kmsctl host audit kms01.corp.example.com --user 'CORP\kmsaudit' --password-env PW -o prometheus`,
		Flags: append(hostReadFlags(),
			&cli.StringFlag{Name: "file", Category: "Events", Usage: "read an exported log `FILE` (wevtutil XML or Get-WinEvent JSON) instead of a host"},
			&cli.StringFlag{Name: "since", Category: "Events", Usage: "over WinRM: read the events of the last `SPAN` (e.g. 45d)", DefaultText: "60d"},
			&cli.IntFlag{Name: "max", Category: "Events", Value: kmshost.MaxEvents, Usage: "over WinRM: read at most `N` events, the newest"},
			&cli.GenericFlag{Name: "margin", Category: "Events", Value: &span{audit.DefaultMargin}, Usage: "a client silent for longer than the renewal interval plus `SPAN` (e.g. 36h, 2d) has fallen off"},
			newFormatFlag("Output", "output `FORMAT`: table (default; TSV when piped), json or prometheus", auditFormats),
			&cli.BoolFlag{Name: "check", Category: "Monitoring", Usage: "act as a Nagios/Icinga plugin: one status line, performance data, exit 0-3"},
			&cli.Float64Flag{Name: "warn-days", Category: "Monitoring", Value: 14, Usage: "with --check: WARNING when a count falls below its threshold within `DAYS`"},
			&cli.Float64Flag{Name: "crit-days", Category: "Monitoring", Value: 3, Usage: "with --check: CRITICAL when within `DAYS` (or already below)"},
		),
		Action: func(c *cli.Context) error {
			format, err := auditFormat(c)
			if err != nil {
				return err
			}
			env.json = format == "json"
			env.check = c.Bool("check")
			file := c.String("file")
			if file == "" {
				if err := wantArgs(c, "host audit", 1, 1, "HOST --user USER, or --file FILE"); err != nil {
					return err
				}
			} else if c.NArg() > 0 {
				return &failure.UsageError{Msg: "host audit takes a HOST or --file, not both", Hint: "kmsctl host audit --file kms.xml"}
			}
			lim := output.AuditCheckLimits{WarnDays: c.Float64("warn-days"), CritDays: c.Float64("crit-days")}
			switch {
			case lim.CritDays < 0 || lim.WarnDays < 0:
				return &failure.UsageError{Msg: "--warn-days and --crit-days cannot be negative"}
			case lim.WarnDays < lim.CritDays:
				return &failure.UsageError{Msg: fmt.Sprintf("--warn-days %g is less than --crit-days %g", lim.WarnDays, lim.CritDays), Hint: "WARNING comes before CRITICAL: e.g. --warn-days 14 --crit-days 3"}
			}
			q := kmshost.LogQuery{Max: c.Int("max"), Since: auditSince}
			if file == "" {
				if s := c.String("since"); s != "" {
					if q.Since, err = kmshost.ParseSpan(s); err != nil {
						return &failure.UsageError{Msg: "--since " + strconv.Quote(s) + ": " + err.Error(), Hint: "give a span such as 45d"}
					}
				}
				if err := q.Validate(); err != nil {
					return &failure.UsageError{Msg: err.Error(), Hint: "kmsctl host audit HOST --since 60d --max 100000"}
				}
			} else {
				for _, f := range []string{"since", "max", "show-script", "https", "user", "password-env", "password", "port", "auth", "insecure-skip-verify"} {
					if c.IsSet(f) && !(f == "user" && env.Getenv("KMSCTL_WINRM_USER") != "") {
						return &failure.UsageError{Msg: "--" + f + " does not apply to --file", Hint: "kmsctl host audit --file FILE"}
					}
				}
			}
			out := env.Streams(c)
			if c.Bool("show-script") {
				script, _ := kmshost.LogScript(q)
				return out.HostScript(script, kmshost.CommandLine(script))
			}
			self, err := selfCMIDs(env, c)
			if err != nil {
				return err
			}
			opts := audit.Options{Margin: c.Generic("margin").(*span).d, Self: self}
			var src output.AuditSource
			var a *audit.Auditor
			if file != "" {
				opts.Now = env.Clock.Now()
				a = audit.New(opts)
				s, err := audit.ReadFile(file, a.Add)
				var open *audit.OpenError
				if errors.As(err, &open) {
					return err
				} else if err != nil {
					return fmt.Errorf("%s: %w", file, err)
				}
				src = output.AuditSource{File: file, Format: s.Format}
			} else {
				cl, l, err := hostEvents(env, c, q)
				if err != nil {
					return err
				}
				opts.Now, opts.Truncated = l.Now, len(l.Events) >= q.Max
				// The host's own figures, when it gives them: its renewal
				// interval (VLRenewalInterval) and current counts. The audit
				// stands without them.
				if cn, err := cl.Counters(c.Context); err != nil {
					out.Warning("the host's WMI counters could not be read, so its renewal interval is taken as Windows' default and its counts are not compared: " + err.Error())
				} else {
					if ri := cn.Service.RenewalInterval; ri != nil && *ri > 0 {
						opts.RenewalInterval = time.Duration(*ri) * time.Minute
					}
					opts.HostCounts = map[audit.Pool]int64{}
					for _, p := range cn.KMSProducts() {
						if n, ok := p.Counted(); ok {
							opts.HostCounts[audit.PoolOf(p.ApplicationID)] = n
						}
					}
				}
				a = audit.New(opts)
				for i := range l.Events {
					a.Add(&l.Events[i])
				}
				src = output.AuditSource{Host: c.Args().First(), Address: cl.Addr(), Computer: l.Computer, Format: "winrm"}
			}
			r := a.Report()
			switch {
			case env.check:
				state, err := out.AuditCheck(src, r, lim)
				if err != nil {
					return err
				}
				return failure.Check(state)
			case format == "prometheus":
				return out.AuditPrometheus(src, r)
			}
			return out.Audit(src, r, self, output.ViewOf(env.json))
		},
	}
}

// auditFormat reads --format/-o and --json.
func auditFormat(c *cli.Context) (string, error) {
	f, err := chosen(c, "format")
	switch {
	case c.Bool("json") && f != "" && f != "json":
		return "", &failure.UsageError{Msg: "--json and --format " + f + " disagree", Hint: "give one of them"}
	case c.Bool("json"):
		return "json", nil
	case err != nil:
		return "", err
	case f == "" || f == "table":
		return "table", nil
	case f == "json" || f == "prometheus":
		if c.Bool("check") {
			return "", &failure.UsageError{Msg: "--check prints its own format", Hint: "drop --format or --check"}
		}
		return f, nil
	}
	return f, nil
}

// selfCMIDs are kmsctl's own client machine IDs: the stored identity's
// CMID and the one it replaced, and every CMID the record of the hosts
// kmsctl asked holds (selfcount: one-off --cmid runs too), which a host
// keeps counting for 30 days. None when kmsctl has no identity yet.
func selfCMIDs(env *Env, c *cli.Context) ([]guid.GUID, error) {
	id, err := env.peekIdentity(c)
	if err != nil {
		return nil, err
	}
	var out []guid.GUID
	if id != nil {
		out = append(out, id.CMID, id.PreviousCMID)
	}
	dir, err := env.stateDir(c)
	if err != nil {
		return nil, err
	}
	asked, err := selfcount.List(dir)
	if err != nil {
		return nil, err
	}
	for _, a := range asked {
		if !slices.Contains(out, a.CMID) {
			out = append(out, a.CMID)
		}
	}
	return out, nil
}
