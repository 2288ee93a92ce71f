package output

import (
	"encoding/json"
	"fmt"
	"io"
)

// writeJSON writes v as indented JSON and a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// Version prints what kmsctl version prints: "kmsctl version V", or
// {"version": V} with asJSON. V is the build description (module version,
// revision, build date, Go version).
func (s *Streams) Version(name, v string, asJSON bool) error {
	if asJSON {
		return writeJSON(s.Out, struct {
			Version string `json:"version"`
		}{v})
	}
	_, err := fmt.Fprintf(s.Out, "%s version %s\n", name, v)
	return err
}
