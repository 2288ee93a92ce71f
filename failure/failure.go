// Package failure is the one place kmsctl turns a failure into words and an
// exit status.
//
// The domain packages (kmsclient, discovery, license, identity, statedir,
// kmshost, probe, catalogue) return typed errors that hold facts only: the
// operation, the object it was done to (a file, a host:port, a DNS record, a
// flag), the underlying error and, where Windows has an HRESULT for exactly
// that situation, the code. They hold no advice and no exit status. This
// package reads those facts and decides, for the command that ran:
//
//   - Describe: the {code, message, cause, fix} shown on screen and in JSON.
//     The message says what the code means, the cause what happened (the
//     error's own text, naming the object), the fix what to do. A fix names
//     only flags the running command has (Context.Flag) and only things true
//     on this OS (Context.GOOS).
//   - TemplateOf: a failure's words with the failing host taken out, by
//     which a fleet report decides that several hosts failed for one cause
//     (group.go).
//   - ExitStatus: the process's exit status, and nothing else decides it
//     (main calls it once, through commands.Env.Exit).
//
// A failure nothing here recognises is reported under kmsctl's own code,
// hresult.Unclassified, with its text as the cause: never under a Windows
// code that would send the reader looking for the wrong problem.
//
// # Adding a new error kind
//
//  1. In the domain package, define a type holding facts: Op (what was being
//     done), the object (Path, Host, Name, Flag ...), Err (the underlying
//     error, returned by Unwrap) and, if Windows has a code for exactly this
//     situation, a field or Code method giving it. Error() says what happened
//     and names the object. No advice, no flags, no exit status.
//  2. Here, add a case to words (describe.go) that returns the code, a
//     message when the code table's (hresult/errors.csv) does not fit, and the
//     fix. Write flags through c.Flag("timeout"), which is "" when the command
//     has no such flag, and choose OS-specific advice by c.goos().
//  3. If the error means "something answered and said no", make refused
//     (exit.go) return true for it: exit status 1. Everything else is 2.
//  4. Add the situation to the table test (failure_test.go, and
//     testdata/script/errors_*.txtar when exit status or stderr matter).
package failure

import (
	"errors"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/internal/prose"
	"github.com/kmsctl/kmsctl/limit"
)

// Info is a failure as kmsctl reports it, and its JSON form.
type Info struct {
	Code    string `json:"code"`    // the HRESULT, 0xC004F074
	Message string `json:"message"` // what the code means
	Cause   string `json:"cause"`   // what actually happened, naming the object
	Fix     string `json:"fix"`     // what to try; "" when there is nothing to say
	// forAll is Fix for several hosts that failed alike, naming none of
	// them ("check that these hosts are reachable"); "" when Fix names
	// no host by its address (TemplateOf then sets the host aside).
	forAll string
}

// Context is what Describe and ExitStatus know about the run.
type Context struct {
	// Command is the command's full name ("status", "dns check", "host
	// dlv"); "" before a command was chosen.
	Command string
	// Flags are the long names (no dashes) of every flag the command
	// takes, the global ones included.
	Flags []string
	// GOOS is the operating system advice is for; "" means this one.
	GOOS string
	// Check is set for a monitoring check (status --check): a failure to
	// run it is UNKNOWN, exit 3.
	Check bool
}

// Flag returns "--name" when the command has the flag, else "". Every
// flag a fix names goes through it.
func (c Context) Flag(name string) string {
	if slices.Contains(c.Flags, name) {
		return "--" + name
	}
	return ""
}

func (c Context) goos() string {
	if c.GOOS == "" {
		return runtime.GOOS
	}
	return c.GOOS
}

// is reports whether the running command is one of names.
func (c Context) is(names ...string) bool { return slices.Contains(names, c.Command) }

// UsageError is a wrong command line: an unknown flag or command, a bad
// value, a wrong combination. Msg says what is wrong and names the flag or
// argument; Hint is the corrected command line or where to look. Both come
// from the command line's own code (package commands), which knows the flags.
type UsageError struct {
	Msg  string
	Hint string
}

func (e *UsageError) Error() string { return e.Msg }

