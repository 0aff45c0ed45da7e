package xlsxread

import (
	"errors"
	"fmt"
	"io"
	"secmgr/internal/textfmt"
	"slices"
	"strconv"
)

// CellType is the type of a cell's value.
type CellType uint8

// The cell types.
const (
	CellEmpty  CellType = iota // no value (a styled or formula-only cell)
	CellString                 // shared string, inline string or formula string result (t="s", "inlineStr", "str")
	CellNumber                 // number (t="n" or no t): Value is canonical decimal
	CellBool                   // boolean (t="b"): Value is "TRUE" or "FALSE"
	CellError                  // formula error (t="e"): Value is the error text such as "#N/A"
	CellDate                   // ISO 8601 date (t="d"): Value is the text as written
)

var cellTypeNames = [...]string{"empty", "string", "number", "bool", "error", "date"}

func (t CellType) String() string {
	if int(t) < len(cellTypeNames) {
		return cellTypeNames[t]
	}
	return "CellType(" + strconv.Itoa(int(t)) + ")"
}

// Cell is one <c> element of a row.
type Cell struct {
	Col int // 1-based column index
	// Value is the value as displayed, before number formatting: the
	// string, canonical decimal for numbers ("3.0" reads "3"), "TRUE" or
	// "FALSE", the error text; for a formula, its cached result.
	Value   string
	Type    CellType
	Formula bool // the cell has an <f> element (shared formula followers too)
}

// SheetReader streams the rows of one sheet. It is not safe for
// concurrent use.
type SheetReader struct {
	wb    *Workbook
	name  string
	part  string
	rc    io.ReadCloser
	sc    *scanner
	state int
	err   error // sticky

	lastRow int // number of the last <row> element
	rows    int // data rows returned
	cells   []Cell
	spans   []span
	rowBuf  []byte
	merged  []string
}

// span locates a cell's value in rowBuf; a < 0 means the value is set.
type span struct{ a, b int32 }

// Bounds beyond Limits, far above what any real sheet needs, so that one
// row or the merged ranges cannot take memory out of proportion.
const (
	maxRowBytes     = 64 << 20
	maxMergedRanges = 1_000_000
)

const (
	stBefore = iota // before <sheetData>
	stIn            // inside <sheetData>
	stAfter         // after </sheetData>
	stDone          // at the end
)

// OpenSheet opens sheet i (in Sheets order) for reading.
func (w *Workbook) OpenSheet(i int) (*SheetReader, error) {
	if w.closed.Load() {
		return nil, errors.New("xlsxread: the workbook is closed")
	}
	if i < 0 || i >= len(w.sheets) {
		return nil, fmt.Errorf("xlsxread: sheet index %d out of range (the workbook has %d sheets)", i, len(w.sheets))
	}
	m := &w.sheets[i]
	if m.file == nil {
		return nil, &Error{Kind: ErrMalformed, Part: w.part, Sheet: m.info.Name, Msg: m.bad}
	}
	rc, err := w.openPart(m.file, "sheet XML")
	if err != nil {
		if e, ok := err.(*Error); ok {
			e.Sheet = m.info.Name
		}
		return nil, err
	}
	return &SheetReader{
		wb:   w,
		name: m.info.Name,
		part: m.file.Name,
		rc:   rc,
		sc:   newScanner(rc, m.file.Name, int64(m.file.UncompressedSize64)),
	}, nil
}

// Name returns the sheet's name.
func (s *SheetReader) Name() string { return s.name }

// Close releases the sheet's reader. It does not close the workbook.
func (s *SheetReader) Close() error {
	if s.rc == nil {
		return nil
	}
	err := s.rc.Close()
	s.rc = nil
	s.err = errors.New("xlsxread: the sheet reader is closed")
	return err
}

// MergedRanges returns the merged cell ranges of the sheet, such as
// "A1:B2", as written. They follow the cells in the XML, so the list is
// complete only once Next has returned io.EOF.
func (s *SheetReader) MergedRanges() []string { return s.merged }

// Next returns the next row that has at least one <c> element: its
// 1-based number (from r=, or counted from the previous row when r is
// absent) and its cells, ordered by column, possibly with gaps. The
// cells slice is reused by the next call; the Value strings stay valid
// (the values of one row share one allocation, shared strings share the
// workbook's table).
// At the end of the sheet Next returns io.EOF; after any other error it
// keeps returning that error.
func (s *SheetReader) Next() (row int, cells []Cell, err error) {
	if s.err != nil {
		return 0, nil, s.err
	}
	row, cells, err = s.next()
	if err != nil {
		if e, ok := err.(*Error); ok && e.Sheet == "" {
			e.Sheet = s.name
			if e.Part == "" {
				e.Part = s.part
			}
		}
		s.err = err
		return 0, nil, err
	}
	return row, cells, nil
}

