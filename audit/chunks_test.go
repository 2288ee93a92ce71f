package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/kmsctl/kmsctl/kmshost"
	"github.com/kmsctl/kmsctl/kmshost/hosttest"
)

// readSerial is how Read read before chunks, kept as the reference the
// chunked reader must agree with: one bufio.Scanner over the whole
// export, each record split off and decoded in turn.
func readSerial(r io.Reader, fn func(*kmshost.Event)) (Source, error) {
	in, format, err := start(r)
	if err != nil {
		return Source{Format: format}, err
	}
	if format == FormatXML {
		return serial(xmlFormat, in, fn)
	}
	return serial(newJSONFormat(), in, fn)
}

func serial[S comparable](f *recordFormat[S], in io.Reader, fn func(*kmshost.Event)) (Source, error) {
	src := Source{Format: f.name}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64<<10), MaxEventSize)
	var s S
	sc.Split(func(data []byte, atEOF bool) (int, []byte, error) { return f.split(&s, data, atEOF) })
	n := 0
	for sc.Scan() {
		n++
		t, id, fields, err := f.decode(sc.Bytes())
		if err != nil {
			return src, &FileError{Format: f.name, Event: n, Msg: f.msg(err), Err: err}
		}
		e, ok := kmshost.NewEvent(t, id, fields)
		if !ok {
			src.Skipped++
			continue
		}
		src.Events++
		e.Record = n
		fn(&e)
	}
	if err := sc.Err(); err != nil {
		return src, f.splitError(n+1, err)
	}
	if n == 0 && f.none != nil {
		return src, &FileError{Format: f.name, Msg: f.none.Error()}
	}
	return src, nil
}

// outcome is everything a reading gives, for comparing two.
type outcome struct {
	Events []kmshost.Event
	Source Source
	Err    string
}

func readAll(b []byte, reader func(io.Reader, func(*kmshost.Event)) (Source, error)) outcome {
	var o outcome
	src, err := reader(bytes.NewReader(b), func(e *kmshost.Event) { o.Events = append(o.Events, *e) })
	o.Source = src
	if err != nil {
		o.Err = fmt.Sprintf("%T %v", err, err)
	}
	return o
}

func chunked(size, workers int) func(io.Reader, func(*kmshost.Event)) (Source, error) {
	return func(r io.Reader, fn func(*kmshost.Event)) (Source, error) { return read(r, size, workers, fn) }
}

// chunkInputs are exports in every shape, and damaged ones, whose chunk
// borders the tests move everywhere.
func chunkInputs(t testing.TB) map[string][]byte {
	events := hosttest.SeedsEvents(day(1, 0, 0))[:6]
	in := exports(t, events)
	for name, b := range exports(t, events[:1]) {
		in["one/"+name] = b
	}
	xml9 := in["xml/9"]
	json9 := in["json/9/ps5"]
	in["xml/lf"] = bytes.ReplaceAll(xml9, []byte("\r\n"), []byte("\n"))
	in["xml/one line"] = bytes.ReplaceAll(xml9, []byte("\r\n"), nil)
	in["xml/prefixed"] = append([]byte(`<?xml version="1.0" encoding="utf-8"?>`+"\r\n<!-- </Event> in a comment -->\r\n"), xml9...)
	in["xml/cdata"] = []byte(strings.Repeat(`<Event><System><EventID>12290</EventID><TimeCreated SystemTime="2026-11-03T00:00:00Z"/></System><EventData><Data><![CDATA[0x0,25,pc<2>,`+hosttest.SeedsCMID(2)+`,t,0,1,1,`+hosttest.Win10Enterprise+`]]></Data></EventData></Event>`+"\r\n", 4))
	in["xml/namespaces"] = append([]byte(strings.Repeat(`<e:Event xmlns:e="http://schemas.microsoft.com/win/2004/08/events/event"><e:System><e:EventID>12290</e:EventID></e:System></e:Event>`+
		`<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><EventID>12294</EventID><TimeCreated SystemTime="2026-11-01T00:00:00Z"/></System><EventData><x:Data xmlns:x="urn:x">1</x:Data></EventData></Event>`, 3)), xml9...)
	in["xml/cut"] = xml9[:len(xml9)-40]
	in["xml/bad third"] = bytes.Replace(xml9, []byte("<EventID Qualifiers='16384'>12290</EventID>"), []byte("<EventID>x</EventID>"), 3)
	in["xml/stray end"] = append(append([]byte{}, xml9...), "</Event>"...)
	in["json/compressed"] = compact(t, json9)
	in["json/cut"] = json9[:len(json9)-300]
	in["json/garbage after"] = append(append([]byte{}, json9...), " ]"...)
	in["json/no comma"] = bytes.Replace(json9, []byte("},\r\n    {"), []byte("}\r\n    {"), 1)
	in["json/brace in strings"] = bytes.ReplaceAll(json9, []byte(`"MachineName":  "kms01.corp.example.com"`), []byte(`"MachineName":  "},\r\n    {\"x\\\"},{"`))
	// An event without insertion strings: Fields is an empty list, not
	// nil, whichever path reads it.
	bare := append([]hosttest.Event{}, events...)
	bare[1].Fields = []string{}
	var b bytes.Buffer
	if err := hosttest.WriteJSON(&b, bare, hosttest.Separate, false); err != nil {
		t.Fatal(err)
	}
	in["json/no properties"] = b.Bytes()
	in["json/separator in strings"] = bytes.ReplaceAll(json9, []byte(`"Information"`), []byte(`"},\r\n    {"`))
	return in
}