// Describe explains err for the command c describes.
func Describe(err error, c Context) Info {
	if err == nil {
		return Info{Code: hresult.OK.String(), Message: "The operation completed successfully."}
	}
	w := words(err, c)
	info := Info{Code: w.code.String(), Message: w.message, Cause: w.cause, Fix: w.fix, forAll: w.fixAll}
	if info.Cause == "" {
		info.Cause = err.Error()
	}
	if t, ok := hresult.Lookup(w.code); ok {
		if info.Message == "" {
			info.Message = t.Meaning
		}
		if w.tableFix {
			info.Fix = join(info.Fix, clientLogFree(t.Fix))
		}
	}
	if info.Message == "" {
		info.Message = win32Text(w.code)
	}
	if info.Message == "" {
		info.Message = "Windows publishes no description of this code."
	}
	return info
}

// clientEvents finds advice to read a Windows client's event log: true
// for a Windows machine that hit the code (what explain describes), never
// for kmsctl's own failure, which no Windows licensing service logged.
// It is compiled on first use, not at start-up.
var clientEvents = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)application log|\b1228[89]\b|\bevent 8198\b`)
})

// clientLogFree is the code table's advice without the parts that send
// the reader to a Windows client's event log.
func clientLogFree(fix string) string {
	var keep []string
	for _, part := range strings.Split(fix, "; ") {
		if !clientEvents().MatchString(part) {
			keep = append(keep, part)
		}
	}
	out := strings.Join(keep, "; ")
	if out != "" {
		out = strings.ToUpper(out[:1]) + out[1:]
	}
	return out
}

// said is what words decides about one failure.
type said struct {
	code     hresult.Code
	message  string // what the code means here; "" for the table's
	cause    string // "" for the error's own text
	fix      string
	fixAll   string // fix for several hosts failing alike (Info.forAll); "" when fix names no host's address
	tableFix bool   // add the code table's advice after fix
}

// join puts two pieces of advice together.
func join(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return strings.TrimSuffix(a, ".") + ". " + b
}

// flagList joins the flags the command has among names: "--timeout or
// --deadline"; "" when it has none of them.
func (c Context) flagList(names ...string) string {
	var have []string
	for _, n := range names {
		if f := c.Flag(n); f != "" {
			have = append(have, f)
		}
	}
	return prose.List(have, "or")
}

// codeOf returns the HRESULT an error carries (a Code method, or Windows'
// code for a system error it wraps).
func codeOf(err error) (hresult.Code, bool) {
	var coded interface{ Code() hresult.Code }
	if errors.As(err, &coded) {
		return coded.Code(), true
	}
	return hresult.FromOSError(err)
}

// win32Text is Windows' text for a Win32 error kmsctl has no entry for
// ("Win32 error 1234: ..."); "" for other codes.
func win32Text(c hresult.Code) string {
	if _, ok := c.IsWin32(); !ok {
		return ""
	}
	i, _ := hresult.Describe(c)
	return i.Meaning
}

// raiseLimit says which time limit stopped the run and how to give it
// more: "raise --deadline" when the whole run's deadline ran out,
// "raise --timeout" for one host's, and for one DNS query that its limit
// follows --timeout (never past --deadline). "" when the command has no
// flag that would change it; fallback is used when err names no limit.
func (c Context) raiseLimit(err error, fallback limit.Kind) string {
	kind := fallback
	if l := limit.Of(err); l != nil {
		kind = l.Kind
	}
	switch kind {
	case limit.Deadline:
		if f := c.Flag("deadline"); f != "" {
			return "raise " + f + " (the whole run's deadline ran out; " + c.orTimeout() + "is not what stopped it)"
		}
	case limit.DNSQuery:
		if f := c.Flag("timeout"); f != "" {
			s := "raise " + f + ": each DNS query may take as long as " + f
			if d := c.Flag("deadline"); d != "" {
				s += ", never past " + d
			}
			return s
		}
	case limit.Timeout:
		if f := c.Flag("timeout"); f != "" {
			return "raise " + f
		}
	}
	return ""
}

// orTimeout is "--timeout " when the command has it.
func (c Context) orTimeout() string {
	if f := c.Flag("timeout"); f != "" {
		return f + " "
	}
	return "the per-host limit "
}
