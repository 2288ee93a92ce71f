package kmsclient

import "time"

// The KMS timers: every interval and window kmsctl relies on, each named
// once, here, with its source. docs/protocol.md covers what the wire
// carries; docs/slmgr.md §2 covers the client's lifecycle around it.

// CountWindowDays and CountWindow are how long a KMS host keeps counting a
// client after its last request: a host's count is the distinct CMIDs it
// saw in the last 30 days, the one asking included, per product family
// (docs/protocol.md §8).
const (
	CountWindowDays = 30
	CountWindow     = CountWindowDays * 24 * time.Hour
)

// The intervals a Microsoft KMS host can be set to, in minutes: 15 minutes
// to 30 days, the range slmgr /sai and /sri accept (docs/protocol.md §8,
// docs/slmgr.md §2). kmsctl keeps a host's intervals within it.
const (
	MinIntervalMinutes = 15
	MaxIntervalMinutes = 43200
)

// The intervals a client uses until a host sends its own, in minutes
// (docs/protocol.md §4.2, docs/slmgr.md §2).
const (
	// DefaultActivationIntervalMinutes is how often a client that is not
	// activated, or whose renewal failed, asks again: 2 hours.
	DefaultActivationIntervalMinutes = 120
	// DefaultRenewalIntervalMinutes is how often an activated client
	// renews: 7 days.
	DefaultRenewalIntervalMinutes = 10080
)

// The KMS client's grace and validity periods (docs/slmgr.md §2). The
// protocol carries no validity period, so these are fixed, as on Windows.
const (
	// InitialGrace is the out-of-box grace period of a KMS client (Windows
	// and Office) after its key is installed or it is rearmed: 30 days.
	InitialGrace = 30 * 24 * time.Hour
	// Validity is how long a KMS activation lasts after the last
	// successful contact with a host: 180 days, reset by each renewal.
	Validity = 180 * 24 * time.Hour
	// OOTGracePeriod is the additional grace after an activation lapses: 30 days
	// (a third party's figure; docs/slmgr.md §2 says which).
	OOTGracePeriod = 30 * 24 * time.Hour
)
