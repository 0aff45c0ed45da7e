package actions

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"secmgr/examples/golfstream"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
	"secmgr/pkg/workbook"
)

// TestApplyThenReplanIsEmpty: after applying a workbook, planning the same
// workbook again changes nothing (import.md: imports are idempotent).
func TestApplyThenReplanIsEmpty(t *testing.T) {
	for _, ex := range goldenExamples() {
		t.Run(ex.name, func(t *testing.T) {
			env, err := golfstream.Environment()
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(editsDir, ex.name+".xlsx")
			p := plan(t, env, path, PlanOptions{Cascade: ex.cascade})
			if !p.Applicable {
				return
			}
			after, err := Apply(env, p, nil)
			if err != nil {
				t.Fatalf("apply: %v\n%s", err, render(p))
			}
			again := plan(t, after, path, PlanOptions{Cascade: ex.cascade})
			if len(again.Changes) != 0 || !again.Applicable {
				t.Fatalf("replanning after apply is not empty:\n%s", render(again))
			}
			// And the undo plan restores the sample byte for byte; a rename
			// is undone as a rename back.
			undo := &plans.Plan{Format: plans.PlanFormat}
			undo.Changes, _ = Undo(env, after, p)
			undo.Summarize()
			if got, want := countOps(undo.Changes, plans.OpRename), countOps(p.Changes, plans.OpRename); got != want {
				t.Errorf("the undo plan has %d renames, the plan %d:\n%s", got, want, strings.Join(lines(undo.Changes), "\n"))
			}
			restored, err := Apply(after, undo, nil)
			if err != nil {
				t.Fatalf("undo: %v", err)
			}
			a, _ := artifacts.Marshal(env)
			b, _ := artifacts.Marshal(restored)
			if string(a) != string(b) {
				t.Fatal("undo did not restore the environment")
			}
		})
	}
}

// TestExportPlanApplyRoundTrip: a synthetic environment exported and
// planned unchanged gives nothing to do.
func TestUnchangedExportOfSamplePlansNothing(t *testing.T) {
	env, err := golfstream.Environment()
	if err != nil {
		t.Fatal(err)
	}
	p := plan(t, env, exportAll(t, env), PlanOptions{})
	if len(p.Changes) != 0 || len(p.Findings) != 0 {
		t.Fatalf("unchanged export of the sample planned:\n%s", render(p))
	}
}

func countOps(changes []plans.Change, op plans.Op) int {
	n := 0
	for _, c := range changes {
		if c.Op == op {
			n++
		}
	}
	return n
}

