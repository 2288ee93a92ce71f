package commands

import (
	"context"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/kmsaddr"
	"github.com/kmsctl/kmsctl/kmshost"
	"github.com/kmsctl/kmsctl/output"
	"github.com/kmsctl/kmsctl/probe"
)

// statusWinRM is what `status --winrm` needs to read each host's WMI.
type statusWinRM struct {
	base        kmshost.Config // everything but the host
	concurrency int
}

// parseStatusWinRM checks the --winrm flags of status; nil when --winrm is
// not given.
func parseStatusWinRM(env *Env, c *cli.Context, o statusOptions) (*statusWinRM, error) {
	if !c.Bool("winrm") {
		for _, f := range append(winrmFlagNames("winrm-port"), "winrm-timeout") {
			if f == "user" && env.Getenv("KMSCTL_WINRM_USER") != "" {
				continue // set for host commands; urfave/cli cannot tell it from --user
			}
			if c.IsSet(f) {
				return nil, &failure.UsageError{Msg: "--" + f + " only applies with --winrm", Hint: "kmsctl status HOST --winrm --user USER"}
			}
		}
		return nil, nil
	}
	// Every host is read with the same settings; the first one's name
	// goes into the password prompt (hosts found in DNS are not known yet).
	host := "localhost"
	if len(o.survey.Hosts) > 0 {
		h, _, err := splitKMSAddress(o.survey.Hosts[0])
		if err != nil {
			return nil, err
		}
		host = h
	}
	cfg, err := winrmConfig(env, c, host, "winrm-port", "winrm-timeout")
	if err != nil {
		return nil, err
	}
	return &statusWinRM{base: cfg, concurrency: o.survey.Concurrency}, nil
}

// splitKMSAddress returns the host part of a status HOST[:PORT].
func splitKMSAddress(s string) (string, string, error) {
	addr, err := kmsaddr.Parse(s)
	if err != nil {
		return "", "", err
	}
	i := strings.LastIndexByte(addr, ':')
	return strings.Trim(addr[:i], "[]"), addr[i+1:], nil
}

// read reads every host's WMI counters, at most concurrency at a time
// (probe's worker pool).
func (w *statusWinRM) read(ctx context.Context, hosts []probe.Host) []output.WinRMResult {
	out := make([]output.WinRMResult, len(hosts))
	eachWinRM(w.base, len(hosts), w.concurrency, func(i int, cfg *kmshost.Config) {
		if h, _, err := splitKMSAddress(hosts[i].Host); err == nil {
			cfg.Host = h
		}
	}, func(i int, cfg kmshost.Config, cl *kmshost.Client, err error) {
		out[i].Address, out[i].Err = cfg.Addr(), err
		if err == nil {
			out[i].Counters, out[i].Err = cl.KMSHost(ctx)
		}
	})
	return out
}

// skip is read's results for a run the user interrupted (Ctrl-C) before
// WMI was read: every host's Err is probe.ErrNotProbed.
func (w *statusWinRM) skip(hosts []probe.Host) []output.WinRMResult {
	out := make([]output.WinRMResult, len(hosts))
	for i := range out {
		out[i].Err = probe.ErrNotProbed
	}
	return out
}

// eachWinRM connects to count hosts over WinRM, at most n at a time
// (probe's worker pool): host i's settings are base changed by target,
// and read gets its client, or why there is none.
func eachWinRM(base kmshost.Config, count, n int, target func(i int, cfg *kmshost.Config), read func(i int, cfg kmshost.Config, cl *kmshost.Client, err error)) {
	probe.Each(count, n, func(i int) {
		cfg := base
		target(i, &cfg)
		cl, err := kmshost.New(cfg)
		read(i, cfg, cl, err)
	})
}

// statusWinRMFlags are the flags --winrm adds to status.
func statusWinRMFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.BoolFlag{Category: "WinRM", Name: "winrm", Usage: "also read each host's WMI counters over WinRM and show both counts side by side"},
		&cli.DurationFlag{Category: "WinRM", Name: "winrm-timeout", Value: kmshost.DefaultTimeout, Usage: "with --winrm: give up on a host's WMI after `DURATION`"},
	}, winrmFlags("winrm-port")...)
}
