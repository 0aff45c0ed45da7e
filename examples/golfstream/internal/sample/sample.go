// Package sample builds the GolfStream sample environment: the security of
// a OneStream application modelled on OneStream's GolfStream demo (a golf
// equipment maker with clubs in Houston, Carlsbad, Augusta, Montreal,
// Frankfurt and Birmingham).
//
// The environment is written here as readable Go so that reviewing a change
// to the sample means reading a Go diff; examples/golfstream/environment.json
// is generated from Build and a test keeps the two equal. Build is
// deterministic: the same code always gives the same bytes.
//
// The sample is a plausible production setup with a handful of deliberate
// weak spots for the audit rules (see examples/golfstream/README.md); the
// comments marked "weak spot" point them out.
package sample

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"secmgr/pkg/artifacts"
)

// Name is the environment's name.
const Name = "GolfStream"

// Names the tests and the README refer to.
const (
	// NativeAdmin is the enabled native user who is an administrator
	// (OS-BP-PS-AN-002, high).
	NativeAdmin = "OneStream Admin"
	// DisabledAdmin is the disabled user still listed directly in
	// Administrators (SM-005).
	DisabledAdmin = "Robert Kline"
	// ThirdPartyWithRole is the Third Party Access user who holds roles
	// through the group RoleGroupOfThirdParty (SM-004).
	ThirdPartyWithRole    = "Acme Integration Service"
	RoleGroupOfThirdParty = "Data Integration"
	// UserInNoGroup is the enabled user who belongs to no group (SM-007).
	UserInNoGroup = "Kevin Walsh"
	// UnusedGroup holds no one and is used nowhere (SM-006).
	UnusedGroup = "Montreal 2019 Reorg"
	// EveryoneMaintains is the dashboard maintenance unit whose
	// MaintenanceGroup is Everyone (OS-BP-PS-DB-001).
	EveryoneMaintains = "GolfStream Sandbox"
	// Contractor is kept out of HoustonModExceptContractors.
	Contractor                  = "Mark Sullivan"
	HoustonModExceptContractors = "Houston Mod Except Contractors"
)

// Build returns the GolfStream sample environment, normalized.
func Build() *artifacts.Environment {
	env := &artifacts.Environment{Name: Name}
	addUsers(env)
	addGroups(env)
	addExclusionGroups(env)
	addRoles(env)
	addWorkflow(env)
	addCubes(env)
	addEntitiesAndScenarios(env)
	addDimensions(env)
	addCubeViews(env)
	addDashboards(env)
	addTransformationRules(env)
	env.Normalize()
	return env
}

// person is a user and the groups it is directly in, kept together so the
// table below reads like a staff list.
type person struct {
	name, title, userType string
	provider              string // AzureAD, Okta, or "" for a native user
	email                 string // defaults to first.last@golfstream.example.com
	culture               string
	gridRows              int
	dept, costCentre      string // Text1, Text2
	note                  string // Text3
	office                string // Text4
	disabled              bool
	groups                []string
}

const (
	azure  = "AzureAD"
	okta   = "Okta"
	native = ""
	enUS   = "en-US"
	frFR   = "fr-FR"
)

