package kmshost_test

import (
	"testing"

	"github.com/kmsctl/kmsctl/kmshost"
)

// A KMS host product's count against its RequiredClientCount, at N-1, N and
// N+1, and the WMI values that are no count (-1, null).
func TestProductThresholdReached(t *testing.T) {
	n := uint32(25)
	for _, tt := range []struct {
		count          *int64
		required       *uint32
		reached, known bool
	}{
		{ptr(int64(24)), &n, false, true},
		{ptr(int64(25)), &n, true, true},
		{ptr(int64(26)), &n, true, true},
		{ptr(int64(0)), &n, false, true},
		{ptr(int64(-1)), &n, false, false},
		{nil, &n, false, false},
		{ptr(int64(30)), nil, false, false},
	} {
		p := kmshost.Product{CurrentCount: tt.count, RequiredClientCount: tt.required}
		if reached, known := p.ThresholdReached(); reached != tt.reached || known != tt.known {
			t.Errorf("count %v required %v: reached %v known %v, want %v %v", tt.count, tt.required, reached, known, tt.reached, tt.known)
		}
	}
}

func ptr[T any](v T) *T { return &v }
