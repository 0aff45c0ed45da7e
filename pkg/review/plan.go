package review

import (
	"fmt"
	"strings"

	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
	"secmgr/pkg/validate"
	"secmgr/pkg/workbook"
)

// Options tune reading a reviewed workbook.
type Options struct {
	// Read bounds what reading the workbook may cost, as for a security
	// workbook, and reports progress.
	Read workbook.Options
	// Source is the name the plan records as its source; default the path
	// as given.
	Source string
}

// IsReviewWorkbook reports whether the workbook at path is an access
// review: it has a sheet named AccessReview (in any casing) whose first
// row has a Decision header. Only the sheet list and that row are read.
// The error is for a file that is not a readable .xlsx workbook at all;
// its message names the file.
func IsReviewWorkbook(path string) (bool, error) {
	return IsReviewWorkbookWith(path, Options{})
}

// IsReviewWorkbookWith is IsReviewWorkbook within the limits of
// opt.Read.
func IsReviewWorkbookWith(path string, opt Options) (bool, error) {
	read := opt.Read
	read.Progress = nil // one row: nothing to show
	rw, err := workbook.OpenRaw(path, read)
	if err != nil {
		return false, err
	}
	defer rw.Close()
	if _, ok := rw.Sheet(Sheet); !ok {
		return false, nil
	}
	found := false
	err = rw.ReadSheet(Sheet, func(row int, cells []workbook.RawCell) error {
		for _, c := range cells {
			found = found || (row == 1 && strings.EqualFold(strings.TrimSpace(c.Value), ColumnDecision))
		}
		return workbook.ErrStopReading
	})
	return found, err
}

// Plan reads the reviewed workbook at path and plans, against env, the
// removal of every membership whose Decision is Remove (in any casing,
// surrounding spaces ignored) — "- UsersInGroups USER / GROUP", its cell
// the Decision cell (AccessReview!G12) — in row order. Rows whose
// Decision is empty or Keep change nothing. Each Remove is checked and
// planned by the planner (actions.PlanRows) as a UsersInGroups row with
// ActionType Remove, its findings at the review's cells: the same rules
// as an edited workbook's. Findings:
//
//   - another Decision: an error at its cell;
//   - a User or Group that is not a valid name: an error at its cell;
//   - Remove on a row without a user or a group: an error at the empty cell;
//   - Remove of a membership, user or group that no longer exists: a
//     warning (already-absent), so that a reviewed file applied once
//     plans to warnings only;
//   - the same membership marked Remove twice: a warning, planned once;
//     marked Remove on one row and Keep on another: an error on both.
//
// Tabs besides AccessReview and About are ignored, each with a warning.
// A plan with errors is not applicable. The error is for a file that
// cannot be read as a workbook at all, or has no AccessReview tab; its
// message names the file. env is not changed.
func Plan(path string, env *artifacts.Environment) (*plans.Plan, error) {
	return PlanWith(path, env, Options{})
}

// PlanWith is Plan with options.
func PlanWith(path string, env *artifacts.Environment, opt Options) (*plans.Plan, error) {
	rw, err := workbook.OpenRaw(path, opt.Read)
	if err != nil {
		return nil, err
	}
	defer rw.Close()
	sheet, ok := rw.Sheet(Sheet)
	if !ok {
		return nil, fmt.Errorf("%s: the workbook has no %s tab; it is not an access review (write one with 'secmgr review')", path, Sheet)
	}
	pl := newPlanner(env, sheet)
	for _, name := range rw.SheetNames() {
		// Say so rather than drop edits silently, for instance on a
		// security tab copied into the review.
		if name != sheet && !strings.EqualFold(name, AboutSheet) && !strings.EqualFold(name, EffectiveSheet) {
			pl.findings = append(pl.findings, validate.Finding{Severity: validate.Warning, Code: validate.CodeUnknownTab, Tab: name,
				Message: fmt.Sprintf("tab '%s' is not part of an access review; it is ignored (plan security edits from a workbook of their own)", name)})
		}
	}
	if err := rw.ReadSheet(Sheet, pl.row); err != nil {
		return nil, err
	}
	source := opt.Source
	if source == "" {
		source = path
	}
	return pl.plan(source, opt)
}

