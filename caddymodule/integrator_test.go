package caddymodule_test

// Integrator deployments written from the docs (README, docs/caddyfile.md,
// docs/rewriting.md): Caddyfiles around crm_frame that we did not write,
// against an upstream with the oddities of real legacy CRMs.

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/crmframe/crmframe/internal/caddyrun"
)

// integratorPage is over encode's 512-byte minimum, so encode compresses it.
var integratorPage = "<!doctype html><html><head><title>CRM</title></head><body><p>" + strings.Repeat("notes ", 100) + "</p><p>customer 42</p></body></html>"

// oddCRM serves one oddity per path. self is the upstream's own origin
// (what it writes in absolute URLs).
func oddCRM(t *testing.T, tlsUp bool) *httptest.Server {
	var self string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("X-Seen-Host", r.Host)
		hd.Set("X-Seen-Path", r.URL.Path)
		page := func(ct string) {
			hd.Set("Content-Type", ct)
			io.WriteString(w, integratorPage)
		}
		switch r.URL.Path {
		case "/page", "/":
			page("text/html; charset=utf-8")
		case "/redirect-abs":
			http.Redirect(w, r, self+"/app/home?x=1", http.StatusFound)
		case "/redirect-path":
			hd.Set("Location", "/app/home")
			w.WriteHeader(http.StatusSeeOther)
		case "/redirect-rel":
			hd.Set("Location", "home.do")
			w.WriteHeader(http.StatusFound)
		case "/login":
			hd.Add("Set-Cookie", "JSESSIONID=s1; Path=/app; HttpOnly; SameSite=Strict")
			hd.Add("Set-Cookie", "pref=a; Path=/")
			hd.Add("Set-Cookie", "nopath=1")
			hd.Set("Refresh", "0; url="+self+"/app/home")
			hd.Set("Link", "</static/app.css>; rel=preload; as=style, <"+self+"/static/app.js>; rel=preload; as=script")
			page("text/html")
		case "/cookies":
			hd.Add("Set-Cookie", "strict=1; Path=/; SameSite=Strict")
			hd.Add("Set-Cookie", "lax=1; Path=/; samesite=lax; HttpOnly")
			hd.Add("Set-Cookie", "none=1; Path=/; SameSite=None; Secure; Partitioned")
			hd.Add("Set-Cookie", "missing=1; Path=/")
			page("text/html")
		case "/204":
			w.WriteHeader(http.StatusNoContent)
		case "/replaced":
			hd.Set("X-Replace", "yes")
			w.WriteHeader(http.StatusNoContent)
		case "/304":
			hd.Set("ETag", `"v1"`)
			w.WriteHeader(http.StatusNotModified)
		case "/range":
			hd.Set("Content-Type", "text/html")
			http.ServeContent(w, r, "p.html", time.Time{}, strings.NewReader(integratorPage))
		case "/no-ctype":
			hd["Content-Type"] = nil // no sniffing by net/http either
			io.WriteString(w, integratorPage)
		case "/no-ctype-short":
			hd["Content-Type"] = nil
			io.WriteString(w, "<p>hi")
		case "/cut-js":
			hd.Set("Content-Type", "text/javascript")
			io.WriteString(w, "if (top != self) { top.location = self.location; }\n"+strings.Repeat("var a = 1;\n", 50))
			w.(http.Flusher).Flush()
			c, bw, _ := w.(http.Hijacker).Hijack()
			bw.Flush()
			c.Close()
		case "/odd-case":
			page("TEXT/HTML; Charset=\"UTF-8\"")
		case "/xhtml":
			hd.Set("Content-Type", "application/xhtml+xml")
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head><body/></html>`)
		case "/download":
			hd.Set("Content-Disposition", `attachment; filename="report.html"`)
			page("text/html")
		case "/many-policies":
			hd.Add("X-Frame-Options", "SAMEORIGIN")
			hd.Add("x-frame-options", "ALLOW-FROM https://evil.example")
			hd.Add("Content-Security-Policy", "default-src 'self'; frame-ancestors https://evil.example/path https://*.evil.example")
			hd.Add("Content-Security-Policy", "script-src 'self', frame-ancestors *")
			hd.Add("Content-Security-Policy-Report-Only", "frame-ancestors 'none'; report-uri /csp")
			page("text/html")
		case "/trailer":
			hd.Set("Trailer", "X-Checksum")
			page("text/html")
			hd.Set("X-Checksum", "abc")
		case "/bytewise":
			hd.Set("Content-Type", "text/html")
			for i := range len(integratorPage) {
				io.WriteString(w, integratorPage[i:i+1])
				w.(http.Flusher).Flush()
			}
		case "/cut":
			hd.Set("Content-Type", "text/html")
			io.WriteString(w, integratorPage[:60])
			w.(http.Flusher).Flush()
			c, bw, _ := w.(http.Hijacker).Hijack()
			bw.Flush()
			c.Close()
		case "/cut-length":
			hd.Set("Content-Type", "text/html")
			hd.Set("Content-Length", fmt.Sprint(len(integratorPage)))
			io.WriteString(w, integratorPage[:60])
			w.(http.Flusher).Flush()
			c, bw, _ := w.(http.Hijacker).Hijack()
			bw.Flush()
			c.Close()
		case "/early-hints":
			hd.Set("Link", "</static/app.css>; rel=preload; as=style")
			w.WriteHeader(http.StatusEarlyHints)
			page("text/html")
		case "/gzip":
			hd.Set("Content-Type", "text/html")
			hd.Set("Content-Encoding", "gzip")
			gz := gzip.NewWriter(w)
			io.WriteString(gz, integratorPage)
			gz.Close()
		case "/form":
			io.Copy(io.Discard, r.Body)
			page("text/html")
		default:
			http.NotFound(w, r)
		}
	})
	var srv *httptest.Server
	if tlsUp {
		srv = httptest.NewTLSServer(h)
	} else {
		srv = httptest.NewServer(h)
	}
	self = srv.URL
	t.Cleanup(srv.Close)
	return srv
}

type result struct {
	status int
	hdr    http.Header
	body   string
	err    error // reading the body
}

func fetch(t *testing.T, method, url string, hdr ...string) result {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return result{resp.StatusCode, resp.Header, string(b), err}
}

var sdkTag = regexp.MustCompile(`<script src="([^"]*/__crmframe/sdk\.js\?v=[0-9a-f]+)" data-crmframe-prefix="([^"]*)"`)

// framed checks the framing policy on any proxied response.
func framed(t *testing.T, what string, r result) {
	t.Helper()
	if v := r.hdr.Values("X-Frame-Options"); len(v) > 0 {
		t.Errorf("%s: X-Frame-Options still sent: %q", what, v)
	}
	csp := r.hdr.Values("Content-Security-Policy")
	if len(csp) == 0 {
		t.Errorf("%s: no Content-Security-Policy", what)
	}
	for _, v := range csp {
		for _, pol := range strings.Split(v, ",") {
			if !strings.Contains(pol, "frame-ancestors https://desk.example.com") || strings.Contains(pol, "evil") || strings.Contains(pol, "frame-ancestors *") {
				t.Errorf("%s: policy %q does not limit framing to the desktop", what, pol)
			}
		}
	}
}

// TestIntegratorPathPrefix: the CRM under /crm/ of a shared site, with
// the prefix stripped before crm_frame (handle_path, or uri strip_prefix in
// handle), next to another app. The SDK, its WebSocket, redirects, links
// and cookie paths must stay under /crm/; the root belongs to someone else.
func TestIntegratorPathPrefix(t *testing.T) {
	up := oddCRM(t, false)
	upHost := strings.TrimPrefix(up.URL, "http://")
	for _, variant := range []struct{ name, block string }{
		{"handle_path", `handle_path /crm/* {
		crm_frame {
			frame_ancestors https://desk.example.com
			upstream_origin %[1]s
			screen_pop /customers?phone={ani}
		}
		reverse_proxy %[2]s
	}`},
		{"uri strip_prefix", `handle /crm/* {
		uri strip_prefix /crm
		crm_frame {
			frame_ancestors https://desk.example.com
			upstream_origin %[1]s
			screen_pop /customers?phone={ani}
		}
		reverse_proxy %[2]s
	}`},
	} {
		t.Run(variant.name, func(t *testing.T) {
			port := caddyrun.FreePort(t)
			caddyrun.Start(t, fmt.Sprintf("http://127.0.0.1:%d {\n\t", port)+fmt.Sprintf(variant.block, up.URL, upHost)+`
	handle {
		respond "the desktop's own app" 404
	}
}`)
			base := fmt.Sprintf("http://127.0.0.1:%d", port)

			r := fetch(t, "GET", base+"/crm/page")
			framed(t, "page", r)
			if r.hdr.Get("X-Seen-Path") != "/page" {
				t.Fatalf("upstream saw %q: the prefix was not stripped", r.hdr.Get("X-Seen-Path"))
			}
			m := sdkTag.FindStringSubmatch(r.body)
			if m == nil {
				t.Fatalf("no SDK tag: %q", r.body)
			}
			if !strings.HasPrefix(m[1], "/crm/__crmframe/sdk.js?v=") || m[2] != "/crm/__crmframe" {
				t.Errorf("SDK src %q prefix %q: not under /crm/, the browser cannot reach crm_frame there", m[1], m[2])
			}
			if !strings.Contains(r.body, `data-crmframe-screen-pop="{&#34;*&#34;:&#34;/crm/customers?phone={ani}&#34;}"`) {
				t.Errorf("screen-pop template not under /crm/: %q", r.body)
			}
			// The URL the page names loads the SDK.
			sdk := fetch(t, "GET", base+m[1])
			if sdk.status != 200 || !strings.Contains(sdk.body, "AGENTDESKTOP") || !strings.HasPrefix(sdk.hdr.Get("Content-Type"), "text/javascript") {
				t.Errorf("GET %s: %d %q %.60q", m[1], sdk.status, sdk.hdr.Get("Content-Type"), sdk.body)
			}
			compat := fetch(t, "GET", base+"/crm/AD/widget/agentdesktop_widget.js")
			if !strings.Contains(compat.body, `"prefix":"/crm/__crmframe"`) {
				t.Errorf("compat SDK configured for another prefix: %.120q", compat.body)
			}
			// The WebSocket endpoint is crm_frame's (503: no crm_engine), not the CRM's.
			if ws := fetch(t, "GET", base+m[2]+"/ws"); ws.status != http.StatusServiceUnavailable || ws.hdr.Get("X-Seen-Path") != "" {
				t.Errorf("GET %s/ws: %d, upstream path %q", m[2], ws.status, ws.hdr.Get("X-Seen-Path"))
			}

			for path, want := range map[string]string{
				"/crm/redirect-abs":  base + "/crm/app/home?x=1",
				"/crm/redirect-path": "/crm/app/home",
				"/crm/redirect-rel":  "home.do",
			} {
				if got := fetch(t, "GET", base+path).hdr.Get("Location"); got != want {
					t.Errorf("%s: Location %q, want %q", path, got, want)
				}
			}
			r = fetch(t, "GET", base+"/crm/login")
			if got, want := r.hdr.Values("Set-Cookie"), []string{"JSESSIONID=s1; Path=/crm/app; HttpOnly; SameSite=Strict", "pref=a; Path=/crm/", "nopath=1"}; strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("Set-Cookie %q, want %q", got, want)
			}
			if got, want := r.hdr.Get("Refresh"), "0; url="+base+"/crm/app/home"; got != want {
				t.Errorf("Refresh %q, want %q", got, want)
			}
			if got, want := r.hdr.Get("Link"), "</crm/static/app.css>; rel=preload; as=style, <"+base+"/crm/static/app.js>; rel=preload; as=script"; got != want {
				t.Errorf("Link %q, want %q", got, want)
			}
			// The rest of the site is not the CRM's and not crm_frame's.
			if r := fetch(t, "GET", base+"/__crmframe/sdk.js"); r.status != 404 || r.body != "the desktop's own app" {
				t.Errorf("root /__crmframe/sdk.js: %d %q", r.status, r.body)
			}
		})
	}
}

// TestIntegratorRewriteLooksLikeStrip: a rewrite of one path to its own
// tail (rewrite /legacy/home /home) is indistinguishable from a stripped
// prefix; the SDK URL under /legacy must still be answered by crm_frame.
func TestIntegratorRewriteLooksLikeStrip(t *testing.T) {
	up := oddCRM(t, false)
	port := caddyrun.FreePort(t)
	caddyrun.Start(t, fmt.Sprintf(`http://127.0.0.1:%d {
	rewrite /legacy/page /page
	crm_frame {
		frame_ancestors https://desk.example.com
	}
	reverse_proxy %s
}`, port, strings.TrimPrefix(up.URL, "http://")))
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	for _, path := range []string{"/legacy/page", "/page"} {
		r := fetch(t, "GET", base+path)
		m := sdkTag.FindStringSubmatch(r.body)
		if m == nil {
			t.Fatalf("%s: no SDK tag in %q", path, r.body)
		}
		if sdk := fetch(t, "GET", base+m[1]); sdk.status != 200 || !strings.Contains(sdk.body, "AGENTDESKTOP") || sdk.hdr.Get("X-Seen-Path") != "" {
			t.Errorf("%s: GET %s: %d, reached the CRM as %q", path, m[1], sdk.status, sdk.hdr.Get("X-Seen-Path"))
		}
	}
}

// TestIntegratorPrefixNotStripped: a CRM that lives under /crm/ upstream
// too (handle /crm/*, nothing stripped) needs path_prefix under /crm/, as
// docs/caddyfile.md says; redirects and cookies are left as the CRM wrote them.
func TestIntegratorPrefixNotStripped(t *testing.T) {
	var self string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/crm/page":
			w.Header().Set("Content-Type", "text/html")
			w.Header().Add("Set-Cookie", "S=1; Path=/crm")
			io.WriteString(w, integratorPage)
		case "/crm/go":
			http.Redirect(w, r, self+"/crm/page", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer up.Close()
	self = up.URL
	port := caddyrun.FreePort(t)
	caddyrun.Start(t, fmt.Sprintf(`http://127.0.0.1:%d {
	handle /crm/* {
		crm_frame {
			frame_ancestors https://desk.example.com
			upstream_origin %s
			path_prefix /crm/__crmframe
		}
		reverse_proxy %s
	}
	respond 404
}`, port, up.URL, strings.TrimPrefix(up.URL, "http://")))
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	r := fetch(t, "GET", base+"/crm/page")
	m := sdkTag.FindStringSubmatch(r.body)
	if m == nil || !strings.HasPrefix(m[1], "/crm/__crmframe/sdk.js") {
		t.Fatalf("SDK tag %q in %q", m, r.body)
	}
	if sdk := fetch(t, "GET", base+m[1]); sdk.status != 200 || !strings.Contains(sdk.body, "AGENTDESKTOP") {
		t.Errorf("GET %s: %d", m[1], sdk.status)
	}
	if got := r.hdr.Get("Set-Cookie"); got != "S=1; Path=/crm" {
		t.Errorf("Set-Cookie %q", got)
	}
	if got := fetch(t, "GET", base+"/crm/go").hdr.Get("Location"); got != base+"/crm/page" {
		t.Errorf("Location %q", got)
	}
}

// TestIntegratorUpstreamOddities: one HTTPS upstream reached with
// tls_insecure_skip_verify and the upstream's own Host, behind encode and a
// non-deferred header block, in cross_site mode.
func TestIntegratorUpstreamOddities(t *testing.T) {
	up := oddCRM(t, true)
	upHost := strings.TrimPrefix(up.URL, "https://")
	port := caddyrun.FreePort(t)
	caddyrun.Start(t, fmt.Sprintf(`http://127.0.0.1:%d {
	encode gzip zstd
	header Content-Security-Policy "img-src 'self'"
	crm_frame {
		frame_ancestors https://desk.example.com
		upstream_origin %s
		cookies cross_site partitioned
	}
	intercept {
		@missing status 404
		handle_response @missing {
			respond "no such record" 404
		}
	}
	reverse_proxy %s %s {
		@empty header X-Replace yes
		handle_response @empty {
			header Content-Type text/html
			respond "<p>nothing to show</p>" 200
		}
		lb_policy round_robin
		header_up Host {upstream_hostport}
		transport http {
			tls_insecure_skip_verify
		}
	}
}`, port, up.URL, up.URL, up.URL))
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	get := func(path string, hdr ...string) result {
		return fetch(t, "GET", base+path, append([]string{"Accept-Encoding", "identity"}, hdr...)...)
	}

	r := get("/page")
	framed(t, "page", r)
	if r.hdr.Get("X-Seen-Host") != upHost {
		t.Errorf("upstream saw Host %q, want %q", r.hdr.Get("X-Seen-Host"), upHost)
	}
	if !sdkTag.MatchString(r.body) || !strings.HasSuffix(r.body, "<p>customer 42</p></body></html>") {
		t.Errorf("page: %q", r.body)
	}
	if csp := strings.Join(r.hdr.Values("Content-Security-Policy"), " | "); !strings.Contains(csp, "img-src 'self'") {
		t.Errorf("the header directive's CSP was lost: %q", csp)
	}

	// encode compresses what crm_frame produced.
	req, _ := http.NewRequest("GET", base+"/page", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("encode gzip: %v, Content-Encoding %q", err, resp.Header.Get("Content-Encoding"))
	}
	plain, _ := io.ReadAll(zr)
	resp.Body.Close()
	if string(plain) != r.body {
		t.Errorf("gzip through encode differs from identity:\n%q\n%q", plain, r.body)
	}
	// A page the CRM compressed itself (whatever the client asked for),
	// through encode: rewritten and compressed again the same way.
	g := get("/gzip")
	if zr, err := gzip.NewReader(strings.NewReader(g.body)); err != nil || g.hdr.Get("Content-Encoding") != "gzip" {
		t.Errorf("CRM-compressed page: %v, Content-Encoding %q", err, g.hdr.Get("Content-Encoding"))
	} else if plain, _ := io.ReadAll(zr); string(plain) != r.body {
		t.Errorf("CRM-compressed page: %q", plain)
	}

	r = get("/cookies")
	want := []string{
		"strict=1; Path=/; SameSite=None; Secure; Partitioned",
		"lax=1; Path=/; HttpOnly; SameSite=None; Secure; Partitioned",
		"none=1; Path=/; SameSite=None; Secure; Partitioned",
		"missing=1; Path=/; SameSite=None; Secure; Partitioned",
	}
	if got := r.hdr.Values("Set-Cookie"); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("cross_site cookies:\n got %q\nwant %q", got, want)
	}

	r = get("/many-policies")
	framed(t, "many policies", r)
	if ro := r.hdr.Get("Content-Security-Policy-Report-Only"); ro != "frame-ancestors https://desk.example.com; report-uri /csp" {
		t.Errorf("report-only %q", ro)
	}
	if csp := strings.Join(r.hdr.Values("Content-Security-Policy"), " | "); strings.Contains(csp, "'self'") && strings.Contains(csp, "frame-ancestors https://desk.example.com 'self'") {
		t.Errorf("'self' kept although the CRM restricted framing: %q", csp)
	}

	for _, c := range []struct {
		path     string
		status   int
		body     string // "" = empty; "page" = untouched integratorPage
		hdr      []string
		injected bool
	}{
		{"/204", 204, "", nil, false},
		{"/replaced", 200, "", nil, true}, // through handle_response
		// Through intercept. Caddy keeps the upstream's Content-Length on an
		// intercepted response (with or without crm_frame), so the body
		// reads short: only the framing headers are crm_frame's concern.
		{"/missing", 404, "no such record", nil, false},
		{"/304", 304, "", nil, false},
		{"/range", 206, integratorPage[:10], []string{"Range", "bytes=0-9"}, false},
		// Caddy's (Go's) server labels it text/html from its first bytes
		// anyway: crm_frame treats it as the browser will.
		{"/no-ctype", 200, "", nil, true},
		{"/download", 200, "page", nil, false},
		{"/no-ctype-short", 200, "", nil, true},
		{"/odd-case", 200, "", nil, true},
		{"/xhtml", 200, "", nil, true},
		{"/bytewise", 200, "", nil, true},
		{"/trailer", 200, "", nil, true},
	} {
		r := get(c.path, c.hdr...)
		framed(t, c.path, r)
		if r.status != c.status || (r.err != nil && c.path != "/missing") {
			t.Errorf("%s: status %d (want %d), read error %v", c.path, r.status, c.status, r.err)
		}
		switch {
		case c.injected:
			if !sdkTag.MatchString(r.body) {
				t.Errorf("%s: SDK not injected: %q", c.path, r.body)
			}
		case c.body == "page":
			if r.body != integratorPage {
				t.Errorf("%s: body changed: %q", c.path, r.body)
			}
		default:
			if r.body != c.body {
				t.Errorf("%s: body %q, want %q", c.path, r.body, c.body)
			}
		}
	}
	if r := get("/no-ctype"); r.hdr.Get("Content-Type") != "text/html; charset=utf-8" || r.body != get("/page").body {
		t.Errorf("page without Content-Type: %q %q", r.hdr.Get("Content-Type"), r.body)
	}
	if b := get("/bytewise").body; b != get("/page").body {
		t.Errorf("a page flushed byte by byte differs from the same page in one write:\n%q", b)
	}
	if h := fetch(t, "HEAD", base+"/page"); h.body != "" || h.status != 200 {
		t.Errorf("HEAD: %d %q", h.status, h.body)
	} else {
		framed(t, "HEAD", h)
	}

	// Trailers survive the rewrite.
	resp, err = http.Get(base + "/trailer")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.Trailer.Get("X-Checksum") != "abc" {
		t.Errorf("trailer lost: %v", resp.Trailer)
	}

	// 103 Early Hints reach the browser; the final page is still rewritten.
	var hints []textproto.MIMEHeader
	req, _ = http.NewRequest("GET", base+"/early-hints", nil)
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
			if code == http.StatusEarlyHints {
				hints = append(hints, h)
			}
			return nil
		},
	}))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if len(hints) != 1 || hints[0].Get("Link") != "</static/app.css>; rel=preload; as=style" || !sdkTag.Match(body) {
		t.Errorf("early hints %v, page %q", hints, body)
	}

	// An upstream that breaks off mid-body never yields a complete-looking page.
	// (A script is only sent whole: there the connection fails before any header.)
	for _, p := range []string{"/cut", "/cut-length", "/cut-js"} {
		resp, err := http.Get(base + p)
		if err == nil {
			var b []byte
			b, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			if err == nil {
				t.Errorf("%s: the truncated response was delivered as complete: %d %q", p, resp.StatusCode, b)
			}
		}
	}
}

// TestIntegratorRequestRefused: a form POST over request_body's max_size
// is the agent's request being refused (413), not the CRM being down: no
// "CRM unavailable" page that reloads (and re-posts) every 5 s.
func TestIntegratorRequestRefused(t *testing.T) {
	up := oddCRM(t, false)
	port := caddyrun.FreePort(t)
	caddyrun.Start(t, fmt.Sprintf(`http://127.0.0.1:%d {
	request_body {
		max_size 1KiB
	}
	crm_frame {
		frame_ancestors https://desk.example.com
	}
	reverse_proxy %s
}`, port, strings.TrimPrefix(up.URL, "http://")))
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	for _, chunked := range []bool{false, true} {
		body := io.Reader(bytes.NewReader(bytes.Repeat([]byte("x"), 8<<10)))
		if chunked {
			body = io.MultiReader(body) // no length: sent chunked
		}
		req, _ := http.NewRequest("POST", base+"/form", body)
		req.Header.Set("Accept", "text/html,application/xhtml+xml")
		req.Header.Set("Sec-Fetch-Dest", "iframe")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || strings.Contains(string(b), "crmframe-error") {
			t.Errorf("chunked=%v: %d %.100q", chunked, resp.StatusCode, b)
		}
	}
	// A small form still goes through.
	resp, err := http.Post(base+"/form", "application/x-www-form-urlencoded", strings.NewReader("a=1"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("small form: %d", resp.StatusCode)
	}
}

// TestIntegratorHeaderSnippet: a site-wide hardening snippet with a
// deletion makes Caddy's header directive deferred: it runs after
// crm_frame wrote the headers, so its X-Frame-Options/CSP win. crm_frame
// cannot undo that; it must say so (once) in the log. The same snippet
// without the framing fields works.
func TestIntegratorHeaderSnippet(t *testing.T) {
	up := oddCRM(t, false)
	for _, c := range []struct {
		name, fields, warn string
	}{
		{"X-Frame-Options", "X-Frame-Options SAMEORIGIN", `"header":"X-Frame-Options"`},
		{"CSP without frame-ancestors", `Content-Security-Policy "default-src 'self'"`, `"header":"frame-ancestors"`},
		{"CSP removed", "-Content-Security-Policy", `"header":"Content-Security-Policy missing"`},
		{"harmless", "Strict-Transport-Security max-age=31536000", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			logf := filepath.Join(t.TempDir(), "caddy.log")
			port := caddyrun.FreePort(t)
			caddyrun.Start(t, fmt.Sprintf(`{
	log {
		output file %s
		level ERROR
	}
}
http://127.0.0.1:%d {
	header {
		-Server
		%s
	}
	crm_frame {
		frame_ancestors https://desk.example.com
	}
	reverse_proxy %s
}`, logf, port, c.fields, strings.TrimPrefix(up.URL, "http://")))
			base := fmt.Sprintf("http://127.0.0.1:%d", port)
			r := fetch(t, "GET", base+"/page")
			fetch(t, "GET", base+"/page")
			if r.hdr.Get("Server") != "" {
				t.Errorf("the snippet did not run: Server %q", r.hdr.Get("Server"))
			}
			log, _ := os.ReadFile(logf)
			n := strings.Count(string(log), "framing headers changed after crm_frame")
			if c.warn == "" {
				framed(t, "page", r)
				if n != 0 {
					t.Errorf("warned for a harmless snippet: %s", log)
				}
				return
			}
			if n != 1 || !strings.Contains(string(log), c.warn) {
				t.Errorf("want one warning with %s, log:\n%s", c.warn, log)
			}
		})
	}
}
