package workbook

import (
	"archive/zip"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"

	"github.com/xuri/excelize/v2"

	"secmgr/internal/oserr"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/workbook/internal/xlsxread"
)

// WriteOptions shape a written workbook.
type WriteOptions struct {
	// Lists holds the names the drop-down lists of user, group and
	// exclusion-group columns offer; the zero value gives those columns
	// no drop-down (enumerated columns always have one).
	Lists Lists
	// Base, when set, is recorded in the custom document properties: the
	// state of the environment the workbook was made from (SetBase).
	Base *Base
	// BDA writes only the columns of BDA Security Manager's guide (no
	// extension columns) and no Lists tab: drop-downs only where their
	// values fit in the validation itself, and none for users and groups.
	// Rows are still given one value per tab column; a value in a column
	// left out is an error.
	BDA bool
	// Replace lets Create replace an existing file at the path; without
	// it an existing file is refused.
	Replace bool
}

// maxSheetRows is Excel's row limit; the header takes one.
const maxSheetRows = excelize.TotalRows

// MaxDataRows is the most data rows one written tab holds: Excel's row
// limit less the header row.
const MaxDataRows = maxSheetRows - 1

// maxCellChars is Excel's limit on the text of one cell, in UTF-16 units.
const maxCellChars = excelize.TotalCellChars

// utf16Len is the length of s in UTF-16 code units, as Excel counts.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// Writer writes a security workbook tab by tab, row by row, through
// excelize's StreamWriter, so memory stays flat in the number of rows.
// Nothing appears at the path until Close succeeds.
//
// Each tab is made for a person editing it: the header row is styled,
// frozen and carries a note per column saying what it holds; the header
// has an auto-filter; columns are as wide as their values need; and every
// enumerated column, and every user or group column given a list in
// WriteOptions, has a drop-down drawing on the hidden Lists tab written
// last. Drop-downs of references only warn, so that a name the workbook
// itself adds can still be typed.
//
// Sheets of other layouts, such as an access review, are written the same
// way and with the same styles: StartLayout, and AddTextSheet for a sheet
// of explanations.
//
//	w, err := workbook.Create("SecurityExtract.101500.xlsx", workbook.WriteOptions{})
//	if err != nil { … }
//	defer w.Abort()                       // a no-op after a successful Close
//	w.StartTab(artifacts.TabUsers.Tab())
//	w.WriteRow(values)                    // one value per tab column
//	…
//	err = w.Close()
type Writer struct {
	path     string
	reserved bool // Create made an empty placeholder at path (no --force)
	file     *excelize.File
	opt      WriteOptions
	styles   headerStyles
	lists    dropLists

	sheet   string         // the current sheet's name
	tab     *artifacts.Tab // the current sheet's tab; nil for a Layout
	columns []sheetColumn  // the current sheet's written columns
	values  int            // the values WriteRow takes: one per tab or layout column
	stream  *excelize.StreamWriter
	ended   []*excelize.StreamWriter // tabs ended, flushed by Close
	row     int                      // last spreadsheet row written on the current tab
	cols    []int                    // per written column, the index of its value in a row
	numeric []bool                   // per written column: written as a number when it parses
	cells   []any                    // reused row of cell values
	tabs    map[string]bool

	// Data rows bypass excelize: they are encoded into a spool per tab and
	// spliced into the header-only sheets excelize writes (fastrows.go).
	spool      *rowSpool
	spools     map[string]*rowSpool // by sheet name
	numericRow []bool
	projected  []string // a row's values in the columns written

	err  error // sticky: after a failure only Abort and Close make sense
	done bool
}

// Create starts a workbook to be written to path. It refuses a path that
// exists unless opt.Replace; the file is created readable by its owner
// only (mode 0600), because a workbook holds security.
func Create(path string, opt WriteOptions) (*Writer, error) {
	if opt.BDA {
		opt.Lists = Lists{} // their drop-downs would need the Lists tab
	}
	w := &Writer{path: path, opt: opt, tabs: make(map[string]bool), spools: make(map[string]*rowSpool)}
	if !opt.Replace {
		// Reserve the name now, so a long export never finds it taken at
		// the end; Close replaces the placeholder atomically.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			if errors.Is(err, os.ErrExist) {
				return nil, fmt.Errorf("%s already exists; secmgr does not overwrite it (choose another name, or use --force to replace it)", path)
			}
			return nil, fmt.Errorf("cannot create %s: %s", path, oserr.Reason(err))
		}
		f.Close()
		w.reserved = true
	} else {
		if st, err := os.Stat(path); err == nil && st.IsDir() {
			return nil, fmt.Errorf("cannot create %s: it is a folder", path)
		}
		if st, err := os.Stat(filepath.Dir(path)); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("cannot create %s: the folder %s does not exist", path, filepath.Dir(path))
		}
	}
	w.file = excelize.NewFile()
	styles, err := newHeaderStyles(w.file)
	if err != nil {
		w.Abort()
		return nil, fmt.Errorf("cannot create %s: %w", path, err)
	}
	w.styles = styles
	if opt.Base != nil {
		if err := SetBase(w.file, *opt.Base); err != nil {
			w.Abort()
			return nil, fmt.Errorf("cannot create %s: %w", path, err)
		}
	}
	return w, nil
}

