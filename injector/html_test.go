package injector

import (
	"bytes"
	"flag"
	"fmt"
	"golang.org/x/net/html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/html")

const (
	testSDK    = "/__crmframe/sdk.js?v=abc123"
	testInject = "https://cdn.example.com/widget.js?a=1&b=2"
	testAttrs  = ` data-crmframe-breakout="detect"`
)

// fakeRewriteJS stands in for the frame-busting rewriter: it replaces
// top.location with a marker naming the kind, with characters that need
// escaping in attributes (quotes) and in javascript: URLs (%).
func fakeRewriteJS(src []byte, kind JSKind) ([]byte, bool) {
	if !bytes.Contains(src, []byte("top.location")) {
		return nil, false
	}
	rep := `__cf.loc("` + kind.String() + `")`
	if kind == JSURL {
		rep += `/*100%*/`
	}
	return bytes.ReplaceAll(src, []byte("top.location"), []byte(rep)), true
}

type testRewriter struct {
	*BodyRewriter
	results []Result
}

func newTestRewriter(t testing.TB, opts BodyOptions) *testRewriter {
	t.Helper()
	tr := &testRewriter{}
	user := opts.OnResult
	opts.OnResult = func(r Result) {
		tr.results = append(tr.results, r)
		if user != nil {
			user(r)
		}
	}
	b, err := NewBodyRewriter(opts)
	if err != nil {
		t.Fatal(err)
	}
	tr.BodyRewriter = b
	return tr
}

func (tr *testRewriter) last(t testing.TB) Result {
	t.Helper()
	if len(tr.results) == 0 {
		t.Fatal("OnResult was not called")
	}
	return tr.results[len(tr.results)-1]
}

func goldenOpts() BodyOptions {
	return BodyOptions{Scripts: []string{testSDK, testInject}, SDKAttrs: testAttrs, RewriteJS: fakeRewriteJS}
}

func htmlHeader(ct string) http.Header {
	return http.Header{"Content-Type": {ct}}
}

// run sends body through the rewriter in chunks of the given size (0:
// one write) and returns what the client received, the filter's errors
// and whether a filter was used at all.
func run(t testing.TB, b *BodyRewriter, r *http.Request, status int, h http.Header, body []byte, chunk int) (out []byte, err error, filtered bool) {
	t.Helper()
	var buf bytes.Buffer
	f := b.Filter(r, status, h, &buf)
	if f == nil {
		return body, nil, false
	}
	if chunk <= 0 {
		chunk = len(body) + 1
	}
	for len(body) > 0 {
		n := min(chunk, len(body))
		if _, err = f.Write(body[:n]); err != nil {
			_ = f.Close()
			return buf.Bytes(), err, true
		}
		body = body[n:]
	}
	err = f.Close()
	return buf.Bytes(), err, true
}

func getReq() *http.Request {
	return httptest.NewRequest(http.MethodGet, "http://crm.example.com/page", nil)
}

func fixtureContentType(name string) string {
	if strings.HasSuffix(name, ".xhtml") {
		return "application/xhtml+xml"
	}
	return "text/html"
}

func fixtures(t *testing.T) []string {
	t.Helper()
	all, err := filepath.Glob("testdata/html/*")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range all {
		if !strings.HasSuffix(f, ".golden") {
			out = append(out, f)
		}
	}
	if len(out) < 15 {
		t.Fatalf("fixture corpus missing: %d files", len(out))
	}
	return out
}

// TestGolden rewrites every fixture and compares the exact bytes.
func TestGolden(t *testing.T) {
	tr := newTestRewriter(t, goldenOpts())
	for _, path := range fixtures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			in, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			out, err, ok := run(t, tr.BodyRewriter, getReq(), 200, htmlHeader(fixtureContentType(path)), in, 0)
			if err != nil || !ok {
				t.Fatalf("rewrite: err=%v filtered=%v", err, ok)
			}
			golden := path + ".golden"
			if *update {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update)", err)
			}
			if !bytes.Equal(out, want) {
				t.Errorf("output differs from %s:\n got: %q\nwant: %q", golden, trunc(out), trunc(want))
			}
			// Chunk boundaries must not change anything.
			chunks := []int{7, 4096}
			if len(in) < 16<<10 {
				chunks = append(chunks, 1)
			}
			for _, chunk := range chunks {
				got, err, _ := run(t, tr.BodyRewriter, getReq(), 200, htmlHeader(fixtureContentType(path)), in, chunk)
				if err != nil || !bytes.Equal(got, out) {
					t.Errorf("chunk %d: err=%v, output differs from a single write", chunk, err)
				}
			}
		})
	}
}

