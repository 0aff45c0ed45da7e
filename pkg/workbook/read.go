package workbook

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"secmgr/internal/limits"
	"secmgr/internal/oserr"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/validate"
	"secmgr/pkg/workbook/internal/xlsxread"
)

// The defaults of Options.
const (
	DefaultMaxUncompressedBytes = 1 << 30
	DefaultMaxRows              = 2_000_000
	DefaultMaxColumns           = 16_384
	DefaultMaxCellChars         = 32_767
)

// ListsSheet is the name of the hidden sheet holding the values of an
// export's drop-down lists; reading ignores a sheet of that name.
const ListsSheet = "Lists"

// Workbook is an .xlsx file opened for reading. Open reads the header row
// of every sheet; Read streams the data rows of one sheet. A Workbook is
// not safe for concurrent use: Read appends to Findings.
type Workbook struct {
	Path string
	// Sheets holds the recognised tabs whose rows can be read, in file
	// order. A tab whose header row is missing or lacks a key column is
	// left out (its error is in Findings), as are a repeated tab and the
	// Lists sheet.
	Sheets []*Sheet
	// Findings holds the problems found so far: by Open in the header
	// rows, by Read in the data rows and merged cells.
	Findings validate.Findings

	xr       *xlsxread.Workbook
	progress *readProgress // nil without Options.Progress
	omitted  validate.Omitted
}

// add records a finding; past Options.MaxFindings they are only counted.
func (w *Workbook) add(f validate.Finding) {
	w.Findings = validate.AddCapped(w.Findings, f, &w.omitted)
}

// Error is a workbook that cannot be read at all, or a cell that cannot
// be read (too long, beyond the last column allowed). Its message names
// the file and, where there is one, the cell.
type Error struct {
	Path  string
	Cell  string // such as "Users!B7", when one cell is at fault
	Msg   string
	Limit bool // a bound of Options was exceeded
	err   error
}

