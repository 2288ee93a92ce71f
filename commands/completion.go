package commands

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/completions"
	"github.com/kmsctl/kmsctl/failure"
)

func completionCommand(env *Env) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print the shell completion script for bash, zsh, fish or powershell",
		ArgsUsage: "SHELL",
		Description: `Prints a script that makes the shell complete kmsctl's commands, flags and
flag values. The script asks kmsctl itself for candidates, so it stays
current when kmsctl is upgraded.

Examples (for your user; README says where bash-completion is needed):
   kmsctl completion bash > ~/.local/share/bash-completion/completions/kmsctl
   echo 'eval "$(kmsctl completion bash)"' >> ~/.bashrc
   kmsctl completion zsh > ~/.zfunc/_kmsctl
   kmsctl completion fish > ~/.config/fish/completions/kmsctl.fish
   kmsctl completion powershell | Out-File -Append -Encoding utf8 $PROFILE`,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return &failure.UsageError{Msg: "completion needs one shell", Hint: "kmsctl completion " + strings.Join(completions.Shells(), "|")}
			}
			s, err := completions.Script(c.Args().First())
			if err != nil {
				return &failure.UsageError{Msg: err.Error(), Hint: "kmsctl completion bash"}
			}
			_, err = fmt.Fprint(env.Streams(c).Out, s)
			return err
		},
	}
}
