package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/crmframe/crmframe/injector"
	"github.com/crmframe/crmframe/internal/caddyrun"
	"github.com/crmframe/crmframe/internal/chromium"
)

// crmPage is a legacy CRM page whose first script reads AGENTDESKTOP
// while the page is parsing: it only works if the SDK ran before it.
func crmPage(nonce string) string {
	n := ""
	if nonce != "" {
		n = ` nonce="` + nonce + `"`
	}
	return `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>CRM account</title>
<script` + n + `>window.__sawSDK = typeof AGENTDESKTOP === "object" && AGENTDESKTOP !== null;</script>
</head>
<body>
<div id="crm-marker">Account 4711</div>
<script` + n + `>window.__inline = "ran"; addEventListener("load", function () { window.__loaded = true; });</script>
</body>
</html>
`
}

// rewriterUpstream is the CRM: plain, compressed, CSP-protected and slowly
// streamed pages. release unblocks the slow page's second half.
func rewriterUpstream(t *testing.T, release <-chan struct{}) http.Handler {
	mux := http.NewServeMux()
	html := func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("X-Frame-Options", "DENY")
	}
	mux.HandleFunc("/plain", func(w http.ResponseWriter, r *http.Request) {
		html(w)
		_, _ = io.WriteString(w, crmPage(""))
	})
	mux.HandleFunc("/csp-nonce", func(w http.ResponseWriter, r *http.Request) {
		html(w)
		w.Header().Set("Content-Security-Policy", "script-src 'nonce-crm0nce' 'strict-dynamic'; object-src 'none'; base-uri 'none'")
		_, _ = io.WriteString(w, crmPage("crm0nce"))
	})
	mux.HandleFunc("/csp-inline", func(w http.ResponseWriter, r *http.Request) {
		html(w)
		w.Header().Set("Content-Security-Policy", "script-src 'unsafe-inline'; object-src 'none'")
		_, _ = io.WriteString(w, crmPage(""))
	})
	mux.HandleFunc("/coded/", func(w http.ResponseWriter, r *http.Request) {
		html(w)
		coding := strings.TrimPrefix(r.URL.Path, "/coded/")
		w.Header().Set("Content-Encoding", coding)
		_, _ = w.Write(encode(t, coding, []byte(crmPage(""))))
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		html(w)
		_, _ = io.WriteString(w, "<!DOCTYPE html><html><head><title>Report</title></head><body><table><tr><td>first row</td></tr>\n")
		http.NewResponseController(w).Flush()
		select {
		case <-release:
		case <-time.After(10 * time.Second):
		case <-r.Context().Done():
			return
		}
		_, _ = io.WriteString(w, "<tr><td>last row</td></tr></table></body></html>\n")
	})
	return mux
}

func encode(t *testing.T, coding string, b []byte) []byte {
	var buf bytes.Buffer
	var w io.WriteCloser
	switch coding {
	case "gzip":
		w = gzip.NewWriter(&buf)
	case "br":
		w = brotli.NewWriter(&buf)
	case "zstd":
		zw, err := zstd.NewWriter(&buf)
		if err != nil {
			t.Fatal(err)
		}
		w = zw
	default:
		t.Fatalf("coding %q", coding)
	}
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}

func decode(t *testing.T, coding string, b []byte) []byte {
	t.Helper()
	var r io.Reader
	switch coding {
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("gzip: %v", err)
		}
		r = zr
	case "br":
		r = brotli.NewReader(bytes.NewReader(b))
	case "zstd":
		zr, err := zstd.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		r = zr
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: response does not decode: %v", coding, err)
	}
	return out
}

// startRewriterProxy runs crmframe (in-process Caddy) in front of the
// upstream and returns its base URL.
func startRewriterProxy(t *testing.T, upstream http.Handler, crmFrameLines ...string) string {
	return startProxySite(t, upstream, "", crmFrameLines...)
}

