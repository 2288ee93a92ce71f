// Package commands is kmsctl's command line: each file parses one family of
// commands into options, calls the package that does the work, and hands
// the result to output. Nothing here speaks the protocol or formats text.
package commands

import (
	"context"
	"io"
	"os"
	"strconv"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/clock"
	"github.com/kmsctl/kmsctl/discovery"
	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/identity"
	"github.com/kmsctl/kmsctl/license"
	"github.com/kmsctl/kmsctl/output"
	"github.com/kmsctl/kmsctl/statedir"
)

// Env carries what commands need from the outside world, so that tests can
// replace the clock and the streams.
type Env struct {
	Clock    clock.Clock
	Getenv   func(string) string
	Stdin    io.Reader // --hosts-file -
	Hostname func() (string, error)
	// NewStreams builds the output streams once flags are known.
	NewStreams func(noColor bool) *output.Streams
	// Discover finds KMS hosts in DNS (name and address, in the order to try
	// them) for ato and renew when no host is set with skms; domain is the
	// skms-domain setting, "" for the machine's own domains. This is the
	// seam for DNS discovery: while it is nil, ato and renew without a host
	// stop with a hint to run `kmsctl skms HOST`.
	Discover func(ctx context.Context, domain string) ([]license.Found, error)
	// DNSConfig gives the resolvers and search domains discovery uses
	// when --dns-server and --domain do not say.
	DNSConfig func() (*discovery.Config, error)

	streams  *output.Streams
	json     bool   // the running command was asked for JSON, errors included
	notFound string // an unknown command name
	// argv is the command line as cmdline.Normalise left it, for naming a
	// flag as it was typed (-o, not --o).
	argv []string
	// slmgrPassword is the verb as typed when the password came
	// positionally, in slmgr's remote form MACHINE USER PASSWORD /dlv, not
	// from --password; "" otherwise.
	slmgrPassword string
	check         bool // a monitoring check: failures to run are UNKNOWN, exit 3
	// ran is the command that runs (its name path and its flags, the
	// global ones included), for the words of its failures.
	ran struct {
		name  string
		flags []string
	}
}

// SystemEnv is the real environment.
func SystemEnv() *Env {
	return &Env{
		Clock:     clock.Real{},
		DNSConfig: discovery.SystemConfig,
		Getenv:    os.Getenv,
		Stdin:     os.Stdin,
		Hostname:  os.Hostname,
		NewStreams: func(noColor bool) *output.Streams {
			return output.System(noColor, os.Getenv)
		},
	}
}

// Streams returns the output streams, honouring --no-color.
func (e *Env) Streams(c *cli.Context) *output.Streams {
	if e.streams == nil {
		noColor := false
		if c != nil {
			noColor = c.Bool("no-color")
		}
		e.streams = e.NewStreams(noColor)
		e.streams.Describe = func(err error) output.ErrorInfo { return failure.Describe(err, e.failureContext()) }
	}
	return e.streams
}

// stateDir resolves --state-dir, KMSCTL_STATE_DIR or the platform default.
func (e *Env) stateDir(c *cli.Context) (string, error) {
	return statedir.Resolve(c.String("state-dir"), e.Getenv)
}

// identity returns the client identity every probe uses, creating it on
// first use; --cmid replaces the CMID for this run only.
func (e *Env) identity(ctx context.Context, c *cli.Context) (identity.Identity, error) {
	dir, err := e.stateDir(c)
	if err != nil {
		return identity.Identity{}, err
	}
	if s := c.String("cmid"); s != "" {
		g, err := guid.Parse(s)
		if err != nil || g.IsZero() {
			return identity.Identity{}, &failure.UsageError{Msg: "--cmid " + s + " is not a client machine ID", Hint: "give a GUID such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301"}
		}
		// A one-off CMID must not create or change the stored identity.
		return identity.WithCMID(dir, g, identity.Options{Hostname: e.Hostname})
	}
	return identity.Load(ctx, dir, identity.Options{Clock: e.Clock, Hostname: e.Hostname})
}

// wantArgs checks the number of positional arguments of command name.
func wantArgs(c *cli.Context, name string, min, max int, usage string) error {
	n := c.NArg()
	switch {
	case n < min:
		return &failure.UsageError{Msg: name + " needs " + usage, Hint: "kmsctl " + name + " " + usage}
	case n > max && max == 0:
		return &failure.UsageError{Msg: name + " takes no arguments, got " + strconv.Itoa(n), Hint: "run 'kmsctl " + name + " --help'"}
	case n > max:
		return &failure.UsageError{Msg: name + " takes " + usage + ", got " + strconv.Itoa(n) + " arguments", Hint: "run 'kmsctl " + name + " --help'"}
	}
	return nil
}
