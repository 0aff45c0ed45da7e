package console

import (
	"fmt"
	"strings"

	"secmgr/pkg/access"
	"secmgr/pkg/plans"
)

// maxImpactRows bounds the impact table of the plan page; the rest is
// counted (the saved plan lists every one).
const maxImpactRows = 500

// impactView is the plan page's section on effective access.
type impactView struct {
	Heading string
	Rows    []impactRow
	Hidden  int // rows past maxImpactRows, not shown
}

// impactRow is one consequence: who, gains or loses, what, and the path.
type impactRow struct {
	User, Change, What, Via string
	Class                   string // gains or loses
	Line                    string // the text plan's line, for the title
}

// Impact returns the plan's impact section, or nil when it was not
// computed (a plan with errors applies nothing).
func (v planView) Impact() *impactView {
	if v.Plan == nil || v.Plan.Impact == nil {
		return nil
	}
	cs := v.Plan.Impact
	iv := &impactView{Heading: strings.TrimSuffix(plans.ImpactHeading(cs), ":")}
	if len(cs) > maxImpactRows {
		iv.Hidden = len(cs) - maxImpactRows
		cs = cs[:maxImpactRows]
	}
	for _, c := range cs {
		row := impactRow{User: c.User, Change: c.Change, Class: c.Change, Via: c.Via, Line: plans.ImpactLine(c)}
		switch {
		case c.Administrator && c.Change == plans.ChangeGains:
			row.Change, row.What = "becomes", "an administrator"
		case c.Administrator:
			row.Change, row.What = "stops being", "an administrator"
		case c.Role != "":
			row.What = "role " + c.Role
		default:
			row.What = c.Group
		}
		iv.Rows = append(iv.Rows, row)
	}
	return iv
}

// userView is the Explain page of a user: the membership tree, the
// exclusion decisions, roles, rights and slice rules.
type userView struct {
	*access.UserAccess
	Tree []*treeNode // the groups the user belongs to, each under the group that puts it there
}

// treeNode is a group in the membership tree.
type treeNode struct {
	Name      string
	Exclusion bool
	Children  []*treeNode
}

// exclusionRow is an exclusion decision in words.
type exclusionRow struct {
	Name, Verdict, Entry, Order, Access string
	In                                  bool
}

// Exclusions lists the user's exclusion decisions for the table.
func (v userView) Exclusions() []exclusionRow {
	var out []exclusionRow
	for _, x := range v.ExclusionGroups {
		r := exclusionRow{Name: x.Name, In: x.In, Verdict: "kept out"}
		if x.In {
			r.Verdict = "let in"
		}
		if e := x.DecidedBy; e == nil {
			r.Entry = "no entry matches"
		} else {
			r.Entry = e.Tab + " " + strings.Join(e.Key, " / ")
			r.Order = "direct membership"
			if e.ProcessingOrder != nil {
				r.Order = fmt.Sprint(*e.ProcessingOrder)
			}
			r.Access = "deny"
			if e.AllowAccess {
				r.Access = "allow"
			}
		}
		out = append(out, r)
	}
	return out
}

// newUserView arranges the user's groups as a tree: the paths explain
// gives are shortest paths from the user, so each group's parent in the
// tree is the group before it on its path.
func newUserView(ua *access.UserAccess, ix *access.Index) userView {
	nodes := map[string]*treeNode{}
	var roots []*treeNode
	for _, m := range ua.Groups {
		nodes[m.Name] = &treeNode{Name: m.Name, Exclusion: ix.IsExclusionGroup(m.Name)}
	}
	for _, m := range ua.Groups {
		n := nodes[m.Name]
		if len(m.Path) < 3 {
			roots = append(roots, n)
			continue
		}
		if p := nodes[m.Path[len(m.Path)-2]]; p != nil {
			p.Children = append(p.Children, n)
		} else {
			roots = append(roots, n)
		}
	}
	return userView{UserAccess: ua, Tree: roots}
}

// groupView is the Explain page of a group.
type groupView struct {
	*access.GroupAccess
}

// Entries describes an exclusion group's entries for the table.
func (v groupView) Entries() []exclusionRow {
	var out []exclusionRow
	for _, e := range v.ExclusionEntries {
		r := exclusionRow{Entry: e.Tab + " " + strings.Join(e.Key, " / "), Order: "direct membership", Access: "deny"}
		if e.ProcessingOrder != nil {
			r.Order = fmt.Sprint(*e.ProcessingOrder)
		}
		if e.AllowAccess {
			r.Access = "allow"
		}
		out = append(out, r)
	}
	return out
}
