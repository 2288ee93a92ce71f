package kmsclient_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/kmsclient/internal/hostside"
	"github.com/kmsctl/kmsctl/kmsclient/internal/wire"
)

// The vectors are real conversations between vlmcs and vlmcsd, copied
// from the shared protocol reference into testdata/vectors (see its README).

type vector struct {
	Case string `json:"case"`
	PDUs []struct {
		Conn   int    `json:"conn"`
		Dir    string `json:"dir"`
		Type   string `json:"type"`
		Hex    string `json:"hex"`
		Header struct {
			Flags   string `json:"flags"`
			CallID  uint32 `json:"call_id"`
			FragLen int    `json:"frag_length"`
		} `json:"header"`
		Fields map[string]any `json:"fields"`
	} `json:"pdus"`
	KMS []struct {
		Conn      int         `json:"conn"`
		CallID    uint32      `json:"call_id"`
		NDR       string      `json:"ndr"`
		Request   vecMessage  `json:"request"`
		Response  *vecMessage `json:"response"`
		RPCStatus string      `json:"rpc_status"`
	} `json:"kms"`
}

type vecMessage struct {
	Version      string         `json:"version"`
	WireHex      string         `json:"wire_hex"`
	PlaintextHex string         `json:"plaintext_hex"`
	BaseHex      string         `json:"base_hex"`
	Fields       map[string]any `json:"fields"`
	Checks       map[string]any `json:"checks"`
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "vectors", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no vectors: %v", err)
	}
	var vs []vector
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var v vector
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber() // FILETIMEs do not fit a float64 exactly in general
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		vs = append(vs, v)
	}
	return vs
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("hex %q: %v", s[:min(len(s), 20)], err)
	}
	return b
}

func fstr(m map[string]any, k string) string {
	switch v := m[k].(type) {
	case string:
		return v
	case json.Number:
		return string(v)
	case nil:
		return ""
	}
	return ""
}

func fnum(t testing.TB, m map[string]any, k string) uint64 {
	t.Helper()
	switch v := m[k].(type) {
	case json.Number:
		n, _ := strconv.ParseUint(string(v), 10, 64)
		return n
	}
	t.Fatalf("field %s missing or not a number: %v", k, m[k])
	return 0
}

func TestVectors_RequestsDecodeAndReencode(t *testing.T) {
	for _, v := range loadVectors(t) {
		for i, k := range v.KMS {
			t.Run(v.Case+"/"+strconv.Itoa(i), func(t *testing.T) {
				capture := unhex(t, k.Request.WireHex)
				req, sent, err := hostside.DecodeRequest(capture)
				if err != nil {
					t.Fatalf("DecodeRequest: %v", err)
				}
				f := k.Request.Fields
				checkReqFields(t, &req, f)
				if got := fnum(t, f, "client_time_filetime"); got != req.Time {
					t.Errorf("time %d, vector %d", req.Time, got)
				}
				var iv [16]byte
				if req.Version != kmsclient.V4 {
					copy(iv[:], unhex(t, fstr(f, "iv")))
					if want := unhex(t, fstr(f, "iv_decrypted")); !bytes.Equal(sent.DIV[:], want) {
						t.Errorf("D(IV) = %x, vector %x", sent.DIV, want)
					}
				}
				again, _, err := kmsclient.EncodeRequest(nil, &req, iv)
				if err != nil {
					t.Fatalf("EncodeRequest: %v", err)
				}
				if !bytes.Equal(again, capture) {
					t.Errorf("re-encoded request differs from the capture\n got %x\nwant %x", again, capture)
				}
				base, err := kmsclient.AppendBaseRequest(nil, &req)
				if err != nil || !bytes.Equal(base, unhex(t, k.Request.BaseHex)) {
					t.Errorf("base request differs: %v", err)
				}
			})
		}
	}
}

func checkReqFields(t *testing.T, r *kmsclient.Request, f map[string]any) {
	t.Helper()
	eq := func(name, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %q, vector %q", name, got, want)
		}
	}
	eq("version", strconv.Itoa(r.Version)+"."+strconv.Itoa(int(r.Minor)), fstr(f, "version"))
	eq("vm_flag", map[bool]string{false: "0", true: "1"}[r.VM], fstr(f, "vm_flag"))
	eq("license_status", strconv.Itoa(int(r.LicenseStatus)), fstr(f, "license_status"))
	eq("binding_expiration", strconv.Itoa(int(r.BindingExpiration)), fstr(f, "binding_expiration_minutes"))
	eq("application_id", r.ApplicationID.String(), fstr(f, "application_id"))
	eq("activation_id", r.ActivationID.String(), fstr(f, "activation_id"))
	eq("kms_id", r.KMSCountedID.String(), fstr(f, "kms_id"))
	eq("cmid", r.CMID.String(), fstr(f, "cmid"))
	eq("previous_cmid", r.PreviousCMID.String(), fstr(f, "previous_cmid"))
	eq("required_client_count", strconv.Itoa(int(r.RequiredCount)), fstr(f, "required_client_count"))
	eq("workstation", r.Workstation, fstr(f, "workstation"))
	eq("client_time_utc", kmsclient.FiletimeTime(r.Time).Format("2006-01-02T15:04:05Z"), fstr(f, "client_time_utc"))
}

