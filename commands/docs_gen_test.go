//go:build !urfave_cli_no_docs

package commands

import (
	"os"
	"testing"
)

// TestDocsUpToDate fails when the committed man page, Markdown reference or
// fish completions differ from what the command tree renders.
func TestDocsUpToDate(t *testing.T) {
	man, md, fish, err := Docs()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"../docs/kmsctl.1":           man,
		"../docs/cli.md":             md,
		"../completions/kmsctl.fish": fish,
	} {
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("%s is out of date: run go generate ./commands", name)
		}
	}
}
