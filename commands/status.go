package commands

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/clock"
	"github.com/kmsctl/kmsctl/discovery"
	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/kmsaddr"
	"github.com/kmsctl/kmsctl/limit"
	"github.com/kmsctl/kmsctl/output"
	"github.com/kmsctl/kmsctl/probe"
	"github.com/kmsctl/kmsctl/selfcount"
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
written, the hosts not yet asked are marked "not probed", exit status 130.

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
			&cli.DurationFlag{Name: "timeout", Category: "Connection", Value: 5 * time.Second, Usage: "give up on a host after `DURATION` (with one host: the whole command)"},
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

// runStatus probes the hosts and renders the results on out; a run
// interrupted by Ctrl-C renders what it has and ends in
// failure.Interrupted (exit status 130).
func runStatus(env *Env, c *cli.Context, o statusOptions, out *output.Streams) error {
	interrupted := false
	err := renderStatus(env, c, o, out, &interrupted)
	if interrupted && err != nil {
		var rep *failure.Reported
		if errors.As(err, &rep) {
			return failure.Interrupted()
		}
	}
	if interrupted && err == nil {
		return failure.Interrupted()
	}
	return err
}

// renderStatus probes the hosts and renders the results on out. Under
// --format prometheus every run that got past its command line renders a
// complete exposition: kmsctl's own failures and discovery's are metrics.
func renderStatus(env *Env, c *cli.Context, o statusOptions, out *output.Streams, interruptedp *bool) error {
	prom := o.format == "prometheus"
	run := output.PrometheusRun{}
	var discErr error
	if o.discover {
		discErr = o.discoverHosts(c.Context, env, c)
		run.Discovery = &output.PrometheusDiscovery{Domain: o.domain, Err: discErr}
		var ue *failure.UsageError
		switch {
		case discErr == nil:
		case errors.As(discErr, &ue):
			return discErr
		case o.check:
			state, err := out.CheckNoHost(discErr)
			if err != nil {
				return err
			}
			return failure.Check(state)
		case !prom:
			return discErr
		}
	}
	o.setDeadline()
	winrm, err := parseStatusWinRM(env, c, o)
	if err != nil {
		return err
	}
	ctx, cancel := limit.With(c.Context, o.deadlineKind(), o.deadline)
	defer cancel()
	var hosts []probe.Host
	selfWarning := "" // the record of kmsctl's own CMIDs could not be used
	if discErr == nil {
		who, err := env.identity(ctx, c)
		var ue *failure.UsageError
		if err != nil && (!prom || errors.As(err, &ue)) {
			return err
		}
		run.Err = err
		if err == nil {
			client := probe.Client{CMID: who.CMID, Workstation: who.Workstation}
			popts := probe.Options{Clock: env.Clock, HostTimeout: o.timeout}
			update, stop := out.Progress((o.format == "" || o.format == "table" || o.format == "wide") && !o.check && len(o.hosts) > 1)
			// Ctrl-C stops the probes (those under way end "cancelled",
			// the rest are not started) and the results so far are
			// written; the exit status is then 130.
			sigctx, sigstop := signal.NotifyContext(context.Background(), os.Interrupt)
			pctx, pcancel := context.WithCancelCause(ctx)
			unhook := context.AfterFunc(sigctx, func() { pcancel(probe.ErrInterrupted) })
			hosts = o.probe(pctx, client, popts, update)
			unhook()
			*interruptedp = errors.Is(context.Cause(pctx), probe.ErrInterrupted)
			sigstop()
			pcancel(nil)
			stop()
			// The probes may have used up the run's deadline (a stalled
			// host); the record gets its own, as long as one host's.
			rctx, rcancel := context.WithTimeout(c.Context, o.timeout)
			err := env.recordSelf(rctx, c, who.CMID, hosts)
			rcancel()
			if err != nil {
				// The counts stand (the probe itself was counted); only
				// kmsctl's older CMIDs may be missing from them: said on
				// stderr, in --check and in each answered group's JSON
				// warnings.
				run.Err = err
				selfWarning = "kmsctl's own clients may be undercounted: " + err.Error()
				switch {
				case o.format == "json":
					for i := range hosts {
						for j := range hosts[i].Groups {
							if r := hosts[i].Groups[j].Result; r != nil {
								r.Warnings = append(r.Warnings, selfWarning)
							}
						}
					}
				case !prom && !o.check:
					out.Warning(selfWarning)
				}
			}
		}
	}
	for i := range hosts {
		for j := range hosts[i].Groups {
			hosts[i].Groups[j].CountSelf = o.countSelf
		}
	}
	var wmi []output.WinRMResult
	if winrm != nil {
		wmi = winrm.read(c.Context, hosts)
	}
	switch {
	case o.check:
		var warnings []string
		if selfWarning != "" {
			warnings = append(warnings, selfWarning)
		}
		state, err := out.Check(hosts, wmi, o.limits, warnings...)
		if err != nil {
			return err
		}
		return failure.Check(state)
	case prom:
		// Hosts that are down, DNS and kmsctl's own state are data here,
		// not failures; they are also said on stderr.
		run.Hosts, run.WMI, run.End = hosts, wmi, clock.Or(env.Clock).Now()
		errs := []error{discErr, run.Err}
		for _, r := range wmi {
			errs = append(errs, r.Err)
		}
		for _, err := range errs {
			if err != nil {
				out.WriteError(err)
			}
		}
		return output.WritePrometheus(out.Out, run)
	case winrm != nil:
		if err := out.StatusWinRM(hosts, wmi, output.View(o.format), len(o.hosts) > 1); err != nil {
			return err
		}
		var wmiErrs []error
		for _, r := range wmi {
			wmiErrs = append(wmiErrs, r.Err)
		}
		return failure.Hosts(hosts, wmiErrs)
	}
	if err := out.Status(hosts, output.View(o.format), len(o.hosts) > 1); err != nil {
		return err
	}
	return failure.Hosts(hosts, nil)
}

