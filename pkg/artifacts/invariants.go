package artifacts

import (
	"fmt"
	"strconv"
	"strings"
)

// Violation is one broken invariant of an environment: the row it was
// found on and a message naming the tab, the row's key and what is wrong.
type Violation struct {
	Tab     TabID
	Row     int   // index of the row in its tab
	Related []int // other rows of the tab at fault: the edges of a cycle
	Msg     string
}

// An environment's own invariants, which Load refuses a file for breaking
// and which every apply must keep:
//
//   - key names follow the naming rules, role and enumerated keys are
//     known values, and no tab has two rows with one key (so each role
//     has one holder);
//   - every user, group and exclusion-group reference resolves (an empty
//     cell is no reference; the built-in groups always exist);
//   - no name is both a group and an exclusion group;
//   - no user is a plain member of an exclusion group: its entries live in
//     UsersInExGroups, with a ProcessingOrder and AllowAccess;
//   - group nesting has no cycle, and no group is a member of itself;
//   - the entries of one exclusion group have distinct ProcessingOrders.

// Violations checks env's invariants and returns up to limit violations
// (all of them when limit <= 0) and how many there are. It is linear in
// the size of env and does not change it.
func (env *Environment) Violations(limit int) ([]Violation, int) {
	c := &checker{env: env, limit: limit}
	c.run(nil)
	return c.list, c.total
}

// CheckInvariants returns nil when env keeps its invariants, or an
// *InvariantError listing the first few violations.
func (env *Environment) CheckInvariants() error {
	list, total := env.Violations(maxShown)
	if total == 0 {
		return nil
	}
	return &InvariantError{Violations: list, Total: total}
}

// maxShown is how many violations a message lists in full.
const maxShown = 5

// InvariantError is an environment that breaks its invariants.
type InvariantError struct {
	Violations []Violation // the first few
	Total      int         // how many there are
}

func (e *InvariantError) Error() string {
	return "the environment is inconsistent: " + JoinViolations(e.Violations, e.Total, func(v Violation) string { return v.Msg })
}

// JoinViolations lists the messages describe gives the violations, and
// how many more there are.
func JoinViolations(list []Violation, total int, describe func(Violation) string) string {
	parts := make([]string, 0, len(list)+1)
	for _, v := range list {
		parts = append(parts, describe(v))
	}
	if total > len(list) {
		parts = append(parts, fmt.Sprintf("and %d more", total-len(list)))
	}
	return strings.Join(parts, "; ")
}

type checker struct {
	env   *Environment
	limit int
	list  []Violation
	total int
}

func (c *checker) add(v Violation) {
	c.total++
	if c.limit <= 0 || len(c.list) < c.limit {
		c.list = append(c.list, v)
	}
}

func (c *checker) report(tab TabID, row int, format string, args ...any) {
	c.add(Violation{Tab: tab, Row: row, Msg: fmt.Sprintf(format, args...)})
}

// quoteKey formats a key for messages: 'Houston' or 'Jane / Finance'.
func quoteKey(key []string) string {
	return "'" + strings.Join(key, " / ") + "'"
}

// run checks every invariant. keys, when set, receives each tab's key
// index (folded key → row), built on the way.
func (c *checker) run(keys *[NumTabs]map[string]int) {
	env := c.env
	names := func(tab TabID) map[string]bool {
		t := tabs[tab]
		n := t.Len(env)
		m := make(map[string]bool, n)
		for i := 0; i < n; i++ {
			m[Fold(t.Cell(env, i, t.Key[0]))] = true
		}
		return m
	}
	users, groups, exgroups := names(TabUsers), names(TabGroups), names(TabExGroup)
	for i, x := range env.ExGroup {
		if groups[Fold(x.ExGroup)] {
			c.report(TabExGroup, i, "'%s' is both a group and an exclusion group", x.ExGroup)
		}
	}
	for _, t := range tabs {
		c.keys(t, keys)
		c.references(t, users, groups, exgroups)
	}
	for i, m := range env.UsersInGroups {
		if exgroups[Fold(m.ParentGroup)] && !groups[Fold(m.ParentGroup)] {
			c.report(TabUsersInGroups, i, "UsersInGroups %s: '%s' is an exclusion group; a user enters one through UsersInExGroups, with a ProcessingOrder and AllowAccess",
				quoteKey([]string{m.User, m.ParentGroup}), m.ParentGroup)
		}
	}
	c.cycles()
	c.processingOrders()
}

