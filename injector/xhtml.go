package injector

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/text/encoding"
)

// XHTML (application/xhtml+xml) is parsed by the browser as XML, not as
// HTML, and the HTML tokenizer's view of it misses scripts that run:
// script text is markup there (entities decoded, CDATA literal, so
// "&amp;&amp;" is "&&" and "</script>" inside CDATA ends nothing),
// <title>, <style> or <textarea> hold elements rather than raw text, and
// an element is a script by its namespace, not its spelling (<h:script
// xmlns:h="http://www.w3.org/1999/xhtml">, an SVG <s:script>, but not a
// <script> whose default namespace is another one). So XHTML pages get
// this XML tokenizer and a namespace-aware view; every byte not rewritten
// is still copied as received. A page that is not well-formed stops the
// browser's parser at the first error (the part before it is shown and
// its scripts run): the rewrite keeps a well-formed page well-formed and
// a malformed one malformed, and only edits what it can decode exactly.

const (
	nsXHTML  = "http://www.w3.org/1999/xhtml"
	nsSVG    = "http://www.w3.org/2000/svg"
	nsMathML = "http://www.w3.org/1998/Math/MathML"
	nsXML    = "http://www.w3.org/XML/1998/namespace"
)

type xmlTokType uint8

const (
	xtError   xmlTokType = iota
	xtText               // character data, references undecoded
	xtStart              // <a ...>
	xtEmpty              // <a .../>
	xtEnd                // </a>
	xtComment            // <!-- -->
	xtCDATA              // <![CDATA[ ]]>
	xtPI                 // <? ?>
	xtDoctype            // <!DOCTYPE ...> with its internal subset
	xtBogus              // another "<!" construct (never well-formed)
	xtEntity             // a reference to an internal entity whose text is markup
)

// xmlTokenizer splits an XML stream into tokens without checking it:
// malformed input still comes out byte for byte, in some tokens.
type xmlTokenizer struct {
	r      io.Reader
	buf    []byte
	p0, p1 int // the current token is buf[p0:p1]
	end    int // buf[:end] holds data read
	max    int
	err    error
	idle   int
	ents   map[string]string // markup entities text is split at (nil: none)
	pushed int               // bytes of entity text spliced in so far
}

func newXMLTokenizer(r io.Reader, max int64) *xmlTokenizer {
	m := 1<<31 - 1
	if max < int64(m) {
		m = int(max)
	}
	return &xmlTokenizer{r: r, buf: make([]byte, 8<<10), max: m}
}

// Raw is the current token; after an error, what was read and not
// returned as a token.
func (z *xmlTokenizer) Raw() []byte {
	if z.err != nil && z.p1 <= z.p0 {
		return z.buf[z.p0:z.end]
	}
	return z.buf[z.p0:z.p1]
}

// fill reads more input, keeping buf[p0:end].
func (z *xmlTokenizer) fill() bool {
	if z.err != nil {
		return false
	}
	if z.end-z.p0 >= z.max {
		z.err = html.ErrBufferExceeded
		return false
	}
	if z.p0 > 0 {
		n := copy(z.buf, z.buf[z.p0:z.end])
		z.end, z.p1, z.p0 = n, max(z.p1-z.p0, 0), 0
	}
	if z.end == len(z.buf) {
		nb := make([]byte, 2*len(z.buf))
		copy(nb, z.buf[:z.end])
		z.buf = nb
	}
	for {
		n, err := z.r.Read(z.buf[z.end:])
		z.end += n
		if err != nil {
			z.err = err
			return n > 0
		}
		if n > 0 {
			return true
		}
		if z.idle++; z.idle >= 100 {
			z.err = io.ErrNoProgress
			return false
		}
	}
}

// at returns the byte at offset i of the current token, reading as needed.
func (z *xmlTokenizer) at(i int) (byte, bool) {
	for z.p0+i >= z.end {
		if !z.fill() {
			return 0, false
		}
	}
	return z.buf[z.p0+i], true
}

func (z *xmlTokenizer) hasPrefix(s string) bool {
	for i := 0; i < len(s); i++ {
		if c, ok := z.at(i); !ok || c != s[i] {
			return false
		}
	}
	return true
}

// Next reads the next token; xtError at the end of input or on an error.
func (z *xmlTokenizer) Next() xmlTokType {
	z.p0 = z.p1
	c, ok := z.at(0)
	if !ok {
		return xtError
	}
	if c != '<' {
		return z.text()
	}
	if c, ok = z.at(1); !ok {
		return xtError
	}
	switch c {
	case '/':
		return z.until(2, ">", xtEnd)
	case '?':
		return z.until(2, "?>", xtPI)
	case '!':
		switch {
		case z.hasPrefix("<!--"):
			return z.until(4, "-->", xtComment)
		case z.hasPrefix("<![CDATA["):
			return z.until(9, "]]>", xtCDATA)
		case z.hasPrefix("<!DOCTYPE"):
			return z.doctype()
		}
		return z.until(2, ">", xtBogus)
	}
	return z.tag()
}

