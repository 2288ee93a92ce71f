package kmshost

import (
	"context"
	"strings"
	"time"

	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmsclient"
)

// ClientScript reads a Windows KMS client: SoftwareLicensingService (its
// CMID, the KMS host set or discovered, the intervals in force), the
// SoftwareLicensingProduct rows that have a key, and its newest
// ClientEvents events 12288/12289 from the Application log, where Windows
// records its own requests to KMS hosts (Microsoft's
// SoftwareLicensingService and SoftwareLicensingProduct class references
// and its Volume Activation event table). Like the host scripts it is a
// constant and writes one line of JSON.
const ClientScript = `$ErrorActionPreference = 'Stop'
try {
    $sp = @('Version', 'ClientMachineID', 'KeyManagementServiceMachine', 'KeyManagementServicePort', 'DiscoveredKeyManagementServiceMachineName', 'DiscoveredKeyManagementServiceMachinePort', 'VLActivationInterval', 'VLRenewalInterval')
    $pp = @('ID', 'ApplicationId', 'Name', 'Description', 'PartialProductKey', 'LicenseIsAddon', 'LicenseStatus', 'LicenseStatusReason', 'GracePeriodRemaining', 'KeyManagementServiceMachine', 'KeyManagementServicePort', 'DiscoveredKeyManagementServiceMachineName', 'DiscoveredKeyManagementServiceMachinePort', 'KeyManagementServiceProductKeyID', 'RequiredClientCount')
    $s = Get-CimInstance -Query "SELECT $($sp -join ',') FROM SoftwareLicensingService" | Select-Object -Property $sp
    $p = @(Get-CimInstance -Query "SELECT $($pp -join ',') FROM SoftwareLicensingProduct WHERE PartialProductKey <> NULL" | Select-Object -Property $pp)
    $e = @(try { Get-WinEvent -FilterHashtable @{ LogName = 'Application'; Id = 12288, 12289 } -MaxEvents 50 } catch { if ($_.FullyQualifiedErrorId -notlike 'NoMatchingEventsFound*') { throw } })
    $l = @($e | Where-Object { $_.ProviderName -like 'Microsoft-Windows-Security-*' } | ForEach-Object { @{ t = $_.TimeCreated.ToUniversalTime().ToString('o'); id = $_.Id; log = $_.LogName; d = @($_.Properties | ForEach-Object { [string]$_.Value }) } })
    $o = @{ v = 1; computer = $env:COMPUTERNAME; now = (Get-Date).ToUniversalTime().ToString('o'); service = $s; products = $p; events = $l }
} catch {
    $o = @{ v = 1; error = @{ hresult = $_.Exception.HResult; message = $_.Exception.Message; id = $_.FullyQualifiedErrorId } }
}
$j = ConvertTo-Json -InputObject $o -Compress -Depth 4
[regex]::Replace($j, '[^\x00-\x7F]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
if ($o.error) { exit 1 }
`

// ClientEvents is how many of the newest 12288/12289 events ClientScript
// reads: a client that fails retries every 2 hours, so 50 cover its last
// four days of attempts.
const ClientEvents = 50

// WinClient is what ClientScript read from a Windows machine.
type WinClient struct {
	Computer string
	Now      time.Time // the machine's clock (UTC)
	Version  string    // Software Protection service version
	CMID     guid.GUID // SoftwareLicensingService.ClientMachineID
	// The KMS host set with slmgr /skms ("" when none), and the one DNS
	// discovery found last.
	KMSMachine, DiscoveredMachine string
	KMSPort, DiscoveredPort       *uint32
	ActivationInterval            *uint32 // minutes, in force
	RenewalInterval               *uint32
	Products                      []ClientProduct // every product with a key, as WMI listed them
	Events                        []Event         // 12288/12289, newest first
}

// ClientProduct is a SoftwareLicensingProduct row with a key installed,
// with the KMS client properties.
type ClientProduct struct {
	Product
	KMSMachine, DiscoveredMachine string  // per product; "" when none
	KMSPort, DiscoveredPort       *uint32 // 0: 1688
}

// VolumeClient reports whether the product's key is a KMS client key
// (GVLK): its channel is VOLUME_KMSCLIENT.
func (p *ClientProduct) VolumeClient() bool {
	return strings.Contains(strings.ToUpper(p.Description), "VOLUME_KMSCLIENT")
}

