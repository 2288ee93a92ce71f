package commands

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/kmshost"
	"github.com/kmsctl/kmsctl/output"
)

// host: a Windows KMS host's own counters and event log, over WinRM.

func hostCommand(env *Env) *cli.Command {
	return &cli.Command{
		Name:  "host",
		Usage: "read a Windows KMS host's own counters and activation log over WinRM",
		Description: `Reads what a Windows KMS host reports about itself, from any system, over
WinRM (WS-Management, TCP 5985, or 5986 with --https): its WMI licensing
counters (host dlv) and its "Key Management Service" event log (host log).
Each read runs one fixed PowerShell command on the host (--show-script
prints it); nothing you type is placed in it.

Credentials: --user, and the password from --password-env VAR or, on a
terminal, a prompt. --password works but shows the password to other users
of this machine. --auth ntlm (default) takes domain and local accounts,
and over plain HTTP encrypts each message as a default Windows host
requires; --auth basic only local accounts, on hosts that enable it, and
only over --https is the password not readable on the way.

Exit status: 0 read; 2 the host could not be read (refused, credentials,
TLS, timeout, not a KMS host) or bad usage.

Examples:
   kmsctl host dlv kms01.corp.example.com --user 'CORP\kmsaudit' --https
   kmsctl host log kms01.corp.example.com --user 'CORP\kmsaudit' --password-env KMS_PASSWORD --https --since 24h
   kmsctl kms01.corp.example.com 'CORP\kmsaudit' PASSWORD /dlv      (slmgr's remote syntax)`,
		Subcommands: []*cli.Command{hostDLVCommand(env), hostLogCommand(env), hostAuditCommand(env)},
		Action: func(c *cli.Context) error {
			return &failure.UsageError{Msg: "host needs dlv, log or audit", Hint: "kmsctl host dlv HOST --user USER, kmsctl host log HOST --user USER, or kmsctl host audit HOST --user USER"}
		},
	}
}

// winrmFlags are the flags that say how to reach a host over WinRM; port
// is the name of the port flag.
func winrmFlags(port string) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Category: "WinRM", Name: "user", Usage: "WinRM account `NAME`: DOMAIN\\user or user@domain (NTLM), or a local account of the host", EnvVars: []string{"KMSCTL_WINRM_USER"}},
		&cli.StringFlag{Category: "WinRM", Name: "password-env", Usage: "read the password from environment variable `VAR`"},
		&cli.StringFlag{Category: "WinRM", Name: "password", Usage: "the `PASSWORD` itself (other users of this machine can see it: prefer --password-env or the prompt)"},
		&cli.StringFlag{Category: "WinRM", Name: "auth", Value: string(kmshost.AuthNTLM), Usage: "WinRM authentication `METHOD`: ntlm or basic"},
		&cli.BoolFlag{Category: "WinRM", Name: "https", Usage: "use the host's HTTPS listener (port 5986)"},
		&cli.BoolFlag{Category: "WinRM", Name: "insecure-skip-verify", Usage: "with --https: do not verify the host's certificate"},
		&cli.IntFlag{Category: "WinRM", Name: port, Usage: "WinRM `PORT`", DefaultText: "5985, or 5986 with --https"},
	}
}

// winrmFlagNames are the names of winrmFlags, for "only with --winrm".
func winrmFlagNames(port string) []string {
	return []string{"user", "password-env", "password", "auth", "https", "insecure-skip-verify", port}
}

func hostReadFlags() []cli.Flag {
	return append(winrmFlags("port"),
		&cli.DurationFlag{Name: "timeout", Category: "WinRM", Value: kmshost.DefaultTimeout, Usage: "give up after `DURATION`"},
		&cli.BoolFlag{Name: "json", Category: "Output", Usage: "print JSON (schema in README)"},
		&cli.BoolFlag{Name: "show-script", Category: "Output", Usage: "print the PowerShell kmsctl runs on the host, and do nothing else"},
	)
}

func hostDLVCommand(env *Env) *cli.Command {
	return &cli.Command{
		Name:      "dlv",
		Usage:     "show the KMS host block of slmgr /dlv: count, port, DNS, priority, intervals, requests",
		ArgsUsage: "HOST[:PORT]",
		Description: `Shows, for each KMS host key installed on the host, what slmgr /dlv prints
there: Key Management Service enabled, current count, listening port, DNS
publishing, KMS priority, activation and renewal intervals, host caching, and
the cumulative requests received (total, failed, by license status). On a
terminal slmgr's own layout (-o text); piped, one tab-separated line per
host key (-o tsv); -o json, everything.

Examples:
   kmsctl host dlv kms01.corp.example.com --user 'CORP\kmsaudit' --https
   kmsctl host dlv 10.0.0.5:5985 --user Administrator --auth basic --password-env PW --json`,
		Flags: append(hostReadFlags(),
			newFormatFlag("Output", "output `FORMAT`: text (slmgr's layout, default on a terminal), json or tsv (default when piped)", textFormats)),
		Action: func(c *cli.Context) error {
			format, err := tableFormat(env, c)
			if err != nil {
				return err
			}
			if err := wantArgs(c, "host dlv", 1, 1, "HOST --user USER"); err != nil {
				return err
			}
			out := env.Streams(c)
			if c.Bool("show-script") {
				return out.HostScript(kmshost.CountersScript, kmshost.CommandLine(kmshost.CountersScript))
			}
			cl, err := hostClient(env, c)
			if err != nil {
				return err
			}
			counters, err := cl.KMSHost(c.Context)
			if err != nil {
				return err
			}
			return out.HostDLV(c.Args().First(), cl.Addr(), counters, format)
		},
	}
}

