package hresult

import (
	"strings"
	"syscall"
)

// systemText is Windows' own text for Win32 error n (FormatMessage).
func systemText(n uint32) string {
	s := strings.TrimSpace(syscall.Errno(n).Error())
	if strings.HasPrefix(s, "winapi error") || strings.HasPrefix(s, "errno ") {
		return ""
	}
	return s
}
