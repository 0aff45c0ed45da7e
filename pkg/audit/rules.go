package audit

import (
	"fmt"
	"slices"
	"strings"

	"secmgr/internal/textfmt"
	"secmgr/pkg/access"
	"secmgr/pkg/artifacts"
)

// MaxAdministrators is the most enabled administrators OS-BP-PS-AM-001
// accepts.
const MaxAdministrators = 5

// checker holds what several rules need, computed once.
type checker struct {
	env *artifacts.Environment
	ix  *access.Index
	// everyoneLike holds, folded, Everyone and every group Everyone is
	// nested in: setting any of them grants every user.
	everyoneLike map[string]bool
	notChecked   []NotChecked
	idp          *IdPAccounts         // SM-013's data, when given
	exEntries    map[string][]exEntry // folded exclusion group → its entries (exGroups)
}

func newChecker(env *artifacts.Environment, ix *access.Index) *checker {
	c := &checker{env: env, ix: ix, everyoneLike: map[string]bool{artifacts.Fold(artifacts.Everyone): true}}
	for _, g := range ix.Ancestors(artifacts.Everyone) {
		c.everyoneLike[artifacts.Fold(g)] = true
	}
	return c
}

// everyone says whether group grants every user, and names it for a
// message: "Everyone", or "All Staff (which holds Everyone)".
func (c *checker) everyone(group string) (string, bool) {
	if !c.everyoneLike[artifacts.Fold(group)] {
		return "", false
	}
	if artifacts.Fold(group) == artifacts.Fold(artifacts.Everyone) {
		return artifacts.Everyone, true
	}
	return group + " (which holds Everyone)", true
}

func isAdministrators(group string) bool {
	return artifacts.Fold(group) == artifacts.Fold(artifacts.Administrators)
}

// list joins names for a message, cutting long lists short.
func list(names []string) string {
	const most = 10
	if len(names) > most {
		return strings.Join(names[:most], ", ") + fmt.Sprintf(" and %d more", len(names)-most)
	}
	return strings.Join(names, ", ")
}

// userOf returns the Users row of name.
func (c *checker) userOf(name string) *artifacts.User {
	if i, ok := artifacts.TabUsers.Tab().Find(c.env, name); ok {
		return &c.env.Users[i]
	}
	return nil
}

// sensitiveRole reports whether a role administers, manages, unlocks,
// encrypts or views everything (SM-001).
func sensitiveRole(role string) bool {
	switch role {
	case "AdministerApplication", "AdministerDatabase", "SystemAdministrationLogon", "ViewAllData":
		return true
	}
	return strings.HasPrefix(role, "Manage") || strings.HasPrefix(role, "Unlock") ||
		strings.HasPrefix(role, "Encrypt") || strings.HasSuffix(role, "AdminPage") ||
		strings.HasPrefix(role, "ViewAll")
}

// maintenanceTabs are the artifact tabs with a MaintenanceGroup.
var maintenanceTabs = []artifacts.TabID{
	artifacts.TabWorkflow, artifacts.TabCube, artifacts.TabDimensions, artifacts.TabCubeViewGroups,
	artifacts.TabCubeViewProfiles, artifacts.TabDashboardMaintenanceUnits, artifacts.TabDashboardProfiles,
	artifacts.TabXformRules, artifacts.TabXformProfiles,
}

var unchecked = []NotChecked{
	{Rule: "OS-BP-PS-AN-004", Title: "inactive user accounts are disabled",
		Reason: "the environment holds no last logon time; check Logon Activity in OneStream (System > Logon Activity) for users who have not logged on recently"},
	{Rule: "OS-BP-PS-AA-003", Title: "user access is reviewed periodically",
		Reason: "a review is a process, not a setting; keep a record of each review (the access-review workbook of 'secmgr review')"},
	{Rule: "OS-BP-PS-AA-004", Title: "access reviews lead to changes",
		Reason: "a review is a process, not a setting; import the reviewed workbook so that every access marked Remove is removed"},
}

