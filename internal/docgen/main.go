//go:build !urfave_cli_no_docs

// Command docgen writes docs/kmsctl.1 and docs/cli.md from kmsctl's
// command tree. Run it with
// go generate ./commands; a test fails when the committed files drift.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/kmsctl/kmsctl/commands"
)

func main() {
	// go generate runs in the commands folder; the files live beside it.
	root := ".."
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	man, md, err := commands.Docs()
	if err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", err)
		os.Exit(1)
	}
	for name, text := range map[string]string{
		"docs/kmsctl.1": man,
		"docs/cli.md":   md,
	} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(text), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "docgen:", err)
			os.Exit(1)
		}
	}
}