func (z *xmlTokenizer) text() xmlTokType {
	i := 0
	for {
		seg := z.buf[z.p0+i : z.end]
		if z.ents == nil {
			if k := bytes.IndexByte(seg, '<'); k >= 0 {
				z.p1 = z.p0 + i + k
				return xtText
			}
			i = z.end - z.p0
		} else {
			for ; z.p0+i < z.end; i++ {
				c := z.buf[z.p0+i]
				if c == '<' {
					z.p1 = z.p0 + i
					return xtText
				}
				if c != '&' {
					continue
				}
				n := z.entityAt(i)
				if n < 0 {
					break // wait for the end of the reference
				}
				if n > 0 {
					if i > 0 {
						z.p1 = z.p0 + i
						return xtText
					}
					z.p1 = z.p0 + n
					return xtEntity
				}
			}
		}
		if !z.fill() {
			if z.err == io.EOF && z.end > z.p0 {
				z.p1 = z.end
				return xtText
			}
			return xtError
		}
	}
}

// entityAt reports the length of a reference to a markup entity at
// offset i (at '&'), 0 if there is none, -1 if more input is needed.
func (z *xmlTokenizer) entityAt(i int) int {
	b := z.buf[z.p0+i+1 : z.end]
	k := bytes.IndexByte(b[:min(len(b), 256)], ';')
	if k < 0 {
		if len(b) < 256 && z.err == nil {
			return -1
		}
		return 0
	}
	if _, ok := z.ents[string(b[:k])]; ok {
		return k + 2
	}
	return 0
}

// push splices an entity's text in after the current token.
func (z *xmlTokenizer) push(text string) bool {
	if z.pushed+len(text) > min(z.max, 1<<20) {
		return false // an entity bomb: leave the reference as it is
	}
	z.pushed += len(text)
	rest := z.end - z.p1
	if z.end+len(text) > len(z.buf) {
		nb := make([]byte, max(2*len(z.buf), z.end+len(text)))
		copy(nb, z.buf[:z.end])
		z.buf = nb
	}
	copy(z.buf[z.p1+len(text):], z.buf[z.p1:z.p1+rest])
	copy(z.buf[z.p1:], text)
	z.end += len(text)
	return true
}

func (z *xmlTokenizer) until(from int, pat string, tt xmlTokType) xmlTokType {
	n, ok := z.find(from, pat)
	if !ok {
		return xtError
	}
	z.p1 = z.p0 + n
	return tt
}

// find returns the offset just past the first pat at or after offset i
// of the current token, reading as needed.
func (z *xmlTokenizer) find(i int, pat string) (int, bool) {
	from := i
	for {
		if k := bytes.Index(z.buf[z.p0+from:z.end], []byte(pat)); k >= 0 {
			return from + k + len(pat), true
		}
		from = max(i, z.end-z.p0-len(pat)+1)
		if !z.fill() {
			return 0, false
		}
	}
}

// tag reads a start tag: up to the first '>' outside quotes.
func (z *xmlTokenizer) tag() xmlTokType {
	var q byte
	for i := 1; ; i++ {
		c, ok := z.at(i)
		if !ok {
			return xtError
		}
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case c == '>':
			z.p1 = z.p0 + i + 1
			if z.buf[z.p0+i-1] == '/' {
				return xtEmpty
			}
			return xtStart
		}
	}
}

// doctype reads a doctype with its internal subset (quoted literals,
// comments and processing instructions in it may hold '>').
func (z *xmlTokenizer) doctype() xmlTokType {
	var q byte
	depth := 0
	for i := len("<!DOCTYPE"); ; i++ {
		c, ok := z.at(i)
		if !ok {
			return xtError
		}
		if q != 0 {
			if c == q {
				q = 0
			}
			continue
		}
		switch c {
		case '"', '\'':
			q = c
		case '[':
			depth++
		case ']':
			depth = max(depth-1, 0)
		case '>':
			if depth == 0 {
				z.p1 = z.p0 + i + 1
				return xtDoctype
			}
		case '<':
			end := ""
			if c1, _ := z.at(i + 1); c1 == '?' {
				end = "?>"
			} else if c1 == '!' {
				if c2, _ := z.at(i + 2); c2 == '-' {
					end = "-->"
				}
			}
			if end != "" {
				n, ok := z.find(i+2, end)
				if !ok {
					return xtError
				}
				i = n - 1
			}
		}
	}
}

// xmlElem is an open element: its namespace scope.
type xmlElem struct {
	def    string // the default namespace inside it
	nbinds int    // len(binds) before its own declarations
}

type xmlBind struct{ prefix, uri string }

// xmlEnt is an internal entity declared in the internal subset.
type xmlEnt struct {
	text   string // replacement text (character references expanded)
	markup bool   // holds '<': parsed as elements where referenced
}

