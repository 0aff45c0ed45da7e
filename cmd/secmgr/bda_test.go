package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"secmgr/examples/golfstream"
	"secmgr/internal/testtools"
	"secmgr/pkg/artifacts"
)

// bookShape opens a workbook with openpyxl and returns, per sheet in
// order, its header row, its rows' values and its data validations.
type sheetShape struct {
	Name        string     `json:"name"`
	Header      []string   `json:"header"`
	Rows        [][]string `json:"rows"`
	Validations []struct {
		Type     string `json:"type"`
		Formula1 string `json:"formula1"`
		Sqref    string `json:"sqref"`
	} `json:"validations"`
}

func bookShape(t *testing.T, path string) []sheetShape {
	t.Helper()
	python := testtools.Python(t)
	prog := `
import sys, json, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
out = []
for ws in wb.worksheets:
    rows = [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]
    out.append({"name": ws.title, "header": rows[0] if rows else [], "rows": rows[1:],
        "validations": [{"type": dv.type or "", "formula1": dv.formula1 or "", "sqref": str(dv.sqref)} for dv in ws.data_validations.dataValidation]})
print(json.dumps(out))
`
	out, err := exec.Command(python, "-c", prog, path).Output()
	if err != nil {
		t.Fatalf("openpyxl reading %s: %v", path, err)
	}
	var shape []sheetShape
	if err := json.Unmarshal(out, &shape); err != nil {
		t.Fatal(err)
	}
	return shape
}

// guideHeader is the header a BDA workbook has on tab t.
func guideHeader(t *artifacts.Tab) []string {
	var h []string
	for _, ci := range t.GuideColumns() {
		h = append(h, t.Columns[ci].Name)
	}
	return h
}

