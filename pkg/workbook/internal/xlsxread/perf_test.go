//go:build unix

package xlsxread

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"syscall"
	"testing"
	"time"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestPerfReport prints the best wall and CPU time of reading each bench
// sheet, interleaved with the baselines. The CPU time is steadier on a
// shared machine. Run with XLSXREAD_PERF=1 go test -run TestPerfReport -v.
func TestPerfReport(t *testing.T) {
	if os.Getenv("XLSXREAD_PERF") == "" {
		t.Skip("set XLSXREAD_PERF=1")
	}
	path := writeBenchWorkbook(t, t.TempDir())
	w, err := Open(path, Limits{MaxUncompressedBytes: 1 << 50})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	readSheet := func(i int) {
		sr, err := w.OpenSheet(i)
		if err != nil {
			t.Fatal(err)
		}
		for {
			if _, _, err := sr.Next(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatal(err)
			}
		}
		sr.Close()
	}
	rawPart := func(i int, fn func(io.Reader)) func() {
		return func() {
			rc, err := w.sheets[i].file.Open()
			if err != nil {
				t.Fatal(err)
			}
			fn(rc)
			rc.Close()
		}
	}
	type variant struct {
		name string
		fn   func()
	}
	var vs []variant
	for i, name := range []string{"shared", "inline", "numbers"} {
		vs = append(vs,
			variant{"inflate-only/" + name, rawPart(i, func(r io.Reader) { io.Copy(io.Discard, r) })},
			variant{"xlsxread/" + name, func() { readSheet(i) }},
			variant{"encoding/xml RawToken/" + name, rawPart(i, func(r io.Reader) {
				d := xml.NewDecoder(r)
				for {
					if _, err := d.RawToken(); err != nil {
						break
					}
				}
			})},
		)
	}
	bestWall := make([]time.Duration, len(vs))
	bestCPU := make([]time.Duration, len(vs))
	for round := range 7 {
		for k, v := range vs {
			if round > 2 && v.name[0] == 'e' {
				continue // slow and steady enough
			}
			c0, w0 := cpuTime(), time.Now()
			v.fn()
			dw, dc := time.Since(w0), cpuTime()-c0
			if round == 0 || dw < bestWall[k] {
				bestWall[k] = dw
			}
			if round == 0 || dc < bestCPU[k] {
				bestCPU[k] = dc
			}
		}
	}
	for k, v := range vs {
		size := w.sheets[k/3].file.UncompressedSize64
		fmt.Printf("%-32s wall %6.1f ms  cpu %6.1f ms  %6.1f MB/s(cpu)\n", v.name,
			float64(bestWall[k].Microseconds())/1e3, float64(bestCPU[k].Microseconds())/1e3,
			float64(size)/bestCPU[k].Seconds()/1e6)
	}
}
