package injector

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The types Chromium renders as XML documents (or sniffs) and nobody
// rewrites are told apart from the ones the rewriters handle.
func TestUnrewrittenDocType(t *testing.T) {
	for ct, want := range map[string]bool{
		"text/xml":                        true,
		"TEXT/XML; charset=windows-1252":  true,
		" application/xml ":               true,
		"text/xsl":                        true,
		"application/rss+xml":             true,
		"application/atom+xml":            true,
		"application/soap+xml":            true,
		"application/mathml+xml":          true,
		"application/xslt+xml":            true,
		"image/svg+xml":                   true,
		"Image/SVG+XML; charset=utf-8":    true,
		"unknown/unknown":                 true,
		"application/unknown":             true,
		"*/*":                             true,
		"application/xhtml+xml":           false, // the HTML rewriter's
		"Application/XHTML+XML; q=1":      false,
		"text/html":                       false,
		"text/javascript":                 false,
		"application/json":                false,
		"text/plain":                      false,
		"application/octet-stream":        false,
		"image/png":                       false,
		"text/xml-external-parsed-entity": false,
		"application/+xml":                false,
		"+xml":                            false,
		"xml":                             false,
		"":                                false,
	} {
		if got := unrewrittenDocType(ct); got != want {
			t.Errorf("unrewrittenDocType(%q) = %v, want %v", ct, got, want)
		}
	}
}

func sandboxOf(t *testing.T, h http.Header) string {
	t.Helper()
	v := ""
	for _, hv := range h.Values(HeaderCSP) {
		for _, p := range ParsePolicyList(hv) {
			if d, ok := p.Get("sandbox"); ok {
				if v != "" {
					t.Errorf("more than one sandbox: %q", h.Values(HeaderCSP))
				}
				v = d.Value
			}
		}
	}
	return v
}

// The sandbox is merged into the CRM's own policy: added to its first
// enforced policy, every other directive kept byte for byte, a sandbox of
// its own kept (stricter) but for what lets it leave; never into a
// report-only policy (where browsers ignore it).
func TestXMLSandboxMerge(t *testing.T) {
	const fa = "frame-ancestors https://desk.example.com https://desk2.example.com"
	cases := []struct {
		name     string
		in, want http.Header
		applied  int
	}{
		{"no policy",
			http.Header{},
			http.Header{HeaderCSP: {fa + " 'self'; sandbox " + DocSandboxValue}}, 1},
		{"the CRM's policy",
			http.Header{HeaderCSP: {"default-src 'self'; script-src 'nonce-abc' 'strict-dynamic'; frame-ancestors 'self'"}},
			http.Header{HeaderCSP: {"default-src 'self'; script-src 'nonce-abc' 'strict-dynamic'; " + fa + " 'self'; sandbox " + DocSandboxValue}}, 1},
		{"two enforced, one report-only",
			http.Header{HeaderCSP: {"img-src 'self'", "style-src 'self'"}, HeaderCSPReportOnly: {"default-src 'none'"}},
			http.Header{HeaderCSP: {"img-src 'self'; " + fa + " 'self'; sandbox " + DocSandboxValue, "style-src 'self'; " + fa + " 'self'"},
				HeaderCSPReportOnly: {"default-src 'none'; " + fa + " 'self'"}}, 1},
		{"the CRM's sandbox, stricter",
			http.Header{HeaderCSP: {"sandbox allow-same-origin; default-src 'self'"}},
			http.Header{HeaderCSP: {"sandbox allow-same-origin; default-src 'self'; " + fa + " 'self'"}}, 0},
		{"the CRM's sandbox, leaving",
			http.Header{HeaderCSP: {"sandbox allow-scripts allow-top-navigation allow-popups allow-popups-to-escape-sandbox"}},
			http.Header{HeaderCSP: {"sandbox allow-scripts allow-popups; " + fa + " 'self'"}}, 1},
	}
	for _, c := range cases {
		for _, ct := range []string{"text/xml", "application/rss+xml; charset=utf-8", "image/svg+xml"} {
			h := c.in.Clone()
			h.Set("Content-Type", ct)
			ch := testPolicy().Apply(h, client)
			h.Del("Content-Type")
			if !equalHeader(h, c.want) || ch.SandboxApplied != c.applied {
				t.Errorf("%s, %s: got %q (SandboxApplied %d)\nwant %q (%d)", c.name, ct, h, ch.SandboxApplied, c.want, c.applied)
			}
		}
	}
	// With the sandbox on everywhere, an XML document still gets the
	// stricter one and a page keeps the usual one.
	for ct, want := range map[string]string{"text/xml": DocSandboxValue, "text/html": SandboxValue} {
		p := testPolicy()
		p.Sandbox = true
		h := http.Header{"Content-Type": {ct}}
		p.Apply(h, client)
		if got := sandboxOf(t, h); got != want {
			t.Errorf("sandbox on, %s: sandbox %q, want %q", ct, got, want)
		}
	}
	for _, f := range strings.Fields(DocSandboxValue) {
		switch f {
		case "allow-top-navigation", "allow-top-navigation-by-user-activation", "allow-popups-to-escape-sandbox":
			t.Errorf("DocSandboxValue holds %s", f)
		}
	}
	for _, f := range []string{"allow-scripts", "allow-same-origin", "allow-forms", "allow-popups"} {
		if !strings.Contains(" "+DocSandboxValue+" ", " "+f+" ") {
			t.Errorf("DocSandboxValue lacks %s", f)
		}
	}
}

