package caddymodule

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	"github.com/crmframe/crmframe/injector"
)

// clientOrigin is the origin the browser used for r. Behind a proxy that
// terminates TLS (a load balancer in front of crmframe) the request comes
// over plain HTTP; when that proxy is in Caddy's trusted_proxies, its
// X-Forwarded-Proto: https says the browser's scheme. From anyone else the
// header is ignored, as Caddy's reverse_proxy ignores it.
func clientOrigin(r *http.Request) *url.URL {
	u := injector.ClientOrigin(r)
	if r.TLS != nil {
		return u
	}
	if trusted, _ := caddyhttp.GetVar(r.Context(), caddyhttp.TrustedProxyVarKey).(bool); !trusted {
		return u
	}
	// The first value is the scheme the first proxy saw from the browser.
	p, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	if strings.EqualFold(strings.TrimSpace(p), "https") {
		u.Scheme = "https"
	}
	return u
}
