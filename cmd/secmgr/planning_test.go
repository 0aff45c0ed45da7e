package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"secmgr/examples/golfstream"
	"secmgr/internal/testtools"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
	"secmgr/pkg/validate"
)

// These tests hold what a plan means for the edits a person makes, run
// through the binary on workbooks written by openpyxl (as Python scripts
// around OneStream write them): exports edited and saved again, and
// workbooks made from nothing.

// openpyxlPrelude gives an edit script helpers that find columns by
// header name (alternatives separated by "|"), so the scripts do not
// depend on the order of columns. argv[1] is the workbook to edit ("-"
// for a new one), argv[2] where to save it.
const openpyxlPrelude = `
import sys, openpyxl
if sys.argv[1] == "-":
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
else:
    wb = openpyxl.load_workbook(sys.argv[1])

def col(tab, name):
    header = [str(c.value or "").strip().lower() for c in wb[tab][1]]
    for n in name.split("|"):
        if n.lower() in header:
            return header.index(n.lower()) + 1
    raise SystemExit("no column %s on %s" % (name, tab))

def text(v):
    return "" if v is None else str(v)

def row(tab, key):
    s = wb[tab]
    cols = [(col(tab, k), str(v).lower()) for k, v in key.items()]
    for r in range(2, s.max_row + 1):
        if all(text(s.cell(r, c).value).lower() == v for c, v in cols):
            return r
    raise SystemExit("no row %r on %s" % (key, tab))

def put(tab, r, name, value):
    wb[tab].cell(r, col(tab, name)).value = value

def add(tab, values):
    r = wb[tab].max_row + 1
    for k, v in values.items():
        put(tab, r, k, v)
    return r

def sheet(tab, header, *rows):
    s = wb.create_sheet(tab)
    s.append(header)
    for r in rows:
        s.append(list(r))
`

// openpyxlWorkbook runs script (after the prelude) on the workbook in
// (or on a new one for "-") and saves the result as out.
func openpyxlWorkbook(t *testing.T, in, out, script string) {
	t.Helper()
	python := testtools.Python(t)
	b, err := exec.Command(python, "-c", openpyxlPrelude+script+"\nwb.save(sys.argv[2])\n", in, out).CombinedOutput()
	if err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, b)
	}
}

// exportSample writes the GolfStream sample as dir/gs.json and exports it
// with the binary; it returns the export's path.
func exportSample(t *testing.T, dir string) string {
	t.Helper()
	sampleEnv(t, dir)
	r := ok(t, dir, nil, "export", "--env", "gs.json", "--out-dir", dir)
	return strings.TrimSpace(r.stdout)
}

// planOf runs secmgr plan --format json and returns the plan and the exit
// code.
func planOf(t *testing.T, dir, wb string, flags ...string) (*plans.Plan, int) {
	t.Helper()
	r := secmgr(t, dir, nil, append([]string{"plan", wb, "--env", "gs.json", "--format", "json"}, flags...)...)
	var p plans.Plan
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
		t.Fatalf("plan --format json: %v\nstdout:\n%s\nstderr:\n%s", err, r.stdout, r.stderr)
	}
	return &p, r.code
}

func planLines(p *plans.Plan) []string {
	var out []string
	for _, c := range p.Changes {
		out = append(out, plans.ChangeLine(c))
	}
	return out
}

// findingsWith returns the findings of a code.
func findingsWith(p *plans.Plan, code string) []validate.Finding {
	var out []validate.Finding
	for _, f := range p.Findings {
		if f.Code == code {
			out = append(out, f)
		}
	}
	return out
}

func wantLines(t *testing.T, p *plans.Plan, want ...string) {
	t.Helper()
	got := planLines(p)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("plan:\n%s\nwant:\n%s\nfindings: %v", strings.Join(got, "\n"), strings.Join(want, "\n"), p.Findings)
	}
}

// applyAndReplan applies the workbook (an export, edited), checks that
// planning it again plans nothing — three-way, against the base the
// export records — and returns apply's output.
func applyAndReplan(t *testing.T, dir, wb string, flags ...string) result {
	t.Helper()
	r := ok(t, dir, nil, append([]string{"apply", wb, "--env", "gs.json", "--yes"}, flags...)...)
	again, code := planOf(t, dir, wb, flags...)
	if code != 0 || len(again.Changes) != 0 || !again.Applicable || again.Base == nil {
		t.Fatalf("planning the workbook again after apply (exit %d, base %+v):\n%s\nfindings: %v", code, again.Base, strings.Join(planLines(again), "\n"), again.Findings)
	}
	return r
}