func (e *Error) Error() string {
	if e.Cell != "" {
		return e.Path + ": " + e.Cell + ": " + e.Msg
	}
	if strings.HasPrefix(e.Msg, e.Path+" ") {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.err }

// Open opens the workbook at path and reads the header row of every
// sheet: it matches sheet names to tabs and headers to columns, and
// records what it finds wrong in Findings. The error is for a file that
// is not a readable .xlsx workbook; its message names the file.
func Open(path string, opt Options) (*Workbook, error) {
	xr, err := openXLSX(path, opt)
	if err != nil {
		return nil, err
	}
	w := &Workbook{Path: path, xr: xr, omitted: validate.Omitted{Max: opt.MaxFindings}}
	seen := make(map[artifacts.TabID]string)
	var unknown []string
	for i, info := range xr.Sheets() {
		name := info.Name
		if strings.EqualFold(strings.TrimSpace(name), ListsSheet) {
			continue
		}
		tab, ok := artifacts.LookupTab(name)
		if !ok {
			unknown = append(unknown, name)
			continue
		}
		if first, dup := seen[tab.ID]; dup {
			w.add(validate.Finding{Severity: validate.Error, Code: validate.CodeDuplicateTab, Tab: tab.Name,
				Message: fmt.Sprintf("the workbook has the %s tab twice ('%s' and '%s'); delete or rename one of them", tab.Name, first, name)})
			continue
		}
		seen[tab.ID] = name
		s := &Sheet{Tab: tab, Name: name, Hidden: info.Hidden, index: i}
		ok, err := w.readHeader(s)
		if err != nil {
			xr.Close()
			return nil, err
		}
		if ok {
			w.Sheets = append(w.Sheets, s)
		}
	}
	w.reportUnknownTabs(unknown, len(seen) > 0)
	w.progress = newReadProgress(path, opt.Progress, w.Sheets, func(s *Sheet) string { return xr.Sheets()[s.index].Part })
	return w, nil
}

// Close closes the file.
func (w *Workbook) Close() error { return w.xr.Close() }

// Sheet returns the sheet of the tab, or nil when the workbook has none
// that can be read.
func (w *Workbook) Sheet(id artifacts.TabID) *Sheet {
	for _, s := range w.Sheets {
		if s.Tab.ID == id {
			return s
		}
	}
	return nil
}

// openXLSX opens the workbook at path with the bounded reader, within
// opt's limits. The error is an *Error naming the file.
func openXLSX(path string, opt Options) (*xlsxread.Workbook, error) {
	xr, err := xlsxread.Open(path, xlsxread.Limits{
		MaxUncompressedBytes: limits.OrDefault(opt.MaxUncompressedBytes, DefaultMaxUncompressedBytes),
		MaxRows:              limits.OrDefault(opt.MaxRows, DefaultMaxRows) + 1, // the header row counts there
		MaxColumns:           limits.OrDefault(opt.MaxColumns, DefaultMaxColumns),
		MaxCellChars:         limits.OrDefault(opt.MaxCellChars, DefaultMaxCellChars),
	})
	if err != nil {
		return nil, readError(path, err)
	}
	return xr, nil
}

// readHeader reads row 1 of s and fills Present, Headers and the column
// map. It reports whether the sheet's rows can be read.
func (w *Workbook) readHeader(s *Sheet) (bool, error) {
	tab := s.Tab
	sr, err := w.xr.OpenSheet(s.index)
	if err != nil {
		return false, readError(w.Path, err)
	}
	defer sr.Close()
	row, cells, err := sr.Next()
	if err != nil && err != io.EOF {
		return false, readError(w.Path, err)
	}
	blank := true
	for _, c := range cells {
		if strings.TrimSpace(c.Value) != "" {
			blank = false
			break
		}
	}
	if err == io.EOF || row != 1 || blank {
		what := fmt.Sprintf("row 1 of the %s tab is empty", tab.Name)
		if err == io.EOF {
			what = fmt.Sprintf("the %s tab is empty", tab.Name)
		}
		w.add(validate.Finding{Severity: validate.Error, Code: validate.CodeNoHeader, Tab: tab.Name, Row: 1, Cell: s.Name + "!A1",
			Message: fmt.Sprintf("%s; row 1 must hold the column headers (%s)", what, headerList(tab))})
		return false, nil
	}
	n := len(tab.Columns)
	s.Present = make([]bool, n)
	s.Headers = make([]string, n)
	s.column = make([]int, n)
	type unknownHeader struct{ name, ref string }
	var unknown []unknownHeader
	for _, c := range cells {
		h := strings.TrimSpace(c.Value)
		if h == "" {
			continue
		}
		ref := s.Name + "!" + columnName(c.Col) + "1"
		ci := tab.Column(h)
		switch {
		case ci < 0:
			unknown = append(unknown, unknownHeader{h, ref})
		case s.column[ci] != 0:
			w.add(validate.Finding{Severity: validate.Error, Code: validate.CodeDuplicateColumn, Tab: tab.Name, Row: 1, Column: h, Cell: ref,
				Message: fmt.Sprintf("column '%s' appears twice in the %s tab (%s1 and %s1); delete one of them", h, tab.Name, columnName(s.column[ci]), columnName(c.Col))})
		default:
			s.column[ci] = c.Col
			s.Present[ci] = true
			s.Headers[ci] = h
		}
	}
	// A near miss of a column the tab lacks is surely that column
	// misspelt: ignoring it would drop every edit in it.
	var lacking []string
	for ci := range tab.Columns {
		if !s.Present[ci] {
			lacking = append(lacking, tab.Columns[ci].Name)
		}
	}
	for _, u := range unknown {
		if near := validate.NearMiss(u.name, lacking); near != "" {
			w.add(validate.Finding{Severity: validate.Error, Code: validate.CodeMisspeltColumn, Tab: tab.Name, Row: 1, Column: u.name, Cell: u.ref,
				Message: fmt.Sprintf("column '%s' is not a column of the %s tab — did you mean %s? Correct the header, or the edits in this column are not read", validate.Shown(u.name), tab.Name, near)})
			continue
		}
		w.add(validate.Finding{Severity: validate.Warning, Code: validate.CodeUnknownColumn, Tab: tab.Name, Row: 1, Column: u.name, Cell: u.ref,
			Message: fmt.Sprintf("column '%s' is not part of the %s tab; it is ignored", validate.Shown(u.name), tab.Name)})
	}
	var missing []string
	for _, ci := range tab.Key {
		if !s.Present[ci] {
			missing = append(missing, tab.Columns[ci].Name)
		}
	}
	if len(missing) > 0 {
		f := validate.Finding{Severity: validate.Error, Code: validate.CodeMissingKeyColumn, Tab: tab.Name, Row: 1}
		if len(missing) == 1 {
			f.Column = missing[0]
			f.Message = fmt.Sprintf("the %s tab has no %s column; it is needed to identify each %s", tab.Name, missing[0], tab.Artifact)
		} else {
			f.Message = fmt.Sprintf("the %s tab has no %s columns; they are needed to identify each %s", tab.Name, joinAnd(missing), tab.Artifact)
		}
		w.add(f)
		return false, nil
	}
	return true, nil
}

func headerList(tab *artifacts.Tab) string {
	names := make([]string, len(tab.Columns))
	for i := range tab.Columns {
		names[i] = tab.Columns[i].Name
	}
	if len(names) > 4 {
		return strings.Join(names[:4], ", ") + ", …"
	}
	return strings.Join(names, ", ")
}

func joinAnd(list []string) string {
	if len(list) <= 1 {
		return strings.Join(list, "")
	}
	return strings.Join(list[:len(list)-1], ", ") + " and " + list[len(list)-1]
}

// Read streams the data rows (row 2 on) of sheet s to fn, in sheet
// order. Blank rows are skipped; a row that holds nothing but ActionType
// or ActionValue is an error finding and not passed on. Problems become
// findings in w.Findings: white space trimmed from key cells (warning),
// formulas in key cells (error; the row is still passed), merged cells
// touching data rows (error, found once the sheet is read to its end).
//
// fn gets the same *Row for every row, its Values slice overwritten: fn
// must copy the slice (or the Row) to keep it; the strings themselves may
// be kept. Read each sheet once: a second Read reports its findings
// again. An error from fn stops reading and is returned as is. Any
// other error means the sheet could not be read; it names the file and,
// where there is one, the cell.
func (w *Workbook) Read(s *Sheet, fn func(*Row) error) error {
	tab := s.Tab
	n := len(tab.Columns)
	if len(s.column) != n {
		return fmt.Errorf("%s: the %s tab has no header row to read it by", w.Path, tab.Name)
	}
	// colMap maps a sheet column to its tab column + 1 (0: ignored).
	maxCol := 0
	for _, c := range s.column {
		maxCol = max(maxCol, c)
	}
	colMap := make([]int, maxCol+1)
	for ci, c := range s.column {
		if c > 0 {
			colMap[c] = ci + 1
		}
	}
	action := make([]bool, n)
	for ci := range tab.Columns {
		action[ci] = tab.Columns[ci].IsAction()
	}

	sr, err := w.xr.OpenSheet(s.index)
	if err != nil {
		return readError(w.Path, err)
	}
	defer sr.Close()

	row := &Row{Values: make([]string, n)}
	formula := make([]bool, n)
	type trimmed struct {
		col int
		raw string
	}
	var trims []trimmed
	// unreadable is a cell with no value to read: an error value, or a
	// formula that was never calculated.
	type unreadable struct {
		col     int
		value   string
		isError bool
	}
	var unread []unreadable
	rows, err := w.progress.readRows(w.Path, s, sr, func(num int, cells []xlsxread.Cell) error {
		if num < 2 {
			return nil // the header
		}
		if len(row.Values) != n { // fn replaced the slice
			row.Values = make([]string, n)
		}
		vals := row.Values
		clear(vals)
		clear(formula)
		trims = trims[:0]
		unread = unread[:0]
		anyFormula := false
		for i := range cells {
			c := &cells[i]
			if c.Col >= len(colMap) {
				continue
			}
			m := colMap[c.Col]
			if m == 0 {
				continue
			}
			ci := m - 1
			if c.Type == xlsxread.CellError || c.Formula && c.Type == xlsxread.CellEmpty {
				unread = append(unread, unreadable{ci, c.Value, c.Type == xlsxread.CellError})
				continue
			}
			v := c.Value
			t := strings.TrimSpace(v)
			if len(t) != len(v) && t != "" && tab.Columns[ci].Key {
				trims = append(trims, trimmed{ci, v})
			}
			vals[ci] = t
			if c.Formula {
				formula[ci] = true
				anyFormula = true
			}
		}
		if len(unread) > 0 {
			// Such a cell is neither empty nor a value: reading it as
			// either would plan a change nobody asked for, so the row is
			// reported and left out.
			for _, u := range unread {
				if u.isError {
					w.add(s.Finding(validate.Error, validate.CodeErrorCell, u.col, num,
						fmt.Sprintf("the cell holds the error value %s, not a value (a formula failed there, and Paste Values keeps the error); type the value the cell should hold", errorShown(u.value))))
				} else {
					w.add(s.Finding(validate.Error, validate.CodeUncalculated, u.col, num,
						"the cell holds a formula that was never calculated; open and save the workbook in Excel or LibreOffice, or type the value"))
				}
			}
			return nil
		}
		data, act := false, -1
		for ci, v := range vals {
			if v == "" {
				continue
			}
			if !action[ci] {
				data = true
				break
			}
			if act < 0 {
				act = ci
			}
		}
		if !data {
			if act >= 0 {
				w.add(s.Finding(validate.Error, validate.CodeActionOnlyRow, act, num,
					fmt.Sprintf("row %d has only an %s (%s) and no %s; write the %s it applies to, or clear the row",
						num, tab.Columns[act].Name, vals[act], keyNames(tab), tab.Artifact)))
			}
			return nil // blank
		}
		for _, tr := range trims {
			w.add(s.Finding(validate.Warning, validate.CodeWhitespace, tr.col, num,
				fmt.Sprintf("leading or trailing spaces in '%s' were removed", tr.raw)))
		}
		if anyFormula {
			for _, ci := range tab.Key {
				if formula[ci] {
					w.add(s.Finding(validate.Error, validate.CodeFormulaInKey, ci, num,
						fmt.Sprintf("the %s cell holds a formula; a key must be typed as a value (copy the cells and use Paste Special > Values)", tab.Columns[ci].Name)))
				}
			}
		}
		row.Number = num
		return fn(row)
	})
	if err != nil {
		return err
	}
	w.checkMerged(s, colMap, sr.MergedRanges())
	w.progress.end(s, rows)
	return nil
}

// errorShown renders an error cell's text, such as #N/A, for a message.
func errorShown(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return "(an error)"
	}
	return validate.Shown(v)
}

