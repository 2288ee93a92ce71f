package prose

import "testing"

func TestList(t *testing.T) {
	for _, tt := range []struct {
		items []string
		conj  string
		want  string
	}{
		{nil, "or", ""},
		{[]string{"--timeout"}, "or", "--timeout"},
		{[]string{"--timeout", "--deadline"}, "or", "--timeout or --deadline"},
		{[]string{"pc1", "pc2", "pc3"}, "and", "pc1, pc2 and pc3"},
	} {
		if got := List(tt.items, tt.conj); got != tt.want {
			t.Errorf("List(%q, %q) = %q, want %q", tt.items, tt.conj, got, tt.want)
		}
	}
}
