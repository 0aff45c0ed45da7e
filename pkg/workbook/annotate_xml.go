package workbook

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
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
	case bytes.HasPrefix(b, []byte("<!")): // a declaration, with an internal subset in [...]
		depth := 0
		var quote byte
		for i := 2; i < len(b); i++ {
			c := b[i]
			switch {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
			case c == '[':
				depth++
			case c == ']':
				depth--
			case c == '>' && depth <= 0:
				return i + 1
			}
		}
		return 0
	}
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
		case c == '>':
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

// parseTag returns the name of the tag tok; ok is false for markup that
// is not a tag (a comment, CDATA, a processing instruction).
func parseTag(tok []byte) (ti tagInfo, ok bool) {
	if len(tok) < 3 || tok[0] != '<' {
		return ti, false
	}
	i := 1
	if tok[1] == '/' {
		ti.end = true
		i = 2
	} else if tok[1] == '!' || tok[1] == '?' {
		return ti, false
	}
	j := i
	for j < len(tok) && !isSpace(tok[j]) && tok[j] != '>' && tok[j] != '/' {
		j++
	}
	name := tok[i:j]
	if k := bytes.IndexByte(name, ':'); k >= 0 {
		ti.prefix, ti.local = string(name[:k]), string(name[k+1:])
	} else {
		ti.local = string(name)
	}
	ti.self = !ti.end && len(tok) >= 2 && tok[len(tok)-2] == '/'
	return ti, ti.local != ""
}

// isTag reports whether tok is a tag with the local name local (any
// prefix), without allocating.
func isTag(tok []byte, local string, end bool) bool {
	i := 1
	if len(tok) < 3 || tok[0] != '<' {
		return false
	}
	if tok[1] == '/' {
		if !end {
			return false
		}
		i = 2
	} else if end || tok[1] == '!' || tok[1] == '?' {
		return false
	}
	j := i
	for j < len(tok) && !isSpace(tok[j]) && tok[j] != '>' && tok[j] != '/' {
		j++
	}
	name := tok[i:j]
	if k := bytes.IndexByte(name, ':'); k >= 0 {
		name = name[k+1:]
	}
	return string(name) == local
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// xmlAttr is one attribute of a tag: tok[start:end] is the whole
// attribute (name="value"), Value its raw value.
type xmlAttr struct {
	Name       string // as written, with any prefix
	Value      []byte // raw, entities not decoded
	start, end int
}

// tagAttrs lists the attributes of the tag tok.
func tagAttrs(tok []byte) []xmlAttr {
	var out []xmlAttr
	i := 1
	for i < len(tok) && !isSpace(tok[i]) && tok[i] != '>' && tok[i] != '/' {
		i++
	}
	for i < len(tok) {
		for i < len(tok) && (isSpace(tok[i]) || tok[i] == '/' || tok[i] == '>') {
			i++
		}
		if i >= len(tok) {
			break
		}
		start := i
		for i < len(tok) && tok[i] != '=' && !isSpace(tok[i]) && tok[i] != '>' {
			i++
		}
		name := string(tok[start:i])
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
		out = append(out, xmlAttr{Name: name, Value: tok[i+1 : i+1+k], start: start, end: i + 2 + k})
		i += k + 2
	}
	return out
}

// attrRaw returns the raw value of the unprefixed attribute name of the
// tag tok, without allocating: the hot path of rewriting a sheet.
func attrRaw(tok []byte, name string) ([]byte, bool) {
	i := 1
	for i < len(tok) && !isSpace(tok[i]) && tok[i] != '>' && tok[i] != '/' {
		i++
	}
	for i < len(tok) {
		for i < len(tok) && (isSpace(tok[i]) || tok[i] == '/' || tok[i] == '>') {
			i++
		}
		start := i
		for i < len(tok) && tok[i] != '=' && !isSpace(tok[i]) && tok[i] != '>' {
			i++
		}
		key := tok[start:i]
		for i < len(tok) && isSpace(tok[i]) {
			i++
		}
		if i >= len(tok) || tok[i] != '=' {
			if i == start {
				i++
			}
			continue
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
			return nil, false
		}
		if string(key) == name {
			return tok[i+1 : i+1+k], true
		}
		i += k + 2
	}
	return nil, false
}

// attrValue returns the decoded value of the attribute whose local name
// is local (any prefix when anyPrefix, else none).
func attrValue(tok []byte, local string, anyPrefix bool) (string, bool) {
	for _, a := range tagAttrs(tok) {
		name := a.Name
		if k := strings.IndexByte(name, ':'); k >= 0 {
			if !anyPrefix || name[:k] == "xmlns" {
				continue
			}
			name = name[k+1:]
		}
		if name == local {
			return xmlUnescape(a.Value), true
		}
	}
	return "", false
}

// withAttr returns tok with the attribute name set to value (escaped by
// the caller) and the attributes in drop removed.
func withAttr(dst, tok []byte, name, value string, drop ...string) []byte {
	attrs := tagAttrs(tok)
	i := 1
	for i < len(tok) && !isSpace(tok[i]) && tok[i] != '>' && tok[i] != '/' {
		i++
	}
	dst = append(dst, tok[:i]...)
	for _, a := range attrs {
		if a.Name == name || contains(drop, a.Name) {
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

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
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
