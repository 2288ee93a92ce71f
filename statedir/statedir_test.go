package statedir

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kmsctl/kmsctl/hresult"
)

// env returns a getenv func backed by m.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestResolvePrecedence(t *testing.T) {
	// Both platform defaults set, so only the precedence is tested here;
	// the default branch itself is in statedir_{unix,windows}_test.go.
	full := map[string]string{
		EnvVar:           filepath.FromSlash("/from/env"),
		"XDG_STATE_HOME": filepath.FromSlash("/xdg"),
		"HOME":           filepath.FromSlash("/home/u"),
		"LOCALAPPDATA":   filepath.FromSlash("/lad"),
	}
	tests := []struct {
		name     string
		override string
		env      map[string]string
		want     string
	}{
		{"override beats env", filepath.FromSlash("/flag"), full, filepath.FromSlash("/flag")},
		{"override is cleaned", filepath.FromSlash("/flag/x/../y/"), full, filepath.FromSlash("/flag/y")},
		{"env beats default", "", full, filepath.FromSlash("/from/env")},
		{"relative env kept relative", "", map[string]string{EnvVar: "rel/dir/"}, filepath.FromSlash("rel/dir")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Resolve(tt.override, env(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("Resolve = %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("empty env falls through to default", func(t *testing.T) {
		m := map[string]string{"XDG_STATE_HOME": full["XDG_STATE_HOME"], "HOME": full["HOME"], "LOCALAPPDATA": full["LOCALAPPDATA"]}
		got, err := Resolve("", env(m))
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(got) != "kmsctl" {
			t.Fatalf("Resolve = %q, want a platform default ending in kmsctl", got)
		}
	})
	t.Run("no default", func(t *testing.T) {
		_, err := Resolve("", env(nil))
		if err == nil {
			t.Fatal("Resolve with an empty environment succeeded")
		}
		var se *Error
		if !errors.As(err, &se) || se.Problem != ProblemNoPath || se.Var == "" || se.Code() != hresult.PathNotFound {
			t.Fatalf("error is not a ProblemNoPath naming the variable: %#v", err)
		}
	})
}

func TestEnsureNested(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b", "kmsctl")
	if err := Ensure(dir); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		t.Fatalf("Ensure did not create %s: %v", dir, err)
	}
	if err := Ensure(dir); err != nil { // idempotent
		t.Fatal(err)
	}
}

func TestEnsureRefusesFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := Ensure(p)
	if err == nil || !strings.Contains(err.Error(), "not a directory") || !strings.Contains(err.Error(), p) {
		t.Fatalf("Ensure(file) = %v, want a 'not a directory' error naming %s", err, p)
	}
	if b, _ := os.ReadFile(p); string(b) != "x" {
		t.Fatalf("file changed: %q", b)
	}
	// A path below a file cannot be created either.
	if err := Ensure(filepath.Join(p, "sub")); err == nil {
		t.Fatal("Ensure below a file succeeded")
	}
}

// names lists dir's entries.
func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func assertOnly(t *testing.T, dir string, want ...string) {
	t.Helper()
	got := names(t, dir)
	if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
		t.Fatalf("%s holds %q, want exactly %q (left-over temporary file?)", dir, got, want)
	}
}

func TestWriteFileCreatesAndReplaces(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "identity.json")
	if err := WriteFile(p, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "one" {
		t.Fatalf("content %q", b)
	}
	if err := WriteFile(p, []byte("second, longer")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "second, longer" {
		t.Fatalf("content %q", b)
	}
	if err := WriteFile(p, nil); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); len(b) != 0 {
		t.Fatalf("content %q, want empty", b)
	}
	assertOnly(t, dir, "identity.json")
}

func TestWriteFileRelativePath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := WriteFile("rel.json", []byte("r")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "rel.json")); string(b) != "r" {
		t.Fatalf("content %q", b)
	}
	assertOnly(t, dir, "rel.json")
}

// injectCreateTemp replaces createTemp for the duration of the test.
func injectCreateTemp(t *testing.T, f func(dir, pattern string) (*os.File, error)) {
	t.Helper()
	old := createTemp
	createTemp = f
	t.Cleanup(func() { createTemp = old })
}

func TestWriteFileFailureLeavesTargetAndNoTemp(t *testing.T) {
	injected := errors.New("injected failure")
	tests := []struct {
		name   string
		create func(dir, pattern string) (*os.File, error)
	}{
		{"create fails", func(dir, pattern string) (*os.File, error) {
			return nil, injected
		}},
		{"write fails", func(dir, pattern string) (*os.File, error) {
			// A real temporary file, but opened read-only so that the
			// write fails after it exists: WriteFile must remove it.
			f, err := os.CreateTemp(dir, pattern)
			if err != nil {
				return nil, err
			}
			name := f.Name()
			f.Close()
			return os.Open(name)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "identity.json")
			if err := WriteFile(p, []byte("old content")); err != nil {
				t.Fatal(err)
			}
			injectCreateTemp(t, tt.create)
			err := WriteFile(p, []byte("new content"))
			if err == nil {
				t.Fatal("WriteFile succeeded despite the injected failure")
			}
			if !strings.Contains(err.Error(), p) {
				t.Fatalf("error %q does not name %s", err, p)
			}
			if b, _ := os.ReadFile(p); string(b) != "old content" {
				t.Fatalf("target changed to %q", b)
			}
			assertOnly(t, dir, "identity.json")
		})
	}
}

