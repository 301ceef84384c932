package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"syscall"
	"time"
)

// acceptEncoding is what a browser sends.
const acceptEncoding = "gzip, deflate, br, zstd"

// Site is one of the two sites of the crmframe process.
type Site struct {
	Name   string // "plain" or "crm_frame"
	Base   string // http://127.0.0.1:port
	Client *http.Client
	Pid    int // the crmframe process, whose CPU time a round reads (0: not read)
}

// newClient is a keep-alive client with enough idle connections for the
// highest concurrency, no transparent decompression (we measure the bytes
// the proxy sends) and, when rcvBuf > 0, a small socket receive buffer so
// a slow reader really holds the proxy back.
func newClient(maxConns, rcvBuf int) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	if rcvBuf > 0 {
		d.Control = func(_, _ string, c syscall.RawConn) error {
			var serr error
			err := c.Control(func(fd uintptr) {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, rcvBuf)
			})
			if err != nil {
				return err
			}
			return serr
		}
	}
	return &http.Client{Transport: &http.Transport{
		Proxy:               nil,
		DialContext:         d.DialContext,
		MaxIdleConns:        maxConns * 2,
		MaxIdleConnsPerHost: maxConns * 2,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
		ReadBufferSize:      64 << 10,
		WriteBufferSize:     8 << 10,
	}, Timeout: 60 * time.Second}
}

func newRequest(ctx context.Context, base, path string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept-Encoding", acceptEncoding)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	req.Header.Set("User-Agent", "crmbench")
	return req, nil
}

// fetch does one request and reads the whole body.
func fetch(ctx context.Context, c *http.Client, base, path string) (int64, error) {
	req, err := newRequest(ctx, base, path)
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return n, fmt.Errorf("reading %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return n, fmt.Errorf("GET %s: status %d", path, resp.StatusCode)
	}
	if n == 0 {
		return 0, fmt.Errorf("GET %s: empty body", path)
	}
	return n, nil
}

// Sample is what one site did in one cell (several rounds added up).
type Sample struct {
	N, Errs  int
	Elapsed  time.Duration
	Lat      []time.Duration
	FirstErr error
	Rounds   []float64     // req/s of each measuring round
	CPU      time.Duration // crmframe's CPU time (user+system) during the rounds
	Bytes    int64         // body bytes received (as sent: compressed stays compressed)
	Writes   int64         // crmframe's write system calls during the rounds (-1: not read)
}

func (s *Sample) add(o Sample) {
	s.N += o.N
	s.Errs += o.Errs
	s.Elapsed += o.Elapsed
	s.Lat = append(s.Lat, o.Lat...)
	s.CPU += o.CPU
	s.Bytes += o.Bytes
	if s.Writes >= 0 && o.Writes >= 0 {
		s.Writes += o.Writes
	} else {
		s.Writes = -1
	}
	s.Rounds = append(s.Rounds, o.RPS())
	if s.FirstErr == nil {
		s.FirstErr = o.FirstErr
	}
}

// CPUPerReq is crmframe's CPU time per request, or 0 when not measured.
func (s *Sample) CPUPerReq() time.Duration {
	if s.N == 0 || s.CPU <= 0 {
		return 0
	}
	return s.CPU / time.Duration(s.N)
}

// WritesPerReq is crmframe's write system calls per request (to the client
// and to the upstream), or -1 when not measured.
func (s *Sample) WritesPerReq() float64 {
	if s.N == 0 || s.Writes <= 0 {
		return -1
	}
	return float64(s.Writes) / float64(s.N)
}

// BytesPerReq is the mean body size received.
func (s *Sample) BytesPerReq() int64 {
	if s.N == 0 {
		return 0
	}
	return s.Bytes / int64(s.N)
}

func (s *Sample) RPS() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.N) / s.Elapsed.Seconds()
}

// Pct returns the p-th percentile latency (0 < p <= 100).
func (s *Sample) Pct(p float64) time.Duration {
	if len(s.Lat) == 0 {
		return 0
	}
	slices.Sort(s.Lat)
	i := int(float64(len(s.Lat))*p/100+0.5) - 1
	return s.Lat[max(0, min(i, len(s.Lat)-1))]
}

// round keeps conc requests in flight for d, then waits for them to finish.
// Throughput counts the drain, so nothing in flight is ignored.
func round(site *Site, path string, conc int, d time.Duration) Sample {
	var cpu0 time.Duration
	w0 := int64(-1)
	if site.Pid > 0 {
		cpu0, w0 = procCPU(site.Pid), procWrites(site.Pid)
	}
	start := time.Now()
	deadline := start.Add(d)
	var mu sync.Mutex
	var out Sample
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 256)
			var n, errs int
			var recv int64
			var firstErr error
			for time.Now().Before(deadline) {
				t0 := time.Now()
				nb, err := fetch(context.Background(), site.Client, site.Base, path)
				if err != nil {
					errs++
					if firstErr == nil {
						firstErr = err
					}
					continue
				}
				lat = append(lat, time.Since(t0))
				n++
				recv += nb
			}
			mu.Lock()
			out.N += n
			out.Bytes += recv
			out.Errs += errs
			out.Lat = append(out.Lat, lat...)
			if out.FirstErr == nil {
				out.FirstErr = firstErr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	out.Elapsed = time.Since(start)
	if site.Pid > 0 && cpu0 > 0 {
		out.CPU = procCPU(site.Pid) - cpu0
	}
	out.Writes = -1
	if w0 >= 0 {
		if w1 := procWrites(site.Pid); w1 >= w0 {
			out.Writes = w1 - w0
		}
	}
	return out
}

// cell measures one resource at one concurrency on both sites, in rounds
// alternating A B, B A, … so that drift and noise hit both alike.
func cell(a, b *Site, path string, conc, rounds int, perSite time.Duration) (Sample, Sample) {
	rd := perSite / time.Duration(rounds)
	// Warm-up: connections, upstream and proxy buffers, GC pacing.
	round(a, path, conc, rd/2)
	round(b, path, conc, rd/2)
	var sa, sb Sample
	for i := 0; i < rounds; i++ {
		if i%2 == 0 {
			sa.add(round(a, path, conc, rd))
			sb.add(round(b, path, conc, rd))
		} else {
			sb.add(round(b, path, conc, rd))
			sa.add(round(a, path, conc, rd))
		}
	}
	return sa, sb
}

// pairedRatio is the median over rounds of b's req/s over a's in the same
// pair of adjacent rounds: a burst of outside load hits one pair, not the
// figure.
func pairedRatio(a, b Sample) float64 {
	var r []float64
	for i := 0; i < min(len(a.Rounds), len(b.Rounds)); i++ {
		if a.Rounds[i] > 0 {
			r = append(r, b.Rounds[i]/a.Rounds[i])
		}
	}
	if len(r) == 0 {
		return 0
	}
	slices.Sort(r)
	if len(r)%2 == 0 {
		return (r[len(r)/2-1] + r[len(r)/2]) / 2
	}
	return r[len(r)/2]
}
