package migrate

import (
	"fmt"
	"slices"
	"strings"

	"secmgr/internal/textfmt"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
)

// reportOnlyInDestination reports, for Prune, the rows of edit-only tabs
// that only the destination has: a workbook cannot remove them.
func (c *comparer) reportOnlyInDestination() {
	for _, t := range artifacts.AllTabs() {
		if !c.sel[t.ID] || t.MayAdd {
			continue
		}
		for j, n := 0, t.Len(c.dst); j < n; j++ {
			key := t.KeyOf(c.dst, j)
			if _, ok := t.Find(c.src, key...); !ok {
				c.report(t, key, -1, CodeOnlyInDestination, "%s %s exists only in the destination; a workbook cannot remove it — remove it in OneStream", t.Artifact, quote(key))
			}
		}
	}
}

// filterFields drops what a workbook cannot express: slice-rule removals,
// passwords it does not carry or cannot clear, and casing (which Diff
// only reports with Prune, and respell has already made equal); and the
// removal of a name that is of another kind in the source.
func (c *comparer) filterFields(entries []*entry) {
	var notCarried []string
	for _, e := range entries {
		t, ch := e.t, &e.c
		if ch.Op == plans.OpRemove {
			switch {
			case !t.HasAction(artifacts.ActionRemove):
				c.report(t, ch.Key, -1, CodeOnlyInDestination, "%s %s exists only in the destination; a workbook cannot remove a %s — remove it in OneStream", t.Artifact, quote(ch.Key), t.Artifact)
				e.drop = true
			case (t.ID == artifacts.TabGroups || t.ID == artifacts.TabExGroup) && c.clash[artifacts.Fold(ch.Key[0])]:
				e.drop = true // reported by settleNames
			case t.ID == artifacts.TabGroupsInGroups && c.dstGroups[artifacts.Fold(ch.Key[1])].tab == artifacts.TabExGroup:
				// The planner refuses any GroupsInGroups row whose parent is an
				// exclusion group, a Remove too.
				c.report(t, ch.Key, -1, CodeOnlyInDestination, "%s %s exists only in the destination; a workbook cannot remove it, as '%s' is an exclusion group there — remove it in OneStream", t.Artifact, quote(ch.Key), ch.Key[1])
				e.drop = true
			}
			continue
		}
		var kept plans.Fields
		for _, f := range ch.Fields {
			col := &t.Columns[t.Column(f.Column)]
			switch {
			case f.Secret && !c.opt.IncludePasswords:
				notCarried = append(notCarried, ch.Key[0])
				continue
			case f.Secret && ch.Op == plans.OpEdit && f.New == "":
				c.report(t, ch.Key, t.Column(f.Column), CodePasswordNotCleared, "%s %s has a password in the destination but none in the source; a workbook cannot clear a password — clear it in OneStream", t.Artifact, quote(ch.Key))
				continue
			case ch.Op == plans.OpEdit && (col.Key || col.IsReference()) && artifacts.Fold(f.Old) == artifacts.Fold(f.New):
				continue
			}
			kept = append(kept, f)
		}
		ch.Fields = kept
		if ch.Op == plans.OpEdit && len(kept) == 0 {
			e.drop = true
		}
	}
	if len(notCarried) > 0 {
		c.report(artifacts.TabUsers.Tab(), nil, artifacts.TabUsers.Tab().Column("Password"), CodePasswordNotCarried,
			"the passwords of %s differ or are new and are not carried: the change workbook holds passwords only with --include-password-hashes", listNames(notCarried, "user"))
	}
}

