package license

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kmsctl/kmsctl/clock"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/identity"
	"github.com/kmsctl/kmsctl/internal/testdir"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/kmsclient/kmstest"
	"github.com/kmsctl/kmsctl/limit"
)

var (
	testCMID = guid.MustParse("3f2504e0-4f89-41d3-9a0c-0305e82c3301")
	prevCMID = guid.MustParse("6ba7b810-9dad-41d1-80b4-00c04fd430c8")
)

func identityOpts() identity.Options {
	return identity.Options{Clock: clock.NewFake(t0), Hostname: func() (string, error) { return "WS01", nil }}
}

func client(clk clock.Clock) Client {
	return Client{Identity: identity.Identity{CMID: testCMID, Workstation: "WS01"}, Clock: clk, Timeout: 2 * time.Second}
}

// hostStore is an installed store set to use host.
func hostStore(t *testing.T, host *kmstest.Host) Store {
	t.Helper()
	s := installedStore(t)
	h, err := ParseHost(host.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Configure(context.Background(), func(c *HostConfig) { *c = h }); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestContact_Activates(t *testing.T) {
	clk := clock.NewFake(t0.Add(time.Hour))
	host := kmstest.Start(t, kmstest.Options{Clock: clk, FixedCount: 50, Activation: 60, Renewal: 1440})
	s := hostStore(t, host)
	c := client(clk)
	c.Identity.PreviousCMID = prevCMID
	o, err := s.Contact(context.Background(), "ato", false, c)
	if err != nil || o.Err != nil {
		t.Fatalf("Contact = %v, %v", err, o.Err)
	}
	if o.Action != Activate || len(o.Attempts) != 1 || !o.Last().Succeeded() || *o.Last().Count != 50 {
		t.Fatalf("outcome %+v", o)
	}
	if o.View.Status != kmsclient.StatusLicensed || !o.View.Ends.Equal(t0.Add(time.Hour+kmsclient.Validity)) || !o.View.Next.Equal(t0.Add(25*time.Hour)) {
		t.Fatalf("view %+v", o.View)
	}
	// The request: the identity, the product, its status and time left.
	reqs := host.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r, p := reqs[0], win10(t)
	if r.CMID != testCMID || r.PreviousCMID != prevCMID || r.Workstation != "WS01" || r.Version != 6 ||
		r.KMSCountedID != p.KMSID || r.ActivationID != p.SKUID || r.ApplicationID != p.ApplicationID || r.RequiredCount != 25 ||
		r.LicenseStatus != kmsclient.StatusOOBGrace || r.BindingExpiration != uint32((kmsclient.InitialGrace-time.Hour)/time.Minute) {
		t.Fatalf("request %+v", r)
	}
	// Stored: the host's intervals, the ePID, the journal line.
	st, err := s.Load()
	if err != nil || st.Intervals != (Intervals{60, 1440}) || st.LastSuccess == nil || st.LastSuccess.EPID != kmstest.DefaultEPID {
		t.Fatalf("state %+v, %v", st, err)
	}
	j, err := s.Journal()
	if err != nil || len(j) != 1 || j[0].CMID != testCMID || j[0].PreviousCMID != prevCMID || j[0].Op != "ato" || j[0].Address == "" {
		t.Fatalf("journal %+v, %v", j, err)
	}
	// A renewal a day later (the host's renewal interval) reports Licensed.
	clk.Advance(24 * time.Hour)
	o, err = s.Contact(context.Background(), "renew", false, c)
	if err != nil || o.Action != Renew || o.Err != nil {
		t.Fatalf("renew = %+v, %v", o, err)
	}
	if r := host.Requests()[1]; r.LicenseStatus != kmsclient.StatusLicensed || r.BindingExpiration != uint32((kmsclient.Validity-24*time.Hour)/time.Minute) {
		t.Fatalf("renewal request status %d, %d minutes", r.LicenseStatus, r.BindingExpiration)
	}
}

func TestContact_BelowThreshold(t *testing.T) {
	clk := clock.NewFake(t0)
	host := kmstest.Start(t, kmstest.Options{Clock: clk})
	s := hostStore(t, host)
	o, err := s.Contact(context.Background(), "ato", false, client(clk))
	if err != nil {
		t.Fatal(err)
	}
	var ce *CountError
	if !errors.As(o.Err, &ce) || ce.Count != 1 || ce.Threshold != 25 || ce.Code() != hresult.NotEnoughCount || !ce.Refused() {
		t.Fatalf("Err = %v", o.Err)
	}
	if !strings.Contains(ce.Error(), "counts 1 client for Windows 10/11 Enterprise / Pro volume; activation needs 25") {
		t.Fatalf("message %q", ce.Error())
	}
	if o.View.Status != kmsclient.StatusOOBGrace || !o.View.Next.Equal(t0.Add(2*time.Hour)) || o.View.NextAction != Retry {
		t.Fatalf("view %+v", o.View)
	}
	st, _ := s.Load()
	if st.LastSuccess != nil || st.LastAttempt.Result != hresult.NotEnoughCount || st.Intervals.Activation != 120 {
		t.Fatalf("state %+v", st)
	}
	// renew waits for the retry, and writes nothing meanwhile.
	before := snap(t, s.Path())
	clk.Advance(time.Hour)
	o, err = s.Contact(context.Background(), "renew", false, client(clk))
	if err != nil || o.Action != Wait || len(o.Attempts) != 0 || !o.View.Next.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("renew before the retry = %+v, %v", o, err)
	}
	before.check(t, s.Path())
	if len(host.Requests()) != 1 {
		t.Fatal("renew contacted the host before the retry was due")
	}
}

func TestContact_HostFailures(t *testing.T) {
	clk := clock.NewFake(t0)
	tests := []struct {
		name string
		opts kmstest.Options
		code hresult.Code
		kind kmsclient.Kind
	}{
		{"unreachable", kmstest.Options{Misbehave: kmstest.Refuse}, hresult.NoKMSHost, kmsclient.KindNetwork},
		{"refused with an HRESULT", kmstest.Options{Clock: clk, Misbehave: kmstest.HRESULTReply}, hresult.KMSIDMismatch, kmsclient.KindHost},
		{"forged reply", kmstest.Options{Clock: clk, Misbehave: kmstest.BadIntegrity}, hresult.NoKMSHost, kmsclient.KindVerify},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host := kmstest.Start(t, tt.opts)
			s := hostStore(t, host)
			o, err := s.Contact(context.Background(), "ato", false, client(clk))
			if err != nil {
				t.Fatal(err)
			}
			var ke *kmsclient.Error
			if !errors.As(o.Err, &ke) || ke.Code != tt.code || ke.Kind != tt.kind {
				t.Fatalf("Err = %v", o.Err)
			}
			st, _ := s.Load()
			if st.LastAttempt == nil || st.LastAttempt.Result != tt.code || st.LastAttempt.Count != nil || st.LastSuccess != nil {
				t.Fatalf("last attempt %+v", st.LastAttempt)
			}
			if o.View.Status != kmsclient.StatusOOBGrace || !o.View.Next.Equal(t0.Add(2*time.Hour)) {
				t.Fatalf("view %+v", o.View)
			}
		})
	}
}

