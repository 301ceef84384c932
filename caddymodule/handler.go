// Package caddymodule is the Caddy glue of crmframe: the crm_frame HTTP
// handler, the crm_engine app, Caddyfile parsing and metrics. It adapts the
// injector and engine libraries; it holds no rewriting or contact logic.
package caddymodule

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/crmframe/crmframe/injector"
	"github.com/crmframe/crmframe/injector/sdk"
)

func init() {
	caddy.RegisterModule(Handler{})
}

// Defaults.
const (
	DefaultPathPrefix     = "/__crmframe"
	DefaultMaxRewriteSize = 16 << 20
	DefaultJSCacheSize    = 32 << 20
	DefaultCompatSDKPath  = "/AD/widget/agentdesktop_widget.js"
)

// flushDelay bounds how long an upstream flush may wait for more of a
// rewritten page (injector.Config.FlushDelay): reverse_proxy flushes after
// every read when the upstream sends no Content-Length. A variable for
// tests.
var flushDelay = 5 * time.Millisecond

// Handler makes a legacy CRM frameable by the configured agent-desktop
// origins (and by no one else), injects the AGENTDESKTOP SDK into its pages
// and neutralises frame-busting code. Put it in front of reverse_proxy.
type Handler struct {
	// Origins allowed to frame the CRM (CSP frame-ancestors), e.g.
	// "https://desk.example.com". Required.
	FrameAncestors []string `json:"frame_ancestors,omitempty"`
	// AllowAnyAncestor must be set to accept "*" in FrameAncestors; it lets
	// every site on the web frame the CRM (clickjacking).
	AllowAnyAncestor bool `json:"insecure_any_ancestor,omitempty"`
	// Absolute origins the CRM uses for itself (e.g.
	// "http://crm.internal:8080"); redirects and links to them are pointed
	// back at the origin the client used.
	UpstreamOrigins []string `json:"upstream_origins,omitempty"`
	// Cookie mode: "same_site" (default, keep SameSite) or "cross_site"
	// (SameSite=None; Secure).
	Cookies string `json:"cookies,omitempty"`
	// Add the Partitioned attribute to cookies in cross_site mode.
	Partitioned bool `json:"partitioned,omitempty"`
	// Path prefix of crmframe's own endpoints (SDK, WebSocket). Default
	// "/__crmframe".
	PathPrefix string `json:"path_prefix,omitempty"`
	// Extra integration scripts injected after the SDK, in order.
	Inject []string `json:"inject,omitempty"`
	// Bodies larger than this are passed through unchanged. Default 16 MiB.
	MaxRewriteSize int64 `json:"max_rewrite_size,omitempty"`
	// Memory for the cache of rewritten JavaScript responses (keyed by
	// their exact bytes, so a static bundle is rewritten once). Default
	// 32 MiB; -1 turns it off.
	JSCacheSize int64 `json:"js_cache_size,omitempty"`
	// How hard rewritten pages the CRM sent compressed are compressed
	// again: "fastest", "default" (gzip 5, brotli 4, zstd default) or
	// "better".
	RecompressLevel string `json:"recompress_level,omitempty"`
	// The content coding of those pages: "zstd" (default: zstd when the
	// browser accepts it, else the CRM's coding) or "same" (always the
	// CRM's coding).
	RecompressCoding string `json:"recompress_coding,omitempty"`
	// Frame-busting handling: "neutralize" (default), "detect" (only count
	// and log) or "off".
	Breakout string `json:"breakout,omitempty"`
	// Sandbox controls the browser-enforced backstop of breakout
	// neutralisation: a CSP sandbox directive that allows everything but
	// navigating the desktop window. "on" or "off" (default: it also stops
	// a CRM's frames from navigating each other).
	Sandbox string `json:"sandbox,omitempty"`
	// Declarative screen-pop: URL templates by media type ("*" for any)
	// the framed CRM navigates to on POPUP, e.g.
	// "/customers/search?phone={ani}". Fields of the event fill {name}
	// (URL-escaped), call data fills {call_data.KEY}.
	ScreenPop map[string]string `json:"screen_pop,omitempty"`
	// Widget id of the CRM pages (AgentDesktop widget id other widgets use
	// to message it). Default "crm".
	WidgetID string `json:"widget_id,omitempty"`
	// Path where the SDK bundle is also served for pages written for the
	// real AgentDesktop SDK. Default "/AD/widget/agentdesktop_widget.js";
	// "off" disables it.
	CompatSDKPath string `json:"compat_sdk_path,omitempty"`

	cfg       injector.Config
	bundle    sdk.Bundle
	compat    sdk.Bundle // bundle for compat_sdk_path, with our config first
	root      *mount     // what pages get when no path prefix was stripped
	mounts    *mountSet  // the others, by stripped prefix (see mountFor)
	logger    *zap.Logger
	engineApp *EngineApp
	ws        http.Handler
}

