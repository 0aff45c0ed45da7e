package access

import (
	"slices"

	"secmgr/pkg/validate"
)

// GroupAccess is who a group holds and where it is used: the document
// `secmgr explain --group` prints. Lists are sorted and never nil.
type GroupAccess struct {
	Group string `json:"group"`
	// Exclusion says the group is an exclusion group; its entries are in
	// ExclusionEntries.
	Exclusion     bool          `json:"-"`
	Members       []Member      `json:"members"`
	DirectMembers DirectMembers `json:"directMembers"`
	Parents       []string      `json:"parents"`
	UsedBy        []Use         `json:"usedBy"`
	// ExclusionEntries lists an exclusion group's entries in ProcessingOrder
	// (absent for other groups).
	ExclusionEntries []Entry `json:"exclusionEntries,omitempty"`
}

// Member is a user the group holds, with the shortest path that puts it
// there: [user, g1, …, group].
type Member struct {
	User string   `json:"user"`
	Path []string `json:"path"`
}

// DirectMembers are the users and groups listed in a group
// (UsersInGroups, GroupsInGroups).
type DirectMembers struct {
	Users  []string `json:"users"`
	Groups []string `json:"groups"`
}

// Use is a cell that names the group: a role, an artifact's security
// column, an exclusion-group entry or a slice rule.
type Use struct {
	Tab    string   `json:"tab"`
	Key    []string `json:"key"`
	Column string   `json:"column"`
}

// Unused reports whether the group holds no one and is used nowhere.
func (ga *GroupAccess) Unused() bool { return len(ga.Members) == 0 && len(ga.UsedBy) == 0 }

// GroupName reports whether a group or exclusion group exists and returns
// its stored name.
func (ix *Index) GroupName(name string) (string, bool) {
	if g, ok := ix.group(name); ok {
		return ix.groups[g], true
	}
	return "", false
}

// IsExclusionGroup reports whether name is an exclusion group.
func (ix *Index) IsExclusionGroup(name string) bool {
	g, ok := ix.group(name)
	return ok && ix.isEx[g]
}

// GroupNames returns every group and exclusion group name, sorted.
func (ix *Index) GroupNames() []string { return slices.Clone(ix.groups) }

func (ix *Index) lookupGroup(name string) (int32, error) {
	return lookup(name, "group", ix.groupTable, "user", ix.userTable)
}

func (ix *Index) lookupUser(name string) (int32, error) {
	return lookup(name, "user", ix.userTable, "group", ix.groupTable)
}

// lookup finds name in the table of its kind. An unknown name gives a
// *NotFoundError with the closest name of that kind, saying so when the
// name is one of the other kind.
func lookup(name, kind string, in nameTable, otherKind string, other nameTable) (int32, error) {
	if id, ok := in.find(name); ok {
		return id, nil
	}
	e := &NotFoundError{Kind: kind, Name: name, Suggestion: validate.Closest(name, in.names)}
	if _, ok := other.find(name); ok {
		e.OtherKind = otherKind
	}
	return 0, e
}

