package actions

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"secmgr/internal/textfmt"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
	"secmgr/pkg/validate"
	"secmgr/pkg/workbook"
)

// defaults are the values a new row gets for columns its sheet leaves
// out: what OneStream gives a new user. Nothing a person must choose is
// defaulted — UserType decides the licence — so only the culture and the
// grid size are here; the plan shows them as fields of the addition.
var defaults = map[artifacts.TabID]map[string]string{
	artifacts.TabUsers: {"Culture": "en-US", "NumGridRows": strconv.Itoa(artifacts.DefaultNumGridRows)},
}

// fields works out the field values of a row: for an existing row
// (existing=true, key = its key in final names) the fields whose value
// changes; for a new row every value it sets. ok is false when a value has
// an error (reported at its cell).
func (p *planner) fields(s *workbook.Sheet, r *workbook.Row, key []string, existing bool) (plans.Fields, bool) {
	t := s.Tab
	row := -1
	if existing {
		i, found := p.findFinal(t, key)
		if !found {
			return nil, false
		}
		row = i
	}
	var out plans.Fields
	ok := true
	for ci := range t.Columns {
		c := &t.Columns[ci]
		if c.Key || c.IsAction() {
			continue
		}
		if !s.Present[ci] {
			if existing {
				continue
			}
			if p.snap != nil {
				ok = false // a snapshot has every column: said once for the tab
				continue
			}
			if d, has := defaults[t.ID][c.Name]; has {
				out = append(out, plans.Field{Column: c.Name, New: d})
				continue
			}
			if c.Required {
				why := ""
				if c.Name == "UserType" {
					why = " (it decides the licence)"
				}
				f := s.Finding(validate.Error, validate.CodeRequired, ci, r.Number,
					fmt.Sprintf("a new %s needs a value in %s%s, and the %s tab has no %s column; add the column and fill it in", t.Artifact, c.Name, why, t.Name, c.Name))
				f.Cell = s.Ref(t.Key[0], r.Number)
				p.addFinding(f)
				ok = false
			}
			continue
		}
		raw := r.Values[ci]
		cell := s.Ref(ci, r.Number)
		if c.Kind == artifacts.KindPassword {
			if raw == "" {
				continue // empty leaves the password unchanged
			}
			old := ""
			if existing {
				old = t.Cell(p.env, row, ci)
				if old == raw {
					continue
				}
			}
			p.secrets = true
			p.snap.keepSecret(cell, raw)
			out = append(out, plans.Field{Column: c.Name, Old: mask(old), New: plans.MaskedValue, Secret: true, From: cell})
			continue
		}
		if raw == "" {
			if c.Required || (c.Kind == artifacts.KindNumGridRows && existing) {
				hint := ""
				if c.Kind == artifacts.KindGroup {
					hint = " (write Nobody to deny access)"
				}
				p.report(s, validate.Error, validate.CodeRequired, ci, r.Number, "%s is empty; it needs a value%s", c.Name, hint)
				ok = false
				continue
			}
			if c.Kind == artifacts.KindNumGridRows {
				out = append(out, plans.Field{Column: c.Name, New: strconv.Itoa(artifacts.DefaultNumGridRows)})
				continue
			}
		}
		v := raw
		if raw != "" {
			canon, prob := validate.CheckValue(c, raw)
			if prob != nil {
				p.report(s, prob.Severity, prob.Code, ci, r.Number, "%s", prob.Message)
				if prob.Severity == validate.Error {
					ok = false
					continue
				}
			}
			v = canon
			if existing && (c.Kind == artifacts.KindGroup || c.Kind == artifacts.KindExGroup) && p.keepsRemovedGroup(t, row, ci, v) {
				continue
			}
			if c.IsReference() {
				final, good := p.reference(s, r.Number, ci, v)
				if !good {
					ok = false
					continue
				}
				v = final
			}
		}
		if !existing {
			if v != "" {
				out = append(out, plans.Field{Column: c.Name, New: v})
			}
			continue
		}
		have := p.finalValue(c, t.Cell(p.env, row, ci))
		if c.IsReference() {
			if _, _, st := p.groups.resolve(have); st == stateRemoved && c.Kind != artifacts.KindUser {
				p.covered[coverKey(t.ID, key, ci)] = true
			}
			if artifacts.Fold(have) == artifacts.Fold(v) {
				continue
			}
		} else if have == v {
			continue
		}
		out = append(out, plans.Field{Column: c.Name, Old: have, New: v})
	}
	return out, ok
}

