package workbook

import (
	"fmt"
	"path/filepath"
	"strings"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/validate"
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
	Read Options
}

// maxSuggestions bounds the "did you mean" look-ups of one snapshot: each
// costs a pass over every name, and a workbook with thousands of unknown
// names needs no more than the first few suggestions.
const maxSuggestions = 200

// Snapshot turns a full export workbook into an environment. Every
// selected tab must be present with all its columns; every value must
// be valid for its column, required values present, keys unique,
// ActionType and ActionValue empty, and every user and group a row
// refers to must be a user, group or exclusion group of the workbook
// itself (the built-in groups always exist). References are resolved
// against the workbook's Users, Groups and ExGroup tabs even when those
// tabs are not selected.
//
// The findings list every problem, located at its cell. The environment
// is returned, normalized, only when there is no error finding; the
// error return is for a file that cannot be read.
func Snapshot(path string, opt SnapshotOptions) (*artifacts.Environment, validate.Findings, error) {
	wb, err := Open(path, opt.Read)
	if err != nil {
		return nil, nil, err
	}
	defer wb.Close()

	name := opt.Name
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	sn := &snapshot{
		wb:       wb,
		env:      &artifacts.Environment{Name: name},
		selected: make(map[artifacts.TabID]bool),
	}
	if opt.Tabs == nil {
		for id := artifacts.TabID(0); id < artifacts.NumTabs; id++ {
			sn.selected[id] = true
		}
	}
	for _, id := range opt.Tabs {
		if id >= 0 && id < artifacts.NumTabs {
			sn.selected[id] = true
		}
	}
	// Tabs whose header problems Open reported already: not missing too.
	headerBad := make(map[string]bool)
	for _, f := range wb.Findings {
		if f.Severity == validate.Error {
			headerBad[f.Tab] = true
		}
	}
	for id := artifacts.TabID(0); id < artifacts.NumTabs; id++ {
		tab := artifacts.Tabs[id]
		if !sn.selected[id] {
			continue
		}
		s := wb.Sheet(id)
		if s == nil {
			if !headerBad[tab.Name] {
				wb.add(validate.Finding{Severity: validate.Error, Code: validate.CodeMissingTab, Tab: tab.Name,
					Message: fmt.Sprintf("the workbook has no %s tab; a snapshot needs every tab of the areas it takes (area %s)", tab.Name, tab.Area)})
			}
			continue
		}
		for _, ci := range tab.DataColumns() {
			if !s.Present[ci] {
				c := &tab.Columns[ci]
				wb.add(validate.Finding{Severity: validate.Error, Code: validate.CodeMissingColumn, Tab: tab.Name, Row: 1, Column: c.Name,
					Message: fmt.Sprintf("the %s tab has no %s column; a snapshot needs every column of the tabs it takes", tab.Name, c.Name)})
			}
		}
	}

	// The name tabs first, so the other tabs' references can be checked
	// as their rows stream by.
	sn.users = newNameSet(artifacts.TabUsers)
	sn.groups = newNameSet(artifacts.TabGroups)
	sn.exgroups = newNameSet(artifacts.TabExGroup)
	for _, ns := range []*nameSet{sn.users, sn.groups, sn.exgroups} {
		s := wb.Sheet(ns.tab)
		if s == nil {
			// A tab whose header Open rejected has its error already;
			// its names are unknown, so references to them go unchecked.
			ns.unknown = headerBad[artifacts.Tabs[ns.tab].Name]
			continue
		}
		ns.present = true
		if err := sn.readTab(s); err != nil {
			return nil, nil, err
		}
	}
	for id := artifacts.TabID(0); id < artifacts.NumTabs; id++ {
		if id == artifacts.TabUsers || id == artifacts.TabGroups || id == artifacts.TabExGroup || !sn.selected[id] {
			continue
		}
		if s := wb.Sheet(id); s != nil {
			if err := sn.readTab(s); err != nil {
				return nil, nil, err
			}
		}
	}

	// Keep what concerns the selected tabs (and the unknown tabs).
	var out validate.Findings
	for _, f := range wb.Findings {
		if t, ok := artifacts.LookupTab(f.Tab); ok && !sn.selected[t.ID] {
			continue
		}
		out = append(out, f)
	}
	out.Sort(tabOrder)
	if out.Errors() > 0 {
		return nil, out, nil
	}
	sn.env.Normalize()
	return sn.env, out, nil
}

