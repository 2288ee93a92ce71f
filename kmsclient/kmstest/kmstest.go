// Package kmstest runs an in-process KMS host on loopback for tests. It
// speaks DCE/RPC with NDR32 and NDR64 and KMS versions 4, 5 and 6, counts
// distinct client machine IDs per KMS counted ID on an injected clock, and
// can misbehave in every way a broken or hostile host might. kmsctl ships
// no KMS host: only tests import this package.
package kmstest

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/kmsctl/kmsctl/clock"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/internal/testport"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/kmsclient/internal/hostside"
	"github.com/kmsctl/kmsctl/kmsclient/internal/kmscrypto"
)

// Defaults, the values of the captured vlmcsd host.
const (
	DefaultEPID               = "03612-00206-556-123727-03-1033-17763.0000-2972018"
	DefaultActivationInterval = kmsclient.DefaultActivationIntervalMinutes
	DefaultRenewalInterval    = kmsclient.DefaultRenewalIntervalMinutes
	// CMIDLifetime is how long a host remembers a client that stopped renewing.
	CMIDLifetime = kmsclient.CountWindow
)

// DefaultHWID is vlmcsd's default hardware ID.
var DefaultHWID = [8]byte{0x3a, 0x1c, 0x04, 0x96, 0x00, 0xb6, 0x00, 0x76}

// Misbehaviour selects a fault the host injects.
type Misbehaviour int

// Misbehaviours.
const (
	Honest             Misbehaviour = iota
	Refuse                          // nothing listens: connections are refused
	Stall                           // accept, then read and never answer anything, DCE/RPC or not
	StallRequest                    // answer the bind, never the request
	CloseMidReply                   // send half of the response PDU, then close
	TruncatedPDU                    // a response whose stub is cut short (consistent frag_length)
	FragLengthTooLarge              // a response header that declares more bytes than are sent
	BadIntegrity                    // corrupt the V4 hash, the V5 SHA-256 or the V6 HMAC
	BadPadding                      // V5/V6: corrupt the PKCS#7 padding
	WrongCMID                       // echo another CMID (integrity values recomputed)
	WrongTime                       // echo another time (integrity values recomputed)
	GarbledEPID                     // an ePID with a control character (integrity values recomputed)
	RPCFault                        // answer the request with a fault PDU (Options.FaultStatus)
	BindNak                         // answer the bind with bind_nak (Options.NakReason)
	RejectAll                       // reject every presentation context
	HRESULTReply                    // answer with a NULL body and Options.HRESULT
	Garbage                         // answer the bind with random bytes
	WrongCallID                     // answer the request with another call_id
	WrongPType                      // answer the request with a bind_ack
	Fragmented                      // send the response in two fragments (honest)
	BadVersionEcho                  // reply in another version (integrity valid)
	NullSuccess                     // a NULL response pointer with return value 0 (S_OK)
	BodyAndHRESULT                  // a valid response body, then Options.HRESULT as the return value
)

// Options configure a host. The zero value is an honest, NDR64-capable
// Windows-like host on the real clock.
type Options struct {
	Clock       clock.Clock
	EPID        string            // default DefaultEPID
	EPIDByKMSID map[string]string // per KMS counted ID (text form), overrides EPID
	HWID        *[8]byte          // default DefaultHWID
	Activation  uint32            // minutes, default 120
	Renewal     uint32            // minutes, default 10080
	// FixedCount, when non-zero, is reported instead of the tracked count
	// (as emulators do).
	FixedCount uint32
	// Count, when not nil, is reported instead of the tracked count, 0
	// included (an emulator that counts nobody, or any value at all).
	Count *uint32
	// NDR32Only makes the host reject NDR64 like py-kms and 2008-era Windows.
	NDR32Only bool
	// OnePerConnection closes the connection after each response, like py-kms.
	OnePerConnection bool
	Misbehave        Misbehaviour
	FaultStatus      uint32 // for RPCFault; default hresult.FaultUnknownInterface (nca_s_unk_if)
	NakReason        uint16 // for BindNak; default 4 (protocol version not supported)
	HRESULT          uint32 // for HRESULTReply and BodyAndHRESULT; default hresult.KMSIDMismatch
	// NullSize is the *responseSize a NULL-pointer reply carries (an
	// HRESULTReply, or a refused request). vlmcsd writes 0; NDR gives the
	// field no meaning then, and a Windows host may leave the size of the
	// answer it did not send there (e.g. 260).
	NullSize uint32
}

