package commands

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

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
			&cli.StringFlag{Name: "log-format", Value: "text", Usage: "log as `FORMAT`: text or json"},
			&cli.StringFlag{Name: "log-level", Value: "info", Usage: "log at `LEVEL` and above: debug (every probe), info, warn or error"},
			&cli.StringFlag{Name: "config", Usage: "read modules and settings from the YAML `FILE` (flags given here win)", TakesFile: true},
			&cli.BoolFlag{Name: "check-config", Usage: "check --config FILE, say what is wrong, and exit"},
		},
		Action: func(c *cli.Context) error {
			if c.Args().Len() > 0 {
				return &failure.UsageError{Msg: "exporter takes no arguments", Hint: "targets come from Prometheus: /probe?target=HOST"}
			}
			file, err := exporterConfig(c)
			if err != nil {
				return err
			}
			if c.Bool("check-config") {
				if file == nil {
					return &failure.UsageError{Msg: "--check-config checks the file --config names", Hint: "kmsctl exporter --config FILE --check-config"}
				}
				// A failed write is seen by Env.Exit (the streams are sticky).
				fmt.Fprintf(env.Streams(c).Out, "%s: OK: %d modules (%s)\n", file.Path, len(file.Modules), strings.Join(file.Names(), ", "))
				return nil
			}
			set := resolveExporterSettings(c, file)
			log, err := exporterLogger(set.logFormat, set.logLevel)
			if err != nil {
				return err
			}
			if set.timeout <= 0 {
				return &failure.UsageError{Msg: "--timeout must be positive", Hint: "e.g. --timeout 10s"}
			}
			if set.concurrency < 1 || set.queue < 0 {
				return &failure.UsageError{Msg: "--concurrency must be 1 or more and --queue 0 or more"}
			}
			ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
			defer stop()
			who, err := env.identity(ctx, c)
			if err != nil {
				return err
			}
			dir, err := env.stateDir(c)
			if err != nil {
				return err
			}
			dopts, err := env.discoveryOptions(c)
			if err != nil {
				return err
			}
			queue := set.queue
			if queue == 0 {
				queue = -1 // Config's "no waiting"
			}
			cfg := exporter.Config{
				Client:      probe.Client{CMID: who.CMID, Workstation: who.Workstation},
				Clock:       env.Clock,
				Timeout:     set.timeout,
				Concurrency: set.concurrency,
				Queue:       queue,
				Discovery:   dopts,
				Logger:      log,
				StateDir:    dir,
				Version:     env.version(),
			}
			if file != nil {
				cfg.Modules = file.Modules
				cfg.Reload = func() (map[string]config.Module, error) {
					f, err := config.Load(file.Path)
					if err != nil {
						return nil, err
					}
					if changed := exporterWideChanges(set, resolveExporterSettings(c, f)); len(changed) > 0 {
						log.Warn("settings changed in the file take effect at the next restart; the modules are reloaded", "settings", strings.Join(changed, ","))
					}
					return f.Modules, nil
				}
			}
			// A soft memory limit from the limits on scrapes, unless the
			// environment sets one.
			if os.Getenv("GOMEMLIMIT") == "" {
				debug.SetMemoryLimit(exporter.MemoryLimit(set.concurrency, set.queue))
			}
			e := exporter.New(cfg)
			ln, err := net.Listen("tcp", set.listen)
			if err != nil {
				return listenError(set.listenFrom, err)
			}
			if file != nil {
				// SIGHUP reads the file again, as Prometheus and its
				// exporters do; a bad file keeps the modules in use.
				hup := make(chan os.Signal, 1)
				signal.Notify(hup, syscall.SIGHUP)
				defer signal.Stop(hup)
				go func() {
					for {
						select {
						case <-hup:
							e.Reload() // logged, and in kmsctl_exporter_config_last_reload_successful
						case <-ctx.Done():
							return
						}
					}
				}()
			}
			log.Info("kmsctl exporter", "version", env.version(), "cmid", who.CMID.String(), "config", c.String("config"),
				"gomemlimit", debug.SetMemoryLimit(-1)) // a negative limit only reads it
			return e.Serve(ctx, ln, set.timeout+time.Second)
		},
	}
}

// exporterSettings are the exporter-wide settings in force: a flag given
// on the command line, else the --config file's, else the flag's default.
type exporterSettings struct {
	listen              string
	listenFrom          string // "--listen", or "listen … in FILE"
	timeout             time.Duration
	concurrency, queue  int
	logFormat, logLevel string
}

func resolveExporterSettings(c *cli.Context, f *config.File) exporterSettings {
	s := exporterSettings{listen: c.String("listen"), timeout: c.Duration("timeout"), concurrency: c.Int("concurrency"),
		queue: c.Int("queue"), logFormat: c.String("log-format"), logLevel: c.String("log-level")}
	s.listenFrom = "--listen " + s.listen
	if f == nil {
		return s
	}
	if f.Listen != "" && !c.IsSet("listen") {
		s.listen, s.listenFrom = f.Listen, "listen "+f.Listen+" in "+f.Path
	}
	if f.Timeout != 0 && !c.IsSet("timeout") {
		s.timeout = f.Timeout
	}
	if f.Concurrency != nil && !c.IsSet("concurrency") {
		s.concurrency = *f.Concurrency
	}
	if f.Queue != nil && !c.IsSet("queue") {
		s.queue = *f.Queue
	}
	if f.LogFormat != "" && !c.IsSet("log-format") {
		s.logFormat = f.LogFormat
	}
	if f.LogLevel != "" && !c.IsSet("log-level") {
		s.logLevel = f.LogLevel
	}
	return s
}

// exporterWideChanges names the settings that differ between was and now
// (a reload reads them but does not apply them).
func exporterWideChanges(was, now exporterSettings) []string {
	var changed []string
	for _, d := range []struct {
		name string
		same bool
	}{
		{"listen", was.listen == now.listen}, {"timeout", was.timeout == now.timeout},
		{"concurrency", was.concurrency == now.concurrency}, {"queue", was.queue == now.queue},
		{"log_format", was.logFormat == now.logFormat}, {"log_level", was.logLevel == now.logLevel},
	} {
		if !d.same {
			changed = append(changed, d.name)
		}
	}
	return changed
}

// exporterConfig reads the --config file, or returns nil without one.
func exporterConfig(c *cli.Context) (*config.File, error) {
	if !c.IsSet("config") {
		return nil, nil
	}
	if c.String("config") == "" {
		return nil, &failure.UsageError{Msg: "--config needs a file name", Hint: "e.g. --config /etc/kmsctl/exporter.yml"}
	}
	return config.Load(c.String("config"))
}

// listenError says why the listen address cannot be used, as a usage
// error; from names where it was given ("--listen ADDR", or "listen ADDR
// in FILE").
func listenError(from string, err error) error {
	hint := "give HOST:PORT, e.g. --listen 127.0.0.1:9688 (or :9688 for every interface)"
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		hint = "something listens there already (another kmsctl exporter?): stop it or pick another port"
	case errors.Is(err, os.ErrPermission):
		hint = "ports below 1024 need privileges: use 9688"
	}
	return &failure.UsageError{Msg: from + ": " + err.Error(), Hint: hint}
}

// exporterLogger is the exporter's slog logger on stderr, in format
// (text or json) from level on.
func exporterLogger(format, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, &failure.UsageError{Msg: "--log-level " + level + " is not known", Hint: "use debug, info, warn or error"}
	}
	opts := &slog.HandlerOptions{Level: l}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	}
	return nil, &failure.UsageError{Msg: "--log-format " + format + " is not known", Hint: "use text or json"}
}
