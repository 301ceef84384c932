package e2e

// Awkward legacy-CRM pages (testdata/legacy, none of them frame-busting)
// must render exactly the same through crmframe as without it: the
// encodings legacy CRMs send (declared late, only in the HTTP header, by a
// BOM against a <meta>, UTF-16), markup without <html>/<head>, framesets,
// the HTML parser's odd states (escaped script data, RCDATA/RAWTEXT,
// <plaintext>, <template>, SVG and MathML), inline handlers with entities,
// document.write chains, gzip/deflate bodies, strict CSP (header with a
// nonce and 'strict-dynamic', and <meta>), XHTML, a 2 MB single line, a
// 20 KB <head>, and a cookie login flow.
//
// Each page is loaded framed by a desktop through crmframe, top-level
// through crmframe, and top-level straight from the upstream (the
// reference). The probe compares the title, character set, compatMode,
// content type, the element tree (without <script> elements: crmframe adds
// its own), body innerText, the forms and their values, and what the
// page's scripts wrote into #crm-out, for the page and each of its frames.
// No variant may raise a script error (window.onerror, unhandled
// rejection, Runtime.exceptionThrown) or log a console error (a CSP
// violation among them).

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"golang.org/x/net/html"
	"golang.org/x/text/encoding/htmlindex"

	"github.com/crmframe/crmframe/internal/caddyrun"
	"github.com/crmframe/crmframe/internal/chromium"
)

const (
	legacyDir   = "testdata/legacy"
	legacyTabs  = 3
	legacyNonce = "bGVnYWN5LWNybS1ub25jZQ=="
)

// legacyPage is how the upstream sends one page of testdata/legacy.
type legacyPage struct {
	file    string            // under testdata/legacy, served at /legacy/<file>
	ctype   string            // Content-Type header
	enc     string            // the file (UTF-8) is sent in this encoding
	bom     bool              // prefixed with the encoding's byte order mark
	coding  string            // "gzip" (chunked, no Content-Length) or "deflate" (zlib)
	headers map[string]string // more response headers
	// start is where the browser goes (default the file): the login flow
	// starts on login.html and ends on session.html.
	start string
	// sameSite: framed by a desktop on the CRM's own site, as docs/caddyfile.md
	// requires for SameSite cookies over HTTP.
	sameSite bool
	// frames: the page's frames must be compared too.
	frames int
	// charset: the document.characterSet the page must get without
	// crmframe (proves the page tests the declaration it claims to).
	charset string
}

var legacyPages = []legacyPage{
	{file: "cp1252-meta.html", ctype: "text/html", enc: "windows-1252", charset: "windows-1252"},
	{file: "cp1251-meta.html", ctype: "text/html", enc: "windows-1251", charset: "windows-1251"},
	{file: "sjis-header.html", ctype: "text/html; charset=Shift_JIS", enc: "shift_jis", charset: "Shift_JIS"},
	{file: "latin1-header.html", ctype: "text/html; charset=ISO-8859-1", enc: "iso-8859-1", charset: "windows-1252"},
	{file: "utf8-bom-meta.html", ctype: "text/html", bom: true, charset: "UTF-8"},
	{file: "utf16le-bom.html", ctype: "text/html", enc: "utf-16le", bom: true, charset: "UTF-16LE"},
	{file: "no-head.html", ctype: "text/html; charset=utf-8"},
	// No X-Frame-Options and no CSP, as legacy framesets are sent: the
	// frames load only if crmframe's frame-ancestors keeps 'self'.
	{file: "frameset.html", ctype: "text/html; charset=utf-8", frames: 2},
	{file: "script-states.html", ctype: "text/html; charset=utf-8"},
	{file: "rawtext.html", ctype: "text/html; charset=utf-8"},
	{file: "template-svg.html", ctype: "text/html; charset=utf-8"},
	{file: "handlers.html", ctype: "text/html; charset=utf-8"},
	{file: "docwrite.html", ctype: "text/html; charset=utf-8"},
	{file: "gzip-chunked.html", ctype: "text/html; charset=utf-8", coding: "gzip"},
	{file: "deflate.html", ctype: "text/html; charset=utf-8", coding: "deflate"},
	{file: "csp-nonce.html", ctype: "text/html; charset=utf-8", headers: map[string]string{
		"Content-Security-Policy": "script-src 'nonce-" + legacyNonce + "' 'strict-dynamic'; object-src 'none'; base-uri 'none'",
	}},
	{file: "csp-meta.html", ctype: "text/html; charset=utf-8"},
	{file: "xhtml.xhtml", ctype: "application/xhtml+xml; charset=utf-8"},
	{file: "long-line.html", ctype: "text/html; charset=utf-8"},
	{file: "big-head.html", ctype: "text/html; charset=utf-8"},
	{file: "session.html", ctype: "text/html; charset=utf-8", start: "login.html", sameSite: true},
}

