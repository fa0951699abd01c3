package authorizer

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// maxJSONDepth is encoding/json's nesting limit: deeper documents are invalid.
const maxJSONDepth = 10000

// span is the position doc[start:end] of a JSON value or member name
// (quotes included) inside the document being read; end 0 means absent.
type span struct {
	start, end int
	// plain is set by scanJSON on string literals without escapes whose
	// bytes are all ASCII: their inside is their decoded value; and on
	// arrays whose elements all are such strings, n of them. (False proves
	// nothing.)
	plain bool
	n     int
}

// jsonScan validates a JSON document in one pass, accepting exactly what
// json.Valid accepts (RFC 8259 with encoding/json's nesting limit; bytes of
// strings are not required to be UTF-8).
type jsonScan struct {
	doc []byte
	i   int
	// fitFloat also requires every number to fit a float64, as decoding
	// into map[string]any (jwt/v5's header) does.
	fitFloat bool
	// nameEnd is where the member name that name last read ends, and
	// namePlain whether it was plain.
	nameEnd   int
	namePlain bool
	// lastPlain is whether the last string str read was plain.
	lastPlain bool
	// elems and elemsPlain describe the array value last read: its
	// number of elements and whether all are plain strings.
	elems      int
	elemsPlain bool
}

// scanJSON validates doc and, when its top-level value is an object, calls
// member for each member in order. It returns the first byte of the
// top-level value ('{' for an object, 'n' for null, ...), or 0 when doc is
// not valid JSON (member may have been called for members before the
// error).
func scanJSON(doc []byte, fitFloat bool, member func(name, value span)) byte {
	s := jsonScan{doc: doc, fitFloat: fitFloat}
	s.space()
	first := s.peek()
	if first == '{' {
		if !s.topObject(member) {
			return 0
		}
	} else if !s.value(0) {
		return 0
	}
	s.space()
	if s.i != len(doc) {
		return 0
	}
	return first
}

// peek returns the byte at the cursor, or 0 at the end.
func (s *jsonScan) peek() byte {
	if s.i < len(s.doc) {
		return s.doc[s.i]
	}
	return 0
}

