package kmsclient

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmsclient/internal/wire"
)

// DCE/RPC connection-oriented PDUs, only the subset KMS needs (docs/protocol.md §2):
// no authentication, no object UUID.

// Packet types.
const (
	PTypeRequest       uint8 = 0
	PTypeResponse      uint8 = 2
	PTypeFault         uint8 = 3
	PTypeBind          uint8 = 11
	PTypeBindAck       uint8 = 12
	PTypeBindNak       uint8 = 13
	PTypeAlterContext  uint8 = 14
	PTypeAlterResponse uint8 = 15
	PTypeShutdown      uint8 = 16
)

// pfc_flags bits.
const (
	FlagFirstFrag     uint8  = 0x01
	FlagLastFrag      uint8  = 0x02
	FlagConcMPX       uint8  = 0x10
	FlagDidNotExecute uint8  = 0x20
	FlagObjectUUID    uint8  = 0x80
	FlagsSingleFrag          = FlagFirstFrag | FlagLastFrag
	HeaderLen                = 16
	requestHeaderLen         = 24
	defaultMaxFrag    uint16 = 5840
	// MaxPDU caps what a peer may declare: frag_length is a u16, and no KMS
	// PDU comes near the 5840 bytes Windows negotiates.
	MaxPDU = 5840
)

// Bind-ack result values.
const (
	ResultAcceptance     uint16 = 0
	ResultUserReject     uint16 = 1
	ResultProviderReject uint16 = 2
	ResultNegotiateAck   uint16 = 3
)

// Syntax identifiers.
var (
	KMSInterface = guid.MustParse("51c82175-844e-4750-b0d8-ec255555bc06")
	NDR32        = guid.MustParse("8a885d04-1ceb-11c9-9fe8-08002b104860")
	NDR64        = guid.MustParse("71710533-beba-4937-8319-b5dbef9ccc36")
	// BTFN carries the requested feature bits in bytes 8-9 of the GUID.
	btfnPrefix = [8]byte{0x6c, 0xb7, 0x1c, 0x2c, 0x98, 0x12, 0x45, 0x40}
)

// BTFN returns the bind-time feature negotiation pseudo-syntax asking for features.
func BTFN(features uint16) guid.GUID {
	var g guid.GUID
	copy(g[:8], btfnPrefix[:])
	// Bytes 8-9 of the text form are sent as is, and hold a little-endian u16.
	g[8], g[9] = byte(features), byte(features>>8)
	return g
}

// IsBTFN reports whether g is a bind-time feature negotiation syntax and the features it asks for.
func IsBTFN(g guid.GUID) (uint16, bool) {
	if [8]byte(g[:8]) != btfnPrefix {
		return 0, false
	}
	return uint16(g[8]) | uint16(g[9])<<8, true
}

// SyntaxID names an abstract or transfer syntax with its version. For an
// abstract syntax the version is major | minor<<16, as on the wire.
type SyntaxID struct {
	UUID    guid.GUID
	Version uint32
}

var (
	kmsAbstract  = SyntaxID{KMSInterface, 1}
	syntaxNDR32  = SyntaxID{NDR32, 2}
	syntaxNDR64  = SyntaxID{NDR64, 1}
	syntaxBTFN   = SyntaxID{BTFN(0x0003), 1}
	errNotDCERPC = errors.New("not a DCE/RPC v5.0 PDU")
)

// Header is the 16-byte common header of every PDU.
type Header struct {
	Type       uint8
	Flags      uint8
	FragLength uint16
	CallID     uint32
}

