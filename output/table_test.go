package output

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestResetFilter(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"stray after padding", "\x1b[32mok\x1b[0m   \x1b[0m25", "\x1b[32mok\x1b[0m   25"},
		{"after a bold reset", "\x1b[31;1m1 / 5\x1b[0;22m  \x1b[0m17763", "\x1b[31;1m1 / 5\x1b[0;22m  17763"},
		{"reset that ends coloured spaces stays", "\x1b[41m   \x1b[0mx", "\x1b[41m   \x1b[0mx"},
		{"plain text", "a  b", "a  b"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		n, err := resetFilter{&b}.Write([]byte(tt.in))
		if err != nil || n != len(tt.in) || b.String() != tt.want {
			t.Errorf("%s: wrote %q (n=%d, %v), want %q", tt.name, b.String(), n, err, tt.want)
		}
	}
}

// TestTrimLines: the table's trailing blanks go, whatever the writes' sizes.
func TestTrimLines(t *testing.T) {
	var b strings.Builder
	w := &trimLines{w: &b}
	for _, p := range []string{"A  B  ", " \nx", "y   \n\n", "z \t  \n"} {
		if n, err := w.Write([]byte(p)); n != len(p) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", p, n, err)
		}
	}
	if got, want := b.String(), "A  B\nxy\n\nz \t\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// checkColumns fails t unless tab is well defined: TSV fields numbered 1…n
// without a gap or a repeat, a header on every column people see, and a
// text for every column.
func checkColumns[R any](t *testing.T, name string, tab table[R]) {
	t.Helper()
	seen, last := map[int]bool{}, 0
	for k, c := range tab {
		last = max(last, c.tsv)
		if c.text == nil {
			t.Errorf("%s: column %d (%q) has no text", name, k, c.head)
		}
		if c.in != 0 && c.head == "" {
			t.Errorf("%s: column %d is shown without a header", name, k)
		}
		if c.in == 0 && c.tsv == 0 {
			t.Errorf("%s: column %d (%q) is in no form", name, k, c.head)
		}
		if c.tsv < 0 || seen[c.tsv] && c.tsv > 0 {
			t.Errorf("%s: TSV field %d given twice or negative", name, c.tsv)
		}
		seen[c.tsv] = true
	}
	for n := 1; n <= last; n++ {
		if !seen[n] {
			t.Errorf("%s: TSV field %d missing (fields %v)", name, n, seen)
		}
	}
}

// TestTableColumns checks every table's definition.
func TestTableColumns(t *testing.T) {
	s := &Streams{}
	now := time.Now()
	checkColumns(t, "products", productColumns)
	checkColumns(t, "host log", s.hostLogColumns(now))
	checkColumns(t, "log", s.journalColumns(now))
	checkColumns(t, "explain", codeColumns)
	checkColumns(t, "dns check", s.dnsColumns())
	checkColumns(t, "host audit families", s.auditFamilyColumns(now))
	checkColumns(t, "host audit fallen off", s.fallenOffColumns())
	checkColumns(t, "host dlv", HostDLVJSON{}.columns())
	checkColumns(t, "status", s.statusColumns(false))
	checkColumns(t, "status --winrm", s.statusColumns(true))
	checkColumns(t, "client dli fleet", s.clientFleetColumns())
}
