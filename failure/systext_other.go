//go:build !windows

package failure

// systemText: only Windows has the text of Win32 errors; kmsctl's own table
// (hresult/errors.csv) covers the ones it reports.
func systemText(uint32) string { return "" }