// Call is one PDU a client sent: its connection (0-based, in accept
// order), packet type and call_id.
type Call struct {
	Conn   int
	Type   uint8
	CallID uint32
}

// Host is a running test KMS host.
type Host struct {
	opts Options
	clk  clock.Clock
	ln   net.Listener
	addr string
	// release frees a Refuse host's port (testport.Refusing).
	release func()
	wg      sync.WaitGroup
	mu      sync.Mutex
	conns   map[net.Conn]struct{}
	seen    map[guid.GUID]map[guid.GUID]time.Time // KMS ID → CMID → last contact
	cap     map[guid.GUID]uint32                  // KMS ID → largest required count seen
	reqs    []kmsclient.Request
	calls   []Call
	nconn   int
	// received is the bytes a Stall host has read (Received).
	received int64
	done     bool
}

// TB is the part of testing.TB the host needs.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// Start runs a host on 127.0.0.1:0 and stops it when the test ends.
func Start(t TB, opts Options) *Host {
	t.Helper()
	h, err := New(opts)
	if err != nil {
		t.Fatalf("kmstest: %v", err)
	}
	t.Cleanup(h.Close)
	return h
}

// New runs a host on 127.0.0.1:0; the caller must Close it.
func New(opts Options) (*Host, error) {
	h := &Host{opts: opts, clk: clock.Or(opts.Clock), conns: map[net.Conn]struct{}{},
		seen: map[guid.GUID]map[guid.GUID]time.Time{}, cap: map[guid.GUID]uint32{}}
	if h.opts.EPID == "" {
		h.opts.EPID = DefaultEPID
	}
	if h.opts.HWID == nil {
		hw := DefaultHWID
		h.opts.HWID = &hw
	}
	if h.opts.Activation == 0 {
		h.opts.Activation = DefaultActivationInterval
	}
	if h.opts.Renewal == 0 {
		h.opts.Renewal = DefaultRenewalInterval
	}
	if h.opts.FaultStatus == 0 {
		h.opts.FaultStatus = uint32(hresult.FaultUnknownInterface)
	}
	if h.opts.NakReason == 0 {
		h.opts.NakReason = 4
	}
	if h.opts.HRESULT == 0 {
		h.opts.HRESULT = uint32(hresult.KMSIDMismatch)
	}
	if opts.Misbehave == Refuse {
		addr, release, err := testport.Refusing()
		if err != nil {
			return nil, err
		}
		h.addr, h.release, h.done = addr, release, true
		return h, nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	h.ln, h.addr = ln, ln.Addr().String()
	h.wg.Add(1)
	go h.accept()
	return h, nil
}

// Addr is the host's address, 127.0.0.1:PORT.
func (h *Host) Addr() string { return h.addr }

// Port is the host's TCP port.
func (h *Host) Port() string {
	_, p, _ := net.SplitHostPort(h.addr)
	return p
}

// Close stops the host, closes every connection and waits for its goroutines.
func (h *Host) Close() {
	h.mu.Lock()
	if !h.done {
		h.done = true
		h.ln.Close()
	}
	if h.release != nil {
		h.release()
		h.release = nil
	}
	for c := range h.conns {
		c.Close()
	}
	h.mu.Unlock()
	h.wg.Wait()
}

// Requests returns every KMS request the host decoded, in order.
func (h *Host) Requests() []kmsclient.Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]kmsclient.Request(nil), h.reqs...)
}

// Calls returns every bind, alter_context and request PDU clients sent, in order.
func (h *Host) Calls() []Call {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Call(nil), h.calls...)
}

// Connections returns how many TCP connections the host accepted.
func (h *Host) Connections() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.nconn
}

// Received is how many bytes a Stall host has read from its clients: a
// client that has sent something has finished connecting (its dial
// returned), which its accept alone does not show.
func (h *Host) Received() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.received
}

// Count returns the current count for a KMS counted ID, as a request now would see it.
func (h *Host) Count(kmsID guid.GUID) uint32 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.countLocked(kmsID, h.clk.Now())
}

// AddClients makes the host remember n more distinct clients for a KMS
// counted ID, each seen now (new random CMIDs), as if n other machines had
// just asked: the count a real host with that fleet would report.
func (h *Host) AddClients(kmsID guid.GUID, n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.seen[kmsID] == nil {
		h.seen[kmsID] = map[guid.GUID]time.Time{}
	}
	now := h.clk.Now()
	for i := 0; i < n; i++ {
		var g guid.GUID
		rand.Read(g[:])
		h.seen[kmsID][g] = now
	}
}

