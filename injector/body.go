package injector

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/html"
)

// JSKind tells the JavaScript rewriter what kind of source it gets.
type JSKind int

const (
	JSClassic JSKind = iota // classic script (inline <script> or a script response)
	JSModule                // module script (type=module, or a module script response)
	JSHandler               // event-handler attribute value (onclick="...")
	JSURL                   // the code of a javascript: URL, percent-decoded
)

func (k JSKind) String() string {
	switch k {
	case JSClassic:
		return "classic"
	case JSModule:
		return "module"
	case JSHandler:
		return "handler"
	case JSURL:
		return "url"
	}
	return "JSKind(" + strconv.Itoa(int(k)) + ")"
}

// Result actions reported through BodyOptions.OnResult (metric label values).
const (
	ActionRewrittenHTML = "rewritten_html"
	ActionRewrittenJS   = "rewritten_js"
	ActionPassedThrough = "passed_through"
	ActionTooLarge      = "too_large"
	ActionUndecodable   = "undecodable"
	ActionError         = "error"
)

// Result reasons the caller may tell apart (Result.Reason).
const (
	// ReasonClientGone: writing to the client failed (it went away).
	ReasonClientGone = "client went away"
	// ReasonUpstreamBroke: the upstream's body broke off (reset, shorter
	// than its Content-Length, a timeout), see ResponseWriter.AbortWith.
	ReasonUpstreamBroke = "upstream body broke off"
	// ReasonAborted: the response was abandoned for another reason.
	ReasonAborted = "aborted"
)

// Result describes what happened to one response body.
type Result struct {
	Action string
	// Reason is a short fixed phrase (bounded set: safe as a log field).
	Reason string
	// Kind is "html", "js" or "" (other content).
	Kind string
	// Coding is the content coding handled ("", "gzip", "deflate", "br", "zstd").
	Coding string
	// SentCoding is the coding the body went out in: Coding, or another
	// one when recompress_coding re-encoded the rewritten body.
	SentCoding string
	// BytesIn and BytesOut count body bytes as received from upstream and
	// as written to the client (both encoded); 0 when we did not touch the body.
	BytesIn, BytesOut int64
	// Duration is the time spent inside the filter's Write/Flush/Close.
	Duration time.Duration
	// Injected reports that our script tags were inserted.
	Injected bool
	// JSRewrites counts scripts, handlers and javascript: URLs the JS
	// rewriter changed.
	JSRewrites int
	// ScriptsLeft counts inline scripts left exactly as sent because their
	// text could not be decoded for certain (XHTML: an external entity, an
	// element inside the script).
	ScriptsLeft int
	// JSCache is "hit" or "miss" for a JavaScript response looked up in
	// the cache, "" when the cache was off or not consulted.
	JSCache string
}

// DefaultMaxRewriteSize is the default BodyOptions.MaxRewriteSize.
const DefaultMaxRewriteSize = 16 << 20

