package workbook

import (
	"bytes"
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"

	"secmgr/pkg/workbook/internal/xlsxread"
)

// The parts Annotate adds or extends beside a sheet: the relationships,
// the comments part (the notes' text) and the legacy VML drawing (the
// notes' boxes), and [Content_Types].xml.

const (
	relTypeComments   = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
	relTypeVML        = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing"
	contentComments   = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
	contentVML        = "application/vnd.openxmlformats-officedocument.vmlDrawing"
	contentStyles     = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
	relTypeStyles     = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
	spreadsheetMainNS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	packageRelsNS     = "http://schemas.openxmlformats.org/package/2006/relationships"
)

// rel is one relationship; target is the part name it resolves to (no
// leading slash) unless external.
type rel struct {
	id, typ, target string
	external        bool
}

// parseRels reads a relationships part; dir is the directory of the part
// the relationships belong to.
func parseRels(data []byte, dir string) ([]rel, xmlElem, error) {
	var out []rel
	var root xmlElem
	err := walkElements(data, func(e xmlElem, local string, depth int) {
		if depth == 0 {
			root = e
			return
		}
		if local != "Relationship" {
			return
		}
		tag := data[e.start:e.tagEnd]
		var r rel
		r.id, _ = attrValue(tag, "Id", false)
		r.typ, _ = attrValue(tag, "Type", false)
		target, _ := attrValue(tag, "Target", false)
		mode, _ := attrValue(tag, "TargetMode", false)
		r.external = strings.EqualFold(mode, "External")
		if !r.external {
			target = resolvePart(dir, target)
		}
		r.target = target
		out = append(out, r)
	})
	return out, root, err
}

