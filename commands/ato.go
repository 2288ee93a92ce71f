package commands

import (
	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/limit"
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
a reply that failed verification, or bad usage; 130 interrupted by Ctrl-C
(0x800704C7; the contact cut short is not journaled).

Examples:
   kmsctl ato
   kmsctl ato --json
   kmsctl /ato 73111121-5638-40f6-bc11-f1d7b0d64300`,
		Flags:  activationFlags(false),
		Action: func(c *cli.Context) error { return activation(env, c, "ato") },
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
		Action: func(c *cli.Context) error { return activation(env, c, "renew") },
	}
}

func activationFlags(renew bool) []cli.Flag {
	fs := []cli.Flag{
		&cli.DurationFlag{Name: "timeout", Value: limit.DefaultTimeout, Usage: "give each host `DURATION` to answer"},
		&cli.BoolFlag{Name: "json", Usage: "print JSON (schema in README)"},
		textFormatFlag(),
	}
	if renew {
		fs = append(fs, &cli.BoolFlag{Name: "force", Usage: "contact the host now, due or not"})
	}
	return fs
}
