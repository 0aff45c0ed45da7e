package xlsxread

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"secmgr/internal/testtools"
	"strings"
	"testing"
	"time"
)

// These tests read workbooks written by real programs: openpyxl and
// LibreOffice. They skip when the program is not installed.

const openpyxlScript = `
import sys, openpyxl
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Users"
ws.append(["name", "count", "active", "total", "note"])
ws.append(["alice & bob", 3, True, "=B2*2", "  two  spaces"])
ws.append(["zoë\nline2", 2.5, False, None, "a & <b>"])
ws["B4"] = 1e20
ws.merge_cells("A5:B5")
ws["A5"] = "merged"
h = wb.create_sheet("Secret")
h.sheet_state = "hidden"
h["A1"] = "hidden cell"
wb.save(sys.argv[1])
`

type wantCell struct {
	ref     string
	value   string
	typ     CellType
	formula bool
}

func havePython(t *testing.T) string {
	t.Helper()
	return testtools.Python(t)
}

func writeOpenpyxl(t *testing.T, py, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "openpyxl.xlsx")
	script := filepath.Join(dir, "make.py")
	if err := os.WriteFile(script, []byte(openpyxlScript), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(py, script, path).CombinedOutput(); err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, out)
	}
	return path
}

// cellsByRef reads every sheet into a map keyed by "Sheet!A1".
func cellsByRef(t *testing.T, path string) (map[string]Cell, *Workbook, map[string][]string) {
	t.Helper()
	w, err := Open(path, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	got := map[string]Cell{}
	merged := map[string][]string{}
	for i, info := range w.Sheets() {
		rows, mr, err := readAll(t, w, i)
		if err != nil {
			t.Fatalf("sheet %q: %v", info.Name, err)
		}
		merged[info.Name] = mr
		for _, r := range rows {
			for _, c := range r.Cells {
				got[info.Name+"!"+CellRef(c.Col, r.Row)] = c
			}
		}
	}
	return got, w, merged
}

func checkCells(t *testing.T, got map[string]Cell, want []wantCell, checkFormula bool) {
	t.Helper()
	for _, wc := range want {
		c, ok := got[wc.ref]
		if !ok {
			t.Errorf("%s: missing", wc.ref)
			continue
		}
		if c.Value != wc.value || c.Type != wc.typ || checkFormula && c.Formula != wc.formula {
			t.Errorf("%s = %q %v formula=%v, want %q %v formula=%v", wc.ref, c.Value, c.Type, c.Formula, wc.value, wc.typ, wc.formula)
		}
	}
}

func TestOpenpyxlWorkbook(t *testing.T) {
	py := havePython(t)
	path := writeOpenpyxl(t, py, t.TempDir())
	got, w, merged := cellsByRef(t, path)
	sheets := w.Sheets()
	if len(sheets) != 2 || sheets[0].Name != "Users" || sheets[0].Hidden || sheets[1].Name != "Secret" || !sheets[1].Hidden {
		t.Errorf("sheets = %+v", sheets)
	}
	checkCells(t, got, []wantCell{
		{"Users!A1", "name", CellString, false},
		{"Users!A2", "alice & bob", CellString, false},
		{"Users!B2", "3", CellNumber, false},
		{"Users!C2", "TRUE", CellBool, false},
		{"Users!D2", "", CellEmpty, true}, // openpyxl writes no cached value
		{"Users!E2", "  two  spaces", CellString, false},
		{"Users!A3", "zoë\nline2", CellString, false},
		{"Users!B3", "2.5", CellNumber, false},
		{"Users!C3", "FALSE", CellBool, false},
		{"Users!E3", "a & <b>", CellString, false},
		{"Users!B4", "100000000000000000000", CellNumber, false},
		{"Users!A5", "merged", CellString, false},
		{"Secret!A1", "hidden cell", CellString, false},
	}, true)
	if m := merged["Users"]; len(m) != 1 || m[0] != "A5:B5" {
		t.Errorf("merged = %v", m)
	}
}

// TestLibreOfficeWorkbook converts a workbook through LibreOffice and
// reads the result. The input is written by openpyxl when available, by
// hand otherwise.
func TestLibreOfficeWorkbook(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice not installed")
	}
	if testing.Short() {
		t.Skip("slow")
	}
	dir := t.TempDir()
	var in string
	var want []wantCell
	pyOK := false
	if py, err := exec.LookPath("/usr/bin/python3"); err == nil && exec.Command(py, "-c", "import openpyxl").Run() == nil {
		pyOK = true
		in = writeOpenpyxl(t, py, dir)
		want = []wantCell{
			{"Users!A1", "name", CellString, false},
			{"Users!A2", "alice & bob", CellString, false},
			{"Users!B2", "3", CellNumber, false},
			{"Users!C2", "TRUE", CellBool, true}, // LibreOffice writes TRUE()
			{"Users!E2", "  two  spaces", CellString, false},
			{"Users!A3", "zoë\nline2", CellString, false},
			{"Users!B3", "2.5", CellNumber, false},
			{"Users!C3", "FALSE", CellBool, true},
			{"Users!E3", "a & <b>", CellString, false},
			{"Users!B4", "100000000000000000000", CellNumber, false},
			{"Secret!A1", "hidden cell", CellString, false},
		}
	} else {
		f := fixture{
			sheets: []fixSheet{
				{name: "Users", body: `<sheetData>` +
					`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>count</t></is></c></row>` +
					`<row r="2"><c r="A2" t="inlineStr"><is><t xml:space="preserve">alice &amp; bob </t></is></c><c r="B2"><v>3.0</v></c>` +
					`<c r="C2" t="b"><v>1</v></c><c r="D2"><f>B2*2</f><v>6</v></c><c r="E2" t="str"><f>"x"&amp;"y"</f><v>xy</v></c></row>` +
					`<row r="3"><c r="A3" t="s"><v>1</v></c><c r="B3"><v>1E+2</v></c><c r="C3" t="b"><v>0</v></c></row>` +
					`</sheetData><mergeCells count="1"><mergeCell ref="A4:B4"/></mergeCells>`},
				{name: "Secret", state: "hidden", body: `<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>hidden cell</t></is></c></row></sheetData>`},
			},
			sst:    []string{`<t>name</t>`, `<r><t>rich </t></r><r><rPr><b/></rPr><t>text</t></r>`},
			method: 8,
		}
		in = filepath.Join(dir, "hand.xlsx")
		if err := os.WriteFile(in, f.bytes(t), 0o644); err != nil {
			t.Fatal(err)
		}
		want = []wantCell{
			{"Users!A1", "name", CellString, false},
			{"Users!B1", "count", CellString, false},
			{"Users!A2", "alice & bob ", CellString, false},
			{"Users!B2", "3", CellNumber, false},
			{"Users!C2", "TRUE", CellBool, true}, // LibreOffice writes TRUE()
			{"Users!D2", "6", CellNumber, true},
			{"Users!E2", "xy", CellString, true},
			{"Users!A3", "rich text", CellString, false},
			{"Users!B3", "100", CellNumber, false},
			{"Users!C3", "FALSE", CellBool, true},
			{"Secret!A1", "hidden cell", CellString, false},
		}
	}
	outDir := filepath.Join(dir, "out")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, soffice, "--headless", "--norestore",
		"-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--convert-to", "xlsx", "--outdir", outDir, in)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	out, err := cmd.CombinedOutput()
	conv := filepath.Join(outDir, filepath.Base(in))
	if _, statErr := os.Stat(conv); err != nil || statErr != nil {
		t.Fatalf("soffice: %v %v\n%s", err, statErr, out)
	}
	got, w, merged := cellsByRef(t, conv)
	sheets := w.Sheets()
	if len(sheets) != 2 || sheets[0].Hidden || !sheets[1].Hidden {
		t.Errorf("sheets = %+v", sheets)
	}
	checkCells(t, got, want, true)
	if pyOK {
		// Whether LibreOffice computes a formula that openpyxl left
		// without a cached value depends on its settings; it stays a
		// formula.
		if c := got["Users!D2"]; !c.Formula || c.Value != "6" && c.Value != "" && c.Value != "0" {
			t.Errorf("Users!D2 = %+v", c)
		}
	}
	wantMerge := "A4:B4"
	if pyOK {
		wantMerge = "A5:B5"
	}
	if m := merged["Users"]; len(m) != 1 || !strings.EqualFold(m[0], wantMerge) {
		t.Errorf("merged = %v", m)
	}
}
