package commands

import (
	"context"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/cmdline"
	"github.com/kmsctl/kmsctl/discovery"
	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/license"
	"github.com/kmsctl/kmsctl/limit"
	"github.com/kmsctl/kmsctl/output"
	"github.com/kmsctl/kmsctl/probe"
)

func dnsCommand(env *Env) *cli.Command {
	return &cli.Command{
		Name:  "dns",
		Usage: "check how KMS hosts are published in DNS",
		Description: `Examples:
   kmsctl dns check corp.example.com
   kmsctl dns check --dns-server 10.0.0.53 --json`,
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
				&cli.DurationFlag{Name: "timeout", Value: 5 * time.Second, Usage: "give up on a host after `DURATION`"},
				&cli.DurationFlag{Name: "deadline", Value: 30 * time.Second, Usage: "bound the whole check to `DURATION`"},
				&cli.BoolFlag{Name: "json", Usage: "print JSON"},
			},
			Action: func(c *cli.Context) error {
				env.json = c.Bool("json")
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
				if werr := env.Streams(c).DNSCheck(rep, err, output.ViewOf(env.json)); werr != nil {
					return werr
				}
				return failure.DNSCheck(rep, err)
			},
		}},
	}
}

// discoveryOptions turns the global --dns-server and --no-weight into
// discovery options.
func (e *Env) discoveryOptions(c *cli.Context) (discovery.Options, error) {
	o := discovery.Options{Clock: e.Clock, NoWeight: c.Bool("no-weight"), QueryTimeout: queryTimeout(c)}
	if e.DNSConfig != nil {
		cfg, err := e.DNSConfig()
		if err != nil && c.String("dns-server") == "" {
			return o, err
		}
		o.Config = cfg
	}
	if s := c.String("dns-server"); s != "" {
		addr, err := discovery.ParseServer(s)
		if err != nil {
			return o, &failure.UsageError{Msg: "--dns-server " + s + ": " + err.Error(), Hint: "give HOST[:PORT], e.g. --dns-server 10.0.0.53"}
		}
		o.Server = addr
	}
	return o, nil
}

// queryTimeout is the limit of one DNS query: the command's --timeout,
// bounded by its --deadline; 0 (discovery's default) for a command with
// neither.
func queryTimeout(c *cli.Context) time.Duration {
	var d time.Duration
	if c.Command != nil && cmdline.IsFlag(c.Command.Flags, "timeout") {
		d = c.Duration("timeout")
	}
	if dl := c.Duration("deadline"); dl > 0 && (d <= 0 || dl < d) {
		d = dl
	}
	return d
}

// configuredDomain is the skms-domain setting, or "" when none is stored
// (or the store cannot be read: the lookup then uses the search domains).
func (e *Env) configuredDomain(c *cli.Context) string {
	s, err := e.store(c)
	if err != nil {
		return ""
	}
	st, err := s.Load()
	if err != nil {
		return ""
	}
	return st.KMS.LookupDomain
}

// discover is how ato, renew and status find hosts when none is given:
// DNS SRV records, through --dns-server or the system's resolver.
func (e *Env) discover(c *cli.Context) license.DiscoverFunc {
	if e.Discover != nil {
		return e.Discover
	}
	return func(ctx context.Context, domain string) ([]license.Found, error) {
		opts, err := e.discoveryOptions(c)
		if err != nil {
			return nil, err
		}
		// The whole discovery fits in --timeout, however many search
		// domains, servers and targets it goes through.
		d := c.Duration("timeout")
		if d <= 0 {
			d = 5 * time.Second
		}
		ctx, cancel := limit.With(ctx, limit.Timeout, d)
		defer cancel()
		r, err := discovery.Discover(ctx, domain, opts)
		if err != nil {
			return nil, err
		}
		var found []license.Found
		for i := range r.Hosts {
			h := &r.Hosts[i]
			for _, a := range h.Addresses() {
				found = append(found, license.Found{Name: h.Name(), Addr: a})
			}
		}
		if len(found) == 0 && len(r.Hosts) > 0 {
			// Records, but no target resolves: say why, not "no records".
			return nil, r.Hosts[0].Err
		}
		return found, nil
	}
}