// writeGzipPieces sends body gzip-compressed in flushed 4 KiB pieces, as a
// JSP or PHP page behind a gzip filter does: chunked, no Content-Length.
func writeGzipPieces(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Encoding", "gzip")
	zw := gzip.NewWriter(w)
	for len(body) > 0 {
		n := min(len(body), 4096)
		_, _ = zw.Write(body[:n])
		body = body[n:]
		_ = zw.Flush()
		w.(http.Flusher).Flush()
	}
	_ = zw.Close()
}

// legacyHarness runs first on every page: it records errors and CSP
// violations into an attribute of <html> (the probe reads the DOM from an
// isolated world), collects #crm-out lines, and marks the page done a
// moment after load unless the page holds the verdict itself. CDATA keeps
// it well-formed in XHTML; no line comments, so that it also works on one
// line (long-line.html).
const legacyHarness = `<script nonce="{{NONCE}}">/*<![CDATA[*/
(function () {
  var d = document.documentElement, errs = [];
  function fail(m) { errs.push(String(m)); d.setAttribute('data-crm-errors', errs.join(' | ')); }
  window.onerror = function (msg, src, line, col) { fail(msg + ' at ' + src + ':' + line + ':' + col); };
  window.addEventListener('unhandledrejection', function (e) { var r = e.reason; fail('unhandled rejection: ' + (r && r.stack || r)); });
  document.addEventListener('securitypolicyviolation', function (e) { fail('CSP ' + e.effectiveDirective + ' blocked ' + e.blockedURI + ' at ' + e.sourceFile + ':' + e.lineNumber); });
  d.setAttribute('data-crm-shim', window.__crmframe ? 'yes' : 'no');
  var lines = [];
  function show() { var o = document.getElementById('crm-out'); if (o) o.textContent = lines.join('\n'); }
  window.crmOut = function (s) { lines.push(String(s)); show(); };
  window.addEventListener('load', function () {
    show();
    setTimeout(function () { if (!window.crmHold) d.setAttribute('data-crm-done', '1'); }, 100);
  });
})();
/*]]>*/</script>`

// legacyBody returns the page's bytes as the upstream sends them (before
// any Content-Encoding).
func legacyBody(t *testing.T, p legacyPage) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(legacyDir, p.file))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(src), "{{HARNESS}}", legacyHarness)
	s = strings.ReplaceAll(s, "{{NONCE}}", legacyNonce)
	if strings.Contains(s, "{{FILLER}}") {
		s = strings.ReplaceAll(s, "{{FILLER}}", strings.Repeat("Compressible filler text of a legacy CRM page. ", 400))
	}
	if strings.Contains(s, "{{ROWS}}") {
		s = strings.ReplaceAll(s, "\n", " ")
		var b strings.Builder
		for i := 0; b.Len() < 2<<20; i++ {
			// Long rows: 2 MB without the layout cost of 30k rows.
			fmt.Fprintf(&b, `<tr class="r%d"><td>%d</td><td>Contact %05d &amp; Co</td><td>%d</td><td>%s</td></tr>`, i%7, i, i, i%13, strings.Repeat("note &lt;b&gt; ", 40))
		}
		s = strings.ReplaceAll(s, "{{ROWS}}", b.String())
	}
	if strings.Contains(s, "{{METAS}}") {
		var b strings.Builder
		for i := 0; b.Len() < 20<<10; i++ {
			if i%10 == 9 {
				fmt.Fprintf(&b, "<link rel=\"alternate\" hreflang=\"x-%d\" href=\"/legacy/alt-%d.html\">\n", i, i)
			} else {
				fmt.Fprintf(&b, "<meta name=\"crm-setting-%d\" content=\"value %d for the legacy CRM configuration\">\n", i, i)
			}
		}
		s = strings.ReplaceAll(s, "{{METAS}}", b.String())
	}
	if p.bom && p.enc == "" {
		s = "\uFEFF" + s
	}
	out := []byte(s)
	if p.enc != "" {
		e, err := htmlindex.Get(p.enc)
		if err != nil {
			t.Fatal(err)
		}
		if p.bom {
			s = "\uFEFF" + s
		}
		if out, err = e.NewEncoder().Bytes([]byte(s)); err != nil {
			t.Fatalf("%s: cannot encode in %s: %v", p.file, p.enc, err)
		}
	}
	return out
}

