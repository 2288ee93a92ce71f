package kmsclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"

	"github.com/kmsctl/kmsctl/hresult"
)

// Kind says which part of an exchange failed.
type Kind int

// Kinds of failure.
const (
	KindNetwork  Kind = iota + 1 // could not reach the host, or the connection broke
	KindTimeout                  // the deadline passed
	KindBind                     // the host refused the RPC bind
	KindFault                    // the host answered with an RPC fault
	KindHost                     // the host answered with an HRESULT instead of a body
	KindProtocol                 // the host sent something that is not valid DCE/RPC or NDR
	KindVerify                   // a reply failed a check: never trust it
	KindRequest                  // the request could not be built (bad input)
)

func (k Kind) String() string {
	switch k {
	case KindNetwork:
		return "network"
	case KindTimeout:
		return "timeout"
	case KindBind:
		return "bind rejected"
	case KindFault:
		return "rpc fault"
	case KindHost:
		return "host error"
	case KindProtocol:
		return "protocol error"
	case KindVerify:
		return "verification failed"
	case KindRequest:
		return "bad request"
	}
	return "unknown"
}

// Error is every failure of a KMS exchange. Code is the HRESULT Windows
// would report for it: 0xC004F074 when no answer could be had or trusted,
// the host's own code, or the RPC fault status.
type Error struct {
	Code  hresult.Code
	Kind  Kind
	Op    string // what was being done: "connect to 10.0.0.5:1688", "bind", "request", "verify reply"
	Addr  string // the host:port talked to
	Check string // for KindVerify: which check failed
	Err   error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return e.Op
	}
	return e.Op + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Unreachable reports whether the failure is the host's connection rather
// than its answer (network, timeout, bind or protocol): the association is
// over, so asking this host anything more is pointless and another host is
// worth trying, as a Windows client fails over.
func (e *Error) Unreachable() bool {
	switch e.Kind {
	case KindNetwork, KindTimeout, KindBind, KindProtocol:
		return true
	}
	return false
}

// Verification checks, named in errors.
const (
	CheckLength   = "length"
	CheckVersion  = "version echo"
	CheckV4Hash   = "V4 hash"
	CheckIVEcho   = "V5 IV echo"
	CheckPadding  = "padding"
	CheckSalt     = "SHA-256 salt"
	CheckXorSalts = "V6 decrypted-IV echo"
	CheckHMAC     = "V6 HMAC"
	CheckEPID     = "ePID"
	CheckCMIDEcho = "CMID echo"
	CheckTimeEcho = "client time echo"
	CheckRange    = "field range"
)

// VerifyError is a reply that failed a check.
type VerifyError struct {
	Check  string
	Detail string
}

func (e *VerifyError) Error() string { return e.Check + " check failed: " + e.Detail }

func verifyErr(check, format string, args ...any) error {
	return &VerifyError{Check: check, Detail: fmt.Sprintf(format, args...)}
}

// ErrBindRejected is wrapped when the host accepted no usable presentation context.
var ErrBindRejected = errors.New("bind rejected")

// netError classifies a dial, read or write failure.
func netError(op string, err error) *Error {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return &Error{Code: hresult.NoKMSHost, Kind: KindTimeout, Op: op, Err: &timeoutError{msg: "timed out waiting for the host", err: err}}
	case errors.Is(err, context.Canceled):
		return &Error{Code: hresult.NoKMSHost, Kind: KindTimeout, Op: op, Err: &timeoutError{msg: "cancelled", err: err}}
	}
	return &Error{Code: hresult.NoKMSHost, Kind: KindNetwork, Op: op, Err: err}
}

// timeoutError says what happened in words and keeps the cause for
// errors.Is, and which time limit ran out (a *limit.Limit) when the
// caller's context named it.
type timeoutError struct {
	msg   string
	err   error
	limit error
}

func (e *timeoutError) Error() string { return e.msg }
func (e *timeoutError) Unwrap() []error {
	if e.limit != nil {
		return []error{e.err, e.limit}
	}
	return []error{e.err}
}

// isConnGone reports whether err means the host closed or reset the connection.
func isConnGone(err error) bool {
	return errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED) ||
		errors.Is(err, wsaeConnReset) || errors.Is(err, wsaeConnAborted) ||
		errors.Is(err, errEOF)
}

// Winsock's codes for a connection the peer reset or aborted. On Windows a
// socket error is the Winsock Errno itself, which errors.Is does not match
// to Go's invented syscall.ECONNRESET; elsewhere no error carries these
// numbers.
const (
	wsaeConnReset   = syscall.Errno(10054) // WSAECONNRESET
	wsaeConnAborted = syscall.Errno(10053) // WSAECONNABORTED
)
