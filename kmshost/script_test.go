package kmshost

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/*.ps1 from the scripts")

// TestScripts_Golden keeps every change to the PowerShell kmsctl runs on
// people's KMS hosts visible in review: the scripts are compared with
// testdata/*.ps1 (go test ./kmshost -update rewrites them).
func TestScripts_Golden(t *testing.T) {
	for name, script := range map[string]string{"counters.ps1": CountersScript, "log.ps1": LogTemplate, "client.ps1": ClientScript} {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(want) != script {
			t.Errorf("%s differs from the script kmsctl runs (go test ./kmshost -update if intended, then update README.md)", path)
		}
	}
}

// TestREADME_ShowsScripts: README.md prints both scripts verbatim, so an
// admin can compare them with what runs on the host.
func TestREADME_ShowsScripts(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for name, script := range map[string]string{"counters": CountersScript, "log": LogTemplate, "client": ClientScript} {
		if !strings.Contains(string(readme), "```powershell\n"+script+"```") {
			t.Errorf("README.md does not show the %s script verbatim in a ```powershell block", name)
		}
	}
	if !strings.Contains(string(readme), commandPrefix) {
		t.Errorf("README.md does not show the command line %q", commandPrefix)
	}
}

func TestCommandLine_RoundTrip(t *testing.T) {
	for _, s := range []string{CountersScript, LogTemplate, "", "é ü 😀 \r\n\t'\"$()"} {
		line := CommandLine(s)
		if !strings.HasPrefix(line, "powershell.exe -NoProfile -NonInteractive -EncodedCommand ") {
			t.Fatalf("command line %q", line[:60])
		}
		got, ok := DecodeCommandLine(line)
		if !ok || got != s {
			t.Errorf("round trip of %q gave %q, %v", s, got, ok)
		}
	}
	for _, bad := range []string{"cmd.exe /c dir", "powershell.exe -NoProfile -NonInteractive -EncodedCommand !!", "powershell.exe -NoProfile -NonInteractive -EncodedCommand QQ=="} {
		if _, ok := DecodeCommandLine(bad); ok {
			t.Errorf("DecodeCommandLine(%q) accepted", bad)
		}
	}
}

// TestCommandLine_Length: cmd.exe, through which the WinRM shell starts
// commands, takes 8191 characters at most.
func TestCommandLine_Length(t *testing.T) {
	log, err := LogScript(LogQuery{Max: MaxEvents, Since: MaxSince})
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]string{"counters": CountersScript, "log": log} {
		if n := len(CommandLine(s)); n > MaxCommandLine {
			t.Errorf("%s command line has %d characters, more than %d", name, n, MaxCommandLine)
		} else {
			t.Logf("%s command line: %d characters", name, n)
		}
	}
}

// TestLogScript_OnlyNumbers: a query changes the template only where the
// two numbers go, and only into digits.
func TestLogScript_OnlyNumbers(t *testing.T) {
	for _, q := range []LogQuery{{Max: 1}, {Max: 1000, Since: 24 * time.Hour}, {Max: MaxEvents, Since: MaxSince}, {Max: 7, Since: 1500 * time.Millisecond}} {
		s, err := LogScript(q)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		gotLines, tmplLines := strings.Split(s, "\n"), strings.Split(LogTemplate, "\n")
		if len(gotLines) != len(tmplLines) {
			t.Fatalf("%+v: %d lines, template %d", q, len(gotLines), len(tmplLines))
		}
		for i := range gotLines {
			if gotLines[i] == tmplLines[i] {
				continue
			}
			prefix, _, _ := strings.Cut(tmplLines[i], "{{")
			rest, ok := strings.CutPrefix(gotLines[i], prefix)
			if !ok || rest == "" || strings.Trim(rest, "0123456789") != "" {
				t.Errorf("%+v: line %d is %q", q, i+1, gotLines[i])
			}
		}
	}
	s, _ := LogScript(LogQuery{Max: 5, Since: 1500 * time.Millisecond})
	if !strings.Contains(s, "$since = 2\n") {
		t.Errorf("a span of 1.5s should round up to 2 seconds:\n%s", s)
	}
	for _, q := range []LogQuery{{Max: 0}, {Max: -1}, {Max: MaxEvents + 1}, {Max: 5, Since: -time.Second}, {Max: 5, Since: MaxSince + time.Hour}} {
		if _, err := LogScript(q); err == nil {
			t.Errorf("LogScript(%+v) accepted", q)
		}
	}
}

func TestParseTarget(t *testing.T) {
	for in, want := range map[string]struct {
		host string
		port int
	}{
		"kms01.corp.example.com": {"kms01.corp.example.com", 0},
		"kms01:5986":             {"kms01", 5986},
		"10.0.0.5":               {"10.0.0.5", 0},
		"[2001:db8::5]:5985":     {"2001:db8::5", 5985},
		"[2001:db8::5]":          {"2001:db8::5", 0},
		"2001:db8::5":            {"2001:db8::5", 0},
		"KMS_01.corp.":           {"KMS_01.corp.", 0},
	} {
		h, p, err := ParseTarget(in)
		if err != nil || h != want.host || p != want.port {
			t.Errorf("ParseTarget(%q) = %q, %d, %v; want %q, %d", in, h, p, err, want.host, want.port)
		}
	}
	for _, bad := range []string{"", " ", "kms01:0", "kms01:99999", "kms01:x", "a b", "kms;calc", "kms01/wsman", "user@kms01", "-kms", "a..b", strings.Repeat("a", 64) + ".com"} {
		if _, _, err := ParseTarget(bad); err == nil {
			t.Errorf("ParseTarget(%q) accepted", bad)
		}
	}
}
