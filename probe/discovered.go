package probe

import (
	"context"
	"strconv"
	"strings"

	"github.com/kmsctl/kmsctl/discovery"
)

// Found is one host a _vlmcs._tcp lookup found: an address of a target,
// or a target without one.
type Found struct {
	Name string // the record's target:port, as reports show it
	Addr string // the address to ask, IP:port; "" when the target has none
	Err  error  // why the target has no address (a *discovery.Error)
}

// FoundHosts lists the hosts of r in its order: each address of each
// target, and each target without an address; at most limit (0: all).
func FoundHosts(r *discovery.Result, limit int) []Found {
	var all []Found
	for i := range r.Hosts {
		h := &r.Hosts[i]
		name := strings.TrimSuffix(h.Target, ".") + ":" + strconv.Itoa(int(h.Port))
		addrs := h.Addresses()
		if len(addrs) == 0 {
			all = append(all, Found{Name: name, Err: h.Err})
		}
		for _, a := range addrs {
			all = append(all, Found{Name: name, Addr: a})
		}
	}
	if limit > 0 && len(all) > limit {
		all = all[:limit]
	}
	return all
}

// Discovered asks every found host with Fleet. Each result's Host is the
// record's target:port and its Address the address asked. A target
// without an address is not probed but reported with its DNS failure
// (Unasked): asking the system's resolver might not reach the DNS server
// the lookup used.
func Discovered(ctx context.Context, found []Found, targets []Target, who Client, opts Options, concurrency int, progress func(done, total int)) []Host {
	var todo []string
	for _, f := range found {
		if f.Addr != "" {
			todo = append(todo, f.Addr)
		}
	}
	asked := Fleet(ctx, todo, targets, who, opts, concurrency, progress)
	out := make([]Host, len(found))
	for i, f := range found {
		if f.Addr == "" {
			out[i] = Unasked(f.Name, targets, f.Err)
			continue
		}
		out[i], asked = asked[0], asked[1:]
		out[i].Host, out[i].Address = f.Name, f.Addr
	}
	return out
}