var catalogue = []Rule{
	{
		ID: "OS-BP-PS-AM-001", Severity: High,
		Title:  "Administrators has more than five enabled users",
		Detail: "Members of Administrators can do everything in the application. The Secure Configuration Guide limits them to a few named people.",
		Remedy: "Keep at most five enabled users in Administrators (directly or through nested groups); give everyone else the roles and groups their work needs.",
		check:  checkAdministratorCount,
	},
	{
		ID: "OS-BP-PS-AM-002", Severity: Low,
		Title:  "application management is not distributed through roles",
		Detail: "Every application role is still held by Administrators, so whoever manages anything in the application must be an administrator.",
		Remedy: "Give each application role (ManageMetadata, ManageWorkflowProfiles, ManageCubeViews …) to a group of the people who do that work, and keep Administrators small.",
		check:  checkRolesOnlyAdministrators,
	},
	{
		ID: "OS-BP-PS-AM-003", Severity: Low,
		Title:  "security administration is not separated",
		Detail: "ManageSystemSecurityUsers, ManageSystemSecurityGroups and ManageSystemSecurityRoles are all held by Administrators: the people who run the application also grant access to it.",
		Remedy: "Give the ManageSystemSecurity… roles to a separate security administration group.",
		check:  checkSecurityAdministration,
	},
	{
		ID: "OS-BP-PS-AN-002", Severity: Medium,
		Title:  "enabled users are authenticated natively",
		Detail: "A native user logs on with a OneStream password rather than through the organisation's identity provider, so it escapes single sign-on, multi-factor authentication and central deprovisioning. A native administrator is the worst case.",
		Remedy: "Authenticate users through the external identity provider (set ExternalAuthProviderName and ExternalUserName); keep a native administrator only as a documented break-glass account, disabled when not in use.",
		check:  checkNativeUsers,
	},
	{
		ID: "OS-BP-PS-DB-001", Severity: Medium,
		Title:  "an artifact can be maintained by everyone",
		Detail: "The MaintenanceGroup of an artifact may change it (a dashboard, cube view, workflow profile, transformation rule …). Everyone lets every user do so.",
		Remedy: "Set the MaintenanceGroup to the group of the people who build and maintain the artifact.",
		check:  everyoneIn(maintenanceTabs, []string{"MaintenanceGroup"}, ": every user may change it."),
	},
	{
		ID: "SM-001", Severity: High,
		Title:  "everyone holds a powerful role",
		Detail: "Roles that administer, manage, unlock, encrypt or view everything (AdministerApplication, AdministerDatabase, Manage…, Unlock…, Encrypt…, …AdminPage, SystemAdministrationLogon, ViewAll…) held by Everyone give them to every user.",
		Remedy: "Give the role to the group of the people who need it.",
		check:  checkEveryonePowerfulRole,
	},
	{
		ID: "SM-002", Severity: High,
		Title:  "everyone may write data",
		Detail: "An entity or scenario whose ReadWriteGroup (or ReadWriteGroup2) is Everyone lets every user change its data.",
		Remedy: "Set the read-write group to the group of the people who enter data there (by convention one ending in _Mod).",
		check:  everyoneIn([]artifacts.TabID{artifacts.TabEntity, artifacts.TabScenario}, []string{"ReadWriteGroup", "ReadWriteGroup2"}, ": every user may write its data."),
	},
	{
		ID: "SM-003", Severity: Medium,
		Title:  "everyone may execute or certify a workflow",
		Detail: "A workflow profile whose ExecGroup_Default or CertifyGroup_Default is Everyone lets every user load, process or sign off its data.",
		Remedy: "Set the execution and certification groups to the people responsible for the workflow.",
		check:  everyoneIn([]artifacts.TabID{artifacts.TabWorkflow}, []string{"ExecGroup_Default", "CertifyGroup_Default"}, "."),
	},
	{
		ID: "SM-004", Severity: High,
		Title:  "a Third Party Access user holds roles",
		Detail: "Third Party Access accounts are for integrations and tools; an administrator or role holder among them is a powerful account without a person behind it.",
		Remedy: "Take the account out of Administrators and of the groups that hold roles; give it only the data access the integration needs.",
		check:  checkThirdPartyRoles,
	},
	{
		ID: "SM-005", Severity: Medium,
		Title:  "a disabled user still holds administration or roles",
		Detail: "A disabled user listed directly in Administrators, or in a group that holds a role, gets them back the moment someone enables the account.",
		Remedy: "Remove the disabled user from Administrators and from the groups that hold roles (UsersInGroups, ActionType Remove).",
		check:  checkDisabledHolders,
	},
	{
		ID: "SM-006", Severity: Low,
		Title:  "a group holds no one and is used nowhere",
		Detail: "A group with no members that no role, artifact, exclusion group or slice rule refers to does nothing but clutter the security model.",
		Remedy: "Remove the group (Groups, ActionType Remove), or put it to use.",
		check:  checkUnusedGroups,
	},
	{
		ID: "SM-007", Severity: Low,
		Title:  "an enabled user is in no group",
		Detail: "An enabled user that belongs to no group (other than Everyone) has an account but no defined access: it is either left over or waiting for access nobody recorded.",
		Remedy: "Disable or remove the user, or add it to the groups its work needs.",
		check:  checkUsersWithoutGroups,
	},
	{
		ID: "SM-008", Severity: Medium,
		Title:  "exclusion-group entries share a ProcessingOrder",
		Detail: "The last matching entry of an exclusion group decides; two entries with the same ProcessingOrder leave the outcome to chance.",
		Remedy: "Give every entry of the exclusion group its own ProcessingOrder, in the order they should apply.",
		check:  checkSharedProcessingOrders,
	},
	{
		ID: "SM-009", Severity: Low,
		Title:  "slice rules that apply to no entity",
		Detail: "Slice rules (CubeDataCellAccess) apply only to entities with UseCubeDataAccess = True; without any, the rules are dead configuration and the access they were meant to give or take is not in force.",
		Remedy: "Set UseCubeDataAccess = True on the entities the rules are meant for, or remove the rules.",
		check:  checkDeadSliceRules,
	},
	{
		ID: "SM-011", Severity: Medium,
		Title:  "exclusion-group entries that never decide",
		Detail: "The last matching entry of an exclusion group decides. An entry every one of whose users is matched again by a later entry decides for no one: a deny that a later allow undoes gives the access the deny was meant to take away, and a reorder of entries can let people in without any entry changing.",
		Remedy: "Give the entry a ProcessingOrder after the entries that override it, or remove it; then check the result with secmgr explain --user.",
		check:  checkUndecidingEntries,
	},
	{
		ID: "SM-012", Severity: Medium,
		Title:  "duplicate slice rules at different ProcessingOrders",
		Detail: "Two slice rules of one cube and type with the same group, behaviours, access levels and member filters are one rule twice; the copy is usually what an edited ProcessingOrder left behind, and it makes the order of the rules hard to reason about.",
		Remedy: "Remove the copies and keep the rule at the ProcessingOrder it should have (in a workbook: Remove on the copy's row, or Rename with the new order to move a rule).",
		check:  checkDuplicateSliceRules,
	},
	idpRule,
	{
		ID: "SM-010", Severity: Info,
		Title:  "entity security groups do not follow the naming convention",
		Detail: "The OneStream security best practices name an entity's read group …_View and its read-write group …_Mod, so that a group's name says what it grants.",
		Remedy: "Use (or create) groups named <entity>_View and <entity>_Mod for entity ReadGroup and ReadWriteGroup.",
		check:  checkEntityGroupNames,
	},
}

