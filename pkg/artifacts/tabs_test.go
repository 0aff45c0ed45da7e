package artifacts

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestTabTableMatchesSpec checks every tab against workbook.md: name,
// area, columns in export order, key and whether import may add rows.
func TestTabTableMatchesSpec(t *testing.T) {
	uf := "EntityMemberFilter ParentMemberFilter ConsMemberFilter ScenarioMemberFilter TimeMemberFilter ViewMemberFilter AccountMemberFilter FlowMemberFilter OriginMemberFilter ICMemberFilter UD1MemberFilter UD2MemberFilter UD3MemberFilter UD4MemberFilter UD5MemberFilter UD6MemberFilter UD7MemberFilter UD8MemberFilter"
	want := []struct {
		name, area, columns, key string
		mayAdd                   bool
		actions                  string
	}{
		{"Users", "users", "User Description UserType IsEnabled ExternalAuthProviderName ExternalUserName Password Email Culture NumGridRows Text1 Text2 Text3 Text4 ActionType ActionValue", "User", true, "Rename Remove"},
		{"UsersInGroups", "users", "User ParentGroup ActionType ActionValue", "User ParentGroup", true, "Remove"},
		{"Groups", "groups", "Group Description ActionType ActionValue", "Group", true, "Rename Remove"},
		{"GroupsInGroups", "groups", "Group ParentGroup ActionType ActionValue", "Group ParentGroup", true, "Remove"},
		{"AppRoles", "roles", "AppRole GroupName", "AppRole", false, ""},
		{"SystemRoles", "roles", "SystemRole GroupName", "SystemRole", false, ""},
		{"ExGroup", "exgroups", "ExGroup Description ActionType ActionValue", "ExGroup", true, "Rename Remove"},
		{"UsersInExGroups", "exgroups", "User ExGroup ProcessingOrder AllowAccess ActionType ActionValue", "User ExGroup", true, "Remove"},
		{"GroupsInExGroups", "exgroups", "Group ExGroup ProcessingOrder AllowAccess ActionType ActionValue", "Group ExGroup", true, "Remove"},
		{"Workflow", "workflow", "Profile AccessGroup MaintenanceGroup ExecGroup_Default CertifyGroup_Default", "Profile", false, ""},
		{"Cube", "cube", "Cube AccessGroup MaintenanceGroup", "Cube", false, ""},
		{"CubeDataCellAccess", "cubedataaccess", "Cube Type ProcessingOrdering Description AccessGroup BehaviorInGrpInFilter AccessLevelInGrpInFilter BehaviorInGrpNotInFilter AccessLevelInGrpNotInFilter BehaviorNotInGrpInFilter AccessLevelNotInGrpInFilter " + uf + " ActionType ActionValue", "Cube Type ProcessingOrdering", true, "Rename Remove"},
		{"Entity", "entity", "Entity ReadGroup ReadGroup2 ReadWriteGroup ReadWriteGroup2 UseCubeDataAccess", "Entity", false, ""},
		{"Scenario", "scenario", "Scenario ReadGroup ReadWriteGroup CalculateFromGridsGroup ManageDataGroup", "Scenario", false, ""},
		{"Dimensions", "dimensions", "Dimension AccessGroup MaintenanceGroup", "Dimension", false, ""},
		{"DisplayMembers", "displaymembers", "Dimension Member DisplayMemberGroup", "Dimension Member", false, ""},
		{"CubeViewGroups", "cubeviews", "CVGroup AccessGroup MaintenanceGroup", "CVGroup", false, ""},
		{"CubeViewProfiles", "cubeviews", "CVProfile UIVisibility AccessGroup MaintenanceGroup", "CVProfile", false, ""},
		{"DashboardMaintenanceUnits", "dashboards", "DMMaintenanceUnit AccessGroup MaintenanceGroup", "DMMaintenanceUnit", false, ""},
		{"DashboardGroups", "dashboards", "DBGroup AccessGroup", "DBGroup", false, ""},
		{"DashboardProfiles", "dashboards", "DBProfile UIVisibility AccessGroup MaintenanceGroup", "DBProfile", false, ""},
		{"XformRules", "xformrules", "XformRule AccessGroup MaintenanceGroup", "XformRule", false, ""},
		{"XformProfiles", "xformrules", "XformProfile AccessGroup MaintenanceGroup", "XformProfile", false, ""},
	}
	if len(want) != int(NumTabs) {
		t.Fatalf("%d tabs in the spec, %d in the table", len(want), NumTabs)
	}
	for i, w := range want {
		tab := tabs[i]
		var cols, keys []string
		for _, c := range tab.Columns {
			cols = append(cols, c.Name)
		}
		for _, k := range tab.Key {
			keys = append(keys, tab.Columns[k].Name)
		}
		got := []string{tab.Name, tab.Area, strings.Join(cols, " "), strings.Join(keys, " "), strings.Join(tab.Actions, " ")}
		exp := []string{w.name, w.area, w.columns, w.key, w.actions}
		if diff := cmp.Diff(exp, got); diff != "" {
			t.Errorf("tab %d (-spec +table):\n%s", i, diff)
		}
		if tab.MayAdd != w.mayAdd {
			t.Errorf("%s: MayAdd = %v, spec says %v", tab.Name, tab.MayAdd, w.mayAdd)
		}
	}
}

