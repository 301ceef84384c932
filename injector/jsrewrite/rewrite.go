// Package jsrewrite neutralises frame busting in JavaScript by replacing
// references to the global `top` with `__crmframe_top`, an accessor that the
// runtime shim (injector/sdk/shim.js) defines on every CRM window and that
// returns the "virtual top": the topmost window that is still the CRM.
//
// `top` is the one window property a script cannot redefine
// ([LegacyUnforgeable]); `parent`, `frameElement`, `frames`, `self` and
// `length` are [Replaceable] and are handled by the shim at run time, so only
// `top` needs a source rewrite.
//
// The rewriter runs the tdewolff JS lexer once over the script (lexing the
// plainest tokens itself, exactly as the library would: lexfast.go) and
// patches bytes at token offsets; it never re-prints a script. A small
// amount of syntax tracking on the token stream (brackets, scopes,
// declarations, parameter lists, object literals, regular-expression
// positions) tells the global `top` apart from locals, parameters, labels
// and property keys named top. Property accesses `window.top`, `self.top`,
// `parent.top`, `frames.top`, `globalThis.top`, `top.top` and global
// `this.top` (dot or bracket form) become `X.__crmframe_top`; the shim also
// defines `__crmframe_top` on Object.prototype as "return this.top", so such
// a rewrite stays correct even when X turns out to be an ordinary object
// (for example a local `var self = this`).
//
// Identifiers spelled with \u escapes (\u0074op, \u{74}op) are the same
// names and are compared decoded. The global eval used as a value rather
// than called directly (var e = eval, eval.call(…), window.eval) becomes
// the shim's indirect eval, __crmframe_ieval (IevalRef, IevalKey).
package jsrewrite

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/tdewolff/parse/v2/js"
)

// Kind is the syntactic context a piece of JavaScript runs in.
type Kind int

const (
	// Classic is a classic <script> (inline or external), sloppy or strict.
	Classic Kind = iota
	// Module is a <script type=module> or a module file.
	Module
	// Handler is the body of an event-handler attribute (onclick=...),
	// which runs as a function body: top-level `return` is legal.
	Handler
	// URL is the code of a javascript: URL, without the scheme. Pass the
	// attribute value after HTML unescaping; percent-encoding may stay, the
	// rewrite only swaps identifiers and never adds characters that need it.
	URL
)

// Accessor is the name the rewriter substitutes for the global `top`.
const Accessor = "__crmframe_top"

// Count keys used in Result.Counts (bounded set, safe as metric labels).
const (
	CountTop       = "top"       // bare global `top`
	CountMember    = "member"    // window.top, self.top, parent.top, frames.top, globalThis.top, this.top, top.top
	CountBracket   = "bracket"   // window['top'] and the like
	CountShorthand = "shorthand" // {top} object shorthand
	CountAlias     = "alias"     // e.top where e is used as a window (e.top.location, e.self===e.top, e.top!==e)
	CountPattern   = "pattern"   // the key top in a destructuring of a window: const {top} = window
	CountAncestors = "ancestors" // x.ancestorOrigins (location.ancestorOrigins lists the desktop)
	CountEval      = "eval"      // eval(code): the code is passed through the shim's __crmframe_code first
	CountComputed  = "computed"  // window[k] with a key that is not a literal: the key goes through the shim's __crmframe_key
	CountIeval     = "ieval"     // eval as a value (var e = eval, eval.call, window.eval): the shim's __crmframe_ieval instead
	CountDoc       = "doc"       // javascript:'<html>…': the document a javascript: URL returns goes through the shim's __crmframe_doc
	CountImport    = "import"    // import(specifier): the specifier goes through the shim's __crmframe_url (data:/blob: modules)
	CountPost      = "post"      // X.top.postMessage: X.top goes through the shim's __crmframe_post
	CountLocation  = "location"  // X.location, X an unknown path (var t = f[k]): X goes through the shim's __crmframe_vtop
)

// EvalWrapOpen and EvalWrapClose surround the arguments of a direct eval
// call: eval(x) becomes eval(EvalWrapOpen x EvalWrapClose), still a direct
// eval, with the code string given the same top swap by the shim at run
// time (packed and string-built busters). The fallback keeps the script
// working where no shim runs (a worker).
const (
	EvalWrapOpen  = "(globalThis.__crmframe_code||(x=>x))("
	EvalWrapClose = ")"
)

// DocWrapOpen and DocWrapClose surround a javascript: URL whose code is a
// single string literal (javascript:'<!doctype html><script>…'): the
// string becomes the frame's or page's new document, which the server never
// sees. The shim swaps its scripts and handlers and makes it load the shim
// (as for a srcdoc set by script). The fallback keeps the URL working
// where no shim runs.
const (
	DocWrapOpen  = "(globalThis.__crmframe_doc||(x=>x))("
	DocWrapClose = ")"
)

// URLWrapOpen and URLWrapClose surround the specifier of a dynamic
// import(): import('data:text/javascript,…') and import(blobURL) load code
// the server never sees. The shim's __crmframe_url swaps the code of a
// data: or blob: URL (as for script.src) and returns other specifiers as
// they are. The fallback keeps the script working where no shim runs.
const (
	URLWrapOpen  = "(globalThis.__crmframe_url||(x=>x))("
	URLWrapClose = ")"
)

// PostWrapOpen and PostWrapClose surround the top of X.top.postMessage
// (X a dotted path, or nothing): the shim's __crmframe_post sends a message
// for the CRM's own origin to the virtual top (a desktop on another origin
// never gets it; unframed the CRM's top would, x419), others to the real
// top. No fallback: it starts with a name, so that a line starting with
// it cannot continue the previous one, and the shim defines it in every
// mode (as __crmframe_top).
const (
	PostWrapOpen  = "__crmframe_post("
	PostWrapClose = ")"
)

// KeyWrapOpen and KeyWrapClose surround the key of a computed member read
// on a window name whose key is not a literal: window[k] becomes
// window[KeyWrapOpen k KeyWrapClose], still a member expression (this,
// assignment and delete keep their meaning), and the shim maps the key
// "top" to the accessor at run time (window['to'+'p'], var k='top';
// window[k]). The fallback keeps the script working where no shim runs.
const (
	KeyWrapOpen  = "(globalThis.__crmframe_key||(x=>x))("
	KeyWrapClose = ")"
)

// IevalRef replaces a reference to the global eval that is not a direct
// call (var e = eval; e(s), [eval][0](s), eval.call(null, s),
// setTimeout(eval, 0, s)): the shim's __crmframe_ieval is an indirect eval
// that swaps the code first. Replacing the global eval itself would make
// every direct eval indirect and break local scope, so only these uses
// change. The fallback keeps the script working where no shim runs.
// TopKey is the key a getter helper's `return x.top` reads (see
// aliasCandidate): the accessor where the shim runs, top elsewhere.
const TopKey = "globalThis.__crmframe_top?'__crmframe_top':'top'"

// VtopRef is a bare top in an event-handler attribute (see topRepl).
const VtopRef = "__crmframe_vtop(top)"

// LocNLWrapOpen opens the X.location receiver wrap where a '(' would join
// the line above (a = f[k]\nt.location = u): it starts with a name, and
// without a shim Object(Object)(t) is t.
const LocNLWrapOpen = "Object(globalThis.__crmframe_vtop||Object)("

// VtopWrapOpen and VtopWrapClose surround an X.top read taken for a
// window's top only by a guess (a window-like name, a getter helper's
// return; see vtopRead): X.top is read as written, so an object
// without a prototype (Object.create(null), Object.groupBy, a module
// namespace), which the Object.prototype fallback never reaches, keeps its
// own top (x471, x472), and the shim's __crmframe_vtop turns the real top
// into the virtual one. The fallback keeps the script working where no
// shim runs.
const (
	VtopWrapOpen  = "(globalThis.__crmframe_vtop||(x=>x))("
	VtopWrapClose = ")"
)

const IevalRef = "(globalThis.__crmframe_ieval||eval)"

// IevalKey is the key that replaces .eval on a window name (window.eval
// becomes window[IevalKey], window['eval'] window[IevalKey]): that window's
// __crmframe_ieval, the plain eval where no shim runs. A key rather than
// IevalRef keeps the window the code runs in (parent.eval, top.eval).
const IevalKey = "globalThis.__crmframe_ieval?'__crmframe_ieval':'eval'"

// AncestorsAccessor is the name the rewriter substitutes for the property
// ancestorOrigins: Location's own properties cannot be redefined, so the
// shim answers location.__crmframe_ancestorOrigins with the ancestors inside
// the CRM only.
const AncestorsAccessor = "__crmframe_ancestorOrigins"

// Result describes what Rewrite or Detect did.
type Result struct {
	// Changed is true when the output differs from the input (for Detect:
	// when Rewrite would change it).
	Changed bool
	// Counts holds the number of rewritten constructs by kind (Count*).
	Counts map[string]int
	// Err is set when the script could not be lexed; the script is then
	// returned unchanged.
	Err error
}

// Replacement texts, shared by all edits.
var (
	replAccessor     = []byte(Accessor)
	replShorthand    = []byte("top: " + Accessor)
	replVtop         = []byte(VtopRef)
	replVtopShort    = []byte("top: " + VtopRef)
	replVtopNew      = []byte("(" + VtopRef + ")") // new top.X(): the call must not take the new
	replSingle       = []byte("'" + Accessor + "'")
	replDouble       = []byte(`"` + Accessor + `"`)
	replBacktick     = []byte("`" + Accessor + "`")
	replPattern      = []byte(Accessor + ": top")
	replAncestors    = []byte(AncestorsAccessor)
	replAncestorsPat = []byte(AncestorsAccessor + ": ancestorOrigins")
	replEvalOpen     = []byte(EvalWrapOpen)
	replEvalClose    = []byte(EvalWrapClose)
	replKeyOpen      = []byte(KeyWrapOpen)
	replURLOpen      = []byte(URLWrapOpen)
	replURLClose     = []byte(URLWrapClose)
	replDocOpen      = []byte(DocWrapOpen)
	replDocClose     = []byte(DocWrapClose)
	replDocExprOpen  = []byte(DocWrapOpen + "(")
	replDocExprClose = []byte(DocWrapClose + ")")
	replKeyClose     = []byte(KeyWrapClose)
	replPostOpen     = []byte(PostWrapOpen)
	replPostClose    = []byte(PostWrapClose)
	replIeval        = []byte(IevalRef)
	replIevalSemi    = []byte(";" + IevalRef) // after a line break that ended a statement by ASI
	replIevalShort   = []byte("eval: " + IevalRef)
	replIevalDot     = []byte("[" + IevalKey + "]")
	replIevalKey     = []byte(IevalKey)
	replTopDot       = []byte("[" + TopKey + "]")
	replVtopOpen     = []byte(VtopWrapOpen)
	replVtopClose    = []byte(VtopWrapClose)
	replLocNLOpen    = []byte(LocNLWrapOpen)
	replOptDot       = []byte("?.")
)

// Mentions reports whether src could contain anything Rewrite changes:
// "top", "eval", "ancestorOrigins" or a '[' right after a window name
// (window[, self[, parent[, frames[, globalThis[, also with ?.[ and
// spaces), also spelled with \u escapes of ASCII letters (\u0074op is the
// identifier top). Each check looks for a rare-ish byte of its word with the
// vectorised bytes.IndexByte and compares the neighbours, which is cheaper
// than bytes.Contains on a word starting with a common letter; scripts that
// contain none of them cost almost nothing.
func Mentions(src []byte) bool {
	return mentionsPlain(src) || escapedMention(src)
}

func mentionsPlain(src []byte) bool {
	return topOrImport(src) || around(src, 'v', "e", "al") ||
		around(src, 'O', "ancestor", "rigins") || windowBracket(src) ||
		windowAlias(src) || otherLocation(src) || locationSpelled(src)
}

// locationSpelled reports whether src may hold the key "location" as a
// value (pass 33, x1008: var l = 'loc' + 'ation'; t[l].href = u): a string
// literal that is the word or a piece of it holding "loc" or "cation" (any
// split in two has one), or String.fromCharCode with the code of 'l' (108,
// 0x6c) among its first arguments. Such a script's computed member
// receivers go through __crmframe_vtop (see keyRecv). Not any
// fromCharCode or atob: jQuery, React DOM, Angular, Prototype call it
// (escapes, surrogates), and all their computed members would cost a call.
// One byte scan for 'c' (both pieces have one) and one for 'C'.
func locationSpelled(src []byte) bool {
	for i := 0; i < len(src); i++ {
		j := bytes.IndexByte(src[i:], 'c')
		if j < 0 {
			break
		}
		i += j
		if i >= 2 && src[i-2] == 'l' && src[i-1] == 'o' || len(src)-i > 5 && string(src[i+1:i+6]) == "ation" {
			if quotedPiece(src, i) {
				return true
			}
		}
	}
	return charCodeL(src)
}

// quotedPiece reports whether the word around src[at] is a string literal
// of its own that is a piece of "location" (itself included).
func quotedPiece(src []byte, at int) bool {
	b, e := at, at+1
	for b > 0 && isIdentByte(src[b-1]) && e-b < 9 {
		b--
	}
	for e < len(src) && isIdentByte(src[e]) && e-b < 9 {
		e++
	}
	if b == 0 || e == len(src) || e-b > 8 || src[b-1] != src[e] || (src[e] != '\'' && src[e] != '"' && src[e] != '`') {
		return false
	}
	return bytes.Contains([]byte("location"), src[b:e])
}

// charCodeL reports whether a fromCharCode( in src has 108 or 0x6c (any
// case) in the 48 bytes after it.
func charCodeL(src []byte) bool {
	for i := 8; i < len(src); i++ {
		j := bytes.IndexByte(src[i:], 'C')
		if j < 0 {
			return false
		}
		i += j
		if string(src[i-8:i]) != "fromChar" || len(src)-i < 5 || string(src[i+1:i+5]) != "ode(" {
			continue
		}
		args := src[i+5 : min(len(src), i+53)]
		if k := bytes.IndexByte(args, ')'); k >= 0 {
			args = args[:k]
		}
		if bytes.Contains(args, []byte("108")) {
			return true
		}
		for k := range args {
			if hasPrefixFold(args[k:], "0x6c") {
				return true
			}
		}
	}
	return false
}

// otherLocation reports whether src reads .location on a name that is not
// window, document, self, this or top (t.location.href = u, t = f[k]):
// its receiver goes through __crmframe_vtop (pass 31); also ?.location,
// ['location'] and a call's or parenthesis's .location (pass 32).
func otherLocation(src []byte) bool {
	for i := 0; ; {
		j := bytes.Index(src[i:], []byte("location"))
		if j < 0 {
			return false
		}
		e := i + j
		i = e + 8
		if i < len(src) && isIdentByte(src[i]) {
			continue // .locationbar
		}
		if e > 0 && (src[e-1] == '\'' || src[e-1] == '"') {
			// t['location'] (pass 32)
			d := e - 1
			for d > 0 && isSpace(src[d-1]) {
				d--
			}
			if d > 0 && src[d-1] == '[' && i < len(src) && src[i] == src[e-1] {
				return true
			}
			continue
		}
		d := e
		for d > 0 && isSpace(src[d-1]) {
			d--
		}
		if d == 0 || src[d-1] != '.' {
			continue
		}
		e = d - 1
		if e > 0 && src[e-1] == '?' {
			e-- // t?.location (pass 32)
		}
		for e > 0 && isSpace(src[e-1]) {
			e--
		}
		if e > 0 && (src[e-1] == ']' || src[e-1] == ')') {
			return true // f[k].location; pick(f, k).location, (0, f[k]).location (pass 32)
		}
		h := e
		for h > 0 && isIdentByte(src[h-1]) {
			h--
		}
		if h == e {
			continue
		}
		if !locationKnownRoot(src[h:e]) {
			return true
		}
	}
}

// locationKnownRoot reports whether name.location is no concern of the
// X.location receiver wrap (Mentions and the scanner share it): the window
// names (their top is rewritten where read), document, location, this.
func locationKnownRoot(name []byte) bool {
	switch string(name) {
	case "window", "self", "parent", "frames", "globalThis", "top", "document", "location", "this":
		return true
	}
	return false
}

// windowAlias reports whether src assigns window or globalThis as a value
// (var w = window; e=globalThis,): the alias's computed keys with a call or
// a string are wrapped (obfuscator output: w[_0x2c(0)]). It looks at each
// '=' (one vectorised scan, no per-word search: handlers are short and
// many) for the name right after it. Not self: it is a common word (var
// self = this), and would halve the speed of this fast path.
func windowAlias(src []byte) bool {
	for i := 0; ; {
		j := bytes.IndexByte(src[i:], '=')
		if j < 0 {
			return false
		}
		e := i + j
		i = e + 1
		if e > 0 && (src[e-1] == '=' || src[e-1] == '!' || src[e-1] == '<' || src[e-1] == '>') {
			continue // ==, !=, <=, >=
		}
		k := i
		for k < len(src) && isSpace(src[k]) {
			k++
		}
		end := k
		switch {
		case len(src)-k >= 6 && string(src[k:k+6]) == "window":
			end += 6
		case len(src)-k >= 10 && string(src[k:k+10]) == "globalThis":
			end += 10
		case len(src)-k >= 20 && string(src[k:k+20]) == "document.defaultView" && (len(src)-k == 20 || !isIdentByte(src[k+20])):
			return true // x442: a window whose computed keys must be wrapped
		case k < len(src) && src[k] == '{':
			if spreadsWindow(src[k+1:]) {
				return true // {...window}: a copy of it (x430)
			}
			continue
		default:
			continue
		}
		if end < len(src) && isIdentByte(src[end]) {
			continue
		}
		for end < len(src) && isSpace(src[end]) {
			end++
		}
		if end == len(src) {
			return true
		}
		switch src[end] {
		case '.', '[', '(', '?', '`':
		default:
			return true
		}
	}
}

// spreadsWindow reports whether b (after a '{') starts with a spread of a
// window name: ...window, ... self.
func spreadsWindow(b []byte) bool {
	i := 0
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	if !bytes.HasPrefix(b[i:], []byte("...")) {
		return false
	}
	i += 3
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	j := i
	for j < len(b) && isIdentByte(b[j]) {
		j++
	}
	return isWindowName(b[i:j])
}

// escapedMention reports whether src, with its \u escapes of ASCII
// characters decoded, mentions a trigger. Only such an escape can spell
// one (the words are ASCII), and most scripts hold none: one IndexByte.
func escapedMention(src []byte) bool {
	for i := 0; ; i++ {
		j := bytes.IndexByte(src[i:], '\\')
		if j < 0 {
			return false
		}
		i += j
		if r, n := unescapeU(src[i:]); n > 0 && r < utf8.RuneSelf {
			return mentionsPlain(decodeASCII(src))
		}
	}
}

// unescapeU decodes the \uXXXX or \u{X…} escape at the start of b: the
// rune and the length of the escape, or n = 0 when there is none.
func unescapeU(b []byte) (r rune, n int) {
	if len(b) < 3 || b[0] != '\\' || b[1] != 'u' {
		return 0, 0
	}
	if b[2] == '{' {
		for j := 3; j < len(b); j++ {
			if b[j] == '}' {
				if j == 3 {
					return 0, 0
				}
				return r, j + 1
			}
			h := unhex(b[j])
			if h < 0 || r > 0x10FFFF>>4 {
				return 0, 0
			}
			r = r<<4 | rune(h)
		}
		return 0, 0
	}
	if len(b) < 6 {
		return 0, 0
	}
	for _, c := range b[2:6] {
		h := unhex(c)
		if h < 0 {
			return 0, 0
		}
		r = r<<4 | rune(h)
	}
	return r, 6
}

// decodeASCII returns src with its \u escapes of ASCII characters decoded
// (for Mentions: strings and comments are decoded too, a superset).
func decodeASCII(src []byte) []byte {
	out := make([]byte, 0, len(src))
	for i := 0; i < len(src); i++ {
		if src[i] == '\\' {
			if r, n := unescapeU(src[i:]); n > 0 && r < utf8.RuneSelf {
				out = append(out, byte(r))
				i += n - 1
				continue
			}
		}
		out = append(out, src[i])
	}
	return out
}

// decodeIdent resolves the \u escapes of an identifier (or a dotted path of
// them): \u0074op is top. With an invalid escape it returns b unchanged,
// which names nothing the rewriter looks for.
func decodeIdent(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		if b[i] != '\\' {
			out = append(out, b[i])
			i++
			continue
		}
		r, n := unescapeU(b[i:])
		if n == 0 || r > utf8.MaxRune {
			return b
		}
		out = utf8.AppendRune(out, r)
		i += n
	}
	return out
}

// topOrImport reports whether src holds "top" or a dynamic import ("import"
// and a '(' after optional spaces): one scan for their common 'p'.
func topOrImport(src []byte) bool {
	dataAsked := false
	for i := 2; i < len(src); {
		j := bytes.IndexByte(src[i:], 'p')
		if j < 0 {
			return false
		}
		i += j
		if src[i-1] == 'o' && src[i-2] == 't' {
			return true
		}
		if src[i-1] == 'm' && src[i-2] == 'i' && len(src)-i >= 4 && string(src[i+1:i+4]) == "ort" {
			k := i + 4
			for k < len(src) && isSpace(src[k]) {
				k++
			}
			if k < len(src) && src[k] == '(' {
				return true
			}
			// a static import of a data: module (x386): its code is in the
			// string, maybe base64 or percent-encoded; asked once
			if !dataAsked {
				dataAsked = true
				if containsDataScheme(src) {
					return true
				}
			}
		}
		i++
	}
	return false
}

// around reports whether src holds pre+c+post.
func around(src []byte, c byte, pre, post string) bool {
	for i := len(pre); i < len(src); {
		j := bytes.IndexByte(src[i:], c)
		if j < 0 {
			return false
		}
		i += j
		if string(src[i-len(pre):i]) == pre && len(src)-i-1 >= len(post) && string(src[i+1:i+1+len(post)]) == post {
			return true
		}
		i++
	}
	return false
}

func skipSpaceBack(src []byte, k int) int {
	for k > 0 && (src[k-1] == ' ' || src[k-1] == '\t' || src[k-1] == '\n' || src[k-1] == '\r') {
		k--
	}
	return k
}

// windowBracket reports whether a '[' follows a window name or location.
func windowBracket(src []byte) bool {
	for i := 0; i < len(src); {
		j := bytes.IndexByte(src[i:], '[')
		if j < 0 {
			return false
		}
		i += j
		k := skipSpaceBack(src, i)
		if k >= 2 && src[k-1] == '.' && src[k-2] == '?' {
			k = skipSpaceBack(src, k-2)
		}
		h := k
		for h > 0 && (src[h-1] >= 'a' && src[h-1] <= 'z' || src[h-1] == 'T' || src[h-1] == 'l') {
			h--
		}
		if h < k && (isWindowName(src[h:k]) && string(src[h:k]) != "top" || string(src[h:k]) == "location") {
			return true
		}
		i++
	}
	return false
}

