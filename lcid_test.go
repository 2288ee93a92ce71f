package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kmsctl/kmsctl/kmsclient/kmstest"
)

// TestEPIDLanguage asks test hosts whose ePIDs carry real LCIDs and one
// Windows does not define, through the built binary: the table shows the
// language tag (the number only when unknown), JSON the tag and name, or
// null when unknown.
func TestEPIDLanguage(t *testing.T) {
	bin := linkKmsctl(t)
	for _, c := range []struct {
		lcid, tag, name string
	}{
		{"7227", "sma-SE", "Southern Sami (Sweden)"},
		{"17418", "es-SV", "Spanish (El Salvador)"},
		{"1033", "en-US", "English (United States)"},
		{"4095", "", ""}, // 0x0FFF: no locale
	} {
		h, err := kmstest.New(kmstest.Options{FixedCount: 50, EPID: "03612-00206-556-123727-03-" + c.lcid + "-17763.0000-2972018"})
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		cmd := exec.Command(bin, "status", h.Addr(), "--json")
		cmd.Env = append(os.Environ(), "KMSCTL_STATE_DIR="+filepath.Join(t.TempDir(), "state"))
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("LCID %s: status --json: %v", c.lcid, err)
		}
		var r struct {
			Hosts []struct {
				Groups []struct {
					EPIDInfo map[string]any `json:"epid_info"`
				} `json:"groups"`
			} `json:"hosts"`
		}
		if err := json.Unmarshal(out, &r); err != nil || len(r.Hosts) != 1 || len(r.Hosts[0].Groups) == 0 {
			t.Fatalf("LCID %s: %v\n%s", c.lcid, err, out)
		}
		info := r.Hosts[0].Groups[0].EPIDInfo
		lang, ok1 := info["language"]
		name, ok2 := info["language_name"]
		if !ok1 || !ok2 {
			t.Errorf("LCID %s: language keys missing: %v", c.lcid, info)
		}
		if c.tag == "" {
			if lang != nil || name != nil {
				t.Errorf("LCID %s: language %#v %#v, want null", c.lcid, lang, name)
			}
		} else if lang != c.tag || name != c.name {
			t.Errorf("LCID %s: language %#v %#v, want %q %q", c.lcid, lang, name, c.tag, c.name)
		}

		cmd = exec.Command(bin, "status", h.Addr(), "-o", "wide")
		cmd.Env = append(os.Environ(), "KMSCTL_STATE_DIR="+filepath.Join(t.TempDir(), "state"))
		out, err = cmd.Output()
		if err != nil {
			t.Fatalf("LCID %s: status -o wide: %v", c.lcid, err)
		}
		want := c.tag
		if want == "" {
			want = c.lcid
		}
		if !strings.Contains(string(out), "  "+want+" ") {
			t.Errorf("LCID %s: table lacks %q:\n%s", c.lcid, want, out)
		}
	}
}
