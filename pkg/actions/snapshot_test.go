package actions

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/validate"
	"secmgr/pkg/workbook"
)

// rowOf builds a row of tab from "Column=value" pairs.
func rowOf(tab artifacts.TabID, kv ...string) []string {
	t := tab.Tab()
	v := make([]string, len(t.Columns))
	for _, p := range kv {
		k, val, _ := strings.Cut(p, "=")
		ci := t.Column(k)
		if ci < 0 {
			panic("no column " + k + " in " + t.Name)
		}
		v[ci] = val
	}
	return v
}

// fullExport is a small, consistent full export: every tab, every
// column, values in the loose forms people type ("true", "view").
func fullExport() map[artifacts.TabID][][]string {
	return map[artifacts.TabID][][]string{
		artifacts.TabUsers: {
			rowOf(artifacts.TabUsers, "User=Jessica Documentation", "Description=Doc lead", "UserType=Interactive", "IsEnabled=True",
				"Password=ENC:c2VjcmV0", "Email=jessica@example.com", "Culture=en-US", "NumGridRows=100", "Text1=t1"),
			rowOf(artifacts.TabUsers, "User=Jim", "UserType=view", "IsEnabled=true", "ExternalAuthProviderName=AzureAD", "ExternalUserName=jim@example.com"),
		},
		artifacts.TabUsersInGroups: {
			rowOf(artifacts.TabUsersInGroups, "User=Jessica Documentation", "ParentGroup=Documentation LegalA"),
			rowOf(artifacts.TabUsersInGroups, "User=jim", "ParentGroup=Documentation LegalA"),
		},
		artifacts.TabGroups: {
			rowOf(artifacts.TabGroups, "Group=Administrators", "Description=Administrators of the application: can do everything"),
			rowOf(artifacts.TabGroups, "Group=Documentation LegalA", "Description=Legal entity A"),
		},
		artifacts.TabGroupsInGroups: {
			rowOf(artifacts.TabGroupsInGroups, "Group=Documentation LegalA", "ParentGroup=Administrators"),
		},
		artifacts.TabAppRoles: {
			rowOf(artifacts.TabAppRoles, "AppRole=managedata", "GroupName=Documentation LegalA"),
		},
		artifacts.TabSystemRoles: {
			rowOf(artifacts.TabSystemRoles, "SystemRole=SecurityAdminPage", "GroupName=Administrators"),
		},
		artifacts.TabExGroup: {
			rowOf(artifacts.TabExGroup, "ExGroup=NoHouston", "Description=everyone but Houston"),
		},
		artifacts.TabUsersInExGroups: {
			rowOf(artifacts.TabUsersInExGroups, "User=Jim", "ExGroup=NoHouston", "ProcessingOrder=1", "AllowAccess=False"),
		},
		artifacts.TabGroupsInExGroups: {
			rowOf(artifacts.TabGroupsInExGroups, "Group=Everyone", "ExGroup=NoHouston", "ProcessingOrder=0", "AllowAccess=TRUE"),
		},
		artifacts.TabWorkflow: {
			rowOf(artifacts.TabWorkflow, "Profile=Houston.Import", "AccessGroup=Everyone", "MaintenanceGroup=Administrators",
				"ExecGroup_Default=Documentation LegalA", "CertifyGroup_Default=Nobody"),
		},
		artifacts.TabCube: {
			rowOf(artifacts.TabCube, "Cube=GolfStream", "AccessGroup=Everyone", "MaintenanceGroup=Administrators"),
		},
		artifacts.TabCubeDataCellAccess: {
			rowOf(artifacts.TabCubeDataCellAccess, "Cube=GolfStream", "Type=data cell access security", "ProcessingOrder=3", "AccessGroup=NoHouston",
				"BehaviorInGrpInFilter=Skip Item And Continue", "BehaviorInGrpNotInFilter=Skip Item And Continue", "BehaviorNotInGrpInFilter=Skip Item And Continue",
				"AccessLevelInGrpInFilter=No Access", "AccessLevelInGrpNotInFilter=Read Only", "AccessLevelNotInGrpInFilter=all access",
				"EntityMemberFilter=E#Houston.Base"),
		},
		artifacts.TabEntity: {
			rowOf(artifacts.TabEntity, "Entity=Houston", "ReadGroup=Everyone", "ReadGroup2=Nobody", "ReadWriteGroup=Documentation LegalA",
				"ReadWriteGroup2=Nobody", "UseCubeDataAccess=false"),
		},
		artifacts.TabScenario: {
			rowOf(artifacts.TabScenario, "Scenario=Actual", "ReadGroup=Everyone", "ReadWriteGroup=Administrators",
				"CalculateFromGridsGroup=Nobody", "ManageDataGroup=Nobody"),
		},
		artifacts.TabDimensions: {
			rowOf(artifacts.TabDimensions, "Dimension=HoustonEntities", "AccessGroup=Everyone", "MaintenanceGroup=Administrators"),
		},
		artifacts.TabDisplayMembers: {
			rowOf(artifacts.TabDisplayMembers, "Dimension=e", "Member=Houston", "DisplayMemberGroup=Everyone"),
		},
		artifacts.TabCubeViewGroups: {
			rowOf(artifacts.TabCubeViewGroups, "CVGroup=Reports", "AccessGroup=Everyone", "MaintenanceGroup=Administrators"),
		},
		artifacts.TabCubeViewProfiles: {
			rowOf(artifacts.TabCubeViewProfiles, "CVProfile=Reports", "UIVisibility=workflowexcel", "AccessGroup=Everyone", "MaintenanceGroup=Administrators"),
		},
		artifacts.TabDashboardMaintenanceUnits: {
			rowOf(artifacts.TabDashboardMaintenanceUnits, "DMMaintenanceUnit=Main", "AccessGroup=Everyone", "MaintenanceGroup=Administrators"),
		},
		artifacts.TabDashboardGroups: {
			rowOf(artifacts.TabDashboardGroups, "DBGroup=Main", "AccessGroup=Everyone"),
		},
		artifacts.TabDashboardProfiles: {
			rowOf(artifacts.TabDashboardProfiles, "DBProfile=Main", "UIVisibility=oneplace", "AccessGroup=Everyone", "MaintenanceGroup=Administrators"),
		},
		artifacts.TabXformRules: {
			rowOf(artifacts.TabXformRules, "XformRule=Rules", "AccessGroup=Everyone", "MaintenanceGroup=Administrators"),
		},
		artifacts.TabXformProfiles: {
			rowOf(artifacts.TabXformProfiles, "XformProfile=Profiles", "AccessGroup=Everyone", "MaintenanceGroup=Administrators"),
		},
	}
}

