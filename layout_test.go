package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// testOnly reports whether a package serves tests only: the test KMS
// host and its host half of the protocol, the test DNS and WinRM servers,
// the test helpers, and the WinRM test server library.
func testOnly(path string) bool {
	switch {
	case strings.HasSuffix(path, "/kmsclient/internal/hostside"),
		strings.HasPrefix(path, "github.com/kmsctl/kmsctl/internal/test"),
		path == "github.com/dylanmei/winrmtest":
		return true
	}
	last := path[strings.LastIndex(path, "/")+1:]
	return strings.HasPrefix(path, "github.com/kmsctl/kmsctl/") && strings.HasSuffix(last, "test")
}

// TestShippedBinaryHasNoTestHost checks what `go list -deps .` says the
// kmsctl binary is built from, on each OS it ships for: kmsctl ships no
// KMS host (nor the test DNS or WinRM servers), so no test-only package
// may be among its dependencies.
func TestShippedBinaryHasNoTestHost(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	t.Parallel()
	all, err := exec.Command("go", "list", "./...").Output()
	if err != nil {
		t.Fatalf("go list ./...: %v", err)
	}
	var hosts []string
	for _, p := range strings.Fields(string(all)) {
		if testOnly(p) {
			hosts = append(hosts, p)
		}
	}
	// The rule must still recognise the test hosts it is about.
	for _, want := range []string{"kmsclient/kmstest", "kmsclient/internal/hostside", "discovery/dnstest", "kmshost/hosttest"} {
		found := false
		for _, h := range hosts {
			found = found || strings.HasSuffix(h, "/"+want)
		}
		if !found {
			t.Errorf("%s is not among the test-only packages %v", want, hosts)
		}
	}
	for _, goos := range []string{"linux", "windows", "darwin"} {
		cmd := exec.Command("go", "list", "-deps", ".")
		cmd.Env = append(os.Environ(), "GOOS="+goos)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("GOOS=%s go list -deps .: %v", goos, err)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 20 {
			t.Fatalf("GOOS=%s: only %d dependencies: %v", goos, len(deps), deps)
		}
		for _, p := range deps {
			if testOnly(p) {
				t.Errorf("GOOS=%s: the kmsctl binary links %s, which serves tests only", goos, p)
			}
		}
	}
}

// deadcodeVersion pins golang.org/x/tools/cmd/deadcode.
const deadcodeVersion = "v0.52.0"

// TestNoDeadCode runs deadcode twice (issue 14). With the tests as roots
// (-test): a function that neither kmsctl nor any test reaches is dead and
// must go. Without them: a function of a shipped package that only tests
// reach is dead code too, unless it is test support kept there on purpose
// (shippedTestSupport); test-only helpers belong in _test.go files. The
// second run analyses linux/amd64 so that the platform files it skips are
// always the same. It needs the Go module proxy (or a module cache holding
// x/tools) once.
func TestNoDeadCode(t *testing.T) {
	if testing.Short() {
		t.Skip("runs deadcode over the whole module")
	}
	t.Parallel()
	run := deadcode(t)
	if dead := run(nil, "-test"); dead != "" {
		t.Errorf("deadcode -test finds functions nothing reaches; remove them or use them:\n%s", dead)
	}
	var only []string
	for _, line := range strings.Split(run([]string{"GOOS=linux", "GOARCH=amd64"}), "\n") {
		// file.go:LINE:COL: unreachable func: NAME
		pos, fn, _ := strings.Cut(line, ": unreachable func: ")
		file, _, _ := strings.Cut(pos, ":")
		if line == "" || testOnly("github.com/kmsctl/kmsctl/"+filepath.ToSlash(filepath.Dir(file))) || shippedTestSupport[file+" "+fn] {
			continue
		}
		only = append(only, line)
	}
	if len(only) > 0 {
		t.Errorf("functions of shipped packages only tests reach; remove them, or move them to a _test.go file:\n%s", strings.Join(only, "\n"))
	}
}

