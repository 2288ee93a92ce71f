package kmsclient

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/kmsctl/kmsctl/clock"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/limit"
)

// DefaultPort is the TCP port a KMS host listens on unless it is set to
// another (slmgr /sprt) and a client connects to unless told otherwise
// (docs/protocol.md §1). It is the one place kmsctl writes the number.
const DefaultPort = 1688

// Offer selects the presentation contexts offered in the bind.
type Offer int

// Offers.
const (
	// OfferWindows is what current Windows clients send: NDR32, NDR64 and
	// bind-time feature negotiation, with PFC_CONC_MPX set.
	OfferWindows Offer = iota
	// OfferNDR32 offers NDR32 alone in a plain bind, as the most minimal client does.
	OfferNDR32
	// OfferNDR64 offers NDR64 alone (useful to test hosts; old hosts reject it).
	OfferNDR64
)

// Options configure a Conn. The zero value is a Windows-like client on the
// real clock and network.
type Options struct {
	Clock clock.Clock // measures latency; nil means the real clock
	Rand  io.Reader   // request IVs; nil means crypto/rand
	// Dial opens the TCP connection; nil means a net.Dialer.
	Dial  func(ctx context.Context, network, address string) (net.Conn, error)
	Offer Offer
}

// Result is a verified answer from a KMS host.
type Result struct {
	Version            int
	EPID               string
	EPIDInfo           *EPIDInfo // nil when the ePID is not in Windows' format
	HWID               *[8]byte  // V6 only
	Count              uint32
	RequiredCount      uint32 // what the request asked for
	ActivationInterval uint32 // minutes
	RenewalInterval    uint32 // minutes
	Latency            time.Duration
	NDR64              bool
	Warnings           []string
}

// Conn is one association with a KMS host. It is not safe for concurrent
// use: KMS is strictly request/response.
type Conn struct {
	addr string
	opts Options
	clk  clock.Clock
	nc   net.Conn
	// callID is the call_id of the next PDU. A bind does not use one up:
	// Windows clients and vlmcs send the bind and the first request of a
	// connection with the same call_id (2 on the first connection) and
	// count up from there (docs/protocol.md §2.2; kmsclient/testdata/vectors/multi3_one_connection.json).
	callID     uint32
	ctxID      uint16
	ndr64      bool
	maxXmit    uint16 // the largest PDU the host accepts
	served     int    // requests answered on the current TCP connection
	reconnects int
	wbuf       []byte
	rbuf       *[MaxPDU]byte // from readBufs while open; nil after Close
	stub       []byte
}

// readBufs holds PDU read buffers between connections: a probe that dials,
// asks and closes (the exporter's, thousands a second) would otherwise
// allocate and clear MaxPDU bytes each time.
var readBufs = sync.Pool{New: func() any { return new([MaxPDU]byte) }}

// Dial connects to a KMS host at addr (host:port) and binds to the KMS interface.
func Dial(ctx context.Context, addr string, opts Options) (*Conn, error) {
	c := &Conn{addr: addr, opts: opts, clk: clock.Or(opts.Clock)}
	if err := c.connect(ctx); err != nil {
		return nil, c.finish(ctx, err)
	}
	return c, nil
}

// finish records in an *Error the host's address and, for a timeout,
// which time limit of ctx ran out (limit.Cause), when ctx says.
func (c *Conn) finish(ctx context.Context, err error) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	if e.Addr == "" {
		e.Addr = c.addr
	}
	var te *timeoutError
	if e.Kind == KindTimeout && errors.As(e.Err, &te) && te.limit == nil {
		if l := limit.Of(limit.Cause(ctx)); l != nil {
			te.limit = l
		}
	}
	return err
}

// RemoteAddr returns the host's resolved address, or "" when not connected.
func (c *Conn) RemoteAddr() string {
	if c.nc == nil {
		return ""
	}
	return c.nc.RemoteAddr().String()
}

// Close closes the connection.
func (c *Conn) Close() error {
	if c.nc == nil {
		return nil
	}
	err := c.nc.Close()
	c.nc = nil
	if c.rbuf != nil {
		readBufs.Put(c.rbuf) // no PDU outlives the read it was returned by
		c.rbuf = nil
	}
	return err
}

// guard applies ctx's deadline to the socket and interrupts blocked I/O
// when ctx is cancelled; the returned stop must be called before returning.
func (c *Conn) guard(ctx context.Context) func() {
	nc := c.nc
	if d, ok := ctx.Deadline(); ok {
		nc.SetDeadline(d)
	} else {
		nc.SetDeadline(time.Time{})
	}
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Unix(1, 0)) })
	return func() { stop() }
}

