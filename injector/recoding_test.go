package injector

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
)

var zstdCoding = testCodings[4]

func TestOutCoding(t *testing.T) {
	for _, c := range []struct {
		in, accept, want string
		same             bool
	}{
		{"gzip", "gzip, deflate, br, zstd", "zstd", false}, // Chrome over HTTPS
		{"gzip", "gzip, deflate", "gzip", false},           // Chrome over HTTP
		{"gzip", "", "gzip", false},
		{"br", "br, zstd", "zstd", false},
		{"deflate", "deflate, zstd", "zstd", false},
		{"zstd", "zstd", "zstd", false},
		{"", "zstd", "", false}, // never compress what the CRM did not
		{"gzip", "zstd;q=0, gzip", "gzip", false},
		{"gzip", "zstd;q=0.5, gzip", "gzip", false},
		{"gzip", "zstd, gzip;q=0.8", "zstd", false},
		{"gzip", "gzip;q=0.5, zstd;q=0.5", "zstd", false}, // a tie: the cheaper one
		{"gzip", "x-gzip, zstd;q=0.9", "gzip", false},
		{"gzip", "*", "zstd", false},
		{"gzip", "*;q=0, gzip", "gzip", false},
		{"gzip", "zstd;q=abc, gzip", "zstd", false}, // unreadable q counts as 1 (as acceptsGzip always read it)
		{"br", "zstd", "zstd", false},               // the CRM sent one the browser did not name
		{"gzip", "gzip, zstd", "gzip", true},
	} {
		rc := RecompressToZstd
		if c.same {
			rc = RecompressSame
		}
		var accept []string
		if c.accept != "" {
			accept = []string{c.accept}
		}
		if got := outCoding(c.in, rc, accept); got != c.want {
			t.Errorf("outCoding(%q, %v, %q) = %q, want %q", c.in, rc, c.accept, got, c.want)
		}
	}
	if _, err := ParseRecompressCoding("gzip"); err == nil {
		t.Error("ParseRecompressCoding(gzip): no error")
	}
	for _, c := range []RecompressCoding{RecompressToZstd, RecompressSame} {
		if got, err := ParseRecompressCoding(c.String()); err != nil || got != c {
			t.Errorf("ParseRecompressCoding(%q) = %v, %v", c.String(), got, err)
		}
	}
}

// recodeServe sends body with the CRM's headers h through a Config wrapping
// a recorder, as Caddy's reverse_proxy would (writes of chunk bytes, a
// flush after each when flush is set), and returns the recorder and what
// Close said.
func recodeServe(t *testing.T, cfg *Config, accept string, h http.Header, body []byte, chunk int, flush bool) (*httptest.ResponseRecorder, error) {
	t.Helper()
	r := getReq()
	if accept != "" {
		r.Header.Set("Accept-Encoding", accept)
	}
	rec := httptest.NewRecorder()
	w := cfg.Wrap(rec, r)
	for k, v := range h {
		w.Header()[k] = slices.Clone(v)
	}
	w.WriteHeader(http.StatusOK)
	if flush {
		w.Flush() // as Caddy does before the body of a chunked response
	}
	if chunk <= 0 {
		chunk = len(body) + 1
	}
	for p := body; len(p) > 0; {
		n := min(chunk, len(p))
		if _, err := w.Write(p[:n]); err != nil {
			break
		}
		if flush {
			w.Flush()
		}
		p = p[n:]
	}
	return rec, w.Close()
}

func recodeConfig(t *testing.T, rc RecompressCoding) (*Config, *testRewriter) {
	t.Helper()
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}, RewriteJS: fakeRewriteJS, JSCacheSize: 1 << 20, RecompressCoding: rc})
	return &Config{Policy: HeaderPolicy{FrameAncestors: []string{"https://desk.example"}}, Body: tr.Filter}, tr
}

