// Package limit names the time limits a run is bounded by, so that a
// failure can say which one ran out: the caller bounds a context with With,
// the code that notices the context ended keeps context.Cause(ctx) as its
// error's cause, and whoever explains the failure finds the *Limit there
// with errors.As.
package limit

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Kind is which limit.
type Kind int

// The limits kmsctl sets.
const (
	// Timeout bounds one host, or a command with one host (status,
	// ato, renew, dns check: --timeout).
	Timeout Kind = iota + 1
	// Deadline bounds a whole run of many hosts (status, dns check:
	// --deadline).
	Deadline
	// DNSQuery bounds one exchange with one DNS server.
	DNSQuery
)

// DefaultTimeout is the Timeout one KMS host gets unless --timeout says
// otherwise (status, dns check, ato, renew, and a license.Client without
// one): kmsctl's choice, a few round trips of a slow WAN link.
const DefaultTimeout = 5 * time.Second

// ErrInterrupted is the cause a command cancels its context with when the
// user interrupts the run (Ctrl-C, SIGINT). It is no limit, but the other
// reason a run stops early: kept beside the limits so that the code that
// notices a context ended can tell "the user stopped it" from "time ran
// out" (context.Cause), and report neither as the host's doing.
var ErrInterrupted = errors.New("interrupted (Ctrl-C)")

// Interrupted reports whether ctx ended because the user interrupted the
// run: its cause is ErrInterrupted.
func Interrupted(ctx context.Context) bool {
	return errors.Is(context.Cause(ctx), ErrInterrupted)
}

// Interruption is an error that stands for ErrInterrupted (errors.Is)
// while saying more about what it stopped: probe's "not probed" and "cut
// short" hosts.
type Interruption string

func (e Interruption) Error() string { return string(e) }

// Is makes an Interruption match ErrInterrupted.
func (Interruption) Is(target error) bool { return target == ErrInterrupted }

// Limit is a time limit that ran out. It matches context.DeadlineExceeded
// with errors.Is, as the context error it stands for.
type Limit struct {
	Kind Kind
	D    time.Duration
}

func (l *Limit) Error() string {
	what := map[Kind]string{Timeout: "time limit", Deadline: "deadline of the whole run", DNSQuery: "limit of one DNS query"}[l.Kind]
	if what == "" {
		what = "time limit"
	}
	return fmt.Sprintf("the %s (%s) ran out", what, l.D)
}

// Is makes a Limit match context.DeadlineExceeded.
func (l *Limit) Is(target error) bool { return target == context.DeadlineExceeded }

// With bounds ctx by d and names the limit, for Of to find.
func With(ctx context.Context, kind Kind, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(ctx, d, &Limit{Kind: kind, D: d})
}

// Cause is why ctx ended: its *Limit when a limit ran out, else ctx's own
// error; nil while ctx is live. A deadline that has passed counts as ended
// even if ctx's timer has not fired yet (a connection's deadline, set from
// ctx's, can fire first): Cause then waits for it.
func Cause(ctx context.Context) error {
	if ctx.Err() == nil {
		d, ok := ctx.Deadline()
		if !ok || time.Now().Before(d) {
			return nil
		}
		<-ctx.Done()
	}
	return context.Cause(ctx)
}

// Of returns the limit that ran out in err's chain, or nil.
func Of(err error) *Limit {
	var l *Limit
	if errors.As(err, &l) {
		return l
	}
	return nil
}
