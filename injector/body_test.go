package injector

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"
)

func TestNewBodyRewriterValidation(t *testing.T) {
	bad := []BodyOptions{
		{Scripts: []string{"/sdk.js"}, SDKAttrs: "data-x=1"},                // no leading space
		{Scripts: []string{"/sdk.js"}, SDKAttrs: ` data-x="é"`},             // not ASCII
		{Scripts: []string{"/sdk.js"}, SDKAttrs: ` data-x="1"><script>x()`}, // closes the tag
		{Scripts: []string{"/sdk.js"}, SDKAttrs: " a\x01"},
		{Scripts: []string{"sdk.js"}},
		{Scripts: []string{"/sdk .js"}},
		{Scripts: []string{"/sdké.js"}},
		{Scripts: []string{"javascript:alert(1)"}},
		{MaxRewriteSize: -1},
	}
	for _, o := range bad {
		if _, err := NewBodyRewriter(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	b, err := NewBodyRewriter(BodyOptions{Scripts: []string{`/s.js?a="1"&b=<2>`, "https://x.example/y.js"}, SDKAttrs: ` async data-a='x y'`})
	if err != nil {
		t.Fatal(err)
	}
	want := `<script src="/s.js?a=&quot;1&quot;&amp;b=<2>" async data-a='x y'></script><script src="https://x.example/y.js"></script>`
	if string(b.plainInjection) != want {
		t.Errorf("got %s", b.plainInjection)
	}
	if b.opts.MaxRewriteSize != DefaultMaxRewriteSize {
		t.Errorf("default max %d", b.opts.MaxRewriteSize)
	}
}

func TestPassThroughResponses(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}, RewriteJS: fakeRewriteJS})
	page := "<html><head></head></html>"
	cases := []struct {
		name   string
		method string
		status int
		ct     string
		mod    func(h http.Header)
		action string
	}{
		{"HEAD", http.MethodHead, 200, "text/html", nil, ActionPassedThrough},
		{"304", "GET", 304, "text/html", nil, ActionPassedThrough},
		{"206", "GET", 206, "text/html", func(h http.Header) { h.Set("Content-Range", "bytes 0-10/100") }, ActionPassedThrough},
		{"204", "GET", 204, "text/html", nil, ActionPassedThrough},
		{"103", "GET", 103, "text/html", nil, ActionPassedThrough},
		{"image", "GET", 200, "image/png", nil, ActionPassedThrough},
		{"sse", "GET", 200, "text/event-stream", nil, ActionPassedThrough},
		{"json", "GET", 200, "application/json", nil, ActionPassedThrough},
		{"no type", "GET", 200, "", nil, ActionPassedThrough},
		{"bad type", "GET", 200, "text/html; charset", nil, ActionPassedThrough},
		{"utf-16 header", "GET", 200, "text/html; charset=utf-16", nil, ActionUndecodable},
		{"iso-2022-jp header", "GET", 200, "text/html; charset=ISO-2022-JP", nil, ActionUndecodable},
		{"too large", "GET", 200, "text/html", func(h http.Header) { h.Set("Content-Length", "999999999") }, ActionTooLarge},
	}
	for _, c := range cases {
		r := getReq()
		r.Method = c.method
		h := http.Header{}
		if c.ct != "" {
			h.Set("Content-Type", c.ct)
		}
		h.Set("ETag", `"abc"`)
		h.Set("Content-Length", "26")
		if c.mod != nil {
			c.mod(h)
		}
		before := h.Clone()
		if f := tr.Filter(r, c.status, h, &bytes.Buffer{}); f != nil {
			t.Errorf("%s: filtered", c.name)
			continue
		}
		if c.status != 304 && !equalHeaders(h, before) {
			t.Errorf("%s: headers changed: %v", c.name, h)
		}
		if res := tr.last(t); res.Action != c.action || res.Reason == "" {
			t.Errorf("%s: result %+v", c.name, res)
		}
	}
	_ = page
}

func equalHeaders(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if strings.Join(v, "\n") != strings.Join(b[k], "\n") {
			return false
		}
	}
	return true
}

