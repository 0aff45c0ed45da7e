package review

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"secmgr/internal/testtools"
	"secmgr/pkg/access"
	"secmgr/pkg/artifacts"
	"secmgr/pkg/synthetic"
)

// BenchmarkReview writes the review of synthetic environments of about
// 30,000, 195,000 and 300,000 memberships and plans a reviewed copy (Keep
// on nine rows in ten, Remove on the tenth), reporting rows/s and the peak
// heap in use beyond the environment itself:
//
//	go test ./pkg/review -run '^$' -bench Review -benchtime 1x
//
// The review of 300,000 memberships is not written: its users have more
// effective groups than the EffectiveGroups tab can hold.
func BenchmarkReview(b *testing.B) {
	for _, users := range []int{4_000, 26_000, 40_000} {
		env := synthetic.Generate(synthetic.Options{Users: users})
		n := len(env.UsersInGroups)
		dir := b.TempDir()
		path := filepath.Join(dir, "review.xlsx")
		b.Run(fmt.Sprintf("write/memberships=%d", n), func(b *testing.B) {
			if e := effectiveRows(env); e > maxRows {
				b.Skipf("%d effective groups, more than a sheet holds", e)
			}
			measure(b, n, func() {
				if err := Write(env, path, WriteOptions{Replace: true}); err != nil {
					b.Fatal(err)
				}
			})
		})
		reviewed := filepath.Join(dir, "reviewed.xlsx")
		writeReviewed(b, env, reviewed)
		b.Run(fmt.Sprintf("plan/memberships=%d", n), func(b *testing.B) {
			measure(b, n, func() {
				p, err := Plan(reviewed, env)
				if err != nil || len(p.Changes) != (n+9)/10 || len(p.Findings) != 0 {
					b.Fatalf("plan: %v, %d changes, findings %v", err, len(p.Changes), p.Findings)
				}
			})
		})
	}
}

// effectiveRows is the number of rows of the EffectiveGroups tab of the
// review of all of env.
func effectiveRows(env *artifacts.Environment) int {
	ix := access.New(env)
	seen := map[string]bool{}
	n := 0
	for _, m := range env.UsersInGroups {
		if seen[artifacts.Fold(m.User)] {
			continue
		}
		seen[artifacts.Fold(m.User)] = true
		if ua, err := ix.User(m.User); err == nil {
			n += len(ua.Groups)
		}
	}
	return n
}

// measure runs fn b.N times and reports rows/s and the peak heap in use
// on top of what was in use before.
func measure(b *testing.B, rows int, fn func()) {
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	stop := testtools.PeakHeap()
	for b.Loop() {
		fn()
	}
	peak := stop()
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(base.HeapInuse)/(1<<20), "base-heap-MiB")
	b.ReportMetric(float64(peak-min(peak, base.HeapInuse))/(1<<20), "peak-extra-heap-MiB")
}

// writeReviewed writes a reviewed copy of env's review straight through a
// stream writer: editing 300,000 rows with excelize's cell API would take
// far more time and memory than what is measured.
func writeReviewed(b *testing.B, env *artifacts.Environment, path string) {
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName(f.GetSheetName(0), Sheet)
	sw, err := f.NewStreamWriter(Sheet)
	if err != nil {
		b.Fatal(err)
	}
	sw.SetRow("A1", anys(Columns))
	i := 0
	for r := range Rows(env, Scope{}) {
		decision := Keep
		if i%10 == 0 {
			decision = Remove
		}
		i++
		row := []any{r.User, r.UserType, boolText(r.IsEnabled), r.Group, strings.Join(r.NestedGroups, ", "), strings.Join(r.Roles, ", "), boolText(r.Administrator), decision, "Ann Auditor"}
		if err := sw.SetRow(fmt.Sprintf("A%d", i+1), row); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		b.Fatal(err)
	}
}
