package kmshost_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/hresult"
	. "github.com/kmsctl/kmsctl/kmshost"
	"github.com/kmsctl/kmsctl/kmshost/hosttest"
)

// exchange is one request and answer seen on the wire.
type exchange struct {
	request, answer []byte
	status          int
	header          http.Header
}

// recorder is an HTTP proxy in front of a test host that keeps every
// exchange, to look at what the host sent.
func recorder(t *testing.T, s *hosttest.Server) (port int, seen func() []exchange) {
	t.Helper()
	target, _ := url.Parse("http://" + s.Addr())
	var mu sync.Mutex
	var log []exchange
	proxy := httputil.NewSingleHostReverseProxy(target)
	tr := &http.Transport{}
	proxy.Transport = tr
	proxy.ModifyResponse = func(resp *http.Response) error {
		answer, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(answer))
		req, _ := resp.Request.GetBody()
		var request []byte
		if req != nil {
			request, _ = io.ReadAll(req)
		}
		mu.Lock()
		log = append(log, exchange{request, answer, resp.StatusCode, resp.Header.Clone()})
		mu.Unlock()
		return err
	}
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { front.Close(); tr.CloseIdleConnections() })
	u, _ := url.Parse(front.URL)
	port, _ = strconv.Atoi(u.Port())
	return port, func() []exchange {
		mu.Lock()
		defer mu.Unlock()
		return append([]exchange(nil), log...)
	}
}

// soapHeader reads the WS-Addressing header of a SOAP message.
func soapHeader(t *testing.T, msg []byte) (action, id, to, relatesTo string) {
	t.Helper()
	var env struct {
		Header struct {
			Action    string `xml:"Action"`
			MessageID string `xml:"MessageID"`
			To        string `xml:"To"`
			RelatesTo string `xml:"RelatesTo"`
		} `xml:"Header"`
	}
	if err := xml.Unmarshal(msg, &env); err != nil {
		t.Fatalf("%v: %.200s", err, msg)
	}
	h := env.Header
	return h.Action, h.MessageID, h.To, h.RelatesTo
}

// TestHost_AnswersAsWindows: every answer of the test host kmsctl reads
// has the shape of a Windows WinRM service's: HTTP.sys's Server header,
// and a full SOAP header with its own MessageID relating to the request's,
// on answers and faults alike (here an output poll's OperationTimeout).
func TestHost_AnswersAsWindows(t *testing.T) {
	s := hosttest.Start(t, hosttest.Options{SlowReceives: 1})
	port, seen := recorder(t, s)
	if _, err := client(t, s, func(c *Config) { c.Port = port }).KMSHost(context.Background()); err != nil {
		t.Fatal(err)
	}
	ex := seen()
	actions := map[string]int{}
	for i, e := range ex {
		if got := e.header.Get("Server"); got != hosttest.ServerHeader {
			t.Errorf("answer %d: Server %q", i, got)
		}
		_, reqID, _, _ := soapHeader(t, e.request)
		action, id, to, relatesTo := soapHeader(t, e.answer)
		actions[action[strings.LastIndex(action, "/")+1:]]++
		if !strings.HasPrefix(id, "uuid:") || id == reqID || relatesTo != reqID || reqID == "" ||
			to != "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous" {
			t.Errorf("answer %d (%s): MessageID %q, To %q, RelatesTo %q; the request's MessageID %q", i, action, id, to, relatesTo, reqID)
		}
		if ct := e.header.Get("Content-Type"); ct != "application/soap+xml;charset=UTF-8" {
			t.Errorf("answer %d: Content-Type %q", i, ct)
		}
	}
	want := map[string]int{"CreateResponse": 1, "CommandResponse": 1, "fault": 1, "ReceiveResponse": 1, "SignalResponse": 1, "DeleteResponse": 1}
	if len(actions) != len(want) {
		t.Errorf("answers %v, want %v", actions, want)
	}
	for a, n := range want {
		if actions[a] != n {
			t.Errorf("answers %v, want %v", actions, want)
			break
		}
	}
}