// ParseHeader decodes and checks the common header: version 5.0,
// little-endian/ASCII/IEEE data representation, no authentication, and a
// fragment length between 16 and MaxPDU.
func ParseHeader(b []byte) (Header, error) {
	if err := wire.Need(b, 0, HeaderLen); err != nil {
		return Header{}, fmt.Errorf("rpc header: %w", err)
	}
	if b[0] != 5 || b[1] != 0 {
		return Header{}, fmt.Errorf("rpc header: %s: %w", answeredWith(b), errNotDCERPC)
	}
	if b[4] != 0x10 || b[5] != 0 || b[6] != 0 || b[7] != 0 {
		return Header{}, fmt.Errorf("rpc header: data representation %x is not little-endian ASCII IEEE", b[4:8])
	}
	h := Header{Type: b[2], Flags: b[3]}
	h.FragLength, _, _ = wire.ReadU16(b, 8)
	auth, _, _ := wire.ReadU16(b, 10)
	h.CallID, _, _ = wire.ReadU32(b, 12)
	if auth != 0 {
		return Header{}, fmt.Errorf("rpc header: auth_length %d, KMS uses no authentication", auth)
	}
	if h.FragLength < HeaderLen || int(h.FragLength) > MaxPDU {
		return Header{}, fmt.Errorf("rpc header: frag_length %d outside %d..%d", h.FragLength, HeaderLen, MaxPDU)
	}
	return h, nil
}

// answeredWith names what b, the first bytes a host sent where a DCE/RPC
// header belongs, look like: "the host answered with HTTP", "... with
// TLS" (a TLS record: content type 20..23, version 3.x) or "... with
// non-RPC bytes", each ending "not a KMS host". A port that answers
// something else is not a KMS host, whatever else it is.
func answeredWith(b []byte) string {
	what := "non-RPC bytes"
	switch {
	case bytes.HasPrefix(b, []byte("HTTP/")):
		what = "HTTP"
	case len(b) >= 2 && b[0] >= 20 && b[0] <= 23 && b[1] == 3:
		what = "TLS"
	}
	return "the host answered with " + what + fmt.Sprintf(" (% x%s), not a KMS host", b[:min(len(b), 8)], map[bool]string{true: " …", false: ""}[len(b) > 8])
}

// PTypeName names a packet type for error messages.
func PTypeName(t uint8) string {
	switch t {
	case PTypeRequest:
		return "request (0x00)"
	case PTypeResponse:
		return "response (0x02)"
	case PTypeFault:
		return "fault (0x03)"
	case PTypeBind:
		return "bind (0x0b)"
	case PTypeBindAck:
		return "bind_ack (0x0c)"
	case PTypeBindNak:
		return "bind_nak (0x0d)"
	case PTypeAlterContext:
		return "alter_context (0x0e)"
	case PTypeAlterResponse:
		return "alter_context_resp (0x0f)"
	case PTypeShutdown:
		return "shutdown (0x10)"
	}
	return fmt.Sprintf("type 0x%02x", t)
}

// ContextItem is one presentation context offered in a bind.
type ContextItem struct {
	ID       uint16
	Abstract SyntaxID
	Transfer SyntaxID
}

// Bind is a bind or alter_context PDU body.
type Bind struct {
	MaxXmit, MaxRecv uint16
	AssocGroup       uint32
	Items            []ContextItem
}

// AppendBind appends a complete bind (or alter_context, by ptype) PDU.
func AppendBind(dst []byte, ptype, flags uint8, callID uint32, b *Bind) []byte {
	start := len(dst)
	dst = wire.AppendHeader(dst, ptype, flags, callID)
	dst = wire.AppendU16(dst, b.MaxXmit)
	dst = wire.AppendU16(dst, b.MaxRecv)
	dst = wire.AppendU32(dst, b.AssocGroup)
	dst = append(dst, byte(len(b.Items)), 0, 0, 0)
	for _, it := range b.Items {
		dst = wire.AppendU16(dst, it.ID)
		dst = append(dst, 1, 0)
		dst = wire.AppendGUID(dst, it.Abstract.UUID)
		dst = wire.AppendU32(dst, it.Abstract.Version)
		dst = wire.AppendGUID(dst, it.Transfer.UUID)
		dst = wire.AppendU32(dst, it.Transfer.Version)
	}
	return wire.FinishPDU(dst, start)
}

// BindResult is one per-context answer in a bind_ack.
type BindResult struct {
	Result   uint16
	Reason   uint16
	Transfer SyntaxID
}

