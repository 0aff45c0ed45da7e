package workbook_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"secmgr/examples/golfstream"
	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/export"
	"secmgr/pkg/plans"
	"secmgr/pkg/validate"
	"secmgr/pkg/workbook"
)

// cellMark is what Annotate leaves on one cell.
type cellMark struct {
	Comment string
	Fill    string
}

// marks returns the comments by author on every sheet of the workbook at
// path, with the fill of their cells, keyed by "Sheet!A1".
func marks(t *testing.T, path, author string) map[string]cellMark {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]cellMark{}
	for _, sheet := range f.GetSheetList() {
		cs, err := f.GetComments(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if c.Author != author {
				continue
			}
			text := c.Text
			for _, r := range c.Paragraph {
				text += r.Text
			}
			fill := ""
			if id, err := f.GetCellStyle(sheet, c.Cell); err == nil {
				if st, err := f.GetStyle(id); err == nil && len(st.Fill.Color) > 0 {
					fill = st.Fill.Color[0]
				}
			}
			out[sheet+"!"+c.Cell] = cellMark{text, fill}
		}
	}
	return out
}

// values returns every cell value of every sheet of the workbook at path.
func values(t *testing.T, path string) map[string][][]string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][][]string{}
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		out[sheet] = rows
	}
	return out
}

func plan(t *testing.T, path string, env *artifacts.Environment) *plans.Plan {
	t.Helper()
	p, err := actions.PlanWorkbook(path, env, actions.PlanOptions{Source: "edits.xlsx"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func sampleEnv(t *testing.T) *artifacts.Environment {
	t.Helper()
	env, err := golfstream.Environment()
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// TestAnnotateMarksExactlyTheBadCells annotates the example workbook of
// mistakes: a comment and a fill on each cell with a finding (the unknown
// Notes tab on its A1), nothing on any other cell, every value unchanged,
// and planning the annotated copy gives the same findings and changes.
func TestAnnotateMarksExactlyTheBadCells(t *testing.T) {
	env := sampleEnv(t)
	in := filepath.Join("..", "..", "examples", "golfstream", "edits", "mistakes.xlsx")
	p := plan(t, in, env)
	out := filepath.Join(t.TempDir(), "checked.xlsx")
	if err := workbook.Annotate(in, out, p.Findings); err != nil {
		t.Fatal(err)
	}

	want := map[string]cellMark{}
	for _, f := range p.Findings {
		cell, fill := f.Cell, "FFEB9C"
		if cell == "" {
			cell = f.Tab + "!A1"
		}
		if f.Severity == validate.Error {
			fill = "FFC7CE"
		}
		want[cell] = cellMark{string(f.Severity) + ": " + f.Message + " [" + f.Code + "]", fill}
	}
	if len(want) < 8 {
		t.Fatalf("the example has %d marked cells; the test needs its eight findings", len(want))
	}
	if diff := cmp.Diff(want, marks(t, out, workbook.AnnotateAuthor)); diff != "" {
		t.Errorf("marks (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(values(t, in), values(t, out)); diff != "" {
		t.Errorf("values changed (-before +after):\n%s", diff)
	}
	again := plan(t, out, env)
	if diff := cmp.Diff(p, again); diff != "" {
		t.Errorf("the annotated copy plans differently (-original +annotated):\n%s", diff)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("annotated copy: %v, mode %v; want 0600", err, st.Mode().Perm())
	}
}

// TestAnnotateExport annotates an edited export: the finding's comment
// goes on its cell, the export's header notes, drop-downs, filter and
// hidden Lists tab stay as they were, and a finding on a header keeps the
// header's note below it.
func TestAnnotateExport(t *testing.T) {
	env := sampleEnv(t)
	dir := t.TempDir()
	res, err := export.WriteWorkbook(env, export.Selection{Tabs: []artifacts.TabID{artifacts.TabUsersInGroups, artifacts.TabEntity}},
		dir, time.Date(2026, 1, 2, 10, 15, 0, 0, time.UTC), export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	edited := filepath.Join(dir, "edited.xlsx")
	f, err := excelize.OpenFile(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetCellStr("UsersInGroups", "B3", "Documentation LegaIA"))
	must(f.SetCellStr("Entity", "C1", "ReadGroup")) // ReadGroup2 becomes a second ReadGroup
	must(f.SaveAs(edited))
	f.Close()

	p := plan(t, edited, env)
	out := filepath.Join(dir, "checked.xlsx")
	if err := workbook.Annotate(edited, out, p.Findings); err != nil {
		t.Fatal(err)
	}
	got := marks(t, out, workbook.AnnotateAuthor)
	var cells []string
	for c := range got {
		cells = append(cells, c)
	}
	slices.Sort(cells)
	var want []string
	for _, f := range p.Findings {
		if !slices.Contains(want, f.Cell) {
			want = append(want, f.Cell)
		}
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, cells); diff != "" || len(want) != 2 {
		t.Fatalf("marked cells (-findings +marked):\n%s\nfindings: %v", diff, p.Findings)
	}
	if m := got["Entity!C1"]; !containsAll(m.Comment, "[duplicate-column]", "ReadGroup2\nAn existing group") {
		t.Errorf("Entity!C1: the finding and the header's note should both be there:\n%s", m.Comment)
	}

	// The export's features are all still there.
	before, after := features(t, edited), features(t, out)
	delete(before.notes, "Entity!C1")
	delete(after.notes, "Entity!C1")
	if diff := cmp.Diff(before, after, cmp.AllowUnexported(exportFeatures{})); diff != "" {
		t.Errorf("Annotate changed the export's features (-before +after):\n%s", diff)
	}
	if len(after.validations) == 0 || after.lists != "hidden" || len(after.notes) < 8 {
		t.Errorf("features of the annotated copy: %+v", after)
	}
	if diff := cmp.Diff(p, plan(t, out, env)); diff != "" {
		t.Errorf("the annotated copy plans differently (-edited +annotated):\n%s", diff)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// exportFeatures is what an export offers beyond its values.
type exportFeatures struct {
	validations []string          // "Sheet sqref formula style"
	notes       map[string]string // "Sheet!A1" -> text, by NoteAuthor
	filters     []string
	lists       string // "hidden", "visible" or "" (none)
}

func features(t *testing.T, path string) exportFeatures {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	x := exportFeatures{notes: map[string]string{}}
	for _, sheet := range f.GetSheetList() {
		dvs, err := f.GetDataValidations(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, dv := range dvs {
			style := ""
			if dv.ErrorStyle != nil {
				style = *dv.ErrorStyle
			}
			x.validations = append(x.validations, sheet+" "+dv.Sqref+" "+dv.Formula1+" "+style)
		}
		for _, c := range marksOf(t, f, sheet) {
			if c.Author == workbook.NoteAuthor {
				x.notes[sheet+"!"+c.Cell] = c.Text
			}
		}
		if sheet == workbook.ListsSheet {
			x.lists = "visible"
			if v, _ := f.GetSheetVisible(sheet); !v {
				x.lists = "hidden"
			}
		}
	}
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm._FilterDatabase" {
			x.filters = append(x.filters, dn.Scope+" "+dn.RefersTo)
		}
	}
	return x
}

func marksOf(t *testing.T, f *excelize.File, sheet string) []excelize.Comment {
	t.Helper()
	cs, err := f.GetComments(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for i := range cs {
		for _, r := range cs[i].Paragraph {
			cs[i].Text += r.Text
		}
	}
	return cs
}
