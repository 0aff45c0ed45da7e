package actions

import (
	"bytes"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
)

// sliceEnv is testEnv with four slice rules of one cube and type, at
// orders 0 to 3.
func sliceEnv() *artifacts.Environment {
	env := testEnv()
	base := env.CubeDataCellAccess[0]
	for o := 1; o <= 3; o++ {
		r := base
		r.ProcessingOrder = o
		r.Description = "rule " + strconv.Itoa(o)
		r.AccessGroup = "Documentation AllOrgs"
		env.CubeDataCellAccess = append(env.CubeDataCellAccess, r)
	}
	env.Normalize()
	return env
}

// sliceHeader is every column of the CubeDataCellAccess tab, by the tab
// table's names.
func sliceHeader() []any {
	var h []any
	for _, c := range artifacts.TabCubeDataCellAccess.Tab().Columns {
		h = append(h, c.Name)
	}
	return h
}

// ruleRow is slice rule order of env as an export writes it, with edits
// by column name ("ActionType", "Description" …).
func ruleRow(env *artifacts.Environment, order int, edits ...string) []any {
	t := artifacts.TabCubeDataCellAccess.Tab()
	i, ok := t.Find(env, "GolfStream", "Data Cell Access Security", strconv.Itoa(order))
	if !ok {
		panic("no slice rule " + strconv.Itoa(order))
	}
	cells := t.Cells(env, i, nil)
	for k := 0; k+1 < len(edits); k += 2 {
		cells[t.Column(edits[k])] = edits[k+1]
	}
	out := make([]any, len(cells))
	for k, c := range cells {
		out[k] = c
	}
	return out
}

const rule = "CubeDataCellAccess GolfStream / Data Cell Access Security / "

// sliceCell is the cell of a column, by name, of a test workbook written
// with sliceHeader.
func sliceCell(col string, row int) string {
	ref, _ := excelize.CoordinatesToCellName(artifacts.TabCubeDataCellAccess.Tab().Column(col)+1, row)
	return "CubeDataCellAccess!" + ref
}

