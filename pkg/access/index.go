package access

import (
	"cmp"
	"slices"
	"sync"

	"secmgr/internal/graph"
	"secmgr/pkg/artifacts"
)

// Index answers effective-access questions about one environment. Users
// and groups are numbered in name order (case-insensitive, stored casing
// breaking ties), so sorting by number sorts by name.
type Index struct {
	env *artifacts.Environment

	userTable  nameTable
	users      []string // user names by id
	userRow    []int32  // user → its row in env.Users
	groupTable nameTable
	groups     []string // group and exclusion group names by id
	isEx       []bool   // the group is an exclusion group

	everyone, administrators, nobody int32

	// Membership as the rows list it, for display.
	rowUsers   [][]int32 // group → users listed in it (UsersInGroups)
	rowGroups  [][]int32 // group → groups listed in it (GroupsInGroups)
	rowParents [][]int32 // group → groups it is listed in (GroupsInGroups)

	// Membership as it is computed. Rows naming Nobody as a member, and
	// rows naming Everyone or Nobody as the parent, carry nothing: Everyone
	// holds every user anyway and Nobody holds none.
	userGroups [][]int32 // user → ordinary groups it is listed in directly
	parents    [][]int32 // group → ordinary groups it is listed in
	children   [][]int32 // ordinary group → groups listed in it
	entries    [][]entry // exclusion group → its entries, in deciding order
	exByUser   [][]int32 // user → exclusion groups with an entry naming it
	exByGroup  [][]int32 // group → exclusion groups with an entry naming it
	rank       []int32   // group → position in dependency order (a group's members are known before its rank)

	uses [][]use // group → where it is used (roles, artifact columns, exclusion entries, slice rules)

	mu       sync.Mutex
	closures []*closure // user → its groups, computed on first use
	scratch  scratch
}

// entry is one entry of an exclusion group. Rows of UsersInGroups and
// GroupsInGroups that list a user or group directly in an exclusion group
// count as "allow" entries taken before every numbered entry (direct).
type entry struct {
	user   int32 // the user the entry names, or -1
	group  int32 // the group the entry names, or -1
	order  int
	allow  bool
	direct bool
	tab    artifacts.TabID
	row    int32
}

// use is one cell that names a group.
type use struct {
	tab artifacts.TabID
	row int32
	col int16
}

// closure is what one user belongs to.
type closure struct {
	groups    []int32    // every group the user belongs to, sorted
	decisions []decision // every exclusion group evaluated for the user, sorted
}

// decision is how an exclusion group was decided for one user.
type decision struct {
	ex    int32
	entry int32 // index into entries[ex] of the deciding entry, or -1
	in    bool
}

// scratch holds per-query marks, stamped with an epoch (which never
// wraps) so they need no clearing between queries.
type scratch struct {
	epoch     uint64
	mark      []uint64 // group → epoch when it is in the current user's set
	done      []uint64 // group → epoch when the exclusion group was decided
	seen      []uint64 // group → epoch when reached by a breadth-first search
	pred      []int32  // group → predecessor on the shortest path (-1: the user)
	source    []int32  // exclusion group → the deciding entry's group (-1: the user)
	region    []uint64 // group → epoch when in the region of the current group query
	down      []uint64 // group → epoch when reached walking down from that group
	umark     []uint64 // user → epoch when tried as a candidate
	stack     []int32
	queue     []int32
	heap      candidates
	nbrs      []int32
	groups    []int32
	decisions []decision
}

// New indexes env. env is read, never changed; it should be normalized
// (Load does that). References to users or groups that do not exist are
// ignored: validation reports them.
func New(env *artifacts.Environment) *Index {
	ix := &Index{env: env}
	ix.indexNames()
	ix.indexMemberships()
	ix.indexUses()
	ix.rankGroups()
	ix.closures = make([]*closure, len(ix.users))
	n := len(ix.groups)
	ix.scratch = scratch{
		mark: make([]uint64, n), done: make([]uint64, n), seen: make([]uint64, n),
		pred: make([]int32, n), source: make([]int32, n), region: make([]uint64, n), down: make([]uint64, n), umark: make([]uint64, len(ix.users)),
	}
	return ix
}

// Environment returns the environment the index was built from.
func (ix *Index) Environment() *artifacts.Environment { return ix.env }

func compareNames(a, b string) int {
	if c := cmp.Compare(artifacts.Fold(a), artifacts.Fold(b)); c != 0 {
		return c
	}
	return cmp.Compare(a, b)
}

// nameTable numbers names in name order and finds them by any casing.
type nameTable struct {
	names []string
	exact map[string]int32 // stored casing → id: most references use it
	fold  map[string]int32 // folded name → id
}

