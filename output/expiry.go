package output

import (
	"fmt"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/kmsclient"
)

// expiryDoc is the document of xpr for in: dli's JSON, laid out as /xpr.
func expiryDoc(in LicenseInfo) LicenseJSON {
	d := NewLicenseJSON(in)
	d.form = formXPR
	return d
}

// Expiry renders slmgr /xpr, or the dli JSON document.
func (s *Streams) Expiry(in LicenseInfo, v View) error {
	return s.Show(expiryDoc(in), v)
}

// expiry writes slmgr /xpr.
func (s *Streams) expiry(in LicenseInfo) {
	v, p := in.View, in.State.Product
	app := "Windows"
	if p.SKU.Family == catalogue.Office {
		app = "Office"
	}
	left := func() string {
		return fmt.Sprintf(" (in %d day(s))", (minutesLeft(v.Remaining(in.Now))+1439)/1440)
	}
	var line string
	switch v.Status {
	case kmsclient.StatusLicensed:
		line = "Volume activation will expire " + When(v.Ends, in.Now) + left()
	case kmsclient.StatusOOBGrace:
		line = "Initial grace period ends " + When(v.Ends, in.Now) + left()
	case kmsclient.StatusOOTGrace:
		line = "Additional grace period ends " + When(v.Ends, in.Now) + left()
	case kmsclient.StatusNotification:
		line = app + " is in Notification mode"
	default:
		line = v.Status.String()
	}
	// Wrapped between words on a terminal, as dli wraps them.
	s.textLine(s.Out, "", "", p.SKU.Name+":")
	s.textLine(s.Out, "    ", "", s.statusColour(v.Status, line))
	if v.RenewalFailing {
		s.textLine(s.Out, "    ", "", s.warn(renewalFailing(in)))
	}
}
