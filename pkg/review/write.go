package review

import (
	"archive/zip"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"secmgr/internal/oserr"
	"secmgr/pkg/access"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/workbook"
)

// Header fills, as the export's: the columns that identify a membership
// darkest, the reviewer's columns orange (like ActionType), the rest
// blue; input cells below the orange headers are pale so they stand out.
const (
	fillKey   = "1F3864"
	fillPlain = "2F5597"
	fillInput = "C55A11"
	fillCells = "FFF2CC"
)

// noteAuthor is the author of the header notes.
const noteAuthor = "secmgr review"

// headerNotes say what each column holds; the Decision note is what a
// reviewer most needs.
var headerNotes = map[string]string{
	"User":          "The user, listed directly in Group (UsersInGroups).",
	"UserType":      "The user's type on the Users tab.",
	"IsEnabled":     "Whether the user can log on (Users tab).",
	"Group":         "The group the user is listed in directly. Remove ends this membership only; memberships of groups inside it are not changed.",
	"NestedGroups":  "The groups this group sits in (GroupsInGroups, any depth): the membership brings them too, and the access they give. The EffectiveGroups tab lists every group of every user with the path that puts the user there.",
	"Roles":         "The application and system roles this group or a group above it holds: what the membership brings. Roles held through another group stay when it is removed.",
	"Administrator": "True when the group is Administrators or inside it: the membership makes the user an administrator, who can do everything.",
	"Decision":      "Keep or Remove, from the drop-down. Remove: 'secmgr plan' and 'secmgr apply' remove this membership. Keep, or empty (not reviewed yet): no change.",
	"Reviewer":      "Who decided. For the record: secmgr does not read it.",
	"Comment":       "Why, if useful. For the record: secmgr does not read it.",
}

// maxRows is the number of memberships one review tab can hold (Excel's
// row limit less the header).
const maxRows = excelize.TotalRows - 1

// WriteOptions tune writing a review.
type WriteOptions struct {
	// Scope selects the memberships under review (all when zero).
	Scope Scope
	// Replace allows replacing an existing file of the same name.
	Replace bool
}

// Write writes the access review of env to path: the AccessReview tab
// (one row per direct membership in scope), the EffectiveGroups tab and
// the About tab. The file is created readable by its owner only (mode
// 0600) and written atomically; an existing file is refused unless
// opt.Replace.
func Write(env *artifacts.Environment, path string, opt WriteOptions) error {
	now := time.Now()
	return writeReserved(path, opt.Replace, func(w io.Writer) error {
		return write(w, env, opt.Scope, filepath.Base(path), filepath.Dir(path), now)
	})
}

// writeReserved writes path atomically and owner-only with write. Without
// replace it first reserves the name, so that a file appearing meanwhile
// is not replaced; the atomic write replaces the placeholder.
func writeReserved(path string, replace bool, write func(io.Writer) error) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("cannot write %s: it is a folder", path)
	}
	reserved := false
	if !replace {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			if errors.Is(err, os.ErrExist) {
				return fmt.Errorf("%s already exists; secmgr does not overwrite it (choose another folder, or use --force to replace it)", path)
			}
			return fmt.Errorf("cannot write %s: %v", path, oserr.Reason(err))
		}
		f.Close()
		reserved = true
	}
	err := artifacts.WriteFileAtomic(path, write)
	if err != nil && reserved {
		os.Remove(path)
	}
	return err
}

// WriteTo writes the access review of env as an .xlsx workbook to w.
func WriteTo(w io.Writer, env *artifacts.Environment, scope Scope) error {
	now := time.Now()
	return write(w, env, scope, FileName(now), "", now)
}

