package injector

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Differential tests for the fast skip (html_fast.go): every input must
// give the same bytes, the same bytes at every Flush and the same Result
// with the fast skip on as with it off (the tokenizer-only path).

// fastTricky are inputs at the edges of what the fast skip may copy.
var fastTricky = []string{
	`<p title="x>y" class=a>t</p><a title='>' onclick="top.location=1">x</a>`,
	`<p>a</p><a href=javascript:top.location>x</a><a href=/javascript:top.location>y</a>`,
	`<p>x<P ONCLICK="top.location=1">y<div OnClick=top.location>z</div>`,
	`<p>x<input disabled checked><a href>y</a><a href=>z</a><a href= >w</a>`,
	`<p>x<script/>top.location=1</script><p>y<SCRIPT >top.location=2</SCRIPT >`,
	`<p>x<title><b onclick=top.location>t</b></title><textarea><a onclick=top.location></textarea>`,
	`<p>x<plaintext><a onclick=top.location>y</a>`,
	`<p>x<noscript><a onclick=top.location></noscript><xmp><a onclick=top.location></xmp><noembed><a onclick=top.location></noembed><noframes><a onclick=top.location></noframes>`,
	`<p>x<iframe><a onclick=top.location></iframe><style><a onclick=top.location></style><a onclick=top.location>`,
	"<p>x\x00y<p\x00 onclick=top.location>z<a\x00>w</a\x00><a b\x00=\"top.location\">",
	"<p>a\r\nb<p\r\nonclick=top.location>c<p\ronclick\r=\rtop.location>d</p\r\n>",
	`<p>x<!-- <script>top.location=1</script> -->y<a onclick=top.location>`,
	`<p>x<!--> <script>top.location=1</script>`,
	`<p>x<!---> <script>top.location=1</script>`,
	`<p>x<!-- a --!> <script>top.location=1</script> -->`,
	`<p>x<!-- a --!--> <script>top.location=1</script>`,
	`<p>x<!---->y<!-----><!-- - -- --->z<script>top.location=1</script>`,
	`<p>x<!DOCTYPE html><![CDATA[<script>top.location]]><!a><script>top.location=1</script>`,
	`<p>x</p onclick=">"><script>top.location=1</script></a title='>'>y`,
	`<p>x</><script>top.location=1</script></ x><script>top.location=2</script></1>`,
	`<p>x<?php echo "<script>"; ?><script>top.location=1</script>`,
	`<p>a < b <3 <<p>> <= <> <1> <.a onclick=top.location>`,
	`<p>x<meta charset=windows-1252><a onclick="top.location='é'">`,
	`<p>x<meta charset=iso-2022-jp><a onclick=top.location>y<p>z`,
	`<p>x<meta http-equiv="Content-Security-Policy" content="script-src 'self'; trusted-types a">`,
	`<p>x<p a=/>y<br/>z<a href=x/>w<p/ onclick=top.location>`,
	`<p>x<svg><a xlink:href="javascript:top.location">y</a></svg>`,
	`<p>x<a href="&#106;avascript:top.location">a</a><a href=" javascript:top.location">b</a><a href="java` + "\t" + `script:top.location">c</a>`,
	`<p>x<form action=javascript:top.location><button formaction='javascript:top.location'><object data="javascript:top.location">`,
	`<p>Customer &amp; Sons&nbsp;&lt;b&gt; &copy=1 <a href="?a=1&amp;b=2">x</a>`,
	`<p>x<a =onclick=top.location>y<a "onclick"=top.location><a 'x=top.location><a <onclick=top.location>`,
	`<p>x<a onclick="top.location`,
	`<p>x<a title="top.location`,
	`<p>x<a href="`,
	`<p>x<!-- never closed <script>top.location</script>`,
	`<p>x<`,
	`<p>x</`,
	`<p>x<!`,
	`<p>x<script>a</script`,
	`<p>x<script>top.location</scriptx>y</script>`,
	`<p>x<script><!--<script>top.location</script>--></script>z`,
	`<p>x<table><tr class="row0"><td><input type="checkbox" name="sel" value="1"></td><td><a href="#" onclick="return openRecord(top.location)">Account 7</a></td><td>Customer</td><td><!-- status -->Open</td></tr></table>`,
	"\xEF\xBB\xBF<p>x<a onclick=top.location>",
	`<html><head><title>t</title><link rel=x><style>a{}</style><meta name=x content=y></head><body onload="top.location=1"><p>x`,
	`<html><head><script src="/AD/widget/agentdesktop_widget.js"></script></head><body><a onclick=top.location>x</a>`,
	`text only page with no markup at all`,
	`<frameset><frame src="javascript:top.location"></frameset>`,
}

