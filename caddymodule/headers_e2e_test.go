package caddymodule_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/crmframe/crmframe/internal/caddyrun"
)

// Security headers as real CRM stacks send them, through the real handler
// chain (handle_path + crm_frame + reverse_proxy).
func TestRealWorldHeaders(t *testing.T) {
	var upstream string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		switch r.URL.Path {
		case "/rails": // Rails' default X-Frame-Options with an app CSP
			h.Set("X-Frame-Options", "SAMEORIGIN")
			h.Set("Content-Security-Policy", "default-src 'self' https:; frame-ancestors 'none'")
		case "/two-policies": // a gateway adds a second policy
			h.Add("Content-Security-Policy", "frame-ancestors 'self'")
			h.Add("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
		case "/xfo-conflict": // nginx add_header and the app both set it
			h.Set("X-Frame-Options", "SAMEORIGIN, ALLOW-FROM https://partner.example")
		case "/login": // Django/ASP.NET style session cookie and a meta-style refresh
			h.Add("Set-Cookie", "__Host-session=abc; Path=/; Secure; HttpOnly; SameSite=Strict")
			h.Add("Set-Cookie", "csrftoken=x; Path=/app; SameSite=Lax")
			h.Set("Refresh", "0; URL = '"+upstream+"/home'")
		}
		h.Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html><title>crm</title><p>ok")
	}))
	t.Cleanup(up.Close)
	upstream = up.URL
	port := caddyrun.FreePort(t)
	caddyrun.Start(t, fmt.Sprintf(`
http://127.0.0.1:%d {
	handle_path /crm/* {
		crm_frame {
			frame_ancestors https://desk.example.com
			upstream_origin %s
		}
		reverse_proxy %s
	}
}`, port, up.URL, strings.TrimPrefix(up.URL, "http://")))
	base := fmt.Sprintf("http://127.0.0.1:%d/crm", port)
	fetch := func(path string) http.Header {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.Header
	}
	const fa = "frame-ancestors https://desk.example.com"
	// The browser obeys the CSP over X-Frame-Options, and every policy:
	// none of these CRMs let even its own pages frame it, so no 'self'.
	for path, want := range map[string][]string{
		"/rails":        {"default-src 'self' https:; " + fa},
		"/two-policies": {fa, "default-src 'self'; " + fa},
		"/xfo-conflict": {fa},
	} {
		h := fetch(path)
		if got := h.Values("Content-Security-Policy"); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: CSP %q, want %q", path, got, want)
		}
		if x := h.Values("X-Frame-Options"); len(x) != 0 {
			t.Errorf("%s: X-Frame-Options kept: %q", path, x)
		}
	}
	h := fetch("/login")
	want := []string{
		// A __Host- cookie with Path=/crm/ would be rejected by the browser.
		"__Host-session=abc; Path=/; Secure; HttpOnly; SameSite=Strict",
		"csrftoken=x; Path=/crm/app; SameSite=Lax",
	}
	if got := h.Values("Set-Cookie"); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Set-Cookie %q, want %q", got, want)
	}
	if got, want := h.Get("Refresh"), "0; URL = '"+base+"/home'"; got != want {
		t.Errorf("Refresh %q, want %q", got, want)
	}
}
