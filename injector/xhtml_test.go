package injector

import (
	"bytes"
	"encoding/xml"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
)

const (
	xhNS   = `xmlns="http://www.w3.org/1999/xhtml"`
	xhHead = `<?xml version="1.0"?><html ` + xhNS + `><body>`
	xhTail = `</body></html>`
	xhCT   = "application/xhtml+xml"
)

// xhRun rewrites an XHTML body (one write) and returns the output.
func xhRun(t testing.TB, b *BodyRewriter, ct, in string) string {
	t.Helper()
	out, err, ok := run(t, b, getReq(), 200, htmlHeader(ct), []byte(in), 0)
	if err != nil || !ok {
		t.Fatalf("%q: err=%v filtered=%v", in, err, ok)
	}
	return string(out)
}

// TestXHTMLScripts: what XHTML runs as a script (by namespace, with its
// text as XML decodes it) is rewritten; what it does not run is not.
func TestXHTMLScripts(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{RewriteJS: fakeRewriteJS})
	const cl, hd = `__cf.loc("classic")`, `__cf.loc(&quot;handler&quot;)`
	cases := []struct{ name, in, want string }{
		// Entities outside CDATA: decoded for the rewriter; the bytes
		// around the change stay as sent.
		{"entities", `<script>if (a &amp;&amp; top.location) {}</script>`, `<script>if (a &amp;&amp; ` + cl + `) {}</script>`},
		{"quot", `<script>top.location = &quot;/x&quot;;</script>`, `<script>` + cl + ` = &quot;/x&quot;;</script>`},
		{"numeric", `<script>&#116;op.location = 1; &#x74;op.location = 2;</script>`, `<script>` + cl + ` = 1; ` + cl + ` = 2;</script>`},
		// "</script>" in CDATA ends nothing; the change stays in the CDATA.
		{"cdata", `<script><![CDATA[var s = "</script>"; top.location = 1;]]></script>`, `<script><![CDATA[var s = "</script>"; ` + cl + ` = 1;]]></script>`},
		{"cdata split", `<script>var a = 1 &lt; 2;<![CDATA[ top.location = a && 1;]]></script>`, `<script>var a = 1 &lt; 2;<![CDATA[ ` + cl + ` = a && 1;]]></script>`},
		{"comment", `<script>top.location<!-- c --> = 1;</script>`, `<script>` + cl + `<!-- c --> = 1;</script>`},
		// By namespace, not by spelling.
		{"prefixed", `<h:script xmlns:h="http://www.w3.org/1999/xhtml">top.location = 1;</h:script>`, `<h:script xmlns:h="http://www.w3.org/1999/xhtml">` + cl + ` = 1;</h:script>`},
		{"prefix elsewhere", `<h:script xmlns:h="urn:crm">top.location = 1;</h:script>`, ``},
		{"unbound prefix", `<h:script>top.location = 1;</h:script>`, ``},
		{"default elsewhere", `<div xmlns="urn:crm"><script>top.location = 1;</script></div>`, ``},
		{"default back", `<div xmlns="urn:crm"><p ` + xhNS + `><script>top.location = 1;</script></p></div>`, `<div xmlns="urn:crm"><p ` + xhNS + `><script>` + cl + ` = 1;</script></p></div>`},
		{"prefix rebound", `<h:div xmlns:h="http://www.w3.org/1999/xhtml"><x xmlns:h="urn:crm"><h:script>top.location = 1;</h:script></x></h:div>`, ``},
		{"svg", `<s:svg xmlns:s="http://www.w3.org/2000/svg"><s:script>top.location = 1;</s:script></s:svg>`, `<s:svg xmlns:s="http://www.w3.org/2000/svg"><s:script>` + cl + ` = 1;</s:script></s:svg>`},
		// Elements HTML reads as raw text hold elements in XML.
		{"textarea", `<textarea>x<script>top.location = 1;</script></textarea>`, `<textarea>x<script>` + cl + ` = 1;</script></textarea>`},
		{"title", `<title><script>top.location = 1;</script></title>`, `<title><script>` + cl + ` = 1;</script></title>`},
		// XML names are case-sensitive: TYPE is not the type attribute,
		// SCRIPT is not a script.
		{"TYPE", `<script TYPE="text/plain">top.location = 1;</script>`, `<script TYPE="text/plain">` + cl + ` = 1;</script>`},
		{"data type", `<script type="text/plain">top.location = 1;</script>`, ``},
		{"SCRIPT", `<SCRIPT>top.location = 1;</SCRIPT>`, ``},
		// What cannot be decoded exactly is left as it is.
		{"element inside", `<script>top.location = 1;<b/>x</script>`, ``},
		{"unknown entity", `<script>top.location = &foo;;</script>`, ``},
		{"html entity without doctype", `<script>top.location = "&nbsp;";</script>`, ``},
		{"bare ampersand", `<script>if (a && top.location) {}</script>`, ``},
		{"bad reference", `<script>top.location = "&#0;";</script>`, ``},
		// Handlers and javascript: URLs of XHTML, SVG, MathML elements;
		// values as XML reads them (white space normalized), escaped for XML.
		{"handler", `<img onerror="if (a &lt; b) top.location = 1;"/>`, `<img onerror="if (a &lt; b) ` + hd + ` = 1;"/>`},
		{"handler ws", "<img onerror='top.location =\n1&#10;'/>", `<img onerror='__cf.loc("handler") = 1&#10;'/>`},
		{"prefixed handler", `<h:img xmlns:h="http://www.w3.org/1999/xhtml" onerror="top.location = 1"/>`, `<h:img xmlns:h="http://www.w3.org/1999/xhtml" onerror="` + hd + ` = 1"/>`},
		{"handler elsewhere", `<c:img xmlns:c="urn:crm" onerror="top.location = 1"/>`, ``},
		{"unquoted", `<img onerror=top.location/>`, ``},
		{"js url", `<a href="javascript:top.location=1">x</a>`, `<a href="javascript:__cf.loc(&quot;url&quot;)/*100%25*/=1">x</a>`},
		{"srcdoc", `<iframe srcdoc="&lt;script&gt;top.location = 1&lt;/script&gt;"/>`, `<iframe srcdoc="&lt;script>__cf.loc(&quot;classic&quot;) = 1&lt;/script>"/>`},
		{"xlink", `<s:a xmlns:s="http://www.w3.org/2000/svg" xmlns:l="http://www.w3.org/1999/xlink" l:href="javascript:top.location=1">x</s:a>`,
			`<s:a xmlns:s="http://www.w3.org/2000/svg" xmlns:l="http://www.w3.org/1999/xlink" l:href="javascript:__cf.loc(&quot;url&quot;)/*100%25*/=1">x</s:a>`},
	}
	for _, c := range cases {
		want := c.want
		if want == "" {
			want = c.in
		}
		if got := xhRun(t, tr.BodyRewriter, xhCT, xhHead+c.in+xhTail); got != xhHead+want+xhTail {
			t.Errorf("%s:\n  in %s\n got %s\nwant %s", c.name, c.in, got, xhHead+want+xhTail)
		}
	}
}

