package kmsclient

import "testing"

// A host's interval is worded with the right number: "1 minute", not
// "1 minutes"; one a Microsoft host can be set to gets no warning.
func TestIntervalWarningWording(t *testing.T) {
	for _, c := range []struct {
		v    uint32
		want string
	}{
		{0, "activation interval is 0 minutes"},
		{1, "activation interval of 1 minute is outside what a Microsoft KMS host can be set to (15 to 43200 minutes): an emulator or a modified host"},
		{14, "activation interval of 14 minutes is outside what a Microsoft KMS host can be set to (15 to 43200 minutes): an emulator or a modified host"},
		{MinIntervalMinutes, ""},
		{MaxIntervalMinutes, ""},
		{MaxIntervalMinutes + 1, "activation interval of 43201 minutes is outside what a Microsoft KMS host can be set to (15 to 43200 minutes): an emulator or a modified host"},
	} {
		if got := intervalWarning("activation", c.v); got != c.want {
			t.Errorf("interval %d:\n got %q\nwant %q", c.v, got, c.want)
		}
	}
}
