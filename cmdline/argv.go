// Package cmdline is kmsctl's one pass over the command line before
// urfave/cli v2 parses it: slmgr's spellings (/ato, -ATO, /?, the remote
// form MACHINE [USER PASSWORD] /dlv) and flags written after arguments,
// each a row of one table (Table), tested as a table (argv in, argv
// urfave/cli sees or the usage error out).
package cmdline

import (
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/failure"
)

// Rule is one row of Table: one way people write a kmsctl command
// line that urfave/cli v2 does not read by itself, and the rewrite to the
// form it does read.
type Rule struct {
	Name    string
	Example string // before → after, for the reader
	// Apply rewrites l.Argv in place, or returns a usage error.
	Apply func(l *Line) error
}

// Table is every spelling kmsctl accepts beyond urfave/cli's own
// syntax, in the order Normalise recognises them. Each row sees the
// previous rows' result. The spellings of slmgr are from its own usage
// text (docs/slmgr.md in the field's terms: /verb, -verb, any case, the
// remote form MACHINE [USER PASSWORD] /verb).
var Table = []Rule{
	{"help spellings", "kmsctl /? → kmsctl --help; kmsctl help status → kmsctl status --help", helpSpellings},
	{"slmgr remote form", "kmsctl kms01 u pw /dlv all → kmsctl host dlv kms01 --user u --password pw", slmgrRemoteForm},
	{"slmgr verb", "kmsctl /ATO → kmsctl ato; kmsctl /bogus → Unrecognized option", slmgrVerbSpelling},
	{"flags after arguments", "kmsctl host dlv kms01 --json → kmsctl host dlv --json kms01", flagsFirst},
}

// Line is a command line being normalised, and what normalising it
// found out.
type Line struct {
	app  *cli.App
	Argv []string // os.Args form: argv[0] is the program

	JSON, Check bool // the original line asks for JSON, or is a --check
	// SlmgrPassword is the verb as typed (/dlv, /DLI) when the password
	// came positionally, in slmgr's remote form; "" otherwise.
	SlmgrPassword string
}

// Normalise runs argv through Table: the result is the argv
// urfave/cli parses, or a *failure.UsageError.
func Normalise(app *cli.App, argv []string) (*Line, error) {
	l := &Line{app: app, Argv: slices.Clone(argv), JSON: wantsJSON(argv), Check: wantsCheck(argv)}
	for _, r := range Table {
		if err := r.Apply(l); err != nil {
			return l, err
		}
	}
	return l, nil
}

// Spellings is the words a shell has typed so far with slmgr's
// spellings mapped, for completion: a line that would be a usage error is
// left as typed.
func Spellings(app *cli.App, argv []string) []string {
	l := &Line{app: app, Argv: slices.Clone(argv)}
	for _, r := range Table[1:3] {
		if r.Apply(l) != nil {
			return argv
		}
	}
	return l.Argv
}

// commandIndex is the index of the command in argv: the first word after
// the global flags and their values.
func (l *Line) commandIndex() int {
	i := 1
	for i < len(l.Argv) && strings.HasPrefix(l.Argv[i], "-") && l.Argv[i] != "--" {
		if TakesValue(l.app.Flags, l.Argv[i]) {
			i++
		}
		i++
	}
	return i
}

// Command is the word in the command's place of the normalised line
// ("status"), "" when the line names none or asks the app itself for its
// help or version before it (kmsctl --help status). It may not be a
// command.
func (l *Line) Command() string {
	i := l.commandIndex()
	if i >= len(l.Argv) {
		return ""
	}
	builtin := slices.Concat(cli.HelpFlag.Names(), cli.VersionFlag.Names())
	for _, a := range l.Argv[1:i] {
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if slices.Contains(builtin, name) {
			return ""
		}
	}
	return l.Argv[i]
}

