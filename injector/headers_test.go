package injector

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func testPolicy() *HeaderPolicy {
	return &HeaderPolicy{
		FrameAncestors:  []string{"https://desk.example.com", "https://desk2.example.com"},
		UpstreamOrigins: []*url.URL{mustURL("http://crm.internal:8080"), mustURL("https://crm.corp")},
	}
}

var client = mustURL("https://crm.desk.example.com")

func TestCSPFrameAncestors(t *testing.T) {
	const fa = "frame-ancestors https://desk.example.com https://desk2.example.com"
	tests := []struct {
		name string
		in   http.Header
		want http.Header
	}{
		{
			name: "no CSP at all gets one",
			in:   http.Header{"X-Frame-Options": {"DENY"}},
			want: http.Header{"Content-Security-Policy": {fa}},
		},
		{
			name: "frame-ancestors none replaced, other directives byte-exact",
			in:   http.Header{"Content-Security-Policy": {"default-src 'self';  script-src 'nonce-abc' https://cdn.x ; frame-ancestors 'none'; report-to csp-ep"}},
			want: http.Header{"Content-Security-Policy": {"default-src 'self';  script-src 'nonce-abc' https://cdn.x ; " + fa + "; report-to csp-ep"}},
		},
		{
			name: "missing directive appended, 'self' kept: nothing restricted framing",
			in:   http.Header{"Content-Security-Policy": {"default-src 'self'; img-src *"}},
			want: http.Header{"Content-Security-Policy": {"default-src 'self'; img-src *; " + fa + " 'self'"}},
		},
		{
			name: "trailing semicolon kept",
			in:   http.Header{"Content-Security-Policy": {"default-src 'self';"}},
			want: http.Header{"Content-Security-Policy": {"default-src 'self'; " + fa + " 'self';"}},
		},
		{
			name: "odd casing of directive and duplicates dropped ('self' kept: the CRM frames itself)",
			in:   http.Header{"Content-Security-Policy": {"FRAME-ANCESTORS 'self'; Frame-Ancestors *; object-src 'none'"}},
			want: http.Header{"Content-Security-Policy": {fa + " 'self'; object-src 'none'"}},
		},
		{
			name: "several policies in one value, several headers, report-only too",
			in: http.Header{
				"Content-Security-Policy":             {"default-src 'self', frame-ancestors 'none'", "upgrade-insecure-requests"},
				"Content-Security-Policy-Report-Only": {"script-src 'sha256-abc='; report-uri /csp"},
			},
			want: http.Header{
				"Content-Security-Policy":             {"default-src 'self'; " + fa + ", " + fa, "upgrade-insecure-requests; " + fa},
				"Content-Security-Policy-Report-Only": {"script-src 'sha256-abc='; report-uri /csp; " + fa},
			},
		},
		{
			name: "report-only alone still gets an enforced policy",
			in:   http.Header{"Content-Security-Policy-Report-Only": {"default-src 'self'"}},
			want: http.Header{
				"Content-Security-Policy-Report-Only": {"default-src 'self'; " + fa + " 'self'"},
				"Content-Security-Policy":             {fa + " 'self'"},
			},
		},
		{
			name: "non-canonical header key",
			in:   http.Header{"content-security-policy": {"frame-ancestors 'none'"}},
			want: http.Header{"content-security-policy": {fa}},
		},
		{
			name: "already exactly right is left alone",
			in:   http.Header{"Content-Security-Policy": {"base-uri 'none'; " + fa}},
			want: http.Header{"Content-Security-Policy": {"base-uri 'none'; " + fa}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.in.Clone()
			testPolicy().Apply(h, client)
			if !reflect.DeepEqual(h, tc.want) {
				t.Errorf("got  %q\nwant %q", h, tc.want)
			}
		})
	}
}