// TestXHTMLMetaAndCount: a <meta> CSP's trusted-types gets our policy
// name; scripts left as they are are counted.
func TestXHTMLMetaAndCount(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}, RewriteJS: fakeRewriteJS})
	in := xhHead + `<meta http-equiv="Content-Security-Policy" content="trusted-types a"/><script>top.location = &foo;;</script><script>top.location = 1;<b/></script><script>top.location;</script>` + xhTail
	var buf bytes.Buffer
	f := tr.Filter(getReq(), 200, htmlHeader(xhCT), &buf).(*htmlFilter)
	if _, err := f.Write([]byte(in)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, `content="trusted-types a crmframe"`) {
		t.Errorf("meta CSP not edited: %s", out)
	}
	if res := tr.last(t); res.ScriptsLeft != 2 || res.JSRewrites != 1 {
		t.Errorf("left %d, rewritten %d: want 2 and 1", res.ScriptsLeft, res.JSRewrites)
	}
}

// TestXHTMLDoctype: references a doctype defines are decoded as the
// browser decodes them (Chromium: e2e/xmldoc_test.go xh-dtd, xh-named).
func TestXHTMLDoctype(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{RewriteJS: fakeRewriteJS})
	const xhtml10 = `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">`
	doc := func(doctype, body string) string {
		return `<?xml version="1.0"?>` + doctype + `<html ` + xhNS + `><body>` + body + `</body></html>`
	}
	cases := []struct{ name, doctype, in, want string }{
		{"named under XHTML doctype", xhtml10, `<script>var s = "&nbsp;"; top.location = s;</script>`, `<script>var s = "&nbsp;"; __cf.loc("classic") = s;</script>`},
		{"text entity", `<!DOCTYPE html [<!ENTITY t "top">]>`, `<script>&t;.location = 1;</script>`, `<script>__cf.loc("classic") = 1;</script>`},
		{"entity with references", `<!DOCTYPE html [<!ENTITY t "&#116;op &amp;&amp; top">]>`, `<script>if (&t;.location) {}</script>`, `<script>if (top &amp;&amp; __cf.loc("classic")) {}</script>`},
		// An entity whose text is markup is parsed where it is used: its
		// text is spliced in and rewritten like the page's own.
		{"markup entity", `<!DOCTYPE html [<!ENTITY s "<script>top.location = 1;</script>">]>`, `<p>&s;</p>`, `<p><script>__cf.loc("classic") = 1;</script></p>`},
		{"markup in script", `<!DOCTYPE html [<!ENTITY s "<![CDATA[top.location = 1;]]>">]>`, `<script>&s;</script>`, `<script><![CDATA[__cf.loc("classic") = 1;]]></script>`},
		{"entity handler", `<!DOCTYPE html [<!ENTITY h '<img onerror="top.location = 1"/>'>]>`, `&h;`, `<img onerror="__cf.loc(&quot;handler&quot;) = 1"/>`},
		{"entity of a markup entity", `<!DOCTYPE html [<!ENTITY t "&s;"><!ENTITY s "<script>top.location = 1;</script>">]>`, `<p>&t;</p>`, `<p><script>__cf.loc("classic") = 1;</script></p>`},
		// Not whole content: not well-formed where used; left as it is.
		{"unbalanced entity", `<!DOCTYPE html [<!ENTITY b "<b>">]>`, `&b;<script>top</script></b>`, ``},
		{"external entity", `<!DOCTYPE html [<!ENTITY t SYSTEM "t.ent">]>`, `<script>&t;.location = 1;</script>`, ``},
		// '>' and quotes inside the internal subset do not end the doctype.
		{"subset with '>'", `<!DOCTYPE html [<!-- a > b --><!ENTITY g "a>b"><?pi ]>?>]>`, `<script>top.location = "&g;";</script>`, `<script>__cf.loc("classic") = "&g;";</script>`},
		{"self-recursive entity", `<!DOCTYPE html [<!ENTITY a "<b>&a;</b>">]>`, `<p>&a;</p>`, ``},
	}
	for _, c := range cases {
		want := c.want
		if want == "" {
			want = c.in
		}
		if got := xhRun(t, tr.BodyRewriter, xhCT, doc(c.doctype, c.in)); got != doc(c.doctype, want) {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, doc(c.doctype, want))
		}
	}
}

