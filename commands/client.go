package commands

import (
	"context"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/kmshost"
	"github.com/kmsctl/kmsctl/limit"
	"github.com/kmsctl/kmsctl/output"
	"github.com/kmsctl/kmsctl/probe"
)

// client: Windows KMS clients read over WinRM, the other side of the
// host's count.

func clientCommand(env *Env) *cli.Command {
	return &cli.Command{
		Name:  "client",
		Usage: "read Windows KMS clients over WinRM: license state and their last contact with a KMS host",
		Description: `Reads what a Windows machine knows about its own KMS activation, over WinRM
with the same transport and credentials as host: its volume products
(SoftwareLicensingProduct: name, partial key, license status and reason,
time left, KMS host set or discovered), its CMID, and its own events 12288
(request sent) and 12289 (answer processed) from its Application log: the
host it tried, the result, the count the host reported. One fixed
PowerShell script (--show-script); nothing you type is placed in it.

Examples:
   kmsctl client dli pc-0377.corp.example.com --user 'CORP\kmsaudit' --https
   kmsctl client dli --hosts-file clients.txt --user 'CORP\kmsaudit' --password-env PW`,
		Subcommands: []*cli.Command{clientDLICommand(env)},
		Action:      needsSubcommand,
	}
}

func clientDLICommand(env *Env) *cli.Command {
	return &cli.Command{
		Name:      "dli",
		Usage:     "a Windows client's KMS license state and last contact; many: one line each",
		ArgsUsage: "HOST[:PORT]... | --hosts-file FILE",
		Description: `One client: slmgr /dli's view of each product with a key (License Status,
time left, the KMS host set or found in DNS, the host's ePID), then the last
contact from the client's own events and, when its renewals or activations
fail, since when.

Several clients (arguments or --hosts-file, one per line, # comments), read
--concurrency at a time: one line each with its status (licensed, renewal
failing, grace, notification, unlicensed, unreadable), the days left in that
state, since when it fails and the last result (with the count the host
reported), in 80 columns on a terminal (long names cut with "…"); -o wide
adds the computer name, the last contact and the last host tried; -o tsv
(the default when piped) and -o json every field. -o tsv with one client
gives its line instead of slmgr's view.

Exit status: 0 every client read (whatever its state); 2 a client could
not be read, or bad usage; 130 Ctrl-C (the lines read so far are written,
the clients not yet read marked "not probed").

Examples:
   kmsctl client dli pc-0377.corp.example.com --user 'CORP\kmsaudit' --https
   kmsctl client dli --hosts-file clients.txt --user 'CORP\kmsaudit' --password-env PW`,
		Flags: append(hostReadFlags(),
			&cli.StringFlag{Name: "hosts-file", Category: "Clients", Usage: "read every client listed in `FILE` (one HOST[:PORT] per line, # comments; - reads standard input)"},
			&cli.IntFlag{Name: "concurrency", Category: "WinRM", Value: 16, Usage: "read at most `N` clients at once"},
			formatFlag("Output"),
		),
		Action: func(c *cli.Context) error {
			o, err := parseClientDLI(env, c)
			if err != nil {
				return err
			}
			return runClientDLI(env, c, o)
		},
	}
}

// readClients reads every client, at most n at a time (probe's worker
// pool), in input order. After Ctrl-C (ctx's cause limit.ErrInterrupted)
// the clients not yet started are not read (probe.ErrNotProbed) and a
// read under way that failed then has that for its cause
// (probe.ErrCutShort), not the host's.
func readClients(ctx context.Context, base kmshost.Config, hosts []string, targets []kmshost.Config, n int) []output.ClientResult {
	out := make([]output.ClientResult, len(hosts))
	eachWinRM(base, len(hosts), n, func(i int, cfg *kmshost.Config) {
		cfg.Host = targets[i].Host
		if targets[i].Port != 0 {
			cfg.Port = targets[i].Port
		}
	}, func(i int, cfg kmshost.Config, cl *kmshost.Client, err error) {
		out[i] = output.ClientResult{Host: hosts[i], Address: cfg.Addr(), Err: err}
		switch {
		case limit.Interrupted(ctx):
			out[i].Err = probe.ErrNotProbed
		case err == nil:
			out[i].Client, out[i].Err = cl.Client(ctx)
			if out[i].Err != nil && limit.Interrupted(ctx) {
				out[i].Err = probe.ErrCutShort
			}
		}
	})
	return out
}
