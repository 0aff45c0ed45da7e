package artifacts

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// Kind says what a column's values are; the codec, validation, planning and
// export all dispatch on it.
type Kind uint8

const (
	KindText         Kind = iota // free text
	KindName                     // the name of the row's own artifact (a key)
	KindUser                     // a reference to an existing user
	KindGroup                    // a reference to an existing group or exclusion group
	KindExGroup                  // a reference to an existing exclusion group
	KindRole                     // an application or system role name (Column.Enum)
	KindBool                     // True or False
	KindWhole                    // a whole number >= 0
	KindEnum                     // one of Column.Enum, matched case-insensitively
	KindNumGridRows              // 10..90 by 10, 100..1000 by 100
	KindUIVisibility             // Always, Never, or a combination of CubeViewUIParts
	KindMemberFilter             // member filter text starting with Column.Prefix
	KindEmail                    // an e-mail address or empty
	KindCulture                  // en-US, fr-FR; others warn
	KindPassword                 // opaque, never shown
	KindActionType               // Rename or Remove
	KindActionValue              // new name or member name
)

// Column describes one column of a tab.
type Column struct {
	Name     string
	Kind     Kind
	Enum     []string // allowed values for KindEnum and KindRole, in export casing
	Prefix   string   // dimension prefix of a KindMemberFilter column, e.g. "E#"
	Required bool     // a present but empty cell is an error on import
	Key      bool     // part of the row's key
	Aliases  []string // other header names accepted on import
	Help     string   // what the column holds, for people

	field     int    // index of the bound struct field; -1 for ActionType/ActionValue
	fieldName string // the struct field's name, when not Name
}

// IsAction reports whether the column is ActionType or ActionValue, which
// exist only in workbooks.
func (c *Column) IsAction() bool { return c.Kind == KindActionType || c.Kind == KindActionValue }

// IsReference reports whether the column names a user or a group.
func (c *Column) IsReference() bool {
	return c.Kind == KindUser || c.Kind == KindGroup || c.Kind == KindExGroup
}

// TabID identifies a tab; tabs are numbered in export order.
type TabID int

// The tabs of the security workbook, in export order.
const (
	TabUsers TabID = iota
	TabUsersInGroups
	TabGroups
	TabGroupsInGroups
	TabAppRoles
	TabSystemRoles
	TabExGroup
	TabUsersInExGroups
	TabGroupsInExGroups
	TabWorkflow
	TabCube
	TabCubeDataCellAccess
	TabEntity
	TabScenario
	TabDimensions
	TabDisplayMembers
	TabCubeViewGroups
	TabCubeViewProfiles
	TabDashboardMaintenanceUnits
	TabDashboardGroups
	TabDashboardProfiles
	TabXformRules
	TabXformProfiles
	NumTabs
)

// Tab describes one tab of the security workbook: its columns in export
// order, its key, and what import may do with it.
type Tab struct {
	ID      TabID
	Name    string
	Area    string
	Aliases []string // other tab names import accepts
	Columns []Column
	Key     []int // indexes into Columns of the key columns, in key order
	// MayAdd says whether a row whose key does not exist creates it.
	MayAdd bool
	// Relationship tabs list memberships and exclusion entries; their rows
	// merge into the environment and are removed only explicitly.
	Relationship bool
	// Actions lists the ActionType values the tab accepts (empty: none).
	Actions []string
	// Artifact names what one row is, for messages ("workflow profile").
	Artifact string

	field int // index of the Environment field holding the rows
	typ   reflect.Type

	jsonNames []string // per struct field
	omitEmpty []bool
}

// Column returns the index of the column with the given header name
// (case-insensitive, aliases included), or -1.
func (t *Tab) Column(name string) int {
	for i := range t.Columns { // the usual case: the canonical name
		if t.Columns[i].Name == name {
			return i
		}
	}
	name = strings.TrimSpace(name)
	for i := range t.Columns {
		if strings.EqualFold(t.Columns[i].Name, name) {
			return i
		}
		for _, a := range t.Columns[i].Aliases {
			if strings.EqualFold(a, name) {
				return i
			}
		}
	}
	return -1
}

