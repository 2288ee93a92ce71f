package audit

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strconv"
)

// The scan of ConvertTo-Json's event records: the hot path of reading a
// JSON export (a million records of about 1.3 KB each, twenty-odd
// properties per record of which three are read). It finds the record's
// end and its Id, TimeCreated and Properties in one pass, skipping every
// other value whole, eight bytes at a time where it can (SWAR: one
// 64-bit word holds eight bytes, and a few integer operations find the
// first byte of interest among them). It is strict: whatever it does not
// take (a key with an escape, a repeated key, a value of an unexpected
// shape, anything that is not JSON) makes it give up, and the general
// decoder (encoding/json) reads the record and says what is wrong.
//
// Why not a library (looked up): encoding/json decodes all twenty-odd
// properties (ten times slower, see BenchmarkReadJSON1M); tidwall/gjson and
// buger/jsonparser find keys fast but expect valid JSON and say so (invalid
// input gives "unexpected results", not an error), so a record would need
// this same pass again to be refused clearly; minio/simdjson-go needs AVX2
// and CLMUL on amd64 and runs nowhere else, and kmsctl ships for arm64 Macs.
// This scan is small, strict, and fuzzed against encoding/json
// (FuzzPickJSON, FuzzPickAt, FuzzStringEnd, FuzzPlainScalars).

// pick fills ev from a record whose extent the scan found, taking only Id,
// TimeCreated and Properties (any case) and skipping the other values
// whole. ok is false for anything it does not handle, and the general
// decoder takes over.
func (ev *eventJSON) pick(b []byte) (ok bool) {
	end := ev.pickAt(b, skipSpace(b, 0))
	return end >= 0 && skipSpace(b, end) == len(b)
}

// The properties of an event record that pickAt reads.
const (
	keyOther = iota
	keyID
	keyTime
	keyProps
)

// recordKey says which of Id, TimeCreated and Properties key is, in any
// case as encoding/json matches them; ConvertTo-Json writes them as
// spelt here, so that is compared first, and EqualFold only runs for a
// key of the same length and first letter. (A key that EqualFold matches
// with one of these, all ASCII, and has as many bytes is ASCII too.)
func recordKey(key []byte) int {
	switch len(key) {
	case len("Id"):
		if string(key) == "Id" || key[0]|0x20 == 'i' && bytes.EqualFold(key, []byte("Id")) {
			return keyID
		}
	case len("TimeCreated"):
		if string(key) == "TimeCreated" || key[0]|0x20 == 't' && bytes.EqualFold(key, []byte("TimeCreated")) {
			return keyTime
		}
	case len("Properties"):
		if string(key) == "Properties" || key[0]|0x20 == 'p' && bytes.EqualFold(key, []byte("Properties")) {
			return keyProps
		}
	}
	return keyOther
}

// pickAt is pick on the object starting at b[i], wherever it ends in b;
// it returns the index after the object's '}', or -1 when there is no
// object there that the scan takes whole within b. Where it returns an
// index, valueEnd(b, i) gives the same one (FuzzPickAt).
func (ev *eventJSON) pickAt(b []byte, i int) int {
	if i >= len(b) || b[i] != '{' {
		return -1
	}
	var haveID, haveTime, haveProps bool
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1
	}
	for {
		key, at := memberKey(b, i)
		if at < 0 {
			return -1
		}
		which := keyOther
		if n := len(key); n == len("Id") || n == len("TimeCreated") || n == len("Properties") {
			which = recordKey(key)
		}
		if which == keyProps {
			if haveProps {
				return -1
			}
			haveProps = true
			i = ev.pickProperties(b, at)
		} else {
			i = skipValue(b, at)
			switch {
			case i < 0 || which == keyOther:
			case which == keyID:
				if haveID {
					return -1
				}
				haveID = true
				if val := b[at:i]; string(val) != "null" {
					n, err := strconv.Atoi(string(val))
					if err != nil {
						return -1
					}
					ev.id = n
					ev.ID = &ev.id
				}
			case which == keyTime:
				if haveTime {
					return -1
				}
				haveTime, ev.TimeCreated = true, b[at:i]
			}
		}
		if i < 0 {
			return -1
		}
		if i < len(b) && b[i] == ',' { // the usual case, without a call
			i = skipSpace(b, i+1)
			continue
		}
		next, end := nextItem(b, i, '}')
		if end >= 0 {
			return end
		}
		if i = next; i < 0 {
			return -1
		}
	}
}

