package injector

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Header-policy fuzz targets. Seeds live in testdata/fuzz/Fuzz*/; a
// crasher found by `go test -fuzz` lands there too and then runs in every
// `go test`.

func fuzzPolicy(variant uint8) *HeaderPolicy {
	fas := [][]string{
		{"https://desk.example.com"},
		{"https://desk.example.com", "https://*.desk2.example:8443"},
		{"'self'"},
		{"*"}, // only reachable with `frame_ancestors * insecure`
	}
	return &HeaderPolicy{
		FrameAncestors: fas[int(variant)%len(fas)],
		UpstreamOrigins: []*url.URL{
			{Scheme: "http", Host: "crm.internal:8080"},
			{Scheme: "https", Host: "crm.corp.local"},
			{Scheme: "http", Host: "legacy.crm:80"},
		},
		Cookies:     CookieMode(variant >> 2 & 1),
		Partitioned: variant&8 != 0,
		Sandbox:     variant&16 != 0,
	}
}

// kept lists the directives of a header value other than those we own,
// with their exact text.
func kept(v string, owned ...string) [][]string {
	var out [][]string
	for _, p := range ParsePolicyList(v) {
		var ds []string
		for _, d := range p.Directives {
			if d.Name == "" || contains(owned, d.Name) {
				continue
			}
			ds = append(ds, d.raw)
		}
		out = append(out, ds)
	}
	return out
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// FuzzCSP: Apply never panics; every other directive is kept byte for
// byte; frame-ancestors is exactly the configured list, once, in every
// policy; there is an enforced one; '*' only when configured; the sandbox
// backstop never allows top navigation.
func FuzzCSP(f *testing.F) {
	f.Add("default-src 'self'; frame-ancestors 'none'", "", uint8(0))
	f.Add("frame-ancestors *; FRAME-ANCESTORS https://a", "script-src 'nonce-x', frame-ancestors *", uint8(17))
	f.Add("sandbox allow-scripts allow-top-navigation;", "", uint8(16))
	f.Add(" ; ;", "default-src *", uint8(3))
	f.Fuzz(func(t *testing.T, enforced, reportOnly string, variant uint8) {
		p := fuzzPolicy(variant)
		h := http.Header{}
		if enforced != "" {
			h["Content-Security-Policy"] = []string{enforced}
		}
		if reportOnly != "" {
			// a hand-built map may hold a non-canonical key
			h["content-security-policy-report-only"] = []string{reportOnly}
		}
		p.Apply(h, &url.URL{Scheme: "https", Host: "crm.desk.example.com"})
		owned := []string{"frame-ancestors"}
		if p.Sandbox {
			owned = append(owned, "sandbox")
		}
		want := strings.Join(p.FrameAncestors, " ")
		check := func(name, in string, outs []string) (enforcedFA int) {
			if in == "" {
				return 0
			}
			if len(outs) < 1 {
				t.Fatalf("%s: header lost", name)
			}
			out := outs[0]
			own := owned
			if name == "enforced" {
				// The CRM's own enforced sandbox loses top navigation
				// whatever our sandbox setting.
				own = append([]string{"sandbox"}, owned...)
			}
			if a, b := kept(in, own...), kept(out, own...); !equalNested(a, b) {
				t.Fatalf("%s: directives changed\n in %q\nout %q", name, in, out)
			}
			for _, pol := range ParsePolicyList(out) {
				if pol.Empty() {
					continue
				}
				n := 0
				for _, d := range pol.Directives {
					if d.Name == "frame-ancestors" {
						n++
						// 'self' is kept only where the CRM allowed same-origin framing
						// (or restricted nothing; with no XFO in this fuzz, that is no
						// enforced frame-ancestors).
						selfOK := d.Value == want+" 'self'" && (strings.Contains(strings.ToLower(enforced), "'self'") || !fuzzHasFA(enforced))
						if d.Value != want && !selfOK {
							t.Fatalf("%s: frame-ancestors %q, want %q (out %q)", name, d.Value, want, out)
						}
						if !contains(p.FrameAncestors, "*") && contains(strings.Fields(d.Value), "*") {
							t.Fatalf("%s: '*' not configured: %q", name, out)
						}
					}
				}
				if n != 1 {
					t.Fatalf("%s: %d frame-ancestors in %q", name, n, out)
				}
				enforcedFA++
			}
			return enforcedFA
		}
		check("report-only", reportOnly, h["content-security-policy-report-only"])
		enf := h.Values("Content-Security-Policy")
		if check("enforced", enforced, enf) == 0 {
			// No usable enforced policy came in: one was added.
			last := enf[len(enf)-1]
			if !strings.HasPrefix(last, "frame-ancestors "+want) && !strings.HasPrefix(last, "frame-ancestors "+want+" 'self'") {
				t.Fatalf("no enforced frame-ancestors: %q", enf)
			}
		}
		if p.Sandbox {
			sandboxed := false
			for _, v := range enf {
				for _, pol := range ParsePolicyList(v) {
					if d, ok := pol.Get("sandbox"); ok {
						sandboxed = true
						for _, f := range strings.Fields(strings.ToLower(d.Value)) {
							if f == "allow-top-navigation" || f == "allow-top-navigation-by-user-activation" {
								t.Fatalf("sandbox allows top navigation: %q", v)
							}
						}
					}
				}
			}
			if !sandboxed {
				t.Fatalf("no sandbox in %q", enf)
			}
		}
	})
}

func equalNested(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "\x00") != strings.Join(b[i], "\x00") || len(a[i]) != len(b[i]) {
			return false
		}
	}
	return true
}

