package kmshost_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmsclient"
	. "github.com/kmsctl/kmsctl/kmshost"
	"github.com/kmsctl/kmsctl/kmshost/hosttest"
)

func TestDecodeCounters_KMSHost(t *testing.T) {
	c, err := DecodeCounters(hosttest.KMSHostJSON())
	if err != nil {
		t.Fatal(err)
	}
	s := c.Service
	if c.Computer != "KMS01" || s.Version != "10.0.17763.1" || !s.KMSMachine || *s.CurrentCount != 50 || *s.RequiredClientCount != 25 {
		t.Errorf("service: %+v", s)
	}
	if *s.ListeningPort != 0 || s.Port() != 1688 || !*s.DNSPublishing || *s.LowPriority || !*s.HostCaching {
		t.Errorf("service settings: port %d (%d) dns %v low %v caching %v", *s.ListeningPort, s.Port(), *s.DNSPublishing, *s.LowPriority, *s.HostCaching)
	}
	if *s.ActivationInterval != 120 || *s.RenewalInterval != 10080 || s.CMID != guid.MustParse("2b4a8f77-1c0e-4d5b-9f1e-6a7c3d2e1f00") {
		t.Errorf("intervals, CMID: %d %d %s", *s.ActivationInterval, *s.RenewalInterval, s.CMID)
	}
	want := Requests{Total: 5123, Failed: 12, Licensed: 4870, OOBGrace: 240, OOTGrace: 1, Notification: 12}
	if s.Requests == nil || *s.Requests != want {
		t.Errorf("requests %+v, want %+v", s.Requests, want)
	}
	kms := c.KMSProducts()
	if len(kms) != 2 || kms[0].Name != "Windows(R), ServerStandard edition" || kms[1].ApplicationID != guid.MustParse(hosttest.OfficeApp) {
		t.Fatalf("KMS products: %+v", kms)
	}
	w := kms[0]
	if w.LicenseStatus != kmsclient.StatusLicensed || w.LicenseStatus.String() != "Licensed" || *w.CurrentCount != 50 || *w.RequiredClientCount != 25 ||
		w.EPID != hosttest.HostEPID || w.PartialProductKey != "ABCDE" || !IsHostKeyChannel(w.Description) {
		t.Errorf("Windows host product: %+v", w)
	}
	if *kms[1].CurrentCount != 10 || kms[1].Requests.Total != 812 {
		t.Errorf("Office host product: %+v", kms[1])
	}
}

func TestDecodeCounters_NotKMSHost(t *testing.T) {
	c, err := DecodeCounters(hosttest.NotKMSHostJSON())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.KMSProducts()) != 0 || c.Service.KMSMachine || c.Service.CurrentCount != nil || c.Service.Requests != nil {
		t.Errorf("a KMS client decoded as %+v", c)
	}
	if p := c.Products[0]; p.GraceMinutes != 259193 || IsHostKeyChannel(p.Description) || p.Requests != nil {
		t.Errorf("client product: %+v", p)
	}
}

// doc returns the KMS host's document with one service property changed.
func withService(name string, v any) []byte {
	d := hosttest.KMSHost()
	d["service"].(map[string]any)[name] = v
	return hosttest.Compact(d)
}

func withProduct(name string, v any) []byte {
	d := hosttest.KMSHost()
	d["products"].([]any)[0].(map[string]any)[name] = v
	return hosttest.Compact(d)
}