func TestContact_StopsBeforeContact(t *testing.T) {
	ctx := context.Background()
	var np *NoProductError
	if _, err := Open(testdir.Private(t)).Contact(ctx, "ato", false, client(nil)); !errors.As(err, &np) {
		t.Fatalf("no product: %v", err)
	}
	s := installedStore(t)
	before := snap(t, s.Path())
	_, err := s.Contact(ctx, "ato", false, client(nil))
	var nh *NoHostError
	if !errors.As(err, &nh) || nh.Code() != hresult.NoKMSHost {
		t.Fatalf("no host: %v", err)
	}
	before.check(t, s.Path())
	if _, err := os.Stat(s.JournalPath()); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a journal was written")
	}
}

func TestContact_Discovery(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(t0)
	dead := kmstest.Start(t, kmstest.Options{Misbehave: kmstest.Refuse})
	live := kmstest.Start(t, kmstest.Options{Clock: clk, FixedCount: 50})
	s := installedStore(t)
	s.Configure(ctx, func(h *HostConfig) { h.LookupDomain = "corp.example.com" })
	var asked []string
	c := client(clk)
	c.Discover = func(_ context.Context, domain string) ([]Found, error) {
		asked = append(asked, domain)
		return []Found{{"kms0.corp.example.com:" + dead.Port(), dead.Addr()}, {"kms1.corp.example.com:" + live.Port(), live.Addr()}}, nil
	}
	// The dead host first, then the live one; both journaled.
	o, err := s.Contact(ctx, "ato", false, c)
	if err != nil || o.Err != nil || len(o.Attempts) != 2 || o.Attempts[0].Result != hresult.NoKMSHost || o.Attempts[1].Host != live.Addr() {
		t.Fatalf("outcome %+v, %v", o, err)
	}
	if len(asked) != 1 || asked[0] != "corp.example.com" {
		t.Fatalf("discovery asked %v", asked)
	}
	if o.State.Discovered != live.Addr() || o.State.DiscoveredName() != "kms1.corp.example.com:"+live.Port() {
		t.Fatalf("cached host %q (%q)", o.State.Discovered, o.State.DiscoveredName())
	}
	// Each attempt keeps the SRV target beside the address it dialled.
	if a := o.Attempts[0]; a.SRVTarget != "kms0.corp.example.com:"+dead.Port() || a.Host != dead.Addr() ||
		a.HostLabel() != "kms0.corp.example.com:"+dead.Port()+" ("+dead.Addr()+")" {
		t.Fatalf("first attempt %+v", a)
	}
	// Caching: the host that answered is tried first, under its name.
	o, err = s.Contact(ctx, "renew", true, c)
	if err != nil || len(o.Attempts) != 1 || o.Attempts[0].Host != live.Addr() || o.Attempts[0].SRVTarget != "kms1.corp.example.com:"+live.Port() {
		t.Fatalf("with caching %+v, %v", o.Attempts, err)
	}
	// Without caching: discovery's order every time.
	s.Configure(ctx, func(h *HostConfig) { h.NoCaching = true })
	o, err = s.Contact(ctx, "renew", true, c)
	if err != nil || len(o.Attempts) != 2 || o.State.Discovered != "" {
		t.Fatalf("without caching %+v, %v", o, err)
	}
	// A host set with skms wins: discovery is not asked.
	asked = nil
	h, _ := ParseHost(live.Addr())
	s.Configure(ctx, func(c *HostConfig) { c.Host, c.Port = h.Host, h.Port })
	if o, err = s.Contact(ctx, "renew", true, c); err != nil || len(asked) != 0 || len(o.Attempts) != 1 {
		t.Fatalf("with skms: asked %v, %+v, %v", asked, o.Attempts, err)
	}
	j, _ := s.Journal()
	if len(j) != 6 {
		t.Fatalf("journal has %d entries, want 6", len(j))
	}
	if j[0].SRVTarget != "kms0.corp.example.com:"+dead.Port() || j[5].SRVTarget != "" {
		t.Fatalf("journal's SRV targets %q ... %q", j[0].SRVTarget, j[5].SRVTarget)
	}
}

