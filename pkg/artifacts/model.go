package artifacts

// The typed artifacts, one struct per tab of the security workbook. Field
// names are the workbook's column names and the environment file's JSON
// field names; the tab table (tabs.go) binds each column to its field, so
// adding a column means adding it here and in the table, nowhere else.
//
// Strings tagged omitempty are optional free text; key and group columns
// are always written so the file reads like the workbook.

// User is a row of the Users tab.
type User struct {
	User                     string `json:"User"`
	Description              string `json:"Description,omitempty"`
	UserType                 string `json:"UserType"`
	IsEnabled                bool   `json:"IsEnabled"`
	ExternalAuthProviderName string `json:"ExternalAuthProviderName,omitempty"`
	ExternalUserName         string `json:"ExternalUserName,omitempty"`
	Password                 string `json:"Password,omitempty"`
	Email                    string `json:"Email,omitempty"`
	Culture                  string `json:"Culture,omitempty"`
	NumGridRows              int    `json:"NumGridRows"`
	Text1                    string `json:"Text1,omitempty"`
	Text2                    string `json:"Text2,omitempty"`
	Text3                    string `json:"Text3,omitempty"`
	Text4                    string `json:"Text4,omitempty"`
}

// UserInGroup is a row of the UsersInGroups tab: User is a direct member
// of ParentGroup (a group or an exclusion group).
type UserInGroup struct {
	User        string `json:"User"`
	ParentGroup string `json:"ParentGroup"`
}

// Group is a row of the Groups tab.
type Group struct {
	Group       string `json:"Group"`
	Description string `json:"Description,omitempty"`
}

// GroupInGroup is a row of the GroupsInGroups tab: Group is a direct
// member of ParentGroup.
type GroupInGroup struct {
	Group       string `json:"Group"`
	ParentGroup string `json:"ParentGroup"`
}

// AppRole is a row of the AppRoles tab: the group that holds an
// application role.
type AppRole struct {
	AppRole   string `json:"AppRole"`
	GroupName string `json:"GroupName"`
}

// SystemRole is a row of the SystemRoles tab.
type SystemRole struct {
	SystemRole string `json:"SystemRole"`
	GroupName  string `json:"GroupName"`
}

// ExGroup is a row of the ExGroup tab: an exclusion group.
type ExGroup struct {
	ExGroup     string `json:"ExGroup"`
	Description string `json:"Description,omitempty"`
}

// UserInExGroup is a row of the UsersInExGroups tab: an entry of an
// exclusion group naming a user.
type UserInExGroup struct {
	User            string `json:"User"`
	ExGroup         string `json:"ExGroup"`
	ProcessingOrder int    `json:"ProcessingOrder"`
	AllowAccess     bool   `json:"AllowAccess"`
}

// GroupInExGroup is a row of the GroupsInExGroups tab: an entry of an
// exclusion group naming a group.
type GroupInExGroup struct {
	Group           string `json:"Group"`
	ExGroup         string `json:"ExGroup"`
	ProcessingOrder int    `json:"ProcessingOrder"`
	AllowAccess     bool   `json:"AllowAccess"`
}

// WorkflowProfile is a row of the Workflow tab.
type WorkflowProfile struct {
	Profile              string `json:"Profile"`
	AccessGroup          string `json:"AccessGroup"`
	MaintenanceGroup     string `json:"MaintenanceGroup"`
	ExecGroup_Default    string `json:"ExecGroup_Default"`
	CertifyGroup_Default string `json:"CertifyGroup_Default"`
}

// Cube is a row of the Cube tab.
type Cube struct {
	Cube             string `json:"Cube"`
	AccessGroup      string `json:"AccessGroup"`
	MaintenanceGroup string `json:"MaintenanceGroup"`
}

// SliceRule is a row of the CubeDataCellAccess tab ("slice security").
type SliceRule struct {
	Cube                        string `json:"Cube"`
	Type                        string `json:"Type"`
	ProcessingOrder             int    `json:"ProcessingOrder"`
	Description                 string `json:"Description,omitempty"`
	AccessGroup                 string `json:"AccessGroup"`
	BehaviorInGrpInFilter       string `json:"BehaviorInGrpInFilter"`
	BehaviorInGrpNotInFilter    string `json:"BehaviorInGrpNotInFilter"`
	BehaviorNotInGrpInFilter    string `json:"BehaviorNotInGrpInFilter"`
	AccessLevelInGrpInFilter    string `json:"AccessLevelInGrpInFilter"`
	AccessLevelInGrpNotInFilter string `json:"AccessLevelInGrpNotInFilter"`
	AccessLevelNotInGrpInFilter string `json:"AccessLevelNotInGrpInFilter"`
	EntityMemberFilter          string `json:"EntityMemberFilter,omitempty"`
	ParentMemberFilter          string `json:"ParentMemberFilter,omitempty"`
	ConsMemberFilter            string `json:"ConsMemberFilter,omitempty"`
	ScenarioMemberFilter        string `json:"ScenarioMemberFilter,omitempty"`
	TimeMemberFilter            string `json:"TimeMemberFilter,omitempty"`
	ViewMemberFilter            string `json:"ViewMemberFilter,omitempty"`
	AccountMemberFilter         string `json:"AccountMemberFilter,omitempty"`
	FlowMemberFilter            string `json:"FlowMemberFilter,omitempty"`
	OriginMemberFilter          string `json:"OriginMemberFilter,omitempty"`
	ICMemberFilter              string `json:"ICMemberFilter,omitempty"`
	UD1MemberFilter             string `json:"UD1MemberFilter,omitempty"`
	UD2MemberFilter             string `json:"UD2MemberFilter,omitempty"`
	UD3MemberFilter             string `json:"UD3MemberFilter,omitempty"`
	UD4MemberFilter             string `json:"UD4MemberFilter,omitempty"`
	UD5MemberFilter             string `json:"UD5MemberFilter,omitempty"`
	UD6MemberFilter             string `json:"UD6MemberFilter,omitempty"`
	UD7MemberFilter             string `json:"UD7MemberFilter,omitempty"`
	UD8MemberFilter             string `json:"UD8MemberFilter,omitempty"`
}

