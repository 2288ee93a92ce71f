package identity

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/kmsctl/kmsctl/guid"
)

// TestWithCMID: a one-off CMID takes the stored workstation name, or the
// host name when nothing is stored, and never creates the identity file.
func TestWithCMID(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	g := guid.MustParse("3f2504e0-4f89-41d3-9a0c-0305e82c3301")
	host := func() (string, error) { return "probe-box", nil }
	id, err := WithCMID(dir, g, Options{Hostname: host})
	if err != nil || id.CMID != g || id.Workstation != "probe-box" {
		t.Fatalf("nothing stored: %+v %v", id, err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); !os.IsNotExist(err) {
		t.Fatalf("identity file created: %v", err)
	}
	stored, err := Load(context.Background(), dir, Options{Hostname: func() (string, error) { return "stored-name", nil }})
	if err != nil {
		t.Fatal(err)
	}
	id, err = WithCMID(dir, g, Options{Hostname: host})
	if err != nil || id.CMID != g || id.Workstation != "stored-name" || stored.CMID == g {
		t.Fatalf("stored: %+v %v", id, err)
	}
	if again, _, _ := Peek(dir); again.CMID != stored.CMID {
		t.Fatalf("stored CMID changed to %s", again.CMID)
	}
}
