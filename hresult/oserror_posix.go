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
	}
	return 0, false
}