// xhtmlState is the XML side of an htmlFilter.
type xhtmlState struct {
	z           *xmlTokenizer
	elems       []xmlElem
	binds       []xmlBind
	headDepth   int // depth of the XHTML <head> at the injection point (0: none)
	scriptDepth int // > 0: collecting the text of the script element at this depth
	ents        map[string]xmlEnt
	whole       map[string]bool // markup entities whose expansion is whole content
	htmlEnts    bool            // an XHTML doctype: HTML's named references are known
	passed      int             // scripts left as they are because their text could not be decoded
}

func (xs *xhtmlState) defaultNS() string {
	if len(xs.elems) == 0 {
		return ""
	}
	return xs.elems[len(xs.elems)-1].def
}

// resolve returns the namespace and local name of an element name.
func (xs *xhtmlState) resolve(qname []byte) (string, []byte) {
	i := bytes.IndexByte(qname, ':')
	if i < 0 {
		return xs.defaultNS(), qname
	}
	prefix, local := qname[:i], qname[i+1:]
	if string(prefix) == "xml" {
		return nsXML, local
	}
	for j := len(xs.binds) - 1; j >= 0; j-- {
		if xs.binds[j].prefix == string(prefix) {
			return xs.binds[j].uri, local
		}
	}
	return "", local // unbound: not an element of any namespace we know
}

func (xs *xhtmlState) pop() {
	if n := len(xs.elems); n > 0 {
		xs.binds = xs.binds[:xs.elems[n-1].nbinds]
		xs.elems = xs.elems[:n-1]
	}
}

// tokenizeXML is tokenize for XHTML.
func (f *htmlFilter) tokenizeXML(src io.Reader) error {
	z := newXMLTokenizer(src, f.max)
	f.xs = &xhtmlState{z: z}
	for {
		tt := z.Next()
		if tt == xtError {
			err := z.err
			if errors.Is(err, errStopped) || f.stopping {
				return errStopped
			}
			f.xmlFinish(z.Raw())
			switch {
			case err == io.EOF:
				return f.werr
			case err == html.ErrBufferExceeded:
				f.setPassthrough(ActionTooLarge, "token over max_rewrite_size")
				return f.copyRest(src)
			}
			return err
		}
		f.xmlToken(tt, z.Raw())
		if f.werr != nil {
			return f.werr
		}
	}
}

// xmlFinish handles the end of the token stream.
func (f *htmlFilter) xmlFinish(partial []byte) {
	if f.scriptPending {
		f.scriptPending = false
		f.xs.scriptDepth = 0
		f.emit(f.script)
	}
	if f.phase != phaseDone {
		if len(f.xs.elems) > 0 {
			f.decide(true)
		} else {
			f.phase = phaseDone // no root element: nowhere to put our tags
		}
	}
	f.emit(partial)
}

// xmlToken handles one token of an XHTML page.
func (f *htmlFilter) xmlToken(tt xmlTokType, raw []byte) {
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
	xs := f.xs
	if xs.scriptDepth > 0 && f.xmlScriptToken(tt, raw) {
		return
	}
	if f.phase == phaseHold && len(f.hold)+len(raw) > holdLimit {
		f.decide(true)
	}
	switch tt {
	case xtStart, xtEmpty:
		f.xmlStartTag(raw, tt == xtEmpty)
		return
	case xtEnd:
		if f.phase != phaseDone && len(xs.elems) > 0 && !(f.phase == phaseHold && len(xs.elems) > xs.headDepth) {
			f.decide(true) // the end of <head> or of the root: our tags go before it
		}
		xs.pop()
	case xtEntity:
		if xs.splice(raw) {
			return // its tokens follow, handled as the document's own
		}
	case xtPI:
		if f.phase == phaseStart {
			if label := xmlDeclCharset(raw); label != "" {
				f.declareCharset(label, true)
			}
		}
	case xtDoctype:
		f.xmlDoctype(raw)
	case xtText, xtCDATA:
		if f.phase != phaseDone && len(xs.elems) > 0 && (tt == xtCDATA || !isSpaceText(raw)) &&
			!(f.phase == phaseHold && len(xs.elems) > xs.headDepth) {
			f.decide(true) // content before any tag: our tags go first
		}
	}
	f.emit(raw)
}

// isXHTML reports an element of the XHTML namespace with this local name.
func isXHTML(ns string, local []byte, name string) bool {
	return ns == nsXHTML && string(local) == name
}