// startProxySite is startRewriterProxy with more directives in the site
// (siteLines, before crm_frame).
func startProxySite(t *testing.T, upstream http.Handler, siteLines string, crmFrameLines ...string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: upstream}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	proxy := caddyrun.FreePort(t)
	caddyrun.Start(t, fmt.Sprintf(`
http://localhost:%[1]d {
	%[4]s
	crm_frame {
		frame_ancestors http://127.0.0.1:%[1]d
		%[3]s
	}
	reverse_proxy %[2]s
}`, proxy, ln.Addr().String(), strings.Join(crmFrameLines, "\n\t\t"), siteLines))
	return fmt.Sprintf("http://localhost:%d", proxy)
}

// checkInjectedOnly checks that body is page with the SDK injected before
// the CRM's first script, and nothing else changed.
func checkInjectedOnly(t *testing.T, what, body, page string) {
	t.Helper()
	sdkTagBeforeCRM(t, body)
	i := strings.Index(body, "<script src=")
	j := strings.Index(body[i:], "</script>") + i + len("</script>")
	if body[:i]+body[j:] != page {
		t.Errorf("%s: page changed beyond the injection:\n%s", what, body)
	}
}

// sdkTagBeforeCRM checks that our SDK tag comes before the CRM's first script.
func sdkTagBeforeCRM(t *testing.T, body string) {
	t.Helper()
	sdk := strings.Index(body, `<script src="/__crmframe/sdk.js?v=`)
	crm := strings.Index(body, "<script>window.__sawSDK")
	if crm < 0 {
		crm = strings.Index(body, "<script nonce=")
	}
	if sdk < 0 {
		t.Fatalf("no SDK tag in the page: is the body rewriter wired into crm_frame (injector.NewBodyRewriter -> Config.Body)?\n%s", body)
	}
	if crm < 0 || sdk > crm {
		t.Fatalf("SDK tag at %d, first CRM script at %d:\n%s", sdk, crm, body)
	}
}

// getRaw GETs url with Accept-Encoding accept and returns the body as sent.
func getRaw(t *testing.T, url, accept string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept-Encoding", accept)
	resp, err := rawClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return resp, raw
}

func rawClient() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: 20 * time.Second}
}

// TestRewriterCodings: compressed upstream pages come back in the same
// coding with the SDK injected and everything else identical, at every
// recompress_level; the level changes only the compressed size.
func TestRewriterCodings(t *testing.T) {
	page := crmPage("")
	size := map[string]map[string]int{} // level -> coding -> compressed bytes
	for _, level := range []string{"", "fastest", "better"} {
		var lines []string
		if level != "" {
			lines = append(lines, "recompress_level "+level)
		}
		size[level] = map[string]int{}
		// One in-process Caddy at a time: each level is a subtest.
		t.Run("level="+level, func(t *testing.T) {
			base := startRewriterProxy(t, rewriterUpstream(t, nil), lines...)
			for _, coding := range []string{"gzip", "br", "zstd"} {
				resp, raw := getRaw(t, base+"/coded/"+coding, coding)
				if ce := resp.Header.Get("Content-Encoding"); ce != coding {
					t.Fatalf("%s: Content-Encoding %q", coding, ce)
				}
				if resp.Header.Get("X-Frame-Options") != "" {
					t.Errorf("%s: X-Frame-Options kept", coding)
				}
				size[level][coding] = len(raw)
				checkInjectedOnly(t, coding+" "+level, string(decode(t, coding, raw)), page)
			}
		})
	}
	t.Logf("compressed sizes by level: %v", size)
	// brotli 1 against 5 differs even on a small page: the level reaches the encoder.
	if size["fastest"]["br"] <= size["better"]["br"] {
		t.Errorf("br: recompress_level fastest gave %d bytes, better %d", size["fastest"]["br"], size["better"]["br"])
	}
}

