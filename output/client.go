package output

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/kmsctl/kmsctl/hresult"
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
	p := uint32(1688)
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
		Status: string(st.State), LastContact: newContact(st.Contact), Products: []ClientProductJSON{}, Events: []HostEventJSON{}}
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
			LicenseStatus: uint32(p.LicenseStatus), LicenseState: p.LicenseStatus.String(),
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
func (s *Streams) ClientDLI(host, address string, w *kmshost.WinClient, asJSON bool) error {
	d := NewClientDLI(host, address, w)
	if asJSON {
		return writeJSON(s.Out, d)
	}
	st := w.Standing()
	out := s.Out
	fmt.Fprintf(out, "Client %s at %s\n", w.Computer, address)
	if d.CMID != nil {
		fmt.Fprintf(out, "Client Machine ID (CMID): %s\n", *d.CMID)
	}
	if d.KMSMachine != nil {
		fmt.Fprintf(out, "Registered KMS machine name: %s\n", *d.KMSMachine)
	}
	if d.DiscoveredKMSMachine != nil {
		fmt.Fprintf(out, "KMS machine name from DNS: %s\n", *d.DiscoveredKMSMachine)
	}
	if w.ActivationInterval != nil {
		fmt.Fprintf(out, "Activation interval: %d minutes\n", *w.ActivationInterval)
	}
	if w.RenewalInterval != nil {
		fmt.Fprintf(out, "Renewal interval: %d minutes\n", *w.RenewalInterval)
	}
	for i := range w.Products {
		p := &w.Products[i]
		fmt.Fprintln(out)
		fmt.Fprintf(out, "Name: %s\nDescription: %s\nActivation ID: %s\nPartial Product Key: %s\n", p.Name, p.Description, p.ID, p.PartialProductKey)
		status := p.LicenseStatus.Text()
		if p.LicenseStatus == kmshost.Licensed {
			status = s.good(status)
		} else {
			status = s.bad(status)
		}
		fmt.Fprintf(out, "License Status: %s\n", status)
		switch {
		case p.LicenseStatus == kmshost.Licensed && p.VolumeClient():
			fmt.Fprintf(out, "Volume activation expiration: %s\n", minutesText(p.GraceMinutes))
		case p.LicenseStatus != kmshost.Licensed && p.GraceMinutes > 0:
			fmt.Fprintf(out, "Time remaining: %s\n", minutesText(p.GraceMinutes))
		}
		if p.LicenseStatusReason != 0 {
			fmt.Fprintf(out, "Notification Reason: %s.\n", p.LicenseStatusReason)
		}
		if p.EPID != "" {
			fmt.Fprintf(out, "KMS machine extended PID: %s\n", p.EPID)
		}
		if !p.VolumeClient() {
			fmt.Fprintln(out, "(not a KMS client key: this product does not activate by KMS)")
		}
	}
	fmt.Fprintln(out)
	s.contactLines(out, st)
	return nil
}

