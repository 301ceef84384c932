package injector

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func stubNonce(t *testing.T) {
	old := randomNonce
	randomNonce = func() string { return "FRESH" }
	t.Cleanup(func() { randomNonce = old })
}

func TestCSPAllowScripts(t *testing.T) {
	stubNonce(t)
	cases := []struct {
		name      string
		csp, ro   []string // header values
		wantCSP   []string
		wantRO    []string
		wantNonce string
	}{
		{name: "no script directive", csp: []string{"frame-ancestors https://desk.example.com"}, wantCSP: []string{"frame-ancestors https://desk.example.com"}},
		{name: "page nonce reused", csp: []string{"script-src 'self' 'nonce-PAGE'"}, wantCSP: []string{"script-src 'self' 'nonce-PAGE'"}, wantNonce: "PAGE"},
		{name: "self only: fresh nonce", csp: []string{"script-src 'self'; object-src 'none'"}, wantCSP: []string{"script-src 'self' 'nonce-FRESH'; object-src 'none'"}, wantNonce: "FRESH"},
		{name: "unsafe-inline kept working: exact URL", csp: []string{"script-src 'self' 'unsafe-inline'"}, wantCSP: []string{"script-src 'self' 'unsafe-inline' https://cdn.example.com/widget.js"}},
		{name: "unsafe-inline, nothing allowed", csp: []string{"default-src 'unsafe-inline'"}, wantCSP: []string{"default-src 'unsafe-inline' http://crm.example.com/__crmframe/sdk.js https://cdn.example.com/widget.js"}},
		{name: "none replaced", csp: []string{"default-src 'none'; style-src 'self'"}, wantCSP: []string{"default-src 'nonce-FRESH'; style-src 'self'"}, wantNonce: "FRESH"},
		{name: "strict-dynamic with page nonce", csp: []string{"script-src 'nonce-PAGE' 'strict-dynamic' https: 'unsafe-inline'"}, wantCSP: []string{"script-src 'nonce-PAGE' 'strict-dynamic' https: 'unsafe-inline'"}, wantNonce: "PAGE"},
		{name: "strict-dynamic with hashes", csp: []string{"script-src 'sha256-AAAA' 'strict-dynamic' 'self'"}, wantCSP: []string{"script-src 'sha256-AAAA' 'strict-dynamic' 'self' 'nonce-FRESH'"}, wantNonce: "FRESH"},
		{name: "hash only", csp: []string{"script-src 'sha256-AAAA'"}, wantCSP: []string{"script-src 'sha256-AAAA' 'nonce-FRESH'"}, wantNonce: "FRESH"},
		{name: "script-src-elem governs", csp: []string{"script-src-elem 'self'; script-src 'nonce-X'"}, wantCSP: []string{"script-src-elem 'self' 'nonce-FRESH'; script-src 'nonce-X'"}, wantNonce: "FRESH"},
		{name: "star allows", csp: []string{"script-src *"}, wantCSP: []string{"script-src *"}},
		{name: "host sources allow", csp: []string{"script-src 'self' https://cdn.example.com"}, wantCSP: []string{"script-src 'self' https://cdn.example.com"}},
		{name: "exact path allows", csp: []string{"script-src 'self' cdn.example.com/widget.js"}, wantCSP: []string{"script-src 'self' cdn.example.com/widget.js"}},
		{name: "wrong path", csp: []string{"script-src 'self' https://cdn.example.com/other.js"}, wantCSP: []string{"script-src 'self' https://cdn.example.com/other.js 'nonce-FRESH'"}, wantNonce: "FRESH"},
		{name: "wildcard host", csp: []string{"script-src 'self' https://*.example.com"}, wantCSP: []string{"script-src 'self' https://*.example.com"}},
		{name: "https scheme does not cover http page", csp: []string{"script-src https:"}, wantCSP: []string{"script-src https: 'nonce-FRESH'"}, wantNonce: "FRESH"},
		{name: "enforced nonce shared with report-only",
			csp: []string{"script-src 'nonce-A'"}, ro: []string{"script-src 'self'; report-uri /r"},
			wantCSP: []string{"script-src 'nonce-A'"}, wantRO: []string{"script-src 'self' 'nonce-A'; report-uri /r"}, wantNonce: "A"},
		{name: "policy list in one header",
			csp:     []string{"script-src 'self', script-src 'unsafe-inline' https:"},
			wantCSP: []string{"script-src 'self' 'nonce-FRESH', script-src 'unsafe-inline' https: http://crm.example.com/__crmframe/sdk.js"}, wantNonce: "FRESH"},
		{name: "trusted types names", csp: []string{"require-trusted-types-for 'script'; trusted-types a b 'allow-duplicates'"}, wantCSP: []string{"require-trusted-types-for 'script'; trusted-types a b 'allow-duplicates' crmframe"}},
		{name: "trusted types none", csp: []string{"trusted-types 'none'"}, wantCSP: []string{"trusted-types crmframe"}},
		{name: "trusted types empty", csp: []string{"require-trusted-types-for 'script'; trusted-types"}, wantCSP: []string{"require-trusted-types-for 'script'; trusted-types crmframe"}},
		{name: "trusted types star", csp: []string{"trusted-types *"}, wantCSP: []string{"trusted-types *"}},
		{name: "require only", csp: []string{"require-trusted-types-for 'script'"}, wantCSP: []string{"require-trusted-types-for 'script'"}},
		{name: "invalid page nonce not reused", csp: []string{`script-src 'nonce-a"b'`}, wantCSP: []string{`script-src 'nonce-a"b' 'nonce-FRESH'`}, wantNonce: "FRESH"},
	}
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK, testInject}})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := htmlHeader("text/html")
			h.Set("ETag", `"v1"`)
			for _, v := range c.csp {
				h.Add(HeaderCSP, v)
			}
			for _, v := range c.ro {
				h.Add(HeaderCSPReportOnly, v)
			}
			out, err, _ := run(t, tr.BodyRewriter, getReq(), 200, h, []byte("<html><head></head></html>"), 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := h.Values(HeaderCSP); strings.Join(got, "\n") != strings.Join(c.wantCSP, "\n") {
				t.Errorf("CSP\n got %q\nwant %q", got, c.wantCSP)
			}
			if got := h.Values(HeaderCSPReportOnly); strings.Join(got, "\n") != strings.Join(c.wantRO, "\n") {
				t.Errorf("CSP-Report-Only\n got %q\nwant %q", got, c.wantRO)
			}
			wantTags := string(tr.appendInjection(nil, c.wantNonce))
			if !bytes.Contains(out, []byte(wantTags)) {
				t.Errorf("tags: got %q want %q", out, wantTags)
			}
			// A fresh nonce must not be revalidated against a cached body.
			if got := h.Get("ETag"); (c.wantNonce == "FRESH") != (got == "") {
				t.Errorf("ETag %q with nonce %q", got, c.wantNonce)
			}
		})
	}
}