func keyNames(tab *artifacts.Tab) string {
	names := make([]string, len(tab.Key))
	for i, ci := range tab.Key {
		names[i] = tab.Columns[ci].Name
	}
	return joinAnd(names)
}

// checkMerged reports merged ranges that reach into the data rows and
// cover a column that is read: the value of a merged range sits in its
// top-left cell only, so the other cells would silently read as empty.
func (w *Workbook) checkMerged(s *Sheet, colMap []int, ranges []string) {
	for _, r := range ranges {
		a, b, ok := strings.Cut(r, ":")
		if !ok {
			continue
		}
		c1, r1, err1 := xlsxread.ParseCellRef(a)
		c2, r2, err2 := xlsxread.ParseCellRef(b)
		if err1 != nil || err2 != nil {
			continue
		}
		c1, c2 = min(c1, c2), max(c1, c2)
		r1, r2 = min(r1, r2), max(r1, r2)
		if r2 < 2 || (c1 == c2 && r1 == r2) {
			continue
		}
		first := -1 // the first tab column the range covers
		for c := c1; c <= c2 && c < len(colMap); c++ {
			if colMap[c] > 0 {
				first = colMap[c] - 1
				break
			}
		}
		if first < 0 {
			continue // only columns that are not read
		}
		cells := columnName(c1) + itoa(r1) + ":" + columnName(c2) + itoa(r2)
		msg := fmt.Sprintf("cells %s are merged; unmerge them (Home > Merge & Center) so each cell holds its own value", cells)
		f := validate.Finding{Severity: validate.Error, Code: validate.CodeMergedCells, Tab: s.Tab.Name, Row: r1,
			Cell: s.Name + "!" + columnName(c1) + itoa(r1), Message: msg}
		f.Column = s.Headers[first]
		w.add(f)
	}
}

