package audit

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf16"

	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/kmshost"
	"github.com/kmsctl/kmsctl/kmshost/hosttest"
)

// exports writes the events in every format and shape an admin can
// produce, by name.
func exports(t testing.TB, events []hosttest.Event) map[string][]byte {
	out := map[string][]byte{}
	for _, shape := range []struct {
		name  string
		shape hosttest.Shape
	}{{"joined", hosttest.Joined}, {"9", hosttest.Separate}, {"10", hosttest.Leading}} {
		for _, root := range []bool{false, true} {
			var b bytes.Buffer
			if err := hosttest.WriteXML(&b, events, shape.shape, root); err != nil {
				t.Fatal(err)
			}
			out["xml/"+shape.name+map[bool]string{true: "/root", false: ""}[root]] = b.Bytes()
		}
		for _, ps7 := range []bool{false, true} {
			var b bytes.Buffer
			if err := hosttest.WriteJSON(&b, events, shape.shape, ps7); err != nil {
				t.Fatal(err)
			}
			out["json/"+shape.name+map[bool]string{true: "/ps7", false: "/ps5"}[ps7]] = b.Bytes()
		}
	}
	// Windows PowerShell's > writes UTF-16LE with a byte order mark.
	u := utf16.Encode([]rune(string(out["json/joined/ps5"])))
	le := []byte{0xff, 0xfe}
	for _, c := range u {
		le = append(le, byte(c), byte(c>>8))
	}
	out["json/utf16"] = le
	out["xml/utf8bom"] = append([]byte("\xef\xbb\xbf\r\n"), out["xml/9"]...)
	return out
}

// Every export of the seeds' log gives the same events, and the same
// audit, as the log read over WinRM.
func TestRead_ExportsAgree(t *testing.T) {
	now := day(10, 17, 55)
	events := hosttest.SeedsEvents(now)
	self := []guid.GUID{guid.MustParse(hosttest.SeedsSelfCMID)}
	want := seeds(t, now, Options{})
	for name, b := range exports(t, events) {
		var got []kmshost.Event
		a := New(Options{Now: now, Self: self})
		src, err := Read(bytes.NewReader(b), func(e *kmshost.Event) {
			got = append(got, *e)
			a.Add(e)
		})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if src.Format != name[:strings.IndexByte(name, '/')] || src.Events != len(events) || src.Skipped != 0 {
			t.Errorf("%s: %+v", name, src)
		}
		for i := range got {
			e := &got[i]
			if e.Problem != "" || e.ID != events[i].ID || !e.Time.Equal(events[i].Time) || e.CMID.String() != events[i].Fields[3] {
				t.Fatalf("%s: event %d read as %+v from %+v", name, i, e, events[i])
			}
		}
		r := a.Report()
		if !reflect.DeepEqual(r.Families, want.Families) || len(r.FallenOff) != 2 || r.Requests != want.Requests {
			t.Errorf("%s: the audit differs:\n%+v\n%+v", name, r.Families, want.Families)
		}
	}
}

// Other event IDs are skipped; XML entities and quoting are read.
func TestRead_XMLDetails(t *testing.T) {
	doc := `<?xml version="1.0"?>
<Events>
<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><EventID>12294</EventID><TimeCreated SystemTime="2026-11-01T00:00:00Z"/></System><EventData><Data>corp.example.com</Data></EventData></Event>
<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><EventID Qualifiers='16384'>12290</EventID><TimeCreated SystemTime='2026-11-02T03:04:05.5Z'/></System><EventData><Data>0x0,25,pc&amp;1.corp,` + hosttest.SeedsCMID(1) + `,2026/11/2 3:04,0,1,259200,` + hosttest.Win10Enterprise + `</Data></EventData></Event>
<!-- a comment -->
<Event><System><EventID>12290</EventID><TimeCreated SystemTime="2026-11-03T00:00:00Z"/></System><EventData><Data><![CDATA[0x0,25,pc<2>,` + hosttest.SeedsCMID(2) + `,t,0,1,1,` + hosttest.Win10Enterprise + `]]></Data></EventData></Event>
</Events>`
	var got []kmshost.Event
	src, err := Read(strings.NewReader(doc), func(e *kmshost.Event) { got = append(got, *e) })
	if err != nil || src.Events != 2 || src.Skipped != 1 {
		t.Fatalf("%+v %v", src, err)
	}
	if got[0].Client != "pc&1.corp" || !got[0].Time.Equal(time.Date(2026, 11, 2, 3, 4, 5, 5e8, time.UTC)) || got[1].Client != "pc<2>" {
		t.Errorf("%+v", got)
	}
	// File counts the event with another ID among the log's events, as
	// another event, instead of dropping it from the account.
	path := t.TempDir() + "/kms.xml"
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	r, _, err := File(path, Options{Now: time.Date(2026, 11, 4, 0, 0, 0, 0, time.UTC)})
	if err != nil || r.Events != 3 || r.Requests != 2 || r.Other != 1 {
		t.Errorf("File: events %d, requests %d, other %d (%v); want 3, 2, 1", r.Events, r.Requests, r.Other, err)
	}
}

