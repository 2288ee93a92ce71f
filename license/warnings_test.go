package license

import (
	"slices"
	"testing"
)

func TestHostConfigWarnings(t *testing.T) {
	for _, tt := range []struct {
		h    HostConfig
		want []string
	}{
		{HostConfig{}, []string{}},
		{HostConfig{Host: "kms.example.com"}, []string{}},
		{HostConfig{LookupDomain: "example.com"}, []string{}},
		{HostConfig{Host: "kms.example.com", Port: 1700, LookupDomain: "example.com"},
			[]string{"/skms setting overrides the /skms-domain setting. kms.example.com:1700 will be used for activation."}},
	} {
		if got := tt.h.Warnings(); !slices.Equal(got, tt.want) || got == nil {
			t.Errorf("%+v: Warnings() = %q, want %q", tt.h, got, tt.want)
		}
	}
}