func (s *SheetReader) next() (int, []Cell, error) {
	sc := s.sc
	for {
		switch s.state {
		case stDone:
			return 0, nil, io.EOF
		case stBefore, stAfter:
			// Outside sheetData: before it, look for it; after it, for
			// the merged ranges.
			k, err := sc.next()
			if err != nil {
				return 0, nil, err
			}
			switch {
			case k == tokEOF:
				s.state = stDone // with no sheetData before it: a chart sheet, say
			case k != tokStart:
			case s.state == stBefore && string(sc.name) == "sheetData":
				s.state = stIn
				if sc.self {
					s.state = stAfter
				}
			case s.state == stAfter && string(sc.name) == "mergeCell":
				if v, ok := sc.attr("ref"); ok {
					if len(s.merged) >= maxMergedRanges {
						return 0, nil, newErr(ErrLimit, s.part, "the sheet has more than %s merged ranges", textfmt.Count(maxMergedRanges))
					}
					s.merged = append(s.merged, string(v))
				}
			}
		case stIn:
			k, err := sc.next()
			if err != nil {
				return 0, nil, err
			}
			switch k {
			case tokEOF:
				return 0, nil, sc.malformed("the sheet XML ends inside <sheetData> (the part is truncated)")
			case tokEnd:
				if string(sc.name) == "sheetData" {
					s.state = stAfter
				}
			case tokStart:
				if string(sc.name) != "row" {
					if !sc.self {
						if err := sc.skipElement(); err != nil {
							return 0, nil, err
						}
					}
					continue
				}
				row, err := s.row()
				if err != nil {
					return 0, nil, err
				}
				if len(s.cells) == 0 {
					continue
				}
				s.rows++
				if s.rows > s.wb.lim.MaxRows {
					return 0, nil, &Error{Kind: ErrLimit, Part: s.part, Cell: CellRef(s.cells[0].Col, row),
						Msg: fmt.Sprintf("the sheet has more than %s rows (the limit)", textfmt.Count(s.wb.lim.MaxRows))}
				}
				return row, s.cells, nil
			}
		}
	}
}

// Internal cell types, from the t attribute.
const (
	tNumber = iota
	tShared
	tInline
	tStr
	tBool
	tError
	tDate
)

func cellKind(t []byte) (int, bool) {
	switch string(t) {
	case "", "n":
		return tNumber, true
	case "s":
		return tShared, true
	case "inlineStr":
		return tInline, true
	case "str":
		return tStr, true
	case "b":
		return tBool, true
	case "e":
		return tError, true
	case "d":
		return tDate, true
	}
	return 0, false
}

