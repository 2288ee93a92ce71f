// Package testproc starts the child processes of tests (a test binary run
// again as a helper) so that a transient failure to create the process is
// not read as a failure of the code under test.
package testproc

import (
	"os/exec"
	"runtime"
	"time"
)

// Attempts is how many times Start tries on Windows before it gives up.
const Attempts = 4

// Start builds a command with newCmd and starts it. On Windows a failed
// start is retried with a fresh command (an exec.Cmd cannot be started
// twice, and its pipes are closed by the failed start) up to Attempts
// times, 50 ms apart and more: Wine 8, which .ci/wine-test runs the Windows
// tests under, now and then fails CreateProcess under load with "fork/exec
// …: Internal error." although nothing is wrong with the program. A start
// that fails every time returns the last error; elsewhere the first error
// is returned as it is.
func Start(newCmd func() *exec.Cmd) (*exec.Cmd, error) {
	tries := 1
	if runtime.GOOS == "windows" {
		tries = Attempts
	}
	var err error
	for i := range tries {
		if i > 0 {
			time.Sleep(time.Duration(i) * 50 * time.Millisecond)
		}
		cmd := newCmd()
		if err = cmd.Start(); err == nil {
			return cmd, nil
		}
	}
	return nil, err
}
