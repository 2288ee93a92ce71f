package commands

import (
	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/identity"
	"github.com/kmsctl/kmsctl/license"
	"github.com/kmsctl/kmsctl/output"
)

// The license store and the stored identity, as commands open them.

// store returns the license store in the state directory.
func (e *Env) store(c *cli.Context) (license.Store, error) {
	dir, err := e.stateDir(c)
	if err != nil {
		return license.Store{}, err
	}
	// A change waits for another kmsctl holding the store at most the
	// command's --timeout (where it has one), and says that it waits.
	out := e.Streams(c)
	return license.Open(dir).WithLockWait(c.Duration("timeout"), func(lockPath string) {
		out.Note("waiting for another kmsctl holding " + lockPath + "…")
	}), nil
}

// peekIdentity returns the stored client identity without creating one;
// nil when there is none yet.
func (e *Env) peekIdentity(c *cli.Context) (*identity.Identity, error) {
	dir, err := e.stateDir(c)
	if err != nil {
		return nil, err
	}
	id, ok, err := identity.Peek(dir)
	if err != nil || !ok {
		return nil, err
	}
	return &id, nil
}

// changeStore is the store for a command that changes it and then reports
// with change: a corrupt client identity stops it before anything is
// written, not after.
func (e *Env) changeStore(c *cli.Context) (license.Store, error) {
	if _, err := e.peekIdentity(c); err != nil {
		return license.Store{}, err
	}
	return e.store(c)
}

// change reports a change to the store with the license it left.
func (e *Env) change(c *cli.Context, ch output.Change, st license.State) error {
	id, err := e.peekIdentity(c)
	if err != nil {
		return err
	}
	return e.Streams(c).Change(ch, output.NewLicenseInfo(st, id, e.Clock.Now()), output.ViewOf(e.json))
}
