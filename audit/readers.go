package audit

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmshost"
)

// The formats of an exported log that Read takes.
const (
	FormatXML  = "xml"  // wevtutil qe "Key Management Service" /f:xml: <Event> elements, with or without a root
	FormatJSON = "json" // Get-WinEvent -LogName 'Key Management Service' | ConvertTo-Json
	FormatEVTX = "evtx" // a saved .evtx file: recognised, not read
)

// MaxEventSize bounds one event of an exported log: a real 12290 is about
// 1 KB as XML and 3 KB as ConvertTo-Json writes it.
const MaxEventSize = 1 << 20

// FileError is an exported log that cannot be read. Events before it were
// handed on already.
type FileError struct {
	Format string // FormatXML, FormatJSON, FormatEVTX or "" when not recognised
	Event  int    // the 1-based event (element or array item) where reading stopped; 0: before the first
	Msg    string
	Err    error
}

func (e *FileError) Error() string {
	where := ""
	switch {
	case e.Format != "" && e.Event > 0:
		where = fmt.Sprintf("%s export, event %d: ", strings.ToUpper(e.Format), e.Event)
	case e.Format != "":
		where = strings.ToUpper(e.Format) + " export: "
	}
	return where + e.Msg
}

func (e *FileError) Unwrap() error { return e.Err }

// Code is ERROR_INVALID_DATA: the file is not a log kmsctl can read.
func (e *FileError) Code() hresult.Code { return hresult.InvalidData }

// OpenError is an exported log file that could not be opened or read at
// all (missing, a directory, not readable): Path is the file as given, Err
// the system's error. failure reads the code from Err, as for a hosts file.
type OpenError struct {
	Path string
	Err  error
}

func (e *OpenError) Error() string {
	err := e.Err
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Err != nil {
		err = pe.Err
	}
	return fmt.Sprintf("read the log file %s: %v", e.Path, err)
}

func (e *OpenError) Unwrap() error { return e.Err }

// ReadFile is Read on the file at path. A file that cannot be opened or
// whose first read fails (a directory, say) is an *OpenError; what Read
// finds in a file it could read is a *FileError.
func ReadFile(path string, fn func(*kmshost.Event)) (Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return Source{}, &OpenError{Path: path, Err: err}
	}
	defer f.Close()
	src, err := Read(f, fn)
	var fe *FileError
	if errors.As(err, &fe) && fe.Format == "" && fe.Event == 0 && fe.Err != nil {
		return src, &OpenError{Path: path, Err: fe.Err}
	}
	return src, err
}

// Source describes what Read read.
type Source struct {
	Format  string
	Events  int // KMS events (12288, 12289, 12290) handed on
	Skipped int // events with other IDs (12293, 12294, …)
}

// Read reads an exported event log from r, in UTF-8 or, after a byte order
// mark, UTF-16 (what Windows PowerShell's > writes), and hands each KMS
// event to fn in file order; fn must not keep the pointer, and should copy
// (strings.Clone) the few strings it keeps: an event's strings may share
// memory with those of many others. The format is
// told by the first characters: '<' XML, '[' or '{' JSON; an EVTX file
// is recognised and refused with a *FileError saying how to export it.
// Events are decoded with kmshost.NewEvent, so the three shapes of
// insertion strings (one joined string, 9 strings, 10 strings) are taken
// alike. Memory use is bounded by MaxEventSize and the chunks being
// decoded (see chunks.go) whatever the file's size.
func Read(r io.Reader, fn func(*kmshost.Event)) (Source, error) {
	return read(r, chunkSize, 0, fn)
}

// read is Read in chunks of size bytes decoded on workers goroutines (0:
// GOMAXPROCS).
func read(r io.Reader, size, workers int, fn func(*kmshost.Event)) (Source, error) {
	in, first, err := start(r)
	if err != nil {
		return Source{Format: first}, err
	}
	if first == FormatXML {
		return xmlFormat.read(in, size, workers, fn)
	}
	return newJSONFormat().read(in, size, workers, fn)
}

