package actions

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
	"secmgr/pkg/validate"
	"secmgr/pkg/workbook"
)

// testEnv is a small environment every planner test starts from.
func testEnv() *artifacts.Environment {
	env := artifacts.New("Test")
	env.Users = []artifacts.User{
		{User: "Jessica Documentation", UserType: "Interactive", IsEnabled: true, ExternalAuthProviderName: "AzureAD", ExternalUserName: "jessica@golfstream.com", Email: "jessica@golfstream.com", Culture: "en-US", NumGridRows: 30},
		{User: "Natalie Documentation", UserType: "View", IsEnabled: true, Culture: "fr-FR", NumGridRows: 50, Password: "ENC(secret-natalie)"},
		{User: "Old Timer", UserType: "Restricted", IsEnabled: false, NumGridRows: 10},
	}
	env.Groups = append(env.Groups,
		artifacts.Group{Group: "Documentation LegalA", Description: "Legal entity A"},
		artifacts.Group{Group: "Documentation LegalB", Description: "Legal entity B"},
		artifacts.Group{Group: "Documentation AllOrgs"},
		artifacts.Group{Group: "Houston_View"},
		artifacts.Group{Group: "Houston_Mod"},
		artifacts.Group{Group: "Unused"},
	)
	env.GroupsInGroups = []artifacts.GroupInGroup{
		{Group: "Documentation LegalA", ParentGroup: "Documentation AllOrgs"},
		{Group: "Documentation LegalB", ParentGroup: "Documentation AllOrgs"},
	}
	env.UsersInGroups = []artifacts.UserInGroup{
		{User: "Jessica Documentation", ParentGroup: "Documentation LegalA"},
		{User: "Natalie Documentation", ParentGroup: "Documentation LegalB"},
		{User: "Old Timer", ParentGroup: "Houston_View"},
	}
	env.ExGroup = []artifacts.ExGroup{{ExGroup: "Houston Except", Description: "All orgs but Natalie"}}
	env.GroupsInExGroups = []artifacts.GroupInExGroup{{Group: "Documentation AllOrgs", ExGroup: "Houston Except", ProcessingOrder: 0, AllowAccess: true}}
	env.UsersInExGroups = []artifacts.UserInExGroup{{User: "Natalie Documentation", ExGroup: "Houston Except", ProcessingOrder: 1, AllowAccess: false}}
	env.Entity = []artifacts.Entity{
		{Entity: "Houston", ReadGroup: "Houston_View", ReadGroup2: "Nobody", ReadWriteGroup: "Houston_Mod", ReadWriteGroup2: "Houston Except", UseCubeDataAccess: true},
		{Entity: "Augusta", ReadGroup: "Everyone", ReadGroup2: "Nobody", ReadWriteGroup: "Documentation LegalA", ReadWriteGroup2: "Nobody"},
	}
	env.Workflow = []artifacts.WorkflowProfile{{Profile: "Houston.Import", AccessGroup: "Everyone", MaintenanceGroup: "Administrators", ExecGroup_Default: "Houston_Mod", CertifyGroup_Default: "Houston_Mod"}}
	env.Cube = []artifacts.Cube{{Cube: "GolfStream", AccessGroup: "Everyone", MaintenanceGroup: "Administrators"}}
	env.CubeDataCellAccess = []artifacts.SliceRule{{Cube: "GolfStream", Type: "Data Cell Access Security", ProcessingOrder: 0, AccessGroup: "Houston_View",
		BehaviorInGrpInFilter: "Increase Access And Stop", BehaviorInGrpNotInFilter: "Skip Item And Continue", BehaviorNotInGrpInFilter: "Skip Item And Continue",
		AccessLevelInGrpInFilter: "All Access", AccessLevelInGrpNotInFilter: "No Access", AccessLevelNotInGrpInFilter: "No Access", EntityMemberFilter: "E#Houston.Base"}}
	env.Normalize()
	for i := range env.AppRoles {
		if env.AppRoles[i].AppRole == "ManageData" {
			env.AppRoles[i].GroupName = "Houston_Mod"
		}
	}
	return env
}

