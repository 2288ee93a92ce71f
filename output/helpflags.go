package output

import "strings"

// HelpFlag is one flag of a command's help: its names as urfave/cli
// writes them ("--timeout DURATION, -t DURATION"), its description, and
// its category ("" for none).
type HelpFlag struct{ Names, Usage, Category string }

// FlagGroups groups flags under their categories, in the order the
// categories first appear, flags without one last (as the category "").
// Help, the man page and the Markdown reference list flags in this order.
func FlagGroups(flags []HelpFlag) [][]HelpFlag {
	var order []string
	groups := map[string][]HelpFlag{}
	for _, f := range flags {
		if _, ok := groups[f.Category]; !ok && f.Category != "" {
			order = append(order, f.Category)
		}
		groups[f.Category] = append(groups[f.Category], f)
	}
	if len(groups[""]) > 0 {
		order = append(order, "")
	}
	out := make([][]HelpFlag, len(order))
	for i, c := range order {
		out[i] = groups[c]
	}
	return out
}

// HelpFlags lays out a help's flag listing: grouped under their categories
// (FlagGroups; flags without one under "Other" when there are
// categories), each as its names and its description from column column
// at most (a flag whose names reach it has its description on the next
// line), wrapped at width (0: not wrapped).
func HelpFlags(flags []HelpFlag, column, width int) string {
	groups := FlagGroups(flags)
	indent := 3
	if len(groups) > 1 || len(groups) == 1 && groups[0][0].Category != "" {
		indent = 5
	}
	// One description column for the whole listing: the longest names
	// that leave it at column at most.
	col := 0
	for _, f := range flags {
		if w := indent + len(f.Names) + 2; w <= column {
			col = max(col, w)
		}
	}
	if col == 0 {
		col = column
	}
	var b strings.Builder
	for i, group := range groups {
		if indent == 5 {
			if i > 0 {
				b.WriteByte('\n')
			}
			name := group[0].Category
			if name == "" {
				name = "Other"
			}
			b.WriteString("   " + name + ":\n")
		}
		for _, f := range group {
			line := strings.Repeat(" ", indent) + f.Names
			if len(line)+2 > col {
				b.WriteString(line + "\n")
				line = ""
			}
			line += strings.Repeat(" ", col-len(line))
			b.WriteString(line + Wrap(f.Usage, width, col, col) + "\n")
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}
