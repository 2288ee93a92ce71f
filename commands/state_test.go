package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/kmsctl/kmsctl/clock"
	"github.com/kmsctl/kmsctl/identity"
	"github.com/kmsctl/kmsctl/internal/testproc"
	"github.com/kmsctl/kmsctl/kmsclient/kmstest"
	"github.com/kmsctl/kmsctl/license"
	"github.com/kmsctl/kmsctl/output"
)

// These tests run kmsctl on one state directory: in-process one at a time,
// or as several child processes at once (urfave/cli's flags are not safe
// for concurrent runs in one process). A child is this test binary started
// with childEnv set; TestMain then runs it as kmsctl on its arguments.

const childEnv = "KMSCTL_COMMANDS_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(child())
	}
	os.Exit(m.Run())
}

// child is kmsctl at stateT0. With KMSCTL_TEST_RECORD set, discovery finds
// the host $KMSCTL_TEST_HOST and first appends to that file a line with the
// CMID and previous CMID identity.json holds: discovery runs inside the
// contact, under the license store's lock, so the lines are in the order of
// the contacts, each with the identity current during that contact.
func child() int {
	env := testEnv(clock.NewFake(stateT0), nil)
	env.NewStreams = func(bool) *output.Streams { return &output.Streams{Out: os.Stdout, Err: os.Stderr} }
	if rec := os.Getenv("KMSCTL_TEST_RECORD"); rec != "" {
		env.Discover = func(ctx context.Context, domain string) ([]license.Found, error) {
			id, _, err := identity.Peek(os.Getenv("KMSCTL_TEST_DIR"))
			if err != nil {
				return nil, err
			}
			f, err := os.OpenFile(rec, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			if _, err := fmt.Fprintf(f, "%s %s\n", id.CMID, id.PreviousCMID); err != nil {
				return nil, err
			}
			return []license.Found{{Addr: os.Getenv("KMSCTL_TEST_HOST")}}, nil
		}
	}
	return env.Exit(Run(env, os.Args))
}

// runChildren runs each of cmds (kmsctl arguments after --state-dir dir)
// times times, every command in a goroutine of its own that starts its
// runs one after the other, all with the environment env added; it returns
// every run's standard output, and fails t on any failed run.
func runChildren(t *testing.T, dir string, env []string, times int, cmds ...[]string) []string {
	t.Helper()
	var (
		mu   sync.Mutex
		outs []string
		wg   sync.WaitGroup
	)
	for _, args := range cmds {
		wg.Go(func() {
			for range times {
				var stdout, stderr bytes.Buffer
				cmd, err := testproc.Start(func() *exec.Cmd {
					cmd := exec.Command(os.Args[0], append([]string{"--state-dir", dir}, args...)...)
					cmd.Env = append(append(os.Environ(), childEnv+"=1", "KMSCTL_TEST_DIR="+dir), env...)
					stdout.Reset()
					stderr.Reset()
					cmd.Stdout, cmd.Stderr = &stdout, &stderr
					return cmd
				})
				if err == nil {
					err = cmd.Wait()
				}
				if err != nil {
					t.Errorf("kmsctl %v: %v\n%s%s", args, err, &stdout, &stderr)
				}
				mu.Lock()
				outs = append(outs, stdout.String())
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return outs
}

var stateT0 = time.Date(2026, 11, 23, 17, 55, 4, 0, time.UTC)

// testEnv is the Env of one run, writing both streams to out.
func testEnv(clk clock.Clock, out *bytes.Buffer) *Env {
	return &Env{
		Clock:      clk,
		Getenv:     func(string) string { return "" },
		Hostname:   func() (string, error) { return "WS01", nil },
		NewStreams: func(bool) *output.Streams { return &output.Streams{Out: out, Err: out} },
	}
}

// runIn runs kmsctl with args on the state directory dir.
func runIn(env *Env, dir string, args ...string) error {
	return Run(env, append([]string{"kmsctl", "--state-dir", dir}, args...))
}

// installedDir is a state directory with Windows 10 Enterprise's GVLK
// installed and, when host is not "", that KMS host set.
func installedDir(t *testing.T, clk clock.Clock, host string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "state")
	cmds := [][]string{{"ipk", "--product", "Windows 10 Enterprise"}}
	if host != "" {
		cmds = append(cmds, []string{"skms", host})
	}
	for _, args := range cmds {
		var out bytes.Buffer
		if err := runIn(testEnv(clk, &out), dir, args...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, &out)
		}
	}
	return dir
}

// ato and renew read the client identity while they hold the license
// store's lock, the lock rearm holds while it changes the CMID: otherwise
// a rearm between the read and the contact makes the contact send the CMID
// the rearm replaced. The identity file has no workstation name, so every
// read of it asks Env.Hostname, which looks at the lock right then.
func TestActivation_ReadsIdentityUnderStoreLock(t *testing.T) {
	clk := clock.NewFake(stateT0)
	host := kmstest.Start(t, kmstest.Options{Clock: clk, FixedCount: 50})
	dir := installedDir(t, clk, host.Addr())
	const cmid = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
	idFile := `{"version": 1, "cmid": "` + cmid + `", "workstation": "", "created": "2026-11-23T17:55:04Z"}` + "\n"
	if err := os.WriteFile(filepath.Join(dir, identity.FileName), []byte(idFile), 0o600); err != nil {
		t.Fatal(err)
	}
	lockFile := filepath.Join(dir, license.FileName) + ".lock"
	for _, args := range [][]string{{"ato"}, {"renew", "--force"}} {
		reads, unlocked := 0, 0
		var out bytes.Buffer
		env := testEnv(clk, &out)
		env.Hostname = func() (string, error) {
			reads++
			fl := flock.New(lockFile)
			got, err := fl.TryLock()
			if err != nil {
				t.Errorf("try the lock: %v", err)
			}
			if got { // nobody held it
				unlocked++
			}
			fl.Close() // releases it if taken, and the file either way
			return "WS01", nil
		}
		if err := runIn(env, dir, args...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, &out)
		}
		if reads == 0 || unlocked != 0 {
			t.Errorf("%v read the identity %d times, %d of them without the license store's lock", args, reads, unlocked)
		}
	}
	j, err := license.Open(dir).Journal()
	if err != nil || len(j) != 2 || j[0].CMID.String() != cmid || j[1].CMID.String() != cmid {
		t.Fatalf("journal %+v, %v", j, err)
	}
}

// Rearms, activations and renewals at once, each a process of its own:
// every contact in the journal must carry the CMID and previous CMID that
// identity.json held while it was made (recorded by the children's
// discovery, which runs inside the contact, under the store's lock).
func TestActivation_ConcurrentWithRearm(t *testing.T) {
	host := kmstest.Start(t, kmstest.Options{Clock: clock.NewFake(stateT0), FixedCount: 50})
	dir := installedDir(t, clock.NewFake(stateT0), "") // no skms: discovery finds the host
	rec := filepath.Join(t.TempDir(), "identities")
	const rounds = 5
	runChildren(t, dir, []string{"KMSCTL_TEST_RECORD=" + rec, "KMSCTL_TEST_HOST=" + host.Addr()}, rounds,
		[]string{"rearm"}, []string{"ato"}, []string{"renew", "--force"})

	b, err := os.ReadFile(rec)
	if err != nil {
		t.Fatal(err)
	}
	current := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	j, err := license.Open(dir).Journal()
	if err != nil || len(j) != 2*rounds || len(current) != len(j) {
		t.Fatalf("journal has %d entries (%v), %d contacts, want %d", len(j), err, len(current), 2*rounds)
	}
	for i, e := range j {
		if sent := e.CMID.String() + " " + e.PreviousCMID.String(); sent != current[i] {
			t.Errorf("journal entry %d (%s) sent CMID and previous CMID %s while identity.json held %s", i+1, e.Op, sent, current[i])
		}
	}
	if st, err := license.Open(dir).Load(); err != nil || st.RearmsUsed != rounds {
		t.Fatalf("rearms used %d (%v), want %d", st.RearmsUsed, err, rounds)
	}
}

// Of several cpky runs at once, exactly one clears the key and says so.
func TestCpky_ConcurrentReportsOneChange(t *testing.T) {
	dir := installedDir(t, clock.NewFake(stateT0), "")
	const n = 6
	cmds := make([][]string, n)
	for i := range cmds {
		cmds[i] = []string{"cpky", "--json"}
	}
	changed := 0
	for _, out := range runChildren(t, dir, nil, 1, cmds...) {
		var doc struct {
			Changed bool `json:"changed"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("cpky --json: %v\n%s", err, out)
		}
		if doc.Changed {
			changed++
		}
	}
	if changed != 1 {
		t.Fatalf("%d of %d cpky runs say they cleared the key, want 1", changed, n)
	}
	st, err := license.Open(dir).Load()
	if err != nil || st.Product.HasKey() {
		t.Fatalf("key still stored (%v)", err)
	}
}