// everyoneIn returns the check of a rule that flags the rows of tabs whose
// group columns cols (those of them the tab has) name a group that grants
// every user: one finding a row, "<artifact> <key> has <columns> <group>"
// and then tail.
func everyoneIn(tabs []artifacts.TabID, cols []string, tail string) func(c *checker, r *Rule) []Finding {
	return func(c *checker, r *Rule) []Finding {
		var out []Finding
		for _, id := range tabs {
			t := id.Tab()
			var present []string
			var at []int
			for _, name := range cols {
				if ci := t.Column(name); ci >= 0 {
					present, at = append(present, name), append(at, ci)
				}
			}
			for i := 0; i < t.Len(c.env); i++ {
				var hit []string
				var who string
				for j, ci := range at {
					if w, ok := c.everyone(t.Cell(c.env, i, ci)); ok {
						hit, who = append(hit, present[j]), w
					}
				}
				if hit != nil {
					key := t.KeyOf(c.env, i)
					out = append(out, r.finding(fmt.Sprintf("%s %s has %s %s%s", t.Artifact, strings.Join(key, " / "), strings.Join(hit, " and "), who, tail), ref(id, key...)))
				}
			}
		}
		return out
	}
}

// checkAdministratorCount is OS-BP-PS-AM-001.
func checkAdministratorCount(c *checker, r *Rule) []Finding {
	ga, err := c.ix.Group(artifacts.Administrators)
	if err != nil {
		return nil
	}
	var names []string
	arts := []ArtifactRef{ref(artifacts.TabGroups, ga.Group)}
	for _, m := range ga.Members {
		if u := c.userOf(m.User); u == nil || !u.IsEnabled {
			continue
		}
		how := "directly"
		if len(m.Path) > 2 {
			how = "through " + strings.Join(m.Path[1:len(m.Path)-1], " → ")
		}
		names = append(names, fmt.Sprintf("%s (%s)", m.User, how))
		arts = append(arts, ref(artifacts.TabUsers, m.User))
	}
	if len(names) <= MaxAdministrators {
		return nil
	}
	return []Finding{r.finding(fmt.Sprintf("Administrators has %d enabled users, more than %d: %s.", len(names), MaxAdministrators, list(names)), arts...)}
}