func newPlanner(env *artifacts.Environment, sheet string) *planner {
	return &planner{env: env, sheet: sheet, keeps: map[int]int{}, bad: map[int]bool{}, absentRows: map[int]bool{}, cellRow: map[string]int{}}
}

// plan ends planning, once every row has been read: the Remove decisions
// go through the planner's checks and rules as UsersInGroups rows with
// ActionType Remove, at the review's own cells; the plan holds the
// removals of the rows without errors, in row order, and the findings in
// row order.
func (pl *planner) plan(source string, opt Options) (*plans.Plan, error) {
	if pl.state == expectHeader {
		pl.error(validate.CodeNoHeader, 1, "", pl.sheet+"!A1",
			fmt.Sprintf("the %s tab has no header row; row 1 must hold the headers %s", pl.sheet, strings.Join(Columns, ", ")))
	}
	uig := artifacts.TabUsersInGroups.Tab()
	cols := make([]int, len(uig.Columns))
	headers := make([]string, len(uig.Columns))
	for name, at := range map[string]struct {
		col    int
		header string
	}{"User": {pl.user, ColumnUser}, "ParentGroup": {pl.group, ColumnGroup}, "ActionType": {pl.decision, ColumnDecision}} {
		cols[uig.Column(name)], headers[uig.Column(name)] = at.col, at.header
	}
	sheet := workbook.NewSheet(uig, pl.sheet, cols, headers)
	p, err := actions.PlanRows(pl.env, []actions.SheetRows{{Sheet: sheet, Rows: pl.removeRows}},
		actions.PlanOptions{NamesMayBeGone: true, Source: source, Read: opt.Read})
	if err != nil {
		return nil, err
	}
	for _, f := range p.Findings {
		f.Tab = pl.sheet // the planner names the tab whose rules it applied
		pl.findings = append(pl.findings, f)
		switch {
		case f.Severity == validate.Error:
			pl.bad[f.Row] = true
		case f.Code == validate.CodeAlreadyAbsent:
			pl.absentRows[f.Row] = true
		}
	}
	for _, c := range p.Changes {
		pl.changes = append(pl.changes, rowChange{row: pl.cellRow[c.Cells[0]], change: c})
	}
	pl.conflicts()
	p.Changes = p.Changes[:0]
	for _, c := range pl.changes {
		if !pl.bad[c.row] {
			p.Changes = append(p.Changes, c.change)
		}
	}
	for i, row := range pl.decisionRows {
		switch {
		case pl.bad[row]:
			pl.decisions[i].Outcome = OutcomeRefused
		case pl.absentRows[row]:
			pl.decisions[i].Outcome = OutcomeAbsent
		}
	}
	p.Review = pl.decisions
	pl.findings.Sort(func(string) int { return 0 })
	p.Findings = pl.findings
	p.Summarize()
	return p, nil
}

// planner holds the state of planning one reviewed workbook.
type planner struct {
	env   *artifacts.Environment
	sheet string // the review tab's name as the file spells it

	state                 int // expectHeader, readRows or badHeader
	user, group, decision int // 1-based columns; 0 absent
	reviewer, comment     int // optional columns; 0 absent

	// decisions are the rows with a Decision, in row order, with the
	// spreadsheet row of each: the plan's review block.
	decisions    []plans.ReviewDecision
	decisionRows []int

	// removeRows are the rows whose Decision is Remove, as UsersInGroups
	// rows (User, ParentGroup, ActionType Remove) for the planner; cellRow
	// maps each one's Decision cell to its row.
	removeRows []*workbook.Row
	cellRow    map[string]int

	changes    []rowChange
	findings   validate.Findings
	bad        map[int]bool // rows with an error: they plan nothing
	absentRows map[int]bool // rows whose removal is already made
	// keeps maps a membership (its UsersInGroups row) to the first
	// spreadsheet row that keeps it.
	keeps map[int]int
}

