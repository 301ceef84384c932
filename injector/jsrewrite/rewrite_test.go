package jsrewrite

import (
	"bytes"
	"flag"
	"math/rand/v2"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const (
	T = Accessor
	// TD replaces `.top` in a getter helper's `return x.top`.
	TD = "[" + TopKey + "]"
	K  = KeyWrapOpen
	// V opens a value-checked read (VtopWrapOpen): V + "win.top)".
	V = VtopWrapOpen
	// ievalMark occurs once in each indirect-eval rewrite (IevalRef, IevalKey).
	ievalMark = "globalThis.__crmframe_ieval"
)

type rwCase struct {
	name string
	kind Kind
	in   string
	want string // "" means unchanged
}

var rwCases = []rwCase{
	// Sixteenth pass, left open then (x459, x464–x469): e['top'] is an
	// alias candidate like e.top, confirmed by t['location'] or a
	// comparison with e; ??=, ||=, &&= make aliases; nested patterns in
	// shorthand form and in assignments; an alias's plain key used as a window.
	{"bracket alias closure", Classic, "!function(w){var t=w['top'];if(t!==w)t['location']['replace'](u)}(window)", "!function(w){var t=w['" + T + "'];if(t!==w)t['location']['replace'](u)}(window)"},
	{"bracket alias babel", Classic, `function* g(host) { var up; up = host["top"]; if (up !== host) { up["location"]["href"] = u } }`, `function* g(host) { var up; up = host["` + T + `"]; if (up !== host) { up["location"]["href"] = u } }`},
	{"bracket alias confirmed by a location key only", Classic, "function f(e){ var t = e['top']\n t['location'] = u }", "function f(e){ var t = e['" + T + "']\n t['location'] = u }"},
	{"bracket alias confirmed dotted", Classic, "function f(e){ var t = e?.['top']; t.document.title = 1 }", "function f(e){ var t = e?.['" + T + "']; t.document.title = 1 }"},
	{"dotted alias confirmed by a bracket key", Classic, "function f(e){ var t = e.top; t?.['location'].assign(u) }", "function f(e){ var t = e." + T + "; t?.['location'].assign(u) }"},
	{"bracket alias compared with its window", Classic, "function f(e){ if (e['top'] !== e) x(); if (e === e['top']) y() }", "function f(e){ if (e['" + T + "'] !== e) x(); if (e === e['" + T + "']) y() }"},
	{"bracket top of ordinary objects stays", Classic, "o['top'] = 5; var y = pos['top'] + 'px'; var c = css['top']; el.style.top = c; var t = cfg['top'] || 0; if (t > 0) x = t; var l = data['location']; l['href'] = t; _.get(o, 'top'); var v = _.get(o, 'top'); v.location",
		"o['top'] = 5; var y = pos['top'] + 'px'; var c = css['top']; el.style.top = c; var t = cfg['top'] || 0; if (t > 0) x = t; var l = (globalThis.__crmframe_vtop||(x=>x))(data)['location']; l['href'] = t; _.get(o, 'top'); var v = _.get(o, 'top'); (globalThis.__crmframe_vtop||(x=>x))(v).location"},
	{"bracket top compared with another key stays", Classic, "if (rect['top'] !== rect['bottom']) a(); if (r.top !== r[0]) b(); var t = d['top']; if (t !== d['left']) c()", ""},
	{"bracket top of keywords and arrays stays", Classic, "function f(){ return ['top'].location } x = typeof ['top']; for (k in ['top']) ;", ""},
	{"logical assignment aliases", Classic, "let w; w ??= globalThis; w?.[String.raw`${'t'}o${'p'}`]; h ||= self; if (h[\"top\"] !== h) 1; x &&= window; x.top.location = u",
		"let w; w ??= globalThis; w?.[" + K + "String.raw`${'t'}o${'p'}`)]; h ||= self; if (h[\"" + T + "\"] !== h) 1; x &&= window; x." + T + ".location = u"},
	{"logical assignments of other values stay", Classic, "a ??= {}; a.top; b ||= windowTop; b.top; o.w ||= window; w.top; c &&= self.x; c.top", ""},
	{"nested shorthand pattern", Classic, "function f(){ const {frames: {top}, location: l} = self; if (top !== self) top.location = l }", "function f(){ const {frames: {" + T + ": top}, location: l} = self; if (top !== self) top.location = l }"},
	{"nested shorthand pattern of other values", Classic, "function f(){ const {rect: {top}} = self; const {a: {top: t}} = self; const {top: {top: u}} = o.w; return top }", ""},
	{"nested assignment pattern", Classic, "let t, s; ({ self: { top: t, self: s } } = window); ({frames: {top}} = self)", "let t, s; ({ self: { " + T + ": t, self: s } } = window); ({frames: {" + T + ": top}} = self)"},
	{"nested assignment pattern of other values", Classic, "({rect: {top: y}} = window); ({top: {top: z}} = box); x = {self: {top: 1}}; f({parent: {top: t}})", ""},
	{"nested object literal shorthand stays a reference", Classic, "x = {frames: {top}}", "x = {frames: {top: " + T + "}}"},
	{"alias plain key used as a window", Classic, "var g = window; var k = ['t', 'o', 'p'].join(''); if (g[k] !== g) g[k].location.href = u; $window[k]?.document",
		"var g = window; var k = ['t', 'o', 'p'].join(''); if (g[" + K + "k)] !== g) g[" + K + "k)].location.href = u; $window[" + K + "k)]?.document"},
	{"pattern top and a later return of the same minified name", Classic, "function f(e){let{top:t,left:n}=e.getBoundingClientRect();return t>0&&n>0} function g(t){return t}", ""},
	{"bracket top returned stays", Classic, "function f(e){ var t = e['top']; return t }", ""},
	{"alias plain key of other uses stays", Classic, "var g = window; for (var i = 0; i < n; i++) s += g[i]; g[k] = 1; g[k].x; g[k] !== h", ""},
	// Fifteenth legit pass (x470–x472): a window-like name's or a getter's
	// top on an ordinary object, maybe without a prototype. Writes and
	// deletes keep top, reads are value-checked (V), calls stay.
	{"delete on a window-like name keeps top", Classic, "var phoneWindow = {top: 1}; delete phoneWindow.top; delete phoneWindow['top']; delete a.lastWin.top", ""},
	{"writes keep top", Classic, "lastWin.top = 120; lastWin.top += 1; lastWin.top++; --lastWin.top; lastWin['top'] = 1; lastWin.top ??= 2; for (lastWin.top in o); window.top = 1; self.top = 2", ""},
	{"destructuring targets keep top", Classic, "[lastWin.top, b] = c; ({a: lastWin.top} = o); [lastWin['top']] = d; for ([win.top] of a);", ""},
	{"window-like reads value-checked", Classic, "d.style.top = lastWin.top + 'px'; x = [lastWin.top]; y = {a: lastWin['top']}; f(win.top); delete win.top.x",
		"d.style.top = " + V + "lastWin.top) + 'px'; x = [" + V + "lastWin.top)]; y = {a: " + V + "lastWin['top'])}; f(" + V + "win.top)); delete " + V + "win.top).x"},
	{"window-like accessor where a wrapper cannot go", Classic, "new win.top.X(); win?.top.location; (win.top) = 1; win.top`x`; win.top.postMessage(m, '*'); a = b\nwin.top.location = u",
		"new win." + T + ".X(); win?." + T + ".location; (win." + T + ") = 1; win." + T + "`x`; " + PostWrapOpen + "win.top).postMessage(m, '*'); a = b\nwin." + T + ".location = u"},
	{"window-like method call stays", Classic, "lastWin.top(1); lastWin.top?.(2); lastWin['top'](3)", ""},
	{"window-like top still neutralised", Classic, "if ($window.top !== $window.self) $window.top.location.href = u; i++\nwin.top.location = u",
		"if (" + V + "$window.top) !== $window.self) " + V + "$window.top).location.href = u; i++\n" + V + "win.top).location = u"},
	{"arrow getter table on an object without prototype", Classic, "var DOCK = { top: g => g.top, bottom: g => g.bottom }; DOCK.top(Object.groupBy(items, i => i.dock))",
		"var DOCK = { top: g => " + V + "g.top), bottom: g => g.bottom }; DOCK.top(Object.groupBy(items, i => i.dock))"},
	{"var getter value-checked", Classic, "function f(e) { var t = e.top; return t }", "function f(e) { var t = " + V + "e.top); return t }"},
	{"insertion before a replaced top", Classic, "top.top.postMessage(1, '*'); top.$wnd.top.x", PostWrapOpen + T + ".top).postMessage(1, '*'); " + V + T + ".$wnd.top).x"},
	{"alias keeps the accessor, not for writes", Classic, "var w = window; w.top.x; w.top = 1; delete w.top", "var w = window; w." + T + ".x; w.top = 1; delete w.top"},
	// Sixteenth pass: nested declaration patterns through window keys
	// (x457), a pattern's top binding used as a window (x458).
	{"nested pattern self", Classic, "const { self: { top: o, self: m } } = globalThis; if (o !== m) o.location.href = u", "const { self: { " + T + ": o, self: m } } = globalThis; if (o !== m) (globalThis.__crmframe_vtop||(x=>x))(o).location.href = u"},
	{"nested pattern window", Classic, "let {window: {top: t}} = window", "let {window: {" + T + ": t}} = window"},
	{"nested pattern not a window key", Classic, "const { rect: { top: y } } = window; const { frame: { top: z } } = box", ""},
	{"nested pattern under a literal key", Classic, "const { a: { self: { top: y } } } = window", ""},
	{"pattern top used as window", Classic, "const { top: t } = n.g; t !== n.g && t.location.replace(u)", "const { " + T + ": t } = n.g; t !== n.g && t.location.replace(u)"},
	{"pattern top default used as window", Classic, "let {top: t = self} = g(); t.location = u", "let {" + T + ": t = self} = g(); t.location = u"},
	{"pattern top geometry stays", Classic, "const { top: t, left: l } = el.getBoundingClientRect(); box.style.top = t + 'px'", ""},
	// The paper's conditions and counter-actions.
	{"cond top!=self", Classic, "if (top != self) top.location = self.location;", "if (" + T + " != self) " + T + ".location = self.location;"},
	{"cond top.location", Classic, "if (top.location != location) top.location.href = document.location.href", "if (" + T + ".location != location) " + T + ".location.href = document.location.href"},
	{"window.top", Classic, "if (window.top !== window.self) { window.top.location.replace(window.self.location.href); }", "if (window." + T + " !== window.self) { window." + T + ".location.replace(window.self.location.href); }"},
	{"self.top parent.top frames.top globalThis.top", Classic, "self.top; parent.top; frames.top; globalThis.top", "self." + T + "; parent." + T + "; frames." + T + "; globalThis." + T},
	{"top.top", Classic, "top.top.location = 1", T + "." + T + ".location = 1"},
	{"chain window.parent.top", Classic, "window.parent.top.location", "window.parent." + T + ".location"},
	{"optional chain", Classic, "window?.top?.location", "window?." + T + "?.location"},
	{"this at global", Classic, "if(this!=top) top.location.href=location.href;", "if(this!=" + T + ") " + T + ".location.href=location.href;"},
	{"this.top at global", Classic, "this.top.location = 1", "this." + T + ".location = 1"},
	{"this.top in function", Classic, "function f(){ return this.top }", ""},
	{"this.top in module", Module, "this.top", ""},
	{"this.top in handler", Handler, "this.top", ""},
	{"parent and frames untouched", Classic, "if (parent.frames.length > 0) parent.location = self.location;", ""},
	{"parent.frames['main']", Classic, "parent.frames['main'].location = 'x.html'; parent.postMessage('hi','*')", ""},
	{"top.postMessage kept", Classic, "top.postMessage('x', '*'); window.top.postMessage(1, '*'); top.location = 1", PostWrapOpen + "top).postMessage('x', '*'); " + PostWrapOpen + "window.top).postMessage(1, '*'); " + T + ".location = 1"},

	// Bracket forms and obfuscation.
	{"window['top']", Classic, "window['top']['location']['replace'](p['href']);", "window['" + T + "']['location']['replace'](p['href']);"},
	{"window[\"top\"]", Classic, `window["top"].location = 1`, `window["` + T + `"].location = 1`},
	{"window['self']['top']", Classic, "window['self']['top'] !== window", "window['self']['" + T + "'] !== window"},
	{"o['top'] untouched", Classic, "o['top'] = 1; x[top]", "o['top'] = 1; x[" + T + "]"},
	{"window[k] stops the chain", Classic, "window[k]['top']", "window[" + K + "k)]['top']"},
	{"minified iife", Classic, "!function(){var x=!1;try{x=top.location.host!=location.host}catch(t){x=1}x&&(top.location=location)}();", "!function(){var x=!1;try{x=" + T + ".location.host!=location.host}catch(t){x=1}x&&(" + T + ".location=location)}();"},
	{"alias e.self===e.top", Classic, "(function(e){ if(e.self===e.top){ } else { e.top.location = e.location.href } })(window);", "(function(e){ if(e.self===e." + T + "){ } else { e." + T + ".location = (globalThis.__crmframe_vtop||(x=>x))(e).location.href } })(window);"},
	{"alias e.top!==e.self", Classic, "n.top !== n.self && go()", "n." + T + " !== n.self && go()"},
	{"alias e.top.document", Classic, "w.top.document.title", "w." + T + ".document.title"},
	{"alias not confirmed", Classic, "rect.top + el.style.top + o.top", ""},
	{"alias e.top!==e (minified)", Classic, "!function(e){e.top!==e&&(e.top.location=e.location.href)}(window);", "!function(e){e." + T + "!==e&&(e." + T + ".location=(globalThis.__crmframe_vtop||(x=>x))(e).location.href)}(window);"},
	{"alias w!==w.top", Classic, "var w=window;if(w!==w.top){w.top.location.replace(w.location.href)}", "var w=window;if(w!==w." + T + "){w." + T + ".location.replace(w.location.href)}"},
	{"alias dotted path", Classic, "if (document.defaultView.top != document.defaultView) x()", "if (" + V + "document.defaultView.top) != document.defaultView) x()"},
	{"window alias by assignment", Classic, "var w = self, t = w.top; if (t != w) t.location = w.location; e=window;e.top.x=1", "var w = self, t = w." + T + "; if (t != w) (globalThis.__crmframe_vtop||(x=>x))(t).location = w.location; e=window;e." + T + ".x=1"},
	{"window-like names", Classic, "var topWin = $window.top; $wnd.top; this.$window.top; var t = f.contentWindow.top; d.defaultView.top; mainWindow.top; parent_window.top; win.top; wnd.top",
		"var topWin = " + V + "$window.top); " + V + "$wnd.top); this.$window." + T + "; var t = " + V + "f.contentWindow.top); " + V + "d.defaultView.top); " + V + "mainWindow.top); " + V + "parent_window.top); " + V + "win.top); " + V + "wnd.top)"},
	{"['top'] on window aliases and window-like names", Classic, "var _0x1 = window; if (_0x1['top'] !== _0x1['self']) _0x1['top']['location']['href'] = u; $window[\"top\"]; f.contentWindow['top']; _0x1[k]; _0x1[0]; o['top']",
		"var _0x1 = window; if (_0x1['" + T + "'] !== _0x1['self']) _0x1['" + T + "']['location']['href'] = u; " + V + "$window[\"top\"]); " + V + "f.contentWindow['top']); _0x1[k]; _0x1[0]; o['top']"},
	{"javascript: URL strings", Classic, `location.href = "javascript:if (top != self) top.location.replace('x')"; a.href = 'JavaScript: window.top.location = 1'; u = ` + "`javascript:top.x`" + `; s = 'javascript:void(0)'; t = "top"; e = 'javascript:x(\'top\')'`,
		`location.href = "javascript:if (` + T + ` != self) ` + T + `.location.replace('x')"; a.href = 'JavaScript: window.` + T + `.location = 1'; u = ` + "`javascript:" + T + ".x`" + `; s = 'javascript:void(0)'; t = "top"; e = 'javascript:x(\'top\')'`},
	{"javascript: URL strings with simple escapes", Classic, `location.href = "javascript:if (top != self) { top.window.location = \"u\"; } void 0"; h = 'javascript:top.location.replace(\'a\\\\b\')\n'; x = "javascript:top.x\x41"; y = "javascript:x(\"top\")"; z = "javascript:\"" + top`,
		`location.href = "javascript:if (` + T + ` != self) { ` + T + `.window.location = \"u\"; } void 0"; h = 'javascript:` + T + `.location.replace(\'a\\\\b\')\n'; x = "javascript:top.x\x41"; y = "javascript:x(\"top\")"; z = "javascript:\"" + ` + T},
	{"patterns and aliases of window-like names", Classic, "const {top, self} = $window; var w = $wnd; w.top.x; var v = w; v['top']",
		"const {" + T + ": top, self} = $window; var w = $wnd; w." + T + ".x; var v = w; v['" + T + "']"},
	{"e.top kept in a variable that is used as a window", Classic, "(function(w){ var t = w.top; if (t != w) t.location.href = u })(window); function g(e) { var a, t2 = e.top\n t2.document.title = 1 }",
		"(function(w){ var t = w." + T + "; if (t != w) t.location.href = u })(window); function g(e) { var a, t2 = e." + T + "\n t2.document.title = 1 }"},
	{"e.top kept in a variable that is not used as a window", Classic, "var r = el.getBoundingClientRect(), t = r.top; t.toFixed(1); y = o.top; y.x; z = p.top + 1; z.location", "var r = el.getBoundingClientRect(), t = r.top; t.toFixed(1); y = o.top; y.x; z = p.top + 1; (globalThis.__crmframe_vtop||(x=>x))(z).location"},
	{"names that are not window-like", Classic, "w.top; windows.top; winner.top; twin.top; rowin.top; Window.prototype.top; windowTop.top; o.window_.top", ""},
	{"other assignments are no alias", Classic, "var a = window.x, b = window['y'], c = window(1), d = o; a.top; b.top; c.top; d.top; o.w = self; w.top", ""},
	{"alias other objects not confirmed", Classic, "a.top === b; a !== b.top; p.top == p.top; x.y !== x.y.z.top; f(a).top != a; a.top != a.b", ""},
	{"window[`top`]", Classic, "if (window[`top`] !== window[`self`]) window[`top`].location = location", "if (window[`" + T + "`] !== window[`self`]) window[`" + T + "`].location = location"},
	{"template key untouched", Classic, "o[`top`] = 1; x[`to${p}`]", ""},

	// Computed reads on a window name: the key goes through the shim.
	{"window[expr]", Classic, "var k = 'to' + 'p'; window[k].location = 1; self[`to${p}`]; parent?.[a.b](); frames [( k )]", "var k = 'to' + 'p'; window[" + K + "k)].location = 1; self[" + K + "`to${p}`)]; parent?.[" + K + "a.b)](); frames [" + K + "( k ))]"},
	{"window[expr] without top", Classic, "window[f('x')]; globalThis[n+m]", "window[" + K + "f('x'))]; globalThis[" + K + "n+m)]"},
	{"window[...] literals, writes, delete, lists untouched", Classic, "window[0]; frames['x']; window[k] = 1; self[k] += 2; window[k]++; delete window[k]; ++self[k]; window[a, b]; o[k]; w.window[k]; window.x[k]", ""},
	{"window[...] nested and chained", Classic, "window[window[k]][j]", "window[" + K + "window[" + K + "k)])][j]"},
	{"window[k] before a line break and ++", Classic, "x = window[k]\n++i", "x = window[" + K + "k)]\n++i"},
	{"window[...] literal keys with escapes are computed", Classic, `window['\x74op'].location = 1; self["\u0074op"]; parent[` + "`t\\x6fp`" + `]; window['\x74op'] = 2; frames['x']`, `window[` + K + `'\x74op')].location = 1; self[` + K + `"\u0074op")]; parent[` + K + "`t\\x6fp`" + `)]; window['\x74op'] = 2; frames['x']`},

	// Properties, keys, locals and parameters named top stay.
	{"style.top", Classic, "el.style.top = '5px'; var r = el.getBoundingClientRect(); r.top", ""},
	{"object key", Classic, "var o = {top: 1, left: 2}; o.top", ""},
	{"quoted key", Classic, "var o = {'top': 1}", ""},
	{"method key", Classic, "var o = { top() { return 1 }, get top2() {} }; class A { top() {} static top = 1; get top() { return 1 } }", ""},
	{"getter named top", Classic, "var o = { get top() { return 1 }, set top(v) {} }", ""},
	{"parameter", Classic, "function f(top){return top+1}", ""},
	{"parameter destructured", Classic, "function f({top}, [a, top2]){return top}", ""},
	{"arrow parameter", Classic, "var f = top => top.x; var g = (a, top) => top; top", "var f = top => top.x; var g = (a, top) => top; " + T},
	{"arrow expression body ends", Classic, "f(top => top, top)", "f(top => top, " + T + ")"},
	{"arrow block body", Classic, "var f = (top) => { return top }; top", "var f = (top) => { return top }; " + T},
	{"arrow non-top param sees global", Classic, "var f = x => top.location", "var f = x => " + T + ".location"},
	{"var in function hoisted", Classic, "function f(){ if (top != self) {} var top = 1 } top", "function f(){ if (top != self) {} var top = 1 } " + T},
	{"let in block", Classic, "{ let top = 1; top } top", "{ let top = 1; top } " + T},
	{"let destructuring in function", Classic, "function f(r){ let {top} = r; return top }", ""},
	{"destructuring a window", Classic, "(() => { const { top, self } = window; let {top: t} = self; if (top !== self) top.location.href = self.location.href })()", "(() => { const { " + T + ": top, self } = window; let {" + T + ": t} = self; if (top !== self) top.location.href = self.location.href })()"},
	{"destructuring other values", Classic, "function f(r){ const {top, left} = r; let {top: t} = window.x; var {top: u} = o, {top: v} = window; return top }", "function f(r){ const {top, left} = r; let {top: t} = window.x; var {top: u} = o, {" + T + ": v} = window; return top }"},
	{"destructuring in for-of then a window", Classic, "function f(){ for (const {top} of xs) {} var a = window; const {b} = window; return top }", ""},
	{"nested pattern not a window key", Classic, "function f(){ const {a: {top}} = window; return top }", ""},
	{"const rename destructuring", Classic, "function f(r){ const {a: top} = r; return top }", ""},
	{"destructuring key is not a binding", Classic, "function f(r){ const {top: t} = r; return top }", "function f(r){ const {top: t} = r; return " + T + " }"},
	{"destructuring default is a reference", Classic, "function f(r){ const {a = top} = r; }", "function f(r){ const {a = " + T + "} = r; }"},
	{"var list", Classic, "function f(){ var a = 1, top = 2; return top }", ""},
	{"var list initializer", Classic, "function f(){ var a = top, b = 2 }", "function f(){ var a = " + T + ", b = 2 }"},
	{"catch param", Classic, "try {} catch (top) { top } top", "try {} catch (top) { top } " + T},
	{"function named top", Classic, "function g(){ function top(){} return top }", ""},
	{"function expression named top", Classic, "var f = function top(){ return top }; top", "var f = function top(){ return top }; " + T},
	{"method parameter", Classic, "var o = { m(top) { return top } }; class C { m(top) { return top } }", ""},
	{"label", Classic, "top: for(;;) { break top; continue top }", ""},
	{"conditional", Classic, "a ? top : b", "a ? " + T + " : b"},
	{"nested conditional", Classic, "x = {a: c ? top : d}", "x = {a: c ? " + T + " : d}"},
	{"case", Classic, "switch (x) { case top: }", "switch (x) { case " + T + ": }"},
	{"shorthand", Classic, "var o = {top}; var p = {a, top, b}", "var o = {top: " + T + "}; var p = {a, top: " + T + ", b}"},
	{"typeof", Classic, "typeof top", "typeof " + T},
	{"global var does not shadow in classic", Classic, "var top = 1; top", "var top = 1; " + T},
	{"call args", Classic, "f(top); f(a, top)", "f(" + T + "); f(a, " + T + ")"},
	{"spread", Classic, "f(...top)", "f(..." + T + ")"},
	{"default param", Classic, "function f(a = top.x) {}", "function f(a = " + T + ".x) {}"},
	{"if paren then block", Classic, "if (top) { top }", "if (" + T + ") { " + T + " }"},

	{"arrow destructured param", Classic, "const f = ({top}) => top; top", "const f = ({top}) => top; " + T},
	{"outer function var", Classic, "function a(){ var top = 1; function b(){ return top } } top", "function a(){ var top = 1; function b(){ return top } } " + T},
	{"jquery-style code", Classic, "$(window).scrollTop(); var o = $(el).offset().top; if (pos === 'top') {} switch(p){case 'top': break}", ""},
	{"for-in var", Classic, "function f(o){ for (var top in o) {} return top }", ""},
	{"ASI ends a declaration", Classic, "var a = b\ntop.location = 1", "var a = b\n" + T + ".location = 1"},
	{"constructor param", Classic, "class A extends B { constructor(top) { super(top); this.top = top } }", ""},
	{"local self alias still safe", Classic, "var self = this; self.top = 10", ""}, // a write keeps top (x472)
	{"labelled block", Classic, "label: { top }", "label: { " + T + " }"},

	// Strings, comments, regexes and templates.
	{"strings and comments", Classic, "var s = 'top', t = \"top\"; // top\n/* top */", ""},
	{"regex with top", Classic, "var re = /top|self/g; if (re.test(top)) {}", "var re = /top|self/g; if (re.test(" + T + ")) {}"},
	{"regex after paren of if", Classic, "if (a) /top/.test(b); top", "if (a) /top/.test(b); " + T},
	{"division not regex", Classic, "var a = b / top / 2", "var a = b / " + T + " / 2"},
	{"regex after block", Classic, "{}\n/top/.test(x)", ""},
	{"regex with slash in class", Classic, "var r = /[/]top/; top", "var r = /[/]top/; " + T},
	{"template", Classic, "var s = `top ${top} ${a ? `top` : top.x}`", "var s = `top ${" + T + "} ${a ? `top` : " + T + ".x}`"},
	{"keyword property then division", Classic, "x = a.if / 2; y = e.default/n/2; z = o?.return / 1; if (top != self) top.location = 1", "x = a.if / 2; y = e.default/n/2; z = o?.return / 1; if (" + T + " != self) " + T + ".location = 1"},
	{"keyword then regex still", Classic, "return /top/.test(x) || typeof /re/ || top", "return /top/.test(x) || typeof /re/ || " + T},
	{"hashbang", Classic, "#!/usr/bin/env node\nif (top != self) top.location = 1", "#!/usr/bin/env node\nif (" + T + " != self) " + T + ".location = 1"},
	{"hashbang module", Module, "#!x top\ntop.location = 1", "#!x top\n" + T + ".location = 1"},
	{"no hashbang in a handler", Handler, "#!x\ntop", ""},
	{"html comment classic", Classic, "<!--\n\tif(top!=self) top.location=self.location;\n//-->", "<!--\n\tif(" + T + "!=self) " + T + ".location=self.location;\n//-->"},
	{"commented-out buster (058)", Classic, "// Frame-busting if (window.top != window.self) { window.top.location.replace(window.self.location.href); }", ""},

	// Modules.
	{"module", Module, "export default function() { if (window.self !== window.top) { top.location = window.location } }", "export default function() { if (window.self !== window." + T + ") { " + T + ".location = window.location } }"},
	{"module import binds top", Module, "import top from './x.js'; top.go()", ""},
	{"module named import", Module, "import { top } from './x.js'; top.go()", ""},
	{"module import as", Module, "import { top as t } from './x.js'; top.go()", "import { top as t } from './x.js'; " + T + ".go()"},
	{"module top-level let shadows", Module, "let top = 1; top", ""},
	{"module export list", Module, "export { a as top }; top", "export { a as top }; " + T},
	// A "module" with an HTML-like comment cannot run as one: it is a classic
	// script fetched in cors mode (<script src crossorigin>), scanned as such
	// (x237); a module-only construct in it still makes it unlexable.
	{"module html comment scanned as classic", Module, "top<!--b", T + "<!--b"},
	{"module html comment: legacy library header", Module, "<!-- hide\nif (top.location != self.location) top.location.replace(self.location.href);\n// -->", "<!-- hide\nif (" + T + ".location != self.location) " + T + ".location.replace(self.location.href);\n// -->"},
	{"module html comment, a global var top does not shadow", Module, "var top = 1; top.x\n-->", "var top = 1; " + T + ".x\n-->"},

	// Handlers and javascript: URLs.
	{"handler", Handler, "top.location.href=location.href;return false;", VtopRef + ".location.href=location.href;return false;"},
	{"handler member top", Handler, "if (window.top != self) f(parent.top)", "if (window." + T + " != self) f(parent." + T + ")"},
	{"handler bare top compared", Handler, "if(top!==self)top.location=self.location", "if(" + VtopRef + "!==self)" + VtopRef + ".location=self.location"},
	{"handler top written", Handler, "top = 1; top++", T + " = 1; " + T + "++"},
	{"handler shorthand", Handler, "f({top})", "f({top: " + VtopRef + "})"},
	{"handler typeof", Handler, "typeof top", "typeof " + VtopRef},
	{"handler nested function", Handler, "(function(){ if (top !== self) go(top) })()", "(function(){ if (" + VtopRef + " !== self) go(" + VtopRef + ") })()"},
	{"handler var shadows", Handler, "var top = 1; return top", ""},
	{"url", URL, "top.location='x.html'", T + ".location='x.html'"},
	{"url percent-encoded", URL, "if(top!=self)%7Btop.location=1%7D", "if(" + T + "!=self)%7B" + T + ".location=1%7D"},

	// Getter helpers: a function's last statement `return x.top`.
	{"closure getter", Classic, "var Fa=this||self;function Ga(a){return a.top}Ga(Fa)!=Fa&&(Ga(Fa).location.href=Fa.location.href)", "var Fa=this||self;function Ga(a){return " + V + "a.top)}Ga(Fa)!=Fa&&(" + V + "Ga(Fa)).location.href=Fa.location.href)"},
	{"getter helper after statements", Classic, "function getTop(w) { w = w || window; return w.top; }", "function getTop(w) { w = w || window; return " + V + "w.top); }"},
	{"class getter on a path", Classic, "class F { get root() { return this.w . top; } }", "class F { get root() { return " + V + "this.w . top); } }"},
	// legit23, x801: a Vue 3 ref is an instance proxy that never reaches
	// Object.prototype: a this-path is value-checked like a name's
	{"getter on a this path", Classic, "const C = { methods: { t() { return this.$refs.chip.top } } }", "const C = { methods: { t() { return " + V + "this.$refs.chip.top) } } }"},
	{"getter on a this path with brackets: as before", Classic, "function g(){ return this.a[0].w.top }", ""},
	{"getter on this.x?.top keeps the key", Classic, "function g(){ return this.w?.top }", "function g(){ return this.w?." + TD + " }"},
	// legit23, x800: a window name declared in a scope around the read is
	// most often no window (Vue 3 code keeping `const self = this`, an
	// instance proxy): its top is read as written, value-checked
	{"local self is value-checked", Classic, "function f(){ const self = this; g(function(){ self.top = 3; h(self.top + 1) }) }", "function f(){ const self = this; g(function(){ self.top = 3; h(" + V + "self.top) + 1) }) }"},
	{"parameter parent is value-checked", Classic, "const f = (parent) => parent.top + 1", "const f = (parent) => " + V + "parent.top) + 1"},
	{"local self = window still reaches the virtual top", Classic, "function f(){ var self = window; if (self.top !== self) self.top.location.href = u }", "function f(){ var self = window; if (" + V + "self.top) !== self) " + V + "self.top).location.href = u }"},
	{"module binding self is value-checked", Module, "const self = this; export const t = () => self.top", "const self = this; export const t = () => " + V + "self.top)"},
	{"global self keeps the accessor", Classic, "var self = this; self.top.location = u; function f(){ return self.top }", "var self = this; self.__crmframe_top.location = u; function f(){ return self.__crmframe_top }"},
	{"local self after new or ?. keeps the accessor", Classic, "function f(){ var self = this; return [new self.top.X(), self?.top] }", "function f(){ var self = this; return [new self.__crmframe_top.X(), self?.__crmframe_top] }"},
	{"arrow getter with a body, optional chain", Classic, "const g = (r) => { return r.a?.top }", "const g = (r) => { return r.a?." + TD + " }"},
	{"getter left alone", Classic, "function f(){ return this.top } function g(r){ return r.top + 1 } function h(r){ if (r) { return r.top } return 0 } function k(){ return\nr.top }", ""},

	// Arrow getters with an expression body (esbuild/terser), given a name
	// or a key (x195); callbacks handed to calls are geometry and stay.
	{"arrow getter", Classic, `(()=>{"use strict";const o=e=>e.top,n=e=>e.self;const e=o(window);e!==n(window)&&e.location.replace(location.href)})();`, `(()=>{"use strict";const o=e=>` + V + `e.top),n=e=>e.self;const e=o(window);e!==n(window)&&(globalThis.__crmframe_vtop||(x=>x))(e).location.replace(location.href)})();`},
	{"arrow getters: assignment, key, optional chain, path", Classic, "g = r => r.top; x = {get: (w) => w?.top}; y = w => w.a.b.top\n", "g = r => " + V + "r.top); x = {get: (w) => w?." + TD + "}; y = w => " + V + "w.a.b.top)\n"},
	{"arrow getters left alone", Classic, "a = rects.map(r => r.top); b = [r => r.top]; c = r => r.top + 1; e = r => f(r).top; g = r => (r.top); h = r => r.top.x; sortBy(xs, x => x.top)", ""},

	// Ninth pass: an arrow getter handed to a method of a list literal holding
	// a window (x206), and for…of head patterns (x204) with a window key or
	// over such a list; geometry lists and other iterables stay.
	{"arrow getter on a list of windows", Module, "const [root] = [window].map(w => w.top); x = [self, parent].find((p) => p.top)", "const [root] = [window].map(w => " + V + "w.top)); x = [self, parent].find((p) => " + V + "p.top))"},
	{"arrow getters on other lists left alone", Classic, "a = [rect, box].map(r => r.top); b = [window].map(w => w.innerWidth); c = [window].map(w => w.top + 1); e = f([window]).map(w => w.top)", ""},
	{"for-of pattern with a window key", Classic, "for (const { top: t, self: s, location: l } of [window]) if (t !== s) t.location.replace(l.href)", "for (const { " + T + ": t, self: s, location: l } of [window]) if (t !== s) (globalThis.__crmframe_vtop||(x=>x))(t).location.replace(l.href)"},
	{"for-of pattern over a list of windows", Classic, "{ for (let {top} of [a, self]) go(top); } for (var {top: u} of [globalThis]) u.location = x", "{ for (let {" + T + ": top} of [a, self]) go(top); } for (var {" + T + ": u} of [globalThis]) (globalThis.__crmframe_vtop||(x=>x))(u).location = x"},
	{"top-level for head let shadows the rest of the script", Classic, "if (top != self) go(top); for (const {top, left} of rects) f(top); g(top)", "if (" + T + " != self) go(" + T + "); for (const {top, left} of rects) f(top); g(top)"},
	{"top-level for head var does not shadow", Classic, "for (var top of xs) f(top); for (let i = 0; i < 1; i++) top.location = 1", "for (var top of xs) f(" + T + "); for (let i = 0; i < 1; i++) " + T + ".location = 1"},
	{"for-of and for-in patterns left alone", Classic, "{ for (const {top, left} of rects) f(top); } for (const {top: t} of [rect, box]) f(t); { for (const {top} of xs) f(top); } { for (const {top} in window) f(top); } { for (const [top] of [window]) f(top); }", ""},

	// Assignment patterns whose value is a window itself (x196), whatever
	// the other keys; other values stay.
	{"assignment pattern from a window, top only", Module, "let p; ({ top: p } = window); if (p !== window) p.location.replace(location.href)", "let p; ({ " + T + ": p } = window); if (p !== window) (globalThis.__crmframe_vtop||(x=>x))(p).location.replace(location.href)"},
	{"assignment pattern from self, globalThis, $window", Classic, "({top: a} = self); ({top: b, left: c} = globalThis); ({top: d} = $window)", "({" + T + ": a} = self); ({" + T + ": b, left: c} = globalThis); ({" + T + ": d} = $window)"},
	{"assignment patterns left alone", Classic, "({top: a} = rect); ({top: b} = window.x); ({top: c} = win()); ({top: d} = self[0]); ({top: e} = windows); ({top: f} = box.getBoundingClientRect())", ""},

	// A javascript: URL that is one string literal returns a document (an
	// iframe's src="javascript:'<html>…'"): it goes through the shim's
	// __crmframe_doc (x243). Other URLs, and such strings elsewhere, stay.
	{"javascript: URL returning a document", URL, `'<!doctype html><script>if (top !== parent) parent.location.replace("denied.html")<\/script>'`,
		DocWrapOpen + `'<!doctype html><script>if (top !== parent) parent.location.replace("denied.html")<\/script>'` + DocWrapClose},
	{"javascript: URL returning a document, with a semicolon", URL, ` "<p onclick='top.x()'>a</p>";`, ` ` + DocWrapOpen + `"<p onclick='top.x()'>a</p>"` + DocWrapClose + `;`},
	{"javascript: URL strings that are not the whole URL", URL, "'top'; top.x; f('<p>top</p>')", "'top'; " + T + ".x; f('<p>top</p>')"},
	{"a script that is one string", Classic, "'<p>top</p>'", ""},
	{"handler that is one string", Handler, "'<p>top</p>'", ""},
	// Twelfth pass: a URL whose code is one expression with markup in a
	// literal (a template literal, a concatenation, x302, x303) returns its
	// value too; statements, labels, several statements and URLs without
	// markup stay as they were.
	{"javascript: URL template literal document", URL, "`<!doctype html><script>if (top !== parent) parent.location.replace('d')<\\/script>`",
		DocWrapOpen + "(`<!doctype html><script>if (top !== parent) parent.location.replace('d')<\\/script>`))"},
	{"javascript: URL concatenated document", URL, `'<html><body>' + '<script>if (window.top != window.parent) go()<\/script>' + '</body></html>'; // end`,
		DocWrapOpen + `('<html><body>' + '<script>if (window.top != window.parent) go()<\/script>' + '</body></html>')); // end`},
	{"javascript: URL expression with code and markup", URL, "void(document.write('<b>' + top.name + '</b>'))", DocWrapOpen + "(void(document.write('<b>' + " + T + ".name + '</b>'))))"},
	{"javascript: URL substitution", URL, "`<p>${top.name}</p>`", DocWrapOpen + "(`<p>${" + T + ".name}</p>`))"},
	{"javascript: URL statements, labels, several statements, line breaks, no markup", URL, "if (top) '<p>'; lbl: '<p>' + top; '<p>' + top; x(); '<p>'\n+ top.name", "if (" + T + ") '<p>'; lbl: '<p>' + " + T + "; '<p>' + " + T + "; x(); '<p>'\n+ " + T + ".name"},
	{"javascript: URL label", URL, "lbl: '<p>' + top", "lbl: '<p>' + " + T},
	{"javascript: URL without markup", URL, "void(top.location = 'x')", "void(" + T + ".location = 'x')"},
	{"javascript: URL with a statement keyword first", URL, "var s = '<p>' + top.name; s", "var s = '<p>' + " + T + ".name; s"},

	// Computed keys of a pattern whose value is a window go through the key
	// wrapper (x248); object literals and other values keep their keys.
	{"computed keys of a window's declaration pattern", Classic, `const { [atob("dG9w")]: outer, [atob("c2VsZg==")]: me } = window; if (outer !== me) outer.location.replace(me.location.href)`,
		`const { [` + K + `atob("dG9w"))]: outer, [` + K + `atob("c2VsZg=="))]: me } = window; if (outer !== me) (globalThis.__crmframe_vtop||(x=>x))(outer).location.replace((globalThis.__crmframe_vtop||(x=>x))(me).location.href)`},
	{"computed keys of a window's assignment and parameter patterns", Classic, "let t; ({[k]: t, self: s} = globalThis); function f({[key()]: w} = self) {} var {a, [b]: c} = $window",
		"let t; ({[" + K + "k)]: t, self: s} = globalThis); function f({[" + K + "key())]: w} = self) {} var {a, [" + K + "b)]: c} = $window"},
	{"computed keys left alone", Classic, "var o = {[k]: 1, [f(x)]: 2}; const {[k]: a} = rect; ({[k]: b} = window.x); f({[k]: v}); x = {a: {[k]: v}}; const {n: {[k]: q}} = window; ({[k]: c} = self[0]); g({[k]: d} = o); m = {[k]() {}, get [j]() {}}", ""},

	// Object patterns with a window key next to top.
	{"parameter pattern", Classic, "function frameGuard({ top, self, location }) { if (top !== self) top.location = location.href } frameGuard(window)", "function frameGuard({ " + T + ": top, self, location }) { if (top !== self) top.location = location.href } frameGuard(window)"},
	{"assignment pattern", Classic, "var t, s; ({ top: t, self: s } = window); if (t !== s) t.location.href = s.location.href", "var t, s; ({ " + T + ": t, self: s } = window); if (t !== s) (globalThis.__crmframe_vtop||(x=>x))(t).location.href = (globalThis.__crmframe_vtop||(x=>x))(s).location.href"},
	{"arrow parameter pattern with defaults", Classic, "(({ top: T = null, self: S, location: L } = {}) => T !== S && T.location.replace(L.href))(globalThis)", "(({ " + T + ": T = null, self: S, location: L } = {}) => T !== S && (globalThis.__crmframe_vtop||(x=>x))(T).location.replace(L.href))(globalThis)"},
	{"arrow, method and catch parameter patterns", Classic, "x = ({top, self}) => top; o = {m({top: t, document}) {}}; try {} catch ({top, location}) {}", "x = ({" + T + ": top, self}) => top; o = {m({" + T + ": t, document}) {}}; try {} catch ({" + T + ": top, location}) {}"},
	{"declaration pattern with a window key", Classic, "const {top, self} = getWin()", "const {" + T + ": top, self} = getWin()"},
	{"patterns left alone", Classic, "var o = {top: 1, self: 2}; f({top: t, self: s}, 2); const {top: a, left} = r; const {top: q, self: z, ...rest} = w; function g({top, left}) {} ({top: t, left: l} = r); x = [{top: 1, self: 2}]; function d(a = {top: 1, self: w}, b) {} e = (a = {top: 1, self: w}) => a; f(a = {top: 1, self: w}); k = () => ({top: 1, self: w})", ""},
	{"object literal shorthand still a reference", Classic, "f({top, self})", "f({top: " + T + ", self})"},

	// Twelfth pass: e.top as an arm of a plain condition in a variable's
	// value, confirmed by its use as a window (x306); geometry stays.
	{"conditional arm through a child frame", Classic, "var outer = window.frames.length ? frames[0].top : top; if (outer !== self) outer.location.replace(u)",
		"var outer = window.frames.length ? frames[0]." + T + " : " + T + "; if (outer !== self) outer.location.replace(u)"},
	{"&& arm", Classic, "var p = frames[0] && frames[0].top; p.location = x", "var p = frames[0] && frames[0]." + T + "; p.location = x"},
	{"conditional arms left alone", Classic, "var top2 = rect.top + (o ? o.top : 0); top2.location; var y = rects.length ? rects[0].top : 0; el.style.top = y + 'px'; var z = f(a) ? b.top : 0; z.document; var q = ok ? r.top : 0; s = s.isWindow ? s.scrollTop : s.offset.top; s.document", "var top2 = rect.top + (o ? o.top : 0); (globalThis.__crmframe_vtop||(x=>x))(top2).location; var y = rects.length ? rects[0].top : 0; el.style.top = y + 'px'; var z = f(a) ? b.top : 0; z.document; var q = ok ? r.top : 0; s = s.isWindow ? s.scrollTop : s.offset.top; s.document"},
	// A private field given a window, read as this.#host (x315).
	{"private field window alias", Module, "class G { #host = globalThis; get outer() { return this.#host?.top; } go() { return this . #host.top } }",
		"class G { #host = globalThis; get outer() { return this.#host?." + T + "; } go() { return this . #host." + T + " } }"},
	{"private fields left alone", Module, "class G { #r = rect; #top = 1; f() { return this.#r.top + this.#top + o.#r.top } }", ""},
	// A static private field given a window, read on its class (x394).
	{"static private field window alias", Classic, "class G { static #host = globalThis; static { if (G.#host?.top !== G.#host?.self) G.#host.top?.location?.replace?.(u); } }",
		"class G { static #host = globalThis; static { if (G.#host?." + T + " !== G.#host?.self) G.#host." + T + "?.location?.replace?.(u); } }"},
	{"static private fields left alone", Classic, "class G { static #r = rect; static #top = 1; static f() { return G.#r.top + G.#top + o.p.#r.top } }", ""},
	// Fourth pass of legitimate pages (docs/framebusting-passes.md, x416, x419): a
	// bare top in the body of a with statement, and X.top.postMessage.
	// x416: with (document) { … top.frames … }: the accessor would be
	// found on document (document.__crmframe_top is document.top,
	// undefined); __crmframe_vtop(top) resolves top through the scope.
	{"with document", Classic, `with (document) { write(top.frames.length + top.length) }`, `with (document) { write(` + withVtop + `.frames.length + ` + withVtop + `.length) }`},
	{"with single statement", Classic, "with (document) write(top.length)", "with (document) write(" + withVtop + ".length)"},
	{"with if body", Classic, "with (d) if (a) top.x(); else g(top)", "with (d) if (a) " + withVtop + ".x(); else g(" + withVtop + ")"},
	{"with nested function", Classic, "with (d) { function g() { return top } var h = () => top.frames }", "with (d) { function g() { return " + withVtop + " } var h = () => " + withVtop + ".frames }"},
	{"with head keeps the accessor", Classic, "with (top.document) { x = 1 } top.y", "with (" + T + ".document) { x = 1 } " + T + ".y"},
	{"after a with block", Classic, "function f() { with (d) { a } } top.x", "function f() { with (d) { a } } " + T + ".x"},
	// x337: writes keep top: with (el.style) { top = y } sets el.style.top
	// (the global top cannot be assigned), as the run-time scanner does
	{"with writes", Classic, "with (el.style) { top = y + 'px'; top += 1; top++; --top; for (top in o); for (top of o); }", ""},
	{"with write and read", Classic, "with (el.style) { top = top + 1 }", "with (el.style) { top = " + withVtop + " + 1 }"},
	{"with reads of a box", Classic, "with (el.getBoundingClientRect()) { r.top = top }", "with (el.getBoundingClientRect()) { r.top = " + withVtop + " }"},
	// destructuring targets keep top too (a call cannot be assigned to)
	{"with patterns", Classic, "with (d) { [top, a] = b; ({top} = o); ({a: top} = o); (top) = 1; ((top)) = 2; [(top)] = a; [[top], x] = a; [...top] = a; ({a: [top]} = o); [{top}] = a; ({top = 1} = o) }", ""},
	{"with pattern and value", Classic, "with (d) { [top] = [top] }", "with (d) { [top] = [" + withVtop + "] }"},
	{"with values", Classic, "with (d) { x = {top}; y = [top, [top]]; z = {a: top}; f((top)); c ? top : 1; delete top; typeof top }",
		"with (d) { x = {top: " + withVtop + "}; y = [" + withVtop + ", [" + withVtop + "]]; z = {a: " + withVtop + "}; f((" + withVtop + ")); c ? " + withVtop + " : 1; delete " + withVtop + "; typeof " + withVtop + " }"},
	{"with new", Classic, "with (d) { new top.Foo() }", "with (d) { new (" + withVtop + ").Foo() }"},
	{"with local top", Classic, "with (d) { let top = 1; top.x } function f(top) { with (d) top.y }", ""},
	// the same forms in a handler (a bare top there is always
	// __crmframe_vtop(top)): destructuring targets keep the accessor
	{"handler patterns", Handler, "[top] = a; ({a: top} = o); (top) = 1; new top.X(); f(top)", "[" + T + "] = a; ({a: " + T + "} = o); (" + T + ") = 1; new (" + VtopRef + ").X(); f(" + VtopRef + ")"},

	// x419: X.top.postMessage goes through __crmframe_post (identity
	// but for the real top; a message for the CRM's own origin then goes
	// to the virtual top)
	{"postMessage bare", Classic, "top.postMessage(m, location.origin)", PostWrapOpen + "top).postMessage(m, location.origin)"},
	{"postMessage paths", Classic, "window.top.postMessage(1); self.parent.top?.postMessage(2); $window.top.postMessage(3, '*')",
		PostWrapOpen + "window.top).postMessage(1); " + PostWrapOpen + "self.parent.top)?.postMessage(2); " + PostWrapOpen + "$window.top).postMessage(3, '*')"},
	{"postMessage after a line break", Classic, "a = b\nwindow.top.postMessage(1)", "a = b\n" + PostWrapOpen + "window.top).postMessage(1)"},
	{"postMessage in a with body", Classic, "with (d) { top.postMessage(1, '/') }", "with (d) { ''." + PostWrapOpen + "top).postMessage(1, '/') }"},
	{"postMessage in a handler", Handler, "top.postMessage(1, '*')", PostWrapOpen + "top).postMessage(1, '*')"},
	{"postMessage on a local top", Classic, "function f(top) { top.postMessage(1) }", ""},
	{"postMessage not on a top", Classic, "rect.top.postMessage(1); e.source.top.postMessage(2); getWin().top.postMessage(3)", ""},

	// Unlexable input stays as it is.
	{"unterminated string", Classic, "top.location = 'x", ""},
	{"unbalanced", Classic, "top.location = 1; }", ""},
	{"regex to end of line (076 as published)", Classic, "if (self === top) {}</head><body>\n<div>top</div>", ""},
}

// withVtop is a bare top in a script with a with statement (withBare).
const withVtop = "''." + VtopRef

func TestRewrite(t *testing.T) {
	for _, c := range rwCases {
		t.Run(c.name, func(t *testing.T) {
			want := c.want
			if want == "" {
				want = c.in
			}
			got, res := Rewrite([]byte(c.in), c.kind)
			if string(got) != want {
				t.Fatalf("Rewrite(%q)\n got %s\nwant %s", c.in, got, want)
			}
			if res.Changed != (want != c.in) {
				t.Fatalf("Changed = %v", res.Changed)
			}
			if res.Changed && !onlyTopSwapped([]byte(c.in), got) {
				t.Fatalf("rewrite changed more than top: %s", got)
			}
			if _, err := scanModuleOrClassic(got, c.kind); res.Changed && err != nil {
				t.Fatalf("output does not lex: %v", err)
			}
			n := 0
			for _, v := range res.Counts {
				n += v
			}
			if got := strings.Count(want, T) - strings.Count(c.in, T) + strings.Count(want, K) - strings.Count(c.in, K) +
				strings.Count(want, ievalMark) - strings.Count(c.in, ievalMark) + strings.Count(want, VtopRef) - strings.Count(c.in, VtopRef) -
				strings.Count(want, TD) + strings.Count(c.in, TD) + strings.Count(want, DocWrapOpen) - strings.Count(c.in, DocWrapOpen) +
				strings.Count(want, PostWrapOpen) - strings.Count(c.in, PostWrapOpen) + strings.Count(want, V) - strings.Count(c.in, V); n != got {
				t.Fatalf("counts %v sum to %d, want %d", res.Counts, n, got)
			}
			d := Detect([]byte(c.in), c.kind)
			if d.Changed != res.Changed || len(d.Counts) != len(res.Counts) || (d.Err == nil) != (res.Err == nil) {
				t.Fatalf("Detect = %+v, Rewrite result %+v", d, res)
			}
			for k, v := range res.Counts {
				if d.Counts[k] != v {
					t.Fatalf("Detect counts %v, Rewrite counts %v", d.Counts, res.Counts)
				}
			}
		})
	}
}

func TestRewriteErrors(t *testing.T) {
	for _, in := range []string{"top.location = 'x", "top.location = 1; }", "`${top", "top<!--b\n`"} {
		kind := Classic
		if strings.Contains(in, "<!--") {
			kind = Module
		}
		got, res := Rewrite([]byte(in+""), kind)
		if res.Err == nil || res.Changed || string(got) != in {
			t.Errorf("Rewrite(%q) = %q, %+v; want unchanged with an error", in, got, res)
		}
	}
}

func TestRewriteCounts(t *testing.T) {
	src := "if (top != self) { window.top.location = 1; window['top'].x = {top}; e.top.location = 2 }"
	_, res := Rewrite([]byte(src), Classic)
	want := map[string]int{CountTop: 1, CountMember: 1, CountBracket: 1, CountShorthand: 1, CountAlias: 1}
	if len(res.Counts) != len(want) {
		t.Fatalf("counts %v, want %v", res.Counts, want)
	}
	for k, v := range want {
		if res.Counts[k] != v {
			t.Fatalf("counts %v, want %v", res.Counts, want)
		}
	}
}

// ancestorOrigins is the one rewrite that is not about top.
func TestRewriteAncestorOrigins(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"if (window.location.ancestorOrigins && window.location.ancestorOrigins.length > 0) location.replace('login.html')",
			"if (window.location." + AncestorsAccessor + " && window.location." + AncestorsAccessor + ".length > 0) location.replace('login.html')"},
		{"location?.ancestorOrigins?.[0]", "location?." + AncestorsAccessor + "?.[0]"},
		{"var ancestorOrigins = 1; o = {ancestorOrigins: 2}; s = 'ancestorOrigins'", ""},
	} {
		want := c.want
		if want == "" {
			want = c.in
		}
		got, res := Rewrite([]byte(c.in), Classic)
		if string(got) != want || res.Changed != (want != c.in) || res.Counts[CountAncestors] != strings.Count(want, AncestorsAccessor) {
			t.Errorf("Rewrite(%q) = %q %+v, want %q", c.in, got, res, want)
		}
		if !Mentions([]byte(c.in)) {
			t.Errorf("Mentions(%q) = false", c.in)
		}
	}
}

