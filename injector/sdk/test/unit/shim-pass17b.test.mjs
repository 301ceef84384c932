// Tests of the shim against the seventeenth pass's navigation, clean-window
// and Trusted Types escapes (docs/framebusting-passes.md, x500–x503, x518): blob:
// documents, same-origin documents that are not HTML, history steps past the
// CRM, a page replacing what the click path reads, and a Trusted Types
// default policy undoing the swap. A small DOM in a vm realm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

// The DOM: accessors on prototypes (as in a browser, so that a page can
// replace them), blobs kept as byte strings, a synchronous XHR that reads
// them back (x-user-defined: one character per byte, 80-FF as U+F780-U+F7FF).
const DOM = `
  function Node() {} function Element() {} Element.prototype = Object.create(Node.prototype);
  function HTMLElement() {} HTMLElement.prototype = Object.create(Element.prototype);
  function HTMLAnchorElement() {} HTMLAnchorElement.prototype = Object.create(HTMLElement.prototype);
  function HTMLFormElement() {} HTMLFormElement.prototype = Object.create(HTMLElement.prototype);
  function HTMLIFrameElement() {} HTMLIFrameElement.prototype = Object.create(HTMLElement.prototype);
  function Document() {} Document.prototype = Object.create(Node.prototype);
  var NP = Node.prototype, EP = Element.prototype;
  Object.defineProperty(NP, 'nodeType', { get: function () { return this._type || 1; }, configurable: true });
  Object.defineProperty(NP, 'parentNode', { get: function () { return this._parent || null; }, configurable: true });
  Object.defineProperty(NP, 'isConnected', { get: function () { return !!this._connected; }, configurable: true });
  Object.defineProperty(NP, 'ownerDocument', { get: function () { return document; }, configurable: true });
  Object.defineProperty(EP, 'localName', { get: function () { return this._name; }, configurable: true });
  Object.defineProperty(Document.prototype, 'defaultView', { get: function () { return window; }, configurable: true });
  // (no .call: a test replaces Function.prototype.call)
  EP.getAttribute = function (k) { return this['attr:' + k] === undefined ? null : this['attr:' + k]; };
  EP.hasAttribute = function (k) { return this['attr:' + k] !== undefined; };
  EP.setAttribute = function (k, v) { this['attr:' + k] = String(v); };
  HTMLElement.prototype.click = function () { clicks.push(this.getAttribute('href') + ' ' + this.getAttribute('target')); };
  HTMLFormElement.prototype.submit = function () {};
  Object.defineProperty(HTMLIFrameElement.prototype, 'contentWindow', { get: function () { return this._cw; }, configurable: true });
  Object.defineProperty(HTMLIFrameElement.prototype, 'contentDocument', { get: function () { return this._cw && this._cw.document; }, configurable: true });
  Document.prototype.querySelector = function () { return null; };
  Document.prototype.addEventListener = function (t, f, capture) { if (t === 'load' && capture) this._loadListener = f; };
  function MutationObserver() {} MutationObserver.prototype.observe = function () {};
  function el(name, attrs) { var e = new (name === 'a' ? HTMLAnchorElement : name === 'iframe' ? HTMLIFrameElement : HTMLElement)(); e._name = name; for (var k in attrs || {}) e['attr:' + k] = attrs[k]; return e; }
  function Event(type, path) { this._t = type; this._path = path; }
  Event.prototype.composedPath = function () { return this._path.slice(); };
  Object.defineProperty(Event.prototype, 'type', { get: function () { return this._t; }, configurable: true });
  Object.defineProperty(Event.prototype, 'target', { get: function () { return this._path[0]; }, configurable: true });
  function History() {}
  History.prototype.go = function (n) { steps.push(arguments.length ? n : 'go()'); };
  History.prototype.back = function () { steps.push('back'); };
  History.prototype.forward = function () { steps.push('forward'); };
  var history = new History();
  var blobs = {}, nextBlob = 0;
  function Blob(parts, o) {
    var s = '';
    parts.forEach(function (p) {
      if (typeof p === 'string') s += unescape(encodeURIComponent(p));
      else for (var i = 0; i < p.length; i++) s += String.fromCharCode(p[i]);
    });
    this._bytes = s; this._type = o && o.type ? String(o.type).toLowerCase() : '';
  }
  Object.defineProperty(Blob.prototype, 'type', { get: function () { if (!(this instanceof Blob)) throw new TypeError('Illegal invocation'); return this._type; }, configurable: true });
  Blob.prototype.slice = function (a, b) { var x = new Blob([]); x._bytes = this._bytes.slice(a, b); return x; };
  var URL = function (u, base) {
    u = String(u);
    this.href = /^[a-z][\\w+.-]*:/i.test(u) ? u : u.charAt(0) === '/' ? /^\\w+:\\/\\/[^/]+/.exec(base)[0] + u : base.replace(/[^/]*$/, '') + u;
    this.origin = (/^(https?:\\/\\/[^/]+)/.exec(this.href) || [0, 'null'])[1];
  };
  URL.createObjectURL = function (b) { var u = 'blob:https://crm.test/' + (++nextBlob); blobs[u] = b; return u; };
  URL.revokeObjectURL = function (u) { delete blobs[u]; };
  function XMLHttpRequest() {}
  XMLHttpRequest.prototype.open = function (m, u, async) { this._u = u; if (async !== false) throw new Error('sync only'); };
  XMLHttpRequest.prototype.overrideMimeType = function (t) { this._raw = /x-user-defined/.test(t); };
  XMLHttpRequest.prototype.send = function () { var b = blobs[this._u]; if (!b) throw new Error('revoked ' + this._u); this._bytes = b._bytes; };
  Object.defineProperty(XMLHttpRequest.prototype, 'responseText', { get: function () {
    var s = this._bytes;
    return this._raw ? s.replace(/[\\x80-\\xff]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) + 0xf700); }) : decodeURIComponent(escape(s));
  }, configurable: true });
  var document = new Document();
  document.baseURI = 'https://crm.test/app/a.html';
  document.contentType = contentType;
  document.currentScript = protocol === 'http:' ? { getAttribute: function () { return null; }, src: 'https://crm.test/__crmframe/sdk.js?v=1', nonce: 'n1',
    outerHTML: '<script src="/__crmframe/sdk.js?v=1&amp;a" data-crmframe-prefix="/__crmframe" nonce=""></script>' } : null;
  function bytesOf(u) { return blobs[u] && blobs[u]._bytes; }
  function typeOf(u) { return blobs[u] && blobs[u]._type; }
`;

