package kmsclient

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"time"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/kmsclient/internal/kmscrypto"
	"github.com/kmsctl/kmsctl/kmsclient/internal/wire"
)

// KMS messages (docs/protocol.md §4-6): the 236-byte base request, the
// variable base response, and their V4 (hashed), V5 and V6 (encrypted)
// envelopes: the client's half (encode a request, decode and verify a
// reply). The host's half, which only the test host and the round-trip
// tests use, is in internal/hostside.

// Sizes.
const (
	BaseRequestLen   = 236
	RequestLenV4     = 252
	RequestLenV5V6   = 260
	workstationUnits = 64
	MaxEPIDBytes     = 128 // the most bytes an ePID field holds, its NUL included
	baseResponseMin  = 44  // without the ePID
)

// The tail of a V5/V6 reply's inner block, the bytes after the base
// response (docs/protocol.md §6.4), as offsets from the tail's start.
const (
	tailRandomXorDIV = 0  // R XOR DIV, 16 bytes
	tailSaltHash     = 16 // SHA-256(R), 32 bytes
	tailLenV5        = 48 // V5 ends here
	tailHWID         = 48 // V6: the host's HwID, 8 bytes
	tailDIV          = 56 // V6: DIV again (XorSalts), 16 bytes
	tailHMAC         = 72 // V6: the truncated HMAC, 16 bytes
	tailLenV6        = 88

	// baseResponseTimeFromEnd is where the base response's time echo
	// starts, counted back from the base response's end (24+P of 44+P).
	baseResponseTimeFromEnd = 20
)

// Protocol versions.
const (
	V4 = 4
	V5 = 5
	V6 = 6
)

// Application IDs.
var (
	AppWindows    = guid.MustParse("55c92734-d682-4d71-983e-d6ec3f16059f")
	AppOffice2010 = guid.MustParse("59a52881-a989-479d-af46-f275c6370663")
	AppOffice     = guid.MustParse("0ff1ce15-a989-479d-af46-f275c6370663")
)

// Filetime converts t to a FILETIME (100 ns since 1601-01-01 UTC).
func Filetime(t time.Time) uint64 {
	return uint64(t.Unix())*10_000_000 + uint64(t.Nanosecond()/100) + filetimeUnixOffset
}

// Request is a KMS activation request (the base request's fields).
type Request struct {
	Version           int    // major version: 4, 5 or 6
	Minor             uint16 // always 0 for real clients
	VM                bool
	LicenseStatus     LicenseStatus
	BindingExpiration uint32 // minutes left in the current license state
	ApplicationID     guid.GUID
	ActivationID      guid.GUID // SKU ID
	KMSCountedID      guid.GUID
	CMID              guid.GUID
	RequiredCount     uint32 // the product's threshold (N count policy)
	Time              uint64 // FILETIME of the client's clock
	PreviousCMID      guid.GUID
	Workstation       string // at most 63 UTF-16 units
}

// AppendBaseRequest appends the 236-byte base request.
func AppendBaseRequest(dst []byte, r *Request) ([]byte, error) {
	dst = wire.AppendU16(dst, r.Minor)
	dst = wire.AppendU16(dst, uint16(r.Version))
	vm := uint32(0)
	if r.VM {
		vm = 1
	}
	dst = wire.AppendU32(dst, vm)
	dst = wire.AppendU32(dst, uint32(r.LicenseStatus))
	dst = wire.AppendU32(dst, r.BindingExpiration)
	dst = wire.AppendGUID(dst, r.ApplicationID)
	dst = wire.AppendGUID(dst, r.ActivationID)
	dst = wire.AppendGUID(dst, r.KMSCountedID)
	dst = wire.AppendGUID(dst, r.CMID)
	dst = wire.AppendU32(dst, r.RequiredCount)
	dst = wire.AppendU64(dst, r.Time)
	dst = wire.AppendGUID(dst, r.PreviousCMID)
	dst, err := wire.AppendUTF16Fixed(dst, r.Workstation, workstationUnits)
	if err != nil {
		return dst, fmt.Errorf("workstation name: %w", err)
	}
	return dst, nil
}

// Sent is what a client keeps of a request to verify the reply.
type Sent struct {
	Version       int
	Minor         uint16
	CMID          guid.GUID
	Time          uint64
	RequiredCount uint32   // the request's N, to judge the count against
	IV            [16]byte // V5/V6
	DIV           [16]byte // D(IV), V5/V6
}

