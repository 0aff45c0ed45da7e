package actions

// Three-way planning: a workbook records the state of the environment it
// was made from (its base). When the environment has changed since, the
// workbook is planned against the base — which gives exactly the changes
// the person made — and those changes are then rebased onto the current
// environment. Cells the person left alone are no change even where the
// environment has changed since; a change of the person's to a value that
// was also changed since, to something else, is a conflict.

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"secmgr/internal/textfmt"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
	"secmgr/pkg/validate"
	"secmgr/pkg/workbook"
)

// BaseState is a past state of an environment, found in its history, and
// the applies made since.
type BaseState struct {
	Env *artifacts.Environment
	// Applies are the applies made since the state, oldest first.
	Applies []AppliedSince
}

// AppliedSince is one apply made since a base state.
type AppliedSince struct {
	Time time.Time // as the journal records it
	// After loads the state the apply left; the last apply's is the
	// current environment.
	After func() (*artifacts.Environment, error)
}

// threeWay is the three-way context of one planning run.
type threeWay struct {
	wbBase  workbook.Base
	base    *artifacts.Environment // the state the workbook was made from
	planEnv *artifacts.Environment // base with the names added since
	cur     *artifacts.Environment
	st      *BaseState

	states  []*artifacts.Environment // states[0] base … states[n] current, loaded on demand
	loadErr error
	// per step i (1…n): per namespace, folded name at step i-1 -> name at
	// step i for the names a step renamed; and the names it removed.
	stepRenames [][2]map[string]string
	stepRemoved [][2]map[string]bool
	since       [2]map[string]string // folded base name -> current name
	person      [2]map[string]string // folded new name of the person's renames -> base name
	// The person's slice rule moves the current environment already has
	// (an apply of this workbook, or the same move made since): by tab and
	// KeyString of the old key, and of the new key.
	movedFrom, movedInto map[string]bool
	findings             validate.Findings
}

// Namespaces of names.
const (
	nsUsers  = 0
	nsGroups = 1 // groups and exclusion groups
)

// prepareThreeWay decides how a workbook is planned: against env (nil
// result), or three-way against its base. A stale workbook whose base is
// not found is planned against env with the finding stale-export.
func prepareThreeWay(wb *workbook.Workbook, env *artifacts.Environment, fp string, opt PlanOptions) (*threeWay, validate.Findings, error) {
	if opt.FindBase == nil {
		return nil, nil, nil
	}
	b, ok, err := wb.Base()
	if err != nil || !ok || b.Fingerprint == fp {
		return nil, nil, err
	}
	var st *BaseState
	st, err = opt.FindBase(b.Fingerprint)
	if err != nil {
		return nil, nil, err
	}
	if st == nil {
		if opt.TwoWay {
			return nil, nil, nil
		}
		from := ""
		if b.Environment != "" && b.Environment != env.Name {
			from = fmt.Sprintf(" of environment '%s', not '%s',", b.Environment, env.Name)
		}
		if !b.Time.IsZero() {
			from += " at " + plans.FormatTime(b.Time)
		}
		msg := fmt.Sprintf("the workbook was exported%s from a state that is not in this environment's history; rows unchanged since then may revert later changes. Export again and redo the edits, or give --two-way to plan it as it is", from)
		return nil, validate.Findings{{Severity: validate.Error, Code: validate.CodeStaleExport, Message: msg}}, nil
	}
	tw := &threeWay{wbBase: b, base: st.Env, cur: env, st: st}
	if err := tw.findRenamesSince(); err != nil {
		return nil, nil, err
	}
	tw.planEnv = tw.withNamesAddedSince()
	return tw, nil, nil
}

// ref is the plan's record of the base.
func (tw *threeWay) ref() *plans.BaseRef {
	return &plans.BaseRef{Fingerprint: tw.wbBase.Fingerprint, Time: tw.wbBase.Time, Applies: len(tw.st.Applies)}
}

