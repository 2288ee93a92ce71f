package kmshost

import "strings"

// WithoutSealing makes --auth ntlm over HTTP send plain SOAP messages, as
// kmsctl did before it implemented WinRM message encryption: tests show
// what a default Windows host answers to that.
func WithoutSealing(c *Config) { c.plainNTLM = true }

// IsHostKeyChannel reports whether a product description names a KMS host
// key channel (VOLUME_KMS… but not VOLUME_KMSCLIENT), as slmgr decides it:
// what the tests expect of a decoded host product (kmsctl itself goes by
// KeyManagementServiceMachine, Product.KMSMachine).
func IsHostKeyChannel(description string) bool {
	d := strings.ToUpper(description)
	return strings.Contains(d, "VOLUME_KMS") && !strings.Contains(d, "VOLUME_KMSCLIENT")
}
