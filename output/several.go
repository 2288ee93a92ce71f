package output

// SeveralJSON is the document of dli, dlv, xpr, ato and renew --json when
// they show several products (a machine with Windows and Office, and no
// Activation ID given): one object per product, each as the command
// writes it for one product. For people, each product's layout in turn
// (ato and renew write theirs as each is known: ActivationReport).
type SeveralJSON[T Document] struct {
	Products []T `json:"products"`
}

func (d SeveralJSON[T]) layout(s *Streams, v View) error {
	for _, p := range d.Products {
		if err := p.layout(s, v); err != nil {
			return err
		}
	}
	return nil
}

// showProducts shows one product's document as it is, several as a
// SeveralJSON.
func showProducts[T Document](s *Streams, docs []T, v View) error {
	if len(docs) == 1 {
		return s.Show(docs[0], v)
	}
	return s.Show(SeveralJSON[T]{Products: docs}, v)
}

// Licenses renders dli or dlv for every product of ins, in turn; one
// product is exactly what License writes.
func (s *Streams) Licenses(ins []LicenseInfo, verbose bool, v View) error {
	docs := make([]LicenseJSON, 0, len(ins))
	for i, in := range ins {
		d := licenseDoc(in, verbose)
		d.warnLater = i < len(ins)-1
		docs = append(docs, d)
	}
	return showProducts(s, docs, v)
}

// Expiries renders xpr for every product of ins, in turn.
func (s *Streams) Expiries(ins []LicenseInfo, v View) error {
	docs := make([]LicenseJSON, 0, len(ins))
	for _, in := range ins {
		docs = append(docs, expiryDoc(in))
	}
	return showProducts(s, docs, v)
}