// const {ancestorOrigins} = location reads the accessor; object literals,
// parameters and assignments keep the name.
func TestRewriteAncestorsPattern(t *testing.T) {
	A := AncestorsAccessor
	for _, c := range []struct{ in, want string }{
		{"const {ancestorOrigins} = location; let {a, ancestorOrigins: o = []} = window.location; var {ancestorOrigins = x} = l",
			"const {" + A + ": ancestorOrigins} = location; let {a, " + A + ": o = []} = window.location; var {" + A + ": ancestorOrigins = x} = l"},
		{"var o = {ancestorOrigins}, p = {ancestorOrigins: 1}; function f({ancestorOrigins}) {} ancestorOrigins = 2", ""},
	} {
		want := c.want
		if want == "" {
			want = c.in
		}
		got, res := Rewrite([]byte(c.in), Classic)
		if string(got) != want || res.Counts[CountAncestors] != strings.Count(want, A) {
			t.Errorf("Rewrite(%q)\n got %s %v\nwant %s", c.in, got, res.Counts, want)
		}
		if res.Changed && !onlyTopSwapped([]byte(c.in), got) {
			t.Errorf("onlyTopSwapped(%q, %q) = false", c.in, got)
		}
	}
}

// eval(x) keeps being a direct eval whose code the shim sees first.
func TestRewriteEval(t *testing.T) {
	W := EvalWrapOpen
	for _, c := range []struct {
		in, want string
		calls    int
	}{
		{`eval("if (top != self) top.location = self.location")`, `eval(` + W + `"if (top != self) top.location = self.location"))`, 1},
		{"eval(function(p,a,c,k){return p}('0.1=2',3,3,'top|location|x'.split('|')))", "eval(" + W + "function(p,a,c,k){return p}('0.1=2',3,3,'top|location|x'.split('|'))))", 1},
		{"x = {a: eval(s), eval(top) { return top }}; eval(); top", "x = {a: eval(" + W + "s)), eval(top) { return top }}; eval(" + W + ")); " + T, 2},
		{"o.eval(s); class A { eval(s) {} } window.x.eval(s); (f, eval) => 1; top", "o.eval(s); class A { eval(s) {} } window.x.eval(s); (f, eval) => 1; " + T, 0},
		// (0, eval)(s) and eval?.(s) are indirect evals: same wrapper.
		{"(0, eval)(s); (0,eval) ('top'); eval?.(s)", "(0, eval)(" + W + "s)); (0,eval) (" + W + "'top')); eval?.(" + W + "s))", 3},
		// window.eval(s) is an indirect eval of global code: same wrapper.
		{"window.eval(s); self.eval('top'); globalThis?.eval(s)", "window.eval(" + W + "s)); self.eval(" + W + "'top')); globalThis?.eval(" + W + "s))", 3},
		{"eval(s)", "eval(" + W + "s))", 1}, // eval(atob(...)): wrapped without any top
		{"evaluate(s); x.eval; evil(s)", "", 0},
	} {
		want := c.want
		if want == "" {
			want = c.in
		}
		got, res := Rewrite([]byte(c.in), Classic)
		if string(got) != want || res.Counts[CountEval] != c.calls {
			t.Errorf("Rewrite(%q)\n got %s %v\nwant %s (%d eval calls)", c.in, got, res.Counts, want, c.calls)
		}
		if res.Changed && !onlyTopSwapped([]byte(c.in), got) {
			t.Errorf("onlyTopSwapped(%q, %q) = false", c.in, got)
		}
	}
}

