package kmshost

// WithoutSealing makes --auth ntlm over HTTP send plain SOAP messages, as
// kmsctl did before it implemented WinRM message encryption: tests show
// what a default Windows host answers to that.
func WithoutSealing(c *Config) { c.plainNTLM = true }
