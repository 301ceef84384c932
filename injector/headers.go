// Package injector rewrites what a legacy CRM sends so that it can live
// inside an agent desktop's iframe: the header policy (this file), the
// streaming HTML rewriter, and the assets we inject. It has no Caddy
// dependency; caddymodule wires it into the HTTP pipeline.
package injector

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// CookieMode selects how Set-Cookie is rewritten.
type CookieMode int

const (
	// CookiesSameSite keeps SameSite as the CRM sent it: the recommended
	// deployment puts the CRM on a subdomain of the desktop's site.
	CookiesSameSite CookieMode = iota
	// CookiesCrossSite rewrites every cookie to SameSite=None; Secure so it
	// is sent inside a cross-site frame (requires HTTPS).
	CookiesCrossSite
)

// HeaderPolicy is the response header policy that makes a CRM frameable by
// the configured desktop origins and by no one else.
type HeaderPolicy struct {
	// FrameAncestors are the CSP frame-ancestors sources, e.g.
	// "https://desk.example.com". Must not be empty.
	FrameAncestors []string
	// UpstreamOrigins are the absolute origins the CRM uses for itself;
	// URLs pointing at them are rewritten to the client's origin.
	UpstreamOrigins []*url.URL
	Cookies         CookieMode
	// Partitioned adds the Partitioned attribute in cross-site mode.
	Partitioned bool
	// Sandbox adds a CSP sandbox directive that allows everything a CRM
	// page does except navigating the top-level window (the desktop). It is
	// the browser-enforced backstop of frame-busting neutralisation (a
	// sandbox the CRM sends itself always loses its top-navigation
	// allowances).
	Sandbox bool
}

// SandboxValue is the sandbox directive added when HeaderPolicy.Sandbox is
// set: every allow-* keyword but allow-top-navigation and
// allow-top-navigation-by-user-activation.
const SandboxValue = "allow-downloads allow-forms allow-modals allow-orientation-lock allow-pointer-lock " +
	"allow-popups allow-popups-to-escape-sandbox allow-presentation allow-same-origin allow-scripts " +
	"allow-storage-access-by-user-activation allow-top-navigation-to-custom-protocols"

// DocSandboxValue is the sandbox of documents no rewriter reaches (XML,
// SVG, sniffed bodies: see unrewrittenDocType), whatever the setting:
// SandboxValue without allow-popups-to-escape-sandbox, so that a popup such
// a document opens is held by the same sandbox (an unsandboxed same-origin
// popup could navigate the CRM page for it).
const DocSandboxValue = "allow-downloads allow-forms allow-modals allow-orientation-lock allow-pointer-lock " +
	"allow-popups allow-presentation allow-same-origin allow-scripts " +
	"allow-storage-access-by-user-activation allow-top-navigation-to-custom-protocols"

// Changes counts what Apply changed, by kind (for metrics and logs).
type Changes struct {
	XFORemoved        int
	CSPFrameAncestors int
	SandboxApplied    int
	CookiesRewritten  int
	LocationsRewrites int
	// ForeignRedirect is the origin a page loading in a frame is
	// redirected to when it is neither the client's origin nor an upstream
	// origin (set by ResponseWriter; empty otherwise). The browser loads it
	// in the frame only if that site allows framing by the desktop: the
	// usual cause of a blank frame (a single sign-on page, for instance).
	ForeignRedirect string
	// Path is the request path of a ForeignRedirect.
	Path string
}

// ValidateOrigin checks that s is a serialized origin usable as a
// frame-ancestors source (scheme://host[:port], no path) or a CSP host
// source with a wildcard subdomain (https://*.example.com).
func ValidateOrigin(s string) error {
	if s == "*" {
		return errors.New("'*' allows every site to frame the CRM; write 'frame_ancestors * insecure' if you really mean it")
	}
	if s == "'self'" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%q is not an origin: %v", s, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%q is not an origin: want http:// or https://", s)
	}
	if u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q is not an origin: want scheme://host[:port] with nothing after it", s)
	}
	host := u.Hostname()
	if strings.Contains(host, "*") && !strings.HasPrefix(host, "*.") {
		return fmt.Errorf("%q: a wildcard is only allowed as the first label (https://*.example.com)", s)
	}
	if strings.ContainsAny(s, " ;,'\"") {
		return fmt.Errorf("%q contains characters not allowed in a CSP source", s)
	}
	return nil
}

type clientOriginKey struct{}

// WithClientOrigin records in ctx the origin the browser used when r does
// not show it: behind a TLS-terminating proxy the request arrives over
// plain HTTP, and the caller (which knows which proxies to trust) says so.
func WithClientOrigin(ctx context.Context, origin *url.URL) context.Context {
	return context.WithValue(ctx, clientOriginKey{}, origin)
}

