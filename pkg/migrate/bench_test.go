package migrate

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"secmgr/pkg/actions"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/synthetic"
)

// benchUsers gives a synthetic environment of about 100,000 rows.
const benchUsers = 11300

// edited returns a copy of env with every kind of change on a fraction of
// it: descriptions and user types edited, users and groups added with
// memberships, memberships removed, entities and slice rules regrouped.
func edited(env *artifacts.Environment, every int) *artifacts.Environment {
	out := env.Clone()
	for i := range out.Users {
		if i%every == 0 {
			out.Users[i].Description = "Edited"
			out.Users[i].UserType = "View"
		}
	}
	for i := 0; i < len(env.Users)/every; i++ {
		u := fmt.Sprintf("New User %06d", i)
		g := fmt.Sprintf("New Group %06d", i/10)
		out.Users = append(out.Users, artifacts.User{User: u, UserType: "Interactive", IsEnabled: true, NumGridRows: 50})
		if i%10 == 0 {
			out.Groups = append(out.Groups, artifacts.Group{Group: g})
			out.GroupsInGroups = append(out.GroupsInGroups, artifacts.GroupInGroup{Group: g, ParentGroup: out.Groups[i%50].Group})
		}
		out.UsersInGroups = append(out.UsersInGroups, artifacts.UserInGroup{User: u, ParentGroup: g})
	}
	kept := out.UsersInGroups[:0]
	for i, m := range out.UsersInGroups {
		if i%every != 1 {
			kept = append(kept, m)
		}
	}
	out.UsersInGroups = kept
	for i := range out.Entity {
		if i%every == 0 {
			out.Entity[i].ReadGroup2 = out.Entity[(i+1)%len(out.Entity)].ReadGroup
		}
	}
	for i := range out.CubeDataCellAccess {
		if i%every == 0 {
			out.CubeDataCellAccess[i].AccessGroup = artifacts.Everyone
		}
	}
	out.Invalidate()
	out.Normalize()
	return out
}

// BenchmarkMigrate times diff and apply of a 100,000-row synthetic pair:
// Compare, writing the change workbook, planning it against the
// destination as 'secmgr apply' does, and applying the plan in memory.
// "similar" differs in about 5% of the rows; "reseeded" is the same
// shape generated from another seed, so nearly every membership differs.
func BenchmarkMigrate(b *testing.B) {
	dst := synthetic.Generate(synthetic.Options{Users: benchUsers})
	cases := []struct {
		name string
		src  *artifacts.Environment
	}{
		{"similar", edited(dst, 20)},
		{"reseeded", synthetic.Generate(synthetic.Options{Users: benchUsers, Seed: 2})},
	}
	for _, c := range cases {
		b.Run(fmt.Sprintf("%s/rows=%d", c.name, dst.Rows()), func(b *testing.B) {
			var compare, write, plan, apply time.Duration
			var rows, changes int
			for b.Loop() {
				dir := b.TempDir()
				path := filepath.Join(dir, "changes.xlsx")
				t0 := time.Now()
				res, err := Compare(c.src, dst, Options{Prune: true})
				if err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if err := res.WriteWorkbook(path, WriteOptions{}); err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				p, err := actions.PlanWorkbook(path, dst, actions.PlanOptions{})
				if err != nil || !p.Applicable || len(p.Changes) != len(res.Changes) {
					b.Fatalf("plan: %v, %d changes of %d", err, len(p.Changes), len(res.Changes))
				}
				t3 := time.Now()
				secrets, err := actions.SecretsFor(p, dir)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := actions.Apply(dst, p, secrets); err != nil {
					b.Fatal(err)
				}
				t4 := time.Now()
				compare += t1.Sub(t0)
				write += t2.Sub(t1)
				plan += t3.Sub(t2)
				apply += t4.Sub(t3)
				rows, changes = res.Rows(), len(res.Changes)
			}
			n := float64(b.N)
			b.ReportMetric(float64(changes), "changes")
			b.ReportMetric(float64(rows), "workbook-rows")
			b.ReportMetric(compare.Seconds()/n, "compare-s")
			b.ReportMetric(write.Seconds()/n, "write-s")
			b.ReportMetric(plan.Seconds()/n, "plan-s")
			b.ReportMetric(apply.Seconds()/n, "apply-s")
		})
	}
}
