package audit

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/kmsctl/kmsctl/kmshost/hosttest"
)

// benchEvents is how many events the file benchmarks read: the issue's
// goal is a million in under 2 s and 200 MiB.
const benchEvents = 1_000_000

var (
	benchOnce  sync.Once
	benchFiles map[string]string
	benchDir   string // removed by TestMain
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// benchFile writes a busy host's log of benchEvents events once per run,
// in format "xml" or "json", and returns its path.
func benchFile(b *testing.B, format string) string {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kmsctl-audit-bench")
		benchDir = dir
		if err != nil {
			b.Fatal(err)
		}
		events := hosttest.ManyEvents(hosttest.DefaultNow, benchEvents)
		benchFiles = map[string]string{"xml": filepath.Join(dir, "kms.xml"), "json": filepath.Join(dir, "kms.json")}
		for f, path := range benchFiles {
			out, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			if f == "xml" {
				err = hosttest.WriteXML(out, events, hosttest.Joined, false)
			} else {
				err = hosttest.WriteJSON(out, events, hosttest.Separate, false)
			}
			if cerr := out.Close(); err != nil || cerr != nil {
				b.Fatal(err, cerr)
			}
		}
	})
	return benchFiles[format]
}

func benchRead(b *testing.B, format string) {
	path := benchFile(b, format)
	fi, _ := os.Stat(path)
	b.SetBytes(fi.Size())
	b.ResetTimer()
	for range b.N {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		a := New(Options{Now: hosttest.DefaultNow})
		src, err := Read(f, a.Add)
		f.Close()
		if err != nil || src.Events != benchEvents {
			b.Fatalf("%+v %v", src, err)
		}
		if r := a.Report(); len(r.Clients) != min(8000, 2*benchEvents) { // 4000 machines, Windows and Office
			b.Fatalf("%d clients", len(r.Clients))
		}
	}
}

// BenchmarkReadXML1M reads and audits a million-event wevtutil export.
func BenchmarkReadXML1M(b *testing.B) { benchRead(b, "xml") }

// BenchmarkReadJSON1M reads and audits a million-event ConvertTo-Json export.
func BenchmarkReadJSON1M(b *testing.B) { benchRead(b, "json") }
