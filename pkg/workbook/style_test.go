package workbook

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"secmgr/pkg/artifacts"
)

// validationsOf lists a sheet's data validations as "sqref type formula1
// errorStyle".
func validationsOf(t *testing.T, f *excelize.File, sheet string) []string {
	t.Helper()
	dvs, err := f.GetDataValidations(sheet)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, dv := range dvs {
		style := ""
		if dv.ErrorStyle != nil {
			style = *dv.ErrorStyle
		}
		out = append(out, strings.Join([]string{dv.Sqref, dv.Type, dv.Formula1, style}, " "))
	}
	return out
}

// TestWriteDropDowns: enumerated columns always get a drop-down from the
// Lists tab; reference columns only with a list, as a warning; the Lists
// tab is the last sheet, hidden, one column per list in order of first
// use; each rule covers its whole column, whatever the number of rows.
func TestWriteDropDowns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lists.xlsx")
	w, err := Create(path, WriteOptions{Lists: Lists{
		Users:  []string{"Ann", "Bob"},
		Groups: []string{"Administrators", "Everyone", "Nobody", "Sales"},
		// No exclusion groups: ExGroup columns get no drop-down.
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	write := func(id artifacts.TabID, rows ...[]string) {
		if err := w.StartTab(id.Tab()); err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if err := w.WriteRow(r); err != nil {
				t.Fatal(err)
			}
		}
	}
	write(artifacts.TabUsersInGroups, []string{"Ann", "Sales", "", ""}, []string{"Bob", "Sales", "", ""})
	write(artifacts.TabUsersInExGroups)
	write(artifacts.TabGroups, []string{"Sales", "", "", ""})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if diff := cmp.Diff([]string{"UsersInGroups", "UsersInExGroups", "Groups", "Lists"}, f.GetSheetList()); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}
	want := map[string][]string{
		"UsersInGroups": {
			"A2:A1048576 list Lists!$A$2:$A$3 warning",
			"B2:B1048576 list Lists!$B$2:$B$5 warning",
			"C2:C1048576 list Lists!$C$2:$C$2 stop",
		},
		"UsersInExGroups": {
			"A2:A1048576 list Lists!$A$2:$A$3 warning",
			"C2:C1048576 whole 0 stop",
			"D2:D1048576 list Lists!$D$2:$D$3 warning",
			"E2:E1048576 list Lists!$C$2:$C$2 stop",
		},
		"Groups": {"C2:C1048576 list Lists!$E$2:$E$3 stop"},
	}
	for sheet, dvs := range want {
		if diff := cmp.Diff(dvs, validationsOf(t, f, sheet)); diff != "" {
			t.Errorf("%s validations (-want +got):\n%s", sheet, diff)
		}
	}
	lists, err := f.GetCols(ListsSheet)
	if err != nil {
		t.Fatal(err)
	}
	for i, col := range lists {
		for len(col) > 0 && col[len(col)-1] == "" {
			col = col[:len(col)-1]
		}
		lists[i] = col
	}
	wantLists := [][]string{
		{"User", "Ann", "Bob"},
		{"Group", "Administrators", "Everyone", "Nobody", "Sales"},
		{"ActionType (Remove)", "Remove"},
		{"Boolean", "True", "False"},
		{"ActionType", "Rename", "Remove"},
	}
	if diff := cmp.Diff(wantLists, lists); diff != "" {
		t.Errorf("Lists (-want +got):\n%s", diff)
	}
	if visible, _ := f.GetSheetVisible(ListsSheet); visible {
		t.Error("the Lists tab is visible")
	}
	if idx := f.GetActiveSheetIndex(); idx != 0 {
		t.Errorf("active sheet %d, want the first", idx)
	}
	// Reading ignores the Lists tab.
	wb, _ := readAll(t, path, Options{})
	if len(wb.Findings) != 0 || len(wb.Sheets) != 3 {
		t.Errorf("read back: %d sheets, findings %v", len(wb.Sheets), findingLines(wb.Findings))
	}
}