var people = []person{
	// Finance systems and IT. Six enabled users reach Administrators,
	// three of them through IT Platform Team (weak spot: OS-BP-PS-AM-001).
	{name: NativeAdmin, title: "Break-glass application administrator account", userType: "Interactive", provider: native,
		email: "onestream.admin@golfstream.example.com", culture: enUS, gridRows: 100, dept: "IT", costCentre: "CC-1100",
		groups: []string{artifacts.Administrators}}, // weak spot: native administrator (OS-BP-PS-AN-002)
	{name: "Michael Harrington", title: "Director, Finance Systems", userType: "Interactive", provider: azure, culture: enUS, gridRows: 100,
		dept: "IT", costCentre: "CC-1100", groups: []string{artifacts.Administrators}},
	{name: "Sarah Whitfield", title: "Security Administrator", userType: "Interactive", provider: azure, culture: enUS, gridRows: 50,
		dept: "IT", costCentre: "CC-1100", groups: []string{artifacts.Administrators, "Security Admins"}},
	{name: "Priya Raman", title: "OneStream Platform Engineer", userType: "Interactive", provider: azure, culture: enUS, gridRows: 200,
		dept: "IT", costCentre: "CC-1120", groups: []string{"IT Platform Team"}},
	{name: "Tom Becker", title: "Integration Engineer", userType: "Interactive", provider: azure, culture: enUS, gridRows: 200,
		dept: "IT", costCentre: "CC-1120", groups: []string{"IT Platform Team", RoleGroupOfThirdParty}},
	{name: "Lena Vogel", title: "OneStream Platform Engineer", userType: "Interactive", provider: azure, culture: enUS, gridRows: 100,
		dept: "IT", costCentre: "CC-1120", groups: []string{"IT Platform Team"}},
	{name: DisabledAdmin, title: "Former Finance Systems Manager", userType: "Interactive", provider: azure, culture: enUS, gridRows: 50,
		dept: "IT", note: "Left the company in March 2024", disabled: true,
		groups: []string{artifacts.Administrators}}, // weak spot: disabled, still an administrator (SM-005)
	{name: "GS Training", title: "Shared account for new-hire training sessions", userType: "View", provider: native,
		email: "training@golfstream.example.com", culture: enUS, gridRows: 30, dept: "Finance",
		groups: []string{"GolfStream_View"}}, // weak spot: native user (OS-BP-PS-AN-002, medium)

	// Legal-entity accountants (the spec's own examples).
	{name: "Jessica Documentation", title: "Legal entity accountant, Legal A", userType: "Interactive", provider: azure, culture: enUS, gridRows: 50,
		dept: "Finance", costCentre: "CC-2100", groups: []string{"Documentation LegalA", "Budget Preparers"}},
	{name: "Natalie Documentation", title: "Legal entity analyst, Legal B", userType: "View", provider: azure, culture: enUS, gridRows: 50,
		dept: "Finance", costCentre: "CC-2100", groups: []string{"Documentation LegalB"}},
	{name: "Thomas Documentation", title: "Legal entity reviewer, Legal C", userType: "Restricted", provider: azure, culture: enUS, gridRows: 30,
		dept: "Legal", costCentre: "CC-2200", groups: []string{"Documentation LegalC"}},

	// Houston.
	{name: "James Carter", title: "Houston Senior Accountant", userType: "Interactive", provider: azure, culture: enUS, gridRows: 100,
		dept: "Finance", costCentre: "CC-4100", groups: []string{"Houston_Mod", "Budget Preparers"}},
	{name: "Emily Nguyen", title: "Houston Staff Accountant", userType: "Interactive", provider: azure, culture: enUS, gridRows: 50,
		dept: "Finance", costCentre: "CC-4100", groups: []string{"Houston_Mod"}},
	{name: "David Alvarez", title: "Houston Operations Manager", userType: "View", provider: azure, culture: enUS, gridRows: 30,
		dept: "Operations", costCentre: "CC-4300", groups: []string{"Houston_View"}},
	{name: Contractor, title: "Contract accountant, Houston close support", userType: "Interactive", provider: okta,
		email: "mark.sullivan@ledgerpartners.example.com", culture: enUS, gridRows: 50, dept: "Contractor",
		note: "Contract ends 2025-12-31", office: "Agency: Ledger Partners", groups: []string{"Houston_Mod", "Contractors"}},
	{name: "Karen Mitchell", title: "Houston Controller", userType: "Financial Close", provider: azure, culture: enUS, gridRows: 100,
		dept: "Finance", costCentre: "CC-4100", office: "Houston HQ", groups: []string{"Houston Controllers", "Houston_Mod"}},

	// Carlsbad.
	{name: "Brian Foster", title: "Carlsbad Plant Accountant", userType: "Interactive", provider: azure, culture: enUS, gridRows: 100,
		dept: "Finance", costCentre: "CC-5100", groups: []string{"Carlsbad_Mod", "Budget Preparers"}},
	{name: "Ashley Romero", title: "Carlsbad Sales Analyst", userType: "View", provider: azure, culture: enUS, gridRows: 30,
		dept: "Sales", costCentre: "CC-5400", groups: []string{"Carlsbad_View"}},

	// Augusta.
	{name: "William Grant", title: "Augusta Club Accountant", userType: "Interactive", provider: azure, culture: enUS, gridRows: 50,
		dept: "Finance", costCentre: "CC-6100", groups: []string{"Augusta_Mod"}},
	{name: "Megan Hayes", title: "Augusta Pro Shop Manager", userType: "Restricted", provider: azure, culture: enUS, gridRows: 20,
		dept: "Retail", costCentre: "CC-6500", groups: []string{"Augusta_View"}},
	{name: "Heather Lawson", title: "Former Augusta Financial Analyst", userType: "View", provider: azure, culture: enUS, gridRows: 30,
		dept: "Finance", note: "Left the company in January 2025", disabled: true, groups: []string{"Augusta_View"}},

	// Montreal.
	{name: "Julien Tremblay", title: "Comptable, Montréal", userType: "Interactive", provider: azure, culture: frFR, gridRows: 50,
		dept: "Finance", costCentre: "CC-7100", groups: []string{"Montreal_Mod"}},
	{name: "Sophie Gagnon", title: "Analyste financière, Canada", userType: "View", provider: azure, culture: frFR, gridRows: 30,
		dept: "Finance", costCentre: "CC-7100", groups: []string{"Canada Finance"}},
	{name: "Camille Roy", title: "Contrôleuse financière, Canada", userType: "Financial Close", provider: azure, culture: frFR, gridRows: 100,
		dept: "Finance", costCentre: "CC-7000", office: "Montréal", groups: []string{"Canada Finance", "Montreal_Mod"}},

	// Frankfurt and Birmingham.
	{name: "Lukas Schneider", title: "Frankfurt Controller", userType: "Interactive", provider: azure, culture: enUS, gridRows: 100,
		dept: "Finance", costCentre: "CC-8100", office: "Frankfurt am Main", groups: []string{"Frankfurt Controllers"}},
	{name: "Anna Weber", title: "Frankfurt Financial Analyst", userType: "View", provider: azure, culture: enUS, gridRows: 50,
		dept: "Finance", costCentre: "CC-8100", groups: []string{"Frankfurt_View"}},
	{name: "Oliver Bennett", title: "Birmingham Management Accountant", userType: "Interactive", provider: azure, culture: enUS, gridRows: 50,
		dept: "Finance", costCentre: "CC-9100", groups: []string{"Birmingham_Mod", "Budget Preparers"}},
	{name: "Charlotte Hughes", title: "Birmingham Financial Controller", userType: "Financial Close", provider: azure, culture: enUS, gridRows: 100,
		dept: "Finance", costCentre: "CC-9000", groups: []string{"Birmingham_Mod"}},

	// Corporate.
	{name: "Rachel Goldberg", title: "Chief Financial Officer", userType: "Interactive", provider: azure, culture: enUS, gridRows: 30,
		dept: "Executive", costCentre: "CC-0100", office: "Houston HQ", groups: []string{"Executives", "Corporate Finance"}},
	{name: "Daniel Price", title: "Corporate Consolidation Manager", userType: "Financial Close", provider: azure, culture: enUS, gridRows: 500,
		dept: "Finance", costCentre: "CC-2000", groups: []string{"Corporate Finance"}},
	{name: "Laura Chen", title: "Director, FP&A", userType: "Interactive", provider: azure, culture: enUS, gridRows: 300,
		dept: "FP&A", costCentre: "CC-3000", groups: []string{"Corporate Finance", "Budget Preparers", "Workflow Admins", "Metadata Admins"}},
	{name: "Steven Park", title: "Finance Systems Analyst, metadata and reporting", userType: "Interactive", provider: azure, culture: enUS, gridRows: 200,
		dept: "IT", costCentre: "CC-1100", groups: []string{"Metadata Admins", "Dashboard Designers", "GolfStream_View"}},
	{name: "Nina Patel", title: "Vice President, Operations", userType: "View", provider: azure, culture: enUS, gridRows: 20,
		dept: "Executive", costCentre: "CC-0100", groups: []string{"Executives"}},

	// Outside parties.
	{name: "Greg Olsen", title: "External auditor, year-end audit", userType: "View", provider: okta,
		email: "greg.olsen@auditpartners.example.com", culture: enUS, gridRows: 50, dept: "External Audit",
		note: "Access expires after the audit sign-off", groups: []string{"External Auditors"}},
	{name: ThirdPartyWithRole, title: "API account of the Acme data integration platform", userType: "Third Party Access", provider: okta,
		email: "svc-acme-integration@golfstream.example.com", culture: enUS, gridRows: 1000, dept: "IT",
		groups: []string{RoleGroupOfThirdParty}}, // weak spot: third-party account holding roles (SM-004)
	{name: "PowerBI Connector", title: "Read-only API account for Power BI reporting", userType: "Third Party Access", provider: azure,
		email: "svc-powerbi@golfstream.example.com", culture: enUS, gridRows: 1000, dept: "IT",
		groups: []string{"BI Readers"}},

	// weak spot: enabled but in no group (SM-007).
	{name: UserInNoGroup, title: "Financial Analyst (joined this month)", userType: "Interactive", provider: azure, culture: enUS, gridRows: 30,
		dept: "Finance", costCentre: "CC-3000", note: "Access request pending"},
}

