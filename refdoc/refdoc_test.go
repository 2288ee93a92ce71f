package refdoc

import "testing"

// roff keeps what a man page shows literal: a backslash is not an escape,
// a hyphen stays ASCII (a flag copied from the page works), a leading
// period is no request, and non-ASCII reaches groff whatever its input
// encoding.
func TestRoff(t *testing.T) {
	for in, want := range map[string]string{
		`CORP\kmsaudit`:      `CORP\ekmsaudit`,
		"--no-color":         `\-\-no\-color`,
		".kms.prom":          `\&.kms.prom`,
		"'quoted'":           `\&'quoted'`,
		`cut with "…"`:       `cut with "\[u2026]"`,
		"plain words, 1688.": "plain words, 1688.",
	} {
		if got := roff(in); got != want {
			t.Errorf("roff(%q) = %q, want %q", in, got, want)
		}
	}
}

// A flag's names as help spells them: flags bold, placeholders italic,
// the commas and a repeatable flag's brackets as they are.
func TestRoffNames(t *testing.T) {
	for in, want := range map[string]string{
		"--format FORMAT, -o FORMAT": `\fB\-\-format\fP \fIFORMAT\fP, \fB\-o\fP \fIFORMAT\fP`,
		"--json":                     `\fB\-\-json\fP`,
		"--product NAME, -p NAME [ --product NAME, -p NAME ]": `\fB\-\-product\fP \fINAME\fP, \fB\-p\fP \fINAME\fP [ \fB\-\-product\fP \fINAME\fP, \fB\-p\fP \fINAME\fP ]`,
	} {
		if got := roffNames(in); got != want {
			t.Errorf("roffNames(%q) = %q, want %q", in, got, want)
		}
	}
}