// Rewrite returns src with references to the global top replaced by the
// shim's accessor. When nothing matches, or the script cannot be lexed
// (Result.Err set), it returns src itself.
func Rewrite(src []byte, kind Kind) ([]byte, Result) {
	if !Mentions(src) {
		return src, Result{}
	}
	s, err := scanModuleOrClassic(src, kind)
	if err != nil {
		return src, Result{Err: err}
	}
	if len(s.live) == 0 {
		return src, Result{}
	}
	parts := make([][]byte, 0, 2*len(s.live)+1)
	last := 0
	for _, e := range s.live {
		repl := e.repl
		if s.sawWith {
			repl = withBare(withSafe(repl))
		}
		parts = append(parts, src[last:e.start], repl)
		last = e.end
	}
	parts = append(parts, src[last:])
	// bytes.Join sizes the output exactly and skips zeroing it.
	return bytes.Join(parts, nil), Result{Changed: true, Counts: s.counts()}
}

// withSafe gives a wrapper in a script with a with statement its form that
// reads the shim's function by its bare name (legit19, x1034): Vue 2's dev
// build renders `with(this){…}` over a proxy whose has trap claims every
// name but a few globals and _-names, so globalThis there is the
// component's (undefined) and globalThis.__crmframe_x threw.
func withSafe(repl []byte) []byte {
	i := bytes.Index(repl, []byte("globalThis.__crmframe_"))
	if i < 0 {
		return repl
	}
	e := i + len("globalThis.__crmframe_")
	for e < len(repl) && repl[e] >= 'a' && repl[e] <= 'z' {
		e++
	}
	if !bytes.HasPrefix(repl[e:], []byte("||")) {
		return repl
	}
	name := repl[i+len("globalThis.") : e]
	return slices.Concat(repl[:i], []byte("typeof "), name, []byte("=='function'&&"), name, repl[e:])
}

// withBare reads the bare helpers (__crmframe_vtop(top), __crmframe_post)
// of a script with a with statement off a string's prototype, as the shim's
// withSafe does: a with-object that claims every name (a formula sandbox
// whose has trap says yes to all, legit20, x1093) answered undefined for
// them. The form starts with a string literal: a line starting with it
// still cannot continue the previous one.
func withBare(repl []byte) []byte {
	for _, n := range []string{"__crmframe_vtop(", "__crmframe_post("} {
		i := bytes.Index(repl, []byte(n))
		// not the end of a name, a member access or a string
		if i >= 0 && (i == 0 || !isIdentByte(repl[i-1]) && repl[i-1] != '.' && repl[i-1] != '\'') {
			return slices.Concat(repl[:i], []byte("''."), repl[i:])
		}
	}
	return repl
}

// Detect reports what Rewrite would change without building the output
// (breakout detect mode).
func Detect(src []byte, kind Kind) Result {
	if !Mentions(src) {
		return Result{}
	}
	s, err := scanModuleOrClassic(src, kind)
	if err != nil {
		return Result{Err: err}
	}
	if len(s.live) == 0 {
		return Result{}
	}
	return Result{Changed: true, Counts: s.counts()}
}

// scanModuleOrClassic is scanKind, except that a "module" holding an
// HTML-like comment is scanned as a classic script: a module cannot hold
// one (the browser would not run it at all), but a classic script fetched
// in cors mode (<script src crossorigin>, a library with a legacy
// `<!--` header) arrives labelled as a module.
func scanModuleOrClassic(src []byte, kind Kind) (*scanner, error) {
	s, err := scanKind(src, kind)
	if kind == Module && errors.Is(err, errModuleComment) {
		return scanKind(src, Classic)
	}
	return s, err
}

// scanKind scans src; javascript: URL code with percent escapes is scanned
// decoded (as the browser runs it) and the edits are mapped back onto the
// encoded bytes.
func scanKind(src []byte, kind Kind) (*scanner, error) {
	if kind != URL || bytes.IndexByte(src, '%') < 0 {
		return scan(src, kind)
	}
	dec := make([]byte, 0, len(src))
	orig := make([]int, 0, len(src)+1)
	for i := 0; i < len(src); {
		if src[i] == '%' && i+2 < len(src) && unhex(src[i+1]) >= 0 && unhex(src[i+2]) >= 0 {
			dec = append(dec, byte(unhex(src[i+1])<<4|unhex(src[i+2])))
			orig = append(orig, i)
			i += 3
			continue
		}
		dec = append(dec, src[i])
		orig = append(orig, i)
		i++
	}
	orig = append(orig, len(src))
	s, err := scan(dec, kind)
	if err != nil {
		return nil, err
	}
	for i := range s.live {
		s.live[i].start, s.live[i].end = orig[s.live[i].start], orig[s.live[i].end]
	}
	return s, nil
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return int(c - 'A' + 10)
	}
	return -1
}

// ---------------------------------------------------------------------------

type editState uint8

const (
	stLive editState = iota
	stTentative
	stDead
)

type edit struct {
	start, end int
	repl       []byte // one of the repl* slices, never modified; nil for a declaration probe
	key        string
	state      editState
	bit        uint8 // the tracked name (b*) a local declaration of which kills the edit
	pat        bool  // a key of an object pattern in a parameter list: live when the list is one
	open       int32 // a VtopWrapClose edit: 1 + the index of its VtopWrapOpen (killed with it)
}

type tok struct {
	tt         js.TokenType
	start, end int
	nl         bool // a line terminator precedes this token
}

// Names whose local declarations the scanner tracks, as bits: a scope
// declaring one kills the pending edits that depend on it (a local top is
// no window's top, a local eval no global eval, self.eval on a local
// `var self = this` no window's eval).
const (
	bTop uint8 = 1 << iota
	bEval
	bSelf
	bWindow
	bParent
	bFrames
	bGlobalThis
)

// nameBit returns the b* bit of an identifier name, or 0.
func nameBit(b []byte) uint8 {
	switch len(b) {
	case 3, 4, 5, 6, 10:
	default:
		return 0
	}
	switch string(b) {
	case "top":
		return bTop
	case "eval":
		return bEval
	case "self":
		return bSelf
	case "window":
		return bWindow
	case "parent":
		return bParent
	case "frames":
		return bFrames
	case "globalThis":
		return bGlobalThis
	}
	return 0
}

type groupKind uint8

const (
	gParen      groupKind = iota // call, grouping or unknown
	gParenCtl                    // if/while/for/with/switch (...)
	gParenFunc                   // function f(...)
	gParenCatch                  // catch (...)
	gParenMaybe                  // name(...) in an object literal or class body
	gBracket                     // [...]
	gBlock                       // statement block / function body
	gObject                      // object literal or pattern
	gClass                       // class body
	gExport                      // export { ... } / import { ... }
	gTemplate                    // ${ ... }
)

type group struct {
	kind      groupKind
	valueEnd  bool  // closing this brace ends a value (function/class expression body)
	popScopes int32 // scopes to pop when this group closes
	q         int32 // pending '?' of conditionals at this level
	// Tentative tops of a parenthesis group, decided when it closes:
	// scanner.deferred[defStart:]. Only the innermost open group that is
	// not an object or array literal takes entries, so they stay on top.
	defStart int32
	// evalOpen is 1 + the edit index of the wrapper opened after `eval(`
	// (0: not an eval call).
	evalOpen int32
	// importOpen is 1 + the edit index of the wrapper opened after
	// `import(` (0: none), until the specifier ends (',' or ')').
	importOpen int32
	// keyOpen is 1 + the edit index of the key wrapper opened after the
	// '[' of a window name (0: none); open is the offset of the opener;
	// comma is set when a ',' was seen directly inside.
	keyOpen int32
	open    int32
	comma   bool
	// litChain: the '[' follows a window alias or window-like name.
	litChain bool
	// patKey: the '[' opens a computed key of an object group ({[k]: v}).
	patKey bool
	// member: the '[' reads a member of a name or an element (f[k], a[i][k]);
	// its key is wrapped when .location follows (pass 31: f[k].location)
	member bool
	// callee is 1 + the start of the path called by this '(' (pick(f, k),
	// a.pick(…); 0: none), calleeNL its pathNoWrap: its result's .location
	// takes the receiver wrap (pass 32).
	callee   int32
	calleeNL bool
	// newStart is 1 + the start of the new before the path called by this
	// '(' (new X(t); 0: none): new X(t).location reads what the constructor
	// returned, which may be any object (pass 34, x1044)
	newStart int32
	// stmt: the '(' follows the head of if/while/for/with (x993: if (c)
	// (0, f[k]).location = u): no call's argument list
	stmt bool
	// recv is 1 + the start of the path before this '[' (t[l], a.b[l];
	// 0: none), recvEnd its end, recvNL its pathNoWrap: in a script that
	// spells location (pass 33) it goes through __crmframe_vtop unless the
	// key is a literal or a number.
	recv, recvEnd int32
	recvNL        bool
	// chainRecv is 1 + the start of the receiver chain (keyChain) that
	// ends right before this '(' (f(a)(b)[l], (f)(x)[l]: a call on a call's
	// or parenthesis's result, adv35); arrayLit: this '[' opens an array
	// literal ([t][0][l], adv35). Both only in scripts that spell location.
	chainRecv   int32
	chainRecvNL bool
	arrayLit    bool
	// optRecv: recv is the receiver of ?.[ (a chain after it keeps its
	// short-circuit: nothing after it is wrapped)
	optRecv bool
	// frameOf: the '[' follows the name frames in a window chain
	// (frames[0], win.frames[i]): what it reads is a child window.
	frameOf bool
	// pre is the token before a parenthesis (++, --, delete: its content
	// is written to); litMark is len(scanner.litEdits) when the group opened.
	pre     js.TokenType
	litMark int32
	// winKey: an object group with a key only a window has (self,
	// location, document…); rest: it holds a ...rest element.
	winKey, rest bool
	// with: the group is the block body of a with statement, or holds a
	// single-statement one (see withBody).
	with bool
}

type scope struct {
	fn         bool // function scope (var target)
	arrow      bool
	declares   uint8 // b* bits of the tracked names declared here
	arrowDepth int   // for expression-bodied arrows: group depth of the body, else -1
	// Edits depending on a tracked name that this scope or a closed inner
	// scope that did not declare it holds: scanner.pending[pendStart:].
	pendStart int
}

type scanner struct {
	src   []byte
	kind  Kind
	escs  *[]int // the lexer's list of identifiers with \u escapes
	edits []edit
	live  []edit

	groups   []group
	scopes   []scope
	pending  []int // edit indices, see scope.pendStart
	deferred []int // edit indices, see group.defStart
	fnBody   int   // number of enclosing non-arrow function scopes

	// state carried between tokens
	nextBody       int  // 0, or scopes to pop when the next '{' (a body) closes
	nextBodyValue  bool // that body ends a value
	fnBodyValue    bool
	closedDefStart int32        // defStart of the parenthesis just closed
	closedPre      js.TokenType // its pre
	hasClosed      bool
	closedKind     groupKind
	fnPending      bool
	fnExpr         bool
	fnNamed        uint8 // b* bit of the name of the function being declared
	classDepth     int   // group depth where `class` was seen, -1 if none
	classExpr      bool
	importMode     bool
	rootQ          int32

	declKind  js.TokenType // VarToken, LetToken, ConstToken or 0
	declDepth int
	declInit  bool

	// member chains rooted at a window alias
	chain       bool
	bracketStr  int    // start of string token inside window[...] awaiting ']'
	bracketEval [2]int // span of the string 'eval' inside window[...] awaiting ']' (end 0: none)
	lastTopEdit int    // edit index of the last top candidate (for .postMessage)
	alias       tok    // `e.top` waiting for its next token (alias.tt != 0)
	fwd         tok    // `e.top` compared with the operand being read
	fwdLast     string // last name of that operand
	opnd        bool   // inside an operand right after `self ===` and the like
	opndWin     bool   // that left operand is self, window or this
	opndL       [2]int // source span of that left operand (a dotted path)
	aliasObj    [2]int // source span of the object of `e.top` waiting in alias
	fwdObj      [2]int // the same for fwd
	fwdSpan     [2]int // source span of the operand compared with fwd
	fwdVar      int    // 1 + the tentative edit of a topVar compared (t !== e), 0: fwd is an e.top
	// aliasEnd is where the alias ends (its ']' for e['top']); aliasRepl
	// and fwdRepl are the edits they take (the accessor, or the quoted one).
	aliasEnd      int
	aliasRepl     []byte
	fwdRepl       []byte
	bracketTop    tok    // e['top'] waiting for its ']' (tt != 0)
	bracketTopObj [2]int // span of e
	// The dotted identifier path ending at the last identifier (a.b.c):
	// pathStart < 0 when the path is broken. pathPre is the token before
	// it (delete, a prefix ++/--, new); pathNoWrap: a '(' put before it
	// could join the previous line (ASI), or it is not a name.
	pathStart, pathEnd int
	pathPre            js.TokenType
	pathNoWrap         bool
	// The same for a path starting with this (thisRead); thisStart < 0
	// when there is none.
	thisStart, thisEnd int
	thisPre            js.TokenType
	thisNoWrap         bool
	// Tentative key edits of `const {top} = ...`, decided at its '='.
	patKeys []int
	// evalNext: the next '(' opens the arguments of eval; closedEval holds
	// the wrapper edits of the eval call whose ')' was just seen.
	evalNext   bool
	evalRef    bool // a bare eval followed by ')' or '?.': maybe (0, eval)( or eval?.(
	importNext bool // the next '(' opens the arguments of a dynamic import()
	closedEval [2]int
	// winAliases are names the script assigns a window to (var w = self,
	// e = window): w.top is then the window's top.
	winAliases []string
	// aliasLens has bit min(len, 63) set for each winAliases name: most
	// identifiers are rejected without a string compare.
	aliasLens uint64
	// copyAliases: the winAliases given a copy of a window ({...window})
	// or document.defaultView: their computed keys are all wrapped.
	copyAliases []string
	// sawWith: the script has a with statement; aoDeclared: it declares a
	// variable named ancestorOrigins (bareAncestors).
	sawWith, aoDeclared bool
	// inWith counts the open groups marked with (a with body); withNext:
	// the next '{' is a with body; withRoot: a single-statement with body
	// at the top level (the rest of the script counts as one).
	inWith             int
	withNext, withRoot bool
	// chainPre is the token before the window name that started the
	// current chain, chainRoot the b* bit of that name (0 for this).
	chainPre  js.TokenType
	chainRoot uint8
	// litEdits are eval edits inside array or object literals, decided when
	// the outermost literal closes: a destructuring target ([eval] = a)
	// cannot take the wrapper. lastIeval is the last bare eval edit, killed
	// when it turns out to be (0, eval)(…) or eval?.(…) (wrapped as calls).
	litEdits  []litEdit
	lastIeval int
	// chainLit: the chain started at a window alias (var w = self) or a
	// window-like name ($window, win, contentWindow): its ['top'] is
	// rewritten, its computed keys are not wrapped (a minified alias name
	// is reused for arrays, where a wrapper would cost in hot loops).
	chainLit bool
	// chainGuess: the chain started at a window-like name, a window only
	// by its name (its top read is value-checked: vtopRead).
	chainGuess bool
	// frameIdxEnd is the end of the ']' of the last frames[…]: a '[' right
	// after it reads a child window's property (pass 27, x900:
	// win.frames[0][name], a child's own top is the real one).
	frameIdxEnd int
	// locKey: the last token was the name location followed by '['
	// (location[k]: the key "ancestorOrigins" must read the accessor).
	locKey bool
	// locSpelled: the script spells location in a string (pass 33): see
	// keyRecv.
	locSpelled bool
	// keyChain is the last receiver-like expression that ended (1 + start,
	// end, its pathNoWrap): a member read whose receiver was a path (a[i],
	// arguments[0]) or a call's or parenthesis's result (g(), (0, t)). A
	// '[' right after it takes it as its receiver (pass 34: f[k][l], g()[l]).
	keyChain   [2]int
	keyChainNL bool
	// lastName is the span of the last identifier name (also a property
	// name): the object of a following `.top`.
	lastName [2]int
	// eqName is the variable of the last `name =` and eqEnd where its value
	// starts; topVars are variables given an unconfirmed `e.top`
	// (var t = w.top), with its tentative edit: confirmed when the script
	// uses t.location, t.document… (t is then a window's top).
	eqName  [2]int
	eqEnd   int
	topVars []topVar
	// selfVars are variables given `e.self` (var s = w.self): t !== s then
	// compares e's top with e (base: e's text).
	selfVars []topVar
	// patTop are tentative edits of `top` keys of object groups that are
	// not declaration patterns, decided when the group closes (a pattern
	// with a window key: function f({top, self}), ({top: t, self: s} = w)).
	// lastObjWin: the last object group closed had a window key, no rest.
	patTop     []patKey
	patAfter   [][2]int // pattern key edits made: {edit, its patKey.after}
	lastObjWin bool
	// patComputed are the tentative key wrappers of computed keys of object
	// groups ({[k]: t}), made live when the group is a pattern whose value
	// is a window: const {[atob('dG9w')]: t} = window.
	patComputed []patComputed
	// forTop is 1 + len(edits) when a let/const `top` was first declared in
	// a for head at the top level (0: none): it shadows the rest of the
	// script, like the rest of an enclosing block (a global `var top` or
	// `let top` elsewhere does not shadow in a classic script).
	forTop int
	// nsig counts the significant tokens; first is the first one, and
	// secondSemi says the second is a ';' (a javascript: URL that is one
	// string literal: its value is a document).
	nsig       int
	first      tok
	secondSemi bool
	// url tracks a javascript: URL whose code is one expression holding
	// markup in a literal (a template literal, a concatenation): its value
	// may be a document, wrapped like a single string literal.
	url urlExpr
}

// urlExpr: see scanner.url. open is 1 + the tentative wrapper edit at the
// first token; end is where the last significant token ends.
type urlExpr struct {
	open, depth, end  int
	bad, semi, markup bool
}

// patKey is a `top` key of an object group, kept until the group closes;
// its edit is made only then, when the group is a pattern (most `top` keys
// are CSS-like literals: {top: 1, left: 2}). after: len(edits) when the key
// was read, where the shorthand edit of the same `top` may follow.
type patKey struct {
	depth, start, end, after int
	repl                     []byte
}

// patComputed is a computed key of the object group at depth: open and
// close are its key wrapper's tentative edits.
type patComputed struct {
	depth, open, close int
}

// patWinKey reports keys that, next to top in one object pattern, show that the
// value destructured is a window.
// A switch, not a map: it is asked at every key of every object literal
// (a map lookup hashes the name each time).
func patWinKey(name []byte) bool {
	switch string(name) {
	case "self", "parent", "frames", "frameElement", "location", "document", "opener", "history", "window", "globalThis":
		return true
	}
	return false
}

type litEdit struct {
	edit, depth int // depth: index of the outermost literal group
	// top: a __crmframe_vtop(top) edit; in a destructuring target
	// vtopTarget decides (a call cannot be assigned to).
	top bool
}

type topVar struct {
	name string
	edit int
	base [2]int // span of e in `t = e.top` ({-1, -1}: not a dotted path)
}

var errUnbalanced = errors.New("jsrewrite: unbalanced brackets")

// errModuleComment: an HTML-like comment in a module, a syntax error there.
var errModuleComment = errors.New("jsrewrite: HTML-like comment in a module")

// inputPool recycles the lexer's input copies; scanner tokens are offsets,
// so nothing refers to the copy once scan returns.
var inputPool = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledInput keeps one huge bundle from pinning its copy forever.
const maxPooledInput = 8 << 20

func scan(src []byte, kind Kind) (*scanner, error) {
	s := &scanner{src: src, kind: kind, classDepth: -1, lastTopEdit: -1, bracketStr: -1, pathStart: -1, thisStart: -1, lastIeval: -1}
	s.scopes = append(s.scopes, scope{fn: true, arrowDepth: -1})
	s.locSpelled = locationSpelled(src)
	if kind == Handler {
		s.fnBody = 1
	}
	// The lexer needs a NUL after the input: lex a pooled copy with room
	// for it, never the caller's buffer (its spare capacity may hold data).
	bp := inputPool.Get().(*[]byte)
	buf := append(append((*bp)[:0], src...), 0)
	defer func() {
		if cap(buf) <= maxPooledInput {
			*bp = buf[:0]
			inputPool.Put(bp)
		}
	}()
	// A hashbang line (#!...) at the very start of a script or module is a
	// comment to the browser; the lexer does not know it. Lex it as one in
	// our copy (same length, so offsets stay).
	if (kind == Classic || kind == Module) && len(buf) > 2 && buf[0] == '#' && buf[1] == '!' {
		buf[0], buf[1] = '/', '/'
	}
	lx := newLexer(buf)
	s.escs = &lx.escs

	// The previous, current and next significant token rotate through
	// ring: tp and tc point at the first two, tn takes the next (pointers
	// rather than indexes: no bounds checks on the per-token path).
	var ring [3]tok
	ring[0].tt, ring[1].tt = js.ErrorToken, js.ErrorToken // ErrorToken = "nothing yet"
	tp, tc, tn := &ring[0], &ring[1], &ring[2]
	have := false
	nl := false
	for {
		tt := lx.next()
		if (tt == js.DivToken || tt == js.DivEqToken) && s.regexAllowed(tp, tc, have) {
			if tt = lx.regexp(); tt == js.ErrorToken {
				return nil, fmt.Errorf("jsrewrite: %w", lx.err)
			}
		}
		if tt == js.ErrorToken {
			if lx.err != io.EOF {
				return nil, fmt.Errorf("jsrewrite: %w", lx.err)
			}
			break
		}
		switch tt {
		case js.LineTerminatorToken:
			nl = true
			continue
		case js.CommentToken, js.CommentLineTerminatorToken:
			data := src[lx.start:lx.pos]
			if s.kind == Module && (bytes.HasPrefix(data, []byte("<!--")) || bytes.HasPrefix(data, []byte("-->"))) {
				return nil, errModuleComment
			}
			if tt == js.CommentLineTerminatorToken || bytes.ContainsAny(data, "\n\r") {
				nl = true
			}
			continue
		}
		*tn = tok{tt: tt, start: lx.start, end: lx.pos, nl: nl}
		nl = false
		if s.nsig++; s.nsig == 1 {
			s.first = *tn
		} else if s.nsig == 2 {
			s.secondSemi = tt == js.SemicolonToken
		}
		if kind == URL && !s.url.bad {
			s.urlToken(tn, src)
		}
		if have {
			if err := s.process(tp, tc, tn); err != nil {
				return nil, err
			}
			tp, tc, tn = tc, tn, tp
		} else {
			tc, tn = tn, tc
		}
		have = true
	}
	if have {
		eof := tok{tt: js.ErrorToken, start: len(src), end: len(src)}
		if err := s.process(tp, tc, &eof); err != nil {
			return nil, err
		}
		if s.hasClosed {
			s.resolveParen(&eof)
		}
	}
	if len(s.groups) != 0 {
		return nil, errUnbalanced
	}
	for len(s.scopes) > 1 {
		s.popScope()
	}
	// the code ends with `X.top === top`
	if s.fwd.tt != 0 && s.fwdVar == 0 && s.fwdLast == "top" {
		s.keepRealTop(s.fwdSpan[1])
	} else if have && s.opnd {
		s.twoTops(tc)
	}
	if kind == URL && s.first.tt == js.StringToken && (s.nsig == 1 || s.nsig == 2 && s.secondSemi) {
		s.addEdit(s.first.start, s.first.start, replDocOpen, CountDoc, stLive)
		s.addEdit(s.first.end, s.first.end, replDocClose, "", stLive)
	} else if kind == URL && !s.url.bad && s.url.markup && s.url.open > 0 && s.url.depth == 0 {
		s.edits[s.url.open-1].state = stLive
		s.addEdit(s.url.end, s.url.end, replDocExprClose, "", stLive)
	}
	// In classic scripts and javascript: URLs a global declaration cannot
	// shadow window.top (it is unforgeable); the other names it replaces.
	if d := s.scopes[0].declares; d != 0 {
		if kind == Classic || kind == URL {
			d &^= bTop
		}
		for _, i := range s.pending {
			if s.edits[i].bit&d != 0 || s.forTop > 0 && i >= s.forTop-1 && s.edits[i].bit&bTop != 0 {
				s.edits[i].state = stDead
			}
		}
	}
	s.live = s.edits[:0]
	for _, e := range s.edits {
		if e.state == stLive {
			s.live = append(s.live, e)
		}
	}
	// Alias edits are decided a few tokens late; the rest come in order.
	// An insertion opens what starts where it is, so it goes before an edit
	// replacing that start (__crmframe_post( before top in top.top.postMessage).
	byStart := func(a, b edit) int {
		if c := cmp.Compare(a.start, b.start); c != 0 {
			return c
		}
		return cmp.Compare(a.end, b.end)
	}
	if !slices.IsSortedFunc(s.live, byStart) {
		slices.SortStableFunc(s.live, byStart)
	}
	return s, nil
}

