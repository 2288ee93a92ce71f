package license

import (
	"testing"

	"github.com/kmsctl/kmsctl/guid"
)

func TestSelect(t *testing.T) {
	a := guid.MustParse("73111121-5638-40f6-bc11-f1d7b0d64300")
	b := guid.MustParse("85dd8b5f-eaa4-4af3-a628-cce9e77c9a03")
	entries := []Attempt{{SKUID: a, Op: "1"}, {SKUID: b, Op: "2"}, {SKUID: a, Op: "3"}, {SKUID: a, Op: "4"}}
	ops := func(as []Attempt) (s string) {
		for _, x := range as {
			s += x.Op
		}
		return s
	}
	for _, tt := range []struct {
		only *guid.GUID
		n    int
		want string
	}{{nil, 0, "1234"}, {nil, 2, "34"}, {&a, 0, "134"}, {&a, 2, "34"}, {&b, 5, "2"}, {&guid.Nil, 0, ""}} {
		if got := ops(Select(entries, tt.only, tt.n)); got != tt.want {
			t.Errorf("Select(%v, %d) = %s, want %s", tt.only, tt.n, got, tt.want)
		}
	}
	if ops(entries) != "1234" {
		t.Error("Select changed its input")
	}
}
