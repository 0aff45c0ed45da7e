package audit

import (
	"io"
	"syscall"
	"testing"
	"time"

	"secmgr/pkg/access"
	"secmgr/pkg/synthetic"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkAudit audits a synthetic environment of 100,000 users (about
// a million rows), indexing included, text written. It reports CPU time
// per operation too, since wall time means little on a busy machine.
func BenchmarkAudit(b *testing.B) {
	env := synthetic.Generate(synthetic.Options{Users: 100_000})
	var n int
	var start time.Duration
	for b.Loop() {
		if n == 0 {
			start = cpuTime()
		}
		rep := Run(env, access.New(env))
		rep.WriteText(io.Discard)
		n++
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(n), "cpu-ns/op")
	b.ReportMetric(float64(env.Rows()), "rows")
}
