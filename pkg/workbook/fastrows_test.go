package workbook

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"secmgr/pkg/workbook/internal/xlsxread"
)

// TestSpliceRoundTrip encodes awkward values through the fast row path
// and reads them back with the reader, and with excelize.
func TestSpliceRoundTrip(t *testing.T) {
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "template.xlsx")
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "Groups")
	f.SetSheetRow("Groups", "A1", &[]any{"Group", "Description", "N"})
	if err := f.SaveAs(tmpl); err != nil {
		t.Fatal(err)
	}
	f.Close()
	values := [][]string{
		{"=SUM(A1)", "+1 -2 @x", "3"},
		{" lead", "trail ", ""},
		{"a & b < c > d \"q\" 'a'", "tab\there\nline\r\nCR", "10"},
		{"ctl\x01\x1f", "_x000D_ literal", ""},
		{"émile 世界 😀", "bad\xffutf8", "7"},
	}
	spool, err := newRowSpool(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer spool.close()
	for _, v := range values {
		if err := spool.writeRow(v, []bool{false, false, true}); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "out.xlsx")
	o, _ := os.Create(out)
	if err := splice(tmpl, o, map[string]*rowSpool{"xl/worksheets/sheet1.xml": spool}); err != nil {
		t.Fatal(err)
	}
	o.Close()

	wb, err := xlsxread.Open(out, xlsxread.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	sr, err := wb.OpenSheet(0)
	if err != nil {
		t.Fatal(err)
	}
	var got [][]string
	for {
		row, cells, err := sr.Next()
		if err != nil {
			break
		}
		vals := make([]string, 3)
		for _, c := range cells {
			vals[c.Col-1] = c.Value
			if c.Formula {
				t.Errorf("row %d: a formula cell", row)
			}
		}
		got = append(got, vals)
	}
	want := append([][]string{{"Group", "Description", "N"}}, values...)
	want[5][1] = "bad\uFFFDutf8"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	ex, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()
	if dim, _ := ex.GetSheetDimension("Groups"); dim != "A1:C6" {
		zr, _ := zip.OpenReader(out)
		for _, f := range zr.File {
			if f.Name == "xl/worksheets/sheet1.xml" {
				rc, _ := f.Open()
				b, _ := io.ReadAll(rc)
				t.Logf("%s", b[:min(len(b), 600)])
			}
		}
		t.Errorf("dimension %q, want A1:C6", dim)
	}
	if v, _ := ex.GetCellValue("Groups", "A2"); v != "=SUM(A1)" {
		t.Errorf("A2 = %q", v)
	}
	if ftext, _ := ex.GetCellFormula("Groups", "A2"); ftext != "" {
		t.Errorf("A2 has a formula %q", ftext)
	}
}