// jsCacheBytes is the JS cache budget handed to the injector (0: off).
func (h *Handler) jsCacheBytes() int64 {
	switch {
	case h.JSCacheSize < 0:
		return 0
	case h.JSCacheSize == 0:
		return DefaultJSCacheSize
	}
	return h.JSCacheSize
}

// CaddyModule returns the Caddy module information.
func (Handler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.crm_frame",
		New: func() caddy.Module { return new(Handler) },
	}
}

// Provision sets up the handler.
func (h *Handler) Provision(ctx caddy.Context) error {
	h.logger = ctx.Logger()
	// Check what was written before defaults fill the gaps: a JSON config
	// (caddy run --config x.json, POST /load) reaches this point without
	// the Caddyfile parser, so every rule lives in validate.
	if err := h.validate(); err != nil {
		return err
	}
	if h.PathPrefix == "" {
		h.PathPrefix = DefaultPathPrefix
	}
	h.PathPrefix = "/" + strings.Trim(h.PathPrefix, "/")
	if h.MaxRewriteSize == 0 {
		h.MaxRewriteSize = DefaultMaxRewriteSize
	}
	if h.Breakout == "" {
		h.Breakout = "neutralize"
	}
	if h.Cookies == "" {
		h.Cookies = "same_site"
	}
	if h.WidgetID == "" {
		h.WidgetID = "crm"
	}
	if h.CompatSDKPath == "" {
		h.CompatSDKPath = DefaultCompatSDKPath
	}
	if h.Sandbox == "" {
		// Opt-in: a sandboxed frame cannot navigate its sibling frames,
		// which legacy framesets do all the time.
		h.Sandbox = "off"
	}
	pol := injector.HeaderPolicy{FrameAncestors: h.FrameAncestors, Partitioned: h.Partitioned, Sandbox: h.Sandbox == "on"}
	if h.Cookies == "cross_site" {
		pol.Cookies = injector.CookiesCrossSite
		if !h.Partitioned {
			// Legitimate (popups keep the session) but a common surprise.
			h.logger.Warn("cookies cross_site without partitioned: browsers that block third-party cookies (Safari, Chrome incognito or under policy) drop the CRM's cookies inside the frame; add partitioned unless every agent browser allows them")
		}
	}
	for _, o := range h.UpstreamOrigins {
		u, _ := url.Parse(o)
		pol.UpstreamOrigins = append(pol.UpstreamOrigins, u)
	}
	if err := h.provisionEngine(ctx); err != nil {
		return err
	}
	h.bundle = sdk.Build()
	h.compat = sdk.WithPrelude(h.bundle, h.compatPrelude())
	if err := registerProxyMetrics(ctx.GetMetricsRegistry()); err != nil {
		return fmt.Errorf("crm_frame: metrics: %v", err)
	}
	root, err := h.newMount("")
	if err != nil {
		return fmt.Errorf("crm_frame: %v", err)
	}
	h.root, h.mounts = root, &mountSet{}
	h.cfg = injector.Config{Policy: pol, Observer: h.observeHeaders, FlushDelay: flushDelay, Body: func(r *http.Request, status int, hd http.Header, dst io.Writer) injector.BodyFilter {
		return h.mountFor(r).body.Filter(r, status, hd, dst)
	}}
	return nil
}

// A mount is what crm_frame hands the browser for pages reached through a
// path prefix that a handler before it stripped (handle_path /crm/*, uri
// strip_prefix): the browser sees /crm/page while crm_frame and the CRM
// see /page, so our own URLs (the SDK, its WebSocket, screen-pop paths)
// must carry the prefix, or they would miss crm_frame altogether.
type mount struct {
	prefix  string // "" or "/crm": the stripped part of the browser's path
	body    *injector.BodyRewriter
	sdkPath string // prefix + path_prefix + "/sdk.js?v=<hash>"
	attrs   string // SDK script tag attributes
	compat  sdk.Bundle
}

