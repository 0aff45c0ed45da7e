package migrate

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"secmgr/examples/golfstream"
	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/plans"
	"secmgr/pkg/validate"
)

var (
	propertyIterations = flag.Int("property.iterations", 0, "iterations of TestMigrateProperty (default 300, 60 with -short)")
	propertySeed       = flag.Uint64("property.seed", 2026, "random seed of TestMigrateProperty")
)

func sample(t testing.TB) *artifacts.Environment {
	t.Helper()
	env, err := golfstream.Environment()
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// ignoreCells compares changes as the planner plans them from the change
// workbook: Compare's changes name no cells.
var ignoreCells = cmp.Options{
	cmpopts.IgnoreFields(plans.Change{}, "Cells"),
	cmpopts.IgnoreFields(plans.Field{}, "From"),
	cmpopts.EquateEmpty(),
}

// migrated checks one comparison end to end: the change workbook plans,
// with no finding at all, into exactly the changes Compare reports; the
// plan applies to dst; comparing again finds nothing to change; and with
// Prune the compared tabs of the result are src's, but for what the
// findings say was not carried. It returns the comparison and the result.
func migrated(t *testing.T, name string, src, dst *artifacts.Environment, opt Options) (*Result, *artifacts.Environment) {
	t.Helper()
	res, err := Compare(src, dst, opt)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "changes.xlsx")
	if err := res.WriteWorkbook(path, WriteOptions{}); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	plan, err := actions.PlanWorkbook(path, dst, actions.PlanOptions{})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	// A user copied from the source whose external identity a user of the
	// destination has under another name (renamed there) is rightly a
	// warning: two users would share one identity.
	plan.Findings = slices.DeleteFunc(plan.Findings, func(f validate.Finding) bool { return f.Code == validate.CodeSameIdentity })
	if len(plan.Findings) > 0 {
		var b strings.Builder
		for _, f := range plan.Findings {
			fmt.Fprintln(&b, f)
		}
		t.Fatalf("%s: the change workbook plans with findings:\n%s\nchanges:\n%s", name, b.String(), changeLines(res.Changes))
	}
	if d := cmp.Diff(res.Changes, plan.Changes, ignoreCells); d != "" {
		t.Fatalf("%s: the change workbook plans other changes than Compare reports (-compare +plan):\n%s", name, d)
	}
	if !plan.Applicable {
		t.Fatalf("%s: plan not applicable", name)
	}
	secrets, err := actions.SecretsFor(plan, dir)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	got, err := actions.Apply(dst, plan, secrets)
	if err != nil {
		t.Fatalf("%s: apply: %v\nchanges:\n%s", name, err, changeLines(res.Changes))
	}
	again, err := Compare(src, got, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Changes) > 0 {
		t.Fatalf("%s: comparing again after apply finds changes:\n%s\nfirst time:\n%s\nfindings:\n%s", name, changeLines(again.Changes), changeLines(res.Changes), findingLines(res.Findings))
	}
	if opt.Prune {
		checkExact(t, name, src, got, opt, res.Findings)
	}
	return res, got
}

func changeLines(changes []plans.Change) string {
	var b strings.Builder
	for _, c := range changes {
		fmt.Fprintln(&b, plans.ChangeLine(c))
	}
	return b.String()
}

func findingLines(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s %v\n", f, f.Key)
	}
	return b.String()
}

// checkExact compares the compared tabs of got with src's (names mapped,
// casing ignored, passwords only where carried) with go-cmp. A row or
// cell a finding names is excused: the findings say it is not carried.
func checkExact(t *testing.T, name string, src, got *artifacts.Environment, opt Options, findings []Finding) {
	t.Helper()
	excused := map[string]map[string]bool{} // tab \x00 key → columns ("" the whole row)
	excuse := func(tab string, key []string, col string) {
		k := tab + "\x00" + artifacts.KeyString(key)
		if excused[k] == nil {
			excused[k] = map[string]bool{}
		}
		excused[k][col] = true
	}
	for _, f := range findings {
		if f.Key == nil {
			continue
		}
		excuse(f.Tab, f.Key, f.Column)
		if f.Code == CodeKindDiffers { // both sides of the name
			excuse("Groups", f.Key, "")
			excuse("ExGroup", f.Key, "")
		}
	}
	tabs := opt.Tabs
	if len(tabs) == 0 {
		for id := range artifacts.NumTabs {
			tabs = append(tabs, id)
		}
	}
	rows := func(env *artifacts.Environment, t *artifacts.Tab, mapNames bool) [][]string {
		var out [][]string
		for i, n := 0, t.Len(env); i < n; i++ {
			cells := t.Cells(env, i, nil)
			for ci := range t.Columns {
				col := &t.Columns[ci]
				if mapNames && groupColumn(t, ci) {
					cells[ci] = opt.Map.Name(cells[ci])
				}
				if col.Key || col.IsReference() || col.Kind == artifacts.KindName {
					cells[ci] = artifacts.Fold(cells[ci])
				}
				if col.Kind == artifacts.KindPassword && !opt.IncludePasswords {
					cells[ci] = ""
				}
			}
			key := make([]string, len(t.Key))
			for j, ci := range t.Key {
				key[j] = cells[ci]
			}
			if ex := excused[t.Name+"\x00"+artifacts.KeyString(key)]; ex != nil {
				if ex[""] {
					continue
				}
				for ci := range t.Columns {
					if ex[t.Columns[ci].Name] {
						cells[ci] = "(not carried)"
					}
				}
			}
			out = append(out, cells)
		}
		slices.SortFunc(out, func(a, b []string) int { return slices.Compare(a, b) })
		return out
	}
	for _, id := range tabs {
		tab := id.Tab()
		if d := cmp.Diff(rows(src, tab, true), rows(got, tab, false), cmpopts.EquateEmpty()); d != "" {
			t.Fatalf("%s: with --prune the %s tab is not the source's (-src +result):\n%s\nfindings:\n%s", name, tab.Name, d, findingLines(findings))
		}
	}
}

