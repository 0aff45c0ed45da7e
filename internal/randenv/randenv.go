// Package randenv generates random valid environments and random edits
// to them, for property tests and benchmarks of the planner, apply, diff
// and migrate. Rows are built from the tab table (one value per column
// kind), so a new column or tab is covered without changes here. "Valid"
// means the invariants artifacts.Load and Apply check: every user and
// group reference resolves, no name is both a group and an exclusion
// group, no user is a plain member of an exclusion group, keys are unique,
// and exclusion-group processing orders are unique too. Options change
// the vocabulary, for tests of what a spreadsheet makes of the values.
// Memberships makes small, dense membership graphs for reference models
// of effective access.
package randenv

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode"

	"secmgr/pkg/artifacts"
)

// Gen makes random rows and edits of one environment.
type Gen struct {
	r     *rand.Rand
	words []string // Options.Words
	Seq   int      // makes every generated name unique
	// Current names, kept up to date by the generator's own edits.
	users, groups, exgroups, cubes []string
	orders                         map[string]int // next ProcessingOrder per exclusion group
}

var (
	genFirst = []string{"Jessica", "Natalie", "Anna", "Brian", "Carlos", "Dana", "Émile", "Ravi", "Zoë", "Pat"}
	genWords = []string{"Documentation", "Legal", "Finance", "Houston", "Carlsbad", "Augusta", "Sales", "Plant", "Read", "Write", "Audit", "Tax", "Ops"}
	genText  = []string{"", "", "Legal entity A", "Frankfurt Financial Analyst", "CC-8100", "=SUM(A1)", "multi\nline", "ünïcødé"}
)

// Options change what the generator writes.
type Options struct {
	// Words, when not empty, are the stems of every generated name and
	// the words of text, password and member-filter values, in place of
	// the built-in ones: for example strings that spreadsheets like to
	// reinterpret (formulas, numbers, booleans, dates, markup).
	Words []string
}

// NewGen returns a generator drawing from r with the built-in words.
func NewGen(r *rand.Rand) *Gen { return NewGenWith(r, Options{}) }

// NewGenWith returns a generator drawing from r, changed by opt.
func NewGenWith(r *rand.Rand, opt Options) *Gen {
	return &Gen{r: r, words: opt.Words, orders: map[string]int{}}
}

func (g *Gen) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *Gen) uniqueName(first []string) string {
	g.Seq++
	var name string
	if g.words != nil {
		name = fmt.Sprintf("%s %d", g.pick(g.words), g.Seq)
	} else {
		name = fmt.Sprintf("%s %s%d", g.pick(first), g.pick(genWords), g.Seq)
	}
	if g.r.IntN(8) == 0 {
		name = strings.ToLower(name)
	}
	return name
}

// text is a value of a free-text column.
func (g *Gen) text() string {
	if g.words == nil {
		return g.pick(genText)
	}
	switch g.r.IntN(5) {
	case 0:
		return ""
	case 1:
		return g.pick(g.words) + "\nsecond line"
	}
	return g.pick(g.words) + " " + g.pick(g.words)
}

// Load reads the current names of env.
func (g *Gen) Load(env *artifacts.Environment) {
	g.users, g.groups, g.exgroups, g.cubes = nil, nil, nil, nil
	for _, u := range env.Users {
		g.users = append(g.users, u.User)
	}
	for _, x := range env.Groups {
		if !artifacts.IsBuiltinGroup(x.Group) {
			g.groups = append(g.groups, x.Group)
		}
	}
	for _, x := range env.ExGroup {
		g.exgroups = append(g.exgroups, x.ExGroup)
	}
	for _, c := range env.Cube {
		g.cubes = append(g.cubes, c.Cube)
	}
	g.orders = map[string]int{}
	for _, e := range env.UsersInExGroups {
		g.orders[artifacts.Fold(e.ExGroup)] = max(g.orders[artifacts.Fold(e.ExGroup)], e.ProcessingOrder+1)
	}
	for _, e := range env.GroupsInExGroups {
		g.orders[artifacts.Fold(e.ExGroup)] = max(g.orders[artifacts.Fold(e.ExGroup)], e.ProcessingOrder+1)
	}
}