// nativePasswords holds, for the native users that have one, an opaque
// stand-in for the value OneStream stores: base64 of a fixed digest. It is
// not derived from any password and decrypts to nothing.
var nativePasswords = map[string]string{
	NativeAdmin:   opaque("golfstream-sample/" + NativeAdmin),
	"GS Training": opaque("golfstream-sample/GS Training"),
}

func opaque(label string) string {
	sum := sha256.Sum256([]byte(label))
	blob := append([]byte{0x01, 0x00}, sum[:]...) // a version prefix, as encrypted blobs have
	return base64.StdEncoding.EncodeToString(blob)
}

func defaultEmail(name string) string {
	return strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@golfstream.example.com"
}

func addUsers(env *artifacts.Environment) {
	for _, p := range people {
		email := p.email
		if email == "" {
			email = defaultEmail(p.name)
		}
		u := artifacts.User{
			User:        p.name,
			Description: p.title,
			UserType:    p.userType,
			IsEnabled:   !p.disabled,
			Password:    nativePasswords[p.name],
			Email:       email,
			Culture:     p.culture,
			NumGridRows: p.gridRows,
			Text1:       p.dept,
			Text2:       p.costCentre,
			Text3:       p.note,
			Text4:       p.office,
		}
		if p.provider != native {
			u.ExternalAuthProviderName = p.provider
			u.ExternalUserName = email
		}
		env.Users = append(env.Users, u)
		for _, g := range p.groups {
			env.UsersInGroups = append(env.UsersInGroups, artifacts.UserInGroup{User: p.name, ParentGroup: g})
		}
	}
}