// DecodeClient decodes ClientScript's output, as DecodeCounters does.
func DecodeClient(b []byte) (*WinClient, error) {
	c := &WinClient{}
	doc, err := machineDocument(b, &c.Computer, &c.Now)
	if err != nil {
		return nil, err
	}
	svc, err := doc.object("service")
	if err != nil {
		return nil, err
	}
	if c.Version, err = svc.str("Version"); err != nil {
		return nil, err
	}
	if c.CMID, err = svc.guid("ClientMachineID"); err != nil {
		return nil, err
	}
	if err := kmsSettings(svc, &c.KMSMachine, &c.DiscoveredMachine, &c.KMSPort, &c.DiscoveredPort); err != nil {
		return nil, err
	}
	if c.ActivationInterval, err = svc.uint32("VLActivationInterval"); err != nil {
		return nil, err
	}
	if c.RenewalInterval, err = svc.uint32("VLRenewalInterval"); err != nil {
		return nil, err
	}
	c.Products, err = objects(doc, "products", func(o object) (ClientProduct, error) {
		var p ClientProduct
		if err := decodeProduct(o, &p.Product); err != nil {
			return p, err
		}
		return p, kmsSettings(o, &p.KMSMachine, &p.DiscoveredMachine, &p.KMSPort, &p.DiscoveredPort)
	})
	if err != nil {
		return nil, err
	}
	c.Events, err = objects(doc, "events", func(o object) (Event, error) {
		e, err := decodeEvent(o)
		if err == nil && e.ID == EventRequestProcessed {
			err = &DecodeError{Path: o.at("id"), Msg: "want 12288 or 12289 (the client events the script asks for), got 12290"}
		}
		return e, err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// kmsSettings reads the KMS host set and the one discovered.
func kmsSettings(o object, set, found *string, setPort, foundPort **uint32) error {
	var err error
	if *set, err = o.str("KeyManagementServiceMachine"); err != nil {
		return err
	}
	if *found, err = o.str("DiscoveredKeyManagementServiceMachineName"); err != nil {
		return err
	}
	if *setPort, err = o.uint32("KeyManagementServicePort"); err != nil {
		return err
	}
	*foundPort, err = o.uint32("DiscoveredKeyManagementServiceMachinePort")
	return err
}

// opClient is the client read in errors.
const opClient = "read the client's licensing state"

// Client reads a Windows machine as a KMS client.
func (c *Client) Client(ctx context.Context) (*WinClient, error) {
	return runDecode(ctx, c, opClient, ClientScript, DecodeClient)
}

// Contact is what a client's own events say about its last attempts to
// reach a KMS host.
type Contact struct {
	At      time.Time    // the newest 12288 (request sent); zero when none
	Host    string       // the host:port it tried
	Result  hresult.Code // of the newest attempt: the 12289's, or the 12288's when it failed to send
	Count   *uint32      // the count the host reported (12289), when it answered
	Answer  bool         // a 12289 followed the newest 12288
	Failing time.Time    // since when every attempt has failed; zero when the newest succeeded
	Success time.Time    // the newest successful attempt; zero when none in the events read
}

// LastContact reads the client's events (any order) for its attempts:
// each 12288 (sent) and the 12289 (answer processed) that follows it.
func (w *WinClient) LastContact() Contact {
	evs := append([]Event(nil), w.Events...)
	// Oldest first; events of the same second keep 12288 before 12289.
	for i := 1; i < len(evs); i++ {
		for j := i; j > 0 && (evs[j].Time.Before(evs[j-1].Time) || evs[j].Time.Equal(evs[j-1].Time) && evs[j].ID < evs[j-1].ID); j-- {
			evs[j], evs[j-1] = evs[j-1], evs[j]
		}
	}
	var c Contact
	for i := range evs {
		e := &evs[i]
		if e.Problem != "" {
			continue
		}
		switch e.ID {
		case EventRequestSent:
			c.At, c.Host, c.Result, c.Count, c.Answer = e.Time, e.Server, e.Result, nil, false
		case EventResponseHandled:
			if c.At.IsZero() {
				continue
			}
			c.Result, c.Count, c.Answer = e.Result, e.Count, true
		default:
			continue
		}
		if c.Result.Failed() {
			if c.Failing.IsZero() {
				c.Failing = c.At
			}
		} else if e.ID == EventResponseHandled {
			c.Failing, c.Success = time.Time{}, c.At
		}
	}
	return c
}

// ClientState names where a client stands, in a word.
type ClientState string

// The states of a client.
const (
	StateLicensed       ClientState = "licensed"        // activated, its last contact succeeded (or none was read)
	StateRenewalFailing ClientState = "renewal_failing" // activated, but its attempts to renew fail
	StateGrace          ClientState = "grace"           // in a grace period: not activated, time running out
	StateNotification   ClientState = "notification"    // grace over: Windows nags
	StateUnlicensed     ClientState = "unlicensed"
	StateNotKMSClient   ClientState = "not_kms_client" // no KMS client key (GVLK) installed
)

// Standing is a client's state at a glance: of its Windows KMS client
// product (else its first KMS client product), how long it has left, and
// its last contact with a host.
type Standing struct {
	State   ClientState
	Product *ClientProduct // nil with StateNotKMSClient
	Minutes uint32         // left in the state: to the end of the activation or the grace period
	Contact Contact
}

// Standing judges the client.
func (w *WinClient) Standing() Standing {
	s := Standing{State: StateNotKMSClient, Contact: w.LastContact()}
	for i := range w.Products {
		p := &w.Products[i]
		if !p.VolumeClient() || p.Addon {
			continue
		}
		if s.Product == nil || p.ApplicationID == kmsclient.AppWindows && s.Product.ApplicationID != kmsclient.AppWindows {
			s.Product = p
		}
	}
	if s.Product == nil {
		return s
	}
	s.Minutes = s.Product.GraceMinutes
	switch s.Product.LicenseStatus {
	case kmsclient.StatusLicensed:
		s.State = StateLicensed
		if !s.Contact.Failing.IsZero() {
			s.State = StateRenewalFailing
		}
	case kmsclient.StatusUnlicensed:
		s.State = StateUnlicensed
	case kmsclient.StatusNotification:
		s.State = StateNotification
	default:
		s.State = StateGrace
	}
	return s
}
