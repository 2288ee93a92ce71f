package output

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/kmshost"
)

// ClientDLIJSON is the document of `kmsctl client dli HOST --json`.
type ClientDLIJSON struct {
	Host                      string              `json:"host"`
	Address                   string              `json:"address"`
	Computer                  string              `json:"computer"`
	ClientTime                string              `json:"client_time"`
	CMID                      *string             `json:"client_machine_id"`
	KMSMachine                *string             `json:"kms_machine"`
	DiscoveredKMSMachine      *string             `json:"discovered_kms_machine"`
	ActivationIntervalMinutes *uint32             `json:"activation_interval_minutes"`
	RenewalIntervalMinutes    *uint32             `json:"renewal_interval_minutes"`
	Status                    string              `json:"status"`
	DaysLeft                  *float64            `json:"days_left"`
	LastContact               ClientContactJSON   `json:"last_contact"`
	Products                  []ClientProductJSON `json:"products"`
	Events                    []HostEventJSON     `json:"events"`
	client                    *kmshost.WinClient
}

// ClientProductJSON is one product with a key on a client.
type ClientProductJSON struct {
	Name                 string  `json:"name"`
	Description          string  `json:"description"`
	ActivationID         string  `json:"activation_id"`
	ApplicationID        string  `json:"application_id"`
	PartialProductKey    string  `json:"partial_product_key"`
	KMSClient            bool    `json:"kms_client"`
	LicenseStatus        uint32  `json:"license_status"`
	LicenseState         string  `json:"license_state"`
	LicenseStatusReason  string  `json:"license_status_reason"`
	GraceRemainingMinute uint32  `json:"grace_period_remaining_minutes"`
	KMSMachine           *string `json:"kms_machine"`
	DiscoveredKMSMachine *string `json:"discovered_kms_machine"`
	KMSEPID              string  `json:"kms_epid"`
	RequiredClientCount  *uint32 `json:"required_client_count"`
}

// ClientContactJSON is the client's last attempt to reach a KMS host, from
// its own events.
type ClientContactJSON struct {
	Time         *string `json:"time"`
	Host         *string `json:"host"`
	Result       *string `json:"result"`
	Count        *uint32 `json:"count"`
	Answered     bool    `json:"answered"`
	FailingSince *string `json:"failing_since"`
	LastSuccess  *string `json:"last_success"`
}

// hostPort is a KMS host setting as slmgr shows it: name:port, 1688 when
// the port is 0 or absent; nil when there is no name.
func hostPort(name string, port *uint32) *string {
	if name == "" {
		return nil
	}
	p := uint32(kmsclient.DefaultPort)
	if port != nil && *port != 0 {
		p = *port
	}
	s := name + ":" + strconv.FormatUint(uint64(p), 10)
	return &s
}

func newContact(c kmshost.Contact) ClientContactJSON {
	j := ClientContactJSON{Time: timeText(c.At), Host: optString(c.Host), Count: c.Count, Answered: c.Answer,
		FailingSince: timeText(c.Failing), LastSuccess: timeText(c.Success)}
	if !c.At.IsZero() {
		r := c.Result.String()
		j.Result = &r
	}
	return j
}

// NewClientDLI converts what was read from a client to the JSON document.
func NewClientDLI(host, address string, w *kmshost.WinClient) ClientDLIJSON {
	st := w.Standing()
	d := ClientDLIJSON{Host: host, Address: address, Computer: w.Computer, ClientTime: w.Now.Format(rfc3339),
		KMSMachine: hostPort(w.KMSMachine, w.KMSPort), DiscoveredKMSMachine: hostPort(w.DiscoveredMachine, w.DiscoveredPort),
		ActivationIntervalMinutes: w.ActivationInterval, RenewalIntervalMinutes: w.RenewalInterval,
		Status: string(st.State), LastContact: newContact(st.Contact), Products: []ClientProductJSON{}, Events: []HostEventJSON{}, client: w}
	if !w.CMID.IsZero() {
		s := w.CMID.String()
		d.CMID = &s
	}
	if st.Product != nil {
		days := float64(st.Minutes) / (24 * 60)
		d.DaysLeft = &days
	}
	for _, p := range w.Products {
		d.Products = append(d.Products, ClientProductJSON{Name: p.Name, Description: p.Description, ActivationID: p.ID.String(),
			ApplicationID: p.ApplicationID.String(), PartialProductKey: p.PartialProductKey, KMSClient: p.VolumeClient(),
			LicenseStatus: uint32(p.LicenseStatus), LicenseState: p.LicenseStatus.Name(),
			LicenseStatusReason: p.LicenseStatusReason.String(), GraceRemainingMinute: p.GraceMinutes,
			KMSMachine: hostPort(p.KMSMachine, p.KMSPort), DiscoveredKMSMachine: hostPort(p.DiscoveredMachine, p.DiscoveredPort),
			KMSEPID: p.EPID, RequiredClientCount: p.RequiredClientCount})
	}
	for i := range w.Events {
		d.Events = append(d.Events, newHostEvent(&w.Events[i]))
	}
	return d
}