// keepsRemovedGroup reports whether group cell ci of existing row i,
// which names v, is left to the removal of that group: with --cascade an
// unchanged cell naming a group the workbook removes is part of the
// cascade (which sets it to Nobody: a full export still lists every use);
// and a cell naming a removed group that is already absent, where the
// environment holds Nobody, is a cascade applied before. A cell that
// changes a reference to a removed group is neither.
func (p *planner) keepsRemovedGroup(t *artifacts.Tab, i, ci int, v string) bool {
	final, _, st := p.groups.resolve(v)
	if st != stateRemoved {
		return false
	}
	have := artifacts.Fold(p.finalValue(&t.Columns[ci], t.Cell(p.env, i, ci)))
	e := p.groups.removed[artifacts.Fold(v)]
	switch {
	case !e.absent && p.opt.Cascade && have == artifacts.Fold(final):
		return true
	case e.absent && have == artifacts.Fold(artifacts.Nobody):
		p.absentUses[artifacts.Fold(final)]++
		return true
	}
	return false
}

// reportAbsentUses reports, at the Remove of each group that is already
// absent, the cells that still name it and are left as Nobody.
func (p *planner) reportAbsentUses() {
	names := make([]string, 0, len(p.absentUses))
	for g := range p.absentUses {
		names = append(names, g)
	}
	slices.Sort(names)
	for _, g := range names {
		e := p.groups.removed[g]
		if e.sheet == nil {
			continue
		}
		p.addFinding(e.sheet.Finding(validate.Warning, validate.CodeRemovedWithOwner, e.sheet.Tab.Column("ActionType"), e.row,
			fmt.Sprintf("%d cell(s) of this workbook still name %s '%s', which is already absent; the environment has Nobody there (an earlier --cascade), so they are no change", p.absentUses[g], e.kind, e.name)))
	}
}

// checkIdentity warns when a new user has the external identity (under
// the same provider) or the e-mail address of an existing user:
// overtyping a name is the most common wrong way to rename.
func (p *planner) checkIdentity(s *workbook.Sheet, row int, user string, fields plans.Fields) {
	if p.identities == nil {
		p.identities = make(map[string]string, 2*len(p.env.Users))
		for _, u := range p.env.Users {
			if u.ExternalUserName != "" {
				p.identities[identityKey(u.ExternalAuthProviderName, u.ExternalUserName)] = u.User
			}
			if u.Email != "" {
				p.identities[emailKey(u.Email)] = u.User
			}
		}
	}
	value := func(col string) string {
		for _, f := range fields {
			if f.Column == col {
				return f.New
			}
		}
		return ""
	}
	try := func(col, k string) bool {
		other, ok := p.identities[k]
		if !ok {
			return false
		}
		if _, _, st := p.users.resolve(other); st == stateRemoved {
			return false // removed and added on purpose: the identity moves
		}
		p.report(s, validate.Warning, validate.CodeSameIdentity, s.Tab.Column(col), row,
			"new user '%s' has the %s '%s' of the existing user '%s' — did you mean to Rename '%s'? (ActionType Rename and ActionValue '%s' on its row); otherwise two users share one identity",
			user, col, value(col), other, other, user)
		return true
	}
	if ext := value("ExternalUserName"); ext != "" && try("ExternalUserName", identityKey(value("ExternalAuthProviderName"), ext)) {
		return
	}
	if email := value("Email"); email != "" {
		try("Email", emailKey(email))
	}
}

func identityKey(provider, name string) string {
	return "x\x00" + artifacts.Fold(provider) + "\x00" + artifacts.Fold(name)
}

func emailKey(email string) string { return "e\x00" + artifacts.Fold(email) }

func mask(v string) string {
	if v == "" {
		return ""
	}
	return plans.MaskedValue
}

