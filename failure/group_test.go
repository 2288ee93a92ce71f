package failure

import (
	"errors"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"testing"

	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmsclient"
)

// refusedAt is the error kmsclient returns when nothing listens on addr
// (host:port, an IP address) and the connection came from local, as the
// standard library builds it.
func refusedAt(addr, local string) error {
	op := &net.OpError{Op: "dial", Net: "tcp", Addr: net.TCPAddrFromAddrPort(netip.MustParseAddrPort(addr)), Err: syscall.ECONNREFUSED}
	if local != "" {
		op.Source = net.TCPAddrFromAddrPort(netip.MustParseAddrPort(local))
	}
	return &kmsclient.Error{Code: hresult.NoKMSHost, Kind: kmsclient.KindNetwork, Op: "connect to " + addr, Addr: addr, Err: op}
}

// TestTemplateOf: failures have one Template when only the host differs
// (its name as given, its HOST:PORT, kmsctl's local endpoint), and
// different ones when the cause or the advice differs (another kind of
// failure).
func TestTemplateOf(t *testing.T) {
	of := func(err error, host string) Template { return TemplateOf(Describe(err, Context{}), err, host) }
	notFound := func(name string) error {
		return &kmsclient.Error{Code: hresult.NoKMSHost, Kind: kmsclient.KindNetwork, Op: "connect to " + name + ":1",
			Addr: name + ":1", Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}}}
	}
	a := of(refusedAt("127.0.0.1:1", ""), "127.0.0.1:1")
	for _, c := range []struct {
		name string
		t    Template
		same bool
	}{
		{"another address, same port", of(refusedAt("127.0.0.2:1", ""), "127.0.0.2:1"), true},
		{"a name that resolved to an address", of(refusedAt("10.1.2.3:1", ""), "kms01.corp.example.com:1"), true},
		{"an IPv6 host", of(refusedAt("[2001:db8::5]:1", ""), "[2001:db8::5]:1"), true},
		{"another port", of(refusedAt("127.0.0.2:2", ""), "127.0.0.2:2"), true},
		{"another port on the same address", of(refusedAt("127.0.0.1:42495", ""), "127.0.0.1:42495"), true},
		{"a name that does not resolve", of(notFound("kms.invalid"), "kms.invalid:1"), false},
	} {
		if got := c.t == a; got != c.same {
			t.Errorf("%s: same template %v, want %v:\n%q\n%q", c.name, got, c.same, c.t, a)
		}
	}
	// kmsctl's local endpoint is not the host's and differs every time.
	if of(refusedAt("127.0.0.1:1", "127.0.0.1:40001"), "127.0.0.1:1") != of(refusedAt("127.0.0.2:1", "127.0.0.1:40002"), "127.0.0.2:1") {
		t.Error("local endpoints split one cause")
	}
	if got := a.ForAll(); got != "nothing listens on these hosts' TCP ports; check each port and that the Software Protection service runs on each host" {
		t.Errorf("ForAll = %q", got)
	}
	// Hosts that do not answer, on one address and different ports: one
	// cause, and advice that reads as English for all of them.
	status := Context{Command: "status", Flags: []string{"timeout"}}
	stalled := func(addr string) Template {
		err := &kmsclient.Error{Code: hresult.NoKMSHost, Kind: kmsclient.KindTimeout, Op: "connect to " + addr, Addr: addr, Err: errors.New("timed out waiting for the host")}
		return TemplateOf(Describe(err, status), err, addr)
	}
	s1, s2 := stalled("127.0.0.1:42495"), stalled("127.0.0.1:1688")
	if s1 != s2 {
		t.Errorf("stalled hosts on two ports: two templates:\n%q\n%q", s1, s2)
	}
	if got, want := s1.ForAll(), "the hosts did not answer in time; raise --timeout, or check that these hosts are reachable from here and not overloaded"; got != want {
		t.Errorf("ForAll = %q, want %q", got, want)
	}
	// Names that do not resolve, on any port: one cause, plural advice.
	n1, n2 := of(notFound("kms.invalid"), "kms.invalid"), of(notFound("kms2.invalid"), "kms2.invalid:1")
	if n1 != n2 || n1.ForAll() != "the host names do not resolve; check their spelling and your DNS" {
		t.Errorf("unresolved names:\n%q\n%q", n1, n2)
	}
	// One host alone keeps advice naming it.
	if got := Describe(refusedAt("127.0.0.1:42495", ""), status).Fix; !strings.HasPrefix(got, "nothing listens on TCP port 42495 on 127.0.0.1;") {
		t.Errorf("one host's fix = %q", got)
	}
	// A name inside a longer one is not the host: kms1 is not kms10.
	if got := replaceName("kms10.example kms1 kms1. xkms1", "kms1", "H"); got != "kms10.example H H. xkms1" {
		t.Errorf("replaceName = %q", got)
	}
	// Nor is a port inside a longer one: 127.0.0.1:1 is not 127.0.0.1:1688.
	if got := replaceName("127.0.0.1:1688 127.0.0.1:1: x", "127.0.0.1:1", "H"); got != "127.0.0.1:1688 H: x" {
		t.Errorf("replaceName = %q", got)
	}
}
