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
