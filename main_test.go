package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/kmsctl/kmsctl/clock"
	"github.com/kmsctl/kmsctl/commands"
	"github.com/kmsctl/kmsctl/discovery"
	"github.com/kmsctl/kmsctl/discovery/dnstest"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/kmsclient/kmstest"
	"github.com/kmsctl/kmsctl/output"
)

var update = flag.Bool("update", false, "rewrite the expected output inside testdata/script/*.txtar")

// testNow is the fixed time every scripted run sees, so latencies are 0 and
// dates stable.
var testNow = time.Date(2026, 11, 23, 17, 55, 4, 0, time.UTC)

// TestMain registers the real command as "kmsctl". Test-only knobs live
// here, never in flags users see: the clock (KMSCTL_TEST_NOW, RFC 3339,
// set by the script command "clock"), KMSCTL_TEST_TTY=1 to render as on a
// terminal (KMSCTL_TEST_ERRTTY=1 for stderr), and KMSCTL_TEST_COLUMNS=N for
// the width of those terminals.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"kmsctl": func() {
			env := commands.SystemEnv()
			now := testNow
			if v := os.Getenv("KMSCTL_TEST_NOW"); v != "" {
				t, err := time.Parse(time.RFC3339Nano, v)
				if err != nil {
					panic("KMSCTL_TEST_NOW: " + err.Error())
				}
				now = t
			}
			env.Clock = clock.NewFake(now)
			// Discovery asks the script's DNS server, never the machine's.
			env.DNSConfig = func() (*discovery.Config, error) {
				return &discovery.Config{Servers: []string{os.Getenv("KMSCTL_TEST_DNS")},
					Search: strings.Fields(os.Getenv("KMSCTL_TEST_DNS_SEARCH")),
					// Far beyond any --timeout a script gives, so that a
					// command that does not bound discovery by its own
					// timeout shows, without timing anything closely.
					QueryTimeout: time.Minute}, nil
			}
			sys := env.NewStreams
			env.NewStreams = func(noColor bool) *output.Streams {
				s := sys(noColor)
				if os.Getenv("KMSCTL_TEST_ERRTTY") == "1" {
					s.ErrTTY = true
					s.ErrColor = !noColor && os.Getenv("NO_COLOR") == ""
				}
				if os.Getenv("KMSCTL_TEST_TTY") == "1" {
					s.Out = os.Stdout
					s.TTY = true
					s.Color = !noColor && os.Getenv("NO_COLOR") == ""
				}
				// KMSCTL_TEST_COLUMNS=N: the terminals are N columns wide.
				if n, err := strconv.Atoi(os.Getenv("KMSCTL_TEST_COLUMNS")); err == nil {
					if s.TTY {
						s.OutWidth = n
					}
					if s.ErrTTY {
						s.ErrWidth = n
					}
				}
				return s
			}
			os.Exit(env.Exit(commands.Run(env, os.Args)))
		},
	})
}

// hostKey is where Setup leaves the script's test hosts; clockKey the
// clock they share with the kmsctl runs of the script.
// bashCompletionScript is where the bash-completion package keeps its
// main script (Debian, Ubuntu).
const bashCompletionScript = "/usr/share/bash-completion/bash_completion"

