// Package hosttest runs a Windows KMS host's WinRM service for tests only:
// a github.com/dylanmei/winrmtest WS-Management server on loopback,
// answering kmsctl's exact PowerShell commands with JSON modelled on what
// a real host's WMI and event log hold, behind a front that checks Basic
// credentials, or carries NTLM through and seals messages as a default
// Windows HTTP listener requires (ntlm.go, ntlmseal.go), and can misbehave
// (stall, answer garbage, fail the command, tamper with a sealed answer).
//
// It decodes each command line (powershell.exe … -EncodedCommand, base64
// of UTF-16LE) and answers only the scripts kmshost builds; anything else
// fails with exit code 1 and is recorded.
package hosttest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dylanmei/winrmtest"

	"github.com/kmsctl/kmsctl/internal/testport"
	"github.com/kmsctl/kmsctl/kmshost"
)

// Credentials the server accepts unless told otherwise. The password has
// characters a shell or PowerShell would interpret, to show it never
// reaches either.
const (
	DefaultUser     = `CORP\kmsaudit`
	DefaultPassword = `p@ss w0rd;$(calc)'"`
)

// Options choose the server's behaviour. The zero value is a KMS host with
// counters and a short log.
type Options struct {
	User, Password string // accepted Basic credentials; "" for the defaults
	// Offer replaces the WWW-Authenticate challenge ("Basic realm=…") and
	// makes every request fail with 401, e.g. "Negotiate" for a host that
	// has Basic disabled (Windows' default).
	Offer string
	TLS   bool // serve HTTPS with a self-signed certificate for 127.0.0.1
	// NTLM accepts only NTLM (offered as Negotiate, Basic disabled, as
	// Windows ships), with the handshake carried through and the NTLMv2
	// response checked against User and Password. Messages sealed with the
	// session's keys (MS-WSMV 2.2.9.1 encryption, see ntlmseal.go) are
	// unsealed and answered sealed; plain ones are taken too, as a host
	// with AllowUnencrypted=true does.
	NTLM bool
	// NTLMEncrypt (implies NTLM) is a Windows HTTP listener as
	// Enable-PSRemoting leaves it, AllowUnencrypted=false: after NTLM it
	// takes only sealed messages. A plain SOAP body gets 401 with the
	// Negotiate and Kerberos offers, which is what Windows is reported to
	// answer NTLM clients that do not encrypt (a 500 is reported for
	// Kerberos). The handshake's requests, with empty bodies, pass. Over
	// TLS plain messages pass, as on Windows' HTTPS listener.
	NTLMEncrypt bool
	// TamperSeal flips a bit of the signature of every sealed answer, as
	// a man in the middle changing it would.
	TamperSeal bool

	Counters     []byte // answer to the counters script; nil: KMSHostJSON()
	CountersExit int
	Client       []byte // answer to the client script; nil: a licensed client (clients.go)
	// Events is the host's log, newest first; nil: SampleEvents(Now).
	// Use NoEvents for an empty log.
	Events []Event
	Now    time.Time // the host's clock; zero: DefaultNow

	// Every command gets Answer and exits with AnswerExit (malformed
	// output, a failing command) when Answer or AnswerExit is set.
	Answer     []byte
	AnswerExit int
	Stall      bool // accept requests and never answer them
	Refuse     bool // nothing listens on the address
	// SlowReceives answers the first SlowReceives output polls with the
	// fault a real host sends when a command has written nothing within
	// the OperationTimeout (FaultOperationTimeout), as for a slow
	// Get-WinEvent.
	SlowReceives int
	// Fault answers the shell's creation with a WS-Management fault, as a
	// host does to an account over its shell quota or without the right
	// to a shell (FaultTooManyShells, FaultAccessDenied).
	Fault *Fault
}

// NoEvents is an empty log.
var NoEvents = []Event{}

// DefaultNow is the host clock unless set: the moment kmsctl's scripted
// tests run at.
var DefaultNow = time.Date(2026, 11, 23, 17, 55, 4, 0, time.UTC)

