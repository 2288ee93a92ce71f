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
	if testing.Short() {
		t.Skip("runs the exporter")
	}
	bin, err := exec.LookPath("kmsctl") // testscript.Main puts the test binary there
	if err != nil {
		t.Skip("kmsctl is not on PATH")
	}
	host := kmstest.Start(t, kmstest.Options{FixedCount: 50})
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "exporter.yml")
	write := func(text string) {
		if err := os.WriteFile(cfgPath, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	addr := freeAddr(t)
	// The file's listen address is not the one used: --listen wins.
	first := "listen: 127.0.0.1:1\nlog_format: json\nmodules:\n  server:\n    products: [Windows Server 2022 Standard]\n"
	write(first)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "exporter", "--config", cfgPath, "--listen", addr)
	cmd.Env = append(os.Environ(), "KMSCTL_STATE_DIR="+filepath.Join(dir, "state"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if t.Failed() {
			t.Logf("exporter's stderr:\n%s", stderr.String())
		}
	}()
	base := "http://" + addr
	fetch := func(path string) (int, string) {
		resp, err := http.Get(base + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	until := func(what string, ok func() bool) {
		t.Helper()
		for !ok() {
			if ctx.Err() != nil {
				t.Fatalf("never: %s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	until("the exporter answers on --listen", func() bool { code, _ := fetch("/-/healthy"); return code == 200 })
	probe := func(module string) (int, string) { return fetch("/probe?target=" + host.Addr() + "&module=" + module) }
	if code, body := probe("server"); code != 200 || !strings.Contains(body, `group="Windows Server 2022 Standard"`) || !strings.Contains(body, "kmsctl_host_clients{") {
		t.Fatalf("module server: %d %s", code, body)
	}
	if code, body := probe("office"); code != 400 || !strings.Contains(body, `unknown module "office"`) {
		t.Fatalf("module office before the reload: %d %s", code, body)
	}

	write(first + "  office:\n    products: [Office Professional Plus 2019]\n")
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	until("module office after SIGHUP", func() bool { code, _ := probe("office"); return code == 200 })

	write("modules:\n  office:\n    protocol: seven\n")
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	until("kmsctl_exporter_config_last_reload_successful 0", func() bool {
		_, body := fetch("/metrics")
		return strings.Contains(body, "\nkmsctl_exporter_config_last_reload_successful 0\n")
	})
	if code, body := probe("server"); code != 200 {
		t.Errorf("after a bad file the modules in use stay: %d %s", code, body)
	}
	if !strings.Contains(stderr.String(), `"msg":"configuration not reloaded: the modules in use stay"`) ||
		!strings.Contains(stderr.String(), `exporter.yml:3: modules.office.protocol: \"seven\" is not a whole number`) {
		t.Errorf("the failed reload is not logged as JSON with its reason")
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("after SIGTERM: %v", err)
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

// TestExporterSIGHUPWithoutConfig: without --config there is nothing to
// read again, and SIGHUP (whose default action ends a process) is logged
// and ignored: the exporter still answers, and SIGTERM ends it with 0.
func TestExporterSIGHUPWithoutConfig(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the exporter")
	}
	bin, err := exec.LookPath("kmsctl") // testscript.Main puts the test binary there
	if err != nil {
		t.Skip("kmsctl is not on PATH")
	}
	dir := t.TempDir()
	addr := freeAddr(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "exporter", "--listen", addr, "--log-format", "json")
	cmd.Env = append(os.Environ(), "KMSCTL_STATE_DIR="+filepath.Join(dir, "state"))
	var stderr lockedBuffer // written by exec's copying goroutine, read here
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ended := make(chan error, 1)
	go func() { ended <- cmd.Wait() }()
	healthy := func() bool {
		resp, err := http.Get("http://" + addr + "/-/healthy")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}
	for !healthy() {
		if ctx.Err() != nil {
			t.Fatalf("the exporter never answered; stderr:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	// The warning is written after the signal arrives: wait for it, then
	// the exporter must still answer.
	for !strings.Contains(stderr.String(), "SIGHUP ignored: nothing to reload") {
		select {
		case err := <-ended:
			t.Fatalf("SIGHUP ended the exporter (%v); stderr:\n%s", err, stderr.String())
		case <-ctx.Done():
			t.Fatalf("no warning for SIGHUP; stderr:\n%s", stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if !healthy() {
		t.Fatalf("the exporter stopped answering after SIGHUP; stderr:\n%s", stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-ended; err != nil {
		t.Errorf("after SIGTERM: %v\n%s", err, stderr.String())
	}
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