// TestXHTMLRewriterSees: the JS rewriter gets a script's text as the
// browser runs it.
func TestXHTMLRewriterSees(t *testing.T) {
	var seen []string
	tr := newTestRewriter(t, BodyOptions{RewriteJS: func(src []byte, kind JSKind) ([]byte, bool) {
		seen = append(seen, string(src))
		return nil, false
	}})
	for in, want := range map[string]string{
		`<script>a &amp;&amp; b &lt; c &#x26; "&quot;&apos;"</script>`:          `a && b < c & ""'"`,
		`<script>x<![CDATA[&amp;</script>]]>y<!-- c -->z<?p ?></script>`:        `x&amp;</script>yz`,
		`<h:script xmlns:h="http://www.w3.org/1999/xhtml">&#x10000;</h:script>`: "\U00010000",
		"<img onclick=\"a\r\nb\tc&#9;d\"/>":                                     "a b c\td",
	} {
		seen = nil
		xhRun(t, tr.BodyRewriter, xhCT, xhHead+in+xhTail)
		if len(seen) != 1 || seen[0] != want {
			t.Errorf("%s: rewriter saw %q, want %q", in, seen, want)
		}
	}
}

// TestXHTMLSplice: a rewritten script keeps its bytes outside the change,
// and the change is written so that it parses back to the new code,
// whatever it contains and wherever it falls.
func TestXHTMLSplice(t *testing.T) {
	xs := &xhtmlState{}
	contents := []string{
		`top`, `a top b`, `//<![CDATA[` + "\n" + `top` + "\n" + `//]]>`, `<![CDATA[a]]]]><![CDATA[>top]]>`,
		`x &amp; top &lt; y`, `a<!--c-->top<!--d-->b`, `<![CDATA[top]]>`, `&#116;op`, `a]]&gt;top`, `<![CDATA[]]]]><![CDATA[>]]>top`,
		`t<![CDATA[o]]>p`, `<![CDATA[a]]>top<![CDATA[b]]>`, ``, `<![CDATA[x]]top]]>`, `<![CDATA[top>]]>`, `<![CDATA[top]]]]><![CDATA[>]]>`,
	}
	news := []func(string) string{
		func(s string) string { return strings.ReplaceAll(s, "top", "__v(top)") },
		func(s string) string { return strings.ReplaceAll(s, "top", "]]>&<\r]") },
		func(s string) string { return strings.ReplaceAll(s, "top", "") },
		func(s string) string { return "]" + s + "]]" },
		func(s string) string { return ">" + s + "]]>" },
		func(s string) string { return strings.ReplaceAll(s, "top", "t]]>op") },
		func(s string) string { return s + "x" },
		// "]]>" where the change meets the old bytes.
		func(s string) string { return strings.ReplaceAll(s, "top", ">") },
		func(s string) string { return strings.ReplaceAll(s, "top", "a]]") },
		func(s string) string { return strings.ReplaceAll(s, "top", "a]") },
	}
	for _, c := range contents {
		d, atoms, ok := xs.decodeContent([]byte(c))
		if !ok {
			t.Fatalf("%q: not decoded", c)
		}
		for i, nf := range news {
			o := nf(string(d))
			out := spliceContent([]byte(c), d, atoms, []byte(o))
			got, _, ok := xs.decodeContent(out)
			if !ok || string(got) != o {
				t.Errorf("%q, change %d: spliced %q decodes to %q (%v), want %q", c, i, out, got, ok, o)
			}
			doc := "<r>" + string(out) + "</r>"
			if !xmlWellFormed([]byte(doc)) && !strings.Contains(o, "\r") {
				t.Errorf("%q, change %d: %q is not well-formed", c, i, doc)
			}
		}
	}
	// Bytes before and after the change stay as they were.
	c := "//<![CDATA[\nvar a = 1 < 2;\ntop.x();\n//]]>"
	d, atoms, _ := xs.decodeContent([]byte(c))
	out := spliceContent([]byte(c), d, atoms, bytes.ReplaceAll(d, []byte("top"), []byte("__v(top)")))
	if want := "//<![CDATA[\nvar a = 1 < 2;\n__v(top).x();\n//]]>"; string(out) != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

// TestXHTMLInjection: our tags go inside the root element, after <head>,
// in the XHTML namespace, never where they would break the document.
func TestXHTMLInjection(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}, RewriteJS: fakeRewriteJS})
	tag := `<script src="` + testSDK + `"></script>`
	nsTag := `<script xmlns="http://www.w3.org/1999/xhtml" src="` + testSDK + `"></script>`
	cases := []struct{ in, before, tag string }{
		{`<?xml version="1.0"?><html ` + xhNS + `><head><title>t</title></head><body/></html>`, `<?xml version="1.0"?><html ` + xhNS + `><head>`, tag},
		{`<html ` + xhNS + `>` + "\n" + `<head>` + "\n" + `<!-- c --><meta charset="utf-8"/><title>t</title><script>a()</script></head></html>`, `<html ` + xhNS + `>` + "\n" + `<head>` + "\n" + `<!-- c -->`, tag},
		{`<h:html xmlns:h="http://www.w3.org/1999/xhtml"><h:head><h:title>t</h:title></h:head></h:html>`, `<h:html xmlns:h="http://www.w3.org/1999/xhtml"><h:head>`, nsTag},
		{`<doc xmlns="urn:crm"><x/></doc>`, `<doc xmlns="urn:crm">`, nsTag},
		{`<html ` + xhNS + `><body><p/></body></html>`, `<html ` + xhNS + `>`, tag},
		{`<html ` + xhNS + `><head/><body/></html>`, `<html ` + xhNS + `>`, tag},
		{`<html ` + xhNS + `><head></head></html>`, `<html ` + xhNS + `><head>`, tag},
		{`<html ` + xhNS + `>text</html>`, `<html ` + xhNS + `>`, tag},
		{`<html>` + `<head></head></html>`, `<html>`, nsTag}, // no namespace: not a page, tags declare XHTML
		{`<html ` + xhNS + `/>`, ``, ``},
		{`<?xml version="1.0"?><!-- nothing -->`, ``, ``},
		{`<html ` + xhNS + `><head><title>a</title><script src="/__crmframe/sdk.js?v=1"></script></head></html>`, ``, ``}, // has the SDK
	}
	for _, c := range cases {
		out := xhRun(t, tr.BodyRewriter, xhCT, c.in)
		if c.tag == "" {
			if out != c.in {
				t.Errorf("%s: got %s, want it unchanged", c.in, out)
			}
			continue
		}
		if want := c.before + c.tag + c.in[len(c.before):]; out != want {
			t.Errorf("%s:\n got %s\nwant %s", c.in, out, want)
		}
		if xmlWellFormed([]byte(c.in)) != xmlWellFormed([]byte(out)) {
			t.Errorf("%s: well-formedness changed: %s", c.in, out)
		}
	}
}

