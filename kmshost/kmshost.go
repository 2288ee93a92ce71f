// Package kmshost reads what a Windows KMS host reports about itself: its
// WMI licensing counters (SoftwareLicensingService and the KMS host
// product) and its "Key Management Service" event log, over WinRM
// (WS-Management on TCP 5985 or 5986), from any operating system.
//
// Each read is one PowerShell invocation of a constant script (see
// script.go) that writes compact JSON; the JSON is decoded into typed
// values and checked. The package neither prints nor logs.
package kmshost

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/masterzen/winrm"
)

// Auth is a WinRM authentication method.
type Auth string

// The methods kmsctl offers. Kerberos is not among them.
const (
	AuthNTLM  Auth = "ntlm"  // NTLM over Negotiate: domain and local accounts
	AuthBasic Auth = "basic" // Basic: local accounts, where the host enables it
)

// Name is the method as people write it: NTLM, Basic.
func (a Auth) Name() string {
	if a == AuthBasic {
		return "Basic"
	}
	return "NTLM"
}

// ParseAuth reads an --auth value.
func ParseAuth(s string) (Auth, error) {
	switch a := Auth(strings.ToLower(strings.TrimSpace(s))); a {
	case AuthNTLM, AuthBasic:
		return a, nil
	}
	return "", fmt.Errorf("authentication method %q is not known (use basic or ntlm)", s)
}

// Default ports of the WinRM listeners, and the default time one read may take.
const (
	HTTPPort       = 5985
	HTTPSPort      = 5986
	DefaultTimeout = 30 * time.Second
)

// Config says how to reach a host.
type Config struct {
	Host               string // name or address, without port or brackets
	Port               int    // 0: 5985, or 5986 with HTTPS
	HTTPS              bool
	InsecureSkipVerify bool // do not verify the host's certificate
	Auth               Auth // "": NTLM
	User, Password     string
	Timeout            time.Duration // bounds each read; 0: DefaultTimeout

	// plainNTLM sends NTLM over HTTP without message encryption, as
	// kmsctl did before it sealed messages; for tests only (export_test.go).
	plainNTLM bool
}

func (c *Config) port() int {
	switch {
	case c.Port != 0:
		return c.Port
	case c.HTTPS:
		return HTTPSPort
	}
	return HTTPPort
}

func (c *Config) auth() Auth {
	if c.Auth == "" {
		return AuthNTLM
	}
	return c.Auth
}

func (c *Config) timeout() time.Duration {
	if c.Timeout <= 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

// Addr is host:port of the WinRM listener.
func (c *Config) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.port())) }

// URL is the WS-Management endpoint.
func (c *Config) URL() string {
	scheme := "http"
	if c.HTTPS {
		scheme = "https"
	}
	return scheme + "://" + c.Addr() + "/wsman"
}

// TargetError is a host argument that cannot name a WinRM listener.
type TargetError struct {
	Arg string
	Msg string
}

func (e *TargetError) Error() string { return fmt.Sprintf("host %q: %s", e.Arg, e.Msg) }

// ParseTarget reads HOST, HOST:PORT, [IPv6] or [IPv6]:PORT. port is 0 when
// none is given.
func ParseTarget(s string) (host string, port int, err error) {
	arg := s
	s = strings.TrimSpace(s)
	if s == "" {
		return "", 0, &TargetError{Arg: arg, Msg: "empty"}
	}
	host = s
	if h, p, err := net.SplitHostPort(s); err == nil {
		n, perr := strconv.Atoi(p)
		if perr != nil || n < 1 || n > 65535 {
			return "", 0, &TargetError{Arg: arg, Msg: "port " + strconv.Quote(p) + " is not 1 to 65535"}
		}
		host, port = h, n
	} else if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		host = s[1 : len(s)-1]
	}
	if ip := net.ParseIP(host); ip != nil {
		return host, port, nil
	}
	if strings.Contains(host, ":") {
		return "", 0, &TargetError{Arg: arg, Msg: "an IPv6 address with a port is written [2001:db8::5]:5985"}
	}
	if len(host) > 253 {
		return "", 0, &TargetError{Arg: arg, Msg: "longer than a DNS name can be"}
	}
	for _, label := range strings.Split(strings.TrimSuffix(host, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "", 0, &TargetError{Arg: arg, Msg: "not a host name"}
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return "", 0, &TargetError{Arg: arg, Msg: fmt.Sprintf("%q cannot be part of a host name", r)}
			}
		}
	}
	return host, port, nil
}

// Client reads one host.
type Client struct {
	cfg Config
}

// Addr is the host:port the client reads from.
func (c *Client) Addr() string { return c.cfg.Addr() }

// New checks cfg and returns a client. It does not connect.
func New(cfg Config) (*Client, error) {
	if _, _, err := ParseTarget(cfg.Host); err != nil {
		return nil, err
	}
	if cfg.User == "" {
		return nil, errors.New("no user name")
	}
	if _, err := ParseAuth(string(cfg.auth())); err != nil {
		return nil, err
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		return nil, fmt.Errorf("port %d is not 1 to 65535", cfg.Port)
	}
	return &Client{cfg: cfg}, nil
}

// What each read is called in errors.
const (
	opCounters = "read the KMS counters"
	opEvents   = "read the Key Management Service log"
)

// Counters reads the machine's licensing counters, whether or not it is a
// KMS host.
func (c *Client) Counters(ctx context.Context) (*Counters, error) {
	return runDecode(ctx, c, opCounters, CountersScript, DecodeCounters)
}

