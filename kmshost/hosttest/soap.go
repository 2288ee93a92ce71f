package hosttest

// What a Windows WinRM service puts around its answers, so that kmsctl is
// tested against their real shape: HTTP.sys's Server header, a full
// WS-Addressing header on every SOAP answer (Action, a fresh MessageID, To
// the anonymous role, RelatesTo the request's MessageID), the envelopes of
// the shell operations as Windows writes them, and faults with the same
// header and a WSManFault or MSFT_WmiError detail (MS-WSMV 2.2.4.43).

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/kmsctl/kmsctl/guid"
)

// ServerHeader is the Server header of every answer of a Windows WinRM
// listener: HTTP.sys's.
const ServerHeader = "Microsoft-HTTPAPI/2.0"

// soapContentType is the Content-Type of Windows' SOAP answers.
const soapContentType = "application/soap+xml;charset=UTF-8"

// Actions of the requests and answers the server handles (WS-Transfer,
// MS-WSMV 3.1.4), and the fault's.
const (
	actionCreate  = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create"
	actionDelete  = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete"
	actionCommand = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command"
	actionReceive = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive"
	actionSignal  = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal"
	actionFault   = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
	roleAnonymous = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
	shellURI      = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"
)

// envelopeOpen declares the prefixes Windows declares on every answer.
const envelopeOpen = `<s:Envelope xml:lang="en-US" xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer" xmlns:e="http://schemas.xmlsoap.org/ws/2004/08/eventing" xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell">`

// addressing is the WS-Addressing part of a request: what it asks and its ID.
type addressing struct {
	Action, MessageID string
}

type addressingKey struct{}

// readAddressing reads the request's a:Action and a:MessageID from its
// SOAP header with an XML decoder; empty when the body is no envelope.
func readAddressing(body []byte) addressing {
	var a addressing
	d := xml.NewDecoder(bytes.NewReader(body))
	var path []string
	for {
		tok, err := d.Token()
		if err != nil {
			return a
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
		case xml.EndElement:
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
			if len(path) == 1 && t.Name.Local == "Header" {
				return a
			}
		case xml.CharData:
			if len(path) == 3 && path[1] == "Header" {
				switch path[2] {
				case "Action":
					a.Action = strings.TrimSpace(string(t))
				case "MessageID":
					a.MessageID = strings.TrimSpace(string(t))
				}
			}
		}
	}
}

// newID is a message or shell ID as Windows writes it: an upper-case GUID.
func newID() string {
	g, err := guid.NewRandom(rand.Reader)
	if err != nil {
		panic(err)
	}
	return strings.ToUpper(g.String())
}

// envelope is a whole SOAP answer with Windows' header.
func envelope(action, relatesTo, body string) []byte {
	var b bytes.Buffer
	b.WriteString(envelopeOpen)
	b.WriteString("<s:Header><a:Action>" + action + "</a:Action><a:MessageID>uuid:" + newID() + "</a:MessageID><a:To>" + roleAnonymous + "</a:To>")
	if relatesTo != "" {
		b.WriteString("<a:RelatesTo>")
		xml.EscapeText(&b, []byte(relatesTo))
		b.WriteString("</a:RelatesTo>")
	}
	b.WriteString("</s:Header><s:Body>" + body + "</s:Body></s:Envelope>")
	return b.Bytes()
}

// Fault is a WS-Management fault as a Windows host writes it.
type Fault struct {
	Status            int    // HTTP status; 0 for 500
	SOAPCode, SubCode string // "s:Sender", "w:InvalidParameter"
	// Code is the WSManFault's Code attribute (or, with WMI, error_Code),
	// written in decimal as Windows writes it: 2150858767, 87.
	Code    uint32
	Message string
	// Provider and Path put the message in an f:ProviderFault.
	Provider, Path string
	// WMI sends a p:MSFT_WmiError in place of the WSManFault.
	WMI bool
}

// Faults as Windows sends them.
var (
	// FaultOperationTimeout answers an output poll that found nothing within
	// the OperationTimeout, as for a slow Get-WinEvent.
	FaultOperationTimeout = Fault{SOAPCode: "s:Receiver", SubCode: "w:TimedOut", Code: 2150858793,
		Message: "The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  "}
	// FaultTooManyShells refuses a shell to a user over MaxShellsPerUser.
	FaultTooManyShells = Fault{SOAPCode: "s:Receiver", SubCode: "w:QuotaLimit", Code: 2150859173,
		Message: "The WS-Management service cannot process the request. This user is allowed a maximum number of 5 concurrent shells, which has been exceeded. Close existing shells or raise the quota for this user. "}
	// FaultAccessDenied refuses an account without the right to a shell.
	FaultAccessDenied = Fault{SOAPCode: "s:Sender", SubCode: "w:AccessDenied", Code: 5, Message: "Access is denied. "}
	// FaultInvalidOptions refuses a request with an option the service does
	// not take.
	FaultInvalidOptions = Fault{SOAPCode: "s:Sender", SubCode: "w:InvalidOptions", Code: 2150858767,
		Message: "The WS-Management service cannot process the request because the request contained invalid options. "}
	// FaultInvalidParameter is the shell plug-in refusing a parameter.
	FaultInvalidParameter = Fault{SOAPCode: "s:Sender", SubCode: "w:InvalidParameter", Code: 87, Message: "The parameter is incorrect. ",
		Provider: "Shell cmd plugin", Path: `%systemroot%\system32\winrscmd.dll`}
)

