package kmsclient

import "time"

// The unexported pieces the external tests use. fuzz_test.go,
// vectors_test.go and ndr_test.go are in package kmsclient_test because
// they round-trip through the host half (internal/hostside), which
// imports kmsclient.
var (
	ErrStub        = errStub
	DecodeEPIDText = decodeEPIDText
	OSOfBuild      = osOfBuild
	HostKeyGroups  = hostKeyGroups
	KMSAbstract    = kmsAbstract
	SyntaxNDR32    = syntaxNDR32
	SyntaxNDR64    = syntaxNDR64
	SyntaxBTFN     = syntaxBTFN
)

const MaxStubExcess = maxStubExcess

// Test-only accessors and conversions: kmsctl itself never needs them.

// NDR64 reports whether the current association uses NDR64.
func (c *Conn) NDR64() bool { return c.ndr64 }

// Reconnects reports how often the host closed the connection between
// requests and Conn opened a new one.
func (c *Conn) Reconnects() int { return c.reconnects }

// FiletimeTime converts a FILETIME to a time.Time in UTC.
func FiletimeTime(ft uint64) time.Time {
	d := int64(ft - filetimeUnixOffset)
	if ft < filetimeUnixOffset {
		d = -int64(filetimeUnixOffset - ft)
	}
	return time.Unix(d/10_000_000, (d%10_000_000)*100).UTC()
}
