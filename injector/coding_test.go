package injector

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
)

type testCoding struct {
	name   string // Content-Encoding
	raw    bool   // raw deflate rather than zlib
	encode func(w io.Writer) io.WriteCloser
	decode func(r io.Reader) (io.Reader, error)
}

var testCodings = []testCoding{
	{name: "gzip",
		encode: func(w io.Writer) io.WriteCloser { return gzip.NewWriter(w) },
		decode: func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }},
	{name: "deflate",
		encode: func(w io.Writer) io.WriteCloser { return zlib.NewWriter(w) },
		decode: func(r io.Reader) (io.Reader, error) { return zlib.NewReader(r) }},
	{name: "deflate", raw: true,
		encode: func(w io.Writer) io.WriteCloser { fw, _ := flate.NewWriter(w, 6); return fw },
		decode: func(r io.Reader) (io.Reader, error) { return flate.NewReader(r), nil }},
	{name: "br",
		encode: func(w io.Writer) io.WriteCloser { return brotli.NewWriter(w) },
		decode: func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil }},
	{name: "zstd",
		encode: func(w io.Writer) io.WriteCloser { zw, _ := zstd.NewWriter(w); return zw },
		decode: func(r io.Reader) (io.Reader, error) {
			zr, err := zstd.NewReader(r)
			if err != nil {
				return nil, err
			}
			return zr.IOReadCloser(), nil
		}},
}

func (c testCoding) label() string {
	if c.raw {
		return "deflate-raw"
	}
	return c.name
}

func compress(t testing.TB, c testCoding, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := c.encode(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func decompress(t testing.TB, c testCoding, b []byte) []byte {
	t.Helper()
	r, err := c.decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", c.label(), err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: output does not decode: %v", c.label(), err)
	}
	return out
}

func codedHeader(coding string) http.Header {
	h := htmlHeader("text/html; charset=utf-8")
	h.Set("Content-Encoding", coding)
	return h
}

func TestCodingRoundTrip(t *testing.T) {
	tr := newTestRewriter(t, goldenOpts())
	page := genPage(150 << 10)
	want, err, _ := run(t, tr.BodyRewriter, getReq(), 200, htmlHeader("text/html; charset=utf-8"), page, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range testCodings {
		for _, chunk := range []int{0, 1000} {
			h := codedHeader(c.name)
			in := compress(t, c, page)
			out, err, ok := run(t, tr.BodyRewriter, getReq(), 200, h, in, chunk)
			if err != nil || !ok {
				t.Fatalf("%s: err=%v filtered=%v", c.label(), err, ok)
			}
			if got := decompress(t, c, out); !bytes.Equal(got, want) {
				t.Errorf("%s chunk %d: decoded output differs from the identity rewrite", c.label(), chunk)
			}
			if h.Get("Content-Encoding") != c.name || h.Get("Content-Length") != "" {
				t.Errorf("%s: headers %v", c.label(), h)
			}
			res := tr.last(t)
			if res.Action != ActionRewrittenHTML || res.Coding != c.name || res.BytesIn != int64(len(in)) || res.BytesOut != int64(len(out)) {
				t.Errorf("%s: result %+v", c.label(), res)
			}
		}
	}
}

// Small bodies, including an empty compressed stream.
func TestCodingSmall(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}})
	for _, c := range testCodings {
		for _, page := range []string{"", "<p>x", "<html><head></head></html>"} {
			in := compress(t, c, []byte(page))
			out, err, _ := run(t, tr.BodyRewriter, getReq(), 200, codedHeader(c.name), in, 3)
			if err != nil {
				t.Fatalf("%s %q: %v", c.label(), page, err)
			}
			want := page
			if page != "" {
				want = strings.Replace(page, "<head>", "<head>"+string(tr.plainInjection), 1)
				if !strings.Contains(page, "<head>") {
					want = string(tr.plainInjection) + page
				}
			}
			if got := decompress(t, c, out); string(got) != want {
				t.Errorf("%s %q: got %q", c.label(), page, got)
			}
		}
	}
}

