package audit

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"reflect"
	"strings"
	"testing"

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
			if !kmshost.KnownEvent(e.ID) || e.Time.IsZero() && e.Time.Location() == nil {
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
			!reflect.DeepEqual(fast.Properties, slow.Properties) {
			t.Fatalf("pick read %+v, encoding/json %+v", fast, slow)
		}
	})
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
