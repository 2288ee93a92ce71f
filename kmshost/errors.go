package kmshost

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/kmsctl/kmsctl/hresult"
)

// Kind says how reading a host failed.
type Kind int

// The ways a read fails. Every one is a failure to read the host (exit 2).
const (
	KindNetwork    Kind = iota // no connection: name does not resolve, no route, …
	KindRefused                // nothing listens on the WinRM port
	KindTimeout                // no answer within the time allowed
	KindTLS                    // the HTTPS connection failed: certificate or handshake
	KindAuth                   // the credentials or the authentication method were refused
	KindHTTP                   // WinRM answered with an error
	KindCommand                // the PowerShell command failed on the host
	KindDecode                 // the command's output was not kmsctl's JSON
	KindNotKMSHost             // the machine answered but is not a KMS host
)

// ErrNotKMSHost matches (errors.Is) the error of a machine that is not a
// KMS host.
var ErrNotKMSHost = errors.New("not a KMS host")

// Error is a failed read of a host.
type Error struct {
	Kind   Kind
	Host   string // host:port of the WinRM listener
	Op     string // what was being read: "read the KMS counters"
	Status int    // HTTP status (KindAuth, KindHTTP), else 0
	// Fault is the WS-Management fault code the host sent (KindHTTP), or
	// the code behind a failed command (KindCommand).
	Fault hresult.Code
	// SOAP is the WS-Management fault the host sent (KindHTTP), nil when
	// its answer held none; Err then carries the fault's message.
	SOAP *Fault
	// Detail is extra text for the cause: a command's standard error, the
	// products of a machine that is not a KMS host.
	Detail string
	Auth   Auth   // the method used
	HTTPS  bool   // the scheme used
	Offers string // KindAuth: the methods the server offered (WWW-Authenticate)
	Err    error
}

func (e *Error) Error() string { return e.text(true) }

// Headline is Error without the fault's message (the SOAP fault's text),
// for a renderer that shows that message on its own.
func (e *Error) Headline() string { return e.text(false) }

