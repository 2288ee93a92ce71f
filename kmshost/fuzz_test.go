package kmshost_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	. "github.com/kmsctl/kmsctl/kmshost"
	"github.com/kmsctl/kmsctl/kmshost/hosttest"
)

// FuzzDecodeCounters: no input panics the decoder; an error comes with no
// value; a decoded value, written back in the script's shape, decodes to
// the same value.
func FuzzDecodeCounters(f *testing.F) {
	for _, seed := range [][]byte{
		hosttest.KMSHostJSON(), hosttest.NotKMSHostJSON(), hosttest.WrongTypesJSON(), hosttest.MalformedJSON,
		hosttest.AccessDeniedJSON(), []byte(`{"v":1,"computer":"X","service":{"Version":"6.1","IsKeyManagementServiceMachine":0},"products":[]}`),
		[]byte(`{"v":1,"service":{"Version":"1","IsKeyManagementServiceMachine":1,"KeyManagementServiceCurrentCount":-1},"products":[{"ID":"{00000000-1111-2222-3333-444444444444}","LicenseStatus":6,"LicenseStatusReason":-1073418231}]}`),
		[]byte("\xef\xbb\xbf{}"), []byte(`null`), []byte(`{"v":1,"error":{"hresult":-2147024891,"message":"x","id":"HRESULT 0x80070005,y"}}`),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := DecodeCounters(b)
		if err != nil {
			if c != nil {
				t.Fatalf("error %v with a value", err)
			}
			return
		}
		for _, p := range c.KMSProducts() {
			if !p.KMSMachine {
				t.Fatalf("KMSProducts holds a product without a host key: %+v", p)
			}
		}
		for _, n := range []*int64{c.Service.CurrentCount} {
			if n != nil && (*n < -1 || *n > 1<<32-2) {
				t.Fatalf("count %d", *n)
			}
		}
		again, err := DecodeCounters(encodeCounters(c))
		if err != nil {
			t.Fatalf("re-encoded counters do not decode: %v\n%s", err, encodeCounters(c))
		}
		if !reflect.DeepEqual(c, again) {
			t.Fatalf("round trip changed the counters:\n%+v\n%+v", c, again)
		}
	})
}

// FuzzDecodeEvents: the same properties for the log; an event either has
// every field its ID carries or says why not.
func FuzzDecodeEvents(f *testing.F) {
	now := hosttest.DefaultNow
	at := now.Add(-time.Hour)
	for _, seed := range [][]byte{
		hosttest.EventsJSON(now, hosttest.SampleEvents(now)),
		hosttest.EventsJSON(now, hosttest.ManyEvents(now, 3)),
		hosttest.EventsJSON(now, nil),
		hosttest.EventsJSON(now, []hosttest.Event{
			{Time: at, ID: 12290, Fields: []string{"0xC004F06C,5,client01.contoso.com,36f27b39-2fd5-440b-be67-a09996d27a38,2010/9/29 21:46,0,2,41520,68531fb9-5511-4989-97be-d11a0f55633f"}},
			{Time: at, ID: 12288, Fields: strings.Split("0xC004F06C, 0x00000000, kms01.contoso.com:1688, 36f27b39-2fd5-440b-be67-a09996d27a38, 2010/09/29 17:52, 0, 2, 41760, 68531fb9-5511-4989-97be-d11a0f55633f, 5", ",")},
			{Time: at, ID: 12289, Fields: []string{"0x0", "0x4000008", "0", "0", "4", "120", "10080", "1/14/2006 2:30"}},
			{Time: at, ID: 12290, Fields: []string{"?", "0x0", "25", "pc", "36f27b39-2fd5-440b-be67-a09996d27a38", "t", "1", "1", "10", "68531fb9-5511-4989-97be-d11a0f55633f"}},
			{Time: at, ID: 12290, Fields: []string{"x"}},
		}),
		hosttest.AccessDeniedJSON(), hosttest.MalformedJSON,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := DecodeEvents(b)
		if err != nil {
			if l != nil {
				t.Fatalf("error %v with a value", err)
			}
			return
		}
		for i := range l.Events {
			e := &l.Events[i]
			if e.Problem != "" {
				continue
			}
			switch e.ID {
			case EventRequestProcessed:
				if e.MinCount == nil || e.VM == nil || e.LicenseStatus == nil || e.ExpiresInMinutes == nil {
					t.Fatalf("12290 read without its fields: %+v", e)
				}
			case EventResponseHandled:
				if e.Status == nil || e.Activated == nil || e.Count == nil || e.ActivationInterval == nil || e.RenewalInterval == nil {
					t.Fatalf("12289 read without its fields: %+v", e)
				}
			}
		}
		_ = Summarize(l.Events)
		again, err := DecodeEvents(encodeEvents(l))
		if err != nil {
			t.Fatalf("re-encoded log does not decode: %v", err)
		}
		if !reflect.DeepEqual(l, again) {
			t.Fatalf("round trip changed the log:\n%+v\n%+v", l, again)
		}
	})
}