// withNamesAddedSince returns the base with the users, groups and
// exclusion groups made since (not renamed since): a workbook edited after
// they were made may name them.
func (tw *threeWay) withNamesAddedSince() *artifacts.Environment {
	base, cur := tw.base, tw.cur
	renamedTo := map[string]bool{}
	for ns := range 2 {
		for _, to := range tw.since[ns] {
			renamedTo[artifacts.Fold(to)] = true
		}
	}
	out := base.Clone()
	var cells []string
	for _, id := range []artifacts.TabID{artifacts.TabUsers, artifacts.TabGroups, artifacts.TabExGroup} {
		t := id.Tab()
		for i := range t.Len(cur) {
			k := t.KeyOf(cur, i)
			if nameTaken(base, k[0]) || renamedTo[artifacts.Fold(k[0])] {
				continue
			}
			cells = t.Cells(cur, i, cells[:0])
			t.Append(out, cells)
		}
	}
	out.Normalize()
	return out
}

// nameTaken reports whether a group or exclusion group (one namespace),
// or a user, has the name.
func nameTaken(env *artifacts.Environment, name string) bool {
	for _, id := range []artifacts.TabID{artifacts.TabUsers, artifacts.TabGroups, artifacts.TabExGroup} {
		if _, ok := id.Tab().Find(env, name); ok {
			return true
		}
	}
	return false
}

func namespaceTabs(ns int) []artifacts.TabID {
	if ns == nsUsers {
		return []artifacts.TabID{artifacts.TabUsers}
	}
	return []artifacts.TabID{artifacts.TabGroups, artifacts.TabExGroup}
}

// exists reports whether env has a user (ns 0) or group or exclusion
// group (ns 1) of that name, and its row.
func exists(env *artifacts.Environment, ns int, name string) (artifacts.TabID, int, bool) {
	for _, id := range namespaceTabs(ns) {
		if i, ok := id.Tab().Find(env, name); ok {
			return id, i, true
		}
	}
	return 0, 0, false
}

// columnNamespace says which names a column holds: nsUsers, nsGroups or
// -1 for none.
func columnNamespace(t *artifacts.Tab, c *artifacts.Column) int {
	switch {
	case c.Kind == artifacts.KindUser, c.Kind == artifacts.KindName && t.ID == artifacts.TabUsers:
		return nsUsers
	case c.Kind == artifacts.KindGroup, c.Kind == artifacts.KindExGroup,
		c.Kind == artifacts.KindName && (t.ID == artifacts.TabGroups || t.ID == artifacts.TabExGroup):
		return nsGroups
	}
	return -1
}

// state returns state i: 0 the base, len(Applies) the current one.
func (tw *threeWay) state(i int) (*artifacts.Environment, error) {
	if tw.states == nil {
		tw.states = make([]*artifacts.Environment, len(tw.st.Applies)+1)
		tw.states[0] = tw.base
		tw.states[len(tw.states)-1] = tw.cur
	}
	if tw.states[i] == nil {
		env, err := tw.st.Applies[i-1].After()
		if err != nil {
			return nil, err
		}
		tw.states[i] = env
	}
	return tw.states[i], nil
}

