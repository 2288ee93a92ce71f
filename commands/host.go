package commands

import (
	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/kmshost"
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
		Action:      needsSubcommand,
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
