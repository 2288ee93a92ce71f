package license

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kmsctl/kmsctl/clock"
	"github.com/kmsctl/kmsctl/identity"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/kmsclient/kmstest"
)

// failingReader fails every read: identity.Rotate then cannot make a CMID.
type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("no randomness") }

// activatedWithIdentity is an installed, activated store with a client
// identity, and that identity.
func activatedWithIdentity(t *testing.T) (Store, identity.Identity) {
	t.Helper()
	s := installedStore(t)
	if _, err := s.Update(context.Background(), func(st *State) ([]Attempt, error) {
		st.LastSuccess, st.LastAttempt = ok(t0), ok(t0)
		return nil, nil
	}); err != nil {
		t.Fatal(err)
	}
	id, err := identity.Load(context.Background(), s.Dir(), identityOpts())
	if err != nil {
		t.Fatal(err)
	}
	return s, id
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A rearm whose license.json cannot be written changes nothing: the CMID is
// not rotated without the rearm being counted.
func TestRearm_LicenseWriteFails(t *testing.T) {
	s, id := activatedWithIdentity(t)
	licBefore := readFile(t, s.Path())
	idBefore := readFile(t, filepath.Join(s.Dir(), identity.FileName))
	writeFile = func(string, []byte) error { return errors.New("disk full") }
	t.Cleanup(func() { writeFile = defaultWriteFile })

	_, _, err := s.Rearm(context.Background(), identityOpts(), t0.Add(day))
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Rearm = %v", err)
	}
	if got := readFile(t, filepath.Join(s.Dir(), identity.FileName)); !bytes.Equal(got, idBefore) {
		t.Fatalf("identity.json changed although the rearm was not recorded:\n%s", got)
	}
	if got, _, _ := identity.Peek(s.Dir()); got.CMID != id.CMID {
		t.Fatalf("CMID rotated to %s", got.CMID)
	}
	if got := readFile(t, s.Path()); !bytes.Equal(got, licBefore) {
		t.Fatalf("license.json changed:\n%s", got)
	}
}

// A rearm whose CMID cannot be rotated puts license.json back: the rearm is
// not counted, the activation is kept.
func TestRearm_RotateFails(t *testing.T) {
	s, id := activatedWithIdentity(t)
	licBefore := readFile(t, s.Path())
	opts := identityOpts()
	opts.Rand = failingReader{}

	st, _, err := s.Rearm(context.Background(), opts, t0.Add(day))
	if err == nil || !strings.Contains(err.Error(), "no randomness") {
		t.Fatalf("Rearm = %v", err)
	}
	if got, _, _ := identity.Peek(s.Dir()); got.CMID != id.CMID || !got.PreviousCMID.IsZero() {
		t.Fatalf("identity changed: %+v", got)
	}
	if got := readFile(t, s.Path()); !bytes.Equal(got, licBefore) {
		t.Fatalf("license.json not put back:\n%s", got)
	}
	if st.RearmsUsed != 0 || st.LastSuccess == nil {
		t.Fatalf("returned state %+v", st)
	}

	// If license.json cannot be put back either, the rearm stays counted
	// with the old CMID (never the reverse), and the error says so.
	writes := 0
	writeFile = func(path string, data []byte) error {
		if writes++; writes > 1 {
			return errors.New("disk full")
		}
		return defaultWriteFile(path, data)
	}
	t.Cleanup(func() { writeFile = defaultWriteFile })
	_, _, err = s.Rearm(context.Background(), opts, t0.Add(day))
	if err == nil || !strings.Contains(err.Error(), "no randomness") || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Rearm = %v", err)
	}
	writeFile = defaultWriteFile
	if got, _ := s.Load(); got.RearmsUsed != 1 {
		t.Fatalf("rearms used %d, want 1", got.RearmsUsed)
	}
	if got, _, _ := identity.Peek(s.Dir()); got.CMID != id.CMID {
		t.Fatalf("identity changed: %+v", got)
	}
	// Running rearm again finishes the job.
	st, nid, err := s.Rearm(context.Background(), identityOpts(), t0.Add(day))
	if err != nil || st.RearmsUsed != 2 || nid.PreviousCMID != id.CMID {
		t.Fatalf("Rearm = %+v, %+v, %v", st, nid, err)
	}
}

// TestRearm_ConcurrentWithContacts runs rearms, activations and renewals of
// one store at once, each through its own Store value as separate processes
// would, the contacts reading the identity with Identify as kmsctl ato does.
// Every contact must send the identity current while it is recorded (read
// back from identity.json during the exchange, which runs under the store's
// lock), and the rearms must form one chain of previous CMIDs.
func TestRearm_ConcurrentWithContacts(t *testing.T) {
	clk := clock.NewFake(t0)
	host := kmstest.Start(t, kmstest.Options{Clock: clk, FixedCount: 50})
	s := hostStore(t, host)
	first, err := identity.Load(context.Background(), s.Dir(), identityOpts())
	if err != nil {
		t.Fatal(err)
	}
	real := Dialer(kmsclient.Options{Clock: clk})

	var (
		mu      sync.Mutex
		current []identity.Identity // identity.json during each exchange, in order
		rearms  = map[int]identity.Identity{}
		wg      sync.WaitGroup
	)
	const rounds = 6
	start := make(chan struct{})
	errs := make(chan error, 3*rounds)
	for g := range 3 {
		wg.Go(func() {
			<-start
			for range rounds {
				s := Open(s.Dir()) // a store value of its own, as another process has
				if g == 0 {
					st, id, err := s.Rearm(context.Background(), identityOpts(), clk.Now())
					if err == nil {
						mu.Lock()
						rearms[st.RearmsUsed] = id
						mu.Unlock()
					}
					errs <- err
					continue
				}
				c := client(clk)
				c.Identify = func(ctx context.Context) (identity.Identity, error) {
					return identity.Load(ctx, s.Dir(), identityOpts())
				}
				c.Exchange = func(ctx context.Context, addr string, req *kmsclient.Request) (*kmsclient.Result, string, error) {
					id, _, err := identity.Peek(s.Dir())
					if err != nil {
						return nil, "", err
					}
					mu.Lock()
					current = append(current, id)
					mu.Unlock()
					return real(ctx, addr, req)
				}
				op := map[int]string{1: "ato", 2: "renew"}[g]
				o, err := s.Contact(context.Background(), op, true, c)
				if err == nil {
					err = o.Err
				}
				errs <- err
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	j, err := s.Journal()
	if err != nil || len(j) != 2*rounds || len(current) != len(j) {
		t.Fatalf("journal has %d entries (%v), %d exchanges, want %d", len(j), err, len(current), 2*rounds)
	}
	for i, e := range j {
		if e.CMID != current[i].CMID || e.PreviousCMID != current[i].PreviousCMID {
			t.Errorf("journal entry %d (%s) sent CMID %s (previous %s) while identity.json held %s (previous %s)",
				i+1, e.Op, e.CMID, e.PreviousCMID, current[i].CMID, current[i].PreviousCMID)
		}
	}
	prev := first.CMID
	for n := 1; n <= rounds; n++ {
		id, ok := rearms[n]
		if !ok || id.PreviousCMID != prev {
			t.Fatalf("rearm %d: %+v, want previous CMID %s", n, id, prev)
		}
		prev = id.CMID
	}
	if id, _, _ := identity.Peek(s.Dir()); id.CMID != prev {
		t.Fatalf("identity.json holds %s, the last rearm made %s", id.CMID, prev)
	}
	if st, _ := s.Load(); st.RearmsUsed != rounds {
		t.Fatalf("rearms used %d, want %d", st.RearmsUsed, rounds)
	}
}