// requestCallID returns the call_id for a request and moves on: the
// first request after a bind shares the bind's call_id, later ones count
// up, and a bind after a reconnect takes the next unused one, as vlmcs does.
func (c *Conn) requestCallID() uint32 {
	id := c.callID
	c.callID++
	return id
}

// connect dials and binds.
func (c *Conn) connect(ctx context.Context) error {
	dial := c.opts.Dial
	if dial == nil {
		var d net.Dialer
		dial = d.DialContext
	}
	nc, err := dial(ctx, "tcp", c.addr)
	if err != nil {
		return netError("connect to "+c.addr, err)
	}
	c.nc, c.served = nc, 0
	if c.callID == 0 {
		c.callID = 2 // Windows clients start at 2
	}
	if err := c.bind(ctx); err != nil {
		c.Close()
		return err
	}
	return nil
}

func (c *Conn) offer() (*Bind, uint8) {
	b := &Bind{MaxXmit: defaultMaxFrag, MaxRecv: defaultMaxFrag}
	switch c.opts.Offer {
	case OfferNDR32:
		b.Items = []ContextItem{{0, kmsAbstract, syntaxNDR32}}
		return b, FlagsSingleFrag
	case OfferNDR64:
		b.Items = []ContextItem{{0, kmsAbstract, syntaxNDR64}}
		return b, FlagsSingleFrag
	}
	b.Items = []ContextItem{{0, kmsAbstract, syntaxNDR32}, {1, kmsAbstract, syntaxNDR64}, {2, kmsAbstract, syntaxBTFN}}
	return b, FlagsSingleFrag | FlagConcMPX
}

// bind runs the bind of a new connection (docs/protocol.md §2.3-2.5) in
// three steps: write the bind, read the host's answer, choose the context.
func (c *Conn) bind(ctx context.Context) error {
	defer c.guard(ctx)()
	offer, flags := c.offer()
	callID := c.callID
	c.wbuf = AppendBind(c.wbuf[:0], PTypeBind, flags, callID, offer)
	if _, err := c.nc.Write(c.wbuf); err != nil {
		return netError("bind", err)
	}
	ack, err := c.readBindAck(callID)
	if err != nil {
		return err
	}
	return c.chooseContext(offer, ack)
}

// readBindAck reads the answer to the bind with call_id callID and
// returns it as a bind_ack; a bind_nak becomes ErrBindRejected.
func (c *Conn) readBindAck(callID uint32) (BindAck, error) {
	h, pdu, err := c.readPDU()
	if err != nil {
		return BindAck{}, c.readError("bind", err)
	}
	if h.CallID != callID {
		return BindAck{}, protoErr("bind", "bind_ack has call_id %d, bind had %d", h.CallID, callID)
	}
	switch h.Type {
	case PTypeBindAck:
	case PTypeBindNak:
		return BindAck{}, bindNakError(pdu)
	default:
		return BindAck{}, protoErr("bind", "expected bind_ack (0x0c), got %s", PTypeName(h.Type))
	}
	if h.Flags&FlagsSingleFrag != FlagsSingleFrag {
		return BindAck{}, protoErr("bind", "bind_ack is not a single fragment (flags 0x%02x)", h.Flags)
	}
	ack, err := ParseBindAck(pdu)
	if err != nil {
		return BindAck{}, &Error{Code: hresult.CallFailed, Kind: KindProtocol, Op: "bind", Err: err}
	}
	return ack, nil
}

// bindNakError maps a bind_nak PDU to the failure it means: the host does
// not serve KMS (docs/protocol.md §2.5).
func bindNakError(pdu []byte) *Error {
	nak, err := ParseBindNak(pdu)
	if err != nil {
		return &Error{Code: hresult.CallFailed, Kind: KindProtocol, Op: "bind", Err: err}
	}
	return &Error{Code: hresult.NotKMSHost, Kind: KindBind, Op: "bind",
		Err: fmt.Errorf("%w: host sent bind_nak: %s", ErrBindRejected, BindNakReason(nak.Reason))}
}