// ClientOrigin returns the origin the client used for r: the one recorded
// by WithClientOrigin, else as crmframe received it.
func ClientOrigin(r *http.Request) *url.URL {
	if o, ok := r.Context().Value(clientOriginKey{}).(*url.URL); ok && o != nil {
		c := *o
		return &c
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return &url.URL{Scheme: scheme, Host: r.Host}
}

// Apply rewrites h in place for a response to a client that used origin
// client (scheme and host). A client Path is the mount: a path prefix a
// handler before us stripped from the browser's path (handle_path /crm/*),
// so that the CRM's "/x" is the browser's "/crm/x". Then URLs naming an
// upstream origin, path-absolute URLs ("/login") and cookie Paths are put
// back under it.
func (p *HeaderPolicy) Apply(h http.Header, client *url.URL) Changes {
	return p.apply(h, client, false)
}

// apply is Apply; sandbox adds the sandbox whatever the Content-Type (a
// body the browser will sniff, see unlabeledBody).
func (p *HeaderPolicy) apply(h http.Header, client *url.URL, sandbox bool) Changes {
	var c Changes
	self := p.crmFramesItself(h, client)
	c.XFORemoved = removeHeader(h, "X-Frame-Options")
	sb := ""
	switch {
	case sandbox || unrewrittenDocType(h.Get("Content-Type")):
		sb = DocSandboxValue
	case p.Sandbox:
		sb = SandboxValue
	}
	c.CSPFrameAncestors = p.applyCSP(h, &c, self, sb)
	mount := ""
	if client != nil {
		mount = client.Path
	}
	c.CookiesRewritten = p.applyCookies(h, mount)
	c.LocationsRewrites = p.applyLocations(h, client)
	return c
}

// Undone reports how headers sent after Apply fail the framing policy:
// "X-Frame-Options" when one is back, "Content-Security-Policy missing"
// when no enforced policy is left, "frame-ancestors" when an enforced
// policy lacks the one Apply set; "" when the policy holds. Handlers that
// run after crm_frame has written its headers (Caddy's deferred header
// directive) can do this; crm_frame cannot undo it, only report it.
func (p *HeaderPolicy) Undone(h http.Header) string {
	if len(headerKeys(h, "X-Frame-Options")) > 0 {
		return "X-Frame-Options"
	}
	// Runs on every response: no allocation.
	found := false
	for _, k := range headerKeys(h, HeaderCSP) {
		for _, v := range h[k] {
			for rest, more := v, true; more; {
				var pol string
				pol, rest, more = strings.Cut(rest, ",")
				if strings.Trim(pol, " \t\r\n\f;") == "" {
					continue // no directive: Apply leaves it alone too
				}
				found = true
				if !p.hasAncestors(pol) {
					return "frame-ancestors"
				}
			}
		}
	}
	if !found {
		return "Content-Security-Policy missing"
	}
	return ""
}

func removeHeader(h http.Header, name string) int {
	n := 0
	for k, v := range h {
		if strings.EqualFold(k, name) {
			n += len(v)
			delete(h, k)
		}
	}
	return n
}

// headerKeys returns the map keys matching name case-insensitively; a
// header map built by hand may hold non-canonical keys.
func headerKeys(h http.Header, name string) []string {
	var ks []string
	for k := range h {
		if strings.EqualFold(k, name) {
			ks = append(ks, k)
		}
	}
	return ks
}

// frameAncestorsValue is the configured list, plus 'self' when the CRM
// lets its own pages frame this one: browsers check every ancestor, so a
// CRM page inside the CRM's own frameset inside the desktop needs both.
func (p *HeaderPolicy) frameAncestorsValue(self bool) string {
	v := strings.Join(p.FrameAncestors, " ")
	if self {
		for _, a := range p.FrameAncestors {
			if a == "'self'" || a == "*" {
				return v
			}
		}
		v += " 'self'"
	}
	return v
}

// crmFramesItself reports whether the CRM allowed same-origin framing of
// this response, decided as browsers decide: an enforced frame-ancestors
// overrides X-Frame-Options, and every enforced policy must allow it (one
// 'none' among several headers denies); X-Frame-Options follows the HTML
// standard (SAMEORIGIN alone; DENY, or two different values of which one is
// DENY, SAMEORIGIN or ALLOWALL, deny; anything else is ignored). Only then do
// we keep 'self'. client is the origin the browser used (the CRM may name
// its public host name).
func (p *HeaderPolicy) crmFramesItself(h http.Header, client *url.URL) bool {
	seen := false
	for _, k := range headerKeys(h, HeaderCSP) {
		for _, v := range h[k] {
			for _, pol := range ParsePolicyList(v) {
				d, ok := pol.Get("frame-ancestors")
				if !ok {
					continue
				}
				seen = true
				if !p.namesSelf(d.Value, client) {
					return false
				}
			}
		}
	}
	if seen {
		return true
	}
	xfo := map[string]bool{}
	for k, vs := range h {
		if strings.EqualFold(k, "X-Frame-Options") {
			for _, v := range vs {
				for _, t := range strings.Split(v, ",") {
					xfo[strings.ToLower(strings.Trim(t, " \t"))] = true
				}
			}
		}
	}
	if len(xfo) > 1 {
		// Conflicting values: the browser blocks every ancestor.
		return !xfo["deny"] && !xfo["sameorigin"] && !xfo["allowall"]
	}
	// No restriction the browser obeys (none, ALLOW-FROM, junk): anyone
	// could frame it, the CRM's own frameset too, which legacy CRMs rely
	// on without sending any header.
	return !xfo["deny"]
}

// namesSelf reports whether a frame-ancestors source list names the CRM's
// own origin: 'self', an upstream origin or the origin the browser used.
func (p *HeaderPolicy) namesSelf(list string, client *url.URL) bool {
	for _, src := range strings.Fields(list) {
		if strings.EqualFold(src, "'self'") {
			return true
		}
		src = strings.TrimSuffix(src, "/")
		for _, u := range p.UpstreamOrigins {
			if strings.EqualFold(src, u.Scheme+"://"+u.Host) {
				return true
			}
		}
		if client != nil && client.Host != "" && strings.EqualFold(src, client.Scheme+"://"+client.Host) {
			return true
		}
	}
	return false
}

// applyCSP sets frame-ancestors and, when sandbox is not "", makes sure an
// enforced policy sandboxes the response at least that much.
func (p *HeaderPolicy) applyCSP(h http.Header, c *Changes, self bool, sandbox string) int {
	fa := p.frameAncestorsValue(self)
	n := 0
	enforced := false
	var firstEnforced *Policy
	var firstKey string
	var firstIdx int
	var firstList []*Policy
	hasSandbox := false
	for _, name := range []string{HeaderCSP, HeaderCSPReportOnly} {
		for _, k := range headerKeys(h, name) {
			vals := h[k]
			for i, v := range vals {
				ps := ParsePolicyList(v)
				for _, pol := range ps {
					if pol.Empty() {
						continue
					}
					if pol.Set("frame-ancestors", fa) {
						n++
					}
					if name == HeaderCSP {
						enforced = true
						if firstEnforced == nil {
							firstEnforced, firstKey, firstIdx, firstList = pol, k, i, ps
						}
						// A sandbox the CRM sends itself never lets it
						// navigate the desktop, whatever our own setting.
						if d, ok := pol.Get("sandbox"); ok {
							hasSandbox = true
							if nv := stripTopNavigation(d.Value, sandbox == DocSandboxValue); nv != d.Value {
								pol.Set("sandbox", nv)
								c.SandboxApplied++
							}
						}
					}
				}
				vals[i] = JoinPolicies(ps)
			}
		}
	}
	if !enforced {
		v := "frame-ancestors " + fa
		if sandbox != "" {
			v += "; sandbox " + sandbox
			c.SandboxApplied++
		}
		h.Add(HeaderCSP, v)
		n++
	} else if sandbox != "" && !hasSandbox {
		firstEnforced.Set("sandbox", sandbox)
		h[firstKey][firstIdx] = JoinPolicies(firstList)
		c.SandboxApplied++
	}
	return n
}

// stripTopNavigation removes the keywords that let a sandboxed document
// navigate the top-level window, and with popups the one that lets its
// popups leave the sandbox.
func stripTopNavigation(v string, popups bool) string {
	fs := strings.Fields(v)
	out := fs[:0]
	changed := false
	for _, f := range fs {
		switch strings.ToLower(f) {
		case "allow-top-navigation", "allow-top-navigation-by-user-activation":
			changed = true
			continue
		case "allow-popups-to-escape-sandbox":
			if popups {
				changed = true
				continue
			}
		}
		out = append(out, f)
	}
	if !changed {
		return v
	}
	return strings.Join(out, " ")
}

func (p *HeaderPolicy) applyCookies(h http.Header, mount string) int {
	n := 0
	for _, k := range headerKeys(h, "Set-Cookie") {
		vals := h[k]
		for i, v := range vals {
			nv := p.rewriteCookie(v, mount)
			if nv != v {
				vals[i] = nv
				n++
			}
		}
	}
	return n
}

// upstreamHostMatches reports whether a cookie Domain attribute value names
// an upstream host (or a parent domain of one): such a cookie would be
// rejected by the browser on the proxy's host.
func (p *HeaderPolicy) upstreamHostMatches(domain string) bool {
	d := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(domain), "."))
	if d == "" {
		return false
	}
	for _, u := range p.UpstreamOrigins {
		host := strings.ToLower(u.Hostname())
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// rewriteCookie applies the cookie policy to one Set-Cookie value, keeping
// every attribute it does not need to change byte-for-byte. Under a mount,
// a Path the CRM set ("/app") is the browser's mount + Path ("/crm/app"):
// the browser would otherwise never send the cookie back.
func (p *HeaderPolicy) rewriteCookie(v, mount string) string {
	parts := strings.Split(v, ";")
	out := parts[:1]
	changed := false
	// Browsers reject a __Host- cookie whose Path is not "/" (a login would
	// silently fail): it stays on the whole host, mount or not.
	name, _, _ := strings.Cut(parts[0], "=")
	if len(strings.TrimSpace(name)) >= 7 && strings.EqualFold(strings.TrimSpace(name)[:7], "__host-") {
		mount = ""
	}
	hasSecure, hasPartitioned, hasSameSite := false, false, false
	for _, a := range parts[1:] {
		name, val, _ := strings.Cut(strings.TrimSpace(a), "=")
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "path":
			if pv := strings.TrimSpace(val); mount != "" && strings.HasPrefix(pv, "/") {
				a = " Path=" + mountPath(mount, pv)
				changed = true
			}
		case "domain":
			if p.upstreamHostMatches(val) {
				changed = true
				continue
			}
		case "samesite":
			if p.Cookies == CookiesCrossSite {
				hasSameSite = true
				if !strings.EqualFold(strings.TrimSpace(val), "None") {
					changed = true
				}
				continue // re-added below in a fixed form
			}
		case "secure":
			hasSecure = true
		case "partitioned":
			hasPartitioned = true
		}
		out = append(out, a)
	}
	if p.Cookies == CookiesCrossSite {
		if !hasSameSite {
			changed = true // browsers default a missing SameSite to Lax
		}
		out = append(out, " SameSite=None")
		if !hasSecure {
			out = append(out, " Secure")
			changed = true
		}
		if p.Partitioned && !hasPartitioned {
			out = append(out, " Partitioned")
			changed = true
		}
		if !changed {
			// Only the SameSite attribute moved: keep the original text.
			return v
		}
	}
	if !changed {
		return v
	}
	return strings.Join(out, ";")
}

