package main

import (
	"encoding/json"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/kmsctl/kmsctl/kmsclient/kmstest"
	"github.com/kmsctl/kmsctl/kmshost/hosttest"
)

// winrmKey is where Setup leaves the script's test WinRM servers.
type winrmKey struct{}

// busyLog is the 10,000-event log of $WINRM_BUSY, built once.
var busyLog = sync.OnceValue(func() []hosttest.Event { return hosttest.ManyEvents(hosttest.DefaultNow, 10000) })

// setupWinRM starts the script's Windows hosts (kmshost/hosttest) and
// exports their addresses:
//
//	WINRM_HOST      a KMS host (Windows Server 2019 + Office) with counters and a short log
//	WINRM_TLS       the same over HTTPS, with a self-signed certificate
//	WINRM_NOTKMS    a KMS client, no host key
//	WINRM_EMPTY     a KMS host with an empty log
//	WINRM_BUSY      a KMS host with 10,000 events
//	WINRM_BADJSON   answers every command with cut-off JSON
//	WINRM_BADTYPES  a count written as a string, a flag as a number
//	WINRM_FAIL      every command fails on the host: access denied
//	WINRM_STALL     accepts requests, never answers
//	WINRM_REFUSED   nothing listens
//	WINRM_NEGOTIATE offers only Negotiate (Basic disabled, Windows' default)
//	WINRM_NTLM      Basic disabled, and completes NTLM: checks the NTLMv2 response
//	WINRM_NTLMSEAL  the same, as a default Windows HTTP listener (AllowUnencrypted=false):
//	                takes only messages sealed with the NTLM session's keys
//	WINRM_NTLMSEAL_TAMPER  WINRM_NTLMSEAL whose sealed answers have a changed signature
//
// WINRM_PORT is $WINRM_HOST's port (for status --winrm-port), WINRM_REFUSED_PORT
// $WINRM_REFUSED's; WINRM_USER and
// WINRM_PASSWORD the credentials every one of them accepts.
func setupWinRM(env *testscript.Env) error {
	// golden masks addresses by plain replacement: no WinRM server may have
	// the port of a test KMS host.
	taken := map[int]bool{}
	if hosts, ok := env.Values[hostKey{}].(map[string]*kmstest.Host); ok {
		for _, h := range hosts {
			p, _ := strconv.Atoi(h.Port())
			taken[p] = true
		}
	}
	servers := map[string]*hosttest.Server{}
	for name, o := range map[string]hosttest.Options{
		"WINRM_HOST":            {},
		"WINRM_TLS":             {TLS: true},
		"WINRM_NOTKMS":          {Counters: hosttest.NotKMSHostJSON()},
		"WINRM_EMPTY":           {Events: hosttest.NoEvents},
		"WINRM_BUSY":            {Events: busyLog()},
		"WINRM_BADJSON":         {Answer: hosttest.MalformedJSON},
		"WINRM_BADTYPES":        {Counters: hosttest.WrongTypesJSON()},
		"WINRM_FAIL":            {Answer: hosttest.AccessDeniedJSON(), AnswerExit: 1},
		"WINRM_STALL":           {Stall: true},
		"WINRM_REFUSED":         {Refuse: true},
		"WINRM_NEGOTIATE":       {Offer: "Negotiate"},
		"WINRM_NTLM":            {NTLM: true},
		"WINRM_NTLMSEAL":        {NTLMEncrypt: true},
		"WINRM_NTLMSEAL_TAMPER": {NTLMEncrypt: true, TamperSeal: true},
		"WINRM_SHELLS":          {NTLMEncrypt: true, Fault: &hosttest.FaultTooManyShells},
		// Windows clients (client dli): activated; renewals failing since
		// the host's count fell; never activated, in grace; no host reached.
		// The seeds' log on day 10 beside WMI counts that disagree (50, 10),
		// and beside a host that sets a 14-day renewal interval.
		"WINRM_SEEDS_WMI": {Events: hosttest.SeedsEvents(hosttest.DefaultNow)},
		"WINRM_SEEDS_14D": {Events: hosttest.SeedsEvents(hosttest.DefaultNow), Counters: seeds14d()},
		"WINRM_SEEDS_NOWMI": {Events: hosttest.SeedsEvents(hosttest.DefaultNow),
			Counters: hosttest.AccessDeniedJSON(), CountersExit: 1},
		"WINRM_PC_OK":      {Client: hosttest.WindowsClient("PC-0101", hosttest.SeedsCMID(1), hosttest.ClientLicensed, hosttest.DefaultNow)},
		"WINRM_PC_FAILING": {Client: hosttest.WindowsClient("PC-0102", hosttest.SeedsCMID(2), hosttest.ClientRenewalFailing, hosttest.DefaultNow)},
		"WINRM_PC_GRACE":   {Client: hosttest.WindowsClient("PC-0377", hosttest.SeedsCMID(30), hosttest.ClientGrace, hosttest.DefaultNow)},
		"WINRM_PC_LOST":    {Client: hosttest.WindowsClient("LAPTOP-17", hosttest.SeedsCMID(31), hosttest.ClientUnreachable, hosttest.DefaultNow)},
	} {
		s, err := startWinRM(env, o, taken)
		if err != nil {
			return err
		}
		servers[name] = s
	}
	// The seeds' story (hosttest.SeedsEvents) as the host's log tells it on
	// days 10, 20, 29, 31 and 40.
	for name, now := range seedsDays {
		var err error
		if servers[name], err = startWinRM(env, hosttest.Options{Now: now, Events: hosttest.SeedsEvents(now), Counters: hosttest.SeedsCounters(now)}, taken); err != nil {
			return err
		}
	}
	for name, s := range servers {
		env.Setenv(name, s.Addr())
	}
	env.Setenv("WINRM_PORT", strconv.Itoa(servers["WINRM_HOST"].Port()))
	// A port where connections are refused (kept taken, never listening):
	// port 1 is not, when something on the machine listens there.
	env.Setenv("WINRM_REFUSED_PORT", strconv.Itoa(servers["WINRM_REFUSED"].Port()))
	env.Setenv("WINRM_USER", hosttest.DefaultUser)
	env.Setenv("WINRM_PASSWORD", hosttest.DefaultPassword)
	env.Values[winrmKey{}] = servers
	return nil
}

