package workbook

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"secmgr/pkg/artifacts"
)

// decisionLayout is a small review-like layout: a key column, a plain
// one, an input column with a drop-down and a free input column.
func decisionLayout() *Layout {
	return &Layout{Name: "Review", NoteAuthor: "secmgr test", Print: true, Columns: []LayoutColumn{
		{Name: "User", Width: 30, Key: true, Note: "Who."},
		{Name: "Roles", Width: 50},
		{Name: "Decision", Width: 12, Input: true, Note: "Keep or Remove.",
			Choices: []string{"Keep", "Remove"}, ChoiceTitle: "Keep or Remove", ChoiceMessage: "Pick Keep or Remove."},
		{Name: "Comment", Width: 40, Input: true},
	}}
}

// TestWriteLayout: a Layout's sheet has what a security tab has — the same
// header styles, frozen header, filter, notes, one drop-down per column
// with choices — its input columns pale, every value a text cell; a text
// sheet holds its lines; the file is owner-only.
func TestWriteLayout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "review.xlsx")
	w, err := Create(path, WriteOptions{Base: &Base{Environment: "Test", Fingerprint: "sha256:1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	users := artifacts.TabUsers.Tab()
	if err := w.StartTab(users); err != nil { // to compare the header styles
		t.Fatal(err)
	}
	if err := w.StartLayout(decisionLayout()); err != nil {
		t.Fatal(err)
	}
	rows := [][]string{
		{"Ann", "=1+1", "Remove", ""},
		{"Bob", "@SUM(A1:A2)", "", ""},
		{"12", "+A1", "Keep", ""}, // no Comment in any row
	}
	for _, r := range rows {
		if err := w.WriteRow(r); err != nil {
			t.Fatal(err)
		}
	}
	lines := []TextLine{{Text: "About", Heading: true}, {Text: "=cmd|' /C calc'!A0"}, {}, {Text: "Then"}}
	if err := w.AddTextSheet("About", 120, lines); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v", st, err)
	}

	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if diff := cmp.Diff([]string{"Users", "Review", "About", "Lists"}, f.GetSheetList()); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}
	got, err := f.GetRows("Review")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"User", "Roles", "Decision", "Comment"}}
	for _, r := range rows {
		want = append(want, strings.Split(strings.TrimRight(strings.Join(r, "\x00"), "\x00"), "\x00"))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if xml := zipPart(t, path, "xl/worksheets/sheet2.xml"); strings.Contains(xml, "<f>") || strings.Contains(xml, "<f ") {
		t.Errorf("the layout's sheet holds a formula:\n%s", xml)
	}
	// The dimension spans the header, though no row has a Comment:
	// openpyxl's read-only mode reads no further.
	if dim := regexp.MustCompile(`<dimension ref="[^"]*"`).FindString(zipPart(t, path, "xl/worksheets/sheet2.xml")); dim != `<dimension ref="A1:D4"` {
		t.Errorf("%s, want A1:D4: the header and the rows", dim)
	}
	if typ, err := f.GetCellType("Review", "A4"); err != nil || typ == excelize.CellTypeNumber {
		t.Errorf("the number-like name 12 is a %v cell (%v), not text", typ, err)
	}

	// The same header styles as the security tabs: key, plain, input as
	// ActionType.
	styleOf := func(sheet, cell string) int {
		s, err := f.GetCellStyle(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	action := slices.IndexFunc(users.Columns, func(c artifacts.Column) bool { return c.Name == "ActionType" })
	for _, c := range []struct{ layout, tab string }{
		{"A1", "A1"},                       // key: User, as the Users key
		{"B1", "B1"},                       // plain
		{"C1", columnName(action+1) + "1"}, // input, as ActionType
		{"D1", columnName(action+1) + "1"},
	} {
		if got, want := styleOf("Review", c.layout), styleOf("Users", c.tab); got != want || got == 0 {
			t.Errorf("header %s has style %d, the security tab's %s %d", c.layout, got, c.tab, want)
		}
	}
	for _, col := range []string{"C", "D"} {
		id, err := f.GetColStyle("Review", col)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil || len(st.Fill.Color) != 1 || st.Fill.Color[0] != inputCellFill {
			t.Errorf("input column %s has style %+v (%v)", col, st, err)
		}
	}
	if id, _ := f.GetColStyle("Review", "B"); id != 0 {
		t.Errorf("plain column B has style %d", id)
	}
	for col, width := range map[string]float64{"A": 30, "B": 50, "C": 12, "D": 40} {
		if got, _ := f.GetColWidth("Review", col); got != width {
			t.Errorf("column %s is %v wide, want %v", col, got, width)
		}
	}
	if diff := cmp.Diff([]string{`C2:C1048576 list "Keep,Remove" stop`}, validationsOf(t, f, "Review")); diff != "" {
		t.Errorf("validations (-want +got):\n%s", diff)
	}
	panes, err := f.GetPanes("Review")
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes %+v %v", panes, err)
	}
	var filter, titles string
	for _, n := range f.GetDefinedName() {
		switch {
		case n.Name == "_xlnm._FilterDatabase" && n.Scope == "Review":
			filter = n.RefersTo
		case n.Name == "_xlnm.Print_Titles" && n.Scope == "Review":
			titles = n.RefersTo
		}
	}
	if filter != "'Review'!$A$1:$D$4" || titles != "'Review'!$1:$1" {
		t.Errorf("filter %q, print titles %q", filter, titles)
	}
	comments, err := f.GetComments("Review")
	if err != nil || len(comments) != 2 {
		t.Fatalf("notes %+v %v", comments, err)
	}
	for _, c := range comments {
		if c.Author != "secmgr test" || (c.Cell != "A1" && c.Cell != "C1") {
			t.Errorf("note %+v", c)
		}
	}

	about, err := f.GetRows("About")
	if err != nil || len(about) != 4 || about[0][0] != "About" || about[1][0] != lines[1].Text || about[3][0] != "Then" {
		t.Errorf("About rows %q %v", about, err)
	}
	if typ, _ := f.GetCellType("About", "A2"); typ == excelize.CellTypeFormula {
		t.Error("a text line became a formula")
	}
	heading, err := f.GetStyle(styleOf("About", "A1"))
	if err != nil || heading.Font == nil || !heading.Font.Bold || heading.Font.Color != headerKeyFill {
		t.Errorf("heading style %+v %v", heading, err)
	}
	if para, err := f.GetStyle(styleOf("About", "A4")); err != nil || para.Alignment == nil || !para.Alignment.WrapText {
		t.Errorf("paragraph style %+v %v", para, err)
	}
	if w, _ := f.GetColWidth("About", "A"); w != 120 {
		t.Errorf("About is %v wide", w)
	}
	wb, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	if b, ok, err := wb.Base(); !ok || err != nil || b.Environment != "Test" {
		t.Errorf("base %+v %v %v", b, ok, err)
	}
}

// TestWriteLayoutRefuses: what a layout's sheet cannot hold is refused,
// naming the file, the tab and the column, and leaves no file behind.
func TestWriteLayoutRefuses(t *testing.T) {
	dir := t.TempDir()
	long := make([]string, 60)
	for i := range long {
		long[i] = "Choice"
	}
	layout := func(name string, cols ...LayoutColumn) func(w *Writer) error {
		return func(w *Writer) error { return w.StartLayout(&Layout{Name: name, Columns: cols}) }
	}
	tests := []struct {
		name  string
		write []func(w *Writer) error // the last one fails
		want  string
	}{
		{"long choices", []func(*Writer) error{layout("L", LayoutColumn{Name: "Pick", Choices: long})}, "tab L column Pick: the choices do not fit"},
		{"no columns", []func(*Writer) error{layout("Empty")}, "tab Empty: no columns"},
		{"a short row", []func(*Writer) error{layout("L", LayoutColumn{Name: "A"}, LayoutColumn{Name: "B"}),
			func(w *Writer) error { return w.WriteRow([]string{"x"}) }}, "tab L: 1 values for 2 columns"},
		{"a name twice", []func(*Writer) error{layout("Notes", LayoutColumn{Name: "A"}),
			func(w *Writer) error { return w.AddTextSheet("NOTES", 80, nil) }}, "the NOTES tab is written twice"},
		{"a security tab's name", []func(*Writer) error{func(w *Writer) error { return w.StartTab(artifacts.TabUsers.Tab()) },
			layout("Users", LayoutColumn{Name: "A"})}, "the Users tab is written twice"},
		{"the Lists tab's name", []func(*Writer) error{layout("lists", LayoutColumn{Name: "A"})}, "lists is the name of the tab of drop-down lists"},
		{"a cell too long", []func(*Writer) error{func(w *Writer) error {
			return w.AddTextSheet("About", 80, []TextLine{{Text: strings.Repeat("x", 40000)}})
		}}, "tab About: line 1 is longer than a cell holds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".xlsx")
			w, err := Create(path, WriteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for i, write := range tt.write {
				err = write(w)
				if i < len(tt.write)-1 && err != nil {
					t.Fatal(err)
				}
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("got %v, want %q naming %s", err, tt.want, path)
			}
			if err := w.Close(); err == nil {
				t.Error("Close succeeded")
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("a file was left at %s: %v", path, err)
			}
		})
	}
}