func TestCSPNotModified(t *testing.T) {
	stubNonce(t)
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK, testInject}})
	h := http.Header{}
	h.Add(HeaderCSP, "script-src 'self'")
	h.Add(HeaderCSP, "script-src 'self' 'unsafe-inline'; trusted-types a")
	if f := tr.Filter(getReq(), http.StatusNotModified, h, &bytes.Buffer{}); f != nil {
		t.Fatal("304 filtered")
	}
	want := []string{"script-src 'self'", "script-src 'self' 'unsafe-inline' https://cdn.example.com/widget.js; trusted-types a crmframe"}
	if got := h.Values(HeaderCSP); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q want %q", got, want)
	}
}

func TestSourceMatching(t *testing.T) {
	self, _ := url.Parse("http://crm.example.com:8080")
	u := func(s string) *url.URL { x, _ := url.Parse(s); return x }
	cases := []struct {
		src  string
		url  string
		want bool
	}{
		{"'self'", "http://crm.example.com:8080/a.js", true},
		{"'self'", "http://crm.example.com/a.js", false},
		{"'self'", "https://crm.example.com:8080/a.js", true},
		{"crm.example.com:8080", "http://crm.example.com:8080/a.js", true},
		{"crm.example.com", "http://crm.example.com:8080/a.js", false},
		{"crm.example.com:*", "http://crm.example.com:8080/a.js", true},
		{"http://*.example.com:8080", "https://crm.example.com:8080/a.js", true},
		{"http://*.example.com:8080", "http://example.com:8080/a.js", false},
		{"https://cdn.x/js/", "https://cdn.x/js/a.js", true},
		{"https://cdn.x/js", "https://cdn.x/js/a.js", false},
		{"https://cdn.x/JS/a.js", "https://cdn.x/js/a.js", false},
		{"HTTPS://CDN.X", "https://cdn.x/js/a.js", true},
		{"http://cdn.x:80", "https://cdn.x/a.js", true},
		{"https:", "https://cdn.x/a.js", true},
		{"http:", "https://cdn.x/a.js", true},
		{"data:", "https://cdn.x/a.js", false},
		{"'unsafe-inline'", "https://cdn.x/a.js", false},
		{"*", "https://cdn.x/a.js", true},
	}
	for _, c := range cases {
		if got := sourceListAllows([]string{c.src}, u(c.url), self); got != c.want {
			t.Errorf("%s allows %s = %v, want %v", c.src, c.url, got, c.want)
		}
	}
}