// seedsDays are the test WinRM servers of the seeds' story and their clocks.
var seedsDays = map[string]time.Time{
	"WINRM_SEEDS":   hosttest.DefaultNow, // day 10, after kmsctl's first probe
	"WINRM_SEEDS20": hosttest.SeedsDay0.Add(20*24*time.Hour + 8*time.Hour),
	"WINRM_SEEDS29": hosttest.SeedsDay0.Add(29*24*time.Hour + 13*time.Hour),
	"WINRM_SEEDS31": hosttest.SeedsDay0.Add(31*24*time.Hour + 13*time.Hour),
	"WINRM_SEEDS40": hosttest.SeedsDay0.Add(40*24*time.Hour + 13*time.Hour),
}

// startWinRM starts a test WinRM server on a port no other test server has.
func startWinRM(env *testscript.Env, o hosttest.Options, taken map[int]bool) (*hosttest.Server, error) {
	s, err := hosttest.New(o)
	for tries := 0; err == nil && taken[s.Port()] && tries < 10; tries++ {
		s.Close()
		s, err = hosttest.New(o)
	}
	if err != nil {
		return nil, err
	}
	taken[s.Port()] = true
	env.Defer(s.Close)
	return s, nil
}

// seedsLog writes the seeds' log as the server VAR holds it, exported as
// an admin would on the host:
//
//	seedslog VAR xml|xml-root|json|json-ps7 joined|9|10 FILE
func seedsLog(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: seedslog VAR xml|xml-root|json|json-ps7 joined|9|10 FILE")
	}
	now, ok := seedsDays[args[0]]
	shape, ok2 := map[string]hosttest.Shape{"joined": hosttest.Joined, "9": hosttest.Separate, "10": hosttest.Leading}[args[2]]
	if !ok || !ok2 {
		ts.Fatalf("no seeds server %s or shape %s", args[0], args[2])
	}
	f, err := os.Create(ts.MkAbs(args[3]))
	ts.Check(err)
	events := hosttest.SeedsEvents(now)
	switch args[1] {
	case "xml", "xml-root":
		err = hosttest.WriteXML(f, events, shape, args[1] == "xml-root")
	case "json", "json-ps7":
		err = hosttest.WriteJSON(f, events, shape, args[1] == "json-ps7")
	default:
		ts.Fatalf("format %s", args[1])
	}
	ts.Check(err)
	ts.Check(f.Close())
}

