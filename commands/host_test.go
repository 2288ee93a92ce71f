package commands

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/kmsctl/kmsctl/kmshost/hosttest"
	"github.com/kmsctl/kmsctl/output"
)

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