// sheet is a test workbook tab: a header row and data rows. Values are
// written as given: strings as text, numbers and bools as such.
type sheet struct {
	name string
	rows [][]any
}

func writeWorkbook(t testing.TB, sheets ...sheet) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			f.SetSheetName("Sheet1", s.name)
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			for c, v := range row {
				if v == nil {
					continue
				}
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := f.SetCellValue(s.name, ref, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	path := filepath.Join(t.TempDir(), "edits.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// exportAll writes every tab of env as secmgr export would (passwords
// left empty).
func exportAll(t testing.TB, env *artifacts.Environment) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "export.xlsx")
	w, err := workbook.Create(path, workbook.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var cells []string
	for _, tab := range artifacts.AllTabs() {
		if err := w.StartTab(tab); err != nil {
			t.Fatal(err)
		}
		pw := tab.Column("Password")
		for i, n := 0, tab.Len(env); i < n; i++ {
			cells = tab.Cells(env, i, cells)
			if pw >= 0 {
				cells[pw] = ""
			}
			if err := w.WriteRow(cells); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func plan(t testing.TB, env *artifacts.Environment, path string, opt PlanOptions) *plans.Plan {
	t.Helper()
	p, err := PlanWorkbook(path, env, opt)
	if err != nil {
		t.Fatalf("PlanWorkbook: %v", err)
	}
	return p
}

func changeLines(p *plans.Plan) []string {
	var out []string
	for _, c := range p.Changes {
		out = append(out, plans.ChangeLine(c))
	}
	return out
}

func findingLines(p *plans.Plan) []string {
	var out []string
	for _, f := range p.Findings {
		out = append(out, fmt.Sprintf("%s %s %s", f.Severity, f.Code, f.Cell))
	}
	return out
}

func TestUnchangedExportPlansNothing(t *testing.T) {
	env := testEnv()
	p := plan(t, env, exportAll(t, env), PlanOptions{})
	if len(p.Changes) != 0 || len(p.Findings) != 0 {
		t.Fatalf("unchanged export planned changes or findings:\n%s", render(p))
	}
	if !p.Applicable {
		t.Fatal("empty plan not applicable")
	}
}

func render(p *plans.Plan) string {
	var b strings.Builder
	plans.RenderText(&b, p, false)
	return b.String()
}

var (
	usersHeader  = []any{"User", "Description", "UserType", "IsEnabled", "ExternalAuthProviderName", "ExternalUserName", "Password", "Email", "Culture", "NumGridRows", "ActionType", "ActionValue"}
	groupsHeader = []any{"Group", "Description", "ActionType", "ActionValue"}
	uigHeader    = []any{"User", "ParentGroup", "ActionType", "ActionValue"}
	gigHeader    = []any{"Group", "ParentGroup", "ActionType", "ActionValue"}
	uixHeader    = []any{"User", "ExGroup", "ProcessingOrder", "AllowAccess", "ActionType", "ActionValue"}
	gixHeader    = []any{"Group", "ExGroup", "ProcessingOrder", "AllowAccess", "ActionType", "ActionValue"}
	entityHeader = []any{"Entity", "ReadGroup", "ReadGroup2", "ReadWriteGroup", "ReadWriteGroup2", "UseCubeDataAccess"}
)

func rows(header []any, data ...[]any) [][]any { return append([][]any{header}, data...) }

// TestPlanRules has one case per rule of import.md: what each row means,
// every ActionType, and every validation.
func TestPlanRules(t *testing.T) {
	cases := []struct {
		name     string
		sheets   []sheet
		cascade  bool
		changes  []string
		findings []string
	}{
		{name: "a new user needs UserType and IsEnabled: no defaults for what a person must choose",
			sheets: []sheet{{"Users", rows([]any{"User", "Email", "IsEnabled"},
				[]any{"Pat New", "pat@golfstream.com", ""},
				[]any{"Sam New", "sam@golfstream.com", "True"})}},
			findings: []string{"error required-value Users!A2", "error required-value Users!C2", "error required-value Users!A3"}},
		{name: "a new user takes the defaults for Culture and NumGridRows, and the plan shows them",
			sheets: []sheet{{"Users", rows([]any{"User", "UserType", "IsEnabled", "Email"},
				[]any{"Pat New", "View", "False", "pat@golfstream.com"})}},
			changes: []string{"+ Users Pat New: UserType View; IsEnabled False; Email pat@golfstream.com; Culture en-US; NumGridRows 30  (defaults: Culture en-US, NumGridRows 30)"}},
		{name: "a new user with an existing user's identity: same-identity",
			sheets: []sheet{{"Users", rows(usersHeader,
				[]any{"Jess Doc", nil, "View", true, "azuread", "JESSICA@golfstream.com", nil, "other@golfstream.com", "en-US", 30},
				[]any{"Jessica D", nil, "View", true, "Okta", "jessica@golfstream.com", nil, "Jessica@golfstream.com", "en-US", 30},
				[]any{"Someone Else", nil, "View", true, "Okta", "jessica@golfstream.com", nil, "", "en-US", 30})}},
			changes: []string{
				"+ Users Jess Doc: UserType View; IsEnabled True; ExternalAuthProviderName azuread; ExternalUserName JESSICA@golfstream.com; Email other@golfstream.com; Culture en-US; NumGridRows 30",
				"+ Users Jessica D: UserType View; IsEnabled True; ExternalAuthProviderName Okta; ExternalUserName jessica@golfstream.com; Email Jessica@golfstream.com; Culture en-US; NumGridRows 30",
				"+ Users Someone Else: UserType View; IsEnabled True; ExternalAuthProviderName Okta; ExternalUserName jessica@golfstream.com; Culture en-US; NumGridRows 30"},
			findings: []string{"warning same-identity Users!F2", "warning same-identity Users!H3"}},
		{name: "Remove with a member decides for that membership in the whole workbook",
			sheets: []sheet{
				{"Users", rows(usersHeader, []any{"Jessica Documentation", nil, "Interactive", true, "AzureAD", "jessica@golfstream.com", nil, "jessica@golfstream.com", "en-US", 30, "Remove", "documentation legala"})},
				{"UsersInGroups", rows(uigHeader, []any{"Jessica Documentation", "Documentation LegalA"}, []any{"Natalie Documentation", "Documentation LegalB"})},
				{"Groups", rows(groupsHeader, []any{"Documentation AllOrgs", nil, "Remove", "Documentation LegalB"}, []any{"Documentation LegalA", "Legal entity A", "Remove", "Jessica Documentation"})},
				{"GroupsInGroups", rows(gigHeader, []any{"Documentation LegalB", "Documentation AllOrgs"}, []any{"Documentation LegalA", "Documentation AllOrgs"})},
			},
			changes:  []string{"- UsersInGroups Jessica Documentation / Documentation LegalA", "- GroupsInGroups Documentation LegalB / Documentation AllOrgs"},
			findings: []string{"warning removed-by-row UsersInGroups!A2", "warning removed-by-row GroupsInGroups!A2"}},
		{name: "one user leaving two groups in two rows: their edit is planned once",
			sheets: []sheet{{"Users", rows([]any{"User", "Description", "ActionType", "ActionValue"},
				[]any{"Jessica Documentation", "Left legal", "Remove", "Documentation LegalA"},
				[]any{"Jessica Documentation", "Left legal", "Remove", "Documentation LegalB"})}},
			changes:  []string{`~ Users Jessica Documentation: Description "" → Left legal`, "- UsersInGroups Jessica Documentation / Documentation LegalA"},
			findings: []string{"warning already-absent Users!D3"}},
		{name: "rows of one user that differ beyond their removals conflict",
			sheets: []sheet{{"Users", rows([]any{"User", "Description", "ActionType", "ActionValue"},
				[]any{"Jessica Documentation", "Left legal", "Remove", "Documentation LegalA"},
				[]any{"Jessica Documentation", "Stays in legal", "Remove", "Documentation LegalB"})}},
			findings: []string{"error conflicting-rows Users!A3"}},
		{name: "a user is not put straight into an exclusion group",
			sheets:   []sheet{{"UsersInGroups", rows(uigHeader, []any{"Jessica Documentation", "houston except"}, []any{"Natalie Documentation", "Houston Except", "Remove"})}},
			findings: []string{"error invalid-value UsersInGroups!B2", "warning already-absent UsersInGroups!C3"}},
		{name: "--cascade over a full export: unchanged rows naming the removed group are part of the cascade",
			sheets: []sheet{
				{"Groups", rows(groupsHeader, []any{"Houston_Mod", nil, "Remove"})},
				{"AppRoles", rows([]any{"AppRole", "GroupName"}, []any{"ManageData", "Houston_Mod"})},
				{"Entity", rows(entityHeader, []any{"Houston", "Houston_View", "Nobody", "Houston_Mod", "Houston Except", true})},
				{"Workflow", rows([]any{"Profile", "AccessGroup", "MaintenanceGroup", "ExecGroup_Default", "CertifyGroup_Default"}, []any{"Houston.Import", "Everyone", "Administrators", "Houston_Mod", "Houston_Mod"})},
			},
			cascade: true,
			changes: []string{
				"~ AppRoles ManageData: GroupName Houston_Mod → Nobody  (--cascade: group 'Houston_Mod' is removed)",
				"~ Workflow Houston.Import: ExecGroup_Default Houston_Mod → Nobody  (--cascade: group 'Houston_Mod' is removed)",
				"~ Workflow Houston.Import: CertifyGroup_Default Houston_Mod → Nobody  (--cascade: group 'Houston_Mod' is removed)",
				"~ Entity Houston: ReadWriteGroup Houston_Mod → Nobody  (--cascade: group 'Houston_Mod' is removed)",
				"- Groups Houston_Mod"}},
		{name: "--cascade: a row that changes a reference to the removed group is still an error",
			sheets: []sheet{
				{"Groups", rows(groupsHeader, []any{"Houston_Mod", nil, "Remove"})},
				{"Entity", rows(entityHeader, []any{"Augusta", "Everyone", "Nobody", "Houston_Mod", "Nobody", false})},
			},
			cascade: true,
			changes: []string{
				"~ AppRoles ManageData: GroupName Houston_Mod → Nobody  (--cascade: group 'Houston_Mod' is removed)",
				"~ Workflow Houston.Import: ExecGroup_Default Houston_Mod → Nobody  (--cascade: group 'Houston_Mod' is removed)",
				"~ Workflow Houston.Import: CertifyGroup_Default Houston_Mod → Nobody  (--cascade: group 'Houston_Mod' is removed)",
				"~ Entity Houston: ReadWriteGroup Houston_Mod → Nobody  (--cascade: group 'Houston_Mod' is removed)",
				"- Groups Houston_Mod"},
			findings: []string{"error removed-with-owner Entity!D2"}},
		{name: "edit with numeric and boolean cells and enum casing",
			sheets: []sheet{{"Users", rows(usersHeader,
				[]any{"jessica documentation", nil, "view", false, "AzureAD", "jessica@golfstream.com", nil, "jessica@golfstream.com", "en-us", 40.0})}},
			changes: []string{"~ Users Jessica Documentation: UserType Interactive → View; IsEnabled True → False; NumGridRows 30 → 40"}},
		{name: "empty free text clears, empty required is an error",
			sheets: []sheet{{"Users", rows(usersHeader,
				[]any{"Old Timer", nil, nil, "False", nil, nil, nil, nil, nil, 10})}},
			findings: []string{"error required-value Users!C2"}},
		{name: "password change is masked",
			sheets:  []sheet{{"Users", rows([]any{"User", "Password"}, []any{"Natalie Documentation", "ENC(new)"}, []any{"Jessica Documentation", ""})}},
			changes: []string{"~ Users Natalie Documentation: Password changed"}},
		{name: "invalid domain values",
			sheets: []sheet{{"Users", rows([]any{"User", "UserType", "NumGridRows", "Email", "Culture"},
				[]any{"Jessica Documentation", "Admin", 35, "not-an-address", "de-DE"})}},
			findings: []string{"error invalid-value Users!B2", "error invalid-value Users!C2", "error invalid-value Users!D2", "warning unknown-culture Users!E2"}},
		{name: "invalid names",
			sheets:   []sheet{{"Groups", rows(groupsHeader, []any{"Doc*"}, []any{strings.Repeat("x", 101)}, []any{"Tab\tName"})}},
			findings: []string{"error invalid-name Groups!A2", "error invalid-name Groups!A3", "error invalid-name Groups!A4"}},
		{name: "user rename, lower-case remove, membership merge",
			sheets: []sheet{
				{"Users", rows(usersHeader,
					[]any{"Natalie Documentation", nil, "View", true, nil, nil, nil, nil, "fr-FR", 50, "Rename", "Natalie Doc"},
					[]any{"Old Timer", nil, "Restricted", false, nil, nil, nil, nil, nil, 10, "remove"})},
				{"UsersInGroups", rows(uigHeader,
					[]any{"Natalie Doc", "documentation legala"},
					[]any{"Natalie Documentation", "Documentation LegalB"},
					[]any{"Old Timer", "Houston_View"})},
			},
			changes:  []string{"> Users Natalie Documentation → Natalie Doc", "+ UsersInGroups Natalie Doc / Documentation LegalA", "- Users Old Timer"},
			findings: []string{"warning removed-with-owner UsersInGroups!A4"}},
		{name: "user removed from one group via ActionValue",
			sheets:  []sheet{{"Users", rows(usersHeader, []any{"Jessica Documentation", nil, "Interactive", true, "AzureAD", "jessica@golfstream.com", nil, "jessica@golfstream.com", "en-US", 30, "Remove", "Documentation LegalA"})}},
			changes: []string{"- UsersInGroups Jessica Documentation / Documentation LegalA"}},
		{name: "group rename used by other rows under its new name",
			sheets: []sheet{
				{"Groups", rows(groupsHeader, []any{"Houston_View", nil, "Rename", "Houston_Read"}, []any{"Documentation LegalD", "Legal entity D"})},
				{"GroupsInGroups", rows(gigHeader, []any{"Documentation LegalD", "Documentation AllOrgs"})},
				{"Entity", rows(entityHeader, []any{"Houston", "Houston_Read", "Nobody", "Houston_Mod", "Houston Except", true}, []any{"Augusta", "Houston_View", "Nobody", "Documentation LegalD", "Nobody", false})},
			},
			changes: []string{
				"+ Groups Documentation LegalD: Description Legal entity D",
				"> Groups Houston_View → Houston_Read",
				"~ Entity Augusta: ReadGroup Everyone → Houston_Read; ReadWriteGroup Documentation LegalA → Documentation LegalD",
				"+ GroupsInGroups Documentation LegalD / Documentation AllOrgs"}},
		{name: "group removal blocked while used",
			sheets:   []sheet{{"Groups", rows(groupsHeader, []any{"Houston_Mod", nil, "Remove"})}},
			findings: []string{"error group-in-use Groups!C2"}},
		{name: "group removal with cascade",
			sheets:  []sheet{{"Groups", rows(groupsHeader, []any{"Houston_Mod", nil, "Remove"})}},
			cascade: true,
			changes: []string{
				"~ AppRoles ManageData: GroupName Houston_Mod → Nobody  (--cascade: group 'Houston_Mod' is removed)",
				"~ Workflow Houston.Import: ExecGroup_Default Houston_Mod → Nobody  (--cascade: group 'Houston_Mod' is removed)",
				"~ Workflow Houston.Import: CertifyGroup_Default Houston_Mod → Nobody  (--cascade: group 'Houston_Mod' is removed)",
				"~ Entity Houston: ReadWriteGroup Houston_Mod → Nobody  (--cascade: group 'Houston_Mod' is removed)",
				"- Groups Houston_Mod"}},
		{name: "group removal moved away by the workbook itself",
			sheets: []sheet{
				{"Groups", rows(groupsHeader, []any{"Unused", nil, "Remove"}, []any{"Houston_View", nil, "Remove"})},
				{"Entity", rows(entityHeader[:2], []any{"Houston", "Nobody"})},
				{"CubeDataCellAccess", rows([]any{"Cube", "Type", "ProcessingOrder", "AccessGroup"}, []any{"GolfStream", "Data Cell Access Security", 0, "Nobody"})},
			},
			changes: []string{
				"~ CubeDataCellAccess GolfStream / Data Cell Access Security / 0: AccessGroup Houston_View → Nobody",
				"~ Entity Houston: ReadGroup Houston_View → Nobody",
				"- Groups Unused", "- Groups Houston_View"}},
		{name: "group member removal on the Groups tab",
			sheets:  []sheet{{"Groups", rows(groupsHeader, []any{"Documentation AllOrgs", nil, "Remove", "Documentation LegalB"}, []any{"Documentation LegalA", "Legal entity A", "Remove", "jessica documentation"})}},
			changes: []string{"- UsersInGroups Jessica Documentation / Documentation LegalA", "- GroupsInGroups Documentation LegalB / Documentation AllOrgs"}},
		{name: "exclusion group member removal",
			sheets:  []sheet{{"ExGroup", rows(groupsHeader[:0:0], nil)}, {"ExGroup", nil}}[:0],
			changes: nil},
		{name: "built-in groups are protected",
			sheets:   []sheet{{"Groups", rows(groupsHeader, []any{"Everyone", nil, "Rename", "All"}, []any{"Nobody", nil, "Remove"})}},
			findings: []string{"error builtin-group Groups!C2", "error builtin-group Groups!C3"}},
		{name: "idempotence: already absent and already renamed",
			sheets: []sheet{
				{"Users", rows(usersHeader, []any{"Gone User", nil, "View", true, nil, nil, nil, nil, nil, 10, "Remove"})},
				{"Groups", rows(groupsHeader, []any{"Old Name", "New description", "Rename", "Unused"})},
				{"UsersInGroups", rows(uigHeader, []any{"Jessica Documentation", "Houston_View", "Remove"})},
			},
			changes:  []string{"~ Groups Unused: Description \"\" → New description"},
			findings: []string{"warning already-absent Users!K2", "warning already-absent UsersInGroups!C2", "warning already-renamed Groups!C2"}},
		{name: "memberships of an already removed user are no change",
			sheets: []sheet{
				{"Users", rows(usersHeader, []any{"Gone User", nil, "View", true, nil, nil, nil, nil, nil, 10, "Remove"})},
				{"UsersInGroups", rows(uigHeader, []any{"Gone User", "Houston_View"})},
			},
			findings: []string{"warning already-absent Users!K2", "warning removed-with-owner UsersInGroups!A2"}},
		{name: "rename where neither name exists",
			sheets:   []sheet{{"Groups", rows(groupsHeader, []any{"Houston_Veiw2", nil, "Rename", "Houston_Read"})}},
			findings: []string{"error rename-source-missing Groups!A2"}},
		{name: "rename target taken, name freed reused",
			sheets: []sheet{{"Groups", rows([]any{"Group", "ActionType", "ActionValue"},
				[]any{"Houston_View", "Rename", "Houston_Mod"},
				[]any{"Documentation LegalA", "Rename", "Legal A"},
				[]any{"Documentation LegalB", "Rename", "Legal B"},
				[]any{"Documentation LegalB"},
				[]any{"Legal X", "Rename", "Legal A"})}},
			changes:  []string{"> Groups Documentation LegalA → Legal A"},
			findings: []string{"error rename-target-taken Groups!C2", "error conflicting-rows Groups!A5", "error rename-target-taken Groups!C6"}},
		{name: "ActionType rules",
			sheets: []sheet{
				{"Users", rows(usersHeader[:1], []any{"Jessica Documentation"})},
				{"Groups", rows(groupsHeader, []any{"Unused", nil, "Delete"}, []any{"Houston_View", nil, "Rename"}, []any{"Houston_Mod", nil, nil, "stray"})},
				{"UsersInGroups", rows(uigHeader, []any{"Jessica Documentation", "Documentation LegalA", "Rename", "x"}, []any{nil, nil, "Remove"})},
			},
			findings: []string{"error invalid-action UsersInGroups!C2", "error action-without-row UsersInGroups!C3", "error invalid-action Groups!C2", "error invalid-action Groups!D3", "error invalid-action Groups!D4"}},
		{name: "unknown references suggest the closest name",
			sheets: []sheet{
				{"UsersInGroups", rows(uigHeader, []any{"Jessica Documentation", "Documentation LegaIA"}, []any{"Jesica Documentation", "Houston_View"})},
				{"Entity", rows(entityHeader[:2], []any{"Houston", "Houston_Veiw"})},
			},
			findings: []string{"error unknown-group UsersInGroups!B2", "error unknown-user UsersInGroups!A3", "error unknown-group Entity!B2"}},
		{name: "duplicate rows: identical warn, differing error",
			sheets: []sheet{{"Groups", rows(groupsHeader,
				[]any{"New One", "x"}, []any{"new one", "x"}, []any{"Unused", "a"}, []any{"Unused", "b"})}},
			changes:  []string{"+ Groups New One: Description x"},
			findings: []string{"warning duplicate-row Groups!A3", "error conflicting-rows Groups!A5"}},
		{name: "cycle in GroupsInGroups shows the path",
			sheets:   []sheet{{"GroupsInGroups", rows(gigHeader, []any{"Documentation AllOrgs", "Documentation LegalA"})}},
			findings: []string{"error group-cycle GroupsInGroups!A2"}},
		{name: "a group in itself",
			sheets:   []sheet{{"GroupsInGroups", rows(gigHeader, []any{"Unused", "unused"})}},
			findings: []string{"error group-in-itself GroupsInGroups!B2"}},
		{name: "ProcessingOrder unique per exclusion group, counting existing entries",
			sheets: []sheet{
				{"UsersInExGroups", rows(uixHeader, []any{"Jessica Documentation", "Houston Except", 0, true})},
				{"GroupsInExGroups", rows(gixHeader, []any{"Houston_View", "Houston Except", 2, "TRUE"}, []any{"Houston_Mod", "Houston Except", 2, false})},
			},
			findings: []string{"error processing-order-taken UsersInExGroups!C2", "error processing-order-taken GroupsInExGroups!C2", "error processing-order-taken GroupsInExGroups!C3"}},
		{name: "exclusion entry edit and add",
			sheets: []sheet{
				{"UsersInExGroups", rows(uixHeader, []any{"Natalie Documentation", "Houston Except", 5, "False"})},
				{"GroupsInExGroups", rows(gixHeader, []any{"Houston_View", "Houston Except", 3, "True"})},
			},
			changes: []string{"~ UsersInExGroups Natalie Documentation / Houston Except: ProcessingOrder 1 → 5", "+ GroupsInExGroups Houston_View / Houston Except: ProcessingOrder 3; AllowAccess True"}},
		{name: "edit-only tabs name artifacts that do not exist",
			sheets: []sheet{
				{"Workflow", rows([]any{"Profile", "AccessGroup"}, []any{"Houston.Fcst", "Everyone"})},
				{"Entity", rows(entityHeader[:2], []any{"Houstan", "Everyone"})},
			},
			findings: []string{"error artifact-does-not-exist Workflow!A2", "error artifact-does-not-exist Entity!A2"}},
		{name: "slice rule add of a used type; new type refused; member filter prefix",
			sheets: []sheet{{"CubeDataCellAccess", rows([]any{"Cube", "Type", "ProcessingOrdering", "AccessGroup", "BehaviorInGrpInFilter", "BehaviorInGrpNotInFilter", "BehaviorNotInGrpInFilter", "AccessLevelInGrpInFilter", "AccessLevelInGrpNotInFilter", "AccessLevelNotInGrpInFilter", "EntityMemberFilter"},
				[]any{"golfstream", "data cell access security", 1, "Houston_Mod", "increase access and stop", "Skip Item And Continue", "Skip Item And Continue", "read only", "No Access", "No Access", "E#Houston"},
				[]any{"GolfStream", "Data Cell Conditional Input", 0, "Houston_Mod", "Skip Item And Continue", "Skip Item And Continue", "Skip Item And Continue", "No Access", "No Access", "No Access", ""},
				[]any{"GolfStream", "Data Cell Access Security", 2, "Houston_Mod", "Skip Item And Continue", "Skip Item And Continue", "Skip Item And Continue", "No Access", "No Access", "No Access", "A#Sales"})}},
			changes:  []string{"+ CubeDataCellAccess GolfStream / Data Cell Access Security / 1: AccessGroup Houston_Mod; BehaviorInGrpInFilter Increase Access And Stop; AccessLevelInGrpInFilter Read Only; BehaviorInGrpNotInFilter Skip Item And Continue; AccessLevelInGrpNotInFilter No Access; BehaviorNotInGrpInFilter Skip Item And Continue; AccessLevelNotInGrpInFilter No Access; EntityMemberFilter E#Houston"},
			findings: []string{"error type-change CubeDataCellAccess!B3", "error member-filter-prefix CubeDataCellAccess!K4"}},
		{name: "Everyone and Nobody take no members",
			sheets:   []sheet{{"UsersInGroups", rows(uigHeader, []any{"Jessica Documentation", "Everyone"})}},
			findings: []string{"error builtin-group UsersInGroups!B2"}},
		{name: "unknown tab and column are warnings",
			sheets:   []sheet{{"Notes", rows([]any{"anything"})}, {"Groups", rows([]any{"Group", "Description", "Notes"}, []any{"Unused", "", "mine"})}},
			findings: []string{"warning unknown-column Groups!C1", "warning unknown-tab "}},
		{name: "tab aliases User and Group",
			sheets:  []sheet{{"User", rows([]any{"User", "Description"}, []any{"Old Timer", "retired"})}, {"group", rows([]any{"group", "description"}, []any{"Unused", "spare"})}},
			changes: []string{"~ Users Old Timer: Description \"\" → retired", "~ Groups Unused: Description \"\" → spare"}},
	}
	for _, tc := range cases {
		if len(tc.sheets) == 0 {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv()
			before, _ := artifacts.Marshal(env)
			p := plan(t, env, writeWorkbook(t, tc.sheets...), PlanOptions{Cascade: tc.cascade})
			if diff := cmp.Diff(tc.changes, changeLines(p)); diff != "" {
				t.Errorf("changes (-want +got):\n%s\nplan:\n%s", diff, render(p))
			}
			if diff := cmp.Diff(tc.findings, findingLines(p)); diff != "" {
				t.Errorf("findings (-want +got):\n%s\nplan:\n%s", diff, render(p))
			}
			wantApplicable := true
			for _, f := range tc.findings {
				if strings.HasPrefix(f, "error") {
					wantApplicable = false
				}
			}
			if p.Applicable != wantApplicable {
				t.Errorf("applicable = %v, want %v", p.Applicable, wantApplicable)
			}
			after, _ := artifacts.Marshal(env)
			if string(before) != string(after) {
				t.Error("planning changed the environment")
			}
		})
	}
}

func TestFindingsCarryTabRowColumn(t *testing.T) {
	env := testEnv()
	p := plan(t, env, writeWorkbook(t, sheet{"UsersInGroups", rows(uigHeader, []any{"Jessica Documentation", "Documentation LegaIA"})}), PlanOptions{})
	want := validate.Findings{{Severity: validate.Error, Code: validate.CodeUnknownGroup, Tab: "UsersInGroups", Row: 2, Column: "ParentGroup", Cell: "UsersInGroups!B2",
		Message: "group 'Documentation LegaIA' does not exist — did you mean 'Documentation LegalA'?"}}
	if diff := cmp.Diff(want, p.Findings); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}
