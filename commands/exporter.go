package commands

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/exporter"
	"github.com/kmsctl/kmsctl/exporter/config"
	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/probe"
)

func exporterCommand(env *Env) *cli.Command {
	return &cli.Command{
		Name:  "exporter",
		Usage: "serve KMS host probes to Prometheus, as blackbox_exporter does",
		Description: `Serves /probe?target=HOST[:PORT] (with &product=NAME, repeatable, and
&protocol=4|5|6), which asks that host at once and answers with the metric
families of 'status --format prometheus'; /probe?domain=DOMAIN, every host
published under _vlmcs._tcp.DOMAIN; /metrics, the exporter's own metrics;
/ and /-/healthy. Every probe uses this state directory's one client
identity. A probe gets Prometheus's scrape timeout less half a second, at
most --timeout; at most --concurrency probes run at once and --queue more
wait, and a scrape that cannot start in time gets HTTP 503. SIGINT or
SIGTERM stops it: probes in flight finish within --timeout.

--config FILE reads a YAML file (README, "Configuration file"; an example
is deploy/kmsctl/exporter.yml) with named modules of probe settings, which
a scrape picks with &module=NAME, and the settings the flags above also
set; a flag given on the command line wins. SIGHUP or POST /-/reload reads
the modules again.

It listens on loopback only by default; see README before exposing it.

Examples:
   kmsctl exporter
   kmsctl exporter --listen :9688 --log-format json
   kmsctl exporter --config /etc/kmsctl/exporter.yml
   kmsctl exporter --config exporter.yml --check-config
   curl 'http://127.0.0.1:9688/probe?target=kms.corp.example.com'`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "listen", Value: exporter.DefaultListen, Usage: "listen on `HOST:PORT` (:9688 for every interface)"},
			&cli.DurationFlag{Name: "timeout", Value: exporter.DefaultTimeout, Usage: "give one probe at most `DURATION`, whatever Prometheus's scrape timeout"},
			&cli.IntFlag{Name: "concurrency", Value: exporter.DefaultConcurrency, Usage: "run at most `N` probes at once"},
			&cli.IntFlag{Name: "queue", Value: exporter.DefaultQueue, Usage: "let at most `N` more scrapes wait for a probe (0: none wait)"},
			&choiceFlag{StringFlag: &cli.StringFlag{Name: "log-format", Value: "text", Usage: "log as `FORMAT`: text or json"}, choices: exporter.LogFormats},
			&choiceFlag{StringFlag: &cli.StringFlag{Name: "log-level", Value: "info", Usage: "log at `LEVEL` and above: debug (every probe), info, warn or error"}, choices: exporter.LogLevels},
			&cli.StringFlag{Name: "config", Usage: "read modules and settings from the YAML `FILE` (flags given here win)", TakesFile: true},
			&cli.BoolFlag{Name: "check-config", Usage: "check --config FILE, say what is wrong, and exit"},
		},
		Action: func(c *cli.Context) error {
			o, err := parseExporter(c)
			if err != nil {
				return err
			}
			return runExporter(env, c, o)
		},
	}
}

// parseExporter checks exporter's arguments, reads the --config file and,
// unless --check-config, resolves and checks the settings in force.
func parseExporter(c *cli.Context) (exporter.Options, error) {
	if c.Args().Len() > 0 {
		return exporter.Options{}, &failure.UsageError{Msg: "exporter takes no arguments", Hint: "targets come from Prometheus: /probe?target=HOST"}
	}
	file, err := exporterConfig(c)
	if err != nil {
		return exporter.Options{}, err
	}
	if c.Bool("check-config") {
		if file == nil {
			return exporter.Options{}, &failure.UsageError{Msg: "--check-config checks the file --config names", Hint: "kmsctl exporter --config FILE --check-config"}
		}
		return exporter.Options{File: file}, nil
	}
	flags := exporter.Flags{Given: c.IsSet, Settings: exporter.Settings{Listen: c.String("listen"), Timeout: c.Duration("timeout"),
		Concurrency: c.Int("concurrency"), Queue: c.Int("queue"), LogFormat: c.String("log-format"), LogLevel: c.String("log-level")}}
	return exporter.Prepare(flags, file, os.Stderr)
}

// runExporter says whether the --config file is good (--check-config), or
// serves until SIGINT or SIGTERM with this state directory's identity.
func runExporter(env *Env, c *cli.Context, o exporter.Options) error {
	if c.Bool("check-config") {
		// A failed write is seen by Env.Exit (the streams are sticky).
		fmt.Fprintf(env.Streams(c).Out, "%s: OK: %s\n", o.File.Path, modulesText(o.File.Names()))
		return nil
	}
	o.Setup = func(ctx context.Context) (exporter.Config, error) {
		who, err := env.identity(ctx, c)
		if err != nil {
			return exporter.Config{}, err
		}
		dir, err := env.stateDir(c)
		if err != nil {
			return exporter.Config{}, err
		}
		dopts, err := env.discoveryOptions(c)
		return exporter.Config{Client: probe.Client{CMID: who.CMID, Workstation: who.Workstation}, Clock: env.Clock,
			Discovery: dopts, StateDir: dir, Version: env.version()}, err
	}
	return exporter.Run(c.Context, o)
}

// exporterConfig reads the --config file, or returns nil without one.
func exporterConfig(c *cli.Context) (*config.File, error) {
	if !c.IsSet("config") {
		return nil, nil
	}
	return config.Load(c.String("config"))
}

// modulesText is --check-config's summary of the modules a file defines:
// "2 modules (default, office)", "1 module (default)" or "no modules".
func modulesText(names []string) string {
	switch len(names) {
	case 0:
		return "no modules"
	case 1:
		return "1 module (" + names[0] + ")"
	}
	return fmt.Sprintf("%d modules (%s)", len(names), strings.Join(names, ", "))
}
