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
)

// openpyxlBook writes dir/name with openpyxl: script is Python that gets
// an empty openpyxl.Workbook as wb (its default sheet removed) and the
// path as path; the file is saved after it.
func openpyxlBook(t *testing.T, dir, name, script string) string {
	t.Helper()
	python := testtools.Python(t)
	path := filepath.Join(dir, name)
	prog := "import sys, openpyxl, zipfile\npath = sys.argv[1]\nwb = openpyxl.Workbook()\nwb.remove(wb.active)\n" + script + "\nwb.save(path)\n"
	if out, err := exec.Command(python, "-c", prog, path).CombinedOutput(); err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, out)
	}
	return path
}

// sampleIn writes the GolfStream sample as dir/g.json.
func sampleIn(t *testing.T, dir string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "g.json"), golfstream.EnvironmentJSON, 0o600); err != nil {
		t.Fatal(err)
	}
}

// planJSON runs plan --format json and decodes its findings and changes.
func planJSON(t *testing.T, dir string, args ...string) (code int, findings []map[string]any, changes []map[string]any) {
	t.Helper()
	r := secmgr(t, dir, nil, append([]string{"plan", "--env", "g.json", "--format", "json"}, args...)...)
	var doc struct {
		Findings []map[string]any `json:"findings"`
		Changes  []map[string]any `json:"changes"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("plan %v: exit %d, not JSON: %v\n%s%s", args, r.code, err, r.stdout, r.stderr)
	}
	return r.code, doc.Findings, doc.Changes
}

// hasFinding reports whether findings hold one of severity sev and code
// at cell whose message holds every one of want.
func hasFinding(findings []map[string]any, sev, code, cell string, want ...string) bool {
	for _, f := range findings {
		if f["severity"] != sev || f["code"] != code || cell != "" && f["cell"] != cell {
			continue
		}
		msg, _ := f["message"].(string)
		all := true
		for _, w := range want {
			all = all && strings.Contains(msg, w)
		}
		if all {
			return true
		}
	}
	return false
}

// A formula openpyxl wrote and nothing calculated is an error at its
// cell, whatever the column: never an empty value that clears a field.
func TestUncalculatedFormulaThroughBinary(t *testing.T) {
	dir := t.TempDir()
	sampleIn(t, dir)
	openpyxlBook(t, dir, "f.xlsx", `
ws = wb.create_sheet("Users")
ws.append(["User", "Description", "NumGridRows"])
ws.append(["Jessica Documentation", '=CONCAT("Doc ","lead")', 30])
ws.append(["Natalie Documentation", "Docs", "=10*3"])
ws = wb.create_sheet("Groups")
ws.append(["Group", "Description"])
ws.append(['=UPPER("x")', "y"])
`)
	code, findings, changes := planJSON(t, dir, "f.xlsx")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	msg := "the cell holds a formula that was never calculated; open and save the workbook in Excel or LibreOffice, or type the value"
	for _, cell := range []string{"Users!B2", "Users!C3", "Groups!A2"} {
		if !hasFinding(findings, "error", "formula-not-calculated", cell, msg) {
			t.Errorf("no formula-not-calculated error at %s: %v", cell, findings)
		}
	}
	if len(changes) != 0 {
		t.Errorf("changes planned from uncalculated formulas: %v", changes)
	}
	r := secmgr(t, dir, nil, "validate", "f.xlsx", "--env", "g.json")
	if r.code != 1 || !strings.Contains(r.stdout, "Users!B2: error: "+msg) {
		t.Errorf("validate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// An error value (#N/A, as Paste Values leaves it) is an error at its
// cell in any column, never a name.
func TestErrorCellThroughBinary(t *testing.T) {
	dir := t.TempDir()
	sampleIn(t, dir)
	openpyxlBook(t, dir, "e.xlsx", `
ws = wb.create_sheet("Users")
ws.append(["User", "Description", "UserType", "IsEnabled"])
ws.append(["#N/A", "pasted", "View", True])
ws.append(["Natalie Documentation", "#REF!", "Interactive", True])
assert ws["A2"].data_type == "e" and ws["B3"].data_type == "e"
`)
	code, findings, changes := planJSON(t, dir, "e.xlsx")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for cell, v := range map[string]string{"Users!A2": "#N/A", "Users!B3": "#REF!"} {
		if !hasFinding(findings, "error", "error-value", cell, "the cell holds the error value "+v) {
			t.Errorf("no error-value error at %s: %v", cell, findings)
		}
	}
	if len(changes) != 0 {
		t.Errorf("changes planned from error cells: %v", changes)
	}
}

// A zip with two entries of one name is refused, naming the entry:
// readers disagree on which copy counts.
func TestDuplicateZipEntryThroughBinary(t *testing.T) {
	dir := t.TempDir()
	sampleIn(t, dir)
	openpyxlBook(t, dir, "d.xlsx", `
ws = wb.create_sheet("Groups")
ws.append(["Group", "Description"])
ws.append(["Harmless", "first copy"])
wb.save(path)
import warnings
warnings.simplefilter("ignore")
with zipfile.ZipFile(path, "a") as z:
    z.writestr("xl/worksheets/sheet1.xml", '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Group</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>Evil</t></is></c></row></sheetData></worksheet>')
import sys
sys.exit(0)
`)
	for _, cmd := range []string{"validate", "plan"} {
		fails(t, dir, nil, []string{cmd, "d.xlsx", "--env", "g.json"}, `d.xlsx: the zip archive holds the entry "xl/worksheets/sheet1.xml" twice`)
	}
}

// A near miss of a column the tab lacks is an error with "did you
// mean"; other unknown headers stay warnings.
func TestMisspeltHeaderThroughBinary(t *testing.T) {
	dir := t.TempDir()
	sampleIn(t, dir)
	openpyxlBook(t, dir, "h.xlsx", `
ws = wb.create_sheet("Entity")
ws.append(["Entity", "ReadWrite Group", "ReadWriteGrop2", "My notes"])
ws.append(["Houston", "Nobody", "Nobody", "why"])
`)
	code, findings, changes := planJSON(t, dir, "h.xlsx")
	if code != 1 || len(changes) != 0 {
		t.Errorf("exit %d with %d changes, want 1 and none", code, len(changes))
	}
	if !hasFinding(findings, "error", "misspelt-column", "Entity!B1", "'ReadWrite Group'", "did you mean ReadWriteGroup?") ||
		!hasFinding(findings, "error", "misspelt-column", "Entity!C1", "did you mean ReadWriteGroup2?") {
		t.Errorf("misspelt headers are not errors: %v", findings)
	}
	if !hasFinding(findings, "warning", "unknown-column", "Entity!D1") {
		t.Errorf("an unknown header is not a warning: %v", findings)
	}
}

// A workbook with no security tab is an error listing its tabs and the
// security tabs, with "did you mean" for near misses.
func TestNoSecurityTabThroughBinary(t *testing.T) {
	dir := t.TempDir()
	sampleIn(t, dir)
	openpyxlBook(t, dir, "n.xlsx", `
for name in ["Budget 2027", "User List", "Sheet Users"]:
    ws = wb.create_sheet(name)
    ws.append(["User", "Amount"])
    ws.append(["x", 1])
`)
	r := secmgr(t, dir, nil, "validate", "n.xlsx", "--env", "g.json")
	want := []string{"error: the workbook has no security tab: its tabs are 'Budget 2027', 'User List', 'Sheet Users'",
		"did you mean Users for 'User List'?", "did you mean Users for 'Sheet Users'?",
		"a security workbook has the tabs Users, UsersInGroups, Groups,", "[no-security-tab]"}
	if r.code != 1 {
		t.Errorf("validate: exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("validate output lacks %q:\n%s", w, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "unknown-tab") {
		t.Errorf("the tabs are also reported one by one:\n%s", r.stdout)
	}
	if r := secmgr(t, dir, nil, "plan", "n.xlsx", "--env", "g.json"); r.code != 1 {
		t.Errorf("plan: exit %d, want 1", r.code)
	}
}

// A saved plan is the approval: apply needs neither a terminal nor
// --yes. A workbook still needs --yes without a terminal.
func TestApplySavedPlanThroughBinary(t *testing.T) {
	dir := t.TempDir()
	sampleIn(t, dir)
	openpyxlBook(t, dir, "a.xlsx", `
ws = wb.create_sheet("Groups")
ws.append(["Group", "Description"])
ws.append(["Auditors 2027", "external audit"])
`)
	fails(t, dir, nil, []string{"apply", "a.xlsx", "--env", "g.json"}, "refusing to apply a workbook without confirmation: pass --yes")
	assertBytes(t, filepath.Join(dir, "g.json"), golfstream.EnvironmentJSON)
	if r := secmgr(t, dir, nil, "plan", "a.xlsx", "--env", "g.json", "--out", "p.json"); r.code != 2 {
		t.Fatalf("plan: exit %d\n%s", r.code, r.stderr)
	}
	r := ok(t, dir, nil, "apply", "p.json", "--env", "g.json")
	if !strings.Contains(r.stdout, "Applied 1 change") {
		t.Errorf("apply p.json:\n%s", r.stdout)
	}
	// The undo it prints needs no --yes either.
	args := undoLine(t, r.stdout)
	if strings.Contains(strings.Join(args, " "), "--yes") {
		t.Errorf("the undo line asks for --yes: %v", args)
	}
	ok(t, dir, nil, args...)
	assertBytes(t, filepath.Join(dir, "g.json"), golfstream.EnvironmentJSON)
}
