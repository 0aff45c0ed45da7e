// Package review writes and reads periodic access-review workbooks
// (AccessReview.HHMMSS.xlsx, the OneStream Secure Configuration Guide's
// OS-BP-PS-AA-003 and -004): one row per direct user-group membership with
// the roles it brings, and a Decision column a reviewer sets to Keep or
// Remove. A reviewed workbook plans like any other: every Remove becomes a
// membership removal.
//
//	err := review.Write(env, "AccessReview.101500.xlsx", false)
//	…the reviewer fills in Decision…
//	p, err := review.Plan("AccessReview.101500.xlsx", env)
package review

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"secmgr/pkg/access"
	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/validate"
)

// Sheet is the name of the review tab.
const Sheet = "AccessReview"

// Columns of the review tab, in order.
var Columns = []string{"User", "UserType", "IsEnabled", "Group", "Roles", "Administrator", "Decision", "Reviewer", "Comment"}

// Decisions a reviewer may write.
const (
	Keep   = "Keep"
	Remove = "Remove"
)

// FileName names a review written at now: AccessReview.HHMMSS.xlsx.
func FileName(now time.Time) string { return "AccessReview." + now.Format("150405") + ".xlsx" }

// Row is one membership under review.
type Row struct {
	User, UserType, Group string
	IsEnabled, Admin      bool
	Roles                 []string
}

// Rows lists the direct memberships of env (UsersInGroups) in the
// environment's order, each with the application and system roles the
// group brings (held by it or by any group above it).
func Rows(env *artifacts.Environment) []Row {
	ix := access.New(env)
	holders := map[string][]string{}
	for _, r := range env.AppRoles {
		holders[artifacts.Fold(r.GroupName)] = append(holders[artifacts.Fold(r.GroupName)], r.AppRole)
	}
	for _, r := range env.SystemRoles {
		holders[artifacts.Fold(r.GroupName)] = append(holders[artifacts.Fold(r.GroupName)], r.SystemRole)
	}
	type brought struct {
		roles []string
		admin bool
	}
	cache := map[string]brought{}
	of := func(g string) brought {
		f := artifacts.Fold(g)
		if b, ok := cache[f]; ok {
			return b
		}
		groups := append([]string{g}, ix.Ancestors(g)...)
		var b brought
		for _, h := range groups {
			b.roles = append(b.roles, holders[artifacts.Fold(h)]...)
			b.admin = b.admin || strings.EqualFold(h, artifacts.Administrators)
		}
		slices.Sort(b.roles)
		b.roles = slices.Compact(b.roles)
		cache[f] = b
		return b
	}
	users := artifacts.Tabs[artifacts.TabUsers]
	var out []Row
	for _, m := range env.UsersInGroups {
		r := Row{User: m.User, Group: m.ParentGroup}
		if i, ok := users.Find(env, m.User); ok {
			r.UserType, r.IsEnabled = env.Users[i].UserType, env.Users[i].IsEnabled
		}
		b := of(m.ParentGroup)
		r.Roles, r.Admin = b.roles, b.admin
		out = append(out, r)
	}
	return out
}

