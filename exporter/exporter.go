// Package exporter serves KMS host probes to Prometheus in the style of
// blackbox_exporter: Prometheus names the host in each scrape
// (/probe?target=HOST[:PORT]), the exporter asks it at once and answers
// with the same metric families as `kmsctl status --format prometheus`
// (output.PrometheusFamilies renders both). /metrics holds the exporter's
// own metrics, through github.com/prometheus/client_golang.
//
// Every probe uses the one persistent client identity it is given, so a
// host watched by the exporter counts it as one client, as it counts any
// kmsctl run from the same state directory.
package exporter

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/clock"
	"github.com/kmsctl/kmsctl/discovery"
	"github.com/kmsctl/kmsctl/exporter/config"
	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/kmsaddr"
	"github.com/kmsctl/kmsctl/output"
	"github.com/kmsctl/kmsctl/probe"
	"github.com/kmsctl/kmsctl/selfcount"
)

// Defaults of `kmsctl exporter`.
const (
	// DefaultListen is loopback only: exposing probes of arbitrary hosts
	// to a network is the operator's explicit choice.
	DefaultListen = "127.0.0.1:9688"
	// DefaultTimeout is the ceiling of one probe when Prometheus sends a
	// longer scrape timeout, or none.
	DefaultTimeout = 10 * time.Second
	// TimeoutMargin is taken off Prometheus's scrape timeout
	// (X-Prometheus-Scrape-Timeout-Seconds) so the answer arrives before
	// Prometheus gives up, as blackbox_exporter's timeout_offset does.
	TimeoutMargin = 500 * time.Millisecond
	// DefaultConcurrency is how many scrapes probe at once.
	DefaultConcurrency = 64
	// DefaultQueue is how many scrapes may wait for a free probe; one
	// more is refused at once.
	DefaultQueue = 1024
	// MaxProducts bounds the products of one scrape.
	MaxProducts = config.MaxProducts
	// MaxDomainHosts bounds the hosts one /probe?domain= scrape asks.
	MaxDomainHosts = 64
	// SelfCountRefresh is how often the exporter writes again that it
	// asked one host about one family (the host remembers for 30 days).
	SelfCountRefresh = selfcount.Fresh
	// maxParam bounds a target or domain parameter (a DNS name is at most
	// 253 characters; a port and brackets add a few).
	maxParam = 300
	// memoryBase and memoryPerScrape make MemoryLimit: about what the
	// exporter holds idle (29 MiB peak RSS under load in bench-exporter,
	// with room), and about what one scrape in flight holds (a heap
	// profile with 1,000 probes stalled: some 23 KiB of HTTP buffers, KMS
	// connection and answer state, plus its goroutine's stack).
	memoryBase      = 48 << 20
	memoryPerScrape = 32 << 10
)

// MemoryLimit is the soft memory limit (GOMEMLIMIT) kmsctl exporter sets
// unless GOMEMLIMIT is in its environment, in bytes: enough for
// concurrency probes and queue waiting scrapes. Below it Go's collector
// works as usual (GOGC); near it, it collects sooner instead of letting
// the heap double, so a burst of stalled probes does not take the process
// to twice what it holds. With the defaults (64 and 1,024) it is 82 MiB.
func MemoryLimit(concurrency, queue int) int64 {
	return memoryBase + memoryPerScrape*int64(max(concurrency, 0)+max(queue, 0))
}

// Config configures an Exporter.
type Config struct {
	Client      probe.Client  // the persistent identity every probe uses
	Clock       clock.Clock   // nil: the system clock
	Timeout     time.Duration // per-probe ceiling; 0: DefaultTimeout
	Concurrency int           // 0: DefaultConcurrency
	Queue       int           // 0: DefaultQueue; negative: no waiting
	Discovery   discovery.Options
	Probe       probe.Options // Clock and HostTimeout are set per probe
	Logger      *slog.Logger  // nil: discard
	// StateDir, when set, is where the record of the hosts this kmsctl
	// asked is kept (package selfcount), so that each count's own-client
	// share is exact and kmsctl status knows the exporter's probes.
	StateDir string
	Version  string // shown on / and in kmsctl_exporter_build_info
	// Modules are the named probe settings a scrape picks with
	// &module=NAME (--config FILE); a scrape without one uses
	// config.DefaultModule when it is defined.
	Modules map[string]config.Module
	// Reload, when set, reads the modules again (the --config file): on
	// POST /-/reload and Exporter.Reload. On error the modules in use stay.
	Reload func() (map[string]config.Module, error)
}