// keepRemovals keeps the removal of a group or exclusion group only where
// nothing that stays uses it once the workbook's edits are made — a role,
// an artifact or a slice rule, compared or not. It returns the users and
// groups the workbook removes (folded).
func (c *comparer) keepRemovals(entries []*entry) (users, groups map[string]bool) {
	users, groups = map[string]bool{}, map[string]bool{}
	byName := map[string]*entry{}
	for _, e := range entries {
		if e.drop || e.c.Op != plans.OpRemove || !e.t.Named() {
			continue
		}
		f := artifacts.Fold(e.c.Key[0])
		if e.t.ID == artifacts.TabUsers {
			users[f] = true
		} else {
			groups[f] = true
			byName[f] = e
		}
	}
	if len(groups) == 0 {
		return users, groups
	}
	// The edits the workbook makes, by tab and row key; and the slice
	// rules it removes, which use nothing afterwards.
	edits := map[artifacts.TabID]map[string]*entry{}
	removedRules := map[string]bool{}
	for _, e := range entries {
		if !e.drop && e.c.Op == plans.OpRemove && e.t.ID == artifacts.TabCubeDataCellAccess {
			removedRules[artifacts.KeyString(e.c.Key)] = true
		}
		if e.drop || e.c.Op != plans.OpEdit {
			continue
		}
		if edits[e.t.ID] == nil {
			edits[e.t.ID] = map[string]*entry{}
		}
		edits[e.t.ID][artifacts.KeyString(e.c.Key)] = e
	}
	type use struct {
		t   *artifacts.Tab
		key []string
		col int
	}
	uses := map[string][]use{}
	for _, t := range artifacts.AllTabs() {
		if t.Relationship || t.Named() {
			continue
		}
		var cols []int
		for ci := range t.Columns {
			if groupColumn(t, ci) {
				cols = append(cols, ci)
			}
		}
		byKey := edits[t.ID]
		for i, n := 0, t.Len(c.dst); i < n; i++ {
			if t.ID == artifacts.TabCubeDataCellAccess && removedRules[artifacts.KeyString(t.KeyOf(c.dst, i))] {
				continue
			}
			var e *entry
			if byKey != nil {
				e = byKey[artifacts.KeyString(t.KeyOf(c.dst, i))]
			}
			for _, ci := range cols {
				v := t.Cell(c.dst, i, ci)
				if e != nil {
					for _, f := range e.c.Fields {
						if f.Column == t.Columns[ci].Name {
							v = f.New
						}
					}
				}
				if f := artifacts.Fold(v); groups[f] {
					uses[f] = append(uses[f], use{t, t.KeyOf(c.dst, i), ci})
				}
			}
		}
	}
	for _, e := range entries {
		f := ""
		if !e.drop && e.c.Op == plans.OpRemove && e.t.Named() {
			f = artifacts.Fold(e.c.Key[0])
		}
		list := uses[f]
		if len(list) == 0 {
			continue
		}
		where := textfmt.First(list, 5, func(u use) string {
			compared := ""
			if !c.sel[u.t.ID] {
				compared = " (not compared)"
			} else if u.t.ID == artifacts.TabCubeDataCellAccess || !u.t.MayAdd {
				if _, ok := u.t.Find(c.src, u.key...); !ok {
					compared = " (only in the destination)"
				}
			}
			return fmt.Sprintf("%s %s %s%s", u.t.Name, quote(u.key), u.t.Columns[u.col].Name, compared)
		})
		c.report(e.t, e.c.Key, -1, CodeGroupInUse, "%s '%s' exists only in the destination but is not removed: %s still use it; point them at another group, or compare their areas too",
			e.t.Artifact, e.c.Key[0], strings.Join(where, ", "))
		e.drop = true
		delete(groups, f)
	}
	return users, groups
}

// dropRemovedRelationships leaves out the removal of relationships whose
// user or group the workbook removes: they go with it.
func (c *comparer) dropRemovedRelationships(entries []*entry, users, groups map[string]bool) {
	for _, e := range entries {
		if e.drop || e.c.Op != plans.OpRemove || !e.t.Relationship {
			continue
		}
		for j, ci := range e.t.Key {
			f := artifacts.Fold(e.c.Key[j])
			if e.t.Columns[ci].Kind == artifacts.KindUser && users[f] || e.t.Columns[ci].Kind != artifacts.KindUser && groups[f] {
				e.drop = true
			}
		}
	}
}

