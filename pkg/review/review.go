// Package review writes and reads periodic access-review workbooks
// (AccessReview.HHMMSS.xlsx, for the OneStream Secure Configuration
// Guide's OS-BP-PS-AA-003 and -004): one row per direct membership of a
// user in a group (UsersInGroups), with the roles that membership brings
// and whether it makes the user an administrator, and a Decision column a
// reviewer sets to Keep or Remove. A reviewed workbook plans like an
// edited security workbook: every Remove becomes a membership removal.
//
//	err := review.Write(env, "AccessReview.101500.xlsx", review.WriteOptions{})
//	…the reviewer fills in Decision, Reviewer and Comment…
//	ok, err := review.IsReviewWorkbook("AccessReview.101500.xlsx")
//	p, err := review.Plan("AccessReview.101500.xlsx", env)
//
// The roles a membership brings are the application and system roles held
// by its group or by any group above it (GroupsInGroups, any depth).
// Exclusion groups above the group are not followed: whether one holds
// the user depends on its other entries, which `secmgr explain --user`
// shows.
package review

import (
	"iter"
	"slices"
	"strings"
	"time"

	"secmgr/pkg/access"
	"secmgr/pkg/artifacts"
)

// Sheet is the name of the review tab. EffectiveSheet lists every group
// of every reviewed user with the path that puts the user there, so that
// a reviewer sees that removing one direct membership really removes the
// access; About says how to fill the review in. Planning reads Sheet only.
const (
	Sheet          = "AccessReview"
	EffectiveSheet = "EffectiveGroups"
	AboutSheet     = "About"
)

// EffectiveColumns are the headers of the EffectiveGroups tab.
var EffectiveColumns = []string{"User", "Group", "Path", "Direct"}

// Scope selects the memberships a review covers; the zero Scope covers
// every one. A membership is in scope when its user matches Users and its
// group matches Groups (empty filters match everything) and, with Owner,
// the group's Description names the owner (case-insensitively), so that
// each manager reviews their own groups.
type Scope struct {
	Users  artifacts.Filter
	Groups artifacts.Filter
	Owner  string
}

// owned returns the folded names of the groups whose Description names
// owner, or nil for no Owner.
func (s Scope) owned(env *artifacts.Environment) map[string]bool {
	if strings.TrimSpace(s.Owner) == "" {
		return nil
	}
	owner := strings.ToLower(strings.TrimSpace(s.Owner))
	out := map[string]bool{}
	for _, g := range env.Groups {
		if strings.Contains(strings.ToLower(g.Description), owner) {
			out[artifacts.Fold(g.Group)] = true
		}
	}
	return out
}

// Columns are the headers of the review tab, in order. Planning reads
// User, Group and Decision, found by header (in any order and casing);
// the others are there for the reviewer.
var Columns = []string{"User", "UserType", "IsEnabled", "Group", "NestedGroups", "Roles", "Administrator", "Decision", "Reviewer", "Comment"}

// The columns planning reads: User, Group and Decision must be there;
// Reviewer and Comment, when there, go into the plan's review block.
const (
	ColumnUser     = "User"
	ColumnGroup    = "Group"
	ColumnDecision = "Decision"
	ColumnReviewer = "Reviewer"
	ColumnComment  = "Comment"
)

// Outcomes of a decision in the plan's review block.
const (
	OutcomeRemoved = "removed"        // the plan removes the membership
	OutcomeKept    = "kept"           // Keep: nothing changes
	OutcomeAbsent  = "already absent" // the membership, user or group is gone
	OutcomeRefused = "refused"        // an error at the row; nothing planned
)

// Decisions a reviewer may write (in any casing); an empty Decision means
// not reviewed yet and, like Keep, changes nothing.
const (
	Keep   = "Keep"
	Remove = "Remove"
)

// FileName names a review written at now: AccessReview.HHMMSS.xlsx with
// the 24-hour clock time of now in now's location.
func FileName(now time.Time) string { return "AccessReview." + now.Format("150405") + ".xlsx" }

