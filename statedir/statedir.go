// Package statedir finds kmsctl's state directory and writes files in it.
//
// The state directory holds what kmsctl must remember between runs: the
// persistent client identity (identity.json, whose CMID a KMS host counts
// as one client), later per-host state, and the *.lock files that keep
// concurrent kmsctl processes from creating the same state twice. Nothing in
// it is a secret, but it is per user: the directory is kept at mode 0700 and
// files at 0600 on Unix.
//
// Files are replaced atomically (WriteFile), so a reader sees either the old
// or the new content, never a torn write, and a crash leaves at worst a
// stray ".name.tmp-*" file next to an intact target.
package statedir

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/gofrs/flock"
)

// EnvVar names the environment variable that overrides the default state
// directory (the --state-dir flag in turn overrides it).
const EnvVar = "KMSCTL_STATE_DIR"

// Resolve returns the state directory: override if non-empty (from
// --state-dir), else $KMSCTL_STATE_DIR, else the platform default:
// Linux/macOS $XDG_STATE_HOME/kmsctl (when $XDG_STATE_HOME is an absolute
// path, as the XDG spec requires) or ~/.local/state/kmsctl from $HOME;
// Windows %LOCALAPPDATA%\kmsctl.
//
// The environment is read through getenv so tests need not touch the process
// environment; nil means os.Getenv. The result is cleaned but not made
// absolute. Resolve creates nothing; call Ensure for that.
func Resolve(override string, getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if override != "" {
		return filepath.Clean(override), nil
	}
	if d := getenv(EnvVar); d != "" {
		return filepath.Clean(d), nil
	}
	d, err := defaultDir(getenv)
	if err != nil {
		return "", err
	}
	return d, nil
}

// Ensure creates dir, and any missing parents, with mode 0700, because it
// holds per-user state. An existing dir is never changed: on Unix one that
// other users may read or enter (mode wider than 0700) is refused with
// ProblemNotPrivate (or ProblemShared for a sticky directory such as /tmp,
// ProblemOtherOwner for another user's), so that the user decides between
// chmod 700 and another directory; a narrower one is used as it is. On
// Windows the directory inherits the ACL of %LOCALAPPDATA%, which is
// already per user, and nothing is checked.
//
// Ensure refuses a path that exists and is not a directory.
func Ensure(dir string) error {
	if dir == "" {
		return &Error{Op: "use", Problem: ProblemNoPath}
	}
	fi, err := os.Stat(dir)
	created := false
	switch {
	case err == nil:
		if !fi.IsDir() {
			return &Error{Op: "use", Path: dir, Problem: ProblemNotDir}
		}
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return &Error{Op: "create state directory", Path: dir, Err: unwrapPath(err)}
		}
		created = true
		if fi, err = os.Stat(dir); err != nil {
			return &Error{Op: "use state directory", Path: dir, Err: unwrapPath(err)}
		}
		if !fi.IsDir() { // replaced under us
			return &Error{Op: "use", Path: dir, Problem: ProblemNotDir}
		}
	default:
		if errors.Is(err, syscall.ENOTDIR) {
			return &Error{Op: "use", Path: dir, Problem: ProblemNotDir, Err: unwrapPath(err)}
		}
		return &Error{Op: "use state directory", Path: dir, Err: unwrapPath(err)}
	}
	// A new directory is set to 0700: the umask can leave it narrower
	// (e.g. 0500), which would make it unwritable.
	return private(dir, fi, created)
}

// Open opens a state file for reading, after checking its directory as
// Ensure checks an existing one (Check): kmsctl reads nothing from a
// directory it would refuse to write to, such as /tmp. Readers need not
// hold the writers' lock: WriteFile replaces files atomically. (On Windows
// it retries while a writer replaces the file.)
func Open(path string) (*os.File, error) {
	if err := Check(filepath.Dir(path)); err != nil {
		return nil, err
	}
	return openFile(path)
}

// Check refuses, with the same *Error as Ensure, an existing dir that is
// not a directory or (on Unix) that other users may read, write or enter.
// A dir that does not exist passes: there is nothing in it to read.
func Check(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil // the caller's own open reports it
	}
	if !fi.IsDir() {
		return &Error{Op: "use", Path: dir, Problem: ProblemNotDir}
	}
	return private(dir, fi, false)
}

// createTemp creates the temporary file WriteFile writes into. It is a
// variable so tests can make it fail.
var createTemp = os.CreateTemp

// rename moves the temporary file over the target (replaceFile); a
// variable so tests can make it fail.
var rename = replaceFile