// BodyOptions configures NewBodyRewriter.
type BodyOptions struct {
	// Scripts are the src URLs injected, in order, as the first child of
	// <head>: the SDK first (e.g. "/__crmframe/sdk.js?v=abc123"), then
	// the configured inject URLs. Empty: nothing is injected.
	Scripts []string
	// SDKAttrs are extra raw attributes for the first injected tag, e.g.
	// ` data-crmframe-breakout="detect"`. ASCII only.
	SDKAttrs string
	// KnownSDKPaths are script paths that mean the page already loads the
	// SDK (no injection when such a script comes first). The path of
	// Scripts[0] and /AD/widget/agentdesktop_widget.js are always included.
	KnownSDKPaths []string
	// ConnectURLs are URLs the SDK connects to (its WebSocket, e.g.
	// "/__crmframe/ws"; a path is taken on the page's own host, ws: or
	// wss: after the page's scheme). Where a page's connect-src (or
	// default-src) would block them, exactly these URLs are allowed.
	ConnectURLs []string
	// MaxRewriteSize bounds the bodies we rewrite (default 16 MiB). Larger
	// bodies pass through untouched where that is still possible.
	MaxRewriteSize int64
	// RewriteJS, when set, rewrites inline scripts, event handlers,
	// javascript: URLs and JavaScript responses. src is UTF-8, only valid
	// during the call and must not be modified; out may be any new slice.
	// It may be called concurrently for different responses. A panic
	// counts as "unchanged". nil: no JavaScript is rewritten.
	RewriteJS func(src []byte, kind JSKind) (out []byte, changed bool)
	// RewriteJSNote, when set, is used instead of RewriteJS for JavaScript
	// responses; its note is kept with a cached result and handed to
	// OnJSCacheHit whenever that result is reused (to count the rewritten
	// constructs again in metrics, for instance).
	RewriteJSNote func(src []byte, kind JSKind) (out []byte, changed bool, note any)
	OnJSCacheHit  func(note any)
	// RewriteJSFor, when set, is used instead of RewriteJS and
	// RewriteJSNote, with the request whose response is rewritten (for
	// logs that say where a script came from); wantNote tells whether
	// the note is kept (JavaScript responses) or dropped (inline code).
	// OnJSCacheHitFor, when set, is used instead of OnJSCacheHit.
	RewriteJSFor    func(r *http.Request, src []byte, kind JSKind, wantNote bool) (out []byte, changed bool, note any)
	OnJSCacheHitFor func(r *http.Request, note any)
	// JSMayChange, when set, is a cheap test run before RewriteJS on event
	// handlers, javascript: URLs and inline scripts (thousands per page):
	// false promises that RewriteJS would neither change src nor report
	// anything, and the call is skipped. src is in the page's charset
	// (always ASCII-compatible here), so the test must only look for
	// ASCII text; values with character references are not pre-tested.
	// It must depend on src only: a page's rejected handler values are
	// remembered and not tested again.
	JSMayChange func(src []byte) bool
	// JSCacheSize bounds, in bytes (sources plus results), a cache of
	// rewritten JavaScript responses keyed by their exact bytes, so static
	// bundles are rewritten once. 0: no cache.
	JSCacheSize int64
	// Recompress is how hard rewritten bodies the CRM sent compressed are
	// compressed again.
	Recompress Recompression
	// RecompressCoding is the coding they go out in (zstd when the browser
	// accepts it, or always the CRM's).
	RecompressCoding RecompressCoding
	// GuardServiceWorkers puts swguard.js first in service worker
	// scripts (Sec-Fetch-Dest: serviceworker), so that pages, frames and
	// scripts reach the CRM's windows from the network, through the
	// rewrite, never from the worker.
	GuardServiceWorkers bool
	// MarkShadowRoots puts a <crmframe-dsd> element first in every served
	// declarative shadow root (<template shadowrootmode>, HTML only): the
	// shim's custom element hands the root, closed ones too, to its click,
	// submit and toggle listeners and removes itself (no script can reach
	// a closed declarative root otherwise).
	MarkShadowRoots bool
	// OnResult, when set, is called once per response (metrics, logs).
	OnResult func(Result)
}

// AgentDesktopWidgetPath is where existing widgets load the real SDK from.
const AgentDesktopWidgetPath = "/AD/widget/agentdesktop_widget.js"

// BodyRewriter rewrites HTML and JavaScript response bodies. It is safe
// for concurrent use; Filter is its BodyPolicy.
type BodyRewriter struct {
	opts        BodyOptions
	scriptURLs  []*url.URL
	connectURLs []*url.URL
	sdkPaths    []string
	// injection pieces: tags[i] is `<script src="..."`, closed by
	// `></script>` after an optional nonce (and SDKAttrs on the first).
	tags []string
	// plainInjection is the whole injection without nonce.
	plainInjection []byte
	jsCache        *jsCache
}

// ParseInjectURL checks a script URL to inject (BodyOptions.Scripts): a
// path starting with / or an http(s) URL, printable ASCII only, since it
// goes into a script tag and a CSP source as it is.
func ParseInjectURL(s string) (*url.URL, error) {
	for j := 0; j < len(s); j++ {
		if s[j] < 0x21 || s[j] > 0x7e {
			return nil, fmt.Errorf("%q: only printable ASCII without spaces is allowed", s)
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%q: %v", s, err)
	}
	if u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%q: want a path or an http(s) URL", s)
	}
	if u.Scheme == "" && u.Host == "" && !strings.HasPrefix(u.Path, "/") {
		return nil, fmt.Errorf("%q: relative URLs must start with /", s)
	}
	return u, nil
}

