//go:build unix

package discovery

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/kmsctl/kmsctl/hresult"
)

func TestConfigFromFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "resolv.conf")
	if err := os.WriteFile(path, []byte("nameserver 127.0.0.1\nsearch corp.example\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := configFromFile(path, "")
	if err != nil || !slices.Equal(c.Servers, []string{"127.0.0.1:53"}) || !slices.Equal(c.Search, []string{"corp.example."}) {
		t.Errorf("configFromFile = %+v, %v", c, err)
	}
	_, err = configFromFile(filepath.Join(t.TempDir(), "missing"), "")
	var e *Error
	if !errors.As(err, &e) || e.Code() != hresult.NoDNSServers || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}
