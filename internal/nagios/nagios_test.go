package nagios

import "testing"

func TestString(t *testing.T) {
	for s, want := range map[State]string{OK: "OK", Warning: "WARNING", Critical: "CRITICAL", Unknown: "UNKNOWN", 7: "UNKNOWN"} {
		if got := s.String(); got != want {
			t.Errorf("State(%d) = %q, want %q", int(s), got, want)
		}
	}
	if OK != 0 || Warning != 1 || Critical != 2 || Unknown != 3 {
		t.Error("the states are the plugin exit codes 0-3")
	}
}
