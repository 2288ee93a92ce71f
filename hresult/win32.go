package hresult

import "fmt"

// win32Texts are Windows' own texts (FormatMessage, English) of the Win32
// errors kmsctl reports for local failures, so that every system shows
// them; Windows itself could give any other (see Describe).
var win32Texts = map[uint32]string{
	2:     "The system cannot find the file specified.",
	3:     "The system cannot find the path specified.",
	5:     "Access is denied.",
	13:    "The data is invalid.",
	19:    "The media is write protected.",
	33:    "The process cannot access the file because another process has locked a portion of the file.",
	87:    "The parameter is incorrect.",
	112:   "There is not enough space on the disk.",
	183:   "Cannot create a file when that file already exists.",
	1117:  "The request could not be performed because of an I/O device error.",
	10048: "Only one usage of each socket address (protocol/network address/port) is normally permitted.",
	10049: "The requested address is not valid in its context.",
	10051: "A socket operation was attempted to an unreachable network.",
	10060: "A connection attempt failed because the connected party did not properly respond after a period of time, or established connection failed because connected host has failed to respond.",
	10061: "No connection could be made because the target machine actively refused it.",
	10065: "A socket operation was attempted to an unreachable host.",
}

// Win32Text is Windows' text for Win32 error n, from kmsctl's own list or,
// on Windows, from the system; "" when neither has it.
func Win32Text(n uint32) string {
	if s, ok := win32Texts[n]; ok {
		return s
	}
	return systemText(n)
}

// Describe explains any code: the table's entry when there is one, else
// for HRESULT_FROM_WIN32 codes (0x8007xxxx) "Win32 error N" with Windows'
// text, else for 0 and 1 (S_OK, S_FALSE) that they mean success. ok is false for a code nothing
// is known about.
func Describe(c Code) (Info, bool) {
	if i, ok := Lookup(c); ok {
		return i, true
	}
	if c == OK {
		return Info{Code: c, Name: "S_OK", Meaning: "0x00000000 means success: the operation completed successfully."}, true
	}
	if c == 1 { // S_FALSE, winerror.h
		return Info{Code: c, Name: "S_FALSE", Meaning: "0x00000001 is a success code: the operation completed and answered \"false\" or \"nothing to do\"; it is not a failure."}, true
	}
	if n, ok := c.IsWin32(); ok {
		i := Info{Code: c, Meaning: fmt.Sprintf("Win32 error %d.", n),
			Fix: fmt.Sprintf("on Windows, net helpmsg %d prints the system's text for it", n)}
		if s := Win32Text(n); s != "" {
			i.Meaning, i.Fix = fmt.Sprintf("Win32 error %d: %s", n, s), ""
		}
		return i, true
	}
	return Info{}, false
}