// keys checks key values and their uniqueness in tab t.
func (c *checker) keys(t *Tab, out *[NumTabs]map[string]int) {
	n := t.Len(c.env)
	seen := make(map[string]int, n)
	for i := 0; i < n; i++ {
		key := t.KeyOf(c.env, i)
		for j, ci := range t.Key {
			col := &t.Columns[ci]
			switch col.Kind {
			case KindName, KindUser, KindGroup, KindExGroup:
				if p := CheckName(key[j]); p != "" {
					c.report(t.ID, i, "%s %s: %s %q: %s", t.Name, quoteKey(key), t.JSONName(ci), key[j], p)
				}
			case KindRole, KindEnum:
				if !containsFold(col.Enum, key[j]) {
					c.report(t.ID, i, "%s %s: %s %q is not one of the known values", t.Name, quoteKey(key), t.JSONName(ci), key[j])
				}
			case KindWhole:
				if n, err := strconv.Atoi(key[j]); err != nil || n < 0 {
					c.report(t.ID, i, "%s %s: %s %q is not a whole number >= 0", t.Name, quoteKey(key), t.JSONName(ci), key[j])
				}
			}
		}
		k := KeyString(key)
		if prev, dup := seen[k]; dup {
			c.report(t.ID, i, "%s has two rows %s (rows %d and %d of the tab)", t.Name, quoteKey(key), prev+1, i+1)
			continue
		}
		seen[k] = i
	}
	if out != nil {
		out[t.ID] = seen
	}
}

// references checks that every reference cell of tab t resolves.
func (c *checker) references(t *Tab, users, groups, exgroups map[string]bool) {
	n := t.Len(c.env)
	for ci := range t.Columns {
		col := &t.Columns[ci]
		if !col.IsReference() {
			continue
		}
		for i := 0; i < n; i++ {
			v := t.Cell(c.env, i, ci)
			if v == "" {
				continue
			}
			f := Fold(v)
			var ok bool
			var what string
			switch col.Kind {
			case KindUser:
				ok, what = users[f], "user"
			case KindGroup:
				ok, what = groups[f] || exgroups[f] || IsBuiltinGroup(v), "group"
			default:
				ok, what = exgroups[f], "exclusion group"
			}
			if !ok {
				c.report(t.ID, i, "%s %s %s names the %s '%s', which does not exist", t.Name, quoteKey(t.KeyOf(c.env, i)), col.Name, what, v)
			}
		}
	}
}

// cycles refuses group nesting that makes a group contain itself: each
// row that closes a cycle (GroupCycles), with the cycle.
func (c *checker) cycles() {
	rows := c.env.GroupsInGroups
	edges := make([]GroupEdge, 0, len(rows))
	at := make([]int, 0, len(rows)) // the row of each edge
	rowOf := make(map[[2]string]int, len(rows))
	for i, r := range rows {
		if Fold(r.Group) == Fold(r.ParentGroup) {
			c.report(TabGroupsInGroups, i, "GroupsInGroups %s: the group '%s' is a member of itself", quoteKey([]string{r.Group, r.ParentGroup}), r.Group)
			continue
		}
		edges = append(edges, GroupEdge{r.Group, r.ParentGroup})
		at = append(at, i)
		rowOf[[2]string{Fold(r.Group), Fold(r.ParentGroup)}] = i
	}
	for _, cy := range GroupCycles(nil, edges) {
		i := at[cy.Added]
		var related []int
		for k := 0; k+1 < len(cy.Path)-1; k++ {
			related = append(related, rowOf[[2]string{Fold(cy.Path[k]), Fold(cy.Path[k+1])}])
		}
		c.add(Violation{Tab: TabGroupsInGroups, Row: i, Related: related,
			Msg: fmt.Sprintf("GroupsInGroups %s makes a cycle: %s", quoteKey([]string{rows[i].Group, rows[i].ParentGroup}), strings.Join(cy.Path, " → "))})
	}
}

// processingOrders refuses two entries of one exclusion group with one
// ProcessingOrder (OrderClashes): each entry after the first of a clash.
func (c *checker) processingOrders() {
	var entries []OrderEntry
	for i, e := range c.env.UsersInExGroups {
		entries = append(entries, OrderEntry{ExGroup: e.ExGroup, Member: e.User, Order: e.ProcessingOrder, Changed: true, Ref: i})
	}
	for i, e := range c.env.GroupsInExGroups {
		entries = append(entries, OrderEntry{ExGroup: e.ExGroup, Member: e.Group, IsGroup: true, Order: e.ProcessingOrder, Changed: true, Ref: i})
	}
	describe := func(e OrderEntry) string {
		if e.IsGroup {
			return fmt.Sprintf("group '%s'", e.Member)
		}
		return fmt.Sprintf("user '%s'", e.Member)
	}
	for _, clash := range OrderClashes(entries) {
		for _, e := range clash[1:] {
			tab := TabUsersInExGroups
			if e.IsGroup {
				tab = TabGroupsInExGroups
			}
			c.report(tab, e.Ref, "%s %s: ProcessingOrder %d is used twice in exclusion group '%s' (also by %s); each entry needs its own order",
				tabs[tab].Name, quoteKey([]string{e.Member, e.ExGroup}), e.Order, e.ExGroup, describe(clash[0]))
		}
	}
}
