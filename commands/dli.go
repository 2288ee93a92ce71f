package commands

import (
	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/output"
)

// License information: dli, dlv, xpr.

func dliCommand(env *Env) *cli.Command {
	return licenseView(env, "dli", "display license information (slmgr /dli)",
		`Shows each installed product (Windows, Office), or the one ACTIVATION-ID
names, as slmgr /dli does: name, description, partial
product key, license status and time left, and the KMS client information
(CMID, KMS host, its ePID, intervals, host caching), plus the last and next
contact with the host. Colour by state on a terminal.

Examples:
   kmsctl dli
   kmsctl dli --json`,
		func(s *output.Streams, ins []output.LicenseInfo, v output.View) error {
			return s.Licenses(ins, false, v)
		})
}

func dlvCommand(env *Env) *cli.Command {
	return licenseView(env, "dlv", "display detailed license information (slmgr /dlv)",
		`Shows what dli shows, plus the product's IDs, key channel, rearm count, KMS
counted ID and previous CMID.

Examples:
   kmsctl dlv
   kmsctl dlv --json`,
		func(s *output.Streams, ins []output.LicenseInfo, v output.View) error {
			return s.Licenses(ins, true, v)
		})
}

func xprCommand(env *Env) *cli.Command {
	return licenseView(env, "xpr", "show when the current license state ends (slmgr /xpr)",
		`Shows when the activation expires (or the grace period ends), and whether
renewals are failing.

Example:
   kmsctl xpr`,
		func(s *output.Streams, ins []output.LicenseInfo, v output.View) error { return s.Expiries(ins, v) })
}

func licenseView(env *Env, name, usage, desc string, show func(*output.Streams, []output.LicenseInfo, output.View) error) *cli.Command {
	return &cli.Command{
		Name:        name,
		Usage:       usage,
		ArgsUsage:   "[all | ACTIVATION-ID]",
		Description: desc,
		Flags: []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print JSON (schema in README)"},
			newFormatFlag("", "output `FORMAT`: text (slmgr's layout, the default) or json", textJSONFormats)},
		Action: func(c *cli.Context) error {
			format, err := tableFormat(env, c)
			if err != nil {
				return err
			}
			if err := wantArgs(c, name, 0, 1, "[all | ACTIVATION-ID]"); err != nil {
				return err
			}
			_, views, err := env.chooseViews(c, name, c.Args().First(), true)
			if err != nil {
				return err
			}
			id, err := env.peekIdentity(c)
			if err != nil {
				return err
			}
			var ins []output.LicenseInfo
			for _, st := range views {
				ins = append(ins, output.NewLicenseInfo(st, id, env.Clock.Now()))
			}
			return show(env.Streams(c), ins, format)
		},
	}
}