// checkCycles leaves out the group memberships the workbook adds that
// would make a group contain itself together with the memberships the
// destination keeps (without Prune, or where a membership's removal is
// left out). Additions are taken in order; one that closes a cycle is
// left out and reported with the cycle (artifacts.GroupCycles, the
// planner's rule).
func (c *comparer) checkCycles(entries []*entry, removedGroups map[string]bool) {
	t := artifacts.TabGroupsInGroups.Tab()
	var adds []*entry
	removedEdges := map[string]bool{}
	for _, e := range entries {
		if e.drop || e.t != t {
			continue
		}
		switch e.c.Op {
		case plans.OpAdd:
			adds = append(adds, e)
		case plans.OpRemove:
			removedEdges[artifacts.KeyString(e.c.Key)] = true
		}
	}
	if len(adds) == 0 {
		return
	}
	var kept []artifacts.GroupEdge
	for _, m := range c.dst.GroupsInGroups {
		if removedGroups[artifacts.Fold(m.Group)] || removedGroups[artifacts.Fold(m.ParentGroup)] ||
			removedEdges[artifacts.KeyString([]string{m.Group, m.ParentGroup})] {
			continue
		}
		kept = append(kept, artifacts.GroupEdge{Group: m.Group, Parent: m.ParentGroup})
	}
	added := make([]artifacts.GroupEdge, len(adds))
	for i, e := range adds {
		added[i] = artifacts.GroupEdge{Group: e.c.Key[0], Parent: e.c.Key[1]}
	}
	for _, cy := range artifacts.GroupCycles(kept, added) {
		e := adds[cy.Added]
		c.report(t, e.c.Key, -1, CodeCycle, "putting '%s' into '%s' would make a cycle with the destination's memberships: %s; it is not carried",
			e.c.Key[0], e.c.Key[1], strings.Join(cy.Path, " → "))
		e.drop = true
	}
}

// slot is one entry of an exclusion group once the workbook is applied.
type slot struct {
	member  string // as named
	isGroup bool
	order   int
	dst     int    // the destination's order, -1 for a new entry
	e       *entry // the workbook row that sets it; nil for one the workbook leaves
}

