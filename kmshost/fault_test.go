package kmshost

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kmsctl/kmsctl/hresult"
)

func readFault(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "faults", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestParseFault reads every fault of testdata/faults (shaped as Windows
// sends them, full SOAP header included) into code, sub-code and
// Windows' own message, with nothing from the header.
func TestParseFault(t *testing.T) {
	tests := []struct {
		file              string
		code              hresult.Code
		soap, sub         string
		message, provider string
	}{
		{"operation_timeout.xml", 0x80338029, "s:Receiver", "w:TimedOut",
			"The WS-Management service cannot complete the operation within the time specified in OperationTimeout.", ""},
		{"invalid_parameter.xml", 0x80070057, "s:Sender", "w:InvalidParameter", "The parameter is incorrect.", "Shell cmd plugin"},
		{"invalid_options_single_quotes.xml", 0x8033800F, "s:Sender", "w:InvalidOptions",
			"The WS-Management service cannot process the request because the request contained invalid options.", ""},
		{"access_denied.xml", 0x80070005, "s:Sender", "w:AccessDenied", "Access is denied.", ""},
		{"too_many_shells.xml", 0x803381A5, "s:Receiver", "w:QuotaLimit",
			"The WS-Management service cannot process the request. This user is allowed a maximum number of 5 concurrent shells, which has been exceeded. Close existing shells or raise the quota for this user.", ""},
		{"file_not_found.xml", 0x80070002, "s:Receiver", "w:InternalError", "The system cannot find the file specified.", "Shell cmd plugin"},
		{"wmi_invalid_class.xml", 0x80041010, "s:Sender", "w:InvalidParameter",
			"The WS-Management service cannot process the request. The WMI service or the WMI provider returned an unknown error: HRESULT 0x80041010", ""},
		{"reason_only.xml", 0, "s:Sender", "w:SchemaValidationError",
			"The SOAP XML in the message does not match the corresponding XML schema definition. Change the XML and retry.", ""},
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "faults", "*.xml"))
	if len(files) != len(tests) {
		t.Errorf("%d fault files, %d tested", len(files), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, ok := ParseFault(readFault(t, tt.file))
			if !ok || f.Code != tt.code || f.SOAPCode != tt.soap || f.SubCode != tt.sub || f.Message != tt.message || f.Provider != tt.provider {
				t.Errorf("ParseFault = %+v, %v\nwant code %s, %s %s, %q, provider %q", f, ok, tt.code, tt.soap, tt.sub, tt.message, tt.provider)
			}
			for _, leak := range []string{"uuid:", "http://", "anonymous", "fault"} {
				if strings.Contains(f.Message, leak) {
					t.Errorf("the message holds %q from the header: %q", leak, f.Message)
				}
			}
			if f.Code != 0 && !strings.HasPrefix(tt.file, "wmi") && f.Machine != "kms01.corp.example.com" {
				t.Errorf("machine %q", f.Machine)
			}
		})
	}
	if f, _ := ParseFault(readFault(t, "invalid_parameter.xml")); f.Path != `%systemroot%\system32\winrscmd.dll` {
		t.Errorf("provider path %q", f.Path)
	}
}

func TestParseFault_NotFaults(t *testing.T) {
	for _, body := range []string{
		"", "<html><body>Bad Request</body></html>", "not xml at all", "<s:Envelope",
		`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><x:ResourceCreated/></s:Body></s:Envelope>`,
		// A Fault outside s:Body is not the answer's fault.
		`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header><s:Fault/></s:Header><s:Body/></s:Envelope>`,
		`<Fault><Reason><Text>no envelope</Text></Reason></Fault>`,
	} {
		if f, ok := ParseFault([]byte(body)); ok {
			t.Errorf("%q read as a fault: %+v", body, f)
		}
	}
}