// An eval used as a value runs indirectly: it becomes the shim's
// __crmframe_ieval (bare) or that window's (window.eval); direct calls,
// locals, writes, keys and destructuring targets stay.
func TestRewriteIndirectEval(t *testing.T) {
	R, D, Y := IevalRef, "["+IevalKey+"]", IevalKey
	W := EvalWrapOpen
	for _, c := range []struct {
		kind     Kind
		in, want string
	}{
		{Classic, "var e = eval; e(s)", "var e = " + R + "; e(s)"},
		{Classic, "[eval][0](s)", "[" + R + "][0](s)"},
		{Classic, "eval.call(null, s); eval.apply(window, [s])", R + ".call(null, s); " + R + ".apply(window, [s])"},
		{Classic, "setTimeout(eval, 0, s); f(a, eval)", "setTimeout(" + R + ", 0, s); f(a, " + R + ")"},
		{Classic, "typeof eval; a ? eval : b; x = {a: eval, eval}; eval`s`", "typeof " + R + "; a ? " + R + " : b; x = {a: " + R + ", eval: " + R + "}; " + R + "`s`"},
		{Classic, "var e = (0, eval); f(eval?.call(null, s))", "var e = (0, " + R + "); f(" + R + "?.call(null, s))"},
		{Classic, "!function(){ var e = eval; return e(s) }()", "!function(){ var e = " + R + "; return e(s) }()"},
		// Window members keep their window: that window's __crmframe_ieval.
		{Classic, "var e = window.eval, f = self.eval, g = globalThis . eval, h = parent.eval, i = this.eval, j = window?.eval",
			"var e = window" + D + ", f = self" + D + ", g = globalThis " + D + ", h = parent" + D + ", i = this" + D + ", j = window?." + D},
		{Classic, "top.eval.call(top, s); window.parent.eval; window['eval']; self[\"eval\"](s)",
			T + D + ".call(" + T + ", s); window.parent" + D + "; window[" + Y + "]; self[" + Y + "](s)"},
		// A line break that ended a statement by ASI stays one.
		{Classic, "var s = 'x'\neval.call(null, s)\nvar o = {}\neval.call(null, s)", "var s = 'x'\n;" + R + ".call(null, s)\nvar o = {}\n;" + R + ".call(null, s)"},
		{Classic, "if (x)\neval.call(null, s)\nf(\neval)", "if (x)\n" + R + ".call(null, s)\nf(\n" + R + ")"},
		// javascript: URL strings: the key's quotes do not end the string.
		{Classic, `location.href = 'javascript:var e = window.eval; e(s)'; u = "javascript:eval.call(0, s)"`,
			`location.href = 'javascript:var e = window` + strings.ReplaceAll(D, "'", `"`) + `; e(s)'; u = "javascript:` + R + `.call(0, s)"`},
		{URL, "var e = eval; e(s)", "var e = " + R + "; e(s)"},
		{Handler, "setTimeout(eval, 0, s)", "setTimeout(" + R + ", 0, s)"},
		{Module, "export default eval; f(window.eval)", "export default " + R + "; f(window" + D + ")"},

		// Direct calls stay direct (local scope), with the code wrapper.
		{Classic, "eval(s); (0, eval)(s); eval?.(s); (eval)(s); window.eval(s)", "eval(" + W + "s)); (0, eval)(" + W + "s)); eval?.(" + W + "s)); (eval)(" + W + "s)); window.eval(" + W + "s))"},
		// Locals, parameters and declarations named eval.
		{Classic, "function f(eval) { return eval } var g = eval => eval; var h = (a, eval) => eval; try {} catch (eval) { eval }", ""},
		{Classic, "function f() { var eval = g; return eval } function k() { function eval() {} return [eval] } eval", "function f() { var eval = g; return eval } function k() { function eval() {} return [eval] } " + R},
		{Classic, "var eval = f; x = eval", ""}, // a global var replaces window.eval
		{Classic, "function f({eval}, [g, eval2]) { return eval }", ""},
		// Writes and destructuring targets.
		{Classic, "eval = f; eval += 1; eval++; ++eval; delete eval; for (eval of x) {}", ""},
		{Classic, "({eval} = o); [eval] = a; ({a: eval} = o); [a, [eval]] = b; for ([eval] of x) {}", ""},
		{Classic, "x = [[eval] = z]; y = ({k: [eval] = 1}); [(eval)] = z; ((eval)) = f; ++(eval); for ((eval) in o);", ""},
		{Classic, "x = [eval, [eval] = z]; y = [(eval)]; f((eval))", "x = [" + R + ", [eval] = z]; y = [(" + R + ")]; f((" + R + "))"},
		{Classic, "window.eval = f; delete window.eval; window['eval'] = f; self.eval += ''", ""},
		// Keys, methods, labels, other objects, strings, regexps, templates.
		{Classic, "y = {eval: 1}; class A { eval() {} static eval = 1 } z = { eval() {}, get eval() {} }; eval: for (;;) break eval", ""},
		{Classic, "o.eval; o['eval']; o.eval.call(o, s); a.window.x.eval; var w = window; w.eval", ""},
		{Classic, "'eval'; \"eval\"; `eval`; /eval/.test(x); // eval\n/* eval */", ""},
		{Classic, "var s = `eval ${eval}`", "var s = `eval ${" + R + "}`"},
		// A local window name is an ordinary object: its eval is its own.
		{Classic, "function f() { var self = this; return self.eval } function g(window) { return window.eval } function h() { let top = o; return top.eval }", ""},
		{Classic, "(function(self){ return self.eval })(o); var f = parent => parent.eval", ""},
		// Escaped spellings.
		{Classic, "var e = \\u0065val; e = window.\\u{65}val; \\u0065val(s)", "var e = " + R + "; e = window" + D + "; \\u0065val(" + W + "s))"},
	} {
		want := c.want
		if want == "" {
			want = c.in
		}
		got, res := Rewrite([]byte(c.in), c.kind)
		if string(got) != want {
			t.Errorf("Rewrite(%q)\n got %s\nwant %s", c.in, got, want)
			continue
		}
		if n := strings.Count(want, ievalMark) - strings.Count(c.in, ievalMark); res.Counts[CountIeval] != n {
			t.Errorf("Rewrite(%q): counts %v, want %d ieval", c.in, res.Counts, n)
		}
		if res.Changed && !onlyTopSwapped([]byte(c.in), got) {
			t.Errorf("onlyTopSwapped(%q, %q) = false", c.in, got)
		}
	}
}

