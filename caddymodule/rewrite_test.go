package caddymodule

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/crmframe/crmframe/injector"
	"github.com/crmframe/crmframe/injector/jsrewrite"
	"github.com/crmframe/crmframe/injector/sdk"
)

// handlerBodyRewriter is the body rewriter a provisioned crm_frame with
// default settings builds (breakout neutralize, metrics registered).
func handlerBodyRewriter(t testing.TB) *injector.BodyRewriter {
	t.Helper()
	initProxyMetrics()
	h := &Handler{PathPrefix: DefaultPathPrefix, Breakout: "neutralize", RecompressLevel: "default"}
	h.bundle, h.logger = sdk.Build(), zap.NewNop()
	rw, err := h.newBodyRewriter()
	if err != nil {
		t.Fatal(err)
	}
	return rw
}

// The rewriter crm_frame builds skips the JS rewriter on handlers that do
// not mention a trigger (JSMayChange), and still rewrites busters hidden
// behind character references or computed window reads.
func TestBodyRewriterHandlers(t *testing.T) {
	rw := handlerBodyRewriter(t)
	handlers := []string{
		`openRecord(42)`,
		`this.style.background='#FFFFCC'`,
		`&#116;op.location=self.location`,
		`window['to'+'p'].location=location`,
		`if (top != self) top.location.href = self.location.href`,
	}
	var page strings.Builder
	page.WriteString("<html><head></head><body>")
	for _, v := range handlers {
		page.WriteString(`<a onclick="` + v + `">x</a>`)
	}
	page.WriteString("</body></html>")
	req := httptest.NewRequest(http.MethodGet, "http://crm.example/", nil)
	var out bytes.Buffer
	f := rw.Filter(req, http.StatusOK, http.Header{"Content-Type": {"text/html"}}, &out)
	if _, err := f.Write([]byte(page.String())); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	for i, v := range handlers {
		code := strings.ReplaceAll(v, "&#116;", "t")
		want, res := jsrewrite.Rewrite([]byte(code), jsrewrite.Handler)
		changed := res.Changed
		if i < 2 && changed {
			t.Fatalf("%q: the JS rewriter changed a harmless handler", v)
		}
		if i >= 2 && !changed {
			t.Fatalf("%q: the JS rewriter left a buster alone", v)
		}
		attr := `onclick="` + v + `"`
		if changed {
			attr = `onclick="` + strings.ReplaceAll(string(want), `"`, "&quot;") + `"`
		}
		if !strings.Contains(out.String(), attr) {
			t.Errorf("handler %q: want %s in\n%s", v, attr, out.String())
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	cases := []struct {
		in   []string
		want bool
	}{
		{nil, false},
		{[]string{"gzip, deflate, br, zstd"}, true},
		{[]string{"br", "GZIP;q=0.5"}, true},
		{[]string{"identity"}, false},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip; q=0.0, *"}, false},
		{[]string{"*"}, true},
		{[]string{"*;q=0"}, false},
		{[]string{"br;q=1, x-gzip"}, true},
		{[]string{"gzip;q=bad"}, true},
	}
	for _, c := range cases {
		if got := acceptsGzip(c.in); got != c.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}
