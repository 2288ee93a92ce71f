package selfcount

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/internal/testdir"
	"github.com/kmsctl/kmsctl/kmsclient"
)

var (
	t0   = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	cmA  = guid.MustParse("3f2504e0-4f89-41d3-9a0c-0305e82c3301")
	cmB  = guid.MustParse("9d6ec1f2-2b1a-4a8e-8d1c-6e2b5c0a9f11")
	win  = Family(kmsclient.AppWindows)
	off  = Family(kmsclient.AppOffice)
	host = "kms1.corp.example.com:1688"
)

func record(t *testing.T, dir string, now time.Time, asked ...Asked) map[Key]int {
	t.Helper()
	got, err := Record(context.Background(), dir, now, asked)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestRecord_CountsOwnCMIDsPerHostAndFamily(t *testing.T) {
	dir := testdir.Private(t)
	// First time: the probe itself.
	got := record(t, dir, t0, Asked{host, win, cmA, t0}, Asked{host, off, cmA, t0})
	if got[Key{host, win}] != 1 || got[Key{host, off}] != 1 || len(got) != 2 {
		t.Fatalf("first probe: %v", got)
	}
	// A rearm later: the new CMID asks about Windows, and the host still
	// counts the old one too.
	t1 := t0.Add(10 * 24 * time.Hour)
	got = record(t, dir, t1, Asked{host, win, cmB, t1})
	if got[Key{host, win}] != 2 || len(got) != 1 {
		t.Fatalf("after rearm: %v", got)
	}
	// Another host is another count.
	got = record(t, dir, t1, Asked{"kms2:1688", win, cmB, t1})
	if got[Key{"kms2:1688", win}] != 1 {
		t.Fatalf("second host: %v", got)
	}
	// 30 days after the old CMID last asked, the host has dropped it.
	t2 := t0.Add(kmsclient.CountWindow)
	got = record(t, dir, t2, Asked{host, win, cmB, t2})
	if got[Key{host, win}] != 1 {
		t.Fatalf("after the window: %v", got)
	}
	// ... and so has the record.
	f, err := read(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range f.Asked {
		if a.CMID == cmA {
			t.Errorf("aged-out entry kept: %+v", a)
		}
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(filepath.Join(dir, FileName))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("record mode %v, %v; want 0600", fi.Mode(), err)
		}
	}
}

// A damaged record is reported, left as it is, and the counts fall back to
// the probe alone.
func TestRecord_CorruptFileIsLeftAlone(t *testing.T) {
	for name, content := range map[string]string{
		"not json":    "{",
		"newer":       `{"version": 2, "asked": []}`,
		"empty entry": `{"version": 1, "asked": [{"host": "", "family": "windows"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := testdir.Private(t)
			path := filepath.Join(dir, FileName)
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := Record(context.Background(), dir, t0, []Asked{{host, win, cmA, t0}})
			var ce *CorruptError
			if !errors.As(err, &ce) || ce.Path != path {
				t.Fatalf("error %v, want a CorruptError for %s", err, path)
			}
			if got[Key{host, win}] != 1 {
				t.Errorf("counts %v", got)
			}
			if b, _ := os.ReadFile(path); string(b) != content {
				t.Errorf("record changed to %q", b)
			}
		})
	}
}

// Nothing asked: nothing read or written (a probe that reached no host
// needs no state directory).
func TestRecord_NothingAskedTouchesNothing(t *testing.T) {
	dir := filepath.Join(testdir.Private(t), "absent")
	if got, err := Record(context.Background(), dir, t0, nil); err != nil || len(got) != 0 {
		t.Fatalf("%v %v", got, err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state directory created: %v", err)
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"version":1,"asked":[{"host":"h:1688","family":"windows","cmid":"3f2504e0-4f89-41d3-9a0c-0305e82c3301","time":"2026-11-01T12:00:00Z"}]}`))
	f.Add([]byte(`{"version":1,"asked":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := testdir.Private(t)
		path := filepath.Join(dir, FileName)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		file, err := read(path)
		if err != nil {
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a CorruptError", err)
			}
			return
		}
		for _, a := range file.Asked {
			if a.Host == "" || a.Family == "" || a.CMID.IsZero() || a.At.IsZero() {
				t.Fatalf("accepted %+v", a)
			}
		}
		// What was read can be recorded on.
		got, err := Record(context.Background(), dir, t0, []Asked{{host, win, cmA, t0}})
		if err != nil || got[Key{host, win}] < 1 {
			t.Fatalf("%v %v", got, err)
		}
	})
}

// BenchmarkRecord1000Hosts records one fleet run of 1,000 hosts × 3
// families into a record that already holds the previous run's entries.
func BenchmarkRecord1000Hosts(b *testing.B) {
	dir := testdir.Private(b)
	asked := make([]Asked, 0, 3000)
	for i := 0; i < 1000; i++ {
		h := "10.0." + string(rune('0'+i/100%10)) + "." + string(rune('0'+i%100/10)) + string(rune('0'+i%10)) + ":1688"
		for _, f := range []string{win, off, "office-2010"} {
			asked = append(asked, Asked{h, f, cmA, t0})
		}
	}
	if _, err := Record(context.Background(), dir, t0, asked); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if got, err := Record(context.Background(), dir, t0, asked); err != nil || len(got) != 3000 {
			b.Fatal(len(got), err)
		}
	}
}

// Record rewrites the file only when it learns something: a new host,
// family or CMID, or an entry Fresh old or more; the counts are the same
// either way.
func TestRecord_WritesOnlyWhatIsNew(t *testing.T) {
	dir := testdir.Private(t)
	file := filepath.Join(dir, FileName)
	record(t, dir, t0, Asked{host, win, cmB, t0})
	step := func(now time.Time, a Asked, wantWrite bool, want int) {
		t.Helper()
		if err := os.Chtimes(file, t0, t0); err != nil {
			t.Fatal(err)
		}
		got := record(t, dir, now, a)
		fi, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		if wrote := !fi.ModTime().Equal(t0); wrote != wantWrite {
			t.Errorf("at %v: wrote %v, want %v", now.Sub(t0), wrote, wantWrite)
		}
		if n := got[Key{a.Host, a.Family}]; n != want {
			t.Errorf("at %v: count %d, want %d", now.Sub(t0), n, want)
		}
	}
	m := time.Minute
	step(t0.Add(m), Asked{host, win, cmB, t0.Add(m)}, false, 1)                      // same entry, a minute on
	step(t0.Add(2*m), Asked{host, win, cmA, t0.Add(2 * m)}, true, 2)                 // a new CMID
	step(t0.Add(3*m), Asked{host, win, cmA, t0.Add(3 * m)}, false, 2)                // nothing new
	step(t0.Add(4*m), Asked{host, off, cmA, t0.Add(4 * m)}, true, 1)                 // a new family
	step(t0.Add(2*time.Hour), Asked{host, win, cmA, t0.Add(2 * time.Hour)}, true, 2) // an hour old: moved on
	// cmB last asked at t0: 30 days on the host forgets it, and so does
	// the count, written or not.
	step(t0.Add(30*24*time.Hour+m), Asked{host, win, cmA, t0.Add(30*24*time.Hour + m)}, true, 1)
}
