package selfcount

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/probe"
)

// LockWait is how long a run that has used up its own deadline still
// waits for the record's lock: the hosts counted its requests all the
// same, so they are recorded. Uncontended, taking the lock is immediate.
const LockWait = time.Second

// keyOf is the record's key for a group of a probed host: the address as
// dialled and the group's family.
func keyOf(h *probe.Host, g *probe.Group) Key {
	return Key{Host: strings.ToLower(h.Address), Family: Family(g.Product.ApplicationID)}
}

// FromHosts lists the requests of a probe run that reached a host (every
// group with an answer), sent with cmid at now.
func FromHosts(hosts []probe.Host, cmid guid.GUID, now time.Time) []Asked {
	var asked []Asked
	for i := range hosts {
		for j := range hosts[i].Groups {
			if g := &hosts[i].Groups[j]; g.Result != nil {
				k := keyOf(&hosts[i], g)
				asked = append(asked, Asked{Host: k.Host, Family: k.Family, CMID: cmid, At: now})
			}
		}
	}
	return asked
}

// Apply sets each answered group's Self to how many of kmsctl's CMIDs its
// host counts for its family (counts, as Record returns them), at least
// 1: the probe itself.
func Apply(hosts []probe.Host, counts map[Key]int) {
	for i := range hosts {
		for j := range hosts[i].Groups {
			if g := &hosts[i].Groups[j]; g.Result != nil {
				g.Self = max(counts[keyOf(&hosts[i], g)], 1)
			}
		}
	}
}

// Recorder records the probes of a long-running process (kmsctl
// exporter) without writing the file on every probe: a host and family
// already recorded with the same CMID less than Refresh ago is not
// written again (the host's window is 30 days; an hour more or less does
// not change what it counts), and its last count is used. Safe for
// concurrent use.
type Recorder struct {
	Dir     string        // the state directory
	Refresh time.Duration // how often one host and family is written again

	mu   sync.Mutex
	last map[Key]recorded
}

type recorded struct {
	at    time.Time
	cmid  guid.GUID
	count int
}

// maxRemembered bounds the Recorder's memory of what it wrote; past it,
// everything is written again once.
const maxRemembered = 100000

// Record records the answered groups of hosts, asked with cmid at now,
// and sets their Self (see Apply). On error the groups keep Self 1 and
// the error is returned. The file is read and written outside the
// Recorder's own lock (the record's file lock serialises writers), so a
// write never holds up probes whose hosts need none; two probes of a
// host due at once may both write it, which changes nothing.
func (r *Recorder) Record(ctx context.Context, hosts []probe.Host, cmid guid.GUID, now time.Time) error {
	asked := FromHosts(hosts, cmid, now)
	r.mu.Lock()
	if r.last == nil || len(r.last) > maxRemembered {
		r.last = map[Key]recorded{}
	}
	var due []Asked
	for _, a := range asked {
		l, ok := r.last[Key{a.Host, a.Family}]
		if !ok || l.cmid != cmid || now.Sub(l.at) >= r.Refresh || now.Before(l.at) {
			due = append(due, a)
		}
	}
	r.mu.Unlock()
	var err error
	if len(due) > 0 {
		var written map[Key]int
		written, err = Record(ctx, r.Dir, now, due)
		if err == nil {
			r.mu.Lock()
			for k, n := range written {
				r.last[k] = recorded{at: now, cmid: cmid, count: n}
			}
			r.mu.Unlock()
		}
	}
	counts := make(map[Key]int, len(asked))
	r.mu.Lock()
	for _, a := range asked {
		k := Key{a.Host, a.Family}
		counts[k] = r.last[k].count
	}
	r.mu.Unlock()
	Apply(hosts, counts)
	return err
}
