package output

// ChangeJSON is the document a command that changes the store prints with
// --json: what it did, slmgr's message, warnings, and the license after
// (null when no product key is installed).
type ChangeJSON struct {
	Command  string       `json:"command"`
	Changed  bool         `json:"changed"`
	Message  string       `json:"message"`
	Notes    []string     `json:"notes"`
	Warnings []string     `json:"warnings"`
	License  *LicenseJSON `json:"license"`
	change   Change
}

// Change is what a command that changes the store did.
type Change struct {
	Command  string
	Changed  bool
	Message  string   // slmgr's message
	Notes    []string // further lines for people
	Warnings []string // slmgr's warnings about the settings in force
}

// Change reports a change to the store: slmgr's message and kmsctl's
// notes on stdout and any warnings on stderr, or the JSON document.
func (s *Streams) Change(ch Change, in LicenseInfo, v View) error {
	doc := ChangeJSON{Command: ch.Command, Changed: ch.Changed, Message: ch.Message,
		Notes: append([]string{}, ch.Notes...), Warnings: append([]string{}, ch.Warnings...), change: ch}
	if in.State.Product != nil {
		l := NewLicenseJSON(in)
		doc.License = &l
	}
	return s.Show(doc, v)
}

func (d ChangeJSON) layout(s *Streams, _ View) error {
	ch := d.change
	// Each wrapped between words on a terminal (a key's product name or a
	// host's name can make a line longer than 80 columns).
	s.textLine(s.Out, "", "", ch.Message)
	for _, n := range ch.Notes {
		s.textLine(s.Out, "", "", n)
	}
	for _, w := range ch.Warnings {
		s.textLine(s.Err, "", s.on(s.Err).warn("Warning:")+" ", w)
	}
	return nil
}
