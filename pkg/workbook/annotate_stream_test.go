package workbook_test

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/validate"
	"secmgr/pkg/workbook"
)

// TestAnnotateRawSheets annotates sheets written the way small tools
// write them: cells and rows without their r attribute, a finding on a
// cell that is not in the sheet (inserted in its row), on a row that is
// not there (inserted between rows, and after the last), on a sheet whose
// sheetData is empty, and with no styles part at all. Every finding gets
// its note and fill, and the values stay as they were.
func TestAnnotateRawSheets(t *testing.T) {
	e := func(cell string) validate.Finding {
		return validate.Finding{Severity: validate.Error, Code: "x", Tab: "Users", Cell: "Users!" + cell, Message: "at " + cell}
	}
	cases := []struct {
		name, sheetData string
		findings        validate.Findings
	}{
		{"no r attributes",
			`<row><c t="inlineStr"><is><t>User</t></is></c><c t="inlineStr"><is><t>Description</t></is></c></row>` +
				`<row><c t="inlineStr"><is><t>Jim</t></is></c><c t="inlineStr"><is><t>x</t></is></c></row>`,
			validate.Findings{e("B2"), e("A1")}},
		{"missing cells and rows",
			`<row r="1"><c r="A1" t="inlineStr"><is><t>User</t></is></c><c r="C1" t="inlineStr"><is><t>Description</t></is></c></row>` +
				`<row r="4"><c r="A4" t="inlineStr"><is><t>Jim</t></is></c></row>`,
			validate.Findings{e("B1"), e("D1"), e("B2"), e("A3"), e("B4"), e("C9")}},
		{"empty sheetData", ``, validate.Findings{e("A1"), e("B2")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "in.xlsx")
			if err := os.WriteFile(in, workbook.RawBookBytes("Users", c.sheetData, ""), 0o600); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out.xlsx")
			if err := workbook.Annotate(in, out, c.findings); err != nil {
				t.Fatal(err)
			}
			// (excelize reports no fill colour for a workbook without a
			// theme part; the fill is checked as a solid pattern of the
			// error colour.)
			want, got := map[string]string{}, map[string]string{}
			for _, f := range c.findings {
				want[f.Cell] = "error: " + f.Message + " [x]"
			}
			for cell, m := range marks(t, out, workbook.AnnotateAuthor) {
				got[cell] = m.Comment
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("notes (-want +got):\n%s", diff)
			}
			checkSolidFills(t, out, "FFFFC7CE", c.findings)
			if diff := cmp.Diff(values(t, in), values(t, out)); diff != "" {
				t.Errorf("values changed (-before +after):\n%s", diff)
			}
			checkEntries(t, out)
		})
	}
}

// TestAnnotateAgain annotates an annotated copy: the notes Annotate wrote
// are replaced, not repeated, and the fills stay.
func TestAnnotateAgain(t *testing.T) {
	env := sampleEnv(t)
	in := filepath.Join("..", "..", "examples", "golfstream", "edits", "mistakes.xlsx")
	p := plan(t, in, env)
	dir := t.TempDir()
	once, twice := filepath.Join(dir, "once.xlsx"), filepath.Join(dir, "twice.xlsx")
	if err := workbook.Annotate(in, once, p.Findings); err != nil {
		t.Fatal(err)
	}
	if err := workbook.Annotate(once, twice, p.Findings); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(marks(t, once, workbook.AnnotateAuthor), marks(t, twice, workbook.AnnotateAuthor)); diff != "" {
		t.Errorf("annotating again changed the marks (-once +twice):\n%s", diff)
	}
}

// TestAnnotateListedFindings: past validate.MaxListed errors the plan
// counts the rest; Annotate marks each finding listed, no more.
func TestAnnotateListedFindings(t *testing.T) {
	env := sampleEnv(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "many.xlsx")
	w, err := workbook.Create(in, workbook.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tab := artifacts.TabUsersInGroups.Tab()
	if err := w.StartTab(tab); err != nil {
		t.Fatal(err)
	}
	vals := make([]string, len(tab.Columns))
	for i := range validate.MaxListed + 50 {
		vals[0], vals[1] = fmt.Sprintf("Nobody %d", i), "No Such Group"
		if err := w.WriteRow(vals); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	p := plan(t, in, env)
	cells := map[string]bool{}
	omitted := false
	for _, f := range p.Findings {
		if f.Code == validate.CodeNotListed {
			omitted = true
		}
		if f.Cell != "" {
			cells[f.Cell] = true
		}
	}
	if !omitted || len(cells) < validate.MaxListed/2 {
		t.Fatalf("the plan should list %d errors and count the rest: %d cells, omitted %v", validate.MaxListed, len(cells), omitted)
	}
	out := filepath.Join(dir, "checked.xlsx")
	if err := workbook.Annotate(in, out, p.Findings); err != nil {
		t.Fatal(err)
	}
	got := marks(t, out, workbook.AnnotateAuthor)
	for c := range cells {
		if _, ok := got[c]; !ok {
			t.Errorf("%s: listed finding not marked", c)
		}
	}
	if len(got) != len(cells) {
		t.Errorf("%d cells marked, %d listed", len(got), len(cells))
	}
}

// checkSolidFills checks that each finding's cell has a solid fill, and
// that the workbook's styles define the colour.
func checkSolidFills(t *testing.T, path, color string, findings validate.Findings) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, fd := range findings {
		sheet, cell, _ := strings.Cut(fd.Cell, "!")
		id, err := f.GetCellStyle(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil || st.Fill.Type != "pattern" || st.Fill.Pattern != 1 {
			t.Errorf("%s: style %d is not a solid fill: %+v %v", fd.Cell, id, st, err)
		}
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, e := range zr.File {
		if e.Name == "xl/styles.xml" {
			rc, _ := e.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			if !strings.Contains(string(b), `rgb="`+color+`"`) {
				t.Errorf("the styles define no %s fill:\n%s", color, b)
			}
		}
	}
}

// TestAnnotateEmptiesPasswords: the Password cells of the Users tab are
// emptied in the copy, and their shared strings dropped, except a value
// another cell still shows.
func TestAnnotateEmptiesPasswords(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.xlsx")
	f := excelize.NewFile()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "Users"))
	_, err := f.NewSheet("Notes")
	must(err)
	for cell, v := range map[string]string{"A1": "User", "B1": "Password", "A2": "Jim", "B2": "shown-elsewhere", "A3": "Ann", "B3": "Unique-Secret-1"} {
		must(f.SetCellStr("Users", cell, v))
	}
	must(f.SetCellStr("Notes", "A1", "shown-elsewhere"))
	must(f.SaveAs(in))
	f.Close()

	out := filepath.Join(dir, "out.xlsx")
	if err := workbook.Annotate(in, out, nil); err != nil {
		t.Fatal(err)
	}
	got := values(t, out)
	want := map[string][][]string{"Users": {{"User", "Password"}, {"Jim"}, {"Ann"}}, "Notes": {{"shown-elsewhere"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, e := range zr.File {
		rc, _ := e.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if strings.Contains(string(b), "Unique-Secret-1") {
			t.Errorf("%s still holds the password", e.Name)
		}
	}
}
