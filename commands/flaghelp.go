package commands

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// Help shows a flag's default only when it says something: urfave/cli
// appends "(default: false)" to every boolean and "(default: 0)" to
// numbers that have no default, and repeats a default the usage text
// already explains ("(default: the threshold) (default: 0)").
func init() {
	stringer := cli.FlagStringer
	cli.FlagStringer = func(f cli.Flag) string {
		return trimDefault(trimRepeat(stringer(f)), flagUsage(f))
	}
}

// trimRepeat drops the copy of a repeatable flag's names urfave/cli writes
// after them ("--product NAME, -p NAME [ --product NAME, -p NAME ]"):
// the usage says "repeatable".
func trimRepeat(s string) string {
	names, rest, ok := strings.Cut(s, "\t")
	if first, again, found := strings.Cut(names, " [ "); ok && found && again == first+" ]" {
		return first + "\t" + rest
	}
	return s
}

// trimDefault drops the "(default: V)" urfave/cli appended to s, the help
// line of a flag whose usage text is usage, when V is a zero value or
// usage gives the default itself.
func trimDefault(s, usage string) string {
	end := strings.Index(s, usage)
	if usage == "" || end < 0 {
		return s
	}
	end += len(usage)
	i := strings.LastIndex(s, " (default: ")
	if i < end {
		return s
	}
	j := strings.IndexByte(s[i:], ')')
	if j < 0 {
		return s
	}
	switch v := s[i+len(" (default: ") : i+j]; {
	case v == "false", v == "0", v == "0s", v == `""`, strings.Contains(usage, "(default"):
		return s[:i] + s[i+j+1:]
	}
	return s
}
