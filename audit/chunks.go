package audit

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"

	"github.com/kmsctl/kmsctl/kmshost"
)

// Reading a large export on every core, in file order.
//
// The file is read in blocks of chunkSize bytes. Each block is cut just
// after the last place that looks like the end of a record (for XML the
// last "</Event>", for JSON the bytes seen between the file's first two
// records), and the rest goes to the front of the next block. Workers
// split and decode the chunks at the same time, each starting in the state
// a reader is in between two records. The one consumer takes the chunks in
// file order and hands their events on; it accepts a chunk's result only
// when the chunk before it ended exactly at the cut (no partial record
// left) in the state the worker assumed, which makes the result the same
// as a reading from the start of the file would give. When the guess was
// wrong (a cut inside a record or a string, or no likely end in a block)
// the consumer reads that chunk again itself, after what was left of the
// one before, so a bad guess costs time, never a different answer. Memory
// stays bounded by the chunks in flight (about 2×workers+2 of chunkSize)
// plus one record of MaxEventSize.

// chunkSize is how many bytes of the file one chunk holds, about 800
// ConvertTo-Json records or 1,400 wevtutil events. Tests read with
// smaller chunks to put chunk borders everywhere.
const chunkSize = 1 << 20

// recordFormat is what the chunk reader needs of one format. S is the
// state its splitter carries from record to record.
type recordFormat[S comparable] struct {
	name string
	// split is a bufio.SplitFunc over the state s.
	split func(s *S, data []byte, atEOF bool) (int, []byte, error)
	// between is the state between two records, assumed at the start of
	// every chunk but the first (which starts in S's zero value).
	between S
	// decode reads one record; msg words its error.
	decode func(rec []byte) (time.Time, int, []string, error)
	// fused, when set, splits and decodes the next record at once, in one
	// pass over its bytes, as split and decode would; ok false when it
	// does not take what comes (then split and decode do).
	fused func(s *S, data []byte) (adv int, t time.Time, id int, fields []string, err error, ok bool)
	msg   func(error) string
	// tooLong says that a record or what is left over exceeds MaxEventSize.
	tooLong string
	// cut is where to end a chunk in block (just after a likely end of a
	// record), or -1 when there is none.
	cut func(block []byte) int
	// none is the error for a file without records, or nil when that is
	// not an error.
	none error
}

// chunk is one piece of the file and, once done is closed, what a worker
// read from it.
type chunk[S comparable] struct {
	buf     []byte // owned: data is buf[:len(data)]
	data    []byte
	eof     bool  // the last chunk
	readErr error // the read after data failed (not EOF)
	first   bool  // starts at the file's first record
	res     chunkResult[S]
	done    chan struct{}
}

// chunkResult is what reading data from a state gave.
type chunkResult[S comparable] struct {
	events   []kmshost.Event
	skipped  int // records of other event IDs
	records  int // records split off (events, skipped and one with an error)
	consumed int // bytes of data taken; the rest is a record not yet whole
	end      S   // the splitter's state after consumed
	err      error
	splitErr bool // err is the splitter's (about the record after the last one), not a record's
}

// parse splits and decodes records from data in state s until data ends
// or a record is wrong, as bufio.Scanner would call split.
func (f *recordFormat[S]) parse(data []byte, atEOF bool, s S, res *chunkResult[S]) {
	*res = chunkResult[S]{events: res.events[:0]}
	off := 0
	defer func() { res.consumed, res.end = off, s }()
	for {
		if off == len(data) && !atEOF {
			return
		}
		if f.fused != nil {
			if adv, t, id, fields, err, ok := f.fused(&s, data[off:]); ok {
				off += adv
				res.records++
				if err != nil {
					res.err = err
					return
				}
				f.add(res, t, id, fields)
				continue
			}
		}
		adv, tok, err := f.split(&s, data[off:], atEOF)
		if err != nil {
			res.err, res.splitErr = err, true
			return
		}
		if adv < 0 || adv > len(data)-off {
			res.err, res.splitErr = bufio.ErrNegativeAdvance, true
			return
		}
		off += adv
		if tok == nil {
			if adv == 0 {
				return // needs more data, or at the end nothing more
			}
			continue
		}
		res.records++
		t, id, fields, err := f.decode(tok)
		if err != nil {
			res.err = err
			return
		}
		f.add(res, t, id, fields)
	}
}

