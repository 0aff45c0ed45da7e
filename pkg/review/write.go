package review

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"secmgr/pkg/access"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/workbook"
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

// maxRows is the number of memberships one review tab can hold.
const maxRows = workbook.MaxDataRows

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
	if n := len(env.UsersInGroups); n > maxRows {
		return fmt.Errorf("the environment has %d memberships, more than the %d rows a sheet can hold", n, maxRows)
	}
	now := time.Now()
	// The rows follow the canonical order; an environment from Load is in
	// it already, and Normalize then changes nothing.
	env.Normalize()
	fp, err := artifacts.Fingerprint(env)
	if err != nil {
		return err
	}
	w, err := workbook.Create(path, workbook.WriteOptions{Replace: opt.Replace,
		Base: &workbook.Base{Environment: env.Name, Fingerprint: fp, Time: now}})
	if err != nil {
		return err
	}
	defer w.Abort() // a no-op after Close
	b := newBringer(env)
	if err := w.StartLayout(reviewLayout(columnWidths(env, b))); err != nil {
		return err
	}
	values := make([]string, len(Columns))
	reviewed := map[string]string{} // folded user → name, in row order
	var order []string
	for r, g := range rows(env, b, opt.Scope) {
		if _, ok := reviewed[artifacts.Fold(r.User)]; !ok {
			reviewed[artifacts.Fold(r.User)] = r.User
			order = append(order, r.User)
		}
		enabled := "" // for a user missing from the Users tab, as the type
		if r.UserType != "" {
			enabled = boolText(r.IsEnabled)
		}
		copy(values, []string{r.User, r.UserType, enabled, r.Group, g.groupsText, g.text, boolText(r.Administrator)})
		if err := w.WriteRow(values); err != nil {
			return err
		}
	}
	if err := writeEffective(w, b.ix, order); err != nil {
		return err
	}
	if err := w.AddTextSheet(AboutSheet, 120, about(env, fp, filepath.Base(path), now)); err != nil {
		return err
	}
	return w.Close()
}

// reviewLayout is the layout of the review tab, with its columns' widths:
// the columns that identify a membership darkest, the reviewer's columns
// orange (like ActionType) over pale cells, the rest blue; Decision has
// one drop-down over the whole column, so rows a reviewer adds get it too.
func reviewLayout(widths []float64) *workbook.Layout {
	l := &workbook.Layout{Name: Sheet, NoteAuthor: noteAuthor, Print: true}
	decision := slices.Index(Columns, ColumnDecision)
	for i, c := range Columns {
		col := workbook.LayoutColumn{Name: c, Width: widths[i], Note: headerNotes[c],
			Key: c == ColumnUser || c == ColumnGroup, Input: i >= decision}
		if c == ColumnDecision {
			col.Choices = []string{Keep, Remove}
			col.ChoiceTitle = "Keep or Remove"
			col.ChoiceMessage = "Decision is Keep or Remove; leave it empty for a membership you have not reviewed."
		}
		l.Columns = append(l.Columns, col)
	}
	return l
}

// plainLayout is the layout of a table a person reads and filters but
// does not fill in: plain headers of the given widths.
func plainLayout(name string, columns []string, widths []float64) *workbook.Layout {
	l := &workbook.Layout{Name: name}
	for i, c := range columns {
		l.Columns = append(l.Columns, workbook.LayoutColumn{Name: c, Width: widths[i]})
	}
	return l
}

// writeEffective adds the EffectiveGroups tab: for each reviewed user, in
// the order the review lists them, every group it belongs to with the
// shortest path that puts it there, and whether that is a direct
// membership.
func writeEffective(w *workbook.Writer, ix *access.Index, users []string) error {
	if err := w.StartLayout(plainLayout(EffectiveSheet, EffectiveColumns, []float64{30, 36, 80, 10})); err != nil {
		return err
	}
	rows := 0
	for _, u := range users {
		ua, err := ix.User(u)
		if err != nil {
			continue // a membership of a user missing from the Users tab
		}
		for _, m := range ua.Groups {
			rows++
			if rows > maxRows {
				return fmt.Errorf("the reviewed users have more than the %d effective groups a sheet can hold; narrow the review with --user or --group", maxRows)
			}
			if err := w.WriteRow([]string{ua.User, m.Name, strings.Join(m.Path, " → "), boolText(len(m.Path) == 2)}); err != nil {
				return err
			}
		}
	}
	return nil
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

// about is the text of the About tab: what the review is and how to fill
// it in. Planning ignores it.
func about(env *artifacts.Environment, fp, name string, now time.Time) []workbook.TextLine {
	users := map[string]bool{}
	groups := map[string]bool{}
	for _, m := range env.UsersInGroups {
		users[artifacts.Fold(m.User)] = true
		groups[artifacts.Fold(m.ParentGroup)] = true
	}
	return []workbook.TextLine{
		{Text: "Access review of " + env.Name, Heading: true},
		{Text: fmt.Sprintf("Written by secmgr review on %s: %d memberships of %d users in %d groups.",
			now.Format("2006-01-02 15:04:05 -0700"), len(env.UsersInGroups), len(users), len(groups))},
		{Text: "Environment " + env.Name + ", fingerprint " + fp + " (the state the review shows)."},
		{},
		{Text: "What it holds", Heading: true},
		{Text: "The AccessReview tab has one row per direct membership of a user in a group (the UsersInGroups tab): the user, its type and whether it is enabled; " +
			"the group; the roles the membership brings (held by the group or by a group above it); and whether it makes the user an administrator " +
			"(the group is Administrators or inside it). NestedGroups lists the groups the membership brings through nesting. " +
			"The EffectiveGroups tab lists every group of every reviewed user with the path that puts the user there. Hover over a header for what its column holds."},
		{},
		{Text: "How to fill it in", Heading: true},
		{Text: "1. On each row, set Decision to Keep or Remove (the drop-down offers both). Leave it empty for a row you have not reviewed: like Keep, it changes nothing."},
		{Text: "2. Write your name in Reviewer and, where useful, why in Comment. Sort and filter the rows as you like."},
		{Text: "3. Keep the tab name AccessReview and the User, Group and Decision headers as they are: secmgr reads those three columns and ignores the others and this About tab."},
		{},
		{Text: "Then", Heading: true},
		{Text: "secmgr plan " + name + " --env <environment file> lists one removal, - UsersInGroups USER / GROUP, per Remove row, and reports any other Decision as an error at its cell. Nothing changes yet."},
		{Text: "secmgr apply " + name + " --env <environment file> removes exactly those memberships, keeping a backup and an undo plan. A membership already gone is a warning, so the file can be applied again safely."},
		{Text: "Removing a membership ends that membership only: the user keeps what other groups give it. secmgr explain --user NAME shows every path."},
		{Text: "Keep the reviewed file as the record of the review (OneStream Secure Configuration Guide OS-BP-PS-AA-003 and OS-BP-PS-AA-004)."},
	}
}

func boolText(b bool) string {
	if b {
		return "True"
	}
	return "False"
}
