package actions

import (
	"fmt"
	"path/filepath"
	"strings"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
	"secmgr/pkg/validate"
	"secmgr/pkg/workbook"
)

// SnapshotOptions select what Snapshot takes from a workbook.
type SnapshotOptions struct {
	// Name is the environment's name; empty takes the file name without
	// its extension.
	Name string
	// Tabs lists the tabs to take (nil: all). Tabs not listed stay empty
	// in the environment.
	Tabs []artifacts.TabID
	// Read bounds the cost of reading the file.
	Read workbook.Options
}

// Snapshot turns a full export workbook into an environment. It runs the
// workbook through the planner's checks, as an import against an
// environment that holds nothing but the built-in groups and roles, with
// the rules of a record rather than of a change:
//
//   - every selected tab is present with every column;
//   - ActionType and ActionValue are empty: a snapshot is not an import;
//   - every row is an artifact to record, of whatever tab;
//   - every user and group a row refers to is on the workbook's Users,
//     Groups or ExGroup tab, read for its names even when not selected.
//
// Every other rule — values, required cells, duplicate and conflicting
// rows, cycles, processing orders, one namespace for groups and exclusion
// groups — is the planner's. The environment is the plan applied, and is
// returned only when there is no error finding; the error return is for
// a file that cannot be read.
func Snapshot(path string, opt SnapshotOptions) (*artifacts.Environment, validate.Findings, error) {
	wb, err := workbook.Open(path, opt.Read)
	if err != nil {
		return nil, nil, err
	}
	defer wb.Close()

	name := opt.Name
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	rules := newSnapshotRules(wb, opt.Tabs)
	base := &artifacts.Environment{Name: name}
	base.Normalize() // the built-in groups and every role
	rules.eng = &engine{env: base.Clone(), secrets: rules, create: true}
	p := newPlanner(base, PlanOptions{Read: opt.Read}, path)
	p.snap = rules
	p.findings = rules.structure(wb)
	if err := p.run(fileRows{wb}); err != nil {
		return nil, nil, err
	}
	p.findings = append(p.findings, wb.Findings...)
	// Keep what concerns the selected tabs (and the unknown tabs): a name
	// tab read only for its names has nothing to say.
	kept := p.findings[:0]
	for _, f := range p.findings {
		if t, ok := artifacts.LookupTab(f.Tab); ok && !rules.selected[t.ID] {
			continue
		}
		kept = append(kept, f)
	}
	p.findings = kept
	p.findings.Sort(tabOrder)
	if p.findings.Errors() > 0 {
		return nil, p.findings, nil
	}
	if rules.err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, rules.err)
	}
	env, err := rules.eng.finish()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return env, p.findings, nil
}

// snapshotRules are the planner's rules for a snapshot.
type snapshotRules struct {
	selected [artifacts.NumTabs]bool
	// present and unreadable say, per tab, whether the workbook has it,
	// and whether it has it with a header the reader refused.
	present, unreadable [artifacts.NumTabs]bool
	// noNameTab records the tabs told that their references cannot be
	// checked, by referring tab and name tab: once each.
	noNameTab map[[2]artifacts.TabID]bool

	// eng applies each change as the planner makes it, rather than
	// holding a plan of every row; the first error it meets is err. A
	// snapshot with any error finding is thrown away, so a change of a
	// row found wrong later does no harm.
	eng *engine
	err error
	// secrets holds the password cells of the rows, by cell, for eng.
	secrets map[string]string
}

// record applies a change of a selected tab.
func (r *snapshotRules) record(c *plans.Change) {
	t, ok := artifacts.LookupTab(c.Tab)
	if !ok || !r.selected[t.ID] || r.err != nil {
		return
	}
	r.eng.n++
	defer func() {
		if v := recover(); v != nil { // a bug must not end in a stack trace
			r.err = fmt.Errorf("internal error while recording change %d: %v", r.eng.n, v)
		}
	}()
	if err := r.eng.apply(c); err != nil {
		r.err = &ChangeError{Number: r.eng.n, Op: c.Op, Tab: c.Tab, Key: c.Key, Err: err}
	}
}

// keepSecret holds a password cell for eng; outside a snapshot it does
// nothing.
func (r *snapshotRules) keepSecret(cell, value string) {
	if r == nil {
		return
	}
	if r.secrets == nil {
		r.secrets = map[string]string{}
	}
	r.secrets[cell] = value
}

// Secret makes the rules eng's SecretSource.
func (r *snapshotRules) Secret(_ *plans.Change, f *plans.Field) (string, error) {
	v, ok := r.secrets[f.From]
	if !ok {
		return "", fmt.Errorf("no password at %s", f.From)
	}
	return v, nil
}

func newSnapshotRules(wb *workbook.Workbook, tabs []artifacts.TabID) *snapshotRules {
	r := &snapshotRules{noNameTab: map[[2]artifacts.TabID]bool{}}
	for id := artifacts.TabID(0); id < artifacts.NumTabs; id++ {
		r.selected[id] = tabs == nil
		r.present[id] = wb.Sheet(id) != nil
	}
	for _, id := range tabs {
		if id >= 0 && id < artifacts.NumTabs {
			r.selected[id] = true
		}
	}
	for _, f := range wb.Findings {
		if t, ok := artifacts.LookupTab(f.Tab); ok && f.Severity == validate.Error {
			r.unreadable[t.ID] = true
		}
	}
	return r
}