func TestMetaCSPTrustedTypes(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}})
	in := `<html><head><META HTTP-EQUIV="content-security-policy" CONTENT="trusted-types 'none'; require-trusted-types-for 'script'"><meta http-equiv="Content-Security-Policy" content='trusted-types *'>`
	out, err, _ := run(t, tr.BodyRewriter, getReq(), 200, htmlHeader("text/html"), []byte(in), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := `<html><head>` + string(tr.plainInjection) + `<META HTTP-EQUIV="content-security-policy" CONTENT="trusted-types crmframe; require-trusted-types-for 'script'"><meta http-equiv="Content-Security-Policy" content='trusted-types *'>`
	if string(out) != want {
		t.Errorf("\n got %s\nwant %s", out, want)
	}
}

func TestCSPConnect(t *testing.T) {
	stubNonce(t)
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}, ConnectURLs: []string{"/__crmframe/ws"}})
	cases := []struct{ url, csp, want string }{
		{"http://crm.example.com/", "default-src 'self'", "default-src 'self'"},
		{"http://crm.example.com/", "default-src 'none'", "default-src 'nonce-FRESH' ws://crm.example.com/__crmframe/ws"},
		{"http://crm.example.com/", "connect-src 'none'; script-src 'self'", "connect-src ws://crm.example.com/__crmframe/ws; script-src 'self'"},
		{"https://crm.example.com/", "script-src 'self'; connect-src https://api.example.com", "script-src 'self'; connect-src https://api.example.com wss://crm.example.com/__crmframe/ws"},
		{"https://crm.example.com/", "connect-src wss:", "connect-src wss:"},
		{"http://crm.example.com/", "script-src 'self'", "script-src 'self'"},
	}
	for _, c := range cases {
		h := htmlHeader("text/html")
		h.Set(HeaderCSP, c.csp)
		r := httptest.NewRequest(http.MethodGet, c.url, nil)
		if _, err, _ := run(t, tr.BodyRewriter, r, 200, h, []byte("<p>"), 0); err != nil {
			t.Fatal(err)
		}
		if got := h.Get(HeaderCSP); got != c.want {
			t.Errorf("%s on %s:\n got %q\nwant %q", c.csp, c.url, got, c.want)
		}
	}
	if _, err := NewBodyRewriter(BodyOptions{ConnectURLs: []string{"ws;x"}}); err == nil {
		t.Error("bad connect URL accepted")
	}
}

