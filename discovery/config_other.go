//go:build !unix && !windows

package discovery

import (
	"errors"

	"github.com/kmsctl/kmsctl/hresult"
)

func systemConfig() (*Config, error) {
	return nil, &Error{HRESULT: hresult.NoDNSServers, Op: "read DNS configuration",
		Err: errors.New("this system's DNS configuration cannot be read; name a server with --dns-server and a domain with --domain")}
}