// A body labelled compressed that is not: nothing was sent yet when the
// decoder fails, so it goes out exactly as received.
func TestCodingMislabelled(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}})
	page := []byte("<html><head><title>plain</title></head><body>not compressed</body></html>")
	for _, c := range []string{"gzip", "deflate", "br", "zstd"} {
		out, err, _ := run(t, tr.BodyRewriter, getReq(), 200, codedHeader(c), page, 10)
		if err != nil || !bytes.Equal(out, page) {
			t.Errorf("%s: err=%v out=%q", c, err, out)
		}
		if res := tr.last(t); res.Action != ActionUndecodable || res.Injected {
			t.Errorf("%s: result %+v", c, res)
		}
	}
}

// The compressed input kept for that case is pooled: a body passed on as
// received after a longer one carries none of the other's bytes.
func TestCodingRecordReused(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}})
	long := bytes.Repeat([]byte("<p>first response, not compressed</p>\n"), 600) // 23 KB
	short := []byte("<p>second</p>")
	good := compress(t, testCodings[0], []byte("<p>third</p>"))
	for i, page := range [][]byte{long, short, long[:5000], short} {
		out, err, _ := run(t, tr.BodyRewriter, getReq(), 200, codedHeader("gzip"), page, 3000)
		if err != nil || !bytes.Equal(out, page) {
			t.Fatalf("body %d: err=%v, %d bytes out, want the %d sent", i, err, len(out), len(page))
		}
		out, err, _ = run(t, tr.BodyRewriter, getReq(), 200, codedHeader("gzip"), good, 0)
		if got := decompress(t, testCodings[0], out); err != nil || !bytes.Contains(got, []byte("<p>third</p>")) || bytes.Contains(got, []byte("first")) {
			t.Fatalf("after body %d: err=%v, out %q", i, err, got)
		}
	}
}

// Corruption after output was sent cannot be undone: the response is
// aborted (ErrAbort), never silently cut short.
func TestCodingCorruptLate(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}})
	page := genPage(160 << 10)
	for _, c := range testCodings {
		in := compress(t, c, page)
		bad := append([]byte(nil), in...)
		for i := len(bad) * 3 / 4; i < len(bad)*3/4+64; i++ {
			bad[i] ^= 0x5a
		}
		// Raw deflate has no checksum: flipped bits may decode to other
		// valid data, exactly as the browser would decode them.
		// Either nothing had been sent (zstd and brotli decode whole
		// blocks first) and the body goes out exactly as received, or the
		// response is aborted.
		if !c.raw {
			out, err, _ := run(t, tr.BodyRewriter, getReq(), 200, codedHeader(c.name), bad, 4096)
			if (err == nil && !bytes.Equal(out, bad)) || (err != nil && !errors.Is(err, ErrAbort)) {
				t.Errorf("%s corrupt: err=%v, output neither aborted nor as received", c.label(), err)
			}
			if c.name == "gzip" && !errors.Is(err, ErrAbort) {
				t.Errorf("gzip corrupt after output started: err=%v, want ErrAbort", err)
			}
			if res := tr.last(t); res.Action != ActionUndecodable {
				t.Errorf("%s corrupt: result %+v", c.label(), res)
			}
		}
		cut := in[:len(in)-50]
		out, err, _ := run(t, tr.BodyRewriter, getReq(), 200, codedHeader(c.name), cut, 4096)
		if (err == nil && !bytes.Equal(out, cut)) || (err != nil && !errors.Is(err, ErrAbort)) {
			t.Errorf("%s truncated: err=%v, output neither aborted nor as received", c.label(), err)
		}
	}
	// A short truncated body never produced output: passed on as it came.
	in := compress(t, testCodings[0], []byte("<p>short page</p>"))
	out, err, _ := run(t, tr.BodyRewriter, getReq(), 200, codedHeader("gzip"), in[:len(in)-4], 0)
	if err != nil || !bytes.Equal(out, in[:len(in)-4]) {
		t.Errorf("short truncated: err=%v", err)
	}
}

