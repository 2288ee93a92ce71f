package hosttest

// WinRM message encryption, the accepting side: a Windows HTTP listener
// with AllowUnencrypted=false (Enable-PSRemoting's default) takes SOAP
// messages only sealed with the NTLM session's keys, framed as MS-WSMV
// 2.2.9.1 describes, and seals its answers the same way. Written from
// MS-NLMP (3.3.2 session base key, 3.4.3 sealing, 3.4.4.2 signatures with
// extended session security, 3.4.5 key derivation) and MS-WSMV,
// independently of the client library kmsctl uses
// (github.com/bodgit/ntlmssp), so that a test that passes shows the two
// agree.

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rc4"
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"sync"
)

// exportedSessionKey derives the key the session's signing and sealing
// keys come from (MS-NLMP 3.3.2, 3.4.5.1): for NTLMv2 the session base
// key HMAC_MD5(ResponseKeyNT, NTProofStr) is the key exchange key; with
// KEY_EXCH the client chose a random key and sent it RC4-encrypted with
// that. It is nil when the client negotiated no session security.
func (a *ntlmAuth) exportedSessionKey() ([]byte, error) {
	if a.flags&(flagSign|flagSeal) == 0 {
		return nil, nil
	}
	m := hmac.New(md5.New, a.responseKeyNT)
	m.Write(a.ntProofStr)
	keyExchangeKey := m.Sum(nil)
	if a.flags&flagKeyExch == 0 {
		return keyExchangeKey, nil
	}
	encrypted, err := field(a.msg, 52) // EncryptedRandomSessionKeyFields
	if err != nil || len(encrypted) != 16 {
		return nil, errors.New("KEY_EXCH without a 16-byte EncryptedRandomSessionKey")
	}
	c, _ := rc4.NewCipher(keyExchangeKey)
	key := make([]byte, 16)
	c.XORKeyStream(key, encrypted)
	return key, nil
}

// checkMIC verifies the AUTHENTICATE message's MIC when the client says it
// sent one (MsvAvFlags bit 0x2, MS-NLMP 2.2.2.1): HMAC_MD5 of the three
// handshake messages, the MIC zeroed, under the exported session key.
func (a *ntlmAuth) checkMIC(key, negotiate, challenge []byte) error {
	flags, ok := avPair(a.avPairs, 6) // MsvAvFlags
	if !ok || len(flags) != 4 || binary.LittleEndian.Uint32(flags)&2 == 0 {
		return nil
	}
	const at = 72 // after the fixed fields and the Version
	if key == nil || len(a.msg) < at+16 {
		return errors.New("a MIC without a session key")
	}
	zeroed := bytes.Clone(a.msg)
	clear(zeroed[at : at+16])
	m := hmac.New(md5.New, key)
	m.Write(negotiate)
	m.Write(challenge)
	m.Write(zeroed)
	if !hmac.Equal(m.Sum(nil), a.msg[at:at+16]) {
		return errors.New("wrong MIC")
	}
	return nil
}

// avPair finds an AV pair's value (MS-NLMP 2.2.2.1).
func avPair(pairs []byte, id uint16) ([]byte, bool) {
	for len(pairs) >= 4 {
		aid, l := binary.LittleEndian.Uint16(pairs), int(binary.LittleEndian.Uint16(pairs[2:]))
		if aid == 0 || len(pairs) < 4+l {
			return nil, false
		}
		if aid == id {
			return pairs[4 : 4+l], true
		}
		pairs = pairs[4+l:]
	}
	return nil, false
}

// Magic constants of MS-NLMP 3.4.5.2 and 3.4.5.3, NUL included.
const (
	clientSigningMagic = "session key to client-to-server signing key magic constant\x00"
	serverSigningMagic = "session key to server-to-client signing key magic constant\x00"
	clientSealingMagic = "session key to client-to-server sealing key magic constant\x00"
	serverSealingMagic = "session key to server-to-client sealing key magic constant\x00"
)

// sealSession is the server's side of one connection's NTLM session
// security: connection-oriented, so each direction keeps its RC4 state
// and sequence number from message to message (MS-NLMP 3.4).
type sealSession struct {
	mu                 sync.Mutex
	seal, keyExch, ess bool   // negotiated: sealing, key exchange, extended session security
	inSign, outSign    []byte // client-to-server, server-to-client signing keys
	inRC4, outRC4      *rc4.Cipher
	inSeq, outSeq      uint32
}

func newSealSession(flags uint32, key []byte) *sealSession {
	md5of := func(k []byte, magic string) []byte {
		h := md5.New()
		h.Write(k)
		h.Write([]byte(magic))
		return h.Sum(nil)
	}
	// SEALKEY with extended session security: the key cut to the
	// negotiated strength, hashed with the direction's constant.
	sealKey := key
	switch {
	case flags&flag128 != 0:
	case flags&flag56 != 0:
		sealKey = key[:7]
	default:
		sealKey = key[:5]
	}
	in, _ := rc4.NewCipher(md5of(sealKey, clientSealingMagic))
	out, _ := rc4.NewCipher(md5of(sealKey, serverSealingMagic))
	return &sealSession{
		seal: flags&flagSeal != 0, keyExch: flags&flagKeyExch != 0, ess: flags&flagExtendedSecure != 0,
		inSign: md5of(key, clientSigningMagic), outSign: md5of(key, serverSigningMagic),
		inRC4: in, outRC4: out,
	}
}

