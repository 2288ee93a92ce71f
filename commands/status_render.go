package commands

import (
	"github.com/kmsctl/kmsctl/clock"
	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/output"
	"github.com/kmsctl/kmsctl/probe"
)

// render writes the run as --check, Prometheus, the table beside WMI's
// counts, or the status table, and returns its exit status.
func (o *statusOptions) render(env *Env, out *output.Streams, withWMI bool, r *statusRun) error {
	probe.SetCountSelf(r.hosts, o.countSelf)
	var wmiErrs []error
	for _, w := range r.wmi {
		wmiErrs = append(wmiErrs, w.Err)
	}
	if r.interrupted && (o.format == "json" || o.format == "prometheus") {
		out.InterruptedWarning(r.hosts) // the other views say it with their problems
	}
	switch {
	case o.check:
		return o.renderCheck(out, r)
	case o.format == "prometheus":
		// Hosts that are down, DNS and kmsctl's own state are data here,
		// not failures; they are also said on stderr.
		r.prom.Hosts, r.prom.WMI, r.prom.End = r.hosts, r.wmi, clock.Or(env.Clock).Now()
		out.NotProbedWarning(r.hosts) // those hosts have no series
		for _, err := range append([]error{r.discErr, r.prom.Err}, wmiErrs...) {
			if err != nil {
				out.WriteError(err)
			}
		}
		return output.WritePrometheus(out.Out, r.prom)
	case withWMI:
		if err := out.StatusWinRM(r.hosts, r.wmi, output.View(o.format), len(o.survey.Hosts) > 1); err != nil {
			return err
		}
		return failure.Hosts(r.hosts, wmiErrs)
	}
	if err := out.Status(r.hosts, output.View(o.format), len(o.survey.Hosts) > 1); err != nil {
		return err
	}
	return failure.Hosts(r.hosts, nil)
}

// renderCheck writes the run as a monitoring check (an interrupted one
// as such) and returns its state.
func (o *statusOptions) renderCheck(out *output.Streams, r *statusRun) error {
	if r.interrupted {
		if _, err := out.CheckInterrupted(r.hosts); err != nil {
			return err
		}
		return failure.CheckInterrupted()
	}
	var warnings []string
	if r.selfWarning != "" {
		warnings = append(warnings, r.selfWarning)
	}
	state, err := out.Check(r.hosts, r.wmi, o.limits, warnings...)
	if err != nil {
		return err
	}
	return failure.Check(state)
}