func TestDecodeCounters_Values(t *testing.T) {
	for _, tt := range []struct {
		doc   []byte
		check func(*Counters) bool
	}{
		{withService("KeyManagementServiceCurrentCount", uint32(4294967295)), func(c *Counters) bool { return *c.Service.CurrentCount == -1 }},
		{withService("KeyManagementServiceCurrentCount", -1), func(c *Counters) bool { return *c.Service.CurrentCount == -1 }},
		{withService("KeyManagementServiceCurrentCount", nil), func(c *Counters) bool { return c.Service.CurrentCount == nil }},
		{withService("KeyManagementServiceListeningPort", 1700), func(c *Counters) bool { return c.Service.Port() == 1700 }},
		{withService("KeyManagementServiceTotalRequests", nil), func(c *Counters) bool { return c.Service.Requests == nil }},
		{withProduct("LicenseStatusReason", -1073418231), func(c *Counters) bool { return c.Products[0].LicenseStatusReason == 0xC004F009 }},
		{withProduct("LicenseStatusReason", uint32(0xC004F009)), func(c *Counters) bool { return c.Products[0].LicenseStatusReason == 0xC004F009 }},
		{withProduct("ID", "{00000000-1111-2222-3333-444444444444}"), func(c *Counters) bool { return !c.Products[0].ID.IsZero() }},
		{withProduct("LicenseStatus", 9), func(c *Counters) bool { return c.Products[0].LicenseStatus.Name() == "Unknown(9)" }},
		{append([]byte("\xef\xbb\xbf"), hosttest.KMSHostJSON()...), func(c *Counters) bool { return c.Computer == "KMS01" }},
		{[]byte(strings.Replace(string(hosttest.KMSHostJSON()), `"ApplicationId"`, `"APPLICATIONID"`, 1)), func(c *Counters) bool { return !c.Products[0].ApplicationID.IsZero() }},
		// WMI writes 4294967295, not null, for counters that do not apply.
		{withProduct("KeyManagementServiceFailedRequests", uint32(4294967295)), func(c *Counters) bool { return c.Products[0].Requests == nil }},
		{withProduct("KeyManagementServiceTotalRequests", uint32(4294967295)), func(c *Counters) bool { return c.Products[0].Requests == nil }},
		{withProduct("KeyManagementServiceCurrentCount", uint32(4294967295)), func(c *Counters) bool {
			n, ok := c.Products[0].Counted()
			return !ok && n == 0
		}},
		{withProduct("KeyManagementServiceCurrentCount", 24), func(c *Counters) bool { n, ok := c.Products[0].Counted(); return ok && n == 24 }},
	} {
		c, err := DecodeCounters(tt.doc)
		if err != nil || !tt.check(c) {
			t.Errorf("%.120s…: %+v, %v", tt.doc, c, err)
		}
	}
}

func TestDecodeCounters_Errors(t *testing.T) {
	doc := string(hosttest.KMSHostJSON())
	for _, tt := range []struct {
		doc  []byte
		want string
	}{
		{nil, "wrote nothing"},
		{[]byte("  \r\n"), "wrote nothing"},
		{hosttest.MalformedJSON, "not JSON (unexpected end of JSON input"},
		{[]byte("#< CLIXML\r\n<Objs/>"), "not JSON"},
		{[]byte(doc + "{}"), "not JSON"},
		{[]byte(`[1,2]`), "want an object, got an array"},
		{[]byte(strings.Replace(doc, `"v":1`, `"v":2`, 1)), "v: want 1"},
		{[]byte(strings.Replace(doc, `,"v":1`, ``, 1)), "v: want 1"},
		{withService("KeyManagementServiceCurrentCount", "50"), `service.KeyManagementServiceCurrentCount: want a count (a whole number from 0 to 4294967295, or -1), got a string "50"`},
		{withService("KeyManagementServiceCurrentCount", -2), "service.KeyManagementServiceCurrentCount: want a count"},
		{withService("KeyManagementServiceDnsPublishing", 1), "service.KeyManagementServiceDnsPublishing: want true or false, got a number 1"},
		{withService("KeyManagementServiceListeningPort", 1.5), "service.KeyManagementServiceListeningPort: want a whole number"},
		{withService("KeyManagementServiceListeningPort", 4294967296), "service.KeyManagementServiceListeningPort: want a whole number"},
		{withService("IsKeyManagementServiceMachine", nil), "service.IsKeyManagementServiceMachine: missing or null"},
		{withService("Version", nil), "service.Version: missing or null"},
		{withService("Version", 10), "service.Version: want a string"},
		{withService("ClientMachineID", "not-a-guid"), `service.ClientMachineID: want a GUID, got "not-a-guid"`},
		{withService("KeyManagementServiceFailedRequests", nil), "service.KeyManagementServiceFailedRequests: missing or null"},
		{withProduct("ID", nil), "products[0].ID: missing or null"},
		{withProduct("LicenseStatus", "1"), "products[0].LicenseStatus: want a whole number"},
		{withProduct("LicenseStatusReason", 1e12), "products[0].LicenseStatusReason: want a 32-bit whole number"},
		{[]byte(strings.Replace(doc, `"products":[`, `"products":7,"x":[`, 1)), "products: want an array, got a number 7"},
		{[]byte(strings.Replace(doc, `"Version"`, `"version":"1","Version"`, 1)), "given twice"},
		{[]byte(`{"v":1,"computer":"X","products":[]}`), "service: missing or null"},
	} {
		c, err := DecodeCounters(tt.doc)
		var de *DecodeError
		if c != nil || !errors.As(err, &de) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%.80q: %v, %v; want a DecodeError containing %q", tt.doc, c, err, tt.want)
		}
	}
}

func TestDecodeCounters_ScriptError(t *testing.T) {
	c, err := DecodeCounters(hosttest.AccessDeniedJSON())
	var se *ScriptError
	if c != nil || !errors.As(err, &se) || se.Code() != 0x80070005 || !strings.HasPrefix(se.Message, "Access is denied.") {
		t.Fatalf("%v, %v", c, err)
	}
	if _, err := DecodeEvents(hosttest.AccessDeniedJSON()); !errors.As(err, &se) {
		t.Errorf("events: %v", err)
	}
}