func (s *scanner) counts() map[string]int {
	if len(s.live) == 0 {
		return nil // nothing found: most scripts, no map to allocate
	}
	m := make(map[string]int, 4)
	for _, e := range s.live {
		if e.key != "" {
			m[e.key]++
		}
	}
	return m
}

func (s *scanner) text(t *tok) []byte { return s.src[t.start:t.end] }

// name is the identifier name of t, its \u escapes resolved.
func (s *scanner) name(t *tok) []byte {
	if len(*s.escs) > 0 {
		return s.nameEsc(t)
	}
	return s.src[t.start:t.end]
}

// nameEsc is name in a script with escaped identifiers (rare: the lexer
// lists them, tokens need no flag).
func (s *scanner) nameEsc(t *tok) []byte {
	if _, ok := slices.BinarySearch(*s.escs, t.start); ok {
		return decodeIdent(s.src[t.start:t.end])
	}
	return s.src[t.start:t.end]
}

// span is the text of a source span of identifiers (a.b.c), its \u
// escapes resolved.
func (s *scanner) span(a, b int) []byte {
	if v := s.src[a:b]; bytes.IndexByte(v, '\\') < 0 {
		return v
	}
	return decodeIdent(s.src[a:b])
}

func (s *scanner) is(t *tok, name string) bool {
	if !js.IsIdentifierName(t.tt) {
		return false
	}
	if len(*s.escs) > 0 {
		return string(s.nameEsc(t)) == name
	}
	return t.end-t.start == len(name) && string(s.src[t.start:t.end]) == name
}

// regexAllowed decides whether a '/' after token c (p before it) starts a regular
// expression. c has not been processed yet, so when c is a closer the group
// it closes is still on top of the stack.
func (s *scanner) regexAllowed(p, c *tok, have bool) bool {
	if !have {
		return true
	}
	// a.if / 2, e.default / 2: a keyword as a property name is a value.
	if (p.tt == js.DotToken || p.tt == js.OptChainToken) && js.IsIdentifierName(c.tt) {
		return false
	}
	switch c.tt {
	case js.CloseParenToken:
		if len(s.groups) > 0 {
			return s.groups[len(s.groups)-1].kind == gParenCtl
		}
		return false
	case js.CloseBraceToken:
		if len(s.groups) > 0 {
			g := s.groups[len(s.groups)-1]
			return (g.kind == gBlock || g.kind == gClass) && !g.valueEnd
		}
		return true
	case js.CloseBracketToken, js.IncrToken, js.DecrToken,
		js.StringToken, js.RegExpToken, js.TemplateToken, js.TemplateEndToken,
		js.ThisToken, js.SuperToken, js.NullToken, js.TrueToken, js.FalseToken,
		js.PrivateIdentifierToken:
		return false
	}
	if js.IsNumeric(c.tt) || js.IsIdentifier(c.tt) {
		return false
	}
	return true
}

// exprBefore reports whether an expression (rather than a statement) is
// expected after token p.
func (s *scanner) exprBefore(p *tok) bool {
	switch p.tt {
	case js.VarToken, js.LetToken, js.ConstToken:
		return true // a destructuring pattern
	case js.ErrorToken, js.SemicolonToken, js.OpenBraceToken, js.CloseBraceToken,
		js.CloseParenToken, js.ElseToken, js.DoToken, js.TryToken, js.FinallyToken,
		js.ArrowToken, js.CloseBracketToken:
		return false
	case js.ColonToken:
		// object value or conditional branch vs. label / case
		if len(s.groups) > 0 {
			g := s.groups[len(s.groups)-1]
			return g.kind == gObject || g.q > 0 || g.kind == gParen || g.kind == gBracket || g.kind == gTemplate
		}
		return false
	}
	if js.IsIdentifier(p.tt) || js.IsNumeric(p.tt) || p.tt == js.StringToken || p.tt == js.ThisToken {
		return false
	}
	return true
}

func (s *scanner) top() *group {
	if len(s.groups) == 0 {
		return nil
	}
	return &s.groups[len(s.groups)-1]
}

// q returns the counter of pending '?' at the current bracket level.
func (s *scanner) q() *int32 {
	if g := s.top(); g != nil {
		return &g.q
	}
	return &s.rootQ
}

func (s *scanner) pushScope(fn, arrow bool) {
	s.scopes = append(s.scopes, scope{fn: fn, arrow: arrow, arrowDepth: -1, pendStart: len(s.pending)})
	if fn && !arrow {
		s.fnBody++
	}
}

func (s *scanner) popScope() {
	if len(s.scopes) <= 1 {
		return // invalid input such as "{=>x}": never pop the global scope
	}
	sc := s.scopes[len(s.scopes)-1]
	s.scopes = s.scopes[:len(s.scopes)-1]
	if sc.fn && !sc.arrow {
		s.fnBody--
	}
	// Without a declaration the references stay pending, now in the
	// parent's range.
	if sc.declares != 0 {
		keep := s.pending[:sc.pendStart]
		for _, i := range s.pending[sc.pendStart:] {
			if s.edits[i].bit&sc.declares != 0 {
				s.edits[i].state = stDead
			} else {
				keep = append(keep, i)
			}
		}
		s.pending = keep
	}
}

// pushGroup opens a group and returns it for its other fields. The group
// is built in place: a group built on the stack and copied in was read back
// with 16-byte loads from narrower stores just made (a store-forwarding
// stall at every bracket).
func (s *scanner) pushGroup(kind groupKind, open int32) *group {
	if n := len(s.groups); n < cap(s.groups) {
		s.groups = s.groups[:n+1]
		s.groups[n] = group{}
	} else {
		s.groups = append(s.groups, group{})
	}
	g := &s.groups[len(s.groups)-1]
	g.kind, g.open = kind, open
	g.defStart = int32(len(s.deferred))
	g.litMark = int32(len(s.litEdits))
	return g
}

// declare records a declaration of the tracked name bit.
func (s *scanner) declare(bit uint8, varScoped bool) {
	i := len(s.scopes) - 1
	if varScoped {
		for i > 0 && !s.scopes[i].fn {
			i--
		}
	}
	if i == 0 && !varScoped && bit&bTop != 0 && s.forTop == 0 && s.declDepth > 0 && s.declDepth <= len(s.groups) &&
		s.groups[s.declDepth-1].kind == gParenCtl && s.groups[s.declDepth-1].pre == js.ForToken {
		s.forTop = len(s.edits) + 1
	}
	s.scopes[i].declares |= bit
}

// closeImport ends the specifier wrapper of a dynamic import() at c (its
// first ',' or its ')'): the options argument stays outside.
// A specifier that is one plain string literal of another scheme or a
// path (import('./chunk.js')) has no code to swap and is left as it is.
func (s *scanner) closeImport(g *group, c *tok) {
	if g.importOpen != 0 { // inlined: asked at every ',' ';' ')'
		s.closeImportAt(g, c)
	}
}

func (s *scanner) closeImportAt(g *group, c *tok) {
	open := int(g.importOpen - 1)
	g.importOpen = 0
	if spec := bytes.TrimSpace(s.src[s.edits[open].start:c.start]); len(spec) >= 2 && (spec[0] == '\'' || spec[0] == '"') &&
		spec[len(spec)-1] == spec[0] && bytes.IndexByte(spec[1:len(spec)-1], spec[0]) < 0 && bytes.IndexByte(spec, '\\') < 0 &&
		!hasPrefixFold(spec[1:], "data:") && !hasPrefixFold(spec[1:], "blob:") {
		s.edits[open].state = stDead
		return
	}
	s.addEdit(c.start, c.start, replURLClose, "", stLive)
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && strings.EqualFold(string(b[:len(prefix)]), prefix)
}

func (s *scanner) addEdit(start, end int, repl []byte, key string, st editState) int {
	s.edits = append(s.edits, edit{start: start, end: end, repl: repl, key: key, state: st})
	return len(s.edits) - 1
}

// ref records a scope-dependent reference to the global top (followed by n).
func (s *scanner) ref(p, c, n *tok, shorthand bool) int {
	repl, key := s.topRepl(p, n, shorthand)
	if repl == nil {
		return -1
	}
	i := s.addEdit(c.start, c.end, repl, key, stLive)
	s.edits[i].bit = bTop
	s.pending = append(s.pending, i)
	s.vtopLit(i)
	return i
}

// withBody marks the body of a with statement whose head just closed (n
// follows): a block, or for a single statement the rest of the enclosing
// group (wider than the statement, which is harmless: outside a with a
// global top reads the same through __crmframe_vtop as through the
// accessor).
func (s *scanner) withBody(n *tok) {
	switch g := s.top(); {
	case n.tt == js.OpenBraceToken:
		s.withNext = true
	case g == nil:
		s.withRoot = true
	case !g.with:
		g.with = true
		s.inWith++
	}
}

// topRepl picks the replacement of a bare top followed by n. In an
// event-handler attribute the scope chain runs through the element, its
// form and the document before the window, and the shim's accessor, a
// getter on Object.prototype, would be found on the element (undefined):
// there the name stays and its value is checked, so a form control named
// "top" is still itself. A write keeps the accessor (a call cannot be
// assigned to). The same holds in the body of a with statement: with
// (document) { top.frames } would find the accessor on document (x416);
// there a write keeps top itself (nil: no edit), as the run-time scanner
// does: with (el.style) { top = y } writes el.style.top (x337), and the
// global top cannot be assigned anyway.
func (s *scanner) topRepl(p, n *tok, shorthand bool) ([]byte, string) {
	with := s.kind != Handler && (s.inWith > 0 || s.withRoot)
	vtop := s.kind == Handler || with
	write := isWrite(n) || p.tt == js.IncrToken || p.tt == js.DecrToken
	if shorthand {
		switch {
		case vtop && n.tt != js.EqToken:
			return replVtopShort, CountShorthand
		case with:
			return nil, "" // ({top = 1} = o)
		}
		return replShorthand, CountShorthand
	}
	switch {
	case vtop && !write && p.tt == js.NewToken:
		return replVtopNew, CountTop
	case vtop && !write:
		return replVtop, CountTop
	case with:
		return nil, ""
	}
	return replAccessor, CountTop
}

// vtopTarget handles a __crmframe_vtop(top) edit e that turned out to be
// assigned to ([top] = a, (top) = v): a handler's gets the accessor, a
// with body's keeps top.
func (s *scanner) vtopTarget(e *edit) {
	if s.kind == Handler {
		if &e.repl[0] == &replVtopShort[0] {
			e.repl = replShorthand
		} else {
			e.repl = replAccessor
		}
		return
	}
	e.state = stDead
}

// vtopLit registers a __crmframe_vtop edit e inside an array or object
// literal: if the literal is a destructuring target ([top] = a, ({a: top}
// = o)), vtopTarget decides.
func (s *scanner) vtopLit(e int) {
	if r := s.edits[e].repl; len(r) > 0 && (&r[0] == &replVtop[0] || &r[0] == &replVtopShort[0] || &r[0] == &replVtopNew[0]) {
		if d := s.litDepth(); d >= 0 {
			s.litEdits = append(s.litEdits, litEdit{edit: e, depth: d, top: true})
		}
	}
}

// endArrowExprs pops expression-bodied arrow scopes that end before a token
// at the current group depth (',' ';') or after a closer.
func (s *scanner) endArrowExprs(depth int, sep bool) {
	for len(s.scopes) > 1 {
		ad := s.scopes[len(s.scopes)-1].arrowDepth
		if ad < 0 || !(depth < ad || (sep && depth == ad)) {
			return
		}
		s.popScope()
	}
}

// computedRead decides the key wrapper of window[...] (group g, just
// closed; p is the last token inside, n the one after ']'): the key is not
// a single literal (window['top'] has its own rewrite, window[0] is a
// frame), not a comma list, and the member is not assigned to.
func (s *scanner) computedRead(g *group, p, n *tok) bool {
	if g.comma || p.tt == js.OpenBracketToken {
		return false
	}
	// A literal key is decided where it is read (window['top']), unless it
	// holds an escape ('\x74op', '\u0074op'): its value is then known only
	// at run time, like a variable's.
	if (p.tt == js.StringToken || p.tt == js.TemplateToken || js.IsNumeric(p.tt)) && s.spaceOnly(int(g.open)+1, p.start) &&
		(js.IsNumeric(p.tt) || bytes.IndexByte(s.src[p.start:p.end], '\\') < 0) {
		return false
	}
	switch n.tt {
	case js.EqToken, js.AddEqToken, js.SubEqToken, js.MulEqToken, js.DivEqToken, js.ModEqToken, js.ExpEqToken,
		js.LtLtEqToken, js.GtGtEqToken, js.GtGtGtEqToken, js.BitAndEqToken, js.BitOrEqToken, js.BitXorEqToken,
		js.AndEqToken, js.OrEqToken, js.NullishEqToken, js.IncrToken, js.DecrToken:
		return n.nl && (n.tt == js.IncrToken || n.tt == js.DecrToken) // a++ needs no line break before ++
	}
	return true
}

// isWindowName reports whether b names the window: window, self, parent,
// frames, globalThis or top.
func isWindowName(b []byte) bool {
	switch string(b) {
	case "window", "self", "parent", "frames", "globalThis", "top":
		return true
	}
	return false
}

// aliasProp reports properties that, read on `x.top`, show that x is a window.
func aliasProp(name []byte) bool {
	switch string(name) {
	case "location", "document", "frames", "opener", "onbeforeunload", "history":
		return true
	}
	return false
}

func isCmp(tt js.TokenType) bool {
	return tt == js.EqEqToken || tt == js.EqEqEqToken || tt == js.NotEqToken || tt == js.NotEqEqToken
}