// add decodes one event's fields into res; other IDs are counted.
func (f *recordFormat[S]) add(res *chunkResult[S], t time.Time, id int, fields []string) {
	e, ok := kmshost.NewEvent(t, id, fields)
	if !ok {
		res.skipped++
		return
	}
	e.Record = res.records // within the chunk; read adds the records before it
	res.events = append(res.events, e)
}

// read reads the whole of in (positioned at the first byte of the
// export) in chunks of chunkSize bytes on workers goroutines (0:
// GOMAXPROCS) and hands the events to fn in file order.
func (f *recordFormat[S]) read(in io.Reader, chunkSize, workers int, fn func(*kmshost.Event)) (Source, error) {
	src := Source{Format: f.name}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	inFlight := 2*workers + 2
	var (
		free  = make(chan *chunk[S], inFlight)
		work  = make(chan *chunk[S], inFlight)
		order = make(chan *chunk[S], inFlight)
		quit  = make(chan struct{})
		wg    sync.WaitGroup
	)
	for range inFlight {
		free <- &chunk[S]{}
	}
	// The reader: blocks cut after a likely record end.
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(work)
		defer close(order)
		var carry []byte
		for first := true; ; first = false {
			var c *chunk[S]
			select {
			case c = <-free:
			case <-quit:
				return
			}
			if cap(c.buf) < len(carry)+chunkSize {
				c.buf = make([]byte, 0, len(carry)+chunkSize)
			}
			buf := append(c.buf[:0], carry...)
			n, err := io.ReadFull(in, buf[len(buf):len(buf)+chunkSize])
			buf = buf[:len(buf)+n]
			c.buf, c.first, c.readErr, c.eof = buf, first, nil, false
			switch {
			case err == io.EOF || err == io.ErrUnexpectedEOF:
				c.eof = true
			case err != nil:
				c.readErr = err
			}
			cut := len(buf)
			if !c.eof && c.readErr == nil {
				if k := f.cut(buf); k > 0 {
					cut = k
				}
			}
			carry = append(carry[:0], buf[cut:]...)
			c.data = buf[:cut]
			c.done = make(chan struct{})
			select {
			case order <- c:
			case <-quit:
				return
			}
			work <- c // never blocks: work holds inFlight
			if c.eof || c.readErr != nil {
				return
			}
		}
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				select {
				case <-quit: // the consumer has stopped
					close(c.done)
					continue
				default:
				}
				s := f.between
				if c.first {
					var zero S
					s = zero
				}
				f.parse(c.data, c.eof, s, &c.res)
				close(c.done)
			}
		}()
	}
	defer func() {
		close(quit)
		for range order { // let the reader see quit; workers end when work closes
		}
		wg.Wait()
	}()

	// The consumer, in file order.
	var (
		state    S
		leftover []byte
		again    chunkResult[S]
		joined   []byte
		records  int
	)
	for c := range order {
		<-c.done
		res := &c.res
		start := f.between
		if c.first {
			var zero S
			start = zero
		}
		if len(leftover) > 0 || state != start {
			// The guess was wrong: read what was left, then this chunk.
			joined = append(append(joined[:0], leftover...), c.data...)
			f.parse(joined, c.eof, state, &again)
			res = &again
		}
		for i := range res.events {
			res.events[i].Record += records
			fn(&res.events[i])
		}
		src.Events += len(res.events)
		src.Skipped += res.skipped
		if res.err != nil {
			if res.splitErr {
				return src, f.splitError(records+res.records+1, res.err)
			}
			records += res.records
			return src, &FileError{Format: f.name, Event: records, Msg: f.msg(res.err), Err: res.err}
		}
		records += res.records
		state = res.end
		var rest []byte
		if res == &again {
			rest = joined[res.consumed:]
		} else {
			rest = c.data[res.consumed:]
		}
		leftover = append(leftover[:0], rest...)
		if c.readErr != nil {
			return src, &FileError{Format: f.name, Event: records + 1, Msg: c.readErr.Error(), Err: c.readErr}
		}
		if len(leftover) > MaxEventSize {
			return src, f.splitError(records+1, bufio.ErrTooLong)
		}
		c.done = nil
		free <- c
	}
	if records == 0 && f.none != nil {
		return src, &FileError{Format: f.name, Msg: f.none.Error()}
	}
	return src, nil
}

// splitError is the FileError for what the splitter found at record n.
func (f *recordFormat[S]) splitError(n int, err error) error {
	msg := err.Error()
	if errors.Is(err, bufio.ErrTooLong) {
		msg = f.tooLong
	}
	return &FileError{Format: f.name, Event: n, Msg: msg, Err: err}
}