type (
	hostKey  struct{}
	clockKey struct{}
)

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			clk := clock.NewFake(testNow)
			hosts := map[string]*kmstest.Host{}
			// KMS_HRESULT refuses as a Windows host may: a NULL response
			// pointer whose size field still says 260, return value 0xC004F042.
			for name, o := range map[string]kmstest.Options{
				"KMS_HOST": {Clock: clk},
				"KMS_FULL": {Clock: clk, FixedCount: 50},
				// A count no Microsoft host reports (above 2 × max(N, 25)).
				"KMS_IMPOSSIBLE": {Clock: clk, FixedCount: 1000},
				"KMS_NDR32":      {Clock: clk, FixedCount: 50, NDR32Only: true, OnePerConnection: true},
				"KMS_GUIDEPID":   {Clock: clk, FixedCount: 50, EPID: "6f886fdf-3ca5-3bba-efb6-948e04baf45c"},
				"KMS_HRESULT":    {Clock: clk, Misbehave: kmstest.HRESULTReply, NullSize: 260},
				"KMS_FORGED":     {Clock: clk, Misbehave: kmstest.BadIntegrity},
				"KMS_WRONGCMID":  {Clock: clk, Misbehave: kmstest.WrongCMID},
				"KMS_REFUSED":    {Misbehave: kmstest.Refuse},
				"KMS_STALL":      {Misbehave: kmstest.Stall},
				"KMS_STALL2":     {Misbehave: kmstest.Stall}, // another port that never answers
				"KMS_FAULT":      {Misbehave: kmstest.RPCFault},
				// Answers, but not as a KMS host: bind_nak.
				"KMS_BINDNAK": {Misbehave: kmstest.BindNak},
			} {
				h, err := kmstest.New(o)
				if err != nil {
					return err
				}
				env.Defer(h.Close)
				hosts[name] = h
				env.Setenv(name, h.Addr())
				env.Setenv(name+"_PORT", h.Port()) // for a name: localhost:$KMS_FULL_PORT
			}
			env.Values[hostKey{}] = hosts
			dnsSrv, err := dnstest.New(testZone(hosts))
			if err != nil {
				return err
			}
			env.Defer(dnsSrv.Close)
			env.Setenv("KMS_DNS", dnsSrv.Addr())
			env.Setenv("KMSCTL_TEST_DNS", dnsSrv.Addr())
			env.Setenv("KMSCTL_TEST_DNS_SEARCH", "nothing.test")
			if err := setupWinRM(env); err != nil {
				return err
			}
			env.Values[clockKey{}] = clk
			env.Setenv("KMSCTL_TEST_NOW", testNow.Format(time.RFC3339Nano))
			env.Setenv("KMSCTL_STATE_DIR", env.WorkDir+"/state")
			env.Setenv("NO_COLOR", "")
			return nil
		},
		// [bash-completion]: Debian's bash-completion package is installed
		// (completion_readline.txtar drives bash with it too).
		Condition: func(cond string) (bool, error) {
			if cond != "bash-completion" {
				return false, fmt.Errorf("unknown condition %q", cond)
			}
			_, err := os.Stat(bashCompletionScript)
			return err == nil, nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"golden": golden,
			"winrm":  winrmCmd,
			// interrupt VAR CODE kmsctl ARGS...: Ctrl-C once kmsctl is
			// talking to the test host $VAR (interrupt_test.go).
			"interrupt": interruptCmd,
			// seedslog VAR FORMAT SHAPE FILE: the seeds' log, exported (host_test.go).
			"seedslog": seedsLog,
			// clock advance DURATION | clock set RFC3339: move the time the
			// test hosts and every later kmsctl run of the script see.
			"clock": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 2 {
					ts.Fatalf("usage: clock advance DURATION | clock set RFC3339")
				}
				clk := ts.Value(clockKey{}).(*clock.Fake)
				switch args[0] {
				case "advance":
					d, err := time.ParseDuration(args[1])
					if err != nil {
						ts.Fatalf("%v", err)
					}
					clk.Advance(d)
				case "set":
					t, err := time.Parse(time.RFC3339Nano, args[1])
					if err != nil {
						ts.Fatalf("%v", err)
					}
					clk.Set(t)
				default:
					ts.Fatalf("usage: clock advance DURATION | clock set RFC3339")
				}
				ts.Setenv("KMSCTL_TEST_NOW", clk.Now().Format(time.RFC3339Nano))
			},
			// clients HOSTVAR KMSID N: N other machines ask the counting
			// host about KMSID now.
			"clients": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 3 {
					ts.Fatalf("usage: clients HOSTVAR KMSID N")
				}
				h := ts.Value(hostKey{}).(map[string]*kmstest.Host)[args[0]]
				n, err := strconv.Atoi(args[2])
				if h == nil || err != nil {
					ts.Fatalf("clients %s %s %s: no such host, or N is not a number", args[0], args[1], args[2])
				}
				h.AddClients(guid.MustParse(args[1]), n)
			},
			// cmids HOSTVAR KMSID N: the host remembers N distinct clients for KMSID.
			"cmids": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 3 {
					ts.Fatalf("usage: cmids HOSTVAR KMSID N")
				}
				h := ts.Value(hostKey{}).(map[string]*kmstest.Host)[args[0]]
				if h == nil {
					ts.Fatalf("no host %s", args[0])
				}
				want, err := strconv.Atoi(args[2])
				if err != nil {
					ts.Fatalf("%v", err)
				}
				got := h.CMIDs(guid.MustParse(args[1]))
				if (got == want) == neg {
					ts.Fatalf("host %s remembers %d clients for %s, want %s%d", args[0], got, args[1], map[bool]string{true: "not ", false: ""}[neg], want)
				}
			},
		},
	})
}

