package discovery

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kmsctl/kmsctl/hresult"
)

// Sentinel causes, wrapped by *Error; test them with errors.Is.
var (
	// ErrNameError: the server says the name does not exist (NXDOMAIN).
	ErrNameError = errors.New("name does not exist (NXDOMAIN)")
	// ErrNoRecords: the name exists but has no records of the type asked
	// (or, for _vlmcs._tcp, only the "service not offered" target ".").
	ErrNoRecords = errors.New("no records of that type")
	// ErrServerFailure: the server answered SERVFAIL, REFUSED or another
	// failure code, or its answer could not be used.
	ErrServerFailure = errors.New("server failure")
	// ErrTimeout: no answer before the deadline.
	ErrTimeout = errors.New("no answer in time")
	// ErrCNAMELoop: a chain of CNAMEs comes back to a name already seen.
	ErrCNAMELoop = errors.New("CNAME loop")
	// ErrTooManyHops: a chain of CNAMEs is longer than MaxCNAMEHops.
	ErrTooManyHops = errors.New("too many CNAMEs")
	// ErrNoHost: no host of those found answered.
	ErrNoHost = errors.New("no KMS host answered")
)

// Error is every failure of discovery. HRESULT is the code Windows reports
// for it (Code returns it, for the CLI's renderer):
//
//	0x8007232B  the name does not exist (NXDOMAIN)
//	0x8007251D  the name exists but has no SRV (or A/AAAA) records
//	0x8007232A  the DNS server failed (SERVFAIL, REFUSED, unusable answer, network error, CNAME loop)
//	0x800705B4  no answer before the deadline
//	0x80072AF9  an SRV record's target has no address (Record says which record)
//	0x8007007B  no domain to look in; 0x8007267C no DNS server to ask
//	0xC004F074  no host answered (Tried lists every attempt)
//	0x80070057  a malformed domain or server argument
type Error struct {
	HRESULT hresult.Code
	Op      string // what was being done: "look up SRV", "look up A", "find a KMS host that answers", ...
	Name    string // the DNS name asked, when there is one
	// Record is, for a target that does not resolve (0x80072AF9), the
	// SRV record's name that points at Name.
	Record string
	Server string    // the DNS server asked, when there is one
	Tried  []Attempt // Discover and Check: every DNS exchange
	// Err is the cause: ErrNameError, ErrNoRecords, ErrServerFailure,
	// ErrTimeout (with the context's or the network's error), ErrCNAMELoop,
	// ErrTooManyHops or ErrNoHost.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Record != "" {
		// "SRV record _vlmcs._tcp.corp.example.: its target kms1.corp.example. has no address: ..."
		b.WriteString("SRV record " + e.Record + " found, but its target " + e.Name + " does not resolve")
		if e.Err != nil {
			b.WriteString(": " + e.Err.Error())
		}
		return b.String()
	}
	b.WriteString(e.Op)
	if e.Name != "" {
		b.WriteString(" " + e.Name)
	}
	if e.Server != "" {
		b.WriteString(" at " + e.Server)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause: one of the sentinel errors above, a context
// error or a network error.
func (e *Error) Unwrap() error { return e.Err }

// Code is the HRESULT Windows reports for this failure.
func (e *Error) Code() hresult.Code { return e.HRESULT }

// Attempt is one thing discovery did: a DNS query, or one host tried.
type Attempt struct {
	Name   string // the name queried; for a host tried, its address
	Type   string // "SRV", "A", "AAAA"; "KMS" for a host tried
	Server string // the DNS server asked; empty for a host tried
	Net    string // "udp" or "tcp"; empty for a host tried
	// Result is the answer's RCODE ("NOERROR", "NXDOMAIN", "SERVFAIL", ...),
	// "truncated" (a UDP answer with the TC bit, retried over TCP),
	// "timeout", "error" (network failure), or for a host "ok" / "failed".
	Result   string
	Answers  int // records of the asked type in the answer
	Duration time.Duration
	Err      error // the failure, if any
}

// String renders the attempt on one line, e.g.
// "SRV _vlmcs._tcp.corp.example. @10.0.0.1:53/udp: NOERROR, 2 records (1.2ms)".
func (a Attempt) String() string {
	var b strings.Builder
	b.WriteString(a.Type + " " + a.Name)
	if a.Server != "" {
		b.WriteString(" @" + a.Server)
		if a.Net != "" {
			b.WriteString("/" + a.Net)
		}
	}
	b.WriteString(": " + a.Result)
	if a.Type != "KMS" && a.Result == "NOERROR" {
		fmt.Fprintf(&b, ", %d records", a.Answers)
	}
	if a.Err != nil && a.Result != "NXDOMAIN" {
		b.WriteString(": " + a.Err.Error())
	}
	fmt.Fprintf(&b, " (%s)", a.Duration.Round(time.Microsecond))
	return b.String()
}
