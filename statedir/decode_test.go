package statedir

import (
	"errors"
	"strings"
	"testing"
)

func TestDecodeObject(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", "file is empty"},
		{" \n", "file is empty"},
		{"\xef\xbb\xbf", "file is empty"},
		{"{", "not valid JSON"},
		{`{"version":1} x`, "unexpected data after the JSON value at byte 14"},
		{`[1]`, "not a JSON object"},
		{`{"version":"1"}`, `"version" is not an integer`},
		{`{}`, `no "version"`},
		{`{"version":3}`, "format version 3 is newer than this kmsctl understands (2)"},
		{strings.Repeat(" ", 65), "file is larger than 64 bytes"},
	} {
		_, _, err := DecodeObject([]byte(tt.in), 64, 2)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.in, err, tt.want)
		}
	}
	var nv *NewerVersionError
	if _, _, err := DecodeObject([]byte(`{"version":3}`), 64, 2); !errors.As(err, &nv) || nv.Got != 3 {
		t.Errorf("a newer version is a *NewerVersionError: %v", err)
	}
	raw, v, err := DecodeObject([]byte("\xef\xbb\xbf {\"version\":1,\"a\":2}\n"), 64, 2)
	if err != nil || v != 1 || string(raw) != `{"version":1,"a":2}` {
		t.Errorf("a good file: %s, %d, %v", raw, v, err)
	}
	var f struct {
		A int `json:"a"`
	}
	if err := UnmarshalFields([]byte(`{"a":"x"}`), &f); err == nil || err.Error() != `"a" is a JSON string, want a number` {
		t.Errorf("UnmarshalFields: %v", err)
	}
}