// \u escapes in identifiers spell the same names: every comparison the
// rewriter makes sees the decoded name.
func TestRewriteUnicodeEscapes(t *testing.T) {
	for _, c := range []struct {
		kind     Kind
		in, want string
	}{
		{Classic, `if (\u0074op !== self) \u0074op.location = location.href`, "if (" + T + " !== self) (globalThis.__crmframe_vtop||(x=>x))(" + T + ").location = location.href"},
		{Classic, `\u{74}op.location = 1; t\u006fp; to\u{0000070}; \u0074\u006f\u0070`, "(globalThis.__crmframe_vtop||(x=>x))(" + T + ").location = 1; " + T + "; " + T + "; " + T},
		{Classic, `window.\u0074op.location = 1; sel\u0066.top; par\u0065nt.top; window['self'].t\u006fp`,
			"window." + T + ".location = 1; sel\\u0066." + T + "; par\\u0065nt." + T + "; window['self']." + T},
		{Classic, `sel\u0066[k]; w\u0069ndow?.[k]`, `sel\u0066[` + K + `k)]; w\u0069ndow?.[` + K + `k)]`},
		{Classic, `var w = win\u0064ow; w.top.x; $\u0077indow.top`, "var w = win\\u0064ow; w." + T + ".x; " + V + "$\\u0077indow.top)"},
		{Classic, `(function(e){ e.\u0074op !== e.self && (e.top.location = 1) })(window)`, "(function(e){ e." + T + " !== e.self && (e." + T + ".location = 1) })(window)"},
		{Classic, `var o = {\u0074op}; const {\u0074op: t} = window; const {top: u} = s\u0065lf`, "var o = {top: " + T + "}; const {" + T + ": t} = window; const {" + T + ": u} = s\\u0065lf"},
		{Classic, `location.\u0061ncestorOrigins; top.\u0070ostMessage(1, '*')`, "location." + AncestorsAccessor + "; " + PostWrapOpen + "top).\\u0070ostMessage(1, '*')"},
		{Classic, `\u0065val("top.location = 1")`, `\u0065val(` + EvalWrapOpen + `"top.location = 1"))`},
		// Declarations spelled with escapes shadow, and are shadowed.
		{Classic, `function f() { var \u0074op = 1; return top } function g(t\u006fp) { return top } function h() { return \u0074op }`,
			`function f() { var \u0074op = 1; return top } function g(t\u006fp) { return top } function h() { return ` + T + ` }`},
		{Module, `let \u0074op = 1; top`, ""},
		{Classic, `var f = \u0074op => top; class C { \u0074op() {} }; x = {\u0074op: 1}`, ""},
		// Other escapes, strings and invalid escapes name nothing.
		{Classic, `\u0074o; \u0078top; 'to\u0070'; "\u0074op"; /\u0074op/; stop\u00e9`, ""},
		{Classic, `var \u00e9 = 1, caf\u00e9 = top`, `var \u00e9 = 1, caf\u00e9 = ` + T},
		{Classic, `\u{110000}op`, ""},
	} {
		want := c.want
		if want == "" {
			want = c.in
		}
		got, res := Rewrite([]byte(c.in), c.kind)
		if string(got) != want {
			t.Errorf("Rewrite(%q)\n got %s\nwant %s", c.in, got, want)
			continue
		}
		if res.Changed != (want != c.in) || res.Err != nil {
			t.Errorf("Rewrite(%q): %+v", c.in, res)
		}
		if res.Changed && !onlyTopSwapped([]byte(c.in), got) {
			t.Errorf("onlyTopSwapped(%q, %q) = false", c.in, got)
		}
		if !Mentions([]byte(c.in)) && res.Changed {
			t.Errorf("Mentions(%q) = false", c.in)
		}
	}
}

