package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"secmgr/internal/testtools"
	"secmgr/pkg/workbook"
)

// editScript edits a workbook as a person's Python script would and saves
// it with openpyxl: each argument is "Tab|Key|Column|Value" (the row
// whose first cell is Key), or "Tab|+||Col=v;Col=v" for a new row.
const editScript = `
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
for spec in sys.argv[3:]:
    tab, key, col, val = spec.split('|')
    ws = wb[tab]
    hdr = [c.value for c in ws[1]]
    if key == '+':
        r = ws.max_row + 1
        for kv in val.split(';'):
            k, v = kv.split('=')
            ws.cell(r, hdr.index(k) + 1, v)
        continue
    for row in ws.iter_rows(min_row=2):
        if row[0].value == key:
            row[hdr.index(col)].value = val
            break
    else:
        sys.exit('no row ' + key + ' on ' + tab)
wb.save(sys.argv[2])
`

func editWithOpenpyxl(t *testing.T, python, in, out string, edits ...string) {
	t.Helper()
	if b, err := exec.Command(python, append([]string{"-c", editScript, in, out}, edits...)...).CombinedOutput(); err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, b)
	}
}

// exportTo exports the environment into a new folder and returns the
// workbook's path.
func exportTo(t *testing.T, dir, envPath, sub string) string {
	t.Helper()
	out := filepath.Join(dir, sub)
	if err := os.Mkdir(out, 0o700); err != nil {
		t.Fatal(err)
	}
	ok(t, dir, nil, "export", "--env", envPath, "--out-dir", out)
	m, _ := filepath.Glob(filepath.Join(out, "SecurityExtract.*.xlsx"))
	if len(m) != 1 {
		t.Fatalf("export wrote %v", m)
	}
	return m[0]
}

