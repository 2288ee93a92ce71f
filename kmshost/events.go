package kmshost

import (
	"bytes"
	"cmp"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmsclient"
)

// Event IDs of the Key Management Service log (the "Windows Event Log"
// table of Microsoft's Volume Activation Technical Reference).
const (
	EventRequestSent      = 12288 // a client sent a request (client side)
	EventResponseHandled  = 12289 // a client processed the host's response (client side)
	EventRequestProcessed = 12290 // the host processed a client's request
)

// EventLog is what the log script read.
type EventLog struct {
	Computer string
	Now      time.Time // the host's clock when it answered (UTC)
	Events   []Event   // newest first, as Get-WinEvent lists them
}

// Event is one event with its Info fields read by position. Fields an
// event ID does not carry are zero or nil.
type Event struct {
	Time time.Time // when the host logged it (UTC)
	ID   int
	Log  string // the log it came from ("Key Management Service", "Application"); "" when not said

	Result                              hresult.Code             // 1st field of every ID
	MinCount                            *uint32                  // N-Policy: 12290, 12288
	Client                              string                   // client FQDN: 12290
	Server                              string                   // KMS host:port tried: 12288
	CMID                                guid.GUID                // 12290, 12288
	ClientTime                          string                   // the client's timestamp, as logged
	VM                                  *bool                    // 12290, 12288
	LicenseStatus                       *kmsclient.LicenseStatus // the client's state: 12290, 12288
	ExpiresInMinutes                    *uint32                  // time left in that state: 12290, 12288
	ActivationID                        guid.GUID                // the client product's SKU ID: 12290, 12288
	Status                              *uint32                  // binding status flags: 12288, 12289
	Activated                           *bool                    // fBound: 12289
	Count                               *uint32                  // the count the host reported: 12289
	ActivationInterval, RenewalInterval *uint32                  // minutes: 12289

	Fields  []string // the Info fields as logged
	Problem string   // why the fields could not all be read; "" when they were
	// Record is the event's place in an exported file, counting every
	// record from 1 (events of other IDs too); 0 when not read from a file.
	Record int
}

// Failed reports whether the event records a failed request.
func (e *Event) Failed() bool { return e.Problem == "" && e.Result.Failed() }

// layouts are the Info fields of each event ID, in order.
var layouts = map[int][]string{
	EventRequestProcessed: {"HRESULT", "N-Policy", "Machine name", "CMID", "Client Time", "VM Info", "Licensing Status", "Time to Expiration", "ActID"},
	EventRequestSent:      {"HRESULT", "Status", "Server:Port", "CMID", "Client Time", "VM Info", "Licensing Status", "Time to Expiration", "ActID", "N-Policy"},
	EventResponseHandled:  {"HRESULT", "Status", "fBound", "Unused", "Count", "Activation Interval", "Renewal Interval", "Client Time"},
}

// DecodeEvents decodes the log script's output. Events come back in the
// order the host listed them. An event whose Info fields cannot be read
// keeps its raw fields and says why in Problem; a document that is not the
// script's is a *DecodeError, a failure the script reported a
// *ScriptError. On error the result is nil.
func DecodeEvents(b []byte) (*EventLog, error) {
	l := &EventLog{}
	doc, err := machineDocument(b, &l.Computer, &l.Now)
	if err != nil {
		return nil, err
	}
	if l.Events, err = objects(doc, "events", decodeEvent); err != nil {
		return nil, err
	}
	return l, nil
}

// machineDocument reads the start of a document that names the machine
// and its clock: the header, "computer" and "now".
func machineDocument(b []byte, computer *string, now *time.Time) (object, error) {
	doc, err := parseDocument(b)
	if err != nil {
		return object{}, err
	}
	if err := header(doc); err != nil {
		return object{}, err
	}
	if *computer, err = doc.str("computer"); err != nil {
		return object{}, err
	}
	*now, err = timeProp(doc, "now")
	return doc, err
}

func timeProp(o object, name string) (time.Time, error) {
	s, err := o.str(name)
	if err != nil {
		return time.Time{}, err
	}
	if s == "" {
		return time.Time{}, o.missing(name)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, &DecodeError{Path: o.at(name), Msg: "want a time such as 2026-11-23T17:52:56.1234567Z, got " + strconv.QuoteToASCII(s)}
	}
	return t.UTC(), nil
}

