package kmsclient

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf16"

	"github.com/kmsctl/kmsctl/guid"
)

// ErrShort is wrapped by every decoder that ran out of input.
var ErrShort = errors.New("message too short")

// Field readers have the shape (msg, off) -> (value, newOff, err) and check
// the bounds before they slice, so a decoder never indexes past its input.

func need(b []byte, off, n int) error {
	if off < 0 || n < 0 || off > len(b) || len(b)-off < n {
		return fmt.Errorf("%w: need %d bytes at offset %d, have %d", ErrShort, n, off, len(b))
	}
	return nil
}

func readU8(b []byte, off int) (uint8, int, error) {
	if err := need(b, off, 1); err != nil {
		return 0, off, err
	}
	return b[off], off + 1, nil
}

func readU16(b []byte, off int) (uint16, int, error) {
	if err := need(b, off, 2); err != nil {
		return 0, off, err
	}
	return binary.LittleEndian.Uint16(b[off:]), off + 2, nil
}

func readU32(b []byte, off int) (uint32, int, error) {
	if err := need(b, off, 4); err != nil {
		return 0, off, err
	}
	return binary.LittleEndian.Uint32(b[off:]), off + 4, nil
}

func readU64(b []byte, off int) (uint64, int, error) {
	if err := need(b, off, 8); err != nil {
		return 0, off, err
	}
	return binary.LittleEndian.Uint64(b[off:]), off + 8, nil
}

func readGUID(b []byte, off int) (guid.GUID, int, error) {
	if err := need(b, off, 16); err != nil {
		return guid.Nil, off, err
	}
	return guid.FromWire(b[off : off+16]), off + 16, nil
}

func readBytes(b []byte, off, n int) ([]byte, int, error) {
	if err := need(b, off, n); err != nil {
		return nil, off, err
	}
	return b[off : off+n], off + n, nil
}

func appendU16(b []byte, v uint16) []byte { return binary.LittleEndian.AppendUint16(b, v) }
func appendU32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }
func appendU64(b []byte, v uint64) []byte { return binary.LittleEndian.AppendUint64(b, v) }

func appendGUID(b []byte, g guid.GUID) []byte {
	w := g.Wire()
	return append(b, w[:]...)
}

func appendZeros(b []byte, n int) []byte {
	for i := 0; i < n; i++ {
		b = append(b, 0)
	}
	return b
}

func align4(x int) int { return (x + 3) &^ 3 }

func align8(x int) int { return (x + 7) &^ 7 }

// appendUTF16Fixed writes s as UTF-16LE into a field of exactly units code
// units, NUL-padded. s must leave room for the terminating NUL.
func appendUTF16Fixed(b []byte, s string, units int) ([]byte, error) {
	u := utf16.Encode([]rune(s))
	if len(u) > units-1 {
		return b, fmt.Errorf("%q is %d UTF-16 units long; the field holds at most %d", s, len(u), units-1)
	}
	for _, c := range u {
		if c == 0 {
			return b, fmt.Errorf("%q contains a NUL character", s)
		}
		b = appendU16(b, c)
	}
	return appendZeros(b, 2*(units-len(u))), nil
}

// utf16Units reads n little-endian UTF-16 code units.
func utf16Units(b []byte) []uint16 {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return u
}

// Filetime conversions: 100 ns intervals since 1601-01-01 UTC.
const filetimeUnixOffset = 11644473600 * 10_000_000
