package completions

import (
	"regexp"
	"strings"
	"testing"
)

// No pwsh runs here (not in Debian), so the PowerShell script's quoting
// is checked by reading it: every candidate it hands to PowerShell, values
// and file names alike, goes through $quote, and $quote's two expressions,
// run here with Go's regexp (the same syntax for these character
// classes), quote what PowerShell would otherwise split or expand (issue
// 15: file names were inserted as bare full paths, C:\My Files\h.txt
// became two arguments).
func TestPowerShellQuoting(t *testing.T) {
	s, err := Script("powershell")
	if err != nil {
		t.Fatal(err)
	}
	calls := strings.Split(s, "CompletionResult]::new(")[1:]
	if len(calls) < 2 {
		t.Fatalf("found %d CompletionResult calls, want the values' and the files'", len(calls))
	}
	for _, c := range calls {
		if !strings.HasPrefix(c, "(& $quote ") {
			t.Errorf("a candidate is inserted without $quote: CompletionResult]::new(%s", firstLine(c))
		}
	}
	needs := psRegexp(t, s, `$s -match '`)
	doubled := psRegexp(t, s, `($s -replace '`)
	quote := func(v string) string {
		if v != "" && !needs.MatchString(v) {
			return v
		}
		return "'" + doubled.ReplaceAllString(v, "$0$0") + "'"
	}
	for v, want := range map[string]string{
		"--format":                       "--format",
		"0xC004F074":                     "0xC004F074",
		`C:\KMS\hosts.txt`:               `C:\KMS\hosts.txt`,
		"--hosts-file=hosts.txt":         "--hosts-file=hosts.txt",
		"Windows 10 Enterprise":          "'Windows 10 Enterprise'",
		`C:\My Files\hosts.txt`:          `'C:\My Files\hosts.txt'`,
		`--hosts-file=C:\My Files\h.txt`: `'--hosts-file=C:\My Files\h.txt'`,
		"Bob's.txt":                      "'Bob''s.txt'",
		"Bob\u2019s.txt":                 "'Bob\u2019\u2019s.txt'",
		"a$b.txt":                        "'a$b.txt'",
		"a`b.txt":                        "'a`b.txt'",
		"x(1).txt":                       "'x(1).txt'",
		"a;b":                            "'a;b'",
		"#a":                             "'#a'",
		"":                               "''",
	} {
		if got := quote(v); got != want {
			t.Errorf("%q is inserted as %s, want %s", v, got, want)
		}
	}
}

// psRegexp compiles the single-quoted PowerShell regular expression that
// follows before in script, as Go reads it.
func psRegexp(t *testing.T, script, before string) *regexp.Regexp {
	t.Helper()
	_, rest, ok := strings.Cut(script, before)
	if !ok {
		t.Fatalf("the script has no %s...'", before)
	}
	// A single-quoted string ends at a ' not doubled.
	var b strings.Builder
	for i := 0; i < len(rest); i++ {
		if rest[i] == '\'' {
			if i+1 < len(rest) && rest[i+1] == '\'' {
				b.WriteByte('\'')
				i++
				continue
			}
			break
		}
		b.WriteByte(rest[i])
	}
	expr := regexp.MustCompile(`\\u([0-9A-Fa-f]{4})`).ReplaceAllString(b.String(), `\x{$1}`)
	re, err := regexp.Compile(expr)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return re
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
