package caddymodule_test

// What an operations team sees running crm_frame in production: hostile
// upstream bodies and failures, reloads under load, aborted clients, the
// metrics and logs the docs promise (docs/metrics.md, docs/rewriting.md).

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/caddyserver/caddy/v2"
	"github.com/quic-go/quic-go/http3"

	"github.com/crmframe/crmframe/engine"
	"github.com/crmframe/crmframe/internal/caddyrun"
)

// opsScrape reads a /metrics answer.
func opsScrape(t testing.TB, url string) map[string]*dto.MetricFamily {
	t.Helper()
	// Scrapes follow reloads (the metrics listener is rebound): a
	// connection reset there is the reload's, not the scrape's.
	resp, err := caddyrun.ReloadClient().Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	tp := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := tp.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse %s: %v", url, err)
	}
	return fams
}

// opsVal sums the series of a counter, gauge (or a histogram's count)
// whose labels include want.
func opsVal(fams map[string]*dto.MetricFamily, name string, want ...string) float64 {
	f := fams[name]
	if f == nil {
		return 0
	}
	sum := 0.0
next:
	for _, m := range f.GetMetric() {
		for i := 0; i+1 < len(want); i += 2 {
			got := ""
			for _, lp := range m.GetLabel() {
				if lp.GetName() == want[i] {
					got = lp.GetValue()
				}
			}
			if got != want[i+1] {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			sum += m.GetCounter().GetValue()
		case m.Gauge != nil:
			sum += m.GetGauge().GetValue()
		case m.Histogram != nil:
			sum += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return sum
}

// opsSDKTag matches the injected script tags (SDK, with its attributes).
var opsSDKTag = regexp.MustCompile(`<script src="/__crmframe/sdk\.js\?v=[0-9a-f]+"[^>]*></script>`)

// withoutSDK is body with the injected SDK tag removed (once), and whether
// it was there.
func withoutSDK(body []byte) ([]byte, bool) {
	loc := opsSDKTag.FindIndex(body)
	if loc == nil {
		return body, false
	}
	return append(append([]byte(nil), body[:loc[0]]...), body[loc[1]:]...), true
}

// bareTop finds frame-busting code left as the upstream wrote it.
var bareTop = regexp.MustCompile(`[^_]top\.location`)

// resetConn ends a hijacked upstream connection with a TCP reset.
func resetConn(w http.ResponseWriter) {
	c, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}

// hostileBodies are the upstream bodies of TestOpsHostileBodies.
type hostileBodies struct {
	big, line, script, garbage, badUTF8, mixed, errPage []byte
}

// opsSizes are the body sizes of the hostile pages and the
// max_rewrite_size they run under: a 50 MB report page over the default
// 16 MiB limit, a 10 MB line, a 9 MB inline script. Under the race
// detector the same cases run at a tenth of the size and limit.
func opsSizes() (big, line, script int, maxRewrite string) {
	if raceEnabled {
		return 5 << 20, 1 << 20, 1 << 20, "max_rewrite_size 2MiB"
	}
	return 50 << 20, 10 << 20, 9 << 20, ""
}

// opsCount is how many requests a load test makes: n, a quarter of it
// under the race detector.
func opsCount(n int) int {
	if raceEnabled {
		return n / 4
	}
	return n
}

// opsMaxRewrite is the max_rewrite_size line for the hostile bodies.
func opsMaxRewrite() string {
	_, _, _, m := opsSizes()
	return m
}

// startOpsSite starts Caddy with the global options given (none when
// empty) and a crm_frame site proxying to upstream; with metrics, a second
// site serves /metrics. It returns the site's host:port and the metrics URL.
func startOpsSite(t *testing.T, global, upstream string, metrics bool) (addr, murl string) {
	t.Helper()
	port := caddyrun.FreePort(t)
	cfg := ""
	if global != "" {
		cfg = "{\n" + global + "\n}\n"
	}
	cfg += fmt.Sprintf(`http://127.0.0.1:%d {
	crm_frame {
		frame_ancestors https://desk.example.com
		%s
	}
	reverse_proxy %s
}
`, port, opsMaxRewrite(), strings.TrimPrefix(upstream, "http://"))
	if metrics {
		mport := caddyrun.FreePort(t)
		cfg += fmt.Sprintf("http://127.0.0.1:%d {\n\tmetrics /metrics\n}\n", mport)
		murl = fmt.Sprintf("http://127.0.0.1:%d/metrics", mport)
	}
	caddyrun.Start(t, cfg)
	return fmt.Sprintf("127.0.0.1:%d", port), murl
}

// hostile builds the bodies once per test binary (about 80 MB).
var hostile = sync.OnceValue(newHostileBodies)

func newHostileBodies() *hostileBodies {
	b := &hostileBodies{}
	bigSize, lineSize, scriptSize, _ := opsSizes()
	// A 50 MB report page (over the default 16 MiB max_rewrite_size).
	var sb bytes.Buffer
	sb.WriteString("<!doctype html><html><head><title>Report</title></head><body><table>\n")
	row := "<tr><td>4711</td><td>Rossi &amp; figli</td><td onclick=\"openRecord(4711)\">open</td></tr>\n"
	for sb.Len() < bigSize {
		sb.WriteString(row)
	}
	sb.WriteString("</table></body></html>\n")
	b.big = sb.Bytes()
	// A 10 MB single line without newlines.
	b.line = []byte("<html><head><title>L</title></head><body><p>" + strings.Repeat("customer notes ", lineSize/15) + "</p></body></html>")
	// A page that is 90 % one inline script, with frame busting at its end.
	js := strings.Repeat("var a=[1,2,3].map(function(x){return x*2});\n", scriptSize/45)
	b.script = []byte("<!doctype html><html><head><title>S</title><script>" + js + "if (top != self) { top.location = self.location; }</script></head><body>" + strings.Repeat("<p>x</p>", 1<<17) + "</body></html>")
	// Binary garbage labelled text/html (no '<' so that nothing in it is markup).
	r := rand.New(rand.NewPCG(1, 2))
	g := make([]byte, 1<<20)
	for i := range g {
		c := byte(r.UintN(256))
		if c == '<' || c == '&' {
			c = 0
		}
		g[i] = c
	}
	b.garbage = g
	// Invalid UTF-8 in a UTF-8 page, inside text, an attribute and a
	// frame-busting inline script.
	b.badUTF8 = []byte("<!doctype html><html><head><meta charset=\"utf-8\"><title>caf\xe9</title>" +
		"<script>var n='\xff\xfe'; if (top != self) { top.location = 'caf\xe9'; }</script></head>" +
		"<body title=\"\xc3\x28\"><p>\xed\xa0\x80 surrogate, \xf8\x88\x80\x80\x80 5-byte</p></body></html>")
	// Mixed encodings: declared windows-1252, with UTF-8 sequences too.
	b.mixed = []byte("<html><head><title>Citt\xe0 \xc3\xa0</title></head><body><script>if(top!==window){top.location='\xe8\xc3\xa8'}</script>" +
		"<a href=\"#\" onclick=\"top.location='\xe9'\">\xe9 \xc3\xa9</a></body></html>")
	b.errPage = []byte("<!doctype html><html><head><title>Service Unavailable</title></head><body><h1>The CRM is being updated</h1></body></html>")
	return b
}

func hostileUpstream(t *testing.T, b *hostileBodies) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Frame-Options", "DENY")
		html := func(body []byte, cl bool) {
			h.Set("Content-Type", "text/html; charset=utf-8")
			if cl {
				h.Set("Content-Length", strconv.Itoa(len(body)))
			}
			// Several writes, as a real upstream streams a page.
			for len(body) > 0 {
				n := min(len(body), 256<<10)
				_, _ = w.Write(body[:n])
				body = body[n:]
			}
		}
		switch r.URL.Path {
		case "/big-cl.html":
			html(b.big, true)
		case "/big-stream.html":
			html(b.big, false)
		case "/line.html":
			html(b.line, false)
		case "/script.html":
			html(b.script, true)
		case "/garbage.html":
			html(b.garbage, false)
		case "/bad-utf8.html":
			html(b.badUTF8, false)
		case "/mixed.html":
			h.Set("Content-Type", "text/html; charset=windows-1252")
			_, _ = w.Write(b.mixed)
		case "/502.html", "/503.html", "/504.html":
			code, _ := strconv.Atoi(r.URL.Path[1:4])
			h.Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(code)
			_, _ = w.Write(b.errPage)
		case "/short.html", "/short.js":
			// Content-Length larger than the body, then a clean close.
			ct := "text/html"
			if strings.HasSuffix(r.URL.Path, ".js") {
				ct = "text/javascript"
			}
			h.Set("Content-Type", ct)
			h.Set("Content-Length", "100000")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte("<html><head><script>if (top != self) top.location = self.location;</script></head><body>" + strings.Repeat("x", 40000)))
			http.NewResponseController(w).Flush()
			c, _, _ := http.NewResponseController(w).Hijack()
			_ = c.Close()
		case "/reset.html", "/reset.js":
			ct := "text/html"
			if strings.HasSuffix(r.URL.Path, ".js") {
				ct = "application/javascript"
			}
			h.Set("Content-Type", ct)
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte("<html><head><title>t</title></head><body>" + strings.Repeat("y", 200000)))
			http.NewResponseController(w).Flush()
			time.Sleep(20 * time.Millisecond)
			resetConn(w)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestOpsHostileBodies(t *testing.T) {
	bodies := hostile()
	up := hostileUpstream(t, bodies)
	addr, murl := startOpsSite(t, "", up.URL, true)
	base := "http://" + addr
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: 20 * time.Second}

	type tc struct {
		path   string
		status int
		action string
		check  func(t *testing.T, body []byte, err error)
	}
	// same requires the body to be the upstream's, the SDK tag aside.
	same := func(want []byte, injected bool) func(t *testing.T, body []byte, err error) {
		return func(t *testing.T, body []byte, err error) {
			if err != nil {
				t.Fatalf("read: %v (%d bytes)", err, len(body))
			}
			got, ok := withoutSDK(body)
			if ok != injected {
				t.Errorf("SDK injected = %v, want %v", ok, injected)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("body differs from the upstream's: %d bytes, want %d; first difference at %d", len(got), len(want), firstDiff(got, want))
			}
		}
	}
	// failed requires the client to see a failed body, never a complete one.
	failed := func(t *testing.T, body []byte, err error) {
		if err == nil {
			t.Errorf("a broken upstream body reached the client as complete (%d bytes)", len(body))
		}
	}
	// rewritten requires frame busting gone, the page complete, and bytes
	// that are not in a script kept as sent.
	rewritten := func(want []byte, tail string) func(t *testing.T, body []byte, err error) {
		return func(t *testing.T, body []byte, err error) {
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if _, ok := withoutSDK(body); !ok {
				t.Error("SDK not injected")
			}
			if bareTop.Match(body) || !bytes.Contains(body, []byte("__crmframe_top")) {
				t.Errorf("frame busting not rewritten")
			}
			if !bytes.HasSuffix(body, []byte(tail)) {
				t.Errorf("page truncated: ends with %q", body[max(0, len(body)-40):])
			}
		}
	}
	cases := []tc{
		{"/big-cl.html", 200, "too_large", same(bodies.big, false)},
		{"/big-stream.html", 200, "too_large", same(bodies.big, true)},
		{"/line.html", 200, "rewritten_html", same(bodies.line, true)},
		{"/script.html", 200, "rewritten_html", rewritten(bodies.script, "</body></html>")},
		{"/garbage.html", 200, "rewritten_html", same(bodies.garbage, true)},
		{"/bad-utf8.html", 200, "rewritten_html", func(t *testing.T, body []byte, err error) {
			rewritten(bodies.badUTF8, "</html>")(t, body, err)
			for _, keep := range []string{"<title>caf\xe9</title>", "var n='\xff\xfe'", "'caf\xe9'", "title=\"\xc3\x28\"", "\xed\xa0\x80 surrogate, \xf8\x88\x80\x80\x80 5-byte"} {
				if !bytes.Contains(body, []byte(keep)) {
					t.Errorf("bytes %q not kept as sent", keep)
				}
			}
		}},
		{"/mixed.html", 200, "rewritten_html", func(t *testing.T, body []byte, err error) {
			if err != nil {
				t.Fatal(err)
			}
			for _, keep := range []string{"<title>Citt\xe0 \xc3\xa0</title>", "\xe9 \xc3\xa9</a>", "'\xe8\xc3\xa8'", "'\xe9'"} {
				if !bytes.Contains(body, []byte(keep)) {
					t.Errorf("bytes %q not kept as sent", keep)
				}
			}
			if bareTop.Match(body) {
				t.Error("frame busting not rewritten")
			}
		}},
		{"/502.html", 502, "rewritten_html", same(bodies.errPage, true)},
		{"/503.html", 503, "rewritten_html", same(bodies.errPage, true)},
		{"/504.html", 504, "rewritten_html", same(bodies.errPage, true)},
		{"/short.html", 200, "error", failed},
		{"/short.js", 200, "error", failed},
		{"/reset.html", 200, "error", failed},
		{"/reset.js", 200, "error", failed},
	}
	for _, c := range cases {
		t.Run(strings.TrimPrefix(c.path, "/"), func(t *testing.T) {
			before := opsScrape(t, murl)
			req, _ := http.NewRequest("GET", base+c.path, nil)
			req.Header.Set("Sec-Fetch-Dest", "iframe")
			resp, err := client.Do(req)
			if err != nil {
				// Headers never came: the client saw a failed load.
				if c.action != "error" {
					t.Fatal(err)
				}
			} else {
				body, rerr := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != c.status {
					t.Errorf("status %d, want %d", resp.StatusCode, c.status)
				}
				if xfo := resp.Header.Get("X-Frame-Options"); xfo != "" {
					t.Errorf("X-Frame-Options %q kept", xfo)
				}
				c.check(t, body, rerr)
			}
			// Counted once, under the documented action.
			var after map[string]*dto.MetricFamily
			deadline := time.Now().Add(5 * time.Second)
			for {
				after = opsScrape(t, murl)
				if opsVal(after, "crmframe_proxy_responses_total")-opsVal(before, "crmframe_proxy_responses_total") >= 1 || time.Now().After(deadline) {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			if d := opsVal(after, "crmframe_proxy_responses_total") - opsVal(before, "crmframe_proxy_responses_total"); d != 1 {
				t.Errorf("responses_total grew by %v, want 1", d)
			}
			if d := opsVal(after, "crmframe_proxy_responses_total", "action", c.action) - opsVal(before, "crmframe_proxy_responses_total", "action", c.action); d != 1 {
				t.Errorf("responses_total{action=%q} grew by %v, want 1", c.action, d)
			}
		})
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// reloadCRM streams pages slowly enough that reloads land in the middle of
// them, and serves a frame-busting bundle.
func reloadCRM(t *testing.T, page, bundle []byte) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Frame-Options", "DENY")
		if r.URL.Path == "/login" {
			http.Redirect(w, r, "http://crm-old.internal:8080/home", http.StatusFound)
			return
		}
		if strings.HasSuffix(r.URL.Path, ".js") {
			w.Header().Set("Content-Type", "text/javascript")
			_, _ = w.Write(bundle)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		for b := page; len(b) > 0; {
			n := min(len(b), 16<<10)
			_, _ = w.Write(b[:n])
			http.NewResponseController(w).Flush()
			b = b[n:]
			time.Sleep(2 * time.Millisecond)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// reloadCaddyfile is the config; origin, when set, is the
// upstream_origin.
func reloadCaddyfile(port, mport int, up, ancestor string, origin ...string) string {
	if len(origin) > 0 {
		ancestor += "\n\t\tupstream_origin " + origin[0]
	}
	return fmt.Sprintf(`
http://127.0.0.1:%d {
	crm_frame {
		frame_ancestors %s
	}
	reverse_proxy %s
}
http://127.0.0.1:%d {
	metrics /metrics
}`, port, ancestor, strings.TrimPrefix(up, "http://"), mport)
}

// TestOpsReloadUnderLoad reloads (as `caddy reload` does) while 64 clients
// load pages and bundles: no page or bundle may be truncated, counters
// keep counting, a changed frame_ancestors applies to new requests, and a
// rejected config leaves the old one serving.
func TestOpsReloadUnderLoad(t *testing.T) {
	page := []byte("<!doctype html><html><head><title>Case</title><script>if (top != self) top.location = self.location;</script></head><body>" +
		strings.Repeat("<tr><td>Rossi</td><td onclick=\"openRecord(4711)\">open</td></tr>\n", 3000) + "</body></html>")
	bundle := []byte(strings.Repeat("function f(){return 1}\n", 4000) + "if (window.top !== window.self) { window.top.location = location.href; }\n")
	up := reloadCRM(t, page, bundle)
	port, mport := caddyrun.FreePort(t), caddyrun.FreePort(t)
	caddyrun.Start(t, reloadCaddyfile(port, mport, up.URL, "https://desk-a.example.com"))
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	murl := fmt.Sprintf("http://127.0.0.1:%d/metrics", mport)

	// The reference: what crm_frame makes of the page and the bundle.
	client := caddyrun.ReloadClient()
	get := func(path string) (*http.Response, []byte, error) { return fetchBody(client, base+path) }
	_, wantPage, err := get("/case")
	if err != nil {
		t.Fatal(err)
	}
	_, wantJS, err := get("/app.js")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(wantJS, bundle) || !bytes.Contains(wantPage, []byte("__crmframe_top")) {
		t.Fatal("reference page or bundle not rewritten")
	}
	s0 := opsScrape(t, murl)

	clients := 64
	if raceEnabled {
		clients = 16 // the race detector checks interleavings, not volume
	}
	type outcome struct {
		ok, refused int
		errs        []string
	}
	results := make(chan outcome, clients)
	stop := make(chan struct{})
	for i := range clients {
		go func() {
			var o outcome
			path := "/case"
			want := wantPage
			if i%4 == 3 {
				path, want = "/app.js", wantJS
			}
			for {
				select {
				case <-stop:
					results <- o
					return
				default:
				}
				resp, body, err := get(path)
				time.Sleep(5 * time.Millisecond) // many in flight, without starving the reload of CPU
				switch {
				case err != nil && resp == nil:
					// No response at all: a connection the kernel queued on
					// the old config's closing listener (Caddy's, with or
					// without crm_frame); browsers retry those.
					o.refused++
				case err != nil:
					o.errs = append(o.errs, fmt.Sprintf("%s: status %d, body cut after %d bytes: %v", path, resp.StatusCode, len(body), err))
				case resp.StatusCode != 200 || !bytes.Equal(body, want):
					o.errs = append(o.errs, fmt.Sprintf("%s: status %d, %d bytes, want %d", path, resp.StatusCode, len(body), len(want)))
				default:
					o.ok++
				}
			}
		}()
	}

	// Reload three times under load, changing frame_ancestors, then try a
	// config crm_frame rejects.
	time.Sleep(150 * time.Millisecond)
	ancestors := []string{"https://desk-b.example.com", "https://desk-c.example.com", "https://desk-d.example.com"}
	noRedirect := &http.Client{Transport: client.Transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for i, a := range ancestors {
		// The second config adds an upstream_origin, the third drops it.
		var origin []string
		wantLoc := "http://crm-old.internal:8080/home"
		if i == 1 {
			origin, wantLoc = []string{"http://crm-old.internal:8080"}, base+"/home"
		}
		caddyrun.Reload(t, reloadCaddyfile(port, mport, up.URL, a, origin...))
		resp, _, err := get("/case")
		if err != nil {
			t.Fatal(err)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); csp != "frame-ancestors "+a {
			t.Errorf("after reload to %s: CSP %q", a, csp)
		}
		if resp, err = noRedirect.Get(base + "/login"); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); loc != wantLoc {
			t.Errorf("reload %d (upstream_origin %v): Location %q, want %q", i+1, origin, loc, wantLoc)
		}
		time.Sleep(100 * time.Millisecond)
	}
	js, err := caddyrun.Adapt(reloadCaddyfile(port, mport, up.URL, "https://desk-e.example.com"))
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(js, []byte(`"https://desk-e.example.com"`), []byte(`"desk-e.example.com"`), 1)
	if bytes.Equal(bad, js) {
		t.Fatal("could not break the config")
	}
	if err := opsLoadJSON(bad); err == nil || !strings.Contains(err.Error(), "frame_ancestors") {
		t.Errorf("a config with a bad frame_ancestors loaded: %v", err)
	}
	time.Sleep(100 * time.Millisecond)
	close(stop)
	total, refused := 0, 0
	for range clients {
		o := <-results
		total += o.ok
		refused += o.refused
		for _, e := range o.errs {
			t.Error(e)
		}
	}
	if total < clients || refused > total/20 {
		t.Errorf("%d complete responses, %d connections refused", total, refused)
	}
	resp, _, err := get("/case")
	if err != nil {
		t.Fatal(err)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); csp != "frame-ancestors https://desk-d.example.com" {
		t.Errorf("after a rejected reload: CSP %q, want the last good config's", csp)
	}
	// Counters kept counting through every reload: each complete response
	// and the last check were counted once.
	s1 := opsScrape(t, murl)
	if d := opsVal(s1, "crmframe_proxy_responses_total") - opsVal(s0, "crmframe_proxy_responses_total"); d < float64(total+1) {
		t.Errorf("responses_total grew by %v over %d responses: reset by a reload?", d, total+1)
	}
	if d := opsVal(s1, "crmframe_proxy_headers_rewritten_total", "kind", "xfo_removed") - opsVal(s0, "crmframe_proxy_headers_rewritten_total", "kind", "xfo_removed"); d < float64(total+1) {
		t.Errorf("headers_rewritten_total{kind=xfo_removed} grew by %v over %d responses", d, total+1)
	}
	// js_cache belongs to the config: a reload starts with an empty cache
	// (one miss, the same bytes), then hits again. (Caddy skips a reload
	// to an identical config.)
	caddyrun.Reload(t, reloadCaddyfile(port, mport, up.URL, "https://desk-e.example.com"))
	for i, want := range []string{"miss", "hit"} {
		before := opsScrape(t, murl)
		_, js, err := get("/app.js")
		if err != nil || !bytes.Equal(js, wantJS) {
			t.Fatalf("bundle after a reload: %d bytes, %v", len(js), err)
		}
		after := opsScrape(t, murl)
		if d := opsVal(after, "crmframe_proxy_js_cache_total", "result", want) - opsVal(before, "crmframe_proxy_js_cache_total", "result", want); d != 1 {
			t.Errorf("fetch %d after a reload: js_cache_total{result=%q} grew by %v, want 1", i+1, want, d)
		}
	}
	t.Logf("%d complete responses (%d connections reset before a response) across 3 reloads and a rejected one", total, refused)
}

// opsLoadJSON loads a JSON config into the in-process Caddy started by
// caddyrun.Start, as POST /load does (admin off, as there).
func opsLoadJSON(js []byte) error {
	var cfg map[string]any
	if err := json.Unmarshal(js, &cfg); err != nil {
		return err
	}
	cfg["admin"] = map[string]any{"disabled": true, "config": map[string]any{"persist": false}}
	cfg["logging"] = map[string]any{"logs": map[string]any{"default": map[string]any{"level": "ERROR"}}}
	js, _ = json.Marshal(cfg)
	return caddy.Load(js, false)
}

// rawGet sends a raw request and reads the answer until the server closes
// the connection; err is what ended the read (nil: a clean close).
func rawGet(addr, req string) ([]byte, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		return nil, err
	}
	return io.ReadAll(c)
}

// TestOpsHTTP10ClientSeesBrokenBody: an HTTP/1.0 client (nginx's default
// proxy_http_version) reads a rewritten body until the connection closes.
// A body that broke off must end in a reset, never in a clean close that
// passes for a complete page.
func TestOpsHTTP10ClientSeesBrokenBody(t *testing.T) {
	bodies := hostile()
	up := hostileUpstream(t, bodies)
	addr, _ := startOpsSite(t, "", up.URL, false)
	for _, p := range []string{"/reset.html", "/short.html", "/reset.js", "/short.js"} {
		resp, err := rawGet(addr, "GET "+p+" HTTP/1.0\r\nHost: "+addr+"\r\n\r\n")
		if err == nil {
			t.Errorf("%s: the connection closed cleanly after %d bytes: an HTTP/1.0 client takes %q… for the whole response", p, len(resp), resp[:min(len(resp), 120)])
		}
	}
	// HTTP/1.1 with Connection: close: chunked, so the missing last chunk
	// tells the client (whether the connection then ends in a reset or not).
	for p, complete := range map[string]bool{"/reset.html": false, "/short.js": false, "/line.html": true} {
		resp, _ := rawGet(addr, "GET "+p+" HTTP/1.1\r\nHost: "+addr+"\r\nConnection: close\r\n\r\n")
		if !bytes.Contains(resp, []byte("Transfer-Encoding: chunked")) || bytes.HasSuffix(resp, []byte("\r\n0\r\n\r\n")) != complete {
			t.Errorf("%s with Connection: close: chunked body ends with its last chunk = %v, want %v: %q", p, !complete, complete, resp[:min(len(resp), 200)])
		}
	}
	// Complete bodies still end with a clean close.
	for p, want := range map[string][]byte{"/line.html": bodies.line, "/502.html": bodies.errPage} {
		resp, err := rawGet(addr, "GET "+p+" HTTP/1.0\r\nHost: "+addr+"\r\n\r\n")
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		_, body, _ := bytes.Cut(resp, []byte("\r\n\r\n"))
		if got, ok := withoutSDK(body); !ok || !bytes.Equal(got, want) {
			t.Errorf("%s: body of %d bytes is not the page with the SDK", p, len(body))
		}
	}
}

// TestOpsAbortedClients: 1000 clients that go away mid-page or mid-bundle
// (an agent clicking on) leave no goroutine behind (each HTML rewriter
// runs a coroutine) and are each counted once.
func TestOpsAbortedClients(t *testing.T) {
	page := []byte("<!doctype html><html><head><title>Case</title></head><body>" + strings.Repeat("<tr><td>Rossi</td><td onclick=\"openRecord(42)\">open</td></tr>\n", 2000) + "</body></html>")
	bundle := []byte(strings.Repeat("function f(){return 1}\n", 4500) + "if (top != self) top.location = self.location;\n")
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ct := page, "text/html"
		if strings.HasSuffix(r.URL.Path, ".js") {
			body, ct = bundle, "text/javascript"
		}
		w.Header().Set("Content-Type", ct)
		// The first part, then a pause in which the client leaves.
		_, _ = w.Write(body[:64<<10])
		http.NewResponseController(w).Flush()
		time.Sleep(3 * time.Millisecond)
		_, _ = w.Write(body[64<<10:])
	}))
	defer up.Close()
	port, mport := caddyrun.FreePort(t), caddyrun.FreePort(t)
	logPath := filepath.Join(t.TempDir(), "errors.log")
	caddyrun.Start(t, fmt.Sprintf(`{
	log {
		output file %s
		format json
		level ERROR
	}
}
http://127.0.0.1:%d {
	crm_frame {
		frame_ancestors https://desk.example.com
	}
	reverse_proxy %s
}
http://127.0.0.1:%d {
	metrics /metrics
}`, logPath, port, strings.TrimPrefix(up.URL, "http://"), mport))
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	murl := fmt.Sprintf("http://127.0.0.1:%d/metrics", mport)
	// A small receive buffer: the server's writes block, and fail once
	// the client is gone (as over a real network), also for bundles that
	// go out in one write.
	dialer := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	abort := func(path string) {
		c, err := dialer.Dial("tcp", addr)
		if err != nil {
			t.Error(err)
			return
		}
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		_, _ = io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: "+addr+"\r\n\r\n")
		buf := make([]byte, 2048)
		_, _ = io.ReadAtLeast(c, buf, 1) // the response started
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // gone at once, as a closed tab
		}
		_ = c.Close()
	}
	abort("/warm.html")
	abort("/warm.js")
	// Idle keep-alive connections to the upstream hold goroutines of
	// their own: close them before each count.
	up.CloseClientConnections()
	time.Sleep(100 * time.Millisecond)
	runtime.GC()
	g0 := runtime.NumGoroutine()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	s0 := opsScrape(t, murl)
	n := opsCount(1000)
	work := make(chan string)
	done := make(chan struct{})
	for range 8 {
		go func() {
			for p := range work {
				abort(p)
			}
			done <- struct{}{}
		}()
	}
	for i := range n {
		if i%4 == 3 {
			work <- fmt.Sprintf("/b%d.js", i)
		} else {
			work <- fmt.Sprintf("/p%d.html", i)
		}
	}
	close(work)
	for range 8 {
		<-done
	}
	// Every response is counted once (as error, or as completed when the
	// whole body fit in the socket buffers before the client left).
	var s1 map[string]*dto.MetricFamily
	deadline := time.Now().Add(10 * time.Second)
	for {
		s1 = opsScrape(t, murl)
		if opsVal(s1, "crmframe_proxy_responses_total")-opsVal(s0, "crmframe_proxy_responses_total") >= float64(n) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if d := opsVal(s1, "crmframe_proxy_responses_total") - opsVal(s0, "crmframe_proxy_responses_total"); d != float64(n) {
		t.Errorf("responses_total grew by %v for %d responses", d, n)
	}
	g1 := checkGoroutines(t, up, g0, fmt.Sprintf("%d aborted responses", n))
	// Buffers go back to their pools or to the collector: 1000 responses
	// that each kept a 64 KiB output block would hold 64 MiB.
	runtime.GC()
	runtime.ReadMemStats(&m1)
	if grew := int64(m1.HeapAlloc) - int64(m0.HeapAlloc); grew > 16<<20 {
		t.Errorf("heap grew by %d MiB over %d aborted responses", grew>>20, n)
	}
	// A client that left is routine: nothing at error level (Caddy logs
	// a handler's returned error there, once per such client).
	for _, l := range readLog(t, logPath) {
		t.Errorf("logged at error level: %v", l)
	}
	t.Logf("goroutines %d -> %d, heap %d -> %d KiB; errors %v", g0, g1, m0.HeapAlloc>>10, m1.HeapAlloc>>10, opsVal(s1, "crmframe_proxy_responses_total", "action", "error")-opsVal(s0, "crmframe_proxy_responses_total", "action", "error"))
}

// opsLogLine is one JSON log line.
type opsLogLine map[string]any

func readLog(t *testing.T, path string) []opsLogLine {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []opsLogLine
	for _, l := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		var m opsLogLine
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		out = append(out, m)
	}
	return out
}

// TestOpsLogs: the log lines docs/metrics.md documents come with their
// level and fields; ordinary traffic (pages, bundles, images, agents who
// click on mid-page) logs nothing at info level or above; no token or
// cookie value is ever logged.
func TestOpsLogs(t *testing.T) {
	const secret = "ops-logs-secret-0123456789abcdef0123"
	bodies := hostile()
	up := hostileUpstream(t, bodies)
	mux := http.NewServeMux()
	mux.Handle("/", up.Config.Handler)
	page := "<!doctype html><html><head><title>p</title></head><body>" + strings.Repeat("<p>notes</p>", 20000) + "</body></html>"
	mux.HandleFunc("/page.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Set-Cookie", "JSESSIONID=sess-cookie-value-77; Path=/")
		_, _ = io.WriteString(w, page)
	})
	mux.HandleFunc("/app.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		_, _ = io.WriteString(w, "if (top != self) top.location = self.location;")
	})
	mux.HandleFunc("/logo.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write([]byte("\x89PNG\r\n\x1a\n"))
	})
	mux.HandleFunc("/gz.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "compress")
		_, _ = io.WriteString(w, "\x1f\x9d not really")
	})
	mux.HandleFunc("/sso", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://sso.corp.example/login", http.StatusFound)
	})
	crm := httptest.NewServer(mux)
	defer crm.Close()
	dead := caddyrun.FreePort(t)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "crmframe.log")
	port := caddyrun.FreePort(t)
	caddyrun.Start(t, fmt.Sprintf(`{
	log {
		output file %s
		format json
		level DEBUG
	}
	crm_engine {
		secret %q
	}
}
http://127.0.0.1:%d {
	crm_frame {
		frame_ancestors https://desk.example.com
		%s
	}
	handle /down/* {
		reverse_proxy 127.0.0.1:%d
	}
	reverse_proxy %s
}`, logPath, secret, port, opsMaxRewrite(), dead, strings.TrimPrefix(crm.URL, "http://")))
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string, hdr ...string) int {
		req, _ := http.NewRequest("GET", base+path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}

	// Ordinary traffic: 50 of each, and 50 agents clicking on mid-page.
	ordinaryFrom := len(readLogLenient(logPath))
	for range 50 {
		get("/page.html", "Cookie", "JSESSIONID=sess-cookie-value-77")
		get("/app.js")
		get("/logo.png")
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(c, "GET /page.html HTTP/1.1\r\nHost: "+addr+"\r\n\r\n")
		_, _ = io.ReadAtLeast(c, make([]byte, 100), 1)
		_ = c.(*net.TCPConn).SetLinger(0)
		_ = c.Close()
	}
	time.Sleep(100 * time.Millisecond)
	ordinary := readLog(t, logPath)[ordinaryFrom:]
	for _, l := range ordinary {
		if l["logger"] == "tls" || l["msg"] == "aborting with incomplete response" {
			// Caddy's own: storage upkeep, and reverse_proxy's line for a
			// client that left (logged with or without crm_frame).
			continue
		}
		if l["level"] != "debug" {
			t.Errorf("ordinary traffic logged at %v: %v", l["level"], l)
		}
	}

	// The documented events.
	tok, err := engine.MintToken([]byte(secret), "agent-ops-1", "", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	forged := tok[:len(tok)-6] + "AAAAAA"
	get("/page.html?crmframe_token="+forged, "Sec-Fetch-Dest", "iframe")
	get("/page.html?crmframe_token="+tok, "Sec-Fetch-Dest", "iframe")
	get("/big-cl.html")
	get("/gz.html")
	get("/reset.html")
	get("/sso", "Sec-Fetch-Dest", "iframe")
	get("/down/case", "Accept", "text/html")
	get("/__crmframe/ws?token="+tok, "Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Version", "13",
		"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==", "Origin", "https://evil.example.com")
	time.Sleep(100 * time.Millisecond)
	lines := readLog(t, logPath)
	find := func(msg string, fields ...string) opsLogLine {
		t.Helper()
		for _, l := range lines {
			if l["msg"] == msg {
				for _, f := range fields {
					if _, ok := l[f]; !ok {
						t.Errorf("%q lacks field %q: %v", msg, f, l)
					}
				}
				return l
			}
		}
		t.Errorf("no %q line", msg)
		return opsLogLine{}
	}
	level := func(l opsLogLine, want string) {
		t.Helper()
		if l["msg"] != nil && l["level"] != want {
			t.Errorf("%q logged at %v, docs say %s", l["msg"], l["level"], want)
		}
	}
	level(find("agent token refused", "reason", "remote_ip", "uri"), "warn")
	level(find("framed page redirected to another site", "to", "path", "hint"), "warn")
	level(find("CRM upstream failed: serving the retry page", "status", "error", "uri"), "warn")
	level(find("WebSocket refused", "status", "reason", "origin", "remote_ip"), "warn")
	level(find("response rewritten", "action", "kind", "bytes_in", "bytes_out", "duration", "injected", "js_rewrites"), "debug")
	for _, want := range []struct{ action, reason string }{{"too_large", ""}, {"undecodable", ""}, {"error", "upstream body broke off"}} {
		seen := false
		for _, l := range lines {
			if l["msg"] == "response not rewritten" && l["action"] == want.action && (want.reason == "" || l["reason"] == want.reason) {
				seen = true
				level(l, "warn")
				for _, f := range []string{"reason", "kind", "coding"} {
					if _, ok := l[f]; !ok {
						t.Errorf("response not rewritten lacks %q: %v", f, l)
					}
				}
			}
		}
		if !seen {
			t.Errorf("no \"response not rewritten\" line with action %s %s", want.action, want.reason)
		}
	}
	raw, _ := os.ReadFile(logPath)
	for _, secretValue := range []string{tok, forged, tok[strings.LastIndexByte(tok, '.')+1:], "sess-cookie-value-77"} {
		if bytes.Contains(raw, []byte(secretValue)) {
			t.Errorf("the log holds %q", secretValue)
		}
	}
}

// readLogLenient reads the log lines written so far (none yet is fine).
func readLogLenient(path string) [][]byte {
	b, _ := os.ReadFile(path)
	return bytes.FieldsFunc(b, func(r rune) bool { return r == '\n' })
}

// TestOpsHTTP2Client: over HTTP/2 (h2c here; over TLS it is the same
// stream layer) a body that broke off ends in a stream error, complete
// pages arrive whole, and streams the client cancels mid-page on one
// shared connection are each counted once and leave nothing running.
func TestOpsHTTP2Client(t *testing.T) {
	bodies := hostile()
	up := hostileUpstream(t, bodies)
	addr, murl := startOpsSite(t, "\tservers {\n\t\tprotocols h1 h2c\n\t}", up.URL, true)
	base := "http://" + addr
	var protos http.Protocols
	protos.SetUnencryptedHTTP2(true)
	tr := &http.Transport{Protocols: &protos}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 20 * time.Second}
	get := func(ctx context.Context, path string) (*http.Response, []byte, error) {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+path, nil)
		resp, err := client.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, b, err
	}
	resp, body, err := get(context.Background(), "/line.html")
	if err != nil || resp.ProtoMajor != 2 {
		t.Fatalf("h2c: %v %v", resp, err)
	}
	if got, ok := withoutSDK(body); !ok || !bytes.Equal(got, bodies.line) {
		t.Errorf("/line.html over HTTP/2: %d bytes, not the page with the SDK", len(body))
	}
	for _, p := range []string{"/reset.html", "/short.html", "/reset.js", "/short.js"} {
		if resp, body, err := get(context.Background(), p); err == nil {
			t.Errorf("%s over HTTP/2: a broken body arrived as complete (status %d, %d bytes)", p, resp.StatusCode, len(body))
		}
	}

	// 200 streams cancelled once the page started, 8 at a time on one connection.
	up.CloseClientConnections()
	time.Sleep(50 * time.Millisecond)
	runtime.GC()
	g0 := runtime.NumGoroutine()
	s0 := opsScrape(t, murl)
	n := opsCount(200)
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "GET", base+"/big-stream.html", nil)
			resp, err := client.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.ReadFull(resp.Body, make([]byte, 4096))
			cancel()
			resp.Body.Close()
		}()
	}
	wg.Wait()
	var s1 map[string]*dto.MetricFamily
	for deadline := time.Now().Add(10 * time.Second); ; {
		s1 = opsScrape(t, murl)
		if opsVal(s1, "crmframe_proxy_responses_total")-opsVal(s0, "crmframe_proxy_responses_total") >= float64(n) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if d := opsVal(s1, "crmframe_proxy_responses_total", "action", "error") - opsVal(s0, "crmframe_proxy_responses_total", "action", "error"); d != float64(n) {
		t.Errorf("responses_total{action=error} grew by %v for %d cancelled streams", d, n)
	}
	tr.CloseIdleConnections()
	checkGoroutines(t, up, g0, fmt.Sprintf("%d cancelled streams", n))
}

