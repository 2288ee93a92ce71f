// Package hresult holds the Windows error codes kmsctl reports and the
// table that explains them (meaning, likely causes, what to try), embedded
// from errors.csv and parsed only when a code is first explained.
package hresult

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Code is an HRESULT (or, for RPC faults, the NCA status) as Windows shows it.
type Code uint32

// Codes kmsctl produces or expects by name.
const (
	OK                  Code = 0x00000000
	NoKMSHost           Code = 0xC004F074 // SL_E_VL_BINDING_SERVICE_UNAVAILABLE
	NotEnoughCount      Code = 0xC004F038 // SL_E_VL_NOT_ENOUGH_COUNT
	NotKMSHost          Code = 0xC004F039 // SL_E_VL_BINDING_SERVICE_NOT_ENABLED
	KMSIDMismatch       Code = 0xC004F042 // SL_E_VL_KEY_MANAGEMENT_SERVICE_ID_MISMATCH
	KMSNotActivated     Code = 0xC004F041 // SL_E_VL_KEY_MANAGEMENT_SERVICE_NOT_ACTIVATED: the KMS host itself is not activated
	InvalidTimestamp    Code = 0xC004F06C // SL_E_VL_INVALID_TIMESTAMP
	TooManyClients      Code = 0xC004D104 // vlmcsd: client list full
	InvalidData         Code = 0x8007000D // ERROR_INVALID_DATA
	InvalidArg          Code = 0x80070057 // E_INVALIDARG
	CallFailed          Code = 0x800706BE // RPC_S_CALL_FAILED
	ServerUnavailable   Code = 0x800706BA // RPC_S_SERVER_UNAVAILABLE
	Timeout             Code = 0x800705B4 // ERROR_TIMEOUT
	Cancelled           Code = 0x800704C7 // ERROR_CANCELLED: the user stopped the run (Ctrl-C)
	DNSServerFailure    Code = 0x8007232A // DNS_ERROR_RCODE_SERVER_FAILURE
	DNSNameError        Code = 0x8007232B // DNS_ERROR_RCODE_NAME_ERROR
	DNSNoRecords        Code = 0x8007251D // DNS_INFO_NO_RECORDS
	ProductKeyInvalid   Code = 0xC004F050 // SL_E_INVALID_PRODUCT_KEY
	KeyNotInstalled     Code = 0xC004F014 // SL_E_PKEY_NOT_INSTALLED
	ValueNotFound       Code = 0xC004F012 // SL_E_VALUE_NOT_FOUND
	MaxRearmReached     Code = 0xC004D307 // SL_REMAPPING_SP_PUB_TS_MAX_REARM_REACHED
	ProductUseRightInfo Code = 0x4004F040 // SL_E_VL_INFO_PRODUCT_USER_RIGHT (a success)
)

// String returns the code as Windows prints it: 0xC004F074.
func (c Code) String() string { return fmt.Sprintf("0x%08X", uint32(c)) }

// Failed reports whether the code is a failure (severity bit set).
func (c Code) Failed() bool { return c&0x80000000 != 0 }

