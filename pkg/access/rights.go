package access

import "secmgr/pkg/artifacts"

// Rights, in the order they are listed. The names are those of docs/audit.md.
const (
	RightRead       = "read"
	RightWrite      = "write"
	RightReadWrite  = "read-write"
	RightCalculate  = "calculate"
	RightManageData = "manage-data"
	RightAccess     = "access"
	RightMaintain   = "maintain"
	RightExecute    = "execute"
	RightCertify    = "certify"
	RightSee        = "see"
)

var rightOrder = map[string]int{
	RightRead: 0, RightWrite: 1, RightReadWrite: 2, RightCalculate: 3, RightManageData: 4,
	RightAccess: 5, RightMaintain: 6, RightExecute: 7, RightCertify: 8, RightSee: 9,
}

// grants maps an artifact tab and group column to the rights the group
// holds on the artifact: the rights table of docs/audit.md.
var grants = func() map[artifacts.TabID]map[string][]string {
	accessMaintain := map[string][]string{"AccessGroup": {RightAccess}, "MaintenanceGroup": {RightMaintain}}
	g := map[artifacts.TabID]map[string][]string{
		artifacts.TabEntity: {
			"ReadGroup": {RightRead}, "ReadGroup2": {RightRead},
			"ReadWriteGroup": {RightRead, RightWrite}, "ReadWriteGroup2": {RightRead, RightWrite},
		},
		artifacts.TabScenario: {
			"ReadGroup": {RightRead}, "ReadWriteGroup": {RightRead, RightReadWrite},
			"CalculateFromGridsGroup": {RightCalculate}, "ManageDataGroup": {RightManageData},
		},
		artifacts.TabWorkflow: {
			"AccessGroup": {RightAccess}, "MaintenanceGroup": {RightMaintain},
			"ExecGroup_Default": {RightExecute}, "CertifyGroup_Default": {RightCertify},
		},
		artifacts.TabDashboardGroups: {"AccessGroup": {RightAccess}},
		artifacts.TabDisplayMembers:  {"DisplayMemberGroup": {RightSee}},
	}
	for _, t := range []artifacts.TabID{
		artifacts.TabCube, artifacts.TabDimensions, artifacts.TabCubeViewGroups, artifacts.TabCubeViewProfiles,
		artifacts.TabDashboardMaintenanceUnits, artifacts.TabDashboardProfiles, artifacts.TabXformRules, artifacts.TabXformProfiles,
	} {
		g[t] = accessMaintain
	}
	return g
}()

// RightsOf returns the rights a group named in column col of tab grants
// on the row's artifact (nil for columns that grant none, such as roles).
func RightsOf(tab artifacts.TabID, column string) []string { return grants[tab][column] }
