package output

import (
	"cmp"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kmsctl/kmsctl/probe"
)

// StatusReport is the JSON document of `kmsctl status --json`. Its field
// tags are the schema documented in README.md.
type StatusReport struct {
	Hosts   []StatusHost   `json:"hosts"`
	Summary *StatusSummary `json:"summary,omitempty"`
	hosts   []probe.Host
	wmi     []WinRMResult
}

// StatusSummary counts hosts by outcome. A host the run never asked,
// because Ctrl-C interrupted it or its --deadline ran out first, is
// counted as not probed, not as failed (the key appears only then); one
// stopped while being probed has failed.
type StatusSummary struct {
	Hosts          int `json:"hosts"`
	OK             int `json:"ok"`
	BelowThreshold int `json:"below_threshold"`
	Failed         int `json:"failed"`
	NotProbed      int `json:"not_probed,omitempty"`
}

// StatusHost is one host's answers.
type StatusHost struct {
	Host    string        `json:"host"`
	Address string        `json:"address"`
	OK      bool          `json:"ok"`
	Error   *ErrorInfo    `json:"error"`
	Groups  []StatusGroup `json:"groups"`
	// WMI is what --winrm read from the host's WMI; absent without it.
	WMI *StatusWMIJSON `json:"wmi,omitempty"`
}

// StatusGroup is one product group's answer. Pointers are null when the
// group failed.
type StatusGroup struct {
	Product                   string     `json:"product"`
	KMSGroup                  string     `json:"kms_group"`
	KMSID                     string     `json:"kms_id"`
	Protocol                  int        `json:"protocol"`
	Count                     *uint32    `json:"count"`
	Others                    *uint32    `json:"others"`
	SelfCounted               bool       `json:"self_counted"`
	Threshold                 int        `json:"threshold"`
	BelowThreshold            bool       `json:"below_threshold"`
	EPID                      *string    `json:"epid"`
	EPIDInfo                  *EPIDJSON  `json:"epid_info"`
	HWID                      *string    `json:"hwid"`
	ActivationIntervalMinutes *uint32    `json:"activation_interval_minutes"`
	RenewalIntervalMinutes    *uint32    `json:"renewal_interval_minutes"`
	LatencyMS                 *float64   `json:"latency_ms"`
	Warnings                  []string   `json:"warnings"`
	Error                     *ErrorInfo `json:"error"`
	// With --winrm: the count WMI has for the group's application, and
	// whether it equals the KMS reply's; absent otherwise.
	WMICount    *int64 `json:"wmi_count,omitempty"`
	CountsAgree *bool  `json:"counts_agree,omitempty"`
}

// EPIDJSON is a decoded host ePID.
type EPIDJSON struct {
	PlatformID     string  `json:"platform_id"`
	GroupID        string  `json:"group_id"`
	HostKeyType    string  `json:"host_key_type"`
	KeyID          int     `json:"key_id"`
	Channel        string  `json:"channel"`
	LCID           int     `json:"lcid"`
	Language       *string `json:"language"`      // BCP 47 tag; null for an LCID Windows does not define
	LanguageName   *string `json:"language_name"` // English name; null with language
	OSBuild        int     `json:"os_build"`
	OS             string  `json:"os"`
	ActivationDate string  `json:"activation_date"` // YYYY-MM-DD
}

// StatusReport converts probe results to the JSON document.
func (s *Streams) StatusReport(hosts []probe.Host, summary bool) StatusReport {
	r := StatusReport{Hosts: make([]StatusHost, 0, len(hosts))}
	if summary {
		r.Summary = &StatusSummary{Hosts: len(hosts)}
	}
	for i := range hosts {
		h := &hosts[i]
		sh := StatusHost{Host: h.Host, Address: h.Address, Groups: make([]StatusGroup, 0, len(h.Groups))}
		if h.Remote != "" {
			sh.Address = h.Remote
		}
		o := h.Outcome()
		sh.OK = o != probe.Failed
		if r.Summary != nil {
			switch {
			case probe.NotProbed(h.Err):
				r.Summary.NotProbed++
			case o == probe.OK:
				r.Summary.OK++
			case o == probe.Below:
				r.Summary.BelowThreshold++
			default:
				r.Summary.Failed++
			}
		}
		sh.Error = s.describeOrNil(h.Err)
		for j := range h.Groups {
			sh.Groups = append(sh.Groups, s.newStatusGroup(&h.Groups[j]))
		}
		r.Hosts = append(r.Hosts, sh)
	}
	return r
}

