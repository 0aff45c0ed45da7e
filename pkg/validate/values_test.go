package validate

import (
	"testing"

	"secmgr/pkg/artifacts"
)

func col(tab artifacts.TabID, name string) *artifacts.Column {
	t := tab.Tab()
	return &t.Columns[t.Column(name)]
}

func TestCheckValue(t *testing.T) {
	cases := []struct {
		tab       artifacts.TabID
		column    string
		in, canon string
		code      string // "" for valid
	}{
		{artifacts.TabUsers, "UserType", "third party access", "Third Party Access", ""},
		{artifacts.TabUsers, "UserType", "Admin", "Admin", CodeDomain},
		{artifacts.TabUsers, "IsEnabled", "TRUE", "True", ""},
		{artifacts.TabUsers, "IsEnabled", "yes", "yes", CodeDomain},
		{artifacts.TabUsers, "NumGridRows", "40.0", "40", ""},
		{artifacts.TabUsers, "NumGridRows", "300", "300", ""},
		{artifacts.TabUsers, "NumGridRows", "35", "35", CodeDomain},
		{artifacts.TabUsers, "NumGridRows", "1100", "1100", CodeDomain},
		{artifacts.TabUsers, "Email", "a@b.example.com", "a@b.example.com", ""},
		{artifacts.TabUsers, "Email", "not-an-address", "not-an-address", CodeDomain},
		{artifacts.TabUsers, "Culture", "fr-fr", "fr-FR", ""},
		{artifacts.TabUsers, "Culture", "de-DE", "de-DE", CodeUnknownCulture},
		{artifacts.TabUsers, "User", "Wild*", "Wild*", CodeInvalidName},
		{artifacts.TabUsersInExGroups, "ProcessingOrder", "3.0", "3", ""},
		{artifacts.TabUsersInExGroups, "ProcessingOrder", "-1", "-1", CodeDomain},
		{artifacts.TabUsersInExGroups, "ProcessingOrder", "2.5", "2.5", CodeDomain},
		{artifacts.TabCubeViewProfiles, "UIVisibility", "workflowexcelOnePlace", "WorkflowExcelOnePlace", ""},
		{artifacts.TabCubeViewProfiles, "UIVisibility", "always", "Always", ""},
		{artifacts.TabCubeViewProfiles, "UIVisibility", "ExcelWorkflow", "ExcelWorkflow", CodeDomain},
		{artifacts.TabCubeViewProfiles, "UIVisibility", "WorkflowWorkflow", "WorkflowWorkflow", CodeDomain},
		{artifacts.TabDashboardProfiles, "UIVisibility", "oneplace", "OnePlace", ""},
		{artifacts.TabCubeDataCellAccess, "EntityMemberFilter", "E#Houston.Base, e#Augusta", "E#Houston.Base, e#Augusta", ""},
		{artifacts.TabCubeDataCellAccess, "EntityMemberFilter", "E#Houston, A#Sales", "E#Houston, A#Sales", CodeMemberFilter},
		{artifacts.TabCubeDataCellAccess, "UD3MemberFilter", "U3#Top", "U3#Top", ""},
		{artifacts.TabCubeDataCellAccess, "BehaviorInGrpInFilter", "increase access and stop", "Increase Access And Stop", ""},
		{artifacts.TabAppRoles, "AppRole", "managedata", "ManageData", ""},
		{artifacts.TabAppRoles, "AppRole", "ManageEverything", "ManageEverything", CodeDomain},
	}
	for _, c := range cases {
		got, p := CheckValue(col(c.tab, c.column), c.in)
		code := ""
		if p != nil {
			code = p.Code
		}
		if got != c.canon || code != c.code {
			t.Errorf("%s.%s %q: %q %q, want %q %q", c.tab.Tab().Name, c.column, c.in, got, code, c.canon, c.code)
		}
	}
}

func TestClosest(t *testing.T) {
	names := []string{"Documentation LegalA", "Documentation LegalB", "Houston_View", "Houston_Mod"}
	for in, want := range map[string]string{
		"Documentation LegaIA": "Documentation LegalA",
		"houston_veiw":         "Houston_View",
		"Completely Different": "",
	} {
		if got := Closest(in, names); got != want {
			t.Errorf("Closest(%q) = %q, want %q", in, got, want)
		}
	}
}