// StartTab ends the current tab, if any, and starts a sheet named
// tab.Name holding the header row: tab.Columns in order, styled, frozen,
// with a note on each header and a drop-down on each column that has one.
func (w *Writer) StartTab(tab *artifacts.Tab) error {
	if err := w.usable(); err != nil {
		return err
	}
	var cols []int
	for i := range tab.Columns {
		if !w.opt.BDA || tab.InGuide(i) {
			cols = append(cols, i)
		}
	}
	columns := make([]sheetColumn, len(cols))
	for i, ci := range cols {
		c := &tab.Columns[ci]
		r, ok := w.ruleFor(tab, c)
		columns[i] = sheetColumn{name: c.Name, width: columnWidth(c), head: w.styles.of(c),
			numeric: c.Kind == artifacts.KindWhole || c.Kind == artifacts.KindNumGridRows,
			rule:    r, hasRule: ok, note: headerNote(tab, c, r, ok)}
	}
	if err := w.startSheet(tab.Name, columns, true, NoteAuthor); err != nil {
		return err
	}
	w.tab, w.cols, w.values = tab, cols, len(tab.Columns)
	return nil
}

// sheetColumn is one written column of the current sheet, whether of a
// security tab or of a Layout: both are styled by the same code.
type sheetColumn struct {
	name    string
	width   float64 // in characters
	head    int     // the header's style
	cells   int     // the column's style, for cells a person fills in; 0 for none
	numeric bool    // whole numbers are written as number cells
	rule    rule    // the drop-down or number rule, when hasRule
	hasRule bool
	note    string // the header note; none when empty
}

