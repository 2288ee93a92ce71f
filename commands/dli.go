package commands

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/license"
	"github.com/kmsctl/kmsctl/output"
)

// License information: dli, dlv, xpr.

func dliCommand(env *Env) *cli.Command {
	return licenseView(env, "dli", "display license information (slmgr /dli)",
		`Shows the installed product as slmgr /dli does: name, description, partial
product key, license status and time left, and the KMS client information
(CMID, KMS host, its ePID, intervals, host caching), plus the last and next
contact with the host. Colour by state on a terminal.

Examples:
   kmsctl dli
   kmsctl dli --json`,
		func(s *output.Streams, in output.LicenseInfo, asJSON bool) error { return s.License(in, false, asJSON) })
}

func dlvCommand(env *Env) *cli.Command {
	return licenseView(env, "dlv", "display detailed license information (slmgr /dlv)",
		`Shows what dli shows, plus the product's IDs, key channel, rearm count, KMS
counted ID and previous CMID.

Examples:
   kmsctl dlv
   kmsctl dlv --json`,
		func(s *output.Streams, in output.LicenseInfo, asJSON bool) error { return s.License(in, true, asJSON) })
}

func xprCommand(env *Env) *cli.Command {
	return licenseView(env, "xpr", "show when the current license state ends (slmgr /xpr)",
		`Shows when the activation expires (or the grace period ends), and whether
renewals are failing.

Example:
   kmsctl xpr`,
		func(s *output.Streams, in output.LicenseInfo, asJSON bool) error { return s.Expiry(in, asJSON) })
}

func licenseView(env *Env, name, usage, desc string, show func(*output.Streams, output.LicenseInfo, bool) error) *cli.Command {
	return &cli.Command{
		Name:        name,
		Usage:       usage,
		ArgsUsage:   "[all | ACTIVATION-ID]",
		Description: desc,
		Flags:       []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print JSON (schema in README)"}},
		Action: func(c *cli.Context) error {
			env.json = c.Bool("json")
			if err := wantArgs(c, name, 0, 1, "[all | ACTIVATION-ID]"); err != nil {
				return err
			}
			store, err := env.store(c)
			if err != nil {
				return err
			}
			st, err := store.Load()
			if err != nil {
				return err
			}
			if st.Product == nil {
				return &license.NoProductError{Path: store.Path()}
			}
			if err := matchActivationID(name, c.Args().First(), st.Product, true); err != nil {
				return err
			}
			id, err := env.peekIdentity(c)
			if err != nil {
				return err
			}
			return show(env.Streams(c), output.NewLicenseInfo(st, id, env.Clock.Now()), env.json)
		},
	}
}

// matchActivationID accepts slmgr's optional argument: the installed
// product's activation (SKU) ID, or "all" where slmgr takes it (dli, dlv).
func matchActivationID(name, arg string, p *license.Product, all bool) error {
	if arg == "" || all && strings.EqualFold(arg, "all") {
		return nil
	}
	g, err := guid.Parse(arg)
	if err == nil && g == p.SKU.SKUID {
		return nil
	}
	return &failure.UsageError{Msg: "no installed product has activation ID " + arg,
		Hint: "kmsctl " + name + " (the installed product, " + p.SKU.SKUID.String() + ")"}
}