// realm: a window framed by a foreign desktop (the CRM root), or, with
// parent, a frame of that window; contentType: its document's; runShim
// false: a realm the shim was not run in (a frame's clean window).
function realm({ parent = null, desk = { name: 'desk' }, contentType = 'text/html', protocol = 'http:', runShim = true, tt = null, nav = null, mode = null } = {}) {
  const calls = { opened: [], clicks: [], steps: [], listeners: [] };
  const w = {
    console,
    setTimeout: () => 1,
    setInterval: () => 2,
    open: (url, target) => { calls.opened.push([url, target]); return null; },
    addEventListener: (type, f, capture) => { calls.listeners.push([type, f, capture]); },
    TextDecoder, TextEncoder, Uint8Array, unescape, escape, encodeURIComponent, decodeURIComponent,
  };
  w.window = w;
  w[Symbol.toStringTag] = 'Window';
  Object.defineProperty(w, 'top', { get: () => desk, enumerable: true });
  w.parent = parent || desk;
  w.frameElement = null;
  if (tt) w.trustedTypes = tt;
  if (nav) w.navigation = nav;
  if (mode) w.__crmframe_breakout = mode;
  const ctx = vm.createContext(w);
  for (const k of ['Object', 'Reflect', 'Function', 'eval', 'String']) w[k] = vm.runInContext(k, ctx);
  w.location = vm.runInContext(`({ href: 'https://crm.test/app/a.html', origin: 'https://crm.test', protocol: ${JSON.stringify(protocol)}, ancestorOrigins: ['http://desk.test'] })`, ctx);
  Object.assign(ctx, { clicks: calls.clicks, steps: calls.steps, contentType, protocol });
  vm.runInContext(DOM, ctx);
  if (runShim) vm.runInContext(shim, ctx, { filename: 'shim.js' });
  const run = (code) => vm.runInContext(code, ctx);
  return { w, calls, desk, run };
}

