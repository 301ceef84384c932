package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/crmframe/crmframe/internal/caddyrun"
	"github.com/crmframe/crmframe/internal/chromium"
)

// The CRM's security headers as real stacks send them, read by Chromium:
// the desktop (127.0.0.1, another site) frames a CRM page through crm_frame,
// and the page's own inline script reports what it sees into the DOM
// (attributes on <html>, read from an isolated world, so the CSP under test
// does not apply to the reading).

// hdrProbe is the CRM's inline script. It mentions top, so the frame-busting
// rewriter changes it (a hash the CRM computed over it no longer matches).
const hdrProbe = `var r=document.documentElement;r.setAttribute('data-inline','1');` +
	`r.setAttribute('data-sdk',typeof AGENTDESKTOP);` +
	`r.setAttribute('data-shim',String(!!(window.__crmframe&&window.__crmframe.marker==='crmframe')));` +
	`r.setAttribute('data-vtop',String(top===self));`

// hdrHash is the CSP hash source of hdrProbe as the CRM sent it.
func hdrHash() string {
	s := sha256.Sum256([]byte(hdrProbe))
	return "'sha256-" + base64.StdEncoding.EncodeToString(s[:]) + "'"
}

type hdrCase struct {
	name    string
	headers [][2]string // {{H}} is replaced by hdrHash()
	// attrs is what the inline script must have seen ("" key: frame blocked).
	blocked bool
	noSDK   bool // the CRM's own policy forbids scripts: nothing of ours may run either
	body    string
}

func hdrCases() []hdrCase {
	page := `<!doctype html><html><head><title>crm</title></head><body><div id="crm-marker">ok</div><script %s>` + hdrProbe + `</script></body></html>`
	plain := fmt.Sprintf(page, "")
	nonced := fmt.Sprintf(page, `nonce="CRMNONCE"`)
	return []hdrCase{
		{name: "hash-only script-src", headers: [][2]string{{"Content-Security-Policy", "script-src {{H}}; object-src 'none'"}}, body: plain},
		{name: "hash + strict-dynamic", headers: [][2]string{{"Content-Security-Policy", "script-src {{H}} 'strict-dynamic' https: 'unsafe-inline'; base-uri 'none'"}}, body: plain},
		{name: "nonce + strict-dynamic", headers: [][2]string{{"Content-Security-Policy", "script-src 'nonce-CRMNONCE' 'strict-dynamic' https: 'unsafe-inline'; object-src 'none'"}}, body: nonced},
		{name: "two enforced policies", headers: [][2]string{{"Content-Security-Policy", "script-src 'self' 'unsafe-inline'"}, {"Content-Security-Policy", "script-src 'nonce-CRMNONCE'; frame-ancestors 'none'"}}, body: nonced},
		{name: "default-src none with nonce", headers: [][2]string{{"Content-Security-Policy", "default-src 'none'; script-src-elem 'nonce-CRMNONCE'; script-src 'nonce-CRMNONCE'"}}, body: nonced},
		{name: "trusted types", headers: [][2]string{{"Content-Security-Policy", "require-trusted-types-for 'script'; trusted-types crmapp; script-src 'self' 'unsafe-inline'"}}, body: plain},
		{name: "XFO SAMEORIGIN + frame-ancestors none", headers: [][2]string{{"X-Frame-Options", "SAMEORIGIN"}, {"Content-Security-Policy", "frame-ancestors 'none'"}}, body: plain},
		{name: "XFO duplicates and junk", headers: [][2]string{{"X-Frame-Options", "DENY, SAMEORIGIN"}, {"X-Frame-Options", "ALLOW-FROM https://x.example"}}, body: plain},
		{name: "CRM sandbox with top navigation", headers: [][2]string{{"Content-Security-Policy", "sandbox allow-scripts allow-same-origin allow-forms allow-top-navigation"}}, body: plain},
		{name: "CORP same-origin, COEP, COOP on the document", headers: [][2]string{{"Cross-Origin-Resource-Policy", "same-origin"}, {"Cross-Origin-Embedder-Policy", "require-corp"}, {"Cross-Origin-Opener-Policy", "same-origin"}}, body: plain},
		{name: "Permissions, Referrer, Origin-Agent-Cluster, Document-Policy", headers: [][2]string{{"Permissions-Policy", "camera=(), microphone=(), geolocation=()"}, {"Referrer-Policy", "no-referrer"}, {"Origin-Agent-Cluster", "?1"}, {"Document-Policy", "force-load-at-top"}}, body: plain},
	}
}

func TestHeadersInChromium(t *testing.T) {
	cases := hdrCases()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, c := range cases {
			if r.URL.Path == "/"+strings.ReplaceAll(c.name, " ", "_") {
				for _, kv := range c.headers {
					w.Header().Add(kv[0], strings.ReplaceAll(kv[1], "{{H}}", hdrHash()))
				}
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprint(w, c.body)
				return
			}
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(up.Close)
	desk := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>desk</title><iframe src="%s" width=600 height=300></iframe>`, r.URL.Query().Get("src"))
	}))
	t.Cleanup(desk.Close)
	proxy := caddyrun.FreePort(t)
	caddyrun.Start(t, fmt.Sprintf(`
http://localhost:%d {
	crm_frame {
		frame_ancestors %s
		upstream_origin %s
	}
	reverse_proxy %s
}`, proxy, desk.URL, up.URL, strings.TrimPrefix(up.URL, "http://")))
	browser := chromium.New(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := fmt.Sprintf("http://localhost:%d/%s", proxy, strings.ReplaceAll(c.name, " ", "_"))
			got := hdrFrame(t, browser, desk.URL+"/?src="+url.QueryEscape(src))
			want := "loaded inline=1 sdk=object shim=true vtop=true"
			if c.blocked {
				want = "blocked"
			}
			if got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}

// hdrFrame loads the desktop page and reports what its frame shows.
func hdrFrame(t *testing.T, browser context.Context, deskURL string) string {
	t.Helper()
	ctx := chromium.NewTab(t, browser)
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(deskURL)); err != nil {
		t.Fatalf("navigate: %v", err)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		f, err := chromium.ChildFrame(tctx)
		if err != nil || f.URL == "" || f.URL == "about:blank" {
			continue
		}
		if !chromium.Loaded(f) {
			return "blocked"
		}
		s, err := chromium.EvalInFrame[string](tctx, f.ID, `document.readyState === 'complete' && document.getElementById('crm-marker') ? (() => {
			const r = document.documentElement, a = n => r.getAttribute('data-' + n);
			return 'loaded inline=' + a('inline') + ' sdk=' + a('sdk') + ' shim=' + a('shim') + ' vtop=' + a('vtop');
		})() : ''`)
		if err == nil && s != "" {
			return s
		}
	}
	t.Fatal("frame neither loaded nor blocked in time")
	return ""
}
