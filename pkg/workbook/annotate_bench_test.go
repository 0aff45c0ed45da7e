package workbook_test

import (
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"secmgr/internal/testtools"
	"secmgr/pkg/actions"
	"secmgr/pkg/export"
	"secmgr/pkg/synthetic"
	"secmgr/pkg/validate"
	"secmgr/pkg/workbook"
)

// BenchmarkAnnotate annotates a full export of a synthetic environment of
// 40,000 users (~300k rows) with no findings and with 100,000 (every
// other one an error, on UsersInGroups and Users cells), beside planning
// the same export. Annotate's cost should be a fraction of plan's, and
// its peak heap flat in rows:
//
//	go test ./pkg/workbook -run '^$' -bench Annotate -benchtime 1x
func BenchmarkAnnotate(b *testing.B) {
	env := synthetic.Generate(synthetic.Options{Users: 40_000})
	dir := b.TempDir()
	res, err := export.WriteWorkbook(env, export.Selection{}, dir, time.Date(2026, 1, 2, 10, 15, 0, 0, time.UTC), export.Options{Replace: true})
	if err != nil {
		b.Fatal(err)
	}
	rows := env.Rows()
	many := make(validate.Findings, 0, 100_000)
	for i := range 100_000 {
		sev, tab, row, col := validate.Warning, "UsersInGroups", 2+i/2, "AB"[i%2:i%2+1]
		if i%2 == 0 {
			sev = validate.Error
		}
		if i >= 90_000 { // some on the Users tab too
			tab, row, col = "Users", 2+(i-90_000), "B"
		}
		many = append(many, validate.Finding{Severity: sev, Code: "bench", Tab: tab, Row: row,
			Cell: fmt.Sprintf("%s!%s%d", tab, col, row), Message: fmt.Sprintf("finding %d of the benchmark", i)})
	}
	run := func(name string, fn func(b *testing.B)) {
		b.Run(name, func(b *testing.B) {
			runtime.GC()
			b.ReportAllocs()
			b.ResetTimer()
			stop := testtools.PeakHeap()
			cpu := cpuTime()
			for range b.N {
				fn(b)
			}
			b.StopTimer()
			// CPU time too: on a shared machine it varies less than wall time.
			b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MiB")
		})
	}
	run(fmt.Sprintf("plan/rows=%d", rows), func(b *testing.B) {
		if _, err := actions.PlanWorkbook(res.Path, env, actions.PlanOptions{}); err != nil {
			b.Fatal(err)
		}
	})
	for _, fs := range []validate.Findings{nil, many} {
		run(fmt.Sprintf("annotate/rows=%d/findings=%d", rows, len(fs)), func(b *testing.B) {
			if err := workbook.Annotate(res.Path, filepath.Join(dir, "checked.xlsx"), fs); err != nil {
				b.Fatal(err)
			}
		})
	}
}
