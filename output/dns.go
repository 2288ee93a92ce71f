package output

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/kmsctl/kmsctl/discovery"
)

// DNSCheckJSON is `kmsctl dns check --json`.
type DNSCheckJSON struct {
	Domain  string          `json:"domain"`
	Name    string          `json:"name"`
	Server  string          `json:"server"`
	Records []DNSRecordJSON `json:"records"`
	Capped  int             `json:"capped"`
	Error   *ErrorInfo      `json:"error"`
	failed  bool            // the records could not be read at all
}

// DNSRecordJSON is one published SRV record and what was found behind it.
type DNSRecordJSON struct {
	Priority  uint16         `json:"priority"`
	Weight    uint16         `json:"weight"`
	Port      uint16         `json:"port"`
	Target    string         `json:"target"`
	TTL       uint32         `json:"ttl"`
	Addresses []string       `json:"addresses"`
	Resolves  bool           `json:"resolves"`
	Answers   bool           `json:"answers_kms"`
	Duplicate bool           `json:"duplicate"`
	Dead      bool           `json:"dead"`
	Probes    []DNSProbeJSON `json:"probes"`
	ZoneLine  string         `json:"zone_line"`
	Error     *ErrorInfo     `json:"error"`
}

// DNSProbeJSON is the KMS probe of one address.
type DNSProbeJSON struct {
	Address string     `json:"address"`
	EPID    *string    `json:"epid"`
	Error   *ErrorInfo `json:"error"`
}

func addrStrings(as []netip.Addr) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, a.String())
	}
	return out
}

// DNSCheck renders a dns check report; lookupErr is set when the records
// could not be read at all. It returns only its write error;
// failure.DNSCheck makes the exit status.
func (s *Streams) DNSCheck(r *discovery.Report, lookupErr error, v View) error {
	doc := DNSCheckJSON{Domain: r.Domain, Name: r.Name, Server: r.Server, Capped: r.Capped, Records: []DNSRecordJSON{},
		Error: s.describeOrNil(lookupErr), failed: lookupErr != nil}
	for i := range r.Records {
		rec := &r.Records[i]
		j := DNSRecordJSON{Priority: rec.Priority, Weight: rec.Weight, Port: rec.Port, Target: rec.Target, TTL: rec.TTL,
			Addresses: addrStrings(rec.Addrs), Resolves: rec.ResolveErr == nil && len(rec.Addrs) > 0, Answers: rec.Answering(),
			Duplicate: rec.Duplicate, Dead: rec.Dead, ZoneLine: rec.ZoneLine, Error: s.describeOrNil(rec.ResolveErr), Probes: []DNSProbeJSON{}}
		for _, p := range rec.Probes {
			pj := DNSProbeJSON{Address: p.Addr, Error: s.describeOrNil(p.Err)}
			if p.Err == nil {
				e := p.EPID
				pj.EPID = &e
			}
			j.Probes = append(j.Probes, pj)
		}
		doc.Records = append(doc.Records, j)
	}
	return s.Show(doc, v)
}

// layout writes the records as a table (fitted to 80 columns in
// ViewTable), the zone file lines, and each failure on stderr.
func (doc DNSCheckJSON) layout(s *Streams, v View) error {
	fmt.Fprintf(s.Out, "%s (asked %s)\n", doc.Name, doc.Server)
	if doc.failed {
		s.writeErrorInfo(s.Err, *doc.Error, "")
		return nil
	}
	// On a terminal the table fits 80 columns: long targets, address lists
	// and ePIDs are cut with "…"; the zone file lines below, piped output
	// and --json keep them whole (piped, the table is written wide).
	if v != ViewTable {
		v = ViewWide
	}
	s.dnsColumns().write(s, v, doc.Records)
	if doc.Capped > 0 {
		fmt.Fprintf(s.Out, "%d more records not checked (at most %d are read)\n", doc.Capped, discovery.MaxRecords)
	}
	fmt.Fprintln(s.Out, "Zone file:")
	for _, r := range doc.Records {
		fmt.Fprintln(s.Out, "  "+r.ZoneLine)
	}
	for _, r := range doc.Records {
		for _, p := range r.Probes {
			if p.Error != nil {
				fmt.Fprintf(s.Err, "%s (%s):\n", r.Target, p.Address)
				s.writeErrorInfo(s.Err, *p.Error, "")
			}
		}
		if r.Error != nil {
			fmt.Fprintf(s.Err, "%s:\n", r.Target)
			s.writeErrorInfo(s.Err, *r.Error, "")
		}
	}
	return nil
}

// dnsColumns are dns check's table, one row per SRV record.
func (s *Streams) dnsColumns() table[DNSRecordJSON] {
	type r = DNSRecordJSON
	return table[r]{
		{head: "Priority", in: people, text: text(func(r r) string { return strconv.Itoa(int(r.Priority)) })},
		{head: "Weight", in: people, text: text(func(r r) string { return strconv.Itoa(int(r.Weight)) })},
		{head: "Port", in: people, text: text(func(r r) string { return strconv.Itoa(int(r.Port)) })},
		{head: "Target", in: people, fit: true, text: text(func(r r) string { return r.Target })},
		{head: "Addresses", in: people, fit: true, text: text(func(r r) string { return strings.Join(r.Addresses, " ") })},
		{head: "State", in: people, text: func(r r) cell {
			switch {
			case r.Duplicate:
				return cell{"duplicate", s.warn}
			case !r.Resolves:
				return cell{"does not resolve", s.bad}
			case r.Dead:
				return cell{"dead", s.bad}
			}
			return cell{"answers", s.good}
		}},
		{head: "Host EPID", in: people, fit: true, text: text(func(r r) string {
			var epids []string
			for _, p := range r.Probes {
				if p.EPID != nil && !slices.Contains(epids, *p.EPID) {
					epids = append(epids, *p.EPID)
				}
			}
			return strings.Join(epids, " ")
		})},
	}
}
