package identity

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/kmsctl/kmsctl/clock"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/internal/testdir"
	"github.com/kmsctl/kmsctl/internal/testproc"
	"github.com/kmsctl/kmsctl/statedir"
)

var created = time.Date(2026, 11, 23, 17, 55, 4, 123456789, time.UTC)

func host(name string) func() (string, error) {
	return func() (string, error) { return name, nil }
}

func testOpts() Options {
	return Options{Clock: clock.NewFake(created), Hostname: host("WS01.corp.example.com")}
}

func perm(t *testing.T, p string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestLoadCreates(t *testing.T) {
	dir := filepath.Join(testdir.Private(t), "state", "kmsctl") // does not exist yet
	id, err := Load(context.Background(), dir, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, FileName)
	if runtime.GOOS != "windows" {
		if m := perm(t, path); m != 0o600 {
			t.Errorf("file mode %#o, want 0600", m)
		}
		if m := perm(t, dir); m != 0o700 {
			t.Errorf("dir mode %#o, want 0700", m)
		}
	}
	if id.CMID.IsZero() {
		t.Fatal("zero CMID")
	}
	if v := id.CMID[6] >> 4; v != 4 {
		t.Errorf("CMID %s is version %d, want 4", id.CMID, v)
	}
	if id.CMID[8]&0xc0 != 0x80 {
		t.Errorf("CMID %s is not an RFC 4122 variant", id.CMID)
	}
	if !id.Created.Equal(created) {
		t.Errorf("Created = %v, want the fake clock's %v", id.Created, created)
	}
	if id.Workstation != "WS01.corp.example.com" {
		t.Errorf("Workstation = %q", id.Workstation)
	}

	// The file holds exactly the documented fields.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"version":     float64(1),
		"cmid":        id.CMID.String(),
		"workstation": "WS01.corp.example.com",
		"created":     "2026-11-23T17:55:04.123456789Z",
	}
	if fmt.Sprint(m) != fmt.Sprint(want) {
		t.Errorf("file holds %v, want %v", m, want)
	}
	// Nothing but the file and its lock file is left in dir.
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.Name() != FileName && e.Name() != FileName+".lock" {
			t.Errorf("stray file %s", e.Name())
		}
	}
}