// stateWords is a client state as a person says it.
func stateWords(s kmshost.ClientState) string {
	return strings.ReplaceAll(string(s), "_", " ")
}

// minutesText is slmgr's "N minute(s) (D day(s))".
func minutesText(m uint32) string {
	return fmt.Sprintf("%d minute(s) (%d day(s))", m, m/(24*60))
}

// ClientDLI renders one client as slmgr /dli would show it on the client,
// with its last contact from its own events, or JSON.
func (s *Streams) ClientDLI(host, address string, w *kmshost.WinClient, v View) error {
	return s.Show(NewClientDLI(host, address, w), v)
}

func (d ClientDLIJSON) layout(s *Streams, _ View) error {
	w, address := d.client, d.Address
	st := w.Standing()
	out := s.Out
	line := func(label, value string) { s.textLine(out, "", label, value) }
	line("Client ", w.Computer+" at "+address)
	if d.CMID != nil {
		line("Client Machine ID (CMID): ", *d.CMID)
	}
	if d.KMSMachine != nil {
		line("Registered KMS machine name: ", *d.KMSMachine)
	}
	if d.DiscoveredKMSMachine != nil {
		line("KMS machine name from DNS: ", *d.DiscoveredKMSMachine)
	}
	if w.ActivationInterval != nil {
		line("Activation interval: ", fmt.Sprintf("%d minutes", *w.ActivationInterval))
	}
	if w.RenewalInterval != nil {
		line("Renewal interval: ", fmt.Sprintf("%d minutes", *w.RenewalInterval))
	}
	for i := range w.Products {
		p := &w.Products[i]
		fmt.Fprintln(out)
		line("Name: ", p.Name)
		line("Description: ", p.Description)
		line("Activation ID: ", p.ID.String())
		line("Partial Product Key: ", p.PartialProductKey)
		status := p.LicenseStatus.String()
		if p.LicenseStatus == kmsclient.StatusLicensed {
			status = s.good(status)
		} else {
			status = s.bad(status)
		}
		line("License Status: ", status)
		switch {
		case p.LicenseStatus == kmsclient.StatusLicensed && p.VolumeClient():
			line("Volume activation expiration: ", minutesText(p.GraceMinutes))
		case p.LicenseStatus != kmsclient.StatusLicensed && p.GraceMinutes > 0:
			line("Time remaining: ", minutesText(p.GraceMinutes))
		}
		if p.LicenseStatusReason != 0 {
			line("Notification Reason: ", p.LicenseStatusReason.String()+".")
		}
		if p.EPID != "" {
			line("KMS machine extended PID: ", p.EPID)
		}
		if !p.VolumeClient() {
			line("", "(not a KMS client key: this product does not activate by KMS)")
		}
	}
	fmt.Fprintln(out)
	s.contactLines(out, st, w.ActivationInterval)
	return nil
}

// contactLines says what the client's events show. retry is the
// client's own VLActivationInterval in minutes (nil when it did not say),
// the interval at which a client whose renewal failed asks again.
func (s *Streams) contactLines(out io.Writer, st kmshost.Standing, retry *uint32) {
	c := st.Contact
	if c.At.IsZero() {
		s.textLine(out, "", "Last contact: ", "none in the client's Application log (events 12288/12289)")
		return
	}
	s.textLine(out, "", "Last contact: ", fmt.Sprintf("%s, %s: %s", c.At.UTC().Format(dateTime), c.Host, contactResult(c)))
	switch {
	case st.State == kmshost.StateRenewalFailing:
		every := "at its activation interval"
		if retry != nil {
			every = fmt.Sprintf("every %d minutes", *retry)
		}
		s.textLine(out, "", "", s.bad(fmt.Sprintf("Renewal failing since %s; still Licensed for %d day(s), retrying %s",
			failingSince(c), st.Minutes/(24*60), every)))
	case st.State == kmshost.StateGrace && c.Result.Failed():
		s.textLine(out, "", "", s.bad(fmt.Sprintf("Activation failing since %s; %d day(s) of grace left", failingSince(c), st.Minutes/(24*60))))
	}
}

// contactResult is an attempt's outcome in words.
func contactResult(c kmshost.Contact) string {
	r := c.Result.String()
	if i, ok := hresult.Lookup(c.Result); ok && c.Result.Failed() {
		r += " " + i.Name
	}
	switch {
	case !c.Answer && c.Result.Failed():
		return r + " (the request did not reach the host)"
	case !c.Answer:
		return "sent, no answer logged"
	case c.Count != nil:
		return r + " (the host counted " + strconv.FormatUint(uint64(*c.Count), 10) + ")"
	}
	return r
}

// failingSince is when the failures began, or "before the events read".
func failingSince(c kmshost.Contact) string {
	if c.Success.IsZero() {
		return c.Failing.UTC().Format(dateTime) + " or earlier (no success in the events read)"
	}
	return c.Failing.UTC().Format(dateTime)
}
