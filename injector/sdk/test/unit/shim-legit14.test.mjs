// Tests of the shim and the bundle's tail against legitimate pages of the
// fourth legit pass (docs/framebusting-passes.md, x417–x419): a privacy lock that
// hides the body by visibility but shows its unlock box, messages to a top
// of the CRM's own origin, and the injected tag leaving <head>. A small DOM
// with computed visibility and boxes, in a vm realm; timers run by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { STYLE_DOM, flush, shimRealm } from './fakes.mjs';

const read = (f) => fs.readFileSync(fileURLToPath(new URL(f, import.meta.url)), 'utf8');
const shim = read('../../shim.js');
const tail = read('../../tail.js');

// Elements have a box (box: [left, top, width, height], none: 0×0) and a
// visibility of their own (vis) or inherited; body.locked is hidden as by
// the page's stylesheet (body.locked { visibility: hidden }).
const DOM = `
  var observers = [];
  function Node() {} function Element() {} Element.prototype = Object.create(Node.prototype);
  function HTMLElement() {} HTMLElement.prototype = Object.create(Element.prototype);
  function Document() {} Document.prototype = Object.create(Node.prototype);
  function HTMLFormElement() {} HTMLFormElement.prototype = Object.create(HTMLElement.prototype);
  HTMLFormElement.prototype.submit = function () {};
` + STYLE_DOM + `
  function mk(name, kids, o) {
    var e = new HTMLElement(); e.nodeType = 1; e.localName = name; e.style = new Style(); e.childNodes = kids || []; e.className = '';
    e.childNodes.forEach(function (c) { c.parentNode = e; });
    for (var k in o || {}) e[k] = o[k];
    return e;
  }
  EP = Element.prototype;
  EP.contains = function (x) { for (; x; x = x.parentNode) if (x === this) return true; return false; };
  EP.getBoundingClientRect = function () { var b = this.box || [0, 0, 0, 0]; return { left: b[0], top: b[1], width: b[2], height: b[3], right: b[0] + b[2], bottom: b[1] + b[3] }; };
  EP.getAttribute = function () { return null; };
  EP.querySelectorAll = function () { return []; };
  function vis(e) { return e.style.p.visibility || (e.localName === 'body' && / locked /.test(' ' + e.className + ' ') ? 'hidden' : e.vis) || (e.parentNode && e.parentNode.nodeType === 1 ? vis(e.parentNode) : 'visible'); }
  function opacity(e) { return e.style.p.opacity || e.opacity || '1'; }
  EP.checkVisibility = function (o) { for (var x = this; x && x.nodeType === 1; x = x.parentNode) if (o.opacityProperty && opacity(x) === '0') return false; return !(o.visibilityProperty && vis(this) !== 'visible'); };
  function getComputedStyle(e) { return { display: e.style.p.display || e.display || 'block', visibility: vis(e), opacity: opacity(e), contentVisibility: 'visible', clipPath: 'none', transform: 'none' }; }
  // createTreeWalker over elements (whatToShow 1) with an acceptNode
  // filter: 1 accept, 2 reject (skip the subtree), 3 skip; no text nodes.
  Document.prototype.createTreeWalker = function (root, show, filter) {
    var list = [], walk = function (n) { n.childNodes.forEach(function (c) { if (c.nodeType !== 1 || show !== 1) return;
      var r = filter ? filter.acceptNode(c) : 1; if (r === 1) list.push(c); if (r !== 2) walk(c); }); };
    var started = false;
    return { nextNode: function () { if (!started) { started = true; walk(root); } return list.shift() || null; } };
  };
  Document.prototype.createRange = function () { return { selectNodeContents: function () {}, getClientRects: function () { return []; } }; };
  function MutationObserver(cb) { this.cb = cb; observers.push(this); }
  MutationObserver.prototype.observe = function () {};
  MutationObserver.prototype.disconnect = function () {};
  var changed = function () { observers.forEach(function (o) { o.cb([]); }); };
  var document = new Document();
  document.readyState = 'complete';
  var lockBox = mk('div', [], { id: 'lock', vis: 'visible', box: [0, 0, 200, 48] });
  var grid = mk('table', [], { box: [0, 60, 600, 20] });
  var head = mk('head'), body = mk('body', [lockBox, grid]), html = mk('html', [head, body]);
  html.parentNode = document;
  document.documentElement = html; document.head = head; document.body = body;
  document.currentScript = null;
`;

