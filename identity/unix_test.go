//go:build !windows

package identity

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kmsctl/kmsctl/internal/testdir"
)

func TestLoadUnreadableFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can read anything")
	}
	dir := testdir.Private(t)
	path := writeIdentity(t, dir, validFile)
	if err := os.Chmod(path, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(path, 0o600) })
	_, err := Load(context.Background(), dir, testOpts())
	var ce *CorruptError
	if err == nil || errors.As(err, &ce) || !errors.Is(err, os.ErrPermission) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Load of an unreadable file = %v", err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0 {
		t.Fatalf("file mode changed to %s", fi.Mode())
	}
}

func TestLoadUnwritableDir(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can write anything")
	}
	parent := testdir.Private(t)
	if err := os.Chmod(parent, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(parent, 0o700) })
	dir := filepath.Join(parent, "kmsctl")
	_, err := Load(context.Background(), dir, testOpts())
	if err == nil || !errors.Is(err, os.ErrPermission) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("Load under a read-only parent = %v", err)
	}
}