// shippedTestSupport are the functions of shipped packages that only tests
// reach, on purpose: file and function as deadcode names them.
var shippedTestSupport = map[string]bool{
	// The fake of the injected clock, used by the tests of many packages.
	"clock/clock.go NewFake": true, "clock/clock.go Fake.Now": true, "clock/clock.go Fake.Advance": true, "clock/clock.go Fake.Set": true,
	// The inverse of kmshost.CommandLine, for the test WinRM server
	// (kmshost/hosttest), next to the prefix it must agree with.
	"kmshost/script.go DecodeCommandLine": true,
	// Windows only (config_windows.go calls them): unreached on linux.
	"discovery/config.go windowsSearch": true, "discovery/config.go splitSearchList": true,
	// output/ is being reorganised (issue 14 item 4): a test's wrapper of
	// share, to move into a _test.go file.
	"output/fit.go fitPair": true,
}

// deadcode installs golang.org/x/tools/cmd/deadcode at deadcodeVersion
// into a temporary directory and returns a function that runs it over the
// module with env added (GOOS and GOARCH choose what it analyses) and args.
func deadcode(t *testing.T) func(env []string, args ...string) string {
	t.Helper()
	bin := t.TempDir()
	install := exec.Command("go", "install", "golang.org/x/tools/cmd/deadcode@"+deadcodeVersion)
	install.Env = append(os.Environ(), "GOBIN="+bin)
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("go install deadcode: %v\n%s", err, out)
	}
	return func(env []string, args ...string) string {
		cmd := exec.Command(filepath.Join(bin, "deadcode"), append(args, "./...")...)
		cmd.Env = append(os.Environ(), env...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("deadcode %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return strings.TrimSpace(string(out))
	}
}

// TestThinCommands holds commands/ to issue 14's limits: no file over 150
// lines, and no function an Action runs over 40 (the Action's literal
// and every function of commands/ it calls, directly or through others;
// the command definitions, which hold flags and help text, are not run by
// an Action). Test files are not counted.
func TestThinCommands(t *testing.T) {
	const maxFile, maxFunc = 150, 40
	fset := token.NewFileSet()
	// Without type information a call is matched by name: f(…) to a
	// function of commands/, x.m(…) to a method of commands/.
	funcs, methods := map[string]*ast.FuncDecl{}, map[string]*ast.FuncDecl{}
	var actions []*ast.FuncLit
	paths, err := filepath.Glob(filepath.Join("commands", "*.go"))
	if err != nil || len(paths) < 20 {
		t.Fatalf("commands/*.go: %d files, %v", len(paths), err)
	}
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		if n := fset.Position(f.End()).Line; n > maxFile {
			t.Errorf("%s has %d lines (at most %d)", path, n, maxFile)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncDecl:
				if x.Recv == nil {
					funcs[x.Name.Name] = x
				} else {
					methods[x.Name.Name] = x
				}
			case *ast.KeyValueExpr:
				if id, ok := x.Key.(*ast.Ident); ok && id.Name == "Action" {
					if lit, ok := x.Value.(*ast.FuncLit); ok {
						actions = append(actions, lit)
					}
				}
			}
			return true
		})
	}
	if len(actions) < 15 {
		t.Fatalf("found %d Actions", len(actions))
	}
	lines := func(n ast.Node) int { return fset.Position(n.End()).Line - fset.Position(n.Pos()).Line + 1 }
	seen := map[string]bool{}
	var visit func(body ast.Node)
	visit = func(body ast.Node) {
		ast.Inspect(body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			var d *ast.FuncDecl
			switch fn := call.Fun.(type) {
			case *ast.Ident:
				d = funcs[fn.Name]
			case *ast.SelectorExpr:
				d = methods[fn.Sel.Name]
			}
			if d == nil {
				return true
			}
			name := d.Name.Name
			if d.Recv != nil {
				name = "method " + name
			}
			if !seen[name] {
				seen[name] = true
				if n := lines(d); n > maxFunc {
					t.Errorf("%s: %s, run by an Action, has %d lines (at most %d)", fset.Position(d.Pos()), name, n, maxFunc)
				}
				visit(d.Body)
			}
			return true
		})
	}
	for _, a := range actions {
		if n := lines(a); n > maxFunc {
			t.Errorf("%s: an Action of %d lines (at most %d)", fset.Position(a.Pos()), n, maxFunc)
		}
		visit(a.Body)
	}
	if len(seen) < 30 {
		t.Errorf("only %d functions reached from the Actions: is the walk broken?", len(seen))
	}
}
