//go:build windows

package statedir

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// defaultDir is %LOCALAPPDATA%\kmsctl: per user, not roamed.
func defaultDir(getenv func(string) string) (string, error) {
	d := getenv("LOCALAPPDATA")
	if d == "" {
		return "", &Error{Op: "find", Problem: ProblemNoPath, Var: "%LOCALAPPDATA%"}
	}
	return filepath.Join(d, "kmsctl"), nil
}

// syncDir does nothing: Windows has no plain way to fsync a directory
// (os.Open cannot flush one), so the durability of the rename is left to
// NTFS metadata journaling.
func syncDir(dir string) error { return nil }

// private does nothing: Unix permission bits do not apply; the directory
// inherits its ACL from %LOCALAPPDATA% (or wherever the user put it).
func private(dir string, fi fs.FileInfo, created bool) error { return nil }

func euid() int { return -1 }

// replaceFile renames from over to, and Open opens a state file for
// reading. Windows refuses to replace a file another process has open, and
// to open one that is being replaced (ERROR_ACCESS_DENIED,
// ERROR_SHARING_VIOLATION), where Unix lets readers go on without the
// writers' lock because the rename is atomic. So, as Go's own cmd/go does
// (internal/robustio), both retry for up to 2 s before giving up. Found
// under Wine by TestActivation_ConcurrentWithRearm (rearm writing while ato
// and renew read).
func replaceFile(from, to string) error {
	return retryShared(func() error { return os.Rename(from, to) })
}

// openFile opens path for reading (see replaceFile).
func openFile(path string) (*os.File, error) {
	var f *os.File
	err := retryShared(func() (err error) { f, err = os.Open(path); return err })
	return f, err
}

func retryShared(op func() error) error {
	delay := time.Millisecond
	deadline := time.Now().Add(2 * time.Second)
	for {
		err := op()
		var errno syscall.Errno
		if err == nil || !errors.As(err, &errno) ||
			errno != syscall.ERROR_ACCESS_DENIED && errno != 32 /* ERROR_SHARING_VIOLATION */ ||
			time.Now().After(deadline) {
			return err
		}
		time.Sleep(delay)
		if delay < 64*time.Millisecond {
			delay *= 2
		}
	}
}