// query finds name with lookup and answers q about it with ix.mu held.
func query[T any](ix *Index, lookup func(string) (int32, error), name string, q func(id int32) T) (T, error) {
	id, err := lookup(name)
	if err != nil {
		var none T
		return none, err
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return q(id), nil
}

// Group returns the members and uses of the named group or exclusion
// group (matched case-insensitively). An unknown name gives a
// *NotFoundError.
func (ix *Index) Group(name string) (*GroupAccess, error) {
	return query(ix, ix.lookupGroup, name, ix.groupAccess)
}

func (ix *Index) groupAccess(g int32) *GroupAccess {
	ga := &GroupAccess{
		Group:     ix.groups[g],
		Exclusion: ix.isEx[g],
		Members:   []Member{},
		DirectMembers: DirectMembers{
			Users:  ix.userNames(ix.rowUsers[g]),
			Groups: ix.groupNames(ix.rowGroups[g]),
		},
		Parents: ix.groupNames(ix.rowParents[g]),
	}
	var arena []string
	var ids []int32
	ix.eachMember(g, func(u int32, ep uint64) bool {
		ix.shortestPaths(u, ep, g)
		ids = append(ids, u)
		ga.Members = append(ga.Members, Member{User: ix.users[u], Path: ix.path(u, g, &arena)})
		return true
	})
	sortBy(ga.Members, ids)
	ga.UsedBy = ix.usesOf(g)
	if ix.isEx[g] {
		ga.ExclusionEntries = []Entry{}
		for i, e := range ix.entries[g] {
			if !e.direct {
				ga.ExclusionEntries = append(ga.ExclusionEntries, *ix.entryRef(g, int32(i)))
			}
		}
	}
	return ga
}

// Members returns the users the named group holds, sorted by name.
func (ix *Index) Members(name string) ([]string, error) {
	return query(ix, ix.lookupGroup, name, func(g int32) []string {
		ids := []int32{}
		ix.eachMember(g, func(u int32, _ uint64) bool { ids = append(ids, u); return true })
		slices.Sort(ids)
		return ix.userNames(ids)
	})
}

// HoldsAnyone reports whether the named group holds at least one user
// (false when it does not exist). It stops at the first member found.
func (ix *Index) HoldsAnyone(name string) bool {
	g, ok := ix.group(name)
	if !ok {
		return false
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	found := false
	ix.eachMember(g, func(int32, uint64) bool { found = true; return false })
	return found
}

// IsMember reports whether the user belongs to the group (false when
// either does not exist).
func (ix *Index) IsMember(user, group string) bool {
	u, ok1 := ix.user(user)
	g, ok2 := ix.group(group)
	if !ok1 || !ok2 {
		return false
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.closureOf(u).has(g)
}

// GroupsOf returns the groups (and exclusion groups) the user belongs to,
// Everyone included, sorted by name.
func (ix *Index) GroupsOf(user string) ([]string, error) {
	return query(ix, ix.lookupUser, user, func(u int32) []string { return ix.groupNames(ix.closureOf(u).groups) })
}

// eachMember calls fn for every user group g holds, until fn returns
// false, with the scratch marks of that user's walk (epoch ep) in place
// for shortestPaths. Users come in no particular order. Callers hold
// ix.mu.
//
// It works within g's region — g and every group its membership depends
// on, which is all that decides membership in g — and only for the users
// that could belong to g: those reached walking down from g through the
// groups listed in it and, for an exclusion group, its allowing entries.
// Each of those is walked up within the region, exactly as walk would do
// it for the whole environment but touching only the region's groups.
func (ix *Index) eachMember(g int32, fn func(u int32, ep uint64) bool) {
	if g == ix.nobody {
		return
	}
	s := &ix.scratch
	region := s.next()
	stack := append(s.stack[:0], g)
	s.region[g] = region
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		deps := ix.children[h]
		if ix.isEx[h] {
			deps = deps[:0:0]
			for _, e := range ix.entries[h] {
				if e.group >= 0 {
					deps = append(deps, e.group)
				}
			}
		}
		for _, d := range deps {
			if s.region[d] != region {
				s.region[d] = region
				stack = append(stack, d)
			}
		}
	}
	defer func() { s.stack = stack[:0] }()

	try := func(u int32) bool {
		if ep := ix.walk(u, region); s.mark[g] == ep {
			return fn(u, ep)
		}
		return true
	}
	if s.region[ix.everyone] == region {
		for u := range int32(len(ix.users)) {
			if !try(u) {
				return
			}
		}
		return
	}
	// Walk down from g with marks of its own (fn may run breadth-first
	// searches, which use s.seen).
	down := s.next()
	stack = append(stack[:0], g)
	s.down[g] = down
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		var users, groups []int32
		if ix.isEx[h] {
			for _, e := range ix.entries[h] {
				switch {
				case !e.allow:
				case e.user >= 0:
					users = append(users, e.user)
				default:
					groups = append(groups, e.group)
				}
			}
		} else {
			users, groups = ix.rowUsers[h], ix.children[h]
		}
		for _, u := range users {
			if s.umark[u] != down {
				s.umark[u] = down
				if !try(u) {
					return
				}
			}
		}
		for _, c := range groups {
			if c != ix.nobody && s.down[c] != down {
				s.down[c] = down
				stack = append(stack, c)
			}
		}
	}
}

// sortBy sorts list by the user ids in ids (one per element).
func sortBy[T any](list []T, ids []int32) {
	if slices.IsSorted(ids) {
		return
	}
	perm := make([]int, len(ids))
	for i := range perm {
		perm[i] = i
	}
	slices.SortFunc(perm, func(a, b int) int { return int(ids[a] - ids[b]) })
	sorted := make([]T, len(list))
	for i, p := range perm {
		sorted[i] = list[p]
	}
	copy(list, sorted)
}

// namesOf returns the names of ids in names (ix.users or ix.groups).
func namesOf(names []string, ids []int32) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = names[id]
	}
	return out
}

func (ix *Index) userNames(ids []int32) []string { return namesOf(ix.users, ids) }

func (ix *Index) groupNames(ids []int32) []string { return namesOf(ix.groups, ids) }

// Used reports whether any cell outside the membership tabs names the
// group (a role, an artifact column, an exclusion-group entry, a slice
// rule).
func (ix *Index) Used(name string) bool {
	g, ok := ix.group(name)
	return ok && len(ix.uses[g]) > 0
}

// Uses returns the cells that name the group — roles, artifact security
// columns, exclusion-group entries, slice rules — in tab and row order
// (nil when it does not exist).
func (ix *Index) Uses(name string) []Use {
	g, ok := ix.group(name)
	if !ok {
		return nil
	}
	return ix.usesOf(g)
}

func (ix *Index) usesOf(g int32) []Use {
	out := make([]Use, 0, len(ix.uses[g]))
	for _, us := range ix.uses[g] {
		t := us.tab.Tab()
		out = append(out, Use{Tab: t.Name, Key: t.KeyOf(ix.env, int(us.row)), Column: t.Columns[us.col].Name})
	}
	return out
}

// Ancestors returns the ordinary groups the named group is listed in,
// directly or through other groups (GroupsInGroups, any depth), sorted:
// every member of the group is a member of each of them. Exclusion groups
// are left out, since their entries decide who they hold.
func (ix *Index) Ancestors(name string) []string {
	g, ok := ix.group(name)
	if !ok {
		return nil
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	s := &ix.scratch
	ep := s.next()
	var out []int32
	stack := append(s.stack[:0], g)
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, p := range ix.parents[h] {
			if s.seen[p] != ep {
				s.seen[p] = ep
				out = append(out, p)
				stack = append(stack, p)
			}
		}
	}
	s.stack = stack
	slices.Sort(out)
	return ix.groupNames(out)
}