// TestXHTMLCharset: a page in another charset is edited in place; a
// character the charset lacks is written as a reference.
func TestXHTMLCharset(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{RewriteJS: fakeRewriteJS})
	in := "<?xml version=\"1.0\" encoding=\"windows-1252\"?><html " + xhNS + "><body><script>var s = \"\xe9\"; top.location = s;</script></body></html>"
	want := strings.Replace(in, "top.location", `__cf.loc("classic")`, 1)
	if got := xhRun(t, tr.BodyRewriter, xhCT, in); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	// A rewrite touching the whole text, in a charset without U+4E2D.
	wrap := newTestRewriter(t, BodyOptions{RewriteJS: func(src []byte, _ JSKind) ([]byte, bool) {
		return append(append([]byte("/*x*/"), src...), ';'), true
	}})
	in = "<?xml version=\"1.0\" encoding=\"windows-1252\"?><html " + xhNS + "><body><script>var s = \"&#x4E2D;\xe9\" &amp;&amp; 1</script></body></html>"
	want = "<?xml version=\"1.0\" encoding=\"windows-1252\"?><html " + xhNS + "><body><script>/*x*/var s = \"&#20013;\xe9\" &amp;&amp; 1;</script></body></html>"
	if got := xhRun(t, wrap.BodyRewriter, xhCT, in); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// TestAttrUnsupportedCharRef: in a handler rewritten in a page whose
