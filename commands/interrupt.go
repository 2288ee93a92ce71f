package commands

import (
	"context"
	"os"
	"os/signal"

	"github.com/kmsctl/kmsctl/limit"
)

// interruptible is ctx ended, with the cause limit.ErrInterrupted, by the
// first Ctrl-C (SIGINT), and the function that stops listening for it.
// While it listens SIGINT does not kill kmsctl, even one started with
// SIGINT ignored (a background job of a script): Go's signal.Notify
// enables it again. status, ato and renew all stop through it.
func interruptible(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	done := make(chan struct{})
	go func() {
		select {
		case <-sig:
			cancel(limit.ErrInterrupted)
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sig)
		close(done)
		cancel(nil)
	}
}
