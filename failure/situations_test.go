package failure_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/audit"
	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/commands"
	"github.com/kmsctl/kmsctl/discovery"
	"github.com/kmsctl/kmsctl/exporter/config"
	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/identity"
	"github.com/kmsctl/kmsctl/kmsaddr"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/kmshost"
	"github.com/kmsctl/kmsctl/license"
	"github.com/kmsctl/kmsctl/limit"
	"github.com/kmsctl/kmsctl/probe"
	"github.com/kmsctl/kmsctl/selfcount"
	"github.com/kmsctl/kmsctl/statedir"
)

// situation is one failure as a domain package reports it, the code it
// must get, and the object its cause must name.
type situation struct {
	name   string
	err    error
	code   hresult.Code
	object string // must appear in the cause; "" when there is none
	exit   int
}

const srv = "_vlmcs._tcp.corp.example."

// situations covers every kind of error kmsctl's packages return, in
// local state, files, DNS, the network, RPC, KMS replies, host refusals,
// WinRM and usage. The ones that need a process (exit status, stderr, a
// full device) also run through the binary in
// testdata/script/errors_situations.txtar; these include what a test
// running as root cannot make happen (an unreadable directory, a
// read-only file system).
func situations() []situation {
	kms := func(kind kmsclient.Kind, code hresult.Code, err error) *kmsclient.Error {
		return &kmsclient.Error{Code: code, Kind: kind, Op: "bind", Addr: "10.0.0.5:1689", Err: err}
	}
	dnsErr := func(code hresult.Code, name string, err error) *discovery.Error {
		return &discovery.Error{HRESULT: code, Op: "look up SRV", Name: name, Server: "10.0.0.53:53", Err: err}
	}
	host := func(kind kmshost.Kind) *kmshost.Error {
		return &kmshost.Error{Kind: kind, Host: "kms01:5985", Op: "read the KMS counters", Err: errors.New("x")}
	}
	return []situation{
		// Local state.
		{"state dir is a file", &statedir.Error{Op: "use", Path: "/srv/state", Problem: statedir.ProblemNotDir}, 0x80070003, "/srv/state", 2},
		{"no HOME", &statedir.Error{Op: "find", Problem: statedir.ProblemNoPath, Var: "$HOME"}, 0x80070003, "$HOME", 2},
		{"shared dir", &statedir.Error{Op: "use", Path: "/tmp", Problem: statedir.ProblemShared, Mode: fs.ModeDir | fs.ModeSticky | 0o777}, 0x80070005, "/tmp", 2},
		{"another user's dir", &statedir.Error{Op: "use", Path: "/var/lib/k", Problem: statedir.ProblemOtherOwner, Mode: fs.ModeDir | 0o755, Owner: 65534}, 0x80070005, "/var/lib/k", 2},
		{"unreadable dir", &statedir.Error{Op: "use state directory", Path: "/srv/k", Err: syscall.EACCES}, 0x80070005, "/srv/k", 2},
		{"read-only file system", &statedir.Error{Op: "create state directory", Path: "/ro/k", Err: syscall.EROFS}, 0x80070013, "/ro/k", 2},
		{"full disk for state", &statedir.Error{Op: "write", Path: "/k/identity.json", Err: syscall.ENOSPC}, 0x80070070, "/k/identity.json", 2},
		{"state file not regular", &statedir.Error{Op: "read", Path: "/k/license.json", Problem: statedir.ProblemNotRegular, Mode: fs.ModeDir}, 0x80070057, "/k/license.json", 2},
		{"lock held", &statedir.Error{Op: "lock", Path: "/k/license.json.lock", Problem: statedir.ProblemLocked, Err: context.DeadlineExceeded}, 0x80070021, "/k/license.json.lock", 2},
		{"damaged identity", &identity.CorruptError{Path: "/k/identity.json", Err: errors.New("not valid JSON")}, 0x8007000D, "/k/identity.json", 2},
		{"damaged license", &license.CorruptError{Path: "/k/license.json", Err: errors.New("not valid JSON")}, 0x8007000D, "/k/license.json", 2},
		{"damaged journal", &license.CorruptError{Path: "/k/journal.jsonl", Line: 3, Err: errors.New("not valid JSON")}, 0x8007000D, "/k/journal.jsonl", 2},
		{"raw permission error", fmt.Errorf("license: %w", &fs.PathError{Op: "open", Path: "/k/license.json", Err: syscall.EACCES}), 0x80070005, "/k/license.json", 2},
		// Files and output.
		{"hosts file is a directory", &probe.HostsFileError{Name: "/etc", Err: syscall.EISDIR}, 0x80070057, "/etc", 2},
		{"hosts file missing", &probe.HostsFileError{Name: "hosts.txt", Err: syscall.ENOENT}, 0x80070002, "hosts.txt", 2},
		{"hosts file unreadable", &probe.HostsFileError{Name: "hosts.txt", Err: syscall.EACCES}, 0x80070005, "hosts.txt", 2},
		{"exporter config missing", &config.Error{Path: "/etc/kmsctl/exporter.yml", Err: syscall.ENOENT}, 0x80070002, "/etc/kmsctl/exporter.yml", 2},
		{"exporter config is a directory", &config.Error{Path: "/etc", Err: syscall.EISDIR}, 0x80070057, "/etc", 2},
		{"exporter config unknown key", &config.Error{Path: "exporter.yml", Line: 4, Err: errors.New(`unknown key "prodcts" in a module`)}, 0x80070057, "exporter.yml:4", 2},
		{"exporter config not YAML", &config.Error{Path: "exporter.yml", Err: errors.New("found character that cannot start any token")}, 0x80070057, "exporter.yml", 2},
		{"hosts file bad line", &probe.HostsFileError{Name: "hosts.txt", Line: 2, Err: &kmsaddr.Error{Input: "kms one", Reason: "x"}}, 0x80070057, "hosts.txt:2", 2},
		{"full disk for the result", &failure.WriteError{Err: syscall.ENOSPC}, 0x80070070, "standard output", 2},
		{"--output directory missing", &failure.WriteError{Err: &fs.PathError{Op: "open", Path: "/no/.kmsctl-check-1", Err: syscall.ENOENT}, File: "/no/k.prom"}, 0x80070003, "/no/k.prom", 2},
		{"--output directory read-only to us", &failure.WriteError{Err: &fs.PathError{Op: "open", Path: "/ro/.kmsctl-check-1", Err: syscall.EACCES}, File: "/ro/k.prom"}, 0x80070005, "/ro/k.prom", 2},
		// DNS.
		{"NXDOMAIN", dnsErr(hresult.DNSNameError, srv, discovery.ErrNameError), 0x8007232B, srv, 2},
		{"no SRV records", dnsErr(hresult.DNSNoRecords, srv, discovery.ErrNoRecords), 0x8007251D, srv, 2},
		{"SERVFAIL", dnsErr(hresult.DNSServerFailure, srv, discovery.ErrServerFailure), 0x8007232A, "10.0.0.53:53", 2},
		{"CNAME loop", dnsErr(hresult.DNSServerFailure, "a.corp.example.", discovery.ErrCNAMELoop), 0x8007232A, "a.corp.example.", 2},
		{"DNS timeout", dnsErr(hresult.Timeout, srv, fmt.Errorf("%w: %w", discovery.ErrTimeout, &limit.Limit{Kind: limit.DNSQuery, D: time.Second})), 0x800705B4, srv, 2},
		{"target without address", &discovery.Error{HRESULT: hresult.HostNotFound, Op: "resolve the target of", Name: "kms9.corp.example.", Record: srv,
			Err: dnsErr(hresult.DNSNameError, "kms9.corp.example.", discovery.ErrNameError)}, 0x80072AF9, "kms9.corp.example.", 2},
		{"no domain", &discovery.Error{HRESULT: hresult.InvalidName, Op: "find a domain to search", Err: errors.New("none")}, 0x8007007B, "", 2},
		{"no DNS server", &discovery.Error{HRESULT: hresult.NoDNSServers, Op: "find a DNS server", Err: errors.New("none")}, 0x8007267C, "", 2},
		{"no host answered", &discovery.Error{HRESULT: hresult.NoKMSHost, Op: "find a KMS host that answers", Err: discovery.ErrNoHost}, 0xC004F074, "", 2},
		// Network.
		{"refused", kms(kmsclient.KindNetwork, hresult.NoKMSHost, &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}), 0xC004F074, "bind", 2},
		{"timeout", kms(kmsclient.KindTimeout, hresult.NoKMSHost, &limit.Limit{Kind: limit.Timeout, D: time.Second}), 0xC004F074, "bind", 2},
		{"deadline", kms(kmsclient.KindTimeout, hresult.NoKMSHost, &limit.Limit{Kind: limit.Deadline, D: time.Second}), 0xC004F074, "bind", 2},
		// RPC and KMS replies.
		{"bind rejected", kms(kmsclient.KindBind, hresult.NotKMSHost, kmsclient.ErrBindRejected), 0xC004F039, "bind", 2},
		{"not DCE/RPC", kms(kmsclient.KindProtocol, hresult.CallFailed, errors.New("bad PDU")), 0x800706BE, "bind", 2},
		{"RPC fault", kms(kmsclient.KindFault, 0x1C010003, errors.New("fault")), 0x1C010003, "bind", 2},
		{"forged reply", &kmsclient.Error{Code: hresult.NoKMSHost, Kind: kmsclient.KindVerify, Op: "verify reply", Check: kmsclient.CheckHMAC, Err: errors.New("V6 HMAC check failed")}, 0xC004F074, "HMAC", 2},
		// Host refusals.
		{"host HRESULT", kms(kmsclient.KindHost, hresult.KMSIDMismatch, errors.New("0xC004F042")), 0xC004F042, "0xC004F042", 1},
		{"below threshold", &license.CountError{Host: "kms:1688", Group: "Windows", Count: 3, Threshold: 25}, 0xC004F038, "kms:1688", 1},
		// WinRM.
		{"WinRM refused", host(kmshost.KindRefused), 0x8007274D, "kms01:5985", 2},
		{"WinRM timeout", host(kmshost.KindTimeout), 0x800705B4, "kms01:5985", 2},
		{"WinRM auth", &kmshost.Error{Kind: kmshost.KindAuth, Host: "kms01:5985", Op: "read", Status: 401, Auth: kmshost.AuthBasic}, 0x80070005, "kms01:5985", 2},
		{"WinRM HTTP", &kmshost.Error{Kind: kmshost.KindHTTP, Host: "kms01:5985", Op: "read", Status: 500}, 0x80338012, "kms01:5985", 2},
		{"WinRM decode", host(kmshost.KindDecode), 0x8007000D, "kms01:5985", 2},
		{"WinRM not a KMS host", host(kmshost.KindNotKMSHost), 0xC004F039, "kms01:5985", 2},
		{"WinRM command", &kmshost.Error{Kind: kmshost.KindCommand, Host: "kms01:5985", Op: "read", Fault: 0x80070005, Err: errors.New("Access is denied.")}, 0x80070005, "kms01:5985", 2},
		// Usage and input.
		{"usage", &failure.UsageError{Msg: "kmsctl status has no flag --bogus", Hint: "run 'kmsctl status --help'"}, 0x80070057, "--bogus", 2},
		{"bad address", &kmsaddr.Error{Input: "kms:99999", Reason: "port"}, 0x80070057, "kms:99999", 2},
		{"unknown product", fmt.Errorf("%w %q: x", catalogue.ErrNotFound, "Windows 95"), 0x80070057, "Windows 95", 2},
		{"bad key", &license.KeyError{Reason: "has 2 dash-separated groups, not 5"}, 0xC004F050, "groups", 2},
		{"key of another product", &license.KeyError{Reason: "is the GVLK of A, not of B", Case: license.KeyOtherProduct, Product: "B"}, 0xC004F050, "GVLK of A", 2},
		{"bad domain", &license.DomainError{Input: "-x", Reason: "label"}, 0x80070057, "-x", 2},
		{"no key installed", &license.NoProductError{Path: "/k/license.json"}, 0xC004F014, "/k/license.json", 2},
		{"no rearm left", &license.RearmError{Used: 3, Limit: 3}, 0xC004D307, "3 rearms", 2},
		{"no host set", &license.NoHostError{}, 0xC004F074, "no KMS host", 2},
		{"unreadable event log export", &audit.FileError{Format: audit.FormatEVTX, Msg: "a saved .evtx file is not read"}, 0x8007000D, "EVTX", 2},
		{"damaged host record", &selfcount.CorruptError{Path: "/k/selfcount.json", Err: errors.New("not valid JSON")}, 0x8007000D, "/k/selfcount.json", 2},
		{"several products", &license.AmbiguousError{Op: "ato", Products: []catalogue.Product{{Name: "A"}, {Name: "B"}}}, 0x80070057, "2 products", 2},
		{"unknown Activation ID", &license.UnknownProductError{}, 0xC004F014, "Activation ID", 2},
		// What kmsctl cannot classify.
		{"unclassified", errors.New("something else"), 0xA0000001, "something else", 2},
	}
}

