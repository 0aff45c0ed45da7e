// Package reconcile compares an environment's users with an identity
// provider's export (pkg/idp) and builds the change workbook that brings
// OneStream in line (secmgr reconcile):
//
//   - leavers — enabled users of the provider whose account is missing or
//     disabled — get IsEnabled False; with Prune a user missing from the
//     provider is removed instead;
//   - movers get their Email and Description brought in line and the
//     memberships the rules map from their provider groups added; with
//     Prune, memberships of mapped groups the provider no longer gives
//     are removed;
//   - joiners — enabled accounts in a mapped group that no user matches —
//     become new users with the rules' values and mapped memberships.
//
// Native users and users of other providers are never touched. The
// change workbook says everything in the vocabulary of the security
// workbook (a membership removal is a Users row with ActionType Remove
// and the group in ActionValue), and is planned and applied like any
// other workbook, so every reconcile gets a plan and an undo.
//
//	dir, err := idp.Read(files, rules.ReadOptions())
//	res, err := reconcile.Run(env, dir, rules, reconcile.Options{})
//	err = res.WriteWorkbook("changes.xlsx", WriteOptions{})
package reconcile

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"secmgr/pkg/artifacts"
	"secmgr/pkg/idp"
	"secmgr/pkg/workbook"
)

// Options change what Run does.
type Options struct {
	// Prune removes users missing from the provider, and memberships of
	// mapped groups that the provider no longer gives.
	Prune bool
}

// Summary counts what Run found.
type Summary struct {
	Leavers int `json:"leavers"`
	Movers  int `json:"movers"`
	Joiners int `json:"joiners"`
	// Untouched users: native ones, those of other providers, and the
	// provider's users already in line.
	Untouched      int `json:"untouched"`
	Native         int `json:"native"`
	OtherProviders int `json:"otherProviders"`
	InLine         int `json:"inLine"`
	// Accounts no user matches that are not joiners: guests, disabled
	// accounts and accounts in no mapped group.
	Guests         int `json:"guests"`
	OnlyInProvider int `json:"onlyInProvider"`
	Accounts       int `json:"accounts"`
}

// Person is a leaver, mover or joiner, with what changes.
type Person struct {
	User string `json:"user"`
	// Account is the provider's identity (the matched attribute); empty
	// for a user missing from the provider.
	Account string `json:"account,omitempty"`
	// Where is the account's file and line.
	Where string `json:"where,omitempty"`
	// Enabled is whether the user is enabled in OneStream now.
	Enabled bool     `json:"enabled"`
	Reason  string   `json:"reason,omitempty"`
	Changes []string `json:"changes"`
}

// Result is a reconciliation: who changes and the change workbook.
type Result struct {
	Provider string   `json:"provider"`
	Summary  Summary  `json:"summary"`
	Leavers  []Person `json:"leavers"`
	Movers   []Person `json:"movers"`
	Joiners  []Person `json:"joiners"`
	// Warnings are accounts reconcile could not act on, such as a joiner
	// whose user name is taken.
	Warnings []string `json:"warnings"`

	users, memberships [][]string // rows of the Users and UsersInGroups tabs
	lists              workbook.Lists
	base               workbook.Base // the state reconciled against, recorded in the workbook
}

// Empty reports whether nothing changes.
func (r *Result) Empty() bool { return len(r.users)+len(r.memberships) == 0 }

// Leaver reasons.
const (
	ReasonMissing  = "missing from the identity provider"
	ReasonDisabled = "disabled in the identity provider"
)

// Run reconciles env with the provider's accounts under rules. The error
// is for rules that do not fit the environment (a mapping to a group that
// does not exist, no provider to reconcile) and for an account that
// matches two users. env is not changed.
func Run(env *artifacts.Environment, dir *idp.Directory, rules *Rules, opt Options) (*Result, error) {
	if rules == nil {
		rules = DefaultRules()
	}
	targets, err := rules.checkGroups(env)
	if err != nil {
		return nil, err
	}
	provider := rules.Provider
	if provider == "" {
		if provider = commonProvider(env); provider == "" {
			return nil, fmt.Errorf("no user of %s has an ExternalAuthProviderName; name the provider in the rules file (\"provider\": \"AzureAD\")", env.Name)
		}
	}
	rc := &run{env: env, rules: rules, opt: opt, targets: targets, provider: provider,
		res: &Result{Provider: provider, Leavers: []Person{}, Movers: []Person{}, Joiners: []Person{}, Warnings: []string{}}}
	rc.res.Summary.Accounts = len(dir.Accounts)
	// The change workbook records the state it was made from, so that a
	// plan of it after other applies is made three-way.
	fp, err := artifacts.Fingerprint(env)
	if err != nil {
		return nil, err
	}
	rc.res.base = workbook.Base{Environment: env.Name, Fingerprint: fp, Time: time.Now()}
	for _, t := range targets {
		if rc.managed == nil {
			rc.managed = map[string]bool{}
		}
		rc.managed[artifacts.Fold(t)] = true
	}
	if err := rc.match(dir); err != nil {
		return nil, err
	}
	rc.indexMemberships()
	rc.users()
	rc.joiners(dir)
	rc.finish()
	return rc.res, nil
}