// space skips white space.
func (s *jsonScan) space() {
	for s.i < len(s.doc) {
		switch s.doc[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// topObject reads the top-level object, reporting its members.
func (s *jsonScan) topObject(member func(name, value span)) bool {
	s.i++
	s.space()
	if s.peek() == '}' {
		s.i++
		return true
	}
	for {
		name := span{start: s.i}
		if !s.name() {
			return false
		}
		name.end, name.plain = s.nameEnd, s.namePlain
		value := span{start: s.i}
		if !s.value(1) {
			return false
		}
		value.end = s.i
		switch s.doc[value.start] {
		case '"':
			value.plain = s.lastPlain
		case '[':
			value.plain, value.n = s.elemsPlain, s.elems
		}
		member(name, value)
		s.space()
		switch s.peek() {
		case ',':
			s.i++
			s.space()
		case '}':
			s.i++
			return true
		default:
			return false
		}
	}
}

// name reads a member name, the colon and the white space up to the value.
// The name's end is left in nameEnd.
func (s *jsonScan) name() bool {
	if s.peek() != '"' || !s.str() {
		return false
	}
	s.nameEnd, s.namePlain = s.i, s.lastPlain
	s.space()
	if s.peek() != ':' {
		return false
	}
	s.i++
	s.space()
	return true
}

// value reads one value at the cursor, inside depth open containers. It
// keeps its own stack of open containers rather than recursing.
func (s *jsonScan) value(depth int) bool {
	var stackBuf [32]byte
	open := stackBuf[:0] // '{' or '[' per open container
	s.elems, s.elemsPlain = 0, true
	for {
		// A value starts here.
		c := s.peek()
		element := len(open) == 1 && open[0] == '[' // of the outer array
		if element {
			s.elems++
			s.elemsPlain = s.elemsPlain && c == '"'
		}
		switch c {
		case '{', '[':
			if depth+len(open)+1 > maxJSONDepth {
				return false
			}
			open = append(open, c)
			s.i++
			s.space()
			if s.peek() == c+2 { // '}' is '{'+2, ']' is '['+2
				s.i++
				open = open[:len(open)-1]
				break
			}
			if c == '{' && !s.name() {
				return false
			}
			continue
		case '"':
			if !s.str() {
				return false
			}
			if element && !s.lastPlain {
				s.elemsPlain = false
			}
		case 't':
			if !s.literal("true") {
				return false
			}
		case 'f':
			if !s.literal("false") {
				return false
			}
		case 'n':
			if !s.literal("null") {
				return false
			}
		default:
			if !s.number() {
				return false
			}
		}
		// A value ended: close containers until one continues.
		for {
			if len(open) == 0 {
				return true
			}
			s.space()
			top := open[len(open)-1]
			c := s.peek()
			if c == top+2 {
				s.i++
				open = open[:len(open)-1]
				continue
			}
			if c != ',' {
				return false
			}
			s.i++
			s.space()
			if top == '{' && !s.name() {
				return false
			}
			break
		}
	}
}

func (s *jsonScan) literal(want string) bool {
	if len(s.doc)-s.i < len(want) || string(s.doc[s.i:s.i+len(want)]) != want {
		return false
	}
	s.i += len(want)
	return true
}

// str reads a string literal: no control characters, valid escapes. It
// sets lastPlain.
func (s *jsonScan) str() bool {
	d := s.doc
	plain := true
	for i := s.i + 1; ; {
		q := bytes.IndexByte(d[i:], '"')
		if q < 0 {
			return false
		}
		q += i
		// d[i:q] must hold no control character; a backslash starts an
		// escape, which may swallow the quote at q.
		j := i
		var high uint64
		for ; j+8 <= q; j += 8 {
			x := le64(d[j:])
			if zeroByte(x^(lsbs*'\\'))|byteBelow(x, 0x20) != 0 {
				break
			}
			high |= x & msbs
		}
		for ; j < q && d[j] != '\\'; j++ {
			if d[j] < 0x20 {
				return false
			}
			high |= uint64(d[j] & 0x80)
		}
		if high != 0 {
			plain = false
		}
		if j == q {
			s.i, s.lastPlain = q+1, plain
			return true
		}
		// An escape at j.
		plain = false
		if j+1 >= len(d) {
			return false
		}
		switch d[j+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i = j + 2
		case 'u':
			if len(d)-j <= 5 || !isHex(d[j+2]) || !isHex(d[j+3]) || !isHex(d[j+4]) || !isHex(d[j+5]) {
				return false
			}
			i = j + 6
		default:
			return false
		}
	}
}

// Eight-bytes-at-a-time tests (SWAR): each is non-zero when some byte of x
// has the property.
const (
	lsbs = 0x0101010101010101
	msbs = 0x8080808080808080
)

// le64 reads eight bytes little-endian.
func le64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }

// zeroByte: some byte of x is 0.
func zeroByte(x uint64) uint64 { return (x - lsbs) &^ x & msbs }

// byteBelow: some byte of x is < n, for n <= 128.
func byteBelow(x uint64, n byte) uint64 { return (x - lsbs*uint64(n)) &^ x & msbs }

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (s *jsonScan) number() bool {
	d, i := s.doc, s.i
	start := i
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && '1' <= d[i] && d[i] <= '9':
		i = digits(d, i)
	default:
		return false
	}
	if i < len(d) && d[i] == '.' {
		if i++; i >= len(d) || !isDigit(d[i]) {
			return false
		}
		i = digits(d, i)
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		if i++; i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || !isDigit(d[i]) {
			return false
		}
		i = digits(d, i)
	}
	if s.fitFloat {
		if _, err := strconv.ParseFloat(string(d[start:i]), 64); err != nil {
			return false
		}
	}
	s.i = i
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// digits returns the index past the run of digits starting at i.
func digits(d []byte, i int) int {
	for i < len(d) && isDigit(d[i]) {
		i++
	}
	return i
}

// The functions below read documents that scanJSON has accepted: they only
// find where things are and never need to report syntax errors.

// skipSpace returns the index of the first non-white-space byte at or after i.
func skipSpace(doc []byte, i int) int {
	for i < len(doc) && (doc[i] == ' ' || doc[i] == '\t' || doc[i] == '\n' || doc[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the string literal starting at i.
func stringEnd(doc []byte, i int) int {
	for i++; doc[i] != '"'; i++ {
		if doc[i] == '\\' {
			i++
		}
	}
	return i + 1
}

// valueEnd returns the index just past the value starting at i.
func valueEnd(doc []byte, i int) int {
	switch doc[i] {
	case '"':
		return stringEnd(doc, i)
	case '{', '[':
		depth := 0
		for ; ; i++ {
			switch doc[i] {
			case '"':
				i = stringEnd(doc, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
	}
	for i < len(doc) && doc[i] != ',' && doc[i] != '}' && doc[i] != ']' &&
		doc[i] != ' ' && doc[i] != '\t' && doc[i] != '\n' && doc[i] != '\r' {
		i++
	}
	return i
}

// arrayIter walks the elements of a validated array.
type arrayIter struct {
	doc []byte
	pos int // index of the next element, or of the closing bracket
}

// newArrayIter starts an iteration over the array whose '[' is at doc[open].
func newArrayIter(doc []byte, open int) arrayIter {
	return arrayIter{doc: doc, pos: skipSpace(doc, open+1)}
}

// next returns the next element.
func (it *arrayIter) next() (value span, ok bool) {
	d := it.doc
	if d[it.pos] == ']' {
		return span{}, false
	}
	value = span{start: it.pos, end: valueEnd(d, it.pos)}
	i := skipSpace(d, value.end)
	if d[i] == ',' {
		i = skipSpace(d, i+1)
	}
	it.pos = i
	return value, true
}

// plainText reports whether b, the inside of a string literal, has no
// escape sequence and is valid UTF-8: its bytes are then the decoded string.
func plainText(b []byte) bool {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if x := le64(b[i:]); x&msbs|zeroByte(x^(lsbs*'\\')) != 0 {
			break
		}
	}
	ascii := true
	for _, c := range b[i:] {
		if c == '\\' {
			return false
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	return ascii || utf8.Valid(b)
}

// decodeString decodes the string literal doc[s]; text, when not empty, is
// the same document as a string, and plain strings are sliced from it
// without copying. ok is false when the value is not a string.
func decodeString(doc []byte, text string, s span) (string, bool) {
	if doc[s.start] != '"' {
		return "", false
	}
	if s.plain || plainText(doc[s.start+1:s.end-1]) {
		if text != "" {
			return text[s.start+1 : s.end-1], true
		}
		return string(doc[s.start+1 : s.end-1]), true
	}
	var out string
	return out, json.Unmarshal(doc[s.start:s.end], &out) == nil
}

// nameIs reports whether the member name doc[s] decodes to want.
func nameIs(doc []byte, s span, want string) bool {
	body := doc[s.start+1 : s.end-1]
	if string(body) == want {
		return true
	}
	if s.plain || bytes.IndexByte(body, '\\') < 0 {
		// Without escapes, invalid UTF-8 (which decoding would replace
		// with U+FFFD) can never equal an ASCII name either way.
		return false
	}
	got, _ := decodeString(doc, "", s)
	return got == want
}
