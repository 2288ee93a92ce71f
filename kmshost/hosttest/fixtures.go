package hosttest

import (
	"fmt"
	"strconv"
	"time"
)

// The documents below follow Microsoft's class references for the
// property names and types of SoftwareLicensingService and
// SoftwareLicensingProduct, with values like those slmgr.vbs /dlv shows on
// a KMS host. IDs, keys and counts are invented.

// Application IDs of Windows and of Office 2013 and later.
const (
	WindowsApp = "55c92734-d682-4d71-983e-d6ec3f16059f"
	OfficeApp  = "0ff1ce15-a989-479d-af46-f275c6370663"
)

// SKU IDs of client products the sample log names (from the catalogue).
const (
	Win10Enterprise   = "73111121-5638-40f6-bc11-f1d7b0d64300"
	Server2019Std     = "de32eafd-aaee-4662-9444-c1befb41bde2"
	Server2022DC      = "ef6cfc9f-8c5d-44ac-9aad-de6a2ea0ae03"
	OfficeProPlus2019 = "85dd8b5f-eaa4-4af3-a628-cce9e77c9a03"
)

// HostEPID is the sample host's ePID.
const HostEPID = "06401-00206-551-123456-03-1033-17763.0000-3052023"

func requests(total, failed, unlicensed, licensed, oob, oot, nonGenuine, notification any) map[string]any {
	return map[string]any{
		"KeyManagementServiceTotalRequests":           total,
		"KeyManagementServiceFailedRequests":          failed,
		"KeyManagementServiceUnlicensedRequests":      unlicensed,
		"KeyManagementServiceLicensedRequests":        licensed,
		"KeyManagementServiceOOBGraceRequests":        oob,
		"KeyManagementServiceOOTGraceRequests":        oot,
		"KeyManagementServiceNonGenuineGraceRequests": nonGenuine,
		"KeyManagementServiceNotificationRequests":    notification,
	}
}

