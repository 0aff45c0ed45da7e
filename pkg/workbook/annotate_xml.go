package workbook

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"iter"
	"slices"
	"strings"
)

// The annotated copy is made by rewriting a few parts of the workbook as
// byte streams: everything the rewrite does not touch is copied as it was
// written, so that whatever the writer (Excel, LibreOffice, openpyxl,
// gnumeric) put there survives. xmlTokens splits XML into markup (a tag,
// comment, CDATA section, processing instruction or declaration, whole)
// and text (in chunks), in bounded memory.

// maxMarkup bounds one piece of markup (a tag, or a CDATA section).
const maxMarkup = 16 << 20

var errMarkupTooLong = errors.New("an XML tag or CDATA section is longer than 16 MiB")

type xmlTokens struct {
	r        io.Reader
	buf      []byte
	pos, end int
	eof      bool
}

func newXMLTokens(r io.Reader) *xmlTokens {
	return &xmlTokens{r: r, buf: make([]byte, 64<<10)}
}

// xmlTokensIn yields the tokens of the XML in r (see next), each valid
// until the loop goes on; it ends with the input, or after yielding an
// error.
func xmlTokensIn(r io.Reader) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		t := newXMLTokens(r)
		for {
			tok, err := t.next()
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(tok, nil) {
				return
			}
		}
	}
}

// fill reads more input, keeping buf[pos:end]; it grows buf when it is
// full, reading until the buffer is full or the input ends so that a long
// piece of markup is rescanned a bounded number of times.
func (t *xmlTokens) fill() error {
	if t.pos > 0 {
		n := copy(t.buf, t.buf[t.pos:t.end])
		t.pos, t.end = 0, n
	}
	if t.end == len(t.buf) {
		if len(t.buf) >= maxMarkup+64<<10 {
			return errMarkupTooLong
		}
		nb := make([]byte, 2*len(t.buf))
		copy(nb, t.buf[:t.end])
		t.buf = nb
	}
	for t.end < len(t.buf) && !t.eof {
		n, err := t.r.Read(t.buf[t.end:])
		t.end += n
		if err == io.EOF {
			t.eof = true
		} else if err != nil {
			return err
		}
	}
	return nil
}

// next returns the next token, valid until the following call: markup
// starts with '<'. It returns io.EOF at the end of the input.
func (t *xmlTokens) next() (tok []byte, err error) {
	for t.pos == t.end {
		if t.eof {
			return nil, io.EOF
		}
		if err := t.fill(); err != nil {
			return nil, err
		}
	}
	if t.buf[t.pos] != '<' {
		i := bytes.IndexByte(t.buf[t.pos:t.end], '<')
		if i < 0 {
			i = t.end - t.pos
		}
		tok = t.buf[t.pos : t.pos+i]
		t.pos += i
		return tok, nil
	}
	for {
		if n := markupEnd(t.buf[t.pos:t.end], t.eof); n > 0 {
			tok = t.buf[t.pos : t.pos+n]
			t.pos += n
			return tok, nil
		}
		if t.eof {
			return nil, fmt.Errorf("the XML ends inside a tag (the part is truncated)")
		}
		if err := t.fill(); err != nil {
			return nil, err
		}
	}
}

// markupEnd returns the length of the markup b starts with, or 0 when b
// does not hold all of it yet (more is to come unless eof).
func markupEnd(b []byte, eof bool) int {
	if len(b) < 9 && !eof && !bytes.ContainsRune(b, '>') {
		return 0 // too short to tell a comment or CDATA from a tag
	}
	find := func(start int, term string) int {
		if start > len(b) {
			return 0
		}
		if i := bytes.Index(b[start:], []byte(term)); i >= 0 {
			return start + i + len(term)
		}
		return 0
	}
	switch {
	case bytes.HasPrefix(b, []byte("<!--")):
		return find(4, "-->")
	case bytes.HasPrefix(b, []byte("<![CDATA[")):
		return find(9, "]]>")
	case bytes.HasPrefix(b, []byte("<?")):
		return find(2, "?>")
	}
	// A tag ends at the first '>' outside quotes; a declaration's at the
	// first one outside quotes and its internal subset in [...].
	decl := len(b) > 1 && b[1] == '!'
	depth := 0
	var quote byte
	for i := 1; i < len(b); i++ {
		c := b[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case decl && c == '[':
			depth++
		case decl && c == ']':
			depth--
		case c == '>' && depth <= 0:
			return i + 1
		}
	}
	return 0
}

// tagInfo describes a start, end or empty-element tag.
type tagInfo struct {
	prefix, local string
	end, self     bool
}

// tagName returns the name of the tag tok as written (with any prefix)
// and whether it is an end tag; ok is false for markup that is not a tag
// (a comment, CDATA, a processing instruction).
func tagName(tok []byte) (name []byte, end, ok bool) {
	if len(tok) < 3 || tok[0] != '<' {
		return nil, false, false
	}
	i := 1
	switch tok[1] {
	case '/':
		end, i = true, 2
	case '!', '?':
		return nil, false, false
	}
	return tok[i:nameEnd(tok, i)], end, true
}

// nameEnd returns where the name that starts at tok[i] ends.
func nameEnd(tok []byte, i int) int {
	for i < len(tok) && !isSpace(tok[i]) && tok[i] != '>' && tok[i] != '/' {
		i++
	}
	return i
}

