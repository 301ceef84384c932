package injector

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/text/encoding"
)

const (
	// outBufSize: output goes to the client in chunks of this size. A
	// rewritten page has no Content-Length, so HTTP/1.1 sends it chunked,
	// and net/http writes each chunk of more than 4 KiB with two syscalls
	// (header and first bytes through its buffer, the rest directly):
	// 64 KiB chunks take a 128 KiB page from 11 to 8 writes (strace).
	outBufSize = 64 << 10
	// holdLimit bounds the inert head content (title, meta, link, style)
	// we look past to see whether the page's first script is our SDK.
	holdLimit = 16 << 10
	// recordLimit bounds the compressed input kept until the first output
	// byte is sent, so a stream that turns out corrupt can still go out as
	// the upstream sent it.
	recordLimit = 1 << 20
)

var (
	outBufs    = sync.Pool{New: func() any { b := make([]byte, 0, outBufSize); return &b }}
	holdBufs   = sync.Pool{New: func() any { b := make([]byte, 0, holdLimit); return &b }}
	scriptBufs = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}
	// recordBufs hold a compressed page's input until the first output
	// (13 KB for the bench's 128 KB gzip page: grown by append, half of
	// what such a page allocated).
	recordBufs = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}
)

var errStopped = errors.New("rewriter stopped")

// phase is where the rewriter stands relative to the injection point.
type phase uint8

const (
	phaseStart phase = iota // before it: doctype, comments, <html>, <head>, charset <meta>
	phaseHold               // at it: holding inert head content to see what the first script is
	phaseDone               // injected, or decided not to
)

// rawKind says what the tokenizer's next text token is.
type rawKind uint8

const (
	rawNone   rawKind = iota
	rawInert          // text of <title> or <style>
	rawScript         // a script body we rewrite
)

// htmlFilter rewrites one HTML response. The x/net/html tokenizer pulls
// its input, while the proxy pushes body chunks: the tokenizer runs in a
// coroutine (iter.Pull) that Write resumes with each chunk and that parks
// again once the chunk is consumed. Whenever Write, Flush or Close run,
// the coroutine is parked, so they own all state.
type htmlFilter struct {
	b      *BodyRewriter
	dst    counter
	coding string
	// outCoding is the coding the rewritten body goes out in. When it is
	// not coding the headers wait for our first byte (codingSetter):
	// until then the CRM's bytes may still go out as received.
	outCoding string
	xhtml     bool
	host      string
	req       *http.Request // whose response this is (RewriteJSFor)
	max       int64

	// coroutine and its input
	resumeFn func() (struct{}, bool)
	stopFn   func()
	yield    func(struct{}) bool
	in       []byte
	eof      bool
	started  bool
	finished bool
	stopping bool
	runErr   error
	total    int64

	// fast skip (html_fast.go)
	fast    bool  // enabled for this filter
	unread  int   // bytes handed to the tokenizer and not yet in a token
	rawNext bool  // the last token put the tokenizer in a raw text state
	noSkip  bool  // <plaintext> seen: the tokenizer never leaves it
	skipped int64 // bytes copied by the fast skip

	// output
	out        []byte
	enc        encoder
	encRelease func()
	encOut     encSink // what enc produced since the last drainEnc
	rawDeflate bool
	committed  bool
	record     []byte
	noRecord   bool
	verbatim   bool
	werr       error

	// rewriting state
	inject bool
	nonce  string
	csp    cspEdit // what allowScripts did (hash-allowed inline scripts)
	// scriptTag holds an inline script's start tag until its text is
	// rewritten: a script the CRM allowed by hash then needs our nonce.
	scriptTag     []byte
	holdingTag    bool
	cs            pageCharset
	phase         phase
	first         bool
	rk            rawKind
	scriptKind    JSKind
	importMap     bool // the buffered script is an import map (importmap.go)
	scriptPending bool
	script        []byte
	hold          []byte
	passthrough   bool
	attrs         []attrSpan
	patches       []attrPatch
	attrsArr      [16]attrSpan
	patchArr      [4]attrPatch
	quiet         quietMemo // handler values JSMayChange rejected

	xs *xhtmlState // XHTML pages only (xhtml.go)

	res    Result
	err    error
	closed bool
	depth  int // > 0: the document of a srcdoc attribute (no OnResult)
}

func newHTMLFilter(b *BodyRewriter, dst io.Writer, coding string, cs pageCharset, xhtml, inject bool, nonce string, req *http.Request, res Result) *htmlFilter {
	f := &htmlFilter{
		b: b, req: req, coding: coding, outCoding: coding, xhtml: xhtml, host: req.Host, max: b.opts.MaxRewriteSize,
		inject: inject, nonce: nonce, cs: cs, first: true, res: res,
		fast: !disableFastSkip && !xhtml, // the fast skip follows the HTML tokenizer
	}
	f.dst.w = dst
	f.res.Action = ActionRewrittenHTML
	f.attrs = f.attrsArr[:0]
	f.patches = f.patchArr[:0]
	if !inject {
		f.phase = phaseDone
		f.res.Reason = "not a document request"
	}
	return f
}

// pipeSrc is the coroutine's view of the pushed input.
type pipeSrc struct{ f *htmlFilter }