// memberKey reads the key of an object member starting at b[i] (its '"')
// and the ':' after it; at is where the value starts, -1 when the scan
// does not take the key (not a string, an escape in it, no ':').
func memberKey(b []byte, i int) (key []byte, at int) {
	if i >= len(b) || b[i] != '"' {
		return nil, -1
	}
	// The closing quote, eight bytes at a time; a backslash first is an
	// escape, which the scan leaves to encoding/json.
	j := i + 1
	for {
		if j+8 > len(b) {
			k := bytes.IndexAny(b[j:], "\"\\")
			if k < 0 {
				return nil, -1
			}
			j += k
			break
		}
		x := binary.LittleEndian.Uint64(b[j : j+8])
		if stop := firstIs(x, '"') | firstIs(x, '\\'); stop != 0 {
			j += bits.TrailingZeros64(stop) / 8
			break
		}
		j += 8
	}
	if b[j] != '"' {
		return nil, -1
	}
	key = b[i+1 : j]
	j++
	if j < len(b) && b[j] != ':' {
		j = skipSpace(b, j)
	}
	if j >= len(b) || b[j] != ':' {
		return nil, -1
	}
	return key, skipSpace(b, j+1)
}

// pickProperties reads Properties' value starting at b[i]: null, or
// [{"Value": …}, …] with other keys of the objects skipped. It returns
// the index after the value, -1 when the scan does not take it.
func (ev *eventJSON) pickProperties(b []byte, i int) int {
	if i >= len(b) || b[i] != '[' {
		stop := skipValue(b, i)
		if stop < 0 || string(b[i:stop]) != "null" {
			return -1
		}
		return stop
	}
	ev.Properties = ev.props[:0] // [] is an empty list, as encoding/json has it
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1
	}
	for {
		if i >= len(b) || b[i] != '{' {
			return -1
		}
		var p propJSON
		have := false
		i = skipSpace(b, i+1)
		if i < len(b) && b[i] == '}' {
			i++
		} else {
			for {
				key, at := memberKey(b, i)
				if at < 0 {
					return -1
				}
				isValue := len(key) == len("Value") && (string(key) == "Value" || bytes.EqualFold(key, []byte("Value")))
				if isValue && have {
					return -1
				}
				escaped := true
				if at < len(b) && b[at] == '"' {
					i, escaped = scanString(b, at)
				} else {
					i = skipValue(b, at)
				}
				if i < 0 {
					return -1
				}
				if isValue {
					have, p = true, propJSON{Value: b[at:i], noEscape: !escaped}
				}
				if i < len(b) && b[i] == '}' { // the usual case, without a call
					i++
					break
				}
				next, end := nextItem(b, i, '}')
				if end >= 0 {
					i = end
					break
				}
				if i = next; i < 0 {
					return -1
				}
			}
		}
		ev.Properties = append(ev.Properties, p)
		if i < len(b) && b[i] == ',' { // the usual case, without a call
			i = skipSpace(b, i+1)
			continue
		}
		next, end := nextItem(b, i, ']')
		if end >= 0 {
			return end
		}
		if i = next; i < 0 {
			return -1
		}
	}
}

// nextItem goes on after an object's member or an array's item whose
// value ends at b[i]: next is where the next one starts, after a ',', or
// end is the index after the closing byte close ('}' or ']'); both are
// -1 when neither follows.
func nextItem(b []byte, i int, close byte) (next, end int) {
	if i < len(b) && b[i] != ',' && b[i] != close {
		i = skipSpace(b, i)
	}
	if i < len(b) {
		switch b[i] {
		case ',':
			return skipSpace(b, i+1), -1
		case close:
			return -1, i + 1
		}
	}
	return -1, -1
}

// skipValue is the index after the JSON value starting at b[i], -1 when
// the scan does not take it whole within b. A number, true, false and
// null are taken as runs of the bytes they are made of, objects and
// arrays by valueEnd.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch c := b[i]; {
	case c == '"':
		return stringEnd(b, i)
	case c == '{' || c == '[':
		return max(valueEnd(b, i), -1)
	case c == 'n' && i+4 < len(b) && string(b[i:i+4]) == "null" && !scalarChar[b[i+4]]:
		return i + 4 // a third of a record's values
	}
	j := i
	for j < len(b) && scalarChar[b[j]] {
		j++
	}
	if j == i || j == len(b) {
		return -1 // nothing there, or it may go on past b
	}
	return j
}

