package actions

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
	"secmgr/pkg/validate"
)

// applyFixture is a small environment in which every tab refers to the
// group Finance, and a group and a user share the name Carol.
func applyFixture() *artifacts.Environment {
	env := artifacts.New("Fixture")
	env.Users = []artifacts.User{
		{User: "Alice", UserType: "Interactive", IsEnabled: true, Password: "ENC(alice)", NumGridRows: 30},
		{User: "Bob", UserType: "View", IsEnabled: true, NumGridRows: 50},
		{User: "Carol", UserType: "Restricted", NumGridRows: 10, Description: "Carol the user"},
	}
	env.Groups = append(env.Groups,
		artifacts.Group{Group: "Finance", Description: "Finance team"},
		artifacts.Group{Group: "Sales"},
		artifacts.Group{Group: "Readers"},
		artifacts.Group{Group: "Carol"},
		artifacts.Group{Group: "Unused"},
	)
	env.ExGroup = []artifacts.ExGroup{{ExGroup: "Finance Except"}, {ExGroup: "Spare Except"}}
	env.UsersInGroups = []artifacts.UserInGroup{
		{User: "Alice", ParentGroup: "Finance"}, {User: "Bob", ParentGroup: "Sales"},
		{User: "Carol", ParentGroup: "Readers"},
	}
	env.GroupsInGroups = []artifacts.GroupInGroup{
		{Group: "Finance", ParentGroup: "Readers"}, {Group: "Sales", ParentGroup: "Readers"},
		{Group: "Carol", ParentGroup: "Finance"},
	}
	env.UsersInExGroups = []artifacts.UserInExGroup{
		{User: "Carol", ExGroup: "Finance Except", ProcessingOrder: 1, AllowAccess: false},
		{User: "Alice", ExGroup: "Spare Except", ProcessingOrder: 1, AllowAccess: true},
	}
	env.GroupsInExGroups = []artifacts.GroupInExGroup{
		{Group: "Finance", ExGroup: "Finance Except", ProcessingOrder: 0, AllowAccess: true},
		{Group: "Sales", ExGroup: "Spare Except", ProcessingOrder: 0, AllowAccess: true},
	}
	env.Workflow = []artifacts.WorkflowProfile{{Profile: "Houston.Import", AccessGroup: "Finance", MaintenanceGroup: "Administrators", ExecGroup_Default: "finance", CertifyGroup_Default: "Readers"}}
	env.Cube = []artifacts.Cube{{Cube: "GolfStream", AccessGroup: "Readers", MaintenanceGroup: "Finance"}}
	env.CubeDataCellAccess = []artifacts.SliceRule{{Cube: "GolfStream", Type: "Data Cell Access Security", ProcessingOrder: 1, AccessGroup: "Finance",
		BehaviorInGrpInFilter: "Increase Access And Stop", BehaviorInGrpNotInFilter: "Skip Item And Continue", BehaviorNotInGrpInFilter: "Skip Item And Continue",
		AccessLevelInGrpInFilter: "All Access", AccessLevelInGrpNotInFilter: "No Access", AccessLevelNotInGrpInFilter: "No Access", EntityMemberFilter: "E#Houston.Base"}}
	env.Entity = []artifacts.Entity{{Entity: "Houston", ReadGroup: "Readers", ReadGroup2: "Nobody", ReadWriteGroup: "Finance", ReadWriteGroup2: "Finance Except", UseCubeDataAccess: true}}
	env.Scenario = []artifacts.Scenario{{Scenario: "Actual", ReadGroup: "Everyone", ReadWriteGroup: "Finance", CalculateFromGridsGroup: "Finance", ManageDataGroup: "Administrators"}}
	env.Dimensions = []artifacts.Dimension{{Dimension: "HoustonEntities", AccessGroup: "Everyone", MaintenanceGroup: "Finance"}}
	env.DisplayMembers = []artifacts.DisplayMember{{Dimension: "E", Member: "Houston", DisplayMemberGroup: "Finance"}}
	env.CubeViewGroups = []artifacts.CubeViewGroup{{CVGroup: "Reports", AccessGroup: "Finance", MaintenanceGroup: "Administrators"}}
	env.CubeViewProfiles = []artifacts.CubeViewProfile{{CVProfile: "Reports", UIVisibility: "Always", AccessGroup: "Finance", MaintenanceGroup: "Administrators"}}
	env.DashboardMaintenanceUnits = []artifacts.DashboardMaintenanceUnit{{DMMaintenanceUnit: "Close", AccessGroup: "Finance", MaintenanceGroup: "Administrators"}}
	env.DashboardGroups = []artifacts.DashboardGroup{{DBGroup: "Close", AccessGroup: "Finance"}}
	env.DashboardProfiles = []artifacts.DashboardProfile{{DBProfile: "Close", UIVisibility: "OnePlace", AccessGroup: "Finance", MaintenanceGroup: "Administrators"}}
	env.XformRules = []artifacts.XformRule{{XformRule: "Houston", AccessGroup: "Finance", MaintenanceGroup: "Administrators"}}
	env.XformProfiles = []artifacts.XformProfile{{XformProfile: "Houston", AccessGroup: "Finance", MaintenanceGroup: "Administrators"}}
	env.Normalize()
	setCell(env, artifacts.TabAppRoles, "ManageData", "GroupName", "Finance")
	setCell(env, artifacts.TabSystemRoles, "SystemPane", "GroupName", "Finance")
	return env
}