// TestPlanApplyReplanProperty: for random environments and random edits
// of a full export, as a person makes them — Remove with a member while
// the export still lists the membership, renames and removals of users,
// groups and exclusion groups (with --cascade), slice rules moved,
// removed, moved into freed orders or copied to a new order, edited
// fields, memberships added, removed or deleted from the sheet — planning
// the workbook again after applying it plans nothing, and the undo plan
// restores the environment byte for byte, renames and moves as renames
// back. Every other workbook records its base, as an export does: planned
// again, it is planned three-way against that base.
func TestPlanApplyReplanProperty(t *testing.T) {
	iterations := 60 // writing the workbook takes most of the time
	if testing.Short() {
		iterations = 15
	}
	golf := sample(t, rand.New(rand.NewPCG(1, 1)))
	for it := range iterations {
		r := rand.New(rand.NewPCG(4242, uint64(it)))
		env := golf
		if it%4 != 0 {
			env = randomEnvironment(r, 3+r.IntN(25))
		}
		ed := newExportEditor(r, env)
		ed.edit(1+r.IntN(6), r.IntN(6))
		withBase := it%2 == 1
		if withBase {
			ed.base = &workbook.Base{Environment: env.Name, Fingerprint: must(artifacts.Fingerprint(env))}
		}
		path := filepath.Join(t.TempDir(), "edited.xlsx")
		ed.write(t, path)
		name := fmt.Sprintf("iteration %d (base: %v; edits: %s)", it, withBase, strings.Join(ed.log, "; "))

		var st *BaseState
		find := func(string) (*BaseState, error) { return st, nil }
		p1 := plan(t, env, path, PlanOptions{Cascade: true, FindBase: find})
		if !p1.Applicable {
			t.Fatalf("%s: the edited export does not plan:\n%s", name, render(p1))
		}
		after, err := Apply(env, p1, nil)
		if err != nil {
			t.Fatalf("%s: apply: %v\n%s", name, err, render(p1))
		}
		st = &BaseState{Env: env, Applies: []AppliedSince{{After: func() (*artifacts.Environment, error) { return after, nil }}}}
		p2 := plan(t, after, path, PlanOptions{Cascade: true, FindBase: find})
		if len(p2.Changes) != 0 || !p2.Applicable || (p2.Base != nil) != (withBase && len(p1.Changes) > 0) {
			t.Fatalf("%s: planning again after apply is not empty:\n%s\nfirst plan:\n%s", name, render(p2), render(p1))
		}
		undo, missing := Undo(env, after, p1)
		if len(missing) > 0 {
			t.Fatalf("%s: undo misses %v", name, missing)
		}
		if got, want := countOps(undo, plans.OpRename), countOps(p1.Changes, plans.OpRename); got != want {
			t.Fatalf("%s: the undo plan has %d renames, the plan %d:\n%s\nplan:\n%s", name, got, want, strings.Join(lines(undo), "\n"), render(p1))
		}
		restored, err := Apply(after, applicable(undo...), sourceSecrets{env})
		if err != nil {
			t.Fatalf("%s: undo: %v\n%s", name, err, strings.Join(lines(undo), "\n"))
		}
		if !bytes.Equal(must(artifacts.Marshal(env)), must(artifacts.Marshal(restored))) {
			t.Fatalf("%s: undo does not restore the bytes", name)
		}
	}
}

// exportEditor edits the rows of a full export of an environment the way
// a person edits the workbook, keeping to edits that plan without error.
type exportEditor struct {
	r      *rand.Rand
	env    *artifacts.Environment
	rows   [artifacts.NumTabs][][]string
	drop   [artifacts.NumTabs]map[int]bool // rows deleted from the sheet
	edited [artifacts.NumTabs]map[int]bool // one edit per row
	log    []string
	seq    int
	// removed and renamed names (folded); renamed names' rows may be
	// written under either name.
	removedUsers, removedGroups map[string]bool
	renamedGroups               map[string]string
	// slice orders taken per folded cube and type: in the environment or
	// in the workbook, or the target of a move
	taken map[string]map[int]bool
	// moved and removed slice rules whose order no row takes yet
	freed map[string][]int
	base  *workbook.Base // recorded in the workbook written, when set
}

func newExportEditor(r *rand.Rand, env *artifacts.Environment) *exportEditor {
	ed := &exportEditor{r: r, env: env, removedUsers: map[string]bool{}, removedGroups: map[string]bool{},
		renamedGroups: map[string]string{}, taken: map[string]map[int]bool{}, freed: map[string][]int{}}
	for _, t := range artifacts.AllTabs() {
		pw := t.Column("Password")
		for i := 0; i < t.Len(env); i++ {
			cells := t.Cells(env, i, nil)
			if pw >= 0 {
				cells[pw] = ""
			}
			ed.rows[t.ID] = append(ed.rows[t.ID], cells)
		}
		ed.drop[t.ID], ed.edited[t.ID] = map[int]bool{}, map[int]bool{}
	}
	for _, rule := range env.CubeDataCellAccess {
		ed.take(rule.Cube, rule.Type, rule.ProcessingOrder)
	}
	return ed
}

func (ed *exportEditor) take(cube, typ string, order int) {
	set := artifacts.KeyString([]string{cube, typ})
	if ed.taken[set] == nil {
		ed.taken[set] = map[int]bool{}
	}
	ed.taken[set][order] = true
}