// write writes the review, named name in the About tab; the rows spill
// to a temporary file in tmpDir ("" for the system's) beyond 16 MiB.
func write(w io.Writer, env *artifacts.Environment, scope Scope, name, tmpDir string, now time.Time) error {
	if n := len(env.UsersInGroups); n > maxRows {
		return fmt.Errorf("the environment has %d memberships, more than the %d rows a sheet can hold", n, maxRows)
	}
	// The rows follow the canonical order; an environment from Load is in
	// it already, and Normalize then changes nothing.
	env.Normalize()
	fp, err := artifacts.Fingerprint(env)
	if err != nil {
		return err
	}
	f := newFile(tmpDir)
	defer f.Close()
	if err := f.SetSheetName(f.GetSheetName(0), Sheet); err != nil {
		return err
	}
	if err := setPrinting(f, Sheet); err != nil {
		return err
	}
	styles := map[string]int{}
	for _, fill := range []string{fillKey, fillPlain, fillInput} {
		id, err := f.NewStyle(&excelize.Style{
			Font:      &excelize.Font{Bold: true, Color: "FFFFFF", Family: "Calibri", Size: 11},
			Alignment: &excelize.Alignment{Vertical: "center"},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{fill}},
		})
		if err != nil {
			return err
		}
		styles[fill] = id
	}
	input, err := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{fillCells}}})
	if err != nil {
		return err
	}

	b := newBringer(env)
	sw, err := f.NewStreamWriter(Sheet)
	if err != nil {
		return err
	}
	// Column widths and styles must precede the rows; last to first, as
	// excelize puts each new <col> in front.
	widths := columnWidths(env, b)
	for i := len(Columns) - 1; i >= 0; i-- {
		if err := sw.SetColWidth(i+1, i+1, widths[i]); err != nil {
			return err
		}
	}
	decision := slices.Index(Columns, ColumnDecision) + 1
	if err := sw.SetColStyle(decision, len(Columns), input); err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	head := make([]any, len(Columns))
	for i, c := range Columns {
		fill := fillPlain
		switch {
		case c == ColumnUser || c == ColumnGroup:
			fill = fillKey
		case i+1 >= decision:
			fill = fillInput
		}
		head[i] = excelize.Cell{StyleID: styles[fill], Value: c}
		if err := addNote(f, i+1, c, headerNotes[c]); err != nil {
			return err
		}
	}
	if err := sw.SetRow("A1", head, excelize.RowOpts{Height: 20}); err != nil {
		return err
	}
	// The drop-down is one rule over the whole column, so rows a reviewer
	// adds get it too and its cost does not grow with the rows.
	dv := excelize.NewDataValidation(true)
	col := columnName(decision)
	dv.Sqref = col + "2:" + col + strconv.Itoa(excelize.TotalRows)
	if err := dv.SetDropList([]string{Keep, Remove}); err != nil {
		return err
	}
	dv.SetError(excelize.DataValidationErrorStyleStop, "Keep or Remove",
		"Decision is Keep or Remove; leave it empty for a membership you have not reviewed.")
	if err := f.AddDataValidation(Sheet, dv); err != nil {
		return err
	}

	cells := make([]any, len(Columns))
	row := 1
	reviewed := map[string]string{} // folded user → name, in row order
	var order []string
	for r, g := range rows(env, b, scope) {
		row++
		if _, ok := reviewed[artifacts.Fold(r.User)]; !ok {
			reviewed[artifacts.Fold(r.User)] = r.User
			order = append(order, r.User)
		}
		enabled := "" // for a user missing from the Users tab, as the type
		if r.UserType != "" {
			enabled = boolText(r.IsEnabled)
		}
		for i, v := range [...]string{r.User, r.UserType, enabled, r.Group, g.groupsText, g.text, boolText(r.Administrator)} {
			cells[i] = nil // no cell at all rather than an empty text
			if v != "" {
				cells[i] = v
			}
		}
		if err := sw.SetRow("A"+strconv.Itoa(row), cells); err != nil {
			return err
		}
	}
	// The filter and the validation live in the sheet's settings, which
	// Flush writes after the rows.
	if err := f.AutoFilter(Sheet, "A1:"+columnName(len(Columns))+strconv.Itoa(max(row, 2)), nil); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if err := writeEffective(f, b.ix, order, styles[fillPlain]); err != nil {
		return err
	}
	if err := writeAbout(f, env, fp, name, now); err != nil {
		return err
	}
	if err := workbook.SetBase(f, workbook.Base{Environment: env.Name, Fingerprint: fp, Time: now}); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// newFile starts a workbook compressed at the fastest deflate level, as