// newNameTable numbers the distinct names (the first casing of a name
// wins) and returns, for each id, the index in names it came from.
func newNameTable(names []string) (nameTable, []int32) {
	type item struct {
		name, fold string
		from       int32
	}
	items := make([]item, 0, len(names))
	seen := make(map[string]bool, len(names))
	for i, n := range names {
		f := artifacts.Fold(n)
		if !seen[f] {
			seen[f] = true
			items = append(items, item{n, f, int32(i)})
		}
	}
	slices.SortFunc(items, func(a, b item) int { return cmp.Or(cmp.Compare(a.fold, b.fold), cmp.Compare(a.name, b.name)) })
	t := nameTable{names: make([]string, len(items)), exact: make(map[string]int32, len(items)), fold: make(map[string]int32, len(items))}
	from := make([]int32, len(items))
	for i, it := range items {
		t.names[i] = it.name
		t.exact[it.name] = int32(i)
		t.fold[it.fold] = int32(i)
		from[i] = it.from
	}
	return t, from
}

func (t *nameTable) find(name string) (int32, bool) {
	if id, ok := t.exact[name]; ok {
		return id, true
	}
	id, ok := t.fold[artifacts.Fold(name)]
	return id, ok
}

func (ix *Index) indexNames() {
	env := ix.env
	names := make([]string, len(env.Users))
	for i := range env.Users {
		names[i] = env.Users[i].User
	}
	ix.userTable, ix.userRow = newNameTable(names)
	ix.users = ix.userTable.names

	names = names[:0]
	for _, g := range artifacts.BuiltinGroups() {
		names = append(names, g.Group)
	}
	for _, g := range env.Groups {
		names = append(names, g.Group)
	}
	for _, x := range env.ExGroup {
		names = append(names, x.ExGroup)
	}
	ix.groupTable, _ = newNameTable(names)
	ix.groups = ix.groupTable.names
	ix.isEx = make([]bool, len(ix.groups))
	for _, x := range env.ExGroup {
		// A name on both tabs is an exclusion group: its entries decide.
		if g, ok := ix.group(x.ExGroup); ok && !artifacts.IsBuiltinGroup(x.ExGroup) {
			ix.isEx[g] = true
		}
	}
	ix.everyone, _ = ix.group(artifacts.Everyone)
	ix.administrators, _ = ix.group(artifacts.Administrators)
	ix.nobody, _ = ix.group(artifacts.Nobody)
}

func (ix *Index) user(name string) (int32, bool) { return ix.userTable.find(name) }

func (ix *Index) group(name string) (int32, bool) { return ix.groupTable.find(name) }

// carries reports whether a membership row with this parent is computed:
// Everyone and Nobody are decided by definition, whatever rows list.
func (ix *Index) carries(parent int32) bool { return parent != ix.everyone && parent != ix.nobody }

func (ix *Index) indexMemberships() {
	ng, nu := len(ix.groups), len(ix.users)
	ix.rowUsers = make([][]int32, ng)
	ix.rowGroups = make([][]int32, ng)
	ix.rowParents = make([][]int32, ng)
	ix.userGroups = make([][]int32, nu)
	ix.parents = make([][]int32, ng)
	ix.children = make([][]int32, ng)
	ix.entries = make([][]entry, ng)
	ix.exByUser = make([][]int32, nu)
	ix.exByGroup = make([][]int32, ng)

	ix.eachMembershipRow(func(e entry, p int32) {
		switch {
		case !e.direct: // an entry of UsersInExGroups or GroupsInExGroups
			if ix.isEx[p] {
				ix.addEntry(p, e)
			}
		case e.user >= 0:
			u := e.user
			ix.rowUsers[p] = append(ix.rowUsers[p], u)
			switch {
			case !ix.carries(p):
			case ix.isEx[p]:
				ix.addEntry(p, e)
			default:
				ix.userGroups[u] = append(ix.userGroups[u], p)
			}
		default:
			c := e.group
			ix.rowGroups[p] = append(ix.rowGroups[p], c)
			ix.rowParents[c] = append(ix.rowParents[c], p)
			switch {
			case !ix.carries(p) || c == ix.nobody || c == p:
			case ix.isEx[p]:
				ix.addEntry(p, e)
			default:
				ix.parents[c] = append(ix.parents[c], p)
				ix.children[p] = append(ix.children[p], c)
			}
		}
	})

	for _, l := range [][][]int32{ix.rowUsers, ix.rowGroups, ix.rowParents, ix.userGroups, ix.parents, ix.children, ix.exByUser, ix.exByGroup} {
		for i := range l {
			l[i] = sortedSet(l[i])
		}
	}
	for x := range ix.entries {
		slices.SortStableFunc(ix.entries[x], compareEntries)
	}
}

