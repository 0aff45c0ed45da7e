package actions

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"secmgr/examples/golfstream"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
)

var ignoreIndex = cmpopts.IgnoreUnexported(artifacts.Environment{})

// lines renders changes compactly for comparisons in tests.
func lines(changes []plans.Change) []string {
	var out []string
	for _, c := range changes {
		s := fmt.Sprintf("%s %s %s", c.Op.Symbol(), c.Tab, strings.Join(c.Key, "/"))
		if c.NewKey != nil {
			s += " > " + strings.Join(c.NewKey, "/")
		}
		for _, f := range c.Fields {
			sec := ""
			if f.Secret {
				sec = " secret"
			}
			s += fmt.Sprintf("; %s %q>%q%s", f.Column, f.Old, f.New, sec)
		}
		out = append(out, s)
	}
	return out
}

func TestDiff(t *testing.T) {
	base := applyFixture()
	tests := []struct {
		name    string
		src     func(env *artifacts.Environment) // changes the source
		dst     func(env *artifacts.Environment) // changes the destination
		opt     DiffOptions
		want    []string
		missing []Missing
	}{
		{name: "same", want: nil},
		{name: "adds in stage order", opt: DiffOptions{Prune: true},
			src: func(env *artifacts.Environment) {
				env.Users = append(env.Users, artifacts.User{User: "Dana", UserType: "View", Password: "ENC(d)", NumGridRows: 20})
				env.Groups = append(env.Groups, artifacts.Group{Group: "Audit"})
				env.UsersInGroups = append(env.UsersInGroups, artifacts.UserInGroup{User: "Dana", ParentGroup: "Audit"})
				env.Entity[0].ReadGroup = "Audit"
			},
			want: []string{
				`+ Users Dana; UserType "">"View"; IsEnabled "">"False"; Password "">"********" secret; NumGridRows "">"20"`,
				`+ Groups Audit`,
				`~ Entity Houston; ReadGroup "Readers">"Audit"`,
				`+ UsersInGroups Dana/Audit`,
			}},
		{name: "removals in stage order", opt: DiffOptions{Prune: true},
			dst: func(env *artifacts.Environment) {
				env.Users = append(env.Users, artifacts.User{User: "Dana"})
				env.Groups = append(env.Groups, artifacts.Group{Group: "Audit"})
				env.UsersInGroups = append(env.UsersInGroups, artifacts.UserInGroup{User: "Dana", ParentGroup: "Audit"})
				env.Entity[0].ReadGroup = "Audit"
				env.AppRoles[0].GroupName = "Audit"
				env.UsersInExGroups[0].ProcessingOrder = 9
			},
			want: []string{
				`~ AppRoles AdministerApplication; GroupName "Audit">"Administrators"`,
				`~ Entity Houston; ReadGroup "Audit">"Readers"`,
				`~ UsersInExGroups Alice/Spare Except; ProcessingOrder "9">"1"`,
				`- UsersInGroups Dana/Audit`,
				`- Users Dana`,
				`- Groups Audit`,
			}},
		{name: "without prune nothing is removed",
			dst: func(env *artifacts.Environment) {
				env.Users = append(env.Users, artifacts.User{User: "Dana"})
				env.UsersInGroups = append(env.UsersInGroups, artifacts.UserInGroup{User: "Dana", ParentGroup: "Finance"})
			}},
		{name: "passwords are masked", opt: DiffOptions{Prune: true},
			src: func(env *artifacts.Environment) {
				env.Users[1].Password = "ENC(bob)" // Bob: none before
				env.Users[0].Password = ""         // Alice: cleared
			},
			dst: func(env *artifacts.Environment) { env.Users[2].Password = "ENC(old)" },
			want: []string{
				`~ Users Alice; Password "********">"" secret`,
				`~ Users Bob; Password "">"********" secret`,
				`~ Users Carol; Password "********">"" secret`,
			}},
		{name: "casing ignored without prune",
			src: func(env *artifacts.Environment) {
				env.Users[0].User = "ALICE"
				env.Entity[0].ReadGroup = "readers"
				env.Groups[3].Description = "FINANCE TEAM"
			},
			want: []string{`~ Groups Finance; Description "Finance team">"FINANCE TEAM"`}},
		{name: "casing fixed with prune", opt: DiffOptions{Prune: true},
			src: func(env *artifacts.Environment) {
				env.Users[0].User = "ALICE"
				env.Entity[0].ReadGroup = "readers"
				env.UsersInGroups[0].User = "aLiCe"
			},
			want: []string{
				`~ Users Alice; User "Alice">"ALICE"`,
				`~ Entity Houston; ReadGroup "Readers">"readers"`,
				`~ UsersInGroups Alice/Finance; User "Alice">"aLiCe"`,
			}},
		{name: "edit-only rows only in the source", opt: DiffOptions{Prune: true},
			src: func(env *artifacts.Environment) {
				env.Entity = append(env.Entity, artifacts.Entity{Entity: "Montreal", ReadGroup: "Nobody", ReadGroup2: "Nobody", ReadWriteGroup: "Nobody", ReadWriteGroup2: "Nobody"})
			},
			dst: func(env *artifacts.Environment) {
				env.Scenario = append(env.Scenario, artifacts.Scenario{Scenario: "Budget", ReadGroup: "Nobody"})
			},
			missing: []Missing{{Tab: "Entity", Key: []string{"Montreal"}}}},
		{name: "selected tabs", opt: DiffOptions{Prune: true, Tabs: []artifacts.TabID{artifacts.TabEntity, artifacts.TabGroups}},
			src: func(env *artifacts.Environment) {
				env.Users[0].Description = "changed"
				env.Entity[0].ReadGroup = "Sales"
				env.Groups = append(env.Groups, artifacts.Group{Group: "Audit"})
			},
			want: []string{`+ Groups Audit`, `~ Entity Houston; ReadGroup "Readers">"Sales"`}},
		{name: "map groups", opt: DiffOptions{Prune: true, MapGroup: func(s string) string {
			if rest, ok := strings.CutPrefix(s, "DEV_"); ok {
				return "PRD_" + rest
			}
			return s
		}},
			src: func(env *artifacts.Environment) {
				env.Groups = append(env.Groups, artifacts.Group{Group: "DEV_Close"}, artifacts.Group{Group: "DEV_New"})
				env.GroupsInGroups = append(env.GroupsInGroups, artifacts.GroupInGroup{Group: "DEV_Close", ParentGroup: "Finance"})
				env.Entity[0].ReadGroup = "DEV_Close"
				env.DashboardGroups[0].AccessGroup = "DEV_New"
			},
			dst: func(env *artifacts.Environment) {
				env.Groups = append(env.Groups, artifacts.Group{Group: "PRD_Close"})
				env.GroupsInGroups = append(env.GroupsInGroups, artifacts.GroupInGroup{Group: "PRD_Close", ParentGroup: "Finance"})
				env.Entity[0].ReadGroup = "PRD_Close"
			},
			want: []string{`+ Groups PRD_New`, `~ DashboardGroups Close; AccessGroup "Finance">"PRD_New"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, dst := base.Clone(), base.Clone()
			if tc.src != nil {
				tc.src(src)
				src.Invalidate()
				src.Normalize()
			}
			if tc.dst != nil {
				tc.dst(dst)
				dst.Invalidate()
				dst.Normalize()
			}
			changes, missing := Diff(src, dst, tc.opt)
			got := lines(changes)
			if d := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("changes (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.missing, missing, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("missing (-want +got):\n%s", d)
			}
			for _, c := range changes {
				for _, f := range c.Fields {
					if strings.Contains(f.Old+f.New, "ENC(") {
						t.Errorf("a password value is in the plan: %+v", c)
					}
				}
			}
			if len(changes) == 0 || tc.opt.MapGroup != nil {
				return
			}
			got2, err := Apply(dst, applicable(changes...), sourceSecrets{src})
			if err != nil {
				t.Fatal(err)
			}
			if again, _ := Diff(src, got2, tc.opt); len(again) > 0 {
				t.Errorf("diff after apply: %v", lines(again))
			}
		})
	}
}

// sample returns the GolfStream environment, or a random one where the
// sample cannot be read.
func sample(t testing.TB, r *rand.Rand) *artifacts.Environment {
	env, err := golfstream.Environment()
	if err != nil {
		t.Logf("GolfStream sample: %v; using a random environment", err)
		return randomEnvironment(r, 40)
	}
	return env
}

// TestDiffApplyProperty: for random pairs of environments, applying
// Diff(src, dst) to dst gives src (all of it with Prune, byte for byte;
// without Prune, all of src's rows and all of dst's), and diffing again
// finds nothing.
func TestDiffApplyProperty(t *testing.T) {
	iterations := 300
	if testing.Short() {
		iterations = 60
	}
	golf := sample(t, rand.New(rand.NewPCG(1, 1)))
	for it := range iterations {
		r := rand.New(rand.NewPCG(2024, uint64(it)))
		var base *artifacts.Environment
		if it%3 == 0 {
			base = golf.Clone()
		} else {
			base = randomEnvironment(r, 3+r.IntN(25))
		}
		src := mutate(r, base, r.IntN(25))
		dst := mutate(r, base, r.IntN(25))
		if it%10 == 9 {
			dst = mutate(r, base, 300) // little in common
		}
		name := fmt.Sprintf("iteration %d", it)
		if it%5 == 0 {
			checkValid(t, name+" src", src)
			checkValid(t, name+" dst", dst)
		}

		// With Prune: exactly src.
		changes, missing := Diff(src, dst, DiffOptions{Prune: true})
		if len(missing) > 0 {
			t.Fatalf("%s: missing %v", name, missing)
		}
		got, err := Apply(dst, applicable(changes...), sourceSecrets{src})
		if err != nil {
			t.Fatalf("%s: %v\nplan:\n%s", name, err, strings.Join(lines(changes), "\n"))
		}
		if d := cmp.Diff(src, got, ignoreIndex); d != "" {
			t.Fatalf("%s: Apply(dst, Diff(src, dst)) is not src (-src +got):\n%s", name, d)
		}
		if !bytes.Equal(must(artifacts.Marshal(src)), must(artifacts.Marshal(got))) {
			t.Fatalf("%s: not the same bytes", name)
		}
		if again, _ := Diff(src, got, DiffOptions{Prune: true}); len(again) > 0 {
			t.Fatalf("%s: diff after apply: %v", name, lines(again))
		}

		// The undo plan of that apply restores dst byte for byte.
		undo, _ := Diff(dst, got, DiffOptions{Prune: true})
		restored, err := Apply(got, applicable(undo...), sourceSecrets{dst})
		if err != nil {
			t.Fatalf("%s: undo: %v", name, err)
		}
		if !bytes.Equal(must(artifacts.Marshal(dst)), must(artifacts.Marshal(restored))) {
			t.Fatalf("%s: undo does not restore the bytes: %s", name, cmp.Diff(dst, restored, ignoreIndex))
		}

		// A plan of renames (some of casing only) is undone byte for byte.
		renamed, err := Apply(dst, applicable(randomRenames(r, dst)...), nil)
		if err != nil {
			t.Fatalf("%s: renames: %v", name, err)
		}
		undo, _ = Diff(dst, renamed, DiffOptions{Prune: true})
		restored, err = Apply(renamed, applicable(undo...), sourceSecrets{dst})
		if err != nil {
			t.Fatalf("%s: undo renames: %v", name, err)
		}
		if !bytes.Equal(must(artifacts.Marshal(dst)), must(artifacts.Marshal(restored))) {
			t.Fatalf("%s: undo of renames does not restore the bytes: %s", name, cmp.Diff(dst, restored, ignoreIndex))
		}

		// Without Prune: src's rows are all there, dst's all stay.
		merge, _ := Diff(src, dst, DiffOptions{})
		for _, c := range merge {
			if c.Op == plans.OpRemove || c.Op == plans.OpRename {
				t.Fatalf("%s: %s without Prune", name, lines([]plans.Change{c}))
			}
		}
		merged, err := Apply(dst, applicable(merge...), sourceSecrets{src})
		if err != nil {
			// A merge may break the environment's invariants: a name that
			// is a group in one and an exclusion group in the other, two
			// entries of an exclusion group given one order, nesting from
			// both that makes a cycle. Apply refuses those.
			var ie *InconsistentError
			if !errors.As(err, &ie) {
				t.Fatalf("%s: merge: %v\nplan:\n%s", name, err, strings.Join(lines(merge), "\n"))
			}
			continue
		}
		for _, tab := range artifacts.AllTabs() {
			for i := 0; i < tab.Len(dst); i++ {
				if _, ok := tab.Find(merged, tab.KeyOf(dst, i)...); !ok {
					t.Fatalf("%s: merge removed %s %v", name, tab.Name, tab.KeyOf(dst, i))
				}
			}
		}
		if again, _ := Diff(src, merged, DiffOptions{}); len(again) > 0 {
			t.Fatalf("%s: diff after merge: %v", name, lines(again))
		}
	}
}

// checkValid fails when env is not what Apply accepts.
func checkValid(t *testing.T, name string, env *artifacts.Environment) {
	t.Helper()
	if _, err := Apply(env, applicable(), nil); err != nil {
		t.Fatalf("%s: the generator made an invalid environment: %v", name, err)
	}
	if _, err := artifacts.Decode(must(artifacts.Marshal(env))); err != nil {
		t.Fatalf("%s: the generator made an environment that does not load: %v", name, err)
	}
}

// TestUndoRenames: a plan with renames (also of casing only), removals
// and passwords, applied to the sample, is undone byte for byte.
func TestUndoRenames(t *testing.T) {
	for _, before := range []*artifacts.Environment{applyFixture(), sample(t, rand.New(rand.NewPCG(3, 3)))} {
		var user, user2, group string
		if len(before.Users) > 1 {
			user, user2 = before.Users[0].User, before.Users[1].User
		}
		for _, g := range before.Groups {
			if !artifacts.IsBuiltinGroup(g.Group) {
				group = g.Group
				break
			}
		}
		p := applicable(
			plans.Change{Op: plans.OpRename, Tab: "Users", Key: []string{user}, NewKey: []string{"Renamed User"}},
			plans.Change{Op: plans.OpRename, Tab: "Groups", Key: []string{group}, NewKey: []string{strings.ToUpper(group)}},
			plans.Change{Op: plans.OpEdit, Tab: "Users", Key: []string{user2}, Fields: plans.Fields{secret("Password", "", "")}},
			plans.Change{Op: plans.OpRemove, Tab: "Users", Key: []string{"Renamed User"}},
			plans.Change{Op: plans.OpAdd, Tab: "Users", Key: []string{"New User"}, Fields: plans.Fields{secret("Password", "", plans.MaskedValue)}},
		)
		after, err := Apply(before, p, mapSecrets{"New User": "ENC(new)"})
		if err != nil {
			t.Fatal(err)
		}
		undo, missing := Diff(before, after, DiffOptions{Prune: true})
		if len(missing) > 0 {
			t.Fatalf("missing %v", missing)
		}
		restored, err := Apply(after, applicable(undo...), sourceSecrets{before})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(must(artifacts.Marshal(before)), must(artifacts.Marshal(restored))) {
			t.Fatalf("not restored: %s", cmp.Diff(before, restored, ignoreIndex))
		}
	}
}

func BenchmarkDiff(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 5))
	big := randomEnvironment(r, 20000)
	cases := []struct {
		name     string
		src, dst *artifacts.Environment
	}{
		{"similar", mutate(r, big, 2000), big},
		{"disjoint", big, stripped(big)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var n int
			for b.Loop() {
				changes, _ := Diff(c.src, c.dst, DiffOptions{Prune: true})
				n = len(changes)
			}
			b.ReportMetric(float64(n), "changes")
			b.ReportMetric(float64(c.src.Rows()), "rows")
		})
	}
}

func BenchmarkApply(b *testing.B) {
	r := rand.New(rand.NewPCG(6, 6))
	big := randomEnvironment(r, 20000)
	empty := artifacts.New(big.Name)
	cases := []struct {
		name     string
		src, dst *artifacts.Environment
		changes  []plans.Change
	}{
		{name: "mixed-10k", src: mutate(r, big, 2700), dst: big},
		{name: "add-80k", src: big, dst: empty},
		{name: "remove-100k", src: stripped(big), dst: big},
		{name: "rename-10k", dst: big, changes: renames(big, 10000)},
	}
	for _, c := range cases {
		changes := c.changes
		if changes == nil {
			changes, _ = Diff(c.src, c.dst, DiffOptions{Prune: true})
		}
		p := applicable(changes...)
		secrets := sourceSecrets{c.src}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Apply(c.dst, p, secrets); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(changes)), "changes")
			b.ReportMetric(float64(c.dst.Rows()), "rows")
		})
	}
}

// randomRenames renames a few users, groups and exclusion groups of env
// (each at most once), a quarter of them in casing only.
func randomRenames(r *rand.Rand, env *artifacts.Environment) []plans.Change {
	var out []plans.Change
	done := map[string]bool{}
	for k := range 1 + r.IntN(5) {
		t := []artifacts.TabID{artifacts.TabUsers, artifacts.TabGroups, artifacts.TabExGroup}[r.IntN(3)].Tab()
		if t.Len(env) == 0 {
			continue
		}
		old := t.KeyOf(env, r.IntN(t.Len(env)))[0]
		if artifacts.IsBuiltinGroup(old) || done[artifacts.Fold(old)] {
			continue
		}
		done[artifacts.Fold(old)] = true
		to := fmt.Sprintf("Renamed %d %s", k, old)
		if r.IntN(4) == 0 {
			to = swapCase(old)
		}
		out = append(out, plans.Change{Op: plans.OpRename, Tab: t.Name, Key: []string{old}, NewKey: []string{to}})
	}
	return out
}

// stripped returns env without users, groups, relationships and slice
// rules, its artifacts and roles held by Nobody.
func stripped(env *artifacts.Environment) *artifacts.Environment {
	out := env.Clone()
	for _, t := range artifacts.AllTabs() {
		n := t.Len(out)
		if t.MayAdd {
			rows := make([]int, n)
			for i := range rows {
				rows[i] = i
			}
			t.Delete(out, rows)
			continue
		}
		for ci := range t.Columns {
			if t.Columns[ci].Kind == artifacts.KindGroup {
				for i := 0; i < n; i++ {
					t.SetCell(out, i, ci, artifacts.Nobody)
				}
			}
		}
	}
	out.Normalize()
	return out
}

// renames returns n renames of users and groups of env, each group
// rename followed by an edit of the renamed group.
func renames(env *artifacts.Environment, n int) []plans.Change {
	var out []plans.Change
	for i, u := range env.Users {
		if len(out) >= n*4/5 {
			break
		}
		out = append(out, plans.Change{Op: plans.OpRename, Tab: "Users", Key: []string{u.User}, NewKey: []string{fmt.Sprintf("Renamed %d", i)}})
	}
	for i, g := range env.Groups {
		if len(out) >= n {
			break
		}
		if artifacts.IsBuiltinGroup(g.Group) {
			continue
		}
		to := fmt.Sprintf("Renamed Group %d", i)
		out = append(out, plans.Change{Op: plans.OpRename, Tab: "Groups", Key: []string{g.Group}, NewKey: []string{to}, Fields: plans.Fields{{Column: "Description", Old: g.Description, New: "renamed"}}})
	}
	return out
}
