package output

import (
	"testing"

	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/kmshost"
)

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