// charset lacks a character, the character becomes a reference, not the
// text of one (it used to be escaped again: "&amp;#20013;").
func TestAttrUnsupportedCharRef(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{RewriteJS: fakeRewriteJS})
	for _, ct := range []string{"text/html; charset=windows-1252", xhCT + "; charset=windows-1252"} {
		in := `<html ` + xhNS + `><body><a onclick="var s = '&#x4E2D;'; top.location = s">x</a></body></html>`
		out := xhRun(t, tr.BodyRewriter, ct, in)
		z := html.NewTokenizer(strings.NewReader(out))
		var got string
		for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
			if tok := z.Token(); tok.Data == "a" && tt == html.StartTagToken {
				got = tok.Attr[0].Val
			}
		}
		if want := `var s = '中'; __cf.loc("handler") = s`; got != want {
			t.Errorf("%s: handler decodes to %q, want %q (%s)", ct, got, want, out)
		}
	}
}

// TestXHTMLChunks: chunk boundaries and flushes change nothing.
func TestXHTMLChunks(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}, RewriteJS: fakeRewriteJS})
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200; i++ {
		in := xhGenDoc(rng)
		whole := xhRun(t, tr.BodyRewriter, xhCT, in)
		var buf bytes.Buffer
		f := tr.Filter(getReq(), 200, htmlHeader(xhCT), &buf)
		for rest := []byte(in); len(rest) > 0; {
			n := min(1+rng.IntN(40), len(rest))
			if _, err := f.Write(rest[:n]); err != nil {
				t.Fatal(err)
			}
			if rng.IntN(3) == 0 {
				if err := f.Flush(); err != nil {
					t.Fatal(err)
				}
			}
			rest = rest[n:]
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		if buf.String() != whole {
			t.Fatalf("chunked output differs:\n  in %s\n got %s\nwant %s", in, buf.String(), whole)
		}
	}
}