// JSONName returns the name of column ci's field in the environment file,
// which is the column's name but where the guide's header differs
// (ProcessingOrdering is stored as ProcessingOrder); "" for ActionType and
// ActionValue.
func (t *Tab) JSONName(ci int) string {
	if f := t.Columns[ci].field; f >= 0 {
		return t.jsonNames[f]
	}
	return ""
}

// HasAction reports whether the tab accepts the ActionType value a.
func (t *Tab) HasAction(a string) bool {
	for _, x := range t.Actions {
		if strings.EqualFold(x, a) {
			return true
		}
	}
	return false
}

// Named reports whether the tab's rows are users, groups or exclusion
// groups: artifacts other rows refer to by name, so that a rename follows
// into every reference and a removal takes their relationships along.
func (t *Tab) Named() bool {
	return t.ID == TabUsers || t.ID == TabGroups || t.ID == TabExGroup
}

// DataColumns returns the indexes of the columns stored in the
// environment (all but ActionType and ActionValue).
func (t *Tab) DataColumns() []int {
	var out []int
	for i := range t.Columns {
		if !t.Columns[i].IsAction() {
			out = append(out, i)
		}
	}
	return out
}

// tabs holds every tab, indexed by TabID, in export order. It is filled
// once, at start, and only read after: callers get it through Tab and
// AllTabs, which cannot replace an entry.
var tabs [NumTabs]*Tab

// Tab returns the tab of id.
func (id TabID) Tab() *Tab { return tabs[id] }

// AllTabs returns every tab in export order (a new slice each call).
func AllTabs() []*Tab {
	out := make([]*Tab, NumTabs)
	copy(out, tabs[:])
	return out
}

// Areas lists the areas of --areas, in export order, with their tabs.
var Areas = []struct {
	Name string
	Tabs []TabID
}{
	{"users", []TabID{TabUsers, TabUsersInGroups}},
	{"groups", []TabID{TabGroups, TabGroupsInGroups}},
	{"roles", []TabID{TabAppRoles, TabSystemRoles}},
	{"exgroups", []TabID{TabExGroup, TabUsersInExGroups, TabGroupsInExGroups}},
	{"workflow", []TabID{TabWorkflow}},
	{"cube", []TabID{TabCube}},
	{"cubedataaccess", []TabID{TabCubeDataCellAccess}},
	{"entity", []TabID{TabEntity}},
	{"scenario", []TabID{TabScenario}},
	{"dimensions", []TabID{TabDimensions}},
	{"displaymembers", []TabID{TabDisplayMembers}},
	{"cubeviews", []TabID{TabCubeViewGroups, TabCubeViewProfiles}},
	{"dashboards", []TabID{TabDashboardMaintenanceUnits, TabDashboardGroups, TabDashboardProfiles}},
	{"xformrules", []TabID{TabXformRules, TabXformProfiles}},
}

