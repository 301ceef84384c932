/* crmframe frame-busting shim: runs first in every CRM page (see docs/framebusting.md). */
(function crmframeShim() {
  'use strict';
  var w = window, d = document;
  if (Object.prototype.hasOwnProperty.call(w, '__crmframe')) return;
  // A CRM window that read this one while it loaded its page hooked its eval
  // and timers (realmCode): the platform's come back first (a direct eval
  // is one only through the realm's own eval).
  try {
    var lent = Object.prototype.hasOwnProperty.call(w, '__crmframe_natives') && w.__crmframe_natives;
    if (typeof lent === 'function') {
      ['eval', 'setTimeout', 'setInterval'].forEach(function (k) {
        for (var o = w[k], n; typeof o === 'function' && typeof (n = lent(o)) === 'function';) o = n;
        if (o !== w[k]) w[k] = o;
      });
    }
  } catch (e) { /* kept as they are */ }
  // The platform functions this shim wraps, as they were: at the end each
  // wrapper answers toString, name and length as its original did (feature
  // detection, lodash _.isNative, takes a non-native one for a polyfill).
  var nativeOf = typeof WeakMap === 'function' ? new WeakMap() : null, before0 = [], gopd0 = Object.getOwnPropertyDescriptor;
  if (nativeOf) {
    ['Object', 'Reflect', 'Document', 'Node', 'Element', 'HTMLElement', 'HTMLFormElement', 'HTMLScriptElement', 'Attr',
      'NamedNodeMap', 'ShadowRoot', 'EventTarget', 'DocumentFragment', 'CharacterData', 'Range', 'DOMParser', 'XSLTProcessor',
      'CSSStyleSheet', 'HTMLIFrameElement', 'HTMLFrameElement', 'HTMLAnchorElement', 'HTMLAreaElement', 'HTMLBaseElement',
      'HTMLButtonElement', 'HTMLInputElement', 'HTMLDialogElement', 'Event', 'Function', 'History', 'URL', 'TrustedTypePolicyFactory', 'XMLHttpRequest'].forEach(function (n) {
      var C = w[n];
      if (C) before0.push([C, null], [C.prototype, null, n]);
    });
    before0.push([w, ['open', 'stop', 'setTimeout', 'setInterval', 'eval', 'fetch', 'alert', 'confirm', 'prompt']]);
    before0.forEach(function (x) {
      var o = x[0], names = x[1] || (o ? Object.getOwnPropertyNames(o) : []), was = {};
      for (var i = 0; i < names.length; i++) {
        try { var ds = gopd0(o, names[i]); if (ds) was[names[i]] = ds; } catch (e) { /* skip it */ }
      }
      x[1] = was;
    });
  }
  // Our own source: same-origin about:blank frames the CRM makes get the
  // shim too (adopt, below).
  var SELF = '(' + Function.prototype.toString.call(crmframeShim) + ')()';

  var script = d.currentScript;
  var mode = (script && script.getAttribute('data-crmframe-breakout')) || w.__crmframe_breakout || 'neutralize';
  if (mode !== 'detect' && mode !== 'off') mode = 'neutralize';
  var act = mode === 'neutralize';
  var stats = {};
  function count(k) { stats[k] = (stats[k] || 0) + 1; }

  var realTop = w.top, realParent = w.parent, realFrameElement = w.frameElement;
  var framed = realTop !== w;

  // Same-origin ancestors that are CRM windows (shim marker) form the CRM;
  // same-origin about:blank/srcdoc frames the CRM made itself are walked
  // through. The topmost marked one is the virtual top.
  function crm(x) {
    try { return !!(x.__crmframe && x.__crmframe.marker === 'crmframe'); } catch (e) { return false; }
  }
  function aboutFrame(x) {
    try { return x.location.protocol === 'about:'; } catch (e) { return false; }
  }
  function readable(x) {
    try { return !!x.document; } catch (e) { return false; }
  }
  function realParentOf(x) {
    try { return crm(x) ? x.__crmframe.realParent : x.parent; } catch (e) { return null; }
  }
  var vtop = w;
  if (framed) {
    for (var cur = w, p = realParent; p && p !== cur; cur = p, p = realParentOf(p)) {
      if (crm(p)) vtop = p;
      else if (!aboutFrame(p)) break;
    }
  }
  // A CRM frame with an opaque origin (<iframe sandbox="allow-scripts">)
  // cannot read its parent. Its location.origin is still its URL's origin,
  // and Chromium lists the ancestors' origins: the ancestors of that same
  // origin are the CRM (the desktop is another site), the topmost of them
  // the virtual top. Without ancestorOrigins it stays a root, as before.
  if (framed && vtop === w) {
    try {
      var ao = w.location.ancestorOrigins, own = w.location.origin;
      if (ao && ao.length && ao[0] === own && !readable(realParent)) {
        for (var k = 0; k < ao.length && ao[k] === own; k++) vtop = realParentOf(vtop);
      }
    } catch (e) { vtop = w; }
  }
  var root = vtop === w;
  var depth = 0; // ancestors of w inside the CRM
  for (var a = w; a && a !== vtop; a = realParentOf(a)) depth++;
  var foreign = framed && root; // the CRM root framed by a foreign desktop
  // A nested frame that followed a _top link named this window (rootName,
  // below): the name would outlive the navigation and reach the CRM's own
  // window.name state (JSON.parse(window.name)).
  if (root) try { if (w.name === '__crmframe_root') w.name = ''; } catch (e) { /* keep it */ }
  // adopted: an about:blank frame of the CRM that got the shim from its
  // parent (adopt, below). Its blanking is not busting (editors clear their
  // body), so only the guards against leaving apply there.
  var adopted = w.__crmframe_adopted === true;

  var api = {
    marker: 'crmframe',
    mode: mode,
    stats: stats,
    framed: framed,
    root: root,
    virtualTop: vtop,
    realTop: realTop,
    realParent: realParent,
    realFrameElement: realFrameElement
  };
  Object.defineProperty(w, '__crmframe', { value: api });

  var def = Object.defineProperty;
  // natives(f): the original of a hook another CRM window put in this
  // realm while this window was loading its page (pristine, below).
  var natives = function (f) {
    var n = Object.prototype.hasOwnProperty.call(w, '__crmframe_natives') && w.__crmframe_natives;
    try { return typeof n === 'function' ? n(f) : undefined; } catch (e) { return undefined; }
  };
  // looksNative(f, orig): f answers toString (below), name and length as orig.
  function looksNative(f, orig) {
    if (!nativeOf || f === orig || nativeOf.has(f)) return;
    for (var o; (o = nativeOf.get(orig) || natives(orig));) orig = o;
    nativeOf.set(f, orig);
    try { def(f, 'name', { value: orig.name, configurable: true }); def(f, 'length', { value: orig.length, configurable: true }); } catch (e) { /* keep ours */ }
  }
  def(w, '__crmframe_top', {
    get: function () {
      if (!framed) return realTop;
      count('top');
      return act ? vtop : realTop;
    },
    enumerable: false
  });
  // Rewritten `x.top` reads `x.__crmframe_top`: on ordinary objects that
  // must still mean x.top.
  if (!Object.prototype.hasOwnProperty('__crmframe_top')) {
    def(Object.prototype, '__crmframe_top', {
      // An object holding the real top as its own top (a copy of the
      // window: Object.assign({}, window), $.extend) reads the virtual one.
      get: function () { var v = this.top; return v === realTop && v !== this && framed && act ? w.__crmframe_top : v; },
      set: function (v) { Reflect.set(Object(this), 'top', v, this); }, // never throws where x.top = v would not
      configurable: true,
      enumerable: false
    });
  }
  // Rewritten `location.ancestorOrigins` (Location's own properties cannot
  // be redefined): the CRM's own ancestors only, never the desktop.
  if (!Object.prototype.hasOwnProperty('__crmframe_ancestorOrigins')) {
    def(Object.prototype, '__crmframe_ancestorOrigins', {
      get: function () {
        var v = this.ancestorOrigins;
        if (!framed || this !== w.location || !v || v.length <= depth) return v;
        count('ancestors');
        if (!act) return v;
        var list = { length: depth, item: function (i) { return i >= 0 && i < depth ? v[i] : null; },
          contains: function (o) { for (var i = 0; i < depth; i++) if (v[i] === o) return true; return false; } };
        for (var i = 0; i < depth; i++) list[i] = v[i];
        return list;
      },
      configurable: true,
      enumerable: false
    });
  }
  // --- code the server never saw ------------------------------------------
  // Scripts written by document.write, handlers in written HTML and code
  // strings given to setTimeout/setInterval get the same top -> virtual top
  // swap as the server-side rewriter does, with a smaller scanner: strings
  // and comments are skipped, `top` followed by ':' (keys, labels),
  // top.postMessage and property accesses other than window.top/self.top/...
  // are left alone.
  // Code that may need the swap: `top`, `eval`, `ancestorOrigins`, or an
  // escape (\u0074op).
  // (_TOP, _parent: targets in HTML strings, pass 22)
  var MAY = /top|eval|ancestorOrigins|\.\s*location\b|\[\s*['"]location['"]|\\u|(?:window|self|parent|frames|globalThis)\s*(?:\?\.\s*)?\[|import\s*\(|(?:import|from)\s*['"]\s*data:|_[tT][oO][pP]|_[pP][aA][rR][eE][nN][tT]/;
  // (or x.frames[ on any x, pass 30: only its child key is wrapped, x977)
  var WIN_BRACKET = /(^|[^\w$.])(?:(?:window|self|parent|globalThis)\s*\??\.\s*)*(?:window|self|parent|frames|globalThis)\s*(?:\?\.\s*)?\[|(\.)\s*frames\s*(?:\?\.\s*)?\[/;
  var IMPORT_CALL = /(?:^|[^\w$.])import\s*\(/, EVAL_CALL = /(^|[^\w$.])eval\s*\(/;
  var STATIC_DATA = /(\b(?:import|from)\s*)(['"])(\s*data:[^'"\\]*)\2/;
  // argEnd: the end of the first argument of the list open..close (a
  // top-level comma, or close).
  var argEnd = function (code, open, close) {
    for (var i = open, depth = 0; i < close; i++) {
      var c = code.charAt(i);
      if (c === '"' || c === "'" || c === '`') {
        for (i++; i < close && code.charAt(i) !== c; i++) if (code.charAt(i) === '\\') i++;
      } else if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') depth--;
      else if (c === ',' && depth === 0) return i;
    }
    return close;
  };
  var PAT_TOP = /[{,]\s*top\s*[:,}][^]*(?:=|\bof\b)/;
  // wrapFirstArgs wraps the first argument of each call re matches (its
  // match ends at the '('; ok, if given, may refuse one) in
  // __crmframe_<fn>, once. Nested calls (import(await import(a)…), x1049;
  // eval(eval(s))) shift the outer one's end: wrapSpans takes them all.
  var wrapFirstArgs = function (code, re0, fn, ok) {
    var spans = [], head = '(globalThis.__crmframe_' + fn + '||(x=>x))(';
    scan(code, function (s, start) {
      for (var m, re = new RegExp(re0.source, 'g'); (m = re.exec(s));) {
        var open = start + m.index + m[0].length, close = closer(code, open);
        re.lastIndex = m.index + m[0].length - 1; // import(import(u)), x1053
        if (close > open && code.charAt(close) === ')' && code.slice(open, open + head.length) !== head && (!ok || ok(m, open, close))) spans.push([open, argEnd(code, open, close)]);
      }
      return s;
    });
    return wrapSpans(code, spans, function () { return head; });
  };
  var fixCode = function (code) {
    code = String(code);
    if (!MAY.test(code) && !LOC_SPELLED.test(code)) return code;
    // \u0074op, t\u{6f}p, \u0065val are the names themselves to the parser;
    // first, so that every pass reads them (const {\u0074op: t} = window, x1051)
    if (code.indexOf('\\u') >= 0) code = scan(code, function (s) { return s.replace(ESC_ID, unescId); });
    // window[k] with a key that is not one literal (window['t' + 'op']):
    // the key goes through __crmframe_key, as the server-side rewriter does.
    // (each extra pass over the code only when its trigger is there)
    // frames[i][k], frames[i]?.[k] (pass 28): a child window's key, whose
    // own top is the real one (x930)
    var keys = [], lit = /^\s*(?:(['"])[\w$]*\1|\d+)\s*$/, child = /^\s*(?:\?\.\s*)?\[/;
    if (WIN_BRACKET.test(code)) scan(code, function (s, start) {
      for (var m, re = new RegExp(WIN_BRACKET.source, 'g'); (m = re.exec(s));) {
        var open = start + m.index + m[0].length, close = closer(code, open);
        // the '[' is the next name's look-behind (window[self[k]], x1054)
        re.lastIndex = m.index + m[0].length - 1;
        if (close <= open || code.charAt(close) !== ']') continue;
        if (!m[2] && !lit.test(code.slice(open, close))) keys.push([open, close]);
        var c = /frames/.test(m[0]) && child.exec(code.slice(close + 1, close + 64)), open2 = c ? close + 1 + c[0].length : 0, close2 = c ? closer(code, open2) : 0;
        if (c && close2 > open2 && code.charAt(close2) === ']' && !lit.test(code.slice(open2, close2))) keys.push([open2, close2]);
      }
      return s;
    });
    // f[k].location on any f (pass 31, x985's run-time form): the key, as the
    // server-side rewriter does (__crmframe_top on an ordinary object reads
    // its own top)
    if (LOC_KEY.test(code)) {
      scan(code, function (s, start) {
        for (var m, re = /[\w$\]]\s*\[/g; (m = re.exec(s));) {
          var open = start + m.index + m[0].length, close = closer(code, open);
          if (close > open && code.charAt(close) === ']' && /^\s*(?:\?\.|\.)\s*location(?![\w$])/.test(code.slice(close + 1, close + 40)) &&
            !lit.test(code.slice(open, close))) keys.push([open, close]);
        }
        return s;
      });
    }
    // nested keys too (self[(t = self[k], 0)], f[window[n]].location): the
    // inner one is a window's key as well (audit, x1047)
    code = wrapSpans(code, keys, function () { return '(globalThis.__crmframe_key||(x=>x))('; });
    var q;
    // t['location'], pick(f, k).location, (0, f[k]).location (pass 32, as
    // the server-side rewriter does): the receiver goes through
    // __crmframe_vtop. Only spans closer() confirms are wrapped.
    if (LOC_MORE.test(code)) {
      var recv = [], parens = [];
      scan(code, function (s, start) {
        var m = /(^|[^\w$.\\#])([A-Za-z_$][\w$]*(?:\s*\.\s*#?[A-Za-z_$][\w$]*)*)\s*(?:\?\.\s*)?\[\s*$/.exec(s), e = start + s.length;
        if (m && !LOC_SKIP.test(m[2]) && /^(['"])location\1\s*\]/.test(code.slice(e, e + 16)) && !/(?:^|[^\w$.])new\s*$/.test(s.slice(0, m.index + m[1].length)) && !memberName(code, start + m.index + m[1].length)) {
          recv.push([start + m.index + m[1].length, start + m.index + m[1].length + m[2].length]);
        }
        for (var i = 0; i < s.length; i++) {
          var c = s.charAt(i);
          if (c === '(') parens.push(start + i);
          else if (c === ')') {
            var o = parens.pop(), at = start + i + 1;
            if (o === undefined || !/^\s*\??\.\s*location(?![\w$])/.test(code.slice(at, at + 40)) || closer(code, o + 1) !== at - 1) continue;
            var b = code.slice(Math.max(0, o - 200), o), cm = /(^|[^\w$.\\#])((?:new\s+)?)([A-Za-z_$][\w$]*(?:\s*\.\s*#?[A-Za-z_$][\w$]*)*)\s*$/.exec(b);
            // our own wrappers are done; new X(…).location: the whole new
            // expression (a constructor may return any object, pass 34, x1044)
            if (cm && (cm[3] === 'new' || /^(?:globalThis\s*\.\s*)?__crmframe_/.test(cm[3]) || memberName(code, o - b.length + cm.index + cm[1].length))) continue;
            if (cm && cm[2]) { recv.push([o - b.length + cm.index + cm[1].length, at]); continue; }
            if (cm && !/^(?:return|typeof|void|delete|await|yield|in|of|case|do|else|instanceof|throw)$/.test(cm[3])) recv.push([o - b.length + cm.index + cm[1].length, at]); // a call
            else if (cm || !/(?:[\w$)\]`]|\?\.)\s*$/.test(b)) recv.push([o, at]); // a parenthesis (return (…).location)
          }
        }
        return s;
      });
      // nested spans too (box((0, f[k]).location).location: the inner
      // receiver is read first, x1048); a wrapper first on its line must not
      // call what ends the line above (x1050)
      code = wrapSpans(code, recv, recvHead);
    }
    // t[l] = u, t[l].href = u with l === 'location' (pass 33, x1008-x1010,
    // as the server-side rewriter does): in code that spells location, the
    // receiver of a computed member whose key is no literal or number goes
    // through __crmframe_vtop (a key cannot depend on its receiver).
    if (LOC_SPELLED.test(code) && spellsLocation(code)) {
      // pass 34 (x1035-x1039): also a receiver that is no plain path:
      // f[k][l], arguments[0][l], g()[l], a.b(c).d[l], (0, t)[l], this[l].
      // From each path or parenthesis the member chain is walked forward
      // (calls, computed members, .names); the receiver of each computed
      // member with a non-literal key is wrapped.
      var kr = [];
      var keyOk = function (open, close) {
        var key = code.slice(open, close);
        return !/^\s*(?:(['"])[^'"\\]*\1|\d[\w.]*)\s*$/.test(key) && !(/[-*\/%|&^~]/.test(key) && !/[([{?'"`,=]/.test(key));
      };
      // t?.[l] (adv35, x1059): the receiver before a ?. is wrapped (the
      // chain keeps its short-circuit); after it, as on the server, none
      var chain = function (rs, e) {
        for (var n = 0, opt = false; n < 16; n++) {
          var c = /^\s*(\?\.\s*|\.\s*(?=[#A-Za-z_$]))?(?:(\[)|(\()|#?[A-Za-z_$][\w$]*)/.exec(code.slice(e, e + 200));
          if (!c || !c[1] && !c[2] && !c[3]) return;
          var open = e + c[0].length, was = opt;
          opt = opt || c[1] && c[1].charAt(0) === '?';
          if (!c[2] && !c[3]) { e = open; continue; }
          var close = closer(code, open);
          if (close <= open && !(close === open && c[3]) || code.charAt(close) !== (c[2] ? ']' : ')')) return;
          if (c[2] && !was && keyOk(open, close)) {
            var path = code.slice(rs, e);
            if (locRecv(code, rs, path) !== path) kr.push([rs, e]); // its rules for X.top, new
          }
          e = close + 1;
        }
      };
      scan(code, function (s, start) {
        for (var m, re = /(^|[^\w$.\\#])([A-Za-z_$][\w$]*(?:\s*\.\s*#?[A-Za-z_$][\w$]*)*)(?=\s*(?:\?\.\s*)?[[(])/g; (m = re.exec(s));) {
          var rs = start + m.index + m[1].length;
          // if (c) (0, t)[l]: the statement's body starts after its head's
          // ')' (adv35, x1058)
          if (/^(?:if|while|for|with)$/.test(m[2])) {
            var h = code.indexOf('(', rs + m[2].length), hc = h >= 0 ? closer(code, h + 1) : -1;
            if (hc > h && code.charAt(hc) === ')' && /^\s*[([]/.test(code.slice(hc + 1, hc + 40))) { var b0 = hc + 1 + /^\s*/.exec(code.slice(hc + 1))[0].length; chain(b0, b0); }
            continue;
          }
          // this.a[l] (adv35, x1056): a path from this is any other path
          if (LOC_SKIP.test(m[2]) && !/^this(?![\w$])/.test(m[2]) || KEY_RECV_SKIP.test(m[2]) || CHAIN_SKIP.test(m[2]) || /^__crmframe_|^globalThis\s*\.\s*__crmframe_/.test(m[2]) ||
            memberName(code, rs)) continue;
          // new X(t).a[l]: the chain starts at new, after its arguments
          // (adv35); new X[k](t) constructs X[k], left alone
          var nw = /(?:^|[^\w$.])(new\s*)$/.exec(code.slice(Math.max(0, rs - 12), rs));
          if (nw) { if (/^\s*\(/.test(code.slice(rs + m[2].length, rs + m[2].length + 40))) chain(rs - nw[1].length, rs + m[2].length); continue; }
          chain(rs, rs + m[2].length);
        }
        // (0, t)[l]: a parenthesis, no call's argument list; [t][0][l]: an
        // array literal, no member's key (adv35, x1060); a?.(…), a?.[…]
        // are members
        for (re = /(^|[^\w$)\]\s'"`.]|(?:^|[^\w$.])(?:return|typeof|void|in|of|case|else|throw|await|yield)\s)(\s*)[([]/g; (m = re.exec(s));) {
          rs = start + m.index + m[1].length + m[2].length;
          re.lastIndex = m.index + m[0].length;
          if (!/(?:^|[^\w$.])new\s*$/.test(code.slice(Math.max(0, rs - 8), rs)) && !(m[1] === '' && /[\w$)\]'"`]\s*$/.test(code.slice(Math.max(0, start - 40), start)))) chain(rs, rs);
        }
        return s;
      });
      // (nested spans share their start: f[k][l]; one pass over the code)
      code = wrapSpans(code, kr, recvHead);
    }
    // import(spec) in code built at run time (new Function('u', 'return
    // import(u)'), x385): the specifier goes through __crmframe_url, as the
    // server-side rewriter does; a static import of a data: module (from a
    // blob: module) gets its code swapped in place.
    if (IMPORT_CALL.test(code)) code = wrapFirstArgs(code, IMPORT_CALL, 'url');
    // eval(s) in code built at run time (Function('return
    // eval(arguments[0])'), Dojo's dojo.eval, x1069): its code goes through
    // __crmframe_code, as the server-side rewriter does; still a direct
    // eval. Not a declaration or method named eval (a '{' follows).
    if (EVAL_CALL.test(code)) code = wrapFirstArgs(code, EVAL_CALL, 'code', function (m, open, close) {
      return !/^\s*\{/.test(code.slice(close + 1, close + 40)) && !/function\s*\*?\s*$/.test(code.slice(Math.max(0, open - 30), open - m[0].length + m[1].length));
    });
    if (STATIC_DATA.test(code)) code = code.replace(new RegExp(STATIC_DATA.source, 'g'), function (m, head, q, u) { var f = fixSrc(u); return f === u ? m : head + q + f + q; });
    // const {top: t} = window, {top} = self and for (const {top: t} of
    // [window]): the key becomes __crmframe_top, as the server-side
    // rewriter does it.
    var pats = [];
    if (PAT_TOP.test(code)) scan(code, function (s, start) {
      for (var m, re = /([{,]\s*)top(\s*[:,}])/g; (m = re.exec(s));) {
        var at = start + m.index + m[1].length, k = closer(code, at + 3);
        re.lastIndex = m.index + m[0].length - 1; // {top, top: t}: the ',' starts the next key (x1055)
        if (k >= 0 && code.charAt(k) === '}' && /^\s*(?:=(?!=)\s*|of\s*\[\s*(?:[\w$]+\s*,\s*)*)(?:window|self|globalThis|parent|frames|this)(?![\w$.\[(])/.test(code.slice(k + 1, k + 80))) pats.push([at, m[2].trim() === ':']);
      }
      return s;
    });
    for (q = pats.length - 1; q >= 0; q--) code = code.slice(0, pats[q][0]) + (pats[q][1] ? '__crmframe_top' : '__crmframe_top: top') + code.slice(pats[q][0] + 3);
    // var t = w.top; … t.location: names the code uses as a window's top.
    var used = Object.create(null), u, r;
    for (r = 0; r < USED.length; r++) for (USED[r].lastIndex = 0; (u = USED[r].exec(code));) used[u[1]] = true;
    // what precedes offset at of segment seg (starting at start in code), as
    // swapped so far: the segment's offsets are not code's (legit19, x1032)
    var before = function (start, seg, at) { return code.slice(Math.max(0, start - 200), start) + seg.slice(0, at); };
    return withSafe(scan(code, function (s, start) {
      return s.replace(/(^|[^\w$.])(top|eval)(?![\w$])/g, function (m, pre, name, off) { return pre + bareTop(code, start + off + pre.length, start, name); })
        .replace(CMP_TOP_L, cmpTop).replace(CMP_TOP_R, cmpTop)
        .replace(/(\b(?:window|self|parent|frames|globalThis|this|__crmframe_top)\s*(?:\?\.|\.)\s*|\b__crmframe_vtop\(top\)\s*(?:\?\.|\.)\s*)top(?![\w$])(?!\s*\)?\s*\??\.\s*postMessage\b)/g, '$1__crmframe_top')
        .replace(ALIAS_TOP, '$1__crmframe_top')
        .replace(GETTER_TOP, '$1__crmframe_top')
        .replace(ARROW_TOP, '$1__crmframe_top')
        .replace(ARG_TOP, function (m, a, b, c) { return (a || c) + '__crmframe_top'; })
        .replace(VAR_TOP, function (m, head, name) { return used[name] ? head + '__crmframe_top' : m; })
        // top.postMessage, window.top.postMessage: see __crmframe_post (the
        // two above leave X.top).postMessage alone: swapped code swaps the same)
        .replace(/(^|[^\w$.])((?:(?:window|self|parent|frames|globalThis)\s*\.\s*)*top)(?=\s*\??\.\s*postMessage\b)/g, '$1__crmframe_post($2)')
        // another window's eval too: a srcdoc or helper frame runs its
        // code in the CRM window through parent.eval (x743), as the server
        // rewriter wraps it
        .replace(/(\b(?:window|self|globalThis|parent|frames|opener|__crmframe_top)\s*\.\s*|\b__crmframe_vtop\(top\)\s*\.\s*)eval(?![\w$])(?!\s*(?:\*\*|<<|>>>?|&&|\|\||\?\?|[-+*\/%&|^])?=(?!=))/g, '$1__crmframe_ieval')
        // x.ancestorOrigins read, as the server-side rewriter does it.
        .replace(/((?:\?\.|\.)\s*)ancestorOrigins(?![\w$])(?!\s*(?:\*\*|<<|>>>?|&&|\|\||\?\?|[-+*\/%&|^])?=(?!=))/g, '$1__crmframe_ancestorOrigins')
        .replace(LOC_OPT, function (m, pre, path, ws, dot, off, seg) {
          var b = before(start, seg, off + pre.length);
          if (memberName(b, b.length)) return m;
          var r = locRecv(b, b.length, path);
          return pre + r + ws + (r === path ? dot : '?.');
        })
        .replace(LOC_RECV, function (m, pre, path, off, seg) {
          var b = before(start, seg, off + pre.length);
          return memberName(b, b.length) ? m : pre + locRecv(b, b.length, path);
        });
    }));
  };
  // Code with a with statement (legit19, x1031): Vue 2's run-time compiled
  // templates run `with(this){…}` over a dev-build proxy whose has trap
  // claims every name but a few globals and _-names, so globalThis there is
  // the component's (undefined) and the wrappers' globalThis.__crmframe_x
  // threw. The bare _-name resolves to the window's as anywhere else.
  var withSafe = function (code) {
    return /\bwith\s*\(/.test(code) ? code.replace(/globalThis\.(__crmframe_[a-z]+)\|\|/g, "typeof $1=='function'&&$1||")
      .replace(/(^|[^\w$.'])(__crmframe_(?:vtop|post)\()/g, "$1''.$2") : code;
  };
  // X.location, X a dotted path that is no window name nor super (pass 31,
  // x986; a bare super is no value to wrap): however X got the real top (a
  // child frame's key read through an alias, Reflect, a descriptor), X goes
  // through __crmframe_vtop, as the server-side rewriter does it. A
  // cross-origin top offers only location to navigate.
  var LOC_KEY = /\]\s*(?:\?\.|\.)\s*location(?![\w$])/;
  var LOC_MORE = /\[\s*(['"])location\1\s*\]|\)\s*\??\.\s*location(?![\w$])/;
  // pass 33: code that spells location ('location', a piece of it with
  // loc or ation, fromCharCode with the code of 'l'), and the names that
  // are no receiver
  var LOC_PIECE = /(['"`])([\w$]{0,5}(?:loc|ation)[\w$]{0,5})\1/, LOC_CHAR = /fromCharCode\s*\([^)]{0,48}?\b(?:108|0[xX]6[cC])\b/;
  // the cheap pre-check: a quoted word with loc/ation, or LOC_CHAR
  var LOC_SPELLED = new RegExp(LOC_PIECE.source + '|' + LOC_CHAR.source);
  var spellsLocation = function (code) {
    if (LOC_CHAR.test(code)) return true;
    for (var m, re = new RegExp(LOC_PIECE.source, 'g'); (m = re.exec(code));) if (m[2].length >= 3 && 'location'.indexOf(m[2]) >= 0) return true;
    return false;
  };
  // names that head no member chain (if (c)[a] is a statement's head)
  var CHAIN_SKIP = /^(?:if|while|for|switch|catch|with|function|class|super|import|async)$/;
  var KEY_RECV_SKIP = /^(?:return|typeof|instanceof|in|of|new|delete|void|yield|await|case|do|else|throw|let|const|var|async|get|set|static|extends|import|export|default)$/;
  var LOC_ROOTS = '(?:window|self|parent|frames|globalThis|top|document|location|this|super)(?![\\w$])';
  var LOC_SKIP = new RegExp('^' + LOC_ROOTS);
  var LOC_RECV = new RegExp('(^|[^\\w$.\\\\#])((?!' + LOC_ROOTS + ')[A-Za-z_$][\\w$]*(?:\\s*\\.\\s*#?[A-Za-z_$][\\w$]*)*)(?=\\s*\\??\\.\\s*location(?![\\w$]))', 'g');
  // a?.b.location (pass 33, x1013): a path with an optional chain inside is
  // wrapped and the member after it becomes ?.location (the chain keeps its
  // short-circuit), as the server-side rewriter does
  var LOC_OPT = new RegExp('(^|[^\\w$.\\\\#])((?!' + LOC_ROOTS + ')[A-Za-z_$][\\w$]*(?:\\s*\\??\\.\\s*#?[A-Za-z_$][\\w$]*)*\\?\\.\\s*#?[A-Za-z_$][\\w$]*(?:\\s*\\??\\.\\s*#?[A-Za-z_$][\\w$]*)*)(\\s*)(\\??\\.)(?=\\s*location(?![\\w$]))', 'g');
  // memberName: the name at `at` is a member's (a . b, a ?. b: blanks after
  // the dot; not a spread's ...b), no receiver of its own to wrap (legit19)
  var memberName = function (code, at) {
    var t = code.slice(Math.max(0, at - 200), at).replace(/\s+$/, '');
    return t.charAt(t.length - 1) === '.' && t.slice(-3) !== '...';
  };
  var locRecv = function (code, at, path) {
    // X.top (and the swapped X.__crmframe_top) have their own rules; new X.location.Y
    // would construct the wrapper
    if (/(?:^|\.)\s*(?:top|__crmframe_top)$/.test(path) || /(?:^|[^\w$.])new\s*$/.test(code.slice(Math.max(0, at - 8), at))) return path;
    return recvHead(code, at) + path + ')';
  };
  // recvHead: where a '(' could join the line above, a wrapper that starts
  // with a name (Object(Object)(t) is t)
  var recvHead = function (code, at) {
    var b = code.slice(Math.max(0, at - 200), at), t = b.replace(/\s+$/, '');
    if (t.length < b.length && /[\r\n\u2028\u2029]/.test(b.slice(t.length)) && /[\w$)\]'"`]$/.test(t)) return 'Object(globalThis.__crmframe_vtop||Object)(';
    return '(globalThis.__crmframe_vtop||(x=>x))(';
  };
  // wrapSpans wraps each span [from, to) of code in head(code, from) + … + ')',
  // nested spans too (positions in the code as it was: an inner span's
  // wrapper is inside the outer one's). Duplicates and spans that cross
  // another (none expected) are dropped. One pass over the code: a string
  // with thousands of spans stays linear.
  var wrapSpans = function (code, spans, head) {
    var list = spans.slice().sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; }), ev = [], open = [], last = null;
    for (var i = 0; i < list.length; i++) {
      var s = list[i];
      while (open.length && open[open.length - 1] <= s[0]) open.pop();
      if (s[1] <= s[0] || last && last[0] === s[0] && last[1] === s[1] || open.length && s[1] > open[open.length - 1]) continue;
      last = s;
      open.push(s[1]);
      // at one position: ends before starts, an inner end before its outer's, an outer start before its inner's
      ev.push([s[0], 1, i, head(code, s[0])], [s[1], 0, -i, ')']);
    }
    if (!ev.length) return code;
    ev.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]; });
    var out = [], at = 0;
    for (var j = 0; j < ev.length; j++) { out.push(code.slice(at, ev[j][0]), ev[j][3]); at = ev[j][0]; }
    out.push(code.slice(at));
    return out.join('');
  };
  // e.top on an object that is not a window name, as the server-side
  // rewriter does it: a window-like name ($wnd, $window, win, …Window,
  // contentWindow, defaultView), a top used as a window (e.top.location,
  // e.top.document…) or compared with its own object (e.top !== e,
  // e.top != e.self, Ext.getWin().dom.top !== Ext.getWin().dom, Babel's
  // _classPrivateFieldGet(this, _w).top !== _classPrivateFieldGet(this, _w),
  // a private field's G.#w.top !== G.#w.self, x456, e.top !== window, x461). GWT's loaders and jQuery's globalEval install such
  // code at run time. Safe on ordinary objects: the Object.prototype
  // fallback reads their own top.
  var ALIAS_TOP = new RegExp('(' +
    '(?:^|[^\\w$])[$_]*(?:window|win|wnd|wind|Window|Win|Wnd|defaultView|[\\w$]{1,60}(?:Window|Win|Wnd|_window|_win|_wnd|_WINDOW))\\s*(?:\\?\\.|\\.)\\s*(?=top(?![\\w$])(?!\\s*\\)?\\s*\\??\\.\\s*postMessage\\b))' +
    '|(?:\\?\\.|\\.)\\s*(?=top\\s*(?:\\?\\.|\\.)\\s*(?:location|document|frames|opener|history|onbeforeunload)(?![\\w$]))' +
    '|(?:^|[^\\w$.])([\\w$]+(?:\\s*(?:\\(\\s*\\)\\s*)?\\.\\s*#?[\\w$]+)*(?:\\s*\\([\\w$\\s,.]*\\))?)\\s*\\.\\s*(?=top\\s*[!=]==?\\s*(?:\\2(?:\\s*\\.\\s*self)?|window|self)(?![\\w$.\\[(]))' +
    ')top', 'g');
  // e.source.top === window.top, frames[0].top != top (after the bare top
  // swap: __crmframe_vtop(top)), and the other way round: a same-tab check.
  // The unknown X.top (maybe a cross-origin window's: only its top is
  // readable) becomes __crmframe_vtop(X['top']), the virtual top when it is
  // the real one, so both sides agree.
  var CMP_PATH = '((?!(?:window|self|parent|globalThis|this|top)\\s*\\.\\s*top\\b)[A-Za-z_$][\\w$]*(?:\\s*\\.\\s*[\\w$]+|\\s*\\[\\s*\\d+\\s*\\])*\\s*\\.\\s*top)';
  var CMP_VTOP = '(?:(?:(?:window|self|parent|globalThis)\\s*\\.\\s*)?top(?![\\w$])|__crmframe_vtop\\(top\\))(?!\\s*(?:[.\\[(`]|\\?\\.))';
  var CMP_TOP_L = new RegExp('(^|[^\\w$.])' + CMP_PATH + '(?=\\s*[!=]==?\\s*' + CMP_VTOP + ')', 'g');
  var CMP_TOP_R = new RegExp('((?:^|[^\\w$.])' + CMP_VTOP + '\\s*[!=]==?\\s*)' + CMP_PATH + '(?!\\s*(?:[\\w$.\\[(`]|\\?\\.))', 'g');
  // (written X['top']: a window-like name's .top would become
  // .__crmframe_top below, which throws on a cross-origin window)
  var cmpTop = function (m, pre, path) { return pre + '__crmframe_vtop(' + path.replace(/\s*\.\s*top$/, "['top']") + ')'; };
  // A function whose last statement is `return a.top` (Closure's
  // function Ga(a){return a.top}, a getTop(w) helper, a class getter), and
  // `t = w.top` where the code uses t.location, t.document… (USED),
  // as the server-side rewriter does.
  // Also with a fallback: return w.top || w, return w ? w.top : window,
  // and a bare top as swapped before (return w ? w.top : top, x1052).
  var GETTER_TOP = /((?:^|[^\w$.])return[ \t]+(?:[\w$.]+\s*\?\s*)?(?!this\s*\??\.\s*top\b)[\w$]+(?:\s*\??\.\s*[\w$]+)*\s*\??\.\s*)top(?=\s*(?:(?:\|\||\?\?|:)\s*(?:[\w$.]+|__crmframe_vtop\(top\))\s*)?;?\s*\})/g;
  // The same getter as an arrow with an expression body, given a name or
  // a key (const o=e=>e.top, {get: w => w.top}), or passed to a method of a
  // list holding a window ([window].map(w => w.top)); not another callback
  // passed to a call (rects.map(r => r.top) is geometry).
  var ARROW_TOP = /((?:(?:^|[^=!<>])[=:]|\[\s*(?:[\w$]+\s*,\s*)*(?:window|self|parent|frames|globalThis)(?:\s*,\s*[\w$]+)*\s*\]\s*\.\s*[\w$]+\s*\()\s*(?:[\w$]+|\(\s*[\w$]*\s*\))\s*=>\s*(?!this\s*\??\.\s*top\b)[\w$]+(?:\s*\??\.\s*[\w$]+)*\s*\??\.\s*)top(?=\s*(?:[,;)}\]]|$))/g;
  // leave(w.top, w), bust(w, w.top): handed on next to its own window.
  var ARG_TOP = /((?:^|[^\w$.])([\w$]+(?:\s*\.\s*[\w$]+)*)\s*\.\s*)top(?=\s*,\s*(?:\2(?:\s*\.\s*self)?|self|window)\s*[,)])|((?:^|[(,])\s*([\w$]+(?:\s*\.\s*[\w$]+)*)\s*,\s*\4\s*\.\s*)top(?=\s*[,)])/g;
  // The variable may be a property (this.topWin = w.top; this.topWin.location,
  // {root: w.top}; a fallback may follow: w.top || w),
  // the path hold brackets (window.frames[0].parent.top, not calls:
  // $(el).offset().top is geometry); it is
  // also used as a window when compared with a name (t !== root, self != t)
  // or returned (var t = w.top; return t).
  var VAR_TOP = /((?:^|[^\w$])([\w$]+)\s*[=:]\s*[\w$]+(?:\s*\??\.\s*[\w$]+|\s*\[[^\[\]()\n]*\])*\s*\??\.\s*)top(?![\w$])(?=\s*(?:[,;)}\n]|\|\||\?\?)|\s*$)/g;
  var USED = [/(?:^|[^\w$])([\w$]+)\s*\??\.\s*(?:location|document|frames|opener|history|onbeforeunload)(?![\w$])/g,
    /(?:^|[^\w$.])([\w$]+)\s*[!=]==?\s*(?=[A-Za-z_$])/g, /[\w$)\]]\s*[!=]==?\s*([\w$]+)(?![\w$.\[(])/g,
    /(?:^|[^\w$.])return[ \t]+([\w$]+)\s*(?:[;}]|$)/g];
  // g['top'] on any object, used as a window: g['top']['location'],
  // g['top'].document, g['top'] !== g['self'] (Dojo's quoted names).
  var BRACKET_USE = /^\s*\]\s*(?:(?:\?\.)?\[\s*(['"])(?:location|document|frames|opener|history|onbeforeunload)\1|\??\.\s*(?:location|document|frames|opener|history|onbeforeunload)(?![\w$])|[!=]==?\s*(?:(?:window|self)(?![\w$.\[])|[\w$.]+\s*(?:(?:\?\.)?\[\s*(['"])self\2\s*\]|\??\.\s*self(?![\w$]))))/;
  var ESC_ID = /(?:[\w$]|\\u(?:[\da-fA-F]{4}|\{[\da-fA-F]+\}))+/g;
  var unescId = function (id) {
    var t = id.replace(/\\u(?:([\da-fA-F]{4})|\{([\da-fA-F]+)\})/g, function (m, a, b) { var c = parseInt(a || b, 16); return c < 128 ? String.fromCharCode(c) : m; });
    return t === 'top' || t === 'eval' ? t : id;
  };
  // scan applies fix(text, start) to the runs of code between strings,
  // comments and regular expression literals.
  var scan = function (code, fix) {
    return scanSpan(code, fix, 0, code.length);
  };
  // scanSpan is scan over code[from:to]; a template literal's ${…}
  // substitutions are code too (`${top !== self ? …}`, x450), and HTML-like
  // comments (<!-- anywhere, --> first on a line) are line comments in the
  // classic code these strings run as (x451).
  var scanSpan = function (code, fix, from, n) {
    var out = '', i = from, seg = from;
    var flush = function (end) { out += fix(code.slice(seg, end), seg); };
    while (i < n) {
      var c = code.charAt(i), e;
      if (c === '`') {
        flush(i);
        for (e = i + 1; e < n && code.charAt(e) !== '`'; e++) {
          if (code.charAt(e) === '\\') e++;
          else if (code.charAt(e) === '$' && code.charAt(e + 1) === '{') {
            var k = closer(code, e + 2);
            if (k < 0 || k > n || code.charAt(k) !== '}') { e = n; break; }
            out += code.slice(i, e + 2) + scanSpan(code, fix, e + 2, k);
            i = e = k;
          }
        }
        out += code.slice(i, e + 1);
        i = seg = e + 1;
      } else if (c === '"' || c === "'") {
        flush(i);
        for (e = i + 1; e < n && code.charAt(e) !== c; e++) if (code.charAt(e) === '\\') e++;
        var str = code.slice(i, e + 1);
        // window['top']
        if (str.slice(1, -1) === 'top' && (/(?:window|self|parent|frames|globalThis)\s*\[\s*$/.test(out) && /^\s*\]/.test(code.slice(e + 1)) ||
            /(?:[\w$)\]]|[\w$)\]]\s*\?\.)\s*\[\s*$/.test(out) && BRACKET_USE.test(code.slice(e + 1, e + 200)))) str = c + '__crmframe_top' + c;
        out += str;
        i = seg = e + 1;
      } else if (c === '/' && (code.charAt(i + 1) === '/' || code.charAt(i + 1) === '*') || c === '<' && code.substr(i, 4) === '<!--' ||
          c === '-' && code.substr(i, 3) === '-->' && /(?:^|[\n\r\u2028\u2029])[ \t]*$/.test(code.slice(Math.max(from, i - 256), i).replace(/\/\*[^]*?\*\//g, ' '))) {
        flush(i);
        e = c === '/' && code.charAt(i + 1) === '*' ? code.indexOf('*/', i + 2) + 1 : code.slice(i, n).search(/[\n\r\u2028\u2029]/);
        e = c === '/' && code.charAt(i + 1) === '*' ? (e <= 0 ? n : e + 1) : (e < 0 ? n : i + e + 1);
        out += code.slice(i, Math.min(e, n));
        i = seg = Math.min(e, n);
      } else if (c === '/' && (e = regexEnd(code, i)) > 0) {
        flush(i);
        out += code.slice(i, e);
        i = seg = e;
      } else i++;
    }
    flush(n);
    return out;
  };
  // bareTop decides what a bare `top` at code[i] becomes. Code strings
  // often run inside `with (obj)` (Vue's compiled templates, lodash and
  // underscore templates) or declare their own `top`, so a read becomes
  // __crmframe_vtop(top): the identifier still resolves through the scope
  // chain, and only when it is the real top window is the virtual top used
  // instead. That form is an expression, so it is used only where `top`
  // certainly is one; bindings, assignment targets (assigning the global
  // top does nothing anyway), keys, labels, shorthands and top.postMessage
  // keep `top`. An `eval` used as a value (var e = eval, eval.call(…),
  // setTimeout(eval, 0, s)) becomes __crmframe_vtop(eval) the same way:
  // the real eval is replaced by __crmframe_ieval. segStart: where the
  // current run of code (no strings, comments or regexes) starts.
  var VETO_AFTER = /^\s*(?:(?:\*\*|<<|>>>?|&&|\|\||\?\?|[-+*\/%&|^])?=(?!=)|\+\+|--|:|\??\.\s*postMessage\b)/;
  // c ? top : d: `top` between '?' and ':' is always an expression
  var TERNARY_BEFORE = /(?:^|[^?.])\?\s*$/;
  var VETO_BEFORE = /(?:\+\+|--|\b(?:var|let|const|function|class|catch|new)\s*\(?|__crmframe_(?:vtop|post)\()\s*$/;
  var EXPR_AFTER = /^\s*(?:\?\.|[.[?<>]|[=!]=|&&|\|\||[-+*%&|^]|\/(?![/*])|instanceof\b)/;
  var EXPR_BEFORE = /(?:[=!&|?+\-*%<>~^/]|\b(?:return|typeof|void|in|instanceof|case|throw|await|yield))\s*$/;
  var PARAMS_AFTER = /^\s*(?:\{|(?:\*\*|<<|>>>?|&&|\|\||\?\?|[-+*\/%&|^])?=(?!=))/;
  var bareTop = function (code, i, segStart, name) {
    var e = i + name.length, after = code.slice(e, e + 64), before = code.slice(Math.max(segStart, i - 64), i);
    var guarded = '__crmframe_vtop(' + name + ')';
    // comments between the name and its neighbours (top /* c */ !== self,
    // x453): look past them
    var m = /^(?:\s*(?:\/\*[^]*?\*\/|\/\/[^\n\r]*))+/.exec(code.slice(e, e + 512));
    if (m) after = ' ' + code.slice(e + m[0].length, e + m[0].length + 64);
    if (/^\s*$/.test(before) && i > before.length) {
      var pre = code.slice(Math.max(0, i - 512), i - before.length), q, pre0 = pre;
      while (/\*\/\s*$/.test(pre) && (q = pre.lastIndexOf('/*')) >= 0) pre = pre.slice(0, q).replace(/\s+$/, '');
      if (pre !== pre0) before = pre.slice(-64) + ' ';
    }
    // if (top), switch (top) {…}, while (top): a condition, not a
    // parameter list (x452)
    if (/(?:^|[^\w$.])(?:if|while|switch|with)\s*\(\s*$/.test(before) && /^\s*\)/.test(after)) return guarded;
    // `${top}`: a whole substitution is an expression
    if (code.slice(segStart - 2, segStart) === '${' && /^\s*$/.test(before) && /^\s*\}/.test(after)) return guarded;
    if (TERNARY_BEFORE.test(before) && /^\s*:/.test(after)) return guarded;
    if (VETO_AFTER.test(after) || VETO_BEFORE.test(before)) return name;
    // eval(s) and (eval)(s) are direct: they see the local scope
    if (name === 'eval' && (/^\s*\(/.test(after) || (/(^|[^\w$)\]])\s*\(\s*$/.test(before) && /^\s*\)\s*\(/.test(after)))) return name;
    if (EXPR_AFTER.test(after) || EXPR_BEFORE.test(before)) return guarded;
    // f(a, top) is an argument, [self, top] an array element, {k: top} a
    // value; but function f(a, top) {}, (a, top) => a, [a, top] = v,
    // const {k: top} = o and {a, top} (a shorthand) are bindings or keys.
    if (/[(,[]\s*$/.test(before) && /^\s*[),\]]/.test(after) || /:\s*$/.test(before) && /^\s*[,}]/.test(after)) {
      var j = closer(code, e);
      if (j >= 0 && code.charAt(j) === '}' && !/:\s*$/.test(before)) return name;
      return j === -1 && /:\s*$/.test(before) || j >= 0 && !inPattern(code, j) ? guarded : name;
    }
    // c ? a : top
    if (/:\s*$/.test(before)) return guarded;
    // the whole code is `top`: eval('to' + 'p')
    if (segStart === 0 && i <= 64 && code.length - e <= 64 && /^\s*$/.test(before) && /^\s*;?\s*$/.test(after)) return guarded;
    return name;
  };
  // closer returns the index of the bracket that closes the list or block
  // code[i] is in, -1 at the end of the code, -2 when it gave up (looks
  // at most 4 KiB ahead, so that a large code string stays linear).
  var closer = function (code, i) {
    for (var depth = 0, n = Math.min(code.length, i + 4096); i < n; i++) {
      var c = code.charAt(i);
      if (c === '"' || c === "'" || c === '`') {
        for (i++; i < n && code.charAt(i) !== c; i++) if (code.charAt(i) === '\\') i++;
      } else if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') {
        if (depth-- === 0) return i;
      }
    }
    return n === code.length ? -1 : -2;
  };
  // inPattern: the list or object closed at code[j] may be a binding or
  // assignment pattern or a parameter list: followed by '=' (not == or =>),
  // `of`/`in`, or a ')' that opens a function body or an arrow; nested
  // lists ask their enclosing one (a few levels, then say yes).
  var inPattern = function (code, j) {
    for (var d = 0; d < 8; d++) {
      var c = code.charAt(j), rest = code.slice(j + 1, j + 65);
      if (c === ')') return PARAMS_AFTER.test(rest) || /^\s*=>/.test(rest);
      if (/^\s*(?:=(?![=>])|(?:of|in)(?![\w$]))/.test(rest)) return true;
      if (!/^\s*[,)\]}]/.test(rest)) return false;
      j = closer(code, j + 1);
      if (j === -1) return false;
      if (j < 0) return true;
    }
    return true;
  };
  // regexEnd returns the end of the regular expression literal starting at
  // code[i] === '/', or 0 when it is not unambiguously one: the previous
  // significant character must be one after which '/' cannot divide
  // (not ')', ']', '}', an identifier, a number or ++/--), and the literal
  // must end on its line.
  var regexEnd = function (code, i) {
    var j = i - 1;
    while (j >= 0 && /\s/.test(code.charAt(j))) j--;
    // also after a keyword (return /'/.test(s), x454) and after the ')' of
    // an if/while/for/with head (if (q) /'/.test(q), x455)
    if (j >= 0 && '(,=:[!&|?{;~*%<>^'.indexOf(code.charAt(j)) < 0 &&
        !/(?:^|[^\w$.])(?:return|typeof|case|do|else|in|of|new|delete|void|throw|yield|await|instanceof)$/.test(code.slice(Math.max(0, j - 11), j + 1)) &&
        !(code.charAt(j) === ')' && ctlParen(code, j))) return 0;
    for (var e = i + 1, cls = false, n = code.length; e < n; e++) {
      var ch = code.charAt(e);
      if (ch === '\\') e++;
      else if (ch === '\n' || ch === '\r') return 0;
      else if (ch === '[') cls = true;
      else if (ch === ']') cls = false;
      else if (ch === '/' && !cls) {
        for (e++; e < n && /[a-z]/i.test(code.charAt(e));) e++;
        return e;
      }
    }
    return 0;
  };
  // ctlParen: the ')' at code[j] closes the head of an if, while, for or
  // with (then a '/' after it starts a statement, not a division).
  var ctlParen = function (code, j) {
    for (var k = j - 1, depth = 0; k >= 0 && k > j - 1024; k--) {
      var c = code.charAt(k);
      if (c === ')' || c === ']' || c === '}') depth++;
      else if ((c === '(' || c === '[' || c === '{') && depth-- === 0) {
        return c === '(' && /(?:^|[^\w$.])(?:if|while|for|with)\s*$/.test(code.slice(Math.max(0, k - 16), k));
      }
    }
    return false;
  };
  // jsType: a script type that runs (templates and JSON keep their text).
  var jsType = function (t) {
    t = String(t == null ? '' : t).trim().toLowerCase();
    // with the legacy names browsers run, as the HTML rewriter (x707)
    return t === '' || t === 'module' || /^(?:(?:text|application)\/(?:x-)?(?:javascript|ecmascript|jscript)|text\/javascript1\.[0-5]|text\/livescript)$/.test(t);
  };
  // fixHTML swaps the scripts and the handlers, javascript: URLs and
  // srcdoc documents in attributes of an HTML string. Quoted values may
  // hold '>' (and whole documents: srcdoc).
  var fixHTML = function (html) {
    html = String(html);
    if (!MAY.test(html) && !SRC_CODE.test(html) && !DSD_TPL.test(html) && !htmlLoc(html)) return html;
    return html.replace(/(<script\b(?:[^>"']|"[^"]*"|'[^']*')*>)([\s\S]*?)(<\/script\s*>)|<[a-z](?:[^>"']|"[^"]*"|'[^']*')*>/gi, function (m, open, body, close) {
      if (!open) return fixTag(m);
      var type = /\stype\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*))/i.exec(open);
      if (type && !jsType(type[1] || type[2] || type[3])) return m;
      // a written <script src="data:…"> runs as parsed (x708): its code
      // gets script.src's swap (innerHTML's never run; no harm there)
      if (/\ssrc\s*=/i.test(open)) {
        return fixTag(open.replace(/(\ssrc\s*=\s*)("[^"]*"|'[^']*'|[^\s"'>]+)/i, function (a, k, v) {
          var q = /^["']/.test(v) ? v : '"' + v + '"', f = attrCode(q, fixSrc);
          return k + (f === q ? v : f);
        })) + body + close;
      }
      return fixTag(open) + fixCode(body) + close;
    });
  };
  // HTML with a handler or a script whose code may spell location (pass
  // 34, x1042: its handler holds no other trigger word; fixCode decides on
  // the decoded code, so a loose test here: entities may hide the quotes)
  var htmlLoc = function (html) {
    return /loc|ation|fromCharCode/.test(html) && /\son[a-z]+\s*=|<script\b/i.test(html);
  };
  // a script whose code is in its URL (base64 hides every trigger word)
  var SRC_CODE = /<script\b(?:[^>"']|"[^"]*"|'[^']*')*?\ssrc\s*=\s*["']?\s*(?:data|blob):/i;
  // a declarative shadow root, which gets dsdMark whatever else it holds
  // (its root may be the one that blanks the page, x790)
  var DSD_TPL = /<template\b(?:[^>"']|"[^"]*"|'[^']*')*?\sshadowrootmode\s*=/i;
  var fixTag = function (tag) {
    var frame = /^<iframe\b/i.test(tag), anim = /^<(?:set|animate)[\s/>]/i.test(tag);
    tag = fixTargets(tag);
    return tag.replace(/(\s([^\s"'>\/=]+)\s*=\s*)("[^"]*"|'[^']*')/g, function (m, k, name, v) {
      var fix = /^on[a-z]+$/i.test(name) ? fixCode : frame && /^srcdoc$/i.test(name) ? fixDoc : URL_ATTR.test(name) ? jsUrl : anim && ANIM_ATTR.test(name) ? animUrls : null;
      return fix ? k + attrCode(v, fix) : m;
    });
  };
  // fixTargets (pass 22): a <base target=_top> in an HTML string is a set
  // value too (a click handler inserts it after our capture listener saw
  // the click, x713); a declarative shadow root gets a marker element that hands the
  // root to our listeners (dsdMark, below; closed roots have no other way in).
  var TARGET_TAG = /^<(a|area|form|base|button|input|template)\b/i;
  var fixTargets = function (tag) {
    var m = TARGET_TAG.exec(tag), name = m && m[1].toLowerCase();
    if (!m || typeof targetValue !== 'function') return tag;
    if (name === 'template') {
      if (!dsdMark || !/\sshadowrootmode\s*=/i.test(tag)) return tag;
      // setHTMLUnsafe and parseHTMLUnsafe (dsdFlip): a closed root is parsed
      // open and closed again before the page sees it (dsdFound): Chromium
      // 148 never upgrades the marker of a root these parse, and a closed
      // root has no other way in (x790)
      if (dsdFlip && DSD_CLOSED.test(tag)) return tag.replace(DSD_CLOSED, '$1"open"') + '<crmframe-dsd closed></crmframe-dsd>';
      return tag + dsdMark;
    }
    // in markup only a <base> can change the follow under way (x713): a
    // link, form or button parsed now is not the one followed, and one
    // clicked later is retargeted then
    var form = name === 'button' || name === 'input';
    return tag.replace(/(\s(target|formtarget)\s*=\s*)("[^"]*"|'[^']*'|[^\s"'>]+)/gi, function (a, k, attr, v) {
      if ((attr.toLowerCase() === 'formtarget') !== form) return a;
      var q = v.charAt(0), raw = q === '"' || q === "'" ? v.slice(1, -1) : v;
      if (name !== 'base') {
        // kept, but a document holding it needs the shim (fixDoc)
        if (leaves(raw)) { leavingTag = true; count('target'); }
        return a;
      }
      var t = targetValue(raw);
      if (t !== raw && textBases.length < 64) textBases.push(raw);
      return t === raw ? a : k + '"' + t + '"';
    });
  };
  var leavingTag = false;
  var dsdMark = '', dsdFlip = false;
  var DSD_CLOSED = /(\sshadowrootmode\s*=\s*)(?:"closed"|'closed'|closed(?![^\s\/>]))/i;
  // attrCode applies fix to the quoted attribute value v as the browser
  // reads it (character references decoded) and quotes it again.
  var ENT = { quot: '"', apos: "'", amp: '&', lt: '<', gt: '>' };
  var attrCode = function (v, fix) {
    var q = v.charAt(0), raw = v.slice(1, -1);
    var text = raw.replace(/&(?:(quot|apos|amp|lt|gt)|#(\d+)|#x([0-9a-f]+));/gi, function (m, name, dec, hex) {
      return name ? ENT[name.toLowerCase()] : String.fromCharCode(dec ? +dec : parseInt(hex, 16));
    });
    var f = fix(text);
    if (f === text) return v;
    return q + f.replace(/&/g, '&amp;').replace(q === '"' ? /"/g : /'/g, q === '"' ? '&quot;' : '&#39;') + q;
  };
  // jsUrl gives the code of a javascript: URL the swap, on the code as it
  // runs (percent-decoded); a changed URL with escapes keeps '%' escaped.
  var JSURL = /^([\s\x00-\x1f]*javascript:)([\s\S]*)$/i;
  // An SVG <set>/<animate> gives the attribute it animates (an <a>'s href,
  // adv36 x1072) its to, from, by or values: ';'-separated values there,
  // each of which may be a javascript: URL a click then follows.
  var ANIM_ATTR = /^(?:to|from|by|values)$/i, ANIM_EL = /^(?:set|animate)$/;
  var animUrls = function (v) {
    return JSURL.test(v) || /;[\s\x00-\x1f]*javascript:/i.test(v) ? v.split(';').map(jsUrl).join(';') : v;
  };
  var jsUrl = function (u) {
    var m = JSURL.exec(u);
    if (!m) return u;
    var code = m[2], text = code;
    if (code.indexOf('%') >= 0) {
      try { text = decodeURIComponent(code); } catch (e) { return u; }
    }
    var f = fixCode(text), doc = docExpr(f);
    if (f === text && !doc) return u;
    f = text === code ? f : f.replace(/%/g, '%25');
    // %0A: a raw line break would be dropped by the URL parser.
    return m[1] + (doc ? DOC_OPEN + f + '%0A))' : f);
  };
  // docExpr: the code is one expression that may return a document
  // (javascript:"<!doctype html>…" built at run time, a template literal,
  // concatenation: x304, x305); its value then goes through __crmframe_doc,
  // as the rewriter does for served URLs. Compiled, never run, to tell an
  // expression from statements; where CSP forbids that, left as it is.
  var DOC_OPEN = '(globalThis.__crmframe_doc||(x=>x))((';
  var noCompile = false;
  // Where CSP forbids compiling (a policy the page added at run time, x436),
  // only what is one string literal for certain is taken for an expression:
  // 'javascript:' + JSON.stringify(markup).
  var ONE_STRING = /^\s*(?:"(?:[^"\\\n\r]|\\[\s\S])*"|'(?:[^'\\\n\r]|\\[\s\S])*'|`[^`\\$]*`)\s*$/;
  var docExpr = function (code) {
    if (code.indexOf('<') < 0 || code.indexOf('__crmframe_doc') >= 0) return false;
    if (noCompile) return ONE_STRING.test(code);
    try { new RealFunction(DOC_OPEN + code + '\n))'); return true; } catch (e) {
      // not an expression (SyntaxError), or no eval here: then never again
      // (one CSP report, not one per URL)
      if (e && e.name === 'SyntaxError') return false;
      noCompile = true;
      return ONE_STRING.test(code);
    }
  };
  var RealFunction = w.Function;
  // swap returns v with fix applied (counted; only in neutralize mode).
  var swap = function (v, fix) {
    var orig = v, kind = trustedKind(v);
    if (kind) v = String(v);
    if (!framed || mode === 'off' || typeof v !== 'string' || !MAY.test(v) && !(fix === fixHTML && (SRC_CODE.test(v) || DSD_TPL.test(v) || htmlLoc(v))) && !(fix === fixCode && LOC_SPELLED.test(v))) return orig;
    var f = fix(v);
    if (f === v) return orig;
    count('code');
    if (!act) return orig;
    if (!kind) return f;
    // TrustedScript/TrustedHTML (Knockout 3.5, apps with a policy) are
    // swapped as their text and wrapped again through our own policy (the
    // HTML rewriter adds its name to a page's trusted-types list); without
    // one the original is kept: a plain string would throw in the sink.
    var p = ttPolicy(), make = p && TT.make[kind];
    return p ? (make ? TT.ra(make, p, [f]) : p[kind](f)) : orig;
  };
  // Trusted Types as they were when the shim ran: a page that replaces
  // window.trustedTypes, isScript or a policy's createScript afterwards
  // would otherwise get our swapped code handed to its own function.
  var TT = { f: w.trustedTypes, ra: Reflect.apply, make: {} };
  if (TT.f) {
    TT.isScript = TT.f.isScript; TT.isHTML = TT.f.isHTML; TT.create = TT.f.createPolicy;
    var TTP = w.TrustedTypePolicy && w.TrustedTypePolicy.prototype;
    if (TTP) { TT.make.createScript = TTP.createScript; TT.make.createHTML = TTP.createHTML; }
  }
  var trustedKind = function (v) {
    if (!TT.f || v === null || typeof v !== 'object') return '';
    try { return TT.ra(TT.isScript, TT.f, [v]) ? 'createScript' : TT.ra(TT.isHTML, TT.f, [v]) ? 'createHTML' : ''; } catch (e) { return ''; }
  };
  // sinkText: an object (or function) given to a string sink is converted
  // here, once, as the sink would convert it, and the text is what gets
  // both the swap and the sink: its toString may make code that no string
  // ever held (x740-x753), or give another text the second time it runs.
  // Trusted Types objects stay objects (the swap unwraps them itself).
  var sinkText = function (v) {
    return v !== null && (typeof v === 'object' || typeof v === 'function') && !trustedKind(v) ? String(v) : v;
  };
  var policy;
  var ttPolicy = function () {
    if (policy === undefined) {
      try {
        var id = function (x) { return x; };
        policy = TT.ra(TT.create, TT.f, ['crmframe', { createScript: id, createHTML: id }]);
      } catch (e) { policy = null; }
    }
    return policy;
  };
  // The rewriter turns eval(x) into eval((globalThis.__crmframe_code||…)(x)).
  def(w, '__crmframe_code', { value: function (x) { return swap(x, fixCode); } });
  // An indirect eval whose code gets the swap: what the rewriter makes of
  // `eval` used as a value (var e = eval; e(s), eval.call(null, s)).
  var realEval = w.eval;
  var ieval = { eval: function (x) { return (0, realEval)(swap(x, fixCode)); } }.eval;
  def(w, '__crmframe_ieval', { value: ieval });
  // Rewritten `x.eval` / x[key('eval')] reads x.__crmframe_ieval: on an
  // ordinary object (a local `self`) that must still mean x.eval.
  if (!Object.prototype.hasOwnProperty('__crmframe_ieval')) {
    def(Object.prototype, '__crmframe_ieval', {
      get: function () { return this.eval; },
      set: function (v) { Reflect.set(Object(this), 'eval', v, this); },
      configurable: true,
      enumerable: false
    });
  }
  // What the run-time scanner makes of a bare `top` read: the virtual top
  // when the identifier resolved to the real top window, its value otherwise
  // (a with-object's or a local's `top`); an `eval` read: __crmframe_ieval
  // when it is the real eval.
  // An object whose prototype chain holds the real top (o = new X() with
  // X.prototype = realTop, however set; adv35, x1064) reads the virtual
  // top's location: o.location's receiver is the virtual top.
  var inChain = Function.prototype.call.bind(Object.prototype.isPrototypeOf);
  def(w, '__crmframe_vtop', { value: function (v) {
    if (v === realTop) return w.__crmframe_top;
    if (v === realEval) return ieval;
    if (framed && v !== null && typeof v === 'object') try { if (inChain(realTop, v)) return w.__crmframe_top; } catch (e) { /* a revoked proxy: as it is */ }
    return v;
  } });
  // The rewriters turn X.top.postMessage into __crmframe_post(X.top)
  // .postMessage (x419). A message for the CRM's own origin ('/', or
  // targetOrigin naming this origin) can never reach a desktop on another
  // origin, and unframed it would reach the CRM's top: it goes to the
  // virtual top. Any other one ('*', the desktop's origin) goes to the real
  // top as before. The poster lives in this realm, so e.source is this
  // window.
  var poster = null;
  def(w, '__crmframe_post', { value: function (v) {
    if (v !== realTop || !framed || vtop === realTop || mode === 'off') return v;
    return poster || (poster = { postMessage: function (message, opts) {
      var o = arguments.length < 2 ? '/' : opts !== null && typeof opts === 'object' ? (opts.targetOrigin === undefined ? '/' : opts.targetOrigin) : opts, own = false;
      try { o = String(o); own = o === '/' || (o !== '*' && new URL(o).origin === w.location.origin); } catch (e) { /* the real call reports it */ }
      if (own) count('post');
      var t = own && act ? vtop : realTop;
      return t.postMessage.apply(t, arguments);
    } });
  } });
  // In code with a with statement the rewriters read the bare helpers as
  // ''.__crmframe_vtop(top): a with-object that claims every name (a
  // formula sandbox whose has trap says yes to all, legit20, x1093)
  // answered undefined for them; a string's prototype is reached by no name.
  var SP0 = (w.String || String).prototype;
  ['__crmframe_vtop', '__crmframe_post'].forEach(function (n) {
    if (!Object.prototype.hasOwnProperty.call(SP0, n)) def(SP0, n, { value: w[n] });
  });
  // The rewriter turns window[k] (a key that is not a literal) into
  // window[(globalThis.__crmframe_key||…)(k)]: the key "top" reads the
  // virtual top (window['to'+'p'], var k = 'top'; self[k]); "eval" reads
  // the indirect eval that swaps its code (window[k](s) with k = 'eval').
  // location[k] with k = 'ancestorOrigins' (x351) reads the CRM's ancestors.
  // An object key (Symbol.toPrimitive, toString, new String: x388) is
  // converted here, once, as the member read would convert it.
  var propKey = function (k) {
    if (k === null || (typeof k !== 'object' && typeof k !== 'function')) return k;
    var o = {};
    o[k] = 0;
    return Reflect.ownKeys(o)[0];
  };
  def(w, '__crmframe_key', { value: function (k) {
    if (!framed || mode === 'off') return k;
    k = propKey(k);
    return k === 'top' ? '__crmframe_top' : k === 'eval' ? '__crmframe_ieval' : k === 'ancestorOrigins' ? '__crmframe_ancestorOrigins' : k;
  } });

  // The rewriter wraps a javascript: URL that is one string literal (its
  // value becomes the frame's document) in __crmframe_doc: the document is
  // swapped like a srcdoc set by script (docFix, below; identity until then).
  var docFix = null;
  def(w, '__crmframe_doc', { value: function (v) { return docFix && typeof v === 'string' ? swap(v, docFix) : v; } });

  // An adopted popup (window.open('') by the CRM, x392) is not framed, but
  // its realm's descriptors and Reflect must answer for CRM windows.
  // defineMarker(connected): the crmframe-dsd element, the marker the HTML
  // rewriter (MarkShadowRoots) and fixTargets put first in a declarative
  // shadow root; false when there are no custom elements or a page took
  // the name.
  function defineMarker(connected) {
    if (!w.customElements || typeof Reflect !== 'object' || typeof w.HTMLElement !== 'function') return false;
    try {
      var M = function () { return Reflect.construct(w.HTMLElement, [], M); };
      M.prototype = Object.create(w.HTMLElement.prototype);
      M.prototype.constructor = M;
      M.prototype.connectedCallback = connected;
      Object.setPrototypeOf(M, w.HTMLElement);
      w.customElements.define('crmframe-dsd', M);
      return true;
    } catch (e) { return false; }
  }
  if ((!framed && !adopted) || mode === 'off') {
    // the server's marker leaves at once here too: a :first-child rule of
    // the root never sees it
    defineMarker(function () { this.remove(); });
    return;
  }

  // --- listeners that document.open() erases -------------------------------
  // document.open() (also the one write() makes on a parsed document)
  // erases every listener of the document and its window, ours too: the
  // _top retargeting, the nets' load and pointer hooks (x700-x705). Those
  // this function adds to window and document are noted (through
  // addEventListener, swapped back at its end, before any CRM script runs)
  // and added again after each open; adding one still there does nothing.
  var ET0 = typeof EventTarget === 'function' ? EventTarget.prototype : {}, rawAEL = ET0.addEventListener, RA1 = Reflect.apply, kept = [], loadSeen = false;
  var noting = typeof rawAEL === 'function' && function () {
    try { if (this === w || this === d) kept.push([this, arguments[0], arguments[1], arguments[2]]); } catch (e) { /* not kept */ }
    return RA1(rawAEL, this, arguments);
  };
  var unnote = function () { if (noting && ET0.addEventListener === noting) ET0.addEventListener = rawAEL; };
  if (noting) {
    ET0.addEventListener = noting;
    // also when this function fails half-way: never the page's
    if (typeof queueMicrotask === 'function') queueMicrotask(unnote);
  }
  var rearm = function () {
    for (var i = 0; i < kept.length; i++) {
      var o = kept[i];
      // past the window's load, what its load started runs on
      if (loadSeen && o[0] === w && o[1] === 'load' && !o[3]) continue;
      try { RA1(rawAEL, o[0], [o[1], o[2], o[3]]); } catch (e) { /* not an EventTarget of this realm (tests) */ }
    }
  };
  w.addEventListener('load', function () { loadSeen = true; });
  // an open this function never saw (another realm's Document.prototype.open)
  if (typeof MutationObserver === 'function') new MutationObserver(function () { rearm(); }).observe(d, { childList: true });

  // --- parent / frameElement at the CRM root: "not framed" -------------
  if (foreign) {
    var lie = function (name, real, fake) {
      try {
        def(w, name, {
          get: function () { count(name); return act ? fake : real; },
          set: function (v) { def(w, name, { value: v, writable: true, configurable: true, enumerable: true }); },
          configurable: true,
          enumerable: true
        });
      } catch (e) { /* not configurable in this browser: rewriting still covers top */ }
    };
    lie('parent', realParent, w);
    lie('frameElement', realFrameElement, null);
  }

  // --- _top/_parent targets: navigate the CRM's root frame instead -------
  var rootName = function () {
    if (root) return '_self';
    try {
      if (!vtop.name) vtop.name = '__crmframe_root';
      return vtop.name;
    } catch (e) { return '_self'; }
  };
  // What the click/submit path reads at event time, as it was when the
  // shim ran: a page may replace Event.prototype.composedPath, a getter or
  // String.prototype.toLowerCase afterwards (x503), or Function.prototype.call.
  var RA0 = Reflect.apply, Str = String, lower = Str.prototype.toLowerCase, IN = {};
  [['Node', 'nodeType'], ['Node', 'parentNode'], ['Node', 'isConnected'], ['Node', 'ownerDocument'], ['Element', 'localName'],
    ['Document', 'defaultView'], ['Event', 'target'], ['Event', 'type'], ['SubmitEvent', 'submitter']].forEach(function (x) {
    var C = w[x[0]], ds = C && C.prototype && gopd0(C.prototype, x[1]);
    if (ds && typeof ds.get === 'function') IN[x[1]] = ds.get;
  });
  ['HTMLButtonElement', 'HTMLInputElement'].forEach(function (n) {
    var P = w[n] && w[n].prototype, f = P && gopd0(P, 'form'), t = P && gopd0(P, 'type');
    IN[n] = { form: f && f.get, type: t && t.get };
  });
  var EVP = w.Event && w.Event.prototype, pathOf = EVP && EVP.composedPath, qsel = w.Document && w.Document.prototype.querySelector;
  var qsa = w.Document && w.Document.prototype.querySelectorAll;
  // rd: o[k] through the getter captured for k (undefined where it does not
  // apply: a window in an event's path); plain objects (tests) read o[k].
  var rd = function (o, k, g) {
    if (arguments.length < 3) g = IN[k];
    if (o == null) return undefined;
    if (!g) return o[k];
    try { return RA0(g, o, []); } catch (e) { return undefined; }
  };
  // winOf: the window of a node or document (null for anything else)
  var winOf = function (o) {
    if (o == null || typeof o !== 'object' && typeof o !== 'function') return null;
    var doc = rd(o, 'nodeType') === 9 ? o : rd(o, 'ownerDocument');
    return doc && rd(doc, 'defaultView') || null;
  };
  var lc = function (v) { return RA0(lower, Str(v), []); };
  // leaves reports whether navigating target t would leave the CRM.
  var leaves = function (t) {
    t = lc(t || '');
    return t === '_top' || (t === '_parent' && root);
  };
  // targetValue is what a target/formtarget value set by script becomes
  // (a.target = '_top', setAttribute('target', '_parent'), formTarget; el,
  // attr: the element and attribute set). While a follow is under way
  // (following) the root's name, lent like a click-time retarget: a value
  // set after the click listener ran (onclick="this.target='_top'", a
  // submit handler) cannot leave. Outside one it stays as written for
  // reads, selectors, CSS and saved HTML (legit29 x944, x948, x950): the
  // click/submit path and the hooks (a detached a.click()) lend the root's
  // name when it is followed, as for served values.
  var targetValue = function (v, el, attr) {
    v = sinkText(v);
    if (!leaves(v)) return v;
    count('target');
    if (!act || !following) return v;
    // only what this follow can take: the link, form or submitter it
    // reached, and <base> (legit30 x1001: an Insert button's handler
    // building a _top link and saving the template in the same task)
    if (el && rd(el, 'localName') !== 'base' && taken.indexOf(el) < 0) return v;
    var now = rootName();
    if (el) lend(el, attr, true, v, now);
    return now;
  };
  // following: a click or submit reached our listeners or hooks in this
  // task (the browser picks the target before the task ends); what the
  // page's own listeners set meanwhile is past the retarget (x713).
  var following = false, taken = [];
  var follow = function () {
    if (following) return;
    following = true;
    setTimeout(function () { following = false; taken = []; if (textBases.length) keepBases(); }, 0);
    fixBases();
  };
  // keepBases: a <base> parsed from HTML during a follow got the root's
  // name in the markup; in the next task the document's bases holding it
  // (not lent: endLoan has those) read as written again (legit30 x1007: an
  // SPA rendering an article that starts with <base target=_top> on click)
  var textBases = [];
  var keepBases = function () {
    var raws = textBases;
    textBases = [];
    try {
      var now = rootName(), list = RA0(qsa, d, ['base[target]']), k = 0;
      for (var i = 0; i < list.length; i++) {
        var b = list[i];
        if (RA0(getAttr, b, ['target']) !== now || (lent || []).some(function (x) { return x.el === b; })) continue;
        RA0(setAttr, b, ['target', raws[Math.min(k++, raws.length - 1)]]);
      }
    } catch (e) { /* they keep the root's name */ }
  };
  // take: el is what the follow under way navigates with (its target set
  // by the page's handlers after ours is lent the root's name)
  var take = function (el) { if (el && taken.indexOf(el) < 0 && taken.length < 64) taken.push(el); };
  // fixBases lends the root's name to every leaving <base target> of this
  // document for the follow under way: a base target kept as written
  // (set by script, served) decides a follow whose own target the page's
  // handlers, after ours, take off or empty, or whose earlier <base> they
  // remove (x966, x968); one they put in is fixed as it enters (baseIn:
  // the insertion hooks, insertAdjacentElement, surroundContents).
  var fixBases = function () {
    if (!act || !qsa) return;
    try {
      var list = RA0(qsa, d, ['base[target]']);
      for (var i = 0; i < list.length; i++) {
        var b = list[i], t = RA0(getAttr, b, ['target']);
        if (!leaves(t)) continue;
        count('target');
        var now = rootName();
        RA0(setAttr, b, ['target', now]);
        lend(b, 'target', true, t, now);
      }
    } catch (e) { /* never break a follow */ }
  };
  // baseIn: nodes being inserted hold a <base target> (x967: a base built
  // earlier, put in by the page's click handler)
  var baseIn = function (args, n) {
    for (var i = 0; i < n; i++) {
      var x = args[i], t = x && rd(x, 'nodeType');
      if (t === 1 && rd(x, 'localName') === 'base') return true;
      if ((t === 1 || t === 11) && typeof x.querySelector === 'function' && x.querySelector('base[target]')) return true;
    }
    return false;
  };
  // baseEntering (before an insertion: a fragment is empty after it) and
  // baseEntered (after it, when that said yes): the insertion hooks' check
  var baseEntering = function (args, n) {
    try { return following && baseIn(args, n); } catch (e) { return false; }
  };
  var baseEntered = function (args, n) { if (baseEntering(args, n)) fixBases(); };
  var baseTarget = function (doc) {
    var b = doc && (qsel ? RA0(qsel, doc, ['base[target]']) : doc.querySelector && doc.querySelector('base[target]'));
    return b ? RA0(getAttr, b, ['target']) : '';
  };
  var getAttr = Element.prototype.getAttribute, hasAttr = Element.prototype.hasAttribute, setAttr = Element.prototype.setAttribute;
  var rmAttr = Element.prototype.removeAttribute;
  // A retarget at click or submit time is lent for the navigation in
  // progress: the browser picks the target navigable before the task ends,
  // so the next task puts the served value back (or takes ours off when it
  // came from <base>), unless the page wrote the attribute meanwhile. A
  // click the page cancels (a "stay signed in?" guard, legit28: x908, x909,
  // x917) leaves its links and forms as written, for selectors, CSS and
  // reads; every later follow is retargeted again.
  var lent = null;
  var endLoan = function () {
    var l = lent;
    lent = null;
    for (var i = 0; i < l.length; i++) {
      var x = l[i];
      try {
        if (RA0(getAttr, x.el, [x.attr]) !== x.now) continue;
        if (x.had) RA0(setAttr, x.el, [x.attr, x.was]);
        else RA0(rmAttr, x.el, [x.attr]);
      } catch (e) { /* leave ours */ }
    }
  };
  var retarget = function (el, attr) {
    // an element of another CRM window (a form submitted through a frame's
    // prototype): that window's _parent is what counts.
    var od = rd(el, 'ownerDocument'), ew = od && rd(od, 'defaultView');
    if (ew && ew !== w && crm(ew) && ew.__crmframe.retarget) return ew.__crmframe.retarget(el, attr);
    // an empty value is no target in Chromium: the follow takes <base
    // target> (kept as written when set by script, adv29: x963-x965)
    var had = RA0(hasAttr, el, [attr]), own = had ? RA0(getAttr, el, [attr]) : '', t = own || baseTarget(od || d);
    if (!leaves(t)) return;
    count('target');
    if (!act) return;
    var now = rootName();
    RA0(setAttr, el, [attr, now]);
    lend(el, attr, had, own, now);
  };
  var lend = function (el, attr, had, was, now) {
    if (!lent) { lent = []; setTimeout(endLoan, 0); }
    lent.push({ el: el, attr: attr, had: had, was: was, now: now });
  };
  def(api, 'retarget', { value: retarget });
  // An SVG 1.1 link (Graphviz, Doxygen, Inkscape output) has only
  // xlink:href; SVG 2 allows href (x660).
  var hasAttrNS = Element.prototype.hasAttributeNS;
  var link = function (n, name) {
    return (name === 'a' || name === 'area') && (RA0(hasAttr, n, ['href']) || RA0(hasAttrNS, n, ['http://www.w3.org/1999/xlink', 'href']));
  };
  // the form of a submit button n (localName name), or null
  var submitter = function (n, name) {
    var g = name === 'button' ? IN.HTMLButtonElement : name === 'input' ? IN.HTMLInputElement : null;
    if (!g) return null;
    var t = lc(rd(n, 'type', g.type)), f = rd(n, 'form', g.form);
    return f && (name === 'button' ? t === 'submit' : t === 'submit' || t === 'image') ? f : null;
  };
  // onClick retargets the link or submit button a click lands on: nodes is
  // the event's composed path (through open shadow roots) or, for a node
  // outside the document, its ancestors.
  var onClick = function (nodes) {
    for (var i = 0; i < nodes.length; i++) {
      var n = nodes[i];
      if (!n || rd(n, 'nodeType') !== 1) continue;
      var name = rd(n, 'localName'), f;
      if (link(n, name)) { take(n); blobFor(n); smilFix(n); return retarget(n, 'target'); }
      if (name === 'use') { useFix(n, 0); continue; }
      if ((f = submitter(n, name))) return fixForm(f, n);
    }
  };
  // SMIL animates an SVG link's target and href (<set attributeName=
  // "target" to="_top">, an href animated to a javascript: URL: x860-x866, x874)
  // and the click follows the animated value, which no attribute shows. At
  // click time the values of the link's own animations get the swaps its
  // attributes get, and its SVG is sampled again so the click reads them.
  var SVGNS = 'http://www.w3.org/2000/svg', ANIMATED = { target: 1, href: 2, 'xlink:href': 2 };
  var smilValue = function (k, x) {
    if (k === 2) return swap(x, jsUrl);
    if (!leaves(x.trim())) return x;
    count('target');
    return act ? rootName() : x;
  };
  var smilFix = function (n) {
    if (n.namespaceURI !== SVGNS || typeof n.getRootNode !== 'function') return false;
    var r = n.getRootNode(), all = r && typeof r.querySelectorAll === 'function' ? r.querySelectorAll('set,animate') : [], hit = false;
    for (var i = 0; i < all.length; i++) {
      var a = all[i], k = ANIMATED[RA0(getAttr, a, ['attributeName'])];
      if (!k || a.namespaceURI !== SVGNS || a.targetElement !== n) continue;
      for (var j = 0, at = ['to', 'from', 'by', 'values']; j < at.length; j++) {
        var v = RA0(getAttr, a, [at[j]]);
        if (v == null) continue;
        // values is a list the browser splits at ';' (to and from are not)
        var f = at[j] === 'values' ? v.split(';').map(function (x) { return smilValue(k, x); }).join(';') : smilValue(k, v);
        if (f !== v) { RA0(setAttr, a, [at[j], f]); hit = true; }
      }
    }
    for (var s = n.ownerSVGElement; hit && s && s.ownerSVGElement;) s = s.ownerSVGElement;
    if (hit && s) try { s.setCurrentTime(s.getCurrentTime()); } catch (e) { /* sampled at the next frame */ }
    return hit;
  };
  // A click on an SVG <use> copy of a link lands on the copy, in a shadow
  // tree no path shows (x869-x872, x875): the links of the element it copies are
  // fixed instead, and the copy is made again at once (a layout read) so
  // that the click follows the fixed one.
  var useFix = function (u, depth) {
    if (u.namespaceURI !== SVGNS || depth > 3) return false;
    var ref = RA0(getAttr, u, ['href']);
    if (ref == null) ref = u.getAttributeNS('http://www.w3.org/1999/xlink', 'href');
    var r = u.getRootNode(), el = ref && ref.charAt(0) === '#' && r && typeof r.getElementById === 'function' ? r.getElementById(ref.slice(1)) : null;
    if (!el) return false;
    var all = [el].concat(Array.prototype.slice.call(el.querySelectorAll('a,use'))), hit = false;
    for (var i = 0; i < all.length; i++) {
      var n = all[i], name = rd(n, 'localName'), t = RA0(getAttr, n, ['target']);
      if (name === 'use') hit = useFix(n, depth + 1) || hit;
      else if (link(n, name)) {
        var smil = smilFix(n);
        retarget(n, 'target');
        if (smil || RA0(getAttr, n, ['target']) !== t) hit = true;
      }
    }
    if (hit && !depth) try { u.getBBox(); } catch (e) { /* copied again at the next frame */ }
    return hit;
  };
  // A download link to a blob: document the shim swapped (createObjectURL,
  // below) saves the page's own bytes.
  var blobFor = function (n) {
    if (!RA0(hasAttr, n, ['download'])) return;
    var orig = blobOrig[RA0(getAttr, n, ['href'])];
    if (orig) RA0(setAttr, n, ['href', orig]);
  };
  var ancestors = function (n) {
    for (var list = []; n && rd(n, 'nodeType') === 1; n = rd(n, 'parentNode')) list[list.length] = n;
    return list;
  };
  var clicked = function (e) {
    follow();
    try { onClick(pathOf ? RA0(pathOf, e, []) : ancestors(rd(e, 'target'))); } catch (x) { /* never break a click */ }
  };
  var fixForm = function (f, submitter) {
    take(f); take(submitter);
    var own = false;
    try { own = !!submitter && RA0(hasAttr, submitter, ['formtarget']); } catch (e) { /* not an element */ }
    if (own) retarget(submitter, 'formtarget');
    else retarget(f, 'target');
  };
  var submitted = function (e) { follow(); fixForm(rd(e, 'target'), rd(e, 'submitter')); };
  // A popover or dialog opened without showPopover/showModal (an invoker
  // button: popovertarget, commandfor; x821-x823) joins the top layer too:
  // its toggle events say so, in capture (they neither bubble nor leave a
  // shadow root).
  var toggled = function (e) { if (e.newState === 'open' && e.target && e.target.nodeType === 1) noteTop(e.target); };
  // Shadow roots (also closed ones) get the listeners too: submit is not
  // composed, and a closed root hides its links from the window's path.
  var listen = function (t) {
    t.addEventListener('click', clicked, true);
    t.addEventListener('submit', submitted, true);
    t.addEventListener('beforetoggle', toggled, true);
    t.addEventListener('toggle', toggled, true);
    if (t !== w) try { rootSeen(t); } catch (e) { /* not watched */ }
  };
  // Pass 30: the deep watch observes the shadow roots listen sees too (a
  // change in a shadow tree makes no record on the document: x970-x972);
  // roots seen before it starts wait here (256 at most; at the CRM root
  // only, where the watch runs).
  var rootsSeen = root && !adopted ? [] : null;
  var rootSeen = function (r) { if (rootsSeen && rootsSeen.length < 256) rootsSeen.push(r); };
  listen(w);
  // dsdMark: a custom element fixTargets puts first in a declarative
  // shadow root written by script (setHTMLUnsafe, document.write): when it
  // is connected it hands its root to listen and leaves (x712).
  var dsdRoots = typeof WeakSet === 'function' ? new WeakSet() : null;
  if (defineMarker(function () {
    var r = this.getRootNode(), closed = false;
    try { closed = RA0(hasAttr, this, ['closed']) || r.mode === 'closed'; } catch (e) { /* open */ } // a served closed root too (x972)
    this.remove();
    if (r && r !== d && r.nodeType === 11) dsdFound(r.host, r, closed);
  })) dsdMark = '<crmframe-dsd></crmframe-dsd>';
  var attachShadow = Element.prototype.attachShadow;
  // closed roots by host: the nets read what a closed tree shows (x842)
  var closedRoots = typeof WeakMap === 'function' ? new WeakMap() : null;
  var shadowOf = function (n) { return n.shadowRoot || closedRoots && closedRoots.get(n) || null; };
  // treeOf: the shadow root el is in (null in the document's own tree)
  var treeOf = function (el) {
    var r = typeof el.getRootNode === 'function' ? el.getRootNode() : null;
    return r && r !== d && r.nodeType === 11 ? r : null;
  };
  // dsdFound: a declarative root written by script, reported by its marker
  // (connected, or swept): our listeners, and the slotless-root judge (it
  // may be the blank one, x790). A root the page wrote closed and we parsed
  // open is closed again for the page: host.shadowRoot reads null.
  var shadowGet = (Object.getOwnPropertyDescriptor(Element.prototype, 'shadowRoot') || {}).get;
  var noRoot = function () { return null; };
  if (shadowGet) looksNative(noRoot, shadowGet);
  var dsdFound = function (host, r, closed) {
    if (closed && host && closedRoots) {
      closedRoots.set(host, r);
      try { def(host, 'shadowRoot', { get: noRoot, configurable: true }); } catch (e) { /* open it stays */ }
    }
    if (!dsdRoots || dsdRoots.has(r)) return;
    dsdRoots.add(r);
    listen(r);
    if (host && rd(host, 'isConnected')) try { judgeRoot(host, r); } catch (e) { /* as it is */ }
  };
  if (attachShadow) {
    Element.prototype.attachShadow = function () {
      var r = attachShadow.apply(this, arguments);
      try { if (closedRoots && !this.shadowRoot) closedRoots.set(this, r); listen(r); judgeRoot(this, r); } catch (e) { /* keep the root */ }
      return r;
    };
  }
  // judgeRoot: the host's own window judges (a root attached through a
  // blank frame's prototype, x789), at the CRM root only.
  var judgeRoot = function (host, r) {
    var ew = winOf(host);
    if (ew && ew !== w && crm(ew) && ew.__crmframe.judgeRoot) return ew.__crmframe.judgeRoot(host, r);
    if (foreign && act && !adopted) setTimeout(function () { try { slotIn(host, r); } catch (e) { /* as it is */ } }, 250);
  };
  def(api, 'judgeRoot', { value: judgeRoot });
  var rawAppend = Node.prototype.appendChild, TEXTLESS = /^(?:style|script|template|noscript|title|link|meta|slot)$/;
  var INK = /[^\s\u200b-\u200f\u00ad\ufeff]/;
  // texts(n, f): f on n's text nodes outside TEXTLESS elements, not in
  // shadow trees (at most 20000), until f returns true
  var texts = function (n, f) {
    var k = 0, x, tw = d.createTreeWalker(n, 5, {
      acceptNode: function (y) { return y.nodeType === 1 ? (TEXTLESS.test(y.localName) ? 2 : 3) : 1; }
    });
    while ((x = tw.nextNode()) && k++ < 20000) if (f(x)) return true;
    return false;
  };
  var seenText = function (n) {
    var t = 0;
    texts(n, function (x) { t += x.data.replace(/[\s\u200b-\u200f\u00ad\ufeff]+/g, '').length; });
    return t;
  };
  // what a root shows of its own: text, a picture, frame or control; an
  // empty element (x793: '<div class=app></div>') is nothing
  var ROOT_SHOWS = 'img,svg,canvas,video,picture,iframe,object,embed,input,select,textarea,button';
  // (also through the shadow trees of components in it, x851: an app shell
  // built of nested components whose text lives in their own roots)
  var rootShows = function (r, depth) {
    if (r.querySelector(ROOT_SHOWS) || seenText(r) > 0) return true;
    if ((depth | 0) >= 3 || typeof r.querySelectorAll !== 'function') return false;
    var all = r.querySelectorAll('*');
    for (var i = 0; i < all.length && i < 200; i++) {
      var s = shadowOf(all[i]);
      if (s && rootShows(s, (depth | 0) + 1)) return true;
    }
    return false;
  };
  // legit24: what a host's shadow tree (open or closed) shows, for the nets
  // that read a layer's or lock's content (x848, x850)
  var shadowShows = function (el) { var r = shadowOf(el); return !!r && rootShows(r); };
  // eachRoot(f): f(root) on the shadow roots (open, or closed ones the shim
  // saw attached) of the first 3000 elements of the page and of those
  // roots, until f returns true
  var eachRoot = function (f) {
    var queue = [d], k = 0;
    for (var j = 0; j < queue.length && k < 3000; j++) {
      var q = queue[j], all = q === d ? (typeof d.getElementsByTagName === 'function' ? d.getElementsByTagName('*') : []) : q.querySelectorAll('*');
      for (var i = 0; i < all.length && k < 3000; i++, k++) {
        var r = shadowOf(all[i]);
        if (r && typeof r.querySelectorAll === 'function') { if (f(r, all[i])) return true; queue.push(r); }
      }
    }
    return false;
  };
  // legit24: boxes painted inside the root (a skeleton's grey bars while a
  // grid loads, x844) are shown too, as inside a loading layer (x804)
  var rootDraws = function (host, r) {
    try {
      var q = host.getBoundingClientRect();
      return boxInView(q) && drawnBoxes(r, w.getComputedStyle(host), q);
    } catch (e) { return false; } // a host the layout cannot answer for
  };
  // whether any text of the host's is drawn (through a slot of the page's,
  // named or not): the first 200 with ink
  var lightDrawn = function (host) {
    var rg = d.createRange(), k = 0, drawn = false;
    texts(host, function (x) {
      if (!INK.test(x.data)) return false;
      rg.selectNodeContents(x);
      drawn = rg.getClientRects().length > 0;
      return drawn || ++k >= 200;
    });
    return drawn;
  };
  // A shadow root without a <slot> renders none of its host's children:
  // on <body> or the page's wrapper, a root left blank blanks the page with
  // every node still there (x782, x783). 250 ms after it was attached, a
  // root that shows nothing of its own while none of its host's text is
  // drawn (whatever its slots), over a host holding at least half of the
  // page's text (a component's hidden config text is not the page), gets a
  // <slot> of ours, taken out once the page puts a slot or content of its
  // own in the root.
  var slotIn = function (host, r) {
    if (!rd(host, 'isConnected') || !d.body || rootShows(r) || lightDrawn(host) || rootDraws(host, r)) return;
    var mine = seenText(host);
    if (!mine || mine * 2 < seenText(d.body)) return;
    var s = d.createElement('slot');
    def(s, '__crmframe_slot', { value: true });
    count('blank');
    RA0(rawAppend, r, [s]);
    if (typeof MutationObserver !== 'function') return;
    var mo = new MutationObserver(function () {
      var own = r.querySelectorAll('slot');
      for (var i = 0; i < own.length && own[i].__crmframe_slot; i++);
      if (i < own.length || rootShows(r)) { mo.disconnect(); if (s.parentNode === r) r.removeChild(s); }
    });
    mo.observe(r, { childList: true, subtree: true, characterData: true });
  };
  // The calls that follow a link or send a form past our listeners: a
  // click() or dispatched click on a node outside the document (a detached
  // link), submit() (no submit event), requestSubmit() (its submit event
  // does not leave a shadow root our listeners never saw: a declarative
  // <template shadowrootmode>, x662). C names a realm's constructors: this
  // window's here, a loading frame's when it is handed out (pristine).
  var guardRealm = function (C) {
    var hook = function (name, k, before) {
      var P = C[name] && C[name].prototype, f = P && P[k];
      if (typeof f !== 'function') return;
      var g = P[k] = function () {
        try { before(this, arguments); } catch (e) { /* keep the call */ }
        return RA0(f, this, arguments);
      };
      // In a loading frame's realm the hook stays with the page that comes
      // (Chrome keeps the initial window): it is a function of that realm
      // and answers name, length and toString as the platform's (a
      // polyfill loader's isNative, legit28 x911; natives, below).
      if (C !== w0) try { looksNative(g, f); Object.setPrototypeOf(g, C.Function.prototype); } catch (e) { /* as it is */ }
    };
    var detached = function (el) { follow(); if (el && rd(el, 'nodeType') === 1 && !rd(el, 'isConnected')) onClick(ancestors(el)); };
    hook('HTMLElement', 'click', detached);
    hook('EventTarget', 'dispatchEvent', function (t, a) { if (a[0] && rd(a[0], 'type') === 'click') detached(t); });
    hook('HTMLFormElement', 'submit', function (f) { follow(); fixForm(f, null); });
    hook('HTMLFormElement', 'requestSubmit', function (f, a) { follow(); fixForm(f, a[0] == null ? null : a[0]); });
  };
  var w0 = {
    HTMLElement: typeof HTMLElement !== 'undefined' && HTMLElement,
    EventTarget: typeof EventTarget !== 'undefined' && EventTarget,
    HTMLFormElement: HTMLFormElement
  };
  guardRealm(w0);
  [['HTMLAnchorElement', 'target'], ['HTMLAreaElement', 'target'], ['HTMLFormElement', 'target'], ['HTMLBaseElement', 'target'],
    ['HTMLButtonElement', 'formTarget'], ['HTMLInputElement', 'formTarget']].forEach(function (x) {
    var C = w[x[0]], proto = C && C.prototype, desc = proto && Object.getOwnPropertyDescriptor(proto, x[1]);
    if (!desc || !desc.set) return;
    def(proto, x[1], {
      get: desc.get,
      set: function (v) { desc.set.call(this, targetValue(v, this, x[1].toLowerCase())); },
      configurable: true,
      enumerable: desc.enumerable
    });
  });
  // The tag that loads this bundle, for srcdoc documents set by script (the
  // HTML rewriter injects it into server-sent ones; Chrome hides a nonce
  // from the attribute). An adopted frame gets it from its parent.
  var sdkTag = adopted ? w.__crmframe_sdktag : script && script.src ? script.outerHTML.replace(' nonce=""', function () { return ' nonce="' + script.nonce + '"'; }) : '';
  // fixDoc: a srcdoc document is swapped like written HTML; when that
  // changed it, it loads this bundle first (after a doctype: no quirks
  // mode), since the swapped code needs the shim's globals.
  var fixDoc = function (html) {
    leavingTag = false;
    var f = fixHTML(html);
    // a kept _top link or form is followed from a frame: the shim must be there
    return f === html && !leavingTag || !sdkTag || f.indexOf(sdkTag) >= 0 ? f : f.replace(/^(?:\s*(?:<!--[\s\S]*?-->|<!doctype[^>]*>))*/i, function (m) { return m + sdkTag; });
  };
  docFix = fixDoc;
  // javascript: URLs set by script (a.href = 'javascript:…', form action,
  // frame src): the code runs in this window, the server never saw it.
  // iframe.srcdoc: a document the server never saw (fixDoc).
  [['HTMLAnchorElement', 'href'], ['HTMLAreaElement', 'href'], ['HTMLFormElement', 'action'], ['HTMLButtonElement', 'formAction'],
    ['HTMLInputElement', 'formAction'], ['HTMLIFrameElement', 'src'], ['HTMLFrameElement', 'src'], ['HTMLIFrameElement', 'srcdoc', fixDoc]].forEach(function (x) {
    var C = w[x[0]], proto = C && C.prototype, desc = proto && Object.getOwnPropertyDescriptor(proto, x[1]);
    if (!desc || !desc.set) return;
    def(proto, x[1], {
      get: desc.get,
      set: function (v) { v = sinkText(v); desc.set.call(this, x[2] || typeof v === 'string' ? swap(v, x[2] || jsUrl) : v); },
      configurable: true,
      enumerable: desc.enumerable
    });
  });
  var URL_ATTR = /^(?:href|src|action|formaction|xlink:href)$/i;
  // The attribute naming a script's source: src, and an SVG <script>'s
  // href or xlink:href (x345), which may be a data: or blob: URL too.
  var scriptSrc = function (el, name) {
    return el.localName === 'script' && (/^src$/i.test(name) || el.namespaceURI === 'http://www.w3.org/2000/svg' && /^(?:xlink:)?href$/i.test(name));
  };
  // attrFix: the swap for a URL attribute or an iframe's srcdoc, if any.
  var attrFix = function (el, name) {
    if (ANIM_ATTR.test(name) && el && el.namespaceURI === 'http://www.w3.org/2000/svg' && ANIM_EL.test(el.localName)) return animUrls;
    return URL_ATTR.test(name) ? jsUrl : /^srcdoc$/i.test(name) && el && el.localName === 'iframe' ? fixDoc : null;
  };
  var TARGETS = /^(?:a|area|form|base|button|input)$/;
  var targetAttr = function (el, name) {
    return /^(?:target|formtarget)$/i.test(name) && el && TARGETS.test(el.localName);
  };
  // attrSwap: what attribute name of element el should hold instead of v
  // (a handler's code swapped, a script's src, a target, a URL, srcdoc).
  var attrSwap = function (el, name, v) {
    if (!el || el.nodeType !== 1 || name == null) return v;
    name = String(name);
    v = sinkText(v);
    if (/^on[a-z]+$/i.test(name) && name.toLowerCase() in el) return swap(v, fixCode);
    if (scriptSrc(el, name)) return fixSrc(v);
    if (targetAttr(el, name)) return targetValue(v, el, name.toLowerCase());
    var fix = attrFix(el, name);
    return fix ? swap(v, fix) : v;
  };
  var attrValue = typeof Attr !== 'undefined' && Object.getOwnPropertyDescriptor(Attr.prototype, 'value');
  // An Attr node filled while detached (createAttribute, nodeValue) and
  // then attached: judged when it is attached.
  var fixAttrNode = function (el, a) {
    try {
      if (!a || a.nodeType !== 2 || !attrValue) return;
      var v = attrValue.get.call(a), f = attrSwap(el, a.name, v);
      if (f !== v) attrValue.set.call(a, f);
    } catch (e) { /* not an Attr of a realm we can read */ }
  };
  if (attrValue && attrValue.set) {
    def(Attr.prototype, 'value', {
      get: attrValue.get,
      set: function (v) { attrValue.set.call(this, attrSwap(this.ownerElement, this.name, v)); },
      configurable: true,
      enumerable: attrValue.enumerable
    });
    // attr.nodeValue = … is attr.value = … (textContent: in guard below).
    var nodeValue = Object.getOwnPropertyDescriptor(Node.prototype, 'nodeValue');
    if (nodeValue && nodeValue.set) {
      def(Node.prototype, 'nodeValue', {
        get: nodeValue.get,
        set: function (v) { nodeValue.set.call(this, this.nodeType === 2 ? attrSwap(this.ownerElement, this.name, v) : v); },
        configurable: true,
        enumerable: nodeValue.enumerable
      });
    }
    ['setAttributeNode', 'setAttributeNodeNS'].forEach(function (m) {
      var orig = Element.prototype[m];
      if (typeof orig === 'function') Element.prototype[m] = function (a) { fixAttrNode(this, a); return orig.apply(this, arguments); };
    });
    // el.attributes.setNamedItem(a): the map does not say whose it is.
    var attrsDesc = Object.getOwnPropertyDescriptor(Element.prototype, 'attributes'), NNM = w.NamedNodeMap && w.NamedNodeMap.prototype;
    if (attrsDesc && attrsDesc.get && NNM && typeof WeakMap === 'function') {
      var owners = new WeakMap();
      def(Element.prototype, 'attributes', {
        get: function () { var m = attrsDesc.get.call(this); owners.set(m, this); return m; },
        configurable: true,
        enumerable: attrsDesc.enumerable
      });
      ['setNamedItem', 'setNamedItemNS'].forEach(function (m) {
        var orig = NNM[m];
        if (typeof orig === 'function') NNM[m] = function (a) { fixAttrNode(owners.get(this), a); return orig.apply(this, arguments); };
      });
    }
  }
  var open = w.open;
  w.open = function (url, target) {
    var a = Array.prototype.slice.call(arguments);
    url = a[0] = sinkText(url);
    if (typeof url === 'string') a[0] = swap(url, jsUrl);
    if (a.length > 1) target = a[1] = sinkText(target);
    if (leaves(target)) {
      count('open');
      if (act) a[1] = rootName();
    }
    var r = open.apply(this, a);
    // A blank window opened by the CRM (a helper popup, x392) is a fresh
    // realm with clean descriptors and Reflect: it gets the shim. Not one
    // opened on a URL: its first document keeps the initial window.
    if (r && (url == null || url === '' || (typeof url === 'string' && /^\s*about:blank(?:[?#][\s\S]*)?\s*$/i.test(url)))) adopt(r);
    return r;
  };
  var wOpen = w.open;
  // window.stop() while the served document is still parsed cuts it off:
  // nothing after the calling script becomes DOM, a blank page no undo can
  // restore (x661). At the CRM root a parser-run script's stop() halts the
  // parse the undoable way instead (haltParse: the rest becomes the text of
  // a hidden <plaintext>, put back if the page stays blank); from a timer
  // or an async script, where that write would reopen the document, it is
  // refused until parsing ends. A page that shows something and moves on
  // (a "this page has moved" notice, x687) is left as it chose.
  var stop = w.stop;
  if (typeof stop === 'function' && foreign && !adopted) {
    w.stop = function () {
      if ((this == null || this === w) && d.readyState === 'loading') {
        var cs = d.currentScript;
        if (act && cs && !cs.async && !cs.defer) return haltParse();
        count('blank');
        if (act) return;
      }
      return RA0(stop, this, arguments);
    };
  }
  // history.go(-n)/back()/forward() walk the tab's joint session history,
  // the desktop's entries included (x502: go(-(history.length - 1)) took the
  // tab back before the desktop). A step longer than this window's or the
  // CRM root's own entries (the Navigation API lists only a frame's own) is
  // refused; navigation.back() already stays in the frame. Without the
  // Navigation API nothing is known and nothing is refused.
  var span = function (x) {
    try {
      var nav = x.navigation, cur = nav && nav.currentEntry;
      if (!cur || !(cur.index >= 0)) return null;
      return [cur.index, nav.entries().length - 1 - cur.index];
    } catch (e) { return null; }
  };
  // The CRM's entries: the root's and its descendant frames' (a help frame
  // stepped by the host's Back/Forward, x582), added per direction; a
  // cross-origin frame's are unknown (span is null).
  var tree = function (x, acc, depth) {
    var s = span(x), fs = null;
    if (s) { acc[0] += s[0]; acc[1] += s[1]; }
    try { fs = x.frames; } catch (e) { /* gone */ }
    for (var i = 0; fs && depth < 4 && i < fs.length && i < 50; i++) tree(fs[i], acc, depth + 1);
    return acc;
  };
  var HIP = w.History && w.History.prototype;
  var stepOK = function (n) {
    if (!n) return true;
    var a = span(w), b = span(vtop) ? tree(vtop, [0, 0], 0) : null;
    if (!a && !b) return true;
    var k = n < 0 ? 0 : 1, room = Math.max(a ? a[k] : 0, b ? b[k] : 0);
    if ((n < 0 ? -n : n) <= room) return true;
    count('history');
    return !act;
  };
  [['go', null], ['back', -1], ['forward', 1]].forEach(function (x) {
    var orig = HIP && HIP[x[0]];
    if (typeof orig !== 'function') return;
    HIP[x[0]] = function (delta) {
      // converted once, as the native long argument would be
      var n = x[1] === null ? (arguments.length ? delta | 0 : 0) : x[1];
      if (!stepOK(n)) return;
      return RA0(orig, this, x[1] === null && arguments.length ? [n] : []);
    };
  });

  // codeText: what a sink taking a code string (Function, timers) makes of
  // an object that is neither a function nor a TrustedScript: its string
  // (Function`code`: a tagged template hands over the strings array).
  var codeText = function (v) { return v !== null && typeof v === 'object' && !trustedKind(v) ? String(v) : v; };
  // Captured: the SDK's timers run through this wrapper too, and a page may
  // later replace Function.prototype.call/apply (old Prototype-era code).
  var RA = Reflect.apply, slice = Array.prototype.slice;
  ['setTimeout', 'setInterval'].forEach(function (name) {
    var orig = w[name];
    if (typeof orig !== 'function') return;
    w[name] = function () {
      var args = RA(slice, arguments, []);
      args[0] = swap(codeText(args[0]), fixCode);
      return RA(orig, this, args);
    };
  });
  // navigation.navigate(u) follows a javascript: URL as location.href = u
  // does (adv36, x1079); Navigation, unlike Location, can be patched.
  var NavP = w.Navigation && w.Navigation.prototype, navigate0 = NavP && NavP.navigate;
  if (typeof navigate0 === 'function') {
    NavP.navigate = { navigate: function (url) {
      var a = RA(slice, arguments, []);
      if (a.length) { a[0] = sinkText(a[0]); if (typeof a[0] === 'string') a[0] = swap(a[0], jsUrl); }
      return RA(navigate0, this, a);
    } }.navigate;
    looksNative(NavP.navigate, navigate0);
  }
  // A Trusted Types default policy gets every plain string a sink receives,
  // after our swap, and could undo it (x518): what its createScript,
  // createHTML (srcdoc: fixDoc) and, for a script's src, createScriptURL
  // return is swapped again. A refusal (null, a throw) stays one.
  var ttHost = TT.f;
  while (ttHost && !Object.prototype.hasOwnProperty.call(ttHost, 'createPolicy')) ttHost = Object.getPrototypeOf(ttHost);
  if (ttHost && typeof TT.create === 'function') {
    var afterPolicy = function (k, f) {
      return function (v, type, sink) {
        var r = RA(f, this, arguments);
        if (r == null) return r;
        r = String(r);
        if (k === 'createScript') return swap(r, fixCode);
        if (k === 'createHTML') return swap(r, /srcdoc/i.test(sink) ? fixDoc : fixHTML);
        return sink === undefined || /Script/.test(sink) ? fixSrc(r) : r;
      };
    };
    ttHost.createPolicy = function (name, rules) {
      var a = RA(slice, arguments, []);
      if (a.length) a[0] = String(name);
      if (a[0] === 'default' && rules !== null && typeof rules === 'object') {
        var r = {};
        ['createHTML', 'createScript', 'createScriptURL'].forEach(function (k) {
          var f = rules[k];
          if (f !== undefined) r[k] = typeof f === 'function' ? afterPolicy(k, f) : f;
        });
        a[1] = r;
      }
      return RA(TT.create, this, a);
    };
  }
  // Reflect.get(win, 'top') and the getters of top, parent and frameElement
  // in Object.getOwnPropertyDescriptor(s)(win, …), for any CRM window win
  // (also when called from, or on, a CRM frame's realm: a fresh iframe is
  // the usual source of unpatched functions).
  var otos = Object.prototype.toString;
  var isWin = function (t) {
    try { return t === w || (t != null && typeof t === 'object' && otos.call(t) === '[object Window]'); } catch (e) { return false; }
  };
  var crmWin = function (t) { return isWin(t) && (t === w || crm(t)); };
  var VIEWS = { top: '__crmframe_top', parent: 'parent', frameElement: 'frameElement' };
  var wrapped = typeof WeakMap === 'function' ? new WeakMap() : null, ours = wrapped && new WeakMap();
  // viewGet returns the getter handed out for the real getter g of window
  // property k: on a CRM window it reads what that window's script sees
  // (its virtual top, the root's "not framed" parent), the real g otherwise.
  // One wrapper per real getter, so that descriptors still compare equal.
  var viewGet = function (k, g) {
    if (!wrapped || typeof g !== 'function' || ours.has(g)) return g;
    var v = wrapped.get(g);
    if (!v) {
      // A getter called without a receiver reads the current window's.
      v = { get: function () { var t = this == null ? w : this; return crmWin(t) ? t[VIEWS[k]] : g.call(this); } }.get;
      wrapped.set(g, v);
      looksNative(v, g);
      ours.set(v, true);
    }
    return v;
  };
  // location's own ancestorOrigins getter (x350): on this window's location
  // it reads what the rewritten location.ancestorOrigins reads.
  var aoGet = null;
  // locTop(t): the real top becomes the virtual top as the receiver of
  // location (pass 32, x998-x1024): a cross-origin top can be navigated only
  // through location, and Reflect, descriptors or Object.assign reach it
  // whatever path the page took to the real top (a child frame's key).
  var locTop = function (t) { return t === realTop && framed ? w.__crmframe_top : t; };
  // locAcc returns the wrapper handed out for a location getter or setter f
  // (a window's own, or the real top's cross-origin one): called on the real
  // top it runs on the virtual top. One per real function, as viewGet.
  var locAcc = function (f) {
    if (!wrapped || typeof f !== 'function' || ours.has(f)) return f;
    var v = wrapped.get(f);
    if (!v) {
      v = f.length ? { set: function (x) { return f.call(locTop(this), x); } }.set : { get: function () { return f.call(locTop(this)); } }.get;
      wrapped.set(f, v);
      looksNative(v, f);
      ours.set(v, true);
    }
    return v;
  };
  // evalOf: a window's own eval handed out by Reflect.get or a descriptor
  // (adv36, x1075-x1077) is the indirect eval that swaps its code, as a
  // rewritten window[k] read with k = 'eval' gives; a CRM window's own
  // __crmframe_vtop knows its realm's eval.
  var evalOf = function (t, v) {
    if (typeof v !== 'function' || !framed || mode === 'off' || !isWin(t)) return v;
    if (v === realEval) return ieval;
    try { if (t !== w && crmWin(t) && typeof t.__crmframe_vtop === 'function') return t.__crmframe_vtop(v); } catch (e) { /* as it is */ }
    return v;
  };
  var fixDesc = function (t, k, desc) {
    if (desc && k === 'eval' && 'value' in desc && isWin(t)) desc.value = evalOf(t, desc.value);
    if (desc && k === 'location' && (t === realTop || isWin(t))) {
      desc.get = locAcc(desc.get);
      desc.set = locAcc(desc.set);
      return desc;
    }
    if (desc && typeof desc.get === 'function' && Object.prototype.hasOwnProperty.call(VIEWS, k) && isWin(t)) desc.get = viewGet(k, desc.get);
    else if (desc && typeof desc.get === 'function' && k === 'ancestorOrigins' && t === w.location && wrapped) {
      if (!aoGet) {
        var g = desc.get;
        aoGet = { get: function () { return this === w.location ? w.location.__crmframe_ancestorOrigins : g.call(this); } }.get;
        looksNative(aoGet, g);
      }
      desc.get = aoGet;
    }
    return desc;
  };
  // guardViews(C): realm C's Reflect.get, Object.entries/values/assign,
  // descriptor getters and __lookupGetter__ answer for CRM windows as
  // above: this window's realm at start, a loading frame's when it is
  // handed out (pass 27: its pristine Reflect.get(window, 'top') was the
  // real top, x889-x893).
  var guardViews = function (C) {
    var R = C.Reflect, rget = R && R.get, O = C.Object;
    if (typeof rget === 'function') {
      R.get = function get(t, k) {
        // Reflect.get(win, new String('top')) (x389): the key converted once
        if (arguments.length > 1 && t !== null && typeof t === 'object') {
          k = propKey(k);
          if (k === 'top' && crmWin(t)) return t.__crmframe_top;
          if (k === 'ancestorOrigins' && t === w.location) return t.__crmframe_ancestorOrigins;
          var a = RA(slice, arguments, []);
          a[1] = k;
          if (k === 'location') { a[0] = locTop(t); if (a.length > 2) a[2] = locTop(a[2]); }
          return k === 'eval' ? evalOf(t, rget.apply(this, a)) : rget.apply(this, a);
        }
        return rget.apply(this, arguments);
      };
      looksNative(R.get, rget);
    }
    // Reflect.set(t, 'location', u) on the real top (x999): the virtual one.
    var rset = R && R.set;
    if (typeof rset === 'function') {
      R.set = function set(t, k, v) {
        if (arguments.length > 1 && t === realTop && framed) {
          var a = RA(slice, arguments, []);
          a[1] = k = propKey(k);
          if (k === 'location') { a[0] = locTop(t); if (a.length > 3) a[3] = locTop(a[3]); }
          return rset.apply(this, a);
        }
        return rset.apply(this, arguments);
      };
      looksNative(R.set, rset);
    }
    // Object.entries/values of a CRM window hand out its own properties'
    // values, top among them (x358): top reads the virtual one there too.
    ['entries', 'values'].forEach(function (m) {
      var orig = O && O[m];
      if (typeof orig !== 'function') return;
      var f = { x: function (o) {
        var r = orig.apply(this, arguments);
        // identity checks first: the window test runs only when the real top
        // is in the result (no toString of every object, proxies included)
        if (!act) return r;
        for (var i = 0; i < r.length; i++) {
          var hit = m === 'entries' ? r[i][0] === 'top' && r[i][1] === realTop : r[i] === realTop;
          if (hit && crmWin(o)) {
            if (m === 'entries') r[i][1] = o.__crmframe_top; else r[i] = o.__crmframe_top;
          }
        }
        return r;
      } }.x;
      looksNative(f, orig);
      O[m] = f;
    });
    // Object.assign({}, window) (x390): the copy's own top is the virtual one,
    // so a computed read of it (env[k]) is covered too; the copy's other keys
    // are what assign gave them.
    var assign0 = O && O.assign;
    if (typeof assign0 === 'function') {
      var assign = { assign: function (target) {
        // Object.assign(realTop, {location: u}) (x1024): the virtual top's
        if (target === realTop && framed) {
          for (var j = 1; j < arguments.length; j++) {
            if (arguments[j] != null && Object.prototype.hasOwnProperty.call(arguments[j], 'location')) {
              var a = RA(slice, arguments, []);
              a[0] = locTop(target);
              return assign0.apply(this, a);
            }
          }
        }
        var r = assign0.apply(this, arguments);
        if (act && r != null && (typeof r === 'object' || typeof r === 'function') && r !== w && !crm(r)) {
          for (var i = 1; i < arguments.length; i++) {
            var o = arguments[i];
            if (o === realTop || !crmWin(o)) continue;
            try { if (r.top === realTop) def(r, 'top', { value: o.__crmframe_top, writable: true, configurable: true, enumerable: true }); } catch (e) { /* frozen */ }
          }
        }
        return r;
      } }.assign;
      looksNative(assign, assign0);
      O.assign = assign;
    }
    // Object.setPrototypeOf(o, realTop) (pass 34, x1045): super.location in
    // o's methods then reads the real top's (a bare super cannot be
    // wrapped); a prototype set to the real top is the virtual top's.
    [[O, 'setPrototypeOf', 1], [R, 'setPrototypeOf', 1], [O, 'create', 0]].forEach(function (e) {
      var orig = e[0] && e[0][e[1]];
      if (typeof orig !== 'function') return;
      var f = { x: function () {
        if (act && arguments[e[2]] === realTop && framed) {
          var a = RA(slice, arguments, []);
          a[e[2]] = locTop(realTop);
          return RA(orig, this, a);
        }
        // RA: the shim itself calls Object.create (a page's call/apply may throw)
        return RA(orig, this, arguments);
      } }.x;
      looksNative(f, orig);
      e[0][e[1]] = f;
    });
    // o.__proto__ = realTop (adv35, x1062): the same through the setter
    var protoD = O && O.prototype && typeof O.getOwnPropertyDescriptor === 'function' && O.getOwnPropertyDescriptor(O.prototype, '__proto__');
    if (protoD && typeof protoD.set === 'function' && protoD.configurable) {
      var protoSet = protoD.set;
      protoD.set = (function () { var o = { set __proto__(v) { return RA(protoSet, this, [act && v === realTop && framed ? locTop(realTop) : v]); } }; return O.getOwnPropertyDescriptor(o, '__proto__').set; })();
      looksNative(protoD.set, protoSet);
      try { O.defineProperty(O.prototype, '__proto__', protoD); } catch (e) { /* as it is */ }
    }
    // new Proxy(realTop, h) (adv35, x1065): a proxy over the real top is no
    // window the receiver wraps know; it is made over the virtual top
    var P0 = C.Proxy;
    if (typeof P0 === 'function' && R && typeof R.construct === 'function') {
      var rcon = R.construct; // the page may replace Reflect.construct later
      var PH = {
        construct: function (T, a, nt) {
          if (act && a[0] === realTop && framed) { a = RA(slice, a, []); a[0] = locTop(realTop); }
          return rcon(T, a, nt);
        }
      };
      var rev = P0.revocable;
      if (typeof rev === 'function') {
        P0.revocable = { revocable: function (t, h) { return RA(rev, this, [act && t === realTop && framed ? locTop(realTop) : t, h]); } }.revocable;
        looksNative(P0.revocable, rev);
      }
      try { var P1 = new P0(P0, PH); looksNative(P1, P0); C.Proxy = P1; } catch (e) { /* as it is */ }
    }
    [O, R].forEach(function (o) {
      var gopd = o && o.getOwnPropertyDescriptor;
      if (typeof gopd !== 'function') return;
      o.getOwnPropertyDescriptor = function getOwnPropertyDescriptor(t, k) {
        return fixDesc(t, k, gopd.apply(this, arguments));
      };
      looksNative(o.getOwnPropertyDescriptor, gopd);
    });
    // The legacy window.__lookupGetter__('top') hands out the same getters.
    var OP = O && O.prototype, lookup = OP && OP.__lookupGetter__;
    if (typeof lookup === 'function') {
      def(OP, '__lookupGetter__', {
        value: function __lookupGetter__(k) {
          var g = lookup.apply(this, arguments);
          if (typeof g === 'function' && k === 'ancestorOrigins' && this === w.location) return fixDesc(this, k, { get: g }).get;
          if (k === 'location' && typeof g === 'function' && (this === realTop || isWin(this))) return locAcc(g);
          return typeof g === 'function' && Object.prototype.hasOwnProperty.call(VIEWS, k) && isWin(this) ? viewGet(k, g) : g;
        },
        writable: true,
        configurable: true,
        enumerable: false
      });
      looksNative(OP.__lookupGetter__, lookup);
    }
    // window.__lookupSetter__('location').call(realTop, u): the same setter.
    var lookupS = OP && OP.__lookupSetter__;
    if (typeof lookupS === 'function') {
      def(OP, '__lookupSetter__', {
        value: function __lookupSetter__(k) {
          var g = lookupS.apply(this, arguments);
          return k === 'location' && typeof g === 'function' && (this === realTop || isWin(this)) ? locAcc(g) : g;
        },
        writable: true,
        configurable: true,
        enumerable: false
      });
      looksNative(OP.__lookupSetter__, lookupS);
    }
    var gopds = O && O.getOwnPropertyDescriptors;
    if (typeof gopds === 'function') {
      O.getOwnPropertyDescriptors = function getOwnPropertyDescriptors(t) {
        var all = gopds.apply(this, arguments);
        if (all && isWin(t)) for (var k in VIEWS) fixDesc(t, k, all[k]);
        if (all && (t === realTop || isWin(t))) fixDesc(t, 'location', all.location);
        if (all && isWin(t)) fixDesc(t, 'eval', all.eval);
        if (all && t === w.location) fixDesc(t, 'ancestorOrigins', all.ancestorOrigins);
        return all;
      };
      looksNative(O.getOwnPropertyDescriptors, gopds);
    }
  };
  guardViews(w);
  // new Function(code) / Function(code)() / x.constructor(code): the code
  // strings get the swap. A Proxy keeps Function.prototype, instanceof,
  // name, length and a native-looking toString; Function.prototype.constructor
  // points at it so that (function () {}).constructor === Function holds.
  var F = w.Function;
  if (typeof Proxy === 'function' && typeof F === 'function') {
    // The last argument is the body; the others are parameter lists
    // (new Function('top', body): `top` is a binding there, only a default
    // value is code), swapped as the parameters of an arrow.
    var fixParams = function (p) {
      var f = fixCode('(' + p + '\n)=>0');
      return f.slice(0, 1) === '(' && f.slice(-5) === '\n)=>0' ? f.slice(1, -5) : p;
    };
    var fixArgs = function (args) {
      var a = Array.prototype.slice.call(args);
      // converted in order, as Function itself does
      for (var i = 0; i < a.length; i++) a[i] = codeText(a[i]);
      for (var j = 0; j < a.length; j++) a[j] = j < a.length - 1 && typeof a[j] === 'string' ? fixParams(a[j]) : swap(a[j], fixCode);
      return a;
    };
    // proxyFn returns the proxy of constructor C, now C.prototype.constructor
    // (C itself when that cannot be set).
    var proxyFn = function (C) {
      var P = new Proxy(C, {
        apply: function (t, self, args) { return Reflect.apply(t, self, fixArgs(args)); },
        construct: function (t, args, nt) { return Reflect.construct(t, fixArgs(args), nt === P ? t : nt); }
      });
      try {
        var desc = Object.getOwnPropertyDescriptor(C.prototype, 'constructor');
        desc.value = P;
        def(C.prototype, 'constructor', desc);
        return P;
      } catch (e) { return C; }
    };
    w.Function = proxyFn(F);
    // AsyncFunction, GeneratorFunction, AsyncGeneratorFunction: no globals,
    // only reached through .constructor.
    [async function () {}, function* () {}, async function* () {}].forEach(function (f) { proxyFn(Object.getPrototypeOf(f).constructor); });
  }

  // Handlers set as attributes, and script text set by script (jQuery's
  // globalEval: script.text = code; head.appendChild(script)).
  var EP = Element.prototype;
  // attrSwap judges the value; a value it leaves alone goes on as given.
  if (setAttr) {
    EP.setAttribute = function (name, value) {
      var f = attrSwap(this, name, value);
      return f === value ? setAttr.apply(this, arguments) : setAttr.call(this, name, f);
    };
  }
  var setAttrNS = EP.setAttributeNS;
  if (setAttrNS) {
    EP.setAttributeNS = function (ns, name, value) {
      // without a namespace ('' is none too) as setAttribute; in one (SVG's
      // xlink:href) only a script's src and URLs
      var f = value, fix;
      if (ns == null || ns === '') f = attrSwap(this, name, value);
      else if (scriptSrc(this, name)) f = fixSrc(sinkText(value));
      else if ((fix = attrFix(this, name))) f = swap(sinkText(value), fix);
      return f === value ? setAttrNS.apply(this, arguments) : setAttrNS.call(this, ns, name, f);
    };
  }
  // script.src = 'data:…' / blob: URLs made by the page: the server never
  // sees that code. A data: URL is decoded, swapped and re-encoded; a blob:
  // URL is read back (synchronously, it is local) and replaced by a new one
  // only when the swap changed it.
  var fixSrc = function (u) {
    if (typeof u !== 'string') return u;
    var m = /^\s*data:([^,]*),/i.exec(u), text, fixed;
    try {
      if (m) {
        var body = u.slice(m[0].length);
        var bin = /;\s*base64\s*$/i.test(m[1]) ? atob(body.replace(/\s+/g, '')) : unescape(body.replace(/[^\x00-\x7f]+/g, encodeURIComponent));
        var bytes = new Uint8Array(bin.length);
        for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
        text = new TextDecoder().decode(bytes);
        fixed = swap(text, fixCode);
        return fixed === text ? u : 'data:text/javascript;charset=utf-8,' + encodeURIComponent(fixed);
      }
      if (/^\s*blob:/i.test(u) && XHR0) {
        text = readURL(u, false);
        fixed = swap(text, fixCode);
        if (fixed !== text) return RA(rawCOU, U0, [new Blob([fixed], { type: 'text/javascript' })]);
      }
    } catch (e) { /* malformed: leave it to the browser */ }
    return u;
  };
  // readURL: the text of a local blob: URL, read synchronously; raw: one
  // character per byte (x-user-defined: bytes 80-FF are U+F780-U+F7FF).
  var U0 = w.URL, rawCOU = U0 && U0.createObjectURL, rawRevoke = U0 && U0.revokeObjectURL;
  var XHR0 = typeof w.XMLHttpRequest === 'function' ? w.XMLHttpRequest : null, XP = XHR0 && XHR0.prototype;
  var xOpen = XP && XP.open, xSend = XP && XP.send, xMime = XP && XP.overrideMimeType, xText = XP && gopd0(XP, 'responseText');
  var readURL = function (u, raw) {
    var x = new XHR0();
    RA(xOpen, x, ['GET', u, false]);
    if (raw) RA(xMime, x, ['text/plain; charset=x-user-defined']);
    RA(xSend, x, []);
    return RA(xText.get, x, []);
  };
  // --- blob: documents (x500) ----------------------------------------------
  // HTML or XML in a blob: URL never passes the server: a frame, a popup or
  // the frame itself navigated to it would run its scripts with the real top
  // and a realm of clean built-ins. URL.createObjectURL reads such a blob
  // back, swaps it like a srcdoc document and always gives it the shim
  // (the bundle's tag, its src made absolute: a blob: document has no base
  // of its own; no auto-connect); the page gets the new blob's URL. Its bytes
  // are kept as they were (x-user-defined) but for the ASCII that is added;
  // UTF-16 is decoded and sent as UTF-8. A blob without a type is sniffed
  // as Chromium does (HTML tags, <?xml at the start). A download link to the
  // URL gets the original (blobFor, at click time). Over 16 MiB (the
  // server's rewrite limit) a blob is left as it is.
  var BP = w.Blob && w.Blob.prototype, bType = BP && gopd0(BP, 'type'), bSize = BP && gopd0(BP, 'size'), bSlice = BP && BP.slice;
  var XML_T = /^(?:text|application)\/(?:xml|xsl)$|^[\w.-]+\/[\w.+-]+\+xml$/;
  var BOM = '(?:\ufeff|\uf7ef\uf7bb\uf7bf)?';
  var SNIFF_HTML = new RegExp('^' + BOM + '[\\t\\n\\f\\r ]*(?:<!--|<(?:!doctype html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p)[\\t\\n\\f\\r >])', 'i');
  var SNIFF_XML = new RegExp('^' + BOM + '[\\t\\n\\f\\r ]*<\\?xml', 'i');
  var HTML_HEAD = new RegExp('^' + BOM + '(?:\\s*(?:<!--[\\s\\S]*?-->|<!doctype[^>]*>))*', 'i');
  var XML_ROOT = new RegExp('^' + BOM + '(?:\\s|<\\?[\\s\\S]*?\\?>|<!--[\\s\\S]*?-->|<!doctype(?:[^\\[>]|\\[[\\s\\S]*?\\])*>)*<[^\\s>/!?](?:[^>"\']|"[^"]*"|\'[^\']*\')*', 'i');
  var blobOrig = Object.create(null);
  var blobTag = function (xml) {
    var m = /\ssrc="([^"]*)"/.exec(sdkTag), abs;
    if (!/^<script\b/i.test(sdkTag) || !m) return '';
    try { abs = new U0(m[1].replace(/&amp;/g, '&'), d.baseURI).href; } catch (e) { return ''; }
    var t = sdkTag.replace(m[0], ' src="' + abs.replace(/&/g, '&amp;').replace(/"/g, '&quot;') + '"').replace(/\sdata-crmframe-autoconnect="[^"]*"/i, '');
    return t.replace(/^<script\b/i, '<script' + (xml ? ' xmlns="http://www.w3.org/1999/xhtml"' : '') + ' data-crmframe-autoconnect="false"');
  };
  // blobKind: 'html', 'xml' or '' for blob o (url u: its URL).
  var blobKind = function (o, u) {
    var type = RA(bType.get, o, []), ess = type.split(';')[0].trim();
    if (ess === 'text/html') return 'html';
    if (XML_T.test(ess)) return 'xml';
    if (ess) return '';
    var su = RA(rawCOU, U0, [RA(bSlice, o, [0, 1024])]), head;
    try { head = readURL(su, true); } finally { RA(rawRevoke, U0, [su]); }
    return SNIFF_HTML.test(head) ? 'html' : SNIFF_XML.test(head) ? 'xml' : '';
  };
  var blobDoc = function (o, u) {
    var kind = blobKind(o, u);
    if (!kind || (bSize && bSize.get && RA(bSize.get, o, []) > 16777216)) return '';
    var tag = blobTag(kind === 'xml'), type = RA(bType.get, o, []);
    if (!tag) return '';
    var raw = readURL(u, true), text = raw, wide = /^(?:\uf7fe\uf7ff|\uf7ff\uf7fe)/.test(raw) || /;\s*charset\s*=\s*"?utf-16/i.test(type);
    var bytes = function (t) { var b = new Uint8Array(t.length); for (var i = 0; i < t.length; i++) b[i] = t.charCodeAt(i) & 0xff; return b; };
    if (wide) text = new TextDecoder(/^\uf7fe\uf7ff/.test(raw) ? 'utf-16be' : 'utf-16le').decode(bytes(raw));
    var f = swap(text, fixHTML), at;
    if (kind === 'html') at = HTML_HEAD.exec(f)[0].length;
    else {
      var m = XML_ROOT.exec(f);
      if (!m || f.charAt(m[0].length) !== '>' || /\/\s*$/.test(m[0])) return ''; // no root, or an empty one: nothing runs
      at = m[0].length + 1;
    }
    f = f.slice(0, at) + tag + f.slice(at);
    var out;
    if (wide) {
      out = new TextEncoder().encode(f);
      type = type.split(';')[0] + ';charset=utf-8';
    } else {
      // swapped attribute text may hold a character that is no byte
      out = bytes(f.replace(/[^\x00-\x7f\uf780-\uf7ff]/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }));
    }
    return RA(rawCOU, U0, [new Blob([out], { type: type })]);
  };
  if (typeof rawCOU === 'function' && bType && bType.get && XHR0 && xText) {
    U0.createObjectURL = function createObjectURL(o) {
      var u = RA(rawCOU, this, arguments), f = '';
      try { if (o !== null && typeof o === 'object') f = blobDoc(o, u); } catch (e) { /* not a blob, or unreadable: as it was */ }
      if (!f) return u;
      blobOrig[f] = u;
      return f;
    };
    U0.revokeObjectURL = function revokeObjectURL(u) {
      var k = String(u), orig = blobOrig[k];
      if (orig) { delete blobOrig[k]; RA(rawRevoke, U0, [orig]); }
      return RA(rawRevoke, this, [k]);
    };
    // Reading the URL back (fetch, XMLHttpRequest) gets the page's own
    // bytes (an e-mail body sent as previewed, x579; an SVG export, x580):
    // only a document loaded from it needs the swapped copy.
    var blobRead = function (u) {
      var k = typeof u === 'string' ? u : u instanceof U0 ? String(u) : '';
      return k && blobOrig[k] || '';
    };
    var rawFetch = w.fetch, Req = w.Request;
    if (typeof rawFetch === 'function') w.fetch = function fetch(input) {
      var a = RA(slice, arguments, []), o = blobRead(input);
      if (o) a[0] = o;
      else if (typeof Req === 'function' && input instanceof Req && (o = blobOrig[input.url])) try { a[0] = new Req(o, input); } catch (e) { /* as it is */ }
      return RA(rawFetch, this, a);
    };
    if (typeof xOpen === 'function') XP.open = function open(method, url) {
      var a = RA(slice, arguments, []), o = a.length > 1 && blobRead(url);
      if (o) a[1] = o;
      return RA(xOpen, this, a);
    };
  }
  // import(specifier): the rewriter passes the specifier through this
  // (x346, x347): a data: or blob: module's code gets the swap, as for
  // script.src. A URL object is converted once, as import() would.
  def(w, '__crmframe_url', { value: function (u) {
    if (mode === 'off' || !framed) return u;
    return typeof u === 'string' ? fixSrc(u) : u && typeof u === 'object' ? fixSrc(String(u)) : u;
  } });
  var SP = typeof HTMLScriptElement !== 'undefined' && HTMLScriptElement.prototype;
  var srcDesc = SP && Object.getOwnPropertyDescriptor(SP, 'src');
  if (srcDesc && srcDesc.set) {
    def(SP, 'src', {
      get: srcDesc.get,
      set: function (v) { srcDesc.set.call(this, fixSrc(v)); },
      configurable: true,
      enumerable: srcDesc.enumerable
    });
  }
  // Script text built from nodes (s.appendChild(document.createTextNode(code)),
  // s.append(code)) and script elements inserted into the document with
  // text that no setter saw: the code is swapped before the script runs.
  var NP = Node.prototype;
  var textDesc = Object.getOwnPropertyDescriptor(NP, 'textContent');
  var runnable = function (s) {
    return s && s.nodeType === 1 && s.localName === 'script' && !s.hasAttribute('src') && jsType(s.getAttribute('type'));
  };
  // An SVG <script> whose href was set where no setter saw it (href.baseVal)
  // gets its data:/blob: source swapped when it is inserted.
  var fixSvgSrc = function (s) {
    if (s.namespaceURI !== 'http://www.w3.org/2000/svg') return;
    ['href', 'xlink:href'].forEach(function (n) {
      var v = getAttr.call(s, n), f = v == null ? v : fixSrc(v);
      if (f !== v) setAttr.call(s, n, f);
    });
  };
  // script.href.baseVal = 'data:…' on an SVG <script> already in the
  // document (x387): the SVGAnimatedString its href getter hands out is
  // remembered, and its baseVal setter gets the script.src swap.
  var SAS = w.SVGAnimatedString && w.SVGAnimatedString.prototype, SSP = w.SVGScriptElement && w.SVGScriptElement.prototype;
  var bvDesc = SAS && Object.getOwnPropertyDescriptor(SAS, 'baseVal'), hrefDesc = SSP && Object.getOwnPropertyDescriptor(SSP, 'href');
  if (bvDesc && bvDesc.set && hrefDesc && hrefDesc.get && typeof WeakSet === 'function') {
    var scriptHrefs = new WeakSet();
    def(SSP, 'href', {
      get: function () { var a = hrefDesc.get.call(this); if (a && typeof a === 'object') scriptHrefs.add(a); return a; },
      configurable: true,
      enumerable: hrefDesc.enumerable
    });
    def(SAS, 'baseVal', {
      get: bvDesc.get,
      // any other one (an SVG <a>'s href, adv36 x1073) may hold a
      // javascript: URL that a click follows: its code gets the swap
      set: function (v) { bvDesc.set.call(this, scriptHrefs.has(this) ? fixSrc(String(v)) : typeof (v = sinkText(v)) === 'string' && JSURL.test(v) ? swap(v, jsUrl) : v); },
      configurable: true,
      enumerable: bvDesc.enumerable
    });
  }
  // An import map inserted by script (x434) maps bare names to URLs that
  // import() and static imports then load: its data:/blob: module URLs get
  // the script.src swap (a map is read once, when its script is inserted).
  var fixMap = function (text) {
    var map;
    try { map = JSON.parse(text); } catch (e) { return text; }
    if (!map || typeof map !== 'object') return text;
    var changed = false;
    var fixList = function (o) {
      if (!o || typeof o !== 'object') return;
      for (var k in o) if (typeof o[k] === 'string') { var f = fixSrc(o[k]); if (f !== o[k]) { o[k] = f; changed = true; } }
    };
    fixList(map.imports);
    if (map.scopes && typeof map.scopes === 'object') for (var sc in map.scopes) fixList(map.scopes[sc]);
    return changed ? JSON.stringify(map) : text;
  };
  var fixScript = function (s) {
    if (s && s.localName === 'script') fixSvgSrc(s);
    if (s && s.localName === 'script' && textDesc && !s.hasAttribute('src') && String(s.getAttribute('type')).trim().toLowerCase() === 'importmap') {
      var mt = textDesc.get.call(s), mf = fixMap(mt);
      if (mf !== mt) textDesc.set.call(s, mf);
      return;
    }
    if (!runnable(s) || !textDesc) return;
    var text = textDesc.get.call(s), fixed = swap(text, fixCode);
    if (fixed !== text) textDesc.set.call(s, fixed);
  };
  var fixText = function (t) {
    if (t && t.nodeType === 3) {
      var f = swap(t.data, fixCode);
      if (f !== t.data) t.data = f;
    } else if (t && t.nodeType === 11) {
      for (var c = t.firstChild; c; c = c.nextSibling) fixText(c);
    }
  };
  // Subresource integrity on a script of this site inserted by script (a
  // bundler's chunk loader): the server may rewrite it, and the browser
  // would then refuse it. The HTML rewriter does the same for parsed tags.
  var dropSRI = function (x) {
    try {
      // as the HTML rewriter: script src, modulepreload, preload as=script
      var rel = x.localName === 'link' && x.relList;
      var preloadsScript = !!rel && (rel.contains('modulepreload') || rel.contains('preload') && String(x.as).toLowerCase() === 'script');
      var u = x.localName === 'script' ? x.src : preloadsScript ? x.href : '';
      if (u && x.getAttribute('integrity') && new URL(u, d.baseURI).origin === location.origin) x.setAttribute('integrity', '');
    } catch (e) { /* leave it */ }
  };
  var prepInsert = function (parent, args, first) {
    if (!parent || !args.length) return args;
    var n = first ? 1 : args.length;
    if (runnable(parent)) {
      args = Array.prototype.slice.call(args);
      for (var i = 0; i < n; i++) {
        if (typeof args[i] === 'string') args[i] = swap(args[i], fixCode);
        else fixText(args[i]);
      }
      return args;
    }
    if (!parent.isConnected) return args;
    for (var j = 0; j < n; j++) {
      var x = args[j];
      if (!x || typeof x !== 'object' || x.isConnected) continue;
      if (x.nodeType === 1 && (x.localName === 'script' || x.localName === 'link')) {
        dropSRI(x);
        fixScript(x);
      } else if ((x.nodeType === 1 || x.nodeType === 11) && x.firstElementChild) {
        var list = x.querySelectorAll('script');
        for (var k = 0; k < list.length; k++) fixScript(list[k]);
      }
    }
    return args;
  };
  var coverNote = null; // set by the cover watch (hide net, below)
  var hookInsert = function (proto, name, first, sibling) {
    var orig = proto && proto[name];
    if (typeof orig !== 'function') return;
    proto[name] = function () {
      var args = arguments, fr = null;
      try {
        var into = sibling ? this.parentNode : this;
        args = prepInsert(into, args, first);
        // only frames that get a window now: new in the document
        if (into && into.isConnected) fr = framesIn(args, first ? 1 : args.length, true);
      } catch (e) { /* never break the DOM */ }
      if (coverNote) try { coverNote(args); } catch (e) { /* never break the DOM */ }
      var bases = baseEntering(args, first ? 1 : args.length);
      var r = orig.apply(this, args);
      if (fr) for (var i = 0; i < fr.length; i++) adoptFrame(fr[i]);
      if (bases) fixBases();
      if (standing) standing.check(into);
      return r;
    };
  };
  hookInsert(NP, 'appendChild', true);
  hookInsert(NP, 'insertBefore', true);
  hookInsert(NP, 'replaceChild', true);
  ['append', 'prepend', 'replaceChildren'].forEach(function (m) {
    hookInsert(EP, m, false);
    if (typeof DocumentFragment !== 'undefined') hookInsert(DocumentFragment.prototype, m, false);
  });
  hookInsert(EP, 'before', false, true);
  hookInsert(EP, 'after', false, true);
  hookInsert(EP, 'replaceWith', false, true);
  // Range.insertNode/surroundContents insert a node too (x435: a script
  // whose text node's data was set, inserted by a range).
  var RP = w.Range && w.Range.prototype;
  var rawSurround = RP && RP.surroundContents;
  // partial: a node other than text is partially in range r (surroundContents
  // then throws).
  var partial = function (r) {
    var a = [], x, i;
    for (x = r.startContainer; x; x = x.parentNode) a.push(x);
    for (x = r.endContainer; x; x = x.parentNode) {
      i = a.indexOf(x);
      if (i >= 0) { a.length = i; break; }
      if (x.nodeType !== 3) return true;
    }
    for (i = 0; i < a.length; i++) if (a[i].nodeType !== 3) return true;
    return false;
  };
  // surroundContents(script) moves page text into a script (x444: code kept
  // as a hidden element's text): done in the spec's steps with the hooked
  // insertNode and appendChild, so that the text is swapped as it enters.
  if (typeof rawSurround === 'function') RP.surroundContents = function (np) {
    if (!np || np.nodeType !== 1 || np.localName !== 'script' || partial(this)) {
      var r = rawSurround.apply(this, arguments);
      baseEntered(arguments, 1);
      return r;
    }
    var frag = this.extractContents();
    while (np.firstChild) np.removeChild(np.firstChild);
    this.insertNode(np);
    np.appendChild(frag);
    this.selectNode(np);
  };
  ['insertNode'].forEach(function (m) {
    var orig = RP && RP[m];
    if (typeof orig !== 'function') return;
    RP[m] = function (node) {
      var args = arguments, fr = null;
      try {
        var c = this.startContainer, into = c && c.nodeType === 1 ? c : c && c.parentNode;
        args = prepInsert(into, args, true);
        if (into && into.isConnected) fr = framesIn(args, 1, true);
      } catch (e) { /* never break the DOM */ }
      if (coverNote) try { coverNote(args); } catch (e) { /* never break the DOM */ }
      var bases = baseEntering(args, 1);
      var r = orig.apply(this, args);
      if (fr) for (var i = 0; i < fr.length; i++) adoptFrame(fr[i]);
      if (bases) fixBases();
      return r;
    };
  });
  // --- same-origin about:blank frames the CRM makes ------------------------
  // A frame the CRM creates without a document of its own has a fresh realm:
  // an unpatched open(), Function, Reflect and descriptors, a top that is the
  // real one, and HTMLFormElement.prototype.submit. It gets this very shim
  // before the CRM can use it: when its window or document is read through
  // the frame element, right after a frame is inserted by script, and (for
  // parsed HTML, innerHTML) from a mutation observer, which runs before the
  // next parser-inserted script. Frames that load a CRM page get the shim
  // from the server (their realm is replaced when the page commits).
  var FRAMES = /^(?:i?frame|object|embed)$/;
  // adoptFrame adopts the window of frame element f, unless f is about to
  // load a document from a URL (src, an <object>'s data): Chrome then keeps
  // the window, and its globals, of the initial about:blank for that
  // document, so its own shim would find an adopted one. A srcdoc document
  // and an about:blank URL with a query or fragment get no page of their
  // own from the server: their initial window is adopted (a srcdoc
  // document gets a fresh global anyway, x348, x349).
  var adoptFrame = function (f, atLoad) {
    try {
      var obj = f.localName === 'object', src = getAttr.call(f, obj ? 'data' : 'src');
      // <embed src="about:blank"> (x391): no contentWindow; its window is the
      // child whose frameElement it is
      if (f.localName === 'embed') {
        if (src != null && !/^\s*(?:about:blank(?:[?#][\s\S]*)?)?\s*$/i.test(src)) return;
        for (var i = 0; i < w.length; i++) {
          try { if (w[i].frameElement === f) adopt(w[i]); } catch (e) { /* cross-origin */ }
        }
        return;
      }
      // <iframe src="javascript:'<html>…'">: the URL's code runs in the
      // frame's initial window, which lends this window's __crmframe_doc
      // (not adopted: the document it returns may load the shim itself).
      if (src != null && /^[\s\x00-\x1f]*javascript:/i.test(src) && !hasAttr.call(f, 'srcdoc')) {
        var jw = (f.localName === 'iframe' ? IFP : FP).cw.call(f);
        if (jw && jw !== w && !Object.prototype.hasOwnProperty.call(jw, '__crmframe_doc')) jw.__crmframe_doc = w.__crmframe_doc;
        // javascript:void(0), javascript:; (the IE-era "secure blank"):
        // no document is returned, the initial window stays (x343)
        if (/^[\s\x00-\x1f]*javascript:\s*(?:void\s*(?:\(\s*0?\s*\)|0)|undefined|false|null)?\s*;?\s*$/i.test(src)) adopt(jw);
        return;
      }
      var c = obj ? OBP : f.localName === 'iframe' ? IFP : FP;
      if (src != null && !/^\s*(?:about:blank(?:[?#][\s\S]*)?)?\s*$/i.test(src) && !(!obj && hasAttr.call(f, 'srcdoc'))) {
        // (at load, the frame may have gone elsewhere than its src)
        if (c && c.cw && (atLoad || sameOrigin(src))) {
          var lw = c.cw.call(f);
          lateAdopt(lw);
          // inserted, still loading: frames[n] hands out its window too
          if (!atLoad && pristine) pristine(lw);
        }
        return;
      }
      if (c && c.cw) adopt(c.cw.call(f));
    } catch (e) { /* not a frame */ }
  };
  var framesIn = function (args, n, fresh) {
    var out = null;
    for (var i = 0; i < n; i++) {
      var x = args[i];
      if (!x || typeof x !== 'object' || (x.nodeType !== 1 && x.nodeType !== 11) || (fresh && x.isConnected)) continue;
      if (x.nodeType === 1 && FRAMES.test(x.localName)) (out = out || []).push(x);
      else if (x.firstElementChild) {
        var list = x.querySelectorAll('iframe,frame,object,embed');
        for (var k = 0; k < list.length; k++) (out = out || []).push(list[k]);
      }
    }
    return out;
  };
  // A same-origin frame showing a document that is not HTML (text, JSON, an
  // image, a PDF: x501) is a realm with clean built-ins that no server-side
  // shim reaches. No script of its own runs there, so it is adopted once its
  // document is in (when the frame's window or document is read, and at the
  // frame's load); an HTML document may still be before its own shim.
  var sameOrigin = function (src) {
    try { return new U0(src, d.baseURI).origin === w.location.origin; } catch (e) { return false; }
  };
  var lateAdopt = function (cw) {
    try {
      if (!cw || cw === w || Object.prototype.hasOwnProperty.call(cw, '__crmframe')) return;
      var t = lc(cw.document.contentType); // throws when cross-origin
      if (t !== 'text/html' && t !== 'application/xhtml+xml') adopt(cw, true);
    } catch (e) { /* cross-origin */ }
  };
  var adopt = function (cw, late) {
    try {
      if (!cw || cw === w || Object.prototype.hasOwnProperty.call(cw, '__crmframe')) return;
      if (!late && cw.location.protocol !== 'about:') return; // throws when cross-origin
      cw.__crmframe_breakout = mode;
      cw.__crmframe_adopted = true;
      cw.__crmframe_sdktag = sdkTag;
      try {
        new cw.Function(SELF)();
      } catch (e) {
        // no eval in this CRM (CSP): an inline script, where allowed
        var cd = cw.document, s = cd.createElement('script');
        s.text = SELF;
        (cd.head || cd.documentElement).appendChild(s);
        s.parentNode.removeChild(s);
      }
      if (crm(cw)) count('adopt');
    } catch (e) { /* cross-origin, or no way to run code there */ }
  };
  // A frame still loading its src page is not adopted (its first document
  // keeps the initial window), so its pristine submit() or click() on a
  // served form or detached link follows target="_top" unseen (x876, x877,
  // x879). When such a window is handed out, its realm gets guardRealm's
  // hooks, once: only what is followed is retargeted (a sweep of every
  // served target broke pages that select a[target=_top], x880).
  var guarded = typeof WeakSet === 'function' ? new WeakSet() : null;
  var pristine = function (cw) {
    try {
      if (!guarded || !cw || cw === w || guarded.has(cw) || Object.prototype.hasOwnProperty.call(cw, '__crmframe')) return;
      if (!cw.document) return; // throws when cross-origin
      guarded.add(cw);
      guardRealm(cw);
      // the page that comes asks the windows that hooked its realm for the
      // originals (its shim takes our hooks for the platform's functions)
      var prev = cw.__crmframe_natives;
      def(cw, '__crmframe_natives', { value: function (f) { return nativeOf && nativeOf.get(f) || typeof prev === 'function' && prev(f) || undefined; }, configurable: true });
      // pass 27: its Reflect and descriptors answer for CRM windows (its
      // pristine Reflect.get(window, 'top') was the real top, x889), and its
      // open called on a CRM window is that window's (x888, x894).
      guardViews(cw);
      delegate(cw);
      // Code its Function compiles runs in its realm, whose top is the real
      // one (x902: cw.Function('return top')()): the code gets the swap, and
      // the realm lends this window's __crmframe_vtop and __crmframe_top
      // (configurable: the shim of the page it loads defines its own).
      var own = Object.prototype.hasOwnProperty;
      if (!own.call(cw, '__crmframe_vtop')) def(cw, '__crmframe_vtop', { value: w.__crmframe_vtop, configurable: true, writable: true });
      var SP = cw.String && cw.String.prototype; // ''.__crmframe_vtop in with code
      if (SP && !own.call(SP, '__crmframe_vtop')) def(SP, '__crmframe_vtop', { value: w.__crmframe_vtop, configurable: true, writable: true });
      if (!own.call(cw, '__crmframe_top')) def(cw, '__crmframe_top', { get: function () { return w.__crmframe_top; }, configurable: true });
      var F0 = cw.Function;
      if (typeof proxyFn === 'function' && typeof F0 === 'function') {
        cw.Function = proxyFn(F0);
        // pass 28: its AsyncFunction, GeneratorFunction and
        // AsyncGeneratorFunction too (reached through .constructor of a
        // function made there, x922, x923)
        try { RA0(F0, null, ['return [async function () {}, function* () {}, async function* () {}]'])().forEach(function (f) { proxyFn(Object.getPrototypeOf(f).constructor); }); } catch (e) { /* no eval here (CSP) */ }
      }
      realmCode(cw);
      // what else the swap writes into code run there (pass 28): a
      // window's eval as a value, messages to the top, computed keys
      if (!own.call(cw, '__crmframe_ieval')) def(cw, '__crmframe_ieval', { value: cw.eval, configurable: true, writable: true });
      ['__crmframe_post', '__crmframe_key'].forEach(function (k) { if (!own.call(cw, k)) def(cw, k, { value: w[k], configurable: true, writable: true }); });
      var open0 = cw.open;
      if (typeof open0 === 'function') {
        cw.open = function () {
          var t = this;
          if (t !== cw && t !== w && crmWin(t)) try { if (typeof t.open === 'function') return RA0(t.open, t, arguments); } catch (e) { /* as it was */ }
          return RA0(t === w ? wOpen : open0, t, arguments);
        };
        looksNative(cw.open, open0);
      }
    } catch (e) { /* cross-origin */ }
  };
  // realmCode(cw) (pass 28): the code sinks of a loading frame's realm run
  // code with its real top (x920: frames[0].eval('top'), x921: a string
  // timer queued there) and its history steps walk the tab's joint session
  // history (x924: History.prototype.go.call(history, -n)): its eval and
  // timers get the swap, its go/back/forward this window's step check. The
  // page the frame loads finds the originals (natives: its shim puts eval
  // and the timers back, a direct eval needs the realm's own eval).
  var realmCode = function (cw) {
    var wrap = function (o, k, make) {
      var f = o && o[k];
      if (typeof f !== 'function') return;
      var g = o[k] = make(f);
      looksNative(g, f);
      try { var FP1 = cw.Function.prototype; if (typeof FP1 === 'function') Object.setPrototypeOf(g, FP1); } catch (e) { /* as it is */ }
    };
    wrap(cw, 'eval', function (f) { return { eval: function (x) { return (0, f)(swap(x, fixCode)); } }.eval; });
    ['setTimeout', 'setInterval'].forEach(function (k) {
      wrap(cw, k, function (f) {
        return function () {
          var args = RA0(Array.prototype.slice, arguments, []);
          args[0] = swap(codeText(args[0]), fixCode);
          return RA0(f, this, args);
        };
      });
    });
    var HP = cw.History && cw.History.prototype;
    [['go', null], ['back', -1], ['forward', 1]].forEach(function (x) {
      wrap(HP, x[0], function (f) {
        return function (delta) {
          var n = x[1] === null ? (arguments.length ? delta | 0 : 0) : x[1];
          if (!stepOK(n)) return;
          return RA0(f, this, x[1] === null && arguments.length ? [n] : []);
        };
      });
    });
  };
  // delegate(cw) (pass 27): the members of cw's DOM prototypes that this
  // shim hooks in its own realm (hookedDOM, listed at the end), called on a
  // node of a CRM window, run that window's hooked member: a loading frame's
  // pristine innerHTML setter, setAttribute or insertAdjacentHTML applied to
  // the CRM's nodes made handlers no swap saw (x899, x901, x903). Its own
  // nodes, and receivers that are not nodes, keep the pristine member.
  var hookedDOM = null;
  var delegate = function (cw) {
    // winOf through the captured getters only (a receiver's own nodeType is
    // the page's)
    if (!hookedDOM || !IN.nodeType || !IN.ownerDocument || !IN.defaultView) return;
    hookedDOM.forEach(function (h) {
      var n = h[0], k = h[1], C = cw[n], P = C && C.prototype, ds;
      try { ds = P && gopd0(P, k); } catch (e) { return; }
      if (!ds || !ds.configurable) return;
      h[2].forEach(function (f) {
        var orig = ds[f];
        if (typeof orig !== 'function') return;
        ds[f] = { x: function () {
          var W = winOf(this);
          if (W && W !== cw && crm(W)) {
            var D = W[n] && W[n].prototype && gopd0(W[n].prototype, k), g = D && D[f];
            if (typeof g === 'function' && g !== orig) return RA0(g, this, arguments);
          }
          return RA0(orig, this, arguments);
        } }.x;
        looksNative(ds[f], orig);
      });
      try { def(P, k, ds); } catch (e) { /* kept as it was */ }
    });
  };
  var frameGetters = function (C) {
    var proto = C && C.prototype;
    if (!proto) return null;
    var cwd = Object.getOwnPropertyDescriptor(proto, 'contentWindow'), cdd = Object.getOwnPropertyDescriptor(proto, 'contentDocument');
    if (!cwd || !cwd.get) return null;
    def(proto, 'contentWindow', {
      get: function () { adoptFrame(this); var cw = cwd.get.call(this); pristine(cw); return cw; },
      configurable: true,
      enumerable: cwd.enumerable
    });
    if (cdd && cdd.get) {
      def(proto, 'contentDocument', {
        get: function () { adoptFrame(this); var cd = cdd.get.call(this); pristine(cd && cd.defaultView); return cd; },
        configurable: true,
        enumerable: cdd.enumerable
      });
    }
    return { cw: cwd.get };
  };
  // <object data="about:blank"> holds a frame too (x354).
  var IFP = frameGetters(w.HTMLIFrameElement), FP = frameGetters(w.HTMLFrameElement), OBP = frameGetters(w.HTMLObjectElement);
  if (IFP && typeof MutationObserver === 'function') {
    // While the document holds no frame (live collections read through the
    // built-ins found at start-up) no record can add one: they are not
    // walked (parsing a 16k-element page spent ≈ 40 ms in framesIn). A
    // frame added and taken out again in one task has no window to adopt.
    var byNS = Document.prototype.getElementsByTagNameNS, hcLen = w.HTMLCollection && gopd0(w.HTMLCollection.prototype, 'length'), liveFrames = null;
    try {
      if (typeof byNS === 'function' && hcLen && typeof hcLen.get === 'function') liveFrames = ['iframe', 'frame', 'object', 'embed'].map(function (t) { return byNS.call(d, '*', t); });
    } catch (e) { /* every record is walked */ }
    var noFrames = function () {
      if (!liveFrames) return false;
      for (var i = 0; i < liveFrames.length; i++) if (hcLen.get.call(liveFrames[i]) > 0) return false;
      return true;
    };
    // A few added nodes (a live grid's new row) are cheaper to walk than
    // the collections: each count after a change walks the whole document
    // (≈ 2 ms a batch for four on a 16k-element page, 10 batches a second).
    var many = function (recs) {
      for (var i = 0, k = 0; i < recs.length; i++) if ((k += recs[i].addedNodes.length) > 32) return true;
      return false;
    };
    new MutationObserver(function (recs) {
      if (many(recs) && noFrames()) return;
      for (var i = 0; i < recs.length; i++) {
        var fr = framesIn(recs[i].addedNodes, recs[i].addedNodes.length);
        if (fr) for (var k = 0; k < fr.length; k++) adoptFrame(fr[k]);
      }
    }).observe(d, { childList: true, subtree: true });
    // An <embed>/<object> gets its window after layout, later than the
    // observer: adopted again when it loads (before the window's load).
    w.addEventListener('load', function (e) {
      var t = e && e.target;
      if (t && t.nodeType === 1 && (t.localName === 'embed' || t.localName === 'object')) adoptFrame(t);
    }, true);
    // A frame's load reaches the document's capture listeners (not the
    // window's) before the page's own (lateAdopt, x501).
    if (typeof d.addEventListener === 'function') d.addEventListener('load', function (e) {
      var t = rd(e, 'target');
      if (t && rd(t, 'nodeType') === 1 && FRAMES.test(rd(t, 'localName'))) adoptFrame(t, true);
    }, true);
  }

  // HTML that holds a frame: its window is adopted right away (before the
  // mutation observer), since frames[n] can be read in the same script.
  var FRAME_HTML = /<(?:i?frame|object|embed)[\s/>]/i;
  var adoptAll = function (v, root) {
    if (typeof v !== 'string' || !FRAME_HTML.test(v) || !root || !root.querySelectorAll) return;
    var fr = root.querySelectorAll('iframe,frame,object,embed');
    for (var i = 0; i < fr.length; i++) adoptFrame(fr[i]);
  };
  var adjacent = EP.insertAdjacentHTML;
  if (adjacent) {
    EP.insertAdjacentHTML = function (where, html) {
      // into a script the markup is parsed as its text: code (adv36, x1071)
      var into = null;
      try { where = Str(where); into = adjParent(this, where); } catch (e) { /* the call reports it */ }
      html = sinkText(html);
      var r = adjacent.call(this, where, swap(html, runnable(into) ? fixCode : fixHTML));
      adoptAll(html, this.parentNode || this);
      if (standing) standing.check(this.parentNode || this);
      return r;
    };
  }
  // adjParent: the node insertAdjacent* puts children into.
  var adjParent = function (el, where) {
    where = lc(where);
    return where === 'afterbegin' || where === 'beforeend' ? el : where === 'beforebegin' || where === 'afterend' ? el.parentNode : null;
  };
  // Text put into a script (an empty one in the document runs when its
  // first text arrives, adv36 x1070) gets the swap, as s.append(code).
  var adjacentText = EP.insertAdjacentText;
  if (adjacentText) {
    EP.insertAdjacentText = function (where, text) {
      var a = arguments;
      try {
        // where converted once, as the call converts it
        if (a.length > 1) { a = RA(slice, a, []); a[0] = Str(where); if (runnable(adjParent(this, a[0]))) a[1] = swap(sinkText(a[1]), fixCode); }
      } catch (e) { a = arguments; /* the call reports it */ }
      return adjacentText.apply(this, a);
    };
  }
  var adjacentEl = EP.insertAdjacentElement;
  if (adjacentEl) {
    EP.insertAdjacentElement = function (where, el) {
      // a script inserted this way gets its text swapped like appendChild's
      // (adv36, x1074)
      var a = arguments;
      try { if (a.length > 1) { a = RA(slice, a, []); a[0] = Str(where); var p = adjParent(this, a[0]); if (p) prepInsert(p, [el], true); } } catch (e) { a = arguments; /* never break the DOM */ }
      var r = adjacentEl.apply(this, a), fr = null;
      try { fr = framesIn([el], 1); } catch (e) { /* keep it */ }
      if (fr) for (var i = 0; i < fr.length; i++) adoptFrame(fr[i]);
      baseEntered([el], 1);
      if (standing) standing.check(this.parentNode || this);
      return r;
    };
  }

  // --- blanking guard ----------------------------------------------------
  // Invisible characters count as blank: a zero-width space or a soft
  // hyphen shows nothing, though trim() keeps them (x309).
  var INVISIBLE = /^[\s\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]*$/;
  var blank = function (v) { return v == null || INVISIBLE.test(String(v)); };
  // HTML that leaves nothing to see: only html/head/body tags and comments
  // (body.outerHTML = '<body></body>').
  var blankHTML = function (v) {
    return blank(v) || blank(String(v).replace(/<!--[\s\S]*?-->|<\/?(?:html|head|body)\b(?:[^>"']|"[^"]*"|'[^']*')*>/gi, ''));
  };
  var bodyOrHtml = function (el) { return el != null && (el === d.body || el === d.documentElement); };
  var guard = function (proto, prop) {
    var desc = Object.getOwnPropertyDescriptor(proto, prop);
    if (!desc || !desc.set) return;
    def(proto, prop, {
      get: desc.get,
      set: function (v) {
        if (this.nodeType === 2) return desc.set.call(this, attrSwap(this.ownerElement, this.name, v)); // attr.textContent
        v = sinkText(v);
        if (this.localName === 'script' && prop !== 'outerHTML') {
          if (jsType(this.getAttribute('type'))) v = swap(v, fixCode);
        }
        else if (prop === 'innerHTML' || prop === 'outerHTML') v = swap(v, fixHTML);
        // Blanking body/html happens (clear-and-fill: body.innerHTML = '';
        // body.appendChild(view)); the old nodes come back when the page
        // is still blank 250 ms later, as for replaceChildren below.
        // Short markup may still show nothing (entities of invisible
        // characters, x309): judged by the page after the assignment.
        var restore = null;
        if (bodyOrHtml(this) && (prop === 'innerHTML' || prop === 'outerHTML' ? blankHTML(v) || String(v).length <= 256 : blank(v))) {
          restore = before(this, prop === 'outerHTML' ? null : keepChildren);
        }
        var parent = prop === 'outerHTML' ? this.parentNode : this;
        desc.set.call(this, v);
        if (restore && pageBlank()) recheck(restore);
        if (prop === 'innerHTML' || prop === 'outerHTML') adoptAll(v, parent);
        if (standing) standing.check(parent);
      },
      configurable: true,
      enumerable: desc.enumerable
    });
  };
  guard(Element.prototype, 'innerHTML');
  guard(Element.prototype, 'outerHTML');
  guard(Node.prototype, 'textContent');
  guard(HTMLElement.prototype, 'innerText');
  if (typeof HTMLScriptElement !== 'undefined') guard(HTMLScriptElement.prototype, 'text');
  if (typeof ShadowRoot !== 'undefined') guard(ShadowRoot.prototype, 'innerHTML');
  // The same blanking through DOM methods: body/html emptied
  // (replaceChildren), taken out (remove, removeChild) or swapped for an
  // empty one (replaceWith, replaceChild, document.body = b). The call
  // happens (the page may fill the new body next: clear-and-fill), and when
  // the page that had something to see has nothing 250 ms later, the old
  // nodes are put back.
  var SEEN = ':not(html):not(head):not(body):not(title):not(meta):not(link):not(style):not(script):not(base):not(template)';
  var pageBlank = function () {
    var b = d.body;
    if (!b || b.querySelector(SEEN)) return !b; // the query first: it stops at the first element
    // script, style and template text shows nothing (a JSON data island, a
    // buster keeping its own inline script)
    if (typeof d.createTreeWalker !== 'function') return blank(b.textContent);
    var tw = d.createTreeWalker(b, 4), n;
    while ((n = tw.nextNode())) if (!blank(n.data) && !/^(?:script|style|template|noscript)$/.test(n.parentNode.localName)) return false;
    return true;
  };
  var NP = w.Node && w.Node.prototype;
  // keepChildren: what puts el's children back (restoreOf of before()).
  function keepChildren(el) {
    var old = Array.prototype.slice.call(el.childNodes);
    return function () { if (el.isConnected) { rawReplaceChildren.apply(el, old); return el; } };
  }
  var rawReplaceWith = EP.replaceWith, rawReplaceChildren = EP.replaceChildren, rawInsertBefore = NP && NP.insertBefore;
  var rawRemoveChild = NP && NP.removeChild, MO = w.MutationObserver, WS = w.WeakSet;
  // Once a blanking was undone, a page blanking itself again (a timer
  // faster than 250 ms, x307) is looked at in a microtask, before it is
  // painted; at most 20 times per 250 ms (a page blanking from its own
  // mutation observer cannot keep both in a microtask loop).
  var undone = false, quickBlank = 0, quickReset = 0;
  var soon = function (run) {
    if (undone && quickBlank < 20) {
      quickBlank++;
      if (!quickReset) quickReset = setTimeout(function () { quickReset = 0; quickBlank = 0; }, 250);
      micro(run);
    } else setTimeout(run, 250);
  };
  var recheck = function (restore) {
    soon(function () {
      if (!pageBlank()) return;
      count('blank');
      if (act) try { endStandIn(); standIn(restore()); undone = true; } catch (e) { /* the page moved on */ }
    });
  };
  // The restored nodes only stand in for the page's next view: a page that
  // empties its body and mounts the next view later than 250 ms (a lazy
  // module, x383) would show both. When the page itself puts visible
  // in-flow content into el within STAND ms, the stand-in goes, in the
  // observer's microtask (before paint). So it does when all the page put
  // there that shows is floating (a sign-in card after a session purge,
  // x723: the purged record must not come back). What shows nothing (a
  // script, an empty or hidden element) keeps it, and so does a toast or
  // dialog next to an element of the page's own still showing nothing (an
  // app root yet to mount), and everything after STAND ms: by then the
  // restored page is the one in use (a buster's blanking undone).
  var STAND = 10000, standing = null, UNSEEN = /^(?:script|style|link|meta|template|title|base|noscript)$/;
  var endStandIn = function () { if (standing) standing.mo.disconnect(); standing = null; };
  // inFlow(n): 2 shown in flow, 1 shown floating, 0 shows nothing
  var inFlow = function (n, depth) {
    if (n.nodeType === 3) return blank(n.data) ? 0 : 2;
    if (n.nodeType !== 1 || !n.getBoundingClientRect || UNSEEN.test(n.localName)) return 0; // no layout for these
    var b = n.getBoundingClientRect(), cs = w.getComputedStyle(n);
    // legit24: a host without a box of its own (display: contents, an
    // Angular element or Lit wrapper, x843) shows what its children show
    if (cs.display === 'contents') {
      var best = 0;
      for (var c = n.firstChild, k = 0; c && best < 2 && k < 64 && (depth | 0) < 4; c = c.nextSibling, k++) best = Math.max(best, inFlow(c, (depth | 0) + 1));
      return best;
    }
    if (b.width < 2 || b.height < 2 || b.right + w.pageXOffset <= 0 || b.bottom + w.pageYOffset <= 0) return 0;
    // legit24: a view entering at opacity 0 (a fade-in animation, a Vue
    // <Transition> enter class, x840, x841) is the next view when it holds
    // something to show; an empty or hidden element still shows nothing
    if (typeof n.checkVisibility === 'function' && !n.checkVisibility({ opacityProperty: true, visibilityProperty: true }) &&
      !(n.checkVisibility({ visibilityProperty: true }) && (seenText(n) > 0 || !!n.querySelector(SHOWS)))) return 0;
    // positioned: a toast or dialog floats, an app root covering half the
    // viewport or more (an Ext JS Viewport, x522) does not
    var vw = w.innerWidth, vh = w.innerHeight;
    return (cs.position === 'absolute' || cs.position === 'fixed') &&
      !(vw && vh && (Math.min(b.right, vw) - Math.max(b.left, 0)) * (Math.min(b.bottom, vh) - Math.max(b.top, 0)) >= vw * vh / 2) ? 1 : 2;
  };
  var standIn = function (el) {
    if (!el || typeof MO !== 'function' || !rawRemoveChild) return;
    var old = Array.prototype.slice.call(el.childNodes), set = typeof WS === 'function' ? new WS(old) : null;
    var isOld = function (n) { return set ? set.has(n) : old.indexOf(n) >= 0; };
    var run = function (recs) {
      // a restored node the page inserts again is the page's own
      for (var i = 0; i < recs.length; i++) {
        if (recs[i].target !== el) continue;
        for (var a = recs[i].addedNodes, k = 0; k < a.length; k++) if (set) set.delete(a[k]); else if (isOld(a[k])) old.splice(old.indexOf(a[k]), 1);
      }
      var kids = Array.prototype.slice.call(el.childNodes), mine = [], shown = 0, waits = false;
      for (i = 0; i < kids.length; i++) {
        if (isOld(kids[i])) { mine.push(kids[i]); continue; }
        var k = shown < 2 ? inFlow(kids[i]) : 2;
        if (k > shown) shown = k;
        else if (!k && kids[i].nodeType === 1 && !UNSEEN.test(kids[i].localName)) waits = true;
      }
      if (shown < 2 && !(shown && !waits)) return;
      endStandIn();
      for (i = 0; i < mine.length; i++) if (mine[i].parentNode === el) rawRemoveChild.call(el, mine[i]);
    };
    var mo = new MO(run), me = { mo: mo };
    // also right after the page's own insertion into el, before its next
    // statement: a getElementById there must find the new view (x520)
    me.check = function (into) {
      if (standing !== me) return;
      try { for (var x = into; x; x = x.parentNode) if (x === el) return run(mo.takeRecords()); } catch (e) { /* never break the page's call */ }
    };
    mo.observe(el, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['style', 'class', 'hidden'] });
    standing = me;
    setTimeout(function () { if (standing === me) endStandIn(); }, STAND);
  };
  // before(el, restoreOf) runs before a call that may blank el (body or
  // html) and returns what puts it back afterwards (restoreOf(el), else el
  // re-attached where it was; it returns the element it refilled), or
  // null. Only at the CRM root: a nested CRM frame emptying its own body (a
  // reading pane with nothing selected, x371) does what it would unframed.
  var before = function (el, restoreOf) {
    if (!el || adopted || !root || !bodyOrHtml(el) || pageBlank()) return null;
    // The page shows something: what the watcher below still holds is no
    // blanking. At DOMContentLoaded it may hold the parser's last
    // insertions, which undone with this blanking's records took the
    // restored page apart again (x704, x706, x709).
    if (watcher && typeof watcher.takeRecords === 'function') { watcher.takeRecords(); blankLog = null; watchTree(); }
    if (restoreOf) return restoreOf(el);
    var parent = el.parentNode, next = el.nextSibling;
    return function () {
      if (el.isConnected || !parent) return null;
      var now = next && next.parentNode === parent ? next.previousSibling : parent.lastChild;
      if (now && bodyOrHtml(now) && now.localName === el.localName) rawReplaceWith.call(now, el);
      else rawInsertBefore.call(parent, el, next && next.parentNode === parent ? next : null);
      return el;
    };
  };
  var guardCall = function (proto, name, target, restoreOf) {
    var orig = proto && proto[name];
    if (typeof orig !== 'function') return;
    proto[name] = function () {
      var restore = before(target(this, arguments), restoreOf);
      var r = orig.apply(this, arguments);
      if (restore && pageBlank()) recheck(restore);
      return r;
    };
  };
  var self1 = function (el) { return el; };
  guardCall(EP, 'replaceChildren', self1, keepChildren);
  guardCall(EP, 'remove', self1);
  guardCall(EP, 'replaceWith', self1);
  guardCall(NP, 'removeChild', function (el, a) { return a[0]; });
  guardCall(NP, 'replaceChild', function (el, a) { return a[1]; });
  // document.replaceChildren() takes <html> itself out (x709)
  guardCall(Document.prototype, 'replaceChildren', function (doc) { return doc === d ? d.documentElement : null; });
  var bodyDesc = Object.getOwnPropertyDescriptor(Document.prototype, 'body');
  if (bodyDesc && bodyDesc.set) {
    def(Document.prototype, 'body', {
      get: bodyDesc.get,
      set: function (v) {
        var restore = this === d ? before(bodyDesc.get.call(this)) : null;
        bodyDesc.set.call(this, v);
        if (restore && pageBlank()) recheck(restore);
      },
      configurable: true,
      enumerable: bodyDesc.enumerable
    });
  }
  // The same blanking by any other way (a removeChild loop, a Range's
  // deleteContents, outerText, setHTMLUnsafe, document.replaceChildren(),
  // the body moved into a fragment, another realm's methods: x504-x510): an
  // observer of the children of the document, <html> and <body> (not their
  // subtrees: cheap on big pages) keeps the records from the moment the
  // page is blank; when what they removed showed something and the page is
  // still blank 250 ms later, they are undone, last first.
  var META = /^(?:html|head|body|title|meta|link|style|script|base|template)$/;
  var something = function (n) {
    if (n.nodeType === 3) return !blank(n.data);
    return n.nodeType === 1 && (!META.test(n.localName) || !!n.querySelector(SEEN) || !blank(n.textContent));
  };
  var putBack = function (t, n, ref) {
    // a document has one element: the page's empty one makes room
    if (t.nodeType === 9 && n.nodeType === 1 && t.documentElement && t.documentElement !== n) rawReplaceWith.call(t.documentElement, n);
    else rawInsertBefore.call(t, n, ref);
  };
  var undoRecs = function (recs) {
    for (var i = recs.length - 1; i >= 0; i--) {
      var r = recs[i], t = r.target, k;
      try {
        if (r.type === 'characterData') { t.data = r.oldValue; continue; }
        if (r.type === 'attributes') { if (r.oldValue == null) t.removeAttribute(r.attributeName); else setAttr.call(t, r.attributeName, r.oldValue); continue; }
        // what the page added and shows nothing (a template, a link) stays
        for (k = r.addedNodes.length - 1; k >= 0; k--) if (r.addedNodes[k].parentNode === t && !(r.addedNodes[k].nodeType === 1 && UNSEEN.test(r.addedNodes[k].localName))) rawRemoveChild.call(t, r.addedNodes[k]);
        var ps = r.previousSibling, ns = r.nextSibling;
        var ref = ns && ns.parentNode === t ? ns : ps && ps.parentNode === t ? ps.nextSibling : ps ? null : t.firstChild;
        // a node now held by the page elsewhere, out of the document (its
        // own fragment or container, x525), stays there: a copy comes back
        for (k = 0; k < r.removedNodes.length; k++) {
          var n = r.removedNodes[k];
          putBack(t, n.parentNode && !n.isConnected && !bodyOrHtml(n) && n.localName !== 'html' && n.localName !== 'body' ? n.cloneNode(true) : n, ref);
        }
      } catch (e) { /* the page moved that node on: the rest still goes back */ }
    }
  };
  var showedSomething = function (recs) {
    for (var i = 0; i < recs.length; i++) {
      for (var a = recs[i].removedNodes, k = 0; k < a.length; k++) if (something(a[k])) return true;
      if (recs[i].type === 'characterData' && !blank(recs[i].oldValue)) return true;
    }
    return false;
  };
  // undoLater(recs, still): when still() holds 250 ms later (or in a
  // microtask once a blanking was undone), recs are undone.
  var undoLater = function (recs, still, wait) {
    soon(function run() {
      if (wait && wait()) { setTimeout(run, 250); return; }
      if (!still() || !showedSomething(recs)) return;
      count('blank');
      if (act) { endStandIn(); undoRecs(recs); standIn(d.body); undone = true; }
    });
  };
  var blankLog = null, watchedHtml = null, watchedBody = null, watcher = null;
  var watchTree = function () {
    var h = d.documentElement, b = d.body, o = { childList: true };
    if (h && h !== watchedHtml) { watcher.observe(h, o); watchedHtml = h; }
    if (b && b !== watchedBody) { watcher.observe(b, o); watchedBody = b; }
  };
  if (root && !adopted && typeof MO === 'function' && rawRemoveChild) {
    watcher = new MO(function (recs) {
      watchTree();
      if (!pageBlank()) { blankLog = null; return; }
      if (blankLog) { blankLog.push.apply(blankLog, recs); return; }
      blankLog = recs;
      var mine = blankLog;
      undoLater(mine, function () { if (blankLog === mine) blankLog = null; return pageBlank(); });
    });
    watcher.observe(d, { childList: true });
    watchTree();
  }
  // HTML parsed elsewhere than innerHTML, then inserted: handlers (and
  // scripts) in it get the swap too.
  var htmlArg = function (o, name, dsd) {
    var orig = o && o[name];
    if (typeof orig !== 'function') return;
    o[name] = function (html) {
      var a = arguments, marked = false;
      html = sinkText(html);
      if (typeof html === 'string' && name === 'setHTMLUnsafe' && runnable(this)) {
        // s.setHTMLUnsafe(code) on a script: its text (adv36, x1084)
        a = Array.prototype.slice.call(a);
        a[0] = swap(html, fixCode);
      } else if (typeof html === 'string') {
        a = Array.prototype.slice.call(a);
        dsdFlip = !!dsd;
        try { a[0] = swap(html, fixHTML); } finally { dsdFlip = false; }
        marked = !!dsd && !!dsdMark && a[0] !== html && a[0].indexOf('<crmframe-dsd') >= 0;
      }
      var r = orig.apply(this, a);
      if (marked) try { dsdSweep(name === 'parseHTMLUnsafe' ? r : this); } catch (e) { /* the markers go when connected */ }
      // a frame it wrote into the document is reachable through frames[n]
      // at once (pass 28, x934), as after innerHTML
      if (name === 'setHTMLUnsafe') try { adoptAll(html, this); } catch (e) { /* the observer adopts it */ }
      return r;
    };
  };
  // dsdSweep(n): the markers left in the declarative roots these calls
  // parsed — in a tree not in the document (a detached container, a parsed
  // document: legit28 x910), and in Chromium 148 also in a connected one
  // (never upgraded) — leave (firstElementChild, getHTML) after telling
  // dsdFound. Roots already closed again had theirs upgraded.
  var dsdSweep = function (n) {
    if (!n || typeof n.querySelectorAll !== 'function') return;
    var all = n.querySelectorAll('*');
    for (var i = 0; i < all.length; i++) {
      var r = all[i].shadowRoot;
      if (!r) continue;
      for (var c = r.firstChild; c; c = c.nextSibling) {
        if (c.nodeType !== 1 || c.localName !== 'crmframe-dsd') continue;
        r.removeChild(c);
        dsdFound(all[i], r, RA0(hasAttr, c, ['closed']));
        break;
      }
      dsdSweep(r);
    }
  };
  htmlArg(w.Range && w.Range.prototype, 'createContextualFragment');
  htmlArg(w.DOMParser && w.DOMParser.prototype, 'parseFromString');
  htmlArg(EP, 'setHTMLUnsafe', true);
  htmlArg(w.ShadowRoot && w.ShadowRoot.prototype, 'setHTMLUnsafe', true);
  htmlArg(w.Document, 'parseHTMLUnsafe', true);
  // Editing commands of contenteditable editors: insertHTML parses markup
  // (handlers kept), createLink makes a link to a URL that may be code.
  var exec = Document.prototype.execCommand;
  // Editing commands can empty a page without a method of ours (designMode,
  // selectAll, delete: x509) and leave empty elements behind: at the root a
  // command that takes the last text (and image, control...) of a page is
  // recorded and undone when the page is still textless 250 ms later.
  var SHOWS = 'img,svg,canvas,video,iframe,object,embed,input,select,textarea,button,picture,audio[controls],hr';
  var textless = function () {
    var b = d.body;
    if (!b) return true;
    if (b.querySelector(SHOWS)) return false;
    var tw = d.createTreeWalker(b, 4), n;
    while ((n = tw.nextNode())) if (!blank(n.data) && !HIDDEN_TEXT.test(n.parentNode.localName)) return false;
    return true;
  };
  var editRecord = root && !adopted && typeof MO === 'function' && rawRemoveChild && typeof d.createTreeWalker === 'function';
  if (typeof exec === 'function') {
    Document.prototype.execCommand = function (cmd, ui, value) {
      var a = arguments, html = null;
      if (arguments.length >= 3) {
        var c = String(cmd).toLowerCase();
        a = Array.prototype.slice.call(arguments);
        if (c === 'inserthtml') a[2] = swap(html = sinkText(value), fixHTML);
        else if (c === 'createlink') a[2] = swap(sinkText(value), jsUrl);
      }
      // a frame it inserted is reachable through frames[n] at once, as after
      // innerHTML (pass 28, x925)
      try { return execAt(this, a); } finally { if (html !== null) try { adoptAll(html, this); } catch (e) { /* the observer adopts it */ } }
    };
    var execAt = function (self, a) {
      if (!editRecord || self !== d || textless()) return exec.apply(self, a);
      var mo = new MO(function () {}), recs;
      mo.observe(d, { childList: true, subtree: true, characterData: true, characterDataOldValue: true, attributes: true, attributeOldValue: true });
      try { return exec.apply(self, a); } finally {
        recs = mo.takeRecords();
        mo.disconnect();
        // an editor still in design mode may fill the page next (a template
        // inserted, x523): waited for, up to 1.5 s
        var t0 = Date.now();
        if (recs.length && textless()) undoLater(recs, textless, function () { return d.designMode === 'on' && Date.now() - t0 < 1500; });
      }
    };
  }
  // Client-side XSLT builds elements from a stylesheet and data, never from
  // a string the shim saw: its output's attributes and scripts get the swap.
  var fixTree = function (r) {
    var list = r && r.querySelectorAll ? r.querySelectorAll('*') : [];
    for (var i = 0; i < list.length; i++) {
      var el = list[i], at = el.attributes;
      for (var k = 0; k < at.length; k++) fixAttrNode(el, at[k]);
      if (el.localName === 'script') fixScript(el);
    }
  };
  var XP = w.XSLTProcessor && w.XSLTProcessor.prototype;
  ['transformToFragment', 'transformToDocument'].forEach(function (m) {
    var orig = XP && XP[m];
    if (typeof orig !== 'function') return;
    XP[m] = function () {
      var r = orig.apply(this, arguments);
      try { fixTree(r); } catch (e) { /* leave the result as it is */ }
      return r;
    };
  });

  // After load, document.open()/write() replace the page. An open() is held
  // back until something non-blank is written; blank writes are dropped.
  var DP = Document.prototype;
  var dOpen = DP.open, dWrite = DP.write, dWriteln = DP.writeln, dClose = DP.close;
  var held = false, streaming = false, heldText = '';
  // Markup that shows nothing: structure, head-only elements and comments
  // (document.write('<html><head><title>x</title></head><body></body></html>')
  // after load, x308).
  var blankDoc = function (v) {
    return blankHTML(String(v).replace(/<!doctype[^>]*>|<(title|style)\b[\s\S]*?<\/\1\s*>|<(?:meta|link|base)\b(?:[^>"']|"[^"]*"|'[^']*')*>/gi, ''));
  };
  // parsed: also at DOMContentLoaded (an open there is one after load, x706)
  var loaded = function (doc) { return !adopted && doc === d && doc.readyState !== 'loading' && !streaming; };
  // Another realm's Document methods called on a CRM window's document (a
  // blank helper frame's open.call(document), x519) run as that window's
  // own: its guard judges them.
  var viaOwn = function (doc, name, args) {
    var ow = doc && doc !== d && doc.nodeType === 9 && doc.defaultView;
    if (!ow || ow === w || !crm(ow) || !ow.__crmframe.docOps) return null;
    return [ow.__crmframe.docOps[name].apply(doc, args)];
  };
  DP.open = function () {
    var own = viaOwn(this, 'open', arguments);
    if (own) return own[0];
    // document.open(url, name, features) is window.open: retargeted there.
    if (arguments.length >= 3 && this === d) return w.open(arguments[0], arguments[1], arguments[2]);
    if (arguments.length < 3 && loaded(this)) {
      count('open-held');
      if (act) { held = true; return this; }
    }
    streaming = this === d;
    var r = dOpen.apply(this, arguments);
    if (this === d) rearm();
    return r;
  };
  // Written while the served page is parsed, <plaintext> (never closed) or
  // a comment left open turns the rest of the page into hidden text: the
  // "halt the parser" of a frame buster (Google's 2013 one, corpus 053;
  // x663, x664), and of legitimate capture and Markdown pages that rebuild
  // the page from that text (Mobify, md-page: x680-x685). Judged by the
  // outcome: when the page shows nothing 250 ms after it was parsed, the
  // swallowed rest is parsed into <body> (its scripts run), once.
  var SWALLOW = /<plaintext\b|<!--(?![\s\S]*-->)/i, halted = null;
  var haltParse = function () {
    halted = halted || { tail: '' };
    dWrite.call(d, '<plaintext hidden>');
  };
  // blankBut: the page shows nothing outside x (pageBlank's test)
  var blankBut = function (x) {
    var b = d.body, q, i, n;
    if (!b) return true;
    for (q = b.querySelectorAll(SEEN), i = 0; i < q.length; i++) if (!x.contains(q[i])) return false;
    for (var tw = d.createTreeWalker(b, 4); (n = tw.nextNode());) if (!x.contains(n) && !blank(n.data) && !/^(?:script|style|template|noscript)$/.test(n.parentNode.localName)) return false;
    return true;
  };
  var unhalt = function () {
    var h = halted, node = null, text = '', i, c;
    halted = null;
    if (!h || !d.body || typeof d.createTreeWalker !== 'function') return;
    for (var pt = d.getElementsByTagName('plaintext'), k = pt.length - 1; k >= 0 && !node; k--) if (!blank(pt[k].textContent)) { node = pt[k]; text = node.textContent; }
    if (!node) {
      // a comment that ran to the end of the document: the last one
      for (var tw = d.createTreeWalker(d, 128); (c = tw.nextNode());) node = c;
      if (!node || !/<\/?[a-z]/i.test(node.data)) return;
      text = node.data;
      if (h.tail && text.indexOf(h.tail) === 0) text = text.slice(h.tail.length);
    }
    if (!blankBut(node)) return;
    count('blank');
    if (!act) return;
    try {
      var r = d.createRange();
      r.selectNodeContents(d.body);
      var frag = r.createContextualFragment(text);
      if (node.parentNode) rawRemoveChild.call(node.parentNode, node);
      d.body.appendChild(frag);
    } catch (e) { /* the page as it is */ }
  };
  if (foreign && !adopted && d.readyState === 'loading') w.addEventListener('DOMContentLoaded', function () { if (halted) setTimeout(unhalt, 250); });
  var writer = function (fn, name) {
    return function () {
      var args = arguments, own = viaOwn(this, name, args);
      if (own) return own[0];
      if (this === d) {
        var all = Array.prototype.join.call(args, ''), fixed = swap(all, fixHTML);
        if (foreign && !adopted && !streaming && d.readyState === 'loading' && SWALLOW.test(fixed)) {
          var k = fixed.lastIndexOf('<!--');
          halted = halted || { tail: k >= 0 && fixed.indexOf('-->', k) < 0 ? fixed.slice(k + 4) : '' };
        }
        // objects are written as the text judged here, not converted again
        if (fixed !== all || Array.prototype.some.call(args, function (x) { return typeof x !== 'string'; })) args = [fixed];
      }
      // the browser ignores an external script's write on a parsed
      // document (async, deferred: an ad tag): so do we, blank or not
      var cs = this === d && !held && loaded(this) && d.currentScript;
      if (cs && cs.src) return fn.apply(this, args);
      if (this === d && (held || loaded(this))) {
        var text = Array.prototype.join.call(args, '');
        // Kept back while what was written shows nothing; written (with
        // what came before) once something visible follows, so a document
        // written in pieces keeps its head.
        if (blankDoc(heldText + text)) {
          count('blank');
          if (act) { held = true; heldText += text; return; }
        }
        if (held) {
          held = false; streaming = true; dOpen.call(this); rearm();
          if (heldText) { args = [heldText + text]; heldText = ''; }
        }
      }
      if (this === d && !streaming && d.readyState !== 'loading') {
        // A parsed document: write() opens it first, and the written
        // scripts would run without our listeners (x705). An empty write
        // makes that open (or is ignored where the browser ignores this
        // write: a module's) and they are put back.
        var de = d.documentElement, rs = d.readyState;
        dWrite.call(d, '');
        if (d.documentElement !== de || d.readyState !== rs) { streaming = true; rearm(); }
      }
      var r = fn.apply(this, args);
      if (this === d) adoptAll(Array.prototype.join.call(args, ''), d);
      return r;
    };
  };
  DP.write = writer(dWrite, 'write');
  DP.writeln = writer(dWriteln, 'writeln');
  // A held open that is closed with nothing visible written is a reset
  // (document.open(); document.close(); then DOM calls build the new view,
  // x321): the page is emptied the DOM way, an empty html/head/body, so that
  // it falls under the blanking guard above (the old page comes back if
  // nothing was built 250 ms later).
  var resetDoc = function () {
    var old = d.documentElement;
    if (!old) return;
    var restore = before(old);
    var html = d.createElement('html');
    html.appendChild(d.createElement('head'));
    html.appendChild(d.createElement('body'));
    rawReplaceWith.call(old, html);
    if (restore && pageBlank()) recheck(restore);
  };
  DP.close = function () {
    var own = viaOwn(this, 'close', arguments);
    if (own) return own[0];
    if (this === d && held) {
      held = false; heldText = '';
      try { resetDoc(); } catch (e) { /* keep the page */ }
      return;
    }
    if (this === d) streaming = false;
    return dClose.apply(this, arguments);
  };
  def(api, 'docOps', { value: Object.freeze({ open: DP.open, write: DP.write, writeln: DP.writeln, close: DP.close }) });

  // --- hide-by-default safety net ----------------------------------------
  // 250 ms after load: html/body hidden by a stylesheet, or inline after
  // load, are shown (an inline hide already there at load is a loading
  // screen's, the page's own business). From
  // then on (late), any hide of html/body is lifted the same way, 250 ms
  // after it happened, also an inline one (!important, the hidden
  // attribute, content-visibility, an adopted stylesheet).
  // Only at the CRM root: a nested CRM frame hiding its own body (a
  // collapsed chat widget, x325; a drawer its stylesheet keeps hidden until
  // it is opened, x372) does what it would do unframed.
  var late = false, pending = 0, fought = false, quick = 0, atLoad = {};
  var micro = typeof w.queueMicrotask === 'function' ? w.queueMicrotask.bind(w) : function (f) { setTimeout(f, 0); };
  var SHOWN = { display: 'block', visibility: 'visible', opacity: '1' };
  var hides = function (p, v) { return p === 'display' ? v === 'none' : p === 'visibility' ? v === 'hidden' : v !== '' && v != null && parseFloat(v) === 0; };
  // natural(el, p): what the page's stylesheets give p, its inline value
  // aside (a flex body stays flex), else the shown default. The inline
  // style is put back through cssText (CSSOM: a CSP without
  // 'unsafe-inline' would refuse a style attribute set by script).
  var natural = function (el, p) {
    var s = el.style, v = SHOWN[p];
    if (!s.getPropertyValue || !s.getPropertyValue(p)) return v;
    var text = s.cssText;
    try { s.removeProperty(p); var cv = w.getComputedStyle(el)[p]; if (!hides(p, cv)) v = cv; } finally { s.cssText = text; }
    return v;
  };
  // An inline hide the page set itself (not !important) is overruled by a
  // rule of our own adopted stylesheet, not by writing the page's style:
  // body.style.display still reads what the page set (a toggle reading it
  // would invert, x327), and once the page writes it again the rule goes
  // (relax).
  var netSheet = null, netRules = {}, rawReplaceSync = null, ass = null, coverCSS = '', shadowSheet = null;
  var NOT = ':not(#crmframe-net)', SEL = { html: ':root' + NOT + NOT + NOT, body: ':root' + NOT + NOT + NOT + ' > body' + NOT };
  SEL.any = SEL.html + ',' + SEL.html + ' *'; // every element (the ink rules, below)
  var writeNet = function () {
    var t = '';
    for (var k in netRules) { var kp = k.split(' '), ps = kp[0].split('::'); t += SEL[ps[0]] + (ps[1] ? '::' + ps[1] : '') + '{' + kp[1] + ':' + netRules[k] + ' !important}'; }
    rawReplaceSync.call(netSheet, t + coverCSS);
  };
  var useNet = function () {
    if (!netSheet) netSheet = new w.CSSStyleSheet();
    writeNet();
    var list = ass.get.call(d);
    if (Array.prototype.indexOf.call(list, netSheet) < 0) ass.set.call(d, Array.prototype.slice.call(list).concat([netSheet]));
  };
  var netOK = function () { return !!(ass && ass.set && rawReplaceSync && typeof w.CSSStyleSheet === 'function'); };
  var sheetRule = function (el, p, v) {
    if (!netOK() || !SEL[el.localName]) return false;
    try {
      netRules[el.localName + ' ' + p] = v;
      useNet();
      return !hides(p, w.getComputedStyle(el)[p]);
    } catch (e) { return false; }
  };
  var relax = function () {
    var changed = false;
    for (var k in netRules) {
      var kp = k.split(' '), el = kp[0] === 'html' ? d.documentElement : d.body;
      // unOff's stays until the page changes class or style of html/body
      // itself (its next view sliding in, x528); a later look judges again
      if (kp[1] === 'all') { if (allMark === marks()) continue; delete netRules[k]; changed = true; geoSeen = 0; continue; }
      if (kp[0].indexOf('::') > 0 || /color$/.test(kp[1]) || kp[0] === 'any') continue; // covers', colours' (below) and ink's (inkCheck): stay
      if (!el || !hides(kp[1], el.style[kp[1]])) { delete netRules[k]; changed = true; }
    }
    if (changed) try { writeNet(); } catch (e) { /* the rule stays */ }
    // covers: the rule goes once the pseudo-element covers no more (a boot
    // curtain that becomes a translucent scrim, x587)
    Object.keys(netRules).forEach(function (k) {
      var m = /^(html|body)(::\w+) display$/.exec(k), el = m && (m[1] === 'html' ? d.documentElement : d.body);
      if (!m) return;
      delete netRules[k];
      try { writeNet(); if (el && coverPseudo(el, m[2])) { netRules[k] = 'none'; writeNet(); } } catch (e) { /* as it is */ }
    });
    // transparent text: the rules go once the page's own colour shows
    ['html', 'body'].forEach(function (n) {
      var k = n + ' color', f = n + ' -webkit-text-fill-color', el = n === 'html' ? d.documentElement : d.body;
      if (!(k in netRules)) return;
      delete netRules[k]; delete netRules[f];
      try { writeNet(); if (el && clearText(el)) { netRules[k] = netRules[f] = 'revert'; writeNet(); } } catch (e) { /* as it is */ }
    });
  };
  var lift = function (el, p) {
    var s = el.style, v = natural(el, p);
    var pageOwn = hides(p, s[p]) && !(s.getPropertyPriority && s.getPropertyPriority(p));
    if (!pageOwn || !sheetRule(el, p, v)) s.setProperty(p, v, 'important');
  };
  // gone: clipped away or transformed out of sight (x356, x357): a
  // clip-path, or a transform that leaves a laid-out box no area or puts it
  // outside the viewport. A transform that keeps it in view (a zoom) stays.
  var gone = function (el, cs) {
    // by geometry: a rounded window shows its text; a circle reveal
    // running to its end is judged when it ends (x530)
    if (cs.clipPath && cs.clipPath !== 'none' && (typeof d.elementFromPoint !== 'function' || offView())) {
      var f = fading(el, 'clipPath');
      if (f) setTimeout(reveal, f + 50);
      return !f;
    }
    var t = [cs.transform, cs.scale, cs.translate, cs.rotate].some(function (v) { return v && v !== 'none'; });
    if (!t || !el.offsetWidth || !el.offsetHeight) return false;
    var b = el.getBoundingClientRect();
    return b.width < 1 || b.height < 1 || b.right <= 0 || b.bottom <= 0 || b.left >= w.innerWidth || b.top >= w.innerHeight;
  };
  // Paint-level hides (pass 18, x540-x549): laid out, hit-tested, never
  // seen. A filter that flattens the page (opacity, brightness or contrast
  // near 0, a blur of 6px or more, an SVG filter of the page's own that
  // zeroes alpha or floods), a mask with nothing opaque in it, text whose
  // fill is transparent, a pseudo-element of html/body over the viewport.
  // Dark mode (invert), read-only grey (grayscale), a light blur and a
  // fading mask stay; so does a blur while a modal with text is open.
  var alpha = function (c) {
    if (c === 'transparent') return 0;
    // any colour function: the alpha after '/', or a legacy rgba()/hsla()'s fourth
    var m = /^[a-z-]+\((.*)\)$/.exec(c || ''), n = m && (m[1].indexOf('/') >= 0 ? m[1].split('/') : m[1].split(','));
    var a = n && (n.length > 3 || m[1].indexOf('/') >= 0) ? n[n.length - 1].trim() : '';
    return a ? parseFloat(a) * (/%$/.test(a) ? 0.01 : 1) : 1;
  };
  // Images of a computed background or mask list, for how opaque they are:
  // a gradient's colour stops (their mean, or for a mask their most opaque),
  // a url() image's mean alpha read off a small canvas (same-origin and
  // data: images; one that cannot be read counts as opaque). null: not
  // decoded yet, the net looks again when it is. Unknown syntax is opaque.
  var PAINT = '(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch|color)\\((?:[^()]|\\([^()]*\\))*\\)';
  var COLOR = new RegExp('\\b' + PAINT + '|\\btransparent\\b', 'g');
  var layers = function (v) {
    var out = [], depth = 0, q = '', s = 0;
    for (var i = 0; i < v.length; i++) {
      var ch = v.charAt(i);
      if (q) { if (ch === '\\') i++; else if (ch === q) q = ''; }
      else if (ch === '"' || ch === "'") q = ch;
      else if (ch === '(') depth++;
      else if (ch === ')') depth--;
      else if (ch === ',' && !depth) { out.push(v.slice(s, i).trim()); s = i + 1; }
    }
    out.push(v.slice(s).trim());
    return out;
  };
  var IMG0 = w.Image, CV = w.CanvasRenderingContext2D && w.CanvasRenderingContext2D.prototype;
  var getCtx = w.HTMLCanvasElement && w.HTMLCanvasElement.prototype.getContext, drawImg = CV && CV.drawImage, getData = CV && CV.getImageData;
  var urlSeen = Object.create(null), urlTaint = Object.create(null);
  var urlAlpha = function (u) {
    if (u in urlSeen) return urlSeen[u];
    if (typeof IMG0 !== 'function' || !getCtx || !drawImg || !getData) return 1;
    var img = new IMG0(), done = function (a) { urlSeen[u] = a; reveal(); };
    urlSeen[u] = null;
    img.onload = function () {
      var a = 1;
      try {
        var c = d.createElement('canvas'), g, px, t = 0, i;
        c.width = c.height = 24;
        g = RA(getCtx, c, ['2d']);
        if (img.naturalWidth && img.naturalHeight) {
          RA(drawImg, g, [img, 0, 0, 24, 24]);
          px = RA(getData, g, [0, 0, 24, 24]).data;
          for (i = 3; i < px.length; i += 4) t += px[i];
          a = t / (255 * 576);
        }
      } catch (e) { urlTaint[u] = 1; /* tainted (cross-origin): opaque */ }
      done(a);
    };
    img.onerror = function () { done(0); }; // the page's CSS cannot draw it either
    img.src = u;
    return null;
  };
  var imgAlpha = function (v, most) {
    if (v === 'none') return 0;
    var u = /^url\("((?:[^"\\]|\\.)*)"\)$/.exec(v), cs, t = 0, m = 0;
    // an in-page reference (a <mask>) is no image to load: as before, nothing opaque
    if (u && /#/.test(u[1]) && (u[1].charAt(0) === '#' || u[1].split('#')[0] === String(d.URL).split('#')[0])) return 0;
    if (u) return urlAlpha(u[1].replace(/\\(.)/g, '$1'));
    if (!/gradient\(/.test(v) || !(cs = v.match(COLOR))) return 1;
    cs.forEach(function (c) { var a = alpha(c); t += a; m = Math.max(m, a); });
    return most ? m : t / cs.length;
  };
  var svgHides = function (ref) {
    var id = /#([^"')]+)/.exec(ref), f = null, last = null;
    try { f = id && d.getElementById(decodeURIComponent(id[1])); } catch (e) { /* no such filter */ }
    if (!f || f.localName !== 'filter') return false;
    var ps = f.children || [];
    for (var i = 0; i < ps.length; i++) {
      var p = ps[i], n = p.localName, at = function (a, v) { var x = p.getAttribute(a); return x == null ? v : x; };
      last = n;
      if (n === 'feColorMatrix' && at('type', 'matrix') === 'matrix') {
        var v = at('values', '').trim().split(/[\s,]+/).map(parseFloat);
        if (v.length === 20 && v.slice(15).every(function (x) { return x === 0; })) return true;
      }
      var fa = n === 'feComponentTransfer' && p.querySelector && p.querySelector('feFuncA');
      if (fa) {
        var t = fa.getAttribute('type'), tv = (fa.getAttribute('tableValues') || '').trim().split(/[\s,]+/).map(parseFloat);
        if ((t === 'table' || t === 'discrete') && tv.every(function (x) { return x === 0; })) return true;
        if (t === 'linear' && parseFloat(fa.getAttribute('slope') || '1') === 0 && !(parseFloat(fa.getAttribute('intercept') || '0') > 0)) return true;
      }
    }
    return last === 'feFlood';
  };
  var filterHides = function (v) {
    var re = /([a-z-]+)\(((?:[^()]|\([^()]*\))*)\)/g, m;
    while (v && v !== 'none' && (m = re.exec(v))) {
      var a = m[2].trim(), n = parseFloat(a) * (/%$/.test(a) ? 0.01 : 1);
      if (/^(opacity|brightness|contrast)$/.test(m[1]) && n <= 0.05) return true;
      if (m[1] === 'blur' && n >= 6) return true;
      if (m[1] === 'url' && svgHides(a)) return true;
    }
    return false;
  };
  // a mask hides when every layer is (nearly) transparent: an oklch fade
  // (x572) or an SVG window shape (x573) shows the page
  var maskHides = function (cs) {
    var v = cs.maskImage && cs.maskImage !== 'none' ? cs.maskImage : cs.webkitMaskImage;
    if (!v || v === 'none') return false;
    return layers(v).every(function (l) { var a = imgAlpha(l, true); return a !== null && a <= 0.05; });
  };
  // any open top-layer element showing something: text, a frame, a control
  // or media (a card sheet holding only the vault's iframe, x576)
  var modalOpen = function () {
    var all = function (q) {
      try { return typeof d.querySelectorAll === 'function' ? Array.prototype.slice.call(d.querySelectorAll(q)) : [d.querySelector(q)]; } catch (e) { return []; }
    };
    // legit24: a <dialog> or popover in a component's shadow tree (x852)
    var inRoots = [];
    eachRoot(function (r) { try { inRoots.push.apply(inRoots, r.querySelectorAll(':modal, :popover-open')); } catch (e) { /* the next */ } });
    return all(':modal').concat(all(':popover-open'), [d.fullscreenElement], inRoots).some(function (m) {
      try { return !!m && (!blank(m.textContent || '') || typeof m.matches === 'function' && m.matches(SHOWS) || !!(m.querySelector && m.querySelector(SHOWS))); } catch (e) { return false; }
    });
  };
  var clearText = function (el) {
    try {
      var cs = w.getComputedStyle(el), c = cs.webkitTextFillColor || cs.color;
      return alpha(c) <= 0.05 && (!cs.textShadow || cs.textShadow === 'none') && !(parseFloat(cs.webkitTextStrokeWidth) > 0);
    } catch (e) { return false; }
  };
  var coverPseudo = function (el, p) {
    var cs = w.getComputedStyle(el, p);
    if (!drawnCS(cs) || !/^(fixed|absolute)$/.test(cs.position)) return false;
    if (cs.visibility === 'hidden' || parseFloat(cs.opacity) < 0.5 || parseInt(cs.zIndex, 10) < 0) return false;
    // a spread shadow as large as the viewport covers it from any size
    var sh = /^(rgba?\([^)]*\)) -?[\d.]+px -?[\d.]+px [\d.]+px ([\d.]+)px/.exec(cs.boxShadow || '');
    if (sh && parseFloat(sh[2]) >= Math.max(w.innerWidth, w.innerHeight) && alpha(sh[1]) >= 0.5) return front(el, p);
    if (!(parseFloat(cs.width) >= 0.9 * w.innerWidth && parseFloat(cs.height) >= 0.9 * w.innerHeight)) return false;
    // the layers stack: colour and images together (a 7 % ink watermark
    // tile is no cover, x570); an image not decoded yet is judged when it is
    var t = 1 - alpha(cs.backgroundColor), ls = layers(cs.backgroundImage || 'none');
    for (var i = 0; i < ls.length; i++) { var a = imgAlpha(ls[i], false); if (a === null) return false; t *= 1 - a; }
    return (1 - t >= 0.5 || filterHides(cs.backdropFilter)) && front(el, p);
  };
  // front: the pseudo-element is painted over text of the page. For a
  // moment it takes pointer events (a watermark lets them through) and text
  // in view is hit-tested: what the browser finds there is what it paints
  // on top. A backdrop under a positioned app (x571) is found under all of
  // it. No text to judge, or no way to judge: it covers.
  var front = function (el, p) {
    if (typeof d.elementFromPoint !== 'function' || typeof d.createTreeWalker !== 'function' || !d.body || !netOK()) return true;
    var k = el.localName + p + ' pointer-events', tw = d.createTreeWalker(d.body, 4), r = d.createRange(), n, seen = 0, over = 0;
    var had = !!netSheet && Array.prototype.indexOf.call(ass.get.call(d), netSheet) >= 0;
    try {
      netRules[k] = 'auto';
      useNet();
      while ((n = tw.nextNode()) && seen < 60 && !over) {
        var te = n.parentNode, q = textBox(n, r);
        if (!q) continue;
        var at = hitAt(q);
        // text that takes no pointer events itself cannot be judged
        if (at === el && te !== el && noPointer(te)) continue;
        seen++;
        if (at === el) over++;
      }
    } finally {
      delete netRules[k];
      try {
        writeNet();
        // a sheet adopted only for this look goes again (detect mode, a kept backdrop)
        if (!had) ass.set.call(d, Array.prototype.filter.call(ass.get.call(d), function (x) { return x !== netSheet; }));
      } catch (e) { /* as it is */ }
    }
    return !seen || over > 0;
  };
  // offView: the page has text and none of it can be seen, by geometry
  // rather than by a list of properties: every text box is empty (font-size
  // 0, zoom), lies left of or above the document where no scrolling reaches
  // (a negative margin or offset: x431, x432), or is in view but clipped
  // there (elementFromPoint finds neither it nor its element: x441). Text
  // below the fold counts as seen (it can be scrolled to); text under a
  // cover that holds text of its own (a modal) is not judged.
  var HIDDEN_TEXT = /^(script|style|template|noscript|title|textarea|option)$/;
  // textBox: the first box of a text node of the page when it is in view
  // (null for blank text, text of a hidden element, text off view); hitAt:
  // what a click near the start of such a box would hit.
  // boxInView: a box of 2 px or more that lies in the viewport
  var boxInView = function (q) { return !!q && q.width >= 2 && q.height >= 2 && q.right > 0 && q.bottom > 0 && q.left < w.innerWidth && q.top < w.innerHeight; };
  var textBox = function (n, r) {
    var el = n.parentNode, q;
    if (blank(n.data) || !el || HIDDEN_TEXT.test(el.localName)) return null;
    r.selectNodeContents(n);
    q = r.getClientRects()[0];
    return boxInView(q) ? q : null;
  };
  var hitAt = function (q, deep) {
    var vh = w.innerHeight, x = Math.max(0, q.left) + Math.min(2, q.width / 2), y = Math.max(0, q.top) + Math.min(q.height, vh - Math.max(0, q.top)) / 2;
    var at = d.elementFromPoint(x, y), r, i, k;
    // deep (pass 30): into the shadow trees of the hosts hit (also closed
    // roots the shim keeps), where a cover answers for its host (x970)
    for (k = 0; deep && at && k < 8 && (r = shadowOf(at)) && typeof r.elementFromPoint === 'function' && (i = r.elementFromPoint(x, y)) && i !== at; k++) at = i;
    return at;
  };
  // a ::before/::after the page draws (computed style)
  var drawnCS = function (cs) { return !!cs && !!cs.content && cs.content !== 'none' && cs.content !== 'normal' && cs.display !== 'none'; };
  var noPointer = function (el) { try { return w.getComputedStyle(el).pointerEvents === 'none'; } catch (e) { return false; } };
  var offView = function () {
    var b = d.body, vw = w.innerWidth, vh = w.innerHeight;
    if (!b || !vw || !vh || typeof d.createTreeWalker !== 'function') return false;
    var tw = d.createTreeWalker(b, 4), r = d.createRange(), sx = w.scrollX || 0, sy = w.scrollY || 0, n, seen = 0;
    while ((n = tw.nextNode()) && seen < 400) {
      var el = n.parentNode;
      if (blank(n.data) || !el || HIDDEN_TEXT.test(el.localName)) continue;
      seen++;
      r.selectNodeContents(n);
      var rs = r.getClientRects();
      for (var i = 0; i < rs.length; i++) {
        var q = rs[i];
        if (q.width < 2 || q.height < 2 || q.right + sx <= 0 || q.bottom + sy <= 0) continue;
        if (q.left >= vw || q.top >= vh || q.right <= 0 || q.bottom <= 0) return false; // scrolled away: reachable
        var at = hitAt(q);
        if (at && (at === el || el.contains(at) || at.contains(el) && at !== b && at !== d.documentElement)) {
          if (clearText(el)) break; // in view, drawn in no colour
          return false;
        }
        // a hit test passes through text that takes no pointer events (a
        // body made pointer-events: none during a drag, x588): not judged
        if (noPointer(el)) { seen--; break; }
      }
    }
    return seen > 0;
  };
  // unOff: html and body lose their own declarations (all: revert, in the
  // net's stylesheet), kept only when that brings text into view; a cover or
  // a hidden wrapper is left alone.
  var unOff = function () {
    if (!netOK()) return false;
    try {
      var o = { 'html all': 'revert', 'body all': 'revert' }; // first: the display/visibility lifts still apply
      for (var k in netRules) if (!(k in o)) o[k] = netRules[k];
      netRules = o;
      useNet();
      if (!offView()) return true;
      delete netRules['html all']; delete netRules['body all'];
      writeNet();
    } catch (e) { /* leave it */ }
    return false;
  };
  // showing: el is hidden by visibility, but a descendant of its own is
  // visible again (visibility: visible) with a box in the viewport: a
  // privacy lock hiding the page but its unlock box (x417). The page shows
  // content of its own, which stays, as a real replacement does for the
  // blanking guard (a buster's visible message then stays too). A walk of
  // at most 2000 elements, display: none subtrees skipped; then lift.
  var showing = function (el) {
    if (typeof d.createTreeWalker !== 'function') return false;
    var k = 0, vw = w.innerWidth, vh = w.innerHeight, n;
    var tw = d.createTreeWalker(el, 1, { acceptNode: function (x) {
      if (++k > 2000) return 2; // FILTER_REJECT
      var cs = w.getComputedStyle(x);
      return cs.display === 'none' ? 2 : cs.visibility === 'visible' ? 1 : 3; // FILTER_ACCEPT, FILTER_SKIP
    } });
    while ((n = tw.nextNode())) {
      if (typeof n.checkVisibility === 'function' && !n.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
      var q = n.getBoundingClientRect();
      if (q.width >= 2 && q.height >= 2 && q.right > 0 && q.bottom > 0 && q.left < vw && q.top < vh) return true;
    }
    return false;
  };
  // besideBody: <html> shows a child of its own besides head and body, in
  // view, with text or a control: a lock screen over a hidden body (x527),
  // kept as showing() keeps a visibility lock.
  var besideBody = function () {
    var h = d.documentElement, vw = w.innerWidth, vh = w.innerHeight;
    for (var c = h && h.firstElementChild; c; c = c.nextElementSibling) {
      if (c === d.body || UNSEEN.test(c.localName) || c.localName === 'head' || c.localName === 'body') continue;
      var q = c.getBoundingClientRect();
      if (q.width < 2 || q.height < 2 || q.right <= 0 || q.bottom <= 0 || q.left >= vw || q.top >= vh) continue;
      if (typeof c.checkVisibility === 'function' && !c.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
      if (!blank(c.innerText) || c.querySelector(SHOWS) || shadowShows(c)) return true;
    }
    return false;
  };
  // fading: el's opacity 0 (or clip-path) comes from a CSS animation or
  // transition that ends within 5 s, for opacity at a shown value (a
  // delayed fade-in, x531): the ms left, else 0. One such wait at a time,
  // not again within 10 s of the last (a page restarting its fade cannot
  // stay hidden).
  var fadeEnd = 0;
  var fading = function (el, p) {
    var list = typeof el.getAnimations === 'function' ? el.getAnimations() : [], now = Date.now();
    if (now > fadeEnd && now < fadeEnd + 10000) return 0;
    for (var i = 0; i < list.length; i++) {
      var a = list[i], e = a.effect;
      if (!(w.CSSAnimation && a instanceof w.CSSAnimation || w.CSSTransition && a instanceof w.CSSTransition) || !e || e.pseudoElement || a.playState !== 'running' || a.playbackRate !== 1) continue;
      var t = e.getComputedTiming(), kf = e.getKeyframes(), last = kf.length ? kf[kf.length - 1][p] : null;
      var left = t.endTime - (t.localTime || 0);
      if (last == null || p === 'opacity' && hides(p, last) || !(left > 0 && left <= 5000)) continue;
      if (now > fadeEnd) fadeEnd = now + left;
      return fadeEnd > now ? fadeEnd - now : 0;
    }
    return 0;
  };
  // hidden by the rules above (lifted, or left: a loading screen's)
  var shown = function (el) {
    var cs = w.getComputedStyle(el);
    return !hides('display', cs.display) && !hides('visibility', cs.visibility) && !hides('opacity', cs.opacity) && cs.contentVisibility !== 'hidden';
  };
  var geoHidden = function () {
    var h = d.documentElement, b = d.body;
    return root && !adopted && b && !netRules['html all'] && shown(h) && shown(b) && offView();
  };
  // The geometric lift needs two looks 250 ms apart (a page sliding its
  // body out while the next view loads, x528, is off view for a moment).
  var geoSeen = 0, allMark = null;
  var marks = function () {
    var h = d.documentElement, b = d.body, t = '';
    [h, b].forEach(function (el) { if (el) t += el.className + '|' + el.getAttribute('style') + '|'; });
    return t;
  };
  var reveal = function () {
    reveal1();
    if (geoHidden()) {
      if (!act) count('unhide');
      else if (!geoSeen) { geoSeen = 1; setTimeout(function () { if (geoSeen) geoSeen = 2; reveal(); }, 250); }
      else if (geoSeen === 2 && unOff()) { count('unhide'); fought = true; }
    } else if (!netRules['html all']) geoSeen = 0;
    allMark = marks();
  };
  var reveal1 = function () {
    [d.documentElement, d.body].forEach(function (el) {
      if (!el) return;
      var cs = w.getComputedStyle(el), s = el.style, hit = false;
      var own = function (p, v) { return !late && s[p] === v && (!root || atLoad[el.localName + ' ' + p] === v); };
      ['display', 'visibility', 'opacity'].forEach(function (p) {
        if (!hides(p, cs[p]) || own(p, p === 'opacity' ? '0' : cs[p]) || p === 'visibility' && showing(el) || el === d.body && besideBody()) return;
        var f = p === 'opacity' && fading(el, p);
        if (f) { setTimeout(reveal, f + 50); return; }
        if (rendering(el, p)) return;
        hit = true;
        if (act) lift(el, p);
      });
      if (late && cs.contentVisibility === 'hidden') { hit = true; if (act) s.setProperty('content-visibility', 'visible', 'important'); }
      if ((late || root) && gone(el, cs)) { hit = true; if (act) ['clip-path', 'transform', 'scale', 'translate', 'rotate'].forEach(function (p) { s.setProperty(p, 'none', 'important'); }); }
      if ((late || root) && filterHides(cs.filter) && !modalOpen()) { hit = true; if (act) s.setProperty('filter', 'none', 'important'); }
      if ((late || root) && clearText(el) && netOK()) {
        hit = true;
        if (act) try { netRules[el.localName + ' color'] = netRules[el.localName + ' -webkit-text-fill-color'] = 'revert'; useNet(); } catch (e) { /* stays */ }
      }
      if ((late || root) && maskHides(cs)) { hit = true; if (act) ['mask-image', '-webkit-mask-image'].forEach(function (p) { s.setProperty(p, 'none', 'important'); }); }
      if (late || root) ['::before', '::after'].forEach(function (p) {
        if (!coverPseudo(el, p) || curtain(el, p)) return;
        hit = true;
        if (act && netOK()) try { netRules[el.localName + p + ' display'] = 'none'; useNet(); } catch (e) { /* the cover stays */ }
      });
      if (hit) { count('unhide'); fought = fought || act; }
    });
  };
  // A route swap hides html/body inline while it renders the next view
  // (x727: body opacity 0 for 450 ms). A hide set inline by the page after
  // load (not !important) while it changes the DOM under <body> (since the
  // hide, the last change within QUIET ms) is left for RENDER ms. Not once
  // the net lifted a hide (a page hiding again is a guard), nor again before
  // the page showed itself GAP ms (a guard flashing its view between hides).
  var RENDER = 1500, QUIET = 1000, GAP = 2000, domAt = 0, hideAt = 0, shownAt = -Infinity, renderT = 0;
  var inlineHides = function (el) {
    var s = el && el.style;
    return !!s && ['display', 'visibility', 'opacity'].some(function (p) { return hides(p, s[p]) && !(s.getPropertyPriority && s.getPropertyPriority(p)); });
  };
  var noteHide = function () {
    var on = inlineHides(d.documentElement) || inlineHides(d.body), now = Date.now();
    if (on && !hideAt) hideAt = now;
    else if (!on && hideAt) { hideAt = 0; shownAt = now; }
  };
  var noteDom = function (recs) {
    var seen = function (n) { return n.nodeType === 3 || n.nodeType === 1 && !UNSEEN.test(n.localName); };
    for (var i = 0; i < recs.length; i++) {
      var r = recs[i], a = r.addedNodes || [], g = r.removedNodes || [], k;
      if (r.type === 'characterData') { domAt = Date.now(); return; }
      for (k = 0; k < a.length; k++) if (seen(a[k])) { domAt = Date.now(); return; }
      for (k = 0; k < g.length; k++) if (seen(g[k])) { domAt = Date.now(); return; }
    }
  };
  var rendering = function (el, p) {
    var s = el.style, now = Date.now();
    if (!hideAt || fought || !hides(p, s[p]) || s.getPropertyPriority && s.getPropertyPriority(p)) return false;
    // 20 ms: the two observers' callbacks of one task (hide, then render) come in either order
    if (hideAt - shownAt < GAP || !(domAt >= hideAt - 20) || now - domAt > QUIET || now - hideAt >= RENDER) return false;
    if (!renderT) renderT = setTimeout(function () { renderT = 0; reveal(); }, 250);
    return true;
  };
  // A pseudo-element already drawn at load is a boot curtain (x587): it is
  // left for 2 s after load, then judged like any cover.
  var loadAt = 0, curtainT = 0;
  var drawn = function (el, p) { return drawnCS(w.getComputedStyle(el, p)); };
  var curtain = function (el, p) {
    var left = loadAt + 2000 - Date.now();
    if (!atLoad[el.localName + p] || !(left > 0)) return false;
    if (!curtainT) curtainT = setTimeout(function () { curtainT = 0; reveal(); }, left + 50);
    return true;
  };
  // Covers that take no clicks (pass 19b, x548-x567): an element with
  // pointer-events: none that paints over most of the viewport hides the
  // page while elementFromPoint, and every click, goes through it — a 1px
  // box whose box-shadow, outline or border spans the viewport, an opaque
  // background, canvas or ::backdrop, a backdrop-filter that flattens what
  // is behind it (canvas, img and video by their pixels, when readable).
  // Elements that take clicks are a modal's business (Limits).
  // Only cheap candidates are judged, at each 250 ms look: children of
  // <html> and <body> (the first 8 and last 24), nodes the page inserted
  // through the hooked methods since the last look (64 at most, each with
  // its first 32 elements), elements it put in the top layer, and last
  // look's suspects. One seen at two looks in a row is hidden by the net
  // (visibility, ::backdrop display). A dim, a watermark, a glass bar, a
  // fading gradient, a backdrop layer stay: below 0.85 alpha, under half
  // the viewport, or under the page's text (over, below).
  var OPAQUE = 0.85, fresh = [], freshN = 0, topLayer = [], coverPrev = [], coverHit = [], scratch = null;
  coverNote = function (args) {
    if (!root || adopted) return; // the look runs at the CRM root only
    for (var i = 0; i < args.length; i++) {
      var x = args[i];
      if (!x || x.nodeType !== 1 && x.nodeType !== 11) continue;
      // a fragment: its first 8 elements
      for (var k = 0, y = x.nodeType === 11 ? x.firstElementChild : x; y && k < 8; k++, y = x.nodeType === 11 ? y.nextElementSibling : null) {
        // the first 32 and the last 32 of a look's insertions
        if (fresh.length < 64) fresh.push(y); else fresh[32 + freshN++ % 32] = y;
      }
    }
  };
  var noteTop = function (el) { if (root && topLayer.indexOf(el) < 0 && topLayer.length < 64) topLayer.push(el); };
  var solidGrad = function (v) {
    if (!v || v === 'none' || /url\(/.test(v)) return false;
    var cols = v.match(COLOR) || [];
    return cols.length > 0 && cols.every(function (c) { return alpha(c) >= OPAQUE; });
  };
  // canvasSolid: a canvas, image or video frame drawn opaque, read back
  // scaled to 4x4 on a canvas of our own (no context is made on the page's
  // canvas; a cross-origin picture taints ours and says no)
  var canvasSolid = function (c) {
    try {
      if (!(c.videoWidth || c.naturalWidth || c.width) || !(c.videoHeight || c.naturalHeight || c.height)) return false;
      if (!scratch) { scratch = d.createElement('canvas'); scratch.width = scratch.height = 4; }
      var g = scratch.getContext('2d', { willReadFrequently: true });
      g.clearRect(0, 0, 4, 4);
      g.drawImage(c, 0, 0, 4, 4);
      var px = g.getImageData(0, 0, 4, 4).data;
      for (var i = 3; i < px.length; i += 4) if (px[i] < OPAQUE * 255) return false;
      return true;
    } catch (e) { return false; }
  };
  var inTop = function (el) { try { return el.matches(':popover-open, :modal'); } catch (e) { return false; } };
  // a top-layer element showing nothing: no text, picture, control,
  // generated text or shadow content, no boxes drawn in view inside it
  var topBlank = function (el) {
    if (!blank(el.textContent) || el.matches(SHOWS) || el.querySelector(SHOWS) || shadowShows(el) || layerText(el)) return false;
    return !drawnBoxes(el, w.getComputedStyle(el), el.getBoundingClientRect());
  };
  // a <video> showing no frame yet shows its poster (x630)
  var posterSolid = function (v) {
    var a = v.localName === 'video' && v.readyState < 2 && v.poster ? urlAlpha(v.poster) : null;
    return a !== null && a >= OPAQUE && !urlTaint[v.poster];
  };
  // an element's url() background that reads back opaque (x623); one no
  // canvas can read (cross-origin) may be a watermark tile: not judged
  var urlSolid = function (v, op) {
    if (!v || v.indexOf('url(') < 0) return false;
    return layers(v).some(function (l) {
      var u = /^url\("((?:[^"\\]|\\.)*)"\)$/.exec(l), a = u ? imgAlpha(l, false) : null;
      return a !== null && a * op >= OPAQUE && !urlTaint[u[1].replace(/\\(.)/g, '$1')];
    });
  };
  var SVGNS = 'http://www.w3.org/2000/svg';
  // paneSeen: a candidate of the last look that takes pointer events, is
  // positioned and shows little (a transparent pane): the use net's dead
  // walk runs then (read here, with the style the cover watch reads anyway)
  var paneSeen = false;
  var positioned = function (cs) { return !!cs && /^(fixed|absolute)$/.test(cs.position) && cs.pointerEvents !== 'none' && cs.display !== 'none'; };
  var coverOf = function (el) {
    var vw = w.innerWidth, vh = w.innerHeight, all = vw * vh;
    if (!all || !el || el.nodeType !== 1 || el === d.body || el === d.documentElement || !el.isConnected) return false;
    var cs = w.getComputedStyle(el);
    if (!paneSeen && positioned(cs) && (parseFloat(cs.opacity) <= 0.05 || alpha(cs.backgroundColor) <= 0.05 && cs.backgroundImage === 'none' && blank(el.textContent))) paneSeen = true;
    if (cs.display === 'none' || cs.visibility !== 'visible') return false;
    // one taking clicks is a modal's business, unless it is in the top
    // layer (heard of: its call or toggle event) and shows nothing at all
    // (pass 30: a blank popover, an empty modal off-screen over an opaque
    // ::backdrop, x973-x975)
    var clicks = cs.pointerEvents !== 'none';
    if (clicks && topLayer.indexOf(el) < 0 && el.localName !== 'dialog') return false;
    var top = (topLayer.indexOf(el) >= 0 || el.localName === 'dialog' || el.hasAttribute('popover')) && inTop(el);
    if (clicks && !(top && topBlank(el))) return false;
    var q = el.getBoundingClientRect(), area = function (l, t, r, b) { var x = Math.min(r, vw) - Math.max(l, 0), y = Math.min(b, vh) - Math.max(t, 0); return x > 0 && y > 0 ? x * y : 0; };
    var box = area(q.left, q.top, q.right, q.bottom), fill = 0, ring = 0, shade = 0;
    // most candidates end here: a small box painting nothing around it
    if (!top && box < 0.5 * all && cs.boxShadow === 'none' && cs.outlineStyle === 'none' && !/drop-shadow/.test(cs.filter) &&
      !(parseFloat(cs.borderTopWidth) + parseFloat(cs.borderBottomWidth) + parseFloat(cs.borderLeftWidth) + parseFloat(cs.borderRightWidth) >= 8)) return false;
    if (top) {
      var bd = w.getComputedStyle(el, '::backdrop');
      if (bd && bd.display !== 'none' && (alpha(bd.backgroundColor) >= OPAQUE || solidGrad(bd.backgroundImage) || filterHides(bd.backdropFilter))) return 1;
    }
    if (!top && parseInt(cs.zIndex, 10) < 0) return false; // behind the page
    // opacity of the element and, out of the top layer, its ancestors
    var op = 1;
    for (var a = el; a && a !== d.documentElement; a = top ? null : a.parentElement) {
      op *= parseFloat(w.getComputedStyle(a).opacity);
      if (!(op >= OPAQUE)) return false;
    }
    var solid = function (c) { return alpha(c) * op >= OPAQUE; };
    // a static block's background, border and shadow paint under the
    // page's text; its outline, and a positioned box, over it
    // an SVG shape paints over the page as its <svg> does (over() asks)
    var shape = el.namespaceURI === SVGNS && el.localName !== 'svg';
    var stacked = top || shape || cs.position !== 'static' || cs.zIndex !== 'auto' || op < 1 || cs.transform !== 'none' || cs.filter !== 'none';
    if (/^(canvas|img|video)$/.test(el.localName) && box >= 0.5 * all && (canvasSolid(el) || posterSolid(el))) return top ? 1 : 2;
    if (shape) { if (!/url\(/.test(cs.fill) && alpha(cs.fill) * parseFloat(cs.fillOpacity) * op >= OPAQUE) fill = box; }
    else if (stacked) {
      if (solid(cs.backgroundColor) || solidGrad(cs.backgroundImage) || urlSolid(cs.backgroundImage, op) || filterHides(cs.backdropFilter)) fill = box;
      else {
        var bw = function (s) { var st = cs['border' + s + 'Style']; return st !== 'none' && st !== 'hidden' && solid(cs['border' + s + 'Color']) ? parseFloat(cs['border' + s + 'Width']) || 0 : 0; };
        var T = bw('Top'), B = bw('Bottom'), L = bw('Left'), R = bw('Right');
        ring = area(q.left, q.top, q.right, q.top + T) + area(q.left, q.bottom - B, q.right, q.bottom) +
          area(q.left, q.top + T, q.left + L, q.bottom - B) + area(q.right - R, q.top + T, q.right, q.bottom - B);
      }
      // shadows: an outer one paints around the box, not under it
      var re = new RegExp('(' + PAINT + '|[a-z]+)\\s+(-?[\\d.]+)px\\s+(-?[\\d.]+)px\\s+([\\d.]+)px\\s+(-?[\\d.]+)px(\\s+inset)?', 'g'), m;
      while ((m = re.exec(cs.boxShadow || ''))) {
        if (!solid(m[1])) continue;
        var sx = parseFloat(m[2]), sy = parseFloat(m[3]), sp = parseFloat(m[5]);
        if (m[6]) { if (2 * sp >= Math.min(q.width, q.height)) fill = box; continue; }
        var l = q.left + sx - sp, t = q.top + sy - sp, r = q.right + sx + sp, b = q.bottom + sy + sp;
        shade = Math.max(shade, area(l, t, r, b) - area(Math.max(l, q.left), Math.max(t, q.top), Math.min(r, q.right), Math.min(b, q.bottom)));
      }
      // a drop-shadow filter paints a copy of an opaque box where it is
      // offset to, also from out of view (x625)
      var dre = new RegExp('drop-shadow\\((' + PAINT + '|[a-z]+)\\s+(-?[\\d.]+)px\\s+(-?[\\d.]+)px', 'g');
      while ((m = dre.exec(cs.filter || ''))) {
        if (!solid(m[1]) || !(solid(cs.backgroundColor) || solidGrad(cs.backgroundImage))) continue;
        var dx = parseFloat(m[2]), dy = parseFloat(m[3]);
        shade = Math.max(shade, area(q.left + dx, q.top + dy, q.right + dx, q.bottom + dy) - area(Math.max(q.left, q.left + dx), Math.max(q.top, q.top + dy), Math.min(q.right, q.right + dx), Math.min(q.bottom, q.bottom + dy)));
      }
    }
    if (cs.outlineStyle && cs.outlineStyle !== 'none' && solid(cs.outlineColor)) {
      var ow = parseFloat(cs.outlineWidth) || 0, oo = parseFloat(cs.outlineOffset) || 0;
      ring += area(q.left - oo - ow, q.top - oo - ow, q.right + oo + ow, q.bottom + oo + ow) - area(q.left - oo, q.top - oo, q.right + oo, q.bottom + oo);
    }
    // 1: a cover; 2: one if it is above the page's text (over, below)
    ring += shade;
    return ring >= 0.5 * all ? 1 : fill + ring >= 0.5 * all ? top ? 1 : 2 : 0;
  };
  // over: a cover painting its own box is above the page's text: with
  // pointer events on it for a moment (inline, put back at once),
  // elementsFromPoint at every text in view under its box (of the first
  // 400 text nodes) lists it above one of them, or no text is found there.
  // A background layer the page's content is positioned over (a hero
  // video, a fixed backdrop at z-index 0) is listed below them all and
  // stays; that answer is kept while its stacking is (asked once).
  var belowSeen = typeof w.WeakMap === 'function' ? new w.WeakMap() : null;
  // content the text walk does not read: a frame, a plugin, a shadow host
  // (open, or a custom element's), a control
  var opaqueBox = function (e) { return /^(iframe|embed|object|frame|input|select|textarea|button)$/.test(e.localName) || !!shadowOf(e) || e.localName.indexOf('-') > 0; };
  var over = function (el) {
    if (typeof d.elementsFromPoint !== 'function' || typeof d.createTreeWalker !== 'function' || !d.body) return true;
    var cs = w.getComputedStyle(el), key = cs.zIndex + '|' + cs.position + '|' + cs.transform;
    var q = el.getBoundingClientRect(), vw = w.innerWidth, vh = w.innerHeight, pts = [], k = 0, n;
    // seen below the text, or over nothing while its box stays where it was
    var seen = belowSeen && belowSeen.get(el), box = '|' + [q.left, q.top, q.width, q.height].join();
    if (seen === key || seen === key + box) return false;
    var tw = d.createTreeWalker(d.body, 4), rg = d.createRange();
    while (k++ < 400 && (n = tw.nextNode())) {
      var p = n.parentNode;
      if (blank(n.data) || !p || HIDDEN_TEXT.test(p.localName) || el.contains(p)) continue;
      rg.selectNodeContents(n);
      var b = rg.getClientRects()[0];
      if (!b || b.width < 2 || b.height < 2) continue;
      var x = b.left + Math.min(2, b.width / 2), y = b.top + b.height / 2;
      if (x >= 0 && y >= 0 && x < vw && y < vh && x >= q.left && x < q.right && y >= q.top && y < q.bottom) pts.push([x, y, p]);
    }
    // No text of the light DOM lies under it: what it can hide is content
    // the walk does not read, a frame's or a shadow root's (nine points of
    // its box); over nothing but wrappers it hides nothing (a picture, a
    // map layer, a backdrop: x640-x644).
    var noText = !pts.length, l0 = Math.max(q.left, 0), t0 = Math.max(q.top, 0), gx, gy;
    if (noText) for (gx = 0; gx < 3; gx++) for (gy = 0; gy < 3; gy++) pts.push([l0 + (gx + 0.5) * (Math.min(q.right, vw) - l0) / 3, t0 + (gy + 0.5) * (Math.min(q.bottom, vh) - t0) / 3, null]);
    var s = el.style, was = s.getPropertyValue('pointer-events'), pri = s.getPropertyPriority('pointer-events'), on = 0, under = 0;
    // a cover in a shadow tree is hit-tested in its tree (pass 30, x971):
    // the document's answer is its host, which holds the text too
    var sc = treeOf(el);
    if (!sc || typeof sc.elementsFromPoint !== 'function') sc = d;
    try {
      s.setProperty('pointer-events', 'auto', 'important');
      for (var j = 0; j < pts.length && !on; j++) { // one text under it is enough
        var list = sc.elementsFromPoint(pts[j][0], pts[j][1]) || [];
        for (var i = 0; i < list.length; i++) {
          var e = list[i];
          if (noText) {
            if (e === el || el.contains(e)) { if (list.slice(i + 1).some(function (x) { return opaqueBox(x) && !x.contains(el); })) on++; break; }
            if (opaqueBox(e) && !e.contains(el)) { under++; break; }
            continue;
          }
          if (e === el || el.contains(e)) { on++; break; }
          if ((e === pts[j][2] || e.contains(pts[j][2])) && !e.contains(el)) { under++; break; }
        }
      }
    } finally {
      if (was) s.setProperty('pointer-events', was, pri); else s.removeProperty('pointer-events');
    }
    if (under && !on) { if (belowSeen) belowSeen.set(el, key); return false; }
    if (noText && !on) { if (belowSeen) belowSeen.set(el, key + box); return false; }
    return true;
  };
  var hideCover = function (el) {
    if (coverHit.indexOf(el) < 0) { coverHit.push(el); if (coverHit.length > 16) coverHit.shift(); } else if (!act) return;
    count('unhide');
    fought = fought || act;
    if (!act) return;
    try {
      el.setAttribute('data-crmframe-cover', '');
      if (!coverCSS) coverCSS = '[data-crmframe-cover]{visibility:hidden !important}[data-crmframe-cover]::backdrop{display:none !important}';
      if (netOK()) useNet();
      // in a shadow tree the document's rule does not apply: the root
      // adopts a sheet holding it (its ::backdrop too, pass 30)
      var sr = treeOf(el);
      if (sr && netOK()) {
        if (!shadowSheet) { shadowSheet = new w.CSSStyleSheet(); rawReplaceSync.call(shadowSheet, coverCSS); }
        var l = sr.adoptedStyleSheets;
        if (l && Array.prototype.indexOf.call(l, shadowSheet) < 0) sr.adoptedStyleSheets = Array.prototype.slice.call(l).concat([shadowSheet]);
      }
      if (w.getComputedStyle(el).visibility !== 'hidden') el.style.setProperty('visibility', 'hidden', 'important'); // the page's own !important
      // an empty modal keeps the page inert when hidden: it is made modeless
      if (el.localName === 'dialog' && el.matches(':modal') && topBlank(el) && typeof el.close === 'function') demote(el);
    } catch (e) { /* the cover stays */ }
  };
  // demote: close an empty modal and show it again modeless, unheard: the
  // page's dialog stays open until the page closes it, and its close
  // handlers run once, then (legit30 x1002: a "please wait" screen the
  // page polls through dialog.open); the close and toggle events of our
  // close and show are stopped before the page's listeners
  var demote = function (el) {
    var at = treeOf(el) || w, quiet = true, types = ['close', 'beforetoggle', 'toggle'];
    var hush = function (e) {
      if (e.target !== el || !(quiet || e.type === 'close' || e.oldState === e.newState)) return;
      e.stopImmediatePropagation();
      if (e.type === 'close') types.forEach(function (t) { at.removeEventListener(t, hush, true); });
    };
    types.forEach(function (t) { at.addEventListener(t, hush, true); });
    try { el.close(); if (typeof el.show === 'function') el.show(); } finally { quiet = false; }
  };
  // unhide: a hidden top-layer element the page shows again holding
  // something (a shared modal: a blank "please wait" screen, then a
  // question, legit30 x1003) is judged afresh; a blank one stays hidden
  var unhide = function (el) {
    try {
      if (!el || el.nodeType !== 1 || !el.hasAttribute('data-crmframe-cover') || topBlank(el)) return;
      el.removeAttribute('data-crmframe-cover');
      if (el.style.getPropertyValue('visibility') === 'hidden' && el.style.getPropertyPriority('visibility') === 'important') el.style.removeProperty('visibility');
    } catch (e) { /* stays hidden */ }
  };
  // edgeKids: where overlays go, found without a walk: the children of
  // <html> but <head> and <body>, the first 8 and the last 24 of <body>
  var edgeKids = function (add) {
    var h = d.documentElement, b = d.body, c, k;
    for (c = h && h.firstElementChild; c; c = c.nextElementSibling) if (c !== b && c.localName !== 'head') add(c);
    for (c = b && b.firstElementChild, k = 0; c && k < 8; c = c.nextElementSibling, k++) add(c);
    for (c = b && b.lastElementChild, k = 0; c && k < 24; c = c.previousElementSibling, k++) add(c);
  };
  // Deep covers (pass 22, x620-x631), found without IntersectionObserver v2
  // (a page observing with trackVisibility makes Chromium drop input to the
  // frame for ~500 ms after it moves). After load a MutationObserver of the
  // whole document only notes what changed: elements added anywhere
  // (innerHTML, insertAdjacentHTML, the parser) and elements whose class,
  // style, hidden or open changed join the cover watch's candidates. At a
  // look after a change (every 4 s otherwise: stylesheet rules and media
  // changes make no record), in the next frame's task (the layout the frame
  // makes anyway; none while the frame is not rendered), up to six texts in
  // view are checked:
  // - hit-tested: an element that takes clicks over the text, blank and
  //   opaque, is a cover at the second check (x629), unless a modal is open
  //   or it shows progress (a loading mask with a spinner);
  // - their common ancestors are checked for what the net lifts on
  //   html/body (a flattening filter or mask, opacity, zoom, a transform to
  //   nothing, content-visibility: hidden: x626-x628); seen again on texts
  //   picked afresh, paint is lifted while no modal shows, geometry only
  //   when no text of the page can be seen (offView).
  // Translucent layers that take no clicks and are opaque together over
  // half the viewport (x624: three .6 veils) are hidden at the second look
  // when each lies over the page's text (over).
  var deepMO = null, deepDirty = true, deepTicks = 0, deepPicked = -8, deepWait = false, deepSample = [], wrapPrev = null, clickPrev = [], stackPrev = [], wrapDone = [];
  var rawRAF = w.requestAnimationFrame, deepTimer = w.setTimeout;
  // added elements go with the hooked insertions (fresh: each with its
  // first 32 elements); restyled ones are judged alone (deepRestyled, 32 a
  // look: a busy grid restyles rows all the time); both are where stacked
  // layers are looked for (deepAdded)
  var deepRestyled = [], deepAdded = [];
  var deepKeep = function (list, x) { if (list.indexOf(x) < 0 && list.length < 32) list.push(x); };
  var deepNote = function (recs) {
    for (var i = 0; i < recs.length; i++) {
      var r = recs[i], ns = r.addedNodes || [];
      deepDirty = true;
      if (r.type === 'attributes') {
        if (r.target !== d.body && r.target !== d.documentElement) deepKeep(deepRestyled, r.target);
        // a host restyled (:host(.on) rules): its root's first elements are candidates (x972)
        var sr = shadowOf(r.target);
        if (sr && fresh.indexOf(sr) < 0) coverNote([sr]);
        continue;
      }
      for (var j = 0; j < ns.length; j++) if (ns[j] && ns[j].nodeType === 1) { deepKeep(deepAdded, ns[j]); if (fresh.indexOf(ns[j]) < 0) coverNote([ns[j]]); }
    }
  };
  var deepWatch = function () {
    if (deepMO || typeof w.MutationObserver !== 'function' || !d.documentElement) return;
    deepMO = new w.MutationObserver(deepNote);
    var o = { childList: true, subtree: true, attributes: true, attributeFilter: ['class', 'style', 'hidden', 'open'] };
    deepMO.observe(d.documentElement, o);
    rootSeen = function (r) { try { deepMO.observe(r, o); } catch (e) { /* not watched */ } };
    (rootsSeen || []).forEach(rootSeen);
    rootsSeen = null;
    w.addEventListener('resize', function () { deepDirty = true; });
  };
  // the shim's own writes (over's pointer events, the hides) are no change
  var deepQuiet = function () { if (deepMO && typeof deepMO.takeRecords === 'function') deepMO.takeRecords(); };
  // up to six texts in view: under a 3x3 grid first (one per cell), then
  // the first texts of the page; none in view (all zoomed away or skipped):
  // the first six texts, for the wrapper check only
  var deepPick = function () {
    var vw = w.innerWidth, vh = w.innerHeight, out = [], cells = {}, r = d.createRange(), i, j, c, n, tw, k;
    var has = function (el) { return out.some(function (p) { return p.el === el; }); };
    var take = function (n, cell) {
      var el = n.parentNode, q = out.length < 6 && textBox(n, r);
      if (!q || has(el)) return;
      var x = Math.min(2, Math.floor(3 * (q.left + q.width / 2) / vw)) + 3 * Math.min(2, Math.floor(3 * (q.top + q.height / 2) / vh));
      if (cell && cells[x]) return;
      cells[x] = 1;
      out.push({ n: n, el: el, seen: true });
    };
    for (i = 0; i < 3; i++) for (j = 0; j < 3; j++) {
      var e = d.elementFromPoint((i + 0.5) * vw / 3, (j + 0.5) * vh / 3);
      for (c = e && e.firstChild; c; c = c.nextSibling) if (c.nodeType === 3 && !blank(c.data)) { take(c, true); break; }
    }
    if (out.length < 3 && d.body) for (tw = d.createTreeWalker(d.body, 4), k = 0; out.length < 6 && k++ < 400 && (n = tw.nextNode());) take(n, false);
    if (!out.length && d.body) for (tw = d.createTreeWalker(d.body, 4), k = 0; out.length < 6 && k++ < 400 && (n = tw.nextNode());) {
      if (!blank(n.data) && n.parentNode && !HIDDEN_TEXT.test(n.parentNode.localName) && !has(n.parentNode)) out.push({ n: n, el: n.parentNode, seen: false });
    }
    deepSample = out;
  };
  var deepSpins = function (el) {
    if (typeof el.closest === 'function' && el.closest('[aria-busy="true"]') || el.querySelector('[aria-busy="true"],[role="progressbar"],progress') || /^(wait|progress)$/.test(w.getComputedStyle(el).cursor)) return true;
    var an = typeof el.getAnimations === 'function' ? el.getAnimations({ subtree: true }) : [];
    for (var i = 0; i < an.length; i++) if (an[i].playState === 'running' && an[i].effect && an[i].effect.getTiming().iterations === Infinity) return true;
    return false;
  };
  // a layer taking clicks over the text that shows nothing: opaque over
  // half the viewport or more, no text, picture, control or progress, not
  // in the top layer (a modal's business)
  var clickCover = function (el) {
    var vw = w.innerWidth, vh = w.innerHeight;
    if (!el || el.nodeType !== 1 || el === d.body || el === d.documentElement || inTop(el)) return false;
    if (typeof el.matches === 'function' && el.matches(SHOWS) || !blank(el.textContent) || el.querySelector(SHOWS)) return false;
    var cs = w.getComputedStyle(el), q = el.getBoundingClientRect();
    var x = Math.min(q.right, vw) - Math.max(q.left, 0), y = Math.min(q.bottom, vh) - Math.max(q.top, 0);
    if (cs.visibility !== 'visible' || !(x > 0 && y > 0 && x * y >= 0.5 * vw * vh)) return false;
    var op = 1;
    for (var a = el; a && a !== d.documentElement; a = a.parentElement) { op *= parseFloat(w.getComputedStyle(a).opacity); if (!(op >= OPAQUE)) return false; }
    return (alpha(cs.backgroundColor) * op >= OPAQUE || solidGrad(cs.backgroundImage) || urlSolid(cs.backgroundImage, op)) && !deepSpins(el) && !maskPanel(el, q) &&
      !bgPicture(cs, q) && !drawnBoxes(el, cs, q) && !layerText(el);
  };
  // legit23: text a layer shows outside its textContent, on it and its
  // first 64 elements: generated content of ::before/::after (a "Please
  // wait…" label, x805; an icon glyph, x807) and shadow trees (a design
  // system's splash component, x806; closed ones the shim saw, x842)
  var layerText = function (el) {
    var ps = ['::before', '::after'];
    return eachShown(el, true, function (n, c) {
      for (var i = 0, pc; i < 2 && c.visibility === 'visible'; i++) {
        pc = w.getComputedStyle(n, ps[i]);
        if (drawnCS(pc) && pc.content.replace(/"((?:[^"\\]|\\.)*)"/g, function (m, x) { return blank(x.replace(/\\[\da-f]{1,6}\s?|\\(.)/gi, '$1')) ? '' : 'T'; }).trim()) return true;
      }
      var r = shadowOf(n);
      return !!r && (!blank(r.textContent) || typeof r.querySelector === 'function' && !!r.querySelector(SHOWS));
    });
  };
  // eachShown(el, self, f): f(n, its computed style) on el (when self) and
  // its descendants in document order, the first 64 elements, display: none
  // subtrees skipped, until f returns true
  var eachShown = function (el, self, f) {
    var n = self ? el : el.firstElementChild, k = 0, c;
    while (n && k++ < 64) {
      c = w.getComputedStyle(n);
      if (c.display !== 'none') {
        if (f(n, c)) return true;
        if (n.firstElementChild) { n = n.firstElementChild; continue; }
      }
      while (n && n !== el && !n.nextElementSibling) n = n.parentElement;
      n = n && n !== el ? n.nextElementSibling : null;
    }
    return false;
  };
  // legit23: a loading layer with no text still draws: its own background
  // picture set off in it (a centred ajax-loader GIF, a splash's logo:
  // no-repeat, a quarter of the layer or less; x802, x803), or boxes of
  // another colour or with a border inside it (a skeleton without its
  // shimmer, x804; a ring spinner standing still, x808). A picture, as an
  // <img> inside it already was.
  var picSize = Object.create(null);
  var natSize = function (u) {
    if (u in picSize || typeof IMG0 !== 'function') return picSize[u] || null;
    picSize[u] = null;
    var img = new IMG0();
    img.onload = function () { picSize[u] = [img.naturalWidth, img.naturalHeight]; };
    img.onerror = function () { picSize[u] = [0, 0]; };
    img.src = u;
    return picSize[u];
  };
  var bgPicture = function (cs, q) {
    var imgs = layers(cs.backgroundImage || 'none'), reps = layers(cs.backgroundRepeat || ''), sizes = layers(cs.backgroundSize || 'auto'), W = q.width, H = q.height;
    return imgs.some(function (l, i) {
      var u = /^url\("((?:[^"\\]|\\.)*)"\)$/.exec(l), sz = (sizes[i % sizes.length] || 'auto').split(/\s+/), pw, ph, nat;
      if (!u || !/^no-repeat( no-repeat)?$/.test(reps[i % reps.length] || '') || sz[0] === 'cover') return false;
      var len = function (v, full) { return /px$/.test(v) ? parseFloat(v) : /%$/.test(v) ? parseFloat(v) / 100 * full : NaN; };
      pw = sz[0] === 'contain' ? NaN : len(sz[0], W); ph = sz[0] === 'contain' ? NaN : len(sz[1] || 'auto', H);
      if (isNaN(pw) || isNaN(ph)) {
        nat = natSize(u[1].replace(/\\(.)/g, '$1'));
        if (!nat) { deepDirty = true; return true; } // not decoded yet: judged at the next check
        if (!nat[0] || !nat[1]) return false; // no size of its own: drawn over the whole box
        var f = sz[0] === 'contain' ? Math.min(W / nat[0], H / nat[1]) : 1;
        if (sz[0] === 'contain' || isNaN(pw) && isNaN(ph)) { pw = nat[0] * f; ph = nat[1] * f; } else if (isNaN(pw)) pw = ph * nat[0] / nat[1]; else ph = pw * nat[1] / nat[0];
      }
      return pw >= 8 && ph >= 8 && pw * ph <= 0.25 * W * H;
    });
  };
  // a border of 2 px or more in a colour the layer has not (a ring spinner
  // standing still, x808)
  var ringed = function (c, bg) {
    return ['Top', 'Right', 'Bottom', 'Left'].some(function (e) {
      var st = c['border' + e + 'Style'], col = c['border' + e + 'Color'];
      return st !== 'none' && st !== 'hidden' && parseFloat(c['border' + e + 'Width']) >= 2 && alpha(col) >= 0.3 && col !== bg;
    });
  };
  var drawnBoxes = function (el, cs, q) {
    return eachShown(el, false, function (n, c) {
      if (!(c.visibility === 'visible' && parseFloat(c.opacity) > 0.3 && (alpha(c.backgroundColor) >= 0.3 && c.backgroundColor !== cs.backgroundColor ||
        c.backgroundImage !== 'none' && c.backgroundImage !== cs.backgroundImage || ringed(c, cs.backgroundColor)))) return false;
      var r = n.getBoundingClientRect();
      return r.width >= 8 && r.height >= 8 && r.width * r.height <= 0.25 * q.width * q.height && boxInView(r) && r.left >= q.left && r.right <= q.right && r.top >= q.top && r.bottom <= q.bottom;
    });
  };
  // maskPanel: the mask of the page's own popup (legit22, x772: a pre-ARIA
  // popup framework puts a blank mask and the popup in two siblings): a
  // positioned box among the mask's siblings or the body's last children,
  // inside the mask's box, smaller than it, showing text or a control, and
  // painted above the mask at its centre. The mask then holds a dialog, as
  // a layer with the text inside it does (which stays).
  var maskPanel = function (el, q) {
    var seen = [], c, k, b = d.body;
    var add = function (x) { if (x && x !== el && seen.indexOf(x) < 0 && !x.contains(el) && !el.contains(x)) seen.push(x); };
    for (c = el.nextElementSibling, k = 0; c && k < 8; c = c.nextElementSibling, k++) add(c);
    for (c = el.previousElementSibling, k = 0; c && k < 8; c = c.previousElementSibling, k++) add(c);
    for (c = b && b.lastElementChild, k = 0; c && k < 8; c = c.previousElementSibling, k++) add(c);
    return seen.some(function (p) {
      var cs = w.getComputedStyle(p), r = p.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
      if (!/^(fixed|absolute)$/.test(cs.position) || cs.visibility !== 'visible' || cs.display === 'none') return false;
      if (r.width < 40 || r.height < 20 || r.width * r.height >= 0.9 * q.width * q.height || x < q.left || x >= q.right || y < q.top || y >= q.bottom) return false;
      if (blank(p.textContent) && !(typeof p.matches === 'function' && p.matches(SHOWS)) && !(typeof p.querySelector === 'function' && p.querySelector(SHOWS)) && !shadowShows(p)) return false; // a popup frame shows its page; a popup component its shadow tree (x854)
      var at = d.elementFromPoint(x, y);
      return !!at && (at === p || p.contains(at));
    });
  };
  // what hides a wrapper's text, as the net's rules for html/body
  var wrapHides = function (el, cs) {
    var hit = [];
    if (filterHides(cs.filter)) hit.push('filter');
    if (maskHides(cs)) hit.push('mask');
    if (parseFloat(cs.opacity) <= 0.05 && !fading(el, 'opacity')) hit.push('opacity');
    if (parseFloat(cs.zoom) < 0.2) hit.push('zoom');
    if (cs.transform !== 'none') { var b = el.getBoundingClientRect(); if (b.width < 1 || b.height < 1) hit.push('transform'); }
    if (cs.contentVisibility === 'hidden') hit.push('content-visibility');
    return hit;
  };
  // the hiding ancestors that wrap every sampled text (not the text's own
  // element: a faint watermark holding text of its own, x578)
  var deepWrappers = function () {
    var ps = deepSample.filter(function (p) { return p.n.isConnected; }), out = [], k = 0;
    var el = ps.length ? ps[0].el : null;
    while (el && !ps.every(function (p) { return el.contains(p.n); })) el = el.parentElement;
    if (el && ps.some(function (p) { return p.el === el; })) el = el.parentElement;
    for (; el && el !== d.body && el !== d.documentElement && k < 40; el = el.parentElement, k++) {
      var hit = wrapHides(el, w.getComputedStyle(el));
      if (hit.length) out.push([el, hit]);
    }
    return out;
  };
  var liftWrap = function (el) {
    var s = el.style, now = wrapHides(el, w.getComputedStyle(el));
    var geo = now.some(function (p) { return /^(zoom|transform|content-visibility)$/.test(p); });
    if (!now.length || (geo ? !offView() : useHeld())) return;
    if (wrapDone.indexOf(el) < 0) { wrapDone.push(el); if (wrapDone.length > 16) wrapDone.shift(); } else if (!act) return;
    count('unhide');
    fought = fought || act;
    if (!act) return;
    now.forEach(function (p) {
      if (p === 'mask') ['mask-image', '-webkit-mask-image'].forEach(function (m) { s.setProperty(m, 'none', 'important'); });
      else if (p === 'transform') ['transform', 'scale', 'translate', 'rotate'].forEach(function (m) { s.setProperty(m, 'none', 'important'); });
      else s.setProperty(p, p === 'filter' ? 'none' : p === 'content-visibility' ? 'visible' : '1', 'important');
    });
  };
  // Ink (pass 25): text in view whose glyphs are painted over by its own
  // stroke or by a line-through shows no letter, whatever its colour and
  // box (x825-x829: -webkit-text-stroke 0.6em #fff on body, on every
  // element or on the wrapper; line-through 2em #fff on body, which
  // decorates every descendant's text). A stroke of 0.2 em or more, or a
  // line-through 0.3 em thick or more, on an ancestor, is no legible text.
  // When every sampled text in view is such, every element gets its stroke
  // taken off and its decorations their normal thickness; the rules go
  // again (judged without them at each check) once the page's own text
  // would show.
  var INKR = ['any -webkit-text-stroke-width', 'any text-decoration-thickness'];
  var inkGone = function (n) {
    var el = n.parentNode, cs = w.getComputedStyle(el), fs = parseFloat(cs.fontSize) || 16;
    if (parseFloat(cs.webkitTextStrokeWidth) >= 0.2 * fs) return true;
    for (var e = el, k = 0; e && e.nodeType === 1 && k < 40; e = e.parentElement, k++) {
      var c = e === el ? cs : w.getComputedStyle(e);
      if (/line-through/.test(c.textDecorationLine) && parseFloat(c.textDecorationThickness) >= 0.3 * fs) return true;
    }
    return false;
  };
  var inkCheck = function () {
    if (!netOK()) return;
    var had = INKR[0] in netRules;
    if (had) { delete netRules[INKR[0]]; delete netRules[INKR[1]]; writeNet(); }
    var ps = deepSample.filter(function (p) { return p.seen && p.n.isConnected && p.n.parentNode && p.n.parentNode.nodeType === 1; });
    if (!(ps.length && ps.every(function (p) { return inkGone(p.n); }))) return;
    if (!had) { count('unhide'); fought = fought || act; }
    if (!act) return;
    netRules[INKR[0]] = '0'; netRules[INKR[1]] = 'auto';
    useNet();
  };
  var deepCheck = function () {
    var r = d.createRange(), clicks = [];
    // picked again when a text went or was scrolled out of view (not when
    // it shrank or lost its box: that is what is judged)
    var gone = function (p) {
      if (!p.n.isConnected || p.n.parentNode !== p.el || !p.seen) return true;
      r.selectNodeContents(p.n);
      var q = r.getClientRects()[0];
      return !!q && q.width >= 2 && q.height >= 2 && !boxInView(q);
    };
    // a busy grid replaces its texts all the time: a hit test of the grid
    // (nine points) at most every 2 s, or at once when none is left
    var left = deepSample.filter(function (p) { return !gone(p); });
    if (!left.length || left.length < Math.min(3, deepSample.length) && deepTicks - deepPicked >= 8) { deepPick(); deepPicked = deepTicks; } else deepSample = left;
    try { inkCheck(); } catch (e) { /* the next check */ }
    deepSample.forEach(function (p) {
      var q = p.seen && textBox(p.n, r), at = q && hitAt(q, true);
      if (!at || at === p.el || p.el.contains(at) || at.contains(p.el) || noPointer(p.el)) return;
      for (var e = at, k = 0; e && k < 4 && !e.contains(p.el); e = e.parentElement, k++) if (clicks.indexOf(e) < 0) clicks.push(e);
    });
    var held = clicks.length && useHeld();
    var now = held ? [] : clicks.filter(clickCover);
    now.forEach(function (e) { if (clickPrev.indexOf(e) >= 0) hideCover(e); });
    clickPrev = now;
    var wp = wrapPrev, ws = deepWrappers();
    wrapPrev = null;
    if (wp) (deepSample.length ? ws : wp).forEach(function (x) { if (wp.some(function (y) { return y[0] === x[0]; })) liftWrap(x[0]); });
    else if (ws.length) { wrapPrev = ws; deepPick(); } // judged again on texts picked afresh
  };
  // translucent layers taking no clicks, each over half the viewport
  var veilOf = function (el) {
    var cs = w.getComputedStyle(el);
    if (cs.pointerEvents !== 'none' || cs.visibility !== 'visible' || cs.display === 'none' || !/^(fixed|absolute)$/.test(cs.position) || parseInt(cs.zIndex, 10) < 0) return 0;
    var a = alpha(cs.backgroundColor) * parseFloat(cs.opacity);
    return a > 0.05 && a < OPAQUE ? a : 0;
  };
  var deepStack = function (list) {
    var vw = w.innerWidth, vh = w.innerHeight, l = 0, t = 0, rr = vw, b = vh, veils = [], tr = 1;
    list.forEach(function (el) {
      var a = el.isConnected && veilOf(el);
      if (!a) return;
      var q = el.getBoundingClientRect(), x = Math.min(q.right, vw) - Math.max(q.left, 0), y = Math.min(q.bottom, vh) - Math.max(q.top, 0);
      if (!(x > 0 && y > 0 && x * y >= 0.5 * vw * vh)) return;
      l = Math.max(l, q.left); t = Math.max(t, q.top); rr = Math.min(rr, q.right); b = Math.min(b, q.bottom);
      veils.push(el); tr *= 1 - a;
    });
    // all of them over one half of the viewport, opaque together
    if (veils.length < 2 || 1 - tr < OPAQUE || !(rr > l && b > t && (rr - l) * (b - t) >= 0.5 * vw * vh)) { stackPrev = []; return; }
    var again = veils.every(function (e) { return stackPrev.indexOf(e) >= 0; });
    stackPrev = veils;
    if (!again) return;
    var on = veils.filter(over), t2 = 1;
    on.forEach(function (e) { t2 *= 1 - veilOf(e); });
    if (on.length > 1 && 1 - t2 >= OPAQUE) on.forEach(hideCover);
  };
  // at the end of a look after a change: the stacks among its candidates,
  // then the text check in the next frame. A window without frames
  // (no requestAnimationFrame) paints nothing to cover.
  var deepLook = function (list) {
    if (typeof rawRAF !== 'function') return;
    deepWatch();
    if (++deepTicks % 16 === 0 || clickPrev.length || wrapPrev || stackPrev.length) deepDirty = true;
    if (!deepDirty) return;
    deepDirty = false;
    // a restyled element found a cover joins the next look's suspects
    var rs = deepRestyled, own = [];
    deepRestyled = [];
    rs.forEach(function (x) { if (coverPrev.indexOf(x) < 0 && list.indexOf(x) < 0 && coverOf(x)) coverPrev.push(x); });
    // a layer is added or restyled before it stacks
    rs.concat(deepAdded, stackPrev).forEach(function (x) { if (own.indexOf(x) < 0) own.push(x); });
    deepAdded = [];
    deepStack(own);
    deepQuiet();
    if (deepWait) return; // the check pending sees this change too
    deepWait = true;
    rawRAF.call(w, function () {
      deepTimer.call(w, function () { deepWait = false; try { deepCheck(); } catch (e) { /* the next change */ } deepQuiet(); }, 0);
    });
  };
  // A layer showing content of its own (legit21: x721 a boot preloader
  // with its logo and text, x722 a route transition's canvas snapshot of
  // the previous view) is the page's loading or transition layer for its
  // first 2 s as a cover, then judged as any (a buster's message over the
  // page stays 2 s at most; the suite's covers show nothing). Own content:
  // text in view, a picture under half the viewport (a logo), or for a
  // canvas, img or video, pixels that are not one flat colour. A layer no
  // cover for 2 s starts afresh; one hidden before does not wait.
  var OWN_WAIT = 2000, ownSeen = [], flatScratch = null;
  var picFlat = function (c) {
    try {
      if (!flatScratch) { flatScratch = d.createElement('canvas'); flatScratch.width = flatScratch.height = 16; }
      var g = flatScratch.getContext('2d', { willReadFrequently: true });
      g.imageSmoothingEnabled = true; g.imageSmoothingQuality = 'high'; // averaged: thin text counts
      g.clearRect(0, 0, 16, 16);
      g.drawImage(c, 0, 0, 16, 16);
      var px = g.getImageData(0, 0, 16, 16).data;
      for (var i = 4; i < px.length; i++) if (i % 4 !== 3 && Math.abs(px[i] - px[i % 4]) > 8) return false;
      return true;
    } catch (e) { return true; }
  };
  var ownShows = function (el) {
    if (/^(canvas|img|video)$/.test(el.localName)) return !picFlat(el);
    var tw = d.createTreeWalker(el, 4), r = d.createRange(), n, k = 0, cs, i, q;
    while (k++ < 32 && (n = tw.nextNode())) {
      if (!textBox(n, r)) continue;
      cs = w.getComputedStyle(n.parentNode);
      if (cs.visibility === 'visible' && alpha(cs.color) > 0.05) return true;
    }
    var pics = typeof el.querySelectorAll === 'function' ? el.querySelectorAll('img,svg,canvas,video,picture') : [];
    for (i = 0; i < pics.length && i < 8; i++) if (boxInView(q = pics[i].getBoundingClientRect()) && q.width * q.height < 0.5 * w.innerWidth * w.innerHeight) return true;
    return false;
  };
  var ownWait = function (el) {
    var now = Date.now(), rec = null, i;
    ownSeen = ownSeen.filter(function (x) { return now - x[2] <= OWN_WAIT; });
    for (i = 0; i < ownSeen.length; i++) if (ownSeen[i][0] === el) rec = ownSeen[i];
    if (!rec) { ownSeen.push(rec = [el, now, now]); if (ownSeen.length > 16) ownSeen.shift(); }
    rec[2] = now;
    return now - rec[1] < OWN_WAIT && coverHit.indexOf(el) < 0 && ownShows(el);
  };
  var coverLook = function () {
    var list = [], found = [], i, k;
    var add = function (x) { if (x && x.nodeType === 1 && list.indexOf(x) < 0) list.push(x); };
    paneSeen = false;
    edgeKids(add);
    fresh.forEach(function (x) {
      // x and its first 32 elements, depth first
      for (var n = x, j = 0; n && j < 32; j++) {
        add(n);
        if (n.firstElementChild) { n = n.firstElementChild; continue; }
        while (n && n !== x && !n.nextElementSibling) n = n.parentElement;
        n = n && n !== x ? n.nextElementSibling : null;
      }
    });
    fresh = []; freshN = 0;
    topLayer = topLayer.filter(function (x) { return x.isConnected && inTop(x); });
    // one hidden while blank that the page filled since, still open and
    // taking clicks (a "please wait" screen saying "Saved.", legit30 x1002)
    coverHit.forEach(function (x) { if (x.isConnected && (x.localName === 'dialog' ? x.open : inTop(x)) && w.getComputedStyle(x).pointerEvents !== 'none') unhide(x); });
    topLayer.forEach(add); coverPrev.forEach(add); coverHit.forEach(add);
    for (i = 0; i < list.length; i++) if ((k = coverOf(list[i]))) found.push([list[i], k]);
    // at two looks in a row; at once for one hidden before (the page took
    // the net's hide back)
    found.forEach(function (x) { if ((coverPrev.indexOf(x[0]) >= 0 || coverHit.indexOf(x[0]) >= 0) && !ownWait(x[0]) && (x[1] === 1 || over(x[0]))) hideCover(x[0]); });
    coverPrev = found.map(function (x) { return x[0]; });
    deepLook(list);
  };
  // Once a hide was lifted, a page that hides itself again (a guard
  // re-applied by a timer) is lifted at once, before it is painted; at most
  // 20 times per 250 ms, so that a page re-hiding from its own mutation
  // observer cannot keep both in a microtask loop.
  var look250 = function () {
    relax();
    if (late && !pending) pending = setTimeout(function () { pending = 0; quick = 0; reveal(); }, 250);
  };
  var later = function () {
    if (late && fought && quick < 20) { quick++; micro(reveal); }
    look250();
  };
  if (!adopted) {
    // Constructable stylesheets change no attribute: their setters say so.
    ass = Object.getOwnPropertyDescriptor(DP, 'adoptedStyleSheets');
    if (ass && ass.set) def(DP, 'adoptedStyleSheets', { get: ass.get, set: function (v) { ass.set.call(this, v); if (this === d) later(); }, configurable: true, enumerable: ass.enumerable });
    var CSP = w.CSSStyleSheet && w.CSSStyleSheet.prototype;
    rawReplaceSync = CSP && CSP.replaceSync;
    ['replaceSync', 'replace', 'insertRule'].forEach(function (name) {
      var orig = CSP && CSP[name];
      if (typeof orig === 'function') CSP[name] = function () { later(); return orig.apply(this, arguments); };
    });
    // the top layer, above every z-index: noted for the cover watch
    var HEP = w.HTMLElement && w.HTMLElement.prototype, DLP = w.HTMLDialogElement && w.HTMLDialogElement.prototype;
    [[HEP, 'showPopover'], [HEP, 'togglePopover'], [DLP, 'showModal'], [DLP, 'show']].forEach(function (x) {
      var orig = x[0] && x[0][x[1]];
      if (typeof orig === 'function') x[0][x[1]] = function () { unhide(this); var r = orig.apply(this, arguments); noteTop(this); return r; };
    });
    // Web Animations change no attribute either (x396: body.animate to
    // opacity 0, fill forwards); the net's !important inline beats them.
    var animTarget = function (a) { try { return a && a.effect && a.effect.target; } catch (e) { return null; } };
    var rawAnimate = EP.animate;
    // On any other element one wakes the deep check at the next look (x829:
    // a wrapper animated to a thick white line-through).
    if (typeof rawAnimate === 'function') EP.animate = function () { var r = rawAnimate.apply(this, arguments); if (bodyOrHtml(this)) later(); deepDirty = true; return r; };
    var AP = w.Animation && w.Animation.prototype, rawPlay = AP && AP.play;
    if (typeof rawPlay === 'function') AP.play = function () { var r = rawPlay.apply(this, arguments); if (bodyOrHtml(animTarget(this))) later(); deepDirty = true; return r; };
    w.addEventListener('load', function () {
      [d.documentElement, d.body].forEach(function (el) {
        if (el) ['display', 'visibility', 'opacity'].forEach(function (p) { atLoad[el.localName + ' ' + p] = el.style[p]; });
        if (el) ['::before', '::after'].forEach(function (p) { try { atLoad[el.localName + p] = drawn(el, p); } catch (e) { /* none */ } });
      });
      loadAt = Date.now();
      // the route swap's hide and render (rendering), noted from load on
      if (root && typeof w.MutationObserver === 'function') {
        if (d.body) new w.MutationObserver(noteDom).observe(d.body, { childList: true, subtree: true, characterData: true });
        var hideMO = new w.MutationObserver(noteHide), hideOpts = { attributes: true }; // html/body change few attributes
        hideMO.observe(d.documentElement, hideOpts);
        if (d.body) hideMO.observe(d.body, hideOpts);
      }
      setTimeout(function () {
        if (!root) return;
        reveal();
        late = true;
        if (typeof w.MutationObserver !== 'function') return;
        var mo = new w.MutationObserver(later), opts = { attributes: true, attributeFilter: ['style', 'class', 'hidden'] };
        mo.observe(d.documentElement, opts);
        if (d.body) mo.observe(d.body, opts);
        if (d.head) mo.observe(d.head, { childList: true, subtree: true, characterData: true });
      }, 250);
    });
    // Hides no observer or hook sees (a <style> in the body, a rule changed
    // through CSSOM, a media switch, :has()/:state() selectors, an
    // animation retargeted to <body>: x511-x516): every 250 ms after load
    // the computed values that hide html/body are compared with the last
    // ones (nearly free while styles are unchanged), and a change wakes the
    // net as an attribute change does; the geometric test runs every 2 s.
    var ticks = 0, lastLook = '', every = w.setInterval, vtTick = function () {};
    var LOOK = ['display', 'visibility', 'opacity', 'contentVisibility', 'clipPath', 'transform', 'scale', 'translate', 'rotate', 'filter', 'maskImage', 'webkitMaskImage', 'color', 'webkitTextFillColor'];
    var LOOKP = ['content', 'display', 'position', 'backgroundColor', 'backgroundImage', 'boxShadow', 'backdropFilter'];
    // transform and translate resolve against the laid-out box: read from
    // getComputedStyle they force a layout of the whole page (10-25 ms on a
    // 16k-element grid that changed since the last frame, 4 times a
    // second). Their computed value (Typed OM, the built-ins found at
    // start-up) needs none; a percentage depends on the box, and then the
    // resolved value is read as before.
    var csm = EP.computedStyleMap, SPM = w.StylePropertyMapReadOnly, CSV = w.CSSStyleValue;
    var spmGet = SPM && SPM.prototype.get, csvStr = CSV && CSV.prototype.toString;
    var BOXED = { transform: 1, translate: 1 };
    var lookValue = function (el, cs, p) {
      if (BOXED[p] === 1 && typeof csm === 'function' && typeof spmGet === 'function' && typeof csvStr === 'function') {
        try {
          var v = csvStr.call(spmGet.call(csm.call(el), p));
          if (v.indexOf('%') < 0) return v;
        } catch (e) { /* the resolved value */ }
      }
      return cs[p];
    };
    var look = function () {
      var t = '';
      [d.documentElement, d.body].forEach(function (el) {
        var cs = el && w.getComputedStyle(el), i;
        for (i = 0; cs && i < LOOK.length; i++) t += lookValue(el, cs, LOOK[i]) + ';';
        ['::before', '::after'].forEach(function (p) { var ps = el && w.getComputedStyle(el, p); for (i = 0; ps && i < LOOKP.length; i++) t += ps[LOOKP[i]] + ';'; });
        t += '|';
      });
      return t;
    };
    w.addEventListener('load', function () {
      if (!root || typeof every !== 'function') return;
      every.call(w, function () {
        if (!late) return;
        try { coverLook(); } catch (e) { /* again at the next tick */ }
        try { vtTick(); } catch (e) { /* the next tick */ }
        try {
          var now = look();
          if (now !== lastLook) { lastLook = now; look250(); }
          else if (++ticks % 8 === 0 && geoHidden()) look250();
        } catch (e) { /* try again at the next tick */ }
        try { useTick(); } catch (e) { /* the next tick */ }
      }, 250);
    });
    // A view transition shows pictures of the page, not the page: one whose
    // animations last beyond 2 s (or that still runs 2 s later) is skipped
    // (x517: a group animation of a million seconds over invisible
    // snapshots). A real transition takes well under a second.
    var rawVT = DP.startViewTransition;
    var longVT = function () {
      var list = typeof d.getAnimations === 'function' ? d.getAnimations() : [];
      for (var i = 0; i < list.length; i++) {
        var e = list[i].effect;
        if (e && /^::view-transition/.test(e.pseudoElement || '') && !(e.getComputedTiming().endTime <= 2000)) return true;
      }
      return false;
    };
    // watchVT: every transition of this document, however it began: a
    // cross-document one (CSS @view-transition, no call: x820) is handed
    // over by pagereveal, one started through another realm's prototype
    // (x824) is found as document.activeViewTransition at the next tick.
    var vtSeen = null;
    var watchVT = function (vt) {
      if (!root || !vt || vt === vtSeen) return;
      vtSeen = vt;
      var done = false, skip = function () {
        if (done) return;
        done = true;
        count('unhide');
        if (act) try { vt.skipTransition(); } catch (e) { /* over already */ }
      };
      try {
        vt.finished.then(function () { done = true; }, function () { done = true; });
        vt.ready.then(function () { if (longVT()) skip(); }, function () { /* skipped or failed: nothing shows it */ });
      } catch (e) { /* no promises: the timer below */ }
      // the 2 s count from the end of the page's update callback (a slow
      // query first, x533); Chrome ends a callback after a few seconds
      var t2 = function () { setTimeout(skip, 2000); };
      try { vt.updateCallbackDone.then(t2, t2); } catch (e) { t2(); }
    };
    if (typeof rawVT === 'function') DP.startViewTransition = function () {
      var vt = rawVT.apply(this, arguments);
      if (this === d) watchVT(vt);
      return vt;
    };
    w.addEventListener('pagereveal', function (e) { try { watchVT(e.viewTransition); } catch (x) { /* none */ } }, true);
    vtTick = function () { if (d.activeViewTransition) watchVT(d.activeViewTransition); };
  }

  // --- use net (pass 19) ---------------------------------------------------
  // A page can be seen and still take no input (x550-x561): inert on
  // html/body or on a wrapper of everything, a pane that shows nothing over
  // the viewport, capture listeners on window/document/html/body that stop
  // or cancel every click and key. Only at the CRM root framed by the
  // desktop; what a page does with a modal open, a focus held in a widget,
  // a drag or a shortcut stays its own.
  var useHeld = function () { return false; };
  var useTick = function () {};
  if (foreign && !adopted) {
    var pressed = null; // the last press: a click far from it ends a drag
    var ariaModal = function () {
      try {
        var m = d.querySelectorAll('[aria-modal="true"],[role="dialog"],[role="alertdialog"]');
        for (var i = 0; i < m.length; i++) {
          var q = m[i].getBoundingClientRect();
          if (q.width < 2 || q.height < 2 || blank(m[i].innerText)) continue;
          if (typeof m[i].checkVisibility !== 'function' || m[i].checkVisibility({ opacityProperty: true, visibilityProperty: true })) return true;
        }
      } catch (e) { /* none */ }
      return false;
    };
    useHeld = function () { return modalOpen() || ariaModal(); };
    // The page's own swallow: a trap holding focus elsewhere, the click
    // ending a drag, a shortcut or a key with a meaning of its own (Tab,
    // Escape, arrows, function keys).
    var ownSwallow = function (e) {
      var t = e.target, ae = d.activeElement;
      if (ae && ae !== d.body && ae !== d.documentElement && t && t.nodeType === 1 && t !== ae && !ae.contains(t)) return true;
      if (/click$|^(mouse|pointer)up$/.test(e.type) && pressed && (Math.abs(e.clientX - pressed[0]) > 5 || Math.abs(e.clientY - pressed[1]) > 5)) return true;
      if (/^key/.test(e.type) && (e.ctrlKey || e.metaKey || e.altKey || !(typeof e.key === 'string' && (e.key.length === 1 || /^(Shift|Backspace|Delete|CapsLock)$/.test(e.key))))) return true;
      return useHeld(); // a query and a layout: last
    };
    var INPUT = /^(?:click|dblclick|auxclick|mousedown|mouseup|pointerdown|pointerup|keydown|keyup|keypress|focusin|focus|touchstart|touchend)$/;
    // swallow: a stop or cancel of trusted input by a capture listener of
    // window/document/html/body (before any element saw it) is dropped.
    // Pages stop presses and typed keys there on purpose (keeping a text
    // selection, a React root on body, a flyout closed by an outside
    // mousedown, a scanner's keystrokes: x600-x605), never a click or a
    // lone Shift/CapsLock: those are dropped at once and prove a blanket
    // swallower, whose stops of presses and keys are dropped from then on.
    var blanket = false;
    // A click cancelled on a link or submit control may be the page's
    // router or unsaved-changes guard (x720, x731): it keeps its effect, and
    // proves a swallower only if within GRACE the page neither navigates
    // (Navigation API, pushState/replaceState, unload), fetches, opens a
    // dialog nor adds or removes an element. Its first lost click is that.
    var GRACE = 1500, graceEv = null, stirred = false, graceMO = null;
    var stir = function () { if (graceEv) stirred = true; };
    var navOf = function (e) {
      var path = typeof e.composedPath === 'function' ? e.composedPath() : [];
      if (!path.length) for (var n = e.target; n; n = n.parentNode) path.push(n);
      for (var i = 0; i < path.length; i++) {
        var x = path[i];
        if (!x || x.nodeType !== 1) continue;
        if (/^(a|area)$/.test(x.localName) && x.getAttribute('href') !== null) return x;
        if (x.form && (x.localName === 'button' && x.type === 'submit' || x.localName === 'input' && /^(submit|image)$/.test(x.type))) return x;
      }
      return null;
    };
    var graceStart = function (e) {
      graceEv = e; stirred = false;
      try {
        graceMO = new w.MutationObserver(function (recs) {
          recs.forEach(function (r) {
            if (r.type === 'attributes') return stir();
            [].concat([].slice.call(r.addedNodes || []), [].slice.call(r.removedNodes || [])).forEach(function (n) {
              if (n.nodeType === 1 && !/^(script|style|link|meta|template|noscript)$/.test(n.localName)) stir();
            });
          });
        });
        graceMO.observe(d.documentElement || d, { childList: true, subtree: true, attributes: true, attributeFilter: ['open'] });
      } catch (x) { graceMO = null; }
      setTimeout(function () {
        if (graceMO) { try { graceMO.takeRecords().length && stir(); } catch (x) { /* gone */ } graceMO.disconnect(); graceMO = null; }
        var own = stirred || useHeld();
        graceEv = null;
        if (own || blanket) return;
        blanket = true;
        count('input');
      }, GRACE);
    };
    var swallow = function (e) {
      if (!e || !e.isTrusted || !INPUT.test(e.type) || e.eventPhase !== 1) return false;
      var ct = e.currentTarget;
      if (ct !== w && ct !== d && ct !== d.documentElement && ct !== d.body) return false;
      var proof = /click$/.test(e.type) || /^key/.test(e.type) && /^(Shift|CapsLock)$/.test(e.key);
      if (!proof && !blanket || ownSwallow(e)) return false;
      if (!blanket && e.type === 'click' && (e === graceEv || navOf(e))) {
        if (!graceEv) graceStart(e);
        return false;
      }
      if (proof) blanket = true;
      count('input');
      return act;
    };
    // what tells a router or guard: each is only noted during a grace
    if (w.navigation && typeof w.navigation.addEventListener === 'function') w.navigation.addEventListener('navigate', stir);
    w.addEventListener('beforeunload', stir, true);
    var HIP2 = w.History && w.History.prototype, XP2 = w.XMLHttpRequest && w.XMLHttpRequest.prototype;
    [[HIP2, 'pushState'], [HIP2, 'replaceState'], [XP2, 'send'], [w, 'fetch'], [w, 'alert'], [w, 'confirm'], [w, 'prompt']].forEach(function (x) {
      var orig = x[0] && x[0][x[1]];
      if (typeof orig === 'function') x[0][x[1]] = function () { stir(); return RA(orig, this, arguments); };
    });
    var EvP = w.Event && w.Event.prototype;
    if (EvP) {
      w.addEventListener('pointerdown', function (e) { pressed = [e.clientX, e.clientY]; btnDown = true; }, true);
      ['stopPropagation', 'stopImmediatePropagation', 'preventDefault'].forEach(function (n) {
        var raw = EvP[n];
        if (typeof raw === 'function') EvP[n] = function () { if (swallow(this)) return; return raw.apply(this, arguments); };
      });
      ['cancelBubble', 'returnValue'].forEach(function (n) {
        var ds = gopd0(EvP, n);
        if (ds && ds.set && ds.configurable) def(EvP, n, { get: ds.get, set: function (v) { if ((n === 'cancelBubble' ? v : !v) && swallow(this)) return; ds.set.call(this, v); }, configurable: true, enumerable: ds.enumerable });
      });
    }
    // dead: the page has text in view and none of it takes a pointer; the
    // text boxes hit <html>/<body>/nothing (inert, pointer-events: none)
    // or a pane that shows nothing. Returns what stops them, or null. The
    // first text in view that takes a pointer ends the walk (the usual
    // case: one hit test).
    var paneShowsNothing = function (el) {
      var cs = w.getComputedStyle(el), b = el.getBoundingClientRect();
      if (!/^(fixed|absolute)$/.test(cs.position) || b.width < 0.9 * w.innerWidth || b.height < 0.9 * w.innerHeight) return false;
      if (parseFloat(cs.opacity) <= 0.05) return true;
      return alpha(cs.backgroundColor) <= 0.05 && cs.backgroundImage === 'none' && (!cs.boxShadow || cs.boxShadow === 'none') &&
        blank(el.innerText) && !(el.querySelector && el.querySelector(SHOWS)) && !shadowShows(el);
    };
    var paneBefore = function (el, p) {
      var cs = w.getComputedStyle(el, p);
      if (!drawnCS(cs) || cs.pointerEvents === 'none' || !/^(fixed|absolute)$/.test(cs.position)) return false;
      return parseFloat(cs.width) >= 0.9 * w.innerWidth && parseFloat(cs.height) >= 0.9 * w.innerHeight;
    };
    var ELLIPSIS = /(?:\.\.\.|\u2026)\s*$/;
    // edgeLive: a text box of an overlay candidate (edgeKids, not inert)
    // takes a pointer; at most 20 boxes each, 200 in all. Their labels count
    // as the walk's (a toast appended to <body> past its cap, x691).
    var edgeLive = function (r, out) {
      var b = d.body, h = d.documentElement, live = false, all = 0;
      edgeKids(function (c) {
        if (live || all >= 200 || c === b || (c.closest && c.closest('[inert]'))) return;
        var t = d.createTreeWalker(c, 4), m, k = 0;
        while (!live && k < 20 && (m = t.nextNode())) {
          var q = textBox(m, r), el = m.parentNode;
          if (!q) continue;
          k++; all++;
          if (!out.label && ELLIPSIS.test(m.data) && m.data.trim().length <= 60) out.label = true;
          var at = hitAt(q);
          live = !!at && at !== h && at !== b && (at === el || el.contains(at) || at.contains(el));
        }
      });
      return live;
    };
    var dead = function () {
      var b = d.body, h = d.documentElement, vw = w.innerWidth, vh = w.innerHeight;
      if (!b || !vw || !vh || typeof d.elementFromPoint !== 'function' || typeof d.createTreeWalker !== 'function') return null;
      var tw = d.createTreeWalker(b, 4), r = d.createRange(), n, seen = 0, out = { inert: [], panes: [], pseudo: [] };
      while ((n = tw.nextNode()) && seen < 400) {
        var el = n.parentNode, q = textBox(n, r);
        if (!q) continue;
        seen++;
        if (!out.label && ELLIPSIS.test(n.data) && n.data.trim().length <= 60) out.label = true;
        var at = hitAt(q);
        if (at && at !== h && at !== b && (at === el || el.contains(at) || at.contains(el))) return null;
        if (at === el) return null; // text of body itself, hit
        if (at && at !== h && at !== b) {
          if (!paneShowsNothing(at)) return null; // a cover the page shows: a modal, a lock
          if (out.panes.indexOf(at) < 0) out.panes.push(at);
          continue;
        }
        for (var x = el.closest ? el.closest('[inert]') : null; x; x = x.parentNode && x.parentNode.closest ? x.parentNode.closest('[inert]') : null) if (out.inert.indexOf(x) < 0) out.inert.push(x);
      }
      if (!seen) return null;
      // the walk stopped at its cap: live text past it, in a drawer or a
      // menu at the ends of <body>, says the page is not dead (x646)
      if (n && edgeLive(r, out)) return null;
      [h, b].forEach(function (e) { ['::before', '::after'].forEach(function (p) { if (paneBefore(e, p)) out.pseudo.push(e.localName + p); }); });
      // pointer-events: none on html/body, unless the page takes pointer
      // events again somewhere in view (a drag's drop zones, x588; a menu)
      out.pe = [h, b].filter(function (e) { return w.getComputedStyle(e).pointerEvents === 'none'; });
      if (out.pe.length) {
        var all = b.getElementsByTagName('*');
        for (var i = 0; i < all.length && i < 3000; i++) {
          if (w.getComputedStyle(all[i]).pointerEvents === 'none') continue;
          if (boxInView(all[i].getBoundingClientRect())) { out.pe = []; break; }
        }
      }
      return out;
    };
    // Lifted when it stays 250 ms (two looks a tick apart): inert taken off,
    // a pane and a pseudo-element pane let clicks through; not while a
    // button is held (a drag's pane), a modal is open or the page says it
    // is busy (aria-busy on html/body). A freeze the page explains waits
    // BUSY looks (5 s) instead: one that shows progress (busySign: x610's
    // "Saving..."), and any freeze once the page was seen ending one of its
    // own. Busters freeze for good, at once and without a word; a 1.5 s
    // grace for all would let them through (the e2e judge's second click
    // comes ≈ 0.7-0.9 s after a freeze made 400 ms after load, x561).
    var BUSY = 20, deadLooks = 0, useLast = null, useEnded = false, btnDown = false;
    ['pointerup', 'pointercancel', 'click'].forEach(function (t) { w.addEventListener(t, function () { btnDown = false; }, true); });
    var busy = function () { return [d.documentElement, d.body].some(function (e) { return e && e.getAttribute('aria-busy') === 'true'; }); };
    var useInView = function (e) { return boxInView(e.getBoundingClientRect()); };
    // progress shown: a short label ending in an ellipsis (o.label, from
    // the walk: "Saving...", "Caricamento…"), a wait/progress cursor on
    // html/body or on the pane that blocks (jQuery BlockUI's overlay, x692),
    // a progress bar or aria-busy element in view, an endless animation of
    // an element in view (a spinner).
    var WAIT = /^(wait|progress)$/;
    var usePseudoEl = function (k) { return k.indexOf('html') === 0 ? d.documentElement : d.body; };
    // legit24: the label of a component in view whose text lives in its
    // shadow tree (a design system's toast, x849), of the first 3000 elements
    var shadowLabel = function () {
      return eachRoot(function (r, host) {
        return useInView(host) && texts(r, function (x) { return ELLIPSIS.test(x.data) && x.data.trim().length <= 60; });
      });
    };
    var busySign = function (o) {
      if (o.label || shadowLabel()) return true;
      var h = d.documentElement, b = d.body, i;
      if ([h, b].concat(o.panes).some(function (e) { return WAIT.test(w.getComputedStyle(e).cursor); })) return true;
      if (o.pseudo.some(function (k) { return WAIT.test(w.getComputedStyle(usePseudoEl(k), k.slice(k.indexOf('::'))).cursor); })) return true;
      var q = d.querySelectorAll('progress,[role="progressbar"],[aria-busy="true"]');
      for (i = 0; i < q.length; i++) if (useInView(q[i])) return true;
      var an = typeof d.getAnimations === 'function' ? d.getAnimations() : [];
      for (i = 0; i < an.length; i++) {
        try {
          var ef = an[i].effect, t = ef && ef.target;
          if (an[i].playState === 'running' && ef.getTiming().iterations === Infinity && t && t.nodeType === 1 && useInView(t)) return true;
        } catch (e) { /* the next */ }
      }
      return false;
    };
    // useStill: a cause the last look saw still stands (cheap reads of the
    // very elements: no walk)
    var useStill = function (o) {
      try {
        return o.inert.some(function (e) { return e.isConnected && e.getAttribute('inert') !== null; }) ||
          o.pe.some(function (e) { return w.getComputedStyle(e).pointerEvents === 'none'; }) ||
          o.panes.some(function (e) { return e.isConnected && w.getComputedStyle(e).pointerEvents !== 'none' && paneShowsNothing(e); }) ||
          o.pseudo.some(function (k) { return paneBefore(usePseudoEl(k), k.slice(k.indexOf('::'))); });
      } catch (e) { return true; }
    };
    // useWatch: while a look has seen a freeze, a change of its cause that
    // ends it (a class taken off html, inert removed, a pane hidden) is seen
    // when it happens: two looks 250 ms apart in two short freezes (x694's
    // 230 ms locks 280 ms apart) are not one long freeze.
    var useWatchMO = null;
    var useGone = function () {
      if (useLast && !useStill(useLast)) { useEnded = true; deadLooks = 0; useLast = null; }
      if (!useLast && useWatchMO) useWatchMO.disconnect();
    };
    var useWatch = function (o) {
      if (typeof MO !== 'function') return;
      if (!useWatchMO) useWatchMO = new MO(useGone);
      var opts = { attributes: true, attributeFilter: ['class', 'style', 'hidden', 'inert'] };
      [d.documentElement, d.body].concat(o.inert, o.panes).forEach(function (e) { if (e) useWatchMO.observe(e, opts); });
    };
    // Our overrides are the page's to take back: when it changes what
    // caused one (the class, inert or pointer-events of html/body; the
    // class, style or hidden of a pane) ours goes (the page's own inline
    // value back) and the page is judged afresh; a cause gone with it means
    // the page ended the freeze itself (x610's save, x615's drag).
    var useLifts = [], useMO = null;
    var useAttr = function (e, k) { return e.getAttribute(k); };
    var useMine = function (l) { return l.key ? netRules[l.key] === 'none' : l.el.style.getPropertyValue('pointer-events') === l.v && l.el.style.getPropertyPriority('pointer-events') === 'important'; };
    var useMoved = function (l) {
      return useAttr(l.el, 'class') !== l.cls || useAttr(l.el, 'inert') !== l.inert || useAttr(l.el, 'hidden') !== l.hidden || !useMine(l) || !l.key && l.v === 'none' && useAttr(l.el, 'style') !== l.css;
    };
    var useStands = function (l) {
      if (l.key) return paneBefore(l.el, l.key.slice(l.key.indexOf('::'), l.key.indexOf(' ')));
      if (l.v === 'auto') return w.getComputedStyle(l.el).pointerEvents === 'none';
      return l.el.isConnected && w.getComputedStyle(l.el).pointerEvents !== 'none' && paneShowsNothing(l.el);
    };
    var useChanged = function (recs) {
      var hit = recs.map(function (r) { return r.target; }), redo = false;
      useLifts = useLifts.filter(function (l) {
        try {
          if (hit.indexOf(l.el) < 0 || !useMoved(l)) return true;
          if (l.key) { delete netRules[l.key]; if (netSheet) writeNet(); } else if (useMine(l)) {
            if (l.was) l.el.style.setProperty('pointer-events', l.was, l.pri); else l.el.style.removeProperty('pointer-events');
          }
          if (!useStands(l)) useEnded = true;
        } catch (e) { /* dropped */ }
        redo = true;
        return false;
      });
      if (redo) { deadLooks = 0; useLast = null; }
      if (useMO) { useMO.takeRecords(); if (!useLifts.length) useMO.disconnect(); }
    };
    var useLift = function (e, v, key) {
      var s = e.style, l = { el: e, v: v, key: key, cls: useAttr(e, 'class'), inert: useAttr(e, 'inert'), hidden: useAttr(e, 'hidden') };
      if (!key) {
        l.was = s.getPropertyValue('pointer-events'); l.pri = s.getPropertyPriority('pointer-events');
        s.setProperty('pointer-events', v, 'important');
        l.css = useAttr(e, 'style');
      }
      useLifts.push(l);
      if (!useMO && typeof MO === 'function') useMO = new MO(useChanged);
      if (useMO) useMO.observe(e, { attributes: true, attributeFilter: ['class', 'style', 'hidden', 'inert'] });
    };
    // The walk's hit test forces a layout of the whole page (≈ 40 ms/s on a
    // live 16k-element grid, BenchmarkShimCost): it runs only when a look
    // that needs no layout finds a suspect — an [inert], pointer-events:
    // none on html/body, a positioned pseudo-element of theirs or a
    // positioned child of html or at the ends of body that takes pointer
    // events and shows little — or for two looks after trusted pointer
    // input went to html/body (a pane or inert content elsewhere).
    var poked = 0;
    ['pointermove', 'pointerdown'].forEach(function (t) {
      w.addEventListener(t, function (e) { if (e.isTrusted && (e.target === d.documentElement || e.target === d.body)) poked = 2; }, true);
    });
    // [inert] anywhere: the whole document is queried (≈ 0.5 ms on a
    // 16k-element page, at every look) only when the one found last lost it
    // or left; else only what changed since is read (added elements, inert
    // attributes), from an observer of the whole document from load on
    // (before, the parser's records would cost more than the query).
    var inertEl, inertMO = null; // null: none since the last query
    var inertNote = function (recs) {
      for (var i = 0, r, ns, n, j, x; i < recs.length && !inertEl; i++) {
        r = recs[i]; ns = r.addedNodes || [];
        if (r.type === 'attributes') { if (hasAttr.call(r.target, 'inert')) inertEl = r.target; continue; }
        for (j = 0; j < ns.length && !inertEl; j++) {
          n = ns[j]; x = null;
          if (n.nodeType === 1 && hasAttr.call(n, 'inert')) x = n;
          else if ((n.nodeType === 1 || n.nodeType === 11) && n.firstElementChild) x = n.querySelector('[inert]');
          if (x) inertEl = x;
        }
      }
    };
    // a record that cannot be read (a node of the page's that throws) is
    // read by the next query
    var inertRead = function (recs) { try { inertNote(recs); } catch (e) { inertEl = undefined; } };
    w.addEventListener('load', function () {
      try {
        if (typeof MO === 'function') (inertMO = new MO(inertRead)).observe(d, { childList: true, subtree: true, attributes: true, attributeFilter: ['inert'] });
      } catch (e) { inertMO = null; }
    });
    var inertAny = function () {
      if (inertMO) inertRead(inertMO.takeRecords());
      else inertEl = undefined; // no observer: every look queries
      if (inertEl === null) return false;
      if (!inertEl || !(inertEl.ownerDocument === d && rd(inertEl, 'isConnected') && hasAttr.call(inertEl, 'inert'))) inertEl = d.querySelector('[inert]');
      return !!inertEl;
    };
    var suspect = function () {
      var h = d.documentElement, b = d.body, i, cs;
      if (!b) return false;
      if (poked > 0) { poked--; return true; }
      if (inertAny()) return true;
      if (w.getComputedStyle(h).pointerEvents === 'none' || w.getComputedStyle(b).pointerEvents === 'none') return true;
      for (i = 0; i < 4; i++) {
        cs = w.getComputedStyle(i < 2 ? h : b, i % 2 ? '::after' : '::before');
        if (positioned(cs) && drawnCS(cs)) return true;
      }
      return paneSeen; // the cover watch's look, this tick
    };
    useTick = function () {
      // a pane the page took out: it ended that freeze; judged afresh
      useLifts = useLifts.filter(function (l) { if (l.el.isConnected) return true; useEnded = true; deadLooks = 0; return false; });
      var o = btnDown || !suspect() ? null : dead();
      if (!o || !(o.inert.length || o.panes.length || o.pseudo.length || o.pe.length) || useHeld() || busy()) {
        if (useLast && !useStill(useLast)) useEnded = true;
        deadLooks = 0; useLast = null;
        if (useWatchMO) useWatchMO.disconnect();
        return;
      }
      useLast = o;
      useWatch(o);
      if (++deadLooks < 2 || deadLooks < BUSY && (useEnded || busySign(o))) return;
      useLast = null; // what follows is ours, not the page ending it
      if (useWatchMO) useWatchMO.disconnect();
      count('input');
      if (!act) return;
      o.inert.forEach(function (e) { e.removeAttribute('inert'); });
      o.panes.forEach(function (e) { useLift(e, 'none'); });
      // body only when it is still none with html lifted: an override on a
      // body that inherits the freeze has no cause of its own the page can
      // take back (x694: it stayed, and voided every later lock)
      o.pe.forEach(function (e) { if (w.getComputedStyle(e).pointerEvents === 'none') useLift(e, 'auto'); });
      if (o.pseudo.length && netOK()) try { o.pseudo.forEach(function (k) { netRules[k + ' pointer-events'] = 'none'; useLift(usePseudoEl(k), 'none', k + ' pointer-events'); }); useNet(); } catch (e) { /* the pane stays */ }
      if (useMO) useMO.takeRecords();
    };
  }

  unnote(); // from here on, not ours to keep

  // hookedDOM: [interface, member, ['value'|'get'|'set']] for every member
  // of a DOM prototype this shim replaced (delegate, above)
  if (nativeOf) {
    hookedDOM = [];
    before0.forEach(function (x) {
      var o = x[0], was = x[1], n = x[2];
      if (!n || n === 'Object' || n === 'Reflect' || n === 'Function') return;
      for (var k in was) {
        var now, fs = [];
        try { now = gopd0(o, k); } catch (e) { continue; }
        if (!now) continue;
        ['value', 'get', 'set'].forEach(function (f) { if (typeof was[k][f] === 'function' && now[f] !== was[k][f]) fs.push(f); });
        if (fs.length) hookedDOM.push([n, k, fs]);
      }
    });
  }

  // --- wrappers look native -----------------------------------------------
  if (nativeOf) {
    before0.forEach(function (x) {
      var o = x[0], was = x[1];
      for (var k in was) {
        var now;
        try { now = gopd0(o, k); } catch (e) { continue; }
        if (!now) continue;
        ['value', 'get', 'set'].forEach(function (f) {
          if (typeof was[k][f] === 'function' && typeof now[f] === 'function' && now[f] !== was[k][f]) looksNative(now[f], was[k][f]);
        });
      }
    });
    var FP0 = Function.prototype, ftos = FP0.toString;
    // a method: like the native one, no prototype and not a constructor
    var toString = { toString() { return RA(ftos, typeof this === 'function' && nativeOf.get(this) || this, []); } }.toString;
    def(FP0, 'toString', { value: toString, writable: true, configurable: true, enumerable: false });
    looksNative(toString, ftos);
  }
})();
