//go:build !urfave_cli_no_docs

package commands

import (
	"os"
	"testing"
)

// TestDocsUpToDate fails when the committed man page or Markdown reference
// differ from what the command tree renders.
func TestDocsUpToDate(t *testing.T) {
	man, md, err := Docs()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"../docs/kmsctl.1": man,
		"../docs/cli.md":   md,
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