// Row is one direct membership under review.
type Row struct {
	User      string
	UserType  string // "" when the user is not on the Users tab
	IsEnabled bool
	Group     string
	// NestedGroups are the groups Group sits in (GroupsInGroups, any
	// depth), sorted: the membership brings them too. Rows of the same
	// group share the slice: do not change it.
	NestedGroups []string
	// Roles are the application and system roles held by Group or a group
	// above it, sorted. Rows of the same group share the slice: do not
	// change it.
	Roles []string
	// Administrator is true when Group is Administrators or inside it.
	Administrator bool
}

// Rows yields the direct memberships of env (UsersInGroups) in scope, in
// the environment's order, each with what its group brings. What a group
// brings is computed once per group, so the cost is linear in the
// memberships plus the group graph.
func Rows(env *artifacts.Environment, scope Scope) iter.Seq[Row] {
	return func(yield func(Row) bool) {
		for r := range rows(env, newBringer(env), scope) {
			if !yield(r) {
				return
			}
		}
	}
}

// rows is Rows with the bringer given, yielding with each row what its
// group brings.
func rows(env *artifacts.Environment, b *bringer, scope Scope) iter.Seq2[Row, *brought] {
	return func(yield func(Row, *brought) bool) {
		users := artifacts.TabUsers.Tab()
		owned := scope.owned(env)
		for _, m := range env.UsersInGroups {
			if !scope.Users.Match(m.User) || !scope.Groups.Match(m.ParentGroup) || (owned != nil && !owned[artifacts.Fold(m.ParentGroup)]) {
				continue
			}
			r := Row{User: m.User, Group: m.ParentGroup}
			if i, ok := users.Find(env, m.User); ok {
				r.UserType, r.IsEnabled = env.Users[i].UserType, env.Users[i].IsEnabled
			}
			g := b.of(m.ParentGroup)
			r.NestedGroups, r.Roles, r.Administrator = g.groups, g.roles, g.admin
			if !yield(r, g) {
				return
			}
		}
	}
}

// brought is what membership of one group brings.
type brought struct {
	groups     []string
	groupsText string // groups joined for the NestedGroups cell
	roles      []string
	text       string // roles joined for the Roles cell
	admin      bool
}

// bringer computes, and caches per group, what membership brings.
type bringer struct {
	ix      *access.Index
	holders map[string][]string // folded group -> roles it holds directly
	cache   map[string]*brought // folded group -> what it brings
	byName  map[string]*brought // group as written -> what it brings, saving Fold on every row
}

func newBringer(env *artifacts.Environment) *bringer {
	b := &bringer{ix: access.New(env), holders: map[string][]string{}, cache: map[string]*brought{}, byName: map[string]*brought{}}
	for _, r := range env.AppRoles {
		f := artifacts.Fold(r.GroupName)
		b.holders[f] = append(b.holders[f], r.AppRole)
	}
	for _, r := range env.SystemRoles {
		f := artifacts.Fold(r.GroupName)
		b.holders[f] = append(b.holders[f], r.SystemRole)
	}
	return b
}

func (b *bringer) of(group string) *brought {
	if g, ok := b.byName[group]; ok {
		return g
	}
	f := artifacts.Fold(group)
	if g, ok := b.cache[f]; ok {
		b.byName[group] = g
		return g
	}
	g := &brought{groups: b.ix.Ancestors(group)}
	slices.SortFunc(g.groups, artifacts.CompareFold)
	g.groupsText = strings.Join(g.groups, ", ")
	for _, h := range append([]string{group}, g.groups...) {
		g.roles = append(g.roles, b.holders[artifacts.Fold(h)]...)
		g.admin = g.admin || artifacts.Fold(h) == artifacts.Fold(artifacts.Administrators)
	}
	slices.Sort(g.roles)
	g.roles = slices.Compact(g.roles)
	g.text = strings.Join(g.roles, ", ")
	b.cache[f], b.byName[group] = g, g
	return g
}