// BindAck is a bind_ack or alter_context_resp PDU body.
type BindAck struct {
	MaxXmit, MaxRecv uint16
	AssocGroup       uint32
	SecAddr          string // the host's port as text; empty in alter_context_resp
	Results          []BindResult
}

// ParseBindAck decodes a bind_ack or alter_context_resp PDU. The result list
// offset is computed from the secondary address length, never from frag_length.
func ParseBindAck(pdu []byte) (BindAck, error) {
	var a BindAck
	off := HeaderLen
	var err error
	if a.MaxXmit, off, err = wire.ReadU16(pdu, off); err != nil {
		return BindAck{}, fmt.Errorf("bind_ack: %w", err)
	}
	if a.MaxRecv, off, err = wire.ReadU16(pdu, off); err != nil {
		return BindAck{}, fmt.Errorf("bind_ack: %w", err)
	}
	if a.AssocGroup, off, err = wire.ReadU32(pdu, off); err != nil {
		return BindAck{}, fmt.Errorf("bind_ack: %w", err)
	}
	l, off, err := wire.ReadU16(pdu, off)
	if err != nil {
		return BindAck{}, fmt.Errorf("bind_ack: %w", err)
	}
	addr, off, err := wire.ReadBytes(pdu, off, int(l))
	if err != nil {
		return BindAck{}, fmt.Errorf("bind_ack secondary address: %w", err)
	}
	for i, c := range addr {
		if c == 0 {
			addr = addr[:i]
			break
		}
		if c < 0x20 || c > 0x7e {
			return BindAck{}, fmt.Errorf("bind_ack: secondary address holds byte 0x%02x", c)
		}
	}
	a.SecAddr = string(addr)
	off = wire.Align4(off)
	n, off, err := wire.ReadU8(pdu, off)
	if err != nil {
		return BindAck{}, fmt.Errorf("bind_ack: %w", err)
	}
	off += 3
	if err := wire.Need(pdu, off, 24*int(n)); err != nil {
		return BindAck{}, fmt.Errorf("bind_ack: %d results: %w", n, err)
	}
	a.Results = make([]BindResult, n)
	for i := range a.Results {
		r := &a.Results[i]
		r.Result, off, _ = wire.ReadU16(pdu, off)
		r.Reason, off, _ = wire.ReadU16(pdu, off)
		r.Transfer.UUID, off, _ = wire.ReadGUID(pdu, off)
		r.Transfer.Version, off, _ = wire.ReadU32(pdu, off)
	}
	return a, nil
}

// BindNak is a bind_nak PDU body.
type BindNak struct {
	Reason uint16
}

// ParseBindNak decodes a bind_nak PDU.
func ParseBindNak(pdu []byte) (BindNak, error) {
	r, _, err := wire.ReadU16(pdu, HeaderLen)
	if err != nil {
		return BindNak{}, fmt.Errorf("bind_nak: %w", err)
	}
	return BindNak{Reason: r}, nil
}

// BindNakReason names a bind_nak reject reason.
func BindNakReason(r uint16) string {
	names := []string{"reason not specified", "temporary congestion", "local limit exceeded",
		"called presentation address unknown", "protocol version not supported",
		"default context not supported", "user data not readable", "no presentation service access point available",
		"authentication type not recognised", "invalid checksum"}
	if int(r) < len(names) {
		return names[r]
	}
	return fmt.Sprintf("reason %d", r)
}

// BindRejectReason names the reason of a rejected presentation context.
func BindRejectReason(r uint16) string {
	switch r {
	case 0:
		return "reason not specified"
	case 1:
		return "abstract syntax (interface) not supported"
	case 2:
		return "proposed transfer syntaxes not supported"
	case 3:
		return "local limit exceeded"
	}
	return fmt.Sprintf("reason %d", r)
}

// CallPDU is a request or response PDU (they share the 24-byte layout but
// for the opnum / cancel_count fields).
type CallPDU struct {
	AllocHint   uint32
	ContextID   uint16
	Opnum       uint16 // request only
	CancelCount uint8  // response only
	Stub        []byte
}

