package discovery_test

import (
	"errors"
	"net"
	"strconv"
	"testing"

	"github.com/kmsctl/kmsctl/discovery"
)

// FuzzParseServer: success gives host:port with a port in 1..65535 that
// parses back to itself; failure is always an *Error.
func FuzzParseServer(f *testing.F) {
	for _, s := range []string{"10.0.0.53", "10.0.0.53:5353", "dns.corp.example", "[::1]:53", "2001:db8::53",
		"[2001:db8::53]", "dns:0", "[::1", "", " x:1 ", "[fe80::1%eth0]:53", "a..b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := discovery.ParseServer(s)
		if err != nil {
			var e *discovery.Error
			if !errors.As(err, &e) || got != "" {
				t.Fatalf("ParseServer(%q) = %q, %v", s, got, err)
			}
			return
		}
		_, port, err := net.SplitHostPort(got)
		if err != nil {
			t.Fatalf("ParseServer(%q) = %q: %v", s, got, err)
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			t.Fatalf("ParseServer(%q) = %q: bad port", s, got)
		}
		again, err := discovery.ParseServer(got)
		if err != nil || again != got {
			t.Fatalf("ParseServer(%q) = %q, but ParseServer(%q) = %q, %v", s, got, got, again, err)
		}
	})
}