// TestParseFault_Codes: the Code attribute as Windows and others write it.
func TestParseFault_Codes(t *testing.T) {
	for _, c := range []struct {
		attr string
		code hresult.Code
	}{
		{`Code="2150858767"`, 0x8033800F}, {`Code='2150858767'`, 0x8033800F}, {`Code=" 87 "`, 0x80070057},
		{`Code="2147942402"`, 0x80070002}, {`Code="0x803381A5"`, 0x803381A5}, {`Code="-2147024891"`, 0x80070005},
		{`Code="0"`, 0}, {`Code="x"`, 0}, {`Code="99999999999"`, 0}, {``, 0},
	} {
		body := `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault><s:Detail><f:WSManFault xmlns:f="x" ` + c.attr + `><f:Message>m</f:Message></f:WSManFault></s:Detail></s:Fault></s:Body></s:Envelope>`
		if f, ok := ParseFault([]byte(body)); !ok || f.Code != c.code || f.Message != "m" {
			t.Errorf("%s: %+v, %v; want %s", c.attr, f, ok, c.code)
		}
	}
}

// TestParseFault_LongMessage: Windows' message is kept whole up to the cap,
// which counts runes, and never cut inside one.
func TestParseFault_LongMessage(t *testing.T) {
	msg := strings.Repeat("Zugriff verweigert. ", 150)
	body := `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header><a:MessageID xmlns:a="a">uuid:1</a:MessageID></s:Header><s:Body><s:Fault><s:Detail><f:WSManFault xmlns:f="x" Code="5"><f:Message>` + msg + `</f:Message></f:WSManFault></s:Detail></s:Fault></s:Body></s:Envelope>`
	f, ok := ParseFault([]byte(body))
	if !ok || !utf8.ValidString(f.Message) || utf8.RuneCountInString(f.Message) != maxFaultMessage+1 || !strings.HasPrefix(f.Message, "Zugriff verweigert. Zugriff") {
		t.Errorf("%d runes: %.80q", utf8.RuneCountInString(f.Message), f.Message)
	}
}

// TestFault_Err: the winrm library polls a command's output again only
// when the error it gets says "OperationTimeout"; a host in another
// language writes its own words, so the timeout fault always says it.
func TestFault_Err(t *testing.T) {
	f, _ := ParseFault(readFault(t, "operation_timeout.xml"))
	e := &Error{Kind: KindHTTP, Host: "h:5985", Op: opEvents, Status: 500, Fault: f.Code, SOAP: &f, Err: f.Err()}
	if !strings.Contains(e.Error(), "OperationTimeout") || e.Code() != 0x80338029 {
		t.Errorf("%v (%s)", e, e.Code())
	}
	german := Fault{Code: hresult.WSManOperationTimeout, SubCode: "w:TimedOut", Message: "Der WS-Verwaltungsdienst kann den Vorgang nicht in der Zeit abschließen."}
	if err := german.Err(); err == nil || !strings.Contains(err.Error(), "OperationTimeout") {
		t.Errorf("%v", err)
	}
	if err := (&Fault{}).Err(); err != nil {
		t.Errorf("an empty fault: %v", err)
	}
	if err := (&Fault{SOAPCode: "s:Sender", SubCode: "w:AccessDenied"}).Err(); err == nil || err.Error() != "s:Sender w:AccessDenied" {
		t.Errorf("%v", err)
	}
}

// TestError_FaultText: the error names the status, the code, the sub-code
// and the plug-in, then Windows' message once; Headline leaves the message
// out for a renderer that shows it on its own.
func TestError_FaultText(t *testing.T) {
	f, _ := ParseFault(readFault(t, "invalid_parameter.xml"))
	e := &Error{Kind: KindHTTP, Host: "kms01:5985", Op: opCounters, Status: 500, Fault: f.Code, SOAP: &f, Err: f.Err()}
	want := `HTTP 500, WS-Management fault 0x80070057 (w:InvalidParameter), from the plug-in "Shell cmd plugin"`
	if got := e.Error(); !strings.HasSuffix(got, want+": The parameter is incorrect.") {
		t.Errorf("Error() = %q", got)
	}
	if got := e.Headline(); !strings.HasSuffix(got, want) {
		t.Errorf("Headline() = %q", got)
	}
}