type mountSet struct {
	m sync.Map // prefix -> *mount
	n atomic.Int32
	// undoneWarned: "framing headers changed after crm_frame" is logged
	// once per configuration load (here: Handler is copied by value).
	undoneWarned atomic.Bool
}

// maxMounts bounds the prefixes one handler serves (a handle_path block
// strips one): past it, pages get the root mount. Each mount has its own
// js_cache, so this also bounds memory (at most 1+maxMounts caches).
const maxMounts = 4

func (h *Handler) newMount(prefix string) (*mount, error) {
	m := &mount{prefix: prefix, sdkPath: prefix + h.SDKPath(), attrs: h.sdkAttrsAt(prefix)}
	m.compat = h.compat
	if prefix != "" {
		m.compat = sdk.WithPrelude(h.bundle, h.compatPreludeAt(prefix))
	}
	br, err := h.newBodyRewriterAt(prefix)
	if err != nil {
		return nil, err
	}
	m.body = br
	return m, nil
}

// mountFor returns the mount of the prefix stripped from r's path before
// crm_frame, building it on first use.
func (h *Handler) mountFor(r *http.Request) *mount {
	p := strippedPrefix(r)
	ms := h.mounts
	if p == "" || ms == nil {
		return h.root
	}
	if m, ok := ms.m.Load(p); ok {
		return m.(*mount)
	}
	if ms.n.Add(1) > maxMounts {
		ms.n.Add(-1)
		return h.root
	}
	m, err := h.newMount(p)
	if err != nil {
		ms.n.Add(-1)
		return h.root
	}
	if prev, loaded := ms.m.LoadOrStore(p, m); loaded {
		ms.n.Add(-1)
		return prev.(*mount)
	}
	return m
}

// mountedOwn returns the endpoint ("/sdk.js") when p is one of ours under a
// known mount that reached us unstripped: a rewrite of one path (rewrite
// /a/b /b) looks like a stripped /a, and the browser's /a/__crmframe/sdk.js
// then arrives as is.
func (h *Handler) mountedOwn(p string) string {
	i := strings.Index(p, h.PathPrefix+"/")
	if i <= 0 || h.mounts == nil {
		return ""
	}
	if _, ok := h.mounts.m.Load(p[:i]); !ok {
		return ""
	}
	return p[i+len(h.PathPrefix):]
}

// strippedPrefix returns the leading part of the browser's path that a
// handler before crm_frame removed (handle_path, uri strip_prefix): the
// original path ends with the current one. Only plain path characters
// qualify, since the prefix goes into script URLs, CSP sources and
// headers.
func strippedPrefix(r *http.Request) string {
	or, ok := r.Context().Value(caddyhttp.OriginalRequestCtxKey).(http.Request)
	if !ok || or.URL == nil {
		return ""
	}
	orig, cur := or.URL.EscapedPath(), r.URL.EscapedPath()
	if len(orig) <= len(cur) || !strings.HasPrefix(cur, "/") || !strings.HasSuffix(orig, cur) {
		return ""
	}
	p := strings.TrimRight(orig[:len(orig)-len(cur)], "/")
	if p == "" || p[0] != '/' || strings.Contains(p, "//") {
		return ""
	}
	if !plainPath(p, "/-._~%") {
		return ""
	}
	return p
}

// plainPath reports whether p holds only ASCII letters, digits and the
// bytes in extra: what may go into script URLs, CSP sources and headers as
// it is.
func plainPath(p, extra string) bool {
	for _, c := range []byte(p) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(extra, c) >= 0) {
			return false
		}
	}
	return true
}

// Validate checks the configuration (also run by Provision).
func (h *Handler) Validate() error { return h.validate() }

