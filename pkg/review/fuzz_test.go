package review

import (
	"strings"
	"testing"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/validate"
	"secmgr/pkg/workbook"
)

// FuzzPlanRows feeds the planner rows of any text — a header row, then
// decisions — as the sheet reader would pass them: lines are rows, tabs
// separate cells, an empty cell is left out. Planning never panics, every
// change removes a membership that exists at a Decision cell, and a plan
// is applicable exactly when it has no error.
//
//	go test ./pkg/review -run '^$' -fuzz FuzzPlanRows -fuzztime 1m
func FuzzPlanRows(f *testing.F) {
	env := sample(f)
	f.Add("User\tUserType\tIsEnabled\tGroup\tRoles\tAdministrator\tDecision\nRobert Kline\t\t\tAdministrators\t\t\tRemove\nAnna Weber\t\t\tFrankfurt_View\t\t\tkeep")
	f.Add("Decision\tGroup\tUser\nremove \tadministrators\tROBERT KLINE\nkeep\tAdministrators\tRobert Kline\nRemove\tAdministrators\tRobert Kline")
	f.Add("User\tGroup\tDecision\tdecision\nx\ty\tRemove")
	f.Add("\t\t\n\tUser\tGroup\tDecision\nRemove\t\t\tRemvoe")
	f.Add("User\tGroup\tDecision\n\t\tRemove\nNobody\t\tRemove\n\tNowhere\tKeep\nİ\tı\tREMOVE")
	f.Fuzz(func(t *testing.T, text string) {
		pl := newPlanner(env, Sheet)
		for i, line := range strings.Split(text, "\n") {
			var cells []workbook.RawCell
			for col, v := range strings.Split(line, "\t") {
				if v != "" {
					cells = append(cells, workbook.RawCell{Col: col + 1, Value: v})
				}
			}
			if len(cells) == 0 {
				continue // the reader passes rows with cells only
			}
			if err := pl.row(i+1, cells); err == workbook.ErrStopReading {
				break
			} else if err != nil {
				t.Fatal(err)
			}
		}
		p, err := pl.plan("fuzz.xlsx", Options{})
		if err != nil {
			t.Fatal(err)
		}
		if p.Applicable != (p.Findings.Errors() == 0) {
			t.Fatalf("applicable %v with %d errors", p.Applicable, p.Findings.Errors())
		}
		for _, c := range p.Changes {
			if _, ok := artifacts.TabUsersInGroups.Tab().Find(env, c.Key...); !ok || len(c.Cells) != 1 || !strings.HasPrefix(c.Cells[0], Sheet+"!") {
				t.Fatalf("change %+v", c)
			}
		}
		for _, fd := range p.Findings {
			if fd.Severity != validate.Error && fd.Severity != validate.Warning || fd.Message == "" || fd.Code == "" {
				t.Fatalf("finding %+v", fd)
			}
		}
	})
}