// EncodeRequest appends the wire form of r: V4 base ‖ hash, or V5/V6
// version ‖ iv ‖ CBC(base). iv is ignored for V4.
func EncodeRequest(dst []byte, r *Request, iv [16]byte) ([]byte, Sent, error) {
	s := Sent{Version: r.Version, Minor: r.Minor, CMID: r.CMID, Time: r.Time, RequiredCount: r.RequiredCount, IV: iv}
	switch r.Version {
	case V4:
		start := len(dst)
		dst, err := AppendBaseRequest(dst, r)
		if err != nil {
			return dst[:start], Sent{}, err
		}
		h := kmscrypto.V4Hash(dst[start:])
		return append(dst, h[:]...), s, nil
	case V5, V6, 7, 8, 9:
		// Versions above 6 do not exist; hosts decrypt them with the V6
		// cipher and answer 0x8007000D, which is how they are tested.
		var scratch [BaseRequestLen]byte
		base, err := AppendBaseRequest(scratch[:0], r)
		if err != nil {
			return dst, Sent{}, err
		}
		blk := kmscrypto.Block(r.Version)
		dst = wire.AppendU16(dst, r.Minor)
		dst = wire.AppendU16(dst, uint16(r.Version))
		dst = append(dst, iv[:]...)
		dst = kmscrypto.EncryptCBC(dst, blk, &iv, base)
		s.DIV = kmscrypto.DecryptBlock(blk, &iv)
		return dst, s, nil
	}
	return dst, Sent{}, fmt.Errorf("KMS protocol version %d: only 4, 5 and 6 exist", r.Version)
}

// Response is a KMS activation response (the base response's fields plus
// the V6 hardware ID).
type Response struct {
	Version            int
	Minor              uint16
	EPID               string
	CMID               guid.GUID
	Time               uint64 // echo of the request's FILETIME
	Count              uint32
	ActivationInterval uint32 // minutes
	RenewalInterval    uint32 // minutes
	HWID               [8]byte
}

// Salts are the host's random choices for a V5/V6 reply: R, whose SHA-256
// proves the host could decrypt the request IV, and (V6) the response IV.
type Salts struct {
	R   [16]byte
	RIV [16]byte // V6 only; V5 echoes the request IV
}

// ResponseLen returns the exact length of a reply of the given version
// carrying an ePID of p bytes (NUL included).
func ResponseLen(version, p int) int {
	switch version {
	case V4:
		return 60 + p
	case V5:
		return 20 + 16*((92+p)/16+1)
	case V6:
		return 20 + 16*((132+p)/16+1)
	}
	return -1
}

// Decoded is a verified reply with what the verifier noticed but did not reject.
type Decoded struct {
	Response
	Salts    Salts
	Warnings []string
}

