package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/kmsctl/kmsctl/kmsclient/kmstest"
)

// interruptCmd runs `interrupt VAR CODE kmsctl ARGS...`: kmsctl ARGS in
// the background; once the test host in $VAR (a Stall host) has accepted
// a connection from it and read its first bytes (it is mid-probe),
// os.Interrupt as Ctrl-C sends; then it checks
// the exit status is CODE. Its stdout and stderr are the command's, for
// the script's stdout/stderr checks. No timing is asserted: the wait for
// the connection is bounded only so that a broken run fails instead of
// hanging.
func interruptCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 || args[2] != "kmsctl" {
		ts.Fatalf("usage: interrupt VAR CODE kmsctl ARGS...")
	}
	h := ts.Value(hostKey{}).(map[string]*kmstest.Host)[args[0]]
	if h == nil {
		ts.Fatalf("no test host %s", args[0])
	}
	want, err := strconv.Atoi(args[1])
	ts.Check(err)
	bin := ""
	for _, dir := range filepath.SplitList(ts.Getenv("PATH")) {
		if p := filepath.Join(dir, "kmsctl"); fileExists(p) {
			bin = p
			break
		}
	}
	if bin == "" {
		ts.Fatalf("kmsctl not on the script's PATH")
	}
	cmd := exec.Command(bin, args[3:]...)
	cmd.Dir = ts.Getenv("WORK")
	cmd.Env = os.Environ()
	for _, k := range []string{"PATH", "HOME", "KMSCTL_STATE_DIR", "KMSCTL_TEST_NOW", "KMSCTL_TEST_TTY", "KMSCTL_TEST_ERRTTY", "KMSCTL_TEST_COLUMNS",
		"KMSCTL_TEST_DNS", "KMSCTL_TEST_DNS_SEARCH", "NO_COLOR", "WINRM_PASSWORD"} {
		cmd.Env = append(cmd.Env, k+"="+ts.Getenv(k))
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// Ctrl-C once kmsctl has sent the host something: its dial has
	// returned and it knows the address (the host's accept alone comes
	// before that, and a Ctrl-C then cuts the dial: a flake under load).
	before, sent := h.Connections(), h.Received()
	ts.Check(cmd.Start())
	for end := time.Now().Add(time.Minute); h.Connections() == before || h.Received() == sent; {
		if time.Now().After(end) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			ts.Fatalf("kmsctl never connected to %s; stderr:\n%s", args[0], stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	ts.Check(cmd.Process.Signal(os.Interrupt))
	err = cmd.Wait()
	got := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		got = ee.ExitCode()
	} else {
		ts.Check(err)
	}
	ts.Stdout().Write(stdout.Bytes())
	ts.Stderr().Write(stderr.Bytes())
	if got != want {
		ts.Fatalf("exit status %d, want %d; stderr:\n%s", got, want, strings.TrimSpace(stderr.String()))
	}
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}
