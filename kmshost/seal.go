package kmshost

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/bodgit/ntlmssp"
)

// WinRM message encryption over HTTP (MS-WSMV 2.2.9.1): after an NTLM
// handshake on empty requests, every SOAP message travels sealed with the
// NTLM session's keys (MS-NLMP 3.4.3, RC4 with a signature and a sequence
// number in each direction) inside a multipart/encrypted body. A Windows
// host as Enable-PSRemoting leaves it (AllowUnencrypted=false) accepts
// nothing else on its HTTP listener. The NTLM side is
// github.com/bodgit/ntlmssp; the HTTP exchange is kmsctl's own, so that it
// keeps the transporter's deadline, error kinds and size cap.

const (
	sealProtocol = "application/HTTP-SPNEGO-session-encrypted"
	sealBoundary = "Encrypted Boundary"
	// sealContentType is the Content-Type of an encrypted message.
	sealContentType = `multipart/encrypted;protocol="` + sealProtocol + `";boundary="` + sealBoundary + `"`
	soapContentType = "application/soap+xml;charset=UTF-8"
	// ntlmSignatureSize is an NTLMSSP_MESSAGE_SIGNATURE (MS-NLMP 2.2.2.9).
	ntlmSignatureSize = 16
	// sealOverhead bounds what the framing adds to a sealed message.
	sealOverhead = 4 << 10
)

// NTLM negotiate flags (MS-NLMP 2.2.2.5) that sealing needs the host to
// accept: signing and sealing, NTLMv2 session security, 128-bit keys and a
// random session key sent encrypted.
const (
	ntlmSign     = 0x00000010
	ntlmSeal     = 0x00000020
	ntlmESS      = 0x00080000
	ntlm128      = 0x20000000
	ntlmKeyExch  = 0x40000000
	ntlmSealing  = ntlmSign | ntlmSeal | ntlmESS | ntlm128 | ntlmKeyExch
	challengeMin = 32 // a CHALLENGE_MESSAGE up to and including its flags and server challenge
)

// sealError is a failure of message encryption: the host's encrypted
// answer could not be read, did not verify, or was not encrypted.
type sealError struct{ reason string }

func (e *sealError) Error() string { return "WinRM message encryption: " + e.reason }

func sealErrorf(format string, args ...any) error {
	return &sealError{reason: fmt.Sprintf(format, args...)}
}

// encodeSealed frames a sealed message as MS-WSMV's multipart/encrypted
// body: a part naming the protocol and the original content with its
// length, then the signature's length (4 bytes, little-endian), the
// signature and the sealed message.
func encodeSealed(signature, sealed []byte, length int) []byte {
	var b bytes.Buffer
	b.WriteString("--" + sealBoundary + "\r\n")
	b.WriteString("\tContent-Type: " + sealProtocol + "\r\n")
	b.WriteString("\tOriginalContent: type=" + soapContentType + ";Length=" + strconv.Itoa(length) + "\r\n")
	b.WriteString("--" + sealBoundary + "\r\n")
	b.WriteString("\tContent-Type: application/octet-stream\r\n")
	binary.Write(&b, binary.LittleEndian, uint32(len(signature)))
	b.Write(signature)
	b.Write(sealed)
	b.WriteString("--" + sealBoundary + "--\r\n")
	return b.Bytes()
}

// sealedMessage is a decoded multipart/encrypted body.
type sealedMessage struct {
	contentType string // of the original message: application/soap+xml;charset=UTF-8
	length      int    // of the original message
	signature   []byte
	sealed      []byte
}