// Files that are not exports fail with a FileError saying where.
func TestRead_Errors(t *testing.T) {
	good := exports(t, hosttest.SeedsEvents(day(1, 0, 0)))
	for _, tt := range []struct {
		name, doc, want string
	}{
		{"empty", "", "the file is empty"},
		{"spaces", " \r\n", "the file is empty"},
		{"text", "hello", `not an exported event log: it starts with 'h'`},
		{"evtx", "ElfFile\x00\x00\x00", "EVTX"},
		{"no events", "<Events></Events>", "no <Event> elements"},
		{"cut xml", string(good["xml/9"][:700]), "the file ends inside an <Event> element"},
		{"bad id", `<Event><System><EventID>x</EventID><TimeCreated SystemTime='2026-11-01T00:00:00Z'/></System></Event>`, `XML export, event 1: EventID "x"`},
		{"bad time", `<Event><System><EventID>12290</EventID><TimeCreated SystemTime='yesterday'/></System></Event>`, `TimeCreated SystemTime "yesterday"`},
		{"not xml", `<Event><System><EventID>12290</System></Event>`, "not XML in the Windows event schema"},
		{"cut json", string(good["json/9/ps5"][:900]), "JSON export, event 1: the file ends inside the JSON"},
		{"json no id", `[{"TimeCreated":"\/Date(0)\/"}]`, "without Id"},
		{"json time", `[{"Id":12290,"TimeCreated":"soon","Properties":[]}]`, `TimeCreated "soon"`},
		{"json value", `[{"Id":12290,"TimeCreated":"\/Date(0)\/","Properties":[{"Value":{}}]}]`, "Properties[0].Value: want a string or a number"},
		{"json trailing", `[]]`, "more after the array"},
		{"json type", `[{"Id":"12290"}]`, "want int"},
	} {
		_, err := Read(strings.NewReader(tt.doc), func(*kmshost.Event) {})
		var fe *FileError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.want) || fe.Code() != 0x8007000D {
			t.Errorf("%s: %v, want a FileError with %q", tt.name, err, tt.want)
		}
	}
}

// TimeCreated in every form ConvertTo-Json writes.
func TestJSONTime(t *testing.T) {
	want := time.Date(2026, 11, 23, 17, 52, 56, 123e6, time.UTC)
	for _, s := range []string{`"\/Date(1795456376123)\/"`, `"/Date(1795456376123+0100)/"`, `"2026-11-23T18:52:56.123+01:00"`,
		`{"value":"\/Date(1795456376123)\/","DisplayHint":2,"DateTime":"Monday, 23 November 2026 17:52:56"}`} {
		got, err := jsonTime([]byte(s))
		if err != nil || !got.Equal(want) {
			t.Errorf("%s: %s %v", s, got, err)
		}
	}
}

// Read in one-byte pieces, every export gives the same events: records
// split across reads are put together, whatever the boundary.
func TestRead_OneByteAtATime(t *testing.T) {
	events := hosttest.SeedsEvents(day(1, 0, 0))[:5]
	for name, b := range exports(t, events) {
		for _, evs := range [][]hosttest.Event{events, events[:1]} {
			if len(evs) == 1 {
				var buf bytes.Buffer
				if strings.HasPrefix(name, "json/") {
					hosttest.WriteJSON(&buf, evs, hosttest.Separate, false) // one event: one object, no array
				} else {
					hosttest.WriteXML(&buf, evs, hosttest.Separate, false)
				}
				b = buf.Bytes()
			}
			n := 0
			src, err := Read(iotest.OneByteReader(bytes.NewReader(b)), func(*kmshost.Event) { n++ })
			if err != nil || n != len(evs) || src.Events != len(evs) {
				t.Errorf("%s, %d events: read %d, %+v, %v", name, len(evs), n, src, err)
			}
		}
	}
}
