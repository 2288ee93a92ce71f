package output

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/probe"
)

// TestStatusTable_Fits80 renders the default table with a long host name,
// the longest group names and large counts: every line fits 80 columns,
// cut names end in "…" and the short columns are never cut.
func TestStatusTable_Fits80(t *testing.T) {
	long := product(t, "Windows 10 Enterprise N LTSC 2019")
	office := product(t, "Office LTSC Professional Plus 2021")
	res := &kmsclient.Result{Count: 12345, Latency: 1234567 * time.Microsecond}
	hosts := []probe.Host{
		{Host: "kms01.eu-west.datacenter.corp.example.com:1688", Groups: []probe.Group{
			{Product: long, Protocol: 6, Result: res, Self: 1},
			{Product: office, Protocol: 6, Result: res, Self: 1}}},
		{Host: "short:1688", Groups: []probe.Group{{Product: office, Protocol: 6, Result: res, Self: 1}}},
	}
	var out bytes.Buffer
	s := &Streams{Out: &out, Err: io.Discard, TTY: true}
	if err := s.Status(hosts, ViewAuto, false); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if n := utf8.RuneCountInString(line); n > compactWidth {
			t.Errorf("line of %d columns:\n%s", n, line)
		}
	}
	for _, want := range []string{"kms01.eu-west.", "…", "12344+1 / 25", "12344+1 / 5", "1234.6 ms", "short:1688  "} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in\n%s", want, text)
		}
	}
	if strings.Contains(text, "host ePID") {
		t.Errorf("the default table shows ePIDs:\n%s", text)
	}
}

func TestFitPair(t *testing.T) {
	for _, c := range []struct{ a, b, budget, wantA, wantB int }{
		{10, 20, 40, 10, 20}, // fits
		{10, 50, 40, 10, 30}, // the short one keeps its width
		{50, 13, 40, 27, 13},
		{50, 50, 40, 20, 20}, // both long: halves
		{50, 50, 10, 5, 13},  // never below the headers
	} {
		a, b := fitPair(c.a, c.b, c.budget, 4, 13)
		if a != c.wantA || b != c.wantB {
			t.Errorf("fitPair(%d, %d, %d) = %d, %d; want %d, %d", c.a, c.b, c.budget, a, b, c.wantA, c.wantB)
		}
	}
	if got := cutText("Office LTSC Professional Plus 2021", 18); got != "Office LTSC Profe…" {
		t.Errorf("cut = %q", got)
	}
	if got := cutText("Windows 10 Enterprise", 12); got != "Windows 10…" {
		t.Errorf("cut = %q (no blank before …)", got)
	}
}

// TestStatusTable_FailedHostWithWMI: with --winrm, a host that failed has
// its code under STATE, not under WMI COUNT (each table form takes its
// columns from one definition, so a row cannot be one cell short).
func TestStatusTable_FailedHostWithWMI(t *testing.T) {
	office := product(t, "Office LTSC Professional Plus 2021")
	hosts := []probe.Host{{Host: "down:1688", Err: errors.New("refused"), Groups: []probe.Group{{Product: office, Protocol: 6}}}}
	var out bytes.Buffer
	s := &Streams{Out: &out, Err: io.Discard, TTY: true, Describe: func(error) ErrorInfo { return ErrorInfo{Code: "0x8007274D"} }}
	if err := s.StatusWinRM(hosts, []WinRMResult{{Err: errors.New("no WinRM")}}, ViewTable, false); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	if len(lines) < 2 {
		t.Fatalf("no table:\n%s", out.String())
	}
	state := strings.Index(lines[0], "STATE")
	if state < 0 || len(lines[1]) < state || !strings.HasPrefix(lines[1][state:], "0x8007274D") {
		t.Errorf("the code is not under STATE:\n%s", out.String())
	}
}

// A run stopped while one of a host's groups was being asked (its first
// group answered) says it was interrupted, as it does for a host stopped
// before anything answered: Host.Unfinished decides for both.
func TestStatusProblems_GroupCutShort(t *testing.T) {
	var errs bytes.Buffer
	s := &Streams{Out: io.Discard, Err: &errs}
	res := &kmsclient.Result{Count: 50}
	hosts := []probe.Host{{Host: "kms1", Groups: []probe.Group{
		{Result: res},
		{Err: probe.ErrCutShort},
	}}}
	s.statusProblems(hosts)
	if !strings.Contains(errs.String(), "warning: interrupted (Ctrl-C): 1 of 1 host stopped while being probed") {
		t.Errorf("stderr:\n%s", errs.String())
	}
}