type statusOptions struct {
	hosts       []string
	targets     []probe.Target
	format      string // "" (table on a terminal, TSV when piped), table, wide, json, tsv, prometheus
	check       bool
	limits      output.CheckLimits
	timeout     time.Duration
	deadline    time.Duration
	concurrency int
	// discover: no host was named, so they come from DNS (in domain, or
	// the configured or search domains when it is "").
	discover bool
	domain   string
	// found are the hosts DNS published, when they came from there (hosts
	// then holds their names, one per entry).
	found        []probe.Found
	deadlineFlag time.Duration
	// countSelf grades on the host's raw count, kmsctl's own client
	// included (--count-self).
	countSelf bool
	output    string // --output FILE; "" for stdout
}

// probe asks every host, named or found in DNS; results stay in order.
func (o *statusOptions) probe(ctx context.Context, who probe.Client, opts probe.Options, progress func(done, total int)) []probe.Host {
	if o.found != nil {
		return probe.Discovered(ctx, o.found, o.targets, who, opts, o.concurrency, progress)
	}
	return probe.Fleet(ctx, o.hosts, o.targets, who, opts, o.concurrency, progress)
}

// deadlineKind names the limit of the whole run: --deadline when given,
// else --timeout, from which the default deadline is made.
func (o *statusOptions) deadlineKind() limit.Kind {
	if o.deadlineFlag > 0 {
		return limit.Deadline
	}
	return limit.Timeout
}

// setDeadline bounds the run: --deadline, or enough for every host to time
// out once, worker by worker.
func (o *statusOptions) setDeadline() {
	o.deadline = o.deadlineFlag
	if o.deadline <= 0 {
		rounds := (len(o.hosts) + o.concurrency - 1) / o.concurrency
		o.deadline = time.Duration(max(rounds, 1)) * o.timeout
	}
}

// discoverHosts fills o.hosts from the _vlmcs._tcp records.
func (o *statusOptions) discoverHosts(ctx context.Context, env *Env, c *cli.Context) error {
	domain := o.domain
	if domain == "" {
		domain = env.configuredDomain(c)
	}
	opts, err := env.discoveryOptions(c)
	if err != nil {
		return err
	}
	ctx, cancel := limit.With(ctx, limit.Timeout, o.timeout)
	defer cancel()
	r, err := discovery.Discover(ctx, domain, opts)
	if err != nil {
		return err
	}
	o.found = probe.FoundHosts(r, 0)
	for _, f := range o.found {
		o.hosts = append(o.hosts, f.Name)
	}
	return nil
}

