package workbook

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/xuri/excelize/v2"

	"secmgr/pkg/artifacts"
)

// This file holds what a written workbook offers a person beyond its
// values: header styles and notes, column widths, the auto-filter and the
// drop-down lists of the hidden Lists tab. Everything here is per tab or
// per column — one data validation covers a whole column — so its cost
// does not grow with the number of rows.

// Lists are the names the drop-down lists of reference columns offer:
// the environment's, so that a person picks a name that exists. Each list
// is written, in the order given, to a column of the hidden Lists tab. A
// list left empty gives its columns no drop-down.
type Lists struct {
	Users    []string // for columns naming a user
	Groups   []string // for columns naming a group: groups, exclusion groups and the built-in groups
	ExGroups []string // for columns naming an exclusion group
}

// NoteAuthor is the author of the header notes a written workbook carries.
const NoteAuthor = "secmgr export"

// Header fills: key columns darkest, ActionType/ActionValue orange, the
// rest blue; the text is bold white.
const (
	headerFill       = "2F5597"
	headerKeyFill    = "1F3864"
	headerActionFill = "C55A11"
)

// lastRow is the last row of a worksheet: validations cover their column
// from row 2 to here, so rows a person adds get the drop-down too.
var lastRow = strconv.Itoa(excelize.TotalRows)

// inputCellFill is the pale fill of the cells below a Layout's input
// header, so that a person sees where to type.
const inputCellFill = "FFF2CC"

// headerStyles are the style ids of header cells, and of a Layout's input
// cells (made when first needed: security tabs have none).
type headerStyles struct {
	plain, key, action, lists int
	input                     int
}

// inputCells returns the style of the cells of a Layout's input column.
func (w *Writer) inputCells() (int, error) {
	if w.styles.input == 0 {
		id, err := w.file.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{inputCellFill}}})
		if err != nil {
			return 0, err
		}
		w.styles.input = id
	}
	return w.styles.input, nil
}

func newHeaderStyles(f *excelize.File) (headerStyles, error) {
	var hs headerStyles
	for _, s := range []struct {
		dst  *int
		fill string
	}{{&hs.plain, headerFill}, {&hs.key, headerKeyFill}, {&hs.action, headerActionFill}, {&hs.lists, ""}} {
		st := &excelize.Style{
			Font:      &excelize.Font{Bold: true, Color: "FFFFFF", Family: "Calibri", Size: 11},
			Alignment: &excelize.Alignment{Vertical: "center"},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{s.fill}},
		}
		if s.fill == "" { // the Lists tab: bold only
			st = &excelize.Style{Font: &excelize.Font{Bold: true, Family: "Calibri", Size: 11}}
		}
		id, err := f.NewStyle(st)
		if err != nil {
			return hs, err
		}
		*s.dst = id
	}
	return hs, nil
}

func (hs headerStyles) of(c *artifacts.Column) int {
	switch {
	case c.Key:
		return hs.key
	case c.IsAction():
		return hs.action
	}
	return hs.plain
}

// setPrinting makes a tab print landscape, one page wide, with the header
// row on every page. It must come before the tab's stream writer starts,
// which writes the sheet properties first.
func (w *Writer) setPrinting(sheet string) error {
	fit, landscape, wide, tall := true, "landscape", 1, 0
	if err := w.file.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	if err := w.file.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: &landscape, FitToWidth: &wide, FitToHeight: &tall}); err != nil {
		return err
	}
	return w.file.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: "'" + sheet + "'!$1:$1", Scope: sheet})
}

// columnWidth is a column's width in characters: room for typical values
// of its kind, and never narrower than the header with its filter button.
func columnWidth(c *artifacts.Column) float64 {
	w := 14
	switch c.Kind {
	case artifacts.KindName, artifacts.KindUser, artifacts.KindGroup, artifacts.KindExGroup:
		w = 28
	case artifacts.KindText:
		switch c.Name {
		case "Description":
			w = 48
		case "ExternalUserName":
			w = 40
		default:
			w = 16
		}
	case artifacts.KindEmail:
		w = 40
	case artifacts.KindEnum, artifacts.KindRole:
		for _, v := range c.Enum {
			w = max(w, len(v)+4)
		}
		w = min(w, 34)
	case artifacts.KindMemberFilter, artifacts.KindUIVisibility, artifacts.KindActionValue:
		w = 24
	case artifacts.KindWhole, artifacts.KindNumGridRows, artifacts.KindBool, artifacts.KindCulture, artifacts.KindActionType:
		w = 12
	}
	return float64(max(w, len(c.Name)+5))
}

