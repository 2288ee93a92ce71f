package output

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/probe"
)

// PrometheusRun is one status run as Prometheus sees it: what
// PrometheusFamilies renders and `kmsctl exporter` serves.
type PrometheusRun struct {
	// Err is why kmsctl itself could not do the run (its state
	// directory, its client identity): kmsctl_up is then 0. nil: 1.
	Err error
	// Discovery is the DNS lookup the hosts came from; nil when the hosts
	// were named (then kmsctl_discovery_up is not written).
	Discovery *PrometheusDiscovery
	// Hosts are the probe results; every one gets kmsctl_host_up, but a
	// host a Ctrl-C left unfinished (probe.Host.Unfinished) gets no series.
	Hosts []probe.Host
	// End is when the run ended (kmsctl_last_run_timestamp_seconds).
	End time.Time
	// WMI, when not nil, is what --winrm read from each host, in the
	// order of Hosts (kmsctl_host_wmi_*).
	WMI []WinRMResult
}

// PrometheusDiscovery is the outcome of a _vlmcs._tcp lookup.
type PrometheusDiscovery struct {
	Domain string // "" when the machine's search domains were used
	Err    error  // nil when the lookup answered with at least one record
}

// Metric names, in the order they are written. kmsctl_host_clients
// replaced kmsctl_host_count (a gauge may not end in _count).
const (
	MetricUp            = "kmsctl_up"
	MetricLastRun       = "kmsctl_last_run_timestamp_seconds"
	MetricDiscoveryUp   = "kmsctl_discovery_up"
	MetricHostUp        = "kmsctl_host_up"
	MetricClients       = "kmsctl_host_clients"
	MetricOtherClients  = "kmsctl_host_other_clients"
	MetricSelfCounted   = "kmsctl_host_self_counted"
	MetricThreshold     = "kmsctl_host_threshold"
	MetricProbeDuration = "kmsctl_probe_duration_seconds"
	// Per answered group: the host's intervals, how many warnings its
	// reply raised, and its ePID and hardware ID as labels of an _info
	// metric (as Prometheus names such series).
	MetricActivationInterval = "kmsctl_host_activation_interval_seconds"
	MetricRenewalInterval    = "kmsctl_host_renewal_interval_seconds"
	MetricWarnings           = "kmsctl_host_warnings"
	MetricEPIDInfo           = "kmsctl_host_epid_info"
	// With --winrm, what the host's WMI says.
	MetricWMIUp             = "kmsctl_host_wmi_up"
	MetricWMIClients        = "kmsctl_host_wmi_clients"
	MetricWMIRequired       = "kmsctl_host_wmi_required_clients"
	MetricWMIRequests       = "kmsctl_host_wmi_requests_total"
	MetricWMIFailedRequests = "kmsctl_host_wmi_failed_requests_total"
)