// commonProvider is the most common non-empty ExternalAuthProviderName,
// the first by name on a tie.
func commonProvider(env *artifacts.Environment) string {
	count := map[string]int{}
	spelling := map[string]string{}
	for _, u := range env.Users {
		if p := strings.TrimSpace(u.ExternalAuthProviderName); p != "" {
			f := artifacts.Fold(p)
			count[f]++
			if _, ok := spelling[f]; !ok {
				spelling[f] = p
			}
		}
	}
	best := ""
	for f, n := range count {
		if best == "" || n > count[best] || n == count[best] && f < best {
			best = f
		}
	}
	return spelling[best]
}

type run struct {
	env      *artifacts.Environment
	rules    *Rules
	opt      Options
	targets  []string        // each group rule's OneStream group
	managed  map[string]bool // folded groups some rule maps to
	provider string
	res      *Result

	accountOf   []*idp.Account // per user: the matched account, or nil
	matched     []bool         // per account: a user matches it
	memberships map[string][]string
	joined      []string // user names of joiners
}

func (rc *run) ofProvider(u *artifacts.User) bool {
	return u.ExternalAuthProviderName != "" && artifacts.Fold(u.ExternalAuthProviderName) == artifacts.Fold(rc.provider)
}

// match pairs the provider's users with accounts by ExternalUserName,
// ignoring case; an account two users match is an error naming both.
func (rc *run) match(dir *idp.Directory) error {
	byKey := make(map[string]int, len(dir.Accounts))
	for i := range dir.Accounts {
		byKey[strings.ToLower(dir.Accounts[i].Key)] = i
	}
	rc.accountOf = make([]*idp.Account, len(rc.env.Users))
	rc.matched = make([]bool, len(dir.Accounts))
	owner := map[int]int{}
	for i := range rc.env.Users {
		u := &rc.env.Users[i]
		if !rc.ofProvider(u) || u.ExternalUserName == "" {
			continue
		}
		j, ok := byKey[strings.ToLower(strings.TrimSpace(u.ExternalUserName))]
		if !ok {
			continue
		}
		if prev, dup := owner[j]; dup {
			a := &dir.Accounts[j]
			return fmt.Errorf("the identity provider's account '%s' (%s) matches two OneStream users, '%s' and '%s' (ExternalUserName '%s' and '%s'); give each user its own ExternalUserName, then reconcile again",
				a.Key, a.Where(), rc.env.Users[prev].User, u.User, rc.env.Users[prev].ExternalUserName, u.ExternalUserName)
		}
		owner[j] = i
		rc.accountOf[i] = &dir.Accounts[j]
		rc.matched[j] = true
	}
	return nil
}

// indexMemberships indexes the memberships of mapped groups, the only
// ones reconcile adds or removes. Group names repeat, so whether a
// spelling is mapped is remembered rather than folded again.
func (rc *run) indexMemberships() {
	rc.memberships = map[string][]string{}
	if len(rc.managed) == 0 {
		return
	}
	mapped := map[string]bool{}
	for _, m := range rc.env.UsersInGroups {
		in, seen := mapped[m.ParentGroup]
		if !seen {
			in = rc.managed[artifacts.Fold(m.ParentGroup)]
			mapped[m.ParentGroup] = in
		}
		if in {
			f := artifacts.Fold(m.User)
			rc.memberships[f] = append(rc.memberships[f], m.ParentGroup)
		}
	}
}

// groupsOf returns the OneStream groups the rules map an account's
// provider groups to, in rule order, each once.
func (rc *run) groupsOf(a *idp.Account) []string {
	var out []string
	for i, p := range rc.rules.patterns {
		if slices.ContainsFunc(a.Groups, p.Match) && !slices.ContainsFunc(out, func(g string) bool { return artifacts.Fold(g) == artifacts.Fold(rc.targets[i]) }) {
			out = append(out, rc.targets[i])
		}
	}
	return out
}

func (rc *run) describeFrom() bool { return !strings.EqualFold(rc.rules.Description, "none") }

