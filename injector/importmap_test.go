package injector

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/crmframe/crmframe/injector/jsrewrite"
)

// realRewriteJS is the neutralize hook caddymodule installs: import maps
// rely on its output for `import "data:…";`.
func realRewriteJS(src []byte, k JSKind) ([]byte, bool) {
	out, res := jsrewrite.Rewrite(src, jsrewrite.Kind(k))
	return out, res.Changed
}

func realOpts() BodyOptions {
	return BodyOptions{Scripts: []string{testSDK}, RewriteJS: realRewriteJS, JSMayChange: jsrewrite.Mentions}
}

const guardCode = "if(top!==self)top.location=location"

// mapText returns the text of the first import map in a page.
func mapText(t *testing.T, page string) string {
	t.Helper()
	i := strings.Index(page, `importmap`)
	if i < 0 {
		t.Fatalf("no import map in %q", page)
	}
	i += strings.IndexByte(page[i:], '>') + 1
	j := strings.Index(page[i:], "</script>")
	return page[i : i+j]
}

// moduleCode decodes a data: URL the way the browser does for a module.
func moduleCode(t *testing.T, u string) string {
	t.Helper()
	meta, body, ok := strings.Cut(strings.TrimPrefix(u, "data:"), ",")
	if !ok || !strings.HasPrefix(u, "data:") {
		t.Fatalf("not a data: URL: %q", u)
	}
	code, err := url.PathUnescape(body)
	if err != nil {
		t.Fatalf("%q: %v", u, err)
	}
	if strings.HasSuffix(meta, ";base64") {
		b, err := base64.StdEncoding.DecodeString(code)
		if err != nil {
			t.Fatalf("%q: %v", u, err)
		}
		code = string(b)
	}
	return code
}

// lookup reads a string at a path of a JSON text.
func lookup(t *testing.T, text string, path ...string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatalf("map no longer JSON: %v\n%s", err, text)
	}
	for _, k := range path {
		v = v.(map[string]any)[k]
	}
	return v.(string)
}