// naiveMentions is Mentions written the obvious way.
var windowBracketRE = regexp.MustCompile(`(^|[^A-Za-z])(window|self|parent|frames|globalThis|location)[ \t\n\r]*(\?\.[ \t\n\r]*)?\[`)

// importCallRE: a dynamic import (its specifier may be a data:/blob: module).
var importCallRE = regexp.MustCompile(`import[ \t\n\r]*\(`)

func naiveMentions(src []byte) bool {
	return naivePlain(src) || naivePlain(unescapeASCII(src))
}

// windowAliasRE: a window name assigned as a value (var w = window;).
// Also a copy of a window ({...window}) and document.defaultView (x430,
// x442).
var windowAliasRE = regexp.MustCompile("(^|[^=!<>])=[ \t\n\r]*((window|globalThis)([^A-Za-z0-9_$.\\[(?` \t\n\r]|[ \t\n\r]*$|[ \t\n\r]+[^.\\[(?` \t\n\r])" +
	"|document\\.defaultView([^A-Za-z0-9_$]|$)|\\{[ \t\n\r]*\\.\\.\\.[ \t\n\r]*(window|self|parent|frames|globalThis|top)([^A-Za-z0-9_$]|$))")

func naivePlain(src []byte) bool {
	return bytes.Contains(src, []byte("top")) || bytes.Contains(src, []byte("eval")) ||
		bytes.Contains(src, []byte("ancestorOrigins")) || windowBracketRE.Match(src) || windowAliasRE.Match(src) ||
		importCallRE.Match(src)
}

var escRE = regexp.MustCompile(`\\u(?:[0-9a-fA-F]{4}|\{[0-9a-fA-F]+\})`)

// unescapeASCII decodes the \u escapes of ASCII characters in b.
func unescapeASCII(b []byte) []byte {
	return escRE.ReplaceAllFunc(b, func(m []byte) []byte {
		h := strings.Trim(string(m[2:]), "{}")
		if v, err := strconv.ParseUint(h, 16, 32); err == nil && v < 0x80 {
			return []byte{byte(v)}
		}
		return m
	})
}

func TestMentions(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"var a = parent.frames.length", false},
		{"x.stop()", true}, {"top", true}, {"to", false}, {"op", false},
		{"eval", true}, {"evil(val)", false}, {"e.val", false},
		{"location.ancestorOrigins", true}, {"ancestorrigins", false},
		{"window[k]", true}, {"self [k]", true}, {"parent?.[k]", true}, {"frames\n[0]", true}, {"globalThis[x]", true},
		{"window ?. [k]", true}, {"o.self[k]", true}, // a superset is fine: it only costs a lexing pass
		{"windows[k]; myself[k]; a[1]; window.x[k]; [self]", false}, {"[", false}, {"", false},
		// an alias of the window (its computed keys may be wrapped)
		{"var w = window;", true}, {"e=self,f", false}, {"x = globalThis\n", true}, {"a = window", true}, {"w =\nwindow || {}", true},
		{"a = window.x; b = self.y; c == window; d != self; e <= self; f = windows; g = selfish; h = window (1); i = self?.x", false},
		// \u escapes of ASCII letters can spell a trigger; others cannot.
		{`\u0074op`, true}, {`t\u{6F}p`, true}, {`\u0065v\u0061l`, true}, {`sel\u0066[k]`, true}, {`x.\u0061ncestorOrigins`, true},
		{`"caf\u00e9\n"; \u0041; \u{1F600}; \u00zz; \\; \u{}; \u{74`, false}, {`\`, false}, {`\u`, false},
		// a dynamic import (thirteenth pass); static imports are not one
		{"import('data:text/javascript,x')", true}, {"import (u)", true}, {"await import\n(u)", true},
		{"import x from 'y'; import {a} from 'b'; export * from 'c'; imports(x); o.import", false},
		// location[k] (its key may be 'ancestorOrigins')
		{"location[k]", true}, {"document.location [k]", true}, {"locations[k]; location.hash", false},
	} {
		if got := Mentions([]byte(c.in)); got != c.want || got != naiveMentions([]byte(c.in)) {
			t.Errorf("Mentions(%q) = %v, want %v", c.in, got, c.want)
		}
	}
	src := []byte("var a = parent.frames.length; // nothing to do")
	out, res := Rewrite(src, Classic)
	if &out[0] != &src[0] || res.Changed || res.Counts != nil {
		t.Fatal("a script that does not mention top must come back as the same slice")
	}
}

// TestNoWriteIntoSpareCapacity: the lexer needs a NUL after the input; it
// must not be written into the caller's buffer.
func TestNoWriteIntoSpareCapacity(t *testing.T) {
	buf := []byte("top.location = 1;XYZ")
	src := buf[:17]
	Rewrite(src, Classic)
	if string(buf) != "top.location = 1;XYZ" {
		t.Fatalf("caller's buffer changed: %q", buf)
	}
}

var update = flag.Bool("update", false, "rewrite testdata/snippets.golden")

// TestSnippets runs every JavaScript block of the public corpus
// (testdata/snippets.txt) through the rewriter and compares with a reviewed
// golden file. Blocks that are HTML or server templates are rewritten as
// classic scripts too: what matters is that nothing breaks and no bare top
// is left in the plain JavaScript ones.
func TestSnippets(t *testing.T) {
	raw, err := os.ReadFile("testdata/snippets.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for _, block := range strings.Split(string(raw), "\n----\n") {
		lines := strings.Split(strings.TrimSpace(block), "\n")
		if len(lines) < 3 {
			continue
		}
		code := strings.Join(lines[2:], "\n")
		got, res := Rewrite([]byte(code), Classic)
		out.WriteString(lines[0] + "\n")
		if res.Err != nil {
			out.WriteString("# unlexable: unchanged\n")
		} else if !res.Changed {
			out.WriteString("# unchanged\n")
		}
		out.Write(got)
		out.WriteString("\n----\n")
	}
	if *update {
		if err := os.WriteFile("testdata/snippets.golden", out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("testdata/snippets.golden")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Fatalf("snippets differ from testdata/snippets.golden (run with -update and review the diff)")
	}
}

func FuzzRewrite(f *testing.F) {
	for _, c := range rwCases {
		f.Add([]byte(c.in), uint8(c.kind))
	}
	f.Add([]byte("with (document) { write(top.frames.length) } with (el.style) { top = 1; [top] = a; x = {top} }"), uint8(Classic))
	f.Add([]byte("with (document) { write(top.frames.length) } with (el.style) { top = 1; [top] = a; x = {top} }"), uint8(Handler))
	f.Add([]byte("with (d) if (a) new top.X(); else ({a: top} = o); top.postMessage(1, location.origin); window.top?.postMessage(2)"), uint8(Classic))
	f.Add([]byte("with (d) if (a) new top.X(); else ({a: top} = o); top.postMessage(1, location.origin); window.top?.postMessage(2)"), uint8(Handler))
	f.Add([]byte("`${`${top}`}`"), uint8(0))
	f.Add([]byte("a = b\n/top/g.exec(c)"), uint8(0))
	f.Add([]byte("var e = eval; [eval][0](s); eval.call(null, s); setTimeout(eval, 0, s); x = window.eval; self['eval'](s)"), uint8(0))
	f.Add([]byte("({eval} = o); [a, eval] = b; (eval) => eval; f(a, eval) => 1; a\neval.call(0, s)"), uint8(0))
	f.Add([]byte(`if (\u0074op !== sel\u0066) \u{74}op.location = 1; var e = \u0065val; window.\u0074op`), uint8(0))
	f.Fuzz(func(t *testing.T, src []byte, k uint8) {
		kind := Kind(k % 4)
		orig := append([]byte(nil), src...)
		out, res := Rewrite(src, kind)
		if !bytes.Equal(src, orig) {
			t.Fatal("input modified")
		}
		if naiveMentions(src) && !Mentions(src) {
			t.Fatalf("Mentions(%q) = false, but it holds a trigger", src)
		}
		if !Mentions(src) && !bytes.Equal(out, src) {
			t.Fatal("output differs although Mentions is false")
		}
		if res.Err != nil && !bytes.Equal(out, src) {
			t.Fatal("unlexable input must come back unchanged")
		}
		if !res.Changed && !bytes.Equal(out, src) {
			t.Fatal("Changed=false but output differs")
		}
		if res.Changed && !onlyTopSwapped(src, out) {
			t.Fatalf("rewrite changed more than top:\n%q\n%q", src, out)
		}
		if res.Changed {
			if _, err := scanModuleOrClassic(out, kind); err != nil {
				t.Fatalf("output does not lex (%v):\n%q\n%q", err, src, out)
			}
		}
	})
}

// topBefore reports whether b ends with the name top (maybe escaped) or
// a key ['top'].
func topBefore(b []byte) bool {
	if len(b) > 0 && b[len(b)-1] == ']' {
		t := bytes.TrimRight(b[:len(b)-1], " \t\r\n")
		return len(t) >= 5 && bytes.IndexByte([]byte("'\"`"), t[len(t)-1]) >= 0 && t[len(t)-5] == t[len(t)-1] && string(t[len(t)-4:len(t)-1]) == "top"
	}
	k := len(b)
	for k > 0 && (isIdentByte(b[k-1]) || b[k-1] == '\\' || b[k-1] == '{' || b[k-1] == '}') {
		k--
	}
	return k < len(b) && string(decodeIdent(b[k:])) == "top"
}

