// Package probe asks KMS hosts for their activation count: one request per
// product group over one connection, from the user's one persistent client
// identity, so that watching a host never adds to its count.
package probe

import (
	"context"
	"errors"
	"time"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/clock"
	"github.com/kmsctl/kmsctl/kmsaddr"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/kmsrequest"
)

// Target is one product group to ask about.
type Target struct {
	Product  catalogue.Product
	Protocol int // 4, 5 or 6; 0 means the product's own
}

// Client is who the probe claims to be.
type Client = kmsrequest.Client

// Options configure a probe.
type Options struct {
	Clock clock.Clock
	Conn  kmsclient.Options
	// HostTimeout bounds each host of a Fleet; zero means only the
	// caller's deadline applies.
	HostTimeout time.Duration
}

// Group is the answer for one product group.
type Group struct {
	Product  catalogue.Product
	Protocol int
	Result   *kmsclient.Result // nil when Err is set
	Err      error
	// Self is how many of kmsctl's own client machine IDs the host's
	// count includes. A KMS host counts every client that asked within
	// 30 days, the one asking included, so a group that answered counts
	// this probe: Probe sets 1. The caller raises it from its record of
	// what this kmsctl asked before (an older CMID, replaced by rearm,
	// stays counted for 30 days). 0 when the group has no count.
	Self int
	// CountSelf grades the group on the host's raw count, kmsctl's own
	// clients included (status --count-self), instead of on Others.
	CountSelf bool
}

// Others is the host's count without kmsctl's own clients: how many other
// machines the host counts. 0 when the group has no count.
func (g *Group) Others() uint32 {
	if g.Err != nil || g.Result == nil {
		return 0
	}
	c, self := g.Result.Count, uint32(max(g.Self, 0))
	if self > c {
		return 0 // an emulator's fixed count need not include anyone
	}
	return c - self
}

// Graded is the figure the group is judged on: Others, or the raw count
// with CountSelf.
func (g *Group) Graded() uint32 {
	switch {
	case g.Err != nil || g.Result == nil:
		return 0
	case g.CountSelf:
		return g.Result.Count
	}
	return g.Others()
}

// BelowThreshold reports whether the host answered with a count under the
// product's threshold once kmsctl's own clients are left out (or, with
// CountSelf, counted): a client of this product would not be activated
// without kmsctl's own request.
func (g *Group) BelowThreshold() bool {
	return g.Err == nil && g.Result != nil && !kmsclient.ThresholdReached(int64(g.Graded()), int64(g.Product.Threshold))
}

// DependsOnSelf reports whether the host meets the group's threshold only
// because it counts kmsctl itself: activation stops when the monitoring
// stops.
func (g *Group) DependsOnSelf() bool {
	return g.Err == nil && g.Result != nil && g.Self > 0 &&
		kmsclient.ThresholdReached(int64(g.Result.Count), int64(g.Product.Threshold)) &&
		!kmsclient.ThresholdReached(int64(g.Others()), int64(g.Product.Threshold))
}

// Host is the answer of one host.
type Host struct {
	Host    string // as the user wrote it
	Address string // host:port dialled
	Remote  string // resolved remote address, when connected
	Err     error  // the host could not be reached or bound; Groups then carry no results
	Groups  []Group
	// Duration is the whole probe of this host, when run by Fleet.
	Duration time.Duration
}

// Outcome grades a probe; larger is worse.
type Outcome int

// Outcomes, in the order "the worst wins".
const (
	OK     Outcome = iota // every group answered at or above its threshold
	Below                 // some group answered below its threshold
	Failed                // the host or a group failed
)

// Outcome grades the host's answers.
func (h *Host) Outcome() Outcome {
	if h.Err != nil {
		return Failed
	}
	o := OK
	for i := range h.Groups {
		g := &h.Groups[i]
		switch {
		case g.Err != nil:
			return Failed
		case g.BelowThreshold():
			o = Below
		}
	}
	return o
}

// Probe asks one host about every target over one connection.
func Probe(ctx context.Context, host string, targets []Target, who Client, opts Options) Host {
	clk := clock.Or(opts.Clock)
	if opts.Conn.Clock == nil {
		opts.Conn.Clock = clk
	}
	h := newHost(host, targets)
	addr, err := kmsaddr.Parse(host)
	if err != nil {
		h.Err = err
		return h
	}
	h.Address = addr
	conn, err := kmsclient.Dial(ctx, addr, opts.Conn)
	if err != nil {
		h.Err = err
		return h
	}
	defer conn.Close()
	h.Remote = conn.RemoteAddr()
	for i := range h.Groups {
		g := &h.Groups[i]
		req := kmsrequest.New(g.Product, g.Protocol, who, clk)
		g.Result, g.Err = conn.Activate(ctx, req)
		if g.Err == nil {
			g.Self = 1 // the host counts the client asking
		}
		if g.Err != nil && isConnectionLevel(g.Err) {
			// The host is gone; the remaining groups cannot be asked.
			for j := i + 1; j < len(h.Groups); j++ {
				h.Groups[j].Err = g.Err
			}
			break
		}
	}
	return h
}

// Unasked is the result for a host that could not be asked at all, for a
// reason found before any probe (a discovered target that does not
// resolve): err, and the groups it would have been asked about.
func Unasked(host string, targets []Target, err error) Host {
	h := newHost(host, targets)
	h.Err = err
	return h
}

// newHost is host's result before it is asked: one group per target.
func newHost(host string, targets []Target) Host {
	h := Host{Host: host, Groups: make([]Group, len(targets))}
	for i, t := range targets {
		h.Groups[i] = Group{Product: t.Product, Protocol: t.Protocol}
		if h.Groups[i].Protocol == 0 {
			h.Groups[i].Protocol = t.Product.Protocol
		}
	}
	return h
}

// isConnectionLevel reports whether err ended the association, so asking
// about further groups is pointless: anything but a kmsclient.Error the
// host answered with.
func isConnectionLevel(err error) bool {
	var e *kmsclient.Error
	return !errors.As(err, &e) || e.Unreachable()
}
