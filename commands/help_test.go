package commands

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/output"
	"github.com/urfave/cli/v2"
)

// helpAt renders the help of the command at path ("" for kmsctl itself)
// as on a terminal of width columns (0: not a terminal).
func helpAt(t *testing.T, width int, path ...string) string {
	t.Helper()
	saved := helpWidth
	helpWidth = func(io.Writer) int { return width }
	defer func() { helpWidth = saved }()
	app := NewApp(SystemEnv())
	var buf bytes.Buffer
	app.Writer = &buf
	if err := app.Run(append(append([]string{"kmsctl"}, path...), "--help")); err != nil {
		t.Fatalf("%v --help: %v", path, err)
	}
	return buf.String()
}

// commandPaths is every visible command's name path.
func commandPaths(prefix []string, cmds []*cli.Command) [][]string {
	var out [][]string
	for _, c := range cmds {
		if c.Hidden {
			continue
		}
		p := append(append([]string(nil), prefix...), c.Name)
		out = append(out, p)
		out = append(out, commandPaths(p, c.Subcommands)...)
	}
	return out
}

// isUnbreakable reports whether line is a piece of an example line that
// cannot be broken (one word, its continuation " \\" aside): only such a
// line may run past the width.
func isUnbreakable(line string) bool {
	piece := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(line), ` \`), " `")
	return strings.HasPrefix(line, "      ") && !strings.Contains(piece, " ")
}

// helpWords is the words of a help text, shell line continuations (" \\",
// " `") left out.
func helpWords(help string) string {
	var words []string
	for _, w := range strings.Fields(help) {
		if w != `\` && w != "`" {
			words = append(words, w)
		}
	}
	return strings.Join(words, " ")
}

// At 80 and 200 columns every help fits, but for a piece of an example
// line that cannot be broken (TestHelpKeepsExamplesWhole), and wrapping
// splits no word: the words are those of the unwrapped help, in order.
func TestHelpWrapsAtTerminalWidth(t *testing.T) {
	paths := append([][]string{nil}, commandPaths(nil, NewApp(SystemEnv()).Commands)...)
	for _, width := range []int{80, 200} {
		for _, path := range paths {
			t.Run(fmt.Sprint(width, path), func(t *testing.T) {
				got, whole := helpAt(t, width, path...), helpAt(t, 0, path...)
				for _, line := range strings.Split(got, "\n") {
					if n := utf8.RuneCountInString(line); n > width && !isUnbreakable(line) {
						t.Errorf("line of %d columns:\n%s", n, line)
					}
				}
				if g, w := helpWords(got), helpWords(whole); g != w {
					t.Errorf("wrapping changed the words:\n%s\nunwrapped:\n%s", got, whole)
				}
			})
		}
	}
}

// Flags are listed by category, and no description starts past column 30
// (urfave/cli's own layout started status's at column 57).
func TestHelpFlagCategoriesAndColumn(t *testing.T) {
	status := helpAt(t, 80, "status")
	for _, cat := range []string{"Query", "Connection", "Discovery", "Output", "Monitoring", "WinRM", "Other"} {
		if !strings.Contains(status, "\n   "+cat+":\n") {
			t.Errorf("status --help has no %s category:\n%s", cat, status)
		}
	}
	global := helpAt(t, 80)
	for _, cat := range []string{"State", "Output", "Discovery"} {
		if !strings.Contains(global, "\n   "+cat+":\n") {
			t.Errorf("kmsctl --help has no %s category:\n%s", cat, global)
		}
	}
	for _, help := range []string{status, global, helpAt(t, 0, "status")} {
		_, opts, _ := strings.Cut(help, "OPTIONS:\n")
		for _, line := range strings.Split(opts, "\n") {
			trimmed := strings.TrimLeft(line, " ")
			if !strings.HasPrefix(trimmed, "-") {
				if lead := len(line) - len(trimmed); trimmed != "" && lead > 3 && lead > 30 {
					t.Errorf("description at column %d: %q", lead, line)
				}
				continue
			}
			if i := strings.Index(trimmed, "  "); i >= 0 {
				rest := trimmed[i:]
				col := len(line) - len(trimmed) + i + len(rest) - len(strings.TrimLeft(rest, " "))
				if col > 30 {
					t.Errorf("description at column %d: %q", col, line)
				}
			}
		}
	}
}

