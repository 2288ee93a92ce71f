// Command cleanupok reads `go test -json` from the Windows test binaries run
// under Wine 8 and fails when a test failed for any reason but one: the
// testing package's cleanup of t.TempDir, which Wine 8 refuses because
// os.RemoveAll deletes with POSIX semantics (FILE_DISPOSITION_POSIX_SEMANTICS;
// Wine answers "Invalid function"). Genuine Windows supports it, so such a
// failure says nothing about kmsctl. A failed test passes only if it logged
// at least one such cleanup line, or has failed subtests that all pass by
// this rule, and logged nothing else.
//
// It lives under .ci, which the go tool ignores for ./..., and is run by
// .ci/wine-test:
//
//	GOOS=windows go test -json -exec wine ./statedir | go run ./.ci/wine/cleanupok
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

var (
	// Wine's own diagnostics share the stream and may stand in front of
	// the line on the same line ("wine client error:590:     testing.go:…").
	cleanup   = regexp.MustCompile(`^(wine client error:\d+:)?\s*testing\.go:\d+: TempDir RemoveAll cleanup: unlinkat .*: Invalid function\.\s*$`)
	framework = regexp.MustCompile(`^\s*(=== (RUN|PAUSE|CONT|NAME)|--- (PASS|FAIL|SKIP)|PASS$|FAIL$|ok\s|FAIL\s|exit status)`)
)

type result struct {
	failed   bool
	cleanups int
	other    []string
}

func main() {
	tests := map[string]*result{} // "pkg test" → result
	pkgFailed := map[string]bool{}
	pkgOutput := map[string]string{}
	var order []string
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			fmt.Println(sc.Text()) // a build error, say: not test output
			if strings.TrimSpace(sc.Text()) != "" {
				pkgFailed["(build)"] = true
			}
			continue
		}
		if e.Test == "" {
			if e.Action == "output" {
				pkgOutput[e.Package] += e.Output
			}
			if e.Action == "fail" {
				pkgFailed[e.Package] = true
			}
			continue
		}
		k := e.Package + " " + e.Test
		r := tests[k]
		if r == nil {
			r = &result{}
			tests[k] = r
			order = append(order, k)
		}
		switch e.Action {
		case "output":
			switch {
			case cleanup.MatchString(e.Output):
				r.cleanups++
			case framework.MatchString(e.Output) || strings.TrimSpace(e.Output) == "":
			default:
				r.other = append(r.other, e.Output)
			}
		case "fail":
			r.failed = true
		}
	}
	// Decide deepest tests first: a parent passes if all its failed
	// subtests do.
	sort.SliceStable(order, func(i, j int) bool { return strings.Count(order[i], "/") > strings.Count(order[j], "/") })
	ok := map[string]bool{}
	bad := 0
	tolerated := 0
	for _, k := range order {
		r := tests[k]
		if !r.failed {
			ok[k] = true
			continue
		}
		children, childrenOK := 0, true
		for c, cr := range tests {
			if strings.HasPrefix(c, k+"/") && !strings.Contains(c[len(k)+1:], "/") && cr.failed {
				children++
				childrenOK = childrenOK && ok[c]
			}
		}
		if len(r.other) == 0 && childrenOK && (r.cleanups > 0 || children > 0) {
			ok[k] = true
			if !strings.Contains(k[strings.Index(k, " ")+1:], "/") {
				tolerated++
			}
			continue
		}
		bad++
		fmt.Printf("FAIL under Wine: %s\n%s", k, strings.Join(r.other, ""))
	}
	passed := 0
	for k, r := range tests {
		if !r.failed && !strings.Contains(k[strings.Index(k, " ")+1:], "/") {
			passed++
		}
	}
	fmt.Printf("cleanupok: %d tests passed under Wine, and %d more passed but for Wine's t.TempDir cleanup\n", passed, tolerated)
	// A package that failed with no failed test (a build error, a crash,
	// a missing DLL) fails the run.
	for p := range pkgFailed {
		explained := false
		for k, r := range tests {
			explained = explained || r.failed && strings.HasPrefix(k, p+" ")
		}
		if !explained {
			bad++
			fmt.Printf("FAIL under Wine: package %s\n%s", p, pkgOutput[p])
		}
	}
	if bad > 0 {
		fmt.Printf("cleanupok: %d tests failed under Wine\n", bad)
		os.Exit(1)
	}
}
