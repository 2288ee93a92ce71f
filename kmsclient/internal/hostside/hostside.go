// Package hostside is the host's half of the KMS wire protocol: it
// decodes what a client sends (binds, request stubs, KMS requests) and
// encodes what a host answers (bind_ack, bind_nak, responses, faults),
// with kmsclient's types and the same byte-level pieces
// (kmsclient/internal/wire).
//
// kmsctl ships no KMS host. Only the test KMS host (kmsclient/kmstest)
// and the round-trip tests import this package, and being internal to
// kmsclient nothing outside it can; TestShippedBinaryHasNoTestHost checks
// that the kmsctl binary links neither.
package hostside

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"unicode/utf16"

	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/kmsclient/internal/kmscrypto"
	"github.com/kmsctl/kmsctl/kmsclient/internal/wire"
)

// ReferentID is the referent a host writes for the response pointer, as
// Windows hosts and vlmcsd do (docs/protocol.md §3.2); NDR gives any
// non-zero value the same meaning.
const ReferentID = 0x00020000

// errStub is wrapped by every request stub decoding failure.
var errStub = errors.New("malformed NDR stub")

// ParseBaseRequest decodes a 236-byte base request.
func ParseBaseRequest(b []byte) (kmsclient.Request, error) {
	if err := wire.Need(b, 0, kmsclient.BaseRequestLen); err != nil {
		return kmsclient.Request{}, fmt.Errorf("base request: %w", err)
	}
	var r kmsclient.Request
	off := 0
	r.Minor, off, _ = wire.ReadU16(b, off)
	major, off, _ := wire.ReadU16(b, off)
	r.Version = int(major)
	vm, off, _ := wire.ReadU32(b, off)
	r.VM = vm != 0
	status, off, _ := wire.ReadU32(b, off)
	r.LicenseStatus = kmsclient.LicenseStatus(status)
	r.BindingExpiration, off, _ = wire.ReadU32(b, off)
	r.ApplicationID, off, _ = wire.ReadGUID(b, off)
	r.ActivationID, off, _ = wire.ReadGUID(b, off)
	r.KMSCountedID, off, _ = wire.ReadGUID(b, off)
	r.CMID, off, _ = wire.ReadGUID(b, off)
	r.RequiredCount, off, _ = wire.ReadU32(b, off)
	r.Time, off, _ = wire.ReadU64(b, off)
	r.PreviousCMID, off, _ = wire.ReadGUID(b, off)
	units := wire.UTF16Units(b[off:kmsclient.BaseRequestLen])
	n := 0
	for n < len(units) && units[n] != 0 {
		n++
	}
	if n == len(units) {
		return kmsclient.Request{}, fmt.Errorf("base request: workstation name is not NUL-terminated")
	}
	r.Workstation = string(utf16.Decode(units[:n]))
	return r, nil
}

// DecodeRequest is the host side: it checks the envelope (length, V4 hash,
// V5/V6 padding and inner version) and returns the request and what the
// host needs to answer it.
func DecodeRequest(b []byte) (kmsclient.Request, kmsclient.Sent, error) {
	minor, _, err := wire.ReadU16(b, 0)
	if err != nil {
		return kmsclient.Request{}, kmsclient.Sent{}, fmt.Errorf("request: %w", err)
	}
	major, _, _ := wire.ReadU16(b, 2)
	switch {
	case major == kmsclient.V4:
		if len(b) < kmsclient.RequestLenV4 {
			return kmsclient.Request{}, kmsclient.Sent{}, fmt.Errorf("V4 request: %d bytes, want %d: %w", len(b), kmsclient.RequestLenV4, kmsclient.ErrShort)
		}
		h := kmscrypto.V4Hash(b[:kmsclient.BaseRequestLen])
		if subtle.ConstantTimeCompare(h[:], b[kmsclient.BaseRequestLen:kmsclient.RequestLenV4]) != 1 {
			return kmsclient.Request{}, kmsclient.Sent{}, fmt.Errorf("V4 request: hash does not match")
		}
		r, err := ParseBaseRequest(b)
		if err != nil {
			return kmsclient.Request{}, kmsclient.Sent{}, err
		}
		return r, kmsclient.Sent{Version: kmsclient.V4, Minor: minor, CMID: r.CMID, Time: r.Time, RequiredCount: r.RequiredCount}, nil
	case major >= kmsclient.V5 && major <= 9:
		if len(b) < kmsclient.RequestLenV5V6 {
			return kmsclient.Request{}, kmsclient.Sent{}, fmt.Errorf("V%d request: %d bytes, want %d: %w", major, len(b), kmsclient.RequestLenV5V6, kmsclient.ErrShort)
		}
		var iv [16]byte
		copy(iv[:], b[4:20])
		blk := kmscrypto.Block(int(major))
		plain, err := kmscrypto.DecryptCBC(nil, blk, &iv, b[20:kmsclient.RequestLenV5V6])
		if err != nil {
			return kmsclient.Request{}, kmsclient.Sent{}, fmt.Errorf("V%d request: %w", major, err)
		}
		if len(plain) != kmsclient.BaseRequestLen {
			return kmsclient.Request{}, kmsclient.Sent{}, fmt.Errorf("V%d request: %d bytes inside the padding, want %d", major, len(plain), kmsclient.BaseRequestLen)
		}
		r, err := ParseBaseRequest(plain)
		if err != nil {
			return kmsclient.Request{}, kmsclient.Sent{}, fmt.Errorf("V%d request: %w", major, err)
		}
		if r.Version != int(major) || r.Minor != minor {
			return kmsclient.Request{}, kmsclient.Sent{}, fmt.Errorf("V%d request: inner version %d.%d differs from outer %d.%d", major, r.Version, r.Minor, major, minor)
		}
		return r, kmsclient.Sent{Version: int(major), Minor: minor, CMID: r.CMID, Time: r.Time, RequiredCount: r.RequiredCount, IV: iv, DIV: kmscrypto.DecryptBlock(blk, &iv)}, nil
	}
	return kmsclient.Request{}, kmsclient.Sent{}, fmt.Errorf("request: KMS version %d.%d is not supported", major, minor)
}