func (s pipeSrc) Read(p []byte) (int, error) {
	f := s.f
	for len(f.in) == 0 {
		if f.eof {
			return 0, io.EOF
		}
		if !f.yield(struct{}{}) {
			return 0, errStopped
		}
	}
	n := copy(p, f.in)
	if f.coding != codingIdentity && !f.committed && !f.noRecord {
		if len(f.record)+n > recordLimit {
			f.noRecord = true
			f.releaseRecord()
		} else {
			if f.record == nil {
				f.record = (*recordBufs.Get().(*[]byte))[:0]
			}
			f.record = append(f.record, f.in[:n]...)
		}
	}
	f.in = f.in[n:]
	f.total += int64(n)
	if f.coding == codingIdentity && f.total > f.max && !f.passthrough {
		f.setPassthrough(ActionTooLarge, "body over max_rewrite_size")
	}
	return n, nil
}

// run is the coroutine body.
func (f *htmlFilter) run(yield func(struct{}) bool) {
	f.yield = yield
	var src io.Reader = pipeSrc{f}
	if f.coding != codingIdentity {
		d, err := newDecoder(f.coding, src)
		if err != nil {
			f.runErr = err
			return
		}
		defer d.release()
		f.rawDeflate = d.rawDeflate
		src = &limitedDecoder{r: d, max: f.max}
	}
	if f.fast {
		ts := &tokSrc{f: f}
		if f.coding != codingIdentity {
			ts.dec, ts.buf = src, decodedBufs.Get().(*[]byte)
			defer ts.release()
		}
		src = ts
	}
	f.runErr = f.tokenize(src)
}

func (f *htmlFilter) tokenize(src io.Reader) error {
	if f.xhtml {
		return f.tokenizeXML(src)
	}
	z := html.NewTokenizer(src)
	if f.max < 1<<31-1 {
		z.SetMaxBuf(int(f.max))
	}
	fast := f.b.opts.RewriteJS == nil
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			err := z.Err()
			if errors.Is(err, errStopped) || f.stopping {
				return errStopped
			}
			f.finish(z.Raw(), z.Buffered())
			switch {
			case err == io.EOF:
				return f.werr
			case err == html.ErrBufferExceeded:
				f.setPassthrough(ActionTooLarge, "token over max_rewrite_size")
				return f.copyRest(src)
			}
			return err
		}
		raw := z.Raw()
		if f.fast {
			f.afterToken(tt, raw)
		}
		if fast && !f.first && f.rk == rawNone && f.phase == phaseDone && !f.scriptPending && tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			// Hot path: after the injection point, without JS rewriting,
			// text, end tags and comments are copied as they are.
			if len(f.out)+len(raw) <= cap(f.out) {
				f.out = append(f.out, raw...)
			} else {
				f.emitOutSlow(raw)
			}
		} else {
			f.token(tt, raw)
		}
		if f.werr != nil {
			return f.werr
		}
	}
}

