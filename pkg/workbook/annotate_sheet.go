package workbook

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"secmgr/pkg/workbook/internal/xlsxread"
)

// noteMark is what Annotate puts on one cell: a fill and a note.
type noteMark struct {
	row, col int
	lines    []string
	isError  bool
	style    int    // the cell's style before annotating
	text     string // the note's text, set when the comments are merged
}

// sheetJob is one sheet Annotate rewrites: it has marks, or password
// cells to empty, or both.
type sheetJob struct {
	name   string
	part   string      // zip entry of the sheet XML
	marks  []*noteMark // sorted by row, then column
	pwCols []int       // Password columns (1-based), emptied below row 1

	// found by rewriting the sheet
	legacyRID string // r:id of the sheet's legacyDrawing, after the rewrite
	cleared   []int  // shared strings of the password cells emptied
}

// relsNS is the namespace of relationship ids in a sheet.
const relsNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

// rewriteSheet copies the sheet XML from r to w, giving each marked cell
// its new style (adding the cells and rows that are not there), emptying
// the password cells, and pointing the sheet's legacyDrawing at the notes'
// drawing. A legacyDrawing whose relationship usable rejects, or a missing
// one, is set to newVMLRID. It holds one token at a time.
func rewriteSheet(w io.Writer, r io.Reader, job *sheetJob, styles *styleSheet, usable func(rid string) bool, newVMLRID string) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	const (
		before = iota
		inData
		copyRow
		editRow
		skipCell
		after
	)
	state := before
	depth := 0
	prefix := ""
	mi := 0
	rowNum, colNum := 0, 0
	rowStyle := -1
	var colStyles []colStyle
	var scratch []byte
	var cellType string
	var value []byte
	inV := false
	legacySeen := false

	// cellStyle is the style a cell that is not written takes.
	cellStyle := func(col int) int {
		if rowStyle >= 0 {
			return rowStyle
		}
		for _, c := range colStyles {
			if c.min <= col && col <= c.max {
				return c.style
			}
		}
		return 0
	}
	writeCell := func(m *noteMark) error {
		m.style = cellStyle(m.col)
		id, err := styles.derive(m.style, m.isError)
		if err != nil {
			return err
		}
		scratch = append(scratch[:0], '<')
		scratch = append(scratch, qname(prefix, "c")...)
		scratch = append(scratch, ` r="`...)
		scratch = append(scratch, xlsxread.CellRef(m.col, m.row)...)
		scratch = append(scratch, `" s="`...)
		scratch = strconv.AppendInt(scratch, int64(id), 10)
		scratch = append(scratch, `"/>`...)
		_, err = bw.Write(scratch)
		return err
	}
	// insertCells writes the marked cells of row before column limit.
	insertCells := func(row, limit int) error {
		for mi < len(job.marks) && job.marks[mi].row == row && job.marks[mi].col < limit {
			if err := writeCell(job.marks[mi]); err != nil {
				return err
			}
			mi++
		}
		return nil
	}
	// insertRows writes the marked rows before row limit.
	insertRows := func(limit int) error {
		for mi < len(job.marks) && job.marks[mi].row < limit {
			row := job.marks[mi].row
			rowStyle = -1
			fmt.Fprintf(bw, `<%s r="%d">`, qname(prefix, "row"), row)
			if err := insertCells(row, math.MaxInt); err != nil {
				return err
			}
			fmt.Fprintf(bw, `</%s>`, qname(prefix, "row"))
		}
		return nil
	}
	legacyDrawing := func() string {
		return fmt.Sprintf(`<%s xmlns:r="%s" r:id="%s"/>`, qname(prefix, "legacyDrawing"), relsNS, newVMLRID)
	}

	for tok, err := range xmlTokensIn(r) {
		if err != nil {
			return err
		}
		isMarkup := tok[0] == '<'
		d := depth
		if isMarkup && len(tok) > 1 && tok[1] != '!' && tok[1] != '?' {
			switch {
			case tok[1] == '/':
				depth--
			case tok[len(tok)-2] != '/':
				depth++
			}
		}
		// Text is copied as it was, but a password cell's.
		if isMarkup || state == skipCell {
			switch state {
			case copyRow:
				if tok[1] == '/' && isTag(tok, "row", true) {
					state = inData
				}
			case skipCell:
				switch {
				case !isMarkup:
					if inV {
						value = append(value, tok...)
					}
				case isTag(tok, "v", false):
					inV, value = true, value[:0]
				case isTag(tok, "v", true):
					inV = false
				case isTag(tok, "c", true):
					state = editRow
					if cellType == "s" {
						if i, err := strconv.Atoi(strings.TrimSpace(string(value))); err == nil && i >= 0 {
							job.cleared = append(job.cleared, i)
						}
					}
				}
				continue // the password cell's content is dropped
			case before:
				switch {
				case isTag(tok, "col", false):
					if c, ok := parseColStyle(tok); ok {
						colStyles = append(colStyles, c)
					}
				case isTag(tok, "sheetData", false):
					ti, _ := parseTag(tok)
					prefix = ti.prefix
					if !ti.self {
						state = inData
						break
					}
					if _, err := bw.Write(opened(scratch[:0], tok)); err != nil {
						return err
					}
					if err := insertRows(math.MaxInt); err != nil {
						return err
					}
					fmt.Fprintf(bw, `</%s>`, qname(prefix, "sheetData"))
					state = after
					continue
				case d == 1 && tok[1] == '/':
					if len(job.marks) > 0 {
						return fmt.Errorf("the sheet has no sheetData element")
					}
				}
			case inData:
				switch {
				case isTag(tok, "row", false):
					r, v, ok := position(tok, rowNum, refRow)
					if !ok {
						return fmt.Errorf("a row has the number %q", v)
					}
					if r <= rowNum {
						return fmt.Errorf("row %d comes after row %d; save the workbook again from Excel or LibreOffice", r, rowNum)
					}
					if err := insertRows(r); err != nil {
						return err
					}
					rowNum, colNum = r, 0
					marked := mi < len(job.marks) && job.marks[mi].row == r
					clear := len(job.pwCols) > 0 && r > 1
					self := tok[len(tok)-2] == '/'
					switch {
					case !marked && !clear:
						if !self {
							state = copyRow
						}
					case self && marked:
						rowStyle = rowStyleOf(tok)
						if _, err := bw.Write(opened(scratch[:0], tok)); err != nil {
							return err
						}
						if err := insertCells(r, math.MaxInt); err != nil {
							return err
						}
						fmt.Fprintf(bw, `</%s>`, qname(prefix, "row"))
						continue
					case !self:
						rowStyle = rowStyleOf(tok)
						state = editRow
					}
				case isTag(tok, "sheetData", true):
					if err := insertRows(math.MaxInt); err != nil {
						return err
					}
					state = after
				}
			case editRow:
				switch {
				case isTag(tok, "c", false):
					c, v, ok := position(tok, colNum, refColumn)
					if !ok {
						return fmt.Errorf("row %d has a cell named %q", rowNum, v)
					}
					if c <= colNum {
						return fmt.Errorf("cell %s comes after column %s; save the workbook again from Excel or LibreOffice", xlsxread.CellRef(c, rowNum), xlsxread.ColumnName(colNum))
					}
					colNum = c
					if err := insertCells(rowNum, c); err != nil {
						return err
					}
					var m *noteMark
					if mi < len(job.marks) && job.marks[mi].row == rowNum && job.marks[mi].col == c {
						m = job.marks[mi]
						mi++
					}
					password := rowNum > 1 && slices.Contains(job.pwCols, c)
					if m == nil && !password {
						break
					}
					out := tok
					if m != nil {
						m.style = 0
						if v, ok := attrValue(tok, "s", false); ok {
							m.style, _ = strconv.Atoi(strings.TrimSpace(v))
						}
						id, err := styles.derive(m.style, m.isError)
						if err != nil {
							return err
						}
						out = withAttr(nil, tok, "s", strconv.Itoa(id))
					}
					if password {
						cellType, _ = attrValue(tok, "t", false)
						out = selfClosed(nil, withAttr(nil, out, "", "", "t"))
						if tok[len(tok)-2] != '/' {
							state, inV, value = skipCell, false, value[:0]
						}
					}
					if _, err := bw.Write(out); err != nil {
						return err
					}
					continue
				case isTag(tok, "row", true):
					if err := insertCells(rowNum, math.MaxInt); err != nil {
						return err
					}
					state = inData
				}
			case after:
				if len(job.marks) == 0 || legacySeen {
					break
				}
				if d == 1 && isTag(tok, "legacyDrawing", false) {
					legacySeen = true
					rid, _ := attrValue(tok, "id", true)
					if usable(rid) {
						job.legacyRID = rid
						break
					}
					job.legacyRID = newVMLRID
					if _, err := io.WriteString(bw, legacyDrawing()); err != nil {
						return err
					}
					if tok[len(tok)-2] != '/' {
						return fmt.Errorf("the sheet's legacyDrawing element is not empty")
					}
					continue
				}
				ti, ok := parseTag(tok)
				if ok && (d == 1 && slices.Contains(afterLegacyDrawing, ti.local) || ti.end && d == 1) {
					legacySeen = true
					job.legacyRID = newVMLRID
					if _, err := io.WriteString(bw, legacyDrawing()); err != nil {
						return err
					}
				}
			}
		}
		if _, err := bw.Write(tok); err != nil {
			return err
		}
	}
	if state != after {
		if len(job.marks) > 0 || state != before {
			return fmt.Errorf("the sheet XML ends early (the part is damaged or truncated)")
		}
	}
	return bw.Flush()
}