func TestXFORemoved(t *testing.T) {
	h := http.Header{
		"X-Frame-Options": {"DENY", "SAMEORIGIN"},
		"x-frame-options": {"ALLOW-FROM https://x"},
		"X-Other":         {"kept"},
	}
	c := testPolicy().Apply(h, client)
	if c.XFORemoved != 3 {
		t.Errorf("XFORemoved = %d, want 3", c.XFORemoved)
	}
	for k := range h {
		if strings.EqualFold(k, "X-Frame-Options") {
			t.Errorf("%s still present", k)
		}
	}
	if h.Get("X-Other") != "kept" {
		t.Error("unrelated header lost")
	}
}

func TestCookies(t *testing.T) {
	tests := []struct {
		name        string
		mode        CookieMode
		partitioned bool
		in, want    string
	}{
		{"same_site keeps SameSite", CookiesSameSite, false,
			"sid=abc; Path=/; HttpOnly; SameSite=Strict", "sid=abc; Path=/; HttpOnly; SameSite=Strict"},
		{"same_site drops upstream Domain", CookiesSameSite, false,
			"sid=abc; Domain=crm.internal; Path=/; HttpOnly", "sid=abc; Path=/; HttpOnly"},
		{"leading dot and case", CookiesSameSite, false,
			"sid=abc; domain=.CRM.internal; Secure", "sid=abc; Secure"},
		{"parent domain of upstream dropped", CookiesSameSite, false,
			"sid=abc; Domain=corp; Secure", "sid=abc; Secure"},
		{"foreign Domain kept", CookiesSameSite, false,
			"sid=abc; Domain=example.com", "sid=abc; Domain=example.com"},
		{"cross_site rewrites SameSite and adds Secure", CookiesCrossSite, false,
			"sid=abc; Path=/; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Max-Age=3600; HttpOnly; SameSite=Strict",
			"sid=abc; Path=/; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Max-Age=3600; HttpOnly; SameSite=None; Secure"},
		{"cross_site keeps existing Secure", CookiesCrossSite, false,
			"sid=abc; Secure; SameSite=Lax", "sid=abc; Secure; SameSite=None"},
		{"cross_site without SameSite", CookiesCrossSite, true,
			"a=1", "a=1; SameSite=None; Secure; Partitioned"},
		{"cross_site already right is untouched", CookiesCrossSite, false,
			"a=1; SameSite=None; Secure", "a=1; SameSite=None; Secure"},
		{"cross_site partitioned kept once", CookiesCrossSite, true,
			"a=1; Partitioned; SameSite=None; Secure", "a=1; Partitioned; SameSite=None; Secure"},
		{"value with = and quotes", CookiesSameSite, false,
			`tok="a=b=c"; Domain=crm.corp; Path=/x`, `tok="a=b=c"; Path=/x`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := testPolicy()
			p.Cookies, p.Partitioned = tc.mode, tc.partitioned
			h := http.Header{"Set-Cookie": {tc.in, "other=1"}}
			p.Apply(h, client)
			if got := h["Set-Cookie"][0]; got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			if h["Set-Cookie"][1] != "other=1" && tc.mode == CookiesSameSite {
				t.Errorf("second cookie changed: %q", h["Set-Cookie"][1])
			}
		})
	}
}

