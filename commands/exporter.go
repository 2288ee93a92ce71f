package commands

import (
	"errors"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/exporter"
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

It listens on loopback only by default; see README before exposing it.

Examples:
   kmsctl exporter
   kmsctl exporter --listen :9688 --log-format json
   curl 'http://127.0.0.1:9688/probe?target=kms.corp.example.com'`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "listen", Value: exporter.DefaultListen, Usage: "listen on `HOST:PORT` (:9688 for every interface)"},
			&cli.DurationFlag{Name: "timeout", Value: exporter.DefaultTimeout, Usage: "give one probe at most `DURATION`, whatever Prometheus's scrape timeout"},
			&cli.IntFlag{Name: "concurrency", Value: exporter.DefaultConcurrency, Usage: "run at most `N` probes at once"},
			&cli.IntFlag{Name: "queue", Value: exporter.DefaultQueue, Usage: "let at most `N` more scrapes wait for a probe (0: none wait)"},
			&cli.StringFlag{Name: "log-format", Value: "text", Usage: "log as `FORMAT`: text or json"},
			&cli.StringFlag{Name: "log-level", Value: "info", Usage: "log at `LEVEL` and above: debug (every probe), info, warn or error"},
		},
		Action: func(c *cli.Context) error {
			if c.Args().Len() > 0 {
				return &failure.UsageError{Msg: "exporter takes no arguments", Hint: "targets come from Prometheus: /probe?target=HOST"}
			}
			log, err := exporterLogger(c)
			if err != nil {
				return err
			}
			timeout := c.Duration("timeout")
			if timeout <= 0 {
				return &failure.UsageError{Msg: "--timeout must be positive", Hint: "e.g. --timeout 10s"}
			}
			if c.Int("concurrency") < 1 || c.Int("queue") < 0 {
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
			queue := c.Int("queue")
			if queue == 0 {
				queue = -1 // Config's "no waiting"
			}
			e := exporter.New(exporter.Config{
				Client:      probe.Client{CMID: who.CMID, Workstation: who.Workstation},
				Clock:       env.Clock,
				Timeout:     timeout,
				Concurrency: c.Int("concurrency"),
				Queue:       queue,
				Discovery:   dopts,
				Logger:      log,
				StateDir:    dir,
				Version:     env.version(),
			})
			ln, err := net.Listen("tcp", c.String("listen"))
			if err != nil {
				return listenError(c.String("listen"), err)
			}
			log.Info("kmsctl exporter", "version", env.version(), "cmid", who.CMID.String())
			return e.Serve(ctx, ln, timeout+time.Second)
		},
	}
}

// listenError says why --listen cannot be used, as a usage error: the
// address is the command line's.
func listenError(addr string, err error) error {
	hint := "give HOST:PORT, e.g. --listen 127.0.0.1:9688 (or :9688 for every interface)"
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		hint = "something listens there already (another kmsctl exporter?): stop it or pick another port"
	case errors.Is(err, os.ErrPermission):
		hint = "ports below 1024 need privileges: use 9688"
	}
	return &failure.UsageError{Msg: "--listen " + addr + ": " + err.Error(), Hint: hint}
}

// exporterLogger is the exporter's slog logger on stderr, as --log-format
// and --log-level say.
func exporterLogger(c *cli.Context) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.String("log-level"))); err != nil {
		return nil, &failure.UsageError{Msg: "--log-level " + c.String("log-level") + " is not known", Hint: "use debug, info, warn or error"}
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(c.String("log-format")) {
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	}
	return nil, &failure.UsageError{Msg: "--log-format " + c.String("log-format") + " is not known", Hint: "use text or json"}
}
