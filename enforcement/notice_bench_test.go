package enforcement

import (
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

// benchNotices returns n notices of single-enterprise interviews, as a campaign of n
// interviews sends them.
func benchNotices(n int) []Notice {
	ns := campaignNotices(n)
	for i := range ns {
		iv := ns[i].Interview
		iv.Enterprises = iv.Enterprises[:1]
	}
	return ns
}

// heapPeak samples the bytes of live and not yet swept heap objects every millisecond until
// stopped, and keeps the largest value. runtime/metrics does not stop the world, unlike
// runtime.ReadMemStats, so sampling barely disturbs the timing.
type heapPeak struct {
	stop, done chan struct{}
	peak       uint64
}

// startHeapPeak collects garbage, so that the peak starts from the live heap only, and starts
// sampling.
func startHeapPeak() *heapPeak {
	runtime.GC()
	h := &heapPeak{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			h.peak = max(h.peak, sample[0].Value.Uint64())
			select {
			case <-h.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return h
}

// report stops sampling and reports the peak as peak-heap-MiB.
func (h *heapPeak) report(b *testing.B) {
	close(h.stop)
	<-h.done
	b.ReportMetric(float64(h.peak)/(1<<20), "peak-heap-MiB")
}

// BenchmarkNoticesPDF220 renders the notices of a 220-interview campaign as one PDF.
func BenchmarkNoticesPDF220(b *testing.B) {
	ns := benchNotices(220)
	b.ReportAllocs()
	h := startHeapPeak()
	b.ResetTimer()

	var size int
	for b.Loop() {
		out, err := NoticesPDF(ns)
		if err != nil {
			b.Fatal(err)
		}
		size = len(out)
	}

	b.StopTimer()
	h.report(b)
	b.ReportMetric(float64(size)/(1<<20), "pdf-MiB")
}

// BenchmarkNoticePDF1x220 is the baseline: the same 220 notices, each rendered as a PDF of its
// own.
func BenchmarkNoticePDF1x220(b *testing.B) {
	ns := benchNotices(220)
	b.ReportAllocs()
	h := startHeapPeak()
	b.ResetTimer()

	var size int
	for b.Loop() {
		size = 0
		for _, n := range ns {
			out, err := NoticePDF(n)
			if err != nil {
				b.Fatal(err)
			}
			size += len(out)
		}
	}

	b.StopTimer()
	h.report(b)
	b.ReportMetric(float64(size)/(1<<20), "pdf-MiB")
}
