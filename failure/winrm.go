package failure

import (
	"strings"

	"github.com/kmsctl/kmsctl/kmshost"
)

// winrmWords: reading a KMS host over WinRM failed.
func winrmWords(e *kmshost.Error, c Context) said {
	if s, ok := faultWords(e, c); ok {
		return s
	}
	return said{code: e.Code(), message: winrmMeaning(e), fix: winrmHint(e, c)}
}

// winrmMeaning says what the code means here, where errors.csv's text is about
// KMS activation rather than WinRM.
func winrmMeaning(e *kmshost.Error) string {
	switch e.Kind {
	case kmshost.KindRefused:
		return "The connection was refused: nothing accepts WinRM connections on that port."
	case kmshost.KindTimeout:
		return "The host's WinRM service did not answer in time."
	case kmshost.KindTLS:
		return "The HTTPS connection to the host's WinRM listener could not be set up securely."
	case kmshost.KindAuth:
		return "Access denied: the host's WinRM service refused the credentials or the authentication method."
	case kmshost.KindHTTP:
		return "The host's WinRM service answered with an error."
	case kmshost.KindCommand:
		return "The PowerShell command kmsctl runs failed on the host."
	case kmshost.KindDecode:
		return "The host's answer was not the JSON kmsctl's PowerShell command writes."
	case kmshost.KindNotKMSHost:
		// slmgr's own text for this code.
		return "The software Licensing Service reported that the computer could not be activated. The Key Management Service (KMS) is not enabled"
	}
	if e.NoSuchHost() {
		return "The host name could not be resolved."
	}
	return "The WinRM client cannot connect to the destination specified in the request."
}

// winrmHint is what to try.
func winrmHint(e *kmshost.Error, c Context) string {
	switch e.Kind {
	case kmshost.KindRefused:
		h := "WinRM is not enabled or not listening on that port: on the host run Enable-PSRemoting -Force (or winrm quickconfig) in an elevated PowerShell, and allow the port in its firewall"
		if e.HTTPS {
			h += "; an HTTPS listener (5986) must be created separately (winrm quickconfig -transport:https, with a certificate for the host's name)"
		} else {
			h += c.say("https", "; if the host only has an HTTPS listener, add --https")
		}
		return h
	case kmshost.KindTimeout:
		h := "check that the host is up and a firewall does not silently drop its WinRM port"
		if f := c.flagList("timeout", "winrm-timeout"); f != "" {
			h = "raise " + f + ", or " + h
		}
		if c.Flag("max") != "" && c.Flag("since") != "" {
			h += "; reading a large log takes longer: lower --max or give --since"
		}
		return h
	case kmshost.KindTLS:
		if e.PlainHTTP() {
			return "the port speaks plain HTTP, not HTTPS: " + c.say("https", "drop --https, or ") + "use the HTTPS listener's port (5986)"
		}
		if c.Flag("insecure-skip-verify") == "" {
			return "the host's certificate is not trusted here or does not name the host: connect by the name on the certificate, or install its CA on this machine"
		}
		return "the host's certificate is not trusted here or does not name the host: connect by the name on the certificate, install its CA on this machine, or (on a network you trust) add --insecure-skip-verify"
	case kmshost.KindAuth:
		if e.BasicOnly() {
			return "the server offers only Basic authentication, which sends the password itself; kmsctl does not fall back to it" + c.say("auth", " with --auth ntlm: give --auth basic (over --https) if that is what the host is set up for")
		}
		h := "check the user name and the password"
		if f := c.Flag("user"); f != "" {
			h = "check " + f + " and the password"
		}
		switch e.Auth {
		case kmshost.AuthBasic:
			h += "; Basic works only with a local account of the host and only where Basic is enabled (winrm set winrm/config/service/auth @{Basic=\"true\"}; it is off by default)" + c.say("auth", ": for a domain account use --auth ntlm")
			if strings.Contains(strings.ToLower(e.Offers), "negotiate") || strings.Contains(strings.ToLower(e.Offers), "ntlm") {
				h += " (this host offers " + e.Offers + ")"
			}
		default:
			h += " (DOMAIN\\user or user@domain for a domain account); the account must be allowed to use WinRM on the host (local Administrators or Remote Management Users)"
		}
		return h
	case kmshost.KindHTTP:
		if e.SealBroken() {
			return "over plain HTTP kmsctl encrypts each WinRM message with the NTLM session's keys, as a Windows host requires (AllowUnencrypted=false), and checks the host's encrypted answers: this one did not check out, so something on the path may have changed it, or the port is not a Windows WinRM listener" + c.say("https", "; --https protects the messages with TLS instead")
		}
		if !e.HTTPS && e.Status == 400 && c.Flag("https") != "" {
			return "if that port is an HTTPS listener (5986 by default), add --https"
		}
		return "the answer was not what a WinRM service sends; check that the port is the host's WinRM listener (5985, or 5986" + c.say("https", " with --https") + ")"
	case kmshost.KindCommand:
		switch {
		case e.AccessDenied():
			return "the account may not read the licensing WMI classes or the event log remotely: make it a member of the host's Administrators, or see README (least-privilege account: Remote Management Users, Event Log Readers, Remote Enable on root\\cimv2)"
		case e.NoEventLog():
			return "the host has no \"Key Management Service\" event log: it is probably not a KMS host (kmsctl host dlv HOST checks)"
		}
		return "run the PowerShell command from kmsctl's README (" + c.showScript() + " prints it) in PowerShell on the host to see the full error"
	case kmshost.KindDecode:
		return "the host's PowerShell wrote something else than kmsctl's JSON: run the command from kmsctl's README (" + c.showScript() + " prints it) on the host and compare; a PowerShell older than 3.0 lacks Get-CimInstance and ConvertTo-Json"
	case kmshost.KindNotKMSHost:
		return "this machine has no KMS host key (CSVLK) installed and activated: point kmsctl at the KMS host (nslookup -type=srv _vlmcs._tcp finds it), or install one (slmgr /ipk CSVLK, then slmgr /ato)"
	}
	if e.NoSuchHost() {
		return "the host name does not resolve; check its spelling and your DNS"
	}
	h := "check that the host is up and its WinRM port reachable from here"
	if !e.HTTPS {
		h += c.say("https", "; if that port is an HTTPS listener (5986 by default), add --https")
	}
	return h
}

// say is text when the command has the flag it names, else "".
func (c Context) say(flag, text string) string {
	if c.Flag(flag) == "" {
		return ""
	}
	return text
}

// showScript names the way to see the PowerShell kmsctl runs: the running
// command's --show-script, or host dlv's.
func (c Context) showScript() string {
	if f := c.Flag("show-script"); f != "" {
		return f
	}
	return "kmsctl host dlv --show-script"
}
