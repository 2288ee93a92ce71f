package license

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/kmsctl/kmsctl/internal/testdir"
)

// FuzzLoadState feeds license.json decoding arbitrary bytes. Properties: it
// never panics; a file it rejects is a *CorruptError naming the file, with
// no state; a file it accepts encodes to a file that decodes to the same
// state, and encoding that again gives the same bytes; and reading never
// writes.
func FuzzLoadState(f *testing.F) {
	f.Add([]byte(validState))
	for _, c := range corruptStates {
		if len(c.content) < 4096 {
			f.Add([]byte(c.content))
		}
	}
	full := State{}
	{
		in, _ := Resolve(win10GVLK, "")
		full.install(in, t0)
		a := Attempt{At: t0, Op: "ato", Host: "[2001:db8::5]:1700", Count: count(30), Threshold: 25, EPID: "e", Activation: 60, Renewal: 1440}
		full.LastAttempt, full.LastSuccess = &a, &a
		full.KMS = HostConfig{Host: "2001:db8::5", Port: 1700, LookupDomain: "corp.example.com", NoCaching: true}
		full.Intervals, full.RearmsUsed, full.Discovered = Intervals{60, 1440}, 3, "10.0.0.5:1688"
	}
	if b, err := encode(machineOf(full)); err == nil {
		f.Add(b)
	}
	{ // Windows and Office together
		m := machineOf(full)
		office := State{}
		in, _ := Resolve("", "Office Professional Plus 2019")
		office.install(in, t0)
		m.Products = append(m.Products, productPart(office))
		if b, err := encode(m); err == nil {
			f.Add(b)
		}
	}
	dir := testdir.Private(f)
	s := Open(dir)
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(s.Path(), data, 0o600); err != nil {
			t.Fatal(err)
		}
		st, err := s.LoadMachine()
		if got, _ := os.ReadFile(s.Path()); !bytes.Equal(got, data) {
			t.Fatal("Load changed the file")
		}
		if err != nil {
			var ce *CorruptError
			if !asCorrupt(err, &ce) || ce.Path != s.Path() {
				t.Fatalf("Load = %v (%T), want a *CorruptError", err, err)
			}
			if !reflect.DeepEqual(st, Machine{}) {
				t.Fatalf("a rejected file gave a state: %+v", st)
			}
			return
		}
		enc, err := encode(st)
		if err != nil {
			t.Fatalf("encode of a loaded state: %v", err)
		}
		back, err := decode(enc)
		if err != nil {
			t.Fatalf("a loaded state does not load once written: %v\n%s", err, enc)
		}
		again, err := encode(back)
		if err != nil || !bytes.Equal(again, enc) {
			t.Fatalf("round trip differs:\n%s\n%s", enc, again)
		}
		for _, v := range st.Views() {
			Evaluate(v, t0) // any loadable state can be evaluated
		}
		Evaluate(st.View(-1), t0)
		if ents, _ := os.ReadDir(dir); len(ents) != 1 || filepath.Base(ents[0].Name()) != FileName {
			t.Fatalf("dir holds %v", ents)
		}
	})
}

func asCorrupt(err error, target **CorruptError) bool {
	ce, ok := err.(*CorruptError)
	if ok {
		*target = ce
	}
	return ok
}
