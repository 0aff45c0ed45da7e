package workbook

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
)

// xmlElem locates one element in a part held in memory.
type xmlElem struct {
	start, end int // data[start:end] is the whole element
	tagEnd     int // end of its start tag
	prefix     string
	self       bool
}

// walkElements calls fn for every element of data whose parent is at
// depth (1: the root's children), with the element's span and depth.
func walkElements(data []byte, fn func(e xmlElem, local string, depth int)) error {
	type open struct {
		e     xmlElem
		local string
	}
	var stack []open
	for i := 0; i < len(data); {
		if data[i] != '<' {
			k := bytes.IndexByte(data[i:], '<')
			if k < 0 {
				break
			}
			i += k
			continue
		}
		n := markupEnd(data[i:], true)
		if n == 0 {
			return fmt.Errorf("the XML ends inside a tag")
		}
		tok := data[i : i+n]
		ti, ok := parseTag(tok)
		if ok {
			switch {
			case ti.end:
				if len(stack) == 0 {
					return fmt.Errorf("the XML has an end tag </%s> without its start", ti.local)
				}
				top := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				top.e.end = i + n
				fn(top.e, top.local, len(stack))
			case ti.self:
				fn(xmlElem{start: i, end: i + n, tagEnd: i + n, prefix: ti.prefix, self: true}, ti.local, len(stack))
			default:
				if len(stack) > 256 {
					return fmt.Errorf("the XML nests more than 256 elements deep")
				}
				stack = append(stack, open{xmlElem{start: i, tagEnd: i + n, prefix: ti.prefix}, ti.local})
			}
		}
		i += n
	}
	if len(stack) > 0 {
		return fmt.Errorf("the XML ends inside <%s> (the part is truncated)", stack[len(stack)-1].local)
	}
	return nil
}

// edit is a change to a part held in memory: data[at:at+del] becomes
// ins.
type edit struct {
	at, del int
	ins     []byte
}

func writeSpliced(w io.Writer, data []byte, edits []edit) error {
	slices.SortStableFunc(edits, func(a, b edit) int { return a.at - b.at })
	pos := 0
	for _, e := range edits {
		if e.at < pos {
			return fmt.Errorf("overlapping edits")
		}
		if _, err := w.Write(data[pos:e.at]); err != nil {
			return err
		}
		if _, err := w.Write(e.ins); err != nil {
			return err
		}
		pos = e.at + e.del
	}
	_, err := w.Write(data[pos:])
	return err
}

// styleList is one list of styles.xml (fonts, fills, cellXfs): its
// container element and its entries.
type styleList struct {
	elem    xmlElem
	found   bool
	entries []xmlElem
	added   [][]byte
}

func (l *styleList) count() int { return len(l.entries) + len(l.added) }

// styleSheet is the workbook's styles part, to which Annotate adds the
// cell formats of the marked cells: each marked cell's own format with
// the annotation's fill.
type styleSheet struct {
	data                []byte
	prefix              string
	fonts, fills, xfs   styleList
	anchorFills         int // where a missing fills list goes
	anchorXfs           int // where a missing cellXfs list goes
	errorFill, warnFill int // -1 until added
	blackFont           map[int]int
	derived             map[[2]int]int
}

