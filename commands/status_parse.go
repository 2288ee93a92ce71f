package commands

import (
	"fmt"
	"strconv"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/kmsaddr"
	"github.com/kmsctl/kmsctl/output"
	"github.com/kmsctl/kmsctl/probe"
)

// statusOptions is a status command line, checked.
type statusOptions struct {
	survey probe.Survey // the hosts (named, or none: DNS), products, bounds
	// discover: no host was named, so they come from DNS (in
	// survey.Domain, or the configured or search domains when it is "").
	discover bool
	format   string // "" (table on a terminal, TSV when piped), table, wide, json, tsv, prometheus
	check    bool
	limits   probe.Limits
	// countSelf grades on the host's raw count, kmsctl's own client
	// included (--count-self).
	countSelf bool
	output    string // --output FILE; "" for stdout
}

// parseStatus checks the arguments before any work starts.
func parseStatus(env *Env, c *cli.Context) (statusOptions, error) {
	o := statusOptions{check: c.Bool("check"), countSelf: c.Bool("count-self"), output: c.String("output")}
	o.survey = probe.Survey{Options: probe.Options{Clock: env.Clock, HostTimeout: c.Duration("timeout")},
		Concurrency: c.Int("concurrency"), Deadline: c.Duration("deadline"), Domain: c.String("domain")}
	if err := o.parseOutput(c); err != nil {
		return o, err
	}
	if o.survey.Options.HostTimeout <= 0 {
		return o, &failure.UsageError{Msg: "--timeout must be positive", Hint: "e.g. --timeout 5s"}
	}
	if o.survey.Concurrency < 1 {
		return o, &failure.UsageError{Msg: "--concurrency must be 1 or more"}
	}
	if err := o.parseHosts(env, c); err != nil {
		return o, err
	}
	proto := c.Int("protocol")
	if c.IsSet("protocol") && (proto < 4 || proto > 6) {
		return o, &failure.UsageError{Msg: "--protocol " + strconv.Itoa(proto) + " does not exist", Hint: "use --protocol 4, 5 or 6"}
	}
	// The same product named twice (by name, SKU ID or GVLK) is probed
	// once, as hosts are. The note names the product, never the key given.
	targets, again, err := probe.Targets(c.StringSlice("product"), proto)
	for _, p := range again {
		env.Streams(c).Note(p.Name + " is given to --product more than once; it is probed once")
	}
	o.survey.Targets = targets
	return o, err
}

// parseHosts reads the hosts named as arguments and in --hosts-file; with
// none, they come from DNS (--domain, or the configured or search domains),
// as Windows clients find them.
func (o *statusOptions) parseHosts(env *Env, c *cli.Context) error {
	hosts, dups, err := probe.Named(c.Args().Slice(), c.String("hosts-file"), env.Stdin)
	if err != nil {
		return err
	}
	noteDuplicates(env.Streams(c), dups, "probed")
	if o.survey.Domain != "" && len(hosts) > 0 {
		return &failure.UsageError{Msg: "give hosts or --domain, not both", Hint: "kmsctl status --domain corp.example.com"}
	}
	o.survey.Hosts, o.discover = hosts, len(hosts) == 0
	for _, h := range hosts {
		if _, err := kmsaddr.Parse(h); err != nil {
			return err
		}
	}
	return nil
}

// parseOutput checks --json, --format and --check with its limits.
func (o *statusOptions) parseOutput(c *cli.Context) error {
	f, err := checkFormat(c, o.check)
	if err != nil {
		return err
	}
	o.format = f
	for _, f := range []string{"warn-below", "crit-below", "max-latency"} {
		if c.IsSet(f) && !o.check {
			return &failure.UsageError{Msg: "--" + f + " only applies with --check", Hint: "kmsctl status HOST --check --" + f + " ..."}
		}
	}
	o.limits = probe.Limits{WarnBelow: c.Int("warn-below"), CritBelow: c.Int("crit-below"), MaxLatency: c.Duration("max-latency")}
	if o.limits.WarnBelow < 0 || o.limits.CritBelow < 0 {
		return &failure.UsageError{Msg: "--warn-below and --crit-below take a count of 1 or more"}
	}
	if c.IsSet("warn-below") && c.IsSet("crit-below") && o.limits.WarnBelow < o.limits.CritBelow {
		return &failure.UsageError{Msg: fmt.Sprintf("--warn-below %d is lower than --crit-below %d", o.limits.WarnBelow, o.limits.CritBelow),
			Hint: "WARNING comes before CRITICAL: give --warn-below at least --crit-below"}
	}
	return nil
}

// noteDuplicates says on stderr which hosts were named more than once (or
// by two spellings of one host) and are done once: "probed" or "read".
// A host listed three times is one note, not two.
func noteDuplicates(out *output.Streams, dups []probe.Duplicate, done string) {
	said := map[probe.Duplicate]bool{}
	for _, d := range dups {
		if said[d] {
			continue
		}
		said[d] = true
		if d.First == d.Again {
			out.Note(d.Again + " is listed more than once; it is " + done + " once")
		} else {
			out.Note(d.Again + " is the same host as " + d.First + "; it is " + done + " once")
		}
	}
}