// TestClient_Faults: WS-Management faults as Windows sends them, over
// plain and encrypted connections, are shown as their code, Windows' own
// message (nothing from the SOAP header) and advice for that code.
func TestClient_Faults(t *testing.T) {
	wmi := hosttest.Fault{SOAPCode: "s:Sender", SubCode: "w:InvalidParameter", Code: 0x80041010, WMI: true,
		Message: "The WS-Management service cannot process the request. The WMI service or the WMI provider returned an unknown error: HRESULT 0x80041010 "}
	for _, c := range []struct {
		name  string
		fault hresult.Code
		f     hosttest.Fault
		sub   string
		fix   string
	}{
		{"too many shells", 0x803381A5, hosttest.FaultTooManyShells, "w:QuotaLimit", "MaxShellsPerUser"},
		{"access denied", 0x80070005, hosttest.FaultAccessDenied, "w:AccessDenied", "Administrators"},
		{"invalid options", 0x8033800F, hosttest.FaultInvalidOptions, "w:InvalidOptions", "kmsctl bug"},
		{"invalid parameter", 0x80070057, hosttest.FaultInvalidParameter, "w:InvalidParameter", "Windows Management Framework"},
		{"wmi", 0x80041010, wmi, "w:InvalidParameter", "WMI class"},
	} {
		for _, encrypt := range []bool{false, true} {
			f := c.f
			s := hosttest.Start(t, hosttest.Options{Fault: &f, NTLMEncrypt: encrypt})
			_, err := client(t, s, func(cfg *Config) {
				if encrypt {
					cfg.Auth = AuthNTLM
				}
			}).KMSHost(context.Background())
			e := kind(t, err, KindHTTP, c.fault, c.sub)
			if e.SOAP == nil || e.Status != 500 {
				t.Fatalf("%s: %+v", c.name, e)
			}
			info := failure.Describe(err, failure.Context{Command: "host dlv"})
			want := strings.TrimSpace(f.Message)
			if info.Message != want || strings.Contains(info.Cause, want) || !strings.Contains(info.Fix, c.fix) {
				t.Errorf("%s (encrypted %v): %+v", c.name, encrypt, info)
			}
			for _, leak := range []string{"uuid:", "http://", "s:Sender", "s:Receiver"} {
				if strings.Contains(info.Message+info.Cause, leak) {
					t.Errorf("%s: %q from the SOAP envelope shown: %+v", c.name, leak, info)
				}
			}
		}
	}
}

// TestClient_NTLMWorkgroup: a host in no domain names itself as the NTLM
// target (type server); its local account logs on given as user,
// .\user or COMPUTER\user.
func TestClient_NTLMWorkgroup(t *testing.T) {
	s := hosttest.Start(t, hosttest.Options{NTLMEncrypt: true, User: "kmsaudit", Password: hosttest.DefaultPassword})
	for _, user := range []string{"kmsaudit", `.\kmsaudit`, `KMS01\kmsaudit`, `kms01\KMSAUDIT`} {
		if _, err := client(t, s, func(c *Config) { c.Auth, c.User = AuthNTLM, user }).KMSHost(context.Background()); err != nil {
			t.Errorf("%s: %v", user, err)
		}
	}
	_, err := client(t, s, func(c *Config) { c.Auth, c.User = AuthNTLM, `CORP\kmsaudit` }).KMSHost(context.Background())
	kind(t, err, KindAuth, 0x80070005, "NTLM authentication refused")
	for _, ch := range s.Challenges() {
		if name, typ := challengeTarget(t, ch); name != "KMS01" || typ != "server" {
			t.Errorf("a workgroup host's challenge names %s %q", typ, name)
		}
	}
	d := hosttest.Start(t, hosttest.Options{NTLMEncrypt: true})
	if _, err := client(t, d, func(c *Config) { c.Auth = AuthNTLM }).KMSHost(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, ch := range d.Challenges() {
		if name, typ := challengeTarget(t, ch); name != "CORP" || typ != "domain" {
			t.Errorf("a domain member's challenge names %s %q", typ, name)
		}
	}
}

// challengeTarget reads an NTLM CHALLENGE message's TargetName and its
// type from the flags (MS-NLMP 2.2.1.2, 2.2.2.5).
func challengeTarget(t *testing.T, m []byte) (name, typ string) {
	t.Helper()
	if len(m) < 56 || binary.LittleEndian.Uint32(m[8:]) != 2 {
		t.Fatalf("not a CHALLENGE: %x", m)
	}
	l, off := int(binary.LittleEndian.Uint16(m[12:])), int(binary.LittleEndian.Uint32(m[16:]))
	if off+l > len(m) || l%2 != 0 {
		t.Fatalf("TargetName outside the message: %x", m)
	}
	for i := off; i < off+l; i += 2 {
		name += string(rune(binary.LittleEndian.Uint16(m[i:])))
	}
	switch flags := binary.LittleEndian.Uint32(m[20:]); flags & 0x00030000 {
	case 0x00010000:
		typ = "domain"
	case 0x00020000:
		typ = "server"
	default:
		typ = "neither or both"
	}
	return name, typ
}