func trunc(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "..."
	}
	return string(b)
}

// TestInjectionOnlyEdit: without JS rewriting, the output is the input
// with our tags inserted once (or untouched when the page has the SDK).
func TestInjectionOnlyEdit(t *testing.T) {
	opts := goldenOpts()
	opts.RewriteJS = nil
	tr := newTestRewriter(t, opts)
	inj := tr.plainInjection
	for _, path := range fixtures(t) {
		in, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		out, err, _ := run(t, tr.BodyRewriter, getReq(), 200, htmlHeader(fixtureContentType(path)), in, 0)
		if err != nil {
			t.Fatal(err)
		}
		res := tr.last(t)
		n := bytes.Count(out, inj)
		switch {
		case strings.Contains(path, "has_sdk.html"):
			if n != 0 || !bytes.Equal(out, in) || res.Injected {
				t.Errorf("%s: page loading the SDK first must be untouched (injections=%d)", path, n)
			}
		case n != 1 || !res.Injected:
			t.Errorf("%s: %d injections, Injected=%v", path, n, res.Injected)
		default:
			// The only other edit: our Trusted Types policy name in a <meta> CSP.
			out = bytes.Replace(out, []byte("trusted-types crm-default crmframe"), []byte("trusted-types crm-default"), 1)
			if !bytes.Equal(bytes.Replace(out, inj, nil, 1), in) {
				t.Errorf("%s: removing the injection does not give the input back", path)
			}
		}
	}
}

// injectionAt returns the bytes before our first tag.
func injectionAt(t *testing.T, out []byte) string {
	t.Helper()
	i := bytes.Index(out, []byte(`<script src="`+testSDK))
	if i < 0 {
		t.Fatalf("no injection in %q", out)
	}
	return string(out[:i])
}

func TestInjectionPoint(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}})
	cases := []struct{ in, before string }{
		{"<html><head><title>x</title></head>", "<html><head>"},
		{"<!DOCTYPE html><HTML><HEAD><SCRIPT>a()</SCRIPT>", "<!DOCTYPE html><HTML><HEAD>"},
		{"<html><head><meta charset=\"windows-1252\"><title>x</title>", "<html><head><meta charset=\"windows-1252\">"},
		{"<html><head><meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'self'\"><script>", "<html><head>"},
		{"<html><head><base href=\"http://other/\"><script>", "<html><head>"},
		{"<html><head><title>t</title><base href=/x/>", "<html><head>"},
		{"<p>fragment", ""},
		{"text first", ""},
		{"\xEF\xBB\xBF<!doctype html><p>", "\xEF\xBB\xBF<!doctype html>"},
		{"<!-- a --><!-- b -->\n<body>", "<!-- a --><!-- b -->\n"},
		{"<script>a()</script><!DOCTYPE html>", ""},
		{"<html><frameset><frame src=a></frameset>", "<html>"},
		{"<html><head></head><body>", "<html><head>"},
		{"<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"><head/>", "<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"><head/>"},
		{"<!DOCTYPE html>\n", "<!DOCTYPE html>\n"},
	}
	for _, c := range cases {
		out, err, _ := run(t, tr.BodyRewriter, getReq(), 200, htmlHeader("text/html"), []byte(c.in), 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := injectionAt(t, out); got != c.before {
			t.Errorf("%q: injected after %q, want after %q", c.in, got, c.before)
		}
		if n := bytes.Count(out, []byte("sdk.js")); n != 1 {
			t.Errorf("%q: %d injections", c.in, n)
		}
	}
}

