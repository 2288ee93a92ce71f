//go:build !windows

package statedir

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// defaultDir is $XDG_STATE_HOME/kmsctl, or ~/.local/state/kmsctl when that
// is unset or not absolute (the XDG spec says to ignore relative values).
// macOS uses the same layout: kmsctl is a command-line tool, not an app
// with a ~/Library container.
func defaultDir(getenv func(string) string) (string, error) {
	if x := getenv("XDG_STATE_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "kmsctl"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", &Error{Op: "find", Problem: ProblemNoPath, Var: "$HOME"}
	}
	return filepath.Join(home, ".local", "state", "kmsctl"), nil
}

// syncDir fsyncs dir so that a rename inside it is durable. File systems
// that cannot fsync a directory (EINVAL, ENOTSUP) are not an error.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP) {
		return nil
	}
	return err
}

// private checks that dir, described by fi, is private to the user. A
// directory Ensure just created (created) is set to 0700 whatever the
// umask made it. An existing one is never changed behind the user's back:
// one that others may read, write or enter (any group or other bit) is
// refused, with the reason (a sticky shared directory like /tmp, another
// user's directory, or just wider permissions) for the user to decide. A
// narrower one (0500, made read-only on purpose) is used as it is.
func private(dir string, fi fs.FileInfo, created bool) error {
	perm := fi.Mode().Perm()
	if created {
		if perm == 0o700 {
			return nil
		}
		if err := os.Chmod(dir, 0o700); err != nil {
			return &Error{Op: "make private", Path: dir, Mode: fi.Mode(), Err: unwrapPath(err)}
		}
		return nil
	}
	if perm&0o077 == 0 {
		return nil
	}
	if fi.Mode()&fs.ModeSticky != 0 {
		return &Error{Op: "use", Path: dir, Problem: ProblemShared, Mode: fi.Mode()}
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return &Error{Op: "use", Path: dir, Problem: ProblemOtherOwner, Mode: fi.Mode(), Owner: int(st.Uid)}
	}
	return &Error{Op: "use", Path: dir, Problem: ProblemNotPrivate, Mode: fi.Mode()}
}

func euid() int { return os.Geteuid() }

// replaceFile renames from over to: atomic on Unix, whoever has it open.
func replaceFile(from, to string) error { return os.Rename(from, to) }

// openFile opens a state file for reading (see Open).
func openFile(path string) (*os.File, error) { return os.Open(path) }
