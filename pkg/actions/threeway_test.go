package actions

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"secmgr/examples/golfstream"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
	"secmgr/pkg/synthetic"
	"secmgr/pkg/validate"
	"secmgr/pkg/workbook"
)

// staleSetup is an export of the sample and two applies made since:
//
//	t1: Anna Weber leaves Frankfurt_View; Ashley Romero's Description
//	    becomes "Carlsbad Sales Lead"
//	t2: Brian Foster is renamed Brian Foster-Smith; Mark Sullivan is removed;
//	    the group Houston_View is renamed Houston Readers; the group
//	    Montreal 2019 Reorg is removed
type staleSetup struct {
	base, cur *artifacts.Environment
	export    string // the export of base
	state     *BaseState
	t1, t2    time.Time
}

func newStaleSetup(t *testing.T) *staleSetup {
	t.Helper()
	base, err := golfstream.Environment()
	if err != nil {
		t.Fatal(err)
	}
	s := &staleSetup{base: base,
		t1: time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC),
		t2: time.Date(2026, 11, 3, 14, 0, 0, 0, time.UTC)}
	s.export = exportWithBase(t, base, time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC))
	mid := mustApply(t, base,
		plans.Change{Op: plans.OpRemove, Tab: "UsersInGroups", Key: []string{"Anna Weber", "Frankfurt_View"}},
		plans.Change{Op: plans.OpEdit, Tab: "Users", Key: []string{"Ashley Romero"}, Fields: plans.Fields{{Column: "Description", Old: "Carlsbad Sales Analyst", New: "Carlsbad Sales Lead"}}})
	s.cur = mustApply(t, mid,
		plans.Change{Op: plans.OpRename, Tab: "Users", Key: []string{"Brian Foster"}, NewKey: []string{"Brian Foster-Smith"}},
		plans.Change{Op: plans.OpRemove, Tab: "Users", Key: []string{"Mark Sullivan"}},
		plans.Change{Op: plans.OpRename, Tab: "Groups", Key: []string{"Houston_View"}, NewKey: []string{"Houston Readers"}},
		plans.Change{Op: plans.OpRemove, Tab: "Groups", Key: []string{"Montreal 2019 Reorg"}})
	s.state = &BaseState{Env: base, Applies: []AppliedSince{
		{Time: s.t1, After: func() (*artifacts.Environment, error) { return mid, nil }},
		{Time: s.t2, After: func() (*artifacts.Environment, error) { return s.cur, nil }},
	}}
	return s
}

