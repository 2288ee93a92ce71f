package output

import (
	"testing"
	"time"

	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/kmshost"
)

func TestAgo(t *testing.T) {
	now := time.Date(2026, 11, 23, 17, 55, 4, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		8 * time.Second: "8s ago", 2*time.Minute + 8*time.Second: "2m ago", time.Hour + 49*time.Minute: "1h49m ago",
		32*time.Hour + 55*time.Minute: "32h55m ago", 51 * time.Hour: "2d03h ago", -90 * time.Second: "in 1m30s",
	} {
		if got := ago(now.Add(-d), now); got != want {
			t.Errorf("ago(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestSpanText(t *testing.T) {
	for d, want := range map[time.Duration]string{
		24 * time.Hour: "24h", 48 * time.Hour: "2d", 7 * 24 * time.Hour: "7d", 90 * time.Minute: "90m", 90 * time.Second: "1m30s",
	} {
		if got := spanText(d); got != want {
			t.Errorf("spanText(%s) = %q, want %q", d, got, want)
		}
	}
}

// WMI's 4294967295 (decoded as -1) is no count: the WMI count beside a
// KMS reply's is the product that counts (kmshost's TestWarnings_NotApplicableCount
// checks that no warning calls it one).
func TestWMICount_NotApplicableCount(t *testing.T) {
	minus1, zero := int64(-1), int64(0)
	n := uint32(25)
	c := &kmshost.Counters{Products: []kmshost.Product{
		{Name: "none yet", KMSMachine: true, LicenseStatus: kmsclient.StatusLicensed, CurrentCount: &minus1, RequiredClientCount: &n},
		{Name: "empty", KMSMachine: true, LicenseStatus: kmsclient.StatusLicensed, CurrentCount: &zero, RequiredClientCount: &n},
	}}
	if got, _ := wmiCount(&WinRMResult{Counters: c}, c.Products[0].ApplicationID.String()); got == nil || *got != 0 {
		t.Errorf("wmiCount %v, want the product that counts", got)
	}
}