// helpSpellings turns the ways people ask for help into --help: slmgr's /?
// (and -?, /help, /h), anywhere before "--", and "kmsctl help [COMMAND...]",
// which becomes "kmsctl [COMMAND...] --help".
func helpSpellings(l *Line) error {
	for i := 1; i < len(l.Argv); i++ {
		if l.Argv[i] == "--" {
			break
		}
		switch strings.ToLower(l.Argv[i]) {
		case "/?", "-?", "/help", "/h":
			l.Argv[i] = "--help"
		}
	}
	i := l.commandIndex()
	if i+1 < len(l.Argv) && l.Argv[i+1] == "help" {
		if c := l.app.Command(l.Argv[i]); c != nil && len(c.Subcommands) > 0 {
			i++ // kmsctl host help [dlv], as urfave/cli's help command took it
		}
	}
	if i < len(l.Argv) && l.Argv[i] == "help" {
		// help [help...] COMMAND [--help|-h]: one --help, at the end
		// (urfave/cli refuses -h and --help together).
		rest := slices.DeleteFunc(slices.Clone(l.Argv[i+1:]), func(a string) bool { return a == "--help" || a == "-h" })
		for len(rest) > 0 && rest[0] == "help" {
			rest = rest[1:]
		}
		l.Argv = slices.Concat(l.Argv[:i], rest, []string{"--help"})
	}
	return nil
}

// slmgrVerbs are the slmgr options kmsctl implements as commands.
var slmgrVerbs = map[string]bool{"status": true,
	"ipk": true, "upk": true, "cpky": true, "ato": true, "dli": true, "dlv": true, "xpr": true, "rearm": true,
	"skms": true, "ckms": true, "skms-domain": true, "ckms-domain": true, "skhc": true, "ckhc": true,
	"renew": true, "log": true, "explain": true}

// remoteVerbs are the slmgr options kmsctl runs in slmgr's remote form.
var remoteVerbs = map[string]bool{"dlv": true, "dli": true}

// slmgrRemoteForm reads slmgr's remote syntax, `MACHINE [USER PASSWORD]
// /dlv` (or /dli, which prints the same host block), as
// `host dlv MACHINE [--user USER --password PASSWORD]`; slmgr's "all"
// after the option is dropped: host dlv shows every KMS host key. A
// machine and a user without a password gets slmgr's answer; another verb
// in that form is refused with how to run it on that machine.
func slmgrRemoteForm(l *Line) error {
	i, pos, verb := l.remoteShape()
	if verb < 0 {
		return nil
	}
	spelled := l.Argv[verb]
	v := strings.ToLower(spelled[1:])
	switch {
	case !remoteVerbs[v] && len(pos) <= 3 && slmgrVerbs[v]:
		return &failure.UsageError{Msg: fmt.Sprintf("slmgr's remote form MACHINE [USER PASSWORD] /VERB runs only /dlv and /dli in kmsctl, not %s", spelled),
			Hint: fmt.Sprintf("kmsctl reads a Windows KMS host's license information over WinRM (kmsctl %s [USER PASSWORD] /dlv, or kmsctl host dlv %s --user USER); to run %s on that machine, run slmgr %s or kmsctl %s on it", pos[0], pos[0], spelled, spelled, v)}
	case !remoteVerbs[v]:
		return nil
	case len(pos) == 2:
		return &failure.UsageError{Msg: "Invalid combination of command parameters.",
			Hint: "slmgr's remote form is MACHINE USER PASSWORD /dlv; kmsctl also takes kmsctl host dlv MACHINE --user USER (the password from --password-env VAR or a prompt)"}
	case len(pos) != 1 && len(pos) != 3:
		return nil
	case slices.Contains(pos, ""):
		// As --user '' and --password '' are refused (emptyValue): an
		// empty variable in a script, not an account.
		return &failure.UsageError{Msg: "slmgr's remote form MACHINE USER PASSWORD /dlv: a word of it is empty",
			Hint: "give the machine, the user and the password; or kmsctl host dlv MACHINE --user USER (the password from --password-env VAR or a prompt)"}
	}
	out := slices.Concat(l.Argv[:i], []string{"host", "dlv", pos[0]})
	if len(pos) == 3 {
		out = append(out, "--user", pos[1], "--password", pos[2])
		l.SlmgrPassword = spelled
	}
	for _, a := range l.Argv[verb+1:] {
		if !strings.EqualFold(a, "all") {
			out = append(out, a)
		}
	}
	l.Argv = out
	return nil
}

