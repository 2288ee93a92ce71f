package kmshost

import (
	"strings"
	"testing"

	"github.com/kmsctl/kmsctl/kmsclient"
)

// WMI's 4294967295 (decoded as -1) is no count: it is never compared with
// the threshold, and no warning calls it one.
func TestWarnings_NotApplicableCount(t *testing.T) {
	minus1, zero := int64(-1), int64(0)
	n := uint32(25)
	c := &Counters{Products: []Product{
		{Name: "none yet", KMSMachine: true, LicenseStatus: kmsclient.StatusLicensed, CurrentCount: &minus1, RequiredClientCount: &n},
		{Name: "empty", KMSMachine: true, LicenseStatus: kmsclient.StatusLicensed, CurrentCount: &zero, RequiredClientCount: &n},
	}}
	w := c.Warnings()
	if len(w) != 1 || !strings.HasPrefix(w[0], "empty counts 0") {
		t.Errorf("warnings %q", w)
	}
}