// AppendRequest appends a single-fragment request PDU.
func AppendRequest(dst []byte, callID uint32, ctxID, opnum uint16, stub []byte) []byte {
	start := len(dst)
	dst = wire.AppendHeader(dst, PTypeRequest, FlagsSingleFrag, callID)
	dst = wire.AppendU32(dst, uint32(len(stub)))
	dst = wire.AppendU16(dst, ctxID)
	dst = wire.AppendU16(dst, opnum)
	dst = append(dst, stub...)
	return wire.FinishPDU(dst, start)
}

// ParseCall decodes a request or response PDU; the stub aliases pdu.
func ParseCall(pdu []byte, h Header) (CallPDU, error) {
	var c CallPDU
	off := HeaderLen
	var err error
	if int(h.FragLength) != len(pdu) {
		return CallPDU{}, fmt.Errorf("%s: frag_length %d but %d bytes", PTypeName(h.Type), h.FragLength, len(pdu))
	}
	if h.Flags&FlagObjectUUID != 0 {
		return CallPDU{}, fmt.Errorf("%s: object UUID flag set, KMS never uses one", PTypeName(h.Type))
	}
	if c.AllocHint, off, err = wire.ReadU32(pdu, off); err != nil {
		return CallPDU{}, fmt.Errorf("%s: %w", PTypeName(h.Type), err)
	}
	if c.ContextID, off, err = wire.ReadU16(pdu, off); err != nil {
		return CallPDU{}, fmt.Errorf("%s: %w", PTypeName(h.Type), err)
	}
	if h.Type == PTypeRequest {
		c.Opnum, off, err = wire.ReadU16(pdu, off)
	} else {
		c.CancelCount, off, err = wire.ReadU8(pdu, off)
		off++
	}
	if err != nil {
		return CallPDU{}, fmt.Errorf("%s: %w", PTypeName(h.Type), err)
	}
	if err := wire.Need(pdu, 0, off); err != nil {
		return CallPDU{}, fmt.Errorf("%s: %w", PTypeName(h.Type), err)
	}
	c.Stub = pdu[off:]
	return c, nil
}

// Fault is a fault PDU body.
type Fault struct {
	ContextID uint16
	Status    uint32
}

// ParseFault decodes a fault PDU.
func ParseFault(pdu []byte) (Fault, error) {
	var f Fault
	var err error
	if f.ContextID, _, err = wire.ReadU16(pdu, 20); err != nil {
		return Fault{}, fmt.Errorf("fault: %w", err)
	}
	if f.Status, _, err = wire.ReadU32(pdu, 24); err != nil {
		return Fault{}, fmt.Errorf("fault: %w", err)
	}
	return f, nil
}

// FaultName names the fault statuses a KMS client may see: the NCA codes
// of hresult and the Win32 errors Windows' RPC runtime sends as they are.
func FaultName(status uint32) string {
	switch hresult.Code(status) {
	case hresult.FaultOpRange:
		return "nca_s_op_rng_error (operation number out of range)"
	case hresult.FaultUnknownInterface:
		return "nca_s_unk_if (unknown interface or presentation context)"
	case hresult.FaultProtoError:
		return "nca_s_proto_error (protocol error)"
	case hresult.FaultInvalidPresContext:
		return "nca_s_invalid_pres_context_id (invalid presentation context)"
	case hresult.FaultContextMismatch:
		return "nca_s_fault_context_mismatch"
	case 0x000006f7: // Win32 1783
		return "RPC_X_BAD_STUB_DATA (stub data could not be unmarshalled)"
	case 0x000006d1: // Win32 1745
		return "RPC_S_PROCNUM_OUT_OF_RANGE"
	case 0x00000005: // Win32 5
		return "access denied"
	case hresult.FaultUnspecified:
		return "nca_s_fault_unspec (unspecified server fault)"
	}
	return "unknown fault status"
}