// checkRolesOnlyAdministrators is OS-BP-PS-AM-002.
func checkRolesOnlyAdministrators(c *checker, r *Rule) []Finding {
	if len(c.env.AppRoles) == 0 {
		return nil
	}
	for _, ar := range c.env.AppRoles {
		if !isAdministrators(ar.GroupName) {
			return nil
		}
	}
	return []Finding{r.finding(fmt.Sprintf("All %d application roles are held by Administrators.", len(c.env.AppRoles)), ref(artifacts.TabAppRoles))}
}

// checkSecurityAdministration is OS-BP-PS-AM-003.
func checkSecurityAdministration(c *checker, r *Rule) []Finding {
	roles := []string{"ManageSystemSecurityUsers", "ManageSystemSecurityGroups", "ManageSystemSecurityRoles"}
	var arts []ArtifactRef
	t := artifacts.TabSystemRoles.Tab()
	for _, role := range roles {
		i, ok := t.Find(c.env, role)
		if !ok || !isAdministrators(c.env.SystemRoles[i].GroupName) {
			return nil
		}
		arts = append(arts, ref(artifacts.TabSystemRoles, c.env.SystemRoles[i].SystemRole))
	}
	return []Finding{r.finding("ManageSystemSecurityUsers, ManageSystemSecurityGroups and ManageSystemSecurityRoles are all held by Administrators.", arts...)}
}

// checkNativeUsers is OS-BP-PS-AN-002.
func checkNativeUsers(c *checker, r *Rule) []Finding {
	var out []Finding
	var others []string
	var arts []ArtifactRef
	for _, u := range c.env.Users {
		if !u.IsEnabled || strings.TrimSpace(u.ExternalAuthProviderName) != "" {
			continue
		}
		if c.ix.IsMember(u.User, artifacts.Administrators) {
			f := r.finding(fmt.Sprintf("%s is an enabled native user and an administrator: it logs on with a OneStream password and can do everything.", u.User), ref(artifacts.TabUsers, u.User))
			f.Severity = High
			out = append(out, f)
			continue
		}
		others = append(others, u.User)
		arts = append(arts, ref(artifacts.TabUsers, u.User))
	}
	if len(others) > 0 {
		out = append(out, r.finding(fmt.Sprintf("%s authenticated natively, with no external authentication provider: %s.",
			textfmt.Plural(len(others), "enabled user is", "enabled users are"), list(others)), arts...))
	}
	return out
}

// checkEveryonePowerfulRole is SM-001.
func checkEveryonePowerfulRole(c *checker, r *Rule) []Finding {
	var out []Finding
	check := func(tab artifacts.TabID, role, group string) {
		if who, ok := c.everyone(group); ok && sensitiveRole(role) {
			out = append(out, r.finding(fmt.Sprintf("%s %s is held by %s: every user has it.", tab.Tab().Artifact, role, who), ref(tab, role)))
		}
	}
	for _, ar := range c.env.AppRoles {
		check(artifacts.TabAppRoles, ar.AppRole, ar.GroupName)
	}
	for _, sr := range c.env.SystemRoles {
		check(artifacts.TabSystemRoles, sr.SystemRole, sr.GroupName)
	}
	return out
}