// findRenamesSince follows the users and groups of the base that the
// current environment no longer has through the applies made since: in
// each, a name that went while exactly one new name of the same tab with
// the same values came is a rename.
func (tw *threeWay) findRenamesSince() error {
	tw.since = [2]map[string]string{{}, {}}
	tw.person = [2]map[string]string{{}, {}}
	gone := false
	for ns := range 2 {
		for _, id := range namespaceTabs(ns) {
			t := id.Tab()
			for i := range t.Len(tw.base) {
				if _, _, ok := exists(tw.cur, ns, t.KeyOf(tw.base, i)[0]); !ok {
					gone = true
				}
			}
		}
	}
	if !gone {
		return nil
	}
	n := len(tw.st.Applies)
	tw.stepRenames = make([][2]map[string]string, n+1)
	tw.stepRemoved = make([][2]map[string]bool, n+1)
	for step := 1; step <= n; step++ {
		before, err := tw.state(step - 1)
		if err != nil {
			return err
		}
		after, err := tw.state(step)
		if err != nil {
			return err
		}
		tw.stepRenames[step] = [2]map[string]string{{}, {}}
		tw.stepRemoved[step] = [2]map[string]bool{{}, {}}
		var pairs [2]map[string]string // per namespace, from -> to
		for ns := range 2 {
			pairs[ns] = map[string]string{}
			for _, id := range namespaceTabs(ns) {
				t := id.Tab()
				// values (without the name) -> names that came
				came := map[string][]string{}
				for i := range t.Len(after) {
					name := t.KeyOf(after, i)[0]
					if _, _, ok := exists(before, ns, name); !ok {
						v := rowValues(t, after, i)
						came[v] = append(came[v], name)
					}
				}
				went := map[string][]string{}
				for i := range t.Len(before) {
					name := t.KeyOf(before, i)[0]
					if _, _, ok := exists(after, ns, name); ok {
						continue
					}
					v := rowValues(t, before, i)
					went[v] = append(went[v], name)
					tw.stepRemoved[step][ns][artifacts.Fold(name)] = true
				}
				for v, names := range went {
					if len(names) == 1 && len(came[v]) == 1 {
						pairs[ns][names[0]] = came[v][0]
					}
				}
			}
		}
		// A rename keeps the memberships, under the new names of the
		// parent groups the same apply renamed (an apply of a workbook
		// that renames a user and one of her groups). Groups first: the
		// users' parents are groups. A pair whose memberships differ is a
		// removal and an addition: a conflict, never a wrong target.
		for _, ns := range []int{nsGroups, nsUsers} {
			accepted := renamesKeepingMemberships(before, after, ns, pairs[ns], tw.stepRenames[step][nsGroups])
			for from, to := range accepted {
				tw.stepRenames[step][ns][artifacts.Fold(from)] = to
				delete(tw.stepRemoved[step][ns], artifacts.Fold(from))
			}
		}
	}
	for ns := range 2 {
		for _, id := range namespaceTabs(ns) {
			t := id.Tab()
			for i := range t.Len(tw.base) {
				name := t.KeyOf(tw.base, i)[0]
				if to, _ := tw.follow(ns, name, n); to != "" && to != name {
					tw.since[ns][artifacts.Fold(name)] = to
				}
			}
		}
	}
	return nil
}

// follow traces a base name through the first `upto` applies: its name
// after them ("" once removed) and the step that renamed or removed it
// last (0 for none).
func (tw *threeWay) follow(ns int, name string, upto int) (string, int) {
	last := 0
	for step := 1; step <= upto && step < len(tw.stepRenames); step++ {
		f := artifacts.Fold(name)
		if to, ok := tw.stepRenames[step][ns][f]; ok {
			name, last = to, step
		} else if tw.stepRemoved[step][ns][f] {
			return "", step
		}
	}
	return name, last
}

// renamesKeepingMemberships returns the pairs (from -> to) of namespace
// ns whose direct memberships before and after are the same, a parent
// group counted under its new name where groupRenames (folded from -> to)
// renames it. For groups, the pairs accepted are themselves parent
// renames: pairs are dropped until the rest agree.
func renamesKeepingMemberships(before, after *artifacts.Environment, ns int, pairs, groupRenames map[string]string) map[string]string {
	if len(pairs) == 0 {
		return nil
	}
	accepted := maps.Clone(pairs)
	froms, tos := map[string]bool{}, map[string]bool{}
	for from, to := range pairs {
		froms[artifacts.Fold(from)], tos[artifacts.Fold(to)] = true, true
	}
	ma := memberships(after, ns, tos, nil)
	for {
		parents := groupRenames
		if ns == nsGroups {
			parents = map[string]string{}
			for from, to := range accepted {
				parents[artifacts.Fold(from)] = to
			}
		}
		mb := memberships(before, ns, froms, parents)
		dropped := false
		for from, to := range accepted {
			if mb[artifacts.Fold(from)] != ma[artifacts.Fold(to)] {
				delete(accepted, from)
				dropped = true
			}
		}
		if !dropped || ns != nsGroups {
			return accepted
		}
	}
}