func TestNoInjection(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}})
	page := []byte("<html><head><title>x</title></head><body>y</body></html>")
	cases := []struct {
		name string
		page string
		mod  func(r *http.Request, h http.Header)
	}{
		{"xhr", "", func(r *http.Request, h http.Header) { r.Header.Set("X-Requested-With", "XMLHttpRequest") }},
		{"fetch", "", func(r *http.Request, h http.Header) { r.Header.Set("Sec-Fetch-Dest", "empty") }},
		{"json", "", func(r *http.Request, h http.Header) { h.Set("Content-Type", "application/json") }},
		{"css", "", func(r *http.Request, h http.Header) { h.Set("Content-Type", "text/css") }},
		{"download", "", func(r *http.Request, h http.Header) { h.Set("Content-Disposition", `attachment; filename="a.html"`) }},
		{"our sdk first", `<html><head><title>t</title><script src="/__crmframe/sdk.js?v=old"></script>`, nil},
		{"widget sdk first", `<html><head><script src="/AD/widget/agentdesktop_widget.js"></script>`, nil},
		{"widget sdk absolute same host", `<script src="http://crm.example.com/AD/widget/agentdesktop_widget.js"></script>`, nil},
		{"empty", " ", nil},
	}
	for _, c := range cases {
		r := getReq()
		h := htmlHeader("text/html")
		if c.mod != nil {
			c.mod(r, h)
		}
		in := page
		if c.page != "" {
			in = []byte(c.page)
		}
		if c.name == "empty" {
			in = nil
		}
		out, err, _ := run(t, tr.BodyRewriter, r, 200, h, in, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, in) {
			t.Errorf("%s: body changed: %q", c.name, out)
		}
	}
	// The real AgentDesktop SDK from another host is not ours: inject.
	in := []byte(`<script src="https://vendor.example.net/AD/widget/agentdesktop_widget.js"></script>`)
	out, _, _ := run(t, tr.BodyRewriter, getReq(), 200, htmlHeader("text/html"), in, 0)
	if !bytes.Contains(out, []byte(testSDK)) {
		t.Errorf("foreign SDK host: not injected: %q", out)
	}
}

func TestXHRFragmentStillRewritesJS(t *testing.T) {
	tr := newTestRewriter(t, goldenOpts())
	r := getReq()
	r.Header.Set("Sec-Fetch-Dest", "empty")
	in := []byte(`<tr><td onclick="top.location='x'">a</td></tr>`)
	out, err, _ := run(t, tr.BodyRewriter, r, 200, htmlHeader("text/html"), in, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := `<tr><td onclick="__cf.loc(&quot;handler&quot;)='x'">a</td></tr>`
	if string(out) != want {
		t.Errorf("got %q want %q", out, want)
	}
	if res := tr.last(t); res.Injected || res.JSRewrites != 1 || res.Action != ActionRewrittenHTML {
		t.Errorf("result %+v", res)
	}
}

func TestAttributeRewriting(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{RewriteJS: fakeRewriteJS})
	cases := []struct{ in, want string }{
		{`<a onclick="top.location='a'">`, `<a onclick="__cf.loc(&quot;handler&quot;)='a'">`},
		{`<a onclick='top.location="a"'>`, `<a onclick='__cf.loc("handler")="a"'>`},
		{`<a onclick='top.location=&#39;a&#39;'>`, `<a onclick='__cf.loc("handler")=&#39;a&#39;'>`},
		{`<a ONCLICK=top.location.reload()>`, `<a ONCLICK="__cf.loc(&quot;handler&quot;).reload()">`},
		{`<a onclick="if(a&amp;&amp;b)top.location=1" title="top.location">`, `<a onclick="if(a&amp;&amp;b)__cf.loc(&quot;handler&quot;)=1" title="top.location">`},
		{`<a href="javascript:top.location='x'">`, `<a href="javascript:__cf.loc(&quot;url&quot;)/*100%25*/='x'">`},
		{`<a href=" JavaScript:top.location%3D1">`, `<a href="javascript:__cf.loc(&quot;url&quot;)/*100%25*/=1">`},
		{"<a href=\"java\tscript:top.location=1\">", `<a href="javascript:__cf.loc(&quot;url&quot;)/*100%25*/=1">`},
		{`<a href="/top.location">`, `<a href="/top.location">`},
		{`<form action="javascript:top.location=1"><button formaction='javascript:top.location=2'>`, `<form action="javascript:__cf.loc(&quot;url&quot;)/*100%25*/=1"><button formaction='javascript:__cf.loc("url")/*100%25*/=2'>`},
		// The srcdoc document is rewritten like a page (no injection here:
		// no Scripts configured); its characters are escaped again.
		{`<iframe srcdoc="<script>top.location=1</script>" onload="top.location=2">`, `<iframe srcdoc="<script>__cf.loc(&quot;classic&quot;)=1</script>" onload="__cf.loc(&quot;handler&quot;)=2">`},
		{`<iframe srcdoc='<p onclick="top.location=3">x</p>'>`, `<iframe srcdoc='<p onclick="__cf.loc(&amp;quot;handler&amp;quot;)=3">x</p>'>`},
		{`<iframe srcdoc="<p>no script</p>">`, `<iframe srcdoc="<p>no script</p>">`},
		{`<div srcdoc="<script>top.location=1</script>">`, `<div srcdoc="<script>top.location=1</script>">`},
		{`<div data-onclick="top.location" on="top.location">`, `<div data-onclick="top.location" on="top.location">`},
		{`<script>top.location=1</script>`, `<script>__cf.loc("classic")=1</script>`},
		{`<script type=module>top.location=1</script>`, `<script type=module>__cf.loc("module")=1</script>`},
		{`<script language=vbscript>top.location=1</script>`, `<script language=vbscript>top.location=1</script>`},
		{`<script>top.location=1`, `<script>top.location=1`},
		{`<svg><a xlink:href="javascript:top.location=1"/></svg>`, `<svg><a xlink:href="javascript:__cf.loc(&quot;url&quot;)/*100%25*/=1"/></svg>`},
		// adv36 (x1078): an SVG <set>/<animate> gives its to, from or by to
		// the href it animates; other values stay
		{`<svg><a><set attributeName=href to="javascript:top.location=1"/><animate FROM='javascript:top.location=2' by="javascript:top.location=3" to="#top"/></a></svg>`,
			`<svg><a><set attributeName=href to="javascript:__cf.loc(&quot;url&quot;)/*100%25*/=1"/><animate FROM='javascript:__cf.loc("url")/*100%25*/=2' by="javascript:__cf.loc(&quot;url&quot;)/*100%25*/=3" to="#top"/></a></svg>`},
	}
	for _, c := range cases {
		out, err, _ := run(t, tr.BodyRewriter, getReq(), 200, htmlHeader("text/html"), []byte(c.in), 0)
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != c.want {
			t.Errorf("%s\n got %s\nwant %s", c.in, out, c.want)
		}
	}
}

