package probe

import (
	"context"
	"strconv"
	"strings"

	"github.com/kmsctl/kmsctl/discovery"
)

// Discovered asks every host a _vlmcs._tcp lookup found, each address of
// each target as its own host, at most limit addresses (0: no limit),
// with Fleet. Each result's Host is the record's target:port and its
// Address the address asked; a target without an address is not probed
// but reported with its DNS failure (Unasked), since asking the system's
// resolver might not reach the DNS server the lookup used.
func Discovered(ctx context.Context, r *discovery.Result, limit int, targets []Target, who Client, opts Options, concurrency int, progress func(done, total int)) []Host {
	type entry struct {
		name, addr string
		err        error
	}
	var all []entry
	for i := range r.Hosts {
		h := &r.Hosts[i]
		name := strings.TrimSuffix(h.Target, ".") + ":" + strconv.Itoa(int(h.Port))
		addrs := h.Addresses()
		if len(addrs) == 0 {
			all = append(all, entry{name: name, err: h.Err})
		}
		for _, a := range addrs {
			all = append(all, entry{name: name, addr: a})
		}
	}
	if limit > 0 && len(all) > limit {
		all = all[:limit]
	}
	var todo []string
	for _, e := range all {
		if e.addr != "" {
			todo = append(todo, e.addr)
		}
	}
	asked := Fleet(ctx, todo, targets, who, opts, concurrency, progress)
	out := make([]Host, len(all))
	for i, e := range all {
		if e.addr == "" {
			out[i] = Unasked(e.name, targets, e.err)
			continue
		}
		out[i], asked = asked[0], asked[1:]
		out[i].Host, out[i].Address = e.name, e.addr
	}
	return out
}
