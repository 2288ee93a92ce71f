//go:build !windows

package failure

import "syscall"

// closedPipe lists the errors a write to a pipe whose reader went away
// returns: EPIPE on POSIX systems (the process catches SIGPIPE, see
// output's catchSIGPIPE).
var closedPipe = []error{syscall.EPIPE}