// process handles token c, knowing the previous significant token p and the
// next one n.
func (s *scanner) process(p, c, n *tok) error {
	// Statement-level ASI end of a declaration list.
	if s.declKind != 0 && c.nl && len(s.groups) == s.declDepth && p.tt != js.CommaToken && p.tt != js.EqToken &&
		(js.IsIdentifierName(c.tt) || c.tt == js.StringToken || js.IsNumeric(c.tt)) &&
		(js.IsIdentifierName(p.tt) || js.IsNumeric(p.tt) || p.tt == js.StringToken || p.tt == js.CloseParenToken ||
			p.tt == js.CloseBracketToken || p.tt == js.CloseBraceToken || p.tt == js.TemplateToken || p.tt == js.TemplateEndToken || p.tt == js.RegExpToken) {
		s.declKind = 0
	}

	// A parameter list just closed: decide what it was from this token.
	if s.hasClosed {
		s.resolveParen(c)
	}
	// (0, eval)(code), eval?.(code): indirect evals of global code, the
	// same wrapper as a direct eval(code).
	if s.evalRef {
		s.evalRef = false
		if n.tt == js.OpenParenToken && (c.tt == js.OptChainToken ||
			c.tt == js.CloseParenToken && len(s.groups) > 0 && s.groups[len(s.groups)-1].kind == gParen) {
			s.evalNext = true
			if s.lastIeval >= 0 && s.edits[s.lastIeval].end == p.end {
				s.edits[s.lastIeval].state = stDead // a call: the code wrapper instead
			}
		}
	}
	// Alias / comparison heuristics bookkeeping, idle on most tokens.
	if s.opnd || s.alias.tt != 0 || s.fwd.tt != 0 || isCmp(c.tt) {
		s.heuristics(p, c, n)
	}

	switch c.tt {
	case js.OpenParenToken:
		kind := gParen
		switch {
		case s.fnPending:
			kind = gParenFunc
			s.fnPending = false
			s.pushScope(true, false)
			if s.fnExpr {
				s.scopes[len(s.scopes)-1].declares |= s.fnNamed
			}
			s.fnBodyValue = s.fnExpr
		case p.tt == js.IfToken || p.tt == js.WhileToken || p.tt == js.ForToken || p.tt == js.WithToken || p.tt == js.SwitchToken:
			kind = gParenCtl
			s.sawWith = s.sawWith || p.tt == js.WithToken
		case p.tt == js.CatchToken:
			kind = gParenCatch
		case (js.IsIdentifierName(p.tt) || p.tt == js.StringToken || js.IsNumeric(p.tt) || p.tt == js.CloseBracketToken) && s.inMemberContext(p):
			kind = gParenMaybe
		}
		// (popScopes stays 0 for gParenFunc: the function scope is popped
		// with the body.)
		g := s.pushGroup(kind, int32(c.start))
		g.pre = p.tt
		g.stmt = p.tt == js.CloseParenToken && s.closedKind == gParenCtl // closedKind: p's group
		if s.locSpelled && (kind == gParen || kind == gParenMaybe) && (p.tt == js.CloseParenToken || p.tt == js.CloseBracketToken || p.tt == js.IdentifierToken) &&
			!g.stmt && s.keyChain[0] > 0 && s.keyChain[1] == p.end {
			g.chainRecv, g.chainRecvNL = int32(s.keyChain[0]), s.keyChainNL
		} else if s.locSpelled && (kind == gParen || kind == gParenMaybe) && p.tt == js.IdentifierToken && g.callee == 0 &&
			s.thisStart >= 0 && s.thisEnd == p.end && bytes.IndexByte(s.src[s.thisStart:p.end], '?') < 0 {
			g.chainRecv, g.chainRecvNL = int32(s.thisStart)+1, s.thisNoWrap // this.f(x)[l] (adv35)
		}
		if (kind == gParen || kind == gParenMaybe) && s.pathStart >= 0 && s.pathEnd == p.end && s.pathPre != js.NewToken &&
			(p.tt == js.IdentifierToken || s.afterDot(p.start)) && !s.afterDot(s.pathStart) && bytes.IndexByte(s.src[s.pathStart:p.end], '?') < 0 {
			g.callee, g.calleeNL = int32(s.pathStart)+1, s.pathNoWrap
		} else if (kind == gParen || kind == gParenMaybe) && s.pathStart >= 0 && s.pathEnd == p.end && s.pathPre == js.NewToken &&
			(p.tt == js.IdentifierToken || s.afterDot(p.start)) && !s.afterDot(s.pathStart) && bytes.IndexByte(s.src[s.pathStart:p.end], '?') < 0 {
			if k := s.skipSpaceBack(s.pathStart); k >= 3 && string(s.src[k-3:k]) == "new" {
				g.newStart = int32(k-3) + 1
			}
		}
		if s.evalNext && kind != gParenFunc {
			st := stLive
			if kind == gParenMaybe {
				st = stTentative // or a method named eval, decided at ')'
			}
			g.evalOpen = int32(s.addEdit(c.end, c.end, replEvalOpen, CountEval, st)) + 1
		}
		s.evalNext = false
		if s.importNext && kind == gParen {
			g.importOpen = int32(s.addEdit(c.end, c.end, replURLOpen, CountImport, stLive)) + 1
		}
		s.importNext = false
		s.chain = false
		return nil
	case js.OpenBracketToken:
		loc := s.locKey
		s.locKey = false
		o := s.top() // the enclosing group, read before the push
		inObj := o != nil && o.kind == gObject
		read := s.chainPre != js.DeleteToken && s.chainPre != js.IncrToken && s.chainPre != js.DecrToken
		// frames[0]?.[k] too (pass 28, x926): only blanks between the ']' and '?.'
		child := read && s.frameIdxEnd > 0 && (p.tt == js.CloseBracketToken && p.end == s.frameIdxEnd ||
			p.tt == js.OptChainToken && p.start >= s.frameIdxEnd && len(bytes.TrimSpace(s.src[s.frameIdxEnd:p.start])) == 0)
		// x.frames[…] on any object too (pass 30, x977: a.frames[0][k] on
		// an argument): the wrapped key reads the same on an ordinary object
		frameOf := p.tt == js.IdentifierToken && string(s.src[p.start:p.end]) == "frames" && (s.chain || s.afterDot(p.start)) ||
			p.tt == js.OptChainToken && string(s.src[s.lastName[0]:s.lastName[1]]) == "frames" && (s.chain || s.afterDot(s.lastName[0])) &&
				s.lastName[1] <= p.start && len(bytes.TrimSpace(s.src[s.lastName[1]:p.start])) == 0
		// (if (c) [t][0][l], else [t][l]: no value before it; t?.[l] is a member)
		arrayLit := s.locSpelled && p.tt != js.OptChainToken && !s.endsValue(p)
		g := s.pushGroup(gBracket, int32(c.start))
		g.frameOf = frameOf
		g.arrayLit = arrayLit
		if child {
			// frames[0][k]: a child window's property, as window[k]
			g.keyOpen = int32(s.addEdit(c.end, c.end, replKeyOpen, CountComputed, stTentative)) + 1
		} else if loc || s.chain && read {
			// window[k]: decided at ']' (not a literal key, not assigned to).
			// On an alias or window-like name only a key with a call or a
			// string (w[_0x2c(0)], w['to'+'p']): w[i] may be an array's.
			// location[k] too: the key "ancestorOrigins" (x351).
			g.keyOpen = int32(s.addEdit(c.end, c.end, replKeyOpen, CountComputed, stTentative)) + 1
			g.litChain = !loc && s.chainLit
		} else if inObj && (p.tt == js.OpenBraceToken || p.tt == js.CommaToken) && len(s.patComputed) < 64 {
			// {[k]: v}: wrapped only if the object is a window's pattern
			// (decided when it closes); an object literal keeps its key.
			g.keyOpen = int32(s.addEdit(c.end, c.end, replKeyOpen, CountComputed, stTentative)) + 1
			g.patKey = true
		} else if read && (p.tt == js.IdentifierToken || p.tt == js.CloseBracketToken) {
			g.member = true
		}
		if s.locSpelled && g.keyOpen == 0 && p.tt == js.IdentifierToken && s.pathStart >= 0 && s.pathEnd == p.end &&
			s.pathPre != js.NewToken && !s.afterDot(s.pathStart) && bytes.IndexByte(s.src[s.pathStart:p.end], '?') < 0 {
			g.recv, g.recvEnd, g.recvNL = int32(s.pathStart)+1, int32(p.end), s.pathNoWrap
		} else if s.locSpelled && !g.patKey && !child && (p.tt == js.CloseBracketToken || p.tt == js.CloseParenToken) && s.keyChain[0] > 0 && s.keyChain[1] == p.end {
			// f[k][l], g()[l], (0, t)[l], arguments[0][l] (pass 34)
			g.recv, g.recvEnd, g.recvNL = int32(s.keyChain[0]), int32(p.end), s.keyChainNL
		} else if s.locSpelled && !g.patKey && p.tt == js.ThisToken && s.thisStart == p.start {
			// this[l] = u in a function called with the real top as this
			// (nav.call(t, l, u), pass 34)
			g.recv, g.recvEnd, g.recvNL = int32(p.start)+1, int32(p.end), s.thisNoWrap
		} else if s.locSpelled && !g.patKey && !child && p.tt == js.IdentifierToken && s.keyChain[0] > 0 && s.keyChain[1] == p.end {
			// f(x).b[l], (0, t).a[l], f[k].a[l], new X(t).a[l]: a chain
			// continued by .names (adv35)
			g.recv, g.recvEnd, g.recvNL = int32(s.keyChain[0]), int32(p.end), s.keyChainNL
		} else if s.locSpelled && !g.patKey && !child && p.tt == js.IdentifierToken && s.thisStart >= 0 && s.thisEnd == p.end &&
			bytes.IndexByte(s.src[s.thisStart:p.end], '?') < 0 {
			// this.a[l] = u, a holding the real top (adv35, x1056)
			g.recv, g.recvEnd, g.recvNL = int32(s.thisStart)+1, int32(p.end), s.thisNoWrap
		} else if s.locSpelled && !g.patKey && !child && p.tt == js.OptChainToken && g.keyOpen == 0 {
			// t?.[l]: the receiver before the ?. (adv35, x1059); the
			// chain keeps its short-circuit (only the receiver is wrapped)
			if s.pathStart >= 0 && s.spaceOnly(s.pathEnd, p.start) && s.pathPre != js.NewToken && !s.afterDot(s.pathStart) &&
				bytes.IndexByte(s.src[s.pathStart:s.pathEnd], '?') < 0 {
				g.recv, g.recvEnd, g.recvNL = int32(s.pathStart)+1, int32(s.pathEnd), s.pathNoWrap
			} else if s.thisStart >= 0 && s.spaceOnly(s.thisEnd, p.start) && bytes.IndexByte(s.src[s.thisStart:s.thisEnd], '?') < 0 {
				g.recv, g.recvEnd, g.recvNL = int32(s.thisStart)+1, int32(s.thisEnd), s.thisNoWrap
			} else if s.keyChain[0] > 0 && s.spaceOnly(s.keyChain[1], p.start) {
				g.recv, g.recvEnd, g.recvNL = int32(s.keyChain[0]), int32(s.keyChain[1]), s.keyChainNL
			}
			g.optRecv = g.recv > 0
		}
		return nil
	case js.TemplateStartToken:
		s.pushGroup(gTemplate, 0)
		s.chain = false
		return nil
	case js.OpenBraceToken:
		// Decided before the push (exprBefore and the depths read the
		// enclosing group).
		kind, pre, popScopes, valueEnd := gBlock, js.TokenType(0), int32(0), false
		switch {
		case s.nextBody > 0:
			popScopes = int32(s.nextBody)
			valueEnd = s.nextBodyValue
			s.nextBody, s.nextBodyValue = 0, false
		case s.classDepth == len(s.groups):
			kind = gClass
			valueEnd = s.classExpr
			s.classDepth = -1
		case p.tt == js.ExportToken || s.importMode:
			kind = gExport
		case s.exprBefore(p):
			kind = gObject
			pre = p.tt
		}
		if kind == gBlock && popScopes == 0 {
			s.pushScope(false, false)
			popScopes = 1
		}
		if kind == gObject && s.declKind != 0 && !s.declInit && len(s.groups) == s.declDepth {
			s.patKeys = s.patKeys[:0] // a new declaration pattern
		}
		g := s.pushGroup(kind, int32(c.start))
		g.pre, g.popScopes, g.valueEnd = pre, popScopes, valueEnd
		if s.withNext {
			s.withNext = false
			g.with = true
			s.inWith++
		}
		s.chain = false
		return nil
	case js.CloseParenToken, js.CloseBracketToken, js.CloseBraceToken, js.TemplateMiddleToken, js.TemplateEndToken:
		if len(s.groups) == 0 {
			return errUnbalanced
		}
		// g stays valid after the pop below: only the push of a template
		// middle's group reuses its slot, and g is not read after that.
		g := &s.groups[len(s.groups)-1]
		var want bool
		switch c.tt {
		case js.CloseParenToken:
			want = g.kind <= gParenMaybe
		case js.CloseBracketToken:
			want = g.kind == gBracket
		case js.CloseBraceToken:
			want = g.kind >= gBlock && g.kind <= gExport
		default:
			want = g.kind == gTemplate
		}
		if !want {
			return errUnbalanced
		}
		if c.tt == js.CloseParenToken {
			s.closeImport(g, c)
		}
		s.groups = s.groups[:len(s.groups)-1]
		if g.with {
			s.inWith--
		}
		if g.kind == gObject {
			s.lastObjWin = g.winKey && !g.rest
			if len(s.patTop) > 0 {
				s.decideObjPattern(g, n)
			}
			if len(s.patComputed) > 0 {
				s.decideComputedKeys(n)
			}
		}
		if len(s.litEdits) > int(g.litMark) && (g.kind == gObject || g.kind == gBracket) {
			s.decideLiteral(g, n)
		}
		if g.patKey {
			if !g.comma {
				s.patComputed = append(s.patComputed, patComputed{depth: len(s.groups) - 1, open: int(g.keyOpen - 1),
					close: s.addEdit(c.start, c.start, replKeyClose, "", stTentative)})
			}
		} else if g.member && g.keyOpen == 0 && s.computedRead(g, p, n) && s.locationNext(c.end) {
			// f[k].location: whatever f is, its key "top" reads the virtual
			// top; __crmframe_top on an ordinary object reads its own top
			s.addEdit(int(g.open)+1, int(g.open)+1, replKeyOpen, CountComputed, stLive)
			s.addEdit(c.start, c.start, replKeyClose, "", stLive)
		} else if g.keyOpen > 0 && s.computedRead(g, p, n) && (!g.litChain || bytes.IndexAny(s.src[g.open+1:c.start], "(\"'`") >= 0 ||
			s.windowUseAfter(c.end, s.nameBefore(int(g.open)))) {
			s.edits[g.keyOpen-1].state = stLive
			s.addEdit(c.start, c.start, replKeyClose, "", stLive)
		}
		if g.recv > 0 && s.keyRecv(g, p, c) {
			s.wrapRecv(int(g.recv-1), int(g.recvEnd), g.recvNL)
		}
		s.keyChain = [2]int{}
		if c.tt == js.CloseBracketToken && g.recv > 0 && !g.optRecv {
			s.keyChain, s.keyChainNL = [2]int{int(g.recv), c.end}, g.recvNL
		} else if c.tt == js.CloseBracketToken && g.arrayLit {
			s.keyChain, s.keyChainNL = [2]int{int(g.open) + 1, c.end}, false
		}
		s.endArrowExprs(len(s.groups), false)
		for i := int32(0); i < g.popScopes; i++ {
			s.popScope()
		}
		if s.declKind != 0 && len(s.groups) < s.declDepth {
			s.declKind = 0
		}
		switch c.tt {
		case js.CloseParenToken:
			if g.kind == gParenFunc {
				// The body follows; the function scope pushed at '(' is
				// popped when the body closes.
				s.nextBody = 1
				s.nextBodyValue = s.fnBodyValue
			} else {
				if g.kind == gParenCtl && g.pre == js.WithToken {
					s.withBody(n)
				}
				if (g.kind == gParen || g.kind == gParenMaybe) && s.locationNext(c.end) {
					s.locResult(g, c)
				}
				if s.locSpelled && (g.kind == gParen || g.kind == gParenMaybe) {
					if start, nl := s.resultStart(g); start >= 0 {
						s.keyChain, s.keyChainNL = [2]int{start + 1, c.end}, nl
					} else if g.chainRecv > 0 {
						s.keyChain, s.keyChainNL = [2]int{int(g.chainRecv), c.end}, g.chainRecvNL
					}
				}
				s.closedDefStart, s.closedPre, s.hasClosed = g.defStart, g.pre, true
				s.closedKind = g.kind
				s.closedEval = [2]int{-1, -1}
				if g.evalOpen > 0 {
					open := int(g.evalOpen - 1)
					s.closedEval = [2]int{open, s.addEdit(c.start, c.start, replEvalClose, "", s.edits[open].state)}
				}
			}
		case js.TemplateMiddleToken:
			s.pushGroup(gTemplate, 0)
		}
		if s.bracketEval[1] > 0 {
			// window['eval'], not written to: that window's indirect eval.
			if c.tt == js.CloseBracketToken && p.start == s.bracketEval[0] {
				s.ieval(s.bracketEval[0], s.bracketEval[1], replIevalKey, s.chainRoot, n, false)
			}
			s.bracketEval = [2]int{}
		}
		if c.tt == js.CloseBracketToken && s.lastTopEdit >= 0 && s.edits[s.lastTopEdit].start == p.start && p.tt != js.IdentifierToken {
			// delete w['top'], w['top'] = v, and a window-like name's read: as for .top
			if s.topWritten(int(g.open), n) || s.chainGuess && s.vtopRead(int(g.open), c.end, n, CountBracket) {
				s.edits[s.lastTopEdit].state = stDead
			}
		}
		// window['self'] keeps a window chain going.
		s.chain = c.tt == js.CloseBracketToken && s.chain && s.bracketStr >= 0
		if c.tt == js.CloseBracketToken && g.frameOf {
			s.frameIdxEnd = c.end
		}
		s.bracketStr = -1
		if s.bracketTop.tt != 0 {
			// e['top'] is a candidate like e.top, ending at its ']'
			if c.tt == js.CloseBracketToken && p.start == s.bracketTop.start {
				repl := replDouble
				if s.src[p.start] == '\'' {
					repl = replSingle
				}
				s.alias, s.aliasObj, s.aliasEnd, s.aliasRepl = s.bracketTop, s.bracketTopObj, c.end, repl
			}
			s.bracketTop.tt = 0
		}
		return nil
	case js.CommaToken, js.SemicolonToken:
		if g := s.top(); g != nil {
			g.comma = true
			s.closeImport(g, c)
		}
		s.endArrowExprs(len(s.groups), true)
		if s.declKind != 0 && len(s.groups) == s.declDepth {
			if c.tt == js.SemicolonToken {
				s.declKind = 0
			} else {
				s.declInit = false
			}
		}
		if c.tt == js.SemicolonToken {
			s.importMode = false
		}
		s.chain = false
		return nil
	case js.QuestionToken:
		*s.q()++
		s.chain = false
		return nil
	case js.ColonToken:
		if q := s.q(); *q > 0 {
			*q--
		} else if g := s.top(); g != nil && g.kind == gObject && js.IsIdentifierName(p.tt) {
			// {root: w.top}: the key is the variable (env.root.location)
			s.eqName, s.eqEnd = [2]int{p.start, p.end}, c.end
		}
		s.chain = false
		return nil
	case js.EqToken, js.NullishEqToken, js.OrEqToken, js.AndEqToken:
		// w ??= globalThis, w ||= window: an alias as w = window is (x465)
		if c.tt == js.EqToken && s.declKind != 0 && len(s.groups) == s.declDepth {
			s.declInit = true
			s.decidePattern(p, n)
		}
		if (js.IsIdentifierName(p.tt) || p.tt == js.PrivateIdentifierToken) && s.pathStart == p.start && len(s.winAliases) < 32 {
			if s.windowValue(n) {
				s.addWinAlias(s.name(p))
			} else if s.windowCopy(n) {
				// {...window}, document.defaultView (x430, x442): every
				// computed key of it is wrapped, not only a call or string
				s.addWinAlias(s.name(p))
				s.copyAliases = append(s.copyAliases, string(s.name(p)))
			}
		}
		if p.tt == js.IdentifierToken && s.pathStart == p.start ||
			js.IsIdentifierName(p.tt) && s.afterDot(p.start) {
			// t = …, and this.topWin = … / App.root = … (keyed by the last
			// name: this.topWin.location confirms it)
			s.eqName, s.eqEnd = [2]int{p.start, p.end}, c.end
		}
		s.chain = false
		return nil
	case js.ArrowToken:
		// The arrow's scope was pushed by its parameter list or identifier.
		if len(s.scopes) > 1 && s.scopes[len(s.scopes)-1].arrow {
			if n.tt == js.OpenBraceToken {
				s.nextBody = 1
			} else {
				s.scopes[len(s.scopes)-1].arrowDepth = len(s.groups)
			}
		}
		s.chain = false
		return nil
	case js.FunctionToken:
		s.fnPending = true
		s.fnExpr = s.exprBefore(p)
		s.fnNamed = 0
		s.chain = false
		return nil
	case js.ClassToken:
		s.classDepth = len(s.groups)
		s.classExpr = s.exprBefore(p)
		s.chain = false
		if js.IsIdentifierName(n.tt) && !s.classExpr {
			s.declare(nameBit(s.name(n)), false)
		}
		return nil
	case js.VarToken, js.ConstToken:
		s.startDecl(c.tt)
		return nil
	case js.ImportToken:
		if p.tt != js.DotToken && n.tt != js.OpenParenToken && n.tt != js.DotToken {
			s.importMode = true
		}
		// import(x), not a method named import (o.import(x), {import(x) {}})
		s.importNext = n.tt == js.OpenParenToken && p.tt != js.DotToken && p.tt != js.OptChainToken
		return nil
	case js.DotToken, js.OptChainToken:
		// Messages to the real top are not frame busting: top.postMessage
		// keeps reaching the desktop, through __crmframe_post on a dotted
		// path (a message for the CRM's own origin goes to the virtual top).
		if s.lastTopEdit >= 0 && s.edits[s.lastTopEdit].end == p.end && s.is(n, "postMessage") {
			s.edits[s.lastTopEdit].state = stDead
			if s.pathStart >= 0 && s.pathEnd == p.end {
				bit := s.edits[s.lastTopEdit].bit // a local top: no wrapper either
				for _, e := range [2]int{s.addEdit(s.pathStart, s.pathStart, replPostOpen, CountPost, stLive), s.addEdit(p.end, p.end, replPostClose, "", stLive)} {
					if s.edits[e].bit = bit; bit != 0 {
						s.pending = append(s.pending, e)
					}
				}
			}
		}
		return nil
	case js.StringToken, js.TemplateToken:
		s.jsURLString(c)
		// window['top'], and window[`top`] (a template without
		// substitutions is a string too).
		if p.tt == js.OpenBracketToken && s.chain && n.tt == js.CloseBracketToken {
			v := s.text(c)
			if len(v) >= 2 {
				if string(v[1:len(v)-1]) == "top" {
					repl := replDouble
					switch v[0] {
					case '\'':
						repl = replSingle
					case '`':
						repl = replBacktick
					}
					s.lastTopEdit = s.addEdit(c.start, c.end, repl, CountBracket, stLive)
				}
				if string(v[1:len(v)-1]) == "eval" && !s.chainLit && s.chainPre != js.DeleteToken && s.chainPre != js.IncrToken && s.chainPre != js.DecrToken {
					s.bracketEval = [2]int{c.start, c.end} // decided at ']'
				}
				if isWindowName(v[1 : len(v)-1]) {
					s.bracketStr = c.start
					return nil
				}
			}
		}
		if c.tt == js.StringToken {
			if s.importMode || s.is(p, "from") {
				s.dataModule(c)
			}
			s.importMode = false // import ... from "x" / import "x"
			if p.tt == js.OpenBracketToken && !s.chain && n.tt == js.CloseBracketToken && s.bracketAlias(p, c) {
				repl := replDouble
				if s.src[c.start] == '\'' {
					repl = replSingle
				}
				s.lastTopEdit = s.addEdit(c.start, c.end, repl, CountAlias, stLive)
			} else if p.tt == js.OpenBracketToken && !s.chain && n.tt == js.CloseBracketToken {
				s.bracketKey(p, c)
			}
		}
		s.chain = false
		return nil
	case js.ThisToken:
		s.chain = false
		if p.tt != js.DotToken && p.tt != js.OptChainToken && s.fnBody == 0 && (s.kind == Classic || s.kind == URL) {
			s.chain, s.chainPre, s.chainLit, s.chainRoot, s.chainGuess = true, p.tt, false, 0, false
		}
		s.thisStart = -1
		if p.tt != js.DotToken && p.tt != js.OptChainToken {
			s.thisStart, s.thisEnd, s.thisPre, s.thisNoWrap = c.start, c.end, p.tt, c.nl && s.endsValue(p)
		}
		return nil
	}

	if c.tt == js.LetToken && p.tt != js.DotToken && p.tt != js.OptChainToken &&
		(js.IsIdentifierName(n.tt) || n.tt == js.OpenBraceToken || n.tt == js.OpenBracketToken) {
		s.startDecl(c.tt)
		return nil
	}

	if c.tt == js.PrivateIdentifierToken {
		// #host = globalThis (a class field), this.#host.top: a path of
		// its own, so that the field can be a window alias (x315)
		s.chain = false
		s.pathStart, s.pathEnd, s.pathPre, s.pathNoWrap = c.start, c.end, 0, true
		if p.tt == js.DotToken || p.tt == js.OptChainToken {
			s.pathStart = -1
			// this.#host, or a static field read on the class: C.#host (x394)
			k := s.skipSpaceBack(p.start)
			h := k
			for h > 0 && isIdentByte(s.src[h-1]) {
				h--
			}
			if h < k && (s.src[h] < '0' || s.src[h] > '9') && (h == 0 || s.src[h-1] != '.' && s.src[h-1] != '#') {
				s.pathStart = h
			}
		}
		return nil
	}
	if !js.IsIdentifierName(c.tt) {
		if c.tt == js.EllipsisToken {
			if g := s.top(); g != nil && g.kind == gObject {
				g.rest = true
			}
		}
		s.chain = false
		return nil
	}

	// Identifier names (including keywords used as property names).
	name := s.name(c)
	s.locKey = n.tt == js.OpenBracketToken && len(name) == 8 && string(name) == "location"
	prevName := s.lastName
	s.lastName = [2]int{c.start, c.end}
	isTop := len(name) == 3 && string(name) == "top"
	member := p.tt == js.DotToken || p.tt == js.OptChainToken

	if member {
		// f(x).b, (0, t).a, f[k].a: the chain a '[' may take as its
		// receiver goes on (adv35); not after a ?. (its short-circuit)
		if s.keyChain[0] > 0 && p.tt == js.DotToken && s.spaceOnly(s.keyChain[1], p.start) {
			s.keyChain[1] = c.end
		}
		if len(name) == 4 && string(name) == "self" && s.eqEnd > 0 && s.pathStart >= 0 && s.pathGap(s.pathEnd, p.start) &&
			(n.tt == js.SemicolonToken || n.tt == js.CommaToken || n.tt == js.CloseBraceToken || n.nl) &&
			s.spaceOnly(s.eqEnd, s.pathStart) && len(s.selfVars) < 32 {
			s.selfVars = append(s.selfVars, topVar{name: string(s.span(s.eqName[0], s.eqName[1])), base: [2]int{s.pathStart, s.pathEnd}})
		}
		if len(s.topVars) > 0 && aliasProp(name) && prevName[1] > 0 && s.spaceOnly(prevName[1], p.start) {
			for _, v := range s.topVars {
				if v.name == string(s.span(prevName[0], prevName[1])) {
					s.confirm(v.edit)
				}
			}
		}
		if len(name) == 15 && string(name) == "ancestorOrigins" {
			s.addEdit(c.start, c.end, replAncestors, CountAncestors, stLive)
		}
		// X.location, X a dotted path that is no window name (pass 31,
		// x980-x985): however X got the real top (a child frame's key read
		// through an alias, Reflect, a descriptor), the navigation goes
		// through __crmframe_vtop(X), which answers the virtual top for it
		// and X itself otherwise. A cross-origin top offers only location
		// to navigate it.
		if len(name) == 8 && string(name) == "location" && s.pathStart >= 0 && !s.pathKnown() {
			s.locReceiver(p.start, n)
		}
		if s.chain {
			// window.eval(code), self.eval(code): an indirect eval, the
			// same wrapper (it runs global code, so the swap fits).
			if len(name) == 4 && string(name) == "eval" {
				if n.tt == js.OpenParenToken {
					s.evalNext = true
				} else if !s.chainLit && s.chainPre != js.DeleteToken && s.chainPre != js.IncrToken && s.chainPre != js.DecrToken {
					// var e = window.eval: that window's indirect eval.
					// window?.eval: only the name becomes ?.[key].
					start := p.start
					if p.tt == js.OptChainToken {
						start = c.start
					}
					s.ieval(start, c.end, replIevalDot, s.chainRoot, n, false)
				}
			}
			// a window-like name (chainGuess) is a guess: value-checked;
			// so is a window name declared locally (legit23, x800: Vue 3
			// code keeps `const self = this`, an instance proxy)
			if isTop && !s.topWritten(p.start, n) && !((s.chainGuess || s.localRoot()) && s.vtopRead(p.start, c.end, n, CountMember)) {
				s.lastTopEdit = s.addEdit(c.start, c.end, replAccessor, CountMember, stLive)
			}
			s.chain = isWindowName(name) && string(name) != "globalThis"
		} else if isTop {
			switch {
			case s.topWritten(p.start, n):
			case prevName[1] > 0 && s.spaceOnly(prevName[1], p.start) && windowLike(s.span(prevName[0], prevName[1])):
				if !s.vtopRead(p.start, c.end, n, CountAlias) {
					s.lastTopEdit = s.addEdit(c.start, c.end, replAccessor, CountAlias, stLive)
				}
			default:
				s.aliasCandidate(p, c, n)
			}
		} else if windowLike(name) {
			s.chain, s.chainPre, s.chainLit, s.chainGuess = true, p.tt, true, true // f.contentWindow['top']
		}
		if s.pathStart >= 0 && s.pathGap(s.pathEnd, p.start) {
			s.pathEnd = c.end
		} else {
			s.pathStart = -1
		}
		if s.thisStart >= 0 && s.pathGap(s.thisEnd, p.start) {
			s.thisEnd = c.end
		} else {
			s.thisStart = -1
		}
		return nil
	}
	s.thisStart = -1
	s.pathStart, s.pathEnd, s.pathPre = c.start, c.end, p.tt
	s.pathNoWrap = c.nl && s.endsValue(p)
	if c.nl && (p.tt == js.IncrToken || p.tt == js.DecrToken) {
		s.pathPre = 0 // i++ \n a.top: a postfix ++, then a new statement
	}
	s.chain = false
	if p.tt == js.ReturnToken && len(s.topVars) > 0 && (n.tt == js.SemicolonToken || n.tt == js.CloseBraceToken || n.nl) {
		// var t = w.top; return t: a getter helper (getTopWindow(w)). Also
		// geometry (var t = r.top; return t), so the key falls back to top
		// where the shim does not run, as for return r.top.
		// Only a dotted read: not a pattern key ({top: t} = rect, Vue 3's
		// minified t returned elsewhere) nor a quoted one (e['top']).
		if v := s.topVar(name); v != nil && s.edits[v.edit].state != stLive && s.afterDot(s.edits[v.edit].start) {
			e := &s.edits[v.edit]
			e.state, e.repl = stLive, replTopDot
			if k := skipSpaceBack(s.src, e.start); k > 0 && s.src[k-1] == '.' && (k < 2 || s.src[k-2] != '?') {
				if v.base[0] >= 0 && bytes.IndexByte(s.src[v.base[0]:k], '?') < 0 {
					// t = e.top, value-checked as in vtopRead (x471)
					e.start, e.repl, e.key = e.end, replVtopClose, ""
					e.open = int32(s.addEdit(v.base[0], v.base[0], replVtopOpen, CountAlias, stLive)) + 1
				} else {
					e.start = k - 1
				}
			}
		}
	}
	if (p.tt == js.OpenBraceToken || p.tt == js.CommaToken) && patWinKey(name) {
		if g := s.top(); g != nil && g.kind == gObject {
			switch n.tt {
			case js.ColonToken, js.CommaToken, js.CloseBraceToken, js.EqToken:
				g.winKey = true
			}
		}
	}
	if len(name) == 4 && string(name) == "eval" {
		s.evalNext = n.tt == js.OpenParenToken
		s.evalRef = n.tt == js.CloseParenToken || n.tt == js.OptChainToken
	}
	if (c.tt == js.InToken || c.tt == js.OfToken) && s.declKind != 0 && len(s.groups) == s.declDepth {
		if c.tt == js.OfToken {
			// for (const {top: t, self: s} of [window]): the pattern
			// takes the list's elements
			s.decideOfPattern(p, c)
		}
		s.declKind = 0 // for (var x in/of ...)
	}
	if js.IsReservedWord(c.tt) {
		return nil
	}
	bit := nameBit(name)
	if c.tt == js.IdentifierToken && bit&^bEval != 0 { // isWindowName
		s.chain, s.chainPre, s.chainLit, s.chainRoot, s.chainGuess = true, p.tt, false, bit, false
	} else if c.tt == js.IdentifierToken && (windowLike(name) || s.isWinAliasName(name)) {
		s.chain, s.chainPre, s.chainLit, s.chainGuess = true, p.tt, !s.isCopyAlias(name), windowLike(name)
	}
	if s.fnPending && p.tt == js.FunctionToken || (s.fnPending && p.tt == js.MulToken) {
		s.fnNamed = bit
		if !s.fnExpr {
			s.declare(bit, false)
		}
		return nil
	}
	if n.tt == js.ArrowToken {
		// single-identifier arrow parameter
		s.pushScope(true, true)
		s.scopes[len(s.scopes)-1].declares = bit
		return nil
	}
	if bit == 0 {
		if len(name) == 15 && string(name) == "ancestorOrigins" {
			s.ancestorsPattern(p, c, n)
			s.bareAncestors(p, c, n)
		}
		return nil
	}
	if bit&(bTop|bEval) == 0 && !s.importMode && !bindingPrev(p.tt) {
		return nil // window, self…: only their declarations matter
	}
	s.bareName(p, c, n, bit)
	return nil
}

