// Tests of the shim against the seventeenth adversarial pass
// (docs/framebusting.md, x504–x517): blanking that no hooked method or
// setter sees, undone from the records of a MutationObserver on the
// children of the document, <html> and <body>; hides that change no
// attribute, found by the hide net's 250 ms look at computed values. A
// small live DOM in a vm realm whose observer records are delivered and
// timers run by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { shimRealm } from './fakes.mjs';

const shim = fs.readFileSync(fileURLToPath(new URL('../../shim.js', import.meta.url)), 'utf8');

// Nodes keep childNodes/parentNode; every insertion and removal makes a
// childList record for the observers of its parent (no subtree), queued
// until deliver(); detach(n) takes n out as a method the shim does not
// hook would (Range.deleteContents, setHTMLUnsafe). Computed display/visibility/opacity come from the inline
// style, else from e.sheet (what a stylesheet gives: no attribute changes).
const DOM = `
  var observers = [], queue = [];
  function Node() {} function Element() {} Element.prototype = Object.create(Node.prototype);
  function HTMLElement() {} HTMLElement.prototype = Object.create(Element.prototype);
  function Document() {} Document.prototype = Object.create(Node.prototype);
  function DocumentFragment() {} DocumentFragment.prototype = Object.create(Node.prototype);
  function HTMLFormElement() {} HTMLFormElement.prototype = Object.create(HTMLElement.prototype);
  HTMLFormElement.prototype.submit = function () {};
  function Style() { this.p = {}; this.i = {}; }
  Style.prototype.getPropertyValue = function (k) { return this.p[k] || ''; };
  Style.prototype.getPropertyPriority = function (k) { return this.i[k] ? 'important' : ''; };
  Style.prototype.setProperty = function (k, v, imp) { this.p[k] = v; this.i[k] = !!imp; };
  Style.prototype.removeProperty = function (k) { delete this.p[k]; delete this.i[k]; };
  Object.defineProperty(Style.prototype, 'cssText', { get: function () { return JSON.stringify([this.p, this.i]); }, set: function (t) { var a = JSON.parse(t); this.p = a[0]; this.i = a[1]; } });
  ['display', 'visibility', 'opacity'].forEach(function (k) { Object.defineProperty(Style.prototype, k, { get: function () { return this.p[k] || ''; } }); });
  var NP = Node.prototype, EP = Element.prototype;
  var record = function (t, added, removed, prev, next) {
    observers.forEach(function (o) { if (o.targets.indexOf(t) >= 0) queue.push([o, { type: 'childList', target: t, addedNodes: added, removedNodes: removed, previousSibling: prev, nextSibling: next }]); });
  };
  var detach = function (c) {
    var p = c.parentNode;
    if (!p) return;
    var i = p.childNodes.indexOf(c);
    p.childNodes.splice(i, 1); c.parentNode = null;
    record(p, [], [c], p.childNodes[i - 1] || null, p.childNodes[i] || null);
  };
  NP.insertBefore = function (c, ref) {
    detach(c);
    var k = this.childNodes, i = ref ? k.indexOf(ref) : -1;
    if (i < 0) i = k.length;
    k.splice(i, 0, c); c.parentNode = this;
    record(this, [c], [], k[i - 1] || null, k[i + 1] || null);
    return c;
  };
  NP.appendChild = function (c) { return this.insertBefore(c, null); };
  NP.removeChild = function (c) { detach(c); return c; };
  EP.remove = function () { detach(this); };
  EP.replaceWith = function (n) { var p = this.parentNode; p.insertBefore(n, this); detach(this); };
  EP.replaceChildren = function () { this.childNodes.slice().forEach(detach); for (var i = 0; i < arguments.length; i++) this.appendChild(arguments[i]); };
  Object.defineProperty(NP, 'isConnected', { get: function () { for (var n = this; n; n = n.parentNode) if (n === document) return true; return false; } });
  Object.defineProperty(NP, 'firstChild', { get: function () { return this.childNodes[0] || null; } });
  Object.defineProperty(NP, 'lastChild', { get: function () { return this.childNodes[this.childNodes.length - 1] || null; } });
  var sib = function (n, d) { var k = n.parentNode ? n.parentNode.childNodes : []; return k[k.indexOf(n) + d] || null; };
  Object.defineProperty(NP, 'nextSibling', { get: function () { return sib(this, 1); } });
  Object.defineProperty(NP, 'previousSibling', { get: function () { return sib(this, -1); } });
  Object.defineProperty(NP, 'textContent', { get: function () { return this.nodeType === 3 ? this.data : this.childNodes.map(function (c) { return c.textContent; }).join(''); } });
  var META = /^(html|head|body|title|meta|link|style|script|base|template)$/;
  EP.querySelector = Document.prototype.querySelector = function () { var hit = null; (function walk(n) { n.childNodes.forEach(function (c) { if (!hit && c.nodeType === 1) { if (!META.test(c.localName)) hit = c; else walk(c); } }); })(this); return hit; };
  EP.querySelectorAll = function () { return []; };
  EP.getAttribute = function () { return null; };
  EP.contains = function (x) { for (; x; x = x.parentNode) if (x === this) return true; return false; };
  EP.getBoundingClientRect = function () { return { left: 0, top: 0, width: 100, height: 20, right: 100, bottom: 20 }; };
  function mk(name, kids) { var e = new HTMLElement(); e.nodeType = 1; e.localName = name; e.style = new Style(); e.sheet = {}; e.childNodes = []; (kids || []).forEach(function (c) { e.appendChild(c); }); return e; }
  function text(s) { var t = new Node(); t.nodeType = 3; t.data = s; t.childNodes = []; return t; }
  function getComputedStyle(e) {
    var v = function (k, d) { return e.style.p[k] || e.sheet[k] || d; };
    return { display: v('display', 'block'), visibility: v('visibility', 'visible'), opacity: v('opacity', '1'), contentVisibility: 'visible', clipPath: 'none', transform: 'none' };
  }
  function MutationObserver(cb) { this.cb = cb; this.targets = []; observers.push(this); }
  MutationObserver.prototype.observe = function (t) { this.targets.push(t); };
  MutationObserver.prototype.disconnect = function () { this.targets = []; };
  MutationObserver.prototype.takeRecords = function () { var o = this, mine = queue.filter(function (q) { return q[0] === o; }); queue = queue.filter(function (q) { return q[0] !== o; }); return mine.map(function (q) { return q[1]; }); };
  // deliver: the observers' microtask, one batch per observer
  function deliver() { var q = queue; queue = []; observers.forEach(function (o) { var recs = q.filter(function (x) { return x[0] === o; }).map(function (x) { return x[1]; }); if (recs.length) o.cb(recs); }); }
  var document = new Document();
  document.nodeType = 9; document.childNodes = []; document.readyState = 'complete'; document.currentScript = null;
  Object.defineProperty(document, 'documentElement', { get: function () { return this.childNodes.filter(function (c) { return c.nodeType === 1; })[0] || null; } });
  Object.defineProperty(document, 'body', { get: function () { var h = this.documentElement; return h && h.childNodes.filter(function (c) { return c.localName === 'body'; })[0] || null; } });
  Object.defineProperty(document, 'head', { get: function () { var h = this.documentElement; return h && h.childNodes[0] || null; } });
  var marker = mk('div', [text('CRM page ok')]), nav = mk('a', [text('next')]);
  document.appendChild(mk('html', [mk('head'), mk('body', [marker, nav, mk('script', [text('var x = 1;')])])]));
  var body = document.body, html = document.documentElement;
`;

