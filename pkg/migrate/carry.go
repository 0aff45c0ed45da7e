package migrate

// The steps that turn the working copy of the source into what the change
// workbook carries, before Diff compares it with the destination.

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/validate"
	"secmgr/pkg/workbook"
)

func (c *comparer) indexDestination() {
	d := c.dst
	c.dstUsers = make(map[string]string, len(d.Users))
	for _, u := range d.Users {
		c.dstUsers[artifacts.Fold(u.User)] = u.User
	}
	c.dstGroups = make(map[string]groupName, len(d.Groups)+len(d.ExGroup))
	for _, g := range d.Groups {
		c.dstGroups[artifacts.Fold(g.Group)] = groupName{g.Group, artifacts.TabGroups}
	}
	for _, x := range d.ExGroup {
		if _, both := c.dstGroups[artifacts.Fold(x.ExGroup)]; !both {
			c.dstGroups[artifacts.Fold(x.ExGroup)] = groupName{x.ExGroup, artifacts.TabExGroup}
		}
	}
	c.dstCubes = make(map[string]string, len(d.Cube))
	for _, cu := range d.Cube {
		c.dstCubes[artifacts.Fold(cu.Cube)] = cu.Cube
	}
	c.dstTypes = map[string]bool{}
	for _, r := range d.CubeDataCellAccess {
		c.dstTypes[artifacts.Fold(r.Cube)+"\x00"+artifacts.Fold(r.Type)] = true
	}
}

// groupColumn reports whether column ci of t holds a group or
// exclusion-group name: a group column, or the key of Groups and ExGroup.
func groupColumn(t *artifacts.Tab, ci int) bool {
	col := &t.Columns[ci]
	return col.Kind == artifacts.KindGroup || col.Kind == artifacts.KindExGroup ||
		(col.Key && (t.ID == artifacts.TabGroups || t.ID == artifacts.TabExGroup))
}

// mapNames renames the working copy's groups by the Map, everywhere they
// are named, after checking that it keeps the source's names apart.
func (c *comparer) mapNames() error {
	m := c.opt.Map
	if m.Empty() {
		return nil
	}
	used := make([]bool, len(m.rules))
	owner := map[string]string{} // folded new name → source name
	for _, tab := range []artifacts.TabID{artifacts.TabGroups, artifacts.TabExGroup} {
		t := tab.Tab()
		for i, n := 0, t.Len(c.src); i < n; i++ {
			name := t.Cell(c.src, i, t.Key[0])
			to, rule := m.match(name)
			if rule >= 0 {
				used[rule] = true
				if p := artifacts.CheckName(to); p != "" {
					return fmt.Errorf("--map %q maps '%s' to '%s', which is not a valid name: %s", m.rules[rule].spec, name, to, p)
				}
			}
			f := artifacts.Fold(to)
			if prev, taken := owner[f]; taken {
				return fmt.Errorf("--map makes two groups of the source one: '%s' and '%s' would both be '%s'; a mapping must keep names apart", prev, name, to)
			}
			owner[f] = name
		}
	}
	for i, u := range used {
		if !u {
			c.report(nil, nil, -1, CodeMapUnused, "--map %q matches no group or exclusion group of the source", m.rules[i].spec)
		}
	}
	cache := map[string]string{}
	for _, t := range artifacts.AllTabs() {
		for ci := range t.Columns {
			if !groupColumn(t, ci) {
				continue
			}
			for i, n := 0, t.Len(c.src); i < n; i++ {
				v := t.Cell(c.src, i, ci)
				to, ok := cache[v]
				if !ok {
					to = m.Name(v)
					cache[v] = to
				}
				if to != v {
					t.SetCell(c.src, i, ci, to)
				}
			}
		}
	}
	return nil
}

// spell returns the destination's spelling of a name written in column
// ci of t, or the canonical form of an enumerated key; other values as
// they are.
func (c *comparer) spell(t *artifacts.Tab, ci int, v string) string {
	col := &t.Columns[ci]
	var stored string
	var ok bool
	switch {
	case col.Kind == artifacts.KindUser || col.Kind == artifacts.KindName && t.ID == artifacts.TabUsers:
		if stored, ok = c.dstUsers[artifacts.Fold(v)]; !ok {
			stored, ok = c.srcUserNames[artifacts.Fold(v)]
		}
	case groupColumn(t, ci):
		var g groupName
		if g, ok = c.dstGroups[artifacts.Fold(v)]; ok {
			stored = g.name
		} else {
			stored, ok = c.srcGroupNames[artifacts.Fold(v)]
		}
	case col.Kind == artifacts.KindName && t.ID == artifacts.TabCubeDataCellAccess:
		stored, ok = c.dstCubes[artifacts.Fold(v)]
	case col.Kind == artifacts.KindEnum || col.Kind == artifacts.KindRole:
		if canon, prob := validate.CheckValue(col, v); prob == nil {
			stored, ok = canon, true
		}
	}
	if ok {
		return stored
	}
	return v
}

