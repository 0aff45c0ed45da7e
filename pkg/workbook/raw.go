package workbook

import (
	"errors"
	"fmt"
	"strings"

	"secmgr/pkg/workbook/internal/xlsxread"
)

// RawWorkbook is an .xlsx file opened to read any sheet cell by cell,
// for sheets that are not security tabs (such as an access review). It
// reads with the same streaming reader and within the same limits as
// Open, but interprets nothing: no header matching, no findings.
//
//	rw, err := workbook.OpenRaw("AccessReview.101500.xlsx", workbook.Options{})
//	if err != nil { … }            // not a workbook at all: the message names the file
//	defer rw.Close()
//	err = rw.ReadSheet("AccessReview", func(row int, cells []workbook.RawCell) error { … })
type RawWorkbook struct {
	Path string
	xr   *xlsxread.Workbook
	opt  Options
}

// RawCell is one cell of a row read by ReadSheet.
type RawCell struct {
	Col int // 1-based column index
	// Value is the cell's value as displayed before number formatting,
	// not trimmed: the text, canonical decimal for numbers ("3.0" reads
	// "3"), "TRUE" or "FALSE", or a formula's cached result.
	Value   string
	Formula bool // the cell holds a formula; Value is its cached result
}

// ErrStopReading, returned by a ReadSheet callback, stops reading
// without an error.
var ErrStopReading = errors.New("stop reading")

// OpenRaw opens the workbook at path for ReadSheet. The error is for a
// file that is not a readable .xlsx workbook, or one beyond opt's limits;
// its message names the file (it is an *Error, as Open's).
func OpenRaw(path string, opt Options) (*RawWorkbook, error) {
	xr, err := openXLSX(path, opt)
	if err != nil {
		return nil, err
	}
	return &RawWorkbook{Path: path, xr: xr, opt: opt}, nil
}

// Close closes the file.
func (w *RawWorkbook) Close() error { return w.xr.Close() }

// SheetNames returns the names of the workbook's sheets, in file order.
func (w *RawWorkbook) SheetNames() []string {
	infos := w.xr.Sheets()
	names := make([]string, len(infos))
	for i, info := range infos {
		names[i] = info.Name
	}
	return names
}

// Sheet returns the name of the sheet called name, compared ignoring case
// as Excel does, as the file spells it; ok is false when there is none.
func (w *RawWorkbook) Sheet(name string) (string, bool) {
	if i := w.sheetIndex(name); i >= 0 {
		return w.xr.Sheets()[i].Name, true
	}
	return "", false
}

func (w *RawWorkbook) sheetIndex(name string) int {
	for i, info := range w.xr.Sheets() {
		if strings.EqualFold(info.Name, name) {
			return i
		}
	}
	return -1
}

// ReadSheet streams the rows of the sheet called name (compared ignoring
// case) to fn, in sheet order: each row that has cells, with its 1-based
// number and its cells ordered by column. Rows with no cells are skipped;
// cells may be empty. fn gets the same slice for every row, overwritten:
// copy it to keep it (the Value strings may be kept). An error from fn
// stops reading and is returned as is, except ErrStopReading, which
// stops reading and returns nil. Any other error means the sheet could
// not be read; it is an *Error that names the file and, where there is
// one, the cell. Options.Progress, when set, is told how reading goes.
func (w *RawWorkbook) ReadSheet(name string, fn func(row int, cells []RawCell) error) error {
	i := w.sheetIndex(name)
	if i < 0 {
		return &Error{Path: w.Path, Msg: fmt.Sprintf("the workbook has no sheet named '%s'", name)}
	}
	sr, err := w.xr.OpenSheet(i)
	if err != nil {
		return readError(w.Path, err)
	}
	defer sr.Close()
	// Progress is reported as for Read, with the sheet standing for a tab.
	s := &Sheet{Name: w.xr.Sheets()[i].Name, index: i}
	progress := newReadProgress(w.Path, w.opt.Progress, []*Sheet{s}, func(*Sheet) string { return w.xr.Sheets()[i].Part })
	var out []RawCell
	rows, err := progress.readRows(w.Path, s, sr, func(num int, cells []xlsxread.Cell) error {
		out = out[:0]
		for _, c := range cells {
			out = append(out, RawCell{Col: c.Col, Value: c.Value, Formula: c.Formula})
		}
		return fn(num, out)
	})
	if errors.Is(err, ErrStopReading) {
		return nil
	}
	if err != nil {
		return err
	}
	progress.end(s, rows)
	return nil
}

// CellName returns the A1 reference of a cell, such as "G12", from its
// 1-based column and row.
func CellName(col, row int) string { return columnName(col) + itoa(row) }