const (
	expectHeader = iota
	readRows
	badHeader // the header's findings say why the rows are not read
)

type rowChange struct {
	row    int
	change plans.Change
}

// row reads one row of the review tab: the header first, then decisions.
func (pl *planner) row(num int, cells []workbook.RawCell) error {
	if pl.state == expectHeader {
		if num != 1 || blank(cells) {
			return workbook.ErrStopReading // reported as no header
		}
		pl.state = badHeader
		if !pl.readHeader(cells) {
			return workbook.ErrStopReading
		}
		pl.state = readRows
		return nil
	}
	var user, group, decision, reviewer, comment string
	for _, c := range cells {
		switch c.Col {
		case pl.user:
			user = strings.TrimSpace(c.Value)
		case pl.group:
			group = strings.TrimSpace(c.Value)
		case pl.decision:
			decision = strings.TrimSpace(c.Value)
		case pl.reviewer:
			reviewer = strings.TrimSpace(c.Value)
		case pl.comment:
			comment = strings.TrimSpace(c.Value)
		}
	}
	at := pl.ref(pl.decision, num)
	keep := strings.EqualFold(decision, Keep)
	if decision != "" {
		d := plans.ReviewDecision{Cell: at, User: user, Group: group, Decision: decision, Reviewer: reviewer, Comment: comment, Outcome: OutcomeKept}
		switch {
		case keep:
			d.Decision = Keep
		case strings.EqualFold(decision, Remove):
			d.Decision, d.Outcome = Remove, OutcomeRemoved
		}
		pl.decisions = append(pl.decisions, d)
		pl.decisionRows = append(pl.decisionRows, num)
	}
	switch {
	case decision == "":
		return nil
	case !keep && !strings.EqualFold(decision, Remove):
		pl.error(validate.CodeDomain, num, ColumnDecision, at,
			fmt.Sprintf("Decision '%s' is neither %s nor %s; pick one from the drop-down, or leave it empty for a membership not reviewed yet%s",
				decision, Keep, Remove, didYouMean(decision)))
		return nil
	case keep && (user == "" || group == ""):
		return nil // keeps nothing that can be named
	case user == "":
		pl.error(validate.CodeRequired, num, ColumnUser, pl.ref(pl.user, num), "Decision is Remove but the User cell is empty; write the user whose membership ends")
		return nil
	case group == "":
		pl.error(validate.CodeRequired, num, ColumnGroup, pl.ref(pl.group, num), "Decision is Remove but the Group cell is empty; write the group the user leaves")
		return nil
	}
	if !keep {
		uig := artifacts.TabUsersInGroups.Tab()
		values := make([]string, len(uig.Columns))
		values[uig.Column("User")], values[uig.Column("ParentGroup")], values[uig.Column("ActionType")] = user, group, artifacts.ActionRemove
		pl.removeRows = append(pl.removeRows, &workbook.Row{Number: num, Values: values})
		pl.cellRow[at] = num
		return nil
	}
	i, found := artifacts.TabUsersInGroups.Tab().Find(pl.env, user, group)
	if !found {
		pl.decisions[len(pl.decisions)-1].Outcome = OutcomeAbsent
		pl.finding(validate.Warning, validate.CodeAlreadyAbsent, num, ColumnDecision, at, pl.absent(user, group)+"; there is nothing to keep")
		return nil
	}
	if _, seen := pl.keeps[i]; !seen {
		pl.keeps[i] = num
	}
	return nil
}