// Write writes the review workbook for env to path, owner-only; an
// existing file is refused unless force.
func Write(env *artifacts.Environment, path string, force bool) error {
	flag := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flag = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	file, err := os.OpenFile(path, flag, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s already exists; secmgr does not overwrite it unless you give --force", path)
		}
		return fmt.Errorf("cannot write %s: %v", path, err)
	}
	ok := false
	defer func() {
		file.Close()
		if !ok {
			os.Remove(path)
		}
	}()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", Sheet); err != nil {
		return err
	}
	header, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F3864"}}})
	if err != nil {
		return err
	}
	decision, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"C55A11"}}})
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(Sheet)
	if err != nil {
		return err
	}
	widths := []float64{28, 18, 10, 30, 60, 14, 12, 20, 40}
	for i := len(widths) - 1; i >= 0; i-- {
		if err := sw.SetColWidth(i+1, i+1, widths[i]); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	head := make([]any, len(Columns))
	for i, c := range Columns {
		style := header
		if i >= 6 {
			style = decision
		}
		head[i] = excelize.Cell{StyleID: style, Value: c}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	rows := Rows(env)
	cells := make([]any, len(Columns))
	for i, r := range rows {
		roles := ""
		if len(r.Roles) > 0 {
			roles = fmt.Sprintf("%d: %s", len(r.Roles), strings.Join(r.Roles, ", "))
		}
		cells[0], cells[1], cells[2], cells[3], cells[4], cells[5] = r.User, r.UserType, boolText(r.IsEnabled), r.Group, roles, boolText(r.Admin)
		cells[6], cells[7], cells[8] = nil, nil, nil
		ref, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(ref, cells); err != nil {
			return err
		}
	}
	// The filter and the drop-down go to the sheet's settings, which the
	// stream writes when flushed.
	if err := f.AutoFilter(Sheet, fmt.Sprintf("A1:I%d", max(len(rows)+1, 2)), nil); err != nil {
		return err
	}
	dv := excelize.NewDataValidation(true)
	dv.Sqref = "G2:G1048576"
	if err := dv.SetDropList([]string{Keep, Remove}); err != nil {
		return err
	}
	dv.SetError(excelize.DataValidationErrorStyleStop, "Keep or Remove", "Decision is Keep, Remove, or empty (not reviewed yet).")
	if err := f.AddDataValidation(Sheet, dv); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if _, err := f.NewSheet("About"); err != nil {
		return err
	}
	about := []string{
		"Access review written by secmgr for " + env.Name + ".",
		"One row per direct membership of a user in a group, with the roles that membership brings",
		"(held by the group or by any group above it) and whether it makes the user an administrator.",
		"Set Decision to Keep or Remove on each row; add your name in Reviewer and any Comment.",
		"Then: secmgr plan " + "THIS-FILE.xlsx --env ENV.json shows the removals, and secmgr apply applies them.",
		"Rows left empty or Keep change nothing. This About tab is ignored.",
	}
	for i, line := range about {
		if err := f.SetCellStr("About", fmt.Sprintf("A%d", i+1), line); err != nil {
			return err
		}
	}
	if _, err := f.WriteTo(file); err != nil {
		return fmt.Errorf("cannot write %s: %v", path, err)
	}
	if err := file.Sync(); err != nil {
		return fmt.Errorf("cannot write %s: %v", path, err)
	}
	ok = true
	return nil
}

func boolText(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// IsReviewWorkbook reports whether path is an access-review workbook: it
// has an AccessReview tab with a Decision column.
func IsReviewWorkbook(path string) bool {
	f, err := excelize.OpenFile(path, excelize.Options{UnzipXMLSizeLimit: 1 << 20})
	if err != nil {
		return false
	}
	defer f.Close()
	if idx, err := f.GetSheetIndex(Sheet); err != nil || idx < 0 {
		return false
	}
	rows, err := f.Rows(Sheet)
	if err != nil {
		return false
	}
	defer rows.Close()
	if !rows.Next() {
		return false
	}
	head, _ := rows.Columns()
	return slices.ContainsFunc(head, func(h string) bool { return strings.EqualFold(strings.TrimSpace(h), "Decision") })
}

// Plan reads a reviewed workbook and plans, against env, the removal of
// every membership marked Remove. Rows left empty or Keep change nothing;
// another Decision is an error at its cell; a membership already gone is a
// warning.
func Plan(path string, env *artifacts.Environment, source string) (*actions.Plan, error) {
	fp, err := artifacts.Fingerprint(env)
	if err != nil {
		return nil, err
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	defer f.Close()
	rows, err := f.Rows(Sheet)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	defer rows.Close()
	if source == "" {
		source = path
	}
	p := &actions.Plan{Format: actions.PlanFormat, Environment: actions.EnvironmentRef{Name: env.Name, Fingerprint: fp}, Source: source}
	col := map[string]int{}
	uig := artifacts.Tabs[artifacts.TabUsersInGroups]
	seen := map[string]int{}
	for n := 1; rows.Next(); n++ {
		cells, err := rows.Columns()
		if err != nil {
			return nil, fmt.Errorf("%s: %s row %d: %v", path, Sheet, n, err)
		}
		if n == 1 {
			for i, h := range cells {
				col[strings.ToLower(strings.TrimSpace(h))] = i
			}
			for _, need := range []string{"user", "group", "decision"} {
				if _, ok := col[need]; !ok {
					p.Findings = append(p.Findings, validate.Finding{Severity: validate.Error, Code: validate.CodeMissingKeyColumn, Tab: Sheet, Row: 1,
						Message: fmt.Sprintf("the %s tab has no %s column", Sheet, need)})
				}
			}
			if p.Findings.Errors() > 0 {
				break
			}
			continue
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(cells) {
				return strings.TrimSpace(cells[i])
			}
			return ""
		}
		decisionCell, _ := excelize.CoordinatesToCellName(col["decision"]+1, n)
		decisionCell = Sheet + "!" + decisionCell
		finding := func(sev validate.Severity, code, msg string) {
			p.Findings = append(p.Findings, validate.Finding{Severity: sev, Code: code, Tab: Sheet, Row: n, Column: "Decision", Cell: decisionCell, Message: msg})
		}
		user, group, decision := get("user"), get("group"), get("decision")
		switch {
		case decision == "" || strings.EqualFold(decision, Keep):
			continue
		case !strings.EqualFold(decision, Remove):
			finding(validate.Error, validate.CodeDomain, fmt.Sprintf("Decision '%s' is not Keep or Remove", decision))
			continue
		}
		i, ok := uig.Find(env, user, group)
		if !ok {
			finding(validate.Warning, validate.CodeAlreadyAbsent, fmt.Sprintf("'%s' is no longer a member of '%s'; nothing to remove", user, group))
			continue
		}
		key := uig.KeyOf(env, i)
		k := artifacts.KeyString(key)
		if prev, dup := seen[k]; dup {
			finding(validate.Warning, validate.CodeDuplicateRow, fmt.Sprintf("row %d repeats row %d; it is ignored", n, prev))
			continue
		}
		seen[k] = n
		p.Changes = append(p.Changes, actions.Change{Op: actions.OpRemove, Tab: uig.Name, Key: key, Cells: []string{decisionCell}})
	}
	p.Summarize()
	return p, nil
}
