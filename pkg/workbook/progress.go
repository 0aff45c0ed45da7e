package workbook

import (
	"archive/zip"
	"io"

	"secmgr/pkg/workbook/internal/xlsxread"
)

// ReadProgress is what Options.Progress is told while a workbook is read.
type ReadProgress struct {
	// Sheet is the name of the sheet being read; Rows counts its rows
	// read so far.
	Sheet string
	Rows  int
	// Done and Total measure the whole workbook in bytes of sheet XML:
	// Done counts the sheets read to their end (each once, however often
	// it is read), Total every recognised sheet. Done only moves when a
	// sheet ends; Rows shows that reading goes on in between.
	Done, Total int64
}

// progressEvery is how many rows pass between two Progress calls.
const progressEvery = 1000

// readProgress reports reading progress to Options.Progress.
type readProgress struct {
	fn          func(ReadProgress)
	size        map[*Sheet]int64
	finished    map[*Sheet]bool
	done, total int64
}

// newReadProgress measures the recognised sheets of the workbook at path
// from its zip directory (no sheet is inflated). It returns nil when fn is
// nil.
func newReadProgress(path string, fn func(ReadProgress), sheets []*Sheet, part func(*Sheet) string) *readProgress {
	if fn == nil {
		return nil
	}
	p := &readProgress{fn: fn, size: make(map[*Sheet]int64), finished: make(map[*Sheet]bool)}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return p // sizes unknown: rows are still counted
	}
	defer zr.Close()
	sizes := make(map[string]int64, len(zr.File))
	for _, f := range zr.File {
		sizes[f.Name] = int64(f.UncompressedSize64)
	}
	for _, s := range sheets {
		n := sizes[part(s)]
		p.size[s] = n
		p.total += n
	}
	return p
}

// row is called as s is read: n rows so far.
func (p *readProgress) row(s *Sheet, n int) {
	if p != nil {
		p.fn(ReadProgress{Sheet: s.Name, Rows: n, Done: p.done, Total: p.total})
	}
}

// end is called when s has been read to its end.
func (p *readProgress) end(s *Sheet, n int) {
	if p == nil {
		return
	}
	if !p.finished[s] {
		p.finished[s] = true
		p.done += p.size[s]
	}
	p.fn(ReadProgress{Sheet: s.Name, Rows: n, Done: p.done, Total: p.total})
}

// readRows streams the rows sr reads of sheet s to fn and returns how
// many it read, telling p as it goes (but not the end: the caller may
// stop early). An error of fn is returned as is; one of reading is an
// *Error naming the file at path.
func (p *readProgress) readRows(path string, s *Sheet, sr *xlsxread.SheetReader, fn func(num int, cells []xlsxread.Cell) error) (int, error) {
	p.row(s, 0)
	rows := 0
	for {
		num, cells, err := sr.Next()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return rows, readError(path, err)
		}
		if rows++; rows%progressEvery == 0 {
			p.row(s, rows)
		}
		if err := fn(num, cells); err != nil {
			return rows, err
		}
	}
}