// row reads a <row> element whose start tag was just read, into s.cells.
func (s *SheetReader) row() (int, error) {
	sc := s.sc
	lim := &s.wb.lim
	s.cells = s.cells[:0]
	s.spans = s.spans[:0]
	s.rowBuf = s.rowBuf[:0]

	rowNum := s.lastRow + 1
	rowGiven := false
	if v, ok := sc.attr("r"); ok {
		n, ok := parseUint(v, maxRowNumber)
		if !ok || n < 1 {
			return 0, &Error{Kind: ErrMalformed, Part: s.part, Msg: fmt.Sprintf("invalid row number r=%q after row %d", v, s.lastRow)}
		}
		rowNum, rowGiven = n, true
	}
	checkOrder := func() error {
		if rowNum <= s.lastRow {
			return &Error{Kind: ErrMalformed, Part: s.part,
				Msg: fmt.Sprintf("row %d comes after row %d (rows must be in order and appear once)", rowNum, s.lastRow)}
		}
		s.lastRow = rowNum
		return nil
	}
	if rowGiven || sc.self {
		if err := checkOrder(); err != nil {
			return 0, err
		}
	}
	if sc.self {
		return rowNum, nil
	}
	col := 0
	sorted := true
	for {
		var ref, typ []byte
		var self, ok bool
		if sc.lit("</row>") {
			if !rowGiven && len(s.cells) == 0 {
				if err := checkOrder(); err != nil {
					return 0, err
				}
			}
			return rowNum, s.finishRow(rowNum, sorted)
		}
		if ref, typ, self, ok = sc.cellTag(); !ok {
			k, err := sc.next()
			if err != nil {
				return 0, err
			}
			switch k {
			case tokEOF:
				return 0, sc.malformed("the sheet XML ends inside row %d (the part is truncated)", rowNum)
			case tokEnd:
				switch string(sc.name) {
				case "row":
					if !rowGiven && len(s.cells) == 0 {
						if err := checkOrder(); err != nil {
							return 0, err
						}
					}
					return rowNum, s.finishRow(rowNum, sorted)
				case "sheetData":
					return 0, sc.malformed("</sheetData> inside row %d", rowNum)
				}
				continue
			}
			if string(sc.name) != "c" {
				if !sc.self {
					if err := sc.skipElement(); err != nil {
						return 0, err
					}
				}
				continue
			}
			// A cell, the general way.
			for _, a := range sc.attrs {
				if a.ls != a.ns || a.ne-a.ls != 1 {
					continue
				}
				switch sc.buf[a.ls] {
				case 'r':
					ref = sc.buf[a.vs:a.ve]
				case 't':
					typ = sc.buf[a.vs:a.ve]
				}
			}
			self = sc.self
		}
		prev := col
		if ref != nil {
			c, r, ok := parseRef(ref)
			if !ok {
				return 0, &Error{Kind: ErrMalformed, Part: s.part, Cell: CellRef(col+1, rowNum),
					Msg: fmt.Sprintf("invalid cell reference r=%q in row %d", ref, rowNum)}
			}
			col = c
			if !rowGiven && len(s.cells) == 0 {
				rowNum = r // the row has no r=: trust its first cell
			}
		} else {
			col++
		}
		if !rowGiven && len(s.cells) == 0 {
			if err := checkOrder(); err != nil {
				return 0, err
			}
		}
		if col > lim.MaxColumns {
			return 0, &Error{Kind: ErrLimit, Part: s.part, Cell: CellRef(col, rowNum),
				Msg: fmt.Sprintf("the cell is beyond column %s (%s), the last column allowed", ColumnName(lim.MaxColumns), textfmt.Count(lim.MaxColumns))}
		}
		if col <= prev {
			sorted = false
			if len(s.cells) >= lim.MaxColumns {
				return 0, &Error{Kind: ErrMalformed, Part: s.part, Cell: CellRef(col, rowNum),
					Msg: fmt.Sprintf("row %d has more than %s cells (repeated cell references)", rowNum, textfmt.Count(lim.MaxColumns))}
			}
		}
		kind, ok := cellKind(typ)
		if !ok {
			return 0, &Error{Kind: ErrMalformed, Part: s.part, Cell: CellRef(col, rowNum),
				Msg: fmt.Sprintf("unknown cell type t=%q", typ)}
		}
		if err := s.cell(col, rowNum, kind, self); err != nil {
			return 0, err
		}
	}
}

