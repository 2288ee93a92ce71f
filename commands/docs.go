//go:build !urfave_cli_no_docs

package commands

import (
	"github.com/kmsctl/kmsctl/output"
)

//go:generate go run ../internal/docgen

// The documents are rendered by urfave/cli's generator, which links in a
// Markdown and man-page renderer whose package initialisation every process
// start pays. Release builds leave it out with the library's build tag
// urfave_cli_no_docs (see .goreleaser.yaml); so does this file.

// Docs renders the reference documents from the one command tree: the man
// page and the Markdown reference. (The completion scripts need no
// generating: they ask kmsctl __complete, which walks the same tree.)
func Docs() (man, markdown string, err error) {
	env := SystemEnv()
	env.NewStreams = func(bool) *output.Streams { return &output.Streams{} }
	app := NewApp(env)
	app.Version = "" // the documents must not change from build to build
	if man, err = app.ToMan(); err != nil {
		return "", "", err
	}
	if markdown, err = app.ToMarkdown(); err != nil {
		return "", "", err
	}
	return man, markdown, nil
}
