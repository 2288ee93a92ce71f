package output

import (
	"fmt"
	"io"

	"github.com/kmsctl/kmsctl/failure"
	"github.com/kmsctl/kmsctl/internal/textsafe"
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
//
// On a terminal (ErrWidth > 0) each part is wrapped at ErrWidth columns
// between words, continuing under its text; piped, each stays one line.
func (s *Streams) WriteError(err error) {
	s.writeErrorInfo(s.Err, s.describe(err), "")
}

func (s *Streams) writeErrorInfo(w io.Writer, info ErrorInfo, indent string) {
	// A message or cause may quote a host's text (a WinRM fault).
	info.Message, info.Cause, info.Fix = textsafe.Escape(info.Message), textsafe.Escape(info.Cause), textsafe.Escape(info.Fix)
	head := fmt.Sprintf("%s%s %s — ", indent, s.on(w).bad("Error:"), info.Code)
	hw := textWidth(head)
	fmt.Fprintf(w, "%s%s\n", head, Wrap(info.Message, s.ErrWidth, hw, hw))
	label := textWidth(indent + "  cause: ")
	fmt.Fprintf(w, "%s  cause: %s\n", indent, Wrap(info.Cause, s.ErrWidth, label, label))
	if info.Fix != "" {
		fmt.Fprintf(w, "%s  try:   %s\n", indent, Wrap(info.Fix, s.ErrWidth, label, label))
	}
}

// ErrorJSON is the document of a command that failed, with --json.
type ErrorJSON struct {
	Error ErrorInfo `json:"error"`
}

// layout is the error block on stderr (WriteError).
func (d ErrorJSON) layout(s *Streams, _ View) error {
	s.writeErrorInfo(s.Err, d.Error, "")
	return nil
}

// WriteErrorJSON writes {"error": {...}} on s.Out.
func (s *Streams) WriteErrorJSON(err error) error {
	return s.Show(ErrorJSON{s.describe(err)}, ViewJSON)
}

// WriteLine writes one line on s.Err, for a failure that must be said in
// one line (a failed write of the result).
func (s *Streams) WriteLine(msg string) {
	fmt.Fprintln(s.Err, msg)
}