// A decompression bomb is cut off at MaxRewriteSize without holding it.
func TestCodingBomb(t *testing.T) {
	const limit = 1 << 20
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}, MaxRewriteSize: limit})
	bomb := bytes.Repeat([]byte("<p>"), (24<<20)/3) // 24 MiB of tags
	for _, c := range []testCoding{testCodings[0], testCodings[4]} {
		in := compress(t, c, bomb)
		if len(in) > limit {
			t.Fatalf("%s bomb is %d bytes compressed", c.label(), len(in))
		}
		var ms0, ms1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms0)
		out, err, _ := run(t, tr.BodyRewriter, getReq(), 200, codedHeader(c.name), in, 32<<10)
		runtime.ReadMemStats(&ms1)
		if !errors.Is(err, ErrAbort) {
			t.Errorf("%s: err=%v", c.label(), err)
		}
		if res := tr.last(t); res.Action != ActionTooLarge {
			t.Errorf("%s: result %+v", c.label(), res)
		}
		if alloc := ms1.TotalAlloc - ms0.TotalAlloc; alloc > 12<<20 {
			t.Errorf("%s: allocated %d MiB for a bomb cut at 1 MiB", c.label(), alloc>>20)
		}
		if len(out) > limit {
			t.Errorf("%s: sent %d bytes", c.label(), len(out))
		}
	}
	bomb = nil
}

func TestCodingUnknown(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}})
	for _, ce := range [][]string{{"compress"}, {"gzip, br"}, {"gzip", "br"}, {"x-custom"}} {
		h := htmlHeader("text/html")
		h["Content-Encoding"] = ce
		if _, _, filtered := run(t, tr.BodyRewriter, getReq(), 200, h, []byte("abc"), 0); filtered {
			t.Errorf("%q filtered", ce)
		}
		if res := tr.last(t); res.Action != ActionUndecodable {
			t.Errorf("%q: %+v", ce, res)
		}
	}
}