func TestScriptError_Code(t *testing.T) {
	for _, tt := range []struct {
		se   ScriptError
		want hresult.Code
	}{
		{ScriptError{HResult: -2146233088, ID: "HRESULT 0x8004100e,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand"}, 0x8004100E},
		{ScriptError{HResult: -2147024891, ID: "System.UnauthorizedAccessException,Microsoft.PowerShell.Commands.GetWinEventCommand"}, 0x80070005},
		{ScriptError{HResult: -2146233088, ID: "NoMatchingLogsFound,Microsoft.PowerShell.Commands.GetWinEventCommand"}, 0x80004005},
		{ScriptError{HResult: 0}, 0x80004005},
		{ScriptError{HResult: 5}, 0x80004005},
		{ScriptError{HResult: int64(0xC004F074)}, 0xC004F074},
	} {
		if got := tt.se.Code(); got != tt.want {
			t.Errorf("%+v: %s, want %s", tt.se, got, tt.want)
		}
	}
}

func TestDecodeEvents_Sample(t *testing.T) {
	l, err := DecodeEvents(hosttest.EventsJSON(hosttest.DefaultNow, hosttest.SampleEvents(hosttest.DefaultNow)))
	if err != nil {
		t.Fatal(err)
	}
	if l.Computer != "KMS01" || !l.Now.Equal(hosttest.DefaultNow) || len(l.Events) != 11 {
		t.Fatalf("log: %s %s %d events", l.Computer, l.Now, len(l.Events))
	}
	e := l.Events[2]
	if e.ID != 12290 || e.Result != hresult.NotEnoughCount || *e.MinCount != 25 || e.Client != "pc-0377.corp.example.com" ||
		e.CMID != guid.MustParse("3e2d8f50-ac74-4021-9f83-5b4c9daebf03") || *e.VM || *e.LicenseStatus != kmsclient.StatusOOBGrace ||
		*e.ExpiresInMinutes != 28740 || e.ActivationID != guid.MustParse(hosttest.Win10Enterprise) || e.Problem != "" || !e.Failed() {
		t.Errorf("event: %+v", e)
	}
	for i := 1; i < len(l.Events); i++ {
		if l.Events[i].Time.After(l.Events[i-1].Time) {
			t.Errorf("event %d is newer than event %d", i, i-1)
		}
	}
	s := Summarize(l.Events)
	if s.Events != 11 || s.ByID[12290] != 11 || s.CMIDs != 6 || s.Clients != 7 || s.Succeeded != 7 || s.Failed != 4 || s.Unreadable != 0 {
		t.Errorf("summary: %+v", s)
	}
	if len(s.Results) != 4 || s.Results[0] != (ResultCount{hresult.OK, 7}) || s.Results[1] != (ResultCount{hresult.NotEnoughCount, 2}) {
		t.Errorf("results: %+v", s.Results)
	}
	if len(s.SharedCMIDs) != 1 || strings.Join(s.SharedCMIDs[0].Clients, " ") != "pc-0201.corp.example.com pc-0202.corp.example.com" {
		t.Errorf("shared CMIDs: %+v", s.SharedCMIDs)
	}
	if !s.Newest.Equal(l.Events[0].Time) || !s.Oldest.Equal(l.Events[10].Time) {
		t.Errorf("span %s – %s", s.Oldest, s.Newest)
	}
}

func events(fields ...hosttest.Event) []byte {
	return hosttest.EventsJSON(hosttest.DefaultNow, fields)
}

// TestDecodeEvents_Shapes: the Info fields as one comma-separated string,
// as separate insertion strings, and with one unexplained string first.
func TestDecodeEvents_Shapes(t *testing.T) {
	at := hosttest.DefaultNow.Add(-time.Minute)
	info := "0xC004F06C,5,client01.contoso.com,36f27b39-2fd5-440b-be67-a09996d27a38,2010/9/29 21:46,0,2,41520,68531fb9-5511-4989-97be-d11a0f55633f"
	sep := strings.Split(info, ",")
	for name, f := range map[string][]string{
		"one string":           {info},
		"one string, spaced":   {strings.ReplaceAll(info, ",", ", ")},
		"insertion strings":    sep,
		"leading extra string": append([]string{"?"}, sep...),
	} {
		l, err := DecodeEvents(events(hosttest.Event{Time: at, ID: 12290, Fields: f}))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		e := l.Events[0]
		if e.Problem != "" || e.Result != hresult.InvalidTimestamp || e.Client != "client01.contoso.com" || *e.ExpiresInMinutes != 41520 || e.ClientTime != "2010/9/29 21:46" {
			t.Errorf("%s: %+v", name, e)
		}
	}
	sent := "0xC004F06C, 0x00000000, kms01.contoso.com:1688, 36f27b39-2fd5-440b-be67-a09996d27a38, 2010/09/29 17:52, 0, 2, 41760, 68531fb9-5511-4989-97be-d11a0f55633f, 5"
	handled := []string{"0x0", "0x4000008", "0", "0", "4", "120", "10080", "1/14/2006 2:30"}
	l, err := DecodeEvents(events(hosttest.Event{Time: at, ID: 12288, Fields: []string{sent}}, hosttest.Event{Time: at, ID: 12289, Fields: handled}))
	if err != nil {
		t.Fatal(err)
	}
	if e := l.Events[0]; e.Problem != "" || e.Server != "kms01.contoso.com:1688" || *e.MinCount != 5 || *e.Status != 0 || *e.LicenseStatus != kmsclient.StatusOOBGrace {
		t.Errorf("12288: %+v", e)
	}
	if e := l.Events[1]; e.Problem != "" || *e.Status != 0x4000008 || *e.Activated || *e.Count != 4 || *e.RenewalInterval != 10080 || e.ClientTime != "1/14/2006 2:30" {
		t.Errorf("12289: %+v", e)
	}
}