// contactLines says what the client's events show.
func (s *Streams) contactLines(out io.Writer, st kmshost.Standing) {
	c := st.Contact
	if c.At.IsZero() {
		fmt.Fprintln(out, "Last contact: none in the client's Application log (events 12288/12289)")
		return
	}
	fmt.Fprintf(out, "Last contact: %s, %s: %s\n", c.At.UTC().Format(dateTime), c.Host, contactResult(c))
	switch {
	case st.State == kmshost.StateRenewalFailing:
		fmt.Fprintln(out, s.bad(fmt.Sprintf("Renewal failing since %s; still Licensed for %d day(s), retrying every 2 hours",
			failingSince(c), st.Minutes/(24*60))))
	case st.State == kmshost.StateGrace && c.Result.Failed():
		fmt.Fprintln(out, s.bad(fmt.Sprintf("Activation failing since %s; %d day(s) of grace left", failingSince(c), st.Minutes/(24*60))))
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

// ClientResult is one client of a fleet read: what was read, or why not.
type ClientResult struct {
	Host    string
	Address string
	Client  *kmshost.WinClient
	Err     error
}

// ClientFleetJSON is `client dli --hosts-file … --json`.
type ClientFleetJSON struct {
	Clients []ClientLineJSON `json:"clients"`
	Summary map[string]int   `json:"summary"`
}

// ClientLineJSON is one client's line.
type ClientLineJSON struct {
	Host         string     `json:"host"`
	Computer     *string    `json:"computer"`
	Status       *string    `json:"status"`
	DaysLeft     *float64   `json:"days_left"`
	LastResult   *string    `json:"last_result"`
	LastCount    *uint32    `json:"last_count"`
	LastHost     *string    `json:"last_host"`
	LastContact  *string    `json:"last_contact"`
	FailingSince *string    `json:"failing_since"`
	Error        *ErrorInfo `json:"error"`
}

// ClientFleet renders many clients, one line each: a table on a terminal,
// tab-separated when piped, or JSON.
func (s *Streams) ClientFleet(results []ClientResult, asJSON bool) error {
	d := ClientFleetJSON{Clients: []ClientLineJSON{}, Summary: map[string]int{}}
	for i := range results {
		r := &results[i]
		l := ClientLineJSON{Host: r.Host}
		if r.Err != nil {
			l.Error = s.describeOrNil(r.Err)
			d.Summary["unreadable"]++
		} else {
			st := r.Client.Standing()
			status := string(st.State)
			l.Computer, l.Status = &r.Client.Computer, &status
			if st.Product != nil {
				days := float64(st.Minutes) / (24 * 60)
				l.DaysLeft = &days
			}
			c := newContact(st.Contact)
			l.LastResult, l.LastCount, l.LastHost, l.LastContact, l.FailingSince = c.Result, c.Count, c.Host, c.Time, c.FailingSince
			d.Summary[status]++
		}
		d.Clients = append(d.Clients, l)
	}
	if asJSON {
		return writeJSON(s.Out, d)
	}
	if s.TTY {
		t := s.newTable()
		t.Header("Client", "Status", "Days left", "Last result", "Last host")
		for i, l := range d.Clients {
			row := []string{l.Host, "", "", "", ""}
			if l.Error != nil {
				row[1], row[3] = s.bad("unreadable"), l.Error.Code
				t.Append(row)
				continue
			}
			row[1] = stateWords(kmshost.ClientState(*l.Status))
			switch kmshost.ClientState(*l.Status) {
			case kmshost.StateLicensed:
				row[1] = s.good(row[1])
			case kmshost.StateRenewalFailing, kmshost.StateGrace, kmshost.StateNotification, kmshost.StateUnlicensed:
				if l.FailingSince != nil {
					at, _ := time.Parse(rfc3339, *l.FailingSince)
					if kmshost.ClientState(*l.Status) != kmshost.StateRenewalFailing {
						row[1] += ", failing"
					}
					row[1] += " since " + at.UTC().Format("01-02 15:04")
				}
				row[1] = s.bad(row[1])
			}
			if l.DaysLeft != nil {
				row[2] = strconv.Itoa(int(*l.DaysLeft))
			}
			if l.LastResult != nil {
				row[3] = *l.LastResult
				if l.LastCount != nil {
					row[3] += " (" + strconv.FormatUint(uint64(*l.LastCount), 10) + ")"
				} else if !results[i].Client.Standing().Contact.Answer {
					row[3] += " (no answer)"
				}
			}
			if l.LastHost != nil {
				row[4] = *l.LastHost
			}
			t.Append(row)
		}
		t.Render()
	} else {
		for _, l := range d.Clients {
			f := []string{l.Host, "unreadable", "", "", "", "", "", ""}
			if l.Error != nil {
				f[3] = l.Error.Code
			} else {
				f[1] = *l.Status
				if l.DaysLeft != nil {
					f[2] = strconv.FormatFloat(*l.DaysLeft, 'f', 1, 64)
				}
				for j, p := range []*string{l.LastResult, nil, l.LastHost, l.LastContact, l.FailingSince} {
					if p != nil {
						f[3+j] = *p
					}
				}
				if l.LastCount != nil {
					f[4] = strconv.FormatUint(uint64(*l.LastCount), 10)
				}
			}
			fmt.Fprintln(s.Out, strings.Join(f, "\t"))
		}
	}
	var parts []string
	for _, k := range []string{"licensed", "renewal_failing", "grace", "notification", "unlicensed", "not_kms_client", "unreadable"} {
		if n := d.Summary[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, strings.ReplaceAll(k, "_", " ")))
		}
	}
	fmt.Fprintf(s.Err, "%d clients: %s\n", len(results), strings.Join(parts, ", "))
	return nil
}
