//go:build !windows

package statedir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// defaultDir is $XDG_STATE_HOME/kmsctl, or ~/.local/state/kmsctl when that
// is unset or not absolute (the XDG spec says to ignore relative values).
// macOS uses the same layout: kmsctl is a command-line tool, not an app
// with a ~/Library container.
func defaultDir(getenv func(string) string) (string, error) {
	if x := getenv("XDG_STATE_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "kmsctl"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("$HOME is not set")
	}
	return filepath.Join(home, ".local", "state", "kmsctl"), nil
}

// syncDir fsyncs dir so that a rename inside it is durable. File systems
// that cannot fsync a directory (EINVAL, ENOTSUP) are not an error.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP) {
		return nil
	}
	return err
}

// tighten sets dir, described by fi, to mode 0700 unless it already is.
// It refuses rather than chmods a sticky directory (a shared one like /tmp)
// or one owned by another user: changing those would break someone else.
func tighten(dir string, fi fs.FileInfo) error {
	perm := fi.Mode().Perm()
	if perm == 0o700 {
		return nil
	}
	if fi.Mode()&fs.ModeSticky != 0 {
		return fmt.Errorf("state directory %s is a shared directory (mode %s); choose a private one", dir, fi.Mode())
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("state directory %s has mode %#o and is owned by uid %d, not by you (uid %d); fix it with chmod 700 or choose another directory",
			dir, perm, st.Uid, os.Geteuid())
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("state directory %s has mode %#o and cannot be made private: %w", dir, perm, err)
	}
	return nil
}
