//go:build !windows

package hresult

import "syscall"

// fromErrno: on Unix an Errno is a POSIX error number.
func fromErrno(e syscall.Errno) (Code, bool) { return fromPOSIX(e) }
