package migrate

import (
	"cmp"
	"slices"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
	"secmgr/pkg/workbook"
)

// WriteOptions say how WriteWorkbook writes the change workbook.
type WriteOptions struct {
	// Replace replaces an existing file at the path.
	Replace bool
}

// WriteWorkbook writes the change workbook to path: every compared tab, in
// export order, with its header row and the rows that change something —
// also when there are none, so that the tabs say what was compared. It
// refuses to replace an existing file unless opt.Replace is set; the file
// is readable by its owner only, and nothing is left at path on error.
// Like an export, its user and group columns offer the names the
// destination will have in drop-down lists.
func (r *Result) WriteWorkbook(path string, opt WriteOptions) error {
	w, err := workbook.Create(path, workbook.WriteOptions{Replace: opt.Replace, Lists: r.lists, Base: &r.base, BDA: r.bda})
	if err != nil {
		return err
	}
	defer w.Abort() // a no-op after Close
	for _, id := range r.Tabs {
		if err := w.StartTab(id.Tab()); err != nil {
			return err
		}
		for _, row := range r.rows[id] {
			if err := w.WriteRow(row); err != nil {
				return err
			}
		}
	}
	return w.Close()
}

// layout assigns every kept change its workbook row and orders the
// changes as the planner plans them: by stage, then tab, then the tab and
// row that ask for it. A membership removal goes on the Users or Groups
// tab, the guide's way (bda.go).
func (c *comparer) layout(entries []*entry, res *Result) {
	// Owners with a row of their own (added or edited) keep the
	// extension: a second row of theirs would contradict the first.
	owned := map[[2]string]bool{}
	for _, e := range entries {
		if !e.drop && e.c.Op != plans.OpRemove {
			owned[[2]string{e.t.Name, artifacts.Fold(e.c.Key[0])}] = true
		}
	}
	for _, e := range entries {
		if e.drop {
			continue
		}
		if host, owner, member, ok := c.guideHost(e); ok && !owned[[2]string{host.Name, artifacts.Fold(owner)}] {
			if row, ok := c.guideRow(host, owner, member); ok {
				e.host, e.guide = host, row
			}
		}
	}
	var kept []*entry
	for _, t := range artifacts.AllTabs() {
		var adds, edits, removes, members []*entry
		for _, e := range entries {
			switch {
			case e.drop:
			case e.host == t:
				members = append(members, e)
			case e.t != t || e.host != nil:
			case e.c.Op == plans.OpAdd:
				adds = append(adds, e)
			case e.c.Op == plans.OpEdit:
				edits = append(edits, e)
			default:
				removes = append(removes, e)
			}
		}
		for _, e := range slices.Concat(adds, edits, members, removes) {
			row := e.guide
			if row == nil {
				row = c.rowOf(e)
			}
			if col := extensionColumn(e, row); col >= 0 {
				if c.opt.BDA {
					c.notBDA(e, col, 0, row)
					continue
				}
				c.notBDA(e, col, len(res.rows[t.ID])+2, row)
			}
			e.row = len(res.rows[t.ID]) + 2
			res.rows[t.ID] = append(res.rows[t.ID], row)
			kept = append(kept, e)
		}
	}
	from := func(e *entry) artifacts.TabID {
		if e.host != nil {
			return e.host.ID
		}
		return e.t.ID
	}
	slices.SortStableFunc(kept, func(a, b *entry) int {
		return cmp.Or(cmp.Compare(plannerStage(a), plannerStage(b)), cmp.Compare(a.t.ID, b.t.ID), cmp.Compare(from(a), from(b)), cmp.Compare(a.row, b.row))
	})
	for _, e := range kept {
		res.Changes = append(res.Changes, e.c)
	}
}

// plannerStage is the stage in which the planner plans a change: adds of
// users and groups, renames, edits, relationship and slice-rule adds with
// exclusion-entry edits, relationship removals, removals.
func plannerStage(e *entry) int {
	named := e.t.Named()
	switch e.c.Op {
	case plans.OpAdd:
		if named {
			return 0
		}
		return 3
	case plans.OpEdit:
		if e.t.Relationship {
			return 3
		}
		return 2
	}
	if named {
		return 5
	}
	return 4
}

// rowOf returns the workbook row of a change: for an add or an edit every
// column as the working copy has it (a field left out keeps the
// destination's value), for a removal the destination's row with
// ActionType Remove. Passwords only where a kept field sets one.
func (c *comparer) rowOf(e *entry) []string {
	t := e.t
	pw := t.Column("Password")
	if e.c.Op == plans.OpRemove {
		j, _ := t.Find(c.dst, e.c.Key...)
		row := t.Cells(c.dst, j, nil)
		if pw >= 0 {
			row[pw] = ""
		}
		row[t.Column("ActionType")] = artifacts.ActionRemove
		return row
	}
	i, _ := t.Find(c.src, e.c.Key...)
	row := t.Cells(c.src, i, nil)
	if pw >= 0 && !slices.ContainsFunc(e.c.Fields, func(f plans.Field) bool { return f.Secret }) {
		row[pw] = ""
	}
	if e.c.Op == plans.OpEdit {
		j, _ := t.Find(c.dst, e.c.Key...)
		for _, f := range e.orig {
			if ci := t.Column(f.Column); ci != pw && !slices.ContainsFunc(e.c.Fields, func(k plans.Field) bool { return k.Column == f.Column }) {
				row[ci] = t.Cell(c.dst, j, ci)
			}
		}
	}
	return row
}