// Exporter serves /probe, /metrics, / and /-/healthy.
type Exporter struct {
	cfg     Config
	clk     clock.Clock
	log     *slog.Logger
	slots   chan struct{}
	self    *selfcount.Recorder // nil without a state directory
	waiting atomic.Int64
	reg     *prometheus.Registry
	modules atomic.Pointer[map[string]config.Module]
	reload  sync.Mutex // one Reload at a time

	reloadOK   prometheus.Gauge
	reloadTime prometheus.Gauge

	probes   *prometheus.CounterVec
	rejected *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
	queued   prometheus.Gauge
}

// New builds an Exporter from cfg.
func New(cfg Config) *Exporter {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	switch {
	case cfg.Queue == 0:
		cfg.Queue = DefaultQueue
	case cfg.Queue < 0:
		cfg.Queue = 0 // no waiting: from here on the number of places
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	e := &Exporter{cfg: cfg, clk: clock.Or(cfg.Clock), log: cfg.Logger,
		slots: make(chan struct{}, cfg.Concurrency), reg: prometheus.NewRegistry()}
	if cfg.StateDir != "" {
		e.self = &selfcount.Recorder{Dir: cfg.StateDir, Refresh: SelfCountRefresh}
	}
	e.probes = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kmsctl_exporter_probes_total",
		Help: "Probes run, by kind (target or domain) and result: ok, below (a group under its threshold), failed (a host or group failed, or discovery found none).",
	}, []string{"kind", "result"})
	e.rejected = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kmsctl_exporter_scrapes_rejected_total",
		Help: "Scrapes answered without a probe, by reason: bad_request (HTTP 400), queue_full and queue_timeout (HTTP 503: too many probes at once), shutting_down.",
	}, []string{"reason"})
	e.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "kmsctl_exporter_probe_duration_seconds",
		Help:    "How long probes took, waiting for a free slot excluded, by kind (target or domain).",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"kind"})
	e.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "kmsctl_exporter_probes_in_flight", Help: "Probes running now.",
	})
	e.queued = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "kmsctl_exporter_probes_queued", Help: "Scrapes waiting for a free probe slot now.",
	})
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "kmsctl_exporter_build_info", Help: "Always 1; the version of kmsctl serving.",
		ConstLabels: prometheus.Labels{"version": cfg.Version},
	})
	build.Set(1)
	limits := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "kmsctl_exporter_limit", Help: "The exporter's limits: concurrency (probes at once), queue (scrapes that may wait), timeout_seconds (per-probe ceiling).",
	}, []string{"limit"})
	limits.WithLabelValues("concurrency").Set(float64(cfg.Concurrency))
	limits.WithLabelValues("queue").Set(float64(cfg.Queue))
	limits.WithLabelValues("timeout_seconds").Set(cfg.Timeout.Seconds())
	modules := cfg.Modules
	e.modules.Store(&modules)
	e.reloadOK = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "kmsctl_exporter_config_last_reload_successful",
		Help: "1 when the last reading of the --config file succeeded (at start or on SIGHUP or POST /-/reload), else 0: the modules read before stay in use.",
	})
	e.reloadTime = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "kmsctl_exporter_config_last_reload_success_timestamp_seconds",
		Help: "When the --config file was last read successfully, in seconds since the Unix epoch.",
	})
	e.reloadOK.Set(1)
	e.reloadTime.Set(float64(e.clk.Now().UnixMilli()) / 1000)
	e.reg.MustRegister(e.probes, e.rejected, e.duration, e.inFlight, e.queued, build, limits, e.reloadOK, e.reloadTime)
	return e
}

// Handler routes the exporter's pages.
func (e *Exporter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /probe", e.serveProbe)
	// The Go runtime and process metrics come from client_golang's default
	// registry, where its package init has already registered both
	// collectors in every kmsctl process; the collectors package would
	// add its own init (and database/sql's) to every command's start.
	mux.Handle("GET /metrics", promhttp.HandlerFor(prometheus.Gatherers{e.reg, prometheus.DefaultGatherer}, promhttp.HandlerOpts{Registry: e.reg}))
	mux.HandleFunc("GET /-/healthy", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "Healthy")
	})
	mux.HandleFunc("POST /-/reload", e.serveReload)
	mux.HandleFunc("GET /{$}", e.serveIndex)
	return mux
}