func coverKey(tab artifacts.TabID, key []string, col int) string {
	return fmt.Sprintf("%d\x00%s\x00%d", tab, artifacts.KeyString(key), col)
}

// reference resolves a user or group named in column col and reports a
// name that does not exist, is removed, or is of the wrong kind.
func (p *planner) reference(s *workbook.Sheet, row, col int, name string) (string, bool) {
	c := &s.Tab.Columns[col]
	if c.Kind == artifacts.KindUser {
		final, _, st := p.users.resolve(name)
		switch st {
		case stateUnknown:
			if p.snap.unchecked(p, s, row, col) {
				return "", false
			}
			p.report(s, validate.Error, validate.CodeUnknownUser, col, row, "user '%s' does not exist%s%s", name, p.snap.where(c.Kind), p.suggest(p.users, name, kindUser))
			return "", false
		case stateRemoved:
			e := p.users.removed[artifacts.Fold(name)]
			p.report(s, validate.Error, validate.CodeRemovedWithOwner, col, row, "user '%s' is removed by %s", final, e.cell)
			return "", false
		}
		if p.snap.leftOut(p, s, row, col, kindUser, st) {
			return "", false
		}
		return final, true
	}
	final, kind, st := p.groups.resolve(name)
	switch st {
	case stateUnknown:
		if p.snap.unchecked(p, s, row, col) {
			return "", false
		}
		if c.Kind == artifacts.KindExGroup {
			p.report(s, validate.Error, validate.CodeUnknownExGroup, col, row, "exclusion group '%s' does not exist%s%s", name, p.snap.where(c.Kind), p.suggest(p.groups, name, kindExGroup))
		} else {
			p.report(s, validate.Error, validate.CodeUnknownGroup, col, row, "group '%s' does not exist%s%s", name, p.snap.where(c.Kind), p.suggest(p.groups, name, kindGroup, kindExGroup))
		}
		return "", false
	case stateRemoved:
		e := p.groups.removed[artifacts.Fold(name)]
		p.report(s, validate.Error, validate.CodeRemovedWithOwner, col, row, "%s '%s' is removed by %s; name another group (or Nobody)", kind, final, e.cell)
		return "", false
	}
	if c.Kind == artifacts.KindExGroup && kind != kindExGroup {
		p.report(s, validate.Error, validate.CodeUnknownExGroup, col, row, "'%s' is a group, not an exclusion group%s", final, p.suggest(p.groups, name, kindExGroup))
		return "", false
	}
	if p.snap.leftOut(p, s, row, col, kind, st) {
		return "", false
	}
	return final, true
}

