package commands

import "github.com/urfave/cli/v2"

// The wrappers: Names from the slice; String renders the wrapper, so that
// the rendering asks it, not the library's flag, for the names.

type boolFlag struct {
	*cli.BoolFlag
	names []string
}

func (f *boolFlag) Names() []string  { return f.names }
func (f *boolFlag) unwrap() cli.Flag { return f.BoolFlag }

// String renders the library's flag when its DisableDefaultText is set:
// the library looks for that on a *cli.BoolFlag only.
func (f *boolFlag) String() string {
	if f.DisableDefaultText {
		return f.BoolFlag.String()
	}
	return cli.FlagStringer(f)
}

type stringFlag struct {
	*cli.StringFlag
	names []string
}

func (f *stringFlag) Names() []string  { return f.names }
func (f *stringFlag) String() string   { return cli.FlagStringer(f) }
func (f *stringFlag) unwrap() cli.Flag { return f.StringFlag }

type intFlag struct {
	*cli.IntFlag
	names []string
}

func (f *intFlag) Names() []string  { return f.names }
func (f *intFlag) String() string   { return cli.FlagStringer(f) }
func (f *intFlag) unwrap() cli.Flag { return f.IntFlag }

type durationFlag struct {
	*cli.DurationFlag
	names []string
}

func (f *durationFlag) Names() []string  { return f.names }
func (f *durationFlag) String() string   { return cli.FlagStringer(f) }
func (f *durationFlag) unwrap() cli.Flag { return f.DurationFlag }

type float64Flag struct {
	*cli.Float64Flag
	names []string
}

func (f *float64Flag) Names() []string  { return f.names }
func (f *float64Flag) String() string   { return cli.FlagStringer(f) }
func (f *float64Flag) unwrap() cli.Flag { return f.Float64Flag }

type stringSliceFlag struct {
	*cli.StringSliceFlag
	names []string
}

func (f *stringSliceFlag) Names() []string  { return f.names }
func (f *stringSliceFlag) String() string   { return cli.FlagStringer(f) }
func (f *stringSliceFlag) unwrap() cli.Flag { return f.StringSliceFlag }

type genericFlag struct {
	*cli.GenericFlag
	names []string
}

func (f *genericFlag) Names() []string  { return f.names }
func (f *genericFlag) String() string   { return cli.FlagStringer(f) }
func (f *genericFlag) unwrap() cli.Flag { return f.GenericFlag }