// onlyTopSwapped reports whether out is src with some occurrences of top
// replaced by the accessor, or by "top: " and the accessor (a shorthand
// property {top} becomes {top: __crmframe_top}), or by the accessor and
// ": top" (a shorthand key of a window pattern), and ancestorOrigins by its
// accessor, the eval wrapper inserted after "eval(" with its ")" before a
// later ")", the key wrapper inserted after "[" with its ")" before a later
// "]", eval by IevalRef (or "eval: " IevalRef, or ";" IevalRef), ".eval" or
// the name after "?." or a quoted 'eval' by the IevalKey forms, and nothing
// else. The names may be spelled with \u escapes.
// locationAfter reports whether src starts with .location (blanks before
// the dot allowed): the end of X in VtopWrapOpen X VtopWrapClose .location.
func locationAfter(src []byte) bool {
	src = bytes.TrimLeft(src, " \t\r\n")
	if len(src) > 1 && src[0] == '?' && src[1] == '.' {
		// t?.location, t?.['location'] (pass 32)
		if k := bytes.TrimLeft(src[2:], " \t\r\n"); len(k) > 0 && k[0] == '[' {
			src = k
		} else {
			src = src[1:]
		}
	}
	if len(src) > 0 && src[0] == '[' {
		// t['location'] (pass 32)
		k := bytes.TrimLeft(src[1:], " \t\r\n")
		// t[l], a key that is no lone literal (pass 33, keyRecv)
		return bytes.HasPrefix(k, []byte("'location'")) || bytes.HasPrefix(k, []byte(`"location"`)) || !loneLiteralKey(k)
	}
	return len(src) > 0 && src[0] == '.' && nameAt(bytes.TrimLeft(src[1:], " \t\r\n"), "location") > 0
}

// loneLiteralKey reports whether k (the text after a '[') starts with one
// string, template or number literal without escapes, then ']': a key
// keyRecv leaves alone ('loc' + l or two strings in a row are none).
func loneLiteralKey(k []byte) bool {
	if len(k) == 0 {
		return false
	}
	e := 0
	switch q := k[0]; {
	case q == '\'' || q == '"' || q == '`':
		e = bytes.IndexByte(k[1:], q) + 1
		if e == 0 || bytes.IndexByte(k[:e], '\\') >= 0 || q == '`' && bytes.Contains(k[:e], []byte("${")) {
			return false
		}
		e++
	case q >= '0' && q <= '9':
		for e < len(k) && (isIdentByte(k[e]) || k[e] == '.') {
			e++
		}
	default:
		return false
	}
	rest := bytes.TrimLeft(k[e:], " \t\r\n")
	return len(rest) > 0 && rest[0] == ']'
}

func onlyTopSwapped(src, out []byte) bool {
	// a script with a with statement reads the wrappers' function by its
	// bare name (withSafe): the same wrapper to this check
	out = withSafeBack.ReplaceAll(out, []byte("globalThis.$1||"))
	// and the bare helpers off a string's prototype (withBare)
	out = bytes.ReplaceAll(out, []byte("''.__crmframe_"), []byte("__crmframe_"))
	acc, short, pat := []byte(Accessor), []byte("top: "+Accessor), []byte(Accessor+": top")
	vtop, vshort, vnew := []byte(VtopRef), []byte("top: "+VtopRef), []byte("("+VtopRef+")")
	postOpen, vtopOpen := []byte(PostWrapOpen), []byte(VtopWrapOpen)
	topDot := []byte(TD)
	ievals := [][]byte{[]byte(IevalRef), []byte("eval: " + IevalRef), []byte(";" + IevalRef)}
	dq := strings.ReplaceAll(IevalKey, "'", `"`)
	keys := [][]byte{[]byte(IevalKey), []byte(dq)}
	dots := [][]byte{[]byte("[" + IevalKey + "]"), []byte("[" + dq + "]")}
	ao, aoAcc, aoPat := []byte("ancestorOrigins"), []byte(AncestorsAccessor), []byte(AncestorsAccessor+": ancestorOrigins")
	evalOpen, keyOpen, docOpen, urlOpen := []byte(EvalWrapOpen), []byte(KeyWrapOpen), []byte(DocWrapOpen), []byte(URLWrapOpen)
	type state struct {
		i, j  int
		stack string // closers of the open wrappers, innermost last
	}
	failed := map[state]bool{}
	var match func(i, j int, stack string) bool
	match = func(i, j int, stack string) bool {
		for {
			if i == len(src) && j == len(out) && stack == "" {
				return true
			}
			if failed[state{i, j, stack}] {
				return false
			}
			if evalCallBefore(src[:i]) && bytes.HasPrefix(out[j:], evalOpen) && match(i, j+len(evalOpen), stack+")") {
				return true
			}
			if i > 0 && src[i-1] == '[' && bytes.HasPrefix(out[j:], keyOpen) && match(i, j+len(keyOpen), stack+"]") {
				return true
			}
			// import(x) -> import(urlOpen x ), closed before its ',' or ')'
			if importCallBefore(src[:i]) && bytes.HasPrefix(out[j:], urlOpen) && match(i, j+len(urlOpen), stack+"I") {
				return true
			}
			if n := len(stack); n > 0 && stack[n-1] == 'I' && i < len(src) && (src[i] == ')' || src[i] == ',') && j < len(out) && out[j] == ')' && match(i, j+1, stack[:n-1]) {
				return true
			}
			if n := len(stack); n > 0 && i < len(src) && src[i] == stack[n-1] && j+1 < len(out) && out[j] == ')' && out[j+1] == src[i] && match(i, j+1, stack[:n-1]) {
				return true
			}
			// the document wrapper: before a quote, its ")" after the string
			if i < len(src) && (src[i] == '\'' || src[i] == '"') && bytes.HasPrefix(out[j:], docOpen) && match(i, j+len(docOpen), stack+"$") {
				return true
			}
			if n := len(stack); n > 0 && stack[n-1] == '$' && i > 0 && (src[i-1] == '\'' || src[i-1] == '"') && j < len(out) && out[j] == ')' && match(i, j+1, stack[:n-1]) {
				return true
			}
			// the expression document wrapper (a javascript: URL's code):
			// "(" + docOpen before it, "))" after it
			if bytes.HasPrefix(out[j:], docOpen) && j+len(docOpen) < len(out) && out[j+len(docOpen)] == '(' && match(i, j+len(docOpen)+1, stack+"E") {
				return true
			}
			if n := len(stack); n > 0 && stack[n-1] == 'E' && bytes.HasPrefix(out[j:], []byte("))")) && match(i, j+2, stack[:n-1]) {
				return true
			}
			top := nameAt(src[i:], "top")
			if n := nameAt(src[i:], string(ao)); n > 0 && bytes.HasPrefix(out[j:], aoAcc) && match(i+n, j+len(aoAcc), stack) {
				return true
			}
			if n := nameAt(src[i:], string(ao)); n > 0 && bytes.HasPrefix(out[j:], aoPat) && match(i+n, j+len(aoPat), stack) {
				return true
			}
			if top > 0 && bytes.HasPrefix(out[j:], pat) && match(i+top, j+len(pat), stack) {
				return true
			}
			if top > 0 && bytes.HasPrefix(out[j:], short) && match(i+top, j+len(short), stack) {
				return true
			}
			if top > 0 && bytes.HasPrefix(out[j:], acc) && match(i+top, j+len(acc), stack) {
				return true
			}
			if top > 0 && bytes.HasPrefix(out[j:], vtop) && match(i+top, j+len(vtop), stack) {
				return true
			}
			if top > 0 && bytes.HasPrefix(out[j:], vnew) && match(i+top, j+len(vnew), stack) {
				return true
			}
			// X.top.postMessage -> __crmframe_post(X.top).postMessage
			if bytes.HasPrefix(out[j:], postOpen) && match(i, j+len(postOpen), stack+"P") {
				return true
			}
			if n := len(stack); n > 0 && stack[n-1] == 'P' && j < len(out) && out[j] == ')' && postMessageAt(src[i:]) && match(i, j+1, stack[:n-1]) {
				return true
			}
			// X.top -> VtopWrapOpen X.top VtopWrapClose
			if bytes.HasPrefix(out[j:], vtopOpen) && match(i, j+len(vtopOpen), stack+"V") {
				return true
			}
			if bytes.HasPrefix(out[j:], []byte(LocNLWrapOpen)) && match(i, j+len(LocNLWrapOpen), stack+"V") {
				return true
			}
			if n := len(stack); n > 0 && stack[n-1] == 'V' && j < len(out) && out[j] == ')' && (topBefore(src[:i]) || locationAfter(src[i:])) && match(i, j+1, stack[:n-1]) {
				return true
			}
			// a?.b.location -> V a?.b ) ?.location (pass 33): the '.' after
			// the wrapper's ')'
			if i < len(src) && src[i] == '.' && bytes.HasPrefix(out[j:], []byte("?.")) && bytes.HasSuffix(bytes.TrimRight(out[:j], " \t\r\n"), []byte(")")) &&
				nameAt(bytes.TrimLeft(src[i+1:], " \t\r\n"), "location") > 0 && match(i+1, j+2, stack) {
				return true
			}
			// x?.top -> x?.[key]; x . top -> x [key]
			if top > 0 && bytes.HasPrefix(out[j:], topDot) && match(i+top, j+len(topDot), stack) {
				return true
			}
			if i < len(src) && src[i] == '.' && bytes.HasPrefix(out[j:], topDot) {
				k := i + 1
				for k < len(src) && bytes.IndexByte([]byte(" \t\r\n"), src[k]) >= 0 {
					k++
				}
				if n := nameAt(src[k:], "top"); n > 0 && match(k+n, j+len(topDot), stack) {
					return true
				}
			}
			if top > 0 && bytes.HasPrefix(out[j:], vshort) && match(i+top, j+len(vshort), stack) {
				return true
			}
			ev := nameAt(src[i:], "eval")
			for _, r := range ievals {
				if ev > 0 && bytes.HasPrefix(out[j:], r) && match(i+ev, j+len(r), stack) {
					return true
				}
			}
			for _, r := range dots {
				if !bytes.HasPrefix(out[j:], r) {
					continue
				}
				if ev > 0 && bytes.HasSuffix(bytes.TrimRight(src[:i], " \t\r\n"), []byte("?.")) && match(i+ev, j+len(r), stack) {
					return true
				}
				if i < len(src) && src[i] == '.' {
					k := i + 1
					for k < len(src) && bytes.IndexByte([]byte(" \t\r\n"), src[k]) >= 0 {
						k++
					}
					if n := nameAt(src[k:], "eval"); n > 0 && match(k+n, j+len(r), stack) {
						return true
					}
				}
			}
			for _, r := range keys {
				if i+6 <= len(src) && bytes.IndexByte([]byte("'\"`"), src[i]) >= 0 && string(src[i+1:i+5]) == "eval" && src[i+5] == src[i] &&
					bytes.HasPrefix(out[j:], r) && match(i+6, j+len(r), stack) {
					return true
				}
			}
			if i == len(src) || j == len(out) || src[i] != out[j] {
				failed[state{i, j, stack}] = true
				return false
			}
			i, j = i+1, j+1
		}
	}
	return match(0, 0, "")
}

// postMessageAt reports whether b starts with .postMessage or ?.postMessage
// (spaces allowed, the name possibly escaped).
func postMessageAt(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	if bytes.HasPrefix(b, []byte("?.")) {
		b = b[2:]
	} else if bytes.HasPrefix(b, []byte(".")) {
		b = b[1:]
	} else {
		return false
	}
	return nameAt(bytes.TrimLeft(b, " \t\r\n"), "postMessage") > 0
}

// nameAt returns the length of the spelling of the identifier name word at
// the start of b, each character plain or a \u escape; 0 if there is none.
func nameAt(b []byte, word string) int {
	i := 0
	for k := 0; k < len(word); k++ {
		if i < len(b) && b[i] == word[k] {
			i++
			continue
		}
		if i >= len(b) || b[i] != '\\' {
			return 0
		}
		m := escRE.Find(b[i:min(len(b), i+16)])
		if m == nil || !bytes.HasPrefix(b[i:], m) || string(unescapeASCII(m)) != word[k:k+1] {
			return 0
		}
		i += len(m)
	}
	return i
}

// evalCallBefore reports whether b ends with the '(' of a call of eval:
// eval(, (0, eval)(, eval?.( (spaces allowed), or window.eval(.
// importCallBefore reports whether b ends with "import" and "(".
func importCallBefore(b []byte) bool {
	if !bytes.HasSuffix(b, []byte("(")) {
		return false
	}
	return bytes.HasSuffix(bytes.TrimRight(b[:len(b)-1], " \t\r\n"), []byte("import"))
}

func evalCallBefore(b []byte) bool {
	if !bytes.HasSuffix(b, []byte("(")) {
		return false
	}
	if bytes.IndexByte(b, '\\') >= 0 {
		b = unescapeASCII(b)
	}
	b = bytes.TrimRight(b[:len(b)-1], " \t\r\n")
	switch {
	case bytes.HasSuffix(b, []byte(")")):
		b = b[:len(b)-1]
	case bytes.HasSuffix(b, []byte("?.")):
		b = b[:len(b)-2]
	}
	return bytes.HasSuffix(bytes.TrimRight(b, " \t\r\n"), []byte("eval"))
}

