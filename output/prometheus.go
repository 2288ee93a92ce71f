package output

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kmsctl/kmsctl/probe"
)

// Prometheus writes probe results in the Prometheus text exposition format,
// for node_exporter's textfile collector.
func (s *Streams) Prometheus(hosts []probe.Host) error {
	w := s.Out
	metric := func(name, help string) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name)
	}
	metric("kmsctl_host_up", "1 when the KMS host answered every product group and every reply verified, else 0.")
	for i := range hosts {
		up := 0
		if hosts[i].Outcome() != probe.Failed {
			up = 1
		}
		fmt.Fprintf(w, "kmsctl_host_up{host=%s} %d\n", quoteLabel(hosts[i].Host), up)
	}
	groups := func(name, help string, value func(g *probe.Group) (float64, bool)) {
		metric(name, help)
		for i := range hosts {
			for j := range hosts[i].Groups {
				g := &hosts[i].Groups[j]
				if v, ok := value(g); ok {
					fmt.Fprintf(w, "%s{host=%s,group=%s} %s\n", name, quoteLabel(hosts[i].Host), quoteLabel(g.Product.Name), formatFloat(v))
				}
			}
		}
	}
	groups("kmsctl_host_count", "Clients the KMS host counts for the product's group (absent when the probe failed).",
		func(g *probe.Group) (float64, bool) {
			if g.Err != nil || g.Result == nil {
				return 0, false
			}
			return float64(g.Result.Count), true
		})
	groups("kmsctl_host_threshold", "Clients the product's group needs before the host activates it.",
		func(g *probe.Group) (float64, bool) { return float64(g.Product.Threshold), true })
	metric("kmsctl_probe_duration_seconds", "How long probing the host took.")
	for i := range hosts {
		fmt.Fprintf(w, "kmsctl_probe_duration_seconds{host=%s} %s\n", quoteLabel(hosts[i].Host), formatFloat(hosts[i].Duration.Seconds()))
	}
	return nil
}

// quoteLabel quotes a label value as the exposition format requires.
func quoteLabel(v string) string {
	r := strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
	return `"` + r.Replace(v) + `"`
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