// An inline script the CRM allows by hash no longer matches once the
// frame-busting rewriter changed it: every policy listing hashes gets our
// nonce (even where our tags are allowed already), and the nonce may go only
// on scripts whose original text every enforced policy allowed by hash.
func TestCSPInlineHashes(t *testing.T) {
	stubNonce(t)
	const src = "if (top !== self) top.location = self.location;"
	sum := sha256.Sum256([]byte(src))
	b64 := base64.StdEncoding.EncodeToString(sum[:])
	h256 := "'sha256-" + b64 + "'"
	url64 := "'sha256-" + strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace(b64), "=") + "'"
	s384 := sha512.Sum384([]byte(src))
	h384 := "'sha384-" + base64.StdEncoding.EncodeToString(s384[:]) + "'"
	cases := []struct {
		name      string
		csp, ro   []string
		wantCSP   []string
		wantRO    []string
		wantNonce string
		allowed   bool // InlineHashAllowed(src)
	}{
		{name: "self covers our tags, hash gets the nonce anyway", csp: []string{"script-src 'self' " + h256},
			wantCSP: []string{"script-src 'self' " + h256 + " 'nonce-FRESH'"}, wantNonce: "FRESH", allowed: true},
		{name: "page nonce reused", csp: []string{"script-src 'nonce-PAGE' " + h256 + " 'strict-dynamic'"},
			wantCSP: []string{"script-src 'nonce-PAGE' " + h256 + " 'strict-dynamic'"}, wantNonce: "PAGE", allowed: true},
		{name: "base64url hash", csp: []string{"script-src 'self' " + url64}, wantCSP: []string{"script-src 'self' " + url64 + " 'nonce-FRESH'"}, wantNonce: "FRESH", allowed: true},
		{name: "sha384", csp: []string{"default-src 'self' " + h384}, wantCSP: []string{"default-src 'self' " + h384 + " 'nonce-FRESH'"}, wantNonce: "FRESH", allowed: true},
		{name: "other hash: not allowed", csp: []string{"script-src 'self' 'sha256-AAAA'"}, wantCSP: []string{"script-src 'self' 'sha256-AAAA' 'nonce-FRESH'"}, wantNonce: "FRESH"},
		{name: "second policy without hash blocks it", csp: []string{"script-src 'self' " + h256, "script-src 'self'"},
			wantCSP: []string{"script-src 'self' " + h256, "script-src 'self'"}},
		{name: "second policy with unsafe-inline only does not restrict", csp: []string{"script-src 'self' " + h256, "script-src 'self' 'unsafe-inline'"},
			wantCSP: []string{"script-src 'self' " + h256 + " 'nonce-FRESH'", "script-src 'self' 'unsafe-inline'"}, wantNonce: "FRESH", allowed: true},
		{name: "report-only hash does not allow, gets the nonce", csp: []string{"script-src 'self' " + h256}, ro: []string{"script-src 'self' " + h256 + "; report-uri /r"},
			wantCSP: []string{"script-src 'self' " + h256 + " 'nonce-FRESH'"}, wantRO: []string{"script-src 'self' " + h256 + " 'nonce-FRESH'; report-uri /r"}, wantNonce: "FRESH", allowed: true},
		{name: "report-only hash alone changes nothing enforced", ro: []string{"script-src 'self' " + h256},
			wantCSP: nil, wantRO: []string{"script-src 'self' " + h256}},
		{name: "no hash: unchanged", csp: []string{"script-src 'self'"}, wantCSP: []string{"script-src 'self'"}},
	}
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}})
	self := mustURL("http://crm.example.com/")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range c.csp {
				h.Add(HeaderCSP, v)
			}
			for _, v := range c.ro {
				h.Add(HeaderCSPReportOnly, v)
			}
			ed := tr.allowScripts(h, self, true, true)
			if got := h.Values(HeaderCSP); strings.Join(got, "\n") != strings.Join(c.wantCSP, "\n") {
				t.Errorf("CSP\n got %q\nwant %q", got, c.wantCSP)
			}
			if got := h.Values(HeaderCSPReportOnly); strings.Join(got, "\n") != strings.Join(c.wantRO, "\n") {
				t.Errorf("CSP-Report-Only\n got %q\nwant %q", got, c.wantRO)
			}
			if ed.nonce != c.wantNonce {
				t.Errorf("nonce %q, want %q", ed.nonce, c.wantNonce)
			}
			if got := ed.InlineHashAllowed([]byte(src)); got != c.allowed {
				t.Errorf("InlineHashAllowed = %v, want %v", got, c.allowed)
			}
			if ed.InlineHashAllowed([]byte(src + " ")) {
				t.Error("another script's text was allowed")
			}
		})
	}
	// A 304 gets no fresh nonce: nothing may be blessed.
	h := http.Header{HeaderCSP: {"script-src 'self' " + h256}}
	if ed := tr.allowScripts(h, self, true, false); ed.InlineHashAllowed([]byte(src)) || h.Get(HeaderCSP) != "script-src 'self' "+h256 {
		t.Errorf("304: %+v %q", ed, h.Get(HeaderCSP))
	}
}
