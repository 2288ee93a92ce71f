package output

import "fmt"

// VersionJSON is the document of `kmsctl version --json`.
type VersionJSON struct {
	Version string `json:"version"`
	name    string
}

// Version prints what kmsctl version prints: "kmsctl version V", or
// {"version": V} in ViewJSON. V is the build description (module version,
// revision, build date, Go version).
func (s *Streams) Version(name, version string, v View) error {
	return s.Show(VersionJSON{Version: version, name: name}, v)
}

func (d VersionJSON) layout(s *Streams, _ View) error {
	_, err := fmt.Fprintf(s.Out, "%s version %s\n", d.name, d.Version)
	return err
}