func (p *HeaderPolicy) applyLocations(h http.Header, client *url.URL) int {
	if len(p.UpstreamOrigins) == 0 || client == nil {
		return 0
	}
	n := 0
	for _, name := range []string{"Location", "Content-Location"} {
		for _, k := range headerKeys(h, name) {
			for i, v := range h[k] {
				if nv, ok := p.rewriteURL(v, client); ok {
					h[k][i] = nv
					n++
				}
			}
		}
	}
	for _, k := range headerKeys(h, "Refresh") {
		for i, v := range h[k] {
			if nv, ok := p.rewriteRefresh(v, client); ok {
				h[k][i] = nv
				n++
			}
		}
	}
	for _, k := range headerKeys(h, "Link") {
		for i, v := range h[k] {
			if nv, ok := p.rewriteLink(v, client); ok {
				h[k][i] = nv
				n++
			}
		}
	}
	return n
}

// rewriteURL points an absolute (or scheme-relative) URL at an upstream
// origin back at the client's origin. Relative URLs and other origins are
// left alone.
func (p *HeaderPolicy) rewriteURL(raw string, client *url.URL) (string, bool) {
	s := strings.TrimSpace(raw)
	lead := raw[:strings.Index(raw, s)]
	trail := raw[len(lead)+len(s):]
	for _, up := range p.UpstreamOrigins {
		for _, prefix := range originPrefixes(up) {
			if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
				rest := s[len(prefix):]
				if rest != "" && !strings.ContainsRune("/?#", rune(rest[0])) {
					continue // e.g. http://crm.internal.evil.com
				}
				return lead + client.Scheme + "://" + client.Host + mountPath(client.Path, rest) + trail, true
			}
		}
	}
	if client.Path != "" && strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") && !strings.HasPrefix(s, "/\\") {
		// The CRM's own path-absolute URL, under the mount.
		return lead + mountPath(client.Path, s) + trail, true
	}
	return raw, false
}

