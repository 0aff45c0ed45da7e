package actions_test

import (
	"fmt"
	"testing"
	"time"

	"secmgr/pkg/actions"
	"secmgr/pkg/impact"
	"secmgr/pkg/plans"
	"secmgr/pkg/synthetic"
)

var benchUsers = []int{40000, 120000}

// BenchmarkPlanImpact plans an edited export of a synthetic environment —
// about a hundred membership changes, re-parented groups, a new
// administrator and reordered exclusion entries — as the plan is made
// today (plan) and with its impact on effective access (plan+impact), in
// the same run so the two compare. cpu-s/op is the process's CPU time
// per plan, steadier than wall time on a shared machine (it counts the
// garbage collector's threads too); impact-cpu-s/op is the part of it
// spent on the impact.
func BenchmarkPlanImpact(b *testing.B) {
	for _, users := range benchUsers {
		env := synthetic.Generate(synthetic.Options{Users: users})
		edited := synthetic.Edit(env)
		path := actions.ExportAll(b, edited)
		rows := env.Rows()
		for _, withImpact := range []bool{false, true} {
			name := "plan"
			if withImpact {
				name = "plan+impact"
			}
			b.Run(fmt.Sprintf("rows=%d/%s", rows, name), func(b *testing.B) {
				b.ReportAllocs()
				var p *plans.Plan
				cpu, impactCPU := cpuTime(), time.Duration(0)
				for b.Loop() {
					var err error
					if p, err = actions.PlanWorkbook(path, env, actions.PlanOptions{}); err != nil || !p.Applicable {
						b.Fatalf("plan: %v %v", err, p.Findings)
					}
					if withImpact {
						start := cpuTime()
						if err := impact.Attach(env, p); err != nil {
							b.Fatal(err)
						}
						impactCPU += cpuTime() - start
					}
				}
				if cpu := cpuTime() - cpu; cpu > 0 {
					b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
				}
				b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
				b.ReportMetric(float64(len(p.Changes)), "changes")
				if withImpact {
					b.ReportMetric(float64(len(p.Impact)), "consequences")
					if impactCPU > 0 {
						b.ReportMetric(impactCPU.Seconds()/float64(b.N), "impact-cpu-s/op")
					}
				}
			})
		}
	}
}
