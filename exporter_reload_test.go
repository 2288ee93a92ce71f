//go:build !windows

package main

// SIGHUP is a Unix signal: on Windows the exporter reloads through POST
// /-/reload only (tested in package exporter).

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kmsctl/kmsctl/kmsclient/kmstest"
)

// TestExporterConfigSIGHUP runs the built binary as an admin would:
// kmsctl exporter --config FILE with one flag overriding the file, real
// probes of a loopback test KMS host through a module, SIGHUP after the
// file changed (a new module appears), SIGHUP after it broke (the modules
// in use stay, and the reload metric says so), then SIGTERM: exit 0.
// Nothing is timed; waits are bounded only so a broken run fails.
func TestExporterConfigSIGHUP(t *testing.T) {
	host := kmstest.Start(t, kmstest.Options{FixedCount: 50})
	cfgPath := filepath.Join(t.TempDir(), "exporter.yml")
	write := func(text string) {
		if err := os.WriteFile(cfgPath, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// The file's listen address is not the one used: --listen wins.
	first := "listen: 127.0.0.1:1\nlog_format: json\nmodules:\n  server:\n    products: [Windows Server 2022 Standard]\n"
	write(first)
	x := startExporter(t, "--config", cfgPath)
	probe := func(module string) (int, string) {
		return x.fetch("/probe?target=" + host.Addr() + "&module=" + module)
	}
	if code, body := probe("server"); code != 200 || !strings.Contains(body, `group="Windows Server 2022 Standard"`) || !strings.Contains(body, "kmsctl_host_clients{") {
		t.Fatalf("module server: %d %s", code, body)
	}
	if code, body := probe("office"); code != 400 || !strings.Contains(body, `unknown module "office"`) {
		t.Fatalf("module office before the reload: %d %s", code, body)
	}

	write(first + "  office:\n    products: [Office Professional Plus 2019]\n")
	x.signal(syscall.SIGHUP)
	x.until("module office after SIGHUP", func() bool { code, _ := probe("office"); return code == 200 })

	write("modules:\n  office:\n    protocol: seven\n")
	x.signal(syscall.SIGHUP)
	x.until("kmsctl_exporter_config_last_reload_successful 0", func() bool {
		_, body := x.fetch("/metrics")
		return strings.Contains(body, "\nkmsctl_exporter_config_last_reload_successful 0\n")
	})
	if code, body := probe("server"); code != 200 {
		t.Errorf("after a bad file the modules in use stay: %d %s", code, body)
	}
	if !strings.Contains(x.stderr.String(), `"msg":"configuration not reloaded: the modules in use stay"`) ||
		!strings.Contains(x.stderr.String(), `exporter.yml:3: modules.office.protocol: \"seven\" is not a whole number`) {
		t.Errorf("the failed reload is not logged as JSON with its reason")
	}
	x.stop()
}

// TestExporterSIGHUPWithoutConfig: without --config there is nothing to
// read again, and SIGHUP (whose default action ends a process) is logged
// and ignored: the exporter still answers, and SIGTERM ends it with 0.
func TestExporterSIGHUPWithoutConfig(t *testing.T) {
	x := startExporter(t, "--log-format", "json")
	x.signal(syscall.SIGHUP)
	// The warning is written after the signal arrives: wait for it, then
	// the exporter must still answer.
	x.until("a warning for SIGHUP", func() bool { return strings.Contains(x.stderr.String(), "SIGHUP ignored: nothing to reload") })
	if code, _ := x.fetch("/-/healthy"); code != 200 {
		t.Fatalf("the exporter stopped answering after SIGHUP; stderr:\n%s", x.stderr.String())
	}
	x.stop()
}

// exporterRun is the built kmsctl exporter running for a test.
type exporterRun struct {
	t      *testing.T
	ctx    context.Context
	cmd    *exec.Cmd
	base   string        // http://127.0.0.1:PORT
	stderr *lockedBuffer // its log
	ended  chan error    // cmd.Wait's result, once it ends
}

// startExporter starts `kmsctl exporter --listen ADDR args...` (the test
// binary testscript.Main puts on PATH) with a state directory of its own,
// and waits until it answers /-/healthy. It skips under -short or when
// kmsctl is not on PATH. Waits are bounded by two minutes only so that a
// broken run fails; nothing is timed.
func startExporter(t *testing.T, args ...string) *exporterRun {
	if testing.Short() {
		t.Skip("runs the exporter")
	}
	bin, err := exec.LookPath("kmsctl")
	if err != nil {
		t.Skip("kmsctl is not on PATH")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	addr := freeAddr(t)
	x := &exporterRun{t: t, ctx: ctx, base: "http://" + addr, stderr: &lockedBuffer{}, ended: make(chan error, 1)}
	x.cmd = exec.CommandContext(ctx, bin, append([]string{"exporter", "--listen", addr}, args...)...)
	x.cmd.Env = append(os.Environ(), "KMSCTL_STATE_DIR="+filepath.Join(t.TempDir(), "state"))
	x.cmd.Stderr = x.stderr // written by exec's copying goroutine while the test reads it
	if err := x.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { x.ended <- x.cmd.Wait() }()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("exporter's stderr:\n%s", x.stderr.String())
		}
	})
	x.until("the exporter answers on --listen", func() bool { code, _ := x.fetch("/-/healthy"); return code == 200 })
	return x
}

// fetch GETs path, giving the status code (0 when there was no answer)
// and the body.
func (x *exporterRun) fetch(path string) (int, string) {
	resp, err := http.Get(x.base + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// until waits for ok, failing the test when the exporter ends first or
// the two minutes run out.
func (x *exporterRun) until(what string, ok func() bool) {
	x.t.Helper()
	for !ok() {
		select {
		case err := <-x.ended:
			x.t.Fatalf("the exporter ended (%v) before: %s", err, what)
		case <-x.ctx.Done():
			x.t.Fatalf("never: %s", what)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (x *exporterRun) signal(sig os.Signal) {
	x.t.Helper()
	if err := x.cmd.Process.Signal(sig); err != nil {
		x.t.Fatal(err)
	}
}

// stop sends SIGTERM: the exporter must end with exit status 0.
func (x *exporterRun) stop() {
	x.t.Helper()
	x.signal(syscall.SIGTERM)
	if err := <-x.ended; err != nil {
		x.t.Errorf("after SIGTERM: %v", err)
	}
}

// freeAddr returns a loopback address nothing listens on now.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// lockedBuffer is a bytes.Buffer safe to read while a process writes to it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