// listener: the shim's capture listener for type on the window.
const listener = (r, type) => r.calls.listeners.find((l) => l[0] === type && l[2] === true)[1];

test('x503: the click path reads what the page had when the shim ran (composedPath, getters, toLowerCase, call)', () => {
  const r = realm();
  const onClick = listener(r, 'click');
  r.run(`var a = el('a', { href: 'x503.html?step=3', target: '_TOP' }); a._parent = document.body = el('body');`);
  // the page hides the path, lies about the node and the target's case,
  // and replaces Function.prototype.call/apply
  r.run(`Event.prototype.composedPath = function () { return []; };
    Object.defineProperty(Element.prototype, 'localName', { get: function () { return 'div'; }, configurable: true });
    Object.defineProperty(Node.prototype, 'nodeType', { get: function () { return 3; }, configurable: true });
    String.prototype.toLowerCase = function () { return 'x'; };
    Element.prototype.hasAttribute = function () { return false; };
    Function.prototype.call = Function.prototype.apply = function () { return false; };`);
  onClick(r.run('new Event("click", [a, document.body])'));
  assert.equal(r.run(`a['attr:target']`), '_self', 'retargeted: at the CRM root _top is _self');
  assert.equal(r.w.__crmframe.stats.target, 1);
  // a detached link clicked through the page's click(): its ancestors
  r.run(`var b = el('a', { href: 'y.html', target: '_top' }); b.click();`);
  assert.equal(r.run(`b['attr:target']`), '_self');
  // a link to elsewhere in the CRM is left alone
  r.run(`var c = el('a', { href: 'z.html', target: 'pane' });`);
  onClick(r.run('new Event("click", [c])'));
  assert.equal(r.run(`c['attr:target']`), 'pane');
  assert.equal(r.w.__crmframe.stats.target, 2);
});

test('x502: history steps past the CRM\'s own entries are refused and counted; steps inside pass', () => {
  // the CRM root at its second entry of three (one forward)
  const nav = { currentEntry: { index: 1 }, entries: () => [{}, {}, {}] };
  const r = realm({ nav });
  r.run(`history.go(-(3)); history.go(-1); history.back(); history.go(2); history.go(1); history.forward(); history.go(0); history.go(); history.go('-1')`);
  assert.deepEqual(r.calls.steps, [-1, 'back', 1, 'forward', 0, 'go()', -1]);
  assert.equal(r.w.__crmframe.stats.history, 2);
  // at its first entry, back() would leave the CRM: refused
  const first = realm({ nav: { currentEntry: { index: 0 }, entries: () => [{}] } });
  first.run('history.back(); history.forward()');
  assert.deepEqual(first.calls.steps, []);
  // a nested CRM frame at its first entry: the root's entries count too
  const child = realm({ parent: r.w, desk: r.desk, nav: { currentEntry: { index: 0 }, entries: () => [{}] } });
  child.run('history.back(); history.go(-2)');
  assert.deepEqual(child.calls.steps, ['back']);
  // detect mode counts and lets it happen; without the Navigation API nothing is known
  const detect = realm({ nav, mode: 'detect' });
  detect.run('history.go(-3)');
  assert.deepEqual(detect.calls.steps, [-3]);
  assert.equal(detect.w.__crmframe.stats.history, 1);
  const old = realm();
  old.run('history.go(-5)');
  assert.deepEqual(old.calls.steps, [-5]);
});