// JSMayChange skips the hook for handlers, javascript: URLs and inline
// scripts it rejects, except values with character references (which it
// cannot judge before decoding), and never changes the output.
func TestJSMayChange(t *testing.T) {
	var calls []string
	hook := func(src []byte, k JSKind) ([]byte, bool) {
		calls = append(calls, string(src))
		return fakeRewriteJS(src, k)
	}
	in := []byte(`<a onclick="openRecord(1)" href="javascript:void(0)">a</a>` +
		`<a onclick="&#116;op.location=1">b</a><a onclick="top.location=2">c</a>` +
		`<script>var x = 1</script><script>top.location=3</script>`)
	plain := newTestRewriter(t, BodyOptions{RewriteJS: hook})
	want, err, _ := run(t, plain.BodyRewriter, getReq(), 200, htmlHeader("text/html"), in, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 6 {
		t.Fatalf("without JSMayChange: %d hook calls %q, want 6", len(calls), calls)
	}
	calls = nil
	pre := newTestRewriter(t, BodyOptions{RewriteJS: hook,
		JSMayChange: func(b []byte) bool { return bytes.Contains(b, []byte("top")) }})
	got, err, _ := run(t, pre.BodyRewriter, getReq(), 200, htmlHeader("text/html"), in, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs:\n got %s\nwant %s", got, want)
	}
	if !bytes.Contains(got, []byte(`onclick="__cf.loc(&quot;handler&quot;)=1"`)) {
		t.Errorf("handler with a character reference not rewritten: %s", got)
	}
	wantCalls := []string{"top.location=1", "top.location=2", "top.location=3"}
	if !slices.Equal(calls, wantCalls) {
		t.Errorf("hook calls %q, want %q", calls, wantCalls)
	}
}

// A page's rejected handler values are remembered per attribute name and
// not pre-tested again; a value that differs (even of the same length), a
// value too long to remember, or one with character references is tested.
func TestJSMayChangeRemembered(t *testing.T) {
	quiet := "this.style.background='#FFC'"
	same := "top.location=" + strings.Repeat("1", len(quiet)-len("top.location=")) // same length, a trigger
	long := "this.style.background='" + strings.Repeat("F", quietMax) + "'"
	var page bytes.Buffer
	for i := range 40 {
		fmt.Fprintf(&page, `<tr onmouseover="%s" onclick="open(%d)" onmouseout="%s"><td>%d</td></tr>`, quiet, i, long, i)
	}
	fmt.Fprintf(&page, `<tr onmouseover="%s"><td>x</td></tr><tr onmouseover="%s"></tr>`, same, quiet)
	fmt.Fprintf(&page, `<tr onmouseover="&#116;op.location=2"></tr><tr onmouseover="&#116;op.location=2"></tr>`)
	in := page.Bytes()
	plain := newTestRewriter(t, BodyOptions{RewriteJS: fakeRewriteJS})
	want, err, _ := run(t, plain.BodyRewriter, getReq(), 200, htmlHeader("text/html"), in, 1000)
	if err != nil {
		t.Fatal(err)
	}
	tested := map[string]int{}
	var hooked []string
	pre := newTestRewriter(t, BodyOptions{
		RewriteJS: func(src []byte, k JSKind) ([]byte, bool) {
			hooked = append(hooked, string(src))
			return fakeRewriteJS(src, k)
		},
		JSMayChange: func(b []byte) bool {
			tested[string(b)]++
			return bytes.Contains(b, []byte("top"))
		}})
	got, err, _ := run(t, pre.BodyRewriter, getReq(), 200, htmlHeader("text/html"), in, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from the rewriter without pre-test:\n got %s\nwant %s", got, want)
	}
	// quiet: once for the page (the trigger of the same length after it
	// is tested, twice: by the fast skip and by the rewrite).
	if tested[quiet] != 1 || tested[long] != 40 || tested[same] != 2 || tested["open(7)"] != 1 {
		t.Errorf("pre-test calls: quiet %d (want 1), long %d (want 40), same length %d (want 2), open(7) %d (want 1)",
			tested[quiet], tested[long], tested[same], tested["open(7)"])
	}
	wantHooked := []string{same, "top.location=2", "top.location=2"}
	if !slices.Equal(hooked, wantHooked) {
		t.Errorf("hook calls %q, want %q", hooked, wantHooked)
	}
}

// A panicking JS rewriter must not take the response (or the process) down.
func TestRewriteJSPanic(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}, RewriteJS: func([]byte, JSKind) ([]byte, bool) { panic("boom") }})
	in := []byte(`<html><head><script>top.location=1</script></head><body onload="x()"></body></html>`)
	out, err, _ := run(t, tr.BodyRewriter, getReq(), 200, htmlHeader("text/html"), in, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.Replace(out, tr.plainInjection, nil, 1), in) {
		t.Errorf("got %q", out)
	}
}