// CMIDs returns how many distinct clients the host remembers for a KMS counted ID.
func (h *Host) CMIDs(kmsID guid.GUID) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.expireLocked(kmsID, h.clk.Now())
	return len(h.seen[kmsID])
}

func (h *Host) expireLocked(kmsID guid.GUID, now time.Time) {
	for c, last := range h.seen[kmsID] {
		if now.Sub(last) >= CMIDLifetime {
			delete(h.seen[kmsID], c)
		}
	}
}

// countLocked is the number of distinct CMIDs seen in the last 30 days,
// capped at twice the largest required count seen, as Windows hosts cache.
func (h *Host) countLocked(kmsID guid.GUID, now time.Time) uint32 {
	if h.opts.Count != nil {
		return *h.opts.Count
	}
	if h.opts.FixedCount != 0 {
		return h.opts.FixedCount
	}
	h.expireLocked(kmsID, now)
	n := uint32(len(h.seen[kmsID]))
	if c := 2 * h.cap[kmsID]; c > 0 && n > c {
		n = c
	}
	return n
}

func (h *Host) record(r *kmsclient.Request) uint32 {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.clk.Now()
	h.reqs = append(h.reqs, *r)
	if h.seen[r.KMSCountedID] == nil {
		h.seen[r.KMSCountedID] = map[guid.GUID]time.Time{}
	}
	h.seen[r.KMSCountedID][r.CMID] = now
	if r.RequiredCount > h.cap[r.KMSCountedID] {
		h.cap[r.KMSCountedID] = r.RequiredCount
	}
	return h.countLocked(r.KMSCountedID, now)
}

func (h *Host) accept() {
	defer h.wg.Done()
	for {
		c, err := h.ln.Accept()
		if err != nil {
			return
		}
		h.mu.Lock()
		if h.done {
			h.mu.Unlock()
			c.Close()
			return
		}
		h.conns[c] = struct{}{}
		conn := h.nconn
		h.nconn++
		h.wg.Add(1)
		h.mu.Unlock()
		go func() {
			defer h.wg.Done()
			defer func() {
				h.mu.Lock()
				delete(h.conns, c)
				h.mu.Unlock()
				c.Close()
			}()
			h.serve(c, conn)
		}()
	}
}

// session is one connection's state: the accepted contexts.
type session struct {
	ctx map[uint16]bool // context id → NDR64
}