func TestContact_DiscoveryFails(t *testing.T) {
	clk := clock.NewFake(t0)
	s := installedStore(t)
	c := client(clk)
	dnsErr := &kmsclient.Error{Code: hresult.DNSNameError, Kind: kmsclient.KindNetwork, Op: "look up SRV _vlmcs._tcp.corp.example.com", Err: errors.New("NXDOMAIN")}
	c.Discover = func(context.Context, string) ([]Found, error) { return nil, dnsErr }
	o, err := s.Contact(context.Background(), "ato", false, c)
	if err != nil || !errors.Is(o.Err, dnsErr) || len(o.Attempts) != 1 || o.Attempts[0].Result != hresult.DNSNameError || o.Attempts[0].Host != "" {
		t.Fatalf("outcome %+v, %v", o, err)
	}
	if !o.View.Next.Equal(t0.Add(2 * time.Hour)) {
		t.Fatalf("next %v", o.View.Next)
	}
	// Nothing found and no error: no records.
	c.Discover = func(context.Context, string) ([]Found, error) { return nil, nil }
	o, _ = s.Contact(context.Background(), "ato", false, c)
	if o.Last().Result != hresult.DNSNoRecords {
		t.Fatalf("no records: %+v", o.Last())
	}
}

// TestContact_Concurrent runs 8 activations and renewals of one store at
// once, each through its own Store value as separate processes would: they
// run one at a time (the exchange never overlaps another) and every
// contact is journaled.
func TestContact_Concurrent(t *testing.T) {
	clk := clock.NewFake(t0)
	host := kmstest.Start(t, kmstest.Options{Clock: clk, FixedCount: 50})
	s := hostStore(t, host)
	var inFlight, most atomic.Int32
	real := Dialer(kmsclient.Options{Clock: clk})
	const n = 8
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			c := client(clk)
			c.Identity.CMID = guid.MustParse(fmt.Sprintf("3f2504e0-4f89-41d3-9a0c-0305e82c33%02d", i))
			c.Exchange = func(ctx context.Context, addr string, req *kmsclient.Request) (*kmsclient.Result, string, error) {
				now := inFlight.Add(1)
				defer inFlight.Add(-1)
				for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
				}
				time.Sleep(5 * time.Millisecond) // room for an overlap to show
				return real(ctx, addr, req)
			}
			op := "ato"
			if i%2 == 1 {
				op = "renew"
			}
			<-start
			o, err := Open(s.Dir()).Contact(context.Background(), op, true, c)
			if err == nil {
				err = o.Err
			}
			errs <- err
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if most.Load() != 1 {
		t.Fatalf("%d exchanges overlapped", most.Load())
	}
	j, err := s.Journal()
	if err != nil || len(j) != n {
		t.Fatalf("journal has %d entries (%v), want %d", len(j), err, n)
	}
	seen := map[guid.GUID]bool{}
	for _, e := range j {
		seen[e.CMID] = true
	}
	st, err := s.Load()
	if len(seen) != n || err != nil || !seen[st.LastAttempt.CMID] {
		t.Fatalf("journal CMIDs %d, state %v", len(seen), err)
	}
}