func decodeEvent(o object) (Event, error) {
	var e Event
	var err error
	if e.Time, err = timeProp(o, "t"); err != nil {
		return e, err
	}
	id, err := o.needUint32("id")
	if err != nil {
		return e, err
	}
	if layouts[int(id)] == nil {
		return e, &DecodeError{Path: o.at("id"), Msg: "want 12288, 12289 or 12290 (the IDs the script asks for), got " + itoa(int64(id))}
	}
	e.ID = int(id)
	if e.Log, err = o.str("log"); err != nil {
		return e, err
	}
	items, err := o.array("d")
	if err != nil {
		return e, err
	}
	e.Fields = make([]string, len(items))
	for i, raw := range items {
		raw = bytes.TrimSpace(raw)
		if string(raw) == "null" {
			continue // [string]$null is "", but be lenient
		}
		if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &e.Fields[i]) != nil {
			return e, &DecodeError{Path: o.at("d") + "[" + itoa(int64(i)) + "]", Msg: "want a string, got " + describe(raw)}
		}
	}
	e.Problem = e.readFields()
	return e, nil
}

// NewEvent reads the insertion strings of event id (12288, 12289 or
// 12290) logged at t, as an exported log gives them: one comma-separated
// string, the layout's fields, or those with one more string first. An
// event whose fields cannot be read keeps them in Fields and says why in
// Problem; an ID without a known layout gives ok false.
func NewEvent(t time.Time, id int, fields []string) (e Event, ok bool) {
	if layouts[id] == nil {
		return Event{}, false
	}
	e = Event{Time: t.UTC(), ID: id, Fields: fields}
	e.Problem = e.readFields()
	return e, true
}

// infoFields lines the logged strings up with the ID's layout. The
// documentation describes the Info part as one comma-separated string; a
// public script reads it as separate insertion strings, with one unexplained
// string first. All three shapes are accepted.
func infoFields(fields []string, n int) ([]string, bool) {
	if len(fields) == 1 && strings.Contains(fields[0], ",") {
		// Split into one slice of n, trimmed: this runs once per event of
		// a log of millions.
		s := fields[0]
		if strings.Count(s, ",") != n-1 {
			return nil, false
		}
		out := make([]string, n)
		for i := range n - 1 {
			c := strings.IndexByte(s, ',')
			out[i], s = strings.TrimSpace(s[:c]), s[c+1:]
		}
		out[n-1] = strings.TrimSpace(s)
		return out, true
	}
	if len(fields) == n+1 {
		fields = fields[1:]
	}
	if len(fields) != n {
		return nil, false
	}
	if !slices.ContainsFunc(fields, mayTrim) {
		return fields, true // nothing to trim: no copy
	}
	out := make([]string, n)
	for i, f := range fields {
		out[i] = strings.TrimSpace(f)
	}
	return out, true
}

// mayTrim reports whether strings.TrimSpace would change f, looking
// first at its ends: white space (unicode.IsSpace) is a byte up to ' '
// or one of a multi-byte rune, from 0x80.
func mayTrim(f string) bool {
	if f == "" {
		return false
	}
	if a, z := f[0], f[len(f)-1]; a > ' ' && a < 0x80 && z > ' ' && z < 0x80 {
		return false
	}
	return len(f) != len(strings.TrimSpace(f))
}

// readFields fills the typed fields from Fields; it returns what it could
// not read.
func (e *Event) readFields() string {
	layout := layouts[e.ID]
	f, ok := infoFields(e.Fields, len(layout))
	if !ok {
		return "event " + itoa(int64(e.ID)) + " has " + itoa(int64(len(layout))) + " Info fields, this one " + itoa(int64(len(e.Fields)))
	}
	var problems []string
	bad := func(i int, want string) {
		problems = append(problems, layout[i]+" "+strconv.QuoteToASCII(f[i])+" is not "+want)
	}
	// The event's numbers and flags share one allocation.
	var vals struct {
		nums  [6]uint32
		flags [2]bool
		state kmsclient.LicenseStatus
		n, b  int
	}
	code := func(i int) hresult.Code {
		c, err := hresult.Parse(f[i])
		if err != nil {
			bad(i, "an error code")
		}
		return c
	}
	num := func(i int) *uint32 {
		v, err := parseNumber(f[i])
		if err != nil {
			bad(i, "a number")
			return nil
		}
		p := &vals.nums[vals.n]
		vals.n++
		*p = v
		return p
	}
	flag := func(i int) *bool {
		switch f[i] {
		case "0", "1":
			p := &vals.flags[vals.b]
			vals.b++
			*p = f[i] == "1"
			return p
		}
		bad(i, "0 or 1")
		return nil
	}
	id := func(i int) guid.GUID {
		g, err := guid.Parse(f[i])
		if err != nil {
			bad(i, "a GUID")
		}
		return g
	}
	state := func(i int) *kmsclient.LicenseStatus {
		v, err := parseNumber(f[i])
		if err != nil {
			bad(i, "a number")
			return nil
		}
		vals.state = kmsclient.LicenseStatus(v)
		return &vals.state
	}
	e.Result = code(0)
	switch e.ID {
	case EventRequestProcessed:
		e.MinCount, e.Client, e.CMID, e.ClientTime = num(1), f[2], id(3), f[4]
		e.VM, e.LicenseStatus, e.ExpiresInMinutes, e.ActivationID = flag(5), state(6), num(7), id(8)
	case EventRequestSent:
		e.Status, e.Server, e.CMID, e.ClientTime = num(1), f[2], id(3), f[4]
		e.VM, e.LicenseStatus, e.ExpiresInMinutes, e.ActivationID, e.MinCount = flag(5), state(6), num(7), id(8), num(9)
	case EventResponseHandled:
		e.Status, e.Activated, e.Count = num(1), flag(2), num(4)
		e.ActivationInterval, e.RenewalInterval, e.ClientTime = num(5), num(6), f[7]
	}
	return strings.Join(problems, "; ")
}