// scalarChar are the bytes of numbers, true, false and null.
var scalarChar = func() (t [256]bool) {
	for _, c := range []byte("0123456789+-.eEtrufalsn") {
		t[c] = true
	}
	return t
}()

// Eight bytes in one word, for the scans below: the lowest byte first.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
	lows7 = 0x7f7f7f7f7f7f7f7f
)

// firstIs has the high bit set in the first byte of x equal to c, if
// any, and maybe in bytes after it, but in none before it: the classic
// test for a zero byte, on x with c's bits flipped (a borrow runs only
// upwards from a byte that is zero).
func firstIs(x uint64, c byte) uint64 {
	y := x ^ ones*uint64(c)
	return (y - ones) &^ y & highs
}

// scanString is the index after the string starting at b[i] ('"'), -1
// when it does not end in b, and whether it holds a backslash.
func scanString(b []byte, i int) (end int, escaped bool) {
	j := i + 1
	for j+8 <= len(b) {
		x := binary.LittleEndian.Uint64(b[j : j+8])
		stop := firstIs(x, '"') | firstIs(x, '\\')
		if stop == 0 {
			j += 8
			continue
		}
		j += bits.TrailingZeros64(stop) / 8
		if b[j] == '"' {
			return j + 1, escaped
		}
		escaped = true
		j += 2 // the backslash and what it escapes
	}
	for ; j < len(b); j++ {
		switch b[j] {
		case '"':
			return j + 1, escaped
		case '\\':
			escaped = true
			j++
		}
	}
	return -1, escaped
}

// stringEnd is the index after the string starting at b[i] ('"'); -1 when
// it does not end in b. It is scanString for a value skipped whole, such
// as the record's message: bytes.IndexByte (vector instructions where
// the CPU has them) finds each '"', and one after an odd run of
// backslashes is escaped. (A run of backslashes in a string pairs up from
// its first one, as the byte before it is no backslash that escapes.)
func stringEnd(b []byte, i int) int {
	j := i + 1
	for j < len(b) {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			break
		}
		j += k
		n := 0
		for b[j-1-n] == '\\' { // stops at b[i] at the latest
			n++
		}
		if n%2 == 0 {
			return j + 1
		}
		j++
	}
	return -1
}

// skipSpace is the index of the first byte from b[i] on that is not
// JSON's white space, len(b) when there is none.
func skipSpace(b []byte, i int) int {
	for i < len(b) {
		c := b[i]
		switch {
		case c > ' ':
			return i
		case c == ' ':
			// ConvertTo-Json indents with runs of spaces: the first byte
			// of the next eight that is not one ends the run.
			if i+8 <= len(b) {
				if y := binary.LittleEndian.Uint64(b[i:i+8]) ^ ones*' '; y != 0 {
					i += bits.TrailingZeros64(y) / 8
				} else {
					i += 8
				}
				continue
			}
		case c != '\r' && c != '\n' && c != '\t':
			return i
		}
		i++
	}
	return i
}

// isSpace is JSON's white space.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// badJSON is valueEnd's answer for a byte JSON does not have there.
const badJSON = -2

// valueEnd is the index after the JSON value starting at b[i]; -1 when it
// does not end, badJSON when it holds a byte JSON has not outside strings.
// It checks no more than that: the splitter uses it to find where a record
// ends, and the decoder says what else is wrong in it.
func valueEnd(b []byte, i int) int {
	depth := 0
	for i < len(b) {
		switch c := b[i]; c {
		case '"':
			e := stringEnd(b, i)
			if e < 0 {
				return -1
			}
			i = e
			if depth == 0 {
				return i
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth < 0 {
				return i // the end of the enclosing object: a scalar ended before it
			}
			if depth == 0 {
				return i + 1
			}
		case ',':
			if depth == 0 {
				return i
			}
		default:
			if !scalarByte[c] {
				return badJSON // the general decoder says what is wrong
			}
		}
		i++
	}
	if depth == 0 {
		return i
	}
	return -1
}

// scalarByte are the bytes JSON has outside strings besides {}[],": white
// space and those of numbers, true, false and null.
var scalarByte = func() (t [256]bool) {
	for _, c := range []byte(" \t\r\n:0123456789+-.eEtrufalsn") {
		t[c] = true
	}
	return t
}()
