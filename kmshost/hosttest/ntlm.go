package hosttest

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	"golang.org/x/crypto/md4" //nolint:staticcheck // NTLM's NT hash is MD4 (MS-NLMP 3.3.2)
)

// ntlmServer is the accepting side of NTLMv2 (MS-NLMP) for one account, as
// a Windows host with Basic disabled runs it: a NEGOTIATE message gets a
// CHALLENGE, and an AUTHENTICATE message is checked by recomputing its
// NTProofStr from the account's password. A connection that passed is
// authenticated for its remaining requests, as with HTTP.sys. It is written
// from the specification, independently of the client library kmsctl
// uses, so a test that passes shows the two agree.
type ntlmServer struct {
	user, domain, password string
	// workgroup: the account is a local one of a host in no domain (no
	// DOMAIN\ part, or the computer's name, or "."). Windows then names
	// the computer as the CHALLENGE's target, of type server, and takes
	// the user with no domain, "." or the computer's name.
	workgroup bool
	now       time.Time

	mu         sync.Mutex
	conns      map[string]*ntlmConn // by connection (the client's address)
	challenges [][]byte             // every CHALLENGE sent
}

// sent returns every CHALLENGE message sent.
func (n *ntlmServer) sent() [][]byte {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([][]byte(nil), n.challenges...)
}

// ntlmConn is the NTLM state of one connection.
type ntlmConn struct {
	negotiate, challenge []byte  // the handshake's first two messages, for the MIC
	serverChallenge      [8]byte // of the CHALLENGE sent
	challenged, authed   bool    // a CHALLENGE awaits its AUTHENTICATE; authenticated
	// session seals and unseals messages once the connection is
	// authenticated with a session key (ntlmseal.go); nil without.
	session *sealSession
}

// computerName is the test host's NetBIOS name; dnsDomain its domain's
// DNS name when it is in one.
const (
	computerName = "KMS01"
	dnsDomain    = "corp.test"
)

