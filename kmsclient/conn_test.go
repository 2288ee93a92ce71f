package kmsclient_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/kmsctl/kmsctl/clock"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/kmsclient/kmstest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// noLeaks fails the test if goroutines outlive it; register it first so
// it runs after every other cleanup (the host's Close included).
func noLeaks(t *testing.T) {
	t.Helper()
	t.Cleanup(func() { goleak.VerifyNone(t) })
}

var start = time.Date(2026, 11, 23, 17, 55, 4, 0, time.UTC)

// Product groups of the catalogue, by their IDs (the catalogue package
// sits above kmsclient, so the protocol tests name them directly).
var (
	win10 = product{"Windows 10/11 Enterprise", kmsclient.AppWindows, "73111121-5638-40f6-bc11-f1d7b0d64300", "58e2134f-8e11-4d17-9cb2-91069c151148", 25}
	ws19  = product{"Windows Server 2019 Datacenter", kmsclient.AppWindows, "34e1ae55-27f8-4950-8877-7a03be5fb181", "8449b1fb-f0ea-497a-99ab-66ca96e9a0f5", 5}
	o19   = product{"Office Professional Plus 2019", kmsclient.AppOffice, "85dd8b5f-eaa4-4af3-a628-cce9e77c9a03", "617d9eb1-ef36-4f82-86e0-a65ae07b96c6", 5}
)

type product struct {
	name      string
	app       guid.GUID
	sku, kms  string
	threshold uint32
}

func request(p product, version int, cmid guid.GUID, now time.Time) *kmsclient.Request {
	return &kmsclient.Request{Version: version, LicenseStatus: kmsclient.StatusOOBGrace, BindingExpiration: 43200,
		ApplicationID: p.app, ActivationID: guid.MustParse(p.sku), KMSCountedID: guid.MustParse(p.kms),
		CMID: cmid, RequiredCount: p.threshold, Time: kmsclient.Filetime(now), Workstation: "WS01.corp.example.com"}
}