// memberships lists, for each of the folded names, the groups that user
// (ns nsUsers) or group is directly a member of: folded, under their new
// names where renames (folded name -> new name) has one, sorted, as one
// string.
func memberships(env *artifacts.Environment, ns int, names map[string]bool, renames map[string]string) map[string]string {
	lists := map[string][]string{}
	add := func(member, parent string) {
		if f := artifacts.Fold(member); names[f] {
			p := artifacts.Fold(parent)
			if to, ok := renames[p]; ok {
				p = artifacts.Fold(to)
			}
			lists[f] = append(lists[f], p)
		}
	}
	if ns == nsUsers {
		for _, m := range env.UsersInGroups {
			add(m.User, m.ParentGroup)
		}
	} else {
		for _, m := range env.GroupsInGroups {
			add(m.Group, m.ParentGroup)
		}
	}
	out := make(map[string]string, len(lists))
	for f, parents := range lists {
		slices.Sort(parents)
		out[f] = strings.Join(parents, "\x00")
	}
	return out
}

// rowValues is a row's cells without its key, as one string.
func rowValues(t *artifacts.Tab, env *artifacts.Environment, i int) string {
	cells := t.Cells(env, i, nil)
	var b strings.Builder
	for ci, v := range cells {
		if t.Columns[ci].Key {
			continue
		}
		b.WriteString(v)
		b.WriteByte(0)
	}
	return b.String()
}

// baseName is the base's name for a name of the plan: the old name of a
// rename the person made, else the name itself.
func (tw *threeWay) baseName(ns int, name string) (string, bool) {
	if old, ok := tw.person[ns][artifacts.Fold(name)]; ok {
		return old, true
	}
	return name, false
}

// curName is the current name of a base name (renamed since, or itself).
func (tw *threeWay) curName(ns int, base string) string {
	if to, ok := tw.since[ns][artifacts.Fold(base)]; ok {
		return to
	}
	return base
}

// rebasedName is a name of the plan as the rebased plan writes it: the
// person's new names stay, other names take their current spelling.
func (tw *threeWay) rebasedName(ns int, name string) string {
	if _, renamed := tw.baseName(ns, name); renamed {
		return name
	}
	return tw.curName(ns, name)
}

// keys returns the key of a plan row as the current environment has it
// (to find the row there) and as the rebased plan writes it.
func (tw *threeWay) keys(t *artifacts.Tab, key []string) (cur, rebased []string) {
	cur, rebased = make([]string, len(key)), make([]string, len(key))
	for j, ci := range t.Key {
		cur[j], rebased[j] = key[j], key[j]
		if ns := columnNamespace(t, &t.Columns[ci]); ns >= 0 {
			b, _ := tw.baseName(ns, key[j])
			cur[j] = tw.curName(ns, b)
			rebased[j] = tw.rebasedName(ns, key[j])
		}
	}
	return cur, rebased
}

// removedSince names the apply that removed a base name the plan refers
// to, or "" when the name is still there (or never was in the base).
func (tw *threeWay) removedSince(ns int, name string) string {
	name, _ = tw.baseName(ns, name)
	if _, _, ok := exists(tw.base, ns, name); !ok {
		return ""
	}
	if _, _, ok := exists(tw.cur, ns, tw.curName(ns, name)); ok {
		return ""
	}
	_, step := tw.follow(ns, name, len(tw.st.Applies))
	return tw.applyLabel(step)
}

func (tw *threeWay) applyLabel(step int) string {
	if step < 1 || step > len(tw.st.Applies) {
		return "an apply since the workbook was made"
	}
	return "the apply of " + plans.FormatTime(tw.st.Applies[step-1].Time)
}