// AppendBaseResponse appends the base response with the ePID as UTF-16LE + NUL.
func AppendBaseResponse(dst []byte, r *kmsclient.Response) ([]byte, error) {
	u := utf16.Encode([]rune(r.EPID))
	p := 2 * (len(u) + 1)
	if p > kmsclient.MaxEPIDBytes {
		return dst, fmt.Errorf("ePID %q: %d bytes, at most %d", r.EPID, p, kmsclient.MaxEPIDBytes)
	}
	dst = wire.AppendU16(dst, r.Minor)
	dst = wire.AppendU16(dst, uint16(r.Version))
	dst = wire.AppendU32(dst, uint32(p))
	for _, c := range u {
		dst = wire.AppendU16(dst, c)
	}
	dst = wire.AppendU16(dst, 0)
	dst = wire.AppendGUID(dst, r.CMID)
	dst = wire.AppendU64(dst, r.Time)
	dst = wire.AppendU32(dst, r.Count)
	dst = wire.AppendU32(dst, r.ActivationInterval)
	return wire.AppendU32(dst, r.RenewalInterval), nil
}

// EncodeResponse is the host side: it appends the wire form of r answering
// the request described by sent.
func EncodeResponse(dst []byte, r *kmsclient.Response, sent *kmsclient.Sent, salts *kmsclient.Salts) ([]byte, error) {
	switch r.Version {
	case kmsclient.V4, kmsclient.V5, kmsclient.V6:
		base, err := AppendBaseResponse(make([]byte, 0, 256), r)
		if err != nil {
			return dst, err
		}
		return Seal(dst, base, r.Version, r.Minor, r.HWID, sent, salts), nil
	}
	return dst, fmt.Errorf("KMS protocol version %d: only 4, 5 and 6 exist", r.Version)
}

// Seal appends base, a base response, wrapped as a host wraps it for
// version 4, 5 or 6 (docs/protocol.md §5-6): V4 adds the hash; V5 and V6 add
// R XOR DIV and SHA-256(R) (V6 also hwid, DIV and the HMAC keyed by the
// time inside base), then encrypt behind version, minor and the IV (the
// request's for V5, salts.RIV for V6). base is not checked, so tests can
// seal malformed ones; a V6 base must hold at least its last 20 bytes
// (the time echo onwards).
func Seal(dst, base []byte, version int, minor uint16, hwid [8]byte, sent *kmsclient.Sent, salts *kmsclient.Salts) []byte {
	if version == kmsclient.V4 {
		start := len(dst)
		dst = append(dst, base...)
		h := kmscrypto.V4Hash(dst[start:])
		return append(dst, h[:]...)
	}
	inner := append(make([]byte, 0, len(base)+88), base...)
	for i := range salts.R {
		inner = append(inner, salts.R[i]^sent.DIV[i])
	}
	sum := sha256.Sum256(salts.R[:])
	inner = append(inner, sum[:]...)
	riv := sent.IV
	blk := kmscrypto.Block(version)
	if version == kmsclient.V6 {
		riv = salts.RIV
		inner = append(inner, hwid[:]...)
		inner = append(inner, sent.DIV[:]...)
		ft, _, _ := wire.ReadU64(base, len(base)-20)
		key := kmscrypto.HMACKey(ft)
		s := kmscrypto.DecryptBlock(blk, &riv)
		mac := kmscrypto.V6HMAC(&key, &s, inner)
		inner = append(inner, mac[:]...)
	}
	dst = wire.AppendU16(dst, minor)
	dst = wire.AppendU16(dst, uint16(version))
	dst = append(dst, riv[:]...)
	return kmscrypto.EncryptCBC(dst, blk, &riv, inner)
}

