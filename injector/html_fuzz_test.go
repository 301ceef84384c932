package injector

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// checkScanTag compares our raw attribute scanner with the tokenizer on
// the first start tag of raw.
func checkScanTag(t *testing.T, raw []byte) {
	t.Helper()
	z := html.NewTokenizer(bytes.NewReader(raw))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		if tt == html.StartTagToken || tt == html.SelfClosingTagToken {
			break
		}
	}
	tok := append([]byte(nil), z.Raw()...)
	nameEnd, attrs := scanTag(tok, nil)
	name, _ := z.TagName()
	// The tokenizer's accessors apply the input-stream preprocessing (NUL
	// to U+FFFD, CR LF to LF); our spans are raw bytes.
	norm := strings.NewReplacer("\x00", "\ufffd", "\r\n", "\n", "\r", "\n").Replace
	if got := norm(asciiLower(tok[1:nameEnd])); got != string(name) {
		t.Fatalf("%q: name %q, tokenizer %q", tok, got, name)
	}
	var want [][2]string
	for {
		k, v, more := z.TagAttr()
		want = append(want, [2]string{string(k), string(v)})
		if !more {
			break
		}
	}
	if len(want) == 1 && want[0][0] == "" {
		want = nil
	}
	var got [][2]string
	seen := map[string]bool{}
	for _, a := range attrs {
		k := norm(asciiLower(tok[a.ks:a.ke]))
		if seen[k] {
			continue // the tokenizer keeps the first of duplicates
		}
		seen[k] = true
		got = append(got, [2]string{k, norm(attrValue(tok, a))})
	}
	if len(got) != len(want) {
		t.Fatalf("%q: attrs %q, tokenizer %q", tok, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%q: attr %d = %q, tokenizer %q", tok, i, got[i], want[i])
		}
	}
}

func FuzzScanTag(f *testing.F) {
	for _, s := range []string{`<a href="x" onclick='y'>`, `<p a=/>`, `<a =x b="1"c=2>`, `<a b='>'>`, `<a b=&amp;c&copy=1>`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkScanTag(t, b)
	})
}

// FuzzHTMLRewrite: never panics; without injection or JS rewriting the
// output is the input; with injection, removing our tags gives the input
// back; the chunking of the input does not matter.
func FuzzHTMLRewrite(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/fuzz/seed/*")
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b, uint8(3))
		}
	}
	for _, s := range []string{"", "<", "<html><head></head>", "\xEF\xBB\xBF<p>", "<script>", "<!--", "<a href=javascript:top.location>"} {
		f.Add([]byte(s), uint8(1))
	}
	plain, err := NewBodyRewriter(BodyOptions{MaxRewriteSize: 1 << 20})
	if err != nil {
		f.Fatal(err)
	}
	inj, err := NewBodyRewriter(BodyOptions{Scripts: []string{testSDK, testInject}, SDKAttrs: testAttrs, MaxRewriteSize: 1 << 20})
	if err != nil {
		f.Fatal(err)
	}
	js, err := NewBodyRewriter(BodyOptions{Scripts: []string{testSDK}, RewriteJS: fakeRewriteJS, MaxRewriteSize: 1 << 20})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in []byte, chunk uint8) {
		h := func() http.Header { return htmlHeader("text/html") }
		out, err, _ := run(t, plain, getReq(), 200, h(), in, int(chunk))
		if err != nil || !bytes.Equal(out, in) {
			t.Fatalf("no-op rewrite changed the input (err=%v):\n in %q\nout %q", err, in, out)
		}
		out, err, _ = run(t, inj, getReq(), 200, h(), in, int(chunk))
		if err != nil {
			t.Fatal(err)
		}
		n := bytes.Count(out, inj.plainInjection)
		// Pages in a charset we do not tokenise, or that load the SDK
		// first, get nothing; everything else exactly one injection.
		if n > 1 || (n == 0 && !bytes.Equal(out, in)) {
			t.Fatalf("%d injections:\n in %q\nout %q", n, in, out)
		}
		if n == 1 {
			// (A <meta> CSP's trusted-types list also gets our policy name.)
			if back := bytes.Replace(out, inj.plainInjection, nil, 1); !bytes.Equal(back, in) && !bytes.Contains(bytes.ToLower(in), []byte("trusted-types")) {
				t.Fatalf("removing the injection does not give the input:\n in %q\nout %q", in, out)
			}
		}
		one, err, _ := run(t, inj, getReq(), 200, h(), in, 0)
		if err != nil || !bytes.Equal(one, out) {
			t.Fatalf("chunk %d changes the output", chunk)
		}
		// With the JS hook: no panic, and the same output however chunked.
		a, err1, _ := run(t, js, getReq(), 200, h(), in, 0)
		b, err2, _ := run(t, js, getReq(), 200, h(), in, int(chunk))
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			t.Fatalf("JS rewrite differs by chunking: %v %v", err1, err2)
		}
	})
}

func asciiLower(b []byte) string {
	out := []byte(string(b))
	for i, c := range out {
		if 'A' <= c && c <= 'Z' {
			out[i] = c + 'a' - 'A'
		}
	}
	return string(out)
}