// NewBodyRewriter validates opts and builds the rewriter.
func NewBodyRewriter(opts BodyOptions) (*BodyRewriter, error) {
	if opts.MaxRewriteSize == 0 {
		opts.MaxRewriteSize = DefaultMaxRewriteSize
	}
	if opts.MaxRewriteSize < 0 {
		return nil, fmt.Errorf("max_rewrite_size must be positive, got %d", opts.MaxRewriteSize)
	}
	if err := checkAttrs(opts.SDKAttrs); err != nil {
		return nil, err
	}
	if opts.Recompress < 0 || opts.Recompress >= numRecompress {
		return nil, fmt.Errorf("unknown recompress level %d", int(opts.Recompress))
	}
	if opts.RecompressCoding != RecompressToZstd && opts.RecompressCoding != RecompressSame {
		return nil, fmt.Errorf("unknown recompress coding %d", int(opts.RecompressCoding))
	}
	if opts.JSCacheSize < 0 {
		return nil, fmt.Errorf("JS cache size must not be negative, got %d", opts.JSCacheSize)
	}
	if opts.RewriteJS == nil && opts.RewriteJSFor != nil {
		// Marks JavaScript rewriting on; callRewriteJSNote calls RewriteJSFor.
		opts.RewriteJS = func([]byte, JSKind) ([]byte, bool) { return nil, false }
	}
	if opts.RewriteJS == nil && opts.RewriteJSNote != nil {
		note := opts.RewriteJSNote
		opts.RewriteJS = func(src []byte, kind JSKind) ([]byte, bool) {
			out, changed, _ := note(src, kind)
			return out, changed
		}
	}
	b := &BodyRewriter{opts: opts, jsCache: newJSCache(opts.JSCacheSize)}
	b.sdkPaths = append(b.sdkPaths, AgentDesktopWidgetPath)
	for i, s := range opts.Scripts {
		u, err := ParseInjectURL(s)
		if err != nil {
			return nil, fmt.Errorf("inject URL %w", err)
		}
		b.scriptURLs = append(b.scriptURLs, u)
		if i == 0 && u.Host == "" {
			b.sdkPaths = append(b.sdkPaths, u.Path)
		}
		b.tags = append(b.tags, `<script src="`+string(escapeAttr(nil, []byte(s), '"'))+`"`)
	}
	for _, s := range opts.ConnectURLs {
		u, err := url.Parse(s)
		if err != nil || strings.ContainsAny(s, " ;,'\"") || (u.Host == "" && !strings.HasPrefix(u.Path, "/")) {
			return nil, fmt.Errorf("connect URL %q: want a path or a ws(s)/http(s) URL", s)
		}
		switch u.Scheme {
		case "", "ws", "wss", "http", "https":
		default:
			return nil, fmt.Errorf("connect URL %q: want a path or a ws(s)/http(s) URL", s)
		}
		b.connectURLs = append(b.connectURLs, u)
	}
	b.sdkPaths = append(b.sdkPaths, opts.KnownSDKPaths...)
	b.plainInjection = b.appendInjection(nil, "")
	return b, nil
}

// checkAttrs verifies that SDKAttrs is ASCII and parses as attributes
// only (it cannot close the tag or open another).
func checkAttrs(attrs string) error {
	if attrs == "" {
		return nil
	}
	for i := 0; i < len(attrs); i++ {
		if c := attrs[i]; c >= 0x80 || (c < 0x20 && !isHTMLSpace(c)) {
			return fmt.Errorf("SDK attributes %q: only ASCII is allowed", attrs)
		}
	}
	if !isHTMLSpace(attrs[0]) {
		return fmt.Errorf("SDK attributes %q must start with a space", attrs)
	}
	tag := "<script" + attrs + ">"
	z := html.NewTokenizer(strings.NewReader(tag))
	if tt := z.Next(); tt != html.StartTagToken || string(z.Raw()) != tag {
		return fmt.Errorf("SDK attributes %q do not form a valid attribute list", attrs)
	}
	return nil
}

// appendInjection appends our script tags (with nonce when not empty).
func (b *BodyRewriter) appendInjection(dst []byte, nonce string) []byte {
	for i, t := range b.tags {
		dst = append(dst, t...)
		if nonce != "" {
			dst = append(dst, ` nonce="`...)
			dst = append(dst, nonce...)
			dst = append(dst, '"')
		}
		if i == 0 {
			dst = append(dst, b.opts.SDKAttrs...)
		}
		dst = append(dst, "></script>"...)
	}
	return dst
}

// isSDKScript reports whether a script src (decoded attribute value) is
// our SDK or the AgentDesktop widget SDK, on the page's own origin.
func (b *BodyRewriter) isSDKScript(src string, host string) bool {
	u, err := url.Parse(strings.TrimSpace(src))
	if err != nil {
		return false
	}
	if u.Host != "" && !strings.EqualFold(u.Host, host) {
		return false
	}
	for _, p := range b.sdkPaths {
		if u.Path == p {
			return true
		}
	}
	return false
}

