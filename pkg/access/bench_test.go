package access

import (
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"syscall"
	"testing"
	"time"

	"secmgr/pkg/artifacts"
)

// syntheticEnv builds a large environment shaped like a real one: a group
// hierarchy four levels deep (10 top groups, 90 divisions, 900
// departments, 9,000 teams, each below one or two groups of the level
// above), users in about six groups each, exclusion groups carving users
// out of departments, and artifacts referencing groups of every level.
// With users=100,000 and groups=10,000 it has about a million rows.
func syntheticEnv(users, groups int) *artifacts.Environment {
	rng := rand.New(rand.NewPCG(7, 11))
	env := &artifacts.Environment{Name: "Synthetic"}
	for i := range users {
		env.Users = append(env.Users, artifacts.User{User: fmt.Sprintf("User %06d", i), UserType: "Interactive", IsEnabled: i%50 != 0, NumGridRows: 30})
	}
	levels := []int{groups / 1000, groups * 9 / 1000, groups * 9 / 100, groups * 9 / 10}
	var byLevel [][]string
	for l, n := range levels {
		var names []string
		for i := range n {
			name := fmt.Sprintf("L%d Group %05d", l, i)
			names = append(names, name)
			env.Groups = append(env.Groups, artifacts.Group{Group: name})
			if l > 0 {
				above := byLevel[l-1]
				p := above[rng.IntN(len(above))]
				env.GroupsInGroups = append(env.GroupsInGroups, artifacts.GroupInGroup{Group: name, ParentGroup: p})
				if rng.IntN(3) == 0 {
					if q := above[rng.IntN(len(above))]; q != p {
						env.GroupsInGroups = append(env.GroupsInGroups, artifacts.GroupInGroup{Group: name, ParentGroup: q})
					}
				}
			}
		}
		byLevel = append(byLevel, names)
	}
	teams, depts := byLevel[3], byLevel[2]
	for i, u := range env.Users {
		seen := map[string]bool{}
		for range 7 {
			g := teams[rng.IntN(len(teams))]
			if rng.IntN(6) == 0 {
				g = depts[rng.IntN(len(depts))]
			}
			if !seen[g] {
				seen[g] = true
				env.UsersInGroups = append(env.UsersInGroups, artifacts.UserInGroup{User: u.User, ParentGroup: g})
			}
		}
		if i < 20 {
			env.UsersInGroups = append(env.UsersInGroups, artifacts.UserInGroup{User: u.User, ParentGroup: artifacts.Administrators})
		}
	}
	for i := range groups / 100 {
		x := fmt.Sprintf("Ex Group %04d", i)
		env.ExGroup = append(env.ExGroup, artifacts.ExGroup{ExGroup: x})
		env.GroupsInExGroups = append(env.GroupsInExGroups, artifacts.GroupInExGroup{Group: depts[rng.IntN(len(depts))], ExGroup: x, ProcessingOrder: 0, AllowAccess: true})
		env.GroupsInExGroups = append(env.GroupsInExGroups, artifacts.GroupInExGroup{Group: teams[rng.IntN(len(teams))], ExGroup: x, ProcessingOrder: 1, AllowAccess: false})
		for k := range 3 {
			env.UsersInExGroups = append(env.UsersInExGroups, artifacts.UserInExGroup{User: env.Users[rng.IntN(users)].User, ExGroup: x, ProcessingOrder: 2 + k, AllowAccess: k%2 == 0})
		}
		env.GroupsInGroups = append(env.GroupsInGroups, artifacts.GroupInGroup{Group: x, ParentGroup: byLevel[1][rng.IntN(len(byLevel[1]))]})
	}
	all := env.Groups
	pick := func() string { return all[rng.IntN(len(all))].Group }
	for i := range users / 2 {
		env.Entity = append(env.Entity, artifacts.Entity{Entity: fmt.Sprintf("E%06d", i), ReadGroup: pick(), ReadGroup2: artifacts.Nobody, ReadWriteGroup: pick(), ReadWriteGroup2: artifacts.Nobody, UseCubeDataAccess: i%10 == 0})
	}
	for i := range users / 5 {
		env.Workflow = append(env.Workflow, artifacts.WorkflowProfile{Profile: fmt.Sprintf("E%06d.Import", i), AccessGroup: pick(), MaintenanceGroup: pick(), ExecGroup_Default: pick(), CertifyGroup_Default: pick()})
	}
	for i := range users / 2 {
		env.DisplayMembers = append(env.DisplayMembers, artifacts.DisplayMember{Dimension: "A", Member: fmt.Sprintf("A%06d", i), DisplayMemberGroup: pick()})
	}
	for i := range users / 20 {
		env.CubeDataCellAccess = append(env.CubeDataCellAccess, artifacts.SliceRule{Cube: "Main", Type: "Data Cell Access Security", ProcessingOrder: i, AccessGroup: pick(),
			BehaviorInGrpInFilter: "Apply Access And Continue", BehaviorInGrpNotInFilter: "Skip Item And Continue", BehaviorNotInGrpInFilter: "Skip Item And Continue",
			AccessLevelInGrpInFilter: "Read Only", AccessLevelInGrpNotInFilter: "No Access", AccessLevelNotInGrpInFilter: "No Access"})
	}
	for i := range users / 10 {
		env.CubeViewGroups = append(env.CubeViewGroups, artifacts.CubeViewGroup{CVGroup: fmt.Sprintf("CV%05d", i), AccessGroup: pick(), MaintenanceGroup: pick()})
	}
	env.Normalize()
	return env
}

