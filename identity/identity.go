// Package identity keeps kmsctl's persistent client identity.
//
// A KMS host counts distinct client machine IDs (CMIDs) towards its
// activation threshold. So that probing a host never inflates that count,
// every request kmsctl sends for one user carries the same CMID, generated
// once and stored in the state directory as identity.json, together with the
// workstation name sent in requests.
//
// The file is created once and replaced only on purpose, by Rotate (what
// slmgr /rearm does to a Windows machine's CMID): a file that cannot be read
// as a version 1 identity is reported as a *CorruptError and left exactly as
// it is, because silently replacing it would make this machine a new client
// on every KMS host it talks to.
package identity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/kmsctl/kmsctl/clock"
	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/statedir"
)

// FileName is the identity file's name inside the state directory.
const FileName = "identity.json"

// Version is the file format version this package reads and writes.
const Version = 1

// MaxWorkstationLen is the most UTF-16 code units the KMS protocol allows
// for the workstation name.
const MaxWorkstationLen = 63

// maxFileSize bounds how much of identity.json is read: a real one is about
// 150 bytes.
const maxFileSize = 64 << 10

// Identity is who kmsctl says it is to KMS hosts.
type Identity struct {
	CMID        guid.GUID `json:"cmid"`
	Workstation string    `json:"workstation"` // at most MaxWorkstationLen UTF-16 units, never empty
	Created     time.Time `json:"created"`
	// PreviousCMID is the CMID this one replaced (Rotate), sent to KMS
	// hosts as the request's previous CMID; zero when there was none.
	PreviousCMID guid.GUID `json:"previous_cmid"`
}

// Options supplies Load's sources of randomness, time and the host name.
// Zero values mean the real ones.
type Options struct {
	Clock    clock.Clock            // Created; clock.Real when nil
	Rand     io.Reader              // the CMID; crypto/rand when nil
	Hostname func() (string, error) // the workstation name; os.Hostname when nil
}

// CorruptError reports an identity file that exists but cannot be used.
// The file has not been changed.
type CorruptError struct {
	Path string // the identity file
	Err  error  // what is wrong with it
}