// KMSHost reads the counters and fails with an error matching
// ErrNotKMSHost when no installed key is a KMS host key.
func (c *Client) KMSHost(ctx context.Context) (*Counters, error) {
	cn, err := c.Counters(ctx)
	if err != nil {
		return nil, err
	}
	if len(cn.KMSProducts()) == 0 {
		return nil, notKMSHost(c.cfg.Addr(), opCounters, cn)
	}
	return cn, nil
}

// Events reads the Key Management Service log.
func (c *Client) Events(ctx context.Context, q LogQuery) (*EventLog, error) {
	script, err := LogScript(q)
	if err != nil {
		return nil, err
	}
	return runDecode(ctx, c, opEvents, script, DecodeEvents)
}

// runDecode runs script on the machine and decodes its output with
// decode; op names the read in errors, which c.outcome judges.
func runDecode[T any](ctx context.Context, c *Client, op, script string, decode func([]byte) (*T, error)) (*T, error) {
	out, err := c.run(ctx, op, script)
	if err != nil {
		return nil, err
	}
	v, err := decode(out.stdout)
	if err := c.outcome(op, out, err); err != nil {
		return nil, err
	}
	return v, nil
}

// outcome judges a finished command by its exit code and what decoding
// its output gave.
func (c *Client) outcome(op string, out *result, decodeErr error) error {
	var se *ScriptError
	switch {
	case errors.As(decodeErr, &se):
		return commandError(c.cfg.Addr(), op, out.exit, se, out.stderr)
	case out.exit != 0:
		return commandError(c.cfg.Addr(), op, out.exit, nil, out.stderr)
	case decodeErr != nil:
		return &Error{Kind: KindDecode, Host: c.cfg.Addr(), Op: op, Err: decodeErr}
	}
	return nil
}

// result is what a command left behind.
type result struct {
	stdout []byte
	stderr string
	exit   int
}

// Bounds of one command's output.
const (
	maxStderr    = 64 << 10
	envelopeSize = 512000 // WinRM's default MaxEnvelopeSizekb is 500
)

// errTooLarge cancels a command whose output passed maxDocument.
var errTooLarge = errors.New("the command wrote more than kmsctl reads")

// run runs script on the host through one WinRM shell and returns its
// output. The whole exchange is bounded by the configured timeout and by
// ctx; no goroutine outlives it.
func (c *Client) run(ctx context.Context, op, script string) (*result, error) {
	line := CommandLine(script)
	if len(line) > MaxCommandLine {
		return nil, fmt.Errorf("kmshost: the %s command line has %d characters, more than cmd.exe takes (%d)", op, len(line), MaxCommandLine)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, c.cfg.timeout())
	defer cancelTimeout()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	t := newTransporter(ctx, &c.cfg, op)
	defer t.close()

	params := winrm.NewParameters("PT60S", "en-US", envelopeSize)
	params.TransportDecorator = func() winrm.Transporter { return t }
	endpoint := &winrm.Endpoint{Host: urlHost(c.cfg.Host), Port: c.cfg.port(), HTTPS: c.cfg.HTTPS,
		Insecure: c.cfg.InsecureSkipVerify, Timeout: c.cfg.timeout()}
	wc, err := winrm.NewClientWithParameters(endpoint, c.cfg.User, c.cfg.Password, params)
	if err != nil {
		return nil, t.wrap(err)
	}
	shell, err := wc.CreateShell()
	if err != nil {
		return nil, t.wrap(err)
	}
	defer func() {
		if ctx.Err() == nil {
			shell.Close() // best effort: the host drops idle shells anyway
		}
	}()
	cmd, err := shell.Execute(line)
	if err != nil {
		return nil, t.wrap(err)
	}
	var stdout, stderr bytes.Buffer
	var outErr, errErr error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		outErr = copyCapped(&stdout, cmd.Stdout, maxDocument, func() { cancel(errTooLarge) })
	}()
	go func() {
		defer wg.Done()
		errErr = copyCapped(&stderr, cmd.Stderr, maxStderr, nil)
	}()
	cmd.Wait()
	wg.Wait()
	if ctx.Err() == nil {
		cmd.Close()
	}
	if errors.Is(context.Cause(ctx), errTooLarge) {
		return nil, &Error{Kind: KindDecode, Host: c.cfg.Addr(), Op: op,
			Err: fmt.Errorf("%w (%d MiB); lower --max", errTooLarge, maxDocument>>20)}
	}
	if err := cmp.Or(outErr, errErr); err != nil {
		return nil, t.wrap(err)
	}
	return &result{stdout: stdout.Bytes(), stderr: stderr.String(), exit: cmd.ExitCode()}, nil
}

// copyCapped copies r into w up to limit bytes, then calls exceeded once
// and reads the rest away, so that the writer side is never blocked.
func copyCapped(w *bytes.Buffer, r io.Reader, limit int, exceeded func()) error {
	buf := make([]byte, 32<<10)
	over := false
	for {
		n, err := r.Read(buf)
		if n > 0 && !over {
			if w.Len()+n > limit {
				over = true
				if exceeded != nil {
					exceeded()
				}
			} else {
				w.Write(buf[:n])
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// urlHost brackets an IPv6 address for a URL.
func urlHost(h string) string {
	if strings.Contains(h, ":") {
		return "[" + h + "]"
	}
	return h
}