func setCell(env *artifacts.Environment, tab artifacts.TabID, key, col, value string) {
	t := tab.Tab()
	i, ok := t.Find(env, key)
	if !ok {
		panic("no row " + key)
	}
	if err := t.SetCell(env, i, t.Column(col), value); err != nil {
		panic(err)
	}
}

// cell reads a column of the row with the given key, or "<none>".
func cell(env *artifacts.Environment, tab artifacts.TabID, col string, key ...string) string {
	t := tab.Tab()
	i, ok := t.Find(env, key...)
	if !ok {
		return "<none>"
	}
	return t.Cell(env, i, t.Column(col))
}

func has(env *artifacts.Environment, tab artifacts.TabID, key ...string) bool {
	_, ok := tab.Tab().Find(env, key...)
	return ok
}

// countRefs counts the cells of the given kinds naming name (any casing).
func countRefs(env *artifacts.Environment, name string, kinds ...artifacts.Kind) int {
	n := 0
	forEachRef(env, kinds, name, func(*artifacts.Tab, int, int) { n++ })
	return n
}

// mapSecrets serves passwords by user name.
type mapSecrets map[string]string

func (m mapSecrets) Secret(c *plans.Change, f *plans.Field) (string, error) {
	if v, ok := m[c.Key[0]]; ok {
		return v, nil
	}
	return "", fmt.Errorf("no password for %s", c.Key[0])
}

// sourceSecrets reads passwords from an environment by the change's key,
// as an undo plan's source (the backup) does.
type sourceSecrets struct{ env *artifacts.Environment }

func (s sourceSecrets) Secret(c *plans.Change, f *plans.Field) (string, error) {
	t, _ := artifacts.LookupTab(c.Tab)
	i, ok := t.Find(s.env, c.Key...)
	if !ok {
		return "", fmt.Errorf("%s %v is not in the source", c.Tab, c.Key)
	}
	return t.Cell(s.env, i, t.Column(f.Column)), nil
}

func applicable(changes ...plans.Change) *plans.Plan {
	p := &plans.Plan{Format: plans.PlanFormat, Changes: changes}
	p.Summarize()
	return p
}

func secret(col, old, new string) plans.Field {
	return plans.Field{Column: col, Old: old, New: new, Secret: true}
}

