package kmsclient_test

import (
	"encoding/binary"
	"testing"

	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/kmsclient/internal/hostside"
)

// Every status's three names (docs/slmgr.md §1), and what lies past them.
func TestLicenseStatusNames(t *testing.T) {
	for _, tt := range []struct {
		s                  kmsclient.LicenseStatus
		slmgr, name, short string
	}{
		{kmsclient.StatusUnlicensed, "Unlicensed", "Unlicensed", "unlicensed"},
		{kmsclient.StatusLicensed, "Licensed", "Licensed", "licensed"},
		{kmsclient.StatusOOBGrace, "Initial grace period", "OOBGrace", "initial grace"},
		{kmsclient.StatusOOTGrace, "Additional grace period (KMS license expired or hardware out of tolerance)", "OOTGrace", "expired/OOT"},
		{kmsclient.StatusNonGenuineGrace, "Non-genuine grace period.", "NonGenuineGrace", "non-genuine"},
		{kmsclient.StatusNotification, "Notification", "Notification", "notification"},
		{kmsclient.StatusExtendedGrace, "Extended grace period", "ExtendedGrace", "extended grace"},
		{7, "Unknown", "Unknown(7)", "7"},
		{9, "Unknown", "Unknown(9)", "9"},
		{0xFFFFFFFF, "Unknown", "Unknown(4294967295)", "4294967295"},
	} {
		if tt.s.String() != tt.slmgr || tt.s.Name() != tt.name || tt.s.Short() != tt.short {
			t.Errorf("status %d: %q %q %q, want %q %q %q", uint32(tt.s), tt.s.String(), tt.s.Name(), tt.s.Short(), tt.slmgr, tt.name, tt.short)
		}
	}
}

// The status a request carries is the same number on the wire and back
// (docs/protocol.md §4.1, offset 8 of the base request).
func TestLicenseStatusRoundTrip(t *testing.T) {
	for s := kmsclient.StatusUnlicensed; s <= kmsclient.StatusExtendedGrace+1; s++ {
		req := &kmsclient.Request{Version: kmsclient.V6, LicenseStatus: s}
		b, err := kmsclient.AppendBaseRequest(nil, req)
		if err != nil {
			t.Fatal(err)
		}
		if got := binary.LittleEndian.Uint32(b[8:]); got != uint32(s) {
			t.Errorf("status %d written as %d", uint32(s), got)
		}
		back, err := hostside.ParseBaseRequest(b)
		if err != nil || back.LicenseStatus != s {
			t.Errorf("status %d read back as %d (%v)", uint32(s), uint32(back.LicenseStatus), err)
		}
	}
}
