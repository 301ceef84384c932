package injector

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// TrustedTypesPolicy is the Trusted Types policy name the SDK creates; it
// is added to a page's trusted-types allow-list.
const TrustedTypesPolicy = "crmframe"

// cspEdit is what allowScripts decided for one response.
type cspEdit struct {
	nonce string // nonce attribute for our script tags, "" for none
	fresh bool   // the nonce was made by us (not the page's)
	// hashed holds, for each enforced policy that restricts inline
	// scripts, its hash sources; nil when one of them lists none (or none
	// restricts). See InlineHashAllowed.
	hashed [][]string
}

// InlineHashAllowed reports whether an inline script without a nonce
// attribute, whose text (UTF-8) is src, was allowed by the page's hashes in
// every enforced policy. Once the frame-busting rewriter changed it, its
// hash no longer matches: it may then carry e.nonce, which allowScripts put
// into every policy listing hashes. Scripts the CRM did not allow never
// get it (an injected script stays blocked).
func (e cspEdit) InlineHashAllowed(src []byte) bool {
	if len(e.hashed) == 0 || e.nonce == "" {
		return false
	}
	var digests [3]string
	digest := func(alg string) string {
		i, sum := 0, []byte(nil)
		switch alg {
		case "sha256":
			s := sha256.Sum256(src)
			sum = s[:]
		case "sha384":
			i = 1
			if digests[i] == "" {
				s := sha512.Sum384(src)
				sum = s[:]
			}
		case "sha512":
			i = 2
			if digests[i] == "" {
				s := sha512.Sum512(src)
				sum = s[:]
			}
		default:
			return ""
		}
		if digests[i] == "" {
			digests[i] = base64.RawStdEncoding.EncodeToString(sum)
		}
		return digests[i]
	}
	for _, hs := range e.hashed {
		ok := false
		for _, h := range hs {
			alg, v, _ := strings.Cut(h, "-")
			if d := digest(alg); d != "" && d == v {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// hashValue normalises a hash source ('sha256-AbC+/=' or base64url) to
// "sha256-" + unpadded standard base64, "" when it is not one.
func hashValue(tok string) string {
	lt := strings.ToLower(tok)
	for _, alg := range [...]string{"sha256", "sha384", "sha512"} {
		if strings.HasPrefix(lt, "'"+alg+"-") && strings.HasSuffix(tok, "'") && len(tok) > len(alg)+3 {
			v := tok[len(alg)+2 : len(tok)-1]
			v = strings.TrimRight(strings.NewReplacer("-", "+", "_", "/").Replace(v), "=")
			return alg + "-" + v
		}
	}
	return ""
}

// scriptDirective returns the directive that governs <script src>
// elements in p (script-src-elem, else script-src, else default-src).
func scriptDirective(p *Policy) (Directive, bool) {
	for _, n := range [...]string{"script-src-elem", "script-src", "default-src"} {
		if d, ok := p.Get(n); ok {
			return d, true
		}
	}
	return Directive{}, false
}

// validNonce reports whether s is a base64 nonce value safe to put in an
// attribute without escaping.
func validNonce(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '=' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// randomNonce makes per-response nonces (tests replace it).
var randomNonce = newNonce

func newNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawStdEncoding.EncodeToString(b[:])
}

// scriptNeed classifies what a policy needs so our scripts load.
type scriptNeed int

const (
	needNothing scriptNeed = iota
	needNonce
	needHostSources
)

type policyPlan struct {
	p       *Policy
	dir     string
	need    scriptNeed
	nonce   string     // the page's first valid nonce in the directive
	blocked []*url.URL // our scripts the directive does not allow
	none    bool       // the directive is exactly 'none'
	// inline scripts: whether the directive restricts them, and the hashes
	// it allows them by
	restrictsInline bool
	hashes          []string
	enforced        bool
}

// inlineHashGate returns the hash sources of every enforced policy that
// restricts inline scripts, or nil when one of them lists no hash (an
// inline script without nonce was blocked there anyway) or none restricts.
func inlineHashGate(plans []policyPlan) [][]string {
	var out [][]string
	for _, pl := range plans {
		if !pl.enforced || pl.dir == "" || !pl.restrictsInline {
			continue
		}
		if len(pl.hashes) == 0 {
			return nil
		}
		out = append(out, pl.hashes)
	}
	return out
}

func planPolicy(p *Policy, scripts []*url.URL, self *url.URL) policyPlan {
	d, ok := scriptDirective(p)
	if !ok {
		return policyPlan{p: p}
	}
	pl := policyPlan{p: p, dir: d.Name}
	toks := strings.Fields(d.Value)
	var strictDynamic, nonceOrHash, unsafeInline bool
	for _, t := range toks {
		lt := strings.ToLower(t)
		switch {
		case lt == "'strict-dynamic'":
			strictDynamic = true
		case lt == "'unsafe-inline'":
			unsafeInline = true
		case strings.HasPrefix(lt, "'nonce-") && strings.HasSuffix(lt, "'") && len(t) > len("'nonce-'"):
			nonceOrHash = true
			if v := t[len("'nonce-") : len(t)-1]; pl.nonce == "" && validNonce(v) {
				pl.nonce = v
			}
		case strings.HasPrefix(lt, "'sha256-"), strings.HasPrefix(lt, "'sha384-"), strings.HasPrefix(lt, "'sha512-"):
			nonceOrHash = true
			if h := hashValue(t); h != "" {
				pl.hashes = append(pl.hashes, h)
			}
		}
	}
	// CSP3: a nonce, a hash or 'strict-dynamic' turns 'unsafe-inline' off.
	pl.restrictsInline = !unsafeInline || nonceOrHash || strictDynamic
	pl.none = len(toks) == 0 || (len(toks) == 1 && strings.EqualFold(toks[0], "'none'"))
	for _, u := range scripts {
		if strictDynamic || !sourceListAllows(toks, u, self) {
			pl.blocked = append(pl.blocked, u)
		}
	}
	switch {
	case len(pl.blocked) == 0:
		pl.need = needNothing
	case strictDynamic || nonceOrHash:
		// A nonce does not change what the page's inline scripts may do:
		// 'unsafe-inline' is already ignored here.
		pl.need = needNonce
	case unsafeInline:
		// A nonce would disable 'unsafe-inline' and break the page's own
		// inline scripts: allow our exact script URLs instead.
		pl.need = needHostSources
	default:
		pl.need = needNonce
	}
	return pl
}

// allowScripts edits the CSP headers in h (enforced and report-only, so
// the page produces no violation reports because of us) so that our
// scripts load, and adds our Trusted Types policy name where the page
// restricts policy names. It returns the nonce to put on our tags. With
// inject false only the Trusted Types edit is made; with freshOK false no
// nonce is invented (a 304 must not get a nonce its cached body lacks).
func (b *BodyRewriter) allowScripts(h http.Header, self *url.URL, inject, freshOK bool) cspEdit {
	var scripts []*url.URL
	if inject {
		scripts = b.resolveScripts(self)
	}
	type hv struct {
		key string
		i   int
		ps  []*Policy
	}
	var vals []hv
	var plans []policyPlan
	for _, name := range [...]string{HeaderCSP, HeaderCSPReportOnly} {
		for _, k := range headerKeys(h, name) {
			for i, v := range h[k] {
				ps := ParsePolicyList(v)
				vals = append(vals, hv{k, i, ps})
				for _, p := range ps {
					if !p.Empty() {
						pl := planPolicy(p, scripts, self)
						pl.enforced = name == HeaderCSP
						plans = append(plans, pl)
					}
				}
			}
		}
	}
	var ed cspEdit
	if inject && freshOK {
		// Inline scripts the CRM allows by hash no longer match once
		// rewritten: they get our nonce (see InlineHashAllowed), so every
		// policy listing hashes needs it, whether or not our tags do.
		if ed.hashed = inlineHashGate(plans); ed.hashed != nil {
			for i := range plans {
				if len(plans[i].hashes) > 0 {
					plans[i].need = needNonce
				}
			}
		}
	}
	for _, pl := range plans {
		if pl.need == needNonce && pl.nonce != "" {
			ed.nonce = pl.nonce
			break
		}
	}
	for _, pl := range plans {
		if pl.need != needNonce {
			continue
		}
		if ed.nonce == "" {
			if !freshOK {
				break
			}
			ed.nonce, ed.fresh = randomNonce(), true
		}
		src := "'nonce-" + ed.nonce + "'"
		if pl.none {
			pl.p.Set(pl.dir, src)
		} else {
			pl.p.AppendSource(pl.dir, src)
		}
	}
	if inject {
		for _, pl := range plans {
			allowConnect(pl.p, b.resolveConnect(self), self)
		}
	}
	for _, pl := range plans {
		if pl.need == needHostSources {
			for _, u := range pl.blocked {
				pl.p.AppendSource(pl.dir, hostSource(u))
			}
		}
		allowTrustedTypesPolicy(pl.p)
	}
	for _, v := range vals {
		h[v.key][v.i] = JoinPolicies(v.ps)
	}
	return ed
}

// allowTrustedTypesPolicy adds our policy name to a restrictive
// trusted-types directive. 'none' (no policy may be created) becomes a
// list holding only ours: the page still may not create any policy.
func allowTrustedTypesPolicy(p *Policy) bool {
	d, ok := p.Get("trusted-types")
	if !ok {
		return false // no restriction on policy names
	}
	toks := strings.Fields(d.Value)
	var keep []string
	hadNone := len(toks) == 0
	for _, t := range toks {
		switch {
		case t == "*" || t == TrustedTypesPolicy:
			return false
		case strings.EqualFold(t, "'none'"):
			hadNone = true
		default:
			keep = append(keep, t)
		}
	}
	if hadNone {
		return p.Set("trusted-types", strings.Join(append(keep, TrustedTypesPolicy), " "))
	}
	return p.AppendSource("trusted-types", TrustedTypesPolicy)
}

// allowConnect adds our connection URLs (the SDK's WebSocket) to the
// directive governing fetch/WebSocket connections where it blocks them.
func allowConnect(p *Policy, urls []*url.URL, self *url.URL) {
	var d Directive
	found := false
	for _, n := range [...]string{"connect-src", "default-src"} {
		if d, found = p.Get(n); found {
			break
		}
	}
	if !found {
		return
	}
	toks := strings.Fields(d.Value)
	none := len(toks) == 0 || (len(toks) == 1 && strings.EqualFold(toks[0], "'none'"))
	for _, u := range urls {
		if !none && sourceListAllows(toks, u, self) {
			continue
		}
		if none {
			p.Set(d.Name, hostSource(u))
			none = false
		} else {
			p.AppendSource(d.Name, hostSource(u))
		}
		d, _ = p.Get(d.Name)
		toks = strings.Fields(d.Value)
	}
}

// resolveConnect resolves connection URLs against the page: a path
// becomes a WebSocket URL on the page's host.
func (b *BodyRewriter) resolveConnect(self *url.URL) []*url.URL {
	out := make([]*url.URL, 0, len(b.connectURLs))
	for _, u := range b.connectURLs {
		r := self.ResolveReference(u)
		if u.Scheme == "" {
			r.Scheme = "ws"
			if self.Scheme == "https" {
				r.Scheme = "wss"
			}
		}
		out = append(out, r)
	}
	return out
}

// hostSource is the narrowest CSP source expression allowing u: its
// origin and exact path (the query is not part of CSP matching).
func hostSource(u *url.URL) string {
	p := u.EscapedPath()
	p = strings.NewReplacer(";", "%3B", ",", "%2C").Replace(p)
	if p == "" {
		p = "/"
	}
	return u.Scheme + "://" + u.Host + p
}

// resolveScripts resolves our script URLs against the page's origin.
func (b *BodyRewriter) resolveScripts(self *url.URL) []*url.URL {
	out := make([]*url.URL, len(b.scriptURLs))
	for i, u := range b.scriptURLs {
		out[i] = self.ResolveReference(u)
	}
	return out
}

// sourceListAllows implements CSP3 "does url match source list" for the
// parts that matter to a <script src>: *, 'self', scheme- and
// host-sources. Keywords, nonces and hashes never match a URL. When in
// doubt it says no, and the caller adds an explicit allowance.
func sourceListAllows(toks []string, u, self *url.URL) bool {
	for _, t := range toks {
		lt := strings.ToLower(t)
		switch {
		case lt == "*":
			switch u.Scheme {
			case "http", "https", "ws", "wss":
				return true
			}
			if u.Scheme == self.Scheme {
				return true
			}
		case lt == "'self'":
			if sameOriginOrUpgrade(u, self) {
				return true
			}
		case strings.HasPrefix(lt, "'"):
		case isSchemeSource(lt):
			if schemeMatches(lt[:len(lt)-1], u.Scheme) {
				return true
			}
		default:
			if hostSourceMatches(t, u, self) {
				return true
			}
		}
	}
	return false
}

func isSchemeSource(s string) bool {
	if len(s) < 2 || s[len(s)-1] != ':' {
		return false
	}
	for i := 0; i < len(s)-1; i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return true
}

// schemeMatches is CSP3 "scheme-part matching".
func schemeMatches(a, b string) bool {
	switch {
	case a == b:
		return true
	case a == "http" && b == "https":
		return true
	case a == "ws" && (b == "wss" || b == "http" || b == "https"):
		return true
	case a == "wss" && b == "https":
		return true
	}
	return false
}

func defaultPort(scheme string) string {
	switch scheme {
	case "http", "ws":
		return "80"
	case "https", "wss":
		return "443"
	}
	return ""
}

func effectivePort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	return defaultPort(u.Scheme)
}

func sameOriginOrUpgrade(u, self *url.URL) bool {
	if !strings.EqualFold(u.Hostname(), self.Hostname()) {
		return false
	}
	// 'self' also matches WebSockets to the page's host.
	switch u.Scheme {
	case "ws":
		c := *u
		c.Scheme = "http"
		u = &c
	case "wss":
		c := *u
		c.Scheme = "https"
		u = &c
	}
	if u.Scheme == self.Scheme && effectivePort(u) == effectivePort(self) {
		return true
	}
	// 'self' on http: also matches https (and its default port).
	return self.Scheme == "http" && u.Scheme == "https" &&
		(effectivePort(self) == "80" && effectivePort(u) == "443" || effectivePort(u) == effectivePort(self))
}

// hostSourceMatches matches a host-source expression (scheme and host
// are case-insensitive, the path is not).
func hostSourceMatches(src string, u, self *url.URL) bool {
	scheme := ""
	if i := strings.Index(src, "://"); i >= 0 {
		scheme, src = strings.ToLower(src[:i]), src[i+3:]
	}
	path := ""
	if i := strings.IndexByte(src, '/'); i >= 0 {
		src, path = src[:i], src[i:]
	}
	src = strings.ToLower(src)
	host, port := src, ""
	if i := strings.LastIndexByte(src, ':'); i >= 0 && !strings.HasSuffix(src, "]") {
		host, port = src[:i], src[i+1:]
	}
	if scheme != "" {
		if !schemeMatches(scheme, u.Scheme) {
			return false
		}
	} else if self.Scheme == "http" {
		if u.Scheme != "http" && u.Scheme != "https" {
			return false
		}
	} else if u.Scheme != self.Scheme {
		return false
	}
	uh := strings.ToLower(u.Hostname())
	switch {
	case host == "*":
	case strings.HasPrefix(host, "*."):
		if !strings.HasSuffix(uh, host[1:]) {
			return false
		}
	default:
		if host != uh {
			return false
		}
	}
	up := effectivePort(u)
	switch {
	case port == "*":
	case port == "":
		if up != defaultPort(u.Scheme) {
			return false
		}
	default:
		if _, err := strconv.Atoi(port); err != nil {
			return false
		}
		if port != up && !(port == "80" && u.Scheme == "https" && up == "443") {
			return false
		}
	}
	if path == "" || path == "/" {
		return true
	}
	up2 := u.EscapedPath()
	if strings.HasSuffix(path, "/") {
		return strings.HasPrefix(up2, path)
	}
	return up2 == path
}
