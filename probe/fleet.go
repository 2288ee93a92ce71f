package probe

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/kmsctl/kmsctl/clock"
	"github.com/kmsctl/kmsctl/kmsaddr"
	"github.com/kmsctl/kmsctl/limit"
)

// DefaultConcurrency is how many hosts are probed at once by default. A
// probe is a few round trips of a few hundred bytes and waits on the network
// almost all the time, so many run at once even on two cores (1,000 hosts in
// 0.4 s here); the bound keeps file descriptors and memory modest for fleets
// of thousands. It is a constant so documentation does not vary by machine.
const DefaultConcurrency = 64

// ErrNotProbed is the Err of a host Fleet did not ask because the run was
// interrupted first (its context's cause limit.ErrInterrupted, which it
// matches with errors.Is).
var ErrNotProbed error = limit.Interruption("not probed: the run was interrupted first")

// ErrCutShort is the Err of a host (or group) whose probe was under way
// when the run was interrupted (limit.ErrInterrupted, which it matches):
// whatever the connection
// said then (a timeout, a closed connection) is not the host's doing.
var ErrCutShort error = limit.Interruption("interrupted while it was being probed")

// cutShort gives the failures of h, probed while the run was interrupted,
// their real cause. Answers that came back stand.
func cutShort(h *Host) {
	if h.Err != nil {
		h.Err = ErrCutShort
	}
	for j := range h.Groups {
		if h.Groups[j].Err != nil {
			h.Groups[j].Err = ErrCutShort
		}
	}
}

// LimitError is the Err of a host (or group) the run's own time limit
// stopped, not the host's --timeout: never asked, because the limit (status
// --deadline, or the bound Survey.Limit makes of --timeout without one)
// ran out before the host's turn (Started false); or cut short by
// --deadline (a limit.Deadline) while it was being asked (Started true;
// Err is what the connection said then). The bound made of --timeout
// stops no host before its own --timeout would, so a host it stops keeps
// its own failure. It matches context.DeadlineExceeded and Limit with
// errors.Is/As. Either way the host was not given its own time.
type LimitError struct {
	Limit   *limit.Limit
	Started bool
	Err     error // Started: the probe's failure; nil otherwise
}

// Bound names the limit that ran out: "the run's deadline (2s)" for
// --deadline, "the run's time limit (10s)" for the bound made of
// --timeout.
func (e *LimitError) Bound() string {
	if e.Limit.Kind != limit.Deadline {
		return fmt.Sprintf("the run's time limit (%s)", e.Limit.D)
	}
	return fmt.Sprintf("the run's deadline (%s)", e.Limit.D)
}

func (e *LimitError) Error() string {
	what := e.Bound()
	if !e.Started {
		return "not probed: " + what + " ran out before this host's turn"
	}
	return what + " ran out while this host was being probed: " + e.Err.Error()
}

// Unwrap is the run's limit and, when the host was being asked, its
// failure.
func (e *LimitError) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Limit, e.Err}
	}
	return []error{e.Limit}
}

// NotProbed reports whether err is a host Fleet never asked: the run was
// interrupted first (ErrNotProbed) or its time limit ran out before the
// host's turn (a LimitError, not Started).
func NotProbed(err error) bool {
	var le *LimitError
	return errors.Is(err, ErrNotProbed) || errors.As(err, &le) && !le.Started
}

// runOut puts the failures of h that the run's limit l caused (the
// limit in their chain is l, not the host's own) inside a LimitError.
// Answers that came back and failures of the host's own making stand.
func runOut(h *Host, l *limit.Limit) {
	cut := func(err error) error {
		if err != nil && limit.Of(err) == l {
			return &LimitError{Limit: l, Started: true, Err: err}
		}
		return err
	}
	h.Err = cut(h.Err)
	// The groups a lost connection left share its one error (Probe):
	// they share its one LimitError too, so a report says it once.
	var was, is error
	for j := range h.Groups {
		g := &h.Groups[j]
		if g.Err != nil && g.Err == was {
			g.Err = is
			continue
		}
		was = g.Err
		g.Err = cut(g.Err)
		is = g.Err
	}
}

// Unfinished reports whether a run interrupted by Ctrl-C left h without
// its whole answer: not probed (ErrNotProbed), or stopped while it was
// being probed (ErrCutShort, the host's or a group's). Nothing is known
// then of what was not answered: it is neither up nor down.
func (h *Host) Unfinished() bool {
	if errors.Is(h.Err, ErrNotProbed) || errors.Is(h.Err, ErrCutShort) {
		return true
	}
	for j := range h.Groups {
		if errors.Is(h.Groups[j].Err, ErrCutShort) {
			return true
		}
	}
	return false
}