// start recognises the format of an export and returns a reader at its
// first byte, after a byte order mark (UTF-16 turned into UTF-8) and
// white space.
func start(r io.Reader) (*bufio.Reader, string, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(8)
	if bytes.HasPrefix(head, []byte("ElfFile\x00")) {
		return nil, FormatEVTX, &FileError{Format: FormatEVTX,
			Msg: "a saved .evtx file: kmsctl reads the XML and JSON exports, not EVTX (no maintained Go EVTX reader it could use)"}
	}
	var in *bufio.Reader = br
	if bytes.HasPrefix(head, []byte{0xff, 0xfe}) || bytes.HasPrefix(head, []byte{0xfe, 0xff}) {
		dec := unicode.BOMOverride(unicode.UTF8.NewDecoder())
		in = bufio.NewReaderSize(transform.NewReader(br, dec), 64<<10)
	}
	first, err := firstByte(in)
	if err != nil {
		return nil, "", err
	}
	switch first {
	case '<':
		return in, FormatXML, nil
	case '[', '{':
		return in, FormatJSON, nil
	}
	return nil, "", &FileError{Msg: fmt.Sprintf("not an exported event log: it starts with %q", first)}
}

// firstByte skips a UTF-8 byte order mark and white space and returns the
// next byte, unread.
func firstByte(r *bufio.Reader) (byte, error) {
	if b, _ := r.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		r.Discard(3)
	}
	for {
		b, err := r.Peek(1)
		if err == io.EOF {
			return 0, &FileError{Msg: "the file is empty"}
		}
		if err != nil {
			return 0, &FileError{Msg: "read: " + err.Error(), Err: err}
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			r.Discard(1)
			continue
		}
		return b[0], nil
	}
}

// --- XML -------------------------------------------------------------

// splitEvents is a bufio.SplitFunc giving one <Event …>…</Event> element
// (or <Event/>) per token and skipping everything between them.
func splitEvents(data []byte, atEOF bool) (advance int, token []byte, err error) {
	start := 0
	for {
		i := bytes.Index(data[start:], []byte("<Event"))
		if i < 0 {
			if atEOF {
				if bytes.Contains(data, []byte("</Event>")) {
					return 0, nil, errors.New("</Event> without its <Event>")
				}
				return len(data), nil, nil
			}
			// Keep a stray </Event> (an error if no <Event> comes after
			// it), else what may be the start of "<Event" or "</Event>"
			// at the end: what is skipped must not depend on where the
			// reads end.
			if k := bytes.LastIndex(data, []byte("</Event>")); k >= 0 {
				return k, nil, nil
			}
			return len(data) - min(len(data), len("</Event>")-1), nil, nil
		}
		i += start
		j := i + len("<Event")
		if j >= len(data) {
			if atEOF {
				return len(data), nil, errors.New("the file ends inside an <Event> element")
			}
			return i, nil, nil // need more
		}
		if c := data[j]; c != ' ' && c != '>' && c != '/' && c != '\t' && c != '\r' && c != '\n' {
			start = j // <Events>, <EventData>, <EventID>, …
			continue
		}
		gt := bytes.IndexByte(data[j:], '>')
		if gt >= 0 && data[j+gt-1] == '/' {
			end := j + gt + 1
			return end, data[i:end], nil // <Event/>: empty
		}
		k := bytes.Index(data[j:], []byte("</Event>"))
		if k < 0 {
			if atEOF {
				return len(data), nil, errors.New("the file ends inside an <Event> element")
			}
			return i, nil, nil
		}
		end := j + k + len("</Event>")
		return end, data[i:end], nil
	}
}

// eventXML is the part of the Windows event schema kmsctl reads; the
// general decoder below uses it for elements the fast path does not take.
type eventXML struct {
	System struct {
		EventID     string `xml:"EventID"`
		TimeCreated struct {
			SystemTime string `xml:"SystemTime,attr"`
		} `xml:"TimeCreated"`
	} `xml:"System"`
	Data []string `xml:"EventData>Data"`
}

