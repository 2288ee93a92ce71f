package statedir

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/internal/prose"
)

// Problem says what is wrong with a state directory or file, beyond what
// the system's error (Error.Err) says.
type Problem int

// The problems of Error.
const (
	// ProblemSystem: the system refused an operation; Err says why.
	ProblemSystem Problem = iota
	// ProblemNoPath: there is no directory to use (empty path, or the
	// variable the platform default is built from is unset).
	ProblemNoPath
	// ProblemNotDir: the path exists and is not a directory.
	ProblemNotDir
	// ProblemShared: a sticky directory shared with other users, like /tmp.
	ProblemShared
	// ProblemOtherOwner: a directory that is not private and belongs to
	// another user.
	ProblemOtherOwner
	// ProblemNotPrivate: an existing directory of the user's that others
	// may read or enter (group or other permission bits); kmsctl does not
	// chmod it behind the user's back.
	ProblemNotPrivate
	// ProblemNotRegular: a state file that is not a regular file (a
	// directory, a symbolic link, a device ...).
	ProblemNotRegular
	// ProblemLocked: another process holds the lock past the deadline.
	ProblemLocked
)

// Error is a state directory or state file that cannot be used. It holds
// facts only; package failure puts them into words.
type Error struct {
	Op      string // what was being done: "find", "create", "use", "write", "lock"
	Path    string // the directory or file; "" when there is none (ProblemNoPath)
	Problem Problem
	// Var is, for ProblemNoPath, the unset environment variable the
	// default directory comes from ($HOME, %LOCALAPPDATA%).
	Var   string
	Mode  fs.FileMode // ProblemShared, ProblemOtherOwner, ProblemNotPrivate, ProblemNotRegular: the mode found
	Owner int         // ProblemOtherOwner: the owner's uid
	Err   error       // the system's error, when there is one
}

func (e *Error) Error() string {
	var s string
	switch e.Problem {
	case ProblemNoPath:
		if e.Var != "" {
			s = "no state directory: " + e.Var + " is not set"
		} else {
			s = "no state directory: the path is empty"
		}
	case ProblemNotDir:
		s = fmt.Sprintf("state directory %s exists and is not a directory", e.Path)
	case ProblemShared:
		s = fmt.Sprintf("state directory %s is a shared directory (mode %04o)", e.Path, unixMode(e.Mode))
	case ProblemOtherOwner:
		s = fmt.Sprintf("state directory %s has mode %#o and is owned by uid %d, not by you (uid %d)", e.Path, e.Mode.Perm(), e.Owner, euid())
	case ProblemNotPrivate:
		s = fmt.Sprintf("state directory %s has mode %#o: %s", e.Path, e.Mode.Perm(), openTo(e.Mode.Perm()))
	case ProblemNotRegular:
		s = fmt.Sprintf("refusing to replace %s: not a regular file (it is %s)", e.Path, fileKind(e.Mode))
	case ProblemLocked:
		s = fmt.Sprintf("could not lock %s: another kmsctl may be running", e.Path)
	default:
		s = e.Op + " " + e.Path
	}
	switch {
	case e.Problem == ProblemLocked && errors.Is(e.Err, context.DeadlineExceeded):
		s += ": it was still held when the time ran out"
	case e.Problem == ProblemLocked && errors.Is(e.Err, context.Canceled):
		s += ": the wait for it was cancelled"
	case e.Err != nil:
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Code is what Windows reports for the same situation: 0x80070003 (path
// not found) for no directory or a file in its place, 0x80070005 (access
// denied) for a directory kmsctl must not use, 0x80070057 for a state file
// that is not a regular file, 0x80070021 (lock violation) for a lock held
// elsewhere, else the system error's own code (hresult.FromOSError).
func (e *Error) Code() hresult.Code {
	switch e.Problem {
	case ProblemNoPath, ProblemNotDir:
		return hresult.PathNotFound
	case ProblemShared, ProblemOtherOwner, ProblemNotPrivate:
		return hresult.AccessDenied
	case ProblemNotRegular:
		return hresult.InvalidArg
	case ProblemLocked:
		return hresult.LockViolation
	}
	if c, ok := hresult.FromOSError(e.Err); ok {
		return c
	}
	return hresult.Unclassified
}

// unixMode is m as chmod and ls -l's octal forms write it: the
// permission bits with setuid (4000), setgid (2000) and sticky (1000).
func unixMode(m fs.FileMode) uint32 {
	u := uint32(m.Perm())
	for bit, octal := range map[fs.FileMode]uint32{fs.ModeSetuid: 0o4000, fs.ModeSetgid: 0o2000, fs.ModeSticky: 0o1000} {
		if m&bit != 0 {
			u |= octal
		}
	}
	return u
}

// openTo says what perm lets users other than the owner do with a
// directory: "its group may list, write to and enter it", "other users
// may enter it" (read: list its files; write: add, remove or replace
// them; execute: enter it and open files by name).
func openTo(perm fs.FileMode) string {
	can := func(bits fs.FileMode) string {
		var words []string
		for _, w := range []struct {
			bit  fs.FileMode
			word string
		}{{4, "list"}, {2, "write to"}, {1, "enter"}} {
			if bits&w.bit != 0 {
				words = append(words, w.word)
			}
		}
		return prose.List(words, "and")
	}
	group, others := can(perm>>3&7), can(perm&7)
	switch {
	case group != "" && group == others:
		return "its group and other users may " + group + " it"
	case group != "" && others != "":
		return "its group may " + group + " it, other users may " + others + " it"
	case group != "":
		return "its group may " + group + " it"
	}
	return "other users may " + others + " it"
}

// fileKind names the type of a file that is not a regular one, in words
// ("a directory"), not as ls's mode string ("d---------").
func fileKind(m fs.FileMode) string {
	switch t := m.Type(); {
	case t&fs.ModeDir != 0:
		return "a directory"
	case t&fs.ModeSymlink != 0:
		return "a symbolic link"
	case t&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case t&fs.ModeSocket != 0:
		return "a socket"
	case t&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}
