package kmshost_test

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/hresult"
	. "github.com/kmsctl/kmsctl/kmshost"
	"github.com/kmsctl/kmsctl/kmshost/hosttest"
)

// Every read must leave nothing running: no polling goroutine of the
// winrm library, no kept-alive connection.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// client reads s with the test credentials over Basic.
func client(t *testing.T, s *hosttest.Server, change ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{Host: s.Host(), Port: s.Port(), Auth: AuthBasic, User: hosttest.DefaultUser, Password: hosttest.DefaultPassword, Timeout: 5 * time.Second}
	for _, f := range change {
		f(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// kind checks that err is an *Error of the kind, with the code, and that
// kmsctl's renderer shows meaning and advice.
func kind(t *testing.T, err error, k Kind, code hresult.Code, causeHas string) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *kmshost.Error", err, err)
	}
	if e.Kind != k || e.Code() != code {
		t.Errorf("kind %d code %s, want kind %d code %s: %v", e.Kind, e.Code(), k, code, err)
	}
	info := failure.Describe(err, failure.Context{Command: "host dlv"})
	if info.Code != code.String() || info.Message == "" || info.Fix == "" || !strings.Contains(info.Cause, causeHas) {
		t.Errorf("described as %+v; want code %s and a cause with %q", info, code, causeHas)
	}
	if st := failure.ExitStatus(err, failure.Context{}); st != 2 {
		t.Errorf("exit status %d, want 2", st)
	}
	return e
}

func TestClient_KMSHost(t *testing.T) {
	s := hosttest.Start(t, hosttest.Options{})
	c, err := client(t, s).KMSHost(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.KMSProducts()) != 2 || *c.Service.CurrentCount != 50 {
		t.Errorf("counters: %+v", c)
	}
	// One PowerShell invocation, exactly kmsctl's script.
	if got := s.Scripts(); len(got) != 1 || got[0] != CountersScript || len(s.Unknown()) != 0 {
		t.Errorf("the host ran %d scripts (%d unknown commands)", len(got), len(s.Unknown()))
	}
	for _, a := range s.AuthSchemes() {
		if a != "Basic" {
			t.Errorf("Authorization %q with --auth basic", a)
		}
	}
}

func TestClient_NotKMSHost(t *testing.T) {
	s := hosttest.Start(t, hosttest.Options{Counters: hosttest.NotKMSHostJSON()})
	cl := client(t, s)
	_, err := cl.KMSHost(context.Background())
	if !errors.Is(err, ErrNotKMSHost) {
		t.Fatalf("%v", err)
	}
	kind(t, err, KindNotKMSHost, hresult.NotKMSHost, "(VOLUME_KMSCLIENT, Licensed)")
	if c, err := cl.Counters(context.Background()); err != nil || c.Service.KMSMachine {
		t.Errorf("Counters on a client: %+v, %v", c, err)
	}
}

func TestClient_Events(t *testing.T) {
	s := hosttest.Start(t, hosttest.Options{})
	cl := client(t, s)
	l, err := cl.Events(context.Background(), LogQuery{Max: 1000})
	if err != nil || len(l.Events) != 11 {
		t.Fatalf("%d events, %v", len(l.Events), err)
	}
	l, err = cl.Events(context.Background(), LogQuery{Max: 3, Since: 24 * time.Hour})
	if err != nil || len(l.Events) != 3 || s.LastQuery() != (LogQuery{Max: 3, Since: 24 * time.Hour}) {
		t.Fatalf("%d events, %v, query %+v", len(l.Events), err, s.LastQuery())
	}
	l, err = cl.Events(context.Background(), LogQuery{Max: 1000, Since: 24 * time.Hour})
	if err != nil || len(l.Events) != 8 {
		t.Fatalf("%d events in 24h, %v", len(l.Events), err)
	}
	if _, err := cl.Events(context.Background(), LogQuery{Max: 0}); err == nil {
		t.Error("a query for 0 events was sent")
	}
	if n := len(s.Scripts()); n != 3 {
		t.Errorf("%d scripts ran, want 3", n)
	}
}

func TestClient_EmptyLog(t *testing.T) {
	s := hosttest.Start(t, hosttest.Options{Events: hosttest.NoEvents})
	l, err := client(t, s).Events(context.Background(), LogQuery{Max: 10})
	if err != nil || l == nil || len(l.Events) != 0 {
		t.Fatalf("%+v, %v", l, err)
	}
	if s := Summarize(l.Events); s.Events != 0 || !s.Newest.IsZero() {
		t.Errorf("summary of nothing: %+v", s)
	}
}

func TestClient_TenThousandEvents(t *testing.T) {
	s := hosttest.Start(t, hosttest.Options{Events: hosttest.ManyEvents(hosttest.DefaultNow, 10000)})
	start := time.Now()
	l, err := client(t, s).Events(context.Background(), LogQuery{Max: 10000})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("10,000 events read and decoded in %s", time.Since(start))
	if len(l.Events) != 10000 {
		t.Fatalf("%d events", len(l.Events))
	}
	for i := range l.Events {
		if l.Events[i].Problem != "" {
			t.Fatalf("event %d: %s", i, l.Events[i].Problem)
		}
	}
	if !slices.IsSortedFunc(l.Events, func(a, b Event) int { return b.Time.Compare(a.Time) }) {
		t.Error("events are not newest first")
	}
	if sum := Summarize(l.Events); sum.CMIDs != 4000 || sum.Failed != 230 || sum.Succeeded != 9770 {
		t.Errorf("summary: %d CMIDs, %d failed, %d succeeded", sum.CMIDs, sum.Failed, sum.Succeeded)
	}
}

func TestClient_Malformed(t *testing.T) {
	s := hosttest.Start(t, hosttest.Options{Answer: hosttest.MalformedJSON})
	_, err := client(t, s).KMSHost(context.Background())
	e := kind(t, err, KindDecode, hresult.InvalidData, "not JSON")
	var de *DecodeError
	if !errors.As(e, &de) {
		t.Errorf("no DecodeError in %v", err)
	}
	_, err = client(t, s).Events(context.Background(), LogQuery{Max: 5})
	kind(t, err, KindDecode, hresult.InvalidData, "not JSON")
}

func TestClient_WrongTypes(t *testing.T) {
	s := hosttest.Start(t, hosttest.Options{Counters: hosttest.WrongTypesJSON()})
	_, err := client(t, s).KMSHost(context.Background())
	kind(t, err, KindDecode, hresult.InvalidData, `service.KeyManagementServiceCurrentCount: want a count`)
}

func TestClient_CommandFails(t *testing.T) {
	s := hosttest.Start(t, hosttest.Options{Answer: hosttest.AccessDeniedJSON(), AnswerExit: 1})
	_, err := client(t, s).KMSHost(context.Background())
	e := kind(t, err, KindCommand, 0x80070005, "Access is denied.")
	if !e.AccessDenied() {
		t.Errorf("not AccessDenied: %v", e)
	}
	// A failure that leaves no JSON: the exit code is what is known.
	s = hosttest.Start(t, hosttest.Options{Answer: []byte{}, AnswerExit: 1})
	_, err = client(t, s).KMSHost(context.Background())
	kind(t, err, KindCommand, 0x80004005, "powershell.exe exited with 1")
	// The log does not exist on this machine.
	s = hosttest.Start(t, hosttest.Options{Answer: hosttest.ErrorJSON(-2146233088, `There is not an event log on the localhost computer that matches "Key Management Service".`,
		"NoMatchingLogsFound,Microsoft.PowerShell.Commands.GetWinEventCommand"), AnswerExit: 1})
	_, err = client(t, s).Events(context.Background(), LogQuery{Max: 5})
	if e := kind(t, err, KindCommand, 0x80004005, "NoMatchingLogsFound"); !e.NoEventLog() {
		t.Errorf("not NoEventLog: %v", e)
	}
}

func TestClient_WrongPassword(t *testing.T) {
	s := hosttest.Start(t, hosttest.Options{})
	_, err := client(t, s, func(c *Config) { c.Password = "wrong" }).KMSHost(context.Background())
	e := kind(t, err, KindAuth, 0x80070005, "HTTP 401: Basic authentication refused (the server offers Basic)")
	if e.Status != 401 || len(s.Scripts()) != 0 {
		t.Errorf("status %d, %d scripts ran", e.Status, len(s.Scripts()))
	}
}

// TestClient_NTLMNeverSendsBasic: with NTLM, a server that offers only
// Basic does not get the password.
func TestClient_NTLMNeverSendsBasic(t *testing.T) {
	s := hosttest.Start(t, hosttest.Options{})
	_, err := client(t, s, func(c *Config) { c.Auth = AuthNTLM }).KMSHost(context.Background())
	kind(t, err, KindAuth, 0x80070005, "offers only Basic")
	for _, a := range s.AuthSchemes() {
		if a != "-" {
			t.Errorf("the server got Authorization %q", a)
		}
	}
}

// TestClient_NTLM: against a host that accepts only NTLM (Basic disabled,
// as Windows ships), kmsctl completes the whole handshake: NEGOTIATE,
// the host's CHALLENGE, an AUTHENTICATE whose NTLMv2 response the host
// checks against the password; then the connection stays authenticated
// (and, over HTTP, the messages are sealed: TestClient_NTLMEncrypted).
func TestClient_NTLM(t *testing.T) {
	s := hosttest.Start(t, hosttest.Options{NTLM: true})
	c, err := client(t, s, func(c *Config) { c.Auth = AuthNTLM }).KMSHost(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if *c.Service.CurrentCount != 50 || len(s.Scripts()) != 1 {
		t.Errorf("count %d, %d scripts", *c.Service.CurrentCount, len(s.Scripts()))
	}
	schemes := s.AuthSchemes()
	if !slices.Equal(schemes[:3], []string{"-", "Negotiate", "Negotiate"}) || slices.Contains(schemes, "Basic") {
		t.Errorf("Authorization schemes %q", schemes)
	}
	// One handshake: the later requests ride on the authenticated connection.
	if n := len(s.NegotiateTokens()); n != 2 {
		t.Errorf("%d NTLM messages, want NEGOTIATE and AUTHENTICATE", n)
	}
	for i, token := range s.NegotiateTokens() {
		msg, err := base64.StdEncoding.DecodeString(token)
		want := fmt.Sprintf("NTLMSSP\x00%c\x00\x00\x00", []byte{1, 3}[i])
		if err != nil || !strings.HasPrefix(string(msg), want) {
			t.Errorf("message %d is not an NTLMSSP type %d: %q", i, []byte{1, 3}[i], msg)
		}
	}
}

// TestClient_NTLMWrongPassword: the host's NTLMv2 check fails; kmsctl
// reports a refused NTLM logon, not a protocol error.
func TestClient_NTLMWrongPassword(t *testing.T) {
	s := hosttest.Start(t, hosttest.Options{NTLM: true})
	_, err := client(t, s, func(c *Config) { c.Auth, c.Password = AuthNTLM, "wrong" }).KMSHost(context.Background())
	kind(t, err, KindAuth, 0x80070005, "HTTP 401: NTLM authentication refused (the server offers Negotiate, Kerberos)")
	if len(s.Scripts()) != 0 {
		t.Errorf("%d scripts ran", len(s.Scripts()))
	}
	// Another account of the same domain: refused too.
	_, err = client(t, s, func(c *Config) { c.Auth, c.User = AuthNTLM, `CORP\someoneelse` }).KMSHost(context.Background())
	kind(t, err, KindAuth, 0x80070005, "NTLM authentication refused")
}

// TestClient_BasicAgainstNTLM: Basic against a host with Basic disabled is
// refused with the advice to use NTLM, and the password is sent once.
func TestClient_BasicAgainstNTLM(t *testing.T) {
	s := hosttest.Start(t, hosttest.Options{NTLM: true})
	_, err := client(t, s).KMSHost(context.Background())
	if e := kind(t, err, KindAuth, 0x80070005, "the server offers Negotiate"); e.Auth != AuthBasic || e.Offers == "" {
		t.Errorf("auth %v, offers %q", e.Auth, e.Offers)
	}
	if got := s.AuthSchemes(); !slices.Equal(got, []string{"Basic"}) {
		t.Errorf("Authorization schemes %q", got)
	}
}

func TestClient_Stall(t *testing.T) {
	s := hosttest.Start(t, hosttest.Options{Stall: true})
	start := time.Now()
	_, err := client(t, s, func(c *Config) { c.Timeout = 300 * time.Millisecond }).KMSHost(context.Background())
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("gave up after %s, want about 300ms", d)
	}
	kind(t, err, KindTimeout, hresult.Timeout, "timed out")
	// The caller's deadline counts too.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = client(t, s).Events(ctx, LogQuery{Max: 5})
	kind(t, err, KindTimeout, hresult.Timeout, "timed out")
}

func TestClient_Refused(t *testing.T) {
	s := hosttest.Start(t, hosttest.Options{Refuse: true})
	_, err := client(t, s).KMSHost(context.Background())
	// KindRefused comes from the socket error, not its wording, which
	// differs on Windows ("connectex: No connection could be made…") and
	// Wine ("connectex: Connection refused").
	kind(t, err, KindRefused, 0x8007274D, s.Addr())
}

func TestClient_TLS(t *testing.T) {
	s := hosttest.Start(t, hosttest.Options{TLS: true})
	_, err := client(t, s, func(c *Config) { c.HTTPS = true }).KMSHost(context.Background())
	kind(t, err, KindTLS, 0x800B0109, "certificate signed by unknown authority")
	if _, err := client(t, s, func(c *Config) { c.HTTPS, c.InsecureSkipVerify = true, true }).KMSHost(context.Background()); err != nil {
		t.Errorf("--insecure-skip-verify: %v", err)
	}
	// HTTPS to a plain HTTP listener.
	plain := hosttest.Start(t, hosttest.Options{})
	_, err = client(t, plain, func(c *Config) { c.HTTPS = true }).KMSHost(context.Background())
	if e := kind(t, err, KindTLS, 0x80090326, "HTTP response to HTTPS client"); !e.PlainHTTP() {
		t.Errorf("not PlainHTTP: %v", e)
	}
}

func TestNew_Checks(t *testing.T) {
	for _, cfg := range []Config{
		{Host: "", User: "u"},
		{Host: "kms;calc", User: "u"},
		{Host: "kms", User: ""},
		{Host: "kms", User: "u", Auth: "kerberos"},
		{Host: "kms", User: "u", Port: 70000},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
	c := Config{Host: "2001:db8::5", HTTPS: true}
	if c.Addr() != "[2001:db8::5]:5986" || c.URL() != "https://[2001:db8::5]:5986/wsman" {
		t.Errorf("%s %s", c.Addr(), c.URL())
	}
}

// TestClient_SlowCommand: a host that has no output yet answers an output
// poll with the OperationTimeout fault; kmsctl keeps polling, within its
// own time limit.
func TestClient_SlowCommand(t *testing.T) {
	s := hosttest.Start(t, hosttest.Options{SlowReceives: 3})
	if _, err := client(t, s).KMSHost(context.Background()); err != nil {
		t.Fatalf("after 3 slow polls: %v", err)
	}
	s = hosttest.Start(t, hosttest.Options{SlowReceives: 1 << 30})
	_, err := client(t, s, func(c *Config) { c.Timeout = 300 * time.Millisecond }).KMSHost(context.Background())
	kind(t, err, KindTimeout, hresult.Timeout, "timed out")
}

// TestClient_NTLMEncrypted: a Windows host as Enable-PSRemoting leaves it
// (HTTP listener, AllowUnencrypted=false) takes only messages sealed with
// the NTLM session's keys. kmsctl seals every message and unseals and
// verifies every answer, the shell's output polls and their faults
// included; the test host does its side from MS-NLMP, apart from the
// client's library.
func TestClient_NTLMEncrypted(t *testing.T) {
	s := hosttest.Start(t, hosttest.Options{NTLMEncrypt: true, SlowReceives: 2, Events: hosttest.ManyEvents(hosttest.DefaultNow, 2000)})
	cl := client(t, s, func(c *Config) { c.Auth = AuthNTLM })
	c, err := cl.KMSHost(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.KMSProducts()) != 2 || *c.Service.CurrentCount != 50 {
		t.Errorf("counters: %+v", c)
	}
	// Two output polls answered with the (sealed) OperationTimeout fault,
	// then the output: create, command, 3 receives, signal, delete.
	if c := s.Sealed(); c.Sealed != 7 || c.Plain != 0 || len(c.Bad) != 0 {
		t.Errorf("%d sealed messages, want 7; %d plain ones; sealed ones refused: %q", c.Sealed, c.Plain, c.Bad)
	}
	schemes := s.AuthSchemes()
	if !slices.Equal(schemes[:3], []string{"-", "Negotiate", "Negotiate"}) || slices.Contains(schemes, "Basic") {
		t.Errorf("Authorization schemes %q", schemes)
	}
	// kmsctl asked for signing, sealing, 128-bit keys and key exchange.
	if tokens := s.NegotiateTokens(); len(tokens) == 2 {
		msg, _ := base64.StdEncoding.DecodeString(tokens[0])
		if len(msg) < 16 || binary.LittleEndian.Uint32(msg[12:])&0x60000030 != 0x60000030 {
			t.Errorf("NEGOTIATE message %x does not ask for sealing", msg)
		}
	} else {
		t.Errorf("%d NTLM messages, want NEGOTIATE and AUTHENTICATE", len(tokens))
	}
	// A large answer: 2,000 events, about 1 MB sealed.
	l, err := cl.Events(context.Background(), LogQuery{Max: 2000})
	if err != nil || len(l.Events) != 2000 {
		t.Fatalf("%d events, %v", len(l.Events), err)
	}
	if got := s.Scripts(); len(got) != 2 || len(s.Unknown()) != 0 {
		t.Errorf("the host ran %d scripts (%d unknown commands)", len(got), len(s.Unknown()))
	}
}

// TestClient_NTLMEncryptedTampered: a sealed answer whose signature does
// not verify is not read.
func TestClient_NTLMEncryptedTampered(t *testing.T) {
	s := hosttest.Start(t, hosttest.Options{NTLMEncrypt: true, TamperSeal: true})
	_, err := client(t, s, func(c *Config) { c.Auth = AuthNTLM }).KMSHost(context.Background())
	e := kind(t, err, KindHTTP, 0x80338012, "WinRM message encryption: the host's encrypted answer failed its NTLM signature check")
	if !e.SealBroken() {
		t.Errorf("not SealBroken: %v", e)
	}
	if c := s.Sealed(); c.Sealed != 1 || c.Plain != 0 || len(s.Scripts()) != 0 {
		t.Errorf("%d sealed, %d plain messages, %d scripts ran after a bad answer", c.Sealed, c.Plain, len(s.Scripts()))
	}
}

// TestClient_NTLMEncryptedWrongPassword: the NTLMv2 check fails, and no
// message was sent, sealed or plain: the handshake runs on empty requests.
func TestClient_NTLMEncryptedWrongPassword(t *testing.T) {
	s := hosttest.Start(t, hosttest.Options{NTLMEncrypt: true})
	_, err := client(t, s, func(c *Config) { c.Auth, c.Password = AuthNTLM, "wrong" }).KMSHost(context.Background())
	kind(t, err, KindAuth, 0x80070005, "HTTP 401: NTLM authentication refused (the server offers Negotiate, Kerberos)")
	if c := s.Sealed(); c.Sealed != 0 || c.Plain != 0 || len(s.Scripts()) != 0 {
		t.Errorf("%d sealed, %d plain messages, %d scripts", c.Sealed, c.Plain, len(s.Scripts()))
	}
}

// TestClient_NTLMEncryptedStall: the handshake is bound by the time
// allowed too.
func TestClient_NTLMEncryptedStall(t *testing.T) {
	s := hosttest.Start(t, hosttest.Options{NTLMEncrypt: true, Stall: true})
	start := time.Now()
	_, err := client(t, s, func(c *Config) { c.Auth, c.Timeout = AuthNTLM, 300*time.Millisecond }).KMSHost(context.Background())
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("gave up after %s, want about 300ms", d)
	}
	kind(t, err, KindTimeout, hresult.Timeout, "timed out")
}

// TestClient_NTLMPlainRefused: NTLM without message encryption, as kmsctl
// sent it before, is refused by a default host over HTTP as Windows
// refuses it: 401 offering Negotiate alone, the connection closed,
// although the password was right.
func TestClient_NTLMPlainRefused(t *testing.T) {
	s := hosttest.Start(t, hosttest.Options{NTLMEncrypt: true})
	_, err := client(t, s, func(c *Config) { c.Auth = AuthNTLM }, WithoutSealing).KMSHost(context.Background())
	kind(t, err, KindAuth, 0x80070005, "HTTP 401: NTLM authentication refused (the server offers Negotiate)")
	if c := s.Sealed(); c.Sealed != 0 || c.PlainRefused != 1 || len(s.Scripts()) != 0 {
		t.Errorf("%d sealed, %d plain messages refused, %d scripts", c.Sealed, c.PlainRefused, len(s.Scripts()))
	}
}

// TestClient_NTLMOverHTTPS: over TLS, NTLM only authenticates, as on
// Windows' HTTPS listener: no message is sealed.
func TestClient_NTLMOverHTTPS(t *testing.T) {
	s := hosttest.Start(t, hosttest.Options{NTLMEncrypt: true, TLS: true})
	c, err := client(t, s, func(c *Config) { c.Auth, c.HTTPS, c.InsecureSkipVerify = AuthNTLM, true, true }).KMSHost(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if *c.Service.CurrentCount != 50 {
		t.Errorf("count %d", *c.Service.CurrentCount)
	}
	if c := s.Sealed(); c.Sealed != 0 || c.PlainRefused != 0 || c.Plain == 0 {
		t.Errorf("over HTTPS: %d sealed, %d plain messages (%d refused)", c.Sealed, c.Plain, c.PlainRefused)
	}
	if n := len(s.NegotiateTokens()); n != 2 {
		t.Errorf("%d NTLM messages, want NEGOTIATE and AUTHENTICATE", n)
	}
}
