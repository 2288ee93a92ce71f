package discovery_test

import (
	"strings"
	"testing"

	"github.com/kmsctl/kmsctl/discovery"
)

func TestCheckName(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"kms1.corp.example", ""},
		{"kms1.corp.example.", ""},
		{"_vlmcs._tcp.corp.example", ""},
		{"KMS-1", ""},
		{strings.Repeat("a", 63) + ".example", ""},
		{"", "empty host name"},
		{strings.Repeat("a.", 126) + "ab", "host name longer than 253 characters"},
		{strings.Repeat("a", 64) + ".example", "empty or over-long label in host name"},
		{"kms..example", "empty or over-long label in host name"},
		{".", "empty or over-long label in host name"},
		{"-kms.example", "a label starts or ends with a hyphen: a host name part cannot start or end with '-'"},
		{"kms-.example", "a label starts or ends with a hyphen: a host name part cannot start or end with '-'"},
		{"kms example", `character ' ' is not allowed in a host name`},
		{"kms/1", `character '/' is not allowed in a host name`},
		{"kmsé", `character 'é' is not allowed in a host name`},
	} {
		if got := discovery.CheckName(tt.name, "host name"); got != tt.want {
			t.Errorf("CheckName(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := discovery.CheckName("corp example", "domain"); got != `character ' ' is not allowed in a domain` {
		t.Errorf("the reason names the thing: %q", got)
	}
}