// ato accepts any count the host sends, as Windows does: below the
// threshold it is refused, at or above it activates, and a count no
// Microsoft host reports (above 2 × max(N, 25)) activates with the same
// warning status shows, kept with the attempt.
func TestContact_CountsAnyValue(t *testing.T) {
	for _, tt := range []struct {
		count     uint32
		activated bool
		warn      bool
	}{
		{0, false, false},
		{24, false, false},
		{25, true, false},
		{50, true, false},
		{51, true, true},
		{1000, true, true},
		{0xFFFFFFFF, true, true},
	} {
		clk := clock.NewFake(t0)
		count := tt.count
		host := kmstest.Start(t, kmstest.Options{Clock: clk, Count: &count})
		s := hostStore(t, host)
		o, err := s.Contact(context.Background(), "ato", false, client(clk))
		if err != nil {
			t.Fatal(err)
		}
		a := o.Last()
		if a == nil || a.Count == nil || *a.Count != tt.count || (o.Err == nil) != tt.activated || a.Succeeded() != tt.activated {
			t.Errorf("count %d: attempt %+v, err %v", tt.count, a, o.Err)
			continue
		}
		warned := len(a.Warnings) == 1 && strings.Contains(a.Warnings[0], "no Microsoft KMS host reports more than 50 for this request")
		if warned != tt.warn || !tt.warn && len(a.Warnings) != 0 {
			t.Errorf("count %d: warnings %q", tt.count, a.Warnings)
		}
		st, _ := s.Load()
		if st.LastAttempt == nil || len(st.LastAttempt.Warnings) != len(a.Warnings) {
			t.Errorf("count %d: stored attempt %+v", tt.count, st.LastAttempt)
		}
	}
}

