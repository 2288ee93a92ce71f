package commands

import (
	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/limit"
	"github.com/kmsctl/kmsctl/output"
	"github.com/kmsctl/kmsctl/probe"
)

func statusCommand(env *Env) *cli.Command {
	return &cli.Command{
		Name:      "status",
		Usage:     "ask KMS hosts how many clients they count for each product group",
		ArgsUsage: "HOST[:PORT]...",
		Description: `Without a host (or with --domain) the hosts are found in DNS through their
_vlmcs._tcp SRV records, as Windows clients find them. Sends one activation
request per product group to each host, over one connection per host, from
this machine's persistent client identity, so probing a host any number of
times counts as one client there. Every reply is verified. Many hosts are
probed at once; results keep the input order.

The host counts kmsctl's own client too: the figures show it apart
("24+1 / 25": 24 other clients plus kmsctl), and every judgement is made on
the other clients unless --count-self.

Exit status: 0 every group answered at or above its threshold; 1 some group
answered below its threshold; 2 a host or a group failed, or bad usage. The
worst host wins. With --check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. With
--format prometheus: 0 (failures are metrics) unless the command line is
wrong or the report could not be written. Ctrl-C: what was collected is
written, the hosts not yet asked are marked "not probed", exit status 130
(--check: UNKNOWN, 3); --output FILE keeps its last complete report.

Examples:
   kmsctl status kms.corp.example.com
   kmsctl status [2001:db8::5]:1688 --product "Windows 11 Enterprise" --product "Office LTSC Professional Plus 2021"
   kmsctl status 10.0.0.5 --protocol 4 --json
   kmsctl status --hosts-file /etc/kmsctl/hosts --json
   kmsctl status --domain corp.example.com
   kmsctl status kms1 kms2 --check --max-latency 500ms
   kmsctl status --hosts-file hosts --format prometheus --output /var/lib/node_exporter/textfile/kms.prom
   kmsctl status kms01.corp.example.com --winrm --user 'CORP\kmsaudit' --https`,
		Flags: append([]cli.Flag{
			&cli.StringSliceFlag{Name: "product", Category: "Query", Aliases: []string{"p"}, Usage: "ask about the group of `NAME` (name, SKU ID, GVLK or an unambiguous part of a name; repeatable)"},
			&cli.IntFlag{Name: "protocol", Category: "Query", Usage: "send KMS protocol version `N` (4, 5 or 6) instead of each product's own"},
			&cli.DurationFlag{Name: "timeout", Category: "Connection", Value: limit.DefaultTimeout, Usage: "give up on a host after `DURATION` (with one host: the whole command)"},
			&cli.DurationFlag{Name: "deadline", Category: "Connection", Usage: "bound the whole run to `DURATION` (default: enough for every host to time out once)"},
			&cli.StringFlag{Name: "domain", Category: "Discovery", Usage: "probe the KMS hosts published in DNS for `DOMAIN` (_vlmcs._tcp SRV records)"},
			&cli.StringFlag{Name: "hosts-file", Category: "Discovery", Usage: "probe every host listed in `FILE` (one HOST[:PORT] per line, # comments; - reads standard input)"},
			&cli.IntFlag{Name: "concurrency", Category: "Connection", Value: probe.DefaultConcurrency, Usage: "probe at most `N` hosts at once"},
			&cli.StringFlag{Name: "cmid", Category: "Query", Usage: "use client machine ID `GUID` for this run instead of the stored one"},
			&cli.BoolFlag{Name: "json", Category: "Output", Usage: "print JSON (schema in README)"},
			newFormatFlag("Output", "output `FORMAT`: table (default on a terminal: 80 columns), wide (every detail), json, tsv (default when piped) or prometheus", statusFormats),
			&cli.BoolFlag{Name: "check", Category: "Monitoring", Usage: "act as a Nagios/Icinga plugin: one status line with performance data, exit 0/1/2/3"},
			&cli.IntFlag{Name: "warn-below", Category: "Monitoring", Usage: "with --check: WARNING when a count is below `N` (default: threshold + threshold/5)"},
			&cli.IntFlag{Name: "crit-below", Category: "Monitoring", Usage: "with --check: CRITICAL when a count is below `N` (default: the threshold)"},
			&cli.DurationFlag{Name: "max-latency", Category: "Monitoring", Usage: "with --check: WARNING when a host answers slower than `DURATION`"},
			&cli.BoolFlag{Name: "count-self", Category: "Monitoring", Usage: "judge each count with kmsctl's own client in it (default: only the other clients count)"},
			&cli.StringFlag{Name: "output", Category: "Output", Usage: "write the report to `FILE`, replaced atomically (for node_exporter's textfile collector)"},
		}, statusWinRMFlags()...),
		Action: func(c *cli.Context) error {
			o, err := parseStatus(env, c)
			env.json = o.format == "json"
			if err != nil {
				return err
			}
			return env.writeReport(c, o.output, func(out *output.Streams) error { return runStatus(env, c, o, out) })
		},
	}
}
