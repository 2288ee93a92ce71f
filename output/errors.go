package output

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kmsctl/kmsctl/catalogue"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmsclient"
)

// ErrorInfo is an error as kmsctl reports it, and its JSON form.
type ErrorInfo struct {
	Code    string `json:"code"`    // 0xC004F074
	Message string `json:"message"` // what the code means
	Cause   string `json:"cause"`   // what actually happened
	Fix     string `json:"fix"`     // what to try
}

// Coded is an error that knows its Windows code.
type Coded interface {
	error
	Code() hresult.Code
}

// Hinted is an error that knows better advice than the code table's; its
// hint replaces the table's.
type Hinted interface {
	Hint() string
}

// Explained is an error that says better what its code means here.
type Explained interface {
	Meaning() string
}

// UsageError is a wrong flag, argument or combination.
type UsageError struct {
	Msg  string
	Hint string // e.g. the corrected command line
}

func (e *UsageError) Error() string      { return e.Msg }
func (e *UsageError) Code() hresult.Code { return hresult.InvalidArg }

// Silent carries an exit code for a result already reported.
type Silent struct{ Code int }

func (s Silent) Error() string { return fmt.Sprintf("exit status %d", s.Code) }

// Describe explains err with its Windows code, meaning, cause and fix.
func Describe(err error) ErrorInfo {
	code := hresult.NoKMSHost
	var hint string
	ownAdvice := false // the table's advice is about slmgr's arguments; ours replaces it
	var ke *kmsclient.Error
	var coded Coded
	switch {
	case errors.As(err, &ke):
		code = ke.Code
		hint = kindHint(ke)
	case errors.As(err, &coded):
		code = coded.Code()
	case errors.Is(err, catalogue.ErrNotFound), errors.Is(err, catalogue.ErrAmbiguous):
		code = hresult.InvalidArg
		hint = `name a product exactly (case does not matter), or by its SKU ID or GVLK`
		ownAdvice = true
	}
	var h Hinted
	if errors.As(err, &h) && h.Hint() != "" {
		hint, ownAdvice = h.Hint(), true
	}
	info := ErrorInfo{Code: code.String(), Cause: err.Error()}
	if i, ok := hresult.Lookup(code); ok {
		info.Message, info.Fix = i.Meaning, i.Fix
	}
	var ue *UsageError
	if errors.As(err, &ue) {
		hint, ownAdvice = ue.Hint, true
	}
	if ownAdvice {
		info.Fix = ""
	}
	var ex Explained
	if errors.As(err, &ex) {
		info.Message = ex.Meaning()
	}
	if info.Message == "" {
		info.Message = "Unexplained error code."
	}
	if hint != "" {
		if info.Fix == "" {
			info.Fix = hint
		} else {
			info.Fix = hint + ". " + info.Fix
		}
	}
	return info
}

// kindHint is advice specific to how the exchange failed, ahead of the
// table's general advice for the code.
func kindHint(e *kmsclient.Error) string {
	switch e.Kind {
	case kmsclient.KindVerify:
		return "the reply failed the " + e.Check + " check, so it was not trusted: it was damaged on the way, or the host is not a faithful KMS implementation; try again, then compare with another host or another protocol version (--protocol)"
	case kmsclient.KindTimeout:
		addr := e.Addr
		if addr == "" {
			addr = "the host's TCP port"
		}
		return "the host did not answer in time; raise --timeout, or check that " + addr + " is reachable from here and the host is not overloaded"
	case kmsclient.KindNetwork:
		if strings.Contains(e.Error(), "no such host") {
			return "the host name does not resolve; check its spelling and your DNS"
		}
		if strings.Contains(e.Error(), "refused") {
			return "nothing listens on that port; check the port and that the Software Protection service runs on the host"
		}
	case kmsclient.KindBind:
		return "the machine speaks DCE/RPC but not the KMS interface: it is probably not a KMS host"
	case kmsclient.KindProtocol:
		return "the host's answer is not valid DCE/RPC; it may not be a KMS host, or something on the path alters TCP traffic"
	}
	return ""
}

// WriteError renders err for a person on s.Err:
//
//	Error: 0xC004F074 — meaning
//	  cause: ...
//	  try:   ...
func (s *Streams) WriteError(err error) {
	s.writeErrorInfo(s.Err, Describe(err), "")
}

func (s *Streams) writeErrorInfo(w interface{ Write([]byte) (int, error) }, info ErrorInfo, indent string) {
	fmt.Fprintf(w, "%s%s %s — %s\n", indent, s.bad("Error:"), info.Code, info.Message)
	fmt.Fprintf(w, "%s  cause: %s\n", indent, info.Cause)
	if info.Fix != "" {
		fmt.Fprintf(w, "%s  try:   %s\n", indent, info.Fix)
	}
}

// WriteErrorJSON writes {"error": {...}} on s.Out.
func (s *Streams) WriteErrorJSON(err error) error {
	info := Describe(err)
	return writeJSON(s.Out, struct {
		Error ErrorInfo `json:"error"`
	}{info})
}

// ExitCode is the one place an error becomes an exit status: 0 success,
// 1 the host answered but said no, 2 everything else (unreachable,
// verification failed, corrupt state, bad usage).
func ExitCode(err error) int {
	if err == nil {
		return 0
	}
	var s Silent
	if errors.As(err, &s) {
		return s.Code
	}
	var ke *kmsclient.Error
	if errors.As(err, &ke) && ke.Kind == kmsclient.KindHost {
		return 1
	}
	return 2
}

// Exit reports err (unless it is Silent) and returns the process exit code.
func (s *Streams) Exit(err error, asJSON bool) int {
	if err == nil {
		return 0
	}
	var silent Silent
	if !errors.As(err, &silent) {
		if asJSON {
			s.WriteErrorJSON(err)
		} else {
			s.WriteError(err)
		}
	}
	return ExitCode(err)
}
