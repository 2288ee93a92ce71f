package commands

import (
	"runtime/debug"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/output"
)

// versionCommand is kmsctl version: the same as kmsctl --version, as Go
// tools (go version, gh version) and Windows admins expect.
func versionCommand(env *Env) *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print kmsctl's version (the same as kmsctl --version)",
		Description: `Prints the module version, the VCS revision and date it was built from, and
the Go version.

Examples:
   kmsctl version
   kmsctl version --json`,
		Flags: []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print JSON: {\"version\": \"...\"}"}, textFormatFlag()},
		Action: func(c *cli.Context) error {
			if err := wantJSON(env, c); err != nil {
				return err
			}
			if err := wantArgs(c, "version", 0, 0, ""); err != nil {
				return err
			}
			return env.Streams(c).Version(c.App.Name, c.App.Version, output.ViewOf(env.json))
		},
	}
}

// version describes the build from the module and VCS information Go
// embeds, so no version string is maintained by hand.
func (e *Env) version() string { return buildVersion() }

// buildVersion is version's text, worked out once per process: every
// command tree built (NewApp) carries it, and reading the build
// information parses the whole module list.
var buildVersion = sync.OnceValue(func() string {
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
})