// planRelationship plans a row of UsersInGroups, GroupsInGroups,
// UsersInExGroups or GroupsInExGroups: rows merge, Remove removes.
func (p *planner) planRelationship(s *workbook.Sheet, r *workbook.Row) {
	t := s.Tab
	key, ok := p.keyValues(s, r)
	if !ok {
		return
	}
	action, _, ok := p.action(s, r)
	if !ok {
		return
	}
	if p.duplicate(s, r.Number, r.Values, key) {
		return
	}
	// Resolve both sides.
	removedSide := ""
	leftOut := false
	for j, ci := range t.Key {
		c := &t.Columns[ci]
		var st nameState
		var final string
		var kind nameKind
		if c.Kind == artifacts.KindUser {
			final, kind, st = p.users.resolve(key[j])
		} else {
			final, kind, st = p.groups.resolve(key[j])
		}
		switch st {
		case stateRemoved:
			removedSide = fmt.Sprintf("%s '%s'", kind, final)
			key[j] = final
			continue
		case stateAdded:
			// Both sides are told: the user may need two areas added.
			leftOut = p.snap.leftOut(p, s, r.Number, ci, kind, st) || leftOut
		case stateUnknown:
			if p.opt.NamesMayBeGone && action == artifacts.ActionRemove {
				what := "group"
				if c.Kind == artifacts.KindUser {
					what = "user"
				}
				p.report(s, validate.Warning, validate.CodeAlreadyAbsent, t.Column("ActionType"), r.Number, "%s '%s' no longer exists; nothing to remove", what, key[j])
				return
			}
			p.reference(s, r.Number, ci, key[j]) // reports with a suggestion
			return
		}
		if c.Kind == artifacts.KindExGroup && kind != kindExGroup {
			p.report(s, validate.Error, validate.CodeUnknownExGroup, ci, r.Number, "'%s' is a group, not an exclusion group%s", final, p.suggest(p.groups, key[j], kindExGroup))
			return
		}
		if t.ID == artifacts.TabGroupsInGroups && c.Name == "ParentGroup" && kind == kindExGroup && action == "" {
			p.report(s, validate.Error, validate.CodeDomain, ci, r.Number, "'%s' is an exclusion group; its members are its entries on the UsersInExGroups and GroupsInExGroups tabs", final)
			return
		}
		if t.ID == artifacts.TabUsersInGroups && c.Name == "ParentGroup" && kind == kindExGroup && action == "" {
			// Without a ProcessingOrder and AllowAccess the entry would let
			// the user in unconditionally.
			p.report(s, validate.Error, validate.CodeDomain, ci, r.Number, "'%s' is an exclusion group; a user enters it only on the UsersInExGroups tab, with a ProcessingOrder and AllowAccess — move this row there", final)
			return
		}
		if c.Name == "ParentGroup" && (strings.EqualFold(final, artifacts.Everyone) || strings.EqualFold(final, artifacts.Nobody)) && action == "" {
			p.report(s, validate.Error, validate.CodeBuiltin, ci, r.Number, "%s has fixed members (Everyone holds every user, Nobody holds none); it cannot be given members", final)
			return
		}
		key[j] = final
	}
	if leftOut {
		return
	}
	if removedSide != "" {
		p.report(s, validate.Warning, validate.CodeRemovedWithOwner, t.Key[0], r.Number, "%s is removed by this workbook; its relationships go with it, so this row changes nothing", removedSide)
		return
	}
	if cell, ok := p.memberRemoved[memberKey(t.ID, key)]; ok {
		p.report(s, validate.Warning, validate.CodeRemovedByRow, t.Key[0], r.Number, "%s %s is removed by %s (Remove with a member); that row decides, so this row changes nothing", t.Artifact, describeKey(key), cell)
		return
	}
	if t.ID == artifacts.TabGroupsInGroups && artifacts.Fold(key[0]) == artifacts.Fold(key[1]) {
		p.report(s, validate.Error, validate.CodeSelfMember, t.Key[1], r.Number, "group '%s' cannot be a member of itself", key[0])
		return
	}
	i, exists := p.findFinal(t, key)
	actionCell := s.Ref(t.Column("ActionType"), r.Number)
	if action == artifacts.ActionRemove {
		if !exists {
			p.report(s, validate.Warning, validate.CodeAlreadyAbsent, t.Column("ActionType"), r.Number, "%s %s is already absent; nothing to remove", t.Artifact, describeKey(key))
			return
		}
		p.removeRelationship(t.ID, key, t.ID, r.Number, actionCell)
		return
	}
	exTab := t.ID == artifacts.TabUsersInExGroups || t.ID == artifacts.TabGroupsInExGroups
	if exists {
		stored := p.finalKey(t, i)
		if !exTab {
			return // merge: already there
		}
		fields, ok := p.fields(s, r, stored, true)
		if !ok {
			return
		}
		p.recordEntry(s, r, stored)
		if len(fields) > 0 {
			p.add(stageRelAdd, t.ID, r.Number, plans.Change{Op: plans.OpEdit, Tab: t.Name, Key: stored, Fields: fields, Cells: fieldCells(s, r.Number, fields)})
		}
		return
	}
	fields, ok := p.fields(s, r, key, false)
	if !ok {
		return
	}
	if exTab {
		p.recordEntry(s, r, key)
	}
	if t.ID == artifacts.TabGroupsInGroups {
		p.edgeAdds = append(p.edgeAdds, edge{child: key[0], parent: key[1], cell: s.Ref(t.Key[0], r.Number), tab: t.Name, row: r.Number, column: s.Headers[t.Key[0]]})
	}
	p.add(stageRelAdd, t.ID, r.Number, plans.Change{Op: plans.OpAdd, Tab: t.Name, Key: key, Fields: fields, Cells: []string{s.Ref(t.Key[0], r.Number)}})
}