func lit(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestImportMapRewritesDataModules(t *testing.T) {
	tr := newTestRewriter(t, realOpts())
	pct := "data:text/javascript," + url.PathEscape(guardCode)
	b64 := "data:text/javascript;base64," + base64.StdEncoding.EncodeToString([]byte(guardCode))
	cases := []struct {
		name string
		json string   // the map; every value at path is expected rewritten
		path []string // where the guard is
		n    int      // values rewritten
	}{
		{"x445", `{"imports":{"crm-guard":"data:text/javascript,if(top!==self)top.location=location"}}`, []string{"imports", "crm-guard"}, 1},
		{"percent", `{"imports":{"g":` + lit(pct) + `}}`, []string{"imports", "g"}, 1},
		{"base64", `{"imports":{"g":` + lit(b64) + `}}`, []string{"imports", "g"}, 1},
		{"scopes", `{"imports":{"a":"/a.js"},"scopes":{"/app/":{"g":` + lit(pct) + `}}}`, []string{"scopes", "/app/", "g"}, 1},
		// JSON escapes spell what the browser reads; no "data:" in the bytes.
		{"json escapes", `{"imports":{"g":"\u0064ata:text/javascript,if(top!==self)top.location=location"}}`, []string{"imports", "g"}, 1},
		// The URL parser drops tabs and newlines, outer spaces and the fragment.
		{"url parser", `{"imports":{"g":" data:text/java\tscript,if(top!==self)\ntop.location=location#f "}}`, []string{"imports", "g"}, 1},
		// A lone % stays literal for the browser (and a comment here).
		{"lone percent", `{"imports":{"g":"data:text/javascript,if(top!==self)top.location=location//%"}}`, []string{"imports", "g"}, 1},
		// Quotes and backslashes in the code: a string literal would need escapes.
		{"quotes", `{"imports":{"g":"data:text/javascript,if(top!==self)top.location=\"\\u002f\"+'\\\\'"}}`, []string{"imports", "g"}, 1},
		{"no type", `{"imports":{"g":"data:,if(top!==self)top.location=location"}}`, []string{"imports", "g"}, 1},
		{"two", `{"imports":{"g":` + lit(pct) + `,"h":` + lit(b64) + `}}`, []string{"imports", "h"}, 2},
	}
	for _, c := range cases {
		in := `<!doctype html><head><script type="importmap">` + c.json + `</script><script type="module">import "g";</script></head>`
		for _, chunk := range []int{0, 7} {
			out, err, _ := run(t, tr.BodyRewriter, getReq(), 200, htmlHeader("text/html"), []byte(in), chunk)
			if err != nil {
				t.Fatal(err)
			}
			text := mapText(t, string(out))
			u := lookup(t, text, c.path...)
			code := moduleCode(t, u)
			if !strings.HasPrefix(u, "data:text/javascript;charset=utf-8,") || !strings.Contains(code, "__crmframe_top") || strings.Contains(code, "(top") || strings.Contains(code, "#") {
				t.Errorf("%s: %q decodes to %q", c.name, u, code)
			}
			if strings.ContainsAny(text, "<>") {
				t.Errorf("%s: markup in the map: %s", c.name, text)
			}
			if r := tr.last(t); r.JSRewrites != c.n {
				t.Errorf("%s: JSRewrites = %d, want %d", c.name, r.JSRewrites, c.n)
			}
		}
	}
}

// TestImportMapKeepsText: only the changed values' bytes change; order,
// spacing and other entries stay as sent.
func TestImportMapKeepsText(t *testing.T) {
	tr := newTestRewriter(t, realOpts())
	guard := `"data:text/javascript,if(top!==self)top.location=location"`
	in := "{\n  \"imports\": {\n    \"z\": \"/z.js\",\n    \"g\" :  " + guard + ",\n    \"a\": \"data:text/javascript,console.log(1)\"\n  },\n  \"integrity\": {" + guard + ": \"sha384-x\"},\n  \"scopes\": {}\n}"
	page := `<html><head><script type="importmap">` + in + `</script></head>`
	out := xhRun(t, tr.BodyRewriter, "text/html", page)
	text := mapText(t, out)
	nu := lit(lookup(t, text, "imports", "g"))
	if want := strings.Replace(in, guard, nu, 1); text != want {
		t.Errorf("got\n%s\nwant\n%s", text, want)
	}
}

// TestImportMapLeftAlone: what is not a JavaScript data: module address,
// what browsers reject, and what is not an import map stay byte for byte.
func TestImportMapLeftAlone(t *testing.T) {
	calls := 0
	opts := realOpts()
	opts.RewriteJS = func(src []byte, k JSKind) ([]byte, bool) { calls++; return realRewriteJS(src, k) }
	tr := newTestRewriter(t, opts)
	g := `"data:text/javascript,if(top!==self)top.location=location"`
	for _, page := range []string{
		`<script type="importmap">{"imports":{"g":"/guard.js"}}</script>`,
		`<script type="importmap">{"imports":{"g":"data:application/json,{\"top\":1}"}}</script>`,
		`<script type="importmap">{"imports":{"g":"data:text/css,top{}"}}</script>`,
		`<script type="importmap">{"imports":{"g":"data:text/javascript,console.log(1)"}}</script>`,
		`<script type="importmap">{"imports":{"g":` + g + `},}</script>`,              // not JSON
		`<script type="importmap">{"imports":{"g":` + g + `}} x</script>`,             // trailing text
		`<script type="importmap">{"other":{"g":` + g + `}}</script>`,                 // not a module address
		`<script type="importmap">{"imports":{"g":[` + g + `]}}</script>`,             // not a string value
		`<script type="importmap">[{"imports":{"g":` + g + `}}]</script>`,             // not an object
		`<script type="importmap">` + g + `</script>`,                                 // a bare string
		`<script type="importmap" src="/m.json">{"imports":{"g":` + g + `}}</script>`, // ignored by browsers
		`<script type="text/importmap">{"imports":{"g":` + g + `}}</script>`,
		`<script type="importmap"></script>`,
	} {
		in := `<!doctype html><head><title>t</title></head><body>` + page + `</body>`
		out := xhRun(t, tr.BodyRewriter, "text/html", in)
		if got := out[strings.Index(out, "<body>"):]; got != in[strings.Index(in, "<body>"):] {
			t.Errorf("%s\nbecame %s", page, got)
		}
	}
	// Only "console.log(1)" reached the hook: the others stop before it.
	if calls != 1 {
		t.Errorf("hook called %d times, want 1", calls)
	}
}

// TestImportMapTypeAndModes: the type attribute as browsers match it; the
// hook decides (breakout detect and off leave the map as sent).
func TestImportMapTypeAndModes(t *testing.T) {
	body := `{"imports":{"g":"data:text/javascript,if(top!==self)top.location=location"}}`
	tr := newTestRewriter(t, realOpts())
	for _, tag := range []string{`<script type=" ImportMap ">`, `<SCRIPT TYPE=importmap>`, `<script type="importmap" type="module">`} {
		out := xhRun(t, tr.BodyRewriter, "text/html", `<p>x</p>`+tag+body+`</script>`)
		if strings.Contains(out, body) {
			t.Errorf("%s: not rewritten: %s", tag, out)
		}
	}
	out := xhRun(t, tr.BodyRewriter, "text/html", `<p>x</p><script type="module">`+body+`</script>`)
	if !strings.Contains(out, body) {
		t.Errorf("a module's text taken for a map: %s", out)
	}

	var seen []string
	detect := BodyOptions{Scripts: []string{testSDK}, RewriteJSFor: func(_ *http.Request, src []byte, _ JSKind, _ bool) ([]byte, bool, any) {
		seen = append(seen, string(src))
		return nil, false, nil
	}}
	off := BodyOptions{Scripts: []string{testSDK}}
	for _, opts := range []BodyOptions{detect, off} {
		in := `<p>x</p><script type="importmap">` + body + `</script>`
		if out := xhRun(t, newTestRewriter(t, opts).BodyRewriter, "text/html", in); !strings.HasSuffix(out, in) {
			t.Errorf("changed without a rewriting hook: %s", out)
		}
	}
	want := `import "data:text/javascript,if(top!==self)top.location=location";`
	if len(seen) != 1 || seen[0] != want {
		t.Errorf("detect hook saw %q, want [%q]", seen, want)
	}
}

// TestImportMapCharsetAndXHTML: a legacy charset's other bytes come back
// as sent; in XHTML (Chromium honours the map there, for import() of
// classic scripts) the map is read as XML text and the change is spliced
// back into its CDATA.
func TestImportMapCharsetAndXHTML(t *testing.T) {
	tr := newTestRewriter(t, realOpts())
	guard := `"data:text/javascript,if(top!==self)top.location=location"`
	in := "<head><meta charset=windows-1252><script type=\"importmap\">{\"imports\":{\"caf\xe9\":\"/c.js\",\"g\":" + guard + "}}</script>"
	out := xhRun(t, tr.BodyRewriter, "text/html", in)
	if !strings.Contains(out, "{\"imports\":{\"caf\xe9\":\"/c.js\",\"g\":\"data:text/javascript;charset=utf-8,") {
		t.Errorf("windows-1252: %q", out)
	}

	x := `<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head><script type="importmap"><![CDATA[{"imports":{"g":` + guard + `}}]]></script></head><body/></html>`
	out = xhRun(t, tr.BodyRewriter, xhCT, x)
	i := strings.Index(out, `<![CDATA[{"imports":{"g":"data:text/javascript;charset=utf-8,`)
	if i < 0 || !strings.Contains(out[i:], `"}}]]></script>`) {
		t.Errorf("xhtml: %s", out)
	}
	if r := tr.last(t); r.JSRewrites != 1 {
		t.Errorf("xhtml JSRewrites = %d", r.JSRewrites)
	}
	// Entities decoded for the JSON, the bytes around the change kept.
	x = `<html xmlns="http://www.w3.org/1999/xhtml"><head><script type="importmap">{"imports":{"&#x61;":"/a.js","g":"data:text/javascript,if(top!==self&amp;&amp;1)top.location=location"}}</script></head></html>`
	out = xhRun(t, tr.BodyRewriter, xhCT, x)
	if !strings.Contains(out, `{"imports":{"&#x61;":"/a.js","g":"data:text/javascript;charset=utf-8,`) {
		t.Errorf("xhtml entities: %s", out)
	}
}

// FuzzImportMap: any map text; a valid one stays valid JSON with the same
// structure (only module addresses may change), and nothing panics.
func FuzzImportMap(f *testing.F) {
	f.Add(`{"imports":{"g":"data:text/javascript,if(top!==self)top.location=location"}}`)
	f.Add(`{"scopes":{"/":{"g":"data:;base64,dG9wLmxvY2F0aW9uPTE="}},"imports":{"\u0067":"\u0064ata:,top.x=1#"}}`)
	f.Add(`{"imports":{"g":"data:text/javascript,top.location='%'\u003c/script>"}}`)
	tr := newTestRewriter(f, realOpts())
	fl := &htmlFilter{b: tr.BodyRewriter}
	f.Fuzz(func(t *testing.T, in string) {
		out, n := fl.rewriteImportMap([]byte(in))
		if n == 0 {
			return
		}
		if !json.Valid(out) || strings.Contains(string(out), "<") && !strings.Contains(in, "<") {
			t.Fatalf("%q -> %q", in, out)
		}
		var a, b any
		_ = json.Unmarshal([]byte(in), &a)
		_ = json.Unmarshal(out, &b)
		if !sameShape(a, b) {
			t.Fatalf("shape changed: %q -> %q", in, out)
		}
	})
}

func sameShape(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			if !sameShape(v, b[k]) {
				return false
			}
		}
		return true
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !sameShape(a[i], b[i]) {
				return false
			}
		}
		return true
	case string:
		_, ok := b.(string)
		return ok
	}
	return a == b
}
