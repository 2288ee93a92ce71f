package failure

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/discovery"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/limit"
	"github.com/kmsctl/kmsctl/probe"
)

func TestDescribe(t *testing.T) {
	status := Context{Command: "status", Flags: []string{"timeout", "protocol", "domain", "dns-server"}}
	tests := []struct {
		err     error
		code    string
		fixHas  string
		noTable bool
		message string
	}{
		{&kmsclient.Error{Code: hresult.NoKMSHost, Kind: kmsclient.KindVerify, Check: kmsclient.CheckHMAC, Op: "verify reply", Err: errors.New("x")},
			"0xC004F074", "V6 HMAC check", false, "No KMS host could be contacted"},
		{&kmsclient.Error{Code: hresult.KMSIDMismatch, Kind: kmsclient.KindHost, Op: "request", Err: errors.New("x")},
			"0xC004F042", "", false, "The KMS host cannot activate this product"},
		{&UsageError{Msg: "bad", Hint: "do this"}, "0x80070057", "do this", true, "The parameter is incorrect."},
		{fmt.Errorf("lookup: %w", catalogue.ErrNotFound), "0x80070057", "name a product exactly", true, "The parameter is incorrect."},
		{errors.New("something nobody expected"), "0xA0000001", "report it", true, "kmsctl failed in a way"},
		// Ctrl-C: Windows' ERROR_CANCELLED, never kmsctl's "report it".
		{probe.ErrNotProbed, "0x800704C7", "use --timeout instead of Ctrl-C", true, "The operation was canceled by the user."},
		{probe.ErrCutShort, "0x800704C7", "let it finish", true, "The operation was canceled by the user."},
		{fmt.Errorf("contact 10.0.0.5:1688: %w", limit.ErrInterrupted), "0x800704C7", "let it finish", true, "The operation was canceled by the user."},
	}
	for _, tt := range tests {
		info := Describe(tt.err, status)
		if info.Code != tt.code || !strings.Contains(info.Fix, tt.fixHas) || !strings.HasPrefix(info.Message, tt.message) || info.Cause != tt.err.Error() {
			t.Errorf("%v: %+v", tt.err, info)
		}
		if tt.noTable && strings.Contains(info.Fix, "slmgr") {
			t.Errorf("%v: the table's slmgr advice leaked into %q", tt.err, info.Fix)
		}
	}
}

func TestExitStatus(t *testing.T) {
	plain, check := Context{}, Context{Check: true}
	tests := []struct {
		err   error
		c     Context
		want  int
		label string
	}{
		{nil, plain, 0, "success"},
		{&kmsclient.Error{Kind: kmsclient.KindHost}, plain, 1, "host said no"},
		{&UsageError{}, plain, 2, "usage"},
		{&UsageError{}, check, 3, "usage with --check"},
		{Check(2), check, 2, "CRITICAL"},
		{Activations([]error{&kmsclient.Error{Kind: kmsclient.KindHost}}), plain, 1, "ato refused"},
		{Activations([]error{&kmsclient.Error{Kind: kmsclient.KindNetwork}}), plain, 2, "ato unreachable"},
		{DNSCheck(&discovery.Report{Records: []discovery.Record{{Dead: true}}}, nil), plain, 1, "dead record"},
		{&WriteError{Err: errors.New("no space")}, plain, 2, "write"},
		{errors.New("unknown"), plain, 2, "unclassified"},
	}
	for _, tt := range tests {
		if got := ExitStatus(tt.err, tt.c); got != tt.want {
			t.Errorf("%s: ExitStatus = %d, want %d", tt.label, got, tt.want)
		}
	}
	if Activations([]error{nil}) != nil || Check(0) != nil || Hosts(nil, nil) != nil {
		t.Error("a success must be nil")
	}
}

func TestFlag(t *testing.T) {
	c := Context{Command: "ato", Flags: []string{"timeout"}}
	if c.Flag("timeout") != "--timeout" || c.Flag("domain") != "" || c.flagList("timeout", "deadline") != "--timeout" {
		t.Errorf("Flag: %q %q", c.Flag("timeout"), c.Flag("domain"))
	}
}

func TestClientLogFree(t *testing.T) {
	in := "Read the client's Application log event 12288 (and 12289 if present) for the real HRESULT; test TCP 1688 to the host; check the SRV record"
	if got := clientLogFree(in); got != "Test TCP 1688 to the host; check the SRV record" {
		t.Errorf("clientLogFree = %q", got)
	}
	c := Context{Command: "status"}
	for _, code := range []hresult.Code{0xC004F056, 0xC0020017, hresult.NoKMSHost} {
		info := Describe(&kmsclient.Error{Code: code, Kind: kmsclient.KindHost, Op: "request", Err: errors.New("x")}, c)
		if clientEvents().MatchString(info.Fix) {
			t.Errorf("%s: %q", code, info.Fix)
		}
	}
}

// TestDescribe_RunOut: a host status's --deadline left unasked, or
// stopped while it was being asked, is the run's timeout (ERROR_TIMEOUT)
// with advice about the run, never 0xC004F074 with "check that HOST is
// reachable".
func TestDescribe_RunOut(t *testing.T) {
	status := Context{Command: "status", Flags: []string{"timeout", "deadline", "concurrency"}}
	l := &limit.Limit{Kind: limit.Deadline, D: 2 * time.Second}
	timedOut := &kmsclient.Error{Code: hresult.NoKMSHost, Kind: kmsclient.KindTimeout, Op: "bind", Addr: "127.0.0.1:33000", Err: l}
	for _, tt := range []struct {
		err           error
		cause, fixHas string
	}{
		{&probe.LimitError{Limit: l}, "not probed: the run's deadline (2s) ran out before this host's turn",
			"a host that was never asked; raise --deadline or --concurrency (more hosts asked at once) so that every host gets its turn"},
		{&probe.LimitError{Limit: l, Started: true, Err: timedOut}, "the run's deadline (2s) ran out while this host was being probed: bind: ",
			"before its own limit did (--timeout); raise --deadline or --concurrency"},
		{&probe.LimitError{Limit: &limit.Limit{Kind: limit.Timeout, D: time.Minute}}, "not probed: the run's time limit (1m0s) ran out before",
			"set --deadline or --concurrency"},
	} {
		info := Describe(tt.err, status)
		if info.Code != "0x800705B4" || !strings.HasPrefix(info.Cause, tt.cause) || !strings.Contains(info.Fix, tt.fixHas) ||
			strings.Contains(info.Fix, "127.0.0.1") {
			t.Errorf("%v:\n%+v", tt.err, info)
		}
	}
}