// xmlStartTag handles a start tag (or an empty element tag).
func (f *htmlFilter) xmlStartTag(raw []byte, empty bool) {
	xs := f.xs
	var nameEnd int
	nameEnd, f.attrs = scanTag(raw, f.attrs[:0])
	e := xmlElem{def: xs.defaultNS(), nbinds: len(xs.binds)}
	for _, a := range f.attrs {
		k := raw[a.ks:a.ke]
		if string(k) == "xmlns" {
			e.def = attrValue(raw, a)
		} else if len(k) > 6 && string(k[:6]) == "xmlns:" {
			xs.binds = append(xs.binds, xmlBind{prefix: string(k[6:]), uri: attrValue(raw, a)})
		}
	}
	xs.elems = append(xs.elems, e)
	ns, local := xs.resolve(raw[1:nameEnd])
	depth := len(xs.elems)
	script := (ns == nsXHTML || ns == nsSVG) && string(local) == "script"
	switch f.phase {
	case phaseStart:
		switch {
		case depth == 1 && (empty || script):
			f.phase = phaseDone // a root with no place for our tags
		case depth == 1:
			// The root: our tags go inside it, after <head> in a page.
			f.xmlEmitTag(raw, ns, local)
			if !isXHTML(ns, local, "html") {
				f.decide(true)
			}
			return
		case depth == 2 && isXHTML(ns, local, "head") && !empty:
			xs.headDepth = depth
			f.xmlEmitTag(raw, ns, local)
			return
		case depth == xs.headDepth+1 && xs.headDepth > 0:
			f.xmlHeadTag(raw, ns, local, script, empty)
			if f.phase == phaseHold {
				return
			}
		default:
			f.decide(true)
		}
	case phaseHold:
		if depth == xs.headDepth+1 {
			f.xmlHeadTag(raw, ns, local, script, empty)
			if f.phase == phaseHold {
				return
			}
		} else {
			f.decide(true)
		}
	}
	if script && !empty && f.b.opts.RewriteJS != nil {
		kind, ok := f.inlineScriptKind(raw)
		im := !ok && f.isImportMap(raw) // honoured in XHTML too (Chromium 156)
		if ok || im {
			f.xmlEmitTag(raw, ns, local)
			f.scriptKind, f.importMap = kind, im
			if f.script == nil {
				f.script = (*scriptBufs.Get().(*[]byte))[:0]
			}
			f.script = f.script[:0]
			f.scriptPending = true
			xs.scriptDepth = depth
			return
		}
	}
	f.xmlEmitTag(raw, ns, local)
	if empty {
		xs.pop()
	}
}

// xmlHeadTag handles a child of <head> at the injection point: inert head
// content is held aside; the first script, or anything else, decides.
func (f *htmlFilter) xmlHeadTag(raw []byte, ns string, local []byte, script, empty bool) {
	switch {
	case script:
		f.decide(!f.isSDKTag(raw))
	case ns == nsXHTML && (string(local) == "title" || string(local) == "link" || string(local) == "style" ||
		string(local) == "meta" && !f.isMetaCSP(raw)):
		f.phase = phaseHold
		f.xmlEmitTag(raw, ns, local)
		if empty {
			f.xs.pop()
		}
	default:
		f.decide(true)
	}
}

// xmlScriptToken collects the content of a script element; false: the
// token ends the collection and is handled as usual.
func (f *htmlFilter) xmlScriptToken(tt xmlTokType, raw []byte) bool {
	xs := f.xs
	switch tt {
	case xtText, xtCDATA, xtComment, xtPI:
		f.script = append(f.script, raw...)
		return true
	case xtEntity:
		if xs.splice(raw) {
			return true
		}
		f.script = append(f.script, raw...)
		return true
	case xtEnd:
		if len(xs.elems) == xs.scriptDepth {
			f.xmlEmitScript()
		} else {
			f.xmlPassScript()
		}
	default:
		// An element inside a script: its text is only the text around it
		// (and the element may be a script itself). Left as it is.
		f.xmlPassScript()
	}
	return false
}

// xmlPassScript sends a script's content as received.
func (f *htmlFilter) xmlPassScript() {
	f.xs.scriptDepth, f.scriptPending = 0, false
	f.xs.passed++
	f.emit(f.script)
}

// xmlEmitScript rewrites the collected content of a script element.
func (f *htmlFilter) xmlEmitScript() {
	u, enc, ok := f.cs.toUTF8(f.script)
	var code []byte
	var atoms []xmlAtom
	if ok {
		code, atoms, ok = f.xs.decodeContent(u)
	}
	if !ok {
		f.xmlPassScript()
		return
	}
	f.xs.scriptDepth, f.scriptPending = 0, false
	var o []byte
	changed, n := false, 1
	if f.importMap {
		o, n = f.rewriteImportMap(code)
		changed = n > 0
	} else if f.b.opts.JSMayChange == nil || f.b.opts.JSMayChange(code) {
		o, changed, _ = f.b.callRewriteJS(f.req, code, f.scriptKind)
	}
	if !changed {
		f.emit(f.script)
		return
	}
	out := spliceContent(u, code, atoms, o)
	if d, _, ok := f.xs.decodeContent(out); !ok || !bytes.Equal(d, o) {
		out = escapeXMLText(nil, o) // cannot happen; never send what would not parse back
	}
	b, ok := fromUTF8(out, enc, false)
	if !ok {
		// A character the page's charset lacks: as a reference, in text.
		b, ok = fromUTF8(escapeXMLText(nil, o), enc, true)
	}
	if !ok {
		f.xs.passed++
		f.emit(f.script)
		return
	}
	f.res.JSRewrites += n
	f.emit(b)
}