// enumLists names the lists of the enumerations that several columns
// share; another enumeration's list takes its column's name.
var enumLists = []struct {
	name   string
	values []string
}{
	{"UserType", artifacts.UserTypes},
	{"Type", artifacts.SliceRuleTypes},
	{"Behavior", artifacts.SliceBehaviors},
	{"AccessLevel", artifacts.AccessLevels},
	{"DashboardUIVisibility", artifacts.DashboardUIVisibilities},
	{"DimensionType", artifacts.DimensionTypes},
	{"AppRole", artifacts.ApplicationRoles},
	{"SystemRole", artifacts.SystemRoleNames},
}

func enumListName(c *artifacts.Column) string {
	for _, l := range enumLists {
		if slices.Equal(l.values, c.Enum) {
			return l.name
		}
	}
	return c.Name
}

// cubeViewUIVisibilities lists every value of a CubeViewProfiles
// UIVisibility: Always, Never, then each non-empty combination of the parts
// in their order (Workflow, WorkflowForms, WorkflowFormsExcel …).
var cubeViewUIVisibilities = func() []string {
	out := []string{"Always", "Never"}
	var walk func(prefix string, from int)
	walk = func(prefix string, from int) {
		for i := from; i < len(artifacts.CubeViewUIParts); i++ {
			v := prefix + artifacts.CubeViewUIParts[i]
			out = append(out, v)
			walk(v, i+1)
		}
	}
	walk("", 0)
	return out
}()

// rule is the data validation of one column.
type rule struct {
	list    string   // the Lists column it draws on ("" for a whole-number rule)
	values  []string // the list's values
	inline  bool     // the values go in the validation itself, not on the Lists tab
	numeric bool     // the list holds numbers
	stop    bool     // refuse other values (else warn and let the person keep them)
	title   string
	message string
}

// ruleFor returns the data validation of column c of tab, if it has one.
// Without a Lists tab (WriteOptions.BDA) only the lists that fit in the
// validation itself have a drop-down.
func (w *Writer) ruleFor(tab *artifacts.Tab, c *artifacts.Column) (rule, bool) {
	r, ok := w.ruleOf(tab, c)
	if ok && w.opt.BDA && r.list != "" && !fitsInline(r.values) {
		return rule{}, false
	}
	return r, ok
}

// fitsInline reports whether a drop-down's values fit in the validation
// itself: Excel allows 255 characters, separated by commas.
func fitsInline(values []string) bool {
	n := len(values) - 1
	for _, v := range values {
		if strings.ContainsAny(v, ",\"") {
			return false
		}
		n += utf16Len(v)
	}
	return n <= 255
}

func (w *Writer) ruleOf(tab *artifacts.Tab, c *artifacts.Column) (rule, bool) {
	warnRef := func(list string, values []string, what, addTab string) (rule, bool) {
		return rule{list: list, values: values, title: "Not an existing " + strings.TrimPrefix(strings.TrimPrefix(what, "a "), "an "),
			message: fmt.Sprintf("This is not %s of the environment. Keep it only if this workbook adds it on the %s tab; otherwise secmgr reports it.",
				what, addTab)}, len(values) > 0
	}
	pick := fmt.Sprintf("%s: pick one of the values in the list.", c.Name)
	switch c.Kind {
	case artifacts.KindEnum, artifacts.KindRole:
		return rule{list: enumListName(c), values: c.Enum, stop: true, title: "Not in the list", message: pick}, len(c.Enum) > 0
	case artifacts.KindBool:
		// A warning, not a stop: a spreadsheet may turn a typed True into a
		// boolean cell, which import accepts.
		return rule{list: "Boolean", values: artifacts.Booleans, title: "True or False",
			message: c.Name + " is True or False."}, true
	case artifacts.KindNumGridRows:
		return rule{list: "NumGridRows", values: artifacts.NumGridRowsValues, numeric: true, stop: true, title: "Not in the list",
			message: "NumGridRows is 10 to 90 in steps of 10, or 100 to 1000 in steps of 100."}, true
	case artifacts.KindCulture:
		return rule{list: "Culture", values: artifacts.Cultures, title: "Unknown culture",
			message: "secmgr knows " + strings.Join(artifacts.Cultures, " and ") + "; another culture is kept, with a warning."}, true
	case artifacts.KindUIVisibility:
		return rule{list: "UIVisibility", values: cubeViewUIVisibilities, stop: true, title: "Not in the list",
			message: "UIVisibility is Always, Never, or parts of WorkflowFormsExcelDashboardsOnePlace in that order."}, true
	case artifacts.KindActionType:
		name := "ActionType"
		if !tab.HasAction(artifacts.ActionRename) {
			name = "ActionType (" + strings.Join(tab.Actions, ", ") + ")"
		}
		return rule{list: name, values: tab.Actions, stop: true, title: "Not in the list",
			message: "ActionType is " + orList(tab.Actions) + ", or empty to add or edit."}, len(tab.Actions) > 0
	case artifacts.KindWhole:
		return rule{stop: true, title: "Not a whole number", message: c.Name + " is a whole number, 0 or more."}, true
	case artifacts.KindUser:
		return warnRef("User", w.opt.Lists.Users, "a user", "Users")
	case artifacts.KindGroup:
		return warnRef("Group", w.opt.Lists.Groups, "a group", "Groups (or ExGroup)")
	case artifacts.KindExGroup:
		return warnRef("ExGroup", w.opt.Lists.ExGroups, "an exclusion group", "ExGroup")
	}
	return rule{}, false
}

