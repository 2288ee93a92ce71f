package commands

import (
	"runtime/debug"
	"strings"
)

// version describes the build from the module and VCS information Go
// embeds, so no version string is maintained by hand.
func (e *Env) version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, when, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	parts := []string{v}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		parts = append(parts, "revision "+rev+dirty)
	}
	if when != "" {
		parts = append(parts, "built from a commit of "+when)
	}
	parts = append(parts, bi.GoVersion)
	return strings.Join(parts, ", ")
}