// parseStatus checks the arguments before any work starts.
func parseStatus(env *Env, c *cli.Context) (statusOptions, error) {
	o := statusOptions{check: c.Bool("check"), timeout: c.Duration("timeout"), concurrency: c.Int("concurrency"),
		countSelf: c.Bool("count-self"), output: c.String("output")}
	switch f, err := chosen(c, "format"); {
	case c.Bool("json") && f != "" && f != "json":
		return o, &failure.UsageError{Msg: "--json and --format " + f + " disagree", Hint: "give one of them"}
	case c.Bool("json"):
		o.format = "json"
	case err != nil:
		return o, err
	default:
		o.format = f
	}
	if o.check && o.format != "" && o.format != "table" {
		return o, &failure.UsageError{Msg: "--check prints its own format", Hint: "drop --json / --format with --check"}
	}
	for _, f := range []string{"warn-below", "crit-below", "max-latency"} {
		if c.IsSet(f) && !o.check {
			return o, &failure.UsageError{Msg: "--" + f + " only applies with --check", Hint: "kmsctl status HOST --check --" + f + " ..."}
		}
	}
	o.limits = output.CheckLimits{WarnBelow: c.Int("warn-below"), CritBelow: c.Int("crit-below"), MaxLatency: c.Duration("max-latency")}
	if o.limits.WarnBelow < 0 || o.limits.CritBelow < 0 {
		return o, &failure.UsageError{Msg: "--warn-below and --crit-below take a count of 1 or more"}
	}
	if c.IsSet("warn-below") && c.IsSet("crit-below") && o.limits.WarnBelow < o.limits.CritBelow {
		return o, &failure.UsageError{Msg: fmt.Sprintf("--warn-below %d is lower than --crit-below %d", o.limits.WarnBelow, o.limits.CritBelow),
			Hint: "WARNING comes before CRITICAL: give --warn-below at least --crit-below"}
	}
	if c.IsSet("output") && o.output == "" {
		return o, &failure.UsageError{Msg: "--output needs a file name", Hint: "--output /var/lib/node_exporter/textfile/kms.prom"}
	}
	if o.timeout <= 0 {
		return o, &failure.UsageError{Msg: "--timeout must be positive", Hint: "e.g. --timeout 5s"}
	}
	if o.concurrency < 1 {
		return o, &failure.UsageError{Msg: "--concurrency must be 1 or more"}
	}
	o.hosts = c.Args().Slice()
	if name := c.String("hosts-file"); name != "" {
		hosts, err := readHostsFile(env, name)
		if err != nil {
			return o, err
		}
		o.hosts = append(o.hosts, hosts...)
	}
	var dups []probe.Duplicate
	if o.hosts, dups = probe.Unique(o.hosts); len(dups) > 0 {
		out := env.Streams(c)
		for _, d := range dups {
			if d.First == d.Again {
				out.Note(d.Again + " is listed more than once; it is probed once")
			} else {
				out.Note(d.Again + " is the same host as " + d.First + "; it is probed once")
			}
		}
	}
	o.domain = c.String("domain")
	if o.domain != "" && len(o.hosts) > 0 {
		return o, &failure.UsageError{Msg: "give hosts or --domain, not both", Hint: "kmsctl status --domain corp.example.com"}
	}
	// No host named: find them in DNS, as Windows clients do.
	o.discover = len(o.hosts) == 0
	for _, h := range o.hosts {
		if _, err := kmsaddr.Parse(h); err != nil {
			return o, err
		}
	}
	o.deadlineFlag = c.Duration("deadline")
	proto := c.Int("protocol")
	if c.IsSet("protocol") && (proto < 4 || proto > 6) {
		return o, &failure.UsageError{Msg: "--protocol " + strconv.Itoa(proto) + " does not exist", Hint: "use --protocol 4, 5 or 6"}
	}
	products := c.StringSlice("product")
	var ps []catalogue.Product
	if len(products) == 0 {
		ps = catalogue.DefaultProbe()
	}
	// The same product named twice (by name, SKU ID or GVLK) is probed
	// once, as hosts are. The note names the product, never the key given.
	seen := map[guid.GUID]bool{}
	for _, name := range products {
		p, err := catalogue.Lookup(name)
		if err != nil {
			return o, err
		}
		if seen[p.SKUID] {
			env.Streams(c).Note(p.Name + " is given to --product more than once; it is probed once")
			continue
		}
		seen[p.SKUID] = true
		ps = append(ps, p)
	}
	for _, p := range ps {
		o.targets = append(o.targets, probe.Target{Product: p, Protocol: proto})
	}
	return o, nil
}

// recordSelf adds the requests of this run that reached a host to the
// record of hosts kmsctl asked (selfcount), with their address as dialled,
// and sets each answered group's
// Self to how many of kmsctl's CMIDs the host counts for its family. On
// error each answered group keeps Self 1: the probe itself.
//
// The record is written even when the probes used up the run's deadline
// (a stalled host does): the hosts counted the requests all the same. It
// gets selfcount.LockWait of its own for the lock.
func (e *Env) recordSelf(ctx context.Context, c *cli.Context, cmid guid.GUID, hosts []probe.Host) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), selfcount.LockWait)
	defer cancel()
	now := clock.Or(e.Clock).Now()
	dir, err := e.stateDir(c)
	if err != nil {
		return err
	}
	counts, err := selfcount.Record(ctx, dir, now, selfcount.FromHosts(hosts, cmid, now))
	selfcount.Apply(hosts, counts)
	return err
}

// readHostsFile reads --hosts-file NAME; "-" is standard input.
func readHostsFile(env *Env, name string) ([]string, error) {
	if name == "-" {
		return probe.ReadHostsFile("(standard input)", env.Stdin)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, &probe.HostsFileError{Name: name, Err: err}
	}
	defer f.Close()
	return probe.ReadHostsFile(name, f)
}