// WriteFile atomically replaces path with data, leaving it at mode 0600.
//
// It writes a temporary file in the same directory (".<name>.tmp-<random>"),
// fsyncs and closes it, renames it over path and then, on Unix, fsyncs the
// directory so the rename itself is durable. On any error before the rename
// the temporary file is removed and path is untouched. An error from the
// final directory fsync means path already holds data but may not survive
// a crash.
//
// WriteFile refuses a target that exists and is not a regular file
// (a directory, a symbolic link, a device ...).
func WriteFile(path string, data []byte) error { return WriteFileMode(path, data, 0o600) }

// WriteFileMode is WriteFile leaving path at mode perm (on Unix): for
// files outside the state directory that others must read, such as a
// report for node_exporter's textfile collector. (google/renameio does
// the same but is a stub on Windows, which kmsctl supports.)
func WriteFileMode(path string, data []byte, perm fs.FileMode) (err error) {
	fi, err := os.Lstat(path)
	switch {
	case err == nil:
		if !fi.Mode().IsRegular() {
			return &Error{Op: "write", Path: path, Problem: ProblemNotRegular, Mode: fi.Mode()}
		}
	case errors.Is(err, fs.ErrNotExist):
	default:
		return &Error{Op: "write", Path: path, Err: unwrapPath(err)}
	}

	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := createTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return &Error{Op: "write", Path: path, Err: fmt.Errorf("create temporary file: %w", unwrapPath(err))}
	}
	tmp := f.Name()
	closed, renamed := false, false
	defer func() {
		if err != nil && !renamed {
			if !closed {
				_ = f.Close()
			}
			_ = os.Remove(tmp)
		}
	}()

	if _, err = f.Write(data); err != nil {
		return &Error{Op: "write", Path: path, Err: unwrapPath(err)}
	}
	// os.CreateTemp already uses 0600; this also undoes an odd umask.
	if err = f.Chmod(perm); err != nil {
		return &Error{Op: "write", Path: path, Err: unwrapPath(err)}
	}
	if err = f.Sync(); err != nil {
		return &Error{Op: "write", Path: path, Err: fmt.Errorf("sync: %w", unwrapPath(err))}
	}
	closed = true
	if err = f.Close(); err != nil {
		return &Error{Op: "write", Path: path, Err: unwrapPath(err)}
	}
	if err = rename(tmp, path); err != nil {
		return &Error{Op: "write", Path: path, Err: unwrapPath(err)}
	}
	renamed = true // the temporary file is gone; nothing to clean up
	if serr := syncDir(dir); serr != nil {
		return &Error{Op: "sync the directory of", Path: path, Err: unwrapPath(serr)}
	}
	return nil
}

// lockRetry is how often Lock polls a held lock.
const lockRetry = 20 * time.Millisecond

// Lock takes an exclusive advisory lock on path+".lock", creating that file
// (mode 0600) if needed, and retries until ctx is done. The lock excludes
// other processes and other Lock calls in the same process. Unlock releases
// it; the lock file is left in place (removing it would race with the next
// locker). Calling unlock more than once is harmless.
//
// When ctx ends first, the error names the lock file, says another kmsctl may
// be running, and wraps ctx.Err().
func Lock(ctx context.Context, path string) (unlock func() error, err error) {
	return LockNotify(ctx, path, nil)
}

// LockNotify is Lock that, when another process holds the lock, calls
// waiting with the lock file's path once before it starts to wait, so that
// the user learns why nothing happens. waiting may be nil.
func LockNotify(ctx context.Context, path string, waiting func(lockPath string)) (unlock func() error, err error) {
	lockPath := path + ".lock"
	fl := flock.New(lockPath, flock.SetPermissions(0o600))
	ok, err := fl.TryLock()
	if err == nil && !ok {
		if waiting != nil {
			waiting(lockPath)
		}
		ok, err = fl.TryLockContext(ctx, lockRetry)
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return nil, &Error{Op: "lock", Path: lockPath, Problem: ProblemLocked, Err: err}
		}
		return nil, &Error{Op: "lock", Path: lockPath, Err: unwrapPath(err)}
	}
	if !ok { // not reached: TryLockContext reports false only with an error
		return nil, &Error{Op: "lock", Path: lockPath, Problem: ProblemLocked}
	}
	return func() error {
		if err := fl.Unlock(); err != nil {
			return &Error{Op: "unlock", Path: lockPath, Err: unwrapPath(err)}
		}
		return nil
	}, nil
}

// unwrapPath drops an *fs.PathError's own "op path:" words, which Error
// says already, keeping the system error for errors.Is and the HRESULT.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Err != nil {
		return pe.Err
	}
	return err
}
