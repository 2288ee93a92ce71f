package commands

import (
	"errors"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/license"
)

// Choosing the products a verb acts on, from slmgr's optional
// [Activation ID] (and, for dli and dlv, "all").

// activationArg reads the optional argument: one is false for none (or
// "all" where the verb takes it), else true with the Activation ID, which
// may be the all-zero GUID (no product has it: it names none, not all).
func activationArg(name, arg string, all bool) (sku guid.GUID, one bool, err error) {
	if arg == "" || all && strings.EqualFold(arg, "all") {
		return guid.Nil, false, nil
	}
	g, err := guid.Parse(arg)
	if err != nil {
		hint := "kmsctl " + name + " ACTIVATION-ID (kmsctl dlv shows each product's)"
		if all {
			hint = "kmsctl " + name + " all, or kmsctl " + name + " ACTIVATION-ID (kmsctl dlv shows each product's)"
		}
		return guid.Nil, false, &failure.UsageError{Msg: "no installed product has activation ID " + arg, Hint: hint}
	}
	return g, true, nil
}

// chooseViews opens the license store and picks the products dli, dlv,
// xpr, ato and renew act on: every installed product, or the one with the
// Activation ID given. A corrupt store or a missing key stops here, before
// an identity is read or created.
func (e *Env) chooseViews(c *cli.Context, name, arg string, all bool) (license.Store, []license.State, error) {
	store, err := e.store(c)
	if err != nil {
		return store, nil, err
	}
	m, err := store.LoadMachine()
	if err != nil {
		return store, nil, err
	}
	sku, one, err := activationArg(name, arg, all)
	if err != nil {
		return store, nil, err
	}
	if len(m.Products) == 0 {
		return store, nil, &license.NoProductError{Path: store.Path()}
	}
	if !one {
		return store, m.Views(), nil
	}
	i := m.Find(sku)
	if i < 0 {
		return store, nil, unknownProduct(name, sku, m)
	}
	return store, []license.State{m.View(i)}, nil
}

// unknownProduct is an Activation ID of no installed product.
func unknownProduct(name string, sku guid.GUID, m license.Machine) error {
	return &failure.UsageError{Msg: "no installed product has activation ID " + sku.String(),
		Hint: "kmsctl " + name + " " + installedIDs(m)}
}

// installedIDs lists the installed products' Activation IDs for a hint:
// "ID (name), or ID (name)".
func installedIDs(m license.Machine) string {
	var ids []string
	for _, st := range m.Products {
		ids = append(ids, st.Product.SKU.SKUID.String()+" ("+st.Product.SKU.Name+")")
	}
	return strings.Join(ids, ", or ")
}

// productChoice words the store's refusal to guess which product upk or
// cpky means, or an Activation ID it does not have, as usage errors.
func productChoice(name string, err error, store license.Store) error {
	var amb *license.AmbiguousError
	var unknown *license.UnknownProductError
	if !errors.As(err, &amb) && !errors.As(err, &unknown) {
		return err
	}
	m, lerr := store.LoadMachine()
	if lerr != nil {
		return err
	}
	if amb != nil {
		return &failure.UsageError{Msg: amb.Error(), Hint: "kmsctl " + name + " " + installedIDs(m)}
	}
	if len(m.Products) == 0 {
		return &license.NoProductError{Path: store.Path()}
	}
	return unknownProduct(name, unknown.ID, m)
}