// pick returns a row of tab no edit has touched, or -1.
func (ed *exportEditor) pick(tab artifacts.TabID, ok func(row []string) bool) int {
	n := len(ed.rows[tab])
	for range 8 {
		if n == 0 {
			return -1
		}
		i := ed.r.IntN(n)
		if ed.edited[tab][i] || ed.drop[tab][i] || (ok != nil && !ok(ed.rows[tab][i])) {
			continue
		}
		ed.edited[tab][i] = true
		return i
	}
	return -1
}

func (ed *exportEditor) set(tab artifacts.TabID, i int, col, v string) {
	ed.rows[tab][i][tab.Tab().Column(col)] = v
}

func (ed *exportEditor) get(tab artifacts.TabID, i int, col string) string {
	return ed.rows[tab][i][tab.Tab().Column(col)]
}

// rowOf finds the row of a named tab.
func (ed *exportEditor) rowOf(tab artifacts.TabID, name string) int {
	for i, row := range ed.rows[tab] {
		if strings.EqualFold(row[0], name) {
			return i
		}
	}
	return -1
}

func (ed *exportEditor) isUser(name string) bool { return ed.rowOf(artifacts.TabUsers, name) >= 0 }
func (ed *exportEditor) isGroup(name string) bool {
	return ed.rowOf(artifacts.TabGroups, name) >= 0 || ed.rowOf(artifacts.TabExGroup, name) >= 0
}