// hasAncestors reports whether pol holds "frame-ancestors " followed by
// p.FrameAncestors, space-separated, as Apply writes them.
func (p *HeaderPolicy) hasAncestors(pol string) bool {
	for i := 0; ; {
		j := strings.Index(pol[i:], "frame-ancestors ")
		if j < 0 {
			return false
		}
		rest := pol[i+j+len("frame-ancestors "):]
		ok := true
		for n, fa := range p.FrameAncestors {
			if n > 0 {
				if !strings.HasPrefix(rest, " ") {
					ok = false
					break
				}
				rest = rest[1:]
			}
			if !strings.HasPrefix(rest, fa) {
				ok = false
				break
			}
			rest = rest[len(fa):]
		}
		if ok {
			return true
		}
		i += j + 1
	}
}

// mountPath puts a CRM path (or "", "?q", "#f" after an origin) under the
// mount: the CRM's root is the browser's mount + "/".
func mountPath(mount, rest string) string {
	if mount == "" {
		return rest
	}
	if rest == "" || rest[0] != '/' {
		return mount + "/" + rest
	}
	return mount + rest
}

// originPrefixes lists the spellings of an origin in a URL: with and
// without the default port, and scheme-relative.
func originPrefixes(u *url.URL) []string {
	host := u.Host
	hosts := []string{host}
	if u.Port() == "" {
		if u.Scheme == "http" {
			hosts = append(hosts, host+":80")
		} else if u.Scheme == "https" {
			hosts = append(hosts, host+":443")
		}
	} else if (u.Scheme == "http" && u.Port() == "80") || (u.Scheme == "https" && u.Port() == "443") {
		hosts = append(hosts, u.Hostname())
	}
	var out []string
	for _, h := range hosts {
		out = append(out, u.Scheme+"://"+h, "//"+h)
	}
	return out
}

