package xlsxread

import (
	"archive/zip"
	"bytes"
	"secmgr/internal/textfmt"
	"slices"

	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func s(col int, v string) Cell  { return Cell{Col: col, Value: v, Type: CellString} }
func n(col int, v string) Cell  { return Cell{Col: col, Value: v, Type: CellNumber} }
func bl(col int, v string) Cell { return Cell{Col: col, Value: v, Type: CellBool} }
func fm(c Cell) Cell            { c.Formula = true; return c }

var testSST = []string{
	`<t>plain</t>`,
	`<r><rPr><b/><sz val="11"/></rPr><t>rich </t></r><r><t xml:space="preserve">text </t></r><r><rPr><i/></rPr><t>runs</t></r>`,
	`<t>漢字</t><rPh sb="0" eb="2"><t>カンジ</t></rPh><phoneticPr fontId="1"/>`,
	`<t xml:space="preserve">  spaced  out  </t>`,
	`<t>line1_x000D_&#10;line2 &amp; &lt;more&gt;</t>`,
	`<t/>`,
	`<t>_x005F_x000D_ literal</t>`,
}

func TestReadValues(t *testing.T) {
	tests := []struct {
		name string
		data string // sheetData content
		want []readRow
	}{
		{
			name: "shared strings",
			data: `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>` +
				`<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="s"><v>4</v></c><c r="C2" t="s"><v>5</v></c><c r="D2" t="s"><v>6</v></c></row>`,
			want: []readRow{
				{1, []Cell{s(1, "plain"), s(2, "rich text runs"), s(3, "漢字")}},
				{2, []Cell{s(1, "  spaced  out  "), s(2, "line1\r\nline2 & <more>"), s(3, ""), s(4, "_x000D_ literal")}},
			},
		},
		{
			name: "inline strings",
			data: `<row r="1"><c r="A1" t="inlineStr"><is><t>inline</t></is></c>` +
				`<c r="B1" t="inlineStr"><is><r><t>a</t></r><r><rPr><b/></rPr><t xml:space="preserve"> b </t></r><rPh><t>x</t></rPh></is></c>` +
				`<c r="C1" t="inlineStr"><is><t xml:space="preserve"> tab&#9;and_x000A_nl </t></is></c>` +
				`<c r="D1" t="inlineStr"><is><t/></is></c>` +
				`<c r="E1" t="inlineStr"><is><t>smile _xD83D__xDE00_ lone _xD83D_ end</t></is></c></row>`,
			want: []readRow{{1, []Cell{s(1, "inline"), s(2, "a b "), s(3, " tab\tand\nnl "), s(4, ""), s(5, "smile 😀 lone _xD83D_ end")}}},
		},
		{
			name: "formula results",
			data: `<row r="1"><c r="A1" t="str"><f>A2&amp;"x"</f><v>abc</v></c>` +
				`<c r="B1" t="b"><f>TRUE()</f><v>1</v></c>` +
				`<c r="C1" t="b"><f>FALSE()</f><v>0</v></c>` +
				`<c r="D1"><f>1+2</f><v>3</v></c>` +
				`<c r="E1" t="e"><f>1/0</f><v>#DIV/0!</v></c>` +
				`<c r="F1"><f t="shared" ref="F1:F2" si="0">D1*2</f><v>6</v></c></row>` +
				`<row r="2"><c r="F2"><f t="shared" si="0"/><v>12.0</v></c><c r="G2" t="str"><f>""</f><v></v></c><c r="H2"><f>NOW()</f></c></row>`,
			want: []readRow{
				{1, []Cell{fm(s(1, "abc")), fm(bl(2, "TRUE")), fm(bl(3, "FALSE")), fm(n(4, "3")), fm(Cell{Col: 5, Value: "#DIV/0!", Type: CellError}), fm(n(6, "6"))}},
				{2, []Cell{fm(n(6, "12")), fm(s(7, "")), fm(Cell{Col: 8})}},
			},
		},
		{
			name: "booleans and dates",
			data: `<row r="3"><c r="A3" t="b"><v>1</v></c><c r="B3" t="b"><v>0</v></c><c r="C3" t="b"><v>true</v></c><c r="D3" t="d"><v>2024-01-31T00:00:00</v></c></row>`,
			want: []readRow{{3, []Cell{bl(1, "TRUE"), bl(2, "FALSE"), bl(3, "TRUE"), {Col: 4, Value: "2024-01-31T00:00:00", Type: CellDate}}}},
		},
		{
			name: "numbers",
			data: `<row r="1"><c r="A1"><v>3.0</v></c><c r="B1" t="n"><v>1E+2</v></c><c r="C1"><v>007</v></c><c r="D1"><v>-0.50</v></c>` +
				`<c r="E1"><v>1.5E-3</v></c><c r="F1"><v>abc</v></c><c r="G1"><v>0.1</v></c><c r="H1"><v>12345678901234567890</v></c>` +
				`<c r="I1"><v>-0</v></c><c r="J1"><v>1e400</v></c><c r="K1"><v>45292.5</v></c><c r="L1"><v>+5</v></c><c r="M1"><v>0x10</v></c></row>`,
			want: []readRow{{1, []Cell{n(1, "3"), n(2, "100"), n(3, "7"), n(4, "-0.5"), n(5, "0.0015"), n(6, "abc"), n(7, "0.1"),
				n(8, "12345678901234567000"), n(9, "-0"), n(10, "1e400"), n(11, "45292.5"), n(12, "5"), n(13, "0x10")}}},
		},
		{
			name: "sparse cells and empty cells",
			data: `<row r="2" spans="1:30"><c r="B2"><v>1</v></c><c r="E2" s="3"/><c r="AA2"><v>2</v></c></row>` +
				`<row r="5" ht="20" customHeight="1"/><row r="9"></row><row r="10"><c r="XFD10"><v>9</v></c></row>`,
			want: []readRow{
				{2, []Cell{n(2, "1"), {Col: 5}, n(27, "2")}},
				{10, []Cell{n(16384, "9")}},
			},
		},
		{
			name: "rows and cells without r",
			data: `<row><c><v>1</v></c><c><v>2</v></c></row><row/><row><c t="inlineStr"><is><t>x</t></is></c><c r="D3"><v>4</v></c><c><v>5</v></c></row>` +
				`<row r="7"><c><v>7</v></c></row><row><c><v>8</v></c></row>`,
			want: []readRow{
				{1, []Cell{n(1, "1"), n(2, "2")}},
				{3, []Cell{s(1, "x"), n(4, "4"), n(5, "5")}},
				{7, []Cell{n(1, "7")}},
				{8, []Cell{n(1, "8")}},
			},
		},
		{
			name: "row without r takes its first cell's row",
			data: `<row><c r="A4"><v>1</v></c></row><row><c r="A6"><v>2</v></c></row>`,
			want: []readRow{{4, []Cell{n(1, "1")}}, {6, []Cell{n(1, "2")}}},
		},
		{
			name: "cells out of order are sorted",
			data: `<row r="1"><c r="C1"><v>3</v></c><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row>`,
			want: []readRow{{1, []Cell{n(1, "1"), n(2, "2"), n(3, "3")}}},
		},
		{
			name: "XML oddities",
			data: `<!-- a comment --><row r="1"  ><c r='A1' t='inlineStr' ><is><t>a<!-- c -->b<![CDATA[<&>]]>c<?pi x?>d&#x41;&#66;&quot;&apos;</t></is></c>` +
				"<c r=\"B1\" t=\"inlineStr\"><is><t>crlf\r\nand\rcr</t></is></c>" +
				`<c r="C1" t="inlineStr"><is><t xml:space="preserve">` + "\n  " + `</t></is></c>` +
				`<c r="D1"><extLst><ext><x/></ext></extLst><v>1</v></c>` +
				`</row>`,
			want: []readRow{{1, []Cell{s(1, `ab<&>cdAB"'`), s(2, "crlf\nand\ncr"), s(3, "\n  "), n(4, "1")}}},
		},
		{
			name: "namespace prefixes",
			data: `<x:row r="1" xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:c r="A1" t="inlineStr"><x:is><x:t>p</x:t></x:is></x:c><x:c r="B1"><x:v>2</x:v></x:c></x:row>`,
			want: []readRow{{1, []Cell{s(1, "p"), n(2, "2")}}},
		},
		{
			name: "non-cell elements in rows",
			data: `<row r="1"><extLst><ext uri="x"><c r="Z9"><v>9</v></c></ext></extLst><c r="A1"><v>1</v></c></row>`,
			want: []readRow{{1, []Cell{n(1, "1")}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, method := range []uint16{zip.Store, zip.Deflate} {
				f := oneSheet(tc.data, testSST...)
				f.method = method
				w, err := Open(f.write(t), Limits{})
				if err != nil {
					t.Fatal(err)
				}
				got, _, err := readAll(t, w, 0)
				w.Close()
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, tc.want) {
					t.Errorf("got\n%v\nwant\n%v", got, tc.want)
				}
			}
		})
	}
}

func TestWorkbookStructure(t *testing.T) {
	merged := `<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>h</t></is></c></row></sheetData>` +
		`<mergeCells count="2"><mergeCell ref="A1:B2"/><mergeCell ref="C3:D3"/></mergeCells>` +
		`<pageMargins left="0.7"/><extLst><ext><x14:conditionalFormattings xmlns:x14="x"/></ext></extLst>`
	f := fixture{
		sheets: []fixSheet{
			{name: "Users & Groups", body: merged},
			{name: "Hidden", state: "hidden", body: `<sheetData/>`},
			{name: "Very", state: "veryHidden", body: `<sheetData><row r="2"><c r="B2"><v>5</v></c></row></sheetData>`},
			{name: "Empty", body: ``},
		},
		sst:      []string{},
		absolute: true,
	}
	check := func(t *testing.T, w *Workbook) {
		t.Helper()
		want := []SheetInfo{
			{Name: "Users & Groups", Part: "xl/worksheets/sheet1.xml"},
			{Name: "Hidden", Hidden: true, State: "hidden", Part: "xl/worksheets/sheet2.xml"},
			{Name: "Very", Hidden: true, State: "veryHidden", Part: "xl/worksheets/sheet3.xml"},
			{Name: "Empty", Part: "xl/worksheets/sheet4.xml"},
		}
		if got := w.Sheets(); !reflect.DeepEqual(got, want) {
			t.Fatalf("Sheets() = %+v, want %+v", got, want)
		}
		rows, mr, err := readAll(t, w, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || !reflect.DeepEqual(mr, []string{"A1:B2", "C3:D3"}) {
			t.Errorf("rows %v merged %v", rows, mr)
		}
		for i := 1; i < 4; i++ {
			rows, mr, err := readAll(t, w, i)
			if err != nil {
				t.Fatal(err)
			}
			if i == 2 && len(rows) != 1 || i != 2 && len(rows) != 0 || len(mr) != 0 {
				t.Errorf("sheet %d: rows %v merged %v", i, rows, mr)
			}
		}
		if _, err := w.OpenSheet(4); err == nil {
			t.Error("OpenSheet(4) succeeded")
		}
	}
	t.Run("absolute targets", func(t *testing.T) {
		w, err := Open(f.write(t), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		check(t, w)
	})
	t.Run("no root rels, backslashes and odd case", func(t *testing.T) {
		g := f
		g.absolute = false
		g.noRootRels = true
		es := g.entries()
		for i := range es {
			switch es[i].name {
			case "xl/worksheets/sheet1.xml":
				es[i].name = `xl\worksheets\Sheet1.xml`
			case "xl/workbook.xml":
				es[i].name = `XL\Workbook.xml`
			case "xl/_rels/workbook.xml.rels":
				es[i].name = `xl\_rels\Workbook.xml.rels`
			}
		}
		w, err := Open(writeFile(t, "b.xlsx", zipBytes(t, es)), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		if got := w.Sheets()[0].Part; got != `xl\worksheets\Sheet1.xml` {
			t.Errorf("part = %q", got)
		}
		rows, _, err := readAll(t, w, 0)
		if err != nil || len(rows) != 1 {
			t.Fatal(rows, err)
		}
	})
	t.Run("workbook elsewhere", func(t *testing.T) {
		es := []zipEntry{
			{name: "_rels/.rels", body: `<Relationships><Relationship Id="a" Type="` + relNS + `/officeDocument" Target="/book/main.xml"/></Relationships>`},
			{name: "book/main.xml", body: `<workbook ` + nsRel + `><workbookPr date1904="1"/><sheets><sheet name="S" sheetId="1" r:id="x"/></sheets></workbook>`},
			{name: "book/_rels/main.xml.rels", body: `<Relationships><Relationship Id="x" Type="t/worksheet" Target="../data/s.xml"/><Relationship Id="ss" Type="t/sharedStrings" Target="strings.xml"/></Relationships>`},
			{name: "book/strings.xml", body: `<sst><si><t>shared</t></si></sst>`},
			{name: "data/s.xml", body: sheetXML(`<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>`)},
		}
		w, err := Open(writeFile(t, "b.xlsx", zipBytes(t, es)), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		if !w.Date1904() {
			t.Error("Date1904 false")
		}
		rows, _, err := readAll(t, w, 0)
		if err != nil || len(rows) != 1 || rows[0].Cells[0].Value != "shared" {
			t.Fatal(rows, err)
		}
	})
	t.Run("strict OOXML and prefixes", func(t *testing.T) {
		strict := "http://purl.oclc.org/ooxml/officeDocument/relationships"
		es := []zipEntry{
			{name: "_rels/.rels", body: `<Relationships><Relationship Id="a" Type="` + strict + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
			{name: "xl/workbook.xml", body: `<x:workbook xmlns:x="http://purl.oclc.org/ooxml/spreadsheetml/main" xmlns:rel="` + strict + `"><x:sheets><x:sheet name="S" sheetId="1" rel:id="r1"/></x:sheets></x:workbook>`},
			{name: "xl/_rels/workbook.xml.rels", body: `<Relationships><Relationship Id="r1" Type="` + strict + `/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
			{name: "xl/worksheets/sheet1.xml", body: `<x:worksheet xmlns:x="x"><x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>`},
		}
		got, err := readPath(t, writeFile(t, "b.xlsx", zipBytes(t, es)), Limits{})
		if err != nil || len(got) != 1 || len(got[0]) != 1 {
			t.Fatal(got, err)
		}
	})
}

func TestOpenErrors(t *testing.T) {
	valid := oneSheet(`<row r="1"><c r="A1"><v>1</v></c></row>`).bytes(t)
	ole := func(withEncryption bool) []byte {
		b := make([]byte, 4096)
		copy(b, oleMagic)
		b[0x1E] = 9 // 512-byte sectors
		if withEncryption {
			copy(b[1024:], utf16le("EncryptionInfo"))
			copy(b[1024+128:], utf16le("EncryptedPackage"))
		} else {
			copy(b[1024:], utf16le("Workbook"))
		}
		return b
	}
	randomBytes := make([]byte, 3000)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range randomBytes {
		randomBytes[i] = byte(r.UintN(256))
	}
	randomBytes[0] = 0x01
	ods := zipBytes(t, []zipEntry{
		{name: "mimetype", body: "application/vnd.oasis.opendocument.spreadsheet"},
		{name: "content.xml", body: "<office:document-content/>", method: zip.Deflate},
	})
	noWorkbook := zipBytes(t, []zipEntry{{name: "hello.txt", body: "hi"}})
	docx := zipBytes(t, []zipEntry{{name: "word/document.xml", body: "<w:document/>"}})
	xlsb := zipBytes(t, []zipEntry{
		{name: "_rels/.rels", body: `<Relationships><Relationship Id="a" Type="` + relNS + `/officeDocument" Target="xl/workbook.bin"/></Relationships>`},
		{name: "xl/workbook.bin", body: "\x83\x01\x00"},
	})
	tests := []struct {
		name string
		data []byte
		kind ErrorKind
		msg  string
	}{
		{"empty", nil, ErrNotZip, "the file is empty"},
		{"random bytes", randomBytes, ErrNotZip, "not a zip archive"},
		{"csv", []byte("user,group,role\nalice,admins,\"read, write\"\n"), ErrNotZip, "looks like a text or CSV file"},
		{"utf-8 bom csv", []byte("\xEF\xBB\xBFname;value\r\nä;1\r\n"), ErrNotZip, "looks like a text or CSV file"},
		{"html", []byte("<html><body><table><tr><td>1</td></tr></table></body></html>"), ErrNotZip, "XML or HTML"},
		{"truncated zip", valid[:len(valid)/2], ErrTruncated, "damaged or truncated"},
		{"zip header only", valid[:30], ErrTruncated, "damaged or truncated"},
		{"zip without workbook", noWorkbook, ErrNoWorkbook, "not an Excel workbook"},
		{"docx", docx, ErrNoWorkbook, "Word document"},
		{"ods", ods, ErrNotZip, "OpenDocument .ods file; save it as .xlsx"},
		{"xlsb", xlsb, ErrNotZip, ".xlsb"},
		{"legacy xls", ole(false), ErrLegacyXLS, "Excel 97-2003 .xls file; open it in Excel or LibreOffice and save it as .xlsx"},
		{"encrypted", ole(true), ErrEncrypted, "password-protected; remove the password in Excel (File > Info > Protect Workbook) and save again"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(writeFile(t, "x.xlsx", tc.data), Limits{})
			checkErr(t, err, tc.kind, tc.msg)
		})
	}
	t.Run("too many entries", func(t *testing.T) {
		b := append([]byte(nil), valid...)
		i := bytes.LastIndex(b, []byte("PK\x05\x06"))
		// 0xFFFE entries on this disk and in total.
		b[i+8], b[i+9], b[i+10], b[i+11] = 0xFE, 0xFF, 0xFE, 0xFF
		_, err := Open(writeFile(t, "x.xlsx", b), Limits{})
		checkErr(t, err, ErrLimit, "the zip archive lists 65,534 entries, more than the 10,000")
	})
	t.Run("missing file", func(t *testing.T) {
		_, err := Open(filepath.Join(t.TempDir(), "nope.xlsx"), Limits{})
		checkErr(t, err, ErrIO, "no such file")
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("errors.Is(err, os.ErrNotExist) = false for %v", err)
		}
	})
	t.Run("directory", func(t *testing.T) {
		_, err := Open(t.TempDir(), Limits{})
		checkErr(t, err, ErrIO, "is a directory")
	})
}

// TestEncryptedCFBDirectory checks the directory walk on a compound file
// whose names lie beyond the scanned windows.
func TestEncryptedCFBDirectory(t *testing.T) {
	const sec = 512
	size := 3 << 20
	b := make([]byte, size)
	copy(b, oleMagic)
	b[0x1E] = 9
	// FAT in sector 0, directory chain: sector 2000 -> 2001 -> end.
	put32 := func(off int, v uint32) {
		b[off], b[off+1], b[off+2], b[off+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	}
	put32(0x4C, 0) // DIFAT[0] = FAT sector 0... but 2000/128 = 15: needs DIFAT[15]
	put32(0x4C+15*4, 1)
	put32(0x30, 2000)
	fat1 := (1 + 1) * sec
	put32(fat1+(2000%128)*4, 2001)
	put32(fat1+(2001%128)*4, 0xFFFFFFFE)
	dir2 := (2001 + 1) * sec
	name := utf16le("EncryptedPackage")
	copy(b[dir2+128:], name)
	b[dir2+128+0x40] = byte(len(name) + 2)
	if !isEncryptedOLE(bytes.NewReader(b), int64(size)) {
		t.Error("encrypted package not found by the directory walk")
	}
	b[dir2+128] = 'X'
	if isEncryptedOLE(bytes.NewReader(b), int64(size)) {
		t.Error("false positive")
	}
}

func checkErr(t *testing.T, err error, kind ErrorKind, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", kind)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v is not an *Error", err, err)
	}
	if e.Kind != kind || !errors.Is(err, kind) {
		t.Errorf("kind = %v (%v), want %v", e.Kind, err, kind)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Errorf("message %q does not contain %q", err.Error(), msg)
	}
}

// deflated returns a zip holding a sheet whose XML is prefix, n bytes of
// filler, suffix, compressed.
func bigSheetZip(t testing.TB, prefix string, n int, fill byte, suffix string) []byte {
	f := oneSheet("")
	es := f.entries()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range es {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if e.name != "xl/worksheets/sheet1.xml" {
			io.WriteString(w, e.body)
			continue
		}
		io.WriteString(w, prefix)
		chunk := bytes.Repeat([]byte{fill}, 1<<16)
		for left := n; left > 0; left -= len(chunk) {
			w.Write(chunk[:min(left, len(chunk))])
		}
		io.WriteString(w, suffix)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSheetErrors(t *testing.T) {
	long := strings.Repeat("x", 40000)
	tests := []struct {
		name string
		data string
		sst  []string
		lim  Limits
		kind ErrorKind
		msg  string
	}{
		{"column beyond MaxColumns", `<row r="1"><c r="XFE1"><v>1</v></c></row>`, nil, Limits{}, ErrLimit, `sheet "Sheet1" cell XFE1: the cell is beyond column XFD (16,384)`},
		{"column beyond a smaller MaxColumns", `<row r="1"><c r="A1"><v>1</v></c><c r="K1"><v>1</v></c></row>`, nil, Limits{MaxColumns: 10}, ErrLimit, "cell K1: the cell is beyond column J (10)"},
		{"cell longer than MaxCellChars", `<row r="1"><c r="B1" t="inlineStr"><is><t>` + long + `</t></is></c></row>`, nil, Limits{}, ErrLimit, "cell B1: the cell is longer than 32,767 characters"},
		{"cell longer than a smaller MaxCellChars", `<row r="1"><c r="A1" t="inlineStr"><is><t>ab&amp;cd</t></is></c></row>`, nil, Limits{MaxCellChars: 4}, ErrLimit, "longer than 4 characters"},
		{"escapes count decoded", `<row r="1"><c r="A1" t="inlineStr"><is><t>_x0041__x0042__x0043__x0044_</t></is></c></row>`, nil, Limits{MaxCellChars: 4}, 0, ""},
		{"shared string too long", `<row r="1"/>`, []string{"<t>" + long + "</t>"}, Limits{}, ErrLimit, "shared string 0 is longer than 32,767 characters"},
		{"too many shared strings", `<row r="1"/>`, []string{"<t>a</t>", "<t>b</t>", "<t>c</t>"}, Limits{MaxSharedStrings: 2}, ErrLimit, "more than 2 shared strings"},
		{"too many rows", `<row r="1"><c><v>1</v></c></row><row r="2"><c><v>1</v></c></row><row r="3"><c><v>1</v></c></row>`, nil, Limits{MaxRows: 2}, ErrLimit, "cell A3: the sheet has more than 2 rows"},
		{"bad cell ref", `<row r="1"><c r="1A"><v>1</v></c></row>`, nil, Limits{}, ErrMalformed, `invalid cell reference r="1A" in row 1`},
		{"huge row number", `<row r="99999999999"><c><v>1</v></c></row>`, nil, Limits{}, ErrMalformed, `invalid row number`},
		{"shared string out of range", `<row r="1"><c r="A1" t="s"><v>5</v></c></row>`, []string{"<t>a</t>"}, Limits{}, ErrMalformed, `cell A1: shared string index "5" is out of range (the workbook has 1 shared strings)`},
		{"duplicate cell", `<row r="1"><c r="B1"><v>1</v></c><c r="B1"><v>2</v></c></row>`, nil, Limits{}, ErrMalformed, "cell B1: the cell appears twice in the row"},
		{"rows out of order", `<row r="2"><c><v>1</v></c></row><row r="1"><c><v>1</v></c></row>`, nil, Limits{}, ErrMalformed, "row 1 comes after row 2"},
		{"unknown type", `<row r="1"><c r="A1" t="zz"><v>1</v></c></row>`, nil, Limits{}, ErrMalformed, `cell A1: unknown cell type t="zz"`},
		{"unknown entity", `<row r="1"><c r="A1" t="inlineStr"><is><t>a&nbsp;b</t></is></c></row>`, nil, Limits{}, ErrMalformed, "unknown entity &nbsp;"},
		{"bare ampersand", `<row r="1"><c r="A1" t="inlineStr"><is><t>a & b</t></is></c></row>`, nil, Limits{}, ErrMalformed, "bad entity reference"},
		{"bad char ref", `<row r="1"><c r="A1" t="inlineStr"><is><t>&#0;</t></is></c></row>`, nil, Limits{}, ErrMalformed, "bad character reference"},
		{"malformed tag", `<row r="1"><c r=A1><v>1</v></c></row>`, nil, Limits{}, ErrMalformed, `malformed XML tag "<c r=A1>"`},
		{"truncated XML", `<row r="1"><c r="A1"><v>1</v>`, nil, Limits{}, ErrMalformed, "the part is truncated"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := oneSheet(tc.data, tc.sst...)
			if strings.HasPrefix(tc.name, "truncated") {
				f.sheets[0].body = "<sheetData>" + tc.data
			}
			_, err := readPath(t, f.write(t), tc.lim)
			if tc.kind == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			checkErr(t, err, tc.kind, tc.msg)
		})
	}
}

func TestZipBomb(t *testing.T) {
	// 50 MB of whitespace inside the sheet, deflated to ~50 KB.
	bomb := bigSheetZip(t, `<worksheet><sheetData>`, 50<<20, ' ', "</sheetData></worksheet>")
	t.Logf("bomb: %d bytes compressed", len(bomb))
	path := writeFile(t, "bomb.xlsx", bomb)
	start := time.Now()
	_, err := readPath(t, path, Limits{MaxUncompressedBytes: 1 << 20})
	checkErr(t, err, ErrLimit, "past the 1 MiB limit on uncompressed data")
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("refusing the bomb took %v", d)
	}

	// With a limit above the sheet's declared size, two passes over it
	// exceed the limit through the counting reader.
	w, err := Open(path, Limits{MaxUncompressedBytes: 60 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, _, err := readAll(t, w, 0); err != nil {
		t.Fatal(err)
	}
	_, _, err = readAll(t, w, 0)
	checkErr(t, err, ErrLimit, `sheet "Sheet1": sheet XML`)

	// A header that understates the size is caught by archive/zip; the
	// counting reader stops an entry that is merely large.
	bomb2 := bigSheetZip(t, `<worksheet><sheetData>`, 50<<20, '\n', "</sheetData></worksheet>")
	lied := lieAboutSizes(t, bomb2, "xl/worksheets/sheet1.xml", 1000)
	_, err = readPath(t, writeFile(t, "lie.xlsx", lied), Limits{MaxUncompressedBytes: 1 << 20})
	if err == nil {
		t.Fatal("lying zip read without error")
	}
	t.Logf("lying sizes: %v", err)
}

// lieAboutSizes rewrites an archive so that the named entry declares a
// small uncompressed size, keeping its compressed data.
func lieAboutSizes(t *testing.T, data []byte, name string, size uint64) []byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		h := f.FileHeader
		if f.Name == name {
			h.UncompressedSize64 = size
		}
		raw, err := f.OpenRaw()
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.CreateRaw(&h)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(w, raw)
	}
	zw.Close()
	return buf.Bytes()
}

func TestHugeTag(t *testing.T) {
	// A start tag of 5 MB of attributes is refused at the tag bound.
	data := bigSheetZip(t, `<worksheet><sheetData><row r="1" a="`, 5<<20, 'a', `"/></sheetData></worksheet>`)
	_, err := readPath(t, writeFile(t, "tag.xlsx", data), Limits{})
	checkErr(t, err, ErrLimit, "an XML tag or reference is longer than 1 MiB")
	// A 5 MB comment or whitespace is streamed, not held.
	data = bigSheetZip(t, `<worksheet><!--`, 5<<20, '-'+1, `--><sheetData><row r="1"><c><v>1</v></c></row></sheetData></worksheet>`)
	got, err := readPath(t, writeFile(t, "c.xlsx", data), Limits{})
	if err != nil || len(got[0]) != 1 {
		t.Fatal(got, err)
	}
}

// TestBufferBoundaries reads values of many lengths so that values,
// entities, escapes and tags straddle the scanner's buffer boundaries.
func TestBufferBoundaries(t *testing.T) {
	var b strings.Builder
	var want []readRow
	r := rand.New(rand.NewPCG(3, 4))
	pieces := []struct{ xml, text string }{
		{"a", "a"}, {"&amp;", "&"}, {"&#x20AC;", "€"}, {"_x000D_", "\r"}, {"é", "é"}, {"\r\n", "\n"}, {"<![CDATA[<x>]]>", "<x>"},
	}
	for row := 1; row <= 3000; row++ {
		var xml, text strings.Builder
		for range r.IntN(200) {
			p := pieces[r.IntN(len(pieces))]
			xml.WriteString(p.xml)
			text.WriteString(p.text)
		}
		num := fmt.Sprintf("%d.50", row)
		fmt.Fprintf(&b, `<row r="%d"><c r="A%d" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c><c r="C%d"><v>%s</v></c></row>`, row, row, xml.String(), row, num)
		want = append(want, readRow{row, []Cell{s(1, text.String()), n(3, fmt.Sprintf("%d.5", row))}})
	}
	for _, method := range []uint16{zip.Store, zip.Deflate} {
		f := oneSheet(b.String())
		f.method = method
		got, err := readPath(t, f.write(t), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got[0]) != len(want) {
			t.Fatalf("%d rows, want %d", len(got[0]), len(want))
		}
		for i := range want {
			if !reflect.DeepEqual(got[0][i], want[i]) {
				t.Fatalf("row %d: got %+v want %+v", i+1, got[0][i], want[i])
			}
		}
	}
}

func TestRefs(t *testing.T) {
	for _, tc := range []struct {
		col  int
		name string
	}{{1, "A"}, {26, "Z"}, {27, "AA"}, {52, "AZ"}, {53, "BA"}, {702, "ZZ"}, {703, "AAA"}, {16384, "XFD"}} {
		if got := ColumnName(tc.col); got != tc.name {
			t.Errorf("ColumnName(%d) = %q, want %q", tc.col, got, tc.name)
		}
		col, row, err := ParseCellRef(tc.name + "7")
		if err != nil || col != tc.col || row != 7 {
			t.Errorf("ParseCellRef(%q) = %d, %d, %v", tc.name+"7", col, row, err)
		}
	}
	if got := CellRef(3, 7); got != "C7" {
		t.Errorf("CellRef(3, 7) = %q", got)
	}
	if got := ColumnName(0); got != "" {
		t.Errorf("ColumnName(0) = %q", got)
	}
	for _, ref := range []string{"$C$7", "c7", "C$7"} {
		if col, row, err := ParseCellRef(ref); err != nil || col != 3 || row != 7 {
			t.Errorf("ParseCellRef(%q) = %d, %d, %v", ref, col, row, err)
		}
	}
	for _, bad := range []string{"", "A", "7", "A0", "7A", "A-1", "A1B", "AAAAAAA1", "A99999999999", "$", "A$", "Ä1"} {
		if _, _, err := ParseCellRef(bad); err == nil {
			t.Errorf("ParseCellRef(%q) succeeded", bad)
		}
	}
	for col := 1; col <= 20000; col++ {
		c, r, err := ParseCellRef(CellRef(col, col))
		if err != nil || c != col || r != col {
			t.Fatalf("round trip %d: %d %d %v", col, c, r, err)
		}
	}
}

func TestCanonicalNumber(t *testing.T) {
	for in, want := range map[string]string{
		"3.0": "3", "1E+2": "100", "0": "0", "-0": "-0", "10": "10", "0.5": "0.5", ".5": "0.5", "5.": "5",
		"1e-7": "0.0000001", "123456789012345": "123456789012345", "1234567890123456": "1234567890123456",
		"0.1000": "0.1", "1E": "1E", "": "", "e5": "e5", "1.2.3": "1.2.3", "NaN": "NaN", "Inf": "Inf",
		"  1": "  1", "1_000": "1_000", "0x1p3": "0x1p3", "45658.999988425923": "45658.99998842592",
	} {
		b := append([]byte("pre"), in...)
		if got := string(canonicalNumber(b, 3)[3:]); got != want {
			t.Errorf("canonicalNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestErrorFormat(t *testing.T) {
	for _, tc := range []struct {
		e    *Error
		want string
	}{
		{&Error{Kind: ErrLimit, Part: "xl/worksheets/sheet1.xml", Sheet: "Users", Cell: "B7", Msg: "too long"}, `sheet "Users" cell B7: too long (xl/worksheets/sheet1.xml)`},
		{&Error{Kind: ErrMalformed, Part: "xl/sharedStrings.xml", Msg: "bad"}, `xl/sharedStrings.xml: bad`},
		{&Error{Kind: ErrIO, Msg: "cannot open", Err: errors.New("boom")}, `cannot open: boom`},
		{&Error{Kind: ErrNotZip, Msg: "not a workbook"}, `not a workbook`},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
	if got := formatBytes(1 << 30); got != "1 GiB" {
		t.Error(got)
	}
	if got := textfmt.Count(2000000); got != "2,000,000" {
		t.Error(got)
	}
	if !strings.Contains(ErrLimit.Error(), "limit") {
		t.Error(ErrLimit.Error())
	}
}

func TestSheetReaderLifecycle(t *testing.T) {
	f := oneSheet(`<row r="1"><c r="A1"><v>1</v></c></row>`)
	w, err := Open(f.write(t), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	sr, err := w.OpenSheet(0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := sr.Next(); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, _, err := sr.Next(); err != io.EOF {
			t.Fatalf("Next = %v, want io.EOF", err)
		}
	}
	sr.Close()
	if _, _, err := sr.Next(); err == nil || err == io.EOF {
		t.Fatalf("Next after Close = %v", err)
	}
	if _, err := w.OpenSheet(-1); err == nil {
		t.Error("OpenSheet(-1) succeeded")
	}
	w.Close()
	if _, err := w.OpenSheet(0); err == nil {
		t.Error("OpenSheet after Close succeeded")
	}
	if err := w.Close(); err != nil {
		t.Error(err)
	}
}

func TestMissingSheetPart(t *testing.T) {
	f := oneSheet(`<row r="1"/>`)
	es := f.entries()
	es = es[:len(es)-1] // drop the sheet
	w, err := Open(writeFile(t, "m.xlsx", zipBytes(t, es)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	_, err = w.OpenSheet(0)
	checkErr(t, err, ErrMalformed, `sheet "Sheet1": the sheet's part xl/worksheets/sheet1.xml is missing from the archive`)
}

func TestCorruptEntry(t *testing.T) {
	data := bigSheetZip(t, `<worksheet><sheetData><row r="1"><c><v>1</v></c></row>`, 200000, ' ', `</sheetData></worksheet>`)
	// Flip a byte in the middle of the deflated sheet data.
	zr, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			off, _ := f.DataOffset()
			data[off+int64(f.FileHeader.CompressedSize64/2)] ^= 0xFF
		}
	}
	_, err := readPath(t, writeFile(t, "c.xlsx", data), Limits{})
	checkErr(t, err, ErrTruncated, "damaged or truncated")
}

func TestRowBytesBound(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	cell := `<c t="inlineStr"><is><t>` + strings.Repeat("y", 30000) + `</t></is></c>`
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range oneSheet("").entries() {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate})
		if e.name != "xl/worksheets/sheet1.xml" {
			io.WriteString(w, e.body)
			continue
		}
		io.WriteString(w, `<worksheet><sheetData><row r="1">`)
		for range 2300 {
			io.WriteString(w, cell)
		}
		io.WriteString(w, `</row></sheetData></worksheet>`)
	}
	zw.Close()
	_, err := readPath(t, writeFile(t, "wide.xlsx", buf.Bytes()), Limits{})
	checkErr(t, err, ErrLimit, "row 1 holds more than 64 MiB of text")
}

func TestConcurrentSheets(t *testing.T) {
	var sheets []fixSheet
	var want [][]readRow
	for i := range 4 {
		var b strings.Builder
		var rows []readRow
		for r := 1; r <= 500; r++ {
			fmt.Fprintf(&b, `<row r="%d"><c r="A%d" t="s"><v>%d</v></c><c r="B%d"><v>%d</v></c></row>`, r, r, r%2, r, r*i)
			rows = append(rows, readRow{r, []Cell{s(1, []string{"even", "odd"}[r%2]), n(2, fmt.Sprint(r*i))}})
		}
		sheets = append(sheets, fixSheet{name: fmt.Sprint("S", i), body: "<sheetData>" + b.String() + "</sheetData>"})
		want = append(want, rows)
	}
	w, err := Open(fixture{sheets: sheets, sst: []string{"<t>even</t>", "<t>odd</t>"}, method: zip.Deflate}.write(t), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	errs := make(chan error, 8)
	for k := range 8 {
		go func() {
			i := k % 4
			got, _, err := readAll(t, w, i)
			if err == nil && !reflect.DeepEqual(got, want[i]) {
				err = fmt.Errorf("sheet %d differs", i)
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// Two entries of one name (in any casing or slash form) are refused,
// naming the entry: readers disagree on which copy counts.
func TestDuplicateEntries(t *testing.T) {
	base := oneSheet(`<row r="1"><c r="A1"><v>1</v></c></row>`).entries()
	sheet := "xl/worksheets/sheet1.xml"
	for _, c := range []struct {
		name, second, msg string
	}{
		{"same name", sheet, `the zip archive holds the entry "` + sheet + `" twice`},
		{"other casing", strings.ToUpper(sheet), `the entries "` + sheet + `" and "` + strings.ToUpper(sheet) + `", which name the same part`},
	} {
		t.Run(c.name, func(t *testing.T) {
			entries := append(slices.Clone(base), zipEntry{name: c.second, body: sheetXML(`<row r="1"><c r="A1"><v>2</v></c></row>`)})
			_, err := Open(writeFile(t, "dup.xlsx", zipBytes(t, entries)), Limits{})
			checkErr(t, err, ErrMalformed, c.msg)
		})
	}
}
