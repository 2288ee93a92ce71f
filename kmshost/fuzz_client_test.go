package kmshost_test

import (
	"testing"

	. "github.com/kmsctl/kmsctl/kmshost"
	"github.com/kmsctl/kmsctl/kmshost/hosttest"
)

// FuzzDecodeClient: whatever a client answers, DecodeClient returns a
// value or an error, never both and never a panic; what it decodes can be
// judged.
func FuzzDecodeClient(f *testing.F) {
	for _, st := range []hosttest.ClientState{hosttest.ClientLicensed, hosttest.ClientRenewalFailing, hosttest.ClientGrace, hosttest.ClientUnreachable} {
		f.Add(hosttest.WindowsClient("PC-0142", "1c0b6d3e-8a52-4e0f-9d61-3f2a7b8c9d01", st, hosttest.DefaultNow))
	}
	f.Add(hosttest.AccessDeniedJSON())
	f.Add(hosttest.MalformedJSON)
	f.Fuzz(func(t *testing.T, b []byte) {
		w, err := DecodeClient(b)
		if (w == nil) == (err == nil) {
			t.Fatalf("value %v and error %v", w, err)
		}
		if w != nil {
			st := w.Standing()
			if st.Product == nil && st.State != StateNotKMSClient {
				t.Fatalf("state %s without a product", st.State)
			}
		}
	})
}
