// Package textsafe is kmsctl's one rule for text that comes from a KMS
// host or another machine (a client name in an event 12290, a CMID, a WMI
// string, a WinRM fault text, an ePID) and is shown to a person or a
// script: a character a terminal would act on instead of showing is written
// as a visible escape, so that such text cannot move the cursor, clear the
// screen, set a window title, ring the bell, reorder what is shown, or
// start a new line or a new tab-separated field.
//
// The characters escaped are Unicode's control (Cc: C0 U+0000–U+001F, DEL
// U+007F, C1 U+0080–U+009F), format (Cf: the bidirectional controls U+202A–
// U+202E and U+2066–U+2069, U+200E/U+200F, zero-width characters, U+FEFF …)
// and line/paragraph separator (Zl U+2028, Zp U+2029) characters. Tab, LF
// and CR are written \t, \n and \r; every other one as \uXXXX (UTF-16
// units, so a character outside the BMP is a surrogate pair, as in JSON);
// a byte that is not UTF-8 as \xNN. A backslash is not itself escaped, so
// text that already holds "\n" reads the same as an escaped line feed.
package textsafe

import (
	"io"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Control reports whether a terminal may act on r instead of showing it:
// Unicode categories Cc, Cf, Zl and Zp.
func Control(r rune) bool {
	if r < 0x80 {
		return r < 0x20 || r == 0x7f
	}
	return r <= 0x9f || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

// Escape returns s with every Control character and every byte that is not
// UTF-8 written as a visible escape (see the package comment); s itself
// when there is none.
func Escape(s string) string { return escape(s, false) }

// EscapeKeepColour is Escape, except that a colour sequence (ESC [ digits
// and semicolons m, Select Graphic Rendition, as fatih/color writes) is
// kept: for a line kmsctl has painted parts of. Such a sequence only
// changes colours; everything else a terminal acts on is still escaped.
func EscapeKeepColour(s string) string { return escape(s, true) }

func escape(s string, keepSGR bool) string {
	i := firstUnsafe(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			b.WriteByte(c)
			i++
			continue
		}
		if keepSGR && c == 0x1b {
			if n := sgrLen(s[i:]); n > 0 {
				b.WriteString(s[i : i+n])
				i += n
				continue
			}
		}
		i += writeRune(&b, s[i:])
	}
	return b.String()
}

// firstUnsafe is the index of the first byte of s that may need escaping,
// or -1 when s is printable ASCII only (or holds no character to escape).
func firstUnsafe(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			continue
		}
		if c < 0x80 {
			return i
		}
		// Non-ASCII: look at the rest rune by rune.
		for j, r := range s[i:] {
			if r == utf8.RuneError || Control(r) {
				return i + j
			}
		}
		return -1
	}
	return -1
}

// clean reports whether p holds nothing Writer changes: line feeds, tabs
// and printable ASCII, and non-ASCII characters that are not Control. It
// reads p in place (the common case copies nothing).
func clean(p []byte) bool {
	for i := 0; i < len(p); {
		c := p[i]
		if c >= 0x20 && c < 0x7f || c == '\n' || c == '\t' {
			i++
			continue
		}
		if c < 0x80 {
			return false
		}
		r, n := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError || Control(r) {
			return false
		}
		i += n
	}
	return true
}

// sgrLen is the length of the SGR sequence at the start of s (ESC [ then
// digits and semicolons, then m), or 0 when s does not start with one.
func sgrLen(s string) int {
	if len(s) < 3 || s[0] != 0x1b || s[1] != '[' {
		return 0
	}
	for i := 2; i < len(s); i++ {
		switch c := s[i]; {
		case c == 'm':
			return i + 1
		case c == ';' || (c >= '0' && c <= '9'):
		default:
			return 0
		}
	}
	return 0
}

const hex = "0123456789abcdef"

func writeByteEscape(b *strings.Builder, c byte) {
	b.WriteString(`\x`)
	b.WriteByte(hex[c>>4])
	b.WriteByte(hex[c&0xf])
}

func writeRuneEscape(b *strings.Builder, r rune) {
	switch r {
	case '\t':
		b.WriteString(`\t`)
		return
	case '\n':
		b.WriteString(`\n`)
		return
	case '\r':
		b.WriteString(`\r`)
		return
	}
	units := []uint16{uint16(r)}
	if r > 0xffff {
		r1, r2 := utf16.EncodeRune(r)
		units = []uint16{uint16(r1), uint16(r2)}
	}
	for _, u := range units {
		b.WriteString(`\u`)
		for shift := 12; shift >= 0; shift -= 4 {
			b.WriteByte(hex[(u>>shift)&0xf])
		}
	}
}

// Writer passes what is written to W with the same rule applied as a last
// line of defence, for every byte a command writes on stdout or stderr:
// whatever path a host's text takes, no character a terminal acts on
// reaches it raw. It keeps what kmsctl's own output needs: line feeds,
// tabs (TSV's separators: fields are escaped before they are joined),
// colour sequences, and, when Line is set (stderr's progress line),
// carriage returns and ESC [ K (erase to the end of the line).
//
// JSON stays valid through it: encoding/json already escapes C0 controls,
// and the other characters only occur inside strings, where \uXXXX is
// JSON's own escape. Each Write is expected to end on a character and
// sequence boundary (fmt and the table writer write whole strings); a
// sequence cut by a Write is escaped, never passed raw.
type Writer struct {
	W    io.Writer
	Line bool
}

// Write writes p, escaped, to w.W; it returns len(p) when that succeeded.
func (w *Writer) Write(p []byte) (int, error) {
	if clean(p) {
		return w.W.Write(p)
	}
	s := string(p)
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f):
			b.WriteByte(c)
			i++
			continue
		case c == '\r' && w.Line:
			b.WriteByte(c)
			i++
			continue
		case c == 0x1b:
			if n := sgrLen(s[i:]); n > 0 {
				b.WriteString(s[i : i+n])
				i += n
				continue
			}
			if w.Line && strings.HasPrefix(s[i:], "\x1b[K") {
				b.WriteString("\x1b[K")
				i += 3
				continue
			}
		}
		i += writeRune(&b, s[i:])
	}
	if _, err := w.W.Write([]byte(b.String())); err != nil {
		return 0, err
	}
	return len(p), nil
}

// writeRune writes the character s starts with to b, escaped when it is a
// control character or not UTF-8 (one byte then), and returns how many
// bytes of s it took.
func writeRune(b *strings.Builder, s string) int {
	r, n := utf8.DecodeRuneInString(s)
	switch {
	case r == utf8.RuneError && n <= 1:
		writeByteEscape(b, s[0])
		return 1
	case Control(r):
		writeRuneEscape(b, r)
	default:
		b.WriteString(s[:n])
	}
	return n
}