// parseStyles reads a styles part.
func parseStyles(data []byte) (*styleSheet, error) {
	st := &styleSheet{data: data, errorFill: -1, warnFill: -1, blackFont: map[int]int{}, derived: map[[2]int]int{}, anchorFills: -1, anchorXfs: -1}
	lists := map[string]*styleList{"fonts": &st.fonts, "fills": &st.fills, "cellXfs": &st.xfs}
	rootEnd := -1
	err := walkElements(data, func(e xmlElem, local string, depth int) {
		switch depth {
		case 0:
			st.prefix = e.prefix
			rootEnd = e.end - len("</"+qname(e.prefix, local)+">")
			if e.self {
				rootEnd = -1
			}
		case 1:
			if l, ok := lists[local]; ok && !l.found {
				l.elem, l.found = e, true
			}
			switch local {
			case "borders", "cellStyleXfs", "cellXfs":
				if st.anchorFills < 0 {
					st.anchorFills = e.start
				}
			}
			switch local {
			case "cellStyles", "dxfs", "tableStyles", "colors", "extLst":
				if st.anchorXfs < 0 {
					st.anchorXfs = e.start
				}
			}
		}
	})
	if err != nil {
		return nil, err
	}
	if rootEnd < 0 {
		return nil, fmt.Errorf("the styles part has no styleSheet element")
	}
	if st.anchorFills < 0 {
		st.anchorFills = rootEnd
	}
	if st.anchorXfs < 0 {
		st.anchorXfs = rootEnd
	}
	// The entries: the container's element children, in order.
	err = walkElements(data, func(e xmlElem, local string, depth int) {
		if depth != 2 {
			return
		}
		for _, l := range []*styleList{&st.fonts, &st.fills, &st.xfs} {
			if l.found && e.start >= l.elem.tagEnd && e.end <= l.elem.end {
				l.entries = append(l.entries, e)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// derive returns the cell format for a marked cell whose format was
// base: base with the error or warning fill, and black text where base's
// was white (a header).
func (st *styleSheet) derive(base int, isError bool) (int, error) {
	key := [2]int{base, 0}
	if isError {
		key[1] = 1
	}
	if id, ok := st.derived[key]; ok {
		return id, nil
	}
	xf := []byte(`<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>`)
	if base >= 0 && base < len(st.xfs.entries) {
		e := st.xfs.entries[base]
		xf = st.data[e.start:e.end]
	} else if base >= 0 && base-len(st.xfs.entries) < len(st.xfs.added) {
		xf = st.xfs.added[base-len(st.xfs.entries)]
	}
	fill := &st.warnFill
	color := warningFill
	if isError {
		fill, color = &st.errorFill, errorFill
	}
	if *fill < 0 {
		if !st.fills.found || len(st.fills.entries) == 0 {
			// Every styles part needs the two fills Excel reserves.
			st.fills.added = append(st.fills.added, []byte(`<fill><patternFill patternType="none"/></fill>`), []byte(`<fill><patternFill patternType="gray125"/></fill>`))
		}
		*fill = st.fills.count()
		st.fills.added = append(st.fills.added, []byte(`<fill><patternFill patternType="solid"><fgColor rgb="FF`+color+`"/><bgColor indexed="64"/></patternFill></fill>`))
	}
	if len(st.xfs.entries) == 0 && len(st.xfs.added) == 0 {
		st.xfs.added = append(st.xfs.added, []byte(`<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>`))
	}
	tagEnd := markupEnd(xf, true)
	start := withAttr(nil, xf[:tagEnd], "fillId", strconv.Itoa(*fill), "applyFill")
	start = withAttr(nil, start, "applyFill", "1")
	if v, ok := attrValue(start, "fontId", false); ok {
		if f, err := strconv.Atoi(v); err == nil && f >= 0 && f < len(st.fonts.entries) {
			if black, ok := st.blackFontFor(f); ok {
				start = withAttr(nil, start, "fontId", strconv.Itoa(black))
			}
		}
	}
	out := append(start, xf[tagEnd:]...)
	if st.prefix != "" {
		out = prefixTags(out, st.prefix)
	}
	id := st.xfs.count()
	st.xfs.added = append(st.xfs.added, out)
	st.derived[key] = id
	return id, nil
}

// whiteColor matches a white text colour in a font.
var whiteColor = regexp.MustCompile(`(?i)<(\w+:)?color\s+rgb\s*=\s*["'](FF)?FFFFFF["']\s*/>`)

// blackFontFor returns a copy of font f with black text when its text is
// white, as an export's header is: on the light fill it would not read.
func (st *styleSheet) blackFontFor(f int) (int, bool) {
	if id, ok := st.blackFont[f]; ok {
		return id, id >= 0
	}
	e := st.fonts.entries[f]
	font := st.data[e.start:e.end]
	if !whiteColor.Match(font) {
		st.blackFont[f] = -1
		return 0, false
	}
	black := whiteColor.ReplaceAll(font, []byte(`<${1}color rgb="FF000000"/>`))
	id := st.fonts.count()
	st.fonts.added = append(st.fonts.added, black)
	st.blackFont[f] = id
	return id, true
}

// prefixTags gives the unprefixed tags of an element written here the
// styles part's prefix.
func prefixTags(b []byte, prefix string) []byte {
	re := regexp.MustCompile(`<(/?)([A-Za-z]+)([\s/>])`)
	return re.ReplaceAll(b, []byte(`<${1}`+prefix+`:${2}${3}`))
}

// write writes the styles part with the formats derive added.
func (st *styleSheet) write(w io.Writer) error {
	var edits []edit
	for _, x := range []struct {
		l      *styleList
		name   string
		anchor int
	}{{&st.fonts, "fonts", -1}, {&st.fills, "fills", st.anchorFills}, {&st.xfs, "cellXfs", st.anchorXfs}} {
		l := x.l
		if len(l.added) == 0 {
			continue
		}
		var body []byte
		for _, a := range l.added {
			if st.prefix != "" && !bytes.HasPrefix(a, []byte("<"+st.prefix+":")) {
				a = prefixTags(a, st.prefix)
			}
			body = append(body, a...)
		}
		name := qname(st.prefix, x.name)
		if !l.found {
			if x.anchor < 0 {
				return fmt.Errorf("the styles part has no %s list", x.name)
			}
			ins := fmt.Appendf(nil, `<%s count="%d">`, name, l.count())
			ins = append(ins, body...)
			ins = fmt.Appendf(ins, `</%s>`, name)
			edits = append(edits, edit{at: x.anchor, ins: ins})
			continue
		}
		start := withAttr(nil, st.data[l.elem.start:l.elem.tagEnd], "count", strconv.Itoa(l.count()))
		if l.elem.self {
			ins := opened(nil, start)
			ins = append(ins, body...)
			ins = fmt.Appendf(ins, `</%s>`, name)
			edits = append(edits, edit{at: l.elem.start, del: l.elem.end - l.elem.start, ins: ins})
			continue
		}
		edits = append(edits, edit{at: l.elem.start, del: l.elem.tagEnd - l.elem.start, ins: start})
		closeAt := bytes.LastIndex(st.data[:l.elem.end], []byte("</"))
		edits = append(edits, edit{at: closeAt, ins: body})
	}
	return writeSpliced(w, st.data, edits)
}
