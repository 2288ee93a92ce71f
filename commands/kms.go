package commands

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/license"
)

// The KMS client settings: skms, ckms, skms-domain, ckms-domain, skhc, ckhc.

func skmsCommand(env *Env) *cli.Command {
	return kmsSetting(env, "skms", "HOST[:PORT] | :PORT",
		"set the KMS host to use (slmgr /skms)",
		`Sets the KMS host ato and renew use: a name, an IPv4 address or an IPv6
address in brackets, with an optional port (default 1688). ":PORT" changes only
the port. A host set here turns DNS discovery off.

Examples:
   kmsctl skms kms.corp.example.com
   kmsctl skms 10.0.0.5:1688
   kmsctl skms [2001:db8::5]:1688`,
		func(c *cli.Context) (func(*license.HostConfig), error) {
			return license.ParseKMSHostSetting(c.Args().First())
		},
		func(h license.HostConfig) (string, []string) {
			name := h.Address()
			if name == "" {
				name = fmt.Sprintf(":%d", h.PortOrDefault())
			}
			msg := "Key Management Service machine name set to " + name + " successfully."
			if h.Host == "" {
				return msg, []string{fmt.Sprintf("No KMS host is set: port %d is kept, but hosts found in DNS are asked on their SRV record's port; kmsctl skms HOST:PORT sets a host and its port.", h.PortOrDefault())}
			}
			return msg, h.Warnings()
		})
}

func ckmsCommand(env *Env) *cli.Command {
	return kmsSetting(env, "ckms", "", "clear the KMS host; use DNS discovery (slmgr /ckms)",
		`Clears the KMS host set with skms (and its port): ato and renew find hosts
in DNS again.

Example:
   kmsctl ckms`,
		func(*cli.Context) (func(*license.HostConfig), error) {
			return func(h *license.HostConfig) { h.Host, h.Port = "", 0 }, nil
		},
		func(h license.HostConfig) (string, []string) {
			msg := "Key Management Service machine name cleared successfully."
			if h.LookupDomain != "" {
				return msg, []string{"/skms-domain setting is in effect. " + h.LookupDomain + " will be used for DNS SRV record lookup."}
			}
			return msg, nil
		})
}

func skmsDomainCommand(env *Env) *cli.Command {
	return kmsSetting(env, "skms-domain", "DOMAIN", "set the DNS domain holding the KMS SRV records (slmgr /skms-domain)",
		`Sets the one DNS domain in which discovery looks for _vlmcs._tcp records,
instead of the machine's own domains. A host set with skms overrides it.

Example:
   kmsctl skms-domain corp.example.com`,
		func(c *cli.Context) (func(*license.HostConfig), error) {
			d, err := license.ParseDomain(c.Args().First())
			if err != nil {
				return nil, err
			}
			return func(h *license.HostConfig) { h.LookupDomain = d }, nil
		},
		func(h license.HostConfig) (string, []string) {
			return "Key Management Service lookup domain set to " + h.LookupDomain + " successfully.", h.Warnings()
		})
}

func ckmsDomainCommand(env *Env) *cli.Command {
	return kmsSetting(env, "ckms-domain", "", "clear the DNS lookup domain (slmgr /ckms-domain)",
		`Clears the lookup domain set with skms-domain: discovery uses the machine's
own domains again.

Example:
   kmsctl ckms-domain`,
		func(*cli.Context) (func(*license.HostConfig), error) {
			return func(h *license.HostConfig) { h.LookupDomain = "" }, nil
		},
		func(h license.HostConfig) (string, []string) {
			msg := "Key Management Service lookup domain cleared successfully."
			if h.Host != "" {
				return msg, []string{"/skms setting is in effect. " + h.Address() + " will be used for activation."}
			}
			return msg, nil
		})
}
