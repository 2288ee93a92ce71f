package statedir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// NewerVersionError is a state file whose format version is newer than
// this kmsctl reads: written by a newer kmsctl, so unusable rather than
// corrupt.
type NewerVersionError struct {
	Got    int // the file's version
	Newest int // the newest this kmsctl reads
}

func (e *NewerVersionError) Error() string {
	return fmt.Sprintf("format version %d is newer than this kmsctl understands (%d)", e.Got, e.Newest)
}

// DecodeObject checks the envelope of a JSON state file (identity.json,
// license.json): at most maxSize bytes; a UTF-8 byte order mark (from a
// Windows editor) ignored; exactly one JSON value, an object, with nothing
// but white space after it; an integer "version" no newer than newest
// (else a *NewerVersionError). It returns the object and its version,
// which the caller checks against the versions it reads. The errors say
// what is wrong, for the caller's corrupt-file error.
func DecodeObject(data []byte, maxSize, newest int) (json.RawMessage, int, error) {
	if len(data) > maxSize {
		return nil, 0, fmt.Errorf("file is larger than %d bytes", maxSize)
	}
	const ws = " \t\r\n"                                   // JSON's white space
	body := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a BOM from a Windows editor
	if len(bytes.Trim(body, ws)) == 0 {
		return nil, 0, errors.New("file is empty")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, 0, fmt.Errorf("not valid JSON: %v", err)
	}
	if rest := bytes.TrimLeft(body[dec.InputOffset():], ws); len(rest) > 0 {
		return nil, 0, fmt.Errorf("unexpected data after the JSON value at byte %d", len(data)-len(rest))
	}
	if raw[0] != '{' {
		return nil, 0, errors.New("not a JSON object")
	}
	// The version first, so that a newer format is reported as such
	// rather than as a bad field.
	var v struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, 0, fmt.Errorf(`"version" is not an integer: %v`, err)
	}
	switch {
	case v.Version == nil:
		return nil, 0, errors.New(`no "version"`)
	case *v.Version > newest:
		return nil, 0, &NewerVersionError{Got: *v.Version, Newest: newest}
	}
	return raw, *v.Version, nil
}

// UnmarshalFields decodes a state file's object into v, naming a field of
// the wrong type (FieldError).
func UnmarshalFields(raw []byte, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return FieldError(err, "")
	}
	return nil
}

// FieldError words json.Unmarshal's error for a state file's field as the
// file names it: a field of the wrong kind by its JSON key (without
// embedded, the Go name of an embedded struct that encoding/json puts in
// front: "attemptAlias."), a time that is not RFC 3339 with its text, not
// Go's layout ("2006-01-02T15:04:05Z07:00").
func FieldError(err error, embedded string) error {
	var te *json.UnmarshalTypeError
	var pe *time.ParseError
	switch {
	case errors.As(err, &te) && te.Field != "":
		field := strings.TrimPrefix(te.Field, embedded)
		if want := jsonKind(te.Type); want != "" {
			return fmt.Errorf("%q is a JSON %s, want a %s", field, te.Value, want)
		}
		return fmt.Errorf("%q is a JSON %s of the wrong kind", field, te.Value)
	case errors.As(err, &pe):
		return fmt.Errorf("time %q is not an RFC 3339 time such as 2026-11-30T17:55:04Z", pe.Value)
	}
	return fmt.Errorf("bad field: %v", err)
}

// jsonKind is the JSON kind a Go type of a basic kind is written as
// ("string", "number", "boolean"); "" for any other.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return ""
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "number"
	}
	return ""
}
