package workbook

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"secmgr/pkg/workbook/internal/xlsxread"
)

// The data rows of an export are its bulk. excelize builds everything
// around them — styles, the frozen header, notes, drop-downs, the Lists
// tab — into a workbook whose sheets hold only their header rows; the rows
// themselves are encoded here straight into sheet XML in a temporary file
// and spliced into that workbook's sheets when it is written. This keeps
// the hot path a plain byte encoder with flat memory, within a small
// factor of deflating the XML itself.

// rowSpool holds the encoded <row> elements of one sheet.
type rowSpool struct {
	file    *os.File
	buf     *bufio.Writer
	rows    int // last row number written
	maxCol  int
	scratch []byte
}

func newRowSpool(dir string) (*rowSpool, error) {
	f, err := os.CreateTemp(dir, ".secmgr-rows-*")
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name()) // gone when closed, whatever happens
	return &rowSpool{file: f, buf: bufio.NewWriterSize(f, 1<<16), rows: 1}, nil
}

// writeRow appends one data row; numeric[i] says cell i is a number.
func (s *rowSpool) writeRow(values []string, numeric []bool) error {
	s.rows++
	b := s.scratch[:0]
	b = append(b, `<row r="`...)
	b = strconv.AppendInt(b, int64(s.rows), 10)
	b = append(b, `">`...)
	for i, v := range values {
		if v == "" {
			continue
		}
		s.maxCol = max(s.maxCol, i+1)
		b = append(b, `<c r="`...)
		b = append(b, xlsxread.ColumnName(i+1)...)
		b = strconv.AppendInt(b, int64(s.rows), 10)
		if numeric != nil && numeric[i] {
			b = append(b, `"><v>`...)
			b = append(b, v...)
			b = append(b, `</v></c>`...)
			continue
		}
		if needsPreserve(v) {
			b = append(b, `" t="inlineStr"><is><t xml:space="preserve">`...)
		} else {
			b = append(b, `" t="inlineStr"><is><t>`...)
		}
		b = appendCellText(b, v)
		b = append(b, `</t></is></c>`...)
	}
	b = append(b, `</row>`...)
	s.scratch = b
	_, err := s.buf.Write(b)
	return err
}

func needsPreserve(v string) bool {
	return v != strings.TrimSpace(v) || strings.ContainsAny(v, "\n\t\r")
}

// appendCellText escapes text for a sheet XML <t> element: the XML
// specials, and, as OOXML does, characters XML cannot hold (and a literal
// "_xHHHH_" that would otherwise read as an escape) as _xHHHH_.
func appendCellText(b []byte, v string) []byte {
	for i := 0; i < len(v); {
		c := v[i]
		switch {
		case c == '&':
			b = append(b, "&amp;"...)
		case c == '<':
			b = append(b, "&lt;"...)
		case c == '>':
			b = append(b, "&gt;"...)
		case c == '_' && isOOXMLEscape(v[i:]):
			b = append(b, "_x005F_"...)
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r':
			b = fmt.Appendf(b, "_x%04X_", c)
		case c == '\r':
			b = append(b, "&#13;"...) // XML would turn a bare CR into LF
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(v[i:])
			if r == utf8.RuneError && size == 1 || r == 0xFFFE || r == 0xFFFF {
				b = append(b, "\uFFFD"...)
			} else {
				b = append(b, v[i:i+size]...)
			}
			i += size
			continue
		default:
			b = append(b, c)
		}
		i++
	}
	return b
}

