package access

import (
	"cmp"
	"fmt"
	"slices"

	"secmgr/pkg/artifacts"
)

// UserAccess is the effective access of one user: the document
// `secmgr explain --user` prints. Lists are sorted and never nil, so the
// JSON is the same for the same environment.
type UserAccess struct {
	User          string `json:"user"`
	Enabled       bool   `json:"enabled"`
	Administrator bool   `json:"administrator"`
	// UserType and Native describe the account for people; they are not
	// part of the JSON document.
	UserType string `json:"-"`
	Native   bool   `json:"-"`

	Groups          []Membership        `json:"groups"`
	ExclusionGroups []ExclusionDecision `json:"exclusionGroups"`
	Roles           []RoleGrant         `json:"roles"`
	Rights          []RightGrant        `json:"rights"`
	SliceRules      []SliceRuleRef      `json:"sliceRules"`
}

// Membership is a group the user belongs to, with the shortest path that
// puts it there: [user, g1, …, group].
type Membership struct {
	Name string   `json:"name"`
	Path []string `json:"path"`
}

// ExclusionDecision says whether an exclusion group lets the user in, and
// which entry decided it (nil when none matched).
type ExclusionDecision struct {
	Name      string `json:"name"`
	In        bool   `json:"in"`
	DecidedBy *Entry `json:"decidedBy"`
}

// Entry is an entry of an exclusion group, named by its tab and key. A
// row of UsersInGroups or GroupsInGroups listing a member directly in an
// exclusion group counts as an allowing entry taken before the numbered
// ones; it has no ProcessingOrder (null).
type Entry struct {
	Tab             string   `json:"tab"`
	Key             []string `json:"key"`
	ProcessingOrder *int     `json:"processingOrder"`
	AllowAccess     bool     `json:"allowAccess"`
}

// RoleGrant is a role the user holds, and the group that holds it.
type RoleGrant struct {
	Tab  string `json:"tab"` // AppRoles or SystemRoles
	Role string `json:"role"`
	Via  string `json:"via"`
}

// RightGrant is a right on an artifact and the group that grants it.
type RightGrant struct {
	Tab    string   `json:"tab"`
	Key    []string `json:"key"`
	Right  string   `json:"right"`
	Via    string   `json:"via"`
	Column string   `json:"-"` // the column naming the group
}

// SliceRuleRef is a slice rule (CubeDataCellAccess) whose AccessGroup
// holds the user: the rule treats the user as "in group". Member filters
// are not evaluated.
type SliceRuleRef struct {
	Cube            string `json:"cube"`
	Type            string `json:"type"`
	ProcessingOrder int    `json:"processingOrder"`
	Via             string `json:"-"` // the rule's AccessGroup
}

// NotFoundError is returned for a user or group name that does not exist.
type NotFoundError struct {
	Kind       string // "user" or "group"
	Name       string
	Suggestion string // the closest existing name, or ""
	OtherKind  string // "group" when a user was asked for and Name is a group, and vice versa
}

func (e *NotFoundError) Error() string {
	msg := fmt.Sprintf("there is no %s named %q", e.Kind, e.Name)
	if e.OtherKind != "" {
		msg += fmt.Sprintf(" (%q is a%s %s)", e.Name, article(e.OtherKind), e.OtherKind)
	}
	if e.Suggestion != "" {
		msg += fmt.Sprintf(" — did you mean %q?", e.Suggestion)
	}
	return msg
}

func article(word string) string {
	if word != "" && (word[0] == 'a' || word[0] == 'e' || word[0] == 'i' || word[0] == 'o' || word[0] == 'u') {
		return "n"
	}
	return ""
}

// UserName reports whether a user exists and returns its stored name.
func (ix *Index) UserName(name string) (string, bool) {
	if u, ok := ix.user(name); ok {
		return ix.users[u], true
	}
	return "", false
}

// User returns the effective access of the named user (matched
// case-insensitively). An unknown name gives a *NotFoundError.
func (ix *Index) User(name string) (*UserAccess, error) {
	return query(ix, ix.lookupUser, name, ix.userAccess)
}

func (ix *Index) userAccess(u int32) *UserAccess {
	c := ix.closureOf(u)
	ix.shortestPaths(u, ix.restore(c), -1)

	ua := &UserAccess{
		User:            ix.users[u],
		Groups:          make([]Membership, 0, len(c.groups)),
		ExclusionGroups: make([]ExclusionDecision, 0, len(c.decisions)),
		Rights:          []RightGrant{},
		SliceRules:      []SliceRuleRef{},
		Administrator:   c.has(ix.administrators),
	}
	row := &ix.env.Users[ix.userRow[u]]
	ua.Enabled, ua.UserType, ua.Native = row.IsEnabled, row.UserType, row.ExternalAuthProviderName == ""
	// Paths are short: an arena sized to the groups saves the 4096-name
	// default for the many users who belong to a few groups.
	arena := make([]string, 0, 6*len(c.groups))
	for _, g := range c.groups {
		ua.Groups = append(ua.Groups, Membership{Name: ix.groups[g], Path: ix.path(u, g, &arena)})
	}
	for _, d := range c.decisions {
		ua.ExclusionGroups = append(ua.ExclusionGroups, ExclusionDecision{Name: ix.groups[d.ex], In: d.in, DecidedBy: ix.entryRef(d.ex, d.entry)})
	}
	ix.grantsTo(c.groups, ua)
	return ua
}