func TestSliceRuleMoves(t *testing.T) {
	env := sliceEnv()
	po := artifacts.TabCubeDataCellAccess.Tab().Columns[artifacts.TabCubeDataCellAccess.Tab().Key[2]].Name
	cases := []struct {
		name     string
		rows     [][]any
		cascade  bool
		groups   [][]any
		changes  []string
		findings []string
		// again: the findings of planning the workbook again after it was
		// applied (which plans nothing)
		again []string
	}{
		{name: "a chain of moves, planned from its end",
			rows:    [][]any{ruleRow(env, 0, "ActionType", "Rename", "ActionValue", "1"), ruleRow(env, 1, "ActionType", "rename", "ActionValue", "4.0")},
			changes: []string{"> " + rule + "1 → GolfStream / Data Cell Access Security / 4", "> " + rule + "0 → GolfStream / Data Cell Access Security / 1"},
			again:   []string{"warning already-renamed " + sliceCell("ActionType", 2), "warning already-renamed " + sliceCell("ActionType", 3)}},
		{name: "a move into the order of a rule removed by the same workbook",
			rows:    [][]any{ruleRow(env, 1, "ActionType", "Rename", "ActionValue", "2"), ruleRow(env, 2, "ActionType", "Remove"), ruleRow(env, 3)},
			changes: []string{"- " + rule + "2", "> " + rule + "1 → GolfStream / Data Cell Access Security / 2"},
			again:   []string{"warning already-renamed " + sliceCell("ActionType", 2), "warning already-absent " + sliceCell("ActionType", 3)}},
		{name: "a removal on its own, and a move with an edit",
			rows: [][]any{ruleRow(env, 3, "ActionType", "Remove"), ruleRow(env, 0, "ActionType", "Rename", "ActionValue", "7", "Description", "moved last")},
			changes: []string{"> " + rule + "0 → GolfStream / Data Cell Access Security / 7",
				"~ " + rule + "7: Description \"\" → moved last", "- " + rule + "3"},
			again: []string{"warning already-absent " + sliceCell("ActionType", 2), "warning already-renamed " + sliceCell("ActionType", 3)}},
		{name: "moves in a circle",
			rows:     [][]any{ruleRow(env, 0, "ActionType", "Rename", "ActionValue", "1"), ruleRow(env, 1, "ActionType", "Rename", "ActionValue", "0")},
			findings: []string{"error conflicting-rows " + sliceCell("ActionValue", 2), "error conflicting-rows " + sliceCell("ActionValue", 3)}},
		{name: "a move onto a rule that stays",
			rows:     [][]any{ruleRow(env, 0, "ActionType", "Rename", "ActionValue", "2")},
			findings: []string{"error rename-target-taken " + sliceCell("ActionValue", 2)}},
		{name: "a move of a rule that does not exist",
			rows:     [][]any{ruleRow(env, 0, po, "8", "ActionType", "Rename", "ActionValue", "9")},
			findings: []string{"error rename-source-missing " + sliceCell(po, 2)}},
		{name: "a row that describes the rule a move puts there",
			rows:     [][]any{ruleRow(env, 0, "ActionType", "Rename", "ActionValue", "5"), ruleRow(env, 1, po, "5")},
			changes:  []string{"> " + rule + "0 → GolfStream / Data Cell Access Security / 5"},
			findings: []string{"error conflicting-rows " + sliceCell(po, 3)}},
		{name: "Rename needs a whole number, Remove no ActionValue",
			rows:     [][]any{ruleRow(env, 0, "ActionType", "Rename", "ActionValue", "first"), ruleRow(env, 1, "ActionType", "Remove", "ActionValue", "2")},
			findings: []string{"error invalid-action " + sliceCell("ActionValue", 2), "error invalid-action " + sliceCell("ActionValue", 3)}},
		{name: "an overtyped order looks moved",
			rows:     [][]any{ruleRow(env, 0), ruleRow(env, 1), ruleRow(env, 2), ruleRow(env, 3, po, "9")},
			changes:  []string{"+ " + rule + "9: Description rule 3; AccessGroup Documentation AllOrgs; BehaviorInGrpInFilter Increase Access And Stop; AccessLevelInGrpInFilter All Access; BehaviorInGrpNotInFilter Skip Item And Continue; AccessLevelInGrpNotInFilter No Access; BehaviorNotInGrpInFilter Skip Item And Continue; AccessLevelNotInGrpInFilter No Access; EntityMemberFilter E#Houston.Base"},
			findings: []string{"warning looks-moved " + sliceCell(po, 5)}},
		{name: "--cascade edits a moved rule under its new key",
			groups:  [][]any{{"Documentation AllOrgs", nil, "Remove"}},
			cascade: true,
			rows:    [][]any{ruleRow(env, 1, "ActionType", "Rename", "ActionValue", "6"), ruleRow(env, 2, "ActionType", "Remove")},
			changes: []string{"> " + rule + "1 → GolfStream / Data Cell Access Security / 6",
				"~ " + rule + "6: AccessGroup Documentation AllOrgs → Nobody  (--cascade: group 'Documentation AllOrgs' is removed)",
				"~ " + rule + "3: AccessGroup Documentation AllOrgs → Nobody  (--cascade: group 'Documentation AllOrgs' is removed)",
				"- " + rule + "2", "- Groups Documentation AllOrgs"},
			again: []string{"warning already-absent Groups!C2", "warning removed-with-owner Groups!C2", "warning already-renamed " + sliceCell("ActionType", 2), "warning already-absent " + sliceCell("ActionType", 3)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sheets := []sheet{{"CubeDataCellAccess", rows(sliceHeader(), tc.rows...)}}
			if tc.groups != nil {
				sheets = append([]sheet{{"Groups", rows(groupsHeader, tc.groups...)}}, sheets...)
			}
			path := writeWorkbook(t, sheets...)
			opt := PlanOptions{Cascade: tc.cascade}
			p := plan(t, env, path, opt)
			if d := cmp.Diff(tc.changes, changeLines(p)); d != "" {
				t.Errorf("changes (-want +got):\n%s\n%s", d, render(p))
			}
			if d := cmp.Diff(tc.findings, findingLines(p)); d != "" {
				t.Errorf("findings (-want +got):\n%s\n%s", d, render(p))
			}
			if !p.Applicable {
				return
			}
			after, err := Apply(env, p, nil)
			if err != nil {
				t.Fatalf("apply: %v\n%s", err, render(p))
			}
			again := plan(t, after, path, opt)
			if len(again.Changes) != 0 {
				t.Errorf("planned again after apply:\n%s", render(again))
			}
			if tc.again != nil {
				if d := cmp.Diff(tc.again, findingLines(again)); d != "" {
					t.Errorf("findings planned again (-want +got):\n%s\n%s", d, render(again))
				}
			}
			// The undo moves each rule back.
			undo, _ := Undo(env, after, p)
			if got, want := countOps(undo, plans.OpRename), countOps(p.Changes, plans.OpRename); got != want {
				t.Errorf("undo has %d renames, the plan %d:\n%s", got, want, strings.Join(lines(undo), "\n"))
			}
			restored, err := Apply(after, applicable(undo...), nil)
			if err != nil {
				t.Fatalf("undo: %v", err)
			}
			if !bytes.Equal(must(artifacts.Marshal(env)), must(artifacts.Marshal(restored))) {
				t.Error("the undo does not restore the environment")
			}
		})
	}
}

