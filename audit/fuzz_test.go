package audit

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kmsctl/kmsctl/kmshost"
	"github.com/kmsctl/kmsctl/kmshost/hosttest"
)

// readerSeeds are small exports in every format and shape.
func readerSeeds(f *testing.F) {
	events := hosttest.SeedsEvents(day(0, 10, 0))[:3]
	for _, b := range exports(f, events) {
		f.Add(b)
	}
	for _, s := range []string{
		"", "<", "[", "{", "ElfFile\x00", "<Event/>", "<Events><Event></Event></Events>", "[]", "{}", "[{}]",
		`[{"Id":12290,"TimeCreated":"\/Date(1)\/","Properties":[{"Value":1},{"Value":null},{"Value":true}]}]`,
		`<Event><System><EventID>12290</EventID><TimeCreated SystemTime="2026-01-01T00:00:00Z"/></System><EventData><Data>a&#x41;&#65;&lt;</Data><Data/></EventData></Event>`,
	} {
		f.Add([]byte(s))
	}
}

// FuzzRead: any file is read or refused with a FileError, never a panic
// or a hang; every event handed on is a KMS event with its time.
func FuzzRead(f *testing.F) {
	readerSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		a := New(Options{Now: day(10, 0, 0)})
		n := 0
		src, err := Read(bytes.NewReader(b), func(e *kmshost.Event) {
			n++
			if !knownEvent(e.ID) || e.Time.IsZero() && e.Time.Location() == nil {
				t.Fatalf("handed %+v", e)
			}
			a.Add(e)
		})
		if err != nil {
			if _, ok := err.(*FileError); !ok {
				t.Fatalf("error %T %v", err, err)
			}
		}
		if src.Events != n {
			t.Fatalf("source says %d events, %d handed", src.Events, n)
		}
		_ = a.Report()
	})
}

// FuzzEventXML: where the fast scan reads an <Event> element, encoding/xml
// reads the same ID, time and insertion strings from it.
func FuzzEventXML(f *testing.F) {
	var b bytes.Buffer
	hosttest.WriteXML(&b, hosttest.SeedsEvents(day(0, 10, 0))[:1], hosttest.Leading, false)
	f.Add(bytes.TrimSpace(b.Bytes()))
	f.Add([]byte(`<Event><System><EventID>12290</EventID><TimeCreated SystemTime='2026-01-01T00:00:00Z'/></System><EventData><Data Name='x'>&amp;&#x10FFFF;</Data><Data/></EventData></Event>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ft, fid, ffields, ok := fastEventXML(b)
		if !ok {
			return
		}
		var ev eventXML
		if err := xml.Unmarshal(b, &ev); err != nil {
			// The scan is lenient where XML is strict (it does not check
			// the whole element); that is only a problem if it reads
			// something else than the element says.
			if strings.Contains(err.Error(), "EOF") || !bytes.HasPrefix(b, []byte("<Event")) {
				return
			}
			return
		}
		st, sid, sfields, err := eventParts(ev.System.EventID, ev.System.TimeCreated.SystemTime, ev.Data)
		if err != nil {
			return
		}
		if !ft.Equal(st) || fid != sid || !reflect.DeepEqual(ffields, sfields) {
			t.Fatalf("fast scan read %v %d %q, encoding/xml %v %d %q", ft, fid, ffields, st, sid, sfields)
		}
	})
}

// FuzzPickJSON: where pick reads a valid JSON record, encoding/json reads
// the same Id, TimeCreated and Properties from it.
func FuzzPickJSON(f *testing.F) {
	var b bytes.Buffer
	hosttest.WriteJSON(&b, hosttest.SeedsEvents(day(0, 10, 0))[:1], hosttest.Leading, false)
	f.Add(b.Bytes())
	f.Add([]byte(`{"id": 12290 , "TIMECREATED":{"value":"x"},"Properties":[{"Value":"a\"b"},{"Value":1}],"Message":"\\\"}"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return
		}
		var fast eventJSON
		if !fast.pick(b) {
			return
		}
		var slow eventJSON
		if json.Unmarshal(b, &slow) != nil {
			return
		}
		if (fast.ID == nil) != (slow.ID == nil) || fast.ID != nil && *fast.ID != *slow.ID ||
			!bytes.Equal(bytes.TrimSpace(fast.TimeCreated), bytes.TrimSpace(slow.TimeCreated)) ||
			!reflect.DeepEqual(values(fast.Properties), values(slow.Properties)) {
			t.Fatalf("pick read %+v, encoding/json %+v", fast, slow)
		}
		for _, p := range fast.Properties {
			if v := p.Value; p.noEscape && (len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' || bytes.IndexByte(v, '\\') >= 0) {
				t.Fatalf("pick took %q as a string without an escape", v)
			}
		}
	})
}