// groups lists every group but the built-ins with its description and the
// groups it is directly a member of. Writers (_Mod) are members of readers
// (_View), sites of regions, regions of GolfStream Users.
var groups = []struct {
	name, description string
	parents           []string
}{
	{"GolfStream Users", "Everyone who works in the GolfStream application", nil},
	{"North America", "North American clubs and plants", []string{"GolfStream Users"}},
	{"Europe", "European clubs", []string{"GolfStream Users"}},
	{"Houston Team", "Everyone who works on Houston", []string{"North America"}},
	{"Houston_View", "Read Houston data", []string{"Houston Team"}},
	{"Houston_Mod", "Read and write Houston data", []string{"Houston_View"}},
	{"Houston Controllers", "Certify the Houston workflows", []string{"Houston Team"}},
	{"Carlsbad_View", "Read Carlsbad data", []string{"North America"}},
	{"Carlsbad_Mod", "Read and write Carlsbad data", []string{"Carlsbad_View"}},
	{"Augusta_View", "Read Augusta data", []string{"North America"}},
	{"Augusta_Mod", "Read and write Augusta data", []string{"Augusta_View"}},
	{"Canada Finance", "Canadian finance team; reads Montreal", []string{"North America"}},
	{"Montreal_Mod", "Read and write Montreal data", []string{"Canada Finance"}},
	{"Frankfurt_View", "Read Frankfurt data", []string{"Europe"}},
	{"Frankfurt Controllers", "Frankfurt controllers; write Frankfurt data", []string{"Frankfurt_View"}},
	{"Birmingham_View", "Read Birmingham data", []string{"Europe"}},
	{"Birmingham_Mod", "Read and write Birmingham data", []string{"Birmingham_View"}},
	{"GolfStream_View", "Read consolidated GolfStream data", []string{"GolfStream Users"}},
	{"GolfStream_Mod", "Read and write corporate entities", []string{"GolfStream_View"}},
	{"Corporate Finance", "Consolidation, FP&A and treasury", []string{"GolfStream_Mod"}},
	{"Executives", "Executive leadership; FinancialReview dashboards", []string{"GolfStream_View"}},
	{"Documentation AllOrgs", "All legal-entity accountants", []string{"GolfStream Users"}},
	{"Documentation LegalA", "Legal entity A accountants", []string{"Documentation AllOrgs"}},
	{"Documentation LegalB", "Legal entity B accountants", []string{"Documentation AllOrgs"}},
	{"Documentation LegalC", "Legal entity C accountants", []string{"Documentation AllOrgs"}},
	{"Budget Preparers", "Prepare the annual budget and forecasts", nil},
	{"IT Platform Team", "OneStream platform engineers", []string{artifacts.Administrators}},
	{"Security Admins", "Administer users, groups and security roles", nil},
	{"Metadata Admins", "Maintain dimensions and cubes", nil},
	{"Workflow Admins", "Maintain workflow profiles and channels", nil},
	{"Dashboard Designers", "Build cube views and dashboards", nil},
	{RoleGroupOfThirdParty, "Data sources and transformation rules", nil},
	{"Contractors", "External contractors; no payroll data", nil},
	{"External Auditors", "Year-end auditors; read only", []string{"GolfStream_View"}},
	{"BI Readers", "Reporting service accounts", nil},
	// weak spot: holds no one and is used nowhere (SM-006).
	{UnusedGroup, "Temporary group of the 2019 Montreal reorganisation", nil},
}

func addGroups(env *artifacts.Environment) {
	for _, g := range groups {
		env.Groups = append(env.Groups, artifacts.Group{Group: g.name, Description: g.description})
		for _, p := range g.parents {
			env.GroupsInGroups = append(env.GroupsInGroups, artifacts.GroupInGroup{Group: g.name, ParentGroup: p})
		}
	}
}