// tabOrder orders findings by tab in export order, unknown tabs last.
func tabOrder(name string) int {
	if t, ok := artifacts.LookupTab(name); ok {
		return int(t.ID)
	}
	return int(artifacts.NumTabs)
}

type snapshot struct {
	wb       *Workbook
	env      *artifacts.Environment
	selected map[artifacts.TabID]bool

	users, groups, exgroups *nameSet
	suggested               int
	suggestions             map[string]string
	noNameTab               map[[2]artifacts.TabID]bool // referencing tab, name tab: reported once
}

// nameSet holds the names of a name tab (Users, Groups or ExGroup).
type nameSet struct {
	tab     artifacts.TabID
	present bool           // the workbook has the tab
	unknown bool           // it has the tab, but its header cannot be read
	row     map[string]int // folded name -> row number
	names   []string       // as written, for suggestions
}

func newNameSet(tab artifacts.TabID) *nameSet {
	return &nameSet{tab: tab, row: make(map[string]int)}
}

func (ns *nameSet) has(name string) bool {
	_, ok := ns.row[artifacts.Fold(name)]
	return ok
}

// readTab reads the rows of one tab: a selected tab is checked and
// stored; a name tab that is not selected only gives its names.
func (sn *snapshot) readTab(s *Sheet) error {
	tab := s.Tab
	wb := sn.wb
	store := sn.selected[tab.ID]
	var names *nameSet
	switch tab.ID {
	case artifacts.TabUsers:
		names = sn.users
	case artifacts.TabGroups:
		names = sn.groups
	case artifacts.TabExGroup:
		names = sn.exgroups
	}
	if !store {
		key := tab.Key[0]
		return wb.Read(s, func(r *Row) error {
			if v := r.Values[key]; v != "" && artifacts.CheckName(v) == "" {
				names.add(v, r.Number)
			}
			return nil
		})
	}
	n := len(tab.Columns)
	cells := make([]string, n)
	keyVals := make([]string, len(tab.Key))
	seen := make(map[string]int)
	return wb.Read(s, func(r *Row) error {
		bad := false
		report := func(sev validate.Severity, code string, ci int, msg string) {
			wb.add(s.Finding(sev, code, ci, r.Number, msg))
			if sev == validate.Error {
				bad = true
			}
		}
		for ci := range tab.Columns {
			c := &tab.Columns[ci]
			v := r.Values[ci]
			cells[ci] = ""
			if c.IsAction() {
				if v != "" {
					report(validate.Error, validate.CodeActionType, ci,
						fmt.Sprintf("%s must be empty in a snapshot (found '%s'); a snapshot records security as it is, it is not an import", c.Name, v))
				}
				continue
			}
			if !s.Present[ci] {
				bad = true // reported once for the tab
				continue
			}
			if v == "" {
				switch {
				case c.Kind == artifacts.KindNumGridRows:
					cells[ci] = itoa(artifacts.DefaultNumGridRows)
				case c.Required:
					report(validate.Error, validate.CodeRequired, ci, fmt.Sprintf("%s is empty; it is required: %s", c.Name, c.Help))
				}
				continue
			}
			canon, p := validate.CheckValue(c, v)
			if p != nil {
				report(p.Severity, p.Code, ci, p.Message)
				if p.Severity == validate.Error {
					continue
				}
			}
			cells[ci] = canon
			if c.IsReference() {
				if sev, code, msg := sn.resolve(tab, c, canon); msg != "" {
					report(sev, code, ci, msg)
				}
			}
		}
		// The key, when every part of it is valid.
		keyOK := true
		for j, ci := range tab.Key {
			keyVals[j] = cells[ci]
			if cells[ci] == "" {
				keyOK = false
			}
		}
		if keyOK {
			k := artifacts.KeyString(keyVals)
			if first, dup := seen[k]; dup {
				report(validate.Error, validate.CodeDuplicateRow, tab.Key[0],
					fmt.Sprintf("%s %s appears twice (%s and %s); a snapshot holds each %s once",
						tab.Artifact, quoteKey(keyVals), s.Ref(tab.Key[0], first), s.Ref(tab.Key[0], r.Number), tab.Artifact))
			} else {
				seen[k] = r.Number
				if names != nil {
					sn.addName(s, names, cells[tab.Key[0]], r.Number, report)
				}
			}
		}
		if bad {
			return nil
		}
		if _, err := tab.Append(sn.env, cells); err != nil {
			report(validate.Error, validate.CodeDomain, tab.Key[0], err.Error())
		}
		return nil
	})
}

