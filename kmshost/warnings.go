package kmshost

import (
	"fmt"
	"strconv"

	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmsclient"
)

// Warnings are what an admin should act on in the counters, one sentence
// each, in the order of KMSProducts: a KMS host product that is not itself
// activated (its clients get hresult.KMSNotActivated), and a count below the product's
// threshold (its clients get hresult.NotEnoughCount until enough distinct
// machines have asked within kmsclient.CountWindowDays). Empty, not nil,
// when there is nothing to say.
func (c *Counters) Warnings() []string {
	w := []string{}
	for _, p := range c.KMSProducts() {
		if p.LicenseStatus != kmsclient.StatusLicensed {
			w = append(w, fmt.Sprintf("%s is not activated (License Status: %s): clients get %s until the host is activated (slmgr /ato on the host)",
				p.Name, p.LicenseStatus, hresult.KMSNotActivated))
		}
		if reached, known := p.ThresholdReached(); known && !reached {
			w = append(w, fmt.Sprintf("%s counts %s, below its threshold of %d: its clients are refused with %s until %d distinct machines have asked within %d days",
				p.Name, CountText(p.CurrentCount), *p.RequiredClientCount, hresult.NotEnoughCount, *p.RequiredClientCount, kmsclient.CountWindowDays))
		}
	}
	return w
}

// CountText is a WMI current count in words where WMI's value is not a
// count: "(null)" for null, "-1 (no request counted yet)" for -1, else
// the number.
func CountText(c *int64) string {
	switch {
	case c == nil:
		return "(null)"
	case *c < 0:
		return "-1 (no request counted yet)"
	}
	return strconv.FormatInt(*c, 10)
}