func TestSituations(t *testing.T) {
	all := situations()
	if len(all) < 30 {
		t.Fatalf("only %d situations", len(all))
	}
	c := failure.Context{Command: "status", Flags: []string{"timeout", "deadline", "domain", "dns-server", "state-dir", "hosts-file", "protocol"}, GOOS: "linux"}
	for _, s := range all {
		info := failure.Describe(s.err, c)
		if info.Code != s.code.String() {
			t.Errorf("%s: code %s, want %s (%+v)", s.name, info.Code, s.code, info)
		}
		if !strings.Contains(info.Cause, s.object) {
			t.Errorf("%s: cause %q does not name %q", s.name, info.Cause, s.object)
		}
		if info.Message == "" || info.Fix == "" && s.code != hresult.KMSIDMismatch && s.code != 0x1C010003 {
			t.Errorf("%s: no message or no fix: %+v", s.name, info)
		}
		if s.code != hresult.NoKMSHost && strings.Contains(info.Message, "No KMS host could be contacted") {
			t.Errorf("%s: says 0xC004F074's words: %+v", s.name, info)
		}
		if got := failure.ExitStatus(s.err, c); got != s.exit {
			t.Errorf("%s: exit %d, want %d", s.name, got, s.exit)
		}
		if got := failure.ExitStatus(s.err, failure.Context{Check: true}); got != 3 {
			t.Errorf("%s: with --check exit %d, want 3 (UNKNOWN)", s.name, got)
		}
	}
}