// PrometheusFamilies returns the metric families of run, always complete:
// kmsctl_up and kmsctl_last_run_timestamp_seconds; kmsctl_discovery_up
// {domain,code} when discovery was used; per host kmsctl_host_up{host} and
// kmsctl_probe_duration_seconds{host}; per host and product group
// kmsctl_host_threshold{host,group} and, when the group answered,
// kmsctl_host_clients, kmsctl_host_other_clients and
// kmsctl_host_self_counted (0 or 1), kmsctl_host_activation_interval_seconds,
// kmsctl_host_renewal_interval_seconds, kmsctl_host_warnings (how many
// the reply raised) and kmsctl_host_epid_info{host,group,epid,os_build,
// lcid,activation_date,hwid} (always 1); with --winrm (run.WMI) the
// kmsctl_host_wmi_* families (wmiFamilies). Every family is a gauge but the
// WMI request counters; a host a run interrupted by Ctrl-C did not finish
// asking has none (finished); the code label is an HRESULT in hex ("0x00000000"
// when the lookup answered).
func PrometheusFamilies(run PrometheusRun) []*dto.MetricFamily {
	run.Hosts, run.WMI = finished(run.Hosts, run.WMI)
	fams := make([]*dto.MetricFamily, 0, 16)
	family := func(name, help string) *dto.MetricFamily {
		f := newFamily(name, help, dto.MetricType_GAUGE)
		fams = append(fams, f)
		return f
	}
	up := family(MetricUp, "1 when kmsctl could do the run (its state directory and client identity were usable), else 0.")
	addGauge(up, boolValue(run.Err == nil))
	end := run.End
	if end.IsZero() {
		end = time.Now()
	}
	addGauge(family(MetricLastRun, "When this run of kmsctl ended, in seconds since the Unix epoch."),
		float64(end.UnixNano())/1e9)
	if d := run.Discovery; d != nil {
		code := "0x00000000"
		if d.Err != nil {
			code = failure.Describe(d.Err, failure.Context{}).Code
		}
		addGauge(family(MetricDiscoveryUp, "1 when the DNS lookup of _vlmcs._tcp found KMS hosts, else 0; code is its HRESULT."),
			boolValue(d.Err == nil), "domain", d.Domain, "code", code)
	}
	if len(run.Hosts) == 0 {
		return fams
	}
	hostUp := family(MetricHostUp, "1 when the KMS host answered every product group and every reply verified, else 0.")
	for i := range run.Hosts {
		h := &run.Hosts[i]
		addGauge(hostUp, boolValue(h.Outcome() != probe.Failed), "host", h.Host)
	}
	groups := func(name, help string, value func(g *probe.Group) (float64, bool)) {
		f := family(name, help)
		for i := range run.Hosts {
			for j := range run.Hosts[i].Groups {
				g := &run.Hosts[i].Groups[j]
				if v, ok := value(g); ok {
					addGauge(f, v, "host", run.Hosts[i].Host, "group", g.Product.Name)
				}
			}
		}
		if len(f.Metric) == 0 { // a family without samples is not written
			fams = fams[:len(fams)-1]
		}
	}
	answered := func(v func(g *probe.Group) float64) func(g *probe.Group) (float64, bool) {
		return func(g *probe.Group) (float64, bool) {
			if g.Err != nil || g.Result == nil {
				return 0, false
			}
			return v(g), true
		}
	}
	groups(MetricClients, "Clients the KMS host counts for the product's group, kmsctl's own included (absent when the probe failed).",
		answered(func(g *probe.Group) float64 { return float64(g.Result.Count) }))
	groups(MetricOtherClients, "Clients the KMS host counts for the product's group other than this kmsctl (absent when the probe failed).",
		answered(func(g *probe.Group) float64 { return float64(g.Others()) }))
	groups(MetricSelfCounted, "1 when the host's count for the group includes this kmsctl's own client ID, else 0 (absent when the probe failed).",
		answered(func(g *probe.Group) float64 { return boolValue(g.Self > 0) }))
	groups(MetricThreshold, "Clients the product's group needs before the host activates it.",
		func(g *probe.Group) (float64, bool) { return float64(g.Product.Threshold), true })
	groups(MetricActivationInterval, "How often the host tells unactivated clients to retry, in seconds (absent when the probe failed).",
		answered(func(g *probe.Group) float64 { return float64(g.Result.ActivationInterval) * 60 }))
	groups(MetricRenewalInterval, "How often the host tells activated clients to renew, in seconds (absent when the probe failed).",
		answered(func(g *probe.Group) float64 { return float64(g.Result.RenewalInterval) * 60 }))
	groups(MetricWarnings, "Warnings about the host's reply: things that passed verification but no genuine host sends (absent when the probe failed).",
		answered(func(g *probe.Group) float64 { return float64(len(g.Result.Warnings)) }))
	info := family(MetricEPIDInfo, "Always 1: the host's ePID and what it says (host OS build, language, key activation date) and its hardware ID (V6), per group answered.")
	for i := range run.Hosts {
		for j := range run.Hosts[i].Groups {
			g := &run.Hosts[i].Groups[j]
			if g.Err != nil || g.Result == nil {
				continue
			}
			build, lcid, date, hwid := "", "", "", ""
			if e := g.Result.EPIDInfo; e != nil {
				build, lcid = strconv.Itoa(e.Build), strconv.Itoa(e.LCID)
				if !e.ActivationDate.IsZero() {
					date = e.ActivationDate.Format(time.DateOnly)
				}
			}
			if g.Result.HWID != nil {
				hwid = fmt.Sprintf("%X", g.Result.HWID[:])
			}
			addGauge(info, 1, "host", run.Hosts[i].Host, "group", g.Product.Name, "epid", g.Result.EPID,
				"os_build", build, "lcid", lcid, "activation_date", date, "hwid", hwid)
		}
	}
	if len(info.Metric) == 0 {
		fams = fams[:len(fams)-1]
	}
	dur := family(MetricProbeDuration, "How long probing the host took, in seconds.")
	for i := range run.Hosts {
		addGauge(dur, run.Hosts[i].Duration.Seconds(), "host", run.Hosts[i].Host)
	}
	if run.WMI != nil {
		fams = append(fams, wmiFamilies(run.Hosts, run.WMI)...)
	}
	return fams
}

