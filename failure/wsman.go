package failure

import (
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmshost"
)

// WS-Management faults a read of a KMS host meets, by the Windows code in
// the fault's WSManFault (winerror.h; MS-WSMV 2.2.4.43).
const (
	wsmanInvalidOptions   hresult.Code = 0x8033800F // 2150858767: an option of the request is invalid
	wsmanOperationTimeout hresult.Code = 0x80338029 // 2150858793: nothing done within the OperationTimeout
	wsmanShellNotFound    hresult.Code = 0x8033805B // 2150858843: the shell is not on the host (any more)
	wsmanTooManyShells    hresult.Code = 0x803381A5 // 2150859173: the user's MaxShellsPerUser quota is used up
	win32AccessDenied     hresult.Code = 0x80070005 // E_ACCESSDENIED
	win32FileNotFound     hresult.Code = 0x80070002 // ERROR_FILE_NOT_FOUND
	win32InvalidParameter hresult.Code = 0x80070057 // E_INVALIDARG (ERROR_INVALID_PARAMETER, 87)
	wmiInvalidClass       hresult.Code = 0x80041010 // WBEM_E_INVALID_CLASS
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
	case wsmanInvalidOptions:
		return "the host's WinRM service refused an option of kmsctl's request: that is a kmsctl bug; please report it with the command line you ran and this message"
	case win32InvalidParameter:
		return "the host's WinRM service refused a parameter of kmsctl's request; on a host with WinRM 2.0 (Windows Server 2008) install Windows Management Framework 3.0 or later; otherwise please report it as a kmsctl bug"
	case win32AccessDenied:
		return "the account may not do this on the host: make it a member of the host's Administrators, or see README (least-privilege account: Remote Management Users, Event Log Readers, Remote Enable on root\\cimv2)"
	case wsmanTooManyShells:
		return "the account has as many remote shells open on the host as WinRM allows it (MaxShellsPerUser): close its other sessions or wait for idle ones to time out, or raise the quota on the host (winrm set winrm/config/winrs @{MaxShellsPerUser=\"30\"})"
	case wsmanOperationTimeout:
		h := "the host did not finish in time"
		if f := c.flagList("timeout", "winrm-timeout"); f != "" {
			h += ": raise " + f
		}
		return h
	case wsmanShellNotFound:
		return "the host dropped kmsctl's remote shell (the WinRM service restarted, or the shell idled out): run the command again"
	case win32FileNotFound:
		return "the host could not start a program kmsctl's request needs (powershell.exe in a cmd shell): check that Windows PowerShell is installed and on the host's system PATH"
	case wmiInvalidClass:
		return "the host lacks a WMI class kmsctl reads (SoftwareLicensingService, SoftwareLicensingProduct): it is not a Windows licensing host, or its WMI repository is damaged (winmgmt /verifyrepository on the host)"
	}
	return ""
}