// changedBy names the apply that last changed column ci of the row a
// base key names, among the applies since the base.
func (tw *threeWay) changedBy(t *artifacts.Tab, baseKey []string, ci int) string {
	n := len(tw.st.Applies)
	prev, prevOK := "", false
	last := 0
	for step := 0; step <= n; step++ {
		env, err := tw.state(step)
		if err != nil {
			break
		}
		key := make([]string, len(baseKey))
		for j, kc := range t.Key {
			key[j] = baseKey[j]
			if ns := columnNamespace(t, &t.Columns[kc]); ns >= 0 {
				key[j], _ = tw.follow(ns, baseKey[j], step)
			}
		}
		v, ok := "", false
		if i, found := t.Find(env, key...); found {
			v, ok = t.Cell(env, i, ci), true
		}
		if step > 0 && (v != prev || ok != prevOK) {
			last = step
		}
		prev, prevOK = v, ok
	}
	return tw.applyLabel(last)
}

// rebase turns the changes of plan, made against the base, into changes
// of the current environment.
func (tw *threeWay) rebase(plan *plans.Plan) {
	// The person's renames of users and groups.
	for _, c := range plan.Changes {
		if c.Op != plans.OpRename {
			continue
		}
		t, _ := artifacts.LookupTab(c.Tab)
		if ns := columnNamespace(t, &t.Columns[t.Key[0]]); ns >= 0 {
			tw.person[ns][artifacts.Fold(c.NewKey[0])] = c.Key[0]
		}
	}
	tw.findMovesDone(plan.Changes)
	var out []plans.Change
	for _, c := range plan.Changes {
		t, ok := artifacts.LookupTab(c.Tab)
		if !ok {
			continue
		}
		if rc, keep := tw.rebaseChange(t, c); keep {
			out = append(out, rc)
		}
	}
	plan.Changes = out
	plan.Base = tw.ref()
	plan.Findings = append(plan.Findings, tw.findings...)
	if plan.Findings.Errors() == 0 {
		tw.checkFits(plan)
	}
	plan.Findings.Sort(tabOrder)
}

// rebaseChange rebases one change; keep is false when it is no change
// any more (or a conflict, reported).
func (tw *threeWay) rebaseChange(t *artifacts.Tab, c plans.Change) (plans.Change, bool) {
	curKey, newKey := tw.keys(t, c.Key)
	i, found := t.Find(tw.cur, curKey...)
	switch c.Op {
	case plans.OpRemove:
		if !found || tw.movedInto[tabKey(t, c.Key)] {
			return c, false // gone since (a rule moved into its order since)
		}
		c.Key = curKey
		return c, true
	case plans.OpRename:
		return tw.rebaseRename(t, c, curKey, i, found)
	case plans.OpAdd:
		return tw.rebaseAdd(t, c, curKey, newKey, i, found)
	case plans.OpEdit:
		return tw.rebaseEdit(t, c, curKey, newKey, i, found)
	}
	return c, true
}