// wantsInjection reports whether the request loads a document (a page or
// a frame) rather than a fragment fetched by script.
func wantsInjection(r *http.Request) bool {
	if strings.EqualFold(r.Header.Get("X-Requested-With"), "XMLHttpRequest") {
		return false
	}
	switch strings.ToLower(r.Header.Get("Sec-Fetch-Dest")) {
	case "", "document", "iframe", "frame", "embed", "object":
		return true
	}
	return false
}

var jsTypes = map[string]bool{
	"application/javascript": true, "text/javascript": true, "application/x-javascript": true,
	"text/ecmascript": true, "application/ecmascript": true, "text/x-javascript": true,
	"application/x-ecmascript": true, "text/x-ecmascript": true, "text/jscript": true,
	"text/livescript": true,
}

// isJSMIME reports whether an essence (lower-case, no parameters) is a
// JavaScript MIME type (the HTML standard's list).
func isJSMIME(essence string) bool {
	if jsTypes[essence] {
		return true
	}
	if v, ok := strings.CutPrefix(essence, "text/javascript1."); ok {
		return len(v) == 1 && v[0] >= '0' && v[0] <= '5'
	}
	return false
}

// Filter is a BodyPolicy: it returns the filter that rewrites the body of
// this response, or nil to stream it untouched.
func (b *BodyRewriter) Filter(r *http.Request, status int, h http.Header, dst io.Writer) BodyFilter {
	res := Result{Action: ActionPassedThrough}
	f, reason := b.filter(r, status, h, dst, &res)
	if f == nil {
		res.Reason = reason
		if b.opts.OnResult != nil {
			b.opts.OnResult(res)
		}
	}
	return f
}

func (b *BodyRewriter) filter(r *http.Request, status int, h http.Header, dst io.Writer, res *Result) (BodyFilter, string) {
	if r.Method == http.MethodHead {
		return nil, "HEAD"
	}
	switch {
	case status == http.StatusNotModified:
		// The client keeps its cached body: make the fresh headers agree
		// with what we did to it (no new nonce: the cached body has its own).
		if len(b.tags) > 0 && wantsInjection(r) {
			b.allowScripts(h, ClientOrigin(r), true, false)
		}
		return nil, "status 304"
	case status < 200, status == http.StatusNoContent, status == http.StatusResetContent:
		return nil, "no body"
	case status == http.StatusPartialContent:
		// A byte range of the upstream's representation: rewriting it
		// would produce wrong bytes at wrong offsets.
		return nil, "partial content"
	}
	ct := h.Get("Content-Type")
	if ct == "" {
		return nil, "no content type"
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil, "bad content type"
	}
	var kind string
	byDest := scriptOfAnyType(r, mt, h)
	switch {
	case byDest:
		// What a <script src> runs, whatever the label (a JSP include
		// sent as text/html, JSONP as text/plain): the browser executes
		// it as JavaScript, so it is rewritten as JavaScript; the HTML
		// rewriter would have injected a tag into code.
		if b.opts.RewriteJS == nil {
			return nil, "javascript (no rewriter)"
		}
		kind = "js"
	case mt == "text/html" || mt == "application/xhtml+xml":
		kind = "html"
	case isJSMIME(mt):
		if b.opts.RewriteJS == nil {
			return nil, "javascript (no rewriter)"
		}
		if windowless(r) {
			if b.opts.GuardServiceWorkers && strings.EqualFold(r.Header.Get("Sec-Fetch-Dest"), "serviceworker") {
				// Not rewritten either, but it answers the pages' requests
				// (swguard.go).
				kind = "sw"
				break
			}
			// No window to leave and no shim there: the rewrite's
			// accessors would read nothing.
			return nil, "worker script"
		}
		kind = "js"
	case unrewrittenDocType(mt):
		// Runs its own scripts unrewritten: held by the sandbox the
		// header policy gave it (xmldoc.go); the body stays as sent.
		return nil, "sandboxed document"
	default:
		return nil, "not html"
	}
	res.Kind = kind
	if cd := h.Get("Content-Disposition"); cd != "" {
		if d, _, err := mime.ParseMediaType(cd); err == nil && d == "attachment" {
			return nil, "download"
		}
	}
	coding, ok := contentCoding(h.Values("Content-Encoding"))
	if !ok {
		res.Action = ActionUndecodable
		return nil, "unknown content coding"
	}
	res.Coding, res.SentCoding = coding, coding
	out := outCoding(coding, b.opts.RecompressCoding, r.Header.Values("Accept-Encoding"))
	var length int64 // the body's length on the wire when announced
	if cl := h.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(strings.TrimSpace(cl), 10, 64); err == nil {
			if n > b.opts.MaxRewriteSize {
				res.Action = ActionTooLarge
				return nil, "content-length over max_rewrite_size"
			}
			length = max(n, 0)
		}
	}
	var cs pageCharset
	if label, ok := params["charset"]; ok {
		if c, ok := charsetFromLabel(label); ok {
			cs = c
		}
	}
	if cs.asciiIncompatible() {
		res.Action = ActionUndecodable
		return nil, "charset " + cs.name
	}
	self := ClientOrigin(r)
	var ed cspEdit
	inject := false
	if kind == "html" {
		inject = len(b.tags) > 0 && wantsInjection(r)
		if len(b.tags) > 0 {
			ed = b.allowScripts(h, self, inject, true)
		}
	}
	prepareHeaders(h, ed.fresh)
	if kind == "html" || byDest || kind == "sw" {
		// What we send depends on what the browser fetched it for (a
		// page gets the SDK, a fetch() does not; a script is rewritten
		// as code): a cache must not hand one to the other.
		addVary(h, "Sec-Fetch-Dest")
	}
	if recodable(coding, b.opts.RecompressCoding) {
		// The coding of what we send depends on what the browser accepts
		// (this one's or the next one's: a cache must know either way).
		addVary(h, "Accept-Encoding")
	}
	if kind == "sw" {
		res.Kind = "js"
		return &jsFilter{b: b, req: r, dst: dst, coding: coding, outCoding: out, cs: cs, kind: JSClassic, res: *res, length: length, sw: true}, ""
	}
	if kind == "js" {
		f := &jsFilter{b: b, req: r, dst: dst, coding: coding, outCoding: out, cs: cs, kind: jsResponseKind(r), res: *res, length: length, cache: b.jsCache}
		return f, ""
	}
	f := newHTMLFilter(b, dst, coding, cs, mt == "application/xhtml+xml", inject, ed.nonce, r, *res)
	f.outCoding = out
	f.csp = ed
	return f, ""
}

