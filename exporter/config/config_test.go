package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const full = `# every setting
listen: 127.0.0.1:9688
timeout: 10s
concurrency: 8
queue: 0
log_format: json
log_level: debug
modules:
  default:
    products: [Windows Server 2019 Standard, Office LTSC Professional Plus 2021]
    protocol: 6
    timeout: 3s
    port: 1689
  bare: {}
`

func TestParseFull(t *testing.T) {
	f, err := Parse("kmsctl.yml", []byte(full))
	if err != nil {
		t.Fatal(err)
	}
	if f.Listen != "127.0.0.1:9688" || f.Timeout != 10*time.Second || *f.Concurrency != 8 || *f.Queue != 0 ||
		f.LogFormat != "json" || f.LogLevel != "debug" {
		t.Errorf("exporter-wide settings: %+v", f)
	}
	d := f.Modules["default"]
	if len(d.Products) != 2 || d.Products[0].Name != "Windows Server 2019 Standard" || d.Products[1].Name != "Office LTSC Professional Plus 2021" ||
		d.Protocol != 6 || d.Timeout != 3*time.Second || d.Port != "1689" {
		t.Errorf("module default: %+v", d)
	}
	if b, ok := f.Modules["bare"]; !ok || len(b.Products) != 0 || b.Protocol != 0 || b.Timeout != 0 || b.Port != "" {
		t.Errorf("module bare: %+v, %v", b, ok)
	}
	if got := strings.Join(f.Names(), ","); got != "bare,default" {
		t.Errorf("Names: %s", got)
	}
}

// Settings left out stay unset, so the flags' defaults apply; an empty
// file sets nothing.
func TestParseUnset(t *testing.T) {
	for _, s := range []string{"", "# only a comment\n", "---\n", "modules:\n  m:\n    port: 1688\n"} {
		f, err := Parse("k.yml", []byte(s))
		if err != nil {
			t.Errorf("%q: %v", s, err)
			continue
		}
		if f.Listen != "" || f.Timeout != 0 || f.Concurrency != nil || f.Queue != nil || f.LogFormat != "" || f.LogLevel != "" {
			t.Errorf("%q: %+v", s, f)
		}
	}
}

