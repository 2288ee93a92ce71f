package output

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/kmsctl/kmsctl/audit"
	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/internal/prose"
	"github.com/kmsctl/kmsctl/kmsclient"
)

// AuditSource says where an audited log came from.
type AuditSource struct {
	Host     string // the host as given; "" for a file
	Address  string // host:port of its WinRM listener
	Computer string // the host's own name, when known
	File     string // the exported log's path; "" over WinRM
	Format   string // "winrm", or the file's format (audit.FormatXML, audit.FormatJSON)
}

// label is the source as metrics and check lines name it.
func (a AuditSource) label() string {
	if a.Host != "" {
		return a.Host
	}
	return a.File
}

// AuditJSON is the document of `kmsctl host audit --json`; its tags are
// the schema README.md documents.
type AuditJSON struct {
	Host                   *string           `json:"host"`
	Address                *string           `json:"address"`
	Computer               *string           `json:"computer"`
	File                   *string           `json:"file"`
	Format                 string            `json:"format"`
	Now                    string            `json:"now"`
	RenewalIntervalMinutes int64             `json:"renewal_interval_minutes"`
	FallenOffAfterMinutes  int64             `json:"fallen_off_after_minutes"`
	Log                    AuditLogJSON      `json:"log"`
	SelfCMIDs              []string          `json:"self_cmids"`
	Families               []AuditFamilyJSON `json:"families"`
	FallenOff              []AuditClientJSON `json:"fallen_off"`
	Clients                []AuditClientJSON `json:"clients"`
	Notes                  []string          `json:"notes"`
	src                    AuditSource
	report                 *audit.Report
}

// AuditLogJSON says what the log held.
type AuditLogJSON struct {
	Events      int     `json:"events"`
	Requests    int     `json:"requests"`
	Unreadable  int     `json:"unreadable"`
	OtherEvents int     `json:"other_events"`
	Oldest      *string `json:"oldest"`
	Newest      *string `json:"newest"`
	Truncated   bool    `json:"truncated"`
	LowerBound  bool    `json:"lower_bound"`
}

// AuditFamilyJSON is one product family's count and forecast.
type AuditFamilyJSON struct {
	Family                   string         `json:"family"`
	Pool                     string         `json:"pool"`
	Threshold                int            `json:"threshold"`
	Count                    int            `json:"count"`
	Self                     int            `json:"self"`
	Others                   int            `json:"others"`
	FallenOff                int            `json:"fallen_off"`
	HostCount                *int64         `json:"host_count"`
	AlreadyBelow             bool           `json:"already_below"`
	BelowThresholdAt         *string        `json:"below_threshold_at"`
	BelowThresholdDays       *float64       `json:"below_threshold_days"`
	CountThatDay             *int           `json:"count_that_day"`
	Leaving                  []string       `json:"leaving"`
	BelowThresholdAtWithSelf *string        `json:"below_threshold_at_with_self"`
	Forecast                 []AuditDayJSON `json:"forecast"`
	Notes                    []string       `json:"notes"`
}

// AuditDayJSON is the forecast count at one moment.
type AuditDayJSON struct {
	At    string `json:"at"`
	Count int    `json:"count"`
}