// prepareHeaders makes the headers true for a body we are about to
// change: its length and digests are unknown, its validators weak, and
// byte ranges of it cannot be served.
func prepareHeaders(h http.Header, freshNonce bool) {
	for _, k := range [...]string{"Content-Length", "Content-Md5", "Digest", "Repr-Digest", "Content-Digest", "Accept-Ranges"} {
		removeHeader(h, k)
	}
	if freshNonce {
		// A revalidation (304) would pair the cached body's nonce with a
		// new header: make the browser fetch the page again instead.
		removeHeader(h, "ETag")
		removeHeader(h, "Last-Modified")
		return
	}
	for _, k := range headerKeys(h, "ETag") {
		for i, v := range h[k] {
			if v = strings.TrimSpace(v); v != "" && !strings.HasPrefix(v, "W/") {
				h[k][i] = "W/" + v
			}
		}
	}
}

// scriptOfAnyType reports whether a response that is not labelled
// JavaScript will nevertheless run as a classic script in the page: the
// browser fetched it for a <script> element (Sec-Fetch-Dest: script) and
// executes any type but image, audio, video and text/csv, unless the
// response says nosniff (then only JavaScript types run).
func scriptOfAnyType(r *http.Request, essence string, h http.Header) bool {
	if isJSMIME(essence) || !strings.EqualFold(r.Header.Get("Sec-Fetch-Dest"), "script") {
		return false
	}
	if strings.EqualFold(strings.TrimSpace(h.Get("X-Content-Type-Options")), "nosniff") {
		return false
	}
	for _, p := range []string{"image/", "audio/", "video/"} {
		if strings.HasPrefix(essence, p) {
			return false
		}
	}
	return essence != "text/csv"
}

// addVary adds field to the Vary header unless it is already listed.
func addVary(h http.Header, field string) {
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f == "*" || strings.EqualFold(f, field) {
				return
			}
		}
	}
	h.Add("Vary", field)
}

// windowless reports whether a script is fetched to run in a worker or a
// worklet (importScripts inside a worker says "script" and is rewritten).
func windowless(r *http.Request) bool {
	switch strings.ToLower(r.Header.Get("Sec-Fetch-Dest")) {
	case "worker", "sharedworker", "serviceworker", "audioworklet", "paintworklet":
		return true
	}
	return false
}

// jsResponseKind guesses whether a script response is a module: module
// scripts are fetched in CORS mode (so are classic scripts with a
// crossorigin attribute; those still parse as modules in most cases,
// and a rewriter that fails to parse leaves the source unchanged).
func jsResponseKind(r *http.Request) JSKind {
	if strings.EqualFold(r.Header.Get("Sec-Fetch-Dest"), "script") && strings.EqualFold(r.Header.Get("Sec-Fetch-Mode"), "cors") {
		return JSModule
	}
	return JSClassic
}