func TestOnlyTopSwapped(t *testing.T) {
	for _, c := range []struct {
		src, out string
		want     bool
	}{
		{"{top: top}", "{top: __crmframe_top}", true},
		{"({top}, {top: top})", "({top: __crmframe_top}, {top: __crmframe_top})", true},
		{"top.x", "__crmframe_top.x", true},
		{"top.x", "__crmframe_top.y", false},
		{"top", "top: __crmframe_top", true},
		{"a", "b", false},
		{"top", "__crmframe_top;", false},
		{"{top} = w", "{__crmframe_top: top} = w", true},
		{"l.ancestorOrigins", "l.__crmframe_ancestorOrigins", true},
		{"l.ancestorOrigins", "l.__crmframe_ancestorOriginsX", false},
		{"eval(a(b))", "eval(" + EvalWrapOpen + "a(b)))", true},
		{"eval(a(b))", "eval(" + EvalWrapOpen + "a(b))", false},
		{"f(a)", "f(" + EvalWrapOpen + "a))", false},
		{"w[k]", "w[" + KeyWrapOpen + "k)]", true},
		{"w[k]", "w[" + KeyWrapOpen + "k])", false},
		{"eval(w[k])", "eval(" + EvalWrapOpen + "w[" + KeyWrapOpen + "k)]))", true},
		{`\u0074op`, Accessor, true},
		{`t\u006fp`, "top: " + Accessor, true},
		{`\u0074ap`, Accessor, false},
		{"e = eval", "e = " + IevalRef, true},
		{"e = ev", "e = " + IevalRef, false},
		{"a\neval", "a\n;" + IevalRef, true},
		{"{eval}", "{eval: " + IevalRef + "}", true},
		{"w.eval; w . \\u0065val; w?.eval", "w[" + IevalKey + "]; w [" + IevalKey + "]; w?.[" + IevalKey + "]", true},
		{"w.eval", "w.[" + IevalKey + "]", false},
		{"w['eval']", "w[" + IevalKey + "]", true},
		{"w['evil']", "w[" + IevalKey + "]", false},
	} {
		if got := onlyTopSwapped([]byte(c.src), []byte(c.out)); got != c.want {
			t.Errorf("onlyTopSwapped(%q, %q) = %v", c.src, c.out, got)
		}
	}
}

// e['top'] on an object not known to be a window is rewritten when the code
// uses it as one (.location, ['document'], compared with its self), as
// e.top.location is: Dojo's dojo.global["top"], Closure's quoted names.
func TestRewriteBracketAlias(t *testing.T) {
	A := Accessor
	for _, c := range []struct{ in, want string }{
		{"dojo.global['top'].location.href = x", "dojo.global['" + A + "'].location.href = x"},
		{`g["top"]["location"]["replace"](x)`, `g["` + A + `"]["location"]["replace"](x)`},
		{"g['top']?.document.title", "g['" + A + "']?.document.title"},
		{"(0,window)['top'].location = x", "(0,window)['" + A + "'].location = x"},
		{"if (g['top'] !== g['self']) 1; if (g[\"top\"] != self) 2; if (o.w['top'] === o.w.self) 3",
			"if (g['" + A + "'] !== g['self']) 1; if (g[\"" + A + "\"] != self) 2; if (o.w['" + A + "'] === o.w.self) 3"},
		// optional chains (webpack/terser output, x199)
		{`r?.["top"]!==r?.["self"]&&1; g ?. ['top'] ?. ['location']; o?.['top'].document`,
			`r?.["` + A + `"]!==r?.["self"]&&1; g ?. ['` + A + `'] ?. ['location']; o?.['` + A + `'].document`},
		{"a['top'].foo; ['top'].location; o['top'] = 1; el.style['top'].length; a['top'] == b; x = ['top']; x = c ?['top'] : 1; r?.['top'] !== r?.['left']", ""},
	} {
		want := c.want
		if want == "" {
			want = c.in
		}
		got, res := Rewrite([]byte(c.in), Classic)
		if string(got) != want || res.Changed != (want != c.in) {
			t.Errorf("Rewrite(%q) = %q %+v, want %q", c.in, got, res, want)
		}
	}
}

// A call without arguments stays in a dotted path, so a window reached
// through a getter call each time is compared with its own top (ExtJS's
// Ext.getWin().dom); calls with arguments or different paths are not.
func TestRewriteCallPath(t *testing.T) {
	A := Accessor
	for _, c := range []struct{ in, want string }{
		{"if (Ext.getWin().dom.top !== Ext.getWin().dom) Ext.getWin().dom.top.location = x",
			"if (Ext.getWin().dom." + A + " !== Ext.getWin().dom) Ext.getWin().dom." + A + ".location = x"},
		{"if (a.b( ).w.top != a.b( ).w) 1", "if (a.b( ).w." + A + " != a.b( ).w) 1"},
		{"if (a.b().top !== a.c()) 1; if (a.f(x).w.top !== a.f(x).w) 2; if (a.b().w.top !== a.b().v) 3", ""},
		// a call with arguments compared with the same call (TypeScript's and
		// Babel's private fields, x203)
		{`if (__classPrivateFieldGet(this, _G_host, "f").top !== __classPrivateFieldGet(this, _G_host, "f")) 1`,
			`if (__classPrivateFieldGet(this, _G_host, "f").` + A + ` !== __classPrivateFieldGet(this, _G_host, "f")) 1`},
		{"x = _get(this, _w).top != _get(this, _w); y = a.f(1, 2) . top === a.f(1, 2)", "x = _get(this, _w)." + A + " != _get(this, _w); y = a.f(1, 2) . " + A + " === a.f(1, 2)"},
		{"if (pos(el, 1).top !== pos(el, 2)) 1; if (pos(el).top !== box) 2; if (f(a).top !== f(a).x) 3; if (f(a).top !== f(a)(b)) 4; if (f(a).top > f(a)) 5", ""},
	} {
		want := c.want
		if want == "" {
			want = c.in
		}
		got, res := Rewrite([]byte(c.in), Classic)
		if string(got) != want || res.Changed != (want != c.in) {
			t.Errorf("Rewrite(%q) = %q %+v, want %q", c.in, got, res, want)
		}
	}
}

// `t = e.top` on an unknown e is confirmed by more than t.location: a
// property target (this.topWin = w.top; this.topWin.location), a path with
// brackets (window.frames[0].parent.top), t compared with its own window or
// a window name (t !== root, self != t), and `return t` (getTopWindow). An
// alias's computed key holding a call or a string is wrapped, and a script
// that only assigns the window to an alias is lexed (var w = window).
func TestRewriteTopHandOff(t *testing.T) {
	A := Accessor
	K := KeyWrapOpen
	for _, c := range []struct{ in, want string }{
		{"S = { init: function (w) { this.topWin = w.top; }, go: function () { this.topWin.location.href = x; } }",
			"S = { init: function (w) { this.topWin = w." + A + "; }, go: function () { this.topWin.location.href = x; } }"},
		{"function boot(w) { App.root = w.top; } if (App.root !== App.me) App.root.location.replace(x)",
			"function boot(w) { App.root = w." + A + "; } if (App.root !== App.me) (globalThis.__crmframe_vtop||(x=>x))(App.root).location.replace(x)"},
		{"var ptTop = window.frames[0].parent.top; if (ptTop != self) ptTop.location.href = x;",
			"var ptTop = window.frames[0].parent." + A + "; if (ptTop != self) ptTop.location.href = x;"},
		{"var t = wins[i].top\nt.location = x", "var t = wins[i]." + A + "\nt.location = x"},
		{"var t = root.top; if (t !== root) { redirect(t); }", "var t = root." + A + "; if (t !== root) { redirect(t); }"},
		{"var t = d.w.top; if (d.w != t) go(t)", "var t = d.w." + A + "; if (d.w != t) go(t)"},
		{"var t = g.top; if (t === window) return;", "var t = g." + A + "; if (t === window) return;"},
		{"function getTopWindow(w) { var t = w.top; return t; }", "function getTopWindow(w) { var t = " + VtopWrapOpen + "w.top); return t; }"},
		{"function f(w) { var t = w?.top\nreturn t }", "function f(w) { var t = w?.[" + TopKey + "]\nreturn t }"},
		{"function f(w) { var t = w.top; t.location; return t }", "function f(w) { var t = w." + A + "; t.location; return t }"},
		{"function go(w) { leave(w.top, w); bust(a.b.self, a.b.top) }", "function go(w) { leave(w." + A + ", w); bust(a.b.self, a.b." + A + ") }"},
		{"function getTop(w) { return w.top || w; }", "function getTop(w) { return " + VtopWrapOpen + "w.top) || w; }"},
		{"function getTop(w) { return w ? w.top : window }", "function getTop(w) { return w ? " + VtopWrapOpen + "w.top) : window }"},
		{"var t = w.top, s = w.self; if (t !== s) bust(t)", "var t = w." + A + ", s = w.self; if (t !== s) bust(t)"},
		{"var s = a.b.self\nvar t = a.b.top\nif (s != t) go(t); if (a.b.top !== s) go(1)", "var s = a.b.self\nvar t = a.b." + A + "\nif (s != t) go(t); if (a.b." + A + " !== s) go(1)"},
		{"var env = { root: w.top, me: w }; env.root.location.href = x", "var env = { root: w." + A + ", me: w }; (globalThis.__crmframe_vtop||(x=>x))(env.root).location.href = x"},
		{"var t = w.top || w; if (t !== w) t.location.href = x", "var t = w." + A + " || w; if (t !== w) t.location.href = x"},
		// UglifyJS2 sequences: the copy made inside a comparison (x208)
		{"var e=self,t;(t=e.top)!==e&&(t.location.href=e.location.href),void 0", "var e=self,t;(t=e." + A + ")!==e&&((globalThis.__crmframe_vtop||(x=>x))(t).location.href=e.location.href),void 0"},
		{"if ((n = w.top) != w) n.location.replace(x)", "if ((n = w." + A + ") != w) n.location.replace(x)"},
		{"var w = window; if (w[_0x(0)] !== w[f('self')]) w[_0x(0)][_0x(1)] = w['to' + 'p'];",
			"var w = window; if (w[" + K + "_0x(0))] !== w[" + K + "f('self'))]) w[" + K + "_0x(0))][_0x(1)] = w[" + K + "'to' + 'p')];"},
		// left alone: tops used as numbers, comparisons with other values,
		// plain keys of aliases (w[i] may be an array's), writes
		{"var o = { y: r.top, h: 1 }; o.y.toFixed(); var v = r.top || 0; var t = r.top; if (t > 3) f(t); var u = r.top; if (u !== prev.top) g(u); o.pos = r.top; o.pos += 1; x = a.b(1).top + 2", ""},
		{"a=a.getBoundingClientRect().top,b.scrollBy(0,a-c); var e=V(this).offset().top; var i=w[f(1)].top; a.location; e.document; i===self", "a=a.getBoundingClientRect().top,b.scrollBy(0,a-c); var e=V(this).offset().top; var i=w[f(1)].top; (globalThis.__crmframe_vtop||(x=>x))(a).location; e.document; i===self"},
		{"var t = r.top, s = q.self; if (t !== s) f(t); var u = r.top, v = r.bottom; if (u !== v) f(u)", ""},
		{"if ((y = r.top) > 0) f(y); (h = r.top) !== prev && g(h); f((t = r.top)); t.toFixed()", ""},
		{"f(r.top, r.left); g(r.top, q); h(x, (r.top), r); function k(r) { return r.top * 2; } if (r.top, r) 1", ""},
		{"var w = window; w[i]; w[i + 1]; w[f(0)] = 1; w[g()]++; delete w[h()]", ""},
	} {
		want := c.want
		if want == "" {
			want = c.in
		}
		got, res := Rewrite([]byte(c.in), Classic)
		if string(got) != want || res.Changed != (want != c.in) {
			t.Errorf("Rewrite(%q)\n got %q\nwant %q", c.in, got, want)
		}
	}
}

// windowAlias (the fast path's '=' scan) agrees with windowAliasRE on
// random mixes of the tokens that matter to it.
func TestWindowAliasMatchesRegexp(t *testing.T) {
	parts := []string{"=", "==", "!", "<", ">", " ", "\n", "\t", "window", "globalThis", "windows", "self",
		".", "[", "(", "?", "`", ";", ",", "x", "$", "_", "1", "|", "{", "...", "document.defaultView", "parent", "}"}
	rng := rand.New(rand.NewPCG(7, 11))
	for range 50000 {
		var b []byte
		for range 1 + rng.IntN(8) {
			b = append(b, parts[rng.IntN(len(parts))]...)
		}
		if got, want := windowAlias(b), windowAliasRE.Match(b); got != want {
			t.Fatalf("windowAlias(%q) = %v, regexp says %v", b, got, want)
		}
	}
}

// An unknown X.top (e.source.top, frames[0].top, a parameter's) compared
// with the global or a window's top is a same-tab check: both sides keep
// the real top (X may be a cross-origin window, where only top is
// readable), so the answer is the unframed page's (x282).
func TestRewriteSameTabCompare(t *testing.T) {
	A := Accessor
	for _, c := range []struct {
		kind     Kind
		in, want string
	}{
		{Classic, "function isSameTab(source) { return !!source && source.top === window.top; }", ""},
		{Classic, "if (frames[0].top === top) a(); if (e.view.top != self.top) b()", ""},
		{Classic, "if (window.top === e.source.top) ok(); x = top !== w.opener.top ? 1 : 2", ""},
		{Classic, "function f(w) { return w.top !== top }", ""},
		{Handler, "return event.source.top == top", ""},
		// the rest of the code keeps its swaps
		{Classic, "if (w.top !== top) top.location = self.location;", "if (w.top !== top) " + A + ".location = self.location;"},
		{Classic, "if (e.top !== e) top.location = 1; if (n.top !== n.self) go()", "if (e." + A + " !== e) " + A + ".location = 1; if (n." + A + " !== n.self) go()"},
		{Classic, "x = top === e.source.top.location; y = top == rect.top.toFixed(1); z = top === f(w).top", "x = " + A + " === e.source." + A + ".location; y = " + A + " == rect.top.toFixed(1); z = " + A + " === f(w).top"},
		// a window-like name may be a cross-origin window's: its top is
		// compared real too (win.__crmframe_top would throw there)
		{Classic, "if (win.top === top) a(); b = window.top == $wnd.top; if (iframe.contentWindow.top !== self.top) c()", ""},
		{Handler, "return win.top === top", ""},
		{Classic, "if (win.top !== self) win.top.location = win.location; top === self", "if (" + V + "win.top) !== self) " + V + "win.top).location = (globalThis.__crmframe_vtop||(x=>x))(win).location; " + A + " === self"},
		// an assignment inside the comparison is not a top compared: both
		// sides keep the accessor (x313)
		{Classic, "if (self.top === (g = window.top) && g !== self) g.location.href = u", "if (self." + A + " === (g = window." + A + ") && g !== self) (globalThis.__crmframe_vtop||(x=>x))(g).location.href = u"},
		// geometry
		{Classic, "if (rect.top === box.top) a(); el.style.top = r.top", ""},
	} {
		want := c.want
		if want == "" {
			want = c.in
		}
		got, _ := Rewrite([]byte(c.in), c.kind)
		if string(got) != want {
			t.Errorf("Rewrite(%q)\n got %q\nwant %q", c.in, got, want)
		}
	}
}

