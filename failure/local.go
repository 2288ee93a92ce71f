package failure

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/kmsctl/kmsctl/audit"
	"github.com/kmsctl/kmsctl/exporter/config"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/probe"
	"github.com/kmsctl/kmsctl/statedir"
)

// local finishes the words of a local failure: the message is Windows'
// own text for the code (the table's text for 0x80070005 or 0x8007000D is
// about KMS hosts and slmgr), unless one was chosen.
func local(s said) said {
	if n, ok := s.code.IsWin32(); ok && s.message == "" {
		if t := hresult.Win32Text(n); t != "" {
			s.message = t
		}
	}
	return s
}

// stateDirWords: the state directory, or a file in it, cannot be used.
// The codes are local ones (0x8007xxxx), and the fix is about the
// directory or file, never about the network.
func stateDirWords(e *statedir.Error, c Context) said {
	s := said{code: e.Code()}
	elsewhere := c.stateDirElsewhere()
	switch e.Problem {
	case statedir.ProblemNoPath:
		s.message = "kmsctl has no state directory to use."
		if e.Var != "" {
			s.fix = e.Var + " is not set (as under cron or a systemd service): set it, or " + elsewhere
		} else {
			s.fix = elsewhere
		}
	case statedir.ProblemNotDir:
		s.fix = e.Path + " is a file, not a directory: " + elsewhere + ", or move the file aside"
	case statedir.ProblemShared:
		s.message = "The state directory is shared with other users, so kmsctl will not keep its state (client identity, product key, journal) there."
		s.fix = "anyone could read or replace kmsctl's files in a shared directory such as " + e.Path + ": " + elsewhere + " that only you can write"
	case statedir.ProblemNotPrivate:
		s.message = "The state directory is open to other users, so kmsctl will not keep its state (client identity, product key, journal) there."
		s.fix = "kmsctl never changes an existing directory's permissions: make it private with chmod 700 " + e.Path + " (if nothing else there needs to be shared), or " + elsewhere
	case statedir.ProblemOtherOwner:
		s.message = "The state directory belongs to another user, so kmsctl will not make it private."
		s.fix = "run kmsctl as uid " + strconv.Itoa(e.Owner) + ", or make the directory yours (chown, then chmod 700 " + e.Path + "), or " + elsewhere
	case statedir.ProblemNotRegular:
		s.fix = e.Path + " is not a regular file: move it aside (kmsctl then starts that file afresh)"
	case statedir.ProblemLocked:
		s.message = "Another kmsctl holds the lock on the state directory."
		s.fix = "another kmsctl using this state directory (an ato or renew waiting for a KMS host, a rearm ...) has not finished: wait for it and run again; " + lockHolder(e.Path, c)
	default:
		s.fix = pathFix(e.Err, e.Path, elsewhere)
	}
	return s
}

// lockHolder says how to find the process holding the lock file path.
func lockHolder(path string, c Context) string {
	switch c.goos() {
	case "windows":
		return "Get-Process kmsctl lists the running ones"
	case "linux":
		return "fuser -v " + path + " shows which process it is"
	}
	return "lsof " + path + " shows which process it is"
}

// stateDirElsewhere says how to use another state directory.
func (c Context) stateDirElsewhere() string {
	if f := c.Flag("state-dir"); f != "" {
		return "give another directory with " + f + " DIR or " + statedir.EnvVar
	}
	return "give another directory with " + statedir.EnvVar + "=DIR"
}

// pathFix is advice for a file-system call that failed on path.
//
// The situation comes from the system error's code, so that Windows'
// errors (ERROR_DISK_FULL, ERROR_WRITE_PROTECT) read as Unix's do.
func pathFix(err error, path, elsewhere string) string {
	code, _ := hresult.FromOSError(err)
	switch {
	case code == hresult.WriteProtect:
		return "the file system holding " + path + " is mounted read-only: " + elsewhere + " on a writable one"
	case code == hresult.DiskFull:
		return "the device holding " + path + " is full: free space on it, or " + elsewhere
	case errors.Is(err, fs.ErrPermission):
		if _, serr := os.Lstat(path); errors.Is(serr, fs.ErrNotExist) {
			// Creating it was refused (a lock file, a new state
			// directory): the directory it goes in is what to look at.
			dir := filepath.Dir(path)
			return "you may not create files in " + dir + ": " + checkAccess(dir, "-ld") + ", or " + elsewhere
		}
		return "you may not read or write " + path + ": " + checkAccess(path, "-ld") + ", or " + elsewhere
	case errors.Is(err, fs.ErrNotExist):
		return "a part of " + path + " does not exist: create it, or " + elsewhere
	case errors.Is(err, syscall.ENOTDIR):
		return "a part of " + path + " is a file, not a directory: " + elsewhere
	}
	return "check " + path + ", or " + elsewhere
}

// hostsFileWords: --hosts-file could not be read, or has a bad line.
func hostsFileWords(e *probe.HostsFileError, c Context) said {
	if e.Line > 0 {
		return said{code: hresult.InvalidArg, fix: "one HOST[:PORT] per line; # starts a comment"}
	}
	return inputFileWords(e.Name, e.Err, c.Flag("hosts-file"), "the hosts file", "a file with one HOST[:PORT] per line")
}

// exporterConfigWords: exporter --config could not be read, or says
// something kmsctl cannot use (Line, when known, names where).
func exporterConfigWords(e *config.Error, c Context) said {
	if _, readErr := hresult.FromOSError(e.Err); e.Line > 0 || !readErr && !errors.Is(e.Err, syscall.EISDIR) {
		where := e.Path
		if e.Line > 0 {
			where = "line " + strconv.Itoa(e.Line) + " of " + e.Path
		}
		return said{code: hresult.InvalidArg, fix: "correct " + where + " (README, Configuration file, lists every key), then check it with: kmsctl exporter --config " + e.Path + " --check-config"}
	}
	return inputFileWords(e.Path, e.Err, c.Flag("config"), "the configuration file", "a YAML file of modules and settings, such as deploy/kmsctl/exporter.yml")
}

// auditFileWords: host audit --file could not be opened or read.
func auditFileWords(e *audit.OpenError, c Context) said {
	return inputFileWords(e.Path, e.Err, c.Flag("file"), "the log file", "an exported log (wevtutil XML or Get-WinEvent JSON)")
}

// inputFileWords: a file the user named for kmsctl to read (flag, or
// what when the command has no such flag, takes a file holding takes)
// could not be opened or read. The code is the system error's; a
// directory is a bad argument, 0x80070057.
func inputFileWords(name string, err error, flag, what, takes string) said {
	s := said{code: hresult.InvalidArg}
	if code, ok := hresult.FromOSError(err); ok {
		s.code = code
	}
	if flag == "" {
		flag = what
	}
	switch {
	case errors.Is(err, syscall.EISDIR):
		s.code = hresult.InvalidArg
		s.fix = name + " is a directory: " + flag + " takes " + takes
	case errors.Is(err, fs.ErrNotExist):
		s.fix = "check the path: " + flag + " takes " + takes
	case errors.Is(err, fs.ErrPermission):
		s.fix = "you may not read " + name + ": " + checkAccess(name, "-l")
	default:
		s.fix = flag + " takes " + takes
	}
	return s
}

// pathWords: a file-system call failed that no package wrapped in a type
// of its own.
func pathWords(pe *fs.PathError, c Context) said {
	code, ok := hresult.FromOSError(pe.Err)
	if !ok {
		code = hresult.Unclassified
	}
	return said{code: code, fix: pathFix(pe.Err, pe.Path, c.stateDirElsewhere())}
}
