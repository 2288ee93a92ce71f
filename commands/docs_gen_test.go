//go:build !urfave_cli_no_docs

package commands

import (
	"os"
	"strings"
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

// TestManPageSections: a user command's page is in section 1 and has the
// sections man readers look for.
func TestManPageSections(t *testing.T) {
	man, _, err := Docs()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".TH kmsctl 1\n", "\n.SH EXIT STATUS\n", "\n.SH ENVIRONMENT\n", "\n.SH FILES\n", "\n.SH EXAMPLES\n", "KMSCTL_STATE_DIR", "journal.jsonl"} {
		if !strings.Contains(man, want) {
			t.Errorf("the man page lacks %q", want)
		}
	}
}
