//go:build !windows

package hresult

// systemText: only Windows has the text of every Win32 error; win32Texts and the table
// (errors.csv) cover the ones kmsctl reports.
func systemText(uint32) string { return "" }
