package xlsxread

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

const benchRows = 200_000

// writeBenchWorkbook writes a workbook of three sheets of benchRows rows
// by 4 columns: shared strings, inline strings and numbers.
func writeBenchWorkbook(tb testing.TB, dir string) string {
	tb.Helper()
	path := filepath.Join(dir, "bench.xlsx")
	out, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	f := fixture{sheets: []fixSheet{{name: "shared"}, {name: "inline"}, {name: "numbers"}}, sst: []string{}}
	for _, e := range f.entries() {
		if e.name == "xl/sharedStrings.xml" || filepath.Dir(e.name) == "xl/worksheets" {
			continue
		}
		w, _ := zw.Create(e.name)
		io.WriteString(w, e.body)
	}
	create := func(name string) *bufio.Writer {
		w, err := zw.Create(name)
		if err != nil {
			tb.Fatal(err)
		}
		return bufio.NewWriterSize(w, 1<<16)
	}
	// Shared strings: user names unique per row, a few repeated groups
	// and roles, and a description.
	const nShared = benchRows + 100
	w := create("xl/sharedStrings.xml")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+`<sst %s count="%d" uniqueCount="%d">`, nsMain, 4*benchRows, nShared)
	for i := range benchRows {
		fmt.Fprintf(w, "<si><t>user%06d@example.com</t></si>", i)
	}
	for i := range 100 {
		fmt.Fprintf(w, "<si><t>Group %d &amp; friends</t></si>", i)
	}
	w.WriteString("</sst>")
	w.Flush()

	head := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" + `<worksheet ` + nsMain + ` ` + nsRel + `><dimension ref="A1:D200000"/><sheetData>`
	tail := `</sheetData><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>`
	w = create("xl/worksheets/sheet1.xml")
	w.WriteString(head)
	for i := range benchRows {
		r := i + 1
		fmt.Fprintf(w, `<row r="%d" spans="1:4"><c r="A%d" t="s"><v>%d</v></c><c r="B%d" t="s"><v>%d</v></c><c r="C%d" t="s"><v>%d</v></c><c r="D%d" t="s"><v>%d</v></c></row>`,
			r, r, i, r, benchRows+i%100, r, benchRows+(i/7)%100, r, benchRows+(i/13)%100)
	}
	w.WriteString(tail)
	w.Flush()

	w = create("xl/worksheets/sheet2.xml")
	w.WriteString(head)
	for i := range benchRows {
		r := i + 1
		fmt.Fprintf(w, `<row r="%d" spans="1:4"><c r="A%d" t="inlineStr"><is><t>user%06d@example.com</t></is></c><c r="B%d" t="inlineStr"><is><t>Group %d</t></is></c><c r="C%d" t="inlineStr"><is><t>Role &amp; %d</t></is></c><c r="D%d" t="inlineStr"><is><t xml:space="preserve">Read, write </t></is></c></row>`,
			r, r, i, r, i%100, r, i%7, r)
	}
	w.WriteString(tail)
	w.Flush()

	w = create("xl/worksheets/sheet3.xml")
	w.WriteString(head)
	for i := range benchRows {
		r := i + 1
		fmt.Fprintf(w, `<row r="%d" spans="1:4"><c r="A%d"><v>%d</v></c><c r="B%d" s="1"><v>%d.25</v></c><c r="C%d"><v>4.5E+%d</v></c><c r="D%d" t="b"><v>%d</v></c></row>`,
			r, r, i, r, i*3, r, i%10, r, i%2)
	}
	w.WriteString(tail)
	w.Flush()
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// partSize returns the uncompressed size of a zip entry.
func partSize(tb testing.TB, path, name string) int64 {
	zr, err := zip.OpenReader(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == name {
			return int64(f.UncompressedSize64)
		}
	}
	tb.Fatalf("no %s", name)
	return 0
}