function page({ nested = false, mode = null } = {}) {
  const timers = [], load = [], every = [];
  const desk = { name: 'desk' };
  const crmRoot = { __crmframe: { marker: 'crmframe', realParent: desk } };
  const w = {
    console, WeakSet, WeakMap, URL,
    queueMicrotask: (f) => timers.push([f, 0]),
    setTimeout: (f, ms) => { timers.push([f, ms]); return timers.length; },
    setInterval: (f, ms) => { every.push([f, ms]); return every.length; },
    addEventListener: (n, f) => { if (n === 'load') load.push(f); },
    innerWidth: 800, innerHeight: 600, scrollX: 0, scrollY: 0,
    __crmframe_breakout: mode,
  };
  w.window = w;
  Object.defineProperty(w, 'top', { get: () => desk, enumerable: true });
  w.parent = nested ? crmRoot : desk;
  w.frameElement = null;
  w.location = { href: 'http://crm.test/a.html', protocol: 'http:', origin: 'http://crm.test' };
  const { run, tick } = shimRealm(w, DOM, shim, timers);
  // the observer's microtask, then the timers of that delay (and the
  // microtasks they queue)
  const later = (ms) => { run('deliver()'); tick(ms); tick(0); run('deliver()'); };
  const loaded = () => { load.forEach((f) => f()); tick(250); };
  const interval = () => every.forEach((e) => e[0]());
  return { w, run, later, loaded, interval, tick };
}