// remoteShape finds, after the long global flags (from index i on), the
// positional arguments before the first /option or -option and that
// option's index; verb is -1 when argv does not have that shape, has more
// than three such arguments, or the first is a kmsctl command.
func (l *Line) remoteShape() (i int, pos []string, verb int) {
	i = 1
	for i < len(l.Argv) && strings.HasPrefix(l.Argv[i], "--") && l.Argv[i] != "--" {
		if TakesValue(l.app.Flags, l.Argv[i]) {
			i++
		}
		i++
	}
	for j := i; j < len(l.Argv); j++ {
		a := l.Argv[j]
		if len(a) > 1 && (a[0] == '/' || a[0] == '-') {
			if len(pos) > 0 && !l.isCommandName(pos[0]) {
				return i, pos, j
			}
			return i, nil, -1
		}
		pos = append(pos, a)
		if len(pos) > 3 {
			break
		}
	}
	return i, nil, -1
}

// isCommandName reports whether s names a kmsctl command (then it is not
// a machine name).
func (l *Line) isCommandName(s string) bool {
	return s == "help" || s == "h" || l.app.Command(s) != nil
}

// slmgrVerbSpelling finds the command after the global flags (and their
// values) and maps slmgr's spelling of it (/ato, -ato, /ATO). An option
// there that kmsctl does not have (/bogus, -bogus) gets slmgr's answer,
// "Unrecognized option", with kmsctl's verbs in place of slmgr's usage
// text.
func slmgrVerbSpelling(l *Line) error {
	builtin := slices.Concat(cli.HelpFlag.Names(), cli.VersionFlag.Names())
	for i := 1; i < len(l.Argv); i++ {
		a := l.Argv[i]
		switch {
		case a == "--" || !strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "/"):
			return nil // the command, or a positional argument
		case a[0] == '-' && !slmgrVerbs[strings.ToLower(a[1:])] && !IsFlag(l.app.Flags, a) && !slices.Contains(builtin, strings.TrimLeft(a, "-")):
			// Not kmsctl's flag: maybe the command's, written before it.
			if err := l.commandFlagFirst(i); err != nil {
				return err
			}
		}
		switch {
		case strings.HasPrefix(a, "--"):
		case len(a) > 1 && (slmgrVerbs[strings.ToLower(a[1:])] || l.visibleCommand(strings.ToLower(a[1:]))):
			// slmgr's verbs, and as the refusal below promises, every
			// other command written the same way (/version, -products).
			l.Argv[i] = strings.ToLower(a[1:])
			return nil
		case len(a) > 1 && (a[0] == '/' || !IsFlag(l.app.Flags, a) && !slices.Contains(builtin, a[1:])):
			var verbs []string
			for _, c := range l.app.VisibleCommands() {
				verbs = append(verbs, c.Name)
			}
			return &failure.UsageError{Msg: "Unrecognized option: " + a,
				Hint: "kmsctl's verbs, also written /verb or -verb as slmgr does: " + strings.Join(verbs, ", ")}
		}
		if TakesValue(l.app.Flags, a) {
			i++
		}
	}
	return nil
}

// commandFlagFirst is the usage error of l.Argv[i], a flag before the
// command that is not kmsctl's but the command's (kmsctl -o json status
// HOST), with the line written the way that works: the flag, and its
// value, after the command. nil when no command follows, or it has no
// such flag.
func (l *Line) commandFlagFirst(i int) error {
	a := l.Argv[i]
	if len(a) < 2 || a[0] != '-' {
		return nil // slmgr's /verb
	}
	for j := i + 1; j < len(l.Argv) && l.Argv[j] != "--"; j++ {
		name := l.Argv[j]
		if len(name) > 1 && (name[0] == '/' || name[0] == '-') && slmgrVerbs[strings.ToLower(name[1:])] {
			name = strings.ToLower(name[1:]) // slmgr's /ato
		}
		cmd := l.app.Command(name)
		if cmd == nil {
			continue
		}
		path := []string{name}
		if len(cmd.Subcommands) > 0 && j+1 < len(l.Argv) && cmd.Command(l.Argv[j+1]) != nil {
			cmd, path = cmd.Command(l.Argv[j+1]), []string{name, l.Argv[j+1]}
		}
		if !IsFlag(cmd.Flags, a) {
			return nil
		}
		moved := l.Argv[i : i+1]
		if TakesValue(cmd.Flags, a) && i+1 < j {
			moved = l.Argv[i : i+2]
		}
		rest := slices.Concat(l.Argv[1:i], l.Argv[i+len(moved):])
		end := slices.Index(rest, "--")
		if end < 0 {
			end = len(rest)
		}
		fixed := slices.Concat(rest[:end], moved, rest[end:])
		for k, w := range fixed {
			fixed[k] = failure.Quote(w)
		}
		typed, _, _ := strings.Cut(a, "=")
		return &failure.UsageError{Msg: fmt.Sprintf("%s is a flag of kmsctl %s: it goes after the command", typed, strings.Join(path, " ")),
			Hint: "kmsctl " + strings.Join(fixed, " ")}
	}
	return nil
}

