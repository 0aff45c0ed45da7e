// Package impact computes the consequences of a plan on effective access:
// for each user whose access the plan changes, each group gained or lost
// (through nesting and exclusion groups, with the path that grants it),
// each application or system role gained or lost, and whether the user
// becomes or stops being a member of Administrators.
//
// The effective access itself is package access's; this package decides
// which users can be affected and compares their access before and after
// the plan. It does so incrementally, because a plan usually touches a few
// groups of an environment of a million rows:
//
//  1. The plan's changes name seeds: the users whose own rows change
//     (memberships, exclusion entries, additions, removals, renames) and
//     the groups whose members' access may change (the child of a
//     GroupsInGroups row, the member group of an exclusion entry, a removed
//     group, the old and new group of a role).
//  2. Every group whose members could be members of a seed group — the
//     seed groups and, walking down, the groups listed in them and the
//     groups their exclusion entries name — and the users listed in any of
//     those, are the affected users. (A group reaching Everyone affects
//     every user.) Links the plan adds need not be walked: the group they
//     list is a seed itself.
//  3. A small environment holds the whole group graph (Groups, ExGroup,
//     GroupsInGroups, GroupsInExGroups, roles) and only the affected users'
//     rows; the plan's changes to those tabs are applied to a copy of it
//     (actions.Apply), and each affected user's access is computed in both
//     (access.Index) and compared.
//
// A user's effective access depends only on its own rows and the group
// graph, so the answer for an affected user is the one the whole
// environment gives.
//
// Renames are not gains or losses: a group or user renamed by the plan is
// matched with its old name. Everyone is left out (every user is in it),
// and Administrators is reported as the administrator flag rather than as
// a group. Members of Administrators can do everything, so roles are
// compared only for users who are administrators neither before nor after
// the plan: becoming one is one line, not one per role.
package impact

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"secmgr/pkg/access"
	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
)

// Attach computes the impact of p on env and stores it in p.Impact: an
// empty list (not nil) when an applicable plan with changes changes no
// one's access, so that the rendered plan says so.
func Attach(env *artifacts.Environment, p *plans.Plan) error {
	cs, err := Of(env, p)
	if err != nil {
		return err
	}
	if cs == nil && p.Applicable && len(p.Changes) > 0 {
		cs = []plans.Consequence{}
	}
	p.Impact = cs
	return nil
}

// Of returns the consequences of applying p to env, sorted by user (in
// name order) and, for each user, the administrator flag first, then
// groups, then roles, each by name. A plan that is not applicable, or that
// changes nothing, has none. env is not changed.
func Of(env *artifacts.Environment, p *plans.Plan) ([]plans.Consequence, error) {
	if p == nil || !p.Applicable || len(p.Changes) == 0 {
		return nil, nil
	}
	sub := relevantChanges(p.Changes)
	if len(sub) == 0 {
		return nil, nil
	}
	names := newRenames(sub)
	seeds := seedsOf(env, sub, names)
	users := affectedUsers(env, names, seeds)
	if len(users) == 0 {
		return nil, nil
	}
	before := restrict(env, users)
	subPlan := &plans.Plan{Format: plans.PlanFormat, Changes: sub}
	subPlan.Summarize()
	after, err := actions.Apply(before, subPlan, nil)
	if err != nil {
		return nil, fmt.Errorf("computing the impact on effective access: %w", err)
	}
	return compare(access.New(before), access.New(after), users, names)
}

// membershipTabs are the tabs whose rows decide effective groups and roles.
var membershipTabs = map[string]bool{
	"Users": true, "Groups": true, "ExGroup": true,
	"UsersInGroups": true, "GroupsInGroups": true, "UsersInExGroups": true, "GroupsInExGroups": true,
	"AppRoles": true, "SystemRoles": true,
}

