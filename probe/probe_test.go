package probe

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"go.uber.org/goleak"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/clock"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/kmsaddr"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/kmsclient/kmstest"
	"github.com/kmsctl/kmsctl/limit"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func targets(t *testing.T, names ...string) []Target {
	t.Helper()
	var ts []Target
	for _, n := range names {
		p, err := catalogue.Lookup(n)
		if err != nil {
			t.Fatal(err)
		}
		ts = append(ts, Target{Product: p})
	}
	return ts
}

func TestProbe_OutcomesAndOneCMID(t *testing.T) {
	defer goleak.VerifyNone(t)
	clk := clock.NewFake(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	host, err := kmstest.New(kmstest.Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	who := Client{CMID: guid.MustParse("3f2504e0-4f89-41d3-9a0c-0305e82c3301"), Workstation: "probe"}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ts := targets(t, "Windows 10/11 Enterprise", "Windows Server 2019 Standard", "Office Professional Plus 2019")
	var h Host
	for i := 0; i < 10; i++ {
		h = Probe(ctx, host.Addr(), ts, who, Options{Clock: clk})
	}
	if h.Outcome() != Below {
		t.Fatalf("outcome %v: %+v", h.Outcome(), h)
	}
	for _, g := range h.Groups {
		if g.Err != nil || g.Result.Count != 1 || !g.BelowThreshold() {
			t.Errorf("%s: %+v %v", g.Product.Name, g.Result, g.Err)
		}
		if g.Protocol != 6 {
			t.Errorf("%s: protocol %d", g.Product.Name, g.Protocol)
		}
		if n := host.CMIDs(g.Product.KMSID); n != 1 {
			t.Errorf("%s: the host counts %d CMIDs after ten probes", g.Product.Name, n)
		}
	}
	if host.Connections() != 10 {
		t.Errorf("%d connections for ten probes", host.Connections())
	}
	reqs := host.Requests()
	if len(reqs) != 30 || reqs[0].Workstation != "probe" || reqs[0].LicenseStatus != kmsclient.StatusOOBGrace {
		t.Errorf("requests %d %+v", len(reqs), reqs[0])
	}
}

func TestProbe_FailuresAndForcedProtocol(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	who := Client{CMID: guid.MustParse("3f2504e0-4f89-41d3-9a0c-0305e82c3301"), Workstation: "probe"}
	ts := targets(t, "Windows 7 Professional", "Office Professional Plus 2013")

	full, _ := kmstest.New(kmstest.Options{FixedCount: 50})
	defer full.Close()
	h := Probe(ctx, full.Addr(), ts, who, Options{})
	if h.Outcome() != OK || h.Groups[0].Result.Version != 4 || h.Groups[1].Result.Version != 5 {
		t.Fatalf("%+v", h)
	}
	for i := range ts {
		ts[i].Protocol = 6
	}
	h = Probe(ctx, full.Addr(), ts, who, Options{})
	if h.Outcome() != OK || h.Groups[0].Result.Version != 6 {
		t.Fatalf("forced V6: %+v", h)
	}

	forged, _ := kmstest.New(kmstest.Options{Misbehave: kmstest.BadIntegrity})
	defer forged.Close()
	h = Probe(ctx, forged.Addr(), ts, who, Options{})
	if h.Outcome() != Failed || h.Groups[0].Err == nil || h.Groups[1].Err == nil || h.Err != nil {
		t.Fatalf("forged: %+v", h)
	}

	refused, _ := kmstest.New(kmstest.Options{Misbehave: kmstest.Refuse})
	h = Probe(ctx, refused.Addr(), ts, who, Options{})
	if h.Outcome() != Failed || h.Err == nil {
		t.Fatalf("refused: %+v", h)
	}
	h = Probe(ctx, "bad host", ts, who, Options{})
	var ae *kmsaddr.Error
	if !errors.As(h.Err, &ae) {
		t.Fatalf("bad address: %v", h.Err)
	}
}

func TestFleet_OrderOutcomesAndDeadline(t *testing.T) {
	defer goleak.VerifyNone(t)
	addrs := make([]string, 40)
	want := make([]Outcome, 40)
	// The refusing hosts are started last: where testport cannot keep a
	// refused port bound (Windows), a host started after one could be
	// given its port and answer in its place.
	for _, refusing := range []bool{false, true} {
		for i := 0; i < 40; i++ {
			var o kmstest.Options
			var w Outcome
			switch i % 4 {
			case 0:
				o, w = kmstest.Options{FixedCount: 50}, OK
			case 1:
				o, w = kmstest.Options{}, Below
			case 2:
				o, w = kmstest.Options{Misbehave: kmstest.Stall}, Failed
			case 3:
				o, w = kmstest.Options{Misbehave: kmstest.Refuse}, Failed
			}
			if (o.Misbehave == kmstest.Refuse) != refusing {
				continue
			}
			h, err := kmstest.New(o)
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			addrs[i], want[i] = h.Addr(), w
		}
	}
	// 10 hosts never answer: with 8 workers they must not starve the rest.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var calls int
	var mu sync.Mutex
	got := Fleet(ctx, addrs, targets(t, "Windows 10/11 Enterprise"), Client{CMID: guid.MustParse("3f2504e0-4f89-41d3-9a0c-0305e82c3301"), Workstation: "w"},
		Options{HostTimeout: 200 * time.Millisecond}, 8, func(done, total int) {
			mu.Lock()
			calls++
			mu.Unlock()
			if total != 40 || done < 1 || done > 40 {
				t.Errorf("progress %d/%d", done, total)
			}
		})
	if calls != 40 {
		t.Errorf("%d progress calls", calls)
	}
	for i, h := range got {
		if h.Host != addrs[i] {
			t.Fatalf("result %d is for %s, want %s", i, h.Host, addrs[i])
		}
		if h.Outcome() != want[i] {
			t.Errorf("host %d: outcome %v, want %v (%v)", i, h.Outcome(), want[i], h.Err)
		}
	}
}

func TestReadHostsFile(t *testing.T) {
	in := "# KMS hosts\nkms1.corp.example.com\n\n  kms2:1688   # second\n[2001:db8::5]:18688\n"
	got, err := ReadHostsFile("hosts.txt", strings.NewReader(in))
	if err != nil || strings.Join(got, ",") != "kms1.corp.example.com,kms2:1688,[2001:db8::5]:18688" {
		t.Fatalf("%q %v", got, err)
	}
	_, err = ReadHostsFile("hosts.txt", strings.NewReader("ok\nbad host\n"))
	var he *HostsFileError
	if !errors.As(err, &he) || he.Line != 2 || !strings.Contains(err.Error(), "hosts.txt:2:") {
		t.Fatalf("%v", err)
	}
	_, err = ReadHostsFile("long", strings.NewReader(strings.Repeat("a", 5000)))
	if err == nil || !strings.Contains(err.Error(), "longer than 4096 bytes") || strings.Contains(err.Error(), "bufio") {
		t.Fatalf("an over-long line: %v", err)
	}
	// Words a user can act on: a list on one line, a Latin-1 byte.
	for in, want := range map[string]string{
		"kms1:1688,kms2:1688\n": `hosts.txt:1: "kms1:1688,kms2:1688" is not HOST[:PORT]: a list: "," separates several hosts`,
		"kms1:1688 kms2:1688\n": `hosts.txt:1: "kms1:1688 kms2:1688" is not HOST[:PORT]: character ' ' is not allowed in a host name (one host per argument or line)`,
		"ok\ncaf\xe9.example\n": "hosts.txt:2: not UTF-8 text: save the file as UTF-8",
	} {
		_, err = ReadHostsFile("hosts.txt", strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %s", in, err, want)
		}
	}
	// Notepad's byte order mark is not part of the first host.
	got, err = ReadHostsFile("bom.txt", strings.NewReader("\uFEFFkms1\r\nkms2\r\n"))
	if err != nil || strings.Join(got, ",") != "kms1,kms2" {
		t.Fatalf("with a BOM: %q %v", got, err)
	}
	// Windows PowerShell 5.1's > writes UTF-16LE with a byte order mark.
	le := []byte{0xff, 0xfe}
	for _, c := range utf16.Encode([]rune("kms1:1688\r\n# a comment\r\n[2001:db8::5]\r\n")) {
		le = append(le, byte(c), byte(c>>8))
	}
	got, err = ReadHostsFile("ps.txt", bytes.NewReader(le))
	if err != nil || strings.Join(got, ",") != "kms1:1688,[2001:db8::5]" {
		t.Fatalf("UTF-16LE with a BOM: %q %v", got, err)
	}
	for _, in := range []string{"", "\n\n", "# kms1\n  # kms2\n", "\uFEFF"} {
		_, err = ReadHostsFile("empty.txt", strings.NewReader(in))
		if !errors.Is(err, ErrNoHosts) || !errors.As(err, &he) || !strings.Contains(err.Error(), "empty.txt") {
			t.Errorf("%q: %v, want ErrNoHosts naming the file", in, err)
		}
	}
}

func TestUnique(t *testing.T) {
	got, dups := Unique([]string{"kms1", "KMS1:1688", "kms2:1689", "kms2", "[2001:db8::5]", "2001:db8::5", "kms1.", "bad host"})
	if want := "kms1,kms2:1689,kms2,[2001:db8::5],kms1.,bad host"; strings.Join(got, ",") != want {
		t.Errorf("Unique kept %q, want %s", got, want)
	}
	if len(dups) != 2 || dups[0] != (Duplicate{"kms1", "KMS1:1688"}) || dups[1] != (Duplicate{"[2001:db8::5]", "2001:db8::5"}) {
		t.Errorf("duplicates %+v", dups)
	}
}

// Any count is accepted, as Windows accepts it; one above 2 × max(N, 25)
// carries a warning, since no Microsoft host reports it. Others leaves
// kmsctl's own client out, and never goes below 0.
func TestProbe_CountsAnyValue(t *testing.T) {
	defer goleak.VerifyNone(t)
	clk := clock.NewFake(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	who := Client{CMID: guid.MustParse("3f2504e0-4f89-41d3-9a0c-0305e82c3301"), Workstation: "probe"}
	ts := targets(t, "Windows 10/11 Enterprise")
	for _, tt := range []struct {
		count  uint32
		others uint32
		below  bool
		warn   bool
	}{
		{0, 0, true, false},
		{24, 23, true, false},
		{25, 24, true, false}, // only through kmsctl
		{50, 49, false, false},
		{51, 50, false, true},
		{1000, 999, false, true},
		{0xFFFFFFFF, 0xFFFFFFFE, false, true},
	} {
		count := tt.count
		host, err := kmstest.New(kmstest.Options{Clock: clk, Count: &count})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		h := Probe(ctx, host.Addr(), ts, who, Options{Clock: clk})
		cancel()
		host.Close()
		g := &h.Groups[0]
		if g.Err != nil || g.Result.Count != tt.count || g.Self != 1 || g.Others() != tt.others || g.BelowThreshold() != tt.below {
			t.Errorf("count %d: %+v %v self %d others %d below %v", tt.count, g.Result, g.Err, g.Self, g.Others(), g.BelowThreshold())
			continue
		}
		warned := false
		for _, w := range g.Result.Warnings {
			warned = warned || strings.Contains(w, "no Microsoft KMS host reports more than 50 for this request")
		}
		if warned != tt.warn {
			t.Errorf("count %d: warnings %q", tt.count, g.Result.Warnings)
		}
		g.CountSelf = true
		if g.BelowThreshold() != (tt.count < 25) {
			t.Errorf("count %d with CountSelf: below %v", tt.count, g.BelowThreshold())
		}
	}
}

// FuzzReadHostsFile: any bytes give hosts that kmsaddr accepts or an
// error naming the file, never a panic.
func FuzzReadHostsFile(f *testing.F) {
	for _, s := range []string{"kms1\n# c\nkms2:1689\n", "\uFEFFkms1\r\n", "\xff\xfek\x00m\x00s\x00", "\xfe\xff\x00k", "bad host\n", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		hosts, err := ReadHostsFile("f.txt", bytes.NewReader(b))
		if err != nil {
			if !strings.Contains(err.Error(), "f.txt") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		for _, h := range hosts {
			if _, err := kmsaddr.Parse(h); err != nil {
				t.Fatalf("%q accepted: %v", h, err)
			}
		}
	})
}

// TestFleet_RunDeadline: when the run's own deadline (limit.Deadline, as
// status --deadline sets it) runs out, the hosts not yet started are not
// probed — never "unreachable" — and a host it stopped while being asked
// says the run's limit stopped it, not its own timeout. A host that
// failed by itself before keeps its own failure.
func TestFleet_RunDeadline(t *testing.T) {
	defer goleak.VerifyNone(t)
	stall, err := kmstest.New(kmstest.Options{Misbehave: kmstest.Stall})
	if err != nil {
		t.Fatal(err)
	}
	defer stall.Close()
	refused, err := kmstest.New(kmstest.Options{Misbehave: kmstest.Refuse})
	if err != nil {
		t.Fatal(err)
	}
	defer refused.Close()
	ok, err := kmstest.New(kmstest.Options{FixedCount: 50})
	if err != nil {
		t.Fatal(err)
	}
	defer ok.Close()
	ctx, cancel := limit.With(context.Background(), limit.Deadline, time.Second)
	defer cancel()
	// One worker: the refused host fails by itself, the stalled one holds
	// the worker until the run's deadline, the last is never reached.
	got := Fleet(ctx, []string{refused.Addr(), stall.Addr(), ok.Addr()}, targets(t, "Windows 10/11 Enterprise"),
		Client{CMID: guid.MustParse("3f2504e0-4f89-41d3-9a0c-0305e82c3301"), Workstation: "w"},
		Options{HostTimeout: time.Minute}, 1, nil)
	var le *LimitError
	if errors.As(got[0].Err, &le) || errors.As(got[0].Groups[0].Err, &le) {
		t.Errorf("refused host blamed on the deadline: %v %v", got[0].Err, got[0].Groups[0].Err)
	}
	cut := got[1].Groups[0].Err
	if got[1].Err != nil {
		cut = got[1].Err
	}
	if !errors.As(cut, &le) || !le.Started || le.Limit.Kind != limit.Deadline || NotProbed(cut) {
		t.Errorf("stalled host: %#v, want a LimitError, started", cut)
	}
	if !strings.Contains(cut.Error(), "the run's deadline (1s) ran out while this host was being probed") {
		t.Errorf("stalled host says %q", cut)
	}
	if !NotProbed(got[2].Err) || !errors.As(got[2].Err, &le) || le.Started || got[2].Outcome() != Failed {
		t.Errorf("last host: %v, want not probed", got[2].Err)
	}
	if want := "not probed: the run's deadline (1s) ran out before this host's turn"; got[2].Err.Error() != want {
		t.Errorf("last host says %q, want %q", got[2].Err, want)
	}
	if got[2].Unfinished() {
		t.Error("a host the deadline left is not a Ctrl-C's")
	}
}

// TestFleet_RunDeadlineGroups: a host that answered the bind and then
// stalled until the run's deadline has one failure for all its groups
// (the connection's), so reports name it once, not once per group.
func TestFleet_RunDeadlineGroups(t *testing.T) {
	defer goleak.VerifyNone(t)
	stall, err := kmstest.New(kmstest.Options{Misbehave: kmstest.StallRequest})
	if err != nil {
		t.Fatal(err)
	}
	defer stall.Close()
	ctx, cancel := limit.With(context.Background(), limit.Deadline, 500*time.Millisecond)
	defer cancel()
	got := Fleet(ctx, []string{stall.Addr()}, targets(t, "Windows 10/11 Enterprise", "Office Professional Plus 2019"),
		Client{CMID: guid.MustParse("3f2504e0-4f89-41d3-9a0c-0305e82c3301"), Workstation: "w"},
		Options{HostTimeout: time.Minute}, 1, nil)
	g := got[0].Groups
	var le *LimitError
	if got[0].Err != nil || !errors.As(g[0].Err, &le) || !le.Started {
		t.Fatalf("host %v, group %v: want the group cut by the run's deadline", got[0].Err, g[0].Err)
	}
	if g[1].Err != g[0].Err {
		t.Errorf("groups have two failures: %v / %v", g[0].Err, g[1].Err)
	}
}
