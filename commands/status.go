package commands

import (
	"strconv"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/output"
	"github.com/kmsctl/kmsctl/probe"
)

func statusCommand(env *Env) *cli.Command {
	return &cli.Command{
		Name:      "status",
		Usage:     "ask KMS hosts how many clients they count for each product group",
		ArgsUsage: "HOST[:PORT]",
		Description: `Sends one activation request per product group to the host, over one
connection, from this machine's persistent client identity, so probing a host
any number of times counts as one client there. Every reply is verified.

Exit status: 0 every group answered at or above its threshold; 1 some group
answered below its threshold; 2 the host or a group failed, or bad usage.

Examples:
   kmsctl status kms.corp.example.com
   kmsctl status [2001:db8::5]:1688 --product "Windows 11 Enterprise" --product "Office LTSC Professional Plus 2021"
   kmsctl status 10.0.0.5 --protocol 4 --json`,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "product", Aliases: []string{"p"}, Usage: "ask about the group of `NAME` (name, SKU ID, GVLK or an unambiguous part of a name; repeatable)"},
			&cli.IntFlag{Name: "protocol", Usage: "send KMS protocol version `N` (4, 5 or 6) instead of each product's own"},
			&cli.DurationFlag{Name: "timeout", Value: 5 * time.Second, Usage: "give up after `DURATION` for the whole command"},
			&cli.StringFlag{Name: "cmid", Usage: "use client machine ID `GUID` for this run instead of the stored one"},
			&cli.BoolFlag{Name: "json", Usage: "print JSON (schema in README)"},
		},
		OnUsageError: usageErr("status"),
		Action: func(c *cli.Context) error {
			env.json = c.Bool("json")
			o, err := parseStatus(c)
			if err != nil {
				return err
			}
			ctx, cancel := commandContext(c)
			defer cancel()
			who, err := env.identity(ctx, c)
			if err != nil {
				return err
			}
			hosts := []probe.Host{probe.Probe(ctx, o.host, o.targets, probe.Client{CMID: who.CMID, Workstation: who.Workstation},
				probe.Options{Clock: env.Clock})}
			return env.Streams(c).Status(hosts, o.json, false)
		},
	}
}

type statusOptions struct {
	host    string
	targets []probe.Target
	json    bool
}

// parseStatus checks the arguments before any work starts.
func parseStatus(c *cli.Context) (statusOptions, error) {
	o := statusOptions{json: c.Bool("json")}
	switch c.NArg() {
	case 1:
		o.host = c.Args().First()
	case 0:
		return o, &output.UsageError{Msg: "status needs a KMS host", Hint: "kmsctl status kms.corp.example.com[:1688]"}
	default:
		return o, &output.UsageError{Msg: "status takes one host, got " + strconv.Itoa(c.NArg()) + " arguments",
			Hint: `quote product names with spaces: kmsctl status HOST --product "Windows 10 Enterprise"`}
	}
	if _, err := probe.ParseAddress(o.host); err != nil {
		return o, err
	}
	proto := c.Int("protocol")
	if c.IsSet("protocol") && (proto < 4 || proto > 6) {
		return o, &output.UsageError{Msg: "--protocol " + strconv.Itoa(proto) + " does not exist", Hint: "use --protocol 4, 5 or 6"}
	}
	products := c.StringSlice("product")
	var ps []catalogue.Product
	if len(products) == 0 {
		ps = catalogue.DefaultProbe()
	}
	for _, name := range products {
		p, err := catalogue.Lookup(name)
		if err != nil {
			return o, err
		}
		ps = append(ps, p)
	}
	for _, p := range ps {
		o.targets = append(o.targets, probe.Target{Product: p, Protocol: proto})
	}
	return o, nil
}
