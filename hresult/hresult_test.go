package hresult

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
)

func TestTableLoads(t *testing.T) {
	all := All()
	if len(all) < 60 {
		t.Fatalf("only %d codes in the table", len(all))
	}
	for _, c := range []Code{NoKMSHost, NotEnoughCount, NotKMSHost, KMSIDMismatch, InvalidTimestamp,
		InvalidData, CallFailed, DNSServerFailure, DNSNameError, DNSNoRecords, Timeout, TooManyClients} {
		i, ok := Lookup(c)
		if !ok || i.Meaning == "" || i.Fix == "" || i.Name == "" {
			t.Errorf("%s: %+v %v", c, i, ok)
		}
	}
	if i, _ := Lookup(NotEnoughCount); i.Name != "SL_E_VL_NOT_ENOUGH_COUNT" {
		t.Errorf("name %q", i.Name)
	}
}

func TestParseAndString(t *testing.T) {
	tests := []struct {
		in   string
		want Code
		ok   bool
	}{
		{"0xC004F074", NoKMSHost, true},
		{"0xc004f074", NoKMSHost, true},
		{"C004F074", NoKMSHost, true},
		{"-1073418124", NoKMSHost, true},
		{"469827587", 0x1C010003, true},
		{"0x", 0, false},
		{"hello", 0, false},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Parse(%q) = %v, %v", tt.in, got, err)
		}
	}
	if s := NoKMSHost.String(); s != "0xC004F074" {
		t.Errorf("String = %s", s)
	}
	if !NoKMSHost.Failed() || ProductUseRightInfo.Failed() {
		t.Error("Failed()")
	}
	if FromWin32(0x6F7) != 0x800706F7 || FromWin32(0) != 0 {
		t.Error("FromWin32")
	}
}

func TestFromOSErrorAndWin32(t *testing.T) {
	if c, ok := FromOSError(&os.PathError{Op: "open", Path: "x", Err: fs.ErrPermission}); !ok || c != AccessDenied {
		t.Errorf("permission: %v %v", c, ok)
	}
	if _, ok := FromOSError(errors.New("plain")); ok {
		t.Error("a plain error has no system code")
	}
	i, ok := Describe(0x80070020)
	if !ok || !strings.HasPrefix(i.Meaning, "Win32 error 32") || i.Name != "" {
		t.Errorf("0x80070020: %+v", i)
	}
	if i, ok := Describe(OK); !ok || !strings.Contains(i.Meaning, "success") {
		t.Errorf("0: %+v", i)
	}
	if _, ok := Describe(0xC004FFFF); ok {
		t.Error("an unknown SL code is not explained")
	}
}

// Every code kmsctl reports itself is in the table explain reads, with a
// name and a meaning: explain must never refuse a code kmsctl printed.
func TestReportedCodesExplained(t *testing.T) {
	for _, c := range []Code{WinRMCannotConnect, WSManInvalidOptions, WSManOperationTimeout, WSManShellNotFound,
		WSManTooManyShells, WMIInvalidClass, CertUntrustedRoot, CertNameMismatch, CertExpired, TLSIllegalMessage, Fail,
		FileNotFound, PathNotFound, AccessDenied, WriteProtect, DiskFull, AlreadyExists, LockViolation, HostNotFound,
		InvalidName, NoDNSServers, ConnRefused, GraceTimeExpired, Cancelled, KMSNotActivated,
		// A host's fault PDU: the NCA statuses and the Win32 errors
		// Windows' RPC runtime sends (kmsclient.FaultName names them all).
		FaultUnspecified, FaultContextMismatch, FaultInvalidPresContext, FaultOpRange, FaultUnknownInterface,
		FaultProtoError, FromWin32(1783), FromWin32(1745), FromWin32(5)} {
		i, ok := Lookup(c)
		if !ok || i.Name == "" || i.Meaning == "" || i.Fix == "" {
			t.Errorf("%s: %+v, in the table %v", c, i, ok)
		}
	}
}