func TestStreamingFlush(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}})
	var buf bytes.Buffer
	f := tr.Filter(getReq(), 200, htmlHeader("text/html"), &buf)
	first := "<!DOCTYPE html><html><head><title>Report</title></head><body><table><tr><td>row 1</td></tr>"
	if _, err := f.Write([]byte(first + "\n<tr><td>row")); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 0 {
		t.Fatalf("output before flush: %q (expected buffering)", buf.String())
	}
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	want := "<!DOCTYPE html><html><head>" + string(tr.plainInjection) + "<title>Report</title></head><body><table><tr><td>row 1</td></tr>\n<tr><td>"
	if got != want {
		t.Fatalf("after flush:\n got %q\nwant %q", got, want)
	}
	if _, err := f.Write([]byte(" 2</td></tr></table></body></html>")); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if buf.String() != want+"row 2</td></tr></table></body></html>" {
		t.Errorf("final %q", buf.String())
	}
}

// Flush while holding head content decides the injection at once.
func TestFlushDuringHold(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}})
	var buf bytes.Buffer
	f := tr.Filter(getReq(), 200, htmlHeader("text/html"), &buf)
	_, _ = f.Write([]byte("<html><head><title>x</title>"))
	_ = f.Flush()
	if want := "<html><head>" + string(tr.plainInjection) + "<title>x</title>"; buf.String() != want {
		t.Fatalf("got %q want %q", buf.String(), want)
	}
	_, _ = f.Write([]byte(`<script src="/AD/widget/agentdesktop_widget.js"></script>`))
	_ = f.Close()
	if n := strings.Count(buf.String(), "sdk.js"); n != 1 {
		t.Errorf("%d injections", n)
	}
}