func TestWriteFileTempNameDerivedFromTarget(t *testing.T) {
	dir := t.TempDir()
	var gotDir, gotPattern string
	injectCreateTemp(t, func(d, pattern string) (*os.File, error) {
		gotDir, gotPattern = d, pattern
		return os.CreateTemp(d, pattern)
	})
	if err := WriteFile(filepath.Join(dir, "identity.json"), []byte("x")); err != nil {
		t.Fatal(err)
	}
	if filepath.Clean(gotDir) != dir || gotPattern != ".identity.json.tmp-*" {
		t.Fatalf("temp file in %q with pattern %q", gotDir, gotPattern)
	}
}

func TestWriteFileOntoDirectory(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "identity.json")
	if err := os.Mkdir(target, 0o700); err != nil {
		t.Fatal(err)
	}
	err := WriteFile(target, []byte("x"))
	if err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("WriteFile onto a directory = %v", err)
	}
	if fi, err := os.Stat(target); err != nil || !fi.IsDir() {
		t.Fatalf("directory disturbed: %v", err)
	}
	assertOnly(t, dir, "identity.json")
}

func TestWriteFileMissingDir(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nope", "identity.json")
	err := WriteFile(p, []byte("x"))
	if err == nil || !strings.Contains(err.Error(), p) {
		t.Fatalf("WriteFile into a missing directory = %v", err)
	}
}

func TestLockExcludes(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "identity.json")

	unlock, err := Lock(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	if u2, err := Lock(ctx, p); err == nil {
		u2()
		t.Fatal("second Lock succeeded while the first holds the lock")
	} else {
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error does not wrap context.DeadlineExceeded: %v", err)
		}
		for _, want := range []string{p + ".lock", "another kmsctl may be running", "still held when the time ran out"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not contain %q", err, want)
			}
		}
		if strings.Contains(err.Error(), "context deadline exceeded") {
			t.Errorf("error %q speaks Go's words", err)
		}
	}
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("second Lock gave up after %v, before its deadline", d)
	}

	// A waiter gets the lock once the holder lets go.
	got := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		u, err := Lock(ctx, p)
		if err == nil {
			err = u()
		}
		got <- err
	}()
	time.Sleep(50 * time.Millisecond)
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if err := unlock(); err != nil { // second unlock is harmless
		t.Fatalf("second unlock: %v", err)
	}
	if err := <-got; err != nil {
		t.Fatalf("waiter: %v", err)
	}

	ctx2, cancel2 := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel2()
	u3, err := Lock(ctx2, p)
	if err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}
	if err := u3(); err != nil {
		t.Fatal(err)
	}
	// The lock file stays; the target is never created by Lock.
	assertOnly(t, dir, "identity.json.lock")
}

func TestLockMissingDir(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nope", "identity.json")
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := Lock(ctx, p)
	if err == nil || !strings.Contains(err.Error(), p+".lock") {
		t.Fatalf("Lock in a missing directory = %v", err)
	}
	if strings.Contains(err.Error(), "another kmsctl") {
		t.Fatalf("a missing directory is blamed on another kmsctl: %v", err)
	}
}

func TestWriteFileLargeData(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big")
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	if err := WriteFile(p, data); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); !bytes.Equal(b, data) {
		t.Fatal("content differs")
	}
}

// A rename that fails (for --output: a target on another file system, a
// directory that changed under us) leaves the old report whole and no
// temporary file behind; a new report gets the mode asked for.
func TestWriteFileModeRenameFails(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "kms.prom")
	if err := WriteFileMode(p, []byte("old report"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(p); err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v, %v; want 0644", fi.Mode(), err)
	}
	old := rename
	rename = func(from, to string) error {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: errors.New("injected failure")}
	}
	t.Cleanup(func() { rename = old })
	err := WriteFileMode(p, []byte("new report"), 0o644)
	if err == nil || !strings.Contains(err.Error(), p) {
		t.Fatalf("error %v, want one naming %s", err, p)
	}
	if b, _ := os.ReadFile(p); string(b) != "old report" {
		t.Fatalf("target changed to %q", b)
	}
	assertOnly(t, dir, "kms.prom")
}

// TestErrorSaysWhoMayDoWhat: a directory kmsctl refuses is described by
// what its mode lets others do, and its mode is written as chmod takes it
// (not Go's "dtrwxrwxrwx").
func TestErrorSaysWhoMayDoWhat(t *testing.T) {
	for _, c := range []struct {
		e    Error
		want string
	}{
		{Error{Path: "d", Problem: ProblemNotPrivate, Mode: fs.ModeDir | 0o755}, "state directory d has mode 0755: its group and other users may list and enter it"},
		{Error{Path: "d", Problem: ProblemNotPrivate, Mode: fs.ModeDir | 0o711}, "state directory d has mode 0711: its group and other users may enter it"},
		{Error{Path: "d", Problem: ProblemNotPrivate, Mode: fs.ModeDir | 0o770}, "state directory d has mode 0770: its group may list, write to and enter it"},
		{Error{Path: "d", Problem: ProblemNotPrivate, Mode: fs.ModeDir | 0o705}, "state directory d has mode 0705: other users may list and enter it"},
		{Error{Path: "d", Problem: ProblemNotPrivate, Mode: fs.ModeDir | 0o753}, "state directory d has mode 0753: its group may list and enter it, other users may write to and enter it"},
		{Error{Path: "/tmp", Problem: ProblemShared, Mode: fs.ModeDir | fs.ModeSticky | 0o777}, "state directory /tmp is a shared directory (mode 1777)"},
	} {
		if got := c.e.Error(); got != c.want {
			t.Errorf("%v:\n got %s\nwant %s", c.e.Mode, got, c.want)
		}
	}
}
