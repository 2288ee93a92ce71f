package output

import (
	"fmt"
	"net"
	"regexp"
	"strings"
	"sync"
)

// hostFailure is one host (or host and group) that failed, described.
type hostFailure struct {
	where string
	name  string // the host's name or address, without its port
	info  ErrorInfo
	key   string // failureKey: failures with the same key have the same cause
}

// hostFailure describes err, the failure of host (HOST[:PORT], as given),
// reported as where (the host, or the host and a group).
func (s *Streams) hostFailure(where, host string, err error) hostFailure {
	info := s.describe(err)
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	return hostFailure{where, name, info, failureKey(name, info)}
}

// writeFailures writes the failures of a fleet run on stderr: one failure
// as its full block; several as one "WHERE: CODE cause" line each
// (wrapped between words at stderr's terminal width, continuing under the
// code), then the full block once per distinct cause ("… and N more like
// it"), whose advice then says "these hosts" where it named the first.
func (s *Streams) writeFailures(fails []hostFailure) {
	if len(fails) == 1 {
		fmt.Fprintf(s.Err, "%s:\n", fails[0].where)
		s.writeErrorInfo(s.Err, fails[0].info, "")
		return
	}
	var keys []string
	first := map[string]int{} // key -> index in fails of its first failure
	n := map[string]int{}
	for i, f := range fails {
		s.textLine(s.Err, "", f.where+": ", s.bad(f.info.Code)+" "+f.info.Cause)
		if _, ok := first[f.key]; !ok {
			first[f.key] = i
			keys = append(keys, f.key)
		}
		n[f.key]++
	}
	for _, k := range keys {
		f := fails[first[k]]
		if n[k] > 1 {
			// The advice is given to every host of the group: it names
			// none of them.
			f.info.Fix = replaceName(f.info.Fix, f.name, "these hosts")
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

// failureKey is what makes two failures the same cause: the same code,
// message, cause and fix, once host names are set aside (the failing
// host's own name as given without its port, and IPv4 addresses, such as the one a name
// resolved to). Everything else stays: a DNS failure and a refused
// connection differ by their cause, and advice naming a port ("nothing
// listens on TCP port 1") is shared only by hosts on that port, so that a
// block written once never tells a host what does not fit it.
func failureKey(name string, info ErrorInfo) string {
	key := strings.Join([]string{info.Code, info.Message, info.Cause, info.Fix}, "\x01")
	return ipv4Literal().ReplaceAllString(replaceName(key, name, "\x00host\x00"), "\x00host\x00")
}

// ipv4Literal is an IPv4 address in a text (compiled on first use, not at
// start-up).
var ipv4Literal = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\b\d{1,3}(\.\d{1,3}){3}\b`)
})

// replaceName replaces name in text where it stands as a whole name (not
// inside a longer host name or word), with by.
func replaceName(text, name, by string) string {
	if name == "" {
		return text
	}
	inName := func(c byte) bool {
		return c == '.' || c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	var b strings.Builder
	for {
		i := strings.Index(text, name)
		if i < 0 {
			break
		}
		end := i + len(name)
		whole := (i == 0 || !inName(text[i-1])) && (end == len(text) || !inName(text[end]) ||
			text[end] == '.' && (end+1 == len(text) || !inName(text[end+1]))) // a full stop after it
		b.WriteString(text[:i])
		if whole {
			b.WriteString(by)
		} else {
			b.WriteString(name)
		}
		text = text[end:]
	}
	b.WriteString(text)
	return b.String()
}