// AuditClientJSON is one CMID in one pool.
type AuditClientJSON struct {
	CMID             string   `json:"cmid"`
	Pool             string   `json:"pool"`
	Family           *string  `json:"family"`
	Client           string   `json:"client"`
	Clients          []string `json:"clients,omitempty"`
	FirstRequest     string   `json:"first_request"`
	LastRequest      string   `json:"last_request"`
	Requests         int      `json:"requests"`
	LastResult       string   `json:"last_result"`
	LicenseStatus    *uint32  `json:"license_status"`
	LicenseState     *string  `json:"license_state"`
	ExpiresInMinutes *uint32  `json:"expires_in_minutes"`
	VM               *bool    `json:"vm"`
	ActivationID     string   `json:"activation_id"`
	Product          *string  `json:"product"`
	Self             bool     `json:"self"`
	FallenOff        bool     `json:"fallen_off"`
	Counted          bool     `json:"counted"`
	LeavesCountAt    string   `json:"leaves_count_at"`
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func timeText(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(rfc3339)
	return &s
}

// familyName is a family as people say it.
func familyName(f catalogue.Family) string {
	switch f {
	case catalogue.WindowsClient:
		return "Windows clients"
	case catalogue.WindowsServer:
		return "Windows servers"
	case catalogue.Office:
		return "Office"
	}
	return string(f)
}

// NewAudit converts a report to the JSON document, with its notes.
func NewAudit(src AuditSource, r *audit.Report, self []guid.GUID) AuditJSON {
	d := AuditJSON{Host: optString(src.Host), Address: optString(src.Address), Computer: optString(src.Computer),
		File: optString(src.File), Format: src.Format, Now: r.Now.UTC().Format(rfc3339),
		RenewalIntervalMinutes: int64((r.Silence - r.Margin) / time.Minute), FallenOffAfterMinutes: int64(r.Silence / time.Minute),
		Log: AuditLogJSON{Events: r.Events, Requests: r.Requests, Unreadable: r.Unreadable, OtherEvents: r.Other,
			Oldest: timeText(r.Oldest), Newest: timeText(r.Newest), Truncated: r.Truncated, LowerBound: r.LowerBound},
		SelfCMIDs: []string{}, Families: []AuditFamilyJSON{}, FallenOff: []AuditClientJSON{}, Clients: []AuditClientJSON{}, Notes: []string{}}
	for _, id := range self {
		if !id.IsZero() {
			d.SelfCMIDs = append(d.SelfCMIDs, id.String())
		}
	}
	for i := range r.Families {
		d.Families = append(d.Families, newAuditFamily(r, &r.Families[i]))
	}
	for _, c := range r.FallenOff {
		d.FallenOff = append(d.FallenOff, newAuditClient(c))
	}
	for _, c := range r.Clients {
		d.Clients = append(d.Clients, newAuditClient(c))
	}
	d.Notes = auditNotes(r)
	d.src, d.report = src, r
	return d
}

func newAuditClient(c *audit.Client) AuditClientJSON {
	j := AuditClientJSON{CMID: c.CMID.String(), Pool: string(c.Pool), Family: optString(string(c.Family)), Client: c.Name,
		Clients: c.Names, FirstRequest: c.First.UTC().Format(rfc3339), LastRequest: c.Last.UTC().Format(rfc3339),
		Requests: c.Requests, LastResult: c.Result.String(), ExpiresInMinutes: c.ExpiresIn, VM: c.VM,
		ActivationID: c.ActivationID.String(), Product: optString(c.Product), Self: c.Self, FallenOff: c.FallenOff,
		Counted: c.Counted, LeavesCountAt: c.Leaves.UTC().Format(rfc3339)}
	if st := c.Status; st != nil {
		n, name := uint32(*st), st.Name()
		j.LicenseStatus, j.LicenseState = &n, &name
	}
	return j
}

func newAuditFamily(r *audit.Report, f *audit.Family) AuditFamilyJSON {
	j := AuditFamilyJSON{Family: string(f.Family), Pool: string(f.Pool), Threshold: f.Threshold, Count: f.Count,
		Self: f.Self, Others: f.Others, FallenOff: f.FallenOff, HostCount: f.HostCount, AlreadyBelow: f.AlreadyBelow,
		BelowThresholdAt: timeText(f.BelowAt), BelowThresholdAtWithSelf: timeText(f.BelowAtWithSelf),
		Leaving: []string{}, Forecast: []AuditDayJSON{}, Notes: familyNotes(r, f)}
	if days, ok := f.DaysLeft(r.Now); ok {
		days = math.Round(days*100) / 100
		j.BelowThresholdDays = &days
	}
	if !f.BelowAt.IsZero() {
		n := f.CountOn(f.BelowAt)
		j.CountThatDay = &n
	}
	for _, c := range f.Leaving {
		j.Leaving = append(j.Leaving, c.CMID.String())
	}
	for _, d := range f.Forecast {
		j.Forecast = append(j.Forecast, AuditDayJSON{At: d.At.UTC().Format(rfc3339), Count: d.Count})
	}
	return j
}

const dateTime = "2006-01-02 15:04 UTC"

// inDays is a span of days as people say it: "in 19 days", "in 20 hours".
func inDays(d time.Duration) string {
	switch {
	case d < 0:
		return "already"
	case d < 48*time.Hour:
		return fmt.Sprintf("in %d hours", int(math.Ceil(d.Hours())))
	}
	return fmt.Sprintf("in %d days", int(d.Hours()/24))
}

// spanWords is a span in words, as inDays writes one: "8 days",
// "4 days and 6 hours", "20 hours", "45 minutes"; under a minute
// counts as "less than a minute".
func spanWords(d time.Duration) string {
	unit := func(n int64, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return strconv.FormatInt(n, 10) + " " + one + "s"
	}
	days, hours, mins := int64(d/(24*time.Hour)), int64(d%(24*time.Hour)/time.Hour), int64(d%time.Hour/time.Minute)
	switch {
	case days > 0 && hours > 0:
		return unit(days, "day") + " and " + unit(hours, "hour")
	case days > 0:
		return unit(days, "day")
	case hours > 0:
		return unit(hours, "hour")
	case mins > 0:
		return unit(mins, "minute")
	}
	return "less than a minute"
}

// names lists the clients' names, or their CMIDs when nameless.
func names(cs []*audit.Client) string {
	var out []string
	for _, c := range cs {
		n := c.Name
		if n == "" {
			n = c.CMID.String()
		}
		out = append(out, n)
	}
	return prose.List(out, "and")
}

// familyNotes say in words what the family's figures mean.
func familyNotes(r *audit.Report, f *audit.Family) []string {
	name := familyName(f.Family)
	who := name
	if f.Family == catalogue.Office {
		who = "Office clients"
	}
	refused := fmt.Sprintf("%s are refused (%s, count below threshold) and those activated already fail every renewal, retrying every %d minutes until their %d days run out",
		who, hresult.NotEnoughCount, kmsclient.DefaultActivationIntervalMinutes, int(kmsclient.Validity/(24*time.Hour)))
	var notes []string
	switch {
	case f.AlreadyBelow && kmsclient.ThresholdReached(int64(f.Count), int64(f.Threshold)):
		notes = append(notes, fmt.Sprintf("activation depends on kmsctl: the host counts %d, but only %d clients other than kmsctl's own CMID, below the %d %s need; without kmsctl's requests %s",
			f.Count, f.Others, f.Threshold, name, refused))
	case f.AlreadyBelow:
		notes = append(notes, fmt.Sprintf("already below: the host counts %d other clients, fewer than the %d %s need: %s", f.Others, f.Threshold, name, refused))
	case !f.BelowAt.IsZero():
		notes = append(notes, fmt.Sprintf("the count drops below %d on %s (%s), when %s leave%s it, to %d by the end of that day; from then on %s",
			f.Threshold, f.BelowAt.UTC().Format(dateTime), inDays(f.BelowAt.Sub(r.Now)), names(f.Leaving),
			map[bool]string{true: "s", false: ""}[len(f.Leaving) == 1], f.CountOn(f.BelowAt), refused))
	default:
		notes = append(notes, fmt.Sprintf("the count stays at or above %d for the next %d days even if the fallen-off clients never return",
			f.Threshold, kmsclient.CountWindowDays))
	}
	if f.Self > 0 {
		n := fmt.Sprintf("the host's count of %d includes kmsctl's own CMID (it counts the client asking, kmsctl's probes included); it is left out of the count and the forecast above", f.Count)
		if w := f.BelowAtWithSelf; !w.Equal(f.BelowAt) && !f.AlreadyBelow {
			if w.IsZero() {
				n += fmt.Sprintf("; counted, it would keep the host at %d or more for the next %d days", f.Threshold, kmsclient.CountWindowDays)
			} else {
				n += "; counted, it would hold the count until " + w.UTC().Format(dateTime)
			}
		}
		notes = append(notes, n)
	}
	if r.LowerBound {
		notes = append(notes, "the count is a lower bound: "+lowerBoundWhy(r, f.AlreadyBelow))
	}
	if f.HostCount != nil && *f.HostCount != int64(f.Count) {
		notes = append(notes, fmt.Sprintf("the host itself (WMI) counts %d for the %s pool, the log %d: a client counted between the two reads, a log that does not reach back %d days or was cleared, or a host that caps its count (at twice the largest threshold it has seen) can each explain it",
			*f.HostCount, f.Pool, f.Count, kmsclient.CountWindowDays))
	}
	return notes
}

// lowerBoundWhy says why the count is a lower bound; for a family already
// below its threshold it does not speak of a date the count falls.
func lowerBoundWhy(r *audit.Report, alreadyBelow bool) string {
	switch {
	case r.Truncated:
		return "the log was cut to its newest events, so clients that last asked before them are not seen (raise --max)"
	case r.Oldest.IsZero():
		return "the log holds no requests"
	}
	why := fmt.Sprintf("the log starts %s, less than %d days before %s, so clients that last asked before it are not seen",
		r.Oldest.UTC().Format(dateTime), kmsclient.CountWindowDays, r.Now.UTC().Format(dateTime))
	if alreadyBelow {
		return why
	}
	return why + "; the date the count falls may come later than forecast"
}

// unreadableNote says how many 12290 events were left out, and where and
// why for the first few: the record of the file, or the time logged for
// events read over WinRM (host log shows those too).
func unreadableNote(r *audit.Report) string {
	n := r.Unreadable
	var b strings.Builder
	if n == 1 {
		b.WriteString("1 event 12290 could not be read and is left out: ")
	} else {
		fmt.Fprintf(&b, "%d events 12290 could not be read and are left out", n)
		if len(r.UnreadableShown) < n {
			fmt.Fprintf(&b, "; the first %d: ", len(r.UnreadableShown))
		} else {
			b.WriteString(": ")
		}
	}
	fromHost := false
	for i, u := range r.UnreadableShown {
		if i > 0 {
			b.WriteString("; ")
		}
		if u.Record > 0 {
			fmt.Fprintf(&b, "event %d of the file (logged %s): %s", u.Record, u.Time.UTC().Format(dateTime), u.Problem)
		} else {
			fromHost = true
			fmt.Fprintf(&b, "the one logged %s: %s", u.Time.UTC().Format(dateTime), u.Problem)
		}
	}
	if fromHost {
		b.WriteString(" (kmsctl host log shows the events as logged)")
	}
	return b.String()
}

// auditNotes are about the log as a whole.
func auditNotes(r *audit.Report) []string {
	notes := []string{}
	if r.Unreadable > 0 {
		notes = append(notes, unreadableNote(r))
	}
	if r.Unknown > 0 {
		notes = append(notes, fmt.Sprintf("%d CMIDs asked only for products kmsctl's catalogue does not know: they are in no family's count", r.Unknown))
	}
	if r.Requests == 0 {
		notes = append(notes, "the log holds no requests (events 12290): nothing to count")
	} else if old := r.Now.Sub(r.Newest); old > 24*time.Hour {
		notes = append(notes, fmt.Sprintf("the newest request in the log is from %s, %s before %s: if the log was exported then, clients that asked since are missing from it and more look fallen off than are",
			r.Newest.UTC().Format(dateTime), spanWords(old), r.Now.UTC().Format(dateTime)))
	}
	return notes
}

// Audit renders an audit: on a terminal the families, the fallen-off
// clients and the notes; piped, tab-separated records (family, then
// fallen_off) with the notes on stderr; or JSON.
func (s *Streams) Audit(src AuditSource, r *audit.Report, self []guid.GUID, v View) error {
	return s.Show(NewAudit(src, r, self), v)
}

func (d AuditJSON) layout(s *Streams, v View) error {
	src, r := d.src, d.report
	if v == ViewTSV {
		for i, f := range d.Families {
			rf := &r.Families[i]
			below := "-"
			if f.BelowThresholdAt != nil {
				below = *f.BelowThresholdAt
			} else if f.AlreadyBelow {
				below = "now"
			}
			days := ""
			if f.BelowThresholdDays != nil {
				days = strconv.FormatFloat(*f.BelowThresholdDays, 'f', 2, 64)
			}
			fmt.Fprintln(s.Out, strings.Join([]string{"family", f.Family, f.Pool, strconv.Itoa(f.Count), strconv.Itoa(f.Self),
				strconv.Itoa(f.Others), strconv.Itoa(f.Threshold), strconv.Itoa(rf.FallenOff), below, days}, "\t"))
		}
		for _, c := range d.FallenOff {
			fmt.Fprintln(s.Out, strings.Join([]string{"fallen_off", c.CMID, c.Pool, c.Client, c.LastRequest, c.LeavesCountAt,
				map[bool]string{true: "counted", false: "gone"}[c.Counted]}, "\t"))
		}
		s.auditNotes(s, d)
		return nil
	}
	where := "KMS host " + src.label()
	if src.Host == "" {
		where = "The log file " + src.File
	}
	if src.Computer != "" && !strings.EqualFold(src.Computer, src.Host) {
		where += " (" + src.Computer + ")"
	}
	fmt.Fprintf(s.Out, "%s, %s\n%d requests logged", where, r.Now.UTC().Format(dateTime), r.Requests)
	if !r.Oldest.IsZero() {
		fmt.Fprintf(s.Out, " from %s to %s", r.Oldest.UTC().Format("2006-01-02"), r.Newest.UTC().Format("2006-01-02"))
	}
	fmt.Fprintln(s.Out)
	fmt.Fprintln(s.Out)
	if len(d.Families) > 0 {
		var rows [][]string
		for i := range r.Families {
			f := &r.Families[i]
			count := strconv.Itoa(f.Others)
			if f.Self > 0 {
				count += "+" + strconv.Itoa(f.Self)
			}
			below := "not within " + strconv.Itoa(kmsclient.CountWindowDays) + " days"
			switch {
			case f.AlreadyBelow:
				count, below = s.bad(count), s.bad("already below")
			case !f.BelowAt.IsZero():
				below = s.warn(f.BelowAt.UTC().Format("2006-01-02") + " (" + inDays(f.BelowAt.Sub(r.Now)) + ")")
			default:
				count = s.good(count)
			}
			rows = append(rows, []string{familyName(f.Family), count, strconv.Itoa(f.Threshold), strconv.Itoa(f.FallenOff), below})
		}
		s.writeTable([]string{"Family", "Count", "Threshold", "Fallen off", "Below threshold"}, rows)
	}
	if len(r.FallenOff) > 0 {
		fmt.Fprintf(s.Out, "\nFallen off (silent over %s; counted until %d days after the last request):\n",
			spanWords(r.Silence), kmsclient.CountWindowDays)
		var rows [][]string
		for _, c := range r.FallenOff {
			leaves := c.Leaves.UTC().Format("2006-01-02")
			if !c.Counted {
				leaves = "left " + leaves
			}
			name := c.Name
			if c.Pool != audit.PoolWindows {
				name += " (" + string(c.Pool) + ")"
			}
			rows = append(rows, []string{name, c.CMID.String()[:8] + "…", c.Last.UTC().Format("2006-01-02 15:04"), leaves})
		}
		s.writeTable([]string{"Client", "CMID", "Last request", "Leaves the count"}, rows)
	}
	fmt.Fprintln(s.Out)
	s.auditNotes(nil, d)
	return nil
}

// auditNotes writes every note, on stderr when to is not nil.
func (s *Streams) auditNotes(to *Streams, d AuditJSON) {
	w := s.Out
	if to != nil {
		w = s.Err
	}
	for _, f := range d.Families {
		for _, n := range f.Notes {
			fmt.Fprintln(w, s.wrapText(familyName(catalogue.Family(f.Family))+": "+n))
		}
	}
	for _, n := range d.Notes {
		fmt.Fprintln(w, s.wrapText(s.warn("note:")+" "+n))
	}
}

// wrapText breaks a paragraph into lines of at most 80 columns on a
// terminal, continuing lines indented by two spaces; elsewhere it is left
// whole, one line per paragraph for scripts.
func (s *Streams) wrapText(p string) string {
	if !s.TTY {
		return p
	}
	return Wrap(p, 80, 0, 2)
}

// AuditCheckLimits are --check's days: WARNING when a family's count
// falls below its threshold within Warn, CRITICAL within Crit or now.
type AuditCheckLimits struct {
	WarnDays, CritDays float64
}

// AuditCheck prints one monitoring-plugin line for an audit, the
// performance data after "|", then one line per problem. It returns the
// state it printed, for failure.Check to make the exit status, and the
// write error, if any.
func (s *Streams) AuditCheck(src AuditSource, r *audit.Report, lim AuditCheckLimits) (int, error) {
	state := CheckOK
	var problems, parts, perf []string
	raise := func(st int, msg string) {
		state = max(state, st)
		problems = append(problems, checkNames[st]+": "+msg)
	}
	horizon := kmsclient.CountWindow.Hours() / 24
	for i := range r.Families {
		f := &r.Families[i]
		name := familyName(f.Family)
		desc := fmt.Sprintf("%s %d/%d", name, f.Others, f.Threshold)
		days, ok := f.DaysLeft(r.Now)
		switch {
		case f.AlreadyBelow:
			raise(CheckCritical, desc+" already below")
		case ok && days <= lim.CritDays:
			raise(CheckCritical, fmt.Sprintf("%s falls below on %s (%s)", desc, f.BelowAt.UTC().Format(dateTime), inDays(f.BelowAt.Sub(r.Now))))
		case ok && days <= lim.WarnDays:
			raise(CheckWarning, fmt.Sprintf("%s falls below on %s (%s)", desc, f.BelowAt.UTC().Format(dateTime), inDays(f.BelowAt.Sub(r.Now))))
		case ok:
			parts = append(parts, fmt.Sprintf("%s, below on %s", desc, f.BelowAt.UTC().Format("2006-01-02")))
		default:
			parts = append(parts, desc+" for 30+ days")
		}
		if f.FallenOff > 0 {
			parts = append(parts, fmt.Sprintf("%d %s fallen off", f.FallenOff, name))
		}
		if !ok {
			days = horizon // not within the horizon: at least that
		}
		key := slug(string(f.Family))
		perf = append(perf, fmt.Sprintf("below_threshold_days_%s=%s;%s:;%s:;0;%s", key, strconv.FormatFloat(math.Round(days*100)/100, 'f', -1, 64),
			strconv.FormatFloat(lim.WarnDays, 'f', -1, 64), strconv.FormatFloat(lim.CritDays, 'f', -1, 64), strconv.FormatFloat(horizon, 'f', -1, 64)),
			fmt.Sprintf("fallen_off_%s=%d;;;0", key, f.FallenOff))
	}
	if r.Requests == 0 {
		raise(CheckUnknown, "the log holds no requests (events 12290)")
	}
	text := src.label()
	switch {
	case state == CheckOK:
		text += ", " + strings.Join(parts, ", ")
	default:
		first := problems[0][strings.Index(problems[0], ": ")+2:]
		text += ", " + first
		if len(problems) > 1 {
			text += fmt.Sprintf(" (and %d more)", len(problems)-1)
		}
	}
	if r.LowerBound {
		allBelow := len(r.Families) > 0
		for i := range r.Families {
			allBelow = allBelow && r.Families[i].AlreadyBelow
		}
		text += " (lower bound: " + lowerBoundWhy(r, allBelow) + ")"
	}
	_, err := fmt.Fprintf(s.Out, "KMS AUDIT %s - %s | %s\n", checkNames[state], text, strings.Join(perf, " "))
	for _, p := range problems {
		fmt.Fprintln(s.Out, p)
	}
	return state, err
}

// The audit's metric names.
const (
	MetricForecastBelowDays = "kmsctl_host_forecast_below_threshold_days"
	MetricFallenOff         = "kmsctl_host_fallen_off_clients"
)

// AuditFamilies are an audit's metric families: per family
// kmsctl_host_forecast_below_threshold_days{host,family} (0 when already
// below, +Inf when not within the 30-day horizon) and
// kmsctl_host_fallen_off_clients{host,family}.
//
// The forecast is in days, not Prometheus' base unit seconds: issue 18
// names the metric so, a forecast is read in days, and the --check
// performance data (below_threshold_days_*) uses the same number. `promtool
// check metrics` (and client_golang's promlint) report exactly one problem
// for it, `use base unit "seconds" instead of "days"`; promtool has no
// option to skip one lint for one metric, so TestAuditPrometheusLint
// allows that one problem by name and no other.
func AuditFamilies(src AuditSource, r *audit.Report) []*dto.MetricFamily {
	gauge := func(name, help string) *dto.MetricFamily {
		return &dto.MetricFamily{Name: &name, Help: &help, Type: dto.MetricType_GAUGE.Enum()}
	}
	days := gauge(MetricForecastBelowDays, "Time in days (fractional; unit days, not seconds) until the KMS host's count of clients other than kmsctl falls below the family's activation threshold if the fallen-off clients stay away; 0 when the count is already below, +Inf when it does not fall below within the 30-day forecast.")
	fallen := gauge(MetricFallenOff, "Clients the KMS host still counts for the family's pool that stopped asking (silent longer than the renewal interval plus the margin).")
	host := src.label()
	for i := range r.Families {
		f := &r.Families[i]
		v, ok := f.DaysLeft(r.Now)
		if !ok {
			v = math.Inf(1)
		}
		labels := func() []*dto.LabelPair {
			h, fam := "host", "family"
			hv, fv := host, string(f.Family)
			return []*dto.LabelPair{{Name: &fam, Value: &fv}, {Name: &h, Value: &hv}}
		}
		n := float64(f.FallenOff)
		days.Metric = append(days.Metric, &dto.Metric{Label: labels(), Gauge: &dto.Gauge{Value: &v}})
		fallen.Metric = append(fallen.Metric, &dto.Metric{Label: labels(), Gauge: &dto.Gauge{Value: &n}})
	}
	return []*dto.MetricFamily{days, fallen}
}

// AuditPrometheus writes an audit in the Prometheus text format.
func (s *Streams) AuditPrometheus(src AuditSource, r *audit.Report) error {
	enc := expfmt.NewEncoder(s.Out, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, f := range AuditFamilies(src, r) {
		if err := enc.Encode(f); err != nil {
			return err
		}
	}
	return nil
}