func addExclusionGroups(env *artifacts.Environment) {
	env.ExGroup = []artifacts.ExGroup{
		{ExGroup: HoustonModExceptContractors, Description: "Houston_Mod members except contractors; posts Houston adjustments"},
		{ExGroup: "Corporate Readers Except Auditors", Description: "GolfStream_View members except the external auditors; forecast working views"},
	}
	// Entries apply in ProcessingOrder; the last matching one decides.
	env.GroupsInExGroups = []artifacts.GroupInExGroup{
		{Group: "Houston_Mod", ExGroup: HoustonModExceptContractors, ProcessingOrder: 0, AllowAccess: true},
		{Group: "GolfStream_View", ExGroup: "Corporate Readers Except Auditors", ProcessingOrder: 0, AllowAccess: true},
		{Group: "External Auditors", ExGroup: "Corporate Readers Except Auditors", ProcessingOrder: 1, AllowAccess: false},
	}
	env.UsersInExGroups = []artifacts.UserInExGroup{
		{User: Contractor, ExGroup: HoustonModExceptContractors, ProcessingOrder: 1, AllowAccess: false},
	}
}

// addRoles distributes some roles to administrative groups; Normalize
// gives every other role to Administrators.
func addRoles(env *artifacts.Environment) {
	app := []struct {
		group string
		roles []string
	}{
		{"Metadata Admins", []string{"ManageMetadata", "DimensionLibraryPage", "CubeAdminPage"}},
		{"Workflow Admins", []string{"ManageWorkflowProfiles", "WorkflowProfilesPage", "ManageWorkflowChannels", "WorkflowChannelsPage"}},
		{"Dashboard Designers", []string{"ManageApplicationDashboards", "DashboardAdminPage", "ManageCubeViews", "CubeViewsPage"}},
		{"Corporate Finance", []string{"CertifyAndLockDescendants", "UnlockAndUncertifyAncestors", "UnlockWorkflowUnit", "ManageFXRates", "FxRatesPage", "LockFXRates", "UnlockFXRates"}},
		{"Security Admins", []string{"ApplicationSecurityRolesPage"}},
		// weak spot: the group holding the third-party account (SM-004).
		{RoleGroupOfThirdParty, []string{"DataSourcesPage", "ManageDataSources", "TransformationRulesPage", "ManageTransformationRules"}},
	}
	for _, a := range app {
		for _, r := range a.roles {
			env.AppRoles = append(env.AppRoles, artifacts.AppRole{AppRole: r, GroupName: a.group})
		}
	}
	for _, r := range []string{"ManageSystemSecurityUsers", "ManageSystemSecurityGroups", "SecurityAdminPage", "LogonActivityPage"} {
		env.SystemRoles = append(env.SystemRoles, artifacts.SystemRole{SystemRole: r, GroupName: "Security Admins"})
	}
}

func addWorkflow(env *artifacts.Environment) {
	wf := func(profile, access, exec, certify string) {
		env.Workflow = append(env.Workflow, artifacts.WorkflowProfile{
			Profile: profile, AccessGroup: access, MaintenanceGroup: "Workflow Admins",
			ExecGroup_Default: exec, CertifyGroup_Default: certify,
		})
	}
	for _, p := range []string{"Houston", "Houston.Import", "Houston.Forms", "Houston Actual", "Houston Actual.Import"} {
		wf(p, "Houston Team", "Houston_Mod", "Houston Controllers")
	}
	for _, p := range []string{"Houston.Adj", "Houston Actual.Adj"} {
		wf(p, "Houston Team", HoustonModExceptContractors, "Houston Controllers")
	}
	for _, site := range []string{"Carlsbad", "Augusta", "Birmingham"} {
		for _, p := range []string{site, site + ".Import", site + ".Forms"} {
			wf(p, site+"_View", site+"_Mod", "Corporate Finance")
		}
	}
	for _, p := range []string{"Frankfurt", "Frankfurt.Import", "Frankfurt.Forms"} {
		wf(p, "Frankfurt_View", "Frankfurt Controllers", "Frankfurt Controllers")
	}
	wf("Montreal", "Canada Finance", "Montreal_Mod", "Canada Finance")
	wf("Montreal.Import", "Canada Finance", "Montreal_Mod", "Canada Finance")
	wf("Montreal.Forms", "Canada Finance", artifacts.Nobody, artifacts.Nobody) // retired: forms moved to Houston Actual
	wf("Corporate", "Corporate Finance", "Corporate Finance", "Corporate Finance")
	wf("Corporate.Adj", "Corporate Finance", "Corporate Finance", "Corporate Finance")
}

