// Package wire holds the byte-level pieces both halves of the KMS
// protocol are built from: bounds-checked little-endian field readers,
// appenders, NDR alignment, fixed UTF-16LE fields and the DCE/RPC common
// header (docs/protocol.md §2). kmsclient's client half and the test
// host's half (kmsclient/internal/hostside) share them, so there is one
// copy of each.
package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf16"

	"github.com/kmsctl/kmsctl/guid"
)

// ErrShort is wrapped by every decoder that ran out of input
// (kmsclient.ErrShort is the same value).
var ErrShort = errors.New("message too short")

// Field readers have the shape (msg, off) -> (value, newOff, err) and check
// the bounds before they slice, so a decoder never indexes past its input.

// Need checks that b holds n bytes at off; the error wraps ErrShort.
func Need(b []byte, off, n int) error {
	if off < 0 || n < 0 || off > len(b) || len(b)-off < n {
		return fmt.Errorf("%w: need %d bytes at offset %d, have %d", ErrShort, n, off, len(b))
	}
	return nil
}

// ReadU8 reads a byte.
func ReadU8(b []byte, off int) (uint8, int, error) {
	if err := Need(b, off, 1); err != nil {
		return 0, off, err
	}
	return b[off], off + 1, nil
}

// ReadU16 reads a little-endian u16.
func ReadU16(b []byte, off int) (uint16, int, error) {
	if err := Need(b, off, 2); err != nil {
		return 0, off, err
	}
	return binary.LittleEndian.Uint16(b[off:]), off + 2, nil
}

// ReadU32 reads a little-endian u32.
func ReadU32(b []byte, off int) (uint32, int, error) {
	if err := Need(b, off, 4); err != nil {
		return 0, off, err
	}
	return binary.LittleEndian.Uint32(b[off:]), off + 4, nil
}

// ReadU64 reads a little-endian u64.
func ReadU64(b []byte, off int) (uint64, int, error) {
	if err := Need(b, off, 8); err != nil {
		return 0, off, err
	}
	return binary.LittleEndian.Uint64(b[off:]), off + 8, nil
}

// ReadGUID reads a GUID in its 16-byte wire form.
func ReadGUID(b []byte, off int) (guid.GUID, int, error) {
	if err := Need(b, off, 16); err != nil {
		return guid.Nil, off, err
	}
	return guid.FromWire(b[off : off+16]), off + 16, nil
}

// ReadBytes returns n bytes at off; they alias b.
func ReadBytes(b []byte, off, n int) ([]byte, int, error) {
	if err := Need(b, off, n); err != nil {
		return nil, off, err
	}
	return b[off : off+n], off + n, nil
}

// AppendU16 appends a little-endian u16.
func AppendU16(b []byte, v uint16) []byte { return binary.LittleEndian.AppendUint16(b, v) }

// AppendU32 appends a little-endian u32.
func AppendU32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }

// AppendU64 appends a little-endian u64.
func AppendU64(b []byte, v uint64) []byte { return binary.LittleEndian.AppendUint64(b, v) }

// AppendGUID appends g in its 16-byte wire form.
func AppendGUID(b []byte, g guid.GUID) []byte {
	w := g.Wire()
	return append(b, w[:]...)
}

// AppendZeros appends n zero bytes.
func AppendZeros(b []byte, n int) []byte {
	for i := 0; i < n; i++ {
		b = append(b, 0)
	}
	return b
}

// Align4 rounds x up to a multiple of 4 (NDR32 alignment).
func Align4(x int) int { return (x + 3) &^ 3 }

// Align8 rounds x up to a multiple of 8 (NDR64 alignment).
func Align8(x int) int { return (x + 7) &^ 7 }

// AppendUTF16Fixed writes s as UTF-16LE into a field of exactly units code
// units, NUL-padded. s must leave room for the terminating NUL.
func AppendUTF16Fixed(b []byte, s string, units int) ([]byte, error) {
	u := utf16.Encode([]rune(s))
	if len(u) > units-1 {
		return b, fmt.Errorf("%q is %d UTF-16 units long; the field holds at most %d", s, len(u), units-1)
	}
	for _, c := range u {
		if c == 0 {
			return b, fmt.Errorf("%q contains a NUL character", s)
		}
		b = AppendU16(b, c)
	}
	return AppendZeros(b, 2*(units-len(u))), nil
}

// UTF16Units reads len(b)/2 little-endian UTF-16 code units.
func UTF16Units(b []byte) []uint16 {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return u
}

// AppendHeader writes a DCE/RPC v5.0 common header (little-endian, ASCII,
// IEEE; no authentication) whose frag_length FinishPDU patches.
func AppendHeader(b []byte, ptype, flags uint8, callID uint32) []byte {
	b = append(b, 5, 0, ptype, flags, 0x10, 0, 0, 0, 0, 0, 0, 0)
	return AppendU32(b, callID)
}

// FinishPDU writes frag_length for the PDU that starts at start.
func FinishPDU(b []byte, start int) []byte {
	n := len(b) - start
	b[start+8] = byte(n)
	b[start+9] = byte(n >> 8)
	return b
}