// The outcome's time is in the clock's zone, the zone dli and xpr show
// times in, so that ato's summary agrees with them; the journal stays UTC.
func TestContact_AtInClockZone(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	clk := clock.NewFake(t0.In(cet))
	host := kmstest.Start(t, kmstest.Options{Clock: clk, FixedCount: 50})
	s := hostStore(t, host)
	o, err := s.Contact(context.Background(), "ato", false, client(clk))
	if err != nil || o.Err != nil {
		t.Fatalf("Contact = %v, %v", err, o.Err)
	}
	if o.At.Location() != cet || !o.At.Equal(t0) {
		t.Errorf("At = %v, want %v in CET", o.At, t0)
	}
	if a := o.Last(); a == nil || a.At.Location() != time.UTC {
		t.Errorf("attempt %+v, want its time in UTC", a)
	}
}

// TestContactEach: Windows and Office contact one after the other with
// the one CMID, each with its own Activation ID; an unknown product stops
// it with the outcomes before it.
func TestContactEach(t *testing.T) {
	clk := clock.NewFake(t0.Add(time.Hour))
	host := kmstest.Start(t, kmstest.Options{Clock: clk, FixedCount: 50})
	s := hostStore(t, host)
	office := install(t, s, "", "Office Professional Plus 2019")
	win := win10(t).SKUID
	outs, err := s.ContactEach(context.Background(), "ato", false, []guid.GUID{win, office.Product.SKUID}, client(clk), nil)
	if err != nil || len(outs) != 2 || outs[0].Err != nil || outs[1].Err != nil {
		t.Fatalf("ContactEach = %+v, %v", outs, err)
	}
	if outs[0].Product.SKUID != win || outs[1].Product.SKUID != office.Product.SKUID {
		t.Fatalf("products %v, %v", outs[0].Product.SKUID, outs[1].Product.SKUID)
	}
	reqs := host.Requests()
	if len(reqs) != 2 || reqs[0].ActivationID != win || reqs[1].ActivationID != office.Product.SKUID || reqs[0].CMID != testCMID || reqs[1].CMID != testCMID {
		t.Fatalf("requests %+v", reqs)
	}
	var unknown *UnknownProductError
	outs, err = s.ContactEach(context.Background(), "ato", false, []guid.GUID{win, prevCMID}, client(clk), nil)
	if !errors.As(err, &unknown) || len(outs) != 1 || outs[0].Product.SKUID != win {
		t.Fatalf("unknown product: %+v, %v", outs, err)
	}
}

// Ctrl-C while the second host is asked: the first host's failure is a
// real attempt (journaled, the state's last attempt); the one cut short
// is the user's doing, neither journaled nor a host failure.
func TestContact_InterruptedAfterFailover(t *testing.T) {
	clk := clock.NewFake(t0)
	dead := kmstest.Start(t, kmstest.Options{Misbehave: kmstest.Refuse})
	stall := kmstest.Start(t, kmstest.Options{Misbehave: kmstest.Stall})
	s := installedStore(t)
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	c := client(clk)
	c.Timeout = time.Hour // only the interruption ends the stalled exchange
	c.Discover = func(context.Context, string) ([]Found, error) {
		return []Found{{Addr: dead.Addr()}, {Addr: stall.Addr()}}, nil
	}
	go func() {
		for stall.Connections() == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel(limit.ErrInterrupted)
	}()
	o, err := s.Contact(ctx, "ato", false, c)
	var ie *InterruptedError
	if err != nil || !errors.As(o.Err, &ie) || ie.Host != stall.Addr() || !errors.Is(o.Err, limit.ErrInterrupted) {
		t.Fatalf("outcome err %v, %v", o.Err, err)
	}
	if len(o.Attempts) != 1 || o.Attempts[0].Host != dead.Addr() || o.Attempts[0].Result != hresult.NoKMSHost {
		t.Fatalf("attempts %+v", o.Attempts)
	}
	if la := o.State.LastAttempt; la == nil || la.Host != dead.Addr() {
		t.Fatalf("last attempt %+v", la)
	}
	if j, _ := s.Journal(); len(j) != 1 || j[0].Host != dead.Addr() {
		t.Fatalf("journal %+v", j)
	}
	// ContactEach contacts no product after the interruption.
	if more, err := s.ContactEach(ctx, "ato", false, []guid.GUID{o.Product.SKUID}, c, nil); err != nil || len(more) != 0 {
		t.Fatalf("after Ctrl-C: %d outcomes, %v", len(more), err)
	}
}

