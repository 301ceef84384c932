package jsrewrite

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
)

// TestDataModuleSpecifier pins what the HTML rewriter relies on for import
// maps (injector/importmap.go): it hands each data: module address over as
// `import "…";` and reads the new address back from between the quotes.
// The output is that same statement with a data: URL made only of
// unreserved characters and %XX escapes, whose code is the module
// rewritten.
func TestDataModuleSpecifier(t *testing.T) {
	const code = `if (top !== self) top.location = "/login?a=1&b=é"`
	want, res := Rewrite([]byte(code), Module)
	if !res.Changed {
		t.Fatal("guard not rewritten")
	}
	for _, spec := range []string{
		"data:text/javascript," + url.PathEscape(code),
		"data:text/javascript;base64," + base64.StdEncoding.EncodeToString([]byte(code)),
		"data:text/javascript;charset=utf-8;base64," + base64.StdEncoding.EncodeToString([]byte(code)),
	} {
		out, res := Rewrite([]byte(`import "`+spec+`";`), Module)
		s := string(out)
		u, ok1 := strings.CutPrefix(s, `import "data:text/javascript;charset=utf-8,`)
		u, ok2 := strings.CutSuffix(u, `";`)
		if !res.Changed || !ok1 || !ok2 || res.Counts[CountImport] != 1 {
			t.Fatalf("%s: %q %v", spec, s, res.Counts)
		}
		if strings.Trim(u, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~!*()%") != "" {
			t.Errorf("%s: characters outside the unreserved set: %q", spec, u)
		}
		got, err := url.PathUnescape(u)
		if err != nil || got != string(want) {
			t.Errorf("%s: module %q (%v), want %q", spec, got, err, want)
		}
	}
	// A lone '%' is kept, as the browser's data: URL decoder keeps it.
	lone := `if(top!==self)top.location=location//%`
	wantLone, _ := Rewrite([]byte(lone), Module)
	out, _ := Rewrite([]byte(`import "data:text/javascript,`+lone+`";`), Module)
	u := strings.TrimSuffix(strings.TrimPrefix(string(out), `import "data:text/javascript;charset=utf-8,`), `";`)
	if got, err := url.PathUnescape(u); err != nil || got != string(wantLone) {
		t.Errorf("lone %%: module %q (%v), want %q", got, err, wantLone)
	}
	// Left alone: code that needs no change, a literal with an escape (the
	// HTML rewriter percent-encodes it before asking).
	for _, src := range []string{
		`import "data:text/javascript,console.log(1)";`,
		`import "data:text/javascript,top.location=\u0022x\u0022";`,
	} {
		if out, res := Rewrite([]byte(src), Module); res.Changed {
			t.Errorf("%s: changed to %s", src, out)
		}
	}
}
