package kmshost

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/hresult"
)

// DecodeError says where the host's JSON stopped making sense: a path such
// as service.KeyManagementServiceListeningPort, and what was wrong there.
// Decoders that return one return no value.
type DecodeError struct {
	Path string // where in the document; "" for the document as a whole
	Msg  string
	Err  error // the underlying JSON error, if any
}

func (e *DecodeError) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

func (e *DecodeError) Unwrap() error { return e.Err }

// ScriptError is the {"error": {...}} a script writes when a cmdlet fails
// on the host.
type ScriptError struct {
	HResult int64  // the exception's HResult as PowerShell reports it (signed)
	Message string // the exception's message, in the host's language
	ID      string // PowerShell's FullyQualifiedErrorId
}

func (e *ScriptError) Error() string {
	msg := strings.TrimSpace(e.Message)
	if e.ID != "" {
		msg += " [" + e.ID + "]"
	}
	return msg
}

// Code is the Windows error code behind the failure: the HRESULT named in
// the error ID (CIM errors carry "HRESULT 0x80070005,…"), else the
// exception's own HResult when it is a failure code more specific than
// .NET's generic ones, else E_FAIL.
func (e *ScriptError) Code() hresult.Code {
	if _, rest, ok := strings.Cut(e.ID, "HRESULT "); ok {
		word, _, _ := strings.Cut(rest, ",")
		if c, err := hresult.Parse(word); err == nil && c.Failed() {
			return c
		}
	}
	c := hresult.Code(uint32(e.HResult))
	switch {
	case e.HResult < math.MinInt32 || e.HResult > math.MaxUint32, !c.Failed(),
		c == hresult.CORException, c == hresult.CORSystem, c == hresult.CORInvalidOperation:
		return hresult.Fail
	}
	return c
}

// maxDocument bounds what a script may write. 10,000 events are about
// 3 MB; the bound leaves room for ten times that and then some.
const maxDocument = 64 << 20

// object is one JSON object of a host document, its keys folded to lower
// case (PowerShell may write a property as the class spells it or as the
// script does).
type object struct {
	path string
	m    map[string]json.RawMessage
}

// parseDocument reads a whole script output: one JSON object and nothing
// after it but white space. A UTF-8 byte order mark is skipped.
func parseDocument(b []byte) (object, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(b)) == 0 {
		return object{}, &DecodeError{Msg: "the command wrote nothing"}
	}
	if len(b) > maxDocument {
		return object{}, &DecodeError{Msg: fmt.Sprintf("the command wrote %d bytes, more than kmsctl reads (%d)", len(b), maxDocument)}
	}
	if !json.Valid(b) {
		var v any
		err := json.Unmarshal(b, &v)
		return object{}, &DecodeError{Msg: "not JSON (" + jsonErrorText(err) + "); it starts " + preview(b), Err: err}
	}
	return asObject("", b)
}

// jsonErrorText is a JSON syntax error with its offset.
func jsonErrorText(err error) string {
	if se, ok := err.(*json.SyntaxError); ok {
		return fmt.Sprintf("%v at byte %d", se, se.Offset)
	}
	if err == nil {
		return "invalid"
	}
	return err.Error()
}

// preview quotes the start of b for an error message.
func preview(b []byte) string {
	const n = 60
	if len(b) > n {
		return strconv.QuoteToASCII(string(b[:n])) + "…"
	}
	return strconv.QuoteToASCII(string(b))
}

func asObject(path string, raw json.RawMessage) (object, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return object{}, &DecodeError{Path: path, Msg: "want an object, got " + describe(raw)}
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return object{}, &DecodeError{Path: path, Msg: "want an object", Err: err}
	}
	o := object{path: path, m: make(map[string]json.RawMessage, len(m))}
	for k, v := range m {
		lk := strings.ToLower(k)
		if _, dup := o.m[lk]; dup {
			return object{}, &DecodeError{Path: o.at(k), Msg: "given twice"}
		}
		o.m[lk] = v
	}
	return o, nil
}

// describe names a raw JSON value's type for an error, with the value
// when it is short.
func describe(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	kind := map[byte]string{'{': "an object", '[': "an array", '"': "a string", 't': "true", 'f': "false", 'n': "null"}[raw[0]]
	if kind == "" {
		kind = "a number"
	}
	if len(raw) <= 40 && raw[0] != '{' && raw[0] != '[' {
		return kind + " " + string(raw)
	}
	return kind
}

func (o object) at(name string) string {
	if o.path == "" {
		return name
	}
	return o.path + "." + name
}

// get returns a property's raw value; ok is false when it is absent or null.
func (o object) get(name string) (json.RawMessage, bool) {
	v, ok := o.m[strings.ToLower(name)]
	if !ok {
		return nil, false
	}
	v = bytes.TrimSpace(v)
	if string(v) == "null" {
		return nil, false
	}
	return v, true
}

func (o object) missing(name string) error {
	return &DecodeError{Path: o.at(name), Msg: "missing or null"}
}