// Server is a running test host.
type Server struct {
	opts    Options
	remote  *winrmtest.Remote
	front   *httptest.Server
	proxyTr *http.Transport
	addr    string
	closing chan struct{}
	once    sync.Once
	ntlm    *ntlmServer // with Options.NTLM
	release func()      // frees a Refuse server's port

	mu      sync.Mutex
	scripts []string // every script run, in order
	unknown []string // command lines that were not kmsctl's
	auth    []string // the scheme of every Authorization header seen
	tokens  []string // the tokens of Negotiate and NTLM headers
	seal    SealCounts
	query   kmshost.LogQuery
	slow    int // output polls answered with OperationTimeoutFault so far
}

// Start runs a server for the test and closes it when the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatalf("hosttest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// New runs a server on 127.0.0.1; the caller must Close it.
func New(opts Options) (*Server, error) {
	if opts.User == "" && opts.Password == "" {
		opts.User, opts.Password = DefaultUser, DefaultPassword
	}
	if opts.Now.IsZero() {
		opts.Now = DefaultNow
	}
	if opts.Events == nil {
		opts.Events = SampleEvents(opts.Now)
	}
	if opts.Counters == nil {
		opts.Counters = KMSHostJSON()
	}
	s := &Server{opts: opts, closing: make(chan struct{})}
	if opts.NTLM || opts.NTLMEncrypt {
		s.ntlm = newNTLMServer(opts.User, opts.Password, opts.Now)
	}
	if opts.Refuse {
		addr, release, err := testport.Refusing()
		if err != nil {
			return nil, err
		}
		s.addr, s.release = addr, release
		return s, nil
	}
	s.remote = winrmtest.NewRemote()
	s.remote.CommandFunc(s.match(s.isCounters), s.answerCounters)
	s.remote.CommandFunc(s.match(s.isLog), s.answerLog)
	s.remote.CommandFunc(s.match(isClient), s.answerClient)
	s.remote.CommandFunc(s.unknownCommand, func(io.Writer, io.Writer) int { return 1 })
	target, _ := url.Parse(fmt.Sprintf("http://%s:%d", s.remote.Host, s.remote.Port))
	proxy := httputil.NewSingleHostReverseProxy(target)
	s.proxyTr = &http.Transport{}
	proxy.Transport = s.proxyTr
	proxy.ErrorLog = log.New(io.Discard, "", 0)
	proxy.ModifyResponse = windowsAnswer
	s.front = httptest.NewUnstartedServer(s.handler(proxy))
	s.front.Config.ErrorLog = log.New(io.Discard, "", 0)
	if opts.TLS {
		s.front.StartTLS()
	} else {
		s.front.Start()
	}
	u, _ := url.Parse(s.front.URL)
	s.addr = u.Host
	return s, nil
}

// Addr is 127.0.0.1:PORT.
func (s *Server) Addr() string { return s.addr }

// Host is the address without the port.
func (s *Server) Host() string { h, _, _ := net.SplitHostPort(s.addr); return h }

// Port is the TCP port.
func (s *Server) Port() int {
	_, p, _ := net.SplitHostPort(s.addr)
	n, _ := strconv.Atoi(p)
	return n
}

// Scripts returns every kmsctl script the server ran, in order.
func (s *Server) Scripts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.scripts...)
}

// Unknown returns the command lines that were not kmsctl's scripts.
func (s *Server) Unknown() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.unknown...)
}

// AuthSchemes returns the scheme of every Authorization header received
// ("Basic", "Negotiate", "NTLM"), and "-" for a request without one.
func (s *Server) AuthSchemes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auth...)
}

// NegotiateTokens returns the base64 tokens of the Negotiate and NTLM
// Authorization headers received (never a Basic one: it holds the password).
func (s *Server) NegotiateTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.tokens...)
}

// SealCounts count the messages of an NTLM server (Options.NTLM,
// NTLMEncrypt) by how they came.
type SealCounts struct {
	Sealed       int      // sealed messages unsealed and answered
	Plain        int      // requests with a plain body, authenticated or not
	PlainRefused int      // of those, refused by NTLMEncrypt after authentication
	Bad          []string // why sealed messages were refused
}

// Sealed returns the server's SealCounts.
func (s *Server) Sealed() SealCounts {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.seal
	c.Bad = append([]string(nil), c.Bad...)
	return c
}

// Challenges returns the NTLM CHALLENGE messages the server sent.
func (s *Server) Challenges() [][]byte {
	if s.ntlm == nil {
		return nil
	}
	return s.ntlm.sent()
}

