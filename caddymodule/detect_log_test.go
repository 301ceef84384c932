package caddymodule

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/crmframe/crmframe/injector/sdk"
)

// TestDetectLogPath: in breakout detect mode, each "frame-busting code
// detected" line says which page or script the code is in (the browser's
// path, with a stripped mount prefix), never the query (tokens), also
// when a script comes from the JS cache.
func TestDetectLogPath(t *testing.T) {
	initProxyMetrics()
	core, logs := observer.New(zapcore.InfoLevel)
	h := &Handler{PathPrefix: DefaultPathPrefix, Breakout: "detect", RecompressLevel: "default"}
	h.bundle, h.logger = sdk.Build(), zap.New(core)
	rw, err := h.newBodyRewriterAt("/crm")
	if err != nil {
		t.Fatal(err)
	}
	serve := func(target, ctype, body string) {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, target, nil)
		var out bytes.Buffer
		f := rw.Filter(req, http.StatusOK, http.Header{"Content-Type": {ctype}}, &out)
		if f == nil {
			t.Fatalf("%s: not filtered", target)
		}
		if _, err := f.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "top.location") {
			t.Fatalf("%s: detect mode changed the code: %s", target, out.String())
		}
	}
	const buster = "if (top != self) top.location = self.location;\n"
	serve("http://crm.example/page?crmframe_token=secret1", "text/html",
		"<!doctype html><html><head></head><body><script>"+buster+"</script><a onclick=\"top.location='/x'\">x</a></body></html>")
	bundle := strings.Repeat("function f(){return 1}\n", 50) + buster
	serve("http://crm.example/static/app.js?v=secret2", "application/javascript", bundle)
	serve("http://crm.example/static/app.js?v=secret3", "application/javascript", bundle) // a cache hit

	var paths []string
	for _, e := range logs.FilterMessageSnippet("frame-busting code detected").All() {
		f := e.ContextMap()
		p, _ := f["path"].(string)
		paths = append(paths, p)
		for k, v := range f {
			if s, ok := v.(string); ok && strings.Contains(s, "secret") {
				t.Errorf("field %s = %q: the query reached the log", k, s)
			}
		}
		if f["constructs"] == nil {
			t.Errorf("no constructs: %v", f)
		}
	}
	want := []string{"/crm/page", "/crm/page", "/crm/static/app.js", "/crm/static/app.js"}
	if !slices.Equal(paths, want) {
		t.Errorf("logged paths %q, want %q (inline script, handler, script, cached script)", paths, want)
	}
}