// isOOXMLEscape reports whether s starts with _xHHHH_.
func isOOXMLEscape(s string) bool {
	if len(s) < 7 || s[1] != 'x' || s[6] != '_' {
		return false
	}
	for _, c := range []byte(s[2:6]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func (s *rowSpool) close() {
	if s.file != nil {
		s.file.Close()
		s.file = nil
	}
}

// splice copies the workbook template to out, inserting each spool's rows
// into its sheet (keyed by part name, such as "xl/worksheets/sheet1.xml")
// after the header row, and setting the sheet's dimension to what it now
// holds. Other parts are copied without recompressing.
func splice(template string, out io.Writer, spools map[string]*rowSpool) error {
	zr, err := zip.OpenReader(template)
	if err != nil {
		return err
	}
	defer zr.Close()
	zw := zip.NewWriter(out)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	// Parts in a fixed order ([Content_Types].xml first, then by name):
	// excelize's order varies from run to run, and the same workbook must
	// give the same bytes (a plan's fingerprint of its source relies on it).
	files := slices.Clone(zr.File)
	slices.SortFunc(files, func(a, b *zip.File) int {
		ac, bc := a.Name == "[Content_Types].xml", b.Name == "[Content_Types].xml"
		switch {
		case ac && !bc:
			return -1
		case bc && !ac:
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	for _, f := range files {
		spool, ok := spools[f.Name]
		if !ok {
			if err := copyRaw(zw, f, f.Name); err != nil {
				return err
			}
			continue
		}
		if err := spliceSheet(zw, f, spool); err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
	}
	return zw.Close()
}

// copyRaw copies the zip entry f to zw as name, without recompressing it.
func copyRaw(zw *zip.Writer, f *zip.File, name string) error {
	r, err := f.OpenRaw()
	if err != nil {
		return err
	}
	h := f.FileHeader
	h.Name = name
	w, err := zw.CreateRaw(&h)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	return err
}

func spliceSheet(zw *zip.Writer, f *zip.File, spool *rowSpool) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	head, err := io.ReadAll(io.LimitReader(rc, 64<<20)) // a header-only sheet: small
	rc.Close()
	if err != nil {
		return err
	}
	var before, after []byte
	if i := bytes.Index(head, []byte("</sheetData>")); i >= 0 {
		before, after = head[:i], head[i:]
	} else if i := bytes.Index(head, []byte("<sheetData/>")); i >= 0 {
		before = append(append([]byte{}, head[:i]...), "<sheetData>"...)
		after = append([]byte("</sheetData>"), head[i+len("<sheetData/>"):]...)
	} else {
		return fmt.Errorf("no sheetData element")
	}
	before = setDimension(before, spool)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: f.Modified})
	if err != nil {
		return err
	}
	if _, err := w.Write(before); err != nil {
		return err
	}
	if err := spool.buf.Flush(); err != nil {
		return err
	}
	if _, err := spool.file.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if _, err := io.Copy(w, spool.file); err != nil {
		return err
	}
	_, err = w.Write(after)
	return err
}

// setDimension replaces the sheet's <dimension ref="…"/> (excelize's
// stream writer leaves "A1") with the range the sheet really holds, which
// readers such as openpyxl's read-only mode rely on.
func setDimension(xml []byte, spool *rowSpool) []byte {
	i := bytes.Index(xml, []byte("<dimension "))
	if i < 0 {
		// None yet: it goes before the first of these (schema order).
		for _, tag := range []string{"<sheetViews", "<sheetFormatPr", "<cols", "<sheetData"} {
			if k := bytes.Index(xml, []byte(tag)); k >= 0 {
				dim := fmt.Sprintf(`<dimension ref="A1:%s"/>`, xlsxread.CellRef(max(spool.maxCol, 1), spool.rows))
				out := append([]byte{}, xml[:k]...)
				out = append(out, dim...)
				return append(out, xml[k:]...)
			}
		}
		return xml
	}
	// Replace the value of its ref attribute. The header row spans every
	// column of the tab, so take the wider of the old ref's last column and
	// the data's.
	k := bytes.Index(xml[i:], []byte(`ref="`))
	if k < 0 {
		return xml
	}
	k += i + len(`ref="`)
	e := bytes.IndexByte(xml[k:], '"')
	if e < 0 {
		return xml
	}
	old := string(xml[k : k+e])
	cols := spool.maxCol
	last := old
	if _, l, ok := strings.Cut(old, ":"); ok {
		last = l
	}
	if c, _, err := xlsxread.ParseCellRef(last); err == nil {
		cols = max(cols, c)
	}
	out := append([]byte{}, xml[:k]...)
	out = append(out, "A1:"+xlsxread.CellRef(max(cols, 1), spool.rows)...)
	return append(out, xml[k+e:]...)
}