func TestVectors_ResponsesVerifyAndReencode(t *testing.T) {
	n := 0
	for _, v := range loadVectors(t) {
		for i, k := range v.KMS {
			if k.Response == nil {
				continue
			}
			n++
			t.Run(v.Case+"/"+strconv.Itoa(i), func(t *testing.T) {
				_, sent, err := hostside.DecodeRequest(unhex(t, k.Request.WireHex))
				if err != nil {
					t.Fatal(err)
				}
				capture := unhex(t, k.Response.WireHex)
				d, err := kmsclient.DecodeResponse(capture, &sent)
				if err != nil {
					t.Fatalf("DecodeResponse: %v", err)
				}
				if len(d.Warnings) != 0 {
					t.Errorf("warnings on a genuine reply: %v", d.Warnings)
				}
				f := k.Response.Fields
				if d.EPID != fstr(f, "epid") || d.CMID.String() != fstr(f, "cmid") ||
					uint64(d.Count) != fnum(t, f, "current_count") ||
					uint64(d.ActivationInterval) != fnum(t, f, "activation_interval_minutes") ||
					uint64(d.RenewalInterval) != fnum(t, f, "renewal_interval_minutes") ||
					d.Time != sent.Time {
					t.Errorf("decoded %+v, vector %v", d.Response, f)
				}
				if d.Version == kmsclient.V6 {
					if hex.EncodeToString(d.HWID[:]) != fstr(f, "hwid") {
						t.Errorf("hwid %x, vector %s", d.HWID, fstr(f, "hwid"))
					}
				}
				if d.Version != kmsclient.V4 {
					if hex.EncodeToString(d.Salts.R[:]) != fstr(f, "random") {
						t.Errorf("random %x, vector %s", d.Salts.R, fstr(f, "random"))
					}
				}
				// With the host's salts the encoder reproduces the capture.
				again, err := hostside.EncodeResponse(nil, &d.Response, &sent, &d.Salts)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(again, capture) {
					t.Errorf("re-encoded response differs\n got %x\nwant %x", again, capture)
				}
			})
		}
	}
	if n < 15 {
		t.Fatalf("only %d responses in the vectors", n)
	}
}

// TestVectors_PDUs parses every captured PDU and re-encodes the ones the
// client or the test host produce, comparing bytes.
func TestVectors_PDUs(t *testing.T) {
	for _, v := range loadVectors(t) {
		ndr64 := map[[2]int]bool{} // (conn, ctx) → NDR64
		offered := map[int]*kmsclient.Bind{}
		kmsIdx := 0
		for i, p := range v.PDUs {
			pdu := unhex(t, p.Hex)
			name := v.Case + "/" + strconv.Itoa(i) + "/" + p.Type
			h, err := kmsclient.ParseHeader(pdu)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if int(h.FragLength) != len(pdu) || h.CallID != p.Header.CallID {
				t.Errorf("%s: header %+v", name, h)
			}
			switch p.Type {
			case "bind", "alter_context":
				b, err := hostside.ParseBind(pdu)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				offered[p.Conn] = &b
				again := kmsclient.AppendBind(nil, h.Type, h.Flags, h.CallID, &b)
				if !bytes.Equal(again, pdu) {
					t.Errorf("%s: re-encoded\n got %x\nwant %x", name, again, pdu)
				}
				if len(b.Items) != int(fnum(t, p.Fields, "num_ctx_items")) {
					t.Errorf("%s: %d items", name, len(b.Items))
				}
			case "bind_ack", "alter_context_resp":
				a, err := kmsclient.ParseBindAck(pdu)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if a.SecAddr != fstr(p.Fields, "secondary_address") || len(a.Results) != int(fnum(t, p.Fields, "num_results")) {
					t.Errorf("%s: %+v", name, a)
				}
				results := p.Fields["results"].([]any)
				for j, r := range a.Results {
					rf := results[j].(map[string]any)
					if uint64(r.Result) != fnum(t, rf, "result") || uint64(r.Reason) != fnum(t, rf, "reason") ||
						r.Transfer.UUID.String() != fstr(rf, "transfer_syntax") {
						t.Errorf("%s: result %d = %+v, vector %v", name, j, r, rf)
					}
					if r.Result == kmsclient.ResultAcceptance {
						ndr64[[2]int{p.Conn, int(offered[p.Conn].Items[j].ID)}] = r.Transfer.UUID == kmsclient.NDR64
					}
				}
				// Pad bytes are unspecified (vlmcsd leaves leftovers): compare the rest.
				again := hostside.AppendBindAck(nil, h.Type, h.Flags, h.CallID, &a)
				if len(again) != len(pdu) {
					t.Errorf("%s: re-encoded length %d, capture %d", name, len(again), len(pdu))
					break
				}
				padStart := 26 + len(a.SecAddr)
				if a.SecAddr != "" {
					padStart++
				}
				for j := range pdu {
					if j >= padStart && j < wire.Align4(padStart) {
						continue
					}
					if again[j] != pdu[j] {
						t.Errorf("%s: byte %d = %02x, capture %02x", name, j, again[j], pdu[j])
						break
					}
				}
			case "request":
				c, err := kmsclient.ParseCall(pdu, h)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				is64 := ndr64[[2]int{p.Conn, int(c.ContextID)}]
				if want := fstr(p.Fields, "ndr") == "NDR64"; want != is64 {
					t.Errorf("%s: context %d NDR64=%v, vector %s", name, c.ContextID, is64, fstr(p.Fields, "ndr"))
				}
				body, err := hostside.ParseRequestStub(c.Stub, is64)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				k := v.KMS[kmsIdx]
				if hex.EncodeToString(body) != k.Request.WireHex {
					t.Errorf("%s: KMS request differs from kms[%d]", name, kmsIdx)
				}
				again := kmsclient.AppendRequest(nil, h.CallID, c.ContextID, c.Opnum, kmsclient.AppendRequestStub(nil, is64, body))
				if !bytes.Equal(again, pdu) {
					t.Errorf("%s: re-encoded\n got %x\nwant %x", name, again, pdu)
				}
			case "response":
				c, err := kmsclient.ParseCall(pdu, h)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				is64 := ndr64[[2]int{p.Conn, int(c.ContextID)}]
				rs, err := kmsclient.ParseResponseStub(c.Stub, is64)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				k := v.KMS[kmsIdx]
				kmsIdx++
				status, _ := strconv.ParseUint(strings.TrimPrefix(fstr(p.Fields, "status"), "0x"), 16, 32)
				if rs.Result != uint32(status) || rs.Excess != 0 {
					t.Errorf("%s: result %#x excess %d, vector %s", name, rs.Result, rs.Excess, fstr(p.Fields, "status"))
				}
				if k.Response == nil {
					if rs.Body != nil {
						t.Errorf("%s: body on an error reply", name)
					}
				} else if hex.EncodeToString(rs.Body) != k.Response.WireHex {
					t.Errorf("%s: body differs from kms response", name)
				}
				var body []byte
				if rs.Body != nil {
					body = rs.Body
				}
				stub := hostside.AppendResponseStub(nil, is64, body, rs.Result)
				again := hostside.AppendResponse(nil, h.Flags, h.CallID, c.ContextID, c.AllocHint, stub)
				if !bytes.Equal(again, pdu) {
					t.Errorf("%s: re-encoded\n got %x\nwant %x", name, again, pdu)
				}
			default:
				t.Fatalf("%s: unexpected PDU type", name)
			}
		}
	}
}