func TestHoldLimit(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}})
	style := "<style>" + strings.Repeat("a{}", holdLimit) + "</style>"
	in := []byte("<html><head>" + style + `<script src="/AD/widget/agentdesktop_widget.js"></script>`)
	out, _, _ := run(t, tr.BodyRewriter, getReq(), 200, htmlHeader("text/html"), in, 0)
	if got := injectionAt(t, out); got != "<html><head>" {
		t.Errorf("injected after %q", trunc([]byte(got)))
	}
}

// The output of a page bigger than max_rewrite_size without a
// Content-Length is complete: the rest goes out as received.
func TestIdentityOverLimit(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}, RewriteJS: fakeRewriteJS, MaxRewriteSize: 1000})
	head := "<html><head><script>top.location=1</script></head><body>"
	tail := strings.Repeat("<p onclick=\"top.location=2\">x</p>", 100)
	out, err, _ := run(t, tr.BodyRewriter, getReq(), 200, htmlHeader("text/html"), []byte(head+tail), 64)
	if err != nil {
		t.Fatal(err)
	}
	res := tr.last(t)
	if res.Action != ActionTooLarge || !res.Injected {
		t.Errorf("result %+v", res)
	}
	if !bytes.HasSuffix(out, []byte(tail[len(tail)-500:])) || !bytes.Contains(out, []byte(`__cf.loc("classic")`)) {
		t.Errorf("output %q", trunc(out))
	}
	// Known to be too large: not touched at all.
	h := htmlHeader("text/html")
	h.Set("Content-Length", "5000")
	if _, _, filtered := run(t, tr.BodyRewriter, getReq(), 200, h, []byte(head), 0); filtered {
		t.Error("Content-Length over the limit was filtered")
	}
	if res := tr.last(t); res.Action != ActionTooLarge {
		t.Errorf("result %+v", res)
	}
}

// A token bigger than the limit (an endless comment) streams through.
func TestTokenOverLimit(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}, MaxRewriteSize: 4096})
	in := []byte("<!DOCTYPE html><html><head><!--" + strings.Repeat("x", 10000) + "--><p>")
	out, err, _ := run(t, tr.BodyRewriter, getReq(), 200, htmlHeader("text/html"), in, 100)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.Replace(out, tr.plainInjection, nil, 1), in) {
		t.Errorf("output %q", trunc(out))
	}
}

func TestWriteError(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}})
	f := tr.Filter(getReq(), 200, htmlHeader("text/html"), failWriter{})
	big := bytes.Repeat([]byte("<p>hello</p>"), 10000)
	_, err := f.Write(big)
	if err == nil {
		err = f.Close()
	} else {
		_ = f.Close()
	}
	if err == nil || tr.last(t).Action != ActionError {
		t.Errorf("err=%v result=%+v", err, tr.last(t))
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

// Abort writes nothing more and ends the rewriter; Close ends it too: no
// goroutine is left behind either way.
func TestAbortAndNoLeak(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}})
	before := runtime.NumGoroutine()
	for i := 0; i < 50; i++ {
		for _, coding := range []string{"", "gzip"} {
			var buf bytes.Buffer
			h := htmlHeader("text/html")
			body := []byte("<html><head><title>x</title></head><body>" + strings.Repeat("<p>row</p>", 5000))
			if coding != "" {
				h.Set("Content-Encoding", coding)
				body = compress(t, testCodings[0], body)
			}
			f := tr.Filter(getReq(), 200, h, &buf)
			if _, err := f.Write(body[:len(body)/2]); err != nil {
				t.Fatal(err)
			}
			if i%2 == 0 {
				n := buf.Len()
				f.(Aborter).Abort()
				if buf.Len() != n {
					t.Fatal("Abort wrote bytes")
				}
				if _, err := f.Write(body[len(body)/2:]); err == nil || buf.Len() != n {
					t.Fatal("Write after Abort accepted")
				}
				if res := tr.last(t); res.Action != ActionError {
					t.Fatalf("result %+v", res)
				}
			} else if err := f.Close(); err != nil && coding == "" {
				t.Fatal(err)
			}
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines left behind", n-before)
	}
}