// chooseContext checks the bind_ack's results against the offer and
// settles the association's context: NDR64 when accepted, else NDR32
// (docs/protocol.md §2.4).
func (c *Conn) chooseContext(offer *Bind, ack BindAck) error {
	if len(ack.Results) != len(offer.Items) {
		return protoErr("bind", "bind_ack has %d results for %d offered contexts", len(ack.Results), len(offer.Items))
	}
	var ndr32ID, ndr64ID = -1, -1
	var rejects []string
	for i, r := range ack.Results {
		it := offer.Items[i]
		_, btfn := IsBTFN(it.Transfer.UUID)
		name := "NDR32"
		switch {
		case btfn:
			name = "BTFN"
		case it.Transfer.UUID == NDR64:
			name = "NDR64"
		}
		switch r.Result {
		case ResultAcceptance:
			if btfn {
				return protoErr("bind", "host accepted bind-time feature negotiation as a transfer syntax")
			}
			if r.Transfer != it.Transfer {
				return protoErr("bind", "host accepted %s with syntax %s v%d, which was not offered", name, r.Transfer.UUID, r.Transfer.Version)
			}
			if name == "NDR64" {
				ndr64ID = int(it.ID)
			} else {
				ndr32ID = int(it.ID)
			}
		case ResultNegotiateAck:
			if !btfn {
				return protoErr("bind", "negotiate_ack for %s, which is not feature negotiation", name)
			}
		case ResultUserReject, ResultProviderReject:
			if !btfn {
				rejects = append(rejects, name+": "+BindRejectReason(r.Reason))
			}
		default:
			return protoErr("bind", "result %d for %s", r.Result, name)
		}
	}
	switch {
	case ndr64ID >= 0:
		c.ctxID, c.ndr64 = uint16(ndr64ID), true
	case ndr32ID >= 0:
		c.ctxID, c.ndr64 = uint16(ndr32ID), false
	default:
		return &Error{Code: hresult.NotKMSHost, Kind: KindBind, Op: "bind",
			Err: fmt.Errorf("%w: no transfer syntax accepted (%s)", ErrBindRejected, strings.Join(rejects, "; "))}
	}
	c.maxXmit = ack.MaxRecv
	return nil
}

// errEOF marks a read that ended before a whole PDU arrived.
var errEOF = errors.New("connection closed by the host")

// readPDU reads exactly one PDU: 16 header bytes, then frag_length - 16.
// The returned PDU aliases c.rbuf and is valid until the next read (and
// Close).
func (c *Conn) readPDU() (Header, []byte, error) {
	if c.rbuf == nil {
		c.rbuf = readBufs.Get().(*[MaxPDU]byte)
	}
	if n, err := io.ReadFull(c.nc, c.rbuf[:HeaderLen]); err != nil {
		if n > 0 && (c.rbuf[0] != 5 || n > 1 && c.rbuf[1] != 0) {
			// A few bytes that are not DCE/RPC, then nothing: say what
			// answered (a TLS alert is 7 bytes).
			return Header{}, nil, fmt.Errorf("rpc header: %s: %w", answeredWith(c.rbuf[:n]), errNotDCERPC)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return Header{}, nil, &partialRead{gone: true, err: fmt.Errorf("%w before a full RPC header", errEOF)}
		}
		return Header{}, nil, &partialRead{gone: isConnGone(err), err: err}
	}
	h, err := ParseHeader(c.rbuf[:HeaderLen])
	if err != nil {
		return Header{}, nil, err
	}
	if _, err := io.ReadFull(c.nc, c.rbuf[HeaderLen:h.FragLength]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("%w in the middle of a %d-byte %s", errEOF, h.FragLength, PTypeName(h.Type))
		}
		return Header{}, nil, &partialRead{err: err, midPDU: true}
	}
	return h, c.rbuf[:h.FragLength], nil
}

// partialRead is an I/O failure while reading a PDU.
type partialRead struct {
	err    error
	gone   bool // the host closed before sending anything of the reply
	midPDU bool
}

func (p *partialRead) Error() string { return p.err.Error() }
func (p *partialRead) Unwrap() error { return p.err }

// readError turns a readPDU failure into an *Error.
func (c *Conn) readError(op string, err error) *Error {
	var pr *partialRead
	if errors.As(err, &pr) {
		e := netError(op, pr.err)
		if e.Kind == KindNetwork {
			// The host was reached but broke the exchange off.
			e.Code = hresult.CallFailed
		}
		return e
	}
	return &Error{Code: hresult.CallFailed, Kind: KindProtocol, Op: op, Err: err}
}

func protoErr(op, format string, args ...any) *Error {
	return &Error{Code: hresult.CallFailed, Kind: KindProtocol, Op: op, Err: fmt.Errorf(format, args...)}
}

// maxFragments bounds reassembly of a fragmented response.
const maxFragments = 16

// Activate sends one KMS request and returns the verified answer. If the
// host closed the connection after its previous answer (some hosts serve
// one request per connection), Activate reconnects and sends it once more.
func (c *Conn) Activate(ctx context.Context, req *Request) (*Result, error) {
	res, err := c.activate(ctx, req)
	if err != nil {
		return nil, c.finish(ctx, err)
	}
	return res, nil
}

