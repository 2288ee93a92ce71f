package discovery

import (
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func TestFromResolvConf(t *testing.T) {
	tests := []struct {
		name, conf, hostname string
		servers, search      []string
	}{
		{"search list and servers",
			"# comment\nnameserver 10.0.0.53\nnameserver fe80::1%eth0\nnameserver 2001:db8::53\nsearch corp.example lab.corp.example. corp.example\noptions ndots:2\n",
			"", []string{"10.0.0.53:53", "[fe80::1%eth0]:53", "[2001:db8::53]:53"}, []string{"corp.example.", "lab.corp.example."}},
		{"domain line", "nameserver 10.0.0.53\ndomain corp.example\n", "pc1.other.example",
			[]string{"10.0.0.53:53"}, []string{"corp.example."}},
		{"the host name's domain when none is configured", "nameserver 10.0.0.53\n", "pc1.corp.example",
			[]string{"10.0.0.53:53"}, []string{"corp.example."}},
		{"no servers: loopback, as glibc", "search corp.example\n", "pc1",
			[]string{"127.0.0.1:53", "[::1]:53"}, []string{"corp.example."}},
		{"names and roots are skipped", "nameserver dns.corp.example\nnameserver 10.0.0.1\nsearch . corp.example bad..name\n", "",
			[]string{"10.0.0.1:53"}, []string{"corp.example."}},
		{"nothing", "", "pc1", []string{"127.0.0.1:53", "[::1]:53"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc, err := dns.ClientConfigFromReader(strings.NewReader(tt.conf))
			if err != nil {
				t.Fatal(err)
			}
			c := fromResolvConf(cc, tt.hostname)
			if !slices.Equal(c.Servers, tt.servers) || !slices.Equal(c.Search, tt.search) {
				t.Errorf("got %q %q, want %q %q", c.Servers, c.Search, tt.servers, tt.search)
			}
		})
	}
}

// The Windows domain list, built from what the registry and the adapters
// say (the system calls themselves are only compiled, not run, here).
func TestWindowsSearch(t *testing.T) {
	tests := []struct {
		name, primary, policy, local string
		adapters                     []string
		want                         []string
	}{
		{"primary then adapters", "corp.example", "", "", []string{"dhcp.example", "corp.example"},
			[]string{"corp.example.", "dhcp.example."}},
		{"local search list replaces the adapters", "corp.example", "", "a.example,b.example", []string{"dhcp.example"},
			[]string{"corp.example.", "a.example.", "b.example."}},
		{"policy wins over local", "corp.example", "p.example, q.example", "a.example", nil,
			[]string{"corp.example.", "p.example.", "q.example."}},
		{"workgroup machine", "", "", "", []string{"home.example"}, []string{"home.example."}},
		{"nothing at all", "", "", "", nil, nil},
	}
	for _, tt := range tests {
		if got := windowsSearch(tt.primary, tt.policy, tt.local, tt.adapters); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestSystemConfig(t *testing.T) {
	c, err := SystemConfig()
	if err != nil {
		t.Skipf("no system DNS configuration here: %v", err)
	}
	if len(c.Servers) == 0 {
		t.Errorf("no servers: %+v", c)
	}
	for _, s := range c.Servers {
		if _, err := ParseServer(s); err != nil {
			t.Errorf("server %q: %v", s, err)
		}
	}
}
