package output

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// compactWidth is the most columns a default table takes on a terminal:
// the classic terminal width (issue 15: every default view fits 80
// columns).
const compactWidth = 80

// fitColumns cuts the cells of the columns cut of rows, in place, so that
// a table of header and rows (two spaces between columns, as newTable lays
// them out) fits compactWidth columns. Every other column keeps its width
// and may hold colour escapes; the cells to cut must be plain text. The
// columns to cut share what is left: one narrower than its share keeps its
// width, the others split the rest evenly, none narrower than its header.
// A cut cell ends in "…". Headers are never cut.
func fitColumns(header []string, rows [][]string, cut ...int) {
	widths := make([]int, len(header))
	for k, hd := range header {
		widths[k] = textWidth(hd)
	}
	for _, row := range rows {
		for k, c := range row {
			widths[k] = max(widths[k], textWidth(c))
		}
	}
	budget := compactWidth - 2*(len(header)-1)
	for k, w := range widths {
		if !slices.Contains(cut, k) {
			budget -= w
		}
	}
	want := make([]int, len(cut))
	mins := make([]int, len(cut))
	for i, k := range cut {
		want[i], mins[i] = widths[k], textWidth(header[k])
	}
	got := share(want, budget, mins)
	for _, row := range rows {
		for i, k := range cut {
			row[k] = cutText(row[k], got[i])
		}
	}
}

// share divides budget columns between columns want[i] wide, each at least
// mins[i]: columns that fit an even share keep their width, the rest split
// what is left evenly (the last ones getting the odd columns).
func share(want []int, budget int, mins []int) []int {
	got := make([]int, len(want))
	total := 0
	for _, w := range want {
		total += w
	}
	if total <= budget {
		copy(got, want)
		return got
	}
	open := make([]int, 0, len(want)) // indexes not yet given a width
	for i := range want {
		open = append(open, i)
	}
	for len(open) > 0 {
		each := budget / len(open)
		kept := open[:0:0]
		rest := open[:0:0]
		for _, i := range open {
			if want[i] <= each {
				kept = append(kept, i)
			} else {
				rest = append(rest, i)
			}
		}
		if len(kept) == 0 {
			for n, i := range rest {
				got[i] = each
				if n >= len(rest)-budget%len(rest) {
					got[i]++
				}
			}
			break
		}
		for _, i := range kept {
			got[i] = want[i]
			budget -= want[i]
		}
		open = rest
	}
	for i := range got {
		got[i] = max(got[i], mins[i])
	}
	return got
}

// fitPair shares budget columns between two columns a and b wide, each at
// least its minimum (share for two columns).
func fitPair(a, b, budget, minA, minB int) (int, int) {
	got := share([]int{a, b}, budget, []int{minA, minB})
	return got[0], got[1]
}

// textWidth is the columns t takes: its runes without colour escapes
// (names are never wide characters).
func textWidth(t string) int { return utf8.RuneCountInString(ansiEscape().ReplaceAllString(t, "")) }

var ansiEscape = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\x1b\[[0-9;]*m`) })

// cutText shortens t to w columns, ending in "…" when it had to cut.
func cutText(t string, w int) string {
	r := []rune(t)
	if len(r) <= w || w < 1 {
		return t
	}
	return strings.TrimRight(string(r[:w-1]), " ") + "…"
}
