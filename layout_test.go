package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// testOnly reports whether a package serves tests only: the test KMS
// host and its host half of the protocol, the test DNS and WinRM servers,
// the test helpers, and the WinRM test server library.
func testOnly(path string) bool {
	switch {
	case strings.HasSuffix(path, "/kmsclient/internal/hostside"),
		strings.HasPrefix(path, "github.com/kmsctl/kmsctl/internal/test"),
		path == "github.com/dylanmei/winrmtest":
		return true
	}
	last := path[strings.LastIndex(path, "/")+1:]
	return strings.HasPrefix(path, "github.com/kmsctl/kmsctl/") && strings.HasSuffix(last, "test")
}

// TestShippedBinaryHasNoTestHost checks what `go list -deps .` says the
// kmsctl binary is built from, on each OS it ships for: kmsctl ships no
// KMS host (nor the test DNS or WinRM servers), so no test-only package
// may be among its dependencies.
func TestShippedBinaryHasNoTestHost(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	t.Parallel()
	all, err := exec.Command("go", "list", "./...").Output()
	if err != nil {
		t.Fatalf("go list ./...: %v", err)
	}
	var hosts []string
	for _, p := range strings.Fields(string(all)) {
		if testOnly(p) {
			hosts = append(hosts, p)
		}
	}
	// The rule must still recognise the test hosts it is about.
	for _, want := range []string{"kmsclient/kmstest", "kmsclient/internal/hostside", "discovery/dnstest", "kmshost/hosttest"} {
		found := false
		for _, h := range hosts {
			found = found || strings.HasSuffix(h, "/"+want)
		}
		if !found {
			t.Errorf("%s is not among the test-only packages %v", want, hosts)
		}
	}
	for _, goos := range []string{"linux", "windows", "darwin"} {
		cmd := exec.Command("go", "list", "-deps", ".")
		cmd.Env = append(os.Environ(), "GOOS="+goos)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("GOOS=%s go list -deps .: %v", goos, err)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 20 {
			t.Fatalf("GOOS=%s: only %d dependencies: %v", goos, len(deps), deps)
		}
		for _, p := range deps {
			if testOnly(p) {
				t.Errorf("GOOS=%s: the kmsctl binary links %s, which serves tests only", goos, p)
			}
		}
	}
}

// deadcodeVersion pins golang.org/x/tools/cmd/deadcode.
const deadcodeVersion = "v0.52.0"

// TestNoDeadCode runs deadcode with the tests as roots: a function
// that neither kmsctl nor any test reaches is dead and must go (issue 14).
// It needs the Go module proxy (or a module cache holding x/tools) once.
func TestNoDeadCode(t *testing.T) {
	if testing.Short() {
		t.Skip("runs deadcode over the whole module")
	}
	t.Parallel()
	cmd := exec.Command("go", "run", "golang.org/x/tools/cmd/deadcode@"+deadcodeVersion, "-test", "./...")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("deadcode: %v\n%s", err, stderr.String())
	}
	if dead := strings.TrimSpace(string(out)); dead != "" {
		t.Errorf("deadcode -test finds functions nothing reaches; remove them or use them:\n%s", dead)
	}
}