func TestApply(t *testing.T) {
	type check func(t *testing.T, env *artifacts.Environment)
	tests := []struct {
		name    string
		changes []plans.Change
		secrets SecretSource
		plan    *plans.Plan // instead of changes
		wantErr string      // substring; empty for success
		stale   bool        // the error wraps ErrStale
		check   check
	}{
		{name: "add user with defaults",
			changes: []plans.Change{{Op: plans.OpAdd, Tab: "Users", Key: []string{"Dana"}, Fields: plans.Fields{{Column: "UserType", New: "View"}, {Column: "Email", New: "dana@example.org"}}}},
			check: func(t *testing.T, env *artifacts.Environment) {
				i, _ := artifacts.TabUsers.Tab().Find(env, "Dana")
				want := artifacts.User{User: "Dana", UserType: "View", Email: "dana@example.org"}
				if got := env.Users[i]; got != want {
					t.Errorf("added %+v, want %+v", got, want)
				}
			}},
		{name: "add user with password", secrets: mapSecrets{"Dana": "ENC(dana)"},
			changes: []plans.Change{{Op: plans.OpAdd, Tab: "Users", Key: []string{"Dana"}, Fields: plans.Fields{secret("Password", "", plans.MaskedValue)}}},
			check: func(t *testing.T, env *artifacts.Environment) {
				if got := cell(env, artifacts.TabUsers, "Password", "Dana"); got != "ENC(dana)" {
					t.Errorf("password %q", got)
				}
			}},
		{name: "add user tab alias and membership", changes: []plans.Change{
			{Op: plans.OpAdd, Tab: "User", Key: []string{"Dana"}},
			{Op: plans.OpAdd, Tab: "UsersInGroups", Key: []string{"dana", "finance"}},
			{Op: plans.OpAdd, Tab: "UsersInExGroups", Key: []string{"Dana", "Spare Except"}, Fields: plans.Fields{{Column: "ProcessingOrder", New: "7"}, {Column: "AllowAccess", New: "True"}}},
		}, check: func(t *testing.T, env *artifacts.Environment) {
			if !has(env, artifacts.TabUsersInGroups, "Dana", "Finance") || cell(env, artifacts.TabUsersInExGroups, "ProcessingOrder", "Dana", "Spare Except") != "7" {
				t.Error("relationships not added")
			}
		}},
		{name: "add existing user", changes: []plans.Change{{Op: plans.OpAdd, Tab: "Users", Key: []string{"alice"}}},
			wantErr: "change 1 (add Users 'alice'): user 'alice' already exists"},
		{name: "add role", changes: []plans.Change{{Op: plans.OpAdd, Tab: "AppRoles", Key: []string{"ManageData"}}},
			wantErr: "application role rows cannot be added: the AppRoles tab is edit only"},
		{name: "add entity", changes: []plans.Change{{Op: plans.OpAdd, Tab: "Entity", Key: []string{"Montreal"}}},
			wantErr: "edit only"},
		{name: "add with bad name", changes: []plans.Change{{Op: plans.OpAdd, Tab: "Groups", Key: []string{"Fin*"}}},
			wantErr: "wildcard"},
		{name: "add with bad whole number", changes: []plans.Change{{Op: plans.OpAdd, Tab: "GroupsInExGroups", Key: []string{"Sales", "Finance Except"}, Fields: plans.Fields{{Column: "ProcessingOrder", New: "two"}}}},
			wantErr: "ProcessingOrder"},
		{name: "add dangling membership", changes: []plans.Change{{Op: plans.OpEdit, Tab: "Users", Key: []string{"Bob"}, Fields: plans.Fields{{Column: "Description", New: "x"}}}, {Op: plans.OpAdd, Tab: "UsersInGroups", Key: []string{"Bob", "Nope"}}},
			wantErr: "UsersInGroups 'Bob / Nope' ParentGroup names the group 'Nope', which does not exist (set by change 2)"},
		{name: "add user to exclusion group as group", changes: []plans.Change{{Op: plans.OpAdd, Tab: "UsersInGroups", Key: []string{"Alice", "Finance Except"}}},
			wantErr: "UsersInGroups 'Alice / Finance Except': 'Finance Except' is an exclusion group; a user enters one through UsersInExGroups, with a ProcessingOrder and AllowAccess (set by change 1)"},
		{name: "edit", changes: []plans.Change{{Op: plans.OpEdit, Tab: "Groups", Key: []string{"FINANCE"}, Fields: plans.Fields{{Column: "Description", Old: "Finance team", New: "Money"}}},
			{Op: plans.OpEdit, Tab: "Entity", Key: []string{"houston"}, Fields: plans.Fields{{Column: "ReadGroup", Old: "Readers", New: "Sales"}, {Column: "UseCubeDataAccess", Old: "True", New: "False"}}}},
			check: func(t *testing.T, env *artifacts.Environment) {
				if env.Entity[0].ReadGroup != "Sales" || env.Entity[0].UseCubeDataAccess || cell(env, artifacts.TabGroups, "Description", "Finance") != "Money" {
					t.Errorf("not edited: %+v", env.Entity[0])
				}
			}},
		{name: "edit stale", changes: []plans.Change{{Op: plans.OpEdit, Tab: "Entity", Key: []string{"Houston"}, Fields: plans.Fields{{Column: "ReadGroup", Old: "Sales", New: "Finance"}}}},
			wantErr: `change 1 (edit Entity 'Houston'): ReadGroup is "Readers" where the plan expected "Sales"`, stale: true},
		{name: "edit stale casing", changes: []plans.Change{{Op: plans.OpEdit, Tab: "Workflow", Key: []string{"Houston.Import"}, Fields: plans.Fields{{Column: "ExecGroup_Default", Old: "Finance", New: "Sales"}}}},
			stale: true, wantErr: "stale"},
		{name: "edit missing row", changes: []plans.Change{{Op: plans.OpEdit, Tab: "Entity", Key: []string{"Montreal"}}},
			wantErr: "entity 'Montreal' does not exist"},
		{name: "edit unknown column", changes: []plans.Change{{Op: plans.OpEdit, Tab: "Entity", Key: []string{"Houston"}, Fields: plans.Fields{{Column: "Colour"}}}},
			wantErr: `no column "Colour"`},
		{name: "edit action column", changes: []plans.Change{{Op: plans.OpEdit, Tab: "Users", Key: []string{"Bob"}, Fields: plans.Fields{{Column: "ActionType", New: "Remove"}}}},
			wantErr: "ActionType is not stored"},
		{name: "edit key casing", changes: []plans.Change{{Op: plans.OpEdit, Tab: "UsersInGroups", Key: []string{"Alice", "Finance"}, Fields: plans.Fields{{Column: "User", Old: "Alice", New: "ALICE"}}}},
			check: func(t *testing.T, env *artifacts.Environment) {
				if !has(env, artifacts.TabUsersInGroups, "ALICE", "Finance") || env.UsersInGroups[0].User != "ALICE" {
					t.Errorf("casing not set: %+v", env.UsersInGroups)
				}
			}},
		{name: "edit key", changes: []plans.Change{{Op: plans.OpEdit, Tab: "Users", Key: []string{"Bob"}, Fields: plans.Fields{{Column: "User", Old: "Bob", New: "Robert"}}}},
			wantErr: "needs a rename"},
		{name: "edit bad bool", changes: []plans.Change{{Op: plans.OpEdit, Tab: "Users", Key: []string{"Bob"}, Fields: plans.Fields{{Column: "IsEnabled", Old: "True", New: "yes"}}}},
			wantErr: "IsEnabled 'yes' is not True or False"},
		{name: "password cleared", changes: []plans.Change{{Op: plans.OpEdit, Tab: "Users", Key: []string{"Alice"}, Fields: plans.Fields{secret("Password", plans.MaskedValue, "")}}},
			check: func(t *testing.T, env *artifacts.Environment) {
				if got := cell(env, artifacts.TabUsers, "Password", "Alice"); got != "" {
					t.Errorf("password %q", got)
				}
			}},
		{name: "password set", secrets: mapSecrets{"Bob": "ENC(bob)"},
			changes: []plans.Change{{Op: plans.OpEdit, Tab: "Users", Key: []string{"Bob"}, Fields: plans.Fields{secret("Password", "", plans.MaskedValue)}}},
			check: func(t *testing.T, env *artifacts.Environment) {
				if got := cell(env, artifacts.TabUsers, "Password", "Bob"); got != "ENC(bob)" {
					t.Errorf("password %q", got)
				}
			}},
		{name: "password without source", changes: []plans.Change{{Op: plans.OpEdit, Tab: "Users", Key: []string{"Bob"}, Fields: plans.Fields{secret("Password", "", plans.MaskedValue)}}},
			wantErr: "no source of password values"},
		{name: "password source fails", secrets: mapSecrets{},
			changes: []plans.Change{{Op: plans.OpEdit, Tab: "Users", Key: []string{"Bob"}, Fields: plans.Fields{secret("Password", "", plans.MaskedValue)}}},
			wantErr: "cannot read the new Password: no password for Bob"},
		{name: "password in clear", changes: []plans.Change{{Op: plans.OpEdit, Tab: "Users", Key: []string{"Bob"}, Fields: plans.Fields{{Column: "Password", New: "hunter2"}}}},
			wantErr: "must be marked secret"},
		{name: "secret value in plan", changes: []plans.Change{{Op: plans.OpEdit, Tab: "Users", Key: []string{"Bob"}, Fields: plans.Fields{secret("Password", "", "hunter2")}}},
			wantErr: "never a value"},
		{name: "secret on other column", changes: []plans.Change{{Op: plans.OpEdit, Tab: "Users", Key: []string{"Bob"}, Fields: plans.Fields{secret("Email", "", plans.MaskedValue)}}},
			wantErr: "only passwords are"},
		{name: "rename user", changes: []plans.Change{{Op: plans.OpRename, Tab: "Users", Key: []string{"carol"}, NewKey: []string{"Caroline"}, Fields: plans.Fields{{Column: "Description", Old: "Carol the user", New: "Caroline"}}}},
			check: func(t *testing.T, env *artifacts.Environment) {
				if !has(env, artifacts.TabUsers, "Caroline") || has(env, artifacts.TabUsers, "Carol") || cell(env, artifacts.TabUsers, "Description", "Caroline") != "Caroline" {
					t.Error("user not renamed")
				}
				if countRefs(env, "Carol", artifacts.KindUser) != 0 || countRefs(env, "Caroline", artifacts.KindUser) != 2 {
					t.Errorf("user references not followed: %+v %+v", env.UsersInGroups, env.UsersInExGroups)
				}
				if countRefs(env, "Carol", artifacts.KindGroup) != 1 || !has(env, artifacts.TabGroups, "Carol") {
					t.Error("the group Carol was touched by a user rename")
				}
			}},
		{name: "rename group everywhere", changes: []plans.Change{{Op: plans.OpRename, Tab: "Groups", Key: []string{"Finance"}, NewKey: []string{"Finance EU"}}},
			check: func(t *testing.T, env *artifacts.Environment) {
				// Per tab: every cell that named Finance names Finance EU.
				perTab := func(env *artifacts.Environment, name string) map[string]int {
					m := map[string]int{}
					forEachRef(env, []artifacts.Kind{artifacts.KindGroup, artifacts.KindExGroup}, name, func(t *artifacts.Tab, _, _ int) { m[t.Name]++ })
					return m
				}
				want := perTab(applyFixture(), "Finance")
				for _, tab := range artifacts.AllTabs() {
					for _, c := range tab.Columns {
						if c.Kind == artifacts.KindGroup && want[tab.Name] == 0 {
							t.Fatalf("the fixture should name Finance on tab %s", tab.Name)
						}
					}
				}
				if d := cmp.Diff(want, perTab(env, "Finance EU")); d != "" {
					t.Errorf("references that followed (-want +got):\n%s", d)
				}
				if n := countRefs(env, "Finance", artifacts.KindGroup, artifacts.KindExGroup); n != 0 {
					t.Errorf("%d references to the old name remain", n)
				}
			}},
		{name: "rename exclusion group", changes: []plans.Change{{Op: plans.OpRename, Tab: "ExGroup", Key: []string{"Finance Except"}, NewKey: []string{"FX"}}},
			check: func(t *testing.T, env *artifacts.Environment) {
				if env.Entity[0].ReadWriteGroup2 != "FX" || !has(env, artifacts.TabUsersInExGroups, "Carol", "FX") || !has(env, artifacts.TabGroupsInExGroups, "Finance", "FX") {
					t.Error("exclusion group references not followed")
				}
			}},
		{name: "rename casing only", changes: []plans.Change{{Op: plans.OpRename, Tab: "Groups", Key: []string{"Finance"}, NewKey: []string{"FINANCE"}}},
			check: func(t *testing.T, env *artifacts.Environment) {
				if env.Workflow[0].ExecGroup_Default != "FINANCE" || env.Entity[0].ReadWriteGroup != "FINANCE" || !has(env, artifacts.TabGroups, "finance") {
					t.Error("casing not followed")
				}
			}},
		{name: "rename then edit by new name", changes: []plans.Change{
			{Op: plans.OpRename, Tab: "Users", Key: []string{"Bob"}, NewKey: []string{"Robert"}},
			{Op: plans.OpEdit, Tab: "Users", Key: []string{"Robert"}, Fields: plans.Fields{{Column: "UserType", Old: "View", New: "Interactive"}}},
			{Op: plans.OpRename, Tab: "Users", Key: []string{"Robert"}, NewKey: []string{"Bob"}},
		}, check: func(t *testing.T, env *artifacts.Environment) {
			if cell(env, artifacts.TabUsers, "UserType", "Bob") != "Interactive" || !has(env, artifacts.TabUsersInGroups, "Bob", "Sales") {
				t.Error("rename round trip lost something")
			}
		}},
		{name: "rename to existing", changes: []plans.Change{{Op: plans.OpRename, Tab: "Users", Key: []string{"Bob"}, NewKey: []string{"alice"}}},
			wantErr: "cannot rename to 'alice': a user of that name exists"},
		{name: "rename missing", changes: []plans.Change{{Op: plans.OpRename, Tab: "Users", Key: []string{"Zed"}, NewKey: []string{"Zee"}}},
			wantErr: "user 'Zed' does not exist"},
		{name: "rename built-in", changes: []plans.Change{{Op: plans.OpRename, Tab: "Groups", Key: []string{"everyone"}, NewKey: []string{"All"}}},
			wantErr: "the built-in group 'Everyone' cannot be renamed"},
		{name: "rename entity", changes: []plans.Change{{Op: plans.OpRename, Tab: "Entity", Key: []string{"Houston"}, NewKey: []string{"Texas"}}},
			wantErr: "Entity rows cannot be renamed"},
		{name: "rename without new key", changes: []plans.Change{{Op: plans.OpRename, Tab: "Users", Key: []string{"Bob"}}},
			wantErr: "a rename needs 1 new key value(s)"},
		{name: "rename group to exclusion group name", changes: []plans.Change{{Op: plans.OpRename, Tab: "Groups", Key: []string{"Unused"}, NewKey: []string{"spare except"}}},
			wantErr: "'Spare Except' is both a group and an exclusion group"},
		{name: "remove user with memberships", changes: []plans.Change{{Op: plans.OpRemove, Tab: "Users", Key: []string{"CAROL"}}},
			check: func(t *testing.T, env *artifacts.Environment) {
				if has(env, artifacts.TabUsers, "Carol") || countRefs(env, "Carol", artifacts.KindUser) != 0 {
					t.Error("user or its memberships remain")
				}
				if !has(env, artifacts.TabGroups, "Carol") || !has(env, artifacts.TabGroupsInGroups, "Carol", "Finance") {
					t.Error("the group Carol went with the user")
				}
			}},
		{name: "remove group used by relationships only", changes: []plans.Change{{Op: plans.OpRemove, Tab: "Groups", Key: []string{"Sales"}}},
			check: func(t *testing.T, env *artifacts.Environment) {
				if has(env, artifacts.TabGroups, "Sales") || countRefs(env, "Sales", artifacts.KindGroup) != 0 {
					t.Error("group or its relationships remain")
				}
				if len(env.UsersInGroups) != 2 || len(env.GroupsInGroups) != 2 || len(env.GroupsInExGroups) != 1 {
					t.Errorf("wrong rows removed: %+v %+v %+v", env.UsersInGroups, env.GroupsInGroups, env.GroupsInExGroups)
				}
			}},
		{name: "remove group still used", changes: []plans.Change{{Op: plans.OpRemove, Tab: "Groups", Key: []string{"Finance"}}},
			wantErr: "group 'Finance' is still used by AppRoles 'ManageData' GroupName; SystemRoles 'SystemPane' GroupName; Workflow 'Houston.Import' AccessGroup; Workflow 'Houston.Import' ExecGroup_Default; Cube 'GolfStream' MaintenanceGroup; and 13 more"},
		{name: "remove group after moving references", changes: []plans.Change{
			{Op: plans.OpEdit, Tab: "Entity", Key: []string{"Houston"}, Fields: plans.Fields{{Column: "ReadGroup", Old: "Readers", New: "Nobody"}}},
			{Op: plans.OpEdit, Tab: "Cube", Key: []string{"GolfStream"}, Fields: plans.Fields{{Column: "AccessGroup", Old: "Readers", New: "Everyone"}}},
			{Op: plans.OpEdit, Tab: "Workflow", Key: []string{"Houston.Import"}, Fields: plans.Fields{{Column: "CertifyGroup_Default", Old: "Readers", New: "Sales"}}},
			{Op: plans.OpRemove, Tab: "Groups", Key: []string{"Readers"}},
		}, check: func(t *testing.T, env *artifacts.Environment) {
			if has(env, artifacts.TabGroups, "Readers") || countRefs(env, "Readers", artifacts.KindGroup) != 0 {
				t.Error("group remains")
			}
		}},
		{name: "remove exclusion group", changes: []plans.Change{{Op: plans.OpRemove, Tab: "ExGroup", Key: []string{"Spare Except"}}},
			check: func(t *testing.T, env *artifacts.Environment) {
				if has(env, artifacts.TabExGroup, "Spare Except") || countRefs(env, "Spare Except", artifacts.KindGroup, artifacts.KindExGroup) != 0 {
					t.Error("exclusion group or its entries remain")
				}
			}},
		{name: "remove exclusion group still used", changes: []plans.Change{{Op: plans.OpRemove, Tab: "ExGroup", Key: []string{"Finance Except"}}},
			wantErr: "exclusion group 'Finance Except' is still used by Entity 'Houston' ReadWriteGroup2"},
		{name: "remove built-in", changes: []plans.Change{{Op: plans.OpRemove, Tab: "Groups", Key: []string{"Nobody"}}},
			wantErr: "the built-in group 'Nobody' cannot be removed"},
		{name: "remove relationship and slice rule", changes: []plans.Change{
			{Op: plans.OpRemove, Tab: "GroupsInGroups", Key: []string{"finance", "readers"}},
			{Op: plans.OpRemove, Tab: "CubeDataCellAccess", Key: []string{"GolfStream", "Data Cell Access Security", "1"}},
		}, check: func(t *testing.T, env *artifacts.Environment) {
			if has(env, artifacts.TabGroupsInGroups, "Finance", "Readers") || len(env.CubeDataCellAccess) != 0 {
				t.Error("not removed")
			}
		}},
		{name: "whole numbers in keys", changes: []plans.Change{
			{Op: plans.OpAdd, Tab: "CubeDataCellAccess", Key: []string{"GolfStream", "data cell access security", "01"}},
			{Op: plans.OpAdd, Tab: "CubeDataCellAccess", Key: []string{"GolfStream", "Data Cell Access Security", "007"}, Fields: plans.Fields{{Column: "AccessGroup", New: "Sales"}}},
			{Op: plans.OpEdit, Tab: "CubeDataCellAccess", Key: []string{"GolfStream", "Data Cell Access Security", "07"}, Fields: plans.Fields{{Column: "AccessGroup", Old: "Sales", New: "Nope"}}},
		}, wantErr: "change 1 (add CubeDataCellAccess 'GolfStream / data cell access security / 01'): slice rule 'GolfStream / data cell access security / 01' already exists"},
		{name: "whole numbers in keys dangling", changes: []plans.Change{
			{Op: plans.OpAdd, Tab: "CubeDataCellAccess", Key: []string{"GolfStream", "Data Cell Access Security", "007"}, Fields: plans.Fields{{Column: "AccessGroup", New: "Sales"}}},
			{Op: plans.OpEdit, Tab: "CubeDataCellAccess", Key: []string{"GolfStream", "Data Cell Access Security", "07"}, Fields: plans.Fields{{Column: "AccessGroup", Old: "Sales", New: "Nope"}}},
		}, wantErr: "CubeDataCellAccess 'GolfStream / Data Cell Access Security / 7' AccessGroup names the group 'Nope', which does not exist (set by change 2)"},
		{name: "remove twice", changes: []plans.Change{{Op: plans.OpRemove, Tab: "Users", Key: []string{"Bob"}}, {Op: plans.OpRemove, Tab: "UsersInGroups", Key: []string{"Bob", "Sales"}}},
			wantErr: "change 2 (remove UsersInGroups 'Bob / Sales'): group membership 'Bob / Sales' does not exist"},
		{name: "remove entity", changes: []plans.Change{{Op: plans.OpRemove, Tab: "Entity", Key: []string{"Houston"}}},
			wantErr: "entity rows cannot be removed"},
		{name: "remove role", changes: []plans.Change{{Op: plans.OpRemove, Tab: "SystemRoles", Key: []string{"SystemPane"}}},
			wantErr: "edit only"},
		{name: "remove then add again", changes: []plans.Change{
			{Op: plans.OpRemove, Tab: "Users", Key: []string{"Bob"}},
			{Op: plans.OpAdd, Tab: "Users", Key: []string{"BOB"}},
			{Op: plans.OpAdd, Tab: "UsersInGroups", Key: []string{"BOB", "Sales"}},
		}, check: func(t *testing.T, env *artifacts.Environment) {
			if cell(env, artifacts.TabUsers, "User", "bob") != "BOB" || !has(env, artifacts.TabUsersInGroups, "bob", "sales") || has(env, artifacts.TabUsersInGroups, "Bob", "Spare Except") {
				t.Errorf("%+v %+v", env.Users, env.UsersInGroups)
			}
		}},
		{name: "group becomes exclusion group", changes: []plans.Change{
			{Op: plans.OpAdd, Tab: "ExGroup", Key: []string{"Sales"}},
			{Op: plans.OpRemove, Tab: "GroupsInExGroups", Key: []string{"Sales", "Spare Except"}},
			{Op: plans.OpRemove, Tab: "UsersInGroups", Key: []string{"Bob", "Sales"}},
			{Op: plans.OpRemove, Tab: "Groups", Key: []string{"Sales"}},
		}, check: func(t *testing.T, env *artifacts.Environment) {
			// The nesting now names the exclusion group.
			if !has(env, artifacts.TabGroupsInGroups, "Sales", "Readers") || has(env, artifacts.TabGroups, "Sales") {
				t.Error("references did not stay with the name")
			}
		}},
		{name: "group and exclusion group of one name", changes: []plans.Change{{Op: plans.OpAdd, Tab: "ExGroup", Key: []string{"Sales"}}},
			wantErr: "'Sales' is both a group and an exclusion group"},
		{name: "rename group onto a membership", changes: []plans.Change{
			{Op: plans.OpAdd, Tab: "UsersInGroups", Key: []string{"Bob", "Spare Except"}},
			{Op: plans.OpRename, Tab: "Groups", Key: []string{"Sales"}, NewKey: []string{"spare except"}}},
			wantErr: "UsersInGroups would have two rows 'Bob / spare except'"},
		{name: "rename onto dangling relationship", plan: nil, changes: []plans.Change{{Op: plans.OpRename, Tab: "Users", Key: []string{"Alice"}, NewKey: []string{"Ghost"}}},
			wantErr: "UsersInGroups would have two rows 'Ghost / Finance'"},
		{name: "not applicable", plan: &plans.Plan{Changes: []plans.Change{}}, wantErr: "not marked applicable"},
		{name: "with errors", plan: &plans.Plan{Findings: errFinding()}, wantErr: "the plan has 1 error(s)"},
		{name: "unknown tab", changes: []plans.Change{{Op: plans.OpEdit, Tab: "Colours", Key: []string{"x"}}}, wantErr: `unknown tab "Colours"`},
		{name: "wrong key length", changes: []plans.Change{{Op: plans.OpEdit, Tab: "UsersInGroups", Key: []string{"Bob"}}}, wantErr: "needs 2 key value(s), not 1"},
		{name: "unknown op", changes: []plans.Change{{Op: "copy", Tab: "Users", Key: []string{"Bob"}}}, wantErr: `unknown op "copy"`},
		{name: "empty plan"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := applyFixture()
			if tc.name == "rename onto dangling relationship" {
				env.UsersInGroups = append(env.UsersInGroups, artifacts.UserInGroup{User: "Ghost", ParentGroup: "Finance"})
				env.Invalidate()
			}
			before, _ := artifacts.Marshal(env)
			p := tc.plan
			if p == nil {
				p = applicable(tc.changes...)
			}
			got, err := Apply(env, p, tc.secrets)
			if after, _ := artifacts.Marshal(env); string(after) != string(before) {
				t.Error("Apply changed its input")
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v; want one containing %q", err, tc.wantErr)
				}
				if got != nil {
					t.Error("an environment came back with the error")
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if errors.Is(err, ErrStale) != tc.stale {
				t.Errorf("errors.Is(ErrStale) = %v", !tc.stale)
			}
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Error("the error shows a password")
			}
			var ce *ChangeError
			if err != nil && errors.As(err, &ce) && ce.Number < 1 {
				t.Errorf("change number %d", ce.Number)
			}
			if got == nil {
				return
			}
			if data, err := artifacts.Marshal(got); err != nil {
				t.Fatal(err)
			} else if _, err := artifacts.Decode(data); err != nil {
				t.Fatalf("the result does not load back: %v", err)
			}
			if tc.check != nil {
				tc.check(t, got)
			}
		})
	}
}

