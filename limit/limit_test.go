package limit

import (
	"context"
	"errors"
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