// ErrNoReload is Reload's error when the exporter has no configuration
// file to read again.
var ErrNoReload = errors.New("nothing to reload: kmsctl exporter runs without --config")

// Reload reads the modules again through Config.Reload and, when that
// succeeds, probes use them from the next scrape on; on error the modules
// in use stay. Either way kmsctl_exporter_config_last_reload_successful
// says how it went. Safe for concurrent use (SIGHUP and /-/reload).
func (e *Exporter) Reload() error {
	if e.cfg.Reload == nil {
		return ErrNoReload
	}
	e.reload.Lock()
	defer e.reload.Unlock()
	modules, err := e.cfg.Reload()
	if err != nil {
		e.reloadOK.Set(0)
		e.log.Error("configuration not reloaded: the modules in use stay", "error", oneLine(err.Error()))
		return err
	}
	e.modules.Store(&modules)
	e.reloadOK.Set(1)
	e.reloadTime.Set(float64(e.clk.Now().UnixMilli()) / 1000)
	e.log.Info("configuration reloaded", "modules", len(modules))
	return nil
}

// serveReload answers POST /-/reload: 200 when the file was read again,
// 500 with the one-line reason when it was not (the modules in use stay),
// 400 without a file.
func (e *Exporter) serveReload(w http.ResponseWriter, _ *http.Request) {
	switch err := e.Reload(); {
	case errors.Is(err, ErrNoReload):
		http.Error(w, err.Error(), http.StatusBadRequest)
	case err != nil:
		http.Error(w, "not reloaded: "+oneLine(err.Error()), http.StatusInternalServerError)
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "reloaded")
	}
}

// request is one validated /probe query.
type request struct {
	kind    string // "target" or "domain"
	target  string // HOST[:PORT], for kind target
	domain  string // for kind domain
	targets []probe.Target
	timeout time.Duration // the module's bound of one probe; 0: none
}

// badRequest is a query the exporter refuses, with a one-line reason.
type badRequest struct{ reason string }

func (b *badRequest) Error() string { return b.reason }

// parse validates a /probe query against the modules in use. Every
// parameter is checked and capped before any work starts, so query
// strings cannot grow labels or work without bound. A module gives the
// products, protocol, timeout and port; &product= and &protocol= in the
// query replace the module's.
func parse(q map[string][]string, modules map[string]config.Module) (request, error) {
	var r request
	for k := range q {
		switch k {
		case "target", "domain", "product", "protocol", "module":
		default:
			return r, &badRequest{fmt.Sprintf("unknown parameter %q: use target, domain, module, product, protocol", k)}
		}
	}
	one := func(name string) (string, error) {
		v := q[name]
		switch {
		case len(v) > 1:
			return "", &badRequest{name + " given more than once"}
		case len(v) == 0:
			return "", nil
		case len(v[0]) > maxParam:
			return "", &badRequest{fmt.Sprintf("%s longer than %d characters", name, maxParam)}
		}
		return v[0], nil
	}
	name, err := one("module")
	if err != nil {
		return r, err
	}
	var mod config.Module
	switch m, ok := modules[name]; {
	case ok:
		mod = m
	case name == "":
		mod = modules[config.DefaultModule] // the zero Module when there is none
	case len(modules) == 0:
		return r, &badRequest{"unknown module " + strconv.Quote(name) + ": kmsctl exporter runs without --config, so it has no modules"}
	default:
		return r, &badRequest{"unknown module " + strconv.Quote(name) + ": the configuration has " + moduleList(modules)}
	}
	r.timeout = mod.Timeout
	target, err := one("target")
	if err != nil {
		return r, err
	}
	domain, err := one("domain")
	if err != nil {
		return r, err
	}
	switch {
	case target != "" && domain != "":
		return r, &badRequest{"give target or domain, not both"}
	case target != "":
		if _, err := kmsaddr.Parse(target); err != nil {
			return r, &badRequest{"target: " + oneLine(err.Error())}
		}
		if mod.Port != "" && !hasPort(target) {
			target = net.JoinHostPort(strings.Trim(strings.TrimSpace(target), "[]"), mod.Port)
		}
		r.kind, r.target = "target", target
	case domain != "":
		if discovery.CheckName(domain, "domain") != "" {
			return r, &badRequest{"domain " + strconv.Quote(domain) + " is not a DNS name"}
		}
		r.kind, r.domain = "domain", domain
	case q["target"] != nil || q["domain"] != nil:
		return r, &badRequest{"empty target or domain: /probe?target=HOST[:PORT] or /probe?domain=DOMAIN"}
	default:
		return r, &badRequest{"missing target: /probe?target=HOST[:PORT] or /probe?domain=DOMAIN"}
	}
	proto, err := one("protocol")
	if err != nil {
		return r, err
	}
	version := mod.Protocol
	if proto != "" {
		version, err = strconv.Atoi(proto)
		if err != nil || version < 4 || version > 6 {
			return r, &badRequest{"protocol " + strconv.Quote(proto) + " does not exist: use 4, 5 or 6"}
		}
	}
	names := q["product"]
	if len(names) > MaxProducts {
		return r, &badRequest{fmt.Sprintf("more than %d products", MaxProducts)}
	}
	var ps []catalogue.Product
	for _, n := range names {
		if len(n) > maxParam {
			return r, &badRequest{fmt.Sprintf("product longer than %d characters", maxParam)}
		}
		p, err := catalogue.Lookup(n)
		if err != nil {
			return r, &badRequest{"product: " + oneLine(err.Error())}
		}
		ps = append(ps, p)
	}
	if len(ps) == 0 {
		ps = mod.Products
	}
	if len(ps) == 0 {
		ps = catalogue.DefaultProbe()
	}
	r.targets = make([]probe.Target, 0, len(ps))
	for _, p := range ps {
		r.targets = append(r.targets, probe.Target{Product: p, Protocol: version})
	}
	return r, nil
}

