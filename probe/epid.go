package probe

import (
	"context"
	"time"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/limit"
)

// EPID asks the host at addr once, as who, about the first product group
// of catalogue.DefaultProbe, within timeout (a limit.Timeout), and returns
// the ePID it answered with: how dns check tells that a published host
// really is a KMS host. The error is the host's, or the group's when the
// host answered with a failure.
func EPID(ctx context.Context, addr string, who Client, opts Options, timeout time.Duration) (string, error) {
	ctx, cancel := limit.With(ctx, limit.Timeout, timeout)
	defer cancel()
	h := Probe(ctx, addr, []Target{{Product: catalogue.DefaultProbe()[0]}}, who, opts)
	if h.Err != nil {
		return "", h.Err
	}
	g := h.Groups[0]
	if g.Err != nil {
		return "", g.Err
	}
	return g.Result.EPID, nil
}
