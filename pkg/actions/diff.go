package actions

import (
	"slices"
	"strconv"
	"strings"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
)

// DiffOptions select what Diff compares.
type DiffOptions struct {
	// Tabs lists the tabs compared; nil means all.
	Tabs []artifacts.TabID
	// Prune also removes what dst has and src lacks, and makes dst match
	// src exactly, casing included.
	Prune bool
	// MapGroup, when set, maps a source group or exclusion-group name to
	// the destination's name (diff --map); nil maps every name to itself.
	// It applies to the Groups and ExGroup keys and to every group and
	// exclusion-group column of the source. Where two source rows map to
	// one key, the first in the source's order wins; the caller should
	// refuse such a mapping.
	MapGroup func(string) string
}

// Missing is a row of an edit-only tab that exists only in the source:
// import cannot create it (a workflow profile, a cube …).
type Missing struct {
	Tab string   `json:"tab"`
	Key []string `json:"key"`
}

// Diff stages, in the order Apply needs them: names exist before anything
// refers to them, and references have moved away before what they named
// is removed.
const (
	diffAdd       = iota // users, groups, exclusion groups
	diffEdit             // named rows, roles, artifacts, slice rules
	diffRelAdd           // relationships and slice rules
	diffRelEdit          // ProcessingOrder/AllowAccess of exclusion entries
	diffRelRemove        // relationships and slice rules (Prune)
	diffRemove           // users, groups, exclusion groups (Prune)
	numDiffStages
)

// Diff returns the changes that, applied to dst, make dst's selected tabs
// match src's, and the rows of edit-only tabs that exist only in src
// (import cannot create them).
//
// Rows are matched by key, case-insensitively: a name that differs only
// in casing is the same artifact, never a rename (Diff emits no renames:
// a renamed user is an add and, with Prune, a remove). Without Prune the
// changes only add and edit — relationships, slice rules, users and
// groups dst has beyond src stay — and names (keys and references) that
// differ only in casing are left as dst has them. With Prune, dst's
// selected tabs become exactly src's: what src lacks is removed, and a
// name whose casing differs gets an edit of that one cell (a key column
// included), so Apply(dst, Diff(src, dst, Prune)) is src byte for byte —
// the undo plan of an apply. Rows of edit-only tabs that only dst has
// stay in either case.
//
// The changes come in stages that Apply accepts in order: adds of users,
// groups and exclusion groups; edits; relationship and slice-rule adds;
// relationship edits; relationship and slice-rule removes; removals of
// users, groups and exclusion groups. Within a stage they are in tab
// order, then key order. Keys are dst's for existing rows and src's for
// new ones. An edit lists the changed fields only (Old from dst, New from
// src); an add lists every non-empty non-key field. A password is
// compared, never copied: a difference is a Secret field whose Old and New
// are MaskedValue, or "" for none, and Apply reads the value from the
// SecretSource (for an undo plan, src itself).
//
// Removing a group that a tab left out of the comparison still uses makes
// a plan Apply refuses; compare the tabs that refer to what is removed.
func Diff(src, dst *artifacts.Environment, opt DiffOptions) (changes []plans.Change, srcOnly []Missing) {
	var selected [artifacts.NumTabs]bool
	if opt.Tabs == nil {
		for i := range selected {
			selected[i] = true
		}
	}
	for _, id := range opt.Tabs {
		if id >= 0 && id < artifacts.NumTabs {
			selected[id] = true
		}
	}
	var stages [numDiffStages][]plans.Change
	for _, t := range artifacts.AllTabs() {
		if !selected[t.ID] {
			continue
		}
		s := diffTable(src, t, opt.MapGroup)
		d := diffTable(dst, t, nil)
		named := t.Named()
		addStage, editStage, removeStage := diffRelAdd, diffEdit, diffRelRemove
		if named {
			addStage, removeStage = diffAdd, diffRemove
		}
		if t.Relationship {
			editStage = diffRelEdit
		}

		var added, edited, removed []int
		for i, k := range s.keys {
			if s.first[k] != i {
				continue // a duplicate made by MapGroup: the first wins
			}
			if _, ok := d.first[k]; !ok {
				added = append(added, i)
			}
		}
		for j, k := range d.keys {
			if d.first[k] != j {
				continue
			}
			if _, ok := s.first[k]; ok {
				edited = append(edited, j)
			} else if opt.Prune && t.MayAdd {
				removed = append(removed, j)
			}
		}
		s.sort(added)
		d.sort(edited)
		d.sort(removed)

		for _, i := range added {
			key := s.key(i)
			if !t.MayAdd {
				srcOnly = append(srcOnly, Missing{Tab: t.Name, Key: key})
				continue
			}
			stages[addStage] = append(stages[addStage], plans.Change{Op: plans.OpAdd, Tab: t.Name, Key: key, Fields: addFields(t, s.rows[i])})
		}
		for _, j := range edited {
			i := s.first[d.keys[j]]
			if fields := editFields(t, s.rows[i], d.rows[j], opt.Prune); len(fields) > 0 {
				stages[editStage] = append(stages[editStage], plans.Change{Op: plans.OpEdit, Tab: t.Name, Key: d.key(j), Fields: fields})
			}
		}
		for _, j := range removed {
			stages[removeStage] = append(stages[removeStage], plans.Change{Op: plans.OpRemove, Tab: t.Name, Key: d.key(j)})
		}
	}
	for _, st := range stages {
		changes = append(changes, st...)
	}
	return changes, srcOnly
}

// table is one tab of an environment as text, for comparison.
type table struct {
	t     *artifacts.Tab
	rows  [][]string     // cells in column order
	keys  []string       // folded key of each row
	first map[string]int // folded key → first row with it
}