// Parse reads "0xC004F074", "C004F074" or a signed decimal such as -1073418124.
func Parse(s string) (Code, error) {
	s = strings.TrimSpace(s)
	h := strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if h != s || len(h) == 8 {
		v, err := strconv.ParseUint(h, 16, 32)
		if err == nil {
			return Code(v), nil
		}
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil && v >= -1<<31 && v < 1<<32 {
		return Code(uint32(v)), nil
	}
	return 0, fmt.Errorf("%q is not an error code (expected a form like 0xC004F074)", s)
}

// Info explains a code.
type Info struct {
	Code    Code
	Name    string // symbolic name, e.g. SL_E_VL_NOT_ENOUGH_COUNT
	Meaning string
	Causes  string
	Fix     string
}

//go:embed errors.csv
var table string

var (
	once  sync.Once
	infos map[Code]Info
	order []Code
)

func load() {
	r := csv.NewReader(strings.NewReader(table))
	recs, err := r.ReadAll()
	if err != nil {
		// The table is compiled in and covered by tests; an unreadable
		// table leaves every code unexplained rather than failing a command.
		infos = map[Code]Info{}
		return
	}
	infos = make(map[Code]Info, len(recs))
	for _, rec := range recs[1:] {
		if len(rec) < 6 {
			continue
		}
		c, err := Parse(rec[0])
		if err != nil {
			continue
		}
		infos[c] = Info{Code: c, Name: rec[2], Meaning: rec[3], Causes: rec[4], Fix: rec[5]}
		order = append(order, c)
	}
}

// Lookup returns what the table says about c.
func Lookup(c Code) (Info, bool) {
	once.Do(load)
	i, ok := infos[c]
	return i, ok
}

// All returns every explained code in table order.
func All() []Info {
	once.Do(load)
	out := make([]Info, 0, len(order))
	for _, c := range order {
		out = append(out, infos[c])
	}
	return out
}

// FromWin32 converts a Win32 error number to its HRESULT (HRESULT_FROM_WIN32).
func FromWin32(n uint32) Code {
	if n == 0 || n&0x80000000 != 0 {
		return Code(n)
	}
	return Code(n&0xFFFF | 7<<16 | 0x80000000)
}

// Local failures: what Windows reports for the same situation on this
// machine (HRESULT_FROM_WIN32 of the Win32 error).
const (
	FileNotFound  Code = 0x80070002 // ERROR_FILE_NOT_FOUND
	PathNotFound  Code = 0x80070003 // ERROR_PATH_NOT_FOUND
	AccessDenied  Code = 0x80070005 // E_ACCESSDENIED (ERROR_ACCESS_DENIED)
	WriteProtect  Code = 0x80070013 // ERROR_WRITE_PROTECT: the medium is read-only
	DiskFull      Code = 0x80070070 // ERROR_DISK_FULL
	AlreadyExists Code = 0x800700B7 // ERROR_ALREADY_EXISTS
	LockViolation Code = 0x80070021 // ERROR_LOCK_VIOLATION: another process holds the lock
	HostNotFound  Code = 0x80072AF9 // WSAHOST_NOT_FOUND
)

// Codes kmsctl meets around the KMS exchange: a reason the licensing
// service gives, name resolution, reading a KMS host over WinRM (WinRM,
// WS-Management and WMI, TLS), and the generic failures a PowerShell
// script reports (winerror.h; MS-WSMV 2.2.4.43 for the WS-Management ones).
// What each means, its causes and the fix are in errors.csv (explain and
// the error blocks read them there), the one place they are written.
const (
	GraceTimeExpired Code = 0xC004F009 // SL_E_GRACE_TIME_EXPIRED: a grace period ended (a Notification reason)

	InvalidName  Code = 0x8007007B // ERROR_INVALID_NAME: Windows' code when it has no DNS domain to look in
	NoDNSServers Code = 0x8007267C // DNS_ERROR_NO_DNS_SERVERS: no DNS server to ask
	ConnRefused  Code = 0x8007274D // WSAECONNREFUSED

	WinRMCannotConnect    Code = 0x80338012 // ERROR_WSMAN_DESTINATION_UNREACHABLE
	WSManInvalidOptions   Code = 0x8033800F // ERROR_WSMAN_INVALID_MESSAGE_INFORMATION_HEADER (2150858767)
	WSManOperationTimeout Code = 0x80338029 // ERROR_WSMAN_OPERATION_TIMEDOUT (2150858793)
	WSManShellNotFound    Code = 0x8033805B // ERROR_WSMAN_UNEXPECTED_SELECTORS (2150858843): the shell is gone
	WSManTooManyShells    Code = 0x803381A5 // ERROR_WSMAN_QUOTA_MAX_SHELLS (2150859173)
	WMIInvalidClass       Code = 0x80041010 // WBEM_E_INVALID_CLASS

	CertUntrustedRoot   Code = 0x800B0109 // CERT_E_UNTRUSTEDROOT
	CertNameMismatch    Code = 0x800B010F // CERT_E_CN_NO_MATCH
	CertExpired         Code = 0x800B0101 // CERT_E_EXPIRED
	TLSIllegalMessage   Code = 0x80090326 // SEC_E_ILLEGAL_MESSAGE
	Fail                Code = 0x80004005 // E_FAIL
	CORException        Code = 0x80131500 // COR_E_EXCEPTION: .NET's generic exception
	CORSystem           Code = 0x80131501 // COR_E_SYSTEM
	CORInvalidOperation Code = 0x80131509 // COR_E_INVALIDOPERATION
)

// DCE/RPC fault statuses (NCA codes, C706 Appendix E): not HRESULTs, but
// what a host's fault PDU carries and kmsctl reports as the code
// (docs/protocol.md §2.7); kmsclient.FaultName words them.
const (
	FaultUnspecified        Code = 0x1C000012 // nca_s_fault_unspec
	FaultContextMismatch    Code = 0x1C00001A // nca_s_fault_context_mismatch
	FaultInvalidPresContext Code = 0x1C00001C // nca_s_invalid_pres_context_id
	FaultOpRange            Code = 0x1C010002 // nca_s_op_rng_error
	FaultUnknownInterface   Code = 0x1C010003 // nca_s_unk_if
	FaultProtoError         Code = 0x1C01000B // nca_s_proto_error
)

// Unclassified is kmsctl's own code for a failure it has no Windows code
// for. It is a customer-defined HRESULT (severity and customer bits set,
// facility 0), so it can never be mistaken for one Windows reports.
const Unclassified Code = 0xA0000001

// IsWin32 reports whether c is HRESULT_FROM_WIN32 of a Win32 error, and
// returns that error's number.
func (c Code) IsWin32() (uint32, bool) {
	if c&0xFFFF0000 == 0x80070000 {
		return uint32(c & 0xFFFF), true
	}
	return 0, false
}