func TestHasCharRef(t *testing.T) {
	for in, want := range map[string]bool{
		"if(a && b)go()": false, "a&&(b)": false, "a & b": false, "x&": false, "": false,
		"a&amp;b": true, "&#39;": true, "&quot;x": true, "&copy=1": true, "&Amp": true,
	} {
		if got := hasCharRef([]byte(in)); got != want {
			t.Errorf("hasCharRef(%q) = %v", in, got)
		}
		// Where it says no, the tokenizer's attribute decoding changes nothing.
		if !want && unescapeAttr([]byte(in), '"') != in {
			t.Errorf("%q decodes to %q", in, unescapeAttr([]byte(in), '"'))
		}
	}
}

// The fast text-mode decoding must agree with the tokenizer's attribute mode.
func TestUnescapeAttrFastPathAgrees(t *testing.T) {
	for _, in := range []string{
		"a&amp;b", "&quot;x&quot;", "&#39;&#x27;", "&copy=1", "&copy;=1", "&amp", "&ampx", "&lt;&gt;",
		"if(a&amp;&amp;b)", "x\r\ny&amp;", "&notin;", "&notit;", "&", "&;", "&#;", "&#xZZ;",
	} {
		got := unescapeAttr([]byte(in), '"')
		b := []byte("<a v=\"" + in + "\">")
		z := html.NewTokenizer(bytes.NewReader(b))
		z.Next()
		_, want, _ := z.TagAttr()
		if got != string(want) {
			t.Errorf("unescapeAttr(%q) = %q, tokenizer says %q", in, got, want)
		}
	}
}

// Subresource integrity on scripts this site serves would fail once the
// script comes back rewritten: the check is emptied. Scripts from other
// sites, stylesheets and inline scripts keep theirs.
func TestIntegrityOfRewrittenScripts(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{RewriteJS: fakeRewriteJS})
	host := getReq().Host
	cases := []struct{ in, want string }{
		{`<script src="/app.js" integrity="sha384-abc" crossorigin></script>`, `<script src="/app.js" integrity="" crossorigin></script>`},
		{`<script src=app.js INTEGRITY=sha384-abc></script>`, `<script src=app.js INTEGRITY=""></script>`},
		{`<script src="http://` + host + `/app.js" integrity='sha384-abc'></script>`, `<script src="http://` + host + `/app.js" integrity=''></script>`},
		{`<script src="https://cdn.example.net/lib.js" integrity="sha384-abc"></script>`, `<script src="https://cdn.example.net/lib.js" integrity="sha384-abc"></script>`},
		{`<script src="//cdn.example.net/lib.js" integrity="sha384-abc"></script>`, `<script src="//cdn.example.net/lib.js" integrity="sha384-abc"></script>`},
		{`<script integrity="sha384-abc">var a</script>`, `<script integrity="sha384-abc">var a</script>`},
		{`<link rel="modulepreload" href="/m.js" integrity="sha384-abc">`, `<link rel="modulepreload" href="/m.js" integrity="">`},
		{`<link rel=preload as=script href="/a.js" integrity="sha384-abc">`, `<link rel=preload as=script href="/a.js" integrity="">`},
		{`<link rel="stylesheet" href="/a.css" integrity="sha384-abc">`, `<link rel="stylesheet" href="/a.css" integrity="sha384-abc">`},
		{`<link rel=preload as=style href="/a.css" integrity="sha384-abc">`, `<link rel=preload as=style href="/a.css" integrity="sha384-abc">`},
		{`<img src="/a.png" integrity="sha384-abc">`, `<img src="/a.png" integrity="sha384-abc">`},
	}
	for _, c := range cases {
		out, err, _ := run(t, tr.BodyRewriter, getReq(), 200, htmlHeader("text/html"), []byte(c.in), 0)
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != c.want {
			t.Errorf("%s\n got %s\nwant %s", c.in, out, c.want)
		}
	}
	// Without a JS rewriter nothing is rewritten, so nothing is emptied.
	plain := newTestRewriter(t, BodyOptions{})
	in := `<script src="/app.js" integrity="sha384-abc"></script>`
	if out, _, _ := run(t, plain.BodyRewriter, getReq(), 200, htmlHeader("text/html"), []byte(in), 0); string(out) != in {
		t.Errorf("no rewriter: %s", out)
	}
}
