package hresult

import "syscall"

// fromErrno: on Windows an Errno is the Win32 error.
func fromErrno(e syscall.Errno) (Code, bool) {
	if e == 0 {
		return 0, false
	}
	return FromWin32(uint32(e)), true
}