// Remove with a member (a Users row with a group, a Groups row with a
// member) decides for that membership in the whole workbook: the full
// export's UsersInGroups and GroupsInGroups rows, which still list it, are
// the warning removed-by-row — on the first plan and after the apply.
func TestRemoveWithMemberThroughBinary(t *testing.T) {
	dir := t.TempDir()
	export := exportSample(t, dir)
	wb := filepath.Join(dir, "edited.xlsx")
	openpyxlWorkbook(t, export, wb, `
r = row("Users", {"User": "Anna Weber"})
put("Users", r, "ActionType", "Remove"); put("Users", r, "ActionValue", "frankfurt_view")
r = row("Groups", {"Group": "Augusta_View"})
put("Groups", r, "ActionType", "Remove"); put("Groups", r, "ActionValue", "Augusta_Mod")
`)
	p, code := planOf(t, dir, wb)
	if code != 2 {
		t.Fatalf("plan: exit %d, want 2; findings %v", code, p.Findings)
	}
	wantLines(t, p, "- UsersInGroups Anna Weber / Frankfurt_View", "- GroupsInGroups Augusta_Mod / Augusta_View")
	byRow := findingsWith(p, validate.CodeRemovedByRow)
	if len(byRow) != 2 || byRow[0].Tab != "UsersInGroups" || !strings.Contains(byRow[0].Message, "removed by Users!") ||
		byRow[1].Tab != "GroupsInGroups" || !strings.Contains(byRow[1].Message, "removed by Groups!") {
		t.Fatalf("removed-by-row findings: %v", byRow)
	}
	applyAndReplan(t, dir, wb)
	again, _ := planOf(t, dir, wb)
	if n := len(findingsWith(again, validate.CodeRemovedByRow)); n != 2 {
		t.Errorf("after apply: %d removed-by-row warnings, want 2: %v", n, again.Findings)
	}
	// Planned again three-way (the workbook keeps its base), a removal
	// made already is no change; without a base, two-way, it is the
	// warning already-absent.
	noBase := filepath.Join(dir, "nobase.xlsx")
	openpyxlWorkbook(t, wb, noBase, `wb.properties.identifier = None`)
	twoWay, code := planOf(t, dir, noBase)
	if code != 0 || len(twoWay.Changes) != 0 || twoWay.Base != nil {
		t.Fatalf("two-way after apply (exit %d): %v\n%v", code, planLines(twoWay), twoWay.Findings)
	}
	if n := len(findingsWith(twoWay, validate.CodeRemovedByRow)); n != 2 {
		t.Errorf("two-way after apply: %d removed-by-row warnings, want 2: %v", n, twoWay.Findings)
	}
	if n := len(findingsWith(twoWay, validate.CodeAlreadyAbsent)); n != 2 {
		t.Errorf("two-way after apply: %d already-absent warnings, want 2: %v", n, twoWay.Findings)
	}
}

// A slice rule moves with Rename and a whole number, goes with Remove; an
// overtyped order is the warning looks-moved; the undo moves the rule
// back.
func TestSliceRuleMovesThroughBinary(t *testing.T) {
	dir := t.TempDir()
	export := exportSample(t, dir)
	wb := filepath.Join(dir, "edited.xlsx")
	openpyxlWorkbook(t, export, wb, `
t, po = "CubeDataCellAccess", "ProcessingOrdering|ProcessingOrder"
r = row(t, {"Cube": "GolfStream", "Type": "Data Cell Access Security", po: 1})
put(t, r, "ActionType", "Rename"); put(t, r, "ActionValue", 20)
r = row(t, {"Cube": "GolfStream", "Type": "Data Cell Access Security", po: 2})
put(t, r, po, 21)
r = row(t, {"Cube": "GolfStream", "Type": "Data Cell Conditional Input", po: 1})
put(t, r, "ActionType", "Remove")
`)
	p, code := planOf(t, dir, wb)
	if code != 2 || !p.Applicable {
		t.Fatalf("plan: exit %d; findings %v", code, p.Findings)
	}
	got := strings.Join(planLines(p), "\n")
	for _, want := range []string{
		"> CubeDataCellAccess GolfStream / Data Cell Access Security / 1 → GolfStream / Data Cell Access Security / 20",
		"+ CubeDataCellAccess GolfStream / Data Cell Access Security / 21: Description Contractors never see payroll",
		"- CubeDataCellAccess GolfStream / Data Cell Conditional Input / 1",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("plan lacks %q:\n%s", want, got)
		}
	}
	moved := findingsWith(p, validate.CodeLooksMoved)
	wantMsg := "rule 2 'Contractors never see payroll' seems to have moved to 21: write Rename with ActionValue 21 on its row to move it, or this adds a second copy"
	if len(moved) != 1 || moved[0].Message != wantMsg {
		t.Fatalf("looks-moved: %v", moved)
	}
	r := applyAndReplan(t, dir, wb)
	undo := readUndo(t, dir, r.stdout)
	if !strings.Contains(strings.Join(planLines(undo), "\n"), "> CubeDataCellAccess GolfStream / Data Cell Access Security / 20 → GolfStream / Data Cell Access Security / 1") {
		t.Errorf("the undo does not move the rule back:\n%s", strings.Join(planLines(undo), "\n"))
	}
	ok(t, dir, nil, undoLine(t, r.stdout)...)
	assertBytes(t, filepath.Join(dir, "gs.json"), golfstream.EnvironmentJSON)
}