// A flush pushes what was decoded so far through the encoder.
func TestCodingFlush(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}})
	var up bytes.Buffer
	zw := gzip.NewWriter(&up)
	_, _ = zw.Write([]byte("<html><head><title>t</title></head><body><p>first</p>"))
	_ = zw.Flush()
	var down bytes.Buffer
	f := tr.Filter(getReq(), 200, codedHeader("gzip"), &down)
	if _, err := f.Write(up.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "<html><head>" + string(tr.plainInjection) + "<title>t</title></head><body><p>first</p>"
	zr, err := gzip.NewReader(bytes.NewReader(down.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(want))
	if _, err := io.ReadFull(zr, got); err != nil || string(got) != want {
		t.Fatalf("after flush: %q, %v", got, err)
	}
	n := up.Len()
	_, _ = zw.Write([]byte("<p>second</p></body></html>"))
	_ = zw.Close()
	_, _ = f.Write(up.Bytes()[n:])
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if all := decompress(t, testCodings[0], down.Bytes()); string(all) != want+"<p>second</p></body></html>" {
		t.Errorf("final %q", all)
	}
}

// genPage builds a deterministic CRM-like page of about n bytes.
func genPage(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>Accounts - CRM</title>
<link rel="stylesheet" type="text/css" href="/crm/css/main.css?v=2012">
<style type="text/css">
body { font: 11px Tahoma, Verdana, sans-serif; } .grid td { border-bottom: 1px solid #ccc; padding: 2px 4px; }
</style>
<script type="text/javascript" src="/crm/js/prototype.js"></script>
<script type="text/javascript">
var CRM = window.CRM || {}; CRM.session = "8f2a9c"; CRM.user = { id: 1042, name: "agent" };
if (top.location != self.location) { top.location = self.location; }
function openRecord(id) { window.open('/crm/account.jsp?id=' + id, 'rec', 'width=800,height=600'); return false; }
</script>
</head>
<body onload="CRM.init();" class="main">
<div id="header"><img src="/crm/img/logo.gif" width="120" height="32" alt="CRM"> <span class="user">Agent 1042</span></div>
<form name="search" method="post" action="/crm/search.do"><input type="text" name="q" size="30" onkeypress="return CRM.enter(event)"><input type="submit" value="Search"></form>
<table class="grid" width="100%" cellspacing="0" cellpadding="0">
`)
	for i := 0; b.Len() < n-200; i++ {
		b.WriteString(`<tr class="row`)
		b.WriteByte(byte('0' + i%2))
		b.WriteString(`"><td><input type="checkbox" name="sel" value="`)
		b.WriteString(itoa(i))
		b.WriteString(`"></td><td><a href="#" onclick="return openRecord(`)
		b.WriteString(itoa(i))
		b.WriteString(`)">Account `)
		b.WriteString(itoa(i * 7919 % 100000))
		b.WriteString(`</a></td><td>Customer &amp; Sons Ltd.</td><td>+44 20 7946 `)
		b.WriteString(itoa(1000 + i%9000))
		b.WriteString(`</td><td><!-- status -->Open</td></tr>
`)
		if i%200 == 199 {
			b.WriteString("<script type=\"text/javascript\">CRM.rows += 200; if (CRM.rows > 1000) { CRM.more(); }</script>\n")
		}
	}
	b.WriteString("</table>\n</body>\n</html>\n")
	return b.Bytes()
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var d [20]byte
	n := len(d)
	for i > 0 {
		n--
		d[n] = byte('0' + i%10)
		i /= 10
	}
	return string(d[n:])
}

// Every recompress level yields the same decoded page and the same JS, in
// every coding; fastest is never smaller than better (the level really is
// applied, not only accepted).
func TestRecompressLevels(t *testing.T) {
	page := genPage(150 << 10)
	js := bytes.Repeat([]byte("if (top.location != self.location) { top.location = self.location; }\nvar x = 'abc';\n"), 2000)
	wantJS := bytes.ReplaceAll(js, []byte("top.location"), []byte(`__cf.loc("classic")`))
	ident := newTestRewriter(t, goldenOpts())
	wantPage, err, _ := run(t, ident.BodyRewriter, getReq(), 200, htmlHeader("text/html; charset=utf-8"), page, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range testCodings {
		sizes := map[Recompression]int{}
		for _, lv := range []Recompression{RecompressFastest, RecompressDefault, RecompressBetter} {
			opts := goldenOpts()
			opts.Recompress = lv
			tr := newTestRewriter(t, opts)
			out, err, ok := run(t, tr.BodyRewriter, getReq(), 200, codedHeader(c.name), compress(t, c, page), 4096)
			if err != nil || !ok {
				t.Fatalf("%s %v: err=%v filtered=%v", c.label(), lv, err, ok)
			}
			if got := decompress(t, c, out); !bytes.Equal(got, wantPage) {
				t.Errorf("%s %v: decoded page differs from the identity rewrite", c.label(), lv)
			}
			sizes[lv] = len(out)

			tr = newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}, RewriteJS: fakeRewriteJS, Recompress: lv})
			h := htmlHeader("application/javascript")
			h.Set("Content-Encoding", c.name)
			out, err, _ = run(t, tr.BodyRewriter, getReq(), 200, h, compress(t, c, js), 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := decompress(t, c, out); !bytes.Equal(got, wantJS) {
				t.Errorf("%s %v: decoded JS differs", c.label(), lv)
			}
		}
		if sizes[RecompressFastest] < sizes[RecompressBetter] {
			t.Errorf("%s: fastest %d bytes < better %d bytes", c.label(), sizes[RecompressFastest], sizes[RecompressBetter])
		}
		t.Logf("%s: fastest %d, default %d, better %d bytes", c.label(), sizes[RecompressFastest], sizes[RecompressDefault], sizes[RecompressBetter])
	}
	if _, err := NewBodyRewriter(BodyOptions{Recompress: numRecompress}); err == nil {
		t.Error("an unknown level was accepted")
	}
	for lv := RecompressDefault; lv < numRecompress; lv++ {
		if got, err := ParseRecompression(lv.String()); err != nil || got != lv {
			t.Errorf("ParseRecompression(%q) = %v, %v", lv.String(), got, err)
		}
	}
	if _, err := ParseRecompression("9"); err == nil {
		t.Error(`ParseRecompression("9") accepted`)
	}
}