// DecodeResponse decodes the reply to sent and makes every check the
// protocol allows (docs/protocol.md §9.1 items 5-10). Any failure is a
// *VerifyError naming the check; on failure nothing else is returned.
func DecodeResponse(b []byte, sent *Sent) (Decoded, error) {
	var d Decoded
	minor, _, err := wire.ReadU16(b, 0)
	if err != nil {
		return Decoded{}, verifyErr(CheckLength, "reply of %d bytes", len(b))
	}
	major, _, _ := wire.ReadU16(b, 2)
	if int(major) != sent.Version || minor != sent.Minor {
		return Decoded{}, verifyErr(CheckVersion, "reply is version %d.%d, request was %d.%d", major, minor, sent.Version, sent.Minor)
	}
	var base []byte
	switch sent.Version {
	case V4:
		if len(b) < baseResponseMin+16+2 {
			return Decoded{}, verifyErr(CheckLength, "V4 reply of %d bytes is shorter than the smallest possible (62)", len(b))
		}
		base = b[:len(b)-16]
		h := kmscrypto.V4Hash(base)
		if subtle.ConstantTimeCompare(h[:], b[len(b)-16:]) != 1 {
			return Decoded{}, verifyErr(CheckV4Hash, "hash over the reply does not match")
		}
	case V5, V6:
		if len(b) < 20+16 || (len(b)-4)%16 != 0 {
			return Decoded{}, verifyErr(CheckLength, "V%d reply of %d bytes is not 4 + 16·n", sent.Version, len(b))
		}
		var riv [16]byte
		copy(riv[:], b[4:20])
		if sent.Version == V5 && riv != sent.IV {
			return Decoded{}, verifyErr(CheckIVEcho, "V5 reply IV differs from the request IV")
		}
		blk := kmscrypto.Block(sent.Version)
		inner, err := kmscrypto.DecryptCBC(make([]byte, 0, len(b)), blk, &riv, b[20:])
		if err != nil {
			return Decoded{}, verifyErr(CheckPadding, "decrypted reply: %v", err)
		}
		tailLen := tailLenV5
		if sent.Version == V6 {
			tailLen = tailLenV6
		}
		if len(inner) < baseResponseMin+2+tailLen {
			return Decoded{}, verifyErr(CheckLength, "decrypted V%d reply of %d bytes is too short", sent.Version, len(inner))
		}
		base = inner[:len(inner)-tailLen]
		t := inner[len(base):]
		var r [16]byte
		for i := range r {
			r[i] = t[tailRandomXorDIV+i] ^ sent.DIV[i]
		}
		sum := sha256.Sum256(r[:])
		if subtle.ConstantTimeCompare(sum[:], t[tailSaltHash:tailSaltHash+32]) != 1 {
			return Decoded{}, verifyErr(CheckSalt, "SHA-256 of the host's random value does not match: the host could not decrypt the request")
		}
		d.Salts.R = r
		if sent.Version == V6 {
			copy(d.HWID[:], t[tailHWID:tailHWID+8])
			if [16]byte(t[tailDIV:tailDIV+16]) != sent.DIV {
				return Decoded{}, verifyErr(CheckXorSalts, "the decrypted request IV the host returned is wrong")
			}
			// The HMAC key comes from the time inside the reply; the time
			// echo check below then ties it to the request.
			ft, _, err := wire.ReadU64(base, len(base)-baseResponseTimeFromEnd)
			if err != nil {
				return Decoded{}, verifyErr(CheckLength, "V6 reply: %v", err)
			}
			key := kmscrypto.HMACKey(ft)
			s := kmscrypto.DecryptBlock(blk, &riv)
			mac := kmscrypto.V6HMAC(&key, &s, inner[:len(base)+tailHMAC])
			if subtle.ConstantTimeCompare(mac[:], t[tailHMAC:tailLenV6]) != 1 {
				return Decoded{}, verifyErr(CheckHMAC, "V6 HMAC over the reply does not match")
			}
			d.Salts.RIV = riv
			if riv == sent.IV {
				d.Warnings = append(d.Warnings, "V6 reply reuses the request IV, as simple emulators do")
			}
		}
	default:
		return Decoded{}, verifyErr(CheckVersion, "request version %d is not 4, 5 or 6", sent.Version)
	}
	resp, warnings, err := parseBaseResponse(base, sent)
	if err != nil {
		return Decoded{}, err
	}
	if want := ResponseLen(sent.Version, len(base)-baseResponseMin); want != len(b) {
		return Decoded{}, verifyErr(CheckLength, "V%d reply is %d bytes, its ePID implies %d", sent.Version, len(b), want)
	}
	d.Response, d.Response.HWID = resp, d.HWID
	d.Warnings = append(d.Warnings, warnings...)
	return d, nil
}

