package caddymodule

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/crmframe/crmframe/injector/sdk"
)

// stripped is r as crm_frame sees it after a handler turned the browser's
// path orig into cur.
func stripped(orig, cur string) *http.Request {
	r := httptest.NewRequest("GET", "http://crm.example"+orig, nil)
	or := *r
	u := *r.URL
	or.URL = &u
	r = r.WithContext(context.WithValue(r.Context(), caddyhttp.OriginalRequestCtxKey, or))
	r.URL.Path = cur
	return r
}

func TestStrippedPrefix(t *testing.T) {
	for _, c := range []struct{ orig, cur, want string }{
		{"/crm/page", "/page", "/crm"},
		{"/crm/", "/", "/crm"},
		{"/a/b/crm/x/y", "/x/y", "/a/b/crm"},
		{"/page", "/page", ""},               // nothing stripped
		{"/index.php", "/app/index.php", ""}, // rewritten longer
		{"/crm/page", "/other", ""},          // not a suffix
		{"/crmpage", "page", ""},             // no leading slash left
		{"/c'rm/page", "/page", ""},          // would break a CSP source
		{"/c%20rm/page", "/page", "/c%20rm"}, // escaped as the browser sent it
		{"//evil.example/page", "/page", ""}, // never a scheme-relative URL
	} {
		if got := strippedPrefix(stripped(c.orig, c.cur)); got != c.want {
			t.Errorf("%s -> %s: %q, want %q", c.orig, c.cur, got, c.want)
		}
	}
	if got := strippedPrefix(httptest.NewRequest("GET", "/x", nil)); got != "" {
		t.Errorf("outside Caddy: %q", got)
	}
}

// A handler serves at most maxMounts prefixes; past that, pages get the
// root mount (unprefixed URLs) instead of more rewriters and caches.
func TestMountsBounded(t *testing.T) {
	initProxyMetrics()
	h := &Handler{FrameAncestors: []string{"https://desk.example"}, PathPrefix: DefaultPathPrefix, Breakout: "neutralize", RecompressLevel: "default"}
	h.bundle, h.logger = sdk.Build(), zap.NewNop()
	root, err := h.newMount("")
	if err != nil {
		t.Fatal(err)
	}
	h.root, h.mounts = root, &mountSet{}
	for i := range maxMounts + 2 {
		p := "/m" + strings.Repeat("x", i)
		m := h.mountFor(stripped(p+"/page", "/page"))
		if i < maxMounts && (m.prefix != p || !strings.HasPrefix(m.sdkPath, p+"/__crmframe/sdk.js?v=")) {
			t.Errorf("mount %d: %q %q", i, m.prefix, m.sdkPath)
		}
		if i >= maxMounts && m != h.root {
			t.Errorf("mount %d beyond the bound: %q", i, m.prefix)
		}
		if again := h.mountFor(stripped(p+"/other", "/other")); again != m {
			t.Errorf("mount %d built twice", i)
		}
	}
	if got := h.mountedOwn("/m/__crmframe/sdk.js"); got != "/sdk.js" {
		t.Errorf("known mount's endpoint: %q", got)
	}
	if got := h.mountedOwn("/unknown/__crmframe/sdk.js"); got != "" {
		t.Errorf("unknown mount's endpoint: %q", got)
	}
}
