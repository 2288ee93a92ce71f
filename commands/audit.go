package commands

import (
	"os"
	"runtime/debug"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/audit"
	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/kmshost"
	"github.com/kmsctl/kmsctl/output"
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
			newFormatFlag("Output", "output `FORMAT`: table (default on a terminal), json, tsv (default when piped) or prometheus", auditFormats),
			&cli.BoolFlag{Name: "check", Category: "Monitoring", Usage: "act as a Nagios/Icinga plugin: one status line, performance data, exit 0-3"},
			&cli.Float64Flag{Name: "warn-days", Category: "Monitoring", Value: 14, Usage: "with --check: WARNING when a count falls below its threshold within `DAYS`"},
			&cli.Float64Flag{Name: "crit-days", Category: "Monitoring", Value: 3, Usage: "with --check: CRITICAL when within `DAYS` (or already below)"},
		),
		Action: func(c *cli.Context) error {
			o, err := parseAudit(env, c)
			if err != nil {
				return err
			}
			return runAudit(env, c, o)
		},
	}
}

// runAudit audits the file or the host's log and hands the report to
// output as --check, Prometheus, or the report.
func runAudit(env *Env, c *cli.Context, o auditOptions) error {
	out := env.Streams(c)
	if c.Bool("show-script") {
		script, _ := kmshost.LogScript(o.query)
		return out.HostScript(script, kmshost.CommandLine(script))
	}
	self, err := selfCMIDs(env, c)
	if err != nil {
		return err
	}
	r, src, err := auditReport(env, c, o, audit.Options{Margin: o.margin, Self: self, Now: env.Clock.Now()})
	if err != nil {
		return err
	}
	switch {
	case o.check:
		state, err := out.AuditCheck(src, r, o.limits)
		if err != nil {
			return err
		}
		return failure.Check(state)
	case o.format == "prometheus":
		return out.AuditPrometheus(src, r)
	}
	return out.Audit(src, r, self, output.View(o.format))
}

// auditReport audits the exported file (--file) or the host's log read
// over WinRM, with the host's own counters when it gives them.
func auditReport(env *Env, c *cli.Context, o auditOptions, opts audit.Options) (*audit.Report, output.AuditSource, error) {
	if o.file != "" {
		// Nearly all a large log allocates dies at once: collecting a
		// fourth as often (GOGC=400, unless the environment sets GOGC)
		// took a tenth less CPU time for a million events, for about
		// 100 MB of memory instead of 70 (scripts/bench-audit). A
		// process-wide setting, so the command makes it, not the package.
		if _, set := os.LookupEnv("GOGC"); !set {
			debug.SetGCPercent(400)
		}
		r, format, err := audit.File(o.file, opts)
		return r, output.AuditSource{File: o.file, Format: format}, err
	}
	cl, l, err := hostEvents(env, c, o.query)
	if err != nil {
		return nil, output.AuditSource{}, err
	}
	// The host's own figures, when it gives them; the audit stands
	// without them.
	cn, err := cl.Counters(c.Context)
	if err != nil {
		env.Streams(c).Warning("the host's WMI counters could not be read, so its renewal interval is taken as Windows' default and its counts are not compared: " + err.Error())
		cn = nil
	}
	return audit.HostLog(l, o.query.Max, cn, opts), output.AuditSource{Host: c.Args().First(), Address: cl.Addr(), Computer: l.Computer, Format: "winrm"}, nil
}
