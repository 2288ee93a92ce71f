package commands

import (
	"context"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/cmdline"
	"github.com/kmsctl/kmsctl/discovery"
	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/license"
	"github.com/kmsctl/kmsctl/limit"
)

// How commands find KMS hosts in DNS: the resolver, the domain, the limits.

// discoveryOptions turns the global --dns-server and --no-weight into
// discovery options.
func (e *Env) discoveryOptions(c *cli.Context) (discovery.Options, error) {
	o := discovery.Options{Clock: e.Clock, NoWeight: c.Bool("no-weight"), QueryTimeout: queryTimeout(c)}
	if e.DNSConfig != nil {
		cfg, err := e.DNSConfig()
		if err != nil && c.String("dns-server") == "" {
			return o, err
		}
		o.Config = cfg
	}
	if s := c.String("dns-server"); s != "" {
		addr, err := discovery.ParseServer(s)
		if err != nil {
			return o, &failure.UsageError{Msg: "--dns-server " + s + ": " + err.Error(), Hint: "give HOST[:PORT], e.g. --dns-server 10.0.0.53"}
		}
		o.Server = addr
	}
	return o, nil
}

// queryTimeout is the limit of one DNS query: the command's --timeout,
// bounded by its --deadline; 0 (discovery's default) for a command with
// neither.
func queryTimeout(c *cli.Context) time.Duration {
	var d time.Duration
	if c.Command != nil && cmdline.IsFlag(c.Command.Flags, "timeout") {
		d = c.Duration("timeout")
	}
	if dl := c.Duration("deadline"); dl > 0 && (d <= 0 || dl < d) {
		d = dl
	}
	return d
}

// configuredDomain is the skms-domain setting, or "" when none is stored
// (or the store cannot be read: the lookup then uses the search domains).
func (e *Env) configuredDomain(c *cli.Context) string {
	s, err := e.store(c)
	if err != nil {
		return ""
	}
	st, err := s.Load()
	if err != nil {
		return ""
	}
	return st.KMS.LookupDomain
}

// discover is how ato, renew and status find hosts when none is given:
// DNS SRV records, through --dns-server or the system's resolver.
func (e *Env) discover(c *cli.Context) license.DiscoverFunc {
	if e.Discover != nil {
		return e.Discover
	}
	return func(ctx context.Context, domain string) ([]license.Found, error) {
		opts, err := e.discoveryOptions(c)
		if err != nil {
			return nil, err
		}
		// The whole discovery fits in --timeout, however many search
		// domains, servers and targets it goes through.
		d := c.Duration("timeout")
		if d <= 0 {
			d = limit.DefaultTimeout
		}
		ctx, cancel := limit.With(ctx, limit.Timeout, d)
		defer cancel()
		r, err := discovery.Discover(ctx, domain, opts)
		if err != nil {
			return nil, err
		}
		var found []license.Found
		for i := range r.Hosts {
			h := &r.Hosts[i]
			for _, a := range h.Addresses() {
				found = append(found, license.Found{Name: h.Name(), Addr: a})
			}
		}
		if len(found) == 0 && len(r.Hosts) > 0 {
			// Records, but no target resolves: say why, not "no records".
			return nil, r.Hosts[0].Err
		}
		return found, nil
	}
}
