package caddymodule_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/crmframe/crmframe/internal/caddyrun"
)

// hostileCRM behaves like a legacy CRM that refuses to be framed.
func hostileCRM(t *testing.T, release chan struct{}) *httptest.Server {
	var self string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Add("X-Frame-Options", "DENY")
		h.Add("x-frame-options", "SAMEORIGIN")
		h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
		switch r.URL.Path {
		case "/":
			h.Add("Set-Cookie", "JSESSIONID=abc; Path=/; HttpOnly; SameSite=Strict; Domain="+strings.Split(strings.TrimPrefix(self, "http://"), ":")[0])
			h.Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<!doctype html><title>CRM</title><p>hello")
		case "/login":
			http.Redirect(w, r, self+"/home?x=1", http.StatusFound)
		case "/away":
			http.Redirect(w, r, "https://sso.example.com/auth", http.StatusFound)
		case "/events":
			h.Set("Content-Type", "text/event-stream")
			fmt.Fprint(w, "data: first\n\n")
			w.(http.Flusher).Flush()
			select {
			case <-release:
			case <-time.After(10 * time.Second):
			}
			fmt.Fprint(w, "data: second\n\n")
		}
	}))
	self = srv.URL
	t.Cleanup(srv.Close)
	return srv
}

func TestHostileCRMThroughCrmFrame(t *testing.T) {
	release := make(chan struct{})
	up := hostileCRM(t, release)
	port := caddyrun.FreePort(t)
	caddyrun.Start(t, fmt.Sprintf(`
http://127.0.0.1:%d {
	crm_frame {
		frame_ancestors https://desk.example.com
		upstream_origin %s
	}
	reverse_proxy %s
}`, port, up.URL, strings.TrimPrefix(up.URL, "http://")))
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	resp, err := noRedirect.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if xfo := resp.Header.Values("X-Frame-Options"); len(xfo) != 0 {
		t.Errorf("X-Frame-Options still sent: %q", xfo)
	}
	if got := resp.Header.Values("Content-Security-Policy"); len(got) != 1 || got[0] != "default-src 'self'; frame-ancestors https://desk.example.com" {
		t.Errorf("CSP = %q", got)
	}
	if got := resp.Header.Get("Set-Cookie"); got != "JSESSIONID=abc; Path=/; HttpOnly; SameSite=Strict" {
		t.Errorf("Set-Cookie = %q", got)
	}
	if !strings.Contains(string(body), "<p>hello") {
		t.Errorf("body = %q", body)
	}

	resp, err = noRedirect.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Location"); got != base+"/home?x=1" {
		t.Errorf("Location = %q, want %q", got, base+"/home?x=1")
	}
	resp, err = noRedirect.Get(base + "/away")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Location"); got != "https://sso.example.com/auth" {
		t.Errorf("third-party Location changed: %q", got)
	}

	// Server-sent events stream through: the first event arrives while the
	// upstream is still holding the response open.
	resp, err = http.Get(base + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	first := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(resp.Body).ReadString('\n')
		first <- line
	}()
	select {
	case line := <-first:
		if line != "data: first\n" {
			t.Errorf("first SSE line = %q", line)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("first SSE event not flushed through crm_frame")
	}
	close(release)
}

func TestSDKServedWithCaching(t *testing.T) {
	up := hostileCRM(t, make(chan struct{}))
	port := caddyrun.FreePort(t)
	caddyrun.Start(t, fmt.Sprintf(`
http://127.0.0.1:%d {
	crm_frame {
		frame_ancestors https://desk.example.com
	}
	reverse_proxy %s
}`, port, strings.TrimPrefix(up.URL, "http://")))
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	resp, err := http.Get(base + "/__crmframe/sdk.js")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || !strings.Contains(string(body), "AGENTDESKTOP") || etag == "" {
		t.Fatalf("status %d etag %q body %.80q", resp.StatusCode, etag, body)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("unversioned Cache-Control = %q", cc)
	}
	// Go's client asked for gzip (and decoded it): the compressed variant
	// has its own ETag.
	if !resp.Uncompressed || !strings.HasSuffix(etag, `-gzip"`) || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
		t.Errorf("gzip variant: uncompressed by the client %v, ETag %s, Vary %q", resp.Uncompressed, etag, resp.Header.Get("Vary"))
	}
	plainReq, _ := http.NewRequest("GET", base+"/__crmframe/sdk.js", nil)
	plainReq.Header.Set("Accept-Encoding", "identity")
	plain, err := http.DefaultClient.Do(plainReq)
	if err != nil {
		t.Fatal(err)
	}
	plainBody, _ := io.ReadAll(plain.Body)
	plain.Body.Close()
	if plain.Header.Get("Content-Encoding") != "" || !bytes.Equal(plainBody, body) || plain.Header.Get("Content-Length") != fmt.Sprint(len(body)) {
		t.Errorf("identity variant: Content-Encoding %q, %d bytes (gzip variant decoded: %d)", plain.Header.Get("Content-Encoding"), len(plainBody), len(body))
	}
	v := strings.TrimSuffix(strings.Trim(etag, `"`), "-gzip")
	resp, err = http.Get(base + "/__crmframe/sdk.js?v=" + v)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("versioned Cache-Control = %q", cc)
	}
	req, _ := http.NewRequest("GET", base+"/__crmframe/sdk.js", nil)
	req.Header.Set("If-None-Match", etag)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET = %d", resp.StatusCode)
	}
	resp, err = http.Get(base + "/__crmframe/nope")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown endpoint = %d", resp.StatusCode)
	}
}

func TestUpstreamDownGivesRetryPage(t *testing.T) {
	dead := caddyrun.FreePort(t) // nothing listens there
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	port := caddyrun.FreePort(t)
	caddyrun.Start(t, fmt.Sprintf(`
http://127.0.0.1:%d {
	crm_frame {
		frame_ancestors https://desk.example.com
	}
	handle /slow/* {
		reverse_proxy %s {
			transport http {
				response_header_timeout 300ms
			}
		}
	}
	reverse_proxy 127.0.0.1:%d
}`, port, strings.TrimPrefix(slow.URL, "http://"), dead))
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	get := func(path, accept string) (*http.Response, string) {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Accept", accept)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	for _, tc := range []struct {
		path   string
		status int
	}{{"/customers", http.StatusBadGateway}, {"/slow/page", http.StatusGatewayTimeout}} {
		resp, body := get(tc.path, "text/html,application/xhtml+xml")
		if resp.StatusCode != tc.status || !strings.Contains(body, `id="crmframe-error"`) || !strings.Contains(body, "location.reload()") {
			t.Errorf("%s: %d %q", tc.path, resp.StatusCode, body)
		}
		if !strings.Contains(body, `<script src="/__crmframe/sdk.js?v=`) {
			t.Errorf("%s: retry page does not load the SDK", tc.path)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors https://desk.example.com") {
			t.Errorf("%s: retry page CSP %q", tc.path, csp)
		}
	}
	// Non-page requests keep Caddy's plain error.
	resp, body := get("/api/data", "application/json")
	if resp.StatusCode != http.StatusBadGateway || strings.Contains(body, "crmframe-error") {
		t.Errorf("XHR: %d %q", resp.StatusCode, body)
	}
}