// structure reports the selected tabs and columns the workbook lacks. A
// tab whose header the reader refused has its error already.
func (r *snapshotRules) structure(wb *workbook.Workbook) validate.Findings {
	var out validate.Findings
	for id := artifacts.TabID(0); id < artifacts.NumTabs; id++ {
		tab := id.Tab()
		if !r.selected[id] {
			continue
		}
		s := wb.Sheet(id)
		if s == nil {
			if !r.unreadable[id] {
				out = append(out, validate.Finding{Severity: validate.Error, Code: validate.CodeMissingTab, Tab: tab.Name,
					Message: fmt.Sprintf("the workbook has no %s tab; a snapshot needs every tab of the areas it takes (area %s)", tab.Name, tab.Area)})
			}
			continue
		}
		for _, ci := range tab.DataColumns() {
			if !s.Present[ci] {
				out = append(out, validate.Finding{Severity: validate.Error, Code: validate.CodeMissingColumn, Tab: tab.Name, Row: 1, Column: tab.Columns[ci].Name,
					Message: fmt.Sprintf("the %s tab has no %s column; a snapshot needs every column of the tabs it takes", tab.Name, tab.Columns[ci].Name)})
			}
		}
	}
	return out
}

// reads reports whether the planner reads a tab: the selected ones, and
// the name tabs for the names other tabs refer to.
func (r *snapshotRules) reads(id artifacts.TabID) bool {
	return r.selected[id] || id == artifacts.TabUsers || id == artifacts.TabGroups || id == artifacts.TabExGroup
}

// noAction reports ActionType and ActionValue cells that are not empty.
func (r *snapshotRules) noAction(p *planner, s *workbook.Sheet, row *workbook.Row) {
	for ci := range s.Tab.Columns {
		if c := &s.Tab.Columns[ci]; c.IsAction() && row.Values[ci] != "" {
			p.report(s, validate.Error, validate.CodeActionType, ci, row.Number,
				"%s must be empty in a snapshot (found '%s'); a snapshot records security as it is, it is not an import", c.Name, row.Values[ci])
		}
	}
}

// nameTab is the tab a reference of kind k is checked against.
func nameTab(k artifacts.Kind) artifacts.TabID {
	switch k {
	case artifacts.KindUser:
		return artifacts.TabUsers
	case artifacts.KindExGroup:
		return artifacts.TabExGroup
	}
	return artifacts.TabGroups
}

// unchecked reports whether the reference in column col of a row cannot be
// checked, the workbook lacking the tab of its names (said once per
// referring tab) or having one the reader refused (said by the reader).
// It is false outside a snapshot.
func (r *snapshotRules) unchecked(p *planner, s *workbook.Sheet, row, col int) bool {
	if r == nil {
		return false
	}
	home := nameTab(s.Tab.Columns[col].Kind)
	switch {
	case r.unreadable[home]:
		return true
	case r.present[home]:
		return false
	}
	k := [2]artifacts.TabID{s.Tab.ID, home}
	if !r.noNameTab[k] {
		r.noNameTab[k] = true
		ht := home.Tab()
		what := map[artifacts.TabID]string{artifacts.TabUsers: "user", artifacts.TabGroups: "group", artifacts.TabExGroup: "exclusion group"}[home]
		p.report(s, validate.Error, validate.CodeMissingTab, col, row,
			"the %s tab refers to %ss, but the workbook has no %s tab to check them against; export the %s area too", s.Tab.Name, what, ht.Name, ht.Area)
	}
	return true
}

// leftOut reports whether a name a row refers to comes from a name tab
// the selected areas leave out: the environment would hold the reference
// but not the name, which Load refuses. It says so once per referring tab
// and name tab, at the first such cell. It is false outside a snapshot
// and for the built-in groups.
func (r *snapshotRules) leftOut(p *planner, s *workbook.Sheet, row, col int, kind nameKind, st nameState) bool {
	if r == nil || st != stateAdded || r.selected[kind.tab()] {
		return false
	}
	home := kind.tab()
	k := [2]artifacts.TabID{s.Tab.ID, home}
	if !r.noNameTab[k] {
		r.noNameTab[k] = true
		ht := home.Tab()
		p.report(s, validate.Error, validate.CodeMissingTab, col, row,
			"the %s tab names %ss of the %s tab, which the selected areas leave out; an environment file holds every %s its rows name — add the %s area (--areas)",
			s.Tab.Name, kind, ht.Name, kind, ht.Area)
	}
	return true
}

// where completes "does not exist" in a snapshot, where names can only
// come from the workbook itself.
func (r *snapshotRules) where(k artifacts.Kind) string {
	if r == nil {
		return ""
	}
	return fmt.Sprintf("; it is not on the workbook's %s tab", nameTab(k).Tab().Name)
}
