package injector

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// A page loading in a frame that the CRM redirects to another site is
// reported (the usual cause of a blank frame); everything else is not.
func TestForeignRedirect(t *testing.T) {
	up, _ := url.Parse("http://crm.internal:8080")
	cases := []struct {
		name, dest, loc string
		status          int
		want            string
	}{
		{"sso in a frame", "iframe", "https://sso.corp.example/login?app=crm", 302, "https://sso.corp.example"},
		{"frameset frame", "frame", "https://sso.corp.example/login", 303, "https://sso.corp.example"},
		{"scheme-relative", "iframe", "//sso.corp.example/x", 302, "http://sso.corp.example"},
		{"relative", "iframe", "/login.do", 302, ""},
		{"own origin", "iframe", "http://crm.example/home", 302, ""},
		{"own origin, default port written", "iframe", "http://crm.example:80/home", 302, ""},
		{"upstream origin (rewritten first)", "iframe", "http://crm.internal:8080/home", 302, ""},
		{"top-level navigation", "document", "https://sso.corp.example/login", 302, ""},
		{"no Sec-Fetch-Dest", "", "https://sso.corp.example/login", 302, ""},
		{"not a redirect", "iframe", "https://sso.corp.example/login", 201, ""},
		{"bad Location", "iframe", "http://[::1", 302, ""},
	}
	for _, c := range cases {
		var got Changes
		cfg := &Config{Policy: HeaderPolicy{FrameAncestors: []string{"https://desk.example"}, UpstreamOrigins: []*url.URL{up}},
			Observer: func(ch Changes) { got = ch }}
		r := httptest.NewRequest(http.MethodGet, "http://crm.example/app/page", nil)
		if c.dest != "" {
			r.Header.Set("Sec-Fetch-Dest", c.dest)
		}
		rec := httptest.NewRecorder()
		w := cfg.Wrap(rec, r)
		w.Header().Set("Location", c.loc)
		w.WriteHeader(c.status)
		if got.ForeignRedirect != c.want {
			t.Errorf("%s: ForeignRedirect %q, want %q", c.name, got.ForeignRedirect, c.want)
		}
		if c.want != "" && got.Path != "/app/page" {
			t.Errorf("%s: Path %q", c.name, got.Path)
		}
	}
}
