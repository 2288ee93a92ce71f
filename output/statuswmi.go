package output

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/kmsctl/kmsctl/kmshost"
	"github.com/kmsctl/kmsctl/probe"
)

// WinRMResult is what --winrm read from one host of a status run.
type WinRMResult struct {
	Address  string // the WinRM listener read
	Counters *kmshost.Counters
	Err      error
}

// StatusWMIJSON is the "wmi" member of a status host with --winrm.
type StatusWMIJSON struct {
	Address     string              `json:"address"`
	Computer    *string             `json:"computer"`
	Error       *ErrorInfo          `json:"error"`
	KMSProducts []StatusWMIProdJSON `json:"kms_products"`
}

// StatusWMIProdJSON is one KMS host product's count as WMI has it.
type StatusWMIProdJSON struct {
	Name                string  `json:"name"`
	ApplicationID       string  `json:"application_id"`
	CurrentCount        *int64  `json:"current_count"`
	RequiredClientCount *uint32 `json:"required_client_count"`
}

func (s *Streams) newStatusWMI(r *WinRMResult) *StatusWMIJSON {
	j := &StatusWMIJSON{Address: r.Address, KMSProducts: []StatusWMIProdJSON{}, Error: s.describeOrNil(r.Err)}
	if c := r.Counters; c != nil {
		j.Computer = &c.Computer
		for _, p := range c.KMSProducts() {
			j.KMSProducts = append(j.KMSProducts, StatusWMIProdJSON{Name: p.Name, ApplicationID: p.ApplicationID.String(),
				CurrentCount: p.CurrentCount, RequiredClientCount: p.RequiredClientCount})
		}
	}
	return j
}

// wmiCount is the WMI count of the host product that serves group's
// application, and that product; nil when there is none.
func wmiCount(r *WinRMResult, app string) (*int64, *kmshost.Product) {
	if r == nil || r.Counters == nil {
		return nil, nil
	}
	for _, p := range r.Counters.KMSProducts() {
		if _, counted := p.Counted(); p.ApplicationID.String() == app && counted { // WMI's 4294967295 is no count
			return p.CurrentCount, &p
		}
	}
	return nil, nil
}

// StatusWinRM renders a status run with the WMI counters read over WinRM
// beside each group's KMS count. A host whose counters could not be read
// fails the run (failure.Hosts); counts that disagree are flagged, not failed.
func (s *Streams) StatusWinRM(hosts []probe.Host, wmi []WinRMResult, view View, summary bool) error {
	return s.status(hosts, wmi, view, summary)
}

// winrmProblems writes WMI failures and disagreements to stderr.
func (s *Streams) winrmProblems(hosts []probe.Host, wmi []WinRMResult) {
	skipped := false
	defer func() {
		if skipped {
			s.Warning("interrupted (Ctrl-C) before WMI was read over WinRM: no host's WMI counts")
		}
	}()
	for i := range hosts {
		h, r := &hosts[i], &wmi[i]
		if errors.Is(r.Err, probe.ErrNotProbed) {
			skipped = true // Ctrl-C: one line for all, below
			continue
		}
		if r.Err != nil {
			fmt.Fprintf(s.Err, "%s (WMI over WinRM):\n", h.Host)
			s.writeErrorInfo(s.Err, s.describe(r.Err), "")
			continue
		}
		for j := range h.Groups {
			g := &h.Groups[j]
			if g.Result == nil {
				continue
			}
			c, p := wmiCount(r, g.Product.ApplicationID.String())
			switch {
			case c == nil:
				s.Warning(fmt.Sprintf("%s, %s: no KMS host product for this application in WMI, so there is no count to compare", h.Host, g.Product.Name))
			case *c != int64(g.Result.Count):
				s.Warning(fmt.Sprintf("%s, %s: the KMS reply counts %d, WMI (%s) counts %s: they disagree; another client may have been counted in between, or the reply does not come from this host",
					h.Host, g.Product.Name, g.Result.Count, p.Name, kmshost.CountText(c)))
			}
		}
	}
}

// addWMI puts what --winrm read into a status report.
func (s *Streams) addWMI(r *StatusReport, hosts []probe.Host, wmi []WinRMResult) {
	if wmi == nil {
		return
	}
	for i := range r.Hosts {
		res := &wmi[i]
		r.Hosts[i].WMI = s.newStatusWMI(res)
		for j := range r.Hosts[i].Groups {
			g := &hosts[i].Groups[j]
			if g.Result == nil {
				continue
			}
			c, _ := wmiCount(res, g.Product.ApplicationID.String())
			if c == nil {
				continue
			}
			agree := *c == int64(g.Result.Count)
			r.Hosts[i].Groups[j].WMICount, r.Hosts[i].Groups[j].CountsAgree = c, &agree
		}
	}
}

// wmiCell is the WMI count beside a group's KMS count: plain when they
// agree, flagged when they do not.
func (s *Streams) wmiCell(r *WinRMResult, g *probe.Group) cell {
	if r.Err != nil {
		return cell{"failed", s.bad}
	}
	c, _ := wmiCount(r, g.Product.ApplicationID.String())
	switch {
	case c == nil:
		return cell{text: "-"}
	case *c != int64(g.Result.Count):
		return cell{strconv.FormatInt(*c, 10) + " differs", s.bad}
	}
	return cell{strconv.FormatInt(*c, 10), s.good}
}

// wmiFields are the two TSV fields --winrm adds to a status line: the WMI
// count and whether it agrees with the KMS reply (yes|no); both empty when
// there is nothing to compare.
func wmiFields(r *WinRMResult, g *probe.Group) []string {
	if g.Result == nil {
		return []string{"", ""}
	}
	c, _ := wmiCount(r, g.Product.ApplicationID.String())
	if c == nil {
		return []string{"", ""}
	}
	agree := "yes"
	if *c != int64(g.Result.Count) {
		agree = "no"
	}
	return []string{strconv.FormatInt(*c, 10), agree}
}
