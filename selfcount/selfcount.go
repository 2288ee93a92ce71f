// Package selfcount remembers which KMS hosts this kmsctl has asked, about
// which product family and with which client machine ID (CMID), so that
// reports can say how many of a host's counted clients are kmsctl itself.
//
// A KMS host counts every client that asked within the last 30 days
// (kmsclient.CountWindow), the one asking included. kmsctl asks with one
// persistent CMID, so it is one of the clients a host counts for every
// product family it asked about in that window, and more than one after a
// rearm (the old CMID stays counted until it ages out). The record lives
// in the state directory as selfcount.json, replaced atomically under a
// lock like the other state files.
package selfcount

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/kmsctl/kmsctl/guid"
	"github.com/kmsctl/kmsctl/hresult"
	"github.com/kmsctl/kmsctl/kmsclient"
	"github.com/kmsctl/kmsctl/statedir"
)

// FileName is the record's name inside the state directory.
const FileName = "selfcount.json"

// Fresh is how recent an entry must be for Record not to rewrite it: an
// hour, nothing beside the 30-day window a host counts clients for.
const Fresh = time.Hour

// Version is the file format version this package reads and writes.
const Version = 1

// maxFileSize bounds how much of the record is read: an entry is about
// 150 bytes, so this holds over 100,000 (host, family, CMID) entries.
const maxFileSize = 16 << 20

// Family is what a KMS host counts together: clients of one application
// (Windows, Office 2013 and later, Office 2010), named after it.
func Family(applicationID guid.GUID) string {
	switch applicationID {
	case kmsclient.AppWindows:
		return "windows"
	case kmsclient.AppOffice:
		return "office"
	case kmsclient.AppOffice2010:
		return "office-2010"
	}
	return strings.ToLower(applicationID.String())
}

// Asked is one request this kmsctl sent that reached a host.
type Asked struct {
	Host   string    `json:"host"`   // host:port asked, as dialled
	Family string    `json:"family"` // Family of the request's application
	CMID   guid.GUID `json:"cmid"`
	At     time.Time `json:"time"` // when it last asked
}

// Key names one host's count for one family.
type Key struct{ Host, Family string }

type file struct {
	Version int     `json:"version"`
	Asked   []Asked `json:"asked"`
}

// CorruptError is a record that exists but cannot be read. It is left as
// it is.
type CorruptError struct {
	Path string
	Err  error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("kmsctl's record of the hosts it asked, %s, is unreadable: %v", e.Path, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// Code is the HRESULT of a damaged file: ERROR_INVALID_DATA.
func (e *CorruptError) Code() hresult.Code { return hresult.InvalidData }

// Record adds asked to the record in dir (creating dir and the file when
// needed), forgets what is older than the hosts' 30-day window at now, and
// returns, for every host and family in asked, how many distinct CMIDs of
// this kmsctl the host counts at now: at least 1 for each. It runs under
// the record's lock. On any error the returned counts are still those of
// asked alone (1 each), and the record is unchanged.
//
// The file is rewritten only when asked says something it does not: a
// host, family or CMID it lacks, or one it last saw Fresh ago or more. A
// monitoring job probing the same hosts every minute would otherwise
// fsync the record every minute (about 20 ms a run on a busy disk, four
// times the rest of a status run), to move a date whose only use is to
// tell, 30 days on, whether a host still counts a CMID.
func Record(ctx context.Context, dir string, now time.Time, asked []Asked) (map[Key]int, error) {
	counts := ones(asked)
	if len(asked) == 0 {
		return counts, nil
	}
	if err := statedir.Ensure(dir); err != nil {
		return counts, err
	}
	path := filepath.Join(dir, FileName)
	unlock, err := statedir.Lock(ctx, path)
	if err != nil {
		return counts, err
	}
	defer unlock()
	f, err := read(path)
	if err != nil {
		return counts, err
	}
	type entry struct {
		Key
		cmid guid.GUID
	}
	had := map[entry]time.Time{}
	for _, a := range f.Asked {
		e := entry{Key{a.Host, a.Family}, a.CMID}
		if a.At.After(had[e]) {
			had[e] = a.At
		}
	}
	stale := false // the file would say something new
	for _, a := range asked {
		at, ok := had[entry{Key{a.Host, a.Family}, a.CMID}]
		stale = stale || !ok || now.Sub(at) >= Fresh || at.After(now)
	}
	latest := map[entry]time.Time{}
	for _, a := range append(f.Asked, asked...) {
		e := entry{Key{a.Host, a.Family}, a.CMID}
		if now.Sub(a.At) >= kmsclient.CountWindow || a.At.After(now.Add(kmsclient.CountWindow)) {
			continue // aged out, or from a clock far ahead: not counted now
		}
		if a.At.After(latest[e]) {
			latest[e] = a.At
		}
	}
	out := file{Version: Version, Asked: make([]Asked, 0, len(latest))}
	seen := map[Key]int{}
	for e, at := range latest {
		out.Asked = append(out.Asked, Asked{Host: e.Host, Family: e.Family, CMID: e.cmid, At: at.UTC()})
		seen[e.Key]++
	}
	sort.Slice(out.Asked, func(i, j int) bool {
		a, b := out.Asked[i], out.Asked[j]
		if a.Host != b.Host {
			return a.Host < b.Host
		}
		if a.Family != b.Family {
			return a.Family < b.Family
		}
		return a.CMID.String() < b.CMID.String()
	})
	if stale {
		data, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return counts, err
		}
		if err := statedir.WriteFile(path, append(data, '\n')); err != nil {
			return counts, err
		}
	}
	for k := range counts {
		counts[k] = max(seen[k], 1)
	}
	return counts, nil
}

// ones is one client per host and family in asked.
func ones(asked []Asked) map[Key]int {
	m := map[Key]int{}
	for _, a := range asked {
		m[Key{a.Host, a.Family}] = 1
	}
	return m
}

// read loads the record at path; a missing file is an empty record.
func read(path string) (file, error) {
	fh, err := statedir.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return file{Version: Version}, nil
	}
	if err != nil {
		return file{}, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxFileSize+1))
	if err != nil {
		return file{}, err
	}
	if len(data) > maxFileSize {
		return file{}, &CorruptError{path, fmt.Errorf("larger than %d bytes", maxFileSize)}
	}
	var f file
	if err := json.Unmarshal(data, &f); err != nil {
		return file{}, &CorruptError{path, err}
	}
	if f.Version != Version {
		return file{}, &CorruptError{path, fmt.Errorf("format version %d, this kmsctl reads %d", f.Version, Version)}
	}
	for _, a := range f.Asked {
		if a.Host == "" || a.Family == "" || a.CMID.IsZero() || a.At.IsZero() {
			return file{}, &CorruptError{path, errors.New("an entry without its host, family, CMID or time")}
		}
	}
	return f, nil
}
