package kmsclient

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