func TestColumnKindsAndDomains(t *testing.T) {
	cases := []struct {
		tab    TabID
		column string
		kind   Kind
		values int // size of the enum, 0 for none
		prefix string
	}{
		{TabUsers, "UserType", KindEnum, 5, ""},
		{TabUsers, "IsEnabled", KindBool, 0, ""},
		{TabUsers, "NumGridRows", KindNumGridRows, 0, ""},
		{TabUsers, "Password", KindPassword, 0, ""},
		{TabUsersInGroups, "ParentGroup", KindGroup, 0, ""},
		{TabUsersInExGroups, "ExGroup", KindExGroup, 0, ""},
		{TabUsersInExGroups, "ProcessingOrder", KindWhole, 0, ""},
		{TabAppRoles, "AppRole", KindRole, 58, ""},
		{TabSystemRoles, "SystemRole", KindRole, 27, ""},
		{TabCubeDataCellAccess, "Type", KindEnum, 3, ""},
		{TabCubeDataCellAccess, "BehaviorNotInGrpInFilter", KindEnum, 7, ""},
		{TabCubeDataCellAccess, "AccessLevelInGrpInFilter", KindEnum, 3, ""},
		{TabCubeDataCellAccess, "UD3MemberFilter", KindMemberFilter, 0, "U3#"},
		{TabCubeDataCellAccess, "ICMemberFilter", KindMemberFilter, 0, "I#"},
		{TabCubeViewProfiles, "UIVisibility", KindUIVisibility, 0, ""},
		{TabDashboardProfiles, "UIVisibility", KindEnum, 4, ""},
		{TabEntity, "UseCubeDataAccess", KindBool, 0, ""},
		{TabWorkflow, "CertifyGroup_Default", KindGroup, 0, ""},
	}
	for _, c := range cases {
		tab := tabs[c.tab]
		i := tab.Column(c.column)
		if i < 0 {
			t.Errorf("%s has no column %s", tab.Name, c.column)
			continue
		}
		col := tab.Columns[i]
		if col.Kind != c.kind || len(col.Enum) != c.values || col.Prefix != c.prefix {
			t.Errorf("%s.%s: kind %d, %d values, prefix %q; want %d, %d, %q", tab.Name, c.column, col.Kind, len(col.Enum), col.Prefix, c.kind, c.values, c.prefix)
		}
	}
	// Every group column of the artifact tabs is required: empty is not
	// "no access" — Nobody is.
	for _, tab := range tabs {
		for _, c := range tab.Columns {
			if c.Kind == KindGroup && !c.Required {
				t.Errorf("%s.%s: a group column must be required", tab.Name, c.Name)
			}
		}
	}
}

func TestLookupTabAndColumnAliases(t *testing.T) {
	for name, want := range map[string]string{"users": "Users", "User": "Users", " group ": "Groups", "GROUPSINGROUPS": "GroupsInGroups", "cubedatacellaccess": "CubeDataCellAccess"} {
		tab, ok := LookupTab(name)
		if !ok || tab.Name != want {
			t.Errorf("LookupTab(%q) = %v, %v; want %s", name, tab, ok, want)
		}
	}
	if _, ok := LookupTab("Lists"); ok {
		t.Error("Lists is not a security tab")
	}
	if tabs[TabCubeDataCellAccess].Column("ProcessingOrdering") != tabs[TabCubeDataCellAccess].Column("ProcessingOrder") {
		t.Error("ProcessingOrdering is accepted for ProcessingOrder")
	}
	if tabs[TabUsers].Column(" numgridrows ") < 0 {
		t.Error("headers match case-insensitively, ignoring surrounding spaces")
	}
}

func TestParseAreas(t *testing.T) {
	cases := []struct {
		in   string
		want []TabID
		err  bool
	}{
		{"users", []TabID{TabUsers, TabUsersInGroups}, false},
		{"Groups, roles", []TabID{TabGroups, TabGroupsInGroups, TabAppRoles, TabSystemRoles}, false},
		{"xformrules,users", []TabID{TabUsers, TabUsersInGroups, TabXformRules, TabXformProfiles}, false},
		{"", nil, false},
		{"all", nil, false},
		{"userz", nil, true},
	}
	for _, c := range cases {
		got, err := ParseAreas(c.in)
		if (err != nil) != c.err {
			t.Errorf("ParseAreas(%q) error %v", c.in, err)
			continue
		}
		if c.want == nil && !c.err && len(got) != int(NumTabs) {
			t.Errorf("ParseAreas(%q) = %d tabs, want all", c.in, len(got))
		} else if c.want != nil && !cmp.Equal(got, c.want) {
			t.Errorf("ParseAreas(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestNewEnvironmentHasBuiltinsAndRoles(t *testing.T) {
	env := New("x")
	if len(env.Groups) != 3 || len(env.AppRoles) != len(ApplicationRoles) || len(env.SystemRoles) != len(SystemRoleNames) {
		t.Fatalf("groups %d, app roles %d, system roles %d", len(env.Groups), len(env.AppRoles), len(env.SystemRoles))
	}
	for _, r := range env.AppRoles {
		if r.GroupName != Administrators {
			t.Errorf("%s held by %s", r.AppRole, r.GroupName)
		}
	}
	tab := tabs[TabGroups]
	if i, ok := tab.Find(env, "EVERYONE"); !ok || tab.Cell(env, i, 0) != "Everyone" {
		t.Error("Find is case-insensitive and keeps the stored casing")
	}
}
