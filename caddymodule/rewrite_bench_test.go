package caddymodule

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/crmframe/crmframe/internal/benchpage"
)

// BenchmarkRewriteCRMPage runs the end-to-end bench's 128 KB CRM page
// through the body rewriter crm_frame really builds (breakout neutralize,
// so every inline script and handler goes through the JS rewriter and the
// breakout metrics), in 32 KB writes as reverse_proxy sends them. It is the
// rewriter's share of what `make bench` measures on html-128KB.
func BenchmarkRewriteCRMPage(b *testing.B) {
	rw := handlerBodyRewriter(b)
	page := benchpage.CRMPage(1, 128<<10)
	req := httptest.NewRequest(http.MethodGet, "http://crm.example/crm/customer.html", nil)
	req.Header.Set("Sec-Fetch-Dest", "iframe")
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		f := rw.Filter(req, http.StatusOK, http.Header{"Content-Type": {"text/html; charset=utf-8"}}, io.Discard)
		for p := page; len(p) > 0; {
			n := min(32<<10, len(p))
			if _, err := f.Write(p[:n]); err != nil {
				b.Fatal(err)
			}
			p = p[n:]
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
