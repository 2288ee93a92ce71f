package hosttest

import (
	"io"
	"strconv"
	"time"

	"github.com/kmsctl/kmsctl/kmshost"
)

// Windows KMS clients, the other side of the seeds' story: the documents
// kmshost.ClientScript gives on a client that is activated and renewing, one
// whose renewals fail every 2 hours since the host's count fell, one still
// in its initial grace period that was never activated, and one that has
// not reached any host. Property names and types follow Microsoft's
// SoftwareLicensingService and SoftwareLicensingProduct class references;
// the values are invented.

// ClientState is which of those clients.
type ClientState int

// The client states the test server can play.
const (
	ClientLicensed ClientState = iota
	ClientRenewalFailing
	ClientGrace
	ClientUnreachable // its requests get no answer: 12288 only, 0xC004F074
)

// ClientHost is the KMS host the sample clients use.
const ClientHost = "kms01.corp.example.com:1688"

// Sent is an event 12288 with its ten Info fields.
func Sent(at time.Time, result, server, cmid string, status, expires int, sku string, minCount int) Event {
	return Event{Time: at, ID: kmshost.EventRequestSent, Fields: []string{result, "0x00000000", server, cmid,
		at.Format("2006/1/2 15:04"), "0", strconv.Itoa(status), strconv.Itoa(expires), sku, strconv.Itoa(minCount)}}
}

// Handled is an event 12289 with its eight Info fields.
func Handled(at time.Time, result string, activated bool, count int) Event {
	status, bound := "0x00000000", "1"
	if !activated {
		status, bound = "0x04000000", "0" // SL_VL_BINDING_ERROR_NOT_ENOUGH_COUNT
	}
	return Event{Time: at, ID: kmshost.EventResponseHandled, Fields: []string{result, status, bound, "0", strconv.Itoa(count),
		"120", "10080", at.Format("2006/1/2 15:04")}}
}

// WindowsClient is the ClientScript document of a Windows 10 Enterprise
// KMS client named name in state st at now, with its CMID.
func WindowsClient(name, cmid string, st ClientState, now time.Time) []byte {
	const minute = time.Minute
	status, reason, grace := 1, int64(0), 0
	var events []Event
	at := func(d time.Duration) time.Time { return now.Add(-d).Truncate(time.Second) }
	switch st {
	case ClientLicensed:
		grace = 180*24*60 - 3*24*60 // renewed 3 days ago
		events = []Event{
			Handled(at(3*24*time.Hour-minute), "0x0", true, 50),
			Sent(at(3*24*time.Hour), "0x0", ClientHost, cmid, 1, 180*24*60-10*24*60, Win10Enterprise, 25),
		}
	case ClientRenewalFailing:
		// Last renewed 12 days ago; the host's count fell 10 days ago, and
		// every attempt since (every 2 hours; the newest ones read) fails.
		grace = 180*24*60 - 12*24*60
		for i := 0; i < 24; i++ {
			t := at(time.Duration(i)*2*time.Hour + 30*minute)
			events = append(events, Handled(t.Add(time.Second), "0xC004F038", false, 24), Sent(t, "0x0", ClientHost, cmid, 1, grace+i*120, Win10Enterprise, 25))
		}
		// Events older than the newest 50 are not read: the last success
		// (12 days ago) is among them.
	case ClientGrace:
		status, reason, grace = 2, 0x4004F00C, 20*24*60
		for i := 0; i < 5; i++ {
			t := at(time.Duration(i)*2*time.Hour + 10*minute)
			events = append(events, Handled(t.Add(time.Second), "0xC004F038", false, 23), Sent(t, "0x0", ClientHost, cmid, 2, grace+i*120, Win10Enterprise, 25))
		}
	case ClientUnreachable:
		status, reason, grace = 2, 0x4004F00C, 25*24*60
		for i := 0; i < 3; i++ {
			events = append(events, Sent(at(time.Duration(i)*2*time.Hour+5*minute), "0xC004F074", ClientHost, cmid, 2, grace, Win10Enterprise, 25))
		}
	}
	service := map[string]any{
		"Version": "10.0.19045.5131", "ClientMachineID": cmid,
		"KeyManagementServiceMachine": "kms01.corp.example.com", "KeyManagementServicePort": 1688,
		"DiscoveredKeyManagementServiceMachineName": nil, "DiscoveredKeyManagementServiceMachinePort": 0,
		"VLActivationInterval": 120, "VLRenewalInterval": 10080,
	}
	product := map[string]any{
		"ID": Win10Enterprise, "ApplicationId": WindowsApp, "Name": "Windows(R), Enterprise edition",
		"Description": "Windows(R) Operating System, VOLUME_KMSCLIENT channel", "PartialProductKey": "2YT43",
		"LicenseIsAddon": false, "LicenseStatus": status, "LicenseStatusReason": reason, "GracePeriodRemaining": grace,
		"KeyManagementServiceMachine": nil, "KeyManagementServicePort": 0,
		"DiscoveredKeyManagementServiceMachineName": nil, "DiscoveredKeyManagementServiceMachinePort": 0,
		"KeyManagementServiceProductKeyID": HostEPID, "RequiredClientCount": 25,
	}
	if st == ClientGrace || st == ClientUnreachable {
		product["KeyManagementServiceProductKeyID"] = nil
	}
	list := make([]map[string]any, 0, len(events))
	for _, e := range events {
		list = append(list, map[string]any{"t": e.Time.UTC().Format("2006-01-02T15:04:05.0000000Z"), "id": e.ID, "log": e.Log(), "d": e.Fields})
	}
	return compact(map[string]any{"v": 1, "computer": name, "now": now.UTC().Format("2006-01-02T15:04:05.0000000Z"),
		"service": service, "products": []any{product}, "events": list})
}

// DefaultClientCMID is the CMID of the client a server plays unless told.
const DefaultClientCMID = "1c0b6d3e-8a52-4e0f-9d61-3f2a7b8c9d01"

func isClient(script string) bool { return script == kmshost.ClientScript }

func (s *Server) answerClient(out, _ io.Writer) int {
	if s.opts.Answer != nil || s.opts.AnswerExit != 0 {
		out.Write(s.opts.Answer)
		return s.opts.AnswerExit
	}
	if s.opts.Client == nil {
		out.Write(WindowsClient("PC-0142", DefaultClientCMID, ClientLicensed, s.opts.Now))
		return 0
	}
	out.Write(s.opts.Client)
	return 0
}
