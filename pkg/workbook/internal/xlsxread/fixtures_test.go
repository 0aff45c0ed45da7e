package xlsxread

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Fixture workbooks are written by hand with archive/zip: minimal parts,
// as small as a reader must accept.

type zipEntry struct {
	name   string
	body   string
	method uint16 // zip.Deflate (0 means Store)
}

func zipBytes(t testing.TB, entries []zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: e.method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const (
	nsMain = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	nsRel  = `xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
	relNS  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
)

type fixSheet struct {
	name  string
	state string // "", "hidden", "veryHidden"
	body  string // worksheet content: <sheetData>…</sheetData> and more
}

type fixture struct {
	sheets []fixSheet
	sst    []string // raw <si> contents; nil: no shared strings part
	// absolute writes relationship targets as absolute part names.
	absolute bool
	// noRootRels leaves out _rels/.rels.
	noRootRels bool
	// extra entries added to the archive.
	extra  []zipEntry
	method uint16
}

func (f fixture) entries() []zipEntry {
	m := f.method
	var es []zipEntry
	add := func(name, body string) { es = append(es, zipEntry{name, body, m}) }
	const ctSheet = "application/vnd.openxmlformats-officedocument.spreadsheetml."
	ct := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="` + ctSheet + `sheet.main+xml"/>`
	for i := range f.sheets {
		ct += fmt.Sprintf(`<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="%sworksheet+xml"/>`, i+1, ctSheet)
	}
	if f.sst != nil {
		ct += `<Override PartName="/xl/sharedStrings.xml" ContentType="` + ctSheet + `sharedStrings+xml"/>`
	}
	add("[Content_Types].xml", ct+`</Types>`)
	prefix := ""
	if f.absolute {
		prefix = "/xl/"
	}
	if !f.noRootRels {
		target := "xl/workbook.xml"
		if f.absolute {
			target = "/xl/workbook.xml"
		}
		add("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
			`<Relationship Id="rId1" Type="`+relNS+`/officeDocument" Target="`+target+`"/></Relationships>`)
	}
	var wb, rels strings.Builder
	wb.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	wb.WriteString(`<workbook ` + nsMain + ` ` + nsRel + `><workbookPr/><sheets>`)
	rels.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	for i, s := range f.sheets {
		state := ""
		if s.state != "" {
			state = ` state="` + s.state + `"`
		}
		fmt.Fprintf(&wb, `<sheet name="%s" sheetId="%d"%s r:id="rId%d"/>`, xmlEscape(s.name), i+1, state, i+1)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="%s/worksheet" Target="%sworksheets/sheet%d.xml"/>`, i+1, relNS, prefix, i+1)
	}
	wb.WriteString(`</sheets></workbook>`)
	if f.sst != nil {
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="%s/sharedStrings" Target="%ssharedStrings.xml"/>`, len(f.sheets)+1, relNS, prefix)
	}
	rels.WriteString(`</Relationships>`)
	add("xl/workbook.xml", wb.String())
	add("xl/_rels/workbook.xml.rels", rels.String())
	if f.sst != nil {
		var b strings.Builder
		fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><sst %s count="%d" uniqueCount="%d">`, nsMain, len(f.sst), len(f.sst))
		for _, si := range f.sst {
			b.WriteString("<si>" + si + "</si>")
		}
		b.WriteString("</sst>")
		add("xl/sharedStrings.xml", b.String())
	}
	for i, s := range f.sheets {
		add(fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1), sheetXML(s.body))
	}
	return append(es, f.extra...)
}

func sheetXML(body string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet ` + nsMain + ` ` + nsRel + `><dimension ref="A1"/>` + body + `</worksheet>`
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

func (f fixture) bytes(t testing.TB) []byte { return zipBytes(t, f.entries()) }

func (f fixture) write(t testing.TB) string { return writeFile(t, "book.xlsx", f.bytes(t)) }

// oneSheet is a fixture of one sheet with the given sheetData content.
func oneSheet(sheetData string, sst ...string) fixture {
	return fixture{sheets: []fixSheet{{name: "Sheet1", body: "<sheetData>" + sheetData + "</sheetData>"}}, sst: sst}
}

type readRow struct {
	Row   int
	Cells []Cell
}

// readAll reads every row of sheet i.
func readAll(t testing.TB, w *Workbook, i int) ([]readRow, []string, error) {
	t.Helper()
	sr, err := w.OpenSheet(i)
	if err != nil {
		return nil, nil, err
	}
	defer sr.Close()
	var rows []readRow
	for {
		n, cells, err := sr.Next()
		if err == io.EOF {
			return rows, sr.MergedRanges(), nil
		}
		if err != nil {
			return rows, nil, err
		}
		rows = append(rows, readRow{n, append([]Cell(nil), cells...)})
	}
}

// readPath opens a workbook file and reads every sheet.
func readPath(t testing.TB, path string, lim Limits) ([][]readRow, error) {
	t.Helper()
	w, err := Open(path, lim)
	if err != nil {
		return nil, err
	}
	defer w.Close()
	var out [][]readRow
	for i := range w.Sheets() {
		rows, _, err := readAll(t, w, i)
		if err != nil {
			return out, err
		}
		out = append(out, rows)
	}
	return out, nil
}
