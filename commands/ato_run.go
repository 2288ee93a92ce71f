package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/identity"
	"github.com/kmsctl/kmsctl/license"
	"github.com/kmsctl/kmsctl/limit"
	"github.com/kmsctl/kmsctl/output"
)

// activationOptions is an ato or renew command line, checked.
type activationOptions struct {
	op      string // "ato" or "renew"
	id      string // the ACTIVATION-ID argument; "" for every installed product
	force   bool   // renew --force: contact the host, due or not
	timeout time.Duration
}

// activation is the Action of ato and renew (op).
func activation(env *Env, c *cli.Context, op string) error {
	o, err := parseActivation(env, c, op)
	if err != nil {
		return err
	}
	return runActivation(env, c, o)
}

// parseActivation checks the arguments before any work starts.
func parseActivation(env *Env, c *cli.Context, op string) (activationOptions, error) {
	if err := wantJSON(env, c); err != nil {
		return activationOptions{}, err
	}
	o := activationOptions{op: op, id: c.Args().First(), force: c.Bool("force"), timeout: c.Duration("timeout")}
	if err := wantArgs(c, op, 0, 1, "[ACTIVATION-ID]"); err != nil {
		return o, err
	}
	if o.timeout <= 0 {
		return o, &failure.UsageError{Msg: "--timeout must be positive", Hint: "e.g. --timeout 5s"}
	}
	return o, nil
}

// runActivation contacts the host for every product chosen, one after the
// other (license.Store.ContactEach), and reports what each contact did.
func runActivation(env *Env, c *cli.Context, o activationOptions) error {
	store, views, err := env.chooseViews(c, o.op, o.id, false)
	if err != nil {
		return err
	}
	products := make([]guid.GUID, len(views))
	for i, st := range views {
		products[i] = st.Product.SKU.SKUID
	}
	// Ctrl-C ends the contact under way (not recorded: license.Contact)
	// and the products after it are not contacted; exit status 130. Each
	// product's result is written as soon as its contact ends (JSON: once
	// all are done); on an error, what was done before it, then why.
	ctx, stop := interruptible(c.Context)
	report := env.Streams(c).Activations(o.op, len(products), output.ViewOf(env.json))
	outcomes, err := store.ContactEach(ctx, o.op, o.force, products, env.licenseClient(c, o), report.Add)
	stop()
	interrupted := limit.Interrupted(ctx)
	defer env.recordContacts(c, outcomes)
	if werr := report.Close(); werr != nil {
		return werr
	}
	switch {
	case err != nil && interrupted:
		// Stopped before the contact (waiting for the store's lock, the
		// identity): whatever the wait said, the user ended it.
		return fmt.Errorf("%w before %s contacted a KMS host", limit.ErrInterrupted, o.op)
	case err != nil:
		return productChoice(o.op, err, store)
	case interrupted:
		return failure.Interrupted()
	}
	errs := make([]error, len(outcomes))
	for i := range outcomes {
		errs[i] = outcomes[i].Err
	}
	return failure.Activations(errs)
}

// licenseClient is how license.Store contacts the host for ato and renew.
func (e *Env) licenseClient(c *cli.Context, o activationOptions) license.Client {
	// The identity is read under the store's lock (Contact calls Identify
	// holding it), which rearm holds too while it changes the CMID: read
	// before taking the lock, a concurrent rearm could make this contact
	// send the CMID it had just replaced. Lock order: the store's lock,
	// then the identity's (identity.Load takes it only to create the file).
	identify := func(ctx context.Context) (identity.Identity, error) {
		ctx, cancel := context.WithTimeout(ctx, o.timeout)
		defer cancel()
		return e.identity(ctx, c)
	}
	return license.Client{Identify: identify, Clock: e.Clock, Timeout: o.timeout,
		Discover: e.discover(c), Progress: e.contactProgress(c, o.op)}
}

// contactProgress shows, on stderr when it is a terminal, each KMS host
// before it is asked and each failover as it happens, so that ato never
// sits silent for the length of a timeout, with --json too (stdout stays
// the document alone). nil (nothing shown) when stderr is not a terminal:
// scripts get the result only.
func (e *Env) contactProgress(c *cli.Context, op string) func(license.Progress) {
	out := e.Streams(c)
	if !out.ErrTTY {
		return nil
	}
	return out.ContactProgress(op)
}
