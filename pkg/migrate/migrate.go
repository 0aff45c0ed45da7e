// Package migrate compares two environments and builds the change
// workbook that makes the destination's selected tabs match the source's
// (secmgr diff).
//
// The change workbook is an ordinary security workbook: the compared tabs
// with their usual columns, holding only the rows that change something —
// new artifacts, edited rows (every column, so a person can read them),
// relationship additions and, with Prune, Remove rows for what the
// destination has and the source lacks. Imported into the destination
// with the ordinary planner (secmgr apply), it plans exactly the changes
// Compare reports, and comparing again afterwards finds none.
//
// What a workbook cannot carry is left out and reported as a finding
// instead of a change: artifacts import cannot create (an entity that
// exists only in the source), slice rules only the destination has,
// passwords without IncludePasswords, names that are a group on one side
// and an exclusion group on the other, rows whose names do not exist in
// the destination, and the few additions that would make a group cycle or
// take an exclusion group's ProcessingOrder twice where the destination
// keeps rows of its own. Casing is not a difference: names are compared,
// written and reported as the destination spells them.
//
//	m, err := migrate.ParseMap([]string{"DEV_*=PRD_*"})
//	res, err := migrate.Compare(dev, prod, migrate.Options{Prune: true, Map: m})
//	for _, f := range res.Findings { fmt.Println(f) }
//	err = res.WriteWorkbook("changes.xlsx", migrate.WriteOptions{})
package migrate

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
	"secmgr/pkg/validate"
	"secmgr/pkg/workbook"
)

// Options select what Compare compares and what the workbook carries.
type Options struct {
	// Tabs lists the tabs compared; empty means every tab.
	Tabs []artifacts.TabID
	// Prune also removes what the destination has and the source lacks:
	// users, groups, exclusion groups and relationships.
	Prune bool
	// Map renames the source's groups and exclusion groups into the
	// destination's names; nil keeps every name.
	Map *Map
	// IncludePasswords carries users' password values in the workbook.
	// Without it passwords are still compared, and a difference is a
	// finding rather than a change.
	IncludePasswords bool
	// BDA writes the workbook for BDA Security Manager: only the guide's
	// tabs and columns. A change the guide cannot say is left out and is
	// an error finding (without BDA it is written with secmgr's extension
	// and is a warning, not-bda).
	BDA bool
}

// Finding is something the change workbook does not carry, or something
// about the comparison a person should know. Tab and Key (the key values,
// in the destination's terms where the row exists there) name the row it
// is about, Column the column where it is about one cell. Findings of
// Compare are warnings — the workbook applies without what they describe —
// but for the changes Options.BDA leaves out, which are errors.
type Finding struct {
	validate.Finding
	Key []string `json:"key,omitempty"`
}

// Finding codes, stable for scripts.
const (
	CodeOnlyInSource       = "only-in-source"      // an artifact import cannot create
	CodeOnlyInDestination  = "only-in-destination" // what a workbook cannot remove
	CodeNotCarried         = "not-carried"         // a value or row the workbook cannot hold
	CodeKindDiffers        = "group-kind-differs"  // a group on one side, an exclusion group on the other
	CodeNotInDestination   = "name-not-in-destination"
	CodePasswordNotCarried = "password-not-carried"
	CodePasswordNotCleared = "password-not-cleared"
	CodeWhitespace         = validate.CodeWhitespace
	CodeGroupInUse         = validate.CodeGroupInUse
	CodeCycle              = validate.CodeCycle
	CodeProcessingOrder    = validate.CodeProcessingOrder
	CodeSliceType          = validate.CodeTypeChange
	CodeMapUnused          = "map-unused"
)

// Result is a comparison: the changes the change workbook makes, in the
// order the planner plans them, and the findings.
type Result struct {
	// Tabs are the compared tabs, in export order; the workbook has one
	// sheet for each.
	Tabs     []artifacts.TabID
	Changes  []plans.Change
	Findings []Finding
	Summary  plans.Summary

	rows  [artifacts.NumTabs][][]string // the workbook's data rows per tab
	lists workbook.Lists                // the names its drop-downs offer
	base  workbook.Base                 // recorded in the workbook
	bda   bool                          // written for BDA Security Manager
}

// Empty reports whether the change workbook changes nothing.
func (r *Result) Empty() bool { return len(r.Changes) == 0 }

// Rows returns the number of data rows of the change workbook.
func (r *Result) Rows() int {
	n := 0
	for _, rows := range r.rows {
		n += len(rows)
	}
	return n
}