// startSheet ends the current sheet, if any, and starts sheet name with
// its header row: columns styled and frozen, each with its width, note and
// data validation; printable on one page wide when print.
func (w *Writer) startSheet(name string, columns []sheetColumn, print bool, author string) error {
	if err := w.endTab(); err != nil {
		return err
	}
	if err := w.newSheet(name); err != nil {
		return err
	}
	if print {
		if err := w.setPrinting(name); err != nil {
			return w.fail(fmt.Errorf("tab %s: %w", name, err))
		}
	}
	sw, err := w.file.NewStreamWriter(name)
	if err != nil {
		return w.fail(fmt.Errorf("tab %s: %w", name, err))
	}
	spool, err := newRowSpool(filepath.Dir(w.path))
	if err != nil {
		return w.fail(fmt.Errorf("tab %s: %s", name, oserr.Reason(err)))
	}
	spool.maxCol = len(columns) // the header row spans them all: the sheet's dimension covers it
	w.spools[name] = spool
	w.sheet, w.stream, w.spool, w.row = name, sw, spool, 1
	w.tab, w.columns = nil, columns
	w.cols = w.cols[:0]
	w.numeric = w.numeric[:0]
	w.cells = w.cells[:0]
	for i, c := range columns {
		w.cols = append(w.cols, i)
		w.numeric = append(w.numeric, c.numeric)
		w.cells = append(w.cells, excelize.Cell{StyleID: c.head, Value: c.name})
	}
	w.values = len(columns)
	// Last to first: excelize puts each new <col> in front, and Excel
	// wants them in ascending order.
	for i := len(columns) - 1; i >= 0; i-- {
		if err := sw.SetColWidth(i+1, i+1, columns[i].width); err != nil {
			return w.fail(fmt.Errorf("tab %s: %w", name, err))
		}
	}
	for i, c := range columns {
		if c.cells != 0 {
			if err := sw.SetColStyle(i+1, i+1, c.cells); err != nil {
				return w.fail(fmt.Errorf("tab %s: %w", name, err))
			}
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return w.fail(fmt.Errorf("tab %s: %w", name, err))
	}
	// Validations and notes go to the sheet's settings, which the stream
	// writes when the tab is flushed.
	for i, c := range columns {
		if c.hasRule {
			if err := w.addValidation(i+1, c.rule); err != nil {
				return w.fail(fmt.Errorf("tab %s column %s: %w", name, c.name, err))
			}
		}
		if c.note != "" {
			if err := w.addHeaderNote(i+1, c.name, c.note, author); err != nil {
				return w.fail(fmt.Errorf("tab %s column %s: %w", name, c.name, err))
			}
		}
	}
	if err := sw.SetRow("A1", w.cells, excelize.RowOpts{Height: 20}); err != nil {
		return w.fail(fmt.Errorf("tab %s: %w", name, err))
	}
	return nil
}

// newSheet adds sheet name. The first renames excelize's default sheet,
// so that the first tab written is the first sheet and no empty Sheet1
// is left behind.
func (w *Writer) newSheet(name string) error {
	if w.tabs[artifacts.Fold(name)] {
		return w.fail(fmt.Errorf("the %s tab is written twice", name))
	}
	if artifacts.Fold(name) == artifacts.Fold(ListsSheet) {
		return w.fail(fmt.Errorf("%s is the name of the tab of drop-down lists; name the tab otherwise", name))
	}
	var err error
	if len(w.tabs) == 0 {
		err = w.file.SetSheetName(w.file.GetSheetName(0), name)
	} else {
		_, err = w.file.NewSheet(name)
	}
	if err != nil {
		return w.fail(fmt.Errorf("tab %s: %w", name, err))
	}
	w.tabs[artifacts.Fold(name)] = true
	return nil
}

// WriteRow writes one data row of the current tab: one value per tab
// (or Layout) column, in column order. Names and free text are written as text cells,
// never as formulas (even "=1+1"); whole-number columns as numbers;
// booleans as the text True/False; an empty value leaves the cell empty.
func (w *Writer) WriteRow(values []string) error {
	if err := w.usable(); err != nil {
		return err
	}
	if w.stream == nil {
		return w.fail(errors.New("WriteRow before StartTab or StartLayout"))
	}
	if len(values) != w.values {
		return w.fail(fmt.Errorf("tab %s: %d values for %d columns", w.sheet, len(values), w.values))
	}
	if w.row >= maxSheetRows {
		advice := ""
		if w.tab != nil {
			advice = "; export fewer rows (use filters or --areas)"
		}
		return w.fail(fmt.Errorf("the %s tab has more than %d rows, the most a worksheet can hold%s", w.sheet, MaxDataRows, advice))
	}
	w.row++
	if len(w.cols) != len(values) {
		for i, v := range values {
			if v != "" && !slices.Contains(w.cols, i) {
				return w.fail(fmt.Errorf("tab %s row %d: a value for %s, a column BDA Security Manager's guide does not have", w.tab.Name, w.row, w.tab.Columns[i].Name))
			}
		}
		w.projected = w.projected[:0]
		for _, ci := range w.cols {
			w.projected = append(w.projected, values[ci])
		}
		values = w.projected
	}
	w.numericRow = w.numericRow[:0]
	for i, v := range values {
		if len(v) > maxCellChars && utf16Len(v) > maxCellChars {
			// A spreadsheet would cut the text silently.
			return w.fail(fmt.Errorf("tab %s row %d: the %s value is %d characters long; a cell holds at most %d",
				w.sheet, w.row, w.columns[i].name, utf16Len(v), maxCellChars))
		}
		// A whole-number column holding something else keeps it, as text.
		w.numericRow = append(w.numericRow, w.numeric[i] && v != "" && isWholeNumber(v))
	}
	if err := w.spool.writeRow(values, w.numericRow); err != nil {
		return w.fail(fmt.Errorf("tab %s row %d: %s", w.sheet, w.row, oserr.Reason(err)))
	}
	return nil
}

// isWholeNumber reports whether v is written as a number cell.
func isWholeNumber(v string) bool {
	_, err := strconv.ParseInt(v, 10, 64)
	return err == nil
}

// Close ends the last tab and writes the workbook: to a temporary file
// beside path, flushed and renamed over it. On error nothing is left at
// path (or, with force, the file that was there is untouched).
func (w *Writer) Close() error {
	if w.done {
		return w.err
	}
	if w.err != nil {
		w.Abort()
		return w.err
	}
	if err := w.endTab(); err != nil {
		w.Abort()
		return err
	}
	if err := w.writeLists(); err != nil {
		w.Abort()
		return err
	}
	for _, sw := range w.ended {
		if err := sw.Flush(); err != nil {
			w.Abort()
			return w.fail(fmt.Errorf("tab %s: %w", sw.Sheet, err))
		}
	}
	// excelize writes the workbook with header-only sheets to a template
	// beside path; the rows are spliced in on the way to path.
	// The first tab is excelize's renamed default sheet, active already.
	// (SetActiveSheet would parse every written sheet back into memory.)
	err := w.writeTemplateAndSplice()
	if err != nil {
		w.err = err
		w.Abort()
		return err
	}
	w.done = true
	w.file.Close()
	w.closeSpools()
	return nil
}

func (w *Writer) closeSpools() {
	for _, s := range w.spools {
		s.close()
	}
}

// writeTemplateAndSplice writes excelize's workbook to a temporary
// template and from it, with every tab's rows, the file at path.
func (w *Writer) writeTemplateAndSplice() error {
	tmp, err := os.CreateTemp(filepath.Dir(w.path), ".secmgr-template-*.xlsx")
	if err != nil {
		return fmt.Errorf("cannot write %s: %s", w.path, oserr.Reason(err))
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("cannot write %s: %w", w.path, err)
	}
	// Write the zip straight to the file: excelize would otherwise build
	// the whole archive in memory first.
	w.file.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		zw := zip.NewWriter(tmp)
		zw.RegisterCompressor(zip.Deflate, newDeflater)
		return zw
	})
	if err := w.file.Write(io.Discard); err != nil {
		return fmt.Errorf("cannot write %s: %w", w.path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", w.path, err)
	}
	// Map sheet names to their parts as the template names them.
	parts := map[string]*rowSpool{}
	xr, err := xlsxread.Open(tmp.Name(), xlsxread.Limits{})
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", w.path, err)
	}
	for _, sh := range xr.Sheets() {
		if s, ok := w.spools[sh.Name]; ok {
			parts[sh.Part] = s
		}
	}
	xr.Close()
	if len(parts) != len(w.spools) {
		return fmt.Errorf("cannot write %s: %d of %d tabs found in the workbook excelize wrote", w.path, len(parts), len(w.spools))
	}
	return artifacts.WriteFileAtomic(w.path, func(out io.Writer) error {
		return splice(tmp.Name(), out, parts)
	})
}

