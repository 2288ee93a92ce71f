//go:build unix

package audit

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user and system) this process has used, for
// benchmarks that report it beside the wall time: on a machine others
// share, it says what the work cost when the wall time says little.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