func TestLoadReturnsSameIdentity(t *testing.T) {
	dir := testdir.Private(t)
	first, err := Load(context.Background(), dir, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	// Different sources must not matter once the file exists.
	other := Options{
		Clock:    clock.NewFake(created.Add(72 * time.Hour)),
		Rand:     bytes.NewReader(bytes.Repeat([]byte{0xaa}, 16)),
		Hostname: host("other-host"),
	}
	for i := 0; i < 3; i++ {
		again, err := Load(context.Background(), dir, other)
		if err != nil {
			t.Fatal(err)
		}
		if again.CMID != first.CMID || again.Workstation != first.Workstation || !again.Created.Equal(first.Created) {
			t.Fatalf("Load #%d = %+v, first = %+v", i+2, again, first)
		}
		if again != first {
			t.Fatalf("Load #%d = %#v, not == first %#v", i+2, again, first)
		}
	}
}

func TestLoadRealSources(t *testing.T) {
	dir := testdir.Private(t)
	before := time.Now().Add(-time.Second)
	id, err := Load(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if id.CMID.IsZero() || id.Workstation == "" || id.Created.Before(before) || id.Created.After(time.Now().Add(time.Second)) {
		t.Fatalf("identity from real sources: %+v", id)
	}
	if h, err := os.Hostname(); err == nil && h != "" && len(h) <= MaxWorkstationLen && id.Workstation != h {
		t.Errorf("Workstation = %q, host name is %q", id.Workstation, h)
	}
}

func TestLoadRandInjected(t *testing.T) {
	opts := testOpts()
	opts.Rand = bytes.NewReader(bytes.Repeat([]byte{0xff}, 16))
	id, err := Load(context.Background(), testdir.Private(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	if want := guid.MustParse("ffffffff-ffff-4fff-bfff-ffffffffffff"); id.CMID != want {
		t.Fatalf("CMID = %s, want %s", id.CMID, want)
	}
}

func TestLoadRandFailureWritesNothing(t *testing.T) {
	dir := testdir.Private(t)
	opts := testOpts()
	opts.Rand = bytes.NewReader(nil)
	if _, err := Load(context.Background(), dir, opts); err == nil {
		t.Fatal("Load with an empty random source succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("identity file exists after a failed creation: %v", err)
	}
}

func TestPeek(t *testing.T) {
	dir := filepath.Join(testdir.Private(t), "kmsctl")
	if _, ok, err := Peek(dir); ok || err != nil {
		t.Fatalf("Peek before creation: ok=%v err=%v", ok, err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("Peek created the directory")
	}
	id, err := Load(context.Background(), dir, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	got, ok, err := Peek(dir)
	if err != nil || !ok || got != id {
		t.Fatalf("Peek = %+v, %v, %v; want %+v", got, ok, err, id)
	}
}

func TestWorkstation(t *testing.T) {
	long70 := strings.Repeat("a", 60) + ".example" + "xx" // 70 bytes
	if len(long70) != 70 {
		t.Fatal(len(long70))
	}
	emoji := "\U0001F600" // two UTF-16 units
	tests := []struct {
		name     string
		hostname func() (string, error)
		want     string
	}{
		{"fqdn", host("WS01.corp.example.com"), "WS01.corp.example.com"},
		{"70 chars trimmed to 63", host(long70), long70[:63]},
		{"exactly 63", host(strings.Repeat("b", 63)), strings.Repeat("b", 63)},
		{"surrogate pair not split", host(strings.Repeat("c", 62) + emoji), strings.Repeat("c", 62)},
		{"surrogate pair fits", host(strings.Repeat("c", 61) + emoji + "d"), strings.Repeat("c", 61) + emoji},
		{"non-ASCII counted in UTF-16 units", host(strings.Repeat("é", 70)), strings.Repeat("é", 63)},
		{"empty", host(""), "localhost"},
		{"error", func() (string, error) { return "", errors.New("no host name") }, "localhost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOpts()
			opts.Hostname = tt.hostname
			id, err := Load(context.Background(), testdir.Private(t), opts)
			if err != nil {
				t.Fatal(err)
			}
			if id.Workstation != tt.want {
				t.Fatalf("Workstation = %q, want %q", id.Workstation, tt.want)
			}
			if n := len(utf16.Encode([]rune(id.Workstation))); n > MaxWorkstationLen {
				t.Fatalf("Workstation is %d UTF-16 units", n)
			}
		})
	}
}

const validCMID = "3f2c7a0e-6f0b-4c5e-9d6a-1b2c3d4e5f60"

var validFile = `{"version":1,"cmid":"` + validCMID + `","workstation":"WS01","created":"2026-11-23T17:55:04Z"}`

// corruptFiles are identity files Load must refuse, by what the error says.
var corruptFiles = []struct {
	name, content, says string
}{
	{"empty", "", "empty"},
	{"whitespace only", " \n\t\r\n", "empty"},
	{"open brace", "{", "JSON"},
	{"not json", "not json", "JSON"},
	{"newer version", `{"version":2,"cmid":"` + validCMID + `","workstation":"WS01","created":"2026-11-23T17:55:04Z"}`, "newer than this kmsctl"},
	{"newer version, new layout", `{"version":2,"cmid":{"v":2}}`, "newer than this kmsctl"},
	{"version 0", `{"version":0,"cmid":"` + validCMID + `"}`, "unknown format version 0"},
	{"version string", `{"version":"1","cmid":"` + validCMID + `"}`, `"version"`},
	{"version float", `{"version":1.5,"cmid":"` + validCMID + `"}`, `"version"`},
	{"no version", `{"cmid":"` + validCMID + `"}`, `no "version"`},
	{"bad GUID", `{"version":1,"cmid":"zzz"}`, "not a GUID"},
	{"missing CMID", `{"version":1}`, `no "cmid"`},
	{"null CMID", `{"version":1,"cmid":null}`, `no "cmid"`},
	{"zero CMID", `{"version":1,"cmid":"00000000-0000-0000-0000-000000000000"}`, "zero"},
	{"CMID number", `{"version":1,"cmid":42}`, `"cmid" is a JSON number`},
	{"created number", `{"version":1,"cmid":"` + validCMID + `","created":5}`, `"created" is not an RFC 3339 time`},
	{"bad created", `{"version":1,"cmid":"` + validCMID + `","created":"yesterday"}`, `"created" is not an RFC 3339 time`},
	{"workstation number", `{"version":1,"cmid":"` + validCMID + `","workstation":7}`, `"workstation" is a JSON number, want a string`},
	{"trailing garbage", validFile + "garbage", "after the JSON value"},
	{"two objects", validFile + "\n" + validFile, "after the JSON value"},
	{"array", `[` + validFile + `]`, "not a JSON object"},
	{"null", `null`, "not a JSON object"},
	{"truncated", validFile[:len(validFile)/2], "JSON"},
	{"too large", `{"version":1,"cmid":"` + validCMID + `","workstation":"` + strings.Repeat("x", 70000) + `"}`, "larger than"},
}

// snapshot records a file's bytes, mode and mtime.
type snapshot struct {
	data  []byte
	mode  os.FileMode
	mtime time.Time
}

func snap(t testing.TB, path string) snapshot {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return snapshot{b, fi.Mode(), fi.ModTime()}
}

func (s snapshot) check(t testing.TB, path string) {
	t.Helper()
	now := snap(t, path)
	if !bytes.Equal(now.data, s.data) {
		t.Fatalf("%s changed:\n was %q\n now %q", path, s.data, now.data)
	}
	if now.mode != s.mode || !now.mtime.Equal(s.mtime) {
		t.Fatalf("%s touched: mode %s→%s, mtime %v→%v", path, s.mode, now.mode, s.mtime, now.mtime)
	}
}

// writeIdentity writes content as dir's identity file with an old mtime, so
// that any rewrite would show.
func writeIdentity(t testing.TB, dir, content string) string {
	t.Helper()
	path := filepath.Join(dir, FileName)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadCorrupt(t *testing.T) {
	for _, tt := range corruptFiles {
		t.Run(tt.name, func(t *testing.T) {
			dir := testdir.Private(t)
			path := writeIdentity(t, dir, tt.content)
			before := snap(t, path)

			_, err := Load(context.Background(), dir, testOpts())
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("Load = %v (%T), want *CorruptError", err, err)
			}
			if ce.Path != path {
				t.Errorf("Path = %q, want %q", ce.Path, path)
			}
			if ce.Unwrap() == nil || !errors.Is(err, ce.Err) {
				t.Error("CorruptError does not unwrap to its Err")
			}
			msg := err.Error()
			for _, want := range []string{path, tt.says} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
			before.check(t, path)

			// Peek says the same and changes nothing either.
			if _, _, err := Peek(dir); !errors.As(err, &ce) {
				t.Errorf("Peek = %v, want *CorruptError", err)
			}
			// A second Load does not "repair" it either.
			if _, err := Load(context.Background(), dir, testOpts()); !errors.As(err, &ce) {
				t.Errorf("second Load = %v, want *CorruptError", err)
			}
			before.check(t, path)
			if ents, _ := os.ReadDir(dir); len(ents) != 1 {
				t.Errorf("dir holds %d entries, want only %s", len(ents), FileName)
			}
		})
	}
}

func TestLoadAcceptsVariants(t *testing.T) {
	want := guid.MustParse(validCMID)
	tests := []struct {
		name, content, workstation string
	}{
		{"canonical", validFile, "WS01"},
		{"trailing newline and spaces", validFile + "\n \r\n\t", "WS01"},
		{"pretty-printed", "{\n  \"version\": 1,\n  \"cmid\": \"" + validCMID + "\",\n  \"workstation\": \"WS01\"\n}\n", "WS01"},
		{"UTF-8 BOM", "\xef\xbb\xbf" + validFile, "WS01"},
		{"upper case braced GUID", `{"version":1,"cmid":"{` + strings.ToUpper(validCMID) + `}","workstation":"WS01"}`, "WS01"},
		{"unknown field", `{"version":1,"cmid":"` + validCMID + `","workstation":"WS01","note":"hi"}`, "WS01"},
		{"no workstation: host name, not written", `{"version":1,"cmid":"` + validCMID + `"}`, "WS01.corp.example.com"},
		{"long workstation: trimmed, not written", `{"version":1,"cmid":"` + validCMID + `","workstation":"` + strings.Repeat("w", 70) + `"}`, strings.Repeat("w", 63)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := testdir.Private(t)
			path := writeIdentity(t, dir, tt.content)
			before := snap(t, path)
			id, err := Load(context.Background(), dir, testOpts())
			if err != nil {
				t.Fatal(err)
			}
			if id.CMID != want || id.Workstation != tt.workstation {
				t.Fatalf("Load = %+v, want CMID %s workstation %q", id, want, tt.workstation)
			}
			before.check(t, path)
		})
	}
}

func TestLoadIdentityIsDirectory(t *testing.T) {
	dir := testdir.Private(t)
	path := filepath.Join(dir, FileName)
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := Load(context.Background(), dir, testOpts())
	var ce *CorruptError
	if err == nil || errors.As(err, &ce) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Load with a directory as identity file = %v", err)
	}
}

func TestLoadDirIsFile(t *testing.T) {
	dir := filepath.Join(testdir.Private(t), "state")
	if err := os.WriteFile(dir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(context.Background(), dir, testOpts())
	if err == nil || !strings.Contains(err.Error(), dir) {
		t.Fatalf("Load with a file as state dir = %v", err)
	}
	if _, _, err := Peek(dir); err == nil || !strings.Contains(err.Error(), dir) {
		t.Fatalf("Peek with a file as state dir = %v", err)
	}
}

func TestLoadWaitsForLockAndGivesUp(t *testing.T) {
	dir := testdir.Private(t)
	path := filepath.Join(dir, FileName)
	unlock, err := statedir.Lock(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = Load(ctx, dir, testOpts())
	if err == nil || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "another kmsctl") {
		t.Fatalf("Load while locked = %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("identity created without the lock")
	}
	// Meanwhile the holder writes an identity; the waiter must adopt it.
	theirs, err := newIdentity(testOpts())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan Identity, 1)
	go func() {
		id, err := Load(context.Background(), dir, testOpts())
		if err != nil {
			t.Error(err)
		}
		done <- id
	}()
	time.Sleep(50 * time.Millisecond)
	data, _ := encode(theirs)
	if err := statedir.WriteFile(path, data); err != nil {
		t.Fatal(err)
	}
	// The waiter may already have read the file on its unlocked fast path;
	// either way it must come back with the holder's CMID.
	unlock()
	if got := <-done; got.CMID != theirs.CMID {
		t.Fatalf("waiter got %s, holder wrote %s", got.CMID, theirs.CMID)
	}
}

func TestLoadConcurrentGoroutines(t *testing.T) {
	dir := filepath.Join(testdir.Private(t), "kmsctl")
	const n = 16
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		got   = make([]guid.GUID, n)
	)
	for i := range n {
		wg.Go(func() {
			<-start
			id, err := Load(context.Background(), dir, Options{Hostname: host(fmt.Sprint("g", i))})
			if err != nil {
				t.Error(err)
				return
			}
			got[i] = id.CMID
		})
	}
	close(start)
	wg.Wait()
	onDisk, ok, err := Peek(dir)
	if err != nil || !ok {
		t.Fatalf("Peek: %v %v", ok, err)
	}
	for i, g := range got {
		if g != onDisk.CMID {
			t.Errorf("goroutine %d got %s, file holds %s", i, g, onDisk.CMID)
		}
	}
}

const (
	helperDirEnv   = "KMSCTL_TEST_IDENTITY_DIR"
	helperReadyEnv = "KMSCTL_TEST_IDENTITY_READY"
)

// TestHelperProcess is not a test: TestLoadConcurrentProcesses runs the test
// binary with it to get a separate process calling Load.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv(helperDirEnv)
	if dir == "" {
		t.Skip("helper process for TestLoadConcurrentProcesses")
	}
	// Say we are ready, then block until the parent releases all helpers at
	// once by writing to our stdin, so that they call Load together.
	if err := os.WriteFile(os.Getenv(helperReadyEnv), nil, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(3)
	}
	if _, err := io.ReadFull(os.Stdin, make([]byte, 1)); err != nil {
		fmt.Fprintln(os.Stderr, "helper: no start signal:", err)
		os.Exit(3)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	id, err := Load(ctx, dir, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(2)
	}
	fmt.Printf("CMID=%s\n", id.CMID)
}

// TestLoadConcurrentProcesses starts 8 processes that create the identity at
// the same moment; all must end up with the one CMID the file holds. It does
// this a few times, since one round of a lost race may go unnoticed.
func TestLoadConcurrentProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 8 processes per round")
	}
	for round := range 3 {
		t.Run(fmt.Sprint("round", round), concurrentProcesses)
	}
}

func concurrentProcesses(t *testing.T) {
	const n = 8
	base := testdir.Private(t)
	dir := filepath.Join(base, "state", "kmsctl") // created by the race winner
	cmds := make([]*exec.Cmd, n)
	stdins := make([]io.WriteCloser, n)
	outs := make([]*bytes.Buffer, n)
	errs := make([]*bytes.Buffer, n)
	ready := make([]string, n)
	t.Cleanup(func() { // on failure, do not leave helpers blocked
		for i, cmd := range cmds {
			if cmd != nil && cmd.ProcessState == nil {
				stdins[i].Close()
				cmd.Process.Kill()
				cmd.Wait()
			}
		}
	})
	for i := range cmds {
		ready[i] = filepath.Join(base, fmt.Sprint("ready", i))
		var in io.WriteCloser
		cmd, err := testproc.Start(func() *exec.Cmd {
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
			cmd.Env = append(os.Environ(), helperDirEnv+"="+dir, helperReadyEnv+"="+ready[i])
			outs[i], errs[i] = new(bytes.Buffer), new(bytes.Buffer)
			cmd.Stdout, cmd.Stderr = outs[i], errs[i]
			var perr error
			if in, perr = cmd.StdinPipe(); perr != nil {
				t.Fatal(perr)
			}
			return cmd
		})
		if err != nil {
			t.Fatal(err)
		}
		cmds[i], stdins[i] = cmd, in
	}
	deadline := time.Now().Add(60 * time.Second)
	for i := range ready {
		for {
			if _, err := os.Stat(ready[i]); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("helper %d never got ready; stderr:\n%s", i, errs[i])
			}
			time.Sleep(time.Millisecond)
		}
	}
	for _, in := range stdins {
		in.Write([]byte{'g'})
	}
	var cmids []string
	for i, cmd := range cmds {
		stdins[i].Close()
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper %d: %v\nstdout:\n%s\nstderr:\n%s", i, err, outs[i], errs[i])
		}
		var got string
		sc := bufio.NewScanner(outs[i])
		for sc.Scan() {
			if s, ok := strings.CutPrefix(sc.Text(), "CMID="); ok {
				got = s
			}
		}
		if got == "" {
			t.Fatalf("helper %d printed no CMID:\n%s", i, outs[i])
		}
		cmids = append(cmids, got)
	}
	onDisk, ok, err := Peek(dir)
	if err != nil || !ok {
		t.Fatalf("Peek: %v %v", ok, err)
	}
	for i, c := range cmids {
		if c != onDisk.CMID.String() {
			t.Errorf("process %d got %s, file holds %s (all: %v)", i, c, onDisk.CMID, cmids)
		}
	}
}

func BenchmarkLoadExisting(b *testing.B) {
	dir := testdir.Private(b)
	if _, err := Load(context.Background(), dir, testOpts()); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	opts := testOpts()
	for b.Loop() {
		if _, err := Load(ctx, dir, opts); err != nil {
			b.Fatal(err)
		}
	}
}