func addCubes(env *artifacts.Environment) {
	env.Cube = []artifacts.Cube{
		{Cube: "GolfStream", AccessGroup: "GolfStream Users", MaintenanceGroup: "Metadata Admins"},
		{Cube: "GolfStreamDrivers", AccessGroup: "Budget Preparers", MaintenanceGroup: "Metadata Admins"},
		{Cube: "HoustonPlan", AccessGroup: "Houston Team", MaintenanceGroup: "Metadata Admins"},
	}
	// Slice rules. Case columns: in the group and in the filter, in the
	// group but not in the filter, not in the group but in the filter.
	type caseRule struct{ behavior, level string }
	skip := caseRule{"Skip Item And Continue", "No Access"}
	// rule completes r, which holds the rule's member filters.
	rule := func(cube, typ string, order int, desc, group string, in, inNot, notIn caseRule, r artifacts.SliceRule) {
		r.Cube, r.Type, r.ProcessingOrder, r.Description, r.AccessGroup = cube, typ, order, desc, group
		r.BehaviorInGrpInFilter, r.AccessLevelInGrpInFilter = in.behavior, in.level
		r.BehaviorInGrpNotInFilter, r.AccessLevelInGrpNotInFilter = inNot.behavior, inNot.level
		r.BehaviorNotInGrpInFilter, r.AccessLevelNotInGrpInFilter = notIn.behavior, notIn.level
		env.CubeDataCellAccess = append(env.CubeDataCellAccess, r)
	}
	const (
		cellAccess  = "Data Cell Access Security"
		conditional = "Data Cell Conditional Input"
		dataMgmt    = "Data Management Access Security"
	)
	rule("GolfStream", cellAccess, 0, "Houston team: full access to Houston income statement detail", "Houston Team",
		caseRule{"Apply Access And Continue", "All Access"}, skip, caseRule{"Decrease Access And Continue", "Read Only"},
		artifacts.SliceRule{EntityMemberFilter: "E#Houston.Base", AccountMemberFilter: "A#IncomeStatement.Base"})
	rule("GolfStream", cellAccess, 1, "Budget preparers: product detail in Budget and Forecast", "Budget Preparers",
		caseRule{"Increase Access And Continue", "All Access"}, skip, skip,
		artifacts.SliceRule{ScenarioMemberFilter: "S#Budget, S#Forecast", UD1MemberFilter: "U1#Top.Base"})
	rule("GolfStream", cellAccess, 2, "Contractors never see payroll", "Contractors",
		caseRule{"Decrease Access And Stop", "No Access"}, skip, skip,
		artifacts.SliceRule{AccountMemberFilter: "A#Salaries.Base, A#Benefits.Base", UD2MemberFilter: "U2#Payroll.Base"})
	rule("GolfStream", conditional, 0, "Actuals are loaded, not typed: no input to Import origin", artifacts.Everyone,
		caseRule{"Decrease Access And Continue", "Read Only"}, skip, caseRule{"Decrease Access And Continue", "Read Only"},
		artifacts.SliceRule{ScenarioMemberFilter: "S#Actual", OriginMemberFilter: "O#Import"})
	rule("GolfStream", conditional, 1, "Closed periods of the prior year are read only", "Corporate Finance",
		caseRule{"Skip Item And Continue", "All Access"}, skip, caseRule{"Decrease Access And Stop", "Read Only"},
		artifacts.SliceRule{TimeMemberFilter: "T#2024.Base", FlowMemberFilter: "F#EndBal.Base", ConsMemberFilter: "C#Local"})
	rule("GolfStream", dataMgmt, 0, "Corporate Finance runs data management on every entity", "Corporate Finance",
		caseRule{"Increase Access And Stop", "All Access"}, skip, caseRule{"Apply Access And Continue", "No Access"},
		artifacts.SliceRule{EntityMemberFilter: "E#GolfStream.Base", ViewMemberFilter: "V#YTD, V#Periodic"})
	rule("HoustonPlan", cellAccess, 0, "Houston writers plan Houston products by channel", "Houston_Mod",
		caseRule{"Apply Access And Continue", "All Access"}, caseRule{"Skip Item And Continue", "Read Only"}, skip,
		artifacts.SliceRule{EntityMemberFilter: "E#Houston.Base", ScenarioMemberFilter: "S#Budget", UD1MemberFilter: "U1#Top.Base",
			UD3MemberFilter: "U3#AllChannels.Base", ICMemberFilter: "I#None", ParentMemberFilter: "E#Houston"})
	rule("GolfStreamDrivers", dataMgmt, 0, "Budget preparers seed driver data", "Budget Preparers",
		caseRule{"Increase Access And Continue", "All Access"}, skip, skip,
		artifacts.SliceRule{AccountMemberFilter: "A#Drivers.Base", UD4MemberFilter: "U4#None"})
}

