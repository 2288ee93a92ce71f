package discovery

import (
	"fmt"
	"strings"
)

// CheckName says why name is not a DNS name kmsctl asks for or connects
// to, or returns "" for one that is: at most 253 characters (RFC 1035
// §2.3.4, without the root dot), labels of 1 to 63 letters, digits,
// hyphens and underscores (SRV owner names such as _vlmcs._tcp use them),
// no label starting or ending with a hyphen (RFC 952). A trailing dot is
// allowed. what names the thing in the reason: "host name", "domain".
func CheckName(name, what string) string {
	if name == "" {
		return "empty " + what
	}
	if len(name) > 253 {
		return what + " longer than 253 characters"
	}
	for _, label := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		if label == "" || len(label) > 63 {
			return "empty or over-long label in " + what
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return "a label starts or ends with a hyphen: a " + what + " part cannot start or end with '-'"
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return fmt.Sprintf("character %q is not allowed in a %s", c, what)
			}
		}
	}
	return ""
}
