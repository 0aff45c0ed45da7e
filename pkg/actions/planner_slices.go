package actions

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
	"secmgr/pkg/validate"
	"secmgr/pkg/workbook"
)

// Slice rules are identified by Cube + Type + ProcessingOrder, so changing
// a rule's order on its row would name another rule. A rule moves with
// Rename and a whole number in ActionValue, and goes with Remove.
//
// The moves and removals of one cube and type form chains: "move 2 to 3,
// move 3 to 4, remove 4". A chain is planned as a whole, from its end (the
// removal, then 3 → 4, then 2 → 3), so that each move's target is free
// when it happens. Planned again after it was applied, the same chain
// finds its rules where the moves put them and plans nothing: imports are
// idempotent.

// slicePlan records what the workbook does to existing slice rules, for
// the cascade of a group removal: a rule that moves is edited under its
// new key, a rule that goes is not edited.
type slicePlan struct {
	moved   map[string][]string     // KeyString of the old key → the new key
	removed map[string]bool         // KeyString of the key
	listed  map[string]map[int]bool // folded cube and type → orders rows list
	// unlisted maps the existing rules no row lists, by folded cube and
	// type and signature, to their index (built on first use).
	unlisted map[string]int
}

// sliceRow is a row of the CubeDataCellAccess tab.
type sliceRow struct {
	r      *workbook.Row
	key    []string // the cube as stored where it exists, the canonical type and order
	order  int
	set    string // folded cube and type
	action string
	target int // the order a Rename moves the rule to
	bad    bool
}

func sliceKey(cube, typ string, order int) []string {
	return []string{cube, typ, strconv.Itoa(order)}
}

// planSlices plans the rows of the CubeDataCellAccess tab.
func (p *planner) planSlices(s *workbook.Sheet, rows []*workbook.Row) {
	t := s.Tab
	sp := &slicePlan{moved: map[string][]string{}, removed: map[string]bool{}, listed: map[string]map[int]bool{}}
	p.slices = sp
	cubes := artifacts.TabCube.Tab()
	av := t.Column("ActionValue")
	var live []*sliceRow
	for _, r := range rows {
		key, ok := p.keyValues(s, r)
		if !ok {
			continue
		}
		if ci, found := cubes.Find(p.env, key[0]); found {
			key[0] = p.env.Cube[ci].Cube
		}
		order, _ := strconv.Atoi(key[2])
		set := artifacts.KeyString(key[:2])
		if sp.listed[set] == nil {
			sp.listed[set] = map[int]bool{}
		}
		sp.listed[set][order] = true
		action, value, ok := p.action(s, r)
		if !ok || p.duplicate(s, r.Number, r.Values, key) {
			continue
		}
		sr := &sliceRow{r: r, key: key, order: order, set: set, action: action}
		if action == artifacts.ActionRename {
			n, whole := validate.ParseWhole(value)
			if !whole {
				p.report(s, validate.Error, validate.CodeActionType, av, r.Number,
					"Rename on the %s tab moves a slice rule: ActionValue must be its new %s, a whole number of 0 or more, not '%s'", t.Name, t.Columns[t.Key[2]].Name, value)
				continue
			}
			if n == order {
				sr.action = "" // a move to where it is changes nothing
			}
			sr.target = n
		}
		live = append(live, sr)
	}

	// Settle each cube and type on its own, in the order of their rows.
	var sets []string
	bySet := map[string][]*sliceRow{}
	for _, sr := range live {
		if _, ok := bySet[sr.set]; !ok {
			sets = append(sets, sr.set)
		}
		bySet[sr.set] = append(bySet[sr.set], sr)
	}
	for _, set := range sets {
		p.planSliceSet(s, bySet[set])
	}
	for _, sr := range live {
		if sr.action == "" && !sr.bad {
			p.planArtifactRow(s, sr.r, sr.key)
		}
	}
}

