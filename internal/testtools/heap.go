package testtools

import (
	"runtime/metrics"
	"sync/atomic"
	"time"
)

// PeakHeap samples the bytes of live heap objects every 2 ms until stop is
// called, and stop returns the largest size seen: the peak memory a
// benchmark reports. It reads runtime/metrics, which does not stop the
// world as runtime.ReadMemStats does.
func PeakHeap() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() {
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > peak.Load() {
			peak.Store(v)
		}
	}
	go func() {
		defer close(finished)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() uint64 {
		read()
		close(done)
		<-finished
		return peak.Load()
	}
}
