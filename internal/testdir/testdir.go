// Package testdir gives tests a private temporary directory to use as a
// state directory. t.TempDir's directories are created 0777 less the umask
// (0755 usually), and kmsctl refuses a state directory that other users
// may read rather than change its mode behind the user's back.
package testdir

import (
	"os"
	"testing"
)

// Private returns a new temporary directory with mode 0700, removed when
// the test ends.
func Private(t testing.TB) string {
	t.Helper()
	d := t.TempDir()
	if err := os.Chmod(d, 0o700); err != nil {
		t.Fatal(err)
	}
	return d
}