// planSliceSet plans the moves and removals of the rules of one cube and
// type.
func (p *planner) planSliceSet(s *workbook.Sheet, rows []*sliceRow) {
	t := s.Tab
	out := map[int]*sliceRow{} // order → the row that moves or removes that rule
	in := map[int]*sliceRow{}  // order → the row that moves a rule there
	for _, sr := range rows {
		switch sr.action {
		case artifacts.ActionRename:
			if prev, taken := in[sr.target]; taken {
				p.report(s, validate.Error, validate.CodeConflictingRow, t.Column("ActionValue"), sr.r.Number,
					"rows %d and %d both move a slice rule to %d; each rule needs its own %s", prev.r.Number, sr.r.Number, sr.target, t.Columns[t.Key[2]].Name)
				sr.bad = true
				continue
			}
			in[sr.target] = sr
			out[sr.order] = sr
		case artifacts.ActionRemove:
			out[sr.order] = sr
		}
	}
	for _, sr := range rows {
		if mv, ok := in[sr.order]; ok && sr.action == "" {
			p.report(s, validate.Error, validate.CodeConflictingRow, t.Key[2], sr.r.Number,
				"row %d moves rule %d to %d, and this row also describes rule %d; keep one of them (the moving row's other columns apply to the moved rule)", mv.r.Number, mv.order, sr.order, sr.order)
			sr.bad = true
		}
	}
	// Chains start at a rule no row moves there.
	seen := map[int]bool{}
	for _, sr := range rows {
		if sr.bad || sr.action == "" || in[sr.order] != nil {
			continue
		}
		var chain []*sliceRow
		for cur := sr; cur != nil && !seen[cur.order]; {
			seen[cur.order] = true
			chain = append(chain, cur)
			if cur.action == artifacts.ActionRemove {
				break
			}
			cur = out[cur.target]
		}
		p.planSliceChain(s, chain)
	}
	// What is left moves in a circle: no order is free to start from.
	var circle []*sliceRow
	for _, sr := range rows {
		if !sr.bad && sr.action == artifacts.ActionRename && !seen[sr.order] {
			circle = append(circle, sr)
		}
	}
	for _, sr := range circle {
		path := []string{strconv.Itoa(sr.order)}
		for cur := out[sr.target]; cur != nil && cur != sr; cur = out[cur.target] {
			path = append(path, strconv.Itoa(cur.order))
		}
		path = append(path, strconv.Itoa(sr.order))
		p.report(s, validate.Error, validate.CodeConflictingRow, t.Column("ActionValue"), sr.r.Number,
			"the moves of slice rules %s form a circle, so no rule can move first; move one of them to a free %s in this workbook and to its place in the next", strings.Join(path, " → "), t.Columns[t.Key[2]].Name)
	}
}