func (s *scanner) startDecl(tt js.TokenType) {
	s.declKind, s.declDepth, s.declInit = tt, len(s.groups), false
	s.chain = false
}

// inMemberContext reports whether a '(' after p starts a method's
// parameters: p names a member directly inside an object literal or class.
func (s *scanner) inMemberContext(p *tok) bool {
	g := s.top()
	return g != nil && (g.kind == gObject || g.kind == gClass)
}

func windowish(name string) bool { return name == "self" || name == "window" || name == "this" }

// heuristics confirms `e.top` on an unknown `e` when the code treats e as a
// window: `e.top.location`, `e.top.document`, `e.self === e.top`,
// `e.top !== e.self`, and `e.top !== e` / `e !== e.top` (a window compared
// with its own top; e may be a dotted path like document.defaultView).
func (s *scanner) heuristics(p, c, n *tok) {
	if !s.opnd && s.alias.tt == 0 && s.fwd.tt == 0 && !isCmp(c.tt) {
		return
	}
	ident := js.IsIdentifierName(c.tt)
	dot := c.tt == js.DotToken || c.tt == js.OptChainToken
	if s.opnd && !ident && !dot && !(c.tt == js.OpenBracketToken && n.tt == js.StringToken) && !(c.tt == js.StringToken && p.tt == js.OpenBracketToken) {
		// (e === e['top']: the operand goes on through a string key)
		s.opnd = false
		s.twoTops(p)
	}
	if isCmp(c.tt) && js.IsIdentifierName(p.tt) && len(s.topVars) > 0 && s.fwd.tt == 0 && s.pathStart == p.start && s.pathEnd == p.end {
		// var t = e.top; if (t !== e) …: t is compared with its own window
		if v := s.topVar(s.name(p)); v != nil {
			s.fwd, s.fwdLast, s.fwdObj, s.fwdSpan, s.fwdVar = *p, "", v.base, [2]int{-1, -1}, v.edit+1
			s.fwdRepl = nil
			return
		}
	}
	if s.opnd && ident && isCmp(p.tt) && len(s.topVars) > 0 && n.tt != js.DotToken && n.tt != js.OptChainToken && n.tt != js.OpenBracketToken && n.tt != js.OpenParenToken {
		// e !== t, self != t
		if v := s.topVar(s.name(c)); v != nil && (s.opndWin || s.sameSpan(s.opndL, v.base) || s.selfOf(s.opndL, v.base)) {
			s.confirm(v.edit)
		}
	}
	if isCmp(c.tt) && js.IsIdentifierName(p.tt) {
		if windowish(string(s.name(p))) {
			s.opnd, s.opndWin = true, true
		} else if s.pathStart >= 0 && s.pathEnd == p.end {
			s.opnd, s.opndWin, s.opndL = true, false, [2]int{s.pathStart, s.pathEnd}
		}
	}
	if s.alias.tt != 0 {
		a, repl := s.alias, s.aliasRepl
		s.alias.tt = 0
		if s.aliasEnd == p.end {
			switch {
			case dot && js.IsIdentifierName(n.tt) && aliasProp(s.name(n)):
				s.addEdit(a.start, a.end, repl, CountAlias, stLive)
			case isCmp(c.tt) && s.aliasObj[0] < 0 && s.callOperand(p, c):
				// get(this, _w, "f").top !== get(this, _w, "f")
				s.addEdit(a.start, a.end, repl, CountAlias, stLive)
			case isCmp(c.tt) && s.aliasObj[0] < 0 && bytes.Equal(repl, replAccessor) && s.groupCompared(&a, c):
				// (window || self).top !== (window || self).self
			case isCmp(c.tt):
				s.fwd, s.fwdLast, s.fwdObj, s.fwdSpan, s.fwdVar = a, "", s.aliasObj, [2]int{-1, -1}, 0
				s.fwdRepl = repl
				return
			case (c.tt == js.CommaToken || c.tt == js.CloseParenToken) && s.aliasObj[0] >= 0 && s.argSibling(s.aliasObj):
				// leave(w.top, w): handed on next to its own window
				s.addEdit(a.start, a.end, repl, CountAlias, stLive)
			case (c.tt == js.SemicolonToken || c.tt == js.CommaToken || c.tt == js.CloseBraceToken || c.nl ||
				c.tt == js.OrToken || c.tt == js.NullishToken || c.tt == js.CloseParenToken || c.tt == js.ColonToken) &&
				s.eqEnd > 0 && len(s.topVars) < 32 &&
				(s.aliasObj[0] >= 0 && s.spaceOnly(s.eqEnd, s.aliasObj[0]) || s.memberChain(s.eqEnd, a.start) ||
					s.condArm(s.eqEnd, a.start)):
				// var t = w.top; … t.location = …, this.topWin = w.top,
				// {root: w.top}, var t = window.frames[0].parent.top,
				// var t = w.top || w
				base := s.aliasObj
				if base[0] < 0 || !s.spaceOnly(s.eqEnd, base[0]) {
					base = [2]int{-1, -1}
				}
				s.topVars = append(s.topVars, topVar{string(s.span(s.eqName[0], s.eqName[1])), s.addEdit(a.start, a.end, repl, CountAlias, stTentative), base})
			case (c.tt == js.SemicolonToken || c.tt == js.CommaToken || c.tt == js.CloseBraceToken || c.nl || c.tt == js.CloseParenToken) &&
				s.eqEnd > 0 && len(s.topVars) < 32 && s.aliasObj[0] < 0 && bytes.Equal(repl, replAccessor):
				// var t = (window || self).top, Function('return this')().top,
				// [window][0].top: the object is no dotted path; the whole
				// value is value-checked once t is used as a window
				if start := s.groupChain(s.eqEnd, a.start); start >= 0 {
					o := s.addEdit(start, start, replVtopOpen, CountAlias, stTentative)
					e := s.addEdit(a.end, a.end, replVtopClose, "", stTentative)
					s.edits[e].open = int32(o) + 1
					s.topVars = append(s.topVars, topVar{string(s.span(s.eqName[0], s.eqName[1])), e, [2]int{-1, -1}})
				}
			}
		}
	}
	if s.fwd.tt != 0 {
		switch {
		case c.tt == js.OpenParenToken && n.tt == js.CloseParenToken, c.tt == js.CloseParenToken && p.tt == js.OpenParenToken:
			// Ext.getWin().dom: a call without arguments stays in the path
		case ident:
			s.fwdLast = string(s.name(c))
			if s.fwdSpan[0] < 0 {
				s.fwdSpan[0] = c.start
			}
			s.fwdSpan[1] = c.end
		case dot:
		case c.tt == js.OpenBracketToken && s.fwdSpan[0] >= 0:
			// e.top !== e['self'] goes on to the key; e['top'] !== e['bottom']
			// is no window compared (the operand is a member of e)
			if v := s.text(n); n.tt == js.StringToken && len(v) >= 2 && (string(v[1:len(v)-1]) == "self" || string(v[1:len(v)-1]) == "window") {
				s.fwdLast = "self"
			} else {
				s.fwd.tt, s.fwdVar = 0, 0
			}
		default:
			if s.fwdVar == 0 && s.fwdLast == "top" && s.keepRealTop(s.fwdSpan[1]) {
				// source.top === window.top: both sides read the real top
				s.fwd.tt = 0
				break
			}
			if windowish(s.fwdLast) || s.sameSpan(s.fwdSpan, s.fwdObj) || s.selfOf(s.fwdSpan, s.fwdObj) {
				if s.fwdVar > 0 {
					s.confirm(s.fwdVar - 1)
				} else {
					s.addEdit(s.fwd.start, s.fwd.end, s.fwdRepl, CountAlias, stLive)
				}
			}
			s.fwd.tt, s.fwdVar = 0, 0
		}
	}
}

// twoTops handles the end (p) of the right operand of a comparison with a
// left operand (opndL): win.top === window.top, top == $wnd.top, two tops
// the rewriter made virtual compared (a same-tab check), keep the real
// ones; a window-like name may be a cross-origin window's, where only top
// is readable.
func (s *scanner) twoTops(p *tok) {
	if !s.opndWin && s.opndL[0] >= 0 && s.pathStart > s.opndL[1] && s.pathEnd == p.end && p.end-p.start == 3 && s.is(p, "top") {
		if i, j := s.topEditAt(s.opndL[1]), s.topEditAt(p.end); i >= 0 && j >= 0 {
			s.kill(i)
			s.kill(j)
		}
	}
}

// keepRealTop handles an `X.top` on an unknown X (e.source.top,
// frames[0].top, w.top) compared with a top the rewriter made virtual
// (top, window.top, win.top) ending at end: a same-tab check (is the
// sender in my tab?). X.top is the real top, and X may be a cross-origin
// window, whose other properties throw; so the compared top stays the
// real one too (its edit dies), and the answer is the one an unframed page
// gets. It reports whether it found such an edit.
func (s *scanner) keepRealTop(end int) bool {
	if i := s.topEditAt(end); i >= 0 {
		s.kill(i)
		return true
	}
	return false
}

// topEditAt returns the live edit that makes the top ending at end the
// virtual one (one of the last few), or -1.
func (s *scanner) topEditAt(end int) int {
	for i := len(s.edits) - 1; i >= 0 && i >= len(s.edits)-8; i-- {
		e := &s.edits[i]
		if e.end == end && e.state != stDead && len(e.repl) > 0 && (e.state == stLive && (&e.repl[0] == &replAccessor[0] || &e.repl[0] == &replVtop[0]) ||
			&e.repl[0] == &replVtopClose[0]) {
			return i
		}
	}
	return -1
}

// kill drops edit i, and the opening of a value-checked read with its close.
func (s *scanner) kill(i int) {
	s.edits[i].state = stDead
	if o := s.edits[i].open; o > 0 {
		s.edits[o-1].state = stDead
	}
}

// topWritten reports whether the member .top or ['top'] whose '.' or '['
// is at at (n follows it) is written or deleted: X.top = v, X.top += v,
// X.top++, for (X.top in o), and on a dotted path delete X.top, ++X.top.
// A window's top is read-only, so writing it never busts; on an ordinary
// object the write or delete must reach top itself (x470: delete
// phoneWindow.top; x472: lastWin.top = 120 on an object without a
// prototype), so the member keeps top.
func (s *scanner) topWritten(at int, n *tok) bool {
	if isWrite(n) {
		return !n.nl || n.tt != js.IncrToken && n.tt != js.DecrToken // X.top \n ++y: a new statement
	}
	switch n.tt {
	case js.DotToken, js.OptChainToken, js.OpenBracketToken, js.OpenParenToken, js.TemplateToken, js.TemplateStartToken:
		return false // delete X.top.y: X.top is read
	}
	return (s.pathPre == js.DeleteToken || s.pathPre == js.IncrToken || s.pathPre == js.DecrToken) &&
		s.pathStart >= 0 && s.pathGap(s.pathEnd, at)
}

// vtopRead rewrites the read X.top or X['top'] (its '.' or '[' at at, its
// end at end, n follows; X the dotted path before it) into VtopWrapOpen
// X.top VtopWrapClose, which works on any object (see VtopWrapOpen), and
// reports whether it handled the read. A call X.top(a) is left as it is
// (a window's top is not a function; X stays the receiver). The accessor
// form is kept (false) where a wrapper would change the code: after new,
// for a tagged template, in an optional chain (the wrapper would end its
// short-circuit), for a parenthesised (X.top) (it may be assigned to), for
// X.top.postMessage (its own wrapper), and where a '(' would join the
// previous line. In an array or object literal the wrapper waits until the
// outermost one closes: none in a destructuring target ([X.top] = a).
func (s *scanner) vtopRead(at, end int, n *tok, key string) bool {
	return s.vtopReadPath(s.pathStart, s.pathEnd, s.pathPre, s.pathNoWrap, at, end, n, key)
}

// vtopReadPath is vtopRead for X the path [start, pend) that pre precedes
// (noWrap: a '(' before it would join the previous line).
func (s *scanner) vtopReadPath(start, pend int, pre js.TokenType, noWrap bool, at, end int, n *tok, key string) bool {
	if n.tt == js.OpenParenToken || n.tt == js.OptChainToken && bytes.HasPrefix(s.src[s.skipSpace(n.end):], []byte("(")) {
		return true
	}
	if s.src[at] == '?' && end > pend || start < 0 || noWrap || pre == js.NewToken || !s.pathGap(pend, at) ||
		n.tt == js.TemplateToken || n.tt == js.TemplateStartToken || bytes.IndexByte(s.src[start:at], '?') >= 0 {
		return false
	}
	if (n.tt == js.DotToken || n.tt == js.OptChainToken) && bytes.HasPrefix(s.src[s.skipSpace(n.end):], []byte("postMessage")) {
		return false
	}
	if g := s.top(); n.tt == js.CloseParenToken && g != nil && g.kind == gParen && s.spaceOnly(int(g.open)+1, start) &&
		g.pre != js.IdentifierToken && g.pre != js.CloseParenToken && g.pre != js.CloseBracketToken && g.pre != js.TemplateEndToken {
		return false // (X.top) = v, delete (X.top); f(X.top) is an argument
	}
	st, d := stLive, s.litDepth()
	if d >= 0 {
		st = stTentative
	}
	o := s.addEdit(start, start, replVtopOpen, key, st)
	e := s.addEdit(end, end, replVtopClose, "", st)
	s.edits[e].open = int32(o) + 1
	if d >= 0 {
		s.litEdits = append(s.litEdits, litEdit{edit: o, depth: d}, litEdit{edit: e, depth: d})
	}
	return true
}

// locReceiver wraps X, the path before .location, ?.location (pass 32) or
// ['location'] (pass 32) whose '.', '?.' or '[' is at at (n follows the
// name or key). Only X is wrapped, so an optional chain after it keeps its
// short-circuit; one inside X would lose it (left alone).
func (s *scanner) locReceiver(at int, n *tok) {
	// X may end in the () of a call (pathGap): a.b().location is
	// locResult's (a wrap of the callee alone would call it without its
	// this: obj.getWin() threw), a?.b().location is left alone like
	// a?.b(c).location.
	if s.skipSpaceBack(at) > s.pathEnd {
		return
	}
	// a?.b.location (pass 33, x1013): the wrapper would end the chain's
	// short-circuit, so the member after it becomes ?.location (a nullish
	// a?.b then reads undefined: the same for a nullish a, no TypeError for
	// a nullish a.b). A chain cannot be assigned to, so this is a read.
	if s.pathStart >= 0 && s.pathPre != js.NewToken && s.pathGap(s.pathEnd, at) && bytes.IndexByte(s.src[s.pathStart:s.pathEnd], '?') >= 0 &&
		n.tt != js.OpenParenToken && n.tt != js.TemplateToken && n.tt != js.TemplateStartToken {
		s.wrapRecv(s.pathStart, s.pathEnd, s.pathNoWrap)
		if s.src[at] == '.' {
			s.addEdit(at, at+1, replOptDot, "", stLive)
		}
		return
	}
	if s.pathNoWrap && s.pathPre != js.NewToken && s.pathGap(s.pathEnd, at) && bytes.IndexByte(s.src[s.pathStart:at], '?') < 0 {
		o := s.addEdit(s.pathStart, s.pathStart, replLocNLOpen, CountLocation, stLive)
		e := s.addEdit(s.pathEnd, s.pathEnd, replVtopClose, "", stLive)
		s.edits[e].open = int32(o) + 1
		return
	}
	s.vtopReadPath(s.pathStart, s.pathEnd, s.pathPre, s.pathNoWrap, at, s.pathEnd, n, CountLocation)
}

// locResult wraps the call or parenthesised expression that the ')' c
// closes (group g) when .location follows (pass 32, x992/x993:
// pick(f, k).location, (0, f[k]).location): a call of a plain path (not on
// another call's result, not in an optional chain, not after new), or a
// parenthesis that is no call's argument list.
func (s *scanner) locResult(g *group, c *tok) {
	if start, nl := s.resultStart(g); start >= 0 {
		s.wrapRecv(start, c.end, nl)
	}
}

// resultStart is where the value of the call or parenthesis g starts (its
// callee's path, or its '('), -1 when not known; nl as for wrapRecv.
func (s *scanner) resultStart(g *group) (int, bool) {
	start, nl := -1, false
	if g.callee > 0 {
		start, nl = int(g.callee-1), g.calleeNL
	} else if g.newStart > 0 {
		// the wrapper that starts with a name: new may start a line
		start, nl = int(g.newStart-1), true
	} else if g.kind == gParen && g.stmt {
		start = int(g.open)
	} else if g.kind == gParen && !js.IsIdentifier(g.pre) {
		switch g.pre {
		case js.CloseParenToken, js.CloseBracketToken, js.TemplateToken, js.TemplateEndToken, js.OptChainToken,
			js.SuperToken, js.ImportToken, js.NewToken:
			return -1, false
		}
		start = int(g.open)
	}
	return start, nl
}

// wrapRecv wraps [start, end), a receiver of location, in __crmframe_vtop
// (nl: with the wrapper that starts with a name, where a '(' would join the
// line above).
func (s *scanner) wrapRecv(start, end int, nl bool) {
	open := replVtopOpen
	if nl {
		open = replLocNLOpen
	}
	o := s.addEdit(start, start, open, CountLocation, stLive)
	e := s.addEdit(end, end, replVtopClose, "", stLive)
	s.edits[e].open = int32(o) + 1
}

