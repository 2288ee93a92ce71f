package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/kmsctl/kmsctl/kmsclient/kmstest"
)

// TestClosedPipe runs the built binary with its standard output on a pipe
// whose reader has already gone (`kmsctl ... | head` at its most extreme,
// without a race): every command ends quietly, with the exit status of its
// result, never killed by SIGPIPE (README, "Errors and exit status").
func TestClosedPipe(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGPIPE is a Unix signal")
	}
	bin := linkKmsctl(t)
	state := filepath.Join(t.TempDir(), "state")
	if err := os.Mkdir(state, 0o700); err != nil {
		t.Fatal(err)
	}
	full, err := kmstest.New(kmstest.Options{FixedCount: 50})
	if err != nil {
		t.Fatal(err)
	}
	defer full.Close()
	below, err := kmstest.New(kmstest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer below.Close()

	run := func(closed bool, args ...string) (int, string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "KMSCTL_STATE_DIR="+state, "NO_COLOR=")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if closed {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			r.Close()
			defer w.Close()
			cmd.Stdout = w
		}
		err := cmd.Run()
		var exit *exec.ExitError
		switch {
		case err == nil:
			return 0, stderr.String()
		case errors.As(err, &exit):
			if !exit.Exited() {
				t.Errorf("kmsctl %q: killed (%v), want an exit status", args, exit)
			}
			return exit.ExitCode(), stderr.String()
		}
		t.Fatalf("kmsctl %q: %v", args, err)
		return 0, ""
	}
	if code, stderr := run(false, "ipk", "--product", "Windows 10 Enterprise"); code != 0 {
		t.Fatalf("ipk: exit %d: %s", code, stderr)
	}
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"products"}, 0},
		{[]string{"products", "--json"}, 0},
		{[]string{"dlv"}, 0},
		{[]string{"dli", "--json"}, 0},
		{[]string{"--help"}, 0},
		{[]string{"help", "status"}, 0},
		{[]string{"version"}, 0},
		{[]string{"--version"}, 0},
		{[]string{"completion", "bash"}, 0},
		{[]string{"explain", "0xC004F038"}, 0},
		{[]string{"status", full.Addr()}, 0},
		{[]string{"status", full.Addr(), "--json"}, 0},
		// The result's own status stands: a count below the threshold is 1.
		{[]string{"status", below.Addr()}, 1},
		// An error report that cannot be written is still the error's status.
		{[]string{"status", "--bogus", "--json"}, 2},
	} {
		code, stderr := run(true, c.args...)
		if code != c.code || stderr != "" {
			t.Errorf("kmsctl %q > closed pipe: exit %d, stderr %q; want exit %d and nothing said", c.args, code, stderr, c.code)
		}
	}
}

// linkKmsctl returns the test binary under the name kmsctl, which runs as
// the built command (TestMain).
func linkKmsctl(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "kmsctl")
	if err := os.Symlink(exe, bin); err != nil {
		t.Fatal(err)
	}
	return bin
}