func TestDecodeEvents_Unreadable(t *testing.T) {
	at := hosttest.DefaultNow
	good := []string{"0x0", "25", "pc", "36f27b39-2fd5-440b-be67-a09996d27a38", "t", "0", "1", "10", "68531fb9-5511-4989-97be-d11a0f55633f"}
	bad := func(i int, v string) []string { f := append([]string(nil), good...); f[i] = v; return f }
	for _, tt := range []struct {
		fields []string
		want   string
	}{
		{[]string{"a", "b"}, "event 12290 has 9 Info fields, this one 2"},
		{[]string{}, "event 12290 has 9 Info fields, this one 0"},
		{bad(0, "ok"), `HRESULT "ok" is not an error code`},
		{bad(1, "-3"), `N-Policy "-3" is not a number`},
		{bad(3, "zz"), `CMID "zz" is not a GUID`},
		{bad(5, "2"), `VM Info "2" is not 0 or 1`},
		{bad(8, ""), `ActID "" is not a GUID`},
	} {
		l, err := DecodeEvents(events(hosttest.Event{Time: at, ID: 12290, Fields: tt.fields}))
		if err != nil {
			t.Fatal(err)
		}
		if e := l.Events[0]; !strings.Contains(e.Problem, tt.want) || e.Failed() || len(e.Fields) != len(tt.fields) {
			t.Errorf("%q: problem %q, want %q", tt.fields, e.Problem, tt.want)
		}
		if s := Summarize(l.Events); s.Unreadable != 1 || s.Failed+s.Succeeded != 0 {
			t.Errorf("%q: summary %+v", tt.fields, s)
		}
	}
}

func TestDecodeEvents_Errors(t *testing.T) {
	ok := string(events(hosttest.SampleEvents(hosttest.DefaultNow)[:1]...))
	for _, tt := range []struct {
		doc  string
		want string
	}{
		{strings.Replace(ok, `"id":12290`, `"id":4624`, 1), "events[0].id: want 12288, 12289 or 12290"},
		{strings.Replace(ok, `"id":12290`, `"id":"12290"`, 1), "events[0].id: want a whole number"},
		{strings.Replace(ok, `"t":"2026`, `"t":"x2026`, 1), "events[0].t: want a time"},
		{strings.Replace(ok, `"d":["0x0"`, `"d":[0`, 1), "events[0].d[0]: want a string, got a number 0"},
		{strings.Replace(ok, `"d":[`, `"d":7,"x":[`, 1), "events[0].d: want an array"},
		{strings.Replace(ok, `"now":"`, `"now":"yesterday`, 1), "now: want a time"},
		{`{"v":1,"computer":"K","now":"2026-11-23T17:55:04Z","events":{}}`, "events: want an array, got an object"},
		{`{"v":1,"computer":"K","now":"2026-11-23T17:55:04Z","events":[{"t":"2026-11-23T17:55:04Z","id":12290,"d":null}]}`, "events[0].d: missing or null"},
		{`{"v":1,"computer":"K","now":"2026-11-23T17:55:04Z"}`, "events: missing or null"},
	} {
		l, err := DecodeEvents([]byte(tt.doc))
		var de *DecodeError
		if l != nil || !errors.As(err, &de) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%.100s: %v; want %q", tt.doc, err, tt.want)
		}
	}
	l, err := DecodeEvents([]byte(`{"v":1,"computer":"K","now":"2026-11-23T17:55:04.1234567Z","events":[]}`))
	if err != nil || len(l.Events) != 0 || l.Now.Nanosecond() != 123456700 {
		t.Errorf("empty log: %+v, %v", l, err)
	}
}