// decodeSealed reads a multipart/encrypted body as encodeSealed writes it
// and as a Windows host answers. Header lines may be indented or not and
// end in CRLF or LF; the binary part runs to the closing boundary, which
// ends the body. Only one encrypted part is read: NTLM does not split
// messages (MS-WSMV's multipart/x-multi-encrypted is CredSSP's).
func decodeSealed(body []byte) (*sealedMessage, error) {
	const dash = "--" + sealBoundary
	rest, ok := bytes.CutPrefix(body, []byte(dash))
	if !ok {
		return nil, errors.New("the body does not start with the boundary")
	}
	rest, ok = cutEOL(rest)
	if !ok {
		return nil, errors.New("no line end after the boundary")
	}
	m := &sealedMessage{length: -1}
	protocol := false
	// The first part: its header lines, up to the next boundary.
	for {
		if after, ok := bytes.CutPrefix(rest, []byte(dash)); ok {
			if rest, ok = cutEOL(after); !ok {
				return nil, errors.New("no line end after the second boundary")
			}
			break
		}
		i := bytes.IndexByte(rest, '\n')
		if i < 0 || i > 1024 {
			return nil, errors.New("the first part does not end")
		}
		line := strings.TrimSpace(string(rest[:i]))
		rest = rest[i+1:]
		name, value, _ := strings.Cut(line, ":")
		value = strings.TrimSpace(value)
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "content-type":
			if !strings.EqualFold(value, sealProtocol) {
				return nil, fmt.Errorf("encrypted with %q, not NTLM's %s", value, sealProtocol)
			}
			protocol = true
		case "originalcontent":
			for _, p := range strings.Split(value, ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
				switch strings.ToLower(k) {
				case "type":
					m.contentType = v
				case "length":
					n, err := strconv.Atoi(v)
					if err != nil || n < 0 {
						return nil, fmt.Errorf("original length %q", v)
					}
					m.length = n
				default:
					if m.contentType != "" {
						m.contentType += ";" + strings.TrimSpace(p) // charset=UTF-8
					}
				}
			}
		}
	}
	switch {
	case !protocol:
		return nil, errors.New("the first part does not name the encryption protocol")
	case m.length < 0:
		return nil, errors.New("the first part does not give the original length")
	}
	// The second part: one header line, then the data up to the closing
	// boundary.
	i := bytes.IndexByte(rest, '\n')
	if i < 0 {
		return nil, errors.New("the second part has no header")
	}
	name, value, _ := strings.Cut(strings.TrimSpace(string(rest[:i])), ":")
	if !strings.EqualFold(strings.TrimSpace(name), "Content-Type") || !strings.EqualFold(strings.TrimSpace(value), "application/octet-stream") {
		return nil, errors.New("the second part is not application/octet-stream")
	}
	data := rest[i+1:]
	var end bool
	for _, closing := range []string{dash + "--\r\n", dash + "--\n", dash + "--"} {
		if data, end = bytes.CutSuffix(data, []byte(closing)); end {
			break
		}
	}
	if !end {
		return nil, errors.New("the body does not end with the closing boundary")
	}
	if len(data) < 4 {
		return nil, errors.New("the encrypted part is too short")
	}
	n := binary.LittleEndian.Uint32(data)
	if n != ntlmSignatureSize {
		return nil, fmt.Errorf("a signature of %d bytes, not NTLM's %d", n, ntlmSignatureSize)
	}
	if len(data) < 4+ntlmSignatureSize {
		return nil, errors.New("the encrypted part is too short")
	}
	m.signature, m.sealed = data[4:4+ntlmSignatureSize], data[4+ntlmSignatureSize:]
	if len(m.sealed) != m.length {
		return nil, fmt.Errorf("%d encrypted bytes for a message of %d", len(m.sealed), m.length)
	}
	return m, nil
}

// cutEOL removes a CRLF or LF from the start of b.
func cutEOL(b []byte) ([]byte, bool) {
	if rest, ok := bytes.CutPrefix(b, []byte("\r\n")); ok {
		return rest, true
	}
	return bytes.CutPrefix(b, []byte("\n"))
}

// isSealed reports a multipart/encrypted Content-Type of NTLM's protocol.
func isSealed(contentType string) bool {
	ct := strings.ToLower(contentType)
	return strings.HasPrefix(strings.TrimSpace(ct), "multipart/encrypted") && strings.Contains(ct, strings.ToLower(sealProtocol))
}

