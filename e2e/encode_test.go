package e2e

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestRewriterUnderEncode: a CRM site with Caddy's own `encode` directive
// (Caddy's docs put it in most sites; it runs outside crm_frame). Pages
// the CRM sends plain are rewritten, then compressed once by encode; pages
// it sends compressed are decoded, rewritten and compressed again by
// crm_frame, and encode leaves them alone. Never two layers, never the
// SDK missing.
func TestRewriterUnderEncode(t *testing.T) {
	// A page well over encode's 512-byte minimum_length.
	page := strings.Replace(crmPage(""), "</body>", strings.Repeat("<p class=row>Ticket 4711: callback requested</p>\n", 100)+"</body>", 1)
	base := startProxySite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("X-Frame-Options", "DENY")
		if coding, ok := strings.CutPrefix(r.URL.Path, "/coded/"); ok {
			w.Header().Set("Content-Encoding", coding)
			_, _ = w.Write(encode(t, coding, []byte(page)))
			return
		}
		_, _ = io.WriteString(w, page)
	}), "encode zstd gzip")
	cases := []struct {
		path, accept, want string // want: Content-Encoding of the response
	}{
		{"/plain", "gzip", "gzip"},                // encode compresses crm_frame's output
		{"/plain", "zstd, gzip", "zstd"},          // encode's preference order
		{"/coded/gzip", "gzip", "gzip"},           // crm_frame re-encodes, encode passes
		{"/coded/br", "br, gzip", "br"},           // a coding encode does not do
		{"/coded/zstd", "zstd, gzip", "zstd"},     // same coding at both layers
		{"/coded/gzip", "gzip, br, zstd", "zstd"}, // recompress_coding zstd: cheaper, as small
		{"/coded/br", "br, zstd;q=0.5", "br"},     // the browser prefers the CRM's
	}
	for _, c := range cases {
		resp, raw := getRaw(t, base+c.path, c.accept)
		if ce := resp.Header.Values("Content-Encoding"); len(ce) != 1 || ce[0] != c.want {
			t.Fatalf("%s (Accept-Encoding %s): Content-Encoding %q, want exactly %q", c.path, c.accept, ce, c.want)
		}
		if cl := resp.Header.Get("Content-Length"); cl != "" && cl != fmt.Sprint(len(raw)) {
			t.Errorf("%s: Content-Length %s for %d bytes", c.path, cl, len(raw))
		}
		checkInjectedOnly(t, c.path+" "+c.want, string(decode(t, c.want, raw)), page)
	}
}

// TestRecompressCodingChunked: a CRM that streams its gzip page in flushed
// pieces without a Content-Length (a JSP or PHP page). Caddy flushes the
// headers before the body; crm_frame holds them until it knows the coding
// of the first byte, so a browser that accepts zstd gets a zstd body under
// a zstd header (not gzip's), and recompress_coding same keeps gzip.
func TestRecompressCodingChunked(t *testing.T) {
	page := strings.Replace(crmPage(""), "</body>", strings.Repeat("<p class=row>Ticket 4711: callback requested</p>\n", 400)+"</body>", 1)
	upstream := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		writeGzipPieces(w, []byte(page))
	})
	for _, c := range []struct {
		setting, accept, want string
	}{
		{"", "gzip, deflate, br, zstd", "zstd"},
		{"", "gzip, deflate", "gzip"},
		{"recompress_coding same", "gzip, deflate, br, zstd", "gzip"},
	} {
		t.Run(c.setting+" "+c.accept, func(t *testing.T) {
			var lines []string
			if c.setting != "" {
				lines = append(lines, c.setting)
			}
			base := startRewriterProxy(t, upstream, lines...)
			resp, raw := getRaw(t, base+"/page", c.accept)
			if ce := resp.Header.Values("Content-Encoding"); len(ce) != 1 || ce[0] != c.want {
				t.Fatalf("Content-Encoding %q, want %q", ce, c.want)
			}
			if resp.ContentLength != -1 {
				t.Errorf("Content-Length %d: the page should stream", resp.ContentLength)
			}
			checkInjectedOnly(t, c.want, string(decode(t, c.want, raw)), page)
		})
	}
}
