package commands

import (
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

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
kmsctl /? (also -? and /help).

Examples:
   kmsctl status kms.corp.example.com
   kmsctl status 10.0.0.5:1688 --product "Windows Server 2022 Standard" --json`,
		Version:         env.version(),
		HideHelpCommand: true,
		// Help and --version go where every result goes, so that a full
		// disk or a closed pipe ends them as it ends any command.
		Writer:                 streamsWriter{env},
		UseShortOptionHandling: false,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "state-dir", Category: "State", Usage: "keep kmsctl's state (client identity, license store, journal) in `DIR`", EnvVars: []string{"KMSCTL_STATE_DIR"}},
			&cli.BoolFlag{Name: "no-color", Category: "Output", Usage: "never colour the output (NO_COLOR is honoured too)"},
			&cli.StringFlag{Name: "dns-server", Category: "Discovery", Usage: "find KMS hosts through the DNS server `HOST[:PORT]` instead of the system's", EnvVars: []string{"KMSCTL_DNS_SERVER"}},
			&cli.BoolFlag{Name: "no-weight", Category: "Discovery", Usage: "when finding KMS hosts in DNS, ignore SRV priority and weight and pick at random"},
		},
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
			return flagError(c, err)
		},
		CommandNotFound: func(c *cli.Context, name string) {
			env.notFound = name
		},
	}
	track(env, app.Commands)
	return app
}

// track makes every command record itself in env when it runs or its
// flags are wrong, so that its failures are put into words for it.
func track(env *Env, cmds []*cli.Command) {
	for _, cmd := range cmds {
		if action := cmd.Action; action != nil {
			cmd.Action = func(c *cli.Context) error {
				env.running(c)
				return action(c)
			}
		}
		cmd.OnUsageError = func(c *cli.Context, err error, _ bool) error {
			env.running(c)
			return flagError(c, err)
		}
		track(env, cmd.Subcommands)
	}
}

// Run runs the app on args (os.Args form) after mapping slmgr's spellings.
func Run(env *Env, args []string) error {
	app := NewApp(env)
	if len(args) > 1 && args[1] == completeCommand {
		return runComplete(env, app, args[2:])
	}
	env.json, env.check = wantsJSON(args), wantsCheck(args)
	args = helpArgs(app, args)
	if err := slmgrRemoteInvalid(args); err != nil {
		return err
	}
	if err := slmgrRemoteOther(args); err != nil {
		return err
	}
	if _, pos, verb := slmgrRemoteParts(args); verb >= 0 && len(pos) == 3 {
		env.slmgrPassword = true
	}
	args, err := slmgrVerb(app, SlmgrArgs(args))
	if err != nil {
		return err
	}
	err = app.Run(interspersedSub(app, interspersed(app, args)))
	if err == nil && env.notFound != "" {
		err = &failure.UsageError{Msg: fmt.Sprintf("%q is not a kmsctl command", env.notFound), Hint: "run 'kmsctl --help' for the list"}
		if s := suggestCommand(app, env.notFound); s != "" {
			err.(*failure.UsageError).Hint = "did you mean kmsctl " + s + "? (run 'kmsctl --help' for the list)"
		}
	}
	return err
}

// helpArgs turns the ways people ask for help into --help: slmgr's /? (and
// -?, /help, /h), anywhere before "--", and "kmsctl help [COMMAND...]",
// which becomes "kmsctl [COMMAND...] --help".
func helpArgs(app *cli.App, args []string) []string {
	out := slices.Clone(args)
	for i := 1; i < len(out); i++ {
		if out[i] == "--" {
			break
		}
		switch strings.ToLower(out[i]) {
		case "/?", "-?", "/help", "/h":
			out[i] = "--help"
		}
	}
	if i := commandIndex(app, out); i < len(out) && out[i] == "help" {
		out = append(slices.Delete(out, i, i+1), "--help")
	}
	return out
}

// SlmgrArgs accepts slmgr's own spellings: /ato, -ato and /ATO all mean
// ato, and slmgr's remote form MACHINE [USER PASSWORD] /dlv means
// host dlv MACHINE [--user USER --password PASSWORD].
func SlmgrArgs(args []string) []string {
	if len(args) < 2 {
		return args
	}
	if out, ok := slmgrRemote(args); ok {
		return out
	}
	out := append([]string(nil), args...)
	for i := 1; i < len(out); i++ {
		a := out[i]
		if strings.HasPrefix(a, "--") {
			continue
		}
		if len(a) > 1 && (a[0] == '/' || a[0] == '-') {
			if verb := strings.ToLower(a[1:]); slmgrVerbs[verb] {
				out[i] = verb
				break
			}
		}
		if !strings.HasPrefix(a, "-") {
			break // the first positional argument is the command
		}
	}
	return out
}

// slmgrVerbs are the slmgr options kmsctl implements as commands.
var slmgrVerbs = map[string]bool{"status": true,
	"ipk": true, "upk": true, "cpky": true, "ato": true, "dli": true, "dlv": true, "xpr": true, "rearm": true,
	"skms": true, "ckms": true, "skms-domain": true, "ckms-domain": true, "skhc": true, "ckhc": true,
	"renew": true, "log": true, "explain": true}

// slmgrVerb finds the command after the global flags (and their values,
// which SlmgrArgs does not skip) and maps slmgr's spelling of it (/ato,
// -ato, /ATO). An option there that kmsctl does not have (/bogus, -bogus)
// gets slmgr's answer, "Unrecognized option", with kmsctl's verbs in place
// of slmgr's usage text.
func slmgrVerb(app *cli.App, args []string) ([]string, error) {
	builtin := slices.Concat(cli.HelpFlag.Names(), cli.VersionFlag.Names())
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--" || !strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "/"):
			return args, nil // the command, or a positional argument
		case strings.HasPrefix(a, "--"):
		case len(a) > 1 && slmgrVerbs[strings.ToLower(a[1:])]:
			out := slices.Clone(args)
			out[i] = strings.ToLower(a[1:])
			return out, nil
		case len(a) > 1 && (a[0] == '/' || !isFlag(app.Flags, a) && !slices.Contains(builtin, a[1:])):
			var verbs []string
			for _, c := range app.VisibleCommands() {
				verbs = append(verbs, c.Name)
			}
			return nil, &failure.UsageError{Msg: "Unrecognized option: " + a,
				Hint: "kmsctl's verbs, also written /verb or -verb as slmgr does: " + strings.Join(verbs, ", ")}
		}
		if takesValue(app.Flags, a) {
			i++
		}
	}
	return args, nil
}

// suggestCommand is the command nearest to name, by urfave/cli's own
// suggestion function; "" when it suggests only help.
func suggestCommand(app *cli.App, name string) string {
	if cli.SuggestCommand == nil {
		return ""
	}
	var cmds []*cli.Command
	for _, c := range app.Commands {
		if !c.Hidden {
			cmds = append(cmds, c)
		}
	}
	// SuggestCommand answers in its template, `Did you mean "status"?`.
	_, quoted, ok := strings.Cut(cli.SuggestCommand(cmds, name), `"`)
	s, _, _ := strings.Cut(quoted, `"`)
	if !ok || s == "help" || s == "h" || !near(name, s) {
		return ""
	}
	return s
}

// streamsWriter writes on env's standard output stream, made when first
// written to.
type streamsWriter struct{ env *Env }

func (w streamsWriter) Write(p []byte) (int, error) { return w.env.Streams(nil).Out.Write(p) }

// TerminalWidth is the columns of the terminal standard output is, 0 when
// it is not one: help wraps at it.
func (w streamsWriter) TerminalWidth() int { return w.env.Streams(nil).OutWidth }