// readUndo reads the undo plan apply reported.
func readUndo(t *testing.T, dir, stdout string) *plans.Plan {
	t.Helper()
	for _, l := range strings.Split(stdout, "\n") {
		if path, found := strings.CutPrefix(l, "Undo plan: "); found {
			path = strings.TrimSpace(path)
			if !filepath.IsAbs(path) {
				path = filepath.Join(dir, path)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			p, err := plans.UnmarshalPlan(b)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
	}
	t.Fatalf("no 'Undo plan:' line in\n%s", stdout)
	return nil
}

// A UsersInGroups row cannot put a user straight into an exclusion group.
func TestUserIntoExclusionGroupThroughBinary(t *testing.T) {
	dir := t.TempDir()
	export := exportSample(t, dir)
	wb := filepath.Join(dir, "edited.xlsx")
	openpyxlWorkbook(t, export, wb, `
print(add("UsersInGroups", {"User": "Anna Weber", "ParentGroup": "Houston Mod Except Contractors"}))
`)
	p, code := planOf(t, dir, wb)
	if code != 1 || p.Applicable {
		t.Fatalf("plan: exit %d, applicable %v", code, p.Applicable)
	}
	if len(p.Findings) != 1 || p.Findings[0].Severity != validate.Error || p.Findings[0].Column != "ParentGroup" ||
		!strings.HasPrefix(p.Findings[0].Cell, "UsersInGroups!B") || !strings.Contains(p.Findings[0].Message, "UsersInExGroups") {
		t.Fatalf("findings: %v", p.Findings)
	}
}

// A new user needs UserType and IsEnabled; Culture and NumGridRows take
// their defaults, which the plan shows.
func TestNewUserThroughBinary(t *testing.T) {
	dir := t.TempDir()
	sampleEnv(t, dir)
	missing := filepath.Join(dir, "missing.xlsx")
	openpyxlWorkbook(t, "-", missing, `
sheet("Users", ["User", "IsEnabled", "Email"], ["Pat New", True, "pat@example.com"])
`)
	p, code := planOf(t, dir, missing)
	if code != 1 || len(p.Findings) != 1 || p.Findings[0].Cell != "Users!A2" || !strings.Contains(p.Findings[0].Message, "UserType (it decides the licence)") {
		t.Fatalf("exit %d, findings %v", code, p.Findings)
	}
	empty := filepath.Join(dir, "empty.xlsx")
	openpyxlWorkbook(t, "-", empty, `
sheet("Users", ["User", "UserType", "IsEnabled"], ["Pat New", "View", None])
`)
	p, code = planOf(t, dir, empty)
	if code != 1 || len(p.Findings) != 1 || p.Findings[0].Cell != "Users!C2" || p.Findings[0].Code != validate.CodeRequired {
		t.Fatalf("exit %d, findings %v", code, p.Findings)
	}
	good := filepath.Join(dir, "good.xlsx")
	openpyxlWorkbook(t, "-", good, `
sheet("Users", ["User", "UserType", "IsEnabled"], ["Pat New", "View", False])
`)
	p, code = planOf(t, dir, good)
	if code != 2 {
		t.Fatalf("exit %d, findings %v", code, p.Findings)
	}
	wantLines(t, p, "+ Users Pat New: UserType View; IsEnabled False; Culture en-US; NumGridRows 30  (defaults: Culture en-US, NumGridRows 30)")
	r := secmgr(t, dir, nil, "plan", good, "--env", "gs.json")
	if !strings.Contains(r.stdout, "(defaults: Culture en-US, NumGridRows 30)") {
		t.Errorf("the text plan does not show the defaults:\n%s", r.stdout)
	}
}

// --cascade over a full export: the unchanged rows that still name the
// removed group are part of the cascade; a row that changes a reference
// to it is an error.
func TestCascadeFullExportThroughBinary(t *testing.T) {
	dir := t.TempDir()
	export := exportSample(t, dir)
	wb := filepath.Join(dir, "edited.xlsx")
	openpyxlWorkbook(t, export, wb, `
r = row("Groups", {"Group": "Budget Preparers"})
put("Groups", r, "ActionType", "Remove")
`)
	p, code := planOf(t, dir, wb)
	if code != 1 || len(findingsWith(p, validate.CodeGroupInUse)) != 1 {
		t.Fatalf("without --cascade: exit %d, findings %v", code, p.Findings)
	}
	p, code = planOf(t, dir, wb, "--cascade")
	if code != 2 || !p.Applicable {
		t.Fatalf("--cascade: exit %d, findings %v", code, p.Findings)
	}
	// Every use outside the memberships is set to Nobody, each its own line.
	env, err := golfstream.Environment()
	if err != nil {
		t.Fatal(err)
	}
	uses := 0
	for _, tab := range artifacts.AllTabs() {
		for ci, c := range tab.Columns {
			if tab.Relationship || c.Kind != artifacts.KindGroup {
				continue
			}
			for i := 0; i < tab.Len(env); i++ {
				if tab.Cell(env, i, ci) == "Budget Preparers" {
					uses++
				}
			}
		}
	}
	cascaded := 0
	for _, c := range p.Changes {
		if c.Op == plans.OpEdit && strings.HasPrefix(c.Note, "--cascade") && c.Fields[0].New == "Nobody" {
			cascaded++
		}
	}
	if uses < 5 || cascaded != uses {
		t.Errorf("%d references set to Nobody, want %d:\n%s", cascaded, uses, strings.Join(planLines(p), "\n"))
	}

	toRemoved := filepath.Join(dir, "to-removed.xlsx")
	openpyxlWorkbook(t, wb, toRemoved, `
r = row("Entity", {"Entity": "Augusta"})
put("Entity", r, "ReadGroup2", "Budget Preparers")
`)
	p, code = planOf(t, dir, toRemoved, "--cascade")
	var errs []validate.Finding
	for _, f := range p.Findings {
		if f.Severity == validate.Error {
			errs = append(errs, f)
		}
	}
	if code != 1 || len(errs) != 1 || errs[0].Code != validate.CodeRemovedWithOwner || errs[0].Column != "ReadGroup2" {
		t.Fatalf("a reference changed to the removed group: exit %d, errors %v", code, errs)
	}
	applyAndReplan(t, dir, wb, "--cascade")
}

// A new user with an existing user's external identity is the warning
// same-identity, which suggests Rename.
func TestSameIdentityThroughBinary(t *testing.T) {
	dir := t.TempDir()
	export := exportSample(t, dir)
	wb := filepath.Join(dir, "edited.xlsx")
	openpyxlWorkbook(t, export, wb, `
add("Users", {"User": "Anna Weber-Schmidt", "UserType": "View", "IsEnabled": True, "ExternalAuthProviderName": "AzureAD",
    "ExternalUserName": "Anna.Weber@golfstream.example.com", "Culture": "en-US", "NumGridRows": 50})
`)
	p, code := planOf(t, dir, wb)
	same := findingsWith(p, validate.CodeSameIdentity)
	if code != 2 || len(same) != 1 || same[0].Column != "ExternalUserName" ||
		!strings.Contains(same[0].Message, "did you mean to Rename 'Anna Weber'?") {
		t.Fatalf("exit %d, findings %v", code, p.Findings)
	}
}

// The undo plan of a rename is a rename back, and restores the
// environment byte for byte.
func TestUndoOfRenameThroughBinary(t *testing.T) {
	dir := t.TempDir()
	export := exportSample(t, dir)
	wb := filepath.Join(dir, "edited.xlsx")
	openpyxlWorkbook(t, export, wb, `
r = row("Users", {"User": "Anna Weber"})
put("Users", r, "ActionType", "Rename"); put("Users", r, "ActionValue", "Anna Weber-Schmidt")
r = row("Groups", {"Group": "Frankfurt_View"})
put("Groups", r, "ActionType", "Rename"); put("Groups", r, "ActionValue", "Frankfurt_Read")
`)
	r := applyAndReplan(t, dir, wb)
	undo := readUndo(t, dir, r.stdout)
	wantLines(t, undo, "> Groups Frankfurt_Read → Frankfurt_View", "> Users Anna Weber-Schmidt → Anna Weber")
	ok(t, dir, nil, undoLine(t, r.stdout)...)
	assertBytes(t, filepath.Join(dir, "gs.json"), golfstream.EnvironmentJSON)
}
