package commands

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kmsctl/kmsctl/completions"
)

// TestEveryCommandHasAnExample keeps --help useful.
func TestEveryCommandHasAnExample(t *testing.T) {
	app := NewApp(SystemEnv())
	for _, c := range app.Commands {
		if c.Hidden {
			continue
		}
		if !strings.Contains(c.Description, "Example") {
			t.Errorf("kmsctl %s --help shows no example", c.Name)
		}
	}
}

// TestCompletionScriptsParse checks each script with its own shell where
// that shell is installed.
func TestCompletionScriptsParse(t *testing.T) {
	checks := map[string][]string{
		"bash": {"bash", "-n"},
		"zsh":  {"zsh", "-n"},
		"fish": {"fish", "--no-execute"},
		"powershell": {"pwsh", "-NoProfile", "-Command",
			"$e=$null; [System.Management.Automation.Language.Parser]::ParseFile($args[0], [ref]$null, [ref]$e) | Out-Null; if ($e) { $e; exit 1 }"},
	}
	ran := 0
	for _, shell := range completions.Shells() {
		cmd := checks[shell]
		if _, err := exec.LookPath(cmd[0]); err != nil {
			t.Logf("%s not installed: %s script not checked", cmd[0], shell)
			continue
		}
		script, err := completions.Script(shell)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "kmsctl-"+shell)
		if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(cmd[0], append(cmd[1:], path)...).CombinedOutput()
		if err != nil {
			t.Errorf("%s rejects %s: %v\n%s", cmd[0], path, err, out)
		}
		ran++
	}
	if ran == 0 {
		t.Fatal("no shell available to check any completion script (bash at least should be)")
	}
}