// TestXHTMLLimits: a token over max_rewrite_size ends rewriting (the rest
// as received); nothing is lost at the end of a truncated page.
func TestXHTMLLimits(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{RewriteJS: fakeRewriteJS, MaxRewriteSize: 1 << 10})
	big := xhHead + `<!--` + strings.Repeat("x", 2<<10) + `--><script>top.location</script>` + xhTail
	if got := xhRun(t, tr.BodyRewriter, xhCT, big); got != big {
		t.Errorf("over the limit: output changed")
	}
	if a := tr.last(t).Action; a != ActionTooLarge {
		t.Errorf("action %q, want %q", a, ActionTooLarge)
	}
	for _, in := range []string{xhHead + `<script>top.location`, xhHead + `<p a="`, xhHead + `<![CDATA[x`, `<!DOCTYPE html [ <!ENTITY`, xhHead + `&`} {
		if got := xhRun(t, tr.BodyRewriter, xhCT, in); got != in {
			t.Errorf("truncated %q: got %q", in, got)
		}
	}
}

// xmlWellFormed is the property's judge: encoding/xml, plus one root
// element and no text outside it. HTML's named references are allowed
// (the browser knows them under an XHTML doctype; the rewriter decodes
// them only there, so both sides agree).
func xmlWellFormed(b []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Entity = xml.HTMLEntity
	d.CharsetReader = charset.NewReaderLabel
	depth, roots := 0, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return depth == 0 && roots == 1
		}
		if err != nil {
			return false
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.Trim(tok, " \t\r\n")) > 0 {
				return false
			}
		}
	}
}

var xhFrags = []string{
	`<script>if (a &amp;&amp; top.location) {}</script>`,
	`<script><![CDATA[var s = "</script>"; top.location = 1;]]></script>`,
	`<h:script xmlns:h="http://www.w3.org/1999/xhtml">&#116;op.location = "]]"</h:script>`,
	`<script>top.location<!-- c --> = 1;</script>`,
	`<script>a[b[top.location]]&gt;0</script>`,
	`<script><![CDATA[a[b[top.location]]]]><![CDATA[>0]]></script>`,
	`<script>//<![CDATA[` + "\n" + `top.location = 1 < 2;` + "\n" + `//]]></script>`,
	`<img onerror="if (a &lt; b) top.location = 1;"/>`,
	`<img onerror='top.location = "&#10;"' alt="x"/>`,
	`<a href="javascript:top.location=1">x</a>`,
	`<textarea><script>x]]&gt;top.location</script></textarea>`,
	`<p>text &amp; more &nbsp;</p>`, `<!-- comment -->`, `<?pi x?>`, `<![CDATA[ <script>top.location</script> ]]>`,
	`<div xmlns="urn:x"><script>top.location</script></div>`,
	`<s:svg xmlns:s="http://www.w3.org/2000/svg"><s:script>top.location</s:script></s:svg>`,
	`<script>top.location = "&nbsp;"</script>`,
	`<script>top.location<b>x</b></script>`,
}

