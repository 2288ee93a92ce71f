//go:build !unix && !windows

package discovery

import "errors"

func systemConfig() (*Config, error) {
	return nil, &Error{HRESULT: CodeNoServers, Op: "read DNS configuration",
		Err: errors.New("this system's DNS configuration cannot be read; name a server with --dns-server and a domain with --domain")}
}