// rebaseRename rebases a rename of the row found at i (when found).
func (tw *threeWay) rebaseRename(t *artifacts.Tab, c plans.Change, curKey []string, i int, found bool) (plans.Change, bool) {
	ns := columnNamespace(t, &t.Columns[t.Key[0]])
	if k := tabKey(t, c.Key); tw.movedFrom[k] && (!found || tw.movedInto[k]) {
		return c, false // moved since, the same way (its order is free or another moved rule's)
	}
	if ns >= 0 && found && !strings.EqualFold(curKey[0], c.Key[0]) {
		found = false // renamed since: the person's rename competes with it
	}
	if !found {
		if ns >= 0 {
			if now := tw.curName(ns, c.Key[0]); !strings.EqualFold(now, c.Key[0]) {
				if strings.EqualFold(now, c.NewKey[0]) {
					return c, false // renamed the same way since
				}
				tw.conflict(c, 0, fmt.Sprintf("you renamed %s '%s' to '%s', but %s renamed it to '%s' since",
					t.Artifact, c.Key[0], c.NewKey[0], tw.changedByName(ns, c.Key[0]), now))
				return c, false
			}
			tw.conflict(c, 0, fmt.Sprintf("you renamed %s '%s' to '%s', but %s removed it since", t.Artifact, c.Key[0], c.NewKey[0], tw.changedByName(ns, c.Key[0])))
			return c, false
		}
		tw.conflict(c, 0, fmt.Sprintf("you moved %s %s to %s, but it is no longer there: %s changed it since",
			t.Artifact, quoteKey(c.Key), quoteKey(c.NewKey), tw.changedBy(t, c.Key, t.Key[len(t.Key)-1])))
		return c, false
	}
	if j, taken := t.Find(tw.cur, c.NewKey...); taken && j != i {
		tw.conflict(c, 0, fmt.Sprintf("you renamed %s %s to %s, but that name was taken since", t.Artifact, quoteKey(c.Key), quoteKey(c.NewKey)))
		return c, false
	}
	c.Key = curKey
	return c, true
}

// findMovesDone finds the moves of slice rules (renames of rows whose key
// names no user or group) the current environment already has: the rule
// the base has at the old key, with the plan's edits of the new key, is
// at the new key.
func (tw *threeWay) findMovesDone(changes []plans.Change) {
	tw.movedFrom, tw.movedInto = map[string]bool{}, map[string]bool{}
	edits := map[string]*plans.Change{}
	for i, c := range changes {
		if t, ok := artifacts.LookupTab(c.Tab); ok && c.Op == plans.OpEdit {
			edits[tabKey(t, c.Key)] = &changes[i]
		}
	}
	for _, c := range changes {
		t, ok := artifacts.LookupTab(c.Tab)
		if !ok || c.Op != plans.OpRename || columnNamespace(t, &t.Columns[t.Key[0]]) >= 0 {
			continue
		}
		bi, inBase := t.Find(tw.base, c.Key...)
		ci, inCur := t.Find(tw.cur, c.NewKey...)
		if !inBase || !inCur {
			continue
		}
		want, have := t.Cells(tw.base, bi, nil), t.Cells(tw.cur, ci, nil)
		for k, v := range want {
			if ns := columnNamespace(t, &t.Columns[k]); ns >= 0 && v != "" {
				want[k] = tw.curName(ns, v)
			}
		}
		if e := edits[tabKey(t, c.NewKey)]; e != nil {
			for _, f := range e.Fields {
				if k := t.Column(f.Column); k >= 0 {
					want[k] = f.New
					if ns := columnNamespace(t, &t.Columns[k]); ns >= 0 && f.New != "" {
						want[k] = tw.rebasedName(ns, f.New)
					}
				}
			}
		}
		same := true
		for k := range t.Columns {
			if !t.Columns[k].Key && !sameValue(&t.Columns[k], have[k], want[k]) {
				same = false
				break
			}
		}
		if same {
			tw.movedFrom[tabKey(t, c.Key)], tw.movedInto[tabKey(t, c.NewKey)] = true, true
		}
	}
}

// tabKey names a row of a tab in the maps of the three-way context.
func tabKey(t *artifacts.Tab, key []string) string {
	return t.Name + "\x00" + artifacts.KeyString(key)
}