// Compare computes the changes that make dst's selected tabs match src's
// and the change workbook that carries them. src and dst are not changed.
// The error is for a Map that makes two of the source's names one or
// makes a name that is not valid; every other problem is a finding.
func Compare(src, dst *artifacts.Environment, opt Options) (*Result, error) {
	c := &comparer{dst: dst, opt: opt}
	for _, id := range opt.Tabs {
		if id >= 0 && id < artifacts.NumTabs {
			c.sel[id] = true
		}
	}
	if len(opt.Tabs) == 0 {
		for i := range c.sel {
			c.sel[i] = true
		}
	}
	var tabs []artifacts.TabID
	for id := range artifacts.NumTabs {
		if c.sel[id] {
			tabs = append(tabs, id)
		}
	}
	c.indexDestination()
	c.src = src.Clone()
	if err := c.mapNames(); err != nil {
		return nil, err
	}
	c.respell()
	c.carryValues()
	c.settleNames()
	c.carryReferences()
	c.src.Normalize()

	changes, missing := actions.Diff(c.src, dst, actions.DiffOptions{Tabs: tabs, Prune: opt.Prune})
	for _, m := range missing {
		t, _ := artifacts.LookupTab(m.Tab)
		c.report(t, m.Key, -1, CodeOnlyInSource, "%s %s exists only in the source; create it in OneStream first, then diff again", t.Artifact, quote(m.Key))
	}
	if opt.Prune {
		c.reportOnlyInDestination()
	}
	entries := make([]*entry, len(changes))
	for i, ch := range changes {
		t, _ := artifacts.LookupTab(ch.Tab)
		entries[i] = &entry{c: ch, t: t, orig: ch.Fields}
	}
	c.filterFields(entries)
	removedUsers, removedGroups := c.keepRemovals(entries)
	c.dropRemovedRelationships(entries, removedUsers, removedGroups)
	c.checkCycles(entries, removedGroups)
	c.checkProcessingOrders(entries, removedUsers, removedGroups)

	// The change workbook is planned against dst: dst is its base.
	fp, err := artifacts.Fingerprint(dst)
	if err != nil {
		return nil, err
	}
	res := &Result{Tabs: tabs, lists: c.lists(), base: workbook.Base{Environment: dst.Name, Fingerprint: fp, Time: time.Now()}, bda: opt.BDA}
	c.layout(entries, res)
	slices.SortStableFunc(c.findings, func(a, b Finding) int {
		return cmp.Or(tabOrder(a.Tab)-tabOrder(b.Tab), strings.Compare(artifacts.KeyString(a.Key), artifacts.KeyString(b.Key)))
	})
	res.Findings = c.findings
	if res.Findings == nil {
		res.Findings = []Finding{}
	}
	if res.Changes == nil {
		res.Changes = []plans.Change{}
	}
	res.Summary = summarize(res.Changes, res.Findings)
	return res, nil
}

// comparer holds one comparison. src is a working copy of the source,
// changed step by step into what the workbook carries: names mapped and
// spelt as the destination spells them, values as the planner will read
// them, references that cannot resolve in the destination taken back.
type comparer struct {
	src, dst *artifacts.Environment
	opt      Options
	sel      [artifacts.NumTabs]bool
	findings []Finding

	dstUsers  map[string]string    // folded → stored
	dstGroups map[string]groupName // groups and exclusion groups
	dstCubes  map[string]string
	dstTypes  map[string]bool // folded cube \x00 folded slice-rule type
	// the source's own spelling of its users and groups, for the names
	// the workbook adds
	srcUserNames, srcGroupNames map[string]string

	srcGroups map[string]groupName // of the working copy, after mapping
	clash     map[string]bool      // a group on one side, an exclusion group on the other
	users     map[string]bool      // folded user names after the workbook
	groups    map[string]artifacts.TabID
}

type groupName struct {
	name string
	tab  artifacts.TabID // TabGroups or TabExGroup
}

// entry is one change Diff found, on its way into the workbook.
type entry struct {
	c    plans.Change
	t    *artifacts.Tab
	orig plans.Fields // the fields as Diff gave them
	drop bool
	row  int // row number in the workbook

	host  *artifacts.Tab // the tab whose row says the change the guide's way, if not t
	guide []string       // that row
}

func (c *comparer) report(t *artifacts.Tab, key []string, col int, code, format string, args ...any) {
	f := Finding{Finding: validate.Finding{Severity: validate.Warning, Code: code, Message: fmt.Sprintf(format, args...)}, Key: key}
	if t != nil {
		f.Tab = t.Name
		if col >= 0 {
			f.Column = t.Columns[col].Name
		}
	}
	c.findings = append(c.findings, f)
}

func summarize(changes []plans.Change, findings []Finding) plans.Summary {
	var s plans.Summary
	for _, ch := range changes {
		s.Count(ch.Op)
	}
	for _, f := range findings {
		if f.Severity == validate.Error {
			s.Errors++
		} else {
			s.Warnings++
		}
	}
	return s
}

func tabOrder(name string) int {
	if t, ok := artifacts.LookupTab(name); ok {
		return int(t.ID)
	}
	return -1 // findings about the comparison itself come first
}

// quote formats a key for messages: 'Houston' or 'Jane / Finance'.
func quote(key []string) string { return "'" + strings.Join(key, " / ") + "'" }

// quoteValue shows a value in a message; an empty one as "empty".
func quoteValue(v string) string {
	if v == "" {
		return "it empty"
	}
	return "'" + v + "'"
}

// listNames lists a few names and counts the rest: "3 users (a, b, c)".
func listNames(names []string, what string) string {
	const show = 5
	shown := names
	if len(shown) > show {
		shown = shown[:show]
	}
	list := "'" + strings.Join(shown, "', '") + "'"
	if len(names) > show {
		list += fmt.Sprintf(" and %d more", len(names)-show)
	}
	if len(names) == 1 {
		return fmt.Sprintf("1 %s (%s)", what, list)
	}
	return fmt.Sprintf("%d %ss (%s)", len(names), what, list)
}
