package kmsclient

import (
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
)

// A host that closes a connection kmsctl reuses shows as EOF, or as a
// reset: Linux's ECONNRESET, or on Windows Winsock's own WSAECONNRESET
// (10054), which is not Go's syscall.ECONNRESET there. Each must read as
// "the host closed the connection" so Activate reconnects; this failed
// under Wine when the host's close arrived as a reset.
func TestIsConnGone(t *testing.T) {
	wsa := func(op string, n syscall.Errno) error {
		return &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError(op, n)}
	}
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{wsa("read", syscall.ECONNRESET), true},
		{wsa("wsarecv", 10054), true},
		{wsa("wsasend", 10053), true},
		{&writeError{wsa("wsasend", 10054)}, true},
		{fmt.Errorf("%w before a full RPC header", errEOF), true},
		{net.ErrClosed, true},
		{wsa("connect", syscall.ECONNREFUSED), false},
		{wsa("wsarecv", 10061), false}, // WSAECONNREFUSED: never connected
		{io.ErrUnexpectedEOF, false},
	} {
		if got := isConnGone(tc.err) || isWriteGone(tc.err); got != tc.want {
			t.Errorf("isConnGone(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
