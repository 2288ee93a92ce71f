package kmshost

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// The PowerShell kmsctl runs on a host. Both scripts are constants: the
// only values that vary are the two whole numbers of the log query, which
// LogScript writes itself from validated integers. Nothing a user types is
// ever placed in a script. Each script writes one line of compact JSON
// (every non-ASCII character escaped, so the console code page cannot
// garble it) and exits 1, after writing {"v":1,"error":{...}}, when a
// cmdlet fails. README.md prints both scripts verbatim; a test keeps it
// honest.

// CountersScript reads SoftwareLicensingService and the
// SoftwareLicensingProduct rows that have a key installed, naming the
// columns as the classes do (Microsoft's SoftwareLicensingService and
// SoftwareLicensingProduct class references) and as slmgr.vbs reads them.
const CountersScript = `$ErrorActionPreference = 'Stop'
try {
    $r = 'Total', 'Failed', 'Unlicensed', 'Licensed', 'OOBGrace', 'OOTGrace', 'NonGenuineGrace', 'Notification' | ForEach-Object { "KeyManagementService${_}Requests" }
    $sp = @('Version', 'IsKeyManagementServiceMachine', 'KeyManagementServiceCurrentCount', 'RequiredClientCount', 'KeyManagementServiceProductKeyID', 'KeyManagementServiceListeningPort', 'KeyManagementServiceDnsPublishing', 'KeyManagementServiceLowPriority', 'KeyManagementServiceHostCaching', 'VLActivationInterval', 'VLRenewalInterval', 'ClientMachineID') + $r
    $pp = @('ID', 'ApplicationId', 'Name', 'Description', 'PartialProductKey', 'LicenseIsAddon', 'LicenseStatus', 'LicenseStatusReason', 'GracePeriodRemaining', 'IsKeyManagementServiceMachine', 'KeyManagementServiceCurrentCount', 'RequiredClientCount', 'KeyManagementServiceProductKeyID') + $r
    $s = Get-CimInstance -Query "SELECT $($sp -join ',') FROM SoftwareLicensingService" | Select-Object -Property $sp
    $p = @(Get-CimInstance -Query "SELECT $($pp -join ',') FROM SoftwareLicensingProduct WHERE PartialProductKey <> NULL" | Select-Object -Property $pp)
    $o = @{ v = 1; computer = $env:COMPUTERNAME; service = $s; products = $p }
} catch {
    $o = @{ v = 1; error = @{ hresult = $_.Exception.HResult; message = $_.Exception.Message; id = $_.FullyQualifiedErrorId } }
}
$j = ConvertTo-Json -InputObject $o -Compress -Depth 4
[regex]::Replace($j, '[^\x00-\x7F]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
if ($o.error) { exit 1 }
`

// logTemplate reads events 12290 of the "Key Management Service" log (the
// host's record of each request) and 12288/12289 of the Application log
// (where a machine records its own requests as a KMS client, source
// Microsoft-Windows-Security-SPP; the "Windows Event Log" table of
// Microsoft's Volume Activation Technical Reference), the newest
// first. maxSlot and sinceSlot are replaced by whole numbers;
// Get-WinEvent's "no events found" is an empty list, not an error.
const logTemplate = `$ErrorActionPreference = 'Stop'
$max = ` + maxSlot + `
$since = ` + sinceSlot + `
try {
    $f = @{ LogName = 'Key Management Service'; Id = 12290 }, @{ LogName = 'Application'; Id = 12288, 12289 }
    if ($since -gt 0) { $st = (Get-Date).AddSeconds(-$since); $f | ForEach-Object { $_.StartTime = $st } }
    $e = @(foreach ($q in $f) { try { Get-WinEvent -FilterHashtable $q -MaxEvents $max } catch { if ($_.FullyQualifiedErrorId -notlike 'NoMatchingEventsFound*') { throw } } })
    $e = @($e | Where-Object { $_.Id -eq 12290 -or $_.ProviderName -like 'Microsoft-Windows-Security-*' } | Sort-Object -Property TimeCreated -Descending | Select-Object -First $max)
    $l = @($e | ForEach-Object { @{ t = $_.TimeCreated.ToUniversalTime().ToString('o'); id = $_.Id; log = $_.LogName; d = @($_.Properties | ForEach-Object { [string]$_.Value }) } })
    $o = @{ v = 1; computer = $env:COMPUTERNAME; now = (Get-Date).ToUniversalTime().ToString('o'); events = $l }
} catch {
    $o = @{ v = 1; error = @{ hresult = $_.Exception.HResult; message = $_.Exception.Message; id = $_.FullyQualifiedErrorId } }
}
$j = ConvertTo-Json -InputObject $o -Compress -Depth 4
[regex]::Replace($j, '[^\x00-\x7F]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
if ($o.error) { exit 1 }
`

