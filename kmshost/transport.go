package kmshost

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	negotiator "github.com/Azure/go-ntlmssp"
	"github.com/bodgit/ntlmssp"
	"github.com/masterzen/winrm"
	"github.com/masterzen/winrm/soap"

	"github.com/kmsctl/kmsctl/hresult"
)

// transporter carries masterzen/winrm's SOAP messages. It replaces the
// library's own transport so that every request is bound to the read's
// context (the library's has no deadline beyond response headers, and
// retries output polls on a timeout fault forever), so that HTTP statuses
// and network failures keep their types, and so that NTLM never falls back
// to sending the password as Basic.
//
// With NTLM over plain HTTP it seals every message (seal.go), as a Windows
// host with the default AllowUnencrypted=false requires; over HTTPS, TLS
// protects the messages and NTLM only authenticates.
type transporter struct {
	ctx    context.Context
	cfg    *Config
	op     string
	url    string
	rt     *http.Transport
	client *http.Client
	// seal: NTLM with message encryption; session is the NTLM session
	// once the connection is authenticated. mu keeps sealed exchanges in
	// order: each direction's sequence numbers and RC4 state follow the
	// messages one by one.
	seal    bool
	mu      sync.Mutex
	session *ntlmssp.SecuritySession
}

// maxResponse bounds one HTTP response body.
const maxResponse = maxDocument*4/3 + 1<<20

func newTransporter(ctx context.Context, cfg *Config, op string) *transporter {
	dialer := &net.Dialer{Timeout: cfg.timeout(), KeepAlive: 30 * time.Second}
	rt := &http.Transport{
		Proxy:       http.ProxyFromEnvironment,
		DialContext: dialer.DialContext,
		TLSClientConfig: &tls.Config{
			ServerName:         cfg.Host,
			InsecureSkipVerify: cfg.InsecureSkipVerify,
			MinVersion:         tls.VersionTLS12,
		},
		TLSHandshakeTimeout: cfg.timeout(),
		MaxIdleConnsPerHost: 1,
	}
	var next http.RoundTripper = rt
	seal := cfg.auth() == AuthNTLM && !cfg.HTTPS && !cfg.plainNTLM
	if cfg.auth() == AuthNTLM && !seal {
		next = negotiator.Negotiator{RoundTripper: noBasic{rt}}
	}
	return &transporter{ctx: ctx, cfg: cfg, op: op, url: cfg.URL(), rt: rt, seal: seal,
		client: &http.Client{
			Transport: next,
			// WinRM does not redirect; following one would send the
			// credentials somewhere else.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}}
}

// close drops the kept-alive connection.
func (t *transporter) close() { t.rt.CloseIdleConnections() }

// Transport is part of winrm.Transporter; newTransporter did the work.
func (t *transporter) Transport(*winrm.Endpoint) error { return nil }

// Post sends one SOAP message and returns the answer's body.
func (t *transporter) Post(_ *winrm.Client, msg *soap.SoapMessage) (string, error) {
	if t.seal {
		return t.postSealed(msg.String())
	}
	req, err := http.NewRequestWithContext(t.ctx, http.MethodPost, t.url, strings.NewReader(msg.String()))
	if err != nil {
		return "", t.wrap(err)
	}
	req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	// NTLM: the Negotiator turns these into an NTLM exchange.
	req.SetBasicAuth(t.cfg.User, t.cfg.Password)
	resp, err := t.client.Do(req)
	if err != nil {
		return "", t.wrap(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return "", t.wrap(err)
	}
	return t.answer(resp, body)
}

// answer judges a WS-Management answer by its status and Content-Type.
func (t *transporter) answer(resp *http.Response, body []byte) (string, error) {
	if len(body) > maxResponse {
		return "", t.fail(KindHTTP, resp.StatusCode, fmt.Errorf("an answer larger than %d MiB", maxResponse>>20))
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		e := t.fail(KindAuth, resp.StatusCode, nil)
		e.Offers = offers(resp.Header.Values("WWW-Authenticate"))
		return "", e
	case resp.StatusCode != http.StatusOK:
		e := t.fail(KindHTTP, resp.StatusCode, nil)
		if f, ok := ParseFault(body); ok {
			e.SOAP, e.Fault, e.Err = &f, f.Code, f.Err()
		}
		if e.Err == nil {
			e.Err = errors.New(http.StatusText(resp.StatusCode))
		}
		return "", e
	case !strings.Contains(resp.Header.Get("Content-Type"), "application/soap+xml"):
		return "", t.fail(KindHTTP, resp.StatusCode, fmt.Errorf("not a WS-Management answer (Content-Type %q)", resp.Header.Get("Content-Type")))
	}
	return string(body), nil
}

func (t *transporter) fail(kind Kind, status int, err error) *Error {
	return &Error{Kind: kind, Host: t.cfg.Addr(), Op: t.op, Status: status, Auth: t.cfg.auth(), HTTPS: t.cfg.HTTPS, Err: err}
}

// wrap turns what the HTTP client or the winrm library returned into an
// *Error of the right kind.
func (t *transporter) wrap(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // drop `Post "http://…/wsman":`, the host is named anyway
	}
	switch {
	case errors.Is(err, errBasicRefused):
		return t.fail(KindAuth, 0, err)
	case errors.Is(context.Cause(t.ctx), errTooLarge):
		return t.fail(KindDecode, 0, errTooLarge)
	case t.ctx.Err() != nil || isDeadline(err):
		return t.fail(KindTimeout, 0, err)
	case isRefused(err):
		return t.fail(KindRefused, 0, err)
	case isTLS(err):
		return t.fail(KindTLS, 0, err)
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return t.fail(KindNetwork, 0, err)
	}
	// The library could not make sense of a WS-Management answer.
	return t.fail(KindHTTP, 0, fmt.Errorf("unexpected WS-Management answer: %w", err))
}

// errBasicRefused stops the NTLM negotiator from sending the password as
// Basic when a server offers nothing else.
var errBasicRefused = errors.New("the server offers only Basic authentication; with --auth ntlm kmsctl does not send the password that way")

// noBasic refuses requests carrying Basic credentials.
type noBasic struct{ next http.RoundTripper }

func (n noBasic) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasPrefix(strings.ToLower(req.Header.Get("Authorization")), "basic ") {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, errBasicRefused
	}
	return n.next.RoundTrip(req)
}

// offers lists the schemes of WWW-Authenticate headers: "Negotiate, Basic".
func offers(headers []string) string {
	var schemes []string
	for _, h := range headers {
		for _, part := range strings.Split(h, ",") {
			f := strings.Fields(part)
			if len(f) == 0 || strings.Contains(f[0], "=") {
				continue
			}
			schemes = append(schemes, f[0])
		}
	}
	return strings.Join(schemes, ", ")
}

func isDeadline(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// isRefused reports a refused connection: ECONNREFUSED, or Winsock's
// WSAECONNREFUSED (10061) on Windows, where syscall.ECONNREFUSED is an
// invented number.
func isRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.Errno(10061))
}

