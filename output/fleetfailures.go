package output

import (
	"fmt"

	"github.com/kmsctl/kmsctl/failure"
)

// hostFailure is one host (or host and group) that failed, described.
type hostFailure struct {
	where string
	info  ErrorInfo
	// cause is info with the host taken out (failure.TemplateOf):
	// failures with equal ones have the same cause.
	cause failure.Template
}

// hostFailure describes err, the failure of host (HOST[:PORT], as given),
// reported as where (the host, or the host and a group).
func (s *Streams) hostFailure(where, host string, err error) hostFailure {
	info := s.describe(err)
	return hostFailure{where, info, failure.TemplateOf(info, err, host)}
}

// writeFailures writes the failures of a fleet run on stderr: one failure
// as its full block; several as one "WHERE: CODE cause" line each
// (wrapped between words at stderr's terminal width, continuing under the
// code), then the full block once per distinct cause ("… and N more like
// it"), whose advice is then the one for all of them, naming none
// (failure.Template.ForAll).
func (s *Streams) writeFailures(fails []hostFailure) {
	if len(fails) == 1 {
		fmt.Fprintf(s.Err, "%s:\n", fails[0].where)
		s.writeErrorInfo(s.Err, fails[0].info, "")
		return
	}
	var keys []failure.Template
	first := map[failure.Template]int{} // cause -> index in fails of its first failure
	n := map[failure.Template]int{}
	for i, f := range fails {
		s.textLine(s.Err, "", f.where+": ", s.on(s.Err).bad(f.info.Code)+" "+f.info.Cause)
		if _, ok := first[f.cause]; !ok {
			first[f.cause] = i
			keys = append(keys, f.cause)
		}
		n[f.cause]++
	}
	for _, k := range keys {
		f := fails[first[k]]
		if n[k] > 1 {
			// The advice is given to every host of the group: it names
			// none of them.
			f.info.Fix = f.cause.ForAll()
		}
		switch more := n[k] - 1; more {
		case 0:
			fmt.Fprintf(s.Err, "%s:\n", f.where)
		case 1:
			fmt.Fprintf(s.Err, "%s and 1 more like it:\n", f.where)
		default:
			fmt.Fprintf(s.Err, "%s and %d more like it:\n", f.where, more)
		}
		s.writeErrorInfo(s.Err, f.info, "")
	}
}
