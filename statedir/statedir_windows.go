//go:build windows

package statedir

import (
	"io/fs"
	"path/filepath"
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
