package kmsclient

import (
	"errors"
	"fmt"
)

// NDR marshalling of RequestActivation's arguments (PROTOCOL.md §3): the
// request is a conformant byte array behind a reference pointer; the
// response a conformant array behind a unique pointer, then the HRESULT.

const referentID = 0x00020000

// errStub is wrapped by every stub decoding failure.
var errStub = errors.New("malformed NDR stub")

// AppendRequestStub appends the NDR32 or NDR64 encoding of a KMS request.
func AppendRequestStub(dst []byte, ndr64 bool, req []byte) []byte {
	n := uint32(len(req))
	if ndr64 {
		dst = appendU64(dst, uint64(n))
		dst = appendU64(dst, uint64(n))
	} else {
		dst = appendU32(dst, n)
		dst = appendU32(dst, n)
	}
	return append(dst, req...)
}

// ParseRequestStub returns the KMS request carried in a request stub. Like
// Windows hosts it requires both length fields to agree and to fit the stub.
func ParseRequestStub(stub []byte, ndr64 bool) ([]byte, error) {
	var size, count uint64
	off := 0
	var err error
	if ndr64 {
		var s32 uint32
		if s32, off, err = readU32(stub, 0); err == nil {
			size = uint64(s32)
			count, off, err = readU64(stub, 8)
		}
	} else {
		var a, b uint32
		if a, off, err = readU32(stub, 0); err == nil {
			b, off, err = readU32(stub, off)
		}
		size, count = uint64(a), uint64(b)
	}
	if err != nil {
		return nil, fmt.Errorf("request stub: %w", err)
	}
	if size != count {
		return nil, fmt.Errorf("request stub: size %d but array count %d: %w", size, count, errStub)
	}
	body, _, err := readBytes(stub, off, int(min(size, uint64(len(stub)+1))))
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
			dst = appendU64(dst, 0)
			dst = appendU64(dst, 0)
		} else {
			dst = appendU32(dst, 0)
			dst = appendU32(dst, 0)
		}
		return appendU32(dst, hr)
	}
	if ndr64 {
		dst = appendU32(dst, m)
		dst = appendU32(dst, 0)
		dst = appendU64(dst, referentID)
		dst = appendU64(dst, uint64(m))
	} else {
		dst = appendU32(dst, m)
		dst = appendU32(dst, referentID)
		dst = appendU32(dst, m)
	}
	dst = append(dst, resp...)
	dst = appendZeros(dst, align4(len(dst)-start)-(len(dst)-start))
	return appendU32(dst, hr)
}

// ResponseStub is a decoded response stub.
type ResponseStub struct {
	Body   []byte // nil when the host returned a NULL pointer
	Result uint32 // the HRESULT
	Excess int    // bytes after the HRESULT (tolerated up to 16)
}

// maxStubExcess is how many stray bytes after the HRESULT are tolerated
// (PROTOCOL.md §9.1 item 11).
const maxStubExcess = 16

// ParseResponseStub decodes a response stub. With a non-NULL referent the
// HRESULT is read at the 4-aligned offset after the body (Windows' layout),
// which is also where vlmcsd and py-kms put the bytes of a zero result.
func ParseResponseStub(stub []byte, ndr64 bool) (ResponseStub, error) {
	var rs ResponseStub
	var size, ref, count uint64
	off := 0
	var err error
	if ndr64 {
		var s uint32
		if s, _, err = readU32(stub, 0); err == nil {
			size = uint64(s)
			if ref, off, err = readU64(stub, 8); err == nil && ref != 0 {
				count, off, err = readU64(stub, off)
			}
		}
	} else {
		var s, r, c uint32
		if s, off, err = readU32(stub, 0); err == nil {
			if r, off, err = readU32(stub, off); err == nil && r != 0 {
				c, off, err = readU32(stub, off)
			}
		}
		size, ref, count = uint64(s), uint64(r), uint64(c)
	}
	if err != nil {
		return ResponseStub{}, fmt.Errorf("response stub: %w", err)
	}
	if ref == 0 {
		if rs.Result, off, err = readU32(stub, off); err != nil {
			return ResponseStub{}, fmt.Errorf("response stub: %w", err)
		}
		if size != 0 {
			return ResponseStub{}, fmt.Errorf("response stub: NULL response with size %d: %w", size, errStub)
		}
		rs.Excess = len(stub) - off
		if rs.Excess > maxStubExcess {
			return ResponseStub{}, fmt.Errorf("response stub: %d bytes after the result: %w", rs.Excess, errStub)
		}
		return rs, nil
	}
	if size != count {
		return ResponseStub{}, fmt.Errorf("response stub: size %d but array count %d: %w", size, count, errStub)
	}
	if size > uint64(len(stub)) {
		return ResponseStub{}, fmt.Errorf("response stub: size %d exceeds the %d-byte stub: %w", size, len(stub), errStub)
	}
	body, end, err := readBytes(stub, off, int(size))
	if err != nil {
		return ResponseStub{}, fmt.Errorf("response stub: %w", err)
	}
	if rs.Result, off, err = readU32(stub, align4(end)); err != nil {
		return ResponseStub{}, fmt.Errorf("response stub: result: %w", err)
	}
	rs.Body = body
	rs.Excess = len(stub) - off
	if rs.Excess > maxStubExcess {
		return ResponseStub{}, fmt.Errorf("response stub: %d bytes after the result: %w", rs.Excess, errStub)
	}
	return rs, nil
}
