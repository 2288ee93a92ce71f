// Package completions holds kmsctl's shell completion scripts for bash, zsh,
// fish and PowerShell. Each one asks kmsctl itself for candidates through
// the hidden command "kmsctl __complete WORD... CURRENT", which walks the
// command tree without running anything, so the scripts never go stale and
// carry no list of commands or flags of their own.
package completions

import (
	"embed"
	"fmt"
	"sort"
	"strings"
)

//go:embed kmsctl.bash kmsctl.zsh kmsctl.fish kmsctl.ps1
var scripts embed.FS

var files = map[string]string{
	"bash":       "kmsctl.bash",
	"zsh":        "kmsctl.zsh",
	"fish":       "kmsctl.fish",
	"powershell": "kmsctl.ps1",
}

// Shells lists the shells with a script.
func Shells() []string {
	s := make([]string, 0, len(files))
	for k := range files {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// Script returns the completion script for shell.
func Script(shell string) (string, error) {
	name, ok := files[strings.ToLower(shell)]
	if !ok {
		return "", fmt.Errorf("no completion script for %q (choose %s)", shell, strings.Join(Shells(), ", "))
	}
	b, err := scripts.ReadFile(name)
	return string(b), err
}