// Trusted Types: policies call their rules; isScript/isHTML know their own objects.
function fakeTT() {
  class TrustedScript { constructor(s) { this.s = s; } toString() { return this.s; } }
  class TrustedHTML { constructor(s) { this.s = s; } toString() { return this.s; } }
  const policies = {};
  return {
    policies,
    TrustedScript,
    isScript: (v) => v instanceof TrustedScript,
    isHTML: (v) => v instanceof TrustedHTML,
    createPolicy(name, rules) {
      const p = {};
      if (rules.createScript) p.createScript = (s, t, sink) => { const r = rules.createScript(s, t, sink); return r == null ? null : new TrustedScript(r); };
      if (rules.createHTML) p.createHTML = (s, t, sink) => new TrustedHTML(rules.createHTML(s, t, sink));
      if (rules.createScriptURL) p.createScriptURL = (s, t, sink) => String(rules.createScriptURL(s, t, sink));
      policies[name] = p;
      return p;
    },
  };
}

test('x518: what a Trusted Types default policy returns is swapped again; a refusal stays one', () => {
  const tt = fakeTT();
  const r = realm({ tt });
  const undo = (s) => s.replace(/__[a-z]+_vtop\((\w+)\)/g, '$1').replace(/__[a-z]+_top\b/g, 'top');
  r.w.trustedTypes.createPolicy('default', { createScript: undo, createHTML: undo });
  const def = tt.policies.default;
  // the browser hands the default policy the string our setTimeout swapped
  const swapped = r.w.__crmframe_code('if (top !== self) top.location.href = u');
  assert.equal(String(def.createScript(swapped, 'TrustedScript', 'Window setTimeout')), 'if (__crmframe_vtop(top) !== self) __crmframe_vtop(top).location.href = u');
  assert.equal(String(def.createHTML('<img onerror="top.location = 1">', 'TrustedHTML', 'Element innerHTML')), '<img onerror="__crmframe_vtop(top).location = 1">');
  assert.equal(def.createScriptURL, undefined, 'a rule the page did not give stays absent (the sink refuses)');
  // a default policy that refuses
  const tt2 = fakeTT();
  const r2 = realm({ tt: tt2 });
  r2.w.trustedTypes.createPolicy('default', { createScript: () => null });
  assert.equal(tt2.policies.default.createScript('top.location = 1'), null);
  // other policies are the page's own business: as given
  r2.w.trustedTypes.createPolicy('app', { createScript: undo });
  assert.equal(String(tt2.policies.app.createScript('__crmframe_vtop(top)')), 'top');
});

test('Trusted Types objects are recognised and rewrapped through what the shim found, not what the page put there later', () => {
  const tt = fakeTT();
  const r = realm({ tt });
  const page = tt.createPolicy('app', { createScript: (s) => s });
  const ts = page.createScript('top.location = 1');
  r.w.trustedTypes = { isScript: () => false, isHTML: () => false, createPolicy: () => ({ createScript: () => ts }) };
  tt.createPolicy = () => { throw new Error('replaced'); };
  const out = r.w.__crmframe_code(ts);
  assert.equal(String(out), '__crmframe_vtop(top).location = 1');
  assert.ok(tt.isScript(out));
});

const text = (r, u) => r.run(`decodeURIComponent(escape(bytesOf(${JSON.stringify(u)})))`);

