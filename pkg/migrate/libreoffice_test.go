package migrate

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"secmgr/internal/testtools"
	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
)

// everyKindOfRow returns a source and a destination made from the sample
// whose change workbook has every kind of row: new users (with a
// password), groups and exclusion groups, edits of every area, new
// relationships, exclusion entries and slice rules, and with Prune the
// Remove rows of users, groups and relationships.
func everyKindOfRow(t *testing.T) (src, dst *artifacts.Environment) {
	base := sample(t)
	src, dst = base.Clone(), base.Clone()
	u := newUser("Dana Lee")
	u.Password = "AQDana/Lee+pw=="
	u.Description = "=Not a formula"
	src.Users = append(src.Users, u)
	src.Groups = append(src.Groups, artifacts.Group{Group: "Lisbon_View", Description: "Read Lisbon data; 0042"})
	src.ExGroup = append(src.ExGroup, artifacts.ExGroup{ExGroup: "Lisbon Except Contractors"})
	src.UsersInGroups = append(src.UsersInGroups, artifacts.UserInGroup{User: "Dana Lee", ParentGroup: "Lisbon_View"})
	src.GroupsInGroups = append(src.GroupsInGroups, artifacts.GroupInGroup{Group: "Lisbon_View", ParentGroup: "Europe"})
	src.GroupsInExGroups = append(src.GroupsInExGroups, artifacts.GroupInExGroup{Group: "Lisbon_View", ExGroup: "Lisbon Except Contractors", ProcessingOrder: 0, AllowAccess: true})
	src.UsersInExGroups = append(src.UsersInExGroups, artifacts.UserInExGroup{User: "Dana Lee", ExGroup: "Lisbon Except Contractors", ProcessingOrder: 10})
	src.CubeDataCellAccess = append(src.CubeDataCellAccess, rule("GolfStream", "Data Cell Access Security", 12, "Lisbon_View"))
	row[artifacts.User](src, artifacts.TabUsers, "GS Training").Password = "AQnew+password=="
	row[artifacts.User](src, artifacts.TabUsers, "Anna Weber").NumGridRows = 300
	row[artifacts.Entity](src, artifacts.TabEntity, "Frankfurt").UseCubeDataAccess = true
	row[artifacts.GroupInExGroup](src, artifacts.TabGroupsInExGroups, "External Auditors", "Corporate Readers Except Auditors").AllowAccess = true
	src.AppRoles[3].GroupName = "Lisbon_View"
	src.CubeViewProfiles[0].UIVisibility = "WorkflowDashboards"
	dst.Users = append(dst.Users, newUser("Old Timer"))
	dst.Groups = append(dst.Groups, artifacts.Group{Group: "Old Group"})
	dst.UsersInGroups = append(dst.UsersInGroups, artifacts.UserInGroup{User: "Kevin Walsh", ParentGroup: "Old Group"})
	src.Normalize()
	dst.Normalize()
	return src, dst
}

// TestChangeWorkbookThroughLibreOffice: a change workbook opened and saved
// by LibreOffice plans exactly as the one secmgr wrote, cells and
// password references included, and applies.
func TestChangeWorkbookThroughLibreOffice(t *testing.T) {
	soffice := testtools.Soffice(t)
	src, dst := everyKindOfRow(t)
	res, got := migrated(t, "every kind of row", src, dst, Options{Prune: true, IncludePasswords: true})
	if res.Rows() < 15 {
		t.Fatalf("only %d rows", res.Rows())
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "changes.xlsx")
	if err := res.WriteWorkbook(path, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--convert-to", "xlsx", "--outdir", out, path)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	resaved := filepath.Join(out, "changes.xlsx")
	want, err := actions.PlanWorkbook(path, dst, actions.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := actions.PlanWorkbook(resaved, dst, actions.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ignore := cmp.Options{cmpopts.IgnoreFields(plans.Plan{}, "Source", "Secrets"), cmpopts.EquateEmpty()}
	if d := cmp.Diff(want, plan, ignore); d != "" {
		t.Fatalf("the LibreOffice-saved change workbook plans otherwise (-secmgr +libreoffice):\n%s", d)
	}
	secrets, err := actions.SecretsFor(plan, out)
	if err != nil {
		t.Fatal(err)
	}
	again, err := actions.Apply(dst, plan, secrets)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := artifacts.Marshal(got)
	b, _ := artifacts.Marshal(again)
	if d := cmp.Diff(string(a), string(b)); d != "" {
		t.Fatalf("applying the LibreOffice-saved workbook gives another environment:\n%s", d)
	}
}