func TestLocations(t *testing.T) {
	tests := []struct {
		header, in, want string
	}{
		{"Location", "http://crm.internal:8080/login?next=%2Fx#f", "https://crm.desk.example.com/login?next=%2Fx#f"},
		{"Location", "HTTP://CRM.INTERNAL:8080/a", "https://crm.desk.example.com/a"},
		{"Location", "http://crm.internal:8080", "https://crm.desk.example.com"},
		{"Location", "https://crm.corp:443/a", "https://crm.desk.example.com/a"},
		{"Location", "//crm.corp/a", "https://crm.desk.example.com/a"},
		{"Location", "/relative", "/relative"},
		{"Location", "https://sso.thirdparty.com/auth?redirect=http://crm.internal:8080/", "https://sso.thirdparty.com/auth?redirect=http://crm.internal:8080/"},
		{"Location", "http://crm.internal:8080.evil.com/", "http://crm.internal:8080.evil.com/"},
		{"Location", "http://crm.internal:9090/", "http://crm.internal:9090/"},
		{"Content-Location", "http://crm.internal:8080/doc", "https://crm.desk.example.com/doc"},
		{"Refresh", "5; url=http://crm.internal:8080/x", "5; url=https://crm.desk.example.com/x"},
		{"Refresh", "0;URL='https://crm.corp/y'", "0;URL='https://crm.desk.example.com/y'"},
		{"Refresh", "5", "5"},
		// As browsers parse Refresh (HTML's declarative refresh).
		{"Refresh", "0; URL = 'http://crm.internal:8080/x'", "0; URL = 'https://crm.desk.example.com/x'"},
		{"Refresh", `0;url="https://crm.corp/a" ignored`, `0;url="https://crm.desk.example.com/a" ignored`},
		{"Refresh", "0, https://crm.corp/a", "0, https://crm.desk.example.com/a"},
		{"Refresh", "0;https://crm.corp/a", "0;https://crm.desk.example.com/a"},
		{"Refresh", "1.5 ;\turl=https://crm.corp/a", "1.5 ;\turl=https://crm.desk.example.com/a"},
		{"Refresh", "0; urx=https://crm.corp/a", "0; urx=https://crm.corp/a"},
		{"Refresh", "x; url=https://crm.corp/a", "x; url=https://crm.corp/a"},
		{"Refresh", "0; url=https://evil.example/?u=https://crm.corp/", "0; url=https://evil.example/?u=https://crm.corp/"},
		{"Link", `<http://crm.internal:8080/app.css>; rel=preload; as=style, <https://cdn.example/x.js>; rel=preload`, `<https://crm.desk.example.com/app.css>; rel=preload; as=style, <https://cdn.example/x.js>; rel=preload`},
	}
	for _, tc := range tests {
		t.Run(tc.header+" "+tc.in, func(t *testing.T) {
			h := http.Header{tc.header: {tc.in}}
			testPolicy().Apply(h, client)
			if got := h.Get(tc.header); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestUntouchedHeaders(t *testing.T) {
	in := http.Header{
		"Content-Type":              {"text/html; charset=windows-1252"},
		"Cache-Control":             {"no-store"},
		"Vary":                      {"Accept-Encoding"},
		"Strict-Transport-Security": {"max-age=63072000"},
		"Content-Security-Policy":   {"frame-ancestors https://desk.example.com https://desk2.example.com"},
	}
	h := in.Clone()
	testPolicy().Apply(h, client)
	if !reflect.DeepEqual(h, in) {
		t.Errorf("changed:\n%q\n%q", h, in)
	}
}

func TestValidateOrigin(t *testing.T) {
	good := []string{"https://desk.example.com", "http://localhost:8080", "https://*.example.com", "'self'"}
	bad := []string{"*", "desk.example.com", "https://desk.example.com/path", "ftp://x", "https://a b", "https://x.com?q", "https://a.*.com"}
	for _, s := range good {
		if err := ValidateOrigin(s); err != nil {
			t.Errorf("ValidateOrigin(%q) = %v", s, err)
		}
	}
	for _, s := range bad {
		if err := ValidateOrigin(s); err == nil {
			t.Errorf("ValidateOrigin(%q) accepted", s)
		} else if !strings.Contains(err.Error(), s) && s != "*" {
			t.Errorf("error %q does not name %q", err, s)
		}
	}
}

func TestPolicyRoundTrip(t *testing.T) {
	for _, s := range []string{
		"default-src 'self'",
		" default-src  'self' ;script-src 'nonce-x' ;; ",
		"",
		"a, b ,c",
	} {
		if got := JoinPolicies(ParsePolicyList(s)); got != s {
			t.Errorf("round trip %q -> %q", s, got)
		}
	}
	p := ParsePolicy("script-src 'self'; style-src x")
	if !p.AppendSource("script-src", "'nonce-abc'") || p.String() != "script-src 'self' 'nonce-abc'; style-src x" {
		t.Errorf("AppendSource: %q", p.String())
	}
	if p.AppendSource("script-src", "'nonce-abc'") {
		t.Error("AppendSource added a duplicate")
	}
}

func TestSandboxBackstop(t *testing.T) {
	const fa = "frame-ancestors https://desk.example.com https://desk2.example.com"
	tests := []struct {
		name string
		in   http.Header
		want http.Header
	}{
		{"added with the policy we create",
			http.Header{},
			http.Header{"Content-Security-Policy": {fa + " 'self'; sandbox " + SandboxValue}}},
		{"added to the first enforced policy only",
			http.Header{"Content-Security-Policy": {"default-src 'self'", "img-src *"}},
			http.Header{"Content-Security-Policy": {"default-src 'self'; " + fa + " 'self'; sandbox " + SandboxValue, "img-src *; " + fa + " 'self'"}}},
		{"CRM sandbox kept but loses top navigation",
			http.Header{"Content-Security-Policy": {"sandbox allow-scripts allow-top-navigation allow-same-origin"}, "X-Frame-Options": {"DENY"}},
			http.Header{"Content-Security-Policy": {"sandbox allow-scripts allow-same-origin; " + fa}}},
		{"report-only never gets it",
			http.Header{"Content-Security-Policy-Report-Only": {"default-src 'self'"}},
			http.Header{"Content-Security-Policy-Report-Only": {"default-src 'self'; " + fa + " 'self'"}, "Content-Security-Policy": {fa + " 'self'; sandbox " + SandboxValue}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := testPolicy()
			p.Sandbox = true
			h := tc.in.Clone()
			c := p.Apply(h, client)
			if !reflect.DeepEqual(h, tc.want) {
				t.Errorf("got  %q\nwant %q", h, tc.want)
			}
			if c.SandboxApplied != 1 {
				t.Errorf("SandboxApplied = %d", c.SandboxApplied)
			}
		})
	}
	for _, f := range strings.Fields(SandboxValue) {
		if f == "allow-top-navigation" || f == "allow-top-navigation-by-user-activation" {
			t.Errorf("SandboxValue allows top navigation: %s", f)
		}
	}
}

// A CRM page that its own pages may frame (a frameset, an inner iframe)
// keeps 'self' next to the desktop: browsers check every ancestor.
func TestFrameAncestorsSelfWhenCRMFramesItself(t *testing.T) {
	const fa = "frame-ancestors https://desk.example.com https://desk2.example.com"
	tests := []struct {
		name string
		in   http.Header
		want string
	}{
		{"XFO SAMEORIGIN", http.Header{"X-Frame-Options": {"sameorigin"}}, fa + " 'self'"},
		{"CSP 'self'", http.Header{"Content-Security-Policy": {"frame-ancestors 'self'"}}, fa + " 'self'"},
		{"CSP own upstream origin", http.Header{"Content-Security-Policy": {"frame-ancestors http://crm.internal:8080"}}, fa + " 'self'"},
		{"XFO DENY", http.Header{"X-Frame-Options": {"DENY"}}, fa},
		{"XFO DENY and SAMEORIGIN: DENY wins", http.Header{"X-Frame-Options": {"SAMEORIGIN", "deny"}}, fa},
		{"CSP none", http.Header{"Content-Security-Policy": {"frame-ancestors 'none'"}}, fa},
		{"CSP foreign origin", http.Header{"Content-Security-Policy": {"frame-ancestors https://partner.example"}}, fa},
		// A legacy CRM's frameset pages often send no framing header at all:
		// anyone could frame them, their own frameset included.
		{"no restriction", http.Header{}, fa + " 'self'"},
		{"CSP without frame-ancestors", http.Header{"Content-Security-Policy": {"default-src 'self'"}}, "default-src 'self'; " + fa + " 'self'"},
		{"XFO ALLOW-FROM (ignored by browsers)", http.Header{"X-Frame-Options": {"ALLOW-FROM https://partner.example"}}, fa + " 'self'"},
		{"report-only frame-ancestors restricts nothing", http.Header{"Content-Security-Policy-Report-Only": {"frame-ancestors 'none'"}}, fa + " 'self'"},
		{"XFO DENY, CSP without frame-ancestors", http.Header{"X-Frame-Options": {"DENY"}, "Content-Security-Policy": {"default-src 'self'"}}, "default-src 'self'; " + fa},
		// Browsers: an enforced frame-ancestors overrides X-Frame-Options,
		// and every enforced policy must allow the ancestor.
		{"XFO SAMEORIGIN, CSP none: CSP wins", http.Header{"X-Frame-Options": {"SAMEORIGIN"}, "Content-Security-Policy": {"frame-ancestors 'none'"}}, fa},
		{"XFO DENY, CSP 'self': CSP wins", http.Header{"X-Frame-Options": {"DENY"}, "Content-Security-Policy": {"frame-ancestors 'self'"}}, fa + " 'self'"},
		{"CSP 'self' in one header, 'none' in another", http.Header{"Content-Security-Policy": {"frame-ancestors 'self'", "default-src 'self'; frame-ancestors 'none'"}}, fa},
		{"CSP 'self' and 'none' in one policy list", http.Header{"Content-Security-Policy": {"frame-ancestors 'self', frame-ancestors 'none'"}}, fa + ", " + fa},
		{"CSP names the public host", http.Header{"Content-Security-Policy": {"frame-ancestors https://crm.desk.example.com/"}}, fa + " 'self'"},
		// The HTML standard: two different values, one of them DENY,
		// SAMEORIGIN or ALLOWALL, block every ancestor.
		{"XFO SAMEORIGIN and junk", http.Header{"X-Frame-Options": {"SAMEORIGIN, ALLOW-FROM https://partner.example"}}, fa},
		{"XFO SAMEORIGIN twice", http.Header{"X-Frame-Options": {"SAMEORIGIN", " sameorigin"}}, fa + " 'self'"},
		{"XFO ALLOWALL", http.Header{"X-Frame-Options": {"ALLOWALL"}}, fa + " 'self'"},
		{"XFO junk only", http.Header{"X-Frame-Options": {"nope"}}, fa + " 'self'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.in.Clone()
			testPolicy().Apply(h, client)
			if got := h.Get("Content-Security-Policy"); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// Under a mount (a prefix stripped before crm_frame: the browser's
// /crm/x is the CRM's /x), the CRM's URLs and cookie paths go back under it.
func TestMountedLocationsAndCookies(t *testing.T) {
	mounted := &url.URL{Scheme: "https", Host: "desk.example.com", Path: "/crm"}
	tests := []struct {
		header, in, want string
	}{
		{"Location", "http://crm.internal:8080/login?next=%2Fx#f", "https://desk.example.com/crm/login?next=%2Fx#f"},
		{"Location", "http://crm.internal:8080", "https://desk.example.com/crm/"},
		{"Location", "http://crm.internal:8080?a=1", "https://desk.example.com/crm/?a=1"},
		{"Location", "/login", "/crm/login"},
		{"Location", " /login ", " /crm/login "},
		{"Location", "login.do", "login.do"},
		{"Location", "../x", "../x"},
		{"Location", "//sso.example/auth", "//sso.example/auth"},
		{"Location", "/\\sso.example/auth", "/\\sso.example/auth"},
		{"Location", "https://sso.example/auth?back=/x", "https://sso.example/auth?back=/x"},
		{"Content-Location", "/doc/1", "/crm/doc/1"},
		{"Refresh", "0; url=/home", "0; url=/crm/home"},
		{"Refresh", "0; url='http://crm.internal:8080/home'", "0; url='https://desk.example.com/crm/home'"},
		{"Link", "</a.css>; rel=preload, <https://cdn.example/x.js>; rel=preload", "</crm/a.css>; rel=preload, <https://cdn.example/x.js>; rel=preload"},
		{"Set-Cookie", "S=1; Path=/app; HttpOnly", "S=1; Path=/crm/app; HttpOnly"},
		{"Set-Cookie", "S=1; path=/", "S=1; Path=/crm/"},
		{"Set-Cookie", "S=1; HttpOnly", "S=1; HttpOnly"},
		{"Set-Cookie", "S=1; Path=relative", "S=1; Path=relative"},
		{"Set-Cookie", "S=1; Domain=crm.internal; Path=/a", "S=1; Path=/crm/a"},
		// A __Host- cookie with any Path but "/" is rejected by browsers.
		{"Set-Cookie", "__Host-SID=1; Path=/; Secure; HttpOnly", "__Host-SID=1; Path=/; Secure; HttpOnly"},
		{"Set-Cookie", "__host-sid=1; Secure; Path=/", "__host-sid=1; Secure; Path=/"},
		{"Set-Cookie", "__Secure-SID=1; Path=/; Secure", "__Secure-SID=1; Path=/crm/; Secure"},
	}
	for _, tc := range tests {
		t.Run(tc.header+" "+tc.in, func(t *testing.T) {
			h := http.Header{tc.header: {tc.in}}
			c := testPolicy().Apply(h, mounted)
			if got := h.Get(tc.header); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			changed := c.LocationsRewrites + c.CookiesRewritten
			if (tc.in != tc.want) != (changed > 0) {
				t.Errorf("counted %d changes for %q -> %q", changed, tc.in, tc.want)
			}
		})
	}
}

// Undone reports headers changed after Apply (a handler wrapping
// crm_frame): framing allowed again, or denied to the desktop.
func TestUndone(t *testing.T) {
	p := testPolicy()
	fa := "frame-ancestors https://desk.example.com https://desk2.example.com"
	tests := []struct {
		name string
		h    http.Header
		want string
	}{
		{"as applied", http.Header{"Content-Security-Policy": {"default-src 'self'; " + fa}}, ""},
		{"as applied, with self", http.Header{"Content-Security-Policy": {fa + " 'self'"}}, ""},
		{"X-Frame-Options back", http.Header{"Content-Security-Policy": {fa}, "X-Frame-Options": {"DENY"}}, "X-Frame-Options"},
		{"policy replaced", http.Header{"Content-Security-Policy": {"default-src 'self'"}}, "frame-ancestors"},
		{"second policy added", http.Header{"Content-Security-Policy": {fa, "frame-ancestors *"}}, "frame-ancestors"},
		{"policy list", http.Header{"Content-Security-Policy": {fa + ", script-src 'self'"}}, "frame-ancestors"},
		{"removed", http.Header{"Content-Security-Policy-Report-Only": {fa}}, "Content-Security-Policy missing"},
		{"empty policy kept", http.Header{"Content-Security-Policy": {fa + ", ;", ""}}, ""},
	}
	for _, tc := range tests {
		if got := p.Undone(tc.h); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	// Whatever Apply produces holds.
	for _, in := range []http.Header{{}, {"X-Frame-Options": {"DENY"}, "Content-Security-Policy": {"frame-ancestors 'none', script-src 'self'"}},
		{"Content-Security-Policy": {" ; ,default-src 'self'", ""}}} {
		p.Apply(in, client)
		if got := p.Undone(in); got != "" {
			t.Errorf("Apply's own result reported %q: %v", got, in)
		}
	}
}

// SVG documents get the sandbox whatever the setting: nothing rewrites
// their scripts, and the sandbox keeps them from navigating the CRM page
// or the desktop (other XML documents: xmldoc_test.go).
func TestSVGSandboxed(t *testing.T) {
	const fa = "frame-ancestors https://desk.example.com https://desk2.example.com"
	for _, ct := range []string{"image/svg+xml", "Image/SVG+XML; charset=utf-8"} {
		p := testPolicy()
		h := http.Header{"Content-Type": {ct}}
		if c := p.Apply(h, client); c.SandboxApplied != 1 {
			t.Errorf("%s: SandboxApplied = %d", ct, c.SandboxApplied)
		}
		if got := h.Get("Content-Security-Policy"); got != fa+" 'self'; sandbox "+DocSandboxValue {
			t.Errorf("%s: CSP %q", ct, got)
		}
	}
	p := testPolicy()
	h := http.Header{"Content-Type": {"text/html"}}
	if c := p.Apply(h, client); c.SandboxApplied != 0 || strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("HTML sandboxed without the setting: %q", h)
	}
}