// LastQuery is the log query of the last log script run.
func (s *Server) LastQuery() kmshost.LogQuery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.query
}

// Reset forgets the scripts, commands and headers seen so far.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts, s.unknown, s.auth, s.tokens = nil, nil, nil, nil
	s.seal = SealCounts{}
}

// Close stops the server and waits for its handlers.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.closing)
		if s.front != nil {
			s.front.Close()
		}
		if s.proxyTr != nil {
			s.proxyTr.CloseIdleConnections()
		}
		if s.remote != nil {
			s.remote.Close()
		}
		if s.release != nil {
			s.release()
		}
	})
}

func (s *Server) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", ServerHeader)
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if scheme == "" {
			scheme = "-"
		}
		s.mu.Lock()
		s.auth = append(s.auth, scheme)
		if scheme == "Negotiate" || scheme == "NTLM" {
			s.tokens = append(s.tokens, token)
		}
		s.mu.Unlock()
		if s.opts.Stall {
			select {
			case <-r.Context().Done():
			case <-s.closing:
			}
			return
		}
		if s.ntlm != nil {
			// Count a plain body before authorizing: a client that sends
			// one with its NTLM handshake shows it in the clear.
			if r.ContentLength != 0 && !isEncrypted(r.Header.Get("Content-Type")) {
				s.mu.Lock()
				s.seal.Plain++
				s.mu.Unlock()
			}
			if !s.ntlm.authorize(w, r) {
				return
			}
		} else if user, pass, ok := r.BasicAuth(); s.opts.Offer != "" || !ok || user != s.opts.User || pass != s.opts.Password {
			offer := s.opts.Offer
			if offer == "" {
				offer = `Basic realm="WSMAN"`
			}
			w.Header().Set("WWW-Authenticate", offer)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		// Read the request whole before passing it on: streamed, it races
		// with winrmtest answering before the body is all sent, and the
		// proxy then cuts the answer off now and then (about 1 in 300).
		body, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		out := w // where the answer goes: w, or a recorder to seal it
		var session *sealSession
		if s.ntlm != nil {
			switch {
			case isEncrypted(r.Header.Get("Content-Type")):
				session = s.ntlm.session(r)
				var plain []byte
				err := errors.New("no NTLM session key on this connection")
				if session != nil {
					plain, err = session.openEncrypted(body)
				}
				if err != nil {
					s.mu.Lock()
					s.seal.Bad = append(s.seal.Bad, err.Error())
					s.mu.Unlock()
					w.WriteHeader(http.StatusBadRequest)
					return
				}
				s.mu.Lock()
				s.seal.Sealed++
				s.mu.Unlock()
				body = plain
				r.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
				rec := httptest.NewRecorder()
				out = rec
				defer func() {
					answer := session.encrypted(rec.Body.Bytes(), s.opts.TamperSeal)
					w.Header().Set("Content-Type", encryptedContentType)
					w.Header().Set("Content-Length", strconv.Itoa(len(answer)))
					w.WriteHeader(rec.Code)
					w.Write(answer)
				}()
			case len(body) == 0 && r.Header.Get("Authorization") != "":
				// The last leg of the handshake, on an empty request
				// (MS-WSMV's encryption begins so): authenticated.
				w.WriteHeader(http.StatusOK)
				return
			case s.opts.NTLMEncrypt && r.TLS == nil:
				s.mu.Lock()
				s.seal.PlainRefused++
				s.mu.Unlock()
				s.ntlm.refusePlain(w)
				return
			}
		}
		r = withAddressing(r, body)
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		a, _ := r.Context().Value(addressingKey{}).(addressing)
		if a.Action == actionCreate && s.opts.Fault != nil {
			s.opts.Fault.write(out, r)
			return
		}
		if a.Action == actionReceive {
			s.mu.Lock()
			slow := s.slow < s.opts.SlowReceives
			if slow {
				s.slow++
			}
			s.mu.Unlock()
			if slow {
				FaultOperationTimeout.write(out, r)
				return
			}
		}
		next.ServeHTTP(out, r)
	})
}

// winrmtestCommandID finds the command ID in winrmtest's answer to a Command.
var winrmtestCommandID = regexp.MustCompile(`^\s*<env:Envelope [^>]*>\s*<rsp:CommandId>([^<]*)</rsp:CommandId>\s*</env:Envelope>\s*$`)

