package e2e

import (
	"compress/gzip"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/crmframe/crmframe/internal/caddyrun"
	"github.com/crmframe/crmframe/internal/chromium"
)

// httpsCRM is a legacy CRM for the HTTPS test: anti-framing headers, a
// frame buster, and a SameSite=Strict session cookie it shows back, so a
// page can tell whether the browser returned the cookie. Pages write what
// the test checks into the DOM (the test reads it from an isolated world).
type httpsCRM struct {
	mu      sync.Mutex
	cookies []string // Cookie headers received, in order
	queries []string // raw queries received
}

func (c *httpsCRM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/home.html" {
		http.NotFound(w, r)
		return
	}
	c.mu.Lock()
	c.cookies = append(c.cookies, r.Header.Get("Cookie"))
	c.queries = append(c.queries, r.URL.RawQuery)
	c.mu.Unlock()
	sid := "none"
	if ck, err := r.Cookie("sid"); err == nil {
		sid = ck.Value
	} else {
		w.Header().Add("Set-Cookie", "sid=s3cr3t; Path=/; HttpOnly; SameSite=Strict")
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "frame-ancestors 'none'")
	var out io.Writer = w
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		// As most CRMs do: crm_frame decodes, rewrites and re-encodes it.
		h.Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		defer zw.Close()
		out = zw
	}
	_, _ = io.WriteString(out, `<!doctype html><html><head><meta charset="utf-8"><title>CRM</title>
<script>if (top !== self) { top.location = self.location; }</script>
</head><body>
<div id="crm-marker">CRM ok</div><div id="sid">`+sid+`</div><div id="proto"></div><div id="sdk"></div>
<div id="filler">`+strings.Repeat("Ticket 4711: customer asked for a callback. ", 40)+`</div>
<script>
// The body sizes are known once the response ended (they read 0 while
// it streams): read them after load.
addEventListener('load', function () {
  var nav = performance.getEntriesByType('navigation')[0];
  document.getElementById('proto').textContent = nav ? nav.nextHopProtocol + (nav.encodedBodySize < nav.decodedBodySize ? ' compressed' : ' identity') : '';
  // The coding crm_frame chose for this browser (the page again, as a fetch).
  fetch(location.href).then(function (r) { document.getElementById('proto').dataset.coding = r.headers.get('content-encoding') || 'none'; });
});
setInterval(function () {
  var s;
  try { s = AGENTDESKTOP.getStatus().status + ' ' + ((AGENTDESKTOP.getAgent() || {}).id || ''); } catch (e) { s = 'error ' + e; }
  document.getElementById('sdk').textContent = s;
}, 100);
</script>
</body></html>`)
}