// exportSheets turns tab rows into excelize fixture sheets, all tabs in
// export order with every column, for mutation by a test.
func exportSheets(data map[artifacts.TabID][][]string) []sheet {
	var out []sheet
	for _, tab := range artifacts.AllTabs() {
		s := sheet{name: tab.Name}
		var h []any
		for _, c := range tab.Columns {
			h = append(h, c.Name)
		}
		s.rows = append(s.rows, h)
		for _, vals := range data[tab.ID] {
			var row []any
			for _, v := range vals {
				row = append(row, v)
			}
			s.rows = append(s.rows, row)
		}
		out = append(out, s)
	}
	return out
}

// writeTabs writes tabs with their rows as secmgr's writer does.
func writeTabs(t testing.TB, path string, tabs []*artifacts.Tab, rows map[string][][]string) {
	t.Helper()
	w, err := workbook.Create(path, workbook.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for _, tab := range tabs {
		if err := w.StartTab(tab); err != nil {
			t.Fatal(err)
		}
		for _, r := range rows[tab.Name] {
			if err := w.WriteRow(r); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func snapshotLines(fs validate.Findings) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.String())
	}
	return out
}

func TestSnapshotFullExport(t *testing.T) {
	data := fullExport()
	path := filepath.Join(t.TempDir(), "SecurityExtract.101500.xlsx")
	rows := make(map[string][][]string)
	for id, rs := range data {
		rows[id.Tab().Name] = rs
	}
	writeTabs(t, path, artifacts.AllTabs(), rows)

	env, findings, err := Snapshot(path, SnapshotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(findings) != 0 {
		t.Fatalf("findings: %v", snapshotLines(findings))
	}
	if env == nil {
		t.Fatal("no environment")
	}
	if env.Name != "SecurityExtract.101500" {
		t.Errorf("name %q", env.Name)
	}
	wantUsers := []artifacts.User{
		{User: "Jessica Documentation", Description: "Doc lead", UserType: "Interactive", IsEnabled: true, Password: "ENC:c2VjcmV0",
			Email: "jessica@example.com", Culture: "en-US", NumGridRows: 100, Text1: "t1"},
		{User: "Jim", UserType: "View", IsEnabled: true, ExternalAuthProviderName: "AzureAD", ExternalUserName: "jim@example.com",
			NumGridRows: artifacts.DefaultNumGridRows},
	}
	if diff := cmp.Diff(wantUsers, env.Users); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
	if i, ok := artifacts.TabAppRoles.Tab().Find(env, "ManageData"); !ok || env.AppRoles[i].GroupName != "Documentation LegalA" {
		t.Errorf("AppRole ManageData: %v", env.AppRoles)
	}
	if len(env.AppRoles) != len(artifacts.ApplicationRoles) || len(env.SystemRoles) != len(artifacts.SystemRoleNames) {
		t.Errorf("roles not normalized: %d app, %d system", len(env.AppRoles), len(env.SystemRoles))
	}
	for _, g := range []string{"Everyone", "Nobody", "Administrators", "Documentation LegalA"} {
		if _, ok := artifacts.TabGroups.Tab().Find(env, g); !ok {
			t.Errorf("group %s missing", g)
		}
	}
	if got := env.CubeViewProfiles[0].UIVisibility; got != "WorkflowExcel" {
		t.Errorf("UIVisibility %q", got)
	}
	if got := env.CubeDataCellAccess[0]; got.Type != "Data Cell Access Security" || got.ProcessingOrder != 3 || got.AccessLevelNotInGrpInFilter != "All Access" {
		t.Errorf("slice rule %+v", got)
	}
	if got := env.UsersInExGroups[0]; got.ProcessingOrder != 1 || got.AllowAccess {
		t.Errorf("exclusion entry %+v", got)
	}
	if got := env.DisplayMembers[0].Dimension; got != "E" {
		t.Errorf("display member dimension %q", got)
	}
	if env.Rows() == 0 || len(env.UsersInGroups) != 2 || env.UsersInGroups[1].User != "Jim" {
		t.Errorf("memberships %+v", env.UsersInGroups)
	}
}

func TestSnapshotFindings(t *testing.T) {
	tests := []struct {
		name   string
		tabs   []artifacts.TabID
		data   func(data map[artifacts.TabID][][]string)
		sheets func(sheets *[]sheet)
		want   []string // findings that must be among those reported; … matches any text
		ok     bool     // the environment is returned
		only   bool     // want lists every finding
	}{
		{
			name: "missing tab",
			sheets: func(sheets *[]sheet) {
				*sheets = slices.DeleteFunc(*sheets, func(s sheet) bool { return s.name == "Cube" })
			},
			want: []string{"Cube: error: the workbook has no Cube tab; a snapshot needs every tab of the areas it takes (area cube) [missing-tab]"},
		},
		{
			name: "missing tab outside the selected areas is fine",
			tabs: []artifacts.TabID{artifacts.TabGroups, artifacts.TabGroupsInGroups},
			sheets: func(sheets *[]sheet) {
				*sheets = slices.DeleteFunc(*sheets, func(s sheet) bool { return s.name == "Cube" || s.name == "Users" })
			},
			ok: true,
		},
		{
			name: "missing column",
			sheets: func(sheets *[]sheet) {
				(*sheets)[0].rows[0][7] = "Notes" // Email
			},
			want: []string{
				"Users row 1: error: the Users tab has no Email column; a snapshot needs every column of the tabs it takes [missing-column]",
				"Users!H1: warning: column 'Notes' is not part of the Users tab; it is ignored [unknown-column]",
			},
		},
		{
			name: "invalid values at their cells",
			data: func(data map[artifacts.TabID][][]string) {
				data[artifacts.TabUsers][1][2] = "Boss"
				data[artifacts.TabUsers][0][9] = "35"
				data[artifacts.TabUsersInExGroups][0][3] = "maybe"
			},
			want: []string{
				// The messages are validate.CheckValue's.
				"Users!C3: error: UserType … [invalid-value]",
				"Users!J2: error: NumGridRows … [invalid-value]",
				"UsersInExGroups!D2: error: AllowAccess … [invalid-value]",
			},
		},
		{
			name: "empty required values",
			data: func(data map[artifacts.TabID][][]string) {
				data[artifacts.TabUsers][0][3] = ""
				data[artifacts.TabCube][0][1] = ""
			},
			want: []string{
				"Users!D2: error: IsEnabled is empty; it needs a value [required-value]",
				"Cube!B2: error: AccessGroup is empty; it needs a value (write Nobody to deny access) [required-value]",
			},
		},
		{
			name: "actions are not for snapshots",
			data: func(data map[artifacts.TabID][][]string) {
				data[artifacts.TabGroups][1][2] = "Remove"
			},
			// One finding: the group is still recorded, so the cells that
			// name it are no unknown group.
			want: []string{"Groups!C3: error: ActionType must be empty in a snapshot (found 'Remove'); a snapshot records security as it is, it is not an import [invalid-action]"},
			only: true,
		},
		{
			name: "a repeated row is ignored, a differing one refused",
			data: func(data map[artifacts.TabID][][]string) {
				data[artifacts.TabUsersInGroups] = append(data[artifacts.TabUsersInGroups],
					rowOf(artifacts.TabUsersInGroups, "User=JESSICA documentation", "ParentGroup=documentation legala"))
				data[artifacts.TabGroupsInExGroups] = append(data[artifacts.TabGroupsInExGroups],
					rowOf(artifacts.TabGroupsInExGroups, "Group=Everyone", "ExGroup=NoHouston", "ProcessingOrder=0", "AllowAccess=False"))
			},
			want: []string{
				"UsersInGroups!A4: warning: row 4 repeats row 2 (JESSICA documentation / documentation legala); it is ignored [duplicate-row]",
				"GroupsInExGroups!A3: error: rows 2 and 3 both describe exclusion group entry 'Everyone / NoHouston' but differ; keep one of them [conflicting-rows]",
			},
		},
		{
			name: "unknown references with suggestions",
			data: func(data map[artifacts.TabID][][]string) {
				data[artifacts.TabUsersInGroups][0][1] = "Documentation LegaIA"
				data[artifacts.TabUsersInExGroups][0][0] = "Jimm"
				data[artifacts.TabGroupsInExGroups][0][1] = "NoHuston"
				data[artifacts.TabWorkflow][0][2] = "Admins"
			},
			want: []string{
				"UsersInGroups!B2: error: group 'Documentation LegaIA' does not exist; it is not on the workbook's Groups tab — did you mean 'Documentation LegalA'? [unknown-group]",
				"UsersInExGroups!A2: error: user 'Jimm' does not exist; it is not on the workbook's Users tab — did you mean 'Jim'? [unknown-user]",
				"GroupsInExGroups!B2: error: exclusion group 'NoHuston' does not exist; it is not on the workbook's ExGroup tab — did you mean 'NoHouston'? [unknown-exclusion-group]",
				"Workflow!C2: error: group 'Admins' does not exist; it is not on the workbook's Groups tab [unknown-group]",
			},
		},
		{
			// Before the check stage was shared these reached only the
			// invariants, with no cell.
			name: "cycles and processing orders at their cells",
			data: func(data map[artifacts.TabID][][]string) {
				data[artifacts.TabGroupsInGroups] = append(data[artifacts.TabGroupsInGroups],
					rowOf(artifacts.TabGroupsInGroups, "Group=Administrators", "ParentGroup=Documentation LegalA"))
				data[artifacts.TabGroupsInExGroups][0][2] = "1"
			},
			want: []string{
				"GroupsInGroups!A3: error: putting 'Administrators' into 'Documentation LegalA' makes a cycle: Documentation LegalA → Administrators → Documentation LegalA [group-cycle]",
				"GroupsInExGroups!C2: error: ProcessingOrder 1 is used twice in exclusion group 'NoHouston': also by user 'Jim' (UsersInExGroups!C2); each entry needs its own order [processing-order-taken]",
			},
		},
		{
			name: "groups and exclusion groups share names",
			data: func(data map[artifacts.TabID][][]string) {
				data[artifacts.TabExGroup] = append(data[artifacts.TabExGroup], rowOf(artifacts.TabExGroup, "ExGroup=documentation legala"))
			},
			want: []string{"ExGroup!A3: error: 'documentation legala' is also added as a group at Groups!A3; groups and exclusion groups share one namespace [conflicting-rows]"},
		},
		{
			// The environment file would hold the references but not the
			// names, which Load refuses: say which area to add, once.
			name: "names of an area left out",
			tabs: []artifacts.TabID{artifacts.TabUsersInGroups, artifacts.TabWorkflow},
			want: []string{
				"UsersInGroups!A2: error: the UsersInGroups tab names users of the Users tab, which the selected areas leave out; an environment file holds every user its rows name — add the users area (--areas) [missing-tab]",
				"UsersInGroups!B2: error: the UsersInGroups tab names groups of the Groups tab, which the selected areas leave out; an environment file holds every group its rows name — add the groups area (--areas) [missing-tab]",
				"Workflow!D2: error: the Workflow tab names groups of the Groups tab, which the selected areas leave out; an environment file holds every group its rows name — add the groups area (--areas) [missing-tab]",
			},
			only: true,
		},
		{
			name: "references need their name tab",
			tabs: []artifacts.TabID{artifacts.TabUsersInGroups},
			sheets: func(sheets *[]sheet) {
				*sheets = slices.DeleteFunc(*sheets, func(s sheet) bool { return s.name == "Users" })
			},
			want: []string{"UsersInGroups!A2: error: the UsersInGroups tab refers to users, but the workbook has no Users tab to check them against; export the users area too [missing-tab]"},
		},
		{
			name: "header problems are not reported twice",
			sheets: func(sheets *[]sheet) {
				(*sheets)[2].rows[0][0] = "Name" // Groups without its key column
			},
			want: []string{
				"Groups row 1: error: the Groups tab has no Group column; it is needed to identify each group [missing-key-column]",
				"Groups!A1: warning: column 'Name' is not part of the Groups tab; it is ignored [unknown-column]",
			},
			only: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := fullExport()
			if tt.data != nil {
				tt.data(data)
			}
			sheets := exportSheets(data)
			if tt.sheets != nil {
				tt.sheets(&sheets)
			}
			env, findings, err := Snapshot(writeWorkbook(t, sheets...), SnapshotOptions{Name: "GolfStream", Tabs: tt.tabs})
			if err != nil {
				t.Fatal(err)
			}
			got := snapshotLines(findings)
			for _, w := range tt.want {
				if !slices.ContainsFunc(got, func(g string) bool { return matchFinding(w, g) }) {
					t.Errorf("missing finding\n  %s\namong\n  %s", w, strings.Join(got, "\n  "))
				}
			}
			if tt.only && len(got) != len(tt.want) {
				t.Errorf("findings:\n  %s\nwant only\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
			if tt.ok != (env != nil) {
				t.Errorf("environment returned: %v, want %v (findings %v)", env != nil, tt.ok, got)
			}
			if env != nil && env.Name != "GolfStream" {
				t.Errorf("name %q", env.Name)
			}
			if tt.ok && tt.tabs != nil && len(env.Users) != 0 {
				t.Errorf("tab not selected was filled: %v", env.Users)
			}
			for _, f := range findings {
				if strings.Contains(f.Message, "c2VjcmV0") {
					t.Errorf("a password value appears in %s", f)
				}
			}
		})
	}
}

// matchFinding compares a finding line with a pattern in which "…"
// stands for any text.
func matchFinding(pattern, line string) bool {
	pre, post, wild := strings.Cut(pattern, "…")
	if !wild {
		return pattern == line
	}
	return len(line) >= len(pre)+len(post) && strings.HasPrefix(line, pre) && strings.HasSuffix(line, post)
}
