package commands

import (
	"strconv"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/identity"
	"github.com/kmsctl/kmsctl/output"
)

func rearmCommand(env *Env) *cli.Command {
	return &cli.Command{
		Name:  "rearm",
		Usage: "reset the licensing state and the CMID (slmgr /rearm)",
		Description: `Starts a new 30-day initial grace period, not activated, and gives this
machine a new client machine ID (CMID); the old one is kept and sent to KMS
hosts as the previous CMID. Use it on a cloned machine, which otherwise counts
as the same client as its original. Each rearm uses one of the product's
rearms (3 for Windows 7 and Vista era products, 1000 for later ones).

Example:
   kmsctl rearm`,
		Flags: []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print JSON (schema in README)"}, textFormatFlag()},
		Action: func(c *cli.Context) error {
			if err := wantJSON(env, c); err != nil {
				return err
			}
			if err := wantArgs(c, "rearm", 0, 0, ""); err != nil {
				return err
			}
			store, err := env.store(c)
			if err != nil {
				return err
			}
			st, id, err := store.Rearm(c.Context, identity.Options{Clock: env.Clock, Hostname: env.Hostname}, env.Clock.Now())
			if err != nil {
				return err
			}
			notes := []string{
				"On Windows a restart would be needed for the changes to take effect; kmsctl applies them at once.",
				"Client Machine ID (CMID): " + id.CMID.String(),
			}
			if !id.PreviousCMID.IsZero() {
				notes = append(notes, "Previous Client Machine ID (CMID): "+id.PreviousCMID.String())
			}
			notes = append(notes, "Remaining rearm count: "+strconv.Itoa(st.RearmsLeft()))
			ch := output.Change{Command: "rearm", Changed: true, Message: "Command completed successfully.", Notes: notes}
			return env.Streams(c).Change(ch, output.NewLicenseInfo(st, &id, env.Clock.Now()), output.ViewOf(env.json))
		},
	}
}