func orList(v []string) string {
	if len(v) <= 1 {
		return strings.Join(v, "")
	}
	return strings.Join(v[:len(v)-1], ", ") + " or " + v[len(v)-1]
}

// addValidation adds the data validation of column col (1-based) of the
// current tab, covering rows 2 to the last row.
func (w *Writer) addValidation(col int, r rule) error {
	dv := excelize.NewDataValidation(true)
	name := columnName(col)
	dv.Sqref = name + "2:" + name + lastRow
	if r.list == "" {
		if err := dv.SetRange(0, 2147483647, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween); err != nil {
			return err
		}
	} else if w.opt.BDA || r.inline {
		// No Lists tab: the values go in the validation itself, which
		// ruleFor and StartLayout checked they fit.
		if err := dv.SetDropList(r.values); err != nil {
			return err
		}
	} else {
		dv.SetSqrefDropList(w.lists.ref(r.list, r.values, r.numeric))
	}
	style := excelize.DataValidationErrorStyleWarning
	if r.stop {
		style = excelize.DataValidationErrorStyleStop
	}
	dv.SetError(style, r.title, r.message)
	return w.file.AddDataValidation(w.sheet, dv)
}

// headerNote is the note on a column's header: what the column holds, its
// allowed values, and whether it is part of the key or required.
func headerNote(tab *artifacts.Tab, c *artifacts.Column, r rule, hasRule bool) string {
	var lines []string
	lines = append(lines, sentence(c.Help))
	switch c.Kind {
	case artifacts.KindActionType, artifacts.KindActionValue:
		lines = actionNote(tab, c)
	case artifacts.KindBool:
		if !strings.Contains(c.Help, "True or False") {
			lines = append(lines, "Allowed: True, False.")
		}
	case artifacts.KindEnum:
		if len(c.Enum) <= 8 {
			lines = append(lines, "Allowed: "+strings.Join(c.Enum, ", ")+".")
		} else {
			lines = append(lines, fmt.Sprintf("Pick one of the %d values in the list.", len(c.Enum)))
		}
	case artifacts.KindRole:
		lines = append(lines, fmt.Sprintf("One of the %d roles in the list.", len(c.Enum)))
	case artifacts.KindCulture:
		lines = append(lines, "Others are kept, with a warning.")
	case artifacts.KindUser, artifacts.KindGroup, artifacts.KindExGroup:
		if hasRule {
			lines = append(lines, "The list offers the environment's names; a name this workbook adds may be typed too.")
		}
	}
	switch {
	case c.Key && len(tab.Key) == 1:
		lines = append(lines, "Key: it identifies each "+tab.Artifact+".")
	case c.Key:
		lines = append(lines, "Part of the key that identifies each "+tab.Artifact+".")
	case c.Required:
		lines = append(lines, "Required.")
	}
	return strings.Join(lines, "\n")
}

// actionNote says what ActionType and ActionValue do on tab (docs/import.md,
// "ActionType and ActionValue").
func actionNote(tab *artifacts.Tab, c *artifacts.Column) []string {
	what := "user"
	if tab.ID != artifacts.TabUsers {
		what = "group"
	}
	switch {
	case c.Kind == artifacts.KindActionType && tab.Relationship:
		return []string{"Remove to remove this " + tab.Artifact + "; empty to add it or keep it."}
	case c.Kind == artifacts.KindActionType && tab.ID == artifacts.TabCubeDataCellAccess:
		return []string{"Rename to move the slice rule, Remove to delete it (secmgr extensions); empty to add or edit it."}
	case c.Kind == artifacts.KindActionType:
		return []string{"Rename or Remove; empty to add or edit the " + tab.Artifact + "."}
	case tab.Relationship:
		return []string{"Leave empty."}
	case tab.ID == artifacts.TabCubeDataCellAccess:
		return []string{"For Rename: the ProcessingOrdering the rule moves to, a whole number.", "For Remove: leave empty."}
	case tab.ID == artifacts.TabUsers:
		return []string{"For Rename: the new user name.",
			"For Remove: empty deletes the user; a group name removes the user from that group only."}
	}
	return []string{"For Rename: the new " + what + " name.",
		"For Remove: empty deletes the " + tab.Artifact + "; a member name removes that user or group from it."}
}

