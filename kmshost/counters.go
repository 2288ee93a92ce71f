package kmshost

import (
	"math"
	"strconv"

	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmsclient"
)

// Counters is what CountersScript reads from a machine's licensing
// service: the SoftwareLicensingService instance and the
// SoftwareLicensingProduct rows with a key installed. Nullable WMI
// properties are pointers, nil when WMI returned null.
type Counters struct {
	Computer string // the machine's own name (COMPUTERNAME)
	Service  Service
	Products []Product
}

// Service is the SoftwareLicensingService instance (one per machine).
type Service struct {
	Version             string // Software Protection service version, e.g. 10.0.17763.1
	KMSMachine          bool   // IsKeyManagementServiceMachine > 0
	CurrentCount        *int64 // KeyManagementServiceCurrentCount; -1: no request counted yet
	RequiredClientCount *uint32
	EPID                string  // KeyManagementServiceProductKeyID
	ListeningPort       *uint32 // KeyManagementServiceListeningPort; 0: the default, 1688
	DNSPublishing       *bool
	LowPriority         *bool
	HostCaching         *bool
	ActivationInterval  *uint32 // VLActivationInterval, minutes
	RenewalInterval     *uint32 // VLRenewalInterval, minutes
	CMID                guid.GUID
	Requests            *Requests // nil when KeyManagementServiceTotalRequests is null
}

// Port is the port the host listens on, as slmgr prints it: 0 means
// kmsclient.DefaultPort.
func (s *Service) Port() uint32 {
	if s.ListeningPort == nil || *s.ListeningPort == 0 {
		return kmsclient.DefaultPort
	}
	return *s.ListeningPort
}

// Requests are the cumulative request counters: the total, the failed ones,
// and the total split by the license status each client reported.
type Requests struct {
	Total           uint32
	Failed          uint32
	Unlicensed      uint32
	Licensed        uint32
	OOBGrace        uint32 // initial grace period
	OOTGrace        uint32 // license expired or hardware out of tolerance
	NonGenuineGrace uint32
	Notification    uint32
}

// Product is one SoftwareLicensingProduct row with a key installed.
type Product struct {
	ID                  guid.GUID // activation (SKU) ID
	ApplicationID       guid.GUID
	Name                string
	Description         string // holds the channel: VOLUME_KMS… (host key), VOLUME_KMSCLIENT, …
	PartialProductKey   string
	Addon               bool
	LicenseStatus       kmsclient.LicenseStatus
	LicenseStatusReason hresult.Code
	GraceMinutes        uint32 // GracePeriodRemaining
	KMSMachine          bool   // IsKeyManagementServiceMachine > 0: the key is a KMS host key
	CurrentCount        *int64 // -1: no request counted yet
	RequiredClientCount *uint32
	EPID                string // KeyManagementServiceProductKeyID
	Requests            *Requests
}

// Counted returns the product's current count and true, or false when
// there is none to compare: WMI's null, or -1 (NotApplicable: no request
// counted yet, or not a KMS host).
func (p *Product) Counted() (int64, bool) {
	if p.CurrentCount == nil || *p.CurrentCount < 0 {
		return 0, false
	}
	return *p.CurrentCount, true
}

// KMSProducts returns the products whose key is a KMS host key, in the
// order WMI listed them.
func (c *Counters) KMSProducts() []Product {
	var out []Product
	for _, p := range c.Products {
		if p.KMSMachine {
			out = append(out, p)
		}
	}
	return out
}

// ThresholdReached judges the host's count for p against the count its
// clients need (RequiredClientCount) by kmsclient.ThresholdReached; known
// is false when either is missing (WMI's -1, nothing counted yet, or null).
func (p *Product) ThresholdReached() (reached, known bool) {
	n, ok := p.Counted()
	if !ok || p.RequiredClientCount == nil {
		return false, false
	}
	return kmsclient.ThresholdReached(n, int64(*p.RequiredClientCount)), true
}

// requestProps are the eight counters, in slmgr's order: all requests,
// the failed ones, then one per license status the requesting clients
// reported (0 to 5), named by the status's WMI name
// (KeyManagementService<name>Requests).
var requestProps = [...]string{"Total", "Failed",
	kmsclient.StatusUnlicensed.Name(), kmsclient.StatusLicensed.Name(), kmsclient.StatusOOBGrace.Name(),
	kmsclient.StatusOOTGrace.Name(), kmsclient.StatusNonGenuineGrace.Name(), kmsclient.StatusNotification.Name()}

// NotApplicable is what WMI reports for a uint32 counter that does not
// apply, 0xFFFFFFFF, rather than null: every KeyManagementService*Requests
// property of a product that is not a KMS host, for instance (the uint32
// properties of Microsoft's SoftwareLicensingProduct class arrive unsigned,
// so its -1 reads as 4294967295). It is never a count.
const NotApplicable = math.MaxUint32

