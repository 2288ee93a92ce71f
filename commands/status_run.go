package commands

import (
	"context"
	"errors"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/limit"
	"github.com/kmsctl/kmsctl/output"
	"github.com/kmsctl/kmsctl/probe"
)

// runStatus probes the hosts and renders the results on out; a run
// interrupted by Ctrl-C renders what it has and ends in
// failure.Interrupted (exit status 130).
func runStatus(env *Env, c *cli.Context, o statusOptions, out *output.Streams) error {
	interrupted := false
	err := renderStatus(env, c, o, out, &interrupted)
	var rep *failure.Reported
	if interrupted && !o.check && (err == nil || errors.As(err, &rep)) {
		return failure.Interrupted()
	}
	return err
}

// statusRun is what one status run found, for the renderers.
type statusRun struct {
	prom        output.PrometheusRun
	discErr     error // DNS failed (under --format prometheus: a metric)
	hosts       []probe.Host
	wmi         []output.WinRMResult
	selfWarning string // the record of kmsctl's own CMIDs could not be used
	interrupted bool   // Ctrl-C stopped the probes
}

// renderStatus probes the hosts and renders the results on out. Under
// --format prometheus every run that got past its command line renders a
// complete exposition: kmsctl's own failures and discovery's are metrics.
func renderStatus(env *Env, c *cli.Context, o statusOptions, out *output.Streams, interrupted *bool) error {
	var r statusRun
	if o.discover {
		if stop, err := o.discoverHosts(env, c, out, &r); stop {
			return err
		}
	}
	winrm, err := parseStatusWinRM(env, c, o)
	if err != nil {
		return err
	}
	kind, deadline := o.survey.Limit()
	ctx, cancel := limit.With(c.Context, kind, deadline)
	defer cancel()
	if r.discErr == nil {
		if err := o.probe(ctx, env, c, out, &r, interrupted); err != nil {
			return err
		}
	}
	switch {
	case winrm != nil && r.interrupted:
		r.wmi = winrm.skip(r.hosts) // Ctrl-C ended the run: no WinRM either
	case winrm != nil:
		r.wmi = winrm.read(c.Context, r.hosts)
	}
	return o.render(env, out, winrm != nil, &r)
}

// discoverHosts finds the hosts in DNS; stop says the run ends there,
// with err (for --check: its verdict).
func (o *statusOptions) discoverHosts(env *Env, c *cli.Context, out *output.Streams, r *statusRun) (stop bool, err error) {
	if o.survey.Domain == "" {
		o.survey.Domain = env.configuredDomain(c)
	}
	opts, err := env.discoveryOptions(c)
	if err == nil {
		err = o.survey.Discover(c.Context, opts)
	}
	r.discErr = err
	r.prom.Discovery = &output.PrometheusDiscovery{Domain: c.String("domain"), Err: err}
	var ue *failure.UsageError
	switch {
	case err == nil:
		return false, nil
	case errors.As(err, &ue):
		return true, err
	case o.check:
		state, err := out.CheckNoHost(err)
		if err != nil {
			return true, err
		}
		return true, failure.Check(state)
	case o.format != "prometheus":
		return true, err
	}
	return false, nil
}

// probe asks every host as this machine's client identity, with Ctrl-C
// cutting the run short, and records which of kmsctl's CMIDs each host
// counts.
func (o *statusOptions) probe(ctx context.Context, env *Env, c *cli.Context, out *output.Streams, r *statusRun, interrupted *bool) error {
	who, err := env.identity(ctx, c)
	var ue *failure.UsageError
	if err != nil && (o.format != "prometheus" || errors.As(err, &ue)) {
		return err
	}
	if r.prom.Err = err; err != nil {
		return nil
	}
	update, stop := out.Progress((o.format == "" || o.format == "table" || o.format == "wide") && !o.check && len(o.survey.Hosts) > 1)
	o.survey.Progress = update
	// Ctrl-C stops the probes (those under way end "cancelled", the rest
	// are not started) and the results so far are written; the exit
	// status is then 130.
	ictx, istop := interruptible(ctx)
	r.hosts = o.survey.Run(ictx, probe.Client{CMID: who.CMID, Workstation: who.Workstation})
	r.interrupted = limit.Interrupted(ictx)
	*interrupted = r.interrupted
	istop()
	stop()
	// The probes may have used up the run's deadline (a stalled host); the
	// record gets its own, as long as one host's.
	rctx, rcancel := context.WithTimeout(c.Context, o.survey.Options.HostTimeout)
	err = env.recordSelf(rctx, c, who.CMID, r.hosts)
	rcancel()
	if err != nil {
		// The counts stand (the probe itself was counted); only kmsctl's
		// older CMIDs may be missing from them: said on stderr, in --check
		// and in each answered group's JSON warnings.
		r.prom.Err = err
		r.selfWarning = "kmsctl's own clients may be undercounted: " + err.Error()
		switch {
		case o.format == "json":
			probe.Warn(r.hosts, r.selfWarning)
		case o.format != "prometheus" && !o.check:
			out.Warning(r.selfWarning)
		}
	}
	return nil
}
