package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/kmsctl/kmsctl/kmsclient/kmstest"
)

// TestWine runs the Windows build (kmsctl.exe) under Wine through the
// scripts in testdata/wine, against test KMS hosts this test process serves
// natively on loopback. .ci/wine-test cross-builds the binary, makes a Wine
// prefix that Go binaries can start in, and runs this test with
// KMSCTL_WINE_EXE set; without it the test is skipped.
//
// The scripts run kmsctl.exe with the system clock (a release binary has no
// test clock), so they match times by shape, never by value.
func TestWine(t *testing.T) {
	exe := os.Getenv("KMSCTL_WINE_EXE")
	if exe == "" {
		t.Skip("KMSCTL_WINE_EXE is not set: the Windows build runs under Wine only through .ci/wine-test")
	}
	if os.Getenv("WINEPREFIX") == "" {
		t.Fatal("KMSCTL_WINE_EXE is set but WINEPREFIX is not: run .ci/wine-test")
	}
	// %LOCALAPPDATA% as Wine sets it for Windows programs, and where that
	// is on this machine, so the scripts can look at the default state
	// directory from outside.
	out, err := exec.Command("wine", "cmd", "/c", "echo %LOCALAPPDATA%").Output()
	if err != nil {
		t.Fatalf("wine cmd: %v", err)
	}
	winDir := strings.TrimSpace(string(out))
	out, err = exec.Command("winepath", "-u", winDir).Output()
	if err != nil {
		t.Fatalf("winepath -u %s: %v", winDir, err)
	}
	unixDir := strings.TrimSpace(string(out))
	if fi, err := os.Stat(unixDir); err != nil || !fi.IsDir() {
		t.Fatalf("%%LOCALAPPDATA%% is %s, which is %s here: %v", winDir, unixDir, err)
	}
	// Only the lifecycle script uses the default state directory; start it
	// afresh.
	if err := os.RemoveAll(filepath.Join(unixDir, "kmsctl")); err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/wine",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			for name, o := range map[string]kmstest.Options{
				"KMS_HOST":    {},
				"KMS_FULL":    {FixedCount: 50},
				"KMS_REFUSED": {Misbehave: kmstest.Refuse},
			} {
				h, err := kmstest.New(o)
				if err != nil {
					return err
				}
				env.Defer(h.Close)
				env.Setenv(name, h.Addr())
			}
			env.Setenv("KMSCTL", exe)
			for _, v := range []string{"WINEPREFIX", "WINEDEBUG", "WINEDLLOVERRIDES", "WINESERVER", "WINELOADER"} {
				env.Setenv(v, os.Getenv(v))
			}
			// Wine keeps the host's time zone; pin it so the zone labels
			// are the same on every machine.
			env.Setenv("TZ", "UTC")
			env.Setenv("LOCALAPPDATA_WIN", winDir)
			env.Setenv("LOCALAPPDATA_UNIX", unixDir)
			env.Setenv("NO_COLOR", "")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"onezone": oneZone,
		},
	})
}

// zoneLabel matches a time as output.When writes it and captures its zone.
var zoneLabel = regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ([A-Za-z][A-Za-z0-9+-]*)`)

// oneZone FILE...: every time shown in the files carries the same zone
// label, and there is at least one.
func oneZone(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: onezone FILE...")
	}
	seen := map[string]string{}
	for _, f := range args {
		for _, m := range zoneLabel.FindAllSubmatch([]byte(ts.ReadFile(f)), -1) {
			if _, ok := seen[string(m[1])]; !ok {
				seen[string(m[1])] = string(bytes.TrimSpace(m[0]))
			}
		}
	}
	switch {
	case len(seen) == 0:
		ts.Fatalf("no times in %s", strings.Join(args, " "))
	case len(seen) > 1:
		ts.Fatalf("times in more than one zone: %v", seen)
	}
}
