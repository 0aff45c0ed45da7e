package workbook

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// sheetFx describes one sheet of a test workbook written with excelize.
type sheetFx struct {
	name   string
	rows   [][]any  // rows[i] is spreadsheet row i+1; a nil row is left out
	merge  []string // ranges such as "B5:C5"
	hidden bool
}

// book writes a workbook with excelize's StreamWriter into t.TempDir().
// Values are written as given: strings as text, bool as boolean cells,
// float64/int as numbers, excelize.Cell for formulas with a cached value.
func book(t testing.TB, sheets ...sheetFx) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "book.xlsx")
	writeBook(t, path, sheets...)
	return path
}

func writeBook(t testing.TB, path string, sheets ...sheetFx) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		var err error
		if i == 0 {
			err = f.SetSheetName("Sheet1", s.name)
		} else {
			_, err = f.NewSheet(s.name)
		}
		if err != nil {
			t.Fatal(err)
		}
		sw, err := f.NewStreamWriter(s.name)
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			if row == nil {
				continue
			}
			if err := sw.SetRow(fmt.Sprintf("A%d", r+1), row); err != nil {
				t.Fatal(err)
			}
		}
		for _, m := range s.merge {
			a, b, _ := strings.Cut(m, ":")
			if err := sw.MergeCell(a, b); err != nil {
				t.Fatal(err)
			}
		}
		if err := sw.Flush(); err != nil {
			t.Fatal(err)
		}
		if s.hidden {
			if err := f.SetSheetVisible(s.name, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// row builds a row from values, for brevity in tables.
func row(v ...any) []any { return v }

// rawBook writes a minimal workbook by hand: one sheet whose
// <sheetData> content is given as XML, for cell forms excelize does not
// write (a number written "3.0", say).
func rawBook(t testing.TB, sheet, sheetData string) string {
	t.Helper()
	return writeRaw(t, rawBookBytes(sheet, sheetData, ""))
}

func rawBookBytes(sheet, sheetData, afterData string) []byte {
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<sheets><sheet name="` + sheet + `" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
		{"xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
			`<sheetData>` + sheetData + `</sheetData>` + afterData + `</worksheet>`},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			panic(err)
		}
		w.Write([]byte(p.body))
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

func writeRaw(t testing.TB, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "raw.xlsx")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// readAll opens path and reads every sheet, copying the rows.
func readAll(t testing.TB, path string, opt Options) (*Workbook, map[string][]Row) {
	t.Helper()
	wb, err := Open(path, opt)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { wb.Close() })
	rows := make(map[string][]Row)
	for _, s := range wb.Sheets {
		err := wb.Read(s, func(r *Row) error {
			rows[s.Tab.Name] = append(rows[s.Tab.Name], Row{Number: r.Number, Values: append([]string(nil), r.Values...)})
			return nil
		})
		if err != nil {
			t.Fatalf("Read %s: %v", s.Name, err)
		}
	}
	return wb, rows
}
