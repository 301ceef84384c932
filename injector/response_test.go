package injector

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
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

// WrapAt maps the CRM's URLs back under the mount; Wrap leaves them.
func TestWrapAtMount(t *testing.T) {
	up, _ := url.Parse("http://crm.internal:8080")
	cfg := &Config{Policy: HeaderPolicy{FrameAncestors: []string{"https://desk.example"}, UpstreamOrigins: []*url.URL{up}}}
	for mount, want := range map[string]string{"": "http://crm.example/home", "/crm": "http://crm.example/crm/home"} {
		r := httptest.NewRequest(http.MethodGet, "http://crm.example/page", nil)
		rec := httptest.NewRecorder()
		w := cfg.WrapAt(rec, r, mount)
		w.Header().Set("Location", "http://crm.internal:8080/home")
		w.WriteHeader(http.StatusFound)
		if got := rec.Header().Get("Location"); got != want || w.Status() != http.StatusFound {
			t.Errorf("mount %q: Location %q (want %q), status %d", mount, got, want, w.Status())
		}
	}
}

// A response without Content-Type is labelled from its first bytes, as
// Go's server would label it on the way out, before the body policy sees
// it: held until 512 bytes, a flush or the end; never for HEAD, 204, 304
// or an encoded body.
func TestSniffMissingContentType(t *testing.T) {
	var seen []string
	cfg := &Config{Policy: HeaderPolicy{FrameAncestors: []string{"https://desk.example"}},
		Body: func(r *http.Request, status int, h http.Header, dst io.Writer) BodyFilter {
			seen = append(seen, h.Get("Content-Type"))
			return nil
		}}
	page := "<!doctype html><title>x</title>" + strings.Repeat("<p>row</p>", 60)
	cases := []struct {
		name, method string
		status       int
		hdr          http.Header
		writes       []string
		flushAfter   int // flush after this many writes (-1: never)
		want         string
	}{
		{"page in small writes", "GET", 200, nil, []string{page[:100], page[100:300], page[300:]}, -1, "text/html; charset=utf-8"},
		{"short page", "GET", 200, nil, []string{"<p>hi"}, -1, "text/html; charset=utf-8"},
		{"flushed early", "GET", 200, nil, []string{"<html>", page}, 1, "text/html; charset=utf-8"},
		{"plain text", "GET", 200, nil, []string{"hello"}, -1, "text/plain; charset=utf-8"},
		{"empty", "GET", 200, nil, nil, -1, ""},
		{"HEAD", "HEAD", 200, nil, nil, -1, ""},
		{"204", "GET", 204, nil, nil, -1, ""},
		{"labelled", "GET", 200, http.Header{"Content-Type": {"application/json"}}, []string{"<p>"}, -1, "application/json"},
		{"encoded", "GET", 200, http.Header{"Content-Encoding": {"gzip"}}, []string{"\x1f\x8b"}, -1, ""},
	}
	for _, c := range cases {
		seen = nil
		r := httptest.NewRequest(c.method, "http://crm.example/page", nil)
		rec := httptest.NewRecorder()
		w := cfg.Wrap(rec, r)
		for k, v := range c.hdr {
			w.Header()[k] = v
		}
		w.WriteHeader(c.status)
		for i, s := range c.writes {
			if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
				t.Fatalf("%s: Write %d, %v", c.name, n, err)
			}
			if i+1 == c.flushAfter {
				w.Flush()
				if len(seen) != 1 || rec.Body.String() != strings.Join(c.writes[:i+1], "") {
					t.Errorf("%s: a flush did not send what was held: %q", c.name, rec.Body.String())
				}
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if len(seen) != 1 || seen[0] != c.want {
			t.Errorf("%s: the body policy saw Content-Type %q, want %q", c.name, seen, c.want)
		}
		if got := rec.Body.String(); got != strings.Join(c.writes, "") || rec.Code != c.status {
			t.Errorf("%s: %d %q", c.name, rec.Code, got)
		}
		if rec.Header().Get("Content-Security-Policy") == "" {
			t.Errorf("%s: header policy not applied", c.name)
		}
	}
}