func TestRewrittenHeaders(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}})
	h := htmlHeader("text/html")
	h.Set("Content-Length", "26")
	h.Set("ETag", `"v1"`)
	h.Add("ETag", `W/"v2"`)
	h.Set("Content-MD5", "x")
	h.Set("Digest", "sha-256=x")
	h.Set("Repr-Digest", "sha-256=:x:")
	h.Set("Content-Digest", "sha-256=:x:")
	h.Set("Accept-Ranges", "bytes")
	h.Set("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT")
	h.Set("Cache-Control", "max-age=60")
	if _, err, _ := run(t, tr.BodyRewriter, getReq(), 200, h, []byte("<p>x"), 0); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"Content-Length", "Content-Md5", "Digest", "Repr-Digest", "Content-Digest", "Accept-Ranges"} {
		if h.Get(k) != "" {
			t.Errorf("%s kept", k)
		}
	}
	if got := h.Values("ETag"); len(got) != 2 || got[0] != `W/"v1"` || got[1] != `W/"v2"` {
		t.Errorf("ETag %q", got)
	}
	if h.Get("Last-Modified") == "" || h.Get("Cache-Control") != "max-age=60" {
		t.Errorf("headers %v", h)
	}
}

func TestJSResponses(t *testing.T) {
	src := []byte("if (top.location != self.location) { top.location = self.location; }\n")
	t.Run("no rewriter streams untouched", func(t *testing.T) {
		tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}})
		h := htmlHeader("application/javascript")
		h.Set("Content-Length", "70")
		if _, _, filtered := run(t, tr.BodyRewriter, getReq(), 200, h, src, 0); filtered || h.Get("Content-Length") != "70" {
			t.Error("filtered without a JS rewriter")
		}
	})
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}, RewriteJS: fakeRewriteJS})
	want := bytes.ReplaceAll(src, []byte("top.location"), []byte(`__cf.loc("classic")`))
	for _, ct := range []string{"application/javascript", "text/javascript; charset=utf-8", "application/x-javascript", "text/ecmascript"} {
		h := htmlHeader(ct)
		h.Set("Content-Length", "70")
		out, err, _ := run(t, tr.BodyRewriter, getReq(), 200, h, src, 5)
		if err != nil || !bytes.Equal(out, want) || h.Get("Content-Length") != "" {
			t.Errorf("%s: err=%v out=%q", ct, err, out)
		}
		if res := tr.last(t); res.Action != ActionRewrittenJS || res.Kind != "js" || res.JSRewrites != 1 {
			t.Errorf("%s: %+v", ct, res)
		}
	}
	// Module scripts are fetched in CORS mode.
	r := getReq()
	r.Header.Set("Sec-Fetch-Dest", "script")
	r.Header.Set("Sec-Fetch-Mode", "cors")
	out, _, _ := run(t, tr.BodyRewriter, r, 200, htmlHeader("text/javascript"), src, 0)
	if !bytes.Contains(out, []byte(`__cf.loc("module")`)) {
		t.Errorf("module: %q", out)
	}
	// Worker and worklet scripts have no window (and no shim): untouched.
	for _, dest := range []string{"worker", "sharedworker", "serviceworker", "audioworklet", "paintworklet"} {
		r := getReq()
		r.Header.Set("Sec-Fetch-Dest", dest)
		h := htmlHeader("text/javascript")
		h.Set("Content-Length", "70")
		out, _, _ := run(t, tr.BodyRewriter, r, 200, h, src, 0)
		if !bytes.Equal(out, src) || h.Get("Content-Length") != "70" || tr.last(t).Action != ActionPassedThrough {
			t.Errorf("%s: %q %+v", dest, out, tr.last(t))
		}
	}
	// Unchanged scripts go out byte for byte.
	plain := []byte("var a = 1;")
	out, _, _ = run(t, tr.BodyRewriter, getReq(), 200, htmlHeader("text/javascript"), plain, 0)
	if !bytes.Equal(out, plain) {
		t.Errorf("unchanged: %q", out)
	}
	// Compressed.
	for _, c := range testCodings {
		in := compress(t, c, src)
		h := htmlHeader("text/javascript")
		h.Set("Content-Encoding", c.name)
		out, err, _ := run(t, tr.BodyRewriter, getReq(), 200, h, in, 7)
		if err != nil || !bytes.Equal(decompress(t, c, out), want) {
			t.Errorf("%s: err=%v", c.label(), err)
		}
		// Corrupt: the original goes out.
		bad := append([]byte("xx"), in...)
		out, err, _ = run(t, tr.BodyRewriter, getReq(), 200, h, bad, 7)
		if err != nil || !bytes.Equal(out, bad) || tr.last(t).Action != ActionUndecodable {
			t.Errorf("%s corrupt: err=%v res=%+v", c.label(), err, tr.last(t))
		}
	}
	// Over the limit: streamed as received.
	small := newTestRewriter(t, BodyOptions{RewriteJS: fakeRewriteJS, MaxRewriteSize: 32})
	out, err, _ := run(t, small.BodyRewriter, getReq(), 200, htmlHeader("text/javascript"), src, 10)
	if err != nil || !bytes.Equal(out, src) || small.last(t).Action != ActionTooLarge {
		t.Errorf("too large: %q %+v", out, small.last(t))
	}
	// A compressed script that inflates over the limit.
	big := bytes.Repeat([]byte("top.location;"), 100)
	in := compress(t, testCodings[0], big)
	h := htmlHeader("text/javascript")
	h.Set("Content-Encoding", "gzip")
	small2 := newTestRewriter(t, BodyOptions{RewriteJS: fakeRewriteJS, MaxRewriteSize: 200})
	out, err, _ = run(t, small2.BodyRewriter, getReq(), 200, h, in, 0)
	if err != nil || !bytes.Equal(out, in) || small2.last(t).Action != ActionTooLarge {
		t.Errorf("inflating: %+v", small2.last(t))
	}
}

