package probe

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/clock"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/kmsclient/kmstest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestParseAddress(t *testing.T) {
	tests := []struct{ in, want string }{
		{"kms.corp.example.com", "kms.corp.example.com:1688"},
		{"kms.corp.example.com:18688", "kms.corp.example.com:18688"},
		{"10.0.0.5", "10.0.0.5:1688"},
		{"10.0.0.5:1", "10.0.0.5:1"},
		{"[::1]:1688", "[::1]:1688"},
		{"[2001:db8::1]", "[2001:db8::1]:1688"},
		{"2001:db8::1", "[2001:db8::1]:1688"},
		{" kms1 ", "kms1:1688"},
		{"", ""},
		{"kms:", ""},
		{"kms:0", ""},
		{"kms:65536", ""},
		{"kms:http", ""},
		{"kms:01688", ""},
		{"[::1", ""},
		{"[::1]x", ""},
		{"[10.0.0.1]:1688", ""},
		{"2001:db8::1:1688:x", ""},
		{"kms host", ""},
		{"kms/1688", ""},
		{"a..b", ""},
	}
	for _, tt := range tests {
		got, err := ParseAddress(tt.in)
		if tt.want == "" {
			var ae *AddressError
			if !errors.As(err, &ae) {
				t.Errorf("ParseAddress(%q) = %q, %v; want an AddressError", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseAddress(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

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
	var ae *AddressError
	if !errors.As(h.Err, &ae) {
		t.Fatalf("bad address: %v", h.Err)
	}
}