// groupRef picks a name for a group column: mostly a group, sometimes a
// built-in group or an exclusion group.
func (g *Gen) groupRef(builtins, exgroups bool) (string, bool) {
	switch n := g.r.IntN(10); {
	case builtins && n < 2:
		return g.pick([]string{artifacts.Everyone, artifacts.Nobody, artifacts.Administrators}), true
	case exgroups && n == 2 && len(g.exgroups) > 0:
		return g.pick(g.exgroups), true
	case len(g.groups) > 0:
		return g.pick(g.groups), true
	}
	return "", false
}

func (g *Gen) uiVisibility() string {
	switch g.r.IntN(4) {
	case 0:
		return "Always"
	case 1:
		return "Never"
	}
	var b strings.Builder
	for _, p := range artifacts.CubeViewUIParts {
		if g.r.IntN(2) == 0 {
			b.WriteString(p)
		}
	}
	if b.Len() == 0 {
		return "Forms"
	}
	return b.String()
}

// value returns a random valid value for column ci of t (ok false when no
// name to refer to exists yet).
func (g *Gen) value(t *artifacts.Tab, ci int) (string, bool) {
	c := &t.Columns[ci]
	switch c.Kind {
	case artifacts.KindName:
		if t.ID == artifacts.TabCubeDataCellAccess {
			if len(g.cubes) == 0 {
				return "", false
			}
			return g.pick(g.cubes), true
		}
		if t.ID == artifacts.TabUsers {
			return g.uniqueName(genFirst), true
		}
		return g.uniqueName(genWords), true
	case artifacts.KindUser:
		if len(g.users) == 0 {
			return "", false
		}
		return g.pick(g.users), true
	case artifacts.KindGroup:
		// A user enters an exclusion group through UsersInExGroups only, and
		// an exclusion group's members are its entries: never a ParentGroup.
		return g.groupRef(!t.Relationship, !(t.Relationship && c.Name == "ParentGroup"))
	case artifacts.KindExGroup:
		if len(g.exgroups) == 0 {
			return "", false
		}
		return g.pick(g.exgroups), true
	case artifacts.KindBool:
		return g.pick(artifacts.Booleans), true
	case artifacts.KindWhole:
		return strconv.Itoa(g.r.IntN(50)), true
	case artifacts.KindEnum, artifacts.KindRole:
		return g.pick(c.Enum), true
	case artifacts.KindNumGridRows:
		return g.pick(artifacts.NumGridRowsValues), true
	case artifacts.KindUIVisibility:
		return g.uiVisibility(), true
	case artifacts.KindMemberFilter:
		if g.words != nil && g.r.IntN(3) == 0 {
			// Parts are comma-separated, so a member name has no comma.
			return c.Prefix + "Houston, " + c.Prefix + "[" + strings.ReplaceAll(g.pick(g.words), ",", ";") + "].Children", true
		}
		if g.r.IntN(3) == 0 {
			return c.Prefix + g.pick([]string{"Top.Base", "Houston", "Root.Children"}), true
		}
		return "", true
	case artifacts.KindEmail:
		return g.pick([]string{"", "jessica@golfstream.example.com", "pat@example.org"}), true
	case artifacts.KindCulture:
		return g.pick([]string{"", "en-US", "fr-FR"}), true
	case artifacts.KindPassword:
		if g.r.IntN(2) == 0 {
			return "", true
		}
		if g.words != nil {
			// Opaque values; one that starts with "=" must stay text.
			return g.pick([]string{"=", "+", "AQAAANCMnd8"}) + fmt.Sprintf("%x==", g.r.Uint64()), true
		}
		return fmt.Sprintf("ENC(%016x)", g.r.Uint64()), true
	case artifacts.KindActionType, artifacts.KindActionValue:
		return "", true
	}
	return g.text(), true
}