func equalHeader(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w := b[k]
		if len(v) != len(w) {
			return false
		}
		for i := range v {
			if v[i] != w[i] {
				return false
			}
		}
	}
	return true
}

// xmlFeed has an XHTML-namespace script that busts (what the sandbox
// holds) and a trigger word an HTML rewrite would have touched.
const xmlFeed = `<?xml version="1.0"?><?xml-stylesheet type="text/xsl" href="/feed.xsl"?>
<rss xmlns:h="http://www.w3.org/1999/xhtml"><channel><title>top accounts</title></channel>
<h:script><![CDATA[if (top !== parent) parent.location.replace("/x")]]></h:script></rss>`

// Through the whole response path with the rewriter on: an XML document
// goes out byte for byte (Content-Length too), whatever it was fetched
// for, with the sandbox; the result says why.
func TestXMLDocumentPassesThrough(t *testing.T) {
	const lastMod = "Mon, 02 Jan 2006 15:04:05 GMT"
	var reasons []string
	rw, err := NewBodyRewriter(BodyOptions{
		Scripts: []string{"/__crmframe/sdk.js?v=1"},
		RewriteJS: func(src []byte, _ JSKind) ([]byte, bool) {
			return bytes.ReplaceAll(src, []byte("top"), []byte("vtop")), true
		},
		OnResult: func(r Result) { reasons = append(reasons, r.Action+": "+r.Reason) },
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &Config{Policy: *testPolicy(), Body: rw.Filter}
	for _, dest := range []string{"", "empty", "document", "iframe", "object"} {
		for _, ct := range []string{"text/xml", "application/xml", "application/atom+xml", "text/xsl"} {
			reasons = nil
			r := httptest.NewRequest(http.MethodGet, "https://crm.desk.example.com/feed", nil)
			if dest != "" {
				r.Header.Set("Sec-Fetch-Dest", dest)
			}
			rec := httptest.NewRecorder()
			w := cfg.Wrap(rec, r)
			w.Header().Set("Content-Type", ct)
			w.Header().Set("Content-Length", "999")
			w.Header().Set("ETag", `"v1"`)
			w.Header().Set("Last-Modified", lastMod)
			w.WriteHeader(http.StatusOK)
			if _, err := w.Write([]byte(xmlFeed)); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			what := dest + " " + ct
			if rec.Body.String() != xmlFeed {
				t.Errorf("%s: body changed:\n%s", what, rec.Body.String())
			}
			// A copy for a frame must not be revalidated (a 304 would
			// replace its sandboxed CSP in the browser's cache); a copy
			// for a script keeps its validators.
			validators := ""
			if dest == "empty" {
				validators = `"v1"` + lastMod
			}
			if h := rec.Header(); h.Get("Content-Length") != "999" || h.Get("ETag")+h.Get("Last-Modified") != validators || h.Get("Vary") != "Sec-Fetch-Dest" {
				t.Errorf("%s: headers %q", what, h)
			}
			if got := sandboxOf(t, rec.Header()); got != DocSandboxValue {
				t.Errorf("%s: sandbox %q", what, got)
			}
			if len(reasons) != 1 || reasons[0] != ActionPassedThrough+": sandboxed document" {
				t.Errorf("%s: results %q", what, reasons)
			}
		}
	}
}

// A 304 keeps its validators and gets no sandbox: without a Content-Type
// it may revalidate any type (a copy for a frame has no validators left).
func TestXMLNotModifiedKept(t *testing.T) {
	cfg := &Config{Policy: *testPolicy()}
	r := httptest.NewRequest(http.MethodGet, "https://crm.desk.example.com/feed", nil)
	r.Header.Set("Sec-Fetch-Dest", "iframe")
	rec := httptest.NewRecorder()
	w := cfg.Wrap(rec, r)
	w.Header().Set("ETag", `"v1"`)
	w.WriteHeader(http.StatusNotModified)
	if h := rec.Header(); h.Get("ETag") != `"v1"` || h.Get("Vary") != "" || sandboxOf(t, h) != "" {
		t.Errorf("304: %q", h)
	}
}

// Bodies the browser sniffs and crm_frame never saw labelled get the
// sandbox; bodies it labels itself are handled as their label says.
func TestUnlabeledBodySandboxed(t *testing.T) {
	var gz bytes.Buffer
	z := gzip.NewWriter(&gz)
	z.Write([]byte(`<!doctype html><script>top.location = "/x"</script>`))
	z.Close()
	rw, err := NewBodyRewriter(BodyOptions{Scripts: []string{"/__crmframe/sdk.js?v=1"}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &Config{Policy: *testPolicy(), Body: rw.Filter}
	cases := []struct {
		name, method string
		status       int
		hdr          http.Header
		body         []byte
		want         string // sandbox value
	}{
		{"encoded, no type", "GET", 200, http.Header{"Content-Encoding": {"gzip"}}, gz.Bytes(), DocSandboxValue},
		{"type field without value", "GET", 200, http.Header{"Content-Type": nil}, []byte("<p>hi"), DocSandboxValue},
		{"empty type value", "GET", 200, http.Header{"Content-Type": {" "}}, []byte("<p>hi"), DocSandboxValue},
		{"labelled unknown/unknown", "GET", 200, http.Header{"Content-Type": {"unknown/unknown"}}, []byte("<p>hi"), DocSandboxValue},
		{"sniffed XML", "GET", 200, nil, []byte(`<?xml version="1.0"?><r/>`), DocSandboxValue},
		{"sniffed HTML", "GET", 200, nil, []byte("<!doctype html><p>hi"), ""},
		{"HTML", "GET", 200, http.Header{"Content-Type": {"text/html"}}, []byte("<p>hi"), ""},
		{"304 encoded, no type", "GET", 304, http.Header{"Content-Encoding": {"gzip"}}, nil, ""},
		{"HEAD encoded, no type", "HEAD", 200, http.Header{"Content-Encoding": {"gzip"}}, nil, ""},
		{"204 encoded, no type", "GET", 204, http.Header{"Content-Encoding": {"gzip"}}, nil, ""},
	}
	for _, c := range cases {
		r := httptest.NewRequest(c.method, "https://crm.desk.example.com/p", nil)
		r.Header.Set("Sec-Fetch-Dest", "iframe")
		rec := httptest.NewRecorder()
		w := cfg.Wrap(rec, r)
		for k, v := range c.hdr {
			w.Header()[k] = v
		}
		w.WriteHeader(c.status)
		if len(c.body) > 0 {
			if _, err := w.Write(c.body); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if got := sandboxOf(t, rec.Header()); got != c.want {
			t.Errorf("%s: sandbox %q, want %q", c.name, got, c.want)
		}
		if c.name == "encoded, no type" && !bytes.Equal(rec.Body.Bytes(), c.body) {
			t.Errorf("%s: body changed", c.name)
		}
	}
}

// The checks run on every response: HTML and JavaScript responses must not
// pay an allocation for them.
func TestDocChecksDoNotAllocate(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "https://crm.desk.example.com/p", nil)
	h := http.Header{"Content-Type": {"text/html; charset=utf-8"}, "Content-Encoding": {"gzip"}, "Cache-Control": {"no-store"}}
	var sink bool
	if n := testing.AllocsPerRun(100, func() {
		sink = unrewrittenDocType(h.Get("Content-Type")) || unlabeledBody(r, 200, h)
	}); n != 0 {
		t.Errorf("%v allocations per response", n)
	}
	if sink {
		t.Error("an HTML page counted as an unrewritten document")
	}
}