// The two slots of logTemplate.
const (
	maxSlot   = "{{MAX}}"
	sinceSlot = "{{SINCE_SECONDS}}"
)

// LogTemplate is the log script with its two number slots showing, as
// README.md prints it.
const LogTemplate = logTemplate

// Limits of a log query.
const (
	DefaultMaxEvents = 1000
	MaxEvents        = 100000
	MaxSince         = 3650 * 24 * time.Hour // ten years; Get-WinEvent needs a date after 1601
)

// LogQuery selects events: at most Max of the newest, and only those of
// the last Since when Since is not zero.
type LogQuery struct {
	Max   int
	Since time.Duration
}

// QueryError is a log query out of range.
type QueryError struct{ Msg string }

func (e *QueryError) Error() string { return e.Msg }

// Validate checks the query's ranges.
func (q LogQuery) Validate() error {
	switch {
	case q.Max < 1 || q.Max > MaxEvents:
		return &QueryError{Msg: fmt.Sprintf("the number of events must be 1 to %d, got %d", MaxEvents, q.Max)}
	case q.Since < 0:
		return &QueryError{Msg: "the time span must be positive, got " + q.Since.String()}
	case q.Since > MaxSince:
		return &QueryError{Msg: fmt.Sprintf("the time span must be at most %d days, got %s", int(MaxSince/(24*time.Hour)), q.Since)}
	}
	return nil
}

// ParseSpan reads a span as people write it for a log query's Since: a Go
// duration (90m, 24h, 1h30m) or whole days (7d), positive and at most
// MaxSince. The error says which rule the text breaks.
func ParseSpan(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		switch {
		case err != nil:
			return 0, errors.New("not a whole number of days")
		case days < 0:
			return 0, errNegativeSpan
		case days == 0:
			return 0, errZeroSpan
		}
		if days > int(MaxSince/(24*time.Hour)) {
			return 0, fmt.Errorf("more than %d days", int(MaxSince/(24*time.Hour)))
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, errors.New("not a time span")
	}
	switch {
	case d < 0:
		return 0, errNegativeSpan
	case d == 0:
		return 0, errZeroSpan
	}
	return d, nil
}

// What ParseSpan says of a negative span and of a zero one.
var (
	errNegativeSpan = errors.New("must not be negative")
	errZeroSpan     = errors.New("must be positive")
)

// sinceSeconds is the span in whole seconds, rounded up so that a
// sub-second span still filters.
func (q LogQuery) sinceSeconds() int64 {
	return int64((q.Since + time.Second - 1) / time.Second)
}

// LogScript is the log script for q. It places only integers, formatted
// here, into the constant template.
func LogScript(q LogQuery) (string, error) {
	if err := q.Validate(); err != nil {
		return "", err
	}
	s := strings.Replace(logTemplate, maxSlot, strconv.Itoa(q.Max), 1)
	return strings.Replace(s, sinceSlot, strconv.FormatInt(q.sinceSeconds(), 10), 1), nil
}

// CommandLine is what kmsctl asks the host's WinRM shell to run for
// script: powershell.exe, without profiles (a profile that prints would
// corrupt the JSON), never waiting for input, and the script as
// -EncodedCommand (base64 of its UTF-16LE text), so that no character of it
// is interpreted by cmd.exe.
func CommandLine(script string) string {
	u := utf16.Encode([]rune(script))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return commandPrefix + base64.StdEncoding.EncodeToString(b)
}

// commandPrefix starts every command line kmsctl sends.
const commandPrefix = "powershell.exe -NoProfile -NonInteractive -EncodedCommand "

// DecodeCommandLine returns the script of a command line CommandLine
// built; ok is false for anything else. Test servers use it to see which
// script they were sent.
func DecodeCommandLine(cmd string) (script string, ok bool) {
	enc, found := strings.CutPrefix(cmd, commandPrefix)
	if !found {
		return "", false
	}
	b, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(b)%2 != 0 {
		return "", false
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u)), true
}

// MaxCommandLine bounds the command line: cmd.exe, which the WinRM shell
// starts commands through, takes at most 8191 characters.
const MaxCommandLine = 8191