test('x500: an HTML blob gets the swap and always the shim; its URL is a new blob\'s', () => {
  const r = realm();
  const tag = '<script data-crmframe-autoconnect="false" src="https://crm.test/__crmframe/sdk.js?v=1&amp;a" data-crmframe-prefix="/__crmframe" nonce="n1"></script>';
  const u = r.run(`URL.createObjectURL(new Blob(["<!doctype html><title>g</title><script>if (top !== parent) f()<\\/script>"], { type: 'text/html' }))`);
  assert.equal(text(r, u), '<!doctype html>' + tag + '<title>g</title><script>if (__crmframe_vtop(top) !== parent) f()</script>');
  assert.equal(r.run(`typeOf(${JSON.stringify(u)})`), 'text/html');
  // nothing to swap: the shim all the same (its realm is clean)
  const plain = r.run(`URL.createObjectURL(new Blob(['<p>Dear customer'], { type: 'text/html;charset=utf-8' }))`);
  assert.equal(text(r, plain), tag + '<p>Dear customer');
  // no type: sniffed as Chromium does; text stays text
  const sniffed = r.run(`URL.createObjectURL(new Blob(['\\n  <P>hi']))`);
  assert.equal(text(r, sniffed), tag + '\n  <P>hi');
  for (const [body, type] of [['just text <p>', ''], ['<p>shown as text', 'text/plain'], ['{"a": 1}', 'application/json']]) {
    const u2 = r.run(`URL.createObjectURL(new Blob([${JSON.stringify(body)}], { type: ${JSON.stringify(type)} }))`);
    assert.equal(text(r, u2), body);
    assert.equal(r.run(`blobs[${JSON.stringify(u2)}]._type`), type, 'the page\'s own blob');
  }
  assert.equal(r.run('URL.createObjectURL({})'), 'blob:https://crm.test/' + r.run('nextBlob'), 'not a blob: as the browser has it');
});

test('x500: blob documents keep their bytes (windows-1252, a BOM), UTF-16 is sent as UTF-8, XML gets a namespaced tag inside its root', () => {
  const r = realm();
  // é in windows-1252 (E9) after a UTF-8 BOM-less doctype: byte for byte, plus the tag
  const u = r.run(`URL.createObjectURL(new Blob([new Uint8Array([60, 33, 100, 111, 99, 116, 121, 112, 101, 32, 104, 116, 109, 108, 62, 0xe9])], { type: 'text/html; charset=windows-1252' }))`);
  const bytes = r.run(`bytesOf(${JSON.stringify(u)})`);
  assert.ok(bytes.startsWith('<!doctype html><script data-crmframe-autoconnect="false" '), bytes);
  assert.equal(bytes.charCodeAt(bytes.length - 1), 0xe9);
  assert.equal(r.run(`typeOf(${JSON.stringify(u)})`), 'text/html; charset=windows-1252');
  // a UTF-8 BOM stays first
  const bom = r.run(`URL.createObjectURL(new Blob(['\\ufeff<p>é'], { type: 'text/html' }))`);
  assert.ok(text(r, bom).startsWith('\ufeff<script '));
  assert.ok(text(r, bom).endsWith('></script><p>é'));
  // UTF-16LE with a BOM
  const le = [0xff, 0xfe, ...[...'<p>top'].flatMap((c) => [c.charCodeAt(0), 0])];
  const wide = r.run(`URL.createObjectURL(new Blob([new Uint8Array(${JSON.stringify(le)})], { type: 'text/html' }))`);
  assert.ok(/^<script [^>]*><\/script><p>top$/.test(text(r, wide)), text(r, wide));
  assert.equal(r.run(`typeOf(${JSON.stringify(wide)})`), 'text/html;charset=utf-8');
  // SVG: the tag inside the root, in the XHTML namespace
  const svg = r.run(`URL.createObjectURL(new Blob(['<?xml version="1.0"?>\\n<!-- c --><svg xmlns="http://www.w3.org/2000/svg" a="x>y"><script>top.location = 1</script></svg>'], { type: 'image/svg+xml' }))`);
  assert.ok(/^<\?xml version="1.0"\?>\n<!-- c --><svg xmlns="http:\/\/www.w3.org\/2000\/svg" a="x>y"><script xmlns="http:\/\/www.w3.org\/1999\/xhtml" data-crmframe-autoconnect="false" src="[^"]+"[^>]*><\/script><script>__crmframe_vtop\(top\).location = 1<\/script><\/svg>$/.test(text(r, svg)), text(r, svg));
  // an empty root: nothing runs, nothing changes
  const empty = r.run(`var e = new Blob(['<svg xmlns="http://www.w3.org/2000/svg"/>'], { type: 'image/svg+xml' }); URL.createObjectURL(e)`);
  assert.equal(text(r, empty), '<svg xmlns="http://www.w3.org/2000/svg"/>');
});