// TestSliceLooksMovedMessage: the warning says which rule seems to have
// moved and what to write instead.
func TestSliceLooksMovedMessage(t *testing.T) {
	env := sliceEnv()
	t2 := artifacts.TabCubeDataCellAccess.Tab()
	po := t2.Columns[t2.Key[2]].Name
	p := plan(t, env, writeWorkbook(t, sheet{"CubeDataCellAccess", rows(sliceHeader(), ruleRow(env, 0), ruleRow(env, 2), ruleRow(env, 3), ruleRow(env, 1, po, "5"))}), PlanOptions{})
	want := "rule 1 'rule 1' seems to have moved to 5: write Rename with ActionValue 5 on its row to move it, or this adds a second copy"
	if len(p.Findings) != 1 || p.Findings[0].Message != want {
		t.Fatalf("findings: %v, want %q", p.Findings, want)
	}
}

// TestRemoveWithMemberReplans: after a Remove with a member is applied,
// the same workbook, which still lists the membership, plans nothing.
func TestRemoveWithMemberReplans(t *testing.T) {
	env := testEnv()
	path := writeWorkbook(t,
		sheet{"Users", rows([]any{"User", "ActionType", "ActionValue"}, []any{"Natalie Documentation", "Remove", "Documentation LegalB"})},
		sheet{"UsersInGroups", rows(uigHeader, []any{"Natalie Documentation", "Documentation LegalB"})},
		sheet{"ExGroup", rows([]any{"ExGroup", "Description", "ActionType", "ActionValue"}, []any{"Houston Except", "All orgs but Natalie", "Remove", "Documentation AllOrgs"})},
		sheet{"GroupsInExGroups", rows(gixHeader, []any{"Documentation AllOrgs", "Houston Except", 0, true})},
	)
	p := plan(t, env, path, PlanOptions{})
	want := []string{"- UsersInGroups Natalie Documentation / Documentation LegalB", "- GroupsInExGroups Documentation AllOrgs / Houston Except"}
	if d := cmp.Diff(want, changeLines(p)); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	after, err := Apply(env, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	again := plan(t, after, path, PlanOptions{})
	wantFindings := []string{"warning already-absent Users!C2", "warning removed-by-row UsersInGroups!A2", "warning already-absent ExGroup!D2", "warning removed-by-row GroupsInExGroups!A2"}
	if len(again.Changes) != 0 || !cmp.Equal(wantFindings, findingLines(again)) {
		t.Fatalf("planned again:\n%s\nwant findings %v", render(again), wantFindings)
	}
}

// TestCascadeReplans: a group removed with --cascade over a full export
// plans nothing the second time: the rows that still name it hold Nobody
// in the environment.
func TestCascadeReplans(t *testing.T) {
	env := testEnv()
	// The person marks Houston_Mod for removal on the export.
	edited := editExport(t, env, artifacts.TabGroups, "Houston_Mod", "ActionType", "Remove")
	p := plan(t, env, edited, PlanOptions{Cascade: true})
	if !p.Applicable || countOps(p.Changes, plans.OpEdit) != 4 {
		t.Fatalf("first plan:\n%s", render(p))
	}
	after, err := Apply(env, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, cascade := range []bool{true, false} {
		again := plan(t, after, edited, PlanOptions{Cascade: cascade})
		if len(again.Changes) != 0 || !again.Applicable {
			t.Fatalf("cascade %v: planned again:\n%s", cascade, render(again))
		}
		if !strings.Contains(render(again), "4 cell(s) of this workbook still name group 'Houston_Mod', which is already absent") {
			t.Errorf("no summary of the cells left as Nobody:\n%s", render(again))
		}
	}
}

// editExport writes a full export of env with one cell of a named row
// (Users, Groups, ExGroup) changed.
func editExport(t *testing.T, env *artifacts.Environment, tab artifacts.TabID, name, col, value string) string {
	t.Helper()
	ed := newExportEditor(nil, env)
	i := ed.rowOf(tab, name)
	if i < 0 {
		t.Fatalf("no %s row %s", tab.Tab().Name, name)
	}
	ed.set(tab, i, col, value)
	path := filepath.Join(t.TempDir(), "edited.xlsx")
	ed.write(t, path)
	return path
}