// entryRef describes entry i of exclusion group x, or nil for i < 0.
func (ix *Index) entryRef(x, i int32) *Entry {
	if i < 0 {
		return nil
	}
	e := ix.entries[x][i]
	t := e.tab.Tab()
	ref := &Entry{Tab: t.Name, Key: t.KeyOf(ix.env, int(e.row)), AllowAccess: e.allow}
	if !e.direct {
		order := e.order
		ref.ProcessingOrder = &order
	}
	return ref
}

// grantsTo fills in the roles, rights and slice rules that the groups
// give, each with the group it comes through.
func (ix *Index) grantsTo(groups []int32, ua *UserAccess) {
	type rightKey struct {
		tab   artifacts.TabID
		row   int32
		right string
		via   int32
	}
	type sorted struct {
		rightKey
		col int16
	}
	var rights []sorted
	seen := make(map[rightKey]bool)
	var roles, sliceRefs []roleRef
	for _, g := range groups {
		for _, us := range ix.uses[g] {
			t := us.tab.Tab()
			switch us.tab {
			case artifacts.TabAppRoles, artifacts.TabSystemRoles:
				roles = append(roles, roleRef{us.tab, us.row, g})
			case artifacts.TabCubeDataCellAccess:
				sliceRefs = append(sliceRefs, roleRef{us.tab, us.row, g})
			default:
				for _, r := range grants[us.tab][t.Columns[us.col].Name] {
					k := rightKey{us.tab, us.row, r, g}
					if !seen[k] {
						seen[k] = true
						rights = append(rights, sorted{k, us.col})
					}
				}
			}
		}
	}
	slices.SortFunc(sliceRefs, compareRefs)
	slices.SortFunc(rights, func(a, b sorted) int {
		return cmp.Or(cmp.Compare(a.tab, b.tab), cmp.Compare(a.row, b.row),
			cmp.Compare(rightOrder[a.right], rightOrder[b.right]), cmp.Compare(a.via, b.via))
	})
	ua.Roles = ix.roleGrants(roles)
	for _, r := range sliceRefs {
		rule := &ix.env.CubeDataCellAccess[r.row]
		ua.SliceRules = append(ua.SliceRules, SliceRuleRef{Cube: rule.Cube, Type: rule.Type, ProcessingOrder: rule.ProcessingOrder, Via: ix.groups[r.via]})
	}
	for _, r := range rights {
		t := r.tab.Tab()
		ua.Rights = append(ua.Rights, RightGrant{Tab: t.Name, Key: t.KeyOf(ix.env, int(r.row)), Right: r.right, Via: ix.groups[r.via], Column: t.Columns[r.col].Name})
	}
}

// RolesOf returns the roles the named user holds, each with the group it
// holds it through, without the rest of User's answer.
func (ix *Index) RolesOf(name string) ([]RoleGrant, error) {
	return query(ix, ix.lookupUser, name, func(u int32) []RoleGrant {
		var refs []roleRef
		for _, g := range ix.closureOf(u).groups {
			for _, us := range ix.uses[g] {
				if us.tab == artifacts.TabAppRoles || us.tab == artifacts.TabSystemRoles {
					refs = append(refs, roleRef{us.tab, us.row, g})
				}
			}
		}
		return ix.roleGrants(refs)
	})
}

// roleRef is a row of a tab that names a group, and the group (via) that
// holds the user there.
type roleRef struct {
	tab artifacts.TabID
	row int32
	via int32
}

func compareRefs(a, b roleRef) int {
	return cmp.Or(cmp.Compare(a.tab, b.tab), cmp.Compare(a.row, b.row), cmp.Compare(a.via, b.via))
}

// roleGrants sorts refs to rows of AppRoles and SystemRoles and names
// them; the result is never nil.
func (ix *Index) roleGrants(refs []roleRef) []RoleGrant {
	slices.SortFunc(refs, compareRefs)
	out := make([]RoleGrant, 0, len(refs))
	for _, r := range refs {
		t := r.tab.Tab()
		out = append(out, RoleGrant{Tab: t.Name, Role: t.KeyOf(ix.env, int(r.row))[0], Via: ix.groups[r.via]})
	}
	return out
}
