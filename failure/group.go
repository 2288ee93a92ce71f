package failure

import (
	"cmp"
	"errors"
	"net"
	"slices"
	"strings"

	"github.com/kmsctl/kmsctl/discovery"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/kmshost"
)

// HostMark stands for the failing host in a Template.
const HostMark = "\x00host\x00"

// Template is a failure's words with the failing host taken out: its
// code, message, cause and fix, each place they name the host (its name
// and HOST:PORT as given, the addresses and names its error's facts
// hold, each with and without its port) written HostMark, and kmsctl's
// own end of a connection set aside too; the fix is the advice for
// several hosts when Describe has one (it names none of them: "check
// that these hosts are reachable"). Failures of several hosts with equal
// Templates have one cause and take the same advice, so a fleet report
// explains them once, whichever ports they are on; everything else
// stays, so a DNS failure and a refused connection differ by their
// cause.
type Template Info

// TemplateOf is the Template of info, the words of err (Describe's), the
// failure of host (HOST[:PORT] as given).
func TemplateOf(info Info, err error, host string) Template {
	t := Template(info)
	// kmsctl's own endpoint ("dial tcp 127.0.0.1:40001->…"): its port
	// differs for every connection.
	if local := fact(err, func(e *net.OpError) net.Addr { return e.Source }); local != nil {
		for _, p := range []*string{&t.Message, &t.Cause, &t.Fix} {
			*p = strings.ReplaceAll(*p, local.String(), "\x00local\x00")
		}
	}
	if info.forAll != "" {
		t.Fix = info.forAll
	}
	for _, v := range hostValues(err, host) {
		for _, p := range []*string{&t.Message, &t.Cause, &t.Fix} {
			*p = replaceName(*p, v, HostMark)
		}
	}
	return t
}

// ForAll is the advice of t for every host that shares it: the advice
// for several hosts, or the fix with the host written as "these hosts".
func (t Template) ForAll() string { return strings.ReplaceAll(t.Fix, HostMark, "these hosts") }

// hostValues are the texts by which err's words can name host: its name
// or address as given, and what the error's facts hold about it (the
// addresses dialled, the name resolved), each as HOST:PORT and as HOST
// alone, an IPv6 address also in brackets. Longest first, so that
// "127.0.0.1:1688" goes before "127.0.0.1" and "[::1]" before "::1".
func hostValues(err error, host string) []string {
	var vs []string
	add := func(addr string) {
		if h, _, e := net.SplitHostPort(addr); e == nil {
			vs = append(vs, addr)
			addr = h
		}
		if addr != "" {
			vs = append(vs, addr)
		}
		if strings.Contains(addr, ":") {
			vs = append(vs, "["+addr+"]") // an IPv6 address as host:port writes it
		}
	}
	add(host)
	add(fact(err, func(e *kmsclient.Error) string { return e.Addr }))
	add(fact(err, func(e *kmshost.Error) string { return e.Host }))
	add(fact(err, func(e *discovery.Error) string { return e.Name }))
	add(fact(err, func(e *net.DNSError) string { return e.Name }))
	if remote := fact(err, func(e *net.OpError) net.Addr { return e.Addr }); remote != nil {
		add(remote.String())
	}
	slices.SortFunc(vs, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b)) })
	return slices.Compact(vs)
}

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

// fact is what f reads from the first error of type T in err's chain,
// the zero V when there is none.
func fact[T error, V any](err error, f func(T) V) V {
	var e T
	if errors.As(err, &e) {
		return f(e)
	}
	var zero V
	return zero
}
