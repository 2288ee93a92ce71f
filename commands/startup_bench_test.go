package commands

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/kmsctl/kmsctl/clock"
	"github.com/kmsctl/kmsctl/kmsclient/kmstest"
)

// BenchmarkRunStatus is main's whole path for one probe, in-process: the
// command tree built, the arguments read, one V6 request to a loopback
// test host, the report written and the self-count recorded. With
// -cpuprofile it shows what kmsctl does after package initialisation and
// before and after the probe (scripts/bench-startup times the whole
// process).
func BenchmarkRunStatus(b *testing.B) {
	host := kmstest.Start(b, kmstest.Options{FixedCount: 50})
	dir := filepath.Join(b.TempDir(), "state")
	args := []string{"kmsctl", "--state-dir", dir, "status", host.Addr(), "--product", "Windows Server 2019 Standard"}
	var out bytes.Buffer
	for b.Loop() {
		out.Reset()
		if err := Run(testEnv(clock.Real{}, &out), args); err != nil {
			b.Fatalf("%v\n%s", err, &out)
		}
	}
}

// BenchmarkRunVersion is main's path without a probe: the command tree
// built and the arguments read.
func BenchmarkRunVersion(b *testing.B) {
	args := []string{"kmsctl", "version"}
	var out bytes.Buffer
	for b.Loop() {
		out.Reset()
		if err := Run(testEnv(clock.Real{}, &out), args); err != nil {
			b.Fatalf("%v\n%s", err, &out)
		}
	}
}