// validate is the single source of truth for crm_frame's settings, as
// written in JSON (the Caddyfile parser repeats some checks only to name
// the line). Errors name the JSON key.
func (h *Handler) validate() error {
	if err := validFrameAncestors(h.FrameAncestors, h.AllowAnyAncestor); err != nil {
		return fmt.Errorf("crm_frame: %v", err)
	}
	for _, o := range h.UpstreamOrigins {
		if err := validUpstreamOrigin(o); err != nil {
			return fmt.Errorf("crm_frame: upstream_origins: %v", err)
		}
	}
	for _, u := range h.Inject {
		if err := validInject(u); err != nil {
			return fmt.Errorf("crm_frame: inject: %v", err)
		}
	}
	if err := validCookies(h.Cookies, h.Partitioned); err != nil {
		return fmt.Errorf("crm_frame: %v", err)
	}
	if err := validBreakout(h.Breakout); err != nil {
		return fmt.Errorf("crm_frame: %v", err)
	}
	if err := validSandbox(h.Sandbox); err != nil {
		return fmt.Errorf("crm_frame: %v", err)
	}
	for media, tpl := range h.ScreenPop {
		if err := validScreenPop(media, tpl); err != nil {
			return fmt.Errorf("crm_frame: %v", err)
		}
	}
	if h.CompatSDKPath != "" {
		if err := validCompatPath(h.CompatSDKPath); err != nil {
			return fmt.Errorf("crm_frame: %v", err)
		}
	}
	if h.RecompressLevel != "" {
		if err := validRecompress(h.RecompressLevel); err != nil {
			return fmt.Errorf("crm_frame: %v", err)
		}
	}
	if h.RecompressCoding != "" {
		if err := validRecompressCoding(h.RecompressCoding); err != nil {
			return fmt.Errorf("crm_frame: %v", err)
		}
	}
	if h.JSCacheSize < -1 {
		return fmt.Errorf("crm_frame: js_cache_size: %d: want a size in bytes, 0 (default, 32 MiB) or -1 (off)", h.JSCacheSize)
	}
	if err := validMaxRewrite(h.MaxRewriteSize); err != nil {
		return fmt.Errorf("crm_frame: %v", err)
	}
	if h.PathPrefix != "" {
		if err := validPathPrefix(h.PathPrefix); err != nil {
			return fmt.Errorf("crm_frame: %v", err)
		}
	}
	return nil
}

// validFrameAncestors checks frame_ancestors with insecure_any_ancestor.
// "*" is only ever meant alone and on purpose: next to origins it still
// lets every site frame the CRM, and the flag without it means nothing.
func validFrameAncestors(list []string, anyOK bool) error {
	if len(list) == 0 {
		return errors.New("frame_ancestors is required: list the agent desktop origin(s) allowed to frame the CRM, e.g. https://desk.example.com")
	}
	for _, o := range list {
		if o != "*" {
			if err := injector.ValidateOrigin(o); err != nil {
				return fmt.Errorf("frame_ancestors: %v", err)
			}
			continue
		}
		if !anyOK {
			return errors.New(`frame_ancestors "*" would let every site frame the CRM (clickjacking); if you really mean it, set "insecure_any_ancestor": true (Caddyfile: frame_ancestors * insecure)`)
		}
		if len(list) > 1 {
			return fmt.Errorf(`frame_ancestors: "*" must be the only entry (it already allows every site), got %q`, list)
		}
	}
	if anyOK && !(len(list) == 1 && list[0] == "*") {
		return fmt.Errorf(`insecure_any_ancestor is only accepted with frame_ancestors ["*"], got %q`, list)
	}
	return nil
}

// validCookies checks cookies and partitioned: Partitioned is only ever
// added in cross_site mode, so the flag alone would silently do nothing.
func validCookies(mode string, partitioned bool) error {
	switch mode {
	case "", "same_site", "cross_site":
	default:
		return fmt.Errorf("cookies: unknown mode %q (want same_site or cross_site)", mode)
	}
	if partitioned && mode != "cross_site" {
		return fmt.Errorf(`partitioned only applies to cookies cross_site, and cookies is %q`, cmp.Or(mode, "same_site (the default)"))
	}
	return nil
}

func validBreakout(v string) error {
	switch v {
	case "", "neutralize", "detect", "off":
		return nil
	}
	return fmt.Errorf("breakout: unknown mode %q (want neutralize, detect or off)", v)
}

func validSandbox(v string) error {
	switch v {
	case "", "on", "off":
		return nil
	}
	return fmt.Errorf("sandbox: unknown value %q (want on or off)", v)
}

func validRecompress(v string) error {
	if _, err := injector.ParseRecompression(v); err != nil {
		return fmt.Errorf("recompress_level: %q: want fastest, default or better", v)
	}
	return nil
}

func validRecompressCoding(v string) error {
	if _, err := injector.ParseRecompressCoding(v); err != nil {
		return fmt.Errorf("recompress_coding: %q: want zstd or same", v)
	}
	return nil
}