// resolvePart resolves a relationship target against dir; the result
// never leaves the package and has no leading slash.
func resolvePart(dir, target string) string {
	target = strings.ReplaceAll(target, `\`, "/")
	if i := strings.IndexByte(target, '#'); i >= 0 {
		target = target[:i]
	}
	if !strings.HasPrefix(target, "/") {
		target = "/" + path.Join(dir, target)
	}
	return strings.TrimPrefix(path.Clean(target), "/")
}

// relativeTarget is the relationship target of part seen from dir.
func relativeTarget(dir, part string) string {
	from := strings.Split(strings.Trim(dir, "/"), "/")
	if dir == "" || dir == "." {
		from = nil
	}
	to := strings.Split(part, "/")
	i := 0
	for i < len(from) && i < len(to)-1 && from[i] == to[i] {
		i++
	}
	up := strings.Repeat("../", len(from)-i)
	return up + strings.Join(to[i:], "/")
}

// relsPartOf is the relationships part of a part.
func relsPartOf(part string) string {
	dir, base := path.Split(part)
	return dir + "_rels/" + base + ".rels"
}

// newRelID returns an Id unused in rels (and in taken), as rIdN.
func newRelID(rels []rel, taken map[string]bool) string {
	n := 0
	for _, r := range rels {
		if strings.HasPrefix(r.id, "rId") {
			if k, err := strconv.Atoi(r.id[3:]); err == nil && k > n && k < 1<<30 {
				n = k
			}
		}
	}
	for {
		n++
		id := "rId" + strconv.Itoa(n)
		used := taken[id]
		for _, r := range rels {
			used = used || r.id == id
		}
		if !used {
			taken[id] = true
			return id
		}
	}
}

// writeRels writes a relationships part: data (nil for a new one) with
// the relationships in add appended.
func writeRels(w io.Writer, data []byte, root xmlElem, add []rel, dir string) error {
	var ins []byte
	prefix := root.prefix
	for _, r := range add {
		ins = fmt.Appendf(ins, `<%s Id="%s" Type="%s" Target="%s"/>`, qname(prefix, "Relationship"), r.id, r.typ, xmlEscapeAttr(relativeTarget(dir, r.target)))
	}
	if data == nil {
		_, err := fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+`<Relationships xmlns="%s">%s</Relationships>`, packageRelsNS, ins)
		return err
	}
	return closeWith(w, data, root, ins)
}

// closeWith writes data with ins added at the end of the element root
// (a self-closing root is opened).
func closeWith(w io.Writer, data []byte, root xmlElem, ins []byte) error {
	if root.self {
		name, _ := parseTag(data[root.start:root.tagEnd])
		out := opened(nil, data[root.start:root.tagEnd])
		out = append(out, ins...)
		out = fmt.Appendf(out, "</%s>", qname(name.prefix, name.local))
		return writeSpliced(w, data, []edit{{at: root.start, del: root.end - root.start, ins: out}})
	}
	at := bytes.LastIndex(data[:root.end], []byte("</"))
	return writeSpliced(w, data, []edit{{at: at, ins: ins}})
}

// contentTypes is [Content_Types].xml.
type contentTypes struct {
	data      []byte
	root      xmlElem
	defaults  map[string]bool // lower-case extensions
	overrides map[string]bool // lower-case part names, no leading slash
}

func parseContentTypes(data []byte) (*contentTypes, error) {
	ct := &contentTypes{data: data, defaults: map[string]bool{}, overrides: map[string]bool{}}
	err := walkElements(data, func(e xmlElem, local string, depth int) {
		tag := data[e.start:e.tagEnd]
		switch {
		case depth == 0:
			ct.root = e
		case local == "Default":
			ext, _ := attrValue(tag, "Extension", false)
			ct.defaults[strings.ToLower(ext)] = true
		case local == "Override":
			name, _ := attrValue(tag, "PartName", false)
			ct.overrides[strings.ToLower(strings.TrimLeft(name, "/"))] = true
		}
	})
	if err != nil {
		return nil, err
	}
	if ct.root.end == 0 {
		return nil, fmt.Errorf("[Content_Types].xml has no Types element")
	}
	return ct, nil
}

// covers reports whether the part has a content type.
func (ct *contentTypes) covers(part string) bool {
	part = strings.ToLower(part)
	return ct.overrides[part] || ct.defaults[strings.TrimPrefix(path.Ext(part), ".")]
}

// write writes the content types with an Override for each part of
// overrides (part -> content type) and a type for each VML drawing.
func (ct *contentTypes) write(w io.Writer, overrides [][2]string, vml []string) error {
	var ins []byte
	prefix := ct.root.prefix
	for _, o := range overrides {
		if !ct.overrides[strings.ToLower(o[0])] {
			ins = fmt.Appendf(ins, `<%s PartName="/%s" ContentType="%s"/>`, qname(prefix, "Override"), xmlEscapeAttr(o[0]), o[1])
		}
	}
	vmlDefault := false
	for _, p := range vml {
		if ct.covers(p) {
			continue
		}
		if ext := strings.ToLower(strings.TrimPrefix(path.Ext(p), ".")); ext == "vml" {
			if !vmlDefault {
				ins = fmt.Appendf(ins, `<%s Extension="vml" ContentType="%s"/>`, qname(prefix, "Default"), contentVML)
				vmlDefault = true
			}
			continue
		}
		ins = fmt.Appendf(ins, `<%s PartName="/%s" ContentType="%s"/>`, qname(prefix, "Override"), xmlEscapeAttr(p), contentVML)
	}
	return closeWith(w, ct.data, ct.root, ins)
}

// comment is one note of an existing comments part.
type comment struct {
	elem     xmlElem
	row, col int
	author   string
	text     string
}

// commentsPart is a sheet's comments part as found.
type commentsPart struct {
	data     []byte
	root     xmlElem
	authors  []string
	authElem xmlElem
	hasAuth  bool
	list     xmlElem
	hasList  bool
	comments []comment
}

var (
	commentT   = regexp.MustCompile(`(?s)<(?:\w+:)?t(?:\s[^>]*)?>(.*?)</(?:\w+:)?t>`)
	commentRPh = regexp.MustCompile(`(?s)<(\w+:)?rPh\b.*?</(\w+:)?rPh>`)
)

func parseComments(data []byte) (*commentsPart, error) {
	cp := &commentsPart{data: data}
	err := walkElements(data, func(e xmlElem, local string, depth int) {
		switch {
		case depth == 0:
			cp.root = e
		case depth == 1 && local == "authors" && !cp.hasAuth:
			cp.authElem, cp.hasAuth = e, true
		case depth == 1 && local == "commentList" && !cp.hasList:
			cp.list, cp.hasList = e, true
		}
	})
	if err != nil {
		return nil, err
	}
	// Children are reported before their parents, so walk again for them.
	err = walkElements(data, func(e xmlElem, local string, depth int) {
		if depth != 2 {
			return
		}
		switch {
		case local == "author" && cp.hasAuth && e.start >= cp.authElem.tagEnd && e.end <= cp.authElem.end:
			text := ""
			if !e.self {
				text = xmlUnescape(data[e.tagEnd:bytes.LastIndex(data[:e.end], []byte("</"))])
			}
			cp.authors = append(cp.authors, text)
		case local == "comment" && cp.hasList && e.start >= cp.list.tagEnd && e.end <= cp.list.end:
			tag := data[e.start:e.tagEnd]
			ref, _ := attrValue(tag, "ref", false)
			col, row, err := xlsxread.ParseCellRef(strings.TrimSpace(ref))
			if err != nil {
				return // a note on no cell: kept as it is
			}
			c := comment{elem: e, row: row, col: col}
			if v, ok := attrValue(tag, "authorId", false); ok {
				if id, err := strconv.Atoi(v); err == nil && id >= 0 && id < 1<<20 {
					c.author = fmt.Sprint(id) // resolved below
				}
			}
			body := commentRPh.ReplaceAll(data[e.tagEnd:e.end], nil)
			var b strings.Builder
			for _, m := range commentT.FindAllSubmatch(body, -1) {
				b.WriteString(decodeCellText(m[1]))
			}
			c.text = strings.TrimSpace(b.String())
			cp.comments = append(cp.comments, c)
		}
	})
	if err != nil {
		return nil, err
	}
	if cp.root.end == 0 {
		return nil, fmt.Errorf("the comments part has no comments element")
	}
	for i := range cp.comments {
		c := &cp.comments[i]
		if id, err := strconv.Atoi(c.author); err == nil && id < len(cp.authors) {
			c.author = cp.authors[id]
		} else {
			c.author = ""
		}
	}
	return cp, nil
}

// decodeCellText decodes the XML text of a <t> element: CDATA, entities
// and _xHHHH_ escapes.
func decodeCellText(b []byte) string {
	var out []byte
	for len(b) > 0 {
		i := bytes.Index(b, []byte("<![CDATA["))
		if i < 0 {
			out = append(out, xmlUnescape(b)...)
			break
		}
		out = append(out, xmlUnescape(b[:i])...)
		b = b[i+9:]
		j := bytes.Index(b, []byte("]]>"))
		if j < 0 {
			out = append(out, b...)
			break
		}
		out = append(out, b[:j]...)
		b = b[j+3:]
	}
	return xEscapes.ReplaceAllStringFunc(string(out), func(m string) string {
		n, _ := strconv.ParseUint(m[2:6], 16, 16)
		return string(rune(n))
	})
}

var xEscapes = regexp.MustCompile(`_x[0-9A-Fa-f]{4}_`)

// writeComments writes a comments part: the notes of cp (nil: none) that
// are not on a marked cell, and a note by AnnotateAuthor on each marked
// cell.
func writeComments(w io.Writer, cp *commentsPart, marks []*noteMark) error {
	author := -1
	var authors []string
	if cp != nil {
		authors = cp.authors
	}
	for i, a := range authors {
		if a == AnnotateAuthor {
			author = i
			break
		}
	}
	prefix := ""
	if cp != nil {
		prefix = cp.root.prefix
	}
	newAuthor := author < 0
	if newAuthor {
		author = len(authors)
	}
	body := func(w io.Writer) error {
		var b []byte
		for _, m := range marks {
			b = fmt.Appendf(b[:0], `<%s ref="%s" authorId="%d"><%s><%s xml:space="preserve">`,
				qname(prefix, "comment"), xlsxread.CellRef(m.col, m.row), author, qname(prefix, "text"), qname(prefix, "t"))
			b = appendCellText(b, m.text)
			b = fmt.Appendf(b, `</%s></%s></%s>`, qname(prefix, "t"), qname(prefix, "text"), qname(prefix, "comment"))
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
		return nil
	}
	authorXML := fmt.Sprintf(`<%s>%s</%s>`, qname(prefix, "author"), AnnotateAuthor, qname(prefix, "author"))
	if cp == nil {
		if _, err := fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+`<comments xmlns="%s"><authors>%s</authors><commentList>`, spreadsheetMainNS, authorXML); err != nil {
			return err
		}
		if err := body(w); err != nil {
			return err
		}
		_, err := io.WriteString(w, `</commentList></comments>`)
		return err
	}
	marked := map[[2]int]bool{}
	for _, m := range marks {
		marked[[2]int{m.row, m.col}] = true
	}
	var edits []edit
	for _, c := range cp.comments {
		if marked[[2]int{c.row, c.col}] {
			edits = append(edits, edit{at: c.elem.start, del: c.elem.end - c.elem.start})
		}
	}
	var authorsBefore []byte // a new authors list, when the part has no list either
	if newAuthor {
		switch {
		case !cp.hasAuth:
			ins := fmt.Appendf(nil, `<%s>%s</%s>`, qname(prefix, "authors"), authorXML, qname(prefix, "authors"))
			if cp.hasList {
				edits = append(edits, edit{at: cp.root.tagEnd, ins: ins})
			} else {
				authorsBefore = ins
			}
		case cp.authElem.self:
			edits = append(edits, edit{at: cp.authElem.start, del: cp.authElem.end - cp.authElem.start,
				ins: fmt.Appendf(opened(nil, cp.data[cp.authElem.start:cp.authElem.tagEnd]), `%s</%s>`, authorXML, qname(prefix, "authors"))})
		default:
			edits = append(edits, edit{at: bytes.LastIndex(cp.data[:cp.authElem.end], []byte("</")), ins: []byte(authorXML)})
		}
	}
	// The new notes go at the end of the list, written as they are made.
	var listAt int
	var listOpen, listClose []byte
	switch {
	case !cp.hasList:
		listAt = cp.root.tagEnd
		if cp.hasAuth {
			listAt = cp.authElem.end
		}
		listOpen = fmt.Appendf(authorsBefore, `<%s>`, qname(prefix, "commentList"))
		listClose = fmt.Appendf(nil, `</%s>`, qname(prefix, "commentList"))
	case cp.list.self:
		listAt = cp.list.start
		edits = append(edits, edit{at: cp.list.start, del: cp.list.end - cp.list.start})
		listOpen = opened(nil, cp.data[cp.list.start:cp.list.tagEnd])
		listClose = fmt.Appendf(nil, `</%s>`, qname(prefix, "commentList"))
	default:
		listAt = bytes.LastIndex(cp.data[:cp.list.end], []byte("</"))
	}
	head := &bytes.Buffer{}
	if err := writeSpliced(head, cp.data[:listAt], clip(edits, listAt)); err != nil {
		return err
	}
	if _, err := w.Write(head.Bytes()); err != nil {
		return err
	}
	if _, err := w.Write(listOpen); err != nil {
		return err
	}
	if err := body(w); err != nil {
		return err
	}
	if _, err := w.Write(listClose); err != nil {
		return err
	}
	var tail []edit
	for _, e := range edits {
		if e.at >= listAt && !(e.at == listAt && e.del == 0 && cp.list.self) {
			tail = append(tail, edit{at: e.at - listAt, del: e.del, ins: e.ins})
		}
	}
	return writeSpliced(w, cp.data[listAt:], tail)
}

// clip keeps the edits before at.
func clip(edits []edit, at int) []edit {
	var out []edit
	for _, e := range edits {
		if e.at < at {
			out = append(out, e)
		}
	}
	return out
}

// vmlDrawing is an existing legacy drawing, which Annotate extends with
// the boxes of new notes.
type vmlDrawing struct {
	data    []byte
	end     int             // where new shapes go (before </xml>)
	notes   map[[2]int]bool // cells (row, col; 1-based) with a note box
	maxID   int             // highest _x0000_sN
	hasType bool            // defines _x0000_t202
	ns      bool            // declares the v, o and x prefixes as Excel does
}

var (
	vmlShape    = regexp.MustCompile(`(?is)<v:shape\b.*?</v:shape>`)
	vmlNote     = regexp.MustCompile(`(?i)ObjectType\s*=\s*["']Note["']`)
	vmlRow      = regexp.MustCompile(`(?i)<x:Row>\s*(\d+)\s*</x:Row>`)
	vmlCol      = regexp.MustCompile(`(?i)<x:Column>\s*(\d+)\s*</x:Column>`)
	vmlShapeNum = regexp.MustCompile(`_x0000_s(\d+)`)
	vmlEnd      = regexp.MustCompile(`(?i)</xml\s*>`)
)

func parseVML(data []byte) (*vmlDrawing, error) {
	v := &vmlDrawing{data: data, notes: map[[2]int]bool{}}
	ends := vmlEnd.FindAllIndex(data, -1)
	if len(ends) == 0 {
		return nil, fmt.Errorf("the drawing of the notes has no </xml> end")
	}
	v.end = ends[len(ends)-1][0]
	for _, s := range vmlShape.FindAll(data, -1) {
		if !vmlNote.Match(s) {
			continue
		}
		r, c := vmlRow.FindSubmatch(s), vmlCol.FindSubmatch(s)
		if r == nil || c == nil {
			continue
		}
		row, err1 := strconv.Atoi(string(r[1]))
		col, err2 := strconv.Atoi(string(c[1]))
		if err1 == nil && err2 == nil {
			v.notes[[2]int{row + 1, col + 1}] = true
		}
	}
	for _, m := range vmlShapeNum.FindAllSubmatch(data, -1) {
		if n, err := strconv.Atoi(string(m[1])); err == nil && n > v.maxID && n < 1<<30 {
			v.maxID = n
		}
	}
	v.hasType = bytes.Contains(data, []byte(`"_x0000_t202"`))
	v.ns = bytes.Contains(data, []byte(`xmlns:v="urn:schemas-microsoft-com:vml"`)) &&
		bytes.Contains(data, []byte(`xmlns:o="urn:schemas-microsoft-com:office:office"`)) &&
		bytes.Contains(data, []byte(`xmlns:x="urn:schemas-microsoft-com:office:excel"`))
	return v, nil
}

const (
	vmlNamespaces = `xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel"`
	vmlShapeType  = `<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>`
)

// noteBox is a note's box in a VML drawing.
type noteBox struct {
	row, col int // 1-based
	height   int // px
}

// writeVML writes the drawing v (nil: a new one, numbered block) with a
// box for each of boxes.
func writeVML(w io.Writer, v *vmlDrawing, block int, boxes []noteBox) error {
	next := 1024*block + 1
	local := ""
	if v != nil {
		next = max(next, v.maxID+1)
		if !v.ns {
			local = " " + vmlNamespaces
		}
		if _, err := w.Write(v.data[:v.end]); err != nil {
			return err
		}
		if !v.hasType {
			if _, err := io.WriteString(w, strings.Replace(vmlShapeType, "<v:shapetype ", "<v:shapetype "+vmlNamespaces+" ", 1)); err != nil {
				return err
			}
		}
	} else {
		if _, err := fmt.Fprintf(w, `<xml %s><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="%d"/></o:shapelayout>%s`, vmlNamespaces, block, vmlShapeType); err != nil {
			return err
		}
	}
	var b []byte
	for i, box := range boxes {
		r, c := box.row-1, box.col-1
		hpt := float64(box.height) * 0.75
		rows := max(3, box.height/20)
		b = fmt.Appendf(b[:0], `<v:shape%s id="_x0000_s%d" type="#_x0000_t202" style="position:absolute;margin-left:59.25pt;margin-top:1.5pt;width:255pt;height:%.2fpt;z-index:%d;visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">`+
			`<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>`+
			`<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>`+
			`<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>%d, 15, %d, 2, %d, 15, %d, 16</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>%d</x:Row><x:Column>%d</x:Column></x:ClientData></v:shape>`,
			local, next+i, hpt, i+1, c+1, max(r-1, 0), c+5, max(r-1, 0)+rows, r, c)
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	if v != nil {
		_, err := w.Write(v.data[v.end:])
		return err
	}
	_, err := io.WriteString(w, "</xml>")
	return err
}