// parseEventXML reads one <Event> element: its ID, when it was logged and
// its insertion strings. The common shape (what wevtutil writes) is read
// by a scan of the bytes; anything else (CDATA, comments, namespace
// prefixes, processing instructions) by encoding/xml, which is about
// twenty times slower (see BenchmarkReadXML).
func parseEventXML(b []byte) (time.Time, int, []string, error) {
	if t, id, fields, ok := fastEventXML(b); ok {
		return t, id, fields, nil
	}
	var ev eventXML
	if err := xml.Unmarshal(b, &ev); err != nil {
		return time.Time{}, 0, nil, fmt.Errorf("not XML in the Windows event schema: %v", err)
	}
	return eventParts(ev.System.EventID, ev.System.TimeCreated.SystemTime, ev.Data)
}

// eventParts checks an event's ID and time.
func eventParts(idText, timeText string, data []string) (time.Time, int, []string, error) {
	id, err := strconv.Atoi(strings.TrimSpace(idText))
	if err != nil || id < 0 || id > 65535 {
		return time.Time{}, 0, nil, fmt.Errorf("EventID %q is not a number from 0 to 65535", idText)
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(timeText))
	if err != nil {
		return time.Time{}, 0, nil, fmt.Errorf("TimeCreated SystemTime %q is not a time such as 2026-11-23T17:52:56.123456700Z", timeText)
	}
	if data == nil {
		data = []string{}
	}
	return t.UTC(), id, data, nil
}

// fastEventXML reads the element as wevtutil writes it, in one pass over
// its tags; ok is false when it holds anything the pass does not handle
// (comments, CDATA, processing instructions, namespace prefixes, a <Data>
// with child elements), and the general decoder takes over.
func fastEventXML(b []byte) (t time.Time, id int, fields []string, ok bool) {
	t, id, fields, end, ok := scanEventXML(b)
	return t, id, fields, ok && end == len(b)
}

// scanEventXML is fastEventXML on the <Event> element that b starts
// with, wherever it ends in b: it stops at the element's first </Event>,
// as splitEvents does, and returns the index after it. It refuses (ok
// false) a self-closing <Event/> and a tag with a '<' in it, so that
// every '<' it passes starts a tag it has read and its end is the first
// "</Event>" in b (FuzzScanEventXML).
func scanEventXML(b []byte) (t time.Time, id int, fields []string, stop int, ok bool) {
	var idText, timeText string
	var haveID, haveTime, inEventData, closed bool
	i := 0
scan:
	for first := true; ; first = false {
		lt := bytes.IndexByte(b[i:], '<')
		if lt < 0 {
			return // no </Event>
		}
		i += lt + 1
		if i >= len(b) {
			return
		}
		end := bytes.IndexByte(b[i:], '>')
		if end < 0 {
			return
		}
		tag := b[i : i+end] // without < and >
		i += end + 1
		if len(tag) == 0 || bytes.IndexByte(tag, '<') >= 0 {
			return
		}
		switch tag[0] {
		case '!', '?':
			return
		case '/':
			switch string(tag[1:]) {
			case "EventData":
				inEventData = false
			case "Event":
				closed = true
				break scan
			}
			continue
		}
		selfClosing := tag[len(tag)-1] == '/'
		if selfClosing {
			tag = tag[:len(tag)-1]
		}
		if len(tag) == 0 {
			return
		}
		name := tag
		for k, c := range tag {
			if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
				name = tag[:k]
				break
			}
		}
		if bytes.IndexByte(name, ':') >= 0 || first && (selfClosing || string(name) != "Event") {
			return
		}
		// text is the element's content: everything up to the next tag,
		// which must close it.
		text := func(end []byte) (string, bool) {
			if selfClosing {
				return "", true
			}
			lt := bytes.IndexByte(b[i:], '<')
			if lt < 0 || !bytes.HasPrefix(b[i+lt:], end) {
				return "", false
			}
			s, good := unescape(b[i : i+lt])
			i += lt + len(end)
			return s, good
		}
		switch string(name) {
		case "EventID":
			if haveID {
				return
			}
			s, good := text(endEventID)
			if !good {
				return
			}
			idText, haveID = s, true
		case "TimeCreated":
			if haveTime {
				return
			}
			s, good := attrValue(tag, attrSystemTime)
			if !good {
				return
			}
			timeText, haveTime = s, true
		case "EventData":
			inEventData = !selfClosing
		case "Data":
			if !inEventData {
				continue
			}
			s, good := text(endData)
			if !good {
				return
			}
			fields = append(fields, s)
		}
	}
	if !closed || !haveID || !haveTime {
		return
	}
	t, id, fields, err := eventParts(idText, timeText, fields)
	if err != nil {
		return time.Time{}, 0, nil, 0, false // let the general decoder say what is wrong
	}
	return t, id, fields, i, true
}