// sentence capitalises s, unless its first word is a value such as
// en-US, and ends it with a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	first, _, _ := strings.Cut(s, " ")
	if strings.IndexFunc(first, unicode.IsUpper) < 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	if r[len(r)-1] != '.' {
		r = append(r, '.')
	}
	return string(r)
}

// addHeaderNote adds the note of column col (1-based), headed name, of
// the current tab, signed by author.
func (w *Writer) addHeaderNote(col int, name, text, author string) error {
	lines := 1
	for _, l := range strings.Split(text, "\n") {
		lines += 1 + len(l)/42
	}
	return w.file.AddComment(w.sheet, excelize.Comment{
		Cell:   columnName(col) + "1",
		Author: author,
		Paragraph: []excelize.RichTextRun{
			{Text: name + "\n", Font: &excelize.Font{Bold: true}},
			{Text: text},
		},
		Width:  300,
		Height: uint(16 * lines),
	})
}

// dropLists collects the lists the drop-downs draw on, each in its own
// column of the Lists tab, in the order first used.
type dropLists struct {
	lists  []*dropList
	byName map[string]*dropList
}

type dropList struct {
	name    string
	values  []string
	numeric bool
	col     int // 1-based column on the Lists tab
}

// ref registers a list and returns the absolute range of its values,
// such as Lists!$C$2:$C$8.
func (d *dropLists) ref(name string, values []string, numeric bool) string {
	l, ok := d.byName[name]
	if !ok {
		if d.byName == nil {
			d.byName = make(map[string]*dropList)
		}
		l = &dropList{name: name, values: values, numeric: numeric, col: len(d.lists) + 1}
		d.lists = append(d.lists, l)
		d.byName[name] = l
	}
	c := columnName(l.col)
	return fmt.Sprintf("%s!$%s$2:$%s$%d", ListsSheet, c, c, len(l.values)+1)
}

// writeLists writes the Lists tab, last and hidden: one column per list,
// its name in row 1. Like every tab, it is flushed by Close.
func (w *Writer) writeLists() error {
	d := &w.lists
	if len(d.lists) == 0 {
		return nil
	}
	if _, err := w.file.NewSheet(ListsSheet); err != nil {
		return w.fail(fmt.Errorf("tab %s: %w", ListsSheet, err))
	}
	sw, err := w.file.NewStreamWriter(ListsSheet)
	if err != nil {
		return w.fail(fmt.Errorf("tab %s: %w", ListsSheet, err))
	}
	rows := 0
	for i := len(d.lists) - 1; i >= 0; i-- { // last to first, as in StartTab
		l := d.lists[i]
		rows = max(rows, len(l.values))
		width := len(l.name) + 2
		for _, v := range l.values {
			width = max(width, min(len(v)+2, 40))
		}
		if err := sw.SetColWidth(l.col, l.col, float64(width)); err != nil {
			return w.fail(fmt.Errorf("tab %s: %w", ListsSheet, err))
		}
	}
	cells := make([]any, len(d.lists))
	for i, l := range d.lists {
		cells[i] = excelize.Cell{StyleID: w.styles.lists, Value: l.name}
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return w.fail(fmt.Errorf("tab %s: %w", ListsSheet, err))
	}
	for r := 0; r < rows; r++ {
		for i, l := range d.lists {
			cells[i] = nil
			if r >= len(l.values) {
				continue
			}
			v := l.values[r]
			if l.numeric {
				if n, err := strconv.Atoi(v); err == nil {
					cells[i] = n
					continue
				}
			}
			cells[i] = v
		}
		if err := sw.SetRow("A"+strconv.Itoa(r+2), cells); err != nil {
			return w.fail(fmt.Errorf("tab %s: %w", ListsSheet, err))
		}
	}
	w.ended = append(w.ended, sw)
	if err := w.file.SetSheetVisible(ListsSheet, false); err != nil {
		return w.fail(fmt.Errorf("tab %s: %w", ListsSheet, err))
	}
	return nil
}
