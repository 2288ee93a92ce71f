package kmshost_test

import (
	"strings"
	"testing"
	"time"

	. "github.com/kmsctl/kmsctl/kmshost"
	"github.com/kmsctl/kmsctl/kmshost/hosttest"
)

// Each client state the test server plays is judged as such, with its
// last contact read from the client's own events.
func TestClient_Standing(t *testing.T) {
	now := hosttest.DefaultNow
	for _, tt := range []struct {
		st      hosttest.ClientState
		state   ClientState
		result  string
		count   int // -1: no answer
		failing time.Time
		days    uint32
	}{
		{hosttest.ClientLicensed, StateLicensed, "0x00000000", 50, time.Time{}, 177},
		{hosttest.ClientRenewalFailing, StateRenewalFailing, "0xC004F038", 24, now.Add(-(23*2*time.Hour + 30*time.Minute)), 168},
		{hosttest.ClientGrace, StateGrace, "0xC004F038", 23, now.Add(-(4*2*time.Hour + 10*time.Minute)), 20},
		{hosttest.ClientUnreachable, StateGrace, "0xC004F074", -1, now.Add(-(2*2*time.Hour + 5*time.Minute)), 25},
	} {
		w, err := DecodeClient(hosttest.WindowsClient("PC", hosttest.DefaultClientCMID, tt.st, now))
		if err != nil {
			t.Fatal(err)
		}
		s := w.Standing()
		c := s.Contact
		if s.State != tt.state || s.Product == nil || s.Minutes/(24*60) != tt.days || c.Result.String() != tt.result ||
			!c.Failing.Equal(tt.failing) || c.Host != hosttest.ClientHost || (tt.count < 0) != (c.Count == nil) ||
			(c.Count != nil && int(*c.Count) != tt.count) || w.CMID.String() != hosttest.DefaultClientCMID {
			t.Errorf("%v: %+v, contact %+v", tt.st, s, c)
		}
	}
}

// A machine without a KMS client key is said to be one.
func TestClient_NotKMSClient(t *testing.T) {
	doc := hosttest.WindowsClient("PC", hosttest.DefaultClientCMID, hosttest.ClientLicensed, hosttest.DefaultNow)
	doc = []byte(strings.Replace(string(doc), "VOLUME_KMSCLIENT", "RETAIL", 1))
	w, err := DecodeClient(doc)
	if err != nil {
		t.Fatal(err)
	}
	if s := w.Standing(); s.State != StateNotKMSClient || s.Product != nil {
		t.Errorf("%+v", s)
	}
}
