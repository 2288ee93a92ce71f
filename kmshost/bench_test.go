package kmshost_test

import (
	"context"
	"testing"

	. "github.com/kmsctl/kmsctl/kmshost"
	"github.com/kmsctl/kmsctl/kmshost/hosttest"
)

// BenchmarkDecodeEvents10000 decodes a busy host's log as the script
// writes it: 10,000 events of 12290.
func BenchmarkDecodeEvents10000(b *testing.B) {
	doc := hosttest.EventsJSON(hosttest.DefaultNow, hosttest.ManyEvents(hosttest.DefaultNow, 10000))
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeEvents(doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvents10000 is one `host log --max 10000` read over WinRM from
// the loopback test server: shell, command, output polls, decoding. The
// server's share (winrmtest, its XML) is included.
func BenchmarkEvents10000(b *testing.B) {
	s := hosttest.Start(b, hosttest.Options{Events: hosttest.ManyEvents(hosttest.DefaultNow, 10000)})
	cfg := Config{Host: s.Host(), Port: s.Port(), Auth: AuthBasic, User: hosttest.DefaultUser, Password: hosttest.DefaultPassword}
	c, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		log, err := c.Events(context.Background(), LogQuery{Max: 10000})
		if err != nil || len(log.Events) != 10000 {
			b.Fatalf("%d events, %v", len(log.Events), err)
		}
	}
}
