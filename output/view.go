package output

import (
	"encoding/json"
	"io"
)

// View is how a result is shown: the values of --format/-o, and ViewJSON
// for --json too.
type View string

// The views. ViewAuto is the default: ViewTable on a terminal, ViewTSV
// when piped.
const (
	ViewAuto  View = ""
	ViewTable View = "table" // for people, at most 80 columns on a terminal
	ViewWide  View = "wide"  // for people, every detail, nothing cut
	ViewJSON  View = "json"
	ViewTSV   View = "tsv"  // for scripts: tab-separated lines
	ViewText  View = "text" // slmgr's own text layout (host dlv)
)

// ViewOf is the view of a command that has only --json: ViewJSON with it,
// else ViewAuto.
func ViewOf(asJSON bool) View {
	if asJSON {
		return ViewJSON
	}
	return ViewAuto
}

// resolve turns ViewAuto into ViewTable on a terminal and ViewTSV when
// piped; other views stay.
func (v View) resolve(s *Streams) View {
	if v != ViewAuto {
		return v
	}
	if s.TTY {
		return ViewTable
	}
	return ViewTSV
}

// Document is one command's result. Its value is its JSON form: the field
// tags are the schema README.md documents, and Show encodes it as it is.
// layout writes it for people or scripts in a resolved view (ViewTable,
// ViewWide or ViewTSV); documents that have one form for people ignore
// the difference between table and wide.
type Document interface {
	layout(s *Streams, v View) error
}

// Show writes doc in view v: indented JSON for ViewJSON (the one place a
// result becomes JSON), else doc's layout, ViewAuto resolved by whether
// stdout is a terminal.
func (s *Streams) Show(doc Document, v View) error {
	if v == ViewJSON {
		return writeJSON(s.Out, doc)
	}
	return doc.layout(s, v.resolve(s))
}

// writeJSON writes v as indented JSON and a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