// readHeader finds the columns planning reads in row 1. It reports
// whether the rows can be read; when not, its findings say why.
func (pl *planner) readHeader(cells []workbook.RawCell) bool {
	cols := map[string]*int{ColumnUser: &pl.user, ColumnGroup: &pl.group, ColumnDecision: &pl.decision, ColumnReviewer: &pl.reviewer, ColumnComment: &pl.comment}
	ok := true
	for _, c := range cells {
		h := strings.TrimSpace(c.Value)
		for name, col := range cols {
			if !strings.EqualFold(h, name) {
				continue
			}
			if *col != 0 {
				pl.error(validate.CodeDuplicateColumn, 1, name, pl.ref(c.Col, 1),
					fmt.Sprintf("column '%s' appears twice in the %s tab (%s and %s); delete one of them", name, pl.sheet, pl.ref(*col, 1), pl.ref(c.Col, 1)))
				ok = false
				continue
			}
			*col = c.Col
		}
	}
	for _, name := range []string{ColumnUser, ColumnGroup, ColumnDecision} {
		if *cols[name] == 0 {
			pl.error(validate.CodeMissingKeyColumn, 1, name, "",
				fmt.Sprintf("the %s tab has no %s column; keep the headers secmgr review wrote (%s)", pl.sheet, name, strings.Join(Columns, ", ")))
			ok = false
		}
	}
	return ok
}

// conflicts reports memberships one row keeps and another removes: an
// error on both rows, and the removal is not planned.
func (pl *planner) conflicts() {
	uig := artifacts.TabUsersInGroups.Tab()
	for _, c := range pl.changes {
		i, found := uig.Find(pl.env, c.change.Key...)
		keep, ok := pl.keeps[i]
		if !found || !ok {
			continue
		}
		msg := fmt.Sprintf("row %d removes '%s' from '%s' and row %d keeps it; decide once", c.row, c.change.Key[0], c.change.Key[1], keep)
		pl.error(validate.CodeConflictingRow, c.row, ColumnDecision, pl.ref(pl.decision, c.row), msg)
		pl.error(validate.CodeConflictingRow, keep, ColumnDecision, pl.ref(pl.decision, keep), msg)
	}
}

// absent says what of a membership to remove no longer exists.
func (pl *planner) absent(user, group string) string {
	_, userOK := artifacts.TabUsers.Tab().Find(pl.env, user)
	_, groupOK := artifacts.TabGroups.Tab().Find(pl.env, group)
	if !groupOK {
		_, groupOK = artifacts.TabExGroup.Tab().Find(pl.env, group)
	}
	switch {
	case !userOK && !groupOK:
		return fmt.Sprintf("neither user '%s' nor group '%s' exists any more", user, group)
	case !userOK:
		return fmt.Sprintf("user '%s' no longer exists", user)
	case !groupOK:
		return fmt.Sprintf("group '%s' no longer exists", group)
	}
	return fmt.Sprintf("'%s' is no longer a member of '%s'", user, group)
}

// ref is the reference of a cell of the review tab, such as
// "AccessReview!G12"; "" for an absent column.
func (pl *planner) ref(col, row int) string {
	if col <= 0 {
		return ""
	}
	return pl.sheet + "!" + workbook.CellName(col, row)
}

func (pl *planner) error(code string, row int, column, cell, msg string) {
	pl.finding(validate.Error, code, row, column, cell, msg)
	pl.bad[row] = true
}

func (pl *planner) finding(sev validate.Severity, code string, row int, column, cell, msg string) {
	pl.findings = append(pl.findings, validate.Finding{Severity: sev, Code: code, Tab: pl.sheet, Row: row, Column: column, Cell: cell, Message: msg})
}

// didYouMean suggests Keep or Remove for a misspelt decision.
func didYouMean(decision string) string {
	if s := validate.Closest(decision, []string{Keep, Remove}); s != "" {
		return fmt.Sprintf(" — did you mean '%s'?", s)
	}
	return ""
}

func blank(cells []workbook.RawCell) bool {
	for _, c := range cells {
		if strings.TrimSpace(c.Value) != "" {
			return false
		}
	}
	return true
}
