package output

import (
	"math"

	"github.com/kmsctl/kmsctl/audit"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

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
	days := newFamily(MetricForecastBelowDays, "Time in days (fractional; unit days, not seconds) until the KMS host's count of clients other than kmsctl falls below the family's activation threshold if the fallen-off clients stay away; 0 when the count is already below, +Inf when it does not fall below within the 30-day forecast.", dto.MetricType_GAUGE)
	fallen := newFamily(MetricFallenOff, "Clients the KMS host still counts for the family's pool that stopped asking (silent longer than the renewal interval plus the margin).", dto.MetricType_GAUGE)
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
