package kmshost

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kmsctl/kmsctl/hresult"
)

// Fault is a SOAP 1.2 fault as a Windows WinRM service sends it (MS-WSMV
// 2.2.4.43, DSP0226 §14): the SOAP code and WS-Management sub-code, the
// reason, and in s:Detail a WSManFault with a Windows error code and
// message, the message sometimes inside an f:ProviderFault naming the
// plug-in that failed; a WMI failure comes as p:MSFT_WmiError instead.
// Nothing of the SOAP header (Action, MessageID, To, RelatesTo) is kept.
type Fault struct {
	// Code is the Windows error code: WSManFault's Code attribute (a
	// decimal number, e.g. 2150858767 = 0x8033800F, or a Win32 error such
	// as 87, which is made an HRESULT, 0x80070057), else MSFT_WmiError's
	// error_Code; 0 when the fault carries neither.
	Code hresult.Code
	// SOAPCode is s:Code/s:Value ("s:Sender", "s:Receiver"); SubCode the
	// innermost s:Subcode/s:Value, the WS-Management fault
	// ("w:InvalidParameter", "w:TimedOut", "w:AccessDenied").
	SOAPCode, SubCode string
	// Message is Windows' own text: WSManFault's f:Message (including a
	// ProviderFault's text), else MSFT_WmiError's p:Message, else
	// s:Reason/s:Text; white space runs are made one space and it is
	// capped at maxFaultMessage runes.
	Message string
	// Provider and Path name the WS-Management plug-in of an
	// f:ProviderFault ("Shell cmd plugin", "%systemroot%\system32\winrscmd.dll").
	Provider, Path string
	// Machine is WSManFault's Machine attribute: the host that failed.
	Machine string
}

// maxFaultMessage caps Fault.Message, in runes; Windows' longest messages
// (the TrustedHosts explanation) are about 1,000.
const maxFaultMessage = 2000

// ParseFault reads a WS-Management fault with an XML decoder. ok is false
// when body is not a SOAP envelope whose body holds an s:Fault (an HTML
// error page, an empty answer, XML that does not parse).
func ParseFault(body []byte) (f Fault, ok bool) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true // and no entities beyond XML's five (Entity is nil)
	// Element names by local name; the prefixes Windows uses (s:, f:, p:,
	// w:) are not relied on.
	var (
		path                []string // open elements
		reason, wsmsg, wmsg strings.Builder
		wsmanCode, wmiCode  string
		haveWSMan, inFault  bool
		faultDepth          = -1
		wsmanMsgDepth       = -1 // depth of the outermost WSManFault's f:Message
		wmiDepth            = -1
		sawEnvelope         bool
	)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if inFault || faultDepth >= 0 {
				break // keep what came before a damaged tail
			}
			return Fault{}, false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			depth := len(path)
			path = append(path, name)
			switch {
			case depth == 0:
				if name != "Envelope" {
					return Fault{}, false
				}
				sawEnvelope = true
			case name == "Fault" && depth == 2 && path[1] == "Body":
				faultDepth, inFault = depth, true
			case !inFault:
			case name == "WSManFault" && !haveWSMan:
				haveWSMan = true
				wsmanCode = attr(t, "Code")
				f.Machine = attr(t, "Machine")
			case name == "Message" && haveWSMan && wsmanMsgDepth == -1 && path[depth-1] == "WSManFault":
				wsmanMsgDepth = depth
			case name == "ProviderFault" && f.Provider == "" && f.Path == "":
				f.Provider, f.Path = attr(t, "provider"), attr(t, "path")
			case name == "MSFT_WmiError" && wmiDepth == -1:
				wmiDepth = depth
			}
		case xml.EndElement:
			if len(path) == 0 {
				return Fault{}, false
			}
			depth := len(path) - 1
			path = path[:depth]
			if depth == faultDepth {
				inFault = false
			}
			if depth == wsmanMsgDepth {
				wsmanMsgDepth = -2 // read: a later Message is not this one
			}
			if depth == wmiDepth {
				wmiDepth = -2
			}
		case xml.CharData:
			if !inFault || len(path) < 2 {
				continue
			}
			name, parent := path[len(path)-1], path[len(path)-2]
			switch {
			case wsmanMsgDepth >= 0:
				wsmsg.Write(t)
				wsmsg.WriteByte(' ')
			case wmiDepth >= 0 && len(path) == wmiDepth+2 && name == "Message":
				wmsg.Write(t)
			case wmiDepth >= 0 && len(path) == wmiDepth+2 && name == "error_Code":
				wmiCode += string(t)
			case name == "Text" && parent == "Reason" && reason.Len() == 0:
				reason.Write(t)
			case name == "Value" && parent == "Code":
				f.SOAPCode = strings.TrimSpace(string(t))
			case name == "Value" && parent == "Subcode":
				f.SubCode = strings.TrimSpace(string(t)) // the innermost one wins
			}
		}
	}
	if !sawEnvelope || faultDepth < 0 {
		return Fault{}, false
	}
	if c, ok := parseFaultCode(wsmanCode); ok {
		f.Code = c
	} else if c, ok := parseFaultCode(wmiCode); ok {
		f.Code = c
	}
	for _, m := range []string{wsmsg.String(), wmsg.String(), reason.String()} {
		if m = oneLine(m); m != "" {
			f.Message = m
			break
		}
	}
	return f, true
}

// attr is the value of the attribute named local, whatever its prefix.
func attr(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

// parseFaultCode reads a Windows error number as WinRM writes it: decimal
// (2150858767), or hex with 0x, or a negative decimal HRESULT. A Win32
// error (below 0x10000, e.g. 87) becomes its HRESULT (0x80070057).
func parseFaultCode(s string) (hresult.Code, bool) {
	s = strings.TrimSpace(s)
	var v uint64
	var err error
	switch {
	case s == "":
		return 0, false
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		v, err = strconv.ParseUint(s[2:], 16, 32)
	case strings.HasPrefix(s, "-"):
		var n int64
		n, err = strconv.ParseInt(s, 10, 32)
		v = uint64(uint32(n))
	default:
		v, err = strconv.ParseUint(s, 10, 32)
	}
	if err != nil || v == 0 {
		return 0, false
	}
	if v < 0x10000 {
		return hresult.FromWin32(uint32(v)), true
	}
	return hresult.Code(v), true
}

// oneLine makes every run of white space one space and caps the text.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > maxFaultMessage {
		r := []rune(s)
		s = string(r[:maxFaultMessage]) + "…"
	}
	return s
}

// Err is the fault as an error: Windows' message, or the codes when it
// has none. The winrm library polls a command's output again only when
// the error it gets says "OperationTimeout"; a host in another language
// writes its own words, so the timeout fault always says it.
func (f *Fault) Err() error {
	text := f.Message
	if text == "" {
		text = strings.TrimSpace(f.SOAPCode + " " + f.SubCode)
	}
	if (f.Code == hresult.WSManOperationTimeout || f.SubCode == "w:TimedOut") && !strings.Contains(text, "OperationTimeout") {
		text += " (OperationTimeout)"
	}
	if text == "" {
		return nil
	}
	return errors.New(text)
}
