package kmsclient

import (
	"errors"
	"fmt"
	"github.com/kmsctl/kmsctl/kmsclient/internal/wire"
)

// NDR marshalling of RequestActivation's arguments (docs/protocol.md §3): the
// request is a conformant byte array behind a reference pointer; the
// response a conformant array behind a unique pointer, then the HRESULT.

// errStub is wrapped by every stub decoding failure.
var errStub = errors.New("malformed NDR stub")

// AppendRequestStub appends the NDR32 or NDR64 encoding of a KMS request.
func AppendRequestStub(dst []byte, ndr64 bool, req []byte) []byte {
	n := uint32(len(req))
	if ndr64 {
		dst = wire.AppendU64(dst, uint64(n))
		dst = wire.AppendU64(dst, uint64(n))
	} else {
		dst = wire.AppendU32(dst, n)
		dst = wire.AppendU32(dst, n)
	}
	return append(dst, req...)
}

// ResponseStub is a decoded response stub.
type ResponseStub struct {
	Body   []byte // nil when the host returned a NULL pointer
	Result uint32 // the return value (an HRESULT)
	Excess int    // bytes after the return value (tolerated up to 16)
	// Size is the *responseSize the host wrote. With a NULL pointer NDR
	// gives it no meaning (Windows hosts may leave the size of the answer
	// they did not send there); otherwise it equals len(Body).
	Size uint32
}

// maxStubExcess is how many stray bytes after the HRESULT are tolerated
// (docs/protocol.md §9.1 item 11).
const maxStubExcess = 16

// ParseResponseStub decodes the [out] parameters of RequestActivation
// (docs/protocol.md §3.2-3.3) by NDR's rules (C706 chapter 14; MS-RPCE 2.2.5 for
// NDR64), in order:
//
//   - *responseSize: an int32 at offset 0;
//   - *response: a unique pointer, so a referent ID (u32; NDR64: u64 at the
//     next 8-byte boundary), 0 for NULL. A non-NULL referent is followed by
//     the conformant byte array it points to: max_count (u32; NDR64: u64),
//     which size_is(, *responseSize) ties to *responseSize, then the bytes;
//   - the return value, an int32 at the next 4-byte boundary.
//
// A NULL pointer carries no array, so whatever *responseSize says the
// return value follows the referent and is the result: "referent 0, size
// 260, return 0xC004F042" is the host refusing with 0xC004F042, as vlmcs
// and Windows read it. A non-NULL referent with a non-zero return value is
// a refusal too, once the array has been read past. Pad bytes are not
// checked (NDR leaves their content unspecified). The HRESULT of a
// non-NULL answer is read at the 4-aligned offset after the body
// (Windows' layout), which is also where vlmcsd and py-kms put the bytes
// of a zero result. Errors wrap errStub or report a short stub.
func ParseResponseStub(stub []byte, ndr64 bool) (ResponseStub, error) {
	var rs ResponseStub
	var ref uint64
	var err error
	off := 0
	if rs.Size, off, err = wire.ReadU32(stub, off); err != nil {
		return ResponseStub{}, fmt.Errorf("response stub: response size: %w", err)
	}
	if ref, off, err = readWord(stub, off, ndr64); err != nil {
		return ResponseStub{}, fmt.Errorf("response stub: referent: %w", err)
	}
	if ref != 0 {
		var count uint64
		if count, off, err = readWord(stub, off, ndr64); err != nil {
			return ResponseStub{}, fmt.Errorf("response stub: array count: %w", err)
		}
		if count != uint64(rs.Size) {
			return ResponseStub{}, fmt.Errorf("response stub: size %d but array count %d: %w", rs.Size, count, errStub)
		}
		if count > uint64(len(stub)-off) {
			return ResponseStub{}, fmt.Errorf("response stub: a %d-byte response in a %d-byte stub: %w", count, len(stub), errStub)
		}
		rs.Body, off, _ = wire.ReadBytes(stub, off, int(count))
	}
	if rs.Result, off, err = wire.ReadU32(stub, wire.Align4(off)); err != nil {
		return ResponseStub{}, fmt.Errorf("response stub: return value: %w", err)
	}
	rs.Excess = len(stub) - off
	if rs.Excess > maxStubExcess {
		return ResponseStub{}, fmt.Errorf("response stub: %d bytes after the return value: %w", rs.Excess, errStub)
	}
	return rs, nil
}

// readWord reads a referent ID or an array count: a u32 in NDR32, a u64 at
// the next 8-byte boundary in NDR64.
func readWord(b []byte, off int, ndr64 bool) (uint64, int, error) {
	if ndr64 {
		return wire.ReadU64(b, wire.Align8(off))
	}
	v, off, err := wire.ReadU32(b, off)
	return uint64(v), off, err
}