// mac is an NTLMSSP_MESSAGE_SIGNATURE with extended session security
// (MS-NLMP 3.4.4.2): version 1, the first 8 bytes of
// HMAC_MD5(SigningKey, SeqNum ‖ Message), RC4-encrypted with the
// direction's handle under KEY_EXCH, then SeqNum.
func (s *sealSession) mac(handle *rc4.Cipher, signingKey []byte, seq uint32, msg []byte) []byte {
	sig := make([]byte, 16)
	binary.LittleEndian.PutUint32(sig, 1)
	binary.LittleEndian.PutUint32(sig[12:], seq)
	m := hmac.New(md5.New, signingKey)
	m.Write(sig[12:16])
	m.Write(msg)
	copy(sig[4:12], m.Sum(nil))
	if s.keyExch {
		handle.XORKeyStream(sig[4:12], sig[4:12])
	}
	return sig
}

// unseal decrypts a client's message and checks its signature: first
// RC4 over the message, then the signature computed over the plain text
// with the same handle (MS-NLMP 3.4.3).
func (s *sealSession) unseal(sealed, signature []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.seal || !s.ess {
		return nil, errors.New("the session was not negotiated with sealing and extended session security")
	}
	plain := make([]byte, len(sealed))
	s.inRC4.XORKeyStream(plain, sealed)
	want := s.mac(s.inRC4, s.inSign, s.inSeq, plain)
	if !hmac.Equal(want, signature) {
		return nil, fmt.Errorf("bad signature for message %d", s.inSeq)
	}
	s.inSeq++
	return plain, nil
}

// sealOut encrypts the server's answer and signs it.
func (s *sealSession) sealOut(plain []byte) (sealed, signature []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sealed = make([]byte, len(plain))
	s.outRC4.XORKeyStream(sealed, plain)
	signature = s.mac(s.outRC4, s.outSign, s.outSeq, plain)
	s.outSeq++
	return sealed, signature
}

// The MS-WSMV 2.2.9.1 framing.
const (
	encryptedProtocol    = "application/HTTP-SPNEGO-session-encrypted"
	encryptedContentType = `multipart/encrypted;protocol="` + encryptedProtocol + `";boundary="Encrypted Boundary"`
)

// encryptedHead is everything of an encrypted body before the signature's
// length: the first part (protocol, original type and length) and the
// second part's header.
var encryptedHead = regexp.MustCompile("^--Encrypted Boundary\r\n[ \t]*Content-Type: " + regexp.QuoteMeta(encryptedProtocol) +
	"\r\n[ \t]*OriginalContent: type=([^;\r\n]+(?:;charset=[^;\r\n]+)?);Length=([0-9]+)\r\n--Encrypted Boundary\r\n[ \t]*Content-Type: application/octet-stream\r\n")

const encryptedTail = "--Encrypted Boundary--\r\n"

var encryptedType = regexp.MustCompile(`^multipart/encrypted;\s*protocol="?` + regexp.QuoteMeta(encryptedProtocol) + `"?;`)

// isEncrypted reports an encrypted request's Content-Type.
func isEncrypted(contentType string) bool { return encryptedType.MatchString(contentType) }

// openEncrypted unframes and unseals a request body.
func (s *sealSession) openEncrypted(body []byte) ([]byte, error) {
	m := encryptedHead.FindSubmatchIndex(body)
	if m == nil {
		return nil, errors.New("not an MS-WSMV encrypted body")
	}
	length, err := strconv.Atoi(string(body[m[4]:m[5]]))
	if err != nil {
		return nil, err
	}
	data, ok := bytes.CutSuffix(body[m[1]:], []byte(encryptedTail))
	if !ok || len(data) < 4 {
		return nil, errors.New("no closing boundary")
	}
	if n := binary.LittleEndian.Uint32(data); n != 16 || len(data) != 4+16+length {
		return nil, fmt.Errorf("signature length %d, %d bytes for a message of %d", n, len(data)-4, length)
	}
	return s.unseal(data[20:], data[4:20])
}

// encrypted seals plain and frames it; tamper flips a bit of the
// signature's checksum.
func (s *sealSession) encrypted(plain []byte, tamper bool) []byte {
	sealed, signature := s.sealOut(plain)
	if tamper {
		signature[7] ^= 0x01
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "--Encrypted Boundary\r\n\tContent-Type: %s\r\n\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=%d\r\n", encryptedProtocol, len(plain))
	b.WriteString("--Encrypted Boundary\r\n\tContent-Type: application/octet-stream\r\n")
	b.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(signature))))
	b.Write(signature)
	b.Write(sealed)
	b.WriteString(encryptedTail)
	return b.Bytes()
}