func isNoSuchHost(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

// isPlainHTTP reports a TLS client that got plain HTTP back. net/http
// turns the tls.RecordHeaderError into a message of its own.
func isPlainHTTP(err error) bool {
	var rh tls.RecordHeaderError
	return errors.As(err, &rh) || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")
}

func isTLS(err error) bool {
	var (
		ua  x509.UnknownAuthorityError
		he  x509.HostnameError
		ci  x509.CertificateInvalidError
		cve *tls.CertificateVerificationError
		rh  tls.RecordHeaderError
		oe  *net.OpError
	)
	switch {
	case errors.As(err, &ua), errors.As(err, &he), errors.As(err, &ci), errors.As(err, &cve), errors.As(err, &rh), isPlainHTTP(err):
		return true
	case errors.As(err, &oe) && oe.Op == "remote error":
		return true // an alert from the server during the handshake
	}
	return strings.HasPrefix(err.Error(), "tls: ")
}

// tlsCode is the Windows certificate or Schannel code for a TLS failure.
func tlsCode(err error) hresult.Code {
	var (
		ua x509.UnknownAuthorityError
		he x509.HostnameError
		ci x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &ua):
		return hresult.CertUntrustedRoot
	case errors.As(err, &he):
		return hresult.CertNameMismatch
	case errors.As(err, &ci) && ci.Reason == x509.Expired:
		return hresult.CertExpired
	}
	return hresult.TLSIllegalMessage
}
