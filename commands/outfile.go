package commands

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/output"
	"github.com/kmsctl/kmsctl/statedir"
)

// writeReport runs render on the command's streams, or, when file is not
// "" (--output), with stdout going to a buffer that is then written to
// file whole: a temporary file in the same directory, fsynced and renamed
// over it, so a reader such as node_exporter's textfile collector never
// sees half a report. A run interrupted by Ctrl-C (failure.IsInterrupted)
// writes no file: the old one stays, and stderr says so. A report that cannot be written is a
// *failure.WriteError naming the file (one line on stderr, exit 2, or
// UNKNOWN under --check), whatever render returned.
func (e *Env) writeReport(c *cli.Context, file string, render func(out *output.Streams) error) error {
	real := e.Streams(c)
	if file == "" {
		return render(real)
	}
	if err := checkOutput(file); err != nil {
		return err
	}
	s := *real
	var buf bytes.Buffer
	s.Out = &buf
	s.TTY, s.Color = false, false // a file gets what a pipe gets
	err := render(&s)
	if failure.IsInterrupted(err) {
		// A partial report published as the latest would say hosts never
		// asked are down (Prometheus) or missing: the old one stays.
		real.Warning(file + " was left as it was: the run was interrupted before it finished, so its report was not written")
		return err
	}
	var rep *failure.Reported
	if buf.Len() == 0 && err != nil && !errors.As(err, &rep) {
		return err // nothing to write: report the failure as usual
	}
	if werr := statedir.WriteFileMode(file, buf.Bytes(), reportMode(file)); werr != nil {
		return &failure.WriteError{Err: werr, File: file}
	}
	return err
}

// checkOutput checks, before any work, that the report can be written to
// file (--output): its directory exists and may be written (tried with a
// temporary file, removed at once), and file, if it exists, is a regular
// file. It does not create file. The error is a *failure.WriteError
// naming file.
func checkOutput(file string) error {
	fail := func(err error) error { return &failure.WriteError{Err: err, File: file} }
	if fi, err := os.Stat(file); err == nil && !fi.Mode().IsRegular() {
		return fail(&statedir.Error{Op: "write", Path: file, Problem: statedir.ProblemNotRegular, Mode: fi.Mode()})
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".kmsctl-check-*")
	if err != nil {
		return fail(err)
	}
	tmp.Close()
	return os.Remove(tmp.Name())
}

// reportMode keeps an existing report's mode; a new one is readable by
// all (0644), as a textfile collector running as another user needs.
func reportMode(file string) fs.FileMode {
	if fi, err := os.Stat(file); err == nil && fi.Mode().IsRegular() {
		return fi.Mode().Perm()
	}
	return 0o644
}
