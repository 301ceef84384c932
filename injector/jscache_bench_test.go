package injector

import (
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/crmframe/crmframe/internal/benchpage"
)

// BenchmarkJSCacheHit is a 700 KB bundle served again from the rewritten-
// JavaScript cache, in 32 KB writes, with and without a Content-Length
// (which sizes the body buffer once). No MB/s on purpose: the bench
// harness reads MB/s lines of this package as HTML rewriter figures.
func BenchmarkJSCacheHit(b *testing.B) {
	js := benchpage.JSBundle(3, 700<<10)
	rw, err := NewBodyRewriter(BodyOptions{RewriteJS: fakeRewriteJS, JSCacheSize: 16 << 20})
	if err != nil {
		b.Fatal(err)
	}
	req := getReq()
	req.Header.Set("Sec-Fetch-Dest", "script")
	// first is the size of the first write: reverse_proxy's first read
	// returns what its 4 KiB reader holds after the headers.
	serve := func(withLength bool, first int) {
		h := http.Header{"Content-Type": {"application/javascript"}}
		if withLength {
			h.Set("Content-Length", strconv.Itoa(len(js)))
		}
		f := rw.Filter(req, 200, h, io.Discard)
		for p, n := js, first; len(p) > 0; n = 32 << 10 {
			n = min(n, len(p))
			if _, err := f.Write(p[:n]); err != nil {
				b.Fatal(err)
			}
			p = p[n:]
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
	serve(true, 32<<10) // fills the cache
	for _, c := range []struct {
		name       string
		withLength bool
		first      int
	}{{"content-length", true, 32 << 10}, {"chunked", false, 32 << 10}, {"proxy-reads", true, 1700}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				serve(c.withLength, c.first)
			}
		})
	}
}