// match wraps a script matcher: it decodes the command line first.
func (s *Server) match(is func(script string) bool) winrmtest.MatcherFunc {
	return func(cmd string) bool {
		script, ok := kmshost.DecodeCommandLine(cmd)
		if !ok || !is(script) {
			return false
		}
		s.mu.Lock()
		s.scripts = append(s.scripts, script)
		s.mu.Unlock()
		return true
	}
}

func (s *Server) unknownCommand(cmd string) bool {
	s.mu.Lock()
	s.unknown = append(s.unknown, cmd)
	s.mu.Unlock()
	return true
}

func (s *Server) isCounters(script string) bool { return script == kmshost.CountersScript }

// logNumbers finds the two numbers in a log script; the script must then
// be exactly what kmshost.LogScript builds from them.
var logNumbers = regexp.MustCompile(`(?m)^\$max = (\d+)\r?\n\$since = (\d+)\r?$`)

func (s *Server) isLog(script string) bool {
	m := logNumbers.FindStringSubmatch(script)
	if m == nil {
		return false
	}
	max, err1 := strconv.Atoi(m[1])
	since, err2 := strconv.ParseInt(m[2], 10, 64)
	if err1 != nil || err2 != nil {
		return false
	}
	q := kmshost.LogQuery{Max: max, Since: time.Duration(since) * time.Second}
	want, err := kmshost.LogScript(q)
	if err != nil || want != script {
		return false
	}
	s.mu.Lock()
	s.query = q
	s.mu.Unlock()
	return true
}

func (s *Server) answerCounters(out, _ io.Writer) int {
	if s.opts.Answer != nil || s.opts.AnswerExit != 0 {
		out.Write(s.opts.Answer)
		return s.opts.AnswerExit
	}
	out.Write(s.opts.Counters)
	return s.opts.CountersExit
}

func (s *Server) answerLog(out, _ io.Writer) int {
	if s.opts.Answer != nil || s.opts.AnswerExit != 0 {
		out.Write(s.opts.Answer)
		return s.opts.AnswerExit
	}
	out.Write(EventsJSON(s.opts.Now, Select(s.opts.Events, s.LastQuery(), s.opts.Now)))
	return 0
}

// Select applies a query as Get-WinEvent would: events of the last
// q.Since (when set), at most q.Max of the newest.
func Select(events []Event, q kmshost.LogQuery, now time.Time) []Event {
	var out []Event
	for _, e := range events {
		if q.Since > 0 && e.Time.Before(now.Add(-q.Since)) {
			continue
		}
		if len(out) == q.Max {
			break
		}
		out = append(out, e)
	}
	return out
}

// Event is one log entry: the time it was written, its ID and its
// insertion strings.
type Event struct {
	Time   time.Time
	ID     int
	Fields []string
}

// Log is the log Windows writes the event to: 12290 to the host's "Key
// Management Service" log, the client events 12288 and 12289 to the
// Application log.
func (e Event) Log() string {
	if e.ID == kmshost.EventRequestProcessed {
		return "Key Management Service"
	}
	return "Application"
}

// EventsJSON is the log script's output for events, compact as
// ConvertTo-Json -Compress writes it.
func EventsJSON(now time.Time, events []Event) []byte {
	list := make([]map[string]any, 0, len(events))
	for _, e := range events {
		list = append(list, map[string]any{"t": e.Time.UTC().Format("2006-01-02T15:04:05.0000000Z"), "id": e.ID, "log": e.Log(), "d": e.Fields})
	}
	return compact(map[string]any{"v": 1, "computer": "KMS01", "now": now.UTC().Format("2006-01-02T15:04:05.0000000Z"), "events": list})
}

// ErrorJSON is what a script writes when a cmdlet fails: an access
// denied from Get-CimInstance, say.
func ErrorJSON(hresult int64, message, id string) []byte {
	return compact(map[string]any{"v": 1, "error": map[string]any{"hresult": hresult, "message": message, "id": id}})
}

// compact marshals v without HTML escaping, as PowerShell would, ending
// with the CRLF powershell.exe writes.
func compact(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return append(bytes.TrimSuffix(b.Bytes(), []byte("\n")), '\r', '\n')
}