// lexingRewriteJS behaves like a real JS rewriter: it refuses invalid
// UTF-8 and does not touch string literals (with backslash escapes).
func lexingRewriteJS(src []byte, kind JSKind) ([]byte, bool) {
	if !utf8.Valid(src) {
		return nil, false
	}
	var out []byte
	changed := false
	var quote byte
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case quote != 0:
			out = append(out, c)
			if c == '\\' && i+1 < len(src) {
				i++
				out = append(out, src[i])
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
			out = append(out, c)
		case bytes.HasPrefix(src[i:], []byte("top.location")):
			out = append(out, "__cf.loc()"...)
			i += len("top.location") - 1
			changed = true
		default:
			out = append(out, c)
		}
	}
	return out, changed
}

func encodeTo(t *testing.T, charset, s string) []byte {
	t.Helper()
	e, err := htmlindex.Get(charset)
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Legacy charsets: the bytes around our edits stay exactly as sent, and
// scripts are decoded before lexing (in Shift_JIS a backslash byte can
// be the second half of a character).
func TestCharsets(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}, RewriteJS: lexingRewriteJS})
	page := func(meta string) string {
		return "<html><head>" + meta + "<title>%s</title><script>var s = \"%s\"; top.location = 1;</script></head>" +
			"<body><a onclick=\"alert('%s'); top.location = 2\">%s</a></body></html>"
	}
	cases := []struct {
		charset, text string
		header, meta  bool
	}{
		{"windows-1252", "Société Générale – “café” €", true, false},
		{"windows-1252", "Société Générale – “café” €", false, true},
		{"iso-8859-2", "Zażółć gęślą jaźń", true, false},
		{"iso-8859-15", "Œuvre €", false, true},
		{"shift_jis", "表示 ソフト 能力", true, false},
		{"shift_jis", "表示 ソフト 能力", false, true},
		{"euc-jp", "顧客管理 表示", false, true},
		{"gbk", "客户管理 表", true, false},
		{"big5", "客戶管理 許功蓋", true, false},
		{"euc-kr", "고객 관리", false, true},
		{"koi8-r", "Клиенты", true, false},
		{"utf-8", "Kundenübersicht 表示", true, false},
	}
	for _, c := range cases {
		meta := ""
		if c.meta {
			meta = `<meta http-equiv="Content-Type" content="text/html; charset=` + c.charset + `">`
		}
		tpl := strings.ReplaceAll(page(meta), "%s", "\x00")
		parts := strings.Split(tpl, "\x00")
		var in bytes.Buffer
		enc := encodeTo(t, c.charset, c.text)
		for i, p := range parts {
			in.WriteString(p)
			if i < len(parts)-1 {
				in.Write(enc)
			}
		}
		ct := "text/html"
		if c.header {
			ct += "; charset=" + c.charset
		}
		out, err, _ := run(t, tr.BodyRewriter, getReq(), 200, htmlHeader(ct), in.Bytes(), 0)
		if err != nil {
			t.Fatal(err)
		}
		// Our edits are ASCII at ASCII positions: the expected output is a
		// byte replacement on the input.
		want := bytes.ReplaceAll(in.Bytes(), []byte("top.location"), []byte("__cf.loc()"))
		want = bytes.Replace(want, []byte("<title>"), append(append([]byte(nil), tr.plainInjection...), "<title>"...), 1)
		if !bytes.Equal(out, want) {
			t.Errorf("%s (header=%v meta=%v):\n got %q\nwant %q", c.charset, c.header, c.meta, out, want)
		}
		if res := tr.last(t); res.JSRewrites != 2 {
			t.Errorf("%s: %d JS rewrites", c.charset, res.JSRewrites)
		}
	}
}

