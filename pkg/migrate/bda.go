package migrate

import (
	"fmt"
	"strings"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
	"secmgr/pkg/validate"
)

// The change workbook says each change in BDA Security Manager's
// vocabulary wherever the guide has a way to say it: a membership removal
// is a Users row (ActionType Remove, ActionValue the group), a group's
// removal from a group a Groups row for the parent (ActionValue the
// member). What the guide cannot say is written with secmgr's extension
// and reported as a warning, not-bda, with how to make it in OneStream by
// hand — or, with Options.BDA, left out of the workbook and reported as
// an error.

// guideHost returns the tab whose row says e's change the guide's way and
// that row's key and ActionValue, when e is a membership removal the guide
// can say.
func (c *comparer) guideHost(e *entry) (host *artifacts.Tab, owner, member string, ok bool) {
	if e.c.Op != plans.OpRemove {
		return nil, "", "", false
	}
	switch e.t.ID {
	case artifacts.TabUsersInGroups:
		host, owner, member = artifacts.TabUsers.Tab(), e.c.Key[0], e.c.Key[1]
		// For an exclusion group a Users row would remove the user's
		// exclusion entry too.
		if c.dstGroups[artifacts.Fold(member)].tab == artifacts.TabExGroup {
			return nil, "", "", false
		}
	case artifacts.TabGroupsInGroups:
		host, owner, member = artifacts.TabGroups.Tab(), e.c.Key[1], e.c.Key[0]
		// A Groups row's ActionValue names a user or a group: a name that
		// is both cannot say which.
		if c.users[artifacts.Fold(member)] {
			return nil, "", "", false
		}
	default:
		return nil, "", "", false
	}
	if !c.sel[host.ID] {
		return nil, "", "", false
	}
	return host, owner, member, true
}

// guideRow returns the row of host that removes member from owner the
// guide's way: the owner's row as the destination has it (as a person
// edits an export's row), password empty, with ActionType Remove and
// ActionValue the member.
func (c *comparer) guideRow(host *artifacts.Tab, owner, member string) ([]string, bool) {
	j, ok := host.Find(c.dst, owner)
	if !ok {
		return nil, false
	}
	row := host.Cells(c.dst, j, nil)
	if pw := host.Column("Password"); pw >= 0 {
		row[pw] = ""
	}
	row[host.Column("ActionType")] = artifacts.ActionRemove
	row[host.Column("ActionValue")] = member
	return row, true
}

// extensionColumn returns the column of e's row that uses one of secmgr's
// extensions, or -1 when the row is the guide's vocabulary.
func extensionColumn(e *entry, values []string) int {
	t := e.t
	if e.host != nil {
		return -1
	}
	if at := t.Column("ActionType"); at >= 0 && !t.GuideActions() && e.c.Op == plans.OpRemove {
		return at
	}
	if t.ID == artifacts.TabCubeDataCellAccess {
		if ty := t.Column("Type"); !strings.EqualFold(values[ty], artifacts.GuideSliceRuleType) {
			return ty
		}
	}
	return -1
}

// notBDA reports a change the guide cannot say. Written to the workbook
// (row > 0) it is a warning at its cell; with Options.BDA it is left out
// and an error.
func (c *comparer) notBDA(e *entry, col, row int, values []string) {
	t := e.t
	what := fmt.Sprintf("%s %s is removed with ActionType Remove on the %s tab", t.Artifact, quote(e.c.Key), t.Name)
	if t.Columns[col].Name == "Type" {
		what = fmt.Sprintf("%s %s has Type '%s'", t.Artifact, quote(e.c.Key), values[col])
	}
	hand := fmt.Sprintf("by hand in OneStream (%s)", artifacts.ByHand(t))
	f := Finding{Finding: validate.Finding{Severity: validate.Warning, Code: validate.CodeNotBDA, Tab: t.Name, Column: t.Columns[col].Name}, Key: e.c.Key}
	if row > 0 {
		f.Row = row
		f.Cell = fmt.Sprintf("%s!%s%d", t.Name, columnLetters(col+1), row)
		f.Message = fmt.Sprintf("%s, a secmgr extension that BDA Security Manager does not read; apply this workbook with secmgr, or make the change %s", what, hand)
	} else {
		f.Severity, f.Code = validate.Error, validate.CodeBDAExtension
		f.Message = fmt.Sprintf("%s, a secmgr extension that BDA Security Manager does not read, so the workbook leaves it out; make the change %s, or diff without --bda and apply with secmgr", what, hand)
		if t.Columns[col].Name != "Type" {
			f.Message = strings.Replace(f.Message, "is removed with", "would be removed with", 1)
		}
	}
	c.findings = append(c.findings, f)
}

// columnLetters is the spreadsheet name of 1-based column n.
func columnLetters(n int) string {
	s := ""
	for n > 0 {
		n--
		s = string(rune('A'+n%26)) + s
		n /= 26
	}
	return s
}