// cpuTime is the process's CPU time so far: benchmarks report it per
// operation too, since wall time means little on a busy machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs op in b.Loop and reports CPU time per operation.
func measure(b *testing.B, op func()) {
	var n int
	var start time.Duration
	for b.Loop() {
		if n == 0 {
			start = cpuTime()
		}
		op()
		n++
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(n), "cpu-ns/op")
}

var (
	bigOnce sync.Once
	bigEnv  *artifacts.Environment
)

func big(b *testing.B) *artifacts.Environment {
	bigOnce.Do(func() { bigEnv = syntheticEnv(100_000, 10_000) })
	b.Cleanup(func() { b.ReportMetric(float64(bigEnv.Rows()), "rows") })
	return bigEnv
}

// BenchmarkNew measures indexing the ~1M-row environment.
func BenchmarkNew(b *testing.B) {
	env := big(b)
	measure(b, func() { New(env) })
}

// BenchmarkExplainUser measures `explain --user` after loading: a user
// never asked about before (cold cache), JSON written.
func BenchmarkExplainUser(b *testing.B) {
	ix := New(big(b))
	i := 0
	measure(b, func() {
		u := ix.users[(i*7919)%len(ix.users)]
		i++
		clear(ix.closures)
		ua, err := ix.User(u)
		if err != nil {
			b.Fatal(err)
		}
		WriteJSON(io.Discard, ua)
	})
}

// BenchmarkExplainGroup measures `explain --group` on a top-level group
// (holding most users), a department and a team, cold cache, JSON written.
func BenchmarkExplainGroup(b *testing.B) {
	ix := New(big(b))
	for _, name := range []string{"L0 Group 00003", "L2 Group 00450", "L3 Group 04500", "Ex Group 0042"} {
		b.Run(name, func(b *testing.B) {
			var n int
			measure(b, func() {
				clear(ix.closures)
				ga, err := ix.Group(name)
				if err != nil {
					b.Fatal(err)
				}
				n = len(ga.Members)
				WriteJSON(io.Discard, ga)
			})
			b.ReportMetric(float64(n), "members")
		})
	}
}

// BenchmarkExplainEveryone is the largest answer: every user.
func BenchmarkExplainEveryone(b *testing.B) {
	ix := New(big(b))
	measure(b, func() {
		clear(ix.closures)
		ga, _ := ix.Group(artifacts.Everyone)
		WriteJSON(io.Discard, ga)
	})
}
