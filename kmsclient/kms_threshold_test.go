package kmsclient_test

import (
	"testing"

	"github.com/kmsctl/kmsctl/kmsclient"
)

// The N-count policy at N-1, N and N+1 for the catalogue's thresholds, and
// at the edges kmsctl meets (WMI's -1, a zero threshold).
func TestThresholdReached(t *testing.T) {
	for _, n := range []int64{5, 25} {
		if kmsclient.ThresholdReached(n-1, n) {
			t.Errorf("%d of %d reached", n-1, n)
		}
		if !kmsclient.ThresholdReached(n, n) || !kmsclient.ThresholdReached(n+1, n) {
			t.Errorf("%d or %d of %d not reached", n, n+1, n)
		}
	}
	if kmsclient.ThresholdReached(-1, 0) || !kmsclient.ThresholdReached(0, 0) {
		t.Error("-1 (nothing counted) reaches 0, or 0 does not")
	}
}
