package caddymodule

import (
	"errors"
	"fmt"
	"html"
	"net/http"
	"strings"

	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// wantsPage reports whether the request is a page navigation (the frame's
// document), where an agent would otherwise see a blank frame.
func wantsPage(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost {
		return false
	}
	switch r.Header.Get("Sec-Fetch-Dest") {
	case "document", "iframe", "frame":
		return true
	case "":
		return strings.Contains(r.Header.Get("Accept"), "text/html")
	}
	return false
}

// upstreamFailed reports whether err says the CRM could not answer (a 5xx,
// or an error without a status), rather than that the request itself was
// refused (a 4xx: request_body max_size, a bad request): a retry page that
// reloads by itself would only repeat a refused request (a form POST).
func upstreamFailed(err error) bool {
	var he caddyhttp.HandlerError
	return !errors.As(err, &he) || he.StatusCode == 0 || he.StatusCode >= 500
}

// serveUpstreamError answers a failed page request with a crmframe page
// that says what happened and retries by itself, instead of a blank frame.
// It still loads the SDK, so the agent's contact events keep flowing.
func (h *Handler) serveUpstreamError(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusBadGateway
	var he caddyhttp.HandlerError
	if errors.As(err, &he) && he.StatusCode >= 500 {
		status = he.StatusCode
	}
	what := "is not reachable"
	if status == http.StatusGatewayTimeout {
		what = "did not answer in time"
	}
	if c := h.logger.Check(zapcore.WarnLevel, "CRM upstream failed: serving the retry page"); c != nil {
		c.Write(zap.Int("status", status), zap.Error(err), zap.String("uri", r.URL.Path))
	}
	proxyMetrics.responses.WithLabelValues("error").Inc()
	hdr := w.Header()
	for k := range hdr {
		delete(hdr, k)
	}
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("Retry-After", "5")
	h.cfg.Policy.Apply(hdr, nil)
	m := h.mountFor(r)
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	fmt.Fprintf(w, `<!doctype html>
<html><head><meta charset="utf-8"><script src="%s"%s></script><title>CRM unavailable</title>
<style>body{font:15px system-ui,sans-serif;margin:0;display:grid;place-items:center;height:100vh;background:#f8fafc;color:#1f2937}
main{max-width:32em;padding:24px;border:1px solid #cbd5e1;border-radius:8px;background:#fff}h1{font-size:18px;margin:0 0 8px}
button{font:inherit;padding:6px 14px}</style></head>
<body><main id="crmframe-error" data-status="%d"><h1>The CRM %s (%d)</h1>
<p>crmframe could not load this page from the CRM. Your calls are not affected.</p>
<p>Retrying in <span id="s">5</span> s… <button id="retry" type="button">Retry now</button></p></main>
<script>(function(){var n=5,s=document.getElementById('s');document.getElementById('retry').onclick=function(){location.reload()};
var t=setInterval(function(){n--;s.textContent=n;if(n<=0){clearInterval(t);location.reload()}},1000)})();</script>
</body></html>
`, html.EscapeString(m.sdkPath), m.attrs, status, what, status)
}