// afterLegacyDrawing are the elements of a worksheet that follow
// legacyDrawing (the schema fixes their order).
var afterLegacyDrawing = []string{"legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts", "extLst"}

type colStyle struct{ min, max, style int }

// parseColStyle reads the style of a <col> element.
func parseColStyle(tok []byte) (colStyle, bool) {
	var c colStyle
	for _, a := range []struct {
		name string
		dst  *int
	}{{"min", &c.min}, {"max", &c.max}, {"style", &c.style}} {
		v, ok := attrValue(tok, a.name, false)
		if !ok {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return c, false
		}
		*a.dst = n
	}
	return c, c.style > 0 && c.min > 0 && c.max >= c.min
}

// rowStyleOf is the style of a row whose cells take the row's format, or
// -1.
func rowStyleOf(tok []byte) int {
	if v, _ := attrValue(tok, "customFormat", false); v != "1" && v != "true" {
		return -1
	}
	v, _ := attrValue(tok, "s", false)
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// scanSharedStrings calls keep for the shared string of every cell of the
// sheet XML in r that is not a password cell of job (nil: none).
func scanSharedStrings(r io.Reader, pwCols []int, keep func(int)) error {
	row, col := 0, 0
	typ := ""
	inV, password := false, false
	var value []byte
	for tok, err := range xmlTokensIn(r) {
		if err != nil {
			return err
		}
		if tok[0] != '<' {
			if inV {
				value = append(value, tok...)
			}
			continue
		}
		switch {
		case isTag(tok, "row", false):
			row++
			if v, ok := attrValue(tok, "r", false); ok {
				row, _ = strconv.Atoi(strings.TrimSpace(v))
			}
			col = 0
		case isTag(tok, "c", false):
			col++
			if v, ok := attrValue(tok, "r", false); ok {
				col, _, _ = xlsxread.ParseCellRef(strings.TrimSpace(v))
			}
			typ, _ = attrValue(tok, "t", false)
			password = row > 1 && slices.Contains(pwCols, col)
		case isTag(tok, "v", false):
			inV, value = tok[len(tok)-2] != '/', value[:0]
		case isTag(tok, "v", true):
			inV = false
			if typ == "s" && !password {
				if i, err := strconv.Atoi(strings.TrimSpace(string(value))); err == nil && i >= 0 {
					keep(i)
				}
			}
		}
	}
	return nil
}

// position returns the place a row or cell tag tok gives itself in its
// r attribute, read by parse, or the one after prev when it has none; ok
// is false when parse cannot read r, which is returned for a message.
func position(tok []byte, prev int, parse func([]byte) (int, bool)) (n int, r []byte, ok bool) {
	r, has := attrRaw(tok, "r")
	if !has {
		return prev + 1, nil, true
	}
	n, ok = parse(r)
	return n, r, ok
}

// refRow returns the row number of a row's r attribute.
func refRow(b []byte) (int, bool) {
	n, ok := xlsxread.ParseRowNumber(b)
	return n, ok && n >= 1 && n <= 1<<21
}

// refColumn returns the column of a cell reference such as "AB12".
func refColumn(b []byte) (int, bool) {
	col, _, ok := xlsxread.ParseRef(b)
	return col, ok && col <= xlsxread.DefaultMaxColumns
}
