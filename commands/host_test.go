package commands

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kmsctl/kmsctl/kmshost/hosttest"
	"github.com/kmsctl/kmsctl/output"
)

func TestSlmgrArgs_Remote(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"kmsctl kms01 CORP\\u pw /dlv", "kmsctl host dlv kms01 --user CORP\\u --password pw"},
		{"kmsctl kms01 u pw -DLI all --json", "kmsctl host dlv kms01 --user u --password pw --json"},
		{"kmsctl --no-color kms01 u pw /dlv", "kmsctl --no-color host dlv kms01 --user u --password pw"},
		{"kmsctl --state-dir /tmp/x kms01 u pw /dlv", "kmsctl --state-dir /tmp/x host dlv kms01 --user u --password pw"},
		{"kmsctl kms01 /dlv", "kmsctl host dlv kms01"},
		{"kmsctl /dlv", "kmsctl dlv"},                                // the local verb
		{"kmsctl /dlv all", "kmsctl dlv all"},                        // the local verb
		{"kmsctl kms01 u pw /ato", "kmsctl kms01 u pw /ato"},         // remote only for /dlv and /dli
		{"kmsctl status a b /dlv", "kmsctl status a b /dlv"},         // a command, not a machine
		{"kmsctl host dlv kms01 /dlv", "kmsctl host dlv kms01 /dlv"}, // likewise
		{"kmsctl a b c d /dlv", "kmsctl a b c d /dlv"},
	} {
		if got := strings.Join(SlmgrArgs(strings.Fields(tt.in)), " "); got != tt.want {
			t.Errorf("SlmgrArgs(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
	if err := slmgrRemoteInvalid(strings.Fields("kmsctl kms01 user /dlv")); err == nil || err.Error() != "Invalid combination of command parameters." {
		t.Errorf("MACHINE USER /dlv: %v", err)
	}
	for _, ok := range []string{"kmsctl kms01 u p /dlv", "kmsctl kms01 /dlv", "kmsctl /dlv", "kmsctl status a b"} {
		if err := slmgrRemoteInvalid(strings.Fields(ok)); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

func TestInterspersedSub(t *testing.T) {
	app := NewApp(SystemEnv())
	for _, tt := range []struct{ in, want string }{
		{"kmsctl host dlv kms01 --json --port 5986", "kmsctl host dlv --json --port 5986 kms01"},
		{"kmsctl host log kms01 --since 24h --no-color --max=5", "kmsctl --no-color host log --since 24h --max=5 kms01"},
		{"kmsctl host dlv -- --kms01", "kmsctl host dlv -- --kms01"},
		{"kmsctl status kms01 --json", "kmsctl status kms01 --json"}, // not a subcommand: interspersed's job
	} {
		if got := strings.Join(interspersedSub(app, strings.Fields(tt.in)), " "); got != tt.want {
			t.Errorf("interspersedSub(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseSpan(t *testing.T) {
	for in, want := range map[string]time.Duration{"90m": 90 * time.Minute, "24h": 24 * time.Hour, "7d": 7 * 24 * time.Hour, "1h30m": 90 * time.Minute, "3650d": 3650 * 24 * time.Hour} {
		if got, err := parseSpan(in); err != nil || got != want {
			t.Errorf("parseSpan(%q) = %s, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "0", "0d", "-1h", "3651d", "1w", "24h; calc", "1.5d", "d"} {
		if _, err := parseSpan(bad); err == nil {
			t.Errorf("parseSpan(%q) accepted", bad)
		}
	}
}

// TestHostDLV_Prompt: with no --password-env and a terminal, the password
// is asked for on stderr and used.
func TestHostDLV_Prompt(t *testing.T) {
	s := hosttest.Start(t, hosttest.Options{})
	var out, errOut bytes.Buffer
	env := SystemEnv()
	env.NewStreams = func(bool) *output.Streams { return &output.Streams{Out: &out, Err: &errOut} }
	asked := ""
	old := askPassword
	askPassword = func(o *output.Streams, prompt string) (string, error) {
		asked = prompt
		o.Prompt(prompt)
		return hosttest.DefaultPassword, nil
	}
	t.Cleanup(func() { askPassword = old })
	err := Run(env, []string{"kmsctl", "host", "dlv", s.Addr(), "--user", hosttest.DefaultUser, "--auth", "basic", "--https=false"})
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	if want := "Password for CORP\\kmsaudit at " + s.Addr() + ": "; asked != want {
		t.Errorf("prompt %q, want %q", asked, want)
	}
	if !strings.Contains(out.String(), "\tKMS01\tWindows(R), ServerStandard edition\t") || len(s.Scripts()) != 1 {
		t.Errorf("stdout %q, %d scripts", out.String(), len(s.Scripts()))
	}
	if got := s.AuthSchemes(); !slices.Contains(got, "Basic") {
		t.Errorf("auth %q", got)
	}
}