// legacyUpstream is the CRM. Pages not listed (the frameset's frames) are
// plain UTF-8 HTML; /legacy/login sets the session cookie and redirects.
func legacyUpstream(t *testing.T) *httptest.Server {
	bodies := map[string][]byte{}
	specs := map[string]legacyPage{}
	for _, p := range legacyPages {
		specs[p.file] = p
	}
	for _, f := range []string{"frame-nav.html", "frame-main.html", "login.html"} {
		specs[f] = legacyPage{file: f, ctype: "text/html; charset=utf-8"}
	}
	for f, p := range specs {
		bodies[f] = legacyBody(t, p)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("/legacy/login", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.FormValue("user") != "agent7" || r.FormValue("pass") != "s3cret" {
			http.Error(w, "bad login", http.StatusForbidden)
			return
		}
		w.Header().Add("Set-Cookie", "crm_sess=0123abcd; Path=/; HttpOnly")
		w.Header().Add("Set-Cookie", "crm_user=agent7; Path=/")
		w.Header().Add("Set-Cookie", "crm_lang=fr; Path=/legacy; SameSite=Lax")
		http.Redirect(w, r, "/legacy/session.html", http.StatusFound)
	})
	mux.HandleFunc("/legacy/whoami", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Cache-Control", "no-store")
		c, err := r.Cookie("crm_sess")
		if err != nil {
			http.Error(w, "no session", http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, "session %s", c.Value)
	})
	mux.HandleFunc("/legacy/", func(w http.ResponseWriter, r *http.Request) {
		name := path.Base(r.URL.Path)
		w.Header().Set("Cache-Control", "no-store")
		if strings.HasSuffix(name, ".js") {
			w.Header().Set("Content-Type", "application/javascript")
			http.ServeFile(w, r, filepath.Join(legacyDir, name))
			return
		}
		p, ok := specs[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", p.ctype)
		for k, v := range p.headers {
			w.Header().Set(k, v)
		}
		body := bodies[name]
		switch p.coding {
		case "gzip":
			writeGzipPieces(w, body)
		case "deflate":
			w.Header().Set("Content-Encoding", "deflate")
			var b bytes.Buffer
			zw := zlib.NewWriter(&b)
			_, _ = zw.Write(body)
			_ = zw.Close()
			_, _ = w.Write(b.Bytes())
		default:
			_, _ = w.Write(body)
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// legacyDoc is what a document (and each of its frames) rendered.
type legacyDoc struct {
	URL, Title, Charset, Mode, Type string
	Shape, Text, Out, Forms, Errors string
	Shim                            string
	Frames                          []legacyDoc
}

// legacyProbeJS reads a document and its frames once every one of them is
// done; null until then. Big strings are compared by length and hash.
const legacyProbeJS = `(function () {
  function h(s) {
    if (s.length < 4000) return s;
    var x = 2166136261;
    for (var i = 0; i < s.length; i++) { x ^= s.charCodeAt(i); x = Math.imul(x, 16777619) >>> 0; }
    return 'len=' + s.length + ' hash=' + x.toString(16);
  }
  function snap(w) {
    var d = w.document, de = d && d.documentElement;
    if (!de || d.readyState !== 'complete' || !de.hasAttribute('data-crm-done')) return null;
    var shape = [], all = d.getElementsByTagName('*');
    for (var i = 0; i < all.length; i++) {
      var e = all[i], depth = 0;
      if (e.localName === 'script') continue;
      for (var p = e.parentNode; p && p !== d; p = p.parentNode) depth++;
      shape.push(depth + e.localName);
    }
    var forms = Array.prototype.map.call(d.forms, function (f) {
      return (f.getAttribute('name') || '') + '[' + Array.prototype.map.call(f.elements, function (e) {
        return e.name + '=' + ((e.type === 'checkbox' || e.type === 'radio') ? e.checked + ':' : '') + e.value;
      }).join(',') + ']';
    });
    var out = d.getElementById('crm-out');
    var r = {URL: w.location.href, Title: d.title, Charset: d.characterSet, Mode: d.compatMode, Type: d.contentType,
      Shape: h(shape.join(' ')), Text: h(d.body ? d.body.innerText : ''), Out: out ? out.textContent : '',
      Forms: forms.join(' '), Errors: de.getAttribute('data-crm-errors') || '', Shim: de.getAttribute('data-crm-shim') || '', Frames: []};
    for (var j = 0; j < w.frames.length; j++) {
      var f = snap(w.frames[j]);
      if (!f) return null;
      r.Frames.push(f);
    }
    return r;
  }
  return snap(window);
})()`

type legacyVariant string

const (
	legacyFramed legacyVariant = "framed-crmframe"
	legacyTop    legacyVariant = "top-crmframe"
	legacyPlain  legacyVariant = "top-plain" // the reference
)

// legacyConsole collects a tab's script exceptions and console errors.
type legacyConsole struct {
	mu   sync.Mutex
	msgs []string
}

func (c *legacyConsole) add(s string) {
	c.mu.Lock()
	c.msgs = append(c.msgs, s)
	c.mu.Unlock()
}

func (c *legacyConsole) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.msgs
	c.msgs = nil
	return m
}

func legacyListen(tab context.Context) (*legacyConsole, error) {
	c := &legacyConsole{}
	err := chromedp.Listen(tab, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				msg += " " + d.Exception.Description
			}
			c.add(fmt.Sprintf("exception: %s (%s:%d)", msg, d.URL, d.LineNumber))
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError {
				c.add(fmt.Sprintf("console %s: %s (%s)", e.Entry.Source, e.Entry.Text, e.Entry.URL))
			}
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				c.add("console.error: " + strings.Join(parts, " "))
			}
		}
	})
	if err == nil {
		_, err = chromedp.Call(tab, log.Enable, cdp.Empty{})
	}
	return c, err
}