func addEntitiesAndScenarios(env *artifacts.Environment) {
	entity := func(name, read, read2, rw, rw2 string, sliced bool) {
		env.Entity = append(env.Entity, artifacts.Entity{
			Entity: name, ReadGroup: read, ReadGroup2: read2, ReadWriteGroup: rw, ReadWriteGroup2: rw2, UseCubeDataAccess: sliced,
		})
	}
	const nobody = artifacts.Nobody
	entity("GolfStream", "GolfStream_View", "BI Readers", "GolfStream_Mod", nobody, false)
	entity("Corporate", "GolfStream_View", nobody, "GolfStream_Mod", nobody, false)
	entity("Houston", "Houston_View", "BI Readers", "Houston_Mod", "Documentation LegalA", true)
	entity("Houston Heights", "Houston_View", nobody, "Houston_Mod", nobody, true)
	entity("South Houston", "Houston_View", nobody, "Houston_Mod", nobody, true)
	entity("Carlsbad", "Carlsbad_View", "Documentation LegalB", "Carlsbad_Mod", nobody, true)
	entity("Augusta", "Augusta_View", nobody, "Augusta_Mod", nobody, false)
	// Two entities break the _View/_Mod naming convention (SM-010, info).
	entity("Montreal", "Canada Finance", nobody, "Montreal_Mod", nobody, false)
	entity("Frankfurt", "Frankfurt_View", "Documentation LegalC", "Frankfurt Controllers", nobody, false)
	entity("Birmingham", "Birmingham_View", nobody, "Birmingham_Mod", nobody, true)

	env.Scenario = []artifacts.Scenario{
		{Scenario: "Actual", ReadGroup: artifacts.Everyone, ReadWriteGroup: "GolfStream Users", CalculateFromGridsGroup: "GolfStream Users", ManageDataGroup: "Corporate Finance"},
		{Scenario: "Budget", ReadGroup: "GolfStream Users", ReadWriteGroup: "GolfStream Users", CalculateFromGridsGroup: "Budget Preparers", ManageDataGroup: "Corporate Finance"},
		{Scenario: "BudgetV1", ReadGroup: "GolfStream_View", ReadWriteGroup: nobody, CalculateFromGridsGroup: nobody, ManageDataGroup: "Corporate Finance"},
		{Scenario: "Forecast", ReadGroup: "GolfStream Users", ReadWriteGroup: "GolfStream Users", CalculateFromGridsGroup: "Budget Preparers", ManageDataGroup: "Corporate Finance"},
	}
}

func addDimensions(env *artifacts.Environment) {
	for _, d := range []struct{ name, access string }{
		{"CorpEntities", "GolfStream Users"},
		{"CorpAccounts", "GolfStream Users"},
		{"GolfStreamFlows", artifacts.Everyone},
		{"GolfStreamScenarios", "GolfStream Users"},
		{"Products", "GolfStream Users"},
		{"CostCenters", "GolfStream Users"},
		{"Channels", "GolfStream Users"},
		{"DriverAccounts", "Budget Preparers"},
		{"HoustonEntities", "Houston Team"},
	} {
		env.Dimensions = append(env.Dimensions, artifacts.Dimension{Dimension: d.name, AccessGroup: d.access, MaintenanceGroup: "Metadata Admins"})
	}
	env.DisplayMembers = []artifacts.DisplayMember{
		{Dimension: "E", Member: "Houston", DisplayMemberGroup: "Houston_View"},
		{Dimension: "E", Member: "Montreal", DisplayMemberGroup: "Canada Finance"},
		{Dimension: "E", Member: "Frankfurt", DisplayMemberGroup: "Frankfurt_View"},
		{Dimension: "A", Member: "NetIncome", DisplayMemberGroup: artifacts.Everyone},
		{Dimension: "A", Member: "Salaries", DisplayMemberGroup: "Corporate Finance"},
		{Dimension: "F", Member: "EndBal", DisplayMemberGroup: artifacts.Everyone},
		{Dimension: "U1", Member: "Drivers", DisplayMemberGroup: "GolfStream Users"},
		{Dimension: "U1", Member: "Golf Balls", DisplayMemberGroup: "GolfStream Users"},
		{Dimension: "U2", Member: "Executive Office", DisplayMemberGroup: "Executives"},
		{Dimension: "U3", Member: "Online", DisplayMemberGroup: "GolfStream_View"},
	}
}

