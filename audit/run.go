package audit

import (
	"errors"
	"fmt"
	"time"

	"github.com/kmsctl/kmsctl/kmshost"
)

// File audits an exported log file (wevtutil XML or Get-WinEvent JSON,
// ReadFile) as of opts.Now, and returns the report and the file's format.
// An *OpenError is returned as it is; any other error is wrapped with the
// file's name.
func File(path string, opts Options) (*Report, string, error) {
	a := New(opts)
	s, err := ReadFile(path, a.Add)
	var open *OpenError
	if errors.As(err, &open) {
		return nil, "", err
	} else if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	r := a.Report()
	// Events with other IDs (12291, 12293, …) were read but not handed
	// on: they are in the file's count, as other events, not lost.
	r.Events += s.Skipped
	r.Other += s.Skipped
	return r, s.Format, nil
}

// HostLog audits the events l read from a host, at most max of them (the
// audit is marked truncated when l holds that many), as of the host's own
// clock (l.Now). counters are the host's WMI counters, nil when they could
// not be read: then its renewal interval (VLRenewalInterval) and current
// counts inform the audit; without them it stands on Windows' default
// interval and compares no counts.
func HostLog(l *kmshost.EventLog, max int, counters *kmshost.Counters, opts Options) *Report {
	opts.Now, opts.Truncated = l.Now, len(l.Events) >= max
	if counters != nil {
		if ri := counters.Service.RenewalInterval; ri != nil && *ri > 0 {
			opts.RenewalInterval = time.Duration(*ri) * time.Minute
		}
		opts.HostCounts = map[Pool]int64{}
		for _, p := range counters.KMSProducts() {
			if n, ok := p.Counted(); ok {
				opts.HostCounts[PoolOf(p.ApplicationID)] = n
			}
		}
	}
	a := New(opts)
	for i := range l.Events {
		a.Add(&l.Events[i])
	}
	return a.Report()
}
