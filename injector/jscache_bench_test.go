package injector

import (
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
	serve := func(withLength bool) {
		h := http.Header{"Content-Type": {"application/javascript"}}
		if withLength {
			h.Set("Content-Length", strconv.Itoa(len(js)))
		}
		if err := sendBody(rw, req, h, js); err != nil {
			b.Fatal(err)
		}
	}
	serve(true) // fills the cache
	for _, withLength := range []bool{true, false} {
		name := "content-length"
		if !withLength {
			name = "chunked"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				serve(withLength)
			}
		})
	}
}