// rebaseAdd rebases an addition; a row added since by someone else gets
// an edit of what differs.
func (tw *threeWay) rebaseAdd(t *artifacts.Tab, c plans.Change, curKey, newKey []string, i int, found bool) (plans.Change, bool) {
	if !found {
		for j, ci := range t.Key {
			if tw.refGone(c, t, ci, c.Key[j], -1) {
				return c, false
			}
		}
		for fi, f := range c.Fields {
			ci := t.Column(f.Column)
			if ci >= 0 && tw.refGone(c, t, ci, f.New, fi) {
				return c, false
			}
			if ci >= 0 {
				if ns := columnNamespace(t, &t.Columns[ci]); ns >= 0 && f.New != "" {
					c.Fields[fi].New = tw.rebasedName(ns, f.New)
				}
			}
		}
		c.Key = newKey
		return c, true
	}
	// Added since by someone else: what differs is an edit.
	var fields plans.Fields
	for _, f := range c.Fields {
		ci := t.Column(f.Column)
		if ci < 0 || t.Columns[ci].Key {
			continue
		}
		cur := t.Cell(tw.cur, i, ci)
		if f.Secret {
			fields = append(fields, plans.Field{Column: f.Column, Old: mask(cur), New: f.New, Secret: true, From: f.From})
			continue
		}
		nv := f.New
		if ns := columnNamespace(t, &t.Columns[ci]); ns >= 0 && nv != "" {
			nv = tw.rebasedName(ns, nv)
		}
		if sameValue(&t.Columns[ci], cur, nv) {
			continue
		}
		fields = append(fields, plans.Field{Column: f.Column, Old: cur, New: nv})
	}
	if len(fields) == 0 {
		return c, false
	}
	return plans.Change{Op: plans.OpEdit, Tab: c.Tab, Key: curKey, Fields: fields, Cells: c.Cells, Note: c.Note}, true
}

// rebaseEdit rebases the field changes of an edit: a field the current
// environment already has is no change, one changed since to something
// else is a conflict.
func (tw *threeWay) rebaseEdit(t *artifacts.Tab, c plans.Change, curKey, newKey []string, i int, found bool) (plans.Change, bool) {
	if !found {
		what := "removed it"
		for j, ci := range t.Key {
			if ns := columnNamespace(t, &t.Columns[ci]); ns >= 0 {
				if by := tw.removedSince(ns, c.Key[j]); by != "" {
					what = by + " removed '" + c.Key[j] + "'"
					break
				}
			}
		}
		if what == "removed it" {
			what = tw.changedBy(t, c.Key, t.Key[0]) + " " + what
		}
		tw.conflict(c, 0, fmt.Sprintf("you changed %s of %s %s, but %s since", fieldNames(c.Fields), t.Artifact, quoteKey(c.Key), what))
		return c, false
	}
	var fields plans.Fields
	var cells []string
	for fi, f := range c.Fields {
		ci := t.Column(f.Column)
		if ci < 0 {
			continue
		}
		col := &t.Columns[ci]
		cur := t.Cell(tw.cur, i, ci)
		if f.Secret {
			fields = append(fields, plans.Field{Column: f.Column, Old: mask(cur), New: f.New, Secret: true, From: f.From})
			cells = append(cells, cellAt(c, fi))
			continue
		}
		oldV, newV := f.Old, f.New
		if ns := columnNamespace(t, col); ns >= 0 {
			if oldV != "" {
				oldV = tw.curName(ns, oldV)
			}
			if newV != "" {
				if tw.refGone(c, t, ci, newV, fi) {
					continue
				}
				newV = tw.rebasedName(ns, newV)
			}
		}
		switch {
		case sameValue(col, cur, newV) && (!col.Key || cur == newV):
			continue // made since, the same way
		case !sameValue(col, cur, oldV):
			tw.conflict(c, fi, fmt.Sprintf("you changed %s of %s %s from '%s' to '%s', but %s changed it to '%s' since",
				col.Name, t.Artifact, quoteKey(c.Key), f.Old, f.New, tw.changedBy(t, tw.baseKey(t, c.Key), ci), cur))
			continue
		}
		fields = append(fields, plans.Field{Column: f.Column, Old: cur, New: newV})
		cells = append(cells, cellAt(c, fi))
	}
	if len(fields) == 0 {
		return c, false
	}
	if len(c.Cells) == len(c.Fields) { // one cell per field
		c.Cells = cells
	}
	c.Key, c.Fields = newKey, fields
	return c, true
}