// FuzzParseFault: any answer body is read without panicking; a fault's
// message is one line within the cap, its codes trimmed, and its error
// says what the fault says.
func FuzzParseFault(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "faults", "*.xml"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte("<html>Bad Request</html>"))
	f.Add([]byte(`<s:Envelope xmlns:s="s"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>w:A</s:Value><s:Subcode><s:Value>w:B</s:Value></s:Subcode></s:Subcode></s:Code></s:Fault></s:Body></s:Envelope>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		fl, ok := ParseFault(body)
		if !ok {
			if fl != (Fault{}) {
				t.Fatalf("not a fault, yet %+v", fl)
			}
			return
		}
		if strings.ContainsAny(fl.Message, "\n\r\t") || fl.Message != strings.TrimSpace(fl.Message) || strings.Contains(fl.Message, "  ") ||
			utf8.RuneCountInString(fl.Message) > maxFaultMessage+1 {
			t.Fatalf("message %q", fl.Message)
		}
		for _, s := range []string{fl.SOAPCode, fl.SubCode, fl.Provider, fl.Path, fl.Machine} {
			if s != strings.TrimSpace(s) {
				t.Fatalf("untrimmed %q in %+v", s, fl)
			}
		}
		if fl.Code != 0 && fl.Code < 0x10000 {
			t.Fatalf("code %s is not an HRESULT", fl.Code)
		}
		if err := fl.Err(); fl.Message != "" && (err == nil || !strings.HasPrefix(err.Error(), fl.Message)) {
			t.Fatalf("Err() = %v for %q", err, fl.Message)
		}
	})
}

// FuzzFaultHeader: whatever the SOAP header holds (Action, MessageID, To,
// RelatesTo, or anything else), the fault read is the same as without it.
func FuzzFaultHeader(f *testing.F) {
	f.Add("uuid:6E9C5E2A-1F0B-4C8D-9A41-2B7D3C5E8F10", "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault")
	f.Add("<f:Message>header text</f:Message>", "<s:Fault><s:Reason><s:Text>not me</s:Text></s:Reason></s:Fault>")
	f.Add("", "")
	bodies := [][]byte{readFault(f, "invalid_parameter.xml"), readFault(f, "wmi_invalid_class.xml"), readFault(f, "reason_only.xml")}
	f.Fuzz(func(t *testing.T, id, extra string) {
		if strings.Contains(extra, "Header") || strings.Contains(extra, "Envelope") {
			return // markup that ends the header is not header content
		}
		for _, full := range bodies {
			i := strings.Index(string(full), "<s:Header>")
			j := strings.Index(string(full), "</s:Header>") + len("</s:Header>")
			without := string(full[:i]) + string(full[j:])
			want, ok := ParseFault([]byte(without))
			if !ok {
				t.Fatal("the fixture without its header is no fault")
			}
			var esc strings.Builder
			xmlEscape(&esc, id)
			header := "<s:Header><a:MessageID>" + esc.String() + "</a:MessageID><a:RelatesTo>" + esc.String() + "</a:RelatesTo>"
			// extra goes in as markup: when it is not well-formed the
			// document is not, and then it need not parse.
			got, ok := ParseFault([]byte(string(full[:i]) + header + extra + "</s:Header>" + string(full[j:])))
			if ok && got != want {
				t.Fatalf("with header %q%q:\n got %+v\nwant %+v", id, extra, got, want)
			}
		}
	})
}

func xmlEscape(b *strings.Builder, s string) {
	xml.EscapeText(b, []byte(s))
}

func BenchmarkParseFault(b *testing.B) {
	body := readFault(b, "invalid_parameter.xml")
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := ParseFault(body); !ok {
			b.Fatal("not a fault")
		}
	}
}
