package failure

import (
	"errors"
	"os"
	"testing"
)

// TestQuietClosedPipe writes to a real pipe whose reading end is closed,
// so the system's own error for it (EPIPE on POSIX, ERROR_NO_DATA on
// Windows, which .ci/wine-test runs) must read as quiet; any other write
// error must not. Not parallel: a process forked meanwhile could hold the
// reading end open (see Go's os.TestEPIPE).
func TestQuietClosedPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	_, werr := w.Write([]byte("kmsctl\n"))
	if werr == nil {
		t.Fatal("write to a pipe with no reader succeeded")
	}
	if !Quiet(&WriteError{Err: werr}) {
		t.Errorf("Quiet(write to closed pipe: %v) = false, want true", werr)
	}
	if Quiet(werr) {
		t.Errorf("Quiet(bare %v) = true, want false: only a WriteError is quiet", werr)
	}
	full := &WriteError{Err: errors.New("no space left on device")}
	if Quiet(full) {
		t.Errorf("Quiet(%v) = true, want false", full)
	}
}