// export --bda writes exactly the guide's tabs and columns: no Lists
// tab, no ActionType/ActionValue where they are extensions, no user or
// group drop-downs, inline drop-downs where they fit, only Data Cell
// Access Security slice rules. Opened with openpyxl.
func TestExportBDAThroughBinary(t *testing.T) {
	dir := t.TempDir()
	sampleIn(t, dir)
	r := ok(t, dir, nil, "export", "--env", "g.json", "--bda")
	if !strings.Contains(r.stderr, "4 slice rules of types other than Data Cell Access Security left out") {
		t.Errorf("export --bda does not say which rules it left out:\n%s", r.stderr)
	}
	shape := bookShape(t, strings.TrimSpace(filepath.Join(dir, filepath.Base(strings.TrimSpace(r.stdout)))))
	var names []string
	for _, s := range shape {
		names = append(names, s.Name)
	}
	var want []string
	for _, tab := range artifacts.AllTabs() {
		want = append(want, tab.Name)
	}
	if !slices.Equal(names, want) {
		t.Fatalf("sheets %v, want exactly %v", names, want)
	}
	headers := map[string]string{
		"Users":              "User Description UserType IsEnabled ExternalAuthProviderName ExternalUserName Password Email Culture NumGridRows Text1 Text2 Text3 Text4 ActionType ActionValue",
		"UsersInGroups":      "User ParentGroup",
		"Groups":             "Group Description ActionType ActionValue",
		"GroupsInGroups":     "Group ParentGroup",
		"ExGroup":            "ExGroup Description",
		"UsersInExGroups":    "User ExGroup ProcessingOrder AllowAccess",
		"GroupsInExGroups":   "Group ExGroup ProcessingOrder AllowAccess",
		"CubeDataCellAccess": "Cube Type ProcessingOrdering Description AccessGroup BehaviorInGrpInFilter AccessLevelInGrpInFilter BehaviorInGrpNotInFilter AccessLevelInGrpNotInFilter BehaviorNotInGrpInFilter AccessLevelNotInGrpInFilter EntityMemberFilter ParentMemberFilter ConsMemberFilter ScenarioMemberFilter TimeMemberFilter ViewMemberFilter AccountMemberFilter FlowMemberFilter OriginMemberFilter ICMemberFilter UD1MemberFilter UD2MemberFilter UD3MemberFilter UD4MemberFilter UD5MemberFilter UD6MemberFilter UD7MemberFilter UD8MemberFilter",
		"DisplayMembers":     "Dimension Member DisplayMemberGroup",
	}
	for _, s := range shape {
		tab, _ := artifacts.LookupTab(s.Name)
		if got, w := strings.Join(s.Header, " "), strings.Join(guideHeader(tab), " "); got != w {
			t.Errorf("%s header %q, want %q", s.Name, got, w)
		}
		if w, ok := headers[s.Name]; ok && strings.Join(s.Header, " ") != w {
			t.Errorf("%s header %q, want the guide's %q", s.Name, strings.Join(s.Header, " "), w)
		}
		for _, v := range s.Validations {
			if strings.Contains(v.Formula1, "Lists!") || strings.Contains(v.Formula1, "!") {
				t.Errorf("%s: a drop-down draws on another sheet: %+v", s.Name, v)
			}
			if v.Type == "list" && !strings.HasPrefix(v.Formula1, `"`) {
				t.Errorf("%s: a drop-down that is not inline: %+v", s.Name, v)
			}
		}
		if s.Name == "CubeDataCellAccess" {
			for _, row := range s.Rows {
				if row[1] != artifacts.GuideSliceRuleType {
					t.Errorf("a slice rule of Type %q in the BDA export", row[1])
				}
				if row[12] != "" && !strings.HasPrefix(row[12], "E#") {
					t.Errorf("ParentMemberFilter %q is not an E# filter", row[12])
				}
			}
			if len(s.Rows) != 4 {
				t.Errorf("%d slice rules, want the sample's 4 Data Cell Access Security rules", len(s.Rows))
			}
		}
	}
	// Inline drop-downs stay: UserType on Users; none for user or group
	// columns (they would need the Lists tab).
	users := shape[0]
	hasList := func(s sheetShape, col string) bool {
		for _, v := range s.Validations {
			if v.Type == "list" && strings.HasPrefix(v.Sqref, col+"2:") {
				return true
			}
		}
		return false
	}
	if !hasList(users, "C") || !hasList(users, "O") {
		t.Errorf("Users lacks its inline UserType or ActionType drop-down: %+v", users.Validations)
	}
	if hasList(shape[1], "A") || hasList(shape[1], "B") {
		t.Errorf("UsersInGroups has a user or group drop-down: %+v", shape[1].Validations)
	}
	// The export imports as it is, --bda or not: an empty plan.
	name := filepath.Base(strings.TrimSpace(r.stdout))
	for _, args := range [][]string{{"validate", name, "--env", "g.json", "--bda"}, {"validate", name, "--env", "g.json"}} {
		if r := secmgr(t, dir, nil, args...); r.code != 0 {
			t.Errorf("%v: exit %d\n%s", args, r.code, r.stdout)
		}
	}
	// Without --bda the export has the Lists tab and the extension columns.
	r = ok(t, dir, nil, "export", "--env", "g.json", "--force", "--out-dir", t.TempDir())
	full := bookShape(t, strings.TrimSpace(r.stdout))
	if full[len(full)-1].Name != "Lists" || strings.Join(full[1].Header, " ") != "User ParentGroup ActionType ActionValue" {
		t.Errorf("a full export lost its Lists tab or extension columns: %s %v", full[len(full)-1].Name, full[1].Header)
	}
}

