//go:build unix

package discovery

import (
	"os"

	"github.com/kmsctl/kmsctl/hresult"
	"github.com/miekg/dns"
)

// resolvConf is where Unix systems keep the resolver configuration
// (on macOS a generated copy of the primary resolver's settings).
const resolvConf = "/etc/resolv.conf"

func systemConfig() (*Config, error) {
	hostname, _ := os.Hostname() // only a fallback for the search domain
	return configFromFile(resolvConf, hostname)
}

// configFromFile reads a resolv.conf(5) file.
func configFromFile(path, hostname string) (*Config, error) {
	cc, err := dns.ClientConfigFromFile(path)
	if err != nil {
		return nil, &Error{HRESULT: hresult.NoDNSServers, Op: "read DNS configuration", Err: err}
	}
	return fromResolvConf(cc, hostname), nil
}