// eachMembershipRow calls f, tab by tab, for every row of UsersInGroups,
// GroupsInGroups, UsersInExGroups and GroupsInExGroups whose member and
// parent (or exclusion) group exist. The row comes as an entry of its
// parent p: rows of the first two tabs are direct allowing entries.
func (ix *Index) eachMembershipRow(f func(e entry, p int32)) {
	row := func(tab artifacts.TabID, i int, member, parent string, order int, allow bool) {
		e := entry{user: -1, group: -1, order: order, allow: allow, tab: tab, row: int32(i),
			direct: tab == artifacts.TabUsersInGroups || tab == artifacts.TabGroupsInGroups}
		var ok bool
		if tab == artifacts.TabUsersInGroups || tab == artifacts.TabUsersInExGroups {
			e.user, ok = ix.user(member)
		} else {
			e.group, ok = ix.group(member)
		}
		if p, found := ix.group(parent); ok && found {
			f(e, p)
		}
	}
	env := ix.env
	for i, r := range env.UsersInGroups {
		row(artifacts.TabUsersInGroups, i, r.User, r.ParentGroup, 0, true)
	}
	for i, r := range env.GroupsInGroups {
		row(artifacts.TabGroupsInGroups, i, r.Group, r.ParentGroup, 0, true)
	}
	for i, r := range env.UsersInExGroups {
		row(artifacts.TabUsersInExGroups, i, r.User, r.ExGroup, r.ProcessingOrder, r.AllowAccess)
	}
	for i, r := range env.GroupsInExGroups {
		row(artifacts.TabGroupsInExGroups, i, r.Group, r.ExGroup, r.ProcessingOrder, r.AllowAccess)
	}
}

// addEntry adds e to exclusion group x's entries and indexes x under the
// user or group e names.
func (ix *Index) addEntry(x int32, e entry) {
	ix.entries[x] = append(ix.entries[x], e)
	if e.user >= 0 {
		ix.exByUser[e.user] = append(ix.exByUser[e.user], x)
	} else {
		ix.exByGroup[e.group] = append(ix.exByGroup[e.group], x)
	}
}

// compareEntries puts an exclusion group's entries in deciding order:
// direct rows first, then by ProcessingOrder. Two entries sharing an order
// are a mistake (audit rule SM-008); the user entry is then taken last, as
// the more specific one, and group entries by group name.
func compareEntries(a, b entry) int {
	if a.direct != b.direct {
		if a.direct {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(a.order, b.order); c != 0 {
		return c
	}
	if c := cmp.Compare(a.tab, b.tab); c != 0 {
		return -c // UsersInExGroups (and UsersInGroups) after the group tabs
	}
	if c := cmp.Compare(a.group, b.group); c != 0 {
		return c
	}
	return cmp.Compare(a.row, b.row)
}

func sortedSet(s []int32) []int32 {
	if len(s) < 2 {
		return s
	}
	slices.Sort(s)
	return slices.Compact(s)
}

// indexUses records every cell naming a group outside the membership
// tabs: roles, artifact security columns, exclusion entries, slice rules.
func (ix *Index) indexUses() {
	ix.uses = make([][]use, len(ix.groups))
	for _, t := range artifacts.AllTabs() {
		if t.ID == artifacts.TabUsersInGroups || t.ID == artifacts.TabGroupsInGroups {
			continue
		}
		var cols []int
		for ci, c := range t.Columns {
			if c.Kind == artifacts.KindGroup {
				cols = append(cols, ci)
			}
		}
		if len(cols) == 0 {
			continue
		}
		n := t.Len(ix.env)
		for row := 0; row < n; row++ {
			for _, ci := range cols {
				if g, ok := ix.group(t.Cell(ix.env, row, ci)); ok {
					ix.uses[g] = append(ix.uses[g], use{tab: t.ID, row: int32(row), col: int16(ci)})
				}
			}
		}
	}
}

// rankGroups numbers the groups so that every group comes after the
// groups its membership depends on: an ordinary group after the groups
// listed in it, an exclusion group after the groups its entries name.
// Groups on a cycle share a rank: graph.SCC numbers each strongly
// connected component after every component it depends on.
func (ix *Index) rankGroups() {
	adj := make([][]int, len(ix.groups))
	for g := range adj {
		if ix.isEx[g] {
			for _, e := range ix.entries[g] {
				if e.group >= 0 {
					adj[g] = append(adj[g], int(e.group))
				}
			}
			continue
		}
		adj[g] = make([]int, len(ix.children[g]))
		for i, c := range ix.children[g] {
			adj[g][i] = int(c)
		}
	}
	comp := graph.SCC(adj)
	ix.rank = make([]int32, len(comp))
	for g, c := range comp {
		ix.rank[g] = int32(c)
	}
}