// callRewriteJS runs the JS hook, turning a panic into "unchanged".
func (b *BodyRewriter) callRewriteJS(r *http.Request, src []byte, kind JSKind) (out []byte, changed bool, failed bool) {
	out, changed, _, failed = b.callRewriteJSNote(r, src, kind, false)
	return out, changed, failed
}

// callRewriteJSNote is callRewriteJS with the hook's note when asked for
// (and RewriteJSNote is set).
func (b *BodyRewriter) callRewriteJSNote(r *http.Request, src []byte, kind JSKind, wantNote bool) (out []byte, changed bool, note any, failed bool) {
	defer func() {
		if recover() != nil {
			out, changed, note, failed = nil, false, nil, true
		}
	}()
	if b.opts.RewriteJSFor != nil {
		out, changed, note = b.opts.RewriteJSFor(r, src, kind, wantNote)
		return out, changed, note, false
	}
	if wantNote && b.opts.RewriteJSNote != nil {
		out, changed, note = b.opts.RewriteJSNote(src, kind)
		return out, changed, note, false
	}
	out, changed = b.opts.RewriteJS(src, kind)
	return out, changed, nil, false
}

// rewriteScriptText rewrites a script body in the page charset.
func (b *BodyRewriter) rewriteScriptText(r *http.Request, src []byte, kind JSKind, cs pageCharset) ([]byte, bool) {
	if b.opts.JSMayChange != nil && !b.opts.JSMayChange(src) {
		return nil, false
	}
	out, changed, _ := b.rewriteScriptTextNote(r, src, kind, cs, false)
	return out, changed
}

func (b *BodyRewriter) rewriteScriptTextNote(r *http.Request, src []byte, kind JSKind, cs pageCharset, wantNote bool) ([]byte, bool, any) {
	u, enc, ok := cs.toUTF8(src)
	if !ok {
		return nil, false, nil
	}
	out, changed, note, _ := b.callRewriteJSNote(r, u, kind, wantNote)
	if !changed {
		return nil, false, note
	}
	out, ok = fromUTF8(out, enc, false)
	return out, ok, note
}