// TestAdviceNamesWhatLimitedTheRun: --deadline when the deadline ran out,
// --timeout when it did, and the DNS query limit's tie to --timeout.
func TestAdviceNamesWhatLimitedTheRun(t *testing.T) {
	c := failure.Context{Command: "status", Flags: []string{"timeout", "deadline", "dns-server"}}
	deadline := failure.Describe(&kmsclient.Error{Code: hresult.NoKMSHost, Kind: kmsclient.KindTimeout, Addr: "10.0.0.5:1688",
		Err: &limit.Limit{Kind: limit.Deadline, D: time.Second}}, c)
	if !strings.Contains(deadline.Fix, "raise --deadline") || strings.Contains(deadline.Fix, "raise --timeout") {
		t.Errorf("deadline: %q", deadline.Fix)
	}
	dns := failure.Describe(&discovery.Error{HRESULT: hresult.Timeout, Op: "look up", Name: srv, Server: "10.0.0.53:5353",
		Err: &limit.Limit{Kind: limit.DNSQuery, D: time.Second}}, c)
	if !strings.Contains(dns.Fix, "each DNS query may take as long as --timeout, never past --deadline") || !strings.Contains(dns.Fix, "port 5353") {
		t.Errorf("DNS query limit: %q", dns.Fix)
	}
	ato := failure.Describe(&kmsclient.Error{Code: hresult.NoKMSHost, Kind: kmsclient.KindTimeout, Addr: "10.0.0.5:1688",
		Err: &limit.Limit{Kind: limit.Deadline, D: time.Second}}, failure.Context{Command: "ato", Flags: []string{"timeout"}})
	if strings.Contains(ato.Fix, "--deadline") {
		t.Errorf("ato has no --deadline: %q", ato.Fix)
	}
}