// Abort discards the workbook: nothing is written, and the placeholder
// Create reserved is removed. It is safe to call after Close.
func (w *Writer) Abort() {
	if w.done {
		return
	}
	w.done = true
	if w.err == nil {
		w.err = errors.New("the workbook was aborted")
	}
	if w.file != nil {
		w.file.Close()
	}
	w.closeSpools()
	if w.reserved {
		os.Remove(w.path)
	}
}

// endTab ends the current tab: its filter covers the header and the rows
// written. Its stream is flushed by Close, after the Lists tab is hidden:
// hiding a tab reads the settings of every tab, and a flushed tab's
// settings are read back by parsing the whole tab.
func (w *Writer) endTab() error {
	if w.stream == nil {
		return nil
	}
	ref := "A1:" + columnName(len(w.cols)) + strconv.Itoa(w.row)
	if err := w.file.AutoFilter(w.sheet, ref, nil); err != nil {
		return w.fail(fmt.Errorf("tab %s: %w", w.sheet, err))
	}
	w.ended = append(w.ended, w.stream)
	w.stream = nil
	return nil
}

func (w *Writer) usable() error {
	if w.done {
		if w.err != nil {
			return w.err
		}
		return errors.New("the workbook is already closed")
	}
	return w.err
}

func (w *Writer) fail(err error) error {
	if w.err == nil {
		w.err = fmt.Errorf("cannot write %s: %w", w.path, err)
	}
	return w.err
}

// deflaters reuses compressors across the parts of a workbook: each
// costs about a megabyte to make, and a workbook has dozens of parts.
var deflaters sync.Pool

// deflater is a pooled compressor; Close returns it to the pool.
type deflater struct{ *flate.Writer }

func (d deflater) Close() error {
	err := d.Writer.Close()
	deflaters.Put(d.Writer)
	return err
}

func newDeflater(w io.Writer) (io.WriteCloser, error) {
	if fw, ok := deflaters.Get().(*flate.Writer); ok {
		fw.Reset(w)
		return deflater{fw}, nil
	}
	fw, err := flate.NewWriter(w, flate.BestSpeed)
	if err != nil {
		return nil, err
	}
	return deflater{fw}, nil
}