func TestCharsetPassThrough(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}, RewriteJS: fakeRewriteJS})
	utf16 := append([]byte{0xFF, 0xFE}, encodeTo(t, "utf-16le", "<html><head><script>top.location=1</script></head></html>")...)
	utf16be := append([]byte{0xFE, 0xFF}, encodeTo(t, "utf-16be", "<html><head></head></html>")...)
	jis := append([]byte(`<html><head><meta charset="iso-2022-jp"><title>`), encodeTo(t, "iso-2022-jp", "顧客 <表>")...)
	jis = append(jis, "</title><script>top.location=1</script>"...)
	for name, in := range map[string][]byte{"utf-16le bom": utf16, "utf-16be bom": utf16be, "iso-2022-jp meta": jis} {
		ct := "text/html; charset=utf-8" // a BOM beats the header
		if name == "iso-2022-jp meta" {
			ct = "text/html" // the header would beat the <meta>
		}
		out, err, _ := run(t, tr.BodyRewriter, getReq(), 200, htmlHeader(ct), in, 3)
		if err != nil || !bytes.Equal(out, in) {
			t.Errorf("%s: changed: %q", name, out)
		}
		if res := tr.last(t); res.Action != ActionUndecodable || res.Injected {
			t.Errorf("%s: %+v", name, res)
		}
	}
	// A <meta> declaring UTF-16 means UTF-8.
	in := []byte(`<html><head><meta charset="utf-16"><script>top.location=1</script>`)
	out, _, _ := run(t, tr.BodyRewriter, getReq(), 200, htmlHeader("text/html"), in, 0)
	if !bytes.Contains(out, []byte(testSDK)) || !bytes.Contains(out, []byte(`__cf.loc`)) {
		t.Errorf("meta utf-16: %q", out)
	}
	// The header wins over a later <meta>, a BOM over the header.
	bomPage := append([]byte("\xEF\xBB\xBF<html><head><script>var s='"), "é"...)
	bomPage = append(bomPage, "'; top.location=1</script>"...)
	lex := newTestRewriter(t, BodyOptions{RewriteJS: lexingRewriteJS})
	out, _, _ = run(t, lex.BodyRewriter, getReq(), 200, htmlHeader("text/html; charset=windows-1252"), bomPage, 0)
	if want := bytes.Replace(bomPage, []byte("top.location"), []byte("__cf.loc()"), 1); !bytes.Equal(out, want) {
		t.Errorf("bom: %q", out)
	}
}