func (s *Streams) newStatusGroup(g *probe.Group) StatusGroup {
	sg := StatusGroup{Product: g.Product.Name, KMSGroup: g.Product.Group, KMSID: g.Product.KMSID.String(),
		Protocol: g.Protocol, Threshold: g.Product.Threshold, BelowThreshold: g.BelowThreshold(), Warnings: []string{}}
	if g.Err != nil {
		sg.Error = s.describeOrNil(g.Err)
		return sg
	}
	if g.Result == nil {
		return sg
	}
	r := g.Result
	others := g.Others()
	sg.Count, sg.Others, sg.SelfCounted, sg.EPID = &r.Count, &others, g.Self > 0, &r.EPID
	sg.ActivationIntervalMinutes, sg.RenewalIntervalMinutes = &r.ActivationInterval, &r.RenewalInterval
	ms := float64(r.Latency.Microseconds()) / 1000
	sg.LatencyMS = &ms
	if r.HWID != nil {
		h := strings.ToUpper(hex.EncodeToString(r.HWID[:]))
		sg.HWID = &h
	}
	if i := r.EPIDInfo; i != nil {
		sg.EPIDInfo = &EPIDJSON{PlatformID: i.PlatformID, GroupID: i.GroupID, HostKeyType: i.HostKeyType, KeyID: i.KeyID,
			Channel: i.Channel, LCID: i.LCID, OSBuild: i.Build, OS: i.OS,
			ActivationDate: i.ActivationDate.Format(time.DateOnly)}
		if i.Language != "" {
			sg.EPIDInfo.Language, sg.EPIDInfo.LanguageName = &i.Language, &i.LanguageName
		}
	}
	sg.Warnings = append(sg.Warnings, r.Warnings...)
	return sg
}

// Status renders probe results in view. Warnings and errors go to stderr.
func (s *Streams) Status(hosts []probe.Host, view View, summary bool) error {
	return s.status(hosts, nil, view, summary)
}

// status renders a status run; wmi, when not nil, holds what --winrm read
// from each host.
func (s *Streams) status(hosts []probe.Host, wmi []WinRMResult, view View, summary bool) error {
	r := s.StatusReport(hosts, summary)
	s.addWMI(&r, hosts, wmi)
	r.hosts, r.wmi = hosts, wmi
	return s.Show(r, view)
}

// layout writes the compact table, the wide tables or the TSV lines, then
// the failures, warnings and the summary on stderr.
func (r StatusReport) layout(s *Streams, v View) error {
	hosts, wmi := r.hosts, r.wmi
	cols := s.statusColumns(wmi != nil)
	switch v {
	case ViewTable:
		cols.write(s, v, statusRows(hosts, wmi, true))
	case ViewWide:
		s.statusWide(cols, hosts, wmi)
	default:
		cols.write(s, ViewTSV, statusRows(hosts, wmi, false))
	}
	s.statusProblems(hosts)
	if wmi != nil {
		s.winrmProblems(hosts, wmi)
	}
	if r.Summary != nil {
		line := fmt.Sprintf("%d hosts: %d ok, %d below threshold, %d failed",
			r.Summary.Hosts, r.Summary.OK, r.Summary.BelowThreshold, r.Summary.Failed)
		if r.Summary.NotProbed > 0 {
			line += fmt.Sprintf(", %d not probed", r.Summary.NotProbed)
		}
		fmt.Fprintln(s.Err, line)
	}
	return nil
}

// InterruptedWarning says on stderr how many of hosts a run interrupted
// by Ctrl-C did not probe or stopped while probing; nothing when it
// finished every one. The table and TSV views say it among their
// problems; --json and --format prometheus, whose stdout has no room for
// it, call this.
func (s *Streams) InterruptedWarning(hosts []probe.Host) {
	for i := range hosts {
		if hosts[i].Unfinished() {
			s.Warning(interruptedText(hosts))
			return
		}
	}
}

