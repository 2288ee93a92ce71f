package discovery_test

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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

// FuzzDiscover runs Discover and Check against a loopback server that
// answers every query, over UDP and TCP, with the fuzzer's bytes (the
// query's ID patched in; over UDP, a reply longer than discovery.UDPSize
// becomes a bare truncated header, as a real server's would, so that the
// TCP retry gets it). Both return, every failure is a *discovery.Error with
// a code, and records, addresses and attempts stay within the package's
// limits. FuzzAnswer fuzzes the same processing without the network.
func FuzzDiscover(f *testing.F) {
	for _, b := range discovery.AnswerSeeds() {
		f.Add(b)
	}
	srv := startRaw(f)
	// Every lookup asks at most MaxCNAMEHops+1 names, each over UDP and
	// then TCP; a target is looked up twice (A, AAAA).
	perLookup := 2 * (discovery.MaxCNAMEHops + 1)
	f.Fuzz(func(t *testing.T, reply []byte) {
		srv.reply.Store(&reply)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		opts := func(seed uint64) discovery.Options {
			return discovery.Options{Server: srv.addr, QueryTimeout: time.Second, Rand: rand.New(rand.NewPCG(seed, seed))}
		}

		res, err := discovery.Discover(ctx, "corp.example", opts(1))
		if err != nil {
			e := fuzzError(t, err)
			if res != nil || len(e.Tried) > perLookup {
				t.Fatalf("Discover: %v, %d attempts: %v", res, len(e.Tried), err)
			}
		} else {
			if n := len(res.Hosts); n == 0 || n > discovery.MaxRecords || res.Capped < 0 {
				t.Fatalf("Discover: %d hosts, %d capped", n, res.Capped)
			}
			if n := len(res.Attempts); n == 0 || n > perLookup*(1+2*len(res.Hosts)) {
				t.Fatalf("Discover: %d attempts for %d hosts", n, len(res.Hosts))
			}
			for _, h := range res.Hosts {
				if len(h.Addrs) > discovery.MaxAddrs || len(h.Addrs) > 0 && h.Err != nil {
					t.Fatalf("Discover: host %+v", h)
				}
				if len(h.Addrs) == 0 {
					fuzzError(t, h.Err)
				}
			}
		}

		rep, err := discovery.Check(ctx, "corp.example", opts(2), func(ctx context.Context, addr string) (string, error) {
			return "", errors.New("not probed")
		})
		if rep == nil {
			t.Fatalf("Check: no report: %v", err)
		}
		if err != nil {
			fuzzError(t, err)
			if len(rep.Records) != 0 {
				t.Fatalf("Check: %d records with %v", len(rep.Records), err)
			}
			return
		}
		if n := len(rep.Records); n == 0 || n > discovery.MaxRecords || rep.Capped < 0 {
			t.Fatalf("Check: %d records, %d capped", n, rep.Capped)
		}
		if n := len(rep.Attempts); n == 0 || n > perLookup*(1+2*len(rep.Records)) {
			t.Fatalf("Check: %d attempts for %d records", n, len(rep.Records))
		}
		for _, r := range rep.Records {
			if len(r.Addrs) > discovery.MaxAddrs || len(r.Probes) != len(r.Addrs) || !r.Dead || r.ZoneLine == "" {
				t.Fatalf("Check: record %+v", r)
			}
			if len(r.Addrs) == 0 {
				fuzzError(t, r.ResolveErr)
			}
		}
	})
}

// fuzzError checks that err is a *discovery.Error with a code.
func fuzzError(t *testing.T, err error) *discovery.Error {
	t.Helper()
	var e *discovery.Error
	if !errors.As(err, &e) || e.Code() == 0 {
		t.Fatalf("error %v (%T) is not a *discovery.Error with a code", err, err)
	}
	return e
}

// rawServer answers every DNS query on 127.0.0.1, over UDP and TCP on one
// port, with the bytes in reply.
type rawServer struct {
	addr  string
	reply atomic.Pointer[[]byte]
	pc    net.PacketConn
	ln    net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns map[net.Conn]bool
}

func startRaw(f *testing.F) *rawServer {
	s := &rawServer{conns: map[net.Conn]bool{}}
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			f.Fatal(err)
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			s.pc, s.ln = pc, ln
			break
		}
		pc.Close()
	}
	if s.pc == nil {
		f.Fatal("no loopback port free for both UDP and TCP")
	}
	s.addr = s.pc.LocalAddr().String()
	s.wg.Go(s.serveUDP)
	s.wg.Go(s.serveTCP)
	f.Cleanup(func() {
		s.pc.Close()
		s.ln.Close()
		s.mu.Lock()
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s
}

// answer is the reply to query q, at most max bytes long.
func (s *rawServer) answer(q []byte, max int) []byte {
	var b []byte
	if p := s.reply.Load(); p != nil {
		b = append(b, (*p)...)
	}
	if len(b) > max {
		b = b[:max]
	}
	if len(b) >= 2 && len(q) >= 2 {
		copy(b, q[:2])
	}
	return b
}

func (s *rawServer) serveUDP() {
	buf := make([]byte, 65535)
	for {
		n, from, err := s.pc.ReadFrom(buf)
		if err != nil {
			return
		}
		b := s.answer(buf[:n], 65535)
		if len(b) > discovery.UDPSize && n >= 12 {
			// A header alone: the query's ID, QR and TC set, no records.
			b = append(buf[:2:2], 0x82, 0, 0, 0, 0, 0, 0, 0, 0, 0)
		}
		s.pc.WriteTo(b, from)
	}
}

func (s *rawServer) serveTCP() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns[c] = true
		s.mu.Unlock()
		s.wg.Go(func() {
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				c.Close()
			}()
			for {
				var n [2]byte
				if _, err := io.ReadFull(c, n[:]); err != nil {
					return
				}
				q := make([]byte, binary.BigEndian.Uint16(n[:]))
				if _, err := io.ReadFull(c, q); err != nil {
					return
				}
				b := s.answer(q, 65535)
				if _, err := c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(b))), b...)); err != nil {
					return
				}
			}
		})
	}
}
