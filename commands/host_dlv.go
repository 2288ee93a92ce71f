package commands

import (
	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/kmshost"
)

func hostDLVCommand(env *Env) *cli.Command {
	return &cli.Command{
		Name:      "dlv",
		Usage:     "show the KMS host block of slmgr /dlv: count, port, DNS, priority, intervals, requests",
		ArgsUsage: "HOST[:PORT]",
		Description: `Shows, for each KMS host key installed on the host, what slmgr /dlv prints
there: Key Management Service enabled, current count, listening port, DNS
publishing, KMS priority, activation and renewal intervals, host caching, and
the cumulative requests received (total, failed, by license status). On a
terminal slmgr's own layout (-o text); piped, one tab-separated line per
host key (-o tsv); -o json, everything.

Examples:
   kmsctl host dlv kms01.corp.example.com --user 'CORP\kmsaudit' --https
   kmsctl host dlv 10.0.0.5:5985 --user Administrator --auth basic --password-env PW --json`,
		Flags: append(hostReadFlags(),
			newFormatFlag("Output", "output `FORMAT`: text (slmgr's layout, default on a terminal), json or tsv (default when piped)", textFormats)),
		Action: func(c *cli.Context) error {
			format, err := tableFormat(env, c)
			if err != nil {
				return err
			}
			if err := wantArgs(c, "host dlv", 1, 1, "HOST --user USER"); err != nil {
				return err
			}
			out := env.Streams(c)
			if c.Bool("show-script") {
				return out.HostScript(kmshost.CountersScript, kmshost.CommandLine(kmshost.CountersScript))
			}
			cl, err := hostClient(env, c)
			if err != nil {
				return err
			}
			counters, err := cl.KMSHost(c.Context)
			if err != nil {
				return err
			}
			return out.HostDLV(c.Args().First(), cl.Addr(), counters, format)
		},
	}
}
