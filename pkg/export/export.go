// Package export turns an environment into the security workbook: it
// selects tabs by area, filters rows with the wildcard filters of
// docs/workbook.md ("Wildcard filters") and writes SecurityExtract.HHMMSS.xlsx.
//
// Which filter restricts which column is derived from the tab table
// (Column.Kind), not written per tab: a --user pattern restricts every
// column that names a user, a --group pattern every column that names a
// group or an exclusion group, an --artifact pattern the name column of
// the artifact tabs.
//
//	sel := export.Selection{Groups: groups}
//	res, err := export.WriteWorkbook(env, sel, ".", time.Now(), export.Options{})
//	if err != nil { … }
//	fmt.Println(res.Path)
package export

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/workbook"
)

// Selection says what an export contains.
type Selection struct {
	// Tabs lists the tabs to export; empty means every tab. They are
	// written in export order whatever order they are listed in.
	Tabs []artifacts.TabID
	// Users, Groups and Artifacts are the --user, --group and --artifact
	// filters; an empty filter selects everything.
	Users, Groups, Artifacts artifacts.Filter
	// IncludePasswords writes the Password column; otherwise it is empty.
	IncludePasswords bool
}

// Active reports whether any filter restricts the selection.
func (s Selection) Active() bool {
	return s.Users.Active() || s.Groups.Active() || s.Artifacts.Active()
}

