package golfstream_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"secmgr/examples/golfstream"
	"secmgr/examples/golfstream/internal/sample"
	"secmgr/internal/testtools"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/validate"
)

const regenerate = "go run ./examples/golfstream/internal/gen -out examples/golfstream/environment.json"

func TestEnvironmentFileIsGenerated(t *testing.T) {
	want, err := artifacts.Marshal(sample.Build())
	if err != nil {
		t.Fatal(err)
	}
	again, _ := artifacts.Marshal(sample.Build())
	if !bytes.Equal(want, again) {
		t.Fatal("sample.Build is not deterministic: two calls give different bytes")
	}
	if testtools.Update() {
		if err := artifacts.Save("environment.json", sample.Build()); err != nil {
			t.Fatal(err)
		}
		t.Log("rewrote environment.json; run the tests again to check the embedded copy")
		return
	}
	if !bytes.Equal(golfstream.EnvironmentJSON, want) {
		t.Fatalf("environment.json differs from what internal/sample builds (%s); do not edit it by hand — regenerate it with:\n\t%s",
			firstDifference(golfstream.EnvironmentJSON, want), regenerate)
	}
}

func firstDifference(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < min(len(g), len(w)); i++ {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d: file has %q, generator gives %q", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("the file has %d lines, the generator gives %d", len(g), len(w))
}

func TestLoadMarshalRoundTrip(t *testing.T) {
	env, err := artifacts.Load("environment.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := artifacts.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, golfstream.EnvironmentJSON) {
		t.Fatalf("Load then Marshal changes environment.json (%s)", firstDifference(got, golfstream.EnvironmentJSON))
	}
	a, err := golfstream.Environment()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := golfstream.Environment()
	a.Users[0].Description = "changed"
	if b.Users[0].Description == "changed" {
		t.Fatal("Environment returns shared state; each call must give a fresh copy")
	}
}

// model answers the effective-membership questions of audit.md for the
// checks below: direct and nested groups, exclusion groups.
type model struct {
	env     *artifacts.Environment
	groups  map[string]bool // folded names of groups, exclusion groups and built-ins
	exGroup map[string]bool
	parents map[string][]string
	direct  map[string][]string // folded user to folded groups
	entries map[string][]entry  // folded exclusion group to its entries, in ProcessingOrder
}

type entry struct {
	order       int
	user, group string
	allow       bool
}

func newModel(env *artifacts.Environment) *model {
	m := &model{env: env, groups: map[string]bool{}, exGroup: map[string]bool{},
		parents: map[string][]string{}, direct: map[string][]string{}, entries: map[string][]entry{}}
	for _, g := range artifacts.BuiltinGroups() {
		m.groups[artifacts.Fold(g.Group)] = true
	}
	for _, g := range env.Groups {
		m.groups[artifacts.Fold(g.Group)] = true
	}
	for _, x := range env.ExGroup {
		m.groups[artifacts.Fold(x.ExGroup)] = true
		m.exGroup[artifacts.Fold(x.ExGroup)] = true
	}
	for _, r := range env.GroupsInGroups {
		c := artifacts.Fold(r.Group)
		m.parents[c] = append(m.parents[c], artifacts.Fold(r.ParentGroup))
	}
	for _, r := range env.UsersInGroups {
		u := artifacts.Fold(r.User)
		m.direct[u] = append(m.direct[u], artifacts.Fold(r.ParentGroup))
	}
	for _, r := range env.UsersInExGroups {
		x := artifacts.Fold(r.ExGroup)
		m.entries[x] = append(m.entries[x], entry{order: r.ProcessingOrder, user: artifacts.Fold(r.User), allow: r.AllowAccess})
	}
	for _, r := range env.GroupsInExGroups {
		x := artifacts.Fold(r.ExGroup)
		m.entries[x] = append(m.entries[x], entry{order: r.ProcessingOrder, group: artifacts.Fold(r.Group), allow: r.AllowAccess})
	}
	for _, es := range m.entries {
		slices.SortFunc(es, func(a, b entry) int { return a.order - b.order })
	}
	return m
}

// groupsOf returns the folded names of every group and exclusion group
// user belongs to, Everyone included.
func (m *model) groupsOf(user string) map[string]bool {
	u := artifacts.Fold(user)
	in := map[string]bool{artifacts.Fold(artifacts.Everyone): true}
	var add func(g string)
	add = func(g string) {
		if in[g] {
			return
		}
		in[g] = true
		for _, p := range m.parents[g] {
			add(p)
		}
	}
	for _, g := range m.direct[u] {
		add(g)
	}
	// An exclusion group's last matching entry decides; entries may name
	// other exclusion groups, so repeat until nothing changes.
	for changed := true; changed; {
		changed = false
		for x, es := range m.entries {
			if in[x] {
				continue
			}
			allowed := false
			for _, e := range es {
				if e.user == u || (e.group != "" && in[e.group]) {
					allowed = e.allow
				}
			}
			if allowed {
				add(x)
				changed = true
			}
		}
	}
	return in
}

func (m *model) isAdmin(user string) bool {
	return m.groupsOf(user)[artifacts.Fold(artifacts.Administrators)]
}

// rolesOf lists the roles user holds through a group.
func (m *model) rolesOf(user string) []string {
	in := m.groupsOf(user)
	var out []string
	for _, r := range m.env.AppRoles {
		if in[artifacts.Fold(r.GroupName)] {
			out = append(out, r.AppRole)
		}
	}
	for _, r := range m.env.SystemRoles {
		if in[artifacts.Fold(r.GroupName)] {
			out = append(out, r.SystemRole)
		}
	}
	return out
}

// references calls visit for every cell of a user, group or exclusion
// group column in env.
func references(env *artifacts.Environment, visit func(t *artifacts.Tab, row int, c *artifacts.Column, value string)) {
	for _, t := range artifacts.AllTabs() {
		for i := 0; i < t.Len(env); i++ {
			for ci := range t.Columns {
				if c := &t.Columns[ci]; c.IsReference() {
					visit(t, i, c, t.Cell(env, i, ci))
				}
			}
		}
	}
}

func TestSampleProperties(t *testing.T) {
	env, err := golfstream.Environment()
	if err != nil {
		t.Fatal(err)
	}
	m := newModel(env)
	usersOf := func(name string) (n int) {
		for _, u := range env.Users {
			if m.groupsOf(u.User)[artifacts.Fold(name)] {
				n++
			}
		}
		return n
	}

	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"every tab has rows", func(t *testing.T) {
			for _, tab := range artifacts.AllTabs() {
				if tab.Len(env) == 0 {
					t.Errorf("tab %s is empty", tab.Name)
				}
			}
		}},
		{"at least 30 users, every user type", func(t *testing.T) {
			if len(env.Users) < 30 {
				t.Errorf("%d users, want at least 30", len(env.Users))
			}
			for _, typ := range artifacts.UserTypes {
				if !slices.ContainsFunc(env.Users, func(u artifacts.User) bool { return u.UserType == typ }) {
					t.Errorf("no user of type %s", typ)
				}
			}
		}},
		{"realistic users", func(t *testing.T) {
			var native, disabled, passwords, french int
			for _, u := range env.Users {
				if u.ExternalAuthProviderName == "" {
					native++
				} else if u.ExternalUserName == "" {
					t.Errorf("user %s has a provider but no ExternalUserName", u.User)
				}
				if u.Password != "" {
					passwords++
					if u.ExternalAuthProviderName != "" {
						t.Errorf("externally authenticated user %s has a password", u.User)
					}
				}
				if !u.IsEnabled {
					disabled++
				}
				if u.Culture == "fr-FR" {
					french++
				}
				if u.Email == "" || u.Description == "" {
					t.Errorf("user %s has no e-mail or description", u.User)
				}
			}
			if native == 0 || native > 2 || 2*native > len(env.Users) {
				t.Errorf("%d native users; want one or two, most users external", native)
			}
			if passwords == 0 || passwords > 2 {
				t.Errorf("%d users have a password; want one or two", passwords)
			}
			if disabled < 2 || french == 0 {
				t.Errorf("%d disabled and %d fr-FR users; want at least 2 and 1", disabled, french)
			}
			for _, name := range []string{"Jessica Documentation", "Natalie Documentation"} {
				if _, ok := artifacts.TabUsers.Tab().Find(env, name); !ok {
					t.Errorf("the spec's example user %s is missing", name)
				}
			}
		}},
		{"at least 15 groups nested three deep", func(t *testing.T) {
			var own int
			for _, g := range env.Groups {
				if !artifacts.IsBuiltinGroup(g.Group) {
					own++
					if g.Description == "" {
						t.Errorf("group %s has no description", g.Group)
					}
				}
			}
			if own < 15 {
				t.Errorf("%d groups besides the built-ins, want at least 15", own)
			}
			var depth func(g string, seen map[string]bool) int
			depth = func(g string, seen map[string]bool) int {
				if seen[g] {
					t.Fatalf("group nesting has a cycle through %s", g)
				}
				seen[g] = true
				defer delete(seen, g)
				d := 0
				for _, p := range m.parents[g] {
					d = max(d, 1+depth(p, seen))
				}
				return d
			}
			deepest := 0
			for _, g := range env.Groups {
				deepest = max(deepest, depth(artifacts.Fold(g.Group), map[string]bool{}))
			}
			if deepest < 3 {
				t.Errorf("groups nest %d deep, want at least 3", deepest)
			}
		}},
		{"an exclusion group with an allow and a deny entry", func(t *testing.T) {
			found := false
			for x, es := range m.entries {
				var allow, deny bool
				orders := map[int]bool{}
				for _, e := range es {
					allow, deny = allow || e.allow, deny || !e.allow
					if orders[e.order] {
						t.Errorf("exclusion group %s: ProcessingOrder %d is used twice (SM-008)", x, e.order)
					}
					orders[e.order] = true
				}
				found = found || (allow && deny)
			}
			if !found {
				t.Error("no exclusion group has both an allow and a deny entry")
			}
			if usersOf("Houston_Mod") < 2 || !m.groupsOf(sample.Contractor)[artifacts.Fold("Houston_Mod")] {
				t.Fatalf("%s should be one of several Houston_Mod members", sample.Contractor)
			}
			if m.groupsOf(sample.Contractor)[artifacts.Fold(sample.HoustonModExceptContractors)] {
				t.Errorf("%s is in %s; the deny entry should keep it out", sample.Contractor, sample.HoustonModExceptContractors)
			}
			if usersOf(sample.HoustonModExceptContractors) != usersOf("Houston_Mod")-1 {
				t.Errorf("%s should hold every Houston_Mod member but the contractor", sample.HoustonModExceptContractors)
			}
		}},
		{"every reference resolves", func(t *testing.T) {
			for g := range m.exGroup {
				if slices.ContainsFunc(env.Groups, func(x artifacts.Group) bool { return artifacts.Fold(x.Group) == g }) {
					t.Errorf("%s is both a group and an exclusion group", g)
				}
			}
			users := map[string]bool{}
			for _, u := range env.Users {
				users[artifacts.Fold(u.User)] = true
			}
			references(env, func(tab *artifacts.Tab, row int, c *artifacts.Column, v string) {
				f := artifacts.Fold(v)
				var ok bool
				switch c.Kind {
				case artifacts.KindUser:
					ok = users[f]
				case artifacts.KindGroup:
					ok = m.groups[f]
				case artifacts.KindExGroup:
					ok = m.exGroup[f]
				}
				if !ok {
					t.Errorf("%s row %d: %s %q does not exist", tab.Name, row+1, c.Name, v)
				}
			})
		}},
		{"names and values are valid and canonical", func(t *testing.T) {
			for _, tab := range artifacts.AllTabs() {
				for i := 0; i < tab.Len(env); i++ {
					for _, ci := range tab.DataColumns() {
						c := &tab.Columns[ci]
						v := tab.Cell(env, i, ci)
						if v == "" {
							if c.Required {
								t.Errorf("%s row %d: required column %s is empty", tab.Name, i+1, c.Name)
							}
							continue
						}
						if c.Kind == artifacts.KindPassword || c.Kind == artifacts.KindText {
							continue
						}
						if canon, p := validate.CheckValue(c, v); p != nil {
							t.Errorf("%s row %d: %s", tab.Name, i+1, p.Message)
						} else if canon != v {
							t.Errorf("%s row %d: %s %q is not canonical; write %q", tab.Name, i+1, c.Name, v, canon)
						}
					}
				}
			}
		}},
		{"every user in one to five groups but one", func(t *testing.T) {
			for _, u := range env.Users {
				n := len(m.direct[artifacts.Fold(u.User)])
				switch {
				case u.User == sample.UserInNoGroup:
					if n != 0 || !u.IsEnabled {
						t.Errorf("%s should be enabled and in no group (SM-007)", u.User)
					}
				case n < 1 || n > 5:
					t.Errorf("user %s is directly in %d groups, want 1 to 5", u.User, n)
				}
			}
		}},
		{"OS-BP-PS-AM-001: more than five enabled administrators, some nested", func(t *testing.T) {
			var admins, nested int
			for _, u := range env.Users {
				if u.IsEnabled && m.isAdmin(u.User) {
					admins++
					if !slices.Contains(m.direct[artifacts.Fold(u.User)], artifacts.Fold(artifacts.Administrators)) {
						nested++
					}
				}
			}
			if admins <= 5 || nested == 0 {
				t.Errorf("%d enabled administrators, %d through a nested group; want more than 5, some nested", admins, nested)
			}
		}},
		{"OS-BP-PS-AN-002: an enabled native administrator", func(t *testing.T) {
			i, ok := artifacts.TabUsers.Tab().Find(env, sample.NativeAdmin)
			if !ok {
				t.Fatalf("no user %s", sample.NativeAdmin)
			}
			u := env.Users[i]
			if !u.IsEnabled || u.ExternalAuthProviderName != "" || !m.isAdmin(u.User) || u.Password == "" {
				t.Errorf("%s should be an enabled native administrator with a password", u.User)
			}
		}},
		{"OS-BP-PS-DB-001: a MaintenanceGroup of Everyone", func(t *testing.T) {
			var hits []string
			references(env, func(tab *artifacts.Tab, row int, c *artifacts.Column, v string) {
				if c.Name == "MaintenanceGroup" && strings.EqualFold(v, artifacts.Everyone) {
					hits = append(hits, strings.Join(tab.KeyOf(env, row), "/"))
				}
			})
			if !slices.Equal(hits, []string{sample.EveryoneMaintains}) {
				t.Errorf("artifacts maintained by Everyone: %v, want [%s]", hits, sample.EveryoneMaintains)
			}
		}},
		{"SM-004: one Third Party Access user holds roles", func(t *testing.T) {
			var holders []string
			for _, u := range env.Users {
				if u.UserType == "Third Party Access" && (m.isAdmin(u.User) || len(m.rolesOf(u.User)) > 0) {
					holders = append(holders, u.User)
				}
			}
			if !slices.Equal(holders, []string{sample.ThirdPartyWithRole}) {
				t.Errorf("third-party users holding roles: %v, want [%s]", holders, sample.ThirdPartyWithRole)
			}
		}},
		{"SM-005: a disabled user directly in Administrators", func(t *testing.T) {
			roleGroups := map[string]bool{artifacts.Fold(artifacts.Administrators): true}
			for _, r := range env.AppRoles {
				roleGroups[artifacts.Fold(r.GroupName)] = true
			}
			for _, r := range env.SystemRoles {
				roleGroups[artifacts.Fold(r.GroupName)] = true
			}
			var hits []string
			for _, u := range env.Users {
				if u.IsEnabled {
					continue
				}
				for g := range m.groupsOf(u.User) {
					if roleGroups[g] {
						hits = append(hits, u.User)
						break
					}
				}
			}
			if !slices.Equal(hits, []string{sample.DisabledAdmin}) ||
				!slices.Contains(m.direct[artifacts.Fold(sample.DisabledAdmin)], artifacts.Fold(artifacts.Administrators)) {
				t.Errorf("disabled users in role-holding groups: %v, want [%s] directly in Administrators", hits, sample.DisabledAdmin)
			}
		}},
		{"SM-006: one group holds no one and is used nowhere", func(t *testing.T) {
			var empty []string
			for g := range m.groups {
				if !artifacts.IsBuiltinGroup(g) && usersOf(g) == 0 {
					empty = append(empty, g)
				}
			}
			if !slices.Equal(empty, []string{artifacts.Fold(sample.UnusedGroup)}) {
				t.Errorf("groups that hold no one: %v, want [%s]", empty, sample.UnusedGroup)
			}
			references(env, func(tab *artifacts.Tab, row int, c *artifacts.Column, v string) {
				if strings.EqualFold(v, sample.UnusedGroup) {
					t.Errorf("%s row %d: %s uses %s", tab.Name, row+1, c.Name, v)
				}
			})
		}},
		{"no role, write access or workflow execution for Everyone (SM-001, SM-002, SM-003)", func(t *testing.T) {
			for _, id := range []artifacts.TabID{artifacts.TabAppRoles, artifacts.TabSystemRoles, artifacts.TabEntity, artifacts.TabScenario, artifacts.TabWorkflow} {
				tab := id.Tab()
				for i := 0; i < tab.Len(env); i++ {
					for ci := range tab.Columns {
						c := &tab.Columns[ci]
						risky := c.Name == "GroupName" || strings.HasPrefix(c.Name, "ReadWriteGroup") ||
							c.Name == "ExecGroup_Default" || c.Name == "CertifyGroup_Default"
						if risky && strings.EqualFold(tab.Cell(env, i, ci), artifacts.Everyone) {
							t.Errorf("%s %v: %s is Everyone", tab.Name, tab.KeyOf(env, i), c.Name)
						}
					}
				}
			}
		}},
		{"slice rules apply somewhere (SM-009 quiet)", func(t *testing.T) {
			if !slices.ContainsFunc(env.Entity, func(e artifacts.Entity) bool { return e.UseCubeDataAccess }) {
				t.Error("no entity uses cube data access")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.check)
	}
}