// The end tags whose elements' text fastEventXML reads.
var endEventID, endData = []byte("</EventID>"), []byte("</Data>")

// attrSystemTime is how TimeCreated's attribute starts.
var attrSystemTime = []byte(" SystemTime=")

// attrValue is the value of the attribute whose name, with a space
// before it and '=' after it, is key, in a start tag's bytes, quoted with
// ' or ".
func attrValue(tag, key []byte) (string, bool) {
	j := bytes.Index(tag, key)
	if j < 0 {
		return "", false
	}
	v := tag[j+len(key):]
	if len(v) == 0 || (v[0] != '\'' && v[0] != '"') {
		return "", false
	}
	k := bytes.IndexByte(v[1:], v[0])
	if k < 0 {
		return "", false
	}
	return unescape(v[1 : k+1])
}

// unescape replaces XML's five entities and character references; ok is
// false for anything else (an unknown entity, a stray '<' or '&').
func unescape(b []byte) (string, bool) {
	if bytes.IndexByte(b, '<') >= 0 {
		return "", false
	}
	if bytes.IndexByte(b, '&') < 0 {
		return string(b), true
	}
	var sb strings.Builder
	for len(b) > 0 {
		i := bytes.IndexByte(b, '&')
		if i < 0 {
			sb.Write(b)
			break
		}
		sb.Write(b[:i])
		b = b[i:]
		semi := bytes.IndexByte(b, ';')
		if semi < 0 {
			return "", false
		}
		ent := string(b[1:semi])
		switch ent {
		case "lt":
			sb.WriteByte('<')
		case "gt":
			sb.WriteByte('>')
		case "amp":
			sb.WriteByte('&')
		case "quot":
			sb.WriteByte('"')
		case "apos":
			sb.WriteByte('\'')
		default:
			var v uint64
			var err error
			switch {
			case strings.HasPrefix(ent, "#x"):
				v, err = strconv.ParseUint(ent[2:], 16, 32)
			case strings.HasPrefix(ent, "#"):
				v, err = strconv.ParseUint(ent[1:], 10, 32)
			default:
				return "", false
			}
			if err != nil || v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) {
				return "", false
			}
			sb.WriteRune(rune(v))
		}
		b = b[semi+1:]
	}
	return sb.String(), true
}

// --- JSON ------------------------------------------------------------

// eventJSON is the part of an EventLogRecord that ConvertTo-Json writes
// and kmsctl reads; the other twenty-odd properties are skipped.
type eventJSON struct {
	ID          *int            `json:"Id"`
	TimeCreated json.RawMessage `json:"TimeCreated"`
	Properties  []propJSON      `json:"Properties"`

	// Room for what pick reads, so that it allocates nothing for a
	// record of up to ten insertion strings.
	id    int
	props [10]propJSON
	// arena, when set, holds the insertion strings parts gives.
	arena *arena
}

// propJSON is one of an EventLogRecord's Properties.
type propJSON struct {
	Value json.RawMessage `json:"Value"`

	// noEscape says that Value is a string without a backslash (the scan
	// found none); false when not known.
	noEscape bool
}

// decodeJSON reads one event record: only Id, TimeCreated and Properties
// are decoded. ConvertTo-Json writes twenty-odd properties per record,
// the message text among them, and decoding them all with encoding/json
// took ten times longer (see BenchmarkReadJSON1M); so pick finds the
// three by a scan over the record's bytes (strings skipped with a byte
// search), and a record the scan does not take is decoded whole by
// encoding/json, which then says what is wrong with it.
func decodeJSON(rec []byte) (time.Time, int, []string, error) {
	var ev eventJSON
	if !ev.pick(rec) {
		ev = eventJSON{}
		if err := json.Unmarshal(rec, &ev); err != nil {
			return time.Time{}, 0, nil, err
		}
	}
	return ev.parts()
}

