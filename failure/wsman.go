package failure

import (
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmshost"
)

// faultWords: the host's WinRM service answered with a WS-Management
// fault. The message is Windows' own (the fault's f:Message, or the WMI
// error's), the cause what kmsctl was doing with the status, code and
// sub-code, and the fix plain advice for the common codes.
func faultWords(e *kmshost.Error, c Context) (said, bool) {
	if e.SOAP == nil {
		return said{}, false
	}
	s := said{code: e.Code(), message: e.SOAP.Message, cause: e.Headline(), fix: faultFix(e.Fault, c)}
	if s.message == "" {
		s.message = winrmMeaning(e)
	}
	if s.fix == "" {
		s.fix = "the message says why the host's WinRM service refused the request; to see the same on the host, run the PowerShell that " + c.showScript() + " prints there"
		s.tableFix = true
	}
	return s, true
}

// faultFix is what to try for a fault's code; "" when kmsctl has nothing
// better than the code table and the generic advice.
func faultFix(code hresult.Code, c Context) string {
	switch code {
	case hresult.WSManInvalidOptions, hresult.WSManTooManyShells, hresult.WSManShellNotFound, hresult.WMIInvalidClass:
		// WS-Management and WMI codes: the advice is the code table's.
		i, _ := hresult.Lookup(code)
		return i.Fix
	case hresult.InvalidArg:
		return "the host's WinRM service refused a parameter of kmsctl's request; on a host with WinRM 2.0 (Windows Server 2008) install Windows Management Framework 3.0 or later; otherwise please report it as a kmsctl bug"
	case hresult.AccessDenied:
		return "the account may not do this on the host: make it a member of the host's Administrators, or see README (least-privilege account: Remote Management Users, Event Log Readers, Remote Enable on root\\cimv2)"
	case hresult.WSManOperationTimeout:
		h := "the host did not finish in time"
		if f := c.flagList("timeout", "winrm-timeout"); f != "" {
			h += ": raise " + f
		}
		return h
	case hresult.FileNotFound:
		return "the host could not start a program kmsctl's request needs (powershell.exe in a cmd shell): check that Windows PowerShell is installed and on the host's system PATH"
	}
	return ""
}
