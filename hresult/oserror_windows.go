package hresult

import "syscall"

// fromErrno: on Windows an Errno is the Win32 error, except the POSIX
// names Go's syscall package invents for portability (EACCES, ENOSPC, …,
// numbered from syscall.APPLICATION_ERROR), which no Windows call returns
// but Go code may: those go through the POSIX table, so syscall.EACCES is
// access denied on every system.
func fromErrno(e syscall.Errno) (Code, bool) {
	if e == 0 {
		return 0, false
	}
	if e >= syscall.APPLICATION_ERROR {
		return fromPOSIX(e)
	}
	return FromWin32(uint32(e)), true
}