// checkThirdPartyRoles is SM-004.
func checkThirdPartyRoles(c *checker, r *Rule) []Finding {
	var out []Finding
	for _, u := range c.env.Users {
		if !strings.EqualFold(u.UserType, "Third Party Access") {
			continue
		}
		admin := c.ix.IsMember(u.User, artifacts.Administrators)
		held, err := c.ix.RolesOf(u.User)
		if err != nil || (!admin && len(held) == 0) {
			continue
		}
		var what []string
		if admin {
			what = append(what, "is an administrator")
		}
		if len(held) > 0 {
			var roles []string
			for _, ro := range held {
				roles = append(roles, fmt.Sprintf("%s (through %s)", ro.Role, ro.Via))
			}
			what = append(what, "holds "+textfmt.Plural(len(roles), "role", "roles")+": "+list(roles))
		}
		out = append(out, r.finding(fmt.Sprintf("Third Party Access user %s %s.", u.User, strings.Join(what, " and ")), ref(artifacts.TabUsers, u.User)))
	}
	return out
}

// checkDisabledHolders is SM-005.
func checkDisabledHolders(c *checker, r *Rule) []Finding {
	holders := map[string][]string{} // folded group → roles it holds
	for _, ar := range c.env.AppRoles {
		holders[artifacts.Fold(ar.GroupName)] = append(holders[artifacts.Fold(ar.GroupName)], ar.AppRole)
	}
	for _, sr := range c.env.SystemRoles {
		holders[artifacts.Fold(sr.GroupName)] = append(holders[artifacts.Fold(sr.GroupName)], sr.SystemRole)
	}
	disabled := map[string]bool{}
	for _, u := range c.env.Users {
		if !u.IsEnabled {
			disabled[artifacts.Fold(u.User)] = true
		}
	}
	byUser := map[string][]string{}
	var order []string
	arts := map[string][]ArtifactRef{}
	for _, m := range c.env.UsersInGroups {
		if !disabled[artifacts.Fold(m.User)] || artifacts.Fold(m.ParentGroup) == artifacts.Fold(artifacts.Everyone) {
			continue
		}
		var why string
		if isAdministrators(m.ParentGroup) {
			why = "directly in Administrators"
		} else {
			var roles []string
			admin := false
			for _, g := range append([]string{m.ParentGroup}, c.ix.Ancestors(m.ParentGroup)...) {
				roles = append(roles, holders[artifacts.Fold(g)]...)
				admin = admin || isAdministrators(g)
			}
			switch {
			case admin:
				why = fmt.Sprintf("in %s, which is in Administrators", m.ParentGroup)
			case len(roles) > 0:
				slices.Sort(roles)
				why = fmt.Sprintf("in %s, which holds %s", m.ParentGroup, list(slices.Compact(roles)))
			default:
				continue
			}
		}
		k := artifacts.Fold(m.User)
		if byUser[k] == nil {
			order = append(order, m.User)
		}
		byUser[k] = append(byUser[k], why)
		arts[k] = append(arts[k], ref(artifacts.TabUsersInGroups, m.User, m.ParentGroup))
	}
	var out []Finding
	for _, u := range order {
		k := artifacts.Fold(u)
		out = append(out, r.finding(fmt.Sprintf("%s is disabled but still listed %s.", u, strings.Join(byUser[k], "; and ")),
			append([]ArtifactRef{ref(artifacts.TabUsers, u)}, arts[k]...)...))
	}
	return out
}

// checkUnusedGroups is SM-006.
func checkUnusedGroups(c *checker, r *Rule) []Finding {
	var out []Finding
	check := func(tab artifacts.TabID, name string) {
		if artifacts.IsBuiltinGroup(name) || c.ix.Used(name) || c.ix.HoldsAnyone(name) {
			return
		}
		out = append(out, r.finding(fmt.Sprintf("%s %s holds no one and is used nowhere.", tab.Tab().Artifact, name), ref(tab, name)))
	}
	for _, g := range c.env.Groups {
		if !c.ix.IsExclusionGroup(g.Group) {
			check(artifacts.TabGroups, g.Group)
		}
	}
	for _, x := range c.env.ExGroup {
		check(artifacts.TabExGroup, x.ExGroup)
	}
	return out
}

// checkUsersWithoutGroups is SM-007.
func checkUsersWithoutGroups(c *checker, r *Rule) []Finding {
	var out []Finding
	for _, u := range c.env.Users {
		if !u.IsEnabled {
			continue
		}
		groups, err := c.ix.GroupsOf(u.User)
		if err != nil || len(groups) > 1 || (len(groups) == 1 && groups[0] != artifacts.Everyone) {
			continue
		}
		out = append(out, r.finding(fmt.Sprintf("%s is enabled and in no group.", u.User), ref(artifacts.TabUsers, u.User)))
	}
	return out
}

