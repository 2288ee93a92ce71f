package kmshost

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestDecodeSealed(t *testing.T) {
	sig := bytes.Repeat([]byte{0xAB}, 16)
	body := encodeSealed(sig, []byte("sealed bytes"), 12)
	m, err := decodeSealed(body)
	if err != nil {
		t.Fatal(err)
	}
	if m.length != 12 || string(m.sealed) != "sealed bytes" || !bytes.Equal(m.signature, sig) || m.contentType != "application/soap+xml;charset=UTF-8" {
		t.Errorf("decoded %+v", m)
	}
	// As Windows writes it, and with the liberties a server may take:
	// no indentation, LF line ends, other letter case, an empty message.
	for _, v := range []string{
		"--Encrypted Boundary\r\n\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=3\r\n--Encrypted Boundary\r\n\tContent-Type: application/octet-stream\r\n\x10\x00\x00\x00SSSSSSSSSSSSSSSSabc--Encrypted Boundary--\r\n",
		"--Encrypted Boundary\nContent-Type: application/http-spnego-session-encrypted\noriginalcontent: type=application/soap+xml;charset=UTF-8;Length=3\n--Encrypted Boundary\ncontent-type: Application/Octet-Stream\n\x10\x00\x00\x00SSSSSSSSSSSSSSSSabc--Encrypted Boundary--",
	} {
		m, err := decodeSealed([]byte(v))
		if err != nil || string(m.sealed) != "abc" || string(m.signature) != "SSSSSSSSSSSSSSSS" {
			t.Errorf("%q: %+v, %v", v, m, err)
		}
	}
	if m, err := decodeSealed(encodeSealed(sig, nil, 0)); err != nil || len(m.sealed) != 0 {
		t.Errorf("an empty message: %+v, %v", m, err)
	}
	good := string(body)
	for name, v := range map[string]string{
		"empty":            "",
		"plain SOAP":       "<s:Envelope/>",
		"no closing":       strings.TrimSuffix(good, "--Encrypted Boundary--\r\n"),
		"length too large": strings.Replace(good, "Length=12", "Length=13", 1),
		"length negative":  strings.Replace(good, "Length=12", "Length=-1", 1),
		"no length":        strings.Replace(good, ";Length=12", "", 1),
		"other protocol":   strings.Replace(good, "application/HTTP-SPNEGO-session-encrypted", "application/HTTP-CredSSP-session-encrypted", 1),
		"no protocol":      strings.Replace(good, "\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n", "", 1),
		"not octet-stream": strings.Replace(good, "application/octet-stream", "text/plain", 1),
		"signature size":   strings.Replace(good, "\x10\x00\x00\x00", "\x20\x00\x00\x00", 1),
		"cut in signature": "--Encrypted Boundary\r\n\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=0\r\n--Encrypted Boundary\r\n\tContent-Type: application/octet-stream\r\n\x10\x00\x00\x00SSS--Encrypted Boundary--\r\n",
		"one part":         "--Encrypted Boundary\r\n\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=0\r\n",
	} {
		if m, err := decodeSealed([]byte(v)); err == nil {
			t.Errorf("%s: decoded %+v", name, m)
		}
	}
}

// FuzzDecodeSealed: no body panics the decoder; what it decodes has an
// NTLM signature and as many sealed bytes as the original length, and
// encodes back to something that decodes the same.
func FuzzDecodeSealed(f *testing.F) {
	f.Add(encodeSealed(bytes.Repeat([]byte{1}, 16), []byte("<s:Envelope/>"), 13))
	f.Add(encodeSealed(make([]byte, 16), nil, 0))
	f.Add([]byte("--Encrypted Boundary\nContent-Type: application/http-spnego-session-encrypted\noriginalcontent: type=application/soap+xml;charset=UTF-8;Length=3\n--Encrypted Boundary\ncontent-type: Application/Octet-Stream\n\x10\x00\x00\x00SSSSSSSSSSSSSSSSabc--Encrypted Boundary--"))
	f.Add([]byte("--Encrypted Boundary\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeSealed(b)
		if err != nil {
			if m != nil {
				t.Fatalf("error %v with a value", err)
			}
			return
		}
		if len(m.signature) != ntlmSignatureSize || len(m.sealed) != m.length {
			t.Fatalf("signature of %d bytes, %d sealed bytes for %d", len(m.signature), len(m.sealed), m.length)
		}
		again, err := decodeSealed(encodeSealed(m.signature, m.sealed, m.length))
		if err != nil || !bytes.Equal(again.sealed, m.sealed) || !bytes.Equal(again.signature, m.signature) {
			t.Fatalf("re-encoded: %+v, %v", again, err)
		}
	})
}

