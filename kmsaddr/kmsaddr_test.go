package kmsaddr

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct{ in, want string }{
		{"kms.corp.example.com", "kms.corp.example.com:1688"},
		{"kms.corp.example.com:18688", "kms.corp.example.com:18688"},
		{"10.0.0.5", "10.0.0.5:1688"},
		{"10.0.0.5:1", "10.0.0.5:1"},
		{"[::1]:1688", "[::1]:1688"},
		{"[2001:db8::1]", "[2001:db8::1]:1688"},
		{"2001:db8::1", "[2001:db8::1]:1688"},
		{" kms1 ", "kms1:1688"},
		{"", ""},
		{"kms:", ""},
		{"kms:0", ""},
		{"kms:65536", ""},
		{"kms:http", ""},
		{"kms:01688", ""},
		{"[::1", ""},
		{"[::1]x", ""},
		{"[10.0.0.1]:1688", ""},
		{"2001:db8::1:1688:x", ""},
		{"kms host", ""},
		{"kms/1688", ""},
		{"a..b", ""},
		{"-foo", ""},
		{"kms-.corp", ""},
		{"kms-1.corp-x.example", "kms-1.corp-x.example:1688"},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if tt.want == "" {
			var ae *Error
			if !errors.As(err, &ae) {
				t.Errorf("Parse(%q) = %q, %v; want an Error", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// A URL is not a host: the reason says to drop the scheme, not to write
// IPv6 in brackets or that "//x" is not a port.
func TestParseScheme(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:1688": `remove the scheme "http://": write HOST[:PORT], e.g. 127.0.0.1:1688`,
		"https://kms.corp/":     `remove the scheme "https://": write HOST[:PORT], e.g. kms.corp`,
		"tcp://[::1]:1688":      `remove the scheme "tcp://": write HOST[:PORT], e.g. [::1]:1688`,
		"http://x":              `remove the scheme "http://": write HOST[:PORT], e.g. x`,
		"http://x/a?b":          `remove the scheme "http://": write HOST[:PORT], e.g. kms.example.com:1688`,
	} {
		_, err := Parse(in)
		var ae *Error
		if !errors.As(err, &ae) || ae.Reason != want {
			t.Errorf("Parse(%q): %v; want reason %q", in, err, want)
		}
	}
}