// TestContactEach_Interrupted: Ctrl-C while Windows's host is asked.
// Office is not contacted, and its outcome says so (done sees both, in
// order); the progress told of Windows's host asked, connected (with the
// address) and done (interrupted), and of nothing for Office.
func TestContactEach_Interrupted(t *testing.T) {
	clk := clock.NewFake(t0)
	stall := kmstest.Start(t, kmstest.Options{Misbehave: kmstest.Stall})
	s := hostStore(t, stall)
	office := install(t, s, "", "Office Professional Plus 2019")
	win := win10(t).SKUID
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	c := client(clk)
	c.Timeout = time.Hour // only the interruption ends the stalled exchange
	var steps []Progress
	connected := make(chan struct{})
	c.Progress = func(p Progress) {
		steps = append(steps, p)
		if p.Step == Connected {
			close(connected)
		}
	}
	go func() {
		// Ctrl-C once the client itself knows it is connected: the
		// host's accept comes first, and a cancel between the two would
		// cut the dial, not the exchange (a flake under load).
		<-connected
		cancel(limit.ErrInterrupted)
	}()
	var seen []guid.GUID
	outs, err := s.ContactEach(ctx, "ato", false, []guid.GUID{win, office.Product.SKUID}, c,
		func(o Outcome) { seen = append(seen, o.Product.SKUID) })
	if err != nil || len(outs) != 2 || len(seen) != 2 || seen[0] != win || seen[1] != office.Product.SKUID {
		t.Fatalf("ContactEach = %+v, %v; done saw %v", outs, err, seen)
	}
	var ie *InterruptedError
	if !errors.As(outs[0].Err, &ie) || outs[0].Cut == nil || outs[0].Cut.Address != stall.Addr() {
		t.Fatalf("Windows: %v, cut %+v", outs[0].Err, outs[0].Cut)
	}
	var nc *NotContactedError
	if !errors.As(outs[1].Err, &nc) || !errors.Is(outs[1].Err, limit.ErrInterrupted) || len(outs[1].Attempts) != 0 ||
		outs[1].Identity.CMID != testCMID || outs[1].Action != Activate {
		t.Fatalf("Office: %+v", outs[1])
	}
	// The host counts a connection when its Accept returns, which may
	// come after the client's dial did: wait for it (no timing asserted).
	for end := time.Now().Add(time.Minute); stall.Connections() == 0 && time.Now().Before(end); {
		time.Sleep(time.Millisecond)
	}
	if stall.Connections() != 1 {
		t.Fatalf("%d connections, want Windows's only", stall.Connections())
	}
	if len(steps) != 3 || steps[0].Step != Asking || steps[1].Step != Connected || steps[1].Address != stall.Addr() ||
		steps[2].Step != Done || !errors.As(steps[2].Err, &ie) || steps[2].Product.SKUID != win {
		t.Fatalf("progress %+v", steps)
	}
}

// Ctrl-C while hosts are looked up in DNS: not a discovery failure to
// journal or keep as the last attempt, but an interruption.
func TestContact_InterruptedDiscovery(t *testing.T) {
	clk := clock.NewFake(t0)
	s := installedStore(t)
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	c := client(clk)
	c.Discover = func(ctx context.Context, _ string) ([]Found, error) {
		cancel(limit.ErrInterrupted) // the user presses Ctrl-C mid-lookup
		<-ctx.Done()
		return nil, context.Cause(ctx)
	}
	o, err := s.Contact(ctx, "ato", false, c)
	var ie *InterruptedError
	if err != nil || !errors.As(o.Err, &ie) || ie.Host != "" || !errors.Is(o.Err, limit.ErrInterrupted) || len(o.Attempts) != 0 {
		t.Fatalf("outcome %+v, %v", o, err)
	}
	if !strings.Contains(o.Err.Error(), "looked up in DNS") {
		t.Errorf("message %q", o.Err)
	}
	if o.State.LastAttempt != nil {
		t.Fatalf("last attempt %+v", o.State.LastAttempt)
	}
	if j, _ := s.Journal(); len(j) != 0 {
		t.Fatalf("journal %+v", j)
	}
}