// tabs returns the selected tabs in export order.
func (s Selection) tabs() []*artifacts.Tab {
	if len(s.Tabs) == 0 {
		return artifacts.AllTabs()
	}
	ids := slices.Clone(s.Tabs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make([]*artifacts.Tab, 0, len(ids))
	for _, id := range ids {
		if id >= 0 && id < artifacts.NumTabs {
			out = append(out, id.Tab())
		}
	}
	return out
}

// scope lists, for one tab, the columns each kind of filter applies to.
type scope struct {
	users, groups, artifacts []int
	passwords                []int
}

// scopeOf derives a tab's filter scope from its column kinds. The name
// column of the Users tab is a user; of Groups and ExGroup a group (groups
// and exclusion groups share a namespace); of the artifact tabs (Workflow
// … XformProfiles) the artifact's name — the Cube of a slice rule, the
// Member of a display member.
func scopeOf(t *artifacts.Tab) scope {
	var s scope
	for i := range t.Columns {
		c := &t.Columns[i]
		switch c.Kind {
		case artifacts.KindUser:
			s.users = append(s.users, i)
		case artifacts.KindGroup, artifacts.KindExGroup:
			s.groups = append(s.groups, i)
		case artifacts.KindPassword:
			s.passwords = append(s.passwords, i)
		case artifacts.KindName:
			switch {
			case t.ID == artifacts.TabUsers:
				s.users = append(s.users, i)
			case t.ID == artifacts.TabGroups || t.ID == artifacts.TabExGroup:
				s.groups = append(s.groups, i)
			case isArtifactTab(t):
				s.artifacts = append(s.artifacts, i)
			}
		}
	}
	return s
}

// isArtifactTab reports whether t holds the security of application
// artifacts rather than system security; the tab table numbers them last.
func isArtifactTab(t *artifacts.Tab) bool { return t.ID >= artifacts.TabWorkflow }

// matcher applies a Selection's filters to rows, remembering which
// patterns matched something so that a pattern that matched nothing can be
// reported.
type matcher struct {
	sel  Selection
	used map[*artifacts.Pattern]bool

	progress    func(tab string, done, total int)
	done, total int // rows gone through, for progress
}

func newMatcher(sel Selection) *matcher {
	return &matcher{sel: sel, used: make(map[*artifacts.Pattern]bool)}
}

// anyColumn reports whether the value of any of cols matches f (true for
// an inactive filter or a tab the filter does not restrict). Every pattern
// is tried so that each one's use is recorded.
func (m *matcher) anyColumn(f artifacts.Filter, cols []int, values []string) bool {
	if !f.Active() || len(cols) == 0 {
		return true
	}
	ok := false
	for _, p := range f {
		for _, ci := range cols {
			if p.Match(values[ci]) {
				m.used[p] = true
				ok = true
				break
			}
		}
	}
	return ok
}

// keep reports whether a row passes every filter that restricts its tab.
func (m *matcher) keep(s *scope, values []string) bool {
	// Evaluate all three so that pattern use is recorded on every tab.
	u := m.anyColumn(m.sel.Users, s.users, values)
	g := m.anyColumn(m.sel.Groups, s.groups, values)
	a := m.anyColumn(m.sel.Artifacts, s.artifacts, values)
	return u && g && a
}

// Rows calls fn for every selected row of tab t, in the environment's
// order (canonical for an environment from Load or New), with one value
// per tab column in column order: ActionType and ActionValue empty, the
// Password empty unless sel.IncludePasswords. The slice passed to fn is
// reused; fn must copy what it keeps. An error from fn stops Rows and is
// returned.
func Rows(env *artifacts.Environment, t *artifacts.Tab, sel Selection, fn func(values []string) error) error {
	_, err := newMatcher(sel).rows(env, t, fn)
	return err
}

func (m *matcher) rows(env *artifacts.Environment, t *artifacts.Tab, fn func(values []string) error) (int, error) {
	s := scopeOf(t)
	var values []string
	n := 0
	if m.progress != nil {
		m.progress(t.Name, m.done, m.total)
	}
	for i, end := 0, t.Len(env); i < end; i++ {
		if m.progress != nil && i > 0 && i%progressEvery == 0 {
			m.progress(t.Name, m.done+i, m.total)
		}
		values = t.Cells(env, i, values)
		if !m.keep(&s, values) {
			continue
		}
		if !m.sel.IncludePasswords {
			for _, ci := range s.passwords {
				values[ci] = ""
			}
		}
		if err := fn(values); err == errSkipRow {
			continue
		} else if err != nil {
			return n, err
		}
		n++
	}
	m.done += t.Len(env)
	return n, nil
}

// ListsOf returns the names the drop-down lists of an export of env
// offer: every user; every group and exclusion group (a group column may
// name either, as they share one namespace), the built-in groups
// included; and every exclusion group. Each list is sorted
// case-insensitively.
func ListsOf(env *artifacts.Environment) workbook.Lists {
	var l workbook.Lists
	l.Users = make([]string, 0, len(env.Users))
	for i := range env.Users {
		l.Users = append(l.Users, env.Users[i].User)
	}
	seen := make(map[string]bool, len(env.Groups)+len(env.ExGroup)+len(artifacts.BuiltinGroups()))
	addGroup := func(name string) {
		if f := artifacts.Fold(name); !seen[f] {
			seen[f] = true
			l.Groups = append(l.Groups, name)
		}
	}
	for _, g := range artifacts.BuiltinGroups() {
		addGroup(g.Group)
	}
	for i := range env.Groups {
		addGroup(env.Groups[i].Group)
	}
	for i := range env.ExGroup {
		addGroup(env.ExGroup[i].ExGroup)
		l.ExGroups = append(l.ExGroups, env.ExGroup[i].ExGroup)
	}
	for _, list := range [][]string{l.Users, l.Groups, l.ExGroups} {
		slices.SortStableFunc(list, artifacts.CompareFold)
	}
	return l
}

// Result describes a written export.
type Result struct {
	// Path is the file written.
	Path string
	// Rows counts the data rows written per tab name.
	Rows map[string]int
	// Empty is true when a filter matched nothing: all its patterns
	// matched no name, so the exported tabs it restricts have header rows
	// only.
	Empty bool
	// Unmatched lists the filter patterns that matched no name in the
	// exported tabs (also those of a filter that restricts none of them),
	// as the user would write them ("--group Doc*").
	Unmatched []string
	// NotBDA counts the rows an Options.BDA export left out because the
	// guide cannot say them: slice rules of another Type.
	NotBDA int
}

// ExistsError is returned when the export's file name is taken and
// overwriting was not asked for.
type ExistsError struct{ Path string }

func (e *ExistsError) Error() string {
	return fmt.Sprintf("%s already exists; secmgr does not overwrite an earlier export — "+
		"run again in a second, choose another output folder, or give --force to replace it", e.Path)
}

// FileName is the export's file name for an export started at now:
// SecurityExtract.HHMMSS.xlsx with the 24-hour clock time of now in now's
// location (time.Now() is local time, which honours TZ).
func FileName(now time.Time) string {
	return "SecurityExtract." + now.Format("150405") + ".xlsx"
}

// errSkipRow, from a row function, leaves the row out without an error.
var errSkipRow = errors.New("row left out")

// Options say how an export is written, as opposed to what it holds.
type Options struct {
	// Replace replaces a file of the same name; without it WriteWorkbook
	// refuses to (*ExistsError).
	Replace bool
	// BDA writes the workbook to hand to BDA Security Manager: only the
	// guide's tabs and columns, no Lists tab, and only the slice rules of
	// the guide's Type (Result.NotBDA counts the others).
	BDA bool
	// Progress, when not nil, is told as the export goes on: the tab being
	// written ("" while the file is finished and saved), and how many of
	// the environment's rows of the selected tabs have been gone through,
	// out of total. It is called at most once per 1,000 rows and once per
	// tab, from the goroutine that writes.
	Progress func(tab string, done, total int)
}

// progressEvery is how many rows pass between two Progress calls.
const progressEvery = 1000

// WriteWorkbook writes the selected tabs of env, filtered by sel, to
// dir/FileName(now): every selected tab in export order with its header
// row, also when no row is selected. Unless opt.Replace is set it refuses
// to replace an existing file (*ExistsError). On error no partial file is
// left behind. The drop-down lists of its user and group columns offer
// every user and group of env (ListsOf), not only the exported ones.
func WriteWorkbook(env *artifacts.Environment, sel Selection, dir string, now time.Time, opt Options) (Result, error) {
	if dir == "" {
		dir = "."
	}
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return Result{}, fmt.Errorf("output folder %s does not exist", dir)
	case err != nil:
		return Result{}, fmt.Errorf("output folder %s: %w", dir, err)
	case !st.IsDir():
		return Result{}, fmt.Errorf("output folder %s is a file, not a folder", dir)
	}
	res := Result{Path: filepath.Join(dir, FileName(now)), Rows: make(map[string]int)}
	if !opt.Replace {
		if _, err := os.Lstat(res.Path); err == nil {
			return Result{}, &ExistsError{res.Path}
		}
	}
	// The base lets a plan of the edited workbook tell the person's
	// edits from changes applied since (three-way planning).
	fp, err := artifacts.Fingerprint(env)
	if err != nil {
		return Result{}, err
	}
	base := &workbook.Base{Environment: env.Name, Fingerprint: fp, Time: now}
	w, err := workbook.Create(res.Path, workbook.WriteOptions{Replace: opt.Replace, Lists: ListsOf(env), Base: base, BDA: opt.BDA})
	if err != nil {
		if !opt.Replace && errors.Is(err, os.ErrExist) {
			return Result{}, &ExistsError{res.Path}
		}
		return Result{}, err
	}
	m := newMatcher(sel)
	tabs := sel.tabs()
	m.progress = opt.Progress
	for _, t := range tabs {
		m.total += t.Len(env)
	}
	for _, t := range tabs {
		if err := w.StartTab(t); err != nil {
			w.Abort()
			return Result{}, err
		}
		write := w.WriteRow
		if opt.BDA && t.ID == artifacts.TabCubeDataCellAccess {
			ty := t.Column("Type")
			write = func(values []string) error {
				if !strings.EqualFold(values[ty], artifacts.GuideSliceRuleType) {
					res.NotBDA++
					return errSkipRow
				}
				return w.WriteRow(values)
			}
		}
		n, err := m.rows(env, t, write)
		if err != nil {
			w.Abort()
			return Result{}, err
		}
		res.Rows[t.Name] = n
	}
	if m.progress != nil {
		m.progress("", m.done, m.total)
	}
	if err := w.Close(); err != nil {
		return Result{}, err
	}
	res.Empty = m.empty(sel.tabs())
	res.Unmatched = m.unmatched()
	return res, nil
}

