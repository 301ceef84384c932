package injector

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// A JavaScript response is held whole, so it goes out with its length
// instead of chunked (fewer write system calls per response): rewritten or
// not, from the cache or not. An upstream flush sends the headers first,
// as before, and then the body is chunked.
func TestJSResponseLength(t *testing.T) {
	rw, err := NewBodyRewriter(BodyOptions{RewriteJS: fakeRewriteJS, JSCacheSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &Config{Policy: HeaderPolicy{FrameAncestors: []string{"https://desk.example"}}, Body: rw.Filter}
	busting := []byte(strings.Repeat("var a = 1;\n", 3000) + "if (top != self) top.location = self.location;\n")
	plain := []byte(strings.Repeat("var b = 2;\n", 3000))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := busting
		if r.URL.Query().Get("plain") != "" {
			body = plain
		}
		rw := cfg.Wrap(w, r)
		rw.Header().Set("Content-Type", "application/javascript")
		rw.Header().Set("Content-Length", strconv.Itoa(len(body)))
		rw.WriteHeader(http.StatusOK)
		for p := body; len(p) > 0; {
			n := min(8<<10, len(p))
			if _, err := rw.Write(p[:n]); err != nil {
				return
			}
			if r.URL.Query().Get("flush") != "" {
				rw.Flush()
			}
			p = p[n:]
		}
		_ = rw.Close()
	}))
	defer srv.Close()
	want := bytes.ReplaceAll(busting, []byte("top.location"), []byte(`__cf.loc("classic")`))
	for _, c := range []struct {
		query     string
		want      []byte
		chunked   bool
		cacheNote string
	}{
		{"", want, false, "miss"},
		{"", want, false, "hit"},
		{"plain=1", plain, false, "unchanged"},
		{"flush=1", want, true, "hit, flushed"},
	} {
		resp, err := http.Get(srv.URL + "/app.js?" + c.query)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || !bytes.Equal(body, c.want) {
			t.Fatalf("%s (%s): %d bytes, %v; want the %d bytes", c.query, c.cacheNote, len(body), err, len(c.want))
		}
		chunked := len(resp.TransferEncoding) > 0
		if chunked != c.chunked || !chunked && resp.ContentLength != int64(len(c.want)) {
			t.Errorf("%s (%s): Content-Length %d, Transfer-Encoding %v; want chunked = %v, length %d", c.query, c.cacheNote, resp.ContentLength, resp.TransferEncoding, c.chunked, len(c.want))
		}
	}
}

// The re-encoded output of a compressed page goes out in one write per
// rewritten chunk, not in the encoder's ~240-byte pieces.
func TestEncodedOutputCoalesced(t *testing.T) {
	page := genPage(128 << 10)
	rw, err := NewBodyRewriter(BodyOptions{Scripts: []string{testSDK}, RewriteJS: fakeRewriteJS})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range testCodings {
		in := compress(t, c, page)
		var ident, enc countingWriter
		for _, w := range []*countingWriter{&ident, &enc} {
			h := http.Header{"Content-Type": {"text/html"}}
			body := page
			if w == &enc {
				h.Set("Content-Encoding", c.name)
				body = in
			}
			f := rw.Filter(getReq(), 200, h, w)
			for p := body; len(p) > 0; {
				n := min(32<<10, len(p))
				if _, err := f.Write(p[:n]); err != nil {
					t.Fatal(err)
				}
				p = p[n:]
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		}
		if got := decompress(t, c, enc.buf.Bytes()); !bytes.Equal(got, ident.buf.Bytes()) {
			t.Fatalf("%s: decoded output differs from the identity page's output", c.label())
		}
		// One write per 64 KiB output chunk, plus the encoder's header.
		if enc.writes > ident.writes+2 {
			t.Errorf("%s: %d writes of %d bytes (identity: %d writes)", c.label(), enc.writes, enc.buf.Len(), ident.writes)
		}
	}
}

type countingWriter struct {
	buf    bytes.Buffer
	writes int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes++
	return w.buf.Write(p)
}
