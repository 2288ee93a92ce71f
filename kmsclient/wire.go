package kmsclient

import "github.com/kmsctl/kmsctl/kmsclient/internal/wire"

// ErrShort is wrapped by every decoder that ran out of input.
var ErrShort = wire.ErrShort

// Filetime conversions: 100 ns intervals since 1601-01-01 UTC.
const filetimeUnixOffset = 11644473600 * 10_000_000