func (h *Host) serve(c net.Conn, conn int) {
	s := &session{ctx: map[uint16]bool{}}
	if h.opts.Misbehave == Stall {
		// Whatever the client sends (DCE/RPC, or another protocol's
		// request: a WinRM client pointed here), until it or Close hangs up.
		buf := make([]byte, 4096)
		for {
			n, err := c.Read(buf)
			if n > 0 {
				h.mu.Lock()
				h.received += int64(n)
				h.mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}
	buf := make([]byte, kmsclient.MaxPDU)
	for {
		if _, err := io.ReadFull(c, buf[:kmsclient.HeaderLen]); err != nil {
			return
		}
		hd, err := kmsclient.ParseHeader(buf[:kmsclient.HeaderLen])
		if err != nil {
			return
		}
		if _, err := io.ReadFull(c, buf[kmsclient.HeaderLen:hd.FragLength]); err != nil {
			return
		}
		pdu := buf[:hd.FragLength]
		h.mu.Lock()
		h.calls = append(h.calls, Call{Conn: conn, Type: hd.Type, CallID: hd.CallID})
		h.mu.Unlock()
		var out []byte
		closeAfter := false
		switch hd.Type {
		case kmsclient.PTypeBind, kmsclient.PTypeAlterContext:
			out = h.bind(s, hd, pdu)
		case kmsclient.PTypeRequest:
			if h.opts.Misbehave == StallRequest {
				io.Copy(io.Discard, c)
				return
			}
			out, closeAfter = h.request(s, hd, pdu)
			closeAfter = closeAfter || h.opts.OnePerConnection
		default:
			return // as vlmcsd does with any other PDU type
		}
		if out == nil {
			return
		}
		if _, err := c.Write(out); err != nil {
			return
		}
		if closeAfter {
			return
		}
		if h.opts.Misbehave == FragLengthTooLarge && hd.Type == kmsclient.PTypeRequest {
			io.Copy(io.Discard, c)
			return
		}
	}
}

func (h *Host) bind(s *session, hd kmsclient.Header, pdu []byte) []byte {
	switch h.opts.Misbehave {
	case BindNak:
		return hostside.AppendBindNak(nil, hd.CallID, h.opts.NakReason)
	case Garbage:
		g := make([]byte, 64)
		rand.Read(g)
		return g
	}
	b, err := hostside.ParseBind(pdu)
	if err != nil {
		return nil
	}
	ndr64Offered := false
	for _, it := range b.Items {
		if it.Abstract.UUID == kmsclient.KMSInterface && it.Transfer.UUID == kmsclient.NDR64 {
			ndr64Offered = true
		}
	}
	useNDR64 := ndr64Offered && !h.opts.NDR32Only
	ack := kmsclient.BindAck{MaxXmit: b.MaxXmit, MaxRecv: b.MaxRecv, AssocGroup: 0x1063bf3f}
	flags := hd.Flags
	if hd.Type == kmsclient.PTypeBind {
		ack.SecAddr = h.Port()
	} else {
		flags = kmsclient.FlagsSingleFrag
	}
	for _, it := range b.Items {
		r := kmsclient.BindResult{Result: kmsclient.ResultProviderReject, Reason: 2}
		feat, btfn := kmsclient.IsBTFN(it.Transfer.UUID)
		switch {
		case it.Abstract.UUID != kmsclient.KMSInterface || it.Abstract.Version != 1:
			r.Reason = 1
		case h.opts.Misbehave == RejectAll:
		case btfn:
			r = kmsclient.BindResult{Result: kmsclient.ResultNegotiateAck, Reason: feat & 3}
		case it.Transfer.UUID == kmsclient.NDR64 && it.Transfer.Version == 1 && useNDR64:
			r = kmsclient.BindResult{Result: kmsclient.ResultAcceptance, Transfer: it.Transfer}
			s.ctx[it.ID] = true
		case it.Transfer.UUID == kmsclient.NDR32 && it.Transfer.Version == 2 && !useNDR64:
			r = kmsclient.BindResult{Result: kmsclient.ResultAcceptance, Transfer: it.Transfer}
			s.ctx[it.ID] = false
		}
		ack.Results = append(ack.Results, r)
	}
	pt := kmsclient.PTypeBindAck
	if hd.Type == kmsclient.PTypeAlterContext {
		pt = kmsclient.PTypeAlterResponse
	}
	return hostside.AppendBindAck(nil, pt, flags, hd.CallID, &ack)
}

// request answers one request PDU; closeAfter asks the caller to hang up.
func (h *Host) request(s *session, hd kmsclient.Header, pdu []byte) (out []byte, closeAfter bool) {
	call, err := kmsclient.ParseCall(pdu, hd)
	if err != nil {
		return nil, true
	}
	ndr64, ok := s.ctx[call.ContextID]
	if !ok {
		return hostside.AppendFault(nil, hd.CallID, call.ContextID, uint32(hresult.FaultUnknownInterface)), false
	}
	if h.opts.Misbehave == RPCFault {
		return hostside.AppendFault(nil, hd.CallID, call.ContextID, h.opts.FaultStatus), false
	}
	callID := hd.CallID
	if h.opts.Misbehave == WrongCallID {
		callID += 7
	}
	if h.opts.Misbehave == WrongPType {
		return hostside.AppendBindAck(nil, kmsclient.PTypeBindAck, kmsclient.FlagsSingleFrag, hd.CallID,
			&kmsclient.BindAck{MaxXmit: 5840, MaxRecv: 5840, Results: []kmsclient.BindResult{{}}}), false
	}
	var stub []byte
	body, err := hostside.ParseRequestStub(call.Stub, ndr64)
	if err == nil {
		var resp []byte
		resp, err = h.answer(body)
		if err == nil {
			hr := uint32(0)
			if h.opts.Misbehave == BodyAndHRESULT {
				hr = h.opts.HRESULT
			}
			stub = hostside.AppendResponseStub(nil, ndr64, resp, hr)
		}
	}
	if err == nil && h.opts.Misbehave == NullSuccess {
		stub = hostside.AppendResponseStub(nil, ndr64, nil, 0)
		binary.LittleEndian.PutUint32(stub, h.opts.NullSize)
	}
	if err != nil || h.opts.Misbehave == HRESULTReply {
		hr := uint32(hresult.InvalidData)
		if err == nil {
			hr = h.opts.HRESULT
		}
		stub = hostside.AppendResponseStub(nil, ndr64, nil, hr)
		binary.LittleEndian.PutUint32(stub, h.opts.NullSize)
	}
	switch h.opts.Misbehave {
	case TruncatedPDU:
		stub = stub[:len(stub)/2]
	case Fragmented:
		half := len(stub) / 2
		out = hostside.AppendResponse(nil, kmsclient.FlagFirstFrag, callID, call.ContextID, uint32(len(stub)), stub[:half])
		return hostside.AppendResponse(out, kmsclient.FlagLastFrag, callID, call.ContextID, uint32(len(stub)-half), stub[half:]), false
	}
	out = hostside.AppendResponse(nil, kmsclient.FlagsSingleFrag, callID, call.ContextID, uint32(len(stub)), stub)
	switch h.opts.Misbehave {
	case CloseMidReply:
		return out[:len(out)/2], true
	case FragLengthTooLarge:
		binary.LittleEndian.PutUint16(out[8:], uint16(len(out)+100))
	}
	return out, false
}

// answer decodes a KMS request and builds the reply.
func (h *Host) answer(body []byte) ([]byte, error) {
	req, sent, err := hostside.DecodeRequest(body)
	if err != nil {
		return nil, err
	}
	if req.Minor != 0 || req.Version < 4 || req.Version > 6 {
		return nil, fmt.Errorf("version %d.%d", req.Version, req.Minor)
	}
	if req.RequiredCount > 1000 {
		return nil, errors.New("required count above 1000")
	}
	count := h.record(&req)
	epid := h.opts.EPID
	if e, ok := h.opts.EPIDByKMSID[req.KMSCountedID.String()]; ok {
		epid = e
	}
	resp := kmsclient.Response{Version: req.Version, Minor: req.Minor, EPID: epid, CMID: req.CMID, Time: req.Time,
		Count: count, ActivationInterval: h.opts.Activation, RenewalInterval: h.opts.Renewal, HWID: *h.opts.HWID}
	switch h.opts.Misbehave {
	case WrongCMID:
		resp.CMID[0] ^= 0xff
	case WrongTime:
		resp.Time += 10_000_000
	case GarbledEPID:
		resp.EPID = epid[:10] + "\x07" + epid[11:]
	case BadVersionEcho:
		// A reply in another version than asked, valid in itself.
		if resp.Version == kmsclient.V6 {
			resp.Version = kmsclient.V5
		} else {
			resp.Version = kmsclient.V6
		}
		sent.Version = resp.Version
		sent.DIV = kmscrypto.DecryptBlock(kmscrypto.Block(resp.Version), &sent.IV)
	}
	var salts kmsclient.Salts
	rand.Read(salts.R[:])
	rand.Read(salts.RIV[:])
	out, err := hostside.EncodeResponse(nil, &resp, &sent, &salts)
	if err != nil {
		return nil, err
	}
	switch h.opts.Misbehave {
	case BadIntegrity:
		out = corruptIntegrity(out, &resp, &sent)
	case BadPadding:
		out = corruptPadding(out, &sent, resp.Version)
	}
	return out, nil
}

// corruptIntegrity flips one bit of the version's integrity value and
// re-encrypts, so that only that check can catch it.
func corruptIntegrity(out []byte, resp *kmsclient.Response, sent *kmsclient.Sent) []byte {
	if resp.Version == kmsclient.V4 {
		out[len(out)-1] ^= 1
		return out
	}
	blk := kmscrypto.Block(resp.Version)
	var riv [16]byte
	copy(riv[:], out[4:20])
	inner, err := kmscrypto.DecryptCBC(nil, blk, &riv, out[20:])
	if err != nil {
		return out
	}
	// V5: the SHA-256 of R sits 32 bytes from the end; V6: the HMAC is last.
	if resp.Version == kmsclient.V5 {
		inner[len(inner)-32] ^= 1
	} else {
		inner[len(inner)-1] ^= 1
	}
	return kmscrypto.EncryptCBC(out[:20], blk, &riv, inner)
}

func corruptPadding(out []byte, sent *kmsclient.Sent, version int) []byte {
	if version == kmsclient.V4 {
		return out
	}
	blk := kmscrypto.Block(version)
	var riv [16]byte
	copy(riv[:], out[4:20])
	ct := out[20:]
	// Decrypt the last block raw, damage its last (padding) byte, re-encrypt.
	var prev [16]byte
	copy(prev[:], ct[len(ct)-32:len(ct)-16])
	last := ct[len(ct)-16:]
	var p [16]byte
	blk.Decrypt(p[:], last)
	for i := range p {
		p[i] ^= prev[i]
	}
	p[15] = 0
	for i := range p {
		p[i] ^= prev[i]
	}
	blk.Encrypt(last, p[:])
	return out
}
