package discovery

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/kmsctl/kmsctl/hresult"
	"github.com/miekg/dns"
)

// Config is the resolver configuration discovery falls back on when the
// caller names no DNS server or no domain.
type Config struct {
	// Servers are the DNS servers (host:port) in the order to ask them.
	Servers []string
	// Search are the domains (fully qualified, final dot) to look for
	// _vlmcs._tcp records in, in order: the primary DNS suffix first,
	// then the search list, as a Windows KMS client does.
	Search []string
	// QueryTimeout, when not zero, bounds one exchange with one server in
	// place of DefaultQueryTimeout (Options.QueryTimeout still wins).
	// SystemConfig leaves it zero: resolv.conf's 5 s default would let
	// one silent server use up a whole --timeout before failover.
	QueryTimeout time.Duration
}

// SystemConfig returns this machine's DNS servers and search domains:
// /etc/resolv.conf on Unix (nameserver, search/domain, else the host
// name's domain); on Windows the primary DNS suffix, the suffix search list
// (group policy first) or else the adapters' connection-specific suffixes,
// and the DNS servers of the adapters that are up.
func SystemConfig() (*Config, error) { return systemConfig() }

// defaultServers is what resolvers ask when none is configured (glibc and
// Go's resolver use the same).
var defaultServers = []string{"127.0.0.1:53", "[::1]:53"}

// fromResolvConf turns a parsed resolv.conf into a Config; hostname gives
// the domain when the file names none, as glibc does.
func fromResolvConf(cc *dns.ClientConfig, hostname string) *Config {
	c := &Config{}
	port := cc.Port
	if port == "" {
		port = "53"
	}
	for _, s := range cc.Servers {
		ip, err := netip.ParseAddr(s)
		if err != nil {
			continue // resolv.conf names servers by address only
		}
		c.Servers = append(c.Servers, net.JoinHostPort(ip.String(), port))
	}
	if len(c.Servers) == 0 {
		c.Servers = append(c.Servers, defaultServers...)
	}
	search := cc.Search
	if len(search) == 0 {
		if _, dom, ok := strings.Cut(hostname, "."); ok {
			search = []string{dom}
		}
	}
	c.Search = searchList(search...)
	return c
}

// windowsSearch builds a Windows client's domain list: the primary DNS
// suffix, then the configured suffix search list (the group-policy one
// wins over the local one); without a search list, the adapters'
// connection-specific suffixes follow the primary suffix.
func windowsSearch(primary, policyList, localList string, adapterSuffixes []string) []string {
	list := splitSearchList(policyList)
	if len(list) == 0 {
		list = splitSearchList(localList)
	}
	if len(list) == 0 {
		list = adapterSuffixes
	}
	return searchList(append([]string{primary}, list...)...)
}

// splitSearchList splits the registry's SearchList value, which separates
// domains with commas (and, as written by some tools, spaces).
func splitSearchList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '\t' })
}

// searchList makes each domain fully qualified and drops empty, root,
// malformed and repeated entries.
func searchList(domains ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, d := range domains {
		d = strings.TrimSpace(d)
		if d == "" || d == "." {
			continue
		}
		d = dns.Fqdn(d)
		if _, ok := dns.IsDomainName(d); !ok {
			continue
		}
		k := strings.ToLower(d)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, d)
	}
	return out
}

// ParseServer turns HOST, HOST:PORT, [IPv6]:PORT, [IPv6] or a bare IPv6
// address into host:port, with the DNS port 53 by default. Its errors are
// *Error with code 0x80070057.
func ParseServer(s string) (string, error) {
	in := s
	s = strings.TrimSpace(s)
	bad := func(reason string) (string, error) {
		return "", &Error{HRESULT: hresult.InvalidArg, Op: "parse DNS server " + strconv.Quote(in), Err: errorString(reason)}
	}
	if s == "" {
		return bad("empty")
	}
	host, port := s, "53"
	switch {
	case strings.HasPrefix(s, "["):
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return bad("missing ]")
		}
		host = s[1:end]
		if rest := s[end+1:]; rest != "" {
			p, ok := strings.CutPrefix(rest, ":")
			if !ok {
				return bad("unexpected text after ]")
			}
			port = p
		}
		if ip, ok := parseIP(host); !ok || !ip.Is6() {
			return bad("brackets hold an IPv6 address")
		}
	case strings.Count(s, ":") > 1:
		if _, ok := parseIP(s); !ok {
			return bad("write IPv6 addresses in brackets, e.g. [2001:db8::53]:53")
		}
	case strings.Contains(s, ":"):
		host, port, _ = strings.Cut(s, ":")
	}
	if host == "" {
		return bad("empty host")
	}
	if _, ok := parseIP(host); !ok && CheckName(host, "host name") != "" {
		return bad("not an IP address or host name")
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil || n == 0 || strconv.FormatUint(n, 10) != port {
		return bad("port must be a number from 1 to 65535")
	}
	return net.JoinHostPort(host, strconv.FormatUint(n, 10)), nil
}

// parseIP parses an IP address whose zone, if any, is an interface name
// or number (netip accepts any text there).
func parseIP(s string) (netip.Addr, bool) {
	ip, err := netip.ParseAddr(s)
	if err != nil {
		return ip, false
	}
	for _, c := range ip.Zone() {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return ip, false
		}
	}
	return ip, true
}

// errorString is a cause without further structure.
type errorString string

func (e errorString) Error() string { return string(e) }