type diffCfg struct {
	name   string
	b      *BodyRewriter
	last   *Result
	ct     string
	xhr    bool
	coding int    // index into testCodings, -1 for none
	like   string // a config whose output this one must equal
}

func like(c *diffCfg, name string) *diffCfg { c.like = name; return c }

func diffConfigs(t testing.TB) []*diffCfg {
	t.Helper()
	mk := func(name string, opts BodyOptions, ct string, xhr bool, coding int) *diffCfg {
		c := &diffCfg{name: name, last: new(Result), ct: ct, xhr: xhr, coding: coding}
		opts.MaxRewriteSize = 1 << 20
		opts.OnResult = func(r Result) { *c.last = r }
		b, err := NewBodyRewriter(opts)
		if err != nil {
			t.Fatal(err)
		}
		c.b = b
		return c
	}
	inj := BodyOptions{Scripts: []string{testSDK, testInject}, SDKAttrs: testAttrs}
	js := goldenOpts()
	pre := goldenOpts()
	pre.JSMayChange = func(b []byte) bool { return bytes.Contains(b, []byte("top")) }
	return []*diffCfg{
		mk("plain", BodyOptions{}, "text/html", false, -1),
		mk("inject", inj, "text/html", false, -1),
		mk("js", js, "text/html", false, -1),
		mk("js-fragment", js, "text/html", true, -1),
		mk("js-1252", js, "text/html; charset=windows-1252", false, -1),
		mk("js-gzip", js, "text/html", false, 0),
		// With the pre-test crm_frame sets: harmless handlers stay plain.
		like(mk("js-precheck", pre, "text/html", false, -1), "js"),
		like(mk("js-precheck-1252", pre, "text/html; charset=windows-1252", false, -1), "js-1252"),
	}
}

// diffBody is in as sent with c's content coding.
func diffBody(t testing.TB, c *diffCfg, in []byte) []byte {
	if c.coding < 0 {
		return in
	}
	return compress(t, testCodings[c.coding], in)
}