func newNTLMServer(account, password string, now time.Time) *ntlmServer {
	domain, user, ok := strings.Cut(account, `\`)
	if !ok {
		domain, user = "", account
	}
	workgroup := domain == "" || domain == "." || strings.EqualFold(domain, computerName)
	if workgroup {
		domain = computerName
	}
	return &ntlmServer{user: user, domain: strings.ToUpper(domain), password: password, workgroup: workgroup, now: now,
		conns: map[string]*ntlmConn{}}
}

// conn is the state of the connection r came on.
func (n *ntlmServer) conn(r *http.Request) *ntlmConn {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := n.conns[r.RemoteAddr]
	if c == nil {
		c = &ntlmConn{}
		n.conns[r.RemoteAddr] = c
	}
	return c
}

// challengeOffers is what a Windows WinRM listener with Basic disabled
// offers.
var challengeOffers = []string{"Negotiate", "Kerberos"}

// authorize reports whether r may pass; when not, it has written the 401.
// The handler serves one request of a connection at a time, so the
// connection's state needs no lock of its own.
func (n *ntlmServer) authorize(w http.ResponseWriter, r *http.Request) bool {
	conn := n.conn(r)
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if conn.authed && scheme == "" {
		return true
	}
	msg, err := base64.StdEncoding.DecodeString(token)
	if (scheme != "Negotiate" && scheme != "NTLM") || err != nil || len(msg) < 12 ||
		!bytes.HasPrefix(msg, []byte("NTLMSSP\x00")) {
		n.refuse(w)
		return false
	}
	switch binary.LittleEndian.Uint32(msg[8:12]) {
	case 1: // NEGOTIATE: answer with a fresh challenge
		if len(msg) < 16 {
			n.refuse(w)
			return false
		}
		*conn = ntlmConn{negotiate: msg, challenged: true}
		rand.Read(conn.serverChallenge[:])
		conn.challenge = n.challengeMessage(conn.serverChallenge, binary.LittleEndian.Uint32(msg[12:16]))
		n.mu.Lock()
		n.challenges = append(n.challenges, conn.challenge)
		n.mu.Unlock()
		w.Header().Set("WWW-Authenticate", scheme+" "+base64.StdEncoding.EncodeToString(conn.challenge))
		w.WriteHeader(http.StatusUnauthorized)
		return false
	case 3: // AUTHENTICATE
		challenged := conn.challenged
		conn.challenged, conn.authed, conn.session = false, false, nil
		if !challenged {
			n.refuse(w)
			return false
		}
		a, err := n.verify(msg, conn.serverChallenge)
		if err != nil {
			n.refuse(w)
			return false
		}
		// The session key: sealing needs it, and a MIC is checked with it.
		key, err := a.exportedSessionKey()
		if err == nil {
			err = a.checkMIC(key, conn.negotiate, conn.challenge)
		}
		if err != nil {
			n.refuse(w)
			return false
		}
		conn.authed = true
		if key != nil {
			conn.session = newSealSession(a.flags, key)
		}
		return true
	}
	n.refuse(w)
	return false
}

// session is the sealing state of r's connection, nil when it has none.
func (n *ntlmServer) session(r *http.Request) *sealSession {
	if c := n.conn(r); c.authed {
		return c.session
	}
	return nil
}

// refusePlain answers a plain SOAP message on a connection that passed
// NTLM, when the listener requires encryption (AllowUnencrypted=false), as
// Windows does: 401 offering Negotiate alone, and the connection closed.
func (n *ntlmServer) refusePlain(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", "Negotiate")
	w.Header().Set("Connection", "close")
	w.WriteHeader(http.StatusUnauthorized)
}

func (n *ntlmServer) refuse(w http.ResponseWriter) {
	for _, o := range challengeOffers {
		w.Header().Add("WWW-Authenticate", o)
	}
	w.WriteHeader(http.StatusUnauthorized)
}

// NTLM negotiate flags the challenge sets (MS-NLMP 2.2.2.5). Signing,
// sealing and key exchange only when the client asked for them (echoed,
// as Windows does); never LM_KEY.
const (
	flagUnicode        = 0x00000001
	flagRequestTarget  = 0x00000004
	flagSign           = 0x00000010
	flagSeal           = 0x00000020
	flagNTLM           = 0x00000200
	flagAlwaysSign     = 0x00008000
	flagTargetDomain   = 0x00010000
	flagTargetServer   = 0x00020000
	flagExtendedSecure = 0x00080000
	flagTargetInfo     = 0x00800000
	flagVersion        = 0x02000000
	flag128            = 0x20000000
	flagKeyExch        = 0x40000000
	flag56             = 0x80000000
)

// challengeMessage builds a CHALLENGE_MESSAGE (MS-NLMP 2.2.1.2): a 56-byte
// header, then the target name and the target information (AV pairs).
// requested are the NEGOTIATE message's flags.
func (n *ntlmServer) challengeMessage(c [8]byte, requested uint32) []byte {
	// A domain member names its domain, a workgroup host itself (as the
	// target and in every name of the target information).
	target, targetType := utf16le(n.domain), uint32(flagTargetDomain)
	dnsDom, dnsComputer := dnsDomain, strings.ToLower(computerName)+"."+dnsDomain
	if n.workgroup {
		target, targetType = utf16le(computerName), flagTargetServer
		dnsDom, dnsComputer = computerName, computerName
	}
	var info bytes.Buffer
	av := func(id uint16, v []byte) {
		binary.Write(&info, binary.LittleEndian, id)
		binary.Write(&info, binary.LittleEndian, uint16(len(v)))
		info.Write(v)
	}
	av(2, target)                // MsvAvNbDomainName
	av(1, utf16le(computerName)) // MsvAvNbComputerName
	av(4, utf16le(dnsDom))       // MsvAvDnsDomainName
	av(3, utf16le(dnsComputer))  // MsvAvDnsComputerName
	var ft [8]byte               // MsvAvTimestamp, a FILETIME
	binary.LittleEndian.PutUint64(ft[:], uint64(n.now.UnixNano()/100+116444736000000000))
	av(7, ft[:])
	av(0, nil) // MsvAvEOL

	const header = 56
	m := make([]byte, header, header+len(target)+info.Len())
	copy(m, "NTLMSSP\x00")
	binary.LittleEndian.PutUint32(m[8:], 2)
	putField(m[12:], len(target), header)
	binary.LittleEndian.PutUint32(m[20:], flagUnicode|flagRequestTarget|flagNTLM|flagAlwaysSign|
		targetType|flagExtendedSecure|flagTargetInfo|flagVersion|flag128|flag56|
		requested&(flagSign|flagSeal|flagKeyExch))
	copy(m[24:32], c[:])
	putField(m[40:], info.Len(), header+len(target))
	copy(m[48:], []byte{10, 0, 0x63, 0x45, 0, 0, 0, 15}) // Windows 10.0.17763, NTLMSSP revision 15
	m = append(m, target...)
	return append(m, info.Bytes()...)
}

func putField(b []byte, length, offset int) {
	binary.LittleEndian.PutUint16(b[0:], uint16(length))
	binary.LittleEndian.PutUint16(b[2:], uint16(length))
	binary.LittleEndian.PutUint32(b[4:], uint32(offset))
}

// field reads the payload field whose Len/MaxLen/Offset start at at.
func field(msg []byte, at int) ([]byte, error) {
	if len(msg) < at+8 {
		return nil, errors.New("short message")
	}
	l := int(binary.LittleEndian.Uint16(msg[at:]))
	off := int(binary.LittleEndian.Uint32(msg[at+4:]))
	if off > len(msg) || l > len(msg)-off {
		return nil, errors.New("field outside the message")
	}
	return msg[off : off+l], nil
}

// ntlmAuth is what a verified AUTHENTICATE message leaves for the
// session key (ntlmseal.go).
type ntlmAuth struct {
	msg           []byte // the AUTHENTICATE message
	flags         uint32 // its NegotiateFlags: what the client settled on
	responseKeyNT []byte // NTOWFv2
	ntProofStr    []byte
	avPairs       []byte // of the client's NTLMv2 blob
}

// verify checks an AUTHENTICATE_MESSAGE (MS-NLMP 2.2.1.3) against the
// challenge c: the account's user and domain, and the NTLMv2 response
// NTProofStr = HMAC_MD5(NTOWFv2, challenge ‖ blob) (MS-NLMP 3.3.2).
func (n *ntlmServer) verify(msg []byte, c [8]byte) (*ntlmAuth, error) {
	nt, err := field(msg, 20)
	if err != nil {
		return nil, err
	}
	domainField, err := field(msg, 28)
	if err != nil {
		return nil, err
	}
	userField, err := field(msg, 36)
	if err != nil {
		return nil, err
	}
	if len(msg) < 64 {
		return nil, errors.New("short message")
	}
	user, domain := fromUTF16le(userField), fromUTF16le(domainField)
	local := n.workgroup && (domain == "" || domain == ".")
	if !strings.EqualFold(user, n.user) || !strings.EqualFold(domain, n.domain) && !local {
		return nil, errors.New("unknown account")
	}
	// NTProofStr (16), then the blob: RespType 1, HiRespType 1, reserved,
	// timestamp, client challenge, reserved, AV pairs.
	if len(nt) < 16+28 || nt[16] != 1 || nt[17] != 1 {
		return nil, errors.New("not an NTLMv2 response")
	}
	h := md4.New()
	h.Write(utf16le(n.password))
	key := hmac.New(md5.New, h.Sum(nil))
	key.Write(utf16le(strings.ToUpper(user) + domain))
	proof := hmac.New(md5.New, key.Sum(nil))
	proof.Write(c[:])
	proof.Write(nt[16:])
	if !hmac.Equal(proof.Sum(nil), nt[:16]) {
		return nil, errors.New("wrong password")
	}
	return &ntlmAuth{msg: msg, flags: binary.LittleEndian.Uint32(msg[60:64]), responseKeyNT: key.Sum(nil),
		ntProofStr: nt[:16], avPairs: nt[16+28:]}, nil
}

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, r := range u {
		binary.LittleEndian.PutUint16(b[2*i:], r)
	}
	return b
}

func fromUTF16le(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}
