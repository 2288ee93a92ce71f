package identity

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
	"unicode/utf16"

	"github.com/kmsctl/kmsctl/internal/testdir"
)

func FuzzLoad(f *testing.F) {
	f.Add([]byte(validFile))
	for _, c := range corruptFiles {
		if len(c.content) < 1024 {
			f.Add([]byte(c.content))
		}
	}
	f.Add([]byte("\xef\xbb\xbf" + validFile + "\n"))
	f.Add([]byte(`{"version":1,"cmid":"` + validCMID + `","previous_cmid":"` + validCMID + `"}`))
	f.Add([]byte(`{"version":1,"cmid":"` + validCMID + `","workstation":"\ud83d\ude00\u0000","created":"2026-11-23T17:55:04.5+01:00"}`))

	opts := testOpts()
	// One directory for all inputs run by this process (they run one at a
	// time): a fresh t.TempDir per input would halve the exec rate.
	dir := testdir.Private(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		path := writeIdentity(t, dir, string(data))
		before := snap(t, path)

		id, err := Load(context.Background(), dir, opts)
		before.check(t, path) // success or not, the file is never written
		if err != nil {
			var ce *CorruptError
			if !errors.As(err, &ce) || ce.Path != path {
				t.Fatalf("a readable regular file gave %v (%T), want *CorruptError", err, err)
			}
			return
		}
		if id.CMID.IsZero() {
			t.Fatal("Load succeeded with a zero CMID")
		}
		if id.Workstation == "" || len(utf16.Encode([]rune(id.Workstation))) > MaxWorkstationLen {
			t.Fatalf("workstation %q", id.Workstation)
		}
		// Peek agrees, except that it fills a missing workstation name
		// from os.Hostname rather than opts.Hostname.
		if p, ok, err := Peek(dir); err != nil || !ok || p.CMID != id.CMID || !p.Created.Equal(id.Created) {
			t.Fatalf("Peek = %+v %v %v, Load = %+v", p, ok, err, id)
		}
		// What Load accepts survives a write and a read.
		enc, err := encode(id)
		if err != nil {
			t.Fatal(err)
		}
		back, err := decode(enc)
		if err != nil || back.CMID != id.CMID || back.Workstation != id.Workstation || !back.Created.Equal(id.Created) || back.PreviousCMID != id.PreviousCMID {
			t.Fatalf("round trip: %+v %v, want %+v", back, err, id)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 1 || !bytes.Equal([]byte(ents[0].Name()), []byte(FileName)) {
			t.Fatalf("dir holds %v", ents)
		}
	})
}
