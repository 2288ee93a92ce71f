package commands

import (
	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/license"
	"github.com/kmsctl/kmsctl/output"
)

// The product key commands: ipk, upk, cpky.

func ipkCommand(env *Env) *cli.Command {
	return &cli.Command{
		Name:      "ipk",
		Usage:     "install a product key (slmgr /ipk)",
		ArgsUsage: "KEY | --product NAME",
		Description: `Installs a product key. A machine holds one product per application
(Windows, Office 2010, Office 2013 and later): the key replaces the product of
its own application and leaves the others, so Windows and Office can be
installed together. A GVLK (the public KMS client key of a product) names its
product; --product NAME installs that
product's GVLK; KEY --product NAME installs another key for a known product
(a newer GVLK, say). Installing a new key starts a 30-day initial grace
period; installing the key already installed changes nothing. The key is
kept in the license store and only ever shown by its last five characters.

Examples:
   kmsctl ipk --product "Windows 10 Enterprise"
   kmsctl ipk --product "Windows Server 2022 Standard" --json`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "product", Aliases: []string{"p"}, Usage: "install the GVLK of `NAME`, or say which product KEY is for"},
			&cli.BoolFlag{Name: "json", Usage: "print JSON (schema in README)"},
			textFormatFlag(),
		},
		Action: func(c *cli.Context) error {
			if err := wantJSON(env, c); err != nil {
				return err
			}
			if err := wantArgs(c, "ipk", 0, 1, "KEY | --product NAME"); err != nil {
				return err
			}
			key, product := c.Args().First(), c.String("product")
			if key == "" && product == "" {
				return &failure.UsageError{Msg: "ipk needs a product key or --product NAME",
					Hint: `kmsctl ipk --product "Windows 10 Enterprise" (installs its GVLK), or kmsctl ipk XXXXX-XXXXX-XXXXX-XXXXX-XXXXX`}
			}
			in, err := license.Resolve(key, product)
			if err != nil {
				return err
			}
			store, err := env.changeStore(c)
			if err != nil {
				return err
			}
			now := env.Clock.Now()
			st, changed, err := store.Install(c.Context, in, now)
			if err != nil {
				return err
			}
			ch := output.Change{Command: "ipk", Changed: changed,
				Message: "Installed product key " + license.Masked(in.Partial()) + " for " + in.Product.Name + " successfully."}
			if !changed {
				ch.Message = "Product key " + license.Masked(in.Partial()) + " for " + in.Product.Name + " is installed already; nothing changed."
			}
			return env.change(c, ch, st)
		},
	}
}

func upkCommand(env *Env) *cli.Command {
	return &cli.Command{
		Name:      "upk",
		Usage:     "uninstall the product key (slmgr /upk)",
		ArgsUsage: "[ACTIVATION-ID]",
		Description: `Removes the product key: the product is Unlicensed at once (Windows needs a
restart). The KMS host settings, the rearm count, the other products and the
journal stay. With several products installed, ACTIVATION-ID says which
(kmsctl dlv shows it).

Example:
   kmsctl upk`,
		Flags: []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print JSON (schema in README)"}, textFormatFlag()},
		Action: func(c *cli.Context) error {
			if err := wantJSON(env, c); err != nil {
				return err
			}
			if err := wantArgs(c, "upk", 0, 1, "[ACTIVATION-ID]"); err != nil {
				return err
			}
			store, err := env.changeStore(c)
			if err != nil {
				return err
			}
			sku, one, err := activationArg("upk", c.Args().First(), false)
			if err != nil {
				return err
			}
			if one && sku.IsZero() {
				return productChoice("upk", &license.UnknownProductError{ID: sku}, store)
			}
			st, err := store.Uninstall(c.Context, sku)
			if err != nil {
				return productChoice("upk", err, store)
			}
			return env.change(c, output.Change{Command: "upk", Changed: true, Message: "Uninstalled product key successfully."}, st)
		},
	}
}

func cpkyCommand(env *Env) *cli.Command {
	return &cli.Command{
		Name:      "cpky",
		Usage:     "forget the whole product key, keep its last five characters (slmgr /cpky)",
		ArgsUsage: "[ACTIVATION-ID]",
		Description: `Removes the whole product key from the license store so it cannot be read
from there; the product stays installed and activation is unaffected. With
several products installed, ACTIVATION-ID says which (kmsctl dlv shows it).

Example:
   kmsctl cpky`,
		Flags: []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print JSON (schema in README)"}, textFormatFlag()},
		Action: func(c *cli.Context) error {
			if err := wantJSON(env, c); err != nil {
				return err
			}
			if err := wantArgs(c, "cpky", 0, 1, "[ACTIVATION-ID]"); err != nil {
				return err
			}
			sku, one, err := activationArg("cpky", c.Args().First(), false)
			if err != nil {
				return err
			}
			store, err := env.changeStore(c)
			if err != nil {
				return err
			}
			// Whether anything changed is decided under the store's
			// lock: of two concurrent cpky runs, only one clears the key.
			if one && sku.IsZero() {
				return productChoice("cpky", &license.UnknownProductError{ID: sku}, store)
			}
			st, changed, err := store.ClearKey(c.Context, sku)
			if err != nil {
				return productChoice("cpky", err, store)
			}
			return env.change(c, output.Change{Command: "cpky", Changed: changed, Message: "Product key from the license store cleared successfully."}, st)
		},
	}
}
