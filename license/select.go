package license

import (
	"slices"

	"github.com/kmsctl/kmsctl/guid"
)

// Select is what `log` shows of the journal: the attempts for the
// product whose activation ID is *only (every product when only is nil),
// then the last n of them (all when n < 1), in journal order. entries is
// not changed.
func Select(entries []Attempt, only *guid.GUID, n int) []Attempt {
	out := slices.Clone(entries)
	if only != nil {
		out = slices.DeleteFunc(out, func(a Attempt) bool { return a.SKUID != *only })
	}
	if n > 0 && len(out) > n {
		out = out[len(out)-n:]
	}
	return out
}