func xhGenDoc(rng *rand.Rand) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><html ` + xhNS + `><head><title>t</title></head><body>`)
	for n := rng.IntN(6); n >= 0; n-- {
		b.WriteString(xhFrags[rng.IntN(len(xhFrags))])
	}
	b.WriteString(`</body></html>`)
	return b.String()
}

var xhPoison = []string{"&", "<", "]]>", `"`, "'", "</x>", "<x>", "&#0;", "-->", "<!--", "&lt", "\x00", ">"}

// checkXHTMLWellFormed: the output parses as XML iff the input does.
func checkXHTMLWellFormed(t *testing.T, b *BodyRewriter, in []byte) {
	if bytes.Contains(in, []byte("<!ENTITY")) {
		return // encoding/xml does not read internal subsets (TestXHTMLDoctype)
	}
	out, err, _ := run(t, b, getReq(), 200, htmlHeader(xhCT), in, 0)
	if err != nil {
		t.Fatal(err)
	}
	if wi, wo := xmlWellFormed(in), xmlWellFormed(out); wi != wo {
		t.Fatalf("input well-formed %v, output %v:\n  in %q\n out %q", wi, wo, in, out)
	}
}

func TestXHTMLWellFormed(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}, RewriteJS: fakeRewriteJS})
	rng := rand.New(rand.NewPCG(3, 4))
	wf := 0
	for i := 0; i < 500; i++ {
		in := xhGenDoc(rng)
		if xmlWellFormed([]byte(in)) {
			wf++
		}
		checkXHTMLWellFormed(t, tr.BodyRewriter, []byte(in))
		for m := 0; m < 3; m++ {
			at := rng.IntN(len(in) + 1)
			var mut string
			if rng.IntN(4) == 0 && at < len(in) {
				mut = in[:at] + in[at+1:]
			} else {
				mut = in[:at] + xhPoison[rng.IntN(len(xhPoison))] + in[at:]
			}
			checkXHTMLWellFormed(t, tr.BodyRewriter, []byte(mut))
		}
	}
	if wf < 100 {
		t.Fatalf("only %d of 500 generated pages are well-formed: the property proves little", wf)
	}
}

func FuzzXHTMLWellFormed(f *testing.F) {
	for _, s := range xhFrags {
		f.Add([]byte(xhHead + s + xhTail))
	}
	f.Add([]byte(`<h:html xmlns:h="http://www.w3.org/1999/xhtml"><h:head/><h:body><h:script>top.location</h:script></h:body></h:html>`))
	tr := newTestRewriter(f, BodyOptions{Scripts: []string{testSDK}, RewriteJS: fakeRewriteJS})
	f.Fuzz(func(t *testing.T, in []byte) {
		checkXHTMLWellFormed(t, tr.BodyRewriter, in)
	})
}

// The generated corpus must exercise what it claims to.
func TestXHTMLGeneratorRewrites(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{RewriteJS: fakeRewriteJS})
	n := 0
	for _, s := range xhFrags {
		if strings.Contains(xhRun(t, tr.BodyRewriter, xhCT, xhHead+s+xhTail), "__cf.loc") {
			n++
		}
	}
	if n < 12 {
		t.Fatalf("%d fragments rewritten", n)
	}
}

// BenchmarkRewriteXHTML: a table-heavy XHTML page (the XML tokenizer; no
// fast skip).
func BenchmarkRewriteXHTML(b *testing.B) {
	var page strings.Builder
	page.WriteString(`<?xml version="1.0" encoding="utf-8"?><html ` + xhNS + `><head><title>t</title><script>//<![CDATA[` + "\nif (top.location != self.location) {}\n" + `//]]></script></head><body><table>`)
	for page.Len() < 1<<20 {
		page.WriteString(`<tr><td class="a">ACME &amp; Co</td><td><a href="/x?a=1&amp;b=2" onclick="openRecord(42)">open</a></td></tr>` + "\n")
	}
	page.WriteString(`</table></body></html>`)
	in := []byte(page.String())
	tr := newTestRewriter(b, goldenOpts())
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		f := tr.Filter(getReq(), 200, htmlHeader(xhCT), &buf)
		for p := in; len(p) > 0; {
			n := min(32<<10, len(p))
			if _, err := f.Write(p[:n]); err != nil {
				b.Fatal(err)
			}
			p = p[n:]
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