// counter counts bytes written to the client.
type counter struct {
	w io.Writer
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// jsFilter buffers a JavaScript response (up to MaxRewriteSize), rewrites
// it at Close and sends it. Flush is ignored: the script is only useful
// complete. Bodies over the limit or that cannot be decoded go out as
// received.
type jsFilter struct {
	b      *BodyRewriter
	req    *http.Request
	dst    io.Writer
	out    counter
	coding string
	// outCoding is the coding a rewritten body goes out in; sending is the
	// one of the body being written (set before the first write, when the
	// headers still wait: see codingSetter).
	outCoding, sending string
	cs                 pageCharset
	kind               JSKind
	// buf holds the body received so far, except the bytes match has
	// matched against cache entries (a hit holds only the first ones).
	buf     []byte
	bufp    *[]byte  // the pool's pointer to buf's array, while buf is it
	cache   *jsCache // nil: no lookup (cache off, or body too large for it)
	looked  bool     // the candidates were looked up (hash is set)
	hash    uint64   // prefix hash of the body (jsCache.prefixHash)
	match   jsMatch
	passing bool  // over the limit: streaming as received
	length  int64 // Content-Length, 0 when unknown: the buffer's size
	res     Result
	err     error
	closed  bool
	// sw: a service worker's script, which gets swGuard first instead of
	// the JS rewrite (never cached: it is not rewritten).
	sw bool
}

var jsBufs = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

func (f *jsFilter) Write(p []byte) (int, error) {
	t0 := time.Now()
	defer func() { f.res.Duration += time.Since(t0) }()
	if f.err != nil {
		return 0, f.err
	}
	f.res.BytesIn += int64(len(p))
	if f.out.w == nil {
		f.out.w = f.dst
	}
	if f.passing {
		return f.write(p)
	}
	if f.res.BytesIn > f.b.opts.MaxRewriteSize {
		f.passing = true
		f.res.Action, f.res.Reason = ActionTooLarge, "body over max_rewrite_size"
		f.uncache()
		if _, err := f.write(f.buf); err != nil {
			return 0, err
		}
		f.release()
		return f.write(p)
	}
	if f.cache != nil && f.res.BytesIn > f.cache.maxEntry {
		f.uncache() // too large to be cached: no lookup either
	}
	if f.cache == nil {
		f.hold(p)
		return len(p), nil
	}
	switch {
	case f.match.n > 0:
		if ok, before := f.match.next(p); !ok {
			f.hold(before)
			f.hold(p)
		}
	case f.looked || len(f.buf)+len(p) < jsPrefix:
		f.hold(p)
	case len(f.buf) == 0:
		// The first jsPrefix bytes came in one write: matched in place.
		if f.lookup(p); f.match.n == 0 {
			f.hold(p)
		}
	default:
		// The first bytes came in a short write (reverse_proxy's first read
		// returns what its 4 KiB reader holds after the headers): hold only
		// what completes jsPrefix and match the rest of p in place, so a
		// hit copies at most jsPrefix bytes, not a whole 32 KiB read.
		k := jsPrefix - len(f.buf)
		f.hold(p[:k])
		if f.lookup(f.buf); f.match.n == 0 {
			f.hold(p[k:])
			break
		}
		f.buf = f.buf[:0] // the candidates hold these bytes
		if ok, before := f.match.next(p[k:]); !ok {
			f.hold(before)
			f.hold(p[k:])
		}
	}
	return len(p), nil
}

// lookup finds the cache entries that begin with data, the body so far
// (at least its first jsPrefix bytes, or all of it).
func (f *jsFilter) lookup(data []byte) {
	f.looked = true
	k := f.cacheKey()
	f.hash = f.cache.prefixHash(k, data)
	var buf [jsSlot]*jsEntry
	cands := f.cache.candidates(buf[:0], f.hash, k)
	if f.length > 0 {
		// The announced length rules out other versions early.
		cands = slices.DeleteFunc(cands, func(e *jsEntry) bool { return int64(len(e.src)) != f.length })
	}
	f.match.start(cands, data)
}

// uncache stops matching and looking up: the body is held whole.
func (f *jsFilter) uncache() {
	if before := f.match.drop(); before != nil {
		// buf is empty while bytes are matched.
		f.hold(before)
	}
	f.cache = nil
}

// hold appends p to the body buffer, sized once from Content-Length: growing
// a 700 KB bundle by append copies it several times.
func (f *jsFilter) hold(p []byte) {
	if f.buf == nil {
		f.bufp = jsBufs.Get().(*[]byte)
		f.buf = (*f.bufp)[:0]
	}
	if need := int64(len(f.buf) + len(p)); need > int64(cap(f.buf)) && need <= f.length {
		nb := make([]byte, len(f.buf), f.length)
		copy(nb, f.buf)
		f.putBuf() // the small buffer stays in the pool
		f.buf = nb
	}
	f.buf = append(f.buf, p...)
}

// putBuf returns buf to the pool, in the pointer it came in when it is
// the pool's (a new pointer per Put is an allocation per response).
func (f *jsFilter) putBuf() {
	if f.buf != nil && cap(f.buf) <= 1<<20 {
		bp := f.bufp
		if bp == nil {
			bp = new([]byte)
		}
		*bp = f.buf[:0]
		jsBufs.Put(bp)
	}
	f.bufp = nil
}

func (f *jsFilter) cacheKey() jsKey {
	return jsKey{coding: f.coding, out: f.outCoding, cs: f.cs.name, kind: f.kind}
}

func (f *jsFilter) write(p []byte) (int, error) {
	n, err := f.out.Write(p)
	if err != nil && f.err == nil {
		f.err = err
	}
	return n, err
}

func (f *jsFilter) release() {
	f.putBuf()
	f.buf = nil
}

func (f *jsFilter) Flush() error { return f.err }

// Abort drops the response without writing anything more.
func (f *jsFilter) Abort() { f.abortWith("") }

func (f *jsFilter) abortWith(reason string) {
	if f.closed {
		return
	}
	f.closed = true
	if f.err != nil {
		reason = ReasonClientGone // a write to the client failed first
	}
	f.err = ErrAbort
	f.release()
	f.res.Action, f.res.Reason = ActionError, cmp.Or(reason, ReasonAborted)
	f.res.BytesOut = f.out.n
	if f.b.opts.OnResult != nil {
		f.b.opts.OnResult(f.res)
	}
}

// Aborter is implemented by the filters Filter returns: call Abort instead
// of Close when the response is being abandoned (e.g. the upstream body
// failed and the handler panics with http.ErrAbortHandler), so that no
// completing bytes are written and the rewriter's goroutine ends.
type Aborter interface {
	Abort()
}

func (f *jsFilter) Close() error {
	if f.closed {
		return f.err
	}
	f.closed = true
	t0 := time.Now()
	defer func() {
		f.res.Duration += time.Since(t0)
		f.res.BytesOut = f.out.n
		if f.err != nil && f.res.Action != ActionTooLarge {
			f.res.Action = ActionError
			if f.res.Reason == "" {
				f.res.Reason = ReasonClientGone
			}
		}
		if f.b.opts.OnResult != nil {
			f.b.opts.OnResult(f.res)
		}
	}()
	if f.out.w == nil {
		f.out.w = f.dst
	}
	if f.passing || f.err != nil {
		return f.err
	}
	defer f.release()
	e := f.cached() // before reading buf: a miss may have filled it
	body, out, action, reason := f.buf, []byte(nil), "", ""
	if e != nil {
		body, out, action, reason = e.src, e.out, e.action, e.reason // src equals the body
	} else {
		var note any
		out, action, reason, note = f.rewrite(body)
		if f.cache != nil && (action == ActionRewrittenJS || action == ActionUndecodable || action == ActionTooLarge) {
			// Not failures to re-encode, which are not expected to repeat.
			f.cache.put(f.hash, f.cacheKey(), body, out, action, reason, note)
		}
	}
	f.res.Action, f.res.Reason = action, reason
	if out == nil {
		out = body
	} else {
		f.res.JSRewrites = 1
		f.sending = f.outCoding
		f.res.SentCoding = f.outCoding
	}
	if a, ok := f.dst.(interface{ announceLength(int) }); ok {
		a.announceLength(len(out))
	}
	_, err := f.write(out)
	return err
}

// holdsBody: Close writes the whole body at once (see lengthAnnouncer).
func (f *jsFilter) holdsBody() {}

// codingDecided: see codingSetter. Only Close knows (the whole body is
// held until then anyway).
func (f *jsFilter) codingDecided() bool { return f.outCoding == f.coding }

// setCoding: see codingSetter. Until Close writes a rewritten body, what
// goes out is the CRM's body, in its coding.
func (f *jsFilter) setCoding(h http.Header) {
	if f.sending != "" && f.sending != f.coding {
		h.Set("Content-Encoding", f.sending)
	}
}

// cached ends the cache lookup of a complete body: the entry equal to it
// (counted as a hit), or nil with the whole body in buf (counted as a
// miss when the cache was looked at).
func (f *jsFilter) cached() *jsEntry {
	if f.cache == nil {
		return nil
	}
	var e *jsEntry
	if !f.looked {
		f.lookup(f.buf) // a body shorter than jsPrefix, all in buf
		e = f.match.exact()
		f.match.drop()
	} else if e = f.match.exact(); e == nil {
		// A prefix of a longer script: hold what was matched.
		f.hold(f.match.drop())
	}
	if e == nil {
		f.res.JSCache = "miss"
		f.cache.miss()
		return nil
	}
	f.res.JSCache = "hit"
	f.cache.hit(e)
	if f.b.opts.OnJSCacheHitFor != nil && e.note != nil {
		f.b.opts.OnJSCacheHitFor(f.req, e.note)
	} else if f.b.opts.OnJSCacheHit != nil && e.note != nil {
		f.b.opts.OnJSCacheHit(e.note)
	}
	return e
}

// rewrite returns the new encoded body, or nil to send body unchanged,
// and the rewriter hook's note.
func (f *jsFilter) rewrite(body []byte) (out []byte, action, reason string, note any) {
	plain, rawDeflate, err := decodeAll(f.coding, body, f.b.opts.MaxRewriteSize)
	switch {
	case errors.Is(err, errTooLarge):
		return nil, ActionTooLarge, "decoded body over max_rewrite_size", nil
	case err != nil:
		return nil, ActionUndecodable, "corrupt compressed body", nil
	}
	cs := f.cs
	if bc, ok := bomCharset(plain); ok {
		if bc.asciiIncompatible() {
			return nil, ActionUndecodable, "charset " + bc.name, nil
		}
		cs = bc
	}
	var nb []byte
	var changed bool
	if f.sw {
		nb, changed = guardServiceWorker(plain), true
	} else {
		nb, changed, note = f.b.rewriteScriptTextNote(f.req, plain, f.kind, cs, true)
	}
	if !changed {
		return nil, ActionRewrittenJS, "unchanged", note
	}
	enc, err := encodeAll(f.coding, f.outCoding, rawDeflate, f.b.opts.Recompress, nb)
	if err != nil {
		return nil, ActionError, "re-encoding failed", note
	}
	return enc, ActionRewrittenJS, "", note
}