// golden stdout|stderr NAME compares the output with testdata/golden/NAME,
// after writing each test host's address as its variable name ($KMS_HOST),
// since ports differ from run to run. With -update it rewrites the file.
func golden(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: golden stdout|stderr NAME")
	}
	got := maskWinRM(ts, ts.ReadFile(args[0]))
	hosts := ts.Value(hostKey{}).(map[string]*kmstest.Host)
	names := make([]string, 0, len(hosts))
	for n := range hosts {
		names = append(names, n)
	}
	sort.Strings(names)
	slug := strings.NewReplacer(".", "_", ":", "_")
	for _, n := range names {
		got = strings.ReplaceAll(got, hosts[n].Addr(), "$"+n)
		// Metric labels write the address as a slug: 127_0_0_1_41234.
		got = strings.ReplaceAll(got, slug.Replace(hosts[n].Addr()), "$"+n)
	}
	for _, n := range names {
		// Discovered hosts are named target:port, and dns check lists ports.
		got = regexp.MustCompile(`\b`+hosts[n].Port()+`\b`).ReplaceAllLiteralString(got, "$"+n+"_PORT")
	}
	got = strings.ReplaceAll(got, ts.Getenv("WORK"), "$WORK")
	if _, dnsPort, ok := strings.Cut(ts.Getenv("KMS_DNS"), ":"); ok {
		got = strings.ReplaceAll(got, ts.Getenv("KMS_DNS"), "$KMS_DNS")
		got = strings.ReplaceAll(got, "-port="+dnsPort+" ", "-port=$KMS_DNS_PORT ")
	}
	path := filepath.Join(goldenDir, args[1])
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			ts.Fatalf("%v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		ts.Fatalf("%v (run go test . -update to create it)", err)
	}
	if got == string(want) {
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			ts.Fatalf("%s differs from %s at line %d:\n got: %q\nwant: %q\n(run go test . -update if the change is intended)", args[0], path, i+1, g, w)
		}
	}
}

// goldenDir is absolute: scripts run in their own work directories.
var goldenDir = func() string {
	wd, _ := os.Getwd()
	return filepath.Join(wd, "testdata", "golden")
}()

// testZone publishes the script's test hosts in DNS:
//   - corp.test: kms1 (count 50) first, kms2 (counting) second, then a
//     refusing host; every KMS client finds kms1;
//   - broken.test: a dead host, a duplicate and a target with no address;
//   - _vlmcs._tcp.empty.test exists without SRV records;
//   - noaddr.test publishes one target that does not resolve;
//   - short.test publishes kms1 at TTL 300;
//   - _vlmcs._tcp.stall.test is never answered; anything else is NXDOMAIN.
func testZone(hosts map[string]*kmstest.Host) dnstest.Zone {
	port := func(name string) string { return hosts[name].Port() }
	return dnstest.Zone{Faults: map[string]dnstest.Fault{"_vlmcs._tcp.stall.test.": dnstest.Stall}, Records: []string{
		"_vlmcs._tcp.corp.test. 3600 IN SRV 0 100 " + port("KMS_FULL") + " kms1.corp.test.",
		"_vlmcs._tcp.corp.test. 3600 IN SRV 10 100 " + port("KMS_HOST") + " kms2.corp.test.",
		"_vlmcs._tcp.corp.test. 3600 IN SRV 20 100 " + port("KMS_REFUSED") + " kms3.corp.test.",
		"kms1.corp.test. 3600 IN A 127.0.0.1",
		"kms2.corp.test. 3600 IN A 127.0.0.1",
		"kms3.corp.test. 3600 IN A 127.0.0.1",
		"_vlmcs._tcp.broken.test. 3600 IN SRV 0 0 " + port("KMS_FULL") + " ok.broken.test.",
		"_vlmcs._tcp.broken.test. 3600 IN SRV 0 0 " + port("KMS_REFUSED") + " dead.broken.test.",
		"_vlmcs._tcp.broken.test. 3600 IN SRV 5 0 " + port("KMS_FULL") + " ok.broken.test.",
		"_vlmcs._tcp.broken.test. 3600 IN SRV 7 0 " + port("KMS_FULL") + " alias.broken.test.",
		"_vlmcs._tcp.broken.test. 3600 IN SRV 9 0 1688 gone.broken.test.",
		"ok.broken.test. 3600 IN A 127.0.0.1",
		"alias.broken.test. 3600 IN CNAME ok.broken.test.",
		"dead.broken.test. 3600 IN A 127.0.0.1",
		"_vlmcs._tcp.failover.test. 3600 IN SRV 0 0 " + port("KMS_REFUSED") + " down.failover.test.",
		"_vlmcs._tcp.failover.test. 3600 IN SRV 10 0 " + port("KMS_FULL") + " up.failover.test.",
		"down.failover.test. 3600 IN A 127.0.0.1",
		"up.failover.test. 3600 IN A 127.0.0.1",
		"_vlmcs._tcp.empty.test. 3600 IN TXT \"no KMS here\"",
		"_vlmcs._tcp.noaddr.test. 3600 IN SRV 0 0 1688 gone.noaddr.test.",
		"_vlmcs._tcp.short.test. 300 IN SRV 0 0 " + port("KMS_FULL") + " kms1.short.test.",
		"kms1.short.test. 300 IN A 127.0.0.1",
	}}
}
