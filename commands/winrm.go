package commands

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/kmshost"
	"github.com/kmsctl/kmsctl/output"
)

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

// winrmConfig builds the connection settings from the flags, checking
// them before any work starts, and gets the password last.
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
	if err := winrmPassword(env, c, &cfg); err != nil {
		return cfg, err
	}
	if cfg.Auth == kmshost.AuthBasic && !cfg.HTTPS {
		env.Streams(c).Warning("--auth basic over HTTP sends the password readable by anyone on the path; use --https")
	}
	return cfg, nil
}

// winrmPassword sets cfg.Password from --password-env, --password (with a
// warning) or, on a terminal, a prompt.
func winrmPassword(env *Env, c *cli.Context, cfg *kmshost.Config) error {
	out := env.Streams(c)
	switch name, plain := c.String("password-env"), c.IsSet("password"); {
	case name != "" && plain:
		return &failure.UsageError{Msg: "--password-env and --password both give the password", Hint: "give one of them"}
	case name != "":
		v := env.Getenv(name)
		if v == "" {
			return &failure.UsageError{Msg: "--password-env " + name + ": the variable is not set or empty", Hint: "export " + name + " in this shell first"}
		}
		cfg.Password = v
	case plain:
		if env.slmgrPassword != "" {
			out.Warning("a password on the command line (slmgr's MACHINE USER PASSWORD " + env.slmgrPassword + ") shows to other users of this machine (process list, shell history); prefer kmsctl host dlv MACHINE --user USER with --password-env VAR or the prompt")
		} else {
			out.Warning("--password shows the password to other users of this machine (process list, shell history); prefer --password-env VAR or the prompt")
		}
		cfg.Password = c.String("password")
	default:
		pw, err := askPassword(out, fmt.Sprintf("Password for %s at %s: ", cfg.User, cfg.Addr()))
		if errors.Is(err, errNoTerminal) {
			return &failure.UsageError{Msg: "no password for " + cfg.User + ", and no terminal to ask for it on",
				Hint: "put it in an environment variable and give its name: --password-env VAR"}
		}
		if err != nil {
			return fmt.Errorf("read the password: %w", err)
		}
		cfg.Password = pw
	}
	return nil
}
