package actions

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"secmgr/pkg/artifacts"
)

// FuzzPlanRows plans a one-row workbook on any tab with fuzzed cell
// values: the planner must never panic, and a plan with no errors must
// apply cleanly.
func FuzzPlanRows(f *testing.F) {
	f.Add(uint8(artifacts.TabUsers), "Jessica Documentation", "desc", "View", "true", "Rename", "Jess D")
	f.Add(uint8(artifacts.TabGroups), "Houston_View", "", "", "", "Remove", "")
	f.Add(uint8(artifacts.TabUsersInGroups), "Jessica Documentation", "houston_mod", "", "", "", "")
	f.Add(uint8(artifacts.TabGroupsInGroups), "Documentation AllOrgs", "Documentation LegalA", "", "", "", "")
	f.Add(uint8(artifacts.TabUsersInExGroups), "Jessica Documentation", "Houston Except", "1", "False", "", "")
	f.Add(uint8(artifacts.TabEntity), "Houston", "Houston_Mod", "Nobody", "Everyone", "x", "TRUE")
	f.Add(uint8(artifacts.TabCubeDataCellAccess), "GolfStream", "Data Cell Access Security", "3.0", "desc", "Houston_View", "Skip Item And Stop")
	f.Add(uint8(artifacts.TabCubeDataCellAccess), "GolfStream", "Data Cell Access Security", "0", "desc", "Rename", "5")
	f.Fuzz(func(t *testing.T, tab uint8, a, b, c, d, e, g string) {
		tb := artifacts.TabID(int(tab) % int(artifacts.NumTabs)).Tab()
		vals := []string{a, b, c, d, e, g}
		header := []any{}
		row := []any{}
		for i, col := range tb.Columns {
			if i >= len(vals) {
				break
			}
			header = append(header, col.Name)
			row = append(row, vals[i])
		}
		if tb.Column("ActionType") >= 0 && len(tb.Columns) > len(vals) {
			header = append(header, "ActionType", "ActionValue")
			row = append(row, e, g)
		}
		for _, v := range vals {
			if len(v) > 32767 || strings.ContainsRune(v, 0) {
				return
			}
		}
		path := writeWorkbookFuzz(t, tb.Name, header, row)
		if path == "" {
			return
		}
		env := testEnv()
		p, err := PlanWorkbook(path, env, PlanOptions{Cascade: len(a)%2 == 0})
		if err != nil {
			return // an unreadable file is an error, not a crash
		}
		if p.Applicable && len(p.Changes) > 0 {
			if _, err := Apply(env, p, nil); err != nil && !strings.Contains(err.Error(), "secret") {
				t.Fatalf("an applicable plan does not apply: %v\n%s", err, render(p))
			}
		}
	})
}

func writeWorkbookFuzz(t *testing.T, name string, header, row []any) (path string) {
	defer func() {
		if recover() != nil { // excelize refuses some values; not our bug
			path = ""
		}
	}()
	return writeWorkbook(t, sheet{name, [][]any{header, row}})
}

// FuzzPlanWorkbookBytes plans arbitrary bytes as a workbook.
func FuzzPlanWorkbookBytes(f *testing.F) {
	for _, name := range []string{"realistic.xlsx", "mistakes.xlsx", "remove-group.libreoffice.xlsx"} {
		if b, err := os.ReadFile(filepath.Join(editsDir, name)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("PK\x03\x04 not really"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "fuzz.xlsx")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		PlanWorkbook(path, testEnv(), PlanOptions{})
		// A snapshot of it: an environment only without error findings,
		// and then one that Load accepts.
		env, findings, err := Snapshot(path, SnapshotOptions{})
		if err == nil && env != nil {
			if findings.Errors() > 0 {
				t.Errorf("an environment with %d error finding(s)", findings.Errors())
			}
			if err := env.CheckInvariants(); err != nil {
				t.Errorf("snapshot breaks the invariants: %v", err)
			}
		}
	})
}

// FuzzPlanSliceMoves plans up to six slice-rule rows of one cube and type
// with fuzzed orders, moves (Rename) and removals against four existing
// rules: the planner never panics, a plan without errors applies, and
// planning the same workbook again after it was applied plans nothing.
func FuzzPlanSliceMoves(f *testing.F) {
	f.Add([]byte{0, 1, 1, 1, 1, 4})       // a chain: 1 → 4, then 0 → 1
	f.Add([]byte{1, 1, 2, 2, 2, 0, 3, 0}) // a move into a removed rule's order
	f.Add([]byte{0, 1, 1, 1, 1, 0})       // a circle
	f.Add([]byte{3, 0, 9, 0, 1, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		env := sliceEnv()
		tab := artifacts.TabCubeDataCellAccess.Tab()
		po := tab.Columns[tab.Key[2]].Name
		var sheetRows [][]any
		for i := 0; i+2 < len(data) && len(sheetRows) < 6; i += 3 {
			order, target := int(data[i]%8), int(data[i+2]%8)
			action := []string{"", "Rename", "Remove"}[data[i+1]%3]
			value := ""
			if action == "Rename" {
				value = strconv.Itoa(target)
			}
			sheetRows = append(sheetRows, ruleRow(env, int(data[i]%4), po, strconv.Itoa(order), "ActionType", action, "ActionValue", value))
		}
		path := writeWorkbook(t, sheet{"CubeDataCellAccess", rows(sliceHeader(), sheetRows...)})
		p := plan(t, env, path, PlanOptions{})
		if !p.Applicable {
			return
		}
		after, err := Apply(env, p, nil)
		if err != nil {
			t.Fatalf("an applicable plan does not apply: %v\n%s", err, render(p))
		}
		if again := plan(t, after, path, PlanOptions{}); len(again.Changes) != 0 || !again.Applicable {
			t.Fatalf("planned again after apply:\n%s\nfirst plan:\n%s", render(again), render(p))
		}
	})
}