func (c *Conn) activate(ctx context.Context, req *Request) (*Result, error) {
	rnd := c.opts.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	var iv [16]byte
	if req.Version != V4 {
		if _, err := io.ReadFull(rnd, iv[:]); err != nil {
			return nil, &Error{Code: hresult.InvalidArg, Kind: KindRequest, Op: "build request", Err: err}
		}
	}
	payload, sent, err := EncodeRequest(make([]byte, 0, RequestLenV5V6), req, iv)
	if err != nil {
		return nil, &Error{Code: hresult.InvalidArg, Kind: KindRequest, Op: "build request", Err: err}
	}
	for attempt := 0; ; attempt++ {
		if c.nc == nil {
			if err := c.connect(ctx); err != nil {
				return nil, err
			}
		}
		reused := c.served > 0
		res, err := c.exchange(ctx, payload, &sent)
		if err == nil {
			c.served++
			res.RequiredCount = req.RequiredCount
			return res, nil
		}
		var pr *partialRead
		retry := reused && attempt == 0 && (errors.As(err, &pr) && pr.gone || isWriteGone(err))
		c.Close()
		if !retry {
			var e *Error
			if errors.As(err, &e) {
				return nil, e
			}
			return nil, c.readError("request", err)
		}
		c.reconnects++
	}
}

type writeError struct{ err error }

func (w *writeError) Error() string { return w.err.Error() }
func (w *writeError) Unwrap() error { return w.err }

func isWriteGone(err error) bool {
	var we *writeError
	return errors.As(err, &we) && isConnGone(we.err)
}

// exchange writes one request PDU and reads and verifies its answer, in
// named steps: write the request, reassemble the response (mapping a
// fault), unpack the stub (mapping a refusal), verify the KMS reply, build
// the result.
func (c *Conn) exchange(ctx context.Context, payload []byte, sent *Sent) (*Result, error) {
	defer c.guard(ctx)()
	callID := c.requestCallID()
	start, err := c.writeRequest(callID, payload)
	if err != nil {
		return nil, err
	}
	warnings, err := c.reassemble(callID)
	if err != nil {
		return nil, err
	}
	body, warnings, err := c.replyBody(warnings)
	if err != nil {
		return nil, err
	}
	d, err := DecodeResponse(body, sent)
	latency := c.clk.Now().Sub(start)
	if err != nil {
		return nil, verifyError(err)
	}
	return c.result(d, latency, warnings), nil
}

// writeRequest sends payload as one request PDU with call_id callID and
// returns when it started writing, the start of the reply's latency. A
// write to a connection the host has closed is a *writeError, which
// Activate may retry on a new connection (docs/protocol.md §1).
func (c *Conn) writeRequest(callID uint32, payload []byte) (time.Time, error) {
	c.stub = AppendRequestStub(c.stub[:0], c.ndr64, payload)
	c.wbuf = AppendRequest(c.wbuf[:0], callID, c.ctxID, 0, c.stub)
	if c.maxXmit != 0 && len(c.wbuf) > int(c.maxXmit) {
		return time.Time{}, protoErr("request", "host accepts PDUs of at most %d bytes, request is %d", c.maxXmit, len(c.wbuf))
	}
	start := c.clk.Now()
	if _, err := c.nc.Write(c.wbuf); err != nil {
		if isConnGone(err) {
			return time.Time{}, &writeError{err}
		}
		return time.Time{}, netError("send request", err)
	}
	return start, nil
}

