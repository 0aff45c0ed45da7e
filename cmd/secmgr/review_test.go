package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"secmgr/internal/testtools"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/review"
)

// writeReview runs 'secmgr review' on the sample in dir and returns the
// environment file and the review's path.
func writeReview(t *testing.T, dir string) (envPath, path string) {
	t.Helper()
	envPath = sampleEnv(t, dir)
	r := ok(t, dir, nil, "review", "--env", envPath, "--out-dir", dir)
	path = strings.TrimSpace(r.stdout)
	if !regexp.MustCompile(`^AccessReview\.\d{6}\.xlsx$`).MatchString(filepath.Base(path)) || filepath.Dir(path) != dir {
		t.Fatalf("review printed %q", r.stdout)
	}
	return envPath, path
}

// decide sets the Decision of the rows whose "User / Group" is a key of
// decisions, and returns the Decision cell of each.
func decide(t *testing.T, path string, decisions map[string]string) map[string]string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(review.Sheet)
	if err != nil {
		t.Fatal(err)
	}
	cells := map[string]string{}
	for i, r := range rows[1:] {
		m := r[0] + " / " + r[3]
		if d, ok := decisions[m]; ok {
			cells[m] = "H" + strconv.Itoa(i+2)
			if err := f.SetCellStr(review.Sheet, cells[m], d); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(cells) != len(decisions) {
		t.Fatalf("the review lacks some of %v", decisions)
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	return cells
}

func TestReviewCommand(t *testing.T) {
	dir := t.TempDir()
	envPath, path := writeReview(t, dir)
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the review: %v %v", st, err)
	}
	if is, err := review.IsReviewWorkbook(path); !is || err != nil {
		t.Errorf("not an access review: %v %v", is, err)
	}

	// Never over another file, unless --force.
	utc := []string{"TZ=UTC"}
	now := time.Now().UTC()
	var taken []string
	for s := range 10 {
		p := filepath.Join(dir, "AccessReview."+now.Add(time.Duration(s)*time.Second).Format("150405")+".xlsx")
		os.WriteFile(p, []byte("keep me"), 0o600)
		taken = append(taken, p)
	}
	r := fails(t, dir, utc, []string{"review", "--env", envPath, "--out-dir", dir}, "AccessReview.", "already exists", "--force")
	if r.stdout != "" {
		t.Errorf("a refused review printed %q", r.stdout)
	}
	for _, p := range taken {
		if data, _ := os.ReadFile(p); string(data) != "keep me" {
			t.Fatalf("a refused review changed %s", p)
		}
	}
	r = ok(t, dir, utc, "review", "--env", envPath, "--out-dir", dir, "--force")
	if is, err := review.IsReviewWorkbook(strings.TrimSpace(r.stdout)); !is || err != nil {
		t.Errorf("--force wrote no review: %v %v", is, err)
	}

	fails(t, dir, nil, []string{"review", "--env", envPath, "--out-dir", filepath.Join(dir, "missing")}, "the folder", "does not exist")
	fails(t, dir, nil, []string{"review", "--env", envPath, "extra"}, "too many arguments", "secmgr review --help")
	fails(t, dir, nil, []string{"review"}, "no environment file")
}

// TestReviewPlanApply walks a review through: decisions set in the
// workbook, plan, a bad decision, apply, and the same file again.
func TestReviewPlanApply(t *testing.T) {
	dir := t.TempDir()
	envPath, path := writeReview(t, dir)
	before, err := artifacts.Load(envPath)
	if err != nil {
		t.Fatal(err)
	}
	cells := decide(t, path, map[string]string{
		"Robert Kline / Administrators":               "Remove",
		"Acme Integration Service / Data Integration": " remove",
		"Anna Weber / Frankfurt_View":                 "Keep",
	})
	removals := []string{
		"- UsersInGroups Acme Integration Service / Data Integration",
		"- UsersInGroups Robert Kline / Administrators",
	}

	r := secmgr(t, dir, nil, "plan", path, "--env", envPath)
	expectCode(t, r, exitChanges, "0 to add, 0 to edit, 0 to rename, 2 to remove; 0 errors, 0 warnings.")
	var lines []string
	changes, _, _ := strings.Cut(r.stdout, "Impact on effective access")
	for _, l := range strings.Split(changes, "\n") {
		if strings.HasPrefix(l, "- ") || strings.HasPrefix(l, "+ ") || strings.HasPrefix(l, "~ ") || strings.HasPrefix(l, "> ") {
			lines = append(lines, l)
		}
	}
	if !slices.Equal(lines, removals) {
		t.Errorf("plan lines %q, want %q", lines, removals)
	}
	r = secmgr(t, dir, nil, "plan", path, "--env", envPath, "--format", "json")
	var doc struct {
		Changes []struct {
			Op, Tab string
			Key     []string
			Cells   []string
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	var gotCells []string
	for _, c := range doc.Changes {
		gotCells = append(gotCells, c.Cells...)
	}
	if want := []string{"AccessReview!" + cells["Acme Integration Service / Data Integration"], "AccessReview!" + cells["Robert Kline / Administrators"]}; !slices.Equal(gotCells, want) {
		t.Errorf("change cells %v, want %v", gotCells, want)
	}
	expectCode(t, secmgr(t, dir, nil, "validate", path, "--env", envPath), exitChanges, "valid; 0 errors, 0 warnings; 2 change(s) to plan.")

	// Any other decision is an error at its cell, and nothing applies.
	bad := filepath.Join(dir, "bad.xlsx")
	copyReview(t, path, bad)
	badCell := decide(t, bad, map[string]string{"Greg Olsen / External Auditors": "Maybe"})["Greg Olsen / External Auditors"]
	expectCode(t, secmgr(t, dir, nil, "plan", bad, "--env", envPath), exitFailed,
		"AccessReview!"+badCell+": error: Decision 'Maybe' is neither Keep nor Remove")
	expectCode(t, secmgr(t, dir, nil, "apply", bad, "--env", envPath, "--yes"), exitFailed, "nothing was applied")
	annotated := filepath.Join(dir, "bad.checked.xlsx")
	secmgr(t, dir, nil, "validate", bad, "--env", envPath, "--annotate", annotated)
	if f, err := excelize.OpenFile(annotated); err != nil {
		t.Error(err)
	} else {
		comments, _ := f.GetComments(review.Sheet)
		if !slices.ContainsFunc(comments, func(c excelize.Comment) bool { return c.Cell == badCell }) {
			t.Errorf("the annotated copy has no note at %s", badCell)
		}
		f.Close()
	}

	r = ok(t, dir, nil, "apply", path, "--env", envPath, "--yes")
	expectCode(t, r, 0, "Applied 2 changes to "+envPath+": 0 added, 0 edited, 0 renamed, 2 removed.")
	after, err := artifacts.Load(envPath)
	if err != nil {
		t.Fatal(err)
	}
	uig := artifacts.TabUsersInGroups.Tab()
	for _, m := range [][]string{{"Robert Kline", "Administrators"}, {"Acme Integration Service", "Data Integration"}} {
		if _, found := uig.Find(after, m...); found {
			t.Errorf("%v is still a membership", m)
		}
	}
	if len(after.UsersInGroups) != len(before.UsersInGroups)-2 || len(after.Users) != len(before.Users) || len(after.Groups) != len(before.Groups) {
		t.Errorf("apply changed more than 2 memberships: %d → %d memberships", len(before.UsersInGroups), len(after.UsersInGroups))
	}

	// The same file again: warnings only, exit 0.
	r = ok(t, dir, nil, "plan", path, "--env", envPath)
	expectCode(t, r, 0, "0 to remove; 0 errors, 2 warnings.",
		"AccessReview!"+cells["Robert Kline / Administrators"]+": warning: group membership 'Robert Kline' in 'Administrators' is already absent; nothing to remove [already-absent]")
	expectCode(t, secmgr(t, dir, nil, "apply", path, "--env", envPath, "--yes"), 0, "Nothing to apply")
}

func TestReviewHelp(t *testing.T) {
	h := ok(t, t.TempDir(), nil, "review", "--help")
	for _, want := range []string{"AccessReview.HHMMSS.xlsx", "OS-BP-PS-AA-003", "Example:", "secmgr review --env golfstream.json --out-dir reviews",
		"secmgr plan reviews/AccessReview.101500.xlsx", "- UsersInGroups Robert Kline / Administrators", "secmgr apply reviews/AccessReview.101500.xlsx"} {
		if !strings.Contains(h.stdout, want) {
			t.Errorf("review --help lacks %q:\n%s", want, h.stdout)
		}
	}
}

func copyReview(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestSampleREADME keeps examples/golfstream/README.md true: its audit
// output and its access-review walk-through are what secmgr prints.
func TestSampleREADME(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", "golfstream", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string // the ```text blocks, in order
	for rest := string(data); ; {
		_, after, found := strings.Cut(rest, "```text\n")
		if !found {
			break
		}
		block, tail, _ := strings.Cut(after, "```")
		blocks, rest = append(blocks, block), tail
	}
	if len(blocks) != 4 {
		t.Fatalf("the README has %d text blocks, want 4 (audit, plan, plan again, reconcile: TestReconcileREADME)", len(blocks))
	}
	dir := t.TempDir()
	envPath := sampleEnv(t, dir)
	r := secmgr(t, dir, nil, "audit", "--env", envPath)
	if r.stdout != blocks[0] {
		t.Errorf("the README's audit output is not what audit prints:\n%s", r.stdout)
	}

	r = ok(t, dir, nil, "review", "--env", envPath, "--out-dir", dir)
	path := strings.TrimSpace(r.stdout)
	decisions := map[string]string{}
	for m := range review.Rows(mustLoad(t, envPath), review.Scope{}) {
		decisions[m.User+" / "+m.Group] = "Keep"
	}
	decisions["Robert Kline / Administrators"] = "Remove"
	decisions["Acme Integration Service / Data Integration"] = "Remove"
	decide(t, path, decisions)
	if r := secmgr(t, dir, nil, "plan", path, "--env", envPath); r.code != exitChanges || r.stdout != blocks[1] {
		t.Errorf("plan exits %d and prints\n%s\nnot the README's\n%s", r.code, r.stdout, blocks[1])
	}
	ok(t, dir, nil, "apply", path, "--env", envPath, "--yes")
	if r := ok(t, dir, nil, "plan", path, "--env", envPath); r.stdout != blocks[2] {
		t.Errorf("plan again prints\n%s\nnot the README's\n%s", r.stdout, blocks[2])
	}
}

func mustLoad(t *testing.T, path string) *artifacts.Environment {
	t.Helper()
	env, err := artifacts.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// TestReviewEvidenceEndToEnd: a reviewer decides in a review saved by
// openpyxl (a script, as many teams fill reviews), the plan and the apply
// carry every decision, and 'review --evidence' gives the auditor each
// decision with its reviewer, comment and outcome.
func TestReviewEvidenceEndToEnd(t *testing.T) {
	python := testtools.Python(t)
	dir := t.TempDir()
	envPath := sampleEnv(t, dir)
	r := ok(t, dir, nil, "review", "--env", envPath, "--out-dir", dir, "--user", "Robert*", "--user", "Laura Chen")
	path := strings.TrimSpace(r.stdout)
	const script = `
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["AccessReview"]
head = [c.value for c in ws[1]]
col = {h: i for i, h in enumerate(head)}
for row in ws.iter_rows(min_row=2):
    user, group = row[col["User"]].value, row[col["Group"]].value
    row[col["Reviewer"]].value = "Ann Auditor"
    if user == "Robert Kline" and group == "Administrators":
        row[col["Decision"]].value = "Remove"
        row[col["Comment"]].value = "=left the platform team"
        row[col["Comment"]].data_type = "s"  # text that looks like a formula
    else:
        row[col["Decision"]].value = "Keep"
        row[col["Comment"]].value = "needed for the close"
wb.save(sys.argv[1])
`
	if out, err := exec.Command(python, "-c", script, path).CombinedOutput(); err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, out)
	}
	p := secmgr(t, dir, nil, "plan", path, "--env", envPath, "--format", "json", "--out", "review.plan.json")
	if p.code != 2 {
		t.Fatalf("plan: exit %d\n%s%s", p.code, p.stdout, p.stderr)
	}
	var plan struct {
		Review []struct{ User, Group, Decision, Reviewer, Comment, Outcome string }
	}
	if err := json.Unmarshal([]byte(p.stdout), &plan); err != nil {
		t.Fatal(err)
	}
	keeps := 0
	for _, d := range plan.Review {
		if d.Reviewer != "Ann Auditor" {
			t.Errorf("decision without its reviewer: %+v", d)
		}
		if d.Decision == "Keep" {
			keeps++
		}
	}
	if keeps == 0 || len(plan.Review) != keeps+1 {
		t.Fatalf("the plan's review block: %+v", plan.Review)
	}
	ok(t, dir, nil, "apply", "review.plan.json", "--env", envPath, "--yes")

	e := ok(t, dir, nil, "review", "--evidence", "--since", "2000-01-01", "--env", envPath, "--out-dir", dir)
	evidence := strings.TrimSpace(e.stdout)
	if !regexp.MustCompile(`^ReviewEvidence\.\d{6}\.xlsx$`).MatchString(filepath.Base(evidence)) {
		t.Fatalf("review --evidence printed %q", e.stdout)
	}
	if st, err := os.Stat(evidence); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the evidence: %v %v", st, err)
	}
	const read = `
import json, sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1])["ReviewEvidence"]
rows = [[c.value for c in r] for r in ws.iter_rows()]
json.dump({"rows": rows, "types": [c.data_type for c in ws[2]]}, sys.stdout, default=str)
`
	out, err := exec.Command(python, "-c", read, evidence).Output()
	if err != nil {
		t.Fatalf("openpyxl: %v", err)
	}
	var got struct {
		Rows  [][]any
		Types []string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Rows) != len(plan.Review)+1 {
		t.Fatalf("evidence has %d rows, want %d decisions and the header:\n%v", len(got.Rows), len(plan.Review), got.Rows)
	}
	col := map[any]int{}
	for i, h := range got.Rows[0] {
		col[h] = i
	}
	removed := false
	for _, row := range got.Rows[1:] {
		if row[col["Reviewer"]] != "Ann Auditor" || row[col["Environment"]] != "GolfStream" || row[col["Applied"]] == nil {
			t.Errorf("evidence row %v", row)
		}
		if row[col["User"]] == "Robert Kline" {
			removed = true
			if row[col["Decision"]] != "Remove" || row[col["Outcome"]] != "removed" || row[col["Comment"]] != "=left the platform team" {
				t.Errorf("the removal's evidence: %v", row)
			}
		} else if row[col["Decision"]] != "Keep" || row[col["Comment"]] != "needed for the close" || row[col["Outcome"]] != "kept" {
			t.Errorf("a keep's evidence: %v", row)
		}
	}
	if !removed {
		t.Error("the removal is not in the evidence")
	}
	for _, ty := range got.Types {
		if ty == "f" {
			t.Error("a comment became a formula in the evidence")
		}
	}
	// Nothing applied since the future: a header-only evidence, said so.
	later := ok(t, dir, nil, "review", "--evidence", "--since", "2999-01-01", "--env", envPath, "--out-dir", t.TempDir())
	if !strings.Contains(later.stderr, "no applied review since 2999-01-01") {
		t.Errorf("stderr: %s", later.stderr)
	}
}
