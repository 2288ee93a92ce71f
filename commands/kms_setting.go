package commands

import (
	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/license"
	"github.com/kmsctl/kmsctl/output"
)

// skhc and ckhc, and what every KMS client setting command shares.

func skhcCommand(env *Env) *cli.Command {
	return kmsSetting(env, "skhc", "", "enable KMS host caching (slmgr /skhc)",
		`Keeps using the host found by discovery that last activated this client,
while it answers (the default).

Example:
   kmsctl skhc`,
		func(*cli.Context) (func(*license.HostConfig), error) {
			return func(h *license.HostConfig) { h.NoCaching = false }, nil
		},
		func(license.HostConfig) (string, []string) { return "KMS host caching is enabled", nil })
}

func ckhcCommand(env *Env) *cli.Command {
	return kmsSetting(env, "ckhc", "", "disable KMS host caching (slmgr /ckhc)",
		`Repeats DNS discovery on every attempt, so SRV priority and weight always
apply.

Example:
   kmsctl ckhc`,
		func(*cli.Context) (func(*license.HostConfig), error) {
			return func(h *license.HostConfig) { h.NoCaching = true }, nil
		},
		func(license.HostConfig) (string, []string) { return "KMS host caching is disabled", nil })
}

// kmsSetting builds one KMS client setting command: parse checks the
// argument (if args is not "") before anything is written, and says what
// to change; report words the result as slmgr does.
func kmsSetting(env *Env, name, args, usage, desc string,
	parse func(*cli.Context) (func(*license.HostConfig), error),
	report func(license.HostConfig) (string, []string)) *cli.Command {
	return &cli.Command{
		Name:        name,
		Usage:       usage,
		ArgsUsage:   args,
		Description: desc,
		Flags:       []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print JSON (schema in README)"}, textFormatFlag()},
		Action: func(c *cli.Context) error {
			if err := wantJSON(env, c); err != nil {
				return err
			}
			n := 0
			if args != "" {
				n = 1
			}
			if err := wantArgs(c, name, n, n, args); err != nil {
				return err
			}
			change, err := parse(c)
			if err != nil {
				return err
			}
			store, err := env.changeStore(c)
			if err != nil {
				return err
			}
			st, changed, err := store.Configure(c.Context, change)
			if err != nil {
				return err
			}
			msg, warnings := report(st.KMS)
			return env.change(c, output.Change{Command: name, Changed: changed, Message: msg, Warnings: warnings}, st)
		},
	}
}
