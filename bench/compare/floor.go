package main

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"secmgr/internal/cellref"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/export"
)

// The floor: what writing and reading the export's sheets costs at the
// least — the sheet XML deflated into a zip, and inflated and tokenised —
// with none of a spreadsheet library's work. secmgr is measured against it.

// helperReport is the one JSON line every helper step (floor and openpyxl)
// prints on standard output, so the orchestrator can check that the step
// did all the work and can show where its time went.
type helperReport struct {
	Sheets   int            `json:"sheets"`
	Rows     int            `json:"rows"`      // data rows of all sheets, headers not counted
	PerSheet map[string]int `json:"per_sheet"` // data rows by sheet name
	Cells    int            `json:"cells"`     // cells written or read
	LoadS    float64        `json:"load_s"`
	WorkS    float64        `json:"work_s"`
}

const (
	nsMain  = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel   = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsPkg   = "http://schemas.openxmlformats.org/package/2006/relationships"
	xmlHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
)

// floorWrite loads the environment at envPath and writes every tab's rows —
// the values an export writes, in the same order — as inline-string and
// numeric cells into a minimal workbook at out, deflated by archive/zip at
// its default level.
func floorWrite(envPath string, out io.Writer) (helperReport, error) {
	rep := helperReport{PerSheet: map[string]int{}}
	start := time.Now()
	env, err := artifacts.Load(envPath)
	if err != nil {
		return rep, err
	}
	rep.LoadS = time.Since(start).Seconds()
	start = time.Now()
	zw := zip.NewWriter(out)
	tabs := artifacts.AllTabs()
	if err := writeFloorParts(zw, tabs); err != nil {
		return rep, err
	}
	var row []byte
	for i, t := range tabs {
		f, err := zw.Create(fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1))
		if err != nil {
			return rep, err
		}
		bw := bufio.NewWriterSize(f, 64<<10)
		bw.WriteString(xmlHead + `<worksheet xmlns="` + nsMain + `"><sheetData>`)
		numeric := make([]bool, len(t.Columns))
		header := make([]string, len(t.Columns))
		for ci := range t.Columns {
			c := &t.Columns[ci]
			numeric[ci] = c.Kind == artifacts.KindWhole || c.Kind == artifacts.KindNumGridRows
			header[ci] = c.Name
		}
		n := 1
		row = appendRow(row[:0], 1, header, nil, &rep.Cells)
		bw.Write(row)
		err = export.Rows(env, t, export.Selection{}, func(values []string) error {
			n++
			row = appendRow(row[:0], n, values, numeric, &rep.Cells)
			_, err := bw.Write(row)
			return err
		})
		if err != nil {
			return rep, err
		}
		bw.WriteString(`</sheetData></worksheet>`)
		if err := bw.Flush(); err != nil {
			return rep, err
		}
		rep.Sheets++
		rep.Rows += n - 1
		rep.PerSheet[t.Name] = n - 1
	}
	if err := zw.Close(); err != nil {
		return rep, err
	}
	rep.WorkS = time.Since(start).Seconds()
	return rep, nil
}

// appendRow appends one <row> element: a numeric cell where the column is
// numeric and the value a whole number, an inline string otherwise, no
// cell for an empty value. It counts the cells it writes.
func appendRow(b []byte, r int, values []string, numeric []bool, cells *int) []byte {
	b = append(b, `<row r="`...)
	b = strconv.AppendInt(b, int64(r), 10)
	b = append(b, `">`...)
	for ci, v := range values {
		if v == "" {
			continue
		}
		*cells++
		b = append(b, `<c r="`...)
		b = cellref.AppendColumn(b, ci+1)
		b = strconv.AppendInt(b, int64(r), 10)
		if numeric != nil && numeric[ci] {
			if _, err := strconv.ParseInt(v, 10, 64); err == nil {
				b = append(b, `"><v>`...)
				b = append(b, v...)
				b = append(b, `</v></c>`...)
				continue
			}
		}
		b = append(b, `" t="inlineStr"><is><t>`...)
		b = appendEscaped(b, v)
		b = append(b, `</t></is></c>`...)
	}
	return append(b, `</row>`...)
}

// appendEscaped appends s escaped as XML character data.
func appendEscaped(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		default:
			continue
		}
		b = append(b, s[start:i]...)
		b = append(b, esc...)
		start = i + 1
	}
	return append(b, s[start:]...)
}

