package hresult

import (
	"errors"
	"io/fs"
	"syscall"
)

// FromOSError returns the HRESULT Windows reports for a failed file-system
// or system call, when err wraps one: on Windows the Win32 error itself,
// elsewhere the Win32 error that means the same (EACCES is
// ERROR_ACCESS_DENIED, ENOSPC ERROR_DISK_FULL, ...). ok is false when err
// carries no system error kmsctl can translate.
func FromOSError(err error) (c Code, ok bool) {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if c, ok := fromErrno(errno); ok {
			return c, true
		}
	}
	switch {
	case errors.Is(err, fs.ErrPermission):
		return AccessDenied, true
	case errors.Is(err, fs.ErrNotExist):
		return FileNotFound, true
	case errors.Is(err, fs.ErrExist):
		return AlreadyExists, true
	}
	return 0, false
}
