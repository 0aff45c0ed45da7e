package xlsxread

import (
	"bytes"
	"errors"
	"io"
	"unicode/utf8"
)

// The scanner is a small pull parser for the XML of workbook parts. It is
// driven by its caller, which knows where character data matters: next
// skips text without keeping it (so megabytes of whitespace cost no
// memory) and returns the next start or end tag; text reads the character
// data at the current position into a caller's buffer, decoding entities,
// CDATA and line ends, up to a bound.
//
// Element and attribute names are compared by local name: namespace
// prefixes are dropped (SpreadsheetML has no clashing local names in the
// places this package looks) and namespaces are not resolved.
//
// It checks what it needs, not full well-formedness: end tags are not
// matched against start tags (callers track the structure they read).

const (
	scanBufSize = 64 << 10
	// maxTagBytes bounds one tag (name and attributes), a DOCTYPE or an
	// entity reference: a hostile "huge header" is refused at this size.
	maxTagBytes = 1 << 20
	// maxEntityBytes bounds an entity or character reference such as
	// "&#x0000041;".
	maxEntityBytes = 32
)

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokStart
	tokEnd
)

// attr locates an attribute of the current tag in the scan buffer: its
// name is buf[ns:ne], its local name buf[ls:ne] (ls > ns when the name
// has a namespace prefix, which is buf[ns:ls-1]) and its raw value, with
// entities not decoded, buf[vs:ve].
type attr struct {
	ns, ls, ne, vs, ve int32
}

type scanner struct {
	r    io.Reader
	part string // part name for errors

	buf []byte
	pos int // next unread byte
	end int // end of valid data
	eof bool
	err error // sticky read error
	bom bool  // the start of the part was checked for a UTF-16 BOM

	// The current tag, valid until the next call to any method.
	name  []byte // local name
	isEnd bool
	self  bool // <x/>
	attrs []attr
}

// newScanner returns a scanner of r. size is the size of the input if
// known (a zip entry declares it), or -1; a small part gets a small
// buffer.
func newScanner(r io.Reader, part string, size int64) *scanner {
	n := scanBufSize
	if size >= 0 && size < scanBufSize-1 {
		n = max(int(size)+1, 256)
	}
	return &scanner{r: r, part: part, buf: make([]byte, n)}
}

// errTooLong is returned by text when the character data exceeds its bound.
var errTooLong = errors.New("text too long")

func (s *scanner) malformed(format string, args ...any) *Error {
	return newErr(ErrMalformed, s.part, format, args...)
}