// AddRow appends a random row to t, keeping keys unique and exclusion
// orders unique; it reports whether it did.
func (g *Gen) AddRow(env *artifacts.Environment, t *artifacts.Tab) bool {
	cells := make([]string, len(t.Columns))
	for ci := range t.Columns {
		v, ok := g.value(t, ci)
		if !ok {
			return false
		}
		cells[ci] = v
	}
	key := make([]string, len(t.Key))
	for j, ci := range t.Key {
		key[j] = cells[ci]
	}
	if t.ID == artifacts.TabGroupsInGroups && reaches(env, key[1], key[0]) {
		return false // the nesting would make a cycle
	}
	if _, taken := t.Find(env, key...); taken {
		return false
	}
	if t.ID == artifacts.TabGroups || t.ID == artifacts.TabExGroup {
		other := artifacts.TabExGroup.Tab()
		if t.ID == artifacts.TabExGroup {
			other = artifacts.TabGroups.Tab()
		}
		if _, taken := other.Find(env, key...); taken {
			return false
		}
	}
	if col := t.Column("ProcessingOrder"); col >= 0 && t.Relationship {
		ex := artifacts.Fold(cells[t.Column("ExGroup")])
		cells[col] = strconv.Itoa(g.orders[ex])
		g.orders[ex] += 1 + g.r.IntN(3)
	}
	if _, err := t.Append(env, cells); err != nil {
		panic(err)
	}
	switch t.ID {
	case artifacts.TabUsers:
		g.users = append(g.users, key[0])
	case artifacts.TabGroups:
		g.groups = append(g.groups, key[0])
	case artifacts.TabExGroup:
		g.exgroups = append(g.exgroups, key[0])
	case artifacts.TabCube:
		g.cubes = append(g.cubes, key[0])
	}
	return true
}

// Environment returns a valid environment with size users and the
// other tabs in proportion: about 5·size rows in all.
func Environment(r *rand.Rand, size int) *artifacts.Environment {
	return EnvironmentWith(r, size, Options{})
}

// EnvironmentWith is Environment changed by opt.
func EnvironmentWith(r *rand.Rand, size int, opt Options) *artifacts.Environment {
	g := NewGenWith(r, opt)
	env := artifacts.New("Random")
	g.Load(env)
	counts := []struct {
		tab artifacts.TabID
		n   int
	}{
		{artifacts.TabUsers, size},
		{artifacts.TabGroups, size/3 + 3},
		{artifacts.TabExGroup, size/10 + 1},
		{artifacts.TabUsersInGroups, 2 * size},
		{artifacts.TabGroupsInGroups, size / 3},
		{artifacts.TabUsersInExGroups, size / 5},
		{artifacts.TabGroupsInExGroups, size / 10},
		{artifacts.TabCube, size/100 + 2},
	}
	for _, c := range counts {
		for range c.n {
			g.AddRow(env, c.tab.Tab())
		}
	}
	for _, t := range artifacts.AllTabs() {
		if t.ID >= artifacts.TabWorkflow && t.ID != artifacts.TabCube { // artifacts and slice rules
			for range size/10 + 1 {
				g.AddRow(env, t)
			}
		}
	}
	// A user that shares a group's name: separate namespaces.
	if len(g.groups) > 0 {
		env.Users = append(env.Users, artifacts.User{User: g.groups[0], UserType: "View", NumGridRows: 10})
		env.Invalidate()
		g.users = append(g.users, g.groups[0])
	}
	env.Normalize()
	for _, tab := range []artifacts.TabID{artifacts.TabAppRoles, artifacts.TabSystemRoles} {
		t := tab.Tab()
		for i := 0; i < t.Len(env); i++ {
			if r.IntN(4) == 0 {
				if v, ok := g.groupRef(true, true); ok {
					t.SetCell(env, i, t.Column("GroupName"), v)
				}
			}
		}
	}
	return env
}