// minRewriteSize: below it no page could be rewritten (the SDK would be
// missing everywhere); a value this small is a unit mistake (16 for 16 MiB).
const minRewriteSize = 1 << 10

func validMaxRewrite(n int64) error {
	switch {
	case n < 0:
		return fmt.Errorf("max_rewrite_size: %d is negative: want a size in bytes (0: the default, 16 MiB)", n)
	case n > 0 && n < minRewriteSize:
		return fmt.Errorf("max_rewrite_size: %d bytes is too small: want at least %d (16 MiB is 16777216)", n, minRewriteSize)
	}
	return nil
}

// validUpstreamOrigin checks one upstream_origin value.
func validUpstreamOrigin(o string) error {
	if err := injector.ValidateOrigin(o); err != nil {
		return err
	}
	if strings.Contains(o, "*") || o == "'self'" {
		return fmt.Errorf("%q must be a concrete origin", o)
	}
	return nil
}

// validPathPrefix checks path_prefix: it ends up in script URLs, CSP
// sources and the SDK's WebSocket URL, so only plain path characters, and
// never the root ("/sdk.js" would become "//sdk.js", another host).
func validPathPrefix(p string) error {
	if !strings.HasPrefix(p, "/") {
		return fmt.Errorf("path_prefix %q must start with /", p)
	}
	if strings.Trim(p, "/") == "" || strings.Contains(strings.Trim(p, "/"), "//") {
		return fmt.Errorf("path_prefix %q must name a path below / (e.g. /__crmframe)", p)
	}
	if !plainPath(p, "/-._~") {
		return fmt.Errorf("path_prefix %q: only letters, digits and - . _ ~ / are allowed", p)
	}
	return nil
}

// validInject checks an inject URL with the body rewriter's own rules, so
// that a bad one is reported where it is written.
func validInject(u string) error {
	_, err := injector.ParseInjectURL(u)
	return err
}

// validScreenPop checks one screen_pop media and template.
func validScreenPop(media, tpl string) error {
	switch media {
	case "*", "telephony", "chat", "channel":
	default:
		return fmt.Errorf("screen_pop: unknown media %q (want telephony, chat, channel or a template alone)", media)
	}
	if !strings.HasPrefix(tpl, "/") || strings.HasPrefix(tpl, "//") || strings.HasPrefix(tpl, "/\\") {
		return fmt.Errorf("screen_pop: %q must be a path on the CRM's origin starting with a single /", tpl)
	}
	return nil
}

// validCompatPath checks compat_sdk_path.
func validCompatPath(p string) error {
	if p != "off" && (!strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//")) {
		return fmt.Errorf("compat_sdk_path %q must be a path starting with a single / (or off)", p)
	}
	return nil
}

// ServeHTTP serves crmframe's own endpoints and rewrites proxied responses.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	if p := r.URL.Path; strings.HasPrefix(p, h.PathPrefix+"/") {
		return h.serveOwn(w, r, strings.TrimPrefix(p, h.PathPrefix))
	} else if m := h.mountedOwn(p); m != "" {
		return h.serveOwn(w, r, m)
	} else if p == h.CompatSDKPath {
		return h.serveAsset(w, r, "agentdesktop_widget.js", h.mountFor(r).compat)
	}
	if o := clientOrigin(r); r.TLS == nil && o.Scheme == "https" {
		// Behind a trusted TLS-terminating proxy: the rewriter must see
		// the https origin the browser used (redirects, CSP).
		r = r.WithContext(injector.WithClientOrigin(r.Context(), o))
	}
	prefix := strippedPrefix(r)
	if done, err := h.takeToken(w, browserRequest(r, prefix)); done {
		return err
	}
	stripOwnCredentials(r)
	rw := h.cfg.WrapAt(w, r, prefix)
	defer func() {
		// reverse_proxy panics with http.ErrAbortHandler when the upstream
		// fails mid-body: release the rewriter, then let Caddy abort.
		if p := recover(); p != nil {
			if p != http.ErrAbortHandler {
				rw.Abort()
				panic(p)
			}
			// The request's context ends when the client goes away.
			reason := injector.ReasonUpstreamBroke
			if r.Context().Err() != nil {
				reason = injector.ReasonClientGone
			}
			rw.AbortWith(reason)
			resetCloseDelimited(w, r)
			panic(p)
		}
	}()
	err := next.ServeHTTP(rw, r)
	if err != nil && !rw.Written() && wantsPage(r) && upstreamFailed(err) {
		// Nothing reached the client yet: a clear page with retry instead
		// of a blank frame.
		rw.Abort()
		h.serveUpstreamError(w, r, err)
		return nil
	}
	cerr := rw.Close() // sends the headers of a response held to sniff its type
	if rw.Written() && rw.Status() != http.StatusSwitchingProtocols {
		h.checkUndone(w.Header(), r)
	}
	if cerr != nil {
		// Headers are out. ErrAbort: aborting is the only way the client
		// learns the body is incomplete. Any other error is a failed write
		// to a client that went away: returned to Caddy it would be logged
		// at ERROR level for every agent who clicked on mid-page.
		if errors.Is(cerr, injector.ErrAbort) {
			resetCloseDelimited(w, r)
		}
		panic(http.ErrAbortHandler)
	}
	return err
}

