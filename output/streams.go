// Package output is the only place kmsctl writes for people and scripts:
// tables on a terminal, tab-separated text when piped, JSON on request,
// colour only where it helps, and every error in one format.
package output

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/fatih/color"
	"github.com/kmsctl/kmsctl/internal/textsafe"
	"github.com/mattn/go-isatty"
	"golang.org/x/term"
)

// Streams are where a command writes, and what the terminal can show.
type Streams struct {
	Out   io.Writer
	Err   io.Writer
	TTY   bool // stdout is a terminal: aligned tables, relative wording
	Color bool // colour on stdout
	// ErrColor is colour on stderr, decided as Color is but for stderr's
	// own terminal: 2>file gets no escapes when stdout is a terminal.
	ErrColor bool
	ErrTTY   bool // stderr is a terminal: progress may be drawn there
	// ErrWidth is the columns of stderr's terminal, at which error blocks
	// wrap; 0 when stderr is not a terminal (each part stays one line).
	ErrWidth int
	// OutWidth is the columns of stdout's terminal, at which help wraps;
	// 0 when stdout is not a terminal.
	OutWidth int
	// Describe puts a failure into words for the command that runs
	// (package failure, with the command's Context); nil describes it
	// without knowing the command.
	Describe func(error) ErrorInfo
}

// stickyWriter remembers the first error a write returned, so that a
// result that could not be written (a full disk, a closed pipe) is never
// reported as a success, whichever renderer wrote it.
type stickyWriter struct {
	w   io.Writer
	err error
}

func (s *stickyWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	if err != nil {
		s.err = err
	}
	return n, err
}

// WriteFailed returns the first error writing to Out returned, if Out is
// the process's standard output (System); nil otherwise.
func (s *Streams) WriteFailed() error {
	if sw, ok := s.Out.(*stickyWriter); ok {
		return sw.err
	}
	return nil
}

// System returns the process's streams. Colour is on a stream only when it
// is a terminal, NO_COLOR is unset or empty, and noColor is false.
func System(noColor bool, getenv func(string) string) *Streams {
	catchSIGPIPE()
	tty := isatty.IsTerminal(os.Stdout.Fd()) || isatty.IsCygwinTerminal(os.Stdout.Fd())
	var out io.Writer = os.Stdout
	useColor := tty && !noColor && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
	if useColor {
		// Windows consoles need ANSI translated or enabled; colorable does either.
		out = color.Output
	}
	errTTY := isatty.IsTerminal(os.Stderr.Fd()) || isatty.IsCygwinTerminal(os.Stderr.Fd())
	var errOut io.Writer = os.Stderr
	errColor := errTTY && !noColor && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
	if errColor {
		errOut = color.Error
	}
	errWidth, outWidth := 0, 0
	if errTTY {
		errWidth = termWidth(os.Stderr)
	}
	if tty {
		outWidth = termWidth(os.Stdout)
	}
	// Both streams escape what a terminal would act on (textsafe.Writer):
	// a host's text must never reach it raw, whichever path it takes.
	return &Streams{Out: &stickyWriter{w: &textsafe.Writer{W: out}}, Err: &textsafe.Writer{W: errOut, Line: true}, TTY: tty, Color: useColor, ErrColor: errColor, ErrTTY: errTTY && getenv("TERM") != "dumb", ErrWidth: errWidth, OutWidth: outWidth}
}

// termWidth is the columns of the terminal f is, 0 when unknown.
func termWidth(f *os.File) int {
	if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
		return w
	}
	return 0
}

// paint returns s in the given attributes when colour is on.
func (s *Streams) paint(text string, attrs ...color.Attribute) string {
	if !s.Color {
		return text
	}
	c := color.New(attrs...)
	c.EnableColor()
	return c.Sprint(text)
}

// on is s for writing on w: with stderr's colour decision when w is
// s.Err, so that what goes to stderr is painted only on its terminal.
func (s *Streams) on(w io.Writer) *Streams {
	if w == s.Err && s.Color != s.ErrColor {
		c := *s
		c.Color = s.ErrColor
		return &c
	}
	return s
}

// Colours by meaning.
func (s *Streams) good(t string) string { return s.paint(t, color.FgGreen) }
func (s *Streams) bad(t string) string  { return s.paint(t, color.FgRed, color.Bold) }
func (s *Streams) warn(t string) string { return s.paint(t, color.FgYellow) }
func (s *Streams) dim(t string) string  { return s.paint(t, color.Faint) }

// catchSIGPIPE makes a write to a closed pipe on stdout or stderr return
// EPIPE instead of killing the process: Go's runtime raises SIGPIPE for
// fds 1 and 2 unless the program asks for the signal (os/signal, "SIGPIPE").
// Every command then ends the same way on `| head`: quietly, with the exit
// status of its result (README, "Errors and exit status"). A channel
// rather than signal.Ignore, so that processes kmsctl starts get the
// default disposition back.
var catchSIGPIPE = sync.OnceFunc(func() {
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
})

// Warning writes "warning: msg" on stderr.
func (s *Streams) Warning(msg string) {
	s.textLine(s.Err, "", s.on(s.Err).warn("warning:")+" ", msg)
}

// Note writes "note: msg" on stderr: something the user should know that
// changes nothing in the result.
func (s *Streams) Note(msg string) {
	s.textLine(s.Err, "", "note: ", msg)
}

// Prompt writes text on stderr without a newline, for a question asked on
// the terminal.
func (s *Streams) Prompt(text string) { fmt.Fprint(s.Err, text) }
