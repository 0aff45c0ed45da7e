package review

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"secmgr/examples/golfstream"
	"secmgr/internal/testtools"
	"secmgr/pkg/artifacts"
)

func sample(t testing.TB) *artifacts.Environment {
	t.Helper()
	env, err := golfstream.Environment()
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// writeSample writes the sample's review into a new folder.
func writeSample(t testing.TB, env *artifacts.Environment) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "AccessReview.101500.xlsx")
	if err := Write(env, path, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestWriteSample checks the rows of the sample's review against the
// golden text, as excelize reads them back.
func TestWriteSample(t *testing.T) {
	env := sample(t)
	path := writeSample(t, env)
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if diff := cmp.Diff([]string{Sheet, EffectiveSheet, AboutSheet}, f.GetSheetList()); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}
	rows, err := f.GetRows(Sheet)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.TrimRight(strings.Join(r, " | "), " |") + "\n")
	}
	testtools.Golden(t, filepath.Join("testdata", "golfstream.review.txt"), []byte(b.String()))
	if diff := cmp.Diff(Columns, rows[0]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	if len(rows)-1 != len(env.UsersInGroups) {
		t.Errorf("%d rows for %d memberships", len(rows)-1, len(env.UsersInGroups))
	}
	about, err := f.GetRows(AboutSheet)
	if err != nil || len(about) < 10 || !strings.Contains(about[0][0], "GolfStream") {
		t.Errorf("About tab: %q %v", about, err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("mode of the review: %v %v", st.Mode(), err)
	}
}

// TestWhatMembershipsBring: the roles and the administrator flag of
// memberships the sample plants (see examples/golfstream/README.md).
func TestWhatMembershipsBring(t *testing.T) {
	env := sample(t)
	got := map[string]Row{}
	for r := range Rows(env, Scope{}) {
		got[r.User+" / "+r.Group] = r
	}
	tests := []struct {
		membership string
		admin      bool
		roles      []string // a subset, or exactly with exact
		exact      bool
	}{
		{membership: "Robert Kline / Administrators", admin: true, roles: []string{"AdministerApplication"}},
		{membership: "Priya Raman / IT Platform Team", admin: true},
		{membership: "Acme Integration Service / Data Integration", exact: true,
			roles: []string{"DataSourcesPage", "ManageDataSources", "ManageTransformationRules", "TransformationRulesPage"}},
		{membership: "Jessica Documentation / Documentation LegalA", exact: true},
	}
	for _, tt := range tests {
		r, ok := got[tt.membership]
		if !ok {
			t.Errorf("%s: no row", tt.membership)
			continue
		}
		if r.Administrator != tt.admin {
			t.Errorf("%s: Administrator %v, want %v", tt.membership, r.Administrator, tt.admin)
		}
		if tt.exact && !slices.Equal(r.Roles, tt.roles) {
			t.Errorf("%s: roles %v, want %v", tt.membership, r.Roles, tt.roles)
		}
		for _, role := range tt.roles {
			if !slices.Contains(r.Roles, role) {
				t.Errorf("%s: roles %v lack %s", tt.membership, r.Roles, role)
			}
		}
		if !slices.IsSorted(r.Roles) {
			t.Errorf("%s: roles not sorted: %v", tt.membership, r.Roles)
		}
	}
}

// TestWorkbookShape: the header is styled, frozen and filtered, each
// header has a note, and Decision has one drop-down over the whole
// column.
func TestWorkbookShape(t *testing.T) {
	env := sample(t)
	path := writeSample(t, env)
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dvs, err := f.GetDataValidations(Sheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(dvs) != 1 {
		t.Fatalf("%d data validations, want 1: %+v", len(dvs), dvs)
	}
	dv := dvs[0]
	if dv.Sqref != "H2:H1048576" || dv.Type != "list" || dv.Formula1 != `"Keep,Remove"` || !dv.AllowBlank ||
		dv.ErrorStyle == nil || *dv.ErrorStyle != "stop" || !dv.ShowErrorMessage {
		t.Errorf("the Decision drop-down: %+v", dv)
	}
	panes, err := f.GetPanes(Sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes: %+v %v", panes, err)
	}
	names := f.GetDefinedName()
	var filter string
	for _, n := range names {
		if n.Name == "_xlnm._FilterDatabase" && n.Scope == Sheet {
			filter = n.RefersTo
		}
	}
	if want := "'AccessReview'!$A$1:$J$" + itoa(len(env.UsersInGroups)+1); filter != want {
		t.Errorf("auto-filter %q, want %q", filter, want)
	}
	for i, c := range Columns {
		cell := columnName(i+1) + "1"
		style, err := f.GetCellStyle(Sheet, cell)
		if err != nil || style == 0 {
			t.Errorf("header %s has no style (%v)", c, err)
		}
		w, err := f.GetColWidth(Sheet, columnName(i+1))
		if err != nil || w < float64(len(c)+3) || w > 60 {
			t.Errorf("column %s is %v wide (%v)", c, w, err)
		}
	}
	comments, err := f.GetComments(Sheet)
	if err != nil || len(comments) != len(Columns) {
		t.Errorf("%d header notes, want %d (%v)", len(comments), len(Columns), err)
	}
}

// TestOpenpyxlReadsTheReview: Python tooling sees the same rows, the
// frozen header, the filter and the drop-down.
func TestOpenpyxlReadsTheReview(t *testing.T) {
	python := testtools.Python(t)
	env := sample(t)
	path := writeSample(t, env)
	const script = `
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["AccessReview"]
dvs = [{"type": dv.type, "formula1": dv.formula1, "sqref": str(dv.sqref), "errorStyle": dv.errorStyle,
        "showErrorMessage": bool(dv.showErrorMessage), "allowBlank": bool(dv.allow_blank)}
       for dv in ws.data_validations.dataValidation]
rows = [[c if c is not None else "" for c in r] for r in ws.iter_rows(values_only=True)]
json.dump({"sheets": wb.sheetnames, "freeze": ws.freeze_panes, "filter": ws.auto_filter.ref,
           "validations": dvs, "rows": rows}, sys.stdout)
`
	out, err := exec.Command(python, "-c", script, path).Output()
	if err != nil {
		t.Fatalf("openpyxl: %v", err)
	}
	var got struct {
		Sheets      []string
		Freeze      string
		Filter      string
		Validations []map[string]any
		Rows        [][]any
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if diff := cmp.Diff([]string{Sheet, EffectiveSheet, AboutSheet}, got.Sheets); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}
	if got.Freeze != "A2" || strings.ReplaceAll(got.Filter, "$", "") != "A1:J"+itoa(len(env.UsersInGroups)+1) {
		t.Errorf("freeze %q, filter %q", got.Freeze, got.Filter)
	}
	wantDV := []map[string]any{{"type": "list", "formula1": `"Keep,Remove"`, "sqref": "H2:H1048576", "errorStyle": "stop", "showErrorMessage": true, "allowBlank": true}}
	if diff := cmp.Diff(wantDV, got.Validations); diff != "" {
		t.Errorf("data validations (-want +got):\n%s", diff)
	}
	var want [][]any
	want = append(want, anys(Columns))
	for r := range Rows(env, Scope{}) {
		want = append(want, anys([]string{r.User, r.UserType, boolText(r.IsEnabled), r.Group, strings.Join(r.NestedGroups, ", "), strings.Join(r.Roles, ", "), boolText(r.Administrator), "", "", ""}))
	}
	if diff := cmp.Diff(want, got.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

func anys(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// TestWriteRefusesExisting: an existing file is kept unless force.
func TestWriteRefusesExisting(t *testing.T) {
	env := sample(t)
	path := filepath.Join(t.TempDir(), FileName(exampleTime()))
	if err := os.WriteFile(path, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := Write(env, path, WriteOptions{})
	if err == nil || !strings.Contains(err.Error(), "already exists") || !strings.Contains(err.Error(), path) {
		t.Fatalf("write over an existing file: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "keep me" {
		t.Fatal("the existing file was changed")
	}
	if err := Write(env, path, WriteOptions{Replace: true}); err != nil {
		t.Fatal(err)
	}
	if ok, err := IsReviewWorkbook(path); !ok || err != nil {
		t.Errorf("--force wrote no review: %v %v", ok, err)
	}
	missing := filepath.Join(t.TempDir(), "no such folder", "r.xlsx")
	if err := Write(env, missing, WriteOptions{}); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("a missing folder: %v", err)
	}
}

func TestFileName(t *testing.T) {
	if got := FileName(exampleTime()); got != "AccessReview.101500.xlsx" {
		t.Errorf("FileName = %q", got)
	}
}

func columnName(col int) string {
	name, _ := excelize.ColumnNumberToName(col)
	return name
}