// addName records a name of a name tab; groups and exclusion groups share
// one namespace.
func (sn *snapshot) addName(s *Sheet, ns *nameSet, name string, row int, report func(validate.Severity, string, int, string)) {
	if ns.tab == artifacts.TabExGroup {
		if first, ok := sn.groups.row[artifacts.Fold(name)]; ok {
			where := fmt.Sprintf("on the Groups tab, row %d", first)
			if g := sn.wb.Sheet(artifacts.TabGroups); g != nil {
				where = g.Ref(g.Tab.Key[0], first)
			}
			report(validate.Error, validate.CodeDuplicateRow, s.Tab.Key[0],
				fmt.Sprintf("'%s' is both a group (%s) and an exclusion group; groups and exclusion groups share one set of names", name, where))
			return
		}
		if artifacts.IsBuiltinGroup(name) {
			report(validate.Error, validate.CodeBuiltin, s.Tab.Key[0],
				fmt.Sprintf("'%s' is a built-in group; it cannot be an exclusion group", name))
			return
		}
	}
	ns.add(name, row)
}

func (ns *nameSet) add(name string, row int) {
	f := artifacts.Fold(name)
	if _, ok := ns.row[f]; ok {
		return
	}
	ns.row[f] = row
	ns.names = append(ns.names, name)
}

// resolve checks that a referenced user or group exists in the workbook.
func (sn *snapshot) resolve(tab *artifacts.Tab, c *artifacts.Column, name string) (validate.Severity, string, string) {
	var (
		sets []*nameSet
		what string
		code string
	)
	switch c.Kind {
	case artifacts.KindUser:
		sets, what, code = []*nameSet{sn.users}, "user", validate.CodeUnknownUser
	case artifacts.KindGroup:
		if artifacts.IsBuiltinGroup(name) {
			return "", "", ""
		}
		sets, what, code = []*nameSet{sn.groups, sn.exgroups}, "group", validate.CodeUnknownGroup
	case artifacts.KindExGroup:
		sets, what, code = []*nameSet{sn.exgroups}, "exclusion group", validate.CodeUnknownExGroup
	default:
		return "", "", ""
	}
	for _, ns := range sets {
		if ns.has(name) {
			return "", "", ""
		}
	}
	home := sets[0]
	homeTab := artifacts.Tabs[home.tab]
	if home.unknown {
		return "", "", ""
	}
	if !home.present {
		// Without the name tab there is nothing to check against: say so
		// once per tab rather than at every cell.
		if sn.noNameTab == nil {
			sn.noNameTab = make(map[[2]artifacts.TabID]bool)
		}
		k := [2]artifacts.TabID{tab.ID, home.tab}
		if sn.noNameTab[k] {
			return "", "", ""
		}
		sn.noNameTab[k] = true
		return validate.Error, validate.CodeMissingTab,
			fmt.Sprintf("the %s tab refers to %ss, but the workbook has no %s tab to check them against; export the %s area too", tab.Name, what, homeTab.Name, homeTab.Area)
	}
	msg := fmt.Sprintf("%s '%s' does not exist; it is not on the workbook's %s tab", what, name, homeTab.Name)
	if s := sn.suggest(name, sets, c.Kind == artifacts.KindGroup); s != "" {
		msg += fmt.Sprintf(" — did you mean '%s'?", s)
	}
	return validate.Error, code, msg
}

func (sn *snapshot) suggest(name string, sets []*nameSet, builtins bool) string {
	key := artifacts.Fold(name)
	if s, ok := sn.suggestions[key]; ok {
		return s
	}
	if sn.suggested >= maxSuggestions {
		return ""
	}
	sn.suggested++
	// The best of each list, then the best of those: no copy of the lists.
	var best []string
	for _, ns := range sets {
		if s := validate.Closest(name, ns.names); s != "" {
			best = append(best, s)
		}
	}
	if builtins {
		if s := validate.Closest(name, []string{artifacts.Everyone, artifacts.Administrators, artifacts.Nobody}); s != "" {
			best = append(best, s)
		}
	}
	s := validate.Closest(name, best)
	if sn.suggestions == nil {
		sn.suggestions = make(map[string]string)
	}
	sn.suggestions[key] = s
	return s
}

func quoteKey(key []string) string {
	parts := make([]string, len(key))
	for i, k := range key {
		parts[i] = "'" + k + "'"
	}
	return strings.Join(parts, " / ")
}