// readError turns an error of the xlsx reader into an *Error naming the
// file and, where there is one, the cell.
func readError(path string, err error) error {
	var xe *xlsxread.Error
	if !errors.As(err, &xe) {
		return &Error{Path: path, Msg: err.Error(), err: err}
	}
	e := &Error{Path: path, Msg: xe.Msg, Limit: xe.Kind == xlsxread.ErrLimit, err: err}
	switch {
	case xe.Kind == xlsxread.ErrIO && xe.Err != nil:
		e.Msg = oserr.Reason(xe.Err)
		if errors.Is(xe.Err, os.ErrNotExist) {
			e.Msg = "no such file"
		}
		return e
	case xe.Err != nil && xe.Msg != "":
		e.Msg += ": " + xe.Err.Error()
	case xe.Err != nil:
		e.Msg = xe.Err.Error()
	}
	if xe.Sheet != "" && xe.Cell != "" {
		e.Cell = xe.Sheet + "!" + xe.Cell
	} else if xe.Sheet != "" {
		e.Msg = fmt.Sprintf("sheet '%s': %s", xe.Sheet, e.Msg)
	} else if xe.Cell != "" {
		e.Msg = "cell " + xe.Cell + ": " + e.Msg
	}
	if xe.Kind == xlsxread.ErrMalformed && xe.Part != "" {
		if xe.Sheet == "" && xe.Cell == "" {
			e.Msg = xe.Part + ": " + e.Msg
		} else {
			e.Msg += " (" + xe.Part + ")"
		}
	}
	return e
}

func columnName(col int) string { return xlsxread.ColumnName(col) }

func itoa(n int) string { return strconv.Itoa(n) }