const KIDS = 'body.childNodes.map(function (c) { return c.localName || c.data; }).join()';

test('pass17: a body emptied child by child, by a range, moved into a fragment or a document emptied comes back when the page stays blank', () => {
  const cases = {
    'removeChild loop (x504)': 'while (body.firstChild) body.removeChild(body.firstChild)',
    'all at once, unhooked (x505, x507)': 'body.childNodes.slice().forEach(detach)',
    'body into a fragment (x510)': 'var f = new DocumentFragment(); f.nodeType = 11; f.childNodes = []; f.appendChild(body)',
    'body replaced by a text node (x506)': 'html.insertBefore(text(""), body); detach(body)',
    'document emptied, an empty html added (x508)': 'detach(html); document.appendChild(mk("html"))',
  };
  for (const [name, code] of Object.entries(cases)) {
    const p = page();
    p.run(code);
    assert.equal(p.run('document.body && document.body.textContent || ""'), '', name + ': the change itself happened');
    p.later(250);
    assert.equal(p.run('document.body === body && document.documentElement === html'), true, name);
    assert.equal(p.run(KIDS), 'div,a,script', name + ': in order');
    assert.equal(p.w.__crmframe.stats.blank, 1, name);
  }
});

test('pass17: clear-and-fill, real replacements, blank pages, nested frames and detect mode are left alone by the observer', () => {
  const kept = {
    'removeChild loop, then a new view': ['while (body.firstChild) body.removeChild(body.firstChild); body.appendChild(mk("main", [text("new view")]))', 'main'],
    'a new view 100 ms later, before the look': ['while (body.firstChild) body.removeChild(body.firstChild); deliver(); body.appendChild(mk("main", [text("later")]))', 'main'],
    'a message instead of the page': ['body.replaceChildren(mk("p", [text("Please open the CRM directly.")]))', 'p'],
  };
  for (const [name, [code, want]] of Object.entries(kept)) {
    const p = page();
    p.run(code);
    p.later(250);
    assert.equal(p.run(KIDS), want, name);
    assert.equal(p.w.__crmframe.stats.blank, undefined, name);
  }
  // a nested CRM frame empties its own body (a reading pane)
  const nested = page({ nested: true });
  nested.run('while (body.firstChild) body.removeChild(body.firstChild)');
  nested.later(250);
  assert.equal(nested.run(KIDS), '');
  // detect mode counts and keeps the change
  const det = page({ mode: 'detect' });
  det.run('while (body.firstChild) body.removeChild(body.firstChild)');
  det.later(250);
  assert.equal(det.run(KIDS), '');
  assert.equal(det.w.__crmframe.stats.blank, 1);
});

test('pass17: a hide by computed style alone (no attribute, no hook) is lifted after the next 250 ms look; a short one is not', () => {
  const p = page();
  p.loaded();
  p.interval(); // first look: the state at load
  // a stylesheet rule (CSSOM, :has(), a media switch) hides the body
  p.run('body.sheet.display = "none"');
  p.interval();
  p.tick(250);
  assert.equal(p.run('getComputedStyle(body).display'), 'block');
  assert.equal(p.w.__crmframe.stats.unhide, 1);
  // a hide the page takes back within 250 ms (a fade) is not touched
  const q = page();
  q.loaded();
  q.interval();
  q.run('body.sheet.opacity = "0"');
  q.interval();
  q.run('body.sheet.opacity = ""');
  q.tick(250);
  assert.equal(q.run('body.style.opacity'), '');
  assert.equal(q.w.__crmframe.stats.unhide, undefined);
});