// checkProcessingOrders keeps every exclusion group's ProcessingOrder
// values unique once the workbook is applied, counting the entries the
// destination keeps: an entry the workbook adds at a taken order is left
// out, an edit to a taken order keeps the destination's order. An edit
// caught in a conflict it did not cause (the destination's own entries
// share an order) is left out whole.
func (c *comparer) checkProcessingOrders(entries []*entry, removedUsers, removedGroups map[string]bool) {
	users, groups := artifacts.TabUsersInExGroups.Tab(), artifacts.TabGroupsInExGroups.Tab()
	touched := map[string]bool{}
	removed := map[string]bool{} // tab \x00 key
	for _, e := range entries {
		if e.drop || (e.t != users && e.t != groups) {
			continue
		}
		if e.c.Op == plans.OpRemove {
			removed[e.t.Name+"\x00"+artifacts.KeyString(e.c.Key)] = true
			continue
		}
		touched[artifacts.Fold(e.c.Key[1])] = true
	}
	if len(touched) == 0 {
		return
	}
	type member struct {
		isGroup bool
		name    string // folded
	}
	slots := map[string]map[member]*slot{}
	for ex := range touched {
		slots[ex] = map[member]*slot{}
	}
	add := func(name, exgroup string, isGroup bool, order int, tab *artifacts.Tab) {
		ex := artifacts.Fold(exgroup)
		m, ok := slots[ex]
		if !ok || removedGroups[ex] || removed[tab.Name+"\x00"+artifacts.KeyString([]string{name, exgroup})] {
			return
		}
		if isGroup && removedGroups[artifacts.Fold(name)] || !isGroup && removedUsers[artifacts.Fold(name)] {
			return
		}
		m[member{isGroup, artifacts.Fold(name)}] = &slot{member: name, isGroup: isGroup, order: order, dst: order}
	}
	for _, x := range c.dst.UsersInExGroups {
		add(x.User, x.ExGroup, false, x.ProcessingOrder, users)
	}
	for _, x := range c.dst.GroupsInExGroups {
		add(x.Group, x.ExGroup, true, x.ProcessingOrder, groups)
	}
	orderOf := func(e *entry) (int, bool) {
		for _, f := range e.c.Fields {
			if f.Column == "ProcessingOrder" {
				var n int
				_, err := fmt.Sscan(f.New, &n)
				return n, err == nil
			}
		}
		return 0, false
	}
	for _, e := range entries {
		if e.drop || (e.t != users && e.t != groups) || e.c.Op == plans.OpRemove {
			continue
		}
		k := member{e.t == groups, artifacts.Fold(e.c.Key[0])}
		s := slots[artifacts.Fold(e.c.Key[1])][k]
		if s == nil {
			s = &slot{member: e.c.Key[0], isGroup: k.isGroup, dst: -1}
			slots[artifacts.Fold(e.c.Key[1])][k] = s
		}
		s.e = e
		if n, ok := orderOf(e); ok {
			s.order = n
		}
	}
	exgroups := make([]string, 0, len(touched))
	for ex := range touched {
		exgroups = append(exgroups, ex)
	}
	slices.Sort(exgroups)
	describe := func(s *slot) string {
		if s.isGroup {
			return fmt.Sprintf("group '%s'", s.member)
		}
		return fmt.Sprintf("user '%s'", s.member)
	}
	for changed := true; changed; {
		changed = false
		var all []*slot
		var entries []artifacts.OrderEntry
		for _, ex := range exgroups {
			for _, s := range slots[ex] {
				entries = append(entries, artifacts.OrderEntry{ExGroup: ex, Member: s.member, IsGroup: s.isGroup, Order: s.order, Changed: s.e != nil, Ref: len(all)})
				all = append(all, s)
			}
		}
		for _, clash := range artifacts.OrderClashes(entries) {
			list := make([]*slot, len(clash))
			for i, ce := range clash {
				list[i] = all[ce.Ref]
			}
			ex, o := artifacts.Fold(clash[0].ExGroup), clash[0].Order
			for _, s := range list {
				if s.e == nil {
					continue
				}
				// Name the destination's entries at this order, or else
				// the others the workbook brings.
				var others, kept []string
				for _, o := range list {
					if o != s {
						others = append(others, describe(o))
						if o.order == o.dst {
							kept = append(kept, describe(o))
						}
					}
				}
				where := "in the destination"
				if len(kept) > 0 {
					others = kept
				} else {
					where = "in the source"
				}
				e := s.e
				exName := e.c.Key[1]
				po := e.t.Column("ProcessingOrder")
				switch {
				case e.c.Op == plans.OpAdd:
					c.report(e.t, e.c.Key, -1, CodeProcessingOrder, "%s %s is not carried: ProcessingOrder %d of exclusion group '%s' is also used by %s %s",
						e.t.Artifact, quote(e.c.Key), o, exName, strings.Join(others, ", "), where)
					e.drop = true
					delete(slots[ex], member{s.isGroup, artifacts.Fold(s.member)})
				case s.order != s.dst:
					c.report(e.t, e.c.Key, po, CodeProcessingOrder, "%s %s ProcessingOrder is not carried: %d of exclusion group '%s' is also used by %s %s; the destination keeps %d",
						e.t.Artifact, quote(e.c.Key), o, exName, strings.Join(others, ", "), where, s.dst)
					e.c.Fields = slices.DeleteFunc(e.c.Fields, func(f plans.Field) bool { return f.Column == "ProcessingOrder" })
					s.order = s.dst
					if len(e.c.Fields) == 0 {
						e.drop = true
						s.e = nil
					}
				default:
					c.report(e.t, e.c.Key, -1, CodeProcessingOrder, "%s %s is not carried: its ProcessingOrder %d of exclusion group '%s' is also used by %s %s",
						e.t.Artifact, quote(e.c.Key), o, exName, strings.Join(others, ", "), where)
					e.drop = true
					s.e = nil
				}
				changed = true
			}
		}
	}
}