// ParseRequestStub returns the KMS request carried in a request stub. Like
// Windows hosts it requires both length fields to agree and to fit the stub.
func ParseRequestStub(stub []byte, ndr64 bool) ([]byte, error) {
	var size, count uint64
	off := 0
	var err error
	if ndr64 {
		var s32 uint32
		if s32, off, err = wire.ReadU32(stub, 0); err == nil {
			size = uint64(s32)
			count, off, err = wire.ReadU64(stub, 8)
		}
	} else {
		var a, b uint32
		if a, off, err = wire.ReadU32(stub, 0); err == nil {
			b, off, err = wire.ReadU32(stub, off)
		}
		size, count = uint64(a), uint64(b)
	}
	if err != nil {
		return nil, fmt.Errorf("request stub: %w", err)
	}
	if size != count {
		return nil, fmt.Errorf("request stub: size %d but array count %d: %w", size, count, errStub)
	}
	body, _, err := wire.ReadBytes(stub, off, int(min(size, uint64(len(stub)+1))))
	if err != nil {
		return nil, fmt.Errorf("request stub: %w", err)
	}
	return body, nil
}

// AppendResponseStub appends a response stub: the KMS response and a zero
// HRESULT, or, when resp is nil, a NULL pointer and the HRESULT hr.
func AppendResponseStub(dst []byte, ndr64 bool, resp []byte, hr uint32) []byte {
	start := len(dst)
	m := uint32(len(resp))
	if resp == nil {
		if ndr64 {
			dst = wire.AppendU64(dst, 0)
			dst = wire.AppendU64(dst, 0)
		} else {
			dst = wire.AppendU32(dst, 0)
			dst = wire.AppendU32(dst, 0)
		}
		return wire.AppendU32(dst, hr)
	}
	if ndr64 {
		dst = wire.AppendU32(dst, m)
		dst = wire.AppendU32(dst, 0)
		dst = wire.AppendU64(dst, ReferentID)
		dst = wire.AppendU64(dst, uint64(m))
	} else {
		dst = wire.AppendU32(dst, m)
		dst = wire.AppendU32(dst, ReferentID)
		dst = wire.AppendU32(dst, m)
	}
	dst = append(dst, resp...)
	dst = wire.AppendZeros(dst, wire.Align4(len(dst)-start)-(len(dst)-start))
	return wire.AppendU32(dst, hr)
}

