package discovery

// Helpers the external tests use; kmsctl itself does not need them.

// ZoneTTL is the TTL ZoneLine writes for a record to publish (an hour, as
// Windows KMS hosts publish their records with).
const ZoneTTL = 3600

// ZoneLine returns the zone-file line that publishes a KMS host, e.g.
// ZoneLine("corp.example", "kms1.corp.example", 1688, 0, 0) is
// "_vlmcs._tcp.corp.example. 3600 IN SRV 0 0 1688 kms1.corp.example.".
// Both names are made fully qualified; a domain given with the _vlmcs._tcp
// prefix keeps it once.
func ZoneLine(domain, target string, port, prio, weight uint16) string {
	return zoneLine(domain, target, ZoneTTL, port, prio, weight)
}

// Addrs returns every address of every host, in the order a client tries
// them.
func (r *Result) Addrs() []string {
	var out []string
	for i := range r.Hosts {
		out = append(out, r.Hosts[i].Addresses()...)
	}
	return out
}