// A page the CRM sent gzip goes out zstd to a browser that accepts it,
// decoding to the same rewrite; as gzip to one that does not, or with
// recompress_coding same.
func TestRecompressToZstdHTML(t *testing.T) {
	cfg, tr := recodeConfig(t, RecompressToZstd)
	page := genPage(150 << 10)
	want, err, _ := run(t, tr.BodyRewriter, getReq(), 200, htmlHeader("text/html; charset=utf-8"), page, 0)
	if err != nil {
		t.Fatal(err)
	}
	gz := compress(t, testCodings[0], page)
	same, trSame := recodeConfig(t, RecompressSame)
	for _, c := range []struct {
		name        string
		cfg         *Config
		tr          *testRewriter
		accept      string
		chunk       int
		flush       bool
		wantCoding  string
		wantVaryAcc bool
	}{
		{"chrome https", cfg, tr, "gzip, deflate, br, zstd", 0, false, "zstd", true},
		{"chrome https, chunked and flushed", cfg, tr, "gzip, deflate, br, zstd", 4096, true, "zstd", true},
		{"chrome http", cfg, tr, "gzip, deflate", 4096, false, "gzip", true},
		{"recompress_coding same", same, trSame, "gzip, deflate, br, zstd", 4096, false, "gzip", false},
	} {
		rec, err := recodeServe(t, c.cfg, c.accept, codedHeader("gzip"), gz, c.chunk, c.flush)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if ce := rec.Result().Header.Values("Content-Encoding"); len(ce) != 1 || ce[0] != c.wantCoding {
			t.Fatalf("%s: Content-Encoding %q, want %q", c.name, ce, c.wantCoding)
		}
		if res := c.tr.last(t); res.Coding != "gzip" || res.SentCoding != c.wantCoding {
			t.Errorf("%s: Result codings %q -> %q, want gzip -> %s", c.name, res.Coding, res.SentCoding, c.wantCoding)
		}
		coding := testCodings[0]
		if c.wantCoding == "zstd" {
			coding = zstdCoding
		}
		if got := decompress(t, coding, rec.Body.Bytes()); !bytes.Equal(got, want) {
			t.Errorf("%s: decoded body differs from the identity rewrite (%d against %d bytes)", c.name, len(got), len(want))
		}
		vary := strings.Join(rec.Result().Header.Values("Vary"), ",")
		if strings.Contains(vary, "Accept-Encoding") != c.wantVaryAcc {
			t.Errorf("%s: Vary %q", c.name, vary)
		}
	}
}

// Bodies that cannot be rewritten still go out exactly as received, with
// the CRM's Content-Encoding: the headers wait for the first byte.
func TestRecompressToZstdPassThrough(t *testing.T) {
	cfg, tr := recodeConfig(t, RecompressToZstd)
	const accept = "gzip, br, zstd"
	mislabelled := []byte("<html><head><title>plain</title></head><body>not compressed</body></html>")
	short := compress(t, testCodings[0], []byte("<p>short page</p>"))
	var empty bytes.Buffer
	zw := gzip.NewWriter(&empty)
	_ = zw.Close()
	for _, c := range []struct {
		name string
		body []byte
	}{
		{"mislabelled", mislabelled},
		{"short and truncated", short[:len(short)-4]},
		{"empty gzip stream", empty.Bytes()},
	} {
		rec, err := recodeServe(t, cfg, accept, codedHeader("gzip"), c.body, 10, false)
		if err != nil || !bytes.Equal(rec.Body.Bytes(), c.body) {
			t.Errorf("%s: err=%v, body %q, want it as received", c.name, err, rec.Body.Bytes())
		}
		if ce := rec.Result().Header.Get("Content-Encoding"); ce != "gzip" {
			t.Errorf("%s: Content-Encoding %q, want the CRM's gzip", c.name, ce)
		}
	}
	// A flush before anything decoded does not send the headers: the
	// CRM's bytes can still go out as received, under its coding.
	for _, c := range []struct {
		name string
		body []byte
	}{
		{"mislabelled", mislabelled},
		{"corrupt after the first bytes", append(short[:5:5], mislabelled...)},
		{"empty gzip stream", empty.Bytes()},
	} {
		rec, err := recodeServe(t, cfg, accept, codedHeader("gzip"), c.body, 4, true)
		if err != nil || !bytes.Equal(rec.Body.Bytes(), c.body) {
			t.Errorf("%s, flushed: err=%v, body %q, want it as received", c.name, err, rec.Body.Bytes())
		}
		if ce := rec.Result().Header.Get("Content-Encoding"); ce != "gzip" {
			t.Errorf("%s, flushed: Content-Encoding %q, want the CRM's gzip", c.name, ce)
		}
		if res := tr.last(t); res.SentCoding != "gzip" {
			t.Errorf("%s, flushed: Result.SentCoding %q, want the CRM's gzip", c.name, res.SentCoding)
		}
	}
	// Once rewritten bytes went out under zstd, corruption further on
	// aborts the response, as it does without recoding.
	page := genPage(160 << 10)
	bad := compress(t, testCodings[0], page)
	for i := len(bad) * 3 / 4; i < len(bad)*3/4+64; i++ {
		bad[i] ^= 0x5a
	}
	rec, err := recodeServe(t, cfg, accept, codedHeader("gzip"), bad, 4096, true)
	if !errors.Is(err, ErrAbort) {
		t.Errorf("corrupt late: %v, want ErrAbort", err)
	}
	if ce := rec.Result().Header.Get("Content-Encoding"); ce != "zstd" || !rec.Flushed {
		t.Errorf("corrupt late: Content-Encoding %q, flushed %v; want zstd, flushed", ce, rec.Flushed)
	}
	if res := tr.last(t); res.SentCoding != "zstd" {
		t.Errorf("corrupt late: Result.SentCoding %q, want zstd (rewritten bytes went out)", res.SentCoding)
	}
}

