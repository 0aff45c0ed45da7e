package impact

import (
	"fmt"
	"testing"

	"secmgr/pkg/actions"
	"secmgr/pkg/plans"
	"secmgr/pkg/synthetic"
)

// BenchmarkOf computes the impact of a change request's plan (synthetic.Edit)
// on synthetic environments: the cost the plan command adds to planning
// (BenchmarkPlanImpact in pkg/actions measures both in one run).
func BenchmarkOf(b *testing.B) {
	for _, users := range []int{40000, 120000} {
		env := synthetic.Generate(synthetic.Options{Users: users})
		p := &plans.Plan{Format: plans.PlanFormat}
		p.Changes, _ = actions.Diff(synthetic.Edit(env), env, actions.DiffOptions{})
		p.Summarize()
		b.Run(fmt.Sprintf("rows=%d", env.Rows()), func(b *testing.B) {
			b.ReportAllocs()
			var cs []plans.Consequence
			for b.Loop() {
				var err error
				if cs, err = Of(env, p); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(p.Changes)), "changes")
			b.ReportMetric(float64(len(cs)), "consequences")
		})
	}
}