// jsonSplit is a bufio.SplitFunc state giving one event record (a JSON
// object) per token: the elements of the top-level array, or the one
// top-level object.
type jsonSplit struct {
	started, single, ended bool // saw '[' (or a lone '{'); the lone object was given; saw ']'
	afterItem              bool // an event record of the array was given: a ',' or ']' comes next
}

var errJSONEnd = errors.New("the file ends inside the JSON")

func (s *jsonSplit) next(data []byte, atEOF bool) (advance int, token []byte, err error) {
	i := skipSpace(data, 0)
	if i == len(data) {
		switch {
		case !atEOF:
			return i, nil, nil
		case s.single || s.ended:
			return i, nil, nil
		}
		return 0, nil, errJSONEnd
	}
	if s.single || s.ended {
		return 0, nil, errors.New("more after the " + map[bool]string{true: "event record", false: "array of events"}[s.single])
	}
	if !s.started {
		switch data[i] {
		case '[':
			// Go on in this call: at the end of the input the scanner
			// calls no more after an advance without a token.
			if i = skipSpace(data, i+1); i == len(data) {
				if atEOF {
					return 0, nil, errJSONEnd
				}
				return 0, nil, nil
			}
			s.started = true
		case '{':
			s.started, s.single = true, true
		default:
			return 0, nil, fmt.Errorf("not JSON: it starts with %q", data[i])
		}
	}
	if !s.single {
		if data[i] == ']' {
			s.ended = true
			if j := skipSpace(data, i+1); j < len(data) {
				return 0, nil, errors.New("more after the array of events")
			}
			return len(data), nil, nil
		}
		if s.afterItem {
			if data[i] != ',' {
				return 0, nil, fmt.Errorf("not JSON: %q after an event record, want ',' or ']'", data[i])
			}
			i = skipSpace(data, i+1)
			if i == len(data) {
				if atEOF {
					return 0, nil, errJSONEnd
				}
				return 0, nil, nil
			}
		}
		if data[i] != '{' {
			return 0, nil, fmt.Errorf("the event record is not an object: it starts with %q", data[i])
		}
	}
	end := valueEnd(data, i)
	if end < 0 || data[end-1] != '}' {
		if atEOF || end == badJSON || end >= 0 && end < len(data) {
			if end == -1 {
				return 0, nil, errJSONEnd
			}
			// Not JSON the scan takes: hand it whole to the decoder, which
			// says what is wrong.
			return len(data), data[i:], nil
		}
		if !s.afterItem {
			s.started, s.single = false, false // read '[' or the lone '{' again with more data
		}
		return 0, nil, nil // need more
	}
	if s.single {
		if j := skipSpace(data, end); j < len(data) {
			return 0, nil, errors.New("more after the event record")
		}
		if !atEOF {
			// Give the lone record once nothing can follow it, so that
			// what is said about a file does not depend on where the
			// reads end.
			s.started, s.single = false, false
			return 0, nil, nil
		}
		return len(data), data[i:end], nil
	}
	s.afterItem = true
	return end, data[i:end], nil
}

