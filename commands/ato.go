package commands

import (
	"context"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/identity"
	"github.com/kmsctl/kmsctl/license"
	"github.com/kmsctl/kmsctl/output"
)

// Activation: ato and renew.

func atoCommand(env *Env) *cli.Command {
	return &cli.Command{
		Name:      "ato",
		Usage:     "activate now with the KMS host (slmgr /ato)",
		ArgsUsage: "[ACTIVATION-ID]",
		Description: `Sends a KMS activation request for the installed product to the host set with
skms, from this machine's client identity, and records the result in the
license store and the journal. The host activates the client when it counts
at least the product's threshold of clients (25 for Windows client editions,
5 for servers and Office); the activation then lasts 180 days and renews
every 7 days (or as the host says).

Without ACTIVATION-ID it activates every installed product (a machine may
have Windows and Office), one after the other, with the machine's one CMID;
with it, that product only (kmsctl dlv shows each product's).

Exit status: 0 activated; 1 the host refused (0xC004F038: its count is below
the threshold, or another code in place of a reply); 2 no answer (0xC004F074),
a reply that failed verification, or bad usage.

Examples:
   kmsctl ato
   kmsctl ato --json
   kmsctl /ato 73111121-5638-40f6-bc11-f1d7b0d64300`,
		Flags:  activationFlags(false),
		Action: func(c *cli.Context) error { return runActivation(env, c, "ato") },
	}
}

func renewCommand(env *Env) *cli.Command {
	return &cli.Command{
		Name:      "renew",
		Usage:     "contact the KMS host if a renewal or retry is due (for cron and timers)",
		ArgsUsage: "[ACTIVATION-ID]",
		Description: `Does what Windows' licensing service does on its schedule: contacts the KMS
host only when a renewal (every renewal interval, 7 days by default) or a
retry (every activation interval, 2 hours by default, while not activated or
after a failed renewal) is due; otherwise it says when the next contact is due
and exits 0. A failed renewal leaves a Licensed product Licensed until its
activation expires. Run it every 15 minutes or hourly from cron or a timer.

Exit status: as ato; 0 when nothing was due.

Examples:
   kmsctl renew
   kmsctl renew --force`,
		Flags:  activationFlags(true),
		Action: func(c *cli.Context) error { return runActivation(env, c, "renew") },
	}
}

func activationFlags(renew bool) []cli.Flag {
	fs := []cli.Flag{
		&cli.DurationFlag{Name: "timeout", Value: 5 * time.Second, Usage: "give each host `DURATION` to answer"},
		&cli.BoolFlag{Name: "json", Usage: "print JSON (schema in README)"},
	}
	if renew {
		fs = append(fs, &cli.BoolFlag{Name: "force", Usage: "contact the host now, due or not"})
	}
	return fs
}

// runActivation contacts the host for every product chosen, one after the
// other (license.Store.ContactEach), and reports what each contact did.
func runActivation(env *Env, c *cli.Context, op string) error {
	env.json = c.Bool("json")
	if err := wantArgs(c, op, 0, 1, "[ACTIVATION-ID]"); err != nil {
		return err
	}
	if c.Duration("timeout") <= 0 {
		return &failure.UsageError{Msg: "--timeout must be positive", Hint: "e.g. --timeout 5s"}
	}
	store, err := env.store(c)
	if err != nil {
		return err
	}
	// A corrupt store or a missing key stops before an identity is created.
	m, err := store.LoadMachine()
	if err != nil {
		return err
	}
	views, err := chooseViews(op, c.Args().First(), false, m, store.Path())
	if err != nil {
		return err
	}
	products := make([]guid.GUID, len(views))
	for i, st := range views {
		products[i] = st.Product.SKU.SKUID
	}
	// The identity is read under the store's lock (Contact calls Identify
	// holding it), which rearm holds too while it changes the CMID: read
	// before taking the lock, a concurrent rearm could make this contact
	// send the CMID it had just replaced. Lock order: the store's lock,
	// then the identity's (identity.Load takes it only to create the file).
	identify := func(ctx context.Context) (identity.Identity, error) {
		ctx, cancel := context.WithTimeout(ctx, c.Duration("timeout"))
		defer cancel()
		return env.identity(ctx, c)
	}
	outcomes, err := store.ContactEach(c.Context, op, c.Bool("force"), products, license.Client{Identify: identify,
		Clock: env.Clock, Timeout: c.Duration("timeout"), Discover: env.discover(c), Progress: env.contactProgress(c, op)})
	defer env.recordContacts(c, outcomes)
	// On an error, report what was done before it stopped, then why.
	if len(outcomes) > 0 {
		if werr := env.Streams(c).Activations(op, outcomes, &outcomes[0].Identity, output.ViewOf(env.json)); werr != nil {
			return werr
		}
	}
	if err != nil {
		return productChoice(op, err, store)
	}
	errs := make([]error, len(outcomes))
	for i := range outcomes {
		errs[i] = outcomes[i].Err
	}
	return failure.Activations(errs)
}

// contactProgress shows, on stderr when it is a terminal, each KMS host
// before it is asked and each failover as it happens, so that ato never
// sits silent for the length of a timeout. nil (nothing shown) for JSON
// and when stderr is not a terminal: scripts get the result only.
func (e *Env) contactProgress(c *cli.Context, op string) func(license.Progress) {
	out := e.Streams(c)
	if e.json || !out.ErrTTY {
		return nil
	}
	return func(p license.Progress) { out.ContactProgress(op, p) }
}