// A dynamic import's specifier goes through the shim's __crmframe_url
// (thirteenth pass, x346, x347): data: and blob: modules are code the server
// never sees. A plain literal path stays; methods named import stay; the
// options argument stays outside the wrapper.
func TestRewriteDynamicImport(t *testing.T) {
	U := URLWrapOpen
	for _, c := range []struct {
		in, want string
		n        int
	}{
		{`import('data:text/javascript,if (top !== self) top.location = 1')`, `import(` + U + `'data:text/javascript,if (top !== self) top.location = 1'))`, 1},
		{"import(url).finally(f)", "import(" + U + "url)).finally(f)", 1},
		{"import(f(a, b), {with: {type: 'json'}})", "import(" + U + "f(a, b)), {with: {type: 'json'}})", 1},
		{"const m = await import (\n\"BLOB:x\"\n,)", "const m = await import (" + U + "\n\"BLOB:x\"\n),)", 1},
		{"import(`./${name}.js`)", "import(" + U + "`./${name}.js`))", 1},
		// nothing to swap: a literal path or URL of another scheme
		{`import('./chunk.js'); import("https://cdn.test/m.js")`, "", 0},
		{"o.import(x); o?.import(y); ({import(x) { return x }}); class C { import(z) {} }", "", 0},
		{"import x from 'y'; export {a} from 'b'", "", 0},
	} {
		want := c.want
		if want == "" {
			want = c.in
		}
		got, res := Rewrite([]byte(c.in), Module)
		if string(got) != want || res.Counts[CountImport] != c.n || res.Err != nil {
			t.Errorf("Rewrite(%q)\n got %s %v %v\nwant %s", c.in, got, res.Counts, res.Err, want)
		}
		if res.Changed && !onlyTopSwapped([]byte(c.in), got) {
			t.Errorf("onlyTopSwapped(%q, %q) = false", c.in, got)
		}
	}
}

// location[k] reads go through __crmframe_key (thirteenth pass, x351): the
// key 'ancestorOrigins' built at run time reads the CRM's ancestors only.
// Literal keys, writes and other objects' keys stay.
func TestRewriteLocationKey(t *testing.T) {
	K := KeyWrapOpen
	for _, c := range []struct{ in, want string }{
		{"var ao = location[k];", "var ao = location[" + K + "k)];"},
		{"x = window.location[['ancestor', 'Origins'].join('')]", "x = window.location[" + K + "['ancestor', 'Origins'].join(''))]"},
		{"location['hash']; location[0]; location[k] = v; locations[k]; o.loc[k]", ""},
	} {
		checkRewrite(t, c.in, c.want)
	}
}

// A static import of a data: module (x386): the module's code is rewritten
// in the literal and re-encoded; other specifiers, strings that are not a
// specifier and data: modules without a trigger stay.
func TestRewriteStaticDataImport(t *testing.T) {
	enc := "data:text/javascript;charset=utf-8,"
	cases := []struct{ name, src, want string }{
		{"percent-encoded", `import 'data:text/javascript,if%20(top%20!%3D%3D%20self)%20top.location%3D1';`,
			`import '` + enc + `if%20(__crmframe_top%20!%3D%3D%20self)%20__crmframe_top.location%3D1';`},
		{"base64, no trigger in the text", `import x from "data:text/javascript;base64,dG9wLmxvY2F0aW9uPTE=";`,
			`import x from "` + enc + `__crmframe_top.location%3D1";`},
		{"export from", `export * from 'data:text/javascript,top.location=1';`, `export * from '` + enc + `__crmframe_top.location%3D1';`},
		{"no trigger in the module", `import 'data:text/javascript,export const a = 1';`, ""},
		{"a path", `import './top.js'; import a from "./b.js";`, ""},
		{"a key named from", `import './a.js'; const o = {from: 'data:x,top.location=1'};`, ""},
		// as the browser decodes the URL: a lone % kept, the scheme in any
		// case, the fragment not part of the module
		{"lone percent", `import 'data:text/javascript,top.location=1%2';`, `import '` + enc + `__crmframe_top.location%3D1%252';`},
		{"scheme in capitals", `import 'DATA:text/javascript;base64,dG9wLmxvY2F0aW9uPTE=';`, `import '` + enc + `__crmframe_top.location%3D1';`},
		{"fragment", `import 'data:text/javascript,top.location=1#top';`, `import '` + enc + `__crmframe_top.location%3D1';`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, r := Rewrite([]byte(c.src), Module)
			want := c.want
			if want == "" {
				want = c.src
			}
			if string(out) != want {
				t.Fatalf("got  %s\nwant %s", out, want)
			}
			if c.want != "" && r.Counts[CountImport] != 1 {
				t.Fatalf("counts %v", r.Counts)
			}
		})
	}
}

// Fifteenth pass: a copy of a window made by object spread ({...window},
// x430) and document.defaultView (x442) are window aliases whose computed
// keys are all wrapped (a plain name or a member as the key too); other
// spreads and names stay. A bare ancestorOrigins in a script with a with
// statement (with (location), x437) reads the accessor; not a key, a
// target, a member, a declared variable, or without a with.
func TestRewritePass15(t *testing.T) {
	K := KeyWrapOpen
	for _, c := range []struct{ in, want string }{
		{"var snap = { ...window };\nif (snap[k] !== snap[m]) f(snap[k]);",
			"var snap = { ...window };\nif (snap[" + K + "k)] !== snap[" + K + "m)]) f(snap[" + K + "k)]);"},
		{"const c = {...self, a: 1}; c[i]", "const c = {...self, a: 1}; c[" + K + "i)]"},
		{"let v; v = document.defaultView; v[names[1]]", "let v; v = document.defaultView; v[" + K + "names[1])]"},
		{"var o = {...opts}; o[k]; var p = {a: 1, ...window}; p[k]", ""},
		{"var e = document.defaultViewer; e[k]; var d = document.defaultView.x; d[k]", ""},
		{"var s = { ...window }; s[k] = 1; s[0]; s['a']", ""},
		{"with (location) {\n  if (ancestorOrigins && ancestorOrigins.length > 0) replace(href);\n}",
			"with (location) {\n  if (__crmframe_ancestorOrigins && __crmframe_ancestorOrigins.length > 0) replace(href);\n}"},
		{"with (o) { x = {ancestorOrigins: 1}; ancestorOrigins = 2; a.ancestorOrigins }",
			"with (o) { x = {ancestorOrigins: 1}; ancestorOrigins = 2; a.__crmframe_ancestorOrigins }"},
		{"var ancestorOrigins = 1; with (o) { f(ancestorOrigins) }", ""},
		{"f(ancestorOrigins); g(x => ancestorOrigins)", ""},
	} {
		want := c.want
		if want == "" {
			want = c.in
		}
		got, _ := Rewrite([]byte(c.in), Classic)
		if string(got) != want {
			t.Errorf("Rewrite(%q)\n got %s\nwant %s", c.in, got, want)
		}
	}
	for _, src := range []string{"var s = {...window}; s[k]", "var v = document.defaultView; v[k]", "x={ ... globalThis}"} {
		if !Mentions([]byte(src)) {
			t.Errorf("Mentions(%q) = false", src)
		}
	}
	for _, src := range []string{"var s = {...opts}; s[k]", "var v = document.defaultViewer; v[k]", "x = {a: 1, ...window}"} {
		if Mentions([]byte(src)) {
			t.Errorf("Mentions(%q) = true", src)
		}
	}
}

// Pass 22 (x714–x716): the top of a chain whose object is a group or a
// call — (window || self).top, (0, window).top, Function('return this')().top,
// [window][0].top — held in a variable used as a window, or compared with
// the chain itself, its .self, self or window: value-checked. Geometry and
// chains that are not one operand stay.
func TestRewriteGroupChain(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"var t = (window || self).top; if (t !== self) t.location.href = u;",
			"var t = " + V + "(window || self).top); if (t !== self) t.location.href = u;"},
		{"var e=(0,window).top;e!==window&&e.location.replace(u);",
			"var e=" + V + "(0,window).top);e!==window&&e.location.replace(u);"},
		{`!function(){var n=Function("return this")().top;n.location!==location&&n.location.replace(u)}();`,
			`!function(){var n=` + V + `Function("return this")().top);n.location!==location&&n.location.replace(u)}();`},
		{"let t = (window ?? globalThis)?.top; t?.location.assign(u)",
			"let t = " + V + "(window ?? globalThis)?.top); t?.location.assign(u)"},
		{"var t; t = [window][0]. top; t.document.title = 1",
			"var t; t = " + V + "[window][0]. top); t.document.title = 1"},
		{`var t = ("undefined" != typeof window ? window : this).top; if (t != self) t.location.href = u`,
			`var t = ` + V + `("undefined" != typeof window ? window : this).top); if (t != self) t.location.href = u`},
		{"var framed = (window || self).top !== (window || self).self; if (framed) location.replace(u)",
			"var framed = " + V + "(window || self).top) !== (window || self).self; if (framed) location.replace(u)"},
		{"if ((window || self).top != window) go()", "if (" + V + "(window || self).top) != window) go()"},
		{"var f = Function('return this')().top !== Function('return this')();",
			"var f = " + V + "Function('return this')().top) !== Function('return this')();"},
		// not used as a window, not one operand, or geometry
		{"var t = (window || self).top; f(t)", ""},
		{"var y = (rect || box).top; y.toFixed(2)", ""},
		{"var y = (rect || box).top === (rect || box).bottom;", ""},
		{"var y = (rect || box).top === (rect || box).self.x;", ""},
		{"var t = typeof (window).top; t.location", "var t = typeof (window).top; (globalThis.__crmframe_vtop||(x=>x))(t).location"},
		{"var t = new (Foo)().top; t.location", "var t = new (Foo)().top; (globalThis.__crmframe_vtop||(x=>x))(t).location"},
		{"x = a\nfoo((w || s).top)\nx.location = 1", "x = a\nfoo((w || s).top)\n" + LocNLWrapOpen + "x).location = 1"},
		{"var t = (a ? window : c).top; t.location = u; var r = (/[(]/, self).top; r.location", "var t = " + V + "(a ? window : c).top); t.location = u; var r = (/[(]/, self).top; (globalThis.__crmframe_vtop||(x=>x))(r).location"},
		{"var t = (a || b).top; t.location = u; var e = $(el).offset().top; e.document", "var t = (a || b).top; (globalThis.__crmframe_vtop||(x=>x))(t).location = u; var e = $(el).offset().top; e.document"},
		{"var t = `${w}`.top; t.location", "var t = `${w}`.top; (globalThis.__crmframe_vtop||(x=>x))(t).location"},
		{"var t = a + (w).top; t.location", "var t = a + (w).top; (globalThis.__crmframe_vtop||(x=>x))(t).location"},
	} {
		want := c.want
		if want == "" {
			want = c.in
		}
		got, _ := Rewrite([]byte(c.in), Classic)
		if string(got) != want {
			t.Errorf("Rewrite(%q)\n got %s\nwant %s", c.in, got, want)
		}
	}
}

// A child window's computed key (pass 27, x900): frames[n][k] reads a
// property of a child frame, whose own top is the real one; the key goes
// through __crmframe_key as window[k]'s does. Writes, deletes, literal keys
// and keys of other objects' elements stay.
func TestRewriteChildFrameKey(t *testing.T) {
	K := KeyWrapOpen
	for _, c := range []struct{ in, want string }{
		{"function prop(win, name) { return win.frames[0][name]; }", "function prop(win, name) { return win.frames[0][" + K + "name)]; }"},
		{"var o = frames[0][k]; o.location.replace(u)", "var o = frames[0][" + K + "k)]; (globalThis.__crmframe_vtop||(x=>x))(o).location.replace(u)"},
		{"parent.frames['main'][fn](1)", "parent.frames['main'][" + K + "fn)](1)"},
		{"frames[0][k] = 2; delete frames[0][k]; frames[0]['x']; frames[0][0]; arr[0][k]; frame[0][k]; a.frames[0]['x']", ""},
		// pass 30 (x977): on any object's frames (a window handed in as a)
		{"function prop(a, k) { return a.frames[0][k]; }", "function prop(a, k) { return a.frames[0][" + K + "k)]; }"},
		{"o.frames[i][p] = v; x = o.frames[i][f(p)]", "o.frames[i][p] = v; x = o.frames[i][" + K + "f(p))]"},
	} {
		checkRewrite(t, c.in, c.want)
	}
}

// Pass 28 (x926): the same read through optional chaining
// (frames[0]?.[k], frames?.[0]?.[k]); other objects' elements stay.
func TestRewriteChildFrameKeyOptional(t *testing.T) {
	K := KeyWrapOpen
	for _, c := range []struct{ in, want string }{
		{"function prop(win, name) { return win.frames[0]?.[name]; }", "function prop(win, name) { return win.frames[0]?.[" + K + "name)]; }"},
		{"var a = frames[0] ?.[k]", "var a = frames[0] ?.[" + K + "k)]"},
		{"var d = frames?.[0]?.[k]", "var d = frames?.[0]?.[" + K + "k)]"},
		{"window.frames[1]?.[fn](1)", "window.frames[1]?.[" + K + "fn)](1)"},
		{"arr[0]?.[k]; o.frames?.[0]; frames[0]?.['x']; x = y ? [k] : frames[0]", ""},
		{"a.frames[0]?.[k]; a.frames?.[0]?.[k]", "a.frames[0]?.[" + K + "k)]; a.frames?.[0]?.[" + K + "k)]"},
	} {
		checkRewrite(t, c.in, c.want)
	}
}

// checkMentions: Mentions(src) is want for each src of cases.
func checkMentions(t *testing.T, cases map[string]bool) {
	t.Helper()
	for src, want := range cases {
		if got := Mentions([]byte(src)); got != want {
			t.Errorf("Mentions(%q) = %v, want %v", src, got, want)
		}
	}
}

var withSafeBack = regexp.MustCompile(`typeof (__crmframe_[a-z]+)=='function'&&__crmframe_[a-z]+\|\|`)

// checkRewrite: Rewrite(in) as classic code gives want ("": in unchanged),
// and a change swaps only what the shim serves.
func checkRewrite(t *testing.T, in, want string) {
	t.Helper()
	if want == "" {
		want = in
	}
	got, res := Rewrite([]byte(in), Classic)
	if string(got) != want {
		t.Errorf("Rewrite(%q)\n got %s\nwant %s", in, got, want)
	}
	if res.Changed && !onlyTopSwapped([]byte(in), got) {
		t.Errorf("onlyTopSwapped(%q, %q) = false", in, got)
	}
}