// values are the Values of props (their plain flags left out; encoding/json
// sets none).
func values(props []propJSON) []json.RawMessage {
	if props == nil {
		return nil
	}
	v := make([]json.RawMessage, len(props))
	for i, p := range props {
		v[i] = p.Value
	}
	return v
}

// FuzzJSONString: jsonString's shortcuts decode as encoding/json does.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{`"a"`, `"\/Date(1)\/"`, `"a\\/b"`, `"\\\/"`, `"\u0041"`, "\"\x01\"", `""`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want string
		if json.Unmarshal(b, &want) != nil {
			return
		}
		got, err := jsonString(b)
		if err != nil || got != want {
			t.Fatalf("jsonString(%q) = %q, %v; encoding/json %q", b, got, err, want)
		}
	})
}

// FuzzJSONDate: where jsonDate reads a time without allocating, the
// general reading gives the same instant.
func FuzzJSONDate(f *testing.F) {
	for _, s := range []string{`"\/Date(1795456376123)\/"`, `"/Date(0)/"`, `"\/Date(253402300799999)\/"`, `"\/Date(253402300800000)\/"`, `"\/Date(-1)\/"`, `"/Date(1+0100)/"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fast, ok := jsonDate(b)
		if !ok {
			return
		}
		slow, err := jsonTimeAny(b)
		if err != nil || !slow.Equal(fast) || slow.Location() != fast.Location() {
			t.Fatalf("jsonDate(%q) = %v; the general reading %v, %v", b, fast, slow, err)
		}
	})
}

// FuzzReadChunks: read in chunks of any size on one to three workers, any
// file gives what the serial reader gives: the same events in the same
// order, the same counts and the same error.
func FuzzReadChunks(f *testing.F) {
	for name, b := range chunkInputs(f) {
		if strings.HasPrefix(name, "one/") { // small seeds keep the fuzzer fast
			f.Add(b, uint16(7), uint8(1))
		}
	}
	for _, s := range []string{"", "<", "[", "{", "<Event/>", "[]", "{}", "[{}]", "</Event>", "<Event>"} {
		f.Add([]byte(s), uint16(0), uint8(0))
	}
	f.Fuzz(func(t *testing.T, b []byte, size uint16, workers uint8) {
		want := readAll(b, readSerial)
		got := readAll(b, chunked(int(size%2048)+1, int(workers%3)+1))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("chunks of %d on %d workers: %d events %+v %s; serial: %d events %+v %s",
				size%2048+1, workers%3+1, len(got.Events), got.Source, got.Err, len(want.Events), want.Source, want.Err)
		}
	})
}

// FuzzPickAt: where pickAt takes an object, valueEnd ends it at the
// same byte, and pickAt reads from it what pick reads from it alone.
func FuzzPickAt(f *testing.F) {
	var b bytes.Buffer
	hosttest.WriteJSON(&b, hosttest.SeedsEvents(day(0, 10, 0))[:2], hosttest.Leading, false)
	f.Add(b.Bytes(), uint8(1))
	f.Add([]byte(`{"Id":1,"a":[{"}":"{"}],"Properties":[{"Value":"x"}]}, {`), uint8(0))
	f.Add([]byte(`{"Id" : 1 , "Properties" : [ { "Value" : "\u00e9" , "x" : { } } , { } ] }`), uint8(0))
	f.Fuzz(func(t *testing.T, b []byte, at uint8) {
		i := int(at) % (len(b) + 1)
		var inside, alone eventJSON
		end := inside.pickAt(b, i)
		if end < 0 {
			return
		}
		if v := valueEnd(b, i); v != end {
			t.Fatalf("pickAt ends %q at %d, valueEnd at %d", b[i:], end, v)
		}
		if !alone.pick(b[i:end]) || !reflect.DeepEqual(inside.Properties, alone.Properties) ||
			!bytes.Equal(inside.TimeCreated, alone.TimeCreated) || (inside.ID == nil) != (alone.ID == nil) || inside.ID != nil && *inside.ID != *alone.ID {
			t.Fatalf("pickAt %d %+v; pick %+v", end, inside, alone)
		}
	})
}

// FuzzStringEnd: stringEnd and scanString find where a JSON string
// starting at b[0] ends as a plain reading byte by byte (a backslash
// escapes the next byte) does, and scanString says whether it holds a
// backslash.
func FuzzStringEnd(f *testing.F) {
	for _, s := range []string{`"a"`, `"\""x`, `"\\"`, `"` + strings.Repeat(`\\`, 20) + `\"x"`, `"` + strings.Repeat("a", 23) + `\`, `"abc`,
		`"0123456\"89abcdef\\"x`, "\"" + strings.Repeat("\u00e9\x01", 5) + `\\\\\"` + strings.Repeat("b", 9) + `"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 || b[0] != '"' {
			return
		}
		want := -1
		for j := 1; j < len(b); j++ {
			if b[j] == '\\' {
				j++
			} else if b[j] == '"' {
				want = j + 1
				break
			}
		}
		if got := stringEnd(b, 0); got != want {
			t.Fatalf("stringEnd(%q) = %d, want %d", b, got, want)
		}
		if got, _ := scanString(b, 0); got != want {
			t.Fatalf("scanString(%q) ends at %d, want %d", b, got, want)
		}
		if want < 0 {
			return
		}
		in := b[1 : want-1]
		if _, escaped := scanString(b, 0); escaped != (bytes.IndexByte(in, '\\') >= 0) {
			t.Fatalf("scanString(%q) says escaped %v", b, escaped)
		}
	})
}