func TestScanTagMatchesTokenizer(t *testing.T) {
	for _, tag := range []string{
		`<a href="x" onclick='y' data-z=w checked>`,
		`<A HREF = "x"   ONCLICK = 'y'>`,
		`<a =x b="1"c=2>`,
		`<br/>`, `<br />`, `<p a=/>`, `<p a="/"/>`, `<p/a/b=c>`,
		`<input value=a"b'c>`, `<a b='>'>`, `<a href=x onclick=y>`, `<a a=1 a=2 A=3>`,
		"<a\tb\n=\fc\rd>", `<a b= >`, `<a b=>`, `<x-y:z q:r="s">`,
	} {
		checkScanTag(t, []byte(tag))
	}
}

// A <script src> runs whatever its Content-Type says (but image, audio,
// video, text/csv, or anything under nosniff): such a body is rewritten
// as JavaScript, never as HTML, and the response varies on the
// destination.
func TestScriptsOfAnyType(t *testing.T) {
	src := []byte("if (top.location != self.location) { top.location = self.location; }\n")
	want := bytes.ReplaceAll(src, []byte("top.location"), []byte(`__cf.loc("classic")`))
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}, RewriteJS: fakeRewriteJS})
	script := func() *http.Request {
		r := getReq()
		r.Header.Set("Sec-Fetch-Dest", "script")
		r.Header.Set("Sec-Fetch-Mode", "no-cors")
		return r
	}
	for _, ct := range []string{"text/html", "text/plain; charset=utf-8", "application/json", "application/octet-stream"} {
		h := htmlHeader(ct)
		out, err, _ := run(t, tr.BodyRewriter, script(), 200, h, src, 0)
		if err != nil || !bytes.Equal(out, want) {
			t.Errorf("%s: err=%v out=%q", ct, err, out)
		}
		if res := tr.last(t); res.Action != ActionRewrittenJS || res.Kind != "js" {
			t.Errorf("%s: %+v", ct, res)
		}
		if h.Get("Vary") != "Sec-Fetch-Dest" {
			t.Errorf("%s: Vary %q", ct, h.Values("Vary"))
		}
	}
	// Types a browser refuses to run as a script, and nosniff.
	for _, ct := range []string{"image/png", "video/mp4", "audio/ogg", "text/csv"} {
		h := htmlHeader(ct)
		out, _, filtered := run(t, tr.BodyRewriter, script(), 200, h, src, 0)
		if filtered || !bytes.Equal(out, src) {
			t.Errorf("%s: filtered=%v out=%q", ct, filtered, out)
		}
	}
	h := htmlHeader("text/plain")
	h.Set("X-Content-Type-Options", "nosniff")
	if out, _, filtered := run(t, tr.BodyRewriter, script(), 200, h, src, 0); filtered || !bytes.Equal(out, src) {
		t.Errorf("nosniff: filtered=%v out=%q", filtered, out)
	}
	// The same text/plain fetched as a page is not code.
	h = htmlHeader("text/plain")
	if out, _, filtered := run(t, tr.BodyRewriter, getReq(), 200, h, src, 0); filtered || !bytes.Equal(out, src) {
		t.Errorf("text/plain page: filtered=%v out=%q", filtered, out)
	}
	// An HTML page lists Sec-Fetch-Dest once in Vary, after the upstream's.
	h = htmlHeader("text/html")
	h.Set("Vary", "Accept-Encoding, sec-fetch-dest")
	if _, err, _ := run(t, tr.BodyRewriter, getReq(), 200, h, []byte("<p>x"), 0); err != nil {
		t.Fatal(err)
	}
	if got := h.Values("Vary"); len(got) != 1 {
		t.Errorf("Vary %q", got)
	}
	h = htmlHeader("text/html")
	h.Set("Vary", "Accept-Encoding")
	if _, err, _ := run(t, tr.BodyRewriter, getReq(), 200, h, []byte("<p>x"), 0); err != nil {
		t.Fatal(err)
	}
	if got := h.Values("Vary"); len(got) != 2 || got[1] != "Sec-Fetch-Dest" {
		t.Errorf("Vary %q", got)
	}
}