// TestHTTPSCrossSite runs the deployment docs/caddyfile.md recommends when
// the desktop and the CRM are on different sites: both on HTTPS (Caddy's
// internal CA here), HTTP/2, crm_frame with `cookies cross_site`. In
// Chromium it checks what plain-HTTP tests cannot: the CRM is framed and
// stays framed, its SameSite=Strict session cookie comes back in the
// cross-site frame, the agent token cookie is accepted there, the SDK
// connects over wss, and a foreign HTTPS site still cannot frame the CRM.
func TestHTTPSCrossSite(t *testing.T) {
	t.Parallel()
	crm := &httpsCRM{}
	upSrv := httptest.NewServer(crm)
	t.Cleanup(upSrv.Close)
	up := strings.TrimPrefix(upSrv.URL, "http://")
	deskDir, err := filepath.Abs(filepath.Join("..", "examples", "desktop"))
	if err != nil {
		t.Fatal(err)
	}
	deskPort, evilPort, crmPort, apiPort := caddyrun.FreePort(t), caddyrun.FreePort(t), caddyrun.FreePort(t), caddyrun.FreePort(t)
	desk := fmt.Sprintf("https://desk.test:%d", deskPort)
	crmBase := fmt.Sprintf("https://crm.test:%d", crmPort)
	// The same CRM with `cookies cross_site` only: the CRM's own cookies
	// are not partitioned there, crmframe's agent token always is.
	crmUnpart := fmt.Sprintf("https://crm2.test:%d", caddyrun.FreePort(t))
	// The same CRM under a path of a larger site (handle_path /crm/*):
	// crm_frame puts its own URLs, redirects and cookie paths under /crm.
	crmMountedSite := fmt.Sprintf("https://crm3.test:%d", caddyrun.FreePort(t))
	crmMounted := crmMountedSite + "/crm"
	api := fmt.Sprintf("http://127.0.0.1:%d", apiPort)
	caddyrun.Run(t, fmt.Sprintf(`{
	local_certs
	skip_install_trust
	auto_https disable_redirects
	crm_engine {
		secret "e2e-https-test-secret-0123456789abcdef"
		demo_tokens
		queue sales a1
	}
}

%[1]s {
	bind 127.0.0.1
	tls internal
	root * %[2]q
	file_server
}

https://evil.test:%[3]d {
	bind 127.0.0.1
	tls internal
	header Content-Type "text/html; charset=utf-8"
	respond `+"`"+`<!doctype html><title>evil</title><iframe src="%[4]s/home.html" width=600 height=300></iframe>`+"`"+`
}

%[4]s {
	bind 127.0.0.1
	tls internal
	crm_frame {
		frame_ancestors %[1]s
		upstream_origin http://%[5]s
		cookies cross_site partitioned
	}
	reverse_proxy %[5]s {
		header_up Host {upstream_hostport}
	}
}

%[7]s {
	bind 127.0.0.1
	tls internal
	crm_frame {
		frame_ancestors %[1]s
		upstream_origin http://%[5]s
		cookies cross_site
	}
	reverse_proxy %[5]s {
		header_up Host {upstream_hostport}
	}
}

%[8]s {
	bind 127.0.0.1
	tls internal
	handle_path /crm/* {
		crm_frame {
			frame_ancestors %[1]s
			upstream_origin http://%[5]s
			cookies cross_site partitioned
		}
		reverse_proxy %[5]s {
			header_up Host {upstream_hostport}
		}
	}
}

%[6]s {
	bind 127.0.0.1
	crm_engine_api
}
`, desk, deskDir, evilPort, crmBase, up, api, crmUnpart, crmMountedSite), api+"/agents")

	// The internal CA issues the site certificates in the background: wait
	// until every site answers over TLS (any status; under load the
	// desktop's certificate came late, and Chromium's first load failed).
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, // the test's own internal CA
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			_, port, _ := net.SplitHostPort(addr)
			return (&net.Dialer{}).DialContext(ctx, network, "127.0.0.1:"+port)
		},
	}
	t.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	evil := fmt.Sprintf("https://evil.test:%d", evilPort)
	for _, base := range []string{crmBase, crmMounted, crmUnpart, desk, evil} {
		for {
			resp, err := hc.Get(base + "/__crmframe/sdk.js")
			if err == nil {
				resp.Body.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the HTTPS CRM site %s never answered: %v", base, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	browser := chromium.New(t,
		chromedp.Flag("ignore-certificate-errors", true), // Caddy's internal CA is not installed
		chromedp.Flag("host-resolver-rules", "MAP *.test 127.0.0.1"))
	// desktop signs a1 in on the shell framing crmBase and checks the CRM
	// frame; session: also that the CRM's own session cookie comes back.
	desktop := func(t *testing.T, crmBase string, session bool) {
		ctx, cancel := context.WithTimeout(chromium.NewTab(t, browser), 40*time.Second)
		defer cancel()

		deskURL := desk + "/index.html?agent=a1&crm=" + url.QueryEscape(crmBase+"/home.html")
		if u, _ := url.Parse(crmBase); u.Path != "" {
			// a CRM mounted under a path: crmframe's endpoints are there too
			deskURL += "&prefix=" + url.QueryEscape(u.Path+"/__crmframe")
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(deskURL)); err != nil {
			t.Fatal(err)
		}
		waitShell := func(what, expr, detail string) {
			t.Helper()
			eventually(t, what, 15*time.Second, func() (bool, string) {
				ok, err := inShell[bool](ctx, expr)
				if err != nil {
					return false, err.Error()
				}
				d, _ := inShell[string](ctx, detail)
				return ok, d
			})
		}
		waitShell("login form", `document.getElementById('agent-id').value === 'a1'`, `String(document.getElementById('agent-id').value)`)
		if _, err := inShell[any](ctx, `document.querySelector('#login button[type=submit]').click()`); err != nil {
			t.Fatal(err)
		}
		waitShell("shell connected over wss", `document.getElementById('conn').textContent === 'connected'`, `document.getElementById('conn').textContent`)

		// The CRM frame: token cookie accepted cross-site, SDK connected.
		var frame string
		inFrame := func(expr string) (string, error) {
			fs, err := chromium.Frames(ctx)
			if err != nil {
				return "", err
			}
			for _, f := range fs {
				if f.ParentID != "" && strings.HasPrefix(f.URL, crmBase+"/home.html") {
					frame = f.URL
					return chromium.EvalInFrame[string](ctx, f.ID, expr)
				}
			}
			return "", fmt.Errorf("no CRM frame yet")
		}
		waitFrame := func(what, expr, want string) {
			t.Helper()
			eventually(t, what, 15*time.Second, func() (bool, string) {
				got, err := inFrame(expr)
				if err != nil {
					return false, err.Error()
				}
				return got == want, fmt.Sprintf("%q in %s", got, frame)
			})
		}
		waitFrame("CRM frame SDK connected over wss as a1", `document.getElementById('sdk').textContent`, "connected a1")
		if frame != crmBase+"/home.html" {
			t.Errorf("CRM frame at %s, want the token parameter gone (%s/home.html)", frame, crmBase)
		}
		// The CRM sent the page gzip-compressed: it arrives rewritten and
		// still compressed, over HTTP/2.
		waitFrame("CRM page protocol", `document.getElementById('proto').textContent`, "h2 compressed")
		// Chromium accepts zstd over HTTPS: the gzip page went out zstd
		// (recompress_coding zstd) and decoded.
		waitFrame("CRM page re-encoded as zstd", `document.getElementById('proto').dataset.coding || ''`, "zstd")

		if !session {
			return
		}
		// The session cookie the CRM set as SameSite=Strict comes back in the
		// cross-site frame after a reload.
		if _, err := inFrame(`location.reload(), ''`); err != nil {
			t.Fatal(err)
		}
		waitFrame("CRM session cookie sent back in the cross-site frame", `(document.getElementById('sid') || {}).textContent || ''`, "s3cr3t")
		if got, _ := inShell[string](ctx, `location.href`); got != deskURL {
			t.Errorf("the desktop left its page (frame buster not neutralised?): %s", got)
		}
		crm.mu.Lock()
		cookies, queries := append([]string(nil), crm.cookies...), append([]string(nil), crm.queries...)
		crm.mu.Unlock()
		for i := range cookies {
			if strings.Contains(cookies[i], "crmframe_token") || strings.Contains(queries[i], "crmframe_token") {
				t.Errorf("the agent token reached the CRM: Cookie %q, query %q", cookies[i], queries[i])
			}
		}
	}
	t.Run("cookies cross_site partitioned", func(t *testing.T) { desktop(t, crmBase, true) })
	// Browsers that block third-party cookies (this Chromium does) drop
	// the CRM's unpartitioned session cookie in the frame, but the SDK
	// still connects: the agent token cookie is partitioned.
	t.Run("cookies cross_site: agent token still accepted", func(t *testing.T) { desktop(t, crmUnpart, false) })
	// Under a stripped prefix: the SDK loads and connects from /crm/__crmframe,
	// the token redirect stays under /crm, the CRM's Path=/ session cookie
	// comes back at /crm/home.html, the buster stays neutralised.
	t.Run("under a path prefix (handle_path /crm/*)", func(t *testing.T) { desktop(t, crmMounted, true) })

	// A foreign HTTPS site still cannot frame the CRM.
	if loaded, _ := frameState(t, browser, fmt.Sprintf("https://evil.test:%d/", evilPort)); loaded {
		t.Error("a foreign HTTPS origin framed the CRM through crmframe")
	}
}