// ParseBind decodes the body of a bind or alter_context PDU (the whole PDU is passed).
func ParseBind(pdu []byte) (kmsclient.Bind, error) {
	var b kmsclient.Bind
	off := kmsclient.HeaderLen
	var err error
	if b.MaxXmit, off, err = wire.ReadU16(pdu, off); err != nil {
		return kmsclient.Bind{}, fmt.Errorf("bind: %w", err)
	}
	if b.MaxRecv, off, err = wire.ReadU16(pdu, off); err != nil {
		return kmsclient.Bind{}, fmt.Errorf("bind: %w", err)
	}
	if b.AssocGroup, off, err = wire.ReadU32(pdu, off); err != nil {
		return kmsclient.Bind{}, fmt.Errorf("bind: %w", err)
	}
	n, off, err := wire.ReadU8(pdu, off)
	if err == nil {
		err = wire.Need(pdu, off, 3)
	}
	if err != nil {
		return kmsclient.Bind{}, fmt.Errorf("bind: %w", err)
	}
	off += 3
	for i := 0; i < int(n); i++ {
		var it kmsclient.ContextItem
		if it.ID, off, err = wire.ReadU16(pdu, off); err != nil {
			return kmsclient.Bind{}, fmt.Errorf("bind item %d: %w", i, err)
		}
		nts, o, err := wire.ReadU8(pdu, off)
		if err != nil {
			return kmsclient.Bind{}, fmt.Errorf("bind item %d: %w", i, err)
		}
		if nts < 1 {
			return kmsclient.Bind{}, fmt.Errorf("bind item %d: no transfer syntax", i)
		}
		off = o + 1
		if it.Abstract.UUID, off, err = wire.ReadGUID(pdu, off); err != nil {
			return kmsclient.Bind{}, fmt.Errorf("bind item %d: %w", i, err)
		}
		if it.Abstract.Version, off, err = wire.ReadU32(pdu, off); err != nil {
			return kmsclient.Bind{}, fmt.Errorf("bind item %d: %w", i, err)
		}
		// Only the first transfer syntax of an item is used, as every KMS peer does.
		if it.Transfer.UUID, off, err = wire.ReadGUID(pdu, off); err != nil {
			return kmsclient.Bind{}, fmt.Errorf("bind item %d: %w", i, err)
		}
		if it.Transfer.Version, off, err = wire.ReadU32(pdu, off); err != nil {
			return kmsclient.Bind{}, fmt.Errorf("bind item %d: %w", i, err)
		}
		if err := wire.Need(pdu, off, 20*(int(nts)-1)); err != nil {
			return kmsclient.Bind{}, fmt.Errorf("bind item %d: %w", i, err)
		}
		off += 20 * (int(nts) - 1)
		b.Items = append(b.Items, it)
	}
	return b, nil
}

// AppendBindAck appends a complete bind_ack (or alter_context_resp, by ptype) PDU.
func AppendBindAck(dst []byte, ptype, flags uint8, callID uint32, a *kmsclient.BindAck) []byte {
	start := len(dst)
	dst = wire.AppendHeader(dst, ptype, flags, callID)
	dst = wire.AppendU16(dst, a.MaxXmit)
	dst = wire.AppendU16(dst, a.MaxRecv)
	dst = wire.AppendU32(dst, a.AssocGroup)
	if a.SecAddr == "" {
		dst = wire.AppendU16(dst, 0)
	} else {
		dst = wire.AppendU16(dst, uint16(len(a.SecAddr)+1))
		dst = append(dst, a.SecAddr...)
		dst = append(dst, 0)
	}
	dst = wire.AppendZeros(dst, wire.Align4(len(dst)-start)-(len(dst)-start))
	dst = append(dst, byte(len(a.Results)), 0, 0, 0)
	for _, r := range a.Results {
		dst = wire.AppendU16(dst, r.Result)
		dst = wire.AppendU16(dst, r.Reason)
		dst = wire.AppendGUID(dst, r.Transfer.UUID)
		dst = wire.AppendU32(dst, r.Transfer.Version)
	}
	return wire.FinishPDU(dst, start)
}

// AppendBindNak appends a complete bind_nak PDU offering RPC version 5.0.
func AppendBindNak(dst []byte, callID uint32, reason uint16) []byte {
	start := len(dst)
	dst = wire.AppendHeader(dst, kmsclient.PTypeBindNak, kmsclient.FlagsSingleFrag, callID)
	dst = wire.AppendU16(dst, reason)
	dst = append(dst, 1, 5, 0)
	return wire.FinishPDU(dst, start)
}

// AppendResponse appends a response PDU with the given flags (normally single-fragment).
func AppendResponse(dst []byte, flags uint8, callID uint32, ctxID uint16, allocHint uint32, stub []byte) []byte {
	start := len(dst)
	dst = wire.AppendHeader(dst, kmsclient.PTypeResponse, flags, callID)
	dst = wire.AppendU32(dst, allocHint)
	dst = wire.AppendU16(dst, ctxID)
	dst = append(dst, 0, 0)
	dst = append(dst, stub...)
	return wire.FinishPDU(dst, start)
}

// AppendFault appends a fault PDU (flags FIRST|LAST|DID_NOT_EXECUTE, as vlmcsd sends).
func AppendFault(dst []byte, callID uint32, ctxID uint16, status uint32) []byte {
	start := len(dst)
	dst = wire.AppendHeader(dst, kmsclient.PTypeFault, kmsclient.FlagsSingleFrag|kmsclient.FlagDidNotExecute, callID)
	dst = wire.AppendU32(dst, 32)
	dst = wire.AppendU16(dst, ctxID)
	dst = append(dst, 0, 0)
	dst = wire.AppendU32(dst, status)
	dst = wire.AppendU32(dst, 0)
	return wire.FinishPDU(dst, start)
}