// page(): a CRM window running the shim; the CRM root framed by a foreign
// desktop, or (nested) a frame of a CRM window whose page is the virtual top.
function page({ nested = false, framed = true, mode = null } = {}) {
  const timers = [], load = [], posts = [];
  const poster = (who) => function (m, o) { posts.push([who, this === win[who], m, o, arguments.length]); };
  const desk = { name: 'desk' };
  desk.postMessage = poster('desk');
  const crmRoot = { __crmframe: { marker: 'crmframe', realParent: desk } };
  crmRoot.postMessage = poster('crmRoot');
  const w = {
    console, queueMicrotask, WeakSet, WeakMap, URL,
    setTimeout: (f, ms) => { timers.push([f, ms]); return timers.length; },
    setInterval: () => 0,
    addEventListener: (n, f) => { if (n === 'load') load.push(f); },
    innerWidth: 800, innerHeight: 600, scrollX: 0, scrollY: 0,
    __crmframe_breakout: mode,
  };
  const win = { desk, crmRoot, w };
  w.window = w;
  w.postMessage = poster('w');
  Object.defineProperty(w, 'top', { get: () => (framed ? desk : w), enumerable: true });
  w.parent = !framed ? w : nested ? crmRoot : desk;
  w.frameElement = null;
  w.location = { href: 'http://crm.test/a.html', protocol: 'http:', origin: 'http://crm.test' };
  const { run, tick } = shimRealm(w, DOM, shim, timers);
  // load, then the net's first look 250 ms later (it watches from then on)
  const loaded = () => { load.forEach((f) => f()); tick(250); };
  return { w, run, tick, loaded, posts, desk, crmRoot };
}

test('legit14: a privacy lock hiding the body by visibility with its unlock box visible stays locked (x417)', async () => {
  const p = page();
  p.loaded();
  p.run('body.className = "locked"; changed()');
  p.tick(250);
  await flush();
  assert.equal(p.run('getComputedStyle(grid).visibility'), 'hidden', 'customer data stays hidden');
  assert.equal(p.run('body.style.visibility'), '');
  assert.equal(p.w.__crmframe.stats.unhide, undefined);
  // unlocked by the page: shown again, nothing of the net's left
  p.run('body.className = ""; changed()');
  p.tick(250);
  assert.equal(p.run('getComputedStyle(grid).visibility'), 'visible');
});

test('legit14: a visibility hide with nothing of the page left to see is still lifted', async () => {
  const cases = {
    'no visible descendant': 'lockBox.display = "none"',
    'its box outside the viewport': 'lockBox.box = [-500, 0, 200, 48]',
    'an empty box': 'lockBox.box = [0, 0, 0, 0]',
    'under opacity 0': 'lockBox.opacity = "0"',
    'html hidden, nothing visible': 'lockBox.vis = undefined; html.vis = "hidden"',
  };
  for (const [name, setup] of Object.entries(cases)) {
    const p = page();
    p.run(setup);
    p.loaded();
    if (!name.startsWith('html')) {
      p.run('body.className = "locked"; changed()');
      p.tick(250);
    }
    await flush();
    assert.equal(p.run('getComputedStyle(grid).visibility'), 'visible', name);
    assert.equal(p.w.__crmframe.stats.unhide >= 1, true, name);
  }
});