// keyRecv reports whether the receiver of the computed member g (its key
// ends with p, c is the ']') goes through __crmframe_vtop (pass 33, x1008,
// x1009: t[l].href = u, t[l] = u with l === 'location' and t a child
// frame's real top): a key is no receiver's business, so the receiver is
// wrapped, read or written, in scripts that spell location (see
// locationSpelled) only, and not when the key is a literal or a number
// (a[0], a[i - 1], a[n | 0]) or the receiver a window name or this
// (their keys have their own rules).
func (s *scanner) keyRecv(g *group, p, c *tok) bool {
	// this[k]'s key goes through __crmframe_key too (keyOpen)
	if g.comma || g.keyOpen > 0 && !bytes.HasPrefix(s.src[g.recv-1:], []byte("this")) || g.patKey {
		return false
	}
	key := s.src[g.open+1 : c.start]
	if (p.tt == js.StringToken || p.tt == js.TemplateToken || js.IsNumeric(p.tt)) && s.spaceOnly(int(g.open)+1, p.start) &&
		bytes.IndexByte(key, '\\') < 0 {
		return false
	}
	if bytes.IndexAny(key, "-*/%|&^~") >= 0 && bytes.IndexAny(key, "([{?'\"`,=") < 0 {
		return false // arithmetic: a number
	}
	e := int(g.recv - 1)
	for e < len(s.src) && isIdentByte(s.src[e]) {
		e++
	}
	// this[l] (pass 34): this is whatever the call made it
	root := s.src[g.recv-1 : e]
	return !locationKnownRoot(root) || string(root) == "this"
}

// locationNext reports whether .location or ?.location (a whole name)
// starts at i, blanks allowed.
func (s *scanner) locationNext(i int) bool {
	j := s.skipSpace(i)
	if j+1 < len(s.src) && s.src[j] == '?' && s.src[j+1] == '.' {
		j++
	}
	if j >= len(s.src) || s.src[j] != '.' {
		return false
	}
	j = s.skipSpace(j + 1)
	return bytes.HasPrefix(s.src[j:], []byte("location")) && (j+8 == len(s.src) || !isIdentByte(s.src[j+8]))
}

// pathKnown reports whether the path being read starts with a name whose
// location is no concern of X.location's receiver wrap (locationKnownRoot,
// a bare super, X.top, a known alias).
func (s *scanner) pathKnown() bool {
	e := s.pathStart
	for e < len(s.src) && isIdentByte(s.src[e]) {
		e++
	}
	if locationKnownRoot(s.src[s.pathStart:e]) {
		return true
	}
	// super.location: a bare super is no value to wrap (super.a is)
	if e == s.pathEnd && string(s.src[s.pathStart:e]) == "super" {
		return true
	}
	// X.top.location: X.top has its own rules (the accessor or the wrapper)
	if s.pathEnd-s.pathStart > 3 && string(s.src[s.pathEnd-3:s.pathEnd]) == "top" && !isIdentByte(s.src[s.pathEnd-4]) {
		return true
	}
	// a window alias, or a variable given an X.top (var t = w.top): the
	// alias rules read its top; t.location confirms t's
	root := string(s.src[s.pathStart:e])
	for _, v := range s.topVars {
		if v.name == root {
			return true
		}
	}
	return slices.Contains(s.winAliases, root)
}

// localRoot reports whether the path being read starts with a window name
// (self, parent…) that a scope around it has declared so far: `var self =
// this` in a function, a parameter, a module's own binding. Such a name is
// most often no window: its top is read as written and value-checked.
func (s *scanner) localRoot() bool {
	if s.pathStart < 0 {
		return false
	}
	e := s.pathStart
	for e < len(s.src) && isIdentByte(s.src[e]) {
		e++
	}
	bit := nameBit(s.src[s.pathStart:e])
	if bit&^(bTop|bEval) == 0 {
		return false
	}
	low := 1
	if s.kind == Module {
		low = 0
	}
	for i := len(s.scopes) - 1; i >= low; i-- {
		if s.scopes[i].declares&bit != 0 {
			return true
		}
	}
	return false
}

// thisRead is vtopRead for a getter's `return this.a.top` (a path that
// starts with this; legit23, x801: this.$refs.chip is a Vue 3 instance
// proxy, whose get trap answers only the component's own keys, so the
// Object.prototype fallback of the key form never runs).
func (s *scanner) thisRead(p, c, n *tok) bool {
	if s.thisStart < 0 || s.thisEnd == s.thisStart+4 || !s.pathGap(s.thisEnd, p.start) {
		return false // this.top alone stays (a window's at the top level)
	}
	return s.vtopReadPath(s.thisStart, s.thisEnd, s.thisPre, s.thisNoWrap, p.start, c.end, n, CountAlias)
}

// operandEnd reports whether the token ending at end ends an operand: no
// member access, call or optional chain follows.
func (s *scanner) operandEnd(end int) bool {
	r := s.skipSpace(end)
	if r >= len(s.src) {
		return true
	}
	switch s.src[r] {
	case '.', '[', '(', '`':
		return false
	case '?': // a?.b, not c ? d : e or a ?? b
		return r+1 >= len(s.src) || s.src[r+1] != '.'
	}
	return true
}

// callOperand reports whether `X.top` (p is `top`, c the comparison after
// it) has a call with arguments as X, and the right operand is the same
// text: TypeScript's __classPrivateFieldGet(this, _C_win, "f").top !==
// __classPrivateFieldGet(this, _C_win, "f"). X is a dotted name followed by
// one balanced argument list without strings holding brackets.
func (s *scanner) callOperand(p, c *tok) bool {
	k := skipSpaceBack(s.src, p.start)
	if k == 0 || s.src[k-1] != '.' {
		return false
	}
	k = skipSpaceBack(s.src, k-1)
	if k == 0 || s.src[k-1] != ')' {
		return false
	}
	depth, i := 0, k-1
	for ; i >= 0 && i > k-256; i-- {
		b := s.src[i]
		if b == ')' {
			depth++
		} else if b == '(' {
			depth--
			if depth == 0 {
				break
			}
		} else if b == '{' || b == '}' || b == ';' || b == '`' || b == '/' {
			return false
		}
	}
	if i < 0 || depth != 0 {
		return false
	}
	j := skipSpaceBack(s.src, i)
	start := j
	for start > 0 && (isIdentByte(s.src[start-1]) || s.src[start-1] == '.') {
		start--
	}
	if start == j || s.src[start] == '.' || s.src[start] >= '0' && s.src[start] <= '9' {
		return false
	}
	obj := s.src[start:k]
	r := s.skipSpace(c.end)
	if r+len(obj) > len(s.src) || !bytes.Equal(s.src[r:r+len(obj)], obj) {
		return false
	}
	e := r + len(obj)
	return e == len(s.src) || !isIdentByte(s.src[e]) && s.src[e] != '.' && s.src[e] != '[' && s.src[e] != '(' && s.src[e] != '?'
}

// argSibling reports whether the call whose argument list is the innermost
// group also passes obj itself, obj.self, self or window as an argument
// (bust(w.top, w), leave(w.self, w.top)): obj is then a window.
func (s *scanner) argSibling(obj [2]int) bool {
	g := s.top()
	if g == nil || g.kind != gParen || g.pre == js.IfToken || !(js.IsIdentifierName(g.pre) || g.pre == js.CloseParenToken) {
		return false
	}
	name := s.span(obj[0], obj[1])
	depth, start := 0, int(g.open)+1
	for k := start; k < len(s.src) && k < int(g.open)+512; k++ {
		switch b := s.src[k]; b {
		case '(', '[', '{':
			depth++
		case ')', ']', '}', ',':
			if depth > 0 && b != ',' {
				depth--
				continue
			}
			if depth > 0 {
				continue
			}
			arg := bytes.TrimSpace(s.src[start:k])
			if bytes.Equal(arg, name) || windowish(string(arg)) && string(arg) != "this" ||
				len(arg) == len(name)+5 && bytes.HasPrefix(arg, name) && string(arg[len(name):]) == ".self" {
				return true
			}
			if b != ',' {
				return false
			}
			start = k + 1
		case '"', '\'', '`', '/':
			return false
		}
	}
	return false
}

// confirm makes the tentative edit i of a topVar live, with the opening of
// its value check (a VtopWrapClose edit).
func (s *scanner) confirm(i int) {
	s.edits[i].state = stLive
	if o := s.edits[i].open; o > 0 {
		s.edits[o-1].state = stLive
	}
}

// groupChain returns where the value ending before the `top` at j (after
// `name =`, the value starting at i) starts when it is one member chain
// whose object holds a group: (window || self)., (0, window)?.,
// Function('return this')()., [window][0]. — names, dots and balanced
// brackets only outside the groups, no keyword operator (typeof, new…);
// inside them anything but comments, regexes and templates ('/' and '`'
// give up). -1 otherwise (also for a plain dotted path: memberChain).
func (s *scanner) groupChain(i, j int) int {
	i = s.skipSpace(i)
	if j-i > 256 || i >= j {
		return -1
	}
	if b := s.src[i]; !(b == '(' || b == '[' || isIdentByte(b) && (b < '0' || b > '9')) {
		return -1
	}
	depth, groups, dot, operand := 0, 0, false, false
	for k := i; k < j; k++ {
		b := s.src[k]
		switch {
		case b == '/' || b == '`':
			return -1
		case b == '"' || b == '\'':
			for k++; k < j && s.src[k] != b; k++ {
				if s.src[k] == '\\' {
					k++
				}
			}
			if k >= j {
				return -1
			}
		case b == '(' || b == '[' || b == '{':
			if depth == 0 && b == '{' {
				return -1
			}
			if depth == 0 {
				groups++
			}
			depth++
		case b == ')' || b == ']' || b == '}':
			if depth == 0 {
				return -1
			}
			if depth--; depth == 0 {
				operand = true
			}
		case depth > 0:
		case isSpace(b):
			continue
		case b == '.':
			dot = true
			continue
		case b == '?' && k+1 < j && s.src[k+1] == '.':
			k++
			dot = true
			continue
		case isIdentByte(b):
			e := k
			for e < j && isIdentByte(s.src[e]) {
				e++
			}
			if !dot && (operand || chainKeywords[string(s.src[k:e])]) {
				return -1 // a b, (a) b: two operands (x = a \n f((w).top) is two statements)
			}
			k, operand = e-1, true
		default:
			return -1
		}
		dot = false
	}
	if depth != 0 || !dot || groups == 0 || !s.namesWindow(i, j) {
		return -1
	}
	return i
}

// namesWindow reports whether src[i:j] holds a window name as a word, or
// starts with Function( (Function('return this')(), the global object):
// a.getBoundingClientRect().top and $(el).offset().top are geometry.
func (s *scanner) namesWindow(i, j int) bool {
	if bytes.HasPrefix(s.src[i:j], []byte("Function")) && s.skipSpace(i+8) < j && s.src[s.skipSpace(i+8)] == '(' {
		return true
	}
	for k := i; k < j; {
		if !isIdentByte(s.src[k]) {
			k++
			continue
		}
		e := k
		for e < j && isIdentByte(s.src[e]) {
			e++
		}
		if (k == 0 || s.src[k-1] != '.') && isWindowName(s.src[k:e]) {
			return true
		}
		k = e
	}
	return false
}

// groupCompared handles a (top, its token a) on a group chain
// ((window || self).top, X = the chain before .top) compared (c) with X,
// X.self, self or window: the top is value-checked (live), as X is used as
// a window. It reports whether it did.
func (s *scanner) groupCompared(a, c *tok) bool {
	k := skipSpaceBack(s.src, a.start)
	if k == 0 || s.src[k-1] != '.' {
		return false
	}
	k--
	if k > 0 && s.src[k-1] == '?' {
		k--
	}
	// back over the chain: balanced groups, names and dots
	i := k
	for n := 0; n < 16; n++ {
		j := skipSpaceBack(s.src, i)
		if j == 0 {
			break
		}
		if b := s.src[j-1]; b == ')' || b == ']' {
			depth := 0
			for j--; j >= 0 && j > k-256; j-- {
				if b := s.src[j]; b == ')' || b == ']' {
					depth++
				} else if b == '(' || b == '[' {
					if depth--; depth == 0 {
						break
					}
				}
			}
			if j < 0 || depth != 0 {
				return false
			}
			i = j
			continue
		}
		e := j
		for j > 0 && isIdentByte(s.src[j-1]) {
			j--
		}
		if j == e {
			break
		}
		i = j
		if d := skipSpaceBack(s.src, j); d > 0 && (s.src[d-1] == '.' && (d < 2 || s.src[d-2] != '.')) {
			i = d - 1
			continue
		}
		break
	}
	if i = s.skipSpace(i); s.groupChain(i, a.start) != i {
		return false
	}
	obj := s.src[i:k]
	r := s.skipSpace(c.end)
	rest := s.src[r:]
	var m int
	switch {
	case bytes.HasPrefix(rest, obj):
		m = len(obj)
		if t := s.skipSpace(r + m); t < len(s.src) && s.src[t] == '.' && bytes.HasPrefix(s.src[s.skipSpace(t+1):], []byte("self")) {
			m = s.skipSpace(t+1) + 4 - r
		}
	case bytes.HasPrefix(rest, []byte("self")), bytes.HasPrefix(rest, []byte("window")):
		m = 4
		if rest[0] == 'w' {
			m = 6
		}
	default:
		return false
	}
	if e := r + m; e < len(s.src) && (isIdentByte(s.src[e]) || !s.operandEnd(e)) {
		return false
	}
	o := s.addEdit(i, i, replVtopOpen, CountAlias, stLive)
	e := s.addEdit(a.end, a.end, replVtopClose, "", stLive)
	s.edits[e].open = int32(o) + 1
	return true
}

// chainKeywords are words that cannot start or continue a member chain
// (an operator or a statement before the value).
var chainKeywords = map[string]bool{"typeof": true, "void": true, "delete": true, "new": true, "await": true, "yield": true,
	"in": true, "instanceof": true, "of": true, "return": true, "throw": true, "case": true}

// topVar returns the variable given an unconfirmed e.top named name, or nil.
func (s *scanner) topVar(name []byte) *topVar {
	for i := range s.topVars {
		if s.topVars[i].name == string(name) {
			return &s.topVars[i]
		}
	}
	return nil
}

// selfOf reports whether span names a variable given base.self
// (var s = w.self) where base has the text of obj.
func (s *scanner) selfOf(span, obj [2]int) bool {
	if len(s.selfVars) == 0 || span[0] < 0 || obj[0] < 0 {
		return false
	}
	name := s.span(span[0], span[1])
	for _, v := range s.selfVars {
		if v.name == string(name) && s.sameSpan(v.base, obj) {
			return true
		}
	}
	return false
}

// afterDot reports whether a '.' (white space allowed) ends src[:i].
func (s *scanner) afterDot(i int) bool {
	k := skipSpaceBack(s.src, i)
	return k > 0 && s.src[k-1] == '.'
}

// condArm reports whether the member chain ending at the `top` at j
// (after a `name =` ending at i), rooted at a window name, is an arm of the
// value: it follows a short,
// plain condition ending in `?`, `:`, `&&` or `||` (var t = frames.length ?
// frames[0].top : top, x306). The variable is confirmed later by its use as
// a window, as above.
func (s *scanner) condArm(i, j int) bool {
	if j-i > 200 || j <= i {
		return false
	}
	// back over the chain: names, dots, ?. and [...]
	k, depth := j-1, 0
back:
	for ; k > i; k-- {
		b := s.src[k]
		switch {
		case b == ']':
			depth++
		case b == '[':
			depth--
		case depth > 0, b == '.', isIdentByte(b):
		case b == '?' && k+1 < j && s.src[k+1] == '.':
		default:
			break back
		}
	}
	if depth != 0 || !s.memberChain(k+1, j) {
		return false
	}
	// the chain starts at a window: frames[0].top, win.top, an alias
	// (s.offset.top in jQuery UI's `s.isWindow ? … : s.offset.top` is not)
	r := s.skipSpace(k + 1)
	e := r
	for e < j && isIdentByte(s.src[e]) {
		e++
	}
	if root := s.src[r:e]; !isWindowName(root) && !windowLike(root) && !s.isWinAliasName(root) {
		return false
	}
	for k > i && isSpace(s.src[k]) {
		k--
	}
	switch b := s.src[k]; {
	case b == '?' || b == ':':
	case (b == '&' || b == '|') && k > i && s.src[k-1] == b:
	default:
		return false
	}
	// the condition is names, members and logic only: not arithmetic
	// (var top = rect.top + (o ? o.top : 0) is geometry)
	for _, b := range s.src[i:k] {
		if !isIdentByte(b) && !isSpace(b) && strings.IndexByte(".[]!?&|<>'\"", b) < 0 {
			return false
		}
	}
	return true
}

// memberChain reports whether src[i:j] is a member chain that ends with the
// dot before a property: names, dots and balanced [...]
// (window.frames[0].parent., wins[i].). Nothing outside the brackets but
// names, dots and white space, so no operator splits it. No calls:
// a.getBoundingClientRect().top and $(el).offset().top are geometry.
func (s *scanner) memberChain(i, j int) bool {
	i = s.skipSpace(i)
	if i >= j || !isIdentByte(s.src[i]) || s.src[i] >= '0' && s.src[i] <= '9' {
		return false
	}
	depth, dot := 0, false
	for k := i; k < j; k++ {
		b := s.src[k]
		switch {
		case b == '(' || b == ')':
			return false
		case b == '[':
			depth++
		case b == ']':
			if depth == 0 {
				return false
			}
			depth--
		case depth > 0:
		case isSpace(b):
			continue
		case b == '.':
			dot = true
			continue
		case b == '?' && k+1 < j && s.src[k+1] == '.':
		case !isIdentByte(b) && !isSpace(b):
			return false
		}
		dot = false
	}
	return depth == 0 && dot
}

// spaceOnly reports whether src[i:j] holds nothing but white space.
func (s *scanner) spaceOnly(i, j int) bool {
	for _, b := range s.src[i:j] {
		if b != ' ' && b != '\t' && b != '\n' && b != '\r' {
			return false
		}
	}
	return true
}

// sameSpan reports whether two source spans hold the same non-empty text.
func (s *scanner) sameSpan(a, b [2]int) bool {
	return a[0] >= 0 && b[0] >= 0 && a[1] > a[0] && bytes.Equal(s.span(a[0], a[1]), s.span(b[0], b[1]))
}

// jsURLString rewrites the code of a string literal that is a javascript:
// URL ('javascript:top.location = …' given to location.href, a.href,
// window.open): it runs as global code in this window when followed.
// Strings with the one-character escapes people write by hand (\", \',
// \\, \/, \n, \r, \t) are scanned as the code they hold; other escapes
// (\x, \u, line continuations) leave the string alone.
func (s *scanner) jsURLString(c *tok) {
	v := s.text(c)
	if len(v) < 13 {
		return
	}
	body := v[1 : len(v)-1]
	i := 0
	for i < len(body) && body[i] <= ' ' {
		i++
	}
	const scheme = "javascript:"
	if len(body)-i <= len(scheme) || body[i]|0x20 != 'j' || !bytes.EqualFold(body[i:i+len(scheme)], []byte(scheme)) {
		return
	}
	raw := body[i+len(scheme):]
	code, at, ok := unescapeSimple(raw)
	if !ok || !Mentions(code) {
		return
	}
	sub, err := scanKind(code, URL)
	if err != nil {
		return
	}
	off := c.start + 1 + i + len(scheme)
	for _, e := range sub.live {
		repl := e.repl
		if v[0] == '\'' && bytes.IndexByte(repl, '\'') >= 0 {
			repl = bytes.ReplaceAll(repl, []byte("'"), []byte(`"`)) // IevalKey inside '…'
		}
		if len(at) > 0 {
			// The replacement goes back into the literal: escape what
			// would end it or start an escape.
			var b []byte
			for _, ch := range repl {
				if ch == '\\' || ch == v[0] {
					b = append(b, '\\')
				}
				b = append(b, ch)
			}
			s.addEdit(off+at[e.start], off+at[e.end], b, e.key, stLive)
			continue
		}
		s.addEdit(off+e.start, off+e.end, repl, e.key, stLive)
	}
}

// unescapeSimple decodes a string literal's body that uses only
// one-character escapes. at maps each decoded offset (and the end) to its
// source offset; it is nil when the body has no escape (offsets match).
func unescapeSimple(raw []byte) (code []byte, at []int, ok bool) {
	if bytes.IndexByte(raw, '\\') < 0 {
		return raw, nil, true
	}
	code = make([]byte, 0, len(raw))
	at = make([]int, 0, len(raw)+1)
	for j := 0; j < len(raw); j++ {
		at = append(at, j)
		ch := raw[j]
		if ch == '\\' {
			if j+1 >= len(raw) {
				return nil, nil, false
			}
			j++
			switch raw[j] {
			case '"', '\'', '\\', '/', '`':
				ch = raw[j]
			case 'n':
				ch = '\n'
			case 'r':
				ch = '\r'
			case 't':
				ch = '\t'
			default:
				return nil, nil, false
			}
		}
		code = append(code, ch)
	}
	return code, append(at, len(raw)), true
}

// isWinAliasName reports whether name is a window alias (var w = self).
func (s *scanner) addWinAlias(name []byte) {
	s.winAliases = append(s.winAliases, string(name))
	s.aliasLens |= 1 << min(len(name), 63)
}

func (s *scanner) isWinAliasName(name []byte) bool {
	if s.aliasLens&(1<<min(len(name), 63)) == 0 {
		return false
	}
	for _, a := range s.winAliases {
		if string(name) == a {
			return true
		}
	}
	return false
}

// isWinAlias reports whether span names a window alias (var w = self).
func (s *scanner) isWinAlias(span [2]int) bool {
	if span[0] < 0 {
		return false
	}
	for _, a := range s.winAliases {
		if string(s.span(span[0], span[1])) == a {
			return true
		}
		// a private field given a window (#host = globalThis) read as
		// this.#host (x315): the name is the class's own
		if a[0] == '#' && privateOf(s.span(span[0], span[1]), a) {
			return true
		}
	}
	return false
}

// privateOf reports whether path is this.#name or this?.#name, or the same
// on a name (a static field read on its class: C.#name, x394).
func privateOf(path []byte, name string) bool {
	k := 0
	for k < len(path) && isIdentByte(path[k]) {
		k++
	}
	if k == 0 || path[0] >= '0' && path[0] <= '9' {
		return false
	}
	rest := bytes.TrimLeft(path[k:], " \t")
	if r, ok := bytes.CutPrefix(rest, []byte("?.")); ok {
		rest = r
	} else if r, ok := bytes.CutPrefix(rest, []byte(".")); ok {
		rest = r
	} else {
		return false
	}
	return string(bytes.TrimLeft(rest, " \t")) == name
}

// windowLike reports whether a name says it holds a window: AngularJS's
// injected $window, GWT's $wnd, win, wnd, iframe.contentWindow,
// document.defaultView, mainWindow, parent_window. Their .top is rewritten
// wherever it is read (var t = $window.top; t.location = …); on an
// ordinary object the Object.prototype fallback keeps x.top's meaning.
func windowLike(name []byte) bool {
	// Asked at most identifiers: the last-byte reject is inlined.
	return len(name) >= 3 && winLast[name[len(name)-1]] && windowLikeName(name)
}

// winLast: the last bytes of the names windowLikeName accepts.
var winLast = [256]bool{'w': true, 'W': true, 'n': true, 'd': true}

