package license

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/statedir"
)

// File names inside the state directory.
const (
	FileName    = "license.json"
	JournalName = "journal.jsonl"
)

// LockWait bounds how long an update waits for another kmsctl holding the
// store (an activation in progress takes at most its --timeout), unless
// the store was given a shorter wait (WithLockWait) or ctx ends first.
const LockWait = time.Minute

// writeFile replaces license.json; a variable so tests can make it fail
// between writing the temporary file and renaming it.
var writeFile = statedir.WriteFile

// CorruptError reports a license.json or journal that exists but cannot be
// used. The file has not been changed, and nothing will change it: the
// command stops.
type CorruptError struct {
	Path string // the file
	Line int    // for the journal: the line, from 1; 0 for license.json
	Err  error  // what is wrong
}

func (e *CorruptError) Error() string {
	what := "license file"
	at := ""
	if e.Line > 0 {
		what, at = "activation journal", fmt.Sprintf(" at line %d", e.Line)
	}
	var v *statedir.NewerVersionError
	if errors.As(e.Err, &v) {
		return fmt.Sprintf("%s %s is unusable: %v", what, e.Path, e.Err)
	}
	return fmt.Sprintf("%s %s is corrupt%s: %v", what, e.Path, at, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// Code is ERROR_INVALID_DATA: the data is invalid.
func (e *CorruptError) Code() hresult.Code { return hresult.InvalidData }

// Newer reports a file written by a newer kmsctl.
func (e *CorruptError) Newer() bool {
	var v *statedir.NewerVersionError
	return errors.As(e.Err, &v)
}

// Store is the license store in one state directory.
type Store struct {
	dir      string
	lockWait time.Duration         // 0: LockWait
	waiting  func(lockPath string) // called when another process holds the lock
}

// Open returns the store in dir. It touches nothing.
func Open(dir string) Store { return Store{dir: dir} }

// WithLockWait returns the store with changes waiting at most d (when
// shorter than LockWait, and d > 0) for another process holding the lock,
// calling waiting (which may be nil) once with the lock file's path when
// they have to wait.
func (s Store) WithLockWait(d time.Duration, waiting func(lockPath string)) Store {
	s.lockWait, s.waiting = d, waiting
	return s
}

// Dir is the state directory.
func (s Store) Dir() string { return s.dir }

// Path is license.json's path.
func (s Store) Path() string { return filepath.Join(s.dir, FileName) }

// JournalPath is the journal's path.
func (s Store) JournalPath() string { return filepath.Join(s.dir, JournalName) }

// LoadMachine reads license.json: the machine's settings and every
// installed product. A store that does not exist yet is the zero Machine.
// A version 1 file (one product) reads as a machine with that product. It
// creates nothing and takes no lock: license.json is only ever replaced
// whole, so a reader sees either the old or the new file.
func (s Store) LoadMachine() (Machine, error) {
	if fi, err := os.Stat(s.dir); err == nil && !fi.IsDir() {
		return Machine{}, &statedir.Error{Op: "use", Path: s.dir, Problem: statedir.ProblemNotDir}
	}
	path := s.Path()
	f, err := statedir.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Machine{}, nil
	}
	if err != nil {
		return Machine{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Machine{}, err
	}
	if !fi.Mode().IsRegular() {
		return Machine{}, &statedir.Error{Op: "read", Path: path, Problem: statedir.ProblemNotRegular, Mode: fi.Mode()}
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return Machine{}, &statedir.Error{Op: "read", Path: path, Err: err}
	}
	m, err := decode(data)
	if err != nil {
		return Machine{}, &CorruptError{Path: path, Err: err}
	}
	return m, nil
}

// Load reads the state of the default product (Windows when it is
// installed, else the only or first product), with the machine's
// settings; with no product installed, the settings alone.
func (s Store) Load() (State, error) {
	m, err := s.LoadMachine()
	if err != nil {
		return State{}, err
	}
	return m.View(m.Default()), nil
}

// ErrNoChange, returned by an Update function, ends the update without
// writing anything; Update then returns the state as read and no error.
var ErrNoChange = errors.New("no change")

// Update changes the state under the store's lock: it creates the state
// directory if needed, locks license.json (waiting at most LockWait or
// the store's own wait, or until ctx ends), reads the state, and calls fn with it. When fn returns
// nil, the journal entries it returns are appended to the journal and the
// state fn left is written atomically (in that order: a crash in between
// leaves a journal line for a contact whose result the state does not
// hold, never the reverse). When fn returns an error nothing is written;
// ErrNoChange is not reported as one.
//
// A corrupt license.json stops the update before fn runs; the file is
// left as it is.
//
// Update changes the default product (see Load), or installs the first.
func (s Store) Update(ctx context.Context, fn func(st *State) ([]Attempt, error)) (State, error) {
	return s.updateOne(ctx, func(m Machine) (int, error) { return m.Default(), nil }, fn, nil)
}

// updateOne is update for the one product pick chooses (-1: none, fn may
// install one): fn changes its State view, which is then put back into
// the machine (machine.put). It returns the view after the change, or
// before it when nothing was written.
func (s Store) updateOne(ctx context.Context, pick func(m Machine) (int, error), fn func(st *State) ([]Attempt, error), commit func() (bool, error)) (State, error) {
	var sku guid.GUID
	m, err := s.update(ctx, func(m *Machine) ([]Attempt, error) {
		i, err := pick(*m)
		if err != nil {
			return nil, err
		}
		if i >= 0 {
			sku = m.Products[i].Product.SKU.SKUID
		}
		st := m.View(i)
		entries, err := fn(&st)
		if err != nil {
			return nil, err
		}
		m.put(i, st)
		sku = guid.Nil
		if st.Product != nil {
			sku = st.Product.SKU.SKUID
		}
		return entries, nil
	}, commit)
	return m.View(m.Find(sku)), err
}

// update changes the machine under the store's lock, as Update describes,
// with a second step for a change that spans license.json
// and another file of the state directory: once license.json is written,
// and still under the store's lock, commit runs. When it fails and says
// undo, license.json is put back as it was before (the journal keeps any
// lines fn added: a line without its state is allowed, see Update); the
// error is returned either way, with the state left on disk.
func (s Store) update(ctx context.Context, fn func(m *Machine) ([]Attempt, error), commit func() (undo bool, err error)) (Machine, error) {
	if err := statedir.Ensure(s.dir); err != nil {
		return Machine{}, err
	}
	wait := LockWait
	if s.lockWait > 0 && s.lockWait < wait {
		wait = s.lockWait
	}
	lockCtx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	unlock, err := statedir.LockNotify(lockCtx, s.Path(), s.waiting)
	if err != nil {
		return Machine{}, err
	}
	defer unlock()

	st, err := s.LoadMachine()
	if err != nil {
		return Machine{}, err
	}
	before := st.clone()
	entries, err := fn(&st)
	if errors.Is(err, ErrNoChange) {
		return before, nil
	}
	if err != nil {
		return before, err
	}
	if len(entries) > 0 {
		if err := s.appendJournal(entries); err != nil {
			return before, err
		}
	}
	data, err := encode(st)
	if err != nil {
		return before, err
	}
	if err := writeFile(s.Path(), data); err != nil {
		return before, err
	}
	if commit == nil {
		return st, nil
	}
	undo, cerr := commit()
	if cerr == nil {
		return st, nil
	}
	if !undo {
		return st, cerr
	}
	old, err := encode(before)
	if err == nil {
		err = writeFile(s.Path(), old)
	}
	if err != nil {
		return st, fmt.Errorf("%w; and license.json could not be put back as it was: %v", cerr, err)
	}
	return before, cerr
}

// clone copies st deeply enough that changing the copy's pointed-to
// values leaves st alone.
func (st State) clone() State {
	c := st
	if st.Product != nil {
		p := *st.Product
		c.Product = &p
	}
	if st.LastAttempt != nil {
		a := *st.LastAttempt
		c.LastAttempt = &a
	}
	if st.LastSuccess != nil {
		a := *st.LastSuccess
		c.LastSuccess = &a
	}
	return c
}
