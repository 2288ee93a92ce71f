package output

import (
	"fmt"

	"github.com/kmsctl/kmsctl/identity"
	"github.com/kmsctl/kmsctl/license"
)

// SeveralJSON is the document of dli, dlv, xpr, ato and renew --json when
// they show several products (a machine with Windows and Office, and no
// Activation ID given): one object per product, each as the command
// writes it for one product.
type SeveralJSON[T any] struct {
	Products []T `json:"products"`
}

// Licenses renders dli or dlv for every product of ins, in turn; one
// product is exactly what License writes.
func (s *Streams) Licenses(ins []LicenseInfo, verbose, asJSON bool) error {
	if len(ins) == 1 || !asJSON {
		for _, in := range ins {
			if err := s.License(in, verbose, asJSON); err != nil {
				return err
			}
		}
		return nil
	}
	return writeJSON(s.Out, licensesJSON(ins))
}

// Expiries renders xpr for every product of ins, in turn.
func (s *Streams) Expiries(ins []LicenseInfo, asJSON bool) error {
	if len(ins) == 1 || !asJSON {
		for _, in := range ins {
			if err := s.Expiry(in, asJSON); err != nil {
				return err
			}
		}
		return nil
	}
	return writeJSON(s.Out, licensesJSON(ins))
}

func licensesJSON(ins []LicenseInfo) SeveralJSON[LicenseJSON] {
	doc := SeveralJSON[LicenseJSON]{Products: []LicenseJSON{}}
	for _, in := range ins {
		doc.Products = append(doc.Products, NewLicenseJSON(in))
	}
	return doc
}

// Activations reports what ato or renew did for each product, in turn,
// with a blank line between products; one product is exactly what
// Activation writes.
func (s *Streams) Activations(cmd string, outcomes []license.Outcome, id *identity.Identity, asJSON bool) error {
	if len(outcomes) == 1 {
		return s.Activation(cmd, outcomes[0], id, asJSON)
	}
	if asJSON {
		doc := SeveralJSON[ActivationJSON]{Products: []ActivationJSON{}}
		for _, o := range outcomes {
			doc.Products = append(doc.Products, s.activationDoc(cmd, o, LicenseInfo{State: o.State, View: o.View, Identity: id, Now: o.At}))
		}
		return writeJSON(s.Out, doc)
	}
	for i, o := range outcomes {
		if i > 0 {
			fmt.Fprintln(s.Out)
		}
		if err := s.Activation(cmd, o, id, false); err != nil {
			return err
		}
	}
	return nil
}
