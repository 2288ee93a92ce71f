//go:build !windows

package statedir

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kmsctl/kmsctl/hresult"
)

func TestResolveDefaultUnix(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"XDG_STATE_HOME", map[string]string{"XDG_STATE_HOME": "/xdg/state", "HOME": "/home/u"}, "/xdg/state/kmsctl"},
		{"XDG_STATE_HOME relative is ignored", map[string]string{"XDG_STATE_HOME": "xdg", "HOME": "/home/u"}, "/home/u/.local/state/kmsctl"},
		{"HOME", map[string]string{"HOME": "/home/u"}, "/home/u/.local/state/kmsctl"},
		{"LOCALAPPDATA is not used", map[string]string{"HOME": "/home/u", "LOCALAPPDATA": "/lad"}, "/home/u/.local/state/kmsctl"},
		{"env var beats XDG", map[string]string{EnvVar: "/e", "XDG_STATE_HOME": "/xdg", "HOME": "/home/u"}, "/e"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Resolve("", env(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("Resolve = %q, want %q", got, tt.want)
			}
		})
	}
	if _, err := Resolve("", env(map[string]string{"XDG_STATE_HOME": "rel"})); err == nil || !strings.Contains(err.Error(), "HOME") {
		t.Fatalf("no HOME and relative XDG_STATE_HOME: %v", err)
	}
}

func perm(t *testing.T, p string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestEnsureCreates0700(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "kmsctl")
	if err := Ensure(dir); err != nil {
		t.Fatal(err)
	}
	if m := perm(t, dir); m != 0o700 {
		t.Fatalf("mode %#o, want 0700", m)
	}
	if m := perm(t, filepath.Dir(dir)); m&0o077 != 0 {
		t.Fatalf("created parent has mode %#o, want no group/other bits", m)
	}
}

func TestEnsureNeverChangesAnExistingDir(t *testing.T) {
	for _, m := range []os.FileMode{0o755, 0o777, 0o750, 0o701, 0o500, 0o700} {
		dir := filepath.Join(t.TempDir(), "kmsctl")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, m); err != nil { // beat the umask
			t.Fatal(err)
		}
		err := Ensure(dir)
		var se *Error
		switch {
		case m&0o077 != 0 && (!errors.As(err, &se) || se.Problem != ProblemNotPrivate || se.Code() != hresult.AccessDenied):
			t.Errorf("%#o: Ensure = %v, want ProblemNotPrivate", m, err)
		case m&0o077 == 0 && err != nil:
			t.Errorf("%#o: Ensure = %v, want the private directory used as it is", m, err)
		}
		if got := perm(t, dir); got != m {
			t.Errorf("%#o: mode after Ensure %#o, want it unchanged", m, got)
		}
	}
}

func TestEnsureRefusesSharedDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	err := Ensure(dir)
	if err == nil || !strings.Contains(err.Error(), "shared") {
		t.Fatalf("Ensure(sticky 1777 dir) = %v", err)
	}
	fi, _ := os.Stat(dir)
	if fi.Mode().Perm() != 0o777 || fi.Mode()&os.ModeSticky == 0 {
		t.Fatalf("shared dir was changed to %s", fi.Mode())
	}
}

func TestEnsureFollowsSymlinkToDir(t *testing.T) {
	base := t.TempDir()
	real := filepath.Join(base, "real")
	if err := os.Mkdir(real, 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(base, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if err := Ensure(link); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(real, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Ensure(link); err == nil {
		t.Fatal("a link to a 0755 directory was used")
	}
	if m := perm(t, real); m != 0o755 {
		t.Fatalf("target mode %#o, want it unchanged", m)
	}
}

func TestWriteFileMode0600(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := WriteFile(p, []byte("a")); err != nil {
		t.Fatal(err)
	}
	if m := perm(t, p); m != 0o600 {
		t.Fatalf("new file mode %#o, want 0600", m)
	}
	// Replacing a wider file leaves it at 0600 too.
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("b")); err != nil {
		t.Fatal(err)
	}
	if m := perm(t, p); m != 0o600 {
		t.Fatalf("replaced file mode %#o, want 0600", m)
	}
}

func TestWriteFileRefusesSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "elsewhere")
	if err := os.WriteFile(target, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "identity.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(link, []byte("x")); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("WriteFile onto a symlink = %v", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Fatalf("symlink target changed: %q", b)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("symlink replaced")
	}
	assertOnly(t, dir, "elsewhere", "identity.json")
}

func TestEnsureRefusesOtherUsersDir(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown a directory to another user")
	}
	dir := filepath.Join(t.TempDir(), "theirs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Skipf("chown: %v", err)
	}
	err := Ensure(dir)
	if err == nil || !strings.Contains(err.Error(), "owned by uid 65534") {
		t.Fatalf("Ensure(other user's 0755 dir) = %v", err)
	}
	if m := perm(t, dir); m != 0o755 {
		t.Fatalf("mode changed to %#o", m)
	}
	// Already private: used as is, whoever owns it.
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := Ensure(dir); err != nil {
		t.Fatal(err)
	}
}
