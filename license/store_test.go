package license

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/internal/testdir"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/statedir"
)

// snapshot records a file's bytes and mtime.
type snapshot struct {
	data  []byte
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
	return snapshot{b, fi.ModTime()}
}

func (s snapshot) check(t testing.TB, path string) {
	t.Helper()
	now := snap(t, path)
	if !bytes.Equal(now.data, s.data) || !now.mtime.Equal(s.mtime) {
		t.Fatalf("%s changed:\n was %q\n now %q", path, s.data, now.data)
	}
}

// writeOld writes content to path with an old mtime, so a rewrite shows.
func writeOld(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
}

// installedStore is a store in a new directory with Windows 10 Enterprise's
// GVLK installed at t0.
func installedStore(t testing.TB) Store {
	t.Helper()
	s := Open(filepath.Join(testdir.Private(t), "kmsctl"))
	in, err := Resolve(win10GVLK, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Install(context.Background(), in, t0); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStore_LoadMissing(t *testing.T) {
	dir := filepath.Join(testdir.Private(t), "none")
	st, err := Open(dir).Load()
	if err != nil || st.Product != nil || st.LastAttempt != nil {
		t.Fatalf("Load of nothing = %+v, %v", st, err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("Load created the directory")
	}
	if j, err := Open(dir).Journal(); err != nil || len(j) != 0 {
		t.Fatalf("Journal of nothing = %v, %v", j, err)
	}
}

func TestStore_RoundTrip(t *testing.T) {
	s := installedStore(t)
	ctx := context.Background()
	if _, _, err := s.Configure(ctx, func(h *HostConfig) {
		h.Host, h.Port, h.LookupDomain, h.NoCaching = "2001:db8::5", 1700, "corp.example.com", true
	}); err != nil {
		t.Fatal(err)
	}
	want, err := s.Update(ctx, func(st *State) ([]Attempt, error) {
		a := Attempt{At: t0, Op: "ato", Host: "[2001:db8::5]:1700", Count: count(30), Threshold: 25, EPID: "x",
			Activation: 60, Renewal: 1440, SKUID: st.Product.SKU.SKUID}
		st.LastAttempt, st.LastSuccess = &a, &a
		st.Intervals = Intervals{60, 1440}
		st.RearmsUsed = 2
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	a, b := mustEncode(t, got), mustEncode(t, want)
	if !bytes.Equal(a, b) {
		t.Fatalf("reloaded state differs:\n%s\nwant\n%s", a, b)
	}
	if got.Product.key != win10GVLK || got.Product.Partial != "2YT43" || !got.Product.GVLK || got.RearmsLeft() != 998 {
		t.Fatalf("product %+v, rearms left %d", got.Product, got.RearmsLeft())
	}
	if got.KMS.Address() != "[2001:db8::5]:1700" {
		t.Fatalf("address %q", got.KMS.Address())
	}
	// Unix permission bits; on Windows the file inherits the directory's ACL.
	fi, err := os.Stat(s.Path())
	if err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("license.json mode %v, %v", fi.Mode(), err)
	}
}

func mustEncode(t testing.TB, st State) []byte {
	t.Helper()
	b, err := encode(machineOf(st))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const validState = `{"version":1,"product":{"sku_id":"73111121-5638-40f6-bc11-f1d7b0d64300","name":"Windows 10/11 Enterprise","key":"` + win10GVLK + `","partial_key":"2YT43","gvlk":true,"installed_at":"2026-11-23T17:55:04Z"},"grace_started_at":"2026-11-23T17:55:04Z","rearms_used":0,"kms":{"host":"kms.example.com"},"intervals":{},"last_attempt":null,"last_success":null}`

var corruptStates = []struct{ name, content, says string }{
	{"empty", "", "file is empty"},
	{"spaces", " \n", "file is empty"},
	{"truncated", validState[:60], "not valid JSON"},
	{"not an object", `[1]`, "not a JSON object"},
	{"trailing data", validState + "x", "unexpected data after the JSON value"},
	{"no version", `{"product":null}`, `no "version"`},
	{"version string", `{"version":"1"}`, `"version" is not an integer`},
	{"version 0", `{"version":0}`, "unknown format version 0"},
	{"newer version", `{"version":3}`, "newer than this kmsctl understands"},
	{"unknown SKU", strings.Replace(validState, "73111121", "00000000", 1), "is not in kmsctl's catalogue"},
	{"malformed key", strings.Replace(validState, "2YT43\",\"partial", "2YT4\",\"partial", 1), `"key": the product key has 4 characters`},
	{"partial key mismatch", strings.Replace(validState, `"partial_key":"2YT43"`, `"partial_key":"2YT44"`, 1), "does not match"},
	{"bad partial key", strings.Replace(strings.Replace(validState, `"key":"`+win10GVLK+`",`, "", 1), `"partial_key":"2YT43"`, `"partial_key":"abc"`, 1), `"partial_key" is not five`},
	{"negative rearms", strings.Replace(validState, `"rearms_used":0`, `"rearms_used":-1`, 1), "negative"},
	{"rearms a string", strings.Replace(validState, `"rearms_used":0`, `"rearms_used":"0"`, 1), `"rearms_used" is a JSON string`},
	{"bad port", strings.Replace(validState, `"host":"kms.example.com"`, `"host":"kms.example.com","port":70000`, 1), "port 70000"},
	{"bad host", strings.Replace(validState, `"host":"kms.example.com"`, `"host":"kms example"`, 1), "not allowed in a host name"},
	{"bad domain", strings.Replace(validState, `"host":"kms.example.com"`, `"lookup_domain":"-x"`, 1), "lookup domain"},
	{"interval too short", strings.Replace(validState, `"intervals":{}`, `"intervals":{"activation_minutes":5}`, 1), "outside 15 to 43200"},
	{"attempt without result", strings.Replace(validState, `"last_attempt":null`, `"last_attempt":{"time":"2026-11-23T17:55:04Z"}`, 1), `no "result"`},
	{"attempt with a bad result", strings.Replace(validState, `"last_attempt":null`, `"last_attempt":{"time":"2026-11-23T17:55:04Z","result":"oops"}`, 1), `"result"`},
	{"bad time", strings.Replace(validState, `"grace_started_at":"2026-11-23T17:55:04Z"`, `"grace_started_at":"soon"`, 1), `time "soon" is not an RFC 3339 time`},
	{"too large", `{"version":1,"x":"` + strings.Repeat("x", maxFileSize) + `"}`, "larger than"},
}

func TestStore_Corrupt(t *testing.T) {
	for _, tt := range corruptStates {
		t.Run(tt.name, func(t *testing.T) {
			s := Open(testdir.Private(t))
			writeOld(t, s.Path(), tt.content)
			before := snap(t, s.Path())
			_, err := s.Load()
			var ce *CorruptError
			if !errors.As(err, &ce) || ce.Path != s.Path() {
				t.Fatalf("Load = %v, want a CorruptError naming %s", err, s.Path())
			}
			if !strings.Contains(err.Error(), tt.says) || !strings.Contains(err.Error(), s.Path()) {
				t.Errorf("error %q does not say %q and name the file", err, tt.says)
			}
			if ce.Code() != hresult.InvalidData || ce.Path != s.Path() {
				t.Errorf("CorruptError: %v / %q", ce.Code(), ce.Path)
			}
			assertNoKey(t, err, win10GVLK)
			// No update gets past it, and none touches it.
			called := false
			_, err = s.Update(context.Background(), func(*State) ([]Attempt, error) { called = true; return nil, nil })
			if !errors.As(err, &ce) || called {
				t.Fatalf("Update = %v (fn called: %v)", err, called)
			}
			before.check(t, s.Path())
			if _, err := os.Stat(s.JournalPath()); !errors.Is(err, os.ErrNotExist) {
				t.Fatal("a journal was created")
			}
		})
	}
}

func TestStore_AcceptsValid(t *testing.T) {
	for name, content := range map[string]string{
		"compact":          validState,
		"BOM and newlines": "\xef\xbb\xbf" + validState + "\n\n",
		"unknown field":    strings.Replace(validState, `"version":1`, `"version":1,"note":"hi"`, 1),
		"no key (cpky)":    strings.Replace(validState, `"key":"`+win10GVLK+`",`, "", 1),
		"offset times":     strings.Replace(validState, `"grace_started_at":"2026-11-23T17:55:04Z"`, `"grace_started_at":"2026-11-23T18:55:04+01:00"`, 1),
	} {
		t.Run(name, func(t *testing.T) {
			s := Open(testdir.Private(t))
			writeOld(t, s.Path(), content)
			st, err := s.Load()
			if err != nil {
				t.Fatal(err)
			}
			if st.Product == nil || st.Product.Partial != "2YT43" || !st.GraceStart.Equal(t0) {
				t.Fatalf("state %+v", st)
			}
		})
	}
}

func TestStore_NoChangeWritesNothing(t *testing.T) {
	s := installedStore(t)
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	os.Chtimes(s.Path(), old, old)
	before := snap(t, s.Path())
	in, _ := Resolve(win10GVLK, "")
	if _, changed, err := s.Install(context.Background(), in, t0.Add(day)); err != nil || changed {
		t.Fatalf("reinstalling the same key: changed %v, %v", changed, err)
	}
	if _, changed, err := s.Configure(context.Background(), func(h *HostConfig) {}); err != nil || changed {
		t.Fatalf("Configure without a change: changed %v, %v", changed, err)
	}
	if _, err := s.Update(context.Background(), func(*State) ([]Attempt, error) { return nil, errors.New("no") }); err == nil {
		t.Fatal("Update hid fn's error")
	}
	before.check(t, s.Path())
}

// TestStore_CrashBeforeRename fails the write after the temporary file is
// written and before it is renamed, as a crash there would leave things: the
// old license.json is intact and still loads, and the stray temporary file
// does not disturb the next update.
func TestStore_CrashBeforeRename(t *testing.T) {
	s := installedStore(t)
	before := snap(t, s.Path())
	stray := ""
	writeFile = func(path string, data []byte) error {
		f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
		if err != nil {
			return err
		}
		stray = f.Name()
		f.Write(data[:len(data)/2])
		f.Close()
		return errors.New("crash")
	}
	_, _, err := s.Configure(context.Background(), func(h *HostConfig) { h.Host = "kms.example.com" })
	writeFile = defaultWriteFile
	if err == nil || !strings.Contains(err.Error(), "crash") {
		t.Fatalf("Configure = %v", err)
	}
	before.check(t, s.Path())
	if _, err := os.Stat(stray); err != nil {
		t.Fatalf("no stray temporary file: %v", err)
	}
	st, err := s.Load()
	if err != nil || st.KMS.Host != "" || st.Product == nil {
		t.Fatalf("after the crash Load = %+v, %v", st, err)
	}
	if _, _, err := s.Configure(context.Background(), func(h *HostConfig) { h.Host = "kms.example.com" }); err != nil {
		t.Fatal(err)
	}
	if st, err := s.Load(); err != nil || st.KMS.Host != "kms.example.com" {
		t.Fatalf("after recovery Load = %+v, %v", st.KMS, err)
	}
}

var defaultWriteFile = writeFile

func TestStore_OpsNeedAProduct(t *testing.T) {
	s := Open(testdir.Private(t))
	var np *NoProductError
	if _, err := s.Uninstall(context.Background(), guid.Nil); !errors.As(err, &np) || np.Code() != hresult.KeyNotInstalled {
		t.Fatalf("Uninstall = %v", err)
	}
	if _, _, err := s.Rearm(context.Background(), identityOpts(), t0); !errors.As(err, &np) {
		t.Fatalf("Rearm = %v", err)
	}
	if _, changed, err := s.ClearKey(context.Background(), guid.Nil); err != nil || changed {
		t.Fatalf("ClearKey with nothing installed = changed %v, %v", changed, err)
	}
	if _, err := os.Stat(s.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a failed operation wrote license.json")
	}
}

func TestStore_InstallUninstallClearKey(t *testing.T) {
	ctx := context.Background()
	s := installedStore(t)
	// Activated, then the same key again: nothing changes.
	s.Update(ctx, func(st *State) ([]Attempt, error) { st.LastSuccess, st.LastAttempt = ok(t0), ok(t0); return nil, nil })
	st, changed, err := s.ClearKey(ctx, guid.Nil)
	if err != nil || !changed || st.Product.HasKey() || st.Product.Partial != "2YT43" || st.LastSuccess == nil {
		t.Fatalf("ClearKey = %+v changed=%v, %v", st.Product, changed, err)
	}
	if _, changed, err := s.ClearKey(ctx, guid.Nil); err != nil || changed {
		t.Fatalf("ClearKey again = changed %v, %v", changed, err)
	}
	b, _ := os.ReadFile(s.Path())
	if bytes.Contains(b, []byte("NPPR9")) {
		t.Fatal("the key is still in license.json after ClearKey")
	}
	// Reinstalling the cleared key stores it again and keeps the activation.
	in, _ := Resolve(win10GVLK, "")
	st, changed, err = s.Install(ctx, in, t0.Add(day))
	if err != nil || !changed || !st.Product.HasKey() || st.LastSuccess == nil || !st.GraceStart.Equal(t0) {
		t.Fatalf("reinstall after cpky = %+v changed=%v, %v", st, changed, err)
	}
	// Another product: a new grace period, not activated.
	other, _ := Resolve("", "Windows Server 2022 Standard")
	st, changed, err = s.Install(ctx, other, t0.Add(2*day))
	if err != nil || !changed || st.LastSuccess != nil || st.LastAttempt != nil || !st.GraceStart.Equal(t0.Add(2*day)) {
		t.Fatalf("install of another product = %+v, %v", st, err)
	}
	if v := Evaluate(st, t0.Add(2*day)); v.Status != kmsclient.StatusOOBGrace {
		t.Fatalf("status %v", v.Status)
	}
	st, err = s.Uninstall(ctx, guid.Nil)
	if err != nil || st.Product != nil {
		t.Fatalf("Uninstall = %+v, %v", st, err)
	}
	if v := Evaluate(st, t0); v.Status != kmsclient.StatusUnlicensed || v.NextAction != None {
		t.Fatalf("after upk: %+v", v)
	}
}

func TestJournal_TornTailAndCorruptLine(t *testing.T) {
	s := Open(testdir.Private(t))
	e1 := Attempt{At: t0, Op: "ato", Host: "h:1688", Count: count(3), Threshold: 25, Result: hresult.NotEnoughCount}
	e2 := Attempt{At: t0.Add(hour), Op: "renew", Host: "h:1688", Result: hresult.NoKMSHost}
	if err := s.appendJournal([]Attempt{e1}); err != nil {
		t.Fatal(err)
	}
	// A writer that crashed mid-line.
	f, _ := os.OpenFile(s.JournalPath(), os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"time":"2026-11-23T17:55:04Z","op":"ato","ho`)
	f.Close()
	j, err := s.Journal()
	if err != nil || len(j) != 1 || j[0].Result != hresult.NotEnoughCount || *j[0].Count != 3 {
		t.Fatalf("Journal with a torn tail = %+v, %v", j, err)
	}
	if err := s.appendJournal([]Attempt{e2}); err != nil {
		t.Fatal(err)
	}
	j, err = s.Journal()
	if err != nil || len(j) != 2 || j[1].Op != "renew" || j[1].Count != nil {
		t.Fatalf("Journal after the next append = %+v, %v", j, err)
	}
	// A complete line that is not an entry is corruption, reported with its line.
	f, _ = os.OpenFile(s.JournalPath(), os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString("{}\n")
	f.Close()
	_, err = s.Journal()
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.Line != 3 || !strings.Contains(err.Error(), "at line 3") {
		t.Fatalf("Journal = %v, want corruption at line 3", err)
	}
	// Appending does not rewrite what is there.
	before, _ := os.ReadFile(s.JournalPath())
	if err := s.appendJournal([]Attempt{e2}); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(s.JournalPath())
	if !bytes.HasPrefix(after, before) {
		t.Fatal("append changed earlier lines")
	}
}

// ReadJournal keeps the entries around damaged lines and names each one.
// A damaged journal line is named in the file's own words, never in Go's
// names for kmsctl's types.
func TestDecodeEntryWords(t *testing.T) {
	for line, want := range map[string]string{
		`[1]`:                                    "not a JSON object",
		`"x"`:                                    "not a JSON object",
		`{not json}`:                             "not a JSON object: invalid character 'n' looking for beginning of object key string",
		`{"time":"2026-11-23T17:55:04Z","op":5}`: `not a journal entry: "op" is a JSON number, want a string`,
		`{"time":"2026-11-23T17:55:04Z","result":{"code":1}}`: `not a journal entry: "result" is a JSON object, want a string`,
		`{"time":"x","op":"ato"}`:                             `not a journal entry: time "x" is not an RFC 3339 time such as 2026-11-30T17:55:04Z`,
	} {
		_, err := decodeEntry([]byte(line))
		if err == nil || err.Error() != want || strings.Contains(err.Error(), "license.") || strings.Contains(err.Error(), "Alias") {
			t.Errorf("%s: %v, want %q", line, err, want)
		}
	}
}

func TestReadJournal_SkipsDamagedLines(t *testing.T) {
	s := Open(testdir.Private(t))
	e1 := Attempt{At: t0, Op: "ato", Host: "h:1688", Result: hresult.NoKMSHost}
	e2 := Attempt{At: t0.Add(hour), Op: "renew", Host: "h:1688", Result: hresult.NoKMSHost}
	if err := s.appendJournal([]Attempt{e1}); err != nil {
		t.Fatal(err)
	}
	f, _ := os.OpenFile(s.JournalPath(), os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString("{not json}\n" + strings.Repeat("x", maxJournalLine+10) + "\n{}\n")
	f.Close()
	if err := s.appendJournal([]Attempt{e2}); err != nil {
		t.Fatal(err)
	}
	j, skipped, err := s.ReadJournal()
	if err != nil || len(j) != 2 || j[0].Op != "ato" || j[1].Op != "renew" {
		t.Fatalf("ReadJournal = %+v, %v", j, err)
	}
	var lines []int
	for _, e := range skipped {
		lines = append(lines, e.Line)
		if e.Path != s.JournalPath() || e.Err == nil {
			t.Errorf("skipped %+v", e)
		}
	}
	if !slices.Equal(lines, []int{2, 3, 4}) {
		t.Errorf("skipped lines %v, want [2 3 4]", lines)
	}
	if !errors.Is(skipped[1], errLongLine) || !strings.Contains(skipped[0].Error(), "not a JSON object") {
		t.Errorf("causes %v; %v", skipped[0], skipped[1])
	}
	// Journal stays strict: the first damaged line is its error.
	if _, err := s.Journal(); !errors.As(err, new(*CorruptError)) || !strings.Contains(err.Error(), "at line 2") {
		t.Errorf("Journal = %v, want corruption at line 2", err)
	}
}

func TestJournal_LongLine(t *testing.T) {
	s := Open(testdir.Private(t))
	os.WriteFile(s.JournalPath(), []byte(strings.Repeat("x", maxJournalLine+10)+"\n"), 0o600)
	_, err := s.Journal()
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.Line != 1 {
		t.Fatalf("Journal = %v", err)
	}
}

func TestJournal_NotRegular(t *testing.T) {
	s := Open(testdir.Private(t))
	if err := os.Mkdir(s.JournalPath(), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := s.appendJournal([]Attempt{{At: t0}}); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("appendJournal to a directory = %v", err)
	}
}

// TestUpdateLockWaitIsBoundedAndSaid: with another process's lock held, an
// update waits at most the store's own wait (not LockWait), says once that
// it waits, and fails with the lock's error, changing nothing.
func TestUpdateLockWaitIsBoundedAndSaid(t *testing.T) {
	dir := testdir.Private(t)
	unlock, err := statedir.Lock(context.Background(), filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	var said []string
	s := Open(dir).WithLockWait(50*time.Millisecond, func(p string) { said = append(said, p) })
	ran := false
	done := make(chan error, 1)
	go func() {
		_, err := s.Update(context.Background(), func(*State) ([]Attempt, error) { ran = true; return nil, nil })
		done <- err
	}()
	select {
	case err = <-done:
	case <-time.After(LockWait / 2): // not a timing assertion: a hang guard far above the wait
		t.Fatal("Update waited past its own lock wait")
	}
	var se *statedir.Error
	if !errors.As(err, &se) || se.Problem != statedir.ProblemLocked {
		t.Fatalf("err = %v, want the lock held", err)
	}
	if ran {
		t.Error("fn ran without the lock")
	}
	if want := filepath.Join(dir, FileName) + ".lock"; len(said) != 1 || said[0] != want {
		t.Errorf("waiting said %q, want once %q", said, want)
	}
	// Free, the lock is taken at once and nothing is said.
	unlock()
	said = nil
	if _, err := s.Update(context.Background(), func(*State) ([]Attempt, error) { return nil, ErrNoChange }); err != nil {
		t.Fatal(err)
	}
	if len(said) != 0 {
		t.Errorf("said %q with the lock free", said)
	}
}