// copyRest streams what the tokenizer could not take.
func (f *htmlFilter) copyRest(src io.Reader) error {
	f.flushOut()
	buf := f.out[:cap(f.out)]
	for f.werr == nil {
		n, err := src.Read(buf)
		f.writeSink(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	return f.werr
}

// finish handles the end of the token stream (EOF or error).
func (f *htmlFilter) finish(partial, buffered []byte) {
	f.releaseScriptTag(false)
	if f.scriptPending {
		// An unterminated script: send it as it came.
		f.scriptPending = false
		f.emit(f.script)
	}
	if f.phase != phaseDone && !f.first {
		f.decide(true)
	}
	f.emit(partial)
	f.emit(buffered)
}

// token handles one complete token.
func (f *htmlFilter) token(tt html.TokenType, raw []byte) {
	rk := f.rk
	f.rk = rawNone
	if f.first {
		f.first = false
		if cs, ok := bomCharset(raw); ok {
			if cs.asciiIncompatible() {
				f.setPassthrough(ActionUndecodable, "charset "+cs.name)
			} else {
				f.cs = cs
			}
		}
	}
	if f.passthrough {
		f.emit(raw)
		return
	}
	switch f.phase {
	case phaseStart:
		f.startToken(tt, raw, rk)
	case phaseHold:
		f.holdToken(tt, raw, rk)
	default:
		f.doneToken(tt, raw, rk)
	}
}

// isSpaceText reports whether a text token is only white space (and a
// byte order mark).
func isSpaceText(raw []byte) bool {
	if len(raw) >= 3 && raw[0] == 0xEF && raw[1] == 0xBB && raw[2] == 0xBF {
		raw = raw[3:]
	}
	for _, c := range raw {
		if !isHTMLSpace(c) {
			return false
		}
	}
	return true
}

func (f *htmlFilter) tagName(raw []byte) []byte {
	var nameEnd int
	nameEnd, f.attrs = scanTag(raw, f.attrs[:0])
	return raw[1:nameEnd]
}

// startToken: before the injection point. Doctype, comments, white
// space, <html>, <head> and charset declarations stay before our tags.
func (f *htmlFilter) startToken(tt html.TokenType, raw []byte, rk rawKind) {
	switch tt {
	case html.TextToken:
		if isSpaceText(raw) {
			f.emit(raw)
			return
		}
	case html.CommentToken, html.DoctypeToken:
		if label := xmlDeclCharset(raw); label != "" {
			f.declareCharset(label, true)
		}
		f.emit(raw)
		return
	case html.StartTagToken, html.SelfClosingTagToken:
		name := f.tagName(raw)
		switch {
		case asciiEqualFold(name, "html"), asciiEqualFold(name, "head"):
			f.emitTag(raw, name)
			return
		case asciiEqualFold(name, "meta"):
			if label := metaCharset(raw, f.attrs); label != "" {
				f.declareCharset(label, true)
				f.emitTag(raw, name)
				return
			}
		}
		f.headTag(raw, name)
		return
	}
	f.decide(true)
	f.doneToken(tt, raw, rk)
}

// holdToken: at the injection point, keeping inert head content aside
// until we see whether the first script is the SDK itself.
func (f *htmlFilter) holdToken(tt html.TokenType, raw []byte, rk rawKind) {
	if len(f.hold)+len(raw) <= holdLimit {
		switch tt {
		case html.TextToken:
			if rk == rawInert || isSpaceText(raw) {
				f.emit(raw)
				return
			}
		case html.CommentToken, html.DoctypeToken:
			f.emit(raw)
			return
		case html.StartTagToken, html.SelfClosingTagToken:
			f.headTag(raw, f.tagName(raw))
			return
		case html.EndTagToken:
			if name := endTagName(raw); asciiEqualFold(name, "title") || asciiEqualFold(name, "style") {
				f.emit(raw)
				return
			}
		}
	}
	f.decide(true)
	f.doneToken(tt, raw, rk)
}

// headTag handles a start tag at the injection point: inert head content
// (title, link, style, metas other than a CSP) is held aside; the first
// script, or anything else, decides whether to inject.
func (f *htmlFilter) headTag(raw, name []byte) {
	switch {
	case asciiEqualFold(name, "meta") && !f.isMetaCSP(raw),
		asciiEqualFold(name, "title"), asciiEqualFold(name, "link"), asciiEqualFold(name, "style"):
		f.phase = phaseHold
		f.holdTag(raw, name)
		return
	case asciiEqualFold(name, "script"):
		f.decide(!f.isSDKTag(raw))
	default:
		f.decide(true)
	}
	f.doneTag(raw, name)
}

// holdTag emits an inert head tag into the hold buffer.
func (f *htmlFilter) holdTag(raw, name []byte) {
	f.emitTag(raw, name)
	if asciiEqualFold(name, "title") || asciiEqualFold(name, "style") {
		f.rk = rawInert
	}
}

// tagNameOnly returns the name of a start tag without scanning attributes.
func tagNameOnly(raw []byte) []byte {
	i := 2
	for i < len(raw) && !isHTMLSpace(raw[i]) && raw[i] != '/' && raw[i] != '>' {
		i++
	}
	return raw[1:i]
}

func endTagName(raw []byte) []byte {
	i := 2
	for i < len(raw) && !isHTMLSpace(raw[i]) && raw[i] != '/' && raw[i] != '>' {
		i++
	}
	return raw[2:i]
}

// decide ends the search for the injection point: our tags go before
// everything held.
func (f *htmlFilter) decide(inject bool) {
	if f.phase == phaseDone {
		return
	}
	f.phase = phaseDone
	if inject {
		if f.inject {
			f.flushIfFull(len(f.b.plainInjection) + 100*len(f.b.tags))
			if f.xs != nil && f.xs.defaultNS() != nsXHTML {
				f.out = f.appendXMLInjection(f.out)
			} else {
				f.out = f.b.appendInjection(f.out, f.nonce)
			}
			f.res.Injected = true
		}
	} else {
		f.res.Reason = "sdk already loaded by the page"
	}
	if len(f.hold) > 0 {
		f.emitOut(f.hold)
		f.hold = f.hold[:0]
	}
}

func (f *htmlFilter) doneToken(tt html.TokenType, raw []byte, rk rawKind) {
	switch tt {
	case html.TextToken:
		if rk == rawScript {
			if f.script == nil {
				f.script = (*scriptBufs.Get().(*[]byte))[:0]
			}
			f.script = append(f.script[:0], raw...)
			f.scriptPending = true
			return
		}
	case html.StartTagToken, html.SelfClosingTagToken:
		if f.b.opts.RewriteJS == nil {
			// Fast path: only <meta> (charset, CSP) matters then.
			if name := tagNameOnly(raw); !asciiEqualFold(name, "meta") {
				f.emit(raw)
				return
			}
		}
		f.doneTag(raw, f.tagName(raw))
		return
	case html.EndTagToken:
		if f.scriptPending {
			f.scriptPending = false
			f.emitScript()
		}
		f.releaseScriptTag(false)
	}
	f.emit(raw)
}

// emitScript rewrites the buffered body of an inline script.
func (f *htmlFilter) emitScript() {
	if f.importMap {
		f.importMapScript()
		return
	}
	if out, ok := f.b.rewriteScriptText(f.req, f.script, f.scriptKind, f.cs); ok {
		f.res.JSRewrites++
		f.releaseScriptTag(f.holdingTag && f.hashAllowed(f.script))
		f.emit(out)
		return
	}
	f.releaseScriptTag(false)
	f.emit(f.script)
}

// hashAllowed reports whether the CRM's CSP allowed an inline script's
// original text (in the page charset) by hash.
func (f *htmlFilter) hashAllowed(src []byte) bool {
	u, _, ok := f.cs.toUTF8(src)
	return ok && f.csp.InlineHashAllowed(u)
}

// releaseScriptTag emits a held script start tag, with our nonce when
// nonce is set.
func (f *htmlFilter) releaseScriptTag(nonce bool) {
	if !f.holdingTag {
		return
	}
	f.holdingTag = false
	tag := f.scriptTag
	if nonce {
		f.emit(tag[:len("<script")])
		f.emit([]byte(` nonce="` + f.nonce + `"`))
		tag = tag[len("<script"):]
	}
	f.emit(tag)
}

// doneTag handles a start tag after the injection point. f.attrs holds
// its attributes.
func (f *htmlFilter) doneTag(raw, name []byte) {
	switch {
	case asciiEqualFold(name, "script"):
		if f.b.opts.RewriteJS != nil {
			if kind, ok := f.inlineScriptKind(raw); ok {
				f.rk, f.scriptKind, f.importMap = rawScript, kind, false
				if f.csp.hashed != nil && !f.xhtml && f.depth == 0 && !f.hasAttr(raw, "nonce") {
					f.scriptTag = append(f.scriptTag[:0], f.patchTag(raw, name)...)
					f.holdingTag = true
					return
				}
			} else if f.isImportMap(raw) {
				f.rk, f.importMap = rawScript, true
			}
		}
	case asciiEqualFold(name, "meta"):
		if label := metaCharset(raw, f.attrs); label != "" {
			f.declareCharset(label, true)
			if f.passthrough {
				f.emit(raw)
				return
			}
		}
	}
	f.emitTag(raw, name)
}

// inlineScriptKind decides whether a <script> element's body is
// JavaScript we rewrite (the HTML standard's "type string" rules).
func (f *htmlFilter) inlineScriptKind(raw []byte) (JSKind, bool) {
	var typ, lang string
	var hasType, hasLang bool
	for _, a := range f.attrs {
		k := raw[a.ks:a.ke]
		if f.xhtml && !isLowerASCII(k) {
			continue // XML names are case-sensitive: TYPE is not type
		}
		switch {
		case asciiEqualFold(k, "src"):
			return 0, false // the body of an external script is ignored
		case asciiEqualFold(k, "type") && !hasType:
			typ, hasType = attrValue(raw, a), true
		case asciiEqualFold(k, "language") && !hasLang:
			lang, hasLang = attrValue(raw, a), true
		}
	}
	t := strings.ToLower(strings.Trim(typ, " \t\n\f\r"))
	switch {
	case hasType && t == "module":
		return JSModule, true
	case hasType && t != "":
		return JSClassic, isJSMIME(t)
	case !hasType && hasLang && lang != "":
		return JSClassic, isJSMIME("text/" + strings.ToLower(lang))
	}
	return JSClassic, true
}

// isSDKTag reports whether a <script> tag loads the SDK already.
func (f *htmlFilter) isSDKTag(raw []byte) bool {
	for _, a := range f.attrs {
		if asciiEqualFold(raw[a.ks:a.ke], "src") {
			return f.b.isSDKScript(attrValue(raw, a), f.host)
		}
	}
	return false
}

func (f *htmlFilter) isMetaCSP(raw []byte) bool {
	for _, a := range f.attrs {
		if asciiEqualFold(raw[a.ks:a.ke], "http-equiv") {
			return strings.EqualFold(strings.Trim(attrValue(raw, a), " \t\n\f\r"), HeaderCSP)
		}
	}
	return false
}

// emitTag emits a start tag, patching event handlers, javascript: URLs
// and a <meta> CSP's trusted-types in the raw bytes; untouched tags are
// copied as they are.
func (f *htmlFilter) emitTag(raw, name []byte) {
	f.emit(f.patchTag(raw, name))
	if f.dsdTemplate(raw, name) {
		f.emit(dsdMark)
	}
}

// dsdMark is the shim's marker element (shim.js, crmframe-dsd).
var dsdMark = []byte("<crmframe-dsd></crmframe-dsd>")

// dsdTemplate reports whether the current tag opens a declarative shadow
// root that gets dsdMark (f.attrs holds its attributes).
func (f *htmlFilter) dsdTemplate(raw, name []byte) bool {
	return f.b.opts.MarkShadowRoots && !f.xhtml && len(name) == 8 && asciiEqualFold(name, "template") && f.hasAttr(raw, "shadowrootmode")
}

// hasAttr reports whether the current tag has the attribute.
func (f *htmlFilter) hasAttr(raw []byte, name string) bool {
	for _, a := range f.attrs {
		if asciiEqualFold(raw[a.ks:a.ke], name) {
			return true
		}
	}
	return false
}

// patchTag returns the tag as it goes out (raw when nothing changes).
func (f *htmlFilter) patchTag(raw, name []byte) []byte {
	rewriteJS := f.b.opts.RewriteJS != nil
	metaCSP := len(f.b.tags) > 0 && asciiEqualFold(name, "meta") && f.isMetaCSP(raw)
	if !rewriteJS && !metaCSP {
		return raw
	}
	f.patches = f.patches[:0]
	contentDone := false
	js := 0
	for _, a := range f.attrs {
		k := raw[a.ks:a.ke]
		switch {
		case metaCSP && !contentDone && asciiEqualFold(k, "content"):
			contentDone = true
			if v, ok := cspMetaTrustedTypes(attrValue(raw, a)); ok {
				if p, ok := f.attrOut([]byte(v), nil, a); ok {
					f.patches = append(f.patches, p)
				}
			}
		case !rewriteJS:
		case isHandlerAttr(k):
			if p, ok := f.rewriteAttr(raw, a, JSHandler); ok {
				f.patches = append(f.patches, p)
				js++
			}
		case jsURLAttr(k) && mayBeJSURL(raw[a.vs:a.ve]):
			if p, ok := f.rewriteAttr(raw, a, JSURL); ok {
				f.patches = append(f.patches, p)
				js++
			}
		case len(k) == 9 && asciiEqualFold(k, "integrity") && f.sriMayBreak(raw, name):
			// The script may come back rewritten: its hash would no
			// longer match and the browser would refuse it. An empty
			// integrity asks for no check.
			f.patches = append(f.patches, attrPatch{a: a})
		case asciiEqualFold(k, "srcdoc") && asciiEqualFold(name, "iframe"):
			if p, n, ok := f.rewriteSrcdoc(raw, a); ok {
				f.patches = append(f.patches, p)
				js += n
			}
		}
	}
	if len(f.patches) == 0 {
		return raw
	}
	f.res.JSRewrites += js
	return applyPatches(make([]byte, 0, len(raw)+64), raw, f.patches, false)
}

// sriMayBreak reports whether a tag's integrity check could fail because
// crm_frame rewrites what it loads: a <script src>, or a <link> that
// preloads a script (modulepreload, preload as=script), served by this
// site. Stylesheets are never rewritten, and scripts from other sites do
// not come through crm_frame: their checks stay.
func (f *htmlFilter) sriMayBreak(raw, name []byte) bool {
	link := asciiEqualFold(name, "link")
	if !link && !asciiEqualFold(name, "script") {
		return false
	}
	var ref, rel, as string
	hasRef := false
	for _, a := range f.attrs {
		switch k := raw[a.ks:a.ke]; {
		case asciiEqualFold(k, "src") && !link, asciiEqualFold(k, "href") && link:
			if !hasRef {
				ref, hasRef = strings.TrimSpace(attrValue(raw, a)), true
			}
		case link && asciiEqualFold(k, "rel"):
			rel = strings.ToLower(attrValue(raw, a))
		case link && asciiEqualFold(k, "as"):
			as = strings.ToLower(strings.TrimSpace(attrValue(raw, a)))
		}
	}
	if !hasRef {
		return false // an inline script: no fetch, nothing to check
	}
	if link {
		script := false
		for _, r := range strings.Fields(rel) {
			script = script || r == "modulepreload" || r == "preload" && as == "script"
		}
		if !script {
			return false
		}
	}
	return f.sameSite(ref)
}

// sameSite reports whether a URL in the page points at this host (a
// relative URL, or an absolute one naming the request's host).
func (f *htmlFilter) sameSite(ref string) bool {
	u, err := url.Parse(ref)
	if err != nil {
		return false
	}
	if u.Scheme == "" && u.Host == "" {
		return true
	}
	return (u.Scheme == "" || u.Scheme == "http" || u.Scheme == "https") && strings.EqualFold(u.Host, f.host)
}

// cspMetaTrustedTypes adds our Trusted Types policy name to a <meta> CSP.
// (Our script tags come before such a <meta>, so its script-src never
// applies to them.)
func cspMetaTrustedTypes(v string) (string, bool) {
	if !isASCII([]byte(v)) {
		return "", false
	}
	ps := ParsePolicyList(v)
	changed := false
	for _, p := range ps {
		if !p.Empty() && allowTrustedTypesPolicy(p) {
			changed = true
		}
	}
	if !changed {
		return "", false
	}
	return JoinPolicies(ps), true
}

// mayBeJSURL is a cheap test before decoding an URL attribute.
func mayBeJSURL(v []byte) bool {
	for len(v) > 0 && v[0] <= ' ' {
		v = v[1:]
	}
	if asciiHasPrefixFold(v, "javascript:") {
		return true
	}
	for i, c := range v {
		switch c {
		case '\t', '\n', '\r':
			return true
		case '&':
			// Decoding leaves the bytes before the first reference as they
			// are: "/crm/x.do?a=1&amp;b=2" cannot become a javascript: URL.
			return asciiEqualFold(v[:i], "javascript:"[:min(i, len("javascript:"))])
		}
	}
	return false
}

// rewriteAttr runs an event handler or javascript: URL through the JS
// rewriter and returns the patch with its new value.
func (f *htmlFilter) rewriteAttr(raw []byte, a attrSpan, kind JSKind) (attrPatch, bool) {
	if !f.attrMayChange(raw, a) {
		return attrPatch{}, false
	}
	code, enc, ok := f.attrText(raw, a)
	if !ok {
		return attrPatch{}, false
	}
	if kind == JSURL {
		s, ok := splitJSURL(string(code))
		if !ok {
			return attrPatch{}, false
		}
		code = []byte(s)
	}
	out, changed, _ := f.b.callRewriteJS(f.req, code, kind)
	if !changed {
		return attrPatch{}, false
	}
	if kind == JSURL {
		out = encodeJSURLCode(out)
	}
	return f.attrOut(out, enc, a)
}

// attrOut is the patch putting a new value (UTF-8) into attribute a. In
// another charset the value is escaped first and then converted, so that
// the references standing for characters the charset lacks stay
// references; in UTF-8 applyPatches escapes it into the tag (no copy).
func (f *htmlFilter) attrOut(u []byte, enc encoding.Encoding, a attrSpan) (attrPatch, bool) {
	if enc == nil {
		return attrPatch{a: a, val: u}, true
	}
	q := a.quote
	if q == 0 {
		q = '"'
	}
	if f.xhtml {
		u = escapeXMLAttr(nil, u, q)
	} else {
		u = escapeAttr(nil, u, q)
	}
	v, ok := fromUTF8(u, enc, true)
	return attrPatch{a: a, val: v, esc: true}, ok
}

// maxSrcdocDepth bounds srcdoc documents rewritten inside srcdoc documents.
const maxSrcdocDepth = 3

// rewriteSrcdoc rewrites the document of an <iframe srcdoc> like a page
// when the JS rewriter changes one of its scripts or handlers: it runs in
// a same-origin frame whose top is the desktop, and nothing of it ever
// reaches us as a response. The SDK bundle is injected first (the shim
// must define the virtual top before the document's scripts). It returns
// the new value and the number of scripts and handlers changed.
func (f *htmlFilter) rewriteSrcdoc(raw []byte, a attrSpan) (attrPatch, int, bool) {
	if !a.hasEq || f.depth >= maxSrcdocDepth {
		return attrPatch{}, 0, false
	}
	doc, enc, ok := f.attrText(raw, a)
	if !ok {
		return attrPatch{}, 0, false
	}
	if f.b.opts.JSMayChange != nil && !f.b.opts.JSMayChange(doc) {
		return attrPatch{}, 0, false // no script that could reach top
	}
	utf8, _ := charsetFromLabel("utf-8")
	var out bytes.Buffer
	nf := newHTMLFilter(f.b, &out, codingIdentity, utf8, false, len(f.b.tags) > 0, f.nonce, f.req, Result{})
	nf.depth = f.depth + 1
	if _, err := nf.Write(doc); err != nil {
		nf.Abort()
		return attrPatch{}, 0, false
	}
	// A document whose scripts the JS rewriter left alone stays as it is
	// (no injection either): only what the rewriter reports decides, so
	// JSMayChange never changes the output.
	if err := nf.Close(); err != nil || nf.res.Action != ActionRewrittenHTML || nf.res.JSRewrites == 0 {
		return attrPatch{}, 0, false
	}
	p, ok := f.attrOut(out.Bytes(), enc, a)
	return p, nf.res.JSRewrites, ok
}

// attrText is an attribute's value as text: converted to UTF-8 and with
// its character references decoded (most values have none: no copy). enc
// converts a new value back (fromUTF8).
func (f *htmlFilter) attrText(raw []byte, a attrSpan) (text []byte, enc encoding.Encoding, ok bool) {
	if f.xhtml {
		return f.xmlAttrText(raw, a)
	}
	u, enc, ok := f.cs.toUTF8(raw[a.vs:a.ve])
	if !ok {
		return nil, nil, false
	}
	if hasCharRef(u) {
		return []byte(unescapeAttr(u, a.quote)), enc, true
	}
	return u, enc, true
}

// attrMayChange is rewriteAttr's cheap first test: false means it returns
// the attribute unchanged (the fast skip then copies the tag as it is).
func (f *htmlFilter) attrMayChange(raw []byte, a attrSpan) bool {
	if !a.hasEq {
		return false
	}
	val := raw[a.vs:a.ve]
	if f.b.opts.JSMayChange == nil {
		return true
	}
	slot := quietSlot(raw[a.ks:a.ke])
	if f.quiet.has(slot, val) {
		return false // (values with character references are never put)
	}
	if hasCharRef(val) || f.b.opts.JSMayChange(val) {
		return true
	}
	f.quiet.put(slot, val)
	return false
}

// quietMemo remembers, per attribute name (hashed to a slot), the last
// value JSMayChange rejected: grids repeat the same onmouseover and
// onmouseout on every row, and the test costs ~40 ns per handler
// (JSMayChange depends on the value only, see BodyOptions).
type quietMemo struct {
	lens [quietSlots]uint8 // 0: empty
	vals [quietSlots][quietMax]byte
}

const (
	quietSlots = 8
	quietMax   = 56 // longer values are not remembered
)

// quietSlot picks the slot of an attribute name (onclick, onmouseover and
// onmouseout land in different slots).
func quietSlot(name []byte) int {
	h := len(name)
	if len(name) > 2 {
		h = h*5 + int(name[2]|0x20)
	}
	return h & (quietSlots - 1)
}

func (m *quietMemo) has(slot int, v []byte) bool {
	return int(m.lens[slot]) == len(v) && len(v) > 0 && string(m.vals[slot][:len(v)]) == string(v)
}

func (m *quietMemo) put(slot int, v []byte) {
	if len(v) == 0 || len(v) > quietMax {
		return
	}
	m.lens[slot] = uint8(copy(m.vals[slot][:], v))
}

// declareCharset records a charset declared in the document; the first
// declaration wins, and a header or BOM beats any.
func (f *htmlFilter) declareCharset(label string, meta bool) {
	if f.cs.declared {
		return
	}
	cs, ok := charsetFromLabel(label)
	if !ok {
		return
	}
	if meta {
		cs = metaCharsetOverride(cs)
	}
	if cs.asciiIncompatible() {
		f.setPassthrough(ActionUndecodable, "charset "+cs.name)
		return
	}
	f.cs = cs
}

// setPassthrough stops rewriting: from here on tokens go out as received.
func (f *htmlFilter) setPassthrough(action, reason string) {
	if f.passthrough {
		return
	}
	f.passthrough = true
	f.res.Action, f.res.Reason = action, reason
	if f.phase != phaseDone {
		f.phase = phaseDone
		f.emitOut(f.hold)
		f.hold = f.hold[:0]
	}
	f.releaseScriptTag(false)
	if f.scriptPending {
		f.scriptPending = false
		f.emit(f.script)
	}
}

// emit sends bytes to the hold buffer or the output.
func (f *htmlFilter) emit(p []byte) {
	if f.phase != phaseHold {
		f.emitOut(p)
		return
	}
	if f.hold == nil {
		f.hold = (*holdBufs.Get().(*[]byte))[:0]
	}
	f.hold = append(f.hold, p...)
}

func (f *htmlFilter) emitOut(p []byte) {
	if len(f.out)+len(p) <= cap(f.out) {
		f.out = append(f.out, p...)
		return
	}
	f.emitOutSlow(p)
}

func (f *htmlFilter) emitOutSlow(p []byte) {
	if f.out == nil {
		f.out = (*outBufs.Get().(*[]byte))[:0]
		if len(p) < cap(f.out) {
			f.out = append(f.out, p...)
			return
		}
	}
	f.flushOut()
	if len(p) >= cap(f.out) {
		f.writeSink(p)
		return
	}
	f.out = append(f.out, p...)
}

func (f *htmlFilter) flushIfFull(room int) {
	if f.out == nil {
		f.out = (*outBufs.Get().(*[]byte))[:0]
	}
	if len(f.out)+room > cap(f.out) {
		f.flushOut()
	}
}

func (f *htmlFilter) flushOut() {
	if len(f.out) > 0 {
		f.writeSink(f.out)
		f.out = f.out[:0]
	}
}

// writeSink writes rewritten bytes towards the client (through the
// encoder). The first write commits the response to our rewritten form.
func (f *htmlFilter) writeSink(p []byte) {
	if f.werr != nil || f.stopping || len(p) == 0 {
		return
	}
	if !f.committed {
		f.committed = true
		f.res.SentCoding = f.outCoding
		f.releaseRecord()
		if f.coding != codingIdentity {
			f.encOut.buf = (*outBufs.Get().(*[]byte))[:0]
			f.enc, f.encRelease = newEncoder(f.coding, f.outCoding, f.rawDeflate, f.b.opts.Recompress, &f.encOut)
		}
	}
	var err error
	if f.enc != nil {
		if _, err = f.enc.Write(p); err == nil {
			err = f.drainEnc()
		}
	} else {
		_, err = f.dst.Write(p)
	}
	if err != nil {
		f.werr = err
	}
}

// setCoding: see codingSetter. The headers go out with our first byte
// (a flush waits for it: codingDecided); it says outCoding only when that
// byte is rewritten, not the CRM's own.
func (f *htmlFilter) setCoding(h http.Header) {
	if f.committed && f.outCoding != f.coding {
		h.Set("Content-Encoding", f.outCoding)
	}
}

// codingDecided: see codingSetter.
func (f *htmlFilter) codingDecided() bool {
	return f.outCoding == f.coding || f.committed || f.verbatim
}

// encSink collects the encoder's output: deflate writes it in pieces of
// about 240 bytes, each of which would otherwise go through Caddy's and
// net/http's writers as a write of its own (58 per 13 KB gzip page).
type encSink struct{ buf []byte }

func (s *encSink) Write(p []byte) (int, error) {
	s.buf = append(s.buf, p...)
	return len(p), nil
}

// drainEnc sends what the encoder produced, in one write, at the points
// where its pieces used to go out (after each chunk, Flush, Close).
func (f *htmlFilter) drainEnc() error {
	if len(f.encOut.buf) == 0 {
		return nil
	}
	_, err := f.dst.Write(f.encOut.buf)
	f.encOut.buf = f.encOut.buf[:0]
	return err
}

// resume runs the coroutine until it has consumed f.in (or ended).
func (f *htmlFilter) resume() (err error) {
	if !f.started {
		f.started = true
		f.resumeFn, f.stopFn = iter.Pull(iter.Seq[struct{}](f.run))
	}
	func() {
		defer func() {
			if p := recover(); p != nil {
				f.finished = true
				f.runErr = fmt.Errorf("rewriter panic: %v", p)
			}
		}()
		if _, ok := f.resumeFn(); !ok {
			f.finished = true
		}
	}()
	if f.werr != nil {
		f.err = f.werr
		f.res.Action, f.res.Reason = ActionError, ReasonClientGone
		return f.err
	}
	if f.finished && f.runErr != nil {
		return f.fail(f.runErr)
	}
	return nil
}

// fail handles a body we could not rewrite. Before anything was sent the
// upstream's bytes go out unchanged; after, the response is aborted.
func (f *htmlFilter) fail(err error) error {
	var de decodeError
	switch {
	case errors.Is(err, errTooLarge):
		f.res.Action, f.res.Reason = ActionTooLarge, "decoded body over max_rewrite_size"
	case errors.As(err, &de):
		f.res.Action, f.res.Reason = ActionUndecodable, "corrupt compressed body"
	default:
		f.res.Action, f.res.Reason = ActionError, "rewriter failed"
	}
	f.res.Injected = false
	if !f.committed && !f.noRecord && f.coding != codingIdentity {
		f.verbatim = true
		f.out = f.out[:0]
		rec, rest := f.record, f.in
		f.in = nil
		_, werr := f.dst.Write(rec)
		f.releaseRecord()
		if werr != nil {
			f.err = werr
			return werr
		}
		if _, err := f.dst.Write(rest); err != nil {
			f.err = err
			return err
		}
		return nil
	}
	f.err = ErrAbort
	return ErrAbort
}

// Write feeds a chunk of the upstream body.
func (f *htmlFilter) Write(p []byte) (int, error) {
	t0 := time.Now()
	defer func() { f.res.Duration += time.Since(t0) }()
	if f.err != nil {
		return 0, f.err
	}
	f.res.BytesIn += int64(len(p))
	if f.verbatim {
		n, err := f.dst.Write(p)
		if err != nil {
			f.err = err
		}
		return n, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	f.in = p
	var err error
	if f.finished {
		err = f.trailingData()
	} else if err = f.resume(); err == nil && f.finished && len(f.in) > 0 {
		err = f.trailingData()
	}
	f.in = nil
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// trailingData handles bytes after the end of a compressed stream: a
// sign of corruption (raw deflate has no checksum to tell us otherwise).
func (f *htmlFilter) trailingData() error {
	return f.fail(decodeError{errors.New("data after the end of the compressed stream")})
}

// Flush pushes out everything processed so far: every complete token
// (a trailing text run or an unfinished tag waits for its end).
func (f *htmlFilter) Flush() error {
	t0 := time.Now()
	defer func() { f.res.Duration += time.Since(t0) }()
	if f.err != nil || f.verbatim || !f.started {
		return f.err
	}
	if f.phase == phaseHold {
		f.decide(true)
	}
	f.flushOut()
	if f.enc != nil && f.werr == nil {
		if f.werr = f.enc.Flush(); f.werr == nil {
			f.werr = f.drainEnc()
		}
	}
	if f.werr != nil {
		f.err = f.werr
	}
	return f.err
}

// Close completes the body.
func (f *htmlFilter) Close() error {
	if f.closed {
		return f.err
	}
	f.closed = true
	t0 := time.Now()
	defer func() {
		if f.xs != nil {
			f.res.ScriptsLeft = f.xs.passed
		}
		f.cleanup()
		f.res.Duration += time.Since(t0)
		f.res.BytesOut = f.dst.n
		if f.b.opts.OnResult != nil && f.depth == 0 {
			f.b.opts.OnResult(f.res)
		}
	}()
	if f.err != nil || f.verbatim {
		return f.err
	}
	if !f.started {
		f.res.Action, f.res.Reason = ActionPassedThrough, "empty body"
		return nil
	}
	if !f.finished {
		f.eof = true
		if err := f.resume(); err != nil {
			return err
		}
		if f.verbatim {
			return f.err
		}
	}
	f.flushOut()
	if !f.committed && f.coding != codingIdentity && f.werr == nil {
		// Nothing came out of the decoder: send the upstream's bytes.
		if _, err := f.dst.Write(f.record); err != nil {
			f.werr = err
		}
	}
	if f.enc != nil && f.werr == nil {
		if f.werr = f.enc.Close(); f.werr == nil {
			f.werr = f.drainEnc()
		}
	}
	if f.werr != nil {
		f.err = f.werr
		f.res.Action, f.res.Reason = ActionError, ReasonClientGone
	}
	return f.err
}

// Abort drops the response when the caller gives up on it (the upstream
// failed mid-body and the connection is being aborted): nothing more is
// written, the rewriter's resources are released.
func (f *htmlFilter) Abort() { f.abortWith("") }

func (f *htmlFilter) abortWith(reason string) {
	if f.closed {
		return
	}
	f.closed = true
	if f.werr != nil {
		reason = ReasonClientGone // a write to the client failed first
	}
	f.err = ErrAbort
	f.res.Action, f.res.Reason = ActionError, cmp.Or(reason, ReasonAborted)
	f.cleanup()
	f.res.BytesOut = f.dst.n
	if f.b.opts.OnResult != nil && f.depth == 0 {
		f.b.opts.OnResult(f.res)
	}
}

// cleanup ends the coroutine and returns buffers to their pools.
func (f *htmlFilter) cleanup() {
	if f.started && !f.finished {
		f.stopping = true
		func() {
			defer func() { _ = recover() }()
			f.stopFn()
		}()
		f.finished = true
	}
	if f.enc != nil && f.encRelease != nil && f.werr == nil && f.err == nil {
		f.encRelease()
	}
	f.enc = nil
	if f.encOut.buf != nil && cap(f.encOut.buf) <= 4*outBufSize {
		b := f.encOut.buf[:0]
		outBufs.Put(&b)
	}
	f.encOut.buf = nil
	if f.out != nil {
		b := f.out[:0]
		outBufs.Put(&b)
		f.out = nil
	}
	if f.hold != nil && cap(f.hold) <= 4*holdLimit {
		b := f.hold[:0]
		holdBufs.Put(&b)
	}
	f.hold = nil
	if f.script != nil && cap(f.script) <= 1<<20 {
		b := f.script[:0]
		scriptBufs.Put(&b)
	}
	f.script = nil
	f.releaseRecord()
}

// releaseRecord returns the record buffer to its pool (dst.Write does
// not keep what it is given).
func (f *htmlFilter) releaseRecord() {
	if f.record != nil && cap(f.record) <= 256<<10 {
		b := f.record[:0]
		recordBufs.Put(&b)
	}
	f.record = nil
}