func merge(ms ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// KMSHost is the counters document of a Windows Server 2019 KMS host that
// also hosts Office KMS: the shape ConvertTo-Json gives kmsctl's script.
// Tests may change it and marshal it with Compact.
func KMSHost() map[string]any {
	service := merge(map[string]any{
		"Version":                           "10.0.17763.1",
		"IsKeyManagementServiceMachine":     1,
		"KeyManagementServiceCurrentCount":  50,
		"RequiredClientCount":               25,
		"KeyManagementServiceProductKeyID":  HostEPID,
		"KeyManagementServiceListeningPort": 0,
		"KeyManagementServiceDnsPublishing": true,
		"KeyManagementServiceLowPriority":   false,
		"KeyManagementServiceHostCaching":   true,
		"VLActivationInterval":              120,
		"VLRenewalInterval":                 10080,
		"ClientMachineID":                   "2b4a8f77-1c0e-4d5b-9f1e-6a7c3d2e1f00",
	}, requests(5123, 12, 0, 4870, 240, 1, 0, 12))
	windows := merge(map[string]any{
		"ID":                               "00000000-1111-2222-3333-444444444444",
		"ApplicationId":                    WindowsApp,
		"Name":                             "Windows(R), ServerStandard edition",
		"Description":                      "Windows(R) Operating System, VOLUME_KMS_WS19 channel",
		"PartialProductKey":                "ABCDE",
		"LicenseIsAddon":                   false,
		"LicenseStatus":                    1,
		"LicenseStatusReason":              0,
		"GracePeriodRemaining":             0,
		"IsKeyManagementServiceMachine":    1,
		"KeyManagementServiceCurrentCount": 50,
		"RequiredClientCount":              25,
		"KeyManagementServiceProductKeyID": HostEPID,
	}, requests(5123, 12, 0, 4870, 240, 1, 0, 12))
	office := merge(map[string]any{
		"ID":                               "bfe7a195-4f8f-4f0b-a622-cf13c7d16864",
		"ApplicationId":                    OfficeApp,
		"Name":                             "Office 19, Office19VL_KMS_Host edition",
		"Description":                      "Office 19, VOLUME_KMS channel",
		"PartialProductKey":                "FGHIJ",
		"LicenseIsAddon":                   false,
		"LicenseStatus":                    1,
		"LicenseStatusReason":              0,
		"GracePeriodRemaining":             0,
		"IsKeyManagementServiceMachine":    1,
		"KeyManagementServiceCurrentCount": 10,
		"RequiredClientCount":              5,
		"KeyManagementServiceProductKeyID": "05426-00206-271-123456-03-1033-17763.0000-3052023",
	}, requests(812, 3, 0, 700, 100, 0, 0, 9))
	return map[string]any{"v": 1, "computer": "KMS01", "service": service, "products": []any{windows, office}}
}

// KMSHostJSON is KMSHost marshalled.
func KMSHostJSON() []byte { return Compact(KMSHost()) }

// NotKMSHost is a KMS client: Windows 10 Enterprise with its GVLK,
// activated by a host, no host key installed. Host counters are null.
func NotKMSHost() map[string]any {
	service := merge(map[string]any{
		"Version":                           "10.0.19041.3636",
		"IsKeyManagementServiceMachine":     0,
		"KeyManagementServiceCurrentCount":  nil,
		"RequiredClientCount":               nil,
		"KeyManagementServiceProductKeyID":  nil,
		"KeyManagementServiceListeningPort": 0,
		"KeyManagementServiceDnsPublishing": true,
		"KeyManagementServiceLowPriority":   false,
		"KeyManagementServiceHostCaching":   true,
		"VLActivationInterval":              120,
		"VLRenewalInterval":                 10080,
		"ClientMachineID":                   "9a1f6a4e-3c2b-4d8e-8f00-1b2c3d4e5f60",
	}, requests(nil, nil, nil, nil, nil, nil, nil, nil))
	client := merge(map[string]any{
		"ID":                               Win10Enterprise,
		"ApplicationId":                    WindowsApp,
		"Name":                             "Windows(R), Enterprise edition",
		"Description":                      "Windows(R) Operating System, VOLUME_KMSCLIENT channel",
		"PartialProductKey":                "2YT43",
		"LicenseIsAddon":                   false,
		"LicenseStatus":                    1,
		"LicenseStatusReason":              0,
		"GracePeriodRemaining":             259193,
		"IsKeyManagementServiceMachine":    0,
		"KeyManagementServiceCurrentCount": 50,
		"RequiredClientCount":              25,
		"KeyManagementServiceProductKeyID": HostEPID,
	}, requests(nil, nil, nil, nil, nil, nil, nil, nil))
	return map[string]any{"v": 1, "computer": "PC-0142", "service": service, "products": []any{client}}
}

// NotKMSHostJSON is NotKMSHost marshalled.
func NotKMSHostJSON() []byte { return Compact(NotKMSHost()) }

// WrongTypesJSON is the KMS host's document with a count written as a
// string and a flag as a number: valid JSON, wrong types.
func WrongTypesJSON() []byte {
	doc := KMSHost()
	svc := doc["service"].(map[string]any)
	svc["KeyManagementServiceCurrentCount"] = "50"
	svc["KeyManagementServiceDnsPublishing"] = 1
	return Compact(doc)
}

// MalformedJSON is cut off half-way, as by a console that stopped.
var MalformedJSON = []byte(`{"v":1,"computer":"KMS01","service":{"Version":"10.0.17763.1","IsKeyManagementServiceMachine":1,"KeyManagem`)

// AccessDeniedJSON is the script's report of Get-CimInstance refused.
func AccessDeniedJSON() []byte {
	return ErrorJSON(-2146233088, "Access is denied. ",
		"HRESULT 0x80070005,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand")
}

// Compact marshals a document as the scripts write it.
func Compact(doc map[string]any) []byte { return compact(doc) }

// Processed is an event 12290 with its nine Info fields.
func Processed(at time.Time, result string, minCount int, client, cmid string, vm bool, status, expires int, sku string) Event {
	v := "0"
	if vm {
		v = "1"
	}
	return Event{Time: at, ID: 12290, Fields: []string{result, strconv.Itoa(minCount), client, cmid,
		at.Format("2006/1/2 15:04"), v, strconv.Itoa(status), strconv.Itoa(expires), sku}}
}

// SampleEvents is a short log ending just before now: renewals, first
// activations, a count still too low, a client with a bad clock, a product
// the host key does not cover, and two machines sharing one CMID.
func SampleEvents(now time.Time) []Event {
	at := func(d time.Duration) time.Time { return now.Add(-d).Truncate(time.Second) }
	const (
		a = "1c0b6d3e-8a52-4e0f-9d61-3f2a7b8c9d01"
		b = "2d1c7e4f-9b63-4f10-8e72-4a3b8c9dae02"
		c = "3e2d8f50-ac74-4021-9f83-5b4c9daebf03"
		d = "4f3e9061-bd85-4132-a094-6c5daebfc004" // shared by two clones
		e = "50409172-ce96-4243-b1a5-7d6ebfc0d105"
		f = "615102a3-dfa7-4354-c2b6-8e7fc0d1e206"
	)
	return []Event{
		Processed(at(2*time.Minute+8*time.Second), "0x0", 25, "pc-0142.corp.example.com", a, false, 1, 259200, Win10Enterprise),
		Processed(at(14*time.Minute+54*time.Second), "0x0", 5, "srv-app03.corp.example.com", b, true, 1, 259200, Server2019Std),
		Processed(at(24*time.Minute+2*time.Second), "0xC004F038", 25, "pc-0377.corp.example.com", c, false, 2, 28740, Win10Enterprise),
		Processed(at(1*time.Hour+49*time.Minute+20*time.Second), "0x0", 25, "pc-0201.corp.example.com", d, false, 2, 259200, Win10Enterprise),
		Processed(at(2*time.Hour+42*time.Minute+55*time.Second), "0x0", 25, "pc-0202.corp.example.com", d, false, 1, 259200, Win10Enterprise),
		Processed(at(3*time.Hour+55*time.Minute), "0xC004F06C", 25, "laptop-17.corp.example.com", e, false, 1, 120960, Win10Enterprise),
		Processed(at(5*time.Hour+25*time.Minute), "0x0", 5, "pc-0142.corp.example.com", a, false, 1, 259200, OfficeProPlus2019),
		Processed(at(23*time.Hour+45*time.Minute), "0x0", 5, "srv-app03.corp.example.com", b, true, 1, 259200, OfficeProPlus2019),
		Processed(at(32*time.Hour+55*time.Minute), "0xC004F038", 25, "pc-0377.corp.example.com", c, false, 2, 27300, Win10Enterprise),
		Processed(at(2*24*time.Hour+3*time.Hour), "0xC004F042", 5, "srv-new01.corp.example.com", f, true, 2, 31680, Server2022DC),
		Processed(at(3*24*time.Hour+6*time.Hour), "0x0", 5, "srv-app03.corp.example.com", b, true, 2, 259200, "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"),
	}
}

// ManyEvents is a busy host's log: n events, one every 37 seconds back
// from now, from 4,000 machines, some failing.
func ManyEvents(now time.Time, n int) []Event {
	skus := []string{Win10Enterprise, Server2019Std, OfficeProPlus2019}
	minCounts := []int{25, 5, 5}
	out := make([]Event, n)
	for i := range out {
		m := i % 4000
		result := "0x0"
		switch {
		case i%333 == 0:
			result = "0xC004F06C"
		case i%50 == 0:
			result = "0xC004F038"
		}
		out[i] = Processed(now.Add(-time.Duration(i+1)*37*time.Second), result, minCounts[i%3],
			fmt.Sprintf("pc-%05d.corp.example.com", m), fmt.Sprintf("%08x-0000-4000-8000-%012x", m, m),
			i%7 == 0, 1+i%2, 259200, skus[i%3])
	}
	return out
}
