package hresult

import "syscall"

// fromPOSIX translates a POSIX error number to the Win32 error that means
// the same situation (winerror.h names in the comments).
func fromPOSIX(e syscall.Errno) (Code, bool) {
	switch e {
	case syscall.EACCES, syscall.EPERM:
		return AccessDenied, true // ERROR_ACCESS_DENIED
	case syscall.ENOENT:
		return FileNotFound, true // ERROR_FILE_NOT_FOUND
	case syscall.ENOTDIR:
		return PathNotFound, true // ERROR_PATH_NOT_FOUND: a part of the path is not a directory
	case syscall.EROFS:
		return WriteProtect, true // ERROR_WRITE_PROTECT
	case syscall.ENOSPC, syscall.EDQUOT:
		return DiskFull, true // ERROR_DISK_FULL
	case syscall.EEXIST:
		return AlreadyExists, true // ERROR_ALREADY_EXISTS
	case syscall.EISDIR, syscall.EINVAL, syscall.ENAMETOOLONG:
		return InvalidArg, true // ERROR_INVALID_PARAMETER
	case syscall.EIO:
		return FromWin32(1117), true // ERROR_IO_DEVICE
	case syscall.EADDRINUSE:
		return FromWin32(10048), true // WSAEADDRINUSE
	case syscall.EADDRNOTAVAIL:
		return FromWin32(10049), true // WSAEADDRNOTAVAIL
	case syscall.ENETUNREACH:
		return FromWin32(10051), true // WSAENETUNREACH
	case syscall.ETIMEDOUT:
		return FromWin32(10060), true // WSAETIMEDOUT
	case syscall.ECONNREFUSED:
		return FromWin32(10061), true // WSAECONNREFUSED
	case syscall.EHOSTUNREACH:
		return FromWin32(10065), true // WSAEHOSTUNREACH
	}
	return 0, false
}
