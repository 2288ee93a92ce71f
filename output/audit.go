package output

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/kmsctl/kmsctl/audit"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/internal/textsafe"
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

// Audit renders an audit: on a terminal the families, the fallen-off
// clients and the notes; piped, tab-separated records (family, then
// fallen_off) with the notes on stderr; or JSON.
func (s *Streams) Audit(src AuditSource, r *audit.Report, self []guid.GUID, v View) error {
	return s.Show(NewAudit(src, r, self), v)
}

func (d AuditJSON) layout(s *Streams, v View) error {
	src, r := d.src, d.report
	families := make([]auditFamilyRow, 0, len(d.Families))
	for i := range d.Families {
		families = append(families, auditFamilyRow{&d.Families[i], &r.Families[i]})
	}
	if v == ViewTSV {
		s.auditFamilyColumns(r.Now).write(s, v, families)
		s.fallenOffColumns().write(s, v, r.FallenOff)
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
	fmt.Fprintf(s.Out, "%s, %s\n%d requests logged", textsafe.Escape(where), r.Now.UTC().Format(dateTime), r.Requests)
	if !r.Oldest.IsZero() {
		fmt.Fprintf(s.Out, " from %s to %s", r.Oldest.UTC().Format("2006-01-02"), r.Newest.UTC().Format("2006-01-02"))
	}
	fmt.Fprintln(s.Out)
	fmt.Fprintln(s.Out)
	if len(families) > 0 {
		s.auditFamilyColumns(r.Now).write(s, v, families)
	}
	if len(r.FallenOff) > 0 {
		fmt.Fprintf(s.Out, "\nFallen off (silent over %s; counted until %d days after the last request):\n",
			spanWords(r.Silence), kmsclient.CountWindowDays)
		s.fallenOffColumns().write(s, v, r.FallenOff)
	}
	fmt.Fprintln(s.Out)
	s.auditNotes(nil, d)
	return nil
}

// wrapText breaks a paragraph into lines of at most 80 columns on a
// terminal, continuing lines indented by two spaces; elsewhere it is left
// whole, one line per paragraph for scripts.
func (s *Streams) wrapText(p string) string {
	p = s.escape(p)
	if !s.TTY {
		return p
	}
	return Wrap(p, 80, 0, 2)
}

// auditFamilyRow is one family of an audit: as the document has it, and
// as the report does.
type auditFamilyRow struct {
	j *AuditFamilyJSON
	f *audit.Family
}

// auditFamilyColumns are the audit's families table: family, count (the
// clients other than kmsctl, "+N" for kmsctl's own), threshold, fallen
// off, and when the count falls below the threshold (from now). A TSV
// record holds "family", family, pool, count, self, others, threshold,
// fallen off, when it falls below (RFC 3339, "now" when already below,
// "-" when not within the horizon) and in how many days (two decimals).
func (s *Streams) auditFamilyColumns(now time.Time) table[auditFamilyRow] {
	type r = auditFamilyRow
	num := func(n int, f func(*AuditFamilyJSON) int) column[r] {
		return column[r]{tsv: n, text: text(func(r r) string { return strconv.Itoa(f(r.j)) })}
	}
	return table[r]{
		{tsv: 1, text: text(func(r) string { return "family" })},
		{head: "Family", in: people, tsv: 2, text: text(func(r r) string { return familyName(r.f.Family) }),
			field: func(r r) string { return r.j.Family }},
		{tsv: 3, text: text(func(r r) string { return r.j.Pool })},
		{head: "Count", in: people, text: func(r r) cell {
			f := r.f
			c := cell{text: strconv.Itoa(f.Others)}
			if f.Self > 0 {
				c.text += "+" + strconv.Itoa(f.Self)
			}
			switch {
			case f.AlreadyBelow:
				c.paint = s.bad
			case f.BelowAt.IsZero():
				c.paint = s.good
			}
			return c
		}},
		num(4, func(j *AuditFamilyJSON) int { return j.Count }),
		num(5, func(j *AuditFamilyJSON) int { return j.Self }),
		num(6, func(j *AuditFamilyJSON) int { return j.Others }),
		{head: "Threshold", in: people, tsv: 7, text: text(func(r r) string { return strconv.Itoa(r.f.Threshold) })},
		{head: "Fallen off", in: people, tsv: 8, text: text(func(r r) string { return strconv.Itoa(r.f.FallenOff) })},
		{head: "Below threshold", in: people, tsv: 9, text: func(r r) cell {
			switch f := r.f; {
			case f.AlreadyBelow:
				return cell{"already below", s.bad}
			case !f.BelowAt.IsZero():
				return cell{f.BelowAt.UTC().Format("2006-01-02") + " (" + inDays(f.BelowAt.Sub(now)) + ")", s.warn}
			}
			return cell{text: "not within " + strconv.Itoa(kmsclient.CountWindowDays) + " days"}
		}, field: func(r r) string {
			switch {
			case r.j.BelowThresholdAt != nil:
				return *r.j.BelowThresholdAt
			case r.j.AlreadyBelow:
				return "now"
			}
			return "-"
		}},
		{tsv: 10, text: text(func(r r) string {
			if r.j.BelowThresholdDays == nil {
				return ""
			}
			return strconv.FormatFloat(*r.j.BelowThresholdDays, 'f', 2, 64)
		})},
	}
}

// fallenOffColumns are the audit's fallen-off clients: name (and pool
// when not Windows), CMID (cut), last request, and when it leaves the
// count ("left …" once it has). A TSV record holds "fallen_off", CMID,
// pool, client name, last request and leaves-the-count time (RFC 3339),
// and counted|gone.
func (s *Streams) fallenOffColumns() table[*audit.Client] {
	type c = *audit.Client
	return table[c]{
		{tsv: 1, text: text(func(c) string { return "fallen_off" })},
		{head: "Client", in: people, tsv: 4, text: text(func(c c) string {
			if c.Pool != audit.PoolWindows {
				return c.Name + " (" + string(c.Pool) + ")"
			}
			return c.Name
		}), field: func(c c) string { return c.Name }},
		{head: "CMID", in: people, tsv: 2, text: text(func(c c) string { return c.CMID.String()[:8] + "…" }),
			field: func(c c) string { return c.CMID.String() }},
		{tsv: 3, text: text(func(c c) string { return string(c.Pool) })},
		{head: "Last request", in: people, tsv: 5, text: text(func(c c) string { return c.Last.UTC().Format("2006-01-02 15:04") }),
			field: func(c c) string { return c.Last.UTC().Format(rfc3339) }},
		{head: "Leaves the count", in: people, tsv: 6, text: text(func(c c) string {
			if !c.Counted {
				return "left " + c.Leaves.UTC().Format("2006-01-02")
			}
			return c.Leaves.UTC().Format("2006-01-02")
		}), field: func(c c) string { return c.Leaves.UTC().Format(rfc3339) }},
		{tsv: 7, text: text(func(c c) string { return map[bool]string{true: "counted", false: "gone"}[c.Counted] })},
	}
}