// visibleCommand reports whether name is one of the commands the help
// lists.
func (l *Line) visibleCommand(name string) bool {
	c := l.app.Command(name)
	return c != nil && !c.Hidden
}

// flagsFirst moves the flags of a command (or of a command's subcommand)
// ahead of its positional arguments, so `kmsctl status HOST --json` works:
// urfave/cli v2 stops parsing flags at the first positional argument.
// Global flags written after the command move before it; "--" still ends
// the flags.
func flagsFirst(l *Line) error {
	i := l.commandIndex()
	for j := 1; j < min(i, len(l.Argv)); j++ {
		if err := emptyValue(l.app.Flags, l.Argv, j, nil); err != nil {
			return err
		}
	}
	if i >= len(l.Argv) {
		return noCommand(l, i)
	}
	cmd := l.app.Command(l.Argv[i])
	end := i + 1
	if cmd != nil && len(cmd.Subcommands) > 0 {
		if i+1 >= len(l.Argv) {
			return nil
		}
		cmd, end = cmd.Command(l.Argv[i+1]), i+2
	}
	if cmd == nil {
		return nil
	}
	if asksHelp(slices.Concat(cmd.Flags, l.app.Flags), l.Argv[end:]) {
		// kmsctl status HOST --help: the command's help, whatever else
		// the line holds (urfave/cli would take HOST for a help topic).
		l.Argv = append(l.Argv[:end:end], "--help")
		return nil
	}
	argv, err := reorder(l.app.Flags, cmd.Flags, l.Argv, i, end)
	if err != nil {
		return err
	}
	l.Argv = argv
	return nil
}

// asksHelp reports whether args, a command's words after its name, hold
// --help or -h as a flag (not as another flag's value, not after "--").
func asksHelp(flags []cli.Flag, args []string) bool {
	for i := 0; i < len(args) && args[i] != "--"; i++ {
		switch {
		case strings.HasPrefix(args[i], "-") && slices.Contains(cli.HelpFlag.Names(), strings.TrimLeft(args[i], "-")):
			return true
		case TakesValue(flags, args[i]):
			i++ // its value
		}
	}
	return false
}

// noCommand refuses a line of global flags that names no command (i is
// where the command would be): urfave/cli would print the help and exit 0,
// so that a cron line whose variable is empty (kmsctl --state-dir $DIR
// renew with DIR unset: --state-dir takes "renew") would never renew, and
// never fail. Bare kmsctl, and its help and version flags, stay as they
// are.
func noCommand(l *Line, i int) error {
	if i <= 1 {
		return nil
	}
	builtin := slices.Concat(cli.HelpFlag.Names(), cli.VersionFlag.Names())
	for _, a := range l.Argv[1:min(i, len(l.Argv))] {
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if slices.Contains(builtin, name) {
			return nil
		}
	}
	if i > len(l.Argv) { // the last flag has no value
		return &failure.UsageError{Msg: l.Argv[len(l.Argv)-1] + " needs a value", Hint: "kmsctl --help"}
	}
	last, prev := l.Argv[i-1], l.Argv[i-2]
	if l.app.Command(last) != nil && TakesValue(l.app.Flags, prev) {
		placeholder := "VALUE"
		if df, ok := Lookup(l.app.Flags, prev).(cli.DocGenerationFlag); ok {
			// The help's `NAME` (DIR, HOST[:PORT]), as urfave/cli shows it.
			if _, p, ok := strings.Cut(df.GetUsage(), "`"); ok {
				if p, _, ok := strings.Cut(p, "`"); ok && p != "" {
					placeholder = p
				}
			}
		}
		return &failure.UsageError{Msg: fmt.Sprintf("no command: %s took %q as its value", prev, last),
			Hint: fmt.Sprintf("give %s a value: kmsctl %s %s %s", prev, prev, placeholder, last)}
	}
	for j := 1; j < i; j++ {
		if a := l.Argv[j]; !IsFlag(l.app.Flags, a) {
			return &failure.UsageError{Msg: "kmsctl has no flag " + a, Hint: "run 'kmsctl --help'"}
		} else if TakesValue(l.app.Flags, a) {
			j++
		}
	}
	return &failure.UsageError{Msg: "no command given", Hint: "kmsctl --help lists the commands"}
}