// ParseAreas turns a comma-separated --areas list ("users,groups", "all",
// empty for all) into the selected tabs, in export order.
func ParseAreas(list string) ([]TabID, error) {
	sel := make(map[TabID]bool)
	list = strings.TrimSpace(list)
	if list == "" {
		list = "all"
	}
	for _, part := range strings.Split(list, ",") {
		part = strings.ToLower(strings.TrimSpace(part))
		if part == "" {
			continue
		}
		if part == "all" {
			for id := TabID(0); id < NumTabs; id++ {
				sel[id] = true
			}
			continue
		}
		found := false
		for _, a := range Areas {
			if a.Name == part {
				for _, id := range a.Tabs {
					sel[id] = true
				}
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown area %q; the areas are all, %s", part, strings.Join(AreaNames(), ", "))
		}
	}
	var out []TabID
	for id := TabID(0); id < NumTabs; id++ {
		if sel[id] {
			out = append(out, id)
		}
	}
	return out, nil
}

// AreaNames lists the area names in export order.
func AreaNames() []string {
	var out []string
	for _, a := range Areas {
		out = append(out, a.Name)
	}
	return out
}

// LookupTab finds a tab by its name or an alias, case-insensitively.
func LookupTab(name string) (*Tab, bool) {
	name = strings.TrimSpace(name)
	for _, t := range tabs {
		if strings.EqualFold(t.Name, name) {
			return t, true
		}
		for _, a := range t.Aliases {
			if strings.EqualFold(a, name) {
				return t, true
			}
		}
	}
	return nil, false
}

// Column constructors keep the table below short.
func key(name string, k Kind, help string) Column {
	return Column{Name: name, Kind: k, Key: true, Required: true, Help: help}
}
func text(name, help string) Column { return Column{Name: name, Kind: KindText, Help: help} }
func group(name string) Column {
	return Column{Name: name, Kind: KindGroup, Required: true, Help: "an existing group (write Nobody to deny)"}
}
func enum(name string, values []string, help string) Column {
	return Column{Name: name, Kind: KindEnum, Enum: values, Required: true, Help: help}
}
func boolean(name, help string) Column {
	return Column{Name: name, Kind: KindBool, Required: true, Help: help}
}
func actionColumns() []Column {
	return []Column{
		{Name: "ActionType", Kind: KindActionType, Help: "Rename or Remove; empty for add or edit"},
		{Name: "ActionValue", Kind: KindActionValue, Help: "the new name for Rename; a member name (or empty) for Remove"},
	}
}
func accessMaint() []Column { return []Column{group("AccessGroup"), group("MaintenanceGroup")} }

func cols(parts ...any) []Column {
	var out []Column
	for _, p := range parts {
		switch v := p.(type) {
		case Column:
			out = append(out, v)
		case []Column:
			out = append(out, v...)
		}
	}
	return out
}

func sliceColumns() []Column {
	c := cols(
		key("Cube", KindName, "an existing cube"),
		Column{Name: "Type", Kind: KindEnum, Enum: SliceRuleTypes, Key: true, Required: true, Help: "the kind of slice rule; cannot be changed"},
		// The guide's header; the field (and the environment file) keep
		// the name ProcessingOrder, which import accepts too.
		Column{Name: "ProcessingOrdering", Kind: KindWhole, Key: true, Required: true, Aliases: []string{"ProcessingOrder"}, Help: "a whole number >= 0; rules apply in this order",
			fieldName: "ProcessingOrder"},
		text("Description", "free text"),
		group("AccessGroup"),
	)
	// The guide's order: each case's Behavior, then its AccessLevel.
	for _, n := range []string{"InGrpInFilter", "InGrpNotInFilter", "NotInGrpInFilter"} {
		c = append(c, enum("Behavior"+n, SliceBehaviors, "what the rule does for this case"),
			enum("AccessLevel"+n, AccessLevels, "the access level for this case"))
	}
	// Parents are entities: the guide's sample ParentMemberFilter is E#Top.
	filters := []struct{ name, prefix string }{
		{"EntityMemberFilter", "E#"}, {"ParentMemberFilter", "E#"}, {"ConsMemberFilter", "C#"},
		{"ScenarioMemberFilter", "S#"}, {"TimeMemberFilter", "T#"}, {"ViewMemberFilter", "V#"},
		{"AccountMemberFilter", "A#"}, {"FlowMemberFilter", "F#"}, {"OriginMemberFilter", "O#"},
		{"ICMemberFilter", "I#"},
	}
	for i := 1; i <= 8; i++ {
		filters = append(filters, struct{ name, prefix string }{fmt.Sprintf("UD%dMemberFilter", i), fmt.Sprintf("U%d#", i)})
	}
	for _, f := range filters {
		c = append(c, Column{Name: f.name, Kind: KindMemberFilter, Prefix: f.prefix,
			Help: "comma-delimited member filter, each part starting with " + f.prefix})
	}
	return c
}

func init() {
	rel := []string{ActionRemove}
	named := []string{ActionRename, ActionRemove}
	order := Column{Name: "ProcessingOrder", Kind: KindWhole, Required: true, Help: "a whole number >= 0, unique within the exclusion group"}
	allow := boolean("AllowAccess", "True lets the entry's members in, False keeps them out")
	defs := []*Tab{
		{ID: TabUsers, Name: "Users", Area: "users", Aliases: []string{"User"}, MayAdd: true, Actions: named, Artifact: "user",
			Columns: cols(
				key("User", KindName, "the user name"),
				text("Description", "free text"),
				enum("UserType", UserTypes, "the user's license type"),
				boolean("IsEnabled", "True or False"),
				text("ExternalAuthProviderName", "empty for a native (OneStream-authenticated) user"),
				text("ExternalUserName", "the user's name at the provider, typically an e-mail address"),
				Column{Name: "Password", Kind: KindPassword, Help: "empty leaves the password unchanged"},
				Column{Name: "Email", Kind: KindEmail, Help: "an e-mail address or empty"},
				Column{Name: "Culture", Kind: KindCulture, Help: "en-US or fr-FR"},
				Column{Name: "NumGridRows", Kind: KindNumGridRows, Help: "10 to 90 in steps of 10, or 100 to 1000 in steps of 100"},
				text("Text1", "free text"), text("Text2", "free text"), text("Text3", "free text"), text("Text4", "free text"),
				actionColumns())},
		{ID: TabUsersInGroups, Name: "UsersInGroups", Area: "users", MayAdd: true, Relationship: true, Actions: rel, Artifact: "group membership",
			Columns: cols(key("User", KindUser, "an existing user"), key("ParentGroup", KindGroup, "an existing group or exclusion group"), actionColumns())},
		{ID: TabGroups, Name: "Groups", Area: "groups", Aliases: []string{"Group"}, MayAdd: true, Actions: named, Artifact: "group",
			Columns: cols(key("Group", KindName, "the group name"), text("Description", "free text"), actionColumns())},
		{ID: TabGroupsInGroups, Name: "GroupsInGroups", Area: "groups", MayAdd: true, Relationship: true, Actions: rel, Artifact: "group membership",
			Columns: cols(Column{Name: "Group", Kind: KindGroup, Key: true, Required: true, Aliases: []string{"Group name"}, Help: "an existing group, or one added on the Groups tab"},
				key("ParentGroup", KindGroup, "an existing group"), actionColumns())},
		{ID: TabAppRoles, Name: "AppRoles", Area: "roles", Artifact: "application role",
			Columns: cols(Column{Name: "AppRole", Kind: KindRole, Enum: ApplicationRoles, Key: true, Required: true, Help: "an application role"}, Column{Name: "GroupName", Kind: KindGroup, Required: true, Help: "the group that holds the role"})},
		{ID: TabSystemRoles, Name: "SystemRoles", Area: "roles", Artifact: "system role",
			Columns: cols(Column{Name: "SystemRole", Kind: KindRole, Enum: SystemRoleNames, Key: true, Required: true, Help: "a system role"}, Column{Name: "GroupName", Kind: KindGroup, Required: true, Help: "the group that holds the role"})},
		{ID: TabExGroup, Name: "ExGroup", Area: "exgroups", MayAdd: true, Actions: named, Artifact: "exclusion group",
			Columns: cols(key("ExGroup", KindName, "the exclusion group name (shares the group namespace)"), text("Description", "free text"), actionColumns())},
		{ID: TabUsersInExGroups, Name: "UsersInExGroups", Area: "exgroups", MayAdd: true, Relationship: true, Actions: rel, Artifact: "exclusion group entry",
			Columns: cols(key("User", KindUser, "an existing user"), key("ExGroup", KindExGroup, "an existing exclusion group"), order, allow, actionColumns())},
		{ID: TabGroupsInExGroups, Name: "GroupsInExGroups", Area: "exgroups", MayAdd: true, Relationship: true, Actions: rel, Artifact: "exclusion group entry",
			Columns: cols(key("Group", KindGroup, "an existing group"), key("ExGroup", KindExGroup, "an existing exclusion group"), order, allow, actionColumns())},
		{ID: TabWorkflow, Name: "Workflow", Area: "workflow", Artifact: "workflow profile",
			Columns: cols(key("Profile", KindName, "an existing workflow profile"), accessMaint(), group("ExecGroup_Default"), group("CertifyGroup_Default"))},
		{ID: TabCube, Name: "Cube", Area: "cube", Artifact: "cube",
			Columns: cols(key("Cube", KindName, "an existing cube"), accessMaint())},
		// Slice rules take Remove, and Rename with a whole number: a move
		// to another ProcessingOrder (secmgr extensions).
		{ID: TabCubeDataCellAccess, Name: "CubeDataCellAccess", Area: "cubedataaccess", MayAdd: true, Actions: named, Artifact: "slice rule",
			Columns: cols(sliceColumns(), actionColumns())},
		{ID: TabEntity, Name: "Entity", Area: "entity", Artifact: "entity",
			Columns: cols(key("Entity", KindName, "an existing entity"), group("ReadGroup"), group("ReadGroup2"), group("ReadWriteGroup"), group("ReadWriteGroup2"),
				boolean("UseCubeDataAccess", "True applies the cube's slice rules to this entity"))},
		{ID: TabScenario, Name: "Scenario", Area: "scenario", Artifact: "scenario",
			Columns: cols(key("Scenario", KindName, "an existing scenario"), group("ReadGroup"), group("ReadWriteGroup"), group("CalculateFromGridsGroup"), group("ManageDataGroup"))},
		{ID: TabDimensions, Name: "Dimensions", Area: "dimensions", Artifact: "dimension",
			Columns: cols(key("Dimension", KindName, "an existing dimension"), accessMaint())},
		{ID: TabDisplayMembers, Name: "DisplayMembers", Area: "displaymembers", Artifact: "display member",
			Columns: cols(Column{Name: "Dimension", Kind: KindEnum, Enum: DimensionTypes, Key: true, Required: true, Help: "the dimension type: E, A, F, U1 … U8 …"},
				key("Member", KindName, "an existing member of that dimension type"), group("DisplayMemberGroup"))},
		{ID: TabCubeViewGroups, Name: "CubeViewGroups", Area: "cubeviews", Artifact: "cube view group",
			Columns: cols(key("CVGroup", KindName, "an existing cube view group"), accessMaint())},
		{ID: TabCubeViewProfiles, Name: "CubeViewProfiles", Area: "cubeviews", Artifact: "cube view profile",
			Columns: cols(key("CVProfile", KindName, "an existing cube view profile"),
				Column{Name: "UIVisibility", Kind: KindUIVisibility, Required: true, Help: "Always, Never, or parts of WorkflowFormsExcelDashboardsOnePlace in that order"},
				accessMaint())},
		{ID: TabDashboardMaintenanceUnits, Name: "DashboardMaintenanceUnits", Area: "dashboards", Artifact: "dashboard maintenance unit",
			Columns: cols(key("DMMaintenanceUnit", KindName, "an existing dashboard maintenance unit"), accessMaint())},
		{ID: TabDashboardGroups, Name: "DashboardGroups", Area: "dashboards", Artifact: "dashboard group",
			Columns: cols(key("DBGroup", KindName, "an existing dashboard group"), group("AccessGroup"))},
		{ID: TabDashboardProfiles, Name: "DashboardProfiles", Area: "dashboards", Artifact: "dashboard profile",
			Columns: cols(key("DBProfile", KindName, "an existing dashboard profile"), enum("UIVisibility", DashboardUIVisibilities, "Never, Always, OnePlace or Workflow"), accessMaint())},
		{ID: TabXformRules, Name: "XformRules", Area: "xformrules", Artifact: "transformation rule group",
			Columns: cols(key("XformRule", KindName, "an existing transformation rule group"), accessMaint())},
		{ID: TabXformProfiles, Name: "XformProfiles", Area: "xformrules", Artifact: "transformation rule profile",
			Columns: cols(key("XformProfile", KindName, "an existing transformation rule profile"), accessMaint())},
	}
	envType := reflect.TypeOf(Environment{})
	for _, t := range defs {
		ef, ok := envType.FieldByName(t.Name)
		if !ok {
			panic("artifacts: no Environment field for tab " + t.Name)
		}
		t.field = ef.Index[0]
		t.typ = ef.Type.Elem()
		for i := range t.Columns {
			c := &t.Columns[i]
			c.field = -1
			if c.Key {
				t.Key = append(t.Key, i)
			}
			if c.IsAction() {
				continue
			}
			fname := c.Name
			if c.fieldName != "" {
				fname = c.fieldName
			}
			sf, ok := t.typ.FieldByName(fname)
			if !ok {
				panic("artifacts: no field " + c.Name + " in " + t.typ.Name())
			}
			c.field = sf.Index[0]
		}
		if t.typ.NumField() != len(t.DataColumns()) {
			panic("artifacts: " + t.typ.Name() + " has fields that are not columns")
		}
		t.bindJSON()
		tabs[t.ID] = t
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
