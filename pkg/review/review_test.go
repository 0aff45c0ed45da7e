package review

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"secmgr/examples/golfstream"
	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
)

func sample(t *testing.T) *artifacts.Environment {
	env, err := golfstream.Environment()
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func TestWriteReview(t *testing.T) {
	env := sample(t)
	path := filepath.Join(t.TempDir(), FileName(exampleTime))
	if err := Write(env, path, false); err != nil {
		t.Fatal(err)
	}
	if err := Write(env, path, false); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second write without force: %v", err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(Sheet)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Columns, rows[0]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	if len(rows)-1 != len(env.UsersInGroups) {
		t.Errorf("%d rows for %d memberships", len(rows)-1, len(env.UsersInGroups))
	}
	// A membership bringing roles lists them; an administrator is flagged.
	var sawRoles, sawAdmin bool
	for _, r := range rows[1:] {
		if len(r) > 4 && strings.Contains(r[4], "ManageDataSources") {
			sawRoles = true
		}
		if len(r) > 5 && r[3] == artifacts.Administrators && r[5] == "True" {
			sawAdmin = true
		}
	}
	if !sawRoles || !sawAdmin {
		t.Errorf("roles listed %v, administrators flagged %v", sawRoles, sawAdmin)
	}
	dvs, err := f.GetDataValidations(Sheet)
	if err != nil || len(dvs) != 1 || dvs[0].Sqref != "G2:G1048576" || !strings.Contains(dvs[0].Formula1, "Keep,Remove") {
		t.Errorf("Decision drop-down: %+v %v", dvs, err)
	}
	if !IsReviewWorkbook(path) {
		t.Error("IsReviewWorkbook does not recognise a review")
	}
}

// TestPlanReviewed: Remove decisions become membership removals, Keep and
// blank change nothing, anything else is an error at its cell; after
// applying, the same file plans to warnings only.
func TestPlanReviewed(t *testing.T) {
	env := sample(t)
	path := filepath.Join(t.TempDir(), "review.xlsx")
	if err := Write(env, path, false); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]string{"G2": "Remove", "G3": "keep", "G5": " remove ", "G7": "Keep"}
	for cell, v := range set {
		f.SetCellStr(Sheet, cell, v)
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	p, err := Plan(path, env, "review.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range p.Changes {
		got = append(got, actions.ChangeLine(c)+" @"+c.Cells[0])
	}
	want := []string{
		fmt.Sprintf("- UsersInGroups %s / %s @AccessReview!G2", env.UsersInGroups[0].User, env.UsersInGroups[0].ParentGroup),
		fmt.Sprintf("- UsersInGroups %s / %s @AccessReview!G5", env.UsersInGroups[3].User, env.UsersInGroups[3].ParentGroup),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if !p.Applicable || len(p.Findings) != 0 {
		t.Fatalf("findings: %v", p.Findings)
	}
	after, err := actions.Apply(env, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Plan(path, after, "review.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Changes) != 0 || again.Findings.Warnings() != 2 || !again.Applicable {
		t.Errorf("replanning after apply: %d changes, findings %v", len(again.Changes), again.Findings)
	}

	f, _ = excelize.OpenFile(path)
	f.SetCellStr(Sheet, "G4", "maybe")
	f.Save()
	f.Close()
	bad, err := Plan(path, env, "review.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if bad.Applicable || len(bad.Findings) != 1 || bad.Findings[0].Cell != "AccessReview!G4" {
		t.Errorf("a bad decision: applicable %v, findings %v", bad.Applicable, bad.Findings)
	}
}

var exampleTime = mustTime("2026-11-22T10:15:00Z")
