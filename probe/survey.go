package probe

import (
	"context"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/discovery"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/limit"
)

// Survey is one run over a fleet, as status makes it: the hosts named
// (arguments and a hosts file) or, when none is, the hosts DNS publishes;
// what to ask each; and how many to ask at once. Its zero value asks
// nothing.
type Survey struct {
	Hosts       []string // the hosts named, unique (Named); none: find them in DNS
	Domain      string   // with no Hosts: the domain of the _vlmcs._tcp records
	Targets     []Target
	Options     Options // Options.HostTimeout bounds each host and the DNS lookup
	Concurrency int     // hosts asked at once; < 1 means DefaultConcurrency
	// Deadline bounds the whole run (--deadline); 0 means enough for every
	// host to time out once, worker by worker.
	Deadline time.Duration
	Progress func(done, total int) // after each host; may be nil

	found []Found // what Discover found, in its order
}

// Named is the hosts given as arguments and in the hosts file hostsFile
// ("" none, "-" stdin), with the ones named twice (or by two spellings of
// one address) listed once and reported in dups. Each host is still to be
// checked with kmsaddr.Parse. The error is a *HostsFileError.
func Named(args []string, hostsFile string, stdin io.Reader) (hosts []string, dups []Duplicate, err error) {
	hosts = args
	if hostsFile != "" {
		more, err := OpenHostsFile(hostsFile, stdin)
		if err != nil {
			return nil, nil, err
		}
		hosts = append(hosts, more...)
	}
	hosts, dups = Unique(hosts)
	return hosts, dups, nil
}

// Targets is the product groups to ask about: each of names looked up in
// the catalogue (catalogue.Lookup: a name, SKU ID, GVLK or an unambiguous
// part of a name), or catalogue.DefaultProbe when names is empty, asked in
// KMS protocol version protocol (0: each product's own). A product named
// twice is asked once and listed in again. The error is Lookup's for the
// first unknown name; again then holds the repeats before it.
func Targets(names []string, protocol int) (targets []Target, again []catalogue.Product, err error) {
	var ps []catalogue.Product
	if len(names) == 0 {
		ps = catalogue.DefaultProbe()
	}
	seen := map[guid.GUID]bool{}
	for _, name := range names {
		p, err := catalogue.Lookup(name)
		if err != nil {
			return targets, again, err
		}
		if seen[p.SKUID] {
			again = append(again, p)
			continue
		}
		seen[p.SKUID] = true
		ps = append(ps, p)
	}
	for _, p := range ps {
		targets = append(targets, Target{Product: p, Protocol: protocol})
	}
	return targets, again, nil
}

// OpenHostsFile reads the hosts file name (as ReadHostsFile does); "-"
// reads stdin. Every error is a *HostsFileError naming the file.
func OpenHostsFile(name string, stdin io.Reader) ([]string, error) {
	if name == "-" {
		return ReadHostsFile("(standard input)", stdin)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, &HostsFileError{Name: name, Err: err}
	}
	defer f.Close()
	return ReadHostsFile(name, f)
}

// Discover finds the hosts of s.Domain in DNS (its _vlmcs._tcp SRV
// records, through opts) within Options.HostTimeout, and makes them the
// hosts s asks, each named by its record's target:port. The error is
// discovery's.
func (s *Survey) Discover(ctx context.Context, opts discovery.Options) error {
	ctx, cancel := limit.With(ctx, limit.Timeout, s.Options.HostTimeout)
	defer cancel()
	r, err := discovery.Discover(ctx, s.Domain, opts)
	if err != nil {
		return err
	}
	s.found = FoundHosts(r, 0)
	for _, f := range s.found {
		s.Hosts = append(s.Hosts, f.Name)
	}
	return nil
}

// Limit is the run's bound and which limit it is: Deadline when set,
// else enough for every host to time out once, worker by worker
// (limit.Timeout, from which it is made).
func (s *Survey) Limit() (limit.Kind, time.Duration) {
	if s.Deadline > 0 {
		return limit.Deadline, s.Deadline
	}
	n := s.concurrency()
	rounds := (len(s.Hosts) + n - 1) / n
	return limit.Timeout, time.Duration(max(rounds, 1)) * s.Options.HostTimeout
}

func (s *Survey) concurrency() int {
	if s.Concurrency < 1 {
		return DefaultConcurrency
	}
	return s.Concurrency
}

// Run asks every host, named or found, as who, at most Concurrency at a
// time, in one worker pool, under ctx; results keep the input order (a
// found target without an address is reported, not asked: Discovered).
// When ctx ends with the cause limit.ErrInterrupted (Ctrl-C) the probes
// under way end cut short (ErrCutShort), the rest are not started
// (ErrNotProbed), and limit.Interrupted(ctx) tells the caller.
func (s *Survey) Run(ctx context.Context, who Client) []Host {
	if s.found != nil {
		return Discovered(ctx, s.found, s.Targets, who, s.Options, s.Concurrency, s.Progress)
	}
	return Fleet(ctx, s.Hosts, s.Targets, who, s.Options, s.Concurrency, s.Progress)
}

// Each runs fn(0) … fn(count-1) in at most n goroutines at once (n < 1:
// DefaultConcurrency) and waits for all: the one worker pool of a fleet
// run, for the probes (Fleet) and for what is read from each host beside
// them (WMI counters, client states).
func Each(count, n int, fn func(i int)) {
	if n < 1 {
		n = DefaultConcurrency
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(n, count) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < count; i = int(next.Add(1) - 1) {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// Warn adds warning to every group of hosts that answered (shown with its
// result, as in JSON's warnings).
func Warn(hosts []Host, warning string) {
	for i := range hosts {
		for j := range hosts[i].Groups {
			if r := hosts[i].Groups[j].Result; r != nil {
				r.Warnings = append(r.Warnings, warning)
			}
		}
	}
}

// SetCountSelf makes every group of hosts graded on the raw count,
// kmsctl's own clients included (countSelf), or on the others only.
func SetCountSelf(hosts []Host, countSelf bool) {
	for i := range hosts {
		for j := range hosts[i].Groups {
			hosts[i].Groups[j].CountSelf = countSelf
		}
	}
}