// randomOptions picks areas (all a third of the time), Prune and
// IncludePasswords.
func randomOptions(r *rand.Rand) Options {
	var opt Options
	if r.IntN(3) > 0 {
		for _, a := range artifacts.Areas {
			if r.IntN(2) == 0 {
				opt.Tabs = append(opt.Tabs, a.Tabs...)
			}
		}
		slices.Sort(opt.Tabs)
	}
	opt.Prune = r.IntN(2) == 0
	opt.IncludePasswords = r.IntN(2) == 0
	return opt
}

// TestMigrateProperty: for random pairs of environments made from the
// sample (and from random environments) by random edits to every tab,
// diff → apply → diff finds nothing, the change workbook plans into
// exactly the reported changes, and with --prune the compared areas of the
// destination become the source's, but for what the findings list.
func TestMigrateProperty(t *testing.T) {
	iterations := 300
	if testing.Short() {
		iterations = 60
	}
	if *propertyIterations > 0 {
		iterations = *propertyIterations
	}
	golf := sample(t)
	var pruned, clean, changes, findings int
	for it := range iterations {
		r := rand.New(rand.NewPCG(*propertySeed, uint64(it)))
		base := golf
		if it%4 == 3 {
			base = randomEnvironment(r, 5+r.IntN(30))
		}
		src := mutate(r, base, r.IntN(30))
		dst := mutate(r, base, r.IntN(30))
		if it%10 == 9 {
			dst = mutate(r, base, 200) // little in common
		}
		if it%3 == 0 {
			src = withArtifacts(r, src, 1+r.IntN(3))
			dst = withArtifacts(r, dst, r.IntN(3))
		}
		opt := randomOptions(r)
		name := fmt.Sprintf("iteration %d (areas %v, prune %v, passwords %v)", it, opt.Tabs, opt.Prune, opt.IncludePasswords)
		res, _ := migrated(t, name, src, dst, opt)
		changes += len(res.Changes)
		findings += len(res.Findings)
		if opt.Prune {
			pruned++
			if len(res.Findings) == 0 {
				clean++
			}
		}

		// The same source with its groups renamed DEV_…, mapped back,
		// compares the same.
		if it%5 == 0 {
			m, err := ParseMap([]string{"DEV_*=*"})
			if err != nil {
				t.Fatal(err)
			}
			mopt := opt
			mopt.Map = m
			mres, _ := migrated(t, name+" mapped", prefixGroups(src, "DEV_"), dst, mopt)
			if d := cmp.Diff(res.Changes, mres.Changes, cmpopts.EquateEmpty()); d != "" {
				t.Fatalf("%s: mapping DEV_* back compares otherwise (-plain +mapped):\n%s", name, d)
			}
			if d := cmp.Diff(res.Findings, mres.Findings, cmpopts.EquateEmpty()); d != "" {
				t.Fatalf("%s: mapping DEV_* back finds otherwise (-plain +mapped):\n%s", name, d)
			}
		}
	}
	t.Logf("%d pairs, %d changes and %d findings in all; %d with --prune, %d of them equal to the source with no finding to excuse a row",
		iterations, changes, findings, pruned, clean)
}

