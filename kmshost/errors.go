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
	// Detail is extra text for the cause: a command's standard error, the
	// products of a machine that is not a KMS host.
	Detail string
	Auth   Auth   // the method used
	HTTPS  bool   // the scheme used
	Offers string // KindAuth: the methods the server offered (WWW-Authenticate)
	Err    error
}

func (e *Error) Error() string {
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
		if e.Fault != 0 {
			parts = append(parts, "WS-Management fault "+e.Fault.String())
		}
		b.WriteString(strings.Join(parts, ", "))
		if e.Err != nil {
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

// Windows codes for failures that have none of their own in errors.csv.
// Their meanings are given by Meaning.
const (
	codeWinRMCannotConnect hresult.Code = 0x80338012 // ERROR_WINRM_CANNOT_CONNECT (WinRM client: cannot connect to the destination)
	codeUntrustedRoot      hresult.Code = 0x800B0109 // CERT_E_UNTRUSTEDROOT
	codeCertNameMismatch   hresult.Code = 0x800B010F // CERT_E_CN_NO_MATCH
	codeCertExpired        hresult.Code = 0x800B0101 // CERT_E_EXPIRED
	codeTLSHandshake       hresult.Code = 0x80090326 // SEC_E_ILLEGAL_MESSAGE
	codeAccessDenied       hresult.Code = 0x80070005 // E_ACCESSDENIED
	codeConnRefused        hresult.Code = 0x8007274D // WSAECONNREFUSED
	codeHostNotFound       hresult.Code = 0x80072AF9 // WSAHOST_NOT_FOUND
)

// Code is the Windows error code kmsctl reports for the failure.
func (e *Error) Code() hresult.Code {
	switch e.Kind {
	case KindRefused:
		return codeConnRefused
	case KindTimeout:
		return hresult.Timeout
	case KindTLS:
		return tlsCode(e.Err)
	case KindAuth:
		return codeAccessDenied
	case KindHTTP:
		if e.Fault != 0 {
			return e.Fault
		}
		return codeWinRMCannotConnect
	case KindCommand:
		if e.Fault != 0 {
			return e.Fault
		}
		return eFail
	case KindDecode:
		return hresult.InvalidData
	case KindNotKMSHost:
		return hresult.NotKMSHost
	}
	if isNoSuchHost(e.Err) {
		return codeHostNotFound
	}
	return codeWinRMCannotConnect
}

// Meaning says what the code means here, where errors.csv's text is about
// KMS activation rather than WinRM.
func (e *Error) Meaning() string {
	switch e.Kind {
	case KindRefused:
		return "The connection was refused: nothing accepts WinRM connections on that port."
	case KindTimeout:
		return "The host's WinRM service did not answer in time."
	case KindTLS:
		return "The HTTPS connection to the host's WinRM listener could not be set up securely."
	case KindAuth:
		return "Access denied: the host's WinRM service refused the credentials or the authentication method."
	case KindHTTP:
		return "The host's WinRM service answered with an error."
	case KindCommand:
		return "The PowerShell command kmsctl runs failed on the host."
	case KindDecode:
		return "The host's answer was not the JSON kmsctl's PowerShell command writes."
	case KindNotKMSHost:
		// slmgr's own text for this code.
		return "The software Licensing Service reported that the computer could not be activated. The Key Management Service (KMS) is not enabled"
	}
	if isNoSuchHost(e.Err) {
		return "The host name could not be resolved."
	}
	return "The WinRM client cannot connect to the destination specified in the request."
}

// Hint is what to try.
func (e *Error) Hint() string {
	switch e.Kind {
	case KindRefused:
		h := "WinRM is not enabled or not listening on that port: on the host run Enable-PSRemoting -Force (or winrm quickconfig) in an elevated PowerShell, and allow the port in its firewall"
		if e.HTTPS {
			h += "; an HTTPS listener (5986) must be created separately (winrm quickconfig -transport:https, with a certificate for the host's name)"
		} else {
			h += "; if the host only has an HTTPS listener, add --https"
		}
		return h
	case KindTimeout:
		return "raise --timeout (reading a large log takes longer: lower --max or give --since), or check that the host is up and a firewall does not silently drop its WinRM port"
	case KindTLS:
		if isPlainHTTP(e.Err) {
			return "the port speaks plain HTTP, not HTTPS: drop --https, or use the HTTPS listener's port (5986)"
		}
		return "the host's certificate is not trusted here or does not name the host: connect by the name on the certificate, install its CA on this machine, or (on a network you trust) add --insecure-skip-verify"
	case KindAuth:
		if e.Err != nil && errors.Is(e.Err, errBasicRefused) {
			return "the server offers only Basic authentication, which sends the password itself; kmsctl does not fall back to it with --auth ntlm: give --auth basic (over --https) if that is what the host is set up for"
		}
		h := "check --user and the password"
		switch e.Auth {
		case AuthBasic:
			h += "; Basic works only with a local account of the host and only where Basic is enabled (winrm set winrm/config/service/auth @{Basic=\"true\"}; it is off by default): for a domain account use --auth ntlm"
			if strings.Contains(strings.ToLower(e.Offers), "negotiate") || strings.Contains(strings.ToLower(e.Offers), "ntlm") {
				h += " (this host offers " + e.Offers + ")"
			}
		default:
			h += " (DOMAIN\\user or user@domain for a domain account); the account must be allowed to use WinRM on the host (local Administrators or Remote Management Users)"
		}
		return h
	case KindHTTP:
		var se *sealError
		if errors.As(e.Err, &se) {
			return "over plain HTTP kmsctl encrypts each WinRM message with the NTLM session's keys, as a Windows host requires (AllowUnencrypted=false), and checks the host's encrypted answers: this one did not check out, so something on the path may have changed it, or the port is not a Windows WinRM listener; --https protects the messages with TLS instead"
		}
		if !e.HTTPS && e.Status == 400 {
			return "if that port is an HTTPS listener (5986 by default), add --https"
		}
		return "the answer was not what a WinRM service sends; check that the port is the host's WinRM listener (5985, or 5986 with --https)"
	case KindCommand:
		switch c := e.Code(); {
		case c == codeAccessDenied:
			return "the account may not read the licensing WMI classes or the event log remotely: make it a member of the host's Administrators, or see README (least-privilege account: Remote Management Users, Event Log Readers, Remote Enable on root\\cimv2)"
		case strings.Contains(e.Error(), "NoMatchingLogsFound"):
			return "the host has no \"Key Management Service\" event log: it is probably not a KMS host (kmsctl host dlv HOST checks)"
		}
		return "run the PowerShell command from kmsctl's README (kmsctl host … --show-script prints it) in PowerShell on the host to see the full error"
	case KindDecode:
		return "the host's PowerShell wrote something else than kmsctl's JSON: run the command from kmsctl's README (--show-script prints it) on the host and compare; a PowerShell older than 3.0 lacks Get-CimInstance and ConvertTo-Json"
	case KindNotKMSHost:
		return "this machine has no KMS host key (CSVLK) installed and activated: point kmsctl at the KMS host (nslookup -type=srv _vlmcs._tcp finds it), or install one (slmgr /ipk CSVLK, then slmgr /ato)"
	}
	if isNoSuchHost(e.Err) {
		return "the host name does not resolve; check its spelling and your DNS"
	}
	h := "check that the host is up and its WinRM port reachable from here"
	if !e.HTTPS {
		h += "; if that port is an HTTPS listener (5986 by default), add --https"
	}
	return h
}

// notKMSHost describes a machine without a KMS host product.
func notKMSHost(host, op string, c *Counters) *Error {
	var ps []string
	for _, p := range c.Products {
		ps = append(ps, p.Name+" ("+channel(p.Description)+", "+p.LicenseStatus.Text()+")")
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
		e.Fault = eFail
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