// Help run through the app's own writer (standard output's stream, not an
// *os.File) wraps at that stream's terminal width: the width reaches the
// help printer through streamsWriter.
func TestHelpWrapsAtTheStreamsWidth(t *testing.T) {
	var buf bytes.Buffer
	env := SystemEnv()
	env.NewStreams = func(bool) *output.Streams { return &output.Streams{Out: &buf, Err: &buf, TTY: true, OutWidth: 60} }
	if err := NewApp(env).Run([]string{"kmsctl", "status", "--help"}); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(buf.String(), "\n") {
		if n := utf8.RuneCountInString(line); n > 60 && !isUnbreakable(line) {
			t.Errorf("line of %d columns at a 60-column terminal:\n%s", n, line)
		}
	}
}

// TestHelpStatesTheFacts: help prose says some KMS facts in words, as
// README does; each must say what the one definition holds (issue 14:
// each fact defined once, its restatements checked against it).
func TestHelpStatesTheFacts(t *testing.T) {
	app := NewApp(SystemEnv())
	days := func(d time.Duration) int { return int(d / (24 * time.Hour)) }
	server, err := catalogue.Lookup("Windows Server 2022 Standard")
	if err != nil {
		t.Fatal(err)
	}
	office, err := catalogue.Lookup("Office LTSC Professional Plus 2021")
	if err != nil || office.Threshold != server.Threshold {
		t.Fatalf("Office's threshold %d (%v), Windows Server's %d: ato's help says they are the same", office.Threshold, err, server.Threshold)
	}
	for _, c := range []struct {
		path []string
		says []string
	}{
		{[]string{"ato"}, []string{
			fmt.Sprintf("(%d for Windows client editions, %d for servers and Office)", catalogue.LargestThreshold, server.Threshold),
			fmt.Sprintf("lasts %d days and renews every %d days", days(kmsclient.Validity), kmsclient.DefaultRenewalIntervalMinutes/(24*60))}},
		{[]string{"renew"}, []string{
			fmt.Sprintf("%d days by default", kmsclient.DefaultRenewalIntervalMinutes/(24*60)),
			fmt.Sprintf("%d hours by default", kmsclient.DefaultActivationIntervalMinutes/60)}},
		{[]string{"skms"}, []string{fmt.Sprintf("(default %d)", kmsclient.DefaultPort)}},
		{[]string{"host", "audit"}, []string{
			fmt.Sprintf("the %d-day renewal interval", kmsclient.DefaultRenewalIntervalMinutes/(24*60)),
			fmt.Sprintf("%d days after its last request", kmsclient.CountWindowDays)}},
	} {
		cmd := app.Command(c.path[0])
		for _, sub := range c.path[1:] {
			cmd = cmd.Command(sub)
		}
		desc := strings.Join(strings.Fields(cmd.Description), " ")
		for _, s := range c.says {
			if !strings.Contains(desc, s) {
				t.Errorf("kmsctl %s --help does not say %q:\n%s", strings.Join(c.path, " "), s, desc)
			}
		}
	}
}

// description is the DESCRIPTION section of a help text, without its
// heading and its three-column indent.
func description(help string) []string {
	_, desc, ok := strings.Cut(help, "\nDESCRIPTION:\n")
	if !ok {
		return nil
	}
	if i := strings.Index(desc, "\n\n"+"OPTIONS:"); i >= 0 {
		desc = desc[:i]
	}
	if i := strings.Index(desc, "\n\nCOMMANDS:"); i >= 0 {
		desc = desc[:i]
	}
	lines := strings.Split(desc, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, "   ")
	}
	return lines
}

// A Description's paragraphs are re-flowed at the terminal's width, not
// wrapped line by line: no line of a paragraph could have taken the next
// line's first word ("…result code and the" / "count" / "the host
// reported." at 80 columns before).
func TestHelpReflowsParagraphs(t *testing.T) {
	paths := append([][]string{nil}, commandPaths(nil, NewApp(SystemEnv()).Commands)...)
	for _, width := range []int{80, 200} {
		for _, path := range paths {
			lines := description(helpAt(t, width, path...))
			for i := 0; i+1 < len(lines); i++ {
				cur, next := lines[i], lines[i+1]
				if cur == "" || next == "" || strings.HasPrefix(cur, " ") || strings.HasPrefix(next, " ") {
					continue
				}
				word, _, _ := strings.Cut(next, " ")
				if n := 3 + utf8.RuneCountInString(cur) + 1 + utf8.RuneCountInString(word); n <= width {
					t.Errorf("kmsctl %s --help at %d columns: %q could have gone on the line before:\n%s\n%s",
						strings.Join(path, " "), width, word, cur, next)
				}
			}
		}
	}
}