// planSliceChain plans one chain of moves, ending in a free order or a
// removal: not yet applied, applied already (planned again after apply),
// or neither (an error).
func (p *planner) planSliceChain(s *workbook.Sheet, chain []*sliceRow) {
	t := s.Tab
	cube, typ := chain[0].key[0], chain[0].key[1]
	exists := func(order int) bool {
		_, ok := t.Find(p.env, sliceKey(cube, typ, order)...)
		return ok
	}
	at := t.Column("ActionType")
	last := chain[len(chain)-1]
	removal := last.action == artifacts.ActionRemove
	rest := true // every rule of the chain after the first exists
	for _, sr := range chain[1:] {
		rest = rest && exists(sr.order)
	}
	first := exists(chain[0].order)
	if removal && len(chain) > 1 && first && !exists(last.order) {
		// The rule to remove is gone already: the move into its order
		// finds it free.
		p.report(s, validate.Warning, validate.CodeAlreadyAbsent, at, last.r.Number, "slice rule %d is already absent; nothing to remove", last.order)
		chain, removal = chain[:len(chain)-1], false
		last = chain[len(chain)-1]
		rest = true
		for _, sr := range chain[1:] {
			rest = rest && exists(sr.order)
		}
	}
	endFree := removal || !exists(last.target)
	switch {
	case first && rest && endFree: // not applied yet
		if removal {
			st := stageRelRemove
			if len(chain) > 1 {
				st = stageRename // it frees the order the chain moves into
			}
			p.removeSlice(s, last, st)
			chain = chain[:len(chain)-1]
		}
		for i := len(chain) - 1; i >= 0; i-- {
			sr := chain[i]
			newKey := sliceKey(cube, typ, sr.target)
			p.slices.moved[artifacts.KeyString(sr.key)] = newKey
			p.seq++
			p.addOrdered(stageRename, t.ID, p.seq, sr.r.Number, plans.Change{Op: plans.OpRename, Tab: t.Name, Key: sr.key, NewKey: newKey, Cells: []string{s.Ref(at, sr.r.Number)}})
			if fields, _ := p.fields(s, sr.r, sr.key, true); len(fields) > 0 {
				p.add(stageEdit, t.ID, sr.r.Number, plans.Change{Op: plans.OpEdit, Tab: t.Name, Key: newKey, Fields: fields, Cells: fieldCells(s, sr.r.Number, fields)})
			}
		}
	case !first && rest && (removal || exists(last.target)): // applied already
		for _, sr := range chain {
			if sr.action == artifacts.ActionRemove {
				msg := fmt.Sprintf("slice rule %d is already absent; nothing to remove", sr.order)
				if len(chain) > 1 {
					msg = fmt.Sprintf("slice rule %d was removed and rule %d moved into its place already; nothing to remove", sr.order, chain[len(chain)-2].order)
				}
				p.report(s, validate.Warning, validate.CodeAlreadyAbsent, at, sr.r.Number, "%s", msg)
				continue
			}
			newKey := sliceKey(cube, typ, sr.target)
			p.report(s, validate.Warning, validate.CodeAlreadyRenamed, at, sr.r.Number, "slice rule %d is already moved to %d; the row's other columns apply to rule %d", sr.order, sr.target, sr.target)
			if fields, _ := p.fields(s, sr.r, newKey, true); len(fields) > 0 {
				p.add(stageEdit, t.ID, sr.r.Number, plans.Change{Op: plans.OpEdit, Tab: t.Name, Key: newKey, Fields: fields, Cells: fieldCells(s, sr.r.Number, fields)})
			}
		}
	case !first:
		if _, ok := artifacts.TabCube.Tab().Find(p.env, cube); !ok {
			p.report(s, validate.Error, validate.CodeNotExisting, t.Key[0], chain[0].r.Number, "cube '%s' does not exist%s", cube, p.suggestKey(artifacts.TabCube.Tab(), cube))
			return
		}
		p.report(s, validate.Error, validate.CodeRenameMissing, t.Key[2], chain[0].r.Number, "cube '%s' has no slice rule '%s' %d to %s", cube, typ, chain[0].order, map[bool]string{true: "remove", false: "move"}[chain[0].action == artifacts.ActionRemove])
	default:
		for _, sr := range chain[1:] {
			if !exists(sr.order) {
				p.report(s, validate.Error, validate.CodeRenameMissing, t.Key[2], sr.r.Number, "cube '%s' has no slice rule '%s' %d to %s", cube, typ, sr.order, map[bool]string{true: "remove", false: "move"}[sr.action == artifacts.ActionRemove])
				return
			}
		}
		p.report(s, validate.Error, validate.CodeRenameTarget, t.Column("ActionValue"), last.r.Number,
			"cannot move slice rule %d to %d: rule %d exists; move or remove it first (a row of this workbook may do so)", last.order, last.target, last.target)
	}
}

