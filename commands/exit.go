package commands

import (
	"errors"

	"github.com/urfave/cli/v2"

	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/output"
)

// Exit reports err once and returns the process's exit status, which
// failure.ExitStatus alone decides. A result that could not be written to
// standard output is a failure, said in one line on stderr (nothing for a
// closed pipe); an error already shown with the result
// (*failure.Reported) is not shown again.
func (e *Env) Exit(err error) int {
	s := e.Streams(nil)
	if werr := s.WriteFailed(); werr != nil {
		if failure.Quiet(&failure.WriteError{Err: werr}) {
			// A closed pipe: the reader took what it wanted. Nothing is
			// said and the result's own status stands; the failed write
			// itself is no failure.
			if errors.Is(err, werr) {
				err = nil
			}
			return failure.ExitStatus(err, e.failureContext())
		}
		err = &failure.WriteError{Err: werr}
	}
	var (
		rep   *failure.Reported
		write *failure.WriteError
	)
	switch {
	case err == nil, errors.As(err, &rep):
	case errors.As(err, &write) && write.File == "":
		// Standard output failed: one line on stderr, the only place left.
		if !failure.Quiet(err) {
			s.WriteLine(write.Error())
		}
	default:
		switch {
		case e.check && e.ran.name == "host audit":
			s.CheckUnknown(output.AuditCheckService, err)
		case e.check:
			s.CheckUnknown(output.CheckService, err)
		case e.json:
			s.WriteErrorJSON(err)
		default:
			s.WriteError(err)
		}
		if werr := s.WriteFailed(); werr != nil && !failure.Quiet(&failure.WriteError{Err: werr}) {
			// Nowhere to put the report on stdout: say so on stderr.
			err = &failure.WriteError{Err: werr}
			s.WriteLine(err.Error())
		}
	}
	return failure.ExitStatus(err, e.failureContext())
}

// failureContext is what package failure knows of the run: the command
// and its flags, and whether it is a monitoring check.
func (e *Env) failureContext() failure.Context {
	return failure.Context{Command: e.ran.name, Flags: e.ran.flags, Check: e.check}
}

// running records the command c runs, for failureContext.
func (e *Env) running(c *cli.Context) {
	e.ran.name = commandPath(c)
	e.ran.flags = nil
	var flags []cli.Flag
	if c.Command != nil {
		flags = append(flags, c.Command.Flags...)
	}
	for _, f := range append(flags, c.App.Flags...) {
		e.ran.flags = append(e.ran.flags, f.Names()...)
	}
}