// TestWriteHeader: the header row is styled (key, plain and action
// columns apart), frozen at A2, filtered over the rows written, printed
// on every page, and each header carries a note on what the column holds.
func TestWriteHeader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "header.xlsx")
	tab := artifacts.TabUsers.Tab()
	row := make([]string, len(tab.Columns))
	row[0], row[2], row[3], row[9] = "Ann", "View", "True", "30"
	writeTabs(t, path, false, []*artifacts.Tab{tab}, map[string][][]string{"Users": {row, row, row}})

	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	panes, err := f.GetPanes("Users")
	if err != nil || !panes.Freeze || panes.TopLeftCell != "A2" || panes.YSplit != 1 {
		t.Errorf("panes %+v, %v; want frozen at A2", panes, err)
	}
	xml := zipPart(t, path, "xl/worksheets/sheet1.xml")
	if !strings.Contains(xml, `<autoFilter ref="$A$1:$P$4">`) && !strings.Contains(xml, `<autoFilter ref="A1:P4">`) {
		t.Errorf("no auto-filter over A1:P4:\n%s", xml[strings.Index(xml, "</sheetData>"):])
	}
	if !strings.Contains(xml, `orientation="landscape"`) || !regexp.MustCompile(`<pageSetUpPr fitToPage="(1|true)"`).MatchString(xml) {
		t.Errorf("not printed landscape, one page wide:\n%s", xml[:min(len(xml), 2000)])
	}
	names := map[string]string{}
	for _, dn := range f.GetDefinedName() {
		names[dn.Name] = dn.RefersTo
	}
	if names["_xlnm.Print_Titles"] != "'Users'!$1:$1" {
		t.Errorf("print titles %q", names["_xlnm.Print_Titles"])
	}

	fills := map[string]string{}
	for i, c := range tab.Columns {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		id, err := f.GetCellStyle("Users", cell)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil || st.Font == nil || !st.Font.Bold || len(st.Fill.Color) != 1 {
			t.Fatalf("%s header style %+v, %v", c.Name, st, err)
		}
		fills[c.Name] = st.Fill.Color[0]
		width, _ := f.GetColWidth("Users", strings.TrimSuffix(cell, "1"))
		if width < float64(len(c.Name)+5) {
			t.Errorf("%s is %.0f wide, narrower than its header and filter button", c.Name, width)
		}
	}
	if fills["User"] != headerKeyFill || fills["UserType"] != headerFill || fills["ActionType"] != headerActionFill {
		t.Errorf("header fills %v", fills)
	}

	comments, err := f.GetComments("Users")
	if err != nil || len(comments) != len(tab.Columns) {
		t.Fatalf("%d header notes, %v; want %d", len(comments), err, len(tab.Columns))
	}
	notes := map[string]string{}
	for _, c := range comments {
		if c.Author != NoteAuthor {
			t.Errorf("%s: note by %q", c.Cell, c.Author)
		}
		for _, r := range c.Paragraph {
			notes[c.Cell] += r.Text
		}
	}
	for cell, want := range map[string]string{
		"A1": "User\nThe user name.\nKey: it identifies each user.",
		"C1": "UserType\nThe user's license type.\nAllowed: Interactive, View, Restricted, Third Party Access, Financial Close.\nRequired.",
		"I1": "Culture\nen-US or fr-FR.\nOthers are kept, with a warning.",
		"O1": "ActionType\nRename or Remove; empty to add or edit the user.",
	} {
		if notes[cell] != want {
			t.Errorf("note on %s:\n%s\nwant:\n%s", cell, notes[cell], want)
		}
	}
}

// TestWriteValidationCostIsPerColumn: a tab of many rows has the same
// data validations as a tab of one, and no data cell carries a style.
func TestWriteValidationCostIsPerColumn(t *testing.T) {
	tab := artifacts.TabUsersInExGroups.Tab()
	count := func(rows int) (int, string) {
		path := filepath.Join(t.TempDir(), "n.xlsx")
		var data [][]string
		for range rows {
			data = append(data, []string{"Ann", "NoHouston", "1", "True", "", ""})
		}
		writeTabs(t, path, false, []*artifacts.Tab{tab}, map[string][][]string{tab.Name: data})
		xml := zipPart(t, path, "xl/worksheets/sheet1.xml")
		return strings.Count(xml, "<dataValidation "), xml
	}
	one, _ := count(1)
	many, xml := count(5000)
	if one != many || one == 0 {
		t.Errorf("%d validations for 1 row, %d for 5,000", one, many)
	}
	if regexp.MustCompile(`<c r="[A-Z]+([2-9]|\d\d+)" s=`).MatchString(xml) {
		t.Error("a data cell carries a style")
	}
}