// parseBaseResponse decodes and validates a base response whose length is
// exactly 44 + P.
func parseBaseResponse(b []byte, sent *Sent) (Response, []string, error) {
	var r Response
	var warnings []string
	if len(b) < baseResponseMin+2 {
		return Response{}, nil, verifyErr(CheckLength, "base response of %d bytes", len(b))
	}
	minor, off, _ := wire.ReadU16(b, 0)
	major, off, _ := wire.ReadU16(b, off)
	if int(major) != sent.Version || minor != sent.Minor {
		return Response{}, nil, verifyErr(CheckVersion, "inner version %d.%d, request was %d.%d", major, minor, sent.Version, sent.Minor)
	}
	r.Version, r.Minor = int(major), minor
	p, off, _ := wire.ReadU32(b, off)
	if p < 2 || p > MaxEPIDBytes || p%2 != 0 {
		return Response{}, nil, verifyErr(CheckEPID, "ePID size %d is not an even number of bytes from 2 to %d", p, MaxEPIDBytes)
	}
	if int(p)+baseResponseMin != len(b) {
		return Response{}, nil, verifyErr(CheckLength, "ePID size %d does not fit a %d-byte base response", p, len(b))
	}
	epid, off, _ := wire.ReadBytes(b, off, int(p))
	s, w, err := decodeEPIDText(epid)
	if err != nil {
		return Response{}, nil, err
	}
	if w != "" {
		warnings = append(warnings, w)
	}
	r.EPID = s
	r.CMID, off, _ = wire.ReadGUID(b, off)
	r.Time, off, _ = wire.ReadU64(b, off)
	r.Count, off, _ = wire.ReadU32(b, off)
	r.ActivationInterval, off, _ = wire.ReadU32(b, off)
	r.RenewalInterval, _, _ = wire.ReadU32(b, off)
	if r.CMID != sent.CMID {
		return Response{}, nil, verifyErr(CheckCMIDEcho, "reply names client %s, request was from %s", r.CMID, sent.CMID)
	}
	if r.Time != sent.Time {
		return Response{}, nil, verifyErr(CheckTimeEcho, "reply echoes time %d, request sent %d", r.Time, sent.Time)
	}
	// Windows accepts any count and any interval: they are warnings, not
	// failures (docs/protocol.md §9.1 item 10).
	if w := CountWarning(r.Count, sent.RequiredCount); w != "" {
		warnings = append(warnings, w)
	}
	for _, iv := range []struct {
		name string
		v    uint32
	}{{"activation", r.ActivationInterval}, {"renewal", r.RenewalInterval}} {
		if w := intervalWarning(iv.name, iv.v); w != "" {
			warnings = append(warnings, w)
		}
	}
	if _, err := ParseEPID(r.EPID); err != nil {
		warnings = append(warnings, fmt.Sprintf("ePID %q is not in Windows' format (%v): the host is probably an emulator", r.EPID, err))
	}
	return r, warnings, nil
}

// intervalWarning is the warning for an activation or renewal interval of
// minutes no Microsoft KMS host sends, "" for one it can: name is
// "activation" or "renewal".
func intervalWarning(name string, minutes uint32) string {
	switch {
	case minutes == 0:
		return name + " interval is 0 minutes"
	case minutes < MinIntervalMinutes || minutes > MaxIntervalMinutes:
		unit := "minutes"
		if minutes == 1 {
			unit = "minute"
		}
		return fmt.Sprintf("%s interval of %d %s is outside what a Microsoft KMS host can be set to (%d to %d minutes): an emulator or a modified host",
			name, minutes, unit, MinIntervalMinutes, MaxIntervalMinutes)
	}
	return ""
}

// ThresholdReached is the N-count policy, the one judgement of a count
// against a threshold: a KMS host that counts count clients activates a
// client needing threshold of them when count ≥ threshold (docs/protocol.md
// §8); below it the client is refused with 0xC004F038. The same test grades
// a probe, a --check limit, an ato reply, a host's WMI counters and the
// audit's forecast. int64 holds every count kmsctl meets: a reply's uint32,
// WMI's -1 (nothing counted yet) and an audit's tally.
func ThresholdReached(count, threshold int64) bool { return count >= threshold }

// MaxGenuineCount is the largest count a Microsoft KMS host reports to a
// request needing required clients: it caches at most twice the largest
// required count it has seen, and Windows clients, whose threshold is the
// largest (catalogue.LargestThreshold, 25), are always among them
// (docs/protocol.md §8), so 2 × max(required, 25).
func MaxGenuineCount(required uint32) uint32 {
	return 2 * max(required, catalogue.LargestThreshold)
}

// CountWarning is the warning for a count no Microsoft KMS host reports
// to a request needing required clients (above MaxGenuineCount), or "".
// Windows accepts such a count, so kmsctl does too.
func CountWarning(count, required uint32) string {
	if lim := MaxGenuineCount(required); count > lim {
		return fmt.Sprintf("count %d: no Microsoft KMS host reports more than %d for this request (twice the larger of its %d required clients and %d): an emulator or a modified host",
			count, lim, required, catalogue.LargestThreshold)
	}
	return ""
}
