package discovery

import (
	"context"
	"strconv"
	"strings"

	"github.com/kmsctl/kmsctl/clock"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/limit"
)

// FirstAnswering calls try for each address in turn until one returns nil,
// as a Windows client fails over between the hosts DNS gave it, and
// returns that address and every attempt. try should bound its own time
// per host (for example with context.WithTimeout) so that a stalled host
// leaves time for the next; FirstAnswering stops when ctx ends.
//
// When no host answers, the error is an *Error with code 0xC004F074 whose
// Tried field (and message) lists every host tried and why it failed; it
// unwraps to ErrNoHost and, when the context ended, to the context's error.
// Attempt durations are measured with the real clock.
func FirstAnswering(ctx context.Context, hosts []string, try func(ctx context.Context, addr string) error) (addr string, tried []Attempt, err error) {
	clk := clock.Real{}
	for _, h := range hosts {
		if ended(ctx, clk) != nil {
			break
		}
		start := clk.Now()
		err := try(ctx, h)
		a := Attempt{Name: h, Type: "KMS", Result: "ok", Duration: clk.Now().Sub(start)}
		if err != nil {
			a.Result, a.Err = "failed", err
		}
		tried = append(tried, a)
		if err == nil {
			return h, tried, nil
		}
	}
	return "", tried, &Error{HRESULT: hresult.NoKMSHost, Op: "find a KMS host that answers", Tried: tried,
		Err: &noHost{tried: tried, total: len(hosts), ctxErr: ended(ctx, clk)}}
}

// ended is ctx's error, or DeadlineExceeded once its deadline has passed
// (a socket deadline set from it can fire before ctx notices).
func ended(ctx context.Context, clk clock.Clock) error {
	if err := limit.Cause(ctx); err != nil {
		return err
	}
	if d, ok := ctx.Deadline(); ok && !clk.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return nil
}

// noHost says which hosts were tried and why each failed. It deliberately
// does not unwrap to the hosts' own errors, so that the code reported is
// 0xC004F074, as Windows reports when every candidate failed.
type noHost struct {
	tried  []Attempt
	total  int
	ctxErr error
}

func (e *noHost) Error() string {
	var b strings.Builder
	b.WriteString(ErrNoHost.Error())
	switch {
	case e.total == 0:
		b.WriteString(": no host to try")
		return b.String()
	case len(e.tried) < e.total:
		b.WriteString(" (tried " + strconv.Itoa(len(e.tried)) + " of " + strconv.Itoa(e.total))
		if e.ctxErr != nil {
			b.WriteString(" before the deadline")
		}
		b.WriteString(")")
	}
	for i, a := range e.tried {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(a.Name)
		if a.Err != nil {
			b.WriteString(" (" + a.Err.Error() + ")")
		}
	}
	return b.String()
}

func (e *noHost) Unwrap() []error {
	if e.ctxErr != nil {
		return []error{ErrNoHost, e.ctxErr}
	}
	return []error{ErrNoHost}
}
