package actions

import (
	"fmt"
	"strings"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/validate"
	"secmgr/pkg/workbook"
)

// checkBDA reports every use of one of secmgr's extensions in the
// workbook at path as an error at its cell (plan --bda): an admin who will
// import the workbook through BDA Security Manager learns before the
// import that BDA would ignore it, and the access it was meant to change
// would stay. It reads the workbook again, only the tabs that can hold an
// extension.
func (p *planner) checkBDA(path string) error {
	wb, err := workbook.Open(path, p.opt.Read)
	if err != nil {
		return err
	}
	defer wb.Close()
	for _, s := range wb.Sheets {
		t := s.Tab
		at, av := t.Column("ActionType"), t.Column("ActionValue")
		actions := at >= 0 && !t.GuideActions() && (s.Present[at] || s.Present[av])
		typ := -1
		if t.ID == artifacts.TabCubeDataCellAccess && s.Present[t.Column("Type")] {
			typ = t.Column("Type")
		}
		if !actions && typ < 0 {
			continue
		}
		err := wb.Read(s, func(r *workbook.Row) error {
			for _, f := range BDAExtensionsInRow(s, r) {
				p.addFinding(f)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// BDAExtensionsInRow returns the uses of extensions in one row of s, as
// errors at their cells.
func BDAExtensionsInRow(s *workbook.Sheet, r *workbook.Row) []validate.Finding {
	t := s.Tab
	var out []validate.Finding
	if at, av := t.Column("ActionType"), t.Column("ActionValue"); at >= 0 && !t.GuideActions() {
		col := at
		if r.Values[at] == "" {
			col = av
		}
		if r.Values[col] != "" {
			out = append(out, s.Finding(validate.Error, validate.CodeBDAExtension, col, r.Number, actionExtensionMessage(t, r.Values)))
		}
	}
	if t.ID == artifacts.TabCubeDataCellAccess {
		ty := t.Column("Type")
		if v := r.Values[ty]; v != "" && !strings.EqualFold(v, artifacts.GuideSliceRuleType) {
			out = append(out, s.Finding(validate.Error, validate.CodeBDAExtension, ty, r.Number,
				fmt.Sprintf("slice-rule Type '%s' is a secmgr extension: BDA Security Manager's guide covers only %s rules; make this rule by hand in OneStream (%s), or plan without --bda and apply it with secmgr",
					validate.Shown(v), artifacts.GuideSliceRuleType, artifacts.ByHand(t))))
		}
	}
	return out
}

// actionExtensionMessage says why ActionType or ActionValue on t is not
// BDA's vocabulary and how to say it instead.
func actionExtensionMessage(t *artifacts.Tab, values []string) string {
	msg := fmt.Sprintf("ActionType and ActionValue on the %s tab are a secmgr extension that BDA Security Manager does not read (the row would be imported without them)", t.Name)
	switch t.ID {
	case artifacts.TabUsersInGroups:
		return msg + fmt.Sprintf("; write the removal the guide's way: a Users row for '%s' with ActionType Remove and ActionValue '%s'", validate.Shown(values[0]), validate.Shown(values[1]))
	case artifacts.TabGroupsInGroups:
		return msg + fmt.Sprintf("; write the removal the guide's way: a Groups row for '%s' with ActionType Remove and ActionValue '%s'", validate.Shown(values[1]), validate.Shown(values[0]))
	}
	return msg + fmt.Sprintf("; the guide has no way to say it: make the change by hand in OneStream (%s), or plan without --bda and apply it with secmgr", artifacts.ByHand(t))
}
