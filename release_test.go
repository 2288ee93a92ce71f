package main

import (
	"debug/buildinfo"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestReleaseBuild builds kmsctl as .goreleaser.yaml does (no cgo, the
// build tag urfave_cli_no_docs) and checks that the binary runs, holds no
// documentation generator (urfave/cli's md2man and blackfriday, whose
// package initialisation every start would pay) and, on Linux, is
// statically linked.
func TestReleaseBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "kmsctl")
	build := exec.Command("go", "build", "-trimpath", "-tags", "urfave_cli_no_docs", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if out, err := exec.Command(bin, "status", "--help").CombinedOutput(); err != nil || !strings.Contains(string(out), "--format") {
		t.Fatalf("kmsctl status --help: %v\n%s", err, out)
	}
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range info.Deps {
		if strings.Contains(m.Path, "md2man") || strings.Contains(m.Path, "blackfriday") {
			t.Errorf("the release build links %s, the documentation generator's", m.Path)
		}
	}
	if runtime.GOOS != "linux" {
		return
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the release build is dynamically linked (it has an ELF interpreter)")
		}
	}
}
