package workbook

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"secmgr/internal/testtools"
	"secmgr/pkg/artifacts"
)

// Benchmarks write and read UsersInGroups-shaped sheets (two short names
// per row) of 100k and 1M rows and a Users-shaped sheet (16 columns) of
// 40k rows. Besides ns/op they report ns/row, rows/s and the peak heap
// seen while the operation ran (sampled every 2ms), which should not grow
// with the number of rows:
//
//	go test ./pkg/workbook -run '^$' -bench . -benchtime 1x

type benchShape struct {
	name string
	tab  artifacts.TabID
	rows int
}

var benchShapes = []benchShape{
	{"UsersInGroups-100k", artifacts.TabUsersInGroups, 100_000},
	{"UsersInGroups-1M", artifacts.TabUsersInGroups, 1_000_000},
	{"Users-40k", artifacts.TabUsers, 40_000},
}

// benchRow fills vals with row i of the shape's tab.
func benchRow(tab artifacts.TabID, i int, vals []string) {
	switch tab {
	case artifacts.TabUsersInGroups:
		vals[0] = "User " + strconv.Itoa(i/5)
		vals[1] = "Group " + strconv.Itoa(i%997)
	case artifacts.TabUsers:
		name := "Jessica Documentation " + strconv.Itoa(i)
		copy(vals, []string{name, "Documentation team member " + strconv.Itoa(i%100), "Interactive", "True",
			"", name + "@example.com", "", name + "@example.com", "en-US", "30", "Houston", "", "", "", "", ""})
	}
}

func writeBench(b *testing.B, path string, sh benchShape) {
	tab := sh.tab.Tab()
	w, err := Create(path, WriteOptions{Replace: true})
	if err != nil {
		b.Fatal(err)
	}
	if err := w.StartTab(tab); err != nil {
		b.Fatal(err)
	}
	vals := make([]string, len(tab.Columns))
	for i := range sh.rows {
		benchRow(sh.tab, i, vals)
		if err := w.WriteRow(vals); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}

func report(b *testing.B, rows int, peak uint64) {
	total := float64(rows) * float64(b.N)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/total, "ns/row")
	b.ReportMetric(total/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

func BenchmarkWrite(b *testing.B) {
	for _, sh := range benchShapes {
		b.Run(sh.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "bench.xlsx")
			runtime.GC()
			b.ReportAllocs()
			b.ResetTimer()
			stop := testtools.PeakHeap()
			for range b.N {
				writeBench(b, path, sh)
			}
			b.StopTimer()
			report(b, sh.rows, stop())
		})
	}
}

func BenchmarkRead(b *testing.B) {
	for _, sh := range benchShapes {
		b.Run(sh.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "bench.xlsx")
			writeBench(b, path, sh)
			runtime.GC()
			b.ReportAllocs()
			b.ResetTimer()
			stop := testtools.PeakHeap()
			for range b.N {
				wb, err := Open(path, Options{})
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				err = wb.Read(wb.Sheets[0], func(r *Row) error {
					n++
					return nil
				})
				wb.Close()
				if err != nil {
					b.Fatal(err)
				}
				if n != sh.rows {
					b.Fatal(fmt.Sprintf("read %d rows, want %d", n, sh.rows))
				}
			}
			b.StopTimer()
			report(b, sh.rows, stop())
		})
	}
}