// challenge is a CHALLENGE_MESSAGE with the flags and no target info.
func challenge(flags uint32) []byte {
	m := make([]byte, 56)
	copy(m, "NTLMSSP\x00")
	binary.LittleEndian.PutUint32(m[8:], 2)
	binary.LittleEndian.PutUint32(m[16:], 56) // empty target name at the end
	binary.LittleEndian.PutUint32(m[20:], flags)
	copy(m[24:32], "chalenge")
	binary.LittleEndian.PutUint32(m[44:], 56) // empty target info at the end
	return m
}

const fullFlags = 0x00000001 | ntlmSealing | 0x00800000 | 0x80000000 // + UNICODE, TARGET_INFO, 56

// TestSealHandshake: what a server that is not a Windows WinRM listener
// may answer at each step; every failure is an *Error of a kind, and
// nothing panics.
func TestSealHandshake(t *testing.T) {
	type step func(w http.ResponseWriter, r *http.Request)
	offer := func(h string) step {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("WWW-Authenticate", h)
			w.WriteHeader(401)
		}
	}
	status := func(code int, contentType, body string) step {
		return func(w http.ResponseWriter, _ *http.Request) {
			if contentType != "" {
				w.Header().Set("Content-Type", contentType)
			}
			w.WriteHeader(code)
			w.Write([]byte(body))
		}
	}
	chal := func(b []byte) step { return offer("Negotiate " + base64.StdEncoding.EncodeToString(b)) }
	handshake := []step{offer("Negotiate"), chal(challenge(fullFlags)), status(200, "", "")}
	for _, tc := range []struct {
		name  string
		steps []step
		kind  Kind
		has   string
	}{
		{"basic only", []step{offer(`Basic realm="WSMAN"`)}, KindAuth, "offers only Basic"},
		{"kerberos only", []step{offer("Kerberos")}, KindAuth, "HTTP 401: NTLM authentication refused (the server offers Kerberos)"},
		{"no auth asked", []step{status(200, "application/soap+xml", "")}, KindHTTP, "did not ask for credentials"},
		{"refused negotiate", []step{offer("Negotiate"), offer("Negotiate")}, KindAuth, "NTLM authentication refused (the server offers Negotiate)"},
		{"not a challenge", []step{offer("Negotiate"), chal([]byte("NTLMSSP\x00\x01\x00\x00\x00"))}, KindHTTP, "not an NTLM CHALLENGE"},
		{"garbage challenge", []step{offer("Negotiate"), chal(append(challenge(fullFlags)[:40], 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f))}, KindHTTP, "the host's NTLM challenge"},
		{"no sealing", []step{offer("Negotiate"), chal(challenge(fullFlags &^ ntlmSeal))}, KindHTTP, "does not agree to 128-bit signing and sealing"},
		{"no key exchange", []step{offer("Negotiate"), chal(challenge(fullFlags &^ ntlmKeyExch))}, KindHTTP, "does not agree"},
		{"refused authenticate", []step{offer("Negotiate"), chal(challenge(fullFlags)), offer("Negotiate")}, KindAuth, "NTLM authentication refused"},
		{"plain answer", append(handshake, status(200, "application/soap+xml", "<s:Envelope/>")), KindHTTP, "answered an encrypted message in plain text"},
		{"plain fault", append(handshake, status(500, "application/soap+xml", "<s:Envelope/>")), KindHTTP, "HTTP 500"},
		{"garbled", append(handshake, status(200, sealContentType, "--Encrypted Boundary\r\nx")), KindHTTP, "encrypted answer cannot be read"},
		{"not sealed by the host", append(handshake, status(200, sealContentType, string(encodeSealed(make([]byte, 16), []byte("abc"), 3)))), KindHTTP, "failed its NTLM signature check"},
		{"refused message", append(handshake, offer("Negotiate")), KindAuth, "NTLM authentication refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.Header.Get("Authorization"), "Basic") {
					t.Error("Basic credentials sent")
				}
				if n >= len(tc.steps) {
					t.Errorf("request %d: more than expected", n+1)
					w.WriteHeader(500)
					return
				}
				n++
				tc.steps[n-1](w, r)
			}))
			defer srv.Close()
			host, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
			p, _ := strconv.Atoi(port)
			cfg := &Config{Host: host, Port: p, User: `CORP\u`, Password: "pw", Timeout: 5 * time.Second}
			tr := newTransporter(context.Background(), cfg, opCounters)
			defer tr.close()
			_, err := tr.postSealed("<s:Envelope/>")
			var e *Error
			if !errors.As(err, &e) || e.Kind != tc.kind || !strings.Contains(e.Error(), tc.has) {
				t.Errorf("got %v, want kind %d with %q", err, tc.kind, tc.has)
			}
			if n != len(tc.steps) {
				t.Errorf("%d requests, want %d", n, len(tc.steps))
			}
		})
	}
}
