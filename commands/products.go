package commands

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/failure"
)

func productsCommand(env *Env) *cli.Command {
	return &cli.Command{
		Name:      "products",
		Usage:     "list the products kmsctl knows, with their KMS group, threshold and protocol",
		ArgsUsage: "[FILTER]",
		Description: `Lists every volume-licensed product in kmsctl's catalogue whose name, alias
or KMS group contains every word of FILTER (any case). Product keys are shown only by their
last five characters.

Examples:
   kmsctl products
   kmsctl products "server 2022"
   kmsctl products -o wide
   kmsctl products office --json`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print JSON"},
			formatFlag(""),
		},
		Action: func(c *cli.Context) error {
			format, err := tableFormat(env, c)
			if err != nil {
				return err
			}
			filter := strings.ToLower(strings.Join(c.Args().Slice(), " "))
			ps := catalogue.Matching(filter)
			if filter != "" && len(ps) == 0 {
				return &failure.UsageError{Msg: fmt.Sprintf("no product in kmsctl's catalogue matches %q", filter),
					Hint: "FILTER matches words of a product's name, aliases or KMS group (kmsctl products \"server 2022\"); kmsctl products lists them all"}
			}
			return env.Streams(c).Products(ps, format)
		},
	}
}