// With --bda every use of an extension is an error at its cell; the
// guide's own vocabulary and headers (Users/Groups Remove with a member,
// ProcessingOrder or ProcessingOrdering, Group name, E# parents) plan.
func TestPlanBDAThroughBinary(t *testing.T) {
	dir := t.TempDir()
	sampleIn(t, dir)
	openpyxlBook(t, dir, "ext.xlsx", `
ws = wb.create_sheet("UsersInGroups")
ws.append(["User", "ParentGroup", "ActionType", "ActionValue"])
ws.append(["Brian Foster", "Budget Preparers", "Remove", None])
ws = wb.create_sheet("GroupsInGroups")
ws.append(["Group", "ParentGroup", "ActionType"])
ws.append(["Augusta_View", "North America", "remove"])
ws = wb.create_sheet("UsersInExGroups")
ws.append(["User", "ExGroup", "ActionType"])
ws.append(["Mark Sullivan", "Houston Mod Except Contractors", "Remove"])
ws = wb.create_sheet("CubeDataCellAccess")
ws.append(["Cube", "Type", "ProcessingOrder", "AccessGroup", "BehaviorInGrpInFilter", "AccessLevelInGrpInFilter", "BehaviorInGrpNotInFilter", "AccessLevelInGrpNotInFilter", "BehaviorNotInGrpInFilter", "AccessLevelNotInGrpInFilter"])
ws.append(["GolfStream", "Data Cell Conditional Input", 7, "Houston_Mod", "Skip Item And Continue", "No Access", "Skip Item And Continue", "No Access", "Skip Item And Continue", "No Access"])
`)
	code, findings, _ := planJSON(t, dir, "ext.xlsx", "--bda")
	if code != 1 {
		t.Errorf("plan --bda: exit %d, want 1", code)
	}
	for cell, want := range map[string]string{
		"UsersInGroups!C2":      "a Users row for 'Brian Foster' with ActionType Remove and ActionValue 'Budget Preparers'",
		"GroupsInGroups!C2":     "a Groups row for 'North America' with ActionType Remove and ActionValue 'Augusta_View'",
		"UsersInExGroups!C2":    "by hand in OneStream (System > Security > Exclusion Groups",
		"CubeDataCellAccess!B2": "slice-rule Type 'Data Cell Conditional Input' is a secmgr extension",
	} {
		if !hasFinding(findings, "error", "bda-extension", cell, want) {
			t.Errorf("no bda-extension error at %s saying %q: %v", cell, want, findings)
		}
	}
	// Without --bda the extensions are ordinary input.
	code, findings, changes := planJSON(t, dir, "ext.xlsx")
	if code != 2 || len(changes) != 4 {
		t.Errorf("plan: exit %d with %d changes, want 2 and 4: %v", code, len(changes), findings)
	}
	for _, f := range findings {
		if f["code"] == "bda-extension" {
			t.Errorf("a bda-extension finding without --bda: %v", f)
		}
	}
	if r := secmgr(t, dir, nil, "validate", "ext.xlsx", "--env", "g.json", "--bda"); r.code != 1 || !strings.Contains(r.stdout, "UsersInGroups!C2: error: ") {
		t.Errorf("validate --bda: exit %d\n%s", r.code, r.stdout)
	}

	// The same changes in the guide's vocabulary and headers.
	openpyxlBook(t, dir, "guide.xlsx", `
ws = wb.create_sheet("Users")
ws.append(["User", "ActionType", "ActionValue"])
ws.append(["Brian Foster", "Remove", "Budget Preparers"])
ws.append(["Brian Foster", "Remove", "Carlsbad_Mod"])
ws = wb.create_sheet("Groups")
ws.append(["Group", "ActionType", "ActionValue"])
ws.append(["North America", "Remove", "Augusta_View"])
ws = wb.create_sheet("GroupsInGroups")
ws.append(["Group name", "ParentGroup"])
ws.append(["Houston_View", "Houston Team"])
ws = wb.create_sheet("CubeDataCellAccess")
ws.append(["Cube", "Type", "ProcessingOrdering", "AccessGroup", "BehaviorInGrpInFilter", "AccessLevelInGrpInFilter", "BehaviorInGrpNotInFilter", "AccessLevelInGrpNotInFilter", "BehaviorNotInGrpInFilter", "AccessLevelNotInGrpInFilter", "ParentMemberFilter"])
ws.append(["GolfStream", "Data Cell Access Security", 7, "Houston_Mod", "Skip Item And Continue", "No Access", "Skip Item And Continue", "No Access", "Skip Item And Continue", "No Access", "E#Top"])
`)
	code, findings, changes = planJSON(t, dir, "guide.xlsx", "--bda")
	if code != 2 || len(findings) != 0 {
		t.Errorf("plan --bda of the guide's vocabulary: exit %d, findings %v", code, findings)
	}
	var lines []string
	for _, c := range changes {
		b, _ := json.Marshal([]any{c["op"], c["tab"], c["key"]})
		lines = append(lines, string(b))
	}
	want := []string{
		`["add","CubeDataCellAccess",["GolfStream","Data Cell Access Security","7"]]`,
		`["remove","UsersInGroups",["Brian Foster","Budget Preparers"]]`,
		`["remove","UsersInGroups",["Brian Foster","Carlsbad_Mod"]]`,
		`["remove","GroupsInGroups",["Augusta_View","North America"]]`,
	}
	slices.Sort(lines)
	slices.Sort(want)
	if !slices.Equal(lines, want) {
		t.Errorf("changes\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// diff writes each change the guide's way where the guide has one and
// warns not-bda, at the cell, where it has none; diff --bda leaves those
// out as errors and writes only the guide's columns. Both workbooks apply
// (read by openpyxl too), and the guide's part leaves nothing to diff.
func TestDiffBDAThroughBinary(t *testing.T) {
	dir := t.TempDir()
	sampleIn(t, dir)
	env, err := artifacts.Decode(golfstream.EnvironmentJSON)
	if err != nil {
		t.Fatal(err)
	}
	env.UsersInGroups = slices.DeleteFunc(env.UsersInGroups, func(x artifacts.UserInGroup) bool {
		return x.User == "Brian Foster" // leaves Budget Preparers and Carlsbad_Mod
	})
	env.GroupsInGroups = slices.DeleteFunc(env.GroupsInGroups, func(x artifacts.GroupInGroup) bool {
		return x.Group == "Augusta_View" && x.ParentGroup == "North America"
	})
	env.UsersInExGroups = slices.DeleteFunc(env.UsersInExGroups, func(x artifacts.UserInExGroup) bool { return x.User == "Mark Sullivan" })
	b, err := artifacts.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "src.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "dst.json"), golfstream.EnvironmentJSON, 0o600); err != nil {
		t.Fatal(err)
	}

	r := secmgr(t, dir, nil, "diff", "--from", "src.json", "--to", "dst.json", "--prune", "--out", "changes.xlsx")
	if r.code != 2 {
		t.Fatalf("diff: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "UsersInExGroups!E2: warning: exclusion group entry 'Mark Sullivan / Houston Mod Except Contractors' is removed with ActionType Remove on the UsersInExGroups tab, a secmgr extension that BDA Security Manager does not read; apply this workbook with secmgr, or make the change by hand in OneStream (System > Security > Exclusion Groups") {
		t.Errorf("no not-bda warning at the cell:\n%s", r.stdout)
	}
	shape := bookShape(t, filepath.Join(dir, "changes.xlsx"))
	rowsOf := func(shape []sheetShape, name string) []string {
		for _, s := range shape {
			if s.Name == name {
				var out []string
				for _, row := range s.Rows {
					out = append(out, strings.Join(slices.DeleteFunc(slices.Clone(row), func(v string) bool { return v == "" }), "|"))
				}
				return out
			}
		}
		t.Fatalf("no sheet %s", name)
		return nil
	}
	users := strings.Join(rowsOf(shape, "Users"), "\n")
	for _, want := range []string{"Brian Foster|", "|Remove|Budget Preparers", "|Remove|Carlsbad_Mod"} {
		if !strings.Contains(users, want) {
			t.Errorf("the Users tab does not remove the memberships the guide's way (%q):\n%s", want, users)
		}
	}
	if got := rowsOf(shape, "Groups"); len(got) != 1 || !strings.HasPrefix(got[0], "North America|") || !strings.HasSuffix(got[0], "|Remove|Augusta_View") {
		t.Errorf("Groups rows %q, want North America … Remove Augusta_View", got)
	}
	if got := rowsOf(shape, "UsersInGroups"); len(got) != 0 {
		t.Errorf("UsersInGroups rows %q, want none: the removals are on the Users tab", got)
	}

	// --bda: only the guide's columns, the exclusion entry left out as an
	// error.
	r = secmgr(t, dir, nil, "diff", "--from", "src.json", "--to", "dst.json", "--prune", "--out", "bda.xlsx", "--bda")
	if r.code != 1 || !strings.Contains(r.stdout, "error: exclusion group entry 'Mark Sullivan / Houston Mod Except Contractors' would be removed with ActionType Remove") {
		t.Errorf("diff --bda: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	bda := bookShape(t, filepath.Join(dir, "bda.xlsx"))
	for _, s := range bda {
		tab, _ := artifacts.LookupTab(s.Name)
		if tab == nil || strings.Join(s.Header, " ") != strings.Join(guideHeader(tab), " ") {
			t.Errorf("diff --bda sheet %s has header %v", s.Name, s.Header)
		}
	}
	if got := rowsOf(bda, "UsersInExGroups"); len(got) != 0 {
		t.Errorf("diff --bda wrote exclusion rows %q", got)
	}
	if r := secmgr(t, dir, nil, "validate", "bda.xlsx", "--env", "dst.json", "--bda"); r.code != 2 {
		t.Errorf("validate --bda of the diff --bda workbook: exit %d\n%s", r.code, r.stdout)
	}

	// The full change workbook applies, and then nothing is left to diff.
	ok(t, dir, nil, "apply", "changes.xlsx", "--env", "dst.json", "--yes")
	if r := secmgr(t, dir, nil, "diff", "--from", "src.json", "--to", "dst.json", "--prune"); r.code != 0 {
		t.Errorf("diff after applying: exit %d\n%s", r.code, r.stdout)
	}
}