func windowLikeName(name []byte) bool {
	// Every such name ends in one of these three bytes (the leading $ and _
	// trimmed below never reach them): a cheap reject for a bundle's
	// identifiers, most of which end in n or d (function, length, extend).
	switch string(name[len(name)-3:]) {
	case "dow", "DOW", "win", "Win", "wnd", "Wnd", "ind", "iew":
	default:
		return false
	}
	n := string(bytes.TrimLeft(name, "$_"))
	switch n {
	case "window", "win", "wnd", "wind", "Window", "Win", "Wnd", "defaultView":
		return true
	}
	if len(n) > 3 {
		for _, suf := range [...]string{"Window", "Win", "Wnd", "_window", "_win", "_wnd", "_WINDOW"} {
			if len(n) > len(suf) && n[len(n)-len(suf):] == suf {
				return true
			}
		}
	}
	return false
}

// aliasCandidate handles `.top` (token c, after the dot p) on an object that
// is not known to be a window.
func (s *scanner) aliasCandidate(p, c, n *tok) {
	obj := [2]int{-1, -1}
	if s.pathStart >= 0 && s.spaceOnly(s.pathEnd, p.start) {
		obj = [2]int{s.pathStart, s.pathEnd}
	}
	if s.opnd && (s.opndWin || s.sameSpan(s.opndL, obj)) || s.isWinAlias(obj) {
		s.lastTopEdit = s.addEdit(c.start, c.end, replAccessor, CountAlias, stLive)
		return
	}
	if s.opnd && s.opndL[0] >= 0 && s.operandEnd(c.end) && s.keepRealTop(s.opndL[1]) {
		// window.top === e.source.top: both sides read the real top
		return
	}
	if s.getterReturn(p, c) {
		// Ordinary geometry code says `return rect.top` too, also on an
		// object without a prototype (Object.groupBy, x471): value-checked.
		if s.vtopRead(p.start, c.end, n, CountAlias) || s.thisRead(p, c, n) {
			return
		}
		// Not a plain path (return w[0].top): the key falls back to top
		// where the shim does not run (a worker's importScripts, a page
		// passed through untouched).
		start := p.start
		if p.tt == js.OptChainToken {
			start = c.start
		}
		s.lastTopEdit = s.addEdit(start, c.end, replTopDot, CountAlias, stLive)
		return
	}
	s.alias, s.aliasObj, s.aliasEnd, s.aliasRepl = *c, obj, c.end, replAccessor
}

// nameBefore returns the identifier that ends before the '[' at i (white
// space and ?. allowed), or nil.
func (s *scanner) nameBefore(i int) []byte {
	k := skipSpaceBack(s.src, i)
	if k >= 2 && s.src[k-1] == '.' && s.src[k-2] == '?' {
		k = skipSpaceBack(s.src, k-2)
	}
	j := k
	for j > 0 && isIdentByte(s.src[j-1]) {
		j--
	}
	return s.src[j:k]
}

// keywordBefore reports whether src[:i] ends with a keyword other than
// this or super: a '[' after it opens an array literal (return ['top']).
func (s *scanner) keywordBefore(i int) bool {
	j := i
	for j > 0 && isIdentByte(s.src[j-1]) {
		j--
	}
	if j > 0 && s.src[j-1] == '.' || j == i {
		return false // o.return['top'] is a member
	}
	w := string(s.src[j:i])
	_, kw := js.Keywords[w]
	return kw && w != "this" && w != "super"
}

// bracketKey handles a string key e['name'] (c, after the '[' p) on an
// object not known to be a window, as the dotted e.name (Closure's
// exported names, terser's keep_quoted, TypeScript index signatures):
// e['top'] is an alias candidate (decided at its ']'), t['location'] on a
// variable given an unconfirmed e.top or e['top'] confirms it.
func (s *scanner) bracketKey(p, c *tok) {
	v := s.text(c)
	if len(v) < 5 || bytes.IndexByte(v, '\\') >= 0 {
		return
	}
	key := v[1 : len(v)-1]
	if string(key) == "location" {
		// X['location'] as X.location (pass 32, x995)
		k := skipSpaceBack(s.src, p.start)
		at := p.start
		if k >= 2 && s.src[k-1] == '.' && s.src[k-2] == '?' {
			at = k - 2
			k = skipSpaceBack(s.src, k-2)
		}
		// live at once: inside the brackets, vtopReadPath would take them
		// for an array literal's (a destructuring target's) and wait
		if s.pathStart >= 0 && s.pathEnd == k && !s.keywordBefore(k) && !s.pathKnown() && s.pathPre != js.NewToken &&
			s.pathGap(s.pathEnd, at) && bytes.IndexByte(s.src[s.pathStart:at], '?') < 0 {
			s.wrapRecv(s.pathStart, s.pathEnd, s.pathNoWrap)
		}
	}
	if string(key) != "top" && (len(s.topVars) == 0 || !aliasProp(key)) {
		return
	}
	k := skipSpaceBack(s.src, p.start)
	if k >= 2 && s.src[k-1] == '.' && s.src[k-2] == '?' {
		k = skipSpaceBack(s.src, k-2) // e?.['top']
	}
	if s.pathStart < 0 || s.pathEnd != k {
		return
	}
	obj := [2]int{s.pathStart, s.pathEnd}
	if s.keywordBefore(k) {
		return // return ['top'], in ['top']: an array literal
	}
	if string(key) != "top" {
		last := s.lastName
		if last[1] == k {
			for _, tv := range s.topVars {
				if tv.name == string(s.span(last[0], last[1])) {
					s.confirm(tv.edit)
				}
			}
		}
		return
	}
	if s.opnd && (s.opndWin || s.sameSpan(s.opndL, obj)) {
		// self !== e['top'], e === e['top']
		repl := replDouble
		if v[0] == '\'' {
			repl = replSingle
		}
		s.lastTopEdit = s.addEdit(c.start, c.end, repl, CountAlias, stLive)
		return
	}
	s.bracketTop, s.bracketTopObj = *c, obj
}

// getterReturn reports whether `.top` (token c after the dot p) ends a
// function's last statement `return a.top` (a path, not `this` alone):
// Closure's property getters (function Ga(a){return a.top}), getTop(w)
// helpers and class getters (get root() { return this.w.top }) hand a
// window's top to callers the rewriter cannot follow. Safe on ordinary
// objects (the Object.prototype fallback); `this.top` alone is left, as a
// framework's instance proxy (Vue) may not forward to the prototype.
func (s *scanner) getterReturn(p, c *tok) bool {
	if len(s.scopes) < 2 || !s.scopes[len(s.scopes)-1].fn {
		return false
	}
	if sc := s.scopes[len(s.scopes)-1]; sc.arrow && sc.arrowDepth >= 0 {
		return sc.arrowDepth == len(s.groups) && s.arrowGetter(p, c)
	}
	if g := s.top(); g == nil || g.kind != gBlock {
		return false
	}
	j := s.skipSpace(c.end)
	if j+1 < len(s.src) && (s.src[j] == '|' && s.src[j+1] == '|' || s.src[j] == '?' && s.src[j+1] == '?' || s.src[j] == ':') {
		// a fallback: return w.top || w, return w ? w.top : window
		if s.src[j] == ':' {
			j--
		}
		j = s.skipSpace(j + 2)
		k := j
		for k < len(s.src) && (isIdentByte(s.src[k]) || s.src[k] == '.') {
			k++
		}
		if k == j {
			return false
		}
		j = s.skipSpace(k)
	}
	if j < len(s.src) && s.src[j] == ';' {
		j = s.skipSpace(j + 1)
	}
	if j >= len(s.src) || s.src[j] != '}' {
		return false
	}
	i := p.start
	for i > 0 && (isIdentByte(s.src[i-1]) || s.src[i-1] == '.' || s.src[i-1] == ' ' || s.src[i-1] == '\t' || s.src[i-1] == '?') {
		i--
	}
	path := bytes.TrimSpace(s.src[i:p.start])
	obj, ok := bytes.CutPrefix(path, []byte("return"))
	if !ok || len(obj) == len(bytes.TrimLeft(obj, " \t")) {
		return false // not `return x`, or returnx.top
	}
	obj = bytes.TrimLeft(obj, " \t")
	return len(obj) > 0 && obj[0] != '.' && obj[0] != '?' && string(bytes.TrimRight(obj, " \t?")) != "this"
}

// arrowGetter reports whether `.top` (token c after the dot p) is the whole
// expression body of an arrow, `w => w.top` (esbuild/terser getters,
// const o=e=>e.top): the getter of a function's last `return a.top`, in
// its concise form. Not `this.top` alone, not inside a longer expression,
// and not an arrow passed to a call or held in an array: callbacks such as
// rects.map(r => r.top) are geometry.
func (s *scanner) arrowGetter(p, c *tok) bool {
	if g := s.top(); g != nil && (g.kind == gBracket || g.kind == gParen &&
		(js.IsIdentifierName(g.pre) || g.pre == js.CloseParenToken || g.pre == js.CloseBracketToken || g.pre == js.TemplateEndToken)) &&
		!(g.kind == gParen && js.IsIdentifierName(g.pre) && s.windowListCall(int(g.open))) {
		return false
	}
	if j := s.skipSpace(c.end); j < len(s.src) && bytes.IndexByte([]byte(",;)}]"), s.src[j]) < 0 {
		return false
	}
	i := p.start
	for i > 0 && (isIdentByte(s.src[i-1]) || s.src[i-1] == '.' || s.src[i-1] == '?' || s.src[i-1] == ' ' || s.src[i-1] == '\t') {
		i--
	}
	obj := bytes.Trim(s.src[i:p.start], " \t")
	if len(obj) == 0 || obj[0] == '.' || obj[0] == '?' || string(bytes.TrimRight(obj, "?")) == "this" || i < 2 || string(s.src[i-2:i]) != "=>" {
		return false
	}
	for _, b := range obj {
		if b == ' ' || b == '\t' {
			return false // two expressions (e => a b.top is no arrow body)
		}
	}
	return true
}

// bareName handles an identifier that is not a property name and names a
// tracked name (bit): it records declarations, and rewrites references to
// top and eval.
func (s *scanner) bareName(p, c, n *tok, bit uint8) {
	switch p.tt {
	case js.BreakToken, js.ContinueToken, js.ClassToken:
		return // label, class name
	}
	if s.importMode {
		if n.tt != js.AsToken {
			s.scopes[0].declares |= bit
		}
		return
	}
	g := s.top()
	if g != nil && g.kind == gExport {
		return
	}
	if bit == bTop && g != nil && g.kind == gObject && (p.tt == js.OpenBraceToken || p.tt == js.CommaToken) && !s.inDeclPattern(g) && len(s.patTop) < 64 {
		// A key of what may be a pattern: decided when the group closes.
		var repl []byte
		switch n.tt {
		case js.ColonToken:
			repl = replAccessor
		case js.CommaToken, js.CloseBraceToken, js.EqToken:
			repl = replPattern
		}
		if repl != nil {
			s.patTop = append(s.patTop, patKey{depth: len(s.groups) - 1, start: c.start, end: c.end, after: len(s.edits), repl: repl})
		}
	}
	if n.tt == js.ColonToken && p.tt != js.CaseToken && *s.q() == 0 {
		if bit == bTop && (s.inDeclPattern(g) || s.nestedWinPattern()) && (p.tt == js.OpenBraceToken || p.tt == js.CommaToken) {
			s.patKeys = append(s.patKeys, s.addEdit(c.start, c.end, replAccessor, CountPattern, stTentative))
		}
		return // object key or label
	}
	if g != nil && g.kind == gClass {
		switch p.tt {
		case js.OpenBraceToken, js.SemicolonToken, js.CloseBraceToken, js.StaticToken, js.GetToken, js.SetToken, js.AsyncToken, js.MulToken:
			return // class member name
		}
	}
	shorthand := false
	if g != nil && g.kind == gObject {
		afterSep := p.tt == js.OpenBraceToken || p.tt == js.CommaToken
		if n.tt == js.OpenParenToken && (afterSep || p.tt == js.GetToken || p.tt == js.SetToken || p.tt == js.AsyncToken || p.tt == js.MulToken) {
			return // method name
		}
		shorthand = afterSep && (n.tt == js.CommaToken || n.tt == js.CloseBraceToken || n.tt == js.EqToken)
	}
	bindingPrev := bindingPrev(p.tt)
	if s.declKind != 0 && !s.declInit && bindingPrev &&
		(len(s.groups) > s.declDepth || p.tt == js.VarToken || p.tt == js.LetToken || p.tt == js.ConstToken || p.tt == js.CommaToken) {
		s.declare(bit, s.declKind == js.VarToken)
		if bit == bTop && shorthand && (s.inDeclPattern(g) || s.nestedWinPattern()) {
			s.patKeys = append(s.patKeys, s.addEdit(c.start, c.end, replPattern, CountPattern, stTentative))
		}
		return
	}
	if bindingPrev {
		switch n.tt {
		case js.CommaToken, js.CloseParenToken, js.CloseBraceToken, js.CloseBracketToken, js.EqToken:
			for i := len(s.groups) - 1; i >= 0; i-- {
				k := s.groups[i].kind
				if k == gObject || k == gBracket {
					continue
				}
				if k == gParenFunc {
					s.scopes[len(s.scopes)-1].declares |= bit
					return
				}
				if k <= gParenMaybe && k != gParenCtl {
					// A parameter or a reference: decided when the
					// parenthesis closes.
					e := -1
					switch bit {
					case bTop:
						if repl, key := s.topRepl(p, n, shorthand); repl != nil {
							e = s.addEdit(c.start, c.end, repl, key, stTentative)
							s.edits[e].bit = bTop
							s.vtopLit(e)
						}
					case bEval:
						e = s.bareEval(p, c, n, shorthand, true)
					}
					if e < 0 {
						// A probe: declares the name if this is a
						// parameter list, never rewrites.
						e = s.addEdit(c.start, c.start, nil, "", stTentative)
						s.edits[e].bit = bit
					}
					s.deferred = append(s.deferred, e)
					return
				}
				break
			}
		}
	}
	switch bit {
	case bTop:
		s.lastTopEdit = s.ref(p, c, n, shorthand)
	case bEval:
		s.bareEval(p, c, n, shorthand, false)
	}
}

// bindingPrev reports whether a binding name can follow token tt.
func bindingPrev(tt js.TokenType) bool {
	switch tt {
	case js.OpenParenToken, js.OpenBraceToken, js.OpenBracketToken, js.CommaToken, js.EllipsisToken, js.ColonToken,
		js.VarToken, js.LetToken, js.ConstToken:
		return true
	}
	return false
}

// bareEval rewrites a reference to the global eval that is not a direct
// call (c, between p and n) to IevalRef; deferred: a tentative edit that
// resolveParen decides. It returns the edit, or -1.
func (s *scanner) bareEval(p, c, n *tok, shorthand, deferred bool) int {
	switch p.tt {
	case js.IncrToken, js.DecrToken, js.DeleteToken:
		return -1 // ++eval, and a++\neval is too rare to tell apart
	}
	if n.tt == js.OpenParenToken {
		return -1 // a direct eval keeps its local scope (the code wrapper)
	}
	repl := replIeval
	switch {
	case shorthand:
		repl = replIevalShort
	case c.nl && s.endsValue(p):
		// ASI ended the statement before eval: "a = b\n(…)" would call b.
		repl = replIevalSemi
	}
	i := s.ieval(c.start, c.end, repl, bEval, n, deferred)
	s.lastIeval = i
	return i
}

// endsValue reports whether token p (before the current one) can end an
// expression statement.
func (s *scanner) endsValue(p *tok) bool {
	switch p.tt {
	case js.IdentifierToken, js.StringToken, js.TemplateToken, js.TemplateEndToken, js.RegExpToken,
		js.ThisToken, js.NullToken, js.TrueToken, js.FalseToken, js.SuperToken,
		js.CloseBracketToken, js.CloseBraceToken:
		return true // after a block's '}' the ';' is an empty statement
	case js.CloseParenToken:
		return s.closedKind != gParenCtl // if (x)\n… : the body follows
	}
	return js.IsNumeric(p.tt)
}

// isWrite reports whether a reference followed by n is assigned to (or is
// the target of a for-in/of head).
func isWrite(n *tok) bool {
	switch n.tt {
	case js.EqToken, js.AddEqToken, js.SubEqToken, js.MulEqToken, js.DivEqToken, js.ModEqToken, js.ExpEqToken,
		js.LtLtEqToken, js.GtGtEqToken, js.GtGtGtEqToken, js.BitAndEqToken, js.BitOrEqToken, js.BitXorEqToken,
		js.AndEqToken, js.OrEqToken, js.NullishEqToken, js.IncrToken, js.DecrToken, js.InToken, js.OfToken:
		return true
	}
	return false
}

// ieval adds an indirect-eval edit of src[start:end] followed by n, unless
// it is written to. bit is the tracked name a local declaration of which
// makes it a local (0: none). Inside array or object literals it waits for
// the outermost literal to close (a destructuring target stays);
// deferred edits wait for resolveParen, which puts them in pending.
func (s *scanner) ieval(start, end int, repl []byte, bit uint8, n *tok, deferred bool) int {
	if isWrite(n) {
		return -1
	}
	depth := s.litDepth()
	st := stLive
	if depth >= 0 || deferred {
		st = stTentative
	}
	e := s.addEdit(start, end, repl, CountIeval, st)
	s.edits[e].bit = bit
	if depth >= 0 {
		s.litEdits = append(s.litEdits, litEdit{edit: e, depth: depth})
	}
	if bit != 0 && !deferred {
		s.pending = append(s.pending, e)
	}
	return e
}

// litDepth returns the index of the outermost of the array or object
// literals the scanner is directly in, or -1.
func (s *scanner) litDepth() int {
	depth := -1
	for i := len(s.groups) - 1; i >= 0 && (s.groups[i].kind == gObject || s.groups[i].kind == gBracket); i-- {
		depth = i
	}
	return depth
}

// decideLiteral runs when the array or object literal g closed (n
// follows): its eval edits are dropped when it is a destructuring target
// (also a nested one: [[eval] = a]), kept when it is the outermost literal
// and is not, left for the enclosing literal otherwise.
func (s *scanner) decideLiteral(g *group, n *tok) {
	pattern := n.tt == js.EqToken || n.tt == js.InToken || n.tt == js.OfToken
	keep := s.litEdits[:g.litMark]
	for _, l := range s.litEdits[g.litMark:] {
		e := &s.edits[l.edit]
		switch {
		case pattern && l.top:
			if r := e.repl; &r[0] == &replVtopShort[0] || &r[0] == &replVtop[0] || &r[0] == &replVtopNew[0] {
				s.vtopTarget(e)
			}
		case pattern:
			if e.state == stTentative {
				e.state = stDead
			}
		case l.top && l.depth >= len(s.groups):
			// a value: the reference keeps its call
		case l.depth >= len(s.groups):
			if e.state == stTentative {
				e.state = stLive
			}
		default:
			keep = append(keep, l)
		}
	}
	s.litEdits = keep
}

// ancestorsPattern handles ancestorOrigins as a key of a declaration's
// object pattern: const {ancestorOrigins} = location reads the accessor
// (const {__crmframe_ancestorOrigins: ancestorOrigins} = location). Safe for
// any value: on other objects the Object.prototype fallback reads the
// property itself.
func (s *scanner) ancestorsPattern(p, c, n *tok) {
	if !s.inDeclPattern(s.top()) || (p.tt != js.OpenBraceToken && p.tt != js.CommaToken) {
		return
	}
	switch n.tt {
	case js.ColonToken:
		s.addEdit(c.start, c.end, replAncestors, CountAncestors, stLive)
	case js.CommaToken, js.CloseBraceToken, js.EqToken:
		s.addEdit(c.start, c.end, replAncestorsPat, CountAncestors, stLive)
	}
}

// bareAncestors handles a bare ancestorOrigins read in a script that has
// a with statement: with (location) { if (ancestorOrigins.length) … }
// (x437) reads location's own property. The accessor resolves through the
// same scope chain (the Object.prototype fallback answers on the with
// object). Not a key, a label, an arrow parameter, an assignment target, a
// name in an object literal, nor anything once the script declares a
// variable of that name (then it may be that variable).
func (s *scanner) bareAncestors(p, c, n *tok) {
	switch {
	case p.tt == js.VarToken || p.tt == js.LetToken || p.tt == js.ConstToken || p.tt == js.FunctionToken || p.tt == js.ClassToken ||
		s.inDeclPattern(s.top()):
		s.aoDeclared = true
		return
	case !s.sawWith || s.aoDeclared || p.tt == js.DotToken || p.tt == js.OptChainToken:
		return
	case n.tt == js.ColonToken || n.tt == js.ArrowToken || n.tt == js.EqToken:
		return
	}
	if g := s.top(); g != nil && (g.kind == gObject || g.kind == gClass) {
		return
	}
	s.addEdit(c.start, c.end, replAncestors, CountAncestors, stLive)
}

// inDeclPattern reports whether group g is the object pattern of a
// declaration itself (const {…} = x), not a nested one.
func (s *scanner) inDeclPattern(g *group) bool {
	return g != nil && g.kind == gObject && s.declKind != 0 && !s.declInit && len(s.groups) == s.declDepth+1
}

// decidePattern runs at the '=' of a declaration: the keys named top of an
// object pattern just before it read the virtual top when the value is a
// window (const {top, self} = window), and are left alone otherwise.
func (s *scanner) decidePattern(p, n *tok) {
	if len(s.patKeys) == 0 {
		return
	}
	st := stDead
	if p.tt == js.CloseBraceToken && (s.windowValue(n) || s.lastObjWin) {
		st = stLive
	}
	for _, i := range s.patKeys {
		// const {top: t} = n.g: t stays a candidate, confirmed as var t =
		// e.top is, when the script uses t as a window (x458)
		if name := s.patBinding(s.edits[i].end); st == stDead && name != nil && bytes.Equal(s.edits[i].repl, replAccessor) && len(s.topVars) < 32 {
			s.topVars = append(s.topVars, topVar{string(name), i, [2]int{-1, -1}})
			continue
		}
		s.edits[i].state = st
	}
	s.patKeys = s.patKeys[:0]
}

// patBinding returns the name bound by the pattern key ending at i
// (`top: t` followed by ',', '}' or a default '='), or nil.
func (s *scanner) patBinding(i int) []byte {
	k := s.skipSpace(i)
	if k >= len(s.src) || s.src[k] != ':' {
		return nil
	}
	k = s.skipSpace(k + 1)
	j := k
	for j < len(s.src) && isIdentByte(s.src[j]) {
		j++
	}
	if e := s.skipSpace(j); j == k || e >= len(s.src) || (s.src[e] != ',' && s.src[e] != '}' && s.src[e] != '=') {
		return nil
	}
	return s.src[k:j]
}