// A script the rewriter changes goes out zstd (cached per coding); one it
// leaves alone goes out as the CRM sent it. A flush does not release the
// headers of a held script before its coding is known.
func TestRecompressToZstdJS(t *testing.T) {
	cfg, tr := recodeConfig(t, RecompressToZstd)
	busting := []byte(strings.Repeat("var a = 1;\n", 3000) + "if (top != self) top.location = self.location;\n")
	plain := []byte(strings.Repeat("var b = 2;\n", 3000))
	want := bytes.ReplaceAll(busting, []byte("top.location"), []byte(`__cf.loc("classic")`))
	jsHeader := func() http.Header {
		return http.Header{"Content-Type": {"application/javascript"}, "Content-Encoding": {"gzip"}}
	}
	gzBusting, gzPlain := compress(t, testCodings[0], busting), compress(t, testCodings[0], plain)
	for _, c := range []struct {
		name       string
		accept     string
		body       []byte
		flush      bool
		wantCoding string
		want       []byte
	}{
		{"rewritten, miss", "gzip, zstd", gzBusting, false, "zstd", want},
		{"rewritten, hit", "gzip, zstd", gzBusting, false, "zstd", want},
		{"rewritten, hit, flushed", "gzip, zstd", gzBusting, true, "zstd", want},
		{"rewritten, gzip-only browser", "gzip", gzBusting, false, "gzip", want},
		{"rewritten, gzip-only browser, hit", "gzip", gzBusting, true, "gzip", want},
		{"unchanged", "gzip, zstd", gzPlain, false, "gzip", plain},
		{"unchanged, flushed", "gzip, zstd", gzPlain, true, "gzip", plain},
	} {
		rec, err := recodeServe(t, cfg, c.accept, jsHeader(), c.body, 8<<10, c.flush)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if ce := rec.Result().Header.Get("Content-Encoding"); ce != c.wantCoding {
			t.Fatalf("%s: Content-Encoding %q, want %q", c.name, ce, c.wantCoding)
		}
		if res := tr.last(t); res.SentCoding != c.wantCoding {
			t.Errorf("%s: Result.SentCoding %q, want %q", c.name, res.SentCoding, c.wantCoding)
		}
		coding := testCodings[0]
		if c.wantCoding == "zstd" {
			coding = zstdCoding
		}
		if got := decompress(t, coding, rec.Body.Bytes()); !bytes.Equal(got, c.want) {
			t.Errorf("%s: decoded body differs (%d against %d bytes)", c.name, len(got), len(c.want))
		}
		if bytes.Equal(c.body, gzPlain) && !bytes.Equal(rec.Body.Bytes(), gzPlain) {
			t.Errorf("%s: an unchanged script was not sent as received", c.name)
		}
	}
}