// Mutate returns a copy of env changed by n random edits, every kind of
// edit secmgr can plan and some it cannot (casing-only changes, a group
// turned into an exclusion group of the same name). The copy is valid and
// normalized.
func Mutate(r *rand.Rand, env *artifacts.Environment, n int) *artifacts.Environment {
	out := env.Clone()
	g := NewGen(r)
	g.Seq = 1_000_000 + r.IntN(1_000_000)
	g.Load(out)
	named := []artifacts.TabID{artifacts.TabUsers, artifacts.TabGroups, artifacts.TabExGroup}
	mayAdd := []artifacts.TabID{artifacts.TabUsersInGroups, artifacts.TabGroupsInGroups, artifacts.TabUsersInExGroups, artifacts.TabGroupsInExGroups, artifacts.TabCubeDataCellAccess}
	for range n {
		switch r.IntN(12) {
		case 0, 1: // add a user, group or exclusion group, with a membership
			g.AddRow(out, named[r.IntN(3)].Tab())
			g.AddRow(out, mayAdd[r.IntN(len(mayAdd))].Tab())
		case 2: // remove one
			if t, i, ok := g.randomRow(out, named[r.IntN(3)]); ok {
				g.RemoveNamed(out, t, i)
			}
		case 3: // rename one (sometimes only its casing)
			if t, i, ok := g.randomRow(out, named[r.IntN(3)]); ok {
				old := t.KeyOf(out, i)[0]
				to := g.uniqueName(genWords)
				if r.IntN(4) == 0 {
					to = SwapCase(old)
				}
				g.RenameNamed(out, t, i, to)
			}
		case 4, 5: // add or remove relationships and slice rules
			t := mayAdd[r.IntN(len(mayAdd))].Tab()
			if r.IntN(2) == 0 {
				g.AddRow(out, t)
			} else if _, i, ok := g.randomRow(out, t.ID); ok {
				t.Delete(out, []int{i})
			}
		case 6, 7, 8: // change a value of any tab
			t := artifacts.TabID(r.IntN(int(artifacts.NumTabs))).Tab()
			cols := nonKeyColumns(t)
			if _, i, ok := g.randomRow(out, t.ID); ok && len(cols) > 0 {
				ci := cols[r.IntN(len(cols))]
				if t.Relationship && t.Columns[ci].Kind == artifacts.KindWhole {
					// ProcessingOrder stays unique within its exclusion group.
					ex := artifacts.Fold(t.Cell(out, i, t.Column("ExGroup")))
					t.SetCell(out, i, ci, strconv.Itoa(g.orders[ex]))
					g.orders[ex]++
				} else if v, ok := g.value(t, ci); ok {
					t.SetCell(out, i, ci, v)
				}
			}
		case 9: // change the casing of a name where it is stored
			g.recase(out)
		case 10: // a password: set, change or clear
			if t, i, ok := g.randomRow(out, artifacts.TabUsers); ok {
				v, _ := g.value(t, t.Column("Password"))
				t.SetCell(out, i, t.Column("Password"), v)
			}
		case 11: // a group becomes an exclusion group of the same name
			if t, i, ok := g.randomRow(out, artifacts.TabGroups); ok {
				name := t.KeyOf(out, i)[0]
				g.RemoveNamed(out, t, i)
				artifacts.TabExGroup.Tab().Append(out, []string{name, "was a group", "", ""})
				g.exgroups = append(g.exgroups, name)
			}
		}
	}
	out.Normalize()
	return out
}

func nonKeyColumns(t *artifacts.Tab) []int {
	var out []int
	for ci := range t.Columns {
		if !t.Columns[ci].Key && !t.Columns[ci].IsAction() {
			out = append(out, ci)
		}
	}
	return out
}

// SwapCase turns upper-case letters of s to lower case and the others to
// upper case: a name the case-insensitive rules must take as the same.
func SwapCase(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsUpper(r) {
			return unicode.ToLower(r)
		}
		return unicode.ToUpper(r)
	}, s)
}

// randomRow picks a row of tab, never a built-in group.
func (g *Gen) randomRow(env *artifacts.Environment, tab artifacts.TabID) (*artifacts.Tab, int, bool) {
	t := tab.Tab()
	n := t.Len(env)
	for range 5 {
		if n == 0 {
			break
		}
		i := g.r.IntN(n)
		if tab == artifacts.TabGroups && artifacts.IsBuiltinGroup(t.KeyOf(env, i)[0]) {
			continue
		}
		return t, i, true
	}
	return nil, 0, false
}