func cmidN(n int) guid.GUID {
	return guid.MustParse(fmt.Sprintf("3f2504e0-4f89-41d3-9a0c-%012x", n))
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func dial(t *testing.T, ctx context.Context, addr string, o kmsclient.Options) *kmsclient.Conn {
	t.Helper()
	c, err := kmsclient.Dial(ctx, addr, o)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestRoundTrip_VersionsProductsSyntaxes(t *testing.T) {
	noLeaks(t)
	for _, ndr32only := range []bool{false, true} {
		host := kmstest.Start(t, kmstest.Options{NDR32Only: ndr32only})
		for _, offer := range []kmsclient.Offer{kmsclient.OfferWindows, kmsclient.OfferNDR32} {
			// An NDR64 host offered NDR32 alone accepts it, as Windows does.
			for _, p := range []product{win10, ws19, o19} {
				for _, v := range []int{4, 5, 6} {
					name := fmt.Sprintf("ndr32only=%v/offer=%d/%s/V%d", ndr32only, offer, p.name, v)
					t.Run(name, func(t *testing.T) {
						ctx := ctxTimeout(t, 5*time.Second)
						c := dial(t, ctx, host.Addr(), kmsclient.Options{Offer: offer})
						wantNDR64 := !ndr32only && offer == kmsclient.OfferWindows
						if c.NDR64() != wantNDR64 {
							t.Errorf("NDR64 = %v, want %v", c.NDR64(), wantNDR64)
						}
						res, err := c.Activate(ctx, request(p, v, cmidN(1), start))
						if err != nil {
							t.Fatalf("Activate: %v", err)
						}
						if res.Version != v || res.EPID != kmstest.DefaultEPID || res.Count != 1 ||
							res.ActivationInterval != 120 || res.RenewalInterval != 10080 || res.RequiredCount != p.threshold {
							t.Errorf("result %+v", res)
						}
						if (res.HWID != nil) != (v == 6) || (v == 6 && *res.HWID != kmstest.DefaultHWID) {
							t.Errorf("HWID %v", res.HWID)
						}
						if res.EPIDInfo == nil || res.EPIDInfo.Build != 17763 || res.EPIDInfo.Language != "en-US" ||
							res.EPIDInfo.ActivationYear != 2018 || res.EPIDInfo.ActivationDay != 297 {
							t.Errorf("ePID info %+v", res.EPIDInfo)
						}
						if len(res.Warnings) != 0 {
							t.Errorf("warnings %v", res.Warnings)
						}
					})
				}
			}
		}
	}
}

func TestRoundTrip_NDR64OnlyOfferToNDR32Host(t *testing.T) {
	noLeaks(t)
	host := kmstest.Start(t, kmstest.Options{NDR32Only: true})
	_, err := kmsclient.Dial(ctxTimeout(t, 5*time.Second), host.Addr(), kmsclient.Options{Offer: kmsclient.OfferNDR64})
	e := asError(t, err)
	if e.Kind != kmsclient.KindBind || e.Code != hresult.NotKMSHost || !errors.Is(err, kmsclient.ErrBindRejected) ||
		!strings.Contains(err.Error(), "proposed transfer syntaxes not supported") {
		t.Fatalf("err = %v (%+v)", err, e)
	}
}

func TestRoundTrip_SeveralRequestsOneConnection(t *testing.T) {
	noLeaks(t)
	host := kmstest.Start(t, kmstest.Options{})
	ctx := ctxTimeout(t, 5*time.Second)
	c := dial(t, ctx, host.Addr(), kmsclient.Options{})
	for i, v := range []int{6, 5, 4, 6, 6} {
		if _, err := c.Activate(ctx, request(win10, v, cmidN(i), start)); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if host.Connections() != 1 || c.Reconnects() != 0 {
		t.Fatalf("%d connections, %d reconnects", host.Connections(), c.Reconnects())
	}
}

func TestRoundTrip_OneRequestPerConnectionHost(t *testing.T) {
	noLeaks(t)
	host := kmstest.Start(t, kmstest.Options{OnePerConnection: true, NDR32Only: true})
	ctx := ctxTimeout(t, 5*time.Second)
	c := dial(t, ctx, host.Addr(), kmsclient.Options{})
	for i, p := range []product{win10, ws19, o19} {
		if _, err := c.Activate(ctx, request(p, 6, cmidN(1), start)); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if host.Connections() != 3 || c.Reconnects() != 2 {
		t.Fatalf("%d connections, %d reconnects", host.Connections(), c.Reconnects())
	}
}

func TestRoundTrip_FragmentedResponse(t *testing.T) {
	noLeaks(t)
	host := kmstest.Start(t, kmstest.Options{Misbehave: kmstest.Fragmented})
	ctx := ctxTimeout(t, 5*time.Second)
	c := dial(t, ctx, host.Addr(), kmsclient.Options{})
	if _, err := c.Activate(ctx, request(win10, 6, cmidN(1), start)); err != nil {
		t.Fatal(err)
	}
}

func TestRoundTrip_EmulatorEPIDIsKeptWithWarning(t *testing.T) {
	noLeaks(t)
	const guidEPID = "6f886fdf-3ca5-3bba-efb6-948e04baf45c"
	host := kmstest.Start(t, kmstest.Options{EPID: guidEPID})
	ctx := ctxTimeout(t, 5*time.Second)
	c := dial(t, ctx, host.Addr(), kmsclient.Options{})
	for _, v := range []int{4, 5, 6} {
		res, err := c.Activate(ctx, request(win10, v, cmidN(1), start))
		if err != nil {
			t.Fatal(err)
		}
		if res.EPID != guidEPID || res.EPIDInfo != nil || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "not in Windows' format") {
			t.Fatalf("V%d: %+v", v, res)
		}
	}
}

// An ePID with a control character passes verification (Windows would
// store it): it is accepted, escaped so it cannot reach a terminal raw, and
// warned about.
func TestRoundTrip_GarbledEPIDIsEscapedWithWarning(t *testing.T) {
	noLeaks(t)
	host := kmstest.Start(t, kmstest.Options{Misbehave: kmstest.GarbledEPID})
	ctx := ctxTimeout(t, 5*time.Second)
	c := dial(t, ctx, host.Addr(), kmsclient.Options{})
	for _, v := range []int{4, 5, 6} {
		res, err := c.Activate(ctx, request(win10, v, cmidN(1), start))
		if err != nil {
			t.Fatalf("V%d: %v", v, err)
		}
		want := kmstest.DefaultEPID[:10] + `\u0007` + kmstest.DefaultEPID[11:]
		if res.EPID != want || len(res.Warnings) != 2 ||
			!strings.Contains(res.Warnings[0], "ePID has 1 character(s) no KMS host sends (the first: control character U+0007 at position 10), shown as \\uXXXX") {
			t.Fatalf("V%d: %q %q", v, res.EPID, res.Warnings)
		}
	}
}

func TestCounting(t *testing.T) {
	noLeaks(t)
	clk := clock.NewFake(start)
	host := kmstest.Start(t, kmstest.Options{Clock: clk})
	ctx := ctxTimeout(t, 10*time.Second)
	c := dial(t, ctx, host.Addr(), kmsclient.Options{Clock: clk})
	ask := func(p product, cmid guid.GUID) uint32 {
		t.Helper()
		res, err := c.Activate(ctx, request(p, 6, cmid, clk.Now()))
		if err != nil {
			t.Fatal(err)
		}
		return res.Count
	}
	var got uint32
	for i := 0; i < 24; i++ {
		got = ask(win10, cmidN(i))
	}
	if got != 24 {
		t.Fatalf("24 distinct CMIDs: count %d", got)
	}
	if got = ask(win10, cmidN(24)); got != 25 {
		t.Fatalf("25th CMID: count %d", got)
	}
	if got = ask(win10, cmidN(24)); got != 25 {
		t.Fatalf("same CMID twice: count %d", got)
	}
	// Server and Office are counted separately.
	if got = ask(ws19, cmidN(100)); got != 1 {
		t.Fatalf("first server: count %d", got)
	}
	if got = ask(o19, cmidN(100)); got != 1 {
		t.Fatalf("first Office: count %d", got)
	}
	// 23 machines renew weekly; two (0 and 1) leave. After 31 days the host
	// has forgotten them.
	for day := 7; day <= 31; day += 7 {
		clk.Set(start.Add(time.Duration(day) * 24 * time.Hour))
		for i := 2; i < 25; i++ {
			ask(win10, cmidN(i))
		}
	}
	clk.Set(start.Add(31 * 24 * time.Hour))
	if got = ask(win10, cmidN(5)); got != 23 {
		t.Fatalf("after two clients left for 31 days: count %d", got)
	}
	// The cache holds at most twice the threshold.
	for i := 200; i < 260; i++ {
		got = ask(win10, cmidN(i))
	}
	if got != 50 {
		t.Fatalf("capped count %d, want 50", got)
	}
}

func asError(t *testing.T, err error) *kmsclient.Error {
	t.Helper()
	var e *kmsclient.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *kmsclient.Error", err, err)
	}
	return e
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name    string
		opts    kmstest.Options
		version int
		kind    kmsclient.Kind
		code    hresult.Code
		check   string
		text    string
	}{
		{"refused", kmstest.Options{Misbehave: kmstest.Refuse}, 6, kmsclient.KindNetwork, hresult.NoKMSHost, "", "refused"},
		{"stall", kmstest.Options{Misbehave: kmstest.Stall}, 6, kmsclient.KindTimeout, hresult.NoKMSHost, "", "timed out"},
		{"stall request", kmstest.Options{Misbehave: kmstest.StallRequest}, 6, kmsclient.KindTimeout, hresult.NoKMSHost, "", "timed out"},
		{"close mid reply", kmstest.Options{Misbehave: kmstest.CloseMidReply}, 6, kmsclient.KindNetwork, hresult.CallFailed, "", "in the middle of"},
		{"truncated pdu", kmstest.Options{Misbehave: kmstest.TruncatedPDU}, 6, kmsclient.KindProtocol, hresult.CallFailed, "", "stub"},
		{"frag length too large", kmstest.Options{Misbehave: kmstest.FragLengthTooLarge}, 6, kmsclient.KindTimeout, hresult.NoKMSHost, "", "timed out"},
		{"bad V4 hash", kmstest.Options{Misbehave: kmstest.BadIntegrity}, 4, kmsclient.KindVerify, hresult.NoKMSHost, kmsclient.CheckV4Hash, "hash"},
		{"bad V5 salt", kmstest.Options{Misbehave: kmstest.BadIntegrity}, 5, kmsclient.KindVerify, hresult.NoKMSHost, kmsclient.CheckSalt, "SHA-256"},
		{"bad V6 HMAC", kmstest.Options{Misbehave: kmstest.BadIntegrity}, 6, kmsclient.KindVerify, hresult.NoKMSHost, kmsclient.CheckHMAC, "HMAC"},
		{"bad V5 padding", kmstest.Options{Misbehave: kmstest.BadPadding}, 5, kmsclient.KindVerify, hresult.NoKMSHost, kmsclient.CheckPadding, "padding"},
		{"bad V6 padding", kmstest.Options{Misbehave: kmstest.BadPadding}, 6, kmsclient.KindVerify, hresult.NoKMSHost, kmsclient.CheckPadding, "padding"},
		{"wrong CMID V4", kmstest.Options{Misbehave: kmstest.WrongCMID}, 4, kmsclient.KindVerify, hresult.NoKMSHost, kmsclient.CheckCMIDEcho, "client"},
		{"wrong CMID V5", kmstest.Options{Misbehave: kmstest.WrongCMID}, 5, kmsclient.KindVerify, hresult.NoKMSHost, kmsclient.CheckCMIDEcho, "client"},
		{"wrong CMID V6", kmstest.Options{Misbehave: kmstest.WrongCMID}, 6, kmsclient.KindVerify, hresult.NoKMSHost, kmsclient.CheckCMIDEcho, "client"},
		{"wrong time V6", kmstest.Options{Misbehave: kmstest.WrongTime}, 6, kmsclient.KindVerify, hresult.NoKMSHost, kmsclient.CheckTimeEcho, "time"},
		{"version echo", kmstest.Options{Misbehave: kmstest.BadVersionEcho}, 6, kmsclient.KindVerify, hresult.NoKMSHost, kmsclient.CheckVersion, "version"},
		{"rpc fault", kmstest.Options{Misbehave: kmstest.RPCFault}, 6, kmsclient.KindFault, 0x1C010003, "", "nca_s_unk_if"},
		{"rpc fault win32", kmstest.Options{Misbehave: kmstest.RPCFault, FaultStatus: 0x6f7}, 6, kmsclient.KindFault, 0x800706F7, "", "RPC_X_BAD_STUB_DATA"},
		{"bind nak", kmstest.Options{Misbehave: kmstest.BindNak}, 6, kmsclient.KindBind, hresult.NotKMSHost, "", "protocol version not supported"},
		{"reject all", kmstest.Options{Misbehave: kmstest.RejectAll}, 6, kmsclient.KindBind, hresult.NotKMSHost, "", "no transfer syntax"},
		{"hresult", kmstest.Options{Misbehave: kmstest.HRESULTReply}, 6, kmsclient.KindHost, hresult.KMSIDMismatch, "", "SL_E_VL_KEY_MANAGEMENT_SERVICE_ID_MISMATCH"},
		// A NULL response pointer carries no array: the return value is the
		// result whatever the size field says (NDR; vlmcs reads it so).
		{"hresult NULL with a size", kmstest.Options{Misbehave: kmstest.HRESULTReply, NullSize: 260}, 6, kmsclient.KindHost, hresult.KMSIDMismatch, "", "refused the request with 0xC004F042"},
		{"hresult NULL with a size NDR32", kmstest.Options{Misbehave: kmstest.HRESULTReply, NullSize: 260, NDR32Only: true}, 4, kmsclient.KindHost, hresult.KMSIDMismatch, "", "refused the request with 0xC004F042"},
		{"hresult NULL with a huge size", kmstest.Options{Misbehave: kmstest.HRESULTReply, NullSize: 0xffffffff}, 5, kmsclient.KindHost, hresult.KMSIDMismatch, "", "0xC004F042"},
		{"hresult after a body", kmstest.Options{Misbehave: kmstest.BodyAndHRESULT}, 6, kmsclient.KindHost, hresult.KMSIDMismatch, "", "refused the request with 0xC004F042"},
		{"hresult after a body NDR32", kmstest.Options{Misbehave: kmstest.BodyAndHRESULT, NDR32Only: true, HRESULT: 0xC004F038}, 4, kmsclient.KindHost, 0xC004F038, "", "0xC004F038"},
		{"NULL and S_OK", kmstest.Options{Misbehave: kmstest.NullSuccess}, 6, kmsclient.KindProtocol, hresult.CallFailed, "", "no response and no error code"},
		{"NULL with a size and S_OK", kmstest.Options{Misbehave: kmstest.NullSuccess, NullSize: 260, NDR32Only: true}, 6, kmsclient.KindProtocol, hresult.CallFailed, "", "no response and no error code"},
		{"hresult timestamp", kmstest.Options{Misbehave: kmstest.HRESULTReply, HRESULT: 0xC004F06C}, 5, kmsclient.KindHost, hresult.InvalidTimestamp, "", "0xC004F06C"},
		{"garbage", kmstest.Options{Misbehave: kmstest.Garbage}, 6, kmsclient.KindProtocol, hresult.CallFailed, "", "rpc header"},
		{"wrong call id", kmstest.Options{Misbehave: kmstest.WrongCallID}, 6, kmsclient.KindProtocol, hresult.CallFailed, "", "call_id"},
		{"wrong ptype", kmstest.Options{Misbehave: kmstest.WrongPType}, 6, kmsclient.KindProtocol, hresult.CallFailed, "", "expected response"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			noLeaks(t)
			host := kmstest.Start(t, tt.opts)
			const deadline = 500 * time.Millisecond
			ctx := ctxTimeout(t, deadline)
			begun := time.Now()
			c, err := kmsclient.Dial(ctx, host.Addr(), kmsclient.Options{})
			if err == nil {
				_, err = c.Activate(ctx, request(win10, tt.version, cmidN(1), start))
				c.Close()
			}
			if err == nil {
				t.Fatal("no error")
			}
			// Deadlines are enforced by the socket; this only catches a hang,
			// with generous slack for a loaded machine.
			if el := time.Since(begun); el > deadline+5*time.Second {
				t.Errorf("took %v", el)
			}
			e := asError(t, err)
			if e.Kind != tt.kind || e.Code != tt.code || e.Check != tt.check || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("got kind %v code %s check %q: %v", e.Kind, e.Code, e.Check, err)
			}
		})
	}
}