// FuzzPlainScalars: where plainScalars reads a record's insertion strings
// in one allocation, jsonScalar reads each the same, whether or not the
// scan marked the strings without an escape; plainString and printable
// agree with a byte-by-byte check.
func FuzzPlainScalars(f *testing.F) {
	f.Add([]byte(`["0x0", 25, "pc-1.corp", null, true, "abcdefghijklmnopq", "\\u0041", "\u00e9t\u00e9"]`))
	f.Add([]byte(`["0123456789abcdef\u001f", "\u00ff\u00fe", "a\"b"]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		// printable on the input's first bytes, with more of its array
		// after them (as an insertion string has its record after it).
		for k := 0; k <= min(len(b), 40); k++ {
			ascii := !bytes.ContainsFunc(b[:k], func(c rune) bool { return c < 0x20 || c >= 0x80 })
			if printable(b[:k]) != ascii {
				t.Fatalf("printable(%q) = %v", b[:k], !ascii)
			}
		}
		var raws []json.RawMessage
		if json.Unmarshal(b, &raws) != nil {
			return
		}
		props := make([]propJSON, len(raws))
		for i, r := range raws {
			props[i] = propJSON{Value: r}
		}
		for _, r := range raws {
			if len(r) >= 2 && r[0] == '"' {
				in := r[1 : len(r)-1]
				want := utf8.Valid(in) && !bytes.ContainsFunc(in, func(c rune) bool { return c < 0x20 || c == '"' || c == '\\' })
				if plainString(in) != want {
					t.Fatalf("plainString(%q) = %v", in, !want)
				}
				if ascii := !bytes.ContainsFunc(in, func(c rune) bool { return c < 0x20 || c >= 0x80 }); printable(in) != ascii {
					t.Fatalf("printable(%q) = %v", in, !ascii)
				}
			}
		}
		var a arena // shared by the calls below, as by a chunk's records
		check := func(props []propJSON) {
			fields, ok := plainScalars(props, nil)
			inArena, ok2 := plainScalars(props, &a)
			if ok != ok2 || !reflect.DeepEqual(fields, inArena) {
				t.Fatalf("plainScalars %q %v; in an arena %q %v", fields, ok, inArena, ok2)
			}
			if !ok {
				return
			}
			for i, p := range props {
				want, err := jsonScalar(p.Value)
				if err != nil || fields[i] != want {
					t.Fatalf("plainScalars read %q as %q; jsonScalar %q, %v", p.Value, fields[i], want, err)
				}
			}
		}
		check(props)
		// As the scan hands them on: strings it found no backslash in
		// marked.
		for i, r := range raws {
			props[i].noEscape = len(r) >= 2 && r[0] == '"' && bytes.IndexByte(r, '\\') < 0
		}
		check(props)
	})
}

// FuzzScanEventXML: where scanEventXML reads an element from the start of
// b, splitEvents ends that element at the same byte and fastEventXML reads
// the same parts from it alone.
func FuzzScanEventXML(f *testing.F) {
	var b bytes.Buffer
	hosttest.WriteXML(&b, hosttest.SeedsEvents(day(0, 10, 0))[:2], hosttest.Separate, false)
	f.Add(b.Bytes())
	f.Add([]byte(`<Event><System><EventID>1</EventID><TimeCreated SystemTime='2026-01-01T00:00:00Z' a='</Event>'/></System></Event>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, sid, sfields, end, ok := scanEventXML(b)
		if !ok {
			return
		}
		adv, tok, err := splitEvents(b, false)
		if err != nil || adv != end || !bytes.Equal(tok, b[:end]) {
			t.Fatalf("scanEventXML ends %q at %d; splitEvents: %d %q %v", b, end, adv, tok, err)
		}
		ft, fid, ffields, fok := fastEventXML(b[:end])
		if !fok || !ft.Equal(st) || fid != sid || !reflect.DeepEqual(ffields, sfields) {
			t.Fatalf("scanEventXML read %v %d %q; fastEventXML %v %d %q %v", st, sid, sfields, ft, fid, ffields, fok)
		}
	})
}

// knownEvent reports whether id is one of the three KMS events kmshost reads.
func knownEvent(id int) bool {
	return id == kmshost.EventRequestSent || id == kmshost.EventResponseHandled || id == kmshost.EventRequestProcessed
}