// reorder rebuilds args so that the global flags written after the command
// (args[cmdStart:cmdEnd], one word or a command and its subcommand) come
// before it, and the command's own flags come before its positional
// arguments. "--" ends the flags. A flag that takes a value but ends the
// line is a usage error (moved in front of the arguments it would take one
// of them as its value: status HOST --timeout → --timeout HOST), and so is
// a single-valued flag given twice (-o json --format tsv: the last would
// silently win).
func reorder(appFlags, cmdFlags []cli.Flag, args []string, cmdStart, cmdEnd int) ([]string, error) {
	var globals, flags, positional []string
	given := map[string]string{} // single-valued flag's first name → as first typed
	once := func(fl []cli.Flag, a string) error {
		f := Lookup(fl, a)
		if df, ok := f.(cli.DocGenerationFlag); !ok || !df.TakesValue() || Repeatable(f) {
			return nil // a boolean (--json twice is harmless), or --product
		}
		typed, _, _ := strings.Cut(a, "=")
		if first, ok := given[f.Names()[0]]; ok {
			return &failure.UsageError{Msg: fmt.Sprintf("%s is given twice (%s, then %s)", "--"+f.Names()[0], first, typed), Hint: "give it once"}
		}
		given[f.Names()[0]] = typed
		return nil
	}
	rest := splitShort(cmdFlags, args[cmdEnd:])
	for j := 0; j < len(rest); j++ {
		a := rest[j]
		switch {
		case a == "--":
			positional = append(positional, rest[j:]...)
			j = len(rest)
		case strings.HasPrefix(a, "-") && len(a) > 1 && !IsFlag(cmdFlags, a) && IsFlag(appFlags, a):
			// A global flag written after the command.
			if err := once(appFlags, a); err != nil {
				return nil, err
			}
			if err := emptyValue(appFlags, rest, j, args[cmdStart:cmdEnd]); err != nil {
				return nil, err
			}
			globals = append(globals, a)
			if TakesValue(appFlags, a) {
				if j+1 >= len(rest) {
					return nil, needsValue(a, args[cmdStart:cmdEnd])
				}
				j++
				globals = append(globals, rest[j])
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			if err := once(cmdFlags, a); err != nil {
				return nil, err
			}
			if err := emptyValue(cmdFlags, rest, j, args[cmdStart:cmdEnd]); err != nil {
				return nil, err
			}
			flags = append(flags, canonical(cmdFlags, a))
			if TakesValue(cmdFlags, a) {
				if j+1 >= len(rest) {
					return nil, needsValue(a, args[cmdStart:cmdEnd])
				}
				j++
				flags = append(flags, rest[j])
			}
		default:
			positional = append(positional, a)
		}
	}
	return slices.Concat(args[:cmdStart], globals, args[cmdStart:cmdEnd], flags, positional), nil
}

// splitShort writes a one-letter value flag glued to its value as two
// words (-otsv → -o tsv, -pOffice → -p Office), as getopt-style tools
// take them; urfave/cli would look for a flag named "otsv". A word that
// names a flag itself, or whose letter is not a value flag, is left as it
// is; so is everything after "--".
func splitShort(flags []cli.Flag, args []string) []string {
	var out []string
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		if len(a) > 2 && a[0] == '-' && a[1] != '-' && !strings.Contains(a, "=") && !IsFlag(flags, a) && TakesValue(flags, a[:2]) {
			out = append(out, a[:2], a[2:])
			continue
		}
		out = append(out, a)
	}
	return out
}

// needsValue is the usage error of flag a, which takes a value, ending the
// line of command cmd.
func needsValue(a string, cmd []string) error {
	return &failure.UsageError{Msg: a + " needs a value", Hint: "run 'kmsctl " + strings.Join(cmd, " ") + " --help'"}
}

