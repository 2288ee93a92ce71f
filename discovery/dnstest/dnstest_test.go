package dnstest_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"
	"go.uber.org/goleak"

	"github.com/kmsctl/kmsctl/discovery/dnstest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func ask(t *testing.T, srv *dnstest.Server, network, name string, qtype uint16, edns bool) (*dns.Msg, error) {
	t.Helper()
	q := new(dns.Msg)
	q.SetQuestion(name, qtype)
	if edns {
		q.SetEdns0(1232, false)
	}
	c := &dns.Client{Net: network, Timeout: 300 * time.Millisecond}
	m, _, err := c.Exchange(q, srv.Addr())
	return m, err
}

var zone = dnstest.Zone{Records: []string{
	"_vlmcs._tcp.corp.example. 3600 IN SRV 0 0 1688 kms1.corp.example.",
	"_vlmcs._tcp.corp.example. 3600 IN SRV 0 0 1688 alias.corp.example.",
	"kms1.corp.example. 3600 IN A 127.0.0.2",
	"kms1.corp.example. 3600 IN AAAA ::1",
	"alias.corp.example. 3600 IN CNAME kms1.corp.example.",
	"loop1.corp.example. 3600 IN CNAME loop2.corp.example.",
	"loop2.corp.example. 3600 IN CNAME loop1.corp.example.",
	`txt.corp.example. 3600 IN TXT "hello"`,
}}

func TestServer_Answers(t *testing.T) {
	srv := dnstest.Start(t, zone)
	tests := []struct {
		name    string
		qtype   uint16
		rcode   int
		answers int
		extra   int
	}{
		{"_vlmcs._tcp.corp.example.", dns.TypeSRV, dns.RcodeSuccess, 2, 2}, // kms1's A and AAAA, once
		{"KMS1.corp.example.", dns.TypeA, dns.RcodeSuccess, 1, 0},
		{"alias.corp.example.", dns.TypeA, dns.RcodeSuccess, 2, 0}, // CNAME + A
		{"txt.corp.example.", dns.TypeA, dns.RcodeSuccess, 0, 0},   // NODATA
		{"corp.example.", dns.TypeA, dns.RcodeSuccess, 0, 0},       // empty non-terminal
		{"nothing.corp.example.", dns.TypeA, dns.RcodeNameError, 0, 0},
		{"loop1.corp.example.", dns.TypeA, dns.RcodeSuccess, 2, 0}, // the loop's two CNAMEs, then it stops
	}
	for _, tt := range tests {
		for _, network := range []string{"udp", "tcp"} {
			m, err := ask(t, srv, network, tt.name, tt.qtype, true)
			if err != nil {
				t.Fatalf("%s %s: %v", network, tt.name, err)
			}
			if m.Rcode != tt.rcode || len(m.Answer) != tt.answers || len(m.Extra) != tt.extra+1 { // +1: the OPT record
				t.Errorf("%s %s: rcode %d, %d answers, %d extra; want %d, %d, %d", network, tt.name,
					m.Rcode, len(m.Answer), len(m.Extra)-1, tt.rcode, tt.answers, tt.extra)
			}
		}
	}
	if q := srv.Queries(); len(q) != 2*len(tests) || q[0].Net != "udp" || q[1].Net != "tcp" || q[0].Type != "SRV" {
		t.Errorf("queries %+v", q)
	}
}

func TestServer_Faults(t *testing.T) {
	name := "kms1.corp.example."
	for _, tt := range []struct {
		fault dnstest.Fault
		rcode int
	}{{dnstest.NXDomain, dns.RcodeNameError}, {dnstest.ServFail, dns.RcodeServerFailure}, {dnstest.Refused, dns.RcodeRefused}} {
		t.Run(tt.fault.String(), func(t *testing.T) {
			z := zone
			z.Faults = map[string]dnstest.Fault{"KMS1.corp.example": tt.fault}
			srv := dnstest.Start(t, z)
			m, err := ask(t, srv, "udp", name, dns.TypeA, false)
			if err != nil || m.Rcode != tt.rcode || len(m.Answer) != 0 {
				t.Errorf("%v: %v", m, err)
			}
			// Other names are unaffected.
			if m, err := ask(t, srv, "udp", "alias.corp.example.", dns.TypeCNAME, false); err != nil || m.Rcode != dns.RcodeSuccess {
				t.Errorf("other name: %v, %v", m, err)
			}
		})
	}
	t.Run("truncate UDP", func(t *testing.T) {
		z := zone
		z.Faults = map[string]dnstest.Fault{"": dnstest.TruncateUDP}
		srv := dnstest.Start(t, z)
		m, err := ask(t, srv, "udp", name, dns.TypeA, false)
		if err != nil || !m.Truncated || len(m.Answer) != 0 {
			t.Errorf("udp: %v, %v", m, err)
		}
		m, err = ask(t, srv, "tcp", name, dns.TypeA, false)
		if err != nil || m.Truncated || len(m.Answer) != 1 {
			t.Errorf("tcp: %v, %v", m, err)
		}
	})
	t.Run("stall", func(t *testing.T) {
		z := zone
		z.Faults = map[string]dnstest.Fault{"": dnstest.Stall}
		srv := dnstest.Start(t, z)
		for _, network := range []string{"udp", "tcp"} {
			_, err := ask(t, srv, network, name, dns.TypeA, false)
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Errorf("%s: %v, want a timeout", network, err)
			}
		}
	})
}

func TestServer_LargeAnswersTruncatedOverUDP(t *testing.T) {
	srv := dnstest.Start(t, dnstest.Zone{RRs: dnstest.SRVSet("corp.example", 1000, 0, 0, 1688, true)})
	m, err := ask(t, srv, "udp", "_vlmcs._tcp.corp.example.", dns.TypeSRV, false)
	m.Compress = true // as sent
	if err != nil || !m.Truncated || m.Len() > dns.MinMsgSize {
		t.Errorf("udp without EDNS: %d bytes, TC %v, %v", m.Len(), m.Truncated, err)
	}
	m, err = ask(t, srv, "tcp", "_vlmcs._tcp.corp.example.", dns.TypeSRV, false)
	if err != nil || len(m.Answer) != 1000 {
		t.Fatalf("tcp: %d answers, %v", len(m.Answer), err)
	}
}

// Close releases a stalled query, and leaves no goroutine or socket behind.
func TestServer_CloseReleasesEverything(t *testing.T) {
	defer goleak.VerifyNone(t)
	srv, err := dnstest.New(dnstest.Zone{Faults: map[string]dnstest.Fault{"": dnstest.Stall}})
	if err != nil {
		t.Fatal(err)
	}
	addr := srv.Addr()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	co := &dns.Conn{Conn: conn}
	q := new(dns.Msg)
	q.SetQuestion("x.example.", dns.TypeA)
	if err := co.WriteMsg(q); err != nil {
		t.Fatal(err)
	}
	uc, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer uc.Close()
	(&dns.Conn{Conn: uc}).WriteMsg(q)
	time.Sleep(50 * time.Millisecond) // let both queries reach the stalled handler
	done := make(chan struct{})
	go func() { srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	srv.Close() // twice is fine
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr); err == nil {
		t.Errorf("still listening on %s after Close", addr)
	}
}

func TestStart_BadRecord(t *testing.T) {
	if _, err := dnstest.New(dnstest.Zone{Records: []string{"not a record"}}); err == nil {
		t.Error("a malformed record was accepted")
	}
}
