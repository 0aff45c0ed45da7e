// Package synthetic generates large, realistic OneStream security
// environments for benchmarks and scale tests: nested group trees, 5–10
// memberships per user (Options.MembershipsMin/Max), entities with _View/_Mod groups, exclusion groups,
// slice rules, and every tab populated. The same Options always give the
// same environment.
//
//	env := synthetic.Generate(synthetic.Options{Users: 40000})
package synthetic

import (
	"fmt"
	"math/rand/v2"

	"secmgr/pkg/artifacts"
)

// Options size the environment. Zero fields are derived from Users.
type Options struct {
	Users    int    // number of users (default 1000)
	Groups   int    // number of ordinary groups (default Users/10, at least 20)
	Entities int    // number of entities (default Groups/4, at least 5)
	Seed     uint64 // random seed (default 1)
	Name     string // environment name (default "Synthetic")

	// MembershipsMin and MembershipsMax bound the direct group memberships
	// drawn for each user (default 5 and 10 when both are zero; a Max
	// below Min is raised to Min). A draw that repeats a group is dropped,
	// so a user may end up with fewer.
	MembershipsMin, MembershipsMax int
}

// Generate builds the environment.
func Generate(o Options) *artifacts.Environment {
	if o.Users <= 0 {
		o.Users = 1000
	}
	if o.Groups <= 0 {
		o.Groups = max(20, o.Users/10)
	}
	if o.Entities <= 0 {
		o.Entities = max(5, o.Groups/4)
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Name == "" {
		o.Name = "Synthetic"
	}
	if o.MembershipsMin == 0 && o.MembershipsMax == 0 {
		o.MembershipsMin, o.MembershipsMax = 5, 10
	}
	o.MembershipsMin = max(0, o.MembershipsMin)
	o.MembershipsMax = max(o.MembershipsMin, o.MembershipsMax)
	r := rand.New(rand.NewPCG(o.Seed, o.Seed^0x5ec3a9))
	env := &artifacts.Environment{Name: o.Name}

	// Groups: a tree with five children per node, so depth grows with log5.
	groups := make([]string, o.Groups)
	for i := range groups {
		groups[i] = fmt.Sprintf("Group %06d", i)
		env.Groups = append(env.Groups, artifacts.Group{Group: groups[i], Description: fmt.Sprintf("Synthetic group %d", i)})
		if i > 0 {
			env.GroupsInGroups = append(env.GroupsInGroups, artifacts.GroupInGroup{Group: groups[i], ParentGroup: groups[(i-1)/5]})
		}
	}
	// Entities with their view and modify groups, nested under a tree group.
	for i := 0; i < o.Entities; i++ {
		name := fmt.Sprintf("Entity %05d", i)
		view, mod := name+"_View", name+"_Mod"
		env.Groups = append(env.Groups, artifacts.Group{Group: view}, artifacts.Group{Group: mod})
		env.GroupsInGroups = append(env.GroupsInGroups,
			artifacts.GroupInGroup{Group: mod, ParentGroup: view},
			artifacts.GroupInGroup{Group: view, ParentGroup: groups[r.IntN(len(groups))]})
		groups = append(groups, view, mod)
		env.Entity = append(env.Entity, artifacts.Entity{Entity: name, ReadGroup: view, ReadGroup2: artifacts.Nobody,
			ReadWriteGroup: mod, ReadWriteGroup2: artifacts.Nobody, UseCubeDataAccess: i%3 == 0})
		env.Workflow = append(env.Workflow,
			artifacts.WorkflowProfile{Profile: name + ".Import", AccessGroup: view, MaintenanceGroup: artifacts.Administrators, ExecGroup_Default: mod, CertifyGroup_Default: mod},
			artifacts.WorkflowProfile{Profile: name + ".Forms", AccessGroup: view, MaintenanceGroup: artifacts.Administrators, ExecGroup_Default: mod, CertifyGroup_Default: mod})
		env.DisplayMembers = append(env.DisplayMembers, artifacts.DisplayMember{Dimension: "E", Member: name, DisplayMemberGroup: view})
	}
	// Users with MembershipsMin–MembershipsMax direct memberships each.
	types := artifacts.UserTypes
	seen := map[[2]int]bool{}
	for i := 0; i < o.Users; i++ {
		name := fmt.Sprintf("User %07d", i)
		u := artifacts.User{User: name, Description: "Synthetic user", UserType: types[r.IntN(len(types))], IsEnabled: r.IntN(20) != 0,
			ExternalAuthProviderName: "AzureAD", ExternalUserName: fmt.Sprintf("user%07d@synthetic.example.com", i),
			Email: fmt.Sprintf("user%07d@synthetic.example.com", i), Culture: "en-US", NumGridRows: 10 * (1 + r.IntN(9)), Text1: fmt.Sprintf("CC%04d", r.IntN(5000))}
		if i%500 == 0 {
			u.ExternalAuthProviderName, u.ExternalUserName = "", ""
		}
		env.Users = append(env.Users, u)
		n := o.MembershipsMin + r.IntN(o.MembershipsMax-o.MembershipsMin+1)
		for k := 0; k < n; k++ {
			g := r.IntN(len(groups))
			if seen[[2]int{i, g}] {
				continue
			}
			seen[[2]int{i, g}] = true
			env.UsersInGroups = append(env.UsersInGroups, artifacts.UserInGroup{User: name, ParentGroup: groups[g]})
		}
		clear(seen)
	}
	// Exclusion groups: a group allowed, then two users denied.
	nEx := max(1, o.Groups/50)
	for i := 0; i < nEx; i++ {
		ex := fmt.Sprintf("Exclusion %04d", i)
		env.ExGroup = append(env.ExGroup, artifacts.ExGroup{ExGroup: ex, Description: "allow a group, deny two users"})
		env.GroupsInExGroups = append(env.GroupsInExGroups, artifacts.GroupInExGroup{Group: groups[r.IntN(o.Groups)], ExGroup: ex, ProcessingOrder: 0, AllowAccess: true})
		a, b := r.IntN(o.Users), r.IntN(o.Users)
		if a == b {
			b = (b + 1) % o.Users
		}
		env.UsersInExGroups = append(env.UsersInExGroups,
			artifacts.UserInExGroup{User: env.Users[a].User, ExGroup: ex, ProcessingOrder: 1, AllowAccess: false},
			artifacts.UserInExGroup{User: env.Users[b].User, ExGroup: ex, ProcessingOrder: 2, AllowAccess: false})
	}
	// Cubes, slice rules and the other artifact tabs.
	nCubes := max(2, o.Entities/100)
	for i := 0; i < nCubes; i++ {
		cube := fmt.Sprintf("Cube %03d", i)
		env.Cube = append(env.Cube, artifacts.Cube{Cube: cube, AccessGroup: artifacts.Everyone, MaintenanceGroup: artifacts.Administrators})
		for k := 0; k < 10; k++ {
			e := r.IntN(o.Entities)
			env.CubeDataCellAccess = append(env.CubeDataCellAccess, artifacts.SliceRule{Cube: cube, Type: artifacts.SliceRuleTypes[k%3], ProcessingOrder: k,
				AccessGroup: fmt.Sprintf("Entity %05d_View", e), Description: "synthetic slice rule",
				BehaviorInGrpInFilter: "Increase Access And Stop", BehaviorInGrpNotInFilter: "Skip Item And Continue", BehaviorNotInGrpInFilter: "Skip Item And Continue",
				AccessLevelInGrpInFilter: "All Access", AccessLevelInGrpNotInFilter: "No Access", AccessLevelNotInGrpInFilter: "No Access",
				EntityMemberFilter: fmt.Sprintf("E#Entity %05d.Base", e), AccountMemberFilter: "A#Top.Base"})
		}
	}
	pick := func() string { return groups[r.IntN(len(groups))] }
	for _, s := range []string{"Actual", "Budget", "Forecast"} {
		env.Scenario = append(env.Scenario, artifacts.Scenario{Scenario: s, ReadGroup: pick(), ReadWriteGroup: pick(), CalculateFromGridsGroup: pick(), ManageDataGroup: artifacts.Administrators})
	}
	for i := 0; i < max(5, o.Groups/100); i++ {
		env.Dimensions = append(env.Dimensions, artifacts.Dimension{Dimension: fmt.Sprintf("Dimension %03d", i), AccessGroup: artifacts.Everyone, MaintenanceGroup: artifacts.Administrators})
		env.CubeViewGroups = append(env.CubeViewGroups, artifacts.CubeViewGroup{CVGroup: fmt.Sprintf("Cube Views %03d", i), AccessGroup: pick(), MaintenanceGroup: artifacts.Administrators})
		env.CubeViewProfiles = append(env.CubeViewProfiles, artifacts.CubeViewProfile{CVProfile: fmt.Sprintf("CV Profile %03d", i), UIVisibility: "WorkflowExcelOnePlace", AccessGroup: pick(), MaintenanceGroup: artifacts.Administrators})
		env.DashboardMaintenanceUnits = append(env.DashboardMaintenanceUnits, artifacts.DashboardMaintenanceUnit{DMMaintenanceUnit: fmt.Sprintf("Maintenance Unit %03d", i), AccessGroup: pick(), MaintenanceGroup: artifacts.Administrators})
		env.DashboardGroups = append(env.DashboardGroups, artifacts.DashboardGroup{DBGroup: fmt.Sprintf("Dashboard Group %03d", i), AccessGroup: pick()})
		env.DashboardProfiles = append(env.DashboardProfiles, artifacts.DashboardProfile{DBProfile: fmt.Sprintf("Dashboard Profile %03d", i), UIVisibility: "OnePlace", AccessGroup: pick(), MaintenanceGroup: artifacts.Administrators})
		env.XformRules = append(env.XformRules, artifacts.XformRule{XformRule: fmt.Sprintf("Rules %03d", i), AccessGroup: pick(), MaintenanceGroup: artifacts.Administrators})
		env.XformProfiles = append(env.XformProfiles, artifacts.XformProfile{XformProfile: fmt.Sprintf("Rule Profile %03d", i), AccessGroup: pick(), MaintenanceGroup: artifacts.Administrators})
	}
	env.Normalize()
	for i := range env.AppRoles {
		if i%4 == 1 {
			env.AppRoles[i].GroupName = pick()
		}
	}
	for i := 0; i < min(6, o.Users); i++ {
		env.UsersInGroups = append(env.UsersInGroups, artifacts.UserInGroup{User: env.Users[i].User, ParentGroup: artifacts.Administrators})
	}
	env.Normalize()
	return env
}