// stableGroup is a group no edit removes, as a row may name it.
func (ed *exportEditor) stableGroup() (string, bool) {
	var names []string
	for _, row := range ed.rows[artifacts.TabGroups] {
		if f := artifacts.Fold(row[0]); !ed.removedGroups[f] {
			name := row[0]
			if to, ok := ed.renamedGroups[f]; ok && ed.r.IntN(2) == 0 {
				name = to
			}
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return "", false
	}
	return names[ed.r.IntN(len(names))], true
}

// edit makes structural edits first (names, memberships, slice rules),
// then field edits, which only name groups that stay.
func (ed *exportEditor) edit(structural, fields int) {
	for range structural {
		switch ed.r.IntN(9) {
		case 0:
			ed.removeUserFromGroup()
		case 1:
			ed.removeMemberOfGroup()
		case 2:
			ed.renameNamed()
		case 3:
			ed.removeNamed()
		case 4, 5:
			ed.moveSliceRule()
		case 6:
			ed.removeSliceRule()
		case 7:
			ed.removeRelationship()
		case 8:
			ed.deleteRelationshipRow()
		}
	}
	for range fields {
		switch ed.r.IntN(4) {
		case 0:
			ed.copySliceRule()
		case 1:
			ed.addMembership()
		default:
			ed.editField()
		}
	}
}

// removeUserFromGroup: a Users row says Remove with a group the user is
// in; the export still lists the membership on UsersInGroups.
func (ed *exportEditor) removeUserFromGroup() {
	m := ed.pick(artifacts.TabUsersInGroups, nil)
	if m < 0 {
		return
	}
	ed.edited[artifacts.TabUsersInGroups][m] = false // the row stays as exported
	user, grp := ed.rows[artifacts.TabUsersInGroups][m][0], ed.rows[artifacts.TabUsersInGroups][m][1]
	u := ed.rowOf(artifacts.TabUsers, user)
	if u < 0 || ed.edited[artifacts.TabUsers][u] {
		return
	}
	ed.edited[artifacts.TabUsers][u] = true
	ed.set(artifacts.TabUsers, u, "ActionType", "Remove")
	ed.set(artifacts.TabUsers, u, "ActionValue", randenvCase(ed.r, grp))
	ed.log = append(ed.log, fmt.Sprintf("Users %q Remove %q", user, grp))
}

// removeMemberOfGroup: a Groups or ExGroup row says Remove with a member.
func (ed *exportEditor) removeMemberOfGroup() {
	var tab, owner artifacts.TabID
	switch ed.r.IntN(3) {
	case 0:
		tab, owner = artifacts.TabGroupsInGroups, artifacts.TabGroups
	case 1:
		tab, owner = artifacts.TabUsersInGroups, artifacts.TabGroups
	default:
		tab, owner = artifacts.TabUsersInExGroups, artifacts.TabExGroup
	}
	m := ed.pick(tab, nil)
	if m < 0 {
		return
	}
	ed.edited[tab][m] = false
	member, parent := ed.rows[tab][m][0], ed.rows[tab][m][1]
	if ed.isUser(member) && ed.isGroup(member) {
		return // ambiguous: a Remove with that member is an error
	}
	g := ed.rowOf(owner, parent)
	if g < 0 || ed.edited[owner][g] {
		return
	}
	ed.edited[owner][g] = true
	ed.set(owner, g, "ActionType", "remove")
	ed.set(owner, g, "ActionValue", member)
	ed.log = append(ed.log, fmt.Sprintf("%s %q Remove %q", owner.Tab().Name, parent, member))
}

func (ed *exportEditor) namedTab() artifacts.TabID {
	return []artifacts.TabID{artifacts.TabUsers, artifacts.TabGroups, artifacts.TabExGroup}[ed.r.IntN(3)]
}

func (ed *exportEditor) renameNamed() {
	tab := ed.namedTab()
	i := ed.pick(tab, func(row []string) bool { return !artifacts.IsBuiltinGroup(row[0]) || tab == artifacts.TabUsers })
	if i < 0 {
		return
	}
	ed.seq++
	old := ed.rows[tab][i][0]
	to := fmt.Sprintf("Renamed %s %d", strings.ToLower(old[:min(len(old), 6)]), ed.seq)
	if tab != artifacts.TabUsers {
		ed.renamedGroups[artifacts.Fold(old)] = to
	}
	ed.set(tab, i, "ActionType", "Rename")
	ed.set(tab, i, "ActionValue", to)
	ed.log = append(ed.log, fmt.Sprintf("%s %q Rename %q", tab.Tab().Name, old, to))
}

func (ed *exportEditor) removeNamed() {
	tab := ed.namedTab()
	i := ed.pick(tab, func(row []string) bool { return !artifacts.IsBuiltinGroup(row[0]) || tab == artifacts.TabUsers })
	if i < 0 {
		return
	}
	name := ed.rows[tab][i][0]
	if tab == artifacts.TabUsers {
		ed.removedUsers[artifacts.Fold(name)] = true
	} else {
		ed.removedGroups[artifacts.Fold(name)] = true
	}
	ed.set(tab, i, "ActionType", "Remove")
	ed.log = append(ed.log, fmt.Sprintf("%s %q Remove", tab.Tab().Name, name))
}

// sliceSet returns the folded cube and type of a slice-rule row.
func (ed *exportEditor) sliceSet(i int) string {
	row := ed.rows[artifacts.TabCubeDataCellAccess][i]
	return artifacts.KeyString(row[:2])
}

func (ed *exportEditor) sliceOrder(i int) int {
	t := artifacts.TabCubeDataCellAccess.Tab()
	n, _ := strconv.Atoi(ed.rows[t.ID][i][t.Key[2]])
	return n
}

// freeOrder returns an order no rule of the set has or will have.
func (ed *exportEditor) freeOrder(set string) int {
	n := 0
	for o := range ed.taken[set] {
		n = max(n, o+1)
	}
	n += ed.r.IntN(3)
	ed.taken[set][n] = true
	return n
}

// moveSliceRule: Rename with a new order, sometimes into the order of a
// rule another row moves away or removes (a chain).
func (ed *exportEditor) moveSliceRule() {
	tab := artifacts.TabCubeDataCellAccess
	i := ed.pick(tab, nil)
	if i < 0 {
		return
	}
	set, from := ed.sliceSet(i), ed.sliceOrder(i)
	var to int
	if f := ed.freed[set]; len(f) > 0 && ed.r.IntN(2) == 0 {
		to, ed.freed[set] = f[0], f[1:]
	} else {
		to = ed.freeOrder(set)
	}
	ed.freed[set] = append(ed.freed[set], from)
	ed.set(tab, i, "ActionType", "Rename")
	ed.set(tab, i, "ActionValue", strconv.Itoa(to))
	ed.log = append(ed.log, fmt.Sprintf("slice rule %s %d Rename %d", set, from, to))
}

func (ed *exportEditor) removeSliceRule() {
	tab := artifacts.TabCubeDataCellAccess
	i := ed.pick(tab, nil)
	if i < 0 {
		return
	}
	set, order := ed.sliceSet(i), ed.sliceOrder(i)
	ed.freed[set] = append(ed.freed[set], order)
	ed.set(tab, i, "ActionType", "Remove")
	ed.log = append(ed.log, fmt.Sprintf("slice rule %s %d Remove", set, order))
}

// copySliceRule: the person types a rule's row again at a new order
// without Rename, or overtypes the order on the rule's row: a second
// copy, planned (the second time with the warning looks-moved).
func (ed *exportEditor) copySliceRule() {
	tab := artifacts.TabCubeDataCellAccess
	t := tab.Tab()
	i := ed.pick(tab, func(row []string) bool {
		for ci := range t.Columns {
			if t.Columns[ci].Kind == artifacts.KindGroup && ed.removedGroups[artifacts.Fold(row[ci])] {
				return false
			}
		}
		return true
	})
	if i < 0 {
		return
	}
	to := strconv.Itoa(ed.freeOrder(ed.sliceSet(i)))
	if ed.r.IntN(2) == 0 {
		ed.log = append(ed.log, fmt.Sprintf("slice rule %s %s overtyped as %s", ed.sliceSet(i), ed.rows[tab][i][t.Key[2]], to))
		ed.rows[tab][i][t.Key[2]] = to
		return
	}
	ed.edited[tab][i] = false
	cp := slices.Clone(ed.rows[tab][i])
	cp[t.Key[2]] = to
	ed.rows[tab] = append(ed.rows[tab], cp)
	ed.edited[tab][len(ed.rows[tab])-1] = true
	ed.log = append(ed.log, fmt.Sprintf("slice rule %s %s copied to %s", ed.sliceSet(i), ed.rows[tab][i][t.Key[2]], cp[t.Key[2]]))
}

func (ed *exportEditor) relationshipTab() artifacts.TabID {
	return []artifacts.TabID{artifacts.TabUsersInGroups, artifacts.TabGroupsInGroups, artifacts.TabUsersInExGroups, artifacts.TabGroupsInExGroups}[ed.r.IntN(4)]
}

func (ed *exportEditor) removeRelationship() {
	tab := ed.relationshipTab()
	if i := ed.pick(tab, nil); i >= 0 {
		ed.set(tab, i, "ActionType", "Remove")
		ed.log = append(ed.log, fmt.Sprintf("%s %v Remove", tab.Tab().Name, ed.rows[tab][i][:2]))
	}
}

func (ed *exportEditor) deleteRelationshipRow() {
	tab := ed.relationshipTab()
	if i := ed.pick(tab, nil); i >= 0 {
		ed.drop[tab][i] = true
		ed.log = append(ed.log, fmt.Sprintf("%s %v deleted from the sheet", tab.Tab().Name, ed.rows[tab][i][:2]))
	}
}

// addMembership types a new UsersInGroups row.
func (ed *exportEditor) addMembership() {
	users := ed.rows[artifacts.TabUsers]
	if len(users) == 0 {
		return
	}
	user := users[ed.r.IntN(len(users))][0]
	grp, ok := ed.stableGroup()
	if !ok || ed.removedUsers[artifacts.Fold(user)] || artifacts.IsBuiltinGroup(grp) {
		return
	}
	t := artifacts.TabUsersInGroups.Tab()
	if _, exists := t.Find(ed.env, user, grp); exists {
		return
	}
	for _, row := range ed.rows[t.ID] {
		if strings.EqualFold(row[0], user) && strings.EqualFold(row[1], grp) {
			return
		}
	}
	if old, ok := renamedFrom(ed.renamedGroups, grp); ok {
		if _, exists := t.Find(ed.env, user, old); exists {
			return
		}
	}
	ed.rows[t.ID] = append(ed.rows[t.ID], []string{user, grp, "", ""})
	ed.edited[t.ID][len(ed.rows[t.ID])-1] = true
	ed.log = append(ed.log, fmt.Sprintf("UsersInGroups + %q %q", user, grp))
}

func renamedFrom(renamed map[string]string, to string) (string, bool) {
	for old, n := range renamed {
		if strings.EqualFold(n, to) {
			return old, true
		}
	}
	return "", false
}

// editField changes one value of a row of a users, groups, roles or
// artifact tab.
func (ed *exportEditor) editField() {
	tabs := []artifacts.TabID{artifacts.TabUsers, artifacts.TabGroups, artifacts.TabAppRoles, artifacts.TabEntity, artifacts.TabCubeDataCellAccess, artifacts.TabWorkflow, artifacts.TabDashboardProfiles}
	tab := tabs[ed.r.IntN(len(tabs))]
	t := tab.Tab()
	i := ed.pick(tab, nil)
	if i < 0 {
		return
	}
	var cols []int
	for ci := range t.Columns {
		c := &t.Columns[ci]
		if c.Key || c.IsAction() || c.Kind == artifacts.KindPassword || c.Kind == artifacts.KindExGroup {
			continue
		}
		cols = append(cols, ci)
	}
	if len(cols) == 0 {
		return
	}
	ci := cols[ed.r.IntN(len(cols))]
	c := &t.Columns[ci]
	var v string
	switch c.Kind {
	case artifacts.KindGroup:
		g, ok := ed.stableGroup()
		if !ok {
			return
		}
		v = g
	case artifacts.KindEnum, artifacts.KindRole:
		v = c.Enum[ed.r.IntN(len(c.Enum))]
	case artifacts.KindBool:
		v = artifacts.Booleans[ed.r.IntN(2)]
	case artifacts.KindNumGridRows:
		v = artifacts.NumGridRowsValues[ed.r.IntN(len(artifacts.NumGridRowsValues))]
	case artifacts.KindCulture:
		v = []string{"en-US", "fr-FR", ""}[ed.r.IntN(3)]
	case artifacts.KindEmail:
		v = fmt.Sprintf("someone%d@example.com", ed.r.IntN(100))
	case artifacts.KindMemberFilter:
		v = c.Prefix + "Top.Base"
	case artifacts.KindUIVisibility:
		v = "Never"
	default:
		v = []string{"", "edited by hand", "=not a formula", "Ünïcødé"}[ed.r.IntN(4)]
	}
	ed.rows[tab][i][ci] = v
	ed.log = append(ed.log, fmt.Sprintf("%s %v %s = %q", t.Name, ed.rows[tab][i][0], c.Name, v))
}

// write writes the edited export as a workbook.
func (ed *exportEditor) write(t testing.TB, path string) {
	t.Helper()
	w, err := workbook.Create(path, workbook.WriteOptions{Base: ed.base})
	if err != nil {
		t.Fatal(err)
	}
	for _, tab := range artifacts.AllTabs() {
		if err := w.StartTab(tab); err != nil {
			t.Fatal(err)
		}
		for i, row := range ed.rows[tab.ID] {
			if ed.drop[tab.ID][i] {
				continue
			}
			if err := w.WriteRow(row); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// randenvCase sometimes writes a name in other casing, as people do.
func randenvCase(r *rand.Rand, s string) string {
	if r.IntN(3) == 0 {
		return swapCase(s)
	}
	return s
}
