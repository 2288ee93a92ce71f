//go:build windows

package discovery

import (
	"errors"
	"net"
	"net/netip"
	"unsafe"

	"github.com/kmsctl/kmsctl/hresult"
	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// Registry keys holding the DNS suffix search list: the group-policy one
// wins over the one set on the TCP/IP properties.
const (
	policyDNSClientKey = `SOFTWARE\Policies\Microsoft\Windows NT\DNSClient`
	tcpipParametersKey = `SYSTEM\CurrentControlSet\Services\Tcpip\Parameters`
)

func systemConfig() (*Config, error) {
	aas, err := adapterAddresses()
	if err != nil {
		return nil, &Error{HRESULT: hresult.NoDNSServers, Op: "read DNS configuration", Err: err}
	}
	c := &Config{}
	var suffixes []string
	for _, aa := range aas {
		if aa.OperStatus != windows.IfOperStatusUp {
			continue
		}
		if aa.DnsSuffix != nil {
			if s := windows.UTF16PtrToString(aa.DnsSuffix); s != "" {
				suffixes = append(suffixes, s)
			}
		}
		if aa.FirstGatewayAddress == nil {
			continue // as Go's resolver: only adapters that route somewhere
		}
		for d := aa.FirstDnsServerAddress; d != nil; d = d.Next {
			ip, ok := netip.AddrFromSlice(d.Address.IP())
			if !ok {
				continue
			}
			ip = ip.Unmap()
			if ip.Is6() && ip.As16()[0] == 0xfe && ip.As16()[1]&0xc0 == 0xc0 {
				continue // fec0::/10 site-local defaults, deprecated (RFC 3879)
			}
			c.Servers = append(c.Servers, net.JoinHostPort(ip.String(), "53"))
		}
	}
	c.Servers = dedupe(c.Servers)
	c.Search = windowsSearch(primarySuffix(), regString(policyDNSClientKey, "SearchList"),
		regString(tcpipParametersKey, "SearchList"), suffixes)
	return c, nil
}

// primarySuffix is the computer's primary DNS suffix (its AD domain when
// joined), or "" when it has none.
func primarySuffix() string {
	n := uint32(256)
	for range 3 {
		buf := make([]uint16, n)
		err := windows.GetComputerNameEx(windows.ComputerNameDnsDomain, &buf[0], &n)
		if err == nil {
			return windows.UTF16ToString(buf[:n])
		}
		if !errors.Is(err, windows.ERROR_MORE_DATA) {
			return ""
		}
	}
	return ""
}

// regString reads a REG_SZ value under HKLM, or "" when it is absent.
func regString(path, name string) string {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, path, registry.QUERY_VALUE)
	if err != nil {
		return ""
	}
	defer k.Close()
	s, _, err := k.GetStringValue(name)
	if err != nil {
		return ""
	}
	return s
}

// adapterAddresses lists the network adapters (as Go's net package does).
func adapterAddresses() ([]*windows.IpAdapterAddresses, error) {
	var b []byte
	l := uint32(15000) // the recommended initial size
	for {
		b = make([]byte, l)
		const flags = windows.GAA_FLAG_INCLUDE_PREFIX | windows.GAA_FLAG_INCLUDE_GATEWAYS
		err := windows.GetAdaptersAddresses(windows.AF_UNSPEC, flags, 0, (*windows.IpAdapterAddresses)(unsafe.Pointer(&b[0])), &l)
		if err == nil {
			if l == 0 {
				return nil, nil
			}
			break
		}
		if !errors.Is(err, windows.ERROR_BUFFER_OVERFLOW) || l <= uint32(len(b)) {
			return nil, err
		}
	}
	var aas []*windows.IpAdapterAddresses
	for aa := (*windows.IpAdapterAddresses)(unsafe.Pointer(&b[0])); aa != nil; aa = aa.Next {
		aas = append(aas, aa)
	}
	return aas, nil
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := s[:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