// the export's: compressing at the default level took a third of the time
// of writing a large review.
func newFile(tmpDir string) *excelize.File {
	f := excelize.NewFile(excelize.Options{TmpDir: tmpDir})
	f.SetZipWriter(func(w io.Writer) excelize.ZipWriter {
		zw := zip.NewWriter(w)
		zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(out, flate.BestSpeed)
		})
		return zw
	})
	return f
}

// startTable starts the rows of sheet: column widths, the frozen header
// row in headStyle. The caller writes the rows and flushes.
func startTable(f *excelize.File, sheet string, columns []string, widths []float64, headStyle int) (*excelize.StreamWriter, error) {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	for i, w := range widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return nil, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	head := make([]any, len(columns))
	for i, c := range columns {
		head[i] = excelize.Cell{StyleID: headStyle, Value: c}
	}
	return sw, sw.SetRow("A1", head, excelize.RowOpts{Height: 20})
}

// writeEffective adds the EffectiveGroups tab: for each reviewed user, in
// the order the review lists them, every group it belongs to with the
// shortest path that puts it there, and whether that is a direct
// membership.
func writeEffective(f *excelize.File, ix *access.Index, users []string, headStyle int) error {
	if _, err := f.NewSheet(EffectiveSheet); err != nil {
		return err
	}
	sw, err := startTable(f, EffectiveSheet, EffectiveColumns, []float64{30, 36, 80, 10}, headStyle)
	if err != nil {
		return err
	}
	row := 1
	for _, u := range users {
		ua, err := ix.User(u)
		if err != nil {
			continue // a membership of a user missing from the Users tab
		}
		for _, m := range ua.Groups {
			row++
			if row > maxRows {
				return fmt.Errorf("the reviewed users have more than the %d effective groups a sheet can hold; narrow the review with --user or --group", maxRows)
			}
			cells := []any{ua.User, m.Name, strings.Join(m.Path, " → "), boolText(len(m.Path) == 2)}
			if err := sw.SetRow("A"+strconv.Itoa(row), cells); err != nil {
				return err
			}
		}
	}
	if err := f.AutoFilter(EffectiveSheet, "A1:D"+strconv.Itoa(max(row, 2)), nil); err != nil {
		return err
	}
	return sw.Flush()
}

// columnWidths fits each column to its longest value (in characters),
// never narrower than its header with the filter button, and at most 60
// wide (Roles and Comment wrap nothing; a long role list runs on).
func columnWidths(env *artifacts.Environment, b *bringer) []float64 {
	longest := make([]int, len(Columns))
	for i, c := range Columns {
		longest[i] = len(c) + 3
	}
	seen := map[*brought]bool{}
	for _, m := range env.UsersInGroups {
		longest[0] = max(longest[0], utf8.RuneCountInString(m.User))
		longest[3] = max(longest[3], utf8.RuneCountInString(m.ParentGroup))
		if g := b.of(m.ParentGroup); !seen[g] {
			seen[g] = true
			longest[4] = max(longest[4], utf8.RuneCountInString(g.groupsText))
			longest[5] = max(longest[5], utf8.RuneCountInString(g.text))
		}
	}
	longest[1] = max(longest[1], len("Third Party Access"))
	longest[8] = max(longest[8], 20) // Reviewer: room for a name
	longest[9] = max(longest[9], 40) // Comment
	widths := make([]float64, len(Columns))
	for i, n := range longest {
		widths[i] = float64(min(n+2, 60))
	}
	return widths
}

