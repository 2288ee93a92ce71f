package kmsclient

import "testing"

// LanguageOf searches lcids by halves: the table must stay sorted and
// every row must be found, the gaps between rows not.
func TestLCIDsSorted(t *testing.T) {
	for i, l := range lcids {
		if i > 0 && lcids[i-1].id >= l.id {
			t.Errorf("lcids[%d] = %d after %d: not sorted", i, l.id, lcids[i-1].id)
		}
		if tag, name := LanguageOf(l.id); tag != l.tag || name != l.name {
			t.Errorf("LanguageOf(%d) = %q, %q, want %q, %q", l.id, tag, name, l.tag, l.name)
		}
		if tag, _ := LanguageOf(l.id + 1); i+1 < len(lcids) && lcids[i+1].id != l.id+1 && tag != "" {
			t.Errorf("LanguageOf(%d) = %q, want none", l.id+1, tag)
		}
	}
	if tag, _ := LanguageOf(0); tag != "" {
		t.Errorf("LanguageOf(0) = %q, want none", tag)
	}
}
