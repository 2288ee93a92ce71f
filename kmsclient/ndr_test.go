package kmsclient_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/kmsclient/internal/hostside"
	"testing"
)

// ndrStub lays out RequestActivation's [out] parameters by hand, written
// from C706 chapter 14 and MS-RPCE 2.2.5 independently of
// AppendResponseStub: *responseSize, the unique pointer's referent, the
// pointed-to conformant array when the referent is not NULL, then the
// 4-aligned return value.
func ndrStub(ndr64 bool, size uint32, ref, count uint64, body []byte, rv uint32) []byte {
	le := binary.LittleEndian
	b := le.AppendUint32(nil, size)
	if ndr64 {
		b = append(b, 0, 0, 0, 0) // to the 8-byte boundary of the u64 referent
		b = le.AppendUint64(b, ref)
	} else {
		b = le.AppendUint32(b, uint32(ref))
	}
	if ref != 0 {
		if ndr64 {
			b = le.AppendUint64(b, count)
		} else {
			b = le.AppendUint32(b, uint32(count))
		}
		b = append(b, body...)
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
	}
	return le.AppendUint32(b, rv)
}

// TestParseResponseStub_EveryCombination runs every combination of
// referent, size field, array count and return value through the parser,
// in both transfer syntaxes. NDR's rules decide each outcome: a NULL
// referent means no array, so the return value is the result whatever the
// size says; a non-NULL referent's array must have max_count equal to the
// size (size_is(, *responseSize)) and fit the stub, and then the return
// value after it is the result.
func TestParseResponseStub_EveryCombination(t *testing.T) {
	refs := []uint64{0, hostside.ReferentID, 1, 0xdeadbeef}
	sizes := []uint32{0, 3, 160, 260, 0x7fffffff, 0xffffffff}
	results := []uint32{0, 0xC004F042, 0x8007000D, 0xC004F038}
	n := 0
	for _, ndr64 := range []bool{false, true} {
		for _, ref := range refs {
			if ndr64 && ref == 1 {
				ref = 1 << 40 // NDR64 referents are 64 bits wide
			}
			for _, size := range sizes {
				for _, countDelta := range []int64{0, 1, -1} {
					for _, rv := range results {
						count := uint64(int64(size) + countDelta)
						if ref == 0 && countDelta != 0 {
							continue // no array, no count
						}
						body := bytes.Repeat([]byte{0xa5}, int(min(count, 300)))
						stub := ndrStub(ndr64, size, ref, count, body, rv)
						name := fmt.Sprintf("ndr64=%v/ref=%#x/size=%d/count=%d/rv=%#x", ndr64, ref, size, count, rv)
						n++
						rs, err := kmsclient.ParseResponseStub(stub, ndr64)
						switch {
						case ref == 0:
							if err != nil || rs.Body != nil || rs.Result != rv || rs.Size != size || rs.Excess != 0 {
								t.Errorf("%s: %+v, %v; want no body, result %#x", name, rs, err, rv)
							}
						case count != uint64(size) || count > 300:
							if !errors.Is(err, kmsclient.ErrStub) {
								t.Errorf("%s: %+v, %v; want a malformed stub", name, rs, err)
							}
						default:
							if err != nil || !bytes.Equal(rs.Body, body) || rs.Body == nil || rs.Result != rv || rs.Excess != 0 {
								t.Errorf("%s: %+v, %v; want the %d-byte body and result %#x", name, rs, err, len(body), rv)
							}
						}
						// Every stub cut short fails, with nothing half-decoded.
						for cut := 0; cut < len(stub) && err == nil; cut++ {
							if rs, err := kmsclient.ParseResponseStub(stub[:cut], ndr64); err == nil || rs.Body != nil || rs.Result != 0 {
								t.Errorf("%s cut to %d bytes: %+v, %v", name, cut, rs, err)
								break
							}
						}
					}
				}
			}
		}
	}
	if n < 400 {
		t.Fatalf("only %d combinations", n)
	}
}

// TestParseResponseStub_Recorded checks the byte layouts docs/protocol.md §3.3
// records from vlmcsd, and the refusal the issue quotes from a Windows host.
func TestParseResponseStub_Recorded(t *testing.T) {
	for _, c := range []struct {
		name  string
		ndr64 bool
		hex   string
		size  uint32
		rv    uint32
	}{
		{"vlmcsd NDR32 bad version", false, "00000000" + "00000000" + "0d000780", 0, 0x8007000D},
		{"vlmcsd NDR64 bad version", true, "00000000" + "00000000" + "0000000000000000" + "0d000780", 0, 0x8007000D},
		{"NDR32 refusal with a size", false, "04010000" + "00000000" + "42f004c0", 260, 0xC004F042},
		{"NDR64 refusal with a size", true, "04010000" + "00000000" + "0000000000000000" + "42f004c0", 260, 0xC004F042},
		{"NDR64 refusal, size and pad bytes set", true, "04010000" + "ffffffff" + "0000000000000000" + "42f004c0", 260, 0xC004F042},
	} {
		stub, _ := hex.DecodeString(c.hex)
		rs, err := kmsclient.ParseResponseStub(stub, c.ndr64)
		if err != nil || rs.Body != nil || rs.Result != c.rv || rs.Size != c.size || rs.Excess != 0 {
			t.Errorf("%s: %+v, %v", c.name, rs, err)
		}
	}
}

// TestParseResponseStub_Excess: up to 16 stray bytes after the return value
// are tolerated and counted, more are a malformed stub.
func TestParseResponseStub_Excess(t *testing.T) {
	for _, ndr64 := range []bool{false, true} {
		for _, body := range [][]byte{nil, bytes.Repeat([]byte{1}, 158)} {
			ref := uint64(0)
			if body != nil {
				ref = hostside.ReferentID
			}
			stub := ndrStub(ndr64, uint32(len(body)), ref, uint64(len(body)), body, 0xC004F042)
			for extra := 0; extra <= kmsclient.MaxStubExcess+1; extra++ {
				rs, err := kmsclient.ParseResponseStub(append(stub, make([]byte, extra)...), ndr64)
				if extra <= kmsclient.MaxStubExcess && (err != nil || rs.Excess != extra || rs.Result != 0xC004F042) {
					t.Errorf("ndr64=%v body=%d extra=%d: %+v, %v", ndr64, len(body), extra, rs, err)
				}
				if extra > kmsclient.MaxStubExcess && !errors.Is(err, kmsclient.ErrStub) {
					t.Errorf("ndr64=%v body=%d extra=%d accepted: %+v", ndr64, len(body), extra, rs)
				}
			}
		}
	}
}