// setPrinting makes the sheet print landscape, one page wide, with the
// header row on every page. It must precede the sheet's stream writer.
func setPrinting(f *excelize.File, sheet string) error {
	fit, landscape, wide, tall := true, "landscape", 1, 0
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: &landscape, FitToWidth: &wide, FitToHeight: &tall}); err != nil {
		return err
	}
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: "'" + sheet + "'!$1:$1", Scope: sheet})
}

func addNote(f *excelize.File, col int, title, text string) error {
	return f.AddComment(Sheet, excelize.Comment{
		Cell:   columnName(col) + "1",
		Author: noteAuthor,
		Paragraph: []excelize.RichTextRun{
			{Text: title + "\n", Font: &excelize.Font{Bold: true}},
			{Text: text},
		},
		Width:  300,
		Height: uint(16 * (3 + len(text)/42)),
	})
}

// writeAbout adds the About tab: what the review is and how to fill it
// in. Planning ignores it.
func writeAbout(f *excelize.File, env *artifacts.Environment, fp, name string, now time.Time) error {
	users := map[string]bool{}
	groups := map[string]bool{}
	for _, m := range env.UsersInGroups {
		users[artifacts.Fold(m.User)] = true
		groups[artifacts.Fold(m.ParentGroup)] = true
	}
	type line struct {
		text    string
		heading bool
	}
	lines := []line{
		{"Access review of " + env.Name, true},
		{fmt.Sprintf("Written by secmgr review on %s: %d memberships of %d users in %d groups.",
			now.Format("2006-01-02 15:04:05 -0700"), len(env.UsersInGroups), len(users), len(groups)), false},
		{"Environment " + env.Name + ", fingerprint " + fp + " (the state the review shows).", false},
		{"", false},
		{"What it holds", true},
		{"The AccessReview tab has one row per direct membership of a user in a group (the UsersInGroups tab): the user, its type and whether it is enabled; " +
			"the group; the roles the membership brings (held by the group or by a group above it); and whether it makes the user an administrator " +
			"(the group is Administrators or inside it). NestedGroups lists the groups the membership brings through nesting. " +
			"The EffectiveGroups tab lists every group of every reviewed user with the path that puts the user there. Hover over a header for what its column holds.", false},
		{"", false},
		{"How to fill it in", true},
		{"1. On each row, set Decision to Keep or Remove (the drop-down offers both). Leave it empty for a row you have not reviewed: like Keep, it changes nothing.", false},
		{"2. Write your name in Reviewer and, where useful, why in Comment. Sort and filter the rows as you like.", false},
		{"3. Keep the tab name AccessReview and the User, Group and Decision headers as they are: secmgr reads those three columns and ignores the others and this About tab.", false},
		{"", false},
		{"Then", true},
		{"secmgr plan " + name + " --env <environment file> lists one removal, - UsersInGroups USER / GROUP, per Remove row, and reports any other Decision as an error at its cell. Nothing changes yet.", false},
		{"secmgr apply " + name + " --env <environment file> removes exactly those memberships, keeping a backup and an undo plan. A membership already gone is a warning, so the file can be applied again safely.", false},
		{"Removing a membership ends that membership only: the user keeps what other groups give it. secmgr explain --user NAME shows every path.", false},
		{"Keep the reviewed file as the record of the review (OneStream Secure Configuration Guide OS-BP-PS-AA-003 and OS-BP-PS-AA-004).", false},
	}
	if _, err := f.NewSheet(AboutSheet); err != nil {
		return err
	}
	if err := f.SetColWidth(AboutSheet, "A", "A", 120); err != nil {
		return err
	}
	heading, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12, Color: fillKey}})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	for i, l := range lines {
		cell := "A" + strconv.Itoa(i+1)
		if err := f.SetCellStr(AboutSheet, cell, l.text); err != nil {
			return err
		}
		style := wrap
		if l.heading {
			style = heading
		}
		if err := f.SetCellStyle(AboutSheet, cell, cell, style); err != nil {
			return err
		}
	}
	return nil
}

func boolText(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

func columnName(col int) string {
	name, _ := excelize.ColumnNumberToName(col)
	return name
}