// maskWinRM writes each test WinRM server's address as its variable name.
func maskWinRM(ts *testscript.TestScript, got string) string {
	servers, _ := ts.Value(winrmKey{}).(map[string]*hosttest.Server)
	names := make([]string, 0, len(servers))
	for n := range servers {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		got = strings.ReplaceAll(got, servers[n].Addr(), "$"+n)
	}
	return got
}

// winrmCmd checks what a test WinRM server saw:
//
//	winrm VAR scripts N     it ran N PowerShell scripts, all kmsctl's
//	winrm VAR auth SCHEME   every Authorization header it got was SCHEME ("-": none)
//	winrm VAR query MAX SINCE_SECONDS   the last log script asked for that
//	winrm VAR sealed N      it unsealed and answered N sealed messages, got
//	                        no plain one and refused no sealed one
//	winrm VAR reset         forget what it saw so far
func winrmCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 2 && args[1] == "reset" {
		ts.Value(winrmKey{}).(map[string]*hosttest.Server)[args[0]].Reset()
		return
	}
	if neg || len(args) < 3 {
		ts.Fatalf("usage: winrm VAR scripts N | winrm VAR auth SCHEME... | winrm VAR query MAX SINCE_SECONDS | winrm VAR sealed N")
	}
	s := ts.Value(winrmKey{}).(map[string]*hosttest.Server)[args[0]]
	if s == nil {
		ts.Fatalf("no WinRM server %s", args[0])
	}
	switch args[1] {
	case "scripts":
		if u := s.Unknown(); len(u) > 0 {
			ts.Fatalf("%s ran commands that are not kmsctl's: %q", args[0], u)
		}
		if got := strconv.Itoa(len(s.Scripts())); got != args[2] {
			ts.Fatalf("%s ran %s scripts, want %s", args[0], got, args[2])
		}
	case "auth":
		want := map[string]bool{}
		for _, a := range args[2:] {
			want[a] = true
		}
		for _, got := range s.AuthSchemes() {
			if !want[got] {
				ts.Fatalf("%s got Authorization %q, want only %q (all: %q)", args[0], got, args[2:], s.AuthSchemes())
			}
		}
	case "sealed":
		if c := s.Sealed(); strconv.Itoa(c.Sealed) != args[2] || c.Plain != 0 || len(c.Bad) != 0 {
			ts.Fatalf("%s: %d sealed messages (want %s), %d plain ones, sealed ones refused: %q", args[0], c.Sealed, args[2], c.Plain, c.Bad)
		}
	case "query":
		q := s.LastQuery()
		if len(args) != 4 || strconv.Itoa(q.Max) != args[2] || strconv.Itoa(int(q.Since.Seconds())) != args[3] {
			ts.Fatalf("%s last log query: max %d since %ds, want %q", args[0], q.Max, int(q.Since.Seconds()), args[2:])
		}
	default:
		ts.Fatalf("winrm: unknown check %q", args[1])
	}
}

// seeds14d is the story's host on day 10 with a renewal interval of 14
// days (slmgr /sri 20160).
func seeds14d() []byte {
	var doc map[string]any
	if err := json.Unmarshal(hosttest.SeedsCounters(hosttest.DefaultNow), &doc); err != nil {
		panic(err)
	}
	doc["service"].(map[string]any)["VLRenewalInterval"] = 20160
	return hosttest.Compact(doc)
}