// TestKnownAnswer_V6Request checks the complete V6 request of docs/protocol.md §10.1.
func TestKnownAnswer_V6Request(t *testing.T) {
	req := kmsclient.Request{Version: 6, LicenseStatus: 2, BindingExpiration: 43200, ApplicationID: kmsclient.AppWindows,
		ActivationID:  guid.MustParse("73111121-5638-40f6-bc11-f1d7b0d64300"),
		KMSCountedID:  guid.MustParse("58e2134f-8e11-4d17-9cb2-91069c151148"),
		CMID:          guid.MustParse("3f2504e0-4f89-41d3-9a0c-0305e82c3301"),
		RequiredCount: 25, Time: 134399301040000000, Workstation: "WS01.corp.example.com"}
	var iv [16]byte
	for i := range iv {
		iv[i] = byte(i)
	}
	got, sent, err := kmsclient.EncodeRequest(nil, &req, iv)
	if err != nil {
		t.Fatal(err)
	}
	want := "00000600000102030405060708090a0b0c0d0e0f0e9fd870b28b8285f736f82c" +
		"6cd0e06b03fcffed0b5b85dd300094cac36be16529362786518b4d232dfb1a3b" +
		"dc8eab5c08cc00381df7bb7944addbdc295c5c5950a4155314f9845f7d6e7487" +
		"e9290493d1e24306402061cd907357fc94d07d21bad5655eb10588bfee0a1973" +
		"158ee5a5bcf074c6e2cc46e0571b289570dd1ee2004465f1b56c1adaab3dabee" +
		"c557484956d05a3ba49af2a89b96dd3439ba08da026133ed53f254623cdc3cc3" +
		"203d64fb74739634ce790a29a795b2961e8be270b60058bbe2138175b49ac654" +
		"a4de3e77f9fca5479c5da6eb226f2bb51652958ccdf0ea1443218697a1b022aa" +
		"3b3177cd"
	if hex.EncodeToString(got) != want {
		t.Errorf("V6 request\n got %x\nwant %s", got, want)
	}
	if hex.EncodeToString(sent.DIV[:]) != "7c49a81964119e65c24b99a098afe453" {
		t.Errorf("D(IV) = %x", sent.DIV)
	}
	req.Version = 4
	got, _, _ = kmsclient.EncodeRequest(nil, &req, iv)
	if hex.EncodeToString(got[236:]) != "0358895c24d1a6b4aa97cca269dc4f06" {
		t.Errorf("V4 hash %x", got[236:])
	}
}
