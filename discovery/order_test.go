package discovery_test

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/kmsctl/kmsctl/discovery"
)

func srv(target string, prio, weight uint16) discovery.SRV {
	return discovery.SRV{Priority: prio, Weight: weight, Port: 1688, Target: target}
}

// firstPicks counts which target comes first over n orderings.
func firstPicks(records []discovery.SRV, noWeight bool, n int, seed uint64) map[string]int {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	counts := map[string]int{}
	for range n {
		counts[discovery.Order(records, noWeight, r)[0].Target]++
	}
	return counts
}

// within checks a share against its expectation with a tolerance of four
// standard deviations of a binomial proportion (the test is deterministic
// under its fixed seed; the tolerance keeps it meaningful under another).
func within(t *testing.T, what string, got, n int, p float64) {
	t.Helper()
	share := float64(got) / float64(n)
	tol := 4 * math.Sqrt(p*(1-p)/float64(n))
	if math.Abs(share-p) > tol {
		t.Errorf("%s: share %.4f, want %.4f ± %.4f", what, share, p, tol)
	}
}

func TestOrder_WeightDistribution(t *testing.T) {
	const n = 10000
	records := []discovery.SRV{srv("a", 0, 60), srv("b", 0, 30), srv("c", 0, 10), srv("later", 1, 1000)}
	counts := firstPicks(records, false, n, 1)
	// RFC 2782 draws from [0, sum] inclusive: a weight w wins w of the
	// sum+1 draws, and the draw of 0 goes to whichever record the shuffle
	// put first (each a third of the time).
	within(t, "weight 60", counts["a"], n, (60+1.0/3)/101)
	within(t, "weight 30", counts["b"], n, (30+1.0/3)/101)
	within(t, "weight 10", counts["c"], n, (10+1.0/3)/101)
	if counts["later"] != 0 {
		t.Errorf("a record of priority 1 came first %d times", counts["later"])
	}
	// Second place, given a first: b wins 30 (31 when the shuffle put it
	// before c) of the 41 draws over the rest. Summed over the six
	// shuffles, each weighted by a's chance to come first (61 or 60 of 101):
	// (61·31 + 61·30 + 2·60·31 + 2·60·30) / ((2·61 + 4·60)·41).
	r := rand.New(rand.NewPCG(7, 7))
	afterA, ab := 0, 0
	for range n {
		o := discovery.Order(records, false, r)
		if o[0].Target == "a" {
			afterA++
			if o[1].Target == "b" {
				ab++
			}
		}
	}
	within(t, "b after a", ab, afterA, float64(61*31+61*30+2*60*31+2*60*30)/float64((2*61+4*60)*41))
}

func TestOrder_WeightZero(t *testing.T) {
	const n = 10000
	// A weight-0 record goes first in the running sum: it wins only the
	// draw of 0, 1 in (sum+1).
	counts := firstPicks([]discovery.SRV{srv("heavy", 0, 100), srv("zero", 0, 0)}, false, n, 2)
	within(t, "weight 0 beside 100", counts["zero"], n, 1.0/101)
	// All weights 0: uniform.
	counts = firstPicks([]discovery.SRV{srv("a", 0, 0), srv("b", 0, 0), srv("c", 0, 0), srv("d", 0, 0)}, false, n, 3)
	for _, k := range []string{"a", "b", "c", "d"} {
		within(t, "all weights 0: "+k, counts[k], n, 0.25)
	}
}

func TestOrder_NoWeightIsUniform(t *testing.T) {
	const n = 10000
	records := []discovery.SRV{srv("a", 0, 60), srv("b", 0, 30), srv("c", 5, 10), srv("d", 10, 0)}
	counts := firstPicks(records, true, n, 4)
	for _, k := range []string{"a", "b", "c", "d"} {
		within(t, "no weight: "+k, counts[k], n, 0.25)
	}
}

func TestOrder_Deterministic(t *testing.T) {
	records := []discovery.SRV{srv("a", 0, 60), srv("b", 0, 30), srv("c", 0, 10), srv("d", 1, 0), srv("e", 1, 5)}
	in := slices.Clone(records)
	a := discovery.Order(records, false, rand.New(rand.NewPCG(9, 9)))
	b := discovery.Order(records, false, rand.New(rand.NewPCG(9, 9)))
	if !slices.Equal(a, b) {
		t.Errorf("same seed, different orders: %v, %v", a, b)
	}
	if !slices.Equal(records, in) {
		t.Errorf("Order changed its input")
	}
	if got := discovery.Order(nil, false, nil); len(got) != 0 {
		t.Errorf("Order(nil) = %v", got)
	}
}

// FuzzOrder: for any records, the order is a permutation of them with
// priorities never decreasing (and, with noWeight, still a permutation).
func FuzzOrder(f *testing.F) {
	f.Add([]byte{0, 0, 0, 60, 0, 0, 0, 30, 0, 0, 0, 10}, uint64(1), false)
	f.Add([]byte{0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 255, 255, 0, 0, 255, 255}, uint64(2), false)
	f.Add([]byte{9, 9, 9, 9, 0, 0, 0, 0}, uint64(3), true)
	f.Add([]byte{}, uint64(0), false)
	f.Fuzz(func(t *testing.T, data []byte, seed uint64, noWeight bool) {
		var records []discovery.SRV
		for i := 0; i+4 <= len(data) && len(records) < 2000; i += 4 {
			records = append(records, discovery.SRV{
				Priority: binary.BigEndian.Uint16(data[i:]), Weight: binary.BigEndian.Uint16(data[i+2:]),
				Port: uint16(i), Target: "t",
			})
		}
		got := discovery.Order(records, noWeight, rand.New(rand.NewPCG(seed, ^seed)))
		if len(got) != len(records) {
			t.Fatalf("%d records in, %d out", len(records), len(got))
		}
		// Ports are unique per input record, so they identify a permutation.
		seen := make(map[uint16]discovery.SRV, len(got))
		for _, r := range got {
			if _, dup := seen[r.Port]; dup {
				t.Fatalf("record %v twice", r)
			}
			seen[r.Port] = r
		}
		for _, r := range records {
			if seen[r.Port] != r {
				t.Fatalf("record %v lost or changed", r)
			}
		}
		if noWeight {
			return
		}
		for i := 1; i < len(got); i++ {
			if got[i].Priority < got[i-1].Priority {
				t.Fatalf("priority %d after %d at %d", got[i].Priority, got[i-1].Priority, i)
			}
		}
	})
}