// legacyRun loads target (the desktop when framed) and waits for the
// page to be done, then looks once more a moment later.
func legacyRun(ctx context.Context, target string, framed bool) (legacyDoc, error) {
	if _, err := chromedp.Call(ctx, page.Navigate, page.NavigateParams{URL: target}); err != nil {
		return legacyDoc{}, err
	}
	// Generous: a 2 MB page on a loaded 2-core machine.
	r, err := fbProbe[legacyDoc](ctx, framed, legacyProbeJS, 40*time.Second)
	if err != nil {
		state, _ := fbEval[string](ctx, 0, `document.readyState + ' ' + location.href`)
		return legacyDoc{}, fmt.Errorf("page not done: %v; top document: %s", err, state)
	}
	return r, nil
}

// legacyDiff lists the fields in which got differs from want.
func legacyDiff(prefix string, got, want legacyDoc) []string {
	var d []string
	f := func(name, g, w string) {
		if g != w {
			d = append(d, fmt.Sprintf("%s%s:\n  got  %q\n  want %q", prefix, name, g, w))
		}
	}
	f("title", got.Title, want.Title)
	f("characterSet", got.Charset, want.Charset)
	f("compatMode", got.Mode, want.Mode)
	f("contentType", got.Type, want.Type)
	f("element tree", got.Shape, want.Shape)
	f("body innerText", got.Text, want.Text)
	f("forms", got.Forms, want.Forms)
	f("#crm-out", got.Out, want.Out)
	if len(got.Frames) != len(want.Frames) {
		d = append(d, fmt.Sprintf("%sframes: %d, want %d", prefix, len(got.Frames), len(want.Frames)))
		return d
	}
	for i := range got.Frames {
		d = append(d, legacyDiff(fmt.Sprintf("%sframe %d ", prefix, i), got.Frames[i], want.Frames[i])...)
	}
	return d
}

// legacyAll reports whether ok holds for the document and all its frames.
func legacyAll(doc legacyDoc, ok func(legacyDoc) bool) bool {
	if !ok(doc) {
		return false
	}
	for _, f := range doc.Frames {
		if !legacyAll(f, ok) {
			return false
		}
	}
	return true
}

// legacyErrors lists the script errors recorded in a document and its frames.
func legacyErrors(doc legacyDoc) []string {
	var out []string
	if doc.Errors != "" {
		out = append(out, doc.URL+": "+doc.Errors)
	}
	for _, f := range doc.Frames {
		out = append(out, legacyErrors(f)...)
	}
	return out
}

