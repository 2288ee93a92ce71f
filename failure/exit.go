package failure

import (
	"errors"
	"syscall"

	"github.com/kmsctl/kmsctl/discovery"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/probe"
)

// Exit statuses (README, "Exit status"). --check uses Nagios' 0 to 3.
const (
	ExitOK      = 0 // success
	ExitRefused = 1 // the host answered but said no
	ExitFailed  = 2 // failure or bad usage
	ExitUnknown = 3 // --check: the check could not be run (Nagios UNKNOWN)
	// ExitInterrupted is a run stopped by Ctrl-C (SIGINT) after it wrote
	// what it had: 128 + SIGINT's number, as shells report it.
	ExitInterrupted = 130
)

// WriteError is a failed write of the command's result to standard output,
// or to File when the command was told to write it there (--output).
type WriteError struct {
	Err  error
	File string // "" for standard output
}

func (e *WriteError) Error() string {
	if e.File != "" {
		return "write " + e.File + ": " + causeText(e.Err)
	}
	return "write standard output: " + causeText(e.Err)
}
func (e *WriteError) Unwrap() error { return e.Err }

// causeText is the system's words for err without Go's "write /dev/stdout:"
// prefix.
func causeText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	return err.Error()
}

// Quiet reports whether err is a write to a reader that went away (a
// closed pipe: `kmsctl ... | head`), which is not worth a message. The
// errors that mean it differ by system: closedPipe.
func Quiet(err error) bool {
	var w *WriteError
	if !errors.As(err, &w) {
		return false
	}
	for _, closed := range closedPipe {
		if errors.Is(w.Err, closed) {
			return true
		}
	}
	return false
}

// Reported is a result the command has written in full (on stdout, with
// its own errors inside) that is not a plain success; nothing more is
// printed for it. Build it with Hosts, Activation, DNSCheck or Check.
type Reported struct {
	refused, failed bool
	interrupted     bool // Ctrl-C stopped the run: 130, whatever else
	check           int  // Nagios state, when nagios
	nagios          bool // a --check run
}

func (r *Reported) Error() string {
	switch {
	case r.interrupted:
		return "interrupted"
	case r.nagios:
		return "check state " + [...]string{"OK", "WARNING", "CRITICAL", "UNKNOWN"}[min(max(r.check, 0), 3)]
	case r.failed:
		return "something failed"
	}
	return "the host said no"
}

// Hosts is the result of a status run: the worst host's. A count below the
// threshold is a refusal; a host or group that failed, or a WinRM read in
// wmiErrs that failed, is a failure.
func Hosts(hosts []probe.Host, wmiErrs []error) error {
	r := &Reported{}
	for i := range hosts {
		switch hosts[i].Outcome() {
		case probe.Below:
			r.refused = true
		case probe.Failed:
			r.failed = true
		}
	}
	for _, err := range wmiErrs {
		if err != nil {
			r.failed = true
		}
	}
	if !r.refused && !r.failed {
		return nil
	}
	return r
}

// Interrupted is the result of a run the user stopped with Ctrl-C after
// it wrote what it had collected: exit status 130 (ExitInterrupted).
func Interrupted() error { return &Reported{interrupted: true} }

// CheckInterrupted is the result of a monitoring check (--check) the user
// stopped with Ctrl-C: UNKNOWN (3), a state Nagios knows, not 130.
func CheckInterrupted() error {
	return &Reported{interrupted: true, nagios: true, check: ExitUnknown}
}

// Activations is the result of ato or renew over several products: 2 when
// any contact failed, 1 when the hosts answered and one refused, 0 when
// every product activated (or had nothing due).
func Activations(errs []error) error {
	r := &Reported{}
	for _, err := range errs {
		if err != nil {
			r.refused = r.refused || refused(err)
			r.failed = r.failed || !refused(err)
		}
	}
	if !r.refused && !r.failed {
		return nil
	}
	return r
}

// DNSCheck is the result of dns check: a record dead or duplicated is a
// refusal (1), a lookup that failed a failure (2).
func DNSCheck(r *discovery.Report, lookupErr error) error {
	if lookupErr != nil {
		return &Reported{failed: true}
	}
	for i := range r.Records {
		if r.Records[i].Dead || r.Records[i].Duplicate {
			return &Reported{refused: true}
		}
	}
	return nil
}

// Check is the result of a monitoring check in Nagios' state (0 OK, 1
// WARNING, 2 CRITICAL, 3 UNKNOWN).
func Check(state int) error {
	if state == 0 {
		return nil
	}
	return &Reported{nagios: true, check: state}
}

// ExitStatus is the exit status of a run that ended with err: the one
// place it is decided.
//
//	0  success
//	1  the host answered but said no (a count below the threshold, an
//	   HRESULT in place of a reply), or dns check found a dead record
//	2  everything else: no answer, a reply that failed verification, a
//	   local failure, bad usage, a failed write of the result
//
// With --check (c.Check) a result is Nagios' state, and a failure to run
// the check at all is UNKNOWN, 3, and so is a check interrupted by Ctrl-C
// (CheckInterrupted). Any other run interrupted by Ctrl-C after it wrote
// its partial result (Interrupted) is 130.
func ExitStatus(err error, c Context) int {
	var rep *Reported
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &rep):
		switch {
		case rep.nagios:
			return rep.check
		case rep.interrupted:
			return ExitInterrupted
		case rep.failed:
			return ExitFailed
		}
		return ExitRefused
	case c.Check:
		return ExitUnknown
	case refused(err):
		return ExitRefused
	}
	return ExitFailed
}

// refused reports whether err means the host answered and said no.
func refused(err error) bool {
	var ke *kmsclient.Error
	if errors.As(err, &ke) && ke.Kind == kmsclient.KindHost {
		return true
	}
	var r interface{ Refused() bool }
	return errors.As(err, &r) && r.Refused()
}
