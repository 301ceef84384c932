package injector

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"

	"golang.org/x/net/html"
)

var benchSizes = []struct {
	name string
	size int
}{{"128KB", 128 << 10}, {"1MB", 1 << 20}}

// BenchmarkRewriteHTML runs a generated CRM page through the rewriter in
// 32 KB writes (what reverse_proxy does), as one request per iteration.
func BenchmarkRewriteHTML(b *testing.B) {
	for _, sz := range benchSizes {
		page := genPage(sz.size)
		for _, v := range benchVariants() {
			rw, err := NewBodyRewriter(v.opts)
			if err != nil {
				b.Fatal(err)
			}
			req := getReq()
			b.Run(sz.name+"/"+v.name, func(b *testing.B) {
				b.SetBytes(int64(len(page)))
				b.ReportAllocs()
				for b.Loop() {
					if err := rewritePage(rw, req, page); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkTokenizerBare is the floor: the x/net/html tokenizer copying
// every token's raw bytes out, nothing else.
func BenchmarkTokenizerBare(b *testing.B) {
	for _, sz := range benchSizes {
		page := genPage(sz.size)
		b.Run(sz.name, func(b *testing.B) {
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			for b.Loop() {
				z := html.NewTokenizer(bytes.NewReader(page))
				for z.Next() != html.ErrorToken {
					if _, err := io.Discard.Write(z.Raw()); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkRewriteHTMLGzip includes decoding and re-encoding.
func BenchmarkRewriteHTMLGzip(b *testing.B) {
	page := genPage(128 << 10)
	in := compress(b, testCodings[0], page)
	rw, err := NewBodyRewriter(BodyOptions{Scripts: []string{testSDK}})
	if err != nil {
		b.Fatal(err)
	}
	req := getReq()
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		h := http.Header{"Content-Type": {"text/html"}, "Content-Encoding": {"gzip"}}
		f := rw.Filter(req, 200, h, io.Discard)
		if _, err := f.Write(in); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRewriteVsTokenizer alternates the bare tokenizer and the
// rewriter on the same page within each iteration, so machine noise
// (other processes) hits both alike, and reports their ratio.
func BenchmarkRewriteVsTokenizer(b *testing.B) {
	for _, sz := range benchSizes {
		page := genPage(sz.size)
		rw, err := NewBodyRewriter(BodyOptions{Scripts: []string{testSDK, testInject}, SDKAttrs: testAttrs})
		if err != nil {
			b.Fatal(err)
		}
		req := getReq()
		b.Run(sz.name, func(b *testing.B) {
			bare, ours := alternate(b, func() {
				z := html.NewTokenizer(bytes.NewReader(page))
				for z.Next() != html.ErrorToken {
					_, _ = io.Discard.Write(z.Raw())
				}
			}, func() { _ = rewritePage(rw, req, page) })
			mb := float64(len(page)) * float64(b.N) / 1e6
			b.ReportMetric(mb/bare.Seconds(), "bare-MB/s")
			b.ReportMetric(mb/ours.Seconds(), "rewrite-MB/s")
			b.ReportMetric(bare.Seconds()/ours.Seconds(), "ratio")
		})
	}
}

// BenchmarkFastSkip alternates the rewriter with the fast skip off (the
// tokenizer sees every byte) and on, on the same page within each
// iteration, and reports the speed-up.
func BenchmarkFastSkip(b *testing.B) {
	page := genPage(128 << 10)
	for _, v := range benchVariants() {
		rw, err := NewBodyRewriter(v.opts)
		if err != nil {
			b.Fatal(err)
		}
		req := getReq()
		once := func() { _ = rewritePage(rw, req, page) }
		b.Run(v.name, func(b *testing.B) {
			defer func() { disableFastSkip = false }()
			slow, fast := alternate(b,
				func() { disableFastSkip = true; once() },
				func() { disableFastSkip = false; once() })
			mb := float64(len(page)) * float64(b.N) / 1e6
			b.ReportMetric(mb/slow.Seconds(), "slow-MB/s")
			b.ReportMetric(mb/fast.Seconds(), "fast-MB/s")
			b.ReportMetric(slow.Seconds()/fast.Seconds(), "speedup")
		})
	}
}

// benchVariants are the rewriter configurations the HTML benchmarks run:
// injection only, and injection with a JS hook that changes nothing.
func benchVariants() []struct {
	name string
	opts BodyOptions
} {
	noop := func(src []byte, kind JSKind) ([]byte, bool) { return nil, false }
	return []struct {
		name string
		opts BodyOptions
	}{
		{"inject", BodyOptions{Scripts: []string{testSDK, testInject}, SDKAttrs: testAttrs}},
		{"inject+jshook", BodyOptions{Scripts: []string{testSDK, testInject}, SDKAttrs: testAttrs, RewriteJS: noop}},
	}
}

// rewritePage sends page through rw in 32 KB writes (what reverse_proxy
// does), as one response.
func rewritePage(rw *BodyRewriter, req *http.Request, page []byte) error {
	return sendBody(rw, req, http.Header{"Content-Type": {"text/html; charset=utf-8"}}, page)
}

// sendBody sends body with headers h through rw in 32 KB writes.
func sendBody(rw *BodyRewriter, req *http.Request, h http.Header, page []byte) error {
	f := rw.Filter(req, 200, h, io.Discard)
	for p := page; len(p) > 0; {
		n := min(32<<10, len(p))
		if _, err := f.Write(p[:n]); err != nil {
			_ = f.Close()
			return err
		}
		p = p[n:]
	}
	return f.Close()
}

// alternate runs first then second on every iteration, so that machine
// noise hits both alike, and returns the time each took in total.
func alternate(b *testing.B, first, second func()) (d1, d2 time.Duration) {
	for b.Loop() {
		t0 := time.Now()
		first()
		t1 := time.Now()
		second()
		d1 += t1.Sub(t0)
		d2 += time.Since(t1)
	}
	return d1, d2
}
