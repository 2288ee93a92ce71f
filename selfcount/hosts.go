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
// not change what it counts), and its last count is used. Probes that do
// need writing while a write is under way join one batch, written next
// in one go (group commit): when the exporter starts with 1,000 hosts to
// record, a few writes record them, not 1,000 in a row with every probe
// waiting its turn at the file lock. Safe for concurrent use.
type Recorder struct {
	Dir     string        // the state directory
	Refresh time.Duration // how often one host and family is written again

	mu    sync.Mutex // guards last and next
	last  map[Key]recorded
	next  *batch     // the batch new entries join; nil: none open
	write sync.Mutex // one write of the record at a time
}

// batch is entries of several probes written together. The probe that
// opened it writes it; the others wait for done.
type batch struct {
	asked []Asked
	done  chan struct{}
	err   error // set before done is closed
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
// the error is returned. A probe whose hosts are recorded already does
// not wait for any write; one that needs writing joins the open batch,
// or opens one and writes it once the write before it is done.
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
	var b *batch
	lead := false
	if len(due) > 0 {
		if b = r.next; b == nil {
			b, lead = &batch{done: make(chan struct{})}, true
			r.next = b
		}
		b.asked = append(b.asked, due...)
	}
	r.mu.Unlock()
	var err error
	switch {
	case lead:
		err = r.flush(ctx, b)
	case b != nil:
		select {
		case <-b.done:
			err = b.err
		case <-ctx.Done():
			err = context.Cause(ctx)
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

// flush writes b once the write before it is done, closing it to new
// entries then; the counts it learns replace the remembered ones.
func (r *Recorder) flush(ctx context.Context, b *batch) error {
	defer close(b.done)
	r.write.Lock()
	defer r.write.Unlock()
	r.mu.Lock()
	if r.next == b {
		r.next = nil // later entries open the next batch
	}
	asked := b.asked
	r.mu.Unlock()
	var now time.Time // the latest of the batch's times
	for _, a := range asked {
		if a.At.After(now) {
			now = a.At
		}
	}
	counts, err := Record(ctx, r.Dir, now, asked)
	b.err = err
	if err != nil {
		return err
	}
	r.mu.Lock()
	for _, a := range asked {
		k := Key{a.Host, a.Family}
		if n, ok := counts[k]; ok {
			r.last[k] = recorded{at: a.At, cmid: a.CMID, count: n}
		}
	}
	r.mu.Unlock()
	return nil
}
