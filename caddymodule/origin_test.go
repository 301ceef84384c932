package caddymodule_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/crmframe/crmframe/engine"
	"github.com/crmframe/crmframe/internal/caddyrun"
)

// TestBehindTLSProxy: crmframe behind a load balancer that terminates TLS
// (the browser speaks https, crmframe gets http with X-Forwarded-Proto).
// From a proxy in trusted_proxies the https origin is used for rewritten
// redirects, the WebSocket Origin check and the token cookie; from anyone
// else the header changes nothing.
func TestBehindTLSProxy(t *testing.T) {
	var self string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", self+"/home")
		w.WriteHeader(http.StatusFound)
	}))
	t.Cleanup(up.Close)
	self = up.URL
	trusted, untrusted, apiPort := caddyrun.FreePort(t), caddyrun.FreePort(t), caddyrun.FreePort(t)
	site := func(port int) string {
		return fmt.Sprintf(`http://127.0.0.1:%d {
	crm_frame {
		frame_ancestors https://desk.example.com
		upstream_origin %s
	}
	reverse_proxy %s
}
`, port, up.URL, strings.TrimPrefix(up.URL, "http://"))
	}
	caddyrun.Start(t, fmt.Sprintf(`{
	servers :%d {
		trusted_proxies static 127.0.0.1/32
	}
	crm_engine {
		secret %q
		queue sales a1
	}
}
http://127.0.0.1:%d {
	crm_engine_api
}
`, trusted, testSecret, apiPort)+site(trusted)+site(untrusted))
	tok, err := engine.MintToken([]byte(testSecret), "a1", "Anna", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		port   int
		xfp    string
		scheme string // the origin crmframe must take the browser's to be
	}{
		{"trusted proxy, https", trusted, "https", "https"},
		{"trusted proxy, several values", trusted, "https, http", "https"},
		{"trusted proxy, http", trusted, "http", "http"},
		{"trusted proxy, no header", trusted, "", "http"},
		{"untrusted client claiming https", untrusted, "https", "http"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := fmt.Sprintf("127.0.0.1:%d", tc.port)
			hdr := []string{}
			if tc.xfp != "" {
				hdr = append(hdr, "X-Forwarded-Proto", tc.xfp)
			}
			// The CRM's absolute redirect to itself goes to the browser's origin.
			r := fetch(t, "GET", "http://"+base+"/", hdr...)
			if want := tc.scheme + "://" + base + "/home"; r.hdr.Get("Location") != want {
				t.Errorf("Location %q, want %q", r.hdr.Get("Location"), want)
			}
			// The token cookie is Secure exactly when the browser uses https.
			r = fetch(t, "GET", "http://"+base+"/page?crmframe_token="+tok, hdr...)
			if got := strings.Contains(r.hdr.Get("Set-Cookie"), "Secure"); got != (tc.scheme == "https") {
				t.Errorf("token cookie %q: Secure %v, want %v", r.hdr.Get("Set-Cookie"), got, tc.scheme == "https")
			}
			// The WebSocket accepts the page's own origin, and only that.
			for _, scheme := range []string{"https", "http"} {
				h := http.Header{"Origin": {scheme + "://" + base}, "Cookie": {engine.TokenCookie + "=" + tok}}
				if tc.xfp != "" {
					h.Set("X-Forwarded-Proto", tc.xfp)
				}
				c, resp, err := websocket.DefaultDialer.Dial("ws://"+base+"/__crmframe/ws", h)
				if c != nil {
					c.Close()
				}
				if ok := err == nil; ok != (scheme == tc.scheme) {
					status := 0
					if resp != nil {
						status = resp.StatusCode
					}
					t.Errorf("WebSocket with Origin %s://: accepted %v (status %d), want %v", scheme, ok, status, scheme == tc.scheme)
				}
			}
		})
	}
}