// resetCloseDelimited makes an aborted response fail visibly for an
// HTTP/1.0 client (nginx's default proxy_http_version, old load
// balancers). Its body has no chunked framing and, once rewritten, no
// Content-Length: it ends when the connection closes, so the orderly close
// net/http does after http.ErrAbortHandler reads as a complete page — a
// truncated page or an empty script served as 200. A TCP reset cannot be
// taken for the end of the body.
func resetCloseDelimited(w http.ResponseWriter, r *http.Request) {
	if r.ProtoAtLeast(1, 1) {
		return // chunked or sized: the client sees the body's end is missing
	}
	c, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	for nc := c; nc != nil; {
		if l, ok := nc.(interface{ SetLinger(int) error }); ok {
			_ = l.SetLinger(0) // Close sends RST, not FIN
			break
		}
		u, ok := nc.(interface{ NetConn() net.Conn }) // TLS
		if !ok {
			break
		}
		nc = u.NetConn()
	}
	_ = c.Close()
}

// checkUndone warns (once) when a handler wrapping crm_frame changed the
// framing headers after crm_frame wrote them: Caddy's header directive
// runs its deferred operations (any "-Field", ">Field" or "defer") then,
// and a header snippet with X-Frame-Options or a CSP blanks the frame or,
// worse, drops frame-ancestors so that every site may frame the CRM.
func (h *Handler) checkUndone(hdr http.Header, r *http.Request) {
	if h.mounts == nil {
		return // not provisioned
	}
	why := h.cfg.Policy.Undone(hdr)
	if why == "" || h.mounts.undoneWarned.Swap(true) {
		return
	}
	if c := h.logger.Check(zapcore.ErrorLevel, "framing headers changed after crm_frame"); c != nil {
		c.Write(zap.String("header", why), zap.String("path", r.URL.Path),
			zap.String("hint", "a directive that runs around crm_frame (a deferred header block: -Field, >Field or defer) set or removed X-Frame-Options/Content-Security-Policy; remove those fields from it, see docs/caddyfile.md"))
	}
}

// serveOwn serves the endpoints under the path prefix.
func (h *Handler) serveOwn(w http.ResponseWriter, r *http.Request, p string) error {
	switch p {
	case "/sdk.js":
		return h.serveAsset(w, r, "sdk.js", h.bundle)
	case "/ws":
		return h.serveWS(w, r)
	case "/demo/token":
		return h.serveDemoToken(w, r)
	}
	return caddyhttp.Error(http.StatusNotFound, fmt.Errorf("no crmframe endpoint %s", p))
}

// browserRequest is r with the path the browser used, when a handler
// before crm_frame stripped prefix p (for redirects crm_frame answers
// itself); r otherwise.
func browserRequest(r *http.Request, p string) *http.Request {
	if p == "" || !strings.Contains(r.URL.RawQuery, TokenParam) {
		return r
	}
	u := *r.URL
	u.Path, u.RawPath = p+r.URL.Path, ""
	if r.URL.RawPath != "" {
		u.RawPath = p + r.URL.RawPath
	}
	r2 := *r
	r2.URL = &u
	return &r2
}

// prefixedScreenPop is screen_pop with its CRM paths as the browser sees
// them under a stripped prefix.
func prefixedScreenPop(sp map[string]string, prefix string) map[string]string {
	if prefix == "" {
		return sp
	}
	out := make(map[string]string, len(sp))
	for k, v := range sp {
		out[k] = prefix + v
	}
	return out
}