// cookieAttrs parses a Set-Cookie value the way RFC 6265 §5.2 does:
// attribute names and values trimmed of SP and HTAB, names case-insensitive.
func cookieAttrs(v string) (pair string, attrs [][2]string) {
	parts := strings.Split(v, ";")
	for _, a := range parts[1:] {
		name, val, _ := strings.Cut(a, "=")
		attrs = append(attrs, [2]string{strings.ToLower(strings.Trim(name, " \t")), strings.Trim(val, " \t")})
	}
	return parts[0], attrs
}

// FuzzSetCookie: never panics; the name=value pair is unchanged; no Domain
// naming an upstream host (or a parent of one) remains; in cross-site mode
// the last SameSite is None and Secure (and Partitioned when configured)
// is present.
func FuzzSetCookie(f *testing.F) {
	f.Add("sid=1; Domain=crm.internal; Path=/; SameSite=Lax", uint8(4))
	f.Add("a=b; domain=.CORP.local; samesite=none; secure", uint8(12))
	f.Add("a=b;Domain= legacy.crm ;SameSite=None;SameSite=Strict", uint8(4))
	f.Add("", uint8(4))
	forbidden := []string{"crm.internal", "internal", "crm.corp.local", "corp.local", "local", "legacy.crm", "crm"}
	f.Fuzz(func(t *testing.T, v string, variant uint8) {
		p := fuzzPolicy(variant)
		h := http.Header{"Set-Cookie": {v}}
		p.Apply(h, &url.URL{Scheme: "https", Host: "crm.desk.example.com"})
		out := h["Set-Cookie"][0]
		inPair, _ := cookieAttrs(v)
		pair, attrs := cookieAttrs(out)
		if pair != inPair {
			t.Fatalf("name=value changed: %q -> %q", v, out)
		}
		sameSite, secure, partitioned := "", false, false
		for _, a := range attrs {
			switch a[0] {
			case "domain":
				d := strings.ToLower(strings.TrimPrefix(a[1], "."))
				if contains(forbidden, d) {
					t.Fatalf("upstream Domain kept: %q -> %q", v, out)
				}
			case "samesite":
				sameSite = a[1]
			case "secure":
				secure = true
			case "partitioned":
				partitioned = true
			}
		}
		if p.Cookies == CookiesCrossSite {
			if !strings.EqualFold(sameSite, "None") || !secure || (p.Partitioned && !partitioned) {
				t.Fatalf("cross-site cookie %q -> %q", v, out)
			}
		} else if !strings.Contains(strings.ToLower(v), "domain") && out != v {
			t.Fatalf("same-site cookie without Domain changed: %q -> %q", v, out)
		}
	})
}

// originSpellings lists how the fuzz policy's upstream origins may be
// written (case-insensitively), longest first.
var originSpellings = []string{
	"http://crm.internal:8080", "//crm.internal:8080",
	"https://crm.corp.local:443", "https://crm.corp.local", "//crm.corp.local:443", "//crm.corp.local",
	"http://legacy.crm:80", "http://legacy.crm", "//legacy.crm:80", "//legacy.crm",
}

