package failure

import "syscall"

// errorNoData is ERROR_NO_DATA (232, "The pipe is being closed."), what
// WriteFile returns on Windows once the reading end of a pipe is closed
// (Go's own os.TestEPIPE expects it); the syscall package names only
// ERROR_BROKEN_PIPE (109), which a pipe whose reader has exited returns.
const errorNoData = syscall.Errno(232)

// closedPipe lists the errors a write to a pipe whose reader went away
// returns on Windows, which has no EPIPE of its own.
var closedPipe = []error{errorNoData, syscall.ERROR_BROKEN_PIPE}
