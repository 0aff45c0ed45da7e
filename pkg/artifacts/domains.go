package artifacts

import "slices"

// Built-in groups. They always exist and can be neither renamed nor removed.
const (
	Everyone       = "Everyone"
	Administrators = "Administrators"
	Nobody         = "Nobody"
)

// builtinGroups lists the built-in groups with the description each is
// created with; BuiltinGroups hands out copies.
var builtinGroups = [...]Group{
	{Group: Administrators, Description: "Administrators of the application: can do everything"},
	{Group: Everyone, Description: "Every user"},
	{Group: Nobody, Description: "No user"},
}

// BuiltinGroups returns the built-in groups, each with the description it
// is created with. The slice is the caller's.
func BuiltinGroups() []Group { return slices.Clone(builtinGroups[:]) }

// IsBuiltinGroup reports whether name is a built-in group, in any casing.
func IsBuiltinGroup(name string) bool {
	f := Fold(name)
	return f == "everyone" || f == "administrators" || f == "nobody"
}

// ApplicationRoles lists every application role (AppRoles tab).
var ApplicationRoles = []string{
	"AdministerApplication", "AdministerDatabase",
	"ApplicationLoadExtractPage", "ApplicationPropertiesPage",
	"ApplicationSecurityRolesPage", "BookAdminPage", "BusinessRulesPage",
	"CertificationQuestionsPage", "CertifyAndLockDescendants", "ClientUpdaterPage",
	"ConfirmationRulesPage", "CreateAuditAttachments", "CreateFootnoteAttachments",
	"CubeAdminPage", "CubeViewsPage", "DashboardAdminPage", "DataManagementAdminPage",
	"DataSourcesPage", "DimensionLibraryPage", "EncryptBusinessRules",
	"FormTemplatesPage", "FxRatesPage", "JournalTemplatesPage", "LockFXRates",
	"ManageApplicationDashboards", "ManageApplicationDatabaseFiles",
	"ManageApplicationProperties", "ManageCertificationQuestions",
	"ManageConfirmationRules", "ManageCubeViews", "ManageData", "ManageDataSources",
	"ManageFormTemplates", "ManageFXRates", "ManageJournalTemplates", "ManageMetadata",
	"ManageTaskScheduler", "ManageTransformationRules", "ManageWorkflowChannels",
	"ManageWorkflowProfiles", "ModifyData", "OnePlacePane", "OpenApplication",
	"PreserveImportData", "RestoreImportData", "SpreadsheetPage", "TaskScheduler",
	"TaskSchedulerPage", "TextEditor", "TimeDimProfilesPage", "TransformationRulesPage",
	"UnlockAndUncertifyAncestors", "UnlockFXRates", "UnlockWorkflowUnit", "ViewAllData",
	"ViewSourceDataAudit", "WorkflowChannelsPage", "WorkflowProfilesPage",
}

// SystemRoles lists every system role (SystemRoles tab).
var SystemRoleNames = []string{
	"AccessFileShareContents", "ApplicationAdminPage", "DatabasePage",
	"EncryptSystemBusinessRules", "EnvironmentPage", "ErrorLogPage", "FileExplorerPage",
	"LogonActivityPage", "ManageFileShare", "ManageFileShareContents",
	"ManageSystemDashboards", "ManageSystemDatabaseFiles",
	"ManageSystemSecurityGroups", "ManageSystemSecurityRoles",
	"ManageSystemSecurityUsers", "RetrieveFileShareContents", "SecurityAdminPage",
	"SystemAdministrationLogon", "SystemBusinessRulesPage", "SystemDashboardAdminPage",
	"SystemLoadExtractPage", "SystemPane", "TaskActivityPage", "TimeDimensionsPage",
	"ViewAllErrorLog", "ViewAllLogonActivity", "ViewAllTaskActivity",
}

// Value domains of the enumerated columns, in the casing exports write.
var (
	UserTypes = []string{"Interactive", "View", "Restricted", "Third Party Access", "Financial Close"}
	// Cultures are the cultures secmgr knows; others are kept with a warning.
	Cultures                = []string{"en-US", "fr-FR"}
	Booleans                = []string{"True", "False"}
	SliceRuleTypes          = []string{"Data Cell Access Security", "Data Cell Conditional Input", "Data Management Access Security"}
	SliceBehaviors          = []string{"Skip Item And Continue", "Skip Item And Stop", "Apply Access And Continue", "Increase Access And Continue", "Increase Access And Stop", "Decrease Access And Continue", "Decrease Access And Stop"}
	AccessLevels            = []string{"No Access", "Read Only", "All Access"}
	DashboardUIVisibilities = []string{"Never", "Always", "OnePlace", "Workflow"}
	// CubeViewUIParts are the parts a CubeViewProfiles UIVisibility combines,
	// in the order they are written.
	CubeViewUIParts = []string{"Workflow", "Forms", "Excel", "Dashboards", "OnePlace"}
	// DimensionTypes are the dimension types of DisplayMembers rows: every
	// OneStream dimension type but Scenario.
	DimensionTypes = []string{"E", "C", "T", "V", "A", "F", "O", "I", "U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8"}
	// NumGridRowsValues are the allowed NumGridRows values.
	NumGridRowsValues = func() []string {
		var v []string
		for n := 10; n <= 90; n += 10 {
			v = append(v, itoa(n))
		}
		for n := 100; n <= 1000; n += 100 {
			v = append(v, itoa(n))
		}
		return v
	}()
	// ActionTypes are the ActionType values import understands.
	ActionTypes = []string{ActionRename, ActionRemove}
)

// ActionType values.
const (
	ActionRename = "Rename"
	ActionRemove = "Remove"
)

// DefaultNumGridRows is the NumGridRows a new user gets when none is given.
const DefaultNumGridRows = 30

// MaxNameLength is the longest name allowed.
const MaxNameLength = 100
