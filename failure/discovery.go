package failure

import (
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/kmsctl/kmsctl/discovery"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/limit"
)

// discoveryWords: finding KMS hosts in DNS failed.
func discoveryWords(e *discovery.Error, c Context) said {
	s := said{code: e.HRESULT}
	srv := strings.HasPrefix(e.Name, discovery.Service)
	switch e.HRESULT {
	case hresult.DNSNameError:
		if srv {
			s.fix = "no KMS host is published there: check with `" + nslookup("srv", e.Name, e.Server) + "`, publish the host's SRV record" + c.lookElsewhere()
		} else {
			s.fix = "an SRV record points at a name that does not exist: check with `" + nslookup("", e.Name, e.Server) + "` and fix the SRV record or the host's A/AAAA record"
		}
	case hresult.DNSNoRecords:
		if srv {
			s.fix = "the name exists but holds no KMS host record: check with `" + nslookup("srv", e.Name, e.Server) + "` and create the SRV record" + c.lookElsewhere()
		} else {
			s.fix = "an SRV record's target has no address: add an A or AAAA record for " + e.Name
		}
	case hresult.HostNotFound:
		s.message = "The KMS host's SRV record was found, but the host it names does not resolve to an address."
		server := e.Server
		var inner *discovery.Error
		if errors.As(e.Err, &inner) {
			server = inner.Server
		}
		s.fix = "add an A or AAAA record for " + e.Name + ", or point the SRV record " + e.Record + " at a host that has one (check with `" + nslookup("", e.Name, server) + "`)"
	case hresult.DNSServerFailure:
		if errors.Is(e.Err, discovery.ErrCNAMELoop) || errors.Is(e.Err, discovery.ErrTooManyHops) {
			s.fix = "fix the CNAME chain that starts at " + e.Name + " so that it ends at an A or AAAA record"
		} else {
			s.fix = "the DNS server could not answer: check that it is up and reaches the zone (nslookup against it)"
			if f := c.Flag("dns-server"); f != "" {
				s.fix += ", or ask another with " + f
			}
		}
	case hresult.Timeout:
		s.fix = "no DNS answer in time: check that this machine reaches the DNS server on " + dnsPort(e.Server)
		if f := c.Flag("dns-server"); f != "" {
			s.fix += ", ask another with " + f
		}
		if r := c.raiseLimit(e, limit.DNSQuery); r != "" {
			s.fix += ", or " + r
		}
	case hresult.NoKMSHost:
		s.fix = fmt.Sprintf("no host answered: check that each one runs the KMS service and that its port (%d unless the SRV record says otherwise) is open from here; kmsctl dns check shows which published hosts answer", kmsclient.DefaultPort)
	case hresult.InvalidName:
		s.fix = c.noDomainFix()
	case hresult.NoDNSServers:
		s.fix = "configure a DNS server for this machine"
		if f := c.Flag("dns-server"); f != "" {
			s.fix += ", or name one with " + f + " HOST[:PORT]"
		}
	case hresult.InvalidArg:
		s.fix = "write a DNS server as HOST, HOST:PORT or [IPv6]:PORT (the port defaults to 53) and a domain as a DNS name such as corp.example"
	}
	return s
}

// lookElsewhere is the end of the advice for a domain without KMS records:
// where else the running command can look.
func (c Context) lookElsewhere() string {
	switch {
	case c.Flag("domain") != "":
		return ", look in another domain with " + c.Flag("domain") + ", or name the host directly"
	case c.is("ato", "renew"):
		return ", or set the host with kmsctl skms HOST[:PORT]"
	}
	return ""
}

// noDomainFix says, for the running command, how to give discovery a
// domain to search.
func (c Context) noDomainFix() string {
	switch {
	case c.is("dns check"):
		return "name the domain: kmsctl dns check DOMAIN"
	case c.is("ato", "renew"):
		return "set the KMS host with kmsctl skms HOST[:PORT], or the domain that publishes it with kmsctl skms-domain DOMAIN"
	case c.Flag("domain") != "":
		return "give a HOST, or name the domain to look in with " + c.Flag("domain") + ", or set this machine's DNS search domain"
	}
	return "set this machine's DNS search domain, or kmsctl skms-domain DOMAIN"
}

// dnsPort names the DNS server's port: "UDP and TCP port 53".
func dnsPort(server string) string {
	port := "53"
	if _, p, err := net.SplitHostPort(server); err == nil {
		port = p
	}
	return "UDP and TCP port " + port
}

// nslookup is the command an admin would type to repeat a query.
func nslookup(typ, name, server string) string {
	cmd := "nslookup"
	host, port, err := net.SplitHostPort(server)
	if err == nil && port != "53" {
		cmd += " -port=" + port
	}
	if typ != "" {
		cmd += " -type=" + typ
	}
	cmd += " " + name
	if err == nil {
		cmd += " " + host
	}
	return cmd
}