// hasPort reports whether a target that kmsaddr.Parse accepted
// names its port: HOST:PORT or [IPv6]:PORT, not HOST, [IPv6] or a bare
// IPv6 address.
func hasPort(target string) bool {
	t := strings.TrimSpace(target)
	if strings.HasPrefix(t, "[") {
		return strings.Contains(t, "]:")
	}
	return strings.Count(t, ":") == 1
}

// moduleList names the modules for a refusal: "modules a, b and c" (at
// most 10 names, so the line stays short).
func moduleList(modules map[string]config.Module) string {
	names := make([]string, 0, len(modules))
	for n := range modules {
		names = append(names, n)
	}
	slices.Sort(names)
	if len(names) > 10 {
		return fmt.Sprintf("%d modules: %s, …", len(names), strings.Join(names[:10], ", "))
	}
	return "modules " + strings.Join(names, ", ")
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// probeTimeout is Prometheus's scrape timeout less TimeoutMargin, at most
// the configured ceiling; without the header, the ceiling. A scrape
// timeout shorter than twice the margin gets half of itself.
func (e *Exporter) probeTimeout(h http.Header) time.Duration {
	d := e.cfg.Timeout
	v := h.Get("X-Prometheus-Scrape-Timeout-Seconds")
	if v == "" {
		return d
	}
	s, err := strconv.ParseFloat(v, 64)
	if err != nil || s <= 0 || s > 1e6 {
		return d
	}
	scrape := time.Duration(s * float64(time.Second))
	t := scrape - TimeoutMargin
	if scrape < 2*TimeoutMargin {
		t = scrape / 2
	}
	return min(t, d)
}

// acquire takes a probe slot, waiting in the bounded queue until ctx ends.
func (e *Exporter) acquire(ctx context.Context) (release func(), reason string) {
	select {
	case e.slots <- struct{}{}:
		return e.release, ""
	default:
	}
	if e.waiting.Add(1) > int64(e.cfg.Queue) {
		e.waiting.Add(-1)
		return nil, "queue_full"
	}
	e.queued.Inc()
	defer func() { e.waiting.Add(-1); e.queued.Dec() }()
	select {
	case e.slots <- struct{}{}:
		return e.release, ""
	case <-ctx.Done():
		return nil, "queue_timeout"
	}
}

func (e *Exporter) release() { <-e.slots }

// serveProbe answers /probe.
func (e *Exporter) serveProbe(w http.ResponseWriter, r *http.Request) {
	var req request
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err == nil {
		req, err = parse(q, *e.modules.Load())
	} else {
		// r.URL.Query drops what it cannot parse (target=kms;) and
		// would answer "missing target" for a query that has one.
		err = &badRequest{"malformed query string: " + oneLine(err.Error())}
	}
	if err != nil {
		e.rejected.WithLabelValues("bad_request").Inc()
		e.log.Debug("bad probe request", "query", r.URL.RawQuery, "reason", err.Error())
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	timeout := e.probeTimeout(r.Header)
	if req.timeout > 0 {
		timeout = min(timeout, req.timeout)
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	release, reason := e.acquire(ctx)
	if release == nil {
		e.rejected.WithLabelValues(reason).Inc()
		e.log.Warn("probe not started: too many probes at once", "reason", reason,
			"concurrency", e.cfg.Concurrency, "queue", e.cfg.Queue, req.kind, req.target+req.domain)
		http.Error(w, fmt.Sprintf("%s: %d probes running and %d waiting already", reason, e.cfg.Concurrency, e.cfg.Queue), http.StatusServiceUnavailable)
		return
	}
	e.inFlight.Inc()
	start := time.Now()
	run := e.run(ctx, req, timeout)
	e.inFlight.Dec()
	release()
	took := time.Since(start)
	e.duration.WithLabelValues(req.kind).Observe(took.Seconds())
	result := outcome(run)
	e.probes.WithLabelValues(req.kind, result).Inc()
	if e.log.Enabled(ctx, slog.LevelDebug) {
		attrs := []any{req.kind, req.target + req.domain, "result", result, "seconds", took.Seconds()}
		if err := firstError(run); err != nil {
			// Words and code from the one place kmsctl describes failures.
			info := failure.Describe(err, failure.Context{Command: "exporter"})
			attrs = append(attrs, "code", info.Code, "error", info.Cause)
		}
		e.log.Debug("probe", attrs...)
	}
	writeFamilies(w, r, output.PrometheusFamilies(run))
}

// answers holds the buffers probe answers are encoded into.
var answers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooled is the largest answer buffer kept for reuse; a domain's
// answer may be larger, once.
const maxPooled = 64 << 10

// writeFamilies encodes a probe's metric families in the format the
// scraper asked for (expfmt's content negotiation: the text format, or
// OpenMetrics or protobuf when Accept says so), uncompressed: a probe's
// answer is a few kilobytes, and promhttp's handler, built per scrape,
// would set up gzip state every time. The answer is encoded into a
// pooled buffer and sent with its Content-Length in one write, rather
// than in chunks as the encoder fills net/http's 4 KiB buffer.
func writeFamilies(w http.ResponseWriter, r *http.Request, fams []*dto.MetricFamily) {
	format := expfmt.Negotiate(r.Header)
	buf := answers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooled {
			buf.Reset()
			answers.Put(buf)
		}
	}()
	if format.FormatType() == expfmt.TypeTextPlain {
		// The text format, which Prometheus takes unless told otherwise:
		// written as `status --format prometheus` writes it. kmsctl's
		// metric and label names are valid in every escaping scheme, so
		// the encoder's per-family escaping copy (and its re-parsing of
		// the format string) would change nothing.
		for _, f := range fams {
			if _, err := expfmt.MetricFamilyToText(buf, f); err != nil {
				http.Error(w, "cannot encode the answer: "+oneLine(err.Error()), http.StatusInternalServerError)
				return
			}
		}
	} else {
		enc := expfmt.NewEncoder(buf, format)
		for _, f := range fams {
			if err := enc.Encode(f); err != nil {
				http.Error(w, "cannot encode the answer: "+oneLine(err.Error()), http.StatusInternalServerError)
				return
			}
		}
		if c, ok := enc.(expfmt.Closer); ok {
			c.Close()
		}
	}
	h := w.Header()
	h.Set("Content-Type", string(format))
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Write(buf.Bytes()) // an error is the scraper gone away
}

// run probes the request's host, or discovers the domain's and probes
// every one found (at most MaxDomainHosts).
func (e *Exporter) run(ctx context.Context, req request, timeout time.Duration) output.PrometheusRun {
	opts := e.cfg.Probe
	opts.Clock, opts.HostTimeout = e.clk, timeout
	run := output.PrometheusRun{}
	if req.kind == "target" {
		run.Hosts = probe.Fleet(ctx, []string{req.target}, req.targets, e.cfg.Client, opts, 1, nil)
	} else {
		found, err := discovery.Discover(ctx, req.domain, e.cfg.Discovery)
		run.Discovery = &output.PrometheusDiscovery{Domain: req.domain, Err: err}
		if err == nil {
			run.Hosts = probe.Discovered(ctx, probe.FoundHosts(found, MaxDomainHosts), req.targets, e.cfg.Client, opts, MaxDomainHosts, nil)
		}
	}
	if e.self != nil {
		// The record is written even when the probe used up its time:
		// the host counted the request all the same.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), selfcount.LockWait)
		if err := e.self.Record(rctx, run.Hosts, e.cfg.Client.CMID, e.clk.Now()); err != nil {
			run.Err = err // kmsctl_up 0: kmsctl's own share of the counts may be undercounted
			e.log.Warn("cannot record the hosts asked; kmsctl's own clients may be undercounted", "error", err.Error())
		}
		cancel()
	}
	run.End = e.clk.Now()
	return run
}

// firstError is the first failure of a run: kmsctl's own, discovery's,
// a host's or a group's; nil when everything answered.
func firstError(run output.PrometheusRun) error {
	if run.Err != nil {
		return run.Err
	}
	if run.Discovery != nil && run.Discovery.Err != nil {
		return run.Discovery.Err
	}
	for i := range run.Hosts {
		if run.Hosts[i].Err != nil {
			return run.Hosts[i].Err
		}
		for j := range run.Hosts[i].Groups {
			if err := run.Hosts[i].Groups[j].Err; err != nil {
				return err
			}
		}
	}
	return nil
}

// outcome is a run's result label: the worst host's.
func outcome(run output.PrometheusRun) string {
	if run.Err != nil || run.Discovery != nil && run.Discovery.Err != nil {
		return "failed"
	}
	worst := probe.OK
	for i := range run.Hosts {
		worst = max(worst, run.Hosts[i].Outcome())
	}
	return [...]string{"ok", "below", "failed"}[worst]
}

// indexPage is /: links and the version. No template engine: its
// package initialisation would cost every kmsctl start.
const indexPage = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>kmsctl exporter</title></head>
<body>
<h1>kmsctl exporter</h1>
<p>Probes KMS hosts for Prometheus. Version %s.</p>
<ul>
<li><a href="probe?target=kms.example.com">/probe?target=HOST[:PORT]</a> (add &amp;module=NAME, a module of --config, or &amp;product=NAME, repeatable, and &amp;protocol=4|5|6)</li>
<li><a href="probe?domain=example.com">/probe?domain=DOMAIN</a>: every host of _vlmcs._tcp.DOMAIN</li>
<li><a href="metrics">/metrics</a>: the exporter's own metrics</li>
<li><a href="-/healthy">/-/healthy</a>; POST /-/reload reads the --config file again</li>
</ul>
</body></html>
`

func (e *Exporter) serveIndex(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, indexPage, html.EscapeString(e.cfg.Version))
}

// Serve answers on ln until ctx ends (SIGINT or SIGTERM in kmsctl
// exporter), then shuts down gracefully: it stops accepting, lets probes
// in flight finish within grace (their own timeout bounds them), then
// cancels whatever still runs and closes every connection. It returns
// nil after a shutdown, or why serving failed.
func (e *Exporter) Serve(ctx context.Context, ln net.Listener, grace time.Duration) error {
	base, cancelProbes := context.WithCancel(context.Background())
	defer cancelProbes()
	srv := &http.Server{
		Handler:           e.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return base },
		ErrorLog:          slog.NewLogLogger(e.log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	e.log.Info("listening", "address", ln.Addr().String(), "concurrency", e.cfg.Concurrency,
		"queue", e.cfg.Queue, "timeout", e.cfg.Timeout.String())
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	e.log.Info("shutting down", "in_flight", len(e.slots), "grace", grace.String())
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		e.log.Warn("probes still running after the grace period: cancelled", "error", err.Error())
		cancelProbes()
		srv.Close()
	}
	<-served
	e.log.Info("stopped")
	return nil
}