test('x500: a download link to a swapped blob saves the original; revoking the URL revokes both', () => {
  const r = realm();
  const u = r.run(`var u = URL.createObjectURL(new Blob(['<p>report'], { type: 'text/html' })); u`);
  r.run(`var a = el('a', { href: u, download: 'report.html' }); a.click();`);
  const orig = r.run(`a['attr:href']`);
  assert.notEqual(orig, u);
  assert.equal(text(r, orig), '<p>report');
  // a preview link (no download attribute) keeps the swapped one
  r.run(`var p = el('a', { href: u, target: 'pv' }); p.click();`);
  assert.equal(r.run(`p['attr:href']`), u);
  r.run('URL.revokeObjectURL(u)');
  assert.equal(r.run(`Object.keys(blobs).filter(function (k) { return k === u || k === a['attr:href']; }).length`), 0);
});

test('x501: a same-origin frame showing a text document is adopted when its window is read or it loads; HTML and other origins are not', () => {
  const root = realm();
  const txt = realm({ parent: root.w, desk: root.desk, contentType: 'text/plain', runShim: false });
  root.run(`var f = el('iframe', { src: 'help.txt' });`);
  root.run('f')._cw = txt.w;
  assert.equal(Object.prototype.hasOwnProperty.call(txt.w, '__crmframe'), false);
  assert.equal(root.run('f.contentWindow'), txt.w);
  assert.equal(txt.w.__crmframe.marker, 'crmframe');
  assert.equal(txt.w.__crmframe.virtualTop, root.w);
  // its clean open() used on the CRM window: now the adopted one
  txt.run(`open.call(window, 'x501.html?step=3', '_top')`);
  assert.deepEqual(txt.calls.opened, [['x501.html?step=3', '__crmframe_root']]);
  assert.equal(root.w.__crmframe.stats.adopt, 1);
  // an HTML page still loading (before its own shim), or another origin: left alone
  const page = realm({ parent: root.w, desk: root.desk, contentType: 'text/html', runShim: false });
  root.run(`var g = el('iframe', { src: 'crm.html' }); g`)._cw = page.w;
  root.run('g.contentDocument');
  const other = realm({ parent: root.w, desk: root.desk, contentType: 'text/plain', runShim: false });
  root.run(`var h = el('iframe', { src: 'https://elsewhere.test/a.txt' }); h`)._cw = other.w;
  root.run('h.contentWindow');
  assert.equal(Object.prototype.hasOwnProperty.call(page.w, '__crmframe'), false);
  assert.equal(Object.prototype.hasOwnProperty.call(other.w, '__crmframe'), false);
  // at the frame's load (the document's capture listener) whatever its src says
  const json = realm({ parent: root.w, desk: root.desk, contentType: 'application/json', runShim: false });
  root.run(`var j = el('iframe', { src: 'https://elsewhere.test/redirects-home' }); j`)._cw = json.w;
  const onLoad = root.run('document')._loadListener;
  assert.equal(typeof onLoad, 'function');
  onLoad(root.run('new Event("load", [j])'));
  assert.equal(json.w.__crmframe.marker, 'crmframe');
  assert.equal(root.w.__crmframe.stats.adopt, 2);
});