func jsonMsg(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("not JSON: %v (byte %d)", se, se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("%s: want %s, got %s", te.Field, te.Type, te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "the file ends inside the JSON"
	}
	return err.Error()
}

// parts reads one record's ID, time and insertion strings.
func (ev *eventJSON) parts() (time.Time, int, []string, error) {
	if ev.ID == nil {
		return time.Time{}, 0, nil, errors.New("an event record without Id: not Get-WinEvent's output")
	}
	if *ev.ID < 0 || *ev.ID > 65535 {
		return time.Time{}, 0, nil, fmt.Errorf("Id %d is not an event ID", *ev.ID)
	}
	t, err := jsonTime(ev.TimeCreated)
	if err != nil {
		return time.Time{}, 0, nil, err
	}
	if fields, ok := plainScalars(ev.Properties, ev.arena); ok {
		return t, *ev.ID, fields, nil
	}
	fields := make([]string, len(ev.Properties))
	for i, p := range ev.Properties {
		s, err := jsonScalar(p.Value)
		if err != nil {
			return time.Time{}, 0, nil, fmt.Errorf("Properties[%d].Value: %v", i, err)
		}
		fields[i] = s
	}
	return t, *ev.ID, fields, nil
}

// plainScalars is what jsonScalar gives for each value when every one is
// null, a number, a boolean or a string without escapes, the text of all
// in one piece of memory (from a, or one allocation when a is nil); ok
// false otherwise.
func plainScalars(props []propJSON, a *arena) ([]string, bool) {
	n := 0
	for i := range props {
		v := props[i].Value
		switch {
		case props[i].noEscape: // a string, as the scan found it
			if !printable(v[1:len(v)-1]) && !plainString(v[1:len(v)-1]) {
				return nil, false
			}
			n += len(v) - 2
		case len(v) == 0 || isSpace(v[0]) || isSpace(v[len(v)-1]) || v[0] == '{' || v[0] == '[':
			return nil, false // not what the scan or encoding/json hands on
		case v[0] == '"':
			if len(v) < 2 || v[len(v)-1] != '"' || !plainString(v[1:len(v)-1]) {
				return nil, false
			}
			n += len(v) - 2
		case string(v) != "null":
			n += len(v)
		}
	}
	text, fields := a.take(n, len(props))
	text = text[:0]
	for i, p := range props {
		v := p.Value
		start := len(text)
		switch {
		case v[0] == '"':
			text = append(text, v[1:len(v)-1]...)
		case string(v) != "null":
			text = append(text, v...)
		}
		// text is never written again where it was given out.
		fields[i] = unsafe.String(unsafe.SliceData(text[start:]), len(text)-start)
	}
	return fields, true
}

// arena gives out room for many events' insertion strings from shared
// blocks, so that a record of a million takes no allocation of its own.
// Blocks are never reused: what was given out stays as it is, for as
// long as anything refers to it (a kept string keeps its whole block: the
// Auditor copies the client names it keeps). The zero value and nil are
// ready to use; nil allocates each time.
type arena struct {
	text   []byte   // room left in the current text block
	fields []string // room left in the current block of strings
}

// take is room for n bytes of text and m strings.
func (a *arena) take(n, m int) (text []byte, fields []string) {
	if a == nil {
		return make([]byte, n), make([]string, m)
	}
	if len(a.text) < n {
		a.text = make([]byte, max(n, 32<<10))
	}
	if len(a.fields) < m || a.fields == nil { // no Properties are an empty list, not nil
		a.fields = make([]string, max(m, 1024))
	}
	text, a.text = a.text[:n:n], a.text[n:]
	fields, a.fields = a.fields[:m:m], a.fields[m:]
	return text, fields
}

// printable reports whether b is all printable ASCII (0x20 to 0x7e, and
// 0x7f), eight bytes at a time: the usual insertion string. The last
// bytes are read as a whole word too where b's array goes on after them
// (an insertion string inside its record), the bytes after b left out.
func printable(b []byte) bool {
	// The high bit of each byte from 0x80 or below 0x20.
	odd := func(x uint64) uint64 { return (x | ((x&lows7 + 0x6060606060606060) ^ highs)) & highs }
	var bad uint64
	i := 0
	for ; i+8 <= len(b); i += 8 {
		bad |= odd(binary.LittleEndian.Uint64(b[i : i+8]))
	}
	if rest := len(b) - i; rest > 0 {
		if cap(b)-i < 8 {
			for _, c := range b[i:] {
				if c < 0x20 || c >= 0x80 {
					return false
				}
			}
		} else {
			bad |= odd(binary.LittleEndian.Uint64(b[i:i+8])) & (1<<(8*rest) - 1)
		}
	}
	return bad == 0
}

// plainString reports whether the inside of a JSON string is its text
// as it is: no escape, no control character, valid UTF-8.
func plainString(in []byte) bool {
	// Eight bytes at a time while they are plain ASCII (the usual case),
	// then byte by byte.
	i := 0
	for ; i+8 <= len(in); i += 8 {
		x := binary.LittleEndian.Uint64(in[i:])
		if x&highs != 0 || (x-ones*0x20)&^x&highs != 0 || firstIs(x, '"')|firstIs(x, '\\') != 0 {
			break
		}
	}
	for _, c := range in[i:] {
		if c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return utf8.Valid(in[i:])
}

// jsonTime reads TimeCreated as ConvertTo-Json writes a DateTime:
// "/Date(1700000000000)/" (Windows PowerShell 5.1, milliseconds since
// 1970 UTC, maybe with a "+0100" offset that does not change the
// instant), or an ISO 8601 string (PowerShell 7), or an object with a
// DateTime or value property holding one of those.
func jsonTime(raw json.RawMessage) (time.Time, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, errors.New("an event record without TimeCreated")
	}
	if t, ok := jsonDate(raw); ok {
		return t, nil
	}
	return jsonTimeAny(raw)
}

// jsonTimeAny is jsonTime for every form, raw trimmed and not null.
func jsonTimeAny(raw []byte) (time.Time, error) {
	if raw[0] == '{' {
		var o map[string]json.RawMessage
		if err := json.Unmarshal(raw, &o); err != nil {
			return time.Time{}, err
		}
		for k, v := range o {
			if strings.EqualFold(k, "value") || strings.EqualFold(k, "DateTime") {
				if t, err := jsonTime(v); err == nil {
					return t, nil
				}
			}
		}
		return time.Time{}, errors.New("TimeCreated is an object without a time in it")
	}
	s, err := jsonString(raw)
	if err != nil {
		return time.Time{}, fmt.Errorf("TimeCreated: want a string, got %.40s", raw)
	}
	if ms, ok := strings.CutPrefix(s, "/Date("); ok {
		ms, ok = strings.CutSuffix(ms, ")/")
		if !ok {
			return time.Time{}, fmt.Errorf("TimeCreated %q is not /Date(milliseconds)/", s)
		}
		if i := strings.IndexAny(ms[min(1, len(ms)):], "+-"); i >= 0 {
			ms = ms[:i+1] // the offset says how to show the time, not when
		}
		v, err := strconv.ParseInt(ms, 10, 64)
		if err != nil || v < -62135596800000 || v > 253402300799999 {
			return time.Time{}, fmt.Errorf("TimeCreated %q is not /Date(milliseconds)/", s)
		}
		return time.UnixMilli(v).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("TimeCreated %q is not a time such as 2026-11-23T17:52:56.1234567+00:00", s)
	}
	return t.UTC(), nil
}

// jsonDate reads the common form "\/Date(milliseconds)\/" without an
// offset, as jsonTime does, without allocating; ok false for anything
// else.
func jsonDate(raw []byte) (time.Time, bool) {
	var in []byte
	switch {
	case bytes.HasPrefix(raw, []byte(`"\/Date(`)) && bytes.HasSuffix(raw, []byte(`)\/"`)):
		in = raw[len(`"\/Date(`) : len(raw)-len(`)\/"`)]
	case bytes.HasPrefix(raw, []byte(`"/Date(`)) && bytes.HasSuffix(raw, []byte(`)/"`)):
		in = raw[len(`"/Date(`) : len(raw)-len(`)/"`)]
	default:
		return time.Time{}, false
	}
	if len(in) == 0 || len(in) > 15 {
		return time.Time{}, false
	}
	var v int64
	for _, c := range in {
		if c < '0' || c > '9' {
			return time.Time{}, false
		}
		v = v*10 + int64(c-'0')
	}
	if v > 253402300799999 {
		return time.Time{}, false
	}
	return time.UnixMilli(v).UTC(), true
}

// jsonString decodes a JSON string; the common cases (no escape, or only
// Windows PowerShell's "\/") without encoding/json.
func jsonString(raw []byte) (string, error) {
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' {
		in := raw[1 : len(raw)-1]
		plain := true
		for _, c := range in {
			if c < 0x20 || c == '"' {
				plain = false
				break
			}
		}
		if plain && utf8.Valid(in) {
			if bytes.IndexByte(in, '\\') < 0 {
				return string(in), nil
			}
			if s := strings.ReplaceAll(string(in), `\/`, "/"); !strings.Contains(s, `\`) {
				return s, nil
			}
		}
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}

// jsonScalar is an insertion string as text: a string, or a number or
// boolean as written; null is "".
func jsonScalar(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", nil
	case raw[0] == '"':
		return jsonString(raw)
	case raw[0] == '{' || raw[0] == '[':
		return "", errors.New("want a string or a number, got " + map[byte]string{'{': "an object", '[': "an array"}[raw[0]])
	}
	return string(raw), nil
}
