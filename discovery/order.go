package discovery

import (
	"cmp"
	"math/rand/v2"
	"slices"
)

// Order returns records in the order a client tries them; records is not
// changed.
//
// By default it follows RFC 2782: priority groups lowest value first; within
// a group, repeatedly pick one of the remaining records with probability
// proportional to its weight. Records of weight 0 are placed first in the
// running sum, as the RFC asks, so they are picked only when the random
// number is 0 (or when only weight-0 records remain), and a group whose
// weights are all 0 comes in a uniformly random order.
//
// With noWeight it ignores priority and weight and returns a uniformly
// random permutation, which is what Windows clients that do not use
// priority and weight do: before Windows 7 and Server 2008 R2 they pick
// at random, as Microsoft's volume activation references for Windows 7
// and Server 2008 R2 describe client discovery.
//
// r supplies the randomness; nil means a randomly seeded source.
func Order(records []SRV, noWeight bool, r *rand.Rand) []SRV {
	if r == nil {
		r = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	out := slices.Clone(records)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	if noWeight {
		return out
	}
	// Stable: the shuffle is the RFC's "any order" within a group.
	slices.SortStableFunc(out, func(a, b SRV) int { return cmp.Compare(a.Priority, b.Priority) })
	for start := 0; start < len(out); {
		end := start + 1
		for end < len(out) && out[end].Priority == out[start].Priority {
			end++
		}
		weighted(out[start:end], r)
		start = end
	}
	return out
}

// weighted orders one priority group in place by the RFC 2782 selection.
func weighted(g []SRV, r *rand.Rand) {
	// Weight-0 records first, in their (shuffled) order.
	slices.SortStableFunc(g, func(a, b SRV) int {
		return cmp.Compare(min(a.Weight, 1), min(b.Weight, 1))
	})
	var total uint64
	for _, s := range g {
		total += uint64(s.Weight)
	}
	for i := range g {
		// Pick from g[i:], uniform in [0, total], the first record whose
		// running sum reaches it.
		n := r.Uint64N(total + 1)
		var sum uint64
		pick := len(g) - 1
		for j := i; j < len(g); j++ {
			sum += uint64(g[j].Weight)
			if sum >= n {
				pick = j
				break
			}
		}
		chosen := g[pick]
		// Keep the remaining records' relative order (zeros stay first).
		copy(g[i+1:pick+1], g[i:pick])
		g[i] = chosen
		total -= uint64(chosen.Weight)
	}
}