func mustApply(t testing.TB, env *artifacts.Environment, changes ...plans.Change) *artifacts.Environment {
	t.Helper()
	p := &plans.Plan{Format: plans.PlanFormat, Changes: changes}
	p.Summarize()
	out, err := Apply(env, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// exportWithBase writes a full export of env recording env as its base.
func exportWithBase(t testing.TB, env *artifacts.Environment, at time.Time) string {
	t.Helper()
	fp, err := artifacts.Fingerprint(env)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "export.xlsx")
	w, err := workbook.Create(path, workbook.WriteOptions{Base: &workbook.Base{Environment: env.Name, Fingerprint: fp, Time: at}})
	if err != nil {
		t.Fatal(err)
	}
	var cells []string
	for _, tab := range artifacts.AllTabs() {
		if err := w.StartTab(tab); err != nil {
			t.Fatal(err)
		}
		for i := range tab.Len(env) {
			cells = tab.Cells(env, i, cells)
			if pw := tab.Column("Password"); pw >= 0 {
				cells[pw] = ""
			}
			if err := w.WriteRow(cells); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// cellEdit sets a cell of the row whose first column is Key, or whose
// first columns are the parts of a Key "a / b / c" (Key "+" appends a row
// whose cells Value gives as "Col=v;Col=v").
type cellEdit struct{ Tab, Key, Column, Value string }

// editCopy writes a copy of the workbook at path with the edits made, as
// a person would in a spreadsheet program.
func editCopy(t *testing.T, path string, edits ...cellEdit) string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, e := range edits {
		rows, err := f.GetRows(e.Tab)
		if err != nil {
			t.Fatal(err)
		}
		col := func(name string) int {
			i := slices.Index(rows[0], name)
			if i < 0 {
				t.Fatalf("%s has no column %s", e.Tab, name)
			}
			return i + 1
		}
		set := func(c, r int, v string) {
			ref, _ := excelize.CoordinatesToCellName(c, r)
			if err := f.SetCellStr(e.Tab, ref, v); err != nil {
				t.Fatal(err)
			}
		}
		if e.Key == "+" {
			for _, kv := range strings.Split(e.Value, ";") {
				k, v, _ := strings.Cut(kv, "=")
				set(col(k), len(rows)+1, v)
			}
			continue
		}
		found := false
		for r, row := range rows {
			parts := strings.Split(e.Key, " / ")
			if r > 0 && len(row) >= len(parts) && slices.Equal(row[:len(parts)], parts) {
				set(col(e.Column), r+1, e.Value)
				found = true
				break
			}
		}
		if !found {
			t.Fatalf("%s has no row %s", e.Tab, e.Key)
		}
	}
	out := filepath.Join(t.TempDir(), "edited.xlsx")
	if err := f.SaveAs(out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestThreeWay(t *testing.T) {
	s := newStaleSetup(t)
	t1, t2 := plans.FormatTime(s.t1), plans.FormatTime(s.t2)
	for _, tc := range []struct {
		name      string
		edits     []cellEdit
		changes   []string
		conflicts []string // substrings of the conflict messages, one per conflict
	}{
		{name: "untouched export plans nothing"},
		{name: "only the person's edit, the removal stays removed",
			edits:   []cellEdit{{"Users", "Anna Weber", "Description", "Frankfurt Lead Analyst"}},
			changes: []string{"~ Users Anna Weber: Description Frankfurt Financial Analyst → Frankfurt Lead Analyst"}},
		{name: "edit of a user renamed since follows the rename",
			edits:   []cellEdit{{"Users", "Brian Foster", "Email", "bf@golfstream.example.com"}},
			changes: []string{"~ Users Brian Foster-Smith: Email brian.foster@golfstream.example.com → bf@golfstream.example.com"}},
		{name: "conflicting edit names both values and the apply",
			edits:     []cellEdit{{"Users", "Ashley Romero", "Description", "Carlsbad Sales Manager"}},
			conflicts: []string{"'Carlsbad Sales Manager'", "'Carlsbad Sales Lead'", "the apply of " + t1}},
		{name: "the same edit made since is no change",
			edits: []cellEdit{{"Users", "Ashley Romero", "Description", "Carlsbad Sales Lead"}}},
		{name: "edit of a user removed since is a conflict",
			edits:     []cellEdit{{"Users", "Mark Sullivan", "Description", "Contractor"}},
			conflicts: []string{"Mark Sullivan", "the apply of " + t2}},
		{name: "a membership of a user removed since is a conflict",
			edits:     []cellEdit{{"UsersInGroups", "+", "", "User=Mark Sullivan;ParentGroup=Europe"}},
			conflicts: []string{"'Mark Sullivan'", "the apply of " + t2}},
		{name: "removing a membership removed since is no change",
			edits: []cellEdit{{"Users", "Anna Weber", "ActionType", "Remove"}, {"Users", "Anna Weber", "ActionValue", "Frankfurt_View"}}},
		{name: "a new membership of a user renamed since",
			edits:   []cellEdit{{"UsersInGroups", "+", "", "User=Brian Foster;ParentGroup=Europe"}},
			changes: []string{"+ UsersInGroups Brian Foster-Smith / Europe"}},
		{name: "renaming a user renamed since to another name is a conflict",
			edits:     []cellEdit{{"Users", "Brian Foster", "ActionType", "Rename"}, {"Users", "Brian Foster", "ActionValue", "Brian F"}},
			conflicts: []string{"'Brian F'", "'Brian Foster-Smith'", "the apply of " + t2}},
		{name: "a reference to a group renamed since takes its new name",
			edits:   []cellEdit{{"Entity", "Augusta", "ReadGroup2", "Houston_View"}},
			changes: []string{"~ Entity Augusta: ReadGroup2 Nobody → Houston Readers"}},
		{name: "an edit next to a reference renamed since",
			edits:   []cellEdit{{"Entity", "Houston", "ReadGroup2", "Nobody"}},
			changes: []string{"~ Entity Houston: ReadGroup2 BI Readers → Nobody"}},
		{name: "a membership of a group removed since is a conflict",
			edits:     []cellEdit{{"UsersInGroups", "+", "", "User=Anna Weber;ParentGroup=Montreal 2019 Reorg"}},
			conflicts: []string{"'Montreal 2019 Reorg'", "the apply of " + t2}},
		{name: "removing a group removed since is no change",
			edits: []cellEdit{{"Groups", "Montreal 2019 Reorg", "ActionType", "Remove"}}},
		{name: "renaming a user the same way as since is no change",
			edits: []cellEdit{{"Users", "Brian Foster", "ActionType", "Rename"}, {"Users", "Brian Foster", "ActionValue", "Brian Foster-Smith"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := s.export
			if len(tc.edits) > 0 {
				path = editCopy(t, s.export, tc.edits...)
			}
			p := plan(t, s.cur, path, PlanOptions{FindBase: func(fp string) (*BaseState, error) {
				if want, _ := artifacts.Fingerprint(s.base); fp != want {
					t.Fatalf("looked up %s, not the base", fp)
				}
				return s.state, nil
			}})
			if p.Base == nil || p.Base.Applies != 2 {
				t.Fatalf("plan base = %+v, want 2 applies since", p.Base)
			}
			if got := changeLines(p); !slices.Equal(got, tc.changes) {
				t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.changes, "\n"))
			}
			var conflicts []validate.Finding
			for _, f := range p.Findings {
				switch {
				case f.Code == validate.CodeConflict:
					conflicts = append(conflicts, f)
				case f.Severity == validate.Error:
					t.Errorf("unexpected error finding: %s", f)
				}
			}
			if len(tc.conflicts) == 0 && len(conflicts) > 0 || len(tc.conflicts) > 0 && len(conflicts) != 1 {
				t.Fatalf("conflicts: %v, want one naming %q", conflicts, tc.conflicts)
			}
			for _, want := range tc.conflicts {
				if !strings.Contains(conflicts[0].Message, want) {
					t.Errorf("conflict %q lacks %q", conflicts[0].Message, want)
				}
			}
			if len(tc.conflicts) > 0 {
				if p.Applicable || conflicts[0].Cell == "" {
					t.Errorf("a conflict must make the plan not applicable and name its cell: %+v", conflicts[0])
				}
				return
			}
			// What is planned applies to the current environment.
			if _, err := Apply(s.cur, p, nil); err != nil {
				t.Fatalf("apply: %v\n%s", err, render(p))
			}
			if !strings.HasPrefix(render(p), "planned three-way against the state of 2026-11-01 08:00:00 UTC (2 applies since)\n") {
				t.Errorf("header:\n%s", render(p))
			}
		})
	}
}

// TestThreeWayIdempotent: after applying a three-way plan, planning the
// same workbook again plans nothing.
func TestThreeWayIdempotent(t *testing.T) {
	s := newStaleSetup(t)
	path := editCopy(t, s.export,
		cellEdit{"Users", "Anna Weber", "Description", "Frankfurt Lead Analyst"},
		cellEdit{"UsersInGroups", "+", "", "User=Brian Foster;ParentGroup=Europe"})
	find := func(string) (*BaseState, error) { return s.state, nil }
	p := plan(t, s.cur, path, PlanOptions{FindBase: find})
	after, err := Apply(s.cur, p, nil)
	if err != nil || len(p.Changes) != 2 {
		t.Fatalf("apply: %v\n%s", err, render(p))
	}
	s.state.Applies = append(s.state.Applies, AppliedSince{Time: s.t2.Add(time.Hour), After: func() (*artifacts.Environment, error) { return after, nil }})
	again := plan(t, after, path, PlanOptions{FindBase: find})
	if len(again.Changes) != 0 || !again.Applicable {
		t.Fatalf("second plan:\n%s", render(again))
	}
}

func TestStaleExport(t *testing.T) {
	s := newStaleSetup(t)
	path := editCopy(t, s.export, cellEdit{"Users", "Anna Weber", "Description", "Frankfurt Lead Analyst"})
	notFound := func(string) (*BaseState, error) { return nil, nil }

	p := plan(t, s.cur, path, PlanOptions{FindBase: notFound})
	if p.Applicable || p.Base != nil {
		t.Fatalf("a stale export whose base is not found planned:\n%s", render(p))
	}
	// Besides the error, the user renamed since (still under the old name
	// in the export) is a new user with an existing identity: a warning.
	errs := slices.DeleteFunc(slices.Clone(p.Findings), func(f validate.Finding) bool { return f.Severity != validate.Error })
	if len(errs) != 1 || errs[0].Code != validate.CodeStaleExport || !strings.Contains(errs[0].Message, "--two-way") {
		t.Fatalf("findings: %v", p.Findings)
	}

	// --two-way plans it against the environment as it is: the rows left
	// unchanged revert the changes made since.
	p = plan(t, s.cur, path, PlanOptions{FindBase: notFound, TwoWay: true})
	if !p.Applicable || p.Base != nil || !slices.Contains(changeLines(p), "+ UsersInGroups Anna Weber / Frankfurt_View") {
		t.Fatalf("two-way plan:\n%s", render(p))
	}

	// A workbook without a base is planned two-way, as before.
	p = plan(t, s.cur, exportAll(t, s.base), PlanOptions{FindBase: notFound})
	if !p.Applicable || p.Base != nil || !slices.Contains(changeLines(p), "+ UsersInGroups Anna Weber / Frankfurt_View") {
		t.Fatalf("plan of a workbook without a base:\n%s", render(p))
	}

	// The base is the current state: two-way, no lookup.
	p = plan(t, s.base, path, PlanOptions{FindBase: func(string) (*BaseState, error) {
		t.Fatal("looked up the current state")
		return nil, nil
	}})
	if p.Base != nil || len(p.Changes) != 1 {
		t.Fatalf("plan against its own base:\n%s", render(p))
	}
}

// BenchmarkPlanThreeWay plans an unchanged export of a synthetic
// environment after two applies made since: one removed a tenth of the
// memberships, the other renamed a hundred users (which makes the rename
// search compare every state). rows/s compares with BenchmarkPlan.
func BenchmarkPlanThreeWay(b *testing.B) {
	for _, users := range []int{1200, 12000} {
		base := synthetic.Generate(synthetic.Options{Users: users})
		rows := base.Rows()
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			path := exportWithBase(b, base, time.Time{})
			var removals, renames []plans.Change
			for i, m := range base.UsersInGroups {
				if i%10 == 0 {
					removals = append(removals, plans.Change{Op: plans.OpRemove, Tab: "UsersInGroups", Key: []string{m.User, m.ParentGroup}})
				}
			}
			for i := 0; i < 100; i++ {
				u := base.Users[i*len(base.Users)/100].User
				renames = append(renames, plans.Change{Op: plans.OpRename, Tab: "Users", Key: []string{u}, NewKey: []string{u + " (renamed)"}})
			}
			mid := mustApply(b, base, removals...)
			cur := mustApply(b, mid, renames...)
			st := &BaseState{Env: base, Applies: []AppliedSince{
				{After: func() (*artifacts.Environment, error) { return mid, nil }},
				{After: func() (*artifacts.Environment, error) { return cur, nil }},
			}}
			find := func(string) (*BaseState, error) { return st, nil }
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				p, err := PlanWorkbook(path, cur, PlanOptions{FindBase: find})
				if err != nil || len(p.Changes) != 0 || p.Base == nil {
					b.Fatalf("plan: %v, %d changes", err, len(p.Changes))
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// TestRenameSinceNeedsSameMemberships: a name that went while one with the
// same values came is taken for a rename only if the memberships are the
// same; otherwise the person's edit of the old name is a conflict, never
// an edit of another user.
func TestRenameSinceNeedsSameMemberships(t *testing.T) {
	base, err := golfstream.Environment()
	if err != nil {
		t.Fatal(err)
	}
	export := exportWithBase(t, base, time.Time{})
	cur := mustApply(t, base,
		plans.Change{Op: plans.OpRename, Tab: "Users", Key: []string{"Kevin Walsh"}, NewKey: []string{"Kevin W"}},
		plans.Change{Op: plans.OpAdd, Tab: "UsersInGroups", Key: []string{"Kevin W", "Europe"}})
	st := &BaseState{Env: base, Applies: []AppliedSince{{After: func() (*artifacts.Environment, error) { return cur, nil }}}}
	path := editCopy(t, export, cellEdit{"Users", "Kevin Walsh", "Description", "Sales"})
	p := plan(t, cur, path, PlanOptions{FindBase: func(string) (*BaseState, error) { return st, nil }})
	if len(p.Changes) != 0 || p.Findings.Errors() != 1 || p.Findings[0].Code != validate.CodeConflict {
		t.Fatalf("plan:\n%s", render(p))
	}
	if p.Base.Header() != "planned three-way against the state the workbook was made from (1 apply since)" {
		t.Errorf("header without a time: %q", p.Base.Header())
	}
}

// TestThreeWayReplan: a workbook that records its base, applied, plans
// nothing when planned again (three-way, against its base) — renames and
// slice rule moves included — while a competing change made since is
// still a conflict.
func TestThreeWayReplan(t *testing.T) {
	const rule1, rule2 = "GolfStream / Data Cell Access Security / 1", "GolfStream / Data Cell Access Security / 2"
	sliceKey := func(order string) []string { return []string{"GolfStream", "Data Cell Access Security", order} }
	for _, tc := range []struct {
		name  string
		edits []cellEdit
		// since is applied to the base instead of the workbook's own plan.
		since    []plans.Change
		conflict string // a substring of the one conflict; "" for none
	}{
		{name: "rename of a user",
			edits: []cellEdit{{"Users", "Anna Weber", "ActionType", "Rename"}, {"Users", "Anna Weber", "ActionValue", "Anna Weber-Schmidt"}}},
		{name: "rename of a user with an edit of her row",
			edits: []cellEdit{{"Users", "Anna Weber", "ActionType", "Rename"}, {"Users", "Anna Weber", "ActionValue", "Anna Weber-Schmidt"},
				{"Users", "Anna Weber", "Description", "Frankfurt Senior Analyst"}}},
		{name: "rename of a user and of one of her groups",
			edits: []cellEdit{{"Users", "Anna Weber", "ActionType", "Rename"}, {"Users", "Anna Weber", "ActionValue", "Anna Weber-Schmidt"},
				{"Groups", "Frankfurt_View", "ActionType", "Rename"}, {"Groups", "Frankfurt_View", "ActionValue", "Frankfurt_Read"}}},
		{name: "rename of a group and of its parent group",
			edits: []cellEdit{{"Groups", "Frankfurt_View", "ActionType", "Rename"}, {"Groups", "Frankfurt_View", "ActionValue", "Frankfurt_Read"},
				{"Groups", "Europe", "ActionType", "Rename"}, {"Groups", "Europe", "ActionValue", "EMEA"}}},
		{name: "move of a slice rule",
			edits: []cellEdit{{"CubeDataCellAccess", rule1, "ActionType", "Rename"}, {"CubeDataCellAccess", rule1, "ActionValue", "20"}}},
		{name: "move of a slice rule with an edit of it",
			edits: []cellEdit{{"CubeDataCellAccess", rule1, "ActionType", "Rename"}, {"CubeDataCellAccess", rule1, "ActionValue", "20"},
				{"CubeDataCellAccess", rule1, "Description", "Budget preparers, moved"}}},
		{name: "removal of a slice rule and a move into its order",
			edits: []cellEdit{{"CubeDataCellAccess", rule1, "ActionType", "Remove"},
				{"CubeDataCellAccess", rule2, "ActionType", "Rename"}, {"CubeDataCellAccess", rule2, "ActionValue", "1"}}},
		{name: "a slice rule moved since elsewhere is a conflict",
			edits:    []cellEdit{{"CubeDataCellAccess", rule1, "ActionType", "Rename"}, {"CubeDataCellAccess", rule1, "ActionValue", "20"}},
			since:    []plans.Change{{Op: plans.OpRename, Tab: "CubeDataCellAccess", Key: sliceKey("1"), NewKey: sliceKey("30")}},
			conflict: "no longer there"},
		{name: "another rule at the order a rule is moved to is a conflict",
			edits: []cellEdit{{"CubeDataCellAccess", rule1, "ActionType", "Rename"}, {"CubeDataCellAccess", rule1, "ActionValue", "20"}},
			since: []plans.Change{{Op: plans.OpRemove, Tab: "CubeDataCellAccess", Key: sliceKey("1")},
				{Op: plans.OpRename, Tab: "CubeDataCellAccess", Key: sliceKey("2"), NewKey: sliceKey("20")}},
			conflict: "no longer there"},
		{name: "a user renamed since to another name is a conflict",
			edits:    []cellEdit{{"Users", "Anna Weber", "ActionType", "Rename"}, {"Users", "Anna Weber", "ActionValue", "Anna Weber-Schmidt"}},
			since:    []plans.Change{{Op: plans.OpRename, Tab: "Users", Key: []string{"Anna Weber"}, NewKey: []string{"Anna Schmidt"}}},
			conflict: "'Anna Schmidt'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base, err := golfstream.Environment()
			if err != nil {
				t.Fatal(err)
			}
			path := editCopy(t, exportWithBase(t, base, time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)), tc.edits...)
			// The environment is the workbook's base: planned two-way.
			first := plan(t, base, path, PlanOptions{FindBase: func(string) (*BaseState, error) {
				t.Fatal("looked up the current state")
				return nil, nil
			}})
			if !first.Applicable || len(first.Changes) == 0 {
				t.Fatalf("first plan:\n%s", render(first))
			}
			var after *artifacts.Environment
			if tc.since != nil {
				after = mustApply(t, base, tc.since...)
			} else if after, err = Apply(base, first, nil); err != nil {
				t.Fatalf("apply: %v\n%s", err, render(first))
			}
			st := &BaseState{Env: base, Applies: []AppliedSince{{After: func() (*artifacts.Environment, error) { return after, nil }}}}
			again := plan(t, after, path, PlanOptions{FindBase: func(string) (*BaseState, error) { return st, nil }})
			if again.Base == nil {
				t.Fatalf("planned again two-way:\n%s", render(again))
			}
			if tc.conflict == "" {
				if len(again.Changes) != 0 || !again.Applicable || again.Findings.Errors() != 0 {
					t.Fatalf("planned again after apply:\n%s", render(again))
				}
				return
			}
			var conflicts []string
			for _, f := range again.Findings {
				if f.Code == validate.CodeConflict {
					conflicts = append(conflicts, f.Message)
				}
			}
			if again.Applicable || len(conflicts) != 1 || !strings.Contains(conflicts[0], tc.conflict) {
				t.Fatalf("want one conflict naming %q:\n%s", tc.conflict, render(again))
			}
		})
	}
}