// baseKey is the key of a plan row in the base's names.
func (tw *threeWay) baseKey(t *artifacts.Tab, key []string) []string {
	out := make([]string, len(key))
	for j, ci := range t.Key {
		out[j] = key[j]
		if ns := columnNamespace(t, &t.Columns[ci]); ns >= 0 {
			out[j], _ = tw.baseName(ns, key[j])
		}
	}
	return out
}

// changedByName names the apply that renamed or removed a base name.
func (tw *threeWay) changedByName(ns int, name string) string {
	_, step := tw.follow(ns, name, len(tw.st.Applies))
	return tw.applyLabel(step)
}

// refGone reports (as a conflict) a reference of the person's change to a
// user or group removed since.
func (tw *threeWay) refGone(c plans.Change, t *artifacts.Tab, ci int, name string, field int) bool {
	ns := columnNamespace(t, &t.Columns[ci])
	if ns < 0 || name == "" {
		return false
	}
	by := tw.removedSince(ns, name)
	if by == "" {
		return false
	}
	what := map[int]string{nsUsers: "user", nsGroups: "group"}[ns]
	tw.conflict(c, max(field, 0), fmt.Sprintf("your change names %s '%s', which %s removed since", what, name, by))
	return true
}

// conflict reports an error at the cell of the change's field (or its
// first cell).
func (tw *threeWay) conflict(c plans.Change, field int, msg string) {
	f := validate.Finding{Severity: validate.Error, Code: validate.CodeConflict, Tab: c.Tab, Message: msg}
	if cell := cellAt(c, field); cell != "" {
		f.Cell = cell
		sheet, ref, _ := strings.Cut(cell, "!")
		if t, ok := artifacts.LookupTab(sheet); ok {
			f.Tab = t.Name
		}
		digits := strings.TrimLeft(ref, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
		f.Row, _ = strconv.Atoi(digits)
		if field < len(c.Fields) {
			f.Column = c.Fields[field].Column
		}
	}
	tw.findings = append(tw.findings, f)
}

// cellAt is the cell of field fi of a change, or its first cell.
func cellAt(c plans.Change, fi int) string {
	if len(c.Cells) == len(c.Fields) && fi >= 0 && fi < len(c.Cells) {
		return c.Cells[fi]
	}
	if len(c.Cells) > 0 {
		return c.Cells[0]
	}
	return ""
}

func fieldNames(fs plans.Fields) string {
	var n []string
	for _, f := range fs {
		n = append(n, f.Column)
	}
	return strings.Join(n, ", ")
}

// sameValue compares a stored value with a planned one: names
// case-insensitively, everything else exactly.
func sameValue(c *artifacts.Column, a, b string) bool {
	if c.IsReference() || c.Kind == artifacts.KindName {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// checkFits applies the rebased plan to a copy of the current environment
// and reports a change that does not fit (a group removed that something
// added since still uses …) as a conflict.
func (tw *threeWay) checkFits(plan *plans.Plan) {
	trial := *plan
	trial.Applicable = true
	_, err := Apply(tw.cur, &trial, placeholderSecrets{})
	if err == nil {
		return
	}
	f := validate.Finding{Severity: validate.Error, Code: validate.CodeConflict,
		Message: fmt.Sprintf("the workbook's changes do not fit the environment as it is now, after %s: %v", textfmt.Plural(len(tw.st.Applies), "apply", "applies"), err)}
	if ce, ok := err.(*ChangeError); ok && ce.Number >= 1 && ce.Number <= len(plan.Changes) {
		c := plan.Changes[ce.Number-1]
		if cell := cellAt(c, 0); cell != "" {
			f.Cell = cell
		}
		f.Tab = c.Tab
	}
	plan.Findings = append(plan.Findings, f)
}

// placeholderSecrets stands in for password values when a plan is only
// tried.
type placeholderSecrets struct{}

func (placeholderSecrets) Secret(*plans.Change, *plans.Field) (string, error) {
	return "placeholder", nil
}
