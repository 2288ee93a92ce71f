package failure

import (
	"runtime"
	"strings"
)

// goos is the system whose shell the advice is written for: the one kmsctl
// runs on (a variable so that tests can write both).
var goos = runtime.GOOS

// Quote returns s as one argument for the user's shell, quoted only when it
// needs it: in double quotes on Windows, which cmd.exe and PowerShell both
// read as one argument (Windows paths and product names hold no '"'), and
// in single quotes elsewhere (POSIX shells, fish).
func Quote(s string) string {
	if goos == "windows" {
		if s != "" && !strings.ContainsAny(s, " \t&()[]{}^=;!'+,`~%$@#") {
			return s
		}
		return `"` + s + `"`
	}
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// moveAside is the command that renames path to path.bad in the user's
// shell: move on Windows (a cmd.exe command and a PowerShell alias), mv
// elsewhere.
func moveAside(path string) string {
	mv := "mv "
	if goos == "windows" {
		mv = "move "
	}
	return mv + Quote(path) + " " + Quote(path+".bad")
}

// checkAccess is advice to look at who may use path: its owner and mode
// (ls with lsFlags) on Unix, its access control list (icacls) on Windows.
func checkAccess(path, lsFlags string) string {
	if goos == "windows" {
		return "check who may use it (icacls " + Quote(path) + ")"
	}
	return "check its owner and mode (ls " + lsFlags + " " + Quote(path) + ")"
}