// cell reads the content of a <c> element whose start tag was just read
// and appends the cell.
func (s *SheetReader) cell(col, rowNum, kind int, self bool) error {
	sc := s.sc
	lim := &s.wb.lim
	c := Cell{Col: col}
	start := len(s.rowBuf)
	hasV, hasIs := false, false
	maxRaw := lim.maxRawText()
	cellErr := func(kind ErrorKind, format string, args ...any) error {
		return &Error{Kind: kind, Part: s.part, Cell: CellRef(col, rowNum), Msg: fmt.Sprintf(format, args...)}
	}
	for !self {
		// Fast paths for <v>…</v></c> as every writer spells it.
		if sc.lit("</c>") {
			break
		}
		if sc.lit("</v>") {
			continue
		}
		if sc.lit("<is>") {
			hasV, hasIs = false, true
			s.rowBuf = s.rowBuf[:start]
			var err error
			if s.rowBuf, err = readRich(sc, "is", s.rowBuf, maxRaw); err != nil {
				if err == errTooLong {
					return cellErr(ErrLimit, "the cell is longer than %s characters (the limit)", textfmt.Count(lim.MaxCellChars))
				}
				return err
			}
			continue
		}
		if sc.lit("<v>") {
			hasV, hasIs = true, false
			s.rowBuf = s.rowBuf[:start]
			var err error
			if s.rowBuf, err = sc.text(s.rowBuf, maxRaw); err != nil {
				if err == errTooLong {
					return cellErr(ErrLimit, "the cell is longer than %s characters (the limit)", textfmt.Count(lim.MaxCellChars))
				}
				return err
			}
			continue
		}
		k, err := sc.next()
		if err != nil {
			return err
		}
		if k == tokEOF {
			return cellErr(ErrMalformed, "the sheet XML ends inside the cell (the part is truncated)")
		}
		if k == tokEnd {
			switch string(sc.name) {
			case "c":
				self = true // done
			case "row", "sheetData":
				return cellErr(ErrMalformed, "</%s> inside the cell", sc.name)
			}
			continue
		}
		switch string(sc.name) {
		case "v":
			hasV, hasIs = true, false
			s.rowBuf = s.rowBuf[:start]
			if !sc.self {
				s.rowBuf, err = sc.text(s.rowBuf, maxRaw)
			}
		case "f":
			c.Formula = true
			if !sc.self {
				err = sc.skipElement()
			}
		case "is":
			hasV, hasIs = false, true
			s.rowBuf = s.rowBuf[:start]
			if !sc.self {
				s.rowBuf, err = readRich(sc, "is", s.rowBuf, maxRaw)
			}
		default:
			if !sc.self {
				err = sc.skipElement()
			}
		}
		if err == errTooLong {
			return cellErr(ErrLimit, "the cell is longer than %s characters (the limit)", textfmt.Count(lim.MaxCellChars))
		}
		if err != nil {
			return err
		}
	}
	owned := false
	v := s.rowBuf[start:]
	switch {
	case hasIs, hasV && (kind == tStr || kind == tInline):
		s.rowBuf = s.rowBuf[:start+len(decodeXEscapes(v))] // decoded in place
		c.Type, owned = CellString, true
	case !hasV:
		s.rowBuf = s.rowBuf[:start]
	case kind == tShared:
		i, ok := parseUint(trimSpaceBytes(v), maxRowNumber)
		if !ok || i >= s.wb.sst.len() {
			return cellErr(ErrMalformed, "shared string index %q is out of range (the workbook has %d shared strings)", v, s.wb.sst.len())
		}
		c.Value, c.Type = s.wb.sst.get(i), CellString
		s.rowBuf = s.rowBuf[:start]
	case kind == tBool:
		switch string(trimSpaceBytes(v)) {
		case "1", "true", "TRUE", "True":
			c.Value = "TRUE"
			s.rowBuf = s.rowBuf[:start]
		case "0", "false", "FALSE", "False":
			c.Value = "FALSE"
			s.rowBuf = s.rowBuf[:start]
		default:
			owned = true
		}
		c.Type = CellBool
	case kind == tError:
		c.Type, owned = CellError, true
	case kind == tDate:
		c.Type, owned = CellDate, true
	default: // number
		if len(v) == 0 {
			break
		}
		s.rowBuf = canonicalNumber(s.rowBuf, start)
		c.Type, owned = CellNumber, true
	}
	if owned {
		v = s.rowBuf[start:]
		if len(v) > lim.MaxCellChars && utf16Len(v) > lim.MaxCellChars {
			return cellErr(ErrLimit, "the cell is longer than %s characters (the limit)", textfmt.Count(lim.MaxCellChars))
		}
	}
	if len(s.rowBuf) > maxRowBytes {
		return cellErr(ErrLimit, "row %d holds more than %s of text", rowNum, formatBytes(maxRowBytes))
	}
	sp := span{-1, -1}
	if owned && len(v) > 0 {
		sp = span{int32(start), int32(len(s.rowBuf))}
	}
	s.cells = append(s.cells, c)
	s.spans = append(s.spans, sp)
	return nil
}

func trimSpaceBytes(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// finishRow gives the cells their values from one string for the whole
// row and orders them by column.
func (s *SheetReader) finishRow(rowNum int, sorted bool) error {
	if len(s.rowBuf) > 0 {
		str := string(s.rowBuf)
		for i, sp := range s.spans {
			if sp.a >= 0 {
				s.cells[i].Value = str[sp.a:sp.b]
			}
		}
	}
	if !sorted {
		slices.SortStableFunc(s.cells, func(a, b Cell) int { return a.Col - b.Col })
		for i := 1; i < len(s.cells); i++ {
			if s.cells[i].Col == s.cells[i-1].Col {
				return &Error{Kind: ErrMalformed, Part: s.part, Cell: CellRef(s.cells[i].Col, rowNum),
					Msg: "the cell appears twice in the row"}
			}
		}
	}
	return nil
}
