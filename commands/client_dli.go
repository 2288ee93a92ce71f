package commands

import (
	"net"
	"strconv"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/kmshost"
	"github.com/kmsctl/kmsctl/limit"
	"github.com/kmsctl/kmsctl/output"
	"github.com/kmsctl/kmsctl/probe"
)

// clientDLIOptions is a client dli command line, checked.
type clientDLIOptions struct {
	format  output.View
	hosts   []string         // as given
	targets []kmshost.Config // each host's name and WinRM port (0: default)
}

// parseClientDLI checks client dli's arguments and reads --hosts-file.
func parseClientDLI(env *Env, c *cli.Context) (o clientDLIOptions, err error) {
	if o.format, err = tableFormat(env, c); err != nil || c.Bool("show-script") {
		return o, err
	}
	o.hosts = c.Args().Slice()
	if name := c.String("hosts-file"); name != "" {
		more, err := probe.OpenHostsFile(name, env.Stdin)
		if err != nil {
			return o, err
		}
		o.hosts = append(o.hosts, more...)
	}
	var dups []probe.Duplicate
	o.hosts, dups = probe.UniqueBy(o.hosts, func(h string) (string, error) {
		host, port, err := kmshost.ParseTarget(h)
		return net.JoinHostPort(host, strconv.Itoa(port)), err // port 0: --port's
	})
	noteDuplicates(env.Streams(c), dups, "read")
	switch {
	case len(o.hosts) == 0:
		return o, &failure.UsageError{Msg: "client dli needs HOST or --hosts-file FILE", Hint: "kmsctl client dli HOST --user USER"}
	case c.Int("concurrency") < 1:
		return o, &failure.UsageError{Msg: "--concurrency must be 1 or more"}
	}
	o.targets = make([]kmshost.Config, len(o.hosts))
	for i, h := range o.hosts {
		host, port, err := kmshost.ParseTarget(h)
		if err != nil {
			return o, &failure.UsageError{Msg: err.Error(), Hint: "give a host name or address, optionally with the WinRM port"}
		}
		o.targets[i] = kmshost.Config{Host: host, Port: port}
	}
	return o, nil
}

// runClientDLI reads one client as slmgr /dli shows it, or every client
// into the fleet table.
func runClientDLI(env *Env, c *cli.Context, o clientDLIOptions) error {
	out := env.Streams(c)
	if c.Bool("show-script") {
		return out.HostScript(kmshost.ClientScript, kmshost.CommandLine(kmshost.ClientScript))
	}
	// One set of credentials for all; the first host names the prompt.
	base, err := winrmConfig(env, c, o.hosts[0], "port", "timeout")
	if err != nil {
		return err
	}
	if c.NArg() == 1 && c.String("hosts-file") == "" && o.format != output.ViewTSV {
		cl, err := kmshost.New(base)
		if err != nil {
			return &failure.UsageError{Msg: err.Error()}
		}
		w, err := cl.Client(c.Context)
		if err != nil {
			return err
		}
		return out.ClientDLI(o.hosts[0], cl.Addr(), w, output.ViewOf(env.json))
	}
	// Ctrl-C stops the reads (those under way end cut short, the rest are
	// not started) and the lines so far are written; exit status 130.
	ctx, stop := interruptible(c.Context)
	results := readClients(ctx, base, o.hosts, o.targets, c.Int("concurrency"))
	interrupted := limit.Interrupted(ctx)
	stop()
	if err := out.ClientFleet(results, o.format); err != nil {
		return err
	}
	if interrupted {
		return failure.Interrupted()
	}
	errs := make([]error, len(results))
	for i := range results {
		errs[i] = results[i].Err
	}
	return failure.Hosts(nil, errs) // exit 2 when a client could not be read
}