func (e *CorruptError) Error() string {
	var v *statedir.NewerVersionError
	if errors.As(e.Err, &v) {
		return fmt.Sprintf("identity file %s is unusable: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("identity file %s is corrupt: %v", e.Path, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// Code is the HRESULT of a damaged file: ERROR_INVALID_DATA.
func (e *CorruptError) Code() hresult.Code { return hresult.InvalidData }

// Load returns the identity stored in dir, creating it (and dir, with
// statedir.Ensure) on first use.
//
// Creation happens under statedir.Lock on the identity file and re-reads the
// file once the lock is held, so processes that start at the same time all
// end up with the one CMID that was written first. ctx bounds only the wait
// for that lock. The file is written with statedir.WriteFile.
//
// An existing file that is not a valid version 1 identity gives a
// *CorruptError and is never rewritten. Other failures (permissions, a
// directory in the way ...) are returned wrapped, naming the path.
func Load(ctx context.Context, dir string, opts Options) (Identity, error) {
	if err := statedir.Ensure(dir); err != nil {
		return Identity{}, err
	}
	path := filepath.Join(dir, FileName)
	if id, ok, err := read(path, opts.Hostname); err != nil || ok {
		return id, err
	}

	unlock, err := statedir.Lock(ctx, path)
	if err != nil {
		return Identity{}, err
	}
	defer unlock()

	// Someone else may have created it while we waited.
	if id, ok, err := read(path, opts.Hostname); err != nil || ok {
		return id, err
	}

	id, err := newIdentity(opts)
	if err != nil {
		return Identity{}, err
	}
	if err := write(path, id); err != nil {
		return Identity{}, err
	}
	return id, nil
}

// Peek returns the identity stored in dir without creating anything.
// ok is false, with a nil error, when there is none yet (or no dir).
// A workstation name missing from the file is filled in from os.Hostname.
func Peek(dir string) (id Identity, ok bool, err error) {
	// Checked here so that every platform reports it: on Windows, opening
	// a path below a file says "not found".
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return Identity{}, false, &statedir.Error{Op: "use", Path: dir, Problem: statedir.ProblemNotDir}
	}
	return read(filepath.Join(dir, FileName), nil)
}

// Rotate gives this machine a new CMID and keeps the one it replaces as
// PreviousCMID, as slmgr /rearm does on Windows. It creates the identity
// (with no previous CMID) when there is none yet. The file is replaced with
// statedir.WriteFile under the same lock Load takes; ctx bounds the wait
// for it. A damaged file gives a *CorruptError and is left as it is.
func Rotate(ctx context.Context, dir string, opts Options) (Identity, error) {
	if err := statedir.Ensure(dir); err != nil {
		return Identity{}, err
	}
	path := filepath.Join(dir, FileName)
	unlock, err := statedir.Lock(ctx, path)
	if err != nil {
		return Identity{}, err
	}
	defer unlock()
	old, ok, err := read(path, opts.Hostname)
	if err != nil {
		return Identity{}, err
	}
	id, err := newIdentity(opts)
	if err != nil {
		return Identity{}, err
	}
	if ok {
		id.Workstation = old.Workstation
		id.PreviousCMID = old.CMID
	}
	if err := write(path, id); err != nil {
		return Identity{}, err
	}
	return id, nil
}

// write replaces the identity file at path with id (statedir.WriteFile).
func write(path string, id Identity) error {
	data, err := encode(id)
	if err == nil {
		err = statedir.WriteFile(path, data)
	}
	if err != nil {
		return err
	}
	return nil
}

// newIdentity makes a fresh identity.
func newIdentity(opts Options) (Identity, error) {
	cmid, err := guid.NewRandom(opts.Rand)
	if err != nil {
		return Identity{}, fmt.Errorf("new CMID: %w", err)
	}
	return Identity{
		CMID:        cmid,
		Workstation: defaultWorkstation(opts.Hostname),
		// UTC, no monotonic reading: exactly what reading it back gives.
		Created: clock.Or(opts.Clock).Now().UTC().Round(0),
	}, nil
}

// fileV1 is identity.json, version 1.
// previous_cmid is optional (absent until the first Rotate), so files
// without it are still version 1 and older kmsctl versions ignore it.
type fileV1 struct {
	Version      int        `json:"version"`
	CMID         guid.GUID  `json:"cmid"`
	Workstation  string     `json:"workstation"`
	Created      time.Time  `json:"created"`
	PreviousCMID *guid.GUID `json:"previous_cmid,omitempty"`
}

func encode(id Identity) ([]byte, error) {
	f := fileV1{Version: Version, CMID: id.CMID, Workstation: id.Workstation, Created: id.Created}
	if !id.PreviousCMID.IsZero() {
		prev := id.PreviousCMID
		f.PreviousCMID = &prev
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// read reads the identity file at path; ok is false when it does not exist.
func read(path string, hostname func() (string, error)) (Identity, bool, error) {
	f, err := statedir.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Identity{}, false, nil
	}
	if err != nil {
		return Identity{}, false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Identity{}, false, err
	}
	if !fi.Mode().IsRegular() {
		return Identity{}, false, &statedir.Error{Op: "read", Path: path, Problem: statedir.ProblemNotRegular, Mode: fi.Mode()}
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return Identity{}, false, &statedir.Error{Op: "read", Path: path, Err: err}
	}
	id, err := decode(data)
	if err != nil {
		return Identity{}, false, &CorruptError{Path: path, Err: err}
	}
	// Normalized in memory only; the file stays as it is.
	id.Workstation = trimWorkstation(id.Workstation)
	if id.Workstation == "" {
		id.Workstation = defaultWorkstation(hostname)
	}
	return id, true, nil
}

// decode parses and validates identity.json. Its errors say what is wrong
// for a CorruptError.
func decode(data []byte) (Identity, error) {
	raw, version, err := statedir.DecodeObject(data, maxFileSize, Version)
	if err != nil {
		return Identity{}, err
	}
	if version != Version {
		return Identity{}, fmt.Errorf("unknown format version %d", version)
	}

	var fv struct {
		CMID         *string         `json:"cmid"`
		Workstation  string          `json:"workstation"`
		Created      json.RawMessage `json:"created"`
		PreviousCMID *string         `json:"previous_cmid"`
	}
	if err := statedir.UnmarshalFields(raw, &fv); err != nil {
		return Identity{}, err
	}
	var created time.Time
	if len(fv.Created) > 0 {
		if err := json.Unmarshal(fv.Created, &created); err != nil {
			return Identity{}, fmt.Errorf(`"created" is not an RFC 3339 time: %v`, err)
		}
	}
	if fv.CMID == nil {
		return Identity{}, errors.New(`no "cmid"`)
	}
	cmid, err := guid.Parse(*fv.CMID)
	if err != nil {
		return Identity{}, fmt.Errorf(`"cmid" is not a GUID: %v`, err)
	}
	if cmid.IsZero() {
		return Identity{}, errors.New(`"cmid" is the all-zero GUID`)
	}
	var prev guid.GUID
	if fv.PreviousCMID != nil {
		if prev, err = guid.Parse(*fv.PreviousCMID); err != nil {
			return Identity{}, fmt.Errorf(`"previous_cmid" is not a GUID: %v`, err)
		}
	}
	return Identity{CMID: cmid, Workstation: fv.Workstation, Created: created, PreviousCMID: prev}, nil
}

// defaultWorkstation is the host name, trimmed for the protocol, or
// "localhost" when there is none.
func defaultWorkstation(hostname func() (string, error)) string {
	if hostname == nil {
		hostname = os.Hostname
	}
	h, err := hostname()
	if err != nil {
		h = ""
	}
	if h = trimWorkstation(h); h == "" {
		return "localhost"
	}
	return h
}

// trimWorkstation returns s, made valid UTF-8, cut to at most
// MaxWorkstationLen UTF-16 code units without splitting a surrogate pair.
func trimWorkstation(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	n := 0
	for i, r := range s {
		w := utf16.RuneLen(r)
		if w < 1 {
			w = 1
		}
		if n+w > MaxWorkstationLen {
			return s[:i]
		}
		n += w
	}
	return s
}
