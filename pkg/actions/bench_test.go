package actions

import (
	"fmt"
	"testing"

	"secmgr/pkg/synthetic"
)

// BenchmarkPlan plans an unchanged export of a synthetic environment:
// reading, validating and planning every row. rows/s is the figure to
// compare across sizes (near-linear means it stays flat).
func BenchmarkPlan(b *testing.B) {
	for _, users := range []int{1200, 12000, 120000} {
		env := synthetic.Generate(synthetic.Options{Users: users})
		rows := env.Rows()
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			path := exportAll(b, env)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				p, err := PlanWorkbook(path, env, PlanOptions{})
				if err != nil || len(p.Changes) != 0 {
					b.Fatalf("plan: %v, %d changes", err, len(p.Changes))
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// ExportAll writes every row of env to a workbook, for the benchmarks of
// the external test package (which can import packages that import this
// one).
var ExportAll = exportAll

// BenchmarkPlanSliceRules plans a CubeDataCellAccess tab whose every rule
// was overtyped at a new order: each row is a new rule checked against
// every rule the workbook no longer lists (looks-moved). rows/s stays
// flat across sizes when that check is linear.
func BenchmarkPlanSliceRules(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		env := testEnv()
		base := env.CubeDataCellAccess[0]
		env.CubeDataCellAccess = nil
		for o := range n {
			r := base
			r.ProcessingOrder = o
			r.Description = fmt.Sprintf("rule %d", o)
			env.CubeDataCellAccess = append(env.CubeDataCellAccess, r)
		}
		env.Normalize()
		moved := env.Clone()
		for i := range moved.CubeDataCellAccess {
			moved.CubeDataCellAccess[i].ProcessingOrder += n
		}
		moved.Normalize()
		path := exportAll(b, moved)
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := PlanWorkbook(path, env, PlanOptions{})
				if err != nil || len(p.Changes) != n || p.Summary.Warnings != n {
					b.Fatalf("plan: %v, %d changes, %d warnings", err, len(p.Changes), p.Summary.Warnings)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
