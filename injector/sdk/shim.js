/* crmframe frame-busting shim: runs first in every CRM page (see docs/framebusting.md). */
(function () {
  'use strict';
  var w = window, d = document;
  if (Object.prototype.hasOwnProperty.call(w, '__crmframe')) return;

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
  var root = vtop === w;
  var foreign = framed && root; // the CRM root framed by a foreign desktop

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
      get: function () { return this.top; },
      set: function (v) { Reflect.set(Object(this), 'top', v, this); }, // never throws where x.top = v would not
      configurable: true,
      enumerable: false
    });
  }
  if (!framed || mode === 'off') return;

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
  // leaves reports whether navigating target t would leave the CRM.
  var leaves = function (t) {
    t = String(t || '').toLowerCase();
    return t === '_top' || (t === '_parent' && root);
  };
  var baseTarget = function () {
    var b = d.querySelector('base[target]');
    return b ? b.getAttribute('target') : '';
  };
  var retarget = function (el, attr) {
    var t = el.hasAttribute(attr) ? el.getAttribute(attr) : baseTarget();
    if (!leaves(t)) return;
    count('target');
    if (act) el.setAttribute(attr, rootName());
  };
  w.addEventListener('click', function (e) {
    var n = e.target;
    while (n && n.nodeType === 1 && !((n.localName === 'a' || n.localName === 'area') && n.hasAttribute('href'))) n = n.parentNode;
    if (n && n.nodeType === 1) retarget(n, 'target');
  }, true);
  var fixForm = function (f, submitter) {
    if (submitter && submitter.hasAttribute && submitter.hasAttribute('formtarget')) retarget(submitter, 'formtarget');
    else retarget(f, 'target');
  };
  w.addEventListener('submit', function (e) { fixForm(e.target, e.submitter); }, true);
  var submit = HTMLFormElement.prototype.submit;
  HTMLFormElement.prototype.submit = function () {
    fixForm(this, null);
    return submit.apply(this, arguments);
  };
  var open = w.open;
  w.open = function (url, target) {
    var a = Array.prototype.slice.call(arguments);
    if (leaves(target)) {
      count('open');
      if (act) a[1] = rootName();
    }
    return open.apply(this, a);
  };

  // --- blanking guard ----------------------------------------------------
  var blank = function (v) { return v == null || String(v).trim() === ''; };
  var guard = function (proto, prop) {
    var desc = Object.getOwnPropertyDescriptor(proto, prop);
    if (!desc || !desc.set) return;
    def(proto, prop, {
      get: desc.get,
      set: function (v) {
        if ((this === d.body || this === d.documentElement) && blank(v)) {
          count('blank');
          if (act) return;
        }
        desc.set.call(this, v);
      },
      configurable: true,
      enumerable: desc.enumerable
    });
  };
  guard(Element.prototype, 'innerHTML');
  guard(Element.prototype, 'outerHTML');
  guard(Node.prototype, 'textContent');
  guard(HTMLElement.prototype, 'innerText');

  // After load, document.open()/write() replace the page. An open() is held
  // back until something non-blank is written; blank writes are dropped.
  var DP = Document.prototype;
  var dOpen = DP.open, dWrite = DP.write, dWriteln = DP.writeln, dClose = DP.close;
  var held = false, streaming = false;
  var loaded = function (doc) { return doc === d && doc.readyState === 'complete' && !streaming; };
  DP.open = function () {
    if (arguments.length < 3 && loaded(this)) {
      count('open-held');
      if (act) { held = true; return this; }
    }
    streaming = this === d;
    return dOpen.apply(this, arguments);
  };
  var writer = function (fn) {
    return function () {
      if (this === d && (held || loaded(this))) {
        var text = Array.prototype.join.call(arguments, '');
        if (blank(text)) {
          count('blank');
          if (act) return;
        }
        if (held) { held = false; streaming = true; dOpen.call(this); }
        else streaming = true;
      }
      return fn.apply(this, arguments);
    };
  };
  DP.write = writer(dWrite);
  DP.writeln = writer(dWriteln);
  DP.close = function () {
    if (this === d && held) { held = false; return; }
    if (this === d) streaming = false;
    return dClose.apply(this, arguments);
  };

  // --- hide-by-default safety net ----------------------------------------
  var reveal = function () {
    [d.documentElement, d.body].forEach(function (el) {
      if (!el) return;
      var cs = w.getComputedStyle(el), s = el.style, hit = false;
      if (cs.display === 'none' && s.display !== 'none') { hit = true; if (act) s.setProperty('display', 'block', 'important'); }
      if (cs.visibility === 'hidden' && s.visibility !== 'hidden') { hit = true; if (act) s.setProperty('visibility', 'visible', 'important'); }
      if (cs.opacity === '0' && s.opacity !== '0') { hit = true; if (act) s.setProperty('opacity', '1', 'important'); }
      if (hit) count('unhide');
    });
  };
  w.addEventListener('load', function () { setTimeout(reveal, 250); });
})();
