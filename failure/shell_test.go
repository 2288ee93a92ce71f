package failure

import "testing"

// Advice that names a file or a product gives a command the user's shell
// reads as intended: cmd.exe has no single quotes, POSIX shells expand
// unquoted spaces.
func TestQuoteAndMoveAside(t *testing.T) {
	defer func(g string) { goos = g }(goos)
	for _, c := range []struct{ goos, in, quoted, move string }{
		{"linux", "/home/ann/.local/state/kmsctl/license.json", "/home/ann/.local/state/kmsctl/license.json",
			"mv /home/ann/.local/state/kmsctl/license.json /home/ann/.local/state/kmsctl/license.json.bad"},
		{"darwin", "/Users/Ann Lee/state/license.json", "'/Users/Ann Lee/state/license.json'",
			"mv '/Users/Ann Lee/state/license.json' '/Users/Ann Lee/state/license.json.bad'"},
		{"linux", "/srv/O'Brien/j.jsonl", `'/srv/O'\''Brien/j.jsonl'`, `mv '/srv/O'\''Brien/j.jsonl' '/srv/O'\''Brien/j.jsonl.bad'`},
		{"linux", "Windows 10 Enterprise", "'Windows 10 Enterprise'", ""},
		{"windows", `C:\Users\ann\AppData\Local\kmsctl\license.json`, `C:\Users\ann\AppData\Local\kmsctl\license.json`,
			`move C:\Users\ann\AppData\Local\kmsctl\license.json C:\Users\ann\AppData\Local\kmsctl\license.json.bad`},
		{"windows", `C:\Users\Ann Lee\AppData\Local\kmsctl\license.json`, `"C:\Users\Ann Lee\AppData\Local\kmsctl\license.json"`,
			`move "C:\Users\Ann Lee\AppData\Local\kmsctl\license.json" "C:\Users\Ann Lee\AppData\Local\kmsctl\license.json.bad"`},
		{"windows", `D:\a&b\license.json`, `"D:\a&b\license.json"`, `move "D:\a&b\license.json" "D:\a&b\license.json.bad"`},
		{"windows", "Windows 10 Enterprise", `"Windows 10 Enterprise"`, ""},
	} {
		goos = c.goos
		if got := Quote(c.in); got != c.quoted {
			t.Errorf("%s: Quote(%q) = %s, want %s", c.goos, c.in, got, c.quoted)
		}
		if got := moveAside(c.in); c.move != "" && got != c.move {
			t.Errorf("%s: moveAside(%q) = %s, want %s", c.goos, c.in, got, c.move)
		}
	}
}