// emptyValue is the usage error of args[j], a value flag of flags, when
// its value is empty: --hosts-file= , or --hosts-file followed by an
// empty word (a script's variable that expanded to nothing, quoted:
// --state-dir "$DIR"). Such a flag would otherwise be quietly taken as not
// given, its default used (the default state directory, DNS discovery in
// place of the hosts file, TSV in place of the format asked for), which
// is the failure README's "a flag that takes a value but has none" rule
// exists to prevent. cmd is the command (nil before it), for the hint.
//
// No kmsctl flag takes the empty string as a value: an unset setting is
// written by leaving its flag out (a flag whose empty value ever means
// something must be let through here, with the reason). The environment
// is not the command line: an empty KMSCTL_STATE_DIR is unset, as an
// empty NO_COLOR is.
func emptyValue(flags []cli.Flag, args []string, j int, cmd []string) error {
	a := args[j]
	df, ok := Lookup(flags, a).(cli.DocGenerationFlag)
	if !ok || !df.TakesValue() {
		return nil
	}
	typed, v, glued := strings.Cut(a, "=")
	if !glued {
		if j+1 >= len(args) {
			return nil // no value at all: needsValue's case
		}
		v = args[j+1]
	}
	if v != "" {
		return nil
	}
	help := "kmsctl --help"
	if len(cmd) > 0 {
		help = "kmsctl " + strings.Join(cmd, " ") + " --help"
	}
	return &failure.UsageError{Msg: fmt.Sprintf("%s needs a value, and was given an empty one", typed),
		Hint: "give " + typed + " a value, or leave it out for the default (run '" + help + "')"}
}

// Lookup is the flag of flags that arg names (-p, --product,
// --product=X), nil when none.
func Lookup(flags []cli.Flag, arg string) cli.Flag {
	name, _, _ := strings.Cut(strings.TrimLeft(arg, "-"), "=")
	for _, f := range flags {
		if slices.Contains(f.Names(), name) {
			return f
		}
	}
	return nil
}

// Repeatable reports whether f may be given more than once, each value
// kept (--product). It asks urfave/cli's IsSliceFlag, not the type, so
// that it holds for the library's slice flags and for commands' wrappers
// of them.
func Repeatable(f cli.Flag) bool {
	s, ok := f.(interface{ IsSliceFlag() bool })
	return ok && s.IsSliceFlag()
}

// IsFlag reports whether arg names one of flags.
func IsFlag(flags []cli.Flag, arg string) bool { return Lookup(flags, arg) != nil }

// TakesValue reports whether arg names a flag that consumes the next
// argument (not a boolean, and not written as --flag=value).
func TakesValue(flags []cli.Flag, arg string) bool {
	df, ok := Lookup(flags, arg).(cli.DocGenerationFlag)
	return ok && !strings.Contains(arg, "=") && df.TakesValue()
}

// canonical writes a flag by its first name: urfave/cli v2 refuses a flag
// given once by its name and once by an alias (-p and --product).
func canonical(flags []cli.Flag, arg string) string {
	name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
	for _, f := range flags {
		names := f.Names()
		if slices.Contains(names[1:], name) {
			if hasValue {
				return "--" + names[0] + "=" + value
			}
			return "--" + names[0]
		}
	}
	return arg
}

// wantsCheck reports whether the command line is a monitoring check, whose
// failures are UNKNOWN (exit 3) rather than errors.
func wantsCheck(args []string) bool {
	return anyBefore(args, "--check", "-check", "--check=true")
}

// wantsJSON reports whether the command line asks for JSON (--json, or
// -o/--format json in any spelling), so that even a usage error is
// reported as JSON.
func wantsJSON(args []string) bool {
	if anyBefore(args, "--json", "-json", "--json=true", "--format=json", "-format=json", "-o=json", "-ojson") {
		return true
	}
	for i := 1; i+1 < len(args) && args[i] != "--"; i++ {
		if (args[i] == "-o" || args[i] == "--format" || args[i] == "-format") && args[i+1] == "json" {
			return true
		}
	}
	return false
}

// anyBefore reports whether one of words is in args[1:] before "--".
func anyBefore(args []string, words ...string) bool {
	for _, a := range args[1:] {
		if a == "--" {
			return false
		}
		if slices.Contains(words, a) {
			return true
		}
	}
	return false
}
