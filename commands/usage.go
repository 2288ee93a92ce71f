package commands

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/cmdline"
	"github.com/kmsctl/kmsctl/failure"
)

// Go's flag package words its errors with one dash ("flag provided but not
// defined: -domain"); these find the flag and the value in them.
// They are compiled on first use, not at start-up.
var flagErrors = sync.OnceValue(func() [3]*regexp.Regexp {
	return [3]*regexp.Regexp{
		regexp.MustCompile(`^flag provided but not defined: -+(\S+)$`),
		regexp.MustCompile(`^invalid value "(.*)" for flag -+([^:\s]+): (.*)$`),
		regexp.MustCompile(`^flag needs an argument: -+(\S+)$`),
	}
})

// flagError turns a flag parsing error of the command c runs into kmsctl's
// own words: flags spelled with "--" (an unknown flag as it was typed in
// argv, the command line), a duration's missing unit named, and the
// nearest flag suggested by urfave/cli's own suggestion function.
func flagError(c *cli.Context, err error, argv []string) error {
	var ue *failure.UsageError
	if errors.As(err, &ue) {
		return err
	}
	name := "kmsctl"
	if c.Command != nil && c.Command.Name != "" && c.Command.Name != c.App.Name {
		name = "kmsctl " + commandPath(c)
	}
	help := "run '" + name + " --help'"
	flags := c.App.Flags
	if c.Command != nil && c.Command.Name != c.App.Name {
		flags = append(append([]cli.Flag(nil), c.Command.Flags...), c.App.Flags...)
	}
	msg := err.Error()
	re := flagErrors()
	reUndefined, reInvalid, reNoArg := re[0], re[1], re[2]
	switch {
	case reUndefined.MatchString(msg):
		f := reUndefined.FindStringSubmatch(msg)[1]
		u := &failure.UsageError{Msg: fmt.Sprintf("%s has no flag %s", name, typedFlag(argv, f)), Hint: help}
		if s := suggestFlag(flags, f); s != "" && near(f, strings.TrimLeft(s, "-")) {
			u.Hint = "did you mean " + s + "? (" + help + ")"
		}
		return u
	case reInvalid.MatchString(msg):
		m := reInvalid.FindStringSubmatch(msg)
		value, f := m[1], m[2]
		if isSpan(flags, f) {
			if isNumber(value) && strings.Trim(value, "0.") != "" {
				return &failure.UsageError{Msg: fmt.Sprintf("--%s %s: %s has no unit", f, value, value),
					Hint: fmt.Sprintf("write %sh or %sd (units: s, m, h, d), e.g. --%s 36h or --%s 2d", value, value, f, f)}
			}
			hint := fmt.Sprintf("write a number and a unit (s, m, h, d), e.g. --%s 36h or --%s 2d", f, f)
			if strings.HasSuffix(m[3], "negative") || strings.HasSuffix(m[3], "positive") {
				// A span with its unit: what is wrong is its sign or size.
				hint = fmt.Sprintf("give a span above zero, e.g. --%s 36h or --%s 2d", f, f)
			}
			return &failure.UsageError{Msg: fmt.Sprintf("--%s %s: %s", f, value, m[3]), Hint: hint}
		}
		if isDuration(flags, f) {
			if isNumber(value) {
				return &failure.UsageError{Msg: fmt.Sprintf("--%s %s: %s has no unit", f, value, value),
					Hint: fmt.Sprintf("write %ss (units: ms, s, m, h), e.g. --%s %ss", value, f, value)}
			}
			return &failure.UsageError{Msg: fmt.Sprintf("--%s %s is not a duration", f, value),
				Hint: fmt.Sprintf("write a number and a unit (ms, s, m, h), e.g. --%s 5s or --%s 1m30s", f, f)}
		}
		return &failure.UsageError{Msg: fmt.Sprintf("--%s %s: not a valid value (%s)", f, value, m[3]), Hint: help}
	case reNoArg.MatchString(msg):
		f := reNoArg.FindStringSubmatch(msg)[1]
		return &failure.UsageError{Msg: fmt.Sprintf("--%s needs a value", f), Hint: help}
	}
	return &failure.UsageError{Msg: strings.ReplaceAll(msg, " -", " --"), Hint: help}
}

// typedFlag is flag name as argv spells it (-o, -bogus, --bogus): Go's
// flag package names every flag with one dash in its errors, whichever
// was typed. A flag not found in argv is written with "--".
func typedFlag(argv []string, name string) string {
	for _, a := range argv {
		if a == "--" {
			break
		}
		typed, _, _ := strings.Cut(a, "=")
		if dashes := strings.TrimSuffix(typed, name); strings.Trim(dashes, "-") == "" && dashes != "" && len(dashes) <= 2 {
			return typed
		}
	}
	return "--" + name
}

// commandPath is the command's name after "kmsctl": "status", "host dlv".
func commandPath(c *cli.Context) string {
	var names []string
	for _, l := range c.Lineage() {
		if l.Command != nil && l.Command.Name != "" && l.Command.Name != c.App.Name {
			names = append([]string{l.Command.Name}, names...)
		}
	}
	return strings.Join(names, " ")
}

// isDuration reports whether flags has a duration flag called name.
func isDuration(flags []cli.Flag, name string) bool {
	for _, f := range flags {
		if _, ok := unwrapFlag(f).(*cli.DurationFlag); ok && cmdline.IsFlag([]cli.Flag{f}, name) {
			return true
		}
	}
	return false
}

// isSpan reports whether flag name takes a span (whole days or a duration).
func isSpan(flags []cli.Flag, name string) bool {
	for _, f := range flags {
		if g, ok := unwrapFlag(f).(*cli.GenericFlag); ok && cmdline.IsFlag([]cli.Flag{f}, name) {
			_, ok := g.Value.(*span)
			return ok
		}
	}
	return false
}

func isNumber(s string) bool {
	return s != "" && strings.Trim(s, "0123456789.") == ""
}