// parseNumber reads a decimal or 0x-prefixed hexadecimal uint32.
func parseNumber(s string) (uint32, error) {
	if len(s) > 2 && s[0] == '0' && s[1]|0x20 == 'x' { // 0x or 0X
		h := s[2:]
		v, err := strconv.ParseUint(h, 16, 32)
		return uint32(v), err
	}
	v, err := strconv.ParseUint(s, 10, 32)
	return uint32(v), err
}

// Summary is what an audit of the log adds up to.
type Summary struct {
	Events         int
	ByID           map[int]int
	Oldest, Newest time.Time
	CMIDs          int           // distinct client machine IDs
	Clients        int           // distinct client names (12290)
	Succeeded      int           // events with a success result
	Failed         int           // events with a failure result
	Unreadable     int           // events whose fields could not be read
	Results        []ResultCount // every result code, most frequent first
	SharedCMIDs    []SharedCMID  // CMIDs reported by more than one machine name
}

// ResultCount is how often one result code was logged.
type ResultCount struct {
	Code  hresult.Code
	Count int
}

// SharedCMID is one CMID that several machines sent: images cloned
// without sysprep /generalize, which the host counts as one client.
type SharedCMID struct {
	CMID    guid.GUID
	Clients []string // sorted
}

// Summarize adds the events up.
func Summarize(events []Event) Summary {
	s := Summary{Events: len(events), ByID: map[int]int{}}
	byCode := map[hresult.Code]int{}
	names := map[guid.GUID]map[string]bool{}
	clients := map[string]bool{}
	for i := range events {
		e := &events[i]
		s.ByID[e.ID]++
		if s.Oldest.IsZero() || e.Time.Before(s.Oldest) {
			s.Oldest = e.Time
		}
		if e.Time.After(s.Newest) {
			s.Newest = e.Time
		}
		if e.Problem != "" {
			s.Unreadable++
			continue
		}
		byCode[e.Result]++
		if e.Result.Failed() {
			s.Failed++
		} else {
			s.Succeeded++
		}
		if !e.CMID.IsZero() {
			if names[e.CMID] == nil {
				names[e.CMID] = map[string]bool{}
			}
			if e.Client != "" {
				names[e.CMID][strings.ToLower(e.Client)] = true
			}
		}
		if e.Client != "" {
			clients[strings.ToLower(e.Client)] = true
		}
	}
	s.CMIDs, s.Clients = len(names), len(clients)
	for c, n := range byCode {
		s.Results = append(s.Results, ResultCount{Code: c, Count: n})
	}
	slices.SortFunc(s.Results, func(a, b ResultCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Code, b.Code))
	})
	for id, set := range names {
		if len(set) > 1 {
			sc := SharedCMID{CMID: id}
			for n := range set {
				sc.Clients = append(sc.Clients, n)
			}
			slices.Sort(sc.Clients)
			s.SharedCMIDs = append(s.SharedCMIDs, sc)
		}
	}
	slices.SortFunc(s.SharedCMIDs, func(a, b SharedCMID) int {
		return cmp.Or(cmp.Compare(len(b.Clients), len(a.Clients)), strings.Compare(a.CMID.String(), b.CMID.String()))
	})
	return s
}