// respell writes the names of the working copy's compared tabs as the
// destination spells them: the key of a row the destination has, and
// every user and group name the destination knows; a name only the source
// has as the source's Users, Groups or ExGroup tab spells it, as the
// planner does. Casing is no difference between environments.
func (c *comparer) respell() {
	c.srcUserNames = make(map[string]string, len(c.src.Users))
	for _, u := range c.src.Users {
		c.srcUserNames[artifacts.Fold(u.User)] = u.User
	}
	c.srcGroupNames = make(map[string]string, len(c.src.Groups)+len(c.src.ExGroup))
	for _, g := range c.src.Groups {
		c.srcGroupNames[artifacts.Fold(g.Group)] = g.Group
	}
	for _, x := range c.src.ExGroup {
		c.srcGroupNames[artifacts.Fold(x.ExGroup)] = x.ExGroup
	}
	for _, t := range artifacts.AllTabs() {
		if !c.sel[t.ID] {
			continue
		}
		var refs []int
		for ci := range t.Columns {
			if t.Columns[ci].IsReference() && !t.Columns[ci].Key {
				refs = append(refs, ci)
			}
		}
		for i, n := 0, t.Len(c.src); i < n; i++ {
			key := t.KeyOf(c.src, i)
			if j, ok := t.Find(c.dst, key...); ok {
				for kj, dk := range t.KeyOf(c.dst, j) {
					if dk != key[kj] {
						t.SetCell(c.src, i, t.Key[kj], dk)
					}
				}
			} else {
				for kj, ci := range t.Key {
					if s := c.spell(t, ci, key[kj]); s != key[kj] {
						t.SetCell(c.src, i, ci, s)
					}
				}
			}
			for _, ci := range refs {
				if v := t.Cell(c.src, i, ci); v != "" {
					if s := c.spell(t, ci, v); s != v {
						t.SetCell(c.src, i, ci, s)
					}
				}
			}
		}
	}
}

// carry returns a value as the planner reads it from a workbook cell
// (trimmed, canonical), or a problem that keeps it out of a workbook.
func carry(col *artifacts.Column, raw string) (string, string) {
	if col.Kind == artifacts.KindPassword {
		if strings.TrimSpace(raw) != raw {
			return raw, "it has white space at its start or end, which a workbook cannot hold"
		}
		return raw, ""
	}
	v := strings.TrimSpace(raw)
	if v == "" {
		if col.Required {
			return raw, col.Name + " is empty"
		}
		return "", ""
	}
	canon, prob := validate.CheckValue(col, v)
	if prob != nil && prob.Severity == validate.Error {
		return raw, prob.Message
	}
	return canon, ""
}

// carryValues makes the working copy's values (other than names) what the
// planner will read from the workbook. A value the planner would refuse
// stays as the destination has it, or, in a row the destination lacks,
// keeps the row out of the workbook.
func (c *comparer) carryValues() {
	for _, t := range artifacts.AllTabs() {
		if !c.sel[t.ID] {
			continue
		}
		var drop []int
		for i, n := 0, t.Len(c.src); i < n; i++ {
			key := t.KeyOf(c.src, i)
			j, inDst := t.Find(c.dst, key...)
			if !t.MayAdd && !inDst {
				continue // only in the source: a finding of its own
			}
			for ci := range t.Columns {
				col := &t.Columns[ci]
				if col.Key || col.IsAction() || col.IsReference() ||
					(col.Kind == artifacts.KindPassword && !c.opt.IncludePasswords) {
					continue
				}
				raw := t.Cell(c.src, i, ci)
				v, problem := carry(col, raw)
				dv := ""
				if inDst {
					dv = t.Cell(c.dst, j, ci)
				}
				if problem == "" {
					if v != raw {
						t.SetCell(c.src, i, ci, v)
						if strings.TrimSpace(raw) != raw && (!inDst || v != dv) {
							c.report(t, key, ci, CodeWhitespace, "%s %s %s: white space at the start or end of the source's value cannot be carried in a workbook; it is carried without it", t.Artifact, quote(key), col.Name)
						}
					}
					continue
				}
				if col.Kind == artifacts.KindPassword {
					t.SetCell(c.src, i, ci, dv)
					if raw != dv {
						c.report(t, key, ci, CodeNotCarried, "%s %s: the source's password is not carried: %s", t.Artifact, quote(key), problem)
					}
					continue
				}
				if inDst {
					t.SetCell(c.src, i, ci, dv)
					if raw != dv {
						c.report(t, key, ci, CodeNotCarried, "%s %s %s: the source's value is not carried: %s; the destination keeps %s", t.Artifact, quote(key), col.Name, problem, quoteValue(dv))
					}
					continue
				}
				c.report(t, key, -1, CodeNotCarried, "%s %s is not carried: %s", t.Artifact, quote(key), problem)
				drop = append(drop, i)
				break
			}
		}
		t.Delete(c.src, drop)
	}
}