// rewriteRefresh rewrites the URL of a Refresh header ("5; url=http://upstream/x").
func (p *HeaderPolicy) rewriteRefresh(v string, client *url.URL) (string, bool) {
	a, b, ok := refreshURL(v)
	if !ok {
		return v, false
	}
	nu, ok := p.rewriteURL(v[a:b], client)
	if !ok {
		return v, false
	}
	return v[:a] + nu + v[b:], true
}

// refreshURL finds the URL of a Refresh value as browsers parse it (the
// HTML standard's declarative refresh): a delay, ';' or ',', then the URL,
// optionally after "url =" in any case and spacing, optionally quoted
// ("0; URL = 'https://x/'", "0,https://x/", "0;url=https://x/").
func refreshURL(v string) (start, end int, ok bool) {
	const ws = " \t\n\f\r"
	i := 0
	skip := func() {
		for i < len(v) && strings.IndexByte(ws, v[i]) >= 0 {
			i++
		}
	}
	skip()
	d := i
	for i < len(v) && (v[i] >= '0' && v[i] <= '9' || v[i] == '.') {
		i++
	}
	if i == d || i == len(v) || strings.IndexByte(ws+";,", v[i]) < 0 {
		return 0, 0, false
	}
	skip()
	if i < len(v) && (v[i] == ';' || v[i] == ',') {
		i++
	}
	skip()
	if i == len(v) {
		return 0, 0, false
	}
	start = i
	if j := i; len(v)-j >= 3 && strings.EqualFold(v[j:j+3], "url") {
		j += 3
		for j < len(v) && strings.IndexByte(ws, v[j]) >= 0 {
			j++
		}
		if j < len(v) && v[j] == '=' {
			i = j + 1
			skip()
			start = i
			if i < len(v) && (v[i] == '\'' || v[i] == '"') {
				start = i + 1
				if k := strings.IndexByte(v[start:], v[i]); k >= 0 {
					return start, start + k, true
				}
			}
		}
	}
	return start, len(v), true
}

// rewriteLink rewrites each <URI-reference> of a Link header value.
func (p *HeaderPolicy) rewriteLink(v string, client *url.URL) (string, bool) {
	var b strings.Builder
	changed := false
	rest := v
	for {
		i := strings.IndexByte(rest, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], '>')
		if j < 0 {
			break
		}
		b.WriteString(rest[:i+1])
		u := rest[i+1 : i+j]
		if nu, ok := p.rewriteURL(u, client); ok {
			u = nu
			changed = true
		}
		b.WriteString(u)
		rest = rest[i+j:]
	}
	if !changed {
		return v, false
	}
	b.WriteString(rest)
	return b.String(), true
}

func indexFold(s, sub string) int {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		if strings.EqualFold(s[i:i+n], sub) {
			return i
		}
	}
	return -1
}
