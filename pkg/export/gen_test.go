package export

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"secmgr/pkg/artifacts"
)

// words are the stems of generated names and text. They include what
// spreadsheets like to reinterpret: formulas, numbers, booleans, dates,
// leading apostrophes, markup, non-ASCII letters.
var words = []string{
	"Documentation", "Legal", "Houston", "Zoë", "Ünïcödé", "日本語", "=SUM(A1:A9)", "+1", "-minus", "@at",
	"'quoted", "00123", "1e5", "TRUE", "false", "2026-03-01", "<b>&amp;</b>", "a,b", `say "hi"`, "50%",
	"$A$1", "#N/A", "x_x000D_y", "tab\u00a0space",
}

// gen builds valid random environments: every enum value from its
// domain, every reference resolvable, keys unique, exclusion group
// processing orders unique, no group cycles. Values are driven by the
// column kinds of the tab table, so a new column is generated without
// touching this code.
type gen struct {
	r        *rand.Rand
	env      *artifacts.Environment
	n        int // names made so far, to keep them unique
	users    []string
	groups   []string // user-defined groups, in creation order
	exgroups []string
	order    map[string]int // next ProcessingOrder per exclusion group
}

func (g *gen) word() string { return words[g.r.IntN(len(words))] }

// name returns a new unique name; now and then just a bare stem (once).
func (g *gen) name(prefix string) string {
	g.n++
	return fmt.Sprintf("%s%s %d", prefix, g.word(), g.n)
}

func (g *gen) text() string {
	switch g.r.IntN(5) {
	case 0:
		return ""
	case 1:
		return g.word() + "\nsecond line"
	default:
		return g.word() + " " + g.word()
	}
}

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }

// anyGroup is a group reference: a built-in, user-defined or exclusion group.
func (g *gen) anyGroup() string {
	switch {
	case g.r.IntN(4) == 0:
		return g.pick([]string{artifacts.Everyone, artifacts.Administrators, artifacts.Nobody})
	case len(g.exgroups) > 0 && g.r.IntN(6) == 0:
		return g.pick(g.exgroups)
	case len(g.groups) > 0:
		return g.pick(g.groups)
	}
	return artifacts.Nobody
}

func (g *gen) uiVisibility() string {
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
		return "OnePlace"
	}
	return b.String()
}

// value generates a value for column c of tab t.
func (g *gen) value(t *artifacts.Tab, c *artifacts.Column) string {
	switch c.Kind {
	case artifacts.KindText:
		if c.Name == "ExternalAuthProviderName" && g.r.IntN(2) == 0 {
			return "AzureAD"
		}
		return g.text()
	case artifacts.KindName:
		return g.name("")
	case artifacts.KindUser:
		return g.pick(g.users)
	case artifacts.KindGroup:
		return g.anyGroup()
	case artifacts.KindExGroup:
		return g.pick(g.exgroups)
	case artifacts.KindBool:
		return g.pick(artifacts.Booleans)
	case artifacts.KindWhole:
		return fmt.Sprint(g.r.IntN(1000))
	case artifacts.KindEnum, artifacts.KindRole:
		return g.pick(c.Enum)
	case artifacts.KindNumGridRows:
		return g.pick(artifacts.NumGridRowsValues)
	case artifacts.KindUIVisibility:
		return g.uiVisibility()
	case artifacts.KindMemberFilter:
		switch g.r.IntN(3) {
		case 0:
			return ""
		case 1:
			return c.Prefix + "Top.Base"
		}
		// Parts are comma-separated, so a member name has no comma.
		return c.Prefix + "Houston, " + c.Prefix + "[" + strings.ReplaceAll(g.word(), ",", ";") + "].Children"
	case artifacts.KindEmail:
		if g.r.IntN(3) == 0 {
			return ""
		}
		return fmt.Sprintf("user%d@example.com", g.r.IntN(1e6))
	case artifacts.KindCulture:
		return g.pick([]string{"", "en-US", "fr-FR"})
	case artifacts.KindPassword:
		if g.r.IntN(3) == 0 {
			return ""
		}
		// Opaque values; one that starts with "=" must stay text.
		return g.pick([]string{"=", "", "+", "AQAAANCMnd8"}) + fmt.Sprintf("%x==", g.r.Uint64())
	}
	return ""
}

