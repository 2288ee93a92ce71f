package license

import (
	"strings"

	"github.com/kmsctl/kmsctl/kmsaddr"
)

// ParseKMSHostSetting reads the argument of slmgr /skms: HOST[:PORT]
// (ParseHost) sets the KMS host and its port, ":PORT" (kmsaddr.ParsePort)
// only the port. It returns the change to make to the stored setting;
// errors are ParseHost's and ParsePort's.
func ParseKMSHostSetting(arg string) (func(*HostConfig), error) {
	if port, ok := strings.CutPrefix(arg, ":"); ok {
		n, err := kmsaddr.ParsePort(port)
		if err != nil {
			return nil, err
		}
		return func(h *HostConfig) { h.Port = n }, nil
	}
	host, err := ParseHost(arg)
	if err != nil {
		return nil, err
	}
	return func(h *HostConfig) { h.Host, h.Port = host.Host, host.Port }, nil
}
