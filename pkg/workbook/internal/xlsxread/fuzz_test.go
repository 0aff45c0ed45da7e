package xlsxread

import (
	"archive/zip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var fuzzLimits = Limits{MaxUncompressedBytes: 8 << 20, MaxRows: 10000, MaxCellChars: 1000, MaxSharedStrings: 10000}

// fuzzRead opens path and reads every sheet to the end. Any error is
// fine; it must be an *Error (or the usage errors of a closed reader),
// and there must be no panic.
func fuzzRead(t *testing.T, path string) {
	// A hang is a failure too: crash the worker so the fuzzer keeps the
	// input.
	watchdog := time.AfterFunc(20*time.Second, func() { panic("xlsxread: reading took over 20s: " + path) })
	defer watchdog.Stop()
	w, err := Open(path, fuzzLimits)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("Open error %T %v is not an *Error", err, err)
		}
		_ = err.Error()
		return
	}
	defer w.Close()
	for i, info := range w.Sheets() {
		_ = info.Name
		sr, err := w.OpenSheet(i)
		if err != nil {
			_ = err.Error()
			continue
		}
		prev := 0
		for {
			row, cells, err := sr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("Next error %T %v is not an *Error", err, err)
				}
				_ = err.Error()
				break
			}
			if row <= prev {
				t.Fatalf("row %d after row %d", row, prev)
			}
			prev = row
			last := 0
			for _, c := range cells {
				if c.Col <= last || c.Col > DefaultMaxColumns {
					t.Fatalf("row %d: column %d after %d", row, c.Col, last)
				}
				last = c.Col
			}
		}
		_ = sr.MergedRanges()
		sr.Close()
	}
}

func fuzzSeedWorkbooks(t testing.TB) [][]byte {
	a := oneSheet(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>x&amp;y_x000D_</t></is></c><c r="C1"><v>3.0</v></c></row>`+
		`<row><c t="b"><f>TRUE()</f><v>1</v></c><c r="C2" t="str"><v>s</v></c></row>`, `<r><t>a</t></r><r><t xml:space="preserve"> b</t></r>`, `<t>c</t>`)
	a.sheets[0].body += `<mergeCells><mergeCell ref="A1:B1"/></mergeCells>`
	a.sheets = append(a.sheets, fixSheet{name: "H", state: "hidden", body: `<sheetData><row r="2"><c r="B2"><v>1E+2</v></c></row></sheetData>`})
	b := a
	b.method = zip.Deflate
	b.absolute = true
	return [][]byte{a.bytes(t), b.bytes(t), oneSheet(`<row/>`).bytes(t)}
}

// FuzzOpenAndRead writes the input to a file, opens it as a workbook and
// reads every sheet to the end: it must never panic. It is seeded with
// tiny valid workbooks, stored uncompressed so that mutations reach the
// XML.
func FuzzOpenAndRead(f *testing.F) {
	for _, seed := range fuzzSeedWorkbooks(f) {
		f.Add(seed)
	}
	f.Add([]byte{})
	f.Add([]byte("a,b\n1,2\n"))
	f.Add(append(append([]byte{}, oleMagic...), make([]byte, 600)...))
	// One file per worker process, rewritten for each input: a temporary
	// directory per input would cost more than reading the workbook.
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "f.xlsx")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		fuzzRead(t, path)
	})
}

// FuzzSheetXML puts the input into a valid archive as a sheet's XML and
// as the shared strings, to reach the XML scanner directly.
func FuzzSheetXML(f *testing.F) {
	f.Add([]byte(`<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><r><t>a</t></r><rPh><t>b</t></rPh></is></c></row><row><c><f>1</f><v>1.50</v></c></row></sheetData><mergeCells><mergeCell ref="A1:B2"/></mergeCells></worksheet>`),
		[]byte(`<sst><si><t xml:space="preserve"> x_x000D_&amp;</t></si><si><r><t>y</t></r></si></sst>`))
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "b">]><worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&a;<![CDATA[x]]><!--c--></t></is></c></row></sheetData></worksheet>`),
		[]byte(`<?xml version="1.0"?><sst><si><t>a&#x41;&#66;</t></si></sst>`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, sheet, sst []byte) {
		fx := oneSheet("", "<t>x</t>")
		es := fx.entries()
		for i := range es {
			switch es[i].name {
			case "xl/worksheets/sheet1.xml":
				es[i].body = string(sheet)
			case "xl/sharedStrings.xml":
				es[i].body = string(sst)
			}
		}
		path := filepath.Join(dir, "f.xlsx")
		if err := os.WriteFile(path, zipBytes(t, es), 0o600); err != nil {
			t.Fatal(err)
		}
		fuzzRead(t, path)
	})
}