// xmlEmitTag emits a start tag, patching event handlers and javascript:
// URLs of elements whose namespace has them (XHTML, SVG, MathML), and a
// <meta> CSP's trusted-types. Only quoted values are patched: an unquoted
// one is not XML, and the browser's parser stops before it.
func (f *htmlFilter) xmlEmitTag(raw []byte, ns string, local []byte) {
	rewriteJS := f.b.opts.RewriteJS != nil && (ns == nsXHTML || ns == nsSVG || ns == nsMathML)
	metaCSP := len(f.b.tags) > 0 && isXHTML(ns, local, "meta") && f.isMetaCSP(raw)
	if !rewriteJS && !metaCSP {
		f.emit(raw)
		return
	}
	f.patches = f.patches[:0]
	contentDone := false
	js := 0
	for _, a := range f.attrs {
		if a.quote == 0 {
			continue
		}
		k := raw[a.ks:a.ke]
		lk := k[bytes.IndexByte(k, ':')+1:] // local name (a prefixed handler is rewritten too: harmless)
		switch {
		case metaCSP && !contentDone && string(k) == "content":
			contentDone = true
			if v, ok := cspMetaTrustedTypes(attrValue(raw, a)); ok {
				if p, ok := f.attrOut([]byte(v), nil, a); ok {
					f.patches = append(f.patches, p)
				}
			}
		case !rewriteJS:
		case isHandlerAttr(lk):
			if p, ok := f.rewriteAttr(raw, a, JSHandler); ok {
				f.patches = append(f.patches, p)
				js++
			}
		case jsURLAttr(lk) && mayBeJSURL(raw[a.vs:a.ve]):
			if p, ok := f.rewriteAttr(raw, a, JSURL); ok {
				f.patches = append(f.patches, p)
				js++
			}
		case ns == nsXHTML && string(k) == "integrity" && f.sriMayBreak(raw, local):
			f.patches = append(f.patches, attrPatch{a: a})
		case isXHTML(ns, local, "iframe") && string(k) == "srcdoc":
			if p, n, ok := f.rewriteSrcdoc(raw, a); ok {
				f.patches = append(f.patches, p)
				js += n
			}
		}
	}
	if len(f.patches) == 0 {
		f.emit(raw)
		return
	}
	f.res.JSRewrites += js
	f.emit(applyPatches(make([]byte, 0, len(raw)+64), raw, f.patches, true))
}

// xmlDoctype records what the doctype changes in references: entities
// declared in its internal subset, and HTML's named references, which
// the browser knows in a document with an XHTML public identifier.
func (f *htmlFilter) xmlDoctype(raw []byte) {
	xs := f.xs
	s := string(raw)
	if i := strings.Index(s, "PUBLIC"); i >= 0 {
		rest := strings.TrimLeft(s[i+len("PUBLIC"):], " \t\r\n")
		if rest != "" && (rest[0] == '"' || rest[0] == '\'') {
			if j := strings.IndexByte(rest[1:], rest[0]); j >= 0 {
				id := rest[1 : 1+j]
				xs.htmlEnts = strings.HasPrefix(id, "-//W3C//DTD XHTML") || strings.HasPrefix(id, "-//W3C//DTD MathML") ||
					strings.HasPrefix(id, "-//WAPFORUM//DTD XHTML")
			}
		}
	}
	for {
		i := strings.Index(s, "<!ENTITY")
		if i < 0 {
			break
		}
		s = s[i+len("<!ENTITY"):]
		rest := strings.TrimLeft(s, " \t\r\n")
		if len(rest) == len(s) || strings.HasPrefix(rest, "%") {
			continue // a parameter entity
		}
		n := strings.IndexAny(rest, " \t\r\n")
		if n <= 0 {
			continue
		}
		name := rest[:n]
		rest = strings.TrimLeft(rest[n:], " \t\r\n")
		if rest == "" || (rest[0] != '"' && rest[0] != '\'') {
			continue // external: the browser does not load it
		}
		j := strings.IndexByte(rest[1:], rest[0])
		if j < 0 {
			break
		}
		if _, dup := xs.ents[name]; dup {
			continue // the first declaration binds
		}
		text, ok := expandCharRefs(rest[1 : 1+j])
		if !ok {
			continue
		}
		if xs.ents == nil {
			xs.ents = map[string]xmlEnt{}
		}
		xs.ents[name] = xmlEnt{text: text, markup: strings.IndexByte(text, '<') >= 0}
	}
	// An entity referencing one whose text is markup is markup too.
	for changed := true; changed; {
		changed = false
		for name, e := range xs.ents {
			if !e.markup && xs.refsMarkup(e.text) {
				e.markup, changed = true, true
				xs.ents[name] = e
			}
		}
	}
	for name, e := range xs.ents {
		if e.markup {
			if xs.z.ents == nil {
				xs.z.ents = map[string]string{}
			}
			xs.z.ents[name] = e.text
		}
	}
}