// empty reports whether an active filter that restricts one of tabs
// matched nothing: then the tabs it restricts have no rows.
func (m *matcher) empty(tabs []*artifacts.Tab) bool {
	for _, k := range m.kinds() {
		if !k.f.Active() || m.matchedAny(k.f) {
			continue
		}
		for _, t := range tabs {
			if len(k.cols(scopeOf(t))) > 0 {
				return true
			}
		}
	}
	return false
}

func (m *matcher) matchedAny(f artifacts.Filter) bool {
	for _, p := range f {
		if m.used[p] {
			return true
		}
	}
	return false
}

// filterKind is one kind of filter: its flag, its patterns and the
// columns of a tab it applies to.
type filterKind struct {
	flag string
	f    artifacts.Filter
	cols func(scope) []int
}

func (m *matcher) kinds() []filterKind {
	return []filterKind{
		{"--user", m.sel.Users, func(s scope) []int { return s.users }},
		{"--group", m.sel.Groups, func(s scope) []int { return s.groups }},
		{"--artifact", m.sel.Artifacts, func(s scope) []int { return s.artifacts }},
	}
}

// unmatched lists the patterns that matched nothing, with their flag.
func (m *matcher) unmatched() []string {
	var out []string
	for _, k := range m.kinds() {
		for _, p := range k.f {
			if !m.used[p] {
				out = append(out, k.flag+" "+p.String())
			}
		}
	}
	return out
}
