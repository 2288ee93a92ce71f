package output

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/license"
)

// In the last minute before an activation or grace period ends, dli and xpr
// still show time left: a started minute counts, as days are rounded up.
// Only a status that does not end shows 0.
func TestExpiry_LastMinute(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 17, 55, 4, 0, time.UTC)
	count := uint32(25)
	ok := &license.Attempt{At: t0, Count: &count, Threshold: 25}
	activated := license.State{
		Product:    &license.Product{SKU: product(t, "Windows 10 Enterprise"), Partial: "2YT43", GVLK: true, InstalledAt: t0},
		GraceStart: t0, LastAttempt: ok, LastSuccess: ok,
	}
	grace := activated
	grace.LastAttempt, grace.LastSuccess = nil, nil
	for _, tt := range []struct {
		name      string
		st        license.State
		left      time.Duration
		status    string
		line, xpr string
		minutes   int64
	}{
		{"licensed, 30 s left", activated, 30 * time.Second, "Licensed",
			"Volume activation expiration: 1 minute(s) (1 day(s))", "(in 1 day(s))", 1},
		{"licensed, 1 s left", activated, time.Second, "Licensed",
			"Volume activation expiration: 1 minute(s) (1 day(s))", "(in 1 day(s))", 1},
		{"licensed, 90 s left", activated, 90 * time.Second, "Licensed",
			"Volume activation expiration: 2 minute(s) (1 day(s))", "(in 1 day(s))", 2},
		{"licensed, 180 days left", activated, kmsclient.Validity, "Licensed",
			"Volume activation expiration: 259200 minute(s) (180 day(s))", "(in 180 day(s))", 259200},
		{"initial grace, 30 s left", grace, 30 * time.Second, "Initial grace period",
			"Time remaining: 1 minute(s) (1 day(s))", "(in 1 day(s))", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := license.Evaluate(tt.st, t0)
			now := v.Ends.Add(-tt.left)
			in := NewLicenseInfo(tt.st, nil, now)
			if in.View.Status.String() != tt.status {
				t.Fatalf("status %s, want %s", in.View.Status, tt.status)
			}
			var out bytes.Buffer
			s := &Streams{Out: &out, Err: &out}
			if err := s.License(in, false, ViewAuto); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), "\n"+tt.line+"\n") {
				t.Errorf("dli says\n%s\nwant the line %q", out.String(), tt.line)
			}
			out.Reset()
			if err := s.Expiry(in, ViewAuto); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), tt.xpr) {
				t.Errorf("xpr says %q, want %q", out.String(), tt.xpr)
			}
			out.Reset()
			if err := s.License(in, false, ViewJSON); err != nil {
				t.Fatal(err)
			}
			var j LicenseJSON
			if err := json.Unmarshal(out.Bytes(), &j); err != nil {
				t.Fatal(err)
			}
			if j.RemainingMinutes != tt.minutes {
				t.Errorf("remaining_minutes %d, want %d", j.RemainingMinutes, tt.minutes)
			}
		})
	}
}
