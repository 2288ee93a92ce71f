package hosttest

import (
	"fmt"
	"slices"
	"time"
)

// The seeds' story, as a KMS host's log tells it: 25 Windows client
// machines renew every 7 days; two of them (pc-0124 and pc-0125) make
// their last request on day 0 and are never heard from again; kmsctl's
// own monitoring asks the host on days 10, 29, 31 and 40 with its one
// CMID. Six of the machines also run Office. 30 days after day 0 the two
// silent CMIDs leave the host's count: 23 clients, and with kmsctl 24,
// below the 25 Windows clients need, so every renewal fails from then on.
var (
	// SeedsDay0 is midnight (UTC) of the day the two machines go silent.
	SeedsDay0 = time.Date(2026, 11, 13, 0, 0, 0, 0, time.UTC)
	// SeedsSelfCMID is kmsctl's own CMID in the story (its identity.json).
	SeedsSelfCMID = "7e1a9c00-5b2d-4c3e-8f41-0a1b2c3d4e5f"
	// SeedsLeavers are the two machines that go silent on day 0, with the
	// hour of their last request.
	SeedsLeavers = []struct {
		Name, CMID string
		Hour       int
	}{
		{"pc-0124.corp.example.com", SeedsCMID(24), 9},
		{"pc-0125.corp.example.com", SeedsCMID(25), 14},
	}
	// SeedsRefusedFrom is when the host's count first falls below 25: the
	// first silent CMID leaves it, 30 days after its last request (the
	// count is then 23 others and kmsctl).
	SeedsRefusedFrom = SeedsDay0.Add(30*24*time.Hour + 9*time.Hour)
	// SeedsProbeDays are the days kmsctl asks the host, at noon.
	SeedsProbeDays = []int{10, 29, 31, 40}
)

// SeedsMonitor is the workstation name kmsctl's requests carry in the story.
const SeedsMonitor = "monitor01"

// SeedsCMID is the CMID of machine n (1 to 25) of the story.
func SeedsCMID(n int) string { return fmt.Sprintf("5eed%04x-0000-4000-8000-%012x", n, n) }

// SeedsEvents is the host's log at now: every 12290 of the story written
// from 40 days before day 0 up to now, the newest first.
func SeedsEvents(now time.Time) []Event {
	start := SeedsDay0.Add(-40 * 24 * time.Hour)
	var out []Event
	add := func(at time.Time, e Event) {
		if !at.Before(start) && !at.After(now) {
			out = append(out, e)
		}
	}
	for n := 1; n <= 25; n++ {
		name := fmt.Sprintf("pc-%04d.corp.example.com", 100+n)
		last := now
		first := SeedsDay0.Add(time.Duration(n%7)*24*time.Hour + time.Duration(8+n%9)*time.Hour)
		if n >= 24 {
			h := SeedsLeavers[n-24].Hour
			first, last = SeedsDay0.Add(time.Duration(h)*time.Hour), SeedsDay0.Add(time.Duration(h)*time.Hour)
		}
		for at := first.Add(-7 * 7 * 24 * time.Hour); !at.After(last); at = at.Add(7 * 24 * time.Hour) {
			if !at.Before(SeedsRefusedFrom) {
				// Refused: the client keeps its license and retries every
				// 2 hours, refused each time, as the count never recovers.
				for ; !at.After(last); at = at.Add(2 * time.Hour) {
					add(at, Processed(at, "0xC004F038", 25, name, SeedsCMID(n), false, 1, 250000, Win10Enterprise))
				}
				break
			}
			add(at, Processed(at, "0x0", 25, name, SeedsCMID(n), false, 1, 259200, Win10Enterprise))
		}
		for at := first.Add(-7*7*24*time.Hour + 3*time.Minute); n <= 6 && !at.After(last); at = at.Add(7 * 24 * time.Hour) {
			// Office counts apart, well above its 5.
			add(at, Processed(at, "0x0", 5, name, SeedsCMID(n), false, 1, 259200, OfficeProPlus2019))
		}
	}
	for _, d := range SeedsProbeDays {
		at := SeedsDay0.Add(time.Duration(d)*24*time.Hour + 12*time.Hour)
		// kmsctl asks as a client in its initial grace period, as probes do.
		result := "0x0"
		if !at.Before(SeedsRefusedFrom) {
			result = "0xC004F038"
		}
		add(at, Processed(at, result, 25, SeedsMonitor, SeedsSelfCMID, false, 2, 43200, Win10Enterprise))
	}
	slices.SortStableFunc(out, func(a, b Event) int { return b.Time.Compare(a.Time) })
	return out
}

// SeedsCounters is the story's host's counters document at now: what
// KMSHost holds, with the counts a host keeps (the distinct CMIDs that
// asked within the last 30 days, kmsctl's included) for Windows and
// Office.
func SeedsCounters(now time.Time) []byte {
	seen := map[string]map[string]bool{Win10Enterprise: {}, OfficeProPlus2019: {}}
	for _, e := range SeedsEvents(now) {
		if now.Sub(e.Time) < 30*24*time.Hour {
			seen[e.Fields[8]][e.Fields[3]] = true
		}
	}
	doc := KMSHost()
	win, office := len(seen[Win10Enterprise]), len(seen[OfficeProPlus2019])
	doc["service"].(map[string]any)["KeyManagementServiceCurrentCount"] = win
	products := doc["products"].([]any)
	products[0].(map[string]any)["KeyManagementServiceCurrentCount"] = win
	products[1].(map[string]any)["KeyManagementServiceCurrentCount"] = office
	return Compact(doc)
}
