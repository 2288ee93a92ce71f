package kmsclient_test

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmsclient"
)

// answering listens on loopback and answers every connection's first
// bytes with reply, then closes it.
func answering(t *testing.T, reply string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4096)
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			_, _ = c.Read(buf)
			_, _ = c.Write([]byte(reply))
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return ln.Addr().String()
}

// A port that answers the bind with HTTP, TLS or other bytes is said to be
// no KMS host, naming what answered, under RPC_S_CALL_FAILED.
func TestNotRPCAnswerSaysWhatAnswered(t *testing.T) {
	for _, tc := range []struct{ name, reply, want string }{
		{"http", "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", "answered with HTTP (48 54 54 50 2f 31 2e 31 …), not a KMS host"},
		{"tls alert", "\x15\x03\x01\x00\x02\x02\x46", "answered with TLS (15 03 01 00 02 02 46), not a KMS host"},
		{"ssh banner", "SSH-2.0-OpenSSH_9.2\r\n", "answered with non-RPC bytes (53 53 48 2d 32 2e 30 2d …), not a KMS host"},
		{"three bytes", "no\n", "answered with non-RPC bytes (6e 6f 0a), not a KMS host"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := kmsclient.Dial(ctxTimeout(t, 5*time.Second), answering(t, tc.reply), kmsclient.Options{})
			var ke *kmsclient.Error
			if !errors.As(err, &ke) {
				t.Fatalf("Dial: %v, want a *kmsclient.Error", err)
			}
			if ke.Kind != kmsclient.KindProtocol || ke.Code != hresult.CallFailed || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Dial: kind %v code %v %q, want protocol %v containing %q", ke.Kind, ke.Code, err, hresult.CallFailed, tc.want)
			}
		})
	}
}