// TestRewriterStreams: the first bytes of a slowly streamed page reach
// the client while the upstream is still sending.
func TestRewriterStreams(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	defer unblock()
	base := startRewriterProxy(t, rewriterUpstream(t, release))
	resp, err := rawClient().Get(base + "/slow")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	got := make(chan string, 1)
	go func() {
		// A trailing text run waits for its end, so read up to the cell.
		var sb strings.Builder
		buf := make([]byte, 1)
		for !strings.Contains(sb.String(), "first row</td>") {
			if _, err := br.Read(buf); err != nil {
				break
			}
			sb.Write(buf)
		}
		got <- sb.String()
	}()
	select {
	case line := <-got:
		if !strings.Contains(line, "first row") {
			t.Fatalf("first line %q", line)
		}
		sdkTagBeforeCRM(t, line+"<script>window.__sawSDK")
	case <-time.After(5 * time.Second):
		t.Fatal("no bytes reached the client while the upstream was streaming")
	}
	unblock()
	rest, err := io.ReadAll(br)
	if err != nil || !strings.Contains(string(rest), "last row") {
		t.Fatalf("rest %q, %v", rest, err)
	}
}

// browserCheck loads pageURL and reports what the CRM scripts saw, and
// the CSP violations Chromium logged.
func browserCheck(t *testing.T, browser context.Context, pageURL string) (sawSDK bool, inline string, violations []string) {
	t.Helper()
	ctx := chromium.NewTab(t, browser)
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	var mu sync.Mutex
	err := chromedp.Listen(ctx, func(ev any) {
		var text string
		switch e := ev.(type) {
		case *log.EventEntryAdded:
			text = e.Entry.Text
		case *runtime.EventConsoleAPICalled:
			for _, a := range e.Args {
				text += string(a.Value) + " "
			}
		case *runtime.EventExceptionThrown:
			text = e.ExceptionDetails.Text
		}
		if strings.Contains(text, "Content Security Policy") || strings.Contains(text, "Refused to") {
			mu.Lock()
			violations = append(violations, text)
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	enable := chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
			return err
		}
		_, err := chromedp.Call(ctx, runtime.Enable, cdp.Empty{})
		return err
	})
	if err := chromedp.Do(ctx, enable, chromedp.Navigate(pageURL)); err != nil {
		t.Fatalf("%s: %v", pageURL, err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`window.__loaded === true`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("%s: page did not load: %v", pageURL, err)
	}
	if sawSDK, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__sawSDK === true`)); err != nil {
		t.Fatal(err)
	}
	if inline, err = chromedp.Run(ctx, chromedp.Evaluate[string](`String(window.__inline)`)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // let late log entries arrive
	mu.Lock()
	defer mu.Unlock()
	return sawSDK, inline, append([]string(nil), violations...)
}

func checkPages(t *testing.T, browser context.Context, base string) {
	for _, p := range []string{"/plain", "/csp-nonce", "/csp-inline"} {
		t.Run(strings.TrimPrefix(p, "/"), func(t *testing.T) {
			saw, inline, viol := browserCheck(t, browser, base+p)
			if !saw {
				t.Error("the CRM's first script did not see AGENTDESKTOP")
			}
			if inline != "ran" {
				t.Errorf("the CRM's own inline script did not run (%q)", inline)
			}
			if len(viol) > 0 {
				t.Errorf("CSP violations: %q", viol)
			}
		})
	}
}

// TestRewriterChromium: through crmframe (Caddy), the injected SDK defines
// AGENTDESKTOP before the first CRM script runs, with and without a CSP.
func TestRewriterChromium(t *testing.T) {
	base := startRewriterProxy(t, rewriterUpstream(t, nil))
	checkPages(t, chromium.New(t), base)
}

// TestRewriterChromiumLibrary runs the same browser checks against the
// injector library alone (its ResponseWriter wrapper and body rewriter,
// with a stand-in SDK), independent of the Caddy glue.
func TestRewriterChromiumLibrary(t *testing.T) {
	rw, err := injector.NewBodyRewriter(injector.BodyOptions{Scripts: []string{"/__crmframe/sdk.js?v=test"}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &injector.Config{Policy: injector.HeaderPolicy{FrameAncestors: []string{"'self'"}}, Body: rw.Filter}
	up := rewriterUpstream(t, nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/__crmframe/sdk.js" {
			w.Header().Set("Content-Type", "text/javascript")
			_, _ = io.WriteString(w, `window.AGENTDESKTOP = {version: "stand-in"};`)
			return
		}
		ww := cfg.Wrap(w, r)
		up.ServeHTTP(ww, r)
		if err := ww.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}))
	defer srv.Close()
	checkPages(t, chromium.New(t), srv.URL)
}