// settleNames works out which users, groups and exclusion groups exist
// once the workbook is applied, and finds the names that are a group on
// one side and an exclusion group on the other: a workbook cannot turn
// one into the other, so such a name is not carried.
func (c *comparer) settleNames() {
	c.srcGroups = map[string]groupName{}
	for _, tab := range []artifacts.TabID{artifacts.TabGroups, artifacts.TabExGroup} {
		t := tab.Tab()
		for i, n := 0, t.Len(c.src); i < n; i++ {
			name := t.Cell(c.src, i, t.Key[0])
			c.srcGroups[artifacts.Fold(name)] = groupName{name, tab}
		}
	}
	c.clash = map[string]bool{}
	for _, tab := range []artifacts.TabID{artifacts.TabGroups, artifacts.TabExGroup} {
		t := tab.Tab()
		var drop []int
		for i, n := 0, t.Len(c.src); i < n; i++ {
			name := t.Cell(c.src, i, t.Key[0])
			d, ok := c.dstGroups[artifacts.Fold(name)]
			if !ok || d.tab == tab {
				continue
			}
			c.clash[artifacts.Fold(name)] = true
			if c.sel[artifacts.TabGroups] || c.sel[artifacts.TabExGroup] {
				c.report(t, []string{name}, -1, CodeKindDiffers, "'%s' is %s in the source but %s in the destination; a workbook cannot turn one into the other, so neither it nor the rows naming it are carried — remove one of them in OneStream first",
					name, kindName(tab, true), kindName(d.tab, true))
			}
			if c.sel[tab] {
				drop = append(drop, i)
			}
		}
		t.Delete(c.src, drop)
	}

	c.users = map[string]bool{}
	if !c.sel[artifacts.TabUsers] || !c.opt.Prune {
		for f := range c.dstUsers {
			c.users[f] = true
		}
	}
	if c.sel[artifacts.TabUsers] {
		for _, u := range c.src.Users {
			c.users[artifacts.Fold(u.User)] = true
		}
	}
	c.groups = map[string]artifacts.TabID{}
	for f, g := range c.dstGroups {
		if !c.sel[g.tab] || !c.opt.Prune || c.clash[f] || artifacts.IsBuiltinGroup(g.name) {
			c.groups[f] = g.tab
		}
	}
	for f, g := range c.srcGroups {
		if c.sel[g.tab] && !c.clash[f] {
			c.groups[f] = g.tab
		}
	}
}

// lists returns the names the destination will have, for the drop-down
// lists of the workbook's user and group columns.
func (c *comparer) lists() workbook.Lists {
	var l workbook.Lists
	for f := range c.users {
		name, ok := c.dstUsers[f]
		if !ok {
			name = c.srcUserNames[f]
		}
		l.Users = append(l.Users, name)
	}
	for f, tab := range c.groups {
		g, ok := c.dstGroups[f]
		if !ok {
			g.name = c.srcGroupNames[f]
		}
		l.Groups = append(l.Groups, g.name)
		if tab == artifacts.TabExGroup {
			l.ExGroups = append(l.ExGroups, g.name)
		}
	}
	for _, list := range [][]string{l.Users, l.Groups, l.ExGroups} {
		slices.SortFunc(list, func(a, b string) int { return cmp.Or(artifacts.CompareFold(a, b), strings.Compare(a, b)) })
	}
	return l
}

// kindName names what a row of tab is: "group", or "a group" with the
// article.
func kindName(tab artifacts.TabID, article bool) string {
	name, a := "exclusion group", "an "
	switch tab {
	case artifacts.TabUsers:
		name, a = "user", "a "
	case artifacts.TabGroups:
		name, a = "group", "a "
	}
	if article {
		return a + name
	}
	return name
}