// Every refusal names the file and the line (when there is one) and says
// what is wrong in one line, with the key's name, not Go's types.
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"listen: x\nfoo: 1\n", `k.yml:2: unknown key "foo": the file takes listen, timeout, concurrency, queue, log_format, log_level, modules`},
		{"modules:\n  a:\n    products: [Windows Server 2019 Standard]\n    prodcts: [x]\n", `k.yml:4: unknown key "prodcts" in a module: a module takes products, protocol, timeout, port`},
		{"concurrency: abc\n", `k.yml:1: concurrency: "abc" is not a whole number`},
		{"timeout: 10\n", `k.yml:1: timeout: "10" is not a duration such as 10s or 1m30s`},
		{"modules:\n  a:\n    timeout: 5\n", `k.yml:3: modules.a.timeout: "5" is not a duration such as 10s or 1m30s`},
		{"modules:\n  a:\n    products: Windows\n", `k.yml:3: modules.a.products: "Windows" is not a list of product names`},
		{"modules: [a, b]\n", `k.yml:1: modules: a list is not a mapping of module names to settings`},
		{"modules:\n  a:\n    protocol: 7\n", "k.yml:3: module a: protocol 7 does not exist: use 4, 5 or 6"},
		{"modules:\n  a:\n    products:\n      - Windows Server 2019 Standard\n      - no such product\n", "k.yml:5: module a: product: "},
		{"modules:\n  a:\n    products: [Windows Server 2019 Standard, windows server 2019 standard]\n", `k.yml:3: module a: product "Windows Server 2019 Standard" is listed twice`},
		{"modules:\n  a:\n    port: 70000\n", "k.yml:3: module a: port 70000 is not from 1 to 65535"},
		{"modules:\n  a:\n    timeout: -1s\n", "k.yml:3: module a: timeout must be positive"},
		{"modules:\n  'a b':\n    port: 5\n", `k.yml:2: module name "a b": use at most 64`},
		{"modules:\n", "k.yml:1: modules is empty"},
		{"timeout: 0s\n", "k.yml:1: timeout must be positive"},
		{"concurrency: 0\n", "k.yml:1: concurrency must be 1 or more"},
		{"queue: -1\n", "k.yml:1: queue must be 0 or more"},
		{"log_format: xml\n", `k.yml:1: log_format "xml" is not known: use text or json`},
		{"log_level: loud\n", `k.yml:1: log_level "loud" is not known`},
		{"listen: \"\"\n", "k.yml:1: listen: give HOST:PORT"},
		{"timeout: 5s\nlisten: 1.2.3.4:99999\n", `k.yml:2: listen "1.2.3.4:99999": `},
		{"listen: 127.0.0.1\n", `k.yml:1: listen "127.0.0.1": address 127.0.0.1: missing port in address`},
		{"listen: a\nlisten: b\n", `k.yml:2: mapping key "listen" already defined at line 1`},
		{"listen: [\n", "k.yml:1: did not find expected node content"},
		{"- a\n- b\n", "k.yml:1: the file is not a mapping of settings"},
		{"listen: a\n---\nlisten: b\n", "k.yml:2: a second YAML document"},
		{"\t\tx", "k.yml: found character that cannot start any token"},
	} {
		_, err := Parse("k.yml", []byte(tc.file))
		var ce *Error
		if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q:\n got %v\nwant %s…", tc.file, err, tc.want)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yml")
	if err := os.WriteFile(good, []byte(full), 0o600); err != nil {
		t.Fatal(err)
	}
	if f, err := Load(good); err != nil || f.Path != good || len(f.Modules) != 2 {
		t.Errorf("Load: %+v, %v", f, err)
	}
	var ce *Error
	if _, err := Load(filepath.Join(dir, "missing.yml")); !errors.As(err, &ce) || !errors.Is(err, fs.ErrNotExist) || ce.Line != 0 {
		t.Errorf("a missing file: %v", err)
	}
	if _, err := Load(dir); !errors.As(err, &ce) || !errors.Is(err, syscall.EISDIR) || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("a directory: %v", err)
	}
	big := filepath.Join(dir, "big.yml")
	if err := os.WriteFile(big, []byte("# "+strings.Repeat("x", maxFileSize)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(big); !errors.As(err, &ce) || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("a large file: %v", err)
	}
}

// The example shipped in deploy/ is a valid file.
func TestShippedExample(t *testing.T) {
	f, err := Load("../../deploy/kmsctl/exporter.yml")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.Modules[DefaultModule]; !ok {
		t.Errorf("the example defines no %q module: %v", DefaultModule, f.Names())
	}
}

// FuzzParse feeds arbitrary files to the decoder: it never panics, a
// refusal is an *Error in one line, and what it accepts is in range.
func FuzzParse(f *testing.F) {
	f.Add([]byte(full))
	for _, s := range []string{"", "listen: x\nfoo: 1\n", "modules: [a]\n", "timeout: 10\n", "&a [*a]", "x: !!binary AA==",
		"modules:\n  a:\n    products: [Windows 10 Enterprise]\n    port: 0\n", "{modules: {a: {protocol: 4}}}", "? [a]\n: b\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("f.yml", data)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("refusal %q", err)
			}
			return
		}
		if c.Timeout < 0 || c.Concurrency != nil && *c.Concurrency < 1 || c.Queue != nil && *c.Queue < 0 {
			t.Fatalf("accepted out of range: %+v", c)
		}
		for name, m := range c.Modules {
			if !ValidModuleName(name) || len(m.Products) > MaxProducts || m.Protocol != 0 && (m.Protocol < 4 || m.Protocol > 6) || m.Timeout < 0 {
				t.Fatalf("accepted module %q: %+v", name, m)
			}
		}
	})
}
