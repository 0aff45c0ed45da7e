package audit

import (
	"cmp"
	"fmt"
	"iter"
	"slices"
	"strings"

	"secmgr/internal/textfmt"
	"secmgr/pkg/artifacts"
)

// exEntry is one entry of an exclusion group, from either tab.
type exEntry struct {
	ref   ArtifactRef
	what  string // "user U" or "group G"
	order int
	allow bool
	user  string // the user it names, or ""
	group string // the group it names, or ""
}

func (e exEntry) String() string {
	verb := "deny"
	if e.allow {
		verb = "allow"
	}
	return fmt.Sprintf("%s %s at order %d", verb, e.what, e.order)
}

// exGroups yields every exclusion group, as the environment lists them,
// with its entries in processing order (ties in the order the environment
// lists them, users before groups). The entries are gathered once for
// every rule that reads them.
func (c *checker) exGroups() iter.Seq2[string, []exEntry] {
	if c.exEntries == nil {
		by := map[string][]exEntry{}
		for _, e := range c.env.UsersInExGroups {
			k := artifacts.Fold(e.ExGroup)
			by[k] = append(by[k], exEntry{ref(artifacts.TabUsersInExGroups, e.User, e.ExGroup), "user " + e.User, e.ProcessingOrder, e.AllowAccess, e.User, ""})
		}
		for _, e := range c.env.GroupsInExGroups {
			k := artifacts.Fold(e.ExGroup)
			by[k] = append(by[k], exEntry{ref(artifacts.TabGroupsInExGroups, e.Group, e.ExGroup), "group " + e.Group, e.ProcessingOrder, e.AllowAccess, "", e.Group})
		}
		for _, es := range by {
			slices.SortStableFunc(es, func(a, b exEntry) int { return cmp.Compare(a.order, b.order) })
		}
		c.exEntries = by
	}
	return func(yield func(string, []exEntry) bool) {
		for _, x := range c.env.ExGroup {
			if !yield(x.ExGroup, c.exEntries[artifacts.Fold(x.ExGroup)]) {
				return
			}
		}
	}
}

// checkUndecidingEntries is SM-011: an exclusion-group entry that decides
// for no one, because every user it matches is matched again by a later
// entry (the last matching entry decides). Entries that match no user at
// all are left alone: they may be waiting for members.
func checkUndecidingEntries(c *checker, r *Rule) []Finding {
	var out []Finding
	for x, es := range c.exGroups() {
		if len(es) < 2 {
			continue
		}
		matched := make([][]string, len(es)) // users each entry matches
		decider := map[string]int{}          // folded user → deciding entry
		for i, e := range es {
			if e.user != "" {
				if u, ok := c.ix.UserName(e.user); ok {
					matched[i] = []string{u}
				}
			} else if ms, err := c.ix.Members(e.group); err == nil {
				matched[i] = ms
			}
			for _, u := range matched[i] {
				decider[artifacts.Fold(u)] = i
			}
		}
		for i, e := range es {
			if len(matched[i]) == 0 {
				continue
			}
			later := map[int]bool{}
			decides := false
			for _, u := range matched[i] {
				d := decider[artifacts.Fold(u)]
				if d == i {
					decides = true
					break
				}
				later[d] = true
			}
			if decides {
				continue
			}
			var by []string
			arts := []ArtifactRef{e.ref}
			for _, j := range slices.Sorted(mapsKeys(later)) {
				by = append(by, es[j].String())
				arts = append(arts, es[j].ref)
			}
			why := "it is shadowed entirely"
			if !e.allow && slices.ContainsFunc(slices.Sorted(mapsKeys(later)), func(j int) bool { return es[j].allow }) {
				why = "a later entry allows the same people again"
			}
			out = append(out, r.finding(fmt.Sprintf("exclusion group %s: the entry %s never decides — %s: every one of its %s is decided by %s.",
				x, e, why, textfmt.Plural(len(matched[i]), "user", "users"), strings.Join(by, " or ")), arts...))
		}
	}
	return out
}

func mapsKeys(m map[int]bool) func(func(int) bool) {
	return func(yield func(int) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// checkDuplicateSliceRules is SM-012: slice rules of one cube and type
// that are the same rule — group, behaviours, access levels and every
// member filter — at different ProcessingOrders. The later copies change
// nothing and are what an edited ProcessingOrder leaves behind.
func checkDuplicateSliceRules(c *checker, r *Rule) []Finding {
	t := artifacts.TabCubeDataCellAccess.Tab()
	type group struct {
		first int
		rows  []int
	}
	seen := map[string]*group{}
	var order []string
	var b strings.Builder
	for i := range c.env.CubeDataCellAccess {
		b.Reset()
		for _, ci := range t.DataColumns() {
			// Every column but the order (the only whole number) and
			// the free-text description.
			if col := &t.Columns[ci]; col.Kind == artifacts.KindWhole || col.Kind == artifacts.KindText {
				continue
			}
			b.WriteString(artifacts.Fold(strings.TrimSpace(t.Cell(c.env, i, ci))))
			b.WriteByte(0)
		}
		k := b.String()
		g := seen[k]
		if g == nil {
			g = &group{first: i}
			seen[k] = g
			order = append(order, k)
		}
		g.rows = append(g.rows, i)
	}
	var out []Finding
	for _, k := range order {
		g := seen[k]
		if len(g.rows) < 2 {
			continue
		}
		var orders []string
		var arts []ArtifactRef
		for _, i := range g.rows {
			s := c.env.CubeDataCellAccess[i]
			orders = append(orders, fmt.Sprint(s.ProcessingOrder))
			arts = append(arts, ref(artifacts.TabCubeDataCellAccess, s.Cube, s.Type, fmt.Sprint(s.ProcessingOrder)))
		}
		s := c.env.CubeDataCellAccess[g.first]
		out = append(out, r.finding(fmt.Sprintf("cube %s, %s: the rule for %s stands %d times, at ProcessingOrders %s; the copies after the first change nothing.",
			s.Cube, s.Type, s.AccessGroup, len(g.rows), strings.Join(orders, ", ")), arts...))
	}
	return out
}