// writeFloorParts writes the parts a spreadsheet program needs to find the
// sheets: content types, the package and workbook relationships and the
// workbook. No styles, no shared strings, no document properties.
func writeFloorParts(zw *zip.Writer, tabs []*artifacts.Tab) error {
	var ct, rels, wb strings.Builder
	ct.WriteString(xmlHead + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>`)
	rels.WriteString(xmlHead + `<Relationships xmlns="` + nsPkg + `">`)
	wb.WriteString(xmlHead + `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><sheets>`)
	for i, t := range tabs {
		fmt.Fprintf(&ct, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, i+1)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="%s/worksheet" Target="worksheets/sheet%d.xml"/>`, i+1, nsRel, i+1)
		fmt.Fprintf(&wb, `<sheet name="%s" sheetId="%d" r:id="rId%d"/>`, t.Name, i+1, i+1)
	}
	ct.WriteString(`</Types>`)
	rels.WriteString(`</Relationships>`)
	wb.WriteString(`</sheets></workbook>`)
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", ct.String()},
		{"_rels/.rels", xmlHead + `<Relationships xmlns="` + nsPkg + `"><Relationship Id="rId1" Type="` + nsRel + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", wb.String()},
		{"xl/_rels/workbook.xml.rels", rels.String()},
	}
	for _, p := range parts {
		f, err := zw.Create(p.name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, p.body); err != nil {
			return err
		}
	}
	return nil
}

// floorRead inflates every worksheet of the workbook at path, in the
// order the workbook lists them, and tokenises it with encoding/xml's
// Decoder.Token, counting rows and cells. It neither resolves shared
// strings nor converts a value.
func floorRead(path string) (helperReport, error) {
	rep := helperReport{PerSheet: map[string]int{}}
	start := time.Now()
	zr, err := zip.OpenReader(path)
	if err != nil {
		return rep, err
	}
	defer zr.Close()
	sheets, err := listSheets(&zr.Reader)
	if err != nil {
		return rep, fmt.Errorf("%s: %w", path, err)
	}
	rep.LoadS = time.Since(start).Seconds()
	start = time.Now()
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	for _, s := range sheets {
		f := files[s.part]
		if f == nil {
			return rep, fmt.Errorf("%s: sheet %s: no part %s", path, s.name, s.part)
		}
		rows, cells, err := tokenise(f)
		if err != nil {
			return rep, fmt.Errorf("%s: %s: %w", path, f.Name, err)
		}
		rep.Sheets++
		rep.Rows += max(0, rows-1) // the header row
		rep.PerSheet[s.name] = max(0, rows-1)
		rep.Cells += cells
	}
	rep.WorkS = time.Since(start).Seconds()
	return rep, nil
}

// sheetPart is a worksheet's name and the zip entry holding it.
type sheetPart struct{ name, part string }

// listSheets reads the sheets of xl/workbook.xml and finds their parts
// through xl/_rels/workbook.xml.rels.
func listSheets(zr *zip.Reader) ([]sheetPart, error) {
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			ID   string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := unmarshalPart(zr, "xl/workbook.xml", &wb); err != nil {
		return nil, err
	}
	if err := unmarshalPart(zr, "xl/_rels/workbook.xml.rels", &rels); err != nil {
		return nil, err
	}
	targets := map[string]string{}
	for _, r := range rels.Rel {
		t := r.Target
		if strings.HasPrefix(t, "/") {
			t = t[1:]
		} else {
			t = "xl/" + t
		}
		targets[r.ID] = t
	}
	var out []sheetPart
	for _, s := range wb.Sheets {
		t, ok := targets[s.ID]
		if !ok {
			return nil, fmt.Errorf("sheet %s: no relationship %s", s.Name, s.ID)
		}
		out = append(out, sheetPart{s.Name, t})
	}
	if len(out) == 0 {
		return nil, errors.New("no worksheets")
	}
	return out, nil
}

func unmarshalPart(zr *zip.Reader, name string, v any) error {
	f, err := zr.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := xml.NewDecoder(f).Decode(v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func tokenise(f *zip.File) (rows, cells int, err error) {
	rc, err := f.Open()
	if err != nil {
		return 0, 0, err
	}
	defer rc.Close()
	d := xml.NewDecoder(bufio.NewReaderSize(rc, 64<<10))
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return rows, cells, nil
		}
		if err != nil {
			return rows, cells, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			switch se.Name.Local {
			case "row":
				rows++
			case "c":
				cells++
			}
		}
	}
}
