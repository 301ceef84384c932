package caddymodule

import (
	"encoding/json"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/crmframe/crmframe/engine"
)

// TokenParam is the query parameter that carries an agent token on the
// widget URL the desktop puts in its iframe; crm_frame turns it into a
// cookie and redirects to the clean URL, so the CRM never sees it.
const TokenParam = "crmframe_token"

// demoTokenTTL is the lifetime of tokens minted by the demo endpoint.
const demoTokenTTL = 8 * time.Hour

// provisionEngine connects the handler to the crm_engine app, if any.
func (h *Handler) provisionEngine(ctx caddy.Context) error {
	app, err := engineFromContext(ctx)
	if err != nil {
		return err
	}
	h.engineApp = app
	if app != nil {
		h.ws = app.Engine().WebSocketHandler(engine.WSOptions{CheckOrigin: h.originAllowed})
	}
	return nil
}

// originAllowed accepts the CRM's own origin (the widget pages) and the
// configured desktop origins (the shell).
func (h *Handler) originAllowed(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return false
	}
	if strings.EqualFold(o, requestOrigin(r)) {
		return true
	}
	return h.ancestorAllowed(o)
}

func (h *Handler) ancestorAllowed(origin string) bool {
	ou, err := url.Parse(origin)
	if err != nil || ou.Host == "" {
		return false
	}
	for _, a := range h.FrameAncestors {
		if a == "*" {
			return true
		}
		au, err := url.Parse(a)
		if err != nil || !strings.EqualFold(au.Scheme, ou.Scheme) {
			continue
		}
		if strings.EqualFold(au.Host, ou.Host) {
			return true
		}
		// https://*.example.com matches any subdomain (CSP host-source).
		if strings.HasPrefix(au.Host, "*.") && strings.HasSuffix(strings.ToLower(ou.Host), strings.ToLower(au.Host[1:])) {
			return true
		}
	}
	return false
}

func requestOrigin(r *http.Request) string {
	return clientOrigin(r).String()
}

func (h *Handler) serveWS(w http.ResponseWriter, r *http.Request) error {
	if h.ws == nil {
		return caddyhttp.Error(http.StatusServiceUnavailable, fmt.Errorf("no crm_engine configured"))
	}
	// The engine hijacks through http.ResponseController, which unwraps
	// Caddy's response writer.
	h.ws.ServeHTTP(w, r)
	return nil
}

// takeToken handles ?crmframe_token= on a page request: it verifies the
// token, stores it in an HttpOnly cookie for the WebSocket of the page's
// SDK, and redirects to the URL without it. It reports whether it answered.
func (h *Handler) takeToken(w http.ResponseWriter, r *http.Request) (bool, error) {
	// Every proxied request passes here: parse the query only when it
	// can hold our parameter.
	if !strings.Contains(r.URL.RawQuery, TokenParam) {
		return false, nil
	}
	q := r.URL.Query()
	tok := q.Get(TokenParam)
	if !q.Has(TokenParam) {
		return false, nil
	}
	if h.engineApp == nil {
		return true, caddyhttp.Error(http.StatusServiceUnavailable, fmt.Errorf("crmframe_token given but no crm_engine configured"))
	}
	claims, err := engine.VerifyToken(h.engineApp.secret, tok, time.Now())
	if err != nil {
		if c := h.logger.Check(zapcore.WarnLevel, "agent token refused"); c != nil {
			c.Write(zap.String("reason", err.Error()), zap.String("remote_ip", r.RemoteAddr), zap.String("uri", r.URL.Path))
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, "<!doctype html><title>crmframe: agent token refused</title><p>crmframe refused the agent token in this URL: %s.</p><p>Log in to the agent desktop again.</p>", html.EscapeString(err.Error()))
		return true, nil
	}
	ck := &http.Cookie{
		Name: engine.TokenCookie, Value: tok, Path: "/", HttpOnly: true,
		Secure: clientOrigin(r).Scheme == "https", SameSite: http.SameSiteLaxMode,
		MaxAge: int(time.Until(claims.ExpiresAt).Seconds()),
	}
	if h.Cookies == "cross_site" {
		// Always partitioned: the token only serves pages inside the
		// desktop's frame, and browsers that block third-party cookies
		// (Safari, Chrome with restrictions, headless Chromium) drop an
		// unpartitioned one there, leaving the SDK without its WebSocket.
		ck.SameSite, ck.Secure, ck.Partitioned = http.SameSiteNoneMode, true, true
	}
	http.SetCookie(w, ck)
	q.Del(TokenParam)
	clean := *r.URL
	clean.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, clean.RequestURI(), http.StatusSeeOther)
	return true, nil
}

// stripOwnCredentials removes our token cookie and parameter from a request
// before it is proxied: the CRM must never see agent tokens.
func stripOwnCredentials(r *http.Request) {
	if slices.ContainsFunc(r.Header.Values("Cookie"), func(c string) bool { return strings.Contains(c, engine.TokenCookie) }) {
		var keep []string
		for _, c := range r.Cookies() {
			if c.Name != engine.TokenCookie {
				keep = append(keep, c.Name+"="+c.Value)
			}
		}
		r.Header.Del("Cookie")
		if len(keep) > 0 {
			r.Header.Set("Cookie", strings.Join(keep, "; "))
		}
	}
}

// serveDemoToken mints a token for any agent (demo only: off unless
// crm_engine demo_tokens is set, and loopback clients only).
func (h *Handler) serveDemoToken(w http.ResponseWriter, r *http.Request) error {
	if h.engineApp == nil || !h.engineApp.DemoTokens {
		return caddyhttp.Error(http.StatusNotFound, fmt.Errorf("demo token endpoint is off"))
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		if c := h.logger.Check(zapcore.WarnLevel, "demo token refused to a non-loopback client"); c != nil {
			c.Write(zap.String("remote_ip", r.RemoteAddr))
		}
		return caddyhttp.Error(http.StatusForbidden, fmt.Errorf("demo tokens are for loopback clients only"))
	}
	if o := r.Header.Get("Origin"); o != "" {
		if !h.originAllowed(r) {
			return caddyhttp.Error(http.StatusForbidden, fmt.Errorf("origin not allowed"))
		}
		w.Header().Set("Access-Control-Allow-Origin", o)
		w.Header().Set("Vary", "Origin")
		w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
		w.Header().Set("Access-Control-Allow-Methods", "POST")
	}
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if r.Method != http.MethodPost {
		return caddyhttp.Error(http.StatusMethodNotAllowed, nil)
	}
	var req struct {
		Agent string `json:"agent"`
		Name  string `json:"name"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
		return caddyhttp.Error(http.StatusBadRequest, fmt.Errorf("want {\"agent\":\"a1\"}: %v", err))
	}
	tok, err := engine.MintToken(h.engineApp.secret, req.Agent, req.Name, demoTokenTTL, time.Now())
	if err != nil {
		return caddyhttp.Error(http.StatusBadRequest, err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(map[string]any{"token": tok, "agent": req.Agent, "expires_in": int(demoTokenTTL.Seconds())})
}