// refsMarkup reports whether text references a markup entity.
func (xs *xhtmlState) refsMarkup(text string) bool {
	for t := text; ; {
		i := strings.IndexByte(t, '&')
		if i < 0 {
			return false
		}
		t = t[i+1:]
		if j := strings.IndexByte(t, ';'); j > 0 && xs.ents[t[:j]].markup {
			return true
		}
	}
}

// expandCharRefs expands the character references of an entity value as
// its declaration does (general entity references stay for later).
func expandCharRefs(v string) (string, bool) {
	if !strings.Contains(v, "&#") {
		return v, !strings.ContainsAny(v, "%")
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '%' {
			return "", false // parameter entity references: not ours to follow
		}
		if v[i] == '&' && i+1 < len(v) && v[i+1] == '#' {
			k := strings.IndexByte(v[i:], ';')
			if k < 0 {
				return "", false
			}
			r, ok := charRef(v[i+2 : i+k])
			if !ok {
				return "", false
			}
			b.WriteRune(r)
			i += k
			continue
		}
		b.WriteByte(v[i])
	}
	return b.String(), true
}

// charRef decodes the digits of a numeric character reference.
func charRef(s string) (rune, bool) {
	base := 10
	if strings.HasPrefix(s, "x") {
		s, base = s[1:], 16
	}
	if s == "" || len(s) > 8 {
		return 0, false
	}
	n, err := strconv.ParseUint(s, base, 32)
	if err != nil || !xmlChar(rune(n)) {
		return 0, false
	}
	return rune(n), true
}

// xmlChar reports a character XML 1.0 allows.
func xmlChar(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD || 0x20 <= r && r <= 0xD7FF || 0xE000 <= r && r <= 0xFFFD || 0x10000 <= r && r <= 0x10FFFF
}

// splice puts the text of the markup entity referenced by raw ("&name;")
// in the input after it, its own markup entities expanded; false when
// that text is not whole content or the expansion is recursive or too
// large (not well-formed there: the reference is left as it is).
func (xs *xhtmlState) splice(raw []byte) bool {
	name := string(raw[1 : len(raw)-1])
	budget := min(xs.z.max, 1<<20) - xs.z.pushed
	text, ok := xs.expand(name, nil, &budget)
	if !ok {
		return false
	}
	whole, seen := xs.whole[name]
	if !seen {
		whole = xmlBalanced(text)
		if xs.whole == nil {
			xs.whole = map[string]bool{}
		}
		xs.whole[name] = whole
	}
	return whole && xs.z.push(text)
}

// expand returns the text of an entity with the markup entities it
// references expanded in turn (references to text entities stay).
func (xs *xhtmlState) expand(name string, open []string, budget *int) (string, bool) {
	e, ok := xs.ents[name]
	if !ok || !e.markup || slices.Contains(open, name) || len(open) > 16 {
		return "", false
	}
	open = append(open, name)
	var b strings.Builder
	for t := e.text; ; {
		i := strings.IndexByte(t, '&')
		j := strings.IndexByte(t[max(i, 0):], ';')
		if i < 0 || j < 0 {
			b.WriteString(t)
			break
		}
		ref := t[i+1 : i+j]
		b.WriteString(t[:i])
		if x, ok := xs.ents[ref]; ok && x.markup {
			sub, ok := xs.expand(ref, open, budget)
			if !ok {
				return "", false
			}
			b.WriteString(sub)
		} else {
			b.WriteString(t[i : i+j+1])
		}
		t = t[i+j+1:]
	}
	if *budget -= b.Len(); *budget < 0 {
		return "", false
	}
	return b.String(), true
}

// xmlBalanced reports whether an entity's text is whole content (its tags
// balanced): only then is it spliced in where it is referenced.
func xmlBalanced(text string) bool {
	if text == "" {
		return false
	}
	z := &xmlTokenizer{r: strings.NewReader(text), buf: make([]byte, len(text)+16), max: len(text) + 16}
	depth := 0
	for {
		switch z.Next() {
		case xtError:
			return z.err == io.EOF && depth == 0
		case xtStart:
			depth++
		case xtEnd:
			if depth--; depth < 0 {
				return false
			}
		case xtDoctype, xtBogus:
			return false
		}
	}
}

// ref resolves a named reference: the five XML ones, an internal entity
// (its text decoded in turn), or HTML's under an XHTML doctype.
func (xs *xhtmlState) ref(name string, attr bool, depth int) ([]byte, bool) {
	switch name {
	case "lt":
		return []byte("<"), true
	case "gt":
		return []byte(">"), true
	case "amp":
		return []byte("&"), true
	case "quot":
		return []byte(`"`), true
	case "apos":
		return []byte("'"), true
	}
	if e, ok := xs.ents[name]; ok {
		if e.markup || depth > 8 {
			return nil, false
		}
		return xs.decodeText(nil, []byte(e.text), attr, depth+1)
	}
	if xs.htmlEnts {
		if s := html.UnescapeString("&" + name + ";"); s != "&"+name+";" {
			return []byte(s), true
		}
	}
	return nil, false
}