// Example lines (a Description's indented lines) are never broken
// mid-word, and fit the terminal when they can: one wider than the
// terminal is broken between words with shell line continuations (" \\",
// the next line indented output.ContinuationIndent columns more), so that
// joined back it is the example as written and can be copied. Before,
// they were kept whole and the terminal broke them ("--produ" / "ct
// \"Office LTSC Professional Plus 2021\"" at 80 columns, issue 15).
func TestHelpKeepsExamplesWhole(t *testing.T) {
	paths := append([][]string{nil}, commandPaths(nil, NewApp(SystemEnv()).Commands)...)
	for _, path := range paths {
		var examples []string
		for _, l := range description(helpAt(t, 0, path...)) {
			if strings.HasPrefix(l, " ") {
				examples = append(examples, l)
			}
		}
		for _, width := range []int{80, 200} {
			lines := description(helpAt(t, width, path...))
			for _, l := range lines {
				// description strips help's 3-column indent.
				if n := utf8.RuneCountInString(l) + 3; n > width && strings.HasPrefix(l, " ") {
					t.Errorf("kmsctl %s --help at %d columns has an example line of %d columns:\n%s", strings.Join(path, " "), width, n, l)
				}
			}
			got := "\n" + strings.Join(joinContinued(lines), "\n") + "\n"
			for _, e := range examples {
				if !strings.Contains(got, "\n"+e+"\n") {
					t.Errorf("kmsctl %s --help at %d columns does not give back the example line\n%s\nin\n%s", strings.Join(path, " "), width, e, got)
				}
			}
		}
	}
}

// joinContinued joins each example line broken with a shell line
// continuation (" \\" or PowerShell's " `") to the lines it continues on,
// removing the continuation, the newline and the continuation's indent.
func joinContinued(lines []string) []string {
	var out []string
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		cont := strings.Repeat(" ", len(l)-len(strings.TrimLeft(l, " "))+output.ContinuationIndent)
		for (strings.HasSuffix(l, ` \`) || strings.HasSuffix(l, " `")) && i+1 < len(lines) && strings.HasPrefix(lines[i+1], cont) {
			i++
			l = l[:len(l)-1] + strings.TrimPrefix(lines[i], cont)
		}
		out = append(out, l)
	}
	return out
}

// Every command's help lists kmsctl's global flags (they may be given
// after the command too), each as kmsctl --help words it: status --help
// and dns check --help named no --dns-server, --no-weight, --state-dir or
// --no-color before.
func TestCommandHelpListsGlobalFlags(t *testing.T) {
	app := NewApp(SystemEnv())
	global := helpAt(t, 0)
	for _, path := range commandPaths(nil, app.Commands) {
		help := helpAt(t, 0, path...)
		_, globals, ok := strings.Cut(help, "\nGLOBAL OPTIONS:\n")
		if !ok {
			t.Errorf("kmsctl %s --help has no GLOBAL OPTIONS", strings.Join(path, " "))
			continue
		}
		for _, f := range app.Flags {
			names, usage, _ := strings.Cut(cli.FlagStringer(f), "\t")
			if !strings.Contains(globals, "   "+names+" ") || !strings.Contains(globals, usage) || !strings.Contains(global, usage) {
				t.Errorf("kmsctl %s --help does not list %s as kmsctl --help does:\n%s", strings.Join(path, " "), names, globals)
			}
		}
	}
}

// A repeatable flag's names are written once, in help as in the man page
// (urfave/cli wrote "--product NAME, -p NAME [ --product NAME, -p NAME ]").
func TestHelpRepeatableFlagNamedOnce(t *testing.T) {
	status := helpAt(t, 200, "status")
	if !strings.Contains(status, "\n     --product NAME, -p NAME  ") || strings.Contains(status, "[ --product") {
		t.Errorf("status --help:\n%s", status)
	}
}