// fill reads more input. It keeps the unread bytes buf[pos:end], moving
// them to the front, and grows the buffer up to maxTagBytes when it is
// full of unread bytes. It reports whether any bytes were added.
func (s *scanner) fill() (bool, error) {
	if s.err != nil {
		return false, s.err
	}
	if s.eof {
		return false, nil
	}
	if s.pos > 0 {
		n := copy(s.buf, s.buf[s.pos:s.end])
		s.pos, s.end = 0, n
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= maxTagBytes {
			s.err = newErr(ErrLimit, s.part, "an XML tag or reference is longer than %s", formatBytes(maxTagBytes))
			return false, s.err
		}
		nb := make([]byte, min(2*len(s.buf), maxTagBytes))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	// Read until the buffer is full (or the input ends), so that a tag
	// that does not fit is parsed again only after the buffer doubled,
	// however little each Read returns.
	added := 0
	for empty := 0; s.end < len(s.buf); {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		added += n
		if n == 0 {
			if empty++; empty >= 100 && err == nil {
				err = io.ErrNoProgress
			}
		}
		if err != nil {
			if err != io.EOF {
				s.err = readErr(s.part, err)
				return false, s.err
			}
			s.eof = true
			break
		}
	}
	if added > 0 && !s.bom {
		s.bom = true
		if s.end >= 2 && (s.buf[0] == 0xFF && s.buf[1] == 0xFE || s.buf[0] == 0xFE && s.buf[1] == 0xFF) {
			s.err = s.malformed("the part is UTF-16 encoded XML, which is not supported; save the workbook again as .xlsx from Excel or LibreOffice")
			return false, s.err
		}
	}
	return added > 0, nil
}

// ensure tries to have at least n unread bytes; it reports whether it has.
func (s *scanner) ensure(n int) (bool, error) {
	for s.end-s.pos < n {
		more, err := s.fill()
		if err != nil {
			return false, err
		}
		if !more {
			return false, nil
		}
	}
	return true, nil
}

// next skips character data, comments, processing instructions, CDATA
// and DOCTYPE declarations and returns the next start or end tag, or
// tokEOF at the end of the input.
func (s *scanner) next() (tokKind, error) {
	for {
		i := 0
		if s.pos >= s.end || s.buf[s.pos] != '<' {
			i = bytes.IndexByte(s.buf[s.pos:s.end], '<')
		}
		if i < 0 {
			s.pos = s.end
			more, err := s.fill()
			if err != nil {
				return tokEOF, err
			}
			if !more {
				return tokEOF, nil
			}
			continue
		}
		s.pos += i
		n, err := s.tag()
		if err != nil {
			return tokEOF, err
		}
		if n > 0 {
			s.pos += n
			if s.isEnd {
				return tokEnd, nil
			}
			return tokStart, nil
		}
		if n < 0 {
			continue // a comment, PI, CDATA or DOCTYPE was skipped
		}
		// incomplete tag: read more and try again
		more, err := s.fill()
		if err != nil {
			return tokEOF, err
		}
		if !more {
			return tokEOF, s.malformed("the XML ends inside a tag (the part is truncated)")
		}
	}
}

// lit consumes the literal markup p (such as "</c>") if the input
// continues with it. It is a fast path for the commonest tags: when it
// reports false (including when p straddles the end of the buffer) the
// caller goes the general way through next.
func (s *scanner) lit(p string) bool {
	if s.end-s.pos >= len(p) && string(s.buf[s.pos:s.pos+len(p)]) == p {
		s.pos += len(p)
		return true
	}
	return false
}

// cellTag is a fast path for a <c …> start tag written the usual way
// (unprefixed, attributes in double or single quotes with no space
// around '='). It returns the raw r and t attribute values. When ok is
// false it has consumed nothing and the caller goes through next.
func (s *scanner) cellTag() (ref, typ []byte, self, ok bool) {
	b := s.buf[s.pos:s.end]
	if len(b) < 3 || b[0] != '<' || b[1] != 'c' {
		return nil, nil, false, false
	}
	i := 2
	for {
		sp := i
		for i < len(b) && b[i] == ' ' {
			i++
		}
		if i == len(b) {
			return nil, nil, false, false
		}
		switch b[i] {
		case '>':
			s.pos += i + 1
			return ref, typ, false, true
		case '/':
			if i+1 < len(b) && b[i+1] == '>' {
				s.pos += i + 2
				return ref, typ, true, true
			}
			return nil, nil, false, false
		}
		if i == sp { // a name must follow "<c" or a value after a space
			return nil, nil, false, false
		}
		ns := i
		for i < len(b) && tagClass[b[i]] == clName {
			i++
		}
		if i == ns || i+2 > len(b) || b[i] != '=' || b[i+1] != '"' && b[i+1] != '\'' {
			return nil, nil, false, false
		}
		name := b[ns:i]
		q := b[i+1]
		i += 2
		vs := i
		for i < len(b) && b[i] != q {
			i++
		}
		if i == len(b) {
			return nil, nil, false, false
		}
		if len(name) == 1 {
			switch name[0] {
			case 'r':
				ref = b[vs:i]
			case 't':
				typ = b[vs:i]
			}
		}
		i++
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// Character classes of tag bytes.
const (
	clName  = iota // a name or value byte
	clSpace        // XML white space
	clGT           // >
	clSlash        // /
	clColon        // : separates a namespace prefix
	clBad          // < " ' = where a name is expected
)

var tagClass = func() (t [256]uint8) {
	for _, c := range []byte(" \t\r\n") {
		t[c] = clSpace
	}
	t['>'], t['/'], t[':'] = clGT, clSlash, clColon
	for _, c := range []byte(`<"'=`) {
		t[c] = clBad
	}
	return t
}()

// tag parses the markup at buf[pos] == '<'. It returns the number of
// bytes of a start or end tag, -1 after skipping markup that is not a
// tag, or 0 when the tag is not complete in the buffer.
func (s *scanner) tag() (int, error) {
	b := s.buf[s.pos:s.end]
	if len(b) < 2 {
		return 0, nil
	}
	switch b[1] {
	case '!':
		return -1, s.skipDecl()
	case '?':
		s.pos += 2
		return -1, s.skipPast("?>", "processing instruction")
	}
	i := 1
	s.isEnd, s.self = false, false
	s.attrs = s.attrs[:0]
	if b[1] == '/' {
		s.isEnd = true
		i = 2
	}
	start := i
	i, local := scanName(b, i)
	if i == len(b) {
		return 0, nil
	}
	if i == start || tagClass[b[i]] == clBad {
		return 0, s.badTag(b)
	}
	s.name = b[local:i]
	if s.isEnd {
		i = skipSpace(b, i)
		if i == len(b) {
			return 0, nil
		}
		if b[i] != '>' {
			return 0, s.badTag(b)
		}
		return i + 1, nil
	}
	base := int32(s.pos)
	for {
		i = skipSpace(b, i)
		if i == len(b) {
			return 0, nil
		}
		switch b[i] {
		case '>':
			return i + 1, nil
		case '/':
			if i+1 == len(b) {
				return 0, nil
			}
			if b[i+1] != '>' {
				return 0, s.badTag(b)
			}
			s.self = true
			return i + 2, nil
		}
		ns := i
		ne, ls := scanName(b, i)
		i = ne
		if i == len(b) {
			return 0, nil
		}
		if ne == ns || ls == ne {
			return 0, s.badTag(b)
		}
		i = skipSpace(b, i)
		if i == len(b) {
			return 0, nil
		}
		if b[i] != '=' {
			return 0, s.badTag(b)
		}
		i = skipSpace(b, i+1)
		if i == len(b) {
			return 0, nil
		}
		q := b[i]
		if q != '"' && q != '\'' {
			return 0, s.badTag(b)
		}
		i++
		k := 0
		for k < len(b)-i && b[i+k] != q {
			k++
		}
		if k == len(b)-i {
			return 0, nil
		}
		s.attrs = append(s.attrs, attr{ns: base + int32(ns), ls: base + int32(ls), ne: base + int32(ne), vs: base + int32(i), ve: base + int32(i+k)})
		i += k + 1
		// An attribute must be followed by space, '>' or "/>".
		if i < len(b) && tagClass[b[i]] != clSpace && b[i] != '>' && b[i] != '/' {
			return 0, s.badTag(b)
		}
	}
}

// scanName scans the qualified name that starts at b[i]: it returns
// where the name ends and where its local part starts (after the colon).
func scanName(b []byte, i int) (end, local int) {
	local = i
	for ; i < len(b); i++ {
		switch tagClass[b[i]] {
		case clName:
		case clColon:
			local = i + 1
		default:
			return i, local
		}
	}
	return i, local
}

// skipSpace returns the index of the first byte from b[i] on that is not
// XML white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) && tagClass[b[i]] == clSpace {
		i++
	}
	return i
}

func (s *scanner) badTag(b []byte) *Error {
	if i := bytes.IndexByte(b[1:], '>'); i >= 0 {
		b = b[:i+2]
	}
	if len(b) > 60 {
		b = b[:60]
	}
	return s.malformed("malformed XML tag %q", b)
}

// skipDecl skips markup starting "<!": a comment, a CDATA section outside
// text that matters, or a DOCTYPE (whose internal subset is skipped, never
// interpreted).
func (s *scanner) skipDecl() error {
	if _, err := s.ensure(9); err != nil {
		return err
	}
	b := s.buf[s.pos:s.end]
	switch {
	case bytes.HasPrefix(b, []byte("<!--")):
		s.pos += 4
		return s.skipPast("-->", "comment")
	case bytes.HasPrefix(b, []byte("<![CDATA[")):
		s.pos += 9
		return s.skipPast("]]>", "CDATA section")
	}
	// <!DOCTYPE ...> possibly with [ internal subset ].
	s.pos += 2
	depth := 0
	var q byte
	for {
		for s.pos < s.end {
			c := s.buf[s.pos]
			s.pos++
			if q != 0 {
				if c == q {
					q = 0
				}
				continue
			}
			switch c {
			case '"', '\'':
				q = c
			case '[':
				depth++
			case ']':
				depth--
			case '>':
				if depth <= 0 {
					return nil
				}
			}
		}
		more, err := s.fill()
		if err != nil {
			return err
		}
		if !more {
			return s.malformed("the XML ends inside a <! declaration (the part is truncated)")
		}
	}
}

// skipPast discards input up to and including term.
func (s *scanner) skipPast(term, what string) error {
	t := []byte(term)
	for {
		if k := bytes.Index(s.buf[s.pos:s.end], t); k >= 0 {
			s.pos += k + len(t)
			return nil
		}
		if keep := len(t) - 1; s.end-s.pos > keep {
			s.pos = s.end - keep
		}
		more, err := s.fill()
		if err != nil {
			return err
		}
		if !more {
			return s.malformed("the XML ends inside a %s (the part is truncated)", what)
		}
	}
}

// skipElement skips the content and end tag of the start tag just read
// (which must not be self-closing).
func (s *scanner) skipElement() error {
	depth := 1
	for {
		k, err := s.next()
		if err != nil {
			return err
		}
		switch k {
		case tokEOF:
			return s.malformed("the XML ends inside an element (the part is truncated)")
		case tokStart:
			if !s.self {
				depth++
			}
		case tokEnd:
			depth--
			if depth == 0 {
				return nil
			}
		}
	}
}

// text appends the character data at the current position to dst,
// decoding entities, character references and CDATA sections, skipping
// comments and processing instructions, and normalising line ends. It
// stops before the next tag. It returns errTooLong once more than max
// bytes were appended.
func (s *scanner) text(dst []byte, max int) ([]byte, error) {
	start := len(dst)
	for {
		for s.pos < s.end {
			data := s.buf[s.pos:s.end]
			n := 0
			for n < len(data) && !textStop[data[n]] {
				n++
			}
			dst = append(dst, data[:n]...)
			s.pos += n
			if len(dst)-start > max {
				return dst, errTooLong
			}
			if n == len(data) {
				break
			}
			var err error
			switch data[n] {
			case '<':
				if _, err = s.ensure(9); err != nil {
					return dst, err
				}
				b := s.buf[s.pos:s.end]
				switch {
				case bytes.HasPrefix(b, []byte("<![CDATA[")):
					s.pos += 9
					dst, err = s.cdata(dst, max-(len(dst)-start))
				case bytes.HasPrefix(b, []byte("<!--")):
					s.pos += 4
					err = s.skipPast("-->", "comment")
				case bytes.HasPrefix(b, []byte("<?")):
					s.pos += 2
					err = s.skipPast("?>", "processing instruction")
				default:
					return dst, nil
				}
			case '&':
				dst, err = s.entity(dst)
			case '\r':
				if _, err = s.ensure(2); err != nil {
					return dst, err
				}
				s.pos++
				dst = append(dst, '\n')
				if s.pos < s.end && s.buf[s.pos] == '\n' {
					s.pos++
				}
			}
			if err != nil {
				return dst, err
			}
		}
		more, err := s.fill()
		if err != nil {
			return dst, err
		}
		if !more {
			return dst, nil
		}
	}
}

// textStop marks the bytes that end a run of plain character data.
var textStop = [256]bool{'<': true, '&': true, '\r': true}

// cdata appends a CDATA section's content (after "<![CDATA[").
func (s *scanner) cdata(dst []byte, max int) ([]byte, error) {
	start := len(dst)
	for {
		b := s.buf[s.pos:s.end]
		if k := bytes.Index(b, []byte("]]>")); k >= 0 {
			dst = append(dst, b[:k]...)
			s.pos += k + 3
			if len(dst)-start > max {
				return dst, errTooLong
			}
			return dst, nil
		}
		if n := len(b) - 2; n > 0 {
			dst = append(dst, b[:n]...)
			s.pos += n
		}
		if len(dst)-start > max {
			return dst, errTooLong
		}
		more, err := s.fill()
		if err != nil {
			return dst, err
		}
		if !more {
			return dst, s.malformed("the XML ends inside a CDATA section (the part is truncated)")
		}
	}
}

// entity decodes the reference at buf[pos] == '&' and appends it.
func (s *scanner) entity(dst []byte) ([]byte, error) {
	if _, err := s.ensure(maxEntityBytes); err != nil {
		return dst, err
	}
	b := s.buf[s.pos:s.end]
	k := bytes.IndexByte(b[:min(len(b), maxEntityBytes)], ';')
	if k < 0 {
		return dst, s.malformed("bad entity reference %q (a bare & must be written &amp;)", b[:min(len(b), 12)])
	}
	dst, err := appendEntity(dst, b[1:k])
	if err != nil {
		return dst, s.malformed("%s", err.Error())
	}
	s.pos += k + 1
	return dst, nil
}

// appendEntity appends the character named by an entity reference
// without its & and ;.
func appendEntity(dst, name []byte) ([]byte, error) {
	switch string(name) {
	case "lt":
		return append(dst, '<'), nil
	case "gt":
		return append(dst, '>'), nil
	case "amp":
		return append(dst, '&'), nil
	case "quot":
		return append(dst, '"'), nil
	case "apos":
		return append(dst, '\''), nil
	}
	if len(name) < 2 || name[0] != '#' {
		return dst, errors.New("unknown entity &" + string(name) + "; (only &lt; &gt; &amp; &quot; &apos; are defined)")
	}
	digits, base := name[1:], rune(10)
	if digits[0] == 'x' {
		digits, base = digits[1:], 16
	}
	if len(digits) == 0 {
		return dst, errors.New("bad character reference &" + string(name) + ";")
	}
	var r rune
	for _, c := range digits {
		var d rune
		switch {
		case c >= '0' && c <= '9':
			d = rune(c - '0')
		case base == 16 && c >= 'a' && c <= 'f':
			d = rune(c-'a') + 10
		case base == 16 && c >= 'A' && c <= 'F':
			d = rune(c-'A') + 10
		default:
			return dst, errors.New("bad character reference &" + string(name) + ";")
		}
		r = r*base + d
		if r > utf8.MaxRune {
			return dst, errors.New("bad character reference &" + string(name) + ";")
		}
	}
	if r == 0 || !utf8.ValidRune(r) {
		return dst, errors.New("bad character reference &" + string(name) + ";")
	}
	return utf8.AppendRune(dst, r), nil
}

// decodeAttr returns an attribute value with its entities decoded; it
// returns raw itself when there is nothing to decode.
func decodeAttr(raw []byte, scratch []byte) ([]byte, error) {
	if bytes.IndexByte(raw, '&') < 0 {
		return raw, nil
	}
	dst := scratch[:0]
	for len(raw) > 0 {
		i := bytes.IndexByte(raw, '&')
		if i < 0 {
			dst = append(dst, raw...)
			break
		}
		dst = append(dst, raw[:i]...)
		raw = raw[i:]
		k := bytes.IndexByte(raw, ';')
		if k < 0 || k > maxEntityBytes {
			return nil, errors.New("bad entity reference in an attribute (a bare & must be written &amp;)")
		}
		var err error
		if dst, err = appendEntity(dst, raw[1:k]); err != nil {
			return nil, err
		}
		raw = raw[k+1:]
	}
	return dst, nil
}

// attr returns the raw value of the current tag's unprefixed attribute.
func (s *scanner) attr(name string) ([]byte, bool) {
	for _, a := range s.attrs {
		if a.ls == a.ns && string(s.buf[a.ls:a.ne]) == name {
			return s.buf[a.vs:a.ve], true
		}
	}
	return nil, false
}

// attrString returns the decoded value of the current tag's attribute;
// prefixed selects a prefixed name (r:id) instead of an unprefixed one.
func (s *scanner) attrString(name string, prefixed bool) (string, bool, error) {
	for _, a := range s.attrs {
		if (a.ls != a.ns) != prefixed || string(s.buf[a.ls:a.ne]) != name {
			continue
		}
		if prefixed && string(s.buf[a.ns:a.ls-1]) == "xmlns" {
			continue
		}
		v, err := decodeAttr(s.buf[a.vs:a.ve], nil)
		if err != nil {
			return "", true, s.malformed("attribute %s: %v", name, err)
		}
		return string(v), true, nil
	}
	return "", false, nil
}

// readErr turns an error from reading a part into an *Error.
func readErr(part string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Kind: ErrTruncated, Part: part, Msg: "the workbook file is damaged or truncated", Err: err}
}