func (o object) wrong(name, want string, raw json.RawMessage) error {
	return &DecodeError{Path: o.at(name), Msg: "want " + want + ", got " + describe(raw)}
}

// uint32 reads a whole number 0..4294967295; nil when absent or null.
func (o object) uint32(name string) (*uint32, error) {
	raw, ok := o.get(name)
	if !ok {
		return nil, nil
	}
	v, err := strconv.ParseUint(string(raw), 10, 32)
	if err != nil {
		return nil, o.wrong(name, "a whole number from 0 to 4294967295", raw)
	}
	u := uint32(v)
	return &u, nil
}

// needUint32 is uint32 for a property that must be there.
func (o object) needUint32(name string) (uint32, error) {
	v, err := o.uint32(name)
	if err == nil && v == nil {
		err = o.missing(name)
	}
	if err != nil {
		return 0, err
	}
	return *v, nil
}

// count reads a KMS current count: a uint32 where 4294967295 (also
// accepted as -1) means the host has counted no request yet, returned
// as -1.
func (o object) count(name string) (*int64, error) {
	raw, ok := o.get(name)
	if !ok {
		return nil, nil
	}
	if string(raw) == "-1" {
		v := int64(-1)
		return &v, nil
	}
	u, err := o.uint32(name)
	if err != nil {
		return nil, o.wrong(name, "a count (a whole number from 0 to 4294967295, or -1)", raw)
	}
	v := int64(*u)
	if *u == NotApplicable {
		v = -1
	}
	return &v, nil
}

// int64 reads a signed or unsigned 32-bit value as PowerShell may write an
// HResult.
func (o object) int64(name string) (int64, bool, error) {
	raw, ok := o.get(name)
	if !ok {
		return 0, false, nil
	}
	v, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil || v < math.MinInt32 || v > math.MaxUint32 {
		return 0, false, o.wrong(name, "a 32-bit whole number", raw)
	}
	return v, true, nil
}

// boolean reads true or false; nil when absent or null.
func (o object) boolean(name string) (*bool, error) {
	raw, ok := o.get(name)
	if !ok {
		return nil, nil
	}
	switch string(raw) {
	case "true":
		v := true
		return &v, nil
	case "false":
		v := false
		return &v, nil
	}
	return nil, o.wrong(name, "true or false", raw)
}

// str reads a string; "" when absent or null.
func (o object) str(name string) (string, error) {
	raw, ok := o.get(name)
	if !ok {
		return "", nil
	}
	var s string
	if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", o.wrong(name, "a string", raw)
	}
	return s, nil
}

// guid reads a GUID in text form; the zero GUID when absent, null or "".
func (o object) guid(name string) (guid.GUID, error) {
	s, err := o.str(name)
	if err != nil || s == "" {
		return guid.Nil, err
	}
	g, err := guid.Parse(strings.TrimSpace(s))
	if err != nil {
		return guid.Nil, &DecodeError{Path: o.at(name), Msg: "want a GUID, got " + strconv.QuoteToASCII(s)}
	}
	return g, nil
}

// array reads an array of raw values; absent or null is an error.
func (o object) array(name string) ([]json.RawMessage, error) {
	raw, ok := o.get(name)
	if !ok {
		return nil, o.missing(name)
	}
	if raw[0] != '[' {
		return nil, o.wrong(name, "an array", raw)
	}
	var a []json.RawMessage
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, &DecodeError{Path: o.at(name), Msg: "want an array", Err: err}
	}
	return a, nil
}

// objects reads an array of objects, each decoded by decode, in order;
// absent or null is an error, and so is an element that is not an
// object (named as "products[3]").
func objects[T any](o object, name string, decode func(object) (T, error)) ([]T, error) {
	rows, err := o.array(name)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(rows))
	for i, raw := range rows {
		e, err := asObject(o.at(name)+"["+itoa(int64(i))+"]", raw)
		if err != nil {
			return nil, err
		}
		v, err := decode(e)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// object reads a nested object; absent or null is an error.
func (o object) object(name string) (object, error) {
	raw, ok := o.get(name)
	if !ok {
		return object{}, o.missing(name)
	}
	return asObject(o.at(name), raw)
}

// header checks the document version and turns the script's error report
// into a *ScriptError.
func header(doc object) error {
	v, err := doc.uint32("v")
	if err != nil {
		return err
	}
	if v == nil || *v != 1 {
		return &DecodeError{Path: "v", Msg: "want 1 (the version of kmsctl's script); this is not its output"}
	}
	if _, ok := doc.get("error"); !ok {
		return nil
	}
	e, err := doc.object("error")
	if err != nil {
		return err
	}
	se := &ScriptError{}
	if se.HResult, _, err = e.int64("hresult"); err != nil {
		return err
	}
	if se.Message, err = e.str("message"); err != nil {
		return err
	}
	if se.ID, err = e.str("id"); err != nil {
		return err
	}
	return se
}