func describeKey(key []string) string {
	return "'" + strings.Join(key, "' in '") + "'"
}

// recordEntry notes an exclusion-group entry the workbook sets, for the
// ProcessingOrder check.
func (p *planner) recordEntry(s *workbook.Sheet, r *workbook.Row, key []string) {
	t := s.Tab
	po := t.Column("ProcessingOrder")
	if !s.Present[po] {
		return
	}
	n, ok := validate.ParseWhole(r.Values[po])
	if !ok {
		return
	}
	f := artifacts.Fold(key[1])
	p.exEntries[f] = append(p.exEntries[f], exEntry{member: key[0], isGroup: t.ID == artifacts.TabGroupsInExGroups, order: n,
		cell: s.Ref(po, r.Number), row: r.Number, exgroup: key[1], fromWB: true})
}

// planArtifact plans a row of a roles or artifact tab: an edit of an
// existing artifact, or a new slice rule.
func (p *planner) planArtifact(s *workbook.Sheet, r *workbook.Row) {
	key, ok := p.keyValues(s, r)
	if !ok {
		return
	}
	if p.duplicate(s, r.Number, r.Values, key) {
		return
	}
	p.planArtifactRow(s, r, key)
}

// planArtifactRow plans a row of a roles or artifact tab by its key: an
// edit, or a new slice rule.
func (p *planner) planArtifactRow(s *workbook.Sheet, r *workbook.Row, key []string) {
	t := s.Tab
	if _, exists := t.Find(p.env, key...); exists {
		i, _ := t.Find(p.env, key...)
		stored := t.KeyOf(p.env, i)
		fields, _ := p.fields(s, r, stored, true)
		if len(fields) > 0 {
			p.add(stageEdit, t.ID, r.Number, plans.Change{Op: plans.OpEdit, Tab: t.Name, Key: stored, Fields: fields, Cells: fieldCells(s, r.Number, fields)})
		}
		return
	}
	if p.snap != nil {
		// A snapshot records every artifact it lists, of whatever tab.
		if fields, ok := p.fields(s, r, key, false); ok {
			p.add(stageRelAdd, t.ID, r.Number, plans.Change{Op: plans.OpAdd, Tab: t.Name, Key: key, Fields: fields, Cells: []string{s.Ref(t.Key[0], r.Number)}})
		}
		return
	}
	if !t.MayAdd {
		msg := fmt.Sprintf("%s '%s' does not exist; secmgr edits the security of existing %ss, it does not create them", t.Artifact, strings.Join(key, " / "), t.Artifact)
		if len(t.Key) == 1 {
			msg += p.suggestKey(t, key[0])
		}
		p.report(s, validate.Error, validate.CodeNotExisting, t.Key[0], r.Number, "%s", msg)
		return
	}
	// A new slice rule: its cube must exist and already have rules of its type.
	cubes := artifacts.TabCube.Tab()
	ci, ok := cubes.Find(p.env, key[0])
	if !ok {
		p.report(s, validate.Error, validate.CodeNotExisting, t.Key[0], r.Number, "cube '%s' does not exist%s", key[0], p.suggestKey(cubes, key[0]))
		return
	}
	key[0] = p.env.Cube[ci].Cube
	if !p.cubeHasType(key[0], key[1]) {
		p.report(s, validate.Error, validate.CodeTypeChange, t.Key[1], r.Number, "cube '%s' has no slice rules of type '%s'; secmgr adds rules of a type the cube already uses — set up the type in OneStream first", key[0], key[1])
		return
	}
	fields, ok := p.fields(s, r, key, false)
	if !ok {
		return
	}
	p.checkLooksMoved(s, r, key)
	p.add(stageRelAdd, t.ID, r.Number, plans.Change{Op: plans.OpAdd, Tab: t.Name, Key: key, Fields: fields, Cells: []string{s.Ref(t.Key[0], r.Number)}})
}

func (p *planner) cubeHasType(cube, typ string) bool {
	if p.sliceTypes == nil { // once: a workbook may add many rules
		p.sliceTypes = map[string]bool{}
		for _, rule := range p.env.CubeDataCellAccess {
			p.sliceTypes[artifacts.KeyString([]string{rule.Cube, rule.Type})] = true
		}
	}
	return p.sliceTypes[artifacts.KeyString([]string{cube, typ})]
}