// xmlFormat reads wevtutil's <Event> elements.
var xmlFormat = &recordFormat[struct{}]{
	name:    FormatXML,
	split:   func(_ *struct{}, data []byte, atEOF bool) (int, []byte, error) { return splitEvents(data, atEOF) },
	decode:  parseEventXML,
	fused:   xmlFused,
	msg:     func(err error) string { return err.Error() },
	tooLong: fmt.Sprintf("an event longer than %d bytes, or an <Event> element that does not end", MaxEventSize),
	cut: func(block []byte) int {
		if i := bytes.LastIndex(block, []byte("</Event>")); i >= 0 {
			return i + len("</Event>")
		}
		return -1
	},
	none: errors.New("no <Event> elements: not an export of an event log"),
}

// newJSONFormat reads ConvertTo-Json's array of event records. Where to
// cut is learnt from the first block that holds two records: the bytes
// from the end of the first to the start of the second ("},\r\n    {" as
// ConvertTo-Json indents) are looked for from then on.
func newJSONFormat() *recordFormat[jsonSplit] {
	var sep []byte
	return &recordFormat[jsonSplit]{
		name:    FormatJSON,
		split:   (*jsonSplit).next,
		between: jsonSplit{started: true, afterItem: true},
		decode:  decodeJSON,
		fused:   jsonFused,
		msg:     jsonMsg,
		tooLong: fmt.Sprintf("an event record longer than %d bytes, or one that does not end", MaxEventSize),
		cut: func(block []byte) int {
			if sep == nil {
				sep = jsonSeparator(block)
				if sep == nil {
					return -1
				}
			}
			if i := bytes.LastIndex(block, sep); i >= 0 {
				return i + 1 // just after the record's '}'
			}
			return -1
		},
	}
}

// jsonSeparator is what lies between the first two records of block,
// from the first one's '}' to the second one's '{'; nil when block does
// not hold two records that the splitter takes from the start.
func jsonSeparator(block []byte) []byte {
	var s jsonSplit
	end := -1
	for off := 0; off < len(block); {
		adv, tok, err := s.next(block[off:], false)
		if err != nil || s.single || adv == 0 {
			return nil
		}
		if tok != nil {
			start := cap(block) - cap(tok)
			if end >= 0 {
				if start <= end || block[end-1] != '}' || block[start] != '{' {
					return nil
				}
				return bytes.Clone(block[end-1 : start+1])
			}
			end = start + len(tok)
		}
		off += adv
	}
	return nil
}

// jsonFused takes the next record of the array, with its comma, when
// pickAt takes it whole: the record's end and its three properties are
// found in one pass, where split and decode pass over it twice.
func jsonFused(s *jsonSplit, data []byte) (adv int, t time.Time, id int, fields []string, err error, ok bool) {
	if !s.started || s.single || s.ended {
		return
	}
	i := skipSpace(data, 0)
	if s.afterItem {
		if i >= len(data) || data[i] != ',' {
			return
		}
		i = skipSpace(data, i+1)
	}
	ev := eventJSONs.Get().(*eventJSON)
	defer eventJSONs.Put(ev)
	*ev = eventJSON{arena: ev.arena}
	end := ev.pickAt(data, i)
	if end < 0 {
		return
	}
	s.afterItem = true
	t, id, fields, err = ev.parts() // copies what it keeps, to the arena
	return end, t, id, fields, err, true
}

// eventJSONs are jsonFused's scratch records, each with an arena for the
// insertion strings: one escapes to the heap (it points into itself), and
// a million records should not make a million.
var eventJSONs = sync.Pool{New: func() any { return &eventJSON{arena: new(arena)} }}

// xmlFused takes the next <Event> element when it comes right after white
// space and scanEventXML reads it: its end and its parts are found in one
// pass, where splitEvents and parseEventXML pass over it twice.
func xmlFused(_ *struct{}, data []byte) (adv int, t time.Time, id int, fields []string, err error, ok bool) {
	i := skipSpace(data, 0)
	if !bytes.HasPrefix(data[i:], []byte("<Event")) || len(data) <= i+len("<Event") {
		return
	}
	switch data[i+len("<Event")] {
	case ' ', '>', '\t', '\r', '\n':
	default:
		return // <Events>, <Event/>, …: splitEvents decides
	}
	t, id, fields, end, ok := scanEventXML(data[i:])
	if !ok {
		return
	}
	return i + end, t, id, fields, nil, true
}
