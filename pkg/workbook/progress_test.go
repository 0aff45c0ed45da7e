package workbook

import (
	"path/filepath"
	"strconv"
	"testing"

	"secmgr/pkg/artifacts"
)

// TestReadProgress: reading tells Progress the sheet and its rows as it
// goes, every 1,000 rows, and Done reaches Total once every sheet is read,
// however often a sheet is read.
func TestReadProgress(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.xlsx")
	var rows [][]string
	for i := range 2500 {
		rows = append(rows, []string{"User " + strconv.Itoa(i), "Sales", "", ""})
	}
	writeTabs(t, path, false, []*artifacts.Tab{artifacts.TabUsersInGroups.Tab(), artifacts.TabGroups.Tab()},
		map[string][][]string{"UsersInGroups": rows, "Groups": {{"Sales", "", "", ""}}})

	var got []ReadProgress
	wb, err := Open(path, Options{Progress: func(p ReadProgress) { got = append(got, p) }})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	for _, s := range append(wb.Sheets, wb.Sheets[0]) { // the first sheet twice
		if err := wb.Read(s, func(*Row) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) == 0 {
		t.Fatal("Progress was never called")
	}
	total := got[0].Total
	var ends []ReadProgress
	for _, p := range got {
		if p.Total != total || p.Done > total {
			t.Errorf("progress %+v, total %d", p, total)
		}
	}
	for i, p := range got {
		if i+1 == len(got) || got[i+1].Rows == 0 {
			ends = append(ends, p)
		}
	}
	if len(ends) != 3 || ends[0].Sheet != "UsersInGroups" || ends[0].Rows != 2501 || ends[1].Done != total || ends[2].Done != total {
		t.Errorf("sheet ends %+v, total %d", ends, total)
	}
	if total < 2500*20 {
		t.Errorf("total %d bytes: the sheets were not measured", total)
	}
	mid := 0
	for _, p := range got {
		if p.Sheet == "UsersInGroups" && p.Rows > 0 && p.Rows < 2501 {
			mid++
		}
	}
	if mid != 4 { // 1,000 and 2,000, on each of two reads
		t.Errorf("%d progress calls inside UsersInGroups, want 4: %+v", mid, got)
	}
}