// onlyOriginsReplaced reports whether out is in with some upstream origin
// spellings replaced by client, each followed by the end of its URL.
func onlyOriginsReplaced(in, out, client string) bool {
	for {
		i := 0
		for i < len(in) && i < len(out) && in[i] == out[i] {
			i++
		}
		if i == len(in) && i == len(out) {
			return true
		}
		// the common prefix may have eaten the start of the spelling
		// ("//" of a scheme-relative URL, or "http" vs "https")
		found := false
		for back := 0; back <= i && back <= 8 && !found; back++ {
			for _, s := range originSpellings {
				j := i - back
				if !strings.HasPrefix(out[j:], client) || len(in)-j < len(s) || !strings.EqualFold(in[j:j+len(s)], s) {
					continue
				}
				rest := in[j+len(s):]
				if rest != "" && !strings.ContainsRune("/?#>'\" \t\r\n", rune(rest[0])) {
					return false // e.g. http://crm.internal:8080.evil.example
				}
				in, out = rest, out[j+len(client):]
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
}

// FuzzLocations: never panics; Location, Content-Location, Refresh and
// Link only ever change by an upstream origin becoming the client's
// origin; a Location that parses still parses, keeps its path, query and
// fragment, and is rewritten exactly when it points at an upstream origin.
func FuzzLocations(f *testing.F) {
	f.Add("http://crm.internal:8080/login?x=1#f", uint8(0))
	f.Add("//CRM.corp.local:443/a", uint8(1))
	f.Add("0; url='http://legacy.crm/x'", uint8(2))
	f.Add("<http://crm.internal:8080/a>; rel=preload, <https://cdn.example/b>", uint8(3))
	f.Add("http://crm.internal:8080.evil.example/", uint8(0))
	f.Add("http://user@crm.internal:8080/", uint8(0))
	const client = "https://crm.desk.example.com"
	f.Fuzz(func(t *testing.T, v string, which uint8) {
		p := fuzzPolicy(0)
		name := []string{"Location", "Content-Location", "Refresh", "Link"}[which%4]
		h := http.Header{name: {v}}
		p.Apply(h, &url.URL{Scheme: "https", Host: "crm.desk.example.com"})
		out := h[name][0]
		if out == v {
			if name == "Location" && pointsUpstream(v) {
				t.Fatalf("upstream Location %q not rewritten", v)
			}
			return
		}
		if !onlyOriginsReplaced(v, out, client) {
			t.Fatalf("%s: more than an upstream origin changed: %q -> %q", name, v, out)
		}
		if name != "Location" && name != "Content-Location" {
			return
		}
		u, err := url.Parse(strings.TrimSpace(v))
		if err != nil {
			return // Go's parser is stricter than browsers'
		}
		nu, err := url.Parse(strings.TrimSpace(out))
		if err != nil {
			t.Fatalf("result does not parse: %q -> %q: %v", v, out, err)
		}
		if nu.Scheme+"://"+nu.Host != client || nu.EscapedPath() != u.EscapedPath() || nu.RawQuery != u.RawQuery || nu.Fragment != u.Fragment {
			t.Fatalf("rewritten %q -> %q", v, out)
		}
		if !pointsUpstream(v) {
			t.Fatalf("%q does not point at an upstream origin but became %q", v, out)
		}
	})
}

// pointsUpstream reports whether Go's URL parser sees v as an absolute or
// scheme-relative URL on one of the fuzz policy's upstream origins.
func pointsUpstream(v string) bool {
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil || u.User != nil || u.Host == "" || u.Opaque != "" {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if strings.Contains(u.Host, "%") || strings.ContainsAny(u.Host, "[]") {
		return false
	}
	switch host {
	case "crm.internal":
		return (scheme == "http" || scheme == "") && port == "8080"
	case "crm.corp.local":
		return (scheme == "https" || scheme == "") && (port == "" || port == "443") && !strings.HasSuffix(u.Host, ":")
	case "legacy.crm":
		return (scheme == "http" || scheme == "") && (port == "" || port == "80") && !strings.HasSuffix(u.Host, ":")
	}
	return false
}

// fuzzHasFA reports whether an enforced header value holds a frame-ancestors
// directive in any of its policies.
func fuzzHasFA(v string) bool {
	for _, pol := range ParsePolicyList(v) {
		if pol.Has("frame-ancestors") {
			return true
		}
	}
	return false
}