func compact(t testing.TB, b []byte) []byte {
	var c bytes.Buffer
	if err := jsonCompact(&c, b); err != nil {
		t.Fatal(err)
	}
	return c.Bytes()
}

// The chunked reader gives what the serial one gives (the same events in
// the same order, the same counts, the same error at the same event)
// wherever the chunks are cut: inside a tag, a string, a CRLF, a byte
// order mark's UTF-16 code unit, between records or in none, on one
// worker or several.
func TestRead_ChunksAgreeWithSerial(t *testing.T) {
	for name, b := range chunkInputs(t) {
		want := readAll(b, readSerial)
		if strings.Contains(name, "bad") || strings.Contains(name, "cut") || strings.Contains(name, "stray") ||
			strings.Contains(name, "garbage") || strings.Contains(name, "no comma") {
			if want.Err == "" {
				t.Errorf("%s: the serial reader took it", name)
			}
		} else if want.Err != "" || len(want.Events) == 0 {
			t.Errorf("%s: the serial reader: %s, %d events", name, want.Err, len(want.Events))
		}
		for _, size := range []int{1, 2, 3, 5, 8, 13, 64, 100, 333, 1000, 1 << 20} {
			for _, workers := range []int{1, 2, 3} {
				got := readAll(b, chunked(size, workers))
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s, chunks of %d on %d workers:\n got %d events %+v %s\nwant %d events %+v %s",
						name, size, workers, len(got.Events), got.Source, got.Err, len(want.Events), want.Source, want.Err)
				}
			}
		}
	}
}

// Borders chosen by the cut rules, one record at a time, and reads that
// return a byte at a time still agree; the chunks held at once stay
// few whatever the file's length.
func TestRead_ChunksOneByteReads(t *testing.T) {
	for name, b := range chunkInputs(t) {
		want := readAll(b, readSerial)
		got := readAll(b, func(r io.Reader, fn func(*kmshost.Event)) (Source, error) {
			return read(iotest.OneByteReader(r), 200, 2, fn)
		})
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: one byte at a time: %+v %s, want %+v %s", name, got.Source, got.Err, want.Source, want.Err)
		}
	}
}

// A read that fails part way is an error at the event after the last
// one read, and the events before it are handed on.
func TestRead_ChunksReadError(t *testing.T) {
	b := chunkInputs(t)["xml/9"]
	r := io.MultiReader(bytes.NewReader(b), iotest.ErrReader(io.ErrClosedPipe))
	n := 0
	src, err := read(r, 256, 2, func(*kmshost.Event) { n++ })
	if err == nil || !strings.Contains(err.Error(), "io: read/write on closed pipe") || n != 6 || src.Events != 6 {
		t.Errorf("%d events, %+v, %v", n, src, err)
	}
}

func jsonCompact(dst *bytes.Buffer, b []byte) error { return json.Compact(dst, b) }

// An unreadable 12290 event is named by its record in the file, counting
// every record (other IDs too), whatever the format, shape and chunking;
// the Report describes the first ones and counts all (issue 18: the note
// said neither which event nor why).
func TestRead_UnreadableRecord(t *testing.T) {
	now := day(10, 17, 55)
	events := hosttest.SeedsEvents(now)[:40]
	damage := func(e hosttest.Event) hosttest.Event {
		f := append([]string{}, e.Fields...)
		if len(f) == 1 {
			p := strings.Split(f[0], ",")
			p[3] = "not-a-cmid"
			f[0] = strings.Join(p, ",")
		} else {
			f[3] = "not-a-cmid"
		}
		return hosttest.Event{Time: e.Time, ID: e.ID, Fields: f}
	}
	var in []hosttest.Event
	var want []int // 1-based records of the damaged events
	for i, e := range events {
		if i%9 == 2 {
			in = append(in, hosttest.Event{Time: e.Time, ID: 12294, Fields: []string{"corp.example.com"}})
		}
		if e.ID == kmshost.EventRequestProcessed && (i == 5 || i == 17 || i == 30 || i == 31) {
			e = damage(e)
			want = append(want, len(in)+1)
		}
		in = append(in, e)
	}
	if len(want) < 4 {
		t.Fatalf("damaged %d events; the seeds changed", len(want))
	}
	for name, b := range exports(t, in) {
		for _, size := range []int{300, 4096, chunkSize} {
			var got []int
			a := New(Options{Now: now})
			_, err := read(bytes.NewReader(b), size, 3, func(e *kmshost.Event) {
				if e.Problem != "" {
					got = append(got, e.Record)
				}
				a.Add(e)
			})
			if err != nil {
				t.Fatalf("%s, chunks of %d: %v", name, size, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s, chunks of %d: unreadable records %v, want %v", name, size, got, want)
			}
			r := a.Report()
			if r.Unreadable != len(want) || len(r.UnreadableShown) != MaxUnreadableShown ||
				r.UnreadableShown[0].Record != want[0] || !strings.Contains(r.UnreadableShown[0].Problem, "not-a-cmid") {
				t.Errorf("%s, chunks of %d: report %d unreadable, shown %+v", name, size, r.Unreadable, r.UnreadableShown)
			}
		}
	}
}
