package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVersionFromBuildInfo builds kmsctl with VCS stamping, as a release or
// a go install from a checkout does, and checks --version reports the
// commit it was built from.
func TestVersionFromBuildInfo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skip("not a git checkout with commits; nothing to stamp")
	}
	// The go command stamps only a checkout whose .git is a directory; in
	// a linked worktree (.git is a file) it records nothing.
	if fi, err := os.Stat(".git"); err != nil || !fi.IsDir() {
		t.Skip("a git worktree: the go command does not stamp VCS information here")
	}
	bin := filepath.Join(t.TempDir(), "kmsctl")
	build := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".")
	build.Env = append(os.Environ(), "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	v := string(out)
	if !strings.HasPrefix(v, "kmsctl version ") || !strings.Contains(v, "revision "+string(head[:12])) ||
		!strings.Contains(v, "built from a commit of 20") || !strings.Contains(v, "go1.") {
		t.Fatalf("--version printed %q", v)
	}
}