// finished is hosts (and their wmi, when read) without those a run
// interrupted by Ctrl-C did not finish asking (probe.Host.Unfinished) and
// those its --deadline left unasked (probe.NotProbed): they get no
// series, since kmsctl_host_up 0 would say a host nobody asked is down.
func finished(hosts []probe.Host, wmi []WinRMResult) ([]probe.Host, []WinRMResult) {
	var keepHosts []probe.Host
	var keepWMI []WinRMResult
	for i := range hosts {
		if hosts[i].Unfinished() || probe.NotProbed(hosts[i].Err) {
			continue
		}
		keepHosts = append(keepHosts, hosts[i])
		if i < len(wmi) {
			keepWMI = append(keepWMI, wmi[i])
		}
	}
	if len(keepHosts) == len(hosts) {
		return hosts, wmi
	}
	return keepHosts, keepWMI
}

// wmiFamilies are the kmsctl_host_wmi_* families of a --winrm run:
// kmsctl_host_wmi_up{host}; per KMS host product with a count,
// kmsctl_host_wmi_clients and kmsctl_host_wmi_required_clients
// {host,product}; and the host's cumulative request counters (counters:
// they restart with the Software Protection service).
func wmiFamilies(hosts []probe.Host, wmi []WinRMResult) []*dto.MetricFamily {
	up := newFamily(MetricWMIUp, "1 when kmsctl read the KMS host's counters over WinRM, else 0.", dto.MetricType_GAUGE)
	clients := newFamily(MetricWMIClients, "Clients the KMS host product counts, as WMI says (KeyManagementServiceCurrentCount).", dto.MetricType_GAUGE)
	required := newFamily(MetricWMIRequired, "Clients the KMS host product needs, as WMI says (RequiredClientCount).", dto.MetricType_GAUGE)
	total := newFamily(MetricWMIRequests, "Activation requests the KMS host received since its service started (KeyManagementServiceTotalRequests).", dto.MetricType_COUNTER)
	failed := newFamily(MetricWMIFailedRequests, "Activation requests the KMS host failed since its service started (KeyManagementServiceFailedRequests).", dto.MetricType_COUNTER)
	for i := range wmi {
		if i >= len(hosts) {
			break
		}
		host, r := hosts[i].Host, &wmi[i]
		addGauge(up, boolValue(r.Err == nil && r.Counters != nil), "host", host)
		if r.Err != nil || r.Counters == nil {
			continue
		}
		for _, p := range r.Counters.KMSProducts() {
			if n, ok := p.Counted(); ok {
				addGauge(clients, float64(n), "host", host, "product", p.Name)
			}
			if p.RequiredClientCount != nil {
				addGauge(required, float64(*p.RequiredClientCount), "host", host, "product", p.Name)
			}
		}
		if q := r.Counters.Service.Requests; q != nil {
			addCounter(total, float64(q.Total), "host", host)
			addCounter(failed, float64(q.Failed), "host", host)
		}
	}
	var out []*dto.MetricFamily
	for _, f := range []*dto.MetricFamily{up, clients, required, total, failed} {
		if len(f.Metric) > 0 {
			out = append(out, f)
		}
	}
	return out
}

// addCounter adds a counter sample with labels given as name, value pairs.
func addCounter(f *dto.MetricFamily, v float64, labels ...string) {
	addGauge(f, v, labels...)
	m := f.Metric[len(f.Metric)-1]
	m.Counter, m.Gauge = &dto.Counter{Value: m.Gauge.Value}, nil
}

// WritePrometheus renders run in the Prometheus text exposition format
// (version 0.0.4) with the Prometheus library's encoder, in one write.
func WritePrometheus(w io.Writer, run PrometheusRun) error {
	var b bytes.Buffer
	for _, f := range PrometheusFamilies(run) {
		if _, err := expfmt.MetricFamilyToText(&b, f); err != nil {
			return err
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// newFamily is a family with its name, help and type in one allocation
// (the exporter builds a dozen per scrape).
func newFamily(name, help string, t dto.MetricType) *dto.MetricFamily {
	a := &struct {
		f          dto.MetricFamily
		name, help string
		t          dto.MetricType
	}{name: name, help: help, t: t}
	a.f.Name, a.f.Help, a.f.Type = &a.name, &a.help, &a.t
	return &a.f
}

// addGauge adds a sample with labels given as name, value pairs.
func addGauge(f *dto.MetricFamily, v float64, labels ...string) {
	// The sample, its gauge and value in one allocation, its label pairs
	// in another (the exporter builds a few hundred per scrape).
	a := &struct {
		m dto.Metric
		g dto.Gauge
		v float64
	}{v: v}
	a.g.Value, a.m.Gauge = &a.v, &a.g
	pairs := make([]dto.LabelPair, len(labels)/2)
	a.m.Label = make([]*dto.LabelPair, len(pairs))
	for i := range pairs {
		pairs[i].Name, pairs[i].Value = &labels[2*i], &labels[2*i+1]
		a.m.Label[i] = &pairs[i]
	}
	f.Metric = append(f.Metric, &a.m)
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