func TestLegacyPages(t *testing.T) {
	t.Parallel() // a crmframe process of its own: runs beside the other browser suites
	start := time.Now()
	up := legacyUpstream(t)
	upPort := strings.TrimPrefix(up.URL, "http://127.0.0.1:")
	desk := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>desk</title><body style="margin:0"><iframe id="crm" src="%s" style="position:absolute;left:0;top:0;width:800px;height:500px;border:0"></iframe></body>`, html.EscapeString(r.URL.Query().Get("src")))
	}))
	t.Cleanup(desk.Close)
	// The desktop is on another site than the CRM (localhost vs 127.0.0.1);
	// the login flow's desktop is on the CRM's site (another port).
	deskPort := strings.TrimPrefix(desk.URL, "http://127.0.0.1:")
	crossDesk, sameDesk := "http://localhost:"+deskPort, "http://127.0.0.1:"+deskPort

	port := caddyrun.FreePort(t)
	caddyrun.Run(t, fmt.Sprintf(`{
	log {
		level ERROR
		exclude http.log.error
	}
}
http://127.0.0.1:%d {
	crm_frame {
		frame_ancestors %s %s
	}
	reverse_proxy 127.0.0.1:%s
}
`, port, crossDesk, sameDesk, upPort), fmt.Sprintf("http://127.0.0.1:%d/", port))
	crm := fmt.Sprintf("http://127.0.0.1:%d", port)
	// The reference is the upstream itself, under another host name so
	// that its cookies do not mix with crmframe's (cookies ignore ports).
	plain := "http://localhost:" + upPort

	// Before the browser: the upstream sends what the pages claim (the
	// compressed ones chunked or zlib), and crmframe keeps XHTML
	// well-formed.
	t.Run("responses", func(t *testing.T) {
		raw := &http.Client{Transport: &http.Transport{DisableCompression: true}}
		for _, p := range legacyPages {
			if p.coding == "" {
				continue
			}
			req, _ := http.NewRequest(http.MethodGet, plain+"/legacy/"+p.file, nil)
			req.Header.Set("Accept-Encoding", p.coding)
			resp, err := raw.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.Header.Get("Content-Encoding") != p.coding || (p.coding == "gzip" && resp.ContentLength != -1) ||
				(p.coding == "deflate" && (len(b) < 2 || b[0] != 0x78)) {
				t.Errorf("%s: upstream sent Content-Encoding %q, length %d, first bytes % x", p.file, resp.Header.Get("Content-Encoding"), resp.ContentLength, b[:min(2, len(b))])
			}
		}
		if _, body := fbGet(t, plain+"/legacy/long-line.html"); len(body) < 2<<20 || strings.Contains(body, "\n") {
			t.Errorf("long-line.html: %d bytes, newline %v: want 2 MB on one line", len(body), strings.Contains(body, "\n"))
		}
		for _, p := range legacyPages {
			if !strings.HasPrefix(p.ctype, "application/xhtml+xml") {
				continue
			}
			h, body := fbGet(t, crm+"/legacy/"+p.file)
			if _, up := fbGet(t, plain+"/legacy/"+p.file); !strings.HasPrefix(h.Get("Content-Type"), "application/xhtml+xml") || body == up {
				t.Errorf("%s: crmframe served it as %q, rewritten %v", p.file, h.Get("Content-Type"), body != up)
			}
			d := xml.NewDecoder(strings.NewReader(body))
			d.Strict = true
			d.Entity = xml.HTMLEntity
			for {
				if _, err := d.Token(); err == io.EOF {
					break
				} else if err != nil {
					t.Errorf("%s through crmframe is not well-formed XML: %v", p.file, err)
					break
				}
			}
		}
	})

	browser := chromium.New(t)
	type job struct {
		p legacyPage
		v legacyVariant
	}
	var jobs []job
	for _, p := range legacyPages {
		// CRMFRAME_LEGACY=frameset.html,handlers.html runs only those.
		if only := os.Getenv("CRMFRAME_LEGACY"); only != "" && !strings.Contains(","+only+",", ","+p.file+",") {
			continue
		}
		for _, v := range []legacyVariant{legacyFramed, legacyTop, legacyPlain} {
			jobs = append(jobs, job{p, v})
		}
	}
	type result struct {
		job
		doc     legacyDoc
		console []string
		err     error
	}
	results := make([]result, len(jobs))
	consoles := sync.Map{}
	browserStart := time.Now()
	chromium.OnTabs(t, browser, legacyTabs, len(jobs), func(tab context.Context, i int, tabErr error) {
		j := jobs[i]
		if tabErr != nil {
			results[i] = result{job: j, err: tabErr}
			return
		}
		c, ok := consoles.Load(tab)
		if !ok {
			con, err := legacyListen(tab)
			if err != nil {
				results[i] = result{job: j, err: err}
				return
			}
			c = con
			consoles.Store(tab, c)
		}
		con := c.(*legacyConsole)
		ctx, cancel := context.WithTimeout(tab, 60*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
			results[i] = result{job: j, err: err}
			return
		}
		con.take()
		startFile := j.p.start
		if startFile == "" {
			startFile = j.p.file
		}
		target := plain + "/legacy/" + startFile
		if j.v != legacyPlain {
			target = crm + "/legacy/" + startFile
		}
		if j.v == legacyFramed {
			d := crossDesk
			if j.p.sameSite {
				d = sameDesk
			}
			target = d + "/desk?src=" + url.QueryEscape(target)
		}
		doc, err := legacyRun(ctx, target, j.v == legacyFramed)
		results[i] = result{job: j, doc: doc, console: con.take(), err: err}
	})

	docs := map[string]map[legacyVariant]legacyDoc{}
	for _, r := range results {
		name := r.p.file + " " + string(r.v)
		if r.err != nil {
			t.Errorf("%s: %v (console: %q)", name, r.err, r.console)
			continue
		}
		for _, e := range legacyErrors(r.doc) {
			t.Errorf("%s: script error: %s", name, e)
		}
		for _, c := range r.console {
			t.Errorf("%s: %s", name, c)
		}
		if len(r.doc.Frames) != r.p.frames {
			t.Errorf("%s: %d frames, want %d", name, len(r.doc.Frames), r.p.frames)
		}
		if want := path.Base(r.p.file); !strings.HasSuffix(strings.SplitN(r.doc.URL, "?", 2)[0], "/"+want) {
			t.Errorf("%s: ended on %s, want %s", name, r.doc.URL, want)
		}
		if docs[r.p.file] == nil {
			docs[r.p.file] = map[legacyVariant]legacyDoc{}
		}
		docs[r.p.file][r.v] = r.doc
	}
	for _, p := range legacyPages {
		ref, ok := docs[p.file][legacyPlain]
		if !ok {
			continue
		}
		if p.charset != "" && ref.Charset != p.charset {
			t.Errorf("%s: characterSet %s without crmframe, want %s", p.file, ref.Charset, p.charset)
		}
		if legacyAll(ref, func(d legacyDoc) bool { return d.Out == "" }) {
			t.Errorf("%s: the page's scripts wrote nothing without crmframe", p.file)
		}
		if !legacyAll(ref, func(d legacyDoc) bool { return d.Shim == "no" }) {
			t.Errorf("%s: the reference saw crmframe's shim", p.file)
		}
		// Through crmframe the shim ran in the page and its frames, except
		// where crmframe passes the page through untouched (UTF-16: its
		// markup is not ASCII-compatible).
		for _, v := range []legacyVariant{legacyFramed, legacyTop} {
			if got, ok := docs[p.file][v]; ok && !legacyAll(got, func(d legacyDoc) bool {
				return d.Shim == map[bool]string{true: "no", false: "yes"}[p.enc == "utf-16le"]
			}) {
				t.Errorf("%s %s: shim presence %q (frames %v), want it only where crmframe rewrites", p.file, v, got.Shim, got.Frames)
			}
		}
		for _, v := range []legacyVariant{legacyFramed, legacyTop} {
			got, ok := docs[p.file][v]
			if !ok {
				continue
			}
			for _, d := range legacyDiff("", got, ref) {
				t.Errorf("%s %s differs from the page without crmframe: %s", p.file, v, d)
			}
		}
		if testing.Verbose() {
			shim := docs[p.file][legacyFramed].Shim
			b, _ := json.Marshal(ref.Out)
			t.Logf("%s [%s, %s, %s, shim framed: %s]: %s", p.file, ref.Charset, ref.Mode, ref.Type, shim, b)
		}
	}
	t.Logf("%d pages x 3 variants; browser part %v, whole test %v (%d tabs)", len(jobs)/3,
		time.Since(browserStart).Round(100*time.Millisecond), time.Since(start).Round(100*time.Millisecond), legacyTabs)
}