// relevantChanges keeps the changes to the membership tabs, without what
// cannot change access: edits of users' properties (descriptions, e-mail,
// enabled) and password values, which the restricted environment has no
// source for.
func relevantChanges(changes []plans.Change) []plans.Change {
	var out []plans.Change
	for _, c := range changes {
		t, ok := artifacts.LookupTab(c.Tab)
		if !ok || !membershipTabs[t.Name] || len(c.Key) != len(t.Key) || c.Op == plans.OpRename && len(c.NewKey) != len(t.Key) {
			continue // a malformed change is Apply's to refuse
		}
		drop := func(f plans.Field) bool { return f.Secret }
		if t.ID == artifacts.TabUsers && c.Op == plans.OpEdit {
			// Only the name's casing matters, for the name shown.
			drop = func(f plans.Field) bool { return f.Column != "User" }
		}
		if slices.ContainsFunc(c.Fields, drop) {
			c.Fields = slices.DeleteFunc(slices.Clone(c.Fields), drop)
			if c.Op == plans.OpEdit && len(c.Fields) == 0 {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

// renames follows the plan's renames of users and of groups, so that a
// name after the plan can be matched with the name before it.
type renames struct {
	userBefore, groupBefore map[string]string // folded name after → stored name before
	userAfter               map[string]string // folded name before → stored name after
}

func newRenames(changes []plans.Change) *renames {
	r := &renames{userBefore: map[string]string{}, groupBefore: map[string]string{}, userAfter: map[string]string{}}
	for _, c := range changes {
		if c.Op != plans.OpRename {
			continue
		}
		before := r.groupBefore
		if c.Tab == "Users" {
			before = r.userBefore
		}
		from, to := c.Key[0], c.NewKey[0]
		orig, ok := before[artifacts.Fold(from)]
		if !ok {
			orig = from
		}
		delete(before, artifacts.Fold(from))
		before[artifacts.Fold(to)] = orig
		if c.Tab == "Users" {
			r.userAfter[artifacts.Fold(orig)] = to
		}
	}
	return r
}

// beforeName returns the name a group (or user) had before the plan.
func beforeName(m map[string]string, name string) string {
	if b, ok := m[artifacts.Fold(name)]; ok {
		return b
	}
	return name
}

// seeds are what the plan touches, by name as it was before the plan
// (folded).
type seeds struct {
	users  map[string]bool
	groups map[string]bool
}

func seedsOf(env *artifacts.Environment, changes []plans.Change, r *renames) *seeds {
	s := &seeds{users: map[string]bool{}, groups: map[string]bool{}}
	// Names are taken as each change gives them (the state after the
	// changes before it) and mapped back to their name before the plan,
	// with the renames of the whole plan: a later rename of a name reused
	// meanwhile would be mismatched, at worst adding a user to compare.
	user := func(n string) { s.users[artifacts.Fold(beforeName(r.userBefore, n))] = true }
	group := func(n string) {
		if n != "" {
			s.groups[artifacts.Fold(beforeName(r.groupBefore, n))] = true
		}
	}
	for _, c := range changes {
		t, _ := artifacts.LookupTab(c.Tab)
		switch t.ID {
		case artifacts.TabUsers:
			user(c.Key[0])
		case artifacts.TabGroups, artifacts.TabExGroup:
			if c.Op == plans.OpRemove {
				group(c.Key[0])
			}
		case artifacts.TabUsersInGroups, artifacts.TabUsersInExGroups:
			user(c.Key[0])
		case artifacts.TabGroupsInGroups, artifacts.TabGroupsInExGroups:
			group(c.Key[0])
		case artifacts.TabAppRoles, artifacts.TabSystemRoles:
			for _, f := range c.Fields {
				if f.Column == "GroupName" {
					group(f.Old)
					group(f.New)
				}
			}
			if c.Op == plans.OpRemove {
				// A linear look (the role tabs are short) rather than
				// t.Find, which would build an index inside env.
				for i, n := 0, t.Len(env); i < n; i++ {
					if strings.EqualFold(t.KeyOf(env, i)[0], c.Key[0]) {
						group(t.Cell(env, i, t.Column("GroupName")))
					}
				}
			}
		}
	}
	return s
}

// affectedUsers returns the folded names (before the plan) of the users
// whose access the plan may change: the seed users and every user listed
// in a group whose members could be members of a seed group, before or
// after the plan. It reads each membership row once.
func affectedUsers(env *artifacts.Environment, r *renames, s *seeds) map[string]bool {
	users := s.users
	if len(s.groups) == 0 {
		return users
	}
	// The group graph downwards as it is before the plan: parent →
	// groups listed in it, exclusion group → groups its entries name.
	down := map[string][]string{}
	link := func(child, parent string) {
		p := artifacts.Fold(beforeName(r.groupBefore, parent))
		down[p] = append(down[p], artifacts.Fold(beforeName(r.groupBefore, child)))
	}
	for _, e := range env.GroupsInGroups {
		link(e.Group, e.ParentGroup)
	}
	for _, e := range env.GroupsInExGroups {
		link(e.Group, e.ExGroup)
	}
	// Links the plan adds need no walking: their child is a seed group.
	reach := map[string]bool{}
	var stack []string
	for g := range s.groups {
		reach[g] = true
		stack = append(stack, g)
	}
	for len(stack) > 0 {
		g := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, c := range down[g] {
			if !reach[c] {
				reach[c] = true
				stack = append(stack, c)
			}
		}
	}
	if reach[artifacts.Fold(artifacts.Everyone)] {
		for _, u := range env.Users {
			users[artifacts.Fold(u.User)] = true
		}
		return users
	}
	in := newNameSet(reach, len(env.Groups)+len(env.ExGroup))
	for _, g := range env.Groups {
		in.learn(g.Group)
	}
	for _, g := range env.ExGroup {
		in.learn(g.ExGroup)
	}
	for _, m := range env.UsersInGroups {
		if in.has(m.ParentGroup) {
			users[artifacts.Fold(m.User)] = true
		}
	}
	for _, m := range env.UsersInExGroups {
		if in.has(m.ExGroup) {
			users[artifacts.Fold(m.User)] = true
		}
	}
	// Users the plan lists in such a group are seed users already.
	return users
}

// restrict returns the part of env that decides the access of users: the
// whole group graph and roles, and only the listed users with their rows.
func restrict(env *artifacts.Environment, users map[string]bool) *artifacts.Environment {
	out := &artifacts.Environment{Name: env.Name,
		Groups: env.Groups, ExGroup: env.ExGroup,
		GroupsInGroups: env.GroupsInGroups, GroupsInExGroups: env.GroupsInExGroups,
		AppRoles: env.AppRoles, SystemRoles: env.SystemRoles,
	}
	in := newNameSet(users, len(env.Users))
	for _, u := range env.Users {
		if in.learn(u.User) {
			out.Users = append(out.Users, u)
		}
	}
	for _, m := range env.UsersInGroups {
		if in.has(m.User) {
			out.UsersInGroups = append(out.UsersInGroups, m)
		}
	}
	for _, m := range env.UsersInExGroups {
		if in.has(m.User) {
			out.UsersInExGroups = append(out.UsersInExGroups, m)
		}
	}
	// Apply works on a copy; the shared slices are not changed.
	return out
}

// nameSet answers whether a name is in a set of folded names. Rows name
// users and groups in their stored casing almost always, so the stored
// names it has learnt are looked up as they are, before folding (folding
// a million names costs more than the rest of the work).
type nameSet struct {
	folded map[string]bool
	exact  map[string]bool // stored name → in folded
}

func newNameSet(folded map[string]bool, names int) *nameSet {
	return &nameSet{folded: folded, exact: make(map[string]bool, names)}
}

// learn notes a stored name and reports whether it is in the set.
func (s *nameSet) learn(name string) bool {
	in := s.folded[artifacts.Fold(name)]
	s.exact[name] = in
	return in
}

// has reports whether name is in the set, in any casing.
func (s *nameSet) has(name string) bool {
	if in, ok := s.exact[name]; ok {
		return in
	}
	return s.folded[artifacts.Fold(name)]
}

// compare diffs each affected user's access before and after.
func compare(bx, ax *access.Index, users map[string]bool, r *renames) ([]plans.Consequence, error) {
	type userDiff struct {
		name string
		cs   []plans.Consequence
	}
	var diffs []userDiff
	for folded := range users {
		beforeName, inBefore := bx.UserName(folded)
		afterName := folded
		if a, ok := r.userAfter[folded]; ok {
			afterName = a
		}
		afterName, inAfter := ax.UserName(afterName)
		if inBefore && inAfter && same(bx, ax, beforeName, afterName, r) {
			continue // the paths explain computes cost more than this check
		}
		var was, is *access.UserAccess
		var err error
		name := beforeName
		if inBefore {
			if was, err = bx.User(beforeName); err != nil {
				return nil, err
			}
		}
		if inAfter {
			name = afterName
			if is, err = ax.User(afterName); err != nil {
				return nil, err
			}
		}
		if was == nil && is == nil {
			continue
		}
		if cs := diffUser(name, was, is, r); len(cs) > 0 {
			diffs = append(diffs, userDiff{name, cs})
		}
	}
	slices.SortFunc(diffs, func(a, b userDiff) int { return compareNames(a.name, b.name) })
	var out []plans.Consequence
	for _, d := range diffs {
		out = append(out, d.cs...)
	}
	return out, nil
}

// same reports whether a user holds the same groups and roles before and
// after (renamed groups matched with their old names).
func same(bx, ax *access.Index, before, after string, r *renames) bool {
	g1, err1 := bx.GroupsOf(before)
	g2, err2 := ax.GroupsOf(after)
	if err1 != nil || err2 != nil || len(g1) != len(g2) {
		return false
	}
	set := make(map[string]bool, len(g1))
	for _, g := range g1 {
		set[artifacts.Fold(g)] = true
	}
	for _, g := range g2 {
		if !set[artifacts.Fold(beforeName(r.groupBefore, g))] {
			return false
		}
	}
	r1, err1 := bx.RolesOf(before)
	r2, err2 := ax.RolesOf(after)
	if err1 != nil || err2 != nil {
		return false
	}
	roles := func(rs []access.RoleGrant) map[string]bool {
		m := make(map[string]bool, len(rs))
		for _, rg := range rs {
			m[rg.Tab+"\x00"+rg.Role] = true
		}
		return m
	}
	return maps.Equal(roles(r1), roles(r2))
}

func compareNames(a, b string) int {
	return cmp.Or(cmp.Compare(artifacts.Fold(a), artifacts.Fold(b)), cmp.Compare(a, b))
}

// grant is one thing a user holds, keyed by its identity before the plan.
type grant struct {
	name string   // as shown: the name in the state it is held in
	path []string // the user's path to the group (that holds the role)
	role bool
}

// via is the path shown for the grant: without the user, and for a
// direct membership none. It is joined only for what is reported.
func (g *grant) via() string {
	if len(g.path) < 2 || !g.role && len(g.path) == 2 {
		return ""
	}
	return strings.Join(g.path[1:], " → ")
}

// consequence is the gain or loss (change) of g by user.
func (g *grant) consequence(user, change string) plans.Consequence {
	c := plans.Consequence{User: user, Change: change, Via: g.via()}
	if g.role {
		c.Role = g.name
	} else {
		c.Group = g.name
	}
	return c
}

// diffUser compares one user's access before (was, nil for a user the
// plan adds) and after (is, nil for one it removes).
func diffUser(user string, was, is *access.UserAccess, r *renames) []plans.Consequence {
	wasGroups, wasRoles, wasAdmin := holdings(was, nil)
	isGroups, isRoles, isAdmin := holdings(is, r.groupBefore)
	var out []plans.Consequence
	switch {
	case isAdmin != nil && wasAdmin == nil:
		out = append(out, plans.Consequence{User: user, Change: plans.ChangeGains, Administrator: true, Via: isAdmin.via()})
	case wasAdmin != nil && isAdmin == nil:
		out = append(out, plans.Consequence{User: user, Change: plans.ChangeLoses, Administrator: true, Via: wasAdmin.via()})
	}
	out = append(out, changes(user, wasGroups, isGroups)...)
	if wasAdmin != nil || isAdmin != nil {
		// An administrator can do everything: the administrator line
		// says all there is to say about roles.
		return out
	}
	return append(out, changes(user, wasRoles, isRoles)...)
}

// changes lists the grants a user gains (in is, not in was) and loses (in
// was, not in is), sorted by name and then gains before losses.
func changes(user string, was, is map[string]grant) []plans.Consequence {
	var out []plans.Consequence
	for _, d := range [...]struct {
		change    string
		from, not map[string]grant
	}{{plans.ChangeGains, is, was}, {plans.ChangeLoses, was, is}} {
		for k, g := range d.from {
			if _, ok := d.not[k]; !ok {
				out = append(out, g.consequence(user, d.change))
			}
		}
	}
	slices.SortFunc(out, func(a, b plans.Consequence) int {
		// One of Group and Role is set.
		return cmp.Or(compareNames(cmp.Or(a.Group, a.Role), cmp.Or(b.Group, b.Role)), cmp.Compare(a.Change, b.Change))
	})
	return out
}

// holdings lists what ua holds: groups (but Everyone and Administrators)
// and roles keyed by their folded name before the plan (groupBefore maps
// names after a rename back), and membership of Administrators. Each has
// the path that grants it, without the user.
func holdings(ua *access.UserAccess, groupBefore map[string]string) (groups, roles map[string]grant, admin *grant) {
	if ua == nil {
		return map[string]grant{}, map[string]grant{}, nil
	}
	groups, roles = make(map[string]grant, len(ua.Groups)), make(map[string]grant, len(ua.Roles))
	paths := make(map[string][]string, len(ua.Groups))
	for _, m := range ua.Groups {
		paths[artifacts.Fold(m.Name)] = m.Path
		switch {
		case strings.EqualFold(m.Name, artifacts.Everyone):
		case strings.EqualFold(m.Name, artifacts.Administrators):
			admin = &grant{name: m.Name, path: m.Path}
		default:
			groups[artifacts.Fold(beforeName(groupBefore, m.Name))] = grant{name: m.Name, path: m.Path}
		}
	}
	for _, rg := range ua.Roles {
		k := rg.Tab + "\x00" + rg.Role
		if _, ok := roles[k]; ok {
			continue // held through several groups: the first (in name order) is shown
		}
		path := paths[artifacts.Fold(rg.Via)]
		if len(path) < 2 {
			path = []string{ua.User, rg.Via}
		}
		roles[k] = grant{name: rg.Role, path: path, role: true}
	}
	return
}