// RefKinds are the kinds of the columns that name a row of t.
func RefKinds(t *artifacts.Tab) []artifacts.Kind {
	switch t.ID {
	case artifacts.TabUsers:
		return []artifacts.Kind{artifacts.KindUser}
	case artifacts.TabGroups:
		return []artifacts.Kind{artifacts.KindGroup}
	}
	return []artifacts.Kind{artifacts.KindGroup, artifacts.KindExGroup}
}

// ForEachRef calls fn for every cell of the given kinds naming name.
func ForEachRef(env *artifacts.Environment, kinds []artifacts.Kind, name string, fn func(t *artifacts.Tab, i, ci int)) {
	for _, t := range artifacts.AllTabs() {
		for ci := range t.Columns {
			k := t.Columns[ci].Kind
			if k != kinds[0] && (len(kinds) == 1 || k != kinds[1]) {
				continue
			}
			for i := 0; i < t.Len(env); i++ {
				if strings.EqualFold(t.Cell(env, i, ci), name) {
					fn(t, i, ci)
				}
			}
		}
	}
}

// RemoveNamed removes a user, group or exclusion group the way an
// administrator would: its relationships go, other references are set to
// Nobody.
func (g *Gen) RemoveNamed(env *artifacts.Environment, t *artifacts.Tab, i int) {
	name := t.KeyOf(env, i)[0]
	t.Delete(env, []int{i})
	drop := map[*artifacts.Tab][]int{}
	ForEachRef(env, RefKinds(t), name, func(rt *artifacts.Tab, ri, ci int) {
		if rt.Relationship || t.ID == artifacts.TabUsers {
			drop[rt] = append(drop[rt], ri)
		} else {
			rt.SetCell(env, ri, ci, artifacts.Nobody)
		}
	})
	for rt, rows := range drop {
		rt.Delete(env, rows)
	}
	g.Load(env)
}

// RenameNamed renames a user, group or exclusion group everywhere.
func (g *Gen) RenameNamed(env *artifacts.Environment, t *artifacts.Tab, i int, to string) {
	old := t.KeyOf(env, i)[0]
	t.SetCell(env, i, t.Key[0], to)
	ForEachRef(env, RefKinds(t), old, func(rt *artifacts.Tab, ri, ci int) { rt.SetCell(env, ri, ci, to) })
	g.Load(env)
}

// recase changes the casing of one stored name: a key of a named tab (its
// references keep theirs) or one reference cell.
func (g *Gen) recase(env *artifacts.Environment) {
	if g.r.IntN(2) == 0 {
		if t, i, ok := g.randomRow(env, []artifacts.TabID{artifacts.TabUsers, artifacts.TabGroups, artifacts.TabExGroup}[g.r.IntN(3)]); ok {
			t.SetCell(env, i, t.Key[0], SwapCase(t.KeyOf(env, i)[0]))
		}
	} else {
		t := artifacts.TabID(g.r.IntN(int(artifacts.NumTabs))).Tab()
		var refs []int
		for ci := range t.Columns {
			if t.Columns[ci].IsReference() {
				refs = append(refs, ci)
			}
		}
		if _, i, ok := g.randomRow(env, t.ID); ok && len(refs) > 0 {
			ci := refs[g.r.IntN(len(refs))]
			t.SetCell(env, i, ci, SwapCase(t.Cell(env, i, ci)))
		}
	}
	g.Load(env)
}

// reaches reports whether group from is, or is nested (directly or not)
// in, group to.
func reaches(env *artifacts.Environment, from, to string) bool {
	parents := map[string][]string{}
	for _, r := range env.GroupsInGroups {
		c := artifacts.Fold(r.Group)
		parents[c] = append(parents[c], artifacts.Fold(r.ParentGroup))
	}
	target := artifacts.Fold(to)
	seen := map[string]bool{}
	stack := []string{artifacts.Fold(from)}
	for len(stack) > 0 {
		g := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if g == target {
			return true
		}
		if !seen[g] {
			seen[g] = true
			stack = append(stack, parents[g]...)
		}
	}
	return false
}