// unresolved says why the name v in column ci of t does not name what it
// must once the workbook is applied, or "" when it does.
func (c *comparer) unresolved(t *artifacts.Tab, ci int, v string) string {
	col := &t.Columns[ci]
	if v == "" {
		return col.Name + " is empty"
	}
	f := artifacts.Fold(v)
	if col.Kind == artifacts.KindUser {
		if c.users[f] {
			return ""
		}
		_, inSrc := c.srcUserNames[f]
		return c.missing(artifacts.TabUsers, v, inSrc)
	}
	if c.clash[f] {
		d := c.dstGroups[f]
		return fmt.Sprintf("'%s' is %s in the source but %s in the destination", v, kindName(c.srcGroups[f].tab, true), kindName(d.tab, true))
	}
	kind, ok := c.groups[f]
	if !ok {
		g, inSrc := c.srcGroups[f]
		if !inSrc {
			g.tab = artifacts.TabGroups
		}
		return c.missing(g.tab, v, inSrc)
	}
	switch {
	case col.Kind == artifacts.KindExGroup && kind != artifacts.TabExGroup:
		return fmt.Sprintf("'%s' is a group, not an exclusion group, in the destination", v)
	case col.Name == "ParentGroup" && t.ID == artifacts.TabGroupsInGroups && kind == artifacts.TabExGroup:
		return fmt.Sprintf("'%s' is an exclusion group in the destination; it cannot hold groups", v)
	case col.Name == "ParentGroup" && (f == artifacts.Fold(artifacts.Everyone) || f == artifacts.Fold(artifacts.Nobody)):
		return fmt.Sprintf("%s has fixed members; it cannot be given members", v)
	}
	return ""
}

// missing explains a name that will not exist in the destination.
func (c *comparer) missing(tab artifacts.TabID, name string, inSrc bool) string {
	what := kindName(tab, false)
	switch {
	case !inSrc:
		return fmt.Sprintf("%s '%s' exists in neither environment", what, name)
	case !c.sel[tab]:
		hint := ""
		if tab != artifacts.TabUsers {
			hint = ", or map the name with --map"
		}
		return fmt.Sprintf("%s '%s' does not exist in the destination and the %s area is not compared; compare it too%s", what, name, tab.Tab().Area, hint)
	}
	return fmt.Sprintf("%s '%s' is not carried either", what, name)
}

// carryReferences checks every user and group name of the working copy's
// compared rows against the names the destination will have. A name that
// does not resolve stays as the destination has it; in a row the
// destination lacks it keeps the row out. A new slice rule needs its cube,
// and rules of its type, in the destination.
func (c *comparer) carryReferences() {
	for _, t := range artifacts.AllTabs() {
		if !c.sel[t.ID] || t.Named() {
			continue
		}
		var refs []int
		for ci := range t.Columns {
			if t.Columns[ci].IsReference() {
				refs = append(refs, ci)
			}
		}
		var drop []int
	rows:
		for i, n := 0, t.Len(c.src); i < n; i++ {
			key := t.KeyOf(c.src, i)
			j, inDst := t.Find(c.dst, key...)
			if !t.MayAdd && !inDst {
				continue
			}
			for _, ci := range refs {
				v := t.Cell(c.src, i, ci)
				why := c.unresolved(t, ci, v)
				if why == "" {
					continue
				}
				col := &t.Columns[ci]
				switch {
				case inDst && col.Key:
					// The destination's row names the same: keep it as it is.
					differs := false
					for _, cj := range t.DataColumns() {
						if dv := t.Cell(c.dst, j, cj); dv != t.Cell(c.src, i, cj) {
							t.SetCell(c.src, i, cj, dv)
							differs = true
						}
					}
					if differs {
						c.report(t, key, -1, CodeNotInDestination, "%s %s is not carried: %s; the destination keeps its own", t.Artifact, quote(key), why)
					}
					continue rows
				case inDst:
					dv := t.Cell(c.dst, j, ci)
					t.SetCell(c.src, i, ci, dv)
					if artifacts.Fold(dv) != artifacts.Fold(v) {
						c.report(t, key, ci, CodeNotInDestination, "%s %s %s is not carried: %s; the destination keeps %s", t.Artifact, quote(key), col.Name, why, quoteValue(dv))
					}
				default:
					c.report(t, key, -1, CodeNotInDestination, "%s %s is not carried: %s", t.Artifact, quote(key), why)
					drop = append(drop, i)
					continue rows
				}
			}
			if t.ID == artifacts.TabCubeDataCellAccess && !inDst {
				if _, ok := c.dstCubes[artifacts.Fold(key[0])]; !ok {
					c.report(t, key, -1, CodeNotInDestination, "slice rule %s is not carried: cube '%s' does not exist in the destination; create it in OneStream first", quote(key), key[0])
					drop = append(drop, i)
				} else if !c.dstTypes[artifacts.Fold(key[0])+"\x00"+artifacts.Fold(key[1])] {
					c.report(t, key, -1, CodeSliceType, "slice rule %s is not carried: cube '%s' has no slice rules of type '%s' in the destination, and a workbook adds rules only of a type the cube already uses; set up the type in OneStream first", quote(key), key[0], key[1])
					drop = append(drop, i)
				}
			}
		}
		t.Delete(c.src, drop)
	}
}
