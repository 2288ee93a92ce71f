package commands

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/cmdline"
	"github.com/kmsctl/kmsctl/failure"
)

// NewApp builds the command tree.
func NewApp(env *Env) *cli.App {
	app := &cli.App{
		Name:  "kmsctl",
		Usage: "check KMS hosts and drive KMS activation from any terminal",
		Description: `kmsctl speaks the KMS activation protocol (DCE/RPC, versions 4, 5 and 6) to
Windows KMS hosts and compatible servers. It reports what a host counts for
each product group against the activation threshold, verifies every reply,
and explains every failure with its Windows error code.

Help on a command: kmsctl help COMMAND, kmsctl COMMAND --help, or slmgr's
kmsctl /? (also -? and /help; in zsh and fish quote it: kmsctl '/?').

Examples:
   kmsctl status kms.corp.example.com
   kmsctl status 10.0.0.5 --product "Windows Server 2022 Standard" --json`,
		Version:         env.version(),
		HideHelpCommand: true,
		// Help and --version go where every result goes, so that a full
		// disk or a closed pipe ends them as it ends any command.
		Writer:                 streamsWriter{env},
		UseShortOptionHandling: false,
		Flags:                  globalFlags(),
		Commands: []*cli.Command{
			statusCommand(env),
			productsCommand(env),
			completionCommand(env),
			dnsCommand(env),
			ipkCommand(env),
			upkCommand(env),
			cpkyCommand(env),
			skmsCommand(env),
			ckmsCommand(env),
			skmsDomainCommand(env),
			ckmsDomainCommand(env),
			skhcCommand(env),
			ckhcCommand(env),
			atoCommand(env),
			renewCommand(env),
			dliCommand(env),
			dlvCommand(env),
			xprCommand(env),
			rearmCommand(env),
			logCommand(env),
			explainCommand(env),
			versionCommand(env),
			hostCommand(env),
			exporterCommand(env),
			clientCommand(env),
		},
		// Errors are reported once, by main through Env.Exit.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			env.running(c)
			return flagError(c, err, env.argv)
		},
		CommandNotFound: func(c *cli.Context, name string) {
			env.notFound = name
		},
	}
	track(env, app.Commands)
	return app
}

// globalFlags are kmsctl's own flags, given before or after the command
// (cmdline.Normalise moves them before it); every command's help lists
// them too.
func globalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "state-dir", Category: "State", Usage: "keep kmsctl's state (client identity, license store, journal) in `DIR`", EnvVars: []string{"KMSCTL_STATE_DIR"}},
		&cli.BoolFlag{Name: "no-color", Category: "Output", Usage: "never colour the output (NO_COLOR is honoured too)"},
		&cli.StringFlag{Name: "dns-server", Category: "Discovery", Usage: "find KMS hosts through the DNS server `HOST[:PORT]` instead of the system's", EnvVars: []string{"KMSCTL_DNS_SERVER"}},
		&cli.BoolFlag{Name: "no-weight", Category: "Discovery", Usage: "when finding KMS hosts in DNS, ignore SRV priority and weight and pick at random"},
	}
}

// track makes every command record itself in env when it runs or its
// flags are wrong, so that its failures are put into words for it.
func track(env *Env, cmds []*cli.Command) {
	for _, cmd := range cmds {
		// No "help, h" subcommand anywhere: kmsctl help COMMAND and
		// COMMAND --help are the ways (cmdline.Normalise).
		cmd.HideHelpCommand = true
		if action := cmd.Action; action != nil {
			cmd.Action = func(c *cli.Context) error {
				env.running(c)
				return action(c)
			}
		}
		cmd.OnUsageError = func(c *cli.Context, err error, _ bool) error {
			env.running(c)
			return flagError(c, err, env.argv)
		}
		track(env, cmd.Subcommands)
	}
}

// Run runs the app on args (os.Args form), normalised by cmdline.Table.
func Run(env *Env, args []string) error {
	app := NewApp(env)
	if len(args) > 1 && args[1] == completeCommand {
		return runComplete(env, app, args[2:])
	}
	fastNames(app.Flags, app.Commands)
	l, err := cmdline.Normalise(app, args)
	env.json, env.check, env.slmgrPassword, env.argv = l.JSON, l.Check, l.SlmgrPassword, l.Argv
	if err != nil {
		return err
	}
	// urfave/cli sets up every command it holds before it runs one (it
	// renders every flag of every command to a string, a tenth of a
	// status run): hand it only the command the line names. A line that
	// names none, or a word that is no command, keeps the whole tree for
	// the app's help and the suggestion.
	if cmd := app.Command(l.Command()); cmd != nil {
		app.Commands = []*cli.Command{cmd}
	}
	err = app.Run(l.Argv)
	if err == nil && env.notFound != "" {
		err = &failure.UsageError{Msg: fmt.Sprintf("%q is not a kmsctl command", env.notFound), Hint: "run 'kmsctl --help' for the list"}
		if s := suggestCommand(app, env.notFound); s != "" {
			err.(*failure.UsageError).Hint = "did you mean kmsctl " + s + "? (run 'kmsctl --help' for the list)"
		}
	}
	return err
}

// streamsWriter writes on env's standard output stream, made when first
// written to.
type streamsWriter struct{ env *Env }

func (w streamsWriter) Write(p []byte) (int, error) { return w.env.Streams(nil).Out.Write(p) }

// TerminalWidth is the columns of the terminal standard output is, 0 when
// it is not one: help wraps at it.
func (w streamsWriter) TerminalWidth() int { return w.env.Streams(nil).OutWidth }