func addCubeViews(env *artifacts.Environment) {
	const designers = "Dashboard Designers"
	env.CubeViewGroups = []artifacts.CubeViewGroup{
		{CVGroup: "Data Entry", AccessGroup: "GolfStream Users", MaintenanceGroup: designers},
		{CVGroup: "Reports", AccessGroup: "GolfStream Users", MaintenanceGroup: designers},
		{CVGroup: "Houston Forms", AccessGroup: "Houston Team", MaintenanceGroup: designers},
		{CVGroup: "Executive Reporting", AccessGroup: "Executives", MaintenanceGroup: designers},
		{CVGroup: "Forecast Working", AccessGroup: "Corporate Readers Except Auditors", MaintenanceGroup: designers},
		{CVGroup: "Legal Entity Review", AccessGroup: "Documentation AllOrgs", MaintenanceGroup: designers},
	}
	env.CubeViewProfiles = []artifacts.CubeViewProfile{
		{CVProfile: "Data Entry", UIVisibility: "WorkflowExcelOnePlace", AccessGroup: "GolfStream Users", MaintenanceGroup: designers},
		{CVProfile: "Houston Workflow", UIVisibility: "Workflow", AccessGroup: "Houston Team", MaintenanceGroup: designers},
		{CVProfile: "Management Reports", UIVisibility: "Always", AccessGroup: "GolfStream Users", MaintenanceGroup: designers},
		{CVProfile: "Dashboard Views", UIVisibility: "FormsDashboards", AccessGroup: "Executives", MaintenanceGroup: designers},
		{CVProfile: "Excel Analysis", UIVisibility: "ExcelOnePlace", AccessGroup: "Corporate Finance", MaintenanceGroup: designers},
		{CVProfile: "Archived 2022", UIVisibility: "Never", AccessGroup: artifacts.Nobody, MaintenanceGroup: designers},
	}
}

func addDashboards(env *artifacts.Environment) {
	const designers = "Dashboard Designers"
	env.DashboardMaintenanceUnits = []artifacts.DashboardMaintenanceUnit{
		{DMMaintenanceUnit: "FinancialReview", AccessGroup: "Executives", MaintenanceGroup: designers},
		{DMMaintenanceUnit: "Houston Dashboards", AccessGroup: "Houston Team", MaintenanceGroup: designers},
		{DMMaintenanceUnit: "Security Audit", AccessGroup: "Security Admins", MaintenanceGroup: "Security Admins"},
		// weak spot: anyone may change these dashboards (OS-BP-PS-DB-001).
		{DMMaintenanceUnit: EveryoneMaintains, AccessGroup: "GolfStream Users", MaintenanceGroup: artifacts.Everyone},
	}
	env.DashboardGroups = []artifacts.DashboardGroup{
		{DBGroup: "FinancialReview Main", AccessGroup: "Executives"},
		{DBGroup: "FinancialReview Details", AccessGroup: "Corporate Finance"},
		{DBGroup: "Houston KPIs", AccessGroup: "Houston Team"},
		{DBGroup: "Sandbox Dashboards", AccessGroup: "GolfStream Users"},
		{DBGroup: "Power BI Extracts", AccessGroup: "BI Readers"},
	}
	env.DashboardProfiles = []artifacts.DashboardProfile{
		{DBProfile: "FinancialReview", UIVisibility: "OnePlace", AccessGroup: "Executives", MaintenanceGroup: designers},
		{DBProfile: "Houston Workflow Dashboards", UIVisibility: "Workflow", AccessGroup: "Houston Team", MaintenanceGroup: designers},
		{DBProfile: "Sandbox", UIVisibility: "Always", AccessGroup: "GolfStream Users", MaintenanceGroup: designers},
		{DBProfile: "Retired Dashboards", UIVisibility: "Never", AccessGroup: artifacts.Nobody, MaintenanceGroup: designers},
	}
}

func addTransformationRules(env *artifacts.Environment) {
	for _, r := range []struct{ name, access string }{
		{"BudgetV1_Accounts", "Budget Preparers"},
		{"BudgetV1_Entities", "Budget Preparers"},
		{"BudgetV1_Flows", "Budget Preparers"},
		{"BudgetV1_Products", "Budget Preparers"},
		{"Houston_GL_Accounts", "Houston Team"},
		{"Frankfurt_SAP_Accounts", "Frankfurt_View"},
	} {
		env.XformRules = append(env.XformRules, artifacts.XformRule{XformRule: r.name, AccessGroup: r.access, MaintenanceGroup: RoleGroupOfThirdParty})
	}
	env.XformProfiles = []artifacts.XformProfile{
		{XformProfile: "BudgetV1", AccessGroup: "Budget Preparers", MaintenanceGroup: RoleGroupOfThirdParty},
		{XformProfile: "Houston Actual", AccessGroup: "Houston Team", MaintenanceGroup: RoleGroupOfThirdParty},
		{XformProfile: "Frankfurt SAP", AccessGroup: "Frankfurt_View", MaintenanceGroup: RoleGroupOfThirdParty},
	}
}