// checkSharedProcessingOrders is SM-008: entries of one exclusion group
// at the same ProcessingOrder, users before groups as the environment
// lists them.
func checkSharedProcessingOrders(c *checker, r *Rule) []Finding {
	var out []Finding
	for x, es := range c.exGroups() {
		arts := []ArtifactRef{ref(artifacts.TabExGroup, x)}
		var parts []string
		for i := 0; i < len(es); {
			j := i + 1
			for j < len(es) && es[j].order == es[i].order {
				j++
			}
			if j-i > 1 {
				var names []string
				for _, e := range es[i:j] {
					names = append(names, e.what)
					arts = append(arts, e.ref)
				}
				parts = append(parts, fmt.Sprintf("order %d is shared by %s", es[i].order, strings.Join(names, " and ")))
			}
			i = j
		}
		if parts != nil {
			out = append(out, r.finding(fmt.Sprintf("exclusion group %s: %s.", x, strings.Join(parts, "; ")), arts...))
		}
	}
	return out
}

// checkDeadSliceRules is SM-009.
func checkDeadSliceRules(c *checker, r *Rule) []Finding {
	if len(c.env.CubeDataCellAccess) == 0 {
		return nil
	}
	if len(c.env.Entity) == 0 {
		c.notChecked = append(c.notChecked, NotChecked{Rule: r.ID, Title: r.Title, Reason: "the environment holds no entities"})
		return nil
	}
	if slices.ContainsFunc(c.env.Entity, func(e artifacts.Entity) bool { return e.UseCubeDataAccess }) {
		return nil
	}
	// The environment does not say which entities belong to which
	// cube; no entity at all uses cube data access, so no cube's do.
	var out []Finding
	var cube string
	var arts []ArtifactRef
	n := 0
	flush := func() {
		if n > 0 {
			out = append(out, r.finding(fmt.Sprintf("cube %s has %s, but no entity has UseCubeDataAccess = True.", cube, textfmt.Plural(n, "slice rule", "slice rules")), arts...))
		}
	}
	for _, s := range c.env.CubeDataCellAccess {
		if artifacts.Fold(s.Cube) != artifacts.Fold(cube) {
			flush()
			cube, arts, n = s.Cube, []ArtifactRef{ref(artifacts.TabCube, s.Cube)}, 0
		}
		n++
		arts = append(arts, ref(artifacts.TabCubeDataCellAccess, s.Cube, s.Type, fmt.Sprint(s.ProcessingOrder)))
	}
	flush()
	return out
}

// checkEntityGroupNames is SM-010.
func checkEntityGroupNames(c *checker, r *Rule) []Finding {
	const examples = 5
	var names []string
	var arts []ArtifactRef
	for _, e := range c.env.Entity {
		var why []string
		if g := e.ReadGroup; !artifacts.IsBuiltinGroup(g) && !hasSuffixFold(g, "_View") {
			why = append(why, "ReadGroup "+g)
		}
		if g := e.ReadWriteGroup; !artifacts.IsBuiltinGroup(g) && !hasSuffixFold(g, "_Mod") {
			why = append(why, "ReadWriteGroup "+g)
		}
		if why == nil {
			continue
		}
		if len(names) < examples {
			arts = append(arts, ref(artifacts.TabEntity, e.Entity))
		}
		names = append(names, fmt.Sprintf("%s (%s)", e.Entity, strings.Join(why, ", ")))
	}
	if names == nil {
		return nil
	}
	shown := names[:min(len(names), examples)]
	msg := fmt.Sprintf("%s of %d %s a ReadGroup not ending in _View or a ReadWriteGroup not ending in _Mod", textfmt.Plural(len(names), "entity", "entities"), len(c.env.Entity), map[bool]string{true: "has", false: "have"}[len(names) == 1])
	if len(names) > examples {
		msg += fmt.Sprintf("; for example %s.", strings.Join(shown, ", "))
	} else {
		msg += ": " + strings.Join(shown, ", ") + "."
	}
	return []Finding{r.finding(msg, arts...)}
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}