// reassemble reads the response to the request with call_id callID,
// fragment by fragment (docs/protocol.md §2.2, §2.7-2.8), into c.stub, and
// returns what it noticed but did not reject. A fault is mapped to its
// failure; the host closing before the first byte is returned unwrapped
// (a *partialRead) so that Activate can retry.
func (c *Conn) reassemble(callID uint32) ([]string, error) {
	var warnings []string
	c.stub = c.stub[:0]
	for frag := 0; ; frag++ {
		h, pdu, err := c.readPDU()
		if err != nil {
			var pr *partialRead
			if frag == 0 && errors.As(err, &pr) && pr.gone {
				return nil, err
			}
			return nil, c.readError("read reply", err)
		}
		if h.Type == PTypeFault {
			// vlmcsd sends every fault with call_id 2; there is only one
			// outstanding call, so a fault answers it whatever its call_id.
			return nil, faultError(pdu)
		}
		if h.Type != PTypeResponse {
			return nil, protoErr("read reply", "expected response (0x02), got %s", PTypeName(h.Type))
		}
		if h.CallID != callID {
			return nil, protoErr("read reply", "response has call_id %d, request had %d", h.CallID, callID)
		}
		if frag == 0 && h.Flags&FlagFirstFrag == 0 {
			return nil, protoErr("read reply", "first response fragment lacks PFC_FIRST_FRAG (flags 0x%02x)", h.Flags)
		}
		if frag > 0 && h.Flags&FlagFirstFrag != 0 {
			return nil, protoErr("read reply", "fragment %d restarts the response (flags 0x%02x)", frag+1, h.Flags)
		}
		call, err := ParseCall(pdu, h)
		if err != nil {
			return nil, &Error{Code: hresult.CallFailed, Kind: KindProtocol, Op: "read reply", Err: err}
		}
		if call.ContextID != c.ctxID {
			return nil, protoErr("read reply", "response on context %d, request used %d", call.ContextID, c.ctxID)
		}
		if call.CancelCount != 0 {
			return nil, protoErr("read reply", "response cancel_count %d", call.CancelCount)
		}
		if frag == 0 && h.Flags&FlagLastFrag != 0 && int(call.AllocHint) != len(call.Stub) {
			warnings = append(warnings, fmt.Sprintf("response alloc_hint %d differs from its %d stub bytes", call.AllocHint, len(call.Stub)))
		}
		c.stub = append(c.stub, call.Stub...)
		if h.Flags&FlagLastFrag != 0 {
			return warnings, nil
		}
		if frag+1 >= maxFragments {
			return nil, protoErr("read reply", "response still not complete after %d fragments", maxFragments)
		}
	}
}

// faultError maps a fault PDU to its failure: the fault's status as the
// code, a Win32 status (below 0x10000) as its HRESULT (docs/protocol.md §2.7).
func faultError(pdu []byte) *Error {
	f, err := ParseFault(pdu)
	if err != nil {
		return &Error{Code: hresult.CallFailed, Kind: KindProtocol, Op: "read reply", Err: err}
	}
	code := hresult.Code(f.Status)
	if f.Status < 0x10000 {
		code = hresult.FromWin32(f.Status)
	}
	return &Error{Code: code, Kind: KindFault, Op: "request",
		Err: fmt.Errorf("host answered with RPC fault 0x%08x, %s", f.Status, FaultName(f.Status))}
}

// replyBody unpacks the reassembled stub (docs/protocol.md §3.2-3.3) and
// returns the KMS reply it carries, with warnings extended. A host's
// refusal (a NULL referent or a non-zero return value) is a KindHost
// failure with the host's HRESULT.
func (c *Conn) replyBody(warnings []string) ([]byte, []string, error) {
	rs, err := ParseResponseStub(c.stub, c.ndr64)
	if err != nil {
		return nil, nil, &Error{Code: hresult.CallFailed, Kind: KindProtocol, Op: "read reply", Err: err}
	}
	if rs.Body == nil || rs.Result != 0 {
		code := hresult.Code(rs.Result)
		if rs.Body == nil && rs.Result == 0 {
			return nil, nil, protoErr("read reply", "host returned no response and no error code")
		}
		info := ""
		if i, ok := hresult.Lookup(code); ok {
			info = " (" + i.Name + ")"
		}
		return nil, nil, &Error{Code: code, Kind: KindHost, Op: "request",
			Err: fmt.Errorf("host refused the request with %s%s", code, info)}
	}
	if rs.Excess > 0 {
		warnings = append(warnings, fmt.Sprintf("%d stray bytes after the response stub", rs.Excess))
	}
	return rs.Body, warnings, nil
}

// verifyError maps a DecodeResponse failure to a KindVerify failure naming
// the check (docs/protocol.md §9.1): a reply that fails verification is no
// usable KMS host.
func verifyError(err error) *Error {
	var ve *VerifyError
	check := ""
	if errors.As(err, &ve) {
		check = ve.Check
	}
	return &Error{Code: hresult.NoKMSHost, Kind: KindVerify, Op: "verify reply", Check: check, Err: err}
}

// result builds the Result of a verified reply.
func (c *Conn) result(d Decoded, latency time.Duration, warnings []string) *Result {
	res := &Result{
		Version:            d.Version,
		EPID:               d.EPID,
		Count:              d.Count,
		ActivationInterval: d.ActivationInterval,
		RenewalInterval:    d.RenewalInterval,
		Latency:            latency,
		NDR64:              c.ndr64,
		Warnings:           append(warnings, d.Warnings...),
	}
	if info, err := ParseEPID(d.EPID); err == nil {
		res.EPIDInfo = &info
	}
	if d.Version == V6 {
		h := d.HWID
		res.HWID = &h
	}
	return res
}