// sdkAttrs are the attributes of the injected SDK script tag that configure
// the SDK and the shim for this site (ASCII, HTML-escaped).
func (h *Handler) sdkAttrs() string { return h.sdkAttrsAt("") }

// sdkAttrsAt is sdkAttrs for pages under a stripped path prefix.
func (h *Handler) sdkAttrsAt(prefix string) string {
	var b strings.Builder
	attr := func(name, val string) {
		b.WriteString(" " + name + `="` + html.EscapeString(val) + `"`)
	}
	attr("data-crmframe-prefix", prefix+h.PathPrefix)
	attr("data-crmframe-widget", h.WidgetID)
	if h.Breakout != "neutralize" {
		attr("data-crmframe-breakout", h.Breakout)
	}
	if h.engineApp == nil {
		// No crm_engine: the SDK must not knock on a WebSocket that is not there.
		attr("data-crmframe-autoconnect", "false")
	}
	if len(h.ScreenPop) > 0 {
		js, _ := json.Marshal(prefixedScreenPop(h.ScreenPop, prefix))
		attr("data-crmframe-screen-pop", string(js))
	}
	return b.String()
}

// compatPrelude configures the SDK for pages that load it themselves at
// compat_sdk_path, where our script tag attributes are not present.
func (h *Handler) compatPrelude() string { return h.compatPreludeAt("") }

func (h *Handler) compatPreludeAt(prefix string) string {
	cfg := map[string]any{"prefix": prefix + h.PathPrefix, "widget": h.WidgetID}
	if h.engineApp == nil {
		cfg["autoConnect"] = false
	}
	if len(h.ScreenPop) > 0 {
		cfg["screenPop"] = prefixedScreenPop(h.ScreenPop, prefix)
	}
	js, _ := json.Marshal(cfg)
	pre := "window.__crmframe_sdk=window.__crmframe_sdk||" + string(js) + ";\n"
	if h.Breakout != "neutralize" {
		bm, _ := json.Marshal(h.Breakout)
		pre += "window.__crmframe_breakout=window.__crmframe_breakout||" + string(bm) + ";\n"
	}
	return pre
}

// SDKPath is the URL of the SDK bundle, with its content hash so that it
// can be cached for a long time.
func (h *Handler) SDKPath() string {
	return h.PathPrefix + "/sdk.js?v=" + h.bundle.Hash
}

// serveAsset serves one of our JavaScript bundles with long-lived caching
// when requested with its content hash.
func (h *Handler) serveAsset(w http.ResponseWriter, r *http.Request, name string, b sdk.Bundle) error {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		return caddyhttp.Error(http.StatusMethodNotAllowed, nil)
	}
	hdr := w.Header()
	body, etag := b.Body, `"`+b.Hash+`"`
	hdr.Add("Vary", "Accept-Encoding")
	if len(b.Gzip) > 0 && acceptsGzip(r.Header.Values("Accept-Encoding")) {
		// A distinct strong ETag per coding, as Caddy's encode does.
		body, etag = b.Gzip, `"`+b.Hash+`-gzip"`
		hdr.Set("Content-Encoding", "gzip")
	}
	hdr.Set("Content-Type", "text/javascript; charset=utf-8")
	hdr.Set("ETag", etag)
	hdr.Set("X-Content-Type-Options", "nosniff")
	if r.URL.Query().Get("v") == b.Hash {
		hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hdr.Set("Cache-Control", "no-cache")
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && (strings.Contains(inm, `"`+b.Hash+`"`) || strings.Contains(inm, `"`+b.Hash+`-gzip"`)) {
		proxyMetrics.sdkRequests.WithLabelValues(name, "304").Inc()
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	proxyMetrics.sdkRequests.WithLabelValues(name, "200").Inc()
	hdr.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(body)
	}
	return nil
}

// acceptsGzip reads Accept-Encoding values: gzip with q > 0, or, when gzip
// is not named, * with q > 0. (Caddy's encode.AcceptedEncodings drops the
// q=0 entries, so it cannot tell "gzip;q=0, *" from "*".)
func acceptsGzip(values []string) bool {
	q, named := injector.AcceptQ(values, "gzip")
	return named && q > 0
}

// Interface guards
var (
	_ caddy.Provisioner           = (*Handler)(nil)
	_ caddy.Validator             = (*Handler)(nil)
	_ caddyhttp.MiddlewareHandler = (*Handler)(nil)
)