// decodeText appends the decoded text of character data (attr: of an
// attribute value, whose white space is normalized to spaces); false for
// anything that is not well-formed or a reference it cannot resolve.
func (xs *xhtmlState) decodeText(dst, v []byte, attr bool, depth int) ([]byte, bool) {
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '<':
			return nil, false
		case c == ']' && !attr && i+2 < len(v) && v[i+1] == ']' && v[i+2] == '>':
			return nil, false
		case attr && (c == '\t' || c == '\n'):
			dst = append(dst, ' ')
		case attr && c == '\r':
			if i+1 < len(v) && v[i+1] == '\n' {
				i++
			}
			dst = append(dst, ' ')
		case c == '&':
			k := bytes.IndexByte(v[i:], ';')
			if k < 2 {
				return nil, false
			}
			name := string(v[i+1 : i+k])
			if name[0] == '#' {
				r, ok := charRef(name[1:])
				if !ok {
					return nil, false
				}
				dst = utf8.AppendRune(dst, r)
			} else {
				t, ok := xs.ref(name, attr, depth)
				if !ok {
					return nil, false
				}
				dst = append(dst, t...)
			}
			i += k
		default:
			dst = append(dst, c)
		}
	}
	return dst, true
}

// xmlAtom maps a piece of raw element content (UTF-8) to the text it
// decodes to: literal runs map byte for byte, references and markup
// (CDATA delimiters, comments) as a whole.
type xmlAtom struct {
	d0, d1, r0, r1 int
	lit            bool
	cdataIn        bool // in a CDATA section at r0
	cdataOut       bool // in a CDATA section at r1
}

// decodeContent decodes the raw content of a script (text, CDATA,
// comments, processing instructions; no elements) to its text.
func (xs *xhtmlState) decodeContent(u []byte) (d []byte, atoms []xmlAtom, ok bool) {
	d = make([]byte, 0, len(u))
	mark := func(r0, r1 int, in, out bool) {
		atoms = append(atoms, xmlAtom{d0: len(d), d1: len(d), r0: r0, r1: r1, cdataIn: in, cdataOut: out})
	}
	for i := 0; i < len(u); {
		switch {
		case bytes.HasPrefix(u[i:], []byte("<![CDATA[")):
			k := bytes.Index(u[i+9:], []byte("]]>"))
			if k < 0 {
				return nil, nil, false
			}
			mark(i, i+9, false, true)
			atoms = append(atoms, xmlAtom{d0: len(d), d1: len(d) + k, r0: i + 9, r1: i + 9 + k, lit: true, cdataIn: true, cdataOut: true})
			d = append(d, u[i+9:i+9+k]...)
			mark(i+9+k, i+12+k, true, false)
			i += 12 + k
		case bytes.HasPrefix(u[i:], []byte("<!--")), bytes.HasPrefix(u[i:], []byte("<?")):
			end := []byte("-->")
			if u[i+1] == '?' {
				end = []byte("?>")
			}
			k := bytes.Index(u[i+2:], end)
			if k < 0 {
				return nil, nil, false
			}
			mark(i, i+2+k+len(end), false, false)
			i += 2 + k + len(end)
		case u[i] == '<':
			return nil, nil, false
		default:
			j := bytes.IndexByte(u[i:], '<')
			if j < 0 {
				j = len(u) - i
			}
			if !xs.decodeRun(&d, &atoms, u, i, i+j) {
				return nil, nil, false
			}
			i += j
		}
	}
	return d, atoms, true
}

// decodeRun decodes the character data u[i:j] into atoms.
func (xs *xhtmlState) decodeRun(d *[]byte, atoms *[]xmlAtom, u []byte, i, j int) bool {
	for i < j {
		k := bytes.IndexByte(u[i:j], '&')
		if k != 0 {
			if k < 0 {
				k = j - i
			}
			if bytes.Contains(u[i:i+k], []byte("]]>")) {
				return false
			}
			*atoms = append(*atoms, xmlAtom{d0: len(*d), d1: len(*d) + k, r0: i, r1: i + k, lit: true})
			*d = append(*d, u[i:i+k]...)
			i += k
			continue
		}
		e := bytes.IndexByte(u[i:j], ';')
		if e < 0 {
			return false
		}
		d0 := len(*d)
		var ok bool
		if *d, ok = xs.decodeText(*d, u[i:i+e+1], false, 0); !ok {
			return false
		}
		*atoms = append(*atoms, xmlAtom{d0: d0, d1: len(*d), r0: i, r1: i + e + 1})
		i += e + 1
	}
	// "]]>" across a literal run and a reference cannot occur: ">" ends it.
	return true
}

