package commands

import (
	"context"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/discovery"
	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/limit"
	"github.com/kmsctl/kmsctl/probe"
)

func dnsCommand(env *Env) *cli.Command {
	return &cli.Command{
		Name:  "dns",
		Usage: "check how KMS hosts are published in DNS",
		Description: `Examples:
   kmsctl dns check corp.example.com
   kmsctl dns check --dns-server 10.0.0.53 --json`,
		Action: needsSubcommand,
		Subcommands: []*cli.Command{{
			Name:      "check",
			Usage:     "show the _vlmcs._tcp SRV records of a domain and whether each host answers KMS",
			ArgsUsage: "[DOMAIN]",
			Description: `Looks up _vlmcs._tcp.DOMAIN (without DOMAIN: the configured KMS domain, else
this machine's DNS search domains, as Windows clients do), resolves every
target, probes each address on its port with one KMS request from this
machine's identity, flags duplicate and dead records, and prints the
zone-file line for each record.

Exit status: 0 every record answers; 1 some record is dead or duplicated;
2 the lookup failed or bad usage.

Examples:
   kmsctl dns check corp.example.com
   kmsctl dns check --dns-server 10.0.0.53:53 corp.example.com --json`,
			Flags: []cli.Flag{
				&cli.DurationFlag{Name: "timeout", Value: limit.DefaultTimeout, Usage: "give up on a host after `DURATION`"},
				&cli.DurationFlag{Name: "deadline", Value: 30 * time.Second, Usage: "bound the whole check to `DURATION`"},
				&cli.BoolFlag{Name: "json", Usage: "print JSON"},
				newFormatFlag("", "output `FORMAT`: table (default on a terminal: 80 columns), wide (nothing cut, default when piped) or json", dnsFormats),
			},
			Action: func(c *cli.Context) error {
				format, err := tableFormat(env, c)
				if err != nil {
					return err
				}
				if c.NArg() > 1 {
					return &failure.UsageError{Msg: "dns check takes one domain", Hint: "kmsctl dns check corp.example.com"}
				}
				domain := c.Args().First()
				opts, err := env.discoveryOptions(c)
				if err != nil {
					return err
				}
				ctx, cancel := limit.With(c.Context, limit.Deadline, c.Duration("deadline"))
				defer cancel()
				if domain == "" {
					domain = env.configuredDomain(c)
				}
				who, err := env.identity(ctx, c)
				if err != nil {
					return err
				}
				client := probe.Client{CMID: who.CMID, Workstation: who.Workstation}
				check := func(ctx context.Context, addr string) (string, error) {
					return probe.EPID(ctx, addr, client, probe.Options{Clock: env.Clock}, c.Duration("timeout"))
				}
				rep, err := discovery.Check(ctx, domain, opts, check)
				if err != nil && rep == nil {
					return err
				}
				if werr := env.Streams(c).DNSCheck(rep, err, format); werr != nil {
					return werr
				}
				return failure.DNSCheck(rep, err)
			},
		}},
	}
}