// TestOpsHTTP3Client: Caddy serves HTTP/3 on its HTTPS sites; a body that
// broke off must end in a stream reset there too, and a complete page
// arrive whole.
func TestOpsHTTP3Client(t *testing.T) {
	bodies := hostile()
	up := hostileUpstream(t, bodies)
	port := caddyrun.FreePort(t)
	caddyrun.Start(t, fmt.Sprintf(`{
	local_certs
	skip_install_trust
	auto_https disable_redirects
	storage file_system %q
}
https://127.0.0.1:%d {
	bind 127.0.0.1
	tls internal
	crm_frame {
		frame_ancestors https://desk.example.com
		%s
	}
	reverse_proxy %s
}`, t.TempDir(), port, opsMaxRewrite(), strings.TrimPrefix(up.URL, "http://")))
	tr := &http3.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} // the test's own internal CA
	defer tr.Close()
	client := &http.Client{Transport: tr, Timeout: 20 * time.Second}
	base := fmt.Sprintf("https://127.0.0.1:%d", port)
	get := func(path string) (*http.Response, []byte, error) { return fetchBody(client, base+path) }
	resp, body, err := get("/line.html")
	for i := 0; err != nil && i < 50; i++ { // the UDP listener may start a moment after TCP
		time.Sleep(20 * time.Millisecond)
		resp, body, err = get("/line.html")
	}
	if err != nil {
		t.Fatal(err)
	}
	if resp.ProtoMajor != 3 {
		t.Fatalf("served over %s", resp.Proto)
	}
	if got, ok := withoutSDK(body); !ok || !bytes.Equal(got, bodies.line) {
		t.Errorf("/line.html over HTTP/3: %d bytes, not the page with the SDK", len(body))
	}
	for _, p := range []string{"/reset.html", "/short.html", "/reset.js", "/short.js"} {
		if resp, body, err := get(p); err == nil {
			t.Errorf("%s over HTTP/3: a broken body arrived as complete (status %d, %d bytes)", p, resp.StatusCode, len(body))
		}
	}
}

// checkGoroutines waits (up to 10 s, closing the upstream's idle
// connections) for the goroutine count to come back within 5 of g0, and
// returns it.
func checkGoroutines(t *testing.T, up *httptest.Server, g0 int, after string) int {
	t.Helper()
	g1 := 0
	for deadline := time.Now().Add(10 * time.Second); ; {
		up.CloseClientConnections()
		runtime.GC()
		if g1 = runtime.NumGoroutine(); g1 <= g0+5 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if g1 > g0+5 {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines: %d before, %d after %s\n%s", g0, g1, after, buf[:runtime.Stack(buf, true)])
	}
	return g1
}

// fetchBody GETs url and reads the whole body.
func fetchBody(client *http.Client, url string) (*http.Response, []byte, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, err
	}
	return fetchWith(client, req)
}

// fetchRequest sends req with the default client and reads the whole body.
func fetchRequest(req *http.Request) (*http.Response, []byte, error) {
	return fetchWith(http.DefaultClient, req)
}

func fetchWith(client *http.Client, req *http.Request) (*http.Response, []byte, error) {
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}