// spliceContent returns raw content whose text is o, given content u whose
// text is d: the bytes before and after the changed part stay as they
// were (a CDATA-wrapped script keeps its wrapper), the changed part is
// written in its context, as CDATA or as escaped text.
func spliceContent(u, d []byte, atoms []xmlAtom, o []byte) []byte {
	p := 0
	for p < len(d) && p < len(o) && d[p] == o[p] {
		p++
	}
	s := 0
	for s < len(d)-p && s < len(o)-p && d[len(d)-1-s] == o[len(o)-1-s] {
		s++
	}
	p0, q := p, len(d)-s
	// Delimiters and comments where the change begins stay before it, and
	// where it ends after it; unless it is a pure insertion among them.
	p, rp, inP := rawAt(atoms, p0, true, true)
	q, rs, inS := rawAt(atoms, q, false, false)
	if rp > rs {
		p, rp, inP = rawAt(atoms, p0, false, true)
	}
	mid := o[p : len(o)-(len(d)-q)]
	out := make([]byte, 0, len(u)+len(mid)+32)
	out = append(out, u[:rp]...)
	asCDATA := inP && bytes.IndexByte(mid, '\r') < 0
	if asCDATA {
		// No "]]>" may form where the new part meets the old ones.
		seam := append(append(append([]byte(nil), u[max(rp-2, 0):rp]...), mid...), u[rs:min(rs+2, len(u))]...)
		asCDATA = !bytes.Contains(seam, []byte("]]>"))
	}
	if asCDATA {
		out = append(out, bytes.ReplaceAll(mid, []byte("]]>"), []byte("]]]]><![CDATA[>"))...)
		if !inS {
			out = append(out, "]]>"...)
		}
	} else {
		if inP {
			out = append(out, "]]>"...)
		}
		out = escapeXMLText(out, mid)
		if inS {
			out = append(out, "<![CDATA["...)
		}
	}
	return append(out, u[rs:]...)
}

// rawAt returns where decoded offset x falls in the raw content, and
// whether that is inside a CDATA section. Zero-width atoms at x go before
// it (right) or after it; a reference is never split: x moves to its
// start (down) or end.
func rawAt(atoms []xmlAtom, x int, right, down bool) (int, int, bool) {
	r, in := 0, false
	for _, a := range atoms {
		switch {
		case a.d1 < x, a.d1 == x && (a.d0 < a.d1 || right):
			r, in = a.r1, a.cdataOut
		case a.d0 < x: // x is inside a
			if a.lit {
				return x, a.r0 + x - a.d0, a.cdataIn
			}
			if down {
				return a.d0, a.r0, a.cdataIn
			}
			return a.d1, a.r1, a.cdataOut
		default:
			return x, a.r0, a.cdataIn
		}
	}
	return x, r, in
}

// escapeXMLText escapes text for XML character data. A final ']' becomes
// a reference so that no "]]>" forms with what follows.
func escapeXMLText(dst, s []byte) []byte {
	for i, c := range s {
		switch c {
		case '&':
			dst = append(dst, "&amp;"...)
		case '<':
			dst = append(dst, "&lt;"...)
		case '>':
			dst = append(dst, "&gt;"...)
		case '\r':
			dst = append(dst, "&#13;"...)
		case ']':
			if i == len(s)-1 {
				dst = append(dst, "&#93;"...)
			} else {
				dst = append(dst, c)
			}
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// escapeXMLAttr escapes an attribute value quoted with q. White space
// other than the space is written as references: the parser turns
// literal tabs and newlines in values into spaces.
func escapeXMLAttr(dst, s []byte, q byte) []byte {
	for _, c := range s {
		switch {
		case c == '&':
			dst = append(dst, "&amp;"...)
		case c == '<':
			dst = append(dst, "&lt;"...)
		case c == '"' && q == '"':
			dst = append(dst, "&quot;"...)
		case c == '\'' && q == '\'':
			dst = append(dst, "&apos;"...)
		case c == '\t':
			dst = append(dst, "&#9;"...)
		case c == '\n':
			dst = append(dst, "&#10;"...)
		case c == '\r':
			dst = append(dst, "&#13;"...)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// xmlAttrText is attrText for XHTML: the value as the XML parser reads it
// (false for a value that is not well-formed or has an unknown reference).
func (f *htmlFilter) xmlAttrText(raw []byte, a attrSpan) ([]byte, encoding.Encoding, bool) {
	u, enc, ok := f.cs.toUTF8(raw[a.vs:a.ve])
	if !ok {
		return nil, nil, false
	}
	if bytes.IndexAny(u, "&<\t\n\r") < 0 {
		return u, enc, true
	}
	d, ok := f.xs.decodeText(nil, u, true, 0)
	return d, enc, ok
}

// appendXMLInjection is our tags for a place whose default namespace is
// not XHTML (a prefixed page, <h:head>): each declares it.
func (f *htmlFilter) appendXMLInjection(dst []byte) []byte {
	tags := f.b.appendInjection(nil, f.nonce)
	return append(dst, bytes.ReplaceAll(tags, []byte("<script "), []byte(`<script xmlns="`+nsXHTML+`" `))...)
}
