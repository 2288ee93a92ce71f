package exporter_test

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kmsctl/kmsctl/exporter"
	"github.com/kmsctl/kmsctl/exporter/config"
	"github.com/kmsctl/kmsctl/kmsclient/kmstest"
)

// loadModules writes text as a --config file and reads its modules.
func loadModules(t *testing.T, path, text string) (map[string]config.Module, error) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	return f.Modules, nil
}

func post(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Post(u, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	if _, err := io.Copy(&b, resp.Body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b.String()
}

// Real probes through modules: a module's products, protocol and port
// reach the test KMS host; a module the file lacks is HTTP 400 in one
// line; POST /-/reload reads the file again, and a bad file keeps the
// modules in use.
func TestProbeModules(t *testing.T) {
	host := kmstest.Start(t, kmstest.Options{FixedCount: 50})
	path := filepath.Join(t.TempDir(), "exporter.yml")
	first := `
modules:
  default:
    products: [Windows Server 2019 Standard]
  office:
    products: [Office Professional Plus 2019]
    protocol: 5
    port: ` + host.Port() + `
`
	modules, err := loadModules(t, path, first)
	if err != nil {
		t.Fatal(err)
	}
	e := exporter.New(exporter.Config{Client: testClient, Modules: modules,
		Reload: func() (map[string]config.Module, error) {
			f, err := config.Load(path)
			if err != nil {
				return nil, err
			}
			return f.Modules, nil
		}})
	base := serve(t, e)
	groups := func(query string) []string {
		t.Helper()
		code, body := get(t, base+"/probe?"+query)
		if code != 200 {
			t.Fatalf("/probe?%s: %d %s", query, code, body)
		}
		var gs []string
		for _, m := range families(t, body)["kmsctl_host_clients"].GetMetric() {
			for _, l := range m.Label {
				if l.GetName() == "group" {
					gs = append(gs, l.GetValue())
				}
			}
			if m.Gauge.GetValue() != 50 {
				t.Errorf("/probe?%s: count %v", query, m.Gauge.GetValue())
			}
		}
		return gs
	}
	if g := groups("target=" + url.QueryEscape(host.Addr())); strings.Join(g, "|") != "Windows Server 2019 Standard" {
		t.Errorf("no module (the default one): groups %q", g)
	}
	// The module's port: the target is written without one.
	if g := groups("target=127.0.0.1&module=office"); strings.Join(g, "|") != "Office Professional Plus 2019" {
		t.Errorf("module office: groups %q", g)
	}
	last := host.Requests()[len(host.Requests())-1]
	if last.Version != 5 {
		t.Errorf("module office asked with protocol %d, want 5", last.Version)
	}
	// The query's product replaces the module's.
	if g := groups("target=127.0.0.1&module=office&product=Windows+Server+2022+Standard"); strings.Join(g, "|") != "Windows Server 2022 Standard" {
		t.Errorf("module office with &product=: groups %q", g)
	}
	code, body := get(t, base+"/probe?target=127.0.0.1&module=windows")
	if code != 400 || body != "unknown module \"windows\": the configuration has modules default, office\n" {
		t.Errorf("a module the file lacks: %d %q", code, body)
	}

	// Reload: a new module appears.
	if _, err := loadModules(t, path, first+"  windows:\n    products: [Windows Server 2022 Standard]\n"); err != nil {
		t.Fatal(err)
	}
	if code, body := post(t, base+"/-/reload"); code != 200 {
		t.Fatalf("/-/reload: %d %s", code, body)
	}
	if g := groups("target=" + url.QueryEscape(host.Addr()) + "&module=windows"); strings.Join(g, "|") != "Windows Server 2022 Standard" {
		t.Errorf("a module added by reload: groups %q", g)
	}
	// A bad file: 500 with the reason, the modules in use stay.
	if _, err := loadModules(t, path, "modules:\n  windows:\n    prodcts: [x]\n"); err == nil {
		t.Fatal("the bad file was accepted")
	}
	code, body = post(t, base+"/-/reload")
	if code != 500 || !strings.Contains(body, `exporter.yml:3: unknown key "prodcts"`) || strings.Count(body, "\n") != 1 {
		t.Errorf("/-/reload of a bad file: %d %q", code, body)
	}
	if g := groups("target=" + url.QueryEscape(host.Addr()) + "&module=windows"); len(g) != 1 {
		t.Errorf("after a failed reload: groups %q", g)
	}
	_, m := get(t, base+"/metrics")
	if v, ok := value(families(t, m), "kmsctl_exporter_config_last_reload_successful"); !ok || v != 0 {
		t.Errorf("last_reload_successful = %v, %v after a bad file", v, ok)
	}
	if code, _ := get(t, base+"/-/reload"); code != http.StatusMethodNotAllowed {
		t.Errorf("GET /-/reload: %d, want 405", code)
	}
}

// Without --config there is nothing to reload and no module to name.
func TestNoConfig(t *testing.T) {
	base := serve(t, exporter.New(exporter.Config{Client: testClient}))
	if code, body := post(t, base+"/-/reload"); code != 400 || !strings.Contains(body, "without --config") {
		t.Errorf("/-/reload: %d %q", code, body)
	}
	if code, body := get(t, base+"/probe?target=127.0.0.1&module=default"); code != 400 || !strings.Contains(body, "without --config") {
		t.Errorf("a module without --config: %d %q", code, body)
	}
}
