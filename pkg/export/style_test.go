package export

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"secmgr/internal/testtools"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/workbook"
)

// dumpStyles renders what an export offers beyond its values, as excelize
// reads it back: per sheet its visibility, frozen pane, filter, print
// set-up, column widths and header fills, data validations and header
// notes; the Lists tab's lists in full.
func dumpStyles(t *testing.T, path string) []byte {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b bytes.Buffer
	names := map[string]map[string]string{} // defined name -> scope -> refers to
	for _, dn := range f.GetDefinedName() {
		if names[dn.Name] == nil {
			names[dn.Name] = map[string]string{}
		}
		names[dn.Name][dn.Scope] = dn.RefersTo
	}
	for _, sheet := range f.GetSheetList() {
		visible, _ := f.GetSheetVisible(sheet)
		fmt.Fprintf(&b, "# %s (%s)\n", sheet, map[bool]string{true: "visible", false: "hidden"}[visible])
		if sheet == workbook.ListsSheet {
			cols, err := f.GetCols(sheet)
			if err != nil {
				t.Fatal(err)
			}
			for i, col := range cols {
				for len(col) > 0 && col[len(col)-1] == "" {
					col = col[:len(col)-1]
				}
				name, _ := excelize.ColumnNumberToName(i + 1)
				fmt.Fprintf(&b, "%s %s: %s\n", name, col[0], strings.Join(col[1:], " | "))
			}
			continue
		}
		p, err := f.GetPanes(sheet)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "panes: freeze=%v ySplit=%d topLeft=%s\n", p.Freeze, p.YSplit, p.TopLeftCell)
		fmt.Fprintf(&b, "filter: %s\n", names["_xlnm._FilterDatabase"][sheet])
		layout, err := f.GetPageLayout(sheet)
		if err != nil {
			t.Fatal(err)
		}
		props, err := f.GetSheetProps(sheet)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "print: %s, fit to page %v, %d wide, %d tall, titles %s\n", deref(layout.Orientation), deref(props.FitToPage),
			deref(layout.FitToWidth), deref(layout.FitToHeight), names["_xlnm.Print_Titles"][sheet])
		header, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil || len(header) == 0 {
			t.Fatalf("%s: no header row (%v)", sheet, err)
		}
		for i, h := range header[0] {
			col, _ := excelize.ColumnNumberToName(i + 1)
			width, _ := f.GetColWidth(sheet, col)
			id, _ := f.GetCellStyle(sheet, col+"1")
			st, _ := f.GetStyle(id)
			fill := ""
			if st != nil && len(st.Fill.Color) > 0 {
				fill = st.Fill.Color[0]
			}
			font := ""
			if st != nil && st.Font != nil {
				font = fmt.Sprintf("bold=%v color=%s", st.Font.Bold, st.Font.Color)
			}
			fmt.Fprintf(&b, "column %s %s: width %g, fill %s, %s\n", col, h, width, fill, font)
		}
		dvs, err := f.GetDataValidations(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, dv := range dvs {
			fmt.Fprintf(&b, "validation %s: %s %s %s allowBlank=%v dropDown=%v %q: %q\n", dv.Sqref, dv.Type, dv.Formula1, deref(dv.ErrorStyle),
				dv.AllowBlank, !dv.ShowDropDown, deref(dv.ErrorTitle), deref(dv.Error))
		}
		comments, err := f.GetComments(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range comments {
			text := c.Text
			for _, r := range c.Paragraph {
				text += r.Text
			}
			fmt.Fprintf(&b, "note %s by %s: %s\n", c.Cell, c.Author, strings.ReplaceAll(text, "\n", " / "))
		}
	}
	return b.Bytes()
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// TestExportStylesGolden fixes what a small export offers a person beyond
// its values (see dumpStyles). Regenerate with go test -update after a
// deliberate change.
func TestExportStylesGolden(t *testing.T) {
	res, err := WriteWorkbook(filterEnv(t), Selection{}, t.TempDir(), exportTime, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := dumpStyles(t, res.Path)
	testtools.Golden(t, filepath.Join("testdata", "styles.golden"), got)
}

// TestListsOf: the drop-downs offer every user and group of the
// environment, sorted case-insensitively, groups and exclusion groups
// together for group columns, whatever the export's filters.
func TestListsOf(t *testing.T) {
	env := artifacts.New("lists")
	env.Users = []artifacts.User{{User: "bob"}, {User: "Ann"}}
	env.Groups = append(env.Groups, artifacts.Group{Group: "sales"}, artifacts.Group{Group: "Finance"})
	env.ExGroup = []artifacts.ExGroup{{ExGroup: "NoHouston"}}
	got := ListsOf(env)
	want := workbook.Lists{
		Users:    []string{"Ann", "bob"},
		Groups:   []string{"Administrators", "Everyone", "Finance", "Nobody", "NoHouston", "sales"},
		ExGroups: []string{"NoHouston"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ListsOf (-want +got):\n%s", diff)
	}

	// A filtered export still offers every name.
	res, err := WriteWorkbook(filterEnv(t), Selection{Tabs: areas(t, "users"), Users: mustFilter(t, "Bob*")}, t.TempDir(), exportTime, Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cols, _ := f.GetCols(workbook.ListsSheet)
	users := 0
	for _, c := range cols {
		if len(c) > 0 && c[0] == "User" {
			for _, v := range c[1:] {
				if v != "" {
					users++
				}
			}
		}
	}
	if users != len(filterEnv(t).Users) {
		t.Errorf("the Lists tab of a filtered export offers %d users, want all %d", users, len(filterEnv(t).Users))
	}
}

// TestWriteProgress: Progress is told each tab and, at the end, that
// every row was gone through, before the file is saved.
func TestWriteProgress(t *testing.T) {
	env := filterEnv(t)
	var tabs []string
	last := [2]int{}
	_, err := WriteWorkbook(env, Selection{}, t.TempDir(), exportTime, Options{Progress: func(tab string, done, total int) {
		if len(tabs) == 0 || tabs[len(tabs)-1] != tab {
			tabs = append(tabs, tab)
		}
		if done < last[0] || done > total {
			t.Errorf("progress went from %d to %d of %d", last[0], done, total)
		}
		last = [2]int{done, total}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tabs) != int(artifacts.NumTabs)+1 || tabs[0] != "Users" || tabs[len(tabs)-1] != "" {
		t.Errorf("tabs reported: %q", tabs)
	}
	if last[0] != last[1] || last[1] != env.Rows() {
		t.Errorf("last progress %d of %d, want %d of %d", last[0], last[1], env.Rows(), env.Rows())
	}
}