func hostLogCommand(env *Env) *cli.Command {
	return &cli.Command{
		Name:      "log",
		Usage:     "audit the host's Key Management Service event log: every client request",
		ArgsUsage: "HOST[:PORT]",
		Description: `Lists the events 12290 (a request processed: client name, CMID, product,
license state, VM, result code, minimum count) of the host's "Key Management
Service" log, and the host's own client events 12288/12289 from its
Application log if any, newest first, then a summary: distinct
CMIDs, failures by code with what each means, and CMIDs that several
machines share (cloned without sysprep /generalize). Times are the host's.
On a terminal the table fits 80 columns (when, client, product, state,
result, minimum count; long names cut with "…"); -o wide adds the event ID,
CMID and VM.

Examples:
   kmsctl host log kms01.corp.example.com --user 'CORP\kmsaudit' --https --since 24h
   kmsctl host log kms01.corp.example.com --user 'CORP\kmsaudit' --https --max 10000 --json`,
		Flags: append(hostReadFlags(),
			&cli.StringFlag{Name: "since", Category: "Events", Usage: "only events of the last `SPAN` (e.g. 90m, 24h, 7d)"},
			&cli.IntFlag{Name: "max", Category: "Events", Value: kmshost.DefaultMaxEvents, Usage: fmt.Sprintf("read at most `N` events, the newest (1 to %d)", kmshost.MaxEvents)},
			formatFlag("Output"),
		),
		Action: func(c *cli.Context) error {
			format, err := tableFormat(env, c)
			if err != nil {
				return err
			}
			if err := wantArgs(c, "host log", 1, 1, "HOST --user USER"); err != nil {
				return err
			}
			q, err := parseLogQuery(c)
			if err != nil {
				return err
			}
			out := env.Streams(c)
			if c.Bool("show-script") {
				script, _ := kmshost.LogScript(q)
				return out.HostScript(script, kmshost.CommandLine(script))
			}
			cl, l, err := hostEvents(env, c, q)
			if err != nil {
				return err
			}
			return out.HostLog(c.Args().First(), cl.Addr(), l, q, format)
		},
	}
}

// hostEvents reads the log of the host named by c's argument.
func hostEvents(env *Env, c *cli.Context, q kmshost.LogQuery) (*kmshost.Client, *kmshost.EventLog, error) {
	cl, err := hostClient(env, c)
	if err != nil {
		return nil, nil, err
	}
	l, err := cl.Events(c.Context, q)
	return cl, l, err
}

// parseLogQuery reads --since and --max as numbers: they are the only
// values that reach the host's PowerShell, and only as integers.
func parseLogQuery(c *cli.Context) (kmshost.LogQuery, error) {
	q := kmshost.LogQuery{Max: c.Int("max")}
	if s := c.String("since"); s != "" {
		d, err := parseSpan(s)
		if err != nil {
			return q, &failure.UsageError{Msg: "--since " + strconv.Quote(s) + ": " + err.Error(), Hint: "give a span such as 90m, 24h or 7d"}
		}
		q.Since = d
	}
	if err := q.Validate(); err != nil {
		flag := "--max"
		if !strings.Contains(err.Error(), "number of events") {
			flag = "--since"
		}
		return q, &failure.UsageError{Msg: flag + ": " + err.Error(), Hint: "kmsctl host log HOST --since 24h --max 1000"}
	}
	return q, nil
}

// span is the value of a flag that takes what --since takes: a Go
// duration or whole days (parseSpan).
type span struct{ d time.Duration }

func (s *span) Set(v string) error {
	d, err := parseSpan(v)
	if err != nil {
		return err
	}
	s.d = d
	return nil
}

// String is the span as it would be written: whole days as 2d.
func (s *span) String() string {
	if s == nil {
		return ""
	}
	if s.d > 0 && s.d%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(s.d/(24*time.Hour)), 10) + "d"
	}
	return strings.TrimSuffix(strings.TrimSuffix(s.d.String(), "0s"), "0m")
}

// parseSpan reads a Go duration (90m, 24h, 1h30m) or whole days (7d).
func parseSpan(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 1 {
			return 0, errors.New("not a whole number of days")
		}
		if days > int(kmshost.MaxSince/(24*time.Hour)) {
			return 0, fmt.Errorf("more than %d days", int(kmshost.MaxSince/(24*time.Hour)))
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, errors.New("not a time span")
	}
	if d <= 0 {
		return 0, errors.New("must be positive")
	}
	return d, nil
}

