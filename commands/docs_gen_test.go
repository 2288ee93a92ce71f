//go:build !urfave_cli_no_docs

package commands

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/urfave/cli/v2"
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

// The man page and the Markdown reference write flags as help does: a
// default once and only where it says something, no --flag="" (urfave/cli's
// generator wrote "(default: the threshold) (default: 0)" and
// "--auth="": … (default: "ntlm")"), a value flag with its placeholder.
func TestDocsFlagLines(t *testing.T) {
	man, md, err := Docs()
	if err != nil {
		t.Fatal(err)
	}
	for name, doc := range map[string]string{"man page": man, "cli.md": md} {
		for _, line := range strings.Split(doc, "\n") {
			if strings.Count(line, "(default:") > 1 || strings.Contains(line, `=""`) || strings.Contains(line, "=[value]") {
				t.Errorf("%s: %s", name, line)
			}
			for _, zero := range []string{"(default: 0)", "(default: 0s)", "(default: false)", `(default: "")`} {
				if strings.Contains(line, zero) {
					t.Errorf("%s shows a zero default: %s", name, line)
				}
			}
		}
	}
	for _, want := range []string{
		".TP\n\\fB\\-\\-auth\\fP \\fIMETHOD\\fP\nWinRM authentication METHOD: ntlm or basic (default: \"ntlm\")\n",
		".TP\n\\fB\\-\\-crit\\-below\\fP \\fIN\\fP\nwith \\-\\-check: CRITICAL when a count is below N (default: the threshold)\n",
		"[\\fB\\-\\-dns\\-server\\fP \\fIHOST[:PORT]\\fP]\n",
	} {
		if !strings.Contains(man, want) {
			t.Errorf("the man page lacks\n%s", want)
		}
	}
	if want := "- `--crit-below N`: with --check: CRITICAL when a count is below N (default: the threshold)\n"; !strings.Contains(md, want) {
		t.Errorf("cli.md lacks\n%s", want)
	}
}

// Each command is a sub-heading under COMMANDS with its arguments, and
// the page has no sections but the man page's own.
func TestManPageCommands(t *testing.T) {
	man, md, err := Docs()
	if err != nil {
		t.Fatal(err)
	}
	var sections []string
	for _, line := range strings.Split(man, "\n") {
		if h, ok := strings.CutPrefix(line, ".SH "); ok {
			sections = append(sections, h)
		}
	}
	if got, want := strings.Join(sections, ", "), "NAME, SYNOPSIS, DESCRIPTION, GLOBAL OPTIONS, COMMANDS, EXIT STATUS, ENVIRONMENT, FILES, EXAMPLES, SEE ALSO"; got != want {
		t.Errorf("the man page's sections are %s, want %s", got, want)
	}
	app := NewApp(SystemEnv())
	for _, path := range commandPaths(nil, app.Commands) {
		cmd := app.Command(path[0])
		for _, p := range path[1:] {
			cmd = cmd.Command(p)
		}
		name := strings.Join(path, " ")
		head := ".SS " + strings.ReplaceAll(name, "-", `\-`) + "\n\\fBkmsctl " + strings.ReplaceAll(name, "-", `\-`) + "\\fP "
		if !strings.Contains(man, head) {
			t.Errorf("the man page has no\n%s", head)
		}
		if !strings.Contains(md, "\nkmsctl "+name+" ") || !strings.Contains(md, cmd.ArgsUsage+"\n```\n") {
			t.Errorf("cli.md has no synopsis of %s", name)
		}
	}
	for _, want := range []string{"\\fBkmsctl ipk\\fP [options] KEY | \\-\\-product NAME\n", "\\fBkmsctl skms\\fP [options] HOST[:PORT]"} {
		if !strings.Contains(man, want) {
			t.Errorf("the man page lacks %q", want)
		}
	}
}

// The man page as man shows it at 80 columns: example lines not broken
// by groff (after "Standard\"" as before) but, when wider than 78
// columns, with shell line continuations that give the line back joined,
// and groff has nothing to warn of.
func TestManPageRendered(t *testing.T) {
	if _, err := exec.LookPath("groff"); err != nil {
		t.Skip("groff not installed")
	}
	man, _, err := Docs()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("groff", "-man", "-Tutf8", "-ww", "-rLL=80n", "-P-c")
	cmd.Stdin = strings.NewReader(man)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("groff: %v\n%s", err, stderr.String())
	}
	lines := strings.Split(string(out), "\n")
	exampleLine := regexp.MustCompile(`^( {9}| {13})[^ ]`)
	for _, l := range lines {
		// Example lines start at column 9 (continuations at 13: flag
		// descriptions start at 15, paragraphs at 8): any over 78 columns
		// (man's at 80) could have been broken with a continuation.
		if n := utf8.RuneCountInString(l); n > 78 && exampleLine.MatchString(l) && strings.Contains(strings.TrimSpace(l), " ") {
			t.Errorf("man at 80 columns has an example line of %d columns:\n%s", n, l)
		}
	}
	page := strings.Join(joinContinued(lines), "\n")
	app := NewApp(SystemEnv())
	for _, path := range append([][]string{nil}, commandPaths(nil, app.Commands)...) {
		for _, l := range description(helpAt(t, 0, path...)) {
			if strings.HasPrefix(l, " ") && !strings.Contains(page, " "+strings.TrimLeft(l, " ")+"\n") {
				t.Errorf("man at 80 columns breaks the example line of kmsctl %s:\n%s", strings.Join(path, " "), l)
			}
		}
	}
}

// The documents write a flag's environment variable as [$VAR] on every
// system: urfave/cli's stringer writes [%VAR%] on Windows, which made the
// Windows build's TestDocsUpToDate fail under Wine.
func TestDocFlagListEnvAsOnUnix(t *testing.T) {
	saved := cli.FlagStringer
	defer func() { cli.FlagStringer = saved }()
	cli.FlagStringer = func(cli.Flag) string { return "--state-dir DIR\tkeep state in DIR [%KMSCTL_STATE_DIR%]" }
	got := docFlagList([]cli.Flag{&cli.StringFlag{Name: "state-dir", EnvVars: []string{"KMSCTL_STATE_DIR"}}})
	if len(got) != 1 || got[0].Usage != "keep state in DIR [$KMSCTL_STATE_DIR]" {
		t.Errorf("docFlagList = %+v", got)
	}
}