// flagRE finds a flag named in advice.
var flagRE = regexp.MustCompile(`--[a-z][a-z0-9-]*`)

// TestFixNamesOnlyFlagsTheCommandHas walks every command and every fix
// failure can give it, on each OS, and fails when a fix names a flag the
// command does not have. A flag after "kmsctl OTHER" in the same clause is
// checked against OTHER. It also fails when advice for Linux or macOS
// sends the reader to a Windows client's Application log.
func TestFixNamesOnlyFlagsTheCommandHas(t *testing.T) {
	app := commands.NewApp(commands.SystemEnv())
	type cmd struct {
		path  string
		flags []string
	}
	var cmds []cmd
	var walk func(prefix string, cs []*cli.Command)
	flagsOf := func(c *cli.Command) []string {
		var names []string
		for _, f := range append(append([]cli.Flag{}, c.Flags...), app.Flags...) {
			names = append(names, f.Names()...)
		}
		return append(names, "help")
	}
	walk = func(prefix string, cs []*cli.Command) {
		for _, c := range cs {
			path := strings.TrimSpace(prefix + " " + c.Name)
			cmds = append(cmds, cmd{path, flagsOf(c)})
			walk(path, c.Subcommands)
		}
	}
	walk("", app.Commands)
	find := func(path string) *cmd {
		for i := range cmds {
			if cmds[i].path == path {
				return &cmds[i]
			}
		}
		return nil
	}
	checked := 0
	for _, running := range cmds {
		for _, goos := range []string{"linux", "darwin", "windows"} {
			c := failure.Context{Command: running.path, Flags: running.flags, GOOS: goos}
			for _, s := range situations() {
				fix := failure.Describe(s.err, c).Fix
				for _, clause := range strings.FieldsFunc(fix, func(r rune) bool { return strings.ContainsRune(";,()`", r) }) {
					owner := &running
					rest := clause
					if i := strings.Index(clause, "kmsctl "); i >= 0 {
						words := strings.Fields(clause[i+len("kmsctl "):])
						for n := min(2, len(words)); n > 0; n-- {
							if o := find(strings.Join(words[:n], " ")); o != nil {
								owner, rest = o, clause[i:]
								break
							}
						}
					}
					for _, f := range flagRE.FindAllString(rest, -1) {
						checked++
						if !contains(owner.flags, strings.TrimPrefix(f, "--")) {
							t.Errorf("%s (%s), %s: the fix names %s, which kmsctl %s does not have: %q", running.path, goos, s.name, f, owner.path, fix)
						}
					}
				}
				if goos != "windows" && (strings.Contains(fix, "Application log") || strings.Contains(fix, "event 12288")) {
					t.Errorf("%s (%s), %s: sends a %s user to a Windows client's event log: %q", running.path, goos, s.name, goos, fix)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no flag was named in any fix: the walk checked nothing")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// researchNote finds notes meant for kmsctl's developers, not its users.
var researchNote = regexp.MustCompile(`(?i)\bunconfirmed\b|\bnot found in\b|slerror\.h|\bcopies consulted\b|\bper ntstatus|\bnot verified\b|\bunverified\b|\bTODO\b|\bFIXME\b`)

// TestNoResearchNotesInUserText fails when text a user sees (the code
// table's name, meaning, causes and fix; every described failure; every
// command's help) carries a research note. Provenance belongs in the
// table's source column and in comments.
func TestNoResearchNotesInUserText(t *testing.T) {
	f, err := os.Open("../hresult/errors.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[1:] {
		for i, col := range []string{"name", "meaning", "causes", "fix"} {
			if researchNote.MatchString(r[2+i]) {
				t.Errorf("errors.csv %s %s: %q", r[0], col, r[2+i])
			}
		}
	}
	for _, i := range hresult.All() {
		if researchNote.MatchString(i.Name + " " + i.Meaning + " " + i.Causes + " " + i.Fix) {
			t.Errorf("explain %s: %+v", i.Code, i)
		}
	}
	for _, s := range situations() {
		info := failure.Describe(s.err, failure.Context{})
		if researchNote.MatchString(info.Message + " " + info.Fix) {
			t.Errorf("%s: %+v", s.name, info)
		}
	}
	var walk func([]*cli.Command)
	walk = func(cs []*cli.Command) {
		for _, c := range cs {
			text := c.Usage + " " + c.Description
			for _, fl := range c.Flags {
				if u, ok := fl.(cli.DocGenerationFlag); ok {
					text += " " + u.GetUsage()
				}
			}
			if researchNote.MatchString(text) {
				t.Errorf("help of %s: %s", c.Name, researchNote.FindString(text))
			}
			walk(c.Subcommands)
		}
	}
	walk(commands.NewApp(commands.SystemEnv()).Commands)
	// The test must be able to fail.
	if !researchNote.MatchString("unconfirmed: no Microsoft KMS page found") {
		t.Fatal("the pattern misses the note it is for")
	}
}

// TestLockHeldAdviceIsAboutTheHolder: a lock held by another kmsctl is not
// fixed by a longer --timeout; the fix says to wait for it and how to find
// it, on each OS.
func TestLockHeldAdviceIsAboutTheHolder(t *testing.T) {
	err := &statedir.Error{Op: "lock", Path: "/k/license.json.lock", Problem: statedir.ProblemLocked, Err: context.DeadlineExceeded}
	for goos, find := range map[string]string{"linux": "fuser -v /k/license.json.lock", "darwin": "lsof /k/license.json.lock", "windows": "Get-Process kmsctl"} {
		info := failure.Describe(err, failure.Context{Command: "ato", Flags: []string{"timeout", "json"}, GOOS: goos})
		if strings.Contains(info.Fix, "--timeout") || !strings.Contains(info.Fix, "wait for it") || !strings.Contains(info.Fix, find) {
			t.Errorf("%s: %q", goos, info.Fix)
		}
	}
}

// TestPermissionOnAFileNotYetThere: creating a lock file (or a state
// directory) in a directory the user may not write is advice about that
// directory, not about a file that does not exist.
func TestPermissionOnAFileNotYetThere(t *testing.T) {
	dir := t.TempDir()
	lock := filepath.Join(dir, "license.json.lock")
	info := failure.Describe(&statedir.Error{Op: "lock", Path: lock, Err: syscall.EACCES}, failure.Context{})
	if !strings.Contains(info.Fix, "you may not create files in "+dir+":") || strings.Contains(info.Fix, "ls -ld "+lock) {
		t.Errorf("fix: %s", info.Fix)
	}
	// A file that is there: the file itself.
	there := filepath.Join(dir, "license.json")
	if err := os.WriteFile(there, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	info = failure.Describe(&statedir.Error{Op: "read", Path: there, Err: syscall.EACCES}, failure.Context{})
	if !strings.Contains(info.Fix, "you may not read or write "+there+":") {
		t.Errorf("fix: %s", info.Fix)
	}
}