// removeSlice plans the removal of the slice rule of row sr.
func (p *planner) removeSlice(s *workbook.Sheet, sr *sliceRow, st stage) {
	t := s.Tab
	p.slices.removed[artifacts.KeyString(sr.key)] = true
	prio := 0 // a removal on its own comes in the order of its row
	if st == stageRename {
		p.seq++
		prio = p.seq // before the moves of its chain
	}
	p.addOrdered(st, t.ID, prio, sr.r.Number, plans.Change{Op: plans.OpRemove, Tab: t.Name, Key: sr.key, Cells: []string{s.Ref(t.Column("ActionType"), sr.r.Number)}})
}

// checkLooksMoved warns when a new slice rule equals an existing rule of
// its cube and type that the workbook no longer lists at its old order:
// most likely the person changed the order on the rule's row, which adds
// a second copy and leaves the rule where it was.
func (p *planner) checkLooksMoved(s *workbook.Sheet, r *workbook.Row, key []string) {
	t := s.Tab
	if t.ID != artifacts.TabCubeDataCellAccess || p.slices == nil {
		return
	}
	sig, ok := p.sliceSignature(s, func(ci int) (string, bool) {
		v := r.Values[ci]
		if v == "" {
			return v, true
		}
		canon, prob := validate.CheckValue(&t.Columns[ci], v)
		return canon, prob == nil || prob.Severity != validate.Error
	})
	if !ok {
		return
	}
	// The rules no row lists, by cube, type and values: built once, so
	// that a workbook of many new rules stays linear.
	if p.slices.unlisted == nil {
		p.slices.unlisted = map[string]int{}
		for i := range p.env.CubeDataCellAccess {
			rule := &p.env.CubeDataCellAccess[i]
			set := artifacts.KeyString([]string{rule.Cube, rule.Type})
			if p.slices.listed[set][rule.ProcessingOrder] {
				continue
			}
			k, _ := p.sliceSignature(s, func(ci int) (string, bool) { return t.Cell(p.env, i, ci), true })
			if _, dup := p.slices.unlisted[set+"\x00"+k]; !dup {
				p.slices.unlisted[set+"\x00"+k] = i
			}
		}
	}
	i, found := p.slices.unlisted[artifacts.KeyString(key[:2])+"\x00"+sig]
	if !found {
		return
	}
	rule := &p.env.CubeDataCellAccess[i]
	desc := ""
	if rule.Description != "" {
		desc = fmt.Sprintf(" '%s'", rule.Description)
	}
	p.report(s, validate.Warning, validate.CodeLooksMoved, t.Key[2], r.Number,
		"rule %d%s seems to have moved to %s: write Rename with ActionValue %s on its row to move it, or this adds a second copy", rule.ProcessingOrder, desc, key[2], key[2])
}

// sliceSignature joins the values of the sheet's columns other than the
// key (references as the names they end up as, folded), as given by
// value; two rules with one signature are alike for this sheet. ok is
// false for a row with an invalid value or with no such column.
func (p *planner) sliceSignature(s *workbook.Sheet, value func(ci int) (string, bool)) (string, bool) {
	t := s.Tab
	var b strings.Builder
	n := 0
	for ci := range t.Columns {
		c := &t.Columns[ci]
		if c.Key || c.IsAction() || !s.Present[ci] {
			continue
		}
		v, ok := value(ci)
		if !ok {
			return "", false
		}
		if c.IsReference() {
			final, _, _ := p.groups.resolve(v)
			v = artifacts.Fold(final)
		}
		b.WriteString(v)
		b.WriteByte(0)
		n++
	}
	return b.String(), n > 0
}

// sliceFinalKey is the key an existing slice rule has after the plan, and
// whether the plan keeps it.
func (p *planner) sliceFinalKey(key []string) ([]string, bool) {
	if p.slices == nil {
		return key, true
	}
	k := artifacts.KeyString(key)
	if p.slices.removed[k] {
		return nil, false
	}
	if nk, ok := p.slices.moved[k]; ok {
		return slices.Clone(nk), true
	}
	return key, true
}
