package commands

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/failure"
)

// choiceFlag is a string flag whose value is one of a fixed list: the
// command checks what was given against choices (chosen), and __complete
// offers the same list, so the two cannot drift apart.
type choiceFlag struct {
	*cli.StringFlag
	choices []string
	names   []string // set by fastNames
}

// Names is the flag's names, computed once when fastNames has run.
func (c *choiceFlag) Names() []string {
	if c.names != nil {
		return c.names
	}
	return c.StringFlag.Names()
}

// String renders c itself, so that the rendering asks c for its names.
func (c *choiceFlag) String() string { return cli.FlagStringer(c) }

// choicesOf returns the values flag f accepts, nil when it is not a
// choiceFlag (it takes free text, or its values are listed elsewhere).
func choicesOf(f cli.Flag) []string {
	if c, ok := f.(*choiceFlag); ok {
		return c.choices
	}
	return nil
}

// chosen returns the value given to c's choice flag name ("" when none
// was), or a usage error listing the flag's choices when it is not one.
func chosen(c *cli.Context, name string) (string, error) {
	if c.Command == nil {
		return c.String(name), nil
	}
	return choose(c.Command, name, c.String(name))
}

// choose returns v, the value given to cmd's choice flag name ("" when
// none was), or a usage error listing the flag's choices when it is not
// one of them.
func choose(cmd *cli.Command, name, v string) (string, error) {
	if v == "" {
		return v, nil
	}
	for _, f := range cmd.Flags {
		if !slices.Contains(f.Names(), name) {
			continue
		}
		if ch := choicesOf(f); ch != nil && !slices.Contains(ch, v) {
			// Named as the help does, the short form too (-o/--format):
			// the user may have typed either.
			short, long := "", "--"+name
			for _, n := range f.Names() {
				if len(n) == 1 {
					short = "-" + n
				}
			}
			spelled, use := long, long
			if short != "" {
				spelled, use = short+"/"+long, short
			}
			return "", &failure.UsageError{Msg: spelled + " " + v + " is not known", Hint: "use " + use + " " + strings.Join(ch, "|")}
		}
	}
	return v, nil
}