// errNoTerminal: there is no terminal to ask the password on.
var errNoTerminal = errors.New("standard input is not a terminal")

// askPassword reads a password on the terminal without echo. Tests replace it.
var askPassword = func(out *output.Streams, prompt string) (string, error) {
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return "", errNoTerminal
	}
	out.Prompt(prompt)
	b, err := term.ReadPassword(fd)
	out.Prompt("\n")
	return string(b), err
}

// winrmConfig builds the connection settings from the flags, checking
// them before any work starts, and gets the password last.
// hostClient is the WinRM client of a host subcommand: HOST from its
// argument, --port, --timeout and the credential flags.
func hostClient(env *Env, c *cli.Context) (*kmshost.Client, error) {
	cfg, err := winrmConfig(env, c, c.Args().First(), "port", "timeout")
	if err != nil {
		return nil, err
	}
	cl, err := kmshost.New(cfg)
	if err != nil {
		return nil, &failure.UsageError{Msg: err.Error()}
	}
	return cl, nil
}

func winrmConfig(env *Env, c *cli.Context, target, portFlag, timeoutFlag string) (kmshost.Config, error) {
	timeout := c.Duration(timeoutFlag)
	host, port, err := kmshost.ParseTarget(target)
	if err != nil {
		return kmshost.Config{}, &failure.UsageError{Msg: err.Error(), Hint: "give a host name or address, optionally with the WinRM port: kms01.corp.example.com, 10.0.0.5:5986, [2001:db8::5]:5985"}
	}
	cfg := kmshost.Config{Host: host, HTTPS: c.Bool("https"), InsecureSkipVerify: c.Bool("insecure-skip-verify"),
		User: c.String("user"), Timeout: timeout}
	if cfg.Auth, err = kmshost.ParseAuth(c.String("auth")); err != nil {
		return cfg, &failure.UsageError{Msg: "--auth " + c.String("auth") + " is not known", Hint: "use --auth ntlm (domain or local accounts) or --auth basic (local accounts, where the host enables it)"}
	}
	if p := c.Int(portFlag); c.IsSet(portFlag) {
		if p < 1 || p > 65535 {
			return cfg, &failure.UsageError{Msg: "--" + portFlag + " " + strconv.Itoa(p) + " is not a TCP port", Hint: "5985 (HTTP) or 5986 (HTTPS) unless the listener was moved"}
		}
		if port != 0 && port != p {
			return cfg, &failure.UsageError{Msg: fmt.Sprintf("%s names port %d, --%s %d", target, port, portFlag, p), Hint: "give the port once"}
		}
		port = p
	}
	cfg.Port = port
	if cfg.InsecureSkipVerify && !cfg.HTTPS {
		return cfg, &failure.UsageError{Msg: "--insecure-skip-verify only applies with --https", Hint: "add --https, or drop --insecure-skip-verify"}
	}
	if timeout <= 0 {
		return cfg, &failure.UsageError{Msg: "--" + timeoutFlag + " must be positive", Hint: "e.g. --" + timeoutFlag + " 30s"}
	}
	if cfg.User == "" {
		return cfg, &failure.UsageError{Msg: "reading a host over WinRM needs --user",
			Hint: "--user 'DOMAIN\\user', with the password from --password-env VAR or asked on a terminal"}
	}
	out := env.Streams(c)
	switch name, plain := c.String("password-env"), c.IsSet("password"); {
	case name != "" && plain:
		return cfg, &failure.UsageError{Msg: "--password-env and --password both give the password", Hint: "give one of them"}
	case name != "":
		v := env.Getenv(name)
		if v == "" {
			return cfg, &failure.UsageError{Msg: "--password-env " + name + ": the variable is not set or empty", Hint: "export " + name + " in this shell first"}
		}
		cfg.Password = v
	case plain:
		if env.slmgrPassword {
			out.Warning("a password on the command line (slmgr's MACHINE USER PASSWORD /dlv) shows to other users of this machine (process list, shell history); prefer kmsctl host dlv MACHINE --user USER with --password-env VAR or the prompt")
		} else {
			out.Warning("--password shows the password to other users of this machine (process list, shell history); prefer --password-env VAR or the prompt")
		}
		cfg.Password = c.String("password")
	default:
		pw, err := askPassword(out, fmt.Sprintf("Password for %s at %s: ", cfg.User, cfg.Addr()))
		if errors.Is(err, errNoTerminal) {
			return cfg, &failure.UsageError{Msg: "no password for " + cfg.User + ", and no terminal to ask for it on",
				Hint: "put it in an environment variable and give its name: --password-env VAR"}
		}
		if err != nil {
			return cfg, fmt.Errorf("read the password: %w", err)
		}
		cfg.Password = pw
	}
	if cfg.Auth == kmshost.AuthBasic && !cfg.HTTPS {
		out.Warning("--auth basic over HTTP sends the password readable by anyone on the path; use --https")
	}
	return cfg, nil
}
