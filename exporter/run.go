package exporter

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/kmsctl/kmsctl/exporter/config"
	"github.com/kmsctl/kmsctl/failure"
)

// Settings are the exporter-wide settings of `kmsctl exporter`: the
// address it listens on and the limits and logging of every scrape.
type Settings struct {
	Listen              string        // HOST:PORT
	ListenFrom          string        // where Listen came from: "--listen ADDR" or "listen ADDR in FILE"
	Timeout             time.Duration // per-probe ceiling
	Concurrency, Queue  int           // probes at once; scrapes that may wait (0: none)
	LogFormat, LogLevel string        // text or json; an slog level name
}

// Flags are the settings on the command line: every flag's value (its
// default when not given) and Given, which says whether the flag of that
// name (listen, timeout, concurrency, queue, log-format, log-level) was
// given, so that it wins over the --config file.
type Flags struct {
	Settings
	Given func(flag string) bool
}

// Resolve returns the settings in force: a flag given on the command
// line, else the file's setting (f may be nil), else the flag's default.
func (fl Flags) Resolve(f *config.File) Settings {
	s := fl.Settings
	s.ListenFrom = "--listen " + s.Listen
	if f == nil {
		return s
	}
	if f.Listen != "" && !fl.Given("listen") {
		s.Listen, s.ListenFrom = f.Listen, "listen "+f.Listen+" in "+f.Path
	}
	if f.Timeout != 0 && !fl.Given("timeout") {
		s.Timeout = f.Timeout
	}
	if f.Concurrency != nil && !fl.Given("concurrency") {
		s.Concurrency = *f.Concurrency
	}
	if f.Queue != nil && !fl.Given("queue") {
		s.Queue = *f.Queue
	}
	if f.LogFormat != "" && !fl.Given("log-format") {
		s.LogFormat = f.LogFormat
	}
	if f.LogLevel != "" && !fl.Given("log-level") {
		s.LogLevel = f.LogLevel
	}
	return s
}

// wideChanges names the settings (as the file spells them) that differ
// between was and now: a reload reads them but does not apply them.
func wideChanges(was, now Settings) []string {
	var changed []string
	for _, d := range []struct {
		name string
		same bool
	}{
		{"listen", was.Listen == now.Listen}, {"timeout", was.Timeout == now.Timeout},
		{"concurrency", was.Concurrency == now.Concurrency}, {"queue", was.Queue == now.Queue},
		{"log_format", was.LogFormat == now.LogFormat}, {"log_level", was.LogLevel == now.LogLevel},
	} {
		if !d.same {
			changed = append(changed, d.name)
		}
	}
	return changed
}

// Options are one `kmsctl exporter` run, made by Prepare.
type Options struct {
	Flags    Flags
	File     *config.File // the --config file, or nil
	Settings Settings     // Flags resolved against File, checked
	Logger   *slog.Logger
	// Setup gives the rest of the exporter's Config (Client, Clock,
	// Discovery, StateDir, Version); Run calls it once SIGINT and SIGTERM
	// cancel ctx, so that waiting for the state directory's lock can be
	// interrupted.
	Setup func(ctx context.Context) (Config, error)
}

// Prepare resolves the settings of fl and f (nil without --config) and
// checks them; the logger writes to logTo. Its errors are
// *failure.UsageError.
func Prepare(fl Flags, f *config.File, logTo io.Writer) (Options, error) {
	o := Options{Flags: fl, File: f, Settings: fl.Resolve(f)}
	var err error
	if o.Logger, err = newLogger(logTo, o.Settings.LogFormat, o.Settings.LogLevel); err != nil {
		return o, err
	}
	if o.Settings.Timeout <= 0 {
		return o, &failure.UsageError{Msg: "--timeout must be positive", Hint: "e.g. --timeout 10s"}
	}
	if o.Settings.Concurrency < 1 || o.Settings.Queue < 0 {
		return o, &failure.UsageError{Msg: "--concurrency must be 1 or more and --queue 0 or more"}
	}
	return o, nil
}

// Run serves the exporter as `kmsctl exporter` does until SIGINT or
// SIGTERM (or ctx) stops it: it sets a soft memory limit from the scrape
// limits unless GOMEMLIMIT is set, listens on o.Settings.Listen, and with
// a --config file reads its modules again on SIGHUP (without one,
// SIGHUP is logged and ignored). Probes in flight get
// the probe timeout and a second to finish. A listen address that cannot
// be used is a *failure.UsageError.
func Run(ctx context.Context, o Options) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := o.Setup(ctx)
	if err != nil {
		return err
	}
	set, log := o.Settings, o.Logger
	cfg.Timeout, cfg.Concurrency, cfg.Queue, cfg.Logger = set.Timeout, set.Concurrency, set.Queue, log
	if set.Queue == 0 {
		cfg.Queue = -1 // Config's "no waiting"
	}
	configPath := ""
	if o.File != nil {
		configPath = o.File.Path
		cfg.Modules = o.File.Modules
		cfg.Reload = func() (map[string]config.Module, error) {
			f, err := config.Load(o.File.Path)
			if err != nil {
				return nil, err
			}
			if changed := wideChanges(set, o.Flags.Resolve(f)); len(changed) > 0 {
				log.Warn("settings changed in the file take effect at the next restart; the modules are reloaded", "settings", strings.Join(changed, ","))
			}
			return f.Modules, nil
		}
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(MemoryLimit(set.Concurrency, set.Queue))
	}
	e := New(cfg)
	ln, err := net.Listen("tcp", set.Listen)
	if err != nil {
		return listenError(set.ListenFrom, err)
	}
	// SIGHUP reads the file again, as Prometheus and its exporters do; a
	// bad file keeps the modules in use. Without a file it is logged and
	// ignored: its default action would end the exporter.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-hup:
				// Logged, and in kmsctl_exporter_config_last_reload_successful.
				if err := e.Reload(); errors.Is(err, ErrNoReload) {
					log.Warn("SIGHUP ignored: " + err.Error())
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	log.Info("kmsctl exporter", "version", cfg.Version, "cmid", cfg.Client.CMID.String(), "config", configPath,
		"gomemlimit", debug.SetMemoryLimit(-1)) // a negative limit only reads it
	return e.Serve(ctx, ln, set.Timeout+time.Second)
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

// newLogger is the exporter's slog logger on w, in format (text or json)
// from level on.
// LogFormats and LogLevels are what --log-format and --log-level (and the
// config file's log_format and log_level) take; newLogger checks them and
// completion offers them. A level is an slog level name.
var (
	LogFormats = []string{"text", "json"}
	LogLevels  = []string{"debug", "info", "warn", "error"}
)

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, &failure.UsageError{Msg: "--log-level " + level + " is not known", Hint: "use " + strings.Join(LogLevels, ", ")}
	}
	opts := &slog.HandlerOptions{Level: l}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, &failure.UsageError{Msg: "--log-format " + format + " is not known", Hint: "use " + strings.Join(LogFormats, " or ")}
}
