package output

import (
	"bytes"
	"testing"
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
