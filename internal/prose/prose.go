// Package prose holds the small rules kmsctl's sentences share.
package prose

import "strings"

// List joins items as a sentence does: "a", "a or b", "a, b or c" (with
// conj "or"; "and" gives "a, b and c"). No serial comma, as kmsctl's
// messages write it. "" for no items.
func List(items []string, conj string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + conj + " " + items[len(items)-1]
}
