package output

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/kmsctl/kmsctl/kmshost"
	"github.com/kmsctl/kmsctl/kmshost/hosttest"
)

// fleet is four clients as hosttest serves them, under long names (the
// binary's tests can only name them 127.0.0.1:PORT), and one unreadable.
func fleet(t *testing.T) []ClientResult {
	t.Helper()
	var out []ClientResult
	for i, c := range []struct {
		name string
		st   hosttest.ClientState
	}{
		{"PC-0101", hosttest.ClientLicensed}, {"PC-0102", hosttest.ClientRenewalFailing},
		{"PC-0377", hosttest.ClientGrace}, {"LAPTOP-17", hosttest.ClientUnreachable},
	} {
		w, err := kmshost.DecodeClient(hosttest.WindowsClient(c.name, hosttest.SeedsCMID(i+1), c.st, hosttest.DefaultNow))
		if err != nil {
			t.Fatal(err)
		}
		host := strings.ToLower(c.name) + ".workstations.emea.corp.example.com:5986"
		out = append(out, ClientResult{Host: host, Address: host, Client: w})
	}
	return append(out, ClientResult{Host: "pc-0999.workstations.emea.corp.example.com", Err: errors.New("connection refused")})
}

// wantAll fails t for each of wants that text lacks.
func wantAll(t *testing.T, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("no %q in\n%s", w, text)
		}
	}
}

func maxLine(s string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		n = max(n, textWidth(l))
	}
	return n
}

// The fleet's default table fits 80 columns whatever the names (cut with
// "…"), at any terminal width; wide cuts nothing and adds the details.
func TestClientFleetWidths(t *testing.T) {
	for _, width := range []int{80, 200} {
		var out, errOut bytes.Buffer
		s := &Streams{Out: &out, Err: &errOut, TTY: true, OutWidth: width}
		if err := s.ClientFleet(fleet(t), ViewAuto); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		if n := maxLine(got); n > 80 {
			t.Errorf("at %d columns the table is %d wide:\n%s", width, n, got)
		}
		wantAll(t, got, "CLIENT", "STATUS", "DAYS", "FAILING SINCE", "LAST RESULT", "pc-0102.workstations.eme…", "renewal failing", "11-21 19:25", "0xC004F038 (24)", "unreadable")
		out.Reset()
		if err := s.ClientFleet(fleet(t), ViewWide); err != nil {
			t.Fatal(err)
		}
		got = out.String()
		wantAll(t, got, "pc-0102.workstations.emea.corp.example.com:5986", "PC-0102", "LAST CONTACT", "2026-11-21 19:25 UTC", "0xC004F074 (no answer)", "kms01.corp.example.com:1688")
		if strings.Contains(got, "…") {
			t.Errorf("wide cut something:\n%s", got)
		}
	}
}

// Text views wrap between words at the terminal's width with a hanging
// indent, and only on a terminal.
func TestTextLine(t *testing.T) {
	value := "2026-11-23 17:25 UTC, kms01.corp.example.com:1688: 0xC004F038 SL_E_VL_NOT_ENOUGH_COUNT (the host counted 24)"
	for _, c := range []struct {
		s    Streams
		want string
	}{
		{Streams{TTY: true, OutWidth: 80}, "Last contact: 2026-11-23 17:25 UTC, kms01.corp.example.com:1688: 0xC004F038\n              SL_E_VL_NOT_ENOUGH_COUNT (the host counted 24)\n"},
		{Streams{TTY: true}, "Last contact: 2026-11-23 17:25 UTC, kms01.corp.example.com:1688: 0xC004F038\n              SL_E_VL_NOT_ENOUGH_COUNT (the host counted 24)\n"},
		{Streams{TTY: true, OutWidth: 200}, "Last contact: " + value + "\n"},
		{Streams{}, "Last contact: " + value + "\n"},
	} {
		var b bytes.Buffer
		s := c.s
		s.Out = &b
		s.textLine(&b, "", "Last contact: ", value)
		if b.String() != c.want {
			t.Errorf("width %d, tty %v:\n%s\nwant\n%s", s.OutWidth, s.TTY, b.String(), c.want)
		}
	}
	// slmgr's longest label leaves no room under itself: the value goes
	// 4 columns past the prefix.
	var b bytes.Buffer
	s := &Streams{Out: &b, TTY: true, OutWidth: 80}
	s.textLine(&b, "    ", "Requests with License Status License expired or Hardware out of tolerance: ", "12345")
	if want := "    Requests with License Status License expired or Hardware out of tolerance:\n        12345\n"; b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}

// A client whose renewal fails retries at its own activation interval,
// which the text must take from the client, not assume (2 hours is only
// the default).
func TestClientRetryInterval(t *testing.T) {
	w, err := kmshost.DecodeClient(hosttest.WindowsClient("PC-0102", hosttest.SeedsCMID(2), hosttest.ClientRenewalFailing, hosttest.DefaultNow))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		interval *uint32
		want     string
	}{
		{func() *uint32 { v := uint32(45); return &v }(), "retrying every 45 minutes"},
		{nil, "retrying at its activation interval"},
	} {
		w.ActivationInterval = c.interval
		var out bytes.Buffer
		s := &Streams{Out: &out, Err: &out, OutWidth: 200}
		if err := s.ClientDLI("pc-0102", "127.0.0.1:5985", w, ViewAuto); err != nil {
			t.Fatal(err)
		}
		wantAll(t, out.String(), c.want)
		if strings.Contains(out.String(), "2 hours") {
			t.Errorf("the text assumes 2 hours:\n%s", out.String())
		}
	}
}