test('legit14: X.top.postMessage to the CRM\'s own origin reaches the virtual top, others the real top (x419)', () => {
  const p = page({ nested: true });
  assert.equal(p.w.__crmframe.virtualTop, p.crmRoot);
  p.run(`
    __crmframe_post(top).postMessage({n: 1}, location.origin);
    __crmframe_post(window.top).postMessage({n: 2}, '/');
    __crmframe_post(top).postMessage({n: 3}, 'http://crm.test/other/page?x');
    __crmframe_post(top).postMessage({n: 4});
    __crmframe_post(top).postMessage({n: 5}, {targetOrigin: 'http://crm.test'});
    __crmframe_post(top).postMessage({n: 6}, {});
    __crmframe_post(top).postMessage({n: 7}, '*');
    __crmframe_post(top).postMessage({n: 8}, 'http://desk.test');
    __crmframe_post(top).postMessage({n: 9}, {targetOrigin: '*'});
    __crmframe_post(top).postMessage({n: 10}, 'not a url');
  `);
  const to = p.posts.map((x) => x[0] + ':' + x[2].n);
  assert.deepEqual(to, ['crmRoot:1', 'crmRoot:2', 'crmRoot:3', 'crmRoot:4', 'crmRoot:5', 'crmRoot:6', 'desk:7', 'desk:8', 'desk:9', 'desk:10']);
  assert.ok(p.posts.every((x) => x[1]), 'called on the window itself');
  assert.deepEqual(p.posts.map((x) => x[4]), [2, 2, 2, 1, 2, 2, 2, 2, 2, 2], 'arguments as given');
  assert.equal(p.w.__crmframe.stats.post, 6);
  // anything but the real top comes back as it is
  assert.equal(p.run('__crmframe_post(window) === window'), true);
  assert.equal(p.run('var o = {}; __crmframe_post(o) === o'), true);
});

test('legit14: __crmframe_post at the CRM root, unframed, in detect and off mode', () => {
  const root = page();
  root.run("__crmframe_post(top).postMessage('a', location.origin); __crmframe_post(top).postMessage('b', '*')");
  assert.deepEqual(root.posts.map((x) => x[0] + ':' + x[2]), ['w:a', 'desk:b'], 'unframed, top would be the page itself');
  const alone = page({ framed: false });
  assert.equal(alone.run('__crmframe_post(top) === window'), true);
  const det = page({ nested: true, mode: 'detect' });
  det.run("__crmframe_post(top).postMessage('c', location.origin)");
  assert.deepEqual(det.posts.map((x) => x[0]), ['desk']);
  assert.equal(det.w.__crmframe.stats.post, 1);
  const off = page({ nested: true, mode: 'off' });
  assert.equal(off.run('__crmframe_post(top)'), off.desk);
});

test('legit14: code built at run time gets the same postMessage wrapper, once', () => {
  const p = page({ nested: true });
  const code = 'window.top.postMessage(m, location.origin); top.postMessage(1); self.parent.top?.postMessage(2); o.top.postMessage(3); top.location.x';
  const f = p.w.__crmframe_code(code);
  assert.equal(f, '__crmframe_post(window.top).postMessage(m, location.origin); __crmframe_post(top).postMessage(1); ' +
    '__crmframe_post(self.parent.top)?.postMessage(2); o.top.postMessage(3); __crmframe_vtop(top).location.x');
  assert.equal(p.w.__crmframe_code(f), f, 'swapped twice');
  // served code the server wrapped, evaluated again (jQuery's globalEval of a fetched script)
  const served = '__crmframe_post($window.top).postMessage(1, "*"); __crmframe_post(window.top).postMessage(2)';
  assert.equal(p.w.__crmframe_code(served), served);
  assert.doesNotThrow(() => new vm.Script(f));
});

test('legit14: the bundle\'s tail removes the tag crmframe injected, not a tag the page wrote (x418)', () => {
  const run = (attrs) => {
    const head = { removed: [], removeChild(c) { this.removed.push(c); c.parentNode = null; } };
    const s = { parentNode: head, hasAttribute: (n) => n in attrs };
    vm.runInContext(tail, vm.createContext({ document: { currentScript: s } }));
    return head.removed.length;
  };
  assert.equal(run({ 'data-crmframe-prefix': '/__crmframe', 'data-crmframe-widget': 'crm' }), 1);
  assert.equal(run({ 'data-crmframe-widget': 'crm' }), 1);
  assert.equal(run({}), 0, 'the page\'s own <script src="/AD/widget/agentdesktop_widget.js">');
  assert.doesNotThrow(() => vm.runInContext(tail, vm.createContext({ document: { currentScript: null } })));
});