// users decides for every user: untouched, in line, leaver or mover.
func (rc *run) users() {
	usersTab := artifacts.TabUsers.Tab()
	colEnabled, colEmail, colDesc := usersTab.Column("IsEnabled"), usersTab.Column("Email"), usersTab.Column("Description")
	colPassword, colAction, colValue := usersTab.Column("Password"), usersTab.Column("ActionType"), usersTab.Column("ActionValue")
	s := &rc.res.Summary
	for i := range rc.env.Users {
		u := &rc.env.Users[i]
		switch {
		case u.ExternalAuthProviderName == "":
			s.Native++
			continue
		case !rc.ofProvider(u):
			s.OtherProviders++
			continue
		}
		row := func() []string {
			r := usersTab.Cells(rc.env, i, nil)
			r[colPassword] = "" // empty keeps the stored password
			return r
		}
		a := rc.accountOf[i]
		p := Person{User: u.User, Enabled: u.IsEnabled, Changes: []string{}}
		if a != nil {
			p.Account, p.Where = a.Key, a.Where()
		}
		switch {
		case a == nil && rc.opt.Prune:
			p.Reason = ReasonMissing
			p.Changes = append(p.Changes, "removed")
			r := row()
			r[colAction] = artifacts.ActionRemove
			rc.res.users = append(rc.res.users, r)
			rc.res.Leavers = append(rc.res.Leavers, p)
		case a == nil || !a.Enabled:
			if !u.IsEnabled {
				s.InLine++
				continue
			}
			p.Reason = ReasonMissing
			if a != nil {
				p.Reason = ReasonDisabled
			}
			p.Changes = append(p.Changes, "IsEnabled True → False")
			r := row()
			r[colEnabled] = "False"
			rc.res.users = append(rc.res.users, r)
			rc.res.Leavers = append(rc.res.Leavers, p)
		default:
			var r []string // the user's row, made only when it changes
			edit := func(col int, v string) {
				if r == nil {
					r = row()
				}
				r[col] = v
			}
			if a.Email != "" && !strings.EqualFold(a.Email, u.Email) {
				p.Changes = append(p.Changes, fmt.Sprintf("Email %s → %s", orEmpty(u.Email), a.Email))
				edit(colEmail, a.Email)
			}
			if rc.describeFrom() && a.Description != "" && a.Description != u.Description {
				p.Changes = append(p.Changes, fmt.Sprintf("Description %s → %s", orEmpty(u.Description), a.Description))
				edit(colDesc, a.Description)
			}
			want := rc.groupsOf(a)
			have := rc.memberships[artifacts.Fold(u.User)]
			for _, g := range want {
				if !containsFold(have, g) {
					p.Changes = append(p.Changes, "+ "+g)
					rc.res.memberships = append(rc.res.memberships, membershipRow(u.User, g, ""))
				}
			}
			var removes []string
			if rc.opt.Prune {
				for _, g := range have {
					if rc.managed[artifacts.Fold(g)] && !containsFold(want, g) {
						removes = append(removes, g)
					}
				}
				slices.SortFunc(removes, artifacts.CompareFold)
			}
			for _, g := range removes {
				p.Changes = append(p.Changes, "- "+g)
			}
			// Each removal is a Users row with ActionType Remove and the
			// group in ActionValue, the guide's way. Every row of the user
			// carries the same values (edits included), so that none of
			// them undoes another's edit.
			if len(removes) > 0 {
				edit(colAction, artifacts.ActionRemove)
				edit(colValue, removes[0])
			}
			if r != nil {
				rc.res.users = append(rc.res.users, r)
			}
			for _, g := range removes[min(len(removes), 1):] {
				extra := slices.Clone(r)
				extra[colValue] = g
				rc.res.users = append(rc.res.users, extra)
			}
			if len(p.Changes) == 0 {
				s.InLine++
				continue
			}
			rc.res.Movers = append(rc.res.Movers, p)
		}
	}
}