// NotProbedWarning says on stderr how many of hosts the run's time limit
// (--deadline) left unasked; nothing when it asked every one.
// --format prometheus, which gives those hosts no series, calls it: they
// would otherwise vanish without a word.
func (s *Streams) NotProbedWarning(hosts []probe.Host) {
	n := 0
	var first *probe.LimitError
	for i := range hosts {
		var le *probe.LimitError
		if probe.NotProbed(hosts[i].Err) && errors.As(hosts[i].Err, &le) {
			n++
			first = cmp.Or(first, le)
		}
	}
	if n > 0 {
		s.Warning(fmt.Sprintf("%s ran out: %d of %d hosts not probed (no series for them)", first.Bound(), n, len(hosts)))
	}
}

// The words for what a run interrupted by Ctrl-C left unfinished, in TSV
// state fields and summaries (snake_case, as JSON keys).
const (
	notProbed = "not_probed"  // never asked (probe.ErrNotProbed)
	cutShort  = "interrupted" // stopped while being asked (probe.ErrCutShort)
)

// unfinished is notProbed or cutShort for an error a Ctrl-C caused, ""
// for any other (or none).
func unfinished(err error) string {
	switch {
	case errors.Is(err, probe.ErrNotProbed):
		return notProbed
	case errors.Is(err, probe.ErrCutShort):
		return cutShort
	}
	return ""
}

// interruptedText is "interrupted (Ctrl-C): 2 of 4 hosts not probed, 1
// stopped while being probed".
func interruptedText(hosts []probe.Host) string {
	notProbed, cutShort := 0, 0
	for i := range hosts {
		switch h := &hosts[i]; {
		case errors.Is(h.Err, probe.ErrNotProbed):
			notProbed++
		case h.Unfinished():
			cutShort++
		}
	}
	return interruptionText(len(hosts), notProbed, cutShort, "host", "probed")
}

// interruptionText is "interrupted (Ctrl-C): 2 of 4 hosts not probed, 1
// stopped while being probed", leaving out a part that counts none ("1 of
// 1 host stopped while being probed"): total things of the noun, done
// being what the run does to them.
func interruptionText(total, notDone, cutShort int, noun, done string) string {
	nouns := noun
	if total != 1 {
		nouns += "s"
	}
	switch {
	case notDone == 0:
		return fmt.Sprintf("interrupted (Ctrl-C): %d of %d %s stopped while being %s", cutShort, total, nouns, done)
	case cutShort == 0:
		return fmt.Sprintf("interrupted (Ctrl-C): %d of %d %s not %s", notDone, total, nouns, done)
	}
	return fmt.Sprintf("interrupted (Ctrl-C): %d of %d %s not %s, %d stopped while being %s", notDone, total, nouns, done, cutShort, done)
}

// statusProblems writes the failures (a host's, or a group's) and the
// warnings to stderr. One failure is written as a full error block headed
// by the host. Several are written one line each ("HOST: CODE cause"), in
// input order, and then the full block once per distinct cause
// (failure.TemplateOf: the words without the host's name, address or
// HOST:PORT), headed by the first host that had it: 40 hosts that do
// not answer give 40 lines and one block, not 40 blocks.
func (s *Streams) statusProblems(hosts []probe.Host) {
	var fails []hostFailure
	for i := range hosts {
		h := &hosts[i]
		if errors.Is(h.Err, probe.ErrNotProbed) || errors.Is(h.Err, probe.ErrCutShort) {
			continue // Ctrl-C: InterruptedWarning below counts them
		}
		if h.Err != nil {
			fails = append(fails, s.hostFailure(h.Host, h.Host, h.Err))
			continue
		}
		var last error
		for j := range h.Groups {
			g := &h.Groups[j]
			if g.Err != nil && g.Err != last {
				fails = append(fails, s.hostFailure(h.Host+", "+g.Product.Name, h.Host, g.Err))
				last = g.Err
			}
		}
	}
	if len(fails) == 1 {
		s.writeFailures(fails)
	}
	for i := range hosts {
		h := &hosts[i]
		if h.Err != nil {
			continue
		}
		for j := range h.Groups {
			g := &h.Groups[j]
			if g.Result != nil {
				for _, w := range g.Result.Warnings {
					s.Warning(fmt.Sprintf("%s, %s: %s", h.Host, g.Product.Name, w))
				}
			}
			if !g.CountSelf && g.DependsOnSelf() {
				s.Warning(fmt.Sprintf("%s, %s: %s", h.Host, g.Product.Name, DependsOnSelfText(g)))
			}
		}
	}
	// Also when only a group was cut short: Host.Unfinished decides.
	s.InterruptedWarning(hosts)
	if len(fails) > 1 {
		s.writeFailures(fails)
	}
}