// TestThreeWayPlan: an export edited (with openpyxl) while other changes
// were applied plans only the person's edits; a membership removed since
// stays removed; a conflicting edit is an error naming both values and
// the apply; a workbook from a state outside the history is stale-export
// unless --two-way.
func TestThreeWayPlan(t *testing.T) {
	python := testtools.Python(t)
	dir := t.TempDir()
	envPath := sampleEnv(t, dir)
	old := exportTo(t, dir, envPath, "old")

	// Changes applied since the export, through a newer export: Anna
	// Weber leaves Frankfurt_View; Ashley Romero's Description changes.
	since := filepath.Join(dir, "since.xlsx")
	editWithOpenpyxl(t, python, exportTo(t, dir, envPath, "new"), since,
		"Users|Anna Weber|ActionType|Remove", "Users|Anna Weber|ActionValue|Frankfurt_View",
		"Users|Ashley Romero|Description|Carlsbad Sales Lead")
	ok(t, dir, nil, "apply", since, "--env", envPath, "--yes")
	journal, err := os.ReadFile(filepath.Join(dir, "gs.history", "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	applied := regexp.MustCompile(`"time":"(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)`).FindStringSubmatch(string(journal))
	if applied == nil {
		t.Fatalf("journal: %s", journal)
	}
	applyTime := applied[1] + " " + applied[2] + " UTC"

	// The person edits the old export.
	person := filepath.Join(dir, "person.xlsx")
	editWithOpenpyxl(t, python, old, person, "Users|Brian Foster|Description|Plant Accountant II")
	r := secmgr(t, dir, nil, "plan", person, "--env", envPath)
	want := "~ Users Brian Foster: Description Carlsbad Plant Accountant → Plant Accountant II\n" +
		"Plan: 0 to add, 1 to edit, 0 to rename, 0 to remove; 0 errors, 0 warnings.\n"
	if r.code != 2 || !strings.HasPrefix(r.stdout, "planned three-way against the state of ") ||
		!strings.Contains(r.stdout, "(1 apply since)\n") || !strings.Contains(r.stdout, want) {
		t.Fatalf("exit %d, want 2 and only the person's edit:\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = secmgr(t, dir, nil, "plan", person, "--env", envPath, "--format", "json")
	if !regexp.MustCompile(`"base": \{\s*"fingerprint": "sha256:[0-9a-f]{64}",\s*"time": "[^"]+",\s*"applies": 1\s*\}`).MatchString(r.stdout) {
		t.Errorf("the plan JSON has no base:\n%s", r.stdout)
	}

	// apply WORKBOOK goes the same way; planning it again then plans
	// nothing, and the removal made since stays.
	ok(t, dir, nil, "apply", person, "--env", envPath, "--yes")
	r = ok(t, dir, nil, "plan", person, "--env", envPath)
	if !strings.Contains(r.stdout, "(2 applies since)") || !strings.Contains(r.stdout, "Plan: 0 to add, 0 to edit, 0 to rename, 0 to remove") {
		t.Errorf("planning the applied workbook again:\n%s", r.stdout)
	}
	env, err := os.ReadFile(envPath)
	if err != nil {
		t.Fatal(err)
	}
	if regexp.MustCompile(`"User": "Anna Weber",\s*"ParentGroup": "Frankfurt_View"`).Match(env) {
		t.Error("the membership removed since the export came back")
	}

	// A conflicting edit: not applicable, both values and the apply named.
	conflict := filepath.Join(dir, "conflict.xlsx")
	editWithOpenpyxl(t, python, old, conflict, "Users|Ashley Romero|Description|Carlsbad Sales Manager")
	r = secmgr(t, dir, nil, "plan", conflict, "--env", envPath)
	for _, w := range []string{"error: ", "[conflict]", "'Carlsbad Sales Manager'", "'Carlsbad Sales Lead'", "the apply of " + applyTime, "Not applicable"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("conflict plan lacks %q:\n%s", w, r.stdout)
		}
	}
	if r.code != 1 {
		t.Errorf("conflict: exit %d, want 1", r.code)
	}
	fails(t, dir, nil, []string{"apply", conflict, "--env", envPath, "--yes"})

	// Another environment file without this history: stale-export,
	// unless --two-way, which plans against the file as it is (and brings
	// the removed membership back, as the warning says).
	other := filepath.Join(dir, "other.json")
	data, _ := os.ReadFile(envPath)
	if err := os.WriteFile(other, data, 0o600); err != nil {
		t.Fatal(err)
	}
	r = secmgr(t, dir, nil, "plan", person, "--env", other)
	if r.code != 1 || !strings.Contains(r.stdout, "[stale-export]") || !strings.Contains(r.stdout, "--two-way") {
		t.Errorf("stale export: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = secmgr(t, dir, nil, "plan", person, "--env", other, "--two-way")
	if r.code != 2 || strings.Contains(r.stdout, "stale-export") || !strings.Contains(r.stdout, "+ UsersInGroups Anna Weber / Frankfurt_View") {
		t.Errorf("--two-way: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestWorkbooksRecordTheirBase: the export, the change workbooks of diff
// and reconcile and the access review all record the state they were made from.
func TestWorkbooksRecordTheirBase(t *testing.T) {
	dir := t.TempDir()
	envPath := sampleEnv(t, dir)
	fp := regexp.MustCompile(`"fingerprint": "(sha256:[0-9a-f]{64})"`)
	m := fp.FindStringSubmatch(ok(t, dir, nil, "diff", "--from", envPath, "--to", envPath, "--format", "json", "--out", filepath.Join(dir, "changes.xlsx")).stdout)
	if m == nil {
		t.Fatal("diff --format json printed no fingerprint")
	}
	_, review := writeReview(t, t.TempDir())
	reconciled := filepath.Join(dir, "reconciled.xlsx")
	secmgr(t, dir, nil, "reconcile", "--env", envPath, "--idp", filepath.Join(idpSample, "entra-users.csv"),
		"--rules", filepath.Join(idpSample, "rules.json"), "--out", reconciled)
	for _, path := range []string{exportTo(t, dir, envPath, "x"), filepath.Join(dir, "changes.xlsx"), review, reconciled} {
		wb, err := workbook.Open(path, workbook.Options{})
		if err != nil {
			t.Fatal(err)
		}
		b, found, err := wb.Base()
		wb.Close()
		if err != nil || !found || b.Fingerprint != m[1] || b.Environment != "GolfStream" || b.Version == "" {
			t.Errorf("%s: base %+v, %v, %v; want %s of GolfStream", filepath.Base(path), b, found, err, m[1])
		}
	}
}