// suggestKey suggests the closest existing key of a single-key tab.
func (p *planner) suggestKey(t *artifacts.Tab, name string) string {
	ck := "tab:" + t.Name
	cands, ok := p.candidateCache[ck]
	if !ok {
		for i, n := 0, t.Len(p.env); i < n; i++ {
			cands = append(cands, t.Cell(p.env, i, t.Key[len(t.Key)-1]))
		}
		p.candidateCache[ck] = cands
	}
	if !p.suggestAllowed(len(cands)) {
		return ""
	}
	if best := validate.Closest(name, cands); best != "" {
		return fmt.Sprintf(" — did you mean '%s'?", best)
	}
	return ""
}

// checkRemovedGroupsInUse finds the roles and artifacts that still use a
// group the workbook removes: an error listing them, or with Cascade an
// edit to Nobody for each.
func (p *planner) checkRemovedGroupsInUse() {
	if len(p.groups.removed) == 0 {
		return
	}
	type use struct {
		tab  *artifacts.Tab
		key  []string
		col  int
		name string
	}
	uses := map[string][]use{}
	for _, t := range artifacts.AllTabs() {
		if t.Relationship || t.ID == artifacts.TabGroups || t.ID == artifacts.TabExGroup {
			continue
		}
		for ci := range t.Columns {
			c := &t.Columns[ci]
			if c.Kind != artifacts.KindGroup && c.Kind != artifacts.KindExGroup {
				continue
			}
			for i, n := 0, t.Len(p.env); i < n; i++ {
				v := artifacts.Fold(t.Cell(p.env, i, ci))
				if _, gone := p.groups.removed[v]; !gone {
					continue
				}
				key := t.KeyOf(p.env, i)
				if p.covered[coverKey(t.ID, key, ci)] {
					continue
				}
				if t.ID == artifacts.TabCubeDataCellAccess {
					// A rule the workbook moves is edited under its new key;
					// one it removes is not edited at all.
					var kept bool
					if key, kept = p.sliceFinalKey(key); !kept {
						continue
					}
				}
				uses[v] = append(uses[v], use{t, key, ci, t.Cell(p.env, i, ci)})
			}
		}
	}
	names := make([]string, 0, len(uses))
	for g := range uses {
		names = append(names, g)
	}
	slices.Sort(names)
	for _, g := range names {
		e := p.groups.removed[g]
		list := uses[g]
		if p.opt.Cascade {
			for _, u := range list {
				p.add(stageEdit, u.tab.ID, 0, plans.Change{Op: plans.OpEdit, Tab: u.tab.Name, Key: u.key,
					Fields: plans.Fields{{Column: u.tab.Columns[u.col].Name, Old: u.name, New: artifacts.Nobody}},
					Cells:  []string{e.cell}, Note: fmt.Sprintf("--cascade: %s '%s' is removed", e.kind, e.name)})
			}
			continue
		}
		where := textfmt.First(list, 10, func(u use) string {
			return fmt.Sprintf("%s '%s' %s", u.tab.Name, strings.Join(u.key, " / "), u.tab.Columns[u.col].Name)
		})
		f := e.sheet.Finding(validate.Error, validate.CodeGroupInUse, e.sheet.Tab.Column("ActionType"), e.row,
			fmt.Sprintf("%s '%s' cannot be removed while it is used by %s; point those at another group first, or pass --cascade to set them to Nobody", e.kind, e.name, strings.Join(where, ", ")))
		p.addFinding(f)
	}
}