// ntlmAccount splits DOMAIN\user; user@domain is kept whole, with no
// domain, as Windows' own client sends a UPN.
func ntlmAccount(account string) (user, domain string) {
	if d, u, ok := strings.Cut(account, `\`); ok {
		return u, d
	}
	return account, ""
}

// handshake authenticates the connection with NTLM on empty requests and
// keeps the session's sealing state: first a request without credentials,
// to learn what the host offers (and to send nothing to a host that offers
// only Basic), then NEGOTIATE, the host's CHALLENGE, and AUTHENTICATE.
func (t *transporter) handshake() error {
	resp, body, err := t.exchange(nil, "", "")
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusUnauthorized {
		return t.answerError(resp, body, errors.New("the host did not ask for credentials; kmsctl's NTLM expects a WinRM listener that does"))
	}
	scheme := ""
	offered := offers(resp.Header.Values("WWW-Authenticate"))
	for _, s := range strings.Split(offered, ", ") {
		switch {
		case strings.EqualFold(s, "Negotiate"):
			scheme = "Negotiate"
		case strings.EqualFold(s, "NTLM") && scheme == "":
			scheme = "NTLM"
		}
	}
	if scheme == "" {
		if strings.Contains(strings.ToLower(offered), "basic") {
			return t.fail(KindAuth, 0, errBasicRefused)
		}
		e := t.fail(KindAuth, resp.StatusCode, nil)
		e.Offers = offered
		return e
	}

	user, domain := ntlmAccount(t.cfg.User)
	client, err := ntlmssp.NewClient(ntlmssp.SetUserInfo(user, t.cfg.Password), ntlmssp.SetDomain(domain))
	if err != nil {
		return t.fail(KindAuth, 0, err)
	}
	negotiate, err := client.Authenticate(nil, nil)
	if err != nil {
		return t.fail(KindAuth, 0, err)
	}
	resp, body, err = t.exchange(nil, scheme, base64.StdEncoding.EncodeToString(negotiate))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusUnauthorized {
		return t.answerError(resp, body, errors.New("the host answered NTLM's NEGOTIATE without a challenge"))
	}
	challenge, ok := challengeToken(resp.Header.Values("WWW-Authenticate"), scheme)
	if !ok {
		e := t.fail(KindAuth, resp.StatusCode, nil)
		e.Offers = offers(resp.Header.Values("WWW-Authenticate"))
		return e
	}
	if len(challenge) < challengeMin || !bytes.HasPrefix(challenge, []byte("NTLMSSP\x00")) || binary.LittleEndian.Uint32(challenge[8:]) != 2 {
		return t.fail(KindHTTP, resp.StatusCode, sealErrorf("the host's NTLM challenge is not an NTLM CHALLENGE message"))
	}
	if flags := binary.LittleEndian.Uint32(challenge[20:]); flags&ntlmSealing != ntlmSealing {
		return t.fail(KindHTTP, resp.StatusCode, sealErrorf("the host's NTLM challenge does not agree to 128-bit signing and sealing (flags %#08x)", flags))
	}
	authenticate, err := authenticateSafely(client, challenge)
	if err != nil || client.SecuritySession() == nil {
		if err == nil {
			err = errors.New("no security session")
		}
		return t.fail(KindHTTP, resp.StatusCode, sealErrorf("the host's NTLM challenge cannot be read: %v", err))
	}
	resp, body, err = t.exchange(nil, scheme, base64.StdEncoding.EncodeToString(authenticate))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return t.answerError(resp, body, nil)
	}
	t.session = client.SecuritySession()
	return nil
}

// authenticateSafely turns a panic of the NTLM library on a malformed
// challenge into an error.
func authenticateSafely(c *ntlmssp.Client, challenge []byte) (msg []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			msg, err = nil, fmt.Errorf("unreadable (%v)", r)
		}
	}()
	return c.Authenticate(challenge, nil)
}

// unwrapSafely unseals and verifies a message; a panic of the NTLM library
// becomes an error.
func unwrapSafely(s *ntlmssp.SecuritySession, sealed, signature []byte) (msg []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			msg, err = nil, fmt.Errorf("%v", r)
		}
	}()
	return s.Unwrap(sealed, signature)
}

// challengeToken finds the NTLM token of a "Negotiate <base64>" header.
func challengeToken(headers []string, scheme string) ([]byte, bool) {
	for _, h := range headers {
		s, token, ok := strings.Cut(strings.TrimSpace(h), " ")
		if !ok || !strings.EqualFold(s, scheme) {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token))
		if err == nil {
			return b, true
		}
	}
	return nil, false
}

// postSealed sends one SOAP message sealed and returns the host's answer
// unsealed.
func (t *transporter) postSealed(msg string) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.session == nil {
		if err := t.handshake(); err != nil {
			return "", err
		}
	}
	sealed, signature, err := t.session.Wrap([]byte(msg))
	if err != nil {
		return "", t.fail(KindHTTP, 0, sealErrorf("%v", err))
	}
	resp, body, err := t.exchange(encodeSealed(signature, sealed, len(msg)), "", "")
	if err != nil {
		return "", err
	}
	if !isSealed(resp.Header.Get("Content-Type")) {
		if resp.StatusCode == http.StatusOK {
			return "", t.fail(KindHTTP, resp.StatusCode, sealErrorf("the host answered an encrypted message in plain text"))
		}
		return "", t.answerError(resp, body, nil)
	}
	m, err := decodeSealed(body)
	if err != nil {
		return "", t.fail(KindHTTP, resp.StatusCode, sealErrorf("the host's encrypted answer cannot be read: %v", err))
	}
	plain, err := unwrapSafely(t.session, m.sealed, m.signature)
	if err != nil || binary.LittleEndian.Uint32(m.signature) != 1 {
		t.session = nil // its sequence numbers and RC4 state are spent
		return "", t.fail(KindHTTP, resp.StatusCode, sealErrorf("the host's encrypted answer failed its NTLM signature check (%v): it was altered on the way, or not sealed with this session's key", cmpErr(err, "signature version")))
	}
	if resp.StatusCode == http.StatusOK && !strings.Contains(m.contentType, "application/soap+xml") {
		return "", t.fail(KindHTTP, resp.StatusCode, fmt.Errorf("not a WS-Management answer (original Content-Type %q)", m.contentType))
	}
	resp.Header.Set("Content-Type", m.contentType)
	return t.answer(resp, plain)
}

func cmpErr(err error, otherwise string) string {
	if err != nil {
		return err.Error()
	}
	return otherwise
}

// exchange posts body (nil: an empty request) with an Authorization
// header when scheme is set, and reads the answer within the size cap.
func (t *transporter) exchange(body []byte, scheme, token string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(t.ctx, http.MethodPost, t.url, bytes.NewReader(body))
	if err != nil {
		return nil, nil, t.wrap(err)
	}
	if body == nil {
		req.Header.Set("Content-Type", soapContentType)
	} else {
		req.Header.Set("Content-Type", sealContentType)
	}
	if scheme != "" {
		req.Header.Set("Authorization", scheme+" "+token)
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return nil, nil, t.wrap(err)
	}
	defer resp.Body.Close()
	limit := maxResponse + sealOverhead
	b, err := io.ReadAll(io.LimitReader(resp.Body, int64(limit)+1))
	if err != nil {
		return nil, nil, t.wrap(err)
	}
	if len(b) > limit {
		return nil, nil, t.fail(KindHTTP, resp.StatusCode, fmt.Errorf("an answer larger than %d MiB", maxResponse>>20))
	}
	return resp, b, nil
}

// answerError reports an answer that ends the exchange: a 401 as refused
// credentials, another status as the host's error, and anything else with
// otherwise.
func (t *transporter) answerError(resp *http.Response, body []byte, otherwise error) error {
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		e := t.fail(KindAuth, resp.StatusCode, nil)
		e.Offers = offers(resp.Header.Values("WWW-Authenticate"))
		return e
	case resp.StatusCode != http.StatusOK:
		_, err := t.answer(resp, body)
		return err
	}
	return t.fail(KindHTTP, resp.StatusCode, otherwise)
}
