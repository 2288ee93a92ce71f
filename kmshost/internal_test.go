package kmshost

import (
	"bytes"
	"strings"
	"testing"
)

func TestCleanStderr(t *testing.T) {
	clixml := "#< CLIXML\r\n<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\"><S S=\"Error\">Get-CimInstance : Access denied _x000D__x000A_</S><S S=\"Error\">At line:1 char:1_x000D__x000A_</S></Objs>"
	if got := cleanStderr(clixml); got != "Get-CimInstance : Access denied At line:1 char:1" {
		t.Errorf("cleanStderr = %q", got)
	}
	if got := cleanStderr(strings.Repeat("x", 600)); len(got) != 503 {
		t.Errorf("long stderr kept %d bytes", len(got))
	}
}

func TestCopyCapped(t *testing.T) {
	called := 0
	var out bytes.Buffer
	// The reader is drained to the end even past the limit, so that the
	// writer of a pipe is never left blocked.
	r := strings.NewReader(strings.Repeat("a", 100<<10))
	err := copyCapped(&out, r, 40<<10, func() { called++ })
	if err != nil || called != 1 || out.Len() > 40<<10 || r.Len() != 0 {
		t.Errorf("copyCapped: err %v, called %d, kept %d, left %d", err, called, out.Len(), r.Len())
	}
}

func TestFault(t *testing.T) {
	body := []byte(`<s:Envelope><s:Body><s:Fault><s:Reason><s:Text xml:lang="en-US">The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  </s:Text></s:Reason><s:Detail><f:WSManFault xmlns:f="x" Code="2150858793" Machine="m"><f:Message>The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  </f:Message></f:WSManFault></s:Detail></s:Fault></s:Body></s:Envelope>`)
	code, err := fault(body)
	if code != 0x80338029 || err == nil || !strings.Contains(err.Error(), "OperationTimeout") {
		t.Fatalf("fault = %s, %v", code, err)
	}
	// The winrm library keeps polling only if it sees "OperationTimeout"
	// in the error it gets.
	e := &Error{Kind: KindHTTP, Host: "h:5985", Op: opEvents, Status: 500, Fault: code, Err: err}
	if !strings.Contains(e.Error(), "OperationTimeout") || e.Code() != 0x80338029 {
		t.Errorf("%v (%s)", e, e.Code())
	}
	if code, err := fault([]byte("<html>Bad Request</html>")); code != 0 || err != nil {
		t.Errorf("not a fault: %s, %v", code, err)
	}
}
