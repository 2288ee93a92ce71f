package license

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/kmsctl/kmsctl/statedir"
)

// maxJournalLine bounds one journal line; a real one is about 500 bytes.
const maxJournalLine = 64 << 10

// appendJournal appends one line per entry to the journal, creating it
// (mode 0600) if needed, and syncs it. It must be called under the store's
// lock. A line is committed once its newline is written: bytes after the
// last newline can only be the remains of a writer that crashed in the
// middle of a line, and are cut off before appending.
func (s Store) appendJournal(entries []Attempt) error {
	path := s.JournalPath()
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("refusing to append to %s: not a regular file (%s)", path, fi.Mode().Type())
	}
	var buf bytes.Buffer
	for _, e := range entries {
		b, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("journal entry: %w", err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := cutTornTail(f); err != nil {
		return fmt.Errorf("journal %s: %w", path, err)
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("append to %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return f.Close()
}

// cutTornTail truncates f after its last newline.
func cutTornTail(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	size := fi.Size()
	if size == 0 {
		return nil
	}
	var last [1]byte
	if _, err := f.ReadAt(last[:], size-1); err != nil {
		return err
	}
	if last[0] == '\n' {
		return nil
	}
	// Find the last newline, reading backwards in chunks.
	const chunk = 4096
	end := size
	buf := make([]byte, chunk)
	for end > 0 {
		start := max(0, end-chunk)
		n, err := f.ReadAt(buf[:end-start], start)
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			return f.Truncate(start + int64(i) + 1)
		}
		end = start
	}
	return f.Truncate(0)
}

// Journal reads every committed entry, oldest first. A missing journal is
// empty. An incomplete last line (a write in progress, or one a crash cut
// short) is not an entry and is skipped; any other line that is not an
// entry makes the journal a *CorruptError naming the line. It takes no
// lock.
func (s Store) Journal() ([]Attempt, error) {
	out, skipped, err := s.ReadJournal()
	if err != nil {
		return nil, err
	}
	if len(skipped) > 0 {
		return nil, skipped[0]
	}
	return out, nil
}

// ReadJournal is Journal for readers that show what they can: a complete
// line that is not an entry (damaged, or longer than 64 KiB) is left out
// and returned in skipped, one *CorruptError per line with its number
// (from 1), in file order; the entries around it are kept. err is non-nil
// only when the file cannot be read at all.
func (s Store) ReadJournal() (entries []Attempt, skipped []*CorruptError, err error) {
	path := s.JournalPath()
	f, err := statedir.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return nil, nil, err
	} else if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s is not a regular file (%s); move it aside", path, fi.Mode().Type())
	}
	r := bufio.NewReaderSize(f, 64<<10)
	for n := 1; ; n++ {
		line, err := readLine(r)
		if errors.Is(err, io.EOF) {
			return entries, skipped, nil // nothing, or an incomplete last line
		}
		if errors.Is(err, errLongLine) {
			skipped = append(skipped, &CorruptError{Path: path, Line: n, Err: err})
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", path, err)
		}
		a, err := decodeEntry(line)
		if err != nil {
			skipped = append(skipped, &CorruptError{Path: path, Line: n, Err: err})
			continue
		}
		entries = append(entries, a)
	}
}

var errLongLine = fmt.Errorf("line longer than %d bytes", maxJournalLine)

// readLine returns the next complete line without its newline, io.EOF at
// the end or before an incomplete last line. A line longer than
// maxJournalLine is read to its end and reported as errLongLine, so the
// next call reads the line after it.
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxJournalLine {
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = r.ReadSlice('\n')
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, err
			}
			return nil, errLongLine
		}
		switch {
		case err == nil:
			return line[:len(line)-1], nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			return nil, io.EOF
		default:
			return nil, err
		}
	}
}

// decodeEntry parses one journal line.
func decodeEntry(line []byte) (Attempt, error) {
	var a Attempt
	if t := bytes.TrimLeft(line, " \t\r"); len(t) == 0 || t[0] != '{' {
		return Attempt{}, errors.New("not a JSON object")
	}
	var se *json.SyntaxError
	if err := json.Unmarshal(line, &a); errors.As(err, &se) {
		return Attempt{}, fmt.Errorf("not a JSON object: %v", se)
	} else if err != nil {
		// A field of the wrong type, named as the file names it, not
		// as Go's decoder names our types ("attemptAlias.op").
		return Attempt{}, fmt.Errorf("not a journal entry: %w", statedir.FieldError(err, "attemptAlias."))
	}
	if a.At.IsZero() {
		return Attempt{}, errors.New(`no "time"`)
	}
	return a, nil
}