// nestedWinPattern reports whether the innermost group is an object
// pattern nested in a declaration's object pattern only through keys
// naming a window: const {self: {top: t}} = globalThis (x457). Its top
// keys are then decided with the outer pattern's value.
func (s *scanner) nestedWinPattern() bool {
	if s.declKind == 0 || s.declInit || len(s.groups) <= s.declDepth+1 || s.groups[s.declDepth].kind != gObject {
		return false
	}
	for _, g := range s.groups[s.declDepth+1:] {
		if !s.winKeyed(&g) {
			return false
		}
	}
	return true
}

// winKeyed reports whether object group g is the value of a key naming a
// window ({self: g}, {frames: g}).
func (s *scanner) winKeyed(g *group) bool {
	if g.kind != gObject || g.pre != js.ColonToken {
		return false
	}
	k := skipSpaceBack(s.src, int(g.open))
	if k == 0 || s.src[k-1] != ':' {
		return false
	}
	k = skipSpaceBack(s.src, k-1)
	j := k
	for j > 0 && isIdentByte(s.src[j-1]) {
		j--
	}
	return isWindowName(s.src[j:k])
}

// decideOfPattern is decidePattern for the pattern of a for…of head (c is
// `of`): its top keys read the virtual top when the pattern has a key only
// a window has, or when the list is an array literal holding a window.
func (s *scanner) decideOfPattern(p, c *tok) {
	if len(s.patKeys) == 0 {
		return
	}
	st := stDead
	if p.tt == js.CloseBraceToken && (s.lastObjWin || s.windowList(s.skipSpace(c.end))) {
		st = stLive
	}
	for _, i := range s.patKeys {
		s.edits[i].state = st
	}
	s.patKeys = s.patKeys[:0]
}

// windowList reports whether src[i:] starts an array literal one of whose
// elements is a window name or alias ([window], [self, parent]). Only
// plain names and white space are looked at; anything else says no.
func (s *scanner) windowList(i int) bool {
	if i >= len(s.src) || s.src[i] != '[' {
		return false
	}
	for k := i + 1; k < len(s.src) && k < i+256; {
		k = s.skipSpace(k)
		j := k
		for j < len(s.src) && isIdentByte(s.src[j]) {
			j++
		}
		if j == k {
			return false
		}
		if s.windowNamed(s.src[k:j]) {
			return true
		}
		k = s.skipSpace(j)
		if k >= len(s.src) || s.src[k] != ',' {
			return false
		}
		k++
	}
	return false
}

// windowListCall reports whether the '(' at open is a method call on an
// array literal holding a window: [window].map(, [self, parent].find(.
func (s *scanner) windowListCall(open int) bool {
	k := skipSpaceBack(s.src, open)
	j := k
	for j > 0 && isIdentByte(s.src[j-1]) {
		j--
	}
	if j == k {
		return false
	}
	j = skipSpaceBack(s.src, j)
	if j == 0 || s.src[j-1] != '.' {
		return false
	}
	return s.listBefore(j - 1)
}

// listBefore reports whether the array literal `[…]` whose ']' ends src[:i]
// (white space allowed) holds a window ([window].map(w => w.top)).
func (s *scanner) listBefore(i int) bool {
	k := skipSpaceBack(s.src, i)
	if k == 0 || s.src[k-1] != ']' {
		return false
	}
	for j := k - 2; j >= 0 && j > k-256; j-- {
		switch s.src[j] {
		case '[':
			return s.windowList(j)
		case ']', '(', ')', '{', '}', '"', '\'', '`':
			return false
		}
	}
	return false
}

// decideObjPattern decides the top keys of object group g, just closed (n
// follows), that is not a declaration pattern. When it is a pattern with a
// key only a window has and no rest element (a rest would then also hold
// top), the key reads the accessor: ({top: t, self: s} = window),
// function f({top, self, location}) {…} f(window). Safe on other values:
// the Object.prototype fallback reads their own top. A pattern is an object
// group followed by '=', or in a parameter list: directly in function f(…),
// or in a parenthesis decided by resolveParen (arrow, method, catch).
func (s *scanner) decideObjPattern(g *group, n *tok) {
	depth := len(s.groups)
	i := len(s.patTop)
	for i > 0 && s.patTop[i-1].depth >= depth {
		i--
	}
	keys := s.patTop[i:]
	var outer *group
	if depth > 0 {
		outer = &s.groups[depth-1]
	}
	if outer != nil && outer.kind == gObject && s.winKeyed(g) && (s.declKind == 0 || s.declInit || depth <= s.declDepth) {
		// ({self: {top: t}} = window): the keys go with the outer
		// pattern's value (x467; a declaration's are patKeys)
		for j := range keys {
			if keys[j].depth == depth {
				keys[j].depth = depth - 1
			}
		}
		return
	}
	s.patTop = s.patTop[:i]
	// In a parameter list only an element is a pattern, not a default
	// value: f({top, self}), not f(a = {top: 1, self: w}).
	elem := g.pre == js.OpenParenToken || g.pre == js.CommaToken
	// ({top: t} = window): the value itself is a window, as in a
	// declaration (const {top: t} = window), whatever the other keys.
	winValue := n.tt == js.EqToken && s.windowValueAt(n.end)
	for _, k := range keys {
		if k.depth != depth || (!g.winKey || g.rest) && !winValue {
			continue // nested groups' keys were decided already; literals stay
		}
		switch {
		case n.tt == js.EqToken:
			s.livePattern(s.patEdit(k))
		case outer == nil || !elem || (n.tt != js.CommaToken && n.tt != js.CloseParenToken):
		case outer.kind == gParenFunc:
			s.livePattern(s.patEdit(k))
		case outer.kind <= gParenMaybe && outer.kind != gParenCtl:
			e := s.patEdit(k)
			s.edits[e].pat = true
			s.deferred = append(s.deferred, e)
		}
	}
}

// decideComputedKeys runs when an object group closed (n follows): the
// key wrappers of its computed keys go live when it is a pattern whose
// value is a window (const {[k]: t} = window, ({[k]: t} = self)), so that
// the key "top" reads the virtual top; an object literal keeps its keys.
func (s *scanner) decideComputedKeys(n *tok) {
	depth := len(s.groups)
	i := len(s.patComputed)
	for i > 0 && s.patComputed[i-1].depth >= depth {
		i--
	}
	if n.tt == js.EqToken && s.windowValueAt(n.end) {
		for _, k := range s.patComputed[i:] {
			if k.depth == depth {
				s.edits[k.open].state = stLive
				s.edits[k.close].state = stLive
			}
		}
	}
	s.patComputed = s.patComputed[:i]
}

// patEdit makes the tentative edit of pattern key k.
func (s *scanner) patEdit(k patKey) int {
	e := s.addEdit(k.start, k.end, k.repl, CountPattern, stTentative)
	s.patAfter = append(s.patAfter, [2]int{e, k.after})
	return e
}

// livePattern makes the pattern key edit e (made by patEdit) live; the
// shorthand edit of the same `top` (an object literal's {top}) goes.
func (s *scanner) livePattern(e int) {
	s.edits[e].state = stLive
	after := -1
	for _, pa := range s.patAfter {
		if pa[0] == e {
			after = pa[1]
		}
	}
	for j := after; j >= 0 && j < len(s.edits) && j < after+4; j++ {
		if j != e && s.edits[j].start == s.edits[e].start && s.edits[j].repl != nil {
			s.edits[j].state = stDead
		}
	}
}

// windowValue reports whether the expression starting at n (after '=') is a
// window itself: window, self, parent, frames, globalThis, top, a window
// alias or window-like name ($window), or this at the top level of a
// classic script; not window.x, window[...], window(...).
func (s *scanner) windowValue(n *tok) bool {
	if !(n.tt == js.IdentifierToken && s.windowNamed(s.name(n)) ||
		n.tt == js.ThisToken && s.fnBody == 0 && (s.kind == Classic || s.kind == URL)) {
		return false
	}
	return s.valueEndsAt(n.end)
}

// windowCopy reports whether the value starting at token n is an object
// literal that only spreads a window ({...window}, {...self, a: 1}: a
// snapshot of the global object, x430) or document.defaultView (x442),
// a value that goes no further.
func (s *scanner) windowCopy(n *tok) bool {
	i := s.skipSpace(n.end)
	switch {
	case n.tt == js.OpenBraceToken:
		if !bytes.HasPrefix(s.src[i:], []byte("...")) {
			return false
		}
		i = s.skipSpace(i + 3)
		j := i
		for j < len(s.src) && isIdentByte(s.src[j]) {
			j++
		}
		if j == i || !isWindowName(s.src[i:j]) {
			return false
		}
		j = s.skipSpace(j)
		return j < len(s.src) && (s.src[j] == '}' || s.src[j] == ',')
	case n.tt == js.IdentifierToken && string(s.name(n)) == "document":
		if i >= len(s.src) || s.src[i] != '.' {
			return false
		}
		i = s.skipSpace(i + 1)
		return bytes.HasPrefix(s.src[i:], []byte("defaultView")) && s.valueEndsAt(i+len("defaultView")) &&
			(i+len("defaultView") == len(s.src) || !isIdentByte(s.src[i+len("defaultView")]))
	}
	return false
}

// isCopyAlias reports whether name is one of copyAliases.
func (s *scanner) isCopyAlias(name []byte) bool {
	for _, a := range s.copyAliases {
		if string(name) == a {
			return true
		}
	}
	return false
}

// windowNamed reports whether name is a window name, a window alias of
// this script or a name that says it is a window ($window, mainWin…).
func (s *scanner) windowNamed(name []byte) bool {
	return isWindowName(name) || windowLike(name) || s.isWinAliasName(name)
}

// valueEndsAt reports whether an expression that ended before src[i]
// (white space first) goes no further: no member access, call, optional
// chain or tagged template.
func (s *scanner) valueEndsAt(i int) bool {
	i = s.skipSpace(i)
	return i >= len(s.src) || bytes.IndexByte([]byte(".[(?`"), s.src[i]) < 0
}

// windowValueAt is windowValue for the expression starting at src[i:] (white
// space first), when its token is not at hand: a window name, window alias
// or window-like name not followed by '.', '[', '(', '?' or a backtick.
func (s *scanner) windowValueAt(i int) bool {
	i = s.skipSpace(i)
	j := i
	for j < len(s.src) && isIdentByte(s.src[j]) {
		j++
	}
	if j == i || s.src[i] >= '0' && s.src[i] <= '9' {
		return false
	}
	return s.windowNamed(s.src[i:j]) && s.valueEndsAt(j)
}

// resolveParen decides, from the token after a closing parenthesis, whether
// the group was a parameter list (arrow, method, catch clause) whose
// binding-like tops are parameters, or an expression whose tops are
// references.
func (s *scanner) resolveParen(c *tok) {
	s.hasClosed = false
	deferred := s.deferred[s.closedDefStart:]
	s.deferred = s.deferred[:s.closedDefStart]
	switch {
	case c.tt == js.ArrowToken:
		s.pushScope(true, true)
		for _, e := range deferred {
			if s.edits[e].pat {
				s.livePattern(e)
				continue
			}
			s.edits[e].state = stDead
			s.scopes[len(s.scopes)-1].declares |= s.edits[e].bit
		}
	case c.tt == js.OpenBraceToken && (s.closedKind == gParenMaybe || s.closedKind == gParenCatch):
		if s.closedEval[0] >= 0 {
			s.edits[s.closedEval[0]].state = stDead // a method named eval
			s.edits[s.closedEval[1]].state = stDead
		}
		s.pushScope(s.closedKind == gParenMaybe, false)
		for _, e := range deferred {
			if s.edits[e].pat {
				s.livePattern(e)
				continue
			}
			s.edits[e].state = stDead
			s.scopes[len(s.scopes)-1].declares |= s.edits[e].bit
		}
		s.nextBody = 1
	default:
		pre := s.closedPre
		written := pre == js.IncrToken || pre == js.DecrToken || pre == js.DeleteToken || isWrite(c)
		for _, e := range deferred {
			ed := &s.edits[e]
			// Probes only declare; an eval edit may be dead already (a
			// destructuring target, (0, eval)(…)). A pattern key of an
			// object literal argument stays a key.
			if ed.repl == nil || ed.state == stDead || ed.pat {
				continue
			}
			if ed.bit == bTop && (&ed.repl[0] == &replVtop[0] || &ed.repl[0] == &replVtopNew[0]) {
				if written {
					s.vtopTarget(ed) // (top) = v: a call cannot be assigned to
					if ed.state == stDead {
						continue
					}
				} else if c.tt == js.CloseParenToken && len(s.groups) > 0 && s.groups[len(s.groups)-1].kind <= gParenMaybe {
					s.deferred = append(s.deferred, e) // ((top)) = v: the outer parenthesis decides
					continue
				} else {
					s.vtopLit(e) // [(top)] = a
				}
			}
			if ed.bit == bEval {
				if written {
					ed.state = stDead // (eval) = f, ++(eval), for ((eval) in o)
					continue
				}
				if c.tt == js.CloseParenToken && len(s.groups) > 0 && s.groups[len(s.groups)-1].kind <= gParenMaybe {
					// ((eval)) = f: the outer parenthesis decides. (The
					// append only overwrites entries of deferred already read.)
					s.deferred = append(s.deferred, e)
					continue
				}
				if d := s.litDepth(); d >= 0 {
					s.litEdits = append(s.litEdits, litEdit{edit: e, depth: d}) // [(eval)] = a
					s.pending = append(s.pending, e)
					continue
				}
			}
			ed.state = stLive
			s.pending = append(s.pending, e)
		}
		if s.closedEval[0] >= 0 {
			s.edits[s.closedEval[0]].state = stLive
			s.edits[s.closedEval[1]].state = stLive
		}
	}
	s.closedEval = [2]int{-1, -1}
}

// bracketAlias reports whether the string token c, the key of a member
// access e['top'] on an object not known to be a window, is followed by a
// use that only a window has: e['top'].location, e["top"]["document"]…
// (Dojo's dojo.global["top"], Closure output with quoted names). The
// key is then rewritten like e.top.location.
func (s *scanner) bracketAlias(p, c *tok) bool {
	if v := s.text(c); len(v) != 5 || string(v[1:4]) != "top" {
		return false
	}
	i := p.start - 1
	for i >= 0 && isSpace(s.src[i]) {
		i--
	}
	if i > 0 && s.src[i] == '.' && s.src[i-1] == '?' {
		// e?.['top'] (an optional chain: webpack/terser output)
		for i -= 2; i >= 0 && isSpace(s.src[i]); i-- {
		}
	}
	if i < 0 || !(s.src[i] == ')' || s.src[i] == ']' || isIdentByte(s.src[i])) || s.keywordBefore(i+1) {
		return false // an array literal, not a member access
	}
	j := s.skipSpace(c.end)
	if j >= len(s.src) || s.src[j] != ']' {
		return false
	}
	return s.windowUseAfter(j+1, nil)
}

// windowUseAfter reports whether the member expression ending at src[i]
// is used as only a window is: .location, ['document'], ?.history…, or
// compared with self, window, X.self or obj (the object it was read on).
func (s *scanner) windowUseAfter(i int, obj []byte) bool {
	j := s.skipSpace(i)
	if k := cmpLen(s.src[j:]); k > 0 {
		// e['top'] !== e['self'], e["top"] != self
		j = s.skipSpace(j + k)
		k = j
		for k < len(s.src) && (isIdentByte(s.src[k]) || bytes.IndexByte([]byte(".[]'\"?"), s.src[k]) >= 0) {
			k++
		}
		op := string(s.src[j:k])
		return windowish(op) || len(obj) > 0 && op == string(obj) || strings.HasSuffix(op, ".self") || strings.HasSuffix(op, "['self']") || strings.HasSuffix(op, `["self"]`)
	}
	var name []byte
	opt := j+1 < len(s.src) && s.src[j] == '?' && s.src[j+1] == '.'
	if opt {
		j = s.skipSpace(j + 2) // e['top']?.location, e['top']?.['location']
	}
	switch {
	case opt && j < len(s.src) && s.src[j] != '[', j < len(s.src) && s.src[j] == '.':
		if s.src[j] == '.' {
			j = s.skipSpace(j + 1)
		}
		k := j
		for k < len(s.src) && isIdentByte(s.src[k]) {
			k++
		}
		name = s.src[j:k]
	case j < len(s.src) && s.src[j] == '[':
		j = s.skipSpace(j + 1)
		if j < len(s.src) && (s.src[j] == '\'' || s.src[j] == '"') {
			k := j + 1
			for k < len(s.src) && isIdentByte(s.src[k]) {
				k++
			}
			if k < len(s.src) && s.src[k] == s.src[j] {
				name = s.src[j+1 : k]
			}
		}
	}
	return aliasProp(name)
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

func isIdentByte(b byte) bool {
	return b == '_' || b == '$' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

func (s *scanner) skipSpace(i int) int {
	for i < len(s.src) && isSpace(s.src[i]) {
		i++
	}
	return i
}

// cmpLen returns the length of an equality operator at the start of b.
func cmpLen(b []byte) int {
	for _, op := range [...]string{"!==", "===", "!=", "=="} {
		if bytes.HasPrefix(b, []byte(op)) {
			return len(op)
		}
	}
	return 0
}

// pathGap reports whether src[i:j], between two names of a dotted path, is
// white space or a call without arguments: Ext.getWin().dom is compared
// as a path (Ext.getWin().dom.top !== Ext.getWin().dom).
func (s *scanner) pathGap(i, j int) bool {
	// a.b, the usual case, without a call (the same answer as below)
	return i == j && i < len(s.src) && s.src[i] > ' ' || s.pathGapAt(i, j)
}

func (s *scanner) pathGapAt(i, j int) bool {
	i = s.skipSpace(i)
	if i < j && s.src[i] == '(' {
		i = s.skipSpace(i + 1)
		if i >= j || s.src[i] != ')' {
			return false
		}
		i++
	}
	return s.spaceOnly(i, j)
}

// urlToken follows the tokens of a javascript: URL's code for scanner.url:
// one expression (no statement keyword or label first, no ';' or line
// break between tokens outside brackets) with '<' in a string or template.
func (s *scanner) urlToken(t *tok, src []byte) {
	u := &s.url
	if s.nsig == 1 {
		switch t.tt {
		case js.StringToken, js.TemplateToken, js.TemplateStartToken, js.NumericToken, js.IdentifierToken,
			js.OpenParenToken, js.OpenBracketToken, js.NotToken, js.AddToken, js.SubToken, js.BitNotToken,
			js.VoidToken, js.TypeofToken, js.NewToken, js.ThisToken, js.TrueToken, js.FalseToken, js.NullToken:
			u.open = s.addEdit(t.start, t.start, replDocExprOpen, CountDoc, stTentative) + 1
		default:
			u.bad = true
			return
		}
	} else if u.semi || t.nl && u.depth == 0 || s.nsig == 2 && t.tt == js.ColonToken && s.first.tt == js.IdentifierToken {
		u.bad = true
		return
	}
	switch t.tt {
	case js.OpenParenToken, js.OpenBracketToken, js.OpenBraceToken, js.TemplateStartToken:
		u.depth++
	case js.CloseParenToken, js.CloseBracketToken, js.CloseBraceToken, js.TemplateEndToken:
		u.depth--
	case js.SemicolonToken:
		if u.depth == 0 {
			u.semi = true
			return
		}
	}
	switch t.tt {
	case js.StringToken, js.TemplateToken, js.TemplateStartToken, js.TemplateMiddleToken, js.TemplateEndToken:
		if bytes.IndexByte(src[t.start:t.end], '<') >= 0 {
			u.markup = true
		}
	}
	u.end = t.end
}

// skipSpaceBack returns the end of the last non-space byte before i.
func (s *scanner) skipSpaceBack(i int) int {
	for i > 0 && isSpace(s.src[i-1]) {
		i--
	}
	return i
}

// dataModule handles the specifier c of a static import or export … from
// (import 'data:text/javascript,…', x386): the module's code is in the
// literal, where no dynamic wrapper can reach it, so it is rewritten in
// place as a module and re-encoded (percent-encoded UTF-8). A literal with
// backslash escapes, or a data: URL that does not decode, is left alone.
func (s *scanner) dataModule(c *tok) {
	v := s.text(c)
	if len(v) < 8 || bytes.IndexByte(v, '\\') >= 0 {
		return
	}
	// As the URL parser reads it: outer spaces trimmed, tabs and newlines
	// removed, the fragment not part of the data.
	body := bytes.TrimSpace(v[1 : len(v)-1])
	if bytes.ContainsAny(body, "\t\n\r") {
		body = bytes.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return -1
			}
			return r
		}, body)
	}
	if h := bytes.IndexByte(body, '#'); h >= 0 {
		body = body[:h]
	}
	if len(body) < 5 || !bytes.EqualFold(body[:5], []byte("data:")) {
		return
	}
	comma := bytes.IndexByte(body, ',')
	if comma < 0 {
		return
	}
	meta, data := body[5:comma], body[comma+1:]
	code, ok := percentDecode(data)
	if !ok {
		return
	}
	if semi := bytes.LastIndexByte(meta, ';'); semi >= 0 && bytes.EqualFold(bytes.TrimSpace(meta[semi+1:]), []byte("base64")) {
		dec, err := base64.StdEncoding.DecodeString(string(bytes.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
				return -1
			}
			return r
		}, code)))
		if err != nil {
			return
		}
		code = dec
	}
	out, r := Rewrite(code, Module)
	if !r.Changed {
		return
	}
	repl := make([]byte, 0, len(out)*3/2+40)
	repl = append(repl, v[0])
	repl = append(repl, "data:text/javascript;charset=utf-8,"...)
	const hex = "0123456789ABCDEF"
	for _, b := range out {
		if b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("-_.~!*()", b) >= 0 {
			repl = append(repl, b)
		} else {
			repl = append(repl, '%', hex[b>>4], hex[b&15])
		}
	}
	repl = append(repl, v[0])
	s.addEdit(c.start, c.end, repl, CountImport, stLive)
}

// containsDataScheme reports "data:" in any case: URL schemes are
// case-insensitive (import 'DATA:…' loads too).
func containsDataScheme(src []byte) bool {
	for i := 0; i < len(src); i++ {
		j := bytes.IndexByte(src[i:], ':')
		if j < 0 {
			return false
		}
		i += j
		if i >= 4 && hasPrefixFold(src[i-4:], "data:") {
			return true
		}
	}
	return false
}

// percentDecode decodes %XX escapes; a '%' not followed by two hex digits
// stays as it is, as in the browser's data: URL decoder (the module runs
// with it).
func percentDecode(b []byte) ([]byte, bool) {
	if bytes.IndexByte(b, '%') < 0 {
		return b, true
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '%' {
			out = append(out, b[i])
			continue
		}
		if i+2 >= len(b) || unhex(b[i+1]) < 0 || unhex(b[i+2]) < 0 {
			out = append(out, '%')
			continue
		}
		out = append(out, byte(unhex(b[i+1])<<4|unhex(b[i+2])))
		i += 2
	}
	return out, true
}