// Entity is a row of the Entity tab.
type Entity struct {
	Entity            string `json:"Entity"`
	ReadGroup         string `json:"ReadGroup"`
	ReadGroup2        string `json:"ReadGroup2"`
	ReadWriteGroup    string `json:"ReadWriteGroup"`
	ReadWriteGroup2   string `json:"ReadWriteGroup2"`
	UseCubeDataAccess bool   `json:"UseCubeDataAccess"`
}

// Scenario is a row of the Scenario tab.
type Scenario struct {
	Scenario                string `json:"Scenario"`
	ReadGroup               string `json:"ReadGroup"`
	ReadWriteGroup          string `json:"ReadWriteGroup"`
	CalculateFromGridsGroup string `json:"CalculateFromGridsGroup"`
	ManageDataGroup         string `json:"ManageDataGroup"`
}

// Dimension is a row of the Dimensions tab.
type Dimension struct {
	Dimension        string `json:"Dimension"`
	AccessGroup      string `json:"AccessGroup"`
	MaintenanceGroup string `json:"MaintenanceGroup"`
}

// DisplayMember is a row of the DisplayMembers tab.
type DisplayMember struct {
	Dimension          string `json:"Dimension"`
	Member             string `json:"Member"`
	DisplayMemberGroup string `json:"DisplayMemberGroup"`
}

// CubeViewGroup is a row of the CubeViewGroups tab.
type CubeViewGroup struct {
	CVGroup          string `json:"CVGroup"`
	AccessGroup      string `json:"AccessGroup"`
	MaintenanceGroup string `json:"MaintenanceGroup"`
}

// CubeViewProfile is a row of the CubeViewProfiles tab.
type CubeViewProfile struct {
	CVProfile        string `json:"CVProfile"`
	UIVisibility     string `json:"UIVisibility"`
	AccessGroup      string `json:"AccessGroup"`
	MaintenanceGroup string `json:"MaintenanceGroup"`
}

// DashboardMaintenanceUnit is a row of the DashboardMaintenanceUnits tab.
type DashboardMaintenanceUnit struct {
	DMMaintenanceUnit string `json:"DMMaintenanceUnit"`
	AccessGroup       string `json:"AccessGroup"`
	MaintenanceGroup  string `json:"MaintenanceGroup"`
}

// DashboardGroup is a row of the DashboardGroups tab.
type DashboardGroup struct {
	DBGroup     string `json:"DBGroup"`
	AccessGroup string `json:"AccessGroup"`
}

// DashboardProfile is a row of the DashboardProfiles tab.
type DashboardProfile struct {
	DBProfile        string `json:"DBProfile"`
	UIVisibility     string `json:"UIVisibility"`
	AccessGroup      string `json:"AccessGroup"`
	MaintenanceGroup string `json:"MaintenanceGroup"`
}

// XformRule is a row of the XformRules tab (a transformation rule group).
type XformRule struct {
	XformRule        string `json:"XformRule"`
	AccessGroup      string `json:"AccessGroup"`
	MaintenanceGroup string `json:"MaintenanceGroup"`
}

// XformProfile is a row of the XformProfiles tab.
type XformProfile struct {
	XformProfile     string `json:"XformProfile"`
	AccessGroup      string `json:"AccessGroup"`
	MaintenanceGroup string `json:"MaintenanceGroup"`
}

// Environment is one OneStream application's security: system security
// (users, groups, exclusion groups, roles) and the security properties of
// the application's artifacts. Each slice holds one tab's rows; the field
// names are the tab names. Use Normalize after building one by hand, and
// the Tab methods (Find, Cell, SetCell …) for access by column.
type Environment struct {
	Name string

	Users                     []User
	UsersInGroups             []UserInGroup
	Groups                    []Group
	GroupsInGroups            []GroupInGroup
	AppRoles                  []AppRole
	SystemRoles               []SystemRole
	ExGroup                   []ExGroup
	UsersInExGroups           []UserInExGroup
	GroupsInExGroups          []GroupInExGroup
	Workflow                  []WorkflowProfile
	Cube                      []Cube
	CubeDataCellAccess        []SliceRule
	Entity                    []Entity
	Scenario                  []Scenario
	Dimensions                []Dimension
	DisplayMembers            []DisplayMember
	CubeViewGroups            []CubeViewGroup
	CubeViewProfiles          []CubeViewProfile
	DashboardMaintenanceUnits []DashboardMaintenanceUnit
	DashboardGroups           []DashboardGroup
	DashboardProfiles         []DashboardProfile
	XformRules                []XformRule
	XformProfiles             []XformProfile

	index [NumTabs]map[string]int
}