// machine is the Machine attribute of the server's faults.
const machine = "kms01.corp.example.com"

// envelope is the fault as Windows writes it, relating to the request
// whose MessageID is relatesTo.
func (f Fault) envelope(relatesTo string) []byte {
	esc := func(s string) string {
		var b strings.Builder
		xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	msg := esc(f.Message)
	detail := ""
	switch {
	case f.WMI:
		detail = `<p:MSFT_WmiError b:IsCIM_Error="true" xmlns:b="http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd" xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/MSFT_WmiError" xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common" xsi:type="p:MSFT_WmiError_Type" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
			`<p:Message xsi:type="cim:cimString">` + msg + `</p:Message><p:MessageID xsi:type="cim:cimString">HRESULT 0x` + fmt.Sprintf("%08x", f.Code) + `</p:MessageID>` +
			`<p:error_Code xsi:type="cim:cimUnsignedInt">` + strconv.FormatUint(uint64(f.Code), 10) + `</p:error_Code><p:error_Type xsi:type="cim:cimString">HRESULT</p:error_Type></p:MSFT_WmiError>`
	default:
		if f.Provider != "" {
			msg = `<f:ProviderFault provider="` + esc(f.Provider) + `" path="` + esc(f.Path) + `">` + msg + `</f:ProviderFault>`
		}
		detail = `<f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="` + strconv.FormatUint(uint64(f.Code), 10) +
			`" Machine="` + machine + `"><f:Message>` + msg + `</f:Message></f:WSManFault>`
	}
	body := `<s:Fault><s:Code><s:Value>` + f.SOAPCode + `</s:Value><s:Subcode><s:Value>` + f.SubCode + `</s:Value></s:Subcode></s:Code>` +
		`<s:Reason><s:Text xml:lang="en-US">` + esc(f.Message) + `</s:Text></s:Reason><s:Detail>` + detail + `</s:Detail></s:Fault>`
	return envelope(actionFault, relatesTo, body)
}

// write sends the fault as the answer to r.
func (f Fault) write(w http.ResponseWriter, r *http.Request) {
	status := f.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	a, _ := r.Context().Value(addressingKey{}).(addressing)
	w.Header().Set("Content-Type", soapContentType)
	w.WriteHeader(status)
	w.Write(f.envelope(a.MessageID))
}

// windowsAnswer rewrites winrmtest's answer (a bare envelope without a
// header, or an empty body) as Windows writes the answer to the request's
// action.
func windowsAnswer(resp *http.Response) error {
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	a, _ := resp.Request.Context().Value(addressingKey{}).(addressing)
	if resp.StatusCode == http.StatusOK {
		var out []byte
		switch a.Action {
		case actionCreate:
			id := newID()
			out = envelope(actionCreate+"Response", a.MessageID,
				`<x:ResourceCreated><a:Address>http://`+resp.Request.Host+`/wsman</a:Address><a:ReferenceParameters><w:ResourceURI>`+shellURI+`</w:ResourceURI>`+
					`<w:SelectorSet><w:Selector Name="ShellId">`+id+`</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>`+
					`<rsp:Shell><rsp:ShellId>`+id+`</rsp:ShellId><rsp:ResourceUri>`+shellURI+`</rsp:ResourceUri><rsp:IdleTimeOut>PT7200.000S</rsp:IdleTimeOut>`+
					`<rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>`)
		case actionCommand:
			if m := winrmtestCommandID.FindSubmatch(body); m != nil {
				out = envelope(actionCommand+"Response", a.MessageID, `<rsp:CommandResponse><rsp:CommandId>`+string(m[1])+`</rsp:CommandId></rsp:CommandResponse>`)
			}
		case actionReceive:
			const open, end = "<rsp:ReceiveResponse>", "</rsp:ReceiveResponse>"
			if i, j := bytes.Index(body, []byte(open)), bytes.LastIndex(body, []byte(end)); i >= 0 && j > i {
				out = envelope(actionReceive+"Response", a.MessageID, string(body[i:j+len(end)]))
			}
		case actionSignal:
			out = envelope(actionSignal+"Response", a.MessageID, `<rsp:SignalResponse/>`)
		case actionDelete:
			out = envelope(actionDelete+"Response", a.MessageID, ``)
		}
		if out != nil {
			body = out
			resp.Header.Set("Content-Type", soapContentType)
		}
	}
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return nil
}

// withAddressing keeps the request's addressing for the answer's header.
func withAddressing(r *http.Request, body []byte) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), addressingKey{}, readAddressing(body)))
}
