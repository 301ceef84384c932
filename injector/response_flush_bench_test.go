//go:build unix

package injector

import (
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"
)

// discardFlusher is a client writer that costs nothing.
type discardFlusher struct{ h http.Header }

func (d *discardFlusher) Header() http.Header         { return d.h }
func (d *discardFlusher) WriteHeader(int)             {}
func (d *discardFlusher) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardFlusher) Flush()                      {}

// BenchmarkChunkedUpstream is crm_frame's CPU per 128 KB page from an
// upstream that flushes every 8 KiB (each piece written and flushed, as
// reverse_proxy does), flushed at once or coalesced by the delay; the
// system calls of the writes saved are not in it.
func BenchmarkChunkedUpstream(b *testing.B) {
	pieces := crmPagePieces(8 << 10)
	for _, coding := range []string{"identity", "gzip"} {
		in := pieces
		if coding == "gzip" {
			in = gzipFlushed(pieces)
		}
		for _, delay := range []time.Duration{0, 5 * time.Millisecond} {
			name := coding + "/at-once"
			if delay > 0 {
				name = coding + "/coalesced"
			}
			cfg := flushConfig(b, delay, nil)
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				req := httptest.NewRequest("GET", "http://crm.example/customer.jsp", nil)
				cpu0 := cpuTime()
				for range b.N {
					w := cfg.Wrap(&discardFlusher{h: http.Header{}}, req)
					w.Header().Set("Content-Type", "text/html; charset=utf-8")
					if coding == "gzip" {
						w.Header().Set("Content-Encoding", "gzip")
					}
					w.WriteHeader(http.StatusOK)
					for _, p := range in {
						w.Write(p)
						w.Flush()
					}
					if err := w.Close(); err != nil {
						b.Fatal(err)
					}
				}
				// CPU time: wall time is unusable on a loaded machine.
				b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// cpuTime is the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