func diffTable(env *artifacts.Environment, t *artifacts.Tab, mapGroup func(string) string) *table {
	n := t.Len(env)
	tb := &table{t: t, rows: make([][]string, n), keys: make([]string, n), first: make(map[string]int, n)}
	_, namesGroups := otherNamespaceTab(t.ID)
	key := make([]string, len(t.Key))
	for i := 0; i < n; i++ {
		cells := t.Cells(env, i, nil)
		if mapGroup != nil {
			for ci := range t.Columns {
				c := &t.Columns[ci]
				if c.Kind == artifacts.KindGroup || c.Kind == artifacts.KindExGroup || (c.Key && namesGroups) {
					cells[ci] = mapGroup(cells[ci])
				}
			}
		}
		for j, ci := range t.Key {
			key[j] = cells[ci]
		}
		k := artifacts.KeyString(key)
		tb.rows[i], tb.keys[i] = cells, k
		if _, dup := tb.first[k]; !dup {
			tb.first[k] = i
		}
	}
	return tb
}

// key returns the key values of row i.
func (tb *table) key(i int) []string {
	k := make([]string, len(tb.t.Key))
	for j, ci := range tb.t.Key {
		k[j] = tb.rows[i][ci]
	}
	return k
}

// sort orders rows by key the way environments are sorted: whole numbers
// numerically, names case-insensitively with the stored casing breaking
// ties.
func (tb *table) sort(rows []int) {
	slices.SortFunc(rows, func(a, b int) int {
		for _, ci := range tb.t.Key {
			x, y := tb.rows[a][ci], tb.rows[b][ci]
			if tb.t.Columns[ci].Kind == artifacts.KindWhole {
				nx, _ := strconv.Atoi(x)
				ny, _ := strconv.Atoi(y)
				if nx != ny {
					if nx < ny {
						return -1
					}
					return 1
				}
				continue
			}
			if c := strings.Compare(artifacts.Fold(x), artifacts.Fold(y)); c != 0 {
				return c
			}
			if c := strings.Compare(x, y); c != 0 {
				return c
			}
		}
		return a - b
	})
}

// addFields lists every non-empty non-key column of a new row.
func addFields(t *artifacts.Tab, cells []string) plans.Fields {
	var out plans.Fields
	for ci := range t.Columns {
		c := &t.Columns[ci]
		if c.Key || c.IsAction() || cells[ci] == "" {
			continue
		}
		if c.Kind == artifacts.KindPassword {
			out = append(out, plans.Field{Column: c.Name, New: plans.MaskedValue, Secret: true})
			continue
		}
		out = append(out, plans.Field{Column: c.Name, New: cells[ci]})
	}
	return out
}

// editFields lists the columns whose value differs between the source and
// destination rows. Unless exact, names that differ only in casing do not.
func editFields(t *artifacts.Tab, s, d []string, exact bool) plans.Fields {
	var out plans.Fields
	for ci := range t.Columns {
		c := &t.Columns[ci]
		sv, dv := s[ci], d[ci]
		if c.IsAction() || sv == dv {
			continue
		}
		switch {
		case c.Kind == artifacts.KindPassword:
			out = append(out, plans.Field{Column: c.Name, Old: masked(dv), New: masked(sv), Secret: true})
		case !exact && (c.Key || c.IsReference()) && artifacts.Fold(sv) == artifacts.Fold(dv):
		default:
			out = append(out, plans.Field{Column: c.Name, Old: dv, New: sv})
		}
	}
	return out
}

// masked is how a plan shows a password: MaskedValue, or "" for none.
func masked(v string) string {
	if v == "" {
		return ""
	}
	return plans.MaskedValue
}

// Undo returns the changes that take after back to before, where after
// is before with the plan applied: Diff(before, after) with Prune, except
// that the plan's renames (of users, groups and exclusion groups, and the
// moves of slice rules) are undone as renames back rather than as a
// removal and an addition — the memberships and references follow a
// rename back just as they followed the rename. Where renaming back does
// not fit (the plan was not made by the planner), the plain Diff is
// returned.
func Undo(before, after *artifacts.Environment, applied *plans.Plan) (changes []plans.Change, srcOnly []Missing) {
	prune := DiffOptions{Prune: true}
	var back []plans.Change
	if applied != nil {
		for i := len(applied.Changes) - 1; i >= 0; i-- {
			c := &applied.Changes[i]
			if c.Op == plans.OpRename {
				back = append(back, plans.Change{Op: plans.OpRename, Tab: c.Tab, Key: slices.Clone(c.NewKey), NewKey: slices.Clone(c.Key)})
			}
		}
	}
	if len(back) == 0 {
		return Diff(before, after, prune)
	}
	// A slice rule the plan added where a moved rule was must go before
	// that rule can move back.
	var free []plans.Change
	sources := map[string]bool{}
	for _, c := range back {
		sources[c.Tab+"\x00"+artifacts.KeyString(c.Key)] = true
	}
	slice := artifacts.TabCubeDataCellAccess.Tab()
	for _, c := range back {
		if c.Tab != slice.Name || sources[c.Tab+"\x00"+artifacts.KeyString(c.NewKey)] {
			continue
		}
		if i, taken := slice.Find(after, c.NewKey...); taken {
			free = append(free, plans.Change{Op: plans.OpRemove, Tab: c.Tab, Key: slice.KeyOf(after, i)})
		}
	}
	steps := &plans.Plan{Format: plans.PlanFormat, Changes: append(free, back...)}
	steps.Summarize()
	mid, err := Apply(after, steps, nil)
	if err != nil {
		return Diff(before, after, prune)
	}
	rest, srcOnly := Diff(before, mid, prune)
	return append(steps.Changes, rest...), srcOnly
}