func (e *Error) text(faultMessage bool) string {
	var b strings.Builder
	b.WriteString(e.Op)
	b.WriteString(" from ")
	b.WriteString(e.Host)
	b.WriteString(" over WinRM: ")
	switch e.Kind {
	case KindAuth:
		if e.Status != 0 {
			fmt.Fprintf(&b, "HTTP %d: %s authentication refused", e.Status, e.Auth.Name())
			if e.Offers != "" {
				b.WriteString(" (the server offers " + e.Offers + ")")
			}
		} else if e.Err != nil {
			b.WriteString(e.Err.Error())
		}
	case KindHTTP:
		var parts []string
		if e.Status != 0 {
			parts = append(parts, "HTTP "+strconv.Itoa(e.Status))
		}
		switch {
		case e.Fault != 0 && e.SOAP != nil && e.SOAP.SubCode != "":
			parts = append(parts, "WS-Management fault "+e.Fault.String()+" ("+e.SOAP.SubCode+")")
		case e.Fault != 0:
			parts = append(parts, "WS-Management fault "+e.Fault.String())
		case e.SOAP != nil && e.SOAP.SubCode != "":
			parts = append(parts, "WS-Management fault "+e.SOAP.SubCode)
		}
		if e.SOAP != nil && e.SOAP.Provider != "" {
			parts = append(parts, "from the plug-in "+strconv.Quote(e.SOAP.Provider))
		}
		b.WriteString(strings.Join(parts, ", "))
		if e.Err != nil && (faultMessage || e.SOAP == nil || e.SOAP.Message == "") {
			if len(parts) > 0 {
				b.WriteString(": ")
			}
			b.WriteString(e.Err.Error())
		}
	case KindCommand:
		b.WriteString("powershell.exe failed on the host")
		if e.Err != nil {
			b.WriteString(": " + e.Err.Error())
		}
	case KindTimeout:
		b.WriteString("timed out")
		if e.Err != nil && !isDeadline(e.Err) {
			b.WriteString(": " + e.Err.Error())
		}
	case KindNotKMSHost:
		b.WriteString("the machine is not a KMS host")
	default:
		if e.Err != nil {
			b.WriteString(e.Err.Error())
		}
	}
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Code is the Windows error code kmsctl reports for the failure.
func (e *Error) Code() hresult.Code {
	switch e.Kind {
	case KindRefused:
		return hresult.ConnRefused
	case KindTimeout:
		return hresult.Timeout
	case KindTLS:
		return tlsCode(e.Err)
	case KindAuth:
		return hresult.AccessDenied
	case KindHTTP:
		if e.Fault != 0 {
			return e.Fault
		}
		return hresult.WinRMCannotConnect
	case KindCommand:
		if e.Fault != 0 {
			return e.Fault
		}
		return hresult.Fail
	case KindDecode:
		return hresult.InvalidData
	case KindNotKMSHost:
		return hresult.NotKMSHost
	}
	if isNoSuchHost(e.Err) {
		return hresult.HostNotFound
	}
	return hresult.WinRMCannotConnect
}

// Facts about the failure, for the words kmsctl chooses (package failure).

// BasicOnly reports that the server offered only Basic authentication and
// kmsctl, asked for NTLM, did not send the password that way.
func (e *Error) BasicOnly() bool { return e.Err != nil && errors.Is(e.Err, errBasicRefused) }

// SealBroken reports that an NTLM-encrypted answer did not check out.
func (e *Error) SealBroken() bool {
	var se *sealError
	return errors.As(e.Err, &se)
}

// PlainHTTP reports that an HTTPS connection got plain HTTP back.
func (e *Error) PlainHTTP() bool { return e.Err != nil && isPlainHTTP(e.Err) }

// NoSuchHost reports that the host name does not resolve.
func (e *Error) NoSuchHost() bool { return isNoSuchHost(e.Err) }

// AccessDenied reports a command that failed on the host for lack of rights.
func (e *Error) AccessDenied() bool { return e.Kind == KindCommand && e.Code() == hresult.AccessDenied }

// NoEventLog reports a host without the "Key Management Service" event log.
func (e *Error) NoEventLog() bool {
	return e.Kind == KindCommand && strings.Contains(e.Error(), "NoMatchingLogsFound")
}

// notKMSHost describes a machine without a KMS host product.
func notKMSHost(host, op string, c *Counters) *Error {
	var ps []string
	for _, p := range c.Products {
		ps = append(ps, p.Name+" ("+channel(p.Description)+", "+p.LicenseStatus.String()+")")
	}
	detail := "no installed product key is a KMS host key (IsKeyManagementServiceMachine is 0)"
	if len(ps) > 0 {
		detail += "; installed: " + strings.Join(ps, "; ")
	}
	if c.Computer != "" {
		detail = c.Computer + ": " + detail
	}
	return &Error{Kind: KindNotKMSHost, Host: host, Op: op, Detail: detail, Err: ErrNotKMSHost}
}

// channel is the channel part of a product description
// ("Windows(R) Operating System, VOLUME_KMSCLIENT channel" → VOLUME_KMSCLIENT).
func channel(desc string) string {
	for _, w := range strings.FieldsFunc(desc, func(r rune) bool { return r == ' ' || r == ',' }) {
		u := strings.ToUpper(w)
		if strings.HasPrefix(u, "VOLUME_") || strings.HasPrefix(u, "RETAIL") || strings.HasPrefix(u, "OEM") || strings.HasPrefix(u, "TIMEBASED_") {
			return w
		}
	}
	if desc == "" {
		return "no description"
	}
	return desc
}

// commandError describes a command that failed on the host.
func commandError(host, op string, exit int, se *ScriptError, stderr string) *Error {
	e := &Error{Kind: KindCommand, Host: host, Op: op}
	switch {
	case se != nil:
		e.Fault = se.Code()
		e.Err = se
	default:
		e.Err = fmt.Errorf("powershell.exe exited with %d", exit)
		e.Fault = hresult.Fail
		if s := cleanStderr(stderr); s != "" {
			e.Detail = s
		}
	}
	return e
}

// cleanStderr turns PowerShell's standard error into one line: CLIXML
// (what powershell.exe writes when its output is redirected) is reduced to
// its error strings.
func cleanStderr(s string) string {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "#< CLIXML"); ok {
		var parts []string
		for {
			_, after, ok := strings.Cut(rest, `<S S="Error">`)
			if !ok {
				break
			}
			text, tail, _ := strings.Cut(after, "</S>")
			parts = append(parts, clixmlUnescape(text))
			rest = tail
		}
		s = strings.Join(parts, "")
	}
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 500 {
		s = s[:500] + "…"
	}
	return s
}

// clixmlUnescape undoes CLIXML's _xHHHH_ escapes and XML's entities.
func clixmlUnescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '_' && i+6 < len(s) && s[i+1] == 'x' && s[i+6] == '_' {
			if v, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
				b.WriteRune(rune(v))
				i += 6
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&apos;", "'", "&amp;", "&").Replace(b.String())
}
