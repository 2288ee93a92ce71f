package license

import (
	"regexp"
	"sync"
)

// portOnly is slmgr's "/skms :PORT", which changes only the port.
var portOnly = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^:[0-9+-]*$`) })

// ParseKMSHostSetting reads the argument of slmgr /skms: HOST[:PORT]
// (ParseHost) sets the KMS host and its port, ":PORT" (ParsePort) only the
// port. It returns the change to make to the stored setting; errors are
// ParseHost's and ParsePort's.
func ParseKMSHostSetting(arg string) (func(*HostConfig), error) {
	if portOnly().MatchString(arg) {
		port, err := ParsePort(arg[1:])
		if err != nil {
			return nil, err
		}
		return func(h *HostConfig) { h.Port = port }, nil
	}
	host, err := ParseHost(arg)
	if err != nil {
		return nil, err
	}
	return func(h *HostConfig) { h.Host, h.Port = host.Host, host.Port }, nil
}
