package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// setByKey sets column header to value in the row of sheet whose first
// two cells are key.
func setByKey(t *testing.T, path, sheet string, key [2]string, header, value string) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, h := range rows[0] {
		if h == header {
			col = i
		}
	}
	for i, r := range rows {
		if len(r) > 1 && r[0] == key[0] && r[1] == key[1] && col >= 0 {
			cell, _ := excelize.CoordinatesToCellName(col+1, i+1)
			if err := f.SetCellValue(sheet, cell, value); err != nil {
				t.Fatal(err)
			}
			if err := f.Save(); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("%s has no row %v with a column %s", sheet, key, header)
}

// TestPlanShowsWhoAnExclusionReorderLetsIn: two "harmless" ProcessingOrder
// edits of the sample's exclusion group (deny the external auditors
// first, allow GolfStream_View last) let an external auditor in; the plan
// says so, in text, JSON and Markdown.
func TestPlanShowsWhoAnExclusionReorderLetsIn(t *testing.T) {
	dir := t.TempDir()
	envPath := sampleEnv(t, dir)
	r := ok(t, dir, nil, "export", "--env", envPath, "--areas", "exgroups", "--out-dir", dir)
	wb := strings.TrimSpace(r.stdout)
	const x = "Corporate Readers Except Auditors"
	setByKey(t, wb, "GroupsInExGroups", [2]string{"External Auditors", x}, "ProcessingOrder", "2")
	setByKey(t, wb, "GroupsInExGroups", [2]string{"GolfStream_View", x}, "ProcessingOrder", "3")

	r = secmgr(t, dir, nil, "plan", wb, "--env", envPath)
	if r.code != exitChanges {
		t.Fatalf("plan exits %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	want := "Plan: 0 to add, 2 to edit, 0 to rename, 0 to remove; 0 errors, 0 warnings.\n\n" +
		"Impact on effective access: 1 user, 1 change:\n" +
		"+ Greg Olsen gains " + x + " via External Auditors → GolfStream_View\n"
	if !strings.HasSuffix(r.stdout, want) {
		t.Errorf("the plan does not end with\n%s\nit prints\n%s", want, r.stdout)
	}

	r = secmgr(t, dir, nil, "plan", wb, "--env", envPath, "--format", "json", "--out", filepath.Join(dir, "p.json"))
	var doc struct {
		Impact []map[string]any `json:"impact"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Impact) != 1 || doc.Impact[0]["user"] != "Greg Olsen" || doc.Impact[0]["change"] != "gains" ||
		doc.Impact[0]["group"] != x || doc.Impact[0]["via"] != "External Auditors → GolfStream_View → "+x {
		t.Errorf("the JSON impact is %v", doc.Impact)
	}
	// apply PLAN.json shows the saved impact before applying.
	r = ok(t, dir, nil, "apply", filepath.Join(dir, "p.json"), "--env", envPath, "--yes")
	if !strings.Contains(r.stdout, "+ Greg Olsen gains "+x) {
		t.Errorf("apply of the saved plan does not show its impact:\n%s", r.stdout)
	}

	r = secmgr(t, dir, nil, "plan", wb, "--env", sampleEnv(t, t.TempDir()), "--format", "markdown")
	for _, w := range []string{"### secmgr plan for GolfStream", "#### Changes (2)", "```diff\n~ GroupsInExGroups External Auditors / " + x,
		"#### Impact on effective access: 1 user, 1 change\n\n```diff\n+ Greg Olsen gains " + x + " via External Auditors → GolfStream_View\n```\n"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("the markdown plan lacks %q:\n%s", w, r.stdout)
		}
	}
}

// TestFormatMarkdownOnlyForPlan: validate has no markdown; an unknown
// format names the ones there are.
func TestFormatMarkdownOnlyForPlan(t *testing.T) {
	dir := t.TempDir()
	envPath := sampleEnv(t, dir)
	wb := copyEdits(t, dir, "realistic.xlsx")
	fails(t, dir, nil, []string{"plan", wb, "--env", envPath, "--format", "html"}, "use text, json or markdown")
	fails(t, dir, nil, []string{"validate", wb, "--env", envPath, "--format", "markdown"}, "use text or json")
}