func TestDial_BadAddress(t *testing.T) {
	noLeaks(t)
	_, err := kmsclient.Dial(ctxTimeout(t, 2*time.Second), "host.invalid:1688", kmsclient.Options{})
	e := asError(t, err)
	var dnsErr *net.DNSError
	if e.Code != hresult.NoKMSHost || !errors.As(err, &dnsErr) {
		t.Fatalf("%v", err)
	}
}

func TestActivate_CancelInterruptsStall(t *testing.T) {
	noLeaks(t)
	host := kmstest.Start(t, kmstest.Options{Misbehave: kmstest.StallRequest})
	ctx, cancel := context.WithCancel(context.Background())
	c, err := kmsclient.Dial(ctx, host.Addr(), kmsclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = c.Activate(ctx, request(win10, 6, cmidN(1), start))
	if e := asError(t, err); e.Kind != kmsclient.KindTimeout {
		t.Fatalf("%v", err)
	}
}

func TestActivate_BadWorkstation(t *testing.T) {
	noLeaks(t)
	host := kmstest.Start(t, kmstest.Options{})
	ctx := ctxTimeout(t, 2*time.Second)
	c := dial(t, ctx, host.Addr(), kmsclient.Options{})
	r := request(win10, 6, cmidN(1), start)
	r.Workstation = strings.Repeat("x", 64)
	if e := asError(t, func() error { _, err := c.Activate(ctx, r); return err }()); e.Kind != kmsclient.KindRequest {
		t.Fatalf("%+v", e)
	}
}

func BenchmarkRoundTripV6(b *testing.B) {
	host, err := kmstest.New(kmstest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer host.Close()
	ctx := context.Background()
	c, err := kmsclient.Dial(ctx, host.Addr(), kmsclient.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	req := request(win10, 6, cmidN(1), start)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Activate(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// vectorCalls returns the binds and requests the client sent in a captured
// conversation (testdata/vectors), as kmstest.Calls reports them; the
// alter_context vlmcs adds after an NDR64 bind, which kmsctl does not send
// (docs/protocol.md §2.4), is left out.
func vectorCalls(t *testing.T, name string) []kmstest.Call {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "vectors", name))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		PDUs []struct {
			Conn   int    `json:"conn"`
			Dir    string `json:"dir"`
			Type   string `json:"type"`
			Header struct {
				CallID uint32 `json:"call_id"`
			} `json:"header"`
		} `json:"pdus"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	var calls []kmstest.Call
	for _, p := range v.PDUs {
		pt := map[string]uint8{"bind": kmsclient.PTypeBind, "request": kmsclient.PTypeRequest}
		if typ, ok := pt[p.Type]; ok && p.Dir == "c2s" {
			calls = append(calls, kmstest.Call{Conn: p.Conn, Type: typ, CallID: p.Header.CallID})
		}
	}
	return calls
}

// activateThrice sends three requests through one Conn.
func activateThrice(t *testing.T, host *kmstest.Host) {
	t.Helper()
	ctx := ctxTimeout(t, 5*time.Second)
	c := dial(t, ctx, host.Addr(), kmsclient.Options{})
	for i := range 3 {
		if _, err := c.Activate(ctx, request(win10, 6, cmidN(1), start)); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
}

// TestCallIDs_AsWindows: the first request on a connection carries the
// bind's call_id and later requests count up, as in the capture of vlmcs
// (which copies Windows) sending three requests over one connection.
func TestCallIDs_AsWindows(t *testing.T) {
	noLeaks(t)
	want := vectorCalls(t, "multi3_one_connection.json")
	if len(want) != 4 {
		t.Fatalf("the capture holds %d binds and requests: %+v", len(want), want)
	}
	for _, ndr32only := range []bool{false, true} {
		host := kmstest.Start(t, kmstest.Options{NDR32Only: ndr32only})
		activateThrice(t, host)
		if got := host.Calls(); !reflect.DeepEqual(got, want) {
			t.Errorf("ndr32only=%v: sent %+v, vlmcs sends %+v", ndr32only, got, want)
		}
	}
}

// TestCallIDs_Reconnect: against a host that serves one request per
// connection, every new connection's bind and first request share a
// call_id, and call_ids keep counting up across connections as vlmcs's do
// (the request written into the closed connection used one up).
func TestCallIDs_Reconnect(t *testing.T) {
	noLeaks(t)
	host := kmstest.Start(t, kmstest.Options{OnePerConnection: true})
	activateThrice(t, host)
	calls := host.Calls()
	if len(calls) != 6 {
		t.Fatalf("sent %+v", calls)
	}
	for i := 0; i < len(calls); i += 2 {
		bind, req := calls[i], calls[i+1]
		if bind.Type != kmsclient.PTypeBind || req.Type != kmsclient.PTypeRequest || bind.Conn != i/2 || req.Conn != i/2 ||
			req.CallID != bind.CallID || i > 0 && bind.CallID <= calls[i-1].CallID {
			t.Errorf("sent %+v", calls)
			break
		}
	}
	if calls[0].CallID != 2 {
		t.Errorf("first call_id %d, Windows starts at 2", calls[0].CallID)
	}
}
