package limit

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestCauseNamesTheLimitThatRanOut(t *testing.T) {
	run, cancel := With(context.Background(), Deadline, time.Millisecond)
	defer cancel()
	host, cancel2 := With(run, Timeout, time.Hour)
	defer cancel2()
	<-host.Done()
	l := Of(Cause(host))
	if l == nil || l.Kind != Deadline {
		t.Fatalf("Cause = %v, want the run's deadline", Cause(host))
	}
	if !errors.Is(l, context.DeadlineExceeded) {
		t.Error("a Limit must match context.DeadlineExceeded")
	}
	if Cause(context.Background()) != nil {
		t.Error("a live context has no cause")
	}
}

// An Interruption matches ErrInterrupted, keeps its own identity, and
// Interrupted tells a context the user stopped from one whose time ran out.
func TestInterruption(t *testing.T) {
	notProbed := error(Interruption("not probed"))
	if !errors.Is(notProbed, ErrInterrupted) || !errors.Is(fmt.Errorf("host: %w", notProbed), ErrInterrupted) {
		t.Error("an Interruption does not match ErrInterrupted")
	}
	if errors.Is(notProbed, context.DeadlineExceeded) || errors.Is(ErrInterrupted, notProbed) || notProbed.Error() != "not probed" {
		t.Errorf("Interruption matches too much: %v", notProbed)
	}
	stopped, cancel := context.WithCancelCause(context.Background())
	cancel(ErrInterrupted)
	timed, cancel2 := context.WithTimeout(context.Background(), 0)
	defer cancel2()
	<-timed.Done()
	if !Interrupted(stopped) || Interrupted(timed) || Interrupted(context.Background()) {
		t.Error("Interrupted does not tell Ctrl-C from a deadline")
	}
}