// Fleet asks every host about every target, at most concurrency at a time,
// all under ctx's one deadline, each host within opts.HostTimeout (when
// set) so that hosts that never answer cannot hold every worker until the
// shared deadline. When ctx's deadline is a named limit (limit.With) and
// runs out, the hosts not yet started are not probed, and with
// limit.Deadline the failures it caused in the hosts under way are its
// own, not theirs (LimitError). Results come back in input order.
// progress, when not nil, is called after each host with how many are
// done.
func Fleet(ctx context.Context, hosts []string, targets []Target, who Client, opts Options, concurrency int, progress func(done, total int)) []Host {
	clk := clock.Or(opts.Clock)
	out := make([]Host, len(hosts))
	var done atomic.Int64
	Each(len(hosts), concurrency, func(i int) {
		var skip error
		switch {
		case limit.Interrupted(ctx):
			// Ctrl-C: the hosts not yet started are not probed.
			skip = ErrNotProbed
		case limit.Of(limit.Cause(ctx)) != nil:
			// The run's own limit ran out before this host's turn.
			skip = &LimitError{Limit: limit.Of(limit.Cause(ctx))}
		}
		if skip != nil {
			out[i] = newHost(hosts[i], targets)
			out[i].Err = skip
			n := done.Add(1)
			if progress != nil && skip != ErrNotProbed { // after Ctrl-C the bar is not redrawn
				progress(int(n), len(hosts))
			}
			return
		}
		start := clk.Now()
		hctx, cancel := ctx, context.CancelFunc(func() {})
		if opts.HostTimeout > 0 {
			hctx, cancel = limit.With(ctx, limit.Timeout, opts.HostTimeout)
		}
		out[i] = Probe(hctx, hosts[i], targets, who, opts)
		cancel()
		if limit.Interrupted(ctx) {
			cutShort(&out[i])
		} else if l := limit.Of(limit.Cause(ctx)); l != nil && l.Kind == limit.Deadline {
			// Without --deadline the run's bound is made of --timeout
			// (Survey.Limit): a host it stops has had its own time.
			runOut(&out[i], l)
		}
		out[i].Duration = clk.Now().Sub(start)
		n := done.Add(1)
		if progress != nil {
			progress(int(n), len(hosts))
		}
	})
	return out
}

// HostsFileError is a hosts file that cannot be read (Line 0, Err the
// system's error) or a line of it that is not HOST[:PORT].
type HostsFileError struct {
	Name string
	Line int
	Err  error
}

func (e *HostsFileError) Error() string {
	if errors.Is(e.Err, ErrNoHosts) {
		return fmt.Sprintf("hosts file %s %v", e.Name, e.Err)
	}
	if e.Line == 0 {
		return fmt.Sprintf("read hosts file %s: %v", e.Name, unwrapPath(e.Err))
	}
	return fmt.Sprintf("%s:%d: %v", e.Name, e.Line, e.Err)
}
func (e *HostsFileError) Unwrap() error { return e.Err }

// ErrNoHosts is a hosts file that lists no host: empty, or only blank lines
// and comments. It is an error rather than "probe nothing" or "find hosts
// in DNS instead", which would hide a truncated or mistyped file.
var ErrNoHosts = errors.New("lists no host: it is empty or has only blank lines and comments")

// maxHostsFileLine bounds one line of a hosts file.
const maxHostsFileLine = 4096

// What ReadHostsFile says of a file that is not text, or not UTF-8/UTF-16.
var (
	errLineTooLong = fmt.Errorf("a line is longer than %d bytes: is it a text file with one HOST[:PORT] per line?", maxHostsFileLine)
	errNotUTF8     = errors.New("not UTF-8 text: save the file as UTF-8 (or UTF-16 with a byte order mark)")
)

// ReadHostsFile reads one HOST[:PORT] per line; blank lines and text after
// # are ignored, and so is a UTF-8 byte order mark at the start (Windows
// Notepad writes one); after a UTF-16 byte order mark the file is read as
// UTF-16 (Windows PowerShell 5.1's > writes it). Every address is checked before any host is probed;
// a file that lists no host is ErrNoHosts.
func ReadHostsFile(name string, r io.Reader) ([]string, error) {
	var hosts []string
	// A byte order mark picks the encoding: UTF-16 is what Windows
	// PowerShell 5.1's > writes; without one the file is UTF-8.
	sc := bufio.NewScanner(transform.NewReader(r, unicode.BOMOverride(unicode.UTF8.NewDecoder())))
	sc.Buffer(make([]byte, 0, 256), maxHostsFileLine)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if n == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if strings.ContainsRune(line, utf8.RuneError) {
			// The decoder's stand-in for bytes that are not UTF-8 (a
			// Latin-1 é): say so rather than quote the stand-in.
			return nil, &HostsFileError{name, n, errNotUTF8}
		}
		if _, err := kmsaddr.Parse(line); err != nil {
			return nil, &HostsFileError{name, n, err}
		}
		hosts = append(hosts, line)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = errLineTooLong
		}
		return nil, &HostsFileError{Name: name, Err: unwrapPath(err)}
	}
	if len(hosts) == 0 {
		return nil, &HostsFileError{Name: name, Err: ErrNoHosts}
	}
	return hosts, nil
}

// Duplicate is a host given more than once: First is how it was written
// the first time, Again how it was written again (kms and kms:1688 are the
// same host).
type Duplicate struct{ First, Again string }

// Unique drops every host that names the same HOST:PORT as an earlier one
// (after kmsaddr.Parse: default port, brackets), keeping the first, so that
// no host is probed or counted twice. Hosts kmsaddr.Parse refuses are kept
// as they are, for the caller to report.
func Unique(hosts []string) ([]string, []Duplicate) {
	return UniqueBy(hosts, kmsaddr.Parse)
}

// UniqueBy is Unique with another rule for what names one host: key gives
// the HOST:PORT a host stands for (compared without case), or an error for
// a host kept as written. client dli uses the WinRM port's rule.
func UniqueBy(hosts []string, key func(string) (string, error)) ([]string, []Duplicate) {
	seen := make(map[string]string, len(hosts))
	var out []string
	var dups []Duplicate
	for _, h := range hosts {
		k, err := key(h)
		if err == nil {
			k = strings.ToLower(k)
			if first, ok := seen[k]; ok {
				dups = append(dups, Duplicate{first, h})
				continue
			}
			seen[k] = h
		}
		out = append(out, h)
	}
	return out, dups
}

// unwrapPath drops an *fs.PathError's "op path:" words, which
// HostsFileError says already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Err != nil {
		return pe.Err
	}
	return err
}
