package output

import (
	"fmt"
	"io"

	"github.com/kmsctl/kmsctl/failure"
)

// ErrorInfo is an error as kmsctl reports it: {"code","message","cause","fix"}.
// The words are decided by package failure, never here.
type ErrorInfo = failure.Info

// describe puts err into words for the command that runs (Streams.Describe),
// or without knowing the command when none was set.
func (s *Streams) describe(err error) ErrorInfo {
	if s.Describe != nil {
		return s.Describe(err)
	}
	return failure.Describe(err, failure.Context{})
}

// describeOrNil is describe, nil for no error.
func (s *Streams) describeOrNil(err error) *ErrorInfo {
	if err == nil {
		return nil
	}
	d := s.describe(err)
	return &d
}

// WriteError renders err for a person on s.Err:
//
//	Error: 0xC004F074 — meaning
//	  cause: ...
//	  try:   ...
func (s *Streams) WriteError(err error) {
	s.writeErrorInfo(s.Err, s.describe(err), "")
}

func (s *Streams) writeErrorInfo(w io.Writer, info ErrorInfo, indent string) {
	fmt.Fprintf(w, "%s%s %s — %s\n", indent, s.bad("Error:"), info.Code, info.Message)
	fmt.Fprintf(w, "%s  cause: %s\n", indent, info.Cause)
	if info.Fix != "" {
		fmt.Fprintf(w, "%s  try:   %s\n", indent, info.Fix)
	}
}

// WriteErrorJSON writes {"error": {...}} on s.Out.
func (s *Streams) WriteErrorJSON(err error) error {
	return writeJSON(s.Out, struct {
		Error ErrorInfo `json:"error"`
	}{s.describe(err)})
}

// WriteLine writes one line on s.Err, for a failure that must be said in
// one line (a failed write of the result).
func (s *Streams) WriteLine(msg string) {
	fmt.Fprintln(s.Err, msg)
}