// parseTag returns the name of the tag tok; ok is false for markup that
// is not a tag (a comment, CDATA, a processing instruction).
func parseTag(tok []byte) (ti tagInfo, ok bool) {
	name, end, ok := tagName(tok)
	if !ok {
		return ti, false
	}
	ti.end = end
	if k := bytes.IndexByte(name, ':'); k >= 0 {
		ti.prefix, ti.local = string(name[:k]), string(name[k+1:])
	} else {
		ti.local = string(name)
	}
	ti.self = !ti.end && len(tok) >= 2 && tok[len(tok)-2] == '/'
	return ti, ti.local != ""
}

// isTag reports whether tok is a tag with the local name local (any
// prefix), an end tag when end, without allocating.
func isTag(tok []byte, local string, end bool) bool {
	name, isEnd, ok := tagName(tok)
	if !ok || isEnd != end {
		return false
	}
	if k := bytes.IndexByte(name, ':'); k >= 0 {
		name = name[k+1:]
	}
	return string(name) == local
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// xmlAttr is one attribute of a tag: tok[start:end] is the whole
// attribute (name="value"), Name its name as written (with any prefix),
// Value its raw value.
type xmlAttr struct {
	Name, Value []byte
	start, end  int
}

// attrScanner walks the well-formed attributes of a tag without
// allocating: rewriting a sheet reads the attributes of every cell.
type attrScanner struct {
	tok []byte
	i   int
}

func scanAttrs(tok []byte) attrScanner { return attrScanner{tok: tok, i: nameEnd(tok, 1)} }

// next returns the next attribute; ok is false at the end of the tag,
// and at an unterminated value (nothing after it can be read).
func (s *attrScanner) next() (a xmlAttr, ok bool) {
	tok, i := s.tok, s.i
	for i < len(tok) {
		for i < len(tok) && (isSpace(tok[i]) || tok[i] == '/' || tok[i] == '>') {
			i++
		}
		start := i
		for i < len(tok) && tok[i] != '=' && !isSpace(tok[i]) && tok[i] != '>' {
			i++
		}
		name := tok[start:i]
		for i < len(tok) && isSpace(tok[i]) {
			i++
		}
		if i >= len(tok) || tok[i] != '=' {
			continue // not well-formed; skip the word
		}
		i++
		for i < len(tok) && isSpace(tok[i]) {
			i++
		}
		if i >= len(tok) || tok[i] != '"' && tok[i] != '\'' {
			continue
		}
		q := tok[i]
		k := bytes.IndexByte(tok[i+1:], q)
		if k < 0 {
			break
		}
		s.i = i + k + 2
		return xmlAttr{Name: name, Value: tok[i+1 : i+1+k], start: start, end: i + 2 + k}, true
	}
	s.i = len(tok)
	return xmlAttr{}, false
}

// attrRaw returns the raw value of the unprefixed attribute name of the
// tag tok, without allocating: the hot path of rewriting a sheet.
func attrRaw(tok []byte, name string) ([]byte, bool) {
	for s := scanAttrs(tok); ; {
		a, ok := s.next()
		if !ok {
			return nil, false
		}
		if string(a.Name) == name {
			return a.Value, true
		}
	}
}

// attrValue returns the decoded value of the attribute whose local name
// is local (any prefix when anyPrefix, else none).
func attrValue(tok []byte, local string, anyPrefix bool) (string, bool) {
	for s := scanAttrs(tok); ; {
		a, ok := s.next()
		if !ok {
			return "", false
		}
		name := a.Name
		if k := bytes.IndexByte(name, ':'); k >= 0 {
			if !anyPrefix || string(name[:k]) == "xmlns" {
				continue
			}
			name = name[k+1:]
		}
		if string(name) == local {
			return xmlUnescape(a.Value), true
		}
	}
}

// withAttr returns tok with the attribute name set to value (escaped by
// the caller) and the attributes in drop removed.
func withAttr(dst, tok []byte, name, value string, drop ...string) []byte {
	i := nameEnd(tok, 1)
	dst = append(dst, tok[:i]...)
	for s := scanAttrs(tok); ; {
		a, ok := s.next()
		if !ok {
			break
		}
		if string(a.Name) == name || slices.Contains(drop, string(a.Name)) {
			continue
		}
		dst = append(dst, ' ')
		dst = append(dst, tok[a.start:a.end]...)
	}
	if name != "" {
		dst = append(dst, ' ')
		dst = append(dst, name...)
		dst = append(dst, `="`...)
		dst = append(dst, value...)
		dst = append(dst, '"')
	}
	if len(tok) >= 2 && tok[len(tok)-2] == '/' {
		return append(dst, "/>"...)
	}
	return append(dst, '>')
}

// selfClosed returns the start tag tok as an empty-element tag.
func selfClosed(dst, tok []byte) []byte {
	if len(tok) >= 2 && tok[len(tok)-2] == '/' {
		return append(dst, tok...)
	}
	dst = append(dst, tok[:len(tok)-1]...)
	return append(dst, "/>"...)
}

// opened returns the empty-element tag tok as a start tag.
func opened(dst, tok []byte) []byte {
	if len(tok) >= 2 && tok[len(tok)-2] == '/' {
		dst = append(dst, bytes.TrimRight(tok[:len(tok)-2], " \t\r\n")...)
		return append(dst, '>')
	}
	return append(dst, tok...)
}

func xmlUnescape(b []byte) string {
	if bytes.IndexByte(b, '&') < 0 {
		return string(b)
	}
	return html.UnescapeString(string(b))
}

// xmlEscapeAttr escapes s for an attribute value in double quotes.
func xmlEscapeAttr(s string) string {
	var b []byte
	b = appendCellText(b, s)
	return strings.ReplaceAll(string(b), `"`, "&quot;")
}

// qname is prefix:local, or local without a prefix.
func qname(prefix, local string) string {
	if prefix == "" {
		return local
	}
	return prefix + ":" + local
}
