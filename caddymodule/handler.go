// Package caddymodule is the Caddy glue of crmframe: the crm_frame HTTP
// handler, the crm_engine app, Caddyfile parsing and metrics. It adapts the
// injector and engine libraries; it holds no rewriting or contact logic.
package caddymodule

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

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
)

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
	// Frame-busting handling: "neutralize" (default), "detect" (only count
	// and log) or "off".
	Breakout string `json:"breakout,omitempty"`
	// Sandbox controls the browser-enforced backstop of breakout
	// neutralisation: a CSP sandbox directive that allows everything but
	// navigating the desktop window. "on" (default when breakout is
	// neutralize) or "off".
	Sandbox string `json:"sandbox,omitempty"`

	cfg    injector.Config
	bundle sdk.Bundle
	logger *zap.Logger
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
	if h.Sandbox == "" {
		h.Sandbox = "off"
		if h.Breakout == "neutralize" {
			h.Sandbox = "on"
		}
	}
	if err := h.validate(); err != nil {
		return err
	}
	pol := injector.HeaderPolicy{FrameAncestors: h.FrameAncestors, Partitioned: h.Partitioned, Sandbox: h.Sandbox == "on"}
	if h.Cookies == "cross_site" {
		pol.Cookies = injector.CookiesCrossSite
	}
	for _, o := range h.UpstreamOrigins {
		u, _ := url.Parse(o)
		pol.UpstreamOrigins = append(pol.UpstreamOrigins, u)
	}
	h.bundle = sdk.Build()
	if err := registerProxyMetrics(ctx.GetMetricsRegistry()); err != nil {
		return fmt.Errorf("crm_frame: metrics: %v", err)
	}
	h.cfg = injector.Config{Policy: pol, Observer: observeHeaders}
	return nil
}

// Validate checks the configuration (also run by Provision).
func (h *Handler) Validate() error { return h.validate() }

func (h *Handler) validate() error {
	if len(h.FrameAncestors) == 0 {
		return errors.New("crm_frame: frame_ancestors is required: list the agent desktop origin(s) allowed to frame the CRM, e.g. frame_ancestors https://desk.example.com")
	}
	for _, o := range h.FrameAncestors {
		if o == "*" {
			if !h.AllowAnyAncestor {
				return errors.New("crm_frame: frame_ancestors '*' would let every site frame the CRM (clickjacking); write 'frame_ancestors * insecure' if you really mean it")
			}
			continue
		}
		if err := injector.ValidateOrigin(o); err != nil {
			return fmt.Errorf("crm_frame: frame_ancestors: %v", err)
		}
	}
	for _, o := range h.UpstreamOrigins {
		if err := injector.ValidateOrigin(o); err != nil || strings.Contains(o, "*") || o == "'self'" {
			if err == nil {
				err = fmt.Errorf("%q must be a concrete origin", o)
			}
			return fmt.Errorf("crm_frame: upstream_origin: %v", err)
		}
	}
	switch h.Cookies {
	case "", "same_site", "cross_site":
	default:
		return fmt.Errorf("crm_frame: cookies: unknown mode %q (want same_site or cross_site)", h.Cookies)
	}
	switch h.Breakout {
	case "", "neutralize", "detect", "off":
	default:
		return fmt.Errorf("crm_frame: breakout: unknown mode %q (want neutralize, detect or off)", h.Breakout)
	}
	switch h.Sandbox {
	case "", "on", "off":
	default:
		return fmt.Errorf("crm_frame: sandbox: unknown value %q (want on or off)", h.Sandbox)
	}
	if h.MaxRewriteSize < 0 {
		return fmt.Errorf("crm_frame: max_rewrite_size must be positive")
	}
	if h.PathPrefix != "" && !strings.HasPrefix(h.PathPrefix, "/") {
		return fmt.Errorf("crm_frame: path_prefix %q must start with /", h.PathPrefix)
	}
	return nil
}

// ServeHTTP serves crmframe's own endpoints and rewrites proxied responses.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	if p := r.URL.Path; strings.HasPrefix(p, h.PathPrefix+"/") {
		return h.serveOwn(w, r, strings.TrimPrefix(p, h.PathPrefix))
	}
	rw := h.cfg.Wrap(w, r)
	err := next.ServeHTTP(rw, r)
	if cerr := rw.Close(); cerr != nil {
		if errors.Is(cerr, injector.ErrAbort) {
			// Headers are out: aborting is the only way the client learns
			// the body is incomplete.
			panic(http.ErrAbortHandler)
		}
		if err == nil {
			err = cerr
		}
	}
	return err
}

// serveOwn serves the endpoints under the path prefix.
func (h *Handler) serveOwn(w http.ResponseWriter, r *http.Request, p string) error {
	switch p {
	case "/sdk.js":
		return h.serveSDK(w, r)
	}
	return caddyhttp.Error(http.StatusNotFound, fmt.Errorf("no crmframe endpoint %s", p))
}

// SDKPath is the URL of the SDK bundle, with its content hash so that it
// can be cached for a long time.
func (h *Handler) SDKPath() string {
	return h.PathPrefix + "/sdk.js?v=" + h.bundle.Hash
}

func (h *Handler) serveSDK(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		return caddyhttp.Error(http.StatusMethodNotAllowed, nil)
	}
	hdr := w.Header()
	etag := `"` + h.bundle.Hash + `"`
	hdr.Set("Content-Type", "text/javascript; charset=utf-8")
	hdr.Set("ETag", etag)
	hdr.Set("X-Content-Type-Options", "nosniff")
	if r.URL.Query().Get("v") == h.bundle.Hash {
		hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hdr.Set("Cache-Control", "no-cache")
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, etag) {
		proxyMetrics.sdkRequests.WithLabelValues("sdk.js", "304").Inc()
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	proxyMetrics.sdkRequests.WithLabelValues("sdk.js", "200").Inc()
	hdr.Set("Content-Length", fmt.Sprint(len(h.bundle.Body)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(h.bundle.Body)
	}
	return nil
}

// Interface guards
var (
	_ caddy.Provisioner           = (*Handler)(nil)
	_ caddy.Validator             = (*Handler)(nil)
	_ caddyhttp.MiddlewareHandler = (*Handler)(nil)
)