// encodeCounters writes c in the shape CountersScript gives it.
func encodeCounters(c *Counters) []byte {
	opt := func(p any) any {
		switch v := p.(type) {
		case *uint32:
			if v != nil {
				return *v
			}
		case *int64:
			if v != nil {
				return *v
			}
		case *bool:
			if v != nil {
				return *v
			}
		}
		return nil
	}
	reqs := func(r *Requests) map[string]any {
		m := map[string]any{}
		var v [8]any
		if r != nil {
			v = [8]any{r.Total, r.Failed, r.Unlicensed, r.Licensed, r.OOBGrace, r.OOTGrace, r.NonGenuineGrace, r.Notification}
		}
		for i, n := range []string{"Total", "Failed", "Unlicensed", "Licensed", "OOBGrace", "OOTGrace", "NonGenuineGrace", "Notification"} {
			m["KeyManagementService"+n+"Requests"] = v[i]
		}
		return m
	}
	id := func(g interface {
		IsZero() bool
		String() string
	}) any {
		if g.IsZero() {
			return nil
		}
		return g.String()
	}
	s := &c.Service
	kms := 0
	if s.KMSMachine {
		kms = 1
	}
	svc := reqs(s.Requests)
	for k, v := range map[string]any{
		"Version": s.Version, "IsKeyManagementServiceMachine": kms, "KeyManagementServiceCurrentCount": opt(s.CurrentCount),
		"RequiredClientCount": opt(s.RequiredClientCount), "KeyManagementServiceProductKeyID": s.EPID,
		"KeyManagementServiceListeningPort": opt(s.ListeningPort), "KeyManagementServiceDnsPublishing": opt(s.DNSPublishing),
		"KeyManagementServiceLowPriority": opt(s.LowPriority), "KeyManagementServiceHostCaching": opt(s.HostCaching),
		"VLActivationInterval": opt(s.ActivationInterval), "VLRenewalInterval": opt(s.RenewalInterval), "ClientMachineID": id(s.CMID),
	} {
		svc[k] = v
	}
	products := []any{}
	for _, p := range c.Products {
		m := reqs(p.Requests)
		pk := 0
		if p.KMSMachine {
			pk = 1
		}
		for k, v := range map[string]any{
			"ID": p.ID.String(), "ApplicationId": id(p.ApplicationID), "Name": p.Name, "Description": p.Description,
			"PartialProductKey": p.PartialProductKey, "LicenseIsAddon": p.Addon, "LicenseStatus": uint32(p.LicenseStatus),
			"LicenseStatusReason": uint32(p.LicenseStatusReason), "GracePeriodRemaining": p.GraceMinutes,
			"IsKeyManagementServiceMachine": pk, "KeyManagementServiceCurrentCount": opt(p.CurrentCount),
			"RequiredClientCount": opt(p.RequiredClientCount), "KeyManagementServiceProductKeyID": p.EPID,
		} {
			m[k] = v
		}
		products = append(products, m)
	}
	return hosttest.Compact(map[string]any{"v": 1, "computer": c.Computer, "service": svc, "products": products})
}

// encodeEvents writes l in the shape the log script gives it.
func encodeEvents(l *EventLog) []byte {
	events := make([]any, len(l.Events))
	for i, e := range l.Events {
		events[i] = map[string]any{"t": e.Time.Format(time.RFC3339Nano), "id": e.ID, "log": e.Log, "d": e.Fields}
	}
	b, err := json.Marshal(map[string]any{"v": 1, "computer": l.Computer, "now": l.Now.Format(time.RFC3339Nano), "events": events})
	if err != nil {
		panic(err)
	}
	return b
}
