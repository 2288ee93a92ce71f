// Package kmsaddr reads the address of a KMS host as people write it:
// HOST, HOST:PORT, [IPv6]:PORT, [IPv6] or a bare IPv6 address, with the
// KMS port (kmsclient.DefaultPort) by default. status, the exporter and
// the licence store's KMS host setting (skms) all read addresses here.
package kmsaddr

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"unicode"

	"github.com/kmsctl/kmsctl/discovery"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmsclient"
)

// Error is a host argument that is not HOST[:PORT]: Input as given, and
// why not.
type Error struct {
	Input  string
	Reason string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%q is not HOST[:PORT]: %s", e.Input, e.Reason)
}

// Code is the HRESULT slmgr gives a malformed argument.
func (e *Error) Code() hresult.Code { return hresult.InvalidArg }

// Parse turns HOST, HOST:PORT, [IPv6]:PORT, [IPv6] or a bare IPv6
// address into host:port, with the KMS port 1688 by default.
func Parse(s string) (string, error) {
	in := s
	s = strings.TrimSpace(s)
	if s == "" {
		return "", &Error{in, "empty"}
	}
	if scheme, rest, ok := strings.Cut(s, "://"); ok && scheme != "" && !strings.ContainsAny(scheme, ":/[]") {
		example := strings.TrimRight(rest, "/")
		if _, err := Parse(example); err != nil {
			example = "kms.example.com:1688"
		}
		return "", &Error{in, fmt.Sprintf("remove the scheme %q: write HOST[:PORT], e.g. %s", scheme+"://", example)}
	}
	if i := strings.IndexAny(s, ",;"); i >= 0 {
		// "kms1:1688,kms2:1688": a list, not one host.
		return "", &Error{in, fmt.Sprintf("a list: %q separates several hosts; give each as its own argument or line", s[i:i+1])}
	}
	if i := strings.IndexFunc(s, unicode.IsSpace); i >= 0 {
		// Before the IPv6 rule: "10.0.0.5:1688 10.0.0.6:1688" has two
		// colons but is no IPv6 address.
		return "", &Error{in, fmt.Sprintf("character %q is not allowed in a host name (one host per argument or line)", rune(s[i]))}
	}
	var host, port string
	switch {
	case strings.HasPrefix(s, "["):
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", &Error{in, "missing ]"}
		}
		host = s[1:end]
		rest := s[end+1:]
		if rest != "" {
			if !strings.HasPrefix(rest, ":") {
				return "", &Error{in, "unexpected text after ]"}
			}
			port = rest[1:]
			if port == "" {
				return "", &Error{in, "empty port"}
			}
		}
		if ip := net.ParseIP(host); ip == nil || ip.To4() != nil && !strings.Contains(host, ":") {
			return "", &Error{in, "brackets hold an IPv6 address"}
		}
	case strings.Count(s, ":") > 1:
		if net.ParseIP(s) == nil {
			return "", &Error{in, "write IPv6 addresses in brackets, e.g. [2001:db8::1]:1688"}
		}
		host = s
	default:
		var ok bool
		host, port, ok = strings.Cut(s, ":")
		if ok && port == "" {
			return "", &Error{in, "empty port"}
		}
		if err := discovery.CheckName(host, "host name"); err != "" {
			return "", &Error{in, err}
		}
	}
	if port == "" {
		port = strconv.Itoa(kmsclient.DefaultPort)
	}
	if _, err := parsePort(in, port); err != nil {
		return "", err
	}
	return net.JoinHostPort(host, port), nil
}

// ParsePort checks a port given alone (slmgr's "/skms :PORT"): a number
// from 1 to 65535, written without sign or leading zero. The error is an
// *Error whose Input is ":PORT".
func ParsePort(s string) (int, error) { return parsePort(":"+s, s) }

// parsePort checks port, part of the argument in.
func parsePort(in, port string) (int, error) {
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 || port[0] == '0' || port[0] == '+' {
		return 0, &Error{in, fmt.Sprintf("port %q is not a number from 1 to 65535", port)}
	}
	return n, nil
}