// TestMigrateSelf: an environment compared with itself changes nothing,
// finds nothing and writes no rows, whatever the options.
func TestMigrateSelf(t *testing.T) {
	envs := []*artifacts.Environment{sample(t), artifacts.New("empty"), randomEnvironment(rand.New(rand.NewPCG(7, 7)), 40)}
	for i, env := range envs {
		for _, opt := range []Options{{}, {Prune: true, IncludePasswords: true}, {Tabs: []artifacts.TabID{artifacts.TabUsers, artifacts.TabUsersInGroups}, Prune: true}} {
			res, err := Compare(env, env.Clone(), opt)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Empty() || len(res.Findings) > 0 || res.Rows() > 0 {
				t.Errorf("env %d %+v: %d changes, %d rows, findings:\n%s%s", i, opt, len(res.Changes), res.Rows(), findingLines(res.Findings), changeLines(res.Changes))
			}
		}
	}
}

// expressible changes a pair so that everything the source differs in can
// be carried by a workbook: no name is a group on one side and an
// exclusion group on the other, no group is put into an exclusion group
// or into a cycle, new slice rules are of types their cubes use in the
// destination, and no password is to be cleared.
func expressible(r *rand.Rand, src, dst *artifacts.Environment) {
	g := newEnvGen(r)
	g.Load(src)
	for _, tab := range []artifacts.TabID{artifacts.TabGroups, artifacts.TabExGroup} {
		t := tab.Tab()
		other := artifacts.TabExGroup.Tab()
		if tab == artifacts.TabExGroup {
			other = artifacts.TabGroups.Tab()
		}
		for i := 0; i < t.Len(src); i++ {
			if _, clash := other.Find(dst, t.KeyOf(src, i)...); clash {
				g.RemoveNamed(src, t, i)
				i--
			}
		}
	}
	for _, env := range []*artifacts.Environment{src, dst} {
		env.GroupsInGroups = slicesDelete(env.GroupsInGroups, func(m artifacts.GroupInGroup) bool {
			_, ex := artifacts.TabExGroup.Tab().Find(env, m.ParentGroup)
			return ex
		})
		env.Invalidate()
	}
	edges := make([]artifacts.GroupEdge, len(src.GroupsInGroups))
	for i, m := range src.GroupsInGroups {
		edges[i] = artifacts.GroupEdge{Group: m.Group, Parent: m.ParentGroup}
	}
	closing := map[int]bool{}
	for _, cy := range artifacts.GroupCycles(nil, edges) {
		closing[cy.Added] = true
	}
	n := 0
	src.GroupsInGroups = slicesDelete(src.GroupsInGroups, func(artifacts.GroupInGroup) bool {
		n++
		return closing[n-1]
	})
	for i := range src.Users {
		if j, ok := artifacts.TabUsers.Tab().Find(dst, src.Users[i].User); ok && src.Users[i].Password == "" && dst.Users[j].Password != "" {
			src.Users[i].Password = "ENC(restored)"
		}
	}
	src.Invalidate()
	src.Normalize()
	rules := artifacts.TabCubeDataCellAccess.Tab()
	dst.CubeDataCellAccess = slicesDelete(dst.CubeDataCellAccess, func(x artifacts.SliceRule) bool {
		_, ok := rules.Find(src, x.Cube, x.Type, strconv.Itoa(x.ProcessingOrder))
		return !ok
	})
	dst.Invalidate()
	dst.Normalize()
	types := map[string]bool{}
	for _, x := range dst.CubeDataCellAccess {
		types[artifacts.Fold(x.Cube)+"\x00"+x.Type] = true
	}
	src.CubeDataCellAccess = slicesDelete(src.CubeDataCellAccess, func(x artifacts.SliceRule) bool { return !types[artifacts.Fold(x.Cube)+"\x00"+x.Type] })
	src.Invalidate()
	src.Normalize()
}

// TestMigrateExact: where everything the source differs in can be carried
// (all areas, --prune, --include-password-hashes), there is no finding and
// the destination becomes the source exactly, but for the casing of names.
func TestMigrateExact(t *testing.T) {
	iterations := 100
	if testing.Short() {
		iterations = 20
	}
	golf := sample(t)
	for it := range iterations {
		r := rand.New(rand.NewPCG(*propertySeed+1, uint64(it)))
		src, dst := mutate(r, golf, r.IntN(40)), mutate(r, golf, r.IntN(40))
		expressible(r, src, dst)
		name := fmt.Sprintf("exact iteration %d", it)
		res, got := migrated(t, name, src, dst, Options{Prune: true, IncludePasswords: true})
		// not-bda says a carried change uses a secmgr extension: it is
		// carried all the same.
		carried := slices.DeleteFunc(slices.Clone(res.Findings), func(f Finding) bool { return f.Code == validate.CodeNotBDA })
		if len(carried) > 0 {
			t.Fatalf("%s: findings where everything can be carried:\n%s", name, findingLines(carried))
		}
		checkExact(t, name, src, got, Options{Prune: true, IncludePasswords: true}, nil)
	}
}