// BenchmarkReadSheet reads 200k-row sheets of 4 columns and compares
// with the floor (inflating the sheet XML) and with encoding/xml merely
// tokenising it. MB/s are of uncompressed sheet XML.
func BenchmarkReadSheet(b *testing.B) {
	path := writeBenchWorkbook(b, b.TempDir())
	sheets := []string{"shared", "inline", "numbers"}
	for i, name := range sheets {
		part := fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1)
		size := partSize(b, path, part)
		b.Run("xlsxread/"+name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			w, err := Open(path, Limits{MaxUncompressedBytes: 1 << 50})
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			b.ResetTimer()
			for b.Loop() {
				sr, err := w.OpenSheet(i)
				if err != nil {
					b.Fatal(err)
				}
				rows := 0
				for {
					_, _, err := sr.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					rows++
				}
				sr.Close()
				if rows != benchRows {
					b.Fatalf("%d rows", rows)
				}
			}
		})
		if name == "inline" {
			continue
		}
		b.Run("inflate-only/"+name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			benchPart(b, path, part, func(r io.Reader) {
				io.Copy(io.Discard, r)
			})
		})
		b.Run("encoding-xml-RawToken/"+name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			benchPart(b, path, part, func(r io.Reader) {
				d := xml.NewDecoder(r)
				for {
					if _, err := d.RawToken(); err != nil {
						break
					}
				}
			})
		})
		b.Run("encoding-xml-Token/"+name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			benchPart(b, path, part, func(r io.Reader) {
				d := xml.NewDecoder(r)
				for {
					if _, err := d.Token(); err != nil {
						break
					}
				}
			})
		})
	}
}

func benchPart(b *testing.B, path, part string, fn func(io.Reader)) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		b.Fatal(err)
	}
	defer zr.Close()
	var f *zip.File
	for _, zf := range zr.File {
		if zf.Name == part {
			f = zf
		}
	}
	b.ResetTimer()
	for b.Loop() {
		rc, err := f.Open()
		if err != nil {
			b.Fatal(err)
		}
		fn(rc)
		rc.Close()
	}
}

// BenchmarkOpen measures Open, which reads the 200k-entry shared string
// table.
func BenchmarkOpen(b *testing.B) {
	path := writeBenchWorkbook(b, b.TempDir())
	b.ReportAllocs()
	for b.Loop() {
		w, err := Open(path, Limits{})
		if err != nil {
			b.Fatal(err)
		}
		w.Close()
	}
}

// TestMemoryFlat reads a 200k-row sheet and checks that the heap does
// not grow with the rows.
func TestMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	path := writeBenchWorkbook(t, t.TempDir())
	w, err := Open(path, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for i := range w.Sheets() {
		sr, err := w.OpenSheet(i)
		if err != nil {
			t.Fatal(err)
		}
		rows := 0
		var keep []Cell
		var heapAt1k uint64
		for {
			_, cells, err := sr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			rows++
			if rows == 1 {
				keep = append(keep, cells...)
			}
			if rows == 1000 || rows == benchRows-1000 {
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				if rows == 1000 {
					heapAt1k = ms.HeapAlloc
				} else if grown := int64(ms.HeapAlloc) - int64(heapAt1k); grown > 1<<20 {
					t.Errorf("sheet %d: heap grew by %d bytes over %d rows", i, grown, benchRows-2000)
				} else {
					t.Logf("sheet %d: heap grew by %d bytes over %d rows", i, grown, benchRows-2000)
				}
			}
		}
		if rows != benchRows || len(sr.MergedRanges()) != 1 || len(keep) != 4 {
			t.Fatalf("sheet %d: %d rows, merged %v, first row %v", i, rows, sr.MergedRanges(), keep)
		}
		if i == 2 && (keep[0].Value != "0" || keep[1].Value != "0.25" || keep[2].Value != "4.5" || keep[3].Value != "FALSE") {
			t.Errorf("numbers row 1 = %+v", keep)
		}
		sr.Close()
	}
}

// BenchmarkScanOnly runs the sheet reader over already inflated XML, to
// measure the scanner alone.
func BenchmarkScanOnly(b *testing.B) {
	path := writeBenchWorkbook(b, b.TempDir())
	w, err := Open(path, Limits{})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	zr, err := zip.OpenReader(path)
	if err != nil {
		b.Fatal(err)
	}
	defer zr.Close()
	for i, name := range []string{"shared", "inline", "numbers"} {
		part := fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1)
		var data []byte
		for _, f := range zr.File {
			if f.Name == part {
				rc, _ := f.Open()
				data, _ = io.ReadAll(rc)
				rc.Close()
			}
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				sr := &SheetReader{wb: w, name: name, part: part, sc: newScanner(bytes.NewReader(data), part, -1)}
				rows := 0
				for {
					_, _, err := sr.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					rows++
				}
				if rows != benchRows {
					b.Fatalf("%d rows", rows)
				}
			}
		})
	}
}