// joiners adds the enabled accounts in a mapped group that no user
// matches; guests are kept apart and counted.
func (rc *run) joiners(dir *idp.Directory) {
	usersTab := artifacts.TabUsers.Tab()
	s := &rc.res.Summary
	taken := make(map[string]bool, len(rc.env.Users))
	for _, u := range rc.env.Users {
		taken[artifacts.Fold(u.User)] = true
	}
	for j := range dir.Accounts {
		if rc.matched[j] {
			continue
		}
		a := &dir.Accounts[j]
		groups := rc.groupsOf(a)
		switch {
		case a.Guest:
			s.Guests++
			continue
		case !a.Enabled || len(groups) == 0:
			s.OnlyInProvider++
			continue
		}
		name := strings.TrimSpace(a.DisplayName)
		if rc.rules.Joiners.UserName == "userPrincipalName" || name == "" {
			name = strings.TrimSpace(a.UserName)
		}
		if prob := artifacts.CheckName(name); prob != "" {
			rc.res.Warnings = append(rc.res.Warnings, fmt.Sprintf("%s: account '%s' is not added: the user name '%s' is not valid (%s)", a.Where(), a.Key, name, prob))
			s.OnlyInProvider++
			continue
		}
		if taken[artifacts.Fold(name)] {
			rc.res.Warnings = append(rc.res.Warnings, fmt.Sprintf("%s: account '%s' is not added: the user name '%s' is taken; add the user by hand, or make user names from userPrincipalName (joiners.userName)", a.Where(), a.Key, name))
			s.OnlyInProvider++
			continue
		}
		taken[artifacts.Fold(name)] = true
		u := artifacts.User{User: name, UserType: rc.rules.Joiners.UserType, IsEnabled: true,
			ExternalAuthProviderName: rc.provider, ExternalUserName: a.Key, Email: a.Email,
			Culture: rc.rules.Joiners.Culture, NumGridRows: rc.rules.Joiners.NumGridRows}
		if rc.describeFrom() {
			u.Description = a.Description
		}
		p := Person{User: name, Account: a.Key, Where: a.Where(), Enabled: true, Changes: []string{"added (" + u.UserType + ")"}}
		// The row as an export writes it: every column of u, the others empty.
		row := usersTab.Cells(&artifacts.Environment{Users: []artifacts.User{u}}, 0, nil)
		rc.res.users = append(rc.res.users, row)
		for _, g := range groups {
			p.Changes = append(p.Changes, "+ "+g)
			rc.res.memberships = append(rc.res.memberships, membershipRow(name, g, ""))
		}
		rc.joined = append(rc.joined, name)
		rc.res.Joiners = append(rc.res.Joiners, p)
	}
}

// finish counts, sorts the rows and names the drop-down lists.
func (rc *run) finish() {
	s := &rc.res.Summary
	s.Leavers, s.Movers, s.Joiners = len(rc.res.Leavers), len(rc.res.Movers), len(rc.res.Joiners)
	s.Untouched = s.Native + s.OtherProviders + s.InLine
	byName := func(a, b []string) int {
		return cmp.Or(artifacts.CompareFold(a[0], b[0]), artifacts.CompareFold(a[1], b[1]))
	}
	slices.SortStableFunc(rc.res.users, byName)
	slices.SortStableFunc(rc.res.memberships, byName)
	for _, list := range [][]Person{rc.res.Leavers, rc.res.Movers, rc.res.Joiners} {
		slices.SortStableFunc(list, func(a, b Person) int { return artifacts.CompareFold(a.User, b.User) })
	}
	l := &rc.res.lists
	for _, u := range rc.env.Users {
		l.Users = append(l.Users, u.User)
	}
	l.Users = append(l.Users, rc.joined...)
	for _, g := range rc.env.Groups {
		l.Groups = append(l.Groups, g.Group)
	}
	for _, g := range rc.env.ExGroup {
		l.Groups = append(l.Groups, g.ExGroup)
		l.ExGroups = append(l.ExGroups, g.ExGroup)
	}
	for _, list := range [][]string{l.Users, l.Groups} {
		slices.SortFunc(list, func(a, b string) int { return cmp.Or(artifacts.CompareFold(a, b), strings.Compare(a, b)) })
	}
}

func membershipRow(user, group, action string) []string {
	t := artifacts.TabUsersInGroups.Tab()
	row := make([]string, len(t.Columns))
	row[t.Column("User")], row[t.Column("ParentGroup")] = user, group
	if action != "" {
		row[t.Column("ActionType")] = action
	}
	return row
}

func containsFold(list []string, s string) bool {
	f := artifacts.Fold(s)
	return slices.ContainsFunc(list, func(v string) bool { return artifacts.Fold(v) == f })
}

func orEmpty(s string) string {
	if s == "" {
		return "(empty)"
	}
	return s
}

// WriteOptions say how WriteWorkbook writes the change workbook.
type WriteOptions struct {
	// Replace replaces an existing file at the path.
	Replace bool
}

// WriteWorkbook writes the change workbook to path: the Users and
// UsersInGroups tabs with the rows that change something — also when
// there are none — through the workbook writer every export uses. It
// refuses to replace a file unless opt.Replace is set; the file is
// readable by its owner only.
func (r *Result) WriteWorkbook(path string, opt WriteOptions) error {
	w, err := workbook.Create(path, workbook.WriteOptions{Replace: opt.Replace, Lists: r.lists, Base: &r.base})
	if err != nil {
		return err
	}
	defer w.Abort() // a no-op after Close
	for _, tab := range []struct {
		id   artifacts.TabID
		rows [][]string
	}{{artifacts.TabUsers, r.users}, {artifacts.TabUsersInGroups, r.memberships}} {
		if err := w.StartTab(tab.id.Tab()); err != nil {
			return err
		}
		for _, row := range tab.rows {
			if err := w.WriteRow(row); err != nil {
				return err
			}
		}
	}
	return w.Close()
}

// Rows is the number of data rows of the change workbook.
func (r *Result) Rows() int { return len(r.users) + len(r.memberships) }