// diffRun is one pass: the body (diffBody) in chunks and flushes drawn
// from seed (0: one write, no flush). It returns the output, the output
// length at every flush, the result and the error.
func diffRun(t testing.TB, c *diffCfg, body []byte, seed uint64, fast bool) (out []byte, flushes []int, res Result, err error) {
	t.Helper()
	disableFastSkip = !fast
	defer func() { disableFastSkip = false }()
	r := getReq()
	if c.xhr {
		r.Header.Set("Sec-Fetch-Dest", "empty")
	}
	h := htmlHeader(c.ct)
	if c.coding >= 0 {
		h.Set("Content-Encoding", testCodings[c.coding].name)
	}
	*c.last = Result{}
	var buf bytes.Buffer
	f := c.b.Filter(r, 200, h, &buf)
	if f == nil {
		t.Fatalf("%s: not filtered", c.name)
	}
	if hf, ok := f.(*htmlFilter); !ok || hf.fast != fast {
		t.Fatalf("%s: fast switch not applied", c.name)
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	for len(body) > 0 && err == nil {
		n := len(body)
		if seed != 0 {
			switch rng.IntN(3) {
			case 0:
				n = 1 + rng.IntN(8)
			case 1:
				n = 1 + rng.IntN(64)
			default:
				n = 1 + rng.IntN(4096)
			}
			n = min(n, len(body))
		}
		_, err = f.Write(body[:n])
		body = body[n:]
		if seed != 0 && err == nil && rng.IntN(4) == 0 {
			err = f.Flush()
			flushes = append(flushes, buf.Len())
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	res = *c.last
	res.Duration = 0
	return buf.Bytes(), flushes, res, err
}

// checkFastSkip compares the fast and the slow path on in for every config.
func checkFastSkip(t *testing.T, cfgs []*diffCfg, in []byte, seed uint64) {
	t.Helper()
	outs := map[string][]byte{}
	for _, c := range cfgs {
		body := diffBody(t, c, in)
		slow, sf, sres, serr := diffRun(t, c, body, seed, false)
		fast, ff, fres, ferr := diffRun(t, c, body, seed, true)
		outs[c.name] = fast
		if o, ok := outs[c.like]; ok && !bytes.Equal(o, fast) {
			t.Fatalf("%s seed %d: output differs from %s's\n  in %q\n got %q\nwant %q", c.name, seed, c.like, trunc(in), trunc(fast), trunc(o))
		}
		if c.coding >= 0 {
			// The decoder is read in other sizes (its last block may come
			// out at a later Flush), so the encoder sees other flushes:
			// compare the decoded bodies.
			if serr == nil && ferr == nil {
				slow, fast = decompress(t, testCodings[c.coding], slow), decompress(t, testCodings[c.coding], fast)
			}
			sf, ff, sres.BytesOut, fres.BytesOut = nil, nil, 0, 0
		}
		if fmt.Sprint(serr) != fmt.Sprint(ferr) || !bytes.Equal(slow, fast) {
			t.Fatalf("%s seed %d: output differs\n  in %q\nslow %q (%v)\nfast %q (%v)", c.name, seed, trunc(in), trunc(slow), serr, trunc(fast), ferr)
		}
		if fmt.Sprint(sf) != fmt.Sprint(ff) {
			t.Fatalf("%s seed %d: flushed output differs: slow %v fast %v\n  in %q", c.name, seed, sf, ff, trunc(in))
		}
		if sres != fres {
			t.Fatalf("%s seed %d: result differs\nslow %+v\nfast %+v\n  in %q", c.name, seed, sres, fres, trunc(in))
		}
	}
}

func fastCorpus(t testing.TB) [][]byte {
	t.Helper()
	var corpus [][]byte
	for _, glob := range []string{"testdata/html/*", "testdata/fuzz/seed/*"} {
		files, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range files {
			if strings.HasSuffix(p, ".golden") {
				continue
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			corpus = append(corpus, b)
		}
	}
	for _, s := range fastTricky {
		corpus = append(corpus, []byte(s))
	}
	return append(corpus, genPage(24<<10))
}

func TestFastSkipMatchesSlowPath(t *testing.T) {
	cfgs := diffConfigs(t)
	for _, in := range fastCorpus(t) {
		seeds := []uint64{0, 1, 2}
		if len(in) > 8<<10 {
			seeds = seeds[:2] // big pages: keep the test quick
		}
		for _, seed := range seeds {
			checkFastSkip(t, cfgs, in, seed)
		}
	}
}

// The tricky cases, each cut at every byte.
func TestFastSkipEverySplit(t *testing.T) {
	cfgs := diffConfigs(t)
	for _, s := range fastTricky {
		in := []byte(s)
		for cut := 1; cut < len(in); cut++ {
			for _, c := range cfgs[:3] {
				whole, _, _, _ := diffRun(t, c, in, 0, false)
				got := runSplit(t, c, in, cut)
				if !bytes.Equal(whole, got) {
					t.Fatalf("%s: cut at %d:\n in %q\nwant %q\n got %q", c.name, cut, in, whole, got)
				}
			}
		}
	}
}

func runSplit(t *testing.T, c *diffCfg, in []byte, cut int) []byte {
	t.Helper()
	var buf bytes.Buffer
	f := c.b.Filter(getReq(), 200, htmlHeader(c.ct), &buf)
	if _, err := f.Write(in[:cut]); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(in[cut:]); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func FuzzFastSkip(f *testing.F) {
	for i, b := range fastCorpus(f) {
		if len(b) <= 8<<10 { // TestFastSkipMatchesSlowPath has the big ones
			f.Add(b, uint64(i%5))
		}
	}
	cfgs := diffConfigs(f)
	f.Fuzz(func(t *testing.T, in []byte, seed uint64) {
		checkFastSkip(t, cfgs, in, seed)
	})
}

// The skip must actually carry ordinary markup (a regression to "never
// skips" would still pass the differential tests).
func TestFastSkipEngages(t *testing.T) {
	page := genPage(128 << 10)
	for _, c := range diffConfigs(t)[:3] {
		var buf bytes.Buffer
		f := c.b.Filter(getReq(), 200, htmlHeader(c.ct), &buf).(*htmlFilter)
		for p := page; len(p) > 0; {
			n := min(32<<10, len(p))
			if _, err := f.Write(p[:n]); err != nil {
				t.Fatal(err)
			}
			p = p[n:]
		}
		skipped := f.skipped
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		// Without JS rewriting only the head and scripts need the
		// tokenizer; with it also every tag with an onclick.
		want := 0.9
		if c.b.opts.RewriteJS != nil {
			want = 0.6
		}
		if got := float64(skipped) / float64(len(page)); got < want {
			t.Errorf("%s: fast skip carried %.2f of the page, want >= %.2f", c.name, got, want)
		}
	}
}

func TestFastSkipUnit(t *testing.T) {
	plain, err := NewBodyRewriter(BodyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	js, err := NewBodyRewriter(BodyOptions{RewriteJS: fakeRewriteJS})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		in        string
		plain, js string // the prefix skipped
	}{
		{"abc", "", ""},
		{"abc<p>x", "abc<p>", "abc<p>"},
		{"<p", "", ""},
		{"ab<", "", ""},
		{`<a title="x>y">z<`, `<a title="x>y">`, `<a title="x>y">`},
		{"x<script>", "x", "x"},
		{"x<STYLE>", "x", "x"},
		{"x<meta charset=utf-8>", "x<meta charset=utf-8>", "x<meta charset=utf-8>"},
		{"<a onclick=x>y<b>", "<a onclick=x>y<b>", "<a onclick=x>y<b>"},
		{"<P ONCLICK=x>", "<P ONCLICK=x>", "<P ONCLICK=x>"},
		{`<a href="/x" class=y>z</a><`, `<a href="/x" class=y>z</a>`, `<a href="/x" class=y>z</a>`},
		{"<a href=javascript:x>", "<a href=javascript:x>", "<a href=javascript:x>"},
		{"<!-- c -->x<", "<!-- c -->", "<!-- c -->"},
		{"<!---->y<!---x-->z<p>", "<!---->y<!---x-->z<p>", "<!---->y<!---x-->z<p>"},
		{"a<!-->", "a", "a"},
		{"a<!--->", "a", "a"},
		{"a<!-- --!>", "a", "a"},
		{"a<!DOCTYPE html>", "a", "a"},
		{"</a></b ><", "</a></b >", "</a></b >"},
		{"a</>", "a", "a"},
		{"a</ b>", "a", "a"},
		{"a</", "a", "a"},
		{"a<?x>", "a", "a"},
		{"a < b <3 <<p>", "a < b <3 <<p>", "a < b <3 <<p>"},
		{`<a =x>`, `<a =x>`, ``},
		// A tag the rewriter changes goes through the token handler.
		{`a<b onclick="top.location=1">c<`, `a<b onclick="top.location=1">`, `a<b onclick="__cf.loc(&quot;handler&quot;)=1">`},
		// A charset the tokenizer cannot read ends the skip.
		{`a<meta charset=iso-2022-jp>b<p>c<`, `a<meta charset=iso-2022-jp>`, `a<meta charset=iso-2022-jp>`},
	}
	for _, tc := range cases {
		for _, v := range []struct {
			b    *BodyRewriter
			want string
		}{{plain, tc.plain}, {js, tc.js}} {
			var out bytes.Buffer
			f := newHTMLFilter(v.b, &out, codingIdentity, pageCharset{}, false, false, "", &http.Request{}, Result{})
			f.first = false
			n := f.fastSkip([]byte(tc.in))
			f.flushOut()
			if out.String() != v.want {
				t.Errorf("fastSkip(%q) js=%v: took %q, wrote %q, want %q", tc.in, v.b == js, tc.in[:n], out.String(), v.want)
			}
		}
	}
}

// A stalled body does not hold skipped output back from a Flush.
func TestFastSkipFlush(t *testing.T) {
	tr := newTestRewriter(t, BodyOptions{Scripts: []string{testSDK}})
	var buf bytes.Buffer
	f := tr.Filter(getReq(), 200, htmlHeader("text/html"), &buf)
	head := "<html><head></head><body>"
	rows := strings.Repeat(`<tr><td class="c">cell</td></tr>`, 100)
	if _, err := f.Write([]byte(head + rows + "<tr><td>tail")); err != nil {
		t.Fatal(err)
	}
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "<html><head>" + string(tr.plainInjection) + "</head><body>" + rows + "<tr><td>"
	if buf.String() != want {
		t.Fatalf("after flush:\n got %q\nwant %q", trunc(buf.Bytes()), want)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// Past max_rewrite_size the fast path rewrites exactly the tokens that
// end within the limit, like its tokenizer reads do.
func TestFastSkipOverLimit(t *testing.T) {
	tag := `<p onclick="top.location=1">x</p>`
	in := []byte("<div>" + strings.Repeat(tag, 40) + "</div>")
	for _, max := range []int64{100, 333, 700, 701, 1000} {
		tr := newTestRewriter(t, BodyOptions{RewriteJS: fakeRewriteJS, MaxRewriteSize: max})
		want := 0
		for e := len("<div>") + len(`<p onclick="top.location=1">`); e <= int(max); e += len(tag) {
			want++
		}
		for _, chunk := range []int{0, 7, 64} {
			r := getReq()
			r.Header.Set("Sec-Fetch-Dest", "empty")
			out, err, _ := run(t, tr.BodyRewriter, r, 200, htmlHeader("text/html"), in, chunk)
			if err != nil {
				t.Fatal(err)
			}
			res := tr.last(t)
			if got := bytes.Count(out, []byte("__cf.loc")); got != want || res.JSRewrites != want || res.Action != ActionTooLarge {
				t.Errorf("max %d chunk %d: %d rewritten (result %+v), want %d", max, chunk, got, res, want)
			}
			back := strings.ReplaceAll(string(out), `__cf.loc(&quot;handler&quot;)`, "top.location")
			if back != string(in) {
				t.Errorf("max %d chunk %d: output %q", max, chunk, trunc(out))
			}
		}
	}
}

// mayBeJSURL may only say no when decoding the value cannot give a
// javascript: URL.
func checkMayBeJSURL(t *testing.T, v []byte) {
	t.Helper()
	if mayBeJSURL(v) {
		return
	}
	for _, q := range []byte{'"', '\'', 0} {
		if code, ok := splitJSURL(unescapeAttr(v, q)); ok {
			t.Fatalf("mayBeJSURL(%q) = false, but it runs %q", v, code)
		}
	}
}

func TestMayBeJSURL(t *testing.T) {
	for _, c := range []struct {
		v    string
		want bool
	}{
		{"/crm/record.do?id=1&amp;tab=overview", false},
		{"https://x/?a=1&b=2", false},
		{"javascriptx&amp;", false},
		{"javascript:x", true},
		{" JavaScript:x", true},
		{"&#106;avascript:x", true},
		{"java&#115;cript:x", true},
		{"javascript&colon;x", true},
		{"&Tab;javascript:x", true},
		{"java\tscript:x", true},
		{"/x", false},
	} {
		if got := mayBeJSURL([]byte(c.v)); got != c.want {
			t.Errorf("mayBeJSURL(%q) = %v, want %v", c.v, got, c.want)
		}
		checkMayBeJSURL(t, []byte(c.v))
	}
}

func FuzzMayBeJSURL(f *testing.F) {
	for _, s := range []string{"javascript:x", "java&#115;cript:x", "/a?b=1&amp;c", "&Tab;javascript:", "j&#X61;vascript&colon;"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		checkMayBeJSURL(t, v)
	})
}