// requests reads the eight counters; nil when they do not apply: the total
// is null, or any counter is NotApplicable. A total without the other
// seven is malformed.
func (o object) requests() (*Requests, error) {
	var v [len(requestProps)]uint32
	total, err := o.uint32("KeyManagementServiceTotalRequests")
	if err != nil || total == nil {
		return nil, err
	}
	na := false
	for i, p := range requestProps {
		if v[i], err = o.needUint32("KeyManagementService" + p + "Requests"); err != nil {
			return nil, err
		}
		na = na || v[i] == NotApplicable
	}
	if na {
		return nil, nil
	}
	return &Requests{Total: v[0], Failed: v[1], Unlicensed: v[2], Licensed: v[3],
		OOBGrace: v[4], OOTGrace: v[5], NonGenuineGrace: v[6], Notification: v[7]}, nil
}

// DecodeCounters decodes CountersScript's output. A failure the script
// reported comes back as a *ScriptError; anything else that is not the
// script's document as a *DecodeError. On error the result is nil.
func DecodeCounters(b []byte) (*Counters, error) {
	doc, err := parseDocument(b)
	if err != nil {
		return nil, err
	}
	if err := header(doc); err != nil {
		return nil, err
	}
	c := &Counters{}
	if c.Computer, err = doc.str("computer"); err != nil {
		return nil, err
	}
	svc, err := doc.object("service")
	if err != nil {
		return nil, err
	}
	if err := decodeService(svc, &c.Service); err != nil {
		return nil, err
	}
	c.Products, err = objects(doc, "products", func(o object) (Product, error) {
		var p Product
		err := decodeProduct(o, &p)
		return p, err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

func decodeService(o object, s *Service) error {
	var err error
	if s.Version, err = o.str("Version"); err != nil {
		return err
	}
	if s.Version == "" {
		return o.missing("Version")
	}
	kms, err := o.needUint32("IsKeyManagementServiceMachine")
	if err != nil {
		return err
	}
	s.KMSMachine = kms > 0
	if s.CurrentCount, err = o.count("KeyManagementServiceCurrentCount"); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		dst  **uint32
	}{
		{"RequiredClientCount", &s.RequiredClientCount},
		{"KeyManagementServiceListeningPort", &s.ListeningPort},
		{"VLActivationInterval", &s.ActivationInterval},
		{"VLRenewalInterval", &s.RenewalInterval},
	} {
		if *f.dst, err = o.uint32(f.name); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		name string
		dst  **bool
	}{
		{"KeyManagementServiceDnsPublishing", &s.DNSPublishing},
		{"KeyManagementServiceLowPriority", &s.LowPriority},
		{"KeyManagementServiceHostCaching", &s.HostCaching},
	} {
		if *f.dst, err = o.boolean(f.name); err != nil {
			return err
		}
	}
	if s.EPID, err = o.str("KeyManagementServiceProductKeyID"); err != nil {
		return err
	}
	if s.CMID, err = o.guid("ClientMachineID"); err != nil {
		return err
	}
	s.Requests, err = o.requests()
	return err
}

func decodeProduct(o object, p *Product) error {
	var err error
	if p.ID, err = o.guid("ID"); err != nil {
		return err
	}
	if p.ID.IsZero() {
		return o.missing("ID")
	}
	if p.ApplicationID, err = o.guid("ApplicationId"); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{
		{"Name", &p.Name}, {"Description", &p.Description}, {"PartialProductKey", &p.PartialProductKey},
		{"KeyManagementServiceProductKeyID", &p.EPID},
	} {
		if *f.dst, err = o.str(f.name); err != nil {
			return err
		}
	}
	addon, err := o.boolean("LicenseIsAddon")
	if err != nil {
		return err
	}
	p.Addon = addon != nil && *addon
	st, err := o.needUint32("LicenseStatus")
	if err != nil {
		return err
	}
	p.LicenseStatus = kmsclient.LicenseStatus(st)
	// WMI declares the reason uint32; a signed rendering is the same code.
	if v, ok, err := o.int64("LicenseStatusReason"); err != nil {
		return err
	} else if ok {
		p.LicenseStatusReason = hresult.Code(uint32(v))
	}
	if g, err := o.uint32("GracePeriodRemaining"); err != nil {
		return err
	} else if g != nil {
		p.GraceMinutes = *g
	}
	kms, err := o.uint32("IsKeyManagementServiceMachine")
	if err != nil {
		return err
	}
	p.KMSMachine = kms != nil && *kms > 0
	if p.CurrentCount, err = o.count("KeyManagementServiceCurrentCount"); err != nil {
		return err
	}
	if p.RequiredClientCount, err = o.uint32("RequiredClientCount"); err != nil {
		return err
	}
	p.Requests, err = o.requests()
	return err
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