// checkCycles refuses GroupsInGroups additions that would make a group
// contain itself, showing the cycle.
func (p *planner) checkCycles() {
	if len(p.edgeAdds) == 0 {
		return
	}
	var kept []artifacts.GroupEdge
	for _, g := range p.env.GroupsInGroups {
		c, par := p.groups.final(g.Group), p.groups.final(g.ParentGroup)
		if _, gone := p.groups.removed[artifacts.Fold(g.Group)]; gone {
			continue
		}
		if _, gone := p.groups.removed[artifacts.Fold(g.ParentGroup)]; gone {
			continue
		}
		if p.edgeRemoves[[2]string{artifacts.Fold(c), artifacts.Fold(par)}] {
			continue
		}
		kept = append(kept, artifacts.GroupEdge{Group: c, Parent: par})
	}
	added := make([]artifacts.GroupEdge, len(p.edgeAdds))
	for i, e := range p.edgeAdds {
		added[i] = artifacts.GroupEdge{Group: e.child, Parent: e.parent}
	}
	for _, c := range artifacts.GroupCycles(kept, added) {
		e := p.edgeAdds[c.Added]
		p.addFinding(validate.Finding{Severity: validate.Error, Code: validate.CodeCycle, Tab: e.tab, Row: e.row, Column: e.column, Cell: e.cell,
			Message: fmt.Sprintf("putting '%s' into '%s' makes a cycle: %s", e.child, e.parent, strings.Join(c.Path, " → "))})
	}
}

// checkProcessingOrders refuses two entries of one exclusion group with the
// same ProcessingOrder, counting the entries that already exist.
func (p *planner) checkProcessingOrders() {
	if len(p.exEntries) == 0 {
		return
	}
	type member struct {
		isGroup bool
		name    string
	}
	final := map[string]map[member]exEntry{}
	for ex := range p.exEntries {
		final[ex] = map[member]exEntry{}
	}
	addExisting := func(name, exgroup string, isGroup bool, order int) {
		ex := artifacts.Fold(p.groups.final(exgroup))
		m, ok := final[ex]
		if !ok {
			return
		}
		ns := p.groups
		if !isGroup {
			ns = p.users
		}
		if _, gone := ns.removed[artifacts.Fold(name)]; gone {
			return
		}
		fn := ns.final(name)
		m[member{isGroup, artifacts.Fold(fn)}] = exEntry{member: fn, isGroup: isGroup, order: order, exgroup: exgroup}
	}
	for _, e := range p.env.UsersInExGroups {
		addExisting(e.User, e.ExGroup, false, e.ProcessingOrder)
	}
	for _, e := range p.env.GroupsInExGroups {
		addExisting(e.Group, e.ExGroup, true, e.ProcessingOrder)
	}
	exNames := make([]string, 0, len(p.exEntries))
	for ex := range p.exEntries {
		exNames = append(exNames, ex)
	}
	slices.Sort(exNames)
	var all []exEntry
	var entries []artifacts.OrderEntry
	for _, ex := range exNames {
		m := final[ex]
		for _, e := range p.exEntries[ex] {
			k := member{e.isGroup, artifacts.Fold(e.member)}
			if e.remove {
				delete(m, k)
				continue
			}
			m[k] = e
		}
		for _, e := range m {
			entries = append(entries, artifacts.OrderEntry{ExGroup: ex, Member: e.member, IsGroup: e.isGroup, Order: e.order, Changed: e.fromWB, Ref: len(all)})
			all = append(all, e)
		}
	}
	for _, clash := range artifacts.OrderClashes(entries) {
		for _, ce := range clash {
			if !ce.Changed {
				continue
			}
			e := all[ce.Ref]
			var others []string
			for _, co := range clash {
				if co.Ref == ce.Ref {
					continue
				}
				o := all[co.Ref]
				where := "an existing entry"
				if o.fromWB {
					where = o.cell
				}
				kind := "user"
				if o.isGroup {
					kind = "group"
				}
				others = append(others, fmt.Sprintf("%s '%s' (%s)", kind, o.member, where))
			}
			t := artifacts.TabUsersInExGroups.Tab()
			if e.isGroup {
				t = artifacts.TabGroupsInExGroups.Tab()
			}
			p.addFinding(validate.Finding{Severity: validate.Error, Code: validate.CodeProcessingOrder, Tab: t.Name, Row: e.row, Column: "ProcessingOrder", Cell: e.cell,
				Message: fmt.Sprintf("ProcessingOrder %d is used twice in exclusion group '%s': also by %s; each entry needs its own order", e.order, e.exgroup, strings.Join(others, ", "))})
		}
	}
}