func errFinding() validate.Findings {
	return validate.Findings{{Severity: validate.Error, Code: "x", Message: "x"}}
}

// TestApplyNeverPanics feeds Apply random plans made of keys and values
// found in the environment, and checks it answers with a result or an
// error.
func TestApplyNeverPanics(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	env := applyFixture()
	var keys [][]string
	for _, tab := range artifacts.AllTabs() {
		for i := 0; i < tab.Len(env); i++ {
			keys = append(keys, tab.KeyOf(env, i))
		}
	}
	ops := []plans.Op{plans.OpAdd, plans.OpEdit, plans.OpRename, plans.OpRemove}
	for range 2000 {
		var changes []plans.Change
		for range 1 + r.IntN(6) {
			tab := artifacts.TabID(r.IntN(int(artifacts.NumTabs))).Tab()
			key := make([]string, len(tab.Key))
			for j := range key {
				k := keys[r.IntN(len(keys))]
				key[j] = k[r.IntN(len(k))]
			}
			c := plans.Change{Op: ops[r.IntN(4)], Tab: tab.Name, Key: key, NewKey: []string{keys[r.IntN(len(keys))][0]}}
			for range r.IntN(3) {
				col := tab.Columns[r.IntN(len(tab.Columns))]
				k := keys[r.IntN(len(keys))]
				c.Fields = append(c.Fields, plans.Field{Column: col.Name, Old: k[0], New: k[len(k)-1], Secret: r.IntN(5) == 0})
			}
			changes = append(changes, c)
		}
		func() {
			defer func() {
				if v := recover(); v != nil {
					t.Fatalf("panic %v on %+v", v, changes)
				}
			}()
			got, err := Apply(env, applicable(changes...), mapSecrets{})
			if err == nil {
				if _, err := artifacts.Decode(must(artifacts.Marshal(got))); err != nil {
					t.Fatalf("result does not load: %v for %+v", err, changes)
				}
			} else if strings.Contains(err.Error(), "internal error") {
				t.Fatalf("%v for %+v", err, changes)
			}
		}()
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