// row generates the cells of one row of t.
func (g *gen) row(t *artifacts.Tab) []string {
	cells := make([]string, len(t.Columns))
	for i := range t.Columns {
		c := &t.Columns[i]
		if !c.IsAction() {
			cells[i] = g.value(t, c)
		}
	}
	return cells
}

// add appends a row unless its key is taken.
func (g *gen) add(t *artifacts.Tab, cells []string) bool {
	key := make([]string, len(t.Key))
	for j, ci := range t.Key {
		key[j] = cells[ci]
	}
	if _, dup := t.Find(g.env, key...); dup {
		return false
	}
	if _, err := t.Append(g.env, cells); err != nil {
		panic(err) // a bug in the generator
	}
	return true
}

// randomEnv generates an environment with about size rows per tab.
func randomEnv(seed uint64, size int) *artifacts.Environment {
	g := &gen{r: rand.New(rand.NewPCG(seed, seed^0x5ec)), env: artifacts.New(fmt.Sprintf("Random %d", seed)), order: map[string]int{}}
	tab := func(id artifacts.TabID) *artifacts.Tab { return artifacts.Tabs[id] }
	count := func() int { return 1 + g.r.IntN(size) }

	// Names first, so that references resolve.
	for range count() {
		cells := g.row(tab(artifacts.TabUsers))
		if g.add(tab(artifacts.TabUsers), cells) {
			g.users = append(g.users, cells[0])
		}
	}
	for range count() {
		cells := g.row(tab(artifacts.TabGroups))
		if g.add(tab(artifacts.TabGroups), cells) {
			g.groups = append(g.groups, cells[0])
		}
	}
	for range 1 + count()/3 {
		cells := g.row(tab(artifacts.TabExGroup))
		cells[0] = g.name("Ex ")
		if g.add(tab(artifacts.TabExGroup), cells) {
			g.exgroups = append(g.exgroups, cells[0])
		}
	}
	// Roles: every role, held by a random group.
	for _, id := range []artifacts.TabID{artifacts.TabAppRoles, artifacts.TabSystemRoles} {
		t := tab(id)
		for _, role := range t.Columns[t.Key[0]].Enum {
			g.add(t, []string{role, g.anyGroup()})
		}
	}
	for id := artifacts.TabID(0); id < artifacts.NumTabs; id++ {
		t := tab(id)
		switch id {
		case artifacts.TabUsers, artifacts.TabGroups, artifacts.TabExGroup, artifacts.TabAppRoles, artifacts.TabSystemRoles:
			continue
		}
		for range count() {
			cells := g.row(t)
			switch id {
			case artifacts.TabGroupsInGroups:
				// A group joins one created before it: no cycles.
				if len(g.groups) < 2 {
					continue
				}
				i := 1 + g.r.IntN(len(g.groups)-1)
				cells[0], cells[1] = g.groups[i], g.groups[g.r.IntN(i)]
			case artifacts.TabUsersInGroups:
				// A user enters an exclusion group through UsersInExGroups only.
				cells[1] = g.anyGroup()
				if artifacts.IsBuiltinGroup(cells[1]) || slices.Contains(g.exgroups, cells[1]) {
					continue
				}
			case artifacts.TabUsersInExGroups, artifacts.TabGroupsInExGroups:
				// Processing orders are unique within an exclusion group.
				ex := cells[1]
				if id == artifacts.TabGroupsInExGroups && strings.EqualFold(cells[0], ex) {
					continue
				}
				if !g.add(t, cells) {
					continue
				}
				i, _ := t.Find(g.env, cells[0], ex)
				g.order[ex]++
				t.SetCell(g.env, i, t.Column("ProcessingOrder"), fmt.Sprint(g.order[ex]*10))
				continue
			case artifacts.TabCubeDataCellAccess:
				if len(g.env.Cube) > 0 {
					cells[0] = g.env.Cube[g.r.IntN(len(g.env.Cube))].Cube
				}
			}
			g.add(t, cells)
		}
	}
	g.env.Normalize()
	return g.env
}

func TestRandomEnvIsValid(t *testing.T) {
	// What the generator makes must survive the strict environment file.
	for seed := range uint64(5) {
		env := randomEnv(seed, 20)
		data, err := artifacts.Marshal(env)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := artifacts.Decode(data); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
	}
}
